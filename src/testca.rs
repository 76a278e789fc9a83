//! Vietnamese-style test certificates: a software test CA issuing certificates whose subjects
//! look like the field's (`CN=NGUYỄN VĂN AN`, `UID=CCCD:…` for a person, `UID=MST:…` for an
//! organisation, `L=Hà Nội`, `C=VN`), for keys made here or generated elsewhere (on a token, on
//! a card). Test values only: never for real keys.
//!
//! One builder for `kyso dev-token`, the library's unit tests and the virtual PIV card of
//! `test-support/piv-card`. Feature `testca` (part of `cli`); rcgen, which it is built on, is
//! re-exported as [`rcgen`] so that callers use the same version.

pub use rcgen;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SerialNumber,
    SubjectPublicKeyInfo,
};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};
use rsa::rand_core::{OsRng, RngCore};

use crate::{Error, Result};

/// `UID` (0.9.2342.19200300.100.1.1), where Vietnamese certificates carry `CCCD:`, `CMND:`,
/// `HC:` or `MST:` identifiers.
pub const UID_OID: [u64; 7] = [0, 9, 2342, 19200300, 100, 1, 1];

/// `UID` as rcgen spells it.
pub fn uid() -> DnType {
    DnType::CustomDnType(UID_OID.to_vec())
}

/// The personal profile: a citizen with a 12-digit CCCD, in DER order.
pub fn personal() -> Vec<(DnType, &'static str)> {
    vec![
        (DnType::CountryName, "VN"),
        (DnType::LocalityName, "Hà Nội"),
        (DnType::CommonName, "NGUYỄN VĂN AN"),
        (uid(), "CCCD:001099012345"),
    ]
}

/// The organisation profile: a company with a 10-digit tax code (MST), in DER order.
pub fn organisation() -> Vec<(DnType, &'static str)> {
    vec![
        (DnType::CountryName, "VN"),
        (DnType::LocalityName, "Thành phố Hồ Chí Minh"),
        (DnType::OrganizationName, "CÔNG TY TNHH KYSO VIỆT NAM"),
        (DnType::CommonName, "CÔNG TY TNHH KYSO VIỆT NAM"),
        (uid(), "MST:0312345678"),
    ]
}

/// A name as Vietnamese CAs write it, entries in DER order: `C` a PrintableString, every other
/// attribute a UTF8String (diacritics kept).
pub fn vn_name(entries: &[(DnType, &str)]) -> Result<DistinguishedName> {
    let mut dn = DistinguishedName::new();
    for (ty, value) in entries {
        let v = if *ty == DnType::CountryName {
            DnValue::PrintableString((*value).try_into().map_err(rcgen_err)?)
        } else {
            DnValue::Utf8String((*value).to_owned())
        };
        dn.push(ty.clone(), v);
    }
    Ok(dn)
}

/// The key algorithms a test key or a test CA can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAlg {
    /// RSA with this modulus size (2048, 3072…), public exponent 65537.
    Rsa(usize),
    /// EC on NIST P-256.
    P256,
    /// EC on NIST P-384.
    P384,
}

/// A key made in software: its PKCS#8 private key and its SubjectPublicKeyInfo, both DER.
pub struct SoftKey {
    pub pkcs8: Vec<u8>,
    pub spki: Vec<u8>,
}

impl SoftKey {
    /// A new random key.
    pub fn generate(alg: KeyAlg) -> Result<SoftKey> {
        let (pkcs8, spki) = match alg {
            KeyAlg::Rsa(bits) => {
                let k = rsa::RsaPrivateKey::new(&mut OsRng, bits)
                    .map_err(|e| Error::InvalidInput(format!("test key: {e}")))?;
                (k.to_pkcs8_der(), k.to_public_key().to_public_key_der())
            }
            KeyAlg::P256 => {
                let k = p256::SecretKey::random(&mut OsRng);
                (k.to_pkcs8_der(), k.public_key().to_public_key_der())
            }
            KeyAlg::P384 => {
                let k = p384::SecretKey::random(&mut OsRng);
                (k.to_pkcs8_der(), k.public_key().to_public_key_der())
            }
        };
        let pkcs8 = pkcs8.map_err(|e| Error::InvalidInput(format!("test key: {e}")))?;
        let spki = spki.map_err(|e| Error::InvalidInput(format!("test key: {e}")))?;
        Ok(SoftKey {
            pkcs8: pkcs8.as_bytes().to_vec(),
            spki: spki.as_bytes().to_vec(),
        })
    }

    /// The key as rcgen signs with it (SHA-256 for RSA and P-256, SHA-384 for P-384).
    pub fn key_pair(&self) -> Result<KeyPair> {
        KeyPair::try_from(self.pkcs8.as_slice()).map_err(rcgen_err)
    }
}

/// A test CA: its key, its params (to issue with) and its self-signed certificate (DER).
pub struct TestCa {
    pub key: KeyPair,
    pub params: CertificateParams,
    pub der: Vec<u8>,
}

