//! Real PKCS#11 consumers driving `libkyso_pkcs11.so` with SoftHSM tokens (made by hand with
//! independent tools) behind it: OpenSC's pkcs11-tool, NSS (modutil, certutil, cmsutil) and
//! p11-kit. Every signature is verified by openssl.

#[path = "../../tests/common/mod.rs"]
mod common;

use std::path::Path;

use common::nss::*;
use common::*;

fn module() -> String {
    let m = kyso_module();
    assert!(
        m.exists(),
        "{} not built: run `cargo build --workspace` first",
        m.display()
    );
    m.display().to_string()
}

fn pkcs11_tool(fx: &Fixture, args: &[&str]) -> std::process::Output {
    fx.through_module("pkcs11-tool")
        .arg("--module")
        .arg(module())
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn pkcs11_tool_lists_slots_tokens_and_objects() {
    let fx = Fixture::new();
    let out = pkcs11_tool(&fx, &["-L"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("token label        : kyso-test"), "{text}");
    assert!(text.contains("token label        : kyso-second"), "{text}");
    assert!(
        text.contains("token manufacturer : SoftHSM project"),
        "identity passed through: {text}"
    );
    let out = pkcs11_tool(&fx, &["--token-label", "kyso-test", "-O"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert_eq!(
        text.matches("Certificate Object; type = X.509 cert")
            .count(),
        6,
        "{text}"
    );
    assert_eq!(
        text.matches("Public Key Object").count(),
        5,
        "one per key: {text}"
    );
    assert_eq!(
        text.matches("Private Key Object").count(),
        0,
        "private keys need a login"
    );
    assert!(text.contains("label:      rsa2048") && text.contains("ID:         01"));
    let out = pkcs11_tool(
        &fx,
        &[
            "--token-label",
            "kyso-test",
            "--login",
            "--pin",
            PIN,
            "-O",
            "--type",
            "privkey",
        ],
    );
    assert_ok(&out);
    let text = stdout(&out);
    assert_eq!(text.matches("Private Key Object").count(), 5, "{text}");
    assert!(
        text.contains("always authenticate"),
        "CKA_ALWAYS_AUTHENTICATE passed through: {text}"
    );
}

#[test]
fn pkcs11_tool_signs_rsa_pss_and_ecdsa_and_openssl_verifies() {
    let fx = Fixture::new();
    let doc = fx.path("doc.txt");
    std::fs::write(&doc, "Quyết định số 42/QĐ-UBND\n").unwrap();
    let digest = fx.path("doc.sha256");
    std::fs::write(
        &digest,
        kyso::HashAlg::Sha256.digest(&std::fs::read(&doc).unwrap()),
    )
    .unwrap();
    let digest384 = fx.path("doc.sha384");
    std::fs::write(
        &digest384,
        kyso::HashAlg::Sha384.digest(&std::fs::read(&doc).unwrap()),
    )
    .unwrap();
    // (key id, pkcs11-tool mechanism, fixture label, input file, algorithm for openssl, options)
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a str,
        &'a std::path::Path,
        &'a str,
        &'a [&'a str],
    );
    let cases: &[Case] = &[
        (
            "01",
            "SHA256-RSA-PKCS",
            "rsa2048",
            &doc,
            "rsa-pkcs1-sha256",
            &[],
        ),
        (
            "02",
            "SHA384-RSA-PKCS-PSS",
            "rsa3072",
            &doc,
            "rsa-pss-sha384",
            &[],
        ),
        (
            "05",
            "SHA256-RSA-PKCS",
            "always-auth",
            &doc,
            "rsa-pkcs1-sha256",
            &[],
        ),
        (
            "03",
            "ECDSA",
            "p256",
            &digest,
            "ecdsa-sha256",
            &["--signature-format", "openssl"],
        ),
        (
            "04",
            "ECDSA",
            "p384",
            &digest384,
            "ecdsa-sha384",
            &["--signature-format", "openssl"],
        ),
    ];
    for (id, mech, label, input, alg, extra) in cases {
        let sig = fx.path(&format!("{label}.sig"));
        let mut args = vec![
            "--token-label",
            "kyso-test",
            "--login",
            "--pin",
            PIN,
            "--sign",
            "-m",
            mech,
            "--id",
            id,
            "--input-file",
            input.to_str().unwrap(),
            "--output-file",
            sig.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let out = pkcs11_tool(&fx, &args);
        assert_ok(&out);
        assert!(
            openssl_verify(&fx.path(&format!("{label}.pub.pem")), alg, &doc, &sig),
            "openssl rejects {mech} by key {id}"
        );
    }
}

#[test]
fn pkcs11_tool_self_test_passes_on_a_sign_only_token() {
    let fx = Fixture::new();
    let out = pkcs11_tool(
        &fx,
        &[
            "--token-label",
            "kyso-second",
            "--login",
            "--pin",
            "654321",
            "--test",
            "--allow-sw",
        ],
    );
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains("No errors"), "{text}");
    assert!(
        text.contains("SHA256-RSA-PKCS: OK"),
        "signatures were exercised: {text}"
    );
}

#[test]
fn nss_lists_certificates_and_cmsutil_signs_what_openssl_verifies() {
    let fx = Fixture::new();
    let dbarg = nss_db(&fx.path("nssdb"));
    nss_add_module(
        fx.through_module("modutil"),
        &dbarg,
        "kyso",
        Path::new(&module()),
    );
    let out = fx
        .through_module("certutil")
        .args(["-L", "-d", &dbarg, "-h", "all"])
        .output()
        .unwrap();
    assert_ok(&out);
    let text = stdout(&out);
    for nick in [
        "kyso-test:rsa2048",
        "kyso-test:p256",
        "kyso-test:p384",
        "kyso-second:second",
    ] {
        let line = text
            .lines()
            .find(|l| l.starts_with(nick))
            .unwrap_or_else(|| panic!("{nick} missing: {text}"));
        assert!(
            line.trim_end().ends_with("u,u,u"),
            "NSS sees the key of {nick}: {line}"
        );
    }
    let line = text
        .lines()
        .find(|l| l.starts_with("kyso-test:cert-only"))
        .unwrap();
    assert!(!line.contains('u'), "no key behind cert-only: {line}");

    let msg = fx.path("to-trinh.txt");
    std::fs::write(&msg, "Tờ trình về việc phê duyệt kế hoạch\n").unwrap();
    let pin = fx.pin_file(PIN);
    for nick in ["kyso-test:rsa2048", "kyso-test:p256", "kyso-test:p384"] {
        let p7s = fx.path("msg.p7s");
        cmsutil_sign(fx.through_module("cmsutil"), &dbarg, nick, &msg, &p7s, &pin);
        let (ok, err) = openssl_cms_verify(&fx, &msg, &p7s);
        assert!(ok, "{nick}: {err}");
    }
}

/// p11-kit reads user module files only for non-root users, and CI runs as root: the test
/// puts `kyso.module` in a private mount namespace over p11-kit's system module directory.
#[test]
fn p11_kit_lists_the_module_from_its_module_file() {
    let fx = Fixture::new();
    let dir = fx.path("p11-kit-modules");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("kyso.module"), format!("module: {}\n", module())).unwrap();
    let out = fx
        .through_module("unshare")
        .arg("-m")
        .arg("sh")
        .arg("-c")
        .arg(format!(
            "mount --bind '{}' /usr/share/p11-kit/modules && exec p11-kit list-modules",
            dir.display()
        ))
        .output()
        .unwrap();
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.starts_with("kyso: "), "{text}");
    assert!(
        text.contains("library-description: kyso PKCS#11 module"),
        "{text}"
    );
    assert!(
        text.contains("token: kyso-test"),
        "tokens listed through p11-kit: {text}"
    );
}

