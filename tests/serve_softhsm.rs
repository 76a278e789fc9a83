//! `kyso serve` over SoftHSM, driven as portals drive the VGCA and VNPT plugins (WebSocket
//! over TLS, trusting the service's local CA): what it returns and uploads is checked by
//! openssl and poppler's pdfsig; every refusal comes back in the plugin's own error shape and
//! the service stays up; one confirmation and one PIN (exactly one `C_Login`) per batch.

mod common;
#[path = "common/serve.rs"]
mod serve;

use std::sync::Arc;

use base64::Engine;
use serde_json::{json, Value};

use common::nss::*;
use common::*;
use serve::{Serve, Setup, TestPortal, SPEC_PDF};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// pdfsig's verdict on `pdf`, trusting the fixture CA.
fn pdfsig_ok(fx: &Fixture, pdf: &[u8], name: &str) -> bool {
    let db = fx.path("nss");
    if !db.exists() {
        let d = nss_db(&db);
        nss_trust(&d, "kyso-test-ca", "C,C,C", &fx.path("ca.pem"));
    }
    let path = fx.path(name);
    std::fs::write(&path, pdf).unwrap();
    let report = pdfsig(&format!("sql:{}", db.display()), &path);
    report.contains("Signature is Valid") && report.contains("Certificate is Trusted")
}

fn openssl_hash_ok(fx: &Fixture, hash: &[u8], sig: &[u8]) -> bool {
    let (h, s) = (fx.path("hash.bin"), fx.path("hash.sig"));
    std::fs::write(&h, hash).unwrap();
    std::fs::write(&s, sig).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
        .arg(fx.path("rsa2048.pub.pem"))
        .args(["-pkeyopt", "digest:sha256", "-in"])
        .arg(&h)
        .arg("-sigfile")
        .arg(&s)
        .output()
        .unwrap();
    out.status.success()
}

fn sha256(data: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(data).to_vec()
}

