//! One page per person: a second `kyso app FILES` (another "Open with" in the file manager)
//! hands its files to the page already running and opens it again, instead of starting a second
//! server. The running one leaves its port and secret in `$XDG_RUNTIME_DIR/kyso/app.json`
//! (the user's own directory; the file readable by them only); without `XDG_RUNTIME_DIR`, each
//! launch has its own page.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::guard::cookie_name;

/// What a running page leaves for the next launch.
#[derive(Serialize, Deserialize)]
struct Running {
    port: u16,
    secret: String,
}

fn state_file() -> Option<PathBuf> {
    let dir = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty())?;
    Some(PathBuf::from(dir).join("kyso/app.json"))
}

/// Leaves `port` and `secret` for the next launch (best effort: without it, the next launch
/// starts a page of its own).
pub fn record(port: u16, secret: &str) {
    let Some(file) = state_file() else { return };
    let write = || -> std::io::Result<()> {
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = file.with_extension(format!("json.{}", std::process::id()));
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(
            json!(Running {
                port,
                secret: secret.to_owned()
            })
            .to_string()
            .as_bytes(),
        )?;
        std::fs::rename(&tmp, &file)
    };
    if let Err(e) = write() {
        log::info!("{}: {e}", file.display());
    }
}

/// Hands `files` to the page already running, if one answers: its launch URL.
pub fn hand_over(files: &[PathBuf]) -> Option<String> {
    let file = state_file()?;
    let running: Running = serde_json::from_slice(&std::fs::read(&file).ok()?).ok()?;
    let origin = format!("http://127.0.0.1:{}", running.port);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .into();
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let reply = agent
        .post(format!("{origin}/api/files"))
        .header(
            "Cookie",
            format!("{}={}", cookie_name(running.port), running.secret),
        )
        .header("Origin", &origin)
        .send_json(json!({ "paths": paths }));
    match reply {
        Ok(r) if r.status() == 200 => Some(format!("{origin}/?s={}", running.secret)),
        Ok(r) => {
            log::info!("the running page answered {}", r.status()); // i18n: a log line
            None
        }
        Err(e) => {
            log::info!("no running page: {e}"); // i18n: a log line
            None
        }
    }
}
