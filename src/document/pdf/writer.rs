//! Writing the few PDF objects of an incremental update (ISO 32000-1 §7.5.6): objects parsed by
//! `lopdf` serialised back, and a cross-reference section of the same kind as the file's own
//! (a classic table, or a cross-reference stream when the file uses those).

use std::fmt::Write as _;

use lopdf::{Dictionary, Object};

use crate::error::{Error, Result};

/// Serialises one object (strings as hex, names escaped, no streams).
pub fn write_object(out: &mut Vec<u8>, obj: &Object) -> Result<()> {
    write_object_with(out, obj, &Numbers::default())
}

/// The real numbers of an object as its file wrote them, by the value `lopdf` parsed them to
/// (an `f32`, which keeps 7 digits): `595.303937007874` is written back as it was, not as
/// `595.30396`, so a later validator comparing the object sees no change.
#[derive(Debug, Default, Clone)]
pub struct Numbers(std::collections::HashMap<u32, String>);

impl Numbers {
    /// The real numbers written in `raw` (an object's text), the first spelling of each value.
    pub fn scan(raw: &[u8]) -> Numbers {
        let mut map = std::collections::HashMap::new();
        let regular = |b: u8| !b.is_ascii_whitespace() && !b"()<>[]{}/%".contains(&b);
        let mut i = 0;
        while i < raw.len() {
            if !regular(raw[i]) || (i > 0 && regular(raw[i - 1])) {
                i += 1;
                continue;
            }
            let end = raw[i..]
                .iter()
                .position(|&b| !regular(b))
                .map_or(raw.len(), |n| i + n);
            let token = &raw[i..end];
            let numeric = token.contains(&b'.')
                && token.iter().enumerate().all(|(k, &b)| {
                    b.is_ascii_digit() || b == b'.' || (k == 0 && b"+-".contains(&b))
                });
            if numeric {
                if let Some(v) = std::str::from_utf8(token)
                    .ok()
                    .and_then(|t| t.parse::<f32>().ok())
                {
                    map.entry(v.to_bits())
                        .or_insert_with(|| String::from_utf8_lossy(token).into_owned());
                }
            }
            i = end;
        }
        Numbers(map)
    }
}

/// [`write_object`], writing real numbers as `numbers` spells them.
pub fn write_object_with(out: &mut Vec<u8>, obj: &Object, numbers: &Numbers) -> Result<()> {
    match obj {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => match numbers.0.get(&r.to_bits()) {
            Some(token) => out.extend_from_slice(token.as_bytes()),
            None => out.extend_from_slice(real(*r).as_bytes()),
        },
        Object::Name(n) => write_name(out, n),
        Object::String(s, _) => write_hex_string(out, s),
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object_with(out, item, numbers)?;
            }
            out.push(b']');
        }
        Object::Dictionary(d) => write_dictionary_with(out, d, numbers)?,
        Object::Reference((id, generation)) => {
            out.extend_from_slice(format!("{id} {generation} R").as_bytes())
        }
        Object::Stream(_) => {
            return Err(Error::Document(
                "kyso does not rewrite PDF streams in an incremental update".into(),
            ))
        }
    }
    Ok(())
}

/// Serialises a dictionary.
pub fn write_dictionary(out: &mut Vec<u8>, d: &Dictionary) -> Result<()> {
    write_dictionary_with(out, d, &Numbers::default())
}

fn write_dictionary_with(out: &mut Vec<u8>, d: &Dictionary, numbers: &Numbers) -> Result<()> {
    out.extend_from_slice(b"<<");
    for (k, v) in d.iter() {
        write_name(out, k);
        out.push(b' ');
        write_object_with(out, v, numbers)?;
        out.push(b'\n');
    }
    out.extend_from_slice(b">>");
    Ok(())
}

fn real(r: f32) -> String {
    if r.is_finite() {
        let s = format!("{r}");
        s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
    } else {
        "0".into()
    }
}

