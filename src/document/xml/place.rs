//! Where each profile puts its signature, and what it signs. The signature is spliced into
//! the original bytes: everything outside it stays byte for byte as received (receivers
//! recompute digests over the original).

use std::ops::Range;

use uppsala::{Document, NodeId, NodeKind};

use super::parse::{child, local_name, path};
use super::template::Shape;
use super::{Profile, Role, DSIG};
use crate::error::{Error, Result};

/// Where the signature goes: `cut` (a range of the text, empty for an insertion) is replaced
/// by `open`, the signature, then `close`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The bytes of the text replaced.
    pub cut: Range<usize>,
    /// Markup before the signature (opened elements).
    pub open: String,
    /// Markup after it (their closing tags).
    pub close: String,
    /// The `Id` of the element signed; `None` for the whole document (`URI=""`).
    pub target: Option<String>,
    /// The start of the signature's `Id` (the role it signs in).
    pub id_prefix: &'static str,
    /// How the receiver's signatures look.
    pub shape: Shape,
}

/// The profile `asked` for a document: `Auto` is `einvoice` for an `HDon` root, else
/// `enveloped`.
pub fn resolve(asked: Profile, doc: &Document<'_>) -> Profile {
    match asked {
        Profile::Auto => match doc.document_element().and_then(|r| local_name(doc, r)) {
            Some("HDon") => Profile::Einvoice,
            Some("HSoThueDTu") => Profile::Tax,
            Some("Hoso") => Profile::Bhxh,
            _ => Profile::Enveloped,
        },
        p => p,
    }
}

/// Where the signature of `profile` (and `role`) goes in `doc` (parsed from `text`).
pub fn placement(
    name: &str,
    text: &str,
    doc: &Document<'_>,
    profile: Profile,
    role: Role,
) -> Result<Placement> {
    let root = doc
        .document_element()
        .ok_or_else(|| Error::Document(format!("{name} has no root element")))?;
    let resolved = resolve(profile, doc);
    if matches!(
        resolved,
        Profile::Enveloped | Profile::Bhxh | Profile::XadesBes | Profile::XadesT
    ) {
        if let Some(sig) = signatures(doc).first() {
            let at = path_of(doc, *sig);
            return Err(Error::Document(format!(
                "{name} is already signed ({at}): a second signature over the whole document \
                 would break the first; sign the original, or use a profile that signs one \
                 element"
            )));
        }
    }
    match resolved {
        Profile::Einvoice => einvoice(name, text, doc, root, role),
        Profile::Tax => tax(name, text, doc, root),
        Profile::Bhxh => {
            let slot = if local_name(doc, root) == Some("Hoso") {
                "CKy_Dvi"
            } else {
                "Cky"
            };
            let (cut, open, close) = match child(doc, root, slot) {
                Some(s) => inner_end(text, doc, s),
                None => {
                    let (cut, o, c) = inner_end(text, doc, root);
                    (cut, format!("{o}<{slot}>"), format!("</{slot}>{c}"))
                }
            };
            Ok(Placement {
                cut,
                open,
                close,
                target: None,
                id_prefix: "sigid",
                shape: Shape::BHXH,
            })
        }
        p => {
            let (cut, open, close) = inner_end(text, doc, root);
            let xades = matches!(p, Profile::XadesBes | Profile::XadesT);
            Ok(Placement {
                cut,
                open,
                close,
                target: None,
                id_prefix: if xades { "xades" } else { "sig" },
                shape: if xades { Shape::XADES } else { Shape::EINVOICE },
            })
        }
    }
}

/// Tax declaration (HTKK): `HSoThueDTu/HSoKhaiThue[@id]` signed, the signature in
/// `HSoThueDTu/CKyDTu` (written `<CKyDTu>…</CKyDTu>`, as one generator requires).
fn tax(name: &str, text: &str, doc: &Document<'_>, root: NodeId) -> Result<Placement> {
    if local_name(doc, root) != Some("HSoThueDTu") {
        return Err(Error::Document(format!(
            "{name} is not a tax declaration (its root is <{}>, not <HSoThueDTu>): sign it \
             with --profile enveloped",
            local_name(doc, root).unwrap_or("?")
        )));
    }
    let data = child(doc, root, "HSoKhaiThue").ok_or_else(|| {
        Error::Document(format!(
            "{name}: the declaration has no HSoThueDTu/HSoKhaiThue"
        ))
    })?;
    let id = doc.get_attribute(data, "id").ok_or_else(|| {
        Error::Document(format!(
            "{name}: HSoThueDTu/HSoKhaiThue has no id attribute, which the signature must \
             reference; export the declaration again from HTKK"
        ))
    })?;
    let (cut, open, close) = match child(doc, root, "CKyDTu") {
        Some(slot)
            if doc
                .children(slot)
                .iter()
                .any(|&c| local_name(doc, c).is_some()) =>
        {
            return Err(Error::Document(format!(
                "{name} is already signed (HSoThueDTu/CKyDTu holds a signature)"
            )))
        }
        Some(slot) => inner_end(text, doc, slot),
        None => {
            let end = doc.node_range(data).map_or(text.len(), |r| r.end);
            (end..end, "<CKyDTu>".into(), "</CKyDTu>".into())
        }
    };
    Ok(Placement {
        cut,
        open,
        close,
        target: Some(id.to_owned()),
        id_prefix: "sig",
        shape: Shape::TAX,
    })
}

