//! A private key on a PKCS#11 token, paired with its certificate: the [`Signer`] of this backend.

use std::io::Read;
use std::sync::Arc;

use cryptoki::mechanism::Mechanism;
use cryptoki::object::ObjectHandle;
use cryptoki::session::Session;

use super::mechanism;
use super::token::{KeyObject, Pkcs11Token};
use crate::cert::Certificate;
use crate::error::{Error, Result};
use crate::key::{Curve, KeyInfo, KeyType, SignatureAlgorithm};
use crate::public_key::PublicKey;
use crate::signer::Signer;

/// A key on a PKCS#11 token. Signs through the token's pooled sessions; safe to share between
/// threads (each signature takes its own session).
pub struct Pkcs11Signer {
    token: Arc<Pkcs11Token>,
    handle: ObjectHandle,
    certificate: Certificate,
    key: KeyInfo,
}

impl Pkcs11Signer {
    pub(crate) fn new(
        token: Arc<Pkcs11Token>,
        object: &KeyObject,
        certificate: Certificate,
        label: String,
    ) -> Result<Self> {
        // kyso signs only with keys it can check signatures of
        PublicKey::from_spki_der(certificate.spki_der())?;
        let key = KeyInfo {
            key_type: certificate.key_type(),
            id: object.id.clone(),
            label,
            token: token.label().to_owned(),
            always_authenticate: object.always_authenticate,
        };
        Ok(Pkcs11Signer {
            handle: object.handle,
            token,
            certificate,
            key,
        })
    }

    fn unsupported(&self, alg: SignatureAlgorithm, why: &str) -> Error {
        Error::MechanismNotSupported {
            token: self.key.token.clone(),
            what: format!(
                "{alg} with key {} ({}): {why}",
                self.key.label, self.key.key_type
            ),
        }
    }

    fn check_fits(&self, alg: SignatureAlgorithm) -> Result<()> {
        if alg.fits(&self.key.key_type) {
            Ok(())
        } else {
            Err(self.unsupported(alg, "wrong algorithm for this key type"))
        }
    }

    /// The mechanism that signs a digest for `alg` on this token, and its input (a DigestInfo
    /// for RSA PKCS#1 v1.5, the digest itself otherwise).
    fn digest_mechanism<'d>(
        &self,
        alg: SignatureAlgorithm,
        digest: &'d [u8],
    ) -> Result<(Mechanism<'static>, std::borrow::Cow<'d, [u8]>)> {
        self.check_fits(alg)?;
        alg.hash().check_len(digest)?;
        let offered = self.token.mechanisms();
        let Some(mech) = mechanism::for_digest(alg, offered) else {
            let why = if mechanism::for_data(alg, offered).is_some() {
                "the token only signs whole messages for this algorithm (use sign_data)"
            } else {
                "the token offers no mechanism for it"
            };
            return Err(self.unsupported(alg, why));
        };
        let input = match alg {
            SignatureAlgorithm::RsaPkcs1(h) => std::borrow::Cow::Owned(h.digest_info(digest)?),
            _ => std::borrow::Cow::Borrowed(digest),
        };
        Ok((mech, input))
    }

    /// Signs `input` in one operation, presenting the PIN again first for always-authenticate keys.
    fn run(&self, session: &Session, mech: &Mechanism, input: &[u8]) -> Result<Vec<u8>> {
        let err = |e| self.token.err(e);
        if self.key.always_authenticate {
            // C_SignInit, C_Login(CKU_CONTEXT_SPECIFIC), then one C_Sign: single-part, as raw
            // mechanisms (CKM_RSA_PKCS) are on SoftHSM and many tokens.
            session.sign_init(mech, self.handle).map_err(err)?;
            self.token.context_login(session)?;
            let len = self.signature_len().unwrap_or(512);
            session.sign_initialized(input, len).map_err(err)
        } else if let Some(len) = self.signature_len() {
            // One C_Sign into a buffer of the key's signature size: no length query.
            session
                .sign_with_len(mech, self.handle, input, len)
                .map_err(err)
        } else {
            session.sign(mech, self.handle, input).map_err(err)
        }
    }

    /// The length of this key's raw PKCS#11 signatures, where the key type tells it.
    fn signature_len(&self) -> Option<usize> {
        match &self.key.key_type {
            KeyType::Rsa { bits } => Some(bits.div_ceil(8)),
            KeyType::Ec { curve: Curve::P256 } => Some(64),
            KeyType::Ec { curve: Curve::P384 } => Some(96),
            KeyType::Ec { curve: Curve::P521 } => Some(132),
            _ => None,
        }
    }
}

