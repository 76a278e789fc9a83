//! The PDF being signed, read object by object from a file of any size or, for a file whose
//! cross-reference data only lopdf's whole-document reader can work around, parsed whole —
//! and the few questions the signature's update asks of it.

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::reader::{LazyPdf, Source};
use super::writer::{is_xref_stream_at, Numbers};
use crate::error::{Error, Result};

fn pdf_err(e: lopdf::Error) -> Error {
    Error::Document(crate::t!("pdf-cannot-read", error = e.to_string()))
}

/// The objects of the PDF being signed: read one by one from the file (any size), or, for a
/// file whose cross-reference data only lopdf's whole-document reader can work around, parsed
/// whole.
pub(super) enum Pdf<'a, S: Source + ?Sized> {
    Lazy(Box<LazyPdf<'a, S>>),
    Whole {
        doc: Box<Document>,
        startxref: u64,
        /// The file's real numbers as spelled (it keeps no offsets per object), scanned once.
        numbers: Numbers,
    },
}

impl<S: Source + ?Sized> Pdf<'_, S> {
    pub(super) fn trailer(&self) -> &Dictionary {
        match self {
            Pdf::Lazy(l) => &l.trailer,
            Pdf::Whole { doc, .. } => &doc.trailer,
        }
    }

    pub(super) fn get(&self, id: ObjectId) -> Result<Object> {
        match self {
            Pdf::Lazy(l) => l.get(id),
            Pdf::Whole { doc, .. } => doc.get_object(id).cloned().map_err(pdf_err),
        }
    }

    pub(super) fn dictionary(&self, id: ObjectId) -> Result<Dictionary> {
        match self.get(id)? {
            Object::Dictionary(d) => Ok(d),
            _ => Err(Error::Document(format!(
                "cannot read the PDF: object {} {} is not a dictionary",
                id.0, id.1
            ))),
        }
    }

    /// The real numbers of object `id` as the file spells them (see [`Numbers`]).
    pub(super) fn numbers(&self, id: u32) -> std::borrow::Cow<'_, Numbers> {
        match self {
            Pdf::Lazy(l) => std::borrow::Cow::Owned(
                l.xref_generation(id)
                    .and_then(|g| l.raw((id, g)).ok())
                    .map(|raw| Numbers::scan(&raw))
                    .unwrap_or_default(),
            ),
            Pdf::Whole { numbers, .. } => std::borrow::Cow::Borrowed(numbers),
        }
    }

    /// One more than the highest object number.
    pub(super) fn size(&self) -> Result<u32> {
        let (max_id, size) = match self {
            Pdf::Lazy(l) => (l.size().saturating_sub(1), l.size()),
            Pdf::Whole { doc, .. } => (
                doc.max_id,
                u32::try_from(
                    doc.trailer
                        .get(b"Size")
                        .and_then(Object::as_i64)
                        .unwrap_or(0),
                )
                .map_err(|_| Error::Document("bad PDF /Size".into()))?,
            ),
        };
        Ok(size.max(max_id.saturating_add(1)))
    }

    /// Page `n` (1-based), or the number of pages.
    pub(super) fn page(&self, n: u32) -> Result<std::result::Result<ObjectId, u32>> {
        match self {
            Pdf::Lazy(l) => l.page(n),
            Pdf::Whole { doc, .. } => {
                let pages = doc.get_pages();
                Ok(pages.get(&n).copied().ok_or(pages.len() as u32))
            }
        }
    }

    /// The newest cross-reference section: where, and whether it is a stream.
    pub(super) fn newest_xref(&self, src: &S) -> Result<(u64, bool)> {
        match self {
            Pdf::Lazy(l) => Ok((l.startxref, l.xref_is_stream)),
            Pdf::Whole { startxref, .. } => {
                let head = src
                    .window(*startxref, 16)
                    .map_err(|e| Error::io("reading the PDF", e))?;
                Ok((*startxref, is_xref_stream_at(&head, 0)))
            }
        }
    }
}

/// An array given inline, by reference (returned with its id, to be rewritten in place), or
/// absent (empty).
pub(super) fn array_of<S: Source + ?Sized>(
    pdf: &Pdf<S>,
    obj: Option<&Object>,
) -> Result<(Vec<Object>, Option<ObjectId>)> {
    match obj {
        Some(Object::Reference(id)) => match pdf.get(*id)? {
            Object::Array(a) => Ok((a, Some(*id))),
            _ => Err(Error::Document(format!(
                "cannot read the PDF: object {} {} is not an array",
                id.0, id.1
            ))),
        },
        Some(Object::Array(a)) => Ok((a.clone(), None)),
        _ => Ok((Vec::new(), None)),
    }
}

/// `Signature1`, `Signature2`…: the first name no top-level field has.
pub(super) fn unique_field_name<S: Source + ?Sized>(pdf: &Pdf<S>, fields: &[Object]) -> String {
    let names: Vec<Vec<u8>> = fields
        .iter()
        .filter_map(|f| match f {
            Object::Reference(id) => pdf.get(*id).ok(),
            o => Some(o.clone()),
        })
        .filter_map(|o| match o {
            Object::Dictionary(d) => d
                .get(b"T")
                .ok()
                .and_then(|t| t.as_str().ok().map(<[u8]>::to_vec)),
            _ => None,
        })
        .collect();
    (1..)
        .map(|i| format!("Signature{i}"))
        .find(|n| !names.iter().any(|x| x == n.as_bytes()))
        .unwrap_or_else(|| "Signature".into())
}
