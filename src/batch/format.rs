//! Each format's three steps: prepare (worker threads: hash, build what surrounds the
//! signature), sign (the token thread: the token's call and nothing else), and assemble
//! (writer threads: check the signature, timestamp it, build the output).

use std::sync::Arc;

use time::OffsetDateTime;

use super::files::{not_empty_pdf, open_regular};
use super::output::{stamp, Output, Stamp};
use super::{Document, Format, Options, Source};
use crate::cert::Certificate;
use crate::checked::Verifier;
use crate::digest::HashAlg;
use crate::document::cms::cades_lt::add_long_term_values;
use crate::document::cms::{self, tsp, CadesOptions, PreparedCms};
use crate::document::pdf::doc_timestamp::doc_timestamp_update;
use crate::document::pdf::dss::{dss_update, Appended};
use crate::document::pdf::pades::{self, PadesOptions, PreparedPdf, SignedPdf};
use crate::document::pdf::reader::Source as PdfSource;
use crate::document::xml::PreparedXml;
use crate::error::{Error, Result};
use crate::signer::Signer;

/// What the worker threads hand to the token.
pub(crate) enum Prepared {
    /// A raw signature's digest.
    Digest(Vec<u8>),
    /// A CMS signature's signed attributes.
    Cms(Box<PreparedCms>),
    /// A PDF's update and its CMS signed attributes.
    Pdf(Box<PreparedFile>),
    /// An XML document with its signature but the value.
    Xml(Box<PreparedXml>),
}

/// A PDF ready for its signature, with where its original bytes are.
pub(crate) struct PreparedFile {
    pdf: PreparedPdf,
    cms: PreparedCms,
    original: Original,
}

/// The original bytes of a PDF being signed.
enum Original {
    /// An open file (copied file to file when written).
    File(std::fs::File, Stamp),
    /// Bytes in memory.
    Memory(Arc<[u8]>),
}

/// One batch's formatting: the signer, the format and the options.
pub(crate) struct Formatter<'a> {
    pub signer: &'a dyn Signer,
    pub format: Format,
    pub options: &'a Options,
    pub verifier: &'a Arc<Verifier>,
}

