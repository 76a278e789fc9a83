//! The physical-token path end to end, with a virtual PIV card: card → vsmartcard-vpcd →
//! pcscd → OpenSC's PIV driver (`opensc-pkcs11.so`) → kyso (library and CLI). Signing, losing
//! the card mid-batch and recovering, and the PIN counter on the card.
//! Serialised (nextest group `pcscd`, and a file lock): one pcscd per machine.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::pcscd::Pcscd;
use common::piv::{PivCard, ID_9A, ID_9C, PIV_PIN};
use common::{assert_ok, json, kyso_bin, openssl_verify, stderr, stdout, OPENSC};

/// A test's directory, its card and the pcscd it uses.
struct Bench {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    card: PivCard,
    _pcscd: Pcscd,
}

impl Bench {
    fn new() -> Bench {
        let pcscd = Pcscd::start();
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_owned();
        let card = PivCard::new(&dir.join("card"));
        Bench {
            _tmp: tmp,
            dir,
            card,
            _pcscd: pcscd,
        }
    }

    /// `kyso --module opensc-pkcs11.so ARGS…`, with no user configuration and OpenSC's file
    /// cache in the test's directory.
    fn kyso(&self) -> Command {
        let mut c = Command::new(kyso_bin());
        c.env_remove("KYSO_CONFIG")
            .env("XDG_CONFIG_HOME", self.dir.join("no-config"))
            .env("XDG_CACHE_HOME", self.dir.join("cache"))
            .current_dir(&self.dir)
            .arg("--module")
            .arg(OPENSC);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.kyso().args(args).output().unwrap()
    }

    fn pin_file(&self, pin: &str) -> String {
        let p = self.dir.join(format!("pin-{pin}"));
        std::fs::write(&p, pin).unwrap();
        p.display().to_string()
    }

    /// `n` small documents in `docs/`.
    fn documents(&self, n: usize) -> Vec<PathBuf> {
        let docs = self.dir.join("docs");
        std::fs::create_dir_all(&docs).unwrap();
        (0..n)
            .map(|i| {
                let p = docs.join(format!("cong-van-{i:02}.txt"));
                std::fs::write(&p, format!("Công văn số {i}/2025/UBND — ký số\n")).unwrap();
                p
            })
            .collect()
    }
}

fn sig_of(doc: &Path) -> PathBuf {
    let mut s = doc.as_os_str().to_owned();
    s.push(".sig");
    PathBuf::from(s)
}

#[test]
fn pkcs11_tool_sees_the_card_and_its_certificates() {
    let mut b = Bench::new();
    b.card.insert();
    let out = Command::new("pkcs11-tool")
        .env("XDG_CACHE_HOME", b.dir.join("cache"))
        .args(["--module", OPENSC, "-L", "-O"])
        .output()
        .unwrap();
    assert_ok(&out);
    let text = stdout(&out);
    // OpenSC's PIV driver names the token after the PIV authentication certificate.
    assert!(
        text.contains("token label        : NGUYỄN VĂN AN"),
        "{text}"
    );
    assert!(text.contains("token manufacturer : piv_II"), "{text}");
    assert!(text.contains("PIN initialized"), "{text}");
    assert_eq!(
        text.matches("Certificate Object; type = X.509 cert")
            .count(),
        4,
        "{text}"
    );
    for (label, id) in [
        ("Certificate for PIV Authentication", "01"),
        ("Certificate for Digital Signature", "02"),
        ("Certificate for Key Management", "03"),
        ("Certificate for Card Authentication", "04"),
    ] {
        assert!(
            text.contains(&format!("label:      {label}\n")),
            "{label}: {text}"
        );
        assert!(
            text.contains(&format!("ID:         {id}\n")),
            "{id}: {text}"
        );
    }
    assert!(text.contains("UID=CCCD:001099012345"), "{text}");
    assert!(text.contains("UID=MST:0312345678"), "{text}");
    assert!(text.contains("Public Key Object; RSA 2048 bits"), "{text}");
    // Reading objects needs no PIN: the counter is untouched.
    assert_eq!(b.card.pin_verifications(), 0);
    assert_eq!(b.card.retries_left(), 3);
}

