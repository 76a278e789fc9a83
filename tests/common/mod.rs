//! Test support: SoftHSM tokens built by `tests/fixtures/make-softhsm-token.sh` (independent
//! tools only), the `kyso` binary, OpenSC's `pkcs11-spy` to count calls, and openssl to verify.
#![allow(dead_code)]

pub mod browser;
pub mod csc;
pub mod einvoice;
pub mod mount;
pub mod nss;
pub mod pcscd;
pub mod piv;
pub mod png;
pub mod pyhanko;
pub mod qpdf;
pub mod servers;
pub mod small_pdf;
pub mod sparse_pdf;
pub mod vcard;
pub mod xmldsig;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
pub const SPY: &str = "/usr/lib/x86_64-linux-gnu/pkcs11-spy.so";
pub const OPENSC: &str = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so";
pub const PIN: &str = "123456";

/// `CKF_USER_PIN_FINAL_TRY` and `CKF_USER_PIN_LOCKED`.
pub const FINAL_TRY: u64 = 0x0002_0000;
pub const LOCKED: u64 = 0x0004_0000;

/// A private copy of the fixture tokens.
pub struct Fixture {
    _tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub conf: PathBuf,
}

impl Fixture {
    /// Copies the master fixture (built once per target dir, under a file lock) so each test
    /// has its own tokens and PIN state.
    pub fn new() -> Fixture {
        let master = master_fixture();
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("fx");
        let st = Command::new("cp")
            .arg("-a")
            .arg(&master)
            .arg(&dir)
            .status()
            .unwrap();
        assert!(st.success());
        let conf = dir.join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                dir.join("tokens").display()
            ),
        )
        .unwrap();
        Fixture {
            _tmp: tmp,
            dir,
            conf,
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Writes a PIN file in the fixture dir.
    pub fn pin_file(&self, pin: &str) -> PathBuf {
        let p = self.dir.join(format!("pin-{pin}"));
        std::fs::write(&p, pin).unwrap();
        p
    }

    /// A `kyso` command with this fixture's SoftHSM config and no user configuration.
    pub fn kyso(&self) -> Command {
        let mut c = Command::new(kyso_bin());
        c.env("SOFTHSM2_CONF", &self.conf)
            .env_remove("KYSO_CONFIG")
            .env("XDG_CONFIG_HOME", self.dir.join("no-config"))
            // English, whatever the machine's locale (tests/i18n_softhsm.rs sets others)
            .env("LANG", "C.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .current_dir(&self.dir);
        c
    }

    /// A kyso.toml naming SoftHSM, for the PKCS#11 module and the CLI.
    pub fn kyso_toml(&self) -> PathBuf {
        let p = self.dir.join("kyso.toml");
        std::fs::write(
            &p,
            format!("[[module]]\npath = \"{SOFTHSM}\"\nname = \"softhsm\"\n"),
        )
        .unwrap();
        p
    }

    /// A command run against `libkyso_pkcs11.so` with this fixture (SoftHSM behind it).
    pub fn through_module(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("SOFTHSM2_CONF", &self.conf)
            .env("KYSO_CONFIG", self.kyso_toml())
            .env("KYSO_LOG", self.dir.join("kyso-module.log"))
            .current_dir(&self.dir);
        c
    }

    /// `kyso --module SoftHSM ARGS…`.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut c = self.kyso();
        c.arg("--module").arg(SOFTHSM).args(args);
        c.output().unwrap()
    }

    /// `sign --format FORMAT --token kyso-test --key-id KEY --pin-file PIN EXTRA…`, the PIN
    /// (the fixture's) in a file: how a test signs with a fixture key. EXTRA holds the
    /// test's own options and the files.
    pub fn sign_args(&self, format: &str, key_id: &str, extra: &[&str]) -> Vec<String> {
        let pin = self.pin_file(PIN);
        let mut args: Vec<String> = ["sign", "--format", format, "--token", "kyso-test"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend(["--key-id".into(), key_id.into(), "--pin-file".into()]);
        args.push(pin.display().to_string());
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    }

    /// `kyso --module SoftHSM` with [`Fixture::sign_args`].
    pub fn sign(&self, format: &str, key_id: &str, extra: &[&str]) -> Output {
        self.run(&strs(&self.sign_args(format, key_id, extra)))
    }

    /// `kyso --module SoftHSM --json` with [`Fixture::sign_args`].
    pub fn sign_json(&self, format: &str, key_id: &str, extra: &[&str]) -> Output {
        let mut args = vec!["--json".to_owned()];
        args.extend(self.sign_args(format, key_id, extra));
        self.run(&strs(&args))
    }

    /// `kyso --json verify --offline --trust ca.pem ARGS…`: kyso's verdict on what a fixture
    /// key signed, the fixture CA the one anchor.
    pub fn verify_json(&self, args: &[&str]) -> Output {
        self.verify(true, args)
    }

    /// `kyso verify --offline --trust ca.pem ARGS…`, the text report.
    pub fn verify_text(&self, args: &[&str]) -> Output {
        self.verify(false, args)
    }

    fn verify(&self, json: bool, args: &[&str]) -> Output {
        let ca = self.path("ca.pem");
        let mut v = if json { vec!["--json"] } else { vec![] };
        v.extend(["verify", "--offline", "--trust", ca.to_str().unwrap()]);
        v.extend_from_slice(args);
        self.run(&v)
    }

    /// `kyso --module pkcs11-spy ARGS…`: every PKCS#11 call logged to the returned file.
    pub fn run_spied(&self, args: &[&str]) -> (Output, PathBuf) {
        let log = self.dir.join(format!("spy-{}.log", rand_suffix()));
        let out = self
            .kyso()
            .env("PKCS11SPY", SOFTHSM)
            .env("PKCS11SPY_OUTPUT", &log)
            .arg("--module")
            .arg(SPY)
            .args(args)
            .output()
            .unwrap();
        (out, log)
    }

    /// Deletes the token labelled `label` from this fixture's SoftHSM store.
    pub fn remove_token(&self, label: &str) {
        let padded = format!("{label:<32}");
        for entry in std::fs::read_dir(self.dir.join("tokens")).unwrap() {
            let dir = entry.unwrap().path();
            let data = std::fs::read(dir.join("token.object")).unwrap_or_default();
            if data.windows(32).any(|w| w == padded.as_bytes()) {
                std::fs::remove_dir_all(&dir).unwrap();
                return;
            }
        }
        panic!("token {label} not found");
    }

    /// Sets bits in the token flags SoftHSM keeps in `token.object` (attribute
    /// `CKA_OS_TOKENFLAGS`, type 0x8000534b, a big-endian u64): how a test makes a real module
    /// report a PIN as final-try or locked, which SoftHSM itself never does.
    pub fn set_token_flags(&self, label: &str, bits: u64) {
        for entry in std::fs::read_dir(self.dir.join("tokens")).unwrap() {
            let path = entry.unwrap().path().join("token.object");
            let mut data = std::fs::read(&path).unwrap();
            let padded = format!("{label:<32}");
            if !data.windows(32).any(|w| w == padded.as_bytes()) {
                continue;
            }
            let marker = [0, 0, 0, 0, 0x80, 0, 0x53, 0x4b, 0, 0, 0, 0, 0, 0, 0, 2];
            let at = data
                .windows(marker.len())
                .position(|w| w == marker)
                .expect("token flags attribute")
                + marker.len();
            let mut v = u64::from_be_bytes(data[at..at + 8].try_into().unwrap());
            v |= bits;
            data[at..at + 8].copy_from_slice(&v.to_be_bytes());
            std::fs::write(&path, data).unwrap();
            return;
        }
        panic!("token {label} not found");
    }
}

/// The repository root, from the root crate's tests or the module's.
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    if manifest.join("tests/fixtures").is_dir() {
        manifest.to_owned()
    } else {
        manifest.parent().unwrap().to_owned()
    }
}

