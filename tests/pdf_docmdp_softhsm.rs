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
    let path = dir.join(format!("certified-p{p}.pdf"));
    common::small_pdf::write_pdf(
        &path,
        &[
            "<< /Type /Catalog /Pages 2 0 R /Perms << /DocMDP 4 0 R >> >>".to_owned(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_owned(),
            format!(
                "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached \
                 /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams \
                 << /Type /TransformParams /P {p} /V /1.2 >> >>] >>"
            ),
        ],
    );
    path
}

#[test]
fn a_certification_allowing_no_changes_is_respected() {
    let fx = Fixture::new();
    let locked = certified_pdf(&fx.dir, 1);
    let mut args = vec!["--json".to_owned()];
    args.extend(fx.sign_args("pades", "01", &[locked.to_str().unwrap()]));
    let (out, log) = fx.run_spied(&strs(&args));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(spy_count(&log, "C_Login"), 0, "refused before the PIN");
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

/// A PDF certified with P=1 by a real signature (OpenSSL's CMS over the byte range), then an
/// update adding only a signature dictionary — acceptable after an ordinary signature, not
/// after a certification that allows no changes: `kyso verify` says so.
#[test]
fn verify_reports_changes_to_a_document_certified_with_no_changes_allowed() {
    let fx = Fixture::new();
    let hex_len = 8192;
    let head = "%PDF-1.7\n".to_owned();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R /Perms << /DocMDP 4 0 R >> >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_owned(),
    ];
    // the certification signature, /ByteRange patched once offsets are known
    let placeholder = "[0000000000 0000000000 0000000000 0000000000]";
    objects.push(format!(
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached \
         /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams \
         << /Type /TransformParams /P 1 /V /1.2 >> >>] /ByteRange {placeholder} \
         /Contents <{}> >>",
        "0".repeat(hex_len)
    ));
    let mut out = head.into_bytes();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        write!(out, "{} 0 obj\n{o}\nendobj\n", i + 1).unwrap();
    }
    let xref = out.len();
    writeln!(out, "xref\n0 {}\n0000000000 65535 f ", objects.len() + 1).unwrap();
    for o in &offsets {
        writeln!(out, "{o:010} 00000 n ").unwrap();
    }
    write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    )
    .unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let a = text.find("/Contents <").unwrap() + "/Contents ".len();
    let b = a + hex_len + 2;
    let range = format!("[0 {a} {b} {}]", out.len() - b);
    let range = format!("{range:<width$}", width = placeholder.len());
    let at = text.find(placeholder).unwrap();
    out[at..at + placeholder.len()].copy_from_slice(range.as_bytes());
    let mut signed_part = out[..a].to_vec();
    signed_part.extend_from_slice(&out[b..]);
    let data = fx.dir.join("range.bin");
    std::fs::write(&data, &signed_part).unwrap();
    let cms = fx.dir.join("cert.p7s");
    // the fixture CA's key signs as the certifier (any key will do for this check)
    let st = Command::new("openssl")
        .args([
            "cms",
            "-sign",
            "-binary",
            "-outform",
            "DER",
            "-nosmimecap",
            "-signer",
        ])
        .arg(fx.path("ca.pem"))
        .arg("-inkey")
        .arg(fx.path("ca.key"))
        .arg("-in")
        .arg(&data)
        .arg("-out")
        .arg(&cms)
        .status()
        .unwrap();
    assert!(st.success());
    let hex: String = std::fs::read(&cms)
        .unwrap()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    out[a + 1..a + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    let certified = fx.dir.join("certified.pdf");
    std::fs::write(&certified, &out).unwrap();
    let v = json(&fx.verify_json(&[certified.to_str().unwrap()]));
    assert!(
        matches!(v[0]["status"].as_str(), Some("valid" | "untrusted")),
        "the certification itself holds: {v:#}"
    );

    // an update that adds only a signature dictionary
    let mut later = out.clone();
    let obj = later.len();
    write!(
        later,
        "9 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite >>\nendobj\n"
    )
    .unwrap();
    let x = later.len();
    write!(
        later,
        "xref\n0 1\n0000000000 65535 f \n9 1\n{obj:010} 00000 n \ntrailer\n<< /Size 10 /Root 1 0 R /Prev {xref} >>\nstartxref\n{x}\n%%EOF\n"
    )
    .unwrap();
    let changed = fx.dir.join("changed.pdf");
    std::fs::write(&changed, &later).unwrap();
    let v = json(&fx.verify_json(&[changed.to_str().unwrap()]));
    assert_eq!(v[0]["status"], "invalid", "{v:#}");
    assert!(
        v[0]["error"]
            .as_str()
            .unwrap()
            .contains("certified with no changes allowed (DocMDP P=1)"),
        "{v:#}"
    );

    // an update that adds only validation data (a DSS) and a document timestamp's signature
    // dictionary: DocMDP does not forbid them (PAdES, ETSI TS 102 778-4 A.1 and A.2)
    let mut lta = out.clone();
    let dss = lta.len();
    write!(
        lta,
        "10 0 obj\n<< /Certs [] /OCSPs [] /CRLs [] >>\nendobj\n"
    )
    .unwrap();
    let ts = lta.len();
    write!(
        lta,
        "11 0 obj\n<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 >>\nendobj\n"
    )
    .unwrap();
    let cat = lta.len();
    write!(
        lta,
        "1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Perms << /DocMDP 4 0 R >> /DSS 10 0 R >>\nendobj\n"
    )
    .unwrap();
    let x = lta.len();
    write!(
        lta,
        "xref\n0 2\n0000000000 65535 f \n{cat:010} 00000 n \n10 2\n{dss:010} 00000 n \n{ts:010} 00000 n \ntrailer\n<< /Size 12 /Root 1 0 R /Prev {xref} >>\nstartxref\n{x}\n%%EOF\n"
    )
    .unwrap();
    let archived = fx.dir.join("archived.pdf");
    std::fs::write(&archived, &lta).unwrap();
    let v = json(&fx.verify_json(&[archived.to_str().unwrap()]));
    assert!(
        matches!(v[0]["status"].as_str(), Some("valid" | "untrusted")),
        "validation data after a P=1 certification is not a change: {v:#}"
    );
    // the same with an ordinary signature dictionary besides: a change again
    let mut both = lta.clone();
    let sig = both.len();
    write!(
        both,
        "12 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite >>\nendobj\n"
    )
    .unwrap();
    let x2 = both.len();
    write!(
        both,
        "xref\n0 1\n0000000000 65535 f \n12 1\n{sig:010} 00000 n \ntrailer\n<< /Size 13 /Root 1 0 R /Prev {x} >>\nstartxref\n{x2}\n%%EOF\n"
    )
    .unwrap();
    let signed_too = fx.dir.join("signed-too.pdf");
    std::fs::write(&signed_too, &both).unwrap();
    let v = json(&fx.verify_json(&[signed_too.to_str().unwrap()]));
    assert_eq!(v[0]["status"], "invalid", "{v:#}");
}

