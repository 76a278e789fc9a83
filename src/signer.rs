//! The uniform signing interface: every backend (PKCS#11 today, remote signing later) produces
//! [`Token`]s and [`Signer`]s, and everything above (CLI, documents, the cdylib) consumes them.

use std::io::Read;
use std::sync::Arc;

use secrecy::SecretString;
use serde::Serialize;

use crate::cert::Certificate;
use crate::error::Result;
use crate::key::{KeyInfo, SignatureAlgorithm};

/// One key with its certificate: the only thing documents, the CLI and the cdylib sign with.
///
/// The signing methods are the backend's raw operations: they return what the token answered,
/// unchecked. Whatever writes a signature out checks it first with a
/// [`crate::checked::Verifier`] (the pipeline does, once per signature); the PKCS#11 module
/// passes the token's answer on as a token would.
pub trait Signer: Send + Sync {
    /// The certificate paired with the key.
    fn certificate(&self) -> &Certificate;
    /// The key's type, id and token.
    fn key(&self) -> &KeyInfo;
    /// The algorithms this key can sign with on this token.
    fn algorithms(&self) -> Vec<SignatureAlgorithm>;
    /// Signs a digest computed by the host with `alg.hash()`. ECDSA signatures are raw
    /// `r || s`.
    fn sign_digest(&self, alg: SignatureAlgorithm, digest: &[u8]) -> Result<Vec<u8>>;
    /// [`Signer::sign_digest`] into `out`, which the caller sized for this key's signatures;
    /// the signature's length. For callers that hand the signature on (the PKCS#11 module
    /// writes it into its host's buffer): a backend that can, signs there without a copy.
    fn sign_digest_into(
        &self,
        alg: SignatureAlgorithm,
        digest: &[u8],
        out: &mut [u8],
    ) -> Result<usize> {
        let sig = self.sign_digest(alg, digest)?;
        copy_signature(&sig, out)
    }
    /// RSA PKCS#1 v1.5 over bytes the caller already encoded (what `CKM_RSA_PKCS` means: a
    /// DigestInfo of a hash kyso does not name, TLS 1.1's MD5+SHA-1…). Backends without it say
    /// the mechanism is not supported.
    fn sign_pkcs1_raw(&self, _data: &[u8]) -> Result<Vec<u8>> {
        Err(crate::error::Error::MechanismNotSupported {
            token: self.key().token.clone(),
            what: "raw RSA PKCS#1 v1.5".into(),
        })
    }
    /// Signs several digests, in order. Remote services take them in one round trip (and one
    /// authorisation); the default signs them one by one.
    fn sign_digests(&self, alg: SignatureAlgorithm, digests: &[Vec<u8>]) -> Result<Vec<Vec<u8>>> {
        digests.iter().map(|d| self.sign_digest(alg, d)).collect()
    }
    /// How many digests [`Signer::sign_digests`] is best given at once: 1 when there is no
    /// gain in batching (a token signs one at a time).
    fn batch_size(&self) -> usize {
        1
    }
    /// Signs a whole message, streamed. Backends whose token only offers hashing mechanisms
    /// (`CKM_SHA256_RSA_PKCS`…) override this; the default hashes here and calls `sign_digest`.
    fn sign_data(&self, alg: SignatureAlgorithm, data: &mut dyn Read) -> Result<Vec<u8>> {
        let digest = alg.hash().digest_reader(data)?;
        self.sign_digest(alg, &digest)
    }
}

/// Copies a signature into a caller's buffer, or says it does not fit.
pub(crate) fn copy_signature(sig: &[u8], out: &mut [u8]) -> Result<usize> {
    let cap = out.len();
    let dst = out.get_mut(..sig.len()).ok_or_else(|| {
        crate::error::Error::InvalidInput(format!(
            "a {}-byte signature for a {cap}-byte buffer",
            sig.len()
        ))
    })?;
    dst.copy_from_slice(sig);
    Ok(sig.len())
}

