//! Signature and hash algorithms as the CSC API names them (OIDs), and base64 as services
//! write it.

use base64::Engine;

use crate::digest::HashAlg;
use crate::key::SignatureAlgorithm;

// Algorithm identifiers.
const SHA256: &str = "2.16.840.1.101.3.4.2.1";
const SHA384: &str = "2.16.840.1.101.3.4.2.2";
const SHA512: &str = "2.16.840.1.101.3.4.2.3";
const RSA: &str = "1.2.840.113549.1.1.1";
const RSA_PSS: &str = "1.2.840.113549.1.1.10";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";

/// The hash algorithm OID.
pub fn hash_oid(h: HashAlg) -> &'static str {
    match h {
        HashAlg::Sha256 => SHA256,
        HashAlg::Sha384 => SHA384,
        HashAlg::Sha512 => SHA512,
    }
}

fn pkcs1_oid(h: HashAlg) -> &'static str {
    match h {
        HashAlg::Sha256 => "1.2.840.113549.1.1.11",
        HashAlg::Sha384 => "1.2.840.113549.1.1.12",
        HashAlg::Sha512 => "1.2.840.113549.1.1.13",
    }
}

fn ecdsa_oid(h: HashAlg) -> &'static str {
    match h {
        HashAlg::Sha256 => "1.2.840.10045.4.3.2",
        HashAlg::Sha384 => "1.2.840.10045.4.3.3",
        HashAlg::Sha512 => "1.2.840.10045.4.3.4",
    }
}

/// Whether the credential's algorithm list allows `alg` (an empty list: the service did not say,
/// the key type decides).
pub fn offers(algos: &[String], alg: SignatureAlgorithm) -> bool {
    if algos.is_empty() {
        return true;
    }
    let has = |oid: &str| algos.iter().any(|a| a == oid);
    match alg {
        SignatureAlgorithm::RsaPkcs1(h) => has(pkcs1_oid(h)) || has(RSA),
        SignatureAlgorithm::RsaPss(_) => has(RSA_PSS),
        SignatureAlgorithm::Ecdsa(h) => has(ecdsa_oid(h)) || has(EC_PUBLIC_KEY),
    }
}

/// `signAlgo` and `signAlgoParams` (base64 DER) for `signatures/signHash`.
pub fn sign_algo(algos: &[String], alg: SignatureAlgorithm) -> (&'static str, Option<String>) {
    let has = |oid: &str| algos.iter().any(|a| a == oid);
    match alg {
        SignatureAlgorithm::RsaPkcs1(h) if has(pkcs1_oid(h)) || !has(RSA) => (pkcs1_oid(h), None),
        SignatureAlgorithm::RsaPkcs1(_) => (RSA, None),
        SignatureAlgorithm::RsaPss(h) => (
            RSA_PSS,
            Some(base64::engine::general_purpose::STANDARD.encode(pss_params(h))),
        ),
        SignatureAlgorithm::Ecdsa(h) if has(ecdsa_oid(h)) || !has(EC_PUBLIC_KEY) => {
            (ecdsa_oid(h), None)
        }
        SignatureAlgorithm::Ecdsa(_) => (EC_PUBLIC_KEY, None),
    }
}

/// DER `RSASSA-PSS-params`: the hash, MGF1 with the same hash, salt length = hash length.
pub fn pss_params(h: HashAlg) -> Vec<u8> {
    let hash_oid_der: &[u8] = match h {
        HashAlg::Sha256 => &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01],
        HashAlg::Sha384 => &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02],
        HashAlg::Sha512 => &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03],
    };
    let tlv = |tag: u8, body: &[u8]| {
        let mut v = vec![tag, body.len() as u8];
        v.extend_from_slice(body);
        v
    };
    let hash_alg = tlv(0x30, &[tlv(0x06, hash_oid_der), vec![0x05, 0x00]].concat());
    let mgf1 = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08];
    let mgf = tlv(0x30, &[tlv(0x06, &mgf1), hash_alg.clone()].concat());
    let salt = tlv(0x02, &[h.output_len() as u8]);
    tlv(
        0x30,
        &[tlv(0xa0, &hash_alg), tlv(0xa1, &mgf), tlv(0xa2, &salt)].concat(),
    )
}

/// Decodes base64 as services write it: standard or URL-safe alphabet, padded or not.
pub fn b64_decode(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(&s).ok())
}

/// Standard base64, as kyso sends hashes.
pub fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pss_params_der_for_sha256() {
        let p = pss_params(HashAlg::Sha256);
        assert_eq!(p.len(), 0x36);
        assert_eq!(&p[..4], &[0x30, 0x34, 0xa0, 0x0f]);
        assert_eq!(&p[p.len() - 3..], &[0x02, 0x01, 0x20]);
    }

    #[test]
    fn algorithms_by_oid() {
        let rsa = vec![RSA.to_owned()];
        let h = HashAlg::Sha384;
        assert!(offers(&rsa, SignatureAlgorithm::RsaPkcs1(h)));
        assert!(!offers(&rsa, SignatureAlgorithm::RsaPss(h)));
        assert_eq!(sign_algo(&rsa, SignatureAlgorithm::RsaPkcs1(h)).0, RSA);
        assert_eq!(
            sign_algo(&[], SignatureAlgorithm::Ecdsa(HashAlg::Sha256)).0,
            "1.2.840.10045.4.3.2"
        );
        assert_eq!(b64_decode("-_8").unwrap(), vec![0xfb, 0xff]);
    }
}
