//! Verification of CMS/CAdES signatures: the signature over the signed attributes, the content
//! digest, the ESS binding to the signer's certificate, and the chain to trust anchors.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::db::rfc5911::{
    ID_AA_SIGNING_CERTIFICATE, ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST,
    ID_SIGNED_DATA, ID_SIGNING_TIME,
};
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode, Reader};

use serde::Serialize;
use time::OffsetDateTime;
use x509_cert::time::Time;

use super::algorithm::{algorithm_from_cms, hash_from_oid};
use super::cms::der_err;
use super::ess;
use super::tsp::TimestampVerification;
use crate::cert::{build_chain, check_validity, Certificate, CertificateSummary};
use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::key::SignatureAlgorithm;
use crate::public_key::{ecdsa_der_to_raw, PublicKey};

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

/// A SignerInfo checked against its content: the part CAdES signatures and timestamp tokens
/// share.
pub(crate) struct SignerCheck {
    pub signer_cert: Certificate,
    pub embedded: Vec<Certificate>,
    pub alg: SignatureAlgorithm,
    pub signature_valid: bool,
    pub content_unmodified: bool,
    pub certificate_bound: Option<bool>,
    pub signing_time: Option<String>,
    pub problems: Vec<String>,
}

/// Parses a DER `ContentInfo` holding `SignedData`; bytes after it must be zeros (PDF
/// `/Contents` are padded).
pub(crate) fn parse_signed_data(der: &[u8]) -> Result<SignedData> {
    let parse = der_err("not a CMS signature");
    let mut reader = der::SliceReader::new(der).map_err(&parse)?;
    let ci = ContentInfo::decode(&mut reader).map_err(&parse)?;
    let used = der.len() - usize::try_from(reader.remaining_len()).unwrap_or(0);
    if der[used..].iter().any(|&b| b != 0) {
        return Err(Error::Document(
            "unexpected data after the CMS signature".into(),
        ));
    }
    if ci.content_type != ID_SIGNED_DATA {
        return Err(Error::Document(format!(
            "CMS content type {} is not signed-data",
            ci.content_type
        )));
    }
    ci.content.decode_as().map_err(parse)
}

