//! `kyso verify` revocation checks: certificates issued in the test by the fixture CA (software
//! keys imported into the SoftHSM token with pkcs11-tool, then used by `kyso sign`), with an
//! AIA pointing at a local `openssl ocsp` responder or a CRL distribution point on a local HTTP
//! server; a good and a revoked certificate for each, an unreachable responder, and --offline.

mod common;

use std::path::{Path, PathBuf};

use common::servers::{
    fixture_crl, free_port, import_key, issue_cert, HttpServer, OcspResponder, Request, Tsa,
};
use common::*;

const EXT: &str = "basicConstraints = critical, CA:FALSE\n\
    keyUsage = critical, digitalSignature, nonRepudiation\n\
    subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n";

/// Issues a certificate with `extra` extension lines, imports key and certificate into the
/// token `kyso-test` under `id`, and signs `doc` with it (CMS); returns the `.p7s`.
fn issue_import_sign(
    fx: &Fixture,
    name: &str,
    serial: &str,
    id: &str,
    extra: &str,
    doc: &Path,
) -> PathBuf {
    let subject = format!(
        "/C=VN/CN=BÙI THỊ {}/UID=CCCD:00109900{serial}",
        name.to_uppercase()
    );
    issue_cert(
        &fx.dir,
        name,
        &subject,
        &format!("{EXT}{extra}"),
        &format!("0x{serial}"),
    );
    import_key(fx, name, id);
    assert_ok(&fx.sign("cms", id, &[doc.to_str().unwrap()]));
    let p7s = PathBuf::from(format!("{}.p7s", doc.display()));
    let kept = fx.path(&format!("{name}.p7s"));
    std::fs::rename(&p7s, &kept).unwrap();
    // `kyso verify X.p7s` looks for X beside it.
    std::fs::copy(doc, fx.path(name)).unwrap();
    kept
}

/// An `index.txt` (openssl ca database) with 7101 valid and 7102 revoked for keyCompromise.
fn index(fx: &Fixture) -> PathBuf {
    let p = fx.path("index.txt");
    std::fs::write(
        &p,
        "V\t301231000000Z\t\t7101\tunknown\t/CN=good\n\
         R\t301231000000Z\t250102030405Z,keyCompromise\t7102\tunknown\t/CN=revoked\n\
         V\t301231000000Z\t\t7103\tunknown\t/CN=nowhere\n\
         R\t301231000000Z\t301230000000Z,superseded\t7104\tunknown\t/CN=later\n",
    )
    .unwrap();
    p
}

fn verify(fx: &Fixture, p7s: &Path, offline: bool) -> (Option<i32>, serde_json::Value, String) {
    let ca = fx.path("ca.pem");
    let mut args = vec!["--json", "verify", "--trust", ca.to_str().unwrap()];
    if offline {
        args.push("--offline");
    }
    args.push(p7s.to_str().unwrap());
    let out = fx.run(&args);
    let text = fx.run(&args[1..]).stdout;
    (
        out.status.code(),
        json(&out)[0].clone(),
        String::from_utf8_lossy(&text).into_owned(),
    )
}

#[test]
fn ocsp_good_revoked_and_unreachable() {
    let fx = Fixture::new();
    let doc = fx.path("doc.txt");
    std::fs::write(&doc, "Giấy mời họp").unwrap();
    let port = free_port();
    let aia = format!("authorityInfoAccess = OCSP;URI:http://127.0.0.1:{port}/\n");
    let good = issue_import_sign(&fx, "good", "7101", "21", &aia, &doc);
    let revoked = issue_import_sign(&fx, "revoked", "7102", "22", &aia, &doc);
    let dead = free_port();
    let nowhere = issue_import_sign(
        &fx,
        "nowhere",
        "7103",
        "23",
        &format!("authorityInfoAccess = OCSP;URI:http://127.0.0.1:{dead}/\n"),
        &doc,
    );
    let idx = index(&fx);
    let ca = fx.path("ca.pem");
    let _ocsp = OcspResponder::start(port, &idx, &ca, &ca, &fx.path("ca.key"));

    let (code, v, text) = verify(&fx, &good, false);
    assert_eq!(code, Some(0), "{v:#}");
    assert_eq!(v["status"], "valid");
    assert_eq!(v["revocation"]["status"], "good", "{v:#}");
    assert!(v["revocation"]["source"]
        .as_str()
        .unwrap()
        .starts_with("OCSP http://127.0.0.1:"));
    assert!(
        text.contains("revocation good by OCSP http://127.0.0.1:"),
        "{text}"
    );

    let (code, v, text) = verify(&fx, &revoked, false);
    eprintln!("kyso verify (revoked, OCSP):\n{text}");
    assert_eq!(code, Some(1), "{v:#}");
    assert_eq!(v["status"], "invalid");
    let r = &v["revocation"];
    assert_eq!(r["status"], "revoked", "{v:#}");
    assert_eq!(r["revoked_at"], "2025-01-02T03:04:05Z");
    assert_eq!(r["reason"], "keyCompromise");
    assert!(
        text.contains("revocation revoked on 2025-01-02T03:04:05Z (keyCompromise)"),
        "{text}"
    );

    let (code, v, text) = verify(&fx, &nowhere, false);
    assert_eq!(code, Some(0), "unreachable alone does not fail: {v:#}");
    assert_eq!(v["revocation"]["status"], "unreachable", "{v:#}");
    assert!(text.contains("revocation unreachable"), "{text}");

    let (code, v, text) = verify(&fx, &revoked, true);
    assert_eq!(code, Some(0), "{v:#}");
    assert_eq!(v["revocation"]["status"], "not_checked");
    assert!(text.contains("revocation not checked: --offline"), "{text}");
}

