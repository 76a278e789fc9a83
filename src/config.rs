//! `kyso.toml`: which PKCS#11 modules to load.
//!
//! ```toml
//! [[module]]
//! path = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
//! name = "opensc"                     # optional, defaults to the file name
//! avoid_mechanisms = ["CKM_RSA_PKCS"] # optional: for tokens that advertise but botch one
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// One PKCS#11 module to load.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ModuleConfig {
    /// Path of the shared library.
    pub path: PathBuf,
    /// Name shown to people; the file name when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// Mechanisms (`CKM_*` names) never to use with this module, even if it lists them.
    #[serde(default)]
    pub avoid_mechanisms: Vec<String>,
}

impl ModuleConfig {
    /// A module given by path only (`--module PATH`).
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        ModuleConfig {
            path: path.into(),
            name: None,
            avoid_mechanisms: Vec::new(),
        }
    }

    /// The name shown to people.
    pub fn display_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            self.path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| self.path.display().to_string())
        })
    }
}

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[[module]]` tables.
    #[serde(default, rename = "module")]
    pub modules: Vec<ModuleConfig>,
    /// Where it was read from, if anywhere.
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

impl Config {
    /// Parses a configuration text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let mut cfg: Config = toml::from_str(text).map_err(|e| Error::Config {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        for m in &cfg.modules {
            if m.path.as_os_str().is_empty() {
                return Err(Error::Config {
                    path: path.to_owned(),
                    message: "a [[module]] has an empty path".into(),
                });
            }
        }
        cfg.source = Some(path.to_owned());
        Ok(cfg)
    }

    /// Reads one file.
    pub fn load_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(format!("reading configuration {}", path.display()), e))?;
        Self::parse(&text, path)
    }

    /// Finds the configuration: `explicit` (`--config`), then `$KYSO_CONFIG`, then
    /// `$XDG_CONFIG_HOME/kyso/kyso.toml` (`~/.config/…`), then `/etc/kyso/kyso.toml`.
    /// A file named explicitly or by the variable must exist; the default places may not.
    pub fn discover(explicit: Option<&Path>) -> Result<Self> {
        if let Some(p) = explicit {
            return Self::load_file(p);
        }
        if let Some(p) = std::env::var_os("KYSO_CONFIG").filter(|p| !p.is_empty()) {
            return Self::load_file(Path::new(&p));
        }
        for p in default_locations() {
            if p.is_file() {
                return Self::load_file(&p);
            }
        }
        Ok(Config::default())
    }
}

/// The places searched when no file is named, in order.
pub fn default_locations() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
    if let Some(dir) = xdg {
        out.push(dir.join("kyso").join("kyso.toml"));
    }
    out.push(PathBuf::from("/etc/kyso/kyso.toml"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_modules() {
        let cfg = Config::parse(
            "[[module]]\npath = \"/a.so\"\n[[module]]\npath = \"/b.so\"\nname = \"vnpt\"\navoid_mechanisms = [\"CKM_RSA_PKCS\"]\n",
            Path::new("k.toml"),
        )
        .unwrap();
        assert_eq!(cfg.modules.len(), 2);
        assert_eq!(cfg.modules[0].display_name(), "a.so");
        assert_eq!(cfg.modules[1].display_name(), "vnpt");
        assert_eq!(cfg.modules[1].avoid_mechanisms, vec!["CKM_RSA_PKCS"]);
    }

    #[test]
    fn rejects_unknown_keys_and_empty_paths_naming_the_file() {
        let e = Config::parse("[[module]]\npaht = \"/a.so\"\n", Path::new("/x/kyso.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("/x/kyso.toml") && e.contains("paht"), "{e}");
        let e = Config::parse("[[module]]\npath = \"\"\n", Path::new("k.toml")).unwrap_err();
        assert!(e.to_string().contains("empty path"));
    }

    #[test]
    fn explicit_missing_file_is_an_error() {
        let e = Config::discover(Some(Path::new("/nonexistent/kyso.toml"))).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/kyso.toml"), "{e}");
    }
}
