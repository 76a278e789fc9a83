//! Documents of several formats signed with one login (`kyso sign a.pdf b.docx`): one batch
//! per format over one list of documents, checked before the PIN and reported as one summary.

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::check;
use super::plan;
use super::{Batch, Cancel, Document, Event, Failure, Format, Options, Summary};
use crate::devices::RemovalWatch;
use crate::document::Visible;
use crate::error::{Error, Result};
use crate::signer::Signer;

/// The documents of a run, each with its format, grouped by format.
pub struct Mixed {
    /// Every document (those refused before signing included, last).
    pub documents: Vec<Document>,
    /// The format of each document.
    pub formats: Vec<Format>,
    /// The documents of each format.
    pub runs: Vec<(Format, Range<usize>)>,
}

/// What the checks before the PIN left to sign.
pub struct Ready {
    /// Per format, the indices of the documents that passed (or will be skipped).
    pub ready: Vec<(Format, Vec<usize>)>,
    /// How many are to be signed.
    pub to_sign: usize,
    /// Documents refused, and why.
    pub failed: Vec<(usize, Error)>,
    /// The e-invoices to sign with their seller's tax code (MST), read while checking.
    pub sellers: Vec<(usize, String)>,
}

impl Ready {
    /// The failures as a [`Summary`] records them.
    pub fn failures(&self) -> Vec<Failure> {
        check::failures(&self.failed)
    }
}

impl Mixed {
    /// The documents for `files`: all in `format` when one is asked, else each by its content
    /// ([`plan::by_content`]); outputs named by [`plan::documents`].
    pub fn plan(
        files: Vec<PathBuf>,
        format: Option<Format>,
        out_dir: Option<&Path>,
    ) -> Result<Mixed> {
        let groups = match format {
            Some(f) => vec![(f, files)],
            None => {
                let by = plan::by_content(files);
                vec![
                    (Format::Pades, by.pdf),
                    (Format::Xml, by.xml),
                    (Format::Cms, by.other),
                ]
            }
        };
        let mut m = Mixed {
            documents: Vec::new(),
            formats: Vec::new(),
            runs: Vec::new(),
        };
        for (f, files) in groups.into_iter().filter(|(_, files)| !files.is_empty()) {
            let docs = plan::documents(files, out_dir, f)?;
            let start = m.documents.len();
            m.formats.extend(std::iter::repeat_n(f, docs.len()));
            m.documents.extend(docs);
            m.runs.push((f, start..m.documents.len()));
        }
        Ok(m)
    }

    /// Every document checked before a PIN is asked ([`check::documents`]); the stamp only
    /// concerns PDFs.
    pub fn check(&self, skip_existing: bool, visible: Option<&Visible>) -> Ready {
        let mut out = Ready {
            ready: Vec::new(),
            to_sign: 0,
            failed: Vec::new(),
            sellers: Vec::new(),
        };
        for (f, range) in &self.runs {
            let visible = visible.filter(|_| *f == Format::Pades);
            let checked =
                check::documents(&self.documents[range.clone()], *f, skip_existing, visible);
            out.to_sign += checked.to_sign;
            out.ready
                .push((*f, checked.ready.iter().map(|i| i + range.start).collect()));
            out.failed.extend(
                checked
                    .failed
                    .into_iter()
                    .map(|(i, e)| (i + range.start, e)),
            );
            out.sellers.extend(
                checked
                    .sellers
                    .into_iter()
                    .map(|(i, m)| (i + range.start, m)),
            );
        }
        out
    }

    /// Signs what `ready` holds, one batch per format with `options` (the stamp and the PDF
    /// fields for PDFs only), cancelled by `cancel`; one summary over [`Mixed::documents`].
    pub fn sign(
        &self,
        ready: &Ready,
        signer: &dyn Signer,
        options: &Options,
        cancel: &Cancel,
        watch: Option<&RemovalWatch>,
        on_event: &mut dyn FnMut(Event),
    ) -> Result<Summary> {
        let mut summary = Summary {
            failed: ready.failures(),
            ..Summary::default()
        };
        for (format, indices) in &ready.ready {
            let docs: Vec<Document> = indices.iter().map(|&i| self.documents[i].clone()).collect();
            let done = if cancel.is_cancelled() {
                Summary {
                    pending: (0..docs.len()).collect(),
                    cancelled: true,
                    ..Summary::default()
                }
            } else {
                let pades = *format == Format::Pades;
                let xml = *format == Format::Xml;
                let options = Options {
                    algorithm: options
                        .xml
                        .algorithm
                        .filter(|_| xml)
                        .unwrap_or(options.algorithm),
                    visible: options.visible.clone().filter(|_| pades),
                    reason: options.reason.clone().filter(|_| pades),
                    location: options.location.clone().filter(|_| pades),
                    contact: options.contact.clone().filter(|_| pades),
                    // XML files of a mixed run are timestamped only as XAdES-T
                    tsa: options.tsa.clone().filter(|_| {
                        !xml || options.xml.profile == crate::document::xml::Profile::XadesT
                    }),
                    ..options.clone()
                };
                let mut batch = Batch::new(signer, *format, options)?.with_cancel(cancel.clone());
                if let Some(w) = watch {
                    batch = batch.with_removal_watch(w);
                }
                batch.run(&docs, on_event)
            };
            summary = summary.merge(done.over(indices, Vec::new()));
        }
        Ok(summary)
    }
}