impl Formatter<'_> {
    fn cades(&self, signing_time: Option<OffsetDateTime>) -> CadesOptions {
        CadesOptions {
            chain: self.options.chain.clone(),
            signing_time,
            tsa: self.options.tsa.clone(),
        }
    }

    fn prepared_cms(&self, digest: &[u8], opts: &CadesOptions) -> Result<PreparedCms> {
        PreparedCms::new(
            self.signer.certificate(),
            &self.signer.key().key_type,
            self.options.algorithm,
            digest,
            opts,
        )
    }

    fn digest(&self, doc: &Document) -> Result<Vec<u8>> {
        let hash = self.options.algorithm.hash();
        match &doc.source {
            Source::File(path) => hash.digest_reader(&mut open_regular(path)?),
            Source::Memory { data, .. } => Ok(hash.digest(data)),
        }
    }

    /// Step 1, on a worker thread.
    pub(crate) fn prepare(&self, doc: &Document) -> Result<Prepared> {
        match self.format {
            Format::Raw => Ok(Prepared::Digest(self.digest(doc)?)),
            Format::Cms => {
                let digest = self.digest(doc)?;
                let opts = self.cades(Some(OffsetDateTime::now_utc()));
                Ok(Prepared::Cms(Box::new(self.prepared_cms(&digest, &opts)?)))
            }
            Format::Pades => {
                let opts = PadesOptions {
                    chain: self.options.chain.clone(),
                    signing_time: OffsetDateTime::now_utc(),
                    reason: self.options.reason.clone(),
                    location: self.options.location.clone(),
                    contact: self.options.contact.clone(),
                    tsa: self.options.tsa.clone(),
                    visible: self.options.visible.clone(),
                };
                let (alg, signer) = (self.options.algorithm, self.signer);
                let (pdf, original) = match &doc.source {
                    Source::File(path) => {
                        let file = open_regular(path)?;
                        let stamp = stamp(&file);
                        not_empty_pdf(&doc.name(), stamp.0)?;
                        let pdf = pades::prepare_file(&file, signer, alg, &opts)?;
                        (pdf, Original::File(file, stamp))
                    }
                    Source::Memory { data, .. } => {
                        not_empty_pdf(&doc.name(), data.len() as u64)?;
                        let pdf = pades::prepare(data, signer, alg, &opts)?;
                        (pdf, Original::Memory(data.clone()))
                    }
                };
                let cms = self.prepared_cms(&pdf.digest, &pades::cades_options(&opts))?;
                Ok(Prepared::Pdf(Box::new(PreparedFile { pdf, cms, original })))
            }
            Format::Xml => {
                let data = read_all(doc)?;
                Ok(Prepared::Xml(Box::new(PreparedXml::prepare(
                    &doc.name(),
                    &data,
                    self.signer.certificate(),
                    self.options.algorithm,
                    &self.options.xml,
                    OffsetDateTime::now_utc(),
                )?)))
            }
        }
    }

    /// Step 2, on the token thread: the token's signature; step 3 is left to a writer.
    pub(crate) fn sign(&self, doc: &Document, prepared: Prepared) -> Result<Output> {
        let signature = match &prepared {
            Prepared::Digest(digest) => self.sign_raw(doc, digest)?,
            Prepared::Cms(cms) => cms.sign(self.signer)?,
            Prepared::Pdf(p) => p.cms.sign(self.signer)?,
            Prepared::Xml(x) => self.sign_bytes(x.signed_info(), &x.digest())?,
        };
        Ok(self.later(prepared, signature))
    }

    /// Step 3, for a writer thread: check the token's `signature`, timestamp it, build the
    /// output.
    fn later(&self, prepared: Prepared, signature: Vec<u8>) -> Output {
        let verifier = self.verifier.clone();
        let tsa = self.options.tsa.clone();
        let ltv = self.options.ltv.clone();
        let archive = self.options.archive_timestamp;
        let chain = self.options.chain.clone();
        let signer_cert = self.signer.certificate().clone();
        let alg = self.options.algorithm;
        match prepared {
            Prepared::Digest(digest) => Output::Later(Box::new(move || {
                // the check from a digest is slow in pure Rust: here, not on the token thread
                let checked = verifier.check_digest(alg, &digest, signature)?;
                Ok(checked.into_bytes().into())
            })),
            Prepared::Cms(prepared) => Output::Later(Box::new(move || {
                let checked = prepared.check(&verifier, signature)?;
                let token = cms::timestamp(tsa.as_deref(), &checked)?;
                let certs = ltv.as_ref().map(|_| {
                    long_term_certs(&signer_cert, &chain, token.as_deref(), checked.as_bytes())
                });
                let mut p7s = prepared.assemble(checked, token)?.into_bytes();
                if let (Some(cache), Some(certs)) = (&ltv, certs) {
                    p7s = add_long_term_values(&p7s, &cache.collect(&certs)?)?;
                }
                Ok(p7s.into())
            })),
            Prepared::Pdf(p) => Output::Later(Box::new(move || {
                let PreparedFile { pdf, cms, original } = *p;
                let checked = cms.check(&verifier, signature)?;
                let token = cms::timestamp(tsa.as_deref(), &checked)?;
                let certs = ltv.as_ref().map(|_| {
                    long_term_certs(&signer_cert, &chain, token.as_deref(), checked.as_bytes())
                });
                let mut signed = pades::embed(pdf, &cms.assemble(checked, token)?)?;
                if let (Some(cache), Some(certs)) = (&ltv, certs) {
                    let data = cache.collect(&certs)?;
                    append(&mut signed, &original, &|pdf| dss_update(pdf, &data))?;
                    if let (true, Some(tsa)) = (archive, &tsa) {
                        append(&mut signed, &original, &|pdf| {
                            doc_timestamp_update(pdf, tsa.as_ref(), HashAlg::Sha256)
                        })?;
                    }
                }
                Ok(match original {
                    Original::File(input, stamp) => Output::Appended {
                        input,
                        stamp,
                        signed,
                    },
                    Original::Memory(data) => Output::Bytes(signed.to_bytes(&data)),
                })
            })),
            Prepared::Xml(x) => Output::Later(Box::new(move || {
                let checked = verifier.check_message(alg, x.signed_info(), signature)?;
                Ok(x.assemble(&checked, tsa.as_deref())?.into())
            })),
        }
    }

    /// The token's signature over `data` (whose digest is `digest`): from the digest, or
    /// streamed to tokens that want the message (see [`Formatter::sign_raw`]).
    fn sign_bytes(&self, data: &[u8], digest: &[u8]) -> Result<Vec<u8>> {
        let alg = self.options.algorithm;
        if self.signer.key().always_authenticate {
            return self.signer.sign_data(alg, &mut &data[..]);
        }
        match self.signer.sign_digest(alg, digest) {
            Err(Error::MechanismNotSupported { .. }) => self.signer.sign_data(alg, &mut &data[..]),
            other => other,
        }
    }

    /// The bare signature, as the token gave it; keys that want the PIN per signature, or
    /// tokens that only sign whole messages, get the document streamed to the token instead
    /// of the digest.
    fn sign_raw(&self, doc: &Document, digest: &[u8]) -> Result<Vec<u8>> {
        let alg = self.options.algorithm;
        let streamed = || -> Result<Vec<u8>> {
            match &doc.source {
                Source::File(path) => {
                    let mut input = std::fs::File::open(path)
                        .map_err(|e| Error::io(path.display().to_string(), e))?;
                    self.signer.sign_data(alg, &mut input)
                }
                Source::Memory { data, .. } => self.signer.sign_data(alg, &mut &data[..]),
            }
        };
        if self.signer.key().always_authenticate {
            return streamed();
        }
        match self.signer.sign_digest(alg, digest) {
            Err(Error::MechanismNotSupported { .. }) => streamed(),
            other => other,
        }
    }

    /// Signatures of several documents in one call of the signer (remote services: one
    /// `signHash` for many hashes, and for SCAL 2 one authorisation naming them all). A
    /// failure of the call fails every document of the group (the first carries the error
    /// itself, so a token failure stops the batch); nothing is written for any of them.
    pub(crate) fn sign_group(&self, items: Vec<(&Document, Prepared)>) -> Vec<Result<Output>> {
        let alg = self.options.algorithm;
        let digests: Vec<Vec<u8>> = items
            .iter()
            .map(|(_, p)| match p {
                Prepared::Digest(d) => d.clone(),
                Prepared::Cms(cms) => cms.digest(),
                Prepared::Pdf(p) => p.cms.digest(),
                Prepared::Xml(x) => x.digest(),
            })
            .collect();
        match self.signer.sign_digests(alg, &digests) {
            Ok(sigs) if sigs.len() == digests.len() => items
                .into_iter()
                .zip(sigs)
                .map(|((_, prepared), sig)| Ok(self.later(prepared, sig)))
                .collect(),
            Ok(sigs) => digests
                .iter()
                .map(|_| {
                    Err(Error::InvalidInput(format!(
                        "the signer returned {} signatures for {} digests",
                        sigs.len(),
                        digests.len()
                    )))
                })
                .collect(),
            Err(e) => {
                let why = e.to_string();
                let rest = |_| {
                    Err(e
                        .remote_again()
                        .unwrap_or_else(|| Error::InvalidInput(format!("not signed: {why}"))))
                };
                let mut out: Vec<Result<Output>> = (1..digests.len()).map(rest).collect();
                out.insert(0, Err(e));
                out
            }
        }
    }
}

