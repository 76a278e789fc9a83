//! PAdES baseline B-B (and, with a timestamp authority, B-T) signatures (ETSI EN 319 142-1): an
//! incremental update that adds a signature field (invisible on the first page, or visible on
//! the page and box asked for, see [`super::appearance`]) and a `/Sig` dictionary with
//! `/SubFilter /ETSI.CAdES.detached`, a `/ByteRange` over everything but `/Contents`, and
//! `/Contents` reserved for the real CMS signature. Earlier revisions, and the signatures over
//! them, are left byte for byte as they were.

use lopdf::{Dictionary, Document, Object, ObjectId};
use time::OffsetDateTime;

use super::appearance::{self, Visible};
use super::docmdp::docmdp_permission;
use super::placement;
use super::reader::{LazyPdf, Source};
use super::signing_pdf::{array_of, unique_field_name, Pdf};
use super::writer::{
    text_string, update_trailer, write_object, write_object_with, Numbers, Update,
};
use super::xref::last_startxref;
use crate::cert::Certificate;
use crate::digest::{HashAlg, Hasher};
use crate::document::cms::tsp::Timestamper;
use crate::document::cms::{sign_detached, CadesOptions, SignedCms};
use crate::error::{Error, Result};
use crate::key::{KeyType, SignatureAlgorithm};
use crate::signer::Signer;

/// What goes into a PAdES signature besides the signer.
#[derive(Clone)]
pub struct PadesOptions {
    /// Certificates after the signer's in the CMS (intermediates).
    pub chain: Vec<Certificate>,
    /// The signing time written to `/M` (PAdES puts no signing-time attribute in the CMS).
    pub signing_time: OffsetDateTime,
    /// `/Reason`, shown by PDF readers.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/ContactInfo`: how to reach the signer (a phone number, an e-mail address).
    pub contact: Option<String>,
    /// Where the signature timestamp comes from (PAdES B-T); `None` for B-B.
    pub tsa: Option<std::sync::Arc<dyn Timestamper>>,
    /// A visible signature (page, box, font); `None` for an invisible one.
    pub visible: Option<Visible>,
}

/// A PDF with its signature update written and `/Contents` still empty: the digest to sign and
/// where the signature goes. Built on any thread; [`finish`] needs the token. Only the update
/// is held: the original file's bytes stay where they are.
pub struct PreparedPdf {
    /// Length of the original file: the update follows its bytes.
    base_len: u64,
    /// The update (a newline first if the original did not end with one).
    tail: Vec<u8>,
    /// Offsets in `tail` of `<` and just after `>` of `/Contents`.
    gap: (usize, usize),
    /// Digest of the byte range, with the algorithm's hash.
    pub digest: Vec<u8>,
}

/// A signed PDF: the original file's first `base_len` bytes (all of them), then `tail`. Kept
/// apart so a large PDF is copied file to file, never held in memory.
pub struct SignedPdf {
    /// Length of the original file.
    pub base_len: u64,
    /// The incremental update with the signature in place.
    pub tail: Vec<u8>,
}

impl SignedPdf {
    /// The whole signed file, from the original's bytes.
    pub fn to_bytes(&self, original: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(original.len() + self.tail.len());
        out.extend_from_slice(original);
        out.extend_from_slice(&self.tail);
        out
    }
}

const BYTE_RANGE_PLACEHOLDER: &str = "[0 0000000000 0000000000 0000000000]";

fn pdf_err(e: lopdf::Error) -> Error {
    Error::Document(crate::t!("pdf-cannot-read", error = e.to_string()))
}

/// Room for a timestamp token: the TSA's signature, its certificate and perhaps its chain.
const TIMESTAMP_ROOM: usize = 12 * 1024;

/// Room for a document timestamp's token (B-LTA): a TSA with a long chain.
const DOC_TIMESTAMP_ROOM: usize = 16 * 1024;

