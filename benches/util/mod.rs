//! Shared by the benches: the SoftHSM fixture token, child processes, and statistics.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;

pub const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
pub const PIN: &str = "123456";

/// The fixture token (tests/fixtures/make-softhsm-token.sh) in a temporary directory, with a
/// `kyso.toml` naming SoftHSM and a PIN file.
pub struct Fixture {
    pub tmp: tempfile::TempDir,
    pub dir: PathBuf,
}

impl Fixture {
    pub fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("fx");
        let st = Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/make-softhsm-token.sh"))
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        std::fs::write(
            dir.join("kyso.toml"),
            format!("[[module]]\nname = \"softhsm\"\npath = \"{SOFTHSM}\"\n"),
        )
        .unwrap();
        std::fs::write(dir.join("pin"), PIN).unwrap();
        Fixture { tmp, dir }
    }

    /// A command with this token's SoftHSM and kyso configuration.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env("SOFTHSM2_CONF", self.dir.join("softhsm2.conf"))
            .env("KYSO_CONFIG", self.dir.join("kyso.toml"))
            .env_remove("KYSO_LOG");
        c
    }

    pub fn kyso(&self) -> Command {
        self.command(env!("CARGO_BIN_EXE_kyso"))
    }

    pub fn pin_file(&self) -> PathBuf {
        self.dir.join("pin")
    }
}

/// Runs the command, asserts success, returns the wall time in seconds.
pub fn timed(cmd: &mut Command) -> f64 {
    let start = Instant::now();
    let out = cmd.output().unwrap();
    let t = start.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    t
}

/// Runs the command under GNU time; returns (seconds, peak RSS in KiB).
pub fn timed_rss(cmd: &Command) -> (f64, u64) {
    let (secs, rss, _) = timed_gnu(cmd);
    (secs, rss)
}

/// Runs the command under GNU time; returns (wall seconds, user + system CPU seconds).
#[allow(dead_code)]
pub fn timed_cpu(cmd: &Command) -> (f64, f64) {
    let (secs, _, cpu) = timed_gnu(cmd);
    (secs, cpu)
}

fn timed_gnu(cmd: &Command) -> (f64, u64, f64) {
    let mut t = Command::new("/usr/bin/time");
    t.arg("-f")
        .arg("KYSO_MAXRSS %M KYSO_CPU %U %S")
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => t.env(k, v),
            None => t.env_remove(k),
        };
    }
    let start = Instant::now();
    let out = t.output().unwrap();
    let secs = start.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{cmd:?}: {err}");
    let rss = err
        .lines()
        .find_map(|l| l.strip_prefix("KYSO_MAXRSS "))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("GNU time (Debian package `time`) prints the peak RSS");
    let cpu = err
        .lines()
        .find_map(|l| l.split_once("KYSO_CPU ").map(|(_, v)| v))
        .map(|v| {
            v.split_whitespace()
                .filter_map(|x| x.parse::<f64>().ok())
                .sum()
        })
        .unwrap_or(0.0);
    (secs, rss, cpu)
}

/// (median, min, max).
pub fn stats(v: &[f64]) -> (f64, f64, f64) {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

/// `median (min–max)` with `d` decimals.
pub fn fmt(v: &[f64], d: usize) -> String {
    let (m, lo, hi) = stats(v);
    format!("{m:.d$} ({lo:.d$}–{hi:.d$})")
}

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One line about the machine and its load, for the report.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    format!(
        "{cpu}, {} cores, load average {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    )
}

/// A small deterministic generator (no dependency, same files every run).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 11
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() as f64) / ((1u64 << 53) as f64)
    }
}

/// Signatures per second of bare `C_Sign` with key 01 (CKM_RSA_PKCS over a SHA-256 DigestInfo).
pub struct Bare {
    _ctx: Pkcs11,
    session: cryptoki::session::Session,
    key: cryptoki::object::ObjectHandle,
}

impl Bare {
    /// On the fixture's SoftHSM token `kyso-test`.
    pub fn new(fx: &Fixture) -> Bare {
        std::env::set_var("SOFTHSM2_CONF", fx.dir.join("softhsm2.conf"));
        Bare::open(SOFTHSM, PIN, "kyso-test")
    }

    /// On the token labelled `label` (any, when empty) of `module`, logged in with `pin`.
    pub fn open(module: &str, pin: &str, label: &str) -> Bare {
        let ctx = Pkcs11::new(module).unwrap();
        ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .unwrap();
        let slot = ctx
            .get_slots_with_token()
            .unwrap()
            .into_iter()
            .find(|s| {
                label.is_empty()
                    || ctx
                        .get_token_info(*s)
                        .is_ok_and(|t| t.label().trim() == label)
            })
            .unwrap();
        let session = ctx.open_ro_session(slot).unwrap();
        session
            .login(UserType::User, Some(&AuthPin::from(pin)))
            .unwrap();
        let key = session
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Id(vec![1]),
            ])
            .unwrap()[0];
        Bare {
            _ctx: ctx,
            session,
            key,
        }
    }

    pub fn rate(&self, n: usize) -> f64 {
        let input = kyso::HashAlg::Sha256.digest_info(&[7; 32]).unwrap();
        let start = Instant::now();
        for _ in 0..n {
            self.session
                .sign(&Mechanism::RsaPkcs, self.key, &input)
                .unwrap();
        }
        n as f64 / start.elapsed().as_secs_f64()
    }
}
