//! `kyso serve` for tests: the service on free ports over a fixture's SoftHSM (through
//! pkcs11-spy, to count calls), answered by the scripted pinentry
//! (`tests/fixtures/serve/scripted-pinentry.py`), and a WebSocket client over rustls that
//! trusts the service's local CA and sends the headers a browser would. Included with
//! `#[path = "common/serve.rs"]` by the tests that use it: the PKCS#11 module's tests share
//! `common` and have no tungstenite.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Arc;

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
                "[[module]]\npath = \"{SPY}\"\nname = \"softhsm-spied\"\n\n[serve]\npinentry = \"{}\"\n",
                setup.pinentry.as_deref().unwrap_or(&script).display()
            ),
        )
        .unwrap();
        let spy = fx.path("serve-spy.log");
        let ca_dir = setup.ca_dir.clone().unwrap_or(fx.path("serve-ca"));
        let mut cmd = fx.kyso();
        cmd.env("PKCS11SPY", SOFTHSM)
            .env("PKCS11SPY_OUTPUT", &spy)
            .args([
                "--config",
                toml.to_str().unwrap(),
                "serve",
                "--vgca-port",
                "0",
                "--vnpt-port",
                "0",
            ])
            .args(["--token", "kyso-test", "--key-id", key_id, "--ca-dir"])
            .arg(&ca_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for o in origins {
            cmd.args(["--allow-origin", o]);
        }
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
