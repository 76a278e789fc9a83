//! A token seen through a PKCS#11 module: its info, login state and a pool of sessions reused
//! across signatures (no open/login per signature).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock, Weak};

use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::MechanismType;
use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use secrecy::SecretString;

use super::errors;
use super::module::Module;
use crate::cert::Certificate;
use crate::error::{Error, Result};
use crate::signer::Token;

/// Login state: the session that holds the login (closing every session logs out), the PIN for
/// keys that want it again per signature, and digests of the PINs the token refused.
#[derive(Default)]
pub(super) struct LoginState {
    pub(super) session: Option<Session>,
    pub(super) pin: Option<SecretString>,
    /// Asked for the PIN of each signature instead of `pin`, when set.
    pub(super) pin_source: Option<crate::signer::PinSource>,
    pub(super) refused: Vec<[u8; 32]>,
}

/// A token in a slot of a loaded module.
///
/// Fields drop in order: sessions close before the module (last) can be finalised.
pub struct Pkcs11Token {
    me: Weak<Pkcs11Token>,
    pub(super) slot: Slot,
    pub(super) label: String,
    serial: String,
    pub(super) login: Mutex<LoginState>,
    pub(super) pool: Mutex<Vec<Session>>,
    /// Held shared by every operation and exclusively by logout: a logout waits for the
    /// signatures in flight (SoftHSM answers CKR_GENERAL_ERROR to a C_SignInit racing it).
    pub(super) activity: RwLock<()>,
    mechanisms: OnceLock<Vec<MechanismType>>,
    /// Bumped when what the token shows may change: after a login, a logout, a removal.
    epoch: AtomicU64,
    /// The objects as last listed, valid while its epoch is the token's.
    listing: Mutex<Option<Arc<Listing>>>,
    pub(super) module: Arc<Module>,
}

/// The token's objects as listed once per login state (private keys may show only after a
/// login): [`Token::certificates`] and [`Token::signers`] answer from it, so a command that
/// chooses a token, then a key, then the chain lists the objects once, not three times.
pub(super) struct Listing {
    epoch: u64,
    pub(super) certificates: Vec<(Certificate, String, Vec<u8>)>,
    pub(super) keys: Vec<KeyObject>,
    /// The public key objects' ids and labels.
    pub(super) public_keys: Vec<(Vec<u8>, String)>,
}

/// A private key object as found on the token.
pub(crate) struct KeyObject {
    pub handle: ObjectHandle,
    pub id: Vec<u8>,
    pub label: String,
    pub always_authenticate: bool,
}

impl Pkcs11Token {
    pub(crate) fn open(module: Arc<Module>, slot: Slot) -> Result<Arc<Self>> {
        let info = module
            .ctx()
            .get_token_info(slot)
            .map_err(|e| errors::map_module(e, &format!("slot {}", slot.id()), module.path()))?;
        Ok(Arc::new_cyclic(|me| Pkcs11Token {
            me: me.clone(),
            label: info.label().trim().to_owned(),
            serial: info.serial_number().trim().to_owned(),
            module,
            slot,
            login: Mutex::new(LoginState::default()),
            pool: Mutex::new(Vec::new()),
            activity: RwLock::new(()),
            mechanisms: OnceLock::new(),
            epoch: AtomicU64::new(0),
            listing: Mutex::new(None),
        }))
    }

    pub(super) fn self_arc(&self) -> Result<Arc<Pkcs11Token>> {
        self.me.upgrade().ok_or_else(|| Error::TokenRemoved {
            slot: Some(self.label.clone()),
        })
    }

    /// The token label as read when it was found.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The serial number as read when it was found.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// The module reaching this token.
    pub fn module(&self) -> &Arc<Module> {
        &self.module
    }

    /// The slot id within the module.
    pub fn slot_id(&self) -> u64 {
        self.slot.id()
    }

