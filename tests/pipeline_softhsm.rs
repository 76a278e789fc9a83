//! The library pipeline (`kyso::batch`) over SoftHSM: the example signs a folder and an
//! in-memory document through the library alone; a batch cancelled from another thread (and
//! `kyso sign` interrupted by Ctrl-C) keeps its finished outputs, leaves nothing partial, and
//! a rerun with skip-existing finishes the rest. Outputs are checked with OpenSSL and pdfsig.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use common::*;
use kyso::batch::{choose, plan, Batch, Cancel, Document, Event, Format, Options};
use kyso::config::ModuleConfig;
use kyso::pkcs11::Backend;
use kyso::{Signer, Token};
use secrecy::SecretString;

fn make_files(dir: &Path, n: usize) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    (0..n)
        .map(|i| {
            let p = dir.join(format!("van-ban-{i:04}.txt"));
            std::fs::write(&p, format!("Văn bản số {i}\n").repeat(1 + i % 50)).unwrap();
            p
        })
        .collect()
}

/// Names in `dir` that start with a dot (tempfile's temporaries do).
fn hidden_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

fn login(fx: &Fixture) -> (Backend, Arc<dyn Token>, Arc<dyn Signer>) {
    std::env::set_var("SOFTHSM2_CONF", &fx.conf);
    let backend = Backend::load(&[ModuleConfig::from_path(SOFTHSM)]);
    let (tokens, _) = backend.tokens();
    let token: Arc<dyn Token> = tokens
        .into_iter()
        .find(|t| t.label() == "kyso-test")
        .expect("token");
    token.login(&SecretString::from(PIN)).unwrap();
    let signer = choose::key(&*token, "kyso-test", Some(&[3]))
        .unwrap()
        .signer;
    (backend, token, signer)
}

/// pdfsig's verdict on the signature itself (not on trust in the test CA).
fn pdfsig_valid(pdf: &Path) -> bool {
    let nss = tempfile::tempdir().unwrap();
    let db = common::nss::nss_db(nss.path());
    common::nss::pdfsig(&db, pdf).contains("Signature Validation: Signature is Valid.")
}

#[test]
fn example_signs_a_folder_of_pdfs_and_an_in_memory_document() {
    let fx = Fixture::new();
    let folder = fx.path("inbox");
    std::fs::create_dir_all(&folder).unwrap();
    let pdf = repo_root().join("tests/fixtures/pdf/shared-mime-info-spec.pdf");
    for name in ["a.pdf", "b.pdf", "c.pdf"] {
        std::fs::copy(&pdf, folder.join(name)).unwrap();
    }
    std::fs::write(folder.join("notes.txt"), "not a PDF").unwrap();
    let out_dir = fx.path("signed");
    std::fs::create_dir_all(&out_dir).unwrap();
    let example = target_dir().join("examples/batch_sign");
    let out = Command::new(&example)
        .arg(&folder)
        .arg(&out_dir)
        .arg(SOFTHSM)
        .arg("kyso-test")
        .env("SOFTHSM2_CONF", &fx.conf)
        .env("KYSO_PIN_FILE", fx.pin_file(PIN))
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", example.display()));
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("signing 3 document(s)"), "{text}");
    assert!(text.contains("PDFs: 3 signed, 0 failed"), "{text}");
    for name in ["a", "b", "c"] {
        let signed = out_dir.join(format!("{name}.signed.pdf"));
        assert!(pdfsig_valid(&signed), "{}", signed.display());
    }
    let (ok, err) = openssl_cms_verify(
        &fx,
        &out_dir.join("quyet-dinh.txt"),
        &out_dir.join("quyet-dinh.txt.p7s"),
    );
    assert!(ok, "{err}");
}

