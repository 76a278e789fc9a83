//! The files a batch reads and writes: inputs are regular files only (a FIFO would block, a
//! device never end), and outputs are written atomically (temporary file, then rename), so a
//! reader, a failure or an interruption never leaves half a file.

use std::fs::{File, FileType};
use std::io::{Read, Write};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// What a file that is not a regular file is, in words.
fn kind(t: FileType) -> String {
    crate::t!(if t.is_dir() {
        "file-kind-directory"
    } else if t.is_fifo() {
        "file-kind-fifo"
    } else if t.is_char_device() {
        "file-kind-char-device"
    } else if t.is_block_device() {
        "file-kind-block-device"
    } else if t.is_socket() {
        "file-kind-socket"
    } else {
        "file-kind-other"
    })
}

fn not_regular(path: &Path, t: FileType) -> Error {
    Error::InvalidInput(crate::t!(
        "file-not-regular",
        path = path.display().to_string(),
        kind = kind(t)
    ))
}

/// Opens `path` for reading if it is a regular file (symbolic links followed). The type is
/// checked before opening (opening a FIFO blocks) and again on the open file.
pub fn open_regular(path: &Path) -> Result<File> {
    let io = |e| Error::io(path.display().to_string(), e);
    let t = std::fs::metadata(path).map_err(io)?.file_type();
    if !t.is_file() {
        return Err(not_regular(path, t));
    }
    let f = File::open(path).map_err(io)?;
    let t = f.metadata().map_err(io)?.file_type();
    if !t.is_file() {
        return Err(not_regular(path, t));
    }
    Ok(f)
}

/// The whole of a regular file.
pub fn read_regular(path: &Path) -> Result<Vec<u8>> {
    let mut f = open_regular(path)?;
    let mut data = Vec::new();
    f.read_to_end(&mut data)
        .map_err(|e| Error::io(path.display().to_string(), e))?;
    Ok(data)
}

/// A PDF to sign of `len` bytes must not be empty (an empty file gets its own message rather
/// than the PDF reader's "no header").
pub fn not_empty_pdf(name: &str, len: u64) -> Result<()> {
    if len == 0 {
        return Err(Error::Document(crate::t!("check-empty-pdf", name = name)));
    }
    Ok(())
}

/// `error` without the ` at path "…"` the `tempfile` crate appends: the OS's own words
/// ("No space left on device (os error 28)"), for a message that names the real output.
pub fn without_temp_path(error: std::io::Error) -> std::io::Error {
    if error.raw_os_error().is_some() {
        return error;
    }
    let text = error.to_string();
    match text.rsplit_once(" at path \"") {
        Some((os, _)) => std::io::Error::new(error.kind(), os.to_owned()),
        None => error,
    }
}

/// Temporary files being written now, so [`abandon_temporaries`] can remove them when the
/// process must end at once; `None` once abandoned (no new temporary file may start).
static TEMPORARIES: Mutex<Option<Vec<PathBuf>>> = Mutex::new(Some(Vec::new()));

fn temporaries() -> std::sync::MutexGuard<'static, Option<Vec<PathBuf>>> {
    TEMPORARIES.lock().unwrap_or_else(|p| p.into_inner())
}

/// Removes every temporary file an atomic write has open, and refuses new ones: for a face
/// that must end the process now (a second Ctrl-C) without leaving partial files behind.
/// Outputs already renamed into place are whole and stay.
pub fn abandon_temporaries() {
    let mut t = temporaries();
    for path in t.take().unwrap_or_default() {
        let _ = std::fs::remove_file(path);
    }
}

/// Writes to a temporary file beside `path`, then renames: a reader never sees half a file.
/// The file gets the usual mode of a new file (0666 less the umask), not the temporary file's
/// 0600: signatures and signed documents are meant to be shared.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    write_atomic_with(path, &mut |out| {
        out.write_all(data)
            .map_err(|e| Error::io(path.display().to_string(), e))
    })
}

/// [`write_atomic`] with the content written by `fill`: if it fails, the temporary file is
/// removed and `path` is left as it was.
pub fn write_atomic_with(path: &Path, fill: &mut dyn FnMut(&mut File) -> Result<()>) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // tempfile names its temporary file in errors; it is gone by the time anyone reads them.
    let fail = |e| Error::io(path.display().to_string(), without_temp_path(e));
    let mut tmp = {
        let mut registry = temporaries();
        let Some(open) = registry.as_mut() else {
            return Err(Error::io(
                path.display().to_string(),
                std::io::Error::new(std::io::ErrorKind::Interrupted, "interrupted"),
            ));
        };
        let tmp = tempfile::Builder::new()
            .permissions(std::fs::Permissions::from_mode(0o666))
            .tempfile_in(dir)
            .map_err(fail)?;
        open.push(tmp.path().to_owned());
        tmp
    };
    let tmp_path = tmp.path().to_owned();
    let forget = || {
        if let Some(open) = temporaries().as_mut() {
            open.retain(|p| *p != tmp_path);
        }
    };
    let result = fill(tmp.as_file_mut())
        .and_then(|()| tmp.as_file().sync_all().map_err(fail))
        .and_then(|()| tmp.persist(path).map(drop).map_err(|e| fail(e.error)))
        // the new name is on disk too before the output is reported written
        .and_then(|()| super::dirsync::sync_dir(dir).map_err(fail));
    forget();
    result
}

/// Paths that name the same file once their directories are resolved (`a.pdf`, `./a.pdf`).
pub(crate) fn real_path(p: &Path) -> PathBuf {
    let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
    let dir = std::fs::canonicalize(parent.unwrap_or(Path::new(".")))
        .unwrap_or_else(|_| parent.unwrap_or(Path::new(".")).to_owned());
    dir.join(p.file_name().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_directories_and_fifos_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let e = open_regular(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "/dev/zero is a character device, not a regular file: kyso reads documents and \
             signatures from regular files only"
        );
        let e = open_regular(dir.path()).unwrap_err().to_string();
        assert!(e.contains("is a directory, not a regular file"), "{e}");
        let fifo = dir.path().join("fifo");
        let st = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(st.success());
        let e = open_regular(&fifo).unwrap_err().to_string();
        assert!(
            e.contains("is a FIFO (named pipe), not a regular file"),
            "{e}"
        );
        // tempfile's path is dropped, the OS's words kept
        let ro = tempfile::Builder::new()
            .tempfile_in("/proc/self")
            .map(|_| ())
            .unwrap_err();
        assert!(ro.to_string().contains(" at path "), "{ro}");
        let plain = without_temp_path(ro).to_string();
        assert!(
            !plain.contains("at path") && plain.contains("(os error "),
            "{plain}"
        );
        assert_eq!(
            not_empty_pdf("e.pdf", 0).unwrap_err().to_string(),
            "e.pdf is empty (0 bytes), not a PDF"
        );
    }

    #[test]
    fn a_failed_atomic_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let e = write_atomic_with(&out, &mut |f| {
            f.write_all(b"half").unwrap();
            Err(Error::Document("stop".into()))
        })
        .unwrap_err();
        assert_eq!(e.to_string(), "stop");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert_eq!(super::super::dirsync::synced(dir.path()), 0);
        write_atomic(&out, b"whole").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"whole");
        assert_eq!(
            super::super::dirsync::synced(dir.path()),
            1,
            "its name is on disk"
        );
        // other tests of this process may be writing their own files meanwhile
        assert!(temporaries()
            .as_ref()
            .is_none_or(|all| !all.iter().any(|t| t.starts_with(dir.path()))));
    }
}
