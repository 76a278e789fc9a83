//! What the page is told as it happens — a batch's progress, tokens plugged in or pulled out —
//! kept as one log for the session: the page reads it from where it left off (over a
//! WebSocket as it comes, or by asking), so a reload or a late connection misses nothing.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use serde_json::Value;

/// The session's events, in order.
#[derive(Default)]
pub struct Log {
    events: Mutex<Vec<Value>>,
    added: Condvar,
}

impl Log {
    /// Appends `event` and wakes those waiting.
    pub fn push(&self, event: Value) {
        if let Ok(mut e) = self.events.lock() {
            e.push(event);
        }
        self.added.notify_all();
    }

    /// How many events there are.
    pub fn len(&self) -> usize {
        self.events.lock().map(|e| e.len()).unwrap_or(0)
    }

    /// The events from `from` on, waiting up to `wait` for one when there are none.
    pub fn wait_since(&self, from: usize, wait: Duration) -> Vec<Value> {
        let Ok(guard) = self.events.lock() else {
            return Vec::new();
        };
        let Ok((guard, _)) = self
            .added
            .wait_timeout_while(guard, wait, |e| e.len() <= from)
        else {
            return Vec::new();
        };
        guard.get(from..).map(<[Value]>::to_vec).unwrap_or_default()
    }
}
