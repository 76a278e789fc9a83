//! `kyso sign --format pades` on real-world PDFs (a Debian documentation PDF, and its
//! cross-reference-stream rewrite by qpdf), checked by poppler's `pdfsig` with an NSS database
//! trusting the fixture CA, and by `kyso verify`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::nss::*;
use common::*;

const SPEC_PDF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/pdf/shared-mime-info-spec.pdf"
);

/// An NSS database trusting the fixture CA, for pdfsig.
fn trusting_db(fx: &Fixture) -> String {
    let db = nss_db(&fx.path("nss"));
    nss_trust(&db, "kyso-test-ca", "C,C,C", &fx.path("ca.pem"));
    db
}

fn sign_pades(fx: &Fixture, key_id: &str, pdf: &Path) -> PathBuf {
    assert_ok(&fx.sign("pades", key_id, &[pdf.to_str().unwrap()]));
    let name = pdf
        .file_name()
        .unwrap()
        .to_string_lossy()
        .replace(".pdf", ".signed.pdf");
    pdf.with_file_name(name)
}

fn kyso_verify(fx: &Fixture, pdf: &Path) -> (Option<i32>, serde_json::Value) {
    let out = fx.verify_json(&[pdf.to_str().unwrap()]);
    (out.status.code(), json(&out))
}

#[test]
fn debian_pdf_signed_with_pss_is_valid_for_pdfsig_and_kyso() {
    let fx = Fixture::new();
    let db = trusting_db(&fx);
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
    let db = trusting_db(&fx);
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
    let mut args = vec!["--json".to_owned()];
    args.extend(fx.sign_args("pades", "02", &[dir.to_str().unwrap()]));
    let (out, log) = fx.run_spied(&strs(&args));
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
    let db = trusting_db(&fx);
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
    let out = fx.sign("pades", "03", &[pdf.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cross-reference data is damaged") && stderr(&out).contains("qpdf"),
        "{}",
        stderr(&out)
    );
    assert!(!fx.path("damaged.signed.pdf").exists());
}

/// The object-by-object reader `kyso sign` uses follows real files' cross-reference data
/// (a classic table, and qpdf's rewrites with object streams and with a hybrid table), without
/// falling back to parsing the whole document.
#[test]
fn lazy_reader_follows_tables_streams_and_object_streams() {
    use kyso::document::pdf::reader::LazyPdf;
    let fx = Fixture::new();
    let mut inputs = vec![("table".to_string(), std::fs::read(SPEC_PDF).unwrap())];
    for (name, args) in [
        ("streams", &["--object-streams=generate"][..]),
        (
            "preserve",
            &["--object-streams=generate", "--linearize"][..],
        ),
    ] {
        let out = fx.path(&format!("{name}.pdf"));
        assert_ok(
            &Command::new("qpdf")
                .args(args)
                .arg(SPEC_PDF)
                .arg(&out)
                .output()
                .unwrap(),
        );
        inputs.push((name.into(), std::fs::read(&out).unwrap()));
    }
    for (name, bytes) in &inputs {
        let lazy = LazyPdf::open(&bytes[..]).unwrap_or_else(|e| panic!("{name}: {e}"));
        let page = lazy.page(1).unwrap().unwrap();
        let dict = lazy.dictionary(page).unwrap();
        assert_eq!(
            dict.get(b"Type").unwrap().as_name().unwrap(),
            b"Page",
            "{name}"
        );
        assert!(lazy.page(10_000).unwrap().is_err(), "{name}");
        assert!(lazy.size() > 10, "{name}");
    }
}

/// A 1 GiB PDF (one page whose content stream is a 1 GiB hole in a sparse file): `kyso sign`
/// reads only the objects the signature touches and copies the rest file to file, so it signs
/// without holding the file in memory; pdfsig accepts the result. (The README's Performance
/// section has the memory figures; the bound here only catches a return to whole-file reading.)
#[test]
fn a_1_gib_pdf_signs_without_being_held_in_memory() {
    let fx = Fixture::new();
    let db = trusting_db(&fx);
    let pdf = fx.path("huge.pdf");
    common::sparse_pdf::write_sparse_pdf(&pdf, 1 << 30);
    // `kyso` as the fixture runs it, under GNU time
    let kyso = fx.kyso();
    let mut timed = Command::new("/usr/bin/time");
    for (k, v) in kyso.get_envs() {
        match v {
            Some(v) => timed.env(k, v),
            None => timed.env_remove(k),
        };
    }
    let out = timed
        .current_dir(fx.path(""))
        .args(["-f", "seconds=%e maxrss_kib=%M", "--"])
        .arg(kyso.get_program())
        .args(["--module", SOFTHSM])
        .args(fx.sign_args("pades", "01", &[pdf.to_str().unwrap()]))
        .output()
        .unwrap();
    assert_ok(&out);
    let err = stderr(&out);
    let rss: u64 = err
        .rsplit("maxrss_kib=")
        .next()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| panic!("{err}"));
    eprintln!("kyso sign --format pades, 1 GiB PDF: peak RSS {rss} KiB");
    assert!(rss < 256 * 1024, "peak RSS {rss} KiB for a 1 GiB PDF");
    let signed = fx.path("huge.signed.pdf");
    let original_len = std::fs::metadata(&pdf).unwrap().len();
    assert!(std::fs::metadata(&signed).unwrap().len() > original_len);
    let report = pdfsig(&db, &signed);
    assert!(
        report.contains("Signature Validation: Signature is Valid."),
        "{report}"
    );
    assert!(report.contains("Total document signed"), "{report}");
    std::fs::remove_file(&signed).unwrap();
}
