//! What a person sees of a `kyso sign` batch: the pipeline's events as a progress bar and
//! failure lines, the summary (or JSON), Ctrl-C as a clean cancel, and the guard against a
//! module that hangs when its token is pulled out.

use std::collections::HashSet;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use kyso::batch::{files, Cancel, Document, Event, Format, Summary};
use kyso::devices::RemovalWatch;
use kyso::{Error, Result, Signer, Token};

use super::print_json;

/// The batch's face on the terminal.
pub struct Report {
    json: bool,
    pb: ProgressBar,
    tsa: Option<String>,
    /// What the summary line names: algorithm, signer, key id, token.
    algorithm: String,
    signer: Option<String>,
    key_id: String,
    token: String,
}

impl Report {
    /// A report for a batch signed by `signer` (the algorithm is filled in by the first
    /// event that knows it).
    pub fn new(json: bool, signer: &dyn Signer, tsa: Option<String>) -> Report {
        Report {
            json,
            pb: ProgressBar::hidden(),
            tsa,
            algorithm: String::new(),
            signer: signer.certificate().common_name().map(str::to_owned),
            key_id: hex::encode(&signer.key().id),
            token: signer.key().token.clone(),
        }
    }

    /// The algorithm the batch signs with, for the summary.
    pub fn algorithm(mut self, name: String) -> Report {
        self.algorithm = name;
        self
    }

    /// Shows one event of the pipeline.
    pub fn event(&mut self, event: Event) {
        match event {
            Event::Started { documents, .. } => self.pb = progress(documents, self.json),
            Event::Skipped { .. } | Event::Signed { .. } => self.pb.inc(1),
            Event::Signing { document, .. } => self.pb.set_message(document.name()),
            Event::Failed {
                document, error, ..
            } => {
                if !error.stops_batch() {
                    self.pb
                        .suspend(|| eprintln!("FAILED {}: {error}", document.name()));
                }
                self.pb.inc(1);
            }
            Event::Stopped { .. } => {}
            Event::Cancelled | Event::Finished { .. } => self.pb.finish_and_clear(),
        }
    }

    /// Prints the summary of every run (one per format) and of the files refused before
    /// signing (or the JSON report); returns the exit code: 0 when everything was signed, 130
    /// when cancelled, 2 when a refused PIN or OTP stopped it before any signature, 1
    /// otherwise.
    pub fn finish(
        &self,
        runs: &[(Format, Vec<Document>, Summary)],
        refused: &[(PathBuf, &str)],
    ) -> i32 {
        let path = |d: &Document| d.input_path().map(PathBuf::from).unwrap_or_default();
        let out = |d: &Document| d.output_path().map(PathBuf::from).unwrap_or_default();
        let mut signed = Vec::new();
        let mut skipped = Vec::new();
        let mut failed: Vec<(PathBuf, String)> = refused
            .iter()
            .map(|(p, why)| (p.clone(), why.to_string()))
            .collect();
        let mut pending = Vec::new();
        let mut stopped = None;
        let mut cancelled = false;
        let mut login_refused = false;
        for (format, docs, s) in runs {
            signed.extend(
                s.signed
                    .iter()
                    .map(|&i| (path(&docs[i]), out(&docs[i]), *format)),
            );
            skipped.extend(
                s.skipped
                    .iter()
                    .map(|&i| (path(&docs[i]), out(&docs[i]), *format)),
            );
            failed.extend(
                s.failed
                    .iter()
                    .map(|f| (path(&docs[f.index]), f.error.clone())),
            );
            pending.extend(s.pending.iter().map(|&i| path(&docs[i])));
            stopped = stopped.or(s.stopped.clone());
            cancelled |= s.cancelled;
            login_refused |= s.login_refused;
        }
        let format = match runs {
            [(f, ..)] => f.name(),
            _ => "by content",
        };
        if self.json {
            let pairs = |v: &[(PathBuf, PathBuf, Format)]| {
                v.iter()
                    .map(|(f, o, fmt)| json!({"file": f, "signature": o, "format": fmt.name()}))
                    .collect::<Vec<_>>()
            };
            print_json(&json!({
                "token": self.token,
                "key_id": self.key_id,
                "signer": self.signer,
                "algorithm": self.algorithm,
                "format": format,
                "tsa": self.tsa,
                "signed": pairs(&signed),
                "skipped": pairs(&skipped),
                "failed": failed.iter().map(|(f, e)| json!({"file": f, "error": e})).collect::<Vec<_>>(),
                "pending": pending,
                "stopped": stopped,
                "cancelled": cancelled,
            }));
        } else {
            for (f, o, fmt) in &signed {
                eprintln!("signed {} -> {} ({})", f.display(), o.display(), fmt.name());
            }
            eprintln!(
                "{} signed, {} skipped (already signed), {} failed with {} ({}, key {} on '{}')",
                signed.len(),
                skipped.len(),
                failed.len(),
                self.algorithm,
                kyso::cert::printable(self.signer.as_deref().unwrap_or("?")),
                self.key_id,
                kyso::cert::printable(&self.token)
            );
            for (f, e) in &failed {
                eprintln!("  failed: {}: {e}", f.display());
            }
            if let Some(why) = &stopped {
                eprintln!(
                    "batch stopped: {why}; {} file(s) not attempted (run again with --skip-existing)",
                    pending.len()
                );
            }
            if cancelled {
                eprintln!(
                    "batch cancelled: {} file(s) not attempted; every file listed as signed is \
                     whole (run again with --skip-existing to sign the rest)",
                    pending.len()
                );
            }
        }
        if cancelled {
            130
        } else if login_refused && signed.is_empty() {
            // a refused PIN or OTP before anything was signed: an error, as at login
            2
        } else if failed.is_empty() && stopped.is_none() {
            0
        } else {
            1
        }
    }

