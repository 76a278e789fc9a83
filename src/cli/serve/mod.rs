//! `kyso serve`: the local signing service Vietnamese web portals call — a VGCA-compatible
//! endpoint (`wss://127.0.0.1:8987/<Operation>`) and a VNPT-compatible one
//! (`wss://localhost:4433/plugin`) — on the loopback TLS layer ([`super::loopback`]). A thin
//! face: the signing is the library's pipeline; the person confirms each batch and types the
//! PIN in pinentry, outside the browser.

pub(super) mod pinentry;
mod portal;
mod signing;
mod vgca;
mod vnpt;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use clap::Args;
use serde_json::{json, Value};

use kyso::{Certificate, Error, Result};

use super::loopback::{self, localca::LocalCa, Policy, Server};
use super::{context, Cli};

/// The VGCA Sign Service's port.
pub const VGCA_PORT: u16 = 8987;
/// The VNPT-CA Plugin's ports, in the order pages try them.
pub const VNPT_PORTS: [u16; 3] = [4433, 4434, 4435];

/// `kyso serve` options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Also allow web pages from this origin (`https://portal.example.vn`) to ask for
    /// signatures, on top of [serve] origins in kyso.toml (repeat for several).
    #[arg(long, value_name = "ORIGIN")]
    allow_origin: Vec<String>,
    /// The VGCA-compatible endpoint's port (0: any free port).
    #[arg(long, value_name = "PORT", default_value_t = VGCA_PORT)]
    vgca_port: u16,
    /// The VNPT-compatible endpoint's port; 4433 falls back to 4434 and 4435 when taken
    /// (0: any free port).
    #[arg(long, value_name = "PORT", default_value_t = VNPT_PORTS[0])]
    vnpt_port: u16,
    /// The token to sign with (label, serial, slot or pkcs11: URI), when several are present.
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
    /// The key to sign with (CKA_ID, hex), when the token holds several.
    #[arg(long, value_name = "HEX")]
    key_id: Option<String>,
    /// Where the local CA lives (default $XDG_DATA_HOME/kyso/serve).
    #[arg(long, value_name = "DIR")]
    ca_dir: Option<PathBuf>,
    /// The largest request (WebSocket message) and download, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    max_request_mib: usize,
}

/// What both endpoints share.
pub struct Service {
    signing: signing::Signing,
    portal: portal::Portal,
    font: PathBuf,
}

impl Service {
    fn version(&self) -> String {
        format!("kyso {}", env!("CARGO_PKG_VERSION"))
    }
}

/// A certificate as both plugins describe it.
fn cert_json(c: &Certificate) -> Value {
    let b64 = base64::engine::general_purpose::STANDARD;
    let date = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    json!({
        "CertBase64": b64.encode(c.der()),
        "Subject": c.subject(),
        "Issuer": c.issuer(),
        "SerialNumber": c.serial_hex(),
        "CommonName": c.common_name().unwrap_or_default(),
        "NotBefore": date(c.not_before()),
        "NotAfter": date(c.not_after()),
    })
}

/// `2026-12-04T10:00:00+07:00` → `04/12/2026`; anything else as given.
fn vn_date(iso: &str) -> String {
    let d = iso.get(..10).unwrap_or("");
    let p: Vec<&str> = d.split('-').collect();
    if p.len() == 3 && p.iter().all(|x| x.chars().all(|c| c.is_ascii_digit())) {
        format!("{}/{}/{}", p[2], p[1], p[0])
    } else {
        iso.to_owned()
    }
}

/// Lower-case `scheme://host[:port]`, refusing anything else (a path, a wildcard).
fn origin(o: &str) -> Result<String> {
    let o = o.trim().trim_end_matches('/').to_ascii_lowercase();
    let ok = (o.starts_with("https://") || o.starts_with("http://"))
        && !o
            .split_once("://")
            .is_some_and(|(_, r)| r.is_empty() || r.contains(['/', '*', '@']));
    if ok {
        Ok(o)
    } else {
        Err(Error::InvalidInput(kyso::t!(
            "serve-bad-origin",
            origin = kyso::cert::printable(&o)
        )))
    }
}

/// Where a restarted service finds the ports it listened on.
const RESTART_PORTS: &str = "KYSO_SERVE_RESTART_PORTS";
static PORTS: std::sync::OnceLock<(u16, u16)> = std::sync::OnceLock::new();

fn restarted_ports() -> Option<(u16, u16)> {
    let v = std::env::var(RESTART_PORTS).ok()?;
    let (g, n) = v.split_once(',')?;
    Some((g.parse().ok()?, n.parse().ok()?))
}

