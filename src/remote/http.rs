//! Blocking HTTPS for the CSC client: TLS verified (public web roots, or the CAs of the
//! account's `ca_file`), timeouts, replies size-limited, and retries only for requests that
//! are safe to send twice.

use std::time::Duration;

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::config::RemoteConfig;
use crate::error::{Error, Result};

/// Largest reply read from a service (certificate chains included).
const MAX_REPLY: u64 = 4 * 1024 * 1024;

/// Whether a request may be sent again after a failure that leaves its fate unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Read-only or idempotent (info, lists, token requests with client credentials): one
    /// more try after a network failure or a 502/503/504.
    Safe,
    /// Never sent twice: `credentials/authorize` may consume an OTP, `signHash` a signature.
    Never,
}

/// How a request authenticates.
pub enum Auth<'a> {
    /// No authentication (`info`).
    None,
    /// `Authorization: Bearer …`.
    Bearer(&'a SecretString),
    /// `Authorization: Basic …` (CSC `auth/login`).
    Basic(&'a str, &'a SecretString),
}

/// A service's answer: status and JSON body (`Null` when the body is empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The body as JSON, when it is JSON.
    pub json: Option<Value>,
    /// The body as text (for error messages), cut short.
    pub text: String,
}

impl Reply {
    /// `error` and `error_description` of an OAuth2/CSC error reply.
    pub fn error(&self) -> (String, String) {
        let field = |k: &str| {
            self.json
                .as_ref()
                .and_then(|j| j.get(k))
                .and_then(Value::as_str)
                .map(clean)
                .unwrap_or_default()
        };
        (field("error"), field("error_description"))
    }

    /// A short description of an error reply for people.
    pub fn describe(&self) -> String {
        let (code, desc) = self.error();
        match (code.is_empty(), desc.is_empty()) {
            (false, false) => format!("HTTP {}: {code}: {desc}", self.status),
            (false, true) => format!("HTTP {}: {code}", self.status),
            (true, false) => format!("HTTP {}: {desc}", self.status),
            (true, true) if self.text.trim().is_empty() => format!("HTTP {}", self.status),
            (true, true) => format!("HTTP {}: {}", self.status, clean(&self.text)),
        }
    }

    /// Whether the request succeeded (2xx).
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Text from a server, made safe to print: control characters dropped, at most 300 chars.
pub fn clean(s: &str) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(300).collect();
    if s.chars().count() > 300 {
        out.push('…');
    }
    out
}

/// The certificates of a PEM file, as roots for an HTTPS client (other items skipped).
pub fn pem_certificates(pem: &[u8]) -> Vec<ureq::tls::Certificate<'static>> {
    ureq::tls::parse_pem(pem)
        .filter_map(|item| match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
            _ => None,
        })
        .collect()
}

/// The HTTP client of one remote account.
pub struct Http {
    agent: ureq::Agent,
    account: String,
    allow_insecure_loopback: bool,
    timeout: Duration,
}

