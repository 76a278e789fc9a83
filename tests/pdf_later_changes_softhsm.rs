//! Every PDF signature is judged on what the revisions after it changed: a second signature
//! leaves the first valid (its field, widget and appearance are what signing adds), while an
//! incremental update that paints over the page or adds a comment makes the earlier signature
//! INVALID, naming the change — never "document unmodified" next to a modification.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::*;

/// Catalog 1, pages 2, page 3 (content 4).
fn letter(dir: &Path) -> PathBuf {
    let path = dir.join("letter.pdf");
    common::small_pdf::write_pdf(
        &path,
        &[
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_owned(),
            common::small_pdf::stream("BT /F1 12 Tf 72 720 Td (Quyet dinh) Tj ET"),
        ],
    );
    path
}

/// Appends an incremental update (classic xref) holding `objects` to `pdf`.
fn append_update(pdf: &Path, objects: &[(u32, String)], out: &Path) {
    let mut bytes = std::fs::read(pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let at = text.rfind("startxref").unwrap();
    let prev: usize = text[at + 9..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let size = objects.iter().map(|(id, _)| id + 1).max().unwrap().max(50);
    let mut offsets = Vec::new();
    for (id, body) in objects {
        offsets.push((*id, bytes.len()));
        write!(bytes, "{id} 0 obj\n{body}\nendobj\n").unwrap();
    }
    let xref = bytes.len();
    writeln!(bytes, "xref\n0 1\n0000000000 65535 f ").unwrap();
    for (id, off) in offsets {
        writeln!(bytes, "{id} 1\n{off:010} 00000 n ").unwrap();
    }
    write!(
        bytes,
        "trailer\n<< /Size {size} /Root 1 0 R /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n"
    )
    .unwrap();
    std::fs::write(out, bytes).unwrap();
}

fn verify(fx: &Fixture, pdf: &Path) -> (serde_json::Value, String) {
    let v = json(&fx.verify_json(&[pdf.to_str().unwrap()]));
    let text = stdout(&fx.verify_text(&[pdf.to_str().unwrap()]));
    (v, text)
}

#[test]
fn later_revisions_are_judged_for_every_signature() {
    let fx = Fixture::new();
    let pdf = letter(&fx.dir);
    assert_ok(&fx.sign("pades", "01", &[pdf.to_str().unwrap()]));
    let once = pdf.with_extension("signed.pdf");

    // a second signature (kyso then kyso): both valid, the first's later revision acceptable
    let twice = fx.dir.join("twice.pdf");
    std::fs::copy(&once, &twice).unwrap();
    assert_ok(&fx.sign("pades", "03", &[twice.to_str().unwrap()]));
    let (v, text) = verify(&fx, &twice.with_extension("signed.pdf"));
    assert_eq!(v[0]["status"], "valid", "{v:#}");
    assert_eq!(v[1]["status"], "valid", "{v:#}");
    assert_eq!(
        v[0]["later_changes"]["modifications"],
        serde_json::json!([])
    );
    assert!(
        text.contains("later revisions only add signatures, form fields or validation data"),
        "{text}"
    );

    // painting over the page after signing
    let painted = fx.dir.join("painted.pdf");
    let paint = "1 1 1 rg 0 0 595 842 re f";
    append_update(
        &once,
        &[
            (
                40,
                format!("<< /Length {} >>\nstream\n{paint}\nendstream", paint.len()),
            ),
            (
                3,
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R 40 0 R] >>"
                    .into(),
            ),
        ],
        &painted,
    );
    let (v, text) = verify(&fx, &painted);
    assert_eq!(v[0]["status"], "invalid", "{v:#}");
    let error = v[0]["error"].as_str().unwrap();
    assert!(
        error.contains("modified after this signature: page content (object 3: /Contents)"),
        "{error}"
    );
    assert!(!text.contains("document   unmodified"), "{text}");
    assert!(
        text.contains("document   MODIFIED after signing: page content"),
        "{text}"
    );

    // a comment added after signing (the page's /Annots gains a text annotation)
    let commented = fx.dir.join("commented.pdf");
    let signed_page = {
        // the signed revision's page, with its /Annots as kyso wrote it
        let out = std::process::Command::new("qpdf")
            .args(["--show-object=3"])
            .arg(&once)
            .output()
            .unwrap();
        stdout(&out)
    };
    let annots_at = signed_page.find("/Annots [").unwrap() + "/Annots [".len();
    let widget = signed_page[annots_at..]
        .split(']')
        .next()
        .unwrap()
        .trim()
        .to_owned();
    append_update(
        &once,
        &[
            (
                41,
                "<< /Type /Annot /Subtype /Text /Rect [100 100 120 120] /Contents (Sua lai) >>"
                    .into(),
            ),
            (
                3,
                format!(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
                     /Annots [{widget} 41 0 R] >>"
                ),
            ),
        ],
        &commented,
    );
    let (v, _) = verify(&fx, &commented);
    assert_eq!(v[0]["status"], "invalid", "{v:#}");
    let error = v[0]["error"].as_str().unwrap();
    assert!(
        error.contains("an annotation was added (object 41)"),
        "{error}"
    );
}
