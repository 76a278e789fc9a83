//! `kyso sign`: one login, many files, each signature checked and written atomically.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};
use serde_json::json;
use time::OffsetDateTime;

use kyso::devices::RemovalWatch;
use kyso::document::cms::PreparedCms;
use kyso::document::{self, pades, CadesOptions, PadesOptions};
use kyso::public_key::ecdsa_raw_to_der;
use kyso::{Certificate, Error, HashAlg, KeyType, Result, SignatureAlgorithm, Signer, Token};

use super::batch::{self, Job, Output};
use super::input;
use super::pin::PinArgs;
use super::{context, print_json, Cli};

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
    Pades,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Raw => ".sig",
            Format::Cms => ".p7s",
            Format::Pades => ".signed.pdf",
        }
    }

    fn is_document(self) -> bool {
        !matches!(self, Format::Raw)
    }
}

const SIGN_HELP: &str = "\
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
    /// Signature format.
    #[arg(long, value_enum, default_value = "raw")]
    format: Format,
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
    /// Write signatures into this directory instead of next to each file.
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
    #[arg(long, value_name = "TTF", default_value = document::appearance::DEFAULT_FONT, requires = "visible")]
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
    let format = args.format;
    let tsa =
        match &args.tsa {
            Some(_) if format == Format::Raw => return Err(Error::InvalidInput(
                "--tsa needs --format cms or pades (a raw signature has no room for a timestamp)"
                    .into(),
            )),
            Some(url) if !(url.starts_with("http://") || url.starts_with("https://")) => {
                return Err(Error::InvalidInput(format!(
                    "--tsa {url}: expected an http:// or https:// URL"
                )))
            }
            Some(url) => Some(document::Tsa {
                timeout: std::time::Duration::from_secs(args.tsa_timeout),
                ..document::Tsa::new(url.clone())
            }),
            None => None,
        };
    let visible = match &args.visible {
        Some(_) if format != Format::Pades => {
            return Err(Error::InvalidInput("--visible needs --format pades".into()))
        }
        Some(spec) => Some(document::Visible::parse(spec, &args.font)?),
        None => None,
    };
    // In directories: never kyso's own outputs; for PAdES only PDFs.
    let is_output = |p: &Path| {
        is_kyso_output(p)
            || (format == Format::Pades
                && !p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")))
    };
    let files = batch::expand_inputs(&args.files, args.recursive, &is_output)?;
    if files.is_empty() {
        return Err(Error::InvalidInput(
            "no file to sign in the directories given".into(),
        ));
    }
    let jobs = distinct_outputs(
        files
            .into_iter()
            .map(|file| Job {
                output: output_path(&file, args.out_dir.as_deref(), format.extension()),
                file,
            })
            .collect(),
    )?;

    let tokens = context::tokens(cli, args.token.as_deref())?;
    let token = choose_token(tokens, args.token.as_deref(), key_id.as_deref())?;
    let label = context::label(&*token);
    // Remote credentials authorise the whole batch with one PIN/OTP.
    token.expect_signatures(jobs.len());
    let pin = args.pin.read(&format!("PIN for token '{label}': "))?;
    token.login(&pin)?;
    drop(pin);
    let signer = choose_signer(&*token, &label, key_id.as_deref())?;
    let alg = choose_algorithm(
        signer.as_ref(),
        args.algorithm.as_deref(),
        format.is_document(),
    )?;
    let options = CadesOptions {
        chain: known_chain(signer.certificate(), &*token, extra_chain),
        signing_time: None,
        tsa: tsa.clone(),
    };

    let dog = removal_watch(cli.json, &*token, &label, &jobs);
    let pb = batch::progress(jobs.len(), cli.json);
    let hash = alg.hash();
    let pades = |now| PadesOptions {
        chain: options.chain.clone(),
        signing_time: now,
        reason: None,
        location: None,
        tsa: tsa.clone(),
        visible: visible.clone(),
    };
    let cms_for = |digest: &[u8], opts: &CadesOptions| {
        PreparedCms::new(
            signer.certificate(),
            &signer.key().key_type,
            alg,
            digest,
            opts,
        )
    };
    let public_key = Arc::new(kyso::public_key::PublicKey::from_spki_der(
        signer.certificate().spki_der(),
    )?);
    // Workers hash and build everything around the signature; this thread only has the token
    // sign; writers check, timestamp, assemble and write.
    let prepare = |job: &Job| -> Result<Prepared> {
        let open = || input::open_regular(&job.file);
        match format {
            Format::Raw => Ok(Prepared::Digest(hash.digest_reader(&mut open()?)?)),
            Format::Cms => {
                let digest = hash.digest_reader(&mut open()?)?;
                let opts = CadesOptions {
                    signing_time: Some(OffsetDateTime::now_utc()),
                    ..options.clone()
                };
                Ok(Prepared::Cms(Box::new(cms_for(&digest, &opts)?)))
            }
            Format::Pades => {
                let file = open()?;
                let stamp = batch::stamp(&file);
                input::not_empty_pdf(&job.file, stamp.0)?;
                let opts = pades(OffsetDateTime::now_utc());
                let pdf = pades::prepare_file(&file, signer.as_ref(), alg, &opts)?;
                let cms = cms_for(&pdf.digest, &pades::cades_options(&opts))?;
                Ok(Prepared::Pdf(Box::new(PreparedFile {
                    pdf,
                    cms,
                    file,
                    stamp,
                })))
            }
        }
    };
    let finish_one = |job: &Job, prepared: Prepared| -> Result<Output> {
        match prepared {
            Prepared::Digest(digest) => {
                let (signature, unchecked) = sign_raw(signer.as_ref(), alg, &job.file, &digest)?;
                let (key, label, key_type) = (
                    public_key.clone(),
                    signer.key().label.clone(),
                    signer.key().key_type.clone(),
                );
                Ok(Output::Later(Box::new(move || {
                    // the check from a digest is slow in pure Rust: here, not on the token thread
                    if unchecked && !key.verify_digest(alg, &digest, &signature) {
                        return Err(Error::SignatureCheck(label));
                    }
                    raw_output(alg, &key_type, signature).map(Output::from)
                })))
            }
            Prepared::Cms(cms) => {
                let signature = cms.sign(signer.as_ref())?;
                Ok(Output::Later(Box::new(move || {
                    cms.assemble(signature).map(Output::from)
                })))
            }
            Prepared::Pdf(p) => {
                let signature = p.cms.sign(signer.as_ref())?;
                Ok(Output::Later(Box::new(move || {
                    let PreparedFile {
                        pdf,
                        cms,
                        file,
                        stamp,
                    } = *p;
                    Ok(Output::Appended {
                        signed: pades::embed(pdf, &cms.assemble(signature)?)?,
                        input: file,
                        stamp,
                    })
                })))
            }
        }
    };
    let mut finish = |job: &Job, prepared: Prepared| -> Result<Output> {
        dog.busy(true);
        let result = finish_one(job, prepared);
        dog.busy(false);
        result
    };
    // Signers that sign many digests per call (remote services: one signHash for many hashes)
    // get raw-format files in groups; everything else goes one file at a time.
    let group = signer.batch_size();
    let outcome = if group > 1 && format == Format::Raw {
        let mut finish_group = |items: Vec<(&Job, Prepared)>| -> Vec<Result<Output>> {
            dog.busy(true);
            let result = sign_raw_group(signer.as_ref(), alg, items);
            dog.busy(false);
            result
        };
        batch::run_grouped(
            jobs,
            args.skip_existing,
            &pb,
            group,
            &prepare,
            &mut finish_group,
        )
    } else {
        batch::run(jobs, args.skip_existing, &pb, &prepare, &mut finish)
    };
    drop(dog);
    let _ = token.logout();
    let key = signer.key();
    if cli.json {
        print_json(&json!({
            "token": key.token,
            "key_id": hex::encode(&key.id),
            "signer": signer.certificate().common_name(),
            "algorithm": alg.name(),
            "format": format!("{format:?}").to_lowercase(),
            "tsa": args.tsa,
            "signed": outcome.signed.iter().map(|j| json!({"file": j.file, "signature": j.output})).collect::<Vec<_>>(),
            "skipped": outcome.skipped.iter().map(|j| json!({"file": j.file, "signature": j.output})).collect::<Vec<_>>(),
            "failed": outcome.failed,
            "pending": outcome.pending,
            "stopped": outcome.stopped,
        }));
    } else {
        for j in &outcome.signed {
            eprintln!("signed {} -> {}", j.file.display(), j.output.display());
        }
        eprintln!(
            "{} signed, {} skipped (already signed), {} failed with {} ({}, key {} on '{}')",
            outcome.signed.len(),
            outcome.skipped.len(),
            outcome.failed.len(),
            alg,
            signer.certificate().common_name().unwrap_or("?"),
            hex::encode(&key.id),
            key.token
        );
        for f in &outcome.failed {
            eprintln!("  failed: {}: {}", f.file.display(), f.error);
        }
        if let Some(why) = &outcome.stopped {
            eprintln!(
                "batch stopped: {why}; {} file(s) not attempted (run again with --skip-existing)",
                outcome.pending.len()
            );
        }
    }
    Ok(if outcome.failed.is_empty() && outcome.stopped.is_none() {
        0
    } else {
        1
    })
}

