//! Test certificates that look like the field, built with rcgen.

use rcgen::{DistinguishedName, DnType, SigningKey};

use super::certificate::Certificate;
pub use crate::testca::{signing_leaf, uid, KeyAlg, SoftKey, TestCa};

pub const VN_ROOT: &[u8] = include_bytes!("testdata/vietnam-national-root-ca.pem");
pub const VIETTEL: &[u8] = include_bytes!("testdata/viettel-ca-rs.pem");

/// `DC`: same encoded length as `UID`, used as a placeholder for a second `UID`.
fn dc() -> DnType {
    DnType::CustomDnType(vec![0, 9, 2342, 19200300, 100, 1, 25])
}

/// A name from entries in DER order (most significant first).
pub fn dn(entries: &[(DnType, &str)]) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    for (ty, v) in entries {
        dn.push(ty.clone(), *v);
    }
    dn
}

impl TestCa {
    /// A CA on a new P-256 key ([`TestCa::named`]).
    pub fn new(name: DistinguishedName) -> TestCa {
        TestCa::named(name, KeyAlg::P256).unwrap()
    }

    /// An end-entity [`signing_leaf`] certificate for a fresh P-256 key.
    pub fn issue(&self, name: DistinguishedName) -> Vec<u8> {
        let key = SoftKey::generate(KeyAlg::P256).unwrap();
        self.issue_for(&signing_leaf(name), &key.spki).unwrap()
    }

    /// Like [`TestCa::issue`], but every `DC` attribute becomes a `UID` (rcgen keeps one
    /// value per attribute type): the TBS is patched and signed again.
    pub fn issue_with_extra_uids(&self, name: DistinguishedName) -> Vec<u8> {
        let der = self.issue(name);
        let (_, x) = x509_parser::parse_x509_certificate(&der).unwrap();
        let tbs_start = x.tbs_certificate.as_ref().as_ptr() as usize - der.as_ptr() as usize;
        let tbs_end = tbs_start + x.tbs_certificate.as_ref().len();
        let mut tbs = der[tbs_start..tbs_end].to_vec();
        let dc_oid = [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19];
        let mut i = 0;
        while i + dc_oid.len() <= tbs.len() {
            if tbs[i..i + dc_oid.len()] == dc_oid {
                tbs[i + dc_oid.len() - 1] = 0x01;
            }
            i += 1;
        }
        // AlgorithmIdentifier: from the end of the TBS to the BIT STRING.
        let sig_start = x.signature_value.data.as_ptr() as usize - der.as_ptr() as usize;
        let mut alg_and_bits_header = der[tbs_end..sig_start].to_vec();
        let alg_len = 2 + alg_and_bits_header[1] as usize;
        alg_and_bits_header.truncate(alg_len);
        let sig = self.key.sign(&tbs).unwrap();
        let mut bits = vec![0u8];
        bits.extend_from_slice(&sig);
        let mut body = tbs;
        body.extend_from_slice(&alg_and_bits_header);
        body.extend(tlv(der::Tag::BitString, &bits));
        tlv(der::Tag::Sequence, &body)
    }
}

/// A DER tag-length-value with the header from the `der` crate.
fn tlv(tag: der::Tag, content: &[u8]) -> Vec<u8> {
    use der::Encode;
    let len = der::Length::try_from(content.len()).unwrap();
    let mut out = der::Header::new(tag, len).unwrap().to_der().unwrap();
    out.extend_from_slice(content);
    out
}

/// Puts a second-`UID` placeholder in a name.
pub fn extra_uid() -> DnType {
    dc()
}

/// The Vietnam National Root CA.
pub fn root() -> Certificate {
    Certificate::from_pem(VN_ROOT).unwrap().remove(0)
}

/// Viettel-CA RS, issued by the national root.
pub fn viettel() -> Certificate {
    Certificate::from_pem(VIETTEL).unwrap().remove(0)
}
