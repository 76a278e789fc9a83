//! Chooses the PKCS#11 mechanism for a signature from what the token offers.
//!
//! Preference: raw mechanisms over a host-computed digest (`CKM_RSA_PKCS` with our DigestInfo,
//! `CKM_RSA_PKCS_PSS`, `CKM_ECDSA`) because hashing stays on the host, fast and streamed; the
//! hashing mechanisms (`CKM_SHA256_RSA_PKCS`…) only when the token lacks the raw one.

use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};

use crate::digest::HashAlg;
use crate::key::SignatureAlgorithm;

/// Whether `offered` (sorted, as [`super::token::Pkcs11Token::mechanisms`] keeps it) has `ty`:
/// a binary search, as this runs on every signature and tokens list dozens of mechanisms.
fn offers(offered: &[MechanismType], ty: MechanismType) -> bool {
    offered.binary_search_by_key(&*ty, |m| **m).is_ok()
}

/// The mechanism that signs a host-computed digest, if the token has it.
pub fn for_digest(
    alg: SignatureAlgorithm,
    offered: &[MechanismType],
) -> Option<Mechanism<'static>> {
    let (ty, mech) = match alg {
        SignatureAlgorithm::RsaPkcs1(_) => (MechanismType::RSA_PKCS, Mechanism::RsaPkcs),
        SignatureAlgorithm::RsaPss(h) => {
            (MechanismType::RSA_PKCS_PSS, Mechanism::RsaPkcsPss(pss(h)))
        }
        SignatureAlgorithm::Ecdsa(_) => (MechanismType::ECDSA, Mechanism::Ecdsa),
    };
    offers(offered, ty).then_some(mech)
}

/// The hashing mechanism that signs the whole message, if the token has it.
pub fn for_data(alg: SignatureAlgorithm, offered: &[MechanismType]) -> Option<Mechanism<'static>> {
    use HashAlg::*;
    let (ty, mech) = match alg {
        SignatureAlgorithm::RsaPkcs1(Sha256) => {
            (MechanismType::SHA256_RSA_PKCS, Mechanism::Sha256RsaPkcs)
        }
        SignatureAlgorithm::RsaPkcs1(Sha384) => {
            (MechanismType::SHA384_RSA_PKCS, Mechanism::Sha384RsaPkcs)
        }
        SignatureAlgorithm::RsaPkcs1(Sha512) => {
            (MechanismType::SHA512_RSA_PKCS, Mechanism::Sha512RsaPkcs)
        }
        SignatureAlgorithm::RsaPss(h @ Sha256) => (
            MechanismType::SHA256_RSA_PKCS_PSS,
            Mechanism::Sha256RsaPkcsPss(pss(h)),
        ),
        SignatureAlgorithm::RsaPss(h @ Sha384) => (
            MechanismType::SHA384_RSA_PKCS_PSS,
            Mechanism::Sha384RsaPkcsPss(pss(h)),
        ),
        SignatureAlgorithm::RsaPss(h @ Sha512) => (
            MechanismType::SHA512_RSA_PKCS_PSS,
            Mechanism::Sha512RsaPkcsPss(pss(h)),
        ),
        SignatureAlgorithm::Ecdsa(Sha256) => (MechanismType::ECDSA_SHA256, Mechanism::EcdsaSha256),
        SignatureAlgorithm::Ecdsa(Sha384) => (MechanismType::ECDSA_SHA384, Mechanism::EcdsaSha384),
        SignatureAlgorithm::Ecdsa(Sha512) => (MechanismType::ECDSA_SHA512, Mechanism::EcdsaSha512),
    };
    offers(offered, ty).then_some(mech)
}

