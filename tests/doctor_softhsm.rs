//! `kyso doctor` with a configured module (SoftHSM): the PC/SC checks only warn, the module,
//! token and certificate checks run against the real tokens.

mod common;

use common::*;

#[test]
fn doctor_with_a_configured_module_checks_tokens_and_certificates() {
    let fx = Fixture::new();
    let out = fx.run(&["--json", "doctor"]);
    let d = json(&out);
    assert_eq!(out.status.code(), Some(0), "{d:#}");
    assert_eq!(d["ok"], true);
    assert_eq!(
        doctor_check(&d, "module installed and loadable")["status"],
        "ok"
    );
    let visible = doctor_check(&d, "token visible through the module");
    assert_eq!(visible["status"], "ok");
    assert!(
        visible["detail"].as_str().unwrap().contains("kyso-test"),
        "{d:#}"
    );
    let certs = &d["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["check"] == "certificates found and not expired")
        .collect::<Vec<_>>();
    assert_eq!(certs[0]["status"], "ok", "{d:#}");
    assert!(certs[0]["detail"]
        .as_str()
        .unwrap()
        .contains("NGUYỄN VĂN AN"));
    // Whatever the PC/SC state of the machine, it does not block a SoftHSM user.
    for c in d["checks"].as_array().unwrap() {
        assert_ne!(c["status"], "fail", "{c:#}");
    }
}

#[test]
fn doctor_with_a_missing_module_says_what_to_fix() {
    let fx = Fixture::new();
    let out = fx
        .kyso()
        .args([
            "--json",
            "--module",
            "/nonexistent/vendor-pkcs11.so",
            "doctor",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let d = json(&out);
    let m = doctor_check(&d, "module installed and loadable");
    assert_eq!(m["status"], "fail");
    assert!(m["detail"]
        .as_str()
        .unwrap()
        .contains("/nonexistent/vendor-pkcs11.so"));
    assert!(m["fix"].as_str().unwrap().contains("kyso.toml"));
}
