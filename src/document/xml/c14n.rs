//! What a reference covers, as bytes: inclusive C14N 1.0 (bergshamra's, a maintained
//! implementation tested against the W3C vectors) over a node set of the parsed document.

use bergshamra_c14n::C14nMode;
use bergshamra_xml::NodeSet;
use uppsala::{Document, NodeId};

use crate::error::{Error, Result};

/// The canonicalisation methods kyso reads (and the one it writes, inclusive 1.0).
pub const C14N_10: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
/// Inclusive 1.0 with comments (tax declarations' SignedInfo).
pub const C14N_10_COMMENTS: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
/// The enveloped-signature transform.
pub const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

/// The canonical bytes of `subset` of `doc` in `mode`.
pub fn canonical(doc: &Document<'_>, mode: C14nMode, subset: &NodeSet) -> Result<Vec<u8>> {
    bergshamra_c14n::canonicalize_doc::<&str>(doc, mode, Some(subset), &[])
        .map_err(|e| Error::Document(format!("XML canonicalisation failed: {e}")))
}

/// What a same-document reference selects before its transforms: the whole document for
/// `URI=""`, element `node` and its content for `URI="#id"`; comments left out (XMLDSig 4.4.3.3).
pub fn selection(doc: &Document<'_>, node: Option<NodeId>) -> NodeSet {
    match node {
        None => NodeSet::all_without_comments(doc),
        Some(n) => NodeSet::tree_without_comments(n, doc),
    }
}

/// `set` without the signature element `signature` (the enveloped-signature transform).
pub fn without(doc: &Document<'_>, set: &NodeSet, signature: NodeId) -> NodeSet {
    set.subtract(&NodeSet::tree_with_comments(signature, doc))
}

/// The canonicalisation of a C14N method or transform URI (`None`: not one kyso reads).
pub fn mode(uri: &str) -> Option<C14nMode> {
    C14nMode::from_uri(uri)
}