/// `/Name` with `#xx` for delimiters, whitespace and non-ASCII bytes (§7.3.5).
pub fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &b in name {
        let regular = b.is_ascii_graphic() && !b"()<>[]{}/%#".contains(&b);
        if regular {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

/// `<hex>` string.
pub fn write_hex_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'<');
    out.extend_from_slice(hex::encode_upper(s).as_bytes());
    out.push(b'>');
}

/// A PDF text string for people (`/Name`, `/Reason`): UTF-16BE with a byte-order mark, so
/// Vietnamese diacritics survive.
pub fn text_string(s: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    for unit in s.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    Object::String(bytes, lopdf::StringFormat::Hexadecimal)
}

/// An incremental update being written after the bytes of a PDF (which it does not hold).
pub struct Update {
    /// Length of the original file.
    base_len: u64,
    /// The update's bytes.
    pub bytes: Vec<u8>,
    offsets: Vec<(u32, u64)>,
}

/// The trailer of an incremental update over a file whose trailer is `previous`: its `/Root`,
/// its `/Info` and `/ID` kept, `/Prev` pointing at its cross-reference section (at `prev`).
pub fn update_trailer(
    previous: &Dictionary,
    root: lopdf::ObjectId,
    prev: u64,
) -> Result<Dictionary> {
    let mut trailer = Dictionary::new();
    trailer.set("Root", Object::Reference(root));
    for key in [&b"Info"[..], b"ID"] {
        if let Ok(v) = previous.get(key) {
            trailer.set(key, v.clone());
        }
    }
    let prev = i64::try_from(prev).map_err(|_| Error::Document("bad PDF offset".into()))?;
    trailer.set("Prev", Object::Integer(prev));
    Ok(trailer)
}

impl Update {
    /// Starts an update after `base_len` bytes (a newline first if the file does not end with
    /// one).
    pub fn new(base_len: u64, ends_with_newline: bool) -> Update {
        Update {
            base_len,
            bytes: if ends_with_newline {
                Vec::new()
            } else {
                b"\n".to_vec()
            },
            offsets: Vec::new(),
        }
    }

    fn offset(&self) -> u64 {
        self.base_len + self.bytes.len() as u64
    }

    /// Appends `id 0 obj … endobj` and records its offset.
    pub fn object(&mut self, id: u32, body: &[u8]) {
        self.offsets.push((id, self.offset()));
        self.bytes
            .extend_from_slice(format!("{id} 0 obj\n").as_bytes());
        self.bytes.extend_from_slice(body);
        self.bytes.extend_from_slice(b"\nendobj\n");
    }

    /// Ends the update and returns its bytes: a cross-reference table with a trailer, or (`xref_stream`) a
    /// cross-reference stream numbered `size`, then `startxref`. `trailer` carries `/Root`,
    /// `/Info`, `/ID` and `/Prev`; `/Size` is set here.
    pub fn finish(
        mut self,
        mut trailer: Dictionary,
        size: u32,
        xref_stream: bool,
    ) -> Result<Vec<u8>> {
        self.offsets.sort();
        let start = self.offset();
        if xref_stream {
            // the stream itself is one more object
            self.offsets.push((size, start));
            trailer.set("Type", Object::Name(b"XRef".to_vec()));
            trailer.set("Size", Object::Integer(i64::from(size) + 1));
            trailer.set("W", Object::Array(vec![1.into(), 4.into(), 2.into()]));
            let mut index = Vec::new();
            let mut data = Vec::new();
            for (id, offset) in &self.offsets {
                index.push(Object::Integer(i64::from(*id)));
                index.push(Object::Integer(1));
                let offset = u32::try_from(*offset)
                    .map_err(|_| Error::Document("PDF larger than 4 GiB".into()))?;
                data.push(1u8);
                data.extend_from_slice(&offset.to_be_bytes());
                data.extend_from_slice(&[0, 0]);
            }
            trailer.set("Index", Object::Array(index));
            trailer.set("Length", Object::Integer(data.len() as i64));
            let mut body = Vec::new();
            write_dictionary(&mut body, &trailer)?;
            body.extend_from_slice(b"\nstream\n");
            body.extend_from_slice(&data);
            body.extend_from_slice(b"\nendstream");
            self.bytes
                .extend_from_slice(format!("{size} 0 obj\n").as_bytes());
            self.bytes.extend_from_slice(&body);
            self.bytes.extend_from_slice(b"\nendobj\n");
        } else {
            trailer.set("Size", Object::Integer(i64::from(size)));
            let mut table = String::from("xref\n0 1\n0000000000 65535 f \n");
            for (id, offset) in &self.offsets {
                let _ = write!(table, "{id} 1\n{offset:010} 00000 n \n");
            }
            self.bytes.extend_from_slice(table.as_bytes());
            self.bytes.extend_from_slice(b"trailer\n");
            write_dictionary(&mut self.bytes, &trailer)?;
            self.bytes.push(b'\n');
        }
        self.bytes
            .extend_from_slice(format!("startxref\n{start}\n%%EOF\n").as_bytes());
        Ok(self.bytes)
    }
}

