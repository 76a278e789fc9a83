//! `kyso app` with a remote signing account (the CSC test server of tests/common/csc.rs, over
//! HTTPS with its own CA) next to the SoftHSM token, driven through the page's HTTP API: the
//! credential is listed with its holder, identity and validity, marked remote; a batch of PDFs
//! is signed with one PIN and one OTP typed into the scripted pinentry (an online OTP: the
//! service is asked to send it first), one `credentials/authorize` for the batch, every output
//! checked by pdfsig trusting the remote CA; a wrong OTP ends the batch after exactly one
//! authorisation, and one refused mid-batch (SCAL 2: an OTP per authorisation) stops it on
//! the rows left; a service failing mid-batch fails the rows in words; a credential the
//! service withdrew leaves the list and says so when it is still chosen; an account that cannot
//! be reached, or needs `kyso remote login`, is a row saying so while the token still signs;
//! a slow service does not hold back the other accounts; an account without a credential says
//! so.

#[path = "common/app.rs"]
mod app;
mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use app::{cert_of, post, sign, App};
use common::csc::*;
use common::nss::*;
use common::*;

const SPEC_PDF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/pdf/shared-mime-info-spec.pdf"
);

/// The app over `fx`'s SoftHSM and the `[[remote]]` lines `remote`, the scripted pinentry
/// typing `pin` (and `otp` when asked an OTP); OAuth tokens kept in the fixture.
fn start(fx: &Fixture, pin: &str, otp: &str, remote: &str) -> (App, PathBuf) {
    let data = fx.path("data");
    let (app, answers, _spy) = App::start_scripted_env(
        fx,
        SPY,
        pin,
        remote,
        &[],
        &[
            ("XDG_DATA_HOME", data.to_str().unwrap()),
            ("KYSO_TEST_SECRET", CLIENT_SECRET),
            // everything logged: no secret may be in it
            ("KYSO_LOG_LEVEL", "trace"),
        ],
    );
    std::fs::write(answers.join("otp"), format!("{otp}\n")).unwrap();
    (app, answers)
}

