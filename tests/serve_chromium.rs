//! An unmodified-style portal page signs through `kyso serve` in real Chromium under Xvfb:
//! `kyso register` trusts the service's local CA in `~/.pki/nssdb` (no certificate error is
//! ignored), the page's JavaScript speaks the VGCA and VNPT plugins' protocols over `wss://`,
//! each batch is confirmed and its PIN typed (xdotool) in the real pinentry-gtk-2 dialog, and
//! what comes back or is uploaded is checked by poppler's pdfsig and openssl.

mod common;
#[path = "common/serve.rs"]
mod serve;

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use serde_json::Value;

use common::browser::*;
use common::nss::*;
use common::servers::HttpServer;
use common::*;
use serve::{Serve, Setup};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const SPEC_PDF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/pdf/shared-mime-info-spec.pdf"
);

/// The portal page: written as portals write their calls to the two plugins.
const PAGE: &str = r#"<!doctype html><meta charset="utf-8"><title>Cổng dịch vụ công (test)</title>
<body><pre id="log">signing…</pre><script>
const VGCA = __VGCA__, VNPT = __VNPT__;
function vgca(op, req) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${VGCA}/${op}`);
    ws.onopen = () => ws.send(JSON.stringify(req));
    ws.onmessage = (e) => { resolve(JSON.parse(e.data)); ws.close(); };
    ws.onerror = () => reject(new Error("VGCA plugin not reachable: " + op));
  });
}
function vnpt(functionID, args) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://localhost:${VNPT}/plugin`);
    ws.onopen = () => ws.send(JSON.stringify({functionID, funcCallback: "onSigned", args, domain: location.hostname}));
    ws.onmessage = (e) => {
      const i = e.data.lastIndexOf("*");
      resolve({result: e.data.slice(0, i), callback: e.data.slice(i + 1)});
      ws.close();
    };
    ws.onerror = () => reject(new Error("VNPT plugin not reachable"));
  });
}
async function base64Of(url) {
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
(async () => {
  const out = {};
  try {
    out.cert = await vgca("GetCertInfo", {});
    out.pdf = await vgca("SignPDF", {FileUploadHandler: location.origin + "/upload", SessionId: "web-1",
      JWTToken: "", FileName: location.origin + "/files/to-trinh.pdf"});
    const data = await base64Of("/files/ho-so.pdf");
    const items = Array.from({length: 20}, () => ({data, type: "pdf", sigOptions: ""}));
    const arr = await vnpt(10, [JSON.stringify(items), "", "0", "0"]);
    out.arrCallback = arr.callback;
    window.kysoArr = JSON.parse(arr.result);
    out.arrCode = window.kysoArr.code;
    out.msg = await vgca("SignMsg", {HashAlg: "SHA256", HashValue: "__HASH__", Encode: "RSA"});
  } catch (e) { out.error = String(e); }
  window.kysoResult = JSON.stringify(out);
  document.getElementById("log").textContent = "done";
})();
</script>"#;

/// Waits for pinentry's window titled like `regex`, focuses it and presses `keys`.
fn answer_dialog(x: &Xvfb, regex: &str, keys: &[&[&str]]) {
    let win = wait_for(
        &format!("pinentry window {regex}"),
        Duration::from_secs(60),
        || x.find_window(regex),
    );
    assert!(
        x.xdotool(&["windowfocus", "--sync", &win]).is_some(),
        "cannot focus pinentry; windows: {}",
        x.window_names()
    );
    for k in keys {
        x.xdotool(k).unwrap();
    }
    // gone before the next dialog is looked for
    wait_for("pinentry to close", Duration::from_secs(30), || {
        (x.find_window(regex).as_deref() != Some(win.as_str())).then_some(())
    });
}

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
    assert!(
        stdout(&listing)
            .contains("kyso local signing service (this computer only)              C,,"),
        "{}",
        stdout(&listing)
    );

    // the portal: the page, its files, its upload handler
    let pdf = std::fs::read(SPEC_PDF).unwrap();
    let uploads = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let page = Arc::new(Mutex::new(String::new()));
    let (up, pg) = (uploads.clone(), page.clone());
    let portal = HttpServer::start(Box::new(move |r| {
        if r.path == "/portal.html" {
            (
                200,
                "text/html; charset=utf-8",
                pg.lock().unwrap().clone().into_bytes(),
            )
        } else if r.path.starts_with("/files/") {
            (200, "application/pdf", pdf.clone())
        } else if r.method == "POST" && r.path == "/upload" {
            let b = &r.body;
            let m = b"name=\"uploadfile\"";
            let at = b.windows(m.len()).position(|w| w == m).unwrap();
            let start = at + b[at..].windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
            let end = b.windows(4).rposition(|w| w == b"\r\n--").unwrap();
            up.lock().unwrap().push(b[start..end].to_vec());
            (
                200,
                "application/json",
                b"{\"Status\":0,\"fileEntryId\":7}".to_vec(),
            )
        } else {
            (404, "text/plain", b"not found".to_vec())
        }
    }));
    let origin = format!("http://127.0.0.1:{}", portal.port);

    let x = Xvfb::start();
    let serve = Serve::start_with(
        &fx,
        "01",
        &[&origin],
        &Setup {
            ca_dir: Some(home.join(".local/share/kyso/serve")),
            pinentry: Some("/usr/bin/pinentry-gtk-2".into()),
            display: Some(x.display.clone()),
        },
    );
    let hash = {
        use sha2::Digest;
        sha2::Sha256::digest(b"to khai dien tu").to_vec()
    };
    *page.lock().unwrap() = PAGE
        .replace("__VGCA__", &serve.vgca.to_string())
        .replace("__VNPT__", &serve.vnpt.to_string())
        .replace("__HASH__", &B64.encode(&hash));

    let profile = fx.path("chromium-profile");
    let log = std::fs::File::create(fx.path("chromium.log")).unwrap();
    let _chrome = Proc::spawn(
        "chromium",
        Command::new("chromium")
            .args([
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--password-store=basic",
                "--lang=en-US",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("{origin}/portal.html"))
            .env("HOME", &home)
            .env("DISPLAY", &x.display)
            .env("LANG", "C.UTF-8")
            .env("LANGUAGE", "en")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log),
    );

    // three batches (SignPDF, signArrDataAdvanced of 20, SignMsg): each one confirmation
    // (alt+K: "_Ký / Sign") and one PIN, typed into pinentry-gtk-2
    let pin_keys: [&[&str]; 2] = [&["type", "--delay", "20", PIN], &["key", "Return"]];
    for _ in 0..3 {
        answer_dialog(&x, "signing request$", &[&["key", "alt+k"]]);
        answer_dialog(&x, " PIN$", &pin_keys);
    }

    let devtools: u16 = wait_for("DevToolsActivePort", Duration::from_secs(30), || {
        std::fs::read_to_string(profile.join("DevToolsActivePort"))
            .ok()?
            .lines()
            .next()?
            .parse()
            .ok()
    });
    let ws_url = wait_for("the portal page", Duration::from_secs(30), || {
        let list: Value = serde_json::from_str(&http_get(devtools, "/json/list")?).ok()?;
        list.as_array()?.iter().find(|t| {
            t["type"] == "page" && t["url"].as_str().is_some_and(|u| u.starts_with(&origin))
        })?["webSocketDebuggerUrl"]
            .as_str()
            .map(str::to_owned)
    });
    let result: Value = wait_for("the page's results", Duration::from_secs(60), || {
        let r = cdp_evaluate(&ws_url, "window.kysoResult || ''")?;
        serde_json::from_str(&r).ok()
    });
    assert!(result.get("error").is_none(), "{result:#}");

    // GetCertInfo: the token's certificate
    assert_eq!(result["cert"]["Status"], 0, "{result:#}");
    assert!(result["cert"]["CommonName"]
        .as_str()
        .unwrap()
        .contains("NGUYỄN VĂN AN"));
    // SignPDF by URL: uploaded to the portal, valid for pdfsig
    let db = nss_db(&fx.path("nss"));
    nss_trust(&db, "kyso-test-ca", "C,C,C", &fx.path("ca.pem"));
    let valid = |bytes: &[u8], name: &str| {
        let p = fx.path(name);
        std::fs::write(&p, bytes).unwrap();
        let r = pdfsig(&db, &p);
        r.contains("Signature is Valid") && r.contains("Certificate is Trusted")
    };
    assert_eq!(result["pdf"]["Status"], 0, "{result:#}");
    assert_eq!(
        result["pdf"]["FileServer"],
        "{\"Status\":0,\"fileEntryId\":7}"
    );
    let uploaded = uploads.lock().unwrap()[0].clone();
    assert!(valid(&uploaded, "uploaded.pdf"));
    // signArrDataAdvanced: 20 signed PDFs back, each valid
    assert_eq!(result["arrCode"], 0, "{result:#}");
    assert_eq!(result["arrCallback"], "onSigned");
    for n in 0..20 {
        let b64 = cdp_evaluate(&ws_url, &format!("window.kysoArr.data[{n}].data")).unwrap();
        assert!(
            valid(&B64.decode(b64).unwrap(), &format!("arr-{n}.pdf")),
            "document {n}"
        );
    }
    // SignMsg: checked by openssl against the certificate's key
    assert_eq!(result["msg"]["Status"], 0, "{result:#}");
    let sig = B64
        .decode(result["msg"]["Signature"].as_str().unwrap())
        .unwrap();
    let (h, s) = (fx.path("hash.bin"), fx.path("hash.sig"));
    std::fs::write(&h, &hash).unwrap();
    std::fs::write(&s, &sig).unwrap();
    let ok = Command::new("openssl")
        .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
        .arg(fx.path("rsa2048.pub.pem"))
        .args(["-pkeyopt", "digest:sha256", "-in"])
        .arg(&h)
        .arg("-sigfile")
        .arg(&s)
        .output()
        .unwrap();
    assert!(ok.status.success(), "{}", stderr(&ok));
    // one login per batch
    assert_eq!(spy_count(&serve.spy, "C_Login"), 3);
}