/// Guards against a module that never returns when its token is pulled out mid-signature
/// (Debian 12's OpenSC can hang so): when it happens, reports what was written (outputs are
/// atomic: each one that exists is whole) and ends the process.
fn removal_watch(json_out: bool, token: &dyn Token, label: &str, jobs: &[Job]) -> RemovalWatch {
    let reader = token.info().map(|i| i.slot_description).unwrap_or_default();
    let outputs: Vec<(PathBuf, PathBuf)> = jobs
        .iter()
        .map(|j| (j.file.clone(), j.output.clone()))
        .collect();
    let existed: HashSet<PathBuf> = jobs
        .iter()
        .filter(|j| j.output.exists())
        .map(|j| j.output.clone())
        .collect();
    let label = label.to_owned();
    RemovalWatch::start(&reader, move || {
        let removed = Error::TokenRemoved { slot: Some(label) };
        let why = format!("{removed} (the token's module did not return after the removal)");
        let signed: Vec<_> = outputs
            .iter()
            .filter(|(_, out)| out.exists() && !existed.contains(out))
            .collect();
        if json_out {
            print_json(&json!({
                "signed": signed.iter().map(|(f, o)| json!({"file": f, "signature": o})).collect::<Vec<_>>(),
                "stopped": why,
            }));
        } else {
            eprintln!(
                "{} signed; batch stopped: {why}; run again with --skip-existing",
                signed.len()
            );
        }
        std::process::exit(1);
    })
}

