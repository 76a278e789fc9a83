//! The portal page of `serve_chromium` in Firefox ESR under Xvfb: `kyso register` trusts
//! `kyso serve`'s local CA in the Firefox profile's NSS database, and the page signs through
//! the service as in Chromium ([`serve::portal_signs_in_a_browser`]).

mod common;
#[path = "common/serve.rs"]
mod serve;

use std::process::{Command, Stdio};

use common::browser::*;
use common::nss::*;
use common::*;

#[test]
fn firefox_portal_page_signs_through_kyso_serve() {
    let fx = Fixture::new();
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
    nss_db(&profile);
    std::fs::write(profile.join("user.js"), FIREFOX_QUIET_PREFS).unwrap();
    let out = fx.kyso_at_home(&home, &["--json", "register"]);
    assert_ok(&out);
    let report = json(&out);
    let ca = report["places"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "nss-ca" && p["app"] == "firefox")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(ca["status"], "registered", "{report:#}");

    let log = fx.path("firefox.log");
    serve::portal_signs_in_a_browser(&fx, &home.join(".local/share/kyso/serve"), &|x, url| {
        let log = std::fs::File::create(&log).unwrap();
        Proc::spawn(
            "firefox-esr",
            Command::new("firefox-esr")
                .arg("--no-remote")
                .arg("--profile")
                .arg(&profile)
                .arg(url)
                .env("HOME", &home)
                .env("DISPLAY", &x.display)
                .env("LANG", "C.UTF-8")
                .env("LANGUAGE", "en")
                .env("MOZ_CRASHREPORTER_DISABLE", "1")
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log),
        )
    });
}
