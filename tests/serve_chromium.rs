//! A portal page signs through `kyso serve` in real Chromium under Xvfb: `kyso register`
//! trusts the service's local CA in `~/.pki/nssdb` (no certificate error is ignored), the
//! page's JavaScript speaks the VGCA and VNPT plugins' protocols over `wss://`, each batch is
//! confirmed and its PIN typed (xdotool) in the real pinentry-gtk-2 dialog, and what comes
//! back or is uploaded is checked by poppler's pdfsig and openssl
//! ([`serve::portal_signs_in_a_browser`]).

mod common;
#[path = "common/serve.rs"]
mod serve;

use std::process::{Command, Stdio};

use common::browser::*;
use common::*;

#[test]
fn chromium_portal_page_signs_through_kyso_serve_with_one_confirmation_and_pin_per_batch() {
    let fx = Fixture::new();
    let home = fx.path("home");
    std::fs::create_dir(&home).unwrap();
    // kyso register: the module and the service's local CA (TLS servers only) in ~/.pki/nssdb
    let out = fx.kyso_at_home(&home, &["--json", "register"]);
    assert_ok(&out);
    let report = json(&out);
    let ca = report["places"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "nss-ca" && p["app"] == "shared_nss_db")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(ca["status"], "registered", "{report:#}");
    let listing = Command::new("certutil")
        .args(["-L", "-d"])
        .arg(format!("sql:{}", home.join(".pki/nssdb").display()))
        .output()
        .unwrap();
    let trusted = "kyso local signing service (this computer only)              C,,";
    assert!(stdout(&listing).contains(trusted), "{}", stdout(&listing));

    let profile = fx.path("chromium-profile");
    let log = fx.path("chromium.log");
    serve::portal_signs_in_a_browser(&fx, &home.join(".local/share/kyso/serve"), &|x, url| {
        let log = std::fs::File::create(&log).unwrap();
        Proc::spawn(
            "chromium",
            Command::new("chromium")
                .args(CHROMIUM_QUIET_FLAGS)
                .arg("--lang=en-US")
                .arg(format!("--user-data-dir={}", profile.display()))
                .arg(url)
                .env("HOME", &home)
                .env("DISPLAY", &x.display)
                .env("LANG", "C.UTF-8")
                .env("LANGUAGE", "en")
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log),
        )
    });
}
