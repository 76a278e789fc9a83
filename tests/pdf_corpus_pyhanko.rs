//! A corpus of PDFs from several producers — pdfTeX, Apache FOP (Debian's valgrind manual),
//! cairo (the demo's letters), LibreOffice Writer, Ghostscript, reportlab (a form with fields),
//! qpdf rewrites with object streams and linearised, and hand-written files with an offset and a
//! rotated page — each signed by kyso with a visible
//! stamp, then countersigned by pyHanko, and pyHanko then kyso: pyHanko judges every
//! signature valid with only signing changes after it, qpdf finds the files sound, pdfsig
//! validates kyso's, and `kyso verify` agrees with pyHanko on every signature.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::pyhanko::{self, fields_ok as pyhanko_ok};
use common::*;

fn run(c: &mut Command) {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{c:?}: {}{}",
        stdout(&out),
        stderr(&out)
    );
}

/// The corpus, written into `dir`: (name, where it comes from).
fn corpus(dir: &Path) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    let spec = dir.join("pdftex.pdf");
    std::fs::copy(
        repo_root().join("tests/fixtures/pdf/shared-mime-info-spec.pdf"),
        &spec,
    )
    .unwrap();
    out.push(("pdftex.pdf".into(), "pdfTeX 1.40 (the fixture)"));
    // Debian's valgrind (installed by `make deps`) ships its manual made by Apache FOP.
    let fop = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "zcat /usr/share/doc/valgrind/valgrind_manual.pdf.gz > {}",
            dir.join("fop.pdf").display()
        ))
        .status()
        .unwrap();
    assert!(
        fop.success(),
        "valgrind's manual (Debian package valgrind) is needed"
    );
    out.push((
        "fop.pdf".into(),
        "Apache FOP 2.6 (Debian's valgrind manual, 397 pages)",
    ));
    // The demo's letters: cairo through Debian's pycairo.
    let letters = dir.join("letters");
    run(Command::new("/usr/bin/python3")
        .arg(repo_root().join("scripts/demo_letters.py"))
        .arg(&letters));
    let letter = std::fs::read_dir(&letters)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .expect("a letter");
    std::fs::copy(&letter, dir.join("cairo.pdf")).unwrap();
    out.push(("cairo.pdf".into(), "cairo (scripts/demo_letters.py)"));
    run(Command::new("qpdf")
        .args(["--object-streams=generate"])
        .arg(&spec)
        .arg(dir.join("qpdf-objstm.pdf")));
    out.push(("qpdf-objstm.pdf".into(), "qpdf rewrite with object streams"));
    run(Command::new("qpdf")
        .args(["--linearize"])
        .arg(dir.join("cairo.pdf"))
        .arg(dir.join("qpdf-linear.pdf")));
    out.push(("qpdf-linear.pdf".into(), "qpdf linearised"));
    run(Command::new("qpdf")
        .args(["--rotate=+90:1"])
        .arg(dir.join("cairo.pdf"))
        .arg(dir.join("rotated.pdf")));
    out.push(("rotated.pdf".into(), "a page shown rotated 90°"));
    common::small_pdf::write_pdf(
        &dir.join("offset.pdf"),
        &[
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [200 300 795 1142] /Contents 4 0 R >>"
                .to_owned(),
            common::small_pdf::stream("BT /F1 12 Tf 272 1000 Td (Cong van) Tj ET"),
        ],
    );
    out.push(("offset.pdf".into(), "a MediaBox not at 0,0"));
    // LibreOffice Writer (Debian's libreoffice-writer-nogui), headless, its profile in `dir`.
    std::fs::write(
        dir.join("libreoffice.txt"),
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\nCông văn số 12/UBND\n",
    )
    .unwrap();
    run(Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.join("lo-profile").display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .arg(dir.join("libreoffice.txt")));
    out.push(("libreoffice.pdf".into(), "LibreOffice Writer"));
    // Ghostscript's pdfwrite re-distilling the cairo letter.
    run(Command::new("gs")
        .args([
            "-q",
            "-dNOPAUSE",
            "-dBATCH",
            "-dSAFER",
            "-sDEVICE=pdfwrite",
            "-o",
        ])
        .arg(dir.join("ghostscript.pdf"))
        .arg(dir.join("cairo.pdf")));
    out.push(("ghostscript.pdf".into(), "Ghostscript pdfwrite"));
    // reportlab (Debian's python3-reportlab), with an AcroForm: a text field and a checkbox.
    run(Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(REPORTLAB_FORM)
        .arg(dir.join("form.pdf")));
    out.push(("form.pdf".into(), "reportlab, with form fields"));
    out
}