#[test]
fn in_memory_pdf_comes_back_signed_and_nothing_is_written() {
    let fx = Fixture::new();
    let (_backend, token, signer) = login(&fx);
    let pdf =
        std::fs::read(repo_root().join("tests/fixtures/pdf/shared-mime-info-spec.pdf")).unwrap();
    let alg = choose::algorithm(signer.as_ref(), None, Format::Pades)
        .unwrap()
        .algorithm;
    let batch = Batch::new(signer.as_ref(), Format::Pades, Options::new(alg)).unwrap();
    let docs = [
        Document::memory("from-the-portal.pdf", pdf.clone()),
        Document::memory("broken.pdf", b"%PDF-1.7 no more".to_vec()),
    ];
    let mut signed = None;
    let mut failed = Vec::new();
    let summary = batch.run(&docs, &mut |e| match e {
        Event::Signed { output, .. } => signed = output,
        Event::Failed { index, error, .. } => failed.push((index, error)),
        _ => {}
    });
    token.logout().unwrap();
    assert_eq!(summary.signed, vec![0]);
    assert_eq!(failed.len(), 1, "the broken PDF fails alone");
    assert!(
        matches!(failed[0].1, kyso::Error::Document(_)),
        "{:?}",
        failed[0].1
    );
    let signed = signed.expect("bytes back");
    assert!(signed.starts_with(&pdf), "an incremental update");
    let path = fx.path("from-the-portal.signed.pdf");
    std::fs::write(&path, &signed).unwrap();
    assert!(pdfsig_valid(&path));
}

#[test]
fn a_cancelled_batch_keeps_whole_outputs_and_resumes() {
    let fx = Fixture::new();
    let (_backend, token, signer) = login(&fx);
    let outbox = fx.path("outbox");
    let files = make_files(&outbox, 400);
    let docs = plan::documents(files.clone(), None, Format::Cms).unwrap();
    let alg = choose::algorithm(signer.as_ref(), None, Format::Cms)
        .unwrap()
        .algorithm;
    let options = Options {
        skip_existing: true,
        ..Options::new(alg)
    };
    let cancel = Cancel::default();
    let batch = Batch::new(signer.as_ref(), Format::Cms, options.clone())
        .unwrap()
        .with_cancel(cancel.clone());
    // Cancelled from another thread once 25 documents are signed.
    let (tx, rx) = std::sync::mpsc::channel();
    let canceller = std::thread::spawn(move || {
        for _ in 0..25 {
            rx.recv().unwrap();
        }
        cancel.cancel();
    });
    let mut events_after_cancel = 0;
    let first = batch.run(&docs, &mut |e| match e {
        Event::Signed { .. } => {
            let _ = tx.send(());
        }
        Event::Cancelled => events_after_cancel += 1,
        _ => {}
    });
    canceller.join().unwrap();
    assert!(first.cancelled, "{first:?}");
    assert_eq!(events_after_cancel, 1);
    assert!(first.signed.len() >= 25, "{}", first.signed.len());
    assert!(!first.pending.is_empty(), "cancelled before the end");
    assert!(first.failed.is_empty() && first.stopped.is_none());
    assert_eq!(
        hidden_files(&outbox),
        Vec::<String>::new(),
        "no partial output"
    );
    let outputs: Vec<_> = docs
        .iter()
        .filter(|d| d.output_path().unwrap().exists())
        .collect();
    assert_eq!(
        outputs.len(),
        first.signed.len(),
        "exactly the signed ones exist"
    );
    // The rerun signs the rest and leaves the first run's outputs as they were.
    let again = Batch::new(signer.as_ref(), Format::Cms, options)
        .unwrap()
        .run(&docs, &mut |_| {});
    token.logout().unwrap();
    assert_eq!(again.skipped, first.signed);
    assert_eq!(again.signed.len(), 400 - first.signed.len());
    assert!(again.is_complete());
    for i in [0, first.signed.len() - 1, first.signed.len(), 399] {
        let (ok, err) = openssl_cms_verify(&fx, &files[i], docs[i].output_path().unwrap());
        assert!(ok, "{}: {err}", files[i].display());
    }
}

