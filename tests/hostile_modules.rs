//! Hostile and broken PKCS#11 modules (test-support/bad-module, told how to lie by
//! `KYSO_BAD_MODULE`) listed next to SoftHSM: each failure is reported with the module's path
//! and the call, exactly as asserted here, and SoftHSM's tokens keep working. Every command runs
//! under a time and address-space limit ([`bounded`]): a lie must not hang kyso or make it
//! allocate gigabytes.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;

/// kyso.toml listing the bad module, then SoftHSM.
fn config(fx: &Fixture) -> PathBuf {
    let p = fx.path("hostile.toml");
    std::fs::write(
        &p,
        format!(
            "[[module]]\npath = \"{}\"\nname = \"bad\"\n\n[[module]]\npath = \"{SOFTHSM}\"\nname = \"softhsm\"\n",
            bad_module().display()
        ),
    )
    .unwrap();
    p
}

/// `kyso --config (bad + SoftHSM) ARGS…` with the bad module lying as `mode` says.
fn kyso(fx: &Fixture, mode: &str, args: &[&str]) -> Output {
    let mut c = fx.kyso();
    c.env("KYSO_BAD_MODULE", mode)
        .arg("--config")
        .arg(config(fx))
        .args(args);
    bounded(&c)
}

/// What kyso says of a C_Initialize that fails.
fn init_failed() -> String {
    format!(
        "PKCS#11 module {} failed to start: C_Initialize returned CKR_DEVICE_ERROR; check what the \
         module needs (its service, reader or configuration), or remove it from kyso.toml",
        bad_module().display()
    )
}

/// What kyso says of a length the module made up.
fn broken(function: &str, what: &str) -> String {
    format!(
        "PKCS#11 module {} is broken: {function} returned an impossible length: {what}; update \
         the module or remove it from kyso.toml",
        bad_module().display()
    )
}

#[track_caller]
fn assert_line(text: &str, line: &str) {
    assert!(
        text.lines().any(|l| l == line),
        "no line\n  {line}\nin:\n{text}"
    );
}

