//! OAuth2 for a remote account: client credentials, authorization code with PKCE (RFC 7636)
//! through a one-shot listener on the loopback interface, CSC `auth/login`, refresh; tokens kept
//! in a 0600 file under the user's data directory.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Digest;

use super::http::{self, Auth, Http, Reply, Retry};
use crate::config::{RemoteAuth, RemoteConfig};
use crate::error::{Error, Result};

/// An access token as kept on disk.
#[derive(Serialize, Deserialize)]
pub struct StoredToken {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    /// Unix time after which the access token is no longer good.
    #[serde(default)]
    expires_at: Option<u64>,
}

impl Drop for StoredToken {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.access_token.zeroize();
        if let Some(r) = &mut self.refresh_token {
            r.zeroize();
        }
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl StoredToken {
    /// The access token, unless it expires within a minute.
    pub fn fresh_access(&self) -> Option<SecretString> {
        match self.expires_at {
            Some(t) if t <= now() + 60 => None,
            _ => Some(SecretString::from(self.access_token.as_str())),
        }
    }

    /// Seconds left, when the service said.
    pub fn expires_in(&self) -> Option<i64> {
        self.expires_at.map(|t| t as i64 - now() as i64)
    }

    fn from_reply(account: &str, reply: &Reply, old_refresh: Option<&str>) -> Result<Self> {
        let bad = |what: &str| Error::Remote {
            server: account.to_owned(),
            message: format!("the token endpoint answered without {what}"),
        };
        let j = reply.json.as_ref().ok_or_else(|| bad("JSON"))?;
        let access = j
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| bad("an access_token"))?;
        let expires_at = j
            .get("expires_in")
            .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
            .map(|s| now() + s);
        let refresh = j
            .get("refresh_token")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| old_refresh.map(str::to_owned));
        Ok(StoredToken {
            access_token: access.to_owned(),
            refresh_token: refresh,
            expires_at,
        })
    }
}

/// Where the tokens of `account` are kept: `$XDG_DATA_HOME/kyso/remote/ACCOUNT.json`
/// (`~/.local/share/…`).
pub fn token_path(account: &str) -> Result<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .ok_or_else(|| {
            Error::InvalidInput(
                "neither XDG_DATA_HOME nor HOME is set: nowhere to keep tokens".into(),
            )
        })?;
    let safe: String = account
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(base
        .join("kyso")
        .join("remote")
        .join(format!("{safe}.json")))
}

/// Reads the stored token, if any.
pub fn load(account: &str) -> Result<Option<StoredToken>> {
    let path = token_path(account)?;
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => zeroize::Zeroizing::new(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path.display().to_string(), e)),
    };
    match serde_json::from_str(&text) {
        Ok(t) => Ok(Some(t)),
        Err(_) => {
            log::warn!("{}: unreadable, ignored", path.display());
            Ok(None)
        }
    }
}

/// Writes the token file: mode 0600 from its creation, in a 0700 directory, atomically.
pub fn save(account: &str, token: &StoredToken) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let path = token_path(account)?;
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::io(dir.display().to_string(), e))?;
    let tmp = dir.join(format!(".{}.tmp{}", account, std::process::id()));
    let text = zeroize::Zeroizing::new(
        serde_json::to_string(token).map_err(|e| Error::InvalidInput(e.to_string()))?,
    );
    let ctx = || path.display().to_string();
    let _ = std::fs::remove_file(&tmp);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| Error::io(ctx(), e))?;
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io(ctx(), e))?;
    std::fs::rename(&tmp, &path).map_err(|e| Error::io(ctx(), e))
}

/// Forgets the stored token. True when there was one.
pub fn remove(account: &str) -> Result<bool> {
    let path = token_path(account)?;
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io(path.display().to_string(), e)),
    }
}

/// The endpoints and client identity of an account.
pub struct OAuth<'a> {
    cfg: &'a RemoteConfig,
    http: &'a Http,
}

fn join(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), path)
}

impl<'a> OAuth<'a> {
    /// For one account.
    pub fn new(cfg: &'a RemoteConfig, http: &'a Http) -> Self {
        OAuth { cfg, http }
    }

    fn token_url(&self) -> String {
        self.cfg
            .token_url
            .clone()
            .unwrap_or_else(|| join(&self.cfg.base_url, "oauth2/token"))
    }

    fn client_id(&self) -> Result<&str> {
        self.cfg.client_id.as_deref().ok_or_else(|| Error::Config {
            path: PathBuf::from("kyso.toml"),
            message: format!("[[remote]] '{}' needs a client_id", self.cfg.name),
        })
    }

