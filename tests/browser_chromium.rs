//! A real browser signs a TLS handshake through kyso: `kyso register` puts
//! `libkyso_pkcs11.so` into a fresh `~/.pki/nssdb`, Chromium (under Xvfb) opens a local
//! `openssl s_server` that requires a client certificate, picks the token's certificate by
//! its `AutoSelectCertificateForUrls` policy, asks for the PIN (typed with xdotool), and the
//! server sees the certificate whose key only the SoftHSM token behind kyso holds.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::browser::*;
use common::nss::*;
use common::*;

/// The subject of the fixture's `rsa2048` certificate as `openssl s_server` prints it.
const SERVER_SUBJECT: &str = r"CN = NGUY\E1\BB\84N V\C4\82N AN, UID = CCCD:001099012345";

#[test]
fn chromium_authenticates_with_a_token_certificate_through_the_registered_module() {
    let fx = Fixture::new();
    // Chromium asks for the PIN of every token it looks for a private key on, and the dialog
    // does not say which token in its title: with one token, the one dialog is kyso-test's.
    fx.remove_token("kyso-second");
    let home = fx.path("home");
    std::fs::create_dir(&home).unwrap();
    let module_log = fx.path("kyso-module.log");

    // A fresh user: kyso register creates ~/.pki/nssdb and registers the module there.
    let out = fx.kyso_at_home(&home, &["--json", "register"]);
    assert_ok(&out);
    let report = json(&out);
    let shared = place_of_app(&report, "shared_nss_db");
    assert_eq!(shared["status"], "registered", "{report:#}");
    // The only module in the NSS DB besides NSS's own: Chromium reaches SoftHSM through kyso.
    let pkcs11_txt = std::fs::read_to_string(home.join(".pki/nssdb/pkcs11.txt")).unwrap();
    let libraries: Vec<_> = pkcs11_txt
        .lines()
        .filter_map(|l| l.strip_prefix("library="))
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        libraries,
        [kyso_module().canonicalize().unwrap().to_str().unwrap()],
        "{pkcs11_txt}"
    );

    let server = TlsServer::start(&fx.dir, &fx.path("ca.pem"), &fx.path("ca.key"));
    let origin = format!("https://127.0.0.1:{}", server.port);
    let filter = serde_json::json!({
        "pattern": origin,
        "filter": {
            "ISSUER": { "CN": "Kyso Test CA" },
            "SUBJECT": { "CN": "NGUYỄN VĂN AN" },
        },
    });
    let _policy = ChromiumPolicy::write(&serde_json::json!({
        "AutoSelectCertificateForUrls": [filter.to_string()],
    }));

    let x = Xvfb::start();
    let profile = fx.path("chromium-profile");
    let chrome_log = std::fs::File::create(fx.path("chromium.log")).unwrap();
    let mut chrome = Proc::spawn(
        "chromium",
        Command::new("chromium")
            .args(CHROMIUM_QUIET_FLAGS)
            .args([
                "--ignore-certificate-errors",
                "--lang=en-US",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("{origin}/"))
            .env("HOME", &home)
            .env("DISPLAY", &x.display)
            .env("LANG", "C.UTF-8")
            .env("LANGUAGE", "en")
            .env("SOFTHSM2_CONF", &fx.conf)
            .env("KYSO_CONFIG", fx.kyso_toml())
            .env("KYSO_LOG", &module_log)
            .stdin(Stdio::null())
            .stdout(chrome_log.try_clone().unwrap())
            .stderr(chrome_log),
    );

    // The token's PIN, typed into Chromium's own dialog; the server verified the token's
    // certificate in the handshake, signed by the token through kyso's module…
    answer_pin_dialog(&x, &mut chrome, "^Unlock Security Device$", PIN);
    assert_handshake_signed_through_kyso(&server, SERVER_SUBJECT, &module_log);
    // …and the page Chromium shows is the one the server sends to an authenticated client.
    let devtools_port: u16 = std::fs::read_to_string(profile.join("DevToolsActivePort"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let text = wait_for("the page in Chromium", Duration::from_secs(15), || {
        let raw = http_get(devtools_port, "/json/list");
        let list: serde_json::Value = serde_json::from_str(&raw?).ok()?;
        let page = list.as_array()?.iter().find(|t| {
            t["type"] == "page" && t["url"].as_str().is_some_and(|u| u.starts_with(&origin))
        })?;
        let text = cdp_evaluate(
            page["webSocketDebuggerUrl"].as_str()?,
            "document.body ? document.body.innerText : ''",
        );
        let text = text?;
        text.contains("Client certificate").then_some(text)
    });
    assert!(text.contains("CCCD:001099012345"), "{text}");
    // TLS 1.3 with an RSA key: the module made an RSA-PSS signature (CKM_RSA_PKCS_PSS).
    assert!(text.contains("Peer signature type: RSA-PSS"), "{text}");
    assert!(!text.contains("no client certificate"), "{text}");
}
