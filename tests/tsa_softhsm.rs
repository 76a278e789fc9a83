//! `kyso sign --tsa`: CAdES-T and PAdES B-T against a local TSA (`openssl ts -reply` behind a
//! tiny HTTP server on 127.0.0.1), checked by `openssl cms -verify`, `openssl ts -verify` on the
//! embedded token, `kyso verify` and pdfsig; hostile TSA replies leave no output.

mod common;

use std::path::Path;

use common::nss::*;
use common::servers::{openssl_ts_verify, Tsa, TsaMode};
use common::*;
use der::{Decode, Encode};

const SPEC_PDF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/pdf/shared-mime-info-spec.pdf"
);

fn sign(fx: &Fixture, format: &str, key: &str, tsa: &str, files: &[&Path]) -> std::process::Output {
    let mut extra = vec!["--tsa", tsa, "--tsa-timeout", "20"];
    extra.extend(files.iter().map(|f| f.to_str().unwrap()));
    fx.sign(format, key, &extra)
}

/// The SignerInfo's signature value and its signature-timestamp token, from a DER CMS.
fn signature_and_token(cms_der: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let ci = cms::content_info::ContentInfo::from_der(cms_der).unwrap();
    let sd: cms::signed_data::SignedData = ci.content.decode_as().unwrap();
    let si = &sd.signer_infos.0.as_slice()[0];
    let attr = si
        .unsigned_attrs
        .as_ref()
        .expect("unsigned attributes")
        .iter()
        .find(|a| a.oid.to_string() == "1.2.840.113549.1.9.16.2.14")
        .expect("signature-time-stamp-token attribute");
    let token = attr.values.iter().next().unwrap().to_der().unwrap();
    (si.signature.as_bytes().to_vec(), token)
}

#[test]
fn cades_t_verifies_with_openssl_and_kyso_shows_the_timestamp() {
    let fx = Fixture::new();
    let tsa = Tsa::start(&fx.dir);
    let doc = fx.path("quyet-dinh.txt");
    std::fs::write(&doc, "Quyết định số 12/QĐ-UBND\n".repeat(100)).unwrap();
    let p7s = fx.path("quyet-dinh.txt.p7s");
    // RSA-PSS (the document default), ECDSA P-256 and P-384.
    for key in ["01", "03", "04"] {
        let out = sign(&fx, "cms", key, &tsa.url(), &[&doc]);
        assert_ok(&out);
        let (ok, err) = openssl_cms_verify(&fx, &doc, &p7s);
        assert!(
            ok,
            "openssl cms rejects the CAdES-T signature of key {key}: {err}"
        );
        let (sig, token) = signature_and_token(&std::fs::read(&p7s).unwrap());
        let (ok, text) = openssl_ts_verify(&fx, &tsa, &sig, &token);
        assert!(ok, "openssl ts rejects the token of key {key}: {text}");
    }
    assert_eq!(tsa.server.count(), 3, "one TSA request per signature");

    let out = fx.verify_json(&[p7s.to_str().unwrap()]);
    assert_ok(&out);
    let v = &json(&out)[0];
    assert_eq!(v["status"], "valid", "{v:#}");
    let ts = &v["signature"]["timestamp"];
    assert!(ts["time"].as_str().unwrap().ends_with('Z'), "{ts:#}");
    assert!(
        ts["tsa"].as_str().unwrap().contains("Kyso Test TSA"),
        "{ts:#}"
    );
    assert_eq!(ts["imprint_matches"], true);
    assert_eq!(ts["signature_valid"], true);
    assert_eq!(ts["trust"]["chain_to_anchor"], true, "{ts:#}");

    let out = fx.verify_text(&[p7s.to_str().unwrap()]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("timestamp  20"), "{text}");
    assert!(text.contains("token valid, imprint matches"), "{text}");
    assert!(
        text.contains("tsa chain  CN=Kyso Test TSA,O=Kyso Test,C=VN <- CN=Kyso Test CA"),
        "{text}"
    );
}

