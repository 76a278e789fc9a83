//! `kyso serve` for tests: the service on free ports over a fixture's SoftHSM (through
//! pkcs11-spy, to count calls), answered by the scripted pinentry
//! (`tests/fixtures/serve/scripted-pinentry.py`), and a WebSocket client over rustls that
//! trusts the service's local CA and sends the headers a browser would. Included with
//! `#[path = "common/serve.rs"]` by the tests that use it: the PKCS#11 module's tests share
//! `common` and have no tungstenite.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{Fixture, SOFTHSM, SPY};

/// What a test changes in the service's surroundings.
#[derive(Default)]
pub struct Setup {
    /// The local CA's directory (default: one in the fixture).
    pub ca_dir: Option<PathBuf>,
    /// The pinentry (default: the scripted one).
    pub pinentry: Option<PathBuf>,
    /// The X display the pinentry shows on.
    pub display: Option<String>,
    /// The VGCA and VNPT ports (default: any free ones).
    pub ports: Option<(u16, u16)>,
    /// The module (default: SoftHSM through pkcs11-spy) and the token to sign with (default
    /// kyso-test; `Some("")`: the only one).
    pub module: Option<(PathBuf, String)>,
    /// Where the service's log goes, at trace level (default: nowhere).
    pub log: Option<PathBuf>,
    /// `--lang` (default: the environment's, English here).
    pub lang: Option<&'static str>,
    /// `[serve] tsa` (default: none).
    pub tsa: Option<String>,
}

/// A running `kyso serve`, killed on drop.
pub struct Serve {
    child: Child,
    pub vgca: u16,
    pub vnpt: u16,
    /// The local CA certificate the service's TLS chains to.
    pub ca: PathBuf,
    /// The scripted pinentry's directory: `confirm`, `pin`, `dialogs.log`.
    pub answers: PathBuf,
    /// The pkcs11-spy log.
    pub spy: PathBuf,
}

impl Serve {
    /// Starts the service for `fx` signing with `key_id` on token kyso-test, allowing
    /// `origins`; the pinentry confirms and types the fixture's PIN until told otherwise.
    pub fn start(fx: &Fixture, key_id: &str, origins: &[&str]) -> Serve {
        Serve::start_with(fx, key_id, origins, &Setup::default())
    }

    /// [`Serve::start`] with a local CA directory, a pinentry and a display of the test's.
    pub fn start_with(fx: &Fixture, key_id: &str, origins: &[&str], setup: &Setup) -> Serve {
        let answers = fx.path("pinentry");
        std::fs::create_dir_all(&answers).unwrap();
        let script = answers.join("pinentry.py");
        std::fs::copy(
            crate::common::repo_root().join("tests/fixtures/serve/scripted-pinentry.py"),
            &script,
        )
        .unwrap();
        std::fs::write(answers.join("confirm"), "yes\n").unwrap();
        std::fs::write(answers.join("pin"), format!("{}\n", crate::common::PIN)).unwrap();
        let toml = fx.path("serve.toml");
        std::fs::write(
            &toml,
            format!(
                "[[module]]\npath = \"{}\"\n\n[serve]\npinentry = \"{}\"\n{}",
                setup
                    .module
                    .as_ref()
                    .map_or(Path::new(SPY), |m| &m.0)
                    .display(),
                setup.pinentry.as_deref().unwrap_or(&script).display(),
                setup
                    .tsa
                    .as_ref()
                    .map(|t| format!("tsa = \"{t}\"\n"))
                    .unwrap_or_default()
            ),
        )
        .unwrap();
        let spy = fx.path("serve-spy.log");
        let ports = setup.ports.unwrap_or((0, 0));
        let ca_dir = setup.ca_dir.clone().unwrap_or(fx.path("serve-ca"));
        let mut cmd = fx.kyso();
        cmd.env("PKCS11SPY", SOFTHSM)
            .env("PKCS11SPY_OUTPUT", &spy)
            .args(["--config", toml.to_str().unwrap(), "serve"])
            .args(["--vgca-port", &ports.0.to_string()])
            .args(["--vnpt-port", &ports.1.to_string()])
            .args(["--key-id", key_id, "--ca-dir"])
            .arg(&ca_dir)
            .stdout(Stdio::piped());
        match &setup.log {
            Some(log) => {
                cmd.arg("-vv")
                    .env("KYSO_LOG_LEVEL", "trace")
                    .stderr(std::fs::File::create(log).unwrap());
            }
            None => {
                cmd.stderr(Stdio::null());
            }
        }
        for o in origins {
            cmd.args(["--allow-origin", o]);
        }
        if let Some(lang) = setup.lang {
            cmd.args(["--lang", lang]);
        }
        match setup.module.as_ref().map(|m| m.1.as_str()) {
            None => {
                cmd.args(["--token", "kyso-test"]);
            }
            Some("") => {}
            Some(t) => {
                cmd.args(["--token", t]);
            }
        }
        cmd.env("XDG_CACHE_HOME", fx.path("cache"));
        if let Some(d) = &setup.display {
            cmd.env("DISPLAY", d).env("LANG", "C.UTF-8");
        }
        let mut child = cmd.spawn().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let (mut vgca, mut vnpt) = (0, 0);
        for line in lines.by_ref() {
            let line = line.unwrap();
            let port = |l: &str| {
                l.split(':')
                    .nth(2)
                    .unwrap()
                    .split('/')
                    .next()
                    .unwrap()
                    .parse::<u16>()
                    .unwrap()
            };
            if line.starts_with("VGCA") {
                vgca = port(&line);
            } else if line.starts_with("VNPT") {
                vnpt = port(&line);
            } else if line.starts_with("pinentry") {
                break;
            }
        }
        // keep reading stdout so the service never blocks on a full pipe
        std::thread::spawn(move || for _ in lines {});
        assert!(vgca != 0 && vnpt != 0, "kyso serve did not start");
        Serve {
            child,
            vgca,
            vnpt,
            ca: ca_dir.join("ca.pem"),
            answers,
            spy,
        }
    }

