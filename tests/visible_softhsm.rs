//! `kyso sign --format pades --visible`: the appearance is drawn (rasterised by poppler's
//! `pdftoppm`), its text is Vietnamese that `pdftotext` reads back (embedded DejaVu subset with
//! a ToUnicode map), and the signature stays valid for pdfsig and kyso verify, also as the
//! second signature of a PDF.

mod common;

use std::path::Path;
use std::process::Command;

use common::png::*;
use common::*;

const SPEC_PDF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/pdf/shared-mime-info-spec.pdf"
);

fn sign(fx: &Fixture, key: &str, pdf: &Path, visible: Option<&str>) -> std::process::Output {
    let mut args = vec![];
    if let Some(v) = visible {
        args.extend(["--visible", v]);
    }
    args.push(pdf.to_str().unwrap());
    fx.sign("pades", key, &args)
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-f", "1", "-l", "1"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert_ok(&out);
    stdout(&out)
}

#[test]
fn visible_signature_shows_name_identity_and_time_in_vietnamese() {
    let fx = Fixture::new();
    let pdf = fx.path("spec.pdf");
    std::fs::copy(SPEC_PDF, &pdf).unwrap();
    // The page is 609.7 × 789 points; the box sits in the bottom margin.
    let rect = [330.0, 30.0, 250.0, 64.0];
    let before = dark_pixels(&pdf, 789.0, rect);

    // First an invisible signature, then the visible one: both stay valid.
    assert_ok(&sign(&fx, "01", &pdf, None));
    let once = fx.path("spec.signed.pdf");
    let twice_in = fx.path("twice.pdf");
    std::fs::rename(&once, &twice_in).unwrap();
    let out = sign(&fx, "02", &twice_in, Some("1,330,30,250,64"));
    assert_ok(&out);
    let signed = fx.path("twice.signed.pdf");

    let after = dark_pixels(&signed, 789.0, rect);
    assert!(
        after > before + 500,
        "the box is drawn: {before} dark pixels before, {after} after"
    );
    let text = pdftotext(&signed);
    assert!(text.contains("Ký bởi: LÊ THỊ HỒNG NHUNG"), "{text}");
    assert!(text.contains("CMND: 123456789"), "{text}");
    assert!(text.contains("Thời gian: "), "{text}");
    assert!(text.contains("(UTC+7)"), "{text}");

    let out = Command::new("pdfsig").arg(&signed).output().unwrap();
    let report = stdout(&out);
    assert_eq!(
        report
            .matches("Signature Validation: Signature is Valid.")
            .count(),
        2,
        "{report}"
    );
    let out = fx.verify_json(&[signed.to_str().unwrap()]);
    assert_ok(&out);
    let v = json(&out);
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert!(
        v.as_array().unwrap().iter().all(|r| r["status"] == "valid"),
        "{v:#}"
    );
}

