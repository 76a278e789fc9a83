//! CAdES-B detached signatures: a CMS `SignedData` (RFC 5652) without the content, with the
//! signed attributes content-type, message-digest, signing-time and ESS signing-certificate-v2.
//!
//! The token signs the DER of the signed-attributes SET through [`Signer::sign_data`], so tokens
//! that only offer hashing mechanisms and always-authenticate keys work; the signature is
//! checked against the certificate ([`CheckedSignature`]) before anything is built around it.
//! With a [`Timestamper`], the signature value is then timestamped (CAdES-T) and the token kept
//! as an unsigned attribute; the assembly itself never reaches the network.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::db::rfc5911::{ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_SIGNED_DATA, ID_SIGNING_TIME};
use std::sync::Arc;

use der::asn1::{GeneralizedTime, OctetString, SetOfVec, UtcTime};
use der::{Any, Decode, Encode};
use time::OffsetDateTime;
use x509_cert::attr::Attribute;
use x509_cert::time::Time;

use super::algorithm::{digest_algorithm, signature_algorithm, ID_DATA};
use super::ess;
use super::signed_data::der_err;
use super::tsp::{Timestamper, ID_AA_SIGNATURE_TIME_STAMP_TOKEN};
use crate::cert::Certificate;
use crate::checked::{CheckedSignature, Verifier};
use crate::error::{Error, Result};
use crate::key::{KeyType, SignatureAlgorithm};
use crate::signer::Signer;

/// What goes into a CAdES signature besides the digest.
#[derive(Clone, Default)]
pub struct CadesOptions {
    /// Certificates added after the signer's (intermediates, optionally the root).
    pub chain: Vec<Certificate>,
    /// The `signing-time` attribute; `None` leaves it out (PAdES puts the time in the PDF's
    /// `/M` instead, as ETSI EN 319 142-1 asks).
    pub signing_time: Option<OffsetDateTime>,
    /// Where the signature timestamp comes from (CAdES-T); `None` for CAdES-B.
    pub tsa: Option<Arc<dyn Timestamper>>,
}

/// A CMS `ContentInfo` (DER) built around a [`CheckedSignature`]: what PDF embedding accepts.
#[derive(Debug, Clone)]
pub struct SignedCms(Vec<u8>);

impl SignedCms {
    /// The DER.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The DER, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

/// Signs `content_digest` (computed with `alg.hash()` over the detached content) and returns
/// the DER `ContentInfo` holding the `SignedData`: prepare, sign, check, timestamp (when
/// `options` names a [`Timestamper`]), assemble.
pub fn sign_detached(
    signer: &dyn Signer,
    alg: SignatureAlgorithm,
    content_digest: &[u8],
    options: &CadesOptions,
) -> Result<Vec<u8>> {
    let prepared = PreparedCms::new(
        signer.certificate(),
        &signer.key().key_type,
        alg,
        content_digest,
        options,
    )?;
    let verifier = Verifier::new(signer.certificate(), signer.key().label.clone())?;
    let signature = prepared.check(&verifier, prepared.sign(signer)?)?;
    let token = timestamp(options.tsa.as_deref(), &signature)?;
    Ok(prepared.assemble(signature, token)?.into_bytes())
}

/// The signature timestamp token over `signature` from `tsa`, if there is one (the only step
/// of a CAdES-T signature that reaches the network).
pub fn timestamp(
    tsa: Option<&dyn Timestamper>,
    signature: &CheckedSignature,
) -> Result<Option<Vec<u8>>> {
    tsa.map(|t| t.timestamp(signature.as_bytes())).transpose()
}

/// A CAdES signature in steps, so a batch keeps the token busy with nothing but signatures:
/// [`PreparedCms::new`] builds the signed attributes (any thread), [`PreparedCms::sign`] has
/// the token sign them, [`PreparedCms::check`] checks the signature, a [`Timestamper`] may
/// stamp it, and [`PreparedCms::assemble`] encodes the CMS (any thread).
pub struct PreparedCms {
    alg: SignatureAlgorithm,
    cert: Certificate,
    chain: Vec<Certificate>,
    signed_attrs: SetOfVec<Attribute>,
    to_sign: Vec<u8>,
}

impl PreparedCms {
    /// The signed attributes over `content_digest` for the signer's certificate `cert`.
    pub fn new(
        cert: &Certificate,
        key_type: &KeyType,
        alg: SignatureAlgorithm,
        content_digest: &[u8],
        options: &CadesOptions,
    ) -> Result<PreparedCms> {
        alg.hash().check_len(content_digest)?;
        if !alg.fits(key_type) {
            return Err(Error::InvalidInput(format!(
                "{alg} cannot be made with a {key_type} key"
            )));
        }
        let enc = der_err("building the CMS signature");
        let x509 =
            x509_cert::Certificate::from_der(cert.der()).map_err(der_err("signer certificate"))?;
        let mut attrs = vec![
            attribute(ID_CONTENT_TYPE, Any::encode_from(&ID_DATA).map_err(&enc)?)?,
            attribute(
                ID_MESSAGE_DIGEST,
                Any::encode_from(&OctetString::new(content_digest).map_err(&enc)?).map_err(&enc)?,
            )?,
            ess::attribute(&x509)?,
        ];
        if let Some(t) = options.signing_time {
            attrs.push(attribute(
                ID_SIGNING_TIME,
                Any::encode_from(&asn1_time(t)?).map_err(&enc)?,
            )?);
        }
        let signed_attrs = SetOfVec::try_from(attrs).map_err(&enc)?;
        // The signature covers the DER of the attributes as a SET (RFC 5652 §5.4).
        let to_sign = signed_attrs.to_der().map_err(&enc)?;
        Ok(PreparedCms {
            alg,
            cert: cert.clone(),
            chain: options.chain.clone(),
            signed_attrs,
            to_sign,
        })
    }