/// Where cargo put the binaries of this build (`target/debug`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_owned()
}

/// The `kyso` binary of this build (`KYSO_TEST_KYSO` names another one: how a test is shown
/// to fail on an earlier build).
pub fn kyso_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("KYSO_TEST_KYSO") {
        return PathBuf::from(p);
    }
    match option_env!("CARGO_BIN_EXE_kyso") {
        Some(p) => PathBuf::from(p),
        None => target_dir().join("kyso"),
    }
}

/// The module under test, `libkyso_pkcs11.so` of this build.
pub fn kyso_module() -> PathBuf {
    target_dir().join("libkyso_pkcs11.so")
}

/// The deliberately broken module of `test-support/bad-module`; `KYSO_BAD_MODULE` picks how it
/// lies.
pub fn bad_module() -> PathBuf {
    let m = target_dir().join("libkyso_bad_pkcs11.so");
    assert!(
        m.exists(),
        "{} not built: run `cargo build --workspace` first",
        m.display()
    );
    m
}

/// Runs `c` with a time limit (120 s) and a 4 GiB address-space limit, so that a module's lie
/// about a length (an allocation of gigabytes, an endless loop) fails the test instead of
/// hanging it or eating the machine. Exit code 124 is the timeout.
pub fn bounded(c: &Command) -> Output {
    let mut b = Command::new("sh");
    b.arg("-c")
        .arg("ulimit -v 4194304; exec timeout 120 \"$@\"")
        .arg("sh")
        .arg(c.get_program())
        .args(c.get_args());
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => b.env(k, v),
            None => b.env_remove(k),
        };
    }
    if let Some(dir) = c.get_current_dir() {
        b.current_dir(dir);
    }
    b.output().unwrap()
}

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    format!(
        "{}",
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

/// Builds the fixture tokens once into the target dir.
fn master_fixture() -> PathBuf {
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(&base).unwrap();
    let master = base.join("softhsm-fixture");
    let lock = File::create(base.join("softhsm-fixture.lock")).unwrap();
    lock.lock().unwrap();
    if !master.join("ok").exists() {
        let _ = std::fs::remove_dir_all(&master);
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/make-softhsm-token.sh");
        let out = Command::new("bash")
            .arg(script)
            .arg(&master)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "fixture script failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(master.join("ok"), "").unwrap();
    }
    master
}

/// Counts calls of one PKCS#11 function in a pkcs11-spy log.
pub fn spy_count(log: &Path, function: &str) -> usize {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.lines()
        .filter(|l| {
            l.split_once(": ")
                .is_some_and(|(n, f)| n.chars().all(|c| c.is_ascii_digit()) && f.trim() == function)
        })
        .count()
}

/// The `&str`s of owned arguments, for [`Fixture::run`] and [`Fixture::run_spied`].
pub fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", stdout(o), stderr(o)))
}

