//! `kyso serve`: a portal's request to the VNPT endpoint (`signArrDataAdvanced`, 20 PDFs of
//! 1 MB each, base64, one confirmation and one PIN) until the 20 signed PDFs are back, over
//! TLS on loopback — against the token's own time (20 × RSA-2048 signatures through kyso's
//! PKCS#11 client, measured in alternation). The difference per document is what the service
//! adds: base64 and JSON, TLS, the WebSocket, the PDF work, the login, and the two pinentry
//! runs (here the scripted pinentry of the tests, also timed on its own).
//!
//! ```text
//! cargo bench --bench serve
//! KYSO_BENCH_ROUNDS=9 cargo bench --bench serve
//! ```

#[path = "util/mod.rs"]
mod util;

#[path = "../tests/common/sparse_pdf.rs"]
mod sparse_pdf;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use base64::Engine;
use util::*;

const DOCS: usize = 20;
const ORIGIN: &str = "https://portal.example.vn";

/// A stream whose `write` takes the whole buffer: tungstenite drops what each `write` took
/// from the front of its buffer, and rustls takes 64 KiB per `write`, so sending the 27 MB
/// request through rustls directly moved the rest of it down 420 times (5.7 GB of memmove in
/// this client, not in kyso; a browser's WebSocket does not). The service does the same.
struct WholeWrites<S>(S);

impl<S: std::io::Read> std::io::Read for WholeWrites<S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl<S: Write> Write for WholeWrites<S> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// One request on its own connection, as portals make it; the reply's text.
fn call(ca: &Path, port: u16, text: &str) -> String {
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
    let mut req = format!("wss://localhost:{port}/plugin")
        .into_client_request()
        .unwrap();
    req.headers_mut().insert("Origin", ORIGIN.parse().unwrap());
    // a browser takes replies of any size: 20 signed PDFs of 1 MB are 27 MB of base64
    let config = tungstenite::protocol::WebSocketConfig::default()
        .max_message_size(None)
        .max_frame_size(None);
    let (mut ws, _) = tungstenite::client::client_with_config(
        req,
        WholeWrites(rustls::StreamOwned::new(conn, tcp)),
        Some(config),
    )
    .unwrap();
    ws.send(tungstenite::Message::text(text)).unwrap();
    loop {
        if let tungstenite::Message::Text(t) = ws.read().unwrap() {
            return t.to_string();
        }
    }
}

/// CPU seconds the process `pid` used so far (its own, not its children's: the pinentry runs
/// are left out).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    // utime and stime, fields 14 and 15 of proc(5), in clock ticks (100 per second on Linux)
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    ticks as f64 / 100.0
}

/// Seconds for `n` RSA-2048 signatures of key 01 through kyso's PKCS#11 client, logged in.
fn token_time(fx: &Fixture, n: usize) -> f64 {
    use kyso::Token;
    std::env::set_var("SOFTHSM2_CONF", fx.dir.join("softhsm2.conf"));
    let backend = kyso::pkcs11::Backend::load(&[kyso::config::ModuleConfig::from_path(SOFTHSM)]);
    let (tokens, _) = backend.tokens();
    let token = tokens
        .into_iter()
        .find(|t| t.label() == "kyso-test")
        .unwrap();
    token.login(&secrecy::SecretString::from(PIN)).unwrap();
    let signer = token
        .signers()
        .unwrap()
        .into_iter()
        .find(|s| s.key().id == [1])
        .unwrap();
    let alg = kyso::SignatureAlgorithm::RsaPkcs1(kyso::HashAlg::Sha256);
    let start = Instant::now();
    for i in 0..n {
        signer.sign_digest(alg, &[i as u8; 32]).unwrap();
    }
    let t = start.elapsed().as_secs_f64();
    token.logout().unwrap();
    t
}

