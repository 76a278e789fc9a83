//! A person's first hour with kyso (issue 22): no silent mistake and no PIN spent for nothing.
//! An expired certificate, a token with several keys, two tokens with one label, inputs that
//! cannot be signed and no token at all are each refused (or resolved) before the PIN is asked;
//! received signed PDFs can be countersigned.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{assert_ok, json, repo_root, spy_count, stderr, stdout, strs, Fixture, PIN, SOFTHSM};
use kyso::testca::{self, rcgen};

fn sample_pdf() -> PathBuf {
    repo_root().join("tests/fixtures/pdf/shared-mime-info-spec.pdf")
}

/// `pkcs11-tool` on this fixture's SoftHSM, logged in to `token` with `pin`.
fn p11(fx: &Fixture, token: &str, pin: &str, args: &[&str]) {
    let out = Command::new("pkcs11-tool")
        .env("SOFTHSM2_CONF", &fx.conf)
        .args([
            "--module",
            SOFTHSM,
            "--token-label",
            token,
            "--login",
            "--pin",
            pin,
        ])
        .args(args)
        .output()
        .unwrap();
    assert_ok(&out);
}

/// Replaces the certificate of key `id` (`label`) on `kyso-test` with one valid from
/// `not_before` to `not_after` for the same key.
fn replace_certificate(
    fx: &Fixture,
    id: &str,
    label: &str,
    not_before: (i32, u8, u8),
    not_after: (i32, u8, u8),
) {
    let spki = Command::new("openssl")
        .args(["pkey", "-pubin", "-outform", "DER", "-in"])
        .arg(fx.path(&format!("{label}.pub.pem")))
        .output()
        .unwrap();
    assert_ok(&spki);
    let ca = testca::TestCa::kyso().unwrap();
    let mut params = testca::signing_leaf(testca::vn_name(&testca::personal()).unwrap());
    params.not_before = rcgen::date_time_ymd(not_before.0, not_before.1, not_before.2);
    params.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
    let der = ca.issue_for(&params, &spki.stdout).unwrap();
    let file = fx.path(&format!("{label}-replaced.der"));
    std::fs::write(&file, der).unwrap();
    p11(
        fx,
        "kyso-test",
        PIN,
        &["--delete-object", "--type", "cert", "--id", id],
    );
    p11(
        fx,
        "kyso-test",
        PIN,
        &[
            "--write-object",
            file.to_str().unwrap(),
            "--type",
            "cert",
            "--id",
            id,
            "--label",
            label,
        ],
    );
}

/// Runs `args` through pkcs11-spy; returns the output and how many times C_Login was called.
fn spied(fx: &Fixture, args: &[&str]) -> (Output, usize) {
    // (A run that never reaches the token leaves no log: no login either.)
    let (out, log) = fx.run_spied(args);
    (out, spy_count(&log, "C_Login"))
}

fn pin_args(fx: &Fixture) -> Vec<String> {
    vec!["--pin-file".into(), fx.pin_file(PIN).display().to_string()]
}

// --- item 1: expired and not-yet-valid certificates -----------------------------------------

