//! `kyso app`'s signing API over SoftHSM (through pkcs11-spy, to count logins), as the page
//! drives it: the certificates with holder, identity and issuer; a batch of PDFs and another
//! file with a stamp where the page put it, one PIN typed into the scripted pinentry, each step
//! told as an event; outputs checked by pdfsig (trusting the test CA through NSS), openssl and
//! qpdf (the widget's rectangle). A wrong PIN ends the batch with the attempts left after
//! exactly one C_Login; documents that cannot be signed and a full disk say why in plain words;
//! the configuration's timestamp authority timestamps every signature; an idle page looks at
//! the slots only (no session opened).

#[path = "common/app.rs"]
mod app;
mod common;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use app::{cert_of, post, post_bytes, sign, App};
use common::mount::Mount;
use common::nss::*;
use common::png::{red_pixels, red_seal};
use common::qpdf::{array_of, widget_of};
use common::servers::Tsa;
use common::*;

const SPEC_PDF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/pdf/shared-mime-info-spec.pdf"
);

/// The app over `fx`'s SoftHSM through pkcs11-spy, the scripted pinentry typing `pin`.
fn start(fx: &Fixture, pin: &str, files: &[&Path]) -> (App, PathBuf, PathBuf) {
    let files: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
    App::start_scripted(fx, SPY, pin, "", &files)
}

#[test]
fn a_batch_is_signed_with_one_pin_and_the_stamp_where_the_page_put_it() {
    let fx = Fixture::new();
    let docs = fx.path("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let mut pdfs = Vec::new();
    for i in 0..3 {
        let p = docs.join(format!("công văn {i}.pdf"));
        std::fs::copy(SPEC_PDF, &p).unwrap();
        pdfs.push(p);
    }
    let other = docs.join("bảng lương.xlsx");
    std::fs::write(&other, b"not really a spreadsheet").unwrap();
    let (app, answers, spy) = start(&fx, PIN, &[&docs]);
    let cookie = app.cookie();

    let certs = app.get_json(&cookie, "/api/certs");
    let an = cert_of(&certs, "NGUYỄN VĂN AN");
    assert_eq!(an["identity"]["cccd"], "001099012345", "{an:#}");
    assert_eq!(an["issuer"], "Kyso Test CA", "{an:#}");
    assert_eq!(an["validity"], "valid");
    assert_eq!(an["token"], "kyso-test");
    // the key without its private key cannot sign: not offered
    assert!(certs
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["holder"] != "HOÀNG MINH ĐỨC"));

    let mut files: Vec<String> = pdfs.iter().map(|p| p.display().to_string()).collect();
    files.push(other.display().to_string());
    let stamp = json!({"page": "1", "x": 320.5, "y": 48, "w": 210, "h": 64});
    let events = sign(
        &app,
        &cookie,
        &json!({"cert": an["id"], "files": files, "stamp": stamp}),
    );
    let last = events.last().unwrap();
    assert_eq!(last["type"], "finished", "{events:#?}");
    assert_eq!(last["signed"], 4, "{events:#?}");
    assert_eq!(last["failed"], 0, "{events:#?}");
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "signing").count(),
        4,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "signed").count(),
        4,
        "{kinds:?}"
    );
    assert!(kinds.iter().position(|k| *k == "pin") < kinds.iter().position(|k| *k == "signing"));
    // one PIN dialog, naming the holder and the count; one login
    let dialogs = std::fs::read_to_string(answers.join("dialogs.log")).unwrap();
    assert_eq!(dialogs.matches("=== ").count(), 1, "{dialogs}");
    assert!(
        dialogs.contains("NGUYỄN VĂN AN") && dialogs.contains("Ký 4 tài liệu"),
        "{dialogs}"
    );
    assert!(!dialogs.contains(PIN), "the PIN is never in a dialog");
    assert_eq!(spy_count(&spy, "C_Login"), 1);

    // every output as pdfsig, openssl and qpdf see it
    let db = fx.path("nss");
    let d = nss_db(&db);
    nss_trust(&d, "kyso-test-ca", "C,C,C", &fx.path("ca.pem"));
    for e in events.iter().filter(|e| e["type"] == "signed") {
        let input = PathBuf::from(e["path"].as_str().unwrap());
        let output = PathBuf::from(e["output"].as_str().unwrap());
        assert_eq!(output.parent(), input.parent(), "next to the original");
        if input == other {
            assert_eq!(output, docs.join("bảng lương.xlsx.p7s"));
            let (ok, why) = openssl_cms_verify(&fx, &input, &output);
            assert!(ok, "{why}");
            continue;
        }
        let report = pdfsig(&d, &output);
        assert!(
            report.contains("Signature is Valid") && report.contains("Certificate is Trusted"),
            "{report}"
        );
        assert!(report.contains("NGUYỄN VĂN AN"), "{report}");
        let rect = array_of(&output, widget_of(&output), "/Rect");
        assert_eq!(rect, [320.5, 48.0, 530.5, 112.0], "{}", output.display());
    }
}

