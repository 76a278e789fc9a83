//! [`Certificate`]: the DER and the fields extracted from it once, and the summary `kyso`
//! shows.

use std::ops::Range;

use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::{FromDer, X509Name};
use x509_parser::x509::SubjectPublicKeyInfo;

use super::identity::{Identity, IdentityKind};
use super::key::{eku_names, key_type_of, key_usage_names};
use super::name::{attribute_values, names_match, render_name, OID_CN, OID_SERIAL_NUMBER, OID_UID};
use crate::error::{Error, Result};
use crate::key::KeyType;

/// An X.509 certificate: its DER and the fields people and protocols ask for.
#[derive(Clone, Debug)]
pub struct Certificate {
    der: Vec<u8>,
    subject: String,
    issuer: String,
    common_name: Option<String>,
    identity: Identity,
    serial: Vec<u8>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    key_type: KeyType,
    key_usage: Vec<String>,
    extended_key_usage: Vec<String>,
    is_ca: bool,
    subject_range: Range<usize>,
    issuer_range: Range<usize>,
    spki_range: Range<usize>,
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for Certificate {}

impl Certificate {
    /// Parses one DER certificate (the whole input must be the certificate).
    pub fn from_der(der: Vec<u8>) -> Result<Certificate> {
        if der.is_empty() {
            return Err(Error::Certificate(
                "empty input, expected a DER certificate".into(),
            ));
        }
        let (rest, x) = x509_parser::parse_x509_certificate(&der)
            .map_err(|e| Error::Certificate(format!("not a valid X.509 DER certificate: {e}")))?;
        if !rest.is_empty() {
            return Err(Error::Certificate(format!(
                "{} unexpected bytes after the certificate",
                rest.len()
            )));
        }
        let tbs = &x.tbs_certificate;
        let range_of = |part: &[u8]| {
            let start = part.as_ptr() as usize - der.as_ptr() as usize;
            start..start + part.len()
        };

        let key_usage = match tbs.key_usage() {
            Ok(ku) => ku
                .map(|ku| key_usage_names(ku.value.flags))
                .unwrap_or_default(),
            Err(e) => return Err(Error::Certificate(format!("key usage extension: {e}"))),
        };
        let extended_key_usage = match tbs.extended_key_usage() {
            Ok(eku) => eku.map(|e| eku_names(e.value)).unwrap_or_default(),
            Err(e) => {
                return Err(Error::Certificate(format!(
                    "extended key usage extension: {e}"
                )))
            }
        };
        let is_ca = match tbs.basic_constraints() {
            Ok(bc) => bc.is_some_and(|bc| bc.value.ca),
            Err(e) => {
                return Err(Error::Certificate(format!(
                    "basic constraints extension: {e}"
                )))
            }
        };

        Ok(Certificate {
            subject: render_name(&tbs.subject),
            issuer: render_name(&tbs.issuer),
            common_name: common_name_of(&tbs.subject),
            identity: identity_of(&tbs.subject),
            serial: tbs.raw_serial().to_vec(),
            not_before: tbs.validity.not_before.to_datetime(),
            not_after: tbs.validity.not_after.to_datetime(),
            key_type: key_type_of(&tbs.subject_pki),
            key_usage,
            extended_key_usage,
            is_ca,
            subject_range: range_of(tbs.subject.as_raw()),
            issuer_range: range_of(tbs.issuer.as_raw()),
            spki_range: range_of(tbs.subject_pki.raw),
            der,
        })
    }

    /// Every `CERTIFICATE` block of a PEM bundle, in order; other blocks (keys…) are skipped.
    pub fn from_pem(pem: &[u8]) -> Result<Vec<Certificate>> {
        let mut certs = Vec::new();
        for (i, block) in x509_parser::pem::Pem::iter_from_buffer(pem).enumerate() {
            let block =
                block.map_err(|e| Error::Certificate(format!("PEM block {}: {e}", i + 1)))?;
            if block.label == "CERTIFICATE" || block.label == "X509 CERTIFICATE" {
                let cert = Certificate::from_der(block.contents).map_err(|e| match e {
                    Error::Certificate(m) => {
                        Error::Certificate(format!("PEM block {}: {m}", i + 1))
                    }
                    other => other,
                })?;
                certs.push(cert);
            }
        }
        if certs.is_empty() {
            return Err(Error::Certificate(
                "no '-----BEGIN CERTIFICATE-----' block in the PEM input".into(),
            ));
        }
        Ok(certs)
    }

