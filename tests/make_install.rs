//! `make install` with PREFIX and DESTDIR puts the binary, the PKCS#11 module, the udev rules,
//! a p11-kit module file, the systemd user unit and the desktop entry in place, and the
//! installed `kyso register` finds the installed module.

mod common;

use std::process::Command;

use common::*;

#[test]
fn make_install_installs_binary_module_rules_and_p11_kit_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("dest");
    let out = Command::new("make")
        .arg("-s")
        .arg("-C")
        .arg(repo_root())
        .arg("install")
        .arg("PREFIX=/usr")
        .arg(format!("DESTDIR={}", dest.display()))
        .arg(format!("KYSO_BIN={}", kyso_bin().display()))
        .arg(format!("KYSO_MODULE={}", kyso_module().display()))
        .output()
        .unwrap();
    assert_ok(&out);
    for f in [
        "usr/bin/kyso",
        "usr/lib/libkyso_pkcs11.so",
        "usr/lib/udev/rules.d/70-kyso-tokens.rules",
    ] {
        assert!(dest.join(f).is_file(), "{f} not installed");
    }
    // kyso serve's systemd user unit, naming the installed binary
    let unit =
        std::fs::read_to_string(dest.join("usr/lib/systemd/user/kyso-serve.service")).unwrap();
    assert!(
        unit.lines().any(|l| l == "ExecStart=/usr/bin/kyso serve"),
        "{unit}"
    );
    assert!(unit.contains("WantedBy=graphical-session.target"), "{unit}");
    // kyso app's menu and "Open with" entry, naming the installed binary, valid by
    // desktop-file-validate
    let entry = dest.join("usr/share/applications/kyso-app.desktop");
    let text = std::fs::read_to_string(&entry).unwrap();
    assert!(
        text.lines().any(|l| l == "Exec=/usr/bin/kyso app %F"),
        "{text}"
    );
    assert!(text.lines().any(|l| l == "Name=Ký số tài liệu"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("MimeType=") && l.contains("application/pdf;")),
        "{text}"
    );
    assert_ok(
        &Command::new("desktop-file-validate")
            .arg(&entry)
            .output()
            .unwrap(),
    );
    let p11 = std::fs::read_to_string(dest.join("usr/share/p11-kit/modules/kyso.module")).unwrap();
    assert!(
        p11.lines()
            .any(|l| l == "module: /usr/lib/libkyso_pkcs11.so"),
        "{p11}"
    );
    // The installed binary registers the installed module (found in PREFIX/lib).
    let home = tmp.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let out = Command::new(dest.join("usr/bin/kyso"))
        .args(["--json", "register", "--dry-run"])
        .env("HOME", &home)
        .output()
        .unwrap();
    assert_ok(&out);
    let r = json(&out);
    assert_eq!(
        r["module"],
        dest.join("usr/lib/libkyso_pkcs11.so").to_str().unwrap(),
        "{r:#}"
    );
}

/// What `make deb` packages besides the binaries: man pages and completions generated from
/// the clap definitions, and a version naming the commit.
#[test]
fn generate_assets_writes_man_pages_and_completions_and_version_names_the_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(kyso_bin())
        .arg("generate-assets")
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_ok(&out);
    for f in [
        "man/kyso.1",
        "man/kyso-sign.1",
        "man/kyso-register.1",
        "man/kyso-remote-login.1",
        "completions/kyso.bash",
        "completions/_kyso",
        "completions/kyso.fish",
    ] {
        assert!(tmp.path().join(f).is_file(), "{f} not written");
    }
    // Hidden commands and clap's `help` subcommand get no page.
    assert!(!tmp.path().join("man/kyso-generate-assets.1").exists());
    assert!(!tmp.path().join("man/kyso-help.1").exists());
    let page = std::fs::read_to_string(tmp.path().join("man/kyso-sign.1")).unwrap();
    assert!(page.contains("\\-\\-visible"), "{page}");
    let bash = std::fs::read_to_string(tmp.path().join("completions/kyso.bash")).unwrap();
    assert!(bash.contains("complete -F _kyso"), "{bash}");
    assert!(!bash.contains("generate-assets"));

    let out = Command::new(kyso_bin()).arg("--version").output().unwrap();
    assert_ok(&out);
    let v = stdout(&out);
    let commit = v
        .trim()
        .strip_prefix(&format!("kyso {} (commit ", env!("CARGO_PKG_VERSION")))
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{v}"));
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "{v}"
    );
}

/// `make demo` installs only what the demo needs (no browsers, valgrind or cargo-fuzz, which
/// only `make test` uses) and keeps cargo's output in a log behind one line (issue 22,
/// item 13). `make -n` prints the commands without running them.
#[test]
fn make_demo_installs_only_what_the_demo_needs_and_logs_the_build() {
    let out = Command::new("make")
        .args(["-n", "-C"])
        .arg(repo_root())
        .arg("demo")
        .output()
        .unwrap();
    assert_ok(&out);
    let plan = stdout(&out);
    for unneeded in ["chromium", "firefox-esr", "valgrind", "cargo-fuzz", "xvfb"] {
        assert!(!plan.contains(unneeded), "{unneeded}:\n{plan}");
    }
    for needed in ["softhsm2", "openssl", "scripts/demo.sh"] {
        assert!(plan.contains(needed), "{needed}:\n{plan}");
    }
    let build = plan
        .lines()
        .find(|l| l.contains("cargo build --release"))
        .unwrap_or_else(|| panic!("{plan}"));
    assert!(build.contains(">target/demo-build.log 2>&1"), "{build}");
}