#[test]
fn a_changed_token_or_signature_is_detected() {
    let fx = Fixture::new();
    let tsa = Tsa::start(&fx.dir);
    let doc = fx.path("a.txt");
    std::fs::write(&doc, "Tờ trình").unwrap();
    assert_ok(&sign(&fx, "cms", "03", &tsa.url(), &[&doc]));
    let p7s = fx.path("a.txt.p7s");
    let der = std::fs::read(&p7s).unwrap();
    // Flip a byte of the TSA's genTime inside the token: its signature no longer verifies.
    let (_, token) = signature_and_token(&der);
    let at = der.windows(token.len()).position(|w| w == token).unwrap();
    let gen = token.windows(2).position(|w| w == [0x18, 0x0f]).unwrap() + 2 + 13;
    let mut bad = der.clone();
    bad[at + gen] ^= 1;
    std::fs::write(&p7s, &bad).unwrap();
    let out = fx.run(&["--json", "verify", "--offline", p7s.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let v = &json(&out)[0];
    assert_eq!(v["status"], "invalid", "{v:#}");
    let problems = v["signature"]["problems"].to_string();
    assert!(problems.contains("signature timestamp"), "{problems}");
}

#[test]
fn hostile_tsa_replies_are_errors_and_write_nothing() {
    let fx = Fixture::new();
    let tsa = Tsa::start(&fx.dir);
    let doc = fx.path("b.txt");
    std::fs::write(&doc, "Báo cáo").unwrap();
    let p7s = fx.path("b.txt.p7s");
    let cases = [
        (TsaMode::Rejection, "refused the request: status Rejection"),
        (TsaMode::WrongImprint, "message imprint differs"),
        (TsaMode::Garbage, "not an RFC 3161 timestamp response"),
        (TsaMode::ServerError, "HTTP status 500"),
    ];
    for (mode, expected) in cases {
        tsa.set(mode);
        let out = sign(&fx, "cms", "01", &tsa.url(), &[&doc]);
        assert_eq!(out.status.code(), Some(1), "{mode:?}: {}", stderr(&out));
        let err = stderr(&out);
        eprintln!("{mode:?}:\n{err}");
        assert!(err.contains("timestamp authority"), "{mode:?}: {err}");
        assert!(
            err.contains(expected),
            "{mode:?}: wanted '{expected}' in {err}"
        );
        assert!(err.contains("no output was written"), "{mode:?}: {err}");
        assert!(!p7s.exists(), "{mode:?}: an output was written");
    }
    // Nothing listens: unreachable, quickly, and a batch stops at the first file.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://127.0.0.1:{}/tsa", l.local_addr().unwrap().port())
    };
    let more: Vec<_> = (0..3)
        .map(|i| {
            let p = fx.path(&format!("c{i}.txt"));
            std::fs::write(&p, format!("văn bản {i}")).unwrap();
            p
        })
        .collect();
    let refs: Vec<&Path> = more.iter().map(|p| p.as_path()).collect();
    let out = sign(&fx, "cms", "01", &closed, &refs);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("unreachable"), "{err}");
    assert!(err.contains("batch stopped"), "{err}");
    for p in &more {
        assert!(!Path::new(&format!("{}.p7s", p.display())).exists());
    }
    // A good reply afterwards works (the TSA only was at fault).
    tsa.set(TsaMode::Good);
    assert_ok(&sign(&fx, "cms", "01", &tsa.url(), &[&doc]));
    assert!(openssl_cms_verify(&fx, &doc, &p7s).0);
}

#[test]
fn pades_b_t_is_valid_for_kyso_and_pdfsig() {
    let fx = Fixture::new();
    let tsa = Tsa::start(&fx.dir);
    let pdf = fx.path("spec.pdf");
    std::fs::copy(SPEC_PDF, &pdf).unwrap();
    assert_ok(&sign(&fx, "pades", "02", &tsa.url(), &[&pdf]));
    let signed = fx.path("spec.signed.pdf");
    let out = fx.verify_json(&[signed.to_str().unwrap()]);
    assert_ok(&out);
    let v = &json(&out)[0];
    assert_eq!(v["status"], "valid", "{v:#}");
    assert_eq!(
        v["signature"]["timestamp"]["imprint_matches"], true,
        "{v:#}"
    );

    // pdfsig with an NSS database trusting the fixture CA.
    let db = nss_db(&fx.path("nss"));
    nss_trust(&db, "ca", "C,C,C", &fx.path("ca.pem"));
    let text = pdfsig(&db, &signed);
    assert!(text.contains("Signature is Valid"), "{text}");
    assert!(text.contains("LÊ THỊ HỒNG NHUNG"), "{text}");
    eprintln!("pdfsig:\n{text}");
}