#[test]
fn vgca_operations_sign_and_upload_to_the_portal() {
    let fx = Fixture::new();
    let portal = TestPortal::start();
    let (origin, uploads) = (portal.origin(), portal.uploads.clone());
    let serve = Serve::start(&fx, "01", &[&origin]);

    let v = serve.vgca("GetVersion", &origin, &json!({}));
    assert_eq!(v["Status"], 0, "{v}");
    let c = serve.vgca("GetCertInfo", &origin, &json!({}));
    assert_eq!(c["Status"], 0, "{c}");
    let pem = std::fs::read_to_string(fx.path("rsa2048.pem")).unwrap();
    let der = B64.decode(c["CertBase64"].as_str().unwrap()).unwrap();
    let b64_pem: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    assert_eq!(
        B64.decode(b64_pem).unwrap(),
        der,
        "GetCertInfo returns the token's certificate"
    );

    // SignMsg: a hash signed, checked by openssl with the certificate's key
    let hash = sha256(b"ho so dich vu cong");
    let m = serve.vgca(
        "SignMsg",
        &origin,
        &json!({"HashAlg": "SHA256", "HashValue": B64.encode(&hash), "Encode": "RSA"}),
    );
    assert_eq!(m["Status"], 0, "{m}");
    let sig = B64.decode(m["Signature"].as_str().unwrap()).unwrap();
    assert!(openssl_hash_ok(&fx, &hash, &sig));

    // SignPDF by URL: downloaded from the portal, signed, uploaded as `uploadfile`
    let p = serve.vgca(
        "SignPDF",
        &origin,
        &json!({
            "FileUploadHandler": format!("{origin}/upload"), "SessionId": "s1", "JWTToken": "",
            "FileName": format!("{origin}/files/to-trinh.pdf"),
        }),
    );
    assert_eq!(p["Status"], 0, "{p}");
    assert_eq!(
        p["FileServer"], "{\"Status\":0,\"fileEntryId\":1}",
        "the handler's reply is passed through"
    );
    let uploaded = uploads.lock().unwrap()[0].clone();
    assert!(
        pdfsig_ok(&fx, &uploaded, "uploaded.pdf"),
        "the uploaded PDF's signature is valid"
    );

    // SignIssued: document number and date in the signature; base64 back without a handler
    let i = serve.vgca("SignIssued", &origin, &json!({
        "FileName": "/files/cong-van.pdf", "DocNumber": "123/UBND", "IssuedDate": "2026-12-04T10:00:00+07:00",
    }));
    assert_eq!(i["Status"], 0, "{i}");
    let signed = B64.decode(i["Base64Content"].as_str().unwrap()).unwrap();
    assert!(pdfsig_ok(&fx, &signed, "issued.pdf"));
    // the /Reason, a UTF-16BE hex string: "Số 123/UBND, ngày 04/12/2026"
    let utf16: String = "123/UBND, ngày 04/12/2026"
        .encode_utf16()
        .map(|u| format!("{u:04X}"))
        .collect();
    assert!(String::from_utf8_lossy(&signed)
        .to_ascii_uppercase()
        .contains(&utf16));

    // SignFiles: a batch, one confirmation and one PIN
    let before = serve.dialogs().matches("=== CONFIRM").count();
    let files: Vec<Value> = (1..=3).map(|n| json!({"FileID": n, "FileName": format!("qd-{n}.pdf"), "URL": format!("{origin}/files/qd-{n}.pdf")})).collect();
    let f = serve.vgca("SignFiles", &origin, &json!({"FileUploadHandler": format!("{origin}/upload"), "SessionId": "s2", "JWTToken": "", "Files": files}));
    assert_eq!(f["Status"], 0, "{f}");
    assert_eq!(f["Files"].as_array().unwrap().len(), 3);
    assert_eq!(serve.dialogs().matches("=== CONFIRM").count(), before + 1);
    let dialogs = serve.dialogs();
    assert!(
        dialogs.contains(&origin)
            && dialogs.contains("qd-3.pdf")
            && dialogs.contains("NGUYỄN VĂN AN"),
        "{dialogs}"
    );
    for (n, pdf) in uploads.lock().unwrap().iter().enumerate().skip(1) {
        assert!(pdfsig_ok(&fx, pdf, &format!("batch-{n}.pdf")));
    }

    // SignFile of another format: a detached CMS signature, checked by openssl
    let note = "Biên bản họp ngày 04/12/2026".as_bytes();
    let f = serve.vgca(
        "SignFile",
        &origin,
        &json!({"Base64Content": B64.encode(note), "FileName": "bien-ban.txt"}),
    );
    assert_eq!(f["Status"], 0, "{f}");
    assert_eq!(f["FileName"], "bien-ban.txt.p7s");
    let (content, p7s) = (fx.path("bien-ban.txt"), fx.path("bien-ban.txt.p7s"));
    std::fs::write(&content, note).unwrap();
    std::fs::write(
        &p7s,
        B64.decode(f["Base64Content"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    let (ok, why) = openssl_cms_verify(&fx, &content, &p7s);
    assert!(ok, "{why}");

    // SignXML: an e-invoice signed inside (its profile chosen by its root), xmlsec1 agrees
    let invoice = common::einvoice::invoice(9, 3, "0100686209-199");
    let x = serve.vgca(
        "SignXML",
        &origin,
        &json!({"Base64Content": B64.encode(&invoice), "FileName": "hd-9.xml"}),
    );
    assert_eq!(x["Status"], 0, "{x}");
    let signed = B64.decode(x["Base64Content"].as_str().unwrap()).unwrap();
    std::fs::write(fx.path("hd-9.signed.xml"), &signed).unwrap();
    let (ok, why) = common::xmldsig::xmlsec1(&fx, &fx.path("hd-9.signed.xml"), None);
    assert!(ok, "xmlsec1: {why}");
    assert!(String::from_utf8_lossy(&signed).contains("<NBan><Signature"));
    let x = serve.vgca(
        "SignXML",
        &origin,
        &json!({"Base64Content": B64.encode(&invoice), "ReturnSignatureOnly": true}),
    );
    assert_eq!(x["Status"], 14, "{x}");

    // not supported yet, and unknown: the plugin's error shape
    let x = serve.vgca("SignOffice", &origin, &json!({"Base64Content": ""}));
    assert_eq!(x["Status"], 14);
    assert!(
        x["Message"].as_str().unwrap().contains("not supported"),
        "{x}"
    );
    let u = serve.vgca("Frobnicate", &origin, &json!({}));
    assert_eq!(u["Status"], 14);
    assert!(
        u["Message"].as_str().unwrap().contains("unknown operation"),
        "{u}"
    );
}

#[test]
fn vnpt_batch_of_twenty_pdfs_takes_one_confirmation_and_one_pin() {
    let fx = Fixture::new();
    let origin = "https://dichvucong.gov.vn";
    let serve = Serve::start(&fx, "01", &[origin]);
    assert_eq!(serve.vnpt(origin, 7, &[]), ("1".into(), "cb42".into()));
    let (lic, _) = serve.vnpt(origin, 6, &["PExpY2Vuc2UvPg==".into()]);
    assert_eq!(serde_json::from_str::<Value>(&lic).unwrap()["code"], 1);

    let pdf = B64.encode(std::fs::read(SPEC_PDF).unwrap());
    let items: Vec<Value> = (0..20)
        .map(|_| json!({"data": pdf, "type": "pdf", "sigOptions": ""}))
        .collect();
    let (out, cb) = serve.vnpt(
        origin,
        10,
        &[
            Value::Array(items).to_string(),
            String::new(),
            "0".into(),
            "0".into(),
        ],
    );
    assert_eq!(cb, "cb42");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["code"], 0, "{}", v["error"]);
    let results = v["data"].as_array().unwrap();
    assert_eq!(results.len(), 20);
    for (n, r) in results.iter().enumerate() {
        assert_eq!(r["code"], 0, "{}", r["error"]);
        let signed = B64.decode(r["data"].as_str().unwrap()).unwrap();
        assert!(
            pdfsig_ok(&fx, &signed, &format!("arr-{n}.pdf")),
            "document {n}"
        );
    }
    let d = serve.dialogs();
    assert_eq!(d.matches("=== CONFIRM").count(), 1, "{d}");
    assert_eq!(d.matches("=== GETPIN").count(), 1, "{d}");
    assert!(
        d.contains(origin) && d.contains("20 document(s)") && d.contains("and 10 more"),
        "{d}"
    );
    assert_eq!(spy_count(&serve.spy, "C_Login"), 1);

    // one bad document among good ones fails alone, named; the others are signed
    let mixed = json!([
        {"data": pdf, "type": "pdf"},
        {"data": B64.encode(b"%PDF-1.7 truncated"), "type": "pdf"},
    ]);
    let (out, _) = serve.vnpt(origin, 10, &[mixed.to_string()]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let second = &v["data"][1];
    assert_eq!(v["data"][0]["code"], 0, "{}", v["data"][0]["error"]);
    assert_eq!(second["code"], 3, "{second}");
    let error = second["error"].as_str().unwrap();
    assert!(error.starts_with("document-2.pdf: "), "{second}");

    // SignPDF with a visible signature box, and signHash checked by openssl
    let signer =
        json!({"page": 1, "llx": 300, "lly": 40, "urx": 520, "ury": 110, "SigType": 0}).to_string();
    let (one, _) = serve.vnpt(origin, 2, &[pdf.clone(), signer]);
    let one: Value = serde_json::from_str(&one).unwrap();
    assert_eq!(one["code"], 0, "{one}");
    let signed = B64.decode(one["data"].as_str().unwrap()).unwrap();
    assert!(pdfsig_ok(&fx, &signed, "visible.pdf"));
    assert!(
        String::from_utf8_lossy(&signed).contains("/Rect [300"),
        "the box the page asked for"
    );
    let hash = sha256(b"to khai");
    let (h, _) = serve.vnpt(origin, 9, &[B64.encode(&hash)]);
    let h: Value = serde_json::from_str(&h).unwrap();
    assert_eq!(h["code"], 0, "{h}");
    assert!(openssl_hash_ok(
        &fx,
        &hash,
        &B64.decode(h["data"].as_str().unwrap()).unwrap()
    ));
    // SignCMS: a detached CMS signature of the data, checked by openssl
    let data = "Tờ khai thuế 2026".as_bytes();
    let (c, _) = serve.vnpt(origin, 4, &[B64.encode(data)]);
    let c: Value = serde_json::from_str(&c).unwrap();
    assert_eq!(c["code"], 0, "{c}");
    let (content, p7s) = (fx.path("to-khai.txt"), fx.path("to-khai.p7s"));
    std::fs::write(&content, data).unwrap();
    std::fs::write(&p7s, B64.decode(c["data"].as_str().unwrap()).unwrap()).unwrap();
    let (ok, why) = openssl_cms_verify(&fx, &content, &p7s);
    assert!(ok, "{why}");

    // SignXML (functionID 1): an e-invoice signed inside, its profile chosen by its root; and
    // an XML document among PDFs in one signArrDataAdvanced: xmlsec1 and pdfsig agree
    let invoice = common::einvoice::invoice(7, 2, "0100686209-199");
    let (x, _) = serve.vnpt(origin, 1, &[B64.encode(&invoice), "{}".into()]);
    let x: Value = serde_json::from_str(&x).unwrap();
    assert_eq!(x["code"], 0, "{x}");
    let signed = B64.decode(x["data"].as_str().unwrap()).unwrap();
    std::fs::write(fx.path("hd-7.signed.xml"), &signed).unwrap();
    let (ok, why) = common::xmldsig::xmlsec1(&fx, &fx.path("hd-7.signed.xml"), None);
    assert!(ok, "xmlsec1: {why}");
    assert!(String::from_utf8_lossy(&signed).contains("<NBan><Signature"));
    let both = json!([
        {"data": B64.encode(&invoice), "type": "xml"},
        {"data": pdf, "type": "pdf"},
    ]);
    let before = serve.dialogs().matches("=== CONFIRM").count();
    let (out, _) = serve.vnpt(origin, 10, &[both.to_string()]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["code"], 0, "{v}");
    assert_eq!(serve.dialogs().matches("=== CONFIRM").count(), before + 1);
    let xml = B64.decode(v["data"][0]["data"].as_str().unwrap()).unwrap();
    std::fs::write(fx.path("arr.signed.xml"), &xml).unwrap();
    let (ok, why) = common::xmldsig::xmlsec1(&fx, &fx.path("arr.signed.xml"), None);
    assert!(ok, "xmlsec1: {why}");
    let arr_pdf = B64.decode(v["data"][1]["data"].as_str().unwrap()).unwrap();
    assert!(pdfsig_ok(&fx, &arr_pdf, "arr-xml-pdf.pdf"));

    let (x, _) = serve.vnpt(origin, 3, &[]);
    assert!(x.contains("not supported"), "{x}");
    let (u, _) = serve.vnpt(origin, 99, &[]);
    assert!(u.contains("unknown functionID 99"), "{u}");
}

#[test]
fn refusals_answer_in_the_plugins_shape_and_the_service_stays_up() {
    let fx = Fixture::new();
    let portal = TestPortal::start();
    let (origin, uploads) = (portal.origin(), portal.uploads.clone());
    let mut serve = Serve::start(&fx, "01", &[&origin]);
    let hash = B64.encode(sha256(b"x"));
    let msg = json!({"HashAlg": "SHA256", "HashValue": hash});

    // an origin not on the allow-list: nothing asked, nothing signed
    let r = serve.vgca("SignMsg", "https://evil.example", &msg);
    assert_eq!(r["Status"], 14);
    assert!(
        r["Message"]
            .as_str()
            .unwrap()
            .contains("--allow-origin https://evil.example"),
        "{r}"
    );
    let (v, cb) = serve.vnpt("https://evil.example", 9, std::slice::from_ref(&hash));
    assert_eq!(cb, "cb42");
    assert!(v.contains("not allowed"), "{v}");
    // a page-supplied domain changes nothing; a wrong Host (DNS rebinding) is refused
    let mut ws = serve.connect(
        serve.vgca,
        "/SignMsg",
        Some(&origin),
        Some("attacker.example:8987"),
    );
    let r: Value = serde_json::from_str(&ws.call(&msg.to_string())).unwrap();
    assert_eq!(r["Status"], 14);
    assert!(r["Message"].as_str().unwrap().contains("Host"), "{r}");
    assert!(serve.dialogs().is_empty(), "no dialog for refused pages");

    // documents that cannot be signed are refused before the person is asked anything
    let junk = json!([{"data": B64.encode(b"<html>not a pdf</html>"), "type": "pdf"}]).to_string();
    let (v, _) = serve.vnpt(&origin, 10, &[junk]);
    let v: Value = serde_json::from_str(&v).unwrap();
    assert_eq!(v["code"], 1, "{v}");
    assert!(v["error"].as_str().unwrap().contains("not a PDF"), "{v}");
    assert!(
        serve.dialogs().is_empty(),
        "no dialog when nothing is signable"
    );

    // a download or upload elsewhere than the requesting site
    let r = serve.vgca(
        "SignPDF",
        &origin,
        &json!({"FileName": "https://other.example/a.pdf"}),
    );
    assert!(
        r["Message"]
            .as_str()
            .unwrap()
            .contains("not on the requesting site"),
        "{r}"
    );
    let r = serve.vgca(
        "SignPDF",
        &origin,
        &json!({"FileName": "/files/a.pdf", "FileUploadHandler": "https://other.example/upload"}),
    );
    assert_eq!(r["Status"], 14);
    assert!(
        r["Message"]
            .as_str()
            .unwrap()
            .contains("not on the requesting site"),
        "{r}"
    );
    assert!(uploads.lock().unwrap().is_empty());

    // garbage, binary and oversized frames
    let r = serve.vgca("SignPDF", &origin, &json!("not an object"));
    assert_eq!(r["Status"], 14);
    let mut ws = serve.connect(serve.vgca, "/SignPDF", Some(&origin), None);
    let r = ws.call("{{{ garbage");
    assert!(r.contains("not JSON"), "{r}");
    ws.send(tungstenite::Message::binary(vec![0u8; 10]))
        .unwrap();
    assert!(ws.read().contains("binary"));
    let mut ws = serve.connect(serve.vnpt, "/plugin", Some(&origin), None);
    let big = "A".repeat(65 << 20);
    let _ = ws.send(tungstenite::Message::text(big));
    assert!(ws.read().contains("too large"));
    assert!(serve.alive());

    // the person refuses: VGCA Status 11, VNPT code 11
    serve.answer(false, PIN);
    assert_eq!(serve.vgca("SignMsg", &origin, &msg)["Status"], 11);
    let (v, _) = serve.vnpt(&origin, 9, std::slice::from_ref(&hash));
    assert_eq!(serde_json::from_str::<Value>(&v).unwrap()["code"], 11);
    assert_eq!(
        spy_count(&serve.spy, "C_Login"),
        0,
        "no login after a refusal"
    );

    // a wrong PIN: one C_Login, a clear message, no retry
    serve.answer(true, "000000");
    let r = serve.vgca("SignMsg", &origin, &msg);
    assert_eq!(r["Status"], 14);
    assert!(r["Message"].as_str().unwrap().contains("wrong PIN"), "{r}");
    assert_eq!(spy_count(&serve.spy, "C_Login"), 1);

    // and the next request works
    serve.answer(true, PIN);
    assert_eq!(serve.vgca("SignMsg", &origin, &msg)["Status"], 0);
    assert!(serve.alive());
}

#[test]
fn a_pulled_token_fails_cleanly() {
    let fx = Fixture::new();
    let origin = "https://dichvucong.gov.vn";
    let mut serve = Serve::start(&fx, "01", &[origin]);
    assert_eq!(serve.vgca("GetCertInfo", origin, &json!({}))["Status"], 0);
    fx.remove_token("kyso-test");
    let r = serve.vgca(
        "SignMsg",
        origin,
        &json!({"HashAlg": "SHA256", "HashValue": B64.encode(sha256(b"x"))}),
    );
    assert_eq!(r["Status"], 14, "{r}");
    assert!(r["Message"].as_str().unwrap().contains("token"), "{r}");
    assert!(serve.alive());
}

#[test]
fn eight_portal_tabs_at_once() {
    let fx = Fixture::new();
    let origin = "https://dichvucong.gov.vn";
    let serve = Arc::new(Serve::start(&fx, "01", &[origin]));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let serve = serve.clone();
            std::thread::spawn(move || {
                let mut out = Vec::new();
                for n in 0..50 {
                    // most requests list certificates; every tenth signs (each signature
                    // takes a confirmation and a PIN, one person at a time)
                    if n % 10 != 3 {
                        let (r, cb) = serve.vnpt(origin, 0, &[]);
                        let v: Value = serde_json::from_str(&r).unwrap();
                        assert_eq!((v["code"].as_u64(), cb.as_str()), (Some(0), "cb42"), "{v}");
                        continue;
                    }
                    let hash = sha256(format!("tab {t} request {n}").as_bytes());
                    let (r, _) = serve.vnpt(origin, 9, &[B64.encode(&hash)]);
                    let v: Value = serde_json::from_str(&r).unwrap();
                    assert_eq!(v["code"], 0, "{v}");
                    out.push((hash, B64.decode(v["data"].as_str().unwrap()).unwrap()));
                }
                out
            })
        })
        .collect();
    let all: Vec<_> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert_eq!(all.len(), 40);
    // every signature checked against the certificate's key (openssl on a sample, ring on all)
    let pem = std::fs::read_to_string(fx.path("rsa2048.pem")).unwrap();
    let cert = kyso::Certificate::from_pem(pem.as_bytes())
        .unwrap()
        .remove(0);
    let verifier = kyso::checked::Verifier::new(&cert, "rsa2048").unwrap();
    let alg = kyso::SignatureAlgorithm::RsaPkcs1(kyso::HashAlg::Sha256);
    for (hash, sig) in &all {
        verifier.check_digest(alg, hash, sig.clone()).unwrap();
    }
    assert!(openssl_hash_ok(&fx, &all[39].0, &all[39].1));
}

/// `kyso doctor` says whether the service answers on the plugins' own ports and whether the
/// browsers trust its CA (the only test on the fixed ports 8987 and 4433).
#[test]
fn doctor_reports_the_service_and_the_trust_in_its_ca() {
    let fx = Fixture::new();
    let home = fx.path("home");
    std::fs::create_dir_all(home.join(".pki/nssdb")).unwrap();
    nss_db(&home.join(".pki/nssdb"));
    let doctor = |fx: &Fixture| json(&fx.kyso_at_home(&home, &["--json", "doctor"]));
    let before = doctor(&fx);
    let runs = doctor_check(&before, "kyso serve (signing on web portals) running");
    assert_eq!(runs["status"], "warn", "{before:#}");
    let trust = doctor_check(&before, "browsers trust kyso serve's local CA");
    assert_eq!(trust["status"], "warn", "{before:#}");

    assert_ok(&fx.kyso_at_home(&home, &["register"]));
    let _serve = Serve::start_with(
        &fx,
        "01",
        &[],
        &Setup {
            ca_dir: Some(home.join(".local/share/kyso/serve")),
            ports: Some((8987, 4433)),
            ..Setup::default()
        },
    );
    let after = doctor(&fx);
    let runs = doctor_check(&after, "kyso serve (signing on web portals) running");
    assert_eq!(runs["status"], "ok", "{after:#}");
    assert!(
        runs["detail"]
            .as_str()
            .unwrap()
            .contains("wss://localhost:4433/plugin"),
        "{runs}"
    );
    let trust = doctor_check(&after, "browsers trust kyso serve's local CA");
    assert_eq!(trust["status"], "ok", "{after:#}");
}

/// Another user of the computer cannot reach the service: the connection is closed before
/// TLS (the owner of the client's socket, from `/proc/net/tcp`); the same client run by the
/// service's user gets its handshake. Needs root to run the client as `nobody`.
#[test]
fn another_user_is_refused_before_tls() {
    if !std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
    {
        eprintln!("skipped: needs root to run a client as another user");
        return;
    }
    let fx = Fixture::new();
    let mut serve = Serve::start(&fx, "01", &["https://dichvucong.gov.vn"]);
    let s_client = |as_nobody: bool| {
        let port = serve.vgca.to_string();
        let mut c = std::process::Command::new(if as_nobody { "setpriv" } else { "openssl" });
        if as_nobody {
            c.args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "openssl",
            ]);
        }
        let out = c
            .args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
            .args(["-servername", "localhost"])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        stdout(&out)
    };
    let mine = s_client(false);
    assert!(mine.contains("New, TLSv1.3"), "{mine}");
    let theirs = s_client(true);
    assert!(!theirs.contains("New, TLSv1.3"), "{theirs}");
    assert!(theirs.contains("no peer certificate available"), "{theirs}");
    assert!(serve.alive());
}

