//! The cross-reference data of a PDF (ISO 32000-1 §7.5.4, §7.5.8): where the newest section
//! is, and the entries and trailer of one section, a classic table or a stream.

use std::collections::BTreeMap;

use lopdf::xref::{Xref, XrefEntry};
use lopdf::{Dictionary, Object};

use super::object::{bad, object_header, parse_at, read_object, Source, MAX_OBJECT};
use crate::error::{Error, Result};

/// Newer sections win: an entry is only added when no newer section had one.
pub(super) fn merge(xref: &mut Xref, older: BTreeMap<u32, XrefEntry>) {
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
pub(super) fn read_section<S: Source + ?Sized>(
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