/// Bytes reserved for the CMS: the certificates, the signature, room for the attributes and
/// for a timestamp token when one is asked for.
fn reserved_len(signer: &dyn Signer, chain: &[Certificate], timestamped: bool) -> usize {
    let certs: usize =
        chain.iter().map(|c| c.der().len()).sum::<usize>() + signer.certificate().der().len();
    let sig = match signer.key().key_type {
        KeyType::Rsa { bits } => bits.div_ceil(8),
        _ => 150,
    };
    certs + sig + 1500 + if timestamped { TIMESTAMP_ROOM } else { 0 }
}

/// Adds the signature field and `/Sig` dictionary to `pdf` and hashes the byte range.
pub fn prepare(
    pdf: &[u8],
    signer: &dyn Signer,
    alg: SignatureAlgorithm,
    options: &PadesOptions,
) -> Result<PreparedPdf> {
    prepare_from(pdf, Some(signer), alg.hash(), options, &mut |hasher, _| {
        hasher.update(pdf);
        Ok(())
    })
}

/// [`prepare`] for a PDF in a file of any size: only the objects the update touches are read,
/// and the file is hashed as it is read, so memory does not grow with the file.
pub fn prepare_file(
    file: &std::fs::File,
    signer: &dyn Signer,
    alg: SignatureAlgorithm,
    options: &PadesOptions,
) -> Result<PreparedPdf> {
    prepare_from(
        file,
        Some(signer),
        alg.hash(),
        options,
        &mut |hasher, len| {
            use std::io::{Read, Seek};
            let mut reader = file;
            reader
                .rewind()
                .map_err(|e| Error::io("reading the PDF", e))?;
            if hasher.update_reader(&mut reader.take(len))? != len {
                return Err(Error::Document(
                    "the PDF changed while it was being read".into(),
                ));
            }
            Ok(())
        },
    )
}

/// The update of a signature (`signer`) or, without one, of a document timestamp, and the
/// digest of its byte range with `hash`.
pub(super) fn prepare_from<S: Source + ?Sized>(
    src: &S,
    signer: Option<&dyn Signer>,
    hash: HashAlg,
    options: &PadesOptions,
    hash_original: &mut dyn FnMut(&mut Hasher, u64) -> Result<()>,
) -> Result<PreparedPdf> {
    let io = |e| Error::io("reading the PDF", e);
    let base_len = src.size();
    if !src
        .window(0, 1024)
        .map_err(io)?
        .windows(5)
        .any(|w| w == b"%PDF-")
    {
        return Err(Error::Document("not a PDF file (no %PDF- header)".into()));
    }
    let ends_with_newline = src.window(base_len.saturating_sub(1), 1).map_err(io)? == b"\n";
    let lazy = LazyPdf::open(src).and_then(|l| {
        build(
            &Pdf::Lazy(Box::new(l)),
            src,
            base_len,
            ends_with_newline,
            signer,
            options,
        )
    });
    let (tail, gap) = match lazy {
        Ok(built) => built,
        Err(e) if !falls_back(&e) => return Err(e),
        Err(e) => {
            log::debug!("reading the whole PDF: {e}");
            let whole = src
                .window(0, usize::try_from(base_len).unwrap_or(usize::MAX))
                .map_err(io)?;
            let doc = Document::load_mem(&whole).map_err(pdf_err)?;
            let startxref = last_startxref(&whole[..])?;
            let pdf = Pdf::Whole {
                doc: Box::new(doc),
                startxref,
                numbers: Numbers::scan(&whole),
            };
            let (tail, gap) = build(&pdf, src, base_len, ends_with_newline, signer, options)?;
            // What kyso writes must read back. A damaged original that lopdf read by working
            // around bad offsets can chain the update to a section no reader accepts.
            let mut bytes = whole;
            bytes.extend_from_slice(&tail);
            Document::load_mem(&bytes).map_err(|e| {
                Error::Document(format!(
                    "cannot add a signature to this PDF: its cross-reference data is damaged \
                     ({e}); repair it first, e.g. with `qpdf damaged.pdf repaired.pdf`"
                ))
            })?;
            (tail, gap)
        }
    };
    let mut hasher = Hasher::new(hash);
    hash_original(&mut hasher, base_len)?;
    hasher.update(&tail[..gap.0]);
    hasher.update(&tail[gap.1..]);
    Ok(PreparedPdf {
        base_len,
        digest: hasher.finish(),
        tail,
        gap,
    })
}

