//! A card pulled out in the middle of a portal's batch (`kyso serve`, VGCA SignFiles, the
//! virtual PIV card through pcscd and OpenSC): the batch fails cleanly — what was signed is
//! uploaded, nothing is uploaded for the files not signed, the reply says which — the service
//! stays up, and the same request signs everything once the card is back.

mod common;
#[path = "common/serve.rs"]
mod serve;

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use common::pcscd::Pcscd;
use common::piv::*;
use common::*;
use serve::{Serve, Setup, TestPortal};

fn signature_valid(fx: &Fixture, pdf: &[u8], name: &str) -> bool {
    let path = fx.path(name);
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdfsig")
        .arg(&path)
        .output()
        .unwrap();
    stdout(&out).contains("Signature is Valid")
}

#[test]
fn a_card_pulled_mid_batch_uploads_only_what_was_signed_and_the_next_request_signs_all() {
    let _pcscd = Pcscd::start();
    let fx = Fixture::new();
    let mut card = PivCard::new(&fx.path("card"));
    card.latency_ms = 300;
    card.insert();
    let portal = TestPortal::start();
    let origin = portal.origin();
    let mut serve = Serve::start_with(
        &fx,
        ID_9A,
        &[&origin],
        &Setup {
            module: Some((OPENSC.into(), String::new())),
            ..Setup::default()
        },
    );
    serve.answer(true, PIV_PIN);
    let files: Vec<Value> = (1..=8)
        .map(|n| json!({"FileID": n, "URL": format!("{origin}/files/qd-{n}.pdf")}))
        .collect();
    let request = json!({
        "FileUploadHandler": format!("{origin}/upload"), "SessionId": "s", "JWTToken": "",
        "Files": files,
    });

    // the batch on its own connection; the card pulled once two signatures are made
    let (ca, port, req) = (serve.ca.clone(), serve.vgca, request.to_string());
    let o = origin.clone();
    let batch = std::thread::spawn(move || {
        serve::connect(&ca, port, "/SignFiles", Some(&o), None).call(&req)
    });
    let until = Instant::now() + Duration::from_secs(60);
    while card.signatures() < 2 {
        assert!(Instant::now() < until, "the batch did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    card.remove();
    let reply: Value = serde_json::from_str(&batch.join().unwrap()).unwrap();
    assert_eq!(reply["Status"], 14, "{reply:#}");
    let results = reply["Files"].as_array().unwrap();
    let signed = results.iter().filter(|f| f["Status"] == 0).count();
    // the card counts a signature when it computes it; the second one's answer may be lost
    // with the card, so at least the first is signed, and not the last
    assert!((1..8).contains(&signed), "{reply:#}");
    for f in results.iter().filter(|f| f["Status"] != 0) {
        let m = f["Message"].as_str().unwrap();
        assert!(m.contains("removed") && m.contains("reinsert"), "{f}");
    }
    // nothing uploaded for the files not signed; what was uploaded is whole
    let uploads = portal.uploads.lock().unwrap().clone();
    assert_eq!(uploads.len(), signed);
    for (n, pdf) in uploads.iter().enumerate() {
        assert!(signature_valid(&fx, pdf, &format!("pulled-{n}.pdf")));
    }
    assert!(serve.alive());

    // the card back: the same request signs all eight, with one PIN
    card.latency_ms = 0;
    card.insert();
    let reply = serve.vgca("SignFiles", &origin, &request);
    assert_eq!(reply["Status"], 0, "{reply:#}");
    assert_eq!(portal.uploads.lock().unwrap().len(), signed + 8);
    assert_eq!(card.pin_verifications(), 2, "one PIN per batch");
}
