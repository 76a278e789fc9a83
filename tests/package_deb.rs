//! `make deb` builds a package that lintian accepts, that `apt-get install` installs, whose
//! installed files work (`kyso --version`, `man kyso`, the bash completion, `kyso doctor`,
//! `p11-kit list-modules`, `pkcs11-tool` on the installed module) and that `apt-get purge`
//! removes without a trace.
//!
//! It installs into the real system (root, on a throwaway CI machine): nextest runs it alone
//! (`.config/nextest.toml`), under a machine-wide lock for other checkouts, and it purges the
//! package however it ends. Without root (or apt-get) it says so and checks nothing.

mod common;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

const MODULE: &str = "/usr/lib/x86_64-linux-gnu/pkcs11/libkyso_pkcs11.so";
const LOCK: &str = "/tmp/kyso-package-tests.lock";

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"))
}

fn installed() -> bool {
    run("dpkg-query", &["-W", "-f=${Status}", "kyso"])
        .stdout
        .starts_with(b"install ok installed")
}

/// Purges the package when the test ends, passed or not.
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        if installed() {
            let out = run("apt-get", &["purge", "-y", "-q", "kyso"]);
            if !out.status.success() {
                eprintln!("apt-get purge kyso failed:\n{}", stderr(&out));
            }
        }
    }
}

/// The package `make deb` wrote.
fn build_package() -> PathBuf {
    let out = Command::new("make")
        .args(["-s", "-C"])
        .arg(repo_root())
        .arg("deb")
        .output()
        .unwrap();
    assert_ok(&out);
    let dir = repo_root().join("target/debian");
    let debs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with("kyso_") && n.ends_with("_amd64.deb")
        })
        .collect();
    assert_eq!(debs.len(), 1, "{debs:?}");
    let name = debs[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with(&format!("kyso_{}-", env!("CARGO_PKG_VERSION"))),
        "{name}"
    );
    debs[0].clone()
}

#[test]
fn deb_builds_passes_lintian_installs_works_and_purges_cleanly() {
    let root = run("id", &["-u"]);
    if stdout(&root).trim() != "0" || !Path::new("/usr/bin/apt-get").exists() {
        eprintln!("SKIPPED: installing a package needs root and apt-get");
        return;
    }
    let lock = File::create(LOCK).unwrap();
    lock.lock().unwrap();
    let _purge = Installed;
    if installed() {
        // What a test killed before its purge left behind.
        assert_ok(&run("apt-get", &["purge", "-y", "-q", "kyso"]));
    }

    let deb = build_package();
    let deb_s = deb.to_str().unwrap();

    // lintian: no error, and no warning that is not overridden in the package.
    let out = run("lintian", &["--fail-on", "error,warning", deb_s]);
    assert_ok(&out);
    assert!(
        !stdout(&out).lines().any(|l| l.starts_with("E:")),
        "{}",
        stdout(&out)
    );

    // The control fields the issue asks for.
    let out = run(
        "dpkg-deb",
        &["-f", deb_s, "Depends", "Recommends", "Suggests"],
    );
    assert_ok(&out);
    let control = stdout(&out);
    for dep in [
        "libpcsclite1",
        "libusb-1.0-0",
        "pcscd",
        "opensc-pkcs11",
        "pinentry-gnome3 | pinentry-curses",
        "softhsm2",
    ] {
        assert!(control.contains(dep), "{dep} missing:\n{control}");
    }

    // Install (the Recommends are not what this test is about: no downloads).
    let out = run(
        "apt-get",
        &["install", "-y", "-q", "--no-install-recommends", deb_s],
    );
    assert_ok(&out);
    assert!(stdout(&out).contains("kyso register"), "{}", stdout(&out));
    let out = run("dpkg-query", &["-L", "kyso"]);
    assert_ok(&out);
    let files: Vec<PathBuf> = stdout(&out)
        .lines()
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .collect();
    for f in [
        "/usr/bin/kyso",
        MODULE,
        "/usr/share/p11-kit/modules/kyso.module",
        "/usr/lib/udev/rules.d/70-kyso-tokens.rules",
        "/usr/lib/systemd/user/kyso-serve.service",
        "/usr/share/applications/kyso-app.desktop",
        "/usr/share/doc/kyso/examples/kyso-serve.toml",
        "/usr/share/man/man1/kyso.1.gz",
        "/usr/share/man/man1/kyso-serve.1.gz",
        "/usr/share/man/man1/kyso-sign.1.gz",
        "/usr/share/bash-completion/completions/kyso",
        "/usr/share/zsh/vendor-completions/_kyso",
        "/usr/share/fish/vendor_completions.d/kyso.fish",
        "/usr/share/doc/kyso/copyright",
        "/usr/share/doc/kyso/changelog.Debian.gz",
    ] {
        assert!(files.contains(&PathBuf::from(f)), "{f} not in the package");
    }
    let copyright = std::fs::read_to_string("/usr/share/doc/kyso/copyright").unwrap();
    for crate_line in [" cryptoki ", " clap ", " ring "] {
        assert!(copyright.contains(crate_line), "{crate_line} not listed");
    }

    // The installed command, its manual and its completion.
    let out = run("/usr/bin/kyso", &["--version"]);
    assert_ok(&out);
    let version = stdout(&out);
    assert!(
        version.starts_with(&format!("kyso {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    let out = run("man", &["-P", "cat", "kyso"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("SYNOPSIS"), "{}", stdout(&out));
    assert_ok(&run("man", &["-w", "kyso-sign"]));
    let out = run(
        "bash",
        &[
            "-c",
            "source /usr/share/bash-completion/completions/kyso && complete -p kyso",
        ],
    );
    assert_ok(&out);
    assert!(stdout(&out).contains("-F _kyso kyso"), "{}", stdout(&out));

    let home = tempfile::tempdir().unwrap();
    let out = Command::new("/usr/bin/kyso")
        .args(["--json", "doctor"])
        .env("HOME", home.path())
        .output()
        .unwrap();
    let doctor = json(&out);
    let udev = doctor_check(&doctor, "udev rules installed");
    assert_eq!(udev["status"], "ok", "{doctor:#}");
    assert_eq!(
        udev["detail"], "/usr/lib/udev/rules.d/70-kyso-tokens.rules",
        "{doctor:#}"
    );
    // `kyso register` (each user, once) finds the installed module.
    let out = Command::new("/usr/bin/kyso")
        .args(["--json", "register", "--dry-run"])
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert_ok(&out);
    let r = json(&out);
    assert_eq!(r["module"], MODULE, "{r:#}");

    // The installed module, through p11-kit's module file and directly, reaches SoftHSM.
    let fx = Fixture::new();
    let out = fx
        .through_module("p11-kit")
        .arg("list-modules")
        .output()
        .unwrap();
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains(&format!("kyso: {MODULE}")), "{text}");
    assert!(text.contains("library-manufacturer: kyso"), "{text}");
    let out = fx
        .through_module("pkcs11-tool")
        .args(["--module", MODULE, "-L"])
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(stdout(&out).contains("token label"), "{}", stdout(&out));

    // Purge: every file of the package's list is gone.
    let out = run("apt-get", &["purge", "-y", "-q", "kyso"]);
    assert_ok(&out);
    assert!(!installed());
    let left: Vec<_> = files.iter().filter(|f| f.exists()).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