    /// Whether the service still runs.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// What the pinentry was asked so far.
    pub fn dialogs(&self) -> String {
        std::fs::read_to_string(self.answers.join("dialogs.log")).unwrap_or_default()
    }

    /// How the scripted pinentry answers next: confirm or refuse, and the PIN typed.
    pub fn answer(&self, confirm: bool, pin: &str) {
        std::fs::write(
            self.answers.join("confirm"),
            if confirm { "yes\n" } else { "no\n" },
        )
        .unwrap();
        std::fs::write(self.answers.join("pin"), format!("{pin}\n")).unwrap();
    }

    /// A WebSocket to the service, as a browser on `origin` opens it.
    pub fn connect(&self, port: u16, path: &str, origin: Option<&str>, host: Option<&str>) -> Ws {
        connect(&self.ca, port, path, origin, host)
    }

    /// One VGCA request on its own connection (as portals do); the reply as JSON.
    pub fn vgca(&self, op: &str, origin: &str, request: &serde_json::Value) -> serde_json::Value {
        let mut ws = self.connect(self.vgca, &format!("/{op}"), Some(origin), None);
        let reply = ws.call(&request.to_string());
        serde_json::from_str(&reply).unwrap_or_else(|e| panic!("{e}: {reply}"))
    }

    /// One VNPT call; the reply split into its result and callback name.
    pub fn vnpt(&self, origin: &str, function: u32, args: &[String]) -> (String, String) {
        let mut ws = self.connect(self.vnpt, "/plugin", Some(origin), None);
        let req = serde_json::json!({"functionID": function, "funcCallback": "cb42", "args": args, "domain": "whatever.example"});
        let reply = ws.call(&req.to_string());
        let (result, cb) = reply.rsplit_once('*').expect("reply is RESULT*CALLBACK");
        (result.to_owned(), cb.to_owned())
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client WebSocket over TLS.
pub struct Ws(tungstenite::WebSocket<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>);

impl Ws {
    /// Sends one text frame and returns the reply's text.
    pub fn call(&mut self, text: &str) -> String {
        self.0.send(tungstenite::Message::text(text)).unwrap();
        self.read()
    }

    /// Sends a frame as is.
    pub fn send(&mut self, m: tungstenite::Message) -> Result<(), String> {
        self.0.send(m).map_err(|e| e.to_string())
    }

    /// The next text frame.
    pub fn read(&mut self) -> String {
        loop {
            match self.0.read().unwrap() {
                tungstenite::Message::Text(t) => return t.to_string(),
                tungstenite::Message::Close(c) => panic!("closed: {c:?}"),
                _ => continue,
            }
        }
    }
}

/// Connects to `wss://127.0.0.1:PORT/PATH` trusting `ca`, with an `Origin` and a `Host`
/// header (the default Host: `127.0.0.1:PORT`).
pub fn connect(ca: &Path, port: u16, path: &str, origin: Option<&str>, host: Option<&str>) -> Ws {
    use rustls::pki_types::pem::PemObject;
    use tungstenite::client::IntoClientRequest;
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_file_iter(ca).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(cfg), name).unwrap();
    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(120)))
        .unwrap();
    let stream = rustls::StreamOwned::new(conn, tcp);
    let mut req = format!("wss://localhost:{port}{path}")
        .into_client_request()
        .unwrap();
    let h = req.headers_mut();
    h.insert(
        "Host",
        host.map(str::to_owned)
            .unwrap_or(format!("127.0.0.1:{port}"))
            .parse()
            .unwrap(),
    );
    if let Some(o) = origin {
        h.insert("Origin", o.parse().unwrap());
    }
    let (ws, _) = tungstenite::client::client_with_config(req, stream, None).unwrap();
    Ws(ws)
}