/// Replaces this process with a new `kyso serve` on the same ports (the same process id, the
/// same arguments): after a token's module stopped answering (a call that never returned once
/// its token was pulled out), only a new process can load it again. Called when the
/// connection whose request met the hang has ended (its answer read); other connections in
/// flight are closed, and meanwhile signing requests are answered "removed" without touching
/// the module.
fn restart() {
    use std::os::unix::process::CommandExt;
    let Some((vgca, vnpt)) = PORTS.get() else {
        return;
    };
    log::warn!("{}", kyso::t!("serve-restarting"));
    let err = match std::env::current_exe() {
        Ok(exe) => std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env(RESTART_PORTS, format!("{vgca},{vnpt}"))
            .exec(),
        Err(e) => e,
    };
    let why = kyso::t!("serve-restart-failed", error = err.to_string());
    eprintln!("kyso serve: {why}"); // i18n: the program's name before its message
    std::process::exit(1);
}

pub fn run(cli: &Cli, args: &ServeArgs) -> Result<i32> {
    let discovery = context::discovery(cli)?;
    let cfg = discovery.config().serve.clone();
    let mut origins = Vec::new();
    for o in cfg.origins.iter().chain(&args.allow_origin) {
        origins.push(origin(o)?);
    }
    let key_id = args
        .key_id
        .as_deref()
        .or(cfg.key_id.as_deref())
        .map(context::parse_key_id)
        .transpose()?;
    let pinentry = pinentry::Pinentry::find(cfg.pinentry.as_deref())?;
    // listening first: a restarted service (see [`restart`]) queues connections at once
    let (vgca, vnpt) = match restarted_ports() {
        Some((g, n)) => (Server::bind(g)?, Server::bind(n)?),
        None => (
            Server::bind(args.vgca_port)?,
            if args.vnpt_port == VNPT_PORTS[0] {
                Server::bind_first(&VNPT_PORTS)?
            } else {
                Server::bind(args.vnpt_port)?
            },
        ),
    };
    let _ = PORTS.set((vgca.port(), vnpt.port()));
    let backend = discovery.backend()?;
    for (m, e) in &backend.failures {
        log::warn!("module {}: {e}", m.display_name());
    }
    let max = args.max_request_mib.max(1) << 20;
    let service = Arc::new(Service {
        signing: signing::Signing::new(
            backend,
            pinentry.clone(),
            args.token.clone().or(cfg.token.clone()),
            key_id,
            cfg.tsa.clone(),
        )?,
        portal: portal::Portal::new(cfg.ca_file.as_deref(), Duration::from_secs(60), max as u64)?,
        font: PathBuf::from(kyso::document::pdf::appearance::DEFAULT_FONT),
    });
    let dir = args
        .ca_dir
        .clone()
        .unwrap_or_else(loopback::localca::default_dir);
    let ca = LocalCa::open(&dir)?;
    let tls = loopback::tls_config(&ca)?;
    let policy = Arc::new(Policy {
        origins: origins.clone(),
        max_frame: max,
        idle: Duration::from_secs(300),
        max_connections: 64,
    });

    // i18n: addresses, as portals use them
    println!("VGCA  wss://127.0.0.1:{}/<Operation>", vgca.port());
    println!("VNPT  wss://localhost:{}/plugin", vnpt.port()); // i18n: as above
    println!(
        "{}",
        kyso::t!(
            "serve-local-ca",
            file = loopback::localca::ca_file(&dir).display().to_string()
        )
    );
    println!("pinentry {}", pinentry.program().display());
    if origins.is_empty() {
        println!("{}", kyso::t!("serve-no-origin"));
    } else {
        println!(
            "{}",
            kyso::t!("serve-allowed-origins", origins = origins.join(" "))
        );
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let mut threads = vgca.serve(
        tls.clone(),
        policy.clone(),
        Arc::new(vgca::Vgca(service.clone())),
    );
    threads.extend(vnpt.serve(tls, policy, Arc::new(vnpt::Vnpt(service))));
    for t in threads {
        let _ = t.join();
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_exact() {
        assert_eq!(
            origin("https://DichVuCong.gov.vn/").unwrap(),
            "https://dichvucong.gov.vn"
        );
        assert!(origin("https://*.gov.vn").is_err());
        assert!(origin("dichvucong.gov.vn").is_err());
        assert!(origin("https://a.vn/path").is_err());
    }

    #[test]
    fn dates_in_vietnamese_order() {
        assert_eq!(vn_date("2026-12-04T10:00:00+07:00"), "04/12/2026");
        assert_eq!(vn_date("hôm nay"), "hôm nay");
    }
}
