//! What a person sees of a `kyso sign` batch: the pipeline's events as a progress bar and
//! failure lines, the summary (or JSON), Ctrl-C as a clean cancel, and the guard against a
//! module that hangs when its token is pulled out.

use std::collections::HashSet;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use kyso::batch::{files, Cancel, Document, Event, Format, Summary};
use kyso::devices::RemovalWatch;
use kyso::{t, Error, Result, Signer, Token};

use super::print_json;

/// The batch's face on the terminal.
pub struct Report {
    json: bool,
    pb: ProgressBar,
    /// The format asked with --format; `None`: each file by its content.
    format: Option<Format>,
    tsa: Option<String>,
    /// What the summary line names: algorithm, signer, key id, token.
    algorithm: String,
    signer: Option<String>,
    key_id: String,
    token: String,
    /// Nothing was signable: no token was used, no PIN asked.
    unsigned: bool,
    /// Failures are shown on stderr as they happen: with --json (the report itself goes to
    /// stdout); the text summary lists them once.
    live: bool,
}

/// `name: error`, the name said once (errors about a file often name it already).
pub fn failure_line(name: &str, error: &str) -> String {
    if error.starts_with(name) {
        error.to_owned()
    } else {
        format!("{name}: {error}")
    }
}

impl Report {
    /// A report for a batch signed by `signer` (none when nothing is signable; the algorithm
    /// is filled in by [`Report::algorithm`]).
    pub fn new(
        json: bool,
        signer: Option<&dyn Signer>,
        format: Option<Format>,
        tsa: Option<String>,
    ) -> Report {
        Report {
            json,
            pb: ProgressBar::hidden(),
            format,
            tsa,
            algorithm: String::new(),
            signer: signer.and_then(|s| s.certificate().common_name().map(str::to_owned)),
            key_id: signer.map(|s| hex::encode(&s.key().id)).unwrap_or_default(),
            token: signer.map(|s| s.key().token.clone()).unwrap_or_default(),
            unsigned: false,
            live: json,
        }
    }

    /// Nothing was signable: the summary says no PIN was asked.
    pub fn unsigned(mut self) -> Report {
        self.unsigned = true;
        self
    }

    /// A document refused before the batch (see [`kyso::batch::check`]).
    pub fn failed_before(&mut self, document: &Document, error: &Error) {
        if self.live {
            let what = failure_line(&document.name(), &error.localized());
            eprintln!("{}", t!("batch-failed-live", what = what));
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
            // Skipped documents take no time: they do not count towards the rate or the ETA.
            Event::Skipped { .. } => self.pb.dec_length(1),
            Event::Signed { .. } => self.pb.inc(1),
            Event::Signing { document, .. } => self.pb.set_message(document.name()),
            Event::Failed {
                document, error, ..
            } => {
                if !error.stops_batch() && self.live {
                    let what = failure_line(&document.name(), &error.localized());
                    self.pb
                        .suspend(|| eprintln!("{}", t!("batch-failed-live", what = what)));
                }
                self.pb.inc(1);
            }
            Event::Stopped { .. } => {}
            Event::Cancelled | Event::Finished { .. } => self.pb.finish_and_clear(),
        }
    }

    /// Prints the summary (or the JSON report) of `docs`, each signed in `formats[i]`;
    /// returns the exit code: 0 when everything was signed, 130 when cancelled, 2 when a
    /// refused PIN or OTP stopped it before any signature, 1 otherwise.
    pub fn finish(&self, docs: &[Document], formats: &[Format], s: &Summary) -> i32 {
        let path = |i: usize| docs[i].input_path().map(PathBuf::from).unwrap_or_default();
        let out = |i: usize| docs[i].output_path().map(PathBuf::from).unwrap_or_default();
        let pairs = |v: &[usize]| {
            v.iter()
                .map(
                    |&i| json!({"file": path(i), "signature": out(i), "format": formats[i].name()}),
                )
                .collect::<Vec<_>>()
        };
        if self.json {
            // Nothing signable: no token was used, so no token, key or algorithm to name.
            let used = |v: &str| (!self.unsigned).then(|| v.to_owned());
            print_json(&json!({
                "token": used(&self.token),
                "key_id": used(&self.key_id),
                "signer": self.signer,
                "algorithm": used(&self.algorithm),
                // i18n: a JSON value scripts compare
                "format": self.format.map_or("by content", Format::name),
                "tsa": self.tsa,
                "signed": pairs(&s.signed),
                "skipped": pairs(&s.skipped),
                "failed": s.failed.iter().map(|f| json!({"file": path(f.index), "error": f.error, "code": f.code})).collect::<Vec<_>>(),
                "pending": s.pending.iter().map(|&i| path(i)).collect::<Vec<_>>(),
                "stopped": s.stopped,
                "cancelled": s.cancelled,
            }));
        } else {
            for &i in &s.signed {
                eprintln!(
                    "{}",
                    t!(
                        "batch-signed-line",
                        file = path(i).display().to_string(),
                        output = out(i).display().to_string(),
                        format = formats[i].name()
                    )
                );
            }
            if self.unsigned {
                eprintln!(
                    "{}",
                    t!(
                        "batch-summary-unsigned",
                        signed = s.signed.len(),
                        skipped = s.skipped.len(),
                        failed = s.failed.len()
                    )
                );
            } else {
                eprintln!(
                    "{}",
                    t!(
                        "batch-summary",
                        signed = s.signed.len(),
                        skipped = s.skipped.len(),
                        failed = s.failed.len(),
                        algorithm = self.algorithm.clone(),
                        signer = kyso::cert::printable(self.signer.as_deref().unwrap_or("?")),
                        key = self.key_id.clone(),
                        token = kyso::cert::printable(&self.token)
                    )
                );
            }
            for f in &s.failed {
                let name = path(f.index).display().to_string();
                let what = failure_line(&name, &f.error);
                eprintln!("{}", t!("batch-failed-line", what = what));
            }
            if let Some(why) = &s.stopped {
                eprintln!(
                    "{}",
                    t!("batch-stopped", why = why.clone(), count = s.pending.len())
                );
            }
            if s.cancelled {
                eprintln!("{}", t!("batch-cancelled", count = s.pending.len()));
            }
        }
        if s.cancelled {
            130
        } else if s.login_refused && s.signed.is_empty() {
            // a refused PIN or OTP before anything was signed: an error, as at login
            2
        } else if s.failed.is_empty() && s.stopped.is_none() {
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
            let why = t!("batch-removed-hung", removed = removed.localized());
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
                    "{}",
                    t!("batch-removed-summary", signed = signed.len(), why = why)
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
    let template = format!(
        "{{bar:40}} {{pos}}/{{len}} {}  {{rate}}  {} {{eta}}  {{wide_msg}}",
        t!("progress-signed"),
        t!("progress-eta")
    );
    if let Ok(style) = ProgressStyle::with_template(&template) {
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
        .map_err(|e| Error::io(t!("io-installing-ctrl-c"), e))?;
    let handle = signals.handle();
    let cancel = Cancel::default();
    let c = cancel.clone();
    std::thread::spawn(move || {
        for (n, signal) in signals.forever().enumerate() {
            if n == 0 {
                c.cancel();
                eprintln!("\n{}", t!("batch-interrupted"));
            } else {
                files::abandon_temporaries();
                eprintln!("{}", t!("batch-interrupted-again"));
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
