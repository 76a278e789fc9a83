//! The certificate's public key: checks every signature a token returns before anyone uses it,
//! and converts ECDSA signatures between PKCS#11's raw `r || s` and DER.

use rsa::pkcs8::DecodePublicKey;
use sha2::{Sha256, Sha384, Sha512};
use signature::hazmat::PrehashVerifier;

use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::key::{Curve, KeyType, SignatureAlgorithm};

/// A public key able to verify the signatures kyso makes.
#[derive(Debug, Clone)]
pub enum PublicKey {
    /// RSA.
    Rsa(rsa::RsaPublicKey),
    /// ECDSA on P-256.
    P256(p256::PublicKey),
    /// ECDSA on P-384.
    P384(p384::PublicKey),
}

impl PublicKey {
    /// Parses a DER `SubjectPublicKeyInfo` (as found in certificates).
    pub fn from_spki_der(spki: &[u8]) -> Result<Self> {
        if let Ok(k) = rsa::RsaPublicKey::from_public_key_der(spki) {
            return Ok(PublicKey::Rsa(k));
        }
        if let Ok(k) = p256::PublicKey::from_public_key_der(spki) {
            return Ok(PublicKey::P256(k));
        }
        if let Ok(k) = p384::PublicKey::from_public_key_der(spki) {
            return Ok(PublicKey::P384(k));
        }
        Err(Error::Certificate(
            "public key is not RSA, P-256 or P-384: kyso cannot check signatures made with it"
                .into(),
        ))
    }

    /// Type and size, as shown to people and used to pick mechanisms.
    pub fn key_type(&self) -> KeyType {
        use rsa::traits::PublicKeyParts;
        match self {
            PublicKey::Rsa(k) => KeyType::Rsa { bits: k.n().bits() },
            PublicKey::P256(_) => KeyType::Ec { curve: Curve::P256 },
            PublicKey::P384(_) => KeyType::Ec { curve: Curve::P384 },
        }
    }

    /// Verifies RSA PKCS#1 v1.5 over caller-encoded bytes (`CKM_RSA_PKCS`).
    pub fn verify_pkcs1_raw(&self, data: &[u8], sig: &[u8]) -> bool {
        match self {
            PublicKey::Rsa(k) => k
                .verify(rsa::Pkcs1v15Sign::new_unprefixed(), data, sig)
                .is_ok(),
            _ => false,
        }
    }

    /// The curve, for EC keys.
    pub fn curve(&self) -> Option<Curve> {
        match self {
            PublicKey::Rsa(_) => None,
            PublicKey::P256(_) => Some(Curve::P256),
            PublicKey::P384(_) => Some(Curve::P384),
        }
    }

    /// Verifies a signature over a digest; ECDSA signatures are raw `r || s`.
    pub fn verify_digest(&self, alg: SignatureAlgorithm, digest: &[u8], sig: &[u8]) -> bool {
        if alg.hash().check_len(digest).is_err() {
            return false;
        }
        match (self, alg) {
            (PublicKey::Rsa(k), SignatureAlgorithm::RsaPkcs1(h)) => {
                let scheme = match h {
                    HashAlg::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
                    HashAlg::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
                    HashAlg::Sha512 => rsa::Pkcs1v15Sign::new::<Sha512>(),
                };
                k.verify(scheme, digest, sig).is_ok()
            }
            (PublicKey::Rsa(k), SignatureAlgorithm::RsaPss(h)) => {
                let r = match h {
                    HashAlg::Sha256 => k.verify(rsa::Pss::new::<Sha256>(), digest, sig),
                    HashAlg::Sha384 => k.verify(rsa::Pss::new::<Sha384>(), digest, sig),
                    HashAlg::Sha512 => k.verify(rsa::Pss::new::<Sha512>(), digest, sig),
                };
                r.is_ok()
            }
            (PublicKey::P256(k), SignatureAlgorithm::Ecdsa(_)) => {
                let vk = p256::ecdsa::VerifyingKey::from(k);
                p256::ecdsa::Signature::from_slice(sig)
                    .is_ok_and(|s| vk.verify_prehash(digest, &s).is_ok())
            }
            (PublicKey::P384(k), SignatureAlgorithm::Ecdsa(_)) => {
                let vk = p384::ecdsa::VerifyingKey::from(k);
                p384::ecdsa::Signature::from_slice(sig)
                    .is_ok_and(|s| vk.verify_prehash(digest, &s).is_ok())
            }
            _ => false,
        }
    }
}