#[test]
fn expired_certificate_is_refused_before_the_pin_and_marked_in_certs() {
    let fx = Fixture::new();
    replace_certificate(&fx, "01", "rsa2048", (2023, 1, 1), (2024, 1, 1));
    replace_certificate(&fx, "02", "rsa3072", (2099, 1, 1), (2100, 1, 1));
    std::fs::write(fx.path("a.txt"), "Quyết định").unwrap();

    let mut args = vec![
        "sign",
        "--format",
        "cms",
        "--token",
        "kyso-test",
        "--key-id",
        "01",
    ];
    let pin = pin_args(&fx);
    args.extend(strs(&pin));
    args.push("a.txt");
    let (out, logins) = spied(&fx, &args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(logins, 0, "no PIN for an expired certificate");
    let err = stderr(&out);
    assert!(
        err.contains("expired on 2024-01-01 (valid 2023-01-01 to 2024-01-01)")
            && err.contains("--allow-expired"),
        "{err}"
    );
    assert!(!fx.path("a.txt.p7s").exists());

    let mut not_yet = args.clone();
    not_yet[6] = "02";
    let (out, logins) = spied(&fx, &not_yet);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(logins, 0);
    assert!(
        stderr(&out).contains("is not valid before 2099-01-01"),
        "{}",
        stderr(&out)
    );

    // The explicit override signs.
    let mut allowed = args.clone();
    allowed.insert(1, "--allow-expired");
    let out = fx.run(&allowed);
    assert_ok(&out);
    assert!(fx.path("a.txt.p7s").exists());

    // `kyso certs` marks both.
    let out = fx.run(&["certs", "--token", "kyso-test"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("2024-01-01T00:00:00Z  EXPIRED"), "{text}");
    assert!(text.contains("  NOT YET VALID"), "{text}");
    let out = fx.run(&["--json", "certs", "--token", "kyso-test"]);
    let rows = json(&out);
    let validity = |id: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["validity"]
            .clone()
    };
    assert_eq!(validity("01"), "expired");
    assert_eq!(validity("02"), "not yet valid");
    assert_eq!(validity("03"), "valid");
}

// --- item 2: the key is chosen before the PIN -------------------------------------------------

#[test]
fn several_keys_and_no_key_id_are_listed_before_the_pin() {
    let fx = Fixture::new();
    std::fs::write(fx.path("a.txt"), "Công văn").unwrap();
    let pin = pin_args(&fx);
    let mut args = vec!["sign", "--format", "cms", "--token", "kyso-test"];
    args.extend(strs(&pin));
    args.push("a.txt");
    let (out, logins) = spied(&fx, &args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(logins, 0, "the PIN is not asked before the key is chosen");
    let err = stderr(&out);
    assert!(
        err.contains("token 'kyso-test' holds 5 keys; choose one with --key-id:"),
        "{err}"
    );
    for line in [
        "  id 01 — NGUYỄN VĂN AN (CCCD: 001099012345) — issued by ",
        "  id 03 — CÔNG TY TNHH KYSO (MST: 0100686209-199) — issued by ",
    ] {
        assert!(err.contains(line), "{line}\n{err}");
    }
    assert!(err.contains(" — valid 20"), "{err}");
    assert!(
        !err.contains("id 06"),
        "the certificate without a key is no choice: {err}"
    );
    assert!(!fx.path("a.txt.p7s").exists());
}

/// On a terminal (here a pseudo-terminal from `script`), the keys are offered as a numbered
/// list and the one typed is used.
#[test]
fn several_keys_on_a_terminal_are_offered_as_a_numbered_choice() {
    use std::io::Write;
    let fx = Fixture::new();
    std::fs::write(fx.path("a.txt"), "Công văn").unwrap();
    let pin = fx.pin_file(PIN);
    let line = format!(
        "'{}' --module {SOFTHSM} sign --format cms --token kyso-test --pin-file '{}' a.txt",
        common::kyso_bin().display(),
        pin.display()
    );
    let mut child = fx
        .kyso()
        .env("SOFTHSM2_CONF", &fx.conf)
        .get_envs()
        .fold(Command::new("script"), |mut c, (k, v)| {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
            c
        })
        .args(["-qec", &line, "/dev/null"])
        .current_dir(&fx.dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"3\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_ok(&out);
    assert!(text.contains("  3) id 03 — CÔNG TY TNHH KYSO"), "{text}");
    assert!(text.contains("sign with which key? [1-5]"), "{text}");
    assert!(text.contains("key 03 on 'kyso-test'"), "{text}");
    assert!(fx.path("a.txt.p7s").exists());
}

// --- item 3: tokens with one label ------------------------------------------------------------

/// Copies the token labelled `label` into a second token with the same label and another
/// serial number (tokens of one CA share labels); returns (first serial, copy's serial).
fn duplicate_token(fx: &Fixture, label: &str) -> (String, String) {
    let tokens = fx.dir.join("tokens");
    let padded = format!("{label:<32}");
    for entry in std::fs::read_dir(&tokens).unwrap() {
        let dir = entry.unwrap().path();
        let data = std::fs::read(dir.join("token.object")).unwrap_or_default();
        if !data.windows(32).any(|w| w == padded.as_bytes()) {
            continue;
        }
        let out = fx.run(&["--json", "tokens", "--token", label]);
        let serial = json(&out)[0]["serial"].as_str().unwrap().to_owned();
        let mut other = serial.clone().into_bytes();
        let last = other.len() - 1;
        other[last] = if other[last] == b'0' { b'1' } else { b'0' };
        let other = String::from_utf8(other).unwrap();
        let copy = tokens.join("copy-of-token");
        let st = Command::new("cp")
            .arg("-a")
            .arg(&dir)
            .arg(&copy)
            .status()
            .unwrap();
        assert!(st.success());
        let path = copy.join("token.object");
        let mut data = std::fs::read(&path).unwrap();
        let at = data
            .windows(serial.len())
            .position(|w| w == serial.as_bytes())
            .expect("serial in token.object");
        data[at..at + serial.len()].copy_from_slice(other.as_bytes());
        std::fs::write(&path, data).unwrap();
        return (serial, other);
    }
    panic!("token {label} not found");
}

#[test]
fn tokens_with_one_label_are_chosen_by_serial_slot_or_pkcs11_uri() {
    let fx = Fixture::new();
    let (first, copy) = duplicate_token(&fx, "kyso-second");
    let out = fx.run(&["--json", "tokens", "--token", "kyso-second"]);
    assert_ok(&out);
    let listed = json(&out);
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed:#}");
    let slot_of_copy = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["serial"] == copy.as_str())
        .unwrap()["slot"]
        .to_string();
    std::fs::write(fx.path("a.txt"), "Tờ trình").unwrap();
    let pin = fx.pin_file("654321");
    let sign = |token: &str| {
        fx.run(&[
            "--json",
            "sign",
            "--format",
            "cms",
            "--token",
            token,
            "--pin-file",
            pin.to_str().unwrap(),
            "a.txt",
        ])
    };
    // The label alone names both: refused, the serials shown to choose by.
    let out = sign("kyso-second");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("--token SERIAL") && err.contains(&first) && err.contains(&copy),
        "{err}"
    );
    for token in [
        copy.clone(),
        slot_of_copy,
        format!("pkcs11:token=kyso-second;serial={first}"),
        format!("pkcs11:serial={copy}"),
    ] {
        let out = sign(&token);
        assert_ok(&out);
        assert_eq!(json(&out)["signed"].as_array().unwrap().len(), 1, "{token}");
        std::fs::remove_file(fx.path("a.txt.p7s")).unwrap();
    }
    // `kyso certs --token SERIAL` lists one token's certificates.
    let out = fx.run(&["--json", "certs", "--token", &copy]);
    assert_ok(&out);
    assert_eq!(json(&out).as_array().unwrap().len(), 1);
}

// --- items 4 and 6: inputs checked before the PIN; encrypted PDFs ----------------------------

#[test]
fn inputs_are_checked_before_the_pin_and_nothing_signable_spends_no_pin() {
    let fx = Fixture::new();
    std::fs::write(fx.path("fake.pdf"), "not a PDF at all").unwrap();
    let pin = pin_args(&fx);
    let mut args = vec![
        "sign",
        "--format",
        "pades",
        "--token",
        "kyso-test",
        "--key-id",
        "03",
    ];
    args.extend(strs(&pin));
    args.extend(["nothere.pdf", "fake.pdf"]);
    let (out, logins) = spied(&fx, &args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(logins, 0, "nothing signable: no PIN");
    let err = stderr(&out);
    assert!(err.contains("  failed: nothere.pdf: not found\n"), "{err}");
    assert!(
        err.contains("  failed: fake.pdf is not a PDF (no %PDF- header at its start)\n"),
        "{err}"
    );
    assert!(err.contains("no PIN was asked"), "{err}");
    let mut with_json = vec!["--json"];
    with_json.extend(&args);
    let (out, logins) = spied(&fx, &with_json);
    assert_eq!((out.status.code(), logins), (Some(1), 0));
    let report = json(&out);
    assert_eq!(report["failed"].as_array().unwrap().len(), 2, "{report:#}");
    assert!(
        report["token"].is_null() && report["algorithm"].is_null(),
        "{report:#}"
    );

    // One good file among bad ones: it is signed, the bad ones fail alone.
    std::fs::copy(sample_pdf(), fx.path("good.pdf")).unwrap();
    args.push("good.pdf");
    let (out, logins) = spied(&fx, &args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(logins, 1);
    assert!(fx.path("good.signed.pdf").exists());
    assert!(
        stderr(&out).contains("1 signed, 0 skipped (already signed), 2 failed"),
        "{}",
        stderr(&out)
    );
}

fn qpdf_encrypt(input: &Path, output: &Path, user: &str, owner: &str) {
    let out = Command::new("qpdf")
        .arg("--encrypt")
        .args([user, owner, "256", "--"])
        .arg(input)
        .arg(output)
        .output()
        .unwrap();
    assert_ok(&out);
}

#[test]
fn encrypted_pdfs_say_whether_a_password_is_needed_and_how_to_decrypt() {
    let fx = Fixture::new();
    qpdf_encrypt(&sample_pdf(), &fx.path("locked.pdf"), "mat-khau", "chu");
    qpdf_encrypt(&sample_pdf(), &fx.path("restricted.pdf"), "", "chu");
    let pin = pin_args(&fx);
    let mut args = vec![
        "sign",
        "--format",
        "pades",
        "--token",
        "kyso-test",
        "--key-id",
        "03",
    ];
    args.extend(strs(&pin));
    args.extend(["locked.pdf", "restricted.pdf"]);
    let (out, logins) = spied(&fx, &args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(logins, 0);
    let err = stderr(&out);
    assert!(
        err.contains("locked.pdf is encrypted and needs a password to open")
            && err.contains("qpdf --decrypt --password=PASSWORD locked.pdf"),
        "{err}"
    );
    assert!(
        err.contains("restricted.pdf is encrypted (it opens without a password")
            && err.contains("`qpdf --decrypt restricted.pdf decrypted.pdf`"),
        "{err}"
    );
}

// --- item 5: no token -------------------------------------------------------------------------

#[test]
fn no_token_says_plug_it_in_for_sign_and_tokens() {
    let fx = Fixture::new();
    fx.remove_token("kyso-test");
    fx.remove_token("kyso-second");
    std::fs::write(fx.path("a.txt"), "x").unwrap();
    let pin = pin_args(&fx);
    let mut args = vec!["sign", "--format", "cms"];
    args.extend(strs(&pin));
    args.push("a.txt");
    let out = fx.run(&args);
    assert_eq!(out.status.code(), Some(2));
    let phrase = "plug in your token (or card) — `kyso doctor` checks each step";
    assert!(stderr(&out).contains(phrase), "{}", stderr(&out));
    let out = fx.run(&["tokens"]);
    assert!(
        format!("{}{}", stdout(&out), stderr(&out)).contains(phrase),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

// --- item 7: countersigning -------------------------------------------------------------------

#[test]
fn received_signed_pdfs_are_countersigned_when_asked_and_numbered() {
    let fx = Fixture::new();
    let received = fx.path("received");
    std::fs::create_dir(&received).unwrap();
    std::fs::copy(sample_pdf(), received.join("qd.pdf")).unwrap();
    assert_ok(&fx.sign("pades", "01", &["received/qd.pdf"]));
    std::fs::remove_file(received.join("qd.pdf")).unwrap();

    let out = fx.sign("pades", "03", &["received"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--include-signed"),
        "{}",
        stderr(&out)
    );
    let out = fx.sign("pades", "03", &["--include-signed", "received"]);
    assert_ok(&out);
    let second = received.join("qd.signed-2.pdf");
    assert!(second.exists(), "{}", stderr(&out));
    assert!(!received.join("qd.signed.signed.pdf").exists());
    let v = fx.verify_json(&[second.to_str().unwrap()]);
    assert_ok(&v);
    assert_eq!(json(&v).as_array().unwrap().len(), 2);
    // Named explicitly, the third signature is numbered too.
    assert_ok(&fx.sign("pades", "04", &["received/qd.signed-2.pdf"]));
    assert!(received.join("qd.signed-3.pdf").exists());
}

// --- item 12: small things ---------------------------------------------------------------------

#[test]
fn key_id_with_one_digit_is_read_with_a_leading_zero() {
    let fx = Fixture::new();
    std::fs::write(fx.path("a.txt"), "x").unwrap();
    let out = fx.sign_json("cms", "3", &["a.txt"]);
    assert_ok(&out);
    assert_eq!(json(&out)["key_id"], "03");
}

#[test]
fn a_missing_file_is_named_once_and_reported_once() {
    let fx = Fixture::new();
    std::fs::write(fx.path("a.txt"), "x").unwrap();
    let out = fx.sign("cms", "03", &["a.txt", "missing.txt"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(!err.contains("missing.txt: missing.txt"), "{err}");
    assert_eq!(err.matches("missing.txt").count(), 1, "{err}");
    assert!(err.contains("  failed: missing.txt: not found\n"), "{err}");
}

// --- item 11: no library log lines without -v --------------------------------------------------

#[test]
fn a_damaged_pdf_gives_no_library_log_lines_without_verbose() {
    let fx = Fixture::new();
    std::fs::copy(
        repo_root().join("tests/fixtures/pdf/fuzz/damaged-xref.pdf"),
        fx.path("damaged.pdf"),
    )
    .unwrap();
    let out = fx.sign("pades", "03", &["damaged.pdf"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("cross-reference data is damaged"), "{err}");
    assert!(!err.contains("[ERROR lopdf"), "{err}");
    let mut args = vec!["-v".to_owned()];
    args.extend(fx.sign_args("pades", "03", &["damaged.pdf"]));
    let out = fx.run(&strs(&args));
    assert!(stderr(&out).contains("lopdf"), "{}", stderr(&out));
}

// --- item 2 (optional part): the key remembered per token ---------------------------------------

#[test]
fn a_remembered_key_is_used_without_key_id() {
    let fx = Fixture::new();
    std::fs::write(fx.path("a.txt"), "Công văn").unwrap();
    std::fs::write(fx.path("b.txt"), "Tờ trình").unwrap();
    let pin = pin_args(&fx);
    let mut first = vec![
        "--json",
        "sign",
        "--format",
        "cms",
        "--token",
        "kyso-test",
        "--key-id",
        "04",
        "--remember-key",
    ];
    first.extend(strs(&pin));
    first.push("a.txt");
    let out = fx.run(&first);
    assert_ok(&out);
    assert!(
        stderr(&out).contains("remembered key 04 for token 'kyso-test'"),
        "{}",
        stderr(&out)
    );
    let saved = std::fs::read_to_string(fx.dir.join("no-config/kyso/kyso.toml")).unwrap();
    assert!(
        saved.contains("[[key]]") && saved.contains("id = \"04\""),
        "{saved}"
    );

    let mut again = vec!["--json", "sign", "--format", "cms", "--token", "kyso-test"];
    again.extend(strs(&pin));
    again.push("b.txt");
    let out = fx.run(&again);
    assert_ok(&out);
    assert_eq!(json(&out)["key_id"], "04");
    assert!(
        stderr(&out).contains("using key 04, remembered in"),
        "{}",
        stderr(&out)
    );
}
