//! PAdES baseline B-B (and, with a timestamp authority, B-T) signatures (ETSI EN 319 142-1): an
//! incremental update that adds a signature field (invisible on the first page, or visible on
//! the page and box asked for, see [`super::appearance`]) and a `/Sig` dictionary with
//! `/SubFilter /ETSI.CAdES.detached`, a `/ByteRange` over everything but `/Contents`, and
//! `/Contents` reserved for the real CMS signature. Earlier revisions, and the signatures over
//! them, are left byte for byte as they were.

use lopdf::{Dictionary, Document, Object, ObjectId};
use time::OffsetDateTime;

use super::appearance::{self, Visible};
use super::cms::{sign_detached, CadesOptions};
use super::pdf_writer::{is_xref_stream_at, last_startxref, text_string, write_object, Update};
use super::tsp::Tsa;
use crate::cert::Certificate;
use crate::digest::Hasher;
use crate::error::{Error, Result};
use crate::signer::{KeyType, SignatureAlgorithm, Signer};

/// What goes into a PAdES signature besides the signer.
#[derive(Debug, Clone)]
pub struct PadesOptions {
    /// Certificates after the signer's in the CMS (intermediates).
    pub chain: Vec<Certificate>,
    /// The signing time written to `/M` (PAdES puts no signing-time attribute in the CMS).
    pub signing_time: OffsetDateTime,
    /// `/Reason`, shown by PDF readers.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// Timestamp authority for a signature timestamp (PAdES B-T); `None` for B-B.
    pub tsa: Option<Tsa>,
    /// A visible signature (page, box, font); `None` for an invisible one.
    pub visible: Option<Visible>,
}

/// A PDF with its signature update written and `/Contents` still empty: the digest to sign and
/// where the signature goes. Built on any thread; [`finish`] needs the token.
pub struct PreparedPdf {
    bytes: Vec<u8>,
    /// Offsets of `<` and just after `>` of `/Contents`.
    gap: (usize, usize),
    /// Digest of the byte range, with the algorithm's hash.
    pub digest: Vec<u8>,
}

const BYTE_RANGE_PLACEHOLDER: &str = "[0 0000000000 0000000000 0000000000]";

fn pdf_err(e: lopdf::Error) -> Error {
    Error::Document(format!("cannot read the PDF: {e}"))
}