impl Http {
    /// A client for the account: its CA file, its timeout.
    pub fn new(cfg: &RemoteConfig) -> Result<Http> {
        let timeout = Duration::from_secs(cfg.timeout_secs.unwrap_or(30).max(1));
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(path) = &cfg.ca_file {
            let pem = std::fs::read(path)
                .map_err(|e| Error::io(format!("reading ca_file {}", path.display()), e))?;
            let certs = pem_certificates(&pem);
            if certs.is_empty() {
                return Err(Error::Config {
                    path: path.clone(),
                    message: format!("ca_file of [[remote]] '{}' holds no certificate", cfg.name),
                });
            }
            tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .https_only(false)
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout.min(Duration::from_secs(10))))
            .user_agent(concat!("kyso/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls.build())
            .build()
            .new_agent();
        Ok(Http {
            agent,
            account: cfg.name.clone(),
            allow_insecure_loopback: cfg.allow_insecure_loopback,
            timeout,
        })
    }

    /// Refuses anything but `https://`, except plain HTTP to the loopback interface when the
    /// account opts in (a token sent in clear elsewhere could be read on the way).
    pub fn check_url(&self, url: &str) -> Result<()> {
        if url.starts_with("https://") {
            return Ok(());
        }
        if let Some(rest) = url.strip_prefix("http://") {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host = if let Some(v6) = authority.strip_prefix('[') {
                v6.split(']').next().unwrap_or("")
            } else {
                authority.split(':').next().unwrap_or("")
            };
            let loopback = matches!(host, "127.0.0.1" | "localhost" | "::1");
            if loopback && self.allow_insecure_loopback {
                return Ok(());
            }
            return Err(Error::InvalidInput(format!(
                "remote account '{}': {url} is plain HTTP; kyso only speaks https:// to signing \
                 services{}",
                self.account,
                if loopback {
                    " (set allow_insecure_loopback = true for a local test server)"
                } else {
                    ""
                }
            )));
        }
        Err(Error::InvalidInput(format!(
            "remote account '{}': {url} is not an https:// URL",
            self.account
        )))
    }

    /// POSTs a JSON body.
    pub fn post_json(
        &self,
        url: &str,
        auth: Auth<'_>,
        body: &Value,
        retry: Retry,
    ) -> Result<Reply> {
        let text = zeroize::Zeroizing::new(body.to_string());
        self.send(url, auth, "application/json", text.as_bytes(), retry, None)
    }

    /// POSTs a JSON body that may wait for a person (an approval on the phone): with its own
    /// timeout, never repeated.
    pub fn post_json_waiting(
        &self,
        url: &str,
        auth: Auth<'_>,
        body: &Value,
        timeout: Duration,
    ) -> Result<Reply> {
        let text = zeroize::Zeroizing::new(body.to_string());
        let t = Some(timeout.max(self.timeout));
        self.send(
            url,
            auth,
            "application/json",
            text.as_bytes(),
            Retry::Never,
            t,
        )
    }

    /// POSTs an `application/x-www-form-urlencoded` body.
    pub fn post_form(
        &self,
        url: &str,
        auth: Auth<'_>,
        form: &[(&str, &str)],
        retry: Retry,
    ) -> Result<Reply> {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let body = zeroize::Zeroizing::new(body);
        self.send(
            url,
            auth,
            "application/x-www-form-urlencoded",
            body.as_bytes(),
            retry,
            None,
        )
    }

    fn send(
        &self,
        url: &str,
        auth: Auth<'_>,
        content_type: &str,
        body: &[u8],
        retry: Retry,
        timeout: Option<Duration>,
    ) -> Result<Reply> {
        self.check_url(url)?;
        let timeout = timeout.unwrap_or(self.timeout);
        let header = match &auth {
            Auth::None => None,
            Auth::Bearer(t) => Some(zeroize::Zeroizing::new(format!(
                "Bearer {}",
                t.expose_secret()
            ))),
            Auth::Basic(user, password) => {
                let raw = zeroize::Zeroizing::new(format!("{user}:{}", password.expose_secret()));
                Some(zeroize::Zeroizing::new(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw.as_bytes())
                )))
            }
        };
        let attempts = if retry == Retry::Safe { 2 } else { 1 };
        let mut last = None;
        for attempt in 0..attempts {
            if attempt > 0 {
                log::info!("{}: trying {url} once more", self.account);
                std::thread::sleep(Duration::from_millis(300));
            }
            let mut req = self
                .agent
                .post(url)
                .header("Content-Type", content_type)
                .header("Accept", "application/json");
            if let Some(h) = &header {
                req = req.header("Authorization", h.as_str());
            }
            if timeout != self.timeout {
                req = req.config().timeout_global(Some(timeout)).build();
            }
            log::debug!("{}: POST {url}", self.account);
            match req.send(body) {
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    let text = resp
                        .body_mut()
                        .with_config()
                        .limit(MAX_REPLY)
                        .read_to_string()
                        .map_err(|e| self.transport(url, e, timeout))?;
                    if attempt + 1 < attempts && matches!(status, 502..=504) {
                        last = Some(Error::Remote {
                            server: self.account.clone(),
                            message: format!("{url}: HTTP {status}"),
                        });
                        continue;
                    }
                    let json = serde_json::from_str(&text).ok();
                    let text: String = text.chars().take(2000).collect();
                    return Ok(Reply { status, json, text });
                }
                Err(e) => {
                    let err = self.transport(url, e, timeout);
                    let again = matches!(err, Error::RemoteUnreachable { .. });
                    last = Some(err);
                    if !again {
                        break;
                    }
                }
            }
        }
        Err(last.unwrap_or_else(|| Error::Remote {
            server: self.account.clone(),
            message: format!("{url}: no answer"),
        }))
    }

    fn transport(&self, url: &str, e: ureq::Error, timeout: Duration) -> Error {
        let message = match &e {
            ureq::Error::Timeout(_) => {
                format!("{url}: no answer within {} s", timeout.as_secs())
            }
            ureq::Error::HostNotFound => format!("{url}: host not found"),
            ureq::Error::ConnectionFailed => format!("{url}: connection refused or failed"),
            ureq::Error::Io(io) => format!("{url}: {io}"),
            ureq::Error::Tls(m) => format!(
                "{url}: TLS failed ({m}); if the service uses a private CA, name it in ca_file"
            ),
            ureq::Error::Rustls(r) => format!(
                "{url}: TLS failed ({r}); if the service uses a private CA, name it in ca_file"
            ),
            ureq::Error::BodyExceedsLimit(_) => {
                return Error::Remote {
                    server: self.account.clone(),
                    message: format!("{url}: reply larger than {MAX_REPLY} bytes"),
                }
            }
            other => {
                return Error::Remote {
                    server: self.account.clone(),
                    message: format!("{url}: {other}"),
                }
            }
        };
        Error::RemoteUnreachable {
            server: self.account.clone(),
            message,
        }
    }
}

