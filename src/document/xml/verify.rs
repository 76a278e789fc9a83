//! Verification of every XMLDSig signature in an XML file: each reference's digest over what
//! it selects (same-document references only), the signature over SignedInfo with the
//! certificate it carries, and where the signed element is: a reference resolving to data
//! moved away from where readers read it (a wrapping attack) is a problem, as is an e-invoice
//! seller whose tax code is not the certificate's. Trust and revocation are the caller's
//! ([`crate::cert::verify_trust`], [`crate::document::verify::revocation`]).

use base64::Engine;
use serde::Serialize;
use uppsala::{Document, NodeId, NodeKind};

use super::algorithm::{digest_from_uri, signature_from_uri};
use super::c14n::{canonical, mode, selection, without, ENVELOPED};
use super::parse::{child, ids, local_name, parse, path, text, text_of};
use super::place::{path_of, signatures};
use super::timestamp::signature_timestamp;
use super::DSIG;
use crate::cert::{Certificate, CertificateSummary};
use crate::checked::verify_signature_bytes;
use crate::document::cms::tsp::TimestampVerification;
use crate::error::{Error, Result};
use crate::key::SignatureAlgorithm;
use crate::public_key::{ecdsa_raw_to_der, PublicKey};
use bergshamra_xml::NodeSet;

/// What one XML signature says and whether it holds, before trust is considered.
#[derive(Debug, Clone, Serialize)]
pub struct XmlSignature {
    /// Where the signature is (`HDon/DSCKS/NBan/Signature`).
    pub location: String,
    /// Its `Id`.
    pub id: Option<String>,
    /// What its references cover (`HDon/DLHDon`, `the whole document`).
    pub signed: Vec<String>,
    /// The signature over SignedInfo verifies with the certificate's key.
    pub signature_valid: bool,
    /// Every reference's digest matches what it selects now.
    pub references_valid: bool,
    /// The signature method, kyso's name (`rsa-pkcs1-sha1` for old senders).
    pub algorithm: String,
    /// The SigningTime the signature carries (local time, as written).
    pub signing_time: Option<String>,
    /// E-invoice seller signature: the invoice's MST equals the certificate's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mst_matches: Option<bool>,
    /// The signer's certificate.
    pub signer: CertificateSummary,
    /// XAdES-T: the SignatureTimeStamp's token, checked over the canonicalised
    /// SignatureValue (its TSA's chain is the caller's:
    /// [`TimestampVerification::check_trust`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<TimestampVerification>,
    /// Problems found (empty when everything above holds).
    pub problems: Vec<String>,
    #[serde(skip)]
    signer_cert: Certificate,
    #[serde(skip)]
    embedded: Vec<Certificate>,
}

impl XmlSignature {
    /// Signature, references, placement and (e-invoices) MST all hold.
    pub fn is_intact(&self) -> bool {
        self.signature_valid && self.references_valid && self.problems.is_empty()
    }

    /// The signer's certificate.
    pub fn signer_certificate(&self) -> &Certificate {
        &self.signer_cert
    }

    /// The certificates the signature carries.
    pub fn embedded_certificates(&self) -> &[Certificate] {
        &self.embedded
    }
}

/// Verifies every signature of the XML `data` (named `name`); an empty list when it has none.
pub fn verify_xml(name: &str, data: &[u8]) -> Result<Vec<XmlSignature>> {
    let t = text(name, data)?;
    let doc = parse(name, t.text)?;
    let ids = ids(name, &doc)?;
    signatures(&doc)
        .into_iter()
        .map(|sig| one(&doc, &ids, sig))
        .collect()
}

/// The child elements of `node` in the dsig namespace named `local`.
fn ds_children(doc: &Document<'_>, node: NodeId, local: &str) -> Vec<NodeId> {
    doc.children(node)
        .into_iter()
        .filter(|&c| matches!(doc.node_kind(c), Some(NodeKind::Element(e)) if e.matches_name_ns(DSIG, local)))
        .collect()
}

fn ds_child(doc: &Document<'_>, node: NodeId, local: &str) -> Result<NodeId> {
    ds_children(doc, node, local)
        .first()
        .copied()
        .ok_or_else(|| {
            Error::Document(format!(
                "the signature at {} has no {local}",
                path_of(doc, node)
            ))
        })
}

fn attr<'d>(doc: &'d Document<'_>, node: NodeId, name: &str) -> Option<&'d str> {
    doc.get_attribute(node, name)
}

fn b64(s: &str) -> Result<Vec<u8>> {
    let clean: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(clean)
        .map_err(|e| Error::Document(format!("bad base64 in an XML signature: {e}")))
}

