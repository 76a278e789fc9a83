//! From what a person names (files, folders) to the documents of a batch: folders expanded,
//! kyso's own outputs left out, each output named and written once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::files::real_path;
use super::{Document, Format};
use crate::error::{Error, Result};

/// Whether `p` is one of kyso's outputs (`.sig`, `.p7s`, `.signed.pdf`, a countersigned
/// `.signed-2.pdf`…): never signed again when a folder is expanded, unless asked.
pub fn is_kyso_output(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    [".sig", ".p7s"].iter().any(|ext| name.ends_with(ext))
        || is_signed_pdf(&name)
        || is_signed(&name, ".xml")
}

/// Whether a file name (lower case) is a signed PDF's as kyso names them: `X.signed.pdf`,
/// `X.signed-N.pdf`.
fn is_signed_pdf(name: &str) -> bool {
    is_signed(name, ".pdf")
}

/// Whether a file name (lower case) is `X.signed<ext>` or `X.signed-N<ext>`.
fn is_signed(name: &str, ext: &str) -> bool {
    name.strip_suffix(ext)
        .and_then(|stem| signed_round(stem).map(|_| ()))
        .is_some()
}

/// For a stem `X.signed` or `X.signed-N`: (`X`, the signing round: 1 or N).
fn signed_round(stem: &str) -> Option<(&str, u32)> {
    if let Some(base) = stem.strip_suffix(".signed") {
        return Some((base, 1));
    }
    let (base, n) = stem.rsplit_once(".signed-")?;
    let n: u32 = n.parse().ok().filter(|n| *n >= 2)?;
    Some((base, n))
}

/// Expands the inputs: files as given (a missing one fails alone later), folders into their
/// files (sorted; subfolders only with `recursive`). Hidden files, kyso's own outputs and (for
/// PAdES) files that are not PDFs are left out of folders.
pub fn expand_inputs(inputs: &[PathBuf], recursive: bool, format: Format) -> Result<Vec<PathBuf>> {
    expand_inputs_with(inputs, recursive, format, false)
}

