//! A Cloud Signature Consortium API test server: HTTPS on 127.0.0.1 with a test CA, OAuth2
//! (client credentials, authorization code with PKCE, refresh, CSC auth/login), and the CSC
//! methods under `/csc/v1/` (v1 field names) and `/csc/v2/` (v2), keys and certificates from a
//! test CA, error replies as the spec writes them. Every call is counted; errors, delays and
//! garbage can be injected.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType,
    PKCS_ECDSA_P256_SHA256,
};
use serde_json::{json, Value};
use sha2::Digest;

pub const CLIENT_ID: &str = "kyso-test";
pub const CLIENT_SECRET: &str = "s3cret-client";
pub const REMOTE_PIN: &str = "246810";
pub const OTP: &str = "135790";

/// A private key held by the server.
pub enum Key {
    Rsa(Box<rsa::RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
}

/// One credential.
pub struct Cred {
    pub id: String,
    pub key: Key,
    /// End-entity certificate, then the CA.
    pub chain: Vec<Vec<u8>>,
    pub multisign: u32,
    pub otp: bool,
    /// The OTP is sent by the service after `credentials/sendOTP` (else the person's app
    /// makes it).
    pub otp_online: bool,
    pub disabled: bool,
    /// SCAL 2: the authorization names the hashes it is good for.
    pub scal2: bool,
    /// Implicit authorization: no PIN; the service waits for the person to approve (on the
    /// phone) for this long before it answers `credentials/authorize`.
    pub implicit: Option<Duration>,
}

struct Sad {
    cred: String,
    /// SCAL 2: the only hashes (base64) this SAD may sign.
    hashes: Option<Vec<String>>,
    remaining: u32,
    expires: Instant,
}

/// What the server holds; tests read and change it through [`CscServer::state`].
pub struct State {
    pub creds: Vec<Cred>,
    /// Calls per method (path after `/csc/vN/`).
    pub calls: HashMap<String, usize>,
    /// Requests' bodies per method, last first (to check what the client sent).
    pub bodies: HashMap<String, Value>,
    pub pin_attempts_left: u32,
    pub token_lifetime: u64,
    pub sad_lifetime: Duration,
    /// One-shot injected replies: method → (status, body text).
    pub inject: HashMap<String, (u16, String)>,
    /// Delay before answering every request.
    pub delay: Option<Duration>,
    /// A SAD expires right after its first signHash (an authorization that runs out mid-batch).
    pub sad_expires_after_first_use: bool,
    /// From this `credentials/authorize` call on (1 is the first), the OTP is refused (a
    /// person mistyping the OTP of a later authorisation).
    pub refuse_otp_from: Option<usize>,
    tokens: HashMap<String, Instant>,
    refresh: Vec<String>,
    codes: HashMap<String, String>,
    sads: HashMap<String, Sad>,
    counter: u64,
}

impl State {
    pub fn count(&self, method: &str) -> usize {
        self.calls.get(method).copied().unwrap_or(0)
    }

    /// Makes every access token handed out so far invalid (as if expired).
    pub fn expire_tokens(&mut self) {
        self.tokens.clear();
    }

    /// Makes every SAD handed out so far expired.
    pub fn expire_sads(&mut self) {
        for s in self.sads.values_mut() {
            s.expires = Instant::now();
        }
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}-{}-{}", self.counter, std::process::id())
    }
}

/// The running server.
pub struct CscServer {
    pub port: u16,
    pub dir: PathBuf,
    /// PEM of the CA that issued the server's TLS certificate (and the signing certificates).
    pub ca_pem: PathBuf,
    pub ca_der: Vec<u8>,
    pub state: Arc<Mutex<State>>,
}

fn b64(d: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(d)
}

fn unb64(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};
    STANDARD.decode(s).or_else(|_| URL_SAFE.decode(s)).ok()
}

fn signing_params(cn: &str, cccd: &str) -> CertificateParams {
    let mut p = CertificateParams::default();
    let uid = DnType::CustomDnType(vec![0, 9, 2342, 19200300, 100, 1, 1]);
    p.distinguished_name.push(DnType::CountryName, "VN");
    p.distinguished_name.push(DnType::LocalityName, "Hà Nội");
    p.distinguished_name.push(uid, format!("CCCD:{cccd}"));
    p.distinguished_name.push(DnType::CommonName, cn);
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    p
}

