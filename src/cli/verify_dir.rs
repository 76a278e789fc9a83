//! `kyso verify DIR`: the signed documents in a folder (each `.p7s` signature, each PDF or XML
//! file with a signature inside), found without parsing them.

use kyso::t;
use std::path::{Path, PathBuf};

use kyso::batch::files;
use kyso::{Error, Result};

use super::verify::detached_pair;

/// What a command-line argument is, to verify.
pub(super) enum Target {
    /// A file named (or found in a directory).
    Named(PathBuf),
    /// A directory with nothing signed in it.
    Empty(PathBuf),
}

/// The signed documents in `dir`: each `.p7s` signature and each PDF with a signature inside
/// (sorted; hidden files left out).
pub(super) fn signed_in(dir: &Path, recursive: bool) -> Result<Vec<Target>> {
    let ctx = || t!("io-reading-directory", dir = dir.display().to_string());
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(ctx(), e))?
        .map(|e| e.map(|e| e.path()).map_err(|e| Error::io(ctx(), e)))
        .collect::<Result<_>>()?;
    entries.sort();
    let mut out = Vec::new();
    for path in entries {
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        if path.is_dir() {
            if recursive {
                out.extend(signed_in(&path, recursive)?);
            }
            continue;
        }
        let name = path.to_string_lossy().to_lowercase();
        let detached = name.ends_with(".p7s");
        if name.ends_with(".xml") && has_xml_signature(&path) {
            out.push(Target::Named(path));
            continue;
        }
        // A PDF with a detached signature beside it is verified through that signature.
        let embedded =
            name.ends_with(".pdf") && !detached_pair(&path).1.exists() && has_pdf_signature(&path);
        if detached || embedded {
            out.push(Target::Named(path));
        }
    }
    Ok(out)
}

/// Whether an XML file holds an XMLDSig signature (the dsig namespace), read without parsing.
fn has_xml_signature(path: &Path) -> bool {
    files::read_regular(path).is_ok_and(|d| d.windows(XMLDSIG.len()).any(|w| w == XMLDSIG))
}

const XMLDSIG: &[u8] = b"http://www.w3.org/2000/09/xmldsig#";

/// Whether a PDF holds a signature (a `/ByteRange`), read without parsing it.
fn has_pdf_signature(path: &Path) -> bool {
    use std::io::Read;
    let Ok(mut f) = files::open_regular(path) else {
        return false;
    };
    let needle = b"/ByteRange";
    let mut buf = vec![0u8; 1 << 16];
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => n,
        };
        carry.extend_from_slice(&buf[..n]);
        if carry.windows(needle.len()).any(|w| w == needle) {
            return true;
        }
        let keep = carry.len().saturating_sub(needle.len());
        carry.drain(..keep);
    }
}
