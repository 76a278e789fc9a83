//! Long-term signatures (PAdES B-LT): a signer and a TSA issued by the fixture CA with an AIA
//! naming a local `openssl ocsp` responder; `kyso sign --level b-lt` embeds their chains and
//! OCSP responses in a Document Security Store, asking the responder once per certificate for
//! a whole batch; with the responder stopped, pyHanko's AdES validation (revocation data
//! required), pdfsig and `kyso verify --offline` accept the signatures from the embedded data.

mod common;

use std::path::{Path, PathBuf};

use common::pyhanko::{pyhanko, validate_from_dss};
use common::servers::{free_port, import_key, issue_cert, OcspResponder, Tsa};
use common::*;

const EXT: &str = "basicConstraints = critical, CA:FALSE\n\
    keyUsage = critical, digitalSignature, nonRepudiation\n\
    subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n";

/// A signer (serial 0x7201) and a TSA (0x7001) whose certificates name the OCSP responder at
/// `port`, the responder's database, and the key on the token under id `31`.
fn ltv_fixture(fx: &Fixture, port: u16) -> (Tsa, PathBuf) {
    let aia = format!("authorityInfoAccess = OCSP;URI:http://127.0.0.1:{port}/\n");
    let tsa = Tsa::start_with(&fx.dir, &aia);
    issue_cert(
        &fx.dir,
        "ltv",
        "/C=VN/CN=PHẠM VĂN LỘC/UID=CCCD:001099007201",
        &format!("{EXT}{aia}"),
        "0x7201",
    );
    import_key(fx, "ltv", "31");
    let index = fx.path("index.txt");
    std::fs::write(
        &index,
        "V\t301231000000Z\t\t7201\tunknown\t/CN=ltv\n\
         V\t301231000000Z\t\t7001\tunknown\t/CN=tsa\n",
    )
    .unwrap();
    (tsa, index)
}

fn responder(fx: &Fixture, port: u16, index: &Path) -> OcspResponder {
    let ca = fx.path("ca.pem");
    OcspResponder::start(port, index, &ca, &ca, &fx.path("ca.key"))
}

fn sign_at(fx: &Fixture, tsa: &Tsa, level: &str, files: &[&str]) -> std::process::Output {
    let url = tsa.url();
    let mut extra = vec!["--tsa", &url, "--level", level];
    extra.extend_from_slice(files);
    fx.sign("pades", "31", &extra)
}