/// The only SignerInfo of `sd`.
pub(crate) fn single_signer(sd: &SignedData) -> Result<&SignerInfo> {
    match sd.signer_infos.0.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::Document("the CMS signature has no signer".into())),
        more => Err(Error::Document(format!(
            "the CMS signature has {} signers; kyso verifies single-signer signatures",
            more.len()
        ))),
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
    let mut check = check_signer(&sd, si, super::algorithm::ID_DATA, digest)?;
    let timestamp = si
        .unsigned_attrs
        .iter()
        .flat_map(|a| a.iter())
        .find(|a| a.oid == super::tsp::ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
        .map(|a| {
            let token = a.values.iter().next().map(|v| v.to_der());
            match token {
                Some(Ok(der)) => super::tsp::verify_token(&der, si.signature.as_bytes()),
                _ => super::tsp::TimestampVerification::unreadable(
                    "empty signature-time-stamp attribute".into(),
                ),
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

/// Checks `si` of `sd`: the signer's certificate among those carried, the content type, the
/// message digest against `digest`, the ESS binding and the signature over the attributes.
pub(crate) fn check_signer(
    sd: &SignedData,
    si: &SignerInfo,
    content_type: ObjectIdentifier,
    digest: &mut dyn FnMut(HashAlg) -> Result<Vec<u8>>,
) -> Result<SignerCheck> {
    let parse = der_err("not a CMS signature");
    let mut embedded = Vec::new();
    for c in sd.certificates.iter().flat_map(|s| s.0.iter()) {
        if let CertificateChoices::Certificate(x) = c {
            embedded.push((
                x.clone(),
                Certificate::from_der(x.to_der().map_err(&parse)?)?,
            ));
        }
    }
    let (_, signer_cert) = embedded
        .iter()
        .find(|(x, _)| match &si.sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => {
                x.tbs_certificate.issuer == ias.issuer
                    && x.tbs_certificate.serial_number == ias.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => x
                .tbs_certificate
                .get::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
                .ok()
                .flatten()
                .is_some_and(|(_, k)| k == *ski),
        })
        .ok_or_else(|| {
            Error::Document("the signer's certificate is not in the CMS signature".into())
        })?
        .clone();

    let hash = hash_from_oid(&si.digest_alg.oid)?;
    let alg = algorithm_from_cms(&si.signature_algorithm, hash)?;
    let attrs = si.signed_attrs.as_ref().ok_or_else(|| {
        Error::Document("the CMS signature has no signed attributes (not CAdES)".into())
    })?;
    let attr = |oid: ObjectIdentifier| -> Option<&Any> {
        attrs
            .iter()
            .find(|a| a.oid == oid)
            .and_then(|a| a.values.iter().next())
    };

    let mut problems = Vec::new();
    match attr(ID_CONTENT_TYPE).map(|v| v.decode_as::<ObjectIdentifier>()) {
        Some(Ok(ct)) if ct == content_type => {}
        other => problems.push(format!(
            "content-type attribute is {other:?}, not {content_type}"
        )),
    }
    let signed_digest = attr(ID_MESSAGE_DIGEST)
        .ok_or_else(|| Error::Document("no message-digest attribute".into()))?
        .decode_as::<OctetString>()
        .map_err(der_err("message-digest attribute"))?;
    let content_unmodified = digest(hash)? == signed_digest.as_bytes();
    if !content_unmodified {
        problems.push("the document was modified after signing (digest differs)".into());
    }
    let signing_time = attr(ID_SIGNING_TIME)
        .map(|v| {
            v.to_der()
                .and_then(|d| Time::from_der(&d))
                .map_err(der_err("signing-time attribute"))
        })
        .transpose()?
        .map(|t| rfc3339_of(t.to_unix_duration().as_secs()));
    let certificate_bound = match (
        attr(ID_AA_SIGNING_CERTIFICATE_V_2),
        attr(ID_AA_SIGNING_CERTIFICATE),
    ) {
        (Some(v), _) => Some(ess::names_certificate(v, signer_cert.der())?),
        (None, Some(v)) => Some(ess::v1_names_certificate(v, signer_cert.der())?),
        (None, None) => None,
    };
    if certificate_bound == Some(false) {
        problems.push("signing-certificate attribute names another certificate".into());
    }

    let signed_der = attrs.to_der().map_err(der_err("signed attributes"))?;
    let signature_valid = verify_signature_bytes(
        signer_cert.spki_der(),
        alg,
        &signed_der,
        si.signature.as_bytes(),
    );
    if !signature_valid {
        problems.push(format!(
            "the {alg} signature does not verify with the signer's public key"
        ));
    }
    Ok(SignerCheck {
        signer_cert,
        embedded: embedded.into_iter().map(|(_, c)| c).collect(),
        alg,
        signature_valid,
        content_unmodified,
        certificate_bound,
        signing_time,
        problems,
    })
}

/// Whether `sig` (ECDSA in DER, as CMS, X.509, OCSP and CRLs carry it) is `alg`'s signature
/// over `data` by the key of `spki_der`.
pub(crate) fn verify_signature_bytes(
    spki_der: &[u8],
    alg: SignatureAlgorithm,
    data: &[u8],
    sig: &[u8],
) -> bool {
    if ring_verifies(spki_der, alg, data, sig) {
        return true;
    }
    // Anything ring does not take (keys under 2048 bits, ECDSA with SHA-512, PSS salts other
    // than the hash length) or refuses is decided by the RustCrypto implementations.
    let Ok(key) = PublicKey::from_spki_der(spki_der) else {
        return false;
    };
    let mut sig = sig.to_vec();
    if let SignatureAlgorithm::Ecdsa(_) = alg {
        if let Some(curve) = key.curve() {
            sig = ecdsa_der_to_raw(&curve, &sig).unwrap_or_default();
        }
    }
    key.verify_digest(alg, &alg.hash().digest(data), &sig)
}

/// ring's verification over the message: about ten times faster than the RustCrypto RSA check
/// (a `kyso sign` batch checks every signature it writes). `true` only for a valid signature.
fn ring_verifies(spki_der: &[u8], alg: SignatureAlgorithm, data: &[u8], sig: &[u8]) -> bool {
    use ring::signature as rs;
    use x509_parser::prelude::FromDer;
    let Ok((_, spki)) = x509_parser::x509::SubjectPublicKeyInfo::from_der(spki_der) else {
        return false;
    };
    let key = spki.subject_public_key.data.as_ref();
    let params: &dyn rs::VerificationAlgorithm = match (alg, key.len()) {
        // an uncompressed P-256 point is 65 bytes, P-384 97; RSA keys are DER, longer
        (SignatureAlgorithm::Ecdsa(HashAlg::Sha256), 65) => &rs::ECDSA_P256_SHA256_ASN1,
        (SignatureAlgorithm::Ecdsa(HashAlg::Sha384), 65) => &rs::ECDSA_P256_SHA384_ASN1,
        (SignatureAlgorithm::Ecdsa(HashAlg::Sha256), 97) => &rs::ECDSA_P384_SHA256_ASN1,
        (SignatureAlgorithm::Ecdsa(HashAlg::Sha384), 97) => &rs::ECDSA_P384_SHA384_ASN1,
        (SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256), _) => &rs::RSA_PKCS1_2048_8192_SHA256,
        (SignatureAlgorithm::RsaPkcs1(HashAlg::Sha384), _) => &rs::RSA_PKCS1_2048_8192_SHA384,
        (SignatureAlgorithm::RsaPkcs1(HashAlg::Sha512), _) => &rs::RSA_PKCS1_2048_8192_SHA512,
        (SignatureAlgorithm::RsaPss(HashAlg::Sha256), _) => &rs::RSA_PSS_2048_8192_SHA256,
        (SignatureAlgorithm::RsaPss(HashAlg::Sha384), _) => &rs::RSA_PSS_2048_8192_SHA384,
        (SignatureAlgorithm::RsaPss(HashAlg::Sha512), _) => &rs::RSA_PSS_2048_8192_SHA512,
        _ => return false,
    };
    let is_rsa = matches!(
        alg,
        SignatureAlgorithm::RsaPkcs1(_) | SignatureAlgorithm::RsaPss(_)
    );
    if is_rsa != (spki.algorithm.algorithm.to_id_string() == "1.2.840.113549.1.1.1") {
        return false;
    }
    rs::UnparsedPublicKey::new(params, key)
        .verify(data, sig)
        .is_ok()
}

pub(crate) fn rfc3339_of(secs: u64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(secs as i64).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Whether the signer is trusted: a chain to an anchor, valid now, with a key usage that allows
/// signatures.
#[derive(Debug, Clone, Serialize)]
pub struct TrustVerification {
    /// A verified chain to one of the anchors exists.
    pub chain_to_anchor: bool,
    /// Subjects of the chain, signer first.
    pub chain: Vec<String>,
    /// Expiry, CA and key-usage problems (empty when trusted).
    pub problems: Vec<String>,
}

impl TrustVerification {
    /// Chain found and no problem.
    pub fn is_trusted(&self) -> bool {
        self.chain_to_anchor && self.problems.is_empty()
    }
}

/// Checks the signer's certificate against `anchors` at `at`, using the certificates carried in
/// the signature as intermediates.
pub fn verify_trust(
    signer: &Certificate,
    embedded: &[Certificate],
    anchors: &[Certificate],
    at: OffsetDateTime,
) -> TrustVerification {
    let mut problems = Vec::new();
    let ku = signer.key_usage();
    if !ku.is_empty()
        && !ku
            .iter()
            .any(|u| u == "digitalSignature" || u == "nonRepudiation")
    {
        problems.push(format!(
            "the signer's certificate does not allow signatures (key usage: {})",
            ku.join(", ")
        ));
    }
    match build_chain(signer, embedded, anchors) {
        Ok(chain) => {
            problems.extend(check_validity(&chain, at));
            TrustVerification {
                chain_to_anchor: true,
                chain: chain.iter().map(|c| c.subject().to_owned()).collect(),
                problems,
            }
        }
        Err(e) => {
            problems.push(e.to_string());
            TrustVerification {
                chain_to_anchor: false,
                chain: vec![signer.subject().to_owned()],
                problems,
            }
        }
    }
}
