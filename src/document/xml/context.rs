//! The signature's place in small: the start tags of the elements around it, keeping only
//! what inclusive C14N takes from ancestors (namespace declarations and `xml:` attributes).
//! The signature canonicalises there exactly as in the whole document, so a signature that
//! references an element by `Id` never needs the whole document parsed a second time.

use std::fmt::Write;
use std::ops::Range;

use uppsala::namespace::XML_NAMESPACE;
use uppsala::{Document, NodeId, NodeKind};

/// The elements of `doc` whose content strictly contains `cut`, outermost first.
fn around(doc: &Document<'_>, cut: &Range<usize>) -> Vec<NodeId> {
    let inside = |n: NodeId| {
        matches!(doc.node_kind(n), Some(NodeKind::Element(_)))
            && doc
                .node_range(n)
                .is_some_and(|r| r.start < cut.start && cut.end < r.end)
    };
    let mut chain = Vec::new();
    let mut next = doc.document_element().filter(|&n| inside(n));
    while let Some(n) = next {
        chain.push(n);
        next = doc.children(n).into_iter().find(|&c| inside(c));
    }
    chain
}

/// `s` as an attribute value that parses back to exactly `s` (whitespace characters as
/// references, which attribute-value normalisation leaves alone).
fn attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

/// A small document: `inner` (what replaces `cut` in the text of `doc`) inside the elements
/// around `cut`, each with its namespace declarations and `xml:` attributes only.
pub fn in_place(doc: &Document<'_>, cut: &Range<usize>, inner: &str) -> String {
    let chain = around(doc, cut);
    let mut out = String::with_capacity(inner.len() + 256 * chain.len());
    let mut names = Vec::with_capacity(chain.len());
    for n in chain {
        let Some(NodeKind::Element(el)) = doc.node_kind(n) else {
            continue;
        };
        let name = el.name.prefixed_name().into_owned();
        out.push('<');
        out.push_str(&name);
        for (prefix, uri) in &el.namespace_declarations {
            if prefix.is_empty() {
                out.push_str(" xmlns=\"");
            } else {
                let _ = write!(out, " xmlns:{prefix}=\"");
            }
            attr(&mut out, uri);
            out.push('"');
        }
        for a in &el.attributes {
            if a.name.namespace_uri.as_deref() == Some(XML_NAMESPACE) {
                let _ = write!(out, " xml:{}=\"", a.name.local_name);
                attr(&mut out, &a.value);
                out.push('"');
            }
        }
        out.push('>');
        names.push(name);
    }
    out.push_str(inner);
    for name in names.iter().rev() {
        let _ = write!(out, "</{name}>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::xml::parse::parse;

    #[test]
    fn only_what_c14n_inherits_is_kept() {
        let text = "<?xml version=\"1.0\"?><a:R xmlns:a=\"u&amp;1\" xmlns=\"d\" Id=\"r\" \
                    xml:lang=\"vi\"><B x=\"1\" xml:space=\"preserve\" xmlns:t=\"t&#9;2\">\
                    <C/>HERE</B><D/></a:R>";
        let doc = parse("t.xml", text).unwrap();
        let at = text.find("HERE").unwrap();
        assert_eq!(
            in_place(&doc, &(at..at + 4), "<S/>"),
            "<a:R xmlns:a=\"u&amp;1\" xmlns=\"d\" xml:lang=\"vi\"><B xmlns:t=\"t&#9;2\" \
             xml:space=\"preserve\"><S/></B></a:R>"
        );
        // an element replaced whole (`<C/>` becoming `<C>…</C>`) is not around its cut
        let c = text.find("<C/>").unwrap();
        assert!(in_place(&doc, &(c..c + 4), "<C>x</C>").ends_with("<C>x</C></B></a:R>"));
    }
}
