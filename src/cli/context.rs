//! Turning global options into loaded modules and a chosen token.

use std::sync::Arc;

use kyso::config::{Config, ModuleConfig};
use kyso::pkcs11::{Backend, Pkcs11Token};
use kyso::{Error, Result, Token};

use super::Cli;

/// The modules the user configured: `--module` when given, else the configuration file's
/// (possibly none).
pub fn configured_modules(cli: &Cli) -> Result<(Vec<ModuleConfig>, Config)> {
    let cfg = Config::discover(cli.config.as_deref())?;
    if !cli.modules.is_empty() {
        return Ok((
            cli.modules.iter().map(ModuleConfig::from_path).collect(),
            cfg,
        ));
    }
    Ok((cfg.modules.clone(), cfg))
}

/// The modules to load: `--module` when given, else the configuration file's, else those of
/// the tokens plugged in (auto-configuration from the token catalogue).
pub fn module_configs(cli: &Cli) -> Result<Vec<ModuleConfig>> {
    if !cli.modules.is_empty() {
        return Ok(cli.modules.iter().map(ModuleConfig::from_path).collect());
    }
    let cfg = Config::discover(cli.config.as_deref())?;
    if !cfg.modules.is_empty() {
        return Ok(cfg.modules);
    }
    let (auto, notes) = kyso::devices::auto_modules();
    for n in &notes {
        log::info!("auto-configuration: {n}");
    }
    if auto.is_empty() {
        let searched = match &cfg.source {
            Some(p) => format!("{} has no [[module]]", p.display()),
            None => "no kyso.toml found".to_owned(),
        };
        let seen = if notes.is_empty() {
            "no known token is plugged in (see `kyso devices`)".to_owned()
        } else {
            notes.join("; ")
        };
        return Err(Error::InvalidInput(format!(
            "no PKCS#11 module configured ({searched}) and none found for the tokens plugged \
             in ({seen}): pass --module PATH \
             (e.g. /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so or your token vendor's module) \
             or add a [[module]] with its path to kyso.toml"
        )));
    }
    for m in &auto {
        log::info!(
            "auto-configuration: loading {} (no kyso.toml and no --module)",
            m.path.display()
        );
    }
    Ok(auto)
}

/// Loads the modules; a command that needs tokens fails when none loaded.
pub fn backend(cli: &Cli) -> Result<Backend> {
    let backend = Backend::load(&module_configs(cli)?);
    for (cfg, e) in &backend.failures {
        log::warn!("module {}: {e}", cfg.display_name());
    }
    Ok(backend)
}

/// Every token a command can use, optionally only the one labelled `label`: PKCS#11 tokens of
/// the loaded modules, then the credentials of the `[[remote]]` accounts. A command fails when
/// neither a module nor a remote account is configured; an account or module that fails is a
/// warning, not the end (one provider down must not hide the USB token).
pub fn tokens(cli: &Cli, label: Option<&str>) -> Result<Vec<Arc<dyn Token>>> {
    let cfg = Config::discover(cli.config.as_deref())?;
    let mut out: Vec<Arc<dyn Token>> = Vec::new();
    match backend(cli) {
        Ok(b) if cfg.remotes.is_empty() || !b.modules.is_empty() => {
            out.extend(pkcs11_tokens(&b)?.into_iter().map(|t| t as Arc<dyn Token>))
        }
        Ok(_) => {}
        Err(e) if cfg.remotes.is_empty() => return Err(e),
        Err(e) => log::info!("no PKCS#11 token: {e}"),
    }
    let (remote, errors) = kyso::remote::tokens(&cfg.remotes);
    for (account, e) in errors {
        log::warn!("remote account {account}: {e}");
    }
    out.extend(remote.into_iter().map(|t| t as Arc<dyn Token>));
    Ok(match label {
        Some(l) => out.into_iter().filter(|t| self::label(&**t) == l).collect(),
        None => out,
    })
}

/// A token's label (from its information; empty when it cannot be read).
pub fn label(t: &dyn Token) -> String {
    t.info().map(|i| i.label).unwrap_or_default()
}

/// Tokens present in the loaded modules.
fn pkcs11_tokens(backend: &Backend) -> Result<Vec<Arc<Pkcs11Token>>> {
    if backend.modules.is_empty() {
        let why = backend
            .failures
            .iter()
            .map(|(_, e)| e.to_string())
            .collect::<Vec<_>>()
            .join("; ");
        return Err(Error::InvalidInput(format!(
            "no PKCS#11 module could be loaded: {why}"
        )));
    }
    let (tokens, errors) = backend.tokens();
    for (module, e) in errors {
        log::warn!("module {module}: cannot list tokens: {e}");
    }
    Ok(tokens)
}

/// Parses `--key-id` hex (colons and spaces allowed, as tools print ids).
pub fn parse_key_id(s: &str) -> Result<Vec<u8>> {
    let clean: String = s.chars().filter(|c| !matches!(c, ':' | ' ')).collect();
    hex::decode(&clean).map_err(|_| Error::InvalidInput(format!("--key-id '{s}' is not hex")))
}
