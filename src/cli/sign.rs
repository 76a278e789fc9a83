//! `kyso sign`: one login, many files, each signature checked and written atomically.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use clap::{Args, ValueEnum};
use serde_json::json;

use kyso::devices::RemovalWatch;
use kyso::pkcs11::Pkcs11Token;
use kyso::public_key::ecdsa_raw_to_der;
use kyso::{Error, KeyType, Result, SignatureAlgorithm, Signer, Token};

use super::pin::PinArgs;
use super::{context, print_json, Cli};

/// Output formats of `kyso sign`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// The bare signature over the file (ECDSA as DER): `openssl dgst -verify` checks it.
    Raw,
}

/// Options of `kyso sign`.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  kyso sign --format raw --pin-file ~/.pin --key-id 01 a.txt b.txt\n  \
openssl dgst -sha256 -verify pub.pem -signature a.txt.sig a.txt"
)]
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
    /// Signature algorithm: rsa-pkcs1-sha256|384|512, rsa-pss-sha256|384|512, ecdsa-sha256|384.
    /// Default: rsa-pkcs1-sha256 for RSA keys, ecdsa with the curve's hash for EC keys.
    #[arg(long, value_name = "NAME")]
    algorithm: Option<String>,
    /// Write signatures into this directory instead of next to each file.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    #[command(flatten)]
    pin: PinArgs,
    /// Files to sign.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

pub fn run(cli: &Cli, args: &SignArgs) -> Result<i32> {
    let Format::Raw = args.format;
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
    }
    let backend = context::backend(cli)?;
    let tokens = context::tokens(&backend, args.token.as_deref())?;
    let token = choose_token(tokens, args.token.as_deref(), key_id.as_deref())?;
    let pin = args
        .pin
        .read(&format!("PIN for token '{}': ", token.label()))?;
    token.login(&pin)?;
    drop(pin);
    let signer = choose_signer(&token, key_id.as_deref())?;
    let alg = choose_algorithm(signer.as_ref(), args.algorithm.as_deref())?;
    let key = signer.key();
    let summary = Arc::new(Summary {
        json: cli.json,
        token: key.token.clone(),
        key_id: hex::encode(&key.id),
        signer: signer.certificate().common_name().map(str::to_owned),
        algorithm: alg,
    });
    let progress = Arc::new(Mutex::new(Progress::default()));
    let reader = token.info().map(|i| i.slot_description).unwrap_or_default();
    let dog = {
        let (summary, progress) = (summary.clone(), progress.clone());
        let removed = Error::TokenRemoved {
            slot: Some(token.label().to_owned()),
        };
        RemovalWatch::start(&reader, move || {
            let mut p = progress.lock().unwrap_or_else(|e| e.into_inner());
            let why = format!("{removed} (the token's module did not return after the removal)");
            if let Some(file) = p.current.take() {
                p.failed.push(json!({"file": file, "error": why}));
            }
            p.stopped = Some(why);
            let code = summary.print(&p);
            std::process::exit(code);
        })
    };

    for file in &args.files {
        let out = output_path(file, args.out_dir.as_deref());
        lock(&progress).current = Some(file.clone());
        dog.busy(true);
        let result = sign_one(signer.as_ref(), alg, file, &out);
        dog.busy(false);
        let mut p = lock(&progress);
        p.current = None;
        match result {
            Ok(()) => {
                if !cli.json {
                    eprintln!("signed {} -> {}", file.display(), out.display());
                }
                p.signed.push(json!({"file": file, "signature": out}));
            }
            Err(e) if e.is_token_failure() => {
                p.stopped = Some(e.to_string());
                p.failed.push(json!({"file": file, "error": e.to_string()}));
                break;
            }
            Err(e) => {
                eprintln!("FAILED {}: {e}", file.display());
                p.failed.push(json!({"file": file, "error": e.to_string()}));
            }
        }
    }
    drop(dog);
    let _ = token.logout();
    let p = lock(&progress);
    Ok(summary.print(&p))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What a batch did so far: shared with the watchdog, which may have to report it.