/// A key that wants its PIN at every signature (`CKA_ALWAYS_AUTHENTICATE`, fixture key 05)
/// gets it from the person at every signature: one PIN to log in, then one per document, each
/// a `C_Login` of its own.
#[test]
fn a_key_that_wants_its_pin_per_signature_gets_one_per_signature() {
    let fx = Fixture::new();
    let origin = "https://dichvucong.gov.vn";
    let serve = Serve::start(&fx, "05", &[origin]);
    let pdf = B64.encode(std::fs::read(SPEC_PDF).unwrap());
    let items: Vec<Value> = (0..3)
        .map(|_| json!({"data": pdf, "type": "pdf"}))
        .collect();
    let (out, _) = serve.vnpt(origin, 10, &[Value::Array(items).to_string()]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["code"], 0, "{}", v["error"]);
    for (n, r) in v["data"].as_array().unwrap().iter().enumerate() {
        assert_eq!(r["code"], 0, "{}", r["error"]);
        let signed = B64.decode(r["data"].as_str().unwrap()).unwrap();
        assert!(
            pdfsig_ok(&fx, &signed, &format!("always-{n}.pdf")),
            "document {n}"
        );
    }
    let d = serve.dialogs();
    assert_eq!(d.matches("=== CONFIRM").count(), 1, "{d}");
    assert_eq!(d.matches("=== GETPIN").count(), 4, "{d}");
    assert!(d.contains("signature 3 of 3"), "{d}");
    assert_eq!(spy_count(&serve.spy, "C_Login"), 4);
}

