//! `kyso app` when a token's module stops answering — as OpenSC 0.23 does in `C_Sign` once its
//! card is pulled out mid-command, played here by the test module's `sign-hangs` mode: Stop
//! pressed, the batch stuck, the app replaces itself in place (same process, port and cookie),
//! keeps the documents listed, tells the page why the batch ended, and the next batch on
//! another token (SoftHSM) signs; `kyso verify` and pdfsig check its outputs.

#[path = "common/app.rs"]
mod app;
mod common;

use serde_json::{json, Value};

use app::{cert_of, events_until_done, post, sign, start_batch, App};
use common::*;

const SPEC_PDF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/pdf/shared-mime-info-spec.pdf"
);

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
    // read by the test module at every call; this file's only test, so its own process
    std::env::set_var("KYSO_BAD_MODULE", "sign-hangs");
    let fx = Fixture::new();
    let docs = fx.path("docs");
    std::fs::create_dir_all(&docs).unwrap();
    for i in 1..=3 {
        std::fs::copy(SPEC_PDF, docs.join(format!("tờ trình {i}.pdf"))).unwrap();
    }
    let bad = format!("[[module]]\npath = \"{}\"\n", bad_module().display());
    let (app, answers, _spy) = App::start_scripted(&fx, SPY, PIN, &bad, &[docs.to_str().unwrap()]);
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
    let started = std::time::Instant::now();
    while !std::fs::read_to_string(answers.join("dialogs.log")).is_ok_and(|l| !l.is_empty()) {
        assert!(started.elapsed().as_secs() < 60, "no PIN dialog");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
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
