//! The Document Security Store (ISO 32000-2 §12.8.4.3, ETSI EN 319 142-1 §5.4.2): an
//! incremental update after the signatures adding the certificates, OCSP responses and CRLs
//! that validate them, so a signature stays verifiable when the CA's responders are gone
//! (PAdES B-LT). An existing store is kept and added to.

use lopdf::{Dictionary, Object, ObjectId};

use super::reader::{LazyPdf, Source};
use super::signing_pdf::{array_of, Pdf};
use super::writer::{update_trailer, write_object, write_object_with, Update};
use crate::document::verify::ValidationData;
use crate::error::{Error, Result};

fn pdf_err(e: lopdf::Error) -> Error {
    Error::Document(crate::t!("pdf-cannot-read", error = e.to_string()))
}

/// A PDF being written: the first `base_len` bytes of the original (a file, or bytes), then
/// updates in memory (a signature's, before the DSS goes after it).
pub struct Appended<'a, B: Source + ?Sized> {
    /// The original.
    pub base: &'a B,
    /// How much of it comes first.
    pub base_len: u64,
    /// What follows.
    pub tail: &'a [u8],
}

impl<B: Source + ?Sized> Source for Appended<'_, B> {
    fn size(&self) -> u64 {
        self.base_len + self.tail.len() as u64
    }

    fn window(&self, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        if offset < self.base_len {
            let from_base = usize::try_from(self.base_len - offset)
                .unwrap_or(usize::MAX)
                .min(len);
            out = self.base.window(offset, from_base)?;
        }
        let tail_at = offset.saturating_sub(self.base_len);
        if out.len() < len {
            let start = usize::try_from(tail_at)
                .unwrap_or(usize::MAX)
                .min(self.tail.len());
            let end = start.saturating_add(len - out.len()).min(self.tail.len());
            out.extend_from_slice(&self.tail[start..end]);
        }
        Ok(out)
    }
}

/// The content of each stream `refs` points at (to leave out what the store already has).
fn stream_contents<S: Source + ?Sized>(pdf: &Pdf<S>, refs: &[Object]) -> Vec<Vec<u8>> {
    refs.iter()
        .filter_map(|r| r.as_reference().ok())
        .filter_map(|id| pdf.get(id).ok())
        .filter_map(|o| match o {
            Object::Stream(s) => s.decompressed_content().ok().or(Some(s.content)),
            _ => None,
        })
        .collect()
}

/// The update adding `data` to the Document Security Store of the PDF in `src`.
pub fn dss_update<S: Source + ?Sized>(src: &S, data: &ValidationData) -> Result<Vec<u8>> {
    let io = |e| Error::io("reading the PDF", e);
    let base_len = src.size();
    let ends_with_newline = src.window(base_len.saturating_sub(1), 1).map_err(io)? == b"\n";
    let pdf = Pdf::Lazy(Box::new(LazyPdf::open(src)?));
    if pdf.trailer().get(b"Encrypt").is_ok() {
        return Err(Error::PdfEncrypted);
    }
    let root_id = pdf
        .trailer()
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(pdf_err)?;
    let mut catalog = pdf.dictionary(root_id)?;
    let (mut dss, dss_id): (Dictionary, Option<ObjectId>) = match catalog.get(b"DSS") {
        Ok(Object::Reference(id)) => (pdf.dictionary(*id)?, Some(*id)),
        Ok(Object::Dictionary(d)) => (d.clone(), None),
        _ => (Dictionary::new(), None),
    };
    let size = pdf.size()?;
    let (prev, xref_stream) = pdf.newest_xref(src)?;
    let mut update = Update::new(base_len, ends_with_newline);
    let mut next_id = size;
    let certs: Vec<Vec<u8>> = data.certs.iter().map(|c| c.der().to_vec()).collect();
    for (key, blobs) in [
        (&b"Certs"[..], &certs),
        (b"OCSPs", &data.ocsps),
        (b"CRLs", &data.crls),
    ] {
        let (mut refs, _) = array_of(&pdf, dss.get(key).ok())?;
        let present = stream_contents(&pdf, &refs);
        for blob in blobs.iter().filter(|b| !present.contains(b)) {
            let mut body = format!("<</Length {}>>\nstream\n", blob.len()).into_bytes();
            body.extend_from_slice(blob);
            body.extend_from_slice(b"\nendstream");
            update.object(next_id, &body);
            refs.push(Object::Reference((next_id, 0)));
            next_id += 1;
        }
        if !refs.is_empty() {
            dss.set(key, Object::Array(refs));
        }
    }
    dss.set("Type", Object::Name(b"DSS".to_vec()));
    let dss_id = dss_id.map_or_else(
        || {
            next_id += 1;
            next_id - 1
        },
        |id| id.0,
    );
    let mut body = Vec::new();
    write_object(&mut body, &Object::Dictionary(dss))?;
    update.object(dss_id, &body);
    catalog.set("DSS", Object::Reference((dss_id, 0)));
    let mut body = Vec::new();
    write_object_with(
        &mut body,
        &Object::Dictionary(catalog),
        &pdf.numbers(root_id.0),
    )?;
    update.object(root_id.0, &body);

    let trailer = update_trailer(pdf.trailer(), root_id, prev)?;
    update.finish(trailer, next_id, xref_stream)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::Certificate;
    use crate::document::verify::stored_validation_data;

    const ROOT: &[u8] = include_bytes!("../../cert/testdata/vietnam-national-root-ca.pem");
    const VIETTEL: &[u8] = include_bytes!("../../cert/testdata/viettel-ca-rs.pem");

    fn pdf() -> Vec<u8> {
        let mut out = b"%PDF-1.7\n".to_vec();
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ];
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(b"xref\n0 4\n0000000000 65535 f \n");
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
        );
        out
    }

    fn cert(pem: &[u8]) -> Certificate {
        Certificate::from_pem(pem).unwrap().remove(0)
    }

    #[test]
    fn a_store_is_written_then_added_to_without_repeating_itself() {
        let mut file = pdf();
        let first = ValidationData {
            certs: vec![cert(ROOT)],
            ocsps: vec![b"first answer".to_vec()],
            crls: Vec::new(),
        };
        let update = dss_update(&file[..], &first).unwrap();
        file.extend_from_slice(&update);
        let stored = stored_validation_data(&file).expect("a DSS");
        assert_eq!(stored.certs, vec![cert(ROOT)]);

        // the same again and one more certificate: only the new one is written
        let second = ValidationData {
            certs: vec![cert(ROOT), cert(VIETTEL)],
            ..first
        };
        let update = dss_update(&file[..], &second).unwrap();
        let streams = update.windows(6).filter(|w| w == b"stream").count();
        assert_eq!(streams, 2, "one stream object (stream … endstream)");
        file.extend_from_slice(&update);
        let stored = stored_validation_data(&file).expect("a DSS");
        assert_eq!(stored.certs, vec![cert(ROOT), cert(VIETTEL)]);
        assert!(!stored.revocation.is_empty());
        // and lopdf reads the whole file back
        lopdf::Document::load_mem(&file).unwrap();
    }
}
