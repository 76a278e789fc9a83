//! Reading one object of a PDF at its offset, from a slice in memory or an open file, through
//! windows that grow until `lopdf` parses it.

use std::collections::HashSet;

use lopdf::xref::XrefEntry;
use lopdf::{Document, Object, ObjectId, Reader};

use crate::error::{Error, Result};

/// Random access to the bytes of a PDF: a slice in memory or an open file.
pub trait Source {
    /// Length in bytes.
    fn size(&self) -> u64;
    /// Reads up to `len` bytes at `offset` (fewer at the end of the source).
    fn window(&self, offset: u64, len: usize) -> std::io::Result<Vec<u8>>;
}

impl Source for [u8] {
    fn size(&self) -> u64 {
        self.len() as u64
    }
    fn window(&self, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.len());
        let end = start.saturating_add(len).min(self.len());
        Ok(self[start..end].to_vec())
    }
}

impl Source for std::fs::File {
    fn size(&self) -> u64 {
        self.metadata().map(|m| m.len()).unwrap_or(0)
    }
    fn window(&self, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
        use std::os::unix::fs::FileExt;
        let len =
            len.min(usize::try_from(self.size().saturating_sub(offset)).unwrap_or(usize::MAX));
        let mut buf = vec![0; len];
        let mut done = 0;
        while done < len {
            match self.read_at(&mut buf[done..], offset + done as u64) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        buf.truncate(done);
        Ok(buf)
    }
}

/// First window read at an object's offset; doubled (×4) until the object parses.
const FIRST_WINDOW: usize = 4096;
/// No object kyso needs is larger (object streams of big documents are a few MiB).
pub(super) const MAX_OBJECT: usize = 256 << 20;
pub(super) fn bad(what: impl std::fmt::Display) -> Error {
    Error::Document(crate::t!("pdf-cannot-read", error = what.to_string()))
}

/// `N G obj` at the start of `bytes`.
pub(super) fn object_header(bytes: &[u8]) -> Option<ObjectId> {
    let text: String = bytes
        .iter()
        .take(40)
        .take_while(|b| b.is_ascii())
        .map(|&b| b as char)
        .collect();
    let mut words = text.split_ascii_whitespace();
    let id = words.next()?.parse().ok()?;
    let generation = words.next()?.parse().ok()?;
    (words.next()?.starts_with("obj")).then_some((id, generation))
}

/// Parses `bytes` as the indirect object `id` at offset 0, with lopdf's parser.
pub(super) fn parse_at(bytes: &[u8], id: ObjectId) -> lopdf::Result<Object> {
    let mut document = Document::new();
    document.reference_table.insert(
        id.0,
        XrefEntry::Normal {
            offset: 0,
            generation: id.1,
        },
    );
    let reader = Reader {
        buffer: bytes,
        document,
    };
    reader.get_object(id, &mut HashSet::new())
}

/// The object at `offset`, read through growing windows. A stream whose `/Length` is another
/// object gets it from `length_of` and its data read separately.
pub(super) fn read_object<S: Source + ?Sized>(
    src: &S,
    offset: u64,
    id: Option<ObjectId>,
    length_of: &dyn Fn(ObjectId) -> Result<Object>,
) -> Result<Object> {
    let mut window = FIRST_WINDOW;
    loop {
        let bytes = src.window(offset, window).map_err(bad)?;
        let id = match id {
            Some(id) => id,
            None => object_header(&bytes).ok_or_else(|| bad(format!("no object at {offset}")))?,
        };
        let complete = offset + bytes.len() as u64 >= src.size();
        match parse_at(&bytes, id) {
            Ok(Object::Stream(mut s)) if s.content.is_empty() && s.start_position.is_some() => {
                // /Length is a reference: resolve it, then read the data where it starts
                let len_ref = s
                    .dict
                    .get(b"Length")
                    .and_then(Object::as_reference)
                    .map_err(|_| bad(format!("object {} has a stream without /Length", id.0)))?;
                let len = length_of(len_ref)?
                    .as_i64()
                    .ok()
                    .and_then(|l| usize::try_from(l).ok())
                    .filter(|&l| l <= MAX_OBJECT)
                    .ok_or_else(|| bad(format!("object {} has a bad stream /Length", id.0)))?;
                let start = offset + s.start_position.unwrap_or(0) as u64;
                let data = src.window(start, len).map_err(bad)?;
                if data.len() != len {
                    return Err(bad(format!(
                        "object {} runs past the end of the file",
                        id.0
                    )));
                }
                s.set_content(data);
                return Ok(Object::Stream(s));
            }
            // A stream cut by the window parses as its dictionary alone: read the whole
            // stream (its direct /Length says how much) and parse again.
            Ok(Object::Dictionary(d)) if !complete && window < MAX_OBJECT => {
                let need = d
                    .get(b"Length")
                    .and_then(Object::as_i64)
                    .ok()
                    .and_then(|l| usize::try_from(l).ok())
                    .map(|l| l.saturating_add(FIRST_WINDOW).min(MAX_OBJECT));
                match need {
                    Some(need) if need > window => window = need,
                    _ => return Ok(Object::Dictionary(d)),
                }
            }
            Ok(object) => return Ok(object),
            Err(lopdf::Error::ObjectIdMismatch) => {
                return Err(bad(format!(
                    "object {} {} is not where the cross-reference data says",
                    id.0, id.1
                )))
            }
            Err(e) if complete || window >= MAX_OBJECT => {
                return Err(bad(format!("object {} {}: {e}", id.0, id.1)))
            }
            Err(_) => window *= 4,
        }
    }
}
