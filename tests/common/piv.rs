//! The virtual PIV card (`test-support/piv-card`) in vpcd's first reader: its process running
//! is the card inserted, killing it is the card pulled out. Each test gets its own copy of a
//! card state made once per target dir (keys, test CA, Vietnamese certificates, PIN 123456,
//! 3 retries); the PIN counter lives in that file, as on the card.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kyso::devices::pcsc::{scan, CardState, PcscStatus};

use super::pcscd::{PATIENCE, READER0, VPCD_PORT0};
use super::target_dir;

/// The card's PIN (test value) and its slots' PKCS#11 ids as OpenSC's PIV driver gives them.
pub const PIV_PIN: &str = "123456";
/// 9A (PIV authentication, RSA-2048): `CKA_ID` 01.
pub const ID_9A: &str = "01";
/// 9C (digital signature, ECC P-256, PIN always): `CKA_ID` 02.
pub const ID_9C: &str = "02";

/// The piv-card binary of this build.
pub fn piv_card_bin() -> PathBuf {
    let p = target_dir().join("piv-card");
    assert!(
        p.exists(),
        "{} not built: run `cargo build --workspace` first",
        p.display()
    );
    p
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A card state made once per target dir, under a file lock.
fn master_state() -> PathBuf {
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(&base).unwrap();
    let master = base.join("piv-card-master.json");
    let lock = File::create(base.join("piv-card-master.lock")).unwrap();
    lock.lock().unwrap();
    if !master.exists() {
        let tmp = base.join("piv-card-master.json.new");
        let out = Command::new(piv_card_bin())
            .args(["init", "--retries", "3", "--state"])
            .arg(&tmp)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "piv-card init: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::rename(&tmp, &master).unwrap();
    }
    master
}

/// A virtual PIV card owned by one test.
pub struct PivCard {
    pub dir: PathBuf,
    pub state: PathBuf,
    /// One line per APDU the card answered (headers and lengths, no data).
    pub log: PathBuf,
    /// Time each signature takes.
    pub latency_ms: u64,
    /// ATR to present instead of the card's own (hex).
    pub atr: Option<String>,
    child: Option<Child>,
}

impl PivCard {
    /// A fresh card (not inserted) with its files in `dir`.
    pub fn new(dir: &Path) -> PivCard {
        std::fs::create_dir_all(dir).unwrap();
        let state = dir.join("piv-card.json");
        std::fs::copy(master_state(), &state).unwrap();
        PivCard {
            dir: dir.to_owned(),
            log: dir.join("piv-apdus.log"),
            state,
            latency_ms: 0,
            atr: None,
            child: None,
        }
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(&self.state).unwrap()).unwrap()
    }

    /// PIN retries left, as the card keeps them.
    pub fn retries_left(&self) -> u64 {
        self.json()["pin_retries_left"].as_u64().unwrap()
    }

    /// Sets the counter (the card must be out: it reads its state when inserted).
    pub fn set_retries_left(&self, n: u8) {
        assert!(self.child.is_none(), "change the state with the card out");
        let mut v = self.json();
        v["pin_retries_left"] = n.into();
        std::fs::write(&self.state, v.to_string()).unwrap();
    }

    /// APDU log lines.
    pub fn apdus(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// VERIFY commands that carried a PIN (status queries carry none).
    pub fn pin_verifications(&self) -> usize {
        self.apdus()
            .iter()
            .filter(|l| l.starts_with("00 20 00 80 lc=8"))
            .count()
    }

    /// Signatures the card made (GENERAL AUTHENTICATE answered 9000 or 61xx).
    pub fn signatures(&self) -> usize {
        self.apdus()
            .iter()
            .filter(|l| l.starts_with("00 87") && (l.ends_with(" 9000") || l.contains(" bytes 61")))
            .count()
    }

    /// The certificate of a slot (`9a`…), DER.
    pub fn certificate(&self, slot: &str) -> Vec<u8> {
        let v = self.json();
        let s = v["slots"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["slot"] == slot)
            .unwrap();
        unhex(s["certificate"].as_str().unwrap())
    }

    /// The public key of a slot's certificate as a PEM file, extracted by openssl.
    pub fn public_key_pem(&self, slot: &str) -> PathBuf {
        let der = self.dir.join(format!("{slot}.der"));
        std::fs::write(&der, self.certificate(slot)).unwrap();
        let out = Command::new("openssl")
            .args(["x509", "-inform", "DER", "-pubkey", "-noout", "-in"])
            .arg(&der)
            .output()
            .unwrap();
        assert!(out.status.success());
        let pem = self.dir.join(format!("{slot}.pub.pem"));
        std::fs::write(&pem, out.stdout).unwrap();
        pem
    }

    /// Inserts the card: starts its process and waits until pcscd sees it.
    pub fn insert(&mut self) {
        assert!(self.child.is_none(), "already inserted");
        let mut cmd = Command::new(piv_card_bin());
        if let Some(atr) = &self.atr {
            cmd.arg("run").arg("--atr").arg(atr);
        } else {
            cmd.arg("run");
        }
        let child = cmd
            .arg("--state")
            .arg(&self.state)
            .arg("--port")
            .arg(VPCD_PORT0.to_string())
            .arg("--latency-ms")
            .arg(self.latency_ms.to_string())
            .arg("--log")
            .arg(&self.log)
            .stdin(Stdio::null())
            .spawn()
            .expect("start piv-card");
        self.child = Some(child);
        self.wait_present(true);
    }

    /// Pulls the card out: kills its process (no goodbye, like a token yanked from the port)
    /// and waits until pcscd sees the reader empty.
    pub fn remove(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
            self.wait_present(false);
        }
    }

    /// Whether the card's process runs.
    pub fn inserted(&self) -> bool {
        self.child.is_some()
    }

    fn wait_present(&mut self, present: bool) {
        let until = Instant::now() + PATIENCE;
        loop {
            let now = match scan() {
                PcscStatus::Running { readers } => readers
                    .iter()
                    .any(|r| r.name == READER0 && matches!(r.card, CardState::Present { .. })),
                _ => false,
            };
            if now == present {
                return;
            }
            if let Some(c) = self.child.as_mut() {
                if let Some(st) = c.try_wait().unwrap() {
                    panic!("piv-card exited ({st})");
                }
            }
            assert!(
                Instant::now() < until,
                "card {} not seen within {PATIENCE:?}: {:?}",
                if present { "insertion" } else { "removal" },
                scan()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for PivCard {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
