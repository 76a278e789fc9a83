//! `kyso sign`: one login, many files, each signature checked and written atomically.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};
use serde_json::json;

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
    let tokens = context::tokens(cli, args.token.as_deref())?;
    let token = choose_token(tokens, args.token.as_deref(), key_id.as_deref())?;
    let label = context::label(&*token);
    // Remote credentials authorise the whole batch with one PIN/OTP.
    token.expect_signatures(args.files.len());
    let pin = args.pin.read(&format!("PIN for token '{label}': "))?;
    token.login(&pin)?;
    drop(pin);
    let signer = choose_signer(&*token, &label, key_id.as_deref())?;
    let alg = choose_algorithm(signer.as_ref(), args.algorithm.as_deref())?;

    let mut signed = Vec::new();
    let mut failed = Vec::new();
    let mut stopped = None;
    // Signers that gain from batching (remote services: one signHash call for many hashes)
    // get the files' digests in chunks; tokens sign file by file.
    let batch = signer.batch_size().max(1);
    'chunks: for chunk in args.files.chunks(batch) {
        let results: Vec<(&PathBuf, Result<PathBuf>)> = if batch == 1 {
            chunk
                .iter()
                .map(|file| {
                    let out = output_path(file, args.out_dir.as_deref());
                    (
                        file,
                        sign_one(signer.as_ref(), alg, file, &out).map(|_| out),
                    )
                })
                .collect()
        } else {
            sign_chunk(signer.as_ref(), alg, chunk, args.out_dir.as_deref())
        };
        for (file, result) in results {
            match result {
                Ok(out) => {
                    if !cli.json {
                        eprintln!("signed {} -> {}", file.display(), out.display());
                    }
                    signed.push(json!({"file": file, "signature": out}));
                }
                Err(e) if e.is_token_failure() => {
                    stopped = Some(e.to_string());
                    failed.push(json!({"file": file, "error": e.to_string()}));
                    break 'chunks;
                }
                Err(e) => {
                    eprintln!("FAILED {}: {e}", file.display());
                    failed.push(json!({"file": file, "error": e.to_string()}));
                }
            }
        }
    }
    let _ = token.logout();
    let key = signer.key();
    if cli.json {
        print_json(&json!({
            "token": key.token,
            "key_id": hex::encode(&key.id),
            "signer": signer.certificate().common_name(),
            "algorithm": alg.name(),
            "signed": signed,
            "failed": failed,
            "stopped": stopped,
        }));
    } else {
        eprintln!(
            "{} signed, {} failed with {} ({}, key {} on '{}')",
            signed.len(),
            failed.len(),
            alg,
            signer.certificate().common_name().unwrap_or("?"),
            hex::encode(&key.id),
            key.token
        );
        if let Some(why) = &stopped {
            eprintln!("batch stopped: {why}");
        }
    }
    Ok(if failed.is_empty() { 0 } else { 1 })
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
            None => format!("token '{}' holds no certificate with a private key", label),
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
    let sig = signer.sign_data(alg, &mut input)?;
    write_signature(signer, alg, sig, out)
}

/// The raw-format output: ECDSA as DER, written atomically.
fn write_signature(
    signer: &dyn Signer,
    alg: SignatureAlgorithm,
    mut sig: Vec<u8>,
    out: &Path,
) -> Result<()> {
    if let (SignatureAlgorithm::Ecdsa(_), KeyType::Ec { curve }) = (alg, &signer.key().key_type) {
        sig = ecdsa_raw_to_der(curve, &sig)?;
    }
    write_atomic(out, &sig)
}

/// Hashes a chunk of files and signs their digests in one call; a file that cannot be read
/// fails alone, a signing failure fails every file of the chunk.
fn sign_chunk<'a>(
    signer: &dyn Signer,
    alg: SignatureAlgorithm,
    files: &'a [PathBuf],
    out_dir: Option<&Path>,
) -> Vec<(&'a PathBuf, Result<PathBuf>)> {
    let mut results = Vec::new();
    let mut pending = Vec::new();
    for file in files {
        let digest = std::fs::File::open(file)
            .map_err(|e| Error::io(file.display().to_string(), e))
            .and_then(|mut f| alg.hash().digest_reader(&mut f));
        match digest {
            Ok(d) => pending.push((file, d)),
            Err(e) => results.push((file, Err(e))),
        }
    }
    if pending.is_empty() {
        return results;
    }
    let digests: Vec<Vec<u8>> = pending.iter().map(|(_, d)| d.clone()).collect();
    match signer.sign_digests(alg, &digests) {
        Ok(sigs) => {
            for ((file, _), sig) in pending.into_iter().zip(sigs) {
                let out = output_path(file, out_dir);
                let r = write_signature(signer, alg, sig, &out).map(|_| out);
                results.push((file, r));
            }
        }
        Err(e) => {
            let text = e.to_string();
            let token_failure = e.is_token_failure();
            let mut first = Some(e);
            for (file, _) in pending {
                let err = first.take().unwrap_or_else(|| {
                    if token_failure {
                        Error::Remote {
                            server: signer.key().token.clone(),
                            message: text.clone(),
                        }
                    } else {
                        Error::InvalidInput(text.clone())
                    }
                });
                results.push((file, Err(err)));
            }
        }
    }
    results
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
