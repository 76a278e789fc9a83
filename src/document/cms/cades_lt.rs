//! CAdES-LT (ETSI EN 319 122-1 §5.5.2): a CAdES-T signature with the validation data as
//! unsigned attributes of its signer, `certificate-values` (every certificate of the chains)
//! and `revocation-values` (CRLs and basic OCSP responses), so a `.p7s` stays verifiable when
//! the responders are gone. Read back by `kyso verify` as for a PDF's DSS.

use cms::content_info::ContentInfo;
use const_oid::db::rfc5911::ID_SIGNED_DATA;
use const_oid::db::rfc6960::ID_PKIX_OCSP_BASIC;
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use x509_cert::attr::Attribute;
use x509_ocsp::{OcspResponse, OcspResponseStatus, ResponseBytes};

use super::signed_data::{der_err, parse_signed_data};
use crate::cert::Certificate;
use crate::document::verify::{Embedded, StoredValidationData, ValidationData};
use crate::error::{Error, Result};

/// `id-aa-ets-certValues`.
pub const ID_AA_ETS_CERT_VALUES: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.23");
/// `id-aa-ets-revocationValues`.
pub const ID_AA_ETS_REVOCATION_VALUES: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.24");

/// `RevocationValues` (ETSI's module is EXPLICIT TAGS); other values are not written.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct RevocationValues {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    crl_vals: Option<Vec<Any>>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    ocsp_vals: Option<Vec<Any>>,
}

/// The `BasicOCSPResponse` inside an `OCSPResponse`.
fn basic_of(ocsp: &[u8]) -> Result<Any> {
    let resp = OcspResponse::from_der(ocsp).map_err(der_err("OCSP response"))?;
    let bytes = resp
        .response_bytes
        .ok_or_else(|| Error::Document("OCSP response without a body".into()))?;
    Any::from_der(bytes.response.as_bytes()).map_err(der_err("basic OCSP response"))
}

/// `p7s` (one signer) with `data` added as its signer's unsigned attributes.
pub fn add_long_term_values(p7s: &[u8], data: &ValidationData) -> Result<Vec<u8>> {
    let enc = der_err("encoding the CAdES-LT attributes");
    let mut sd = parse_signed_data(p7s)?;
    let certs: Vec<Any> = data
        .certs
        .iter()
        .map(|c| Any::from_der(c.der()))
        .collect::<der::Result<_>>()
        .map_err(&enc)?;
    let ocsps: Vec<Any> = data
        .ocsps
        .iter()
        .map(|o| basic_of(o))
        .collect::<Result<_>>()?;
    let crls: Vec<Any> = data
        .crls
        .iter()
        .map(|c| Any::from_der(c))
        .collect::<der::Result<_>>()
        .map_err(&enc)?;
    let values = RevocationValues {
        crl_vals: Some(crls).filter(|v| !v.is_empty()),
        ocsp_vals: Some(ocsps).filter(|v| !v.is_empty()),
    };
    let attr = |oid, value: Any| -> Result<Attribute> {
        Ok(Attribute {
            oid,
            values: SetOfVec::try_from(vec![value]).map_err(&enc)?,
        })
    };
    let cert_values = attr(
        ID_AA_ETS_CERT_VALUES,
        Any::encode_from(&certs).map_err(&enc)?,
    )?;
    let revocation_values = attr(
        ID_AA_ETS_REVOCATION_VALUES,
        Any::encode_from(&values).map_err(&enc)?,
    )?;
    let mut infos: Vec<_> = sd.signer_infos.0.into_vec();
    let si = infos
        .first_mut()
        .ok_or_else(|| Error::Document("the CMS signature has no signer".into()))?;
    let mut unsigned: Vec<Attribute> = si
        .unsigned_attrs
        .take()
        .map(|a| a.into_vec())
        .unwrap_or_default();
    unsigned.retain(|a| a.oid != ID_AA_ETS_CERT_VALUES && a.oid != ID_AA_ETS_REVOCATION_VALUES);
    unsigned.push(cert_values);
    unsigned.push(revocation_values);
    si.unsigned_attrs = Some(SetOfVec::try_from(unsigned).map_err(&enc)?);
    sd.signer_infos = cms::signed_data::SignerInfos::try_from(infos).map_err(&enc)?;
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&sd).map_err(&enc)?,
    }
    .to_der()
    .map_err(enc)
}

/// The validation data a CAdES-LT signature carries, if it carries any.
pub fn long_term_values(p7s: &[u8]) -> Option<StoredValidationData> {
    let sd = parse_signed_data(p7s).ok()?;
    let si = sd.signer_infos.0.iter().next()?;
    let attrs = si.unsigned_attrs.as_ref()?;
    let value = |oid| {
        attrs
            .iter()
            .find(|a| a.oid == oid)
            .and_then(|a| a.values.iter().next())
    };
    let certs: Vec<Certificate> = value(ID_AA_ETS_CERT_VALUES)
        .and_then(|v| v.decode_as::<Vec<Any>>().ok())
        .unwrap_or_default()
        .iter()
        .filter_map(|c| c.to_der().ok())
        .filter_map(|d| Certificate::from_der(d).ok())
        .collect();
    let values: RevocationValues = value(ID_AA_ETS_REVOCATION_VALUES)?.decode_as().ok()?;
    let to_der = |v: Option<Vec<Any>>| -> Vec<Vec<u8>> {
        v.unwrap_or_default()
            .iter()
            .filter_map(|a| a.to_der().ok())
            .collect()
    };
    // Basic responses back in an OCSPResponse, as the responders send them.
    let ocsps = to_der(values.ocsp_vals)
        .into_iter()
        .filter_map(|basic| {
            OcspResponse {
                response_status: OcspResponseStatus::Successful,
                response_bytes: Some(ResponseBytes {
                    response_type: ID_PKIX_OCSP_BASIC,
                    response: OctetString::new(basic).ok()?,
                }),
            }
            .to_der()
            .ok()
        })
        .collect();
    Some(StoredValidationData {
        certs,
        revocation: Embedded::new(ocsps, to_der(values.crl_vals)),
    })
}
