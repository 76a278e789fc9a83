//! When a token's module stops answering — OpenSC 0.23 never returns from `C_Sign` once its card
//! is pulled out mid-command — the batch's thread is stuck in it, and so is every later call to
//! that module: only a new process can load it again. The app then replaces itself
//! (`exec`, the same process id) with a new `kyso app` on the same port and secret, given the
//! session to go on with: the documents listed, the outputs signed, where the event log
//! stopped. Open pages reconnect, keep their cookie and hear why the batch ended.
//!
//! A batch is judged stuck when, signing, it has been asked to end — Stop pressed, or its token
//! pulled out — and has not ended [`GRACE`] later: a working token ends between two
//! signatures, in well under a second.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use kyso::i18n::Lang;

/// How long a batch asked to end may take before it is judged stuck.
pub const GRACE: Duration = Duration::from_secs(8);

/// Where the new process finds its [`Session`] (a file, mode 0600, read once and removed).
const SESSION_VAR: &str = "KYSO_APP_RESTART";

/// What the new process goes on with.
#[derive(Serialize, Deserialize)]
pub struct Session {
    /// The port on 127.0.0.1.
    pub port: u16,
    /// The launch's secret (the pages' cookie).
    pub secret: String,
    /// The documents listed.
    pub files: Vec<PathBuf>,
    /// The outputs signed (their folders may be opened).
    pub outputs: Vec<PathBuf>,
    /// The number of the next event.
    pub events: usize,
    /// The batch that was stuck.
    pub job: u64,
    /// Its page's language.
    pub lang: String,
    /// Why it was stuck, in that language.
    pub why: String,
}

impl Session {
    /// The language the stuck batch's page speaks.
    pub fn lang(&self) -> Lang {
        Lang::parse(&self.lang).unwrap_or(Lang::Vi)
    }
}

/// The session left by the process this one replaced, if it is a restart.
pub fn take() -> Option<Session> {
    // left set: the file is gone once read, and a later restart sets it anew
    let file = PathBuf::from(std::env::var_os(SESSION_VAR)?);
    let bytes = std::fs::read(&file);
    let _ = std::fs::remove_file(&file);
    let session = bytes.and_then(|b| serde_json::from_slice(&b).map_err(std::io::Error::other));
    session
        .map_err(|e| log::warn!("{}: {e}", file.display()))
        .ok()
}

/// Replaces this process with a new `kyso app` going on with `session`; returns only if it
/// could not (the error said on stderr, the process ends).
pub fn exec(session: &Session) -> ! {
    use std::os::unix::process::CommandExt;
    log::warn!("{}", kyso::t!("app-restarting"));
    let err = save(session).and_then(|file| {
        let exe = std::env::current_exe()?;
        Err(std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env(SESSION_VAR, file)
            .exec())
    });
    let why = kyso::t!(
        "app-restart-failed",
        error = err.map_or_else(|e| e.to_string(), |()| String::new())
    );
    eprintln!("kyso app: {why}"); // i18n: the program's name before its message
    std::process::exit(1);
}

/// Writes `session` (it holds the page's secret) where only this user reads it: a new file
/// of a random name, mode 0600, never one another user could have put there first.
fn save(session: &Session) -> std::io::Result<PathBuf> {
    let dir = std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let mut f = tempfile::Builder::new()
        .prefix("kyso-app-restart-")
        .suffix(".json")
        .tempfile_in(dir)?;
    f.write_all(&serde_json::to_vec(session).map_err(std::io::Error::other)?)?;
    let (_, file) = f.keep().map_err(|e| e.error)?;
    Ok(file)
}

/// Watches one batch: asked to end ([`Watchdog::ask_end`]) while signing and still running
/// [`GRACE`] later, it is stuck. Before signing (the PIN dialog open, the documents checked)
/// nothing waits on the module, so nothing is judged stuck.
#[derive(Default)]
pub struct Watchdog {
    asked: Mutex<Option<(Instant, String)>>,
    signing: Mutex<Option<Instant>>,
    ended: AtomicBool,
}

impl Watchdog {
    /// The batch was asked to end (Stop, or its token pulled out), for reason `why`.
    pub fn ask_end(&self, why: String) {
        if let Ok(mut a) = self.asked.lock() {
            a.get_or_insert((Instant::now(), why));
        }
    }

    /// The batch logged in and signs: from now on it waits on the module.
    pub fn signing(&self) {
        if let Ok(mut s) = self.signing.lock() {
            s.get_or_insert_with(Instant::now);
        }
    }

    /// The batch ended.
    pub fn ended(&self) {
        self.ended.store(true, Ordering::SeqCst);
    }

    /// Why the batch is stuck, once it is: asked to end more than `grace` ago, not ended.
    fn stuck(&self, grace: Duration) -> Option<String> {
        if self.ended.load(Ordering::SeqCst) {
            return None;
        }
        let signing = (*self.signing.lock().ok()?)?;
        let asked = self.asked.lock().ok()?;
        let (when, why) = asked.as_ref()?;
        // from the later of the two: Stop pressed in the PIN dialog counts from the login
        let since = (*when).max(signing);
        (since.elapsed() > grace).then(|| why.clone())
    }

    /// Calls `stuck(why)` on a thread of its own if the batch gets stuck; the thread ends
    /// with the batch.
    pub fn watch(self: &Arc<Self>, stuck: impl FnOnce(String) + Send + 'static) {
        let dog = self.clone();
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(250));
            if dog.ended.load(Ordering::SeqCst) {
                return;
            }
            if let Some(why) = dog.stuck(GRACE) {
                return stuck(why);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stuck_only_when_asked_to_end_and_still_running_after_the_grace() {
        let dog = Watchdog::default();
        assert_eq!(dog.stuck(Duration::ZERO), None, "never asked");
        dog.ask_end("pulled".into());
        dog.ask_end("stop".into());
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(
            dog.stuck(Duration::ZERO),
            None,
            "not signing yet: the PIN dialog"
        );
        dog.signing();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(dog.stuck(Duration::from_secs(60)), None, "within the grace");
        assert_eq!(
            dog.stuck(Duration::ZERO).as_deref(),
            Some("pulled"),
            "first reason"
        );
        dog.ended();
        assert_eq!(dog.stuck(Duration::ZERO), None, "it ended");
    }

    #[test]
    fn the_session_survives_its_file() {
        let s = Session {
            port: 4242,
            secret: "ab".into(),
            files: vec!["/a.pdf".into()],
            outputs: vec![],
            events: 12,
            job: 3,
            lang: Lang::En.tag().into(),
            why: "x".into(),
        };
        let back: Session = serde_json::from_slice(&serde_json::to_vec(&s).unwrap()).unwrap();
        assert_eq!((back.port, back.events, back.job), (4242, 12, 3));
        assert_eq!(back.lang(), Lang::En);
    }
}