#[test]
fn a_wrong_pin_ends_the_batch_with_the_attempts_left_and_is_not_retried() {
    let fx = Fixture::new();
    let pdf = fx.path("a.pdf");
    std::fs::copy(SPEC_PDF, &pdf).unwrap();
    let (app, answers, spy) = start(&fx, "999999", &[&pdf]);
    let cookie = app.cookie();
    let certs = app.get_json(&cookie, "/api/certs");
    let an = cert_of(&certs, "NGUYỄN VĂN AN");
    let events = sign(&app, &cookie, &json!({"cert": an["id"], "files": [pdf]}));
    let last = events.last().unwrap();
    assert_eq!(last["type"], "error", "{events:#?}");
    assert_eq!(last["code"], "wrong-pin", "{last}");
    // in Vietnamese (no Accept-Language), with what the token says about the attempts left
    let msg = last["message"].as_str().unwrap();
    assert!(msg.starts_with("sai mã PIN"), "{msg}");
    assert!(msg.contains("lần thử"), "{msg}");
    assert_eq!(spy_count(&spy, "C_Login"), 1, "one login, never retried");
    let dialogs = std::fs::read_to_string(answers.join("dialogs.log")).unwrap();
    assert_eq!(dialogs.matches("=== ").count(), 1, "{dialogs}");
    assert!(!fx.path("a.signed.pdf").exists());
    // the page may start another batch at once
    std::fs::write(answers.join("pin"), format!("{PIN}\n")).unwrap();
    let events = sign(&app, &cookie, &json!({"cert": an["id"], "files": [pdf]}));
    assert_eq!(events.last().unwrap()["signed"], 1, "{events:#?}");
    assert!(fx.path("a.signed.pdf").is_file());
}

