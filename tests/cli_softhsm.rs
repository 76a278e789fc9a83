//! The `kyso` command against SoftHSM tokens made by hand with softhsm2-util, pkcs11-tool and
//! openssl; every signature is verified by openssl.

mod common;

use common::*;
use serde_json::json;

fn cert<'a>(certs: &'a serde_json::Value, token: &str, id: &str) -> &'a serde_json::Value {
    certs
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["token"] == token && c["id"] == id)
        .unwrap_or_else(|| panic!("no cert {id} on {token}: {certs:#}"))
}

/// `sign --token kyso-test --key-id KEY --pin-file PIN_FILE ARGS…`: the default format, the
/// PIN file the test's.
fn sign_args(key_id: &str, pin_file: &str, args: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = [
        "sign",
        "--format",
        "raw",
        "--token",
        "kyso-test",
        "--key-id",
        key_id,
        "--pin-file",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push(pin_file.to_owned());
    v.extend(args.iter().map(|s| s.to_string()));
    v
}

#[test]
fn certs_json_lists_every_certificate_with_identity_and_key_state() {
    let fx = Fixture::new();
    let out = fx.run(&["--json", "certs"]);
    assert_ok(&out);
    let certs = json(&out);
    assert_eq!(certs.as_array().unwrap().len(), 7, "{certs:#}");

    let c = cert(&certs, "kyso-test", "01");
    assert_eq!(c["common_name"], "NGUYỄN VĂN AN");
    assert_eq!(c["identity"], json!({"cccd": "001099012345"}));
    assert_eq!(c["key_type"], "RSA-2048");
    assert_eq!(c["has_private_key"], true);
    assert_eq!(c["label"], "rsa2048");
    assert_eq!(c["serial"], "1001");
    assert!(c["subject"].as_str().unwrap().contains("CN=NGUYỄN VĂN AN"));
    assert!(c["subject"].as_str().unwrap().contains("L=Hà Nội"));
    assert!(c["issuer"].as_str().unwrap().contains("CN=Kyso Test CA"));
    for field in ["not_before", "not_after"] {
        let v = c[field].as_str().unwrap();
        assert!(
            time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339).is_ok(),
            "{v}"
        );
    }

    assert_eq!(cert(&certs, "kyso-test", "02")["key_type"], "RSA-3072");
    assert_eq!(
        cert(&certs, "kyso-test", "02")["identity"],
        json!({"cmnd": "123456789"})
    );
    let p256 = cert(&certs, "kyso-test", "03");
    assert_eq!(p256["key_type"], "EC-P256");
    assert_eq!(p256["identity"], json!({"mst": "0100686209-199"}));
    let p384 = cert(&certs, "kyso-test", "04");
    assert_eq!(p384["key_type"], "EC-P384");
    assert_eq!(p384["identity"]["mst"], "0312345678");
    assert_eq!(p384["identity"]["cccd"], "079088001234");
    assert_eq!(
        cert(&certs, "kyso-test", "06")["has_private_key"],
        false,
        "certificate without key"
    );
    assert_eq!(cert(&certs, "kyso-second", "11")["has_private_key"], true);
}

#[test]
fn text_listings_of_modules_tokens_and_certs() {
    let fx = Fixture::new();
    let m = fx.run(&["modules"]);
    assert_ok(&m);
    assert!(stdout(&m).contains("SoftHSM"), "{}", stdout(&m));
    let t = fx.run(&["--json", "tokens"]);
    assert_ok(&t);
    let tokens = json(&t);
    let labels: Vec<_> = tokens
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].clone())
        .collect();
    assert!(
        labels.contains(&json!("kyso-test")) && labels.contains(&json!("kyso-second")),
        "{tokens:#}"
    );
    assert_eq!(tokens[0]["pin"]["locked"], false);
    assert_eq!(tokens[0]["manufacturer"], "SoftHSM project");
    // Before login a missing key cannot be told from a hidden one (issue 21): kyso says so;
    // after login it knows.
    let c = fx.run(&["certs", "--token", "kyso-test"]);
    assert_ok(&c);
    assert!(
        stdout(&c).contains(
            "HOÀNG MINH ĐỨC [kyso-test] id 06 (private key not visible before login: `kyso certs \
             --login` checks)"
        ),
        "{}",
        stdout(&c)
    );
    let pin = fx.pin_file(PIN);
    let c = fx.run(&[
        "certs",
        "--token",
        "kyso-test",
        "--login",
        "--pin-file",
        pin.to_str().unwrap(),
    ]);
    assert_ok(&c);
    assert!(
        stdout(&c).contains("HOÀNG MINH ĐỨC [kyso-test] id 06 (no private key)"),
        "{}",
        stdout(&c)
    );
    assert!(!stdout(&c).contains("VŨ ĐÌNH KHOA"), "--token filters");
}

