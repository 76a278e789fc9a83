//! `kyso verify`: is each signature valid, is the document unmodified, who signed it (with the
//! Vietnamese identity numbers), when they say they did, and does the signer chain to a trust
//! anchor.

use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;
use time::OffsetDateTime;

use kyso::document::{self, CmsVerification, Revocation, RevocationStatus, TrustVerification};
use kyso::{Certificate, Error, Result};

use super::verify_dir::{signed_in, Target};
use super::vn_time::vietnam_time;
use super::{print_json, Cli};
use kyso::batch::files;

const VERIFY_HELP: &str = "\
A detached signature is FILE.p7s beside FILE (give either name), or any signature file with
--content naming its document. An XML file (FILE.xml, e-invoices, declarations) has each
XMLDSig signature inside verified: its references, where the signed data is (wrapping
attacks), the seller's tax code against the certificate for e-invoices. A PDF without one has its embedded PAdES signatures verified,
each of them. A directory is verified whole: every .p7s signature and every signed PDF in it
(subdirectories with --recursive), ending with a one-line count. Documents and signatures
must be regular files (not FIFOs or devices).

Revocation: the signer's certificate is checked at the OCSP responder its Authority Information
Access names, else with the CRL of its CRL distribution points (HTTP), each answer verified
with the issuer's key; the result is good, revoked (with time and reason), unknown or
unreachable. --offline asks nothing and says so. A revoked certificate makes the signature
invalid unless a valid signature timestamp shows it was made before the revocation.

Exit status: 0 when every signature is valid and its signer chains to a --trust anchor,
1 when any is invalid, modified, revoked or untrusted, 2 when kyso could not run.

Examples:
  kyso verify --trust ca.pem report.pdf.p7s
  kyso verify --trust vn-root.pem --trust viettel-ca.pem --json *.p7s
  kyso verify --trust ca.pem received/       # ... 200 valid, 0 invalid, 0 not trusted";

/// Options of `kyso verify`.
#[derive(Debug, Args)]
#[command(after_help = VERIFY_HELP)]
pub struct VerifyArgs {
    /// Trust anchors: PEM file(s) of CA certificates (repeat for several).
    #[arg(long, value_name = "PEM")]
    trust: Vec<PathBuf>,
    /// Do not ask OCSP responders or fetch CRLs; the result says revocation was not checked.
    #[arg(long)]
    offline: bool,
    /// The signed document, when it is not named as the signature without `.p7s` (then give
    /// exactly one signature file).
    #[arg(long, value_name = "FILE")]
    content: Option<PathBuf>,
    /// With a directory: its subdirectories too.
    #[arg(long, short = 'r')]
    recursive: bool,
    /// Signed files (or their .p7s signatures), signed PDFs, or directories of them.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// The verdict on one signature.
#[derive(Debug, Serialize)]
pub(super) struct Report {
    pub(super) file: PathBuf,
    signature_file: Option<PathBuf>,
    /// `valid`, `invalid` (broken or modified), `untrusted` (intact, signer not trusted) or
    /// `error` (could not be verified).
    pub(super) status: &'static str,
    /// PDF signature field name.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    /// PDF: the signature's byte range runs to the end of the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    covers_whole_document: Option<bool>,
    /// PDF: what the revisions after this signature changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    later_changes: Option<document::verify::LaterChanges>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signature: Option<CmsVerification>,
    /// XML: the XMLDSig signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) xml: Option<document::xml::XmlSignature>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) trust: Option<TrustVerification>,
    /// Revocation status of the signer's certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) revocation: Option<Revocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) error: Option<String>,
    /// PDF: bytes were added after this, the last, signature.
    #[serde(skip)]
    appended: bool,
}

pub fn run(cli: &Cli, args: &VerifyArgs) -> Result<i32> {
    let mut anchors = Vec::new();
    for p in &args.trust {
        let pem = std::fs::read(p).map_err(|e| Error::io(p.display().to_string(), e))?;
        anchors.extend(Certificate::from_pem(&pem)?);
    }
    let ctx = Ctx {
        anchors: &anchors,
        now: OffsetDateTime::now_utc(),
        offline: args.offline,
    };
    if args.content.is_some() && args.files.len() != 1 {
        return Err(Error::InvalidInput(format!(
            "--content names the document of one signature; {} files were given",
            args.files.len()
        )));
    }
    let mut targets = Vec::new();
    let mut folder = false;
    for f in &args.files {
        if args.content.is_none() && f.is_dir() {
            folder = true;
            let found = signed_in(f, args.recursive)?;
            if found.is_empty() {
                targets.push(Target::Empty(f.clone()));
            }
            targets.extend(found);
        } else {
            targets.push(Target::Named(f.clone()));
        }
    }
    let reports: Vec<Report> = targets
        .iter()
        .flat_map(|t| match t {
            Target::Empty(dir) => vec![Report {
                error: Some(format!(
                    "{}: no signed document found (no .p7s signature, no signed PDF or XML)",
                    dir.display()
                )),
                ..Report::error(dir)
            }],
            Target::Named(f) if !f.exists() && f.symlink_metadata().is_err() => vec![Report {
                error: Some(format!("{}: not found", f.display())),
                ..Report::error(f)
            }],
            Target::Named(f) => {
                if let Some(content) = &args.content {
                    vec![verify_one((content.clone(), f.clone()), &ctx)]
                } else if super::verify_xml::is_xml(f) {
                    super::verify_xml::verify(f, &ctx)
                } else if is_signed_pdf(f) {
                    verify_pdf(f, &ctx)
                } else {
                    vec![verify_one(detached_pair(f), &ctx)]
                }
            }
        })
        .collect();
    if cli.json {
        print_json(&reports);
    } else {
        for r in &reports {
            print_text(r, anchors.is_empty());
        }
        if folder || reports.len() > 1 {
            println!("{}", count_line(&reports));
        }
    }
    Ok(if reports.iter().all(|r| r.status == "valid") {
        0
    } else {
        1
    })
}

/// `200 valid, 0 invalid, 0 not trusted` (and the errors, when there are some).
fn count_line(reports: &[Report]) -> String {
    let count = |s: &str| reports.iter().filter(|r| r.status == s).count();
    let mut line = format!(
        "{} valid, {} invalid, {} not trusted",
        count("valid"),
        count("invalid"),
        count("untrusted")
    );
    let errors = count("error");
    if errors > 0 {
        line.push_str(&format!(", {errors} could not be verified"));
    }
    line
}

/// What every verification needs.
pub(super) struct Ctx<'a> {
    pub(super) anchors: &'a [Certificate],
    pub(super) now: OffsetDateTime,
    offline: bool,
}

