//! Remote signing credentials through `libkyso_pkcs11.so`: each credential of the CSC test
//! server is a slot; `C_Login` authorises (PIN + OTP from the helper), `C_Sign` is signHash.
//! Driven by OpenSC's pkcs11-tool; signatures verified by openssl.

#[path = "../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::csc::*;
use common::nss::*;
use common::*;

struct Setup {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    server: CscServer,
    config: PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_owned();
    let server = CscServer::start(&dir.join("server"));
    let config = server.kyso_toml("remote-test", "v2", "");
    Setup {
        _tmp: tmp,
        dir,
        server,
        config,
    }
}

fn pkcs11_tool(s: &Setup, args: &[&str]) -> Output {
    let module = kyso_module();
    assert!(module.exists(), "{} not built", module.display());
    Command::new("pkcs11-tool")
        .env("KYSO_CONFIG", &s.config)
        .env("XDG_DATA_HOME", s.dir.join("data"))
        .env("KYSO_TEST_SECRET", CLIENT_SECRET)
        .env("KYSO_LOG", s.dir.join("module.log"))
        .current_dir(&s.dir)
        .arg("--module")
        .arg(module)
        .args(args)
        .output()
        .unwrap()
}

fn pubkey(s: &Setup, cred: &str) -> PathBuf {
    let der = s
        .server
        .state()
        .creds
        .iter()
        .find(|c| c.id == cred)
        .unwrap()
        .chain[0]
        .clone();
    let cert = s.dir.join("cert.der");
    std::fs::write(&cert, der).unwrap();
    let out = Command::new("openssl")
        .args(["x509", "-inform", "DER", "-pubkey", "-noout", "-in"])
        .arg(&cert)
        .output()
        .unwrap();
    assert_ok(&out);
    let pem = s.dir.join(format!("{cred}.pub.pem"));
    std::fs::write(&pem, out.stdout).unwrap();
    pem
}

fn sign(s: &Setup, label: &str, pin: &str, mech: &str, input: &Path, extra: &[&str]) -> Output {
    let sig = s.dir.join("out.sig");
    let mut args = vec![
        "--token-label",
        label,
        "--login",
        "--pin",
        pin,
        "--sign",
        "-m",
        mech,
        "--input-file",
        input.to_str().unwrap(),
        "--output-file",
        sig.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    pkcs11_tool(s, &args)
}

#[test]
fn remote_credentials_are_slots_and_sign_through_pkcs11_tool() {
    let s = setup();
    let out = pkcs11_tool(&s, &["-L"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("token label        : remote-test/cred-ec"),
        "{text}"
    );
    assert!(
        text.contains("token label        : remote-test/cred-rsa"),
        "{text}"
    );

    let out = pkcs11_tool(&s, &["--token-label", "remote-test/cred-ec", "-O"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("Certificate Object"),
        "{}",
        stdout(&out)
    );

    let doc = s.dir.join("to-trinh.txt");
    std::fs::write(&doc, "Tờ trình ký số từ xa qua PKCS#11\n".repeat(100)).unwrap();
    let out = sign(
        &s,
        "remote-test/cred-ec",
        REMOTE_PIN,
        "ECDSA-SHA256",
        &doc,
        &["--signature-format", "openssl"],
    );
    assert_ok(&out);
    assert!(openssl_verify(
        &pubkey(&s, "cred-ec"),
        "ecdsa-sha256",
        &doc,
        &s.dir.join("out.sig")
    ));
    let out = sign(
        &s,
        "remote-test/cred-rsa",
        REMOTE_PIN,
        "SHA256-RSA-PKCS",
        &doc,
        &[],
    );
    assert_ok(&out);
    assert!(openssl_verify(
        &pubkey(&s, "cred-rsa"),
        "rsa-pkcs1-sha256",
        &doc,
        &s.dir.join("out.sig")
    ));
    let log = std::fs::read_to_string(s.dir.join("module.log")).unwrap_or_default();
    assert!(
        !log.contains(REMOTE_PIN) && !log.contains(OTP) && !log.contains("sad-"),
        "secrets in the log:\n{log}"
    );
    let st = s.server.state();
    assert_eq!(
        st.count("credentials/authorize"),
        2,
        "one C_Login per pkcs11-tool run"
    );
    assert_eq!(st.count("signatures/signHash"), 2);
    assert_eq!(
        st.bodies["credentials/authorize"]["authData"][0]["id"],
        "PIN"
    );
}

#[test]
fn wrong_remote_pin_is_ckr_pin_incorrect_and_not_retried() {
    let s = setup();
    let doc = s.dir.join("doc.txt");
    std::fs::write(&doc, "x").unwrap();
    let out = sign(
        &s,
        "remote-test/cred-ec",
        "111111",
        "ECDSA-SHA256",
        &doc,
        &[],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("CKR_PIN_INCORRECT"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(s.server.state().count("credentials/authorize"), 1);
}

#[test]
fn nss_cmsutil_signs_with_a_remote_credential_and_openssl_verifies() {
    let s = setup();
    let dbarg = nss_db(&s.dir.join("nssdb"));
    let nss = |program: &str| {
        let mut c = Command::new(program);
        c.env("KYSO_CONFIG", &s.config)
            .env("XDG_DATA_HOME", s.dir.join("data"))
            .env("KYSO_TEST_SECRET", CLIENT_SECRET)
            .env("KYSO_LOG", s.dir.join("module.log"))
            .current_dir(&s.dir);
        c
    };
    nss_add_module(nss("modutil"), &dbarg, "kyso", &kyso_module());
    let out = nss("certutil")
        .args(["-L", "-d", &dbarg, "-h", "all"])
        .output()
        .unwrap();
    assert_ok(&out);
    let text = stdout(&out);
    let nick = "remote-test/cred-ec:test credential cred-ec";
    assert!(text.contains(nick), "{text}");

    let msg = s.dir.join("to-trinh.txt");
    std::fs::write(&msg, "Tờ trình về việc phê duyệt kế hoạch\n").unwrap();
    let pin = s.dir.join("pin.txt");
    std::fs::write(&pin, REMOTE_PIN).unwrap();
    let p7s = s.dir.join("msg.p7s");
    cmsutil_sign(nss("cmsutil"), &dbarg, nick, &msg, &p7s, &pin);
    let (ok, err) = openssl_cms_verify_with(&s.server.ca_pem, &msg, &p7s);
    assert!(ok, "{err}");
    assert_eq!(s.server.state().count("credentials/authorize"), 1);
}
