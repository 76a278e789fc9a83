//! A token made only with softhsm2-util, openssl and pkcs11-tool, its key imported with
//! `--write-object` (a private object with no public key beside it): before login no private
//! key is visible, as on most real tokens. `kyso certs` and `kyso doctor` say so instead of
//! "no private key" / FAIL, and `--login` checks for real.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn run(c: &mut Command) {
    let out = c.output().unwrap();
    assert!(out.status.success(), "{c:?}: {}", stderr(&out));
}

/// A SoftHSM configuration in `dir` with one token, `hidden` (PIN 1234), holding an RSA key
/// imported as a private object and its self-signed certificate, both id 07.
fn hidden_key_token(dir: &Path) -> std::path::PathBuf {
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .unwrap();
    run(Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", &conf)
        .args(["--init-token", "--free", "--label", "hidden"])
        .args(["--pin", "1234", "--so-pin", "12345678"]));
    let p = |n: &str| dir.join(n);
    run(Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-utf8"])
        .args([
            "-subj",
            "/C=VN/CN=LÊ THỊ HOA/UID=CCCD:001199000777",
            "-days",
            "30",
        ])
        .arg("-keyout")
        .arg(p("key.pem"))
        .arg("-out")
        .arg(p("cert.pem")));
    run(Command::new("openssl")
        .args(["pkey", "-outform", "DER", "-in"])
        .arg(p("key.pem"))
        .arg("-out")
        .arg(p("key.der")));
    run(Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(p("cert.pem"))
        .arg("-out")
        .arg(p("cert.der")));
    for (file, kind) in [("key.der", "privkey"), ("cert.der", "cert")] {
        run(Command::new("pkcs11-tool")
            .env("SOFTHSM2_CONF", &conf)
            .args(["--module", SOFTHSM, "--token-label", "hidden", "--login"])
            .args(["--pin", "1234", "--write-object"])
            .arg(p(file))
            .args(["--type", kind, "--id", "07", "--label", "hoa"]));
    }
    std::fs::write(p("pin"), "1234").unwrap();
    conf
}

#[test]
fn keys_shown_only_after_login_are_not_called_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let conf = hidden_key_token(tmp.path());
    let kyso = |args: &[&str]| {
        Command::new(kyso_bin())
            .env("SOFTHSM2_CONF", &conf)
            .env_remove("KYSO_CONFIG")
            .env("XDG_CONFIG_HOME", tmp.path().join("no-config"))
            .current_dir(tmp.path())
            .arg("--module")
            .arg(SOFTHSM)
            .args(args)
            .output()
            .unwrap()
    };
    let out = kyso(&["certs"]);
    assert_ok(&out);
    assert!(
        stdout(&out)
            .contains("(private key not visible before login: `kyso certs --login` checks)"),
        "{}",
        stdout(&out)
    );
    let out = kyso(&["--json", "certs"]);
    assert_eq!(json(&out)[0]["private_key_hidden_until_login"], true);
    let out = kyso(&["certs", "--login", "--pin-file", "pin"]);
    assert_ok(&out);
    assert!(!stdout(&out).contains("private key"), "{}", stdout(&out));

    // doctor: a warning that says how to check, never a FAIL for what it could not see
    let out = kyso(&["--json", "doctor"]);
    let d = json(&out);
    let c = doctor_check(&d, "certificates found and not expired");
    assert_eq!(c["status"], "warn", "{d:#}");
    assert!(
        c["detail"]
            .as_str()
            .unwrap()
            .contains("not visible before login"),
        "{d:#}"
    );
    assert!(c["fix"].as_str().unwrap().contains("kyso doctor --login"));
    assert_eq!(out.status.code(), Some(0), "{d:#}");
    let out = kyso(&["--json", "doctor", "--login", "--pin-file", "pin"]);
    let d = json(&out);
    let c = doctor_check(&d, "certificates found and not expired");
    assert_eq!(c["status"], "ok", "{d:#}");
    assert!(
        c["detail"].as_str().unwrap().contains("LÊ THỊ HOA"),
        "{d:#}"
    );

    // and signing works with it, as it did
    std::fs::write(tmp.path().join("a.txt"), "Công văn").unwrap();
    let out = kyso(&["sign", "--format", "cms", "--pin-file", "pin", "a.txt"]);
    assert_ok(&out);
    assert!(tmp.path().join("a.txt.p7s").exists());
}