/// How long an OCSP responder or CRL server may take.
const REVOCATION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

impl Report {
    /// A report on `file` that could not be verified (the error to be filled in).
    pub(super) fn error(file: &Path) -> Report {
        Report {
            file: file.to_path_buf(),
            signature_file: None,
            status: "error",
            field: None,
            covers_whole_document: None,
            signature: None,
            xml: None,
            trust: None,
            revocation: None,
            error: None,
            appended: false,
            later_changes: None,
        }
    }
}

/// Verifies the detached signature `sig` of `content`.
fn verify_one((content, sig): (PathBuf, PathBuf), ctx: &Ctx) -> Report {
    let mut report = Report {
        signature_file: Some(sig.clone()),
        ..Report::error(&content)
    };
    if !sig.exists() {
        report.error = Some(format!(
            "{}: no signature found: {} not found (a detached signature is FILE.p7s beside \
             FILE; a signed PDF carries its signatures inside)",
            content.display(),
            sig.display()
        ));
        return report;
    }
    if !content.exists() {
        report.error = Some(format!(
            "{}: not found (the document {} signs; give it with --content)",
            content.display(),
            sig.display()
        ));
        return report;
    }
    let result = (|| -> Result<CmsVerification> {
        let p7s = files::read_regular(&sig)?;
        if let Some(e) = not_cms(&sig, &p7s) {
            return Err(e);
        }
        document::verify_detached(&p7s, &mut |hash| {
            let mut f = files::open_regular(&content)?;
            hash.digest_reader(&mut f).map_err(|e| match e {
                Error::Io { source, .. } => Error::io(content.display().to_string(), source),
                e => e,
            })
        })
        // What is wrong with the signature file itself names it.
        .map_err(|e| match e {
            Error::Document(m) => Error::Document(format!("{}: {m}", sig.display())),
            e => e,
        })
    })();
    match result {
        Ok(v) => judge(&mut report, v, ctx),
        Err(e) => report.error = Some(e.to_string()),
    }
    report
}

/// A signature file that is plainly something else than a DER CMS signature, said so.
fn not_cms(sig: &Path, data: &[u8]) -> Option<Error> {
    let name = sig.display();
    let why = if data.is_empty() {
        format!("{name} is empty (0 bytes), not a CMS signature")
    } else if let Some(pem) = data.strip_prefix(b"-----BEGIN ") {
        let label = pem
            .split(|&b| b == b'-')
            .next()
            .map(String::from_utf8_lossy)
            .unwrap_or_default();
        if matches!(label.as_ref(), "PKCS7" | "CMS") {
            format!(
                "{name} is a PEM-encoded signature (-----BEGIN {label}-----); kyso reads DER: \
                 convert it with `openssl cms -cmsout -inform PEM -outform DER -in {name} -out FILE.p7s`"
            )
        } else {
            format!("{name} is PEM text (-----BEGIN {label}-----), not a CMS signature")
        }
    } else if data.starts_with(b"%PDF-") {
        format!(
            "{name} is a PDF, not a CMS signature (a signed PDF carries its signatures \
             inside: verify the PDF itself)"
        )
    } else if Certificate::from_der(data.to_vec()).is_ok() {
        format!("{name} is an X.509 certificate, not a CMS signature")
    } else if data[0] != 0x30 {
        format!("{name} is not a CMS signature: not DER (a CMS signature starts with byte 0x30)")
    } else {
        return None;
    };
    Some(Error::Document(why))
}