#[test]
fn with_a_yubikey_4_atr_opensc_still_finds_the_piv_card_and_its_keys() {
    let mut b = Bench::new();
    b.card.atr = Some("3B F8 13 00 00 81 31 FE 15 59 75 62 69 6B 65 79 34 D4".into());
    b.card.insert();
    let pin = b.pin_file(PIV_PIN);
    let out = b.run(&["--json", "certs", "--login", "--pin-file", &pin]);
    assert_ok(&out);
    let certs = json(&out);
    let with_keys = certs
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["has_private_key"] == true)
        .count();
    assert_eq!(with_keys, 4, "{certs:#}");
    assert_eq!(b.card.pin_verifications(), 1);
}

#[test]
fn kyso_certs_and_sign_through_opensc_and_openssl_verifies_every_signature() {
    let mut b = Bench::new();
    b.card.insert();
    let out = b.run(&["--json", "certs"]);
    assert_ok(&out);
    let certs = json(&out);
    let certs = certs.as_array().unwrap();
    assert_eq!(certs.len(), 4, "{certs:#?}");
    let personal = certs.iter().find(|c| c["id"] == ID_9A).unwrap();
    assert_eq!(personal["common_name"], "NGUYỄN VĂN AN");
    assert_eq!(personal["key_type"], "RSA-2048");
    assert_eq!(personal["has_private_key"], true);
    assert!(
        personal["identity"].to_string().contains("001099012345"),
        "{personal:#}"
    );
    let seal = certs.iter().find(|c| c["id"] == ID_9C).unwrap();
    assert_eq!(seal["common_name"], "CÔNG TY TNHH KYSO VIỆT NAM");
    assert_eq!(seal["key_type"], "EC-P256");
    assert!(
        seal["identity"].to_string().contains("0312345678"),
        "{seal:#}"
    );

    let docs = b.documents(3);
    let pin = b.pin_file(PIV_PIN);
    let cases = [
        (ID_9A, "9a", "rsa-pkcs1-sha256"),
        (ID_9A, "9a", "rsa-pss-sha256"),
        // 9C is "PIN always": kyso presents the PIN again per signature (context login).
        (ID_9C, "9c", "ecdsa-sha256"),
    ];
    let mut signatures = 0;
    for (id, slot, alg) in cases {
        let mut args = vec![
            "--json",
            "sign",
            "--format",
            "raw",
            "--pin-file",
            &pin,
            "--key-id",
            id,
            "--algorithm",
            alg,
        ];
        let paths: Vec<String> = docs.iter().map(|d| d.display().to_string()).collect();
        args.extend(paths.iter().map(String::as_str));
        let out = b.run(&args);
        assert_ok(&out);
        let report = json(&out);
        assert_eq!(report["signed"].as_array().unwrap().len(), 3, "{report:#}");
        assert_eq!(report["algorithm"], alg);
        let public = b.card.public_key_pem(slot);
        for d in &docs {
            assert!(
                openssl_verify(&public, alg, d, &sig_of(d)),
                "{alg} signature of {} does not verify",
                d.display()
            );
            std::fs::remove_file(sig_of(d)).unwrap();
        }
        signatures += 3;
    }
    assert_eq!(b.card.signatures(), signatures, "{:#?}", b.card.apdus());
    assert_eq!(b.card.retries_left(), 3);
}

