//! `kyso app` in real Chromium under Xvfb, as a person without a terminal uses it: 97 PDFs
//! given as "Open with" gives them (the command line) and 3 dropped on the page, the SoftHSM
//! certificate chosen, the stamp dragged with the mouse and nudged with the arrow keys
//! (DevTools input events), one PIN typed (xdotool) into the real pinentry-gtk-2 dialog for
//! all 100, the results followed on the page, then one output dropped on the verify view.
//! Every output is checked by pdfsig (trusting the test CA) and its widget's rectangle by qpdf
//! against where the page put the stamp. Screenshots of each step go to
//! `$CARGO_TARGET_TMPDIR/app-screenshots/` (one is docs/kyso-app.png). Remote signing
//! accounts show next to the token, marked remote; one that failed says so, and its "try
//! again" button lists its credential once the service answers.

#[path = "common/app.rs"]
mod app;
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use app::App;
use common::browser::*;
use common::nss::*;
use common::qpdf::{array_of, widget_of};
use common::*;

const SPEC_PDF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/pdf/shared-mime-info-spec.pdf"
);
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The page in Chromium, through the DevTools protocol.
struct Page {
    ws: String,
    shots: PathBuf,
}

impl Page {
    fn eval(&self, js: &str) -> String {
        cdp_evaluate(&self.ws, js).unwrap_or_else(|| panic!("DevTools: {js}"))
    }

    fn json(&self, js: &str) -> Value {
        let s = self.eval(&format!("JSON.stringify({js})"));
        serde_json::from_str(&s).unwrap_or_else(|e| panic!("{e}: {s}"))
    }

    /// Waits until `js` is true on the page.
    fn until(&self, what: &str, js: &str) {
        wait_for(what, Duration::from_secs(60), || {
            (cdp_evaluate(&self.ws, &format!("String(!!({js}))")).as_deref() == Some("true"))
                .then_some(())
        });
    }

    fn screenshot(&self, name: &str) -> PathBuf {
        let r = cdp_call(&self.ws, "Page.captureScreenshot", json!({"format": "png"}))
            .expect("a screenshot");
        let png = B64.decode(r["data"].as_str().unwrap()).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        let path = self.shots.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    fn mouse(&self, kind: &str, x: f64, y: f64) {
        let buttons = if kind == "mouseReleased" { 0 } else { 1 };
        cdp_call(
            &self.ws,
            "Input.dispatchMouseEvent",
            json!({"type": kind, "x": x, "y": y, "button": "left", "buttons": buttons, "clickCount": 1}),
        )
        .expect("a mouse event");
    }

    fn key(&self, key: &str, code: u32) {
        for kind in ["keyDown", "keyUp"] {
            cdp_call(
                &self.ws,
                "Input.dispatchKeyEvent",
                json!({"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code}),
            )
            .expect("a key event");
        }
    }

    /// Drops `files` (name, bytes) on the element `id`, as a drag from the file manager.
    fn drop_files(&self, id: &str, files: &[(String, Vec<u8>)]) {
        let list: Vec<Value> = files
            .iter()
            .map(|(n, b)| json!({"name": n, "data": B64.encode(b)}))
            .collect();
        self.eval(&format!(
            "(() => {{ const dt = new DataTransfer();
               for (const f of {list}) {{
                 const b = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));
                 dt.items.add(new File([b], f.name, {{ type: 'application/pdf' }}));
               }}
               document.getElementById('{id}').dispatchEvent(
                 new DragEvent('drop', {{ dataTransfer: dt, bubbles: true, cancelable: true }}));
               return 'ok'; }})()",
            list = Value::from(list)
        ));
    }
}

fn devtools_page(profile: &Path, prefix: &str) -> String {
    wait_for("Chromium's DevTools page", Duration::from_secs(30), || {
        let port: u16 = std::fs::read_to_string(profile.join("DevToolsActivePort"))
            .ok()?
            .lines()
            .next()?
            .parse()
            .ok()?;
        let list: Value = serde_json::from_str(&http_get(port, "/json/list")?).ok()?;
        let page = list.as_array()?.iter().find(|t| {
            t["type"] == "page" && t["url"].as_str().is_some_and(|u| u.starts_with(prefix))
        })?;
        page["webSocketDebuggerUrl"].as_str().map(str::to_owned)
    })
}