    /// The client secret, from the named environment variable or file, if configured.
    fn client_secret(&self) -> Result<Option<SecretString>> {
        if let Some(name) = &self.cfg.client_secret_env {
            let v = std::env::var(name).map_err(|_| {
                Error::InvalidInput(format!(
                    "[[remote]] '{}': environment variable {name} (client secret) is not set",
                    self.cfg.name
                ))
            })?;
            return Ok(Some(SecretString::from(v)));
        }
        if let Some(path) = &self.cfg.client_secret_file {
            let text = zeroize::Zeroizing::new(
                std::fs::read_to_string(path)
                    .map_err(|e| Error::io(format!("client secret {}", path.display()), e))?,
            );
            let line = text.lines().next().unwrap_or("").trim();
            return Ok(Some(SecretString::from(line)));
        }
        Ok(None)
    }

    fn token_request(&self, form: &[(&str, &str)], retry: Retry) -> Result<Reply> {
        let reply = self
            .http
            .post_form(&self.token_url(), Auth::None, form, retry)?;
        if reply.ok() {
            return Ok(reply);
        }
        let (code, _) = reply.error();
        let message = format!("token endpoint: {}", reply.describe());
        Err(match code.as_str() {
            "invalid_grant" | "invalid_client" | "unauthorized_client" => Error::RemoteLogin {
                account: self.cfg.name.clone(),
                message,
            },
            _ => Error::Remote {
                server: self.cfg.name.clone(),
                message,
            },
        })
    }

    /// Client credentials grant (safe to repeat: no person's secret, nothing consumed).
    pub fn client_credentials(&self) -> Result<StoredToken> {
        let id = self.client_id()?.to_owned();
        let secret = self.client_secret()?;
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", id.as_str()),
        ];
        if let Some(s) = &secret {
            form.push(("client_secret", s.expose_secret()));
        }
        if let Some(scope) = &self.cfg.scope {
            form.push(("scope", scope));
        }
        let reply = self.token_request(&form, Retry::Safe)?;
        StoredToken::from_reply(&self.cfg.name, &reply, None)
    }

    /// Refresh token grant.
    pub fn refresh(&self, refresh_token: &str) -> Result<StoredToken> {
        let id = self.client_id()?.to_owned();
        let secret = self.client_secret()?;
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", id.as_str()),
        ];
        if let Some(s) = &secret {
            form.push(("client_secret", s.expose_secret()));
        }
        let reply = self.token_request(&form, Retry::Never)?;
        StoredToken::from_reply(&self.cfg.name, &reply, Some(refresh_token))
    }

    /// CSC `auth/login` with HTTP Basic: user name and password for an access token.
    pub fn login_basic(&self, user: &str, password: &SecretString) -> Result<StoredToken> {
        let url = self
            .cfg
            .login_url
            .clone()
            .unwrap_or_else(|| join(&self.cfg.base_url, "auth/login"));
        let reply = self.http.post_json(
            &url,
            Auth::Basic(user, password),
            &serde_json::json!({ "rememberMe": true }),
            Retry::Never,
        )?;
        if !reply.ok() {
            return Err(Error::RemoteLogin {
                account: self.cfg.name.clone(),
                message: format!("auth/login refused: {}", reply.describe()),
            });
        }
        StoredToken::from_reply(&self.cfg.name, &reply, None)
    }

    /// Authorization code with PKCE: `show_url` is given the page the person must open; the
    /// provider sends the browser back to a one-shot listener on 127.0.0.1.
    pub fn authorization_code(
        &self,
        show_url: &dyn Fn(&str),
        wait: Duration,
    ) -> Result<StoredToken> {
        let id = self.client_id()?.to_owned();
        let listener = TcpListener::bind("127.0.0.1:0")
            .map_err(|e| Error::io("listening on 127.0.0.1 for the login redirect", e))?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::io("listening on 127.0.0.1", e))?
            .port();
        let redirect = format!("http://127.0.0.1:{port}/callback");
        let verifier = random_urlsafe(32)?;
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(verifier.as_bytes()));
        let state = random_urlsafe(16)?;
        let base = self
            .cfg
            .authorize_url
            .clone()
            .unwrap_or_else(|| join(&self.cfg.base_url, "oauth2/authorize"));
        let mut url = format!(
            "{base}{}response_type=code&client_id={}&redirect_uri={}&code_challenge={challenge}&code_challenge_method=S256&state={state}",
            if base.contains('?') { "&" } else { "?" },
            http::form_encode(&id),
            http::form_encode(&redirect),
        );
        if let Some(scope) = &self.cfg.scope {
            url.push_str(&format!("&scope={}", http::form_encode(scope)));
        }
        self.http.check_url(&base)?;
        show_url(&url);
        let code = wait_for_code(&listener, &state, wait)?;
        let secret = self.client_secret()?;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.expose_secret()),
            ("redirect_uri", redirect.as_str()),
            ("client_id", id.as_str()),
            ("code_verifier", verifier.as_str()),
        ];
        if let Some(s) = &secret {
            form.push(("client_secret", s.expose_secret()));
        }
        let reply = self.token_request(&form, Retry::Never)?;
        StoredToken::from_reply(&self.cfg.name, &reply, None)
    }
}

