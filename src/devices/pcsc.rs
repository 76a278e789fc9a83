//! PC/SC readers and cards through pcscd: a snapshot ([`scan`]) and a [`Watcher`] for card
//! insertion/removal and reader hot-plug (`SCardGetStatusChange` with `\\?PnP?\Notification`).
//!
//! Every wait is bounded; pcscd not running, no readers and a reader or the service going away
//! mid-wait are ordinary states and events, never a hang or a panic.

use std::collections::{HashMap, VecDeque};
use std::ffi::CString;
use std::time::{Duration, Instant};

use pcsc::{Context, ReaderState, Scope, State};
use serde::Serialize;

use super::catalogue::format_hex;
use crate::error::{Error, Result};

/// Longest single `SCardGetStatusChange`: a wait is cut in slices this long so that a service
/// that dies without a word is noticed.
const SLICE: Duration = Duration::from_millis(500);

/// What is in one reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CardState {
    /// No card.
    Empty,
    /// A card answered; its ATR (hex `3B 9F …`).
    Present {
        /// The ATR as hex.
        atr: String,
    },
    /// A card is in but does not answer (bad contact, unsupported).
    Mute,
    /// The reader is in use exclusively or unavailable.
    Unavailable,
}

/// One reader and its card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reader {
    /// The reader name pcscd gives.
    pub name: String,
    /// What is in it.
    pub card: CardState,
}

/// The PC/SC side of the machine now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PcscStatus {
    /// pcscd answered; the readers (possibly none).
    Running {
        /// Readers known to pcscd.
        readers: Vec<Reader>,
    },
    /// pcscd is not running (or the client library cannot reach it).
    NotRunning {
        /// Why.
        message: String,
    },
    /// pcscd answered with an error.
    Failed {
        /// The error.
        message: String,
    },
}

/// A change seen by the [`Watcher`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum DeviceEvent {
    /// A reader appeared (plugged in, or pcscd came back).
    ReaderAdded {
        /// Reader name.
        reader: String,
    },
    /// A reader went away.
    ReaderRemoved {
        /// Reader name.
        reader: String,
    },
    /// A card (or a token's chip) was inserted.
    CardInserted {
        /// Reader name.
        reader: String,
        /// ATR as hex.
        atr: String,
    },
    /// The card was removed.
    CardRemoved {
        /// Reader name.
        reader: String,
    },
    /// pcscd stopped: every reader is gone until it comes back.
    ServiceStopped,
    /// pcscd is reachable (again).
    ServiceStarted,
}

fn map_err(function: &str, e: pcsc::Error) -> Error {
    match e {
        // A restarted pcscd refuses the previous daemon's clients with a "security violation".
        pcsc::Error::NoService
        | pcsc::Error::ServiceStopped
        | pcsc::Error::CommError
        | pcsc::Error::SecurityViolation => Error::PcscUnavailable(e.to_string()),
        other => Error::Pcsc {
            function: function.to_owned(),
            message: other.to_string(),
        },
    }
}

fn is_service_gone(e: pcsc::Error) -> bool {
    matches!(
        e,
        pcsc::Error::NoService
            | pcsc::Error::ServiceStopped
            | pcsc::Error::CommError
            | pcsc::Error::InvalidHandle
            | pcsc::Error::Shutdown
            | pcsc::Error::SecurityViolation
    )
}

fn card_state(s: State, atr: &[u8]) -> CardState {
    if s.contains(State::PRESENT) {
        if s.contains(State::MUTE) || atr.is_empty() {
            CardState::Mute
        } else {
            CardState::Present {
                atr: format_hex(atr),
            }
        }
    } else if s.intersects(State::UNAVAILABLE | State::UNKNOWN) {
        CardState::Unavailable
    } else {
        CardState::Empty
    }
}

fn establish() -> Result<Context> {
    Context::establish(Scope::User).map_err(|e| map_err("SCardEstablishContext", e))
}

fn reader_names(ctx: &Context) -> Result<Vec<CString>> {
    ctx.list_readers_owned()
        .map_err(|e| map_err("SCardListReaders", e))
}