/// Appends the update `make` writes for the signed PDF so far (a DSS, a document timestamp).
fn append(
    signed: &mut SignedPdf,
    original: &Original,
    make: &dyn Fn(&dyn PdfSource) -> Result<Vec<u8>>,
) -> Result<()> {
    let more = match original {
        Original::File(input, _) => make(&Appended {
            base: input,
            base_len: signed.base_len,
            tail: &signed.tail,
        })?,
        Original::Memory(bytes) => make(&Appended {
            base: &bytes[..],
            base_len: signed.base_len,
            tail: &signed.tail,
        })?,
    };
    signed.tail.extend_from_slice(&more);
    Ok(())
}

/// B-LT: the certificates of the signer's chain and of the TSA's (`token` over `signature`).
fn long_term_certs(
    signer: &Certificate,
    chain: &[Certificate],
    token: Option<&[u8]>,
    signature: &[u8],
) -> Vec<Certificate> {
    let mut certs = vec![signer.clone()];
    certs.extend(chain.iter().cloned());
    if let Some(t) = token {
        let v = tsp::verify_token(t, signature);
        certs.extend(v.tsa_certificate().cloned());
        certs.extend(v.embedded_certificates().iter().cloned());
    }
    certs
}

/// The whole document (XML files are small and parsed whole), at most
/// [`crate::document::xml::parse::MAX_XML_BYTES`] and one byte read.
fn read_all(doc: &Document) -> Result<Arc<[u8]>> {
    use std::io::Read;
    match &doc.source {
        Source::File(path) => {
            let mut data = Vec::new();
            let limit = crate::document::xml::parse::MAX_XML_BYTES as u64 + 1;
            open_regular(path)?
                .take(limit)
                .read_to_end(&mut data)
                .map_err(|e| Error::io(path.display().to_string(), e))?;
            Ok(data.into())
        }
        Source::Memory { data, .. } => Ok(data.clone()),
    }
}
