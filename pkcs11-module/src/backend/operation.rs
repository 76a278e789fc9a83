//! Per-session cryptographic operations: sign, verify, digest — one-shot or multi-part.

use std::sync::Arc;

use cryptoki_sys::*;
use kyso::digest::Hasher;
use kyso::key::Curve;
use kyso::public_key::PublicKey;
use kyso::{HashAlg, KeyType, Signer};

use super::mechanism::{self, Mech};
use super::rv::{self, Rv};

/// Raw mechanisms get a DigestInfo or a digest; nothing legitimate is longer.
const MAX_RAW_INPUT: usize = 1024;

/// Data collected between init and final.
enum Input {
    /// Raw mechanisms: the host's bytes.
    Buffer(Vec<u8>),
    /// Hashing mechanisms: hashed as it arrives, constant memory.
    Hash(Box<Hasher>),
    /// Hashing mechanisms on always-authenticate keys: the whole message, for the token's own
    /// hashing mechanism (multi-part after the context login works on every token; multi-part
    /// raw mechanisms do not).
    Message(Vec<u8>),
}

impl Input {
    fn new(mech: Mech, keep_message: bool) -> Self {
        match mech.host_hash() {
            Some(_) if keep_message => Input::Message(Vec::new()),
            Some(h) => Input::Hash(Box::new(Hasher::new(h))),
            None => Input::Buffer(Vec::new()),
        }
    }

    fn update(&mut self, data: &[u8]) -> Result<(), Rv> {
        match self {
            Input::Hash(h) => h.update(data),
            Input::Message(m) => m.extend_from_slice(data),
            Input::Buffer(b) => {
                if b.len() + data.len() > MAX_RAW_INPUT {
                    return Err(CKR_DATA_LEN_RANGE);
                }
                b.extend_from_slice(data);
            }
        }
        Ok(())
    }

    /// What the mechanism signs: the digest (hashing mechanisms) or the host's bytes.
    fn finish(self, mech: Mech) -> Vec<u8> {
        match self {
            Input::Hash(h) => h.finish(),
            Input::Message(m) => mech.host_hash().map(|h| h.digest(&m)).unwrap_or(m),
            Input::Buffer(b) => b,
        }
    }
}

/// Signature length for a key, as the size query of `C_Sign` answers it.
fn signature_len(key: &KeyType) -> usize {
    match key {
        KeyType::Rsa { bits } => bits.div_ceil(8),
        KeyType::Ec { curve: Curve::P384 } => 96,
        KeyType::Ec { curve: Curve::P521 } => 132,
        _ => 64,
    }
}

/// A signature in progress.
pub struct SignOp {
    mech: Mech,
    signer: Arc<dyn Signer>,
    input: Input,
    /// The key wants `C_Login(CKU_CONTEXT_SPECIFIC)` before this signature.
    pub needs_context_login: bool,
    /// The host did that login.
    pub context_login_done: bool,
    /// The signature's length, from the key (the size query of every `C_Sign`).
    len: usize,
}

impl SignOp {
    /// Starts signing with a private key object's signer.
    pub fn new(mech: Mech, signer: Arc<dyn Signer>) -> Result<Self, Rv> {
        if !mech.fits(&signer.key().key_type) {
            return Err(CKR_KEY_TYPE_INCONSISTENT);
        }
        let key = signer.key();
        let always = key.always_authenticate;
        Ok(SignOp {
            mech,
            input: Input::new(mech, always),
            needs_context_login: always,
            context_login_done: false,
            len: signature_len(&key.key_type),
            signer,
        })
    }

    /// Length of the signature this operation will produce.
    pub fn signature_len(&self) -> usize {
        self.len
    }

    /// Adds data (multi-part, or the one-shot's data).
    pub fn update(&mut self, data: &[u8]) -> Result<(), Rv> {
        self.input.update(data)
    }