/// Reads every reader's state once (no waiting).
fn read_states(ctx: &Context, names: Vec<CString>) -> Result<Vec<ReaderState>> {
    let mut states: Vec<ReaderState> = names
        .into_iter()
        .map(|n| ReaderState::new(n, State::UNAWARE))
        .collect();
    if !states.is_empty() {
        match ctx.get_status_change(Duration::ZERO, &mut states) {
            Ok(()) | Err(pcsc::Error::Timeout) => {}
            Err(e) => return Err(map_err("SCardGetStatusChange", e)),
        }
    }
    for s in &mut states {
        s.sync_current_state();
    }
    Ok(states)
}

/// The readers and cards now; pcscd not running is a status, not an error.
pub fn scan() -> PcscStatus {
    let states = match establish().and_then(|ctx| read_states(&ctx, reader_names(&ctx)?)) {
        Ok(s) => s,
        Err(Error::PcscUnavailable(message)) => return PcscStatus::NotRunning { message },
        Err(e) => {
            return PcscStatus::Failed {
                message: e.to_string(),
            }
        }
    };
    let readers = states
        .iter()
        .map(|s| Reader {
            name: s.name().to_string_lossy().into_owned(),
            card: card_state(s.event_state(), s.atr()),
        })
        .collect();
    PcscStatus::Running { readers }
}

/// Whether the reader named `reader` (a PKCS#11 slot description, which for OpenSC and most
/// PC/SC modules is the reader name) holds a card now: `Some(false)` when it is empty, `None`
/// when there is no such reader (not a PC/SC slot, or a USB token gone with its own reader)
/// or pcscd cannot be asked.
pub fn reader_has_card(reader: &str) -> Option<bool> {
    let PcscStatus::Running { readers } = scan() else {
        return None;
    };
    readers
        .iter()
        .find(|r| r.name == reader)
        .map(|r| !matches!(r.card, CardState::Empty))
}

/// Cancels a [`Watcher`]'s wait from another thread.
#[derive(Clone)]
pub struct Canceller(Option<Context>);

impl Canceller {
    /// Makes the watcher's current (or next) wait return `Ok(None)` at once.
    pub fn cancel(&self) {
        if let Some(c) = &self.0 {
            let _ = c.cancel();
        }
    }
}

/// Watches readers and cards. Create it, read [`readers`](Watcher::readers) for the state now,
/// then [`wait`](Watcher::wait) (bounded) or iterate (blocks until the next event).
///
/// When pcscd stops, the watcher reports every card and reader as removed, then
/// [`DeviceEvent::ServiceStopped`]; it keeps trying to reach pcscd and reports
/// [`DeviceEvent::ServiceStarted`] and the readers when it comes back.
pub struct Watcher {
    ctx: Option<Context>,
    /// Index 0 is the PnP notification pseudo-reader; the others are real readers.
    states: Vec<ReaderState>,
    pending: VecDeque<DeviceEvent>,
    /// Card event counts per reader (pcsc-lite keeps them in the high word of the state).
    counts: HashMap<CString, u32>,
    cancelled: bool,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher")
            .field("running", &self.ctx.is_some())
            .field("readers", &self.readers())
            .finish()
    }
}

fn pnp_state() -> ReaderState {
    ReaderState::new(pcsc::PNP_NOTIFICATION().to_owned(), State::UNAWARE)
}

impl Watcher {
    /// Starts watching. pcscd not running is not an error: the watcher starts "stopped" and
    /// reports [`DeviceEvent::ServiceStarted`] when pcscd appears.
    pub fn new() -> Result<Watcher> {
        let mut w = Watcher {
            ctx: None,
            states: vec![pnp_state()],
            pending: VecDeque::new(),
            counts: HashMap::new(),
            cancelled: false,
        };
        match w.connect() {
            Ok(()) => {
                // The state at start is not news.
                w.pending.clear();
            }
            Err(Error::PcscUnavailable(_)) => {}
            Err(e) => return Err(e),
        }
        Ok(w)
    }

    /// True while pcscd is reachable.
    pub fn service_running(&self) -> bool {
        self.ctx.is_some()
    }