/// [`expand_inputs`], and with `include_signed` signed PDFs in folders (`X.signed.pdf`,
/// received to be countersigned) are kept.
pub fn expand_inputs_with(
    inputs: &[PathBuf],
    recursive: bool,
    format: Format,
    include_signed: bool,
) -> Result<Vec<PathBuf>> {
    let leave_out = |p: &Path| {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let kept_signed = include_signed && (is_signed_pdf(&name) || is_signed(&name, ".xml"));
        (is_kyso_output(p) && !kept_signed)
            || format
                .signs_inside()
                .is_some_and(|ext| !p.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext)))
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
/// `report.signed.pdf` for PAdES, `a.txt` becomes `a.txt.p7s` or `a.txt.sig`. A signed PDF
/// signed again (a countersignature) is numbered, not named twice: `report.signed.pdf` becomes
/// `report.signed-2.pdf`, then `report.signed-3.pdf`.
pub fn output_path(file: &Path, out_dir: Option<&Path>, format: Format) -> PathBuf {
    let mut name = file
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    if let Some(ext) = format.signs_inside() {
        let s = name.to_string_lossy().into_owned();
        let (lower, upper) = (format!(".{ext}"), format!(".{}", ext.to_uppercase()));
        if let Some(stem) = s.strip_suffix(&lower).or_else(|| s.strip_suffix(&upper)) {
            name = match signed_round(stem) {
                Some((base, n)) => format!("{base}.signed-{}.{ext}", n + 1).into(),
                None => format!("{stem}{}", format.extension()).into(),
            };
        } else {
            name.push(format.extension());
        }
    } else {
        name.push(format.extension());
    }
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
    let inputs: std::collections::HashSet<PathBuf> = files.iter().map(|f| real_path(f)).collect();
    for file in files {
        let output = output_path(&file, out_dir, format);
        let (real_in, real_out) = (real_path(&file), real_path(&output));
        match by_output.get(&real_out) {
            Some(first) if *first == real_in => continue,
            Some(first) => {
                return Err(Error::InvalidInput(crate::t!(
                    "plan-same-output",
                    first = first.display().to_string(),
                    second = real_in.display().to_string(),
                    output = output.display().to_string()
                )))
            }
            None if inputs.contains(&real_out) => {
                return Err(Error::InvalidInput(crate::t!(
                    "plan-output-is-input",
                    input = real_in.display().to_string(),
                    output = output.display().to_string()
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

/// Files sorted by what a person signing them expects (`kyso sign` without `--format`): PDFs
/// (by name or by their `%PDF-` header) are signed in the PDF (PAdES), XML files (by name or
/// an `<?xml` start) get an XML signature inside (XMLDSig), anything else gets a detached
/// CAdES signature (`.p7s`), which every Vietnamese relying party reads.
#[derive(Debug, Default)]
pub struct ByContent {
    /// The PDFs, in the order given.
    pub pdf: Vec<PathBuf>,
    /// The XML files.
    pub xml: Vec<PathBuf>,
    /// Everything else.
    pub other: Vec<PathBuf>,
}

/// Sorts `files` by content (see [`ByContent`]); a file that cannot be read is sorted by its
/// name and fails alone when it is signed.
pub fn by_content(files: Vec<PathBuf>) -> ByContent {
    let mut out = ByContent::default();
    for file in files {
        let ext = file
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let mut head = [0u8; 5];
        let n = super::files::open_regular(&file)
            .ok()
            .and_then(|mut f| std::io::Read::read(&mut f, &mut head).ok())
            .unwrap_or(0);
        let head = &head[..n];
        if ext == "pdf" || head == b"%PDF-" {
            out.pdf.push(file);
        } else if ext == "xml" || head == b"<?xml" {
            out.xml.push(file);
        } else {
            out.other.push(file);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_sorted_by_content_then_name() {
        let dir = tempfile::tempdir().unwrap();
        let f = |name: &str, body: &[u8]| {
            let p = dir.path().join(name);
            std::fs::write(&p, body).unwrap();
            p
        };
        let files = vec![
            f("a.pdf", b"%PDF-1.7"),
            f("scan", b"%PDF-1.4 no extension"),
            f("hoa-don.xml", b"<HDon/>"),
            f("to-khai", b"<?xml version=\"1.0\"?><TKhai/>"),
            f("c.docx", b"PK\x03\x04"),
            dir.path().join("missing.pdf"),
            dir.path().join("missing.txt"),
        ];
        let by = by_content(files);
        let names = |v: &[PathBuf]| {
            v.iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&by.pdf), ["a.pdf", "scan", "missing.pdf"]);
        assert_eq!(names(&by.xml), ["hoa-don.xml", "to-khai"]);
        assert_eq!(names(&by.other), ["c.docx", "missing.txt"]);
    }

    #[test]
    fn a_countersigned_pdf_is_numbered_not_named_twice() {
        let out = |f: &str| output_path(Path::new(f), None, Format::Pades);
        assert_eq!(out("d/qd.pdf"), Path::new("d/qd.signed.pdf"));
        assert_eq!(out("d/qd.signed.pdf"), Path::new("d/qd.signed-2.pdf"));
        assert_eq!(out("d/qd.signed-2.pdf"), Path::new("d/qd.signed-3.pdf"));
        assert_eq!(out("qd.signed-1.pdf"), Path::new("qd.signed-1.signed.pdf"));
        assert_eq!(
            output_path(Path::new("a.signed.pdf"), None, Format::Cms),
            Path::new("a.signed.pdf.p7s")
        );
    }

    #[test]
    fn signed_pdfs_are_kyso_outputs() {
        for f in ["a.signed.pdf", "a.SIGNED-12.PDF", "a.p7s", "a.sig"] {
            assert!(is_kyso_output(Path::new(f)), "{f}");
        }
        for f in ["a.pdf", "signed.pdf", "a.signed-1.pdf", "a.signed-x.pdf"] {
            assert!(!is_kyso_output(Path::new(f)), "{f}");
        }
    }
}