/// Every algorithm on every key type, verified by openssl.
#[test]
fn sign_every_algorithm_and_openssl_verifies() {
    let fx = Fixture::new();
    let doc = fx.path("quyet-dinh.txt");
    std::fs::write(
        &doc,
        "Quyết định số 123/QĐ-UBND về việc ký số tài liệu\n".repeat(1000),
    )
    .unwrap();
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "01",
            "rsa2048",
            &[
                "rsa-pkcs1-sha256",
                "rsa-pkcs1-sha384",
                "rsa-pkcs1-sha512",
                "rsa-pss-sha256",
                "rsa-pss-sha384",
                "rsa-pss-sha512",
            ],
        ),
        ("02", "rsa3072", &["rsa-pkcs1-sha256", "rsa-pss-sha512"]),
        ("03", "p256", &["ecdsa-sha256", "ecdsa-sha384"]),
        ("04", "p384", &["ecdsa-sha384", "ecdsa-sha256"]),
    ];
    for (id, label, algs) in cases {
        for alg in *algs {
            let out = fx.sign("raw", id, &["--algorithm", alg, doc.to_str().unwrap()]);
            assert_ok(&out);
            let sig = fx.path("quyet-dinh.txt.sig");
            assert!(
                openssl_verify(&fx.path(&format!("{label}.pub.pem")), alg, &doc, &sig),
                "openssl rejects {alg} by key {id}"
            );
            // A tampered document must fail, or the check proves nothing.
            let tampered = fx.path("tampered.txt");
            std::fs::write(&tampered, "Quyết định số 124").unwrap();
            assert!(!openssl_verify(
                &fx.path(&format!("{label}.pub.pem")),
                alg,
                &tampered,
                &sig
            ));
        }
    }
}

#[test]
fn batch_signs_many_files_with_one_login_and_one_session_set() {
    let fx = Fixture::new();
    let pin = fx.pin_file(PIN);
    let outdir = fx.path("sigs");
    std::fs::create_dir(&outdir).unwrap();
    let files: Vec<String> = (0..20)
        .map(|i| {
            let p = fx.path(&format!("doc{i}.txt"));
            std::fs::write(&p, format!("Văn bản số {i}")).unwrap();
            p.display().to_string()
        })
        .collect();
    let mut extra = vec!["--out-dir", outdir.to_str().unwrap(), "--json"];
    extra.extend(strs(&files));
    let args = sign_args("01", pin.to_str().unwrap(), &extra);
    let (out, log) = fx.run_spied(&strs(&args));
    assert_ok(&out);
    let report = json(&out);
    assert_eq!(report["signed"].as_array().unwrap().len(), 20);
    assert_eq!(report["failed"], json!([]));
    assert_eq!(spy_count(&log, "C_Login"), 1, "one login for the batch");
    assert_eq!(spy_count(&log, "C_SignInit"), 20);
    assert!(
        spy_count(&log, "C_OpenSession") <= 3,
        "sessions are reused, not opened per signature"
    );
    for i in 0..20 {
        assert!(openssl_verify(
            &fx.path("rsa2048.pub.pem"),
            "rsa-pkcs1-sha256",
            &fx.path(&format!("doc{i}.txt")),
            &outdir.join(format!("doc{i}.txt.sig"))
        ));
    }
}

#[test]
fn always_authenticate_key_presents_the_pin_per_signature() {
    let fx = Fixture::new();
    let pin = fx.pin_file(PIN);
    let a = fx.path("a.txt");
    let b = fx.path("b.txt");
    std::fs::write(&a, "một").unwrap();
    std::fs::write(&b, "hai").unwrap();
    let (out, log) = fx.run_spied(&strs(&sign_args(
        "05",
        pin.to_str().unwrap(),
        &[a.to_str().unwrap(), b.to_str().unwrap()],
    )));
    assert_ok(&out);
    let spy = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        spy.matches("userType = CKU_CONTEXT_SPECIFIC").count(),
        2,
        "one context login per signature"
    );
    assert_eq!(spy.matches("userType = CKU_USER").count(), 1);
    for f in [&a, &b] {
        let sig = f.with_extension("txt.sig");
        assert!(openssl_verify(
            &fx.path("always-auth.pub.pem"),
            "rsa-pkcs1-sha256",
            f,
            &sig
        ));
    }
}

