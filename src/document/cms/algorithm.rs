//! How kyso's [`SignatureAlgorithm`]s and [`HashAlg`]s are named in CMS (RFC 5754, RFC 4055,
//! RFC 5758), and back.

use const_oid::db::{rfc5911, rfc5912};
use const_oid::ObjectIdentifier;
use der::asn1::Null;
use der::{Any, Decode, Encode};
use spki::AlgorithmIdentifierOwned;

use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::key::SignatureAlgorithm;

/// The digest algorithm identifier (parameters absent, as RFC 5754 prefers).
pub fn digest_algorithm(hash: HashAlg) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: hash_oid(hash),
        parameters: None,
    }
}

fn hash_oid(hash: HashAlg) -> ObjectIdentifier {
    match hash {
        HashAlg::Sha256 => rfc5912::ID_SHA_256,
        HashAlg::Sha384 => rfc5912::ID_SHA_384,
        HashAlg::Sha512 => rfc5912::ID_SHA_512,
    }
}

/// The hash named by a digest algorithm identifier.
pub fn hash_from_oid(oid: &ObjectIdentifier) -> Result<HashAlg> {
    [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512]
        .into_iter()
        .find(|h| hash_oid(*h) == *oid)
        .ok_or_else(|| Error::InvalidInput(format!("unsupported digest algorithm {oid}")))
}

/// The `signatureAlgorithm` of a SignerInfo: `rsaEncryption` (NULL parameters) for PKCS#1 v1.5,
/// as OpenSSL and most CMS signers write it; `id-RSASSA-PSS` with explicit parameters (hash,
/// MGF1 with the same hash, salt length = hash length); `ecdsa-with-SHA*` without parameters.
pub fn signature_algorithm(alg: SignatureAlgorithm) -> Result<AlgorithmIdentifierOwned> {
    let encode_err = |e: der::Error| Error::InvalidInput(format!("encoding PSS parameters: {e}"));
    Ok(match alg {
        SignatureAlgorithm::RsaPkcs1(_) => AlgorithmIdentifierOwned {
            oid: rfc5912::RSA_ENCRYPTION,
            parameters: Some(Any::from(Null)),
        },
        SignatureAlgorithm::RsaPss(h) => {
            let salt = h.output_len() as u8;
            let params = match h {
                HashAlg::Sha256 => rsa::pkcs1::RsaPssParams::new::<sha2::Sha256>(salt),
                HashAlg::Sha384 => rsa::pkcs1::RsaPssParams::new::<sha2::Sha384>(salt),
                HashAlg::Sha512 => rsa::pkcs1::RsaPssParams::new::<sha2::Sha512>(salt),
            };
            let der = params.to_der().map_err(encode_err)?;
            AlgorithmIdentifierOwned {
                oid: rfc5912::ID_RSASSA_PSS,
                parameters: Some(Any::from_der(&der).map_err(encode_err)?),
            }
        }
        SignatureAlgorithm::Ecdsa(h) => AlgorithmIdentifierOwned {
            oid: match h {
                HashAlg::Sha256 => rfc5912::ECDSA_WITH_SHA_256,
                HashAlg::Sha384 => rfc5912::ECDSA_WITH_SHA_384,
                HashAlg::Sha512 => rfc5912::ECDSA_WITH_SHA_512,
            },
            parameters: None,
        },
    })
}