/// pyHanko's API certifying `src` into `dst` with DocMDP permission `p` (its CLI cannot set P=1).
const PYHANKO_CERTIFY: &str = r#"
import sys
from pyhanko.sign import signers, fields
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
key, cert, src, dst, p = sys.argv[1:6]
meta = signers.PdfSignatureMetadata(field_name="Certification", certify=True,
    docmdp_permissions=fields.MDPPerm(int(p)))
with open(src, "rb") as f:
    out = signers.sign_pdf(IncrementalPdfFileWriter(f), meta,
                           signer=signers.SimpleSigner.load(key, cert))
with open(dst, "wb") as f:
    f.write(out.getvalue())
"#;

/// Certifications made by pyHanko: P=1 refused, and under P=2 and P=3 a visible signature
/// (a new field on a page, which pyHanko counts as a modification of the certified document),
/// each before the PIN with nothing written; an invisible signature under P=2 is signed, and
/// pyHanko judges its own certification and kyso's signature valid.
#[test]
fn pyhanko_certifications_are_respected() {
    let fx = Fixture::new();
    common::pyhanko::make_signer(&fx.dir);
    common::small_pdf::write_pdf(
        &fx.dir.join("page.pdf"),
        &[
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_owned(),
        ],
    );
    for p in [1, 2, 3] {
        let out = Command::new("python3")
            .args(["-c", PYHANKO_CERTIFY, "ph.key", "ph.pem", "page.pdf"])
            .arg(format!("ph-p{p}.pdf"))
            .arg(p.to_string())
            .current_dir(&fx.dir)
            .output()
            .unwrap();
        assert_ok(&out);
    }
    let refused = |file: &str, visible: bool, says: &str| {
        let mut extra = vec![];
        if visible {
            extra = vec!["--visible", "1,330,56,225,80"];
        }
        extra.push(file);
        let mut args = vec!["--json".to_owned()];
        args.extend(fx.sign_args("pades", "01", &extra));
        let (out, log) = fx.run_spied(&strs(&args));
        assert_eq!(out.status.code(), Some(1), "{file}: {}", stderr(&out));
        assert_eq!(
            spy_count(&log, "C_Login"),
            0,
            "{file}: refused before the PIN"
        );
        let report = json(&out);
        let error = report["failed"][0]["error"].as_str().unwrap();
        assert!(error.contains(says), "{file}: {report:#}");
        let stem = file.trim_end_matches(".pdf");
        assert!(!fx.dir.join(format!("{stem}.signed.pdf")).exists());
    };
    refused(
        "ph-p1.pdf",
        false,
        "certified with no changes allowed (DocMDP P=1)",
    );
    refused("ph-p2.pdf", true, "certified (DocMDP P=2)");
    refused("ph-p3.pdf", true, "sign it without --visible");

    assert_ok(&fx.sign("pades", "01", &["ph-p2.pdf"]));
    let report = common::pyhanko::validate(&fx.dir, "ph-p2.signed.pdf");
    assert_eq!(
        common::pyhanko::fields_ok(&report),
        [true, true],
        "pyHanko on its P=2 certification then kyso's signature:\n{report}"
    );
}
