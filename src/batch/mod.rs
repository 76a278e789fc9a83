//! The signing pipeline every face uses: many documents, one login, each signature checked
//! and each output written atomically.
//!
//! Worker threads read and hash documents and build everything around the signature; the
//! calling thread only has the token sign; writer threads check each signature, timestamp it,
//! assemble the document and write it. A token failure stops the batch cleanly, a bad document
//! fails alone, and a [`Cancel`] from another thread stops it between signatures: finished
//! outputs stay, nothing partial is left, and a rerun with `skip_existing` does the rest.
//!
//! ```no_run
//! use kyso::batch::{Batch, Document, Event, Format, Options};
//! # fn demo(signer: &dyn kyso::Signer) -> kyso::Result<()> {
//! let alg = kyso::batch::choose::algorithm(signer, None, Format::Cms)?.algorithm;
//! let batch = Batch::new(signer, Format::Cms, Options::new(alg))?;
//! let docs = vec![
//!     Document::file("a.pdf", "a.pdf.p7s"),
//!     Document::memory("from the web", b"hello".to_vec()),
//! ];
//! let summary = batch.run(&docs, &mut |event| {
//!     if let Event::Signed { document, .. } = event {
//!         println!("signed {}", document.name());
//!     }
//! });
//! assert!(summary.is_complete());
//! # Ok(()) }
//! ```

pub mod check;
pub mod choose;
mod dirsync;
mod engine;
pub mod extend;
pub mod files;
mod format;
pub mod mixed;
mod output;
mod par;
pub mod plan;

pub use self::par::par_map;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;

use crate::cert::Certificate;
use crate::checked::Verifier;
use crate::devices::RemovalWatch;
use crate::document::verify::ValidationCache;
use crate::document::xml::{self, XmlOptions};
use crate::document::Timestamper;
use crate::document::Visible;
use crate::error::{Error, Result};
use crate::key::SignatureAlgorithm;
use crate::signer::Signer;

/// What the pipeline makes of each document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// The bare signature over the document (ECDSA as DER): `openssl dgst -verify` checks it.
    Raw,
    /// A CAdES detached CMS signature.
    Cms,
    /// The PDF signed in an incremental update (PAdES).
    Pades,
    /// An XML file with an XMLDSig signature inside (e-invoices, declarations).
    Xml,
}

impl Format {
    /// The suffix of the output file's name (`report.pdf` → `report.signed.pdf` for PAdES).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Raw => ".sig",
            Format::Cms => ".p7s",
            Format::Pades => ".signed.pdf",
            Format::Xml => ".signed.xml",
        }
    }

    /// Whether the output is a signed document (CMS, PDF, XML), not a bare signature.
    pub fn is_document(self) -> bool {
        !matches!(self, Format::Raw)
    }

    /// Whether RSA keys default to RSASSA-PSS (CMS and PDF); XML receivers' validators accept
    /// only PKCS#1 v1.5 so far.
    pub fn defaults_to_pss(self) -> bool {
        matches!(self, Format::Cms | Format::Pades)
    }

    /// The file extension of the documents this format signs inside (`pdf`, `xml`).
    pub fn signs_inside(self) -> Option<&'static str> {
        match self {
            Format::Pades => Some("pdf"),
            Format::Xml => Some("xml"),
            _ => None,
        }
    }

    /// The lower-case name (`raw`, `cms`, `pades`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Raw => "raw",
            Format::Cms => "cms",
            Format::Pades => "pades",
            Format::Xml => "xml",
        }
    }
}

/// Where a document's bytes come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file, read (and for PDFs copied) from disk; never held whole in memory.
    File(PathBuf),
    /// Bytes held in memory (what a web page sends), with a name for messages.
    Memory {
        /// The name messages use.
        name: String,
        /// The document.
        data: Arc<[u8]>,
    },
}

/// Where a document's output goes.
#[derive(Debug, Clone)]
pub enum Target {
    /// A file, written atomically.
    File(PathBuf),
    /// Back to the caller, in [`Event::Signed`].
    Memory,
}

/// One document to sign and where its output goes.
#[derive(Debug, Clone)]
pub struct Document {
    /// The input.
    pub source: Source,
    /// The output.
    pub target: Target,
}

impl Document {
    /// A file signed into `output`.
    pub fn file(input: impl Into<PathBuf>, output: impl Into<PathBuf>) -> Document {
        Document {
            source: Source::File(input.into()),
            target: Target::File(output.into()),
        }
    }

    /// Bytes in memory, signed back into memory.
    pub fn memory(name: impl Into<String>, data: impl Into<Arc<[u8]>>) -> Document {
        Document {
            source: Source::Memory {
                name: name.into(),
                data: data.into(),
            },
            target: Target::Memory,
        }
    }

    /// What messages call it: the input's path, or its name.
    pub fn name(&self) -> String {
        match &self.source {
            Source::File(p) => p.display().to_string(),
            Source::Memory { name, .. } => name.clone(),
        }
    }

