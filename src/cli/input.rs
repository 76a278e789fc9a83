//! Opening the documents `kyso sign` and `kyso verify` read: regular files only, so that a
//! FIFO (which would block until a writer comes), a device such as `/dev/zero` (which never
//! ends) or a directory is refused at once, naming the path, instead of hanging or reading
//! forever.

use std::fs::{File, FileType};
use std::io::Read;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

use kyso::{Error, Result};

/// What a file that is not a regular file is, in words.
fn kind(t: FileType) -> &'static str {
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

fn not_regular(path: &Path, t: FileType) -> Error {
    Error::InvalidInput(format!(
        "{} is {}, not a regular file: kyso reads documents and signatures from regular files only",
        path.display(),
        kind(t)
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
pub fn not_empty_pdf(path: &Path, len: u64) -> Result<()> {
    if len == 0 {
        return Err(Error::Document(format!(
            "{} is empty (0 bytes), not a PDF",
            path.display()
        )));
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
        let empty = dir.path().join("empty.pdf");
        std::fs::write(&empty, "").unwrap();
        assert_eq!(
            not_empty_pdf(&empty, 0).unwrap_err().to_string(),
            format!("{} is empty (0 bytes), not a PDF", empty.display())
        );
    }
}