#[test]
fn a_wrong_pin_costs_exactly_one_attempt_per_run_and_a_blocked_pin_is_never_tried() {
    let mut b = Bench::new();
    b.card.insert();
    let docs = b.documents(2);
    let doc = docs[0].display().to_string();
    let wrong = b.pin_file("999999");
    let right = b.pin_file(PIV_PIN);

    // One wrong PIN, then the right one: the counter drops by one, then is back to 3.
    let out = b.run(&[
        "sign",
        "--format",
        "raw",
        "--key-id",
        ID_9A,
        "--pin-file",
        &wrong,
        &doc,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("wrong PIN"), "{}", stderr(&out));
    assert_eq!(b.card.retries_left(), 2);
    assert_eq!(
        b.card.pin_verifications(),
        1,
        "one VERIFY per run, never a retry"
    );
    let out = b.run(&["--json", "tokens"]);
    assert_ok(&out);
    let tokens = json(&out);
    assert_eq!(tokens[0]["pin"]["locked"], false, "{tokens:#}");
    let out = b.run(&[
        "sign",
        "--format",
        "raw",
        "--key-id",
        ID_9A,
        "--pin-file",
        &right,
        &doc,
    ]);
    assert_ok(&out);
    assert_eq!(
        b.card.retries_left(),
        3,
        "a correct PIN resets the card's counter"
    );

    // Three wrong runs: 2 left, then the final try (as the card says), then locked.
    let expect = [(2, "wrong PIN"), (1, "ONE attempt is left"), (0, "locked")];
    for (left, message) in expect {
        let before = b.card.pin_verifications();
        let out = b.run(&[
            "sign",
            "--format",
            "raw",
            "--key-id",
            ID_9A,
            "--pin-file",
            &wrong,
            &doc,
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains(message),
            "{left} left: {}",
            stderr(&out)
        );
        assert_eq!(b.card.retries_left(), left, "exactly one attempt per run");
        assert_eq!(b.card.pin_verifications(), before + 1);
    }
    let out = b.run(&["--json", "tokens"]);
    assert_eq!(json(&out)[0]["pin"]["locked"], true);

    // Blocked: reported as locked, and no PIN reaches the card, even the right one.
    let before = b.card.pin_verifications();
    for pin in [&wrong, &right] {
        let out = b.run(&[
            "sign",
            "--format",
            "raw",
            "--key-id",
            ID_9A,
            "--pin-file",
            pin,
            &doc,
        ]);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("is locked"), "{}", stderr(&out));
    }
    assert_eq!(b.card.pin_verifications(), before, "{:#?}", b.card.apdus());
    assert_eq!(b.card.retries_left(), 0);
    assert!(!sig_of(&docs[1]).exists());

    // The counter is the card's: it survives removal and reinsertion.
    b.card.remove();
    b.card.insert();
    let out = b.run(&[
        "sign",
        "--format",
        "raw",
        "--key-id",
        ID_9A,
        "--pin-file",
        &right,
        &doc,
    ]);
    assert!(stderr(&out).contains("is locked"), "{}", stderr(&out));
    assert_eq!(b.card.pin_verifications(), before);
}

#[test]
fn card_pulled_out_mid_batch_stops_it_cleanly_and_the_same_command_finishes_after_reinsertion() {
    let mut b = Bench::new();
    b.card.latency_ms = 300;
    b.card.insert();
    let docs = b.documents(8);
    let pin = b.pin_file(PIV_PIN);
    let mut args: Vec<String> = [
        "--json",
        "sign",
        "--format",
        "raw",
        "--pin-file",
        &pin,
        "--key-id",
        ID_9A,
    ]
    .map(String::from)
    .to_vec();
    args.extend(docs.iter().map(|d| d.display().to_string()));

    let child = b
        .kyso()
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Pull the card once two signatures are written.
    let until = Instant::now() + Duration::from_secs(30);
    while docs.iter().filter(|d| sig_of(d).exists()).count() < 2 {
        assert!(Instant::now() < until, "the batch did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    b.card.remove();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    let stopped = report["stopped"].as_str().unwrap_or_default();
    assert!(
        stopped.contains("removed") && stopped.contains("reinsert"),
        "{report:#}"
    );
    let signed = report["signed"].as_array().unwrap().len();
    assert!((2..8).contains(&signed), "{report:#}");
    assert_eq!(report["failed"].as_array().unwrap().len(), 1, "{report:#}");
    // Finished outputs intact, none partial, no temporary file left.
    let public = b.card.public_key_pem("9a");
    let written: Vec<_> = docs.iter().filter(|d| sig_of(d).exists()).collect();
    assert_eq!(written.len(), signed);
    for d in &written {
        assert!(openssl_verify(&public, "rsa-pkcs1-sha256", d, &sig_of(d)));
    }
    let names: Vec<String> = std::fs::read_dir(b.dir.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), docs.len() + signed, "stray files: {names:?}");

    // Reinserted: the same command signs everything (kyso sign has no --skip-existing).
    b.card.latency_ms = 0;
    b.card.insert();
    let out = b.kyso().args(&args).output().unwrap();
    assert_ok(&out);
    assert_eq!(json(&out)["signed"].as_array().unwrap().len(), 8);
    for d in &docs {
        assert!(openssl_verify(&public, "rsa-pkcs1-sha256", d, &sig_of(d)));
    }
    assert_eq!(b.card.retries_left(), 3);
    assert_eq!(b.card.pin_verifications(), 2, "one login per run");
}

#[test]
fn library_a_removed_token_is_an_ordinary_error_and_is_found_again_when_it_comes_back() {
    use kyso::config::ModuleConfig;
    use kyso::pkcs11::Backend;
    use kyso::{Error, HashAlg, SignatureAlgorithm, Token};
    use secrecy::SecretString;

    let mut b = Bench::new();
    std::env::set_var("XDG_CACHE_HOME", b.dir.join("cache"));
    b.card.insert();
    let backend = Backend::load(&[ModuleConfig::from_path(OPENSC)]);
    let (tokens, errors) = backend.tokens();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(tokens.len(), 1);
    let token = tokens[0].clone();
    let pin = SecretString::from(PIV_PIN);
    token.login(&pin).unwrap();
    let alg = SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256);
    let digest = HashAlg::Sha256.digest("Quyết định số 12/QĐ-UBND".as_bytes());
    let signer = |t: &kyso::pkcs11::Pkcs11Token| {
        t.signers()
            .unwrap()
            .into_iter()
            .find(|s| s.key().id == [1])
            .unwrap()
    };
    let first = signer(&token);
    first.sign_digest(alg, &digest).unwrap();

    b.card.remove();
    let e = first.sign_digest(alg, &digest).unwrap_err();
    assert!(matches!(e, Error::TokenRemoved { .. }), "{e}");
    assert!(e.is_token_failure());
    assert!(e.to_string().contains("reinsert"), "{e}");
    assert!(!token.is_logged_in(), "the login went with the token");
    assert!(backend.rediscover(&token).unwrap().is_none(), "still out");

    b.card.insert();
    let again = backend
        .rediscover(&token)
        .unwrap()
        .expect("the same token, found again");
    assert!(!again.is_logged_in(), "a new login, never a silent one");
    again.login(&pin).unwrap();
    // The signature is checked against the certificate inside sign_digest.
    signer(&again).sign_digest(alg, &digest).unwrap();
    assert_eq!(
        b.card.pin_verifications(),
        2,
        "one VERIFY per explicit login"
    );
    assert_eq!(b.card.signatures(), 2);
}

#[test]
fn removal_watch_calls_back_only_when_a_call_outlives_its_token() {
    use common::pcscd::READER0;
    use kyso::devices::removal::{RemovalWatch, GRACE};
    use std::sync::mpsc;

    let mut b = Bench::new();
    // Not a PC/SC reader (a software token's slot): nothing is watched.
    let (tx, rx) = mpsc::channel();
    let idle = RemovalWatch::start("SoftHSM slot ID 0x1", move || tx.send(()).unwrap());
    idle.busy(true);

    b.card.insert();
    let (tx, rx2) = mpsc::channel();
    let watch = RemovalWatch::start(READER0, move || tx.send(()).unwrap());
    // A call in flight on a present card: no alarm.
    watch.busy(true);
    assert!(rx2.recv_timeout(Duration::from_secs(1)).is_err());
    // Card out between calls: no alarm either.
    watch.busy(false);
    b.card.remove();
    assert!(rx2.recv_timeout(Duration::from_millis(1500)).is_err());
    // A call that outlives its card: the callback runs, once.
    b.card.insert();
    watch.busy(true);
    b.card.remove();
    let t = Instant::now();
    rx2.recv_timeout(GRACE + Duration::from_secs(5))
        .expect("the watch calls back");
    assert!(t.elapsed() >= GRACE - Duration::from_millis(300));
    assert!(rx.try_recv().is_err());
}