    /// The input file, for documents on disk.
    pub fn input_path(&self) -> Option<&Path> {
        match &self.source {
            Source::File(p) => Some(p),
            Source::Memory { .. } => None,
        }
    }

    /// The output file, for outputs on disk.
    pub fn output_path(&self) -> Option<&Path> {
        match &self.target {
            Target::File(p) => Some(p),
            Target::Memory => None,
        }
    }

    fn len(&self) -> u64 {
        match &self.source {
            Source::File(p) => std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
            Source::Memory { data, .. } => data.len() as u64,
        }
    }
}

/// How documents are signed.
#[derive(Clone)]
pub struct Options {
    /// The signature algorithm (see [`choose::algorithm`] for the default policy).
    pub algorithm: SignatureAlgorithm,
    /// Certificates after the signer's in CMS signatures (see [`choose::known_chain`]).
    pub chain: Vec<Certificate>,
    /// Where signature timestamps come from (CAdES-T, PAdES B-T); `None` for none.
    pub tsa: Option<Arc<dyn Timestamper>>,
    /// PAdES: a visible signature.
    pub visible: Option<Visible>,
    /// PAdES: `/Reason` (why it is signed: "Phê duyệt"), shown by readers and on the stamp.
    pub reason: Option<String>,
    /// PAdES: `/Location` (where it is signed: "Hà Nội"), shown by readers and on the stamp.
    pub location: Option<String>,
    /// PAdES: `/ContactInfo` (how to reach the signer), shown by readers.
    pub contact: Option<String>,
    /// Leave documents whose output file exists (resume an interrupted batch).
    pub skip_existing: bool,
    /// PAdES B-LT: a Document Security Store after each signature, its revocation answers
    /// from this cache (one request per certificate for the whole batch). Needs `tsa`.
    pub ltv: Option<Arc<ValidationCache>>,
    /// PAdES B-LTA: a document timestamp (from `tsa`) after the DSS of `ltv`.
    pub archive_timestamp: bool,
    /// XML: the profile and the signer's role.
    pub xml: XmlOptions,
}

impl Options {
    /// Options with `algorithm` and nothing else.
    pub fn new(algorithm: SignatureAlgorithm) -> Options {
        Options {
            algorithm,
            chain: Vec::new(),
            tsa: None,
            visible: None,
            reason: None,
            location: None,
            contact: None,
            skip_existing: false,
            ltv: None,
            archive_timestamp: false,
            xml: XmlOptions::default(),
        }
    }
}

/// What the pipeline reports, in order, on the thread that called [`Batch::run`].
pub enum Event<'a> {
    /// The batch begins: the documents to sign and their total size.
    Started {
        /// Documents given (skipped ones included).
        documents: usize,
        /// Their total size in bytes.
        bytes: u64,
    },
    /// Left because its output exists (`skip_existing`).
    Skipped {
        /// Index in the documents given.
        index: usize,
        /// The document.
        document: &'a Document,
    },
    /// The token is about to sign this document.
    Signing {
        /// Index in the documents given.
        index: usize,
        /// The document.
        document: &'a Document,
    },
    /// Signed, checked and written (or, for [`Target::Memory`], returned here).
    Signed {
        /// Index in the documents given.
        index: usize,
        /// The document.
        document: &'a Document,
        /// The output, for [`Target::Memory`].
        output: Option<Vec<u8>>,
    },
    /// Not signed; nothing was written for it.
    Failed {
        /// Index in the documents given.
        index: usize,
        /// The document.
        document: &'a Document,
        /// Why.
        error: Error,
    },
    /// The batch stops: the token (or the timestamp authority, or the output disk) failed,
    /// so every later document would fail too. Sent once.
    Stopped {
        /// The failure, in words.
        reason: &'a str,
    },
    /// The batch was cancelled: documents not yet signed stay pending.
    Cancelled,
    /// The end.
    Finished {
        /// What was done.
        summary: &'a Summary,
    },
}

/// A document that failed, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// Index in the documents given.
    pub index: usize,
    /// The error's message, in the language in use ([`crate::i18n`]).
    pub error: String,
    /// The error's stable code ([`Error::code`]), for scripts.
    pub code: String,
}

impl Failure {
    /// Document `index` failed with `error`.
    pub fn new(index: usize, error: &Error) -> Failure {
        Failure {
            index,
            error: error.localized(),
            code: error.code(),
        }
    }
}

/// What a batch did, by index in the documents given.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Signed, in input order.
    pub signed: Vec<usize>,
    /// Outputs already present (`skip_existing`).
    pub skipped: Vec<usize>,
    /// Failed, in input order.
    pub failed: Vec<Failure>,
    /// Not attempted because the batch stopped or was cancelled.
    pub pending: Vec<usize>,
    /// Why the batch stopped early (a token failure), if it did.
    pub stopped: Option<String>,
    /// Whether it was cancelled.
    pub cancelled: bool,
    /// Whether it stopped because the PIN or OTP was refused (remote credentials that
    /// authorise per group of documents are asked during the batch).
    pub login_refused: bool,
}

