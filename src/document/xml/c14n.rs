//! What a reference covers, as bytes: inclusive C14N 1.0 (bergshamra's, a maintained
//! implementation tested against the W3C vectors) over a node set of the parsed document.

use bergshamra_c14n::{C14nMode, C14nSink};
use bergshamra_xml::NodeSet;
use uppsala::{Document, NodeId};

use crate::digest::{HashAlg, Hasher};
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

/// The `hash` of the canonical bytes of `subset` of `doc` in `mode`, hashed as they come: a
/// reference's digest without a copy of what it covers.
pub fn digest(
    doc: &Document<'_>,
    mode: C14nMode,
    subset: &NodeSet,
    hash: HashAlg,
) -> Result<Vec<u8>> {
    let mut sink = HashSink {
        buf: Vec::with_capacity(HashSink::CAP),
        hasher: Hasher::new(hash),
    };
    bergshamra_c14n::canonicalize_doc_to::<&str, _>(doc, mode, Some(subset), &[], &mut sink)
        .map_err(|e| Error::Document(format!("XML canonicalisation failed: {e}")))?;
    sink.hasher.update(&sink.buf);
    Ok(sink.hasher.finish())
}

/// Canonical bytes into a hash, through a buffer (the canonicaliser writes in small pieces).
struct HashSink {
    buf: Vec<u8>,
    hasher: Hasher,
}

impl HashSink {
    const CAP: usize = 8192;
}

impl C14nSink for HashSink {
    fn write(&mut self, bytes: &[u8]) {
        if self.buf.len() + bytes.len() > Self::CAP {
            self.hasher.update(&self.buf);
            self.buf.clear();
        }
        if bytes.len() > Self::CAP {
            self.hasher.update(bytes);
        } else {
            self.buf.extend_from_slice(bytes);
        }
    }

    fn write_byte(&mut self, byte: u8) {
        if self.buf.len() == Self::CAP {
            self.hasher.update(&self.buf);
            self.buf.clear();
        }
        self.buf.push(byte);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_streamed_digest_is_the_digest_of_the_canonical_bytes() {
        let text = format!(
            "<r xmlns:a=\"u\"><d Id=\"x\" b=\"&quot;\">{}</d><!-- c --></r>",
            "<l a:k=\"1\">Đà Nẵng &amp; Huế\r\n</l><!-- n -->".repeat(500)
        );
        let doc = crate::document::xml::parse::parse("t.xml", &text).unwrap();
        let d = crate::document::xml::parse::ids("t.xml", &doc).unwrap()["x"];
        for set in [selection(&doc, None), selection(&doc, Some(d))] {
            let bytes = canonical(&doc, C14nMode::Inclusive, &set).unwrap();
            assert!(bytes.len() > 2 * HashSink::CAP);
            assert_eq!(
                digest(&doc, C14nMode::Inclusive, &set, HashAlg::Sha256).unwrap(),
                HashAlg::Sha256.digest(&bytes)
            );
        }
    }
}