/// Chromium in Vietnamese (its Accept-Language) on `x`, opening `app`'s launch URL; the page
/// through DevTools, its screenshots going to `shots`.
fn vietnamese_chromium(
    fx: &Fixture,
    x: &Xvfb,
    home: &Path,
    app: &App,
    shots: PathBuf,
) -> (Proc, Page) {
    let origin = format!("http://127.0.0.1:{}", app.port);
    let profile = fx.path("chromium-profile");
    std::fs::create_dir_all(profile.join("Default")).unwrap();
    std::fs::write(
        profile.join("Default/Preferences"),
        json!({"intl": {"accept_languages": "vi-VN,vi"}}).to_string(),
    )
    .unwrap();
    let log = std::fs::File::create(fx.path("chromium.log")).unwrap();
    let chrome = Proc::spawn(
        "chromium",
        Command::new("chromium")
            .args(CHROMIUM_QUIET_FLAGS)
            .args([
                "--lang=vi",
                "--remote-debugging-port=0",
                "--window-size=1366,768",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("{origin}{}", app.launch))
            .env("HOME", home)
            .env("DISPLAY", &x.display)
            .env("LANG", "C.UTF-8")
            .env("LANGUAGE", "vi")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log),
    );
    let page = Page {
        ws: devtools_page(&profile, &origin),
        shots,
    };
    (chrome, page)
}

