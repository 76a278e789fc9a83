//! What reading a CMS `SignedData` takes, shared by the CAdES builder, the verification of
//! CAdES signatures and of timestamp tokens, and OCSP/CRL checks: parsing, the single
//! SignerInfo, checking it against its content, and signature bytes against a public key.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::db::rfc5911::{
    ID_AA_SIGNING_CERTIFICATE, ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST,
    ID_SIGNED_DATA, ID_SIGNING_TIME,
};
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode, Reader};
use time::OffsetDateTime;
use x509_cert::time::Time;

use super::algorithm::{algorithm_from_cms, hash_from_oid};
use super::ess;
use crate::cert::Certificate;
use crate::checked::verify_signature_bytes;
use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::key::SignatureAlgorithm;

/// Maps a DER error to a document error saying what was being read or written.
pub(crate) fn der_err(what: &'static str) -> impl Fn(der::Error) -> Error {
    move |e| Error::Document(format!("{what}: {e}"))
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

/// Checks `si` of `sd`: the signer's certificate among those carried, the content type, the
/// message digest against `digest`, the ESS binding and the signature over the attributes.
/// `content` names the content in problems ("the document", "the TSTInfo").
pub(crate) fn check_signer(
    sd: &SignedData,
    si: &SignerInfo,
    content_type: ObjectIdentifier,
    content: &str,
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
        problems.push(if content == "the TSTInfo" {
            crate::t!("problem-tstinfo-modified")
        } else {
            crate::t!("problem-content-modified")
        });
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
        problems.push(crate::t!("problem-signing-certificate-other"));
    }

    let signed_der = attrs.to_der().map_err(der_err("signed attributes"))?;
    let signature_valid = verify_signature_bytes(
        signer_cert.spki_der(),
        alg,
        &signed_der,
        si.signature.as_bytes(),
    );
    if !signature_valid {
        problems.push(crate::t!(
            "problem-signature-does-not-verify",
            algorithm = alg.to_string()
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

pub(crate) fn rfc3339_of(secs: u64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(secs as i64).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
