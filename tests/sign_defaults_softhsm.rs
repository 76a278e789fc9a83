//! What `kyso sign` does without `--format`: each file by its content — a PDF is signed in the
//! PDF (PAdES), an XML file gets an XML signature inside (RSA: PKCS#1 v1.5, what XML receivers
//! accept, while the PDF gets PSS), anything else gets
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
    std::fs::write(
        &xml,
        "<?xml version=\"1.0\"?><ThongBao><So>1</So></ThongBao>",
    )
    .unwrap();
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
    assert_ok(&out);
    assert_eq!(
        spy_count(&log, "C_Login"),
        1,
        "one login for the three formats"
    );
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
    assert_eq!(format_of("hoa-don.xml").as_deref(), Some("xml"));
    let signed_xml = std::fs::read_to_string(out_dir.join("hoa-don.signed.xml")).unwrap();
    assert!(
        signed_xml.contains("xmldsig-more#rsa-sha256"),
        "XML gets PKCS#1 v1.5: {signed_xml}"
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
    let xmlsec = std::process::Command::new("xmlsec1")
        .args(["--verify", "--trusted-pem"])
        .arg(fx.path("ca.pem"))
        .arg(out_dir.join("hoa-don.signed.xml"))
        .output()
        .unwrap();
    assert!(xmlsec.status.success(), "{}", stderr(&xmlsec));

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
