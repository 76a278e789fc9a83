//! What the page does with documents besides signing them: files dropped on it or chosen in
//! the browser saved to a folder (the browser gives bytes, not paths), a page rendered for
//! placing the stamp (poppler's `pdftoppm`), a signed file checked as `kyso verify` checks it,
//! and a folder opened in the file manager.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use kyso::i18n::Lang;
use kyso::{t, Error, Result};

/// The name the page gave, reduced to a plain file name (no folder, no control characters).
pub fn file_name(given: &str) -> Result<String> {
    let decoded = percent_encoding::percent_decode_str(given).decode_utf8_lossy();
    let base = decoded.rsplit(['/', '\\']).next().unwrap_or("");
    let name: String = base.chars().filter(|c| !c.is_control()).collect();
    let name = name.trim().to_owned();
    if name.is_empty() || name == "." || name == ".." || name.starts_with('.') {
        return Err(Error::InvalidInput(t!(
            "app-not-a-file-name",
            name = kyso::cert::printable(&decoded)
        )));
    }
    Ok(name)
}

/// A path in `dir` for `name` that no file has yet (`báo cáo (2).pdf`).
fn free_path(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    let p = Path::new(name);
    let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned());
    let ext = p
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (2..)
        .map(|n| dir.join(format!("{} ({n}){ext}", stem.as_deref().unwrap_or(name))))
        .find(|c| !c.exists())
        .unwrap_or(first)
}

/// Saves `body` (at most `max` bytes) as `name` in `dir`, under a new name when one is
/// taken; written whole or not at all.
pub fn save(dir: &Path, name: &str, body: &mut dyn Read, max: u64) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| Error::io(dir.display().to_string(), e))?;
    let n = std::io::copy(&mut body.take(max + 1), &mut tmp)
        .map_err(|e| Error::io(t!("app-saving", name = name), e))?;
    if n > max {
        return Err(Error::InvalidInput(t!(
            "app-too-large",
            name = name,
            mib = max >> 20
        )));
    }
    let path = free_path(dir, name);
    tmp.persist_noclobber(&path)
        .map_err(|e| Error::io(path.display().to_string(), e.error))?;
    Ok(path)
}

/// `body`'s bytes, refused beyond `max` (a file the page sends, kept in memory).
pub fn read_limited(body: &mut dyn Read, max: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    body.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(t!("app-saving", name = "…"), e))?;
    if bytes.len() as u64 > max {
        return Err(Error::InvalidInput(t!(
            "app-too-large",
            name = "…",
            mib = max >> 20
        )));
    }
    Ok(bytes)
}

/// Page `page` (from 1) of `pdf` as a PNG at 72 dpi: one pixel per point, so the page
/// converts the stamp's box to PDF points without knowing the page's size.
pub fn preview(pdf: &Path, page: u32) -> Result<Vec<u8>> {
    let out = Command::new("pdftoppm")
        .args(["-png", "-r", "72", "-singlefile"])
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .output()
        .map_err(|e| Error::io(t!("app-pdftoppm-missing"), e))?;
    if !out.status.success() || out.stdout.is_empty() {
        return Err(Error::Document(t!(
            "app-preview-failed",
            page = page,
            file = pdf.display().to_string(),
            why = String::from_utf8_lossy(&out.stderr).trim().to_owned()
        )));
    }
    Ok(out.stdout)
}

/// `kyso verify --json FILE` with the session's configuration and modules, in `lang`: the
/// command's own checks (integrity, changes after signing, trust, revocation, timestamps),
/// one report per signature.
pub fn verify(config: Option<&Path>, file: &Path, lang: Lang) -> Result<Value> {
    let exe = std::env::current_exe().map_err(|e| Error::io(t!("io-locating-kyso"), e))?;
    let mut cmd = Command::new(exe);
    cmd.args(["--json", "--lang", lang.tag()]);
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    let out = cmd
        .arg("verify")
        .arg(file)
        .output()
        .map_err(|e| Error::io("kyso verify", e))?; // i18n: the command run
    serde_json::from_slice(&out.stdout).map_err(|_| {
        Error::Document(
            String::from_utf8_lossy(&out.stderr)
                .trim()
                .trim_start_matches("kyso: ")
                .to_owned(),
        )
    })
}

/// Opens `dir` in the person's file manager.
pub fn open_folder(dir: &Path) -> Result<()> {
    Command::new("xdg-open")
        .arg(dir)
        .spawn()
        .map(|mut c| {
            std::thread::spawn(move || c.wait());
        })
        .map_err(|e| Error::io("xdg-open", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_the_page_are_plain_file_names() {
        assert_eq!(
            file_name("c%C3%B4ng%20v%C4%83n.pdf").unwrap(),
            "công văn.pdf"
        );
        assert_eq!(file_name("..%2F..%2Fetc%2Fpasswd").unwrap(), "passwd");
        assert_eq!(file_name("a\\b.pdf").unwrap(), "b.pdf");
        assert!(file_name("..").is_err());
        assert!(file_name(".bashrc").is_err());
        assert!(file_name("").is_err());
    }

    #[test]
    fn a_taken_name_gets_a_number() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.pdf"), "x").unwrap();
        std::fs::write(dir.path().join("a (2).pdf"), "x").unwrap();
        assert_eq!(free_path(dir.path(), "a.pdf"), dir.path().join("a (3).pdf"));
        assert_eq!(free_path(dir.path(), "b.pdf"), dir.path().join("b.pdf"));
    }
}
