//! `kyso sign`: one login, many files, each signature checked and written atomically.

//!
//! A thin shell over the library's pipeline ([`kyso::batch`]): arguments in, the pipeline's
//! events out (through [`super::batch`]).

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, ValueEnum};

use kyso::batch::{self, choose, plan, Batch, Document, Options};
use kyso::document::{self, Timestamper};
use kyso::{Certificate, Error, Result};

use super::batch::Report;
use super::pin::PinArgs;
use super::{context, Cli};

/// Output formats of `kyso sign`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The bare signature over the file (ECDSA as DER) in FILE.sig: `openssl dgst -verify`
    /// checks it.
    Raw,
    /// CAdES-B detached CMS signature in FILE.p7s (`openssl cms -verify -binary -content FILE`).
    Cms,
    /// PAdES B-B: FILE.pdf signed in FILE.signed.pdf (an incremental update; earlier
    /// signatures stay valid).
    #[value(alias = "pdf")]
    Pades,
    /// XML signatures (e-invoices, declarations): not in kyso yet.
    Xml,
}

/// What an XML file gets until the XML signature formats exist.
const XML_NOT_YET: &str = "XML signing (XMLDSig for e-invoices and declarations) is not in \
                           kyso yet: sign it as a detached signature with --format cms";

impl Format {
    fn to_batch(self) -> Result<batch::Format> {
        match self {
            Format::Raw => Ok(batch::Format::Raw),
            Format::Cms => Ok(batch::Format::Cms),
            Format::Pades => Ok(batch::Format::Pades),
            Format::Xml => Err(Error::InvalidInput(XML_NOT_YET.into())),
        }
    }
}

const SIGN_HELP: &str = "\
Default format (no --format): each file by its content: PDFs are signed in the PDF (pades,
  FILE.signed.pdf); XML files wait for the XML formats; anything else gets a detached CAdES
  signature (cms, FILE.p7s). --format raw writes the bare signature (FILE.sig).

Default algorithm:
  EC keys: ECDSA with the curve's hash (P-256: ecdsa-sha256, P-384: ecdsa-sha384).
  RSA keys, --format raw: rsa-pkcs1-sha256.
  RSA keys, document formats (cms, pades): rsa-pss-sha256 (RSASSA-PSS, MGF1-SHA-256, salt 32),
    the scheme Vietnam's 2025 technical rules (Decree 23/2025) name for RSA signatures.
    When the token offers no PSS mechanism, kyso falls back to rsa-pkcs1-sha256 and says so.
    For relying parties that still accept only PKCS#1 v1.5, pass
    --algorithm rsa-pkcs1-sha256.

Examples:
  kyso sign --format cms --pin-file ~/.pin --key-id 01 a.pdf b.docx
  openssl cms -verify -binary -inform DER -in a.pdf.p7s -content a.pdf -CAfile ca.pem -purpose any
  kyso sign --format pades --pin-file ~/.pin quyet-dinh.pdf      # -> quyet-dinh.signed.pdf
  pdfsig quyet-dinh.signed.pdf
  kyso sign --format pades --visible 1,350,40,220,70 --pin-file ~/.pin quyet-dinh.pdf
  kyso sign --format cms --tsa http://tsa.example.vn/tsa --pin-file ~/.pin a.pdf   # CAdES-T
  kyso sign --format cms --recursive --skip-existing --pin-fd 3 3<pin.txt ./outbox
  kyso sign --format raw --key-id 01 a.txt
  openssl dgst -sha256 -verify pub.pem -signature a.txt.sig a.txt";