    /// Signs through the token into `out` (the host's buffer, at least
    /// [`SignOp::signature_len`] long), with the one-shot `C_Sign`'s data (`last`) or after
    /// `C_SignUpdate`s; the signature's length. ECDSA comes back raw `r || s`, as PKCS#11
    /// wants. The signature goes to the host as the token made it, unchecked: a proxy adds no
    /// check the token itself would not make (and a software ECDSA verification costs more
    /// than SoftHSM's signature).
    pub fn finish(mut self, last: Option<&[u8]>, out: &mut [u8]) -> Result<usize, Rv> {
        if self.needs_context_login && !self.context_login_done {
            return Err(CKR_USER_NOT_LOGGED_IN);
        }
        // A one-shot raw signature (the host hashed): the host's bytes as they are, uncopied.
        if let (Some(data), Input::Buffer(b)) = (last, &self.input) {
            if b.is_empty() && self.mech != Mech::RsaPkcs {
                if data.len() > MAX_RAW_INPUT {
                    return Err(CKR_DATA_LEN_RANGE);
                }
                let (alg, digest) = self.mech.to_digest(data)?;
                return self.signed(self.signer.sign_digest_into(alg, digest, out));
            }
        }
        if let Some(d) = last {
            self.input.update(d)?;
        }
        let sig = match std::mem::replace(&mut self.input, Input::Buffer(Vec::new())) {
            Input::Message(m) => {
                let (alg, _) = self.mech.to_digest(&[])?;
                self.signer.sign_data(alg, &mut m.as_slice())
            }
            // CKM_RSA_PKCS over bytes that are no DigestInfo kyso knows: pass them through.
            Input::Buffer(b)
                if self.mech == Mech::RsaPkcs && mechanism::parse_digest_info(&b).is_none() =>
            {
                self.signer.sign_pkcs1_raw(&b)
            }
            input => {
                let input = input.finish(self.mech);
                let (alg, digest) = self.mech.to_digest(&input)?;
                return self.signed(self.signer.sign_digest_into(alg, digest, out));
            }
        };
        let sig = self.signed(sig)?;
        let dst = out.get_mut(..sig.len()).ok_or(CKR_DEVICE_ERROR)?;
        dst.copy_from_slice(&sig);
        Ok(sig.len())
    }

    fn signed<T>(&self, result: kyso::Result<T>) -> Result<T, Rv> {
        if result.is_ok() {
            // What a user (or a test) checks to know a host signed through kyso; no key material.
            log::info!(
                "signed with {:?} for certificate '{}'",
                self.mech,
                self.signer.certificate().common_name().unwrap_or("?")
            );
        }
        result.map_err(|e| rv::from_error(&e))
    }
}

/// A verification in progress, with the public key from the certificate.
pub struct VerifyOp {
    mech: Mech,
    key: Arc<PublicKey>,
    key_type: KeyType,
    input: Input,
}

impl VerifyOp {
    /// Starts verifying.
    pub fn new(mech: Mech, key: Arc<PublicKey>, key_type: KeyType) -> Result<Self, Rv> {
        if !mech.fits(&key_type) {
            return Err(CKR_KEY_TYPE_INCONSISTENT);
        }
        Ok(VerifyOp {
            input: Input::new(mech, false),
            mech,
            key,
            key_type,
        })
    }

    /// Adds data.
    pub fn update(&mut self, data: &[u8]) -> Result<(), Rv> {
        self.input.update(data)
    }

    /// `CKR_OK` or why the signature is refused.
    pub fn finish(self, signature: &[u8]) -> Result<(), Rv> {
        if signature.len() != signature_len(&self.key_type) {
            return Err(CKR_SIGNATURE_LEN_RANGE);
        }
        let input = self.input.finish(self.mech);
        if self.mech == Mech::RsaPkcs && mechanism::parse_digest_info(&input).is_none() {
            return if self.key.verify_pkcs1_raw(&input, signature) {
                Ok(())
            } else {
                Err(CKR_SIGNATURE_INVALID)
            };
        }
        let (alg, digest) = self.mech.to_digest(&input)?;
        if self.key.verify_digest(alg, digest, signature) {
            Ok(())
        } else {
            Err(CKR_SIGNATURE_INVALID)
        }
    }
}

/// A digest in progress.
pub struct DigestOp {
    alg: HashAlg,
    hasher: Hasher,
}

impl DigestOp {
    /// Starts a digest; only `CKM_SHA256/384/512`.
    pub fn new(mech: Mech) -> Result<Self, Rv> {
        match mech {
            Mech::Digest(alg) => Ok(DigestOp {
                alg,
                hasher: Hasher::new(alg),
            }),
            _ => Err(CKR_MECHANISM_INVALID),
        }
    }

    /// Output length.
    pub fn len(&self) -> usize {
        self.alg.output_len()
    }

    /// Adds data.
    pub fn update(&mut self, data: &[u8]) {
        self.hasher.update(data)
    }

    /// The digest.
    pub fn finish(self) -> Vec<u8> {
        self.hasher.finish()
    }
}