/// Sets the status from the signature and the chain.
fn judge(report: &mut Report, mut v: CmsVerification, ctx: &Ctx) {
    let (anchors, now) = (ctx.anchors, ctx.now);
    let trust = document::verify_trust(
        v.signer_certificate(),
        v.embedded_certificates(),
        anchors,
        now,
    );
    let mut tsa_trusted = true;
    if let Some(ts) = &mut v.timestamp {
        if ts.is_valid() {
            ts.check_trust(anchors);
            tsa_trusted = ts.trust.as_ref().is_some_and(|t| t.is_trusted());
        }
    }
    report.status = if !v.is_intact() {
        "invalid"
    } else if trust.is_trusted() && tsa_trusted {
        "valid"
    } else {
        "untrusted"
    };
    if !v.content_unmodified {
        report.error = Some(match &report.signature_file {
            Some(sig) => format!(
                "{} does not match the signature {}: its digest differs from the signed one \
                 (the file was changed after signing, or the signature is for another file)",
                report.file.display(),
                sig.display()
            ),
            None => format!(
                "the bytes this signature covers in {} were changed after signing (digest \
                 differs)",
                report.file.display()
            ),
        });
    }
    let mut revocation = revocation(v.signer_certificate(), v.embedded_certificates(), ctx);
    if revocation.status == RevocationStatus::Revoked && report.status != "invalid" {
        // A valid timestamp before the revocation keeps the signature good (it was made while
        // the certificate was valid); otherwise it cannot be told from a signature made after.
        let stamped_before = v
            .timestamp
            .as_ref()
            .filter(|t| t.is_valid())
            .and_then(|t| t.gen_time())
            .zip(revocation.revoked_time())
            .is_some_and(|(ts, rev)| ts < rev);
        if stamped_before {
            revocation.detail = Some(
                "after the signature timestamp: the signature was made while the certificate \
                 was valid"
                    .into(),
            );
        } else {
            report.status = "invalid";
            report.error = Some(format!("the signer's certificate is revoked: {revocation}"));
        }
    }
    report.revocation = Some(revocation);
    report.signature = Some(v);
    report.trust = Some(trust);
}

/// The revocation status of `cert` (issuers among `embedded` and the anchors), unless
/// offline.
pub(super) fn revocation(cert: &Certificate, embedded: &[Certificate], ctx: &Ctx) -> Revocation {
    if ctx.offline {
        return Revocation::not_checked("--offline: no OCSP responder or CRL was asked");
    }
    let mut candidates = embedded.to_vec();
    candidates.extend_from_slice(ctx.anchors);
    let source = document::verify::revocation::HttpRevocation {
        timeout: REVOCATION_TIMEOUT,
    };
    document::verify::revocation::check(cert, &candidates, &source)
}

/// A PDF without a detached signature beside it: its embedded signatures are verified.
fn is_signed_pdf(file: &Path) -> bool {
    let (_, sig) = detached_pair(file);
    if file.to_string_lossy().ends_with(".p7s") || sig.exists() {
        return false;
    }
    let mut head = [0u8; 5];
    files::open_regular(file)
        .is_ok_and(|mut f| std::io::Read::read_exact(&mut f, &mut head).is_ok())
        && &head == b"%PDF-"
}

/// One report per signature in the PDF, oldest first; the newest must cover the whole file.
fn verify_pdf(file: &Path, ctx: &Ctx) -> Vec<Report> {
    let base = || Report::error(file);
    let found = files::read_regular(file).and_then(|pdf| document::verify_pdf(&pdf));
    let sigs = match found {
        Ok(s) if s.is_empty() => {
            let mut r = base();
            r.error = Some("the PDF has no signature".into());
            return vec![r];
        }
        Ok(s) => s,
        Err(e) => {
            let mut r = base();
            r.error = Some(e.to_string());
            return vec![r];
        }
    };
    let last = sigs.len() - 1;
    sigs.into_iter()
        .enumerate()
        .map(|(i, s)| {
            let mut r = base();
            r.field = s.field;
            r.covers_whole_document = Some(s.covers_whole_document);
            match s.result {
                document::PdfSignatureResult::Signature(mut v) => {
                    if v.signing_time.is_none() {
                        v.signing_time = s.claimed_time.clone();
                    }
                    judge(&mut r, *v, ctx)
                }
                document::PdfSignatureResult::Error(e) => r.error = Some(e),
            }
            match &s.later_changes {
                // Later revisions that do more than sign modify what this signature signed.
                Some(lc) if !lc.acceptable() && r.status != "error" => {
                    r.status = "invalid";
                    r.error = Some(format!(
                        "the document was modified after this signature: {}",
                        lc.modifications.join("; ")
                    ));
                }
                Some(lc) if !lc.revision_added && i == last && r.status != "error" => {
                    r.status = "invalid";
                    r.appended = true;
                    r.error = Some(
                        "the document was changed after its last signature (bytes appended)".into(),
                    );
                }
                _ => {}
            }
            r.later_changes = s.later_changes;
            r
        })
        .collect()
}

