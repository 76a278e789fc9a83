//! Who may use the page: only the browser `kyso app` opened. Each launch draws a random
//! secret; it reaches the browser once, in the URL `xdg-open` is given, and is traded at once
//! for an `HttpOnly; SameSite=Strict` cookie and a redirect to the clean address. Every other
//! request must carry the cookie, name this computer's loopback in `Host` (no DNS rebinding)
//! and, when it says where it comes from (`Origin`, `Sec-Fetch-Site`), come from the page
//! itself: another web page in the same browser cannot drive it.

use kyso::{Error, Result};

use super::super::loopback::host_allowed;

/// What to do with a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Serve it.
    Serve,
    /// The launch URL with the right secret: set the cookie and redirect to `/`.
    Enter,
    /// Refuse it (403), for this reason (for the log; the page is told nothing more).
    Refuse(String),
}

/// A request as the guard sees it.
pub struct Seen<'a> {
    /// `GET`, `POST`…
    pub method: &'a str,
    /// The path and query (`/?s=…`, `/api/files`).
    pub url: &'a str,
    /// The headers, names in any case.
    pub headers: &'a [(String, String)],
}

impl Seen<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The launch's secret and port.
pub struct Guard {
    secret: String,
    port: u16,
}

impl Guard {
    /// A fresh secret (32 random bytes, hex) for the server on `port`.
    pub fn new(port: u16) -> Result<Guard> {
        let mut b = [0u8; 32];
        getrandom::getrandom(&mut b).map_err(|e| Error::InvalidInput(format!("random: {e}")))?;
        Ok(Guard {
            secret: hex::encode(b),
            port,
        })
    }

    /// The secret of the process a restarted app replaced ([`super::restart`]): the pages
    /// open keep their cookie.
    pub fn with_secret(port: u16, secret: String) -> Guard {
        Guard { secret, port }
    }

    /// The address to open once: the page with the secret.
    pub fn launch_url(&self) -> String {
        format!("http://127.0.0.1:{}/?s={}", self.port, self.secret)
    }

    fn cookie_name(&self) -> String {
        cookie_name(self.port)
    }

    /// The launch's secret (left for the next launch, [`super::reuse`]).
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// The `Set-Cookie` value that admits the browser from now on.
    pub fn set_cookie(&self) -> String {
        format!(
            "{}={}; Path=/; HttpOnly; SameSite=Strict", // i18n: a cookie header
            self.cookie_name(),
            self.secret
        )
    }

    /// Whether `request` may be served.
    pub fn check(&self, request: &Seen) -> Verdict {
        let host = match request.header("host") {
            Some(h) if host_allowed(h, self.port) => h.to_ascii_lowercase(),
            Some(h) => {
                return Verdict::Refuse(format!(
                    "Host '{}' is not this computer's loopback address", // i18n: why a request was refused, for the log
                    kyso::cert::printable(h)
                ));
            }
            // i18n: why a request was refused, for the log
            None => return Verdict::Refuse("no Host header".into()),
        };
        if let Some(o) = request.header("origin") {
            if !o.eq_ignore_ascii_case(&format!("http://{host}")) {
                return Verdict::Refuse(format!(
                    "a request from the web page at {}", // i18n: why a request was refused, for the log
                    kyso::cert::printable(o)
                ));
            }
        } else if !matches!(request.method, "GET" | "HEAD") {
            // browsers send Origin with every POST: one without is not the page's
            // i18n: why a request was refused, for the log
            return Verdict::Refuse(format!("a {} without Origin", request.method));
        }
        if let Some(site) = request.header("sec-fetch-site") {
            if matches!(site, "cross-site" | "same-site") {
                return Verdict::Refuse(format!("a {site} request"));
            }
        }
        if request.method == "GET" {
            if let Some(q) = request.url.strip_prefix("/?") {
                let given = q.split('&').find_map(|kv| kv.strip_prefix("s="));
                if given.is_some_and(|g| same(g, &self.secret)) {
                    return Verdict::Enter;
                }
            }
        }
        let cookie = request
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("cookie"))
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(n, _)| *n == self.cookie_name())
            .map(|(_, v)| v);
        match cookie {
            Some(c) if same(c, &self.secret) => Verdict::Serve,
            Some(_) => Verdict::Refuse("a wrong secret".into()), // i18n: why a request was refused, for the log
            None => Verdict::Refuse("no secret".into()), // i18n: why a request was refused, for the log
        }
    }
}

/// The cookie's name for the page on `port`: one per port, so two pages do not overwrite
/// each other's.
pub fn cookie_name(port: u16) -> String {
    format!("kyso-app-{port}")
}

/// `a == b` in a time that does not tell how much of the secret was right.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> Guard {
        Guard {
            secret: "ab12".into(),
            port: 8080,
        }
    }

    fn check(method: &str, url: &str, headers: &[(&str, &str)]) -> Verdict {
        let h: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        guard().check(&Seen {
            method,
            url,
            headers: &h,
        })
    }

    const HOST: (&str, &str) = ("Host", "127.0.0.1:8080");
    const COOKIE: (&str, &str) = ("Cookie", "other=1; kyso-app-8080=ab12");

    #[test]
    fn the_launch_url_enters_once_then_the_cookie_serves() {
        assert_eq!(check("GET", "/?s=ab12", &[HOST]), Verdict::Enter);
        assert_eq!(check("GET", "/api/files", &[HOST, COOKIE]), Verdict::Serve);
        let same_origin = ("Origin", "http://127.0.0.1:8080");
        assert_eq!(
            check("POST", "/api/sign", &[HOST, COOKIE, same_origin]),
            Verdict::Serve
        );
    }

    #[test]
    fn refusals() {
        let refused = |v: Verdict| matches!(v, Verdict::Refuse(_));
        assert!(refused(check("GET", "/", &[HOST])));
        assert!(refused(check("GET", "/?s=ab13", &[HOST])));
        assert!(refused(check("POST", "/?s=ab12", &[HOST])));
        assert!(refused(check(
            "GET",
            "/",
            &[HOST, ("Cookie", "kyso-app-8081=ab12")]
        )));
        assert!(refused(check(
            "GET",
            "/",
            &[("Host", "evil.example:8080"), COOKIE]
        )));
        assert!(refused(check("GET", "/", &[COOKIE])));
        assert!(refused(check(
            "GET",
            "/",
            &[HOST, COOKIE, ("Origin", "http://evil.example")]
        )));
        assert!(refused(check("POST", "/api/sign", &[HOST, COOKIE])));
        assert!(refused(check(
            "GET",
            "/",
            &[HOST, COOKIE, ("Sec-Fetch-Site", "cross-site")]
        )));
    }
}
