//! The certificates a person can sign with: those with a private key on the tokens plugged in
//! now, read again at each request (tokens come and go), the credentials of the remote
//! accounts ([`Remotes`], kept by their own thread), and a watcher that tells the page when
//! the set changes (a token plugged in or pulled out) so it follows without a reload.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::{json, Value};
use time::OffsetDateTime;

use kyso::batch::choose::{self, Validity};
use kyso::discovery::Discovery;
use kyso::document::pdf::appearance::stamp_lines;
use kyso::i18n::Lang;
use kyso::pkcs11::Backend;
use kyso::remote::RemoteToken;
use kyso::{CertificateEntry, Token};

use super::remote::Remotes;

/// A certificate as the page shows it.
#[derive(Debug, Serialize)]
pub struct Row {
    /// Its SHA-256 fingerprint: what the page sends back to sign with it.
    pub id: String,
    /// The holder's name (subject CN).
    pub holder: String,
    /// The holder's identity numbers (`{"cccd": "…"}`, `{"mst": "…"}`).
    pub identity: kyso::cert::Identity,
    /// The issuing CA's name (issuer CN, else the issuer).
    pub issuer: String,
    /// Valid from, RFC 3339.
    pub not_before: String,
    /// Valid until, RFC 3339.
    pub not_after: String,
    /// `valid`, `expired` or `not yet valid`.
    pub validity: &'static str,
    /// The token's label (`ACCOUNT/CREDENTIAL` for a remote credential).
    pub token: String,
    /// The remote account holding the key, when it is not on a token plugged in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// The stamp's lines as they will be written (the time is the signing time).
    pub stamp: Vec<String>,
}

/// A key that can sign: its token and certificate.
pub struct Key {
    /// The token holding it.
    pub token: Arc<dyn Token>,
    /// The certificate and key id.
    pub entry: CertificateEntry,
    /// The same token when it is a remote credential (its PIN and OTP are asked differently).
    pub remote: Option<Arc<RemoteToken>>,
}

impl Key {
    /// Its fingerprint (the page's name for it).
    pub fn id(&self) -> String {
        self.entry.certificate.summary().sha256
    }

    /// What the page shows.
    pub fn row(&self, now: OffsetDateTime, lang: Lang) -> Row {
        let c = &self.entry.certificate;
        let s = c.summary();
        let issuer_cn = s
            .issuer
            .split(',')
            .find_map(|p| p.trim().strip_prefix("CN="))
            .map(str::to_owned);
        Row {
            id: s.sha256,
            holder: c.common_name().unwrap_or(c.subject()).to_owned(),
            identity: s.identity,
            issuer: issuer_cn.unwrap_or(s.issuer),
            not_before: s.not_before,
            not_after: s.not_after,
            validity: Validity::of(c, now).name(),
            token: self.token.info().map(|i| i.label).unwrap_or_default(),
            remote: self.remote.as_ref().map(|r| r.account().to_owned()),
            stamp: stamp_lines(lang, c, now, None, None),
        }
    }
}

/// The PKCS#11 modules, loaded once one is found: when kyso finds modules by the tokens
/// plugged in, the first token may come after the page opened.
pub struct Tokens {
    discovery: Discovery,
    backend: Mutex<Option<Arc<Backend>>>,
    /// The `[[remote]]` accounts of the configuration.
    remotes: Arc<Remotes>,
}

impl Tokens {
    /// Modules from `discovery`, loaded when first needed; its remote accounts, asked once
    /// [`watch`] starts.
    pub fn new(discovery: Discovery) -> Tokens {
        let remotes = Arc::new(Remotes::new(discovery.config().remotes.clone()));
        Tokens {
            discovery,
            backend: Mutex::new(None),
            remotes,
        }
    }