    /// The token's signature over the signed attributes, unchecked: pass it to
    /// [`PreparedCms::check`]. Through [`Signer::sign_data`], so tokens that only offer hashing
    /// mechanisms and always-authenticate keys work.
    pub fn sign(&self, signer: &dyn Signer) -> Result<Vec<u8>> {
        signer.sign_data(self.alg, &mut self.to_sign.as_slice())
    }

    /// The digest of the signed attributes: what a signer that takes digests (a remote
    /// service's `signHash`) signs.
    pub fn digest(&self) -> Vec<u8> {
        self.alg.hash().digest(&self.to_sign)
    }

    /// Checks the token's `signature` over the signed attributes, once, over the message
    /// (faster than a check from a digest).
    pub fn check(&self, verifier: &Verifier, signature: Vec<u8>) -> Result<CheckedSignature> {
        verifier.check_message(self.alg, &self.to_sign, signature)
    }

    /// Encodes the CMS around a checked signature, with the signature timestamp token
    /// `timestamp` (DER `ContentInfo`, from a [`Timestamper`]) when there is one.
    pub fn assemble(
        self,
        signature: CheckedSignature,
        timestamp: Option<Vec<u8>>,
    ) -> Result<SignedCms> {
        let alg = self.alg;
        let enc = der_err("building the CMS signature");
        if signature.algorithm() != alg {
            return Err(Error::InvalidInput(format!(
                "a {} signature cannot complete a CMS prepared for {alg}",
                signature.algorithm()
            )));
        }
        let unsigned_attrs = match timestamp {
            Some(token) => {
                let value = Any::from_der(&token).map_err(&enc)?;
                Some(
                    SetOfVec::try_from(vec![attribute(ID_AA_SIGNATURE_TIME_STAMP_TOKEN, value)?])
                        .map_err(&enc)?,
                )
            }
            None => None,
        };
        let cert = x509_cert::Certificate::from_der(self.cert.der())
            .map_err(der_err("signer certificate"))?;
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: cert.tbs_certificate.issuer.clone(),
                serial_number: cert.tbs_certificate.serial_number.clone(),
            }),
            digest_alg: digest_algorithm(alg.hash()),
            signed_attrs: Some(self.signed_attrs),
            signature_algorithm: signature_algorithm(alg)?,
            signature: OctetString::new(signature.into_bytes()).map_err(&enc)?,
            unsigned_attrs,
        };

        let mut certs = vec![CertificateChoices::Certificate(cert)];
        for c in &self.chain {
            if c == &self.cert {
                continue;
            }
            certs.push(CertificateChoices::Certificate(
                x509_cert::Certificate::from_der(c.der()).map_err(der_err("chain certificate"))?,
            ));
        }
        let signed_data = SignedData {
            version: CmsVersion::V1,
            digest_algorithms: SetOfVec::try_from(vec![digest_algorithm(alg.hash())])
                .map_err(&enc)?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: ID_DATA,
                econtent: None,
            },
            certificates: Some(CertificateSet::try_from(certs).map_err(&enc)?),
            crls: None,
            signer_infos: SignerInfos::try_from(vec![signer_info]).map_err(&enc)?,
        };
        let content_info = ContentInfo {
            content_type: ID_SIGNED_DATA,
            content: Any::encode_from(&signed_data).map_err(&enc)?,
        };
        content_info.to_der().map(SignedCms).map_err(enc)
    }
}

fn attribute(oid: der::oid::ObjectIdentifier, value: Any) -> Result<Attribute> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).map_err(der_err("signed attribute"))?,
    })
}

/// UTCTime until 2049, GeneralizedTime after (RFC 5652 §11.3), whole seconds.
fn asn1_time(t: OffsetDateTime) -> Result<Time> {
    let secs = u64::try_from(t.unix_timestamp())
        .map_err(|_| Error::InvalidInput(format!("signing time {t} is before 1970")))?;
    let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map_err(der_err("signing time"))?;
    Ok(if dt.year() < 2050 {
        Time::UtcTime(UtcTime::from_date_time(dt).map_err(der_err("signing time"))?)
    } else {
        Time::GeneralTime(GeneralizedTime::from_date_time(dt))
    })
}
