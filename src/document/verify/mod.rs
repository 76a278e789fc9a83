//! Verification: CMS/CAdES signatures, the timestamp tokens they carry, PDF signatures, and
//! the signer's chain to trust anchors.

mod cms;
mod pdf;
pub(crate) mod trust;

pub use self::cms::{verify_detached, CmsVerification};
pub use self::pdf::{verify_pdf, PdfSignature, PdfSignatureResult};
pub use self::trust::{verify_trust, TrustVerification};
