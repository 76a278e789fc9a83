//! `kyso serve --lang vi`: what the person reads in pinentry is Vietnamese — the
//! confirmation (the requesting site, the certificate, the documents and their count), the PIN
//! dialog, the warning after a wrong PIN, and "signature 3 of 3" for a key that wants its PIN
//! at every signature. The scripted pinentry records every dialog.

mod common;
#[path = "common/serve.rs"]
mod serve;

use base64::Engine;
use serde_json::{json, Value};

use common::*;
use serve::{Serve, Setup, SPEC_PDF};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn batch(n: usize) -> String {
    let pdf = B64.encode(std::fs::read(SPEC_PDF).unwrap());
    let items: Vec<Value> = (0..n)
        .map(|_| json!({"data": pdf, "type": "pdf"}))
        .collect();
    Value::Array(items).to_string()
}

#[test]
fn the_dialogs_speak_vietnamese() {
    let fx = Fixture::new();
    let origin = "https://dichvucong.gov.vn";
    let setup = Setup {
        lang: Some("vi"),
        ..Setup::default()
    };
    let serve = Serve::start_with(&fx, "01", &[origin], &setup);
    let (out, _) = serve.vnpt(origin, 10, &[batch(12)]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["code"], 0, "{v}");
    let d = serve.dialogs();
    for words in [
        "Trang web https://dichvucong.gov.vn yêu cầu ký 12 tài liệu (signArrDataAdvanced).",
        "Chứng thư số: ",
        "12 tài liệu:",
        "… và 2 tài liệu khác",
        "Ký tất cả?",
        "https://dichvucong.gov.vn yêu cầu ký bằng chứng thư số của ",
        "Nhập mã PIN của thiết bị ký số.",
    ] {
        assert!(d.contains(words), "{words:?} not in {d}");
    }
    assert!(!d.contains("Sign them all"), "{d}");

    // a wrong PIN, then the next PIN dialog says so, in Vietnamese
    serve.answer(true, "987654");
    let msg = json!({"HashAlg": "SHA256", "HashValue": B64.encode([7u8; 32])});
    assert_ne!(serve.vgca("SignMsg", origin, &msg)["Status"], 0);
    serve.answer(true, PIN);
    assert_eq!(serve.vgca("SignMsg", origin, &msg)["Status"], 0);
    let d = serve.dialogs();
    let last = d.rsplit("=== GETPIN").next().unwrap();
    assert!(
        last.contains("[error] Trước đó đã có lần nhập sai mã PIN"),
        "{d}"
    );
    assert!(d.contains("yêu cầu ký một giá trị băm (SignMsg)"), "{d}");
}

#[test]
fn a_pin_at_every_signature_is_counted_in_vietnamese() {
    let fx = Fixture::new();
    let origin = "https://dichvucong.gov.vn";
    let setup = Setup {
        lang: Some("vi"),
        ..Setup::default()
    };
    let serve = Serve::start_with(&fx, "05", &[origin], &setup);
    let (out, _) = serve.vnpt(origin, 10, &[batch(3)]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["code"], 0, "{v}");
    let d = serve.dialogs();
    assert!(
        d.contains("Khóa này yêu cầu nhập mã PIN cho từng chữ ký: chữ ký thứ 3 trên 3."),
        "{d}"
    );
}