/// E-invoice (Circular 78): `HDon/DLHDon[@Id]` signed, the signature in `HDon/DSCKS/NBan`
/// (seller) or `HDon/DSCKS/NMua` (buyer).
fn einvoice(
    name: &str,
    text: &str,
    doc: &Document<'_>,
    root: NodeId,
    role: Role,
) -> Result<Placement> {
    if local_name(doc, root) != Some("HDon") {
        return Err(Error::Document(format!(
            "{name} is not an e-invoice (its root is <{}>, not <HDon>): sign it with --profile \
             enveloped",
            local_name(doc, root).unwrap_or("?")
        )));
    }
    let data = child(doc, root, "DLHDon")
        .ok_or_else(|| Error::Document(format!("{name}: the invoice has no HDon/DLHDon")))?;
    let id = doc.get_attribute(data, "Id").ok_or_else(|| {
        Error::Document(format!(
            "{name}: HDon/DLHDon has no Id attribute, which the signature must reference; the \
             invoicing software must give it one"
        ))
    })?;
    let (slot, id_prefix) = match role {
        Role::Seller => ("NBan", "seller"),
        Role::Buyer => ("NMua", "buyer"),
    };
    let wrap =
        |(cut, open, close): (Range<usize>, String, String), before: &str, after: &str| Placement {
            cut,
            open: format!("{open}{before}"),
            close: format!("{after}{close}"),
            target: Some(id.to_owned()),
            id_prefix,
            shape: Shape::EINVOICE,
        };
    let Some(dscks) = child(doc, root, "DSCKS") else {
        let (o, c) = (format!("<DSCKS><{slot}>"), format!("</{slot}></DSCKS>"));
        return Ok(wrap(inner_end(text, doc, root), &o, &c));
    };
    if let Some(slot_el) = child(doc, dscks, slot) {
        if doc
            .children(slot_el)
            .iter()
            .any(|&c| local_name(doc, c).is_some())
        {
            return Err(Error::Document(format!(
                "{name} already holds a signature in HDon/DSCKS/{slot}: the {} has signed it",
                match role {
                    Role::Seller => "seller",
                    Role::Buyer => "buyer",
                }
            )));
        }
        return Ok(wrap(inner_end(text, doc, slot_el), "", ""));
    }
    let (o, c) = (format!("<{slot}>"), format!("</{slot}>"));
    // The schema's order: NBan, NMua, CQT, CCKSKhac.
    let after = match role {
        Role::Buyer => path(doc, dscks, &["NBan"]),
        Role::Seller => None,
    };
    let at = match after.and_then(|n| doc.node_range(n)) {
        Some(r) => (r.end..r.end, String::new(), String::new()),
        None => inner_start(text, doc, dscks),
    };
    Ok(wrap(at, &o, &c))
}

/// Every XMLDSig `Signature` element of `doc`, in document order.
pub fn signatures(doc: &Document<'_>) -> Vec<NodeId> {
    doc.descendants(doc.root())
        .into_iter()
        .filter(|&n| matches!(doc.node_kind(n), Some(NodeKind::Element(e)) if e.matches_name_ns(DSIG, "Signature")))
        .collect()
}

/// Where an element is, as people read it (`HDon/DSCKS/NBan/Signature`).
pub fn path_of(doc: &Document<'_>, node: NodeId) -> String {
    let mut names: Vec<&str> = doc
        .ancestors(node)
        .into_iter()
        .filter_map(|a| local_name(doc, a))
        .collect();
    names.reverse();
    names.extend(local_name(doc, node));
    names.join("/")
}

