//! From what a person names (files, folders) to the documents of a batch: folders expanded,
//! kyso's own outputs left out, each output named and written once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::files::real_path;
use super::{Document, Format};
use crate::error::{Error, Result};

/// Whether `p` is one of kyso's outputs (`.sig`, `.p7s`, `.signed.pdf`): never signed again
/// when a folder is expanded.
pub fn is_kyso_output(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    [".sig", ".p7s", ".signed.pdf"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// Expands the inputs: files as given (a missing one fails alone later), folders into their
/// files (sorted; subfolders only with `recursive`). Hidden files, kyso's own outputs and (for
/// PAdES) files that are not PDFs are left out of folders.
pub fn expand_inputs(inputs: &[PathBuf], recursive: bool, format: Format) -> Result<Vec<PathBuf>> {
    let leave_out = |p: &Path| {
        is_kyso_output(p)
            || (format == Format::Pades
                && !p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")))
    };
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            walk(input, recursive, &leave_out, &mut files)?;
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

fn walk(
    dir: &Path,
    recursive: bool,
    leave_out: &dyn Fn(&Path) -> bool,
    out: &mut Vec<PathBuf>,
) -> Result<()> {
    let ctx = || format!("reading directory {}", dir.display());
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(ctx(), e))?
        .map(|e| e.map(|e| e.path()).map_err(|e| Error::io(ctx(), e)))
        .collect::<Result<_>>()?;
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            if recursive {
                walk(&path, recursive, leave_out, out)?;
            }
        } else if !leave_out(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// Where the output of `file` goes: beside it, or in `out_dir`; `report.pdf` becomes
/// `report.signed.pdf` for PAdES, `a.txt` becomes `a.txt.p7s` or `a.txt.sig`.
pub fn output_path(file: &Path, out_dir: Option<&Path>, format: Format) -> PathBuf {
    let mut name = file
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    if format == Format::Pades {
        let s = name.to_string_lossy().into_owned();
        if let Some(stem) = s.strip_suffix(".pdf").or_else(|| s.strip_suffix(".PDF")) {
            name = stem.into();
        }
    }
    name.push(format.extension());
    match out_dir {
        Some(d) => d.join(name),
        None => file.with_file_name(name),
    }
}

/// The documents for `files`, each output written once: a file named twice (`a.pdf
/// ./a.pdf`) is signed once; two files that would write the same output (`x/qd.pdf y/qd.pdf`
/// into one folder) are refused before any PIN is asked, since the second signature would
/// replace the first.
pub fn documents(
    files: Vec<PathBuf>,
    out_dir: Option<&Path>,
    format: Format,
) -> Result<Vec<Document>> {
    let mut by_output: HashMap<PathBuf, PathBuf> = HashMap::new();
    let mut out = Vec::with_capacity(files.len());
    for file in files {
        let output = output_path(&file, out_dir, format);
        let (real_in, real_out) = (real_path(&file), real_path(&output));
        match by_output.get(&real_out) {
            Some(first) if *first == real_in => continue,
            Some(first) => {
                return Err(Error::InvalidInput(format!(
                    "{} and {} would both be signed to {}: sign them into different --out-dir \
                     directories",
                    first.display(),
                    real_in.display(),
                    output.display()
                )))
            }
            None => {
                by_output.insert(real_out, real_in);
                out.push(Document::file(file, output));
            }
        }
    }
    Ok(out)
}