    /// The readers and cards as last seen.
    pub fn readers(&self) -> Vec<Reader> {
        self.states[1..]
            .iter()
            .map(|s| Reader {
                name: s.name().to_string_lossy().into_owned(),
                card: card_state(s.current_state(), s.atr()),
            })
            .collect()
    }

    /// A handle that cancels a wait from another thread.
    pub fn canceller(&self) -> Canceller {
        Canceller(self.ctx.clone())
    }

    fn connect(&mut self) -> Result<()> {
        let ctx = establish()?;
        let states = read_states(&ctx, reader_names(&ctx)?)?;
        let mut pnp = pnp_state();
        // Learn the reader count (kept in the high word) so the first wait is not a false alarm.
        match ctx.get_status_change(Duration::ZERO, std::slice::from_mut(&mut pnp)) {
            Ok(()) | Err(pcsc::Error::Timeout) => pnp.sync_current_state(),
            Err(e) => return Err(map_err("SCardGetStatusChange", e)),
        }
        self.pending.push_back(DeviceEvent::ServiceStarted);
        self.counts.clear();
        for s in &states {
            self.counts.insert(s.name().to_owned(), s.event_count());
            let reader = s.name().to_string_lossy().into_owned();
            self.pending.push_back(DeviceEvent::ReaderAdded {
                reader: reader.clone(),
            });
            if let CardState::Present { atr } = card_state(s.current_state(), s.atr()) {
                self.pending
                    .push_back(DeviceEvent::CardInserted { reader, atr });
            }
        }
        self.states = std::iter::once(pnp).chain(states).collect();
        self.ctx = Some(ctx);
        Ok(())
    }

    fn service_gone(&mut self) {
        self.ctx = None;
        for s in self.states.drain(1..) {
            let reader = s.name().to_string_lossy().into_owned();
            if s.current_state().contains(State::PRESENT) {
                self.pending.push_back(DeviceEvent::CardRemoved {
                    reader: reader.clone(),
                });
            }
            self.pending
                .push_back(DeviceEvent::ReaderRemoved { reader });
        }
        self.pending.push_back(DeviceEvent::ServiceStopped);
    }

    /// The next event within `timeout`; `Ok(None)` when nothing happened or the wait was
    /// cancelled.
    pub fn wait(&mut self, timeout: Duration) -> Result<Option<DeviceEvent>> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Ok(Some(e));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            let slice = left.min(SLICE);
            let Some(ctx) = self.ctx.clone() else {
                match self.connect() {
                    Ok(()) => continue,
                    Err(Error::PcscUnavailable(_)) => {
                        std::thread::sleep(slice);
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            };
            match ctx.get_status_change(slice, &mut self.states) {
                Ok(()) => self.collect_changes(&ctx)?,
                Err(pcsc::Error::Timeout) => {}
                Err(pcsc::Error::Cancelled) => {
                    self.cancelled = true;
                    return Ok(None);
                }
                Err(pcsc::Error::UnknownReader) => self.resync_readers(&ctx)?,
                Err(e) if is_service_gone(e) => self.service_gone(),
                Err(e) => return Err(map_err("SCardGetStatusChange", e)),
            }
            // A context that outlived its daemon answers every wait with a timeout on some
            // pcsc-lite versions: check it is still valid.
            if let Some(ctx) = &self.ctx {
                if let Err(e) = ctx.is_valid() {
                    if is_service_gone(e) {
                        self.service_gone();
                    }
                }
            }
        }
    }