fn one(
    doc: &Document<'_>,
    ids: &std::collections::HashMap<String, NodeId>,
    sig: NodeId,
) -> Result<XmlSignature> {
    let location = path_of(doc, sig);
    let mut problems = Vec::new();
    let signed_info = ds_child(doc, sig, "SignedInfo")?;
    let c14n_uri = attr(
        doc,
        ds_child(doc, signed_info, "CanonicalizationMethod")?,
        "Algorithm",
    )
    .unwrap_or_default();
    let c14n = mode(c14n_uri).ok_or_else(|| {
        Error::Document(format!("{location}: unknown canonicalisation {c14n_uri}"))
    })?;
    let method = attr(
        doc,
        ds_child(doc, signed_info, "SignatureMethod")?,
        "Algorithm",
    )
    .unwrap_or_default();
    let alg = signature_from_uri(method)?;
    // certificates
    let mut embedded = Vec::new();
    if let Ok(key_info) = ds_child(doc, sig, "KeyInfo") {
        for data in ds_children(doc, key_info, "X509Data") {
            for c in ds_children(doc, data, "X509Certificate") {
                embedded.push(Certificate::from_der(b64(&text_of(doc, c))?)?);
            }
        }
    }
    let signer_cert = embedded.first().cloned().ok_or_else(|| {
        Error::Document(crate::t!(
            "xml-no-certificate",
            location = location.as_str()
        ))
    })?;
    // references
    let mut signed = Vec::new();
    let mut references_valid = true;
    for r in ds_children(doc, signed_info, "Reference") {
        let uri = attr(doc, r, "URI").unwrap_or_default();
        let target = match uri.strip_prefix('#') {
            None if uri.is_empty() => None,
            Some(id) => Some(*ids.get(id).ok_or_else(|| {
                Error::Document(format!(
                    "{location}: a reference names #{id}, which no element has"
                ))
            })?),
            None => {
                return Err(Error::Document(crate::t!(
                    "xml-external-reference",
                    location = location.as_str(),
                    uri = uri
                )))
            }
        };
        let mut set = selection(doc, target);
        let mut ref_mode = bergshamra_c14n::C14nMode::Inclusive;
        if let Ok(transforms) = ds_child(doc, r, "Transforms") {
            for t in ds_children(doc, transforms, "Transform") {
                match attr(doc, t, "Algorithm").unwrap_or_default() {
                    ENVELOPED => set = without(doc, &set, sig),
                    other => {
                        ref_mode = mode(other).ok_or_else(|| {
                            Error::Document(format!(
                                "{location}: the transform {other} is not one kyso checks"
                            ))
                        })?
                    }
                }
            }
        }
        let digest = digest_from_uri(
            attr(doc, ds_child(doc, r, "DigestMethod")?, "Algorithm").unwrap_or_default(),
        )?;
        let expected = b64(&text_of(doc, ds_child(doc, r, "DigestValue")?))?;
        if digest.digest(&canonical(doc, ref_mode, &set)?) != expected {
            references_valid = false;
            problems.push(crate::t!(
                "xml-problem-reference-changed",
                uri = if uri.is_empty() { "\"\"" } else { uri }
            ));
        }
        signed.push(match target {
            None => crate::t!("xml-whole-document"),
            Some(n) => path_of(doc, n),
        });
        if let Some(n) = target {
            problems.extend(wrapped(doc, sig, n));
        }
    }
    // the signature
    let si_set = if c14n.with_comments() {
        NodeSet::tree_with_comments(signed_info, doc)
    } else {
        NodeSet::tree_without_comments(signed_info, doc)
    };
    let si = canonical(doc, c14n, &si_set)?;
    let value_node = ds_child(doc, sig, "SignatureValue")?;
    let value = b64(&text_of(doc, value_node))?;
    let signature_valid = match alg {
        Some(a) => {
            let key = PublicKey::from_spki_der(signer_cert.spki_der())?;
            let value = match (a, key.curve()) {
                (SignatureAlgorithm::Ecdsa(_), Some(c)) => {
                    ecdsa_raw_to_der(&c, &value).unwrap_or_default()
                }
                _ => value,
            };
            verify_signature_bytes(signer_cert.spki_der(), a, &si, &value)
        }
        None => rsa_sha1_verifies(signer_cert.spki_der(), &si, &value),
    };
    if !signature_valid {
        problems.push(crate::t!("xml-problem-signature-value"));
    }
    // XAdES: the signed SigningCertificateV2 must name the certificate that verifies
    let cert_digest = doc
        .descendants(sig)
        .into_iter()
        .find(|&n| local_name(doc, n) == Some("CertDigest"));
    if let Some(cd) = cert_digest {
        let method = child(doc, cd, "DigestMethod")
            .and_then(|m| attr(doc, m, "Algorithm"))
            .map(digest_from_uri)
            .transpose()?;
        let value = child(doc, cd, "DigestValue").map(|v| b64(&text_of(doc, v)));
        let names_signer = match (method, value) {
            (Some(m), Some(Ok(v))) => m.digest(signer_cert.der()) == v,
            _ => false,
        };
        if !names_signer {
            problems.push(crate::t!("xml-problem-signing-certificate"));
        }
    }
    let timestamp = signature_timestamp(doc, sig, value_node);
    if let Some(t) = timestamp.as_ref().filter(|t| !t.is_valid()) {
        problems.push(crate::t!(
            "xml-problem-timestamp",
            problems = t.problems.join("; ")
        ));
    }
    let signing_time = doc
        .descendants(sig)
        .into_iter()
        .find(|&n| local_name(doc, n) == Some("SigningTime"))
        .map(|n| text_of(doc, n));
    let mst_matches = seller_signature(doc, sig).map(|mst| {
        let norm = |s: &str| s.trim().trim_start_matches("MST:").trim().to_owned();
        signer_cert
            .identity()
            .mst()
            .is_some_and(|m| norm(m) == norm(&mst))
    });
    if mst_matches == Some(false) {
        problems.push(match signer_cert.identity().mst() {
            Some(mst) => crate::t!("xml-problem-mst", mst = mst),
            None => crate::t!("xml-problem-mst-none"),
        });
    }
    Ok(XmlSignature {
        location,
        id: attr(doc, sig, "Id").map(str::to_owned),
        signed,
        signature_valid,
        references_valid,
        algorithm: match alg {
            Some(a) => a.name().to_owned(),
            None => "rsa-pkcs1-sha1".to_owned(),
        },
        signing_time,
        mst_matches,
        timestamp,
        signer: signer_cert.summary(),
        problems,
        signer_cert,
        embedded,
    })
}

