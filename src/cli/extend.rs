//! `kyso extend`: signed PDFs (by kyso or anyone) made long-term (PAdES B-LT or B-LTA), or
//! their archive timestamp renewed. A thin shell over [`kyso::batch::extend`].

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, ValueEnum};

use kyso::batch::extend::{extend, Extension};
use kyso::batch::{Document, Event};
use kyso::document::verify::revocation::HttpRevocation;
use kyso::document::verify::ValidationCache;
use kyso::document::Tsa;
use kyso::{t, Error, Result};

use super::{context, print_json, Cli};

// i18n: the English of --help; help-<command>-after in i18n/ is its twin (a test checks)
const EXTEND_HELP: &str = "\
Each PDF gets, in an incremental update after its signatures, a Document Security Store with
the certificates, OCSP responses and CRLs of every signature and timestamp in it (fetched
once per certificate for the whole run), so it stays verifiable when the CAs' responders are
gone (B-LT); with --level b-lta (the default) a document timestamp from --tsa follows, over
everything. Run again on a B-LTA file before its last timestamp's TSA certificate expires, it
renews the archive. Earlier signatures stay valid; each file is replaced atomically (or
written into --out-dir), and --skip-existing leaves files already at the level, except B-LTA
files whose last timestamp's TSA certificate expires within --renew-days (90): those are
renewed, so a nightly `kyso extend --skip-existing` over an archive keeps it verifiable.

Examples:
  kyso extend --tsa http://tsa.example.vn archive/*.pdf
  kyso extend --level b-lt received.pdf
  kyso extend --tsa http://tsa.example.vn --skip-existing archive/*.pdf   # resume";

/// The level `kyso extend` brings documents to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExtendLevel {
    /// The validation data (DSS).
    #[value(name = "b-lt")]
    BLt,
    /// The validation data and a document timestamp.
    #[value(name = "b-lta")]
    BLta,
}

/// Options of `kyso extend`.
#[derive(Debug, Args)]
#[command(after_help = EXTEND_HELP)]
pub struct ExtendArgs {
    /// b-lt (validation data) or b-lta (and a document timestamp; needs --tsa).
    #[arg(long, value_enum, default_value = "b-lta")]
    level: ExtendLevel,
    /// RFC 3161 timestamp authority of the document timestamp (B-LTA).
    #[arg(long, value_name = "URL")]
    tsa: Option<String>,
    /// Seconds to wait for the timestamp authority and each OCSP responder or CRL server.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    timeout: u64,
    /// Write the extended PDFs here (same names) instead of replacing them.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Leave PDFs already at the level (resume an interrupted run), unless their archive
    /// timestamp is due for renewal (see --renew-days).
    #[arg(long)]
    skip_existing: bool,
    /// With --skip-existing: still renew a B-LTA file whose last document timestamp's TSA
    /// certificate expires within this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    renew_days: u32,
    /// Signed PDFs.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

pub fn run(cli: &Cli, args: &ExtendArgs) -> Result<i32> {
    let timeout = std::time::Duration::from_secs(args.timeout);
    let archive: Option<Arc<dyn kyso::document::Timestamper>> = match (args.level, &args.tsa) {
        (ExtendLevel::BLta, None) => return Err(Error::InvalidInput(t!("extend-blta-needs-tsa"))),
        (ExtendLevel::BLta, Some(url)) => Some(Arc::new(Tsa {
            timeout,
            ..Tsa::new(url.clone())
        })),
        (ExtendLevel::BLt, _) => None,
    };
    let documents: Vec<Document> = args
        .files
        .iter()
        .map(|f| {
            let out = match &args.out_dir {
                Some(dir) => dir.join(f.file_name().unwrap_or_default()),
                None => f.clone(),
            };
            Document::file(f, out)
        })
        .collect();
    let cache = ValidationCache::new(Arc::new(HttpRevocation { timeout }), {
        let mut known = context::anchors(cli, &[], false)?;
        known.extend(context::intermediates(cli, &[])?);
        known
    });
    let ext = Extension {
        cache: Arc::new(cache),
        archive,
        skip_extended: args.skip_existing,
        renew_within: time::Duration::days(i64::from(args.renew_days)),
    };
    let level = match args.level {
        ExtendLevel::BLt => "B-LT",
        ExtendLevel::BLta => "B-LTA",
    };
    let mut results = Vec::new();
    let summary = extend(&documents, &ext, &mut |event| {
        let (document, status, outcome) = match &event {
            Event::Signed { document, .. } => {
                (document, "extended", t!("extend-done", level = level))
            }
            Event::Skipped { document, .. } => (document, "left", t!("extend-left", level = level)),
            Event::Failed {
                document, error, ..
            } => (
                document,
                "failed",
                t!("extend-failed", error = error.localized()),
            ),
            _ => return,
        };
        if !cli.json {
            println!(
                "{}",
                kyso::cert::printable(&format!("{}: {outcome}", document.name()))
            );
        }
        results.push(
            serde_json::json!({ "file": document.name(), "status": status, "result": outcome }),
        );
    });
    if cli.json {
        print_json(&results);
    }
    Ok(if summary.failed.is_empty() { 0 } else { 1 })
}
