//! One token discovery for the `kyso` command and the PKCS#11 module, so both see the same
//! tokens for the same configuration and the same plugged-in devices.
//!
//! Which modules to load: the explicit ones (`--module`), else kyso.toml's `[[module]]`, else
//! auto-configuration (the catalogue's module for each token plugged in now). Then the loaded
//! modules' tokens, and the credentials of kyso.toml's `[[remote]]` accounts. The caller reads
//! the configuration once and hands it in; a caller that must never load some module (the
//! PKCS#11 module refuses itself) gives a filter.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{Config, ModuleConfig};
use crate::error::{Error, Result};
use crate::pkcs11::Backend;
use crate::remote::RemoteToken;
use crate::signer::Token;

/// What to do when no token is found, in words a person knows (for every face).
pub const PLUG_IN: &str = "plug in your token (or card) — `kyso doctor` checks each step";

/// Where a module list came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModuleSource {
    /// Paths given explicitly (`--module`): used exactly as given.
    Explicit,
    /// The configuration's `[[module]]` tables.
    Config,
    /// Auto-configuration: the catalogue's modules for the tokens plugged in.
    Auto,
}

/// The modules to load, and why those.
#[derive(Debug, Clone)]
pub struct ModulePlan {
    /// Where the list came from.
    pub source: ModuleSource,
    /// The modules to load, in order (the filter's refusals removed).
    pub modules: Vec<ModuleConfig>,
    /// What auto-configuration saw and decided, for people (empty for the other sources).
    pub notes: Vec<String>,
    /// Modules the caller's filter refused, with its reason.
    pub refused: Vec<(ModuleConfig, String)>,
}

/// What [`Discovery::tokens`] found.
pub struct Found {
    /// The PKCS#11 tokens present, then the remote credentials.
    pub tokens: Vec<Arc<dyn Token>>,
    /// Modules and accounts that failed, one sentence each, for the caller to report: one
    /// provider down must not hide the USB token.
    pub warnings: Vec<String>,
}

/// A caller's veto on a module path: `Some(reason)` means "never load this one".
pub type Refuse = dyn Fn(&Path) -> Option<String> + Send + Sync;

/// The configuration of one run (read once) and the explicit modules, turned into modules,
/// tokens and remote accounts on request.
pub struct Discovery {
    config: Config,
    explicit: Vec<ModuleConfig>,
    refuse: Option<Box<Refuse>>,
}

impl Discovery {
    /// Discovery over `config` (already read) with the modules named explicitly (`--module`;
    /// none: the configuration decides).
    pub fn new(config: Config, explicit: &[PathBuf]) -> Discovery {
        Discovery {
            config,
            explicit: explicit.iter().map(ModuleConfig::from_path).collect(),
            refuse: None,
        }
    }

    /// Never loads a module that `refuse` vetoes, whatever the source; the filter is asked once
    /// per module and planning, and reports its refusals as its caller wants them reported.
    pub fn refusing(
        mut self,
        refuse: impl Fn(&Path) -> Option<String> + Send + Sync + 'static,
    ) -> Discovery {
        self.refuse = Some(Box::new(refuse));
        self
    }

    /// The configuration this discovery works from.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The modules named explicitly, else the configuration's; no auto-configuration (possibly
    /// none: `kyso doctor` then looks at the devices itself).
    pub fn configured_modules(&self) -> Vec<ModuleConfig> {
        if self.explicit.is_empty() {
            self.config.modules.clone()
        } else {
            self.explicit.clone()
        }
    }

    /// Decides the modules: explicit, else configured, else auto-configured from the tokens
    /// plugged in now (PC/SC and USB are scanned only in that last case).
    pub fn plan(&self) -> ModulePlan {
        let (source, modules, notes) = if !self.explicit.is_empty() {
            (ModuleSource::Explicit, self.explicit.clone(), Vec::new())
        } else if !self.config.modules.is_empty() {
            (
                ModuleSource::Config,
                self.config.modules.clone(),
                Vec::new(),
            )
        } else {
            let (auto, notes) = crate::devices::auto_modules();
            (ModuleSource::Auto, auto, notes)
        };
        let mut plan = ModulePlan {
            source,
            modules: Vec::new(),
            notes,
            refused: Vec::new(),
        };
        for m in modules {
            match self.refuse.as_ref().and_then(|refuse| refuse(&m.path)) {
                Some(why) => plan.refused.push((m, why)),
                None => plan.modules.push(m),
            }
        }
        plan
    }