/// A reportlab script writing a one-page form (argv[1]): a filled text field and a checkbox.
const REPORTLAB_FORM: &str = r#"
import sys
from reportlab.pdfgen import canvas
c = canvas.Canvas(sys.argv[1])
c.drawString(72, 780, "To khai - mau 01")
c.acroForm.textfield(name="hoten", value="Nguyen Van An", x=72, y=700, width=250, height=24)
c.acroForm.checkbox(name="dongy", x=72, y=650, checked=True)
c.showPage()
c.save()
"#;

#[test]
fn every_producer_signed_by_kyso_and_pyhanko_in_both_orders_validates() {
    let fx = Fixture::new();
    let dir = &fx.dir;
    pyhanko::make_signer(dir);
    let validate = |file: &str| pyhanko::validate(dir, file);
    let ph_sign = |input: &str, output: &str| pyhanko::sign(dir, input, output);
    let files = corpus(dir);
    // B-T: kyso timestamps at a local RFC 3161 authority (openssl ts behind loopback HTTP);
    // pyHanko validates the signature with its timestamp.
    let tsa = common::servers::Tsa::start(dir);
    assert_ok(&fx.sign("pades", "01", &["--tsa", &tsa.url(), "pdftex.pdf"]));
    std::fs::rename(dir.join("pdftex.signed.pdf"), dir.join("pdftex-bt.pdf")).unwrap();
    let report = validate("pdftex-bt.pdf");
    assert_eq!(pyhanko_ok(&report), [true], "B-T:\n{report}");
    assert!(
        report.contains("timestamp"),
        "pyHanko sees the signature timestamp:\n{report}"
    );
    for (name, producer) in files {
        let stem = name.trim_end_matches(".pdf").to_owned();
        // kyso (visible, B-B), then pyHanko
        assert_ok(&fx.sign("pades", "01", &["--visible", "1,30,30,220,64", &name]));
        let kyso_signed = format!("{stem}.signed.pdf");
        let check = Command::new("qpdf")
            .arg("--check")
            .arg(dir.join(&kyso_signed))
            .output()
            .unwrap();
        assert!(check.status.success(), "{producer}: {}", stdout(&check));
        let sig = Command::new("pdfsig")
            .arg(dir.join(&kyso_signed))
            .output()
            .unwrap();
        assert!(
            stdout(&sig).contains("Signature is Valid."),
            "{producer}: {}",
            stdout(&sig)
        );
        let both = format!("{stem}-k-ph.pdf");
        ph_sign(&kyso_signed, &both);
        let report = validate(&both);
        assert_eq!(
            pyhanko_ok(&report),
            [true, true],
            "{producer}, kyso then pyHanko:\n{report}"
        );
        let k = json(&fx.verify_json(&[&both]));
        assert_eq!(
            k[0]["status"], "valid",
            "{producer}: kyso's verdict on its own: {k:#}"
        );

        // pyHanko, then kyso (visible)
        let ph = format!("{stem}-ph.pdf");
        ph_sign(&name, &ph);
        assert_ok(&fx.sign("pades", "03", &["--visible", "1,300,30,220,64", &ph]));
        let then_kyso = format!("{stem}-ph.signed.pdf");
        let report = validate(&then_kyso);
        assert_eq!(
            pyhanko_ok(&report),
            [true, true],
            "{producer}, pyHanko then kyso:\n{report}"
        );
        let k = json(&fx.verify_json(&[&then_kyso]));
        assert_eq!(
            k[0]["later_changes"]["modifications"],
            serde_json::json!([]),
            "{producer}: kyso agrees pyHanko's signature was only countersigned: {k:#}"
        );
        assert_eq!(k[1]["status"], "valid", "{producer}: {k:#}");
        let _: PathBuf = dir.join(&then_kyso);
    }
}
