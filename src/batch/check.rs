//! Each input checked before the PIN is asked: it exists, is a regular file that can be read,
//! and (for PAdES) is a PDF that is not encrypted, with the page a visible signature names and
//! room on it for the box. A bad input still fails alone, but a batch
//! where nothing is signable never spends a PIN.
//!
//! These checks are cheap (a few kilobytes of each file); what they cannot know (a PDF damaged
//! deep inside) the pipeline still finds, per document.

use std::path::Path;

use super::files::{not_empty_pdf, open_regular};
use super::{Document, Failure, Format, Source};
use crate::document::pdf::reader::{LazyPdf, Source as PdfSource};
use crate::document::pdf::{docmdp, placement};
use crate::document::xml;
use crate::document::Visible;
use crate::error::{Error, Result};
use lopdf::Object;

/// How far into a file the `%PDF-` header may start (as PDF readers allow).
const HEADER_WINDOW: usize = 1024;

/// Checks one document for `format` (and, for PAdES, the `visible` signature's page and box);
/// the error names the document.
pub fn document(doc: &Document, format: Format, visible: Option<&Visible>) -> Result<()> {
    checked_seller(doc, format, visible).map(|_| ())
}

/// [`document`], with the seller's tax code of an e-invoice read in the same parse.
fn checked_seller(
    doc: &Document,
    format: Format,
    visible: Option<&Visible>,
) -> Result<Option<String>> {
    match &doc.source {
        Source::File(path) => file(path, format, visible),
        Source::Memory { name, data } => {
            if format == Format::Pades {
                pdf(name, &data[..], visible, &mut || {
                    lopdf::Document::load_mem(data)
                })?;
            }
            if format == Format::Xml {
                return xml(name, data);
            }
            Ok(None)
        }
    }
}

fn file(path: &Path, format: Format, visible: Option<&Visible>) -> Result<Option<String>> {
    let name = path.display().to_string();
    if std::fs::symlink_metadata(path).is_err() && std::fs::metadata(path).is_err() {
        return Err(Error::InputNotFound(name));
    }
    let f = open_regular(path)?;
    if format == Format::Pades {
        pdf(&name, &f, visible, &mut || lopdf::Document::load(path))?;
    }
    if format == Format::Xml {
        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
        if len > xml::parse::MAX_XML_BYTES as u64 {
            return Err(Error::Document(crate::t!(
                "check-xml-too-large",
                name = name,
                mb = xml::parse::MAX_XML_BYTES >> 20
            )));
        }
        let data = std::fs::read(path).map_err(|e| Error::io(name.clone(), e))?;
        return self::xml(&name, &data);
    }
    Ok(None)
}

/// An XML file to sign: UTF-8, well-formed, no DTD, no identifier used twice; the seller's
/// tax code when it is an e-invoice (for the warning before the PIN, without a second parse).
fn xml(name: &str, data: &[u8]) -> Result<Option<String>> {
    let t = xml::parse::text(name, data)?;
    let doc = xml::parse::parse(name, t.text)?;
    xml::parse::ids(name, &doc)?;
    Ok(xml::seller_mst_of(&doc))
}

/// A PDF to sign: not empty, a `%PDF-` header, not encrypted.
fn pdf<S: PdfSource + ?Sized>(
    name: &str,
    src: &S,
    visible: Option<&Visible>,
    load: &mut dyn FnMut() -> std::result::Result<lopdf::Document, lopdf::Error>,
) -> Result<()> {
    not_empty_pdf(name, src.size())?;
    let head = src
        .window(0, HEADER_WINDOW)
        .map_err(|e| Error::io(name.to_owned(), e))?;
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(Error::Document(crate::t!("check-not-a-pdf", name = name)));
    }
    // The object-by-object reader finds the trailer cheaply; a file it cannot read is left to
    // the pipeline, whose fallback reader copes with more.
    let Ok(lazy) = LazyPdf::open(src) else {
        return Ok(());
    };
    if lazy.trailer.get(b"Encrypt").is_ok() {
        return Err(Error::Document(encrypted(name, load())));
    }
    // Certified with no changes allowed: refused now, before any PIN.
    let permission = lazy
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .ok()
        .and_then(|root| lazy.dictionary(root).ok())
        .and_then(|catalog| docmdp::docmdp_permission(&|id| lazy.get(id), &catalog).ok())
        .flatten();
    docmdp::allows(permission, visible.is_some())?;
    if let Some(v) = visible {
        let fits = || -> Result<()> {
            for (n, page) in placement::pages(v, &|n| lazy.page(n))? {
                let geometry = placement::geometry(&|id| lazy.get(id), page)?;
                placement::fit(v, &geometry, n)?;
            }
            Ok(())
        };
        // No such page, or no room on it: known now, said now. (A page tree this reader
        // cannot follow is left to the pipeline's fallback reader.)
        if let Err(e @ Error::InvalidInput(_)) = fits() {
            return Err(e);
        }
    }
    Ok(())
}

