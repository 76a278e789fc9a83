//! `libkyso_pkcs11.so` configured with hostile modules next to SoftHSM: a module whose
//! `C_Initialize` fails, one that lies about lengths (test-support/bad-module), and entries that
//! would make the module load itself (its name, a link, a copy, another build, p11-kit's proxy
//! with kyso registered). pkcs11-tool still lists SoftHSM's tokens and exits 0; each refusal is
//! one exact line in the module's log. Everything runs under time and memory limits.

#[path = "../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

fn module() -> PathBuf {
    let m = kyso_module();
    assert!(
        m.exists(),
        "{} not built: run `cargo build --workspace` first",
        m.display()
    );
    m
}

/// A kyso.toml listing `first` (named `name` when given), then SoftHSM.
fn config(fx: &Fixture, first: &Path, name: Option<&str>) -> PathBuf {
    let p = fx.path("hostile.toml");
    let name = name
        .map(|n| format!("name = \"{n}\"\n"))
        .unwrap_or_default();
    std::fs::write(
        &p,
        format!(
            "[[module]]\npath = \"{}\"\n{name}\n[[module]]\npath = \"{SOFTHSM}\"\nname = \"softhsm\"\n",
            first.display()
        ),
    )
    .unwrap();
    p
}

fn log_path(fx: &Fixture) -> PathBuf {
    fx.path("kyso-module.log")
}

/// `program` against our module with `config`, the bad module lying as `mode` says; a fresh
/// log each time.
fn through(fx: &Fixture, config: &Path, mode: &str, program: &str) -> Command {
    let _ = std::fs::remove_file(log_path(fx));
    let mut c = fx.through_module(program);
    c.env("KYSO_CONFIG", config).env("KYSO_BAD_MODULE", mode);
    c
}

fn pkcs11_tool_list(fx: &Fixture, config: &Path, mode: &str) -> Output {
    let mut c = through(fx, config, mode, "pkcs11-tool");
    c.arg("--module").arg(module()).arg("-L");
    bounded(&c)
}

fn log(fx: &Fixture) -> String {
    std::fs::read_to_string(log_path(fx)).unwrap_or_default()
}

#[track_caller]
fn assert_softhsm_listed(out: &Output, why: &str) {
    assert_ok(out);
    assert!(
        stdout(out).contains("token label        : kyso-test\n"),
        "{why}: {}{}",
        stdout(out),
        stderr(out)
    );
}

#[track_caller]
fn assert_log_line(fx: &Fixture, line: &str) {
    let log = log(fx);
    assert!(
        log.lines().any(|l| l == line),
        "no line\n  {line}\nin the module's log:\n{log}"
    );
}

fn broken(function: &str, what: &str) -> String {
    format!(
        "PKCS#11 module {} is broken: {function} returned an impossible length: {what}; update \
         the module or remove it from kyso.toml",
        bad_module().display()
    )
}

