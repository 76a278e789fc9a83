//! The page's folder chooser, for where signed documents go: a browser cannot give a page the
//! path of a folder it picks, so the page walks the folders through kyso (names only, no
//! files, no hidden folders), and may make a new one.

use std::path::{Path, PathBuf};

use serde::Serialize;

use kyso::i18n::{tr_in, Lang};
use kyso::{Error, Result};

/// The most folders listed at once (a person scrolls no further).
const MAX_LISTED: usize = 2000;

/// One folder's subfolders.
#[derive(Debug, Serialize)]
pub struct Listing {
    /// The folder, absolute.
    pub path: PathBuf,
    /// Its parent, if it has one.
    pub parent: Option<PathBuf>,
    /// Its subfolders, by name.
    pub folders: Vec<Folder>,
}

/// A subfolder.
#[derive(Debug, Serialize)]
pub struct Folder {
    /// Its name, as shown.
    pub name: String,
    /// Its path, to go into it.
    pub path: PathBuf,
}

/// Where the chooser opens: the folder of the first document listed, else the home folder.
pub fn start(documents: &[PathBuf]) -> PathBuf {
    documents
        .first()
        .and_then(|d| d.parent())
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("HOME").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("/"))
}

/// The subfolders of `dir`, sorted as a person reads them.
pub fn list(dir: &Path, lang: Lang) -> Result<Listing> {
    let path = dir
        .canonicalize()
        .ok()
        .filter(|p| p.is_dir())
        .ok_or_else(|| not_a_folder(dir, lang))?;
    let entries = std::fs::read_dir(&path).map_err(|e| Error::io(path.display().to_string(), e))?;
    let mut folders: Vec<Folder> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (!name.starts_with('.')).then(|| Folder {
                name,
                path: e.path(),
            })
        })
        .take(MAX_LISTED)
        .collect();
    folders.sort_by_key(|f| f.name.to_lowercase());
    Ok(Listing {
        parent: path.parent().map(Path::to_path_buf),
        path,
        folders,
    })
}

/// Makes folder `name` in `dir`; its listing.
pub fn make(dir: &Path, name: &str, lang: Lang) -> Result<Listing> {
    let name = name.trim();
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\0'])
        && name.len() <= 255;
    if !plain {
        return Err(Error::InvalidInput(tr_in(
            lang,
            "app-folder-bad-name",
            &[("name", kyso::cert::printable(name).into())],
        )));
    }
    let parent = list(dir, lang)?.path;
    let new = parent.join(name);
    std::fs::create_dir(&new).map_err(|e| Error::io(new.display().to_string(), e))?;
    list(&new, lang)
}

fn not_a_folder(dir: &Path, lang: Lang) -> Error {
    Error::InvalidInput(tr_in(
        lang,
        "app-folder-not-found",
        &[("path", dir.display().to_string().into())],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subfolders_sorted_without_files_or_hidden_ones() {
        let d = tempfile::tempdir().unwrap();
        for n in ["Đã ký", "b", "A", ".cache"] {
            std::fs::create_dir(d.path().join(n)).unwrap();
        }
        std::fs::write(d.path().join("a.pdf"), b"x").unwrap();
        let l = list(d.path(), Lang::En).unwrap();
        let names: Vec<&str> = l.folders.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["A", "b", "Đã ký"]);
        assert_eq!(
            l.folders[2].path,
            d.path().canonicalize().unwrap().join("Đã ký")
        );
        assert_eq!(
            l.parent.as_deref(),
            d.path().canonicalize().unwrap().parent()
        );
        assert!(list(&d.path().join("a.pdf"), Lang::En).is_err(), "a file");
        assert!(list(&d.path().join("none"), Lang::En).is_err());
    }

    #[test]
    fn a_new_folder_has_a_plain_name() {
        let d = tempfile::tempdir().unwrap();
        let l = make(d.path(), " Đã ký ", Lang::Vi).unwrap();
        assert!(l.path.ends_with("Đã ký") && l.path.is_dir());
        for bad in ["", "..", "a/b", "."] {
            assert!(make(d.path(), bad, Lang::En).is_err(), "{bad:?}");
        }
        assert!(make(d.path(), "Đã ký", Lang::En).is_err(), "exists already");
    }

    #[test]
    fn the_chooser_opens_at_the_first_documents_folder() {
        assert_eq!(start(&[PathBuf::from("/a/b/c.pdf")]), PathBuf::from("/a/b"));
    }
}