    /// Maps a failure of an operation on this token. Modules often report a token pulled out
    /// mid-operation as a generic failure (OpenSC: `CKR_GENERAL_ERROR` for "transmit failed"):
    /// when the slot says the token is gone, that is what the error says. A removed token's
    /// sessions and login are dead: they are dropped, so the token can be found and logged in
    /// to again when it comes back.
    pub(crate) fn err(&self, e: cryptoki::error::Error) -> Error {
        let mapped = errors::map_module(e, &self.display_name(), self.module.path());
        let mapped = match mapped {
            Error::Pkcs11 { .. } if self.gone() => Error::TokenRemoved {
                slot: Some(self.display_name()),
            },
            other => other,
        };
        if matches!(mapped, Error::TokenRemoved { .. }) {
            self.forget_sessions();
        }
        mapped
    }

    /// Whether the token went away, asked after a generic failure. Modules and pcscd notice a
    /// removal with a delay (OpenSC re-reads a slot's state at most once a second), so the
    /// module and, for a PC/SC reader, pcscd are asked a few times over 1.6 s; only failures
    /// that say nothing precise pay that, and only on removable slots (a software token's are
    /// not).
    fn gone(&self) -> bool {
        let reader = match self.module.ctx().get_slot_info(self.slot) {
            Ok(si) if !si.token_present() => return true,
            Ok(si) if !si.removable_device() => return false,
            Ok(si) => si.slot_description().trim().to_owned(),
            Err(_) => String::new(),
        };
        for attempt in 0..5 {
            if !self.present() || crate::devices::pcsc::reader_has_card(&reader) == Some(false) {
                return true;
            }
            if attempt < 4 {
                std::thread::sleep(std::time::Duration::from_millis(400));
            }
        }
        false
    }

    /// Whether the module still sees a token in the slot (a module that cannot say counts as
    /// present: only a clear "absent" turns an error into a removal).
    pub fn present(&self) -> bool {
        match self.module.ctx().get_slot_info(self.slot) {
            Ok(si) => si.token_present(),
            Err(cryptoki::error::Error::Pkcs11(
                cryptoki::error::RvError::TokenNotPresent
                | cryptoki::error::RvError::DeviceRemoved
                | cryptoki::error::RvError::SlotIdInvalid,
                _,
            )) => false,
            Err(_) => true,
        }
    }

    /// Drops pooled sessions and the login after a removal (the PIN too: a new token in the
    /// slot gets a new, explicit login). Refused PINs stay remembered.
    fn forget_sessions(&self) {
        if let Ok(mut pool) = self.pool.try_lock() {
            pool.clear();
        }
        if let Ok(mut state) = self.login.try_lock() {
            state.session = None;
            state.pin = None;
        }
        self.objects_changed();
    }