#[derive(Default)]
struct Progress {
    signed: Vec<serde_json::Value>,
    failed: Vec<serde_json::Value>,
    stopped: Option<String>,
    /// The file being signed now.
    current: Option<PathBuf>,
}

/// What is said about every batch.
struct Summary {
    json: bool,
    token: String,
    key_id: String,
    signer: Option<String>,
    algorithm: SignatureAlgorithm,
}

impl Summary {
    /// Prints the report; returns the exit code (1 when anything failed).
    fn print(&self, p: &Progress) -> i32 {
        if self.json {
            print_json(&json!({
                "token": self.token,
                "key_id": self.key_id,
                "signer": self.signer,
                "algorithm": self.algorithm.name(),
                "signed": p.signed,
                "failed": p.failed,
                "stopped": p.stopped,
            }));
        } else {
            eprintln!(
                "{} signed, {} failed with {} ({}, key {} on '{}')",
                p.signed.len(),
                p.failed.len(),
                self.algorithm,
                self.signer.as_deref().unwrap_or("?"),
                self.key_id,
                self.token
            );
            if let Some(why) = &p.stopped {
                eprintln!("batch stopped: {why}");
            }
        }
        if p.failed.is_empty() {
            0
        } else {
            1
        }
    }
}

/// The token to log in to: the only one, or the only one holding the requested key.
fn choose_token(
    tokens: Vec<Arc<Pkcs11Token>>,
    label: Option<&str>,
    key_id: Option<&[u8]>,
) -> Result<Arc<Pkcs11Token>> {
    if tokens.len() <= 1 {
        return tokens.into_iter().next().ok_or_else(|| {
            Error::TokenNotFound(label.map(|l| format!("label '{l}'")).unwrap_or_default())
        });
    }
    // Several tokens: keep those with a certificate (and key) that fits the selection.
    let mut fitting = Vec::new();
    for t in &tokens {
        let certs = t.certificates().unwrap_or_default();
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
                .map(|t| context::describe(t))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        _ => Err(Error::Ambiguous(format!(
            "several tokens hold keys, choose one with --token LABEL: {}",
            fitting
                .iter()
                .map(|t| context::describe(t))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The key to sign with: the one with `--key-id`, the only one, or (several, none chosen) the
/// lowest `CKA_ID`, announced so the choice is never silent.
fn choose_signer(token: &Pkcs11Token, key_id: Option<&[u8]>) -> Result<Arc<dyn Signer>> {
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
                token.label()
            ),
            None => format!(
                "token '{}' holds no certificate with a private key",
                token.label()
            ),
        }));
    }
    if signers.len() > 1 {
        eprintln!(
            "token '{}' holds {} keys; using {} — choose another with --key-id: {}",
            token.label(),
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

fn choose_algorithm(signer: &dyn Signer, name: Option<&str>) -> Result<SignatureAlgorithm> {
    let key_type = &signer.key().key_type;
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

fn output_path(file: &Path, out_dir: Option<&Path>) -> PathBuf {
    let mut name = file
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".sig");
    match out_dir {
        Some(d) => d.join(name),
        None => file.with_file_name(name),
    }
}

fn sign_one(signer: &dyn Signer, alg: SignatureAlgorithm, file: &Path, out: &Path) -> Result<()> {
    let mut input =
        std::fs::File::open(file).map_err(|e| Error::io(file.display().to_string(), e))?;
    let mut sig = signer.sign_data(alg, &mut input)?;
    if let (SignatureAlgorithm::Ecdsa(_), KeyType::Ec { curve }) = (alg, &signer.key().key_type) {
        sig = ecdsa_raw_to_der(curve, &sig)?;
    }
    write_atomic(out, &sig)
}

/// Writes to a temporary file beside `path`, then renames: a reader never sees half a file.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let ctx = || path.display().to_string();
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(ctx(), e))?;
    tmp.write_all(data).map_err(|e| Error::io(ctx(), e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(ctx(), e))?;
    tmp.persist(path).map_err(|e| Error::io(ctx(), e.error))?;
    Ok(())
}