impl Summary {
    /// A summary of a batch run over a subset of the documents (`subset[i]` is the index, in
    /// the documents given, of the run's document `i`), with the documents left out before the
    /// run (see [`check::documents`]) as failures.
    pub fn over(self, subset: &[usize], mut failed_before: Vec<Failure>) -> Summary {
        let map = |v: Vec<usize>| v.into_iter().map(|i| subset[i]).collect::<Vec<_>>();
        failed_before.extend(self.failed.into_iter().map(|f| Failure {
            index: subset[f.index],
            ..f
        }));
        failed_before.sort_by_key(|f| f.index);
        Summary {
            signed: map(self.signed),
            skipped: map(self.skipped),
            failed: failed_before,
            pending: map(self.pending),
            stopped: self.stopped,
            cancelled: self.cancelled,
            login_refused: self.login_refused,
        }
    }

    /// Both summaries as one (batches of different formats over one list of documents): the
    /// first stop is kept.
    pub fn merge(mut self, other: Summary) -> Summary {
        self.signed.extend(other.signed);
        self.skipped.extend(other.skipped);
        self.failed.extend(other.failed);
        self.pending.extend(other.pending);
        self.signed.sort_unstable();
        self.skipped.sort_unstable();
        self.pending.sort_unstable();
        self.failed.sort_by_key(|f| f.index);
        self.stopped = self.stopped.or(other.stopped);
        self.cancelled |= other.cancelled;
        self.login_refused |= other.login_refused;
        self
    }

    /// Every document signed or skipped.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty() && self.pending.is_empty() && self.stopped.is_none()
    }
}

/// Cancels a running batch from another thread (a Ctrl-C handler, a web page's "stop").
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// Asks the batch to stop after the signature in progress.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`Cancel::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// A batch ready to run: a logged-in signer, a format and options.
pub struct Batch<'a> {
    signer: &'a dyn Signer,
    format: Format,
    options: Options,
    verifier: Arc<Verifier>,
    cancel: Cancel,
    watch: Option<&'a RemovalWatch>,
}

impl<'a> Batch<'a> {
    /// A batch signing with `signer` (logged in) into `format`.
    pub fn new(signer: &'a dyn Signer, format: Format, options: Options) -> Result<Batch<'a>> {
        if options.tsa.is_some() && format == Format::Raw {
            return Err(Error::InvalidInput(crate::t!(
                "batch-timestamp-needs-format"
            )));
        }
        let xades_t = options.xml.profile == xml::Profile::XadesT;
        if format == Format::Xml && options.tsa.is_some() && !xades_t {
            return Err(Error::InvalidInput(crate::t!(
                "batch-timestamp-xml-needs-xades-t"
            )));
        }
        if format == Format::Xml && options.tsa.is_none() && xades_t {
            return Err(Error::InvalidInput(crate::t!("xades-t-needs-tsa")));
        }
        if options.visible.is_some() && format != Format::Pades {
            return Err(Error::InvalidInput(crate::t!("batch-visible-needs-pades")));
        }
        let fields = [&options.reason, &options.location, &options.contact];
        if fields.iter().any(|f| f.is_some()) && format != Format::Pades {
            return Err(Error::InvalidInput(crate::t!("batch-fields-need-pades")));
        }
        let verifier = Arc::new(Verifier::new(
            signer.certificate(),
            signer.key().label.clone(),
        )?);
        Ok(Batch {
            signer,
            format,
            options,
            verifier,
            cancel: Cancel::default(),
            watch: None,
        })
    }

    /// Cancels through `cancel` (keep a clone to call [`Cancel::cancel`] on).
    pub fn with_cancel(mut self, cancel: Cancel) -> Self {
        self.cancel = cancel;
        self
    }

    /// Marks each call to the token on `watch`, which guards against a module that never
    /// returns when its token is pulled out.
    pub fn with_removal_watch(mut self, watch: &'a RemovalWatch) -> Self {
        self.watch = Some(watch);
        self
    }

    /// Signs `documents`, reporting each step to `on_event`; returns what was done (also sent
    /// as [`Event::Finished`]).
    pub fn run(&self, documents: &[Document], on_event: &mut dyn FnMut(Event)) -> Summary {
        let formatter = format::Formatter {
            signer: self.signer,
            format: self.format,
            options: &self.options,
            verifier: &self.verifier,
        };
        let busy = |b: bool| {
            if let Some(w) = self.watch {
                w.busy(b)
            }
        };
        let group = self.signer.batch_size();
        let mut finish = |items: Vec<(&Document, format::Prepared)>| {
            busy(true);
            let out = if group > 1 {
                formatter.sign_group(items)
            } else {
                items
                    .into_iter()
                    .map(|(d, p)| formatter.sign(d, p))
                    .collect()
            };
            busy(false);
            out
        };
        engine::run(
            documents,
            &engine::Settings {
                skip_existing: self.options.skip_existing,
                group,
                cancel: &self.cancel,
            },
            &|d| formatter.prepare(d),
            &mut finish,
            on_event,
        )
    }
}
