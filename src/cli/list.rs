//! `kyso modules`, `kyso tokens`, `kyso certs`.

use clap::Args;
use serde_json::{json, Value};

use kyso::batch::choose::Validity;
use kyso::{t, Result};

use super::pin::PinArgs;
use super::{context, print_json, Cli};

/// Options of `kyso tokens`.
#[derive(Debug, Args)]
pub struct TokensArgs {
    /// Only this token: its label, serial, slot id or a pkcs11: URI.
    #[arg(long, value_name = "LABEL|SERIAL|SLOT|URI")]
    token: Option<String>,
}

/// Options of `kyso certs`.
#[derive(Debug, Args)]
pub struct CertsArgs {
    /// Only this token: its label, serial, slot id or a pkcs11: URI.
    #[arg(long, value_name = "LABEL|SERIAL|SLOT|URI")]
    token: Option<String>,
    /// Log in first, so private keys hidden before login are seen exactly (asks the PIN).
    #[arg(long)]
    login: bool,
    #[command(flatten)]
    pin: PinArgs,
}

pub fn modules(cli: &Cli) -> Result<i32> {
    // Failures are this command's output, not warnings.
    let backend = kyso::pkcs11::Backend::load(&context::module_configs(cli)?);
    let mut rows = Vec::new();
    for m in &backend.modules {
        let slots = m.slots().map(|s| s.len()).ok();
        let mut v = serde_json::to_value(m.info()).unwrap_or(Value::Null);
        v["loaded"] = json!(true);
        v["slots"] = json!(slots);
        rows.push(v);
    }
    for (cfg, e) in &backend.failures {
        rows.push(json!({
            "name": cfg.display_name(),
            "path": cfg.path,
            "loaded": false,
            "error": e.to_string(),
        }));
    }
    if cli.json {
        print_json(&rows);
    } else {
        for r in &rows {
            if r["loaded"] == json!(true) {
                let p = |k: &str| kyso::cert::printable(r[k].as_str().unwrap_or("")).into_owned();
                println!(
                    "{}  {}\n    {} — {} {} (Cryptoki {}), {}",
                    r["name"].as_str().unwrap_or(""),
                    r["path"].as_str().unwrap_or(""),
                    p("manufacturer"),
                    p("description"),
                    r["library_version"].as_str().unwrap_or(""),
                    r["cryptoki_version"].as_str().unwrap_or(""),
                    t!("modules-slots", count = r["slots"].as_u64().unwrap_or(0)),
                );
            } else {
                println!(
                    "{}  {}\n    {}: {}",
                    r["name"].as_str().unwrap_or(""),
                    r["path"].as_str().unwrap_or(""),
                    t!("modules-not-loaded"),
                    r["error"].as_str().unwrap_or("")
                );
            }
        }
    }
    Ok(if backend.failures.is_empty() { 0 } else { 1 })
}

pub fn tokens(cli: &Cli, args: &TokensArgs) -> Result<i32> {
    let tokens = context::tokens(cli, args.token.as_deref())?;
    let infos = tokens
        .iter()
        .map(|t| t.info())
        .collect::<Result<Vec<_>>>()?;
    if cli.json {
        print_json(&infos);
        return Ok(0);
    }
    if infos.is_empty() {
        println!("{}", t!("error-token-not-found-plug-in"));
    }
    for i in &infos {
        let mut flags = Vec::new();
        let p = &i.pin;
        if !p.initialized {
            flags.push(t!("token-pin-not-initialised"));
        }
        if p.locked {
            flags.push(t!("token-pin-locked"));
        } else if p.final_try {
            flags.push(t!("token-pin-final-try"));
        } else if p.count_low {
            flags.push(t!("token-pin-count-low"));
        }
        if p.to_be_changed {
            flags.push(t!("token-pin-to-be-changed"));
        }
        if p.protected_path {
            flags.push(t!("token-pin-pad"));
        }
        if flags.is_empty() {
            flags.push(t!("token-pin-ok"));
        }
        // What a token says of itself is printed escaped: a hostile module's label must not
        // rewrite the terminal.
        let p = |s: &str| kyso::cert::printable(s).into_owned();
        println!(
            "{}\n    {} {} {} {} ({})\n    {} {} {} {}\n    {}",
            p(&i.label),
            t!("word-module"),
            p(&i.module),
            t!("word-slot"),
            i.slot,
            p(&i.slot_description),
            p(&i.manufacturer),
            p(&i.model),
            t!("word-serial"),
            p(&i.serial),
            flags.join(", ")
        );
    }
    Ok(0)
}

