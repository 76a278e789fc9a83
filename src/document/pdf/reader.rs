//! Reading only the few objects of a PDF that an incremental update touches (the trailer, the
//! catalog, the form, one page), straight from the file: the cross-reference sections are read
//! from the end (tables, streams and hybrids, following `/Prev`), then each object is parsed
//! by `lopdf` from a small window at its offset. A 1 GiB PDF is signed without holding it in
//! memory; `lopdf`'s own reader parses every object of the file.
//!
//! Anything unusual (objects not where the cross-reference data says, a damaged section) is an
//! error; the caller falls back to `lopdf`'s whole-document reader, which works around more.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};

use lopdf::xref::{Xref, XrefEntry, XrefType};
use lopdf::{Dictionary, Object, ObjectId, ObjectStream};

pub use super::object::Source;
use super::object::{bad, read_object, MAX_OBJECT};
use super::xref::{last_startxref, merge, read_section};
use crate::error::Result;

/// Cross-reference sections followed through `/Prev` before giving up (loops, hostile files).
const MAX_SECTIONS: usize = 4096;

/// A PDF's newest trailer and cross-reference data, with objects read on demand.
pub struct LazyPdf<'a, S: Source + ?Sized> {
    src: &'a S,
    /// The newest trailer (without `/Prev`).
    pub trailer: Dictionary,
    xref: Xref,
    /// Offset of the newest cross-reference section (the `/Prev` of an update).
    pub startxref: u64,
    /// Whether the newest section is a cross-reference stream.
    pub xref_is_stream: bool,
    object_streams: RefCell<HashMap<u32, BTreeMap<ObjectId, Object>>>,
    /// The decompressed text of each object stream read, for [`LazyPdf::raw`].
    object_stream_text: RefCell<HashMap<u32, Vec<u8>>>,
    /// Objects being read (a stream's `/Length` is read while its stream is): a hostile file
    /// cannot make this recurse without end.
    depth: std::cell::Cell<u32>,
}

impl<'a, S: Source + ?Sized> LazyPdf<'a, S> {
    /// Reads the cross-reference chain of `src`.
    pub fn open(src: &'a S) -> Result<Self> {
        let io = |e: std::io::Error| bad(e);
        let head = src.window(0, 1024).map_err(io)?;
        if !head.starts_with(b"%PDF-") {
            // Junk before the header shifts every offset; lopdf's reader copes with that.
            return Err(bad("the file does not start with %PDF-"));
        }
        // A header line lopdf (and so `kyso verify`) would refuse: let lopdf say so.
        let line_end = head.iter().position(|b| matches!(b, b'\r' | b'\n'));
        if line_end.is_none_or(|end| std::str::from_utf8(&head[5..end]).is_err()) {
            return Err(bad("the header line is not text"));
        }
        let startxref = last_startxref(src)?;
        let mut xref = Xref::new(0, XrefType::CrossReferenceTable);
        let mut trailer = None;
        let mut xref_is_stream = false;
        let mut next = Some(startxref);
        let mut seen = HashSet::new();
        while let Some(at) = next.take() {
            if !seen.insert(at) || seen.len() > MAX_SECTIONS {
                break;
            }
            let (section, dict, is_stream) = read_section(src, at)?;
            merge(&mut xref, section);
            if let Some(stm) = dict.get(b"XRefStm").ok().and_then(|o| o.as_i64().ok()) {
                // hybrid file: the stream holds the compressed objects of this revision
                let stm = u64::try_from(stm).map_err(|_| bad("negative /XRefStm"))?;
                if seen.insert(stm) {
                    merge(&mut xref, read_section(src, stm)?.0);
                }
            }
            next = match dict.get(b"Prev").ok().map(Object::as_i64) {
                Some(Ok(p)) => Some(u64::try_from(p).map_err(|_| bad("negative /Prev"))?),
                Some(Err(_)) => return Err(bad("/Prev is not a number")),
                None => None,
            };
            if trailer.is_none() {
                xref_is_stream = is_stream;
                trailer = Some(dict);
            }
        }
        let mut trailer = trailer.ok_or_else(|| bad("no trailer"))?;
        trailer.remove(b"Prev");
        let size = trailer.get(b"Size").and_then(Object::as_i64).unwrap_or(0);
        xref.size = u32::try_from(size)
            .unwrap_or(0)
            .max(xref.max_id().saturating_add(1));
        Ok(LazyPdf {
            src,
            trailer,
            xref,
            startxref,
            xref_is_stream,
            object_streams: RefCell::new(HashMap::new()),
            object_stream_text: RefCell::new(HashMap::new()),
            depth: std::cell::Cell::new(0),
        })
    }

