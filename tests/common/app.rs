//! `kyso app` for tests: the page's server started with `--no-open` (its launch URL read from
//! stdout's first line), killed on drop, and a plain HTTP/1.1 client over a TCP socket that
//! sends exactly the headers a test gives (a browser's, or a hostile page's). Included with
//! `#[path = "common/app.rs"]` by the tests that use it.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::common::{repo_root, Fixture, SOFTHSM};

/// A running `kyso app --no-open`, killed on drop.
pub struct App {
    child: Child,
    /// The port on 127.0.0.1.
    pub port: u16,
    /// The launch URL's path and query (`/?s=SECRET`).
    pub launch: String,
    /// `$XDG_RUNTIME_DIR`, where a page leaves its address for the next launch: one per app
    /// unless the test gives one (tests running at once never hand files to each other).
    _run: Option<tempfile::TempDir>,
    /// Where its stderr (the log) goes.
    stderr: tempfile::NamedTempFile,
}

impl App {
    /// Starts `cmd` (a `kyso` command with its options) as `kyso … app --no-open ARGS…`.
    pub fn start(mut cmd: Command, args: &[&str]) -> App {
        let run = (!cmd.get_envs().any(|(k, _)| k == "XDG_RUNTIME_DIR")).then(|| {
            let d = tempfile::tempdir().unwrap();
            cmd.env("XDG_RUNTIME_DIR", d.path());
            d
        });
        cmd.args(["app", "--no-open"]).args(args);
        let stderr = tempfile::NamedTempFile::new().unwrap();
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(stderr.reopen().unwrap())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().expect("no URL on stdout").unwrap();
        std::thread::spawn(move || for _ in lines {});
        let rest = first
            .strip_prefix("http://127.0.0.1:")
            .unwrap_or_else(|| panic!("not the launch URL: {first}"));
        let (port, path) = rest.split_at(rest.find('/').unwrap());
        App {
            child,
            port: port.parse().unwrap(),
            launch: path.to_owned(),
            _run: run,
            stderr,
        }
    }

    /// What it wrote on stderr so far (its log).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.stderr.path()).unwrap_or_default()
    }

    /// `kyso app --no-open ARGS…` over `module` (pkcs11-spy, when it is the spy, counts calls
    /// to SoftHSM), the scripted pinentry (`tests/fixtures/serve/scripted-pinentry.py`) typing
    /// `pin`, with the kyso.toml lines `toml` too: the app, the pinentry's directory (`pin`,
    /// `dialogs.log`) and the spy's log.
    pub fn start_scripted(
        fx: &Fixture,
        module: &str,
        pin: &str,
        toml: &str,
        args: &[&str],
    ) -> (App, PathBuf, PathBuf) {
        Self::start_scripted_env(fx, module, pin, toml, args, &[])
    }

    /// [`App::start_scripted`] with the environment variables `env` set for the app too.
    pub fn start_scripted_env(
        fx: &Fixture,
        module: &str,
        pin: &str,
        toml: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> (App, PathBuf, PathBuf) {
        let answers = fx.path("pinentry");
        std::fs::create_dir_all(&answers).unwrap();
        let script = answers.join("pinentry.py");
        std::fs::copy(
            repo_root().join("tests/fixtures/serve/scripted-pinentry.py"),
            &script,
        )
        .unwrap();
        std::fs::write(answers.join("pin"), format!("{pin}\n")).unwrap();
        let extra = toml;
        let toml = fx.path("app.toml");
        std::fs::write(
            &toml,
            format!(
                "[[module]]\npath = \"{module}\"\n\n[serve]\npinentry = \"{}\"\n\n{extra}",
                script.display()
            ),
        )
        .unwrap();
        let spy = fx.path("app-spy.log");
        let mut cmd = fx.kyso();
        cmd.env("PKCS11SPY", SOFTHSM)
            .env("PKCS11SPY_OUTPUT", &spy)
            .envs(env.iter().copied())
            .args(["--config", toml.to_str().unwrap()]);
        (App::start(cmd, args), answers, spy)
    }

    /// The `Host` header a browser sends to the launch URL.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The launch URL's cookie (`name=value`), as the browser keeps it.
    pub fn cookie(&self) -> String {
        let r = self.request("GET", &self.launch, &[("Host", &self.host())], None);
        assert_eq!(r.status, 303, "{r:?}");
        let set = r.header("set-cookie").expect("no Set-Cookie");
        set.split(';').next().unwrap().to_owned()
    }

    /// One request with exactly `headers` (and `Content-Length` for a body).
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Reply {
        http(self.port, method, path, headers, body)
    }

    /// A GET as the page makes it (launch cookie, right Host), the body as JSON.
    pub fn get_json(&self, cookie: &str, path: &str) -> serde_json::Value {
        let r = self.request(
            "GET",
            path,
            &[("Host", &self.host()), ("Cookie", cookie)],
            None,
        );
        assert_eq!(r.status, 200, "{r:?}");
        serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
    }
}