/// `application/x-www-form-urlencoded` (and URL query) encoding of one value.
pub fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Decodes a `%XX`/`+` encoded query value.
pub fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(v) if hex.bytes().all(|c| c.is_ascii_hexdigit()) => {
                        out.push(v);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(allow: bool) -> Http {
        let cfg: RemoteConfig = toml::from_str(&format!(
            "name = \"t\"\nbase_url = \"https://x\"\nallow_insecure_loopback = {allow}\n"
        ))
        .unwrap();
        Http::new(&cfg).unwrap()
    }

    #[test]
    fn plain_http_only_to_loopback_with_opt_in() {
        assert!(http(false).check_url("https://a.vn/csc/v1").is_ok());
        assert!(http(false).check_url("http://127.0.0.1:8080/x").is_err());
        assert!(http(true).check_url("http://127.0.0.1:8080/x").is_ok());
        assert!(http(true).check_url("http://localhost/x").is_ok());
        assert!(http(true).check_url("http://[::1]:9/x").is_ok());
        assert!(http(true).check_url("http://127.0.0.1.evil.vn/x").is_err());
        assert!(http(true).check_url("http://evil.vn/127.0.0.1").is_err());
        assert!(http(true).check_url("ftp://127.0.0.1/").is_err());
    }

    #[test]
    fn form_encoding_round_trips() {
        let s = "a b&c=d/é";
        assert_eq!(form_decode(&form_encode(s)), s);
        assert_eq!(form_decode("a+b%2"), "a b%2");
    }

    #[test]
    fn server_text_is_cleaned() {
        assert_eq!(clean("a\u{1b}[31mb\n"), "a[31mb");
        assert_eq!(clean(&"x".repeat(400)).chars().count(), 301);
    }
}
