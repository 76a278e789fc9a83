//! Verification of the signatures in a PDF: each `/Sig` dictionary's CMS over its `/ByteRange`,
//! and whether the range covers the whole file or later revisions were appended.

use lopdf::{Document, Object};
use serde::Serialize;

use super::cms::{verify_detached, CmsVerification};
use super::pdf_changes::{adds_signatures, later_changes, LaterChanges};
use super::pdf_dss::read_dss;
use crate::digest::Hasher;
use crate::document::cms::tsp::{self, TimestampVerification};
use crate::error::{Error, Result};

/// One signature found in a PDF.
#[derive(Debug, Serialize)]
pub struct PdfSignature {
    /// The field name (`/T`), when a field points at the signature.
    pub field: Option<String>,
    /// `/SubFilter` (`ETSI.CAdES.detached`, `adbe.pkcs7.detached`…).
    pub sub_filter: String,
    /// `/ByteRange`.
    pub byte_range: Vec<usize>,
    /// The range runs to the end of the file: nothing was appended after this signature.
    pub covers_whole_document: bool,
    /// What the revisions after this signature changed, when it does not cover the whole
    /// file: only signing (acceptable), or modifications of the signed document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub later_changes: Option<LaterChanges>,
    /// The signing time claimed in `/M` (RFC 3339), not a timestamp.
    pub claimed_time: Option<String>,
    /// A document timestamp (`/SubFilter /ETSI.RFC3161`, PAdES B-LTA) whose range includes a
    /// Document Security Store.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub covers_dss: bool,
    /// The CMS verification, or why it could not be done.
    #[serde(flatten)]
    pub result: PdfSignatureResult,
}

/// The CMS verification of a PDF signature, or the error that prevented it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PdfSignatureResult {
    /// Verified (possibly with problems).
    Signature(Box<CmsVerification>),
    /// A document timestamp (B-LTA), its token checked against the range it covers.
    DocTimestamp(Box<TimestampVerification>),
    /// Could not be verified.
    Error(String),
}

fn pdf_err(e: lopdf::Error) -> Error {
    Error::Document(crate::t!("pdf-cannot-read", error = e.to_string()))
}

/// Every signature of `pdf`, in the order of the revisions they sign.
pub fn verify_pdf(pdf: &[u8]) -> Result<Vec<PdfSignature>> {
    let doc = Document::load_mem(pdf).map_err(pdf_err)?;
    // field name of each signature value
    let mut names = std::collections::HashMap::new();
    for obj in doc.objects.values() {
        if let Ok(d) = obj.as_dict() {
            if let (Ok(Object::Reference(v)), Ok(t)) = (d.get(b"V"), d.get(b"T")) {
                if let Ok(t) = t.as_str() {
                    names.insert(
                        *v,
                        lopdf::decode_text_string(&Object::string_literal(t.to_vec()))
                            .unwrap_or_default(),
                    );
                }
            }
        }
    }
    let mut found = Vec::new();
    for (id, obj) in &doc.objects {
        let Ok(d) = obj.as_dict() else { continue };
        let (Ok(range), Ok(contents)) = (d.get(b"ByteRange"), d.get(b"Contents")) else {
            continue;
        };
        let Ok(contents) = contents.as_str() else {
            continue;
        };
        let range: Vec<usize> = range
            .as_array()
            .map_err(pdf_err)?
            .iter()
            .map(|o| o.as_i64().ok().and_then(|i| usize::try_from(i).ok()))
            .collect::<Option<_>>()
            .ok_or_else(|| Error::Document("malformed /ByteRange".into()))?;
        let sub_filter = d
            .get(b"SubFilter")
            .and_then(Object::as_name)
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        let range_digest = |hash| {
            let mut h = Hasher::new(hash);
            for pair in range.chunks(2) {
                h.update(&pdf[pair[0]..pair[0] + pair[1]]);
            }
            h.finish()
        };
        let doc_timestamp = sub_filter == "ETSI.RFC3161";
        let end = range.get(2).zip(range.get(3)).map(|(b, c)| b + c);
        let result = match check_range(pdf, &range) {
            Ok(()) if doc_timestamp => PdfSignatureResult::DocTimestamp(Box::new(
                tsp::verify_token_imprint(contents, &range_digest),
            )),
            Ok(()) => match verify_detached(contents, &mut |hash| Ok(range_digest(hash))) {
                Ok(v) => PdfSignatureResult::Signature(Box::new(v)),
                Err(e) => PdfSignatureResult::Error(e.to_string()),
            },
            Err(e) => PdfSignatureResult::Error(e.to_string()),
        };
        let claimed_time = d
            .get(b"M")
            .and_then(Object::as_str)
            .ok()
            .and_then(pdf_date_to_rfc3339);
        let covers_dss = doc_timestamp
            && end.is_some_and(|end| {
                Document::load_mem(&pdf[..end.min(pdf.len())])
                    .ok()
                    .and_then(|d| read_dss(&d))
                    .is_some()
            });
        let certified_locked = certification_permission(&doc, *id) == Some(1);
        let later_changes = match end {
            Some(end) if end < pdf.len() => Some(match Document::load_mem(&pdf[..end]) {
                Ok(before) => {
                    let mut lc = later_changes(&before, &doc);
                    if certified_locked
                        && lc.revision_added
                        && (!lc.acceptable() || adds_signatures(&before, &doc))
                    {
                        lc.modifications
                            .insert(0, crate::t!("verify-certified-no-changes-yet-changed"));
                    }
                    lc
                }
                Err(e) => LaterChanges {
                    revision_added: true,
                    modifications: vec![format!(
                        "the signed revision cannot be read to compare ({e})"
                    )],
                },
            }),
            _ => None,
        };
        found.push(PdfSignature {
            covers_dss,
            later_changes,
            claimed_time,
            field: names.get(id).cloned(),
            sub_filter,
            covers_whole_document: range.len() == 4 && range[2] + range[3] == pdf.len(),
            byte_range: range,
            result,
        });
    }
    found.sort_by_key(|s| {
        s.byte_range.get(2).copied().unwrap_or(0) + s.byte_range.get(3).copied().unwrap_or(0)
    });
    Ok(found)
}