/// What the worker threads hand to the token: a file's digest, or a PDF ready for its
/// signature.
enum Prepared {
    /// A raw signature's digest.
    Digest(Vec<u8>),
    /// A CMS signature's signed attributes.
    Cms(Box<PreparedCms>),
    /// A PDF's update and its CMS signed attributes.
    Pdf(Box<PreparedFile>),
}

/// A PDF ready for its signature, with the open input its bytes will be copied from.
struct PreparedFile {
    pdf: pades::PreparedPdf,
    cms: PreparedCms,
    file: std::fs::File,
    stamp: (u64, Option<std::time::SystemTime>),
}

/// The bare signature, as the token gave it, and whether it is still to be checked; keys that
/// want the PIN per signature, or tokens that only sign whole messages, get the file streamed
/// to the token instead of the digest (checked by the signer).
fn sign_raw(
    signer: &dyn Signer,
    alg: SignatureAlgorithm,
    file: &Path,
    digest: &[u8],
) -> Result<(Vec<u8>, bool)> {
    let streamed = || -> Result<(Vec<u8>, bool)> {
        let mut input =
            std::fs::File::open(file).map_err(|e| Error::io(file.display().to_string(), e))?;
        Ok((signer.sign_data(alg, &mut input)?, false))
    };
    if signer.key().always_authenticate {
        return streamed();
    }
    match signer.sign_digest_unchecked(alg, digest) {
        Err(Error::MechanismNotSupported { .. }) => streamed(),
        other => Ok((other?, true)),
    }
}

/// A raw signature as written out: DER for ECDSA (what `openssl dgst -verify` reads).
fn raw_output(alg: SignatureAlgorithm, key_type: &KeyType, sig: Vec<u8>) -> Result<Vec<u8>> {
    match (alg, key_type) {
        (SignatureAlgorithm::Ecdsa(_), KeyType::Ec { curve }) => ecdsa_raw_to_der(curve, &sig),
        _ => Ok(sig),
    }
}

