//! A small WebSocket-over-TLS server on the loopback interface, for the local services web
//! pages call (`kyso serve`, later `kyso app`): a thread per connection, rustls for TLS with the
//! per-user local CA ([`localca`]), tungstenite for the WebSocket protocol; connections from
//! other users, wrong `Host` headers, unknown `Origin`s, oversized and garbage frames are
//! answered by the service's own refusal and never reach it.

pub mod localca;
pub mod peer;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tungstenite::handshake::server::{ErrorResponse, Request as HsRequest, Response};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::Message;

use kyso::{t, Error, Result};

/// What the browser said about a connection (from its HTTP headers, not from the page).
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The path asked (`/SignPDF`, `/plugin`).
    pub path: String,
    /// The `Origin` header: the page's origin as the browser knows it.
    pub origin: Option<String>,
    /// The `Host` header.
    pub host: Option<String>,
}

/// A service behind the server: turns one text frame into its reply.
pub trait Handler: Send + Sync + 'static {
    /// The reply to `text`, sent on a connection whose checks passed.
    fn handle(&self, request: &Request, text: &str) -> String;
    /// The service's own error reply, for a frame refused before it (`why` in words);
    /// `text` is the frame when it was readable text.
    fn refuse(&self, request: &Request, text: Option<&str>, why: &str) -> String;
    /// Runs on the connection's thread once the connection has ended, however it ended (a
    /// service that must restart does it here: its answer was given and read).
    fn connection_ended(&self) {}
}

/// Who may talk to the server, and how much.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Allowed `Origin`s (`https://host[:port]`), compared exactly, lower-case.
    pub origins: Vec<String>,
    /// The largest frame (and message) taken.
    pub max_frame: usize,
    /// How long a connection may stay silent (and a reply take to be read).
    pub idle: Duration,
    /// Connections served at once; more are closed at once.
    pub max_connections: usize,
}

/// A listening socket and the handler behind it.
pub struct Server {
    listeners: Vec<TcpListener>,
    port: u16,
}

impl Server {
    /// Binds `port` (0: any free one) on 127.0.0.1 and, when available, ::1 (`localhost`
    /// resolves to either). Fails when 127.0.0.1's port is taken.
    pub fn bind(port: u16) -> Result<Server> {
        let v4 = TcpListener::bind(("127.0.0.1", port))
            .map_err(|e| Error::io(t!("io-listening", address = format!("127.0.0.1:{port}")), e))?;
        let port = v4
            .local_addr()
            .map_err(|e| Error::io(t!("io-listening", address = "127.0.0.1"), e))?
            .port();
        let mut listeners = vec![v4];
        match TcpListener::bind(("::1", port)) {
            Ok(v6) => listeners.push(v6),
            Err(e) => log::info!("not listening on [::1]:{port}: {e}"), // i18n: a log line
        }
        Ok(Server { listeners, port })
    }

    /// The first of `ports` free.
    pub fn bind_first(ports: &[u16]) -> Result<Server> {
        let mut last = None;
        for &p in ports {
            match Server::bind(p) {
                Ok(s) => return Ok(s),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::InvalidInput(t!("serve-no-port"))))
    }

    /// The port listened on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves connections on threads of their own, forever (one thread per address family).
    pub fn serve(
        self,
        tls: Arc<rustls::ServerConfig>,
        policy: Arc<Policy>,
        handler: Arc<dyn Handler>,
    ) -> Vec<std::thread::JoinHandle<()>> {
        let active = Arc::new(AtomicUsize::new(0));
        let port = self.port;
        self.listeners
            .into_iter()
            .map(|l| {
                let (tls, policy, handler, active) =
                    (tls.clone(), policy.clone(), handler.clone(), active.clone());
                std::thread::spawn(move || {
                    for stream in l.incoming().flatten() {
                        if active.load(Ordering::SeqCst) >= policy.max_connections {
                            // i18n: a log line
                            log::warn!("too many connections at once: one closed");
                            continue;
                        }
                        active.fetch_add(1, Ordering::SeqCst);
                        let (tls, policy, handler, active) =
                            (tls.clone(), policy.clone(), handler.clone(), active.clone());
                        std::thread::spawn(move || {
                            if let Err(e) = connection(stream, port, tls, &policy, &*handler) {
                                log::info!("connection ended: {e}"); // i18n: a log line
                            }
                            active.fetch_sub(1, Ordering::SeqCst);
                            handler.connection_ended();
                        });
                    }
                })
            })
            .collect()
    }
}

/// The TLS configuration serving the local CA's server certificate.
pub fn tls_config(ca: &localca::LocalCa) -> Result<Arc<rustls::ServerConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cert = rustls::pki_types::CertificateDer::from(ca.server_der.clone());
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(ca.server_key_der.clone().into());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(vec![cert], key))
        .map_err(|e| Error::InvalidInput(format!("TLS: {e}")))?;
    Ok(Arc::new(cfg))
}

/// Whether `host` (a `Host` header) names this machine's loopback on `port`: anything else
/// is a page that reached us through a name it controls (DNS rebinding).
pub fn host_allowed(host: &str, port: u16) -> bool {
    let host = host.to_ascii_lowercase();
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|h| host == format!("{h}:{port}") || (port == 443 && host == *h))
}

/// Why a request may not be served, if it may not.
fn refusal(req: &Request, port: u16, policy: &Policy) -> Option<String> {
    match &req.host {
        Some(h) if host_allowed(h, port) => {}
        Some(h) => return Some(t!("serve-refused-host", host = kyso::cert::printable(h))),
        None => return Some(t!("serve-refused-no-host")),
    }
    match &req.origin {
        Some(o) if policy.origins.iter().any(|a| a.eq_ignore_ascii_case(o)) => None,
        Some(o) => {
            let o = kyso::cert::printable(o);
            Some(t!("serve-refused-origin", origin = o))
        }
        None => Some(t!("serve-refused-no-origin")),
    }
}

