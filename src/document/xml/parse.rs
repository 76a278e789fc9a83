//! Reading an XML file to sign or verify: UTF-8 only, no DTD (so no external entities and no
//! entity expansion: XXE and "billion laughs" cannot happen), a size limit, and every `Id`
//! unique (a duplicate lets a signature cover one element while readers see another).

use std::collections::HashMap;

use uppsala::{Document, NodeId, NodeKind};

use crate::error::{Error, Result};

/// The largest XML file kyso reads (e-invoices are 5–20 KB, declarations a few hundred KB).
pub const MAX_XML_BYTES: usize = 64 * 1024 * 1024;

/// The attribute names that identify elements for `URI="#…"` references (`Id` in
/// e-invoices, `id` in tax declarations, `ID` elsewhere).
pub const ID_ATTRIBUTES: [&str; 3] = ["Id", "ID", "id"];

/// An XML file's text, with the length of the byte order mark it starts with (kept in the
/// output, left out of parsing).
pub struct Text<'a> {
    /// The bytes after the byte order mark.
    pub text: &'a str,
    /// 3 for a UTF-8 byte order mark, else 0.
    pub bom: usize,
}

/// The text of `data` (named `name` in messages): refused when too large, not UTF-8, or
/// declared in another encoding.
pub fn text<'a>(name: &str, data: &'a [u8]) -> Result<Text<'a>> {
    if data.len() > MAX_XML_BYTES {
        return Err(Error::Document(format!(
            "{name} is larger than {} MB: kyso does not read XML files that large",
            MAX_XML_BYTES >> 20
        )));
    }
    let bom = if data.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let text = std::str::from_utf8(&data[bom..]).map_err(|e| {
        Error::Document(format!(
            "{name} is not UTF-8 ({e}): e-invoices and declarations are UTF-8; convert it \
             (iconv -t UTF-8) and sign the copy"
        ))
    })?;
    if let Some(enc) = declared_encoding(text) {
        if !enc.eq_ignore_ascii_case("utf-8") && !enc.eq_ignore_ascii_case("utf8") {
            return Err(Error::Document(format!(
                "{name} declares encoding {enc}: kyso signs UTF-8 XML only; convert it and sign \
                 the copy"
            )));
        }
    }
    Ok(Text { text, bom })
}

/// The encoding an `<?xml … encoding="…"?>` declaration names.
fn declared_encoding(text: &str) -> Option<&str> {
    let decl = text.strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let rest = &decl[decl.find("encoding")? + "encoding".len()..];
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|q| matches!(q, '"' | '\''))?;
    let rest = &rest[quote.len_utf8()..];
    Some(&rest[..rest.find(quote)?])
}

/// Parses `text` with DTDs refused; the message names the file.
pub fn parse<'a>(name: &str, text: &'a str) -> Result<Document<'a>> {
    #[cfg(test)]
    PARSED.with(|p| p.borrow_mut().push(text.len()));
    if text.contains("<!DOCTYPE") {
        return Err(Error::Document(format!(
            "{name} has a DOCTYPE: kyso refuses DTDs in signed XML (they can read local files \
             or expand without end); e-invoices and declarations never need one"
        )));
    }
    uppsala::Parser::new()
        .with_forbid_dtd(true)
        .with_max_depth(256)
        .parse(text)
        .map_err(|e| Error::Document(format!("{name} is not well-formed XML: {e}")))
}

#[cfg(test)]
thread_local! {
    /// The length of each text [`parse`] read on this thread: tests count whole-document
    /// parses with it.
    pub static PARSED: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Every element's identifier ([`ID_ATTRIBUTES`]), refusing one used twice.
pub fn ids(name: &str, doc: &Document<'_>) -> Result<HashMap<String, NodeId>> {
    let mut map = HashMap::new();
    for node in doc.descendants(doc.root()) {
        let Some(NodeKind::Element(el)) = doc.node_kind(node) else {
            continue;
        };
        for attr in el
            .attributes
            .iter()
            .filter(|a| a.name.namespace_uri.is_none())
        {
            if !ID_ATTRIBUTES.contains(&attr.name.local_name.as_ref()) {
                continue;
            }
            if map.insert(attr.value.to_string(), node).is_some() {
                return Err(Error::Document(format!(
                    "{name}: the identifier \"{}\" is used twice; a signature could cover one \
                     element while readers see the other, so kyso refuses the file",
                    attr.value
                )));
            }
        }
    }
    Ok(map)
}

/// The local name of element `node` (`None` for other nodes).
pub fn local_name<'d>(doc: &'d Document<'_>, node: NodeId) -> Option<&'d str> {
    match doc.node_kind(node)? {
        NodeKind::Element(el) => Some(el.name.local_name.as_ref()),
        _ => None,
    }
}

/// The first child element of `parent` named `local` (any namespace).
pub fn child(doc: &Document<'_>, parent: NodeId, local: &str) -> Option<NodeId> {
    doc.children(parent)
        .into_iter()
        .find(|&c| local_name(doc, c) == Some(local))
}

/// The element at `path` (local names) under `from`.
pub fn path(doc: &Document<'_>, from: NodeId, path: &[&str]) -> Option<NodeId> {
    path.iter().try_fold(from, |at, name| child(doc, at, name))
}

/// The text inside element `node`, trimmed.
pub fn text_of(doc: &Document<'_>, node: NodeId) -> String {
    doc.text_content_deep(node).trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `xml` fuzz target: a declaration whose "quote" is a two-byte character.
    #[test]
    fn an_encoding_declaration_without_a_quote_is_no_encoding() {
        assert_eq!(
            declared_encoding("<?xml version=\"1.0\" encoding=\u{7a4}TF-8\"?><a/>"),
            None
        );
        assert_eq!(
            declared_encoding("<?xml version='1.0' encoding='UTF-8'?><a/>"),
            Some("UTF-8")
        );
        assert!(text("a.xml", "<?xml encoding=\u{7a4}x\u{7a4}?><a/>".as_bytes()).is_ok());
    }

    #[test]
    fn dtds_and_duplicate_ids_are_refused() {
        let xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>";
        let e = parse("a.xml", xxe).err().unwrap().to_string();
        assert!(e.contains("DOCTYPE"), "{e}");
        let doc = parse("a.xml", "<r><a Id=\"x\"/><b Id=\"x\"/></r>").unwrap();
        let e = ids("a.xml", &doc).unwrap_err().to_string();
        assert!(e.contains("\"x\" is used twice"), "{e}");
    }

    #[test]
    fn other_encodings_are_refused_clearly() {
        let e = text(
            "a.xml",
            b"<?xml version=\"1.0\" encoding=\"windows-1258\"?><r/>",
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("windows-1258"), "{e}");
        let t = text(
            "a.xml",
            b"\xEF\xBB\xBF<?xml version='1.0' encoding='UTF-8'?><r/>",
        )
        .unwrap();
        assert_eq!(t.bom, 3);
        assert!(text("a.xml", b"<r>\xff</r>").is_err());
    }
}
