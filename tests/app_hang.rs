//! `kyso app` when a token's module stops answering — as OpenSC 0.23 does in `C_Sign` once its
//! card is pulled out mid-command, played here by the test module's `sign-hangs` mode: Stop
//! pressed, the batch stuck, the app replaces itself in place (same process, port and cookie),
//! keeps the documents listed, tells the page why the batch ended, and the next batch on
//! another token (SoftHSM) signs; `kyso verify` and pdfsig check its outputs. Once through the
//! API, once in real Chromium (the page reconnects by itself and says what happened).

#[path = "common/app.rs"]
mod app;
#[path = "common/app_browser.rs"]
mod app_browser;
mod common;

use serde_json::{json, Value};

use app::{cert_of, events_until_done, post, sign, start_batch, App};
use app_browser::*;
use common::browser::answer_pin_dialog;
use common::nss::*;
use common::*;

const SPEC_PDF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/pdf/shared-mime-info-spec.pdf"
);

/// The test module's mode whose `C_Sign` never returns (read at every call).
const HANGS: (&str, &str) = ("KYSO_BAD_MODULE", "sign-hangs");

/// The kyso.toml lines adding the test module (next to SoftHSM).
fn hanging_module() -> String {
    format!("[[module]]\npath = \"{}\"\n", bad_module().display())
}

/// Waits until the scripted pinentry in `answers` was asked for a PIN.
fn until_pin_dialog(answers: &std::path::Path) {
    let started = std::time::Instant::now();
    while !std::fs::read_to_string(answers.join("dialogs.log")).is_ok_and(|l| !l.is_empty()) {
        assert!(started.elapsed().as_secs() < 60, "no PIN dialog");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_module_that_never_returns_makes_the_app_restart_in_place_and_sign_on() {
    let fx = Fixture::new();
    let docs = fx.path("docs");
    std::fs::create_dir_all(&docs).unwrap();
    for i in 1..=3 {
        std::fs::copy(SPEC_PDF, docs.join(format!("tờ trình {i}.pdf"))).unwrap();
    }
    let args = [docs.to_str().unwrap()];
    let (app, answers, _spy) =
        App::start_scripted_env(&fx, SPY, PIN, &hanging_module(), &args, &[HANGS]);
    let cookie = app.cookie();
    let pid = app.pid();
    let listed = app.get_json(&cookie, "/api/files");
    let files: Vec<Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].clone())
        .collect();
    assert_eq!(files.len(), 3, "{listed:#}");
    let certs = app.get_json(&cookie, "/api/certs");
    let hanging = cert_of(&certs, "BAD MODULE TEST");

    let job = start_batch(
        &app,
        &cookie,
        &json!({"cert": hanging["id"], "files": files}),
    );
    // the PIN given, C_Sign entered and never left: Stop cannot end it between signatures
    until_pin_dialog(&answers);
    std::thread::sleep(std::time::Duration::from_secs(1));
    post(&app, &cookie, "/api/cancel", &json!({}));
    let events = events_until_done(&app, &cookie, job);
    let last = events.last().unwrap();
    assert_eq!(last["type"], "error", "{events:#?}");
    assert_eq!(last["code"], "restarted", "{events:#?}");
    let said = last["message"].as_str().unwrap();
    assert!(said.contains("khởi động lại"), "said in Vietnamese: {said}");
    assert!(said.contains("không dừng khi được yêu cầu"), "{said}");
    assert_eq!(app.pid(), pid, "the same process, replaced in place");
    // nothing partial written by the stuck batch
    assert_eq!(names(&docs).len(), 3, "{:?}", names(&docs));

    // the same page goes on: same cookie, the documents still listed, the tokens found again
    assert_eq!(app.get_json(&cookie, "/api/files"), listed);
    let certs = app.get_json(&cookie, "/api/certs");
    let an = cert_of(&certs, "NGUYỄN VĂN AN");
    let events = sign(&app, &cookie, &json!({"cert": an["id"], "files": files}));
    let last = events.last().unwrap();
    assert_eq!(last["type"], "finished", "{events:#?}");
    assert_eq!(last["signed"], 3, "{events:#?}");
    let ca = fx.path("ca.pem");
    for e in events.iter().filter(|e| e["type"] == "signed") {
        let out = e["output"].as_str().unwrap();
        let st = fx
            .kyso()
            .args(["verify", "--offline", "--trust"])
            .arg(&ca)
            .arg(out)
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stdout)
        );
        let pdfsig = std::process::Command::new("pdfsig")
            .arg(out)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&pdfsig.stdout);
        assert!(text.contains("NGUYỄN VĂN AN"), "{text}");
    }
    assert_eq!(names(&docs).len(), 6, "{:?}", names(&docs));
}