impl CscServer {
    /// Starts a server with two credentials: `cred-ec` (P-256, OTP, multisign 10, issued by
    /// the root) and `cred-rsa` (RSA-2048, PIN only, multisign 1, issued by an intermediate).
    pub fn start(dir: &Path) -> CscServer {
        std::fs::create_dir_all(dir).unwrap();
        let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let mut ca_params = CertificateParams::default();
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "Kyso Test Remote CA");
        ca_params.distinguished_name.push(DnType::CountryName, "VN");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let ca_der = ca_cert.der().to_vec();
        let issuer = Issuer::new(ca_params, &ca_key);

        // TLS certificate for 127.0.0.1 and localhost.
        let tls_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let mut tls_params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        tls_params
            .subject_alt_names
            .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
        let tls_cert = tls_params.signed_by(&tls_key, &issuer).unwrap();

        // Signing keys.
        let ec_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let ec_cert = signing_params("NGUYỄN VĂN AN", "001099012345")
            .signed_by(&ec_key, &issuer)
            .unwrap();
        let ec_signing = {
            use p256::pkcs8::DecodePrivateKey;
            p256::ecdsa::SigningKey::from_pkcs8_der(ec_key.serialized_der()).unwrap()
        };
        let rsa_priv = {
            use rsa::pkcs8::EncodePrivateKey;
            let k = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
            let der = k.to_pkcs8_der().unwrap();
            (k, der.as_bytes().to_vec())
        };
        // issued by an intermediate CA under the root, as Vietnamese CAs issue theirs: the
        // service returns leaf, intermediate, root
        let sub_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let mut sub_params = CertificateParams::default();
        sub_params
            .distinguished_name
            .push(DnType::CommonName, "Kyso Test Remote Signing CA");
        sub_params
            .distinguished_name
            .push(DnType::CountryName, "VN");
        sub_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        sub_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let sub_der = sub_params
            .clone()
            .signed_by(&sub_key, &issuer)
            .unwrap()
            .der()
            .to_vec();
        let sub_issuer = Issuer::new(sub_params, &sub_key);
        let rsa_kp = KeyPair::try_from(rsa_priv.1.as_slice()).unwrap();
        let rsa_cert = signing_params("TRẦN THỊ BÌNH", "079088001234")
            .signed_by(&rsa_kp, &sub_issuer)
            .unwrap();

        let ca_pem = dir.join("csc-ca.pem");
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            b64(&ca_der)
                .as_bytes()
                .chunks(64)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect::<Vec<_>>()
                .join("\n")
        );
        std::fs::write(&ca_pem, pem).unwrap();

        let state = Arc::new(Mutex::new(State {
            creds: vec![
                Cred {
                    id: "cred-ec".into(),
                    key: Key::P256(ec_signing),
                    chain: vec![ec_cert.der().to_vec(), ca_der.clone()],
                    multisign: 10,
                    otp: true,
                    otp_online: false,
                    disabled: false,
                    scal2: false,
                    implicit: None,
                },
                Cred {
                    id: "cred-rsa".into(),
                    key: Key::Rsa(Box::new(rsa_priv.0)),
                    chain: vec![rsa_cert.der().to_vec(), sub_der, ca_der.clone()],
                    multisign: 1,
                    otp: false,
                    otp_online: false,
                    disabled: false,
                    scal2: false,
                    implicit: None,
                },
            ],
            calls: HashMap::new(),
            bodies: HashMap::new(),
            pin_attempts_left: 3,
            token_lifetime: 3600,
            sad_lifetime: Duration::from_secs(300),
            inject: HashMap::new(),
            delay: None,
            sad_expires_after_first_use: false,
            refuse_otp_from: None,
            tokens: HashMap::new(),
            refresh: Vec::new(),
            codes: HashMap::new(),
            sads: HashMap::new(),
            counter: 0,
        }));

        let tls = Arc::new(
            rustls::ServerConfig::builder()
                .with_no_client_auth()
                .with_single_cert(
                    vec![tls_cert.der().clone()],
                    rustls::pki_types::PrivateKeyDer::Pkcs8(
                        tls_key.serialized_der().to_vec().into(),
                    ),
                )
                .unwrap(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let st = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let st = st.clone();
                let tls = tls.clone();
                std::thread::spawn(move || serve(stream, tls, st));
            }
        });
        CscServer {
            port,
            dir: dir.to_owned(),
            ca_pem,
            ca_der,
            state,
        }
    }

    pub fn base(&self, version: &str) -> String {
        format!("https://127.0.0.1:{}/csc/{version}", self.port)
    }

    pub fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// A kyso.toml with one `[[remote]]` named `name` (extra TOML lines appended to it), an
    /// OTP helper reading `otp.txt`, and the client secret in `$KYSO_TEST_SECRET`.
    pub fn kyso_toml(&self, name: &str, version: &str, extra: &str) -> PathBuf {
        let otp = self.dir.join("otp.txt");
        if !otp.exists() {
            std::fs::write(&otp, format!("{OTP}\n")).unwrap();
        }
        let p = self.dir.join("kyso.toml");
        std::fs::write(
            &p,
            format!(
                "[[remote]]\nname = \"{name}\"\nbase_url = \"{}\"\ncsc_version = \"{version}\"\n\
                 client_id = \"{CLIENT_ID}\"\nclient_secret_env = \"KYSO_TEST_SECRET\"\n\
                 ca_file = \"{}\"\notp_command = [\"cat\", \"{}\"]\ntimeout_secs = 5\n{extra}\n",
                self.base(version),
                self.ca_pem.display(),
                otp.display()
            ),
        )
        .unwrap();
        p
    }
}