#[test]
fn visible_box_errors_are_clear() {
    let fx = Fixture::new();
    let pdf = fx.path("spec.pdf");
    std::fs::copy(SPEC_PDF, &pdf).unwrap();
    let out = sign(&fx, "01", &pdf, Some("99,10,10,200,50"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("the PDF has 17 page(s), not 99"),
        "{}",
        stderr(&out)
    );
    let out = sign(&fx, "01", &pdf, Some("1,10,10"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("expected PAGE,X,Y,WIDTH,HEIGHT"),
        "{}",
        stderr(&out)
    );
    assert!(!fx.path("spec.signed.pdf").exists());
}

/// Pages by name (`last`, `first`, negative from the end), named positions at a margin, and a
/// box that runs off the page refused with the page's size (issue 22, item 8).
#[test]
fn named_pages_and_positions_and_boxes_off_the_page() {
    let fx = Fixture::new();
    let pdf = fx.path("spec.pdf");
    std::fs::copy(SPEC_PDF, &pdf).unwrap();
    let signed = fx.path("spec.signed.pdf");

    // 1,500,30,250,64 would show only "NGUYỄN VĂ": refused before the PIN, naming the page's
    // size.
    let args = fx.sign_args("pades", "01", &["--visible", "1,500,30,250,64", "spec.pdf"]);
    let (out, log) = fx.run_spied(&strs(&args));
    assert_eq!(spy_count(&log, "C_Login"), 0, "{}", stderr(&out));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("runs off page 1, which is 609.71×789.04 points"),
        "{}",
        stderr(&out)
    );
    assert!(!signed.exists());

    // The last page, bottom right.
    assert_ok(&sign(&fx, "01", &pdf, Some("last,bottom-right")));
    let page = |n: &str| {
        let out = Command::new("pdftotext")
            .args(["-f", n, "-l", n])
            .arg(&signed)
            .arg("-")
            .output()
            .unwrap();
        stdout(&out)
    };
    assert!(
        page("17").contains("Ký bởi: NGUYỄN VĂN AN"),
        "{}",
        page("17")
    );
    assert!(!page("1").contains("Ký bởi"));
    let out = fx.verify_json(&[signed.to_str().unwrap()]);
    assert_ok(&out);
    std::fs::remove_file(&signed).unwrap();

    // -17 is the first page; top-left at 36 points from the edges, 250×64.
    assert_ok(&sign(&fx, "01", &pdf, Some("-17,top-left,250,64")));
    let rect = [36.0, 789.04 - 36.0 - 64.0, 250.0, 64.0];
    assert!(dark_pixels(&signed, 789.04, rect) > 500);
    assert!(pdftotext(&signed).contains("Ký bởi: NGUYỄN VĂN AN"));
    std::fs::remove_file(&signed).unwrap();

    let out = sign(&fx, "01", &pdf, Some("-18,bottom-left"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("the PDF has 17 page(s), not -18"),
        "{}",
        stderr(&out)
    );
}

/// Reason, location and contact go into the signature dictionary (`/Reason`, `/Location`,
/// `/ContactInfo`), and reason and location onto the stamp (issue 22, item 9 in part).
#[test]
fn reason_location_and_contact_are_written_and_shown() {
    let fx = Fixture::new();
    let pdf = fx.path("spec.pdf");
    std::fs::copy(SPEC_PDF, &pdf).unwrap();
    let out = fx.sign(
        "pades",
        "01",
        &[
            "--visible",
            "1,bottom-right,260,90",
            "--reason",
            "Phê duyệt",
            "--location",
            "Hà Nội",
            "--contact",
            "024 1234 5678",
            pdf.to_str().unwrap(),
        ],
    );
    assert_ok(&out);
    let signed = fx.path("spec.signed.pdf");
    let text = pdftotext(&signed);
    assert!(text.contains("Lý do: Phê duyệt"), "{text}");
    assert!(text.contains("Nơi ký: Hà Nội"), "{text}");
    let bytes = std::fs::read(&signed).unwrap();
    for key in [&b"/Reason"[..], b"/Location", b"/ContactInfo"] {
        assert!(bytes.windows(key.len()).any(|w| w == key));
    }
    assert_ok(&fx.verify_json(&[signed.to_str().unwrap()]));
    // Only a PDF keeps them.
    let out = fx.sign(
        "cms",
        "01",
        &["--reason", "Phê duyệt", pdf.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("need --format pades"),
        "{}",
        stderr(&out)
    );
}

/// `--visible all,…`: one signature (one field, on the first page) and its stamp on every
/// page; pdfsig and kyso see one valid signature (issue 22, item 8).
#[test]
fn the_stamp_on_every_page_is_one_signature() {
    let fx = Fixture::new();
    let pdf = fx.path("spec.pdf");
    std::fs::copy(SPEC_PDF, &pdf).unwrap();
    assert_ok(&sign(&fx, "01", &pdf, Some("all,bottom-right")));
    let signed = fx.path("spec.signed.pdf");
    for n in ["1", "9", "17"] {
        let out = Command::new("pdftotext")
            .args(["-f", n, "-l", n])
            .arg(&signed)
            .arg("-")
            .output()
            .unwrap();
        assert!(
            stdout(&out).contains("Ký bởi: NGUYỄN VĂN AN"),
            "page {n}: {}",
            stdout(&out)
        );
    }
    let out = Command::new("pdfsig").arg(&signed).output().unwrap();
    let report = stdout(&out);
    assert_eq!(report.matches("Signature #").count(), 1, "{report}");
    assert!(report.contains("Signature is Valid."), "{report}");
    let out = fx.verify_json(&[signed.to_str().unwrap()]);
    assert_ok(&out);
    assert_eq!(json(&out).as_array().unwrap().len(), 1);
}

/// `--image seal.png`: the image at the stamp's left, its transparency kept (a soft mask),
/// the signature valid (issue 22, item 9).
#[test]
fn an_image_with_transparency_goes_on_the_stamp() {
    let fx = Fixture::new();
    let pdf = fx.path("spec.pdf");
    std::fs::copy(SPEC_PDF, &pdf).unwrap();
    // A red disc on a transparent background.
    let seal = png_rgba(120, 60, |x, y| {
        let (dx, dy) = (x as i32 - 60, y as i32 - 30);
        if dx * dx + dy * dy < 28 * 28 {
            [200, 0, 0, 255]
        } else {
            [0, 0, 0, 0]
        }
    });
    std::fs::write(fx.path("seal.png"), seal).unwrap();
    let out = fx.sign(
        "pades",
        "01",
        &[
            "--visible",
            "1,330,30,250,64",
            "--image",
            "seal.png",
            pdf.to_str().unwrap(),
        ],
    );
    assert_ok(&out);
    let signed = fx.path("spec.signed.pdf");
    let rect = [330.0, 30.0, 250.0, 64.0];
    let red = red_pixels(&signed, 789.0, rect);
    assert!(red > 1000, "the disc is drawn: {red} red pixels");
    // Transparent corners: the stamp's background shows, not black.
    let corner = red_pixels(&signed, 789.0, [335.0, 30.0, 8.0, 8.0]);
    assert_eq!(corner, 0);
    let bytes = std::fs::read(&signed).unwrap();
    assert!(bytes.windows(6).any(|w| w == b"/SMask"));
    assert!(pdftotext(&signed).contains("Ký bởi: NGUYỄN VĂN AN"));
    let out = Command::new("pdfsig").arg(&signed).output().unwrap();
    assert!(
        stdout(&out).contains("Signature is Valid."),
        "{}",
        stdout(&out)
    );

    // Not a PNG: refused before the PIN, saying so.
    std::fs::write(fx.path("seal.jpg"), b"\xff\xd8\xff\xe0 not png").unwrap();
    let out = fx.sign(
        "pades",
        "01",
        &[
            "--visible",
            "1,330,30,250,64",
            "--image",
            "seal.jpg",
            pdf.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a PNG file"), "{}", stderr(&out));
}
