//! The PKCS#11 backend: any vendor module through `cryptoki`.

mod errors;
pub mod mechanism;
mod module;
pub mod provision;
mod signer;
mod token;
mod uniform;

use std::sync::Arc;

pub use module::{Module, ModuleInfo, SlotDescription, KYSO_DESCRIPTION, KYSO_MANUFACTURER};
pub use signer::Pkcs11Signer;
pub use token::Pkcs11Token;

use crate::config::ModuleConfig;
use crate::error::Error;

/// Every configured module: those loaded, and why the others failed (listed, not fatal, so one
/// broken vendor module does not hide the tokens of the others).
#[derive(Default)]
pub struct Backend {
    /// Modules loaded and initialised.
    pub modules: Vec<Arc<Module>>,
    /// Modules that failed, with the reason.
    pub failures: Vec<(ModuleConfig, Error)>,
}

impl Backend {
    /// Loads each module once (the same file configured twice is loaded once: two
    /// `C_Initialize`/`C_Finalize` pairs on one library would tear each other down).
    ///
    /// kyso's own PKCS#11 module listed next to other modules is not kept: it re-exports the
    /// modules of kyso.toml, so every token would show twice and the modules behind it would be
    /// initialised twice in one process. Alone (`--module libkyso_pkcs11.so`), it is used.
    pub fn load(configs: &[ModuleConfig]) -> Backend {
        let mut backend = Backend::default();
        let mut seen = Vec::new();
        for cfg in configs {
            let canonical = std::fs::canonicalize(&cfg.path).unwrap_or_else(|_| cfg.path.clone());
            if seen.contains(&canonical) {
                log::info!(
                    "module {} configured twice; loaded once",
                    cfg.path.display()
                );
                continue;
            }
            seen.push(canonical);
            match Module::load(cfg) {
                Ok(m) => backend.modules.push(m),
                Err(e) => backend.failures.push((cfg.clone(), e)),
            }
        }
        if backend.modules.iter().any(|m| !m.is_kyso()) {
            let (kyso, others): (Vec<_>, Vec<_>) =
                backend.modules.drain(..).partition(|m| m.is_kyso());
            backend.modules = others;
            for m in kyso {
                let cfg = configs
                    .iter()
                    .find(|c| c.path == m.path())
                    .cloned()
                    .unwrap_or_else(|| ModuleConfig::from_path(m.path()));
                backend.failures.push((
                    cfg,
                    Error::InvalidInput(format!(
                        "{} is kyso's own PKCS#11 module: it re-exports the modules of kyso.toml, \
                         so listed next to them it would show every token twice; not loaded \
                         (remove it from kyso.toml)",
                        m.path().display()
                    )),
                ));
            }
        }
        backend
    }

    /// Tokens present in every loaded module; a module failing to list is reported in the
    /// second vector, not fatal.
    pub fn tokens(&self) -> (Vec<Arc<Pkcs11Token>>, Vec<(String, Error)>) {
        let mut tokens = Vec::new();
        let mut errors = Vec::new();
        for m in &self.modules {
            match m.tokens() {
                Ok(t) => tokens.extend(t),
                Err(e) => errors.push((m.name().to_owned(), e)),
            }
        }
        (tokens, errors)
    }

    /// The same token found again (same module, label and serial) after it was pulled out and
    /// plugged back in, in whatever slot it is now; `None` while it is away. The token found
    /// is new: log in to it again (nothing is carried over, the PIN least of all).
    pub fn rediscover(&self, gone: &Pkcs11Token) -> Result<Option<Arc<Pkcs11Token>>, Error> {
        let module = gone.module();
        if !self.modules.iter().any(|m| Arc::ptr_eq(m, module)) {
            return Ok(None);
        }
        Ok(module
            .tokens()?
            .into_iter()
            .find(|t| t.label() == gone.label() && t.serial() == gone.serial()))
    }
}
