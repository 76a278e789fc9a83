//! Support for driving real browsers: an X server (Xvfb), processes killed on every path, a
//! TLS server that requires a client certificate (`openssl s_server`), Chromium's managed
//! policy file, xdotool, and a minimal DevTools-protocol client to read the page.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::servers::free_port;

/// A child process (and its process group) killed when dropped.
pub struct Proc {
    pub child: Child,
    name: &'static str,
}

impl Proc {
    /// Starts `cmd` in a process group of its own, so that its helpers die with it.
    pub fn spawn(name: &'static str, cmd: &mut Command) -> Proc {
        let child = cmd
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Proc { child, name }
    }

    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let pgid = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &pgid])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if self.exited().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &pgid])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = self.name;
    }
}

/// Chromium's flags for a test run: no sandbox or GPU under Xvfb, nothing fetched in the
/// background, no keyring.
pub const CHROMIUM_QUIET_FLAGS: [&str; 8] = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--password-store=basic",
];

/// A Firefox profile's `user.js` lines that keep a test run quiet: no first-run pages,
/// telemetry, updates or HTTP/3.
pub const FIREFOX_QUIET_PREFS: &str = r#"user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("browser.aboutwelcome.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.enabled", false);
user_pref("network.http.http3.enable", false);
"#;

/// Polls `f` every 100 ms until it returns `Some`, or panics with `what` at the deadline.
pub fn wait_for<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// An Xvfb server on a free display number.
pub struct Xvfb {
    pub display: String,
    _proc: Proc,
}