/// `n` random bytes, base64url without padding (PKCE verifier, state).
fn random_urlsafe(n: usize) -> Result<String> {
    let mut b = vec![0u8; n];
    getrandom::getrandom(&mut b)
        .map_err(|e| Error::InvalidInput(format!("no randomness from the OS: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
}

/// Accepts connections on the loopback listener until the redirect with our `state` arrives.
fn wait_for_code(listener: &TcpListener, state: &str, wait: Duration) -> Result<SecretString> {
    let deadline = std::time::Instant::now() + wait;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::io("login listener", e))?;
    loop {
        if std::time::Instant::now() > deadline {
            return Err(Error::RemoteLogin {
                account: "?".into(),
                message: format!("no answer from the browser within {} s", wait.as_secs()),
            });
        }
        let (stream, _) = match listener.accept() {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            Err(e) => return Err(Error::io("login listener", e)),
        };
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut reader = BufReader::new(&stream);
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() {
            continue;
        }
        let target = line.split_whitespace().nth(1).unwrap_or("").to_owned();
        let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
        let params: Vec<(String, String)> = query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (http::form_decode(k), http::form_decode(v)))
            .collect();
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let (status, page, result) = if get("state").as_deref() != Some(state) {
            ("400 Bad Request", "kyso: unexpected request.", None)
        } else if let Some(code) = get("code") {
            (
                "200 OK",
                "kyso: logged in. You can close this page.",
                Some(Ok(SecretString::from(code))),
            )
        } else {
            let why = get("error_description")
                .or_else(|| get("error"))
                .unwrap_or_else(|| "no code".into());
            (
                "400 Bad Request",
                "kyso: login refused.",
                Some(Err(Error::RemoteLogin {
                    account: "?".into(),
                    message: format!("the provider refused: {}", http::clean(&why)),
                })),
            )
        };
        let mut w = &stream;
        let _ = write!(
            w,
            "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
            page.len()
        );
        if let Some(r) = result {
            return r;
        }
    }
}

/// A valid access token for the account: the stored one, refreshed, or (client credentials)
/// a new one. Interactive logins are `kyso remote login`'s job: without a token, an error
/// says to run it.
pub fn access_token(cfg: &RemoteConfig, http: &Http) -> Result<SecretString> {
    let oauth = OAuth::new(cfg, http);
    let stored = load(&cfg.name)?;
    if let Some(t) = &stored {
        if let Some(a) = t.fresh_access() {
            return Ok(a);
        }
        if let Some(r) = &t.refresh_token {
            log::info!("{}: refreshing the access token", cfg.name);
            match oauth.refresh(r) {
                Ok(new) => {
                    save(&cfg.name, &new)?;
                    return new.fresh_access().ok_or_else(|| expired(cfg));
                }
                Err(e) => log::warn!("{}: refresh failed: {e}", cfg.name),
            }
        }
    }
    if cfg.auth == RemoteAuth::ClientCredentials {
        let new = oauth.client_credentials()?;
        save(&cfg.name, &new)?;
        return new.fresh_access().ok_or_else(|| expired(cfg));
    }
    Err(match stored {
        Some(_) => expired(cfg),
        None => Error::RemoteLogin {
            account: cfg.name.clone(),
            message: "no access token yet".into(),
        },
    })
}

fn expired(cfg: &RemoteConfig) -> Error {
    Error::RemoteLogin {
        account: cfg.name.clone(),
        message: "the access token has expired".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_file_is_private_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        // The only test in this binary that touches XDG_DATA_HOME.
        std::env::set_var("XDG_DATA_HOME", dir.path());
        let t = StoredToken {
            access_token: "at".into(),
            refresh_token: Some("rt".into()),
            expires_at: Some(now() + 3600),
        };
        save("acct", &t).unwrap();
        let path = token_path("acct").unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let back = load("acct").unwrap().unwrap();
        assert_eq!(back.fresh_access().unwrap().expose_secret(), "at");
        assert!(remove("acct").unwrap());
        assert!(load("acct").unwrap().is_none());
    }

    #[test]
    fn nearly_expired_token_is_not_fresh() {
        let t = StoredToken {
            access_token: "at".into(),
            refresh_token: None,
            expires_at: Some(now() + 10),
        };
        assert!(t.fresh_access().is_none());
    }
}