/// The PIN typed in pinentry appears in no log line, even at trace level (right or wrong), and
/// after a wrong PIN the next PIN dialog says so (the token's `CKF_USER_PIN_COUNT_LOW`).
#[test]
fn the_pin_is_never_logged_and_a_previous_wrong_pin_is_said() {
    let fx = Fixture::new();
    let origin = "https://dichvucong.gov.vn";
    let log = fx.path("serve.log");
    let serve = Serve::start_with(
        &fx,
        "01",
        &[origin],
        &Setup {
            log: Some(log.clone()),
            ..Setup::default()
        },
    );
    let msg = json!({"HashAlg": "SHA256", "HashValue": B64.encode(sha256(b"x"))});
    assert_eq!(serve.vgca("SignMsg", origin, &msg)["Status"], 0);
    serve.answer(true, "987654");
    let r = serve.vgca("SignMsg", origin, &msg);
    assert!(r["Message"].as_str().unwrap().contains("wrong PIN"), "{r}");
    serve.answer(true, PIN);
    assert_eq!(serve.vgca("SignMsg", origin, &msg)["Status"], 0);
    let d = serve.dialogs();
    let last = d.rsplit("=== GETPIN").next().unwrap();
    assert!(
        last.contains("[error] A wrong PIN was entered before"),
        "{d}"
    );
    assert_eq!(d.matches("[error]").count(), 1, "{d}");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("logged in to token kyso-test"),
        "the log is written: {text}"
    );
    assert!(
        !text.contains(PIN) && !text.contains("987654"),
        "a PIN in the log"
    );
}