/// Seconds for the two pinentry runs of a request (confirmation, then PIN).
fn pinentry_time(script: &Path) -> f64 {
    let start = Instant::now();
    for cmd in ["SETDESC x\nCONFIRM\nBYE\n", "SETDESC x\nGETPIN\nBYE\n"] {
        let mut c = Command::new(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        c.stdin.take().unwrap().write_all(cmd.as_bytes()).unwrap();
        assert!(c.wait().unwrap().success());
    }
    start.elapsed().as_secs_f64()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rounds = env_usize("KYSO_BENCH_ROUNDS", 5);
    println!("machine: {}; {rounds} rounds\n", machine());
    let fx = Fixture::new();
    let answers = fx.dir.join("pinentry");
    std::fs::create_dir_all(&answers).unwrap();
    let script = answers.join("pinentry.py");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/serve/scripted-pinentry.py"),
        &script,
    )
    .unwrap();
    std::fs::write(answers.join("pin"), PIN).unwrap();
    let toml = fx.dir.join("serve.toml");
    std::fs::write(
        &toml,
        format!(
            "[[module]]\npath = \"{SOFTHSM}\"\n\n[serve]\npinentry = \"{}\"\n",
            script.display()
        ),
    )
    .unwrap();
    let ca_dir = fx.dir.join("ca");
    let mut serve = fx
        .kyso()
        .args(["--config", toml.to_str().unwrap(), "serve"])
        .args([
            "--vgca-port",
            "0",
            "--vnpt-port",
            "0",
            "--token",
            "kyso-test",
        ])
        .args(["--key-id", "01", "--allow-origin", ORIGIN, "--ca-dir"])
        .arg(&ca_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut port = 0;
    let mut lines = BufReader::new(serve.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("VNPT  wss://localhost:") {
            port = rest.split('/').next().unwrap().parse().unwrap();
        }
        if line.starts_with("pinentry") {
            break;
        }
    }
    // the service's later lines read, so that it never writes to a closed pipe
    std::thread::spawn(move || for _ in lines {});
    let ca = ca_dir.join("ca.pem");
    let pdf_path = fx.dir.join("one-mb.pdf");
    sparse_pdf::write_sparse_pdf(&pdf_path, 1_000_000);
    let data = base64::engine::general_purpose::STANDARD.encode(std::fs::read(&pdf_path).unwrap());
    let request_of = |n: usize| {
        let items: Vec<_> = (0..n)
            .map(|_| serde_json::json!({"data": data, "type": "pdf"}))
            .collect();
        serde_json::json!({
            "functionID": 10, "funcCallback": "cb",
            "args": [serde_json::Value::Array(items).to_string(), "", "0", "0"],
        })
        .to_string()
    };
    let (request, one) = (request_of(DOCS), request_of(1));

    let (mut whole, mut token, mut person, mut over, mut over_all, mut cpu) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut marginal = vec![];
    for _ in 0..rounds {
        // the same request with one document: the fixed part (TLS, pinentry, login, listing)
        let cpu_before = cpu_seconds(serve.id());
        let reply = call(&ca, port, &one);
        assert!(
            reply.starts_with("{\"code\":0"),
            "{}",
            &reply[..200.min(reply.len())]
        );
        let cpu_one = cpu_seconds(serve.id()) - cpu_before;
        let cpu_before = cpu_seconds(serve.id());
        let start = Instant::now();
        let reply = call(&ca, port, &request);
        let t = start.elapsed().as_secs_f64();
        let cpu_used = cpu_seconds(serve.id()) - cpu_before;
        assert!(
            reply.starts_with("{\"code\":0"),
            "{}",
            &reply[..200.min(reply.len())]
        );
        let tok = token_time(&fx, DOCS);
        let pin = pinentry_time(&script);
        whole.push(t * 1e3);
        token.push(tok * 1e3);
        person.push(pin * 1e3);
        over.push((t - tok - pin) * 1e3 / DOCS as f64);
        over_all.push((t - tok) * 1e3 / DOCS as f64);
        cpu.push((cpu_used - tok).max(0.0) * 1e3 / DOCS as f64);
        marginal.push((cpu_used - cpu_one).max(0.0) * 1e3 / (DOCS - 1) as f64);
    }
    let _ = serve.kill();
    let _ = serve.wait();
    println!(
        "| {DOCS} PDFs of 1 MB, one request | ms (median, min–max) |\n|---|---|\n\
         | portal request → {DOCS} signed PDFs returned | {} |\n\
         | the token's own time ({DOCS} RSA-2048 signatures) | {} |\n\
         | the two scripted pinentry runs (the person's part) | {} |\n\
         | **kyso serve's overhead per document** (target ≤ 20) | **{}** |\n\
         | the same, pinentry runs included | {} |\n\
         | kyso serve's CPU time per document, token time left out | {} |\n\
         | the same, each document beyond the first (20 against 1; login and dialogs left out) | {} |",
        fmt(&whole, 0),
        fmt(&token, 0),
        fmt(&person, 0),
        fmt(&over, 1),
        fmt(&over_all, 1),
        fmt(&cpu, 1),
        fmt(&marginal, 1),
    );
    println!("\nload average after: {}", machine());
}
