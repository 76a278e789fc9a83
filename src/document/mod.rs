//! Signed documents: CMS/CAdES detached signatures, and their verification.
//!
//! Everything here works from a [`crate::Signer`] and digests computed by the caller, so a batch
//! can hash files in parallel while the token signs.

mod algorithm;
pub mod appearance;
pub mod cms;
mod ess;
mod http;
pub mod pades;
mod pades_verify;
pub mod pdf_reader;
mod pdf_writer;
pub mod revocation;
pub mod tsp;
pub mod verify;

pub use algorithm::{algorithm_from_cms, digest_algorithm, hash_from_oid, signature_algorithm};
pub use appearance::Visible;
pub use cms::{sign_detached, CadesOptions};
pub use pades::{sign_pdf, PadesOptions};
pub use pades_verify::{verify_pdf, PdfSignature, PdfSignatureResult};
pub use revocation::{Revocation, RevocationStatus};
pub use tsp::{TimestampVerification, Tsa};
pub use verify::{verify_detached, verify_trust, CmsVerification, TrustVerification};
