//! Remote signing against the CSC test server (HTTPS with a test CA): the `kyso` command and the
//! library, CSC v1 and v2; every signature verified by openssl against the certificate.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::csc::*;
use common::*;

struct Remote {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    server: CscServer,
    config: PathBuf,
}

impl Remote {
    fn new(version: &str, extra: &str) -> Remote {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_owned();
        let server = CscServer::start(&dir.join("server"));
        let config = server.kyso_toml("remote-test", version, extra);
        std::fs::write(dir.join("pin"), REMOTE_PIN).unwrap();
        Remote {
            _tmp: tmp,
            dir,
            server,
            config,
        }
    }

    fn kyso(&self) -> Command {
        let mut c = Command::new(kyso_bin());
        c.env("KYSO_CONFIG", &self.config)
            .env("XDG_DATA_HOME", self.dir.join("data"))
            .env("XDG_CONFIG_HOME", self.dir.join("no-config"))
            .env("KYSO_TEST_SECRET", CLIENT_SECRET)
            .current_dir(&self.dir);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.kyso().args(args).output().unwrap()
    }

    fn files(&self, n: usize) -> Vec<PathBuf> {
        (0..n)
            .map(|i| {
                let p = self.dir.join(format!("van-ban-{i:02}.txt"));
                std::fs::write(
                    &p,
                    format!("Công văn số {i}/UBND — ký số từ xa\n").repeat(50),
                )
                .unwrap();
                p
            })
            .collect()
    }

    fn sign(&self, token: &str, files: &[PathBuf], extra: &[&str]) -> Output {
        let mut c = self.kyso();
        c.args(["--json", "sign", "--token", token, "--pin-file", "pin"]);
        // raw signatures unless a test names a format (`openssl dgst` checks them)
        if !extra.contains(&"--format") {
            c.args(["--format", "raw"]);
        }
        c.args(extra).args(files);
        c.output().unwrap()
    }

    /// The credential's public key as PEM, from `kyso certs --json`'s certificate… taken from
    /// the server's chain directly.
    fn pubkey(&self, cred: &str) -> PathBuf {
        let der = {
            let s = self.server.state();
            s.creds.iter().find(|c| c.id == cred).unwrap().chain[0].clone()
        };
        let cert = self.dir.join(format!("{cred}.der"));
        std::fs::write(&cert, der).unwrap();
        let out = Command::new("openssl")
            .args(["x509", "-inform", "DER", "-in"])
            .arg(&cert)
            .args(["-pubkey", "-noout"])
            .output()
            .unwrap();
        assert_ok(&out);
        let pem = self.dir.join(format!("{cred}.pub.pem"));
        std::fs::write(&pem, out.stdout).unwrap();
        pem
    }
}

fn sig_of(p: &Path) -> PathBuf {
    PathBuf::from(format!("{}.sig", p.display()))
}

