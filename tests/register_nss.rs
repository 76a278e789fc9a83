//! `kyso register` against real NSS databases (made with NSS's certutil) in a temporary HOME:
//! Firefox profiles from profiles.ini (a live one, a locked one, an old dbm: one, one never
//! started, one owned by another user), snap Firefox, Thunderbird, and the shared
//! `~/.pki/nssdb`; checked with NSS's own `modutil -list`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::nss::*;
use common::*;

struct Home {
    fx: Fixture,
    home: PathBuf,
}

impl Home {
    fn new() -> Home {
        let fx = Fixture::new();
        let home = fx.path("home");
        std::fs::create_dir(&home).unwrap();
        Home { fx, home }
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.home.join(rel)
    }

    /// `kyso ARGS…` as the user of this HOME (the module behind NSS reaches the fixture).
    fn kyso(&self, args: &[&str]) -> std::process::Output {
        self.fx.kyso_at_home(&self.home, args)
    }

    /// `modutil -list` of a database, loading the modules (kyso's with the fixture behind it).
    fn modutil_list(&self, db: &Path) -> String {
        let out = self
            .fx
            .through_module("modutil")
            .arg("-dbdir")
            .arg(format!("sql:{}", db.display()))
            .arg("-list")
            .output()
            .unwrap();
        assert_ok(&out);
        stdout(&out)
    }
}

fn place<'a>(report: &'a serde_json::Value, path: &Path) -> &'a serde_json::Value {
    report["places"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["path"] == path.to_str().unwrap())
        .unwrap_or_else(|| panic!("{} not in the report: {report:#}", path.display()))
}

fn status(report: &serde_json::Value, path: &Path) -> String {
    place(report, path)["status"].as_str().unwrap().to_owned()
}

/// Names and libraries of a `modutil -list` output: ("kyso", "/…/libkyso_pkcs11.so").
fn modules(list: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut name = None;
    for line in list.lines() {
        let t = line.trim();
        if let Some((n, rest)) = t.split_once(". ") {
            if n.chars().all(|c| c.is_ascii_digit()) {
                name = Some(rest.to_owned());
            }
        }
        if let Some(lib) = t.strip_prefix("library name: ") {
            out.push((name.clone().unwrap(), lib.to_owned()));
        }
    }
    out
}

fn module_path() -> String {
    kyso_module().canonicalize().unwrap().display().to_string()
}

/// A HOME with the usual places, and some that must not be touched.
fn populated() -> (Home, Vec<PathBuf>) {
    let h = Home::new();
    let ff = h.p(".mozilla/firefox");
    std::fs::create_dir_all(&ff).unwrap();
    std::fs::write(
        ff.join("profiles.ini"),
        format!(
            "[Install4F96D1932A9F858E]\nDefault=abc.default-release\n\n\
             [Profile0]\nName=default-release\nIsRelative=1\nPath=abc.default-release\nDefault=1\n\n\
             [Profile1]\nName=old\nIsRelative=1\nPath=old.default\n\n\
             [Profile2]\nName=running\nIsRelative=1\nPath=run.running\n\n\
             [Profile3]\nName=never-started\nIsRelative=1\nPath=new.never\n\n\
             [Profile4]\nName=elsewhere\nIsRelative=0\nPath={}\n\n\
             [General]\nStartWithLastProfile=1\nVersion=2\n",
            h.p("profiles/elsewhere").display()
        ),
    )
    .unwrap();
    nss_db(&ff.join("abc.default-release"));
    // A Firefox from before 58: Berkeley DB files, which kyso must not touch.
    let old = ff.join("old.default");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(old.join("cert8.db"), b"legacy cert db").unwrap();
    std::fs::write(old.join("secmod.db"), b"legacy module db").unwrap();
    // A profile Firefox has open: its lock points to a live process (this test).
    let running = ff.join("run.running");
    nss_db(&running);
    std::os::unix::fs::symlink(
        format!("127.0.1.1:+{}", std::process::id()),
        running.join("lock"),
    )
    .unwrap();
    std::fs::create_dir_all(ff.join("new.never")).unwrap();
    nss_db(&h.p("profiles/elsewhere"));
    // A profile left with a stale lock (Firefox crashed): its process is gone.
    let crashed = ff.join("crashed.default");
    nss_db(&crashed);
    std::os::unix::fs::symlink("127.0.1.1:+999999999", crashed.join("lock")).unwrap();
    // snap Firefox and Thunderbird.
    let snap = h.p("snap/firefox/common/.mozilla/firefox");
    std::fs::create_dir_all(&snap).unwrap();
    std::fs::write(
        snap.join("profiles.ini"),
        "[Profile0]\nName=default\nIsRelative=1\nPath=snp.default\n",
    )
    .unwrap();
    nss_db(&snap.join("snp.default"));
    // flatpak Firefox: PIDs of its sandbox cannot be checked, any lock means in use.
    let fp = h.p(".var/app/org.mozilla.firefox/.mozilla/firefox");
    std::fs::create_dir_all(&fp).unwrap();
    std::fs::write(
        fp.join("profiles.ini"),
        "[Profile0]\nName=default\nIsRelative=1\nPath=fp.default\n",
    )
    .unwrap();
    nss_db(&fp.join("fp.default"));
    std::os::unix::fs::symlink("127.0.1.1:+999999999", fp.join("fp.default/lock")).unwrap();
    let tb = h.p(".thunderbird");
    std::fs::create_dir_all(&tb).unwrap();
    std::fs::write(
        tb.join("profiles.ini"),
        "[Profile0]\nName=default-release\nIsRelative=1\nPath=tb.default-release\n",
    )
    .unwrap();
    nss_db(&tb.join("tb.default-release"));
    let registered = vec![
        ff.join("abc.default-release"),
        h.p("profiles/elsewhere"),
        crashed,
        snap.join("snp.default"),
        tb.join("tb.default-release"),
        h.p(".pki/nssdb"),
    ];
    (h, registered)
}

