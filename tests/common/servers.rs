//! Local servers for timestamp and revocation tests, all on 127.0.0.1 and stopped on drop:
//! an RFC 3161 TSA (`openssl ts -reply` behind a tiny HTTP server), a static file server for
//! CRLs, and `openssl ocsp` as an OCSP responder.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::assert_ok;

/// How the test TSA answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsaMode {
    /// A proper token for the query.
    Good,
    /// `openssl ts -reply` refusing the query (its digest is not allowed): status rejection.
    Rejection,
    /// A valid token, signed by the TSA, over another imprint (the query altered first).
    WrongImprint,
    /// Bytes that are no timestamp reply.
    Garbage,
    /// HTTP 500.
    ServerError,
}

/// One HTTP request as the handler sees it.
pub struct Request {
    pub method: String,
    pub path: String,
    pub body: Vec<u8>,
}

type Handler = dyn Fn(&Request) -> (u16, &'static str, Vec<u8>) + Send + Sync;

/// A minimal HTTP/1.0-style server: one request per connection, `Connection: close`.
pub struct HttpServer {
    pub port: u16,
    pub requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HttpServer {
    pub fn start(handler: Box<Handler>) -> HttpServer {
        Self::start_on(0, handler)
    }

    /// On a given port (0: any free one).
    pub fn start_on(port: u16, handler: Box<Handler>) -> HttpServer {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let (s, r) = (stop.clone(), requests.clone());
        let thread = std::thread::spawn(move || {
            // Bounded: the test drops the server, or ten minutes pass.
            let deadline = Instant::now() + Duration::from_secs(600);
            while !s.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        r.fetch_add(1, Ordering::Relaxed);
                        let _ = serve(stream, handler.as_ref());
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        HttpServer {
            port,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn count(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream, handler: &Handler) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("/").to_owned();
    let mut len = 0usize;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0u8; len.min(1 << 20)];
    reader.read_exact(&mut body)?;
    let (status, content_type, reply) = handler(&Request { method, path, body });
    let mut out = stream;
    write!(
        out,
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        reply.len()
    )?;
    out.write_all(&reply)?;
    out.flush()
}

fn run(c: &mut Command) {
    assert_ok(&c.output().unwrap());
}

/// Issues a certificate from the fixture CA (`ca.pem`, `ca.key` in `dir`) for a new P-256 key:
/// `NAME.key`, `NAME.pem` in `dir`. `ext` holds the extension lines.
pub fn issue_cert(dir: &Path, name: &str, subject: &str, ext: &str, serial: &str) -> PathBuf {
    let p = |s: &str| dir.join(format!("{name}.{s}"));
    run(Command::new("openssl")
        .args([
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-utf8", "-keyout"])
        .arg(p("key"))
        .args(["-subj", subject, "-out"])
        .arg(p("csr")));
    std::fs::write(p("ext"), ext).unwrap();
    run(Command::new("openssl")
        .args([
            "x509",
            "-req",
            "-sha256",
            "-days",
            "30",
            "-set_serial",
            serial,
            "-in",
        ])
        .arg(p("csr"))
        .arg("-CA")
        .arg(dir.join("ca.pem"))
        .arg("-CAkey")
        .arg(dir.join("ca.key"))
        .arg("-extfile")
        .arg(p("ext"))
        .arg("-out")
        .arg(p("pem")));
    p("pem")
}

/// Imports `NAME.key` and `NAME.pem` (in the fixture's folder, see [`issue_cert`]) into the
/// token `kyso-test` under CKA_ID `id` and label `name`, with pkcs11-tool.
pub fn import_key(fx: &super::Fixture, name: &str, id: &str) {
    use super::{PIN, SOFTHSM};
    let run = |c: &mut Command| assert_ok(&c.output().unwrap());
    let der = |out: &str| {
        fx.path(&format!("{name}.{out}"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    run(Command::new("openssl")
        .args(["pkey", "-outform", "DER", "-in"])
        .arg(fx.path(&format!("{name}.key")))
        .args(["-out", &der("key.der")]));
    run(Command::new("openssl")
        .args(["pkey", "-pubout", "-outform", "DER", "-in"])
        .arg(fx.path(&format!("{name}.key")))
        .args(["-out", &der("pub.der")]));
    run(Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(fx.path(&format!("{name}.pem")))
        .args(["-out", &der("crt.der")]));
    for (file, kind) in [
        ("key.der", "privkey"),
        ("pub.der", "pubkey"),
        ("crt.der", "cert"),
    ] {
        run(Command::new("pkcs11-tool")
            .env("SOFTHSM2_CONF", &fx.conf)
            .args([
                "--module",
                SOFTHSM,
                "--token-label",
                "kyso-test",
                "--login",
                "--pin",
                PIN,
            ])
            .args([
                "--write-object",
                &der(file),
                "--type",
                kind,
                "--id",
                id,
                "--label",
                name,
            ]));
    }
}

/// A CRL of the fixture CA (`ca.pem`, `ca.key` in `dir`) from the `openssl ca` database
/// `index` (`openssl ca -gencrl`, 7 days), in DER.
pub fn fixture_crl(dir: &Path, index: &Path) -> Vec<u8> {
    std::fs::write(dir.join("crlnumber"), "01\n").unwrap();
    std::fs::write(
        dir.join("ca.cnf"),
        format!(
            "[ca]\ndefault_ca = c\n[c]\ndatabase = {}\ncrlnumber = {}\ndefault_md = sha256\n\
             default_crl_days = 7\n",
            index.display(),
            dir.join("crlnumber").display()
        ),
    )
    .unwrap();
    let crl = dir.join("ca.crl");
    run(Command::new("openssl")
        .args(["ca", "-gencrl", "-config"])
        .arg(dir.join("ca.cnf"))
        .arg("-cert")
        .arg(dir.join("ca.pem"))
        .arg("-keyfile")
        .arg(dir.join("ca.key"))
        .arg("-out")
        .arg(&crl));
    let out = Command::new("openssl")
        .args(["crl", "-outform", "DER", "-in"])
        .arg(&crl)
        .output()
        .unwrap();
    assert_ok(&out);
    out.stdout
}

/// A local timestamp authority: `openssl ts -reply` with a TSA certificate from the fixture CA
/// (extendedKeyUsage critical timeStamping).
pub struct Tsa {
    pub server: HttpServer,
    pub mode: Arc<Mutex<TsaMode>>,
    pub cert: PathBuf,
}

impl Tsa {
    /// Starts the TSA; `dir` holds the fixture CA (`ca.pem`, `ca.key`).
    pub fn start(dir: &Path) -> Tsa {
        Tsa::start_with(dir, "")
    }

    /// [`Tsa::start`], the TSA's certificate with the extension lines `extra` too (an AIA
    /// naming an OCSP responder, for long-term validation data).
    pub fn start_with(dir: &Path, extra: &str) -> Tsa {
        let work = dir.join("tsa");
        std::fs::create_dir_all(&work).unwrap();
        std::fs::copy(dir.join("ca.pem"), work.join("ca.pem")).unwrap();
        std::fs::copy(dir.join("ca.key"), work.join("ca.key")).unwrap();
        let cert = issue_cert(
            &work,
            "tsa",
            "/C=VN/O=Kyso Test/CN=Kyso Test TSA",
            &format!(
                "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n\
             extendedKeyUsage = critical, timeStamping\nsubjectKeyIdentifier = hash\n\
             authorityKeyIdentifier = keyid:always\n{extra}"
            ),
            "0x7001",
        );
        std::fs::write(work.join("serial"), "01\n").unwrap();
        let conf = |digests: &str| {
            format!(
                "[tsa]\ndefault_tsa = t\n[t]\ndir = {d}\nserial = {d}/serial\n\
                 crypto_device = builtin\nsigner_cert = {d}/tsa.pem\ncerts = {d}/ca.pem\n\
                 signer_key = {d}/tsa.key\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\n\
                 digests = {digests}\naccuracy = secs:1\nclock_precision_digits = 0\n\
                 ordering = no\ntsa_name = yes\ness_cert_id_chain = no\n",
                d = work.display()
            )
        };
        std::fs::write(work.join("good.cnf"), conf("sha256, sha384, sha512")).unwrap();
        std::fs::write(work.join("refuse.cnf"), conf("sha512")).unwrap();
        let mode = Arc::new(Mutex::new(TsaMode::Good));
        let m = mode.clone();
        let seq = AtomicUsize::new(0);
        let server = HttpServer::start(Box::new(move |req: &Request| {
            let mode = *m.lock().unwrap();
            let n = seq.fetch_add(1, Ordering::Relaxed);
            let reply_to = |query: &[u8], cnf: &str| -> Vec<u8> {
                let q = work.join(format!("q{n}.tsq"));
                let r = work.join(format!("r{n}.tsr"));
                std::fs::write(&q, query).unwrap();
                let out = Command::new("openssl")
                    .args(["ts", "-reply", "-config"])
                    .arg(work.join(cnf))
                    .arg("-queryfile")
                    .arg(&q)
                    .arg("-out")
                    .arg(&r)
                    .output()
                    .unwrap();
                assert_ok(&out);
                std::fs::read(&r).unwrap()
            };
            let tsr = "application/timestamp-reply";
            if req.method != "POST" {
                return (405, "text/plain", b"POST only".to_vec());
            }
            match mode {
                TsaMode::Good => (200, tsr, reply_to(&req.body, "good.cnf")),
                TsaMode::Rejection => (200, tsr, reply_to(&req.body, "refuse.cnf")),
                TsaMode::WrongImprint => {
                    let mut q = req.body.clone();
                    let at = q.windows(2).position(|w| w == [0x04, 0x20]).unwrap() + 2;
                    q[at] ^= 0xff;
                    (200, tsr, reply_to(&q, "good.cnf"))
                }
                TsaMode::Garbage => (200, tsr, b"<html>not a timestamp</html>".to_vec()),
                TsaMode::ServerError => (500, "text/plain", b"internal error".to_vec()),
            }
        }));
        Tsa { server, mode, cert }
    }

    pub fn url(&self) -> String {
        self.server.url("/tsa")
    }

    pub fn set(&self, mode: TsaMode) {
        *self.mode.lock().unwrap() = mode;
    }
}

/// A port nothing listens on now (bound, read, released): for a server started later, or for
/// an address that refuses connections.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An OCSP responder on 127.0.0.1: each POSTed request is answered by
/// `openssl ocsp -index INDEX -CA CA -rsigner CERT -rkey KEY -reqin … -respout …` (OpenSSL 3's
/// `-port` takes no address, so the HTTP side is ours and stays on the loopback).
pub struct OcspResponder {
    pub server: HttpServer,
}

impl OcspResponder {
    pub fn start(port: u16, index: &Path, ca: &Path, rsigner: &Path, rkey: &Path) -> OcspResponder {
        let (index, ca, rsigner, rkey) = (
            index.to_owned(),
            ca.to_owned(),
            rsigner.to_owned(),
            rkey.to_owned(),
        );
        let dir = index.parent().unwrap().join("ocsp");
        std::fs::create_dir_all(&dir).unwrap();
        let seq = AtomicUsize::new(0);
        let server = HttpServer::start_on(
            port,
            Box::new(move |req: &Request| {
                let n = seq.fetch_add(1, Ordering::Relaxed);
                let (q, r) = (dir.join(format!("{n}.req")), dir.join(format!("{n}.resp")));
                std::fs::write(&q, &req.body).unwrap();
                let out = Command::new("openssl")
                    .args(["ocsp", "-index"])
                    .arg(&index)
                    .arg("-CA")
                    .arg(&ca)
                    .arg("-rsigner")
                    .arg(&rsigner)
                    .arg("-rkey")
                    .arg(&rkey)
                    .args(["-nmin", "5", "-reqin"])
                    .arg(&q)
                    .arg("-respout")
                    .arg(&r)
                    .output()
                    .unwrap();
                assert_ok(&out);
                (200, "application/ocsp-response", std::fs::read(&r).unwrap())
            }),
        );
        OcspResponder { server }
    }

    pub fn url(&self) -> String {
        self.server.url("/")
    }
}

/// `openssl ts -verify` of a token over `data` (the signature value), trusting the fixture CA.
pub fn openssl_ts_verify(
    fx: &super::Fixture,
    tsa: &Tsa,
    data: &[u8],
    token: &[u8],
) -> (bool, String) {
    let (d, t) = (fx.path("stamped.bin"), fx.path("token.der"));
    std::fs::write(&d, data).unwrap();
    std::fs::write(&t, token).unwrap();
    let out = Command::new("openssl")
        .args(["ts", "-verify", "-token_in", "-in"])
        .arg(&t)
        .arg("-data")
        .arg(&d)
        .arg("-CAfile")
        .arg(fx.path("ca.pem"))
        .arg("-untrusted")
        .arg(&tsa.cert)
        .output()
        .unwrap();
    let text = format!("{}{}", super::stdout(&out), super::stderr(&out));
    (
        out.status.success() && text.contains("Verification: OK"),
        text,
    )
}