#[test]
fn b_lt_validates_from_embedded_data_alone() {
    let fx = Fixture::new();
    let port = free_port();
    let (tsa, index) = ltv_fixture(&fx, port);
    let ocsp = responder(&fx, port, &index);
    let pdf = repo_root().join("tests/fixtures/pdf/shared-mime-info-spec.pdf");
    std::fs::copy(&pdf, fx.path("cv.pdf")).unwrap();
    std::fs::copy(&pdf, fx.path("archive.pdf")).unwrap();
    let out = sign_at(&fx, &tsa, "b-lt", &[fx.path("cv.pdf").to_str().unwrap()]);
    assert_ok(&out);
    // signer and TSA: one request each
    assert_eq!(ocsp.server.count(), 2);
    let out = sign_at(
        &fx,
        &tsa,
        "b-lta",
        &[fx.path("archive.pdf").to_str().unwrap()],
    );
    assert_ok(&out);
    // pyHanko's AdES long-term validation (document timestamps as evidence records) accepts
    // the B-LTA file; it asks the responder about the newest timestamp's TSA (its own B-LTA
    // files fail the same way offline), so this one runs before the responder stops.
    let report = pyhanko(
        &[
            "sign",
            "adesverify",
            "--pretty-print",
            "--trust-replace",
            "--trust",
            "ca.pem",
            "archive.signed.pdf",
        ],
        &fx.dir,
    );
    assert!(report.contains("The signature is judged VALID"), "{report}");
    drop(ocsp);
    drop(tsa);

    let signed = fx.path("cv.signed.pdf");
    let bytes = std::fs::read(&signed).unwrap();
    assert!(bytes.windows(10).any(|w| w == b"/Type /DSS"));

    // pyHanko: the signatures and the updates after them (DSS, document timestamp) hold...
    for file in ["cv.signed.pdf", "archive.signed.pdf"] {
        let report = pyhanko(
            &[
                "sign",
                "validate",
                "--pretty-print",
                "--no-revocation-check",
                "--trust-replace",
                "--trust",
                "ca.pem",
                file,
            ],
            &fx.dir,
        );
        assert!(report.contains("The signature is judged VALID"), "{report}");
        assert!(
            report.contains("All modifications relate to signature maintenance"),
            "{report}"
        );
        // ...and the DSS alone validates the signer's and the TSA's certificates, revocation
        // data required and nothing fetched (the responder is gone).
        let report = dss_validates_signer_and_tsa(&fx.dir, file);
        assert!(!report.contains("FAIL"), "{report}");
    }
    let nss = tempfile::tempdir().unwrap();
    let db = common::nss::nss_db(nss.path());
    common::nss::nss_trust(&db, "kyso-test-ca", "C,,", &fx.path("ca.pem"));
    let report = common::nss::pdfsig(&db, &signed);
    assert!(
        report.contains("Signature Validation: Signature is Valid."),
        "{report}"
    );
    // poppler (22.x) checks the B-LTA file's signature; it cannot validate document
    // timestamps ("Unable to validate this type of signature").
    let report = common::nss::pdfsig(&db, &fx.path("archive.signed.pdf"));
    let first = report.split("Signature #2").next().unwrap_or_default();
    assert!(
        first.contains("Signature Validation: Signature is Valid."),
        "{report}"
    );

    // kyso, offline: the level and the revocation status from the embedded data
    let out = fx.verify_json(&[signed.to_str().unwrap()]);
    assert_ok(&out);
    let r = &json(&out)[0];
    assert_eq!(r["status"], "valid", "{r:#}");
    assert_eq!(r["level"], "B-LT", "{r:#}");
    assert_eq!(r["validation_data"], "embedded", "{r:#}");
    assert_eq!(r["revocation"]["status"], "good", "{r:#}");
    let out = fx.verify_json(&[fx.path("archive.signed.pdf").to_str().unwrap()]);
    assert_ok(&out);
    let v = json(&out);
    assert_eq!(v[0]["level"], "B-LTA", "{v:#}");
    assert_eq!(v[0]["validation_data"], "embedded", "{v:#}");
    assert_eq!(v[1]["status"], "valid", "{v:#}");
    assert!(v[1]["document_timestamp"]["time"].is_string(), "{v:#}");
    // online, the responder gone: the embedded answers stand in
    let ca = fx.path("ca.pem");
    let out = fx.run(&[
        "--json",
        "verify",
        "--trust",
        ca.to_str().unwrap(),
        signed.to_str().unwrap(),
    ]);
    assert_ok(&out);
    let r = &json(&out)[0];
    assert_eq!(r["validation_data"], "embedded", "{r:#}");
    assert_eq!(r["revocation"]["source"], "embedded OCSP response", "{r:#}");
    // without the DSS's data, offline says so
    let out = fx.verify_json(&[fx.path("cv.pdf").to_str().unwrap()]);
    assert_eq!(json(&out)[0]["error"], "the PDF has no signature");
}

/// `kyso ARGS…` run as if `shift` were the time (libfaketime: `+40 days`).
fn kyso_at(fx: &Fixture, shift: &str, args: &[&str]) -> std::process::Output {
    let c = fx.kyso();
    let program = c.get_program().to_owned();
    let mut f = std::process::Command::new("faketime");
    f.arg(shift)
        .arg(program)
        .args(["--module", SOFTHSM])
        .args(args);
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => f.env(k, v),
            None => f.env_remove(k),
        };
    }
    f.current_dir(&fx.dir).output().unwrap()
}