    /// The certificate as DER, exactly as read.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The certificate as one PEM block (64-column base64, trailing newline).
    pub fn to_pem(&self) -> String {
        der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &self.der)
            .unwrap_or_default()
    }

    /// Subject as an RFC 4514 string (`CN=NGUYỄN VĂN AN,UID=CCCD:001099012345,L=Hà Nội,C=VN`).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Issuer as an RFC 4514 string.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The most specific `CN` of the subject (unescaped), the name to show people.
    pub fn common_name(&self) -> Option<&str> {
        self.common_name.as_deref()
    }

    /// The holder's Vietnamese identity numbers (`CCCD`, `MST`…) from the subject.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Serial number as lowercase hex without colons or sign byte (`9592bb8c…`).
    pub fn serial_hex(&self) -> String {
        let first = self
            .serial
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(self.serial.len().saturating_sub(1));
        hex::encode(&self.serial[first..])
    }

    /// Start of validity.
    pub fn not_before(&self) -> OffsetDateTime {
        self.not_before
    }

    /// End of validity.
    pub fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }

    /// Whether `at` falls within the validity period (bounds included).
    pub fn is_valid_at(&self, at: OffsetDateTime) -> bool {
        self.not_before <= at && at <= self.not_after
    }

    /// The subject key's type and size, to pick a signature algorithm.
    pub fn key_type(&self) -> KeyType {
        self.key_type.clone()
    }

    /// The SubjectPublicKeyInfo DER, to verify signatures made with the key.
    pub fn spki_der(&self) -> &[u8] {
        &self.der[self.spki_range.clone()]
    }

    /// Key usage bits by RFC 5280 name (`digitalSignature`, `nonRepudiation`…); empty when the
    /// extension is absent.
    pub fn key_usage(&self) -> Vec<String> {
        self.key_usage.clone()
    }

    /// Extended key usages by name (`clientAuth`, `emailProtection`…), dotted OID when unknown.
    pub fn extended_key_usage(&self) -> Vec<String> {
        self.extended_key_usage.clone()
    }

    /// Whether basicConstraints says CA:TRUE.
    pub fn is_ca(&self) -> bool {
        self.is_ca
    }

    /// Whether subject and issuer names are the same (a root, or a self-signed leaf).
    pub fn is_self_issued(&self) -> bool {
        self.subject_der() == self.issuer_der() || names_match(&self.subject, &self.issuer)
    }

    /// The subject Name DER (`CKA_SUBJECT`).
    pub fn subject_der(&self) -> &[u8] {
        &self.der[self.subject_range.clone()]
    }

    /// The issuer Name DER (`CKA_ISSUER`).
    pub fn issuer_der(&self) -> &[u8] {
        &self.der[self.issuer_range.clone()]
    }

    /// The serial number as a DER INTEGER, tag and length included (`CKA_SERIAL_NUMBER`).
    pub fn serial_der(&self) -> Vec<u8> {
        use der::Encode;
        // The INTEGER's content bytes exactly as in the certificate, under a fresh header.
        let header = der::Length::try_from(self.serial.len())
            .and_then(|len| der::Header::new(der::Tag::Integer, len))
            .and_then(|h| h.to_der());
        let mut out = header.unwrap_or_default();
        out.extend_from_slice(&self.serial);
        out
    }

    /// SHA-256 of the DER, lowercase hex: how people compare certificates.
    pub fn fingerprint_sha256(&self) -> String {
        hex::encode(Sha256::digest(&self.der))
    }

    /// Checks that `issuer`'s key signed this certificate (names are not compared).
    pub fn verify_signed_by(&self, issuer: &Certificate) -> Result<()> {
        let cert = self.parsed()?;
        let (_, spki) = SubjectPublicKeyInfo::from_der(issuer.spki_der())
            .map_err(|e| Error::Certificate(format!("public key of '{}': {e}", issuer.subject)))?;
        cert.verify_signature(Some(&spki)).map_err(|e| {
            Error::Certificate(format!(
                "the signature of '{}' does not verify with the key of '{}' ({e})",
                self.subject, issuer.subject
            ))
        })
    }

    /// A view for display and JSON output.
    pub fn summary(&self) -> CertificateSummary {
        CertificateSummary {
            subject: self.subject.clone(),
            common_name: self.common_name.clone(),
            identity: self.identity.clone(),
            issuer: self.issuer.clone(),
            serial: self.serial_hex(),
            not_before: rfc3339(self.not_before),
            not_after: rfc3339(self.not_after),
            key_type: self.key_type.to_string(),
            key_usage: self.key_usage.clone(),
            extended_key_usage: self.extended_key_usage.clone(),
            sha256: self.fingerprint_sha256(),
        }
    }

    /// x509-parser's borrowed view, rebuilt from the DER.
    fn parsed(&self) -> Result<X509Certificate<'_>> {
        x509_parser::parse_x509_certificate(&self.der)
            .map(|(_, x)| x)
            .map_err(|e| Error::Certificate(format!("not a valid X.509 DER certificate: {e}")))
    }
}

