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
use lopdf::{Dictionary, Document, Object, ObjectId, ObjectStream, Reader};

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
const MAX_OBJECT: usize = 256 << 20;
/// Cross-reference sections followed through `/Prev` before giving up (loops, hostile files).
const MAX_SECTIONS: usize = 4096;

fn bad(what: impl std::fmt::Display) -> Error {
    Error::Document(format!("cannot read the PDF: {what}"))
}

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
                            ObjectStream::new(&mut s)
                                .map_err(|e| bad(format!("object stream {container}: {e}")))?
                                .objects
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

/// Newer sections win: an entry is only added when no newer section had one.
fn merge(xref: &mut Xref, older: BTreeMap<u32, XrefEntry>) {
    for (id, entry) in older {
        xref.entries.entry(id).or_insert(entry);
    }
}

/// The offset after the last `startxref` of the file: where its newest cross-reference
/// section is.
pub(crate) fn last_startxref<S: Source + ?Sized>(src: &S) -> Result<u64> {
    let size = src.size();
    let tail_at = size.saturating_sub(2048);
    let tail = src.window(tail_at, 2048).map_err(bad)?;
    let pos = tail
        .windows(9)
        .rposition(|w| w == b"startxref")
        .ok_or_else(|| Error::Document("not a PDF: no startxref near the end".into()))?;
    let digits: String = tail[pos + 9..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| b as char)
        .collect();
    let at: u64 = digits
        .parse()
        .map_err(|_| Error::Document("PDF startxref has no offset".into()))?;
    if at >= size {
        return Err(bad("startxref points past the end of the file"));
    }
    Ok(at)
}

/// One cross-reference section at `at`: its entries, its trailer (or stream dictionary), and
/// whether it is a stream.
fn read_section<S: Source + ?Sized>(
    src: &S,
    at: u64,
) -> Result<(BTreeMap<u32, XrefEntry>, Dictionary, bool)> {
    let head = src.window(at, 32).map_err(bad)?;
    if head.starts_with(b"xref") {
        let (entries, trailer) = read_table(src, at)?;
        return Ok((entries, trailer, false));
    }
    let id = object_header(&head).ok_or_else(|| bad(format!("no cross-reference at {at}")))?;
    let stream = match read_object(src, at, Some(id), &|_| {
        Err(bad("a cross-reference stream's /Length must be direct"))
    })? {
        Object::Stream(s) => s,
        _ => return Err(bad(format!("no cross-reference stream at {at}"))),
    };
    Ok((xref_stream_entries(&stream)?, stream.dict, true))
}

/// `N G obj` at the start of `bytes`.
fn object_header(bytes: &[u8]) -> Option<ObjectId> {
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

/// A classic `xref` table and the `trailer` dictionary after it.
fn read_table<S: Source + ?Sized>(
    src: &S,
    at: u64,
) -> Result<(BTreeMap<u32, XrefEntry>, Dictionary)> {
    let mut window = 64 * 1024;
    loop {
        let bytes = src.window(at, window).map_err(bad)?;
        let complete = at + bytes.len() as u64 >= src.size();
        match parse_table(&bytes) {
            Some(Ok(parsed)) => return Ok(parsed),
            Some(Err(e)) => return Err(e),
            None if complete || window >= MAX_OBJECT => {
                return Err(bad(format!(
                    "the cross-reference table at {at} is cut short"
                )))
            }
            None => window *= 4,
        }
    }
}

/// `None` when `bytes` ends before the trailer dictionary does. As strict as lopdf's reader
/// (entries end with `" \r"`, `" \n"` or `"\r\n"`), so that a file read here chains an update
/// that lopdf, and so `kyso verify`, reads back.
fn parse_table(bytes: &[u8]) -> Option<Result<(BTreeMap<u32, XrefEntry>, Dictionary)>> {
    let damaged = || Some(Err(bad("a cross-reference table is damaged")));
    let mut c = Cursor { bytes, at: 0 };
    if !c.eat(b"xref")? || !c.eol()? {
        return damaged();
    }
    let mut entries = BTreeMap::new();
    let mut sections = 0;
    while let Some(start) = c.digits()? {
        if !c.eat(b" ")? {
            return damaged();
        }
        if c.digits()?.is_none() {
            return damaged();
        }
        c.eat(b" ")?;
        if !c.eol()? {
            return damaged();
        }
        let mut index = 0u64;
        loop {
            let mark = c.at;
            let entry = (|| -> Option<Option<(u64, u64, u8)>> {
                let Some(offset) = c.digits()? else {
                    return Some(None);
                };
                if !c.eat(b" ")? {
                    return Some(None);
                }
                let Some(generation) = c.digits()? else {
                    return Some(None);
                };
                if !c.eat(b" ")? {
                    return Some(None);
                }
                let kind = *c.bytes.get(c.at)?;
                c.at += 1;
                let end = c.bytes.get(c.at..c.at + 2)?;
                if !matches!(kind, b'n' | b'f') || !matches!(end, b" \r" | b" \n" | b"\r\n") {
                    return Some(None);
                }
                c.at += 2;
                Some(Some((offset, generation, kind)))
            })()?;
            let Some((offset, generation, kind)) = entry else {
                c.at = mark;
                break;
            };
            let id = start.checked_add(index).and_then(|i| u32::try_from(i).ok());
            index += 1;
            let (Some(id), Ok(offset), Ok(generation)) =
                (id, u32::try_from(offset), u16::try_from(generation))
            else {
                return damaged();
            };
            let entry = if kind == b'n' {
                XrefEntry::Normal { offset, generation }
            } else {
                XrefEntry::Free
            };
            if id != 0 {
                entries.entry(id).or_insert(entry);
            }
        }
        sections += 1;
    }
    if sections == 0 {
        return damaged();
    }
    while c
        .bytes
        .get(c.at)
        .is_some_and(|b| b" \t\r\n\x0c\0".contains(b))
    {
        c.at += 1;
    }
    if !c.eat(b"trailer")? {
        return damaged();
    }
    // The trailer dictionary, parsed by lopdf as the body of an object at offset 0.
    let mut body = b"1 0 obj\n".to_vec();
    body.extend_from_slice(&bytes[c.at..]);
    match parse_at(&body, (1, 0)) {
        // lopdf's reader wants /Size in every trailer of the chain
        Ok(Object::Dictionary(d)) if d.get(b"Size").and_then(Object::as_i64).is_err() => {
            Some(Err(bad("a trailer has no /Size")))
        }
        Ok(Object::Dictionary(d)) => Some(Ok((entries, d))),
        Ok(_) => Some(Err(bad("the trailer is not a dictionary"))),
        Err(_) => None,
    }
}

/// A position in a window of bytes; every step answers `None` when the window ends first
/// (read a larger one).
struct Cursor<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl Cursor<'_> {
    fn eat(&mut self, word: &[u8]) -> Option<bool> {
        let got = self.bytes.get(self.at..self.at + word.len())?;
        let yes = got == word;
        if yes {
            self.at += word.len();
        }
        Some(yes)
    }

    fn eol(&mut self) -> Option<bool> {
        Some(self.eat(b"\r\n")? || self.eat(b"\n")? || self.eat(b"\r")?)
    }

    /// A run of digits (its end must be inside the window).
    fn digits(&mut self) -> Option<Option<u64>> {
        let start = self.at;
        let mut value = 0u64;
        loop {
            let b = *self.bytes.get(self.at)?;
            if !b.is_ascii_digit() {
                break;
            }
            value = value.saturating_mul(10).saturating_add(u64::from(b - b'0'));
            self.at += 1;
        }
        Some((self.at > start).then_some(value))
    }
}

