//! `kyso verify`: is each signature valid, is the document unmodified, who signed it (with the
//! Vietnamese identity numbers), when they say they did, and does the signer chain to a trust
//! anchor.

use kyso::t;
use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;
use time::OffsetDateTime;

use kyso::document::{self, CmsVerification, Revocation, RevocationStatus, TrustVerification};
use kyso::{Certificate, Error, Result};

use super::verify_dir::{signed_in, Target};
use super::verify_ltv;
use super::verify_text::print_text;
use super::{print_json, Cli};
use kyso::batch::files;
use kyso::document::cms::cades_lt::long_term_values;
use kyso::document::verify::issuers::IssuerFetcher;
use kyso::document::verify::{stored_validation_data, StoredValidationData, ValidationCache};

// i18n: the English of --help; help-<command>-after in i18n/ is its twin (a test checks)
const VERIFY_HELP: &str = "\
A detached signature is FILE.p7s beside FILE (give either name), or any signature file with
--content naming its document. An XML file (FILE.xml, e-invoices, declarations) has each
XMLDSig signature inside verified: its references, where the signed data is (wrapping
attacks), the seller's tax code against the certificate for e-invoices. A PDF without one
has its embedded PAdES signatures verified, each of them. A directory is verified whole: every .p7s signature and every signed PDF in it
(subdirectories with --recursive), ending with a one-line count. Documents and signatures
must be regular files (not FIFOs or devices).

Revocation: the signer's certificate is checked at the OCSP responder its Authority Information
Access names, else with the CRL of its CRL distribution points (HTTP), each answer verified
with the issuer's key; the result is good, revoked (with time and reason), unknown or
unreachable. --offline asks nothing and says so. A revoked certificate makes the signature
invalid unless a valid signature timestamp shows it was made before the revocation.

Trust: the Vietnam National Root CA (NEAC, rootca.gov.vn) is built in, so signatures from
the licensed Vietnamese CAs (VNPT-CA, Viettel-CA, BKAV-CA, FPT-CA…) chain without options.
kyso.toml's `[verify] trust = ['ca.pem', …]` and --trust add anchors; --no-default-trust
leaves the built-in root out. The report names the anchor each chain ended at.

Exit status: 0 when every signature is valid and its signer chains to a trust anchor,
1 when any is invalid, modified, revoked or untrusted, 2 when kyso could not run.

Examples:
  kyso verify report.pdf                     # a Vietnamese CA's signature: no options
  kyso verify --trust org-ca.pem --json *.p7s
  kyso verify --no-default-trust --trust ca.pem received/   # ... 200 valid, 0 invalid";

/// Options of `kyso verify`.
#[derive(Debug, Args)]
#[command(after_help = VERIFY_HELP)]
pub struct VerifyArgs {
    /// More trust anchors: PEM file(s) of CA certificates (repeat for several), besides the
    /// built-in Vietnam National Root CA and kyso.toml's `[verify] trust`.
    #[arg(long, value_name = "PEM")]
    trust: Vec<PathBuf>,
    /// Do not trust the built-in anchors (the Vietnam National Root CA): only --trust and
    /// kyso.toml's `[verify] trust`.
    #[arg(long)]
    no_default_trust: bool,
    /// Intermediate CA certificates (PEM or DER file, or a folder of them; repeat for
    /// several) for chains a signature does not carry whole. Missing ones are also fetched
    /// from the certificates' caIssuers URLs unless --offline.
    #[arg(long, value_name = "PATH")]
    intermediates: Vec<PathBuf>,
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
    pub(super) signature_file: Option<PathBuf>,
    /// `valid`, `invalid` (broken or modified), `untrusted` (intact, signer not trusted) or
    /// `error` (could not be verified).
    pub(super) status: &'static str,
    /// PDF signature field name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) field: Option<String>,
    /// PDF: the signature's byte range runs to the end of the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) covers_whole_document: Option<bool>,
    /// PDF: what the revisions after this signature changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) later_changes: Option<document::verify::LaterChanges>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) signature: Option<CmsVerification>,
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
    pub(super) appended: bool,
    /// PDF: the PAdES baseline level the signature reaches (`B-B`, `B-T`, `B-LT`, `B-LTA`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) level: Option<&'static str>,
    /// Where the revocation answers came from: `embedded` (the PDF's DSS), `fetched`, `none`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) validation_data: Option<&'static str>,
    /// Revocation of the signer's intermediates and of the TSA's chain.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) chain_revocation: Vec<verify_ltv::OtherRevocation>,
    /// The PDF's DSS answers for the signer's certificate (B-LT).
    #[serde(skip)]
    pub(super) embedded_revocation: bool,
    /// PDF: a document timestamp (B-LTA), instead of a signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) document_timestamp: Option<document::TimestampVerification>,
}