/// pkcs11-tool through the module under valgrind: no invalid reads or writes, no leaks. The
/// suppressions cover only one-time statics left behind when the host unloads the module.
#[test]
fn pkcs11_tool_through_the_module_is_clean_under_valgrind() {
    let fx = Fixture::new();
    let doc = fx.path("doc.txt");
    std::fs::write(&doc, "Báo cáo").unwrap();
    let supp = repo_root().join("pkcs11-module/valgrind/kyso.supp");
    let host_supp = repo_root().join("pkcs11-module/valgrind/pkcs11-tool.supp");
    for args in [
        vec!["-L".to_owned(), "-O".to_owned()],
        vec![
            "--token-label",
            "kyso-test",
            "--login",
            "--pin",
            PIN,
            "--sign",
            "-m",
            "SHA256-RSA-PKCS",
            "--id",
            "01",
            "--input-file",
            "doc.txt",
            "--output-file",
            "doc.sig",
        ]
        .into_iter()
        .map(String::from)
        .collect(),
    ] {
        let out = fx
            .through_module("valgrind")
            .args([
                "--leak-check=full",
                "--keep-debuginfo=yes",
                "--errors-for-leak-kinds=definite",
                "--error-exitcode=99",
            ])
            .arg(format!("--suppressions={}", supp.display()))
            .arg(format!("--suppressions={}", host_supp.display()))
            .args(["pkcs11-tool", "--module", &module()])
            .args(&args)
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_ne!(out.status.code(), Some(99), "valgrind: {err}");
        assert_ok(&out);
        assert!(err.contains("ERROR SUMMARY: 0 errors"), "{err}");
    }
    assert!(openssl_verify(
        &fx.path("rsa2048.pub.pem"),
        "rsa-pkcs1-sha256",
        &doc,
        &fx.path("doc.sig")
    ));
}

/// OpenSSL's pkcs11 engine (libp11) signs with `pkcs11:` URIs through the module, by id and
/// by label: the same URIs as without kyso, since identities are passed through.
#[test]
fn openssl_engine_signs_with_pkcs11_uris() {
    let fx = Fixture::new();
    let cnf = fx.path("openssl.cnf");
    std::fs::write(
        &cnf,
        format!(
            "openssl_conf = init\n[init]\nengines = engines\n[engines]\npkcs11 = p11\n[p11]\n\
             engine_id = pkcs11\ndynamic_path = /usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so\n\
             MODULE_PATH = {}\nPIN = {PIN}\ninit = 0\n",
            module()
        ),
    )
    .unwrap();
    let doc = fx.path("doc.txt");
    std::fs::write(&doc, "Hợp đồng số 9").unwrap();
    for (uri, label, alg) in [
        (
            "pkcs11:token=kyso-test;id=%03;type=private",
            "p256",
            "ecdsa-sha256",
        ),
        (
            "pkcs11:token=kyso-test;object=rsa3072;type=private",
            "rsa3072",
            "rsa-pkcs1-sha256",
        ),
    ] {
        let sig = fx.path(&format!("{label}.sig"));
        let out = fx
            .through_module("openssl")
            .env("OPENSSL_CONF", &cnf)
            .args([
                "dgst", "-sha256", "-engine", "pkcs11", "-keyform", "engine", "-sign", uri, "-out",
            ])
            .arg(&sig)
            .arg(&doc)
            .output()
            .unwrap();
        assert_ok(&out);
        assert!(
            openssl_verify(&fx.path(&format!("{label}.pub.pem")), alg, &doc, &sig),
            "{uri}"
        );
    }
}
