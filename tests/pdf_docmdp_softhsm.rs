//! Certified PDFs (`/Perms /DocMDP`): a certification that allows no changes (P=1) is
//! respected — the file is refused with a clear message and nothing is written — while one
//! that allows signatures (P=2) is signed.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// A one-page PDF whose catalog names a certification signature with permission `p`.
fn certified_pdf(dir: &Path, p: u8) -> PathBuf {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R /Perms << /DocMDP 4 0 R >> >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_owned(),
        format!(
            "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached \
             /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams \
             << /Type /TransformParams /P {p} /V /1.2 >> >>] >>"
        ),
    ];
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        write!(out, "{} 0 obj\n{o}\nendobj\n", i + 1).unwrap();
    }
    let xref = out.len();
    writeln!(out, "xref\n0 {}\n0000000000 65535 f ", objects.len() + 1).unwrap();
    for o in offsets {
        writeln!(out, "{o:010} 00000 n ").unwrap();
    }
    write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    )
    .unwrap();
    let path = dir.join(format!("certified-p{p}.pdf"));
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn a_certification_allowing_no_changes_is_respected() {
    let fx = Fixture::new();
    let locked = certified_pdf(&fx.dir, 1);
    let out = fx.sign_json("pades", "01", &[locked.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    let error = report["failed"][0]["error"].as_str().unwrap();
    assert!(
        error.contains("certified with no changes allowed (DocMDP P=1)"),
        "{report:#}"
    );
    assert!(!locked.with_extension("signed.pdf").exists());

    let open = certified_pdf(&fx.dir, 2);
    assert_ok(&fx.sign("pades", "01", &[open.to_str().unwrap()]));
    let signed = open.with_extension("signed.pdf");
    let check = Command::new("qpdf")
        .arg("--check")
        .arg(&signed)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", stdout(&check));
    let sig = Command::new("pdfsig").arg(&signed).output().unwrap();
    assert!(
        stdout(&sig).contains("Signature Validation: Signature is Valid."),
        "{}",
        stdout(&sig)
    );
}
