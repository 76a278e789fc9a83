//! What a writer thread makes of one signed document, and how it is written.

use std::io::{Read, Seek, Write};
use std::path::Path;
use std::time::SystemTime;

use super::files::{write_atomic, write_atomic_with};
use super::Target;
use crate::document::pdf::pades::SignedPdf;
use crate::error::{Error, Result};

/// Length and modification time of an open file: a change between hashing and copying means
/// the copy would not match the signature.
pub(crate) type Stamp = (u64, Option<SystemTime>);

/// The [`Stamp`] of an open file.
pub(crate) fn stamp(file: &std::fs::File) -> Stamp {
    file.metadata()
        .map(|m| (m.len(), m.modified().ok()))
        .unwrap_or((0, None))
}

/// What a writer thread writes for one document.
pub(crate) enum Output {
    /// The whole output.
    Bytes(Vec<u8>),
    /// A signed PDF on disk: the input's bytes (copied file to file, whatever their size),
    /// then the signature's incremental update.
    Appended {
        /// The input, open since it was hashed.
        input: std::fs::File,
        /// Its length and modification time when it was hashed.
        stamp: Stamp,
        /// Bytes of the input to copy, then the update.
        signed: SignedPdf,
    },
    /// An output still to be assembled (then written as what it becomes).
    Later(Assemble),
}

/// The last steps before an output exists (checking the token's signature, a timestamp,
/// assembling the CMS), run on a writer thread so the token thread only signs.
pub(crate) type Assemble = Box<dyn FnOnce() -> Result<Output> + Send>;

impl From<Vec<u8>> for Output {
    fn from(bytes: Vec<u8>) -> Self {
        Output::Bytes(bytes)
    }
}

impl Output {
    /// Writes the output atomically to `target`, or returns it for [`Target::Memory`].
    pub(crate) fn write(self, target: &Target, name: &str) -> Result<Option<Vec<u8>>> {
        match self {
            Output::Later(assemble) => assemble()?.write(target, name),
            Output::Bytes(bytes) => match target {
                Target::File(path) => write_atomic(path, &bytes).map(|()| None),
                Target::Memory => Ok(Some(bytes)),
            },
            Output::Appended {
                input,
                stamp,
                signed,
            } => match target {
                Target::File(path) => {
                    write_appended(path, name, input, stamp, signed).map(|()| None)
                }
                Target::Memory => {
                    let mut whole = Vec::new();
                    copy_base(&input, stamp, &signed, name, &mut whole, Path::new(name))?;
                    whole.extend_from_slice(&signed.tail);
                    Ok(Some(whole))
                }
            },
        }
    }
}

fn changed(name: &str) -> Error {
    Error::Document(crate::t!("output-input-changed", name = name))
}

/// Copies the signed part of `input` into `out`, refusing an input that changed since it was
/// hashed.
fn copy_base(
    input: &std::fs::File,
    hashed: Stamp,
    signed: &SignedPdf,
    name: &str,
    out: &mut dyn Write,
    out_name: &Path,
) -> Result<()> {
    if stamp(input) != hashed {
        return Err(changed(name));
    }
    let mut reader = input;
    reader.rewind().map_err(|e| Error::io(name, e))?;
    let copied = std::io::copy(&mut reader.take(signed.base_len), out)
        .map_err(|e| Error::io(out_name.display().to_string(), e))?;
    if copied != signed.base_len || stamp(input) != hashed {
        return Err(changed(name));
    }
    Ok(())
}

fn write_appended(
    path: &Path,
    name: &str,
    input: std::fs::File,
    hashed: Stamp,
    signed: SignedPdf,
) -> Result<()> {
    write_atomic_with(path, &mut |out| {
        copy_base(&input, hashed, &signed, name, out, path)?;
        out.write_all(&signed.tail)
            .map_err(|e| Error::io(path.display().to_string(), e))
    })
}