#[test]
fn certs_lists_remote_credentials_and_a_batch_signs_with_one_authorization() {
    let r = Remote::new("v2", "");
    let login = r.run(&["remote", "login"]);
    assert_ok(&login);
    let token_file = r.dir.join("data/kyso/remote/remote-test.json");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let certs = r.run(&["--json", "certs"]);
    assert_ok(&certs);
    let v = json(&certs);
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 2, "{v:#}");
    let ec = list
        .iter()
        .find(|c| c["token"] == "remote-test/cred-ec")
        .unwrap();
    assert_eq!(ec["common_name"], "NGUYỄN VĂN AN");
    assert_eq!(ec["identity"]["cccd"], "001099012345");
    assert_eq!(ec["key_type"], "EC-P256");
    assert_eq!(ec["has_private_key"], true);

    let files = r.files(5);
    let out = r.sign("remote-test/cred-ec", &files, &[]);
    assert_ok(&out);
    let report = json(&out);
    assert_eq!(report["signed"].as_array().unwrap().len(), 5, "{report:#}");
    let pubkey = r.pubkey("cred-ec");
    for f in &files {
        assert!(openssl_verify(&pubkey, "ecdsa-sha256", f, &sig_of(f)));
    }
    let s = r.server.state();
    assert_eq!(s.count("credentials/authorize"), 1, "one authorization");
    assert_eq!(
        s.count("signatures/signHash"),
        1,
        "one call for five hashes"
    );
    assert_eq!(s.bodies["credentials/authorize"]["numSignatures"], 5);
    assert_eq!(
        s.bodies["signatures/signHash"]["hashes"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
}

#[test]
fn csc_v1_rsa_credential_signs_and_a_used_up_authorization_stops_the_batch() {
    let r = Remote::new("v1", "");
    let files = r.files(3);
    // cred-rsa allows one signature per authorization (multisign 1).
    let out = r.sign("remote-test/cred-rsa", &files, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["signed"].as_array().unwrap().len(), 1, "{report:#}");
    assert!(
        report["stopped"]
            .as_str()
            .unwrap()
            .contains("run again to authorize the rest"),
        "{report:#}"
    );
    assert!(openssl_verify(
        &r.pubkey("cred-rsa"),
        "rsa-pkcs1-sha256",
        &files[0],
        &sig_of(&files[0])
    ));
    assert!(!sig_of(&files[1]).exists() && !sig_of(&files[2]).exists());
    let s = r.server.state();
    assert_eq!(s.count("credentials/authorize"), 1);
    // v1 field names.
    assert_eq!(s.bodies["credentials/authorize"]["PIN"], REMOTE_PIN);
    assert!(s.bodies["signatures/signHash"]["hash"].is_array());
    assert_eq!(
        s.bodies["signatures/signHash"]["hashAlgo"],
        "2.16.840.1.101.3.4.2.1"
    );
}

#[test]
fn rsa_pss_through_csc_verifies_with_openssl() {
    let r = Remote::new("v2", "");
    let files = r.files(1);
    let out = r.sign(
        "remote-test/cred-rsa",
        &files,
        &["--algorithm", "rsa-pss-sha256"],
    );
    assert_ok(&out);
    assert!(openssl_verify(
        &r.pubkey("cred-rsa"),
        "rsa-pss-sha256",
        &files[0],
        &sig_of(&files[0])
    ));
}

#[test]
fn a_cms_signature_carries_the_intermediate_the_service_returned() {
    // openssl given the root only: the chain is built from what the signature carries
    let r = Remote::new("v2", "");
    let files = r.files(1);
    let out = r.sign("remote-test/cred-rsa", &files, &["--format", "cms"]);
    assert_ok(&out);
    let p7s = files[0].with_extension("txt.p7s");
    let out = Command::new("openssl")
        .args([
            "cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any", "-in",
        ])
        .arg(&p7s)
        .arg("-content")
        .arg(&files[0])
        .arg("-CAfile")
        .arg(&r.server.ca_pem)
        .args(["-out", "/dev/null"])
        .output()
        .unwrap();
    assert_ok(&out);
    let certs = Command::new("openssl")
        .args(["pkcs7", "-inform", "DER", "-print_certs", "-noout", "-in"])
        .arg(&p7s)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&certs.stdout);
    assert!(text.contains("Kyso Test Remote Signing CA"), "{text}");
}

#[test]
fn wrong_otp_is_reported_and_never_retried() {
    let r = Remote::new("v2", "");
    std::fs::write(r.server.dir.join("otp.txt"), "000000\n").unwrap();
    let files = r.files(2);
    let out = r.sign("remote-test/cred-ec", &files, &[]);
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(
        e.contains("refused the OTP") && e.contains("The OTP is invalid"),
        "{e}"
    );
    assert_eq!(r.server.state().count("credentials/authorize"), 1);
    assert!(!sig_of(&files[0]).exists());
}

#[test]
fn wrong_pin_says_the_attempts_left() {
    let r = Remote::new("v1", "");
    std::fs::write(r.dir.join("pin"), "999999").unwrap();
    let out = r.sign("remote-test/cred-ec", &r.files(1), &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a refused PIN is an error before signing, as for a token"
    );
    let e = stderr(&out);
    assert!(
        e.contains("refused the PIN") && e.contains("2 attempts left"),
        "{e}"
    );
    assert_eq!(r.server.state().count("credentials/authorize"), 1);
}