#[track_caller]
pub fn assert_ok(o: &Output) {
    assert!(
        o.status.success(),
        "failed ({:?}):\n{}\n{}",
        o.status,
        stdout(o),
        stderr(o)
    );
}

/// The check called `name` in a `kyso --json doctor` report.
pub fn doctor_check<'a>(doctor: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    doctor["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no check {name}: {doctor:#}"))
}

/// Verifies a signature with `openssl dgst`, independently of kyso.
pub fn openssl_verify(pubkey: &Path, alg: &str, data: &Path, sig: &Path) -> bool {
    let hash = alg.rsplit('-').next().unwrap();
    let mut c = Command::new("openssl");
    c.arg("dgst").arg(format!("-{hash}"));
    if alg.starts_with("rsa-pss") {
        c.args([
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:digest",
        ]);
    }
    let out = c
        .arg("-verify")
        .arg(pubkey)
        .arg("-signature")
        .arg(sig)
        .arg(data)
        .output()
        .unwrap();
    out.status.success() && String::from_utf8_lossy(&out.stdout).contains("Verified OK")
}

/// `openssl cms -verify` of a detached DER signature against the fixture's CA, independently
/// of kyso; returns (accepted, openssl's stderr).
pub fn openssl_cms_verify(fx: &Fixture, content: &Path, p7s: &Path) -> (bool, String) {
    openssl_cms_verify_with(&fx.path("ca.pem"), content, p7s)
}

/// [`openssl_cms_verify`] against the CA certificates of `ca_file` (PEM).
pub fn openssl_cms_verify_with(ca_file: &Path, content: &Path, p7s: &Path) -> (bool, String) {
    let out = Command::new("openssl")
        .args([
            "cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any", "-in",
        ])
        .arg(p7s)
        .arg("-content")
        .arg(content)
        .arg("-CAfile")
        .arg(ca_file)
        .args(["-out", "/dev/null"])
        .output()
        .unwrap();
    let err = stderr(&out);
    (
        out.status.success() && err.contains("Verification successful"),
        err,
    )
}
