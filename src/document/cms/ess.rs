//! ESS `signing-certificate-v2` (RFC 5035): binds a CAdES signature to the signer's certificate
//! by its SHA-256 hash, so a certificate with the same key cannot be substituted.

use const_oid::db::rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2;
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use crate::error::{Error, Result};

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct IssuerSerial {
    /// The issuer as a directory name.
    pub issuer: Vec<GeneralName>,
    /// The certificate serial number.
    pub serial_number: SerialNumber,
}

/// `ESSCertIDv2`; `hashAlgorithm` is absent for the default SHA-256 (DER omits defaults).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertIdV2 {
    /// Hash algorithm; `None` means SHA-256.
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    /// Hash of the whole certificate DER.
    pub cert_hash: OctetString,
    /// Issuer and serial of the certificate.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificateV2 {
    /// The signer's certificate first.
    pub certs: Vec<EssCertIdV2>,
    /// Policy information (kyso writes none and ignores any).
    #[asn1(optional = "true")]
    pub policies: Option<Vec<Any>>,
}

fn err(e: der::Error) -> Error {
    Error::Document(format!("signing-certificate-v2: {e}"))
}

/// The attribute for `cert` (SHA-256 of its DER, issuer and serial).
pub fn attribute(cert: &x509_cert::Certificate) -> Result<Attribute> {
    let der = cert.to_der().map_err(err)?;
    let id = EssCertIdV2 {
        hash_algorithm: None,
        cert_hash: OctetString::new(Sha256::digest(&der).to_vec()).map_err(err)?,
        issuer_serial: Some(IssuerSerial {
            issuer: vec![GeneralName::DirectoryName(
                cert.tbs_certificate.issuer.clone(),
            )],
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
    };
    let value = SigningCertificateV2 {
        certs: vec![id],
        policies: None,
    };
    Ok(Attribute {
        oid: ID_AA_SIGNING_CERTIFICATE_V_2,
        values: SetOfVec::try_from(vec![Any::encode_from(&value).map_err(err)?]).map_err(err)?,
    })
}

/// Whether the attribute value names `cert_der` as the signer's certificate (first entry,
/// SHA-256 only).
pub fn names_certificate(value: &Any, cert_der: &[u8]) -> Result<bool> {
    let v = SigningCertificateV2::from_der(&value.to_der().map_err(err)?).map_err(err)?;
    let Some(first) = v.certs.first() else {
        return Ok(false);
    };
    if let Some(alg) = &first.hash_algorithm {
        if alg.oid != const_oid::db::rfc5912::ID_SHA_256 {
            return Err(Error::Document(format!(
                "signing-certificate-v2 uses hash {}, kyso checks SHA-256 only",
                alg.oid
            )));
        }
    }
    Ok(*first.cert_hash.as_bytes() == Sha256::digest(cert_der)[..])
}

/// `ESSCertID ::= SEQUENCE { certHash Hash (SHA-1), issuerSerial IssuerSerial OPTIONAL }`
/// (RFC 2634), what most timestamp authorities still write.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertId {
    /// SHA-1 of the whole certificate DER.
    pub cert_hash: OctetString,
    /// Issuer and serial of the certificate.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// `SigningCertificate ::= SEQUENCE { certs SEQUENCE OF ESSCertID, policies … OPTIONAL }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificate {
    /// The signer's certificate first.
    pub certs: Vec<EssCertId>,
    /// Policy information (ignored).
    #[asn1(optional = "true")]
    pub policies: Option<Vec<Any>>,
}

/// Whether a `signing-certificate` (v1, SHA-1) attribute value names `cert_der` first.
pub fn v1_names_certificate(value: &Any, cert_der: &[u8]) -> Result<bool> {
    use sha1::Sha1;
    let v = SigningCertificate::from_der(&value.to_der().map_err(err)?).map_err(err)?;
    Ok(v.certs
        .first()
        .is_some_and(|first| *first.cert_hash.as_bytes() == Sha1::digest(cert_der)[..]))
}