pub fn certs(cli: &Cli, args: &CertsArgs) -> Result<i32> {
    let tokens = context::tokens(cli, args.token.as_deref())?;
    let mut rows = Vec::new();
    // A token whose certificates cannot be read (a broken module) does not hide the others'.
    let mut unread = Vec::new();
    let now = time::OffsetDateTime::now_utc();
    for t in &tokens {
        let label = context::label(&**t);
        if args.login && !t.is_logged_in() {
            let pin = args
                .pin
                .read(&t!("pin-prompt", token = label.to_string()))?;
            t.login(&pin)?;
        }
        let entries = match t.certificates() {
            Ok(entries) => entries,
            Err(e) if tokens.len() > 1 => {
                unread.push((label, e));
                continue;
            }
            Err(e) => return Err(e),
        };
        for entry in entries {
            let mut v = serde_json::to_value(entry.certificate.summary()).unwrap_or(Value::Null);
            v["token"] = json!(label);
            v["label"] = json!(entry.label);
            v["id"] = json!(hex::encode(&entry.id));
            v["has_private_key"] = json!(entry.has_private_key);
            v["validity"] = json!(Validity::of(&entry.certificate, now).name());
            // Not seen is not absent: most real tokens show private keys only after a login.
            v["private_key_hidden_until_login"] =
                json!(!entry.has_private_key && !t.is_logged_in());
            rows.push(v);
        }
    }
    for (label, e) in &unread {
        eprintln!(
            "kyso: {}",
            t!(
                "certs-not-read",
                token = label.clone(),
                error = e.localized()
            )
        );
    }
    let code = if unread.is_empty() { 0 } else { 1 };
    if cli.json {
        print_json(&rows);
        return Ok(code);
    }
    if rows.is_empty() {
        println!("{}", t!("certs-none"));
    }
    for r in &rows {
        let s = |k: &str| kyso::cert::printable(r[k].as_str().unwrap_or("")).into_owned();
        let identity = r["identity"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| {
                        format!(
                            "{}: {}",
                            k.to_uppercase(),
                            v.as_str()
                                .map(str::to_owned)
                                .unwrap_or_else(|| v.to_string())
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let key_note = if r["has_private_key"] == json!(true) {
            String::new()
        } else if r["private_key_hidden_until_login"] == json!(true) {
            format!(" ({})", t!("certs-key-hidden"))
        } else {
            format!(" ({})", t!("certs-no-key"))
        };
        let validity_note = match s("validity").as_str() {
            "expired" => format!("  {}", t!("certs-expired")),
            "not yet valid" => format!("  {}", t!("certs-not-yet-valid")), // i18n: JSON value
            _ => String::new(),
        };
        let identity = if identity.is_empty() {
            "-".into()
        } else {
            kyso::cert::printable(&identity).into_owned()
        };
        let fields = [
            (t!("field-subject"), s("subject")),
            (t!("field-identity"), identity),
            (t!("field-issuer"), s("issuer")),
            (t!("field-serial"), s("serial")),
            (
                t!("field-valid"),
                format!("{} .. {}{validity_note}", s("not_before"), s("not_after")),
            ),
            (t!("field-key"), s("key_type")),
        ];
        println!(
            "{} [{}] id {}{key_note}",
            s("common_name"),
            s("token"),
            s("id")
        );
        print!("{}", field_lines(&fields));
    }
    Ok(code)
}

/// `    label value` lines, the values aligned after the longest label.
pub fn field_lines(fields: &[(String, String)]) -> String {
    let width = fields
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    fields
        .iter()
        .map(|(l, v)| format!("    {l}{} {v}\n", " ".repeat(width - l.chars().count())))
        .collect()
}
