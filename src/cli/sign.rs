//! `kyso sign`: one login, many files, each signature checked and written atomically.

//!
//! A thin shell over the library's pipeline ([`kyso::batch`]): arguments in, the pipeline's
//! events out (through [`super::batch`]).

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, ValueEnum};

use time::OffsetDateTime;

use kyso::batch::{self, check, choose, plan, Batch, Document, Options, Summary};
use kyso::document::{self, Timestamper};
use kyso::{Certificate, CertificateEntry, Error, Result};

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
  kyso sign --format pades --visible last,bottom-right --pin-file ~/.pin quyet-dinh.pdf
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
    /// Use this token (needed when several tokens hold keys): its label, its serial number or
    /// slot id (as `kyso tokens` shows them), or a pkcs11: URI (`pkcs11:serial=…`).
    #[arg(long, value_name = "LABEL|SERIAL|SLOT|URI")]
    token: Option<String>,
    /// Use the key whose CKA_ID is this hex string (as `kyso certs` shows it; `1` is `01`).
    /// Without it, a token with several keys asks which (or, not on a terminal, lists them).
    #[arg(long, value_name = "HEX")]
    key_id: Option<String>,
    /// Remember the key chosen (with --key-id, or from the list) for this token in kyso.toml:
    /// later runs without --key-id sign with it.
    #[arg(long)]
    remember_key: bool,
    /// Sign with a certificate that has expired or is not yet valid (refused by default:
    /// such signatures are not valid; for the rare legitimate case, e.g. a test).
    #[arg(long)]
    allow_expired: bool,
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
    /// Sign signed PDFs found in directories too (`X.signed.pdf`, received to be
    /// countersigned); the output is `X.signed-2.pdf`.
    #[arg(long)]
    include_signed: bool,
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
    /// page's lower-left corner; A4 is 595×842), or at a named POSITION (top-left, top-center,
    /// top-right, bottom-left, bottom-center, bottom-right; 36 points from the edges, 220×70
    /// unless W,H follow), showing the signer's name, identity numbers and the signing time.
    /// PAGE is a number, first, last, -N (from the end) or all (the stamp on every page, one
    /// signature). A box that runs off the page is
    /// refused, with the page's size.
    #[arg(
        long,
        value_name = "PAGE,X,Y,W,H|PAGE,POSITION[,W,H]",
        allow_hyphen_values = true
    )]
    visible: Option<String>,
    /// PAdES: why the document is signed (`/Reason`, e.g. "Phê duyệt"): shown by PDF readers
    /// and, with --visible, on the stamp.
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
    /// PAdES: where it is signed (`/Location`, e.g. "Hà Nội"): shown by PDF readers and, with
    /// --visible, on the stamp.
    #[arg(long, value_name = "TEXT")]
    location: Option<String>,
    /// PAdES: how to reach the signer (`/ContactInfo`, a phone number or e-mail address).
    #[arg(long, value_name = "TEXT")]
    contact: Option<String>,
    /// A PNG image at the left of the --visible stamp (a scanned handwritten signature, the
    /// seal); its transparency is kept.
    #[arg(long, value_name = "PNG", requires = "visible")]
    image: Option<PathBuf>,
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
    // The format the algorithm policy and the option checks go by: documents unless raw.
    let format = explicit.unwrap_or(batch::Format::Pades);
    if let Some(name) = &args.algorithm {
        // A name kyso does not know is refused before anything else.
        choose::algorithm_named(name)?;
    }
    let tsa = tsa(args, format)?;
    let visible = match &args.visible {
        Some(_) if explicit.is_some_and(|f| f != batch::Format::Pades) => {
            return Err(Error::InvalidInput("--visible needs --format pades".into()))
        }
        Some(spec) => {
            let v = document::Visible::parse(spec, &args.font)?;
            Some(match &args.image {
                Some(png) => v.with_image(png)?,
                None => v,
            })
        }
        None => None,
    };
    if explicit.is_some_and(|f| f != batch::Format::Pades)
        && (args.reason.is_some() || args.location.is_some() || args.contact.is_some())
    {
        return Err(Error::InvalidInput(
            "--reason, --location and --contact need --format pades".into(),
        ));
    }
    // The files, by format: the one asked, or each by its content.
    let expand_as = explicit.unwrap_or(batch::Format::Cms);
    let expand = |include_signed| {
        plan::expand_inputs_with(&args.files, args.recursive, expand_as, include_signed)
    };
    let files = expand(args.include_signed)?;
    if files.is_empty() {
        let signed_left_out = !args.include_signed && expand(true).is_ok_and(|f| !f.is_empty());
        return Err(Error::InvalidInput(if signed_left_out {
            "no file to sign in the directories given: the signed PDFs there are left out \
             (pass --include-signed to countersign them)"
                .into()
        } else {
            "no file to sign in the directories given".into()
        }));
    }
    let (groups, xml) = match explicit {
        Some(f) => (vec![(f, files)], Vec::new()),
        None => {
            let by = plan::by_content(files);
            let groups = vec![
                (batch::Format::Pades, by.pdf),
                (batch::Format::Cms, by.other),
            ];
            (groups, by.xml)
        }
    };
    // Every document, with its format; XML files are refused (listed as failed).
    let mut all_documents: Vec<Document> = Vec::new();
    let mut formats: Vec<batch::Format> = Vec::new();
    let mut runs = Vec::new();
    for (f, files) in groups.into_iter().filter(|(_, files)| !files.is_empty()) {
        let docs = plan::documents(files, args.out_dir.as_deref(), f)?;
        let start = all_documents.len();
        formats.extend(std::iter::repeat_n(f, docs.len()));
        all_documents.extend(docs);
        runs.push((f, start..all_documents.len()));
    }
    if runs.is_empty() {
        // Only XML files: refused before anything else, like a format kyso does not have.
        let names: Vec<String> = xml.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::InvalidInput(format!(
            "{}: {XML_NOT_YET}",
            names.join(", ")
        )));
    }
    let mut failed_before = Vec::new();
    for p in xml {
        failed_before.push((all_documents.len(), Error::InvalidInput(XML_NOT_YET.into())));
        formats.push(batch::Format::Cms);
        all_documents.push(Document::file(p.clone(), p));
    }

    // Every input is checked before a PIN is asked: when nothing can be signed, none is.
    let mut ready: Vec<(batch::Format, Vec<usize>)> = Vec::new();
    let mut to_sign = 0;
    for (f, range) in &runs {
        let visible = visible.as_ref().filter(|_| *f == batch::Format::Pades);
        let checked = check::documents(
            &all_documents[range.clone()],
            *f,
            args.skip_existing,
            visible,
        );
        to_sign += checked.to_sign;
        ready.push((*f, checked.ready.iter().map(|i| i + range.start).collect()));
        failed_before.extend(
            checked
                .failed
                .into_iter()
                .map(|(i, e)| (i + range.start, e)),
        );
    }
    let failures = || -> Vec<batch::Failure> {
        failed_before
            .iter()
            .map(|(index, e)| batch::Failure {
                index: *index,
                error: e.to_string(),
            })
            .collect()
    };
    if to_sign == 0 {
        let summary = Summary {
            skipped: ready.iter().flat_map(|(_, r)| r.iter().copied()).collect(),
            failed: failures(),
            ..Summary::default()
        };
        return Ok(Report::new(cli.json, None, explicit, args.tsa.clone())
            .unsigned()
            .finish(&all_documents, &formats, &summary));
    }

    let tokens = context::tokens(cli, None)?;
    let token = choose::token(tokens, args.token.as_deref(), key_id.as_deref())?;
    let label = context::label(&*token);
    let now = OffsetDateTime::now_utc();
    // Without --key-id, the key remembered for this token (--remember-key), said so.
    let config = kyso::config::Config::discover(cli.config.as_deref())?;
    let serial = token.info().map(|i| i.serial).unwrap_or_default();
    let key_id = match (key_id, config.remembered_key(&serial)) {
        (None, Some(id)) => {
            eprintln!(
                "token '{label}': using key {id}, remembered in {} (--key-id chooses another)",
                config
                    .source
                    .as_deref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            );
            Some(context::parse_key_id(id)?)
        }
        (k, _) => k,
    };
    // The key (and its certificate's validity) before the PIN, as far as the token shows keys
    // before login.
    let chosen = match choose::keys_before_login(&*token, key_id.as_deref())?.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        several => {
            // No point choosing a key on a locked token: say that first.
            choose::not_locked(&*token)?;
            Some(ask_key(&label, several, now)?)
        }
    };
    if let Some(entry) = &chosen {
        choose::check_validity(&entry.certificate, now, args.allow_expired)?;
    }
    // Remote credentials authorise the whole batch with one PIN/OTP (SCAL 2: one per group of
    // documents, said before the PIN).
    token.expect_signatures(to_sign);
    if let Some(per) = token.signatures_per_authorization() {
        let needed = to_sign.div_ceil(per.max(1));
        if needed > 1 {
            eprintln!(
                "{to_sign} documents need {needed} authorisations: this service allows {per} \
                 signatures per authorisation (each asks for its own OTP)"
            );
        }
    }
    let pin = args.pin.read(&format!("PIN for token '{label}': "))?;
    token.login(&pin)?;
    drop(pin);
    let id = chosen
        .as_ref()
        .map(|e| e.id.as_slice())
        .or(key_id.as_deref());
    let key = match choose::key(&*token, &label, id) {
        Ok(k) => k,
        Err(e) => {
            let _ = token.logout();
            return Err(e);
        }
    };
    // A token that hid its keys until login: choose among them now, never silently.
    let signer = if key.among.is_empty() {
        key.signer
    } else {
        let entries: Vec<CertificateEntry> = key
            .among
            .iter()
            .map(|s| CertificateEntry {
                certificate: s.certificate().clone(),
                label: s.key().label.clone(),
                id: s.key().id.clone(),
                has_private_key: true,
            })
            .collect();
        match ask_key(&label, &entries, now) {
            Ok(e) => key
                .among
                .iter()
                .find(|s| s.key().id == e.id)
                .cloned()
                .unwrap_or(key.signer),
            Err(e) => {
                let _ = token.logout();
                return Err(e);
            }
        }
    };
    if chosen.is_none() {
        if let Err(e) = choose::check_validity(signer.certificate(), now, args.allow_expired) {
            let _ = token.logout();
            return Err(e);
        }
    }
    if args.remember_key {
        let id = hex::encode(&signer.key().id);
        let path = config.remember_key(&serial, &id)?;
        eprintln!(
            "remembered key {id} for token '{label}' (serial {}) in {}",
            serial.trim(),
            path.display()
        );
    }
    let alg = choose::algorithm(signer.as_ref(), args.algorithm.as_deref(), format)?;
    if let Some(note) = &alg.note {
        eprintln!("{note}");
    }
    let options = Options {
        chain: choose::known_chain(signer.certificate(), &*token, extra_chain),
        tsa,
        skip_existing: args.skip_existing,
        ..Options::new(alg.algorithm)
    };
    let mut report = Report::new(cli.json, Some(signer.as_ref()), explicit, args.tsa.clone())
        .algorithm(alg.algorithm.name());
    for (i, e) in &failed_before {
        report.failed_before(&all_documents[*i], e);
    }
    let documents: Vec<Document> = ready
        .iter()
        .flat_map(|(_, r)| r.iter().map(|&i| all_documents[i].clone()))
        .collect();
    let dog = report.removal_watch(&*token, &label, &documents);
    let cancel = super::batch::cancel_on_signals()?;
    let mut summary = Summary {
        failed: failures(),
        ..Summary::default()
    };
    for (format, indices) in &ready {
        let docs: Vec<Document> = indices.iter().map(|&i| all_documents[i].clone()).collect();
        let done = if cancel.cancel.is_cancelled() {
            Summary {
                pending: (0..docs.len()).collect(),
                cancelled: true,
                ..Summary::default()
            }
        } else {
            // The stamp and the PDF fields go to PDFs only.
            let pades = *format == batch::Format::Pades;
            let options = Options {
                visible: visible.clone().filter(|_| pades),
                reason: args.reason.clone().filter(|_| pades),
                location: args.location.clone().filter(|_| pades),
                contact: args.contact.clone().filter(|_| pades),
                ..options.clone()
            };
            Batch::new(signer.as_ref(), *format, options)?
                .with_cancel(cancel.cancel.clone())
                .with_removal_watch(&dog)
                .run(&docs, &mut |event| report.event(event))
        };
        summary = summary.merge(done.over(indices, Vec::new()));
    }
    drop(dog);
    drop(cancel);
    let _ = token.logout();
    Ok(report.finish(&all_documents, &formats, &summary))
}

/// The key to sign with among several, none chosen with --key-id: asked on a terminal (a
/// numbered list: holder, identity, issuer, validity), refused otherwise, listing the keys.
fn ask_key(
    label: &str,
    keys: &[CertificateEntry],
    now: OffsetDateTime,
) -> Result<CertificateEntry> {
    use std::io::{BufRead, IsTerminal, Write};
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(choose::several_keys(label, keys, now));
    }
    eprintln!("token '{label}' holds {} keys:", keys.len());
    for (n, k) in keys.iter().enumerate() {
        eprintln!("  {}) {}", n + 1, choose::describe_key(k, now));
    }
    eprint!("sign with which key? [1-{}] ", keys.len());
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::io("reading the choice of key", e))?;
    line.trim()
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|n| keys.get(n))
        .cloned()
        .ok_or_else(|| {
            Error::InvalidInput(format!(
                "no key chosen ('{}'); choose one with --key-id",
                line.trim()
            ))
        })
}

/// The timestamp authority of `--tsa`, checked before the PIN.
fn tsa(args: &SignArgs, format: batch::Format) -> Result<Option<Arc<dyn Timestamper>>> {
    match &args.tsa {
        Some(_) if format == batch::Format::Raw => Err(Error::InvalidInput(
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