#[test]
fn documents_that_cannot_be_signed_say_why_on_their_row_and_the_rest_are_signed() {
    let fx = Fixture::new();
    let docs = fx.path("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let good = docs.join("tốt.pdf");
    std::fs::copy(SPEC_PDF, &good).unwrap();
    let fake = docs.join("giả.pdf");
    std::fs::write(&fake, "not a PDF at all").unwrap();
    let locked = docs.join("khóa.pdf");
    let out = std::process::Command::new("qpdf")
        .args(["--encrypt", "u", "o", "256", "--", SPEC_PDF])
        .arg(&locked)
        .output()
        .unwrap();
    assert_ok(&out);
    let gone = docs.join("mất.pdf");
    std::fs::copy(SPEC_PDF, &gone).unwrap();
    let (app, _answers, spy) = start(&fx, PIN, &[&docs]);
    let cookie = app.cookie();
    let certs = app.get_json(&cookie, "/api/certs");
    let an = cert_of(&certs, "NGUYỄN VĂN AN");
    // listed, then deleted before the batch
    std::fs::remove_file(&gone).unwrap();
    let files = [&good, &fake, &locked, &gone];
    let events = sign(&app, &cookie, &json!({"cert": an["id"], "files": files}));
    let last = events.last().unwrap();
    assert_eq!(last["type"], "finished", "{events:#?}");
    assert_eq!(
        (last["signed"].as_u64(), last["failed"].as_u64()),
        (Some(1), Some(3))
    );
    let why = |p: &Path| {
        events
            .iter()
            .find(|e| e["type"] == "failed" && e["path"] == p.to_str().unwrap())
            .and_then(|e| e["error"].as_str())
            .unwrap_or_else(|| panic!("no failure for {}: {events:#?}", p.display()))
            .to_owned()
    };
    // in words a person reads (Vietnamese: no Accept-Language), no error codes
    for (p, words) in [(&fake, "PDF"), (&locked, "mật khẩu"), (&gone, "không")] {
        let w = why(p);
        assert!(w.contains(words), "{}: {w}", p.display());
        assert!(!w.contains("Error") && !w.contains("os error"), "{w}");
    }
    // checked before the PIN, so the good one is signed with one login
    assert!(good.with_extension("signed.pdf").is_file());
    for p in [&fake, &locked, &gone] {
        assert!(!p.with_extension("signed.pdf").exists(), "{}", p.display());
    }
    assert_eq!(spy_count(&spy, "C_Login"), 1);
}

#[test]
fn a_full_disk_stops_the_batch_in_plain_words_and_leaves_only_whole_pdfs() {
    let fx = Fixture::new();
    let docs = fx.path("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let files: Vec<String> = (0..3)
        .map(|i| {
            let p = docs.join(format!("tờ trình {i}.pdf"));
            std::fs::copy(SPEC_PDF, &p).unwrap();
            p.display().to_string()
        })
        .collect();
    let out_dir = fx.path("out");
    // one signed copy (about 150 KB) fits, a second does not
    let _disk = Mount::tmpfs(&out_dir, "200k");
    let (app, _answers, _spy) = start(&fx, PIN, &[]);
    let cookie = app.cookie();
    let certs = app.get_json(&cookie, "/api/certs");
    let an = cert_of(&certs, "NGUYỄN VĂN AN");
    let events = sign(
        &app,
        &cookie,
        &json!({"cert": an["id"], "files": files, "out_dir": out_dir}),
    );
    let last = events.last().unwrap();
    assert_eq!(last["type"], "finished", "{events:#?}");
    assert!(last["signed"].as_u64().unwrap() <= 1, "{last}");
    let failed: Vec<&Value> = events.iter().filter(|e| e["type"] == "failed").collect();
    assert!(!failed.is_empty(), "{events:#?}");
    for f in &failed {
        let w = f["error"].as_str().unwrap();
        assert!(w.starts_with("ổ đĩa đã đầy"), "{w}");
        assert!(!w.contains("os error"), "{w}");
    }
    // only whole, valid PDFs on the full disk, no partial or temporary file
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let signed: Vec<&Value> = events.iter().filter(|e| e["type"] == "signed").collect();
    assert_eq!(names.len(), signed.len(), "{names:?}");
    for s in signed {
        let out = Path::new(s["output"].as_str().unwrap());
        let report = pdfsig(&nss_db(&fx.path("nss")), out);
        assert!(report.contains("Signature is Valid"), "{report}");
    }
}

#[test]
fn signatures_are_timestamped_by_the_tsa_of_the_configuration() {
    let fx = Fixture::new();
    let tsa = Tsa::start(&fx.dir);
    let pdf = fx.path("a.pdf");
    std::fs::copy(SPEC_PDF, &pdf).unwrap();
    let txt = fx.path("b.txt");
    std::fs::write(&txt, "biên bản").unwrap();
    let toml = format!("[app]\ntsa = \"{}\"\n", tsa.url());
    let (app, _answers, _spy) = App::start_scripted(&fx, SPY, PIN, &toml, &[]);
    let cookie = app.cookie();
    let certs = app.get_json(&cookie, "/api/certs");
    let an = cert_of(&certs, "NGUYỄN VĂN AN");
    let events = sign(
        &app,
        &cookie,
        &json!({"cert": an["id"], "files": [pdf, txt]}),
    );
    assert_eq!(events.last().unwrap()["signed"], 2, "{events:#?}");
    // the TSA was asked once per signature; openssl finds the token in the CMS signature
    assert_eq!(tsa.server.count(), 2);
    let out = std::process::Command::new("openssl")
        .args(["cms", "-cmsout", "-print", "-inform", "DER", "-in"])
        .arg(fx.path("b.txt.p7s"))
        .output()
        .unwrap();
    assert_ok(&out);
    // id-aa-signatureTimeStampToken (1.2.840.113549.1.9.16.2.14) in the unsigned attributes
    assert!(
        stdout(&out).contains("id-smime-aa-timeStampToken"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_tsa_that_is_not_a_url_is_refused_at_launch() {
    let fx = Fixture::new();
    std::fs::write(fx.path("bad.toml"), "[app]\ntsa = \"tsa.example.vn\"\n").unwrap();
    let out = fx
        .kyso()
        .args([
            "--config",
            fx.path("bad.toml").to_str().unwrap(),
            "app",
            "--no-open",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("[app] tsa"), "{}", stderr(&out));
}

#[test]
fn the_stamp_image_chosen_on_the_page_is_drawn_on_every_stamp_and_kept() {
    let fx = Fixture::new();
    let pdf = fx.path("công văn.pdf");
    std::fs::copy(SPEC_PDF, &pdf).unwrap();
    let (app, _answers, _spy) = start(&fx, PIN, &[&pdf]);
    let cookie = app.cookie();

    // not a PNG: refused in the page's language, nothing kept
    let r = post_bytes(
        &app,
        &cookie,
        "/api/stamp-image",
        "image/jpeg",
        b"\xff\xd8\xff not png",
    );
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.body.contains("Hãy chọn một tệp PNG"), "{}", r.body);
    let none = app.request(
        "GET",
        "/api/stamp-image",
        &[("Host", &app.host()), ("Cookie", &cookie)],
        None,
    );
    assert_eq!(none.status, 404);

    let seal = red_seal(120, 60);
    let r = post_bytes(&app, &cookie, "/api/stamp-image", "image/png", &seal);
    assert_eq!(r.status, 200, "{r:?}");
    let kept = app.request(
        "GET",
        "/api/stamp-image",
        &[("Host", &app.host()), ("Cookie", &cookie)],
        None,
    );
    assert_eq!(kept.header("content-type"), Some("image/png"));
    assert_eq!(
        kept.header("content-length"),
        Some(seal.len().to_string().as_str())
    );

    let an = cert_of(&app.get_json(&cookie, "/api/certs"), "NGUYỄN VĂN AN").clone();
    let stamp = json!({"page": "1", "x": 330, "y": 30, "w": 250, "h": 64, "image": true});
    let events = sign(
        &app,
        &cookie,
        &json!({"cert": an["id"], "files": [pdf], "stamp": stamp}),
    );
    assert_eq!(events.last().unwrap()["signed"], 1, "{events:#?}");
    let signed = fx.path("công văn.signed.pdf");
    // the red disc at the stamp's left, its transparent corners showing the stamp's background
    let red = red_pixels(&signed, 789.0, [330.0, 30.0, 250.0, 64.0]);
    assert!(red > 1000, "the seal is drawn: {red} red pixels");
    assert_eq!(red_pixels(&signed, 789.0, [335.0, 30.0, 8.0, 8.0]), 0);
    let report = pdfsig(&nss_db(&fx.path("nss")), &signed);
    assert!(report.contains("Signature is Valid"), "{report}");

    // forgotten: the next stamp has none
    post(&app, &cookie, "/api/stamp-image/remove", &json!({}));
    let gone = app.request(
        "GET",
        "/api/stamp-image",
        &[("Host", &app.host()), ("Cookie", &cookie)],
        None,
    );
    assert_eq!(gone.status, 404);
}

#[test]
fn an_idle_page_looks_at_the_slots_only_and_opens_no_session() {
    let fx = Fixture::new();
    let (app, _answers, spy) = start(&fx, PIN, &[]);
    let cookie = app.cookie();
    cert_of(&app.get_json(&cookie, "/api/certs"), "NGUYỄN VĂN AN");
    let (sessions, slots) = (
        spy_count(&spy, "C_OpenSession"),
        spy_count(&spy, "C_GetSlotList"),
    );
    // the watcher looks every second: wait for three more looks at the slots
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while spy_count(&spy, "C_GetSlotList") < slots + 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "the slots were never looked at again"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(
        spy_count(&spy, "C_OpenSession"),
        sessions,
        "no token read while idle"
    );
}

#[test]
fn where_signed_documents_go_is_remembered_while_the_folder_exists() {
    let fx = Fixture::new();
    let (app, _answers, _spy) = start(&fx, PIN, &[]);
    let cookie = app.cookie();
    assert_eq!(app.get_json(&cookie, "/api/out-dir"), json!({"dir": null}));
    let chosen = fx.path("Đã ký");
    std::fs::create_dir_all(&chosen).unwrap();
    post(&app, &cookie, "/api/out-dir", &json!({"dir": chosen}));
    assert_eq!(
        app.get_json(&cookie, "/api/out-dir"),
        json!({"dir": chosen})
    );
    // a folder since removed: next to the originals again
    std::fs::remove_dir(&chosen).unwrap();
    assert_eq!(app.get_json(&cookie, "/api/out-dir"), json!({"dir": null}));
    post(&app, &cookie, "/api/out-dir", &json!({"dir": null}));
    assert_eq!(app.get_json(&cookie, "/api/out-dir"), json!({"dir": null}));
}