#[test]
fn register_reaches_every_nss_database_and_is_idempotent_and_removable() {
    let (h, registered) = populated();
    let ff = h.p(".mozilla/firefox");
    let old_files = std::fs::read(ff.join("old.default/secmod.db")).unwrap();
    let running_txt = std::fs::read(ff.join("run.running/pkcs11.txt")).unwrap();

    // Dry run: says what it would do, changes nothing.
    let out = h.kyso(&["--json", "register", "--dry-run"]);
    let r = json(&out);
    assert_eq!(r["dry_run"], true);
    for db in &registered {
        assert_eq!(status(&r, db), "registered", "{r:#}");
    }
    assert!(!h.p(".pki").exists(), "dry run created ~/.pki");
    assert!(!h.p(".config/pkcs11").exists());
    let list = h.modutil_list(&registered[0]);
    assert!(modules(&list).is_empty(), "{list}");

    // The real thing: the module is found next to the kyso binary.
    let out = h.kyso(&["--json", "register"]);
    let r = json(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a running profile was skipped: {r:#}"
    );
    assert_eq!(r["ok"], false);
    assert_eq!(r["module"], module_path());
    for db in &registered {
        assert_eq!(status(&r, db), "registered", "{r:#}");
        let list = h.modutil_list(db);
        assert_eq!(
            modules(&list),
            [("kyso".to_owned(), module_path())],
            "{}: {list}",
            db.display()
        );
        assert!(
            list.contains("token: kyso-test"),
            "NSS reaches the tokens through kyso: {list}"
        );
    }
    assert_eq!(
        place(&r, &h.p(".pki/nssdb"))["detail"],
        "created the database"
    );
    assert_eq!(status(&r, &ff.join("old.default")), "legacy_dbm");
    assert_eq!(
        std::fs::read(ff.join("old.default/secmod.db")).unwrap(),
        old_files
    );
    assert!(!ff.join("old.default/pkcs11.txt").exists());
    let running = place(&r, &ff.join("run.running"));
    assert_eq!(running["status"], "in_use");
    assert!(
        running["detail"]
            .as_str()
            .unwrap()
            .contains("close Firefox first"),
        "{running:#}"
    );
    assert_eq!(
        std::fs::read(ff.join("run.running/pkcs11.txt")).unwrap(),
        running_txt
    );
    assert_eq!(status(&r, &ff.join("new.never")), "no_database");
    let flatpak = h.p(".var/app/org.mozilla.firefox/.mozilla/firefox/fp.default");
    assert_eq!(status(&r, &flatpak), "in_use");
    assert!(modules(&h.modutil_list(&flatpak)).is_empty());
    let p11 = h.p(".config/pkcs11/modules/kyso.module");
    assert_eq!(status(&r, &p11), "registered");
    let text = std::fs::read_to_string(&p11).unwrap();
    assert!(
        text.lines()
            .any(|l| l == format!("module: {}", module_path())),
        "{text}"
    );

    // Again: nothing changes, every file stays as it was.
    let before: Vec<_> = registered
        .iter()
        .map(|d| std::fs::read(d.join("pkcs11.txt")).unwrap())
        .collect();
    let out = h.kyso(&["--json", "register"]);
    let r = json(&out);
    for (db, txt) in registered.iter().zip(&before) {
        assert_eq!(status(&r, db), "already_registered", "{r:#}");
        assert_eq!(&std::fs::read(db.join("pkcs11.txt")).unwrap(), txt);
    }
    assert_eq!(status(&r, &p11), "already_registered");

    // --force also takes the running profile.
    let out = h.kyso(&["--json", "register", "--force"]);
    assert_ok(&out);
    let r = json(&out);
    assert_eq!(status(&r, &ff.join("run.running")), "registered", "{r:#}");
    assert_eq!(status(&r, &flatpak), "registered", "{r:#}");

    // The module moved: every place is updated to the new path, with one entry.
    let moved = h.fx.path("opt/kyso");
    std::fs::create_dir_all(&moved).unwrap();
    let new_module = moved.join("libkyso_pkcs11.so");
    std::fs::copy(kyso_module(), &new_module).unwrap();
    let out = h.kyso(&[
        "--json",
        "register",
        "--module-path",
        new_module.to_str().unwrap(),
    ]);
    let r = json(&out);
    for db in &registered {
        assert_eq!(status(&r, db), "updated", "{r:#}");
        let list = h.modutil_list(db);
        assert_eq!(
            modules(&list),
            [("kyso".to_owned(), new_module.display().to_string())],
            "{list}"
        );
    }
    assert_eq!(status(&r, &p11), "updated");

    // --remove --dry-run changes nothing; --remove undoes everything; again finds nothing.
    let out = h.kyso(&["--json", "register", "--remove", "--dry-run"]);
    let r = json(&out);
    for db in &registered {
        assert_eq!(status(&r, db), "removed", "{r:#}");
        assert_eq!(modules(&h.modutil_list(db)).len(), 1);
    }
    assert!(p11.exists());
    let out = h.kyso(&["--json", "register", "--remove", "--force"]);
    assert_ok(&out);
    let r = json(&out);
    for db in registered.iter().chain([&ff.join("run.running"), &flatpak]) {
        assert_eq!(status(&r, db), "removed", "{r:#}");
        let list = h.modutil_list(db);
        assert!(modules(&list).is_empty(), "{list}");
    }
    assert!(!p11.exists());
    let out = h.kyso(&["--json", "register", "--remove"]);
    let r = json(&out);
    for db in &registered {
        assert_eq!(status(&r, db), "not_registered", "{r:#}");
    }
    assert_eq!(status(&r, &p11), "not_registered");
}

#[test]
fn register_text_output_and_a_module_registered_by_hand() {
    let h = Home::new();
    let db = h.p(".pki/nssdb");
    let sql = nss_db(&db);
    // Someone added kyso by hand under another name: register replaces it with one entry.
    nss_add_module(
        h.fx.through_module("modutil"),
        &sql,
        "Kyso token",
        &kyso_module(),
    );
    let out = h.kyso(&["register"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("module {}\n", module_path())),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "updated              Chromium/Chrome/Edge/LibreOffice shared NSS DB: {}",
            db.display()
        )),
        "{text}"
    );
    assert!(text.contains("replaces Kyso token ("), "{text}");
    assert!(
        text.contains("registered           p11-kit module file: "),
        "{text}"
    );
    assert!(text.contains("restart the applications"), "{text}");
    assert_eq!(
        modules(&h.modutil_list(&db)),
        [("kyso".to_owned(), module_path())]
    );
}

