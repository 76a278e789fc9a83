//! The module's state between `C_Initialize` and `C_Finalize`, and every operation on it in
//! safe Rust. The FFI layer only unpacks pointers and calls these.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use cryptoki_sys::*;
use kyso::TokenInfo;
use secrecy::SecretString;

use super::mechanism;
use super::object::Object;
use super::rv::{self, Rv};
use super::session::Session;
use super::slots::{self, SlotEntry, SlotTable};

static STATE: RwLock<Option<Arc<Instance>>> = RwLock::new(None);

/// `C_Initialize`: fresh state; modules load on first use.
///
/// In a child process after `fork()` the parent's state is there but not ours to use (its
/// sessions and module handles belong to the parent; another thread may have held a lock at
/// the fork): it is left behind, never dropped (dropping would finalise modules the parent
/// still uses, and could wait on a lock no thread of the child will release), and the child
/// starts afresh, as OpenSC and p11-kit do.
pub fn initialize() -> Result<(), Rv> {
    let mut state = STATE.write().unwrap_or_else(|p| p.into_inner());
    if let Some(old) = state.take() {
        if old.pid == std::process::id() {
            *state = Some(old);
            return Err(CKR_CRYPTOKI_ALREADY_INITIALIZED);
        }
        log::info!("initialised again in a child process after fork()");
        std::mem::forget(old);
    }
    super::logging::init();
    *state = Some(Arc::new(Instance::default()));
    log::info!("initialised");
    Ok(())
}

/// `C_Finalize`: drops the state; calls in flight finish on their own reference, then the
/// underlying modules are finalised.
pub fn finalize() -> Result<(), Rv> {
    let mut state = STATE.write().unwrap_or_else(|p| p.into_inner());
    state.take().map(|_| ()).ok_or(CKR_CRYPTOKI_NOT_INITIALIZED)
}

/// The state, or `CKR_CRYPTOKI_NOT_INITIALIZED`.
pub fn get() -> Result<Arc<Instance>, Rv> {
    STATE
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .ok_or(CKR_CRYPTOKI_NOT_INITIALIZED)
}

/// Result of a call that follows the two-call size protocol.
#[derive(Debug, PartialEq, Eq)]
pub enum Output {
    /// The caller asked for the length only.
    Len(usize),
    /// The caller's buffer is too small; the operation stays active.
    TooSmall(usize),
    /// The result; the operation is over.
    Done(Vec<u8>),
    /// The result, written into the caller's buffer (this many bytes); the operation is over.
    Written(usize),
}

/// Session handles are a counter: they key a map as they are, no SipHash on every call (each
/// signature looks its session up three times).
#[derive(Default)]
struct HandleHasher(u64);

impl std::hash::Hasher for HandleHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        // Spread the low bits over the top ones too (hashbrown takes its tag from them).
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type Sessions = HashMap<CK_SESSION_HANDLE, Arc<Mutex<Session>>, BuildHasherDefault<HandleHasher>>;

/// Everything the module holds while initialised.
pub struct Instance {
    pub(super) slots: Mutex<SlotTable>,
    sessions: Mutex<Sessions>,
    next_session: AtomicU64,
    /// The process that initialised it (a child after `fork()` starts afresh).
    pid: u32,
}

impl Default for Instance {
    fn default() -> Self {
        Instance {
            slots: Mutex::default(),
            sessions: Mutex::default(),
            next_session: AtomicU64::new(0),
            pid: std::process::id(),
        }
    }
}

