//! Firefox ESR signs a TLS handshake through kyso: `kyso register` finds the profile from
//! `profiles.ini` and registers `libkyso_pkcs11.so` in its NSS database; Firefox (under Xvfb:
//! a headless Firefox has no window for the PIN prompt) opens a local `openssl s_server` that
//! requires a client certificate, chooses the token's certificate by itself
//! (`security.default_personal_cert` = "Select Automatically"), asks for the PIN (typed with
//! xdotool), and the server sees the certificate.

mod common;

use std::process::{Command, Stdio};

use common::browser::*;
use common::nss::*;
use common::*;

const SERVER_SUBJECT: &str = r"CN = NGUY\E1\BB\84N V\C4\82N AN, UID = CCCD:001099012345";

#[test]
fn firefox_esr_authenticates_with_a_token_certificate_through_the_registered_module() {
    let fx = Fixture::new();
    // As for Chromium: one token, so the one PIN prompt is kyso-test's.
    fx.remove_token("kyso-second");
    let home = fx.path("home");
    let profiles = home.join(".mozilla/firefox");
    let profile = profiles.join("kyso.test");
    std::fs::create_dir_all(&profile).unwrap();
    std::fs::write(
        profiles.join("profiles.ini"),
        "[Profile0]\nName=test\nIsRelative=1\nPath=kyso.test\nDefault=1\n\n\
         [General]\nStartWithLastProfile=1\nVersion=2\n",
    )
    .unwrap();
    // The profile's NSS database trusts the test CA, which issues the server's certificate.
    let db = nss_db(&profile);
    nss_trust(&db, "Kyso Test CA", "C,,", &fx.path("ca.pem"));
    std::fs::write(
        profile.join("user.js"),
        format!(
            "user_pref(\"security.default_personal_cert\", \"Select Automatically\");\n{}",
            FIREFOX_QUIET_PREFS
        ),
    )
    .unwrap();

    let out = fx.kyso_at_home(&home, &["--json", "register"]);
    assert_ok(&out);
    let report = json(&out);
    let place = place_of_app(&report, "firefox");
    assert_eq!(place["status"], "registered", "{report:#}");
    assert_eq!(place["place"], "Firefox profile test");

    let server = TlsServer::start(&fx.dir, &fx.path("ca.pem"), &fx.path("ca.key"));
    let x = Xvfb::start();
    let module_log = fx.path("kyso-module.log");
    let log = std::fs::File::create(fx.path("firefox.log")).unwrap();
    let mut firefox = Proc::spawn(
        "firefox-esr",
        Command::new("firefox-esr")
            .arg("--no-remote")
            .arg("--profile")
            .arg(&profile)
            .arg(format!("https://127.0.0.1:{}/", server.port))
            .env("HOME", &home)
            .env("DISPLAY", &x.display)
            .env("LANG", "C.UTF-8")
            .env("LANGUAGE", "en")
            .env("MOZ_CRASHREPORTER_DISABLE", "1")
            .env("SOFTHSM2_CONF", &fx.conf)
            .env("KYSO_CONFIG", fx.kyso_toml())
            .env("KYSO_LOG", &module_log)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log),
    );
    answer_pin_dialog(
        &x,
        &mut firefox,
        "^Password Required - Mozilla Firefox$",
        PIN,
    );
    assert_handshake_signed_through_kyso(&server, SERVER_SUBJECT, &module_log);
}