#[test]
fn a_person_signs_100_pdfs_with_one_pin_in_chromium_and_sees_them_verified() {
    let fx = Fixture::new();
    let home = fx.path("home");
    let docs = home.join("Văn bản đến");
    std::fs::create_dir_all(&docs).unwrap();
    let pdf = std::fs::read(SPEC_PDF).unwrap();
    let given: Vec<PathBuf> = (1..=97)
        .map(|i| {
            let p = docs.join(format!("công văn {i:02}.pdf"));
            std::fs::write(&p, &pdf).unwrap();
            p
        })
        .collect();
    let uploads = home.join("Đã tải lên");
    let toml = fx.path("app.toml");
    std::fs::write(
        &toml,
        format!(
            "[[module]]\npath = \"{SOFTHSM}\"\n\n[serve]\npinentry = \"/usr/bin/pinentry-gtk-2\"\n\n\
             [verify]\ntrust = [\"{}\"]\n",
            fx.path("ca.pem").display()
        ),
    )
    .unwrap();
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("app-screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    let x = Xvfb::start();
    let mut cmd = fx.kyso();
    cmd.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("DISPLAY", &x.display)
        .args(["--config", toml.to_str().unwrap()]);
    let mut args = vec!["--folder", uploads.to_str().unwrap()];
    args.extend(given.iter().map(|p| p.to_str().unwrap()));
    let app = App::start(cmd, &args);
    let origin = format!("http://127.0.0.1:{}", app.port);

    let (mut chrome, page) = vietnamese_chromium(&fx, &x, &home, &app, shots);
    // the secret traded for the cookie: the address bar shows the clean address
    page.until(
        "the page",
        "document.body && document.body.dataset.ready === '1'",
    );
    assert_eq!(page.eval("location.href"), format!("{origin}/"));
    assert_eq!(page.eval("document.documentElement.lang"), "vi");
    page.until(
        "97 documents",
        "document.querySelectorAll('#files tbody tr').length === 97",
    );
    page.until(
        "the certificates",
        "document.querySelectorAll('#certs label').length > 0",
    );
    page.screenshot("1-documents");

    // 3 more dropped on the page
    let dropped: Vec<(String, Vec<u8>)> = (1..=3)
        .map(|i| (format!("tờ trình {i}.pdf"), pdf.clone()))
        .collect();
    page.drop_files("drop-files", &dropped);
    page.until(
        "100 documents",
        "document.querySelectorAll('#files tbody tr').length === 100",
    );
    for (name, _) in &dropped {
        assert!(uploads.join(name).is_file(), "{name} not saved");
    }

    // the SoftHSM certificate, its holder and identity shown
    let text = page.eval("document.getElementById('certs').innerText");
    assert!(
        text.contains("NGUYỄN VĂN AN") && text.contains("CCCD 001099012345"),
        "{text}"
    );
    page.eval(
        "[...document.querySelectorAll('#certs label')].find((l) => \
         l.textContent.includes('NGUYỄN VĂN AN')).querySelector('input').click(); 'ok'",
    );
    page.until(
        "the stamp on the preview with the holder's name",
        "!document.getElementById('stamp-box').hidden && \
         document.getElementById('stamp-box').innerText.includes('NGUYỄN VĂN AN')",
    );
    let stamp_text = page.eval("document.getElementById('stamp-box').innerText");
    assert!(stamp_text.contains("NGUYỄN VĂN AN"), "{stamp_text}");
    page.screenshot("2-certificate");

    // the stamp dragged 40 px left and 60 px up
    page.eval("document.getElementById('preview').scrollIntoView(); 'ok'");
    let before = page.json("stamp");
    let b = page.json("document.getElementById('stamp-box').getBoundingClientRect()");
    let k: f64 = page
        .eval("String(document.getElementById('page-image').clientWidth / preview.width)")
        .parse()
        .unwrap();
    let (cx, cy) = (
        b["x"].as_f64().unwrap() + b["width"].as_f64().unwrap() / 2.0,
        b["y"].as_f64().unwrap() + b["height"].as_f64().unwrap() / 2.0,
    );
    page.mouse("mousePressed", cx, cy);
    page.mouse("mouseMoved", cx - 20.0, cy - 30.0);
    page.mouse("mouseMoved", cx - 40.0, cy - 60.0);
    page.mouse("mouseReleased", cx - 40.0, cy - 60.0);
    let stamp = page.json("stamp");
    let moved = |key: &str, by: f64| {
        let want = before[key].as_f64().unwrap() + by / k;
        let got = stamp[key].as_f64().unwrap();
        assert!(
            (got - want).abs() <= 1.0,
            "{key}: {got}, expected {want} ({before} → {stamp})"
        );
        got
    };
    let (sx, sy) = (moved("x", -40.0), moved("y", 60.0));
    // and by keyboard: the box focused, two presses of the up arrow, 5 points each
    page.eval("document.getElementById('stamp-box').focus(); 'ok'");
    for _ in 0..2 {
        page.key("ArrowUp", 38);
    }
    let stamp = page.json("stamp");
    assert_eq!(stamp["y"].as_f64().unwrap(), sy + 10.0, "{stamp}");
    let sy = sy + 10.0;
    let (sw, sh) = (stamp["w"].as_f64().unwrap(), stamp["h"].as_f64().unwrap());
    page.screenshot("3-stamp");

    // one button, one PIN in pinentry (never on the page)
    page.eval("window.scrollTo(0, 0); document.getElementById('sign').click(); 'ok'");
    page.until(
        "the PIN note",
        "!document.getElementById('pin-note').hidden",
    );
    page.screenshot("4-pin");
    answer_pin_dialog(&x, &mut chrome, "^kyso", PIN);
    page.until("the results", "document.body.dataset.finished === '1'");
    let summary = page.eval("document.getElementById('summary').innerText");
    assert!(summary.contains("100 đã ký, 0 không ký được"), "{summary}");
    assert_eq!(page.eval("document.getElementById('error').innerText"), "");
    let signed_rows = page.eval("String(document.querySelectorAll('#files td.signed').length)");
    assert_eq!(signed_rows, "100");
    page.screenshot("5-results");

    // every output: valid and trusted for pdfsig, the stamp where the page put it
    let db = nss_db(&fx.path("nss"));
    nss_trust(&db, "kyso-test-ca", "C,C,C", &fx.path("ca.pem"));
    let mut outputs: Vec<PathBuf> = given
        .iter()
        .map(|p| p.with_extension("signed.pdf"))
        .collect();
    outputs.extend(
        dropped
            .iter()
            .map(|(n, _)| uploads.join(n.replace(".pdf", ".signed.pdf"))),
    );
    for out in &outputs {
        let report = pdfsig(&db, out);
        assert!(
            report.contains("Signature is Valid") && report.contains("Certificate is Trusted"),
            "{}: {report}",
            out.display()
        );
        let rect = array_of(out, widget_of(out), "/Rect");
        assert_eq!(rect, [sx, sy, sx + sw, sy + sh], "{}", out.display());
    }

    // the verify view: one output dropped, seen as a person expects
    page.eval("document.getElementById('tab-verify').click(); 'ok'");
    let one = std::fs::read(&outputs[0]).unwrap();
    page.drop_files("drop-verify", &[("công văn 01.signed.pdf".into(), one)]);
    page.until("the verdict", "document.body.dataset.verified === '1'");
    let verdict = page.eval("document.getElementById('verify-results').innerText");
    assert!(verdict.contains("Hợp lệ"), "{verdict}");
    assert!(verdict.contains("NGUYỄN VĂN AN"), "{verdict}");
    page.screenshot("6-verify");
}

#[test]
fn remote_accounts_show_marked_remote_and_try_again_clears_a_passing_outage() {
    use common::csc::*;
    let fx = Fixture::new();
    let home = fx.path("home");
    std::fs::create_dir_all(&home).unwrap();
    let server = CscServer::start(&fx.path("csc"));
    // two accounts of the test service; the first one's login is refused once
    let account = |name: &str| {
        std::fs::read_to_string(server.kyso_toml(name, "v2", "credentials = [\"cred-ec\"]"))
            .unwrap()
    };
    let toml = fx.path("app.toml");
    std::fs::write(
        &toml,
        format!(
            "[[module]]\npath = \"{SOFTHSM}\"\n\n{}\n{}",
            account("mysign"),
            account("vnpt")
        ),
    )
    .unwrap();
    server.state().inject.insert(
        "oauth2/token".into(),
        (400, r#"{"error":"temporarily_unavailable"}"#.into()),
    );
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("app-screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    let x = Xvfb::start();
    let mut cmd = fx.kyso();
    cmd.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("KYSO_TEST_SECRET", CLIENT_SECRET)
        .env("DISPLAY", &x.display)
        .args(["--config", toml.to_str().unwrap()]);
    let app = App::start(cmd, &[]);
    let (_chrome, page) = vietnamese_chromium(&fx, &x, &home, &app, shots);
    page.until(
        "the page",
        "document.body && document.body.dataset.ready === '1'",
    );
    let certs = "document.getElementById('certs').innerText";
    // the credential marked remote with its account, the token's next to it, and the account
    // that failed saying so with a button to try again
    page.until(
        "the remote credential and the failed account",
        &format!("{certs}.includes('từ xa · vnpt') && {certs}.includes('từ xa · mysign')"),
    );
    let text = page.eval(certs);
    assert!(text.contains("kyso-test"), "{text}");
    assert_eq!(text.matches("NGUYỄN VĂN AN").count(), 2, "{text}");
    assert!(text.contains("001099012345"), "{text}");
    assert!(text.contains("Kyso Test Remote CA"), "{text}");
    assert_eq!(
        page.eval("String(document.querySelectorAll('#certs button').length)"),
        "1"
    );
    page.eval("const c = document.getElementById('certs'); c.scrollTop = c.scrollHeight; 'ok'");
    page.screenshot("remote-accounts");

    page.eval("document.querySelector('#certs button').click(); 'ok'");
    page.until(
        "the account listed after trying again",
        "document.querySelectorAll('#certs button').length === 0",
    );
    let text = page.eval(certs);
    assert_eq!(text.matches("NGUYỄN VĂN AN").count(), 3, "{text}");
    assert!(text.contains("từ xa · mysign"), "{text}");
}