#[test]
fn batch_asks_once_per_certificate_and_expiry_and_revocation_are_judged_at_the_timestamp() {
    let fx = Fixture::new();
    let port = free_port();
    let (tsa, index) = ltv_fixture(&fx, port);
    let ocsp = responder(&fx, port, &index);
    let dir = fx.path("inbox");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..200 {
        common::small_pdf::write_pdf(
            &dir.join(format!("cv-{i:03}.pdf")),
            &[
                "<< /Type /Catalog /Pages 2 0 R >>".into(),
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".into(),
            ],
        );
    }
    let out = sign_at(&fx, &tsa, "b-lt", &[dir.to_str().unwrap()]);
    assert_ok(&out);
    // 200 documents, two certificates (the signer's, the TSA's): two OCSP requests
    assert_eq!(ocsp.server.count(), 2);
    let first = dir.join("cv-000.signed.pdf");
    let last = dir.join("cv-199.signed.pdf");
    assert!(std::fs::read(&last)
        .unwrap()
        .windows(10)
        .any(|w| w == b"/Type /DSS"));
    // a B-B signature (no timestamp) of the same key, for comparison
    std::fs::copy(dir.join("cv-000.pdf"), fx.path("plain.pdf")).unwrap();
    assert_ok(&fx.sign("pades", "31", &[fx.path("plain.pdf").to_str().unwrap()]));

    // Revoked after the signature timestamp: still valid (fetched now, the responder up).
    drop(ocsp);
    std::fs::write(
        &index,
        "R\t301231000000Z\t301230000000Z,keyCompromise\t7201\tunknown\t/CN=ltv\n\
         V\t301231000000Z\t\t7001\tunknown\t/CN=tsa\n",
    )
    .unwrap();
    let ocsp = responder(&fx, port, &index);
    let ca = fx.path("ca.pem");
    let verify_online = |f: &Path| {
        let out = fx.run(&[
            "--json",
            "verify",
            "--trust",
            ca.to_str().unwrap(),
            f.to_str().unwrap(),
        ]);
        (out.status.code(), json(&out)[0].clone())
    };
    let (code, r) = verify_online(&first);
    assert_eq!(code, Some(0), "{r:#}");
    assert_eq!(r["revocation"]["status"], "revoked", "{r:#}");
    assert_eq!(r["validation_data"], "fetched", "{r:#}");
    assert_eq!(
        ocsp.server.count(),
        2,
        "the signer's and the TSA's certificates"
    );
    // one run over three signatures asks about each certificate once
    let out = fx.run(&[
        "verify",
        "--trust",
        ca.to_str().unwrap(),
        first.to_str().unwrap(),
        last.to_str().unwrap(),
        dir.join("cv-100.signed.pdf").to_str().unwrap(),
    ]);
    assert_ok(&out);
    assert_eq!(ocsp.server.count(), 4);
    // Revoked before it: invalid, though the DSS says good at signing time.
    drop(ocsp);
    std::fs::write(
        &index,
        "R\t301231000000Z\t250102030405Z,keyCompromise\t7201\tunknown\t/CN=ltv\n\
         V\t301231000000Z\t\t7001\tunknown\t/CN=tsa\n",
    )
    .unwrap();
    let ocsp = responder(&fx, port, &index);
    let (code, r) = verify_online(&first);
    assert_eq!(code, Some(1), "{r:#}");
    assert_eq!(r["status"], "invalid", "{r:#}");
    // The TSA's certificate is checked too: revoked before its own timestamp, invalid.
    drop(ocsp);
    std::fs::write(
        &index,
        "V\t301231000000Z\t\t7201\tunknown\t/CN=ltv\n\
         R\t301231000000Z\t250102030405Z,keyCompromise\t7001\tunknown\t/CN=tsa\n",
    )
    .unwrap();
    let ocsp = responder(&fx, port, &index);
    let (code, r) = verify_online(&first);
    assert_eq!(code, Some(1), "{r:#}");
    assert_eq!(r["revocation"]["status"], "good", "{r:#}");
    assert!(
        r["error"]
            .as_str()
            .unwrap_or_default()
            .contains("Kyso Test TSA"),
        "{r:#}"
    );
    drop(ocsp);
    std::fs::write(
        &index,
        "R\t301231000000Z\t250102030405Z,keyCompromise\t7201\tunknown\t/CN=ltv\n\
         V\t301231000000Z\t\t7001\tunknown\t/CN=tsa\n",
    )
    .unwrap();
    let ocsp = responder(&fx, port, &index);
    // and a revoked certificate makes no new long-term signature: nothing written
    std::fs::copy(dir.join("cv-001.pdf"), fx.path("late.pdf")).unwrap();
    let out = sign_at(&fx, &tsa, "b-lt", &[fx.path("late.pdf").to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("is revoked"), "{}", stderr(&out));
    assert!(!fx.path("late.signed.pdf").exists());
    drop(ocsp);

    // Forty days on, the signer's certificate (30 days) has expired and the responder is
    // gone: the timestamped signature verifies offline from its DSS, the untimestamped one
    // does not.
    let later = |f: &Path| {
        let out = kyso_at(
            &fx,
            "+40 days",
            &[
                "--json",
                "verify",
                "--offline",
                "--trust",
                ca.to_str().unwrap(),
                f.to_str().unwrap(),
            ],
        );
        (out.status.code(), json(&out)[0].clone())
    };
    let (code, r) = later(&last);
    assert_eq!(code, Some(0), "{r:#}");
    assert_eq!(r["level"], "B-LT", "{r:#}");
    assert_eq!(r["validation_data"], "embedded", "{r:#}");
    let (code, r) = later(&fx.path("plain.signed.pdf"));
    assert_eq!(code, Some(1), "{r:#}");
    assert_eq!(r["level"], "B-B", "{r:#}");
    assert!(
        r["trust"]["problems"][0]
            .as_str()
            .unwrap_or_default()
            .contains("expired on"),
        "{r:#}"
    );
}

#[test]
fn kyso_extend_makes_a_pyhanko_b_t_signature_b_lta() {
    let fx = Fixture::new();
    let port = free_port();
    let (tsa, index) = ltv_fixture(&fx, port);
    let ocsp = responder(&fx, port, &index);
    let pdf = repo_root().join("tests/fixtures/pdf/shared-mime-info-spec.pdf");
    std::fs::copy(&pdf, fx.path("spec.pdf")).unwrap();
    // pyHanko signs PAdES B-T with the same certificate (key in a file) and TSA.
    pyhanko(
        &[
            "sign",
            "addsig",
            "--field",
            "PH",
            "--use-pades",
            "--timestamp-url",
            &tsa.url(),
            "pemder",
            "--key",
            "ltv.key",
            "--cert",
            "ltv.pem",
            "--no-pass",
            "spec.pdf",
            "spec-ph.pdf",
        ],
        &fx.dir,
    );
    let before = std::fs::read(fx.path("spec-ph.pdf")).unwrap();
    let out = fx.run(&["extend", "--tsa", &tsa.url(), "spec-ph.pdf"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("extended to B-LTA"),
        "{}",
        stdout(&out)
    );
    let after = std::fs::read(fx.path("spec-ph.pdf")).unwrap();
    // an incremental update: every byte pyHanko wrote is kept
    assert!(after.len() > before.len() && after.starts_with(&before));
    assert_eq!(ocsp.server.count(), 2);
    // resumable: already B-LTA, left as it is (the TSA's 30-day certificate is not due
    // within 7 days)...
    let extend_again = |days: &str| {
        fx.run(&[
            "extend",
            "--tsa",
            &tsa.url(),
            "--skip-existing",
            "--renew-days",
            days,
            "spec-ph.pdf",
        ])
    };
    let out = extend_again("7");
    assert_ok(&out);
    assert!(
        stdout(&out).contains("already B-LTA, left"),
        "{}",
        stdout(&out)
    );
    assert_eq!(std::fs::read(fx.path("spec-ph.pdf")).unwrap(), after);
    // ...but due within 60 days: renewed, a second document timestamp over the first
    let out = extend_again("60");
    assert_ok(&out);
    assert!(
        stdout(&out).contains("extended to B-LTA"),
        "{}",
        stdout(&out)
    );
    let renewed = std::fs::read(fx.path("spec-ph.pdf")).unwrap();
    assert!(renewed.len() > after.len() && renewed.starts_with(&after));
    // an unsigned PDF is refused, and left untouched
    let out = fx.run(&["extend", "--level", "b-lt", "spec.pdf"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("no signature"), "{}", stdout(&out));
    drop(ocsp);
    drop(tsa);

    let report = pyhanko(
        &[
            "sign",
            "validate",
            "--pretty-print",
            "--no-revocation-check",
            "--trust-replace",
            "--trust",
            "ca.pem",
            "spec-ph.pdf",
        ],
        &fx.dir,
    );
    assert!(report.contains("The signature is judged VALID"), "{report}");
    assert!(
        report.contains("All modifications relate to signature maintenance"),
        "{report}"
    );
    dss_validates_signer_and_tsa(&fx.dir, "spec-ph.pdf");
    let out = fx.verify_json(&[fx.path("spec-ph.pdf").to_str().unwrap()]);
    assert_ok(&out);
    let v = json(&out);
    assert_eq!(v[0]["field"], "PH", "{v:#}");
    assert_eq!(v[0]["level"], "B-LTA", "{v:#}");
    assert_eq!(v[0]["validation_data"], "embedded", "{v:#}");
    // the two document timestamps, the first renewed by the second
    assert_eq!(v.as_array().unwrap().len(), 3, "{v:#}");
    for ts in &v.as_array().unwrap()[1..] {
        assert_eq!(ts["status"], "valid", "{v:#}");
        assert!(ts["document_timestamp"]["time"].is_string(), "{v:#}");
    }
}

#[test]
fn cades_lt_carries_certificate_and_revocation_values() {
    let fx = Fixture::new();
    let port = free_port();
    let (tsa, index) = ltv_fixture(&fx, port);
    let ocsp = responder(&fx, port, &index);
    let doc = fx.path("bien-ban.txt");
    std::fs::write(&doc, "Biên bản lưu trữ").unwrap();
    let url = tsa.url();
    let out = fx.sign(
        "cms",
        "31",
        &["--tsa", &url, "--level", "b-lt", doc.to_str().unwrap()],
    );
    assert_ok(&out);
    assert_eq!(ocsp.server.count(), 2);
    // CAdES-LTA is not written: refused before the PIN
    let out = fx.sign(
        "cms",
        "31",
        &["--tsa", &url, "--level", "b-lta", doc.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("CAdES-LTA"), "{}", stderr(&out));
    drop(ocsp);
    drop(tsa);

    let p7s = fx.path("bien-ban.txt.p7s");
    // OpenSSL: the signature still verifies, and it reads both unsigned attributes.
    let (ok, why) = openssl_cms_verify(&fx, &doc, &p7s);
    assert!(ok, "{why}");
    let out = std::process::Command::new("openssl")
        .args(["cms", "-cmsout", "-print", "-inform", "DER", "-in"])
        .arg(&p7s)
        .output()
        .unwrap();
    assert_ok(&out);
    let printed = stdout(&out);
    for attr in [
        "id-smime-aa-ets-certValues",
        "id-smime-aa-ets-revocationValues",
        "id-smime-aa-timeStampToken",
    ] {
        assert!(printed.contains(attr), "{attr}: {printed}");
    }
    // kyso, offline: the revocation answers come from the signature itself.
    let out = fx.verify_json(&[doc.to_str().unwrap()]);
    assert_ok(&out);
    let r = &json(&out)[0];
    assert_eq!(r["level"], "B-LT", "{r:#}");
    assert_eq!(r["validation_data"], "embedded", "{r:#}");
    assert_eq!(r["revocation"]["status"], "good", "{r:#}");
    assert_eq!(
        r["chain_revocation"][0]["revocation"]["status"], "good",
        "the TSA's certificate: {r:#}"
    );
}

#[test]
fn b_lt_with_crls_only() {
    use common::servers::{fixture_crl, HttpServer, Request};
    let fx = Fixture::new();
    // certificates that name a CRL distribution point, no OCSP responder
    let port = free_port();
    let dp = format!("crlDistributionPoints = URI:http://127.0.0.1:{port}/ca.crl\n");
    let tsa = Tsa::start_with(&fx.dir, &dp);
    issue_cert(
        &fx.dir,
        "ltv",
        "/C=VN/CN=PHẠM VĂN LỘC/UID=CCCD:001099007201",
        &format!("{EXT}{dp}"),
        "0x7201",
    );
    import_key(&fx, "ltv", "31");
    let index = fx.path("index.txt");
    std::fs::write(
        &index,
        "R\t301231000000Z\t250102030405Z,keyCompromise\t7999\tunknown\t/CN=other\n",
    )
    .unwrap();
    let crl = fixture_crl(&fx.dir, &index);
    let server = HttpServer::start_on(
        port,
        Box::new(move |r: &Request| {
            if r.path == "/ca.crl" {
                (200, "application/pkix-crl", crl.clone())
            } else {
                (404, "text/plain", b"no".to_vec())
            }
        }),
    );
    let pdf = repo_root().join("tests/fixtures/pdf/shared-mime-info-spec.pdf");
    std::fs::copy(&pdf, fx.path("cv.pdf")).unwrap();
    assert_ok(&sign_at(
        &fx,
        &tsa,
        "b-lt",
        &[fx.path("cv.pdf").to_str().unwrap()],
    ));
    // one CRL for both certificates of the same CA: downloaded once
    assert_eq!(server.count(), 1);
    drop(server);
    drop(tsa);

    dss_validates_signer_and_tsa(&fx.dir, "cv.signed.pdf");
    let out = fx.verify_json(&[fx.path("cv.signed.pdf").to_str().unwrap()]);
    assert_ok(&out);
    let r = &json(&out)[0];
    assert_eq!(r["level"], "B-LT", "{r:#}");
    assert_eq!(r["revocation"]["status"], "good", "{r:#}");
    assert_eq!(r["revocation"]["source"], "embedded CRL", "{r:#}");
}

/// pyHanko's validator on `file`'s DSS alone says OK for the signer's and the TSA's
/// certificates; its report.
fn dss_validates_signer_and_tsa(dir: &std::path::Path, file: &str) -> String {
    let report = validate_from_dss(dir, "ca.pem", file);
    for who in ["PHẠM VĂN LỘC", "Kyso Test TSA"] {
        assert!(
            report
                .lines()
                .any(|l| l.starts_with("OK") && l.contains(who)),
            "{report}"
        );
    }
    report
}
