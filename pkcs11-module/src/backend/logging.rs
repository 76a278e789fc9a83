//! Logging to the file named by `KYSO_LOG`, never to the host's stdout or stderr (a browser's
//! console is not ours). Level from `KYSO_LOG_LEVEL` (default `info`). PINs are never logged.

use std::fs::File;
use std::io::Write;
use std::sync::Mutex;

struct FileLogger {
    file: Mutex<File>,
    level: log::LevelFilter,
}

impl log::Log for FileLogger {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        // cryptoki reports every vendor mechanism it cannot name: noise, not errors. The HTTP
        // client's trace level dumps the bytes on the wire (PINs, OTPs, tokens of remote
        // signing): never written.
        metadata.level() <= self.level
            && !metadata.target().starts_with("cryptoki::mechanism")
            && !(metadata.level() == log::Level::Trace && metadata.target().starts_with("ureq"))
    }

    fn log(&self, record: &log::Record) {
        if self.enabled(record.metadata()) {
            let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
            let _ = writeln!(
                f,
                "kyso-pkcs11 {} {}: {}",
                record.level(),
                record.target(),
                record.args()
            );
        }
    }

    fn flush(&self) {
        let _ = self.file.lock().map(|mut f| f.flush());
    }
}

/// Installs the file logger once, if `KYSO_LOG` names a file; otherwise logging stays off.
pub fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let Some(path) = std::env::var_os("KYSO_LOG").filter(|p| !p.is_empty()) else {
            return;
        };
        let Ok(file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
        else {
            return;
        };
        let level = std::env::var("KYSO_LOG_LEVEL")
            .ok()
            .and_then(|l| l.parse().ok())
            .unwrap_or(log::LevelFilter::Info);
        let logger = FileLogger {
            file: Mutex::new(file),
            level,
        };
        // A host that already set a logger (a Rust application) keeps its own.
        if log::set_boxed_logger(Box::new(logger)).is_ok() {
            log::set_max_level(level);
        }
    });
}
