//! Turning global options into loaded modules and a chosen token: a thin shell over the
//! library's [`Discovery`], which the PKCS#11 module shares (both see the same tokens).

use kyso::t;
use std::sync::Arc;

use kyso::config::{Config, ModuleConfig};
use kyso::discovery::Discovery;
use kyso::{Error, Result, Token};

use super::Cli;

/// The discovery of this run: the configuration read once (`--config`, else the usual places)
/// and the `--module` paths.
pub fn discovery(cli: &Cli) -> Result<Discovery> {
    let cfg = Config::discover(cli.config.as_deref())?;
    Ok(Discovery::new(cfg, &cli.modules))
}

/// The modules the user configured: `--module` when given, else the configuration file's
/// (possibly none).
pub fn configured_modules(cli: &Cli) -> Result<Vec<ModuleConfig>> {
    Ok(discovery(cli)?.configured_modules())
}

/// The modules to load: `--module` when given, else the configuration file's, else those of
/// the tokens plugged in (auto-configuration from the token catalogue).
pub fn module_configs(cli: &Cli) -> Result<Vec<ModuleConfig>> {
    discovery(cli)?.modules()
}

/// Every token a command can use, optionally only those `label` names (a label, serial, slot
/// id or `pkcs11:` URI, see [`kyso::batch::choose::token_matches`]): PKCS#11 tokens of
/// the loaded modules, then the credentials of the `[[remote]]` accounts (see
/// [`Discovery::tokens`]).
pub fn tokens(cli: &Cli, label: Option<&str>) -> Result<Vec<Arc<dyn Token>>> {
    let found = discovery(cli)?.tokens()?;
    for w in &found.warnings {
        log::warn!("{w}");
    }
    Ok(kyso::batch::choose::tokens_matching(found.tokens, label))
}

/// A token's label (from its information; empty when it cannot be read).
pub fn label(t: &dyn Token) -> String {
    t.info().map(|i| i.label).unwrap_or_default()
}

/// Parses `--key-id` hex (colons and spaces allowed, as tools print ids; an odd number of
/// digits is read with a leading zero: `1` is `01`).
pub fn parse_key_id(s: &str) -> Result<Vec<u8>> {
    let mut clean: String = s.chars().filter(|c| !matches!(c, ':' | ' ')).collect();
    if clean.len() % 2 == 1 {
        clean.insert(0, '0');
    }
    hex::decode(&clean).map_err(|_| Error::InvalidInput(t!("key-id-not-hex", id = s)))
}

/// The trust anchors of this run: the built-in ones (unless `no_default`), kyso.toml's
/// `[verify] trust`, then `extra` (`--trust`).
pub fn anchors(
    cli: &Cli,
    extra: &[std::path::PathBuf],
    no_default: bool,
) -> Result<Vec<kyso::Certificate>> {
    let mut anchors = if no_default {
        Vec::new()
    } else {
        kyso::cert::default_anchors()
    };
    let configured = Config::discover(cli.config.as_deref())?.verify.trust;
    for p in configured.iter().chain(extra) {
        let pem = std::fs::read(p).map_err(|e| Error::io(p.display().to_string(), e))?;
        anchors.extend(kyso::Certificate::from_pem(&pem)?);
    }
    Ok(anchors)
}

/// The intermediate CA certificates of this run: kyso.toml's `[verify] intermediates`, then
/// `extra` (`--intermediates`); each a PEM or DER file, or a folder of them.
pub fn intermediates(cli: &Cli, extra: &[std::path::PathBuf]) -> Result<Vec<kyso::Certificate>> {
    let configured = Config::discover(cli.config.as_deref())?
        .verify
        .intermediates;
    let mut files = Vec::new();
    for p in configured.iter().chain(extra) {
        if p.is_dir() {
            let entries =
                std::fs::read_dir(p).map_err(|e| Error::io(p.display().to_string(), e))?;
            let mut inside: Vec<std::path::PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file())
                .collect();
            inside.sort();
            files.extend(inside.into_iter().map(|f| (f, true)));
        } else {
            files.push((p.clone(), false));
        }
    }
    let mut certs = Vec::new();
    // In a folder, files that are no certificate (keys, CRLs, notes) are passed over.
    for (f, in_folder) in files {
        let data = std::fs::read(&f).map_err(|e| Error::io(f.display().to_string(), e))?;
        match kyso::Certificate::from_pem(&data) {
            Ok(found) if !found.is_empty() => certs.extend(found),
            _ => match kyso::Certificate::from_der(data) {
                Ok(c) => certs.push(c),
                Err(_) if in_folder => {
                    // i18n: a log line
                    log::info!("{}: not a certificate, passed over", f.display())
                }
                Err(e) => {
                    return Err(Error::InvalidInput(t!(
                        "certificate-file-not-a-certificate",
                        file = f.display().to_string(),
                        error = e.localized()
                    )))
                }
            },
        }
    }
    Ok(certs)
}
