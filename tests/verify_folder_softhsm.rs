//! `kyso verify` as an official handed a folder uses it (issue 22): every signed document in a
//! directory verified, a one-line count at the end, a missing file said "not found", and a
//! help text without stray lines.

mod common;

use std::path::PathBuf;

use common::{assert_ok, json, repo_root, stdout, Fixture};

fn sample_pdf() -> PathBuf {
    repo_root().join("tests/fixtures/pdf/shared-mime-info-spec.pdf")
}

// --- item 10: verify a folder -----------------------------------------------------------------

#[test]
fn verify_a_directory_counts_every_signed_document() {
    let fx = Fixture::new();
    let dir = fx.path("inbox");
    std::fs::create_dir(&dir).unwrap();
    for i in 0..3 {
        std::fs::write(dir.join(format!("cv-{i}.txt")), format!("Công văn {i}")).unwrap();
    }
    std::fs::copy(sample_pdf(), dir.join("qd.pdf")).unwrap();
    // Four detached signatures (qd.pdf.p7s among them) and one signed PDF.
    assert_ok(&fx.sign("cms", "03", &["inbox"]));
    assert_ok(&fx.sign("pades", "03", &["inbox/qd.pdf"]));
    let out = fx.verify_text(&["inbox"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("inbox/qd.signed.pdf [Signature1]: VALID\n"),
        "{text}"
    );
    assert!(
        text.ends_with("\n5 valid, 0 invalid, 0 not trusted\n"),
        "{text}"
    );
    let out = fx.verify_json(&["inbox"]);
    assert_eq!(json(&out).as_array().unwrap().len(), 5);
    // One that does not verify is counted as such.
    std::fs::write(dir.join("cv-1.txt"), "Công văn đã sửa").unwrap();
    let out = fx.verify_text(&["inbox"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).ends_with("\n4 valid, 1 invalid, 0 not trusted\n"),
        "{}",
        stdout(&out)
    );

    // A file that is not there is "not found", not a missing .p7s.
    let out = fx.verify_text(&["nothere.pdf"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("nothere.pdf: not found") && !stdout(&out).contains(".p7s"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn verify_help_has_no_stray_backslash() {
    let fx = Fixture::new();
    let out = fx.run(&["verify", "--help"]);
    assert_ok(&out);
    assert!(
        !stdout(&out).lines().any(|l| l.trim() == "\\"),
        "{}",
        stdout(&out)
    );
}

/// A signed PDF with bytes appended is INVALID, and its report does not also say "document
/// unmodified" (issue 22, item 11).
#[test]
fn a_pdf_with_appended_bytes_is_not_called_unmodified() {
    let fx = Fixture::new();
    std::fs::copy(sample_pdf(), fx.path("qd.pdf")).unwrap();
    assert_ok(&fx.sign("pades", "03", &["qd.pdf"]));
    let signed = fx.path("qd.signed.pdf");
    let mut bytes = std::fs::read(&signed).unwrap();
    bytes.extend_from_slice(b"\n% appended\n");
    std::fs::write(&signed, bytes).unwrap();
    let out = fx.verify_text(&["qd.signed.pdf"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains(": INVALID"), "{text}");
    assert!(!text.contains("document   unmodified"), "{text}");
    assert!(
        text.contains("document   MODIFIED after signing: bytes were added"),
        "{text}"
    );
}

/// Times in the text report are Vietnam time with the offset, as on the stamp (issue 22,
/// item 11); JSON keeps RFC 3339 UTC for scripts.
#[test]
fn signing_times_are_shown_in_vietnam_time() {
    let fx = Fixture::new();
    std::fs::write(fx.path("a.txt"), "Công văn").unwrap();
    assert_ok(&fx.sign("cms", "03", &["a.txt"]));
    let out = fx.verify_text(&["a.txt"]);
    assert_ok(&out);
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.starts_with("  signed at  "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains(" (UTC+7) (claimed by the signer"), "{line}");
    assert!(!line.contains('Z'), "{line}");
    let v = json(&fx.verify_json(&["a.txt"]));
    assert!(v[0]["signature"]["signing_time"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
}