/// The server's kyso.toml for account `name` and `credentials`, without its `otp_command`:
/// the app asks the OTP through pinentry.
fn remote_toml(server: &CscServer, name: &str, credentials: &str) -> String {
    let path = server.kyso_toml(name, "v2", &format!("credentials = {credentials}"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("otp_command"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// `/api/certs` once `done` holds of it (the remote accounts are asked on a thread of their
/// own: the page sees them a moment after it opens).
fn certs_when(app: &App, cookie: &str, done: impl Fn(&[Value]) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let certs = app.get_json(cookie, "/api/certs");
        if done(certs.as_array().unwrap()) {
            return certs;
        }
        assert!(Instant::now() < deadline, "never came: {certs:#}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The row of remote credential `label` (`ACCOUNT/CREDENTIAL`).
fn remote_row(certs: &[Value], label: &str) -> Option<Value> {
    certs
        .iter()
        .find(|c| c["token"] == label && c.get("remote").is_some())
        .cloned()
}

fn pdfs(fx: &Fixture, n: usize) -> Vec<PathBuf> {
    let docs = fx.path("docs");
    std::fs::create_dir_all(&docs).unwrap();
    (0..n)
        .map(|i| {
            let p = docs.join(format!("quyết định {i}.pdf"));
            std::fs::copy(SPEC_PDF, &p).unwrap();
            p
        })
        .collect()
}

#[test]
fn a_remote_credential_is_listed_and_signs_a_batch_with_one_pin_and_one_otp() {
    let fx = Fixture::new();
    let server = CscServer::start(&fx.path("csc"));
    server.state().creds[0].otp_online = true;
    // the other credential is approved on the phone: no PIN, no OTP
    server.state().creds[1].implicit = Some(Duration::ZERO);
    let toml = remote_toml(&server, "vnpt", r#"["cred-ec", "cred-rsa"]"#);
    let (app, answers) = start(&fx, REMOTE_PIN, OTP, &toml);
    let cookie = app.cookie();

    let certs = certs_when(&app, &cookie, |c| remote_row(c, "vnpt/cred-rsa").is_some());
    let row = remote_row(certs.as_array().unwrap(), "vnpt/cred-ec").unwrap();
    assert_eq!(row["remote"], "vnpt", "{row:#}");
    assert_eq!(row["holder"], "NGUYỄN VĂN AN", "{row:#}");
    assert_eq!(row["identity"]["cccd"], "001099012345", "{row:#}");
    assert_eq!(row["issuer"], "Kyso Test Remote CA", "{row:#}");
    assert_eq!(row["validity"], "valid", "{row:#}");
    assert_eq!(row["token"], "vnpt/cred-ec", "{row:#}");
    assert!(row["not_after"].as_str().unwrap().len() >= 10, "{row:#}");
    // next to the token's certificate, which is not marked remote
    let local = certs
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["token"] == "kyso-test")
        .unwrap_or_else(|| panic!("the token's row: {certs:#}"));
    assert!(local.get("remote").is_none(), "{local:#}");
    // the page's texts mark it: "từ xa" in Vietnamese
    assert_eq!(app.get_json(&cookie, "/api/texts")["remote"], "từ xa");

    let files = pdfs(&fx, 5);
    let events = sign(&app, &cookie, &json!({"cert": row["id"], "files": files}));
    let last = events.last().unwrap();
    assert_eq!(last["type"], "finished", "{events:#?}");
    assert_eq!(last["signed"], 5, "{events:#?}");
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    let at = |k: &str| {
        kinds
            .iter()
            .position(|x| *x == k)
            .unwrap_or_else(|| panic!("no {k}: {kinds:?}"))
    };
    assert!(
        at("pin") < at("otp") && at("otp") < at("signing"),
        "{kinds:?}"
    );

    // one PIN dialog and one OTP dialog, naming the holder and the account, no secret in them
    let dialogs = std::fs::read_to_string(answers.join("dialogs.log")).unwrap();
    assert_eq!(dialogs.matches("=== GETPIN").count(), 2, "{dialogs}");
    assert!(dialogs.contains("mã PIN của tài khoản ký số"), "{dialogs}");
    assert!(dialogs.contains("mã xác thực một lần (OTP)"), "{dialogs}");
    assert!(
        dialogs.contains("NGUYỄN VĂN AN") && dialogs.contains("'vnpt'"),
        "{dialogs}"
    );
    assert!(!dialogs.contains(REMOTE_PIN) && !dialogs.contains(OTP));
    // nor in what the page hears
    let heard = app.get_json(&cookie, "/api/events?from=0").to_string();
    assert!(
        !heard.contains(REMOTE_PIN) && !heard.contains(OTP),
        "{heard}"
    );
    let log = app.log();
    assert!(
        log.contains("POST https://127.0.0.1"),
        "logging is on: {log}"
    );
    for secret in [REMOTE_PIN, OTP, CLIENT_SECRET, "sad-", "at-"] {
        assert!(!log.contains(secret), "{secret} logged:\n{log}");
    }

    // the service: the OTP sent once, one authorisation covering the 5 signatures
    {
        let s = server.state();
        assert_eq!(s.count("credentials/sendOTP"), 1);
        assert_eq!(s.count("credentials/authorize"), 1);
        assert_eq!(s.bodies["credentials/authorize"]["numSignatures"], 5);
    }

    // every output as pdfsig sees it, trusting the remote CA
    let db = nss_db(&fx.path("nss"));
    nss_trust(&db, "kyso-remote-ca", "C,C,C", &server.ca_pem);
    let signed: Vec<&Value> = events.iter().filter(|e| e["type"] == "signed").collect();
    assert_eq!(signed.len(), 5);
    for e in signed {
        let out = PathBuf::from(e["output"].as_str().unwrap());
        let report = pdfsig(&db, &out);
        assert!(
            report.contains("Signature is Valid") && report.contains("Certificate is Trusted"),
            "{report}"
        );
        assert!(report.contains("NGUYỄN VĂN AN"), "{report}");
    }

    // the credential approved on the phone: the page says so, no dialog, one authorisation
    let rsa = remote_row(certs.as_array().unwrap(), "vnpt/cred-rsa").unwrap();
    assert_eq!(rsa["holder"], "TRẦN THỊ BÌNH", "{rsa:#}");
    let events = sign(
        &app,
        &cookie,
        &json!({"cert": rsa["id"], "files": &files[..1]}),
    );
    assert_eq!(events.last().unwrap()["signed"], 1, "{events:#?}");
    assert!(events.iter().any(|e| e["type"] == "approve"), "{events:#?}");
    assert!(!events
        .iter()
        .any(|e| e["type"] == "pin" || e["type"] == "otp"));
    let dialogs = std::fs::read_to_string(answers.join("dialogs.log")).unwrap();
    assert_eq!(dialogs.matches("=== ").count(), 2, "{dialogs}");
    assert_eq!(server.state().count("credentials/authorize"), 2);
    let signed = events.iter().find(|e| e["type"] == "signed").unwrap();
    let report = pdfsig(&db, Path::new(signed["output"].as_str().unwrap()));
    assert!(report.contains("Signature is Valid"), "{report}");
    assert!(report.contains("TRẦN THỊ BÌNH"), "{report}");
}

#[test]
fn a_wrong_otp_ends_the_batch_after_one_authorisation_and_a_service_failing_fails_the_rows() {
    let fx = Fixture::new();
    let server = CscServer::start(&fx.path("csc"));
    let toml = remote_toml(&server, "vnpt", r#"["cred-ec"]"#);
    let (app, answers) = start(&fx, REMOTE_PIN, "000000", &toml);
    let cookie = app.cookie();
    let certs = certs_when(&app, &cookie, |c| remote_row(c, "vnpt/cred-ec").is_some());
    let row = remote_row(certs.as_array().unwrap(), "vnpt/cred-ec").unwrap();
    let files = pdfs(&fx, 2);

    let events = sign(&app, &cookie, &json!({"cert": row["id"], "files": files}));
    let last = events.last().unwrap();
    assert_eq!(last["type"], "error", "{events:#?}");
    assert_eq!(last["code"], "remote-authorization-refused", "{last}");
    let msg = last["message"].as_str().unwrap();
    assert!(
        msg.contains("OTP") && msg.contains("không tự thử lại"),
        "{msg}"
    );
    {
        let s = server.state();
        assert_eq!(s.count("credentials/authorize"), 1, "never retried");
        assert_eq!(s.count("signatures/signHash"), 0);
        assert_eq!(s.pin_attempts_left, 3, "the PIN was right");
    }
    let dialogs = std::fs::read_to_string(answers.join("dialogs.log")).unwrap();
    assert_eq!(dialogs.matches("=== GETPIN").count(), 2, "{dialogs}");
    for f in &files {
        assert!(!f.with_extension("signed.pdf").exists());
    }

    // the right OTP, then the service fails while signing: each row says so, nothing written
    std::fs::write(answers.join("otp"), format!("{OTP}\n")).unwrap();
    server.state().inject.insert(
        "signatures/signHash".into(),
        (
            503,
            r#"{"error":"server_error","error_description":"maintenance"}"#.into(),
        ),
    );
    let events = sign(&app, &cookie, &json!({"cert": row["id"], "files": files}));
    let last = events.last().unwrap();
    assert_eq!(last["type"], "finished", "{events:#?}");
    assert_eq!(last["signed"], 0, "{events:#?}");
    let (failed, pending) = (last["failed"].as_u64(), last["pending"].as_u64());
    assert_eq!(failed.unwrap() + pending.unwrap(), 2, "{last}");
    let rows: Vec<&Value> = events.iter().filter(|e| e["type"] == "failed").collect();
    assert!(!rows.is_empty(), "{events:#?}");
    for r in rows {
        let words = r["error"].as_str().unwrap();
        assert!(words.contains("maintenance"), "{words}");
    }
    for f in &files {
        assert!(!f.with_extension("signed.pdf").exists());
    }
    assert_eq!(server.state().count("credentials/authorize"), 2);
    // the credential withdrawn by the service: once the page has heard, its row is gone and
    // signing with it says so
    server.state().creds.retain(|c| c.id != "cred-ec");
    post(&app, &cookie, "/api/certs/refresh", &json!({}));
    let certs = certs_when(&app, &cookie, |c| remote_row(c, "vnpt/cred-ec").is_none());
    assert!(
        certs
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["remote"] == "vnpt" && r.get("error").is_some()),
        "{certs:#}"
    );
    let events = sign(&app, &cookie, &json!({"cert": row["id"], "files": files}));
    let last = events.last().unwrap();
    assert_eq!(last["code"], "certificate-not-found", "{last}");
    let msg = last["message"].as_str().unwrap();
    assert!(msg.contains("tài khoản từ xa không còn liệt kê"), "{msg}");
    let left: Vec<_> = std::fs::read_dir(fx.path("docs"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 2, "no partial file: {left:?}");
}

#[test]
fn an_otp_refused_mid_batch_stops_it_on_the_rows_left_with_one_otp_dialog_per_authorisation() {
    let fx = Fixture::new();
    let server = CscServer::start(&fx.path("csc"));
    {
        // SCAL 2: each authorisation names its hashes, two documents at a time; the second
        // authorisation's OTP is refused
        let mut s = server.state();
        s.creds[0].scal2 = true;
        s.creds[0].multisign = 2;
        s.refuse_otp_from = Some(2);
    }
    let toml = remote_toml(&server, "vnpt", r#"["cred-ec"]"#);
    let (app, answers) = start(&fx, REMOTE_PIN, OTP, &toml);
    let cookie = app.cookie();
    let certs = certs_when(&app, &cookie, |c| remote_row(c, "vnpt/cred-ec").is_some());
    let row = remote_row(certs.as_array().unwrap(), "vnpt/cred-ec").unwrap();
    let files = pdfs(&fx, 4);
    let events = sign(&app, &cookie, &json!({"cert": row["id"], "files": files}));
    let last = events.last().unwrap();
    assert_eq!(last["type"], "finished", "{events:#?}");
    assert_eq!(last["signed"], 2, "{events:#?}");
    let failed: Vec<&Value> = events.iter().filter(|e| e["type"] == "failed").collect();
    assert!(!failed.is_empty(), "{events:#?}");
    for f in failed {
        let words = f["error"].as_str().unwrap();
        assert!(
            words.contains("OTP") && words.contains("không tự thử lại"),
            "{words}"
        );
    }
    assert_eq!(
        server.state().count("credentials/authorize"),
        2,
        "never retried"
    );
    // the batch's stop said in the page's language too (the process speaks English here)
    let stopped = events.iter().find(|e| e["type"] == "stopped").unwrap();
    let reason = stopped["reason"].as_str().unwrap();
    assert!(reason.contains("không tự thử lại"), "{reason}");
    // one PIN, then one OTP per authorisation
    let dialogs = std::fs::read_to_string(answers.join("dialogs.log")).unwrap();
    assert_eq!(dialogs.matches("=== GETPIN").count(), 3, "{dialogs}");
    assert_eq!(events.iter().filter(|e| e["type"] == "otp").count(), 2);
    let written = files
        .iter()
        .filter(|f| f.with_extension("signed.pdf").exists())
        .count();
    assert_eq!(written, 2);
}

#[test]
fn accounts_that_cannot_be_reached_or_need_a_login_say_so_and_the_token_still_signs() {
    let fx = Fixture::new();
    let server = CscServer::start(&fx.path("csc"));
    // nothing listens on port 1; the second account has no stored login
    let toml = format!(
        "[[remote]]\nname = \"vnpt\"\nbase_url = \"https://127.0.0.1:1/csc/v2\"\n\
         client_id = \"{CLIENT_ID}\"\nclient_secret_env = \"KYSO_TEST_SECRET\"\n\
         ca_file = \"{ca}\"\ntimeout_secs = 5\n\n\
         [[remote]]\nname = \"viettel\"\nbase_url = \"{base}\"\nclient_id = \"{CLIENT_ID}\"\n\
         auth = \"authorization_code\"\nca_file = \"{ca}\"\ntimeout_secs = 5\n\n{mysign}",
        ca = server.ca_pem.display(),
        base = server.base("v2"),
        mysign = remote_toml(&server, "mysign", r#"["cred-ec"]"#),
    );
    // the third account's service refuses kyso once (a passing outage)
    server.state().inject.insert(
        "oauth2/token".into(),
        (400, r#"{"error":"temporarily_unavailable"}"#.into()),
    );
    let pdf = fx.path("a.pdf");
    std::fs::copy(SPEC_PDF, &pdf).unwrap();
    let (app, _answers) = start(&fx, PIN, OTP, &toml);
    let cookie = app.cookie();
    let certs = certs_when(&app, &cookie, |c| {
        let rows: Vec<&Value> = c.iter().filter(|r| r.get("error").is_some()).collect();
        rows.len() == 3 && rows.iter().all(|r| r["code"] != "loading")
    });
    let problem = |account: &str| {
        certs
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["remote"] == account && r.get("error").is_some())
            .unwrap()
            .clone()
    };
    let down = problem("vnpt");
    assert_eq!(down["code"], "remote-unreachable", "{down:#}");
    let words = down["error"].as_str().unwrap();
    assert!(
        words.contains("không kết nối được") && words.contains("Thử lại"),
        "{words}"
    );
    let login = problem("viettel");
    assert_eq!(login["code"], "remote-login", "{login:#}");
    let words = login["error"].as_str().unwrap();
    assert!(words.contains("kyso remote login viettel"), "{words}");
    // none was asked for credentials it could not be logged in to see
    assert_eq!(server.state().count("credentials/list"), 0);

    // the token is listed and signs as ever
    let an = cert_of(&certs, "NGUYỄN VĂN AN");
    assert_eq!(an["token"], "kyso-test");
    let events = sign(&app, &cookie, &json!({"cert": an["id"], "files": [pdf]}));
    assert_eq!(events.last().unwrap()["signed"], 1, "{events:#?}");
    let report = pdfsig(&nss_db(&fx.path("nss")), &fx.path("a.signed.pdf"));
    assert!(report.contains("Signature is Valid"), "{report}");

    let passing = problem("mysign");
    assert!(
        passing["error"].as_str().unwrap().contains("mysign"),
        "{passing:#}"
    );

    // "try again" asks the accounts again and tells the page: the third one lists its
    // credential now, the others still say why they cannot
    let before = app.get_json(&cookie, "/api/events/count")["count"]
        .as_u64()
        .unwrap();
    post(&app, &cookie, "/api/certs/refresh", &json!({}));
    let events = app.get_json(&cookie, &format!("/api/events?from={before}"));
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "certs"),
        "{events:#}"
    );
    // each account answers on its own thread: the page hears each
    let certs = certs_when(&app, &cookie, |c| remote_row(c, "mysign/cred-ec").is_some());
    let rows = certs.as_array().unwrap();
    let row = remote_row(rows, "mysign/cred-ec").unwrap();
    assert_eq!(row["holder"], "NGUYỄN VĂN AN");
    let codes: Vec<&Value> = rows.iter().filter_map(|r| r.get("code")).collect();
    assert_eq!(
        codes,
        [&json!("remote-unreachable"), &json!("remote-login")]
    );
}

#[test]
fn a_slow_service_does_not_hold_back_the_other_accounts() {
    let fx = Fixture::new();
    let slow = CscServer::start(&fx.path("csc-slow"));
    slow.state().delay = Some(Duration::from_secs(20));
    let fast = CscServer::start(&fx.path("csc-fast"));
    // a third account that has no credential yet
    let empty = CscServer::start(&fx.path("csc-empty"));
    empty.state().creds.clear();
    let toml = format!(
        "{}\n{}\n{}",
        remote_toml(&slow, "cham", r#"["cred-ec"]"#),
        remote_toml(&fast, "nhanh", r#"["cred-ec"]"#),
        remote_toml(&empty, "trong", "[]")
    );
    let (app, _answers) = start(&fx, REMOTE_PIN, OTP, &toml);
    let cookie = app.cookie();
    // the second account is listed while the first one's service has not answered yet
    let certs = certs_when(&app, &cookie, |c| {
        remote_row(c, "nhanh/cred-ec").is_some()
            && c.iter()
                .any(|r| r["remote"] == "trong" && r["code"] == "none")
    });
    let waiting = certs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["remote"] == "cham")
        .unwrap_or_else(|| panic!("{certs:#}"));
    assert_eq!(waiting["code"], "loading", "{waiting:#}");
    let words = waiting["error"].as_str().unwrap();
    assert!(
        words.contains("đang hỏi") && words.contains("cham"),
        "{words}"
    );
    let none = certs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["remote"] == "trong")
        .unwrap();
    let words = none["error"].as_str().unwrap();
    assert!(words.contains("chưa có chứng thư"), "{words}");
}
