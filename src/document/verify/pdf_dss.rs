//! What a PDF archives for long-term validation: its Document Security Store (certificates,
//! OCSP responses, CRLs).

use lopdf::{Document, Object};

use super::validation_data::Embedded;
use crate::cert::Certificate;

/// The DSS of a PDF, read back.
#[derive(Debug, Clone, Default)]
pub struct StoredValidationData {
    /// Its certificates.
    pub certs: Vec<Certificate>,
    /// Its OCSP responses and CRLs, as a revocation source.
    pub revocation: Embedded,
}

fn stream_list(doc: &Document, dss: &lopdf::Dictionary, key: &[u8]) -> Vec<Vec<u8>> {
    let items = match dss.get(key) {
        Ok(Object::Array(a)) => a.clone(),
        Ok(Object::Reference(id)) => doc
            .get_object(*id)
            .and_then(Object::as_array)
            .cloned()
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    items
        .iter()
        .filter_map(|o| o.as_reference().ok())
        .filter_map(|id| doc.get_object(id).ok())
        .filter_map(|o| o.as_stream().ok())
        .filter_map(|s| {
            s.decompressed_content()
                .ok()
                .or_else(|| Some(s.content.clone()))
        })
        .collect()
}

/// The Document Security Store of `pdf`, if it has one.
pub fn stored_validation_data(pdf: &[u8]) -> Option<StoredValidationData> {
    read_dss(&Document::load_mem(pdf).ok()?)
}

/// The catalog's `/DSS`, if the PDF has one.
pub(super) fn read_dss(doc: &Document) -> Option<StoredValidationData> {
    let dss = super::pdf::catalog_dictionary(doc, b"DSS")?;
    Some(StoredValidationData {
        certs: stream_list(doc, dss, b"Certs")
            .into_iter()
            .filter_map(|d| Certificate::from_der(d).ok())
            .collect(),
        revocation: Embedded::new(
            stream_list(doc, dss, b"OCSPs"),
            stream_list(doc, dss, b"CRLs"),
        ),
    })
}
