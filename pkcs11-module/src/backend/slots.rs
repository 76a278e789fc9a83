//! The slot table: one slot per slot of every underlying module, then one per token the library
//! gives directly (remote signing credentials), kept for the module's whole life (NSS assumes
//! slots never disappear); tokens come and go inside them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cryptoki_sys::*;
use kyso::config::Config;
use kyso::discovery::Discovery;
use kyso::pkcs11::{Backend, SlotDescription};
use kyso::public_key::PublicKey;
use kyso::Token;

use super::object::{self, Object};
use super::recursion;
use super::rv::{self, Rv};

/// How often polling calls (`C_GetSlotList`, NSS's favourite) may reach the real modules.
const REFRESH_EVERY: Duration = Duration::from_secs(1);

/// A token present in a slot, with the objects it shows now.
pub struct TokenSlot {
    /// The token, through the uniform trait.
    pub token: Arc<dyn Token>,
    /// Objects visible now (private keys only while logged in).
    pub objects: Vec<Arc<Object>>,
}

/// One of our slots.
pub struct SlotEntry {
    /// Our slot id (stable while the module is loaded).
    pub id: CK_SLOT_ID,
    /// The underlying module (index) and its slot; `None` for a token the library gives
    /// directly (a remote credential), present for the module's whole life.
    source: Option<(usize, cryptoki::slot::Slot)>,
    /// What the underlying module says of the slot.
    pub desc: SlotDescription,
    /// Increases every time a token appears: sessions of an earlier token are invalid.
    pub generation: u64,
    /// `generation` while a token is present, 0 while none is: what sessions check on every
    /// call, without the table's lock.
    pub present: Arc<AtomicU64>,
    /// The token, when present.
    pub token: Option<TokenSlot>,
}

/// All slots, the loaded modules behind them, and pending slot events.
#[derive(Default)]
pub struct SlotTable {
    backend: Option<Backend>,
    slots: Vec<SlotEntry>,
    last_refresh: Option<Instant>,
    handles: HashMap<(CK_SLOT_ID, u64, CK_OBJECT_CLASS, Vec<u8>, String), CK_OBJECT_HANDLE>,
    next_handle: CK_OBJECT_HANDLE,
    /// Slots whose token appeared or went since the last `C_WaitForSlotEvent`.
    pub events: Vec<CK_SLOT_ID>,
}

/// The discovery the `kyso` command makes (kyso.toml as it finds it, else auto-configuration
/// from the tokens plugged in, and the `[[remote]]` accounts), never loading ourselves (by name,
/// link or copy) or a proxy that may load us (that would recurse): see [`recursion::refuse`].
fn discovery(cfg: Config) -> Discovery {
    Discovery::new(cfg, &[]).refusing(|path| {
        let why = format!("it would load kyso itself: {}", recursion::refuse(path)?);
        log::warn!("module {} skipped: {why}", path.display());
        Some(why)
    })
}

