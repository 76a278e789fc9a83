//! Verification of CMS/CAdES signatures: the signature over the signed attributes, the content
//! digest, the ESS binding to the signer's certificate and the signature timestamp (the chain
//! to trust anchors is [`crate::cert::verify_trust`]'s business).

use der::Encode;
use serde::Serialize;

use crate::cert::{Certificate, CertificateSummary};
use crate::digest::HashAlg;
use crate::document::cms::algorithm::ID_DATA;
use crate::document::cms::signed_data::{check_signer, parse_signed_data, single_signer};
use crate::document::cms::tsp::{self, TimestampVerification, ID_AA_SIGNATURE_TIME_STAMP_TOKEN};
use crate::error::Result;

/// What a CMS signature says and whether it holds, before trust is considered.
#[derive(Debug, Clone, Serialize)]
pub struct CmsVerification {
    /// The signature over the signed attributes verifies with the signer's public key.
    pub signature_valid: bool,
    /// The content's digest equals the signed message-digest attribute.
    pub content_unmodified: bool,
    /// ESS signing-certificate(-v2) names the signer's certificate (`None`: attribute absent).
    pub certificate_bound: Option<bool>,
    /// Signature algorithm, kyso's name.
    pub algorithm: String,
    /// Claimed signing time (signing-time attribute, RFC 3339), not a timestamp.
    pub signing_time: Option<String>,
    /// The RFC 3161 signature timestamp (CAdES-T / PAdES B-T), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<TimestampVerification>,
    /// The signer's certificate.
    pub signer: CertificateSummary,
    /// Problems found (empty when everything above holds).
    pub problems: Vec<String>,
    #[serde(skip)]
    signer_cert: Certificate,
    #[serde(skip)]
    embedded: Vec<Certificate>,
}

impl CmsVerification {
    /// Signature, content, certificate binding and timestamp (when present) all hold.
    pub fn is_intact(&self) -> bool {
        self.signature_valid
            && self.content_unmodified
            && self.certificate_bound != Some(false)
            && self.timestamp.as_ref().is_none_or(|t| t.is_valid())
    }

    /// The signer's certificate.
    pub fn signer_certificate(&self) -> &Certificate {
        &self.signer_cert
    }

    /// Certificates carried in the signature (the signer's and its chain).
    pub fn embedded_certificates(&self) -> &[Certificate] {
        &self.embedded
    }
}

/// Verifies a DER `ContentInfo` holding a detached `SignedData` with one signer. `digest` is
/// asked for the content's digest with the hash the signature names.
pub fn verify_detached(
    p7s: &[u8],
    digest: &mut dyn FnMut(HashAlg) -> Result<Vec<u8>>,
) -> Result<CmsVerification> {
    let sd = parse_signed_data(p7s)?;
    let si = single_signer(&sd)?;
    let mut check = check_signer(&sd, si, ID_DATA, "the document", digest)?;
    let timestamp = si
        .unsigned_attrs
        .iter()
        .flat_map(|a| a.iter())
        .find(|a| a.oid == ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
        .map(|a| {
            let token = a.values.iter().next().map(|v| v.to_der());
            match token {
                Some(Ok(der)) => tsp::verify_token(&der, si.signature.as_bytes()),
                _ => {
                    TimestampVerification::unreadable("empty signature-time-stamp attribute".into())
                }
            }
        });
    if let Some(t) = &timestamp {
        check.problems.extend(
            t.problems
                .iter()
                .map(|p| format!("signature timestamp: {p}")),
        );
    }
    Ok(CmsVerification {
        signature_valid: check.signature_valid,
        content_unmodified: check.content_unmodified,
        certificate_bound: check.certificate_bound,
        algorithm: check.alg.name(),
        signing_time: check.signing_time,
        timestamp,
        signer: check.signer_cert.summary(),
        problems: check.problems,
        signer_cert: check.signer_cert,
        embedded: check.embedded,
    })
}
