//! PDFs whose objects live in object streams and whose cross-reference data is a stream (what
//! qpdf, LibreOffice and most modern producers write) are signed by the object-by-object
//! reader, never by the whole-document one: constant memory whatever the file's size. Checked
//! with qpdf and pdfsig. Objects an update rewrites (the page that gets the signature's
//! widget) keep their numbers exactly as written.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Command;

use common::*;

/// A PDF of `pages` pages, each with a content stream of `content` bytes of incompressible
/// text, rewritten by qpdf with object streams and a cross-reference stream.
fn object_stream_pdf(dir: &Path, name: &str, pages: usize, content: usize) -> std::path::PathBuf {
    let plain = dir.join(format!("{name}.plain.pdf"));
    let mut out: Vec<u8> = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    let mut obj = |out: &mut Vec<u8>, body: &[u8]| {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    obj(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>");
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 3 + i * 2)).collect();
    obj(
        &mut out,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} >>",
            kids.join(" ")
        )
        .as_bytes(),
    );
    let mut seed = 7u64;
    for i in 0..pages {
        obj(
            &mut out,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.303937007874 841.889763779528] /Contents {} 0 R >>",
                4 + i * 2
            )
            .as_bytes(),
        );
        let mut text = format!("BT /F1 12 Tf 72 720 Td (Trang {i}) Tj ET\n%").into_bytes();
        while text.len() < content {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            text.push(b'a' + (seed >> 59) as u8 % 26);
        }
        let mut body = format!("<< /Length {} >>\nstream\n", text.len()).into_bytes();
        body.extend_from_slice(&text);
        body.extend_from_slice(b"\nendstream");
        obj(&mut out, &body);
    }
    let xref = out.len();
    write!(out, "xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).unwrap();
    for o in &offsets {
        writeln!(out, "{o:010} 00000 n ").unwrap();
    }
    write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        offsets.len() + 1
    )
    .unwrap();
    std::fs::write(&plain, out).unwrap();
    let pdf = dir.join(format!("{name}.pdf"));
    let st = Command::new("qpdf")
        .args(["--object-streams=generate", "--compress-streams=n"])
        .arg(&plain)
        .arg(&pdf)
        .status()
        .unwrap();
    assert!(st.success());
    pdf
}

#[test]
fn object_stream_pdfs_are_read_object_by_object_in_constant_memory() {
    let fx = Fixture::new();
    // 3,000 pages: the object streams and the cross-reference stream are far larger than the
    // first window the reader tries; 600 pages of 100 KB: a 60 MB file.
    let many = object_stream_pdf(&fx.dir, "many-objects", 3000, 40);
    let big = object_stream_pdf(&fx.dir, "big", 600, 100_000);
    assert!(std::fs::metadata(&big).unwrap().len() > 60_000_000);
    for pdf in [&many, &big] {
        let mut args = fx.sign_args("pades", "01", &[pdf.to_str().unwrap()]);
        args.insert(0, "-v".into());
        let out = Command::new("/usr/bin/time")
            .args(["-f", "peak %M KB"])
            .arg(kyso_bin())
            .env("SOFTHSM2_CONF", &fx.conf)
            .env("KYSO_LOG_LEVEL", "kyso=debug")
            .env_remove("KYSO_CONFIG")
            .current_dir(&fx.dir)
            .arg("--module")
            .arg(SOFTHSM)
            .args(&args)
            .output()
            .unwrap();
        assert_ok(&out);
        let err = stderr(&out);
        assert!(!err.contains("reading the whole PDF"), "fell back: {err}");
        let peak: u64 = err
            .lines()
            .find_map(|l| l.strip_prefix("peak "))
            .and_then(|l| l.trim_end_matches(" KB").parse().ok())
            .expect("peak RSS");
        assert!(peak < 64 * 1024, "{}: peak RSS {peak} KB", pdf.display());
        let signed = pdf.with_extension("signed.pdf");
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
    // The 60 MB file passed on: pyHanko countersigns kyso's output and judges both valid,
    // with only signing after kyso's signature.
    common::pyhanko::make_signer(&fx.dir);
    common::pyhanko::sign(&fx.dir, "big.signed.pdf", "big-ph.pdf");
    let report = common::pyhanko::validate(&fx.dir, "big-ph.pdf");
    assert_eq!(
        common::pyhanko::fields_ok(&report),
        [true, true],
        "pyHanko on the 60 MB file:\n{report}"
    );
}

/// qpdf's text of object `id` of `pdf`.
fn qpdf_object(pdf: &Path, id: u32) -> String {
    let out = Command::new("qpdf")
        .arg(format!("--show-object={id}"))
        .arg(pdf)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

/// The page gains `/Annots` in the update; its `/MediaBox` (LibreOffice writes
/// `595.303937007874`) is written back digit for digit, from a classic file and from an
/// object stream alike (an `f32` round trip gave `595.30396`, which validators such as pyHanko
/// report as a change to an earlier signature's page).
#[test]
fn rewritten_objects_keep_their_numbers_as_written() {
    let fx = Fixture::new();
    let objstm = object_stream_pdf(&fx.dir, "letter", 2, 100);
    let plain = fx.dir.join("letter.plain.pdf");
    for pdf in [&plain, &objstm] {
        assert_ok(&fx.sign("pades", "01", &[pdf.to_str().unwrap()]));
        let signed = pdf.with_extension("signed.pdf");
        // the first page: the object the page tree's first kid names
        let page_id = if pdf == &plain { 3 } else { first_page(pdf) };
        let before = qpdf_object(pdf, page_id);
        let after = qpdf_object(&signed, page_id);
        assert!(after.contains("/Annots"), "{after}");
        let media = |t: &str| {
            t[t.find("/MediaBox").unwrap()..]
                .split(']')
                .next()
                .unwrap()
                .to_owned()
        };
        assert_eq!(media(&after), media(&before));
        assert!(media(&after).contains("595.303937007874"), "{after}");
        let tail = std::fs::read(&signed).unwrap();
        let update =
            String::from_utf8_lossy(&tail[std::fs::metadata(pdf).unwrap().len() as usize..])
                .into_owned();
        assert!(
            update.contains("595.303937007874 841.889763779528"),
            "{update}"
        );
    }
}

/// The object number of the first page of `pdf`, as qpdf sees it.
fn first_page(pdf: &Path) -> u32 {
    let out = Command::new("qpdf")
        .arg("--show-pages")
        .arg(pdf)
        .output()
        .unwrap();
    let text = stdout(&out);
    let line = text.lines().find(|l| l.starts_with("page 1:")).unwrap();
    line.split_whitespace().nth(2).unwrap().parse().unwrap()
}
