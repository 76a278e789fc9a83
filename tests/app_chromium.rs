//! `kyso app` in real Chromium under Xvfb, as a person without a terminal uses it: 97 PDFs
//! given as "Open with" gives them (the command line) and 3 dropped on the page, the SoftHSM
//! certificate chosen, the stamp dragged with the mouse and nudged with the arrow keys
//! (DevTools input events), one PIN typed (xdotool) into the real pinentry-gtk-2 dialog for
//! all 100, the results followed on the page, then one output dropped on the verify view.
//! Every output is checked by pdfsig (trusting the test CA) and its widget's rectangle by qpdf
//! against where the page put the stamp. Screenshots of each step go to
//! `$CARGO_TARGET_TMPDIR/app-screenshots/` (one is docs/kyso-app.png). An English browser gets
//! the English page, a seal on the stamp, and its folder chooser sends the outputs where the
//! person chose. Remote signing accounts show next to the token, marked remote; one that
//! failed says so, and its "try again" button lists its credential once the service answers.

#[path = "common/app.rs"]
mod app;
#[path = "common/app_browser.rs"]
mod app_browser;
mod common;

use std::path::PathBuf;

use app_browser::*;
use common::browser::*;
use common::nss::*;
use common::png::{red_pixels, red_seal};
use common::qpdf::{array_of, widget_of};
use common::*;

const SPEC_PDF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/pdf/shared-mime-info-spec.pdf"
);

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
    let (toml, shots) = setup(&fx, "");

    let mut args = vec!["--folder", uploads.to_str().unwrap()];
    args.extend(given.iter().map(|p| p.to_str().unwrap()));
    let Browsing {
        x,
        app,
        mut chrome,
        page,
    } = launch(&fx, &home, &toml, &args, "vi-VN,vi", "vi", shots);
    let origin = format!("http://127.0.0.1:{}", app.port);
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
fn an_english_browser_gets_the_english_page_a_seal_on_the_stamp_and_outputs_in_the_folder_chosen() {
    let fx = Fixture::new();
    let home = fx.path("home");
    let letters = home.join("Letters");
    std::fs::create_dir_all(&letters).unwrap();
    std::fs::create_dir_all(home.join("Archive")).unwrap();
    let given: Vec<PathBuf> = (1..=3)
        .map(|i| {
            let p = letters.join(format!("letter {i}.pdf"));
            std::fs::copy(SPEC_PDF, &p).unwrap();
            p
        })
        .collect();
    let (toml, shots) = setup(&fx, "");
    let args: Vec<&str> = given.iter().map(|p| p.to_str().unwrap()).collect();
    let Browsing {
        x,
        app: _app,
        mut chrome,
        page,
    } = launch(&fx, &home, &toml, &args, "en-US,en", "en", shots);

    // English throughout, not one Vietnamese word of the page's own
    assert_eq!(page.eval("document.documentElement.lang"), "en");
    page.until(
        "the documents and the certificate",
        "document.querySelectorAll('#files tbody tr').length === 3 && \
         document.querySelectorAll('#certs label').length > 0",
    );
    let text = page.eval("document.body.innerText");
    for key in [
        "files",
        "cert",
        "stamp",
        "sign-step",
        "out-label",
        "out-beside",
        "tab-verify",
    ] {
        let want = english(key);
        assert!(text.contains(&want), "{want:?} not on the page: {text}");
    }
    for vietnamese in ["Tài liệu", "Chứng thư", "Ký số", "cạnh"] {
        assert!(
            !text.contains(vietnamese),
            "{vietnamese:?} on the English page: {text}"
        );
    }
    page.eval(
        "[...document.querySelectorAll('#certs label')].find((l) => \
         l.textContent.includes('NGUYỄN VĂN AN')).querySelector('input').click(); 'ok'",
    );

    // a seal for the stamp, chosen on the page: drawn in the stamp's box at once
    page.choose_file("pick-stamp-image", "seal.png", &red_seal(120, 60));
    page.until(
        "the seal on the stamp",
        "document.querySelector('#stamp-box img.stamp-image') !== null && \
         !document.getElementById('stamp-image-remove').hidden",
    );
    let stamp = page.json("stamp");

    // the folder chooser: opens at the documents' folder, up one, into Archive, a new
    // folder made there and chosen
    page.eval("document.getElementById('out-choose').click(); 'ok'");
    page.until(
        "the chooser at the documents' folder",
        &format!(
            "document.getElementById('folders').open && \
             document.getElementById('folders-path').innerText === {:?}",
            letters.canonicalize().unwrap().display().to_string()
        ),
    );
    page.eval("document.getElementById('folders-up').click(); 'ok'");
    page.until(
        "the home folder's subfolders",
        "[...document.querySelectorAll('#folders-list button')].map((b) => b.innerText).join('|') \
         === 'Archive|Letters'",
    );
    page.eval(
        "[...document.querySelectorAll('#folders-list button')].find((b) => \
         b.innerText === 'Archive').click(); 'ok'",
    );
    page.until(
        "Archive, empty",
        "document.getElementById('folders-path').innerText.endsWith('/Archive')",
    );
    page.eval(
        "document.getElementById('folders-new-name').value = 'Signed 2026'; \
         document.getElementById('folders-new').click(); 'ok'",
    );
    page.until(
        "the new folder",
        "document.getElementById('folders-path').innerText.endsWith('/Archive/Signed 2026')",
    );
    page.screenshot("en-1-folder");
    page.eval("document.getElementById('folders-use').click(); 'ok'");
    let out_dir = home.join("Archive/Signed 2026").canonicalize().unwrap();
    assert_eq!(
        page.eval("document.getElementById('out-dir').innerText"),
        out_dir.display().to_string()
    );

    // by keyboard: Tab from the top reaches each control with its focus drawn, and Enter on
    // Sign signs
    page.eval("document.activeElement.blur(); window.scrollTo(0, 0); 'ok'");
    let mut reached = Vec::new();
    for _ in 0..40 {
        page.key("Tab", 9);
        let (id, shown) = (
            page.eval("(() => { const e = document.activeElement; return e.id || e.name || e.tagName; })()"),
            page.eval(
                "(() => { const s = getComputedStyle(document.activeElement.closest('label.button') \
                 || document.activeElement); return String(s.outlineStyle !== 'none' && \
                 parseFloat(s.outlineWidth) >= 2); })()",
            ),
        );
        assert_eq!(
            shown, "true",
            "the focus on {id} is not drawn (after {reached:?})"
        );
        reached.push(id.clone());
        if id == "sign" {
            break;
        }
    }
    for control in [
        "tab-sign",
        "tab-verify",
        "pick-files",
        "pick-folder",
        "cert",
        "out-choose",
    ] {
        assert!(
            reached.iter().any(|r| r == control),
            "{control} not reached: {reached:?}"
        );
    }
    assert_eq!(
        reached.last().map(String::as_str),
        Some("sign"),
        "{reached:?}"
    );
    page.key("Enter", 13);
    page.until(
        "the PIN note",
        "!document.getElementById('pin-note').hidden",
    );
    assert_eq!(
        page.eval("document.getElementById('pin-note').innerText"),
        english("pin-wait")
    );
    answer_pin_dialog(&x, &mut chrome, "^kyso", PIN);
    page.until("the results", "document.body.dataset.finished === '1'");
    let summary = page.eval("document.getElementById('summary').innerText");
    assert!(summary.contains("3 signed, 0 not signed"), "{summary}");
    page.screenshot("en-2-results");
    // the folder is remembered: the page opened again shows it
    // (the mark cleared first: the old page keeps it until the new one replaces it)
    page.eval("document.body.dataset.ready = ''; location.reload(); 'ok'");
    page.until(
        "the page again",
        "document.body && document.body.dataset.ready === '1'",
    );
    assert_eq!(
        page.eval("document.getElementById('out-dir').innerText"),
        out_dir.display().to_string()
    );

    // every output in the folder chosen, valid and trusted for pdfsig; none beside the originals
    let db = nss_db(&fx.path("nss"));
    nss_trust(&db, "kyso-test-ca", "C,C,C", &fx.path("ca.pem"));
    for p in &given {
        let name = p
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .replace(".pdf", ".signed.pdf");
        assert!(!letters.join(&name).exists(), "{name} beside its original");
        let out = out_dir.join(&name);
        let report = pdfsig(&db, &out);
        assert!(
            report.contains("Signature is Valid") && report.contains("Certificate is Trusted"),
            "{name}: {report}"
        );
        let at = |k: &str| stamp[k].as_f64().unwrap() as f32;
        let red = red_pixels(&out, 789.0, [at("x"), at("y"), at("w"), at("h")]);
        assert!(
            red > 500,
            "{name}: the seal is on the stamp ({red} red pixels)"
        );
    }
}

