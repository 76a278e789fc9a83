//! Verification of the signatures in a PDF: each `/Sig` dictionary's CMS over its `/ByteRange`,
//! and whether the range covers the whole file or later revisions were appended.

use lopdf::{Document, Object};
use serde::Serialize;

use super::verify::{verify_detached, CmsVerification};
use crate::digest::Hasher;
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
    /// The CMS verification, or why it could not be done.
    #[serde(flatten)]
    pub result: PdfSignatureResult,
}

/// The CMS verification of a PDF signature, or the error that prevented it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PdfSignatureResult {
    /// Verified (possibly with problems).
    Signature(CmsVerification),
    /// Could not be verified.
    Error(String),
}

fn pdf_err(e: lopdf::Error) -> Error {
    Error::Document(format!("cannot read the PDF: {e}"))
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
        let result = match check_range(pdf, &range) {
            Ok(()) => match verify_detached(contents, &mut |hash| {
                let mut h = Hasher::new(hash);
                for pair in range.chunks(2) {
                    h.update(&pdf[pair[0]..pair[0] + pair[1]]);
                }
                Ok(h.finish())
            }) {
                Ok(v) => PdfSignatureResult::Signature(v),
                Err(e) => PdfSignatureResult::Error(e.to_string()),
            },
            Err(e) => PdfSignatureResult::Error(e.to_string()),
        };
        found.push(PdfSignature {
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
