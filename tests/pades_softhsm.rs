//! `kyso sign --format pades` on real-world PDFs (a Debian documentation PDF, and its
//! cross-reference-stream rewrite by qpdf), checked by poppler's `pdfsig` with an NSS database
//! trusting the fixture CA, and by `kyso verify`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

const SPEC_PDF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/pdf/shared-mime-info-spec.pdf"
);

/// An NSS database trusting the fixture CA, for pdfsig.
fn nss_db(fx: &Fixture) -> String {
    let dir = fx.path("nss");
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sql:{}", dir.display());
    assert_ok(
        &Command::new("certutil")
            .args(["-N", "--empty-password", "-d", &db])
            .output()
            .unwrap(),
    );
    assert_ok(
        &Command::new("certutil")
            .args(["-A", "-n", "kyso-test-ca", "-t", "C,C,C", "-i"])
            .arg(fx.path("ca.pem"))
            .args(["-d", &db])
            .output()
            .unwrap(),
    );
    db
}

/// `pdfsig` output (the exit status is 0 even for invalid signatures).
fn pdfsig(db: &str, pdf: &Path) -> String {
    let out = Command::new("pdfsig")
        .args(["-nssdir", db])
        .arg(pdf)
        .output()
        .unwrap();
    format!("{}{}", stdout(&out), stderr(&out))
}

fn sign_pades(fx: &Fixture, key_id: &str, pdf: &Path) -> PathBuf {
    let pin = fx.pin_file(PIN);
    let out = fx.run(&[
        "sign",
        "--format",
        "pades",
        "--token",
        "kyso-test",
        "--key-id",
        key_id,
        "--pin-file",
        pin.to_str().unwrap(),
        pdf.to_str().unwrap(),
    ]);
    assert_ok(&out);
    let name = pdf
        .file_name()
        .unwrap()
        .to_string_lossy()
        .replace(".pdf", ".signed.pdf");
    pdf.with_file_name(name)
}

fn kyso_verify(fx: &Fixture, pdf: &Path) -> (Option<i32>, serde_json::Value) {
    let ca = fx.path("ca.pem");
    let out = fx.run(&[
        "--json",
        "verify",
        "--offline",
        "--trust",
        ca.to_str().unwrap(),
        pdf.to_str().unwrap(),
    ]);
    (out.status.code(), json(&out))
}

#[test]
fn debian_pdf_signed_with_pss_is_valid_for_pdfsig_and_kyso() {
    let fx = Fixture::new();
    let db = nss_db(&fx);
    let pdf = fx.path("spec.pdf");
    std::fs::copy(SPEC_PDF, &pdf).unwrap();
    let signed = sign_pades(&fx, "01", &pdf);
    let original = std::fs::read(&pdf).unwrap();
    let out = std::fs::read(&signed).unwrap();
    assert_eq!(
        &out[..original.len()],
        &original[..],
        "incremental: the original bytes are kept"
    );

    let report = pdfsig(&db, &signed);
    assert!(
        report.contains("Signer Certificate Common Name: NGUYỄN VĂN AN"),
        "{report}"
    );
    assert!(
        report.contains("Signature Type: ETSI.CAdES.detached"),
        "{report}"
    );
    assert!(
        report.contains("Signature Validation: Signature is Valid."),
        "{report}"
    );
    assert!(
        report.contains("Certificate Validation: Certificate is Trusted."),
        "{report}"
    );
    assert!(report.contains("Total document signed"), "{report}");

    let (code, v) = kyso_verify(&fx, &signed);
    assert_eq!(code, Some(0), "{v:#}");
    assert_eq!(v[0]["status"], "valid");
    assert_eq!(v[0]["field"], "Signature1");
    assert_eq!(v[0]["signature"]["algorithm"], "rsa-pss-sha256");
    assert_eq!(
        v[0]["signature"]["signer"]["identity"]["cccd"],
        "001099012345"
    );

    // One changed byte in the signed range: both validators notice.
    let mut bad = out.clone();
    bad[original.len() / 2] ^= 0x01;
    let bad_pdf = fx.path("bad.pdf");
    std::fs::write(&bad_pdf, &bad).unwrap();
    let report = pdfsig(&db, &bad_pdf);
    assert!(!report.contains("Signature is Valid"), "{report}");
    let (code, v) = kyso_verify(&fx, &bad_pdf);
    assert_eq!(code, Some(1));
    assert_eq!(v[0]["status"], "invalid", "{v:#}");
    assert_eq!(v[0]["signature"]["content_unmodified"], false);

    // Bytes appended after the signature are reported.
    let mut appended = out;
    appended.extend_from_slice(b"\n% appended\n");
    std::fs::write(&bad_pdf, &appended).unwrap();
    let (code, v) = kyso_verify(&fx, &bad_pdf);
    assert_eq!(code, Some(1));
    assert_eq!(v[0]["covers_whole_document"], false, "{v:#}");
}