/// The e-invoice (`HDon`) a signature is in, when it is in one (as the root, or inside a
/// message to or from the tax authority).
fn invoice_of(doc: &Document<'_>, sig: NodeId) -> Option<NodeId> {
    doc.ancestors(sig)
        .into_iter()
        .find(|&a| local_name(doc, a) == Some("HDon"))
}

/// Wrapping attacks: what a reference resolved to is not where readers read it.
fn wrapped(doc: &Document<'_>, sig: NodeId, target: NodeId) -> Option<String> {
    let invoice = invoice_of(doc, sig);
    let inside_signature = doc.ancestors(target).into_iter().find(|&a| {
        matches!(doc.node_kind(a), Some(NodeKind::Element(e)) if e.matches_name_ns(DSIG, "Signature"))
    });
    match inside_signature {
        // a signature's own properties (SigningTime, XAdES's SignedProperties) are what it
        // may sign inside itself: in one of its Objects
        Some(s)
            if s == sig
                && std::iter::once(target)
                    .chain(doc.ancestors(target))
                    .any(|a| {
                        local_name(doc, a) == Some("Object") && doc.parent(a) == Some(sig)
                    }) =>
        {
            None
        }
        Some(_) => Some(crate::t!(
            "xml-problem-wrapped-in-signature",
            path = path_of(doc, target)
        )),
        None if invoice.is_some()
            && local_name(doc, target) == Some("DLHDon")
            && doc.parent(target) != invoice =>
        {
            Some(crate::t!(
                "xml-problem-invoice-data-moved",
                path = path_of(doc, target)
            ))
        }
        None => None,
    }
}

/// The seller MST of an e-invoice when `sig` is its seller's signature (`DSCKS/NBan`).
fn seller_signature(doc: &Document<'_>, sig: NodeId) -> Option<String> {
    let invoice = invoice_of(doc, sig)?;
    let slot = child(doc, invoice, "DSCKS").and_then(|d| child(doc, d, "NBan"))?;
    if doc.parent(sig) != Some(slot) {
        return None;
    }
    let mst = path(doc, invoice, &["DLHDon", "NDHDon", "NBan", "MST"])?;
    Some(text_of(doc, mst))
}

/// RSA PKCS#1 v1.5 with SHA-1 (older senders' invoices), with ring's legacy verifier.
fn rsa_sha1_verifies(spki_der: &[u8], data: &[u8], sig: &[u8]) -> bool {
    use ring::signature as rs;
    use x509_parser::prelude::FromDer;
    let Ok((_, spki)) = x509_parser::x509::SubjectPublicKeyInfo::from_der(spki_der) else {
        return false;
    };
    rs::UnparsedPublicKey::new(
        &rs::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
        &spki.subject_public_key.data,
    )
    .verify(data, sig)
    .is_ok()
}