/// `FILE.p7s` → (`FILE`, `FILE.p7s`); `FILE` → (`FILE`, `FILE.p7s`).
pub(super) fn detached_pair(file: &Path) -> (PathBuf, PathBuf) {
    let s = file.to_string_lossy();
    match s.strip_suffix(".p7s") {
        Some(content) => (PathBuf::from(content), file.to_path_buf()),
        None => (file.to_path_buf(), PathBuf::from(format!("{s}.p7s"))),
    }
}

fn print_text(r: &Report, no_anchors: bool) {
    // Every line escaped whole: names, subjects and messages come from the signature, and a
    // certificate's escape sequences must not rewrite what the person reads.
    macro_rules! line {
        ($($arg:tt)*) => {
            println!("{}", kyso::cert::printable(&format!($($arg)*)))
        };
    }
    let verdict = match r.status {
        "valid" => "VALID",
        "invalid" => "INVALID",
        "untrusted" => "NOT TRUSTED",
        _ => "ERROR",
    };
    match &r.field {
        Some(f) => line!("{} [{f}]: {verdict}", r.file.display()),
        None => line!("{}: {verdict}", r.file.display()),
    }
    if let Some(e) = &r.error {
        line!("  error      {e}");
    }
    if let Some(v) = &r.signature {
        let s = &v.signer;
        let identity: Vec<String> = v
            .signer_certificate()
            .identity()
            .entries()
            .iter()
            .map(|e| format!("{}:{}", e.kind.key().to_uppercase(), e.value))
            .collect();
        line!(
            "  signer     {} ({})",
            s.common_name.as_deref().unwrap_or(&s.subject),
            if identity.is_empty() {
                "no identity number".into()
            } else {
                identity.join(", ")
            }
        );
        line!("  subject    {}", s.subject);
        line!("  issuer     {}", s.issuer);
        line!(
            "  signed at  {} (claimed by the signer{})",
            v.signing_time
                .as_deref()
                .map_or("unknown".into(), vietnam_time),
            if v.timestamp.is_some() {
                ""
            } else {
                ", not timestamped"
            }
        );
        if let Some(t) = &v.timestamp {
            line!(
                "  timestamp  {} by {} ({})",
                t.time.as_deref().map_or("unknown".into(), vietnam_time),
                t.tsa.as_deref().unwrap_or("an unknown TSA"),
                if t.is_valid() {
                    "token valid, imprint matches this signature"
                } else {
                    "INVALID"
                }
            );
            if let Some(tt) = &t.trust {
                if tt.chain_to_anchor {
                    line!("  tsa chain  {}", tt.chain.join(" <- "));
                }
                for p in &tt.problems {
                    line!("  tsa trust  {p}");
                }
            }
        }
        line!("  algorithm  {}", v.algorithm);
        line!(
            "  signature  {}",
            if v.signature_valid {
                "valid"
            } else {
                "INVALID"
            }
        );
        let later = r.later_changes.as_ref();
        match later {
            Some(lc) if !lc.acceptable() => line!(
                "  document   MODIFIED after signing: {}",
                lc.modifications.join("; ")
            ),
            Some(lc) if !lc.revision_added => {
                line!("  document   MODIFIED after signing: bytes were added after this signature")
            }
            _ if !v.content_unmodified => line!("  document   MODIFIED after signing"),
            Some(_) => line!(
                "  document   unmodified; later revisions only add signatures, form fields or \
                 validation data"
            ),
            None => line!("  document   unmodified"),
        }
        for p in &v.problems {
            line!("  problem    {p}");
        }
    }
    if let Some(x) = &r.xml {
        for l in super::verify_xml::lines(x) {
            line!("{l}");
        }
    }
    if let Some(t) = &r.trust {
        if t.chain_to_anchor {
            line!("  chain      {}", t.chain.join(" <- "));
        }
        for p in &t.problems {
            line!("  trust      {p}");
        }
        if no_anchors {
            line!("  trust      no trust anchor given: pass --trust CA.pem");
        }
    }
    if let Some(rev) = &r.revocation {
        line!("  revocation {rev}");
    }
}
