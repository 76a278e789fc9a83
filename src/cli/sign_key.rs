//! `kyso sign`'s choice of token and key, made before the PIN wherever the token allows: the
//! key remembered for the token, a numbered choice on a terminal (refused, with the keys
//! listed, elsewhere), the certificate's validity; then the login, and the choice among keys
//! a token shows only after it.

use std::sync::Arc;

use time::OffsetDateTime;

use kyso::batch::choose;
use kyso::{t, CertificateEntry, Error, Result, Signer, Token};

use super::sign_args::SignArgs;
use super::{context, Cli};

/// The token logged in to, its label, and the key chosen.
pub struct Chosen {
    /// The token, logged in.
    pub token: Arc<dyn Token>,
    /// Its label, for messages.
    pub label: String,
    /// The key to sign with.
    pub signer: Arc<dyn Signer>,
}

/// Chooses the token and key, logs in; `to_sign` documents are coming.
pub fn login_and_choose(
    cli: &Cli,
    args: &SignArgs,
    key_id: Option<Vec<u8>>,
    to_sign: usize,
    before_pin: &dyn Fn(&kyso::Certificate),
) -> Result<Chosen> {
    let tokens = context::tokens(cli, None)?;
    let token = choose::token(tokens, args.token.as_deref(), key_id.as_deref())?;
    let label = context::label(&*token);
    let now = OffsetDateTime::now_utc();
    // Without --key-id, the key remembered for this token (--remember-key), said so.
    let config = kyso::config::Config::discover(cli.config.as_deref())?;
    let serial = token.info().map(|i| i.serial).unwrap_or_default();
    let key_id = match (key_id, config.remembered_key(&serial)) {
        (None, Some(id)) => {
            let file = config
                .source
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            eprintln!(
                "{}",
                t!(
                    "key-remembered-used",
                    token = label.clone(),
                    key = id.to_string(),
                    file = file
                )
            );
            Some(context::parse_key_id(id)?)
        }
        (k, _) => k,
    };
    // The key (and its certificate's validity) before the PIN, as far as the token shows keys
    // before login.
    let chosen = match choose::keys_before_login(&*token, key_id.as_deref())?.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        several => {
            // No point choosing a key on a locked token: say that first.
            choose::not_locked(&*token)?;
            Some(ask_key(&label, several, now)?)
        }
    };
    if let Some(entry) = &chosen {
        choose::check_validity(&entry.certificate, now, args.allow_expired)?;
        before_pin(&entry.certificate);
    }
    // Remote credentials authorise the whole batch with one PIN/OTP (SCAL 2: one per group of
    // documents, said before the PIN).
    token.expect_signatures(to_sign);
    if let Some(per) = token.signatures_per_authorization() {
        let needed = to_sign.div_ceil(per.max(1));
        if needed > 1 {
            eprintln!(
                "{}",
                t!(
                    "key-authorisations",
                    documents = to_sign,
                    needed = needed,
                    per = per
                )
            );
        }
    }
    let pin = args
        .pin
        .read(&t!("pin-prompt", token = label.to_string()))?;
    token.login(&pin)?;
    drop(pin);
    let id = chosen
        .as_ref()
        .map(|e| e.id.as_slice())
        .or(key_id.as_deref());
    let key = match choose::key(&*token, &label, id) {
        Ok(k) => k,
        Err(e) => {
            let _ = token.logout();
            return Err(e);
        }
    };
    // A token that hid its keys until login: choose among them now, never silently.
    let signer = if key.among.is_empty() {
        key.signer
    } else {
        let entries: Vec<CertificateEntry> = key
            .among
            .iter()
            .map(|s| CertificateEntry {
                certificate: s.certificate().clone(),
                label: s.key().label.clone(),
                id: s.key().id.clone(),
                has_private_key: true,
                public_key_label: None,
            })
            .collect();
        match ask_key(&label, &entries, now) {
            Ok(e) => key
                .among
                .iter()
                .find(|s| s.key().id == e.id)
                .cloned()
                .unwrap_or(key.signer),
            Err(e) => {
                let _ = token.logout();
                return Err(e);
            }
        }
    };
    if chosen.is_none() {
        if let Err(e) = choose::check_validity(signer.certificate(), now, args.allow_expired) {
            let _ = token.logout();
            return Err(e);
        }
    }
    if args.remember_key {
        let id = hex::encode(&signer.key().id);
        let path = config.remember_key(&serial, &id)?;
        eprintln!(
            "{}",
            t!(
                "key-remembered",
                key = id.clone(),
                token = label.clone(),
                serial = serial.trim().to_owned(),
                file = path.display().to_string()
            )
        );
    }
    Ok(Chosen {
        token,
        label,
        signer,
    })
}

/// The key to sign with among several, none chosen with --key-id: asked on a terminal (a
/// numbered list: holder, identity, issuer, validity), refused otherwise, listing the keys.
fn ask_key(
    label: &str,
    keys: &[CertificateEntry],
    now: OffsetDateTime,
) -> Result<CertificateEntry> {
    use std::io::{BufRead, IsTerminal, Write};
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(choose::several_keys(label, keys, now));
    }
    eprintln!(
        "{}",
        t!(
            "key-choose-list",
            token = label.to_owned(),
            count = keys.len()
        )
    );
    for (n, k) in keys.iter().enumerate() {
        eprintln!("  {}) {}", n + 1, choose::describe_key(k, now));
    }
    eprint!("{} ", t!("key-choose-prompt", count = keys.len()));
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::io(t!("io-reading-key-choice"), e))?;
    line.trim()
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|n| keys.get(n))
        .cloned()
        .ok_or_else(|| Error::InvalidInput(t!("key-none-chosen", answer = line.trim().to_owned())))
}
