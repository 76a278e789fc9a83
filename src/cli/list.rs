//! `kyso modules`, `kyso tokens`, `kyso certs`.

use clap::Args;
use serde_json::{json, Value};

use kyso::batch::choose::Validity;
use kyso::Result;

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
                    "{}  {}\n    {} — {} {} (Cryptoki {}), {} slot(s)",
                    r["name"].as_str().unwrap_or(""),
                    r["path"].as_str().unwrap_or(""),
                    p("manufacturer"),
                    p("description"),
                    r["library_version"].as_str().unwrap_or(""),
                    r["cryptoki_version"].as_str().unwrap_or(""),
                    r["slots"],
                );
            } else {
                println!(
                    "{}  {}\n    NOT LOADED: {}",
                    r["name"].as_str().unwrap_or(""),
                    r["path"].as_str().unwrap_or(""),
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
        println!("no token found: {}", kyso::discovery::PLUG_IN);
    }
    for i in &infos {
        let mut flags = Vec::new();
        let p = &i.pin;
        if !p.initialized {
            flags.push("PIN not initialised");
        }
        if p.locked {
            flags.push("PIN LOCKED");
        } else if p.final_try {
            flags.push("final PIN try");
        } else if p.count_low {
            flags.push("wrong PIN entered before");
        }
        if p.to_be_changed {
            flags.push("PIN must be changed");
        }
        if p.protected_path {
            flags.push("PIN pad");
        }
        if flags.is_empty() {
            flags.push("PIN ok");
        }
        // What a token says of itself is printed escaped: a hostile module's label must not
        // rewrite the terminal.
        let p = |s: &str| kyso::cert::printable(s).into_owned();
        println!(
            "{}\n    module {} slot {} ({})\n    {} {} serial {}\n    {}",
            p(&i.label),
            p(&i.module),
            i.slot,
            p(&i.slot_description),
            p(&i.manufacturer),
            p(&i.model),
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
            let pin = args.pin.read(&format!("PIN for token '{label}': "))?;
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
        eprintln!("kyso: token '{label}': certificates not read: {e}");
    }
    let code = if unread.is_empty() { 0 } else { 1 };
    if cli.json {
        print_json(&rows);
        return Ok(code);
    }
    if rows.is_empty() {
        println!("no certificate found");
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
        println!(
            "{} [{}] id {}{}\n    subject  {}\n    identity {}\n    issuer   {}\n    serial   {}\n    valid    {} .. {}{}\n    key      {}",
            s("common_name"),
            s("token"),
            s("id"),
            if r["has_private_key"] == json!(true) {
                ""
            } else if r["private_key_hidden_until_login"] == json!(true) {
                " (private key not visible before login: `kyso certs --login` checks)"
            } else {
                " (no private key)"
            },
            s("subject"),
            if identity.is_empty() { "-".into() } else { kyso::cert::printable(&identity).into_owned() },
            s("issuer"),
            s("serial"),
            s("not_before"),
            s("not_after"),
            match s("validity").as_str() {
                "expired" => "  EXPIRED",
                "not yet valid" => "  NOT YET VALID",
                _ => "",
            },
            s("key_type"),
        );
    }
    Ok(code)
}
