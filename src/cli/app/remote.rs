//! The `[[remote]]` accounts of kyso.toml on the page (CSC remote signing: VNPT SmartCA,
//! Viettel MySign…). Listing a credential is a network call, so it is never made on a request
//! thread: a thread per account asks it, keeps the answer, asks again every few minutes or
//! when the page says "try again"; an account that shows no credential is a row saying why in
//! words a person acts on. Signing with a credential asks its PIN and OTP through pinentry, once for
//! the batch.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use secrecy::SecretString;
use serde::Serialize;
use serde_json::{json, Value};

use kyso::config::RemoteConfig;
use kyso::i18n::{tr_in, Arg, Lang};
use kyso::remote::credential::AuthMode;
use kyso::remote::{OtpPrompt, RemoteToken};
use kyso::{Error, Result, Token};

use super::super::serve::pinentry::{Answer, Pinentry};
use super::certs::Key;
use super::job::Context;

/// How often the accounts are asked again by themselves.
const REFRESH: Duration = Duration::from_secs(300);

/// What is known of one account.
enum Listing {
    /// Not asked yet.
    Loading,
    /// Its credentials.
    Ready(Vec<Arc<RemoteToken>>),
    /// Why they could not be listed.
    Failed(Error),
}

impl Listing {
    /// What the page would see change.
    fn shape(&self) -> String {
        match self {
            Listing::Loading => "loading".into(),
            Listing::Ready(t) => t
                .iter()
                .map(|t| t.label().to_owned())
                .collect::<Vec<_>>()
                .join(","),
            Listing::Failed(e) => format!("{}: {e}", e.code()),
        }
    }
}

struct Shared {
    accounts: Vec<Listing>,
    /// The fingerprints of every credential listed this session.
    seen: HashSet<String>,
    /// How many times the page asked for a new look.
    asked: u64,
}

/// The remote accounts and what the last look found.
pub struct Remotes {
    configs: Vec<RemoteConfig>,
    shared: Mutex<Shared>,
    wake: Condvar,
}

/// An account whose credentials cannot be shown, as the page shows it.
#[derive(Debug, Serialize)]
pub struct Problem {
    /// The account's name.
    pub remote: String,
    /// `loading`, `none` (no credential), or the error's code (`remote-unreachable`,
    /// `remote-login`, …).
    pub code: String,
    /// What to do, in plain words.
    pub error: String,
}