/// PSS parameters as RFC 8017 recommends and every validator expects: MGF1 with the message
/// hash, salt as long as the hash.
fn pss(h: HashAlg) -> PkcsPssParams {
    let (hash_alg, mgf) = match h {
        HashAlg::Sha256 => (MechanismType::SHA256, PkcsMgfType::MGF1_SHA256),
        HashAlg::Sha384 => (MechanismType::SHA384, PkcsMgfType::MGF1_SHA384),
        HashAlg::Sha512 => (MechanismType::SHA512, PkcsMgfType::MGF1_SHA512),
    };
    PkcsPssParams {
        hash_alg,
        mgf,
        s_len: (h.output_len() as u64).into(),
    }
}

/// Parses a `CKM_*` name as used in `kyso.toml` (`avoid_mechanisms`).
pub fn parse_name(name: &str) -> Option<MechanismType> {
    let known = [
        MechanismType::RSA_PKCS,
        MechanismType::RSA_PKCS_PSS,
        MechanismType::ECDSA,
        MechanismType::SHA256_RSA_PKCS,
        MechanismType::SHA384_RSA_PKCS,
        MechanismType::SHA512_RSA_PKCS,
        MechanismType::SHA256_RSA_PKCS_PSS,
        MechanismType::SHA384_RSA_PKCS_PSS,
        MechanismType::SHA512_RSA_PKCS_PSS,
        MechanismType::ECDSA_SHA256,
        MechanismType::ECDSA_SHA384,
        MechanismType::ECDSA_SHA512,
    ];
    known.into_iter().find(|m| m.to_string() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSA256: SignatureAlgorithm = SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256);

    /// As `Pkcs11Token::mechanisms` keeps them.
    fn sorted(mut v: Vec<MechanismType>) -> Vec<MechanismType> {
        v.sort_unstable_by_key(|m| **m);
        v
    }

    #[test]
    fn prefers_raw_mechanisms_for_digests() {
        let offered = sorted(vec![
            MechanismType::SHA256_RSA_PKCS,
            MechanismType::RSA_PKCS,
        ]);
        assert_eq!(
            for_digest(RSA256, &offered).unwrap().mechanism_type(),
            MechanismType::RSA_PKCS
        );
        assert_eq!(
            for_data(RSA256, &offered).unwrap().mechanism_type(),
            MechanismType::SHA256_RSA_PKCS
        );
    }

    #[test]
    fn hashing_only_tokens_have_no_digest_mechanism() {
        let offered = sorted(vec![MechanismType::SHA256_RSA_PKCS]);
        assert!(for_digest(RSA256, &offered).is_none());
        assert!(for_data(SignatureAlgorithm::RsaPkcs1(HashAlg::Sha384), &offered).is_none());
    }

    #[test]
    fn pss_and_ecdsa_mapping() {
        let offered = [
            MechanismType::RSA_PKCS_PSS,
            MechanismType::ECDSA,
            MechanismType::ECDSA_SHA384,
        ];
        let m = for_digest(SignatureAlgorithm::RsaPss(HashAlg::Sha384), &offered).unwrap();
        match m {
            Mechanism::RsaPkcsPss(p) => {
                assert_eq!(p.hash_alg, MechanismType::SHA384);
                assert_eq!(p.mgf, PkcsMgfType::MGF1_SHA384);
                assert_eq!(u64::from(p.s_len), 48);
            }
            other => panic!("{other:?}"),
        }
        let e = SignatureAlgorithm::Ecdsa(HashAlg::Sha384);
        assert_eq!(
            for_digest(e, &offered).unwrap().mechanism_type(),
            MechanismType::ECDSA
        );
        assert_eq!(
            for_data(e, &offered).unwrap().mechanism_type(),
            MechanismType::ECDSA_SHA384
        );
    }

    #[test]
    fn parses_ckm_names() {
        assert_eq!(parse_name("CKM_RSA_PKCS"), Some(MechanismType::RSA_PKCS));
        assert_eq!(
            parse_name("CKM_ECDSA_SHA256"),
            Some(MechanismType::ECDSA_SHA256)
        );
        assert_eq!(parse_name("CKM_NOPE"), None);
    }
}