/// The qualified name of element `node` as written (`ds:Signature`).
fn qname(doc: &Document<'_>, node: NodeId) -> String {
    match doc.node_kind(node) {
        Some(NodeKind::Element(e)) => e.name.prefixed_name().into_owned(),
        _ => String::new(),
    }
}

/// Inserting at the end of element `node`'s content; an empty `<X/>` becomes `<X>…</X>`.
fn inner_end(text: &str, doc: &Document<'_>, node: NodeId) -> (Range<usize>, String, String) {
    let range = doc.node_range(node).unwrap_or(text.len()..text.len());
    let source = &text[range.clone()];
    if let Some(start_tag) = source.strip_suffix("/>") {
        let start_tag = start_tag.trim_end();
        return (
            range,
            format!("{start_tag}>"),
            format!("</{}>", qname(doc, node)),
        );
    }
    let at = range.start + source.rfind("</").unwrap_or(source.len());
    (at..at, String::new(), String::new())
}

/// Inserting at the start of element `node`'s content.
fn inner_start(text: &str, doc: &Document<'_>, node: NodeId) -> (Range<usize>, String, String) {
    match doc.first_child(node).and_then(|c| doc.node_range(c)) {
        Some(r) => (r.start..r.start, String::new(), String::new()),
        None => inner_end(text, doc, node),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::xml::parse::parse;

    fn spliced(text: &str, profile: Profile, role: Role) -> Result<String> {
        let doc = parse("t.xml", text)?;
        let p = placement("t.xml", text, &doc, profile, role)?;
        Ok(format!(
            "{}{}SIG{}{}",
            &text[..p.cut.start],
            p.open,
            p.close,
            &text[p.cut.end..]
        ))
    }

    #[test]
    fn each_profile_puts_its_signature_where_receivers_look() {
        let inv = "<HDon><DLHDon Id=\"a\"/><DLQRCode/></HDon>";
        assert_eq!(
            spliced(inv, Profile::Auto, Role::Seller).unwrap(),
            "<HDon><DLHDon Id=\"a\"/><DLQRCode/><DSCKS><NBan>SIG</NBan></DSCKS></HDon>"
        );
        let inv = "<HDon><DLHDon Id=\"a\"/><DSCKS><NBan/><CQT/></DSCKS></HDon>";
        assert_eq!(
            spliced(inv, Profile::Einvoice, Role::Seller).unwrap(),
            "<HDon><DLHDon Id=\"a\"/><DSCKS><NBan>SIG</NBan><CQT/></DSCKS></HDon>"
        );
        // the buyer's slot after the seller's, in the schema's order
        let inv = "<HDon><DLHDon Id=\"a\"/><DSCKS><NBan>x</NBan><CQT/></DSCKS></HDon>";
        assert_eq!(
            spliced(inv, Profile::Einvoice, Role::Buyer).unwrap(),
            "<HDon><DLHDon Id=\"a\"/><DSCKS><NBan>x</NBan><NMua>SIG</NMua><CQT/></DSCKS></HDon>"
        );
        let tk = "<HSoThueDTu xmlns=\"t\"><HSoKhaiThue id=\"i\"/></HSoThueDTu>";
        assert_eq!(
            spliced(tk, Profile::Auto, Role::Seller).unwrap(),
            "<HSoThueDTu xmlns=\"t\"><HSoKhaiThue id=\"i\"/><CKyDTu>SIG</CKyDTu></HSoThueDTu>"
        );
        assert_eq!(
            spliced("<Hoso><NoiDung/></Hoso>", Profile::Auto, Role::Seller).unwrap(),
            "<Hoso><NoiDung/><CKy_Dvi>SIG</CKy_Dvi></Hoso>"
        );
        assert_eq!(
            spliced("<r:X xmlns:r=\"u\" a=\"1\" />", Profile::Auto, Role::Seller).unwrap(),
            "<r:X xmlns:r=\"u\" a=\"1\">SIG</r:X>"
        );
    }

    #[test]
    fn what_cannot_be_signed_is_said_plainly() {
        let e = |t: &str, p| spliced(t, p, Role::Seller).unwrap_err().to_string();
        assert!(e("<HDon><DLHDon/></HDon>", Profile::Einvoice).contains("no Id attribute"));
        assert!(e("<Other/>", Profile::Einvoice).contains("not an e-invoice"));
        assert!(e("<HSoThueDTu/>", Profile::Tax).contains("no HSoThueDTu/HSoKhaiThue"));
        let signed = "<r><Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"/></r>";
        assert!(e(signed, Profile::Enveloped).contains("already signed"));
    }
}
