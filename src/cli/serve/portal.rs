//! The portal's own server, reached for the page: unsigned files downloaded from it and signed
//! ones uploaded to its handler, only at the origin that asked (same scheme, host and port),
//! with size limits and timeouts.

use std::path::Path;
use std::time::Duration;

use kyso::error::NetworkFailure;
use kyso::{Error, Result};

/// The HTTP client that talks to portals.
pub struct Portal {
    agent: ureq::Agent,
    /// The largest file downloaded.
    pub max_download: u64,
}

/// `scheme://host:port` with the default port written out, lower-case.
fn normalize(origin: &str) -> Option<String> {
    let (scheme, rest) = origin.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let default = match scheme.as_str() {
        "https" => "443",
        "http" => "80",
        _ => return None,
    };
    let has_port = match authority.rfind(':') {
        Some(i) => !authority[i..].contains(']'),
        None => false,
    };
    Some(if has_port {
        format!("{scheme}://{authority}")
    } else {
        format!("{scheme}://{authority}:{default}")
    })
}

/// `url` made absolute against `origin` (a path alone is the portal's), refused unless it
/// is at `origin`.
pub fn at_origin(origin: &str, url: &str) -> Result<String> {
    let url = url.trim();
    let absolute = if url.starts_with('/') && !url.starts_with("//") {
        format!("{}{url}", origin.trim_end_matches('/'))
    } else {
        url.to_owned()
    };
    let refuse = || {
        Error::InvalidInput(kyso::t!(
            "serve-refused-other-site",
            url = kyso::cert::printable(url),
            origin = kyso::cert::printable(origin)
        ))
    };
    match (normalize(origin), normalize(&absolute)) {
        (Some(a), Some(b)) if a == b => Ok(absolute),
        _ => Err(refuse()),
    }
}

impl Portal {
    /// A client trusting the public CAs and those of `ca_file`; every request ends within
    /// `timeout`.
    pub fn new(ca_file: Option<&Path>, timeout: Duration, max_download: u64) -> Result<Portal> {
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(path) = ca_file {
            let pem = std::fs::read(path)
                // i18n: a configuration key and a path
                .map_err(|e| Error::io(format!("[serve] ca_file {}", path.display()), e))?;
            let certs = kyso::remote::http::pem_certificates(&pem);
            tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .user_agent(concat!("kyso/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls.build())
            .build()
            .new_agent();
        Ok(Portal {
            agent,
            max_download,
        })
    }

    /// The file at `url`, which must be at `origin`.
    pub fn download(&self, origin: &str, url: &str, bearer: Option<&str>) -> Result<Vec<u8>> {
        let url = at_origin(origin, url)?;
        let mut req = self.agent.get(&url);
        if let Some(t) = bearer.filter(|t| !t.is_empty()) {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let resp = req.call().map_err(|e| net(&url, e))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(http(&url, format!("{status} (downloading)")));
        }
        resp.into_body()
            .with_config()
            .limit(self.max_download)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(n) => Error::InvalidInput(kyso::t!(
                    "serve-download-too-large",
                    url = url.as_str(),
                    limit = n
                )),
                e => net(&url, e),
            })
    }

    /// Uploads `data` as the multipart field `uploadfile` (file name `name`) with `fields`
    /// to `handler` at `origin`; the handler's reply, which must not say it failed.
    pub fn upload(
        &self,
        origin: &str,
        handler: &str,
        name: &str,
        data: &[u8],
        fields: &[(&str, &str)],
        bearer: Option<&str>,
    ) -> Result<String> {
        let url = at_origin(origin, handler)?;
        let mut rnd = [0u8; 16];
        getrandom::getrandom(&mut rnd).map_err(|e| Error::InvalidInput(format!("random: {e}")))?;
        let boundary = format!("kyso-{}", hex::encode(rnd));
        let mut body = Vec::with_capacity(data.len() + 1024);
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    // i18n: the multipart protocol
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        let safe: String = name
            .chars()
            .filter(|c| !matches!(c, '"' | '\r' | '\n' | '\\'))
            .collect();
        body.extend_from_slice(
            format!(
                // i18n: the multipart protocol
                "--{boundary}\r\nContent-Disposition: form-data; name=\"uploadfile\"; \
                 filename=\"{safe}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut req = self.agent.post(&url).header(
            "Content-Type",
            // i18n: the multipart protocol
            format!("multipart/form-data; boundary={boundary}"),
        );
        if let Some(t) = bearer.filter(|t| !t.is_empty()) {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let resp = req.send(&body[..]).map_err(|e| net(&url, e))?;
        let status = resp.status();
        let text = resp
            .into_body()
            .with_config()
            .limit(1 << 20)
            .read_to_string()
            .map_err(|e| net(&url, e))?;
        if !status.is_success() {
            return Err(http(
                &url,
                format!("{status} (uploading): {}", kyso::remote::http::clean(&text)),
            ));
        }
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
            let ok = match v.get("Status").or_else(|| v.get("status")) {
                None => true,
                Some(s) => s == 0 || s == true || s == "0",
            };
            if !ok && v != serde_json::Value::Bool(true) {
                return Err(Error::InvalidInput(kyso::t!(
                    "serve-upload-refused",
                    url = url.as_str(),
                    reply = kyso::remote::http::clean(&text)
                )));
            }
        }
        Ok(text)
    }
}

fn net(url: &str, e: ureq::Error) -> Error {
    Error::Network {
        url: url.to_owned(),
        failure: NetworkFailure::Unreachable(e.to_string()),
    }
}

fn http(url: &str, status: String) -> Error {
    Error::Network {
        url: url.to_owned(),
        failure: NetworkFailure::HttpStatus(status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_requesting_origin() {
        let o = "https://portal.example.vn";
        assert!(at_origin(o, "https://portal.example.vn:443/a.pdf").is_ok());
        assert_eq!(
            at_origin(o, "/files/a.pdf").unwrap(),
            "https://portal.example.vn/files/a.pdf"
        );
        assert!(at_origin(o, "http://portal.example.vn/a.pdf").is_err());
        assert!(at_origin(o, "https://portal.example.vn:8443/a.pdf").is_err());
        assert!(at_origin(o, "https://evil.example/a.pdf").is_err());
        assert!(at_origin(o, "https://portal.example.vn@evil.example/a.pdf").is_err());
        assert!(at_origin(o, "//evil.example/a.pdf").is_err());
        assert!(at_origin("https://127.0.0.1:9443", "https://127.0.0.1:9443/x").is_ok());
    }
}