pub fn run(cli: &Cli, args: &VerifyArgs) -> Result<i32> {
    let anchors = super::context::anchors(cli, &args.trust, args.no_default_trust)?;
    let intermediates = super::context::intermediates(cli, &args.intermediates)?;
    let fetcher = IssuerFetcher::new(verify_ltv::REVOCATION_TIMEOUT);
    let answers = verify_ltv::fetched_answers();
    let ctx = Ctx {
        anchors: &anchors,
        intermediates: &intermediates,
        issuers: (!args.offline).then_some(&fetcher),
        answers: (!args.offline).then_some(&answers),
        now: OffsetDateTime::now_utc(),
    };
    if args.content.is_some() && args.files.len() != 1 {
        return Err(Error::InvalidInput(t!(
            "verify-content-one-signature",
            count = args.files.len()
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
                error: Some(t!("verify-folder-empty", dir = dir.display().to_string())),
                ..Report::error(dir)
            }],
            Target::Named(f) if !f.exists() && f.symlink_metadata().is_err() => vec![Report {
                error: Some(Error::InputNotFound(f.display().to_string()).localized()),
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
    t!(
        "verify-count",
        valid = count("valid"),
        invalid = count("invalid"),
        untrusted = count("untrusted"),
        errors = count("error")
    )
}

/// What every verification needs.
pub(super) struct Ctx<'a> {
    pub(super) anchors: &'a [Certificate],
    /// Configured intermediates.
    pub(super) intermediates: &'a [Certificate],
    /// Fetches missing issuers (`None` offline).
    issuers: Option<&'a IssuerFetcher>,
    /// The responders' answers, once per certificate (`None` offline).
    pub(super) answers: Option<&'a ValidationCache>,
    pub(super) now: OffsetDateTime,
}

/// The revocation status of `cert` (its issuer among `embedded`, the configured intermediates
/// and the anchors), asked through the run's cache unless offline: for signatures that carry
/// no validation data of their own (XML).
pub(super) fn revocation(cert: &Certificate, embedded: &[Certificate], ctx: &Ctx) -> Revocation {
    let mut candidates = embedded.to_vec();
    candidates.extend_from_slice(ctx.intermediates);
    candidates.extend_from_slice(ctx.anchors);
    verify_ltv::revocation(cert, &candidates, None, ctx.answers).0
}

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
            level: None,
            validation_data: None,
            embedded_revocation: false,
            chain_revocation: Vec::new(),
            document_timestamp: None,
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
        report.error = Some(t!(
            "verify-no-detached-signature",
            file = content.display().to_string(),
            signature = sig.display().to_string()
        ));
        return report;
    }
    if !content.exists() {
        report.error = Some(t!(
            "verify-content-not-found",
            file = content.display().to_string(),
            signature = sig.display().to_string()
        ));
        return report;
    }
    let mut stored = None;
    let result = (|| -> Result<CmsVerification> {
        let p7s = files::read_regular(&sig)?;
        if let Some(e) = not_cms(&sig, &p7s) {
            return Err(e);
        }
        stored = long_term_values(&p7s);
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
        Ok(v) => {
            judge(&mut report, v, ctx, stored.as_ref());
            report.level = Some(verify_ltv::cades_level(&report));
        }
        Err(e) => report.error = Some(e.localized()),
    }
    report
}

/// A signature file that is plainly something else than a DER CMS signature, said so.
fn not_cms(sig: &Path, data: &[u8]) -> Option<Error> {
    let name = sig.display().to_string();
    let why = if data.is_empty() {
        t!("verify-not-cms-empty", name = name)
    } else if let Some(pem) = data.strip_prefix(b"-----BEGIN ") {
        let label = pem
            .split(|&b| b == b'-')
            .next()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .unwrap_or_default();
        if matches!(label.as_str(), "PKCS7" | "CMS") {
            t!("verify-not-cms-pem-signature", name = name, label = label)
        } else {
            t!("verify-not-cms-pem", name = name, label = label)
        }
    } else if data.starts_with(b"%PDF-") {
        t!("verify-not-cms-pdf", name = name)
    } else if Certificate::from_der(data.to_vec()).is_ok() {
        t!("verify-not-cms-certificate", name = name)
    } else if data[0] != 0x30 {
        t!("verify-not-cms-not-der", name = name)
    } else {
        return None;
    };
    Some(Error::Document(why))
}

/// Sets the status from the signature and the chain; `stored` is the PDF's DSS.
fn judge(
    report: &mut Report,
    mut v: CmsVerification,
    ctx: &Ctx,
    stored: Option<&StoredValidationData>,
) {
    let anchors = ctx.anchors;
    let mut tsa_trusted = true;
    let mut stamped_at = None;
    if let Some(ts) = &mut v.timestamp {
        if ts.is_valid() {
            ts.check_trust(anchors);
            tsa_trusted = ts.trust.as_ref().is_some_and(|t| t.is_trusted());
            stamped_at = ts.gen_time().filter(|_| tsa_trusted);
        }
    }
    // Validation at the time a trusted timestamp proves: a certificate that expired after it
    // still made a valid signature.
    let mut intermediates = v.embedded_certificates().to_vec();
    intermediates.extend(stored.iter().flat_map(|s| s.certs.iter().cloned()));
    intermediates.extend(ctx.intermediates.iter().cloned());
    if let Some(fetcher) = ctx.issuers {
        let missing = fetcher.missing_issuers(v.signer_certificate(), &intermediates, anchors);
        intermediates.extend(missing);
    }
    let trust = document::verify_trust(
        v.signer_certificate(),
        &intermediates,
        anchors,
        stamped_at.unwrap_or(ctx.now),
    );
    report.status = if !v.is_intact() {
        "invalid"
    } else if trust.is_trusted() && tsa_trusted {
        "valid"
    } else {
        "untrusted"
    };
    if !v.content_unmodified {
        report.error = Some(match &report.signature_file {
            Some(sig) => t!(
                "verify-content-digest-differs",
                file = report.file.display().to_string(),
                signature = sig.display().to_string()
            ),
            None => t!(
                "verify-covered-bytes-changed",
                file = report.file.display().to_string()
            ),
        });
    }
    let mut candidates = intermediates;
    candidates.extend_from_slice(anchors);
    let (mut revocation, used, embedded) =
        verify_ltv::revocation(v.signer_certificate(), &candidates, stored, ctx.answers);
    report.validation_data = Some(used);
    report.embedded_revocation = embedded;
    let tsa_cert = v
        .timestamp
        .as_ref()
        .and_then(|t| t.tsa_certificate().cloned());
    let mut leaves = vec![v.signer_certificate()];
    leaves.extend(tsa_cert.as_ref());
    let mut with_tsa = candidates.clone();
    if let Some(t) = &v.timestamp {
        with_tsa.extend(t.embedded_certificates().iter().cloned());
    }
    report.chain_revocation = verify_ltv::others(&leaves, &with_tsa, anchors, stored, ctx.answers);
    judge_chain_revocation(report, stamped_at);
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
            revocation.detail = Some(t!("verify-revoked-after-timestamp"));
        } else {
            report.status = "invalid";
            report.error = Some(t!(
                "verify-signer-revoked",
                revocation = revocation.localized()
            ));
        }
    }
    report.revocation = Some(revocation);
    report.signature = Some(v);
    report.trust = Some(trust);
}