/// Whether the section at `offset` is a cross-reference stream (`N 0 obj`) rather than a table.
pub fn is_xref_stream_at(pdf: &[u8], offset: usize) -> bool {
    pdf.get(offset..)
        .is_some_and(|s| !s.starts_with(b"xref") && s.first().is_some_and(u8::is_ascii_digit))
}

#[cfg(test)]
mod tests {

    #[test]
    fn reals_are_written_as_the_file_spelled_them() {
        let raw = b"<</MediaBox [0 0 595.303937007874 841.889763779528]/Rotate 90/X -.5/S(1.25)>>";
        let numbers = Numbers::scan(raw);
        let obj = Object::Array(vec![
            Object::Real("595.303937007874".parse().unwrap()),
            Object::Real("841.889763779528".parse().unwrap()),
            Object::Real(-0.5),
            Object::Real(3.75),
        ]);
        let mut out = Vec::new();
        write_object_with(&mut out, &obj, &numbers).unwrap();
        assert_eq!(out, b"[595.303937007874 841.889763779528 -.5 3.75]");
        let mut plain = Vec::new();
        write_object(&mut plain, &obj).unwrap();
        assert!(!plain.starts_with(b"[595.303937007874"));
    }
    use super::*;

    #[test]
    fn names_strings_and_reals() {
        let mut out = Vec::new();
        write_name(&mut out, b"A B#(x)");
        assert_eq!(out, b"/A#20B#23#28x#29");
        let mut out = Vec::new();
        write_object(
            &mut out,
            &Object::Array(vec![Object::Real(595.5), Object::Real(12.0), (3, 0).into()]),
        )
        .unwrap();
        assert_eq!(out, b"[595.5 12 3 0 R]");
        match text_string("Hà") {
            Object::String(b, _) => assert_eq!(b, [0xFE, 0xFF, 0, b'H', 0, 0xE0]),
            _ => unreachable!(),
        }
    }

    #[test]
    fn table_update_points_at_its_objects() {
        let original = b"%PDF-1.4\n...\nstartxref\n123\n%%EOF";
        assert!(!is_xref_stream_at(b"xref\n0 1", 0));
        assert!(is_xref_stream_at(b"12 0 obj", 0));
        let mut u = Update::new(original.len() as u64, false);
        u.object(7, b"<<>>");
        let at = original.len() + 1;
        let mut trailer = Dictionary::new();
        trailer.set("Prev", 123);
        let mut out = original.to_vec();
        out.extend_from_slice(&u.finish(trailer, 8, false).unwrap());
        let text = String::from_utf8_lossy(&out);
        assert!(
            text.contains(&format!("7 1\n{at:010} 00000 n \n")),
            "{text}"
        );
        assert_eq!(&out[at..at + 8], b"7 0 obj\n");
        assert!(text.contains("/Size 8"), "{text}");
        let xref_at = text.find("xref\n0 1").unwrap();
        assert_eq!(
            super::super::xref::last_startxref(&out[..]).unwrap(),
            xref_at as u64
        );
    }
}