/// Raw signatures of several digests in one call of the signer. A failure of the call fails
/// every file of the group (the first carries the error itself, so a token failure stops the
/// batch).
fn sign_raw_group(
    signer: &dyn Signer,
    alg: SignatureAlgorithm,
    items: Vec<(&Job, Prepared)>,
) -> Vec<Result<Output>> {
    let digests: Vec<Vec<u8>> = items
        .into_iter()
        .map(|(_, p)| match p {
            Prepared::Digest(d) => d,
            Prepared::Cms(..) | Prepared::Pdf(..) => Vec::new(),
        })
        .collect();
    match signer.sign_digests(alg, &digests) {
        Ok(sigs) if sigs.len() == digests.len() => sigs
            .into_iter()
            .map(|mut sig| {
                if let (SignatureAlgorithm::Ecdsa(_), KeyType::Ec { curve }) =
                    (alg, &signer.key().key_type)
                {
                    sig = ecdsa_raw_to_der(curve, &sig)?;
                }
                Ok(sig.into())
            })
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
            let mut out = vec![Err(e)];
            out.extend(
                (1..digests.len()).map(|_| Err(Error::InvalidInput(format!("not signed: {why}")))),
            );
            out
        }
    }
}

/// The signer's issuers as far as they are known (from `--chain` and CA certificates on the
/// token), each checked by signature; the self-signed root is left out.
fn known_chain(
    leaf: &Certificate,
    token: &dyn Token,
    mut pool: Vec<Certificate>,
) -> Vec<Certificate> {
    pool.extend(
        token
            .certificates()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.certificate)
            .filter(|c| c.is_ca()),
    );
    let mut chain: Vec<Certificate> = Vec::new();
    let mut current = leaf.clone();
    while chain.len() < 8 {
        let Some(issuer) = pool.iter().find(|c| {
            c.subject_der() == current.issuer_der()
                && !chain.contains(c)
                && *c != &current
                && current.verify_signed_by(c).is_ok()
        }) else {
            break;
        };
        if issuer.is_self_issued() {
            break;
        }
        chain.push(issuer.clone());
        current = issuer.clone();
    }
    chain
}