#[test]
fn wrong_pin_reports_retries_and_is_never_retried() {
    let fx = Fixture::new();
    let bad = fx.pin_file("000000");
    let a = fx.path("a.txt");
    std::fs::write(&a, "x").unwrap();
    let (out, log) = fx.run_spied(&strs(&sign_args(
        "01",
        bad.to_str().unwrap(),
        &[a.to_str().unwrap(), a.to_str().unwrap()],
    )));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("wrong PIN"), "{err}");
    assert!(
        err.contains("few attempts are left"),
        "SoftHSM sets CKF_USER_PIN_COUNT_LOW: {err}"
    );
    assert_eq!(spy_count(&log, "C_Login"), 1, "exactly one attempt");
    assert!(!a.with_extension("txt.sig").exists(), "nothing written");

    let t = json(&fx.run(&["--json", "tokens", "--token", "kyso-test"]));
    assert_eq!(t[0]["pin"]["count_low"], true);
    // The right PIN still works and clears the flag: nothing was locked.
    let good = fx.pin_file(PIN);
    assert_ok(&fx.run(&strs(&sign_args(
        "01",
        good.to_str().unwrap(),
        &[a.to_str().unwrap()],
    ))));
    let t = json(&fx.run(&["--json", "tokens", "--token", "kyso-test"]));
    assert_eq!(t[0]["pin"]["count_low"], false);
}