impl Signer for Pkcs11Signer {
    fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    fn key(&self) -> &KeyInfo {
        &self.key
    }

    fn algorithms(&self) -> Vec<SignatureAlgorithm> {
        let offered = self.token.mechanisms();
        SignatureAlgorithm::ALL
            .into_iter()
            .filter(|a| a.fits(&self.key.key_type))
            .filter(|a| {
                mechanism::for_digest(*a, offered).is_some()
                    || mechanism::for_data(*a, offered).is_some()
            })
            .collect()
    }

    fn sign_digest(&self, alg: SignatureAlgorithm, digest: &[u8]) -> Result<Vec<u8>> {
        let (mech, input) = self.digest_mechanism(alg, digest)?;
        self.token.with_session(|s| self.run(s, &mech, &input))
    }

    fn sign_digest_into(
        &self,
        alg: SignatureAlgorithm,
        digest: &[u8],
        out: &mut [u8],
    ) -> Result<usize> {
        let (mech, input) = self.digest_mechanism(alg, digest)?;
        let sig = if self.key.always_authenticate {
            self.token.with_session(|s| self.run(s, &mech, &input))?
        } else {
            let err = |e| self.token.err(e);
            let signed = self
                .token
                .with_session(|s| s.sign_into(&mech, self.handle, &input, out).map_err(err))?;
            match signed {
                Ok(n) => return Ok(n),
                // Longer than the caller expected from the key.
                Err(sig) => sig,
            }
        };
        crate::signer::copy_signature(&sig, out)
    }

    fn sign_pkcs1_raw(&self, data: &[u8]) -> Result<Vec<u8>> {
        let alg = SignatureAlgorithm::RsaPkcs1(crate::HashAlg::Sha256);
        self.check_fits(alg)?;
        if !self
            .token
            .mechanisms()
            .contains(&cryptoki::mechanism::MechanismType::RSA_PKCS)
        {
            return Err(self.unsupported(alg, "the token offers no raw CKM_RSA_PKCS"));
        }
        self.token
            .with_session(|s| self.run(s, &Mechanism::RsaPkcs, data))
    }

    fn sign_data(&self, alg: SignatureAlgorithm, data: &mut dyn Read) -> Result<Vec<u8>> {
        self.sign_message(alg, data)
    }
}

impl Pkcs11Signer {
    /// Signs a message (hashed here, or streamed to a hashing mechanism).
    fn sign_message(&self, alg: SignatureAlgorithm, data: &mut dyn Read) -> Result<Vec<u8>> {
        self.check_fits(alg)?;
        let offered = self.token.mechanisms();
        let raw = mechanism::for_digest(alg, offered);
        let hashing = mechanism::for_data(alg, offered);
        // Always-authenticate keys need C_SignInit before the PIN and the data after it; only
        // hashing mechanisms are multi-part on every token, so prefer them for such keys.
        let mech = match (raw, hashing) {
            (Some(_), Some(m)) if self.key.always_authenticate => m,
            (Some(_), _) => {
                let digest = alg.hash().digest_reader(data)?;
                return self.sign_digest(alg, &digest);
            }
            (None, Some(m)) => m,
            (None, None) => {
                return Err(self.unsupported(alg, "the token offers no mechanism for it"))
            }
        };
        self.token.with_session(|s| {
            let err = |e| self.token.err(e);
            s.sign_init(&mech, self.handle).map_err(err)?;
            if self.key.always_authenticate {
                self.token.context_login(s)?;
            }
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = match data.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(Error::io("reading data to sign", e)),
                };
                s.sign_update(&buf[..n]).map_err(err)?;
            }
            s.sign_final().map_err(err)
        })
    }
}
