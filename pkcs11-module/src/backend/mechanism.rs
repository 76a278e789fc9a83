//! The mechanisms the module offers, and how each maps onto a kyso [`SignatureAlgorithm`].
//!
//! Hashing mechanisms (`CKM_SHA256_RSA_PKCS`…) are done here: the module hashes, the token only
//! signs the digest. Raw mechanisms take what the host hashed (`CKM_RSA_PKCS` a DigestInfo,
//! `CKM_ECDSA` a bare digest).

use cryptoki_sys::*;
use kyso::{HashAlg, KeyType, SignatureAlgorithm};

use super::rv::Rv;

/// A mechanism as the host asked for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mech {
    /// `CKM_RSA_PKCS`: the input is a DigestInfo.
    RsaPkcs,
    /// `CKM_SHAxxx_RSA_PKCS`.
    RsaPkcsHash(HashAlg),
    /// `CKM_RSA_PKCS_PSS`: the input is a digest of this hash.
    RsaPss(HashAlg),
    /// `CKM_SHAxxx_RSA_PKCS_PSS`.
    RsaPssHash(HashAlg),
    /// `CKM_ECDSA`: the input is a digest.
    Ecdsa,
    /// `CKM_ECDSA_SHAxxx`.
    EcdsaHash(HashAlg),
    /// `CKM_SHAxxx` digesting.
    Digest(HashAlg),
}

/// `CK_RSA_PKCS_PSS_PARAMS` as read from the host.
#[derive(Debug, Clone, Copy)]
pub struct PssParams {
    /// `hashAlg`.
    pub hash: CK_MECHANISM_TYPE,
    /// `mgf`.
    pub mgf: CK_RSA_PKCS_MGF_TYPE,
    /// `sLen`.
    pub salt_len: CK_ULONG,
}

/// The signing and digest mechanisms offered on every slot.
pub const OFFERED: [CK_MECHANISM_TYPE; 15] = [
    CKM_RSA_PKCS,
    CKM_SHA256_RSA_PKCS,
    CKM_SHA384_RSA_PKCS,
    CKM_SHA512_RSA_PKCS,
    CKM_RSA_PKCS_PSS,
    CKM_SHA256_RSA_PKCS_PSS,
    CKM_SHA384_RSA_PKCS_PSS,
    CKM_SHA512_RSA_PKCS_PSS,
    CKM_ECDSA,
    CKM_ECDSA_SHA256,
    CKM_ECDSA_SHA384,
    CKM_ECDSA_SHA512,
    CKM_SHA256,
    CKM_SHA384,
    CKM_SHA512,
];

/// `CK_MECHANISM_INFO` for an offered mechanism: (min key size, max key size, flags).
pub fn info(ty: CK_MECHANISM_TYPE) -> Option<(CK_ULONG, CK_ULONG, CK_FLAGS)> {
    let sign = CKF_SIGN | CKF_VERIFY;
    match ty {
        CKM_SHA256 | CKM_SHA384 | CKM_SHA512 => Some((0, 0, CKF_DIGEST)),
        CKM_ECDSA | CKM_ECDSA_SHA256 | CKM_ECDSA_SHA384 | CKM_ECDSA_SHA512 => Some((
            256,
            384,
            sign | CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS,
        )),
        t if OFFERED.contains(&t) => Some((1024, 8192, sign)),
        _ => None,
    }
}

fn hash_of(ty: CK_MECHANISM_TYPE) -> Option<HashAlg> {
    match ty {
        CKM_SHA256 => Some(HashAlg::Sha256),
        CKM_SHA384 => Some(HashAlg::Sha384),
        CKM_SHA512 => Some(HashAlg::Sha512),
        _ => None,
    }
}

fn mgf_of(h: HashAlg) -> CK_RSA_PKCS_MGF_TYPE {
    match h {
        HashAlg::Sha256 => CKG_MGF1_SHA256,
        HashAlg::Sha384 => CKG_MGF1_SHA384,
        HashAlg::Sha512 => CKG_MGF1_SHA512,
    }
}

/// Reads a mechanism. PSS parameters must be what kyso signs with (MGF1 of the same hash, salt
/// as long as the hash): anything else is `CKR_MECHANISM_PARAM_INVALID`.
pub fn parse(ty: CK_MECHANISM_TYPE, pss: Option<PssParams>) -> Result<Mech, Rv> {
    let check_pss = |expected: Option<HashAlg>| -> Result<HashAlg, Rv> {
        let p = pss.ok_or(CKR_MECHANISM_PARAM_INVALID)?;
        let h = hash_of(p.hash).ok_or(CKR_MECHANISM_PARAM_INVALID)?;
        if expected.is_some_and(|e| e != h)
            || p.mgf != mgf_of(h)
            || p.salt_len != h.output_len() as CK_ULONG
        {
            return Err(CKR_MECHANISM_PARAM_INVALID);
        }
        Ok(h)
    };
    Ok(match ty {
        CKM_RSA_PKCS => Mech::RsaPkcs,
        CKM_SHA256_RSA_PKCS => Mech::RsaPkcsHash(HashAlg::Sha256),
        CKM_SHA384_RSA_PKCS => Mech::RsaPkcsHash(HashAlg::Sha384),
        CKM_SHA512_RSA_PKCS => Mech::RsaPkcsHash(HashAlg::Sha512),
        CKM_RSA_PKCS_PSS => Mech::RsaPss(check_pss(None)?),
        CKM_SHA256_RSA_PKCS_PSS => Mech::RsaPssHash(check_pss(Some(HashAlg::Sha256))?),
        CKM_SHA384_RSA_PKCS_PSS => Mech::RsaPssHash(check_pss(Some(HashAlg::Sha384))?),
        CKM_SHA512_RSA_PKCS_PSS => Mech::RsaPssHash(check_pss(Some(HashAlg::Sha512))?),
        CKM_ECDSA => Mech::Ecdsa,
        CKM_ECDSA_SHA256 => Mech::EcdsaHash(HashAlg::Sha256),
        CKM_ECDSA_SHA384 => Mech::EcdsaHash(HashAlg::Sha384),
        CKM_ECDSA_SHA512 => Mech::EcdsaHash(HashAlg::Sha512),
        t => match hash_of(t) {
            Some(h) => Mech::Digest(h),
            None => return Err(CKR_MECHANISM_INVALID),
        },
    })
}