impl SlotTable {
    /// Brings the table up to date with the real modules, at most every second unless
    /// `force`. The first call loads the modules (lazily: C_Initialize stays instant).
    pub fn refresh(&mut self, force: bool) {
        if !force
            && self
                .last_refresh
                .is_some_and(|t| t.elapsed() < REFRESH_EVERY)
        {
            return;
        }
        let first = self.backend.is_none();
        if first {
            // A kyso.toml that cannot be read loads nothing (rather than auto-configuring
            // behind the user's back); the log says why.
            let discovery = match Config::discover(None) {
                Ok(cfg) => Some(discovery(cfg)),
                Err(e) => {
                    log::error!("no modules loaded: {e}");
                    None
                }
            };
            let mut backend = match discovery.as_ref().map(Discovery::backend) {
                Some(Ok(b)) => b,
                Some(Err(e)) => {
                    // Remote accounts alone are a fine configuration.
                    if discovery
                        .as_ref()
                        .is_some_and(|d| d.config().remotes.is_empty())
                    {
                        log::error!("no modules loaded: {e}");
                    } else {
                        log::info!("no PKCS#11 module: {e}");
                    }
                    Backend::default()
                }
                None => Backend::default(),
            };
            recursion::drop_loaded_kyso(&mut backend);
            for (cfg, e) in &backend.failures {
                log::error!(
                    "module {} ({}): {e}",
                    cfg.display_name(),
                    cfg.path.display()
                );
            }
            self.backend = Some(backend);
            if let Some(d) = &discovery {
                self.add_remote_slots(d);
            }
        }
        self.last_refresh = Some(Instant::now());
        let Some(backend) = &self.backend else { return };
        let mut seen = Vec::new();
        for (mi, module) in backend.modules.iter().enumerate() {
            let slots = match module.slots() {
                Ok(s) => s,
                Err(e) => {
                    log::warn!("module {}: cannot list slots: {e}", module.name());
                    continue;
                }
            };
            for slot in slots {
                let Ok(desc) = module.slot_description(slot) else {
                    continue;
                };
                let idx = match self.slots.iter().position(|s| s.source == Some((mi, slot))) {
                    Some(i) => i,
                    None => {
                        self.slots.push(SlotEntry {
                            id: self.slots.len() as CK_SLOT_ID + 1,
                            source: Some((mi, slot)),
                            desc: desc.clone(),
                            generation: 0,
                            present: Arc::new(AtomicU64::new(0)),
                            token: None,
                        });
                        self.slots.len() - 1
                    }
                };
                let entry = &mut self.slots[idx];
                entry.desc = desc;
                let present = entry.desc.token_present;
                if present && entry.token.is_none() {
                    match module.token(slot) {
                        Ok(Some(t)) => {
                            entry.generation += 1;
                            entry.present.store(entry.generation, Ordering::Release);
                            entry.token = Some(TokenSlot {
                                token: t,
                                objects: Vec::new(),
                            });
                            seen.push(idx);
                        }
                        Ok(None) => {}
                        Err(e) => log::warn!("slot {}: {e}", entry.desc.description),
                    }
                } else if !present && entry.token.is_some() {
                    entry.token = None;
                    entry.present.store(0, Ordering::Release);
                    seen.push(idx);
                }
            }
        }
        for idx in seen {
            let id = self.slots[idx].id;
            self.reload_objects(id);
            if !first {
                self.events.push(id);
            }
        }
    }

    /// One slot per remote credential of kyso.toml's `[[remote]]` accounts, listed once when the
    /// module first loads (an account that cannot be reached then is logged, not fatal).
    fn add_remote_slots(&mut self, discovery: &Discovery) {
        if discovery.config().remotes.is_empty() {
            return;
        }
        let (tokens, errors) = discovery.remote_tokens();
        for (account, e) in errors {
            log::error!("remote account {account}: {e}");
        }
        for token in tokens {
            let token = token as Arc<dyn Token>;
            let Ok(info) = token.info() else { continue };
            let id = self.slots.len() as CK_SLOT_ID + 1;
            self.slots.push(SlotEntry {
                id,
                source: None,
                desc: SlotDescription {
                    id: info.slot,
                    description: format!(
                        "kyso remote signing ({}) {}",
                        info.model, info.slot_description
                    ),
                    manufacturer: info.manufacturer,
                    token_present: true,
                    removable: false,
                    hardware: false,
                },
                generation: 1,
                present: Arc::new(AtomicU64::new(1)),
                token: Some(TokenSlot {
                    token,
                    objects: Vec::new(),
                }),
            });
            self.reload_objects(id);
        }
    }

    /// Whether a token can still come or go: some underlying slot is removable, or a module
    /// shows no slot yet (a reader may be plugged in). Software tokens and remote accounts
    /// alone never produce a slot event.
    pub fn events_possible(&self) -> bool {
        let modules = self.backend.as_ref().map_or(0, |b| b.modules.len());
        self.slots
            .iter()
            .any(|s| s.source.is_some() && s.desc.removable)
            || (0..modules).any(|mi| {
                !self
                    .slots
                    .iter()
                    .any(|s| s.source.map(|(m, _)| m) == Some(mi))
            })
    }

    /// Every slot (`tokenPresent` false) or those with a token.
    pub fn ids(&self, token_present: bool) -> Vec<CK_SLOT_ID> {
        self.slots
            .iter()
            .filter(|s| !token_present || s.token.is_some())
            .map(|s| s.id)
            .collect()
    }

    /// A slot by our id.
    pub fn get(&self, id: CK_SLOT_ID) -> Result<&SlotEntry, Rv> {
        self.slots
            .iter()
            .find(|s| s.id == id)
            .ok_or(CKR_SLOT_ID_INVALID)
    }