/// What `kyso` shows about a certificate (JSON via serde).
#[derive(Debug, Clone, serde::Serialize)]
pub struct CertificateSummary {
    /// RFC 4514 subject.
    pub subject: String,
    /// Subject common name.
    pub common_name: Option<String>,
    /// Vietnamese identity numbers.
    pub identity: Identity,
    /// RFC 4514 issuer.
    pub issuer: String,
    /// Serial number, lowercase hex.
    pub serial: String,
    /// Start of validity, RFC 3339.
    pub not_before: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
    /// `RSA-2048`, `EC-P256`…
    pub key_type: String,
    /// Key usage names.
    pub key_usage: Vec<String>,
    /// Extended key usage names or OIDs.
    pub extended_key_usage: Vec<String>,
    /// SHA-256 fingerprint, lowercase hex.
    pub sha256: String,
}

pub(super) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

fn common_name_of(name: &X509Name<'_>) -> Option<String> {
    attribute_values(name, OID_CN).pop()
}

/// Identity numbers: every `UID`, plus `serialNumber` values carrying a known prefix (some CAs
/// put `CMND:…` there).
fn identity_of(name: &X509Name<'_>) -> Identity {
    let mut values = attribute_values(name, OID_UID);
    for v in attribute_values(name, OID_SERIAL_NUMBER) {
        let known = Identity::from_uid_values(&[&v])
            .entries()
            .iter()
            .all(|e| e.kind != IdentityKind::Other);
        if known && !values.contains(&v) {
            values.push(v);
        }
    }
    Identity::from_uid_values(&values)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use crate::key::Curve;
    use rcgen::DnType;
    use time::macros::datetime;

    #[test]
    fn vn_root_ca() {
        let c = root();
        assert_eq!(
            c.subject(),
            "CN=Vietnam National Root CA,OU=National Centre of Digital Signature Authentication,\
             O=Ministry of Information and Communications,C=VN"
        );
        assert_eq!(c.issuer(), c.subject());
        assert!(c.is_self_issued());
        assert_eq!(c.common_name(), Some("Vietnam National Root CA"));
        assert_eq!(c.key_type(), KeyType::Rsa { bits: 4096 });
        assert!(c.is_ca());
        assert_eq!(c.serial_hex(), "9592bb8ceead5a24a6b8f71d7d323b5a");
        assert_eq!(
            c.fingerprint_sha256(),
            "bac8bf609ab420a8ee1780d74f4de5c7f7184959d2a7375b0a75e4c29f0908e7"
        );
        assert_eq!(
            c.key_usage(),
            vec!["digitalSignature", "keyCertSign", "cRLSign"]
        );
        assert!(c.extended_key_usage().is_empty());
        assert!(c.identity().is_empty());
        assert_eq!(c.not_before().year(), 2014);
        assert_eq!(c.not_after().year(), 2039);
        assert!(c.is_valid_at(datetime!(2030-01-01 0:00 UTC)));
        assert!(!c.is_valid_at(datetime!(2040-01-01 0:00 UTC)));
        // the root's serial has its high bit set: DER adds a 0x00 sign byte
        assert_eq!(c.serial_der()[..3], [0x02, 17, 0x00]);
    }

    #[test]
    fn viettel_ca() {
        let c = viettel();
        assert_eq!(c.subject(), "C=VN,O=Viettel Group,CN=Viettel-CA RS");
        assert_eq!(c.issuer(), root().subject());
        assert!(!c.is_self_issued());
        assert_eq!(c.key_type(), KeyType::Rsa { bits: 2048 });
        assert_eq!(c.key_type().to_string(), "RSA-2048");
        assert!(c.is_ca());
        assert_eq!(c.serial_hex(), "207088d0e65f2cfe9a73e169c766520f");
        assert_eq!(
            c.serial_der(),
            hex::decode("0210207088d0e65f2cfe9a73e169c766520f").unwrap()
        );
        assert_eq!(c.issuer_der(), root().subject_der());
        assert_eq!(c.subject_der()[0], 0x30);
        assert_eq!(c.spki_der()[0], 0x30);
        let s = c.summary();
        assert_eq!(s.not_before, "2022-09-26T02:09:33Z");
        assert_eq!(s.not_after, "2027-09-26T02:09:33Z");
        assert_eq!(s.key_type, "RSA-2048");
    }

    #[test]
    fn pem_round_trip_and_bundle() {
        let mut bundle = VIETTEL.to_vec();
        bundle.extend_from_slice(b"\nsome comment\n");
        bundle.extend_from_slice(VN_ROOT);
        let certs = Certificate::from_pem(&bundle).unwrap();
        assert_eq!(certs.len(), 2);
        assert_eq!(certs[0], viettel());
        assert_eq!(certs[1], root());
        let again = Certificate::from_pem(certs[1].to_pem().as_bytes()).unwrap();
        assert_eq!(again, vec![certs[1].clone()]);
        assert!(certs[1].to_pem().lines().all(|l| l.len() <= 64));
    }

    #[test]
    fn summary_json() {
        let v = serde_json::to_value(viettel().summary()).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        for k in [
            "subject",
            "common_name",
            "identity",
            "issuer",
            "serial",
            "not_before",
            "not_after",
            "key_type",
            "key_usage",
            "extended_key_usage",
            "sha256",
        ] {
            assert!(keys.iter().any(|x| *x == k), "missing {k} in {v}");
        }
        assert_eq!(keys.len(), 11);
        assert_eq!(v["key_type"], "RSA-2048");
        assert_eq!(v["common_name"], "Viettel-CA RS");
        assert_eq!(v["identity"], serde_json::json!({}));
        assert_eq!(
            v["sha256"],
            "860bcbe22fdc6757fe03b4597f7c61ca7f36e13ceb74a78cbefc9c5b267b8662"
        );
        assert_eq!(v["not_before"], "2022-09-26T02:09:33Z");
    }

    #[test]
    fn personal_certificate_with_diacritics() {
        let ca = TestCa::new(dn(&[
            (DnType::CountryName, "VN"),
            (DnType::OrganizationName, "Test CA"),
            (DnType::CommonName, "Test CA"),
        ]));
        let der = ca.issue(dn(&[
            (DnType::CountryName, "VN"),
            (DnType::LocalityName, "Hà Nội"),
            (uid(), "CCCD:001099012345"),
            (DnType::CommonName, "NGUYỄN VĂN AN"),
        ]));
        let c = Certificate::from_der(der.clone()).unwrap();
        assert_eq!(
            c.subject(),
            "CN=NGUYỄN VĂN AN,UID=CCCD:001099012345,L=Hà Nội,C=VN"
        );
        assert_eq!(c.issuer(), "CN=Test CA,O=Test CA,C=VN");
        assert_eq!(c.common_name(), Some("NGUYỄN VĂN AN"));
        assert_eq!(c.identity().cccd(), Some("001099012345"));
        assert_eq!(
            serde_json::to_value(c.identity()).unwrap(),
            serde_json::json!({"cccd": "001099012345"})
        );
        assert_eq!(c.key_type(), KeyType::Ec { curve: Curve::P256 });
        assert_eq!(c.key_type().to_string(), "EC-P256");
        assert_eq!(c.key_usage(), vec!["digitalSignature", "nonRepudiation"]);
        assert_eq!(
            c.extended_key_usage(),
            vec!["clientAuth", "emailProtection"]
        );
        assert!(!c.is_ca());
        assert_eq!(c.der(), &der[..]);
        let ca_cert = Certificate::from_der(ca.der.clone()).unwrap();
        c.verify_signed_by(&ca_cert).unwrap();
        assert_eq!(c.issuer_der(), ca_cert.subject_der());
    }

    #[test]
    fn organisation_certificate_with_two_uids() {
        let ca = TestCa::new(dn(&[(DnType::CommonName, "Test CA")]));
        let der = ca.issue_with_extra_uids(dn(&[
            (DnType::CountryName, "VN"),
            (DnType::StateOrProvinceName, "Hà Nội"),
            (
                DnType::OrganizationName,
                "Công ty TNHH Một Thành Viên, \"Ánh Dương\"",
            ),
            (uid(), "MST:0100686209-199"),
            (extra_uid(), "CCCD:001099012345"),
            (DnType::CommonName, "TRẦN THỊ BÌNH"),
        ]));
        let c = Certificate::from_der(der).unwrap();
        assert_eq!(
            c.subject(),
            "CN=TRẦN THỊ BÌNH,UID=CCCD:001099012345,UID=MST:0100686209-199,\
             O=Công ty TNHH Một Thành Viên\\, \\\"Ánh Dương\\\",ST=Hà Nội,C=VN"
        );
        assert_eq!(c.identity().mst(), Some("0100686209-199"));
        assert_eq!(c.identity().cccd(), Some("001099012345"));
        assert_eq!(
            serde_json::to_value(c.identity()).unwrap(),
            serde_json::json!({"mst": "0100686209-199", "cccd": "001099012345"})
        );
        // the patched certificate is still properly signed
        c.verify_signed_by(&Certificate::from_der(ca.der.clone()).unwrap())
            .unwrap();
    }

    #[test]
    fn corrupt_der_is_an_error_not_a_panic() {
        let der = viettel().der().to_vec();
        for len in [0, 1, 2, 10, 100, der.len() / 2, der.len() - 1] {
            match Certificate::from_der(der[..len].to_vec()) {
                Err(Error::Certificate(m)) => assert!(!m.is_empty()),
                other => panic!("truncated to {len}: {other:?}"),
            }
        }
        let mut trailing = der.clone();
        trailing.push(0);
        assert!(matches!(
            Certificate::from_der(trailing),
            Err(Error::Certificate(m)) if m.contains("after the certificate")
        ));
        // pseudo-random bytes, and random flips in a real certificate
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..200 {
            let len = (next() % 600) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            assert!(Certificate::from_der(bytes).is_err());
            let mut flipped = der.clone();
            for _ in 0..4 {
                let i = (next() as usize) % flipped.len();
                flipped[i] = next() as u8;
            }
            // may parse or not; must not panic
            let _ = Certificate::from_der(flipped);
        }
        assert!(matches!(
            Certificate::from_pem(b"no pem here"),
            Err(Error::Certificate(_))
        ));
        assert!(matches!(
            Certificate::from_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
            Err(Error::Certificate(m)) if m.contains("PEM block 1")
        ));
    }
}