    /// The modules to load ([`plan`](Self::plan)), auto-configuration's notes logged. Fails,
    /// saying what was looked at, when nothing is configured and no known token is plugged in.
    pub fn modules(&self) -> Result<Vec<ModuleConfig>> {
        let plan = self.plan();
        if plan.source != ModuleSource::Auto {
            return Ok(plan.modules);
        }
        for n in &plan.notes {
            log::info!("auto-configuration: {n}");
        }
        if plan.modules.is_empty() && plan.refused.is_empty() {
            let searched = match &self.config.source {
                Some(p) => crate::t!(
                    "discovery-config-without-module",
                    config = p.display().to_string()
                ),
                None => crate::t!("discovery-no-config"),
            };
            let no_module = |seen: String| {
                crate::t!(
                    "discovery-no-module",
                    searched = searched.clone(),
                    seen = seen
                )
            };
            return Err(Error::InvalidInput(if plan.notes.is_empty() {
                format!(
                    "{}; {}",
                    crate::t!("error-token-not-found-plug-in"),
                    no_module(crate::t!("discovery-no-known-token"))
                )
            } else {
                no_module(plan.notes.join("; "))
            }));
        }
        for m in &plan.modules {
            log::info!(
                "auto-configuration: loading {} (no kyso.toml and no --module)",
                m.path.display()
            );
        }
        Ok(plan.modules)
    }

    /// Loads the [`modules`](Self::modules); those that fail are in [`Backend::failures`],
    /// for the caller to report.
    pub fn backend(&self) -> Result<Backend> {
        Ok(Backend::load(&self.modules()?))
    }

    /// The credentials of the `[[remote]]` accounts, and the accounts that failed with why.
    pub fn remote_tokens(&self) -> (Vec<Arc<RemoteToken>>, Vec<(String, Error)>) {
        crate::remote::tokens(&self.config.remotes)
    }

    /// Every token: those present in the loaded modules, then the remote credentials, with
    /// the warnings for what failed. Fails when neither a module nor a remote account is
    /// configured, or when no module loads and no account is configured.
    pub fn tokens(&self) -> Result<Found> {
        let remotes = !self.config.remotes.is_empty();
        let mut out: Vec<Arc<dyn Token>> = Vec::new();
        let mut warnings = Vec::new();
        match self.backend() {
            Ok(b) => {
                for (cfg, e) in &b.failures {
                    warnings.push(crate::t!(
                        "discovery-module-failed",
                        module = cfg.display_name(),
                        error = e.localized()
                    ));
                }
                if !remotes || !b.modules.is_empty() {
                    out.extend(pkcs11_tokens(&b, &mut warnings)?);
                }
            }
            Err(e) if !remotes => return Err(e),
            Err(e) => log::info!("no PKCS#11 token: {e}"),
        }
        let (remote, errors) = self.remote_tokens();
        for (account, e) in errors {
            warnings.push(crate::t!(
                "discovery-remote-failed",
                account = account.to_string(),
                error = e.localized()
            ));
        }
        out.extend(remote.into_iter().map(|t| t as Arc<dyn Token>));
        Ok(Found {
            tokens: out,
            warnings,
        })
    }
}

/// Tokens present in the loaded modules; none loaded is an error saying why.
fn pkcs11_tokens(backend: &Backend, warnings: &mut Vec<String>) -> Result<Vec<Arc<dyn Token>>> {
    if backend.modules.is_empty() {
        let why = backend
            .failures
            .iter()
            .map(|(_, e)| e.to_string())
            .collect::<Vec<_>>()
            .join("; ");
        return Err(Error::InvalidInput(crate::t!(
            "discovery-no-module-loaded",
            why = why
        )));
    }
    let (tokens, errors) = backend.tokens();
    for (module, e) in errors {
        warnings.push(crate::t!(
            "discovery-cannot-list-tokens",
            module = module.to_string(),
            error = e.localized()
        ));
    }
    Ok(tokens.into_iter().map(|t| t as Arc<dyn Token>).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(modules: &[&str]) -> Config {
        Config {
            modules: modules
                .iter()
                .map(|p| ModuleConfig::from_path(*p))
                .collect(),
            ..Config::default()
        }
    }

    #[test]
    fn explicit_modules_win_over_the_configuration() {
        let d = Discovery::new(config(&["/a.so"]), &[PathBuf::from("/b.so")]);
        let plan = d.plan();
        assert_eq!(plan.source, ModuleSource::Explicit);
        assert_eq!(plan.modules[0].path, Path::new("/b.so"));
        assert_eq!(d.configured_modules()[0].path, Path::new("/b.so"));
    }

    #[test]
    fn configured_modules_are_used_and_the_filter_refuses_some() {
        let d = Discovery::new(config(&["/a.so", "/me.so"]), &[])
            .refusing(|p| (p == Path::new("/me.so")).then(|| "it is me".to_owned()));
        let plan = d.plan();
        assert_eq!(plan.source, ModuleSource::Config);
        assert_eq!(plan.modules.len(), 1);
        assert_eq!(plan.modules[0].path, Path::new("/a.so"));
        assert_eq!(plan.refused[0].1, "it is me");
        assert_eq!(d.modules().unwrap().len(), 1);
    }
}