/// The entries of a cross-reference stream (ISO 32000-1 §7.5.8).
fn xref_stream_entries(stream: &lopdf::Stream) -> Result<BTreeMap<u32, XrefEntry>> {
    let dict = &stream.dict;
    let ints = |key: &[u8]| -> Option<Vec<i64>> {
        dict.get(key)
            .ok()?
            .as_array()
            .ok()?
            .iter()
            .map(|o| o.as_i64().ok())
            .collect()
    };
    let size = dict
        .get(b"Size")
        .and_then(Object::as_i64)
        .map_err(|_| bad("a cross-reference stream has no /Size"))?;
    let w: Vec<usize> = ints(b"W")
        .filter(|w| w.len() == 3)
        .and_then(|w| {
            w.iter()
                .map(|&x| usize::try_from(x).ok().filter(|&x| x <= 8))
                .collect()
        })
        .ok_or_else(|| bad("a cross-reference stream has a bad /W"))?;
    let index = ints(b"Index").unwrap_or_else(|| vec![0, size]);
    let data = if stream.dict.get(b"Filter").is_ok() {
        stream
            .decompressed_content()
            .map_err(|e| bad(format!("a cross-reference stream: {e}")))?
    } else {
        stream.content.clone()
    };
    let row = w[0] + w[1] + w[2];
    if row == 0 {
        return Err(bad("a cross-reference stream has a bad /W"));
    }
    let field = |bytes: &[u8]| bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    let mut rows = data.chunks_exact(row);
    let mut entries = BTreeMap::new();
    for pair in index.chunks(2) {
        let [start, count] = pair else {
            return Err(bad("a cross-reference stream has a bad /Index"));
        };
        for i in 0..*count {
            let Some(r) = rows.next() else {
                return Err(bad("a cross-reference stream is cut short"));
            };
            let kind = if w[0] == 0 { 1 } else { field(&r[..w[0]]) };
            let (f2, f3) = (field(&r[w[0]..w[0] + w[1]]), field(&r[w[0] + w[1]..]));
            let id = start
                .checked_add(i)
                .and_then(|id| u32::try_from(id).ok())
                .ok_or_else(|| bad("a cross-reference stream has a bad /Index"))?;
            let entry = match kind {
                0 => XrefEntry::Free,
                1 => XrefEntry::Normal {
                    offset: u32::try_from(f2).map_err(|_| bad("an offset past 4 GiB"))?,
                    generation: u16::try_from(f3).unwrap_or(u16::MAX),
                },
                2 => XrefEntry::Compressed {
                    container: u32::try_from(f2).map_err(|_| bad("a bad object stream number"))?,
                    index: u16::try_from(f3).unwrap_or(u16::MAX),
                },
                _ => continue, // reserved types are null references (§7.5.8.3)
            };
            if id != 0 {
                entries.entry(id).or_insert(entry);
            }
        }
    }
    Ok(entries)
}

/// Parses `bytes` as the indirect object `id` at offset 0, with lopdf's parser.
fn parse_at(bytes: &[u8], id: ObjectId) -> lopdf::Result<Object> {
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
fn read_object<S: Source + ?Sized>(
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