/// The dictionary the catalog holds under `key` (`/Perms`, `/DSS`), direct or referenced.
pub(super) fn catalog_dictionary<'a>(
    doc: &'a Document,
    key: &[u8],
) -> Option<&'a lopdf::Dictionary> {
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .ok()?;
    let catalog = doc.get_object(root).ok()?.as_dict().ok()?;
    match catalog.get(key).ok()? {
        Object::Reference(r) => doc.get_object(*r).ok()?.as_dict().ok(),
        Object::Dictionary(d) => Some(d),
        _ => None,
    }
}

/// The DocMDP permission when signature `sig` is the document's certification (the catalog's
/// `/Perms /DocMDP`), else `None`.
fn certification_permission(doc: &Document, sig: lopdf::ObjectId) -> Option<i64> {
    let perms = catalog_dictionary(doc, b"Perms")?;
    if perms.get(b"DocMDP").and_then(Object::as_reference).ok()? != sig {
        return None;
    }
    let sig = doc.get_object(sig).ok()?.as_dict().ok()?;
    let refs = sig.get(b"Reference").and_then(Object::as_array).ok()?;
    refs.iter()
        .filter_map(|r| match r {
            Object::Reference(id) => doc.get_object(*id).ok()?.as_dict().ok(),
            Object::Dictionary(d) => Some(d),
            _ => None,
        })
        .find(|r| r.get(b"TransformMethod").and_then(Object::as_name).ok() == Some(b"DocMDP"))
        .map(|r| {
            r.get(b"TransformParams")
                .and_then(Object::as_dict)
                .and_then(|p| p.get(b"P"))
                .and_then(Object::as_i64)
                .unwrap_or(2)
        })
}

/// A byte range must be `[0 a b c]` within the file, with the gap exactly the `<…>` string.
fn check_range(pdf: &[u8], r: &[usize]) -> Result<()> {
    let bad = |m: &str| Err(Error::Document(format!("suspicious /ByteRange {r:?}: {m}")));
    if r.len() != 4 || r[0] != 0 {
        return bad("expected [0 a b c]");
    }
    let (a, b, c) = (r[1], r[2], r[3]);
    if a >= b || b.checked_add(c).is_none_or(|end| end > pdf.len()) {
        return bad("outside the file");
    }
    if pdf[a] != b'<' || pdf[b - 1] != b'>' {
        return bad("the unsigned gap is not the /Contents string");
    }
    Ok(())
}

/// `D:YYYYMMDDHHmmSS+07'00'` (or `Z`) as RFC 3339; `None` when shorter than seconds.
fn pdf_date_to_rfc3339(d: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(d).ok()?.strip_prefix("D:")?;
    let digits = s.get(..14)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let tz = match s.get(14..).unwrap_or("") {
        "" | "Z" | "Z00'00'" | "+00'00'" | "-00'00'" => "Z".to_owned(),
        rest => {
            let sign = rest.get(..1)?;
            let hh = rest.get(1..3)?;
            let mm = rest.get(4..6).unwrap_or("00");
            format!("{sign}{hh}:{mm}")
        }
    };
    Some(format!(
        "{}-{}-{}T{}:{}:{}{tz}",
        &digits[..4],
        &digits[4..6],
        &digits[6..8],
        &digits[8..10],
        &digits[10..12],
        &digits[12..14]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates() {
        assert_eq!(
            pdf_date_to_rfc3339(b"D:20261122081640+00'00'").as_deref(),
            Some("2026-11-22T08:16:40Z")
        );
        assert_eq!(
            pdf_date_to_rfc3339(b"D:20250102030405+07'00'").as_deref(),
            Some("2025-01-02T03:04:05+07:00")
        );
        assert_eq!(pdf_date_to_rfc3339(b"D:2025"), None);
    }

    #[test]
    fn byte_ranges_must_leave_out_only_contents() {
        let pdf = b"%PDF-1.7 <00> end";
        assert!(check_range(pdf, &[0, 9, 13, 4]).is_ok());
        assert!(
            check_range(pdf, &[0, 8, 13, 4]).is_err(),
            "gap not the string"
        );
        assert!(check_range(pdf, &[0, 9, 13, 5]).is_err(), "past the end");
        assert!(check_range(pdf, &[1, 9, 13, 4]).is_err());
    }
}
