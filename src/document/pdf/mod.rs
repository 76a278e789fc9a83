//! PDF: reading the objects an incremental update touches, writing the update, the visible
//! signature's appearance, and PAdES signing.

pub mod appearance;
pub mod doc_timestamp;
pub(crate) mod docmdp;
pub mod dss;
pub mod image;
mod object;
pub mod pades;
pub mod placement;
pub mod reader;
mod signing_pdf;
pub(crate) mod writer;
mod xref;