fn both(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

#[test]
fn a_module_whose_c_initialize_fails_is_named_and_softhsm_still_works() {
    let fx = Fixture::new();
    let warning = format!("[WARN  kyso::cli::context] module bad: {}", init_failed());

    let out = kyso(&fx, "init-fails", &["tokens"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("kyso-test\n"), "{}", stdout(&out));
    assert!(stdout(&out).contains("kyso-second\n"), "{}", stdout(&out));
    assert_eq!(stderr(&out), format!("{warning}\n"));

    let out = kyso(&fx, "init-fails", &["certs"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("[kyso-test] id 01"),
        "{}",
        stdout(&out)
    );
    assert_line(&stderr(&out), &warning);

    let out = kyso(&fx, "init-fails", &["--json", "modules"]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let m = json(&out);
    let bad = m.as_array().unwrap().iter().find(|m| m["name"] == "bad");
    assert_eq!(bad.unwrap()["loaded"], false);
    assert_eq!(bad.unwrap()["error"], init_failed().as_str());

    let doc = fx.path("to-bad.txt");
    std::fs::write(&doc, "Công văn số 7").unwrap();
    let pin = fx.pin_file(PIN);
    let out = kyso(
        &fx,
        "init-fails",
        &[
            "sign",
            "--token",
            "kyso-test",
            "--key-id",
            "01",
            "--format",
            "raw",
            "--pin-file",
            pin.to_str().unwrap(),
            doc.to_str().unwrap(),
        ],
    );
    assert_ok(&out);
    assert!(fx.path("to-bad.txt.sig").exists());

    // Alone, it is the error.
    let mut c = fx.kyso();
    c.env("KYSO_BAD_MODULE", "init-fails")
        .arg("--module")
        .arg(bad_module())
        .arg("certs");
    let out = bounded(&c);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert_line(
        &stderr(&out),
        &format!("kyso: no PKCS#11 module could be loaded: {}", init_failed()),
    );
}

#[test]
fn lying_slot_lists_are_reported_and_softhsm_tokens_still_listed() {
    let fx = Fixture::new();
    for (mode, what) in [
        (
            "slot-count-huge",
            "slot count: 4294967280 (at most 4096 expected)",
        ),
        (
            "slot-count-lies",
            "slot count 5 with CKR_OK for a list of 1",
        ),
        (
            "slot-list-grows",
            "CKR_BUFFER_TOO_SMALL 9 times in a row (slot count now 10)",
        ),
    ] {
        let out = kyso(&fx, mode, &["tokens"]);
        assert_ok(&out);
        assert!(
            stdout(&out).contains("kyso-test\n"),
            "{mode}: {}",
            both(&out)
        );
        assert!(!stdout(&out).contains("Bad Token"), "{mode}");
        assert_eq!(
            stderr(&out),
            format!(
                "[WARN  kyso::cli::context] module bad: cannot list tokens: {}\n",
                broken("C_GetSlotList", what)
            ),
            "{mode}"
        );
    }
}

#[test]
fn lying_attribute_and_search_lengths_are_reported_and_other_certificates_listed() {
    let fx = Fixture::new();
    for (mode, function, what) in [
        (
            "find-count-huge",
            "C_FindObjects",
            "object count 4294967280 for an array of 10 (4294967280 objects in all)",
        ),
        (
            "attr-length-huge",
            "C_GetAttributeValue",
            "value length of attribute 0x11: 4294967280 (at most 16777216 expected)",
        ),
        (
            "attr-overflow",
            "C_GetAttributeValue",
            "value length of attribute 0x11 after filling a buffer of 863 bytes: 4959 (at most 863 expected)",
        ),
        // Every lie at once: the first one met is reported.
        (
            "garbage-lengths",
            "C_GetSlotList",
            "slot count 5 with CKR_OK for a list of 1",
        ),
    ] {
        let out = kyso(&fx, mode, &["certs"]);
        assert!(
            stdout(&out).contains("[kyso-test] id 01"),
            "{mode}: {}",
            both(&out)
        );
        if mode == "garbage-lengths" {
            assert_ok(&out);
            assert_line(
                &stderr(&out),
                &format!(
                    "[WARN  kyso::cli::context] module bad: cannot list tokens: {}",
                    broken(function, what)
                ),
            );
            continue;
        }
        // Partly done: the other tokens' certificates are listed.
        assert_eq!(out.status.code(), Some(1), "{mode}: {}", both(&out));
        assert_eq!(
            stderr(&out),
            format!(
                "kyso: token 'Bad Token': certificates not read: {}\n",
                broken(function, what)
            ),
            "{mode}"
        );
    }

    // A value "unavailable" with CKR_OK: the certificate is skipped, not the token.
    let out = kyso(&fx, "attr-unavailable", &["certs"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("[kyso-test] id 01"), "{}", both(&out));
    assert_eq!(
        stderr(&out),
        "[WARN  kyso::pkcs11::token] token Bad Token: certificate 'bad' (id 42) skipped: broken \
         certificate: empty input, expected a DER certificate\n"
    );
}

fn sign_on(fx: &Fixture, mode: &str, token: &str, doc: &Path) -> Output {
    let pin = fx.pin_file(PIN);
    let mut args = vec!["sign", "--token", token, "--format", "raw", "--pin-file"];
    args.push(pin.to_str().unwrap());
    if token == "kyso-test" {
        args.extend(["--key-id", "01"]);
    }
    args.push(doc.to_str().unwrap());
    kyso(fx, mode, &args)
}

#[test]
fn lying_signature_lengths_fail_the_signature_and_nothing_is_written() {
    let fx = Fixture::new();
    let doc = fx.path("hop-dong.txt");
    std::fs::write(&doc, "Hợp đồng số 42").unwrap();
    let sig = fx.path("hop-dong.txt.sig");
    for (mode, error) in [
        // kyso signs into a buffer of the key's size without a length query: the lie comes
        // when that buffer is too small.
        (
            "sign-longer,sign-length-huge",
            broken(
                "C_Sign",
                "signature length: 4294967280 (at most 16777216 expected)",
            ),
        ),
        (
            "sign-overflow",
            broken(
                "C_Sign",
                "signature length after filling a buffer of 256 bytes: 320 (at most 256 expected)",
            ),
        ),
        // Honest lengths, bytes that are no signature: caught by the check of every signature.
        (
            "",
            "the token's signature does not verify with certificate 'bad': key and certificate \
             do not match, or the token is faulty; nothing was written"
                .to_owned(),
        ),
    ] {
        let out = sign_on(&fx, mode, "Bad Token", &doc);
        assert_eq!(out.status.code(), Some(1), "{mode}: {}", both(&out));
        assert_line(
            &both(&out),
            &format!("  failed: {}: {error}", doc.display()),
        );
        assert!(!sig.exists(), "{mode}: nothing written");
    }

    // A mechanism list that cannot be read leaves the key with nothing to sign with.
    let out = sign_on(&fx, "mech-count-huge", "Bad Token", &doc);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert_line(
        &stderr(&out),
        &format!(
            "[WARN  kyso::pkcs11::token] token Bad Token: cannot list mechanisms: {}",
            broken(
                "C_GetMechanismList",
                "mechanism count: 4294967280 (at most 4096 expected)"
            )
        ),
    );
    assert_line(
        &stderr(&out),
        "kyso: mechanism not supported by token 'Bad Token': rsa-pkcs1-sha256 with a RSA-2048 \
         key; this key can do: ",
    );
    assert!(!sig.exists());

    // SoftHSM, configured with the liar, signs.
    let out = sign_on(&fx, "garbage-lengths", "kyso-test", &doc);
    assert_ok(&out);
    assert!(sig.exists());
}

#[test]
fn token_strings_that_are_not_utf8_are_shown_with_replacement_characters() {
    let fx = Fixture::new();
    let out = kyso(&fx, "token-info-non-utf8", &["--json", "tokens"]);
    assert_ok(&out);
    let tokens = json(&out);
    let bad = tokens
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["module"] == "bad")
        .unwrap_or_else(|| panic!("{}", stdout(&out)));
    let shown = |raw: &[u8]| String::from_utf8_lossy(raw).trim().to_owned();
    assert_eq!(bad["label"], shown(b"Bad\xff\xfe Token \xc3"));
    assert_eq!(bad["label"], "Bad\u{fffd}\u{fffd} Token \u{fffd}");
    assert_eq!(bad["manufacturer"], shown(b"\xe1\xbb kyso"));
    assert_eq!(bad["model"], "\u{fffd}\u{fffd}\u{fffd}");
    assert_eq!(bad["serial"], shown(b"\xff\x00\xff42"));
    assert!(tokens
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["label"] == "kyso-test"));
}

/// The library itself: `Backend` and its tokens return errors naming the module path and the
/// call; nothing panics. One test (it sets the process environment the modules read).
#[test]
fn the_library_returns_errors_naming_the_module_and_the_call() {
    use kyso::config::ModuleConfig;
    use kyso::pkcs11::Backend;
    use kyso::{Error, HashAlg, SignatureAlgorithm, Token};

    let fx = Fixture::new();
    std::env::set_var("SOFTHSM2_CONF", &fx.conf);
    let configs = [
        ModuleConfig {
            name: Some("bad".into()),
            ..ModuleConfig::from_path(bad_module())
        },
        ModuleConfig::from_path(SOFTHSM),
    ];

    std::env::set_var("KYSO_BAD_MODULE", "init-fails");
    let backend = Backend::load(&configs);
    assert_eq!(backend.modules.len(), 1, "SoftHSM loaded");
    assert_eq!(backend.failures.len(), 1);
    assert!(matches!(backend.failures[0].1, Error::ModuleInit { .. }));
    assert_eq!(backend.failures[0].1.to_string(), init_failed());
    let (tokens, errors) = backend.tokens();
    assert!(errors.is_empty());
    assert!(tokens.iter().any(|t| t.label() == "kyso-test"));
    drop((tokens, backend));

    std::env::set_var("KYSO_BAD_MODULE", "slot-count-huge");
    let backend = Backend::load(&configs);
    let (tokens, errors) = backend.tokens();
    assert!(tokens.iter().any(|t| t.label() == "kyso-test"));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].0, "bad");
    assert_eq!(
        errors[0].1.to_string(),
        broken(
            "C_GetSlotList",
            "slot count: 4294967280 (at most 4096 expected)"
        )
    );
    drop((tokens, errors, backend));

    std::env::set_var("KYSO_BAD_MODULE", "attr-overflow");
    let backend = Backend::load(&configs);
    let (tokens, _) = backend.tokens();
    let bad = tokens.iter().find(|t| t.label() == "Bad Token").unwrap();
    let Err(e) = bad.certificates() else {
        panic!("certificates read through a lying module");
    };
    assert!(
        matches!(&e, Error::ModuleBroken { path, function, .. } if path == &bad_module() && function == "C_GetAttributeValue"),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        broken(
            "C_GetAttributeValue",
            "value length of attribute 0x11 after filling a buffer of 863 bytes: 4959 (at most 863 expected)"
        )
    );
    drop((tokens, backend));

    // A signature longer than the key says: asked again at the size the module wants (into
    // a buffer too short for it: said so, never overflowed).
    std::env::set_var("KYSO_BAD_MODULE", "sign-longer");
    let backend = Backend::load(&configs);
    let (tokens, _) = backend.tokens();
    let bad = tokens.iter().find(|t| t.label() == "Bad Token").unwrap();
    bad.login(&secrecy::SecretString::from("0000")).unwrap();
    let signer = bad.signers().unwrap().remove(0);
    let alg = SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256);
    let digest = HashAlg::Sha256.digest(b"x");
    assert_eq!(signer.sign_digest(alg, &digest).unwrap(), vec![0x5a; 320]);
    let mut out = [0u8; 512];
    assert_eq!(
        signer.sign_digest_into(alg, &digest, &mut out).unwrap(),
        320
    );
    assert_eq!(out[..320], [0x5a; 320]);
    let mut short = [0u8; 256];
    let e = signer
        .sign_digest_into(alg, &digest, &mut short)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
    assert_eq!(
        signer.sign_digest(alg, &digest).unwrap().len(),
        320,
        "the session is clean"
    );
    drop((signer, tokens, backend));

    std::env::set_var("KYSO_BAD_MODULE", "sign-overflow");
    let backend = Backend::load(&configs);
    let (tokens, _) = backend.tokens();
    let bad = tokens.iter().find(|t| t.label() == "Bad Token").unwrap();
    bad.login(&secrecy::SecretString::from("0000")).unwrap();
    let signer = bad.signers().unwrap().remove(0);
    let alg = SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256);
    let Err(e) = signer.sign_digest(alg, &HashAlg::Sha256.digest(b"x")) else {
        panic!("signed through a lying module");
    };
    assert!(e.is_token_failure(), "a batch stops on it");
    assert_eq!(
        e.to_string(),
        broken(
            "C_Sign",
            "signature length after filling a buffer of 256 bytes: 320 (at most 256 expected)"
        )
    );
}

