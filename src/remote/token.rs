//! A remote credential as a [`Token`] with one [`Signer`]: `login` is `credentials/authorize`
//! (PIN and/or OTP → SAD covering a batch), signing is `signatures/signHash`.

use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

use secrecy::{ExposeSecret, SecretString};

use super::algo;
use super::credential::{AuthMode, CredentialInfo, Presence};
use super::csc::Client;
use super::otp::{self, OtpPrompt};
use crate::cert::Certificate;
use crate::config::CscVersion;
use crate::error::{Error, Result};
use crate::key::{KeyInfo, SignatureAlgorithm};
use crate::public_key::PublicKey;
use crate::signer::{CertificateEntry, PinStatus, Signer, Token, TokenInfo};

/// Most signatures kyso asks one authorisation to cover when nobody said how many.
const DEFAULT_BATCH: u32 = 100;

/// A live authorisation.
struct Authorization {
    sad: SecretString,
    expires: Instant,
    remaining: u32,
    used: usize,
}

#[derive(Default)]
struct State {
    auth: Option<Authorization>,
    /// SCAL 2 credentials authorise with the hashes: the PIN waits for them.
    pending_pin: Option<SecretString>,
    refused: Vec<[u8; 32]>,
    expected: Option<usize>,
}

fn digest_of(pin: &SecretString) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(pin.expose_secret().as_bytes()).into()
}

/// One credential of a remote account.
pub struct RemoteToken {
    me: Weak<RemoteToken>,
    client: Arc<Client>,
    info: CredentialInfo,
    certificate: Certificate,
    chain: Vec<Certificate>,
    public_key: PublicKey,
    key: KeyInfo,
    label: String,
    index: u64,
    state: Mutex<State>,
    /// The face's OTP dialog, if it has one (else `otp_command` or the terminal).
    otp_prompt: Mutex<Option<OtpPrompt>>,
}

impl RemoteToken {
    pub(crate) fn new(client: Arc<Client>, info: CredentialInfo, index: u64) -> Result<Arc<Self>> {
        let certificate = Certificate::from_der(info.certificates[0].clone())?;
        let chain = info.certificates[1..]
            .iter()
            .filter_map(|d| Certificate::from_der(d.clone()).ok())
            .collect();
        let public_key = PublicKey::from_spki_der(certificate.spki_der())?;
        let label = format!("{}/{}", client.cfg.name, info.id);
        let id = {
            use sha2::Digest;
            sha2::Sha256::digest(certificate.spki_der())[..8].to_vec()
        };
        let key = KeyInfo {
            key_type: certificate.key_type(),
            id,
            label: info.description.clone().unwrap_or_else(|| info.id.clone()),
            token: label.clone(),
            always_authenticate: false,
        };
        Ok(Arc::new_cyclic(|me| RemoteToken {
            me: me.clone(),
            client,
            info,
            certificate,
            chain,
            public_key,
            key,
            label,
            index,
            state: Mutex::new(State::default()),
            otp_prompt: Mutex::new(None),
        }))
    }

    /// `ACCOUNT/CREDENTIAL_ID`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// What the service says of the credential.
    pub fn credential(&self) -> &CredentialInfo {
        &self.info
    }

    /// The account's name.
    pub fn account(&self) -> &str {
        &self.client.cfg.name
    }

