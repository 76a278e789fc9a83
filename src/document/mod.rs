//! Signed documents: CMS/CAdES detached signatures, PAdES, and their verification, grouped by
//! what they are: [`pdf`], [`cms`] (with RFC 3161 timestamps), [`verify`] (with OCSP and CRL
//! revocation checks), and the little HTTP the timestamp authorities and revocation servers
//! are asked over.
//!
//! Everything here works from a [`crate::Signer`] and digests computed by the caller, so a batch
//! can hash files in parallel while the token signs.

pub mod cms;
mod http;
pub mod pdf;
pub mod verify;
pub mod xml;

pub use self::cms::algorithm::{
    algorithm_from_cms, digest_algorithm, hash_from_oid, signature_algorithm,
};
pub use self::cms::tsp::{TimestampVerification, Timestamper, Tsa};
pub use self::cms::{sign_detached, CadesOptions};
pub use self::pdf::appearance::Visible;
pub use self::pdf::pades::{sign_pdf, PadesOptions};
pub use self::verify::{
    verify_detached, verify_pdf, CmsVerification, PdfSignature, PdfSignatureResult, Revocation,
    RevocationStatus,
};
pub use crate::cert::{verify_trust, TrustVerification};