#[test]
fn register_refuses_a_database_of_another_user_and_a_missing_module() {
    let h = Home::new();
    let db = h.p(".pki/nssdb");
    nss_db(&db);
    // This test runs as root in CI; as another user chown is refused and there is nothing to
    // check.
    let chown = Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(&db)
        .status()
        .unwrap();
    if chown.success() {
        let out = h.kyso(&["--json", "register"]);
        assert_eq!(out.status.code(), Some(1));
        let r = json(&out);
        let p = place(&r, &db);
        assert_eq!(p["status"], "other_owner", "{r:#}");
        assert!(p["detail"].as_str().unwrap().contains("uid 65534"));
        assert!(modules(&h.modutil_list(&db)).is_empty());
    }
    let out = h.kyso(&[
        "register",
        "--module-path",
        "/nonexistent/libkyso_pkcs11.so",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/nonexistent/libkyso_pkcs11.so"),
        "{}",
        stderr(&out)
    );
    let out = h.kyso(&["register", "--module-path", "/etc/hostname"]);
    assert!(
        stderr(&out).contains("is not a shared library"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn register_system_dry_run_names_the_machine_module_file_only() {
    let h = Home::new();
    let out = h.kyso(&["--json", "register", "--system", "--dry-run"]);
    let r = json(&out);
    let places = r["places"].as_array().unwrap();
    assert_eq!(places.len(), 1, "{r:#}");
    assert_eq!(places[0]["path"], "/etc/pkcs11/modules/kyso.module");
    assert_eq!(places[0]["kind"], "p11-kit");
    assert!(!h.p(".pki").exists());
}

#[test]
fn doctor_reports_the_registration_state() {
    let h = Home::new();
    let check = |out: &std::process::Output| -> serde_json::Value {
        doctor_check(&json(out), "kyso module registered in browsers").clone()
    };
    let doctor = |h: &Home| {
        h.fx.kyso()
            .env("HOME", &h.home)
            .env_remove("XDG_DATA_HOME")
            .args(["--json", "--module", SOFTHSM, "doctor"])
            .output()
            .unwrap()
    };
    let out = doctor(&h);
    let c = check(&out);
    assert_eq!(c["status"], "warn", "{c:#}");
    assert!(
        c["fix"].as_str().unwrap().contains("kyso register"),
        "{c:#}"
    );
    assert_ok(&h.kyso(&["register"]));
    let out = doctor(&h);
    let c = check(&out);
    assert_eq!(c["status"], "ok", "{c:#}");
    assert!(
        c["detail"].as_str().unwrap().contains("shared NSS DB"),
        "{c:#}"
    );
}
