//! `kyso remote login|list|logout`: remote signing accounts (Cloud Signature Consortium API).

use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::json;

use kyso::config::{Config, RemoteAuth, RemoteConfig};
use kyso::remote::{oauth, Client};
use kyso::{Error, Result, Token};

use super::pin::PinArgs;
use super::{print_json, Cli};

/// Options of `kyso remote`.
#[derive(Debug, Args)]
pub struct RemoteArgs {
    #[command(subcommand)]
    command: RemoteCommand,
}

#[derive(Debug, Subcommand)]
enum RemoteCommand {
    /// Get an access token for an account ([[remote]] in kyso.toml) and keep it (0600 file).
    Login(LoginArgs),
    /// The accounts, their service and their credentials (certificate, key, PIN/OTP, batch).
    List {
        /// Only this account.
        name: Option<String>,
    },
    /// Forget the account's access token.
    Logout {
        /// The account.
        name: String,
    },
}

#[derive(Debug, Args)]
struct LoginArgs {
    /// The account (`name` of its [[remote]]); optional when there is only one.
    name: Option<String>,
    /// Seconds to wait for the browser (authorization code login).
    #[arg(long, default_value = "300")]
    wait: u64,
    /// For `auth = "login"`: the password comes from --pin-file/--pin-fd/--pin-env or a prompt.
    #[command(flatten)]
    password: PinArgs,
}

fn accounts(cli: &Cli) -> Result<Vec<RemoteConfig>> {
    let cfg = Config::discover(cli.config.as_deref())?;
    if cfg.remotes.is_empty() {
        return Err(Error::InvalidInput(format!(
            "no [[remote]] account in {}: add one with base_url and client_id (see README)",
            cfg.source
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "kyso.toml (none found)".into())
        )));
    }
    Ok(cfg.remotes)
}

fn account(cli: &Cli, name: Option<&str>) -> Result<RemoteConfig> {
    let all = accounts(cli)?;
    match name {
        Some(n) => all
            .into_iter()
            .find(|a| a.name == n)
            .ok_or_else(|| Error::InvalidInput(format!("no [[remote]] named '{n}' in kyso.toml"))),
        None if all.len() == 1 => Ok(all.into_iter().next().unwrap_or_else(|| unreachable!())),
        None => Err(Error::Ambiguous(format!(
            "several remote accounts, name one: {}",
            all.iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

pub fn run(cli: &Cli, args: &RemoteArgs) -> Result<i32> {
    match &args.command {
        RemoteCommand::Login(a) => login(cli, a),
        RemoteCommand::List { name } => list(cli, name.as_deref()),
        RemoteCommand::Logout { name } => {
            let acct = account(cli, Some(name))?;
            let had = oauth::remove(&acct.name)?;
            if cli.json {
                print_json(&json!({ "account": acct.name, "removed": had }));
            } else if had {
                eprintln!("logged out of {}", acct.name);
            } else {
                eprintln!("{}: no stored token", acct.name);
            }
            Ok(0)
        }
    }
}

fn login(cli: &Cli, args: &LoginArgs) -> Result<i32> {
    let acct = account(cli, args.name.as_deref())?;
    let client = Client::new(acct.clone())?;
    let flow = oauth::OAuth::new(&acct, client.http());
    let token = match acct.auth {
        RemoteAuth::ClientCredentials => flow.client_credentials()?,
        RemoteAuth::AuthorizationCode => flow.authorization_code(
            &|url| {
                eprintln!("Open this page to log in to {}:\n\n  {url}\n", acct.name);
                if cli.json {
                    print_json(&json!({ "authorize_url": url }));
                }
            },
            Duration::from_secs(args.wait),
        )?,
        RemoteAuth::Login => {
            let user = acct.user.clone().ok_or_else(|| {
                Error::InvalidInput(format!(
                    "[[remote]] '{}' uses auth = \"login\": set user",
                    acct.name
                ))
            })?;
            let password = args
                .password
                .read(&format!("Password of {user} at {}: ", acct.name))?;
            flow.login_basic(&user, &password)?
        }
    };
    oauth::save(&acct.name, &token)?;
    let path = oauth::token_path(&acct.name)?;
    if cli.json {
        print_json(&json!({
            "account": acct.name,
            "token_file": path,
            "expires_in": token.expires_in(),
        }));
    } else {
        eprintln!(
            "logged in to {}{}; token kept in {}",
            acct.name,
            token
                .expires_in()
                .map(|s| format!(" for {s} s"))
                .unwrap_or_default(),
            path.display()
        );
    }
    Ok(0)
}

fn list(cli: &Cli, name: Option<&str>) -> Result<i32> {
    let accts = match name {
        Some(_) => vec![account(cli, name)?],
        None => accounts(cli)?,
    };
    let mut rows = Vec::new();
    let mut failures = 0;
    for acct in &accts {
        let client = Client::new(acct.clone())?;
        let service = client
            .info()
            .ok()
            .and_then(|i| i.get("name").and_then(|n| n.as_str()).map(str::to_owned));
        match kyso::remote::account_tokens(acct, 0) {
            Ok(tokens) => {
                for t in tokens {
                    let c = t.credential();
                    let cert = t.certificates()?.remove(0).certificate;
                    rows.push(json!({
                        "account": acct.name,
                        "service": service,
                        "token": t.label(),
                        "credential": c.id,
                        "description": c.description,
                        "subject": cert.subject(),
                        "common_name": cert.common_name(),
                        "key_type": cert.key_type().to_string(),
                        "not_after": cert.summary().not_after,
                        "status": c.unusable().unwrap_or_else(|| "enabled".into()),
                        "pin": format!("{:?}", c.pin).to_lowercase(),
                        "otp": format!("{:?}", c.otp).to_lowercase(),
                        "multisign": c.multisign,
                        "scal": c.scal,
                    }));
                }
            }
            Err(e) => {
                failures += 1;
                rows.push(json!({ "account": acct.name, "error": e.to_string() }));
            }
        }
    }
    if cli.json {
        print_json(&rows);
    } else {
        for r in &rows {
            let s = |k: &str| r[k].as_str().unwrap_or("").to_owned();
            if r.get("error").is_some() {
                println!("{}  ERROR: {}", s("account"), s("error"));
                continue;
            }
            println!(
                "{}  {}\n    {}  {}  valid until {}\n    {}; PIN {}, OTP {}, {} signature(s) per authorisation",
                s("token"),
                s("service"),
                s("common_name"),
                s("key_type"),
                s("not_after"),
                s("status"),
                s("pin"),
                s("otp"),
                r["multisign"],
            );
        }
    }
    Ok(if failures == 0 { 0 } else { 1 })
}