// the handshake callback returns tungstenite's own error type (an HTTP response)
#[allow(clippy::result_large_err)]
fn connection(
    tcp: TcpStream,
    port: u16,
    tls: Arc<rustls::ServerConfig>,
    policy: &Policy,
    handler: &dyn Handler,
) -> Result<()> {
    let peer: SocketAddr = tcp.peer_addr().map_err(|e| Error::io("peer", e))?;
    let local: SocketAddr = tcp.local_addr().map_err(|e| Error::io("local", e))?;
    if !peer::same_user(peer, local) {
        log::warn!(
            "{}",
            t!("serve-refused-other-user", peer = peer.to_string())
        );
        return Ok(());
    }
    tcp.set_read_timeout(Some(policy.idle))
        .and_then(|_| tcp.set_write_timeout(Some(policy.idle)))
        .map_err(|e| Error::io("socket", e))?;
    let conn =
        rustls::ServerConnection::new(tls).map_err(|e| Error::InvalidInput(format!("TLS: {e}")))?;
    let stream = WholeWrites(rustls::StreamOwned::new(conn, tcp));
    let mut seen = Request::default();
    let callback =
        |r: &HsRequest, resp: Response| -> std::result::Result<Response, ErrorResponse> {
            let header = |n: &str| {
                r.headers()
                    .get(n)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            seen = Request {
                path: r.uri().path().to_owned(),
                origin: header("origin"),
                host: header("host"),
            };
            Ok(resp)
        };
    // reads of 64 KiB: rustls hands over a TLS record or a few (16 KiB each) per read, and
    // tungstenite zero-fills the whole read size before every read (1 MiB there cost 1.7 GB of
    // memset for a batch of 20 PDFs of 1 MB)
    let config = WebSocketConfig::default()
        .read_buffer_size(64 << 10)
        .max_frame_size(Some(policy.max_frame))
        .max_message_size(Some(policy.max_frame));
    let mut ws = tungstenite::accept_hdr_with_config(stream, callback, Some(config))
        .map_err(|e| Error::InvalidInput(format!("WebSocket: {e}")))?;
    let refused = refusal(&seen, port, policy);
    if let Some(why) = &refused {
        log::warn!("{why}");
    }
    loop {
        let reply = match ws.read() {
            Ok(Message::Text(t)) => match &refused {
                Some(why) => handler.refuse(&seen, Some(t.as_str()), why),
                None => handler.handle(&seen, t.as_str()),
            },
            Ok(Message::Binary(_)) => handler.refuse(&seen, None, &t!("serve-refused-binary")),
            Ok(Message::Close(_)) => break,
            Ok(_) => continue,
            Err(tungstenite::Error::Capacity(e)) => {
                let why = t!(
                    "serve-refused-too-large",
                    error = e.to_string(),
                    limit = policy.max_frame
                );
                let _ = ws.send(Message::text(handler.refuse(&seen, None, &why)));
                // the rest of the message read and dropped (for a second at most between
                // reads), so the client finishes sending and reads the refusal
                let tcp = &ws.get_ref().0.sock;
                let _ = tcp.set_read_timeout(Some(Duration::from_secs(1)));
                let limit = 2 * policy.max_frame as u64;
                let _ = std::io::copy(
                    &mut std::io::Read::take(ws.get_mut(), limit),
                    &mut std::io::sink(),
                );
                break;
            }
            Err(tungstenite::Error::Utf8(_)) => {
                handler.refuse(&seen, None, &t!("serve-refused-not-utf8"))
            }
            Err(e) => return Err(Error::InvalidInput(format!("WebSocket: {e}"))),
        };
        if ws.send(Message::text(reply)).is_err() {
            break;
        }
    }
    let _ = ws.flush();
    Ok(())
}

/// A stream whose `write` takes the whole buffer (`write_all` underneath). tungstenite sends
/// a message from one buffer and drops what each `write` took from its front, moving the rest
/// down; rustls takes 64 KiB per `write`, so a reply of 27 MB (20 signed PDFs in base64) was
/// moved 420 times: 5.7 GB of memmove, most of the service's time per document.
struct WholeWrites<S>(S);

impl<S: std::io::Read> std::io::Read for WholeWrites<S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl<S: std::io::Write> std::io::Write for WholeWrites<S> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// What answers on a loopback port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// Nothing listens.
    Closed,
    /// A TLS server whose certificate the local CA issued: kyso's.
    Ours,
    /// Something else.
    Other,
}

/// Who listens on 127.0.0.1:`port`: connects, and completes a TLS handshake trusting only the
/// local CA in `ca_pem` (`kyso doctor`).
pub fn probe(port: u16, ca_pem: &std::path::Path) -> Probe {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut tcp) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return Probe::Closed;
    };
    let ours = (|| -> Option<()> {
        let pem = std::fs::read(ca_pem).ok()?;
        let mut roots = rustls::RootCertStore::empty();
        for item in rustls::pki_types::pem::PemObject::pem_slice_iter(&pem) {
            let cert: rustls::pki_types::CertificateDer = item.ok()?;
            roots.add(cert).ok()?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let cfg = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .ok()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = rustls::pki_types::ServerName::try_from("localhost").ok()?;
        let mut conn = rustls::ClientConnection::new(Arc::new(cfg), name).ok()?;
        tcp.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        tcp.set_write_timeout(Some(Duration::from_secs(2))).ok()?;
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp).ok()?;
        }
        Some(())
    })();
    if ours.is_some() {
        Probe::Ours
    } else {
        Probe::Other
    }
}