impl TestCa {
    /// `C=VN, O=Kyso Test, CN=Kyso Test CA (không dùng thật)`: RSA-2048 as Vietnamese CAs use,
    /// pathLen 0, keyCertSign and cRLSign, valid ten years from yesterday, random serial. The CA
    /// of `kyso dev-token` and of the virtual PIV card.
    pub fn kyso() -> Result<TestCa> {
        let mut params = CertificateParams::default();
        params.distinguished_name = vn_name(&[
            (DnType::CountryName, "VN"),
            (DnType::OrganizationName, "Kyso Test"),
            (DnType::CommonName, "Kyso Test CA (không dùng thật)"),
        ])?;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        valid_from_yesterday(&mut params, 3650);
        params.serial_number = Some(random_serial());
        TestCa::self_signed(params, KeyAlg::Rsa(2048))
    }

    /// A CA named `name` with a new `alg` key: pathLen 0, digitalSignature, keyCertSign and
    /// cRLSign; rcgen's default validity and serial.
    pub fn named(name: DistinguishedName, alg: KeyAlg) -> Result<TestCa> {
        let mut params = CertificateParams::default();
        params.distinguished_name = name;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
        ];
        TestCa::self_signed(params, alg)
    }

    /// A CA with these params and a new `alg` key, self-signed.
    pub fn self_signed(params: CertificateParams, alg: KeyAlg) -> Result<TestCa> {
        let key = SoftKey::generate(alg)?.key_pair()?;
        let der = params.self_signed(&key).map_err(rcgen_err)?.der().to_vec();
        Ok(TestCa { key, params, der })
    }

    /// The CA certificate, PEM.
    pub fn pem(&self) -> String {
        der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &self.der)
            .expect("PEM of a certificate")
    }

    /// The CA as rcgen's issuer.
    pub fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::new(self.params.clone(), &self.key)
    }

    /// Issues a certificate with `params` for a public key generated elsewhere (on a token, on
    /// a card, by [`SoftKey::generate`]), given as SubjectPublicKeyInfo DER; returns its DER.
    pub fn issue_for(&self, params: &CertificateParams, spki: &[u8]) -> Result<Vec<u8>> {
        let public = SubjectPublicKeyInfo::from_der(spki).map_err(rcgen_err)?;
        let cert = params
            .signed_by(&public, &self.issuer())
            .map_err(rcgen_err)?;
        Ok(cert.der().to_vec())
    }
}

/// An end-entity certificate for signing: keyUsage digitalSignature and nonRepudiation,
/// extendedKeyUsage clientAuth and emailProtection, rcgen's default validity and serial.
pub fn signing_leaf(name: DistinguishedName) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = name;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ClientAuth,
        ExtendedKeyUsagePurpose::EmailProtection,
    ];
    params
}

/// [`signing_leaf`] as a CA issues it in the field: basicConstraints CA:FALSE, valid one year
/// from yesterday, a random serial, an authorityKeyIdentifier.
pub fn field_leaf(name: DistinguishedName) -> CertificateParams {
    let mut params = signing_leaf(name);
    params.is_ca = IsCa::ExplicitNoCa;
    valid_from_yesterday(&mut params, 365);
    params.serial_number = Some(random_serial());
    params.use_authority_key_identifier_extension = true;
    params
}

/// Valid from yesterday (clocks drift) for `days` from now.
pub fn valid_from_yesterday(params: &mut CertificateParams, days: i64) {
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(days);
}

/// A random positive 128-bit serial number.
pub fn random_serial() -> SerialNumber {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes[0] &= 0x7f;
    SerialNumber::from(bytes.to_vec())
}

fn rcgen_err(e: rcgen::Error) -> Error {
    Error::InvalidInput(format!("test certificate: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Certificate;

    #[test]
    fn kyso_ca_issues_field_certificates_for_any_key() {
        let ca = TestCa::kyso().unwrap();
        let ca_cert = Certificate::from_der(ca.der.clone()).unwrap();
        assert_eq!(
            ca_cert.subject(),
            "CN=Kyso Test CA (không dùng thật),O=Kyso Test,C=VN"
        );
        assert!(ca_cert.is_ca());
        for (alg, subject) in [
            (KeyAlg::Rsa(2048), personal()),
            (KeyAlg::P256, organisation()),
            (KeyAlg::P384, personal()),
        ] {
            let key = SoftKey::generate(alg).unwrap();
            let der = ca
                .issue_for(&field_leaf(vn_name(&subject).unwrap()), &key.spki)
                .unwrap();
            let c = Certificate::from_der(der).unwrap();
            c.verify_signed_by(&ca_cert).unwrap();
            assert_eq!(c.spki_der(), &key.spki[..]);
            assert!(!c.is_ca());
            assert_eq!(c.key_usage(), vec!["digitalSignature", "nonRepudiation"]);
        }
        let c = Certificate::from_der(
            ca.issue_for(
                &field_leaf(vn_name(&organisation()).unwrap()),
                &SoftKey::generate(KeyAlg::P256).unwrap().spki,
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(c.identity().mst(), Some("0312345678"));
    }
}
