//! XAdES-T (ETSI EN 319 132-1 §5.3): an RFC 3161 token over the canonicalised
//! `ds:SignatureValue` element, in the unsigned `SignatureTimeStamp` property, proving the
//! signature existed at the TSA's time. Written after the token signs (the value must exist),
//! outside what the signature covers; checked on reading like a CAdES-T token.

use base64::Engine;
use bergshamra_c14n::C14nMode;
use bergshamra_xml::NodeSet;
use uppsala::{Document, NodeId, NodeKind};

use super::c14n::{canonical, mode, C14N_10};
use super::parse::{local_name, text_of};
use super::template::{escape, XADES};
use crate::document::cms::tsp::{verify_token, TimestampVerification};
use crate::error::Result;

/// The canonical form of element `node` (a `ds:SignatureValue`) in `mode`, in its place
/// (inclusive C14N takes the namespaces in scope): what a SignatureTimeStamp covers.
pub(super) fn element_c14n(doc: &Document<'_>, node: NodeId, mode: C14nMode) -> Result<Vec<u8>> {
    let set = if mode.with_comments() {
        NodeSet::tree_with_comments(node, doc)
    } else {
        NodeSet::tree_without_comments(node, doc)
    };
    canonical(doc, mode, &set)
}

/// The unsigned properties holding `token` (DER) for the signature `id`, the dsig prefix
/// `prefix` (`ds:`): the SignatureTimeStamp names the canonicalisation kyso stamped with.
pub(super) fn unsigned_properties(id: &str, prefix: &str, token: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(token);
    format!(
        "<xades:UnsignedProperties><xades:UnsignedSignatureProperties>\
         <xades:SignatureTimeStamp Id=\"{ts}\"><{prefix}CanonicalizationMethod \
         Algorithm=\"{C14N_10}\"/><xades:EncapsulatedTimeStamp>{b64}\
         </xades:EncapsulatedTimeStamp></xades:SignatureTimeStamp>\
         </xades:UnsignedSignatureProperties></xades:UnsignedProperties>",
        ts = escape(&format!("{id}-SignatureTimeStamp")),
    )
}

fn is_xades(doc: &Document<'_>, node: NodeId, local: &str) -> bool {
    matches!(doc.node_kind(node), Some(NodeKind::Element(e)) if e.matches_name_ns(XADES, local))
}

/// The SignatureTimeStamp of signature `sig` (its SignatureValue `value`), checked: the token's
/// own signature, the TSA certificate's purpose, and its imprint against the SignatureValue
/// canonicalised as the property says (inclusive C14N 1.0 when it names none). `None` when
/// the signature has none.
pub(super) fn signature_timestamp(
    doc: &Document<'_>,
    sig: NodeId,
    value: NodeId,
) -> Option<TimestampVerification> {
    let ts = doc
        .descendants(sig)
        .into_iter()
        .find(|&n| is_xades(doc, n, "SignatureTimeStamp"))?;
    let children = doc.children(ts);
    let named = children
        .iter()
        .find(|&&c| local_name(doc, c) == Some("CanonicalizationMethod"))
        .map(|&c| doc.get_attribute(c, "Algorithm").unwrap_or_default());
    let Some(c14n) = mode(named.unwrap_or(C14N_10)) else {
        return Some(TimestampVerification::unreadable(format!(
            "the signature timestamp names the canonicalisation {}, which kyso does not read",
            named.unwrap_or_default()
        )));
    };
    let Some(encapsulated) = children
        .iter()
        .find(|&&c| is_xades(doc, c, "EncapsulatedTimeStamp"))
    else {
        return Some(TimestampVerification::unreadable(
            "the signature timestamp has no EncapsulatedTimeStamp (kyso reads RFC 3161 tokens)"
                .into(),
        ));
    };
    let clean: String = text_of(doc, *encapsulated)
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let token = match base64::engine::general_purpose::STANDARD.decode(clean) {
        Ok(t) => t,
        Err(e) => {
            return Some(TimestampVerification::unreadable(format!(
                "the signature timestamp is not base64: {e}"
            )))
        }
    };
    Some(match element_c14n(doc, value, c14n) {
        Ok(stamped) => verify_token(&token, &stamped),
        Err(e) => TimestampVerification::unreadable(e.to_string()),
    })
}