    /// The token in a slot, or `CKR_TOKEN_NOT_PRESENT`.
    pub fn token(&self, id: CK_SLOT_ID) -> Result<&TokenSlot, Rv> {
        self.get(id)?.token.as_ref().ok_or(CKR_TOKEN_NOT_PRESENT)
    }

    /// Marks a token gone after an operation reported it removed.
    pub fn token_removed(&mut self, id: CK_SLOT_ID) {
        if let Some(s) = self.slots.iter_mut().find(|s| s.id == id) {
            if s.token.take().is_some() {
                s.present.store(0, Ordering::Release);
                self.events.push(id);
            }
        }
    }

    fn handle(
        &mut self,
        slot: CK_SLOT_ID,
        gen: u64,
        class: CK_OBJECT_CLASS,
        id: &[u8],
        label: &str,
    ) -> CK_OBJECT_HANDLE {
        let key = (slot, gen, class, id.to_vec(), label.to_owned());
        if let Some(h) = self.handles.get(&key) {
            return *h;
        }
        self.next_handle += 1;
        self.handles.insert(key, self.next_handle);
        self.next_handle
    }

    /// Rebuilds a token's objects from the token (after insertion, login and logout).
    pub fn reload_objects(&mut self, slot: CK_SLOT_ID) {
        let Some(entry) = self.slots.iter().find(|s| s.id == slot) else {
            return;
        };
        let Some(ts) = &entry.token else { return };
        let token = ts.token.clone();
        let gen = entry.generation;
        let mut objects = Vec::new();
        match token.certificates() {
            Ok(entries) => {
                for e in entries {
                    let h = self.handle(slot, gen, CKO_CERTIFICATE, &e.id, &e.label);
                    objects.push(Arc::new(object::certificate(h, &e)));
                    if e.has_private_key {
                        if let Ok(pk) = PublicKey::from_spki_der(e.certificate.spki_der()) {
                            let h = self.handle(slot, gen, CKO_PUBLIC_KEY, &e.id, &e.label);
                            objects.push(Arc::new(object::public_key(h, &e, Arc::new(pk))));
                        }
                    }
                }
            }
            Err(e) => log::warn!("slot {slot}: cannot read certificates: {e}"),
        }
        if token.is_logged_in() {
            match token.signers() {
                Ok(signers) => {
                    for s in signers {
                        let Ok(pk) = PublicKey::from_spki_der(s.certificate().spki_der()) else {
                            continue;
                        };
                        let (id, label) = (s.key().id.clone(), s.key().label.clone());
                        let h = self.handle(slot, gen, CKO_PRIVATE_KEY, &id, &label);
                        objects.push(Arc::new(object::private_key(h, s, Arc::new(pk))));
                    }
                }
                Err(e) => log::warn!("slot {slot}: cannot read keys: {e}"),
            }
        }
        // By handle: every operation finds its key by binary search.
        objects.sort_unstable_by_key(|o| o.handle);
        if let Some(ts) = self
            .slots
            .iter_mut()
            .find(|s| s.id == slot)
            .and_then(|s| s.token.as_mut())
        {
            ts.objects = objects;
        }
    }

    /// An object by handle on a slot with a token, borrowed (no reference count touched),
    /// if a session there may see it now (private objects only while logged in).
    pub fn visible_ref(&self, slot: CK_SLOT_ID, handle: CK_OBJECT_HANDLE) -> Option<&Object> {
        let ts = self.token(slot).ok()?;
        let i = ts
            .objects
            .binary_search_by_key(&handle, |o| o.handle)
            .ok()?;
        let o = &*ts.objects[i];
        (!o.private || ts.token.is_logged_in()).then_some(o)
    }

    /// An object by handle, if visible on that slot now.
    pub fn object(&self, slot: CK_SLOT_ID, handle: CK_OBJECT_HANDLE) -> Result<Arc<Object>, Rv> {
        let ts = self.token(slot).map_err(|_| CKR_OBJECT_HANDLE_INVALID)?;
        ts.objects
            .binary_search_by_key(&handle, |o| o.handle)
            .map(|i| ts.objects[i].clone())
            .map_err(|_| CKR_OBJECT_HANDLE_INVALID)
    }
}

/// Maps a kyso error on a token, noting removal.
pub fn token_error(table: &mut SlotTable, slot: CK_SLOT_ID, e: &kyso::Error) -> Rv {
    if matches!(e, kyso::Error::TokenRemoved { .. }) {
        table.token_removed(slot);
    }
    rv::from_error(e)
}
