//! The documents chosen on the page: folders taken recursively, and for each what a person
//! checks before signing — its name and size, the pages of a PDF, who signed it already — or,
//! in plain words, why it cannot be signed as it is.

use std::path::{Path, PathBuf};

use kyso::document::verify::{verify_pdf, PdfSignatureResult};
use kyso::i18n::{tr_in, Lang};
use serde::Serialize;

/// One document of the list.
#[derive(Debug, Serialize)]
pub struct Entry {
    /// Its absolute path (the key the page names it by).
    pub path: String,
    /// The file name shown.
    pub name: String,
    /// Bytes.
    pub size: u64,
    /// `pdf`, `xml` or `other` (CMS), the format it will be signed in.
    pub kind: &'static str,
    /// A PDF's page count.
    pub pages: Option<usize>,
    /// Who signed it already (a PDF's signers' names).
    pub signers: Vec<String>,
    /// Why it cannot be signed, in words, when it cannot.
    pub problem: Option<String>,
}

/// `paths` with folders replaced by the files under them (sorted, hidden ones skipped),
/// absolute, without duplicates.
pub fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        let p = std::path::absolute(p).unwrap_or_else(|_| p.clone());
        walk(&p, &mut out);
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.clone()));
    out
}

fn walk(p: &Path, out: &mut Vec<PathBuf>) {
    if !p.is_dir() {
        out.push(p.to_path_buf());
        return;
    }
    let Ok(rd) = std::fs::read_dir(p) else {
        out.push(p.to_path_buf());
        return;
    };
    let mut children: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|c| {
            !c.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    children.sort();
    for c in children {
        walk(&c, out);
    }
}

/// The format a file is signed in, by its name.
pub fn kind(path: &Path) -> &'static str {
    match path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .as_deref()
    {
        Some("pdf") => "pdf",
        Some("xml") => "xml",
        _ => "other",
    }
}

/// What the page shows about `path`, its words in `lang`.
pub fn describe(path: &Path, lang: Lang) -> Entry {
    let mut e = Entry {
        path: path.to_string_lossy().into_owned(),
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        size: 0,
        kind: kind(path),
        pages: None,
        signers: Vec::new(),
        problem: None,
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(err) => {
            log::info!("{}: {err}", path.display());
            let key = if path.exists() {
                "app-file-unreadable"
            } else {
                "app-file-missing"
            };
            e.problem = Some(tr_in(lang, key, &[]));
            return e;
        }
    };
    e.size = bytes.len() as u64;
    if e.kind != "pdf" {
        return e;
    }
    match lopdf::Document::load_mem(&bytes) {
        Ok(doc) if doc.is_encrypted() || doc.trailer.get(b"Encrypt").is_ok() => {
            e.problem = Some(tr_in(lang, "app-file-encrypted", &[]));
        }
        Ok(doc) => {
            e.pages = Some(doc.get_pages().len());
            for s in verify_pdf(&bytes).unwrap_or_default() {
                if let PdfSignatureResult::Signature(v) = s.result {
                    let who = v.signer.common_name.clone().unwrap_or(v.signer.subject);
                    e.signers.push(kyso::cert::printable(&who).into_owned());
                }
            }
        }
        Err(_) => e.problem = Some(tr_in(lang, "app-file-not-pdf", &[])),
    }
    e
}