/// The visible signature's box on page `number` (see [`placement::fit`]).
fn placed<S: Source + ?Sized>(
    pdf: &Pdf<S>,
    page_id: ObjectId,
    number: u32,
    v: &Visible,
) -> Result<placement::Placed> {
    let geometry = placement::geometry(&|id| pdf.get(id), page_id)?;
    placement::fit(v, &geometry, number)
}

/// Errors of the object-by-object reader that lopdf's whole-document reader may work around.
/// Refusals (encrypted file, no such page) stand.
fn falls_back(e: &Error) -> bool {
    matches!(e, Error::Document(_))
}

/// The update for `pdf` (`base_len` bytes): its bytes and where `/Contents` is in them.
fn build<S: Source + ?Sized>(
    pdf: &Pdf<S>,
    src: &S,
    base_len: u64,
    ends_with_newline: bool,
    signer: Option<&dyn Signer>,
    options: &PadesOptions,
) -> Result<(Vec<u8>, (usize, usize))> {
    if pdf.trailer().get(b"Encrypt").is_ok() {
        return Err(Error::PdfEncrypted);
    }
    let root_id = pdf
        .trailer()
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(pdf_err)?;
    let mut catalog = pdf.dictionary(root_id)?;
    super::docmdp::allows(
        docmdp_permission(&|id| pdf.get(id), &catalog)?,
        options.visible.is_some(),
    )?;
    // The pages the stamp goes on (several for `all`), with their numbers; the field's own
    // page is the first.
    let mut stamped: Vec<(u32, ObjectId)> = Vec::new();
    let page_id = match &options.visible {
        Some(v) => {
            stamped = placement::pages(v, &|n| pdf.page(n))?;
            stamped[0].1
        }
        None => pdf
            .page(1)?
            .map_err(|_| Error::Document("the PDF has no page".into()))?,
    };
    let size = pdf.size()?;
    let (sig_id, field_id) = (size, size + 1);
    let (prev, xref_stream) = pdf.newest_xref(src)?;

    let mut update = Update::new(base_len, ends_with_newline);
    let write = |update: &mut Update, id: u32, obj: &Object| -> Result<()> {
        let mut body = Vec::new();
        // objects rewritten keep their numbers as written (new ones have none to keep)
        let numbers = if id < size {
            pdf.numbers(id)
        } else {
            std::borrow::Cow::Owned(Numbers::default())
        };
        write_object_with(&mut body, obj, &numbers)?;
        update.object(id, &body);
        Ok(())
    };

    // The signature dictionary, with placeholders patched once the file is complete.
    let reserved = match signer {
        Some(signer) => reserved_len(signer, &options.chain, options.tsa.is_some()),
        None => DOC_TIMESTAMP_ROOM,
    };
    let mut sig = Vec::new();
    sig.extend_from_slice(match signer {
        Some(_) => {
            &b"<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached\n/ByteRange "[..]
        }
        None => {
            b"<</Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161\n/ByteRange "
        }
    });
    let br_at = sig.len();
    sig.extend_from_slice(BYTE_RANGE_PLACEHOLDER.as_bytes());
    sig.extend_from_slice(b"\n/Contents ");
    let contents_at = sig.len();
    sig.push(b'<');
    sig.resize(sig.len() + 2 * reserved, b'0');
    sig.push(b'>');
    let mut extra = Dictionary::new();
    if signer.is_some() {
        extra.set("M", Object::string_literal(pdf_date(options.signing_time)));
    }
    if let Some(name) = signer.and_then(|s| s.certificate().common_name()) {
        extra.set("Name", text_string(name));
    }
    if let Some(r) = &options.reason {
        extra.set("Reason", text_string(r));
    }
    if let Some(l) = &options.location {
        extra.set("Location", text_string(l));
    }
    if let Some(c) = &options.contact {
        extra.set("ContactInfo", text_string(c));
    }
    for (k, v) in extra.iter() {
        sig.push(b'\n');
        super::writer::write_name(&mut sig, k);
        sig.push(b' ');
        write_object(&mut sig, v)?;
    }
    sig.extend_from_slice(b">>");
    let sig_body_at = update.bytes.len() + format!("{sig_id} 0 obj\n").len();
    update.object(sig_id, &sig);

    // The field, merged with its widget annotation (invisible: empty rectangle, print flag).
    let mut acro = Dictionary::new();
    let mut acro_id = None;
    match catalog.get(b"AcroForm") {
        Ok(Object::Reference(id)) => {
            acro = pdf.dictionary(*id)?;
            acro_id = Some(*id);
        }
        Ok(Object::Dictionary(d)) => acro = d.clone(),
        _ => {}
    }
    let (mut fields, fields_id) = array_of(pdf, acro.get(b"Fields").ok())?;
    let field_name = unique_field_name(pdf, &fields);
    let mut field = Dictionary::new();
    field.set("Type", Object::Name(b"Annot".to_vec()));
    field.set("Subtype", Object::Name(b"Widget".to_vec()));
    field.set("FT", Object::Name(b"Sig".to_vec()));
    field.set("T", Object::string_literal(field_name));
    field.set("V", Object::Reference((sig_id, 0)));
    let mut next_id = size + 2;
    // (page, annotation) pairs to add to the pages' /Annots.
    let mut annotations = vec![(page_id, field_id)];
    match (&options.visible, signer) {
        (Some(_), None) => {
            return Err(Error::InvalidInput(
                "a document timestamp has no visible stamp".into(),
            ))
        }
        (Some(v), Some(signer)) => {
            field.set("P", Object::Reference(page_id));
            let [_, _, w, h] = v.rect;
            let placed_at = placed(pdf, page_id, stamped[0].0, v)?;
            let ap = appearance::build(
                &appearance::stamp_lines(
                    v.language,
                    signer.certificate(),
                    options.signing_time,
                    options.reason.as_deref(),
                    options.location.as_deref(),
                ),
                w,
                h,
                &v.font,
                v.image.as_deref(),
                next_id,
                placed_at.rotate,
            )?;
            field.set(
                "Rect",
                Object::Array(placed_at.rect.iter().map(|&v| v.into()).collect()),
            );
            field.set("F", Object::Integer(4)); // print
            let mut ap_dict = Dictionary::new();
            ap_dict.set("N", Object::Reference((ap.form_id(), 0)));
            field.set("AP", Object::Dictionary(ap_dict.clone()));
            for (id, body) in &ap.objects {
                update.object(*id, body);
            }
            next_id += ap.objects.len() as u32;
            // `all`: the signature field (and its widget) stays on the first page; the other
            // pages get a locked, printed stamp annotation showing the same appearance. (A field
            // with one widget per page is allowed by the PDF standard, but validators such as
            // poppler then see one unsigned field per page.)
            for (n, page) in stamped.iter().skip(1) {
                // (pages rotated otherwise than the first get the same appearance: rare)
                let rect = placed(pdf, *page, *n, v)?.rect;
                let stamp = placement::stamp_annotation(*page, rect, &ap_dict);
                write(&mut update, next_id, &Object::Dictionary(stamp))?;
                annotations.push((*page, next_id));
                next_id += 1;
            }
        }
        (None, _) => {
            field.set("P", Object::Reference(page_id));
            field.set(
                "Rect",
                Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
            );
            field.set("F", Object::Integer(132)); // print, locked
        }
    }
    write(&mut update, field_id, &Object::Dictionary(field))?;

    // The pages' annotations and the form's fields gain the new field (or its widgets).
    for (page_id, annot) in annotations {
        let mut page = pdf.dictionary(page_id)?;
        let (mut annots, annots_id) = array_of(pdf, page.get(b"Annots").ok())?;
        annots.push(Object::Reference((annot, 0)));
        match annots_id {
            Some(id) => write(&mut update, id.0, &Object::Array(annots))?,
            None => {
                page.set("Annots", Object::Array(annots));
                write(&mut update, page_id.0, &Object::Dictionary(page))?;
            }
        }
    }
    fields.push(Object::Reference((field_id, 0)));
    match fields_id {
        Some(id) => write(&mut update, id.0, &Object::Array(fields))?,
        None => acro.set("Fields", Object::Array(fields)),
    }
    acro.set("SigFlags", Object::Integer(3));
    match acro_id {
        Some(id) => write(&mut update, id.0, &Object::Dictionary(acro))?,
        None => {
            catalog.set("AcroForm", Object::Dictionary(acro));
            write(&mut update, root_id.0, &Object::Dictionary(catalog))?;
        }
    }

    let trailer = update_trailer(pdf.trailer(), root_id, prev)?;
    let mut tail = update.finish(trailer, next_id, xref_stream)?;

    // Patch the byte range now that the length is known.
    let (a, b) = (
        sig_body_at + contents_at,
        sig_body_at + contents_at + 2 * reserved + 2,
    );
    let total = base_len + tail.len() as u64;
    let (abs_a, abs_b) = (base_len + a as u64, base_len + b as u64);
    let range = format!("[0 {abs_a} {abs_b} {}", total - abs_b);
    let range = format!("{range:<width$}]", width = BYTE_RANGE_PLACEHOLDER.len() - 1);
    let at = sig_body_at + br_at;
    tail[at..at + range.len()].copy_from_slice(range.as_bytes());
    Ok((tail, (a, b)))
}