/// The test portal: serves the page (`tests/fixtures/serve/portal.html`, pointed at a
/// service) and `/files/NAME.pdf`, and records what reaches its upload handler (the
/// multipart field `uploadfile`), what the page posts back of the VNPT results
/// (`/returned?n=N`), and the page's summary (`/results`).
pub struct TestPortal {
    pub server: crate::common::servers::HttpServer,
    pub uploads: Arc<Mutex<Vec<Vec<u8>>>>,
    pub returned: Arc<Mutex<BTreeMap<usize, Vec<u8>>>>,
    pub results: Arc<Mutex<Option<serde_json::Value>>>,
    page: Arc<Mutex<String>>,
}

/// The PDF every portal file is.
pub const SPEC_PDF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/pdf/shared-mime-info-spec.pdf"
);

/// The part of a multipart body named `uploadfile`.
pub fn uploaded_file(body: &[u8]) -> Vec<u8> {
    let marker = b"name=\"uploadfile\"";
    let at = body
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("uploadfile field");
    let start = at
        + body[at..]
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap()
        + 4;
    let end = body.windows(4).rposition(|w| w == b"\r\n--").unwrap();
    body[start..end].to_vec()
}

impl TestPortal {
    pub fn start() -> TestPortal {
        let pdf = std::fs::read(SPEC_PDF).unwrap();
        let uploads = Arc::new(Mutex::new(Vec::new()));
        let returned = Arc::new(Mutex::new(BTreeMap::new()));
        let results = Arc::new(Mutex::new(None));
        let page = Arc::new(Mutex::new(String::new()));
        let (up, ret, res, pg) = (
            uploads.clone(),
            returned.clone(),
            results.clone(),
            page.clone(),
        );
        let server = crate::common::servers::HttpServer::start(Box::new(move |r| {
            let post = r.method == "POST";
            if r.path == "/portal.html" {
                let html = pg.lock().unwrap().clone();
                (200, "text/html; charset=utf-8", html.into_bytes())
            } else if r.method == "GET" && r.path.starts_with("/files/") {
                (200, "application/pdf", pdf.clone())
            } else if post && r.path == "/upload" {
                let mut u = up.lock().unwrap();
                u.push(uploaded_file(&r.body));
                let reply = format!("{{\"Status\":0,\"fileEntryId\":{}}}", u.len());
                (200, "application/json", reply.into_bytes())
            } else if post && r.path.starts_with("/returned?n=") {
                let n: usize = r.path["/returned?n=".len()..].parse().unwrap();
                ret.lock().unwrap().insert(n, r.body.clone());
                (200, "text/plain", b"ok".to_vec())
            } else if post && r.path == "/results" {
                *res.lock().unwrap() = serde_json::from_slice(&r.body).ok();
                (200, "text/plain", b"ok".to_vec())
            } else {
                (404, "text/plain", b"not found".to_vec())
            }
        }));
        TestPortal {
            server,
            uploads,
            returned,
            results,
            page,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.server.port)
    }

    /// The page, calling `serve`; its SignMsg signs `hash`.
    pub fn point_page_at(&self, serve: &Serve, hash: &[u8]) {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD;
        let html = std::fs::read_to_string(
            crate::common::repo_root().join("tests/fixtures/serve/portal.html"),
        )
        .unwrap();
        *self.page.lock().unwrap() = html
            .replace("__VGCA__", &serve.vgca.to_string())
            .replace("__VNPT__", &serve.vnpt.to_string())
            .replace("__HASH__", &b64.encode(hash));
    }
}

/// Waits for pinentry's window titled like `regex` on `x`, focuses it, sends `keys`
/// (xdotool arguments), and waits for it to close.
pub fn answer_pinentry(x: &crate::common::browser::Xvfb, regex: &str, keys: &[&[&str]]) {
    use crate::common::browser::wait_for;
    let win = wait_for(
        &format!("pinentry window {regex}"),
        Duration::from_secs(60),
        || x.find_window(regex),
    );
    assert!(
        x.xdotool(&["windowfocus", "--sync", &win]).is_some(),
        "cannot focus pinentry; windows: {}",
        x.window_names()
    );
    for k in keys {
        x.xdotool(k).unwrap();
    }
    wait_for("pinentry to close", Duration::from_secs(30), || {
        (x.find_window(regex).as_deref() != Some(win.as_str())).then_some(())
    });
}