#[test]
fn sad_expiry_mid_batch_stops_with_finished_outputs_intact() {
    let r = Remote::new("v2", "hashes_per_call = 10");
    // 12 files, at most 10 hashes per signHash: the SAD expires after the first call, and the
    // second is answered as the spec does for an expired SAD.
    let files = r.files(12);
    r.server.state().creds[0].multisign = 12;
    r.server.state().sad_expires_after_first_use = true;
    let out = r
        .kyso()
        .args([
            "--json",
            "sign",
            "--format",
            "raw",
            "--token",
            "remote-test/cred-ec",
            "--pin-file",
            "pin",
        ])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    assert_eq!(report["signed"].as_array().unwrap().len(), 10, "{report:#}");
    let stopped = report["stopped"].as_str().unwrap();
    assert!(
        stopped.contains("no longer valid") && stopped.contains("SAD expired"),
        "{stopped}"
    );
    assert!(!sig_of(&files[10]).exists() && !sig_of(&files[11]).exists());
    for f in &files[..10] {
        assert!(sig_of(f).exists());
    }
    assert_eq!(
        r.server.state().count("credentials/authorize"),
        1,
        "no second authorize"
    );
}

#[test]
fn library_sad_expiry_and_no_reauthorization() {
    let r = Remote::new("v2", "");
    std::env::set_var("XDG_DATA_HOME", r.dir.join("data"));
    std::env::set_var("KYSO_TEST_SECRET", CLIENT_SECRET);
    let cfg = kyso::config::Config::load_file(&r.config).unwrap();
    let (tokens, errors) = kyso::remote::tokens(&cfg.remotes);
    assert!(
        errors.is_empty(),
        "{:?}",
        errors.iter().map(|e| e.1.to_string()).collect::<Vec<_>>()
    );
    let t = tokens
        .iter()
        .find(|t| t.label() == "remote-test/cred-ec")
        .unwrap();
    use kyso::Token;
    t.expect_signatures(4);
    t.login(&secrecy::SecretString::from(REMOTE_PIN)).unwrap();
    assert!(t.is_logged_in());
    let signer = t.signers().unwrap().remove(0);
    let alg = kyso::SignatureAlgorithm::Ecdsa(kyso::HashAlg::Sha256);
    let digests: Vec<Vec<u8>> = (0..2u8)
        .map(|i| kyso::HashAlg::Sha256.digest(&[i]))
        .collect();
    let sigs = signer.sign_digests(alg, &digests).unwrap();
    assert_eq!(sigs.len(), 2);
    assert!(sigs.iter().all(|s| s.len() == 64), "raw r||s");
    r.server.state().expire_sads();
    let e = signer.sign_digests(alg, &digests).unwrap_err();
    assert!(
        matches!(e, kyso::Error::RemoteAuthorizationExpired { signed: 2, .. }),
        "{e}"
    );
    assert!(!t.is_logged_in());
    assert!(e.is_token_failure());
    assert_eq!(r.server.state().count("credentials/authorize"), 1);
}

#[test]
fn server_errors_and_malformed_replies_are_clear_errors() {
    let r = Remote::new("v2", "");
    // A broken credentials/info: the account is reported, the command does not panic.
    r.server.state().inject.insert(
        "credentials/info".into(),
        (200, "{\"key\": {\"algo\": 5}, \"cert\": 1}".into()),
    );
    let out = r.run(&["certs"]);
    let e = stderr(&out);
    assert!(!e.contains("panicked"), "{e}");
    assert!(
        e.contains("remote account remote-test") && e.contains("key.algo"),
        "{e}"
    );

    r.server
        .state()
        .inject
        .insert("credentials/list".into(), (500, "<html>oops</html>".into()));
    let out = r.run(&["certs"]);
    let e = stderr(&out);
    assert!(e.contains("HTTP 500") && e.contains("try later"), "{e}");

    // signHash answering garbage: nothing written, a clear error.
    r.server.state().inject.insert(
        "signatures/signHash".into(),
        (200, "not json at all".into()),
    );
    let files = r.files(1);
    let out = r.sign("remote-test/cred-ec", &files, &[]);
    assert!(!out.status.success());
    let report = json(&out);
    assert!(
        report["failed"][0]["error"]
            .as_str()
            .unwrap()
            .contains("not a JSON object"),
        "{report:#}"
    );
    assert!(!sig_of(&files[0]).exists());

    // A signature that does not verify is refused.
    r.server.state().inject.insert(
        "signatures/signHash".into(),
        (200, "{\"signatures\": [\"AAAA\"]}".into()),
    );
    let out = r.sign("remote-test/cred-ec", &files, &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("does not verify"), "{}", stderr(&out));
    assert!(!sig_of(&files[0]).exists());
}