/// Signs the prepared PDF on the token and puts the CMS into `/Contents`.
pub fn finish(
    prepared: PreparedPdf,
    signer: &dyn Signer,
    alg: SignatureAlgorithm,
    options: &PadesOptions,
) -> Result<SignedPdf> {
    let cms = sign_detached(signer, alg, &prepared.digest, &cades_options(options))?;
    embed_bytes(prepared, &cms)
}

/// The CAdES options of a PAdES signature: no signing-time attribute (the time is the
/// dictionary's `/M`), the chain and the timestamp authority.
pub fn cades_options(options: &PadesOptions) -> CadesOptions {
    CadesOptions {
        chain: options.chain.clone(),
        signing_time: None,
        tsa: options.tsa.clone(),
    }
}

/// Puts a CMS signature over [`PreparedPdf::digest`] into `/Contents` (for callers that have
/// the token sign elsewhere, see [`crate::document::cms::PreparedCms`]).
pub fn embed(prepared: PreparedPdf, cms: &SignedCms) -> Result<SignedPdf> {
    embed_bytes(prepared, cms.as_bytes())
}

pub(super) fn embed_bytes(prepared: PreparedPdf, cms: &[u8]) -> Result<SignedPdf> {
    let (a, b) = prepared.gap;
    let room = (b - a - 2) / 2;
    if cms.len() > room {
        return Err(Error::Document(format!(
            "the signature ({} bytes) is larger than the {room} bytes reserved in the PDF",
            cms.len()
        )));
    }
    let mut tail = prepared.tail;
    let hex = hex::encode_upper(cms);
    tail[a + 1..a + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(SignedPdf {
        base_len: prepared.base_len,
        tail,
    })
}

/// Prepares and signs in one go; returns the whole signed file.
pub fn sign_pdf(
    pdf: &[u8],
    signer: &dyn Signer,
    alg: SignatureAlgorithm,
    options: &PadesOptions,
) -> Result<Vec<u8>> {
    Ok(finish(prepare(pdf, signer, alg, options)?, signer, alg, options)?.to_bytes(pdf))
}

/// `D:YYYYMMDDHHmmSS+00'00'` in UTC.
fn pdf_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+00'00'",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
