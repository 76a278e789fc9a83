//! A renamed output is durable only once its directory is fsynced. Writer threads share that
//! fsync (group commit): each waits for one that started after its own rename, and whichever
//! finds none running starts it, so a thousand outputs cost a few directory fsyncs, not a
//! thousand, and none is reported written before its name is on disk.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

/// The directory fsyncs of one directory.
#[derive(Default)]
struct Group {
    /// The number the next fsync to start will have.
    next: u64,
    /// The highest number of an fsync that finished well (0: none yet).
    done: u64,
    /// Whether one is running.
    running: bool,
}

static GROUPS: Mutex<Option<HashMap<PathBuf, Group>>> = Mutex::new(None);
static CHANGED: Condvar = Condvar::new();

/// Returns once `dir` was fsynced after this call began: every rename into it done before
/// is then on disk.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    let lock = || GROUPS.lock().unwrap_or_else(|p| p.into_inner());
    let mut groups = lock();
    let ticket = entry(&mut groups, dir).next;
    loop {
        let g = entry(&mut groups, dir);
        if g.done >= ticket {
            return Ok(());
        }
        if g.running {
            groups = CHANGED.wait(groups).unwrap_or_else(|p| p.into_inner());
            continue;
        }
        let number = g.next;
        g.next += 1;
        g.running = true;
        drop(groups);
        let result = match std::fs::File::open(dir).and_then(|d| d.sync_all()) {
            // a directory kyso may write but not read, or a file system without directory
            // fsync (some network and FUSE ones): nothing more can be done for the name
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::PermissionDenied | ErrorKind::InvalidInput
                ) =>
            {
                Ok(())
            }
            other => other,
        };
        groups = lock();
        let g = entry(&mut groups, dir);
        g.running = false;
        if result.is_ok() {
            g.done = g.done.max(number);
        }
        CHANGED.notify_all();
        // a failed fsync fails its starter; the others start their own
        result?;
    }
}

/// The group of `dir`, created when first needed.
fn entry<'g>(groups: &'g mut Option<HashMap<PathBuf, Group>>, dir: &Path) -> &'g mut Group {
    groups
        .get_or_insert_with(HashMap::new)
        .entry(dir.to_owned())
        .or_insert_with(|| Group {
            next: 1,
            ..Group::default()
        })
}

/// How many fsyncs of `dir` finished well (tests).
#[cfg(test)]
pub(crate) fn synced(dir: &Path) -> u64 {
    let mut groups = GROUPS.lock().unwrap_or_else(|p| p.into_inner());
    entry(&mut groups, dir).done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_caller_waits_for_a_directory_fsync_that_began_after_it() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(synced(dir.path()), 0);
        sync_dir(dir.path()).unwrap();
        sync_dir(dir.path()).unwrap();
        // one each: none was running when the second began
        assert_eq!(synced(dir.path()), 2);
        std::thread::scope(|s| {
            for _ in 0..16 {
                s.spawn(|| sync_dir(dir.path()).unwrap());
            }
        });
        let n = synced(dir.path());
        assert!((3..=18).contains(&n), "{n}");
        let e = sync_dir(&dir.path().join("gone")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
    }
}