/// What to say about an encrypted PDF: whether it needs a password to open, and how to get a
/// copy kyso can sign.
fn encrypted(name: &str, loaded: std::result::Result<lopdf::Document, lopdf::Error>) -> String {
    let needs_password = loaded.ok().and_then(needs_password);
    match needs_password {
        Some(true) => crate::t!("check-pdf-encrypted-password", name = name),
        Some(false) => crate::t!("check-pdf-encrypted-owner", name = name),
        None => crate::t!("check-pdf-encrypted", name = name),
    }
}

/// Whether an encrypted PDF needs a password to open (`None`: cannot tell).
fn needs_password(mut doc: lopdf::Document) -> Option<bool> {
    use lopdf::encryption::DecryptionError;
    use lopdf::Object;
    // lopdf opens with the empty user password when that works, and then drops /Encrypt.
    let id = match doc.trailer.get(b"Encrypt") {
        Err(_) => return Some(false),
        Ok(o) => o.as_reference().ok()?,
    };
    // AES-256 files (V 5) often carry /Length 256, which lopdf refuses (it wants 40 to 128,
    // as for V 2 and 3); the key length is fixed for V 5 and /Length is not needed.
    if let Ok(dict) = doc.get_object_mut(id).and_then(Object::as_dict_mut) {
        if dict
            .get(b"V")
            .and_then(Object::as_i64)
            .is_ok_and(|v| v >= 5)
        {
            dict.remove(b"Length");
        }
    }
    match doc.authenticate_raw_user_password(b"") {
        Ok(()) => Some(false),
        Err(lopdf::Error::Decryption(DecryptionError::IncorrectPassword)) => Some(true),
        Err(_) => None,
    }
}

/// The documents of a batch split by [`document`]: the indices of those ready to sign, and the
/// failures of the others (by index in `docs`).
pub struct Checked {
    /// Indices (in the documents given) of the documents that passed, or that the batch will
    /// skip (`skip_existing`, output present).
    pub ready: Vec<usize>,
    /// How many of `ready` are to be signed (not skipped).
    pub to_sign: usize,
    /// The documents that failed, and why.
    pub failed: Vec<(usize, Error)>,
    /// The e-invoices among `ready` with their seller's tax code (MST), read while checking.
    pub sellers: Vec<(usize, String)>,
}

impl Checked {
    /// Whether nothing is to be signed (then no PIN should be asked).
    pub fn nothing_to_sign(&self) -> bool {
        self.to_sign == 0
    }

    /// The failures as a [`super::Summary`] records them.
    pub fn failures(&self) -> Vec<Failure> {
        failures(&self.failed)
    }
}

/// Documents refused before signing, as a [`super::Summary`] records them.
pub(crate) fn failures(failed: &[(usize, Error)]) -> Vec<Failure> {
    failed
        .iter()
        .map(|(index, e)| Failure::new(*index, e))
        .collect()
}

/// Checks every document (see [`document`]). With `skip_existing`, documents whose output
/// exists are not checked (the batch skips them).
pub fn documents(
    docs: &[Document],
    format: Format,
    skip_existing: bool,
    visible: Option<&Visible>,
) -> Checked {
    let mut checked = Checked {
        ready: Vec::new(),
        to_sign: 0,
        failed: Vec::new(),
        sellers: Vec::new(),
    };
    // Each document read (an XML file parsed whole) on every core: a day's e-invoices are
    // checked in a fraction of the time.
    let results = super::par_map(docs, |d| {
        if skip_existing && d.output_path().is_some_and(|o| o.exists()) {
            None
        } else {
            Some(checked_seller(d, format, visible))
        }
    });
    for (i, r) in results.into_iter().enumerate() {
        match r {
            None => checked.ready.push(i),
            Some(Ok(seller)) => {
                checked.ready.push(i);
                checked.to_sign += 1;
                checked.sellers.extend(seller.map(|m| (i, m)));
            }
            Some(Err(e)) => checked.failed.push((i, e)),
        }
    }
    checked
}