    /// One more than the highest object number in use.
    pub fn size(&self) -> u32 {
        self.xref.size
    }

    /// The object `id`, read from the file (or from its object stream).
    pub fn get(&self, id: ObjectId) -> Result<Object> {
        if self.depth.get() >= 16 {
            return Err(bad(format!("object {} {} refers to itself", id.0, id.1)));
        }
        self.depth.set(self.depth.get() + 1);
        let result = self.read(id);
        self.depth.set(self.depth.get() - 1);
        result
    }

    fn read(&self, id: ObjectId) -> Result<Object> {
        match self.xref.get(id.0) {
            Some(XrefEntry::Normal { offset, generation }) if *generation == id.1 => {
                read_object(self.src, u64::from(*offset), Some(id), &|len_id| {
                    self.get(len_id)
                })
            }
            Some(XrefEntry::Compressed { container, .. }) if id.1 == 0 => {
                let container = *container;
                if !matches!(self.xref.get(container), Some(XrefEntry::Normal { .. })) {
                    return Err(bad(format!("object stream {container} is missing")));
                }
                if !self.object_streams.borrow().contains_key(&container) {
                    let objects = match self.get((container, 0))? {
                        Object::Stream(mut s) => {
                            let objects = ObjectStream::new(&mut s)
                                .map_err(|e| bad(format!("object stream {container}: {e}")))?
                                .objects;
                            let text = s.content;
                            self.object_stream_text.borrow_mut().insert(container, text);
                            objects
                        }
                        _ => return Err(bad(format!("object {container} is not a stream"))),
                    };
                    self.object_streams.borrow_mut().insert(container, objects);
                }
                self.object_streams
                    .borrow()
                    .get(&container)
                    .and_then(|o| o.get(&id))
                    .cloned()
                    .ok_or_else(|| bad(format!("object {} {} is missing", id.0, id.1)))
            }
            _ => Err(bad(format!("object {} {} is missing", id.0, id.1))),
        }
    }

    /// The text object `id` was parsed from: its bytes in the file up to `endobj`, or the
    /// whole text of the object stream holding it. What was written there (a number's digits)
    /// is kept exactly when the object is written again.
    pub fn raw(&self, id: ObjectId) -> Result<Vec<u8>> {
        match self.xref.get(id.0) {
            Some(XrefEntry::Normal { offset, .. }) => {
                let mut window = 4096;
                loop {
                    let bytes = self.src.window(u64::from(*offset), window).map_err(bad)?;
                    let whole = bytes.len() < window || window >= MAX_OBJECT;
                    if let Some(end) = bytes.windows(6).position(|w| w == b"endobj") {
                        return Ok(bytes[..end].to_vec());
                    }
                    if whole {
                        return Ok(bytes);
                    }
                    window *= 4;
                }
            }
            Some(XrefEntry::Compressed { container, .. }) => {
                let container = *container;
                self.get(id)?;
                Ok(self
                    .object_stream_text
                    .borrow()
                    .get(&container)
                    .cloned()
                    .unwrap_or_default())
            }
            _ => Ok(Vec::new()),
        }
    }

    /// The generation of object `id` in use (0 for objects in object streams).
    pub fn xref_generation(&self, id: u32) -> Option<u16> {
        match self.xref.get(id) {
            Some(XrefEntry::Normal { generation, .. }) => Some(*generation),
            Some(XrefEntry::Compressed { .. }) => Some(0),
            _ => None,
        }
    }

