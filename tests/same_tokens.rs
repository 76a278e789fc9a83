//! One token discovery: for the same configuration and the same plugged-in devices, the
//! `kyso` command (`kyso tokens --json`) and the PKCS#11 module (`pkcs11-tool -L` through
//! `libkyso_pkcs11.so`) list the same tokens. Once with a kyso.toml naming SoftHSM and a remote
//! CSC account; once with no kyso.toml and a virtual card in pcscd, the module chosen by the
//! token catalogue (auto-configuration). The second one is serialised (nextest group `pcscd`).

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use common::csc::{CscServer, CLIENT_SECRET};
use common::pcscd::Pcscd;
use common::piv::PivCard;
use common::{assert_ok, json, kyso_bin, kyso_module, stderr, stdout, Fixture, SOFTHSM};

/// (label, serial) of every token `kyso tokens --json` lists.
fn cli_tokens(out: &Output) -> BTreeSet<(String, String)> {
    assert_ok(out);
    json(out)
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["label"].as_str().unwrap().to_owned(),
                // A PKCS#11 serial number has 16 characters at most.
                t["serial"].as_str().unwrap().chars().take(16).collect(),
            )
        })
        .collect()
}

/// (label, serial) of every token `pkcs11-tool -L` lists through kyso's module.
fn module_tokens(out: &Output) -> BTreeSet<(String, String)> {
    let text = stdout(out);
    // pkcs11-tool fails when the module has no slot at all: that is "no token".
    if stderr(out).contains("No slots") {
        return BTreeSet::new();
    }
    assert_ok(out);
    let field = |line: &str, name: &str| {
        line.trim_start()
            .strip_prefix(name)
            .and_then(|rest| rest.trim_start().strip_prefix(':'))
            .map(|v| v.trim().to_owned())
    };
    let mut tokens = BTreeSet::new();
    let mut label = None;
    for line in text.lines() {
        if let Some(l) = field(line, "token label") {
            label = Some(l);
        } else if let Some(serial) = field(line, "serial num") {
            tokens.insert((label.take().expect("a label before the serial"), serial));
        }
    }
    tokens
}

/// `pkcs11-tool --module libkyso_pkcs11.so -L`, with `env`.
fn through_module(dir: &Path, env: &[(&str, &Path)]) -> Output {
    let mut c = Command::new("pkcs11-tool");
    c.env_remove("KYSO_CONFIG")
        .env("XDG_CONFIG_HOME", dir.join("no-config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("KYSO_LOG", dir.join("kyso-module.log"))
        .env("KYSO_TEST_SECRET", CLIENT_SECRET)
        .current_dir(dir)
        .arg("--module")
        .arg(kyso_module())
        .arg("-L");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// `kyso tokens --json`, with the same environment.
fn through_cli(dir: &Path, env: &[(&str, &Path)]) -> Output {
    let mut c = Command::new(kyso_bin());
    c.env_remove("KYSO_CONFIG")
        .env("XDG_CONFIG_HOME", dir.join("no-config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("KYSO_TEST_SECRET", CLIENT_SECRET)
        .current_dir(dir)
        .args(["-v", "--json", "tokens"]);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn module_log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("kyso-module.log")).unwrap_or_default()
}

#[test]
fn the_command_and_the_module_list_the_same_tokens_for_a_kyso_toml() {
    let fx = Fixture::new();
    let server = CscServer::start(&fx.dir.join("server"));
    let remote = std::fs::read_to_string(server.kyso_toml("remote-test", "v2", "")).unwrap();
    let toml = fx.dir.join("kyso.toml");
    std::fs::write(
        &toml,
        format!("[[module]]\npath = \"{SOFTHSM}\"\nname = \"softhsm\"\n\n{remote}"),
    )
    .unwrap();
    let env: [(&str, &Path); 2] = [("SOFTHSM2_CONF", &fx.conf), ("KYSO_CONFIG", &toml)];

    let cli = cli_tokens(&through_cli(&fx.dir, &env));
    let module = module_tokens(&through_module(&fx.dir, &env));
    eprintln!("both list {cli:?}");
    assert_eq!(cli, module, "module log:\n{}", module_log(&fx.dir));
    // Both the SoftHSM tokens and the remote credentials are there.
    assert!(
        cli.iter().any(|(l, _)| l == "remote-test/cred-ec"),
        "{cli:?}"
    );
    assert!(cli.len() >= 3, "{cli:?}");
}

/// An ePass2003 ATR outside the mask of OpenSC's epass2003 driver: the catalogue knows the
/// token (its vendor module is not installed here, OpenSC is), and OpenSC finds the PIV
/// applet behind it.
const EPASS2003_ATR: &str = "3B 9F 95 81 31 FE 9F 00 66 46 53 05 23 00 25 71 C3 9F 00 00 00 00 86";

#[test]
fn the_command_and_the_module_list_the_same_tokens_auto_configured_from_the_card_plugged_in() {
    let _pcscd = Pcscd::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut card = PivCard::new(&dir.join("card"));
    card.atr = Some(EPASS2003_ATR.into());
    card.insert();

    let out = through_cli(dir, &[]);
    let cli = cli_tokens(&out);
    assert!(
        stderr(&out).contains("auto-configuration"),
        "{}",
        stderr(&out)
    );
    assert_eq!(cli.len(), 1, "{cli:?}");
    assert_eq!(cli.first().unwrap().0, "NGUYỄN VĂN AN");

    let module = module_tokens(&through_module(dir, &[]));
    eprintln!("both list {cli:?}");
    assert_eq!(cli, module, "module log:\n{}", module_log(dir));
}

/// Token objects are listed once per login state: once before the login (the key and its
/// certificate's validity are checked before the PIN is asked, issue 22) and once after it,
/// where choosing the key and the chain reuse one listing (certificates, private keys, public
/// keys: three searches each time).
#[test]
fn a_signature_lists_the_token_objects_once_after_the_login() {
    let fx = Fixture::new();
    let pin = fx.pin_file(common::PIN);
    let doc = fx.path("cong-van.txt");
    std::fs::write(&doc, "Công văn số 1/2025/UBND").unwrap();
    let (out, log) = fx.run_spied(&[
        "--json",
        "sign",
        "--format",
        "cms",
        "--token",
        "kyso-test",
        "--key-id",
        "01",
        "--pin-file",
        &pin.display().to_string(),
        &doc.display().to_string(),
    ]);
    assert_ok(&out);
    let searches = common::spy_count(&log, "C_FindObjectsInit");
    eprintln!("{searches} object searches");
    assert!(
        searches <= 6,
        "{searches} object searches for one signature"
    );
}
