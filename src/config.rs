//! `kyso.toml`: which PKCS#11 modules to load.
//!
//! ```toml
//! [[module]]
//! path = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
//! name = "opensc"                     # optional, defaults to the file name
//! avoid_mechanisms = ["CKM_RSA_PKCS"] # optional: for tokens that advertise but botch one
//!
//! [[remote]]                          # a remote signing account (Cloud Signature Consortium API)
//! name = "mysign"
//! base_url = "https://rs.example.vn/csc/v1"   # where `credentials/list` etc. live
//! csc_version = "v1"                  # "v2" (default) or "v1"
//! client_id = "kyso"
//! auth = "client_credentials"         # or "authorization_code" (PKCE), or "login" (CSC auth/login)
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

/// The version of the Cloud Signature Consortium API a remote service speaks.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CscVersion {
    /// CSC API v1 (1.0.4): `PIN`/`OTP`/`hash` fields (Viettel MySign on Ascertia ADSS).
    V1,
    /// CSC API v2: `authData`, `hashes`, `hashAlgorithmOID`.
    #[default]
    V2,
}

/// How kyso gets an OAuth2 access token for a remote account.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RemoteAuth {
    /// OAuth2 client credentials (a service account): no person involved.
    #[default]
    ClientCredentials,
    /// OAuth2 authorization code with PKCE: `kyso remote login` opens the provider's page.
    AuthorizationCode,
    /// CSC `auth/login` with HTTP Basic (user name and password), as CSC v1 services offer.
    Login,
}

/// One remote signing account: a Cloud Signature Consortium API service and how to log in.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RemoteConfig {
    /// Name of the account (shown, and used by `kyso remote login NAME`).
    pub name: String,
    /// Base URL of the CSC API: `credentials/list` is `{base_url}/credentials/list`.
    pub base_url: String,
    /// API version spoken by the service.
    #[serde(default)]
    pub csc_version: CscVersion,
    /// OAuth2 client id registered with the provider.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Name of an environment variable holding the OAuth2 client secret (never the secret).
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// File holding the OAuth2 client secret (first line; keep it mode 0600).
    #[serde(default)]
    pub client_secret_file: Option<PathBuf>,
    /// How to get an access token.
    #[serde(default)]
    pub auth: RemoteAuth,
    /// OAuth2 token endpoint; default `{base_url}/oauth2/token`.
    #[serde(default)]
    pub token_url: Option<String>,
    /// OAuth2 authorization endpoint; default `{base_url}/oauth2/authorize`.
    #[serde(default)]
    pub authorize_url: Option<String>,
    /// CSC `auth/login` endpoint; default `{base_url}/auth/login`.
    #[serde(default)]
    pub login_url: Option<String>,
    /// OAuth2 scope to ask for (e.g. `service`).
    #[serde(default)]
    pub scope: Option<String>,
    /// User name for `auth = "login"` and `userID` of `credentials/list`.
    #[serde(default)]
    pub user: Option<String>,
    /// Only these credential ids (default: every credential the service lists).
    #[serde(default)]
    pub credentials: Vec<String>,
    /// PEM file of the CA(s) to trust for this service instead of the public web roots.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Allow plain `http://` to 127.0.0.1/localhost (tests, local gateways). Never elsewhere.
    #[serde(default)]
    pub allow_insecure_loopback: bool,
    /// Program printing the OTP on its standard output (instead of asking on the terminal).
    #[serde(default)]
    pub otp_command: Option<Vec<String>>,
    /// Seconds before a request to the service is abandoned (default 30).
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    /// Seconds `credentials/authorize` may take: services that ask the person to approve on
    /// their phone answer only then (default 120).
    #[serde(default)]
    pub authorize_timeout_secs: Option<u64>,
    /// Signatures one authorization may cover (default: what the credential allows, at most 100).
    #[serde(default)]
    pub signatures_per_authorization: Option<u32>,
    /// Most hashes sent in one `signatures/signHash` call (default 50).
    #[serde(default)]
    pub hashes_per_call: Option<u32>,
}

/// `[[key]]`: the key remembered for a token (`kyso sign --remember-key`), used when
/// `--key-id` is not given.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    /// The token's serial number, as `kyso tokens` shows it.
    pub token_serial: String,
    /// The key's `CKA_ID`, hex, as `kyso certs` shows it.
    pub id: String,
}

/// `[verify]`: how `kyso verify` judges signatures.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct VerifyConfig {
    /// PEM files of CA certificates trusted besides the built-in anchors (a relative path is
    /// taken from the configuration file's folder): an organisation's own CA, the government
    /// specialised-signature root.
    #[serde(default)]
    pub trust: Vec<PathBuf>,
    /// Intermediate CA certificates (PEM or DER files, or folders of them) for chains that
    /// signatures do not carry whole; relative paths as for `trust`.
    #[serde(default)]
    pub intermediates: Vec<PathBuf>,
}

/// `[serve]`: who may ask `kyso serve` for signatures, and how the person is asked.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// Web origins (`https://dichvucong.gov.vn`) whose pages may ask for signatures; the
    /// browser's `Origin` header is checked against them, never what the page says.
    #[serde(default)]
    pub origins: Vec<String>,
    /// The pinentry program that asks for the confirmation and the PIN (as gpg-agent's
    /// `pinentry-program`); default: the first of pinentry-gnome3, -qt, -gtk-2, -curses found.
    pub pinentry: Option<PathBuf>,
    /// Extra CA certificates (PEM) to trust for the portals' own HTTPS downloads and uploads,
    /// on top of the public ones.
    pub ca_file: Option<PathBuf>,
    /// The token (label, serial, slot or `pkcs11:` URI) to sign with when several are present.
    pub token: Option<String>,
    /// The key id (hex) to sign with when the token holds several keys.
    pub key_id: Option<String>,
    /// The timestamp authority (`http://…`) used when a page asks for a timestamp (VNPT's
    /// `PdfSigner.TsaUrl`): kyso never contacts a URL a web page names.
    pub tsa: Option<String>,
}