    /// `obj`, or the object it refers to.
    pub fn resolve(&self, obj: &Object) -> Result<Object> {
        match obj {
            Object::Reference(id) => self.get(*id),
            o => Ok(o.clone()),
        }
    }

    /// The dictionary `id`.
    pub fn dictionary(&self, id: ObjectId) -> Result<Dictionary> {
        match self.get(id)? {
            Object::Dictionary(d) => Ok(d),
            _ => Err(bad(format!("object {} {} is not a dictionary", id.0, id.1))),
        }
    }

    /// The page `number` (1-based) in document order, or the number of pages when there are
    /// fewer. Walks the page tree only as far as needed.
    pub fn page(&self, number: u32) -> Result<std::result::Result<ObjectId, u32>> {
        let root = self
            .trailer
            .get(b"Root")
            .and_then(Object::as_reference)
            .map_err(|_| bad("the trailer has no /Root"))?;
        let pages = self
            .dictionary(root)?
            .get(b"Pages")
            .and_then(Object::as_reference)
            .map_err(|_| bad("the catalog has no /Pages"))?;
        let mut count = 0;
        let mut seen = HashSet::new();
        let found = self.walk(pages, number, &mut count, &mut seen, 0)?;
        Ok(found.ok_or(count))
    }

    fn walk(
        &self,
        node: ObjectId,
        number: u32,
        count: &mut u32,
        seen: &mut HashSet<ObjectId>,
        depth: usize,
    ) -> Result<Option<ObjectId>> {
        if depth > 64 || !seen.insert(node) {
            return Err(bad("the page tree has a loop"));
        }
        let dict = self.dictionary(node)?;
        match dict.get(b"Kids") {
            Ok(kids) => {
                let kids = match self.resolve(kids)? {
                    Object::Array(a) => a,
                    _ => return Err(bad("/Kids is not an array")),
                };
                for kid in kids {
                    let kid = kid
                        .as_reference()
                        .map_err(|_| bad("a page is not a reference"))?;
                    if let Some(page) = self.walk(kid, number, count, seen, depth + 1)? {
                        return Ok(Some(page));
                    }
                }
                Ok(None)
            }
            Err(_) => {
                *count += 1;
                Ok((*count == number).then_some(node))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_table_file_object_by_object() {
        let pdf = b"%PDF-1.4\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n\
2 0 obj\n<</Type/Pages/Kids[3 0 R]/Count 1>>\nendobj\n\
3 0 obj\n<</Type/Page/Parent 2 0 R>>\nendobj\n";
        let mut file = pdf.to_vec();
        let offsets: Vec<usize> = [b"1 0 obj", b"2 0 obj", b"3 0 obj"]
            .iter()
            .map(|p| file.windows(7).position(|w| w == *p).unwrap())
            .collect();
        let xref = file.len();
        file.extend_from_slice(b"xref\n0 4\n0000000000 65535 f \n");
        for o in &offsets {
            file.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        file.extend_from_slice(
            format!("trailer\n<</Size 4/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
        );
        let lazy = LazyPdf::open(&file[..]).unwrap();
        assert_eq!(lazy.size(), 4);
        assert!(!lazy.xref_is_stream);
        assert_eq!(lazy.startxref, xref as u64);
        assert_eq!(lazy.page(1).unwrap(), Ok((3, 0)));
        assert_eq!(lazy.page(2).unwrap(), Err(1));
        assert!(lazy.get((4, 0)).is_err());
    }

    #[test]
    fn refuses_what_it_cannot_follow() {
        assert!(LazyPdf::open(&b"%PDF-1.4\nstartxref\n999\n%%EOF"[..]).is_err());
        assert!(LazyPdf::open(&b"junk%PDF-1.4\nstartxref\n0\n%%EOF"[..]).is_err());
        let looped = b"%PDF-1.4\nxref\n0 1\n0000000000 65535 f \ntrailer\n<</Size 1/Prev 9>>\nstartxref\n9\n%%EOF";
        let lazy = LazyPdf::open(&looped[..]).unwrap();
        assert!(lazy.page(1).is_err());
    }
}