    /// The CA certificates the service sent with the end-entity certificate.
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// Where the OTPs of the next authorisations are asked (`None`: `otp_command`, else the
    /// terminal). A face without a terminal sets its own dialog before `login`.
    pub fn set_otp_prompt(&self, prompt: Option<OtpPrompt>) {
        *self.otp_prompt.lock().unwrap_or_else(|p| p.into_inner()) = prompt;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Signatures to ask one authorisation for.
    fn batch(&self, expected: Option<usize>) -> u32 {
        let cap = self
            .client
            .cfg
            .signatures_per_authorization
            .unwrap_or(DEFAULT_BATCH)
            .max(1);
        let want = expected
            .map(|n| n.clamp(1, u32::MAX as usize) as u32)
            .unwrap_or(cap);
        want.min(cap).min(self.info.multisign).max(1)
    }

    fn otp(&self) -> Result<Option<SecretString>> {
        if self.info.otp == Presence::No {
            return Ok(None);
        }
        if self.info.otp_online {
            self.client.send_otp(&self.info.id)?;
        }
        let prompt = self
            .otp_prompt
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let otp = otp::read(&self.client.cfg, &self.label, prompt.as_ref())?;
        Ok(Some(otp))
    }

    fn authorize(
        &self,
        state: &mut State,
        pin: Option<&SecretString>,
        num: u32,
        hashes: Option<(crate::HashAlg, &[Vec<u8>])>,
    ) -> Result<()> {
        let otp = self.otp()?;
        let started = Instant::now();
        match self
            .client
            .authorize(&self.info.id, num, pin, otp.as_ref(), hashes)
        {
            Ok(sad) => {
                log::info!(
                    "{}: authorised for {num} signature(s), {} s",
                    self.label,
                    sad.expires_in.as_secs()
                );
                state.auth = Some(Authorization {
                    sad: sad.value,
                    expires: started + sad.expires_in,
                    remaining: num,
                    used: 0,
                });
                Ok(())
            }
            Err(e) => {
                // Only a PIN the service named as wrong is remembered: a wrong OTP says
                // nothing about the PIN, which may be given again with a new OTP.
                if let (Error::RemoteAuthorizationRefused { what, .. }, Some(p)) = (&e, pin) {
                    if what == "PIN" {
                        state.refused.push(digest_of(p));
                    }
                }
                Err(e)
            }
        }
    }

    /// Whether `login` needs a PIN (explicit authorisation asking one): a face asks for none
    /// otherwise.
    pub fn needs_pin(&self) -> bool {
        self.info.auth_mode == AuthMode::Explicit && self.info.pin != Presence::No
    }

    /// Most hashes one `signatures/signHash` call carries.
    fn per_call(&self) -> usize {
        self.client.cfg.hashes_per_call.unwrap_or(50).max(1) as usize
    }

    /// Signatures one authorisation of a SCAL 2 credential covers in this batch: the batch's
    /// size, the configured cap and the credential's `multisign`, whichever is least.
    fn scal2_group(&self) -> usize {
        let expected = self.lock().expected;
        self.batch(expected) as usize
    }

    /// Signs digests with the current authorisation. A SCAL 2 credential binds each
    /// authorisation to the hashes it covers: when none is live (or the live one is used up),
    /// these digests are authorised first, with the PIN given at login and one new OTP, so a
    /// batch larger than `multisign` takes as few authorisations as the service allows. The
    /// hashes then go to `signatures/signHash` at most `hashes_per_call` at a time.
    fn sign_hashes(&self, alg: SignatureAlgorithm, digests: &[Vec<u8>]) -> Result<Vec<Vec<u8>>> {
        let mut state = self.lock();
        let used_up = state
            .auth
            .as_ref()
            .is_none_or(|a| (a.remaining as usize) < digests.len());
        if self.info.scal == 2 && used_up {
            let Some(pin) = state.pending_pin.clone() else {
                return Err(self.not_logged_in());
            };
            if digests.len() > self.info.multisign.max(1) as usize {
                return Err(Error::InvalidInput(format!(
                    "{} hashes cannot be authorised at once: credential '{}' allows {} \
                     signature(s) per authorisation",
                    digests.len(),
                    self.info.id,
                    self.info.multisign
                )));
            }
            let n = digests.len().clamp(1, u32::MAX as usize) as u32;
            let pin = self.needs_pin().then_some(&pin);
            if let Err(e) = self.authorize(&mut state, pin, n, Some((alg.hash(), digests))) {
                // A refused PIN (or OTP) is never sent again by itself: the next group would.
                if matches!(e, Error::RemoteAuthorizationRefused { .. }) {
                    state.pending_pin = None;
                }
                return Err(e);
            }
        }
        let Some(auth) = state.auth.as_mut() else {
            return Err(self.not_logged_in());
        };
        let expired = |signed, message: &str| Error::RemoteAuthorizationExpired {
            credential: self.info.id.clone(),
            signed,
            message: message.to_owned(),
        };
        if Instant::now() >= auth.expires {
            let used = auth.used;
            state.auth = None;
            return Err(expired(used, "it has expired"));
        }
        if (auth.remaining as usize) < digests.len() {
            return Err(expired(
                auth.used,
                &format!(
                    "it covers {} more signature(s), {} asked",
                    auth.remaining,
                    digests.len()
                ),
            ));
        }
        let mut sigs = Vec::with_capacity(digests.len());
        for chunk in digests.chunks(self.per_call()) {
            let result =
                self.client
                    .sign_hash(&self.info.id, &auth.sad, alg, &self.info.key_algos, chunk);
            match result {
                Ok(s) => {
                    auth.remaining -= chunk.len() as u32;
                    auth.used += chunk.len();
                    sigs.extend(s);
                }
                Err(Error::RemoteAuthorizationExpired { message, .. }) => {
                    let used = auth.used;
                    state.auth = None;
                    return Err(expired(used, &message));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(sigs)
    }

    fn not_logged_in(&self) -> Error {
        Error::NotLoggedIn {
            token: self.label.clone(),
        }
    }

    fn signer(&self) -> Result<Arc<dyn Signer>> {
        let token = self.me.upgrade().ok_or_else(|| Error::TokenRemoved {
            slot: Some(self.label.clone()),
        })?;
        Ok(Arc::new(RemoteSigner { token }))
    }
}

impl Token for RemoteToken {
    fn info(&self) -> Result<TokenInfo> {
        let cfg = &self.client.cfg;
        let unusable = self.info.unusable().is_some();
        Ok(TokenInfo {
            module: format!("remote:{}", cfg.name),
            slot: self.index,
            slot_description: cfg.base_url.clone(),
            label: self.label.clone(),
            manufacturer: "Cloud Signature Consortium API".into(),
            model: match cfg.csc_version {
                CscVersion::V1 => "CSC v1".into(),
                CscVersion::V2 => "CSC v2".into(),
            },
            serial: self.info.id.chars().take(16).collect(),
            login_required: true,
            pin: PinStatus {
                initialized: true,
                count_low: false,
                final_try: false,
                locked: unusable,
                to_be_changed: false,
                protected_path: false,
            },
        })
    }

    fn expect_signatures(&self, count: usize) {
        self.lock().expected = Some(count);
    }

    fn login(&self, pin: &SecretString) -> Result<()> {
        let mut state = self.lock();
        if state
            .auth
            .as_ref()
            .is_some_and(|a| Instant::now() < a.expires && a.remaining > 0)
            || state.pending_pin.is_some()
        {
            return Ok(());
        }
        if let Some(why) = self.info.unusable() {
            return Err(Error::RemoteCredentialDisabled {
                credential: self.info.id.clone(),
                message: why,
            });
        }
        if self.info.auth_mode == AuthMode::OAuth2Code {
            return Err(Error::MechanismNotSupported {
                token: self.label.clone(),
                what: "credentials authorised by a credential-scoped OAuth2 flow (authMode \
                       oauth2code)"
                    .into(),
            });
        }
        let pin = if self.needs_pin() {
            if pin.expose_secret().is_empty() {
                return Err(Error::PinInvalid(crate::t!("pin-empty")));
            }
            if state.refused.contains(&digest_of(pin)) {
                return Err(Error::PinInvalid(crate::t!(
                    "remote-pin-already-refused",
                    credential = self.label.clone()
                )));
            }
            Some(pin)
        } else {
            None
        };
        if self.info.scal == 2 {
            state.pending_pin = Some(pin.cloned().unwrap_or_else(|| SecretString::from("")));
            return Ok(());
        }
        let num = self.batch(state.expected);
        self.authorize(&mut state, pin, num, None)
    }

    fn signatures_per_authorization(&self) -> Option<usize> {
        (self.info.scal == 2).then(|| self.batch(None) as usize)
    }

    fn logout(&self) -> Result<()> {
        let mut state = self.lock();
        state.auth = None;
        state.pending_pin = None;
        Ok(())
    }

    fn is_logged_in(&self) -> bool {
        let state = self.lock();
        state.pending_pin.is_some()
            || state
                .auth
                .as_ref()
                .is_some_and(|a| Instant::now() < a.expires && a.remaining > 0)
    }

    fn certificates(&self) -> Result<Vec<CertificateEntry>> {
        Ok(vec![CertificateEntry {
            certificate: self.certificate.clone(),
            label: self.key.label.clone(),
            id: self.key.id.clone(),
            has_private_key: true,
            public_key_label: None,
        }])
    }

    fn issuers(&self) -> Vec<Certificate> {
        self.chain.clone()
    }

    fn signers(&self) -> Result<Vec<Arc<dyn Signer>>> {
        Ok(vec![self.signer()?])
    }

    fn change_pin(&self, _old: &SecretString, _new: &SecretString) -> Result<()> {
        Err(Error::MechanismNotSupported {
            token: self.label.clone(),
            what: "changing the PIN of a remote credential (use the provider's app)".into(),
        })
    }
}

/// The key of a remote credential.
pub struct RemoteSigner {
    token: Arc<RemoteToken>,
}

impl RemoteSigner {
    /// ECDSA comes back DER from CSC services and leaves as raw `r || s`, as from every
    /// backend.
    fn raw(&self, alg: SignatureAlgorithm, sig: Vec<u8>) -> Vec<u8> {
        match alg {
            SignatureAlgorithm::Ecdsa(_) => ecdsa_to_raw(&self.token.public_key, sig),
            _ => sig,
        }
    }
}

/// DER `ECDSA-Sig-Value` to raw `r || s`; a signature already raw is kept.
fn ecdsa_to_raw(key: &PublicKey, sig: Vec<u8>) -> Vec<u8> {
    match key {
        PublicKey::P256(_) => p256::ecdsa::Signature::from_der(&sig)
            .map(|s| s.to_bytes().to_vec())
            .unwrap_or(sig),
        PublicKey::P384(_) => p384::ecdsa::Signature::from_der(&sig)
            .map(|s| s.to_bytes().to_vec())
            .unwrap_or(sig),
        PublicKey::Rsa(_) => sig,
    }
}

impl Signer for RemoteSigner {
    fn certificate(&self) -> &Certificate {
        &self.token.certificate
    }

    fn key(&self) -> &KeyInfo {
        &self.token.key
    }

    fn algorithms(&self) -> Vec<SignatureAlgorithm> {
        SignatureAlgorithm::ALL
            .into_iter()
            .filter(|a| a.fits(&self.token.key.key_type))
            .filter(|a| algo::offers(&self.token.info.key_algos, *a))
            .collect()
    }

    fn sign_digest(&self, alg: SignatureAlgorithm, digest: &[u8]) -> Result<Vec<u8>> {
        let mut sigs = self.sign_digests(alg, &[digest.to_vec()])?;
        sigs.pop().ok_or_else(|| Error::Remote {
            server: self.token.account().to_owned(),
            message: "no signature returned".into(),
        })
    }

    fn sign_digests(&self, alg: SignatureAlgorithm, digests: &[Vec<u8>]) -> Result<Vec<Vec<u8>>> {
        if !alg.fits(&self.token.key.key_type) || !algo::offers(&self.token.info.key_algos, alg) {
            return Err(Error::MechanismNotSupported {
                token: self.token.label.clone(),
                what: format!("{alg} with a {} key", self.token.key.key_type),
            });
        }
        for d in digests {
            alg.hash().check_len(d)?;
        }
        if digests.is_empty() {
            return Ok(Vec::new());
        }
        let sigs = self.token.sign_hashes(alg, digests)?;
        Ok(sigs.into_iter().map(|s| self.raw(alg, s)).collect())
    }

    /// SCAL 1: one `signHash` call's worth (the login authorised the batch). SCAL 2: one
    /// authorisation's worth, since each authorisation names the hashes it covers.
    fn batch_size(&self) -> usize {
        if self.token.info.scal == 2 {
            return self.token.scal2_group();
        }
        (self.token.batch(None) as usize).min(self.token.per_call())
    }
}
