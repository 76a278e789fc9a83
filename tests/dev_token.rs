//! `kyso dev-token` end to end, as the README and the demo use it.

mod common;

use std::process::Command;

use common::*;

fn kyso(env: &[(String, String)]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kyso"));
    c.env_remove("KYSO_CONFIG").env_remove("SOFTHSM2_CONF");
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// Parses `export NAME='value'` lines.
fn exports(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('\'').to_owned()))
        .collect()
}

#[test]
fn dev_token_creates_signs_and_openssl_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t");
    let out = kyso(&[])
        .args(["dev-token", "--dir"])
        .arg(&dir)
        .arg("--print-env")
        .output()
        .unwrap();
    assert_ok(&out);
    let env = exports(&stdout(&out));
    assert_eq!(env.len(), 2, "{}", stdout(&out));
    assert!(env.iter().any(|(k, _)| k == "SOFTHSM2_CONF"));

    // The certificates, as the example lists them.
    let out = kyso(&env)
        .args(["--module", SOFTHSM, "--json", "certs"])
        .output()
        .unwrap();
    assert_ok(&out);
    let certs = json(&out);
    let personal = certs
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "01")
        .unwrap();
    assert_eq!(personal["common_name"], "NGUYỄN VĂN AN");
    assert_eq!(personal["identity"]["cccd"], "001099012345");
    assert_eq!(personal["key_type"], "RSA-2048");
    let org = certs
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "02")
        .unwrap();
    assert_eq!(org["key_type"], "EC-P256");
    assert!(org["identity"]["mst"].is_string());

    // Sign two files (the default key is 01) and verify with openssl.
    std::fs::write(tmp.path().join("a.txt"), "Công văn số 1").unwrap();
    std::fs::write(tmp.path().join("b.txt"), "Công văn số 2").unwrap();
    std::fs::write(tmp.path().join("pin"), PIN).unwrap();
    let out = kyso(&env)
        .current_dir(tmp.path())
        .args([
            "--module",
            SOFTHSM,
            "sign",
            "--format",
            "raw",
            // Two keys on the token: the key is chosen before the PIN (issue 22).
            "--key-id",
            "01",
            "--pin-file",
            "pin",
            "a.txt",
            "b.txt",
        ])
        .output()
        .unwrap();
    assert_ok(&out);
    for f in ["a.txt", "b.txt"] {
        let p = tmp.path().join(f);
        assert!(openssl_verify(
            &dir.join("personal.pub.pem"),
            "rsa-pkcs1-sha256",
            &p,
            &p.with_extension("txt.sig")
        ));
    }
    // Without --module: KYSO_CONFIG from --print-env names the module; ECDSA key 02.
    let out = kyso(&env)
        .current_dir(tmp.path())
        .args([
            "sign",
            "--format",
            "raw",
            "--key-id",
            "02",
            "--pin-file",
            "pin",
            "a.txt",
        ])
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(openssl_verify(
        &dir.join("organisation.pub.pem"),
        "ecdsa-sha256",
        &tmp.path().join("a.txt"),
        &tmp.path().join("a.txt.sig")
    ));

    // The certificates chain to the test CA for openssl too, and carry the UID attribute.
    for leaf in ["personal.pem", "organisation.pem"] {
        let out = Command::new("openssl")
            .arg("verify")
            .arg("-CAfile")
            .arg(dir.join("ca.pem"))
            .arg(dir.join(leaf))
            .output()
            .unwrap();
        assert_ok(&out);
    }
    let out = Command::new("openssl")
        .args([
            "x509",
            "-noout",
            "-subject",
            "-nameopt",
            "RFC2253,-esc_msb",
            "-in",
        ])
        .arg(dir.join("personal.pem"))
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("UID=CCCD:001099012345,CN=NGUYỄN VĂN AN,L=Hà Nội,C=VN"),
        "{}",
        stdout(&out)
    );

    // A second run reuses the token rather than making another.
    let out = kyso(&[])
        .args(["dev-token", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(stdout(&out).contains("reused"), "{}", stdout(&out));
    let out = kyso(&env).args(["--json", "tokens"]).output().unwrap();
    assert_eq!(json(&out).as_array().unwrap().len(), 1);
}
