//! PAdES B-LTA: a document timestamp (ISO 32000-2 §12.8.5, `/SubFilter /ETSI.RFC3161`) over
//! the whole file, validation data included, so that the signatures and their DSS are proven
//! to have existed before any of their certificates expired or their algorithms weakened.
//! Renewed (another one over everything) before the last one's TSA certificate expires.

use time::OffsetDateTime;

use super::pades::{embed_bytes, prepare_from, PadesOptions};
use super::reader::Source;
use crate::digest::HashAlg;
use crate::document::cms::tsp::Timestamper;
use crate::error::{Error, Result};

/// Bytes hashed per read.
const CHUNK: usize = 1 << 20;

/// The update adding a document timestamp from `tsa` (imprint hashed with `hash`) to the PDF
/// in `src`.
pub fn doc_timestamp_update<S: Source + ?Sized>(
    src: &S,
    tsa: &dyn Timestamper,
    hash: HashAlg,
) -> Result<Vec<u8>> {
    let options = PadesOptions {
        chain: Vec::new(),
        signing_time: OffsetDateTime::now_utc(),
        reason: None,
        location: None,
        contact: None,
        tsa: None,
        visible: None,
    };
    let prepared = prepare_from(src, None, hash, &options, &mut |hasher, len| {
        let mut at = 0;
        while at < len {
            let chunk = src
                .window(at, CHUNK)
                .map_err(|e| Error::io("reading the PDF", e))?;
            if chunk.is_empty() {
                return Err(Error::Document(
                    "the PDF changed while it was being read".into(),
                ));
            }
            hasher.update(&chunk);
            at += chunk.len() as u64;
        }
        Ok(())
    })?;
    let token = tsa.timestamp_digest(hash, &prepared.digest)?;
    Ok(embed_bytes(prepared, &token)?.tail)
}
