//! Mounts a test makes (tmpfs for a full disk, read-only binds), undone when dropped. They need
//! root, as the tests run in CI.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::stderr;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A mount made for one test, unmounted when dropped.
pub struct Mount(PathBuf);

impl Mount {
    fn run(args: &[&str], what: &str) {
        let out = Command::new("mount").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{what} failed (these tests need root, as in CI): {}",
            stderr(&out)
        );
    }

    /// A tmpfs of `size` (mount's syntax: `40k`) on `dir`.
    pub fn tmpfs(dir: &Path, size: &str) -> Mount {
        std::fs::create_dir_all(dir).unwrap();
        Mount::run(
            &[
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size}"),
                "tmpfs",
                p(dir),
            ],
            "mount -t tmpfs",
        );
        Mount(dir.to_owned())
    }

    /// `src` seen read-only at `dir`.
    pub fn read_only_bind(src: &Path, dir: &Path) -> Mount {
        std::fs::create_dir_all(dir).unwrap();
        Mount::run(&["--bind", p(src), p(dir)], "mount --bind");
        let m = Mount(dir.to_owned());
        Mount::run(
            &["-o", "remount,bind,ro", p(dir)],
            "mount -o remount,bind,ro",
        );
        m
    }

    pub fn remount_read_only(&self) {
        Mount::run(&["-o", "remount,ro", p(&self.0)], "mount -o remount,ro");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}
