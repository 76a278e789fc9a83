//! A real pcscd for tests: `pcscd --foreground` with the vsmartcard-vpcd reader driver, started
//! and stopped by the test. Only one pcscd can run on a machine, so tests hold a machine-wide
//! file lock while they use it (and nextest runs them in a one-thread group); a pcscd that
//! this harness did not start is reused, and tests that must stop it or change its readers
//! are skipped then.

use std::fs::File;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kyso::devices::pcsc::{scan, PcscStatus};

const SOCKET: &str = "/run/pcscd/pcscd.comm";
const VPCD_CONF: &str = "/etc/reader.conf.d/vpcd";
const LOCK: &str = "/tmp/kyso-pcscd-tests.lock";
/// vpcd's first reader and the TCP port its virtual card connects to.
pub const READER0: &str = "Virtual PCD 00 00";
pub const READER1: &str = "Virtual PCD 00 01";
pub const VPCD_PORT0: u16 = 35963;

/// How long a test waits for pcscd or an event before failing: generous for a loaded
/// 2-core machine, and still bounded.
pub const PATIENCE: Duration = Duration::from_secs(15);

fn reachable() -> bool {
    UnixStream::connect(SOCKET).is_ok()
}

/// The pcscd a test uses.
pub struct Pcscd {
    child: Option<Child>,
    conf: tempfile::TempDir,
    owned: bool,
    with_readers: bool,
    _lock: File,
}

impl Pcscd {
    /// pcscd with the two vpcd readers: ours, or the one already running.
    pub fn start() -> Pcscd {
        Self::new(true, false)
    }

    /// A pcscd this test owns (it may stop it), with or without the vpcd readers. `None` when
    /// another pcscd runs on the machine: the caller skips.
    pub fn owned(with_readers: bool) -> Option<Pcscd> {
        let p = Self::new(with_readers, true);
        p.owned.then_some(p)
    }

    fn new(with_readers: bool, must_own: bool) -> Pcscd {
        assert!(
            Path::new(VPCD_CONF).exists(),
            "vsmartcard-vpcd is not installed (make deps installs it)"
        );
        let lock = File::create(LOCK).unwrap();
        lock.lock().unwrap();
        let conf = tempfile::tempdir().unwrap();
        let mut p = Pcscd {
            child: None,
            conf,
            owned: true,
            with_readers,
            _lock: lock,
        };
        if reachable() {
            if must_own || !with_readers {
                eprintln!("a pcscd this test did not start is running: skipping");
                p.owned = false;
                return p;
            }
            eprintln!("reusing the running pcscd");
            p.owned = false;
            p.wait_readers(2);
            return p;
        }
        p.spawn();
        p
    }

    /// Whether this harness started the daemon.
    pub fn is_owned(&self) -> bool {
        self.owned
    }

    fn spawn(&mut self) {
        assert!(self.owned, "cannot restart a pcscd we do not own");
        let dir = self.conf.path().join("reader.conf.d");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        if self.with_readers {
            std::fs::copy(VPCD_CONF, dir.join("vpcd")).unwrap();
        }
        let log = File::create(self.conf.path().join("pcscd.log")).unwrap();
        let child = Command::new(pcscd_path())
            .arg("--foreground")
            .arg("--config")
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start pcscd");
        self.child = Some(child);
        self.wait_readers(if self.with_readers { 2 } else { 0 });
    }

    fn wait_readers(&mut self, n: usize) {
        let until = Instant::now() + PATIENCE;
        loop {
            if let PcscStatus::Running { readers } = scan() {
                if readers.len() == n {
                    return;
                }
            }
            if let Some(c) = self.child.as_mut() {
                if let Some(st) = c.try_wait().unwrap() {
                    panic!("pcscd exited ({st}): {}", self.log());
                }
            }
            assert!(
                Instant::now() < until,
                "pcscd not ready with {n} readers: {:?}\n{}",
                scan(),
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// pcscd's own log (its stdout and stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.conf.path().join("pcscd.log")).unwrap_or_default()
    }

    /// Stops our pcscd (SIGTERM, then SIGKILL after a bounded wait) and waits until clients see
    /// it gone.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let until = Instant::now() + Duration::from_secs(5);
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > until {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let until = Instant::now() + PATIENCE;
        while reachable() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts our pcscd again after [`stop`](Self::stop).
    pub fn restart(&mut self) {
        self.spawn();
    }
}

impl Drop for Pcscd {
    fn drop(&mut self) {
        self.stop();
    }
}

fn pcscd_path() -> PathBuf {
    ["/usr/sbin/pcscd", "/sbin/pcscd", "/usr/local/sbin/pcscd"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("pcscd"))
}