#[test]
fn final_try_is_named_when_the_token_says_so() {
    let fx = Fixture::new();
    // Inputs are checked before the PIN (issue 22): the stand-in input must exist.
    std::fs::write(fx.path("Cargo.toml"), "x").unwrap();
    fx.set_token_flags("kyso-test", FINAL_TRY);
    let bad = fx.pin_file("000000");
    let out = fx.run(&strs(&sign_args(
        "01",
        bad.to_str().unwrap(),
        &["Cargo.toml"],
    )));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("ONE attempt is left"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn locked_pin_is_reported_without_a_login_attempt() {
    let fx = Fixture::new();
    fx.set_token_flags("kyso-test", LOCKED);
    let t = json(&fx.run(&["--json", "tokens", "--token", "kyso-test"]));
    assert_eq!(t[0]["pin"]["locked"], true);
    let pin = fx.pin_file(PIN);
    let a = fx.path("a.txt");
    std::fs::write(&a, "x").unwrap();
    let (out, log) = fx.run_spied(&[
        "sign",
        "--format",
        "raw",
        "--token",
        "kyso-test",
        "--pin-file",
        pin.to_str().unwrap(),
        a.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("PIN of token 'kyso-test' is locked"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        spy_count(&log, "C_Login"),
        0,
        "a locked token is not even tried"
    );
}

#[test]
fn certificate_without_key_cannot_sign() {
    let fx = Fixture::new();
    // Inputs are checked before the PIN (issue 22): the stand-in input must exist.
    std::fs::write(fx.path("Cargo.toml"), "x").unwrap();
    let pin = fx.pin_file(PIN);
    let out = fx.run(&strs(&sign_args(
        "06",
        pin.to_str().unwrap(),
        &["Cargo.toml"],
    )));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("key not found") && stderr(&out).contains("06"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_module_is_named_with_its_path() {
    let fx = Fixture::new();
    let mut c = fx.kyso();
    let out = c
        .args([
            "--module",
            "/nonexistent/libvnpt-ca.so",
            "--json",
            "modules",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let m = json(&out);
    assert_eq!(m[0]["loaded"], false);
    assert!(m[0]["error"]
        .as_str()
        .unwrap()
        .contains("/nonexistent/libvnpt-ca.so"));
    assert!(m[0]["error"].as_str().unwrap().contains("no such file"));

    let out = fx
        .kyso()
        .args(["--module", "/nonexistent/libvnpt-ca.so", "certs"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/nonexistent/libvnpt-ca.so"),
        "{}",
        stderr(&out)
    );

    // A file that is not a shared library: the loader's message is passed on.
    let out = fx
        .kyso()
        .args(["--module", fx.conf.to_str().unwrap(), "--json", "modules"])
        .output()
        .unwrap();
    let m = json(&out);
    assert!(
        m[0]["error"].as_str().unwrap().contains("softhsm2.conf"),
        "{m:#}"
    );
}

#[test]
fn two_modules_loaded_at_once() {
    let fx = Fixture::new();
    let out = fx
        .kyso()
        .args(["--module", SOFTHSM, "--module", OPENSC, "--json", "modules"])
        .output()
        .unwrap();
    assert_ok(&out);
    let m = json(&out);
    assert_eq!(m.as_array().unwrap().len(), 2);
    assert!(
        m.as_array().unwrap().iter().all(|x| x["loaded"] == true),
        "{m:#}"
    );
    assert!(
        m[1]["manufacturer"].as_str().unwrap().contains("OpenSC"),
        "{m:#}"
    );
    let out = fx
        .kyso()
        .args(["--module", SOFTHSM, "--module", OPENSC, "--json", "certs"])
        .output()
        .unwrap();
    assert_ok(&out);
    assert_eq!(json(&out).as_array().unwrap().len(), 7);
}

#[test]
fn several_tokens_need_a_choice_and_token_selects() {
    let fx = Fixture::new();
    let pin = fx.pin_file("654321");
    let a = fx.path("a.txt");
    std::fs::write(&a, "x").unwrap();
    let out = fx.run(&[
        "sign",
        "--format",
        "raw",
        "--pin-file",
        pin.to_str().unwrap(),
        a.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--token"), "{}", stderr(&out));
    let out = fx.run(&[
        "sign",
        "--format",
        "raw",
        "--token",
        "kyso-second",
        "--pin-file",
        pin.to_str().unwrap(),
        a.to_str().unwrap(),
    ]);
    assert_ok(&out);
    assert!(openssl_verify(
        &fx.path("second.pub.pem"),
        "rsa-pkcs1-sha256",
        &a,
        &fx.path("a.txt.sig")
    ));
    // The key id alone picks the token when only one holds it.
    let out = fx.run(&[
        "sign",
        "--format",
        "raw",
        "--key-id",
        "11",
        "--pin-file",
        pin.to_str().unwrap(),
        a.to_str().unwrap(),
    ]);
    assert_ok(&out);
}

#[test]
fn config_file_modules_and_avoided_mechanisms() {
    let fx = Fixture::new();
    let cfg = fx.path("kyso.toml");
    std::fs::write(
        &cfg,
        format!("[[module]]\npath = \"{SOFTHSM}\"\nname = \"softhsm\"\navoid_mechanisms = [\"CKM_RSA_PKCS\", \"CKM_RSA_PKCS_PSS\"]\n"),
    )
    .unwrap();
    let pin = fx.pin_file(PIN);
    let a = fx.path("a.txt");
    std::fs::write(&a, "Tờ khai thuế").unwrap();
    // Through KYSO_CONFIG; raw RSA mechanisms avoided, so kyso must use CKM_SHA256_RSA_PKCS.
    let log = fx.path("spy.log");
    std::fs::write(
        &cfg,
        std::fs::read_to_string(&cfg).unwrap().replace(SOFTHSM, SPY),
    )
    .unwrap();
    let out = fx
        .kyso()
        .env("KYSO_CONFIG", &cfg)
        .env("PKCS11SPY", SOFTHSM)
        .env("PKCS11SPY_OUTPUT", &log)
        .args([
            "sign",
            "--format",
            "raw",
            "--token",
            "kyso-test",
            "--key-id",
            "01",
            "--algorithm",
            "rsa-pss-sha256",
            "--pin-file",
            pin.to_str().unwrap(),
            a.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_ok(&out);
    let spy = std::fs::read_to_string(&log).unwrap();
    assert!(
        spy.contains("CKM_SHA256_RSA_PKCS_PSS"),
        "hashing mechanism used"
    );
    assert!(openssl_verify(
        &fx.path("rsa2048.pub.pem"),
        "rsa-pss-sha256",
        &a,
        &fx.path("a.txt.sig")
    ));

    // --config names it explicitly; a broken file is reported with its path.
    std::fs::write(&cfg, "[[module]]\npaht = 1\n").unwrap();
    let out = fx
        .kyso()
        .args(["--config", cfg.to_str().unwrap(), "certs"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("kyso.toml"), "{}", stderr(&out));
    // No configuration at all: say what to do.
    let out = fx.kyso().args(["certs"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--module"), "{}", stderr(&out));
}

#[test]
fn pin_from_fd_and_env_never_from_argv() {
    let fx = Fixture::new();
    let a = fx.path("a.txt");
    std::fs::write(&a, "x").unwrap();
    let pin = fx.pin_file(PIN);
    let kyso = env!("CARGO_BIN_EXE_kyso");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "'{kyso}' --module {SOFTHSM} sign --format raw --token kyso-test --key-id 03 --pin-fd 3 '{}' 3<'{}'",
            a.display(),
            pin.display()
        ))
        .env("SOFTHSM2_CONF", &fx.conf)
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(openssl_verify(
        &fx.path("p256.pub.pem"),
        "ecdsa-sha256",
        &a,
        &fx.path("a.txt.sig")
    ));
    let out = fx
        .kyso()
        .env("MY_TOKEN_PIN", PIN)
        .args([
            "--module",
            SOFTHSM,
            "sign",
            "--format",
            "raw",
            "--token",
            "kyso-test",
            "--key-id",
            "04",
            "--pin-env",
            "MY_TOKEN_PIN",
            a.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(openssl_verify(
        &fx.path("p384.pub.pem"),
        "ecdsa-sha384",
        &a,
        &fx.path("a.txt.sig")
    ));
    // There is no option that takes the PIN itself.
    let out = fx.run(&["sign", "--format", "raw", "--pin", PIN, a.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    // No terminal and no PIN option: a clear error, not a hang.
    let out = fx
        .kyso()
        .args([
            "--module",
            SOFTHSM,
            "sign",
            "--format",
            "raw",
            "--token",
            "kyso-test",
            a.to_str().unwrap(),
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
}

#[test]
fn unreadable_file_fails_alone_and_others_are_signed() {
    let fx = Fixture::new();
    let pin = fx.pin_file(PIN);
    let a = fx.path("a.txt");
    std::fs::write(&a, "x").unwrap();
    let out = fx.run(&strs(&sign_args(
        "01",
        pin.to_str().unwrap(),
        &["missing.txt", a.to_str().unwrap()],
    )));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("missing.txt"));
    assert!(openssl_verify(
        &fx.path("rsa2048.pub.pem"),
        "rsa-pkcs1-sha256",
        &a,
        &fx.path("a.txt.sig")
    ));
    assert!(!fx.path("missing.txt.sig").exists());
}

#[test]
fn unsupported_algorithm_for_key_is_refused_clearly() {
    let fx = Fixture::new();
    // Inputs are checked before the PIN (issue 22): the stand-in input must exist.
    std::fs::write(fx.path("Cargo.toml"), "x").unwrap();
    let pin = fx.pin_file(PIN);
    let out = fx.run(&[
        "sign",
        "--format",
        "raw",
        "--token",
        "kyso-test",
        "--key-id",
        "03",
        "--algorithm",
        "rsa-pss-sha256",
        "--pin-file",
        pin.to_str().unwrap(),
        "Cargo.toml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("ecdsa-sha256"),
        "lists what the key can do: {}",
        stderr(&out)
    );
    let out = fx.run(&[
        "sign",
        "--format",
        "raw",
        "--token",
        "kyso-test",
        "--algorithm",
        "md5",
        "--pin-file",
        pin.to_str().unwrap(),
        "Cargo.toml",
    ]);
    assert!(
        stderr(&out).contains("unknown algorithm"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn outputs_get_the_usual_file_mode_not_the_temporary_files() {
    use std::os::unix::fs::PermissionsExt;
    let fx = Fixture::new();
    let pin = fx.pin_file(PIN);
    let a = fx.path("a.txt");
    std::fs::write(&a, "x").unwrap();
    let out = fx
        .kyso()
        .args(["--module", SOFTHSM])
        .args(sign_args(
            "01",
            pin.to_str().unwrap(),
            &[a.to_str().unwrap()],
        ))
        .output()
        .unwrap();
    assert_ok(&out);
    let mode = std::fs::metadata(fx.path("a.txt.sig"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    // Tests run with umask 022 or 002: readable by others either way, never 0600.
    assert!(mode & 0o044 == 0o044, "mode {mode:o}");
}
