//! A certificate whose common name carries terminal escape sequences (erase the line, return,
//! print "(trusted)") is shown escaped by `kyso verify`, so it cannot rewrite what the person
//! reads; `--json` keeps the exact name. The signature is made by OpenSSL, not kyso.

mod common;

use std::process::Command;

use common::*;

#[test]
fn escape_sequences_in_a_signers_name_are_printed_as_text() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |n: &str| tmp.path().join(n);
    let subject = "/C=VN/CN=EVIL\u{1b}[2K\rNGUYEN VAN AN (trusted)";
    let run = |c: &mut Command| {
        let out = c.output().unwrap();
        assert!(out.status.success(), "{c:?}: {}", stderr(&out));
    };
    run(Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "2", "-utf8", "-subj", subject, "-keyout"])
        .arg(p("evil.key"))
        .arg("-out")
        .arg(p("evil.pem")));
    std::fs::write(p("doc.txt"), "Giấy mời").unwrap();
    run(Command::new("openssl")
        .args(["cms", "-sign", "-binary", "-outform", "DER", "-signer"])
        .arg(p("evil.pem"))
        .arg("-inkey")
        .arg(p("evil.key"))
        .arg("-in")
        .arg(p("doc.txt"))
        .arg("-out")
        .arg(p("doc.txt.p7s")));
    let verify = |json: bool| {
        let mut c = Command::new(kyso_bin());
        c.env_remove("KYSO_CONFIG")
            .env("XDG_CONFIG_HOME", p("no-config"))
            .current_dir(tmp.path());
        if json {
            c.arg("--json");
        }
        c.args(["verify", "--offline", "--trust", "evil.pem", "doc.txt.p7s"])
            .output()
            .unwrap()
    };
    let out = verify(false);
    let text = stdout(&out);
    assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text:?}");
    assert!(
        text.contains("EVIL\\u{1b}[2K\\u{d}NGUYEN VAN AN (trusted)"),
        "{text}"
    );
    // JSON carries the exact name (JSON escapes it its own way)
    let raw = stdout(&verify(true));
    assert!(
        raw.contains(r#""common_name": "EVIL\u001b[2K\rNGUYEN VAN AN (trusted)""#),
        "{raw}"
    );
}
