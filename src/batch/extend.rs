//! Extending signed PDFs to long-term signatures (`kyso extend`): a Document Security Store
//! with the validation data of every signature and timestamp already in the file (whoever
//! made them), then, for B-LTA, a document timestamp over everything. Run again on a B-LTA
//! file, it renews the archive: the last document timestamp's own validation data, and a new
//! timestamp over it before its TSA certificate expires. Each output is written atomically;
//! no token is involved.

use std::sync::Arc;

use super::files::{read_regular, write_atomic};
use super::{Document, Event, Failure, Source, Summary, Target};
use crate::cert::Certificate;
use crate::digest::HashAlg;
use crate::document::cms::tsp::Timestamper;
use crate::document::pdf::doc_timestamp::doc_timestamp_update;
use crate::document::pdf::dss::dss_update;
use crate::document::verify::ValidationCache;
use crate::document::verify::{stored_validation_data, verify_pdf, PdfSignatureResult};
use crate::error::{Error, Result};

/// How documents are extended.
#[derive(Clone)]
pub struct Extension {
    /// Revocation answers, one request per certificate for the whole run.
    pub cache: Arc<ValidationCache>,
    /// B-LTA: the authority of the document timestamp; `None` for B-LT.
    pub archive: Option<Arc<dyn Timestamper>>,
    /// Leave documents already at the level asked (a DSS; for B-LTA, a document timestamp as
    /// the newest revision): an interrupted run resumes where it stopped.
    pub skip_extended: bool,
    /// B-LTA: a document whose newest document timestamp's TSA certificate expires within
    /// this is not left but renewed (a new timestamp over everything, before the old one can
    /// no longer be validated).
    pub renew_within: time::Duration,
}

/// The certificates of every signature and timestamp in `pdf`: what its DSS must validate.
fn certificates_in(pdf: &[u8]) -> Result<Vec<Certificate>> {
    let mut certs = Vec::new();
    let mut signatures = 0;
    for s in verify_pdf(pdf)? {
        match &s.result {
            PdfSignatureResult::Signature(v) => {
                signatures += 1;
                certs.push(v.signer_certificate().clone());
                certs.extend(v.embedded_certificates().iter().cloned());
                if let Some(t) = &v.timestamp {
                    certs.extend(t.tsa_certificate().cloned());
                    certs.extend(t.embedded_certificates().iter().cloned());
                }
            }
            PdfSignatureResult::DocTimestamp(t) => {
                certs.extend(t.tsa_certificate().cloned());
                certs.extend(t.embedded_certificates().iter().cloned());
            }
            PdfSignatureResult::Error(e) => {
                return Err(Error::Document(crate::t!(
                    "extend-unreadable-signature",
                    error = e.to_string()
                )))
            }
        }
    }
    if signatures == 0 {
        return Err(Error::Document(crate::t!("extend-unsigned")));
    }
    let mut unique: Vec<Certificate> = Vec::new();
    for c in certs {
        if !unique.contains(&c) {
            unique.push(c);
        }
    }
    Ok(unique)
}

/// Whether `pdf` is already at the level asked (see [`Extension::skip_extended`]), its
/// archive timestamp (if asked) not due for renewal within `renew_within`.
pub fn is_extended(pdf: &[u8], archive: bool, renew_within: time::Duration) -> bool {
    if stored_validation_data(pdf).is_none() {
        return false;
    }
    !archive
        || verify_pdf(pdf).is_ok_and(|sigs| {
            sigs.last().is_some_and(|s| {
                let due = time::OffsetDateTime::now_utc() + renew_within;
                s.covers_dss
                    && s.covers_whole_document
                    && matches!(&s.result, PdfSignatureResult::DocTimestamp(t)
                        if t.tsa_certificate().is_some_and(|c| c.not_after() > due))
            })
        })
}

/// `pdf` extended: its DSS update, then (B-LTA) its document timestamp, after its bytes.
pub fn extend_pdf(pdf: &[u8], ext: &Extension) -> Result<Vec<u8>> {
    let data = ext.cache.collect(&certificates_in(pdf)?)?;
    let mut out = pdf.to_vec();
    out.extend_from_slice(&dss_update(pdf, &data)?);
    if let Some(tsa) = &ext.archive {
        let stamp = doc_timestamp_update(&out[..], tsa.as_ref(), HashAlg::Sha256)?;
        out.extend_from_slice(&stamp);
    }
    Ok(out)
}

/// Extends each document (in place when its target is its source), reporting as a signing
/// batch does: `Signed` for each one extended.
pub fn extend(documents: &[Document], ext: &Extension, on_event: &mut dyn FnMut(Event)) -> Summary {
    let mut summary = Summary::default();
    on_event(Event::Started {
        documents: documents.len(),
        bytes: documents.iter().map(Document::len).sum(),
    });
    for (index, document) in documents.iter().enumerate() {
        let input = match &document.source {
            Source::File(p) => read_regular(p),
            Source::Memory { data, .. } => Ok(data.to_vec()),
        };
        let result = input.and_then(|pdf| {
            if ext.skip_extended && is_extended(&pdf, ext.archive.is_some(), ext.renew_within) {
                return Ok(None);
            }
            let out = extend_pdf(&pdf, ext)?;
            match &document.target {
                Target::File(path) => write_atomic(path, &out).map(|()| Some(None)),
                Target::Memory => Ok(Some(Some(out))),
            }
        });
        match result {
            Ok(None) => {
                summary.skipped.push(index);
                on_event(Event::Skipped { index, document });
            }
            Ok(Some(output)) => {
                summary.signed.push(index);
                on_event(Event::Signed {
                    index,
                    document,
                    output,
                });
            }
            Err(error) => {
                summary.failed.push(Failure::new(index, &error));
                on_event(Event::Failed {
                    index,
                    document,
                    error,
                });
            }
        }
    }
    on_event(Event::Finished { summary: &summary });
    summary
}