#[test]
fn pkcs11_tool_lists_softhsm_when_another_module_fails_or_lies() {
    let fx = Fixture::new();
    let bad = bad_module();
    let cfg = config(&fx, &bad, Some("bad"));

    let out = pkcs11_tool_list(&fx, &cfg, "init-fails");
    assert_softhsm_listed(&out, "init-fails");
    assert!(!stdout(&out).contains("Bad Token"));
    assert_log_line(
        &fx,
        &format!(
            "kyso-pkcs11 ERROR kyso_pkcs11::backend::slots: module bad ({0}): PKCS#11 module {0} \
             failed to start: C_Initialize returned CKR_DEVICE_ERROR; check what the module needs \
             (its service, reader or configuration), or remove it from kyso.toml",
            bad.display()
        ),
    );

    for (mode, line) in [
        (
            "slot-count-huge",
            format!(
                "kyso-pkcs11 WARN kyso_pkcs11::backend::slots: module bad: cannot list slots: {}",
                broken(
                    "C_GetSlotList",
                    "slot count: 4294967280 (at most 4096 expected)"
                )
            ),
        ),
        (
            "slot-list-grows",
            format!(
                "kyso-pkcs11 WARN kyso_pkcs11::backend::slots: module bad: cannot list slots: {}",
                broken(
                    "C_GetSlotList",
                    "CKR_BUFFER_TOO_SMALL 9 times in a row (slot count now 10)"
                )
            ),
        ),
        (
            "attr-length-huge",
            format!(
                "kyso-pkcs11 WARN kyso_pkcs11::backend::slots: slot 1: cannot read certificates: {}",
                broken(
                    "C_GetAttributeValue",
                    "value length of attribute 0x11: 4294967280 (at most 16777216 expected)"
                )
            ),
        ),
        (
            "find-count-huge",
            format!(
                "kyso-pkcs11 WARN kyso_pkcs11::backend::slots: slot 1: cannot read certificates: {}",
                broken(
                    "C_FindObjects",
                    "object count 4294967280 for an array of 10 (4294967280 objects in all)"
                )
            ),
        ),
    ] {
        let out = pkcs11_tool_list(&fx, &cfg, mode);
        assert_softhsm_listed(&out, mode);
        assert_log_line(&fx, &line);
    }

    // Strings that are not UTF-8 reach the application as valid UTF-8, blank-padded.
    let out = pkcs11_tool_list(&fx, &cfg, "token-info-non-utf8");
    assert_softhsm_listed(&out, "token-info-non-utf8");
    assert!(
        stdout(&out).contains("token label        : Bad\u{fffd}\u{fffd} Token \u{fffd}\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_lying_signature_length_is_a_device_error_through_the_module() {
    let fx = Fixture::new();
    let bad = bad_module();
    let cfg = config(&fx, &bad, Some("bad"));
    let doc = fx.path("doc.txt");
    std::fs::write(&doc, "Tờ trình").unwrap();
    let mut c = through(&fx, &cfg, "sign-overflow", "pkcs11-tool");
    c.arg("--module")
        .arg(module())
        .args(["--token-label", "Bad Token", "--login", "--pin", "0000"])
        .args(["--sign", "-m", "SHA256-RSA-PKCS", "--id", "42", "-i"])
        .arg(&doc)
        .arg("-o")
        .arg(fx.path("doc.sig"));
    let out = bounded(&c);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("error: PKCS11 function C_SignFinal failed: rv = CKR_DEVICE_ERROR (0x30)"),
        "{}",
        stderr(&out)
    );
    assert_log_line(
        &fx,
        &format!(
            "kyso-pkcs11 INFO kyso_pkcs11::backend::rv: returning error: {}",
            broken(
                "C_Sign",
                // The module signs straight into pkcs11-tool's 512-byte buffer.
                "signature length after filling a buffer of 512 bytes: 576 (at most 512 expected)"
            )
        ),
    );
}

#[test]
fn the_module_never_loads_itself_by_name_link_copy_or_other_build() {
    let fx = Fixture::new();
    let own = module();
    let canonical = own.canonicalize().unwrap();
    let dir = fx.path("x");
    std::fs::create_dir_all(&dir).unwrap();
    let link = dir.join("libfoo.so");
    std::os::unix::fs::symlink(&own, &link).unwrap();
    // A hard link must be on the module's file system: under the target directory.
    let same_fs = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let hard = same_fs.path().join("libhard.so");
    std::fs::hard_link(&canonical, &hard).unwrap();
    let copy = dir.join("libcopy.so");
    std::fs::copy(&own, &copy).unwrap();
    // Another build: different bytes (trailing data an ELF loader ignores), same module.
    let other = dir.join("libother.so");
    let mut bytes = std::fs::read(&own).unwrap();
    bytes.extend_from_slice(b"another build");
    std::fs::write(&other, bytes).unwrap();
    let proxy = Path::new("/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so");
    let proxy_link = dir.join("libproxy.so");
    std::os::unix::fs::symlink(proxy, &proxy_link).unwrap();

    let skipped = |path: &Path, why: &str| {
        format!(
            "kyso-pkcs11 WARN kyso_pkcs11::backend::slots: module {} skipped: it would load kyso \
             itself: {why}",
            path.display()
        )
    };
    let own_module = format!("it is kyso's own module ({})", own.display());
    let proxy_why = "p11-kit's proxy loads every registered module, kyso's among them";
    for (entry, line) in [
        (own.clone(), skipped(&own, "it is kyso's own module")),
        // The link's target has our name.
        (link.clone(), skipped(&link, "it is kyso's own module")),
        (hard.clone(), skipped(&hard, &own_module)),
        (
            copy.clone(),
            skipped(
                &copy,
                &format!("it is a copy of kyso's own module ({})", own.display()),
            ),
        ),
        (proxy.to_owned(), skipped(proxy, proxy_why)),
        (proxy_link.clone(), skipped(&proxy_link, proxy_why)),
        (
            other.clone(),
            format!(
                "kyso-pkcs11 ERROR kyso_pkcs11::backend::slots: module libother.so ({0}): {0} is \
                 kyso's own PKCS#11 module: it re-exports the modules of kyso.toml, so listed next \
                 to them it would show every token twice; not loaded (remove it from kyso.toml)",
                other.display()
            ),
        ),
    ] {
        let cfg = config(&fx, &entry, None);
        let out = pkcs11_tool_list(&fx, &cfg, "");
        assert_softhsm_listed(&out, &entry.display().to_string());
        assert_eq!(
            stdout(&out)
                .matches("token label        : kyso-test\n")
                .count(),
            1,
            "{}: listed once",
            entry.display()
        );
        assert_log_line(&fx, &line);
    }

    // Another build alone is refused after loading (its C_GetInfo says it is kyso).
    let alone = fx.path("alone.toml");
    std::fs::write(
        &alone,
        format!("[[module]]\npath = \"{}\"\n", other.display()),
    )
    .unwrap();
    let _ = pkcs11_tool_list(&fx, &alone, "");
    assert_log_line(
        &fx,
        &format!(
            "kyso-pkcs11 ERROR kyso_pkcs11::backend::slots: module libother.so ({}): it is a kyso \
             PKCS#11 module (its C_GetInfo says so): loading it from kyso would recurse; remove it \
             from kyso.toml",
            other.display()
        ),
    );
}

/// p11-kit registers kyso (its module file, in a private mount namespace over p11-kit's system
/// module directory: p11-kit ignores user files for root) and kyso.toml lists p11-kit's proxy:
/// neither pkcs11-tool through kyso nor p11-kit through its proxy recurses.
#[test]
fn p11_kit_proxy_with_kyso_registered_does_not_recurse() {
    let fx = Fixture::new();
    let dir = fx.path("p11-kit-modules");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("kyso.module"),
        format!("module: {}\n", module().display()),
    )
    .unwrap();
    let real = Path::new("/usr/lib/x86_64-linux-gnu/libp11-kit.so.0");
    for entry in [
        Path::new("/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so"),
        real,
    ] {
        let cfg = config(&fx, entry, Some("proxy"));
        for program in [
            format!("pkcs11-tool --module '{}' -L", module().display()),
            "p11-kit list-modules".to_owned(),
        ] {
            let mut c = through(&fx, &cfg, "", "unshare");
            c.args(["-m", "sh", "-c"]).arg(format!(
                "mount --bind '{}' /usr/share/p11-kit/modules && exec {program}",
                dir.display()
            ));
            let out = bounded(&c);
            assert_ok(&out);
            let text = stdout(&out);
            assert!(
                text.contains("token label        : kyso-test\n")
                    || text.contains("token: kyso-test\n"),
                "{program} with {}: {text}",
                entry.display()
            );
            assert_log_line(
                &fx,
                &format!(
                    "kyso-pkcs11 WARN kyso_pkcs11::backend::slots: module {} skipped: it would \
                     load kyso itself: p11-kit's proxy loads every registered module, kyso's \
                     among them",
                    entry.display()
                ),
            );
        }
    }
}