/// The size protocol's early answers: a length query, or a buffer too small (the operation
/// stays active in both); `None` when the caller's buffer fits a `len`-byte result.
pub(super) fn size_answer(len: usize, capacity: Option<usize>) -> Option<Output> {
    match capacity {
        None => Some(Output::Len(len)),
        Some(c) if c < len => Some(Output::TooSmall(len)),
        Some(_) => None,
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Session state as `C_GetSessionInfo` reports it.
pub struct SessionInfo {
    /// Our slot id.
    pub slot: CK_SLOT_ID,
    /// `CKS_*`.
    pub state: CK_STATE,
    /// `CKF_SERIAL_SESSION` and maybe `CKF_RW_SESSION`.
    pub flags: CK_FLAGS,
}

impl Instance {
    /// Slot ids (`C_GetSlotList`), refreshed at most every second.
    pub fn slot_list(&self, token_present: bool) -> Vec<CK_SLOT_ID> {
        let mut t = lock(&self.slots);
        t.refresh(false);
        t.ids(token_present)
    }

    /// Runs `f` on a slot (`C_GetSlotInfo`).
    pub fn with_slot<T>(&self, id: CK_SLOT_ID, f: impl FnOnce(&SlotEntry) -> T) -> Result<T, Rv> {
        let mut t = lock(&self.slots);
        if t.get(id).is_err() {
            t.refresh(true);
        }
        t.get(id).map(f)
    }

    /// Token information, live from the token (PIN flags change after each attempt), and the
    /// number of our sessions on it.
    pub fn token_info(&self, id: CK_SLOT_ID) -> Result<(TokenInfo, usize, usize), Rv> {
        let token = {
            let t = lock(&self.slots);
            t.token(id)?.token.clone()
        };
        let info = token
            .info()
            .map_err(|e| slots::token_error(&mut lock(&self.slots), id, &e))?;
        let sessions: Vec<_> = lock(&self.sessions).values().cloned().collect();
        let (mut all, mut rw) = (0, 0);
        for s in sessions {
            let s = lock(&s);
            if s.slot == id {
                all += 1;
                rw += usize::from(s.rw);
            }
        }
        Ok((info, all, rw))
    }

    /// Mechanisms of a slot (`C_GetMechanismList`).
    pub fn mechanisms(&self, id: CK_SLOT_ID) -> Result<Vec<CK_MECHANISM_TYPE>, Rv> {
        self.with_slot(id, |_| mechanism::OFFERED.to_vec())
    }

    /// `C_OpenSession`.
    pub fn open_session(&self, slot: CK_SLOT_ID, flags: CK_FLAGS) -> Result<CK_SESSION_HANDLE, Rv> {
        if flags & CKF_SERIAL_SESSION == 0 {
            return Err(CKR_SESSION_PARALLEL_NOT_SUPPORTED);
        }
        let (generation, present) = {
            let mut t = lock(&self.slots);
            if t.get(slot).is_err() {
                t.refresh(true);
            }
            let entry = t.get(slot)?;
            entry.token.as_ref().ok_or(CKR_TOKEN_NOT_PRESENT)?;
            (entry.generation, entry.present.clone())
        };
        let handle = self.next_session.fetch_add(1, Ordering::Relaxed) + 1;
        let session = Session {
            slot,
            generation,
            present,
            rw: flags & CKF_RW_SESSION != 0,
            find: None,
            sign: None,
            verify: None,
            digest: None,
        };
        lock(&self.sessions).insert(handle, Arc::new(Mutex::new(session)));
        Ok(handle)
    }

    /// `C_CloseSession`; the last session of a slot logs the token out, as the spec says.
    pub fn close_session(&self, handle: CK_SESSION_HANDLE) -> Result<(), Rv> {
        let slot = {
            let mut sessions = lock(&self.sessions);
            let s = sessions.remove(&handle).ok_or(CKR_SESSION_HANDLE_INVALID)?;
            let slot = lock(&s).slot;
            if sessions.values().any(|o| lock(o).slot == slot) {
                return Ok(());
            }
            slot
        };
        self.logout_slot(slot);
        Ok(())
    }

    /// `C_CloseAllSessions`.
    pub fn close_all(&self, slot: CK_SLOT_ID) -> Result<(), Rv> {
        self.with_slot(slot, |_| ())?;
        lock(&self.sessions).retain(|_, s| lock(s).slot != slot);
        self.logout_slot(slot);
        Ok(())
    }

    fn logout_slot(&self, slot: CK_SLOT_ID) {
        let mut t = lock(&self.slots);
        if let Ok(ts) = t.token(slot) {
            if ts.token.is_logged_in() {
                let _ = ts.token.logout();
                t.reload_objects(slot);
            }
        }
    }

    /// A live session: open, and its token still the one it was opened on.
    pub fn session(&self, handle: CK_SESSION_HANDLE) -> Result<Arc<Mutex<Session>>, Rv> {
        let s = self.lookup(handle)?;
        let alive = lock(&s).alive();
        if alive {
            Ok(s)
        } else {
            self.forget(handle)
        }
    }

    /// Runs `f` on a live session under its lock, taken once (the hot path of `C_Sign`).
    pub(super) fn with_session<T>(
        &self,
        handle: CK_SESSION_HANDLE,
        f: impl FnOnce(&mut Session) -> Result<T, Rv>,
    ) -> Result<T, Rv> {
        let s = self.lookup(handle)?;
        let mut g = lock(&s);
        if !g.alive() {
            drop(g);
            return self.forget(handle);
        }
        f(&mut g)
    }

    fn lookup(&self, handle: CK_SESSION_HANDLE) -> Result<Arc<Mutex<Session>>, Rv> {
        lock(&self.sessions)
            .get(&handle)
            .cloned()
            .ok_or(CKR_SESSION_HANDLE_INVALID)
    }

    /// Drops a session whose token went away.
    fn forget<T>(&self, handle: CK_SESSION_HANDLE) -> Result<T, Rv> {
        lock(&self.sessions).remove(&handle);
        Err(CKR_SESSION_HANDLE_INVALID)
    }

    /// `C_GetSessionInfo`, from state: NSS polls it, the token is not asked.
    pub fn session_info(&self, handle: CK_SESSION_HANDLE) -> Result<SessionInfo, Rv> {
        let s = self.session(handle)?;
        let (slot, rw) = {
            let g = lock(&s);
            (g.slot, g.rw)
        };
        let logged_in = lock(&self.slots).token(slot)?.token.is_logged_in();
        let state = match (rw, logged_in) {
            (false, false) => CKS_RO_PUBLIC_SESSION,
            (false, true) => CKS_RO_USER_FUNCTIONS,
            (true, false) => CKS_RW_PUBLIC_SESSION,
            (true, true) => CKS_RW_USER_FUNCTIONS,
        };
        let flags = CKF_SERIAL_SESSION | if rw { CKF_RW_SESSION } else { 0 };
        Ok(SessionInfo { slot, state, flags })
    }

    /// `C_Login`. A user login unlocks the token for every session; a context-specific login
    /// authorises the signature in progress on an always-authenticate key.
    pub fn login(
        &self,
        handle: CK_SESSION_HANDLE,
        user: CK_USER_TYPE,
        pin: &SecretString,
    ) -> Result<(), Rv> {
        let s = self.session(handle)?;
        let slot = lock(&s).slot;
        match user {
            CKU_USER | CKU_SO => {}
            CKU_CONTEXT_SPECIFIC => {
                let mut g = lock(&s);
                let op = g.sign.as_mut().ok_or(CKR_OPERATION_NOT_INITIALIZED)?;
                op.context_login_done = true;
                return Ok(());
            }
            _ => return Err(CKR_USER_TYPE_INVALID),
        }
        let token = lock(&self.slots).token(slot)?.token.clone();
        if user == CKU_SO {
            // The spec's order: read-only sessions and a logged-in user are reported before
            // the SO login itself is refused (kyso's backends log users in, never the SO).
            let read_only = lock(&self.sessions).values().any(|o| {
                let o = lock(o);
                o.slot == slot && !o.rw
            });
            if read_only {
                return Err(CKR_SESSION_READ_ONLY_EXISTS);
            }
            if token.is_logged_in() {
                return Err(CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
            }
            return Err(CKR_USER_TYPE_INVALID);
        }
        if token.is_logged_in() {
            return Err(CKR_USER_ALREADY_LOGGED_IN);
        }
        // The PIN goes to the token outside our locks: a card may take seconds.
        token
            .login(pin)
            .map_err(|e| slots::token_error(&mut lock(&self.slots), slot, &e))?;
        lock(&self.slots).reload_objects(slot);
        Ok(())
    }

    /// `C_Logout`.
    pub fn logout(&self, handle: CK_SESSION_HANDLE) -> Result<(), Rv> {
        let s = self.session(handle)?;
        let slot = lock(&s).slot;
        let mut t = lock(&self.slots);
        let token = t.token(slot)?.token.clone();
        if !token.is_logged_in() {
            return Err(CKR_USER_NOT_LOGGED_IN);
        }
        token.logout().map_err(|e| rv::from_error(&e))?;
        t.reload_objects(slot);
        Ok(())
    }

    /// `C_SetPIN`.
    pub fn set_pin(
        &self,
        handle: CK_SESSION_HANDLE,
        old: &SecretString,
        new: &SecretString,
    ) -> Result<(), Rv> {
        let s = self.session(handle)?;
        let slot = lock(&s).slot;
        let token = lock(&self.slots).token(slot)?.token.clone();
        token
            .change_pin(old, new)
            .map_err(|e| slots::token_error(&mut lock(&self.slots), slot, &e))
    }

    /// `C_FindObjectsInit`: matches now, returns them over `C_FindObjects` calls.
    pub fn find_init(
        &self,
        handle: CK_SESSION_HANDLE,
        template: &[(CK_ATTRIBUTE_TYPE, Vec<u8>)],
    ) -> Result<(), Rv> {
        let s = self.session(handle)?;
        let mut g = lock(&s);
        if g.find.is_some() {
            return Err(CKR_OPERATION_ACTIVE);
        }
        let t = lock(&self.slots);
        let ts = t.token(g.slot)?;
        let logged_in = ts.token.is_logged_in();
        let found = ts
            .objects
            .iter()
            .filter(|o| !o.private || logged_in)
            .filter(|o| o.matches(template))
            .map(|o| o.handle)
            .collect();
        g.find = Some(found);
        Ok(())
    }

    /// `C_FindObjects`: up to `max` more handles.
    pub fn find(&self, handle: CK_SESSION_HANDLE, max: usize) -> Result<Vec<CK_OBJECT_HANDLE>, Rv> {
        let s = self.session(handle)?;
        let mut g = lock(&s);
        let pending = g.find.as_mut().ok_or(CKR_OPERATION_NOT_INITIALIZED)?;
        let n = max.min(pending.len());
        Ok(pending.drain(..n).collect())
    }

    /// `C_FindObjectsFinal`.
    pub fn find_final(&self, handle: CK_SESSION_HANDLE) -> Result<(), Rv> {
        let s = self.session(handle)?;
        let taken = lock(&s).find.take();
        taken.map(|_| ()).ok_or(CKR_OPERATION_NOT_INITIALIZED)
    }

    /// An object visible to this session.
    pub fn object(
        &self,
        handle: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
    ) -> Result<Arc<Object>, Rv> {
        let s = self.session(handle)?;
        let slot = lock(&s).slot;
        self.visible(slot, object)
    }

    /// An object of a slot, if a session there may see it now.
    pub(super) fn visible(
        &self,
        slot: CK_SLOT_ID,
        object: CK_OBJECT_HANDLE,
    ) -> Result<Arc<Object>, Rv> {
        let t = lock(&self.slots);
        let o = t.object(slot, object)?;
        if o.private && !t.token(slot)?.token.is_logged_in() {
            return Err(CKR_OBJECT_HANDLE_INVALID);
        }
        Ok(o)
    }

    /// `C_GetObjectSize`: the object must be visible; its size on the token is not known
    /// (`CK_UNAVAILABLE_INFORMATION`, which the spec allows).
    pub fn object_size(
        &self,
        handle: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
    ) -> Result<CK_ULONG, Rv> {
        self.object(handle, object)?;
        Ok(CK_UNAVAILABLE_INFORMATION)
    }

    /// `C_WaitForSlotEvent`: a slot whose token came or went since the last call. Blocking
    /// waits poll the modules twice a second until an event or `C_Finalize`, but only while
    /// an event can come at all ([`SlotTable::events_possible`]); otherwise a blocking wait
    /// answers `CKR_FUNCTION_NOT_SUPPORTED` at once (the spec's answer for a library that
    /// cannot wait) instead of blocking the host's thread forever.
    ///
    /// [`SlotTable::events_possible`]: super::slots::SlotTable::events_possible
    pub fn wait_for_slot_event(self: &Arc<Self>, block: bool) -> Result<CK_SLOT_ID, Rv> {
        loop {
            {
                let mut t = lock(&self.slots);
                t.refresh(true);
                if !t.events.is_empty() {
                    return Ok(t.events.remove(0));
                }
                if !block {
                    return Err(CKR_NO_EVENT);
                }
                if !t.events_possible() {
                    return Err(CKR_FUNCTION_NOT_SUPPORTED);
                }
            }
            std::thread::sleep(Duration::from_millis(500));
            // Finalised (or finalised and initialised again) while waiting.
            if !get().is_ok_and(|i| Arc::ptr_eq(&i, self)) {
                return Err(CKR_CRYPTOKI_NOT_INITIALIZED);
            }
        }
    }
}
