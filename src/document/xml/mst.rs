//! Receivers check that the seller's tax code (MST) in an e-invoice is the one in the signer's
//! certificate: kyso says so before the PIN is asked.

use uppsala::Document;

use super::parse::{parse, path, text, text_of};
use crate::cert::Certificate;

/// The seller's MST of an e-invoice (`HDon/DLHDon/NDHDon/NBan/MST`), if it is one.
pub fn seller_mst(data: &[u8]) -> Option<String> {
    let t = text("", data).ok()?;
    seller_mst_of(&parse("", t.text).ok()?)
}

/// [`seller_mst`] of a parsed document.
pub fn seller_mst_of(doc: &Document<'_>) -> Option<String> {
    let root = doc.document_element()?;
    let node = path(doc, root, &["DLHDon", "NDHDon", "NBan", "MST"])?;
    Some(text_of(doc, node))
}

/// A warning when `data` is an e-invoice whose seller MST is not the certificate's.
pub fn mst_mismatch(name: &str, data: &[u8], cert: &Certificate) -> Option<String> {
    mst_warning(name, &seller_mst(data)?, cert)
}

/// A warning when the seller MST `invoice` of the e-invoice `name` is not the certificate's.
pub fn mst_warning(name: &str, invoice: &str, cert: &Certificate) -> Option<String> {
    let norm = |s: &str| s.trim().trim_start_matches("MST:").trim().to_owned();
    match cert.identity().mst() {
        Some(m) if norm(m) == norm(invoice) => None,
        Some(m) => Some(format!(
            "{name}: the seller's tax code (MST {invoice}) is not the certificate's (MST {m}); \
             the tax authority will refuse the invoice"
        )),
        None => Some(format!(
            "{name}: the certificate has no tax code (MST), the invoice's seller is MST \
             {invoice}; the tax authority will refuse the invoice"
        )),
    }
}