    fn backend(&self) -> Option<Arc<Backend>> {
        let mut b = self.backend.lock().ok()?;
        if b.is_none() {
            match self.discovery.backend() {
                Ok(loaded) => {
                    for (m, e) in &loaded.failures {
                        log::warn!("module {}: {e}", m.display_name());
                    }
                    *b = Some(Arc::new(loaded));
                }
                Err(e) => log::info!("no module yet: {e}"), // i18n: a log line
            }
        }
        b.clone()
    }

    /// The keys on the tokens present now, then the remote credentials last seen.
    pub fn keys(&self) -> Vec<Key> {
        let mut keys = self.local_keys();
        keys.extend(self.remotes.keys());
        keys
    }

    /// The keys on the tokens present now.
    fn local_keys(&self) -> Vec<Key> {
        self.backend().map(|b| keys(&b)).unwrap_or_default()
    }

    /// Which slots hold a token now, per module: slot list and slot information only (no
    /// session, nothing read from the token), cheap enough to ask every second.
    fn presence(&self) -> Vec<(String, u64, bool)> {
        let Some(backend) = self.backend() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for m in &backend.modules {
            for slot in m.slots().unwrap_or_default() {
                if let Ok(d) = m.slot_description(slot) {
                    out.push((m.name().to_owned(), d.id, d.token_present));
                }
            }
        }
        out
    }

    /// What `/api/certs` answers: a row per key, then a row per remote account that shows no
    /// credential now, saying why (`remote`, `code`, `error`).
    pub fn rows(&self, lang: Lang) -> Value {
        let now = OffsetDateTime::now_utc();
        let mut rows: Vec<Value> = self
            .keys()
            .iter()
            .map(|k| json!(k.row(now, lang)))
            .collect();
        rows.extend(self.remotes.problems(lang).into_iter().map(|p| json!(p)));
        Value::Array(rows)
    }

    /// Whether certificate `id` was a remote credential's this session.
    pub fn was_remote(&self, id: &str) -> bool {
        self.remotes.was_listed(id)
    }

    /// Asks the remote accounts again now.
    pub fn refresh_remotes(&self) {
        self.remotes.refresh();
    }
}

/// The keys on the tokens of `backend` present now; a token that cannot be read is skipped
/// (logged).
fn keys(backend: &Backend) -> Vec<Key> {
    let (tokens, errors) = backend.tokens();
    for (m, e) in errors {
        log::info!("module {m}: {e}");
    }
    let mut out = Vec::new();
    for token in tokens {
        let token: Arc<dyn Token> = token;
        match choose::keys_before_login(&*token, None) {
            Ok(entries) => out.extend(entries.into_iter().map(|entry| Key {
                token: token.clone(),
                entry,
                remote: None,
            })),
            Err(e) => log::info!("token skipped: {e}"), // i18n: a log line
        }
    }
    out
}

/// Seconds the certificates are read again after the slots changed.
const SETTLE: u32 = 3;

/// Calls `changed` whenever the set of keys present changes, or what the remote accounts show
/// does. Every second (except while `busy`: a batch has the token to itself) only the slots
/// are looked at; the certificates are read again when a token came or went, for a few
/// seconds (a card just inserted may not show its certificates at once).
pub fn watch(
    tokens: Arc<Tokens>,
    busy: Arc<AtomicBool>,
    changed: impl Fn() + Send + Sync + 'static,
) {
    let changed = Arc::new(changed);
    let told = changed.clone();
    tokens.remotes.start(move || told());
    std::thread::spawn(move || {
        let ids = |t: &Tokens| {
            let mut v: Vec<String> = t.local_keys().iter().map(Key::id).collect();
            v.sort();
            v
        };
        let mut last = ids(&tokens);
        let mut slots = tokens.presence();
        let mut settling = 0;
        loop {
            std::thread::sleep(Duration::from_secs(1));
            if busy.load(Ordering::SeqCst) {
                continue;
            }
            let now = tokens.presence();
            if now != slots {
                slots = now;
                settling = SETTLE;
            }
            if settling == 0 {
                continue;
            }
            settling -= 1;
            let now = ids(&tokens);
            if now != last {
                last = now;
                changed();
            }
        }
    });
}