impl App {
    /// The process id (a restart in place keeps it).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP reply.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// The first header named `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request on a connection of its own (`Connection: close`).
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Reply {
    try_http(port, method, path, headers, body).unwrap()
}

/// [`http`], or why there was no whole reply (nothing listening, the connection cut).
pub fn try_http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> std::io::Result<Reply> {
    let body = body.map(|b| ("application/json", b.as_bytes()));
    exchange(port, method, path, headers, body)
}

/// POSTs `bytes` of type `mime` as the page's script does (a file it sends).
pub fn post_bytes(app: &App, cookie: &str, path: &str, mime: &str, bytes: &[u8]) -> Reply {
    let origin = format!("http://{}", app.host());
    let host = app.host();
    let headers = [
        ("Host", host.as_str()),
        ("Cookie", cookie),
        ("Origin", origin.as_str()),
    ];
    exchange(app.port, "POST", path, &headers, Some((mime, bytes))).unwrap()
}

/// One request with a body of its type, its reply.
fn exchange(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, &[u8])>,
) -> std::io::Result<Reply> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    if let Some((mime, b)) = body {
        req.push_str(&format!(
            "Content-Type: {mime}\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    let mut req = req.into_bytes();
    req.extend_from_slice(body.map_or(&[][..], |(_, b)| b));
    s.write_all(&req)?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| {
            let head = String::from_utf8_lossy(&raw);
            std::io::Error::other(format!("no header end: {head}"))
        })?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {head}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = unchunk(&body);
    }
    // a PNG served is not text: compared by length
    let body = String::from_utf8_lossy(&body).into_owned();
    Ok(Reply {
        status,
        headers,
        body,
    })
}

fn unchunk(mut s: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = s.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&s[..eol]).into_owned();
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.extend_from_slice(&s[eol + 2..eol + 2 + n]);
        s = &s[eol + 2 + n + 2..];
    }
    out
}

/// POSTs `body` as the page does; the reply as JSON.
pub fn post(app: &App, cookie: &str, path: &str, body: &Value) -> Value {
    let origin = format!("http://{}", app.host());
    let r = app.request(
        "POST",
        path,
        &[
            ("Host", &app.host()),
            ("Cookie", cookie),
            ("Origin", &origin),
        ],
        Some(&body.to_string()),
    );
    assert_eq!(r.status, 200, "{r:?}");
    serde_json::from_str(&r.body).unwrap()
}

/// Starts a batch (`POST /api/sign` with `request`); its job number.
pub fn start_batch(app: &App, cookie: &str, request: &Value) -> u64 {
    post(app, cookie, "/api/sign", request)["job"]
        .as_u64()
        .unwrap()
}

/// Signs as the page does: the batch's events until it ends.
pub fn sign(app: &App, cookie: &str, request: &Value) -> Vec<Value> {
    let job = start_batch(app, cookie, request);
    events_until_done(app, cookie, job)
}

/// The events of batch `job` until it ends (`finished` or `error`).
pub fn events_until_done(app: &App, cookie: &str, job: u64) -> Vec<Value> {
    let mut seen = Vec::new();
    let mut from = 0;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "batch {job} did not end: {seen:#?}"
        );
        let path = format!("/api/events?from={from}");
        let host = app.host();
        let headers = [("Host", host.as_str()), ("Cookie", cookie)];
        // no answer while the app restarts in place (a module that stopped answering)
        let Ok(reply) = try_http(app.port, "GET", &path, &headers, None) else {
            std::thread::sleep(std::time::Duration::from_millis(100));
            continue;
        };
        assert_eq!(reply.status, 200, "{reply:?}");
        let batch: Value = serde_json::from_str(&reply.body).unwrap();
        let batch = batch.as_array().unwrap().clone();
        from += batch.len();
        for e in batch.into_iter().filter(|e| e["job"] == job) {
            let end = e["type"] == "finished" || e["type"] == "error";
            seen.push(e);
            if end {
                return seen;
            }
        }
    }
}

/// The certificate row of `holder`.
pub fn cert_of<'a>(certs: &'a Value, holder: &str) -> &'a Value {
    certs
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["holder"] == holder)
        .unwrap_or_else(|| panic!("{holder} not in {certs:#}"))
}