    /// Guards against a module that never returns when its token is pulled out mid-signature
    /// (Debian 12's OpenSC can hang so): when it happens, reports what was written (outputs
    /// are atomic: each one that exists is whole) and ends the process.
    pub fn removal_watch(&self, token: &dyn Token, label: &str, docs: &[Document]) -> RemovalWatch {
        let reader = token.info().map(|i| i.slot_description).unwrap_or_default();
        let outputs: Vec<(PathBuf, PathBuf)> = docs
            .iter()
            .filter_map(|d| Some((d.input_path()?.to_owned(), d.output_path()?.to_owned())))
            .collect();
        let existed: HashSet<PathBuf> = outputs
            .iter()
            .filter(|(_, o)| o.exists())
            .map(|(_, o)| o.clone())
            .collect();
        let (label, json_out) = (label.to_owned(), self.json);
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
            files::abandon_temporaries();
            std::process::exit(1);
        })
    }
}

/// A progress bar on a terminal, nothing otherwise; the rate is rounded (`408/s`).
fn progress(len: usize, quiet: bool) -> ProgressBar {
    if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(len as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} signed  {rate}  eta {eta}  {wide_msg}")
    {
        pb.set_style(style.with_key(
            "rate",
            |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}/s", s.per_sec());
            },
        ));
    }
    pb
}

/// Ctrl-C (SIGINT) and SIGTERM while a batch runs: the first cancels it cleanly (the
/// signature in progress is finished and written, the summary printed); a second ends the
/// process at once, removing the temporary files of outputs being written.
pub struct SignalCancel {
    /// The batch's cancel.
    pub cancel: Cancel,
    handle: signal_hook::iterator::Handle,
}

/// Starts turning SIGINT and SIGTERM into [`SignalCancel::cancel`] until the result is
/// dropped.
pub fn cancel_on_signals() -> Result<SignalCancel> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])
        .map_err(|e| Error::io("installing the Ctrl-C handler", e))?;
    let handle = signals.handle();
    let cancel = Cancel::default();
    let c = cancel.clone();
    std::thread::spawn(move || {
        for (n, signal) in signals.forever().enumerate() {
            if n == 0 {
                c.cancel();
                eprintln!(
                    "\nstopping after the signature in progress; finished files are kept \
                     (interrupt again to stop at once)"
                );
            } else {
                files::abandon_temporaries();
                eprintln!("stopped at once; files being written were removed");
                std::process::exit(128 + signal);
            }
        }
    });
    Ok(SignalCancel { cancel, handle })
}

impl Drop for SignalCancel {
    fn drop(&mut self) {
        self.handle.close();
    }
}
