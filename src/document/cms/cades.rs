//! CAdES-B detached signatures: a CMS `SignedData` (RFC 5652) without the content, with the
//! signed attributes content-type, message-digest, signing-time and ESS signing-certificate-v2.
//!
//! The token signs the DER of the signed-attributes SET through [`Signer::sign_data`], so tokens
//! that only offer hashing mechanisms and always-authenticate keys work, and the signature is
//! checked against the certificate before it is returned. With a timestamp authority, the
//! signature value is then timestamped (CAdES-T) and the token kept as an unsigned attribute.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::db::rfc5911::{ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_SIGNED_DATA, ID_SIGNING_TIME};
use der::asn1::{GeneralizedTime, OctetString, SetOfVec, UtcTime};
use der::{Any, Decode, Encode};
use time::OffsetDateTime;
use x509_cert::attr::Attribute;
use x509_cert::time::Time;

use super::algorithm::{digest_algorithm, signature_algorithm, ID_DATA};
use super::ess;
use super::signed_data::der_err;
use super::tsp::{self, Tsa, ID_AA_SIGNATURE_TIME_STAMP_TOKEN};
use crate::cert::Certificate;
use crate::error::{Error, Result};
use crate::key::{KeyType, SignatureAlgorithm};
use crate::public_key::ecdsa_raw_to_der;
use crate::signer::Signer;

/// What goes into a CAdES signature besides the digest.
#[derive(Debug, Clone, Default)]
pub struct CadesOptions {
    /// Certificates added after the signer's (intermediates, optionally the root).
    pub chain: Vec<Certificate>,
    /// The `signing-time` attribute; `None` leaves it out (PAdES puts the time in the PDF's
    /// `/M` instead, as ETSI EN 319 142-1 asks).
    pub signing_time: Option<OffsetDateTime>,
    /// Timestamp authority for a signature timestamp (CAdES-T); `None` for CAdES-B.
    pub tsa: Option<Tsa>,
}

/// Signs `content_digest` (computed with `alg.hash()` over the detached content) and returns
/// the DER `ContentInfo` holding the `SignedData`.
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
    let signature = prepared.sign(signer)?;
    prepared.assemble(signature)
}

/// A CAdES signature in three steps, so a batch keeps the token busy with nothing but
/// signatures: [`PreparedCms::new`] builds the signed attributes (any thread),
/// [`PreparedCms::sign`] has the token sign them, [`PreparedCms::assemble`] checks the
/// signature, timestamps it and encodes the CMS (any thread).
pub struct PreparedCms {
    alg: SignatureAlgorithm,
    cert: Certificate,
    key_type: KeyType,
    chain: Vec<Certificate>,
    tsa: Option<Tsa>,
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
            key_type: key_type.clone(),
            chain: options.chain.clone(),
            tsa: options.tsa.clone(),
            signed_attrs,
            to_sign,
        })
    }

    /// The token's signature over the signed attributes, unchecked ([`PreparedCms::assemble`]
    /// checks it). Through [`Signer::sign_data_unchecked`], so tokens that only offer hashing
    /// mechanisms and always-authenticate keys work.
    pub fn sign(&self, signer: &dyn Signer) -> Result<Vec<u8>> {
        signer.sign_data_unchecked(self.alg, &mut self.to_sign.as_slice())
    }

    /// Checks `signature` against the certificate, timestamps it when a TSA was asked for, and
    /// returns the DER `ContentInfo`.
    pub fn assemble(self, signature: Vec<u8>) -> Result<Vec<u8>> {
        let alg = self.alg;
        let enc = der_err("building the CMS signature");
        let mut signature = signature;
        if let (SignatureAlgorithm::Ecdsa(_), KeyType::Ec { curve }) = (alg, &self.key_type) {
            signature = ecdsa_raw_to_der(curve, &signature)?;
        }
        // The token's signature, as the CMS carries it, checked once, over the message,
        // before a TSA is asked to timestamp it and before anyone writes it out.
        if !super::signed_data::verify_signature_bytes(
            self.cert.spki_der(),
            alg,
            &self.to_sign,
            &signature,
        ) {
            return Err(Error::SignatureCheck(self.cert.subject().to_owned()));
        }
        let unsigned_attrs = match &self.tsa {
            Some(tsa) => {
                let token = tsp::request(tsa, &signature)?;
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
            signature: OctetString::new(signature).map_err(&enc)?,
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
        content_info.to_der().map_err(enc)
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