#[test]
fn xref_stream_pdf_signed_twice_keeps_both_signatures_valid() {
    let fx = Fixture::new();
    let db = nss_db(&fx);
    let pdf = fx.path("streams.pdf");
    assert_ok(
        &Command::new("qpdf")
            .args(["--object-streams=generate", SPEC_PDF])
            .arg(&pdf)
            .output()
            .unwrap(),
    );
    assert!(String::from_utf8_lossy(&std::fs::read(&pdf).unwrap()).contains("/ObjStm"));
    let once = sign_pades(&fx, "03", &pdf);
    let second_input = fx.path("streams2.pdf");
    std::fs::rename(&once, &second_input).unwrap();
    let twice = sign_pades(&fx, "04", &second_input);

    let report = pdfsig(&db, &twice);
    assert_eq!(
        report
            .matches("Signature Validation: Signature is Valid.")
            .count(),
        2,
        "{report}"
    );
    assert!(report.contains("CÔNG TY TNHH KYSO"), "{report}");
    assert!(report.contains("TRẦN THỊ BÍCH NGỌC"), "{report}");
    let check = Command::new("qpdf")
        .arg("--check")
        .arg(&twice)
        .output()
        .unwrap();
    assert_ok(&check);

    let (code, v) = kyso_verify(&fx, &twice);
    assert_eq!(code, Some(0), "{v:#}");
    let v = v.as_array().unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(v[0]["field"], "Signature1");
    assert_eq!(v[0]["covers_whole_document"], false);
    assert_eq!(v[1]["field"], "Signature2");
    assert_eq!(v[1]["covers_whole_document"], true);
    assert_eq!(v[1]["signature"]["algorithm"], "ecdsa-sha384");
}

#[test]
fn batch_of_pdfs_with_a_corrupt_one() {
    let fx = Fixture::new();
    let dir = fx.path("pdfs");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..3 {
        std::fs::copy(SPEC_PDF, dir.join(format!("cv-{i}.pdf"))).unwrap();
    }
    let spec = std::fs::read(SPEC_PDF).unwrap();
    std::fs::write(dir.join("cv-1b.pdf"), &spec[..spec.len() / 3]).unwrap();
    std::fs::write(dir.join("notes.txt"), "not a pdf, not signed").unwrap();
    let pin = fx.pin_file(PIN);
    let (out, log) = fx.run_spied(&[
        "--json",
        "sign",
        "--format",
        "pades",
        "--token",
        "kyso-test",
        "--key-id",
        "02",
        "--pin-file",
        pin.to_str().unwrap(),
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(r["signed"].as_array().unwrap().len(), 3, "{r:#}");
    let failed = r["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1);
    assert!(failed[0]["file"].as_str().unwrap().ends_with("cv-1b.pdf"));
    assert!(
        failed[0]["error"].as_str().unwrap().contains("PDF"),
        "{failed:?}"
    );
    assert_eq!(spy_count(&log, "C_Login"), 1);
    assert!(!dir.join("cv-1b.signed.pdf").exists());
    assert!(!dir.join("notes.txt.signed.pdf").exists());
    let db = nss_db(&fx);
    for i in 0..3 {
        let report = pdfsig(&db, &dir.join(format!("cv-{i}.signed.pdf")));
        assert!(report.contains("Signature is Valid"), "{report}");
        assert!(report.contains("LÊ THỊ HỒNG NHUNG"), "{report}");
    }
}

/// Fuzzing found a PDF (tests/fixtures/pdf/fuzz/damaged-xref.pdf: broken object header,
/// stray cross-reference fragment, offsets past the end) that lopdf reads by working around
/// the damage, but whose signed update no reader could open. kyso refuses it, says why and
/// what to do, and writes nothing.
#[test]
fn pdf_whose_update_would_not_read_back_is_refused() {
    let fx = Fixture::new();
    let pdf = fx.path("damaged.pdf");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pdf/fuzz/damaged-xref.pdf"
        ),
        &pdf,
    )
    .unwrap();
    let pin = fx.pin_file(PIN);
    let out = fx.run(&[
        "sign",
        "--format",
        "pades",
        "--token",
        "kyso-test",
        "--key-id",
        "03",
        "--pin-file",
        pin.to_str().unwrap(),
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cross-reference data is damaged") && stderr(&out).contains("qpdf"),
        "{}",
        stderr(&out)
    );
    assert!(!fx.path("damaged.signed.pdf").exists());
}