/// `[app]`: the signing page (`kyso app`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AppConfig {
    /// The timestamp authority (`http://…`) every signature gets a timestamp from (CAdES-T,
    /// PAdES B-T); none when unset. People who sign from the page never type a URL.
    pub tsa: Option<String>,
}

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[[module]]` tables.
    #[serde(default, rename = "module")]
    pub modules: Vec<ModuleConfig>,
    /// `[[remote]]` tables: remote signing accounts.
    #[serde(default, rename = "remote")]
    pub remotes: Vec<RemoteConfig>,
    /// `[[key]]` tables: the key remembered for each token.
    #[serde(default, rename = "key")]
    pub keys: Vec<KeyConfig>,
    /// `[verify]`.
    #[serde(default)]
    pub verify: VerifyConfig,
    /// `[serve]`: the local signing service web portals call (`kyso serve`).
    #[serde(default)]
    pub serve: ServeConfig,
    /// `[app]`: the signing page (`kyso app`).
    #[serde(default)]
    pub app: AppConfig,
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
        for (i, r) in cfg.remotes.iter().enumerate() {
            let bad = |message: String| Error::Config {
                path: path.to_owned(),
                message,
            };
            if r.name.trim().is_empty() {
                return Err(bad(format!("[[remote]] number {} has no name", i + 1)));
            }
            if cfg.remotes[..i].iter().any(|o| o.name == r.name) {
                return Err(bad(format!("two [[remote]] are named '{}'", r.name)));
            }
            if !(r.base_url.starts_with("https://") || r.base_url.starts_with("http://")) {
                return Err(bad(format!(
                    "[[remote]] '{}': base_url must be an https:// URL",
                    r.name
                )));
            }
        }
        if let Some(dir) = path.parent() {
            for t in cfg
                .verify
                .trust
                .iter_mut()
                .chain(cfg.verify.intermediates.iter_mut())
            {
                if t.is_relative() {
                    *t = dir.join(&*t);
                }
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

impl Config {
    /// The key id (hex) remembered for the token with serial number `serial`: the last
    /// `[[key]]` naming it.
    pub fn remembered_key(&self, serial: &str) -> Option<&str> {
        let serial = serial.trim();
        self.keys
            .iter()
            .rev()
            .find(|k| !serial.is_empty() && k.token_serial.trim() == serial)
            .map(|k| k.id.as_str())
    }

    /// Remembers key `id` (hex) for the token with serial number `serial`: appends a `[[key]]`
    /// table to the file this configuration was read from, else to the first default place
    /// (created with its folder), leaving what is there as it is. Returns the file.
    pub fn remember_key(&self, serial: &str, id: &str) -> Result<PathBuf> {
        use std::io::Write;
        let path = match &self.source {
            Some(p) => p.clone(),
            None => default_locations()
                .into_iter()
                .next()
                .ok_or_else(|| Error::InvalidInput(crate::t!("config-no-place")))?,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        }
        let quote = |s: &str| toml::Value::String(s.trim().to_owned()).to_string();
        let table = format!(
            "\n# remembered by `kyso sign --remember-key`\n[[key]]\ntoken_serial = {}\nid = {}\n",
            quote(serial),
            quote(id)
        );
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(table.as_bytes()))
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
        Ok(path)
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
    fn verify_trust_paths_are_taken_from_the_file_folder() {
        let cfg = Config::parse(
            "[verify]\ntrust = [\"org-ca.pem\", \"/etc/ssl/vgca.pem\"]\n",
            Path::new("/etc/kyso/kyso.toml"),
        )
        .unwrap();
        assert_eq!(
            cfg.verify.trust,
            vec![
                PathBuf::from("/etc/kyso/org-ca.pem"),
                PathBuf::from("/etc/ssl/vgca.pem")
            ]
        );
        let e = Config::parse("[verify]\ntrusts = []\n", Path::new("k.toml")).unwrap_err();
        assert!(e.to_string().contains("trusts"), "{e}");
    }

    #[test]
    fn parses_remotes() {
        let cfg = Config::parse(
            "[[remote]]\nname = \"mysign\"\nbase_url = \"https://rs.example.vn/csc/v1\"\ncsc_version = \"v1\"\nclient_id = \"kyso\"\nauth = \"authorization_code\"\ncredentials = [\"c1\"]\n",
            Path::new("k.toml"),
        )
        .unwrap();
        let r = &cfg.remotes[0];
        assert_eq!(r.csc_version, CscVersion::V1);
        assert_eq!(r.auth, RemoteAuth::AuthorizationCode);
        assert_eq!(r.credentials, vec!["c1"]);
        let e = Config::parse(
            "[[remote]]\nname = \"a\"\nbase_url = \"ftp://x\"\n",
            Path::new("k.toml"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("https://"), "{e}");
    }

    #[test]
    fn explicit_missing_file_is_an_error() {
        let e = Config::discover(Some(Path::new("/nonexistent/kyso.toml"))).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/kyso.toml"), "{e}");
    }
}