/// Options of `kyso sign`.
#[derive(Debug, Args)]
#[command(after_help = SIGN_HELP)]
pub struct SignArgs {
    /// Signature format (default: by content, see below; `pdf` is `pades`).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Use the token with this label (needed when several tokens hold keys).
    #[arg(long, value_name = "LABEL")]
    token: Option<String>,
    /// Use the key whose CKA_ID is this hex string (as `kyso certs` shows it).
    #[arg(long, value_name = "HEX")]
    key_id: Option<String>,
    /// Signature algorithm: rsa-pkcs1-sha256|384|512, rsa-pss-sha256|384|512, ecdsa-sha256|384
    /// (default: see below).
    #[arg(long, value_name = "NAME")]
    algorithm: Option<String>,
    /// Write signatures into this directory instead of next to each file (created if
    /// missing).
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Sign the files of directories given, and of their subdirectories.
    #[arg(long, short = 'r')]
    recursive: bool,
    /// Leave files whose output already exists (resume an interrupted batch).
    #[arg(long)]
    skip_existing: bool,
    /// Intermediate CA certificates (PEM) to put in CMS signatures after the signer's; CA
    /// certificates on the token are added too when they issue the signer's.
    #[arg(long, value_name = "PEM")]
    chain: Option<PathBuf>,
    /// Timestamp each signature at this RFC 3161 timestamp authority (CAdES-T / PAdES B-T):
    /// the token's signature is checked, then its value is sent (hashed) to the TSA. A TSA
    /// that is unreachable or answers wrongly stops the batch; nothing unstamped is written.
    #[arg(long, value_name = "URL")]
    tsa: Option<String>,
    /// Seconds to wait for the timestamp authority.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, requires = "tsa")]
    tsa_timeout: u64,
    /// PAdES: a visible signature on page PAGE in the box X,Y,WIDTH,HEIGHT (points from the
    /// page's lower-left corner; A4 is 595×842), showing the signer's name, identity numbers
    /// and the signing time.
    #[arg(long, value_name = "PAGE,X,Y,W,H")]
    visible: Option<String>,
    /// TrueType font for --visible (needs Vietnamese glyphs).
    #[arg(long, value_name = "TTF", default_value = document::pdf::appearance::DEFAULT_FONT, requires = "visible")]
    font: PathBuf,
    #[command(flatten)]
    pin: PinArgs,
    /// Files or directories to sign.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

pub fn run(cli: &Cli, args: &SignArgs) -> Result<i32> {
    let key_id = args
        .key_id
        .as_deref()
        .map(context::parse_key_id)
        .transpose()?;
    if let Some(dir) = &args.out_dir {
        if !dir.exists() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("--out-dir {}", dir.display()), e))?;
        }
        if !dir.is_dir() {
            return Err(Error::InvalidInput(format!(
                "--out-dir {} is not a directory",
                dir.display()
            )));
        }
        // Before the PIN and any signature: a read-only directory would fail every file.
        tempfile::tempfile_in(dir)
            .map_err(|e| Error::io(format!("--out-dir {} is not writable", dir.display()), e))?;
    }
    let extra_chain = match &args.chain {
        Some(p) => Certificate::from_pem(
            &std::fs::read(p).map_err(|e| Error::io(p.display().to_string(), e))?,
        )?,
        None => Vec::new(),
    };
    let explicit = args.format.map(Format::to_batch).transpose()?;
    let tsa = tsa(args, explicit)?;
    let visible = match &args.visible {
        Some(_) if explicit.is_some_and(|f| f != batch::Format::Pades) => {
            return Err(Error::InvalidInput("--visible needs --format pades".into()))
        }
        Some(spec) => Some(document::Visible::parse(spec, &args.font)?),
        None => None,
    };
    let mut groups = Vec::new();
    let mut refused = Vec::new();
    match explicit {
        Some(f) => groups.push((f, plan::expand_inputs(&args.files, args.recursive, f)?)),
        None => {
            let files = plan::expand_inputs(&args.files, args.recursive, batch::Format::Cms)?;
            let by = plan::by_content(files);
            groups.push((batch::Format::Pades, by.pdf));
            groups.push((batch::Format::Cms, by.other));
            refused = by.xml.into_iter().map(|p| (p, XML_NOT_YET)).collect();
        }
    }
    groups.retain(|(_, files)| !files.is_empty());
    if groups.is_empty() && refused.is_empty() {
        return Err(Error::InvalidInput(
            "no file to sign in the directories given".into(),
        ));
    }
    if groups.is_empty() {
        let names: Vec<String> = refused
            .iter()
            .map(|(p, _)| p.display().to_string())
            .collect();
        return Err(Error::InvalidInput(format!(
            "{}: {XML_NOT_YET}",
            names.join(", ")
        )));
    }
    let runs = groups
        .into_iter()
        .map(|(f, files)| Ok((f, plan::documents(files, args.out_dir.as_deref(), f)?)))
        .collect::<Result<Vec<_>>>()?;
    let documents: Vec<Document> = runs.iter().flat_map(|(_, d)| d.iter().cloned()).collect();

    let tokens = context::tokens(cli, args.token.as_deref())?;
    let token = choose::token(tokens, args.token.as_deref(), key_id.as_deref())?;
    let label = context::label(&*token);
    // Remote credentials authorise the whole batch with one PIN/OTP.
    token.expect_signatures(documents.len());
    if let Some(per) = token.signatures_per_authorization() {
        let needed = documents.len().div_ceil(per.max(1));
        if needed > 1 {
            eprintln!(
                "{} documents need {needed} authorisations: this service allows {per} \
                 signatures per authorisation (each asks for its own OTP)",
                documents.len()
            );
        }
    }
    let pin = args.pin.read(&format!("PIN for token '{label}': "))?;
    token.login(&pin)?;
    drop(pin);
    let key = choose::key(&*token, &label, key_id.as_deref())?;
    if !key.among.is_empty() {
        eprintln!(
            "token '{}' holds {} keys; using {} — choose another with --key-id: {}",
            label,
            key.among.len(),
            hex::encode(&key.signer.key().id),
            key.among
                .iter()
                .map(|s| format!(
                    "{} ({}, {})",
                    hex::encode(&s.key().id),
                    s.certificate().common_name().unwrap_or("?"),
                    s.key().key_type
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let signer = key.signer;
    let policy = runs.first().map_or(batch::Format::Cms, |(f, _)| *f);
    let alg = choose::algorithm(signer.as_ref(), args.algorithm.as_deref(), policy)?;
    if let Some(note) = &alg.note {
        eprintln!("{note}");
    }
    let options = Options {
        chain: choose::known_chain(signer.certificate(), &*token, extra_chain),
        tsa,
        skip_existing: args.skip_existing,
        ..Options::new(alg.algorithm)
    };
    let mut report =
        Report::new(cli.json, signer.as_ref(), args.tsa.clone()).algorithm(alg.algorithm.name());
    let dog = report.removal_watch(&*token, &label, &documents);
    let cancel = super::batch::cancel_on_signals()?;
    let mut done = Vec::new();
    for (format, docs) in runs {
        let summary = if cancel.cancel.is_cancelled() {
            batch::Summary {
                pending: (0..docs.len()).collect(),
                cancelled: true,
                ..Default::default()
            }
        } else {
            let options = Options {
                visible: visible.clone().filter(|_| format == batch::Format::Pades),
                ..options.clone()
            };
            Batch::new(signer.as_ref(), format, options)?
                .with_cancel(cancel.cancel.clone())
                .with_removal_watch(&dog)
                .run(&docs, &mut |event| report.event(event))
        };
        done.push((format, docs, summary));
    }
    drop(dog);
    drop(cancel);
    let _ = token.logout();
    Ok(report.finish(&done, &refused))
}

/// The timestamp authority of `--tsa`, checked before the PIN.
fn tsa(args: &SignArgs, format: Option<batch::Format>) -> Result<Option<Arc<dyn Timestamper>>> {
    match &args.tsa {
        Some(_) if format == Some(batch::Format::Raw) => Err(Error::InvalidInput(
            "--tsa needs --format cms or pades (a raw signature has no room for a timestamp)"
                .into(),
        )),
        Some(url) if !(url.starts_with("http://") || url.starts_with("https://")) => Err(
            Error::InvalidInput(format!("--tsa {url}: expected an http:// or https:// URL")),
        ),
        Some(url) => Ok(Some(Arc::new(document::Tsa {
            timeout: std::time::Duration::from_secs(args.tsa_timeout),
            ..document::Tsa::new(url.clone())
        }))),
        None => Ok(None),
    }
}