/// PIN state flags as the token reports them (`CKF_USER_PIN_*`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PinStatus {
    /// The user PIN has been set.
    pub initialized: bool,
    /// An incorrect PIN was entered at least once since the last success.
    pub count_low: bool,
    /// One more wrong PIN locks the token.
    pub final_try: bool,
    /// The user PIN is blocked.
    pub locked: bool,
    /// The PIN must be changed before use.
    pub to_be_changed: bool,
    /// The PIN is entered on the reader's PIN pad, not given by us.
    pub protected_path: bool,
}

/// Token and slot description.
#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    /// Module name that reaches the token.
    pub module: String,
    /// Slot id in that module.
    pub slot: u64,
    /// Slot description (usually the reader name).
    pub slot_description: String,
    /// Token label.
    pub label: String,
    /// Manufacturer.
    pub manufacturer: String,
    /// Model.
    pub model: String,
    /// Serial number.
    pub serial: String,
    /// Whether a login is needed to use private keys.
    pub login_required: bool,
    /// PIN state.
    pub pin: PinStatus,
}

/// A certificate found on a token, with or without its private key.
#[derive(Clone)]
pub struct CertificateEntry {
    /// The certificate.
    pub certificate: Certificate,
    /// `CKA_LABEL`.
    pub label: String,
    /// `CKA_ID`.
    pub id: Vec<u8>,
    /// Whether a private key with the same `CKA_ID` exists (before login: a visible private key,
    /// or a public key with that id, as tokens keep key pairs together).
    pub has_private_key: bool,
    /// The `CKA_LABEL` of the token's own public key object with this id, when it has one: the
    /// PKCS#11 module shows that object with its label, as the token does.
    pub public_key_label: Option<String>,
}

/// Gives the PIN for one signature of a key that wants it every time
/// (`CKA_ALWAYS_AUTHENTICATE`); `None`: the person refused.
pub type PinSource = Arc<dyn Fn() -> Option<SecretString> + Send + Sync>;

/// A token: something that holds keys behind a PIN and can go away.
pub trait Token: Send + Sync {
    /// Fresh token information (PIN flags change after every attempt).
    fn info(&self) -> Result<TokenInfo>;
    /// Says how many signatures the coming login is for: remote credentials authorise that many
    /// at once. Tokens ignore it.
    fn expect_signatures(&self, _count: usize) {}
    /// How many signatures one authorisation covers, for tokens whose authorisation is bound
    /// to the hashes it signs (remote SCAL 2 credentials: a batch takes one OTP per this many
    /// documents); `None` when one login covers the whole batch.
    fn signatures_per_authorization(&self) -> Option<usize> {
        None
    }
    /// Logs the user in. Called once for a whole batch; a wrong PIN is an error, never retried:
    /// a PIN the token refused once is not sent to it again by this process.
    fn login(&self, pin: &SecretString) -> Result<()>;
    /// Logs out and forgets the PIN.
    fn logout(&self) -> Result<()>;
    /// Where keys that want the PIN for every signature (`CKA_ALWAYS_AUTHENTICATE`) get it
    /// until logout: by default the PIN given to [`Token::login`]; a service that must ask the
    /// person at each signature (`kyso serve`) sets a source. Tokens without such keys ignore
    /// it.
    fn set_signature_pin_source(&self, _source: Option<PinSource>) {}
    /// Whether [`Token::login`] succeeded and the token is still logged in.
    fn is_logged_in(&self) -> bool;
    /// Certificates on the token, paired with keys by id.
    fn certificates(&self) -> Result<Vec<CertificateEntry>>;
    /// CA certificates the token's provider gives besides what it holds (a remote service
    /// returns the credential's chain), so signatures carry their issuers; none by default.
    fn issuers(&self) -> Vec<Certificate> {
        Vec::new()
    }
    /// Every certificate with a usable private key (log in first on tokens that need it).
    fn signers(&self) -> Result<Vec<Arc<dyn Signer>>>;
    /// Changes the user PIN (logged in or not, as the token allows).
    fn change_pin(&self, old: &SecretString, new: &SecretString) -> Result<()>;
}
