//! Hostile and broken inputs to `kyso sign` and `kyso verify`, each with the exact error it
//! gets: empty documents, signatures of other files or that are not signatures at all, PIN
//! files that cannot be read or hold no PIN (the token never sees a login), a disk that fills
//! up during a batch (only whole signatures are left), read-only outputs, and inputs that are
//! FIFOs or devices (refused at once, never waited on or read forever).
//!
//! Mounts (tmpfs, read-only bind mounts) need root, as the tests run in CI; each is undone by
//! a guard even when the test fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::mount::Mount;
use common::*;

const SPEC_PDF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/pdf/shared-mime-info-spec.pdf"
);

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The batch stopped, naming one of the failed writes (they finish out of order: the stop
/// names whichever failed first).
fn assert_stopped_by_one_of(report: &serde_json::Value, failed: &[(String, String)]) {
    assert!(
        failed
            .iter()
            .any(|(_, e)| report["stopped"].as_str() == Some(e.as_str())),
        "{report:#}"
    );
}

/// The `failed` entries of a sign report as (file, error).
fn failures(report: &serde_json::Value) -> Vec<(String, String)> {
    report["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["error"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The `signed` entries of a sign report as (file, signature).
fn signed(report: &serde_json::Value) -> Vec<(PathBuf, PathBuf)> {
    report["signed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                PathBuf::from(f["file"].as_str().unwrap()),
                PathBuf::from(f["signature"].as_str().unwrap()),
            )
        })
        .collect()
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Runs `cmd`, killing it if it has not ended within `limit` (a hang fails the test instead
/// of blocking the suite).
fn output_within(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "kyso still running after {limit:?}: killed\n{}\n{}",
                stdout(&out),
                stderr(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

// --- empty documents -------------------------------------------------------------------------

#[test]
fn empty_pdf_fails_alone_in_a_pades_batch() {
    let fx = Fixture::new();
    let dir = fx.path("pdfs");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(SPEC_PDF, dir.join("a.pdf")).unwrap();
    std::fs::write(dir.join("b-empty.pdf"), "").unwrap();
    std::fs::copy(SPEC_PDF, dir.join("c.pdf")).unwrap();
    let out = fx.sign_json("pades", "03", &[p(&dir)]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "partial failure: {}",
        stderr(&out)
    );
    let r = json(&out);
    let empty = dir.join("b-empty.pdf");
    assert_eq!(
        failures(&r),
        vec![(
            p(&empty).to_owned(),
            format!("{} is empty (0 bytes), not a PDF", empty.display())
        )]
    );
    assert_eq!(signed(&r).len(), 2, "{r:#}");
    assert_eq!(
        names_in(&dir),
        [
            "a.pdf",
            "a.signed.pdf",
            "b-empty.pdf",
            "c.pdf",
            "c.signed.pdf"
        ]
    );
    for name in ["a.signed.pdf", "c.signed.pdf"] {
        let v = fx.verify_json(&[p(&dir.join(name))]);
        assert_ok(&v);
    }
    // The text summary says the same (issue 22: the input is checked before the PIN, so
    // nothing signable means no login, and the file is named once).
    let out = fx.sign("pades", "03", &["pdfs/b-empty.pdf"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).ends_with(
            "0 signed, 0 skipped (already signed), 1 failed: nothing to sign, so no PIN was \
             asked\n  failed: pdfs/b-empty.pdf is empty (0 bytes), not a PDF\n"
        ),
        "{}",
        stderr(&out)
    );
}

/// An empty document is valid content for a detached signature: CMS and raw sign it, and
/// OpenSSL and kyso verify it.
#[test]
fn empty_document_signs_as_cms_and_raw() {
    let fx = Fixture::new();
    let empty = fx.path("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let out = fx.sign_json("cms", "03", &[p(&empty)]);
    assert_ok(&out);
    let p7s = fx.path("empty.txt.p7s");
    let (ok, err) = openssl_cms_verify(&fx, &empty, &p7s);
    assert!(ok, "openssl cms -verify -binary -content empty: {err}");
    let v = fx.verify_json(&[p(&p7s)]);
    assert_ok(&v);
    assert_eq!(json(&v)[0]["status"], "valid");

    let out = fx.sign_json("raw", "01", &[p(&empty)]);
    assert_ok(&out);
    assert!(openssl_verify(
        &fx.path("rsa2048.pub.pem"),
        "rsa-pkcs1-sha256",
        &empty,
        &fx.path("empty.txt.sig")
    ));
}

// --- signatures of other files, and files that are not signatures ----------------------------

const MISMATCH: &str = "its digest differs from the signed one (the file was changed after \
                        signing, or the signature is for another file)";

#[test]
fn signature_of_another_file_is_named_as_not_matching() {
    let fx = Fixture::new();
    std::fs::write(fx.path("a.txt"), "Quyết định số 1").unwrap();
    std::fs::write(fx.path("b.txt"), "Công văn số 2").unwrap();
    assert_ok(&fx.sign_json("cms", "03", &["a.txt"]));
    let verify = |args: &[&str]| fx.verify_text(args);

    // a.txt replaced by other content
    std::fs::copy(fx.path("b.txt"), fx.path("a.txt")).unwrap();
    let out = verify(&["a.txt.p7s"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!(
            "a.txt: INVALID\n  error      a.txt does not match the signature a.txt.p7s: {MISMATCH}\n"
        )),
        "{text}"
    );
    assert!(
        text.contains("  document   MODIFIED after signing\n"),
        "{text}"
    );
    let out = verify(&["--json", "a.txt"]);
    assert_eq!(out.status.code(), Some(1));
    let r = &json(&out)[0];
    assert_eq!(r["status"], "invalid");
    assert_eq!(
        r["error"],
        format!("a.txt does not match the signature a.txt.p7s: {MISMATCH}")
    );
    assert_eq!(r["signature"]["content_unmodified"], false);
    assert_eq!(r["signature"]["signature_valid"], true);

    // The signature given with another document.
    std::fs::write(fx.path("a.txt"), "Quyết định số 1").unwrap();
    let out = fx.verify_json(&["--content", "b.txt", "a.txt.p7s"]);
    assert_eq!(out.status.code(), Some(1));
    let r = &json(&out)[0];
    assert_eq!(r["file"], "b.txt");
    assert_eq!(r["signature_file"], "a.txt.p7s");
    assert_eq!(r["status"], "invalid");
    assert_eq!(
        r["error"],
        format!("b.txt does not match the signature a.txt.p7s: {MISMATCH}")
    );
    // ... and with its own, under another name.
    std::fs::copy(fx.path("a.txt"), fx.path("ban-sao.txt")).unwrap();
    let out = verify(&["--content", "ban-sao.txt", "a.txt.p7s"]);
    assert_ok(&out);
    assert!(stdout(&out).starts_with("ban-sao.txt: VALID\n"));
    // --content pairs with exactly one signature.
    let out = verify(&["--content", "a.txt", "a.txt.p7s", "b.txt.p7s"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "kyso: --content names the document of one signature; 2 files were given\n"
    );
}

#[test]
fn signature_files_that_are_not_cms_are_named() {
    let fx = Fixture::new();
    let ca = fx.path("ca.pem");
    let der_cert = Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(&ca)
        .output()
        .unwrap();
    assert_ok(&der_cert);
    let der_key = Command::new("openssl")
        .args(["pkey", "-pubin", "-outform", "DER", "-in"])
        .arg(fx.path("p256.pub.pem"))
        .output()
        .unwrap();
    assert_ok(&der_key);
    // Bytes that are no encoding of anything (fixed, so the message is too).
    let garbage: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 0x80)
        .collect();
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        (
            "random",
            garbage,
            "random.txt.p7s is not a CMS signature: not DER (a CMS signature starts with byte 0x30)"
                .into(),
        ),
        (
            "empty",
            Vec::new(),
            "empty.txt.p7s is empty (0 bytes), not a CMS signature".into(),
        ),
        (
            "pem",
            std::fs::read(&ca).unwrap(),
            "pem.txt.p7s is PEM text (-----BEGIN CERTIFICATE-----), not a CMS signature".into(),
        ),
        (
            "der-cert",
            der_cert.stdout,
            "der-cert.txt.p7s is an X.509 certificate, not a CMS signature".into(),
        ),
        (
            "pdf",
            std::fs::read(SPEC_PDF).unwrap(),
            "pdf.txt.p7s is a PDF, not a CMS signature (a signed PDF carries its signatures \
             inside: verify the PDF itself)"
                .into(),
        ),
        (
            // DER, but a public key: the decoder's words, after the file's name
            "der-key",
            der_key.stdout,
            "der-key.txt.p7s: not a CMS signature: ".into(),
        ),
    ];
    for (name, bytes, _) in &cases {
        std::fs::write(fx.path(&format!("{name}.txt")), "nội dung").unwrap();
        std::fs::write(fx.path(&format!("{name}.txt.p7s")), bytes).unwrap();
    }
    let sigs: Vec<String> = cases.iter().map(|(n, ..)| format!("{n}.txt.p7s")).collect();
    let out = fx.verify_json(&strs(&sigs));
    assert_eq!(out.status.code(), Some(1));
    let reports = json(&out);
    for ((name, _, error), r) in cases.iter().zip(reports.as_array().unwrap()) {
        assert_eq!(r["status"], "error", "{name}: {r:#}");
        assert_eq!(r["file"], format!("{name}.txt"));
        let got = r["error"].as_str().unwrap();
        if *name == "der-key" {
            assert!(got.starts_with(error.as_str()), "{name}: {got}");
        } else {
            assert_eq!(got, error, "{name}");
        }
    }
    // Text output: the verdict and the error.
    let out = fx.verify_text(&["pem.txt.p7s"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "pem.txt: ERROR\n  error      pem.txt.p7s is PEM text (-----BEGIN CERTIFICATE-----), not \
         a CMS signature\n"
    );
}

// --- PIN files --------------------------------------------------------------------------------

/// Signs with `--pin-file PIN_FILE` through pkcs11-spy; returns kyso's output and the number
/// of C_Login calls (after checking the token was really reached through the spy).
fn sign_with_pin_file(fx: &Fixture, pin_file: &str) -> (Output, usize) {
    std::fs::write(fx.path("a.txt"), "x").unwrap();
    let (out, log) = fx.run_spied(&[
        "sign",
        "--format",
        "raw",
        "--token",
        "kyso-test",
        "--key-id",
        "03",
        "--pin-file",
        pin_file,
        "a.txt",
    ]);
    assert!(spy_count(&log, "C_GetTokenInfo") > 0, "the spy saw kyso");
    (out, spy_count(&log, "C_Login"))
}

#[test]
fn unusable_pin_files_never_reach_the_token() {
    let fx = Fixture::new();
    std::fs::create_dir_all(fx.path("pin-dir")).unwrap();
    std::fs::write(fx.path("pin-empty"), "").unwrap();
    std::fs::write(fx.path("pin-blank-line"), format!("\n{PIN}\n")).unwrap();
    // 1 MiB with no line end and not UTF-8, the PIN among the bytes.
    let mut garbage = Vec::new();
    while garbage.len() < 1 << 20 {
        garbage.extend_from_slice(b"\xff\xfe");
        garbage.extend_from_slice(PIN.as_bytes());
    }
    std::fs::write(fx.path("pin-garbage"), &garbage).unwrap();
    std::fs::write(fx.path("pin-latin1"), b"12345\xe9\n").unwrap();
    let cases = [
        (
            "pin-missing",
            "kyso: cannot read PIN file pin-missing: No such file or directory (os error 2)",
        ),
        (
            "pin-dir",
            "kyso: PIN file pin-dir is a directory, not a file",
        ),
        (
            "pin-empty",
            "kyso: invalid PIN: PIN file pin-empty is empty",
        ),
        (
            "pin-blank-line",
            "kyso: invalid PIN: the first line of PIN file pin-blank-line is empty",
        ),
        (
            "pin-garbage",
            "kyso: invalid PIN: the first line of PIN file pin-garbage is longer than 1024 bytes: \
             not a PIN",
        ),
        (
            "pin-latin1",
            "kyso: invalid PIN: the first line of PIN file pin-latin1 is not UTF-8 text",
        ),
        (
            "/dev/zero",
            "kyso: invalid PIN: the first line of PIN file /dev/zero is longer than 1024 bytes: \
             not a PIN",
        ),
    ];
    for (file, error) in cases {
        let (out, logins) = sign_with_pin_file(&fx, file);
        assert_eq!(out.status.code(), Some(2), "{file}");
        assert_eq!(stderr(&out), format!("{error}\n"), "{file}");
        assert_eq!(stdout(&out), "", "{file}");
        assert_eq!(logins, 0, "{file}: no login");
        assert!(!fx.path("a.txt.sig").exists(), "{file}");
    }
}

/// Mode 000 stops everyone but root: the case runs as `nobody` (setpriv), with a copy of the
/// token that user owns. A readable PIN file signs first, so the refusal is the PIN file's.
#[test]
fn pin_file_mode_000_as_an_unprivileged_user() {
    use std::os::unix::fs::PermissionsExt;
    let fx = Fixture::new();
    // The fixture lives in a 0700 temporary directory: open the way to it for nobody.
    let top = fx.dir.parent().unwrap();
    std::fs::set_permissions(top, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(fx.path("a.txt"), "x").unwrap();
    std::fs::write(fx.path("pin-ok"), PIN).unwrap();
    std::fs::set_permissions(fx.path("pin-ok"), std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(fx.path("pin-000"), PIN).unwrap();
    assert_ok(
        &Command::new("chown")
            .args(["-R", "65534:65534"])
            .arg(&fx.dir)
            .output()
            .unwrap(),
    );
    std::fs::set_permissions(fx.path("pin-000"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let as_nobody = |args: &[&str]| -> Command {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
        c.args(args);
        c.env("SOFTHSM2_CONF", &fx.conf)
            .env("HOME", &fx.dir)
            .env_remove("KYSO_CONFIG")
            .env("XDG_CONFIG_HOME", fx.path("no-config"))
            .current_dir(&fx.dir);
        c
    };
    // The build's binary, or a copy where nobody can reach it (a checkout under /root).
    let mut kyso = kyso_bin();
    if !as_nobody(&["test", "-x", p(&kyso)])
        .status()
        .unwrap()
        .success()
    {
        let copy = top.join("kyso");
        std::fs::copy(&kyso, &copy).unwrap();
        kyso = copy;
    }
    let sign = |pin_file: &str| -> (Output, usize) {
        let log = fx.path(&format!("spy-{pin_file}.log"));
        let out = as_nobody(&[p(&kyso), "--module", SPY])
            .env("PKCS11SPY", SOFTHSM)
            .env("PKCS11SPY_OUTPUT", &log)
            .args([
                "sign",
                "--format",
                "raw",
                "--token",
                "kyso-test",
                "--key-id",
                "03",
                "--pin-file",
                pin_file,
                "a.txt",
            ])
            .output()
            .unwrap();
        assert!(spy_count(&log, "C_GetTokenInfo") > 0, "the spy saw kyso");
        (out, spy_count(&log, "C_Login"))
    };
    let (out, logins) = sign("pin-ok");
    assert_ok(&out);
    assert_eq!(logins, 1);
    std::fs::remove_file(fx.path("a.txt.sig")).unwrap();
    let (out, logins) = sign("pin-000");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "kyso: cannot read PIN file pin-000: Permission denied (os error 13)\n"
    );
    assert_eq!(logins, 0);
    assert!(!fx.path("a.txt.sig").exists());
}

// --- full and read-only disks -----------------------------------------------------------------

/// Every file in `dir` other than `keep` is one of `signed`'s outputs, and accepted by
/// `openssl cms -verify`.
fn only_whole_cms_signatures(fx: &Fixture, dir: &Path, signed: &[(PathBuf, PathBuf)], keep: &str) {
    let mut expected: Vec<String> = signed
        .iter()
        .map(|(_, s)| s.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    expected.push(keep.to_owned());
    expected.sort();
    assert_eq!(names_in(dir), expected, "no partial or temporary file");
    for (file, sig) in signed {
        let (ok, err) = openssl_cms_verify(fx, file, sig);
        assert!(ok, "{}: {err}", sig.display());
    }
}

#[test]
fn full_disk_during_a_cms_batch_leaves_only_whole_signatures() {
    let fx = Fixture::new();
    let inbox = fx.path("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    for i in 0..40 {
        std::fs::write(
            inbox.join(format!("cv-{i:02}.txt")),
            format!("Công văn {i}\n"),
        )
        .unwrap();
    }
    std::fs::write(fx.path("old.txt"), "signed before").unwrap();
    let out_dir = fx.path("out");
    // 40 KiB: ten 4 KiB pages, one per signature (each about 700 bytes).
    let _disk = Mount::tmpfs(&out_dir, "40k");
    assert_ok(&fx.sign_json("cms", "03", &["--out-dir", p(&out_dir), "old.txt"]));
    let old = std::fs::read(out_dir.join("old.txt.p7s")).unwrap();

    let out = fx.sign_json("cms", "03", &["--out-dir", p(&out_dir), p(&inbox)]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "partial failure: {}",
        stderr(&out)
    );
    let r = json(&out);
    let ok = signed(&r);
    let failed = failures(&r);
    let pending = r["pending"].as_array().unwrap().len();
    assert!(!ok.is_empty() && !failed.is_empty(), "{r:#}");
    assert_eq!(ok.len() + failed.len() + pending, 40, "{r:#}");
    // The first full write stops the batch: the token is not asked for signatures that
    // cannot be kept (those already signed while it was being written fail the same way).
    assert!(pending > 0, "{r:#}");
    assert_stopped_by_one_of(&r, &failed);
    for (file, error) in &failed {
        let name = Path::new(file).file_name().unwrap().to_string_lossy();
        assert_eq!(
            error,
            &format!(
                "{}: No space left on device (os error 28)",
                out_dir.join(format!("{name}.p7s")).display()
            )
        );
    }
    assert_eq!(std::fs::read(out_dir.join("old.txt.p7s")).unwrap(), old);
    only_whole_cms_signatures(&fx, &out_dir, &ok, "old.txt.p7s");
}

#[test]
fn full_disk_during_a_pades_batch_leaves_only_whole_pdfs() {
    let fx = Fixture::new();
    let inbox = fx.path("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    for i in 0..3 {
        std::fs::copy(SPEC_PDF, inbox.join(format!("to-trinh-{i}.pdf"))).unwrap();
    }
    let out_dir = fx.path("out");
    // One signed copy (about 150 KB) fits, a second does not.
    let _disk = Mount::tmpfs(&out_dir, "200k");
    let out = fx.sign_json("pades", "03", &["--out-dir", p(&out_dir), p(&inbox)]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "partial failure: {}",
        stderr(&out)
    );
    let r = json(&out);
    let ok = signed(&r);
    let failed = failures(&r);
    // One signed copy fits; two writers at once may share the space so that neither does.
    assert!(ok.len() <= 1, "{r:#}");
    // the first full write stops the batch; the third PDF may have been signed meanwhile
    let pending = r["pending"].as_array().unwrap().len();
    assert!(
        !failed.is_empty() && failed.len() + pending + ok.len() == 3,
        "{r:#}"
    );
    assert_stopped_by_one_of(&r, &failed);
    for (file, error) in &failed {
        let stem = Path::new(file).file_stem().unwrap().to_string_lossy();
        assert_eq!(
            error,
            &format!(
                "{}: No space left on device (os error 28)",
                out_dir.join(format!("{stem}.signed.pdf")).display()
            )
        );
    }
    let whole: Vec<_> = ok
        .iter()
        .map(|(_, w)| w.file_name().unwrap().to_string_lossy())
        .collect();
    assert_eq!(names_in(&out_dir), whole, "no partial or temporary file");
    for (_, written) in &ok {
        assert_ok(
            &Command::new("qpdf")
                .arg("--check")
                .arg(written)
                .output()
                .unwrap(),
        );
        let v = fx.verify_json(&[p(written)]);
        assert_ok(&v);
        assert_eq!(json(&v)[0]["covers_whole_document"], true);
    }
}

#[test]
fn read_only_outputs_are_refused_with_the_reason() {
    let fx = Fixture::new();
    std::fs::write(fx.path("a.txt"), "Tờ trình").unwrap();
    // --out-dir on a read-only file system: refused before the PIN is read.
    let out_dir = fx.path("out");
    let disk = Mount::tmpfs(&out_dir, "1m");
    disk.remount_read_only();
    let (out, log) = fx.run_spied(&strs(&fx.sign_args(
        "cms",
        "03",
        &["--out-dir", "out", "a.txt"],
    )));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "kyso: --out-dir out is not writable: Read-only file system (os error 30)\n"
    );
    assert_eq!(spy_count(&log, "C_Login"), 0);
    assert!(names_in(&out_dir).is_empty());

    // Signatures beside inputs on a read-only file system: the batch stops, saying why.
    let docs = fx.path("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("a.txt"), "a").unwrap();
    std::fs::write(docs.join("b.txt"), "b").unwrap();
    let _ro = Mount::read_only_bind(&docs, &fx.path("ro"));
    let out = fx.sign_json("cms", "03", &["ro/a.txt", "ro/b.txt"]);
    assert_eq!(out.status.code(), Some(1));
    let r = json(&out);
    let erofs = |f: &str| format!("{f}.p7s: Read-only file system (os error 30)");
    // The first refused write stops the batch; b.txt was either signed meanwhile (and refused
    // the same way) or never attempted.
    let failed = failures(&r);
    assert_eq!(
        failed[0],
        ("ro/a.txt".to_owned(), erofs("ro/a.txt")),
        "{r:#}"
    );
    assert_stopped_by_one_of(&r, &failed);
    match &failed[1..] {
        [] => assert_eq!(r["pending"], serde_json::json!(["ro/b.txt"]), "{r:#}"),
        [b] => assert_eq!(b, &("ro/b.txt".to_owned(), erofs("ro/b.txt")), "{r:#}"),
        more => panic!("{more:?}"),
    }
    assert_eq!(names_in(&docs), ["a.txt", "b.txt"]);
}

// --- FIFOs, devices ---------------------------------------------------------------------------

const NOT_REGULAR: &str =
    "not a regular file: kyso reads documents and signatures from regular files only";

#[test]
fn fifo_and_device_inputs_fail_at_once() {
    let fx = Fixture::new();
    assert_ok(
        &Command::new("mkfifo")
            .arg(fx.path("fifo"))
            .output()
            .unwrap(),
    );
    std::fs::write(fx.path("a.txt"), "Thông báo").unwrap();
    std::fs::copy(SPEC_PDF, fx.path("a.pdf")).unwrap();
    for (format, key, good) in [
        ("cms", "03", "a.txt"),
        ("raw", "03", "a.txt"),
        ("pades", "03", "a.pdf"),
    ] {
        let mut c = fx.kyso();
        c.args(["--module", SOFTHSM, "--json"]).args(fx.sign_args(
            format,
            key,
            &["fifo", "/dev/zero", good],
        ));
        let out = output_within(c, Duration::from_secs(60));
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        let r = json(&out);
        assert_eq!(
            failures(&r),
            vec![
                (
                    "fifo".to_owned(),
                    format!("fifo is a FIFO (named pipe), {NOT_REGULAR}")
                ),
                (
                    "/dev/zero".to_owned(),
                    format!("/dev/zero is a character device, {NOT_REGULAR}")
                ),
            ],
            "{format}"
        );
        assert_eq!(signed(&r).len(), 1, "{format}: {r:#}");
    }
    // kyso verify: the document or the signature a FIFO or a device.
    assert_ok(&fx.sign_json("cms", "03", &["a.txt"]));
    for (args, error) in [
        (
            vec!["--content", "fifo", "a.txt.p7s"],
            format!("fifo is a FIFO (named pipe), {NOT_REGULAR}"),
        ),
        (
            vec!["--content", "/dev/zero", "a.txt.p7s"],
            format!("/dev/zero is a character device, {NOT_REGULAR}"),
        ),
        (
            vec!["--content", "a.txt", "fifo"],
            format!("fifo is a FIFO (named pipe), {NOT_REGULAR}"),
        ),
    ] {
        let mut c = fx.kyso();
        c.args(["--json", "verify", "--offline"]).args(&args);
        let out = output_within(c, Duration::from_secs(30));
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let r = &json(&out)[0];
        assert_eq!(r["status"], "error", "{args:?}");
        assert_eq!(r["error"], error, "{args:?}");
    }
    // A FIFO named as a signed PDF is not opened to look for a PDF header.
    let mut c = fx.kyso();
    c.args(["--json", "verify", "--offline", "fifo"]);
    let out = output_within(c, Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(1));
    // (issue 22: a missing signature says "not found", not the OS's "No such file")
    assert!(
        json(&out)[0]["error"]
            .as_str()
            .unwrap()
            .starts_with("fifo: no signature found: fifo.p7s not found"),
        "{}",
        json(&out)[0]["error"]
    );
}

// --- one output per file ------------------------------------------------------------------------

/// A file named twice is signed once; two files that would write the same output are refused
/// before the token is asked for anything (the second signature would replace the first).
#[test]
fn colliding_outputs_are_refused_and_a_repeated_file_is_signed_once() {
    let fx = Fixture::new();
    std::fs::write(fx.path("a.txt"), "Công văn").unwrap();
    let out = fx.sign_json("cms", "03", &["a.txt", "./a.txt", p(&fx.path("a.txt"))]);
    assert_ok(&out);
    let r = json(&out);
    assert_eq!(signed(&r).len(), 1, "{r:#}");
    assert!(failures(&r).is_empty(), "{r:#}");

    for d in ["x", "y"] {
        std::fs::create_dir_all(fx.path(d)).unwrap();
        std::fs::write(fx.path(d).join("qd.txt"), d).unwrap();
    }
    std::fs::create_dir_all(fx.path("out")).unwrap();
    let pin = fx.pin_file(PIN);
    let (out, log) = fx.run_spied(&[
        "sign",
        "--format",
        "cms",
        "--key-id",
        "03",
        "--pin-file",
        p(&pin),
        "--out-dir",
        "out",
        "x/qd.txt",
        "y/qd.txt",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let dir = std::fs::canonicalize(fx.path("")).unwrap();
    assert_eq!(
        stderr(&out).trim_end(),
        format!(
            "kyso: {} and {} would both be signed to out/qd.txt.p7s: sign them \
             into different --out-dir directories",
            dir.join("x/qd.txt").display(),
            dir.join("y/qd.txt").display()
        )
    );
    assert_eq!(spy_count(&log, "C_Login"), 0);
    assert_eq!(std::fs::read_dir(fx.path("out")).unwrap().count(), 0);
}
