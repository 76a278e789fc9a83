//! `kyso remote login|list|logout`: remote signing accounts (Cloud Signature Consortium API).

use kyso::t;
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
        return Err(Error::InvalidInput(match cfg.source {
            Some(p) => t!("remote-no-account", config = p.display().to_string()),
            None => t!("remote-no-account-no-config"),
        }));
    }
    Ok(cfg.remotes)
}

fn account(cli: &Cli, name: Option<&str>) -> Result<RemoteConfig> {
    let all = accounts(cli)?;
    match name {
        Some(n) => all
            .into_iter()
            .find(|a| a.name == n)
            .ok_or_else(|| Error::InvalidInput(t!("remote-no-such-account", name = n))),
        None if all.len() == 1 => Ok(all.into_iter().next().unwrap_or_else(|| unreachable!())),
        None => Err(Error::Ambiguous(t!(
            "remote-several-accounts",
            names = all
                .iter()
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
                eprintln!("{}", t!("remote-logged-out", account = acct.name.as_str()));
            } else {
                eprintln!(
                    "{}",
                    t!("remote-no-stored-token", account = acct.name.as_str())
                );
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
                eprintln!(
                    "{}\n\n  {url}\n",
                    t!("remote-open-this-page", account = acct.name.as_str())
                );
                if cli.json {
                    print_json(&json!({ "authorize_url": url }));
                }
            },
            Duration::from_secs(args.wait),
        )?,
        RemoteAuth::Login => {
            let user = acct.user.clone().ok_or_else(|| {
                Error::InvalidInput(t!("remote-login-needs-user", account = acct.name.as_str()))
            })?;
            let password = args.password.read(&t!(
                "remote-password-prompt",
                user = user.as_str(),
                account = acct.name.as_str()
            ))?;
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
        let account = acct.name.as_str();
        let file = path.display().to_string();
        eprintln!(
            "{}",
            match token.expires_in() {
                Some(seconds) => t!(
                    "remote-logged-in-for",
                    account = account,
                    seconds = seconds,
                    file = file
                ),
                None => t!("remote-logged-in", account = account, file = file),
            }
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
                println!(
                    "{}  {}",
                    s("account"),
                    t!("remote-list-error", error = s("error"))
                );
                continue;
            }
            println!("{}  {}", s("token"), s("service"));
            println!(
                "    {}  {}  {}",
                s("common_name"),
                s("key_type"),
                t!("remote-list-valid-until", time = s("not_after"))
            );
            println!(
                "    {}",
                t!(
                    "remote-list-credential",
                    status = s("status"),
                    pin = s("pin"),
                    otp = s("otp"),
                    multisign = r["multisign"].to_string()
                )
            );
        }
    }
    Ok(if failures == 0 { 0 } else { 1 })
}
