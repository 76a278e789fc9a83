//! Batch signing through SoftHSM: one login for hundreds of files, directories, resuming with
//! `--skip-existing`, bad inputs failing alone, atomic outputs, JSON summaries.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn cms_ok(fx: &Fixture, content: &Path, p7s: &Path) -> bool {
    openssl_cms_verify(fx, content, p7s).0
}

fn make_files(dir: &Path, n: usize) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    (0..n)
        .map(|i| {
            let p = dir.join(format!("van-ban-{i:03}.txt"));
            std::fs::write(&p, format!("Văn bản số {i}\n").repeat(1 + i * 37)).unwrap();
            p
        })
        .collect()
}

/// `--json sign --format cms` with key 03 and the fixture PIN, then `extra`.
fn sign_args(fx: &Fixture, extra: &[&str]) -> Vec<String> {
    let mut v = vec!["--json".to_owned()];
    v.extend(fx.sign_args("cms", "03", extra));
    v
}

#[test]
fn two_hundred_files_one_login_all_verify() {
    let fx = Fixture::new();
    let files = make_files(&fx.path("outbox"), 200);
    let outbox = fx.path("outbox");
    let args = sign_args(&fx, &[outbox.to_str().unwrap()]);
    let (out, log) = fx.run_spied(&strs(&args));
    assert_ok(&out);
    let report = json(&out);
    assert_eq!(report["signed"].as_array().unwrap().len(), 200);
    assert_eq!(report["failed"].as_array().unwrap().len(), 0);
    assert_eq!(report["stopped"], serde_json::Value::Null);
    assert_eq!(spy_count(&log, "C_Login"), 1, "one login for 200 files");
    assert_eq!(spy_count(&log, "C_SignInit"), 200);
    assert!(spy_count(&log, "C_OpenSession") <= 3);
    assert!(
        !stderr(&out).contains('█'),
        "no progress bar when stderr is not a terminal"
    );
    for f in files.iter().step_by(7) {
        let sig = PathBuf::from(format!("{}.p7s", f.display()));
        assert!(cms_ok(&fx, f, &sig), "{}", sig.display());
    }
    // nothing but the inputs and their signatures: no temporary file left behind
    let names: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 400, "{names:?}");
}

#[test]
fn recursive_directories_and_skip_existing_resume() {
    let fx = Fixture::new();
    let root = fx.path("hoso");
    make_files(&root, 3);
    make_files(&root.join("2025").join("thang-01"), 4);
    make_files(&root.join("2026"), 2);

    // Without --recursive only the top directory's files are signed.
    let args = sign_args(&fx, &[root.to_str().unwrap()]);
    let out = fx.run(&strs(&args));
    assert_ok(&out);
    assert_eq!(json(&out)["signed"].as_array().unwrap().len(), 3);

    // Recursive with --skip-existing: the 3 are skipped, the 6 below are signed, and the
    // signatures written by the first run are not listed as inputs.
    let first = std::fs::read(root.join("van-ban-000.txt.p7s")).unwrap();
    let args = sign_args(
        &fx,
        &["--recursive", "--skip-existing", root.to_str().unwrap()],
    );
    let (out, log) = fx.run_spied(&strs(&args));
    assert_ok(&out);
    let report = json(&out);
    assert_eq!(report["skipped"].as_array().unwrap().len(), 3, "{report:#}");
    assert_eq!(report["signed"].as_array().unwrap().len(), 6, "{report:#}");
    assert_eq!(spy_count(&log, "C_SignInit"), 6);
    assert_eq!(
        std::fs::read(root.join("van-ban-000.txt.p7s")).unwrap(),
        first
    );
    let deep = root.join("2025/thang-01/van-ban-003.txt");
    assert!(cms_ok(
        &fx,
        &deep,
        &PathBuf::from(format!("{}.p7s", deep.display()))
    ));
}

