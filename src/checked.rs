//! "Checked" as a type: a [`CheckedSignature`] exists only once a token's signature has been
//! verified against the certificate's public key, and every output kyso writes (a raw
//! signature, a CMS, a signed PDF) is built from one. Backends return what the token answered;
//! this is the one place that judges it.

use crate::cert::Certificate;
use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::key::SignatureAlgorithm;
use crate::public_key::{ecdsa_der_to_raw, ecdsa_raw_to_der, PublicKey};

/// A signature verified against the signer's certificate, in the encoding documents carry
/// (ECDSA as DER `ECDSA-Sig-Value`, RSA as is). Only a [`Verifier`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedSignature {
    alg: SignatureAlgorithm,
    encoded: Vec<u8>,
}

impl CheckedSignature {
    /// The algorithm it was checked with.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        self.alg
    }

    /// The signature as CMS, X.509 and `openssl dgst -verify` read it (ECDSA in DER).
    pub fn as_bytes(&self) -> &[u8] {
        &self.encoded
    }

    /// [`CheckedSignature::as_bytes`], owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.encoded
    }
}

/// Checks a token's signatures against one certificate's public key.
#[derive(Debug, Clone)]
pub struct Verifier {
    spki: Vec<u8>,
    key: PublicKey,
    /// Names the certificate in [`Error::SignatureCheck`].
    name: String,
}

impl Verifier {
    /// A verifier for the key of `cert`; `name` is what a failed check calls it (a key label).
    pub fn new(cert: &Certificate, name: impl Into<String>) -> Result<Verifier> {
        Ok(Verifier {
            spki: cert.spki_der().to_vec(),
            key: PublicKey::from_spki_der(cert.spki_der())?,
            name: name.into(),
        })
    }

    fn failed(&self) -> Error {
        Error::SignatureCheck(self.name.clone())
    }

    /// The encoding documents carry, from the token's form (ECDSA raw `r || s` to DER).
    fn encode(&self, alg: SignatureAlgorithm, sig: Vec<u8>) -> Result<Vec<u8>> {
        match (alg, self.key.curve()) {
            (SignatureAlgorithm::Ecdsa(_), Some(curve)) => {
                ecdsa_raw_to_der(&curve, &sig).map_err(|_| self.failed())
            }
            _ => Ok(sig),
        }
    }

    /// Checks a signature (ECDSA raw `r || s`, as PKCS#11 returns it) over `digest`. A check
    /// from a digest runs in pure Rust: slower than [`Verifier::check_message`] for RSA.
    pub fn check_digest(
        &self,
        alg: SignatureAlgorithm,
        digest: &[u8],
        sig: Vec<u8>,
    ) -> Result<CheckedSignature> {
        if !self.key.verify_digest(alg, digest, &sig) {
            return Err(self.failed());
        }
        Ok(CheckedSignature {
            alg,
            encoded: self.encode(alg, sig)?,
        })
    }

    /// Checks a signature (ECDSA raw `r || s`) over the whole `message`, with ring where
    /// it can (about ten times faster than the check from a digest for RSA).
    pub fn check_message(
        &self,
        alg: SignatureAlgorithm,
        message: &[u8],
        sig: Vec<u8>,
    ) -> Result<CheckedSignature> {
        let encoded = self.encode(alg, sig)?;
        if !verify_signature_bytes(&self.spki, alg, message, &encoded) {
            return Err(self.failed());
        }
        Ok(CheckedSignature { alg, encoded })
    }

    /// Checks raw RSA PKCS#1 v1.5 over caller-encoded bytes (`CKM_RSA_PKCS`).
    pub fn check_pkcs1_raw(&self, data: &[u8], sig: Vec<u8>) -> Result<CheckedSignature> {
        if !self.key.verify_pkcs1_raw(data, &sig) {
            return Err(self.failed());
        }
        Ok(CheckedSignature {
            alg: SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256),
            encoded: sig,
        })
    }
}

/// Whether `sig` (as documents carry it: ECDSA in DER) is a valid signature by the key of
/// `spki_der` over `data`.
pub(crate) fn verify_signature_bytes(
    spki_der: &[u8],
    alg: SignatureAlgorithm,
    data: &[u8],
    sig: &[u8],
) -> bool {
    if ring_verifies(spki_der, alg, data, sig) {
        return true;
    }
    // Anything ring does not take (keys under 2048 bits, ECDSA with SHA-512, PSS salts other
    // than the hash length) or refuses is decided by the RustCrypto implementations.
    let Ok(key) = PublicKey::from_spki_der(spki_der) else {
        return false;
    };
    let mut sig = sig.to_vec();
    if let SignatureAlgorithm::Ecdsa(_) = alg {
        if let Some(curve) = key.curve() {
            sig = ecdsa_der_to_raw(&curve, &sig).unwrap_or_default();
        }
    }
    key.verify_digest(alg, &alg.hash().digest(data), &sig)
}

/// ring's verification over the message: about ten times faster than the RustCrypto RSA check
/// (a `kyso sign` batch checks every signature it writes). `true` only for a valid signature.
fn ring_verifies(spki_der: &[u8], alg: SignatureAlgorithm, data: &[u8], sig: &[u8]) -> bool {
    use ring::signature as rs;
    use x509_parser::prelude::FromDer;
    let Ok((_, spki)) = x509_parser::x509::SubjectPublicKeyInfo::from_der(spki_der) else {
        return false;
    };
    let key = spki.subject_public_key.data.as_ref();
    let params: &dyn rs::VerificationAlgorithm = match (alg, key.len()) {
        // an uncompressed P-256 point is 65 bytes, P-384 97; RSA keys are DER, longer
        (SignatureAlgorithm::Ecdsa(HashAlg::Sha256), 65) => &rs::ECDSA_P256_SHA256_ASN1,
        (SignatureAlgorithm::Ecdsa(HashAlg::Sha384), 65) => &rs::ECDSA_P256_SHA384_ASN1,
        (SignatureAlgorithm::Ecdsa(HashAlg::Sha256), 97) => &rs::ECDSA_P384_SHA256_ASN1,
        (SignatureAlgorithm::Ecdsa(HashAlg::Sha384), 97) => &rs::ECDSA_P384_SHA384_ASN1,
        (SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256), _) => &rs::RSA_PKCS1_2048_8192_SHA256,
        (SignatureAlgorithm::RsaPkcs1(HashAlg::Sha384), _) => &rs::RSA_PKCS1_2048_8192_SHA384,
        (SignatureAlgorithm::RsaPkcs1(HashAlg::Sha512), _) => &rs::RSA_PKCS1_2048_8192_SHA512,
        (SignatureAlgorithm::RsaPss(HashAlg::Sha256), _) => &rs::RSA_PSS_2048_8192_SHA256,
        (SignatureAlgorithm::RsaPss(HashAlg::Sha384), _) => &rs::RSA_PSS_2048_8192_SHA384,
        (SignatureAlgorithm::RsaPss(HashAlg::Sha512), _) => &rs::RSA_PSS_2048_8192_SHA512,
        _ => return false,
    };
    let is_rsa = matches!(
        alg,
        SignatureAlgorithm::RsaPkcs1(_) | SignatureAlgorithm::RsaPss(_)
    );
    if is_rsa != (spki.algorithm.algorithm.to_id_string() == "1.2.840.113549.1.1.1") {
        return false;
    }
    rs::UnparsedPublicKey::new(params, key)
        .verify(data, sig)
        .is_ok()
}