/// Room for a timestamp token: the TSA's signature, its certificate and perhaps its chain.
const TIMESTAMP_ROOM: usize = 12 * 1024;

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
    if !pdf
        .get(..1024.min(pdf.len()))
        .is_some_and(|h| h.windows(5).any(|w| w == b"%PDF-"))
    {
        return Err(Error::Document("not a PDF file (no %PDF- header)".into()));
    }
    let doc = Document::load_mem(pdf).map_err(pdf_err)?;
    if doc.trailer.get(b"Encrypt").is_ok() {
        return Err(Error::Document(
            "encrypted PDFs cannot be signed by kyso".into(),
        ));
    }
    let root_id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(pdf_err)?;
    let mut catalog = doc.get_dictionary(root_id).map_err(pdf_err)?.clone();
    let pages = doc.get_pages();
    let page_id = match &options.visible {
        Some(v) => *pages.get(&v.page).ok_or_else(|| {
            Error::InvalidInput(format!(
                "--visible: the PDF has {} page(s), not {}",
                pages.len(),
                v.page
            ))
        })?,
        None => *pages
            .values()
            .next()
            .ok_or_else(|| Error::Document("the PDF has no page".into()))?,
    };
    let size = doc
        .trailer
        .get(b"Size")
        .and_then(Object::as_i64)
        .unwrap_or(0)
        .max(i64::from(doc.max_id) + 1);
    let size = u32::try_from(size).map_err(|_| Error::Document("bad PDF /Size".into()))?;
    let (sig_id, field_id) = (size, size + 1);
    let prev = last_startxref(pdf)?;

    let mut update = Update::new(pdf);
    let write = |update: &mut Update, id: u32, obj: &Object| -> Result<()> {
        let mut body = Vec::new();
        write_object(&mut body, obj)?;
        update.object(id, &body);
        Ok(())
    };

    // The signature dictionary, with placeholders patched once the file is complete.
    let reserved = reserved_len(signer, &options.chain, options.tsa.is_some());
    let mut sig = Vec::new();
    sig.extend_from_slice(
        b"<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached\n/ByteRange ",
    );
    let br_at = sig.len();
    sig.extend_from_slice(BYTE_RANGE_PLACEHOLDER.as_bytes());
    sig.extend_from_slice(b"\n/Contents ");
    let contents_at = sig.len();
    sig.push(b'<');
    sig.resize(sig.len() + 2 * reserved, b'0');
    sig.push(b'>');
    sig.extend_from_slice(b"\n/M ");
    write_object(
        &mut sig,
        &Object::string_literal(pdf_date(options.signing_time)),
    )?;
    let mut extra = Dictionary::new();
    if let Some(name) = signer.certificate().common_name() {
        extra.set("Name", text_string(name));
    }
    if let Some(r) = &options.reason {
        extra.set("Reason", text_string(r));
    }
    if let Some(l) = &options.location {
        extra.set("Location", text_string(l));
    }
    for (k, v) in extra.iter() {
        sig.push(b'\n');
        super::pdf_writer::write_name(&mut sig, k);
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
            acro = doc.get_dictionary(*id).map_err(pdf_err)?.clone();
            acro_id = Some(*id);
        }
        Ok(Object::Dictionary(d)) => acro = d.clone(),
        _ => {}
    }
    let (mut fields, fields_id) = array_of(&doc, acro.get(b"Fields").ok())?;
    let field_name = unique_field_name(&doc, &fields);
    let mut field = Dictionary::new();
    field.set("Type", Object::Name(b"Annot".to_vec()));
    field.set("Subtype", Object::Name(b"Widget".to_vec()));
    field.set("FT", Object::Name(b"Sig".to_vec()));
    field.set("T", Object::string_literal(field_name));
    field.set("V", Object::Reference((sig_id, 0)));
    field.set("P", Object::Reference(page_id));
    let mut next_id = size + 2;
    match &options.visible {
        Some(v) => {
            let [x, y, w, h] = v.rect;
            let lines = appearance::signature_lines(signer.certificate(), options.signing_time);
            let ap = appearance::build(&lines, w, h, &v.font, next_id)?;
            field.set(
                "Rect",
                Object::Array(vec![x.into(), y.into(), (x + w).into(), (y + h).into()]),
            );
            field.set("F", Object::Integer(4)); // print
            let mut ap_dict = Dictionary::new();
            ap_dict.set("N", Object::Reference((ap.form_id(), 0)));
            field.set("AP", Object::Dictionary(ap_dict));
            for (id, body) in &ap.objects {
                update.object(*id, body);
            }
            next_id += ap.objects.len() as u32;
        }
        None => {
            field.set(
                "Rect",
                Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
            );
            field.set("F", Object::Integer(132)); // print, locked
        }
    }
    write(&mut update, field_id, &Object::Dictionary(field))?;

    // The page's annotations and the form's fields gain the new field.
    let mut page = doc.get_dictionary(page_id).map_err(pdf_err)?.clone();
    let (mut annots, annots_id) = array_of(&doc, page.get(b"Annots").ok())?;
    annots.push(Object::Reference((field_id, 0)));
    match annots_id {
        Some(id) => write(&mut update, id.0, &Object::Array(annots))?,
        None => {
            page.set("Annots", Object::Array(annots));
            write(&mut update, page_id.0, &Object::Dictionary(page))?;
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

    let mut trailer = Dictionary::new();
    trailer.set("Root", Object::Reference(root_id));
    for key in [&b"Info"[..], b"ID"] {
        if let Ok(v) = doc.trailer.get(key) {
            trailer.set(key, v.clone());
        }
    }
    trailer.set("Prev", Object::Integer(prev as i64));
    let xref_stream = is_xref_stream_at(pdf, prev);
    let mut bytes = update.finish(trailer, next_id, xref_stream)?;

    // Patch the byte range now that the length is known, then hash around /Contents.
    let a = sig_body_at + contents_at;
    let b = a + 2 * reserved + 2;
    let range = format!("[0 {a} {b} {}", bytes.len() - b);
    let range = format!("{range:<width$}]", width = BYTE_RANGE_PLACEHOLDER.len() - 1);
    let at = sig_body_at + br_at;
    bytes[at..at + range.len()].copy_from_slice(range.as_bytes());
    // What kyso writes must read back. A damaged original that lopdf read by working around
    // bad offsets can chain the update to a cross-reference section no reader accepts.
    Document::load_mem(&bytes).map_err(|e| {
        Error::Document(format!(
            "cannot add a signature to this PDF: its cross-reference data is damaged ({e}); \
             repair it first, e.g. with `qpdf damaged.pdf repaired.pdf`"
        ))
    })?;
    let mut hasher = Hasher::new(alg.hash());
    hasher.update(&bytes[..a]);
    hasher.update(&bytes[b..]);
    Ok(PreparedPdf {
        digest: hasher.finish(),
        bytes,
        gap: (a, b),
    })
}

/// Signs the prepared PDF on the token and puts the CMS into `/Contents`.
pub fn finish(
    prepared: PreparedPdf,
    signer: &dyn Signer,
    alg: SignatureAlgorithm,
    options: &PadesOptions,
) -> Result<Vec<u8>> {
    let cms = sign_detached(
        signer,
        alg,
        &prepared.digest,
        &CadesOptions {
            chain: options.chain.clone(),
            signing_time: None,
            tsa: options.tsa.clone(),
        },
    )?;
    let (a, b) = prepared.gap;
    let room = (b - a - 2) / 2;
    if cms.len() > room {
        return Err(Error::Document(format!(
            "the signature ({} bytes) is larger than the {room} bytes reserved in the PDF",
            cms.len()
        )));
    }
    let mut bytes = prepared.bytes;
    let hex = hex::encode_upper(&cms);
    bytes[a + 1..a + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(bytes)
}

/// Prepares and signs in one go.
pub fn sign_pdf(
    pdf: &[u8],
    signer: &dyn Signer,
    alg: SignatureAlgorithm,
    options: &PadesOptions,
) -> Result<Vec<u8>> {
    finish(prepare(pdf, signer, alg, options)?, signer, alg, options)
}

/// An array given inline, by reference (returned with its id, to be rewritten in place), or
/// absent (empty).
fn array_of(doc: &Document, obj: Option<&Object>) -> Result<(Vec<Object>, Option<ObjectId>)> {
    match obj {
        Some(Object::Reference(id)) => Ok((
            doc.get_object(*id)
                .and_then(Object::as_array)
                .map_err(pdf_err)?
                .clone(),
            Some(*id),
        )),
        Some(Object::Array(a)) => Ok((a.clone(), None)),
        _ => Ok((Vec::new(), None)),
    }
}

/// `Signature1`, `Signature2`…: the first name no top-level field has.
fn unique_field_name(doc: &Document, fields: &[Object]) -> String {
    let names: Vec<Vec<u8>> = fields
        .iter()
        .filter_map(|f| doc.dereference(f).ok())
        .filter_map(|(_, o)| o.as_dict().ok())
        .filter_map(|d| d.get(b"T").ok())
        .filter_map(|t| t.as_str().ok().map(<[u8]>::to_vec))
        .collect();
    (1..)
        .map(|i| format!("Signature{i}"))
        .find(|n| !names.iter().any(|x| x == n.as_bytes()))
        .unwrap_or_else(|| "Signature".into())
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