/// The kyso algorithm a SignerInfo names, given its digest algorithm (used when the signature
/// algorithm does not carry the hash itself, as `rsaEncryption` does not).
pub fn algorithm_from_cms(
    sig_alg: &AlgorithmIdentifierOwned,
    digest: HashAlg,
) -> Result<SignatureAlgorithm> {
    let oid = sig_alg.oid;
    let alg = if oid == rfc5912::RSA_ENCRYPTION {
        SignatureAlgorithm::RsaPkcs1(digest)
    } else if oid == rfc5912::SHA_256_WITH_RSA_ENCRYPTION {
        SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256)
    } else if oid == rfc5912::SHA_384_WITH_RSA_ENCRYPTION {
        SignatureAlgorithm::RsaPkcs1(HashAlg::Sha384)
    } else if oid == rfc5912::SHA_512_WITH_RSA_ENCRYPTION {
        SignatureAlgorithm::RsaPkcs1(HashAlg::Sha512)
    } else if oid == rfc5912::ECDSA_WITH_SHA_256 {
        SignatureAlgorithm::Ecdsa(HashAlg::Sha256)
    } else if oid == rfc5912::ECDSA_WITH_SHA_384 {
        SignatureAlgorithm::Ecdsa(HashAlg::Sha384)
    } else if oid == rfc5912::ECDSA_WITH_SHA_512 {
        SignatureAlgorithm::Ecdsa(HashAlg::Sha512)
    } else if oid == rfc5912::ID_EC_PUBLIC_KEY {
        SignatureAlgorithm::Ecdsa(digest)
    } else if oid == rfc5912::ID_RSASSA_PSS {
        SignatureAlgorithm::RsaPss(pss_hash(sig_alg)?)
    } else {
        return Err(Error::InvalidInput(format!(
            "unsupported signature algorithm {oid}"
        )));
    };
    Ok(alg)
}

/// The hash of RSASSA-PSS parameters; kyso only verifies MGF1 with the same hash.
fn pss_hash(sig_alg: &AlgorithmIdentifierOwned) -> Result<HashAlg> {
    let bad = |m: String| Error::InvalidInput(format!("RSASSA-PSS parameters: {m}"));
    let params = sig_alg
        .parameters
        .as_ref()
        .ok_or_else(|| bad("absent (SHA-1 defaults are not accepted)".into()))?;
    let der = params.to_der().map_err(|e| bad(e.to_string()))?;
    let p = rsa::pkcs1::RsaPssParams::try_from(der.as_slice()).map_err(|e| bad(e.to_string()))?;
    let hash = hash_from_oid(&p.hash.oid)?;
    let mgf_hash = p.mask_gen.parameters.map(|a| a.oid);
    if p.mask_gen.oid != rfc5912::ID_MGF_1 || mgf_hash != Some(p.hash.oid) {
        return Err(bad("MGF1 must use the same hash as the signature".into()));
    }
    if usize::from(p.salt_len) != hash.output_len() {
        return Err(bad(format!(
            "salt length {} (kyso verifies salt = hash length, {})",
            p.salt_len,
            hash.output_len()
        )));
    }
    Ok(hash)
}

/// `id-data`, the content type of a detached signature over a file.
pub const ID_DATA: ObjectIdentifier = rfc5911::ID_DATA;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pss_parameters_round_trip() {
        for h in [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
            let ai = signature_algorithm(SignatureAlgorithm::RsaPss(h)).unwrap();
            assert_eq!(
                algorithm_from_cms(&ai, HashAlg::Sha256).unwrap(),
                SignatureAlgorithm::RsaPss(h)
            );
        }
    }

    #[test]
    fn pkcs1_and_ecdsa_names() {
        let ai = signature_algorithm(SignatureAlgorithm::RsaPkcs1(HashAlg::Sha384)).unwrap();
        assert_eq!(ai.oid, rfc5912::RSA_ENCRYPTION);
        assert_eq!(
            algorithm_from_cms(&ai, HashAlg::Sha384).unwrap(),
            SignatureAlgorithm::RsaPkcs1(HashAlg::Sha384)
        );
        let ai = signature_algorithm(SignatureAlgorithm::Ecdsa(HashAlg::Sha256)).unwrap();
        assert!(ai.parameters.is_none());
        assert_eq!(
            algorithm_from_cms(&ai, HashAlg::Sha512).unwrap(),
            SignatureAlgorithm::Ecdsa(HashAlg::Sha256)
        );
    }
}