/// kyso loading kyso's own PKCS#11 module (which loads SoftHSM from the same kyso.toml): alone,
/// it works once, without recursion (the module skips itself); listed next to SoftHSM, it is
/// not loaded (every token would show twice, SoftHSM initialised twice in one process).
#[test]
fn kyso_loading_its_own_module_works_once_or_is_refused_next_to_others() {
    let fx = Fixture::new();
    let module = kyso_module();
    let cfg = fx.path("with-kyso.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[module]]\npath = \"{SOFTHSM}\"\nname = \"softhsm\"\n\n[[module]]\npath = \"{}\"\nname = \"kyso\"\n",
            module.display()
        ),
    )
    .unwrap();
    let log = fx.path("kyso-module.log");

    let mut c = fx.kyso();
    c.env("KYSO_CONFIG", &cfg)
        .env("KYSO_LOG", &log)
        .arg("--module")
        .arg(&module)
        .arg("tokens");
    let out = bounded(&c);
    assert_ok(&out);
    assert_eq!(
        stdout(&out).matches("kyso-test\n").count(),
        1,
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("module libkyso_pkcs11.so slot "));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.lines().any(|l| l
            == format!(
                "kyso-pkcs11 WARN kyso_pkcs11::backend::slots: module {} skipped: it would load \
                 kyso itself: it is kyso's own module",
                module.display()
            )),
        "{text}"
    );

    let mut c = fx.kyso();
    c.arg("--config").arg(&cfg).args(["--json", "modules"]);
    let out = bounded(&c);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let m = json(&out);
    let kyso = m.as_array().unwrap().iter().find(|m| m["name"] == "kyso");
    assert_eq!(kyso.unwrap()["loaded"], false);
    assert_eq!(
        kyso.unwrap()["error"],
        format!(
            "{} is kyso's own PKCS#11 module: it re-exports the modules of kyso.toml, so listed \
             next to them it would show every token twice; not loaded (remove it from kyso.toml)",
            module.display()
        )
    );

    let mut c = fx.kyso();
    c.arg("--config").arg(&cfg).arg("tokens");
    let out = bounded(&c);
    assert_ok(&out);
    assert_eq!(stdout(&out).matches("kyso-test\n").count(), 1);
    assert!(stdout(&out).contains("module softhsm slot "));
}
