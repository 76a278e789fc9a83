//! Verification: CMS/CAdES signatures, PDF signatures, and the revocation status of a
//! certificate from OCSP responders and CRL distribution points. (Timestamp tokens are checked
//! in [`super::cms::tsp`], the chain to trust anchors in [`crate::cert::verify_trust`].)

mod cms;
pub mod issuers;
mod pdf;
mod pdf_changes;
mod pdf_dss;
pub mod revocation;
pub mod validation_data;

pub use self::cms::{verify_detached, CmsVerification};
pub use self::pdf::{verify_pdf, PdfSignature, PdfSignatureResult};
pub use self::pdf_changes::LaterChanges;
pub use self::pdf_dss::{stored_validation_data, StoredValidationData};
pub use self::revocation::{Evidence, Revocation, RevocationStatus};
pub use self::validation_data::{Embedded, ValidationCache, ValidationData};