impl Xvfb {
    pub fn start() -> Xvfb {
        let mut proc = Proc::spawn(
            "Xvfb",
            Command::new("Xvfb")
                .args([
                    "-displayfd",
                    "1",
                    "-screen",
                    "0",
                    "1280x800x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null()),
        );
        // Xvfb writes the display number to the fd once it accepts clients (or exits).
        let mut line = String::new();
        BufReader::new(proc.child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let n = line.trim();
        assert!(!n.is_empty(), "Xvfb did not start");
        Xvfb {
            display: format!(":{n}"),
            _proc: proc,
        }
    }

    /// `xdotool ARGS…` on this display: its stdout when it succeeds.
    pub fn xdotool(&self, args: &[&str]) -> Option<String> {
        let out = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.display)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The first visible window whose name matches `regex`.
    pub fn find_window(&self, regex: &str) -> Option<String> {
        self.xdotool(&["search", "--onlyvisible", "--name", regex])?
            .lines()
            .next()
            .map(str::to_owned)
    }

    /// The names of all windows (for failure messages).
    pub fn window_names(&self) -> String {
        self.xdotool(&["search", "--name", ".", "getwindowname", "%@"])
            .unwrap_or_default()
    }
}

/// `openssl s_server -Verify 1 -www` on 127.0.0.1: TLS with a required client certificate
/// issued by `ca`; its output (the verified client certificate chain) goes to `log`.
pub struct TlsServer {
    pub port: u16,
    pub log: PathBuf,
    _proc: Proc,
}

impl TlsServer {
    /// The server's certificate (127.0.0.1) is issued by the CA `ca`/`ca_key` too, so that a
    /// browser trusting that CA accepts it.
    pub fn start(dir: &Path, ca: &Path, ca_key: &Path) -> TlsServer {
        let key = dir.join("server.key");
        let csr = dir.join("server.csr");
        let cert = dir.join("server.pem");
        let ext = dir.join("server.ext");
        std::fs::write(
            &ext,
            "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n\
             extendedKeyUsage = serverAuth\nsubjectAltName = IP:127.0.0.1\n",
        )
        .unwrap();
        let openssl = |args: &[&std::ffi::OsStr]| {
            let out = Command::new("openssl").args(args).output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let os = |s: &'static str| std::ffi::OsStr::new(s);
        openssl(&[
            os("req"),
            os("-new"),
            os("-newkey"),
            os("ec"),
            os("-pkeyopt"),
            os("ec_paramgen_curve:prime256v1"),
            os("-nodes"),
            os("-subj"),
            os("/CN=127.0.0.1"),
            os("-keyout"),
            key.as_os_str(),
            os("-out"),
            csr.as_os_str(),
        ]);
        openssl(&[
            os("x509"),
            os("-req"),
            os("-in"),
            csr.as_os_str(),
            os("-CA"),
            ca.as_os_str(),
            os("-CAkey"),
            ca_key.as_os_str(),
            os("-set_serial"),
            os("0x7001"),
            os("-days"),
            os("2"),
            os("-extfile"),
            ext.as_os_str(),
            os("-out"),
            cert.as_os_str(),
        ]);
        let port = free_port();
        let log = dir.join("s_server.log");
        let file = std::fs::File::create(&log).unwrap();
        let proc = Proc::spawn(
            "openssl s_server",
            Command::new("openssl")
                .arg("s_server")
                .arg("-accept")
                .arg(format!("127.0.0.1:{port}"))
                .arg("-cert")
                .arg(&cert)
                .arg("-key")
                .arg(&key)
                .args(["-Verify", "1", "-CAfile"])
                .arg(ca)
                .arg("-www")
                .stdin(Stdio::null())
                .stdout(file.try_clone().unwrap())
                .stderr(file),
        );
        wait_for("s_server to listen", Duration::from_secs(10), || {
            std::fs::read_to_string(&log)
                .unwrap_or_default()
                .contains("ACCEPT")
                .then_some(())
        });
        TlsServer {
            port,
            log,
            _proc: proc,
        }
    }

    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// A Chromium managed policy file with a unique name, removed when dropped (the policy
/// directory is machine-global).
pub struct ChromiumPolicy {
    path: PathBuf,
}

pub const CHROMIUM_POLICY_DIR: &str = "/etc/chromium/policies/managed";

impl ChromiumPolicy {
    pub fn write(policy: &serde_json::Value) -> ChromiumPolicy {
        std::fs::create_dir_all(CHROMIUM_POLICY_DIR).unwrap();
        // A test killed at its timeout runs no Drop: remove files of test processes gone.
        for e in std::fs::read_dir(CHROMIUM_POLICY_DIR).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let pid = name
                .strip_prefix("kyso-test-")
                .and_then(|r| r.split_once('-'))
                .map(|(pid, _)| pid.to_owned());
            if let Some(pid) = pid {
                if !Path::new("/proc").join(&pid).exists() {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let path = Path::new(CHROMIUM_POLICY_DIR)
            .join(format!("kyso-test-{}-{nanos}.json", std::process::id()));
        std::fs::write(&path, serde_json::to_vec_pretty(policy).unwrap()).unwrap();
        ChromiumPolicy { path }
    }
}

impl Drop for ChromiumPolicy {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A plain HTTP GET on 127.0.0.1 (the DevTools endpoint): the body.
pub fn http_get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    // The DevTools server may keep the connection open: read the body by its length.
    let mut r = BufReader::new(s);
    let mut len = 0usize;
    loop {
        let mut line = String::new();
        r.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).ok()?;
    String::from_utf8(body).ok()
}

/// Evaluates `expression` in the page behind DevTools websocket `ws_url` (one
/// `Runtime.evaluate`, promises awaited): the value, as a string.
pub fn cdp_evaluate(ws_url: &str, expression: &str) -> Option<String> {
    let v = cdp_call(
        ws_url,
        "Runtime.evaluate",
        serde_json::json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
    )?;
    let r = &v["result"]["value"];
    Some(
        r.as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| r.to_string()),
    )
}

/// One DevTools-protocol call (`Page.captureScreenshot`, `Input.dispatchMouseEvent`…) over a
/// hand-rolled websocket to `ws_url`: its `result`.
pub fn cdp_call(
    ws_url: &str,
    method: &str,
    params: serde_json::Value,
) -> Option<serde_json::Value> {
    let rest = ws_url.strip_prefix("ws://")?;
    let (host, path) = rest.split_once('/')?;
    let mut s = TcpStream::connect(host).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    write!(
        s,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: a3lzby1icm93c2VyLXRlc3Q=\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .ok()?;
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut b).ok()?;
        head.push(b[0]);
    }
    if !head.starts_with(b"HTTP/1.1 101") {
        return None;
    }
    let msg = serde_json::json!({ "id": 1, "method": method, "params": params }).to_string();
    // One masked text frame (clients must mask; the mask may be any value).
    let mask = [0x6b, 0x79, 0x73, 0x6f];
    let mut frame = vec![0x81u8];
    let len = msg.len();
    if len < 126 {
        frame.push(0x80 | len as u8);
    } else if len <= 0xffff {
        frame.push(0x80 | 126);
        frame.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        frame.push(0x80 | 127);
        frame.extend_from_slice(&(len as u64).to_be_bytes());
    }
    frame.extend_from_slice(&mask);
    frame.extend(msg.bytes().enumerate().map(|(i, c)| c ^ mask[i % 4]));
    s.write_all(&frame).ok()?;
    // Read (unmasked) server frames until the answer to id 1.
    let mut payload = Vec::new();
    loop {
        let mut h = [0u8; 2];
        s.read_exact(&mut h).ok()?;
        let mut len = (h[1] & 0x7f) as u64;
        if len == 126 {
            let mut l = [0u8; 2];
            s.read_exact(&mut l).ok()?;
            len = u16::from_be_bytes(l) as u64;
        } else if len == 127 {
            let mut l = [0u8; 8];
            s.read_exact(&mut l).ok()?;
            len = u64::from_be_bytes(l);
        }
        let mut data = vec![0u8; len as usize];
        s.read_exact(&mut data).ok()?;
        payload.extend_from_slice(&data);
        if h[0] & 0x80 == 0 {
            continue; // more fragments
        }
        let v: serde_json::Value = serde_json::from_slice(&payload).ok()?;
        payload.clear();
        if v["id"] == 1 {
            return Some(v["result"].clone());
        }
    }
}

/// Types the token's PIN into the browser's own PIN dialog, found by its title.
pub fn answer_pin_dialog(x: &Xvfb, browser: &mut Proc, title_regex: &str, pin: &str) {
    let name = browser.name;
    let dialog = wait_for(
        &format!("{name}'s PIN dialog"),
        Duration::from_secs(40),
        || {
            if let Some(st) = browser.exited() {
                panic!("{name} exited ({st}) before asking for the PIN");
            }
            x.find_window(title_regex)
        },
    );
    assert!(
        x.xdotool(&["windowfocus", "--sync", &dialog]).is_some(),
        "cannot focus the PIN dialog; windows: {}",
        x.window_names()
    );
    x.xdotool(&["type", "--delay", "40", pin]).unwrap();
    x.xdotool(&["key", "Return"]).unwrap();
}

/// The server verified the token's certificate (`subject` as s_server prints it) in the
/// handshake, and kyso's module log shows the signature, made without a wrong PIN.
pub fn assert_handshake_signed_through_kyso(server: &TlsServer, subject: &str, module_log: &Path) {
    wait_for(
        "the TLS handshake with the client certificate",
        Duration::from_secs(20),
        || server.output().contains(subject).then_some(()),
    );
    let log = std::fs::read_to_string(module_log).unwrap_or_default();
    assert!(
        log.contains("signed with") && log.contains("NGUYỄN VĂN AN"),
        "module log: {log}"
    );
    assert!(!log.contains("wrong PIN"), "module log: {log}");
}
