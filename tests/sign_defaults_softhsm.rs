//! What `kyso sign` does without `--format`: each file by its content — a PDF is signed in the
//! PDF (PAdES), an XML file is refused clearly until the XML formats exist, anything else gets
//! a detached CAdES `.p7s` — all in one login; and `--out-dir` is created when missing.

mod common;

use common::*;

#[test]
fn without_format_each_file_gets_what_its_content_needs() {
    let fx = Fixture::new();
    let pdf = fx.path("quyet-dinh.pdf");
    std::fs::copy(
        repo_root().join("tests/fixtures/pdf/shared-mime-info-spec.pdf"),
        &pdf,
    )
    .unwrap();
    let xml = fx.path("hoa-don.xml");
    std::fs::write(&xml, "<?xml version=\"1.0\"?><HDon/>").unwrap();
    let docx = fx.path("to-trinh.docx");
    std::fs::write(&docx, b"PK\x03\x04 not really a docx").unwrap();
    let out_dir = fx.path("da-ky/2026");
    let pin = fx.pin_file(PIN);
    let args = [
        "--json",
        "sign",
        "--token",
        "kyso-test",
        "--key-id",
        "01",
        "--pin-file",
        pin.to_str().unwrap(),
        "--out-dir",
        out_dir.to_str().unwrap(),
        "quyet-dinh.pdf",
        "hoa-don.xml",
        "to-trinh.docx",
    ];
    let (out, log) = fx.run_spied(&args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the XML file failed: {}",
        stderr(&out)
    );
    assert_eq!(spy_count(&log, "C_Login"), 1, "one login for both formats");
    let report = json(&out);
    assert_eq!(report["format"], "by content");
    let signed = report["signed"].as_array().unwrap();
    let format_of = |name: &str| {
        signed
            .iter()
            .find(|s| s["file"].as_str().unwrap().ends_with(name))
            .map(|s| s["format"].as_str().unwrap().to_owned())
    };
    assert_eq!(format_of("quyet-dinh.pdf").as_deref(), Some("pades"));
    assert_eq!(format_of("to-trinh.docx").as_deref(), Some("cms"));
    let failed = report["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1);
    assert!(failed[0]["file"].as_str().unwrap().ends_with("hoa-don.xml"));
    assert!(
        failed[0]["error"]
            .as_str()
            .unwrap()
            .contains("XML signing (XMLDSig for e-invoices and declarations) is not in kyso yet"),
        "{report:#}"
    );
    // the out-dir was created; the PDF is signed in the PDF, the docx has a .p7s
    let signed_pdf = out_dir.join("quyet-dinh.signed.pdf");
    let pdfsig = std::process::Command::new("pdfsig")
        .arg(&signed_pdf)
        .output()
        .unwrap();
    assert!(
        stdout(&pdfsig).contains("Signature is Valid"),
        "{}",
        stdout(&pdfsig)
    );
    let (ok, err) = openssl_cms_verify(&fx, &docx, &out_dir.join("to-trinh.docx.p7s"));
    assert!(ok, "{err}");
    assert!(!out_dir.join("hoa-don.xml.p7s").exists());

    // `--format pdf` is PAdES; the text summary names each file's format
    let out = fx.run(&[
        "sign",
        "--format",
        "pdf",
        "--token",
        "kyso-test",
        "--key-id",
        "01",
        "--pin-file",
        pin.to_str().unwrap(),
        "quyet-dinh.pdf",
    ]);
    assert_ok(&out);
    assert!(
        stderr(&out).contains("quyet-dinh.signed.pdf (pades)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn only_xml_files_are_refused_before_the_pin() {
    let fx = Fixture::new();
    std::fs::write(fx.path("to-khai.xml"), "<?xml version=\"1.0\"?><TKhai/>").unwrap();
    let (out, log) = fx.run_spied(&[
        "sign",
        "--token",
        "kyso-test",
        "--pin-file",
        fx.pin_file(PIN).to_str().unwrap(),
        "to-khai.xml",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--format cms"), "{}", stderr(&out));
    assert_eq!(spy_count(&log, "C_Login"), 0, "no PIN spent");
}
