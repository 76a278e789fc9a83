//! A portal's `PdfSigner.TsaUrl` (VNPT SignPDF): kyso serve timestamps with the authority of
//! kyso.toml's `[serve] tsa` only — the URL a page names is never contacted — and refuses,
//! before anything is asked of the person, when none is set.

mod common;
#[path = "common/serve.rs"]
mod serve;

use base64::Engine;
use serde_json::{json, Value};

use common::servers::{HttpServer, Request, Tsa};
use common::*;
use serve::{Serve, Setup, SPEC_PDF};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

#[test]
fn a_timestamp_comes_from_the_configured_authority_never_from_the_page() {
    let fx = Fixture::new();
    let origin = "https://dichvucong.gov.vn";
    let tsa = Tsa::start(&fx.dir);
    // a URL the page names: a server that counts what reaches it
    let elsewhere = HttpServer::start(Box::new(|_: &Request| {
        (500, "text/plain", b"not a TSA".to_vec())
    }));
    let pdf = B64.encode(std::fs::read(SPEC_PDF).unwrap());
    let signer = json!({"page": 1, "llx": 300, "lly": 40, "urx": 520, "ury": 110,
        "SigType": 0, "TsaUrl": elsewhere.url("/tsa")})
    .to_string();

    // no [serve] tsa: refused before the confirmation and the PIN
    let serve = Serve::start(&fx, "01", &[origin]);
    let (out, _) = serve.vnpt(origin, 2, &[pdf.clone(), signer.clone()]);
    let out: Value = serde_json::from_str(&out).unwrap();
    assert_ne!(out["code"], 0, "{out}");
    let error = out["error"].as_str().unwrap_or_default();
    assert!(error.contains("never from a URL a page names"), "{out}");
    assert!(error.contains("[serve] tsa"), "{out}");
    assert_eq!(spy_count(&serve.spy, "C_Login"), 0, "nothing asked");
    assert!(serve.dialogs().is_empty(), "{}", serve.dialogs());
    drop(serve);

    // [serve] tsa set: the configured authority stamps the signature, the page's is not asked
    let setup = Setup {
        tsa: Some(tsa.url()),
        ..Setup::default()
    };
    let serve = Serve::start_with(&fx, "01", &[origin], &setup);
    let (out, _) = serve.vnpt(origin, 2, &[pdf, signer]);
    let out: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(out["code"], 0, "{out}");
    let signed = fx.path("stamped.pdf");
    std::fs::write(&signed, B64.decode(out["data"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(
        tsa.server
            .requests
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    assert_eq!(
        elsewhere.requests.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the page's URL is never contacted"
    );
    let v = json(&fx.verify_json(&[signed.to_str().unwrap()]));
    assert!(
        v[0]["signature"]["timestamp"].is_object(),
        "the signature carries a timestamp: {v:#}"
    );
    assert_eq!(v[0]["level"], "B-T", "{v:#}");
}