fn is_kyso_output(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    [".sig", ".p7s", ".signed.pdf"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// The token to log in to: the only one, or the only one holding the requested key.
fn choose_token(
    tokens: Vec<Arc<dyn Token>>,
    label: Option<&str>,
    key_id: Option<&[u8]>,
) -> Result<Arc<dyn Token>> {
    if tokens.len() <= 1 {
        return tokens.into_iter().next().ok_or_else(|| {
            Error::TokenNotFound(label.map(|l| format!("label '{l}'")).unwrap_or_default())
        });
    }
    // Several tokens: keep those with a certificate (and key) that fits the selection.
    let mut fitting = Vec::new();
    for t in &tokens {
        let certs = t.certificates().unwrap_or_else(|e| {
            log::warn!("token {}: {e}", context::describe(&**t));
            Vec::new()
        });
        if certs
            .iter()
            .any(|c| c.has_private_key && key_id.is_none_or(|id| c.id == id))
        {
            fitting.push(t.clone());
        }
    }
    match fitting.len() {
        1 => Ok(fitting.remove(0)),
        0 => Err(Error::KeyNotFound(format!(
            "no token holds {}; tokens: {}",
            key_id
                .map(|i| format!("a key with id {}", hex::encode(i)))
                .unwrap_or("a certificate with a key".into()),
            tokens
                .iter()
                .map(|t| context::describe(&**t))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        _ => Err(Error::Ambiguous(format!(
            "several tokens hold keys, choose one with --token LABEL: {}",
            fitting
                .iter()
                .map(|t| context::describe(&**t))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The key to sign with: the one with `--key-id`, the only one, or (several, none chosen) the
/// lowest `CKA_ID`, announced so the choice is never silent.
fn choose_signer(token: &dyn Token, label: &str, key_id: Option<&[u8]>) -> Result<Arc<dyn Signer>> {
    let mut signers: Vec<_> = token
        .signers()?
        .into_iter()
        .filter(|s| key_id.is_none_or(|id| s.key().id == id))
        .collect();
    signers.sort_by(|a, b| a.key().id.cmp(&b.key().id));
    if signers.is_empty() {
        return Err(Error::KeyNotFound(match key_id {
            Some(id) => format!(
                "no certificate with a private key has id {} on token '{}' (see `kyso certs`)",
                hex::encode(id),
                label
            ),
            None => format!("token '{label}' holds no certificate with a private key"),
        }));
    }
    if signers.len() > 1 {
        eprintln!(
            "token '{}' holds {} keys; using {} — choose another with --key-id: {}",
            label,
            signers.len(),
            hex::encode(&signers[0].key().id),
            signers
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
    Ok(signers.remove(0))
}

fn choose_algorithm(
    signer: &dyn Signer,
    name: Option<&str>,
    document: bool,
) -> Result<SignatureAlgorithm> {
    let key_type = &signer.key().key_type;
    if name.is_none() && document && matches!(key_type, KeyType::Rsa { .. }) {
        let pss = SignatureAlgorithm::RsaPss(HashAlg::Sha256);
        if signer.algorithms().contains(&pss) {
            return Ok(pss);
        }
        eprintln!(
            "token '{}' offers no RSASSA-PSS: signing with rsa-pkcs1-sha256",
            signer.key().token
        );
    }
    let alg = match name {
        Some(n) => SignatureAlgorithm::from_name(n).ok_or_else(|| {
            Error::InvalidInput(format!(
                "unknown algorithm '{n}'; known: {}",
                SignatureAlgorithm::ALL.map(|a| a.name()).join(", ")
            ))
        })?,
        None => SignatureAlgorithm::default_for(key_type).ok_or_else(|| {
            Error::InvalidInput(format!("kyso cannot sign with a {key_type} key"))
        })?,
    };
    if signer.algorithms().contains(&alg) {
        Ok(alg)
    } else {
        Err(Error::MechanismNotSupported {
            token: signer.key().token.clone(),
            what: format!(
                "{alg} with a {key_type} key; this key can do: {}",
                signer
                    .algorithms()
                    .iter()
                    .map(|a| a.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
    }
}

fn output_path(file: &Path, out_dir: Option<&Path>, extension: &str) -> PathBuf {
    let mut name = file
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    if extension == ".signed.pdf" {
        // report.pdf -> report.signed.pdf
        let s = name.to_string_lossy().into_owned();
        if let Some(stem) = s.strip_suffix(".pdf").or_else(|| s.strip_suffix(".PDF")) {
            name = stem.into();
        }
    }
    name.push(extension);
    match out_dir {
        Some(d) => d.join(name),
        None => file.with_file_name(name),
    }
}

/// The jobs with each output written once: a file named twice (`a.pdf ./a.pdf`) is signed
/// once; two files that would write the same output (`x/qd.pdf y/qd.pdf --out-dir out`) are
/// refused before the PIN is asked, since the second signature would replace the first.
fn distinct_outputs(jobs: Vec<Job>) -> Result<Vec<Job>> {
    let real = |p: &Path| -> PathBuf {
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
        let dir = std::fs::canonicalize(parent.unwrap_or(Path::new(".")))
            .unwrap_or_else(|_| parent.unwrap_or(Path::new(".")).to_owned());
        dir.join(p.file_name().unwrap_or_default())
    };
    let mut by_output: std::collections::HashMap<PathBuf, PathBuf> = Default::default();
    let mut out = Vec::with_capacity(jobs.len());
    for job in jobs {
        let (input, output) = (real(&job.file), real(&job.output));
        match by_output.get(&output) {
            Some(first) if *first == input => continue,
            Some(first) => {
                return Err(Error::InvalidInput(format!(
                    "{} and {} would both be signed to {}: sign them into different --out-dir \
                     directories",
                    first.display(),
                    input.display(),
                    job.output.display()
                )))
            }
            None => {
                by_output.insert(output, input);
                out.push(job);
            }
        }
    }
    Ok(out)
}

/// Writes to a temporary file beside `path`, then renames: a reader never sees half a file.
/// The file gets the usual mode of a new file (0666 less the umask), not the temporary file's
/// 0600: signatures and signed documents are meant to be shared.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    write_atomic_with(path, &mut |out| {
        out.write_all(data)
            .map_err(|e| Error::io(path.display().to_string(), e))
    })
}

/// [`write_atomic`] with the content written by `fill`: if it fails, the temporary file is
/// removed and `path` is left as it was.
pub fn write_atomic_with(
    path: &Path,
    fill: &mut dyn FnMut(&mut std::fs::File) -> Result<()>,
) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // tempfile names its temporary file in errors; it is gone by the time anyone reads them.
    let fail = |e| Error::io(path.display().to_string(), input::without_temp_path(e));
    let mut tmp = tempfile::Builder::new()
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(fail)?;
    fill(tmp.as_file_mut())?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
