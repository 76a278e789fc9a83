//! What the page is told as it happens — a batch's progress, tokens plugged in or pulled out —
//! kept as one log for the session: the page reads it from where it left off (over a
//! WebSocket as it comes, or by asking), so a reload or a late connection misses nothing.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use serde_json::Value;

/// The session's events, in order.
#[derive(Default)]
pub struct Log {
    /// The number of the first event kept: a restarted app ([`super::restart`]) goes on
    /// counting where the process it replaced stopped, so open pages miss nothing.
    base: usize,
    events: Mutex<Vec<Value>>,
    added: Condvar,
}

impl Log {
    /// A log whose first event is number `base`.
    pub fn starting_at(base: usize) -> Log {
        Log {
            base,
            ..Log::default()
        }
    }

    /// Appends `event` and wakes those waiting.
    pub fn push(&self, event: Value) {
        if let Ok(mut e) = self.events.lock() {
            e.push(event);
        }
        self.added.notify_all();
    }

    /// How many events there are.
    pub fn len(&self) -> usize {
        self.base + self.events.lock().map(|e| e.len()).unwrap_or(0)
    }

    /// The events from `from` on, waiting up to `wait` for one when there are none (from the
    /// first kept when `from` is older).
    pub fn wait_since(&self, from: usize, wait: Duration) -> Vec<Value> {
        let from = from.saturating_sub(self.base);
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_restarted_log_goes_on_counting() {
        let log = Log::starting_at(7);
        assert_eq!(log.len(), 7);
        log.push(json!({"n": 7}));
        log.push(json!({"n": 8}));
        assert_eq!(log.len(), 9);
        let none = Duration::ZERO;
        assert_eq!(log.wait_since(8, none), vec![json!({"n": 8})]);
        assert_eq!(log.wait_since(9, none), Vec::<Value>::new());
        // a page that knew fewer events than the replaced process had gets what is kept
        assert_eq!(log.wait_since(3, none).len(), 2);
    }
}