#[test]
fn stop_while_the_pin_dialog_is_open_is_not_a_stuck_module() {
    // the dialog left open longer than the grace: the app must not restart (its dialog would
    // be left behind, orphaned); once the PIN is given, the batch ends as stopped
    let fx = Fixture::new();
    let pdf = fx.path("tờ trình.pdf");
    std::fs::copy(SPEC_PDF, &pdf).unwrap();
    let args = [pdf.to_str().unwrap()];
    let (app, answers, _spy) =
        App::start_scripted_env(&fx, SPY, PIN, &hanging_module(), &args, &[HANGS]);
    std::fs::write(answers.join("pin-wait"), "").unwrap();
    let cookie = app.cookie();
    let hanging = cert_of(&app.get_json(&cookie, "/api/certs"), "BAD MODULE TEST").clone();
    let job = start_batch(
        &app,
        &cookie,
        &json!({"cert": hanging["id"], "files": [pdf]}),
    );
    until_pin_dialog(&answers);
    post(&app, &cookie, "/api/cancel", &json!({}));
    std::thread::sleep(std::time::Duration::from_secs(10));
    std::fs::remove_file(answers.join("pin-wait")).unwrap();
    let events = events_until_done(&app, &cookie, job);
    let last = events.last().unwrap();
    assert_eq!(last["type"], "finished", "{events:#?}");
    assert_eq!(last["cancelled"], true, "{last}");
    assert_eq!(last["signed"], 0, "{last}");
}

/// Clicks the certificate of `holder` on the page; Sign can be pressed.
fn choose(page: &Page, holder: &str) {
    page.eval(&format!(
        "[...document.querySelectorAll('#certs label')].find((l) => \
         l.textContent.includes('{holder}')).querySelector('input').click(); 'ok'"
    ));
    page.until("Sign enabled", "!document.getElementById('sign').disabled");
}

#[test]
fn the_page_hears_why_the_app_restarted_and_signs_on_with_another_token() {
    // launch() starts the app with this test's environment (its own process under nextest)
    std::env::set_var(HANGS.0, HANGS.1);
    let fx = Fixture::new();
    let home = fx.path("home");
    let letters = home.join("Letters");
    std::fs::create_dir_all(&letters).unwrap();
    let given: Vec<String> = (1..=3)
        .map(|i| {
            let p = letters.join(format!("letter {i}.pdf"));
            std::fs::copy(SPEC_PDF, &p).unwrap();
            p.display().to_string()
        })
        .collect();
    let (toml, shots) = setup(&fx, &hanging_module());
    let args: Vec<&str> = given.iter().map(String::as_str).collect();
    let Browsing {
        x,
        app,
        mut chrome,
        page,
    } = launch(&fx, &home, &toml, &args, "en-US,en", "en", shots);
    let pid = app.pid();
    page.until(
        "both tokens' certificates",
        "document.getElementById('certs').innerText.includes('BAD MODULE TEST') && \
         document.getElementById('certs').innerText.includes('NGUYỄN VĂN AN')",
    );

    // the token that never answers: signed, then Stop
    choose(&page, "BAD MODULE TEST");
    page.eval("window.scrollTo(0, 0); document.getElementById('sign').click(); 'ok'");
    answer_pin_dialog(&x, &mut chrome, "^kyso", "any PIN");
    page.until(
        "the first document signing",
        "[...document.querySelectorAll('#files td.state')].some((t) => t.innerText === 'Signing…')",
    );
    page.eval("document.getElementById('cancel').click(); 'ok'");
    page.until("the batch's end", "document.body.dataset.finished === '1'");
    let error = page.eval("document.getElementById('error').innerText");
    assert!(
        error.contains("kyso restarted itself") && error.contains("it did not stop when asked"),
        "{error}"
    );
    assert_eq!(app.pid(), pid, "restarted in place");
    let not_signed = page.eval("String(document.querySelectorAll('#files td.problem').length)");
    assert_eq!(not_signed, "3", "the rows say none was signed");
    page.screenshot("hang-1-restarted");

    // the same page, no reload: the other token signs all three
    choose(&page, "NGUYỄN VĂN AN");
    page.eval("window.scrollTo(0, 0); document.getElementById('sign').click(); 'ok'");
    answer_pin_dialog(&x, &mut chrome, "^kyso", PIN);
    page.until(
        "the second batch's end",
        "document.body.dataset.finished === '2'",
    );
    let summary = page.eval("document.getElementById('summary').innerText");
    assert!(summary.contains("3 signed, 0 not signed"), "{summary}");
    let db = nss_db(&fx.path("nss"));
    nss_trust(&db, "kyso-test-ca", "C,C,C", &fx.path("ca.pem"));
    for p in &given {
        let report = pdfsig(&db, std::path::Path::new(&p.replace(".pdf", ".signed.pdf")));
        assert!(report.contains("Signature is Valid"), "{p}: {report}");
    }
    page.screenshot("hang-2-signed-on");
}
