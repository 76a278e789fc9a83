//! NSS databases for the tests: made with NSS's certutil, a CA trusted, kyso's module added
//! with modutil, CMS signed with cmsutil, PDF signatures checked by poppler's pdfsig (which
//! reads its trust from such a database).

use std::path::Path;
use std::process::{Command, Output};

use super::{assert_ok, stderr, stdout, Fixture};

impl Fixture {
    /// `kyso ARGS…` as the user of `home` (HOME set, no XDG_DATA_HOME, kyso.toml naming
    /// SoftHSM): where `kyso register` looks for NSS databases, and what the module registered
    /// there reaches.
    pub fn kyso_at_home(&self, home: &Path, args: &[&str]) -> Output {
        self.kyso()
            .env("HOME", home)
            .env_remove("XDG_DATA_HOME")
            .env("KYSO_CONFIG", self.kyso_toml())
            .args(args)
            .output()
            .unwrap()
    }
}

/// The place of `app` (`firefox`, `shared_nss_db`…) in a `kyso --json register` report.
pub fn place_of_app<'a>(report: &'a serde_json::Value, app: &str) -> &'a serde_json::Value {
    report["places"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["app"] == app)
        .unwrap_or_else(|| panic!("no {app} place: {report:#}"))
}

/// An empty NSS database in `dir` (created if missing; `certutil -N --empty-password`);
/// returns its `sql:DIR` name for `-d`.
pub fn nss_db(dir: &Path) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let db = format!("sql:{}", dir.display());
    assert_ok(
        &Command::new("certutil")
            .args(["-N", "-d", &db, "--empty-password"])
            .output()
            .unwrap(),
    );
    db
}

/// `certutil -A`: the CA certificate `ca_pem` in `db` as `nick` with trust `flags` (`C,,`:
/// TLS servers; `C,C,C`: also e-mail and code signing, what pdfsig asks).
pub fn nss_trust(db: &str, nick: &str, flags: &str, ca_pem: &Path) {
    assert_ok(
        &Command::new("certutil")
            .args(["-A", "-n", nick, "-t", flags, "-d", db, "-i"])
            .arg(ca_pem)
            .output()
            .unwrap(),
    );
}

/// `modutil -dbdir DB -add NAME -libfile LIB -force`, run as `modutil` is given (the
/// environment the module needs behind it).
pub fn nss_add_module(mut modutil: Command, db: &str, name: &str, lib: &Path) {
    let out = modutil
        .args(["-dbdir", db, "-add", name, "-libfile"])
        .arg(lib)
        .arg("-force")
        .output()
        .unwrap();
    assert_ok(&out);
}

/// `cmsutil -S`: a detached CMS signature of `msg` into `p7s` by the certificate `nick` of
/// `db` (its token's PIN in `pin_file`), run as `cmsutil` is given.
pub fn cmsutil_sign(
    mut cmsutil: Command,
    db: &str,
    nick: &str,
    msg: &Path,
    p7s: &Path,
    pin_file: &Path,
) {
    let out = cmsutil
        .args(["-S", "-d", db, "-N", nick, "-G", "-Y", "NONE", "-T"])
        .arg("-i")
        .arg(msg)
        .arg("-o")
        .arg(p7s)
        .arg("-f")
        .arg(pin_file)
        .output()
        .unwrap();
    assert_ok(&out);
}

/// `pdfsig -nssdir DB PDF`: its stdout and stderr (the exit status is 0 even for invalid
/// signatures).
pub fn pdfsig(db: &str, pdf: &Path) -> String {
    let out = Command::new("pdfsig")
        .args(["-nssdir", db])
        .arg(pdf)
        .output()
        .unwrap();
    format!("{}{}", stdout(&out), stderr(&out))
}