#[test]
fn remote_accounts_show_marked_remote_and_try_again_clears_a_passing_outage() {
    use common::csc::*;
    let fx = Fixture::new();
    let home = fx.path("home");
    std::fs::create_dir_all(&home).unwrap();
    let server = CscServer::start(&fx.path("csc"));
    // two accounts of the test service; the first to log in is refused, once
    let account = |name: &str| {
        std::fs::read_to_string(server.kyso_toml(name, "v2", "credentials = [\"cred-ec\"]"))
            .unwrap()
    };
    let (toml, shots) = setup(&fx, &format!("{}\n{}", account("mysign"), account("vnpt")));
    server.state().inject.insert(
        "oauth2/token".into(),
        (400, r#"{"error":"temporarily_unavailable"}"#.into()),
    );
    // bound, not `..`: the browser, the app and the display live as long as the page
    let Browsing {
        x: _x,
        app,
        chrome: _chrome,
        page,
    } = launch(&fx, &home, &toml, &[], "vi-VN,vi", "vi", shots);
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
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while page.eval("String(document.querySelectorAll('#certs button').length)") != "0" {
        assert!(
            std::time::Instant::now() < deadline,
            "the account not listed after trying again: {}\napp log:\n{}",
            page.eval(certs),
            app.log()
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let text = page.eval(certs);
    assert_eq!(text.matches("NGUYỄN VĂN AN").count(), 3, "{text}");
    assert!(text.contains("từ xa · mysign"), "{text}");
}