/// A browser opens the test portal's page (`open(x, url)` starts it on display `x`); the
/// page signs through `kyso serve` (CA in `ca_dir`, trusted by `kyso register`): three
/// batches, each confirmed (alt+K: "_Ký / Sign") and its PIN typed in pinentry-gtk-2. What
/// came back is checked by pdfsig (NSS database trusting the fixture CA) and openssl.
pub fn portal_signs_in_a_browser(
    fx: &Fixture,
    ca_dir: &Path,
    open: &dyn Fn(&crate::common::browser::Xvfb, &str) -> crate::common::browser::Proc,
) {
    use crate::common::browser::{wait_for, Xvfb};
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let portal = TestPortal::start();
    let origin = portal.origin();
    let x = Xvfb::start();
    let serve = Serve::start_with(
        fx,
        "01",
        &[&origin],
        &Setup {
            ca_dir: Some(ca_dir.to_owned()),
            pinentry: Some("/usr/bin/pinentry-gtk-2".into()),
            display: Some(x.display.clone()),
            ..Setup::default()
        },
    );
    let hash = {
        use sha2::Digest;
        sha2::Sha256::digest(b"to khai dien tu").to_vec()
    };
    portal.point_page_at(&serve, &hash);
    let _browser = open(&x, &format!("{origin}/portal.html"));
    let pin: [&[&str]; 2] = [
        &["type", "--delay", "20", crate::common::PIN],
        &["key", "Return"],
    ];
    for _ in 0..3 {
        answer_pinentry(&x, "signing request$", &[&["key", "alt+s"]]);
        answer_pinentry(&x, " PIN$", &pin);
    }
    let result = wait_for("the page's results", Duration::from_secs(60), || {
        portal.results.lock().unwrap().clone()
    });
    assert!(result.get("error").is_none(), "{result:#}");
    // GetCertInfo: the token's certificate
    assert_eq!(result["cert"]["Status"], 0, "{result:#}");
    let cn = result["cert"]["CommonName"].as_str().unwrap();
    assert!(cn.contains("NGUYỄN VĂN AN"), "{cn}");
    let db = crate::common::nss::nss_db(&fx.path("nss"));
    crate::common::nss::nss_trust(&db, "kyso-test-ca", "C,C,C", &fx.path("ca.pem"));
    let valid = |bytes: &[u8], name: &str| {
        let p = fx.path(name);
        std::fs::write(&p, bytes).unwrap();
        let r = crate::common::nss::pdfsig(&db, &p);
        r.contains("Signature is Valid") && r.contains("Certificate is Trusted")
    };
    // SignPDF by URL: uploaded to the portal, valid for pdfsig
    assert_eq!(result["pdf"]["Status"], 0, "{result:#}");
    assert_eq!(
        result["pdf"]["FileServer"],
        "{\"Status\":0,\"fileEntryId\":1}"
    );
    assert!(valid(&portal.uploads.lock().unwrap()[0], "uploaded.pdf"));
    // signArrDataAdvanced: 20 signed PDFs back to the page, each valid
    assert_eq!(result["arrCode"], 0, "{result:#}");
    assert_eq!(result["arrCallback"], "onSigned");
    let returned = portal.returned.lock().unwrap().clone();
    assert_eq!(returned.len(), 20);
    for (n, data) in &returned {
        let pdf = b64.decode(data).unwrap();
        assert!(valid(&pdf, &format!("arr-{n}.pdf")), "document {n}");
    }
    // SignMsg: checked by openssl against the certificate's key
    assert_eq!(result["msg"]["Status"], 0, "{result:#}");
    let sig = b64
        .decode(result["msg"]["Signature"].as_str().unwrap())
        .unwrap();
    let (h, s) = (fx.path("hash.bin"), fx.path("hash.sig"));
    std::fs::write(&h, &hash).unwrap();
    std::fs::write(&s, &sig).unwrap();
    let ok = std::process::Command::new("openssl")
        .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
        .arg(fx.path("rsa2048.pub.pem"))
        .args(["-pkeyopt", "digest:sha256", "-in"])
        .arg(&h)
        .arg("-sigfile")
        .arg(&s)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    // one login per batch
    assert_eq!(crate::common::spy_count(&serve.spy, "C_Login"), 3);
}