    /// What the token shows may have changed (login, logout, removal): the next question
    /// lists the objects again.
    pub(super) fn objects_changed(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// The objects, listed once per login state. The epoch is read before listing, so a login
    /// or logout racing the listing leaves it stale (listed again next time), never wrong.
    pub(super) fn listing(&self) -> Result<Arc<Listing>> {
        let epoch = self.epoch.load(Ordering::SeqCst);
        let cached = self
            .listing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(l) = cached.filter(|l| l.epoch == epoch) {
            return Ok(l);
        }
        let listing = Arc::new(self.with_session(|s| {
            Ok(Listing {
                epoch,
                certificates: self.raw_certificates(s)?,
                keys: self.private_keys(s)?,
                public_keys: self.public_keys(s)?,
            })
        })?);
        *self.listing.lock().unwrap_or_else(|p| p.into_inner()) = Some(listing.clone());
        Ok(listing)
    }

    /// The label, or the slot for a token without one.
    fn display_name(&self) -> String {
        if self.label.is_empty() {
            format!("slot {} of {}", self.slot.id(), self.module.name())
        } else {
            self.label.clone()
        }
    }

    /// Mechanisms the token offers, less those the configuration says to avoid, sorted by type;
    /// read once.
    pub fn mechanisms(&self) -> &[MechanismType] {
        self.mechanisms.get_or_init(|| {
            let avoid = self.module.avoided();
            match self.module.ctx().get_mechanism_list(self.slot) {
                Ok(list) => {
                    let mut list: Vec<_> =
                        list.into_iter().filter(|m| !avoid.contains(m)).collect();
                    // Sorted: `mechanism::for_digest` looks them up by binary search.
                    list.sort_unstable_by_key(|m| **m);
                    list
                }
                Err(e) => {
                    let e = errors::map_module(e, &self.label, self.module.path());
                    log::warn!("token {}: cannot list mechanisms: {e}", self.label);
                    Vec::new()
                }
            }
        })
    }

    /// Runs `f` on a pooled session (opening one if none is free). A session that saw an error
    /// is closed rather than reused: its operation state is unknown.
    pub(crate) fn with_session<T>(&self, f: impl FnOnce(&Session) -> Result<T>) -> Result<T> {
        let _busy = self.activity.read().unwrap_or_else(|p| p.into_inner());
        let pooled = self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let session = match pooled {
            Some(s) => s,
            None => self
                .module
                .ctx()
                .open_ro_session(self.slot)
                .map_err(|e| self.err(e))?,
        };
        let result = f(&session);
        if result.is_ok() {
            self.pool
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(session);
        }
        result
    }

    /// Presents the PIN again for a key with `CKA_ALWAYS_AUTHENTICATE`, between `C_SignInit`
    /// and the signature. Uses the PIN given to [`Token::login`]; never prompts or retries.
    pub(crate) fn context_login(&self, session: &Session) -> Result<()> {
        let state = self.login.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(source) = state.pin_source.clone() {
            // asked without the lock held: the person takes seconds
            drop(state);
            let pin = source()
                .ok_or_else(|| Error::PinInvalid(crate::t!("pin-cancelled-for-signature")))?;
            return session
                .login(UserType::ContextSpecific, Some(&pin))
                .map_err(|e| self.login_error(e));
        }
        let pin = state.pin.as_ref().ok_or_else(|| Error::NotLoggedIn {
            token: self.label.clone(),
        })?;
        session
            .login(UserType::ContextSpecific, Some(pin))
            .map_err(|e| self.login_error(e))
    }

    pub(super) fn login_error(&self, e: cryptoki::error::Error) -> Error {
        match self.err(e) {
            Error::WrongPin { .. } => {
                let pin = self.info().map(|i| i.pin).unwrap_or_default();
                if pin.locked {
                    Error::PinLocked {
                        token: self.label.clone(),
                    }
                } else {
                    Error::WrongPin {
                        retries: errors::pin_retries(pin.count_low, pin.final_try),
                    }
                }
            }
            other => other,
        }
    }

    fn find(&self, session: &Session, template: &[Attribute]) -> Result<Vec<ObjectHandle>> {
        session.find_objects(template).map_err(|e| self.err(e))
    }

    fn bytes_attr(attrs: &[Attribute], ty: AttributeType) -> Vec<u8> {
        attrs
            .iter()
            .find_map(|a| match (a, ty) {
                (Attribute::Id(v), AttributeType::Id)
                | (Attribute::Label(v), AttributeType::Label)
                | (Attribute::Value(v), AttributeType::Value) => Some(v.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// Private keys visible now (all of them once logged in).
    pub(crate) fn private_keys(&self, session: &Session) -> Result<Vec<KeyObject>> {
        let handles = self.find(session, &[Attribute::Class(ObjectClass::PRIVATE_KEY)])?;
        let mut out = Vec::new();
        for h in handles {
            let attrs = session
                .get_attributes(
                    h,
                    &[
                        AttributeType::Id,
                        AttributeType::Label,
                        AttributeType::AlwaysAuthenticate,
                    ],
                )
                .map_err(|e| self.err(e))?;
            let always_authenticate = attrs
                .iter()
                .any(|a| matches!(a, Attribute::AlwaysAuthenticate(true)));
            out.push(KeyObject {
                handle: h,
                id: Self::bytes_attr(&attrs, AttributeType::Id),
                label: String::from_utf8_lossy(&Self::bytes_attr(&attrs, AttributeType::Label))
                    .into_owned(),
                always_authenticate,
            });
        }
        Ok(out)
    }

    pub(super) fn public_keys(&self, session: &Session) -> Result<Vec<(Vec<u8>, String)>> {
        let handles = self.find(session, &[Attribute::Class(ObjectClass::PUBLIC_KEY)])?;
        let mut out = Vec::new();
        for h in handles {
            let attrs = session
                .get_attributes(h, &[AttributeType::Id, AttributeType::Label])
                .map_err(|e| self.err(e))?;
            let label = String::from_utf8_lossy(&Self::bytes_attr(&attrs, AttributeType::Label))
                .into_owned();
            out.push((Self::bytes_attr(&attrs, AttributeType::Id), label));
        }
        Ok(out)
    }

    /// X.509 certificates on the token with their label and id. Unparseable ones are skipped
    /// with a warning: one broken object must not hide the others.
    pub(super) fn raw_certificates(
        &self,
        session: &Session,
    ) -> Result<Vec<(Certificate, String, Vec<u8>)>> {
        let handles = self.find(
            session,
            &[
                Attribute::Class(ObjectClass::CERTIFICATE),
                Attribute::CertificateType(CertificateType::X_509),
            ],
        )?;
        let mut out = Vec::new();
        for h in handles {
            let attrs = session
                .get_attributes(
                    h,
                    &[
                        AttributeType::Value,
                        AttributeType::Id,
                        AttributeType::Label,
                    ],
                )
                .map_err(|e| self.err(e))?;
            let der = Self::bytes_attr(&attrs, AttributeType::Value);
            let id = Self::bytes_attr(&attrs, AttributeType::Id);
            let label = String::from_utf8_lossy(&Self::bytes_attr(&attrs, AttributeType::Label))
                .into_owned();
            match Certificate::from_der(der) {
                Ok(c) => out.push((c, label, id)),
                Err(e) => log::warn!(
                    "token {}: certificate '{label}' (id {}) skipped: {e}",
                    self.label,
                    hex::encode(&id)
                ),
            }
        }
        Ok(out)
    }
}

/// The tokens of a module (here, so that the module knows nothing of tokens).
impl Module {
    /// The token in one slot, if an initialised one is present.
    pub fn token(self: &Arc<Self>, slot: cryptoki::slot::Slot) -> Result<Option<Arc<Pkcs11Token>>> {
        match self.ctx().get_token_info(slot) {
            Ok(info) if info.token_initialized() => {}
            Ok(_) => return Ok(None),
            Err(CkError::Pkcs11(
                RvError::TokenNotPresent | RvError::TokenNotRecognized | RvError::DeviceRemoved,
                _,
            )) => return Ok(None),
            Err(e) => return Err(errors::map_module(e, self.name(), self.path())),
        }
        match Pkcs11Token::open(self.clone(), slot) {
            Ok(t) => Ok(Some(t)),
            Err(Error::TokenRemoved { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The initialised tokens present now, one per slot (SoftHSM's spare empty token and
    /// blank cards are left out: nothing to list or sign with).
    pub fn tokens(self: &Arc<Self>) -> Result<Vec<Arc<Pkcs11Token>>> {
        let slots = self
            .ctx()
            .get_slots_with_initialized_token()
            .map_err(|e| errors::map_module(e, self.name(), self.path()))?;
        let mut out = Vec::new();
        for slot in slots {
            match Pkcs11Token::open(self.clone(), slot) {
                Ok(t) => out.push(t),
                // A token pulled out between the two calls is simply not there.
                Err(Error::TokenRemoved { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }
}