fn serve(stream: TcpStream, tls: Arc<rustls::ServerConfig>, st: Arc<Mutex<State>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(conn) = rustls::ServerConnection::new(tls) else {
        return;
    };
    let mut tls = rustls::StreamOwned::new(conn, stream);
    let mut reader = BufReader::new(&mut tls);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() || line.is_empty() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let target = parts.next().unwrap_or("").to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() {
            return;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    drop(reader);
    let delay = st.lock().unwrap().delay;
    if let Some(d) = delay {
        std::thread::sleep(d);
    }
    let (status, extra_headers, reply) = handle(&st, &method, &target, &headers, &body);
    let reason = match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        _ => "Error",
    };
    let _ = write!(
        tls,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra_headers}\r\n",
        reply.len()
    );
    let _ = tls.write_all(reply.as_bytes());
    let _ = tls.flush();
    tls.conn.send_close_notify();
    let _ = tls.conn.complete_io(&mut tls.sock);
}

fn err(status: u16, code: &str, desc: &str) -> (u16, String, String) {
    (
        status,
        String::new(),
        json!({ "error": code, "error_description": desc }).to_string(),
    )
}

fn ok(v: Value) -> (u16, String, String) {
    (200, String::new(), v.to_string())
}

fn form(body: &[u8]) -> HashMap<String, String> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap_or(b'?'));
            i += 3;
        } else {
            out.push(if b[i] == b'+' { b' ' } else { b[i] });
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn new_token(s: &mut State, refresh: bool) -> Value {
    let t = s.fresh("at");
    s.tokens.insert(t.clone(), Instant::now());
    let mut v =
        json!({ "access_token": t, "token_type": "Bearer", "expires_in": s.token_lifetime });
    if refresh {
        let r = s.fresh("rt");
        s.refresh.push(r.clone());
        v["refresh_token"] = json!(r);
    }
    v
}

fn handle(
    st: &Arc<Mutex<State>>,
    verb: &str,
    target: &str,
    headers: &HashMap<String, String>,
    body: &[u8],
) -> (u16, String, String) {
    let mut s = st.lock().unwrap();
    let Some(rest) = target.strip_prefix("/csc/") else {
        return err(404, "not_found", "no such path");
    };
    let (version, path) = rest.split_once('/').unwrap_or((rest, ""));
    let v2 = version == "v2";
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    *s.calls.entry(path.to_owned()).or_default() += 1;
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        s.bodies.insert(path.to_owned(), v);
    }
    if let Some((status, text)) = s.inject.remove(path) {
        return (status, String::new(), text);
    }
    match (verb, path) {
        ("GET", "oauth2/authorize") => {
            let q = form(query.as_bytes());
            if q.get("client_id").map(String::as_str) != Some(CLIENT_ID)
                || q.get("code_challenge_method").map(String::as_str) != Some("S256")
            {
                return err(400, "invalid_request", "bad client_id or no PKCE");
            }
            let code = s.fresh("code");
            s.codes.insert(
                code.clone(),
                q.get("code_challenge").cloned().unwrap_or_default(),
            );
            let loc = format!(
                "{}?code={code}&state={}",
                q.get("redirect_uri").cloned().unwrap_or_default(),
                q.get("state").cloned().unwrap_or_default()
            );
            (302, format!("Location: {loc}\r\n"), String::new())
        }
        ("POST", "oauth2/token") => {
            let f = form(body);
            if f.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
                return err(400, "invalid_client", "unknown client");
            }
            match f.get("grant_type").map(String::as_str) {
                Some("client_credentials") => {
                    if f.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET) {
                        return err(400, "invalid_client", "wrong client secret");
                    }
                    ok(new_token(&mut s, false))
                }
                Some("authorization_code") => {
                    let code = f.get("code").cloned().unwrap_or_default();
                    let Some(challenge) = s.codes.remove(&code) else {
                        return err(400, "invalid_grant", "unknown or used code");
                    };
                    let verifier = f.get("code_verifier").cloned().unwrap_or_default();
                    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .encode(sha2::Sha256::digest(verifier.as_bytes()));
                    if computed != challenge {
                        return err(400, "invalid_grant", "PKCE verification failed");
                    }
                    ok(new_token(&mut s, true))
                }
                Some("refresh_token") => {
                    let r = f.get("refresh_token").cloned().unwrap_or_default();
                    if !s.refresh.contains(&r) {
                        return err(400, "invalid_grant", "refresh token revoked");
                    }
                    ok(new_token(&mut s, false))
                }
                _ => err(400, "unsupported_grant_type", "grant type"),
            }
        }
        ("POST", "auth/login") => {
            let expected = format!(
                "Basic {}",
                b64(format!("nguyenvanan:{REMOTE_PIN}").as_bytes())
            );
            if headers.get("authorization") != Some(&expected) {
                return err(401, "invalid_request", "wrong user name or password");
            }
            ok(new_token(&mut s, true))
        }
        ("POST", "info") => ok(json!({
            "specs": if v2 { "2.0.0.2" } else { "1.0.4.0" },
            "name": "Kyso Test CSC",
            "region": "VN",
            "lang": "vi-VN",
            "authType": ["oauth2client", "oauth2code", "basic"],
            "methods": ["credentials/list", "credentials/info", "credentials/authorize",
                        "credentials/sendOTP", "signatures/signHash"],
        })),
        ("POST", _) => {
            let auth = headers.get("authorization").cloned().unwrap_or_default();
            let token = auth.strip_prefix("Bearer ").unwrap_or("");
            let lifetime = Duration::from_secs(s.token_lifetime);
            match s.tokens.get(token) {
                Some(t) if t.elapsed() < lifetime => {}
                _ => {
                    return err(
                        401,
                        "invalid_token",
                        "The access token is not valid or has expired",
                    )
                }
            }
            let Ok(req) = serde_json::from_slice::<Value>(body) else {
                return err(400, "invalid_request", "body is not JSON");
            };
            csc_method(&mut s, v2, path, &req)
        }
        _ => err(404, "not_found", "no such method"),
    }
}