#[test]
fn crl_good_and_revoked() {
    let fx = Fixture::new();
    let doc = fx.path("doc.txt");
    std::fs::write(&doc, "Thông báo").unwrap();
    // The CRL, made by `openssl ca -gencrl` from the same index.
    let idx = index(&fx);
    let crl_der = fixture_crl(&fx.dir, &idx);
    let server = HttpServer::start(Box::new(move |r: &Request| {
        if r.path == "/ca.crl" {
            (200, "application/pkix-crl", crl_der.clone())
        } else {
            (404, "text/plain", b"no".to_vec())
        }
    }));
    let dp = format!("crlDistributionPoints = URI:{}\n", server.url("/ca.crl"));
    let good = issue_import_sign(&fx, "good", "7101", "21", &dp, &doc);
    let revoked = issue_import_sign(&fx, "revoked", "7102", "22", &dp, &doc);

    let (code, v, text) = verify(&fx, &good, false);
    assert_eq!(code, Some(0), "{v:#}");
    assert_eq!(v["revocation"]["status"], "good", "{v:#}");
    assert!(
        text.contains("revocation good by CRL http://127.0.0.1:"),
        "{text}"
    );

    let (code, v, _) = verify(&fx, &revoked, false);
    assert_eq!(code, Some(1), "{v:#}");
    assert_eq!(v["revocation"]["status"], "revoked", "{v:#}");
    assert_eq!(v["revocation"]["reason"], "keyCompromise");
    assert!(v["error"].as_str().unwrap().contains("revoked"), "{v:#}");
    assert!(server.count() >= 4);
}

#[test]
fn revoked_after_a_signature_timestamp_stays_valid() {
    let fx = Fixture::new();
    let tsa = Tsa::start(&fx.dir);
    let doc = fx.path("doc.txt");
    std::fs::write(&doc, "Hợp đồng").unwrap();
    let port = free_port();
    let aia = format!("authorityInfoAccess = OCSP;URI:http://127.0.0.1:{port}/\n");
    // Signed and timestamped now; the index says revoked on 2030-12-30.
    let p7s = issue_import_sign(&fx, "later", "7104", "24", &aia, &doc);
    std::fs::copy(&doc, fx.path("later2")).unwrap();
    assert_ok(&fx.sign(
        "cms",
        "24",
        &["--tsa", &tsa.url(), fx.path("later2").to_str().unwrap()],
    ));
    let stamped = fx.path("later2.p7s");
    let idx = index(&fx);
    let ca = fx.path("ca.pem");
    let _ocsp = OcspResponder::start(port, &idx, &ca, &ca, &fx.path("ca.key"));

    let (code, v, text) = verify(&fx, &stamped, false);
    assert_eq!(code, Some(0), "{v:#}");
    assert_eq!(v["status"], "valid", "{v:#}");
    assert_eq!(v["revocation"]["status"], "revoked");
    assert_eq!(v["revocation"]["reason"], "superseded");
    assert!(text.contains("after the signature timestamp"), "{text}");

    // Without a timestamp the same revocation makes the signature invalid.
    let (code, v, _) = verify(&fx, &p7s, false);
    assert_eq!(code, Some(1), "{v:#}");
    assert_eq!(v["status"], "invalid");
}

/// Revocation goes through the `RevocationSource` seam: the HTTP source is asked once (OCSP
/// answered, no CRL fetched), and the offline source reaches nothing.
#[test]
fn revocation_is_fetched_only_through_its_source() {
    use kyso::document::verify::revocation::{self, HttpRevocation, Offline, RevocationSource};
    use kyso::document::RevocationStatus;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counting(HttpRevocation, AtomicUsize, AtomicUsize);
    impl RevocationSource for Counting {
        fn ocsp(&self, url: &str, request: &[u8]) -> kyso::Result<Vec<u8>> {
            self.1.fetch_add(1, Ordering::SeqCst);
            self.0.ocsp(url, request)
        }
        fn crl(&self, url: &str) -> kyso::Result<Vec<u8>> {
            self.2.fetch_add(1, Ordering::SeqCst);
            self.0.crl(url)
        }
    }

    let fx = Fixture::new();
    let doc = fx.path("doc.txt");
    std::fs::write(&doc, "Giấy mời họp").unwrap();
    let port = free_port();
    let aia = format!("authorityInfoAccess = OCSP;URI:http://127.0.0.1:{port}/\n");
    issue_import_sign(&fx, "revoked", "7102", "22", &aia, &doc);
    let idx = index(&fx);
    let ca = fx.path("ca.pem");
    let _ocsp = OcspResponder::start(port, &idx, &ca, &ca, &fx.path("ca.key"));
    let read = |p: &Path| kyso::Certificate::from_pem(&std::fs::read(p).unwrap()).unwrap();
    let cert = read(&fx.dir.join("revoked.pem")).remove(0);
    let anchors = read(&ca);

    let counting = Counting(
        HttpRevocation {
            timeout: std::time::Duration::from_secs(15),
        },
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    );
    let r = revocation::check(&cert, &anchors, &counting);
    assert_eq!(r.status, RevocationStatus::Revoked, "{r}");
    assert_eq!(counting.1.load(Ordering::SeqCst), 1, "one OCSP request");
    assert_eq!(counting.2.load(Ordering::SeqCst), 0, "no CRL fetched");

    let r = revocation::check(&cert, &anchors, &Offline);
    assert_eq!(r.status, RevocationStatus::Unreachable, "{r}");
    assert!(r.to_string().contains("offline"), "{r}");
}
