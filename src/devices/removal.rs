//! A guard against a vendor module that never returns when its token is pulled out in the
//! middle of an operation: Debian 12's OpenSC (0.23) can deadlock in `C_Sign` when the card
//! goes away during the command (seen three times in four with the virtual PIV card tests
//! before its APDUs were made fast), and an official would see a frozen command. While a call
//! is in flight, the token's reader is watched through PC/SC, independently of the module: if
//! it goes empty (or away) and the call has not returned [`GRACE`] later, the caller's
//! `on_hang` runs (the CLI reports the batch and exits).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::pcsc::reader_has_card;

/// How long a call may go on after its token was seen gone.
pub const GRACE: Duration = Duration::from_secs(3);
const POLL: Duration = Duration::from_millis(250);

/// Watches one reader while [`RemovalWatch::busy`] says a call is in flight.
pub struct RemovalWatch {
    busy: Arc<Mutex<Option<Instant>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl RemovalWatch {
    /// Starts watching `reader` (the token's slot description) when it is a PC/SC reader with
    /// a card in it now; otherwise watches nothing. `on_hang` runs once, on the watch's own
    /// thread, when a call outlives its token (the stuck call never returns: ending the
    /// process is usually all that is left).
    pub fn start(reader: &str, on_hang: impl FnOnce() + Send + 'static) -> RemovalWatch {
        let busy = Arc::new(Mutex::new(None::<Instant>));
        let stop = Arc::new(AtomicBool::new(false));
        let mut dog = RemovalWatch {
            busy: busy.clone(),
            stop: stop.clone(),
            thread: None,
        };
        if reader_has_card(reader) != Some(true) {
            return dog;
        }
        let reader = reader.to_owned();
        dog.thread = Some(std::thread::spawn(move || {
            let mut gone_since: Option<Instant> = None;
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(POLL);
                let in_flight = busy.lock().map(|b| b.is_some()).unwrap_or(false);
                if !in_flight {
                    gone_since = None;
                    continue;
                }
                if reader_has_card(&reader) == Some(true) {
                    gone_since = None;
                    continue;
                }
                let since = *gone_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= GRACE {
                    log::warn!(
                        "token in '{reader}' removed and the module has not returned for {:?}",
                        since.elapsed()
                    );
                    on_hang();
                    return;
                }
            }
        }));
        dog
    }

    /// Marks a call to the token as started (`true`) or finished.
    pub fn busy(&self, busy: bool) {
        if let Ok(mut b) = self.busy.lock() {
            *b = busy.then(Instant::now);
        }
    }
}

impl Drop for RemovalWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