impl Mech {
    /// The hash the module computes itself, for hashing mechanisms.
    pub fn host_hash(self) -> Option<HashAlg> {
        match self {
            Mech::RsaPkcsHash(h) | Mech::RsaPssHash(h) | Mech::EcdsaHash(h) | Mech::Digest(h) => {
                Some(h)
            }
            _ => None,
        }
    }

    /// Whether a key of this type can be used with the mechanism.
    pub fn fits(self, key: &KeyType) -> bool {
        match self {
            Mech::RsaPkcs | Mech::RsaPkcsHash(_) | Mech::RsaPss(_) | Mech::RsaPssHash(_) => {
                matches!(key, KeyType::Rsa { .. })
            }
            Mech::Ecdsa | Mech::EcdsaHash(_) => matches!(key, KeyType::Ec { .. }),
            Mech::Digest(_) => false,
        }
    }

    /// Turns the host's input (or the module's digest of it) into a kyso algorithm and digest.
    pub fn to_digest(self, input: &[u8]) -> Result<(SignatureAlgorithm, &[u8]), Rv> {
        match self {
            Mech::RsaPkcsHash(h) => Ok((SignatureAlgorithm::RsaPkcs1(h), input)),
            Mech::RsaPssHash(h) => Ok((SignatureAlgorithm::RsaPss(h), input)),
            Mech::EcdsaHash(h) => Ok((SignatureAlgorithm::Ecdsa(h), input)),
            Mech::RsaPkcs => parse_digest_info(input)
                .map(|(h, d)| (SignatureAlgorithm::RsaPkcs1(h), d))
                .ok_or(CKR_DATA_INVALID),
            Mech::RsaPss(h) => {
                if input.len() == h.output_len() {
                    Ok((SignatureAlgorithm::RsaPss(h), input))
                } else {
                    Err(CKR_DATA_LEN_RANGE)
                }
            }
            Mech::Ecdsa => {
                let h = [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512]
                    .into_iter()
                    .find(|h| h.output_len() == input.len())
                    .ok_or(CKR_DATA_LEN_RANGE)?;
                Ok((SignatureAlgorithm::Ecdsa(h), input))
            }
            Mech::Digest(_) => Err(CKR_MECHANISM_INVALID),
        }
    }
}

/// Recognises a DigestInfo of SHA-256/384/512 and splits it into hash and digest.
pub fn parse_digest_info(input: &[u8]) -> Option<(HashAlg, &[u8])> {
    [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512]
        .into_iter()
        .find_map(|h| {
            let n = h.output_len();
            if input.len() <= n {
                return None;
            }
            let digest = &input[input.len() - n..];
            (h.digest_info(digest).ok()? == input).then_some((h, digest))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_info_round_trip_and_rejection() {
        let d = HashAlg::Sha384.digest(b"x");
        let di = HashAlg::Sha384.digest_info(&d).unwrap();
        assert_eq!(parse_digest_info(&di), Some((HashAlg::Sha384, &d[..])));
        assert_eq!(
            parse_digest_info(&d),
            None,
            "a bare digest is not a DigestInfo"
        );
        let mut bad = di.clone();
        bad[5] ^= 1;
        assert_eq!(parse_digest_info(&bad), None);
    }

    #[test]
    fn pss_params_must_match_kyso_profile() {
        let good = PssParams {
            hash: CKM_SHA256,
            mgf: CKG_MGF1_SHA256,
            salt_len: 32,
        };
        assert_eq!(
            parse(CKM_RSA_PKCS_PSS, Some(good)),
            Ok(Mech::RsaPss(HashAlg::Sha256))
        );
        assert_eq!(
            parse(CKM_SHA256_RSA_PKCS_PSS, Some(good)),
            Ok(Mech::RsaPssHash(HashAlg::Sha256))
        );
        assert_eq!(
            parse(CKM_SHA384_RSA_PKCS_PSS, Some(good)),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
        let salt0 = PssParams {
            salt_len: 0,
            ..good
        };
        assert_eq!(
            parse(CKM_RSA_PKCS_PSS, Some(salt0)),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
        assert_eq!(
            parse(CKM_RSA_PKCS_PSS, None),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
        assert_eq!(parse(CKM_MD5, None), Err(CKR_MECHANISM_INVALID));
    }

    #[test]
    fn ecdsa_raw_takes_the_hash_from_the_length() {
        assert_eq!(
            Mech::Ecdsa.to_digest(&[1; 48]).unwrap().0,
            SignatureAlgorithm::Ecdsa(HashAlg::Sha384)
        );
        assert_eq!(Mech::Ecdsa.to_digest(&[1; 20]), Err(CKR_DATA_LEN_RANGE));
    }
}