/// A batch killed in the middle leaves only whole signatures; `--skip-existing` finishes it.
#[test]
fn interrupted_batch_resumes_with_skip_existing() {
    let fx = Fixture::new();
    let dir = fx.path("big");
    std::fs::create_dir_all(&dir).unwrap();
    // Large enough that the batch takes a while to hash.
    let chunk = "Nghị định 23/2025/NĐ-CP ".repeat(40_000);
    for i in 0..60 {
        std::fs::write(dir.join(format!("f{i:02}.txt")), format!("{i}{chunk}")).unwrap();
    }
    let args = sign_args(&fx, &[dir.to_str().unwrap()]);
    let mut child = fx
        .kyso()
        .arg("--module")
        .arg(SOFTHSM)
        .args(&args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once some signatures exist.
    let start = std::time::Instant::now();
    loop {
        let n = std::fs::read_dir(&dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".p7s")
            })
            .count();
        if n >= 5 || start.elapsed().as_secs() > 60 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let done: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".p7s"))
        .collect();
    assert!(!done.is_empty());
    for sig in &done {
        let content = PathBuf::from(sig.to_string_lossy().trim_end_matches(".p7s"));
        assert!(
            cms_ok(&fx, &content, sig),
            "partial signature {}",
            sig.display()
        );
    }
    let out = fx.run(&strs(&sign_args(
        &fx,
        &["--skip-existing", dir.to_str().unwrap()],
    )));
    assert_ok(&out);
    let report = json(&out);
    let skipped = report["skipped"].as_array().unwrap().len();
    let signed = report["signed"].as_array().unwrap().len();
    assert_eq!(skipped, done.len(), "{report:#}");
    assert_eq!(skipped + signed, 60);
    for i in 0..60 {
        let f = dir.join(format!("f{i:02}.txt"));
        assert!(cms_ok(
            &fx,
            &f,
            &PathBuf::from(format!("{}.p7s", f.display()))
        ));
    }
}

#[test]
fn unreadable_file_in_the_middle_is_reported_and_the_rest_signed() {
    let fx = Fixture::new();
    let dir = fx.path("mixed");
    let files = make_files(&dir, 10);
    // a dangling symlink cannot be opened, even by root
    std::os::unix::fs::symlink(fx.path("gone.txt"), dir.join("van-ban-004b.txt")).unwrap();
    let args = sign_args(&fx, &[dir.to_str().unwrap()]);
    let out = fx.run(&strs(&args));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["signed"].as_array().unwrap().len(), 10);
    let failed = report["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1);
    assert!(failed[0]["file"]
        .as_str()
        .unwrap()
        .ends_with("van-ban-004b.txt"));
    assert!(
        failed[0]["error"]
            .as_str()
            .unwrap()
            .contains("No such file"),
        "{failed:?}"
    );
    assert!(!dir.join("van-ban-004b.txt.p7s").exists());
    for f in &files {
        assert!(cms_ok(
            &fx,
            f,
            &PathBuf::from(format!("{}.p7s", f.display()))
        ));
    }
    // text summary names the failure
    let out = fx.run(&strs(&args[1..]));
    assert!(
        stderr(&out).contains("10 signed, 0 skipped (already signed), 1 failed"),
        "{}",
        stderr(&out)
    );
}

/// A batch sign under valgrind — CMS over files from a few bytes to a few MB, then PAdES on a
/// real PDF — with one login: no invalid reads or writes, no uninitialised values, no definite
/// leaks (SoftHSM and OpenSSL included; no suppressions).
#[test]
fn batch_sign_is_clean_under_valgrind() {
    let fx = Fixture::new();
    let dir = fx.path("batch");
    let mut files = make_files(&dir, 6);
    let big = dir.join("so-dang-ky.bin");
    std::fs::write(&big, vec![0x5a; 3 << 20]).unwrap();
    files.push(big);
    let pdf = fx.path("bao-cao.pdf");
    std::fs::copy(
        repo_root().join("tests/fixtures/pdf/shared-mime-info-spec.pdf"),
        &pdf,
    )
    .unwrap();
    for (format, key, inputs) in [
        ("cms", "03", vec![dir.clone()]),
        ("pades", "01", vec![pdf.clone()]),
    ] {
        let out = Command::new("valgrind")
            .args([
                "--leak-check=full",
                "--errors-for-leak-kinds=definite",
                "--error-exitcode=99",
            ])
            .arg(kyso_bin())
            .arg("--module")
            .arg(SOFTHSM)
            .args(fx.sign_args(format, key, &[]))
            .args(&inputs)
            .env("SOFTHSM2_CONF", &fx.conf)
            .env_remove("KYSO_CONFIG")
            .env("XDG_CONFIG_HOME", fx.path("no-config"))
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_ne!(out.status.code(), Some(99), "valgrind: {err}");
        assert_ok(&out);
        assert!(err.contains("ERROR SUMMARY: 0 errors"), "{err}");
        assert!(
            err.contains("definitely lost: 0 bytes") || err.contains("All heap blocks were freed"),
            "{err}"
        );
    }
    for f in &files {
        assert!(cms_ok(
            &fx,
            f,
            &PathBuf::from(format!("{}.p7s", f.display()))
        ));
    }
    assert!(fx.path("bao-cao.signed.pdf").exists());
}