/// A revoked intermediate or TSA certificate in `report.chain_revocation` makes the signature
/// invalid, unless it was revoked after a trusted timestamp (`stamped_at`).
pub(super) fn judge_chain_revocation(report: &mut Report, stamped_at: Option<OffsetDateTime>) {
    if let Some(bad) = report.chain_revocation.iter().find(|o| {
        o.revocation.status == RevocationStatus::Revoked
            && stamped_at
                .zip(o.revocation.revoked_time())
                .is_none_or(|(ts, rev)| ts >= rev)
    }) {
        report.status = "invalid";
        report.error = Some(t!(
            "verify-chain-certificate-revoked",
            subject = bad.subject.as_str(),
            revocation = bad.revocation.localized()
        ));
    }
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
    let mut stored = None;
    let found = files::read_regular(file).and_then(|pdf| {
        stored = stored_validation_data(&pdf);
        document::verify_pdf(&pdf)
    });
    let sigs = match found {
        Ok(s) if s.is_empty() => {
            let mut r = base();
            r.error = Some(t!("verify-pdf-unsigned"));
            return vec![r];
        }
        Ok(s) => s,
        Err(e) => {
            let mut r = base();
            r.error = Some(e.localized());
            return vec![r];
        }
    };
    let last = sigs.len() - 1;
    // Where the archive timestamps end: a signature before one is B-LTA (with its DSS).
    let archived_until = verify_ltv::archive_ends(&sigs, ctx.anchors);
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
                    judge(&mut r, *v, ctx, stored.as_ref());
                    r.level = Some(verify_ltv::level(&r, &s.byte_range, archived_until));
                }
                document::PdfSignatureResult::DocTimestamp(t) => {
                    verify_ltv::judge_doc_timestamp(&mut r, *t, ctx.anchors)
                }
                document::PdfSignatureResult::Error(e) => r.error = Some(e),
            }
            match &s.later_changes {
                // Later revisions that do more than sign modify what this signature signed.
                Some(lc) if !lc.acceptable() && r.status != "error" => {
                    r.status = "invalid";
                    r.error = Some(t!(
                        "verify-modified-after-signature",
                        what = lc.modifications.join("; ")
                    ));
                }
                Some(lc) if !lc.revision_added && i == last && r.status != "error" => {
                    r.status = "invalid";
                    r.appended = true;
                    r.error = Some(t!("verify-appended-after-last-signature"));
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
