//! `kyso sign --format cms`: CAdES-B detached signatures from SoftHSM keys, verified by
//! `openssl cms` (an independent validator) against the fixture's CA.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// `openssl cms -cmsout -print` of a signature, to look at its attributes.
fn cms_print(p7s: &Path) -> String {
    let out = Command::new("openssl")
        .args([
            "cms", "-cmsout", "-print", "-inform", "DER", "-noout", "-in",
        ])
        .arg(p7s)
        .output()
        .unwrap();
    assert_ok(&out);
    stdout(&out)
}

#[test]
fn every_algorithm_and_key_type_verifies_with_openssl_cms() {
    let fx = Fixture::new();
    let doc = fx.path("cong-van.txt");
    std::fs::write(&doc, "Công văn số 45/UBND-VP\n".repeat(5000)).unwrap();
    let cases: &[(&str, &[&str])] = &[
        (
            "01",
            &[
                "rsa-pkcs1-sha256",
                "rsa-pkcs1-sha384",
                "rsa-pkcs1-sha512",
                "rsa-pss-sha256",
                "rsa-pss-sha384",
                "rsa-pss-sha512",
            ],
        ),
        ("02", &["rsa-pkcs1-sha256", "rsa-pss-sha384"]),
        ("03", &["ecdsa-sha256", "ecdsa-sha384"]),
        ("04", &["ecdsa-sha384", "ecdsa-sha256"]),
        ("05", &["rsa-pss-sha256", "rsa-pkcs1-sha256"]),
    ];
    let p7s = fx.path("cong-van.txt.p7s");
    for (id, algs) in cases {
        for alg in *algs {
            let out = fx.sign("cms", id, &["--algorithm", alg, doc.to_str().unwrap()]);
            assert_ok(&out);
            let (ok, err) = openssl_cms_verify(&fx, &doc, &p7s);
            assert!(ok, "openssl rejects {alg} by key {id}: {err}");
            let printed = cms_print(&p7s);
            for attr in [
                "contentType",
                "messageDigest",
                "signingTime",
                "id-smime-aa-signingCertificateV2",
            ] {
                assert!(printed.contains(attr), "{alg}/{id}: no {attr}:\n{printed}");
            }
            if alg.starts_with("rsa-pss") {
                assert!(printed.contains("rsassaPss"), "{printed}");
            }
        }
    }
    // A modified file no longer verifies.
    let mut data = std::fs::read(&doc).unwrap();
    data[10] ^= 1;
    std::fs::write(&doc, data).unwrap();
    let (ok, err) = openssl_cms_verify(&fx, &doc, &p7s);
    assert!(!ok, "tampered file accepted: {err}");
}

#[test]
fn rsa_document_default_is_pss_and_documented() {
    let fx = Fixture::new();
    let doc = fx.path("a.txt");
    std::fs::write(&doc, "Tờ trình").unwrap();
    let out = fx.sign_json("cms", "01", &[doc.to_str().unwrap()]);
    assert_ok(&out);
    assert_eq!(json(&out)["algorithm"], "rsa-pss-sha256");
    assert!(openssl_cms_verify(&fx, &doc, &fx.path("a.txt.p7s")).0);
    let help = fx.run(&["sign", "--help"]);
    assert!(
        stdout(&help).contains("rsa-pss-sha256 (RSASSA-PSS"),
        "{}",
        stdout(&help)
    );
    assert!(stdout(&help).contains("--algorithm rsa-pkcs1-sha256"));
}
