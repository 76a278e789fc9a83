//! `kyso app` in real Chromium under Xvfb, for the tests that drive the page as a person does:
//! the app and the browser launched on its page ([`launch`]), the page reached through the
//! DevTools protocol ([`Page`]). Included with `#[path = "common/app_browser.rs"]` next to
//! `common/app.rs`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use crate::app::App;
use crate::common::browser::*;
use crate::common::*;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The page in Chromium, through the DevTools protocol.
pub struct Page {
    ws: String,
    shots: PathBuf,
}

impl Page {
    pub fn eval(&self, js: &str) -> String {
        cdp_evaluate(&self.ws, js).unwrap_or_else(|| panic!("DevTools: {js}"))
    }

    pub fn json(&self, js: &str) -> Value {
        let s = self.eval(&format!("JSON.stringify({js})"));
        serde_json::from_str(&s).unwrap_or_else(|e| panic!("{e}: {s}"))
    }

    /// Waits until `js` is true on the page.
    pub fn until(&self, what: &str, js: &str) {
        wait_for(what, Duration::from_secs(60), || {
            (cdp_evaluate(&self.ws, &format!("String(!!({js}))")).as_deref() == Some("true"))
                .then_some(())
        });
    }

    pub fn screenshot(&self, name: &str) -> PathBuf {
        let r = cdp_call(&self.ws, "Page.captureScreenshot", json!({"format": "png"}))
            .expect("a screenshot");
        let png = B64.decode(r["data"].as_str().unwrap()).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        let path = self.shots.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    pub fn mouse(&self, kind: &str, x: f64, y: f64) {
        let buttons = if kind == "mouseReleased" { 0 } else { 1 };
        cdp_call(
            &self.ws,
            "Input.dispatchMouseEvent",
            json!({"type": kind, "x": x, "y": y, "button": "left", "buttons": buttons, "clickCount": 1}),
        )
        .expect("a mouse event");
    }

    pub fn key(&self, key: &str, code: u32) {
        for kind in ["keyDown", "keyUp"] {
            let mut event =
                json!({"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code});
            // Enter activates a button by the character it types
            if key == "Enter" && kind == "keyDown" {
                event["text"] = json!("\r");
                event["unmodifiedText"] = json!("\r");
            }
            cdp_call(&self.ws, "Input.dispatchKeyEvent", event).expect("a key event");
        }
    }

    /// Gives the file input `id` the file `name` holding `bytes`, as its chooser would.
    pub fn choose_file(&self, id: &str, name: &str, bytes: &[u8]) {
        self.eval(&format!(
            "(() => {{ const dt = new DataTransfer();
               const b = Uint8Array.from(atob('{data}'), (c) => c.charCodeAt(0));
               dt.items.add(new File([b], {name:?}));
               const input = document.getElementById('{id}');
               input.files = dt.files;
               input.dispatchEvent(new Event('change', {{ bubbles: true }}));
               return 'ok'; }})()",
            data = B64.encode(bytes)
        ));
    }

    /// Drops `files` (name, bytes) on the element `id`, as a drag from the file manager.
    pub fn drop_files(&self, id: &str, files: &[(String, Vec<u8>)]) {
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

/// The configuration (SoftHSM, the real pinentry-gtk-2, the test CA trusted, and the lines
/// `extra`) and the screenshots' folder.
pub fn setup(fx: &Fixture, extra: &str) -> (PathBuf, PathBuf) {
    let toml = fx.path("app.toml");
    std::fs::write(
        &toml,
        format!(
            "[[module]]\npath = \"{SOFTHSM}\"\n\n[serve]\npinentry = \"/usr/bin/pinentry-gtk-2\"\n\n\
             [verify]\ntrust = [\"{}\"]\n\n{extra}",
            fx.path("ca.pem").display()
        ),
    )
    .unwrap();
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("app-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    (toml, shots)
}

/// The app and the browser on its page; dropped in this order.
pub struct Browsing {
    pub page: Page,
    pub chrome: Proc,
    pub app: App,
    pub x: Xvfb,
}

/// `kyso --config TOML app ARGS…` (home `home`) and Chromium under Xvfb on its launch URL, a
/// browser whose Accept-Language is `languages` and whose own language is `ui`; the page
/// ready (the secret traded for the cookie).
pub fn launch(
    fx: &Fixture,
    home: &Path,
    toml: &Path,
    args: &[&str],
    languages: &str,
    ui: &str,
    shots: PathBuf,
) -> Browsing {
    let x = Xvfb::start();
    let mut cmd = fx.kyso();
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("KYSO_TEST_SECRET", crate::common::csc::CLIENT_SECRET)
        .env("DISPLAY", &x.display)
        .args(["--config", toml.to_str().unwrap()]);
    let app = App::start(cmd, args);
    let origin = format!("http://127.0.0.1:{}", app.port);
    let profile = fx.path(&format!("chromium-profile-{ui}"));
    std::fs::create_dir_all(profile.join("Default")).unwrap();
    std::fs::write(
        profile.join("Default/Preferences"),
        json!({"intl": {"accept_languages": languages}}).to_string(),
    )
    .unwrap();
    let log = std::fs::File::create(fx.path(&format!("chromium-{ui}.log"))).unwrap();
    let chrome = Proc::spawn(
        "chromium",
        Command::new("chromium")
            .args(CHROMIUM_QUIET_FLAGS)
            .args([
                &format!("--lang={ui}"),
                "--remote-debugging-port=0",
                "--window-size=1366,768",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("{origin}{}", app.launch))
            .env("HOME", home)
            .env("DISPLAY", &x.display)
            .env("LANG", "C.UTF-8")
            .env("LANGUAGE", ui)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log),
    );
    let page = Page {
        ws: devtools_page(&profile, &origin),
        shots,
    };
    page.until(
        "the page",
        "document.body && document.body.dataset.ready === '1'",
    );
    Browsing {
        page,
        chrome,
        app,
        x,
    }
}

/// The English page's texts, from the English catalogue.
pub fn english(key: &str) -> String {
    let ftl = std::fs::read_to_string(repo_root().join("i18n/en/kyso.ftl")).unwrap();
    let prefix = format!("app-page-{key} = ");
    ftl.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("app-page-{key} not in the English catalogue"))
        .to_owned()
}