/// Converts a raw `r || s` ECDSA signature to DER (X.509, CMS, `openssl dgst -verify`).
pub fn ecdsa_raw_to_der(curve: &Curve, raw: &[u8]) -> Result<Vec<u8>> {
    let bad = |e: ecdsa::Error| Error::InvalidInput(format!("malformed ECDSA signature: {e}"));
    match curve {
        Curve::P256 => Ok(p256::ecdsa::Signature::from_slice(raw)
            .map_err(bad)?
            .to_der()
            .as_bytes()
            .to_vec()),
        Curve::P384 => Ok(p384::ecdsa::Signature::from_slice(raw)
            .map_err(bad)?
            .to_der()
            .as_bytes()
            .to_vec()),
        other => Err(Error::InvalidInput(format!(
            "ECDSA on {other:?} is not supported"
        ))),
    }
}

/// Converts a DER ECDSA signature to raw `r || s` (PKCS#11's form).
pub fn ecdsa_der_to_raw(curve: &Curve, der: &[u8]) -> Result<Vec<u8>> {
    let bad = |e: ecdsa::Error| Error::InvalidInput(format!("malformed DER ECDSA signature: {e}"));
    match curve {
        Curve::P256 => Ok(p256::ecdsa::Signature::from_der(der)
            .map_err(bad)?
            .to_bytes()
            .to_vec()),
        Curve::P384 => Ok(p384::ecdsa::Signature::from_der(der)
            .map_err(bad)?
            .to_bytes()
            .to_vec()),
        other => Err(Error::InvalidInput(format!(
            "ECDSA on {other:?} is not supported"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdsa_raw_der_round_trip_p256() {
        // r has a high bit set (needs a 0x00 pad in DER), s is small (leading zeros stripped).
        let mut raw = vec![0u8; 64];
        raw[0] = 0x80;
        raw[31] = 1;
        raw[63] = 7;
        let der = ecdsa_raw_to_der(&Curve::P256, &raw).unwrap();
        assert_eq!(der[0], 0x30);
        assert_eq!(&der[2..5], &[0x02, 33, 0x00], "r padded");
        assert_eq!(&der[der.len() - 3..], &[0x02, 1, 7], "s minimal");
        assert_eq!(ecdsa_der_to_raw(&Curve::P256, &der).unwrap(), raw);
    }

    #[test]
    fn ecdsa_raw_der_round_trip_p384() {
        let raw: Vec<u8> = (1..=96).collect();
        let der = ecdsa_raw_to_der(&Curve::P384, &raw).unwrap();
        assert_eq!(ecdsa_der_to_raw(&Curve::P384, &der).unwrap(), raw);
    }

    #[test]
    fn ecdsa_rejects_malformed() {
        assert!(ecdsa_raw_to_der(&Curve::P256, &[1u8; 63]).is_err());
        assert!(
            ecdsa_raw_to_der(&Curve::P256, &[0u8; 64]).is_err(),
            "r = 0 is invalid"
        );
        assert!(ecdsa_der_to_raw(&Curve::P256, &[0x30, 0x03, 0x02, 0x01]).is_err());
        assert!(ecdsa_der_to_raw(&Curve::Other("1.2.3".into()), &[0x30, 0]).is_err());
    }

    #[test]
    fn verifies_p256_prehash_and_rejects_tampering() {
        use p256::ecdsa::{signature::hazmat::PrehashSigner, SigningKey};
        use p256::pkcs8::EncodePublicKey;
        let sk = SigningKey::from_slice(&[7u8; 32]).unwrap();
        let spki = sk.verifying_key().to_public_key_der().unwrap();
        let pk = PublicKey::from_spki_der(spki.as_bytes()).unwrap();
        let digest = HashAlg::Sha256.digest(b"document");
        let sig: p256::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
        let alg = SignatureAlgorithm::Ecdsa(HashAlg::Sha256);
        assert!(pk.verify_digest(alg, &digest, &sig.to_bytes()));
        let mut bad = digest.clone();
        bad[0] ^= 1;
        assert!(!pk.verify_digest(alg, &bad, &sig.to_bytes()));
        assert!(!pk.verify_digest(
            SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256),
            &digest,
            &sig.to_bytes()
        ));
    }
}