#[test]
fn unreachable_slow_and_plain_http_servers() {
    let r = Remote::new("v2", "");
    // Nothing listens on the port any more.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let text = std::fs::read_to_string(&r.config)
        .unwrap()
        .replace(&format!(":{}/", r.server.port), &format!(":{port}/"));
    let cfg = r.dir.join("dead.toml");
    std::fs::write(&cfg, &text).unwrap();
    let out = r
        .kyso()
        .env("KYSO_CONFIG", &cfg)
        .args(["remote", "list"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("cannot reach"), "{}", stdout(&out));

    // Plain HTTP is refused (no opt-in), even to 127.0.0.1.
    let plain = r.dir.join("plain.toml");
    std::fs::write(&plain, text.replace("https://", "http://")).unwrap();
    let out = r
        .kyso()
        .env("KYSO_CONFIG", &plain)
        .args(["remote", "login"])
        .output()
        .unwrap();
    assert!(stderr(&out).contains("plain HTTP"), "{}", stderr(&out));

    // A server slower than timeout_secs.
    let slow = r.dir.join("slow.toml");
    std::fs::write(
        &slow,
        std::fs::read_to_string(&r.config)
            .unwrap()
            .replace("timeout_secs = 5", "timeout_secs = 1"),
    )
    .unwrap();
    r.server.state().delay = Some(std::time::Duration::from_secs(3));
    let t0 = std::time::Instant::now();
    let out = r
        .kyso()
        .env("KYSO_CONFIG", &slow)
        .args(["remote", "login"])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("no answer within 1 s"),
        "{}",
        stderr(&out)
    );
    assert!(t0.elapsed().as_secs() < 10);
}