impl Remotes {
    /// The accounts of `configs`, not asked yet ([`Remotes::start`] does).
    pub fn new(configs: Vec<RemoteConfig>) -> Remotes {
        let accounts = configs.iter().map(|_| Listing::Loading).collect();
        Remotes {
            configs,
            shared: Mutex::new(Shared {
                accounts,
                seen: HashSet::new(),
                asked: 0,
            }),
            wake: Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Asks each account on a thread of its own (a slow service does not hold the others
    /// back), again every [`REFRESH`] or when [`Remotes::refresh`] is called; `changed` runs
    /// when what the page shows changed (and after each look the page asked for, so that it
    /// hears the answer).
    pub fn start(self: &Arc<Self>, changed: impl Fn() + Send + Sync + 'static) {
        let changed = Arc::new(changed);
        for i in 0..self.configs.len() {
            let (me, changed) = (self.clone(), changed.clone());
            std::thread::spawn(move || me.keep_looking(i, &*changed));
        }
    }

    /// Account `i`'s thread.
    fn keep_looking(&self, i: usize, changed: &dyn Fn()) {
        let cfg = &self.configs[i];
        let mut answered = 0;
        loop {
            let asked = self.lock().asked;
            // the network calls, with no lock held: the page keeps the last answer meanwhile
            let now = match kyso::remote::account_tokens(cfg, (i as u64 + 1) * 1000) {
                Ok(t) => Listing::Ready(t),
                Err(e) => {
                    log::info!("remote account {}: {e}", cfg.name); // i18n: a log line
                    Listing::Failed(e)
                }
            };
            let mut shared = self.lock();
            if let Listing::Ready(tokens) = &now {
                for t in tokens {
                    if let Ok(entries) = t.certificates() {
                        let ids = entries.iter().map(|e| e.certificate.summary().sha256);
                        shared.seen.extend(ids);
                    }
                }
            }
            // the same credentials: the tokens kept (with what they remember, such as a PIN
            // the service refused, never sent again)
            let differs = shared.accounts[i].shape() != now.shape();
            if differs {
                shared.accounts[i] = now;
            }
            drop(shared);
            if differs || asked != answered {
                answered = asked;
                changed();
            }
            let shared = self.lock();
            let _ = self
                .wake
                .wait_timeout_while(shared, REFRESH, |s| s.asked == answered)
                .unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Asks every account again now (the page's "try again").
    pub fn refresh(&self) {
        self.lock().asked += 1;
        self.wake.notify_all();
    }

    /// Whether the certificate `id` (its fingerprint) was a remote credential's this session.
    pub fn was_listed(&self, id: &str) -> bool {
        self.lock().seen.contains(id)
    }

    /// The credentials known now.
    pub fn keys(&self) -> Vec<Key> {
        let shared = self.lock();
        let mut out = Vec::new();
        for listing in &shared.accounts {
            let Listing::Ready(tokens) = listing else {
                continue;
            };
            for t in tokens {
                let entries = t.certificates().unwrap_or_default();
                out.extend(entries.into_iter().map(|entry| Key {
                    token: t.clone(),
                    entry,
                    remote: Some(t.clone()),
                }));
            }
        }
        out
    }

    /// The accounts that show no credential now, and why, in `lang`.
    pub fn problems(&self, lang: Lang) -> Vec<Problem> {
        let shared = self.lock();
        let mut out = Vec::new();
        for (cfg, listing) in self.configs.iter().zip(&shared.accounts) {
            let account = || ("account", cfg.name.clone().into());
            let (code, error) = match listing {
                Listing::Ready(tokens) if tokens.is_empty() => (
                    "none".to_owned(),
                    tr_in(lang, "app-remote-none", &[account()]),
                ),
                Listing::Ready(_) => continue,
                Listing::Loading => (
                    "loading".to_owned(),
                    tr_in(lang, "app-remote-loading", &[account()]),
                ),
                Listing::Failed(e) => {
                    let words = match e {
                        Error::RemoteUnreachable { .. } => {
                            tr_in(lang, "app-remote-unreachable", &[account()])
                        }
                        Error::RemoteLogin { .. } => tr_in(lang, "app-remote-login", &[account()]),
                        other => tr_in(
                            lang,
                            "app-remote-failed",
                            &[account(), ("error", other.localized_in(lang).into())],
                        ),
                    };
                    (e.code(), words)
                }
            };
            out.push(Problem {
                remote: cfg.name.clone(),
                code,
                error,
            });
        }
        out
    }
}

/// Authorises `remote` for a batch of `count` signatures: its PIN through pinentry when it
/// asks one, its OTP(s) through a second pinentry dialog (the token calls `sendOTP` first for
/// an online OTP), one `credentials/authorize` for the batch where the credential allows it.
/// A refused PIN or OTP is the error, never retried. `Ok(Some(event))`: the person cancelled
/// a dialog, the batch's last event.
pub fn login(
    ctx: &Context,
    remote: &RemoteToken,
    pinentry: &Pinentry,
    holder: &str,
    count: usize,
) -> Result<Option<Value>> {
    let lang = ctx.lang;
    let account = remote.account().to_owned();
    let args = || -> Vec<(&'static str, Arg<'static>)> {
        vec![
            ("holder", Arg::from(holder.to_owned())),
            ("account", Arg::from(account.clone())),
            ("count", Arg::from(count)),
        ]
    };
    remote.expect_signatures(count);
    let otp_cancelled = Arc::new(AtomicBool::new(false));
    {
        let (log, job, cancel) = (ctx.log.clone(), ctx.job, ctx.cancel.clone());
        let (pinentry, cancelled) = (pinentry.clone(), otp_cancelled.clone());
        let title = tr_in(lang, "app-otp-title", &[]);
        let desc = tr_in(lang, "app-otp-description", &args());
        let prompt = tr_in(lang, "app-otp-prompt", &[]);
        let ask: OtpPrompt = Arc::new(move |_credential: &str| {
            log.push(json!({"type": "otp", "job": job}));
            match pinentry.secret(&title, &desc, &prompt, None)? {
                Answer::Given(otp) => Ok(otp),
                Answer::Cancelled => {
                    // the person said no: the batch stops, no other OTP is asked
                    cancelled.store(true, Ordering::SeqCst);
                    cancel.cancel();
                    Err(Error::PinInvalid(tr_in(lang, "app-otp-cancelled", &[])))
                }
            }
        });
        remote.set_otp_prompt(Some(ask));
    }
    if remote.credential().auth_mode == AuthMode::Implicit {
        // the service asks the person on their phone; the page says where to look
        ctx.tell(json!({"type": "approve"}));
    }
    let pin = if remote.needs_pin() {
        ctx.tell(json!({"type": "pin"}));
        let desc = tr_in(lang, "app-remote-pin-description", &args());
        match pinentry.pin(&tr_in(lang, "app-pin-title", &[]), &desc, None)? {
            Answer::Given(p) => p,
            Answer::Cancelled => {
                return Ok(Some(
                    json!({"type": "error", "message": tr_in(lang, "app-pin-cancelled", &[]), "code": "cancelled"}),
                ))
            }
        }
    } else {
        SecretString::from("")
    };
    match remote.login(&pin) {
        Ok(()) => Ok(None),
        Err(_) if otp_cancelled.load(Ordering::SeqCst) => Ok(Some(
            json!({"type": "error", "message": tr_in(lang, "app-otp-cancelled", &[]), "code": "cancelled"}),
        )),
        Err(e) => Err(e),
    }
}