#[test]
fn ctrl_c_stops_kyso_sign_cleanly_and_a_rerun_finishes() {
    let fx = Fixture::new();
    let outbox = fx.path("outbox");
    let files = make_files(&outbox, 3000);
    let pin = fx.pin_file(PIN);
    let args = [
        "--module",
        SOFTHSM,
        "--json",
        "sign",
        "--format",
        "cms",
        "--token",
        "kyso-test",
        "--key-id",
        "03",
        "--skip-existing",
        "--pin-file",
        pin.to_str().unwrap(),
        outbox.to_str().unwrap(),
    ];
    let child = fx
        .kyso()
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let signatures = || {
        std::fs::read_dir(&outbox)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "p7s")
            })
            .count()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while signatures() < 20 {
        assert!(
            std::time::Instant::now() < deadline,
            "no signature appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let st = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["cancelled"], true, "{report:#}");
    let signed = report["signed"].as_array().unwrap().len();
    let pending = report["pending"].as_array().unwrap().len();
    assert!(
        signed >= 20 && pending > 0,
        "{signed} signed, {pending} pending"
    );
    assert_eq!(signed + pending, 3000);
    assert!(
        stderr(&out).contains("stopping after the signature in progress"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        hidden_files(&outbox),
        Vec::<String>::new(),
        "no temporary file left"
    );
    assert_eq!(
        signatures(),
        signed,
        "every signed file has its whole output, no other"
    );
    let last = PathBuf::from(report["signed"][signed - 1]["file"].as_str().unwrap());
    let (ok, err) = openssl_cms_verify(&fx, &last, &last.with_extension("txt.p7s"));
    assert!(ok, "{err}");
    // The same command again finishes the rest.
    let out = fx.kyso().args(args).output().unwrap();
    assert_ok(&out);
    let report = json(&out);
    assert_eq!(report["skipped"].as_array().unwrap().len(), signed);
    assert_eq!(report["signed"].as_array().unwrap().len(), pending);
    assert_eq!(signatures(), files.len());
}

/// Timestamps come through the `Timestamper` seam, called after the check and before the
/// assembly: one that refuses stops the batch with nothing written.
#[test]
fn a_refusing_timestamper_stops_the_batch_before_anything_is_written() {
    use kyso::document::Timestamper;
    use std::sync::atomic::{AtomicUsize, Ordering};
    struct Refusing(AtomicUsize);
    impl Timestamper for Refusing {
        fn timestamp(&self, stamped: &[u8]) -> kyso::Result<Vec<u8>> {
            assert!(!stamped.is_empty(), "the checked signature value");
            self.0.fetch_add(1, Ordering::SeqCst);
            Err(kyso::Error::Timestamp("test: refused".into()))
        }
    }
    let fx = Fixture::new();
    let (_backend, token, signer) = login(&fx);
    let outbox = fx.path("outbox");
    let docs = plan::documents(make_files(&outbox, 20), None, Format::Cms).unwrap();
    let tsa = Arc::new(Refusing(AtomicUsize::new(0)));
    let alg = choose::algorithm(signer.as_ref(), None, Format::Cms)
        .unwrap()
        .algorithm;
    let options = Options {
        tsa: Some(tsa.clone()),
        ..Options::new(alg)
    };
    let summary = Batch::new(signer.as_ref(), Format::Cms, options)
        .unwrap()
        .run(&docs, &mut |_| {});
    token.logout().unwrap();
    assert!(summary.signed.is_empty());
    assert_eq!(
        summary.stopped.as_deref(),
        Some("timestamp authority test: refused; no output was written for this file")
    );
    assert!(tsa.0.load(Ordering::SeqCst) >= 1);
    assert!(summary.pending.len() + summary.failed.len() == 20);
    assert!(docs.iter().all(|d| !d.output_path().unwrap().exists()));
    assert_eq!(hidden_files(&outbox), Vec::<String>::new());
}