#[test]
fn expired_access_token_is_renewed_for_client_credentials_only() {
    let r = Remote::new("v2", "");
    assert_ok(&r.run(&["remote", "login"]));
    r.server.state().expire_tokens();
    // Client credentials: a new token is fetched without anyone's secret.
    assert_ok(&r.run(&["certs"]));
    assert_eq!(r.server.state().count("oauth2/token"), 2);

    // Authorization code: the person must log in again, and is told so.
    let r = Remote::new("v2", "auth = \"authorization_code\"");
    let out = r.run(&["certs"]);
    assert!(
        stderr(&out).contains("run `kyso remote login remote-test`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn authorization_code_login_with_pkce_then_logout() {
    let r = Remote::new("v2", "auth = \"authorization_code\"");
    let mut child = r
        .kyso()
        .args(["remote", "login", "remote-test", "--wait", "30"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut url = String::new();
    loop {
        let mut line = String::new();
        use std::io::BufRead;
        if err.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(u) = line.trim().strip_prefix("https://") {
            url = format!("https://{u}");
            break;
        }
    }
    assert!(url.contains("code_challenge="), "{url}");
    // The browser: the provider's page redirects to kyso's loopback listener.
    let ca = std::fs::read(&r.server.ca_pem).unwrap();
    let cert = ureq::tls::Certificate::from_pem(&ca).unwrap();
    let agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::new_with_certs(&[cert]))
                .build(),
        )
        .build()
        .new_agent();
    let resp = agent.get(&url).call().unwrap();
    assert_eq!(resp.status().as_u16(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("http://127.0.0.1:"), "{location}");
    let mut back = agent.get(&location).call().unwrap();
    assert!(back
        .body_mut()
        .read_to_string()
        .unwrap()
        .contains("logged in"));
    let status = child.wait().unwrap();
    assert!(status.success());
    assert_ok(&r.run(&["certs"]));

    // The access token runs out: the refresh token gets a new one, no browser needed.
    let file = r.dir.join("data/kyso/remote/remote-test.json");
    let mut stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    stored["expires_at"] = serde_json::json!(1);
    std::fs::write(&file, stored.to_string()).unwrap();
    assert_ok(&r.run(&["certs"]));
    assert_eq!(
        r.server.state().count("oauth2/token"),
        2,
        "code, then refresh"
    );

    let out = r.run(&["remote", "logout", "remote-test"]);
    assert_ok(&out);
    assert!(!r.dir.join("data/kyso/remote/remote-test.json").exists());
}

#[test]
fn remote_list_shows_credentials() {
    let r = Remote::new("v1", "");
    let out = r.run(&["--json", "remote", "list"]);
    assert_ok(&out);
    let v = json(&out);
    let ec = v
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["credential"] == "cred-ec")
        .unwrap();
    assert_eq!(ec["service"], "Kyso Test CSC");
    assert_eq!(ec["otp"], "required");
    assert_eq!(ec["multisign"], 10);
    let text = r.run(&["remote", "list"]);
    assert!(
        stdout(&text).contains("remote-test/cred-rsa"),
        "{}",
        stdout(&text)
    );
}

#[test]
fn scal2_credential_authorizes_the_batch_hashes_once() {
    let r = Remote::new("v1", "");
    {
        let mut s = r.server.state();
        s.creds[0].scal2 = true;
    }
    let files = r.files(4);
    let out = r.sign("remote-test/cred-ec", &files, &[]);
    assert_ok(&out);
    let pubkey = r.pubkey("cred-ec");
    for f in &files {
        assert!(openssl_verify(&pubkey, "ecdsa-sha256", f, &sig_of(f)));
    }
    let s = r.server.state();
    assert_eq!(s.count("credentials/authorize"), 1);
    assert_eq!(
        s.bodies["credentials/authorize"]["hash"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn disabled_credential_is_reported_before_any_authorization() {
    let r = Remote::new("v2", "");
    r.server.state().creds[0].disabled = true;
    let out = r.sign("remote-test/cred-ec", &r.files(1), &[]);
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(
        e.contains("cannot sign: its key is disabled")
            && e.contains("contact your signing service provider"),
        "{e}"
    );
    assert_eq!(r.server.state().count("credentials/authorize"), 0);
}

#[test]
fn csc_auth_login_with_basic_credentials() {
    let r = Remote::new("v1", "auth = \"login\"\nuser = \"nguyenvanan\"");
    let out = r.run(&["remote", "login", "--pin-file", "pin"]);
    assert_ok(&out);
    assert!(
        stderr(&out).contains("logged in to remote-test"),
        "{}",
        stderr(&out)
    );
    assert_ok(&r.run(&["certs"]));
    std::fs::write(r.dir.join("bad"), "wrong").unwrap();
    let out = r.run(&["remote", "login", "--pin-file", "bad"]);
    assert!(
        stderr(&out).contains("auth/login refused"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn secrets_never_reach_the_log_even_at_trace_level() {
    let r = Remote::new("v1", "");
    let out = r
        .kyso()
        .env("KYSO_LOG_LEVEL", "trace")
        .args([
            "-vv",
            "sign",
            "--format",
            "raw",
            "--token",
            "remote-test/cred-ec",
            "--pin-file",
            "pin",
        ])
        .args(r.files(1))
        .output()
        .unwrap();
    assert_ok(&out);
    let e = stderr(&out);
    assert!(e.contains("POST https://127.0.0.1"), "logging is on: {e}");
    for secret in [REMOTE_PIN, OTP, CLIENT_SECRET, "sad-", "at-"] {
        assert!(!e.contains(secret), "{secret} logged:\n{e}");
    }
}

#[test]
fn a_refused_pin_is_never_sent_again_but_a_refused_otp_does_not_burn_the_pin() {
    let r = Remote::new("v2", "");
    std::env::set_var("XDG_DATA_HOME", r.dir.join("data"));
    std::env::set_var("KYSO_TEST_SECRET", CLIENT_SECRET);
    let cfg = kyso::config::Config::load_file(&r.config).unwrap();
    let (tokens, _) = kyso::remote::tokens(&cfg.remotes);
    let t = tokens
        .iter()
        .find(|t| t.label() == "remote-test/cred-ec")
        .unwrap();
    use kyso::Token;
    let wrong = secrecy::SecretString::from("000000");
    assert!(matches!(
        t.login(&wrong).unwrap_err(),
        kyso::Error::RemoteAuthorizationRefused { .. }
    ));
    let e = t.login(&wrong).unwrap_err();
    assert!(e.to_string().contains("not trying it again"), "{e}");
    // and said in Vietnamese to a Vietnamese reader
    kyso::i18n::set_lang(kyso::i18n::Lang::Vi);
    let e = t.login(&wrong).unwrap_err();
    kyso::i18n::set_lang(kyso::i18n::Lang::En);
    assert!(e.to_string().contains("đã từ chối mã PIN này"), "{e}");
    assert_eq!(r.server.state().count("credentials/authorize"), 1);

    std::fs::write(r.server.dir.join("otp.txt"), "999999\n").unwrap();
    let pin = secrecy::SecretString::from(REMOTE_PIN);
    let e = t.login(&pin).unwrap_err();
    assert!(e.to_string().contains("refused the OTP"), "{e}");
    std::fs::write(r.server.dir.join("otp.txt"), format!("{OTP}\n")).unwrap();
    t.login(&pin).unwrap();
    assert!(t.is_logged_in());
    assert_eq!(r.server.state().count("credentials/authorize"), 3);
}

#[test]
fn certs_lists_remote_credentials_next_to_softhsm_tokens() {
    let fx = Fixture::new();
    let server = CscServer::start(&fx.path("server"));
    let toml = server.kyso_toml("remote-test", "v2", "");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        format!("[[module]]\npath = \"{SOFTHSM}\"\nname = \"softhsm\"\n\n{text}"),
    )
    .unwrap();
    let run = |args: &[&str]| {
        fx.kyso()
            .env("KYSO_CONFIG", &toml)
            .env("XDG_DATA_HOME", fx.path("data"))
            .env("KYSO_TEST_SECRET", CLIENT_SECRET)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["certs"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("NGUYỄN VĂN AN [kyso-test] id 01"), "{text}");
    assert!(
        text.contains("NGUYỄN VĂN AN [remote-test/cred-ec]"),
        "{text}"
    );
    assert!(
        text.contains("TRẦN THỊ BÌNH [remote-test/cred-rsa]"),
        "{text}"
    );
    let out = run(&["--json", "tokens"]);
    assert_ok(&out);
    let tokens = json(&out);
    let labels: Vec<_> = tokens
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].as_str().unwrap().to_owned())
        .collect();
    for l in [
        "kyso-test",
        "kyso-second",
        "remote-test/cred-ec",
        "remote-test/cred-rsa",
    ] {
        assert!(labels.iter().any(|x| x == l), "{labels:?}");
    }
    // Several tokens hold keys: the choice is the person's, as with two USB tokens.
    let doc = fx.path("a.txt");
    std::fs::write(&doc, "x").unwrap();
    let out = run(&[
        "sign",
        "--format",
        "raw",
        "--pin-file",
        "pin",
        doc.to_str().unwrap(),
    ]);
    assert!(
        stderr(&out).contains("choose one with --token"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn implicit_credential_waits_for_approval_longer_than_the_request_timeout() {
    // timeout_secs = 1, but authorize may take authorize_timeout_secs (the person approves on
    // the phone); no PIN nor OTP is sent.
    let r = Remote::new("v2", "authorize_timeout_secs = 10");
    let text = std::fs::read_to_string(&r.config)
        .unwrap()
        .replace("timeout_secs = 5", "timeout_secs = 1");
    std::fs::write(&r.config, text).unwrap();
    r.server.state().creds[0].implicit = Some(std::time::Duration::from_secs(2));
    let files = r.files(2);
    let out = r.sign("remote-test/cred-ec", &files, &[]);
    assert_ok(&out);
    let s = r.server.state();
    let body = &s.bodies["credentials/authorize"];
    assert!(body.get("authData").is_none(), "{body}");
    assert_eq!(s.count("credentials/authorize"), 1);
}

/// Issue 9's "done when": a PAdES batch with a remote credential, one authorization for all
/// files; every signed PDF verified by kyso and its signature by poppler's pdfsig.
#[test]
fn pades_batch_with_a_remote_credential_uses_one_authorization() {
    let r = Remote::new("v2", "");
    assert_ok(&r.run(&["remote", "login"]));
    let src = repo_root().join("tests/fixtures/pdf/shared-mime-info-spec.pdf");
    let files: Vec<PathBuf> = (0..3)
        .map(|i| {
            let p = r.dir.join(format!("to-trinh-{i}.pdf"));
            std::fs::copy(&src, &p).unwrap();
            p
        })
        .collect();
    let out = r.sign("remote-test/cred-ec", &files, &["--format", "pades"]);
    assert_ok(&out);
    assert_eq!(json(&out)["signed"].as_array().unwrap().len(), 3);
    let s = r.server.state();
    assert_eq!(
        s.count("credentials/authorize"),
        1,
        "one authorization for the batch"
    );
    assert_eq!(s.bodies["credentials/authorize"]["numSignatures"], 3);
    drop(s);
    for f in &files {
        let signed = f.with_extension("signed.pdf");
        let out = Command::new("pdfsig").arg(&signed).output().unwrap();
        let text = stdout(&out);
        assert!(text.contains("Signature is Valid"), "{text}");
        assert!(text.contains("NGUYỄN VĂN AN"), "{text}");
        let v = r.run(&["verify", "--offline", signed.to_str().unwrap()]);
        assert!(stdout(&v).contains("signature  valid"), "{}", stdout(&v));
    }
}

/// SCAL 2 (authorisation bound to the hashes), `multisign` 10: a batch takes as few
/// authorisations as the service allows, each naming its documents' hashes, and the person is
/// told before the first; every signature verifies with OpenSSL.
#[test]
fn scal2_batches_take_one_authorisation_per_multisign_documents() {
    for (n, authorisations) in [(1, 1), (10, 1), (15, 2)] {
        let r = Remote::new("v2", "");
        r.server.state().creds[0].scal2 = true;
        let files = r.files(n);
        let out = r.sign("remote-test/cred-ec", &files, &["--format", "raw"]);
        assert_ok(&out);
        assert_eq!(json(&out)["signed"].as_array().unwrap().len(), n);
        let pubkey = r.pubkey("cred-ec");
        for f in &files {
            assert!(openssl_verify(&pubkey, "ecdsa-sha256", f, &sig_of(f)));
        }
        let s = r.server.state();
        assert_eq!(
            s.count("credentials/authorize"),
            authorisations,
            "{n} files"
        );
        assert_eq!(s.count("signatures/signHash"), authorisations, "{n} files");
        // the last authorisation named exactly the hashes it covers
        let last = n - (authorisations - 1) * 10;
        assert_eq!(s.bodies["credentials/authorize"]["numSignatures"], last);
        assert_eq!(
            s.bodies["credentials/authorize"]["hashes"]
                .as_array()
                .unwrap()
                .len(),
            last
        );
        let told = stderr(&out).contains(&format!(
            "{n} documents need {authorisations} authorisations: this service allows 10 \
             signatures per authorisation"
        ));
        assert_eq!(told, authorisations > 1, "{}", stderr(&out));
    }
}

/// The case: 25 PDFs against a SCAL 2 credential with `multisign` 10 — three
/// authorisations (one OTP each), three `signHash` calls, every PDF valid in pdfsig.
#[test]
fn twenty_five_pdfs_with_a_scal2_credential_take_three_authorisations() {
    let r = Remote::new("v2", "");
    r.server.state().creds[0].scal2 = true;
    let src = repo_root().join("tests/fixtures/pdf/shared-mime-info-spec.pdf");
    let files: Vec<PathBuf> = (1..=25)
        .map(|i| {
            let p = r.dir.join(format!("d{i:02}.pdf"));
            std::fs::copy(&src, &p).unwrap();
            p
        })
        .collect();
    let out = r.sign("remote-test/cred-ec", &files, &["--format", "pades"]);
    assert_ok(&out);
    assert_eq!(json(&out)["signed"].as_array().unwrap().len(), 25);
    let s = r.server.state();
    assert_eq!(s.count("credentials/authorize"), 3);
    assert!(s.count("signatures/signHash") >= 3);
    drop(s);
    for f in &files {
        let signed = f.with_extension("signed.pdf");
        let out = Command::new("pdfsig").arg(&signed).output().unwrap();
        assert!(
            stdout(&out).contains("Signature is Valid"),
            "{}",
            stdout(&out)
        );
    }
}

/// A SCAL 2 authorisation refused in the middle of a batch (a wrong OTP for the second
/// group) stops it: the first group's outputs are whole, the second group's documents have
/// nothing, and the PIN is not sent again by itself.
#[test]
fn a_refused_second_scal2_authorisation_stops_the_batch_cleanly() {
    let r = Remote::new("v2", "");
    r.server.state().creds[0].scal2 = true;
    let files = r.files(15);
    // The first authorisation succeeds; the second gets a wrong OTP.
    r.server.state().refuse_otp_from = Some(2);
    let out = r.sign("remote-test/cred-ec", &files, &["--format", "raw"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["signed"].as_array().unwrap().len(), 10, "{report:#}");
    assert!(
        report["stopped"].as_str().unwrap().contains("OTP"),
        "{report:#}"
    );
    for f in &files[10..] {
        assert!(!sig_of(f).exists());
    }
    assert_eq!(r.server.state().count("credentials/authorize"), 2);
}

/// What a PKCS#11 host gets from a SCAL 2 credential (the module's remote slots sign through
/// the same signer): one login keeps the PIN, and each single signature is its own
/// authorisation naming its one hash; both verify.
#[test]
fn scal2_single_signatures_after_one_login_each_take_an_authorisation() {
    let r = Remote::new("v2", "");
    r.server.state().creds[0].scal2 = true;
    std::env::set_var("XDG_DATA_HOME", r.dir.join("data"));
    std::env::set_var("KYSO_TEST_SECRET", CLIENT_SECRET);
    let cfg = kyso::config::Config::load_file(&r.config).unwrap();
    let (tokens, _) = kyso::remote::tokens(&cfg.remotes);
    let t = tokens
        .iter()
        .find(|t| t.label() == "remote-test/cred-ec")
        .unwrap();
    use kyso::Token;
    t.login(&secrecy::SecretString::from(REMOTE_PIN)).unwrap();
    assert_eq!(
        r.server.state().count("credentials/authorize"),
        0,
        "PIN kept"
    );
    let signer = t.signers().unwrap().remove(0);
    let alg = kyso::SignatureAlgorithm::Ecdsa(kyso::HashAlg::Sha256);
    let verifier = kyso::checked::Verifier::new(signer.certificate(), "cred-ec").unwrap();
    for i in 0..2u8 {
        let digest = kyso::HashAlg::Sha256.digest(&[i]);
        let sig = signer.sign_digest(alg, &digest).unwrap();
        verifier.check_digest(alg, &digest, sig).unwrap();
    }
    let s = r.server.state();
    assert_eq!(s.count("credentials/authorize"), 2);
    assert_eq!(s.count("signatures/signHash"), 2);
    assert_eq!(s.bodies["credentials/authorize"]["numSignatures"], 1);
}

/// A SCAL 2 credential is authorised during the batch (the hashes must be known): a refused
/// PIN there exits 2 like a token's wrong PIN at login, nothing signed, the PIN not sent again.
#[test]
fn a_refused_pin_for_a_scal2_batch_exits_2_with_nothing_signed() {
    let r = Remote::new("v2", "");
    r.server.state().creds[0].scal2 = true;
    std::fs::write(r.dir.join("pin"), "999999").unwrap();
    let files = r.files(12);
    let out = r.sign("remote-test/cred-ec", &files, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let report = json(&out);
    assert!(
        report["signed"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
    assert!(
        report["stopped"]
            .as_str()
            .unwrap()
            .contains("refused the PIN"),
        "{report:#}"
    );
    assert_eq!(
        r.server.state().count("credentials/authorize"),
        1,
        "never sent again"
    );
    for f in &files {
        assert!(!sig_of(f).exists());
    }
}