    fn collect_changes(&mut self, ctx: &Context) -> Result<()> {
        let mut readers_changed = false;
        for (i, s) in self.states.iter_mut().enumerate() {
            let now = s.event_state();
            if !now.contains(State::CHANGED) {
                continue;
            }
            if i == 0 {
                readers_changed = true;
                s.sync_current_state();
                continue;
            }
            let reader = s.name().to_string_lossy().into_owned();
            let before = s.current_state();
            if now.intersects(State::UNKNOWN | State::UNAVAILABLE)
                && !before.contains(State::PRESENT)
            {
                readers_changed = true;
            }
            let was = before.contains(State::PRESENT);
            let is = now.contains(State::PRESENT);
            let count = s.event_count();
            let last = self.counts.insert(s.name().to_owned(), count);
            let swapped = was && is && last.is_some_and(|c| c != count);
            if was && (!is || swapped) {
                self.pending.push_back(DeviceEvent::CardRemoved {
                    reader: reader.clone(),
                });
            }
            if is && (!was || swapped) {
                if let CardState::Present { atr } = card_state(now, s.atr()) {
                    self.pending
                        .push_back(DeviceEvent::CardInserted { reader, atr });
                }
            }
            s.sync_current_state();
        }
        if readers_changed {
            self.resync_readers(ctx)?;
        }
        Ok(())
    }

    /// Diffs the reader list against what we watch: added and removed readers become events.
    fn resync_readers(&mut self, ctx: &Context) -> Result<()> {
        let names = match reader_names(ctx) {
            Ok(n) => n,
            Err(Error::PcscUnavailable(_)) => {
                self.service_gone();
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let mut kept = vec![self.states.remove(0)];
        for s in self.states.drain(..) {
            if names.iter().any(|n| n.as_c_str() == s.name()) {
                kept.push(s);
            } else {
                let reader = s.name().to_string_lossy().into_owned();
                if s.current_state().contains(State::PRESENT) {
                    self.pending.push_back(DeviceEvent::CardRemoved {
                        reader: reader.clone(),
                    });
                }
                self.pending
                    .push_back(DeviceEvent::ReaderRemoved { reader });
            }
        }
        let new: Vec<CString> = names
            .into_iter()
            .filter(|n| !kept.iter().any(|s| s.name() == n.as_c_str()))
            .collect();
        let added = match read_states(ctx, new) {
            Ok(a) => a,
            Err(Error::PcscUnavailable(_)) => {
                self.states = kept;
                self.service_gone();
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        for s in &added {
            self.counts.insert(s.name().to_owned(), s.event_count());
            let reader = s.name().to_string_lossy().into_owned();
            self.pending.push_back(DeviceEvent::ReaderAdded {
                reader: reader.clone(),
            });
            if let CardState::Present { atr } = card_state(s.current_state(), s.atr()) {
                self.pending
                    .push_back(DeviceEvent::CardInserted { reader, atr });
            }
        }
        kept.extend(added);
        self.states = kept;
        Ok(())
    }
}

/// Blocks until the next event (polling in bounded slices); ends only when cancelled.
impl Iterator for Watcher {
    type Item = Result<DeviceEvent>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.wait(Duration::from_secs(3600)) {
                Ok(Some(e)) => return Some(Ok(e)),
                Ok(None) if self.cancelled => {
                    self.cancelled = false;
                    return None;
                }
                Ok(None) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watcher_can_move_to_another_thread() {
        // The cdylib keeps one behind a mutex for C_WaitForSlotEvent.
        fn send_sync<T: Send>() {}
        send_sync::<Watcher>();
        send_sync::<Canceller>();
    }

    #[test]
    fn card_states_from_pcsc_flags() {
        let atr = [0x3B, 0x00];
        assert_eq!(card_state(State::EMPTY, &[]), CardState::Empty);
        assert_eq!(
            card_state(State::PRESENT | State::INUSE, &atr),
            CardState::Present {
                atr: "3B 00".into()
            }
        );
        assert_eq!(
            card_state(State::PRESENT | State::MUTE, &atr),
            CardState::Mute
        );
        assert_eq!(card_state(State::PRESENT, &[]), CardState::Mute);
        assert_eq!(card_state(State::UNAVAILABLE, &[]), CardState::Unavailable);
    }

    #[test]
    fn service_errors_map_to_the_unavailable_variant() {
        assert!(matches!(
            map_err("SCardEstablishContext", pcsc::Error::NoService),
            Error::PcscUnavailable(_)
        ));
        let e = map_err("SCardListReaders", pcsc::Error::InvalidParameter);
        assert!(e.to_string().contains("SCardListReaders"), "{e}");
    }
}