fn csc_method(s: &mut State, v2: bool, path: &str, req: &Value) -> (u16, String, String) {
    let cred_id = req["credentialID"].as_str().unwrap_or("").to_owned();
    if path == "credentials/list" {
        let ids: Vec<_> = s.creds.iter().map(|c| c.id.clone()).collect();
        return ok(json!({ "credentialIDs": ids }));
    }
    let Some(ci) = s.creds.iter().position(|c| c.id == cred_id) else {
        return err(400, "invalid_request", "Invalid parameter credentialID");
    };
    match path {
        "credentials/info" => {
            let c = &s.creds[ci];
            let (algo, len) = match &c.key {
                Key::Rsa(_) => (
                    vec![
                        "1.2.840.113549.1.1.11",
                        "1.2.840.113549.1.1.1",
                        "1.2.840.113549.1.1.10",
                    ],
                    2048,
                ),
                Key::P256(_) => (vec!["1.2.840.10045.4.3.2", "1.2.840.10045.2.1"], 256),
            };
            let status = if c.disabled { "disabled" } else { "enabled" };
            let certs: Vec<_> = c.chain.iter().map(|d| b64(d)).collect();
            let mut v = json!({
                "description": format!("test credential {}", c.id),
                "key": { "status": status, "algo": algo, "len": len },
                "cert": { "status": "valid", "certificates": certs },
                "multisign": c.multisign,
                "SCAL": if c.scal2 { "2" } else { "1" },
                "lang": "vi-VN",
            });
            if c.implicit.is_some() {
                v["authMode"] = json!("implicit");
                v["auth"] = json!({ "mode": "implicit" });
            } else if v2 {
                let mut objects =
                    vec![json!({"type": "Password", "id": "PIN", "format": "N", "label": "PIN"})];
                if c.otp {
                    let generator = if c.otp_online { "online" } else { "totp" };
                    objects.push(json!({"type": "Password", "id": "OTP", "format": "N", "label": "OTP", "generator": generator}));
                }
                v["auth"] =
                    json!({ "mode": "explicit", "expression": "PIN AND OTP", "objects": objects });
            } else {
                v["authMode"] = json!("explicit");
                v["PIN"] = json!({ "presence": "true", "format": "N", "label": "PIN" });
                let kind = if c.otp_online { "online" } else { "offline" };
                v["OTP"] =
                    json!({ "presence": if c.otp { "true" } else { "false" }, "type": kind });
            }
            ok(v)
        }
        "credentials/sendOTP" => ok(json!({})),
        "credentials/authorize" => {
            if s.creds[ci].disabled {
                return err(400, "invalid_request", "The credential is disabled");
            }
            let (pin, otp) = if v2 {
                let find = |id: &str| {
                    req["authData"].as_array().and_then(|a| {
                        a.iter()
                            .find(|o| o["id"] == id)
                            .and_then(|o| o["value"].as_str())
                            .map(str::to_owned)
                    })
                };
                (find("PIN"), find("OTP"))
            } else {
                (
                    req["PIN"].as_str().map(str::to_owned),
                    req["OTP"].as_str().map(str::to_owned),
                )
            };
            let implicit = s.creds[ci].implicit;
            if let Some(wait) = implicit {
                // The person approves on the phone meanwhile.
                std::thread::sleep(wait);
            } else if s.pin_attempts_left == 0 {
                return err(
                    400,
                    "invalid_request",
                    "The credential is disabled: PIN locked",
                );
            }
            if implicit.is_none() && pin.as_deref() != Some(REMOTE_PIN) {
                s.pin_attempts_left -= 1;
                let left = s.pin_attempts_left;
                return err(
                    400,
                    "invalid_pin",
                    &format!("The PIN is invalid ({left} attempts left)"),
                );
            }
            let nth = s.count("credentials/authorize");
            let refused = s.refuse_otp_from.is_some_and(|k| nth >= k);
            if implicit.is_none() && s.creds[ci].otp && (refused || otp.as_deref() != Some(OTP)) {
                return err(400, "invalid_otp", "The OTP is invalid");
            }
            let num = req["numSignatures"].as_u64().unwrap_or(0) as u32;
            if num == 0 || num > s.creds[ci].multisign {
                return err(400, "invalid_request", "Invalid parameter numSignatures");
            }
            let bound = req[if v2 { "hashes" } else { "hash" }].as_array().map(|a| {
                a.iter()
                    .filter_map(|h| h.as_str().map(str::to_owned))
                    .collect::<Vec<_>>()
            });
            if s.creds[ci].scal2 && bound.as_ref().is_none_or(|b| b.len() != num as usize) {
                return err(400, "invalid_request", "Missing parameter hash (SCAL 2)");
            }
            let sad = s.fresh("sad");
            let expires = Instant::now() + s.sad_lifetime;
            let hashes = if s.creds[ci].scal2 { bound } else { None };
            s.sads.insert(
                sad.clone(),
                Sad {
                    cred: cred_id,
                    hashes,
                    remaining: num,
                    expires,
                },
            );
            ok(json!({ "SAD": sad, "expiresIn": s.sad_lifetime.as_secs() }))
        }
        "signatures/signHash" => {
            let sad = req["SAD"].as_str().unwrap_or("").to_owned();
            let hashes = req[if v2 { "hashes" } else { "hash" }]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let expire_now = s.sad_expires_after_first_use;
            let Some(entry) = s.sads.get_mut(&sad) else {
                return err(400, "invalid_request", "Invalid parameter SAD");
            };
            if entry.cred != cred_id {
                return err(400, "invalid_request", "Invalid parameter SAD");
            }
            if Instant::now() >= entry.expires {
                return err(400, "invalid_request", "SAD expired");
            }
            if let Some(bound) = &entry.hashes {
                if hashes
                    .iter()
                    .any(|h| !bound.iter().any(|b| Some(b.as_str()) == h.as_str()))
                {
                    return err(
                        400,
                        "invalid_request",
                        "Invalid parameter hash: not authorized by the SAD",
                    );
                }
            }
            if hashes.is_empty() || hashes.len() as u32 > entry.remaining {
                return err(
                    400,
                    "invalid_request",
                    "Invalid parameter SAD: too many hashes",
                );
            }
            entry.remaining -= hashes.len() as u32;
            if expire_now {
                entry.expires = Instant::now();
            }
            let hash_oid = req[if v2 { "hashAlgorithmOID" } else { "hashAlgo" }]
                .as_str()
                .unwrap_or("")
                .to_owned();
            let sign_algo = req["signAlgo"].as_str().unwrap_or("").to_owned();
            let mut sigs = Vec::new();
            for h in hashes {
                let Some(d) = h.as_str().and_then(unb64) else {
                    return err(400, "invalid_request", "Invalid parameter hash");
                };
                match sign(&s.creds[ci].key, &sign_algo, &hash_oid, &d) {
                    Some(sig) => sigs.push(b64(&sig)),
                    None => return err(400, "invalid_request", "Invalid parameter signAlgo"),
                }
            }
            ok(json!({ "signatures": sigs }))
        }
        _ => err(400, "invalid_request", "unknown method"),
    }
}

