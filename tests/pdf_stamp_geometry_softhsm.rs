//! The visible stamp lands where the person asked, as the page is shown: on pages whose box
//! does not start at (0,0), on rotated pages (text upright), and a box that runs off the page
//! is refused with the page's size. Checked in the signed file with qpdf, and by pdfsig.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::qpdf::{array_of, widget_of};
use common::*;

/// Two pages: page 1 with `/MediaBox [200 300 795 1142]`, page 2 A4 with `/Rotate 90`.
fn odd_pages_pdf(dir: &Path) -> PathBuf {
    let path = dir.join("odd-pages.pdf");
    common::small_pdf::write_pdf(
        &path,
        &[
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>".to_owned(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [200 300 795 1142] >>".to_owned(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate 90 >>".to_owned(),
        ],
    );
    path
}

#[test]
fn stamps_are_placed_on_the_page_as_shown() {
    let fx = Fixture::new();
    let pdf = odd_pages_pdf(&fx.dir);
    let signed = pdf.with_extension("signed.pdf");

    // page 1: the box is relative to the page's own lower-left corner (200, 300)
    assert_ok(&fx.sign(
        "pades",
        "01",
        &["--visible", "1,30,30,250,64", pdf.to_str().unwrap()],
    ));
    let rect = array_of(&signed, widget_of(&signed), "/Rect");
    assert_eq!(rect, [230.0, 330.0, 480.0, 394.0]);

    // page 2, shown rotated: the 250×64 box at (30, 30) of the page as shown is a 64×250
    // box in the page's own space, and the appearance is turned back upright
    std::fs::remove_file(&signed).unwrap();
    assert_ok(&fx.sign(
        "pades",
        "01",
        &["--visible", "2,30,30,250,64", pdf.to_str().unwrap()],
    ));
    let widget = widget_of(&signed);
    let rect = array_of(&signed, widget, "/Rect");
    assert_eq!(rect, [595.0 - 30.0 - 64.0, 30.0, 595.0 - 30.0, 280.0]);
    let out = Command::new("qpdf")
        .arg(format!("--show-object={widget}"))
        .arg(&signed)
        .output()
        .unwrap();
    let ap = stdout(&out);
    let form: u32 = ap[ap.find("/N ").unwrap() + 3..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        array_of(&signed, form, "/Matrix"),
        [0.0, 1.0, -1.0, 0.0, 0.0, 0.0]
    );
    let sig = Command::new("pdfsig").arg(&signed).output().unwrap();
    assert!(
        stdout(&sig).contains("Signature is Valid."),
        "{}",
        stdout(&sig)
    );

    // a box that runs off the shown page is refused, naming the page's size
    std::fs::remove_file(&signed).unwrap();
    let out = fx.sign_json(
        "pades",
        "01",
        &["--visible", "2,700,30,250,64", pdf.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let error = report["failed"][0]["error"].as_str().unwrap();
    assert!(
        error.contains("runs off page 2, which is 842×595 points as shown"),
        "{report:#}"
    );
    assert!(!signed.exists());
}