fn sign(key: &Key, sign_algo: &str, hash_oid: &str, digest: &[u8]) -> Option<Vec<u8>> {
    use sha2::{Sha256, Sha384, Sha512};
    let hash = match (sign_algo, hash_oid) {
        ("1.2.840.113549.1.1.11", _) | ("1.2.840.10045.4.3.2", _) => "sha256",
        ("1.2.840.113549.1.1.12", _) | ("1.2.840.10045.4.3.3", _) => "sha384",
        ("1.2.840.113549.1.1.13", _) => "sha512",
        (_, "2.16.840.1.101.3.4.2.1") => "sha256",
        (_, "2.16.840.1.101.3.4.2.2") => "sha384",
        (_, "2.16.840.1.101.3.4.2.3") => "sha512",
        _ => return None,
    };
    match key {
        Key::Rsa(k) if sign_algo == "1.2.840.113549.1.1.10" => {
            let mut rng = rsa::rand_core::OsRng;
            let r = match hash {
                "sha256" => k.sign_with_rng(&mut rng, rsa::Pss::new::<Sha256>(), digest),
                "sha384" => k.sign_with_rng(&mut rng, rsa::Pss::new::<Sha384>(), digest),
                _ => k.sign_with_rng(&mut rng, rsa::Pss::new::<Sha512>(), digest),
            };
            r.ok()
        }
        Key::Rsa(k) => {
            let scheme = match hash {
                "sha256" => rsa::Pkcs1v15Sign::new::<Sha256>(),
                "sha384" => rsa::Pkcs1v15Sign::new::<Sha384>(),
                _ => rsa::Pkcs1v15Sign::new::<Sha512>(),
            };
            k.sign(scheme, digest).ok()
        }
        Key::P256(k) => {
            use p256::ecdsa::signature::hazmat::PrehashSigner;
            let sig: p256::ecdsa::Signature = k.sign_prehash(digest).ok()?;
            Some(sig.to_der().as_bytes().to_vec())
        }
    }
}
