//! The batch pipeline of `kyso sign`: worker threads hash (or prepare) files in parallel while
//! the token signs on this thread, each output is written atomically, and a token failure
//! stops the batch cleanly while a bad input file only fails alone.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use kyso::{Error, Result};

use super::sign::{write_atomic, write_atomic_with};

/// What a writer thread writes for one file.
pub enum Output {
    /// The whole output.
    Bytes(Vec<u8>),
    /// A signed PDF: the input's bytes (copied file to file, whatever their size), then the
    /// signature's incremental update.
    Appended {
        /// The input, open since it was hashed.
        input: std::fs::File,
        /// Its length and modification time when it was hashed.
        stamp: (u64, Option<std::time::SystemTime>),
        /// Bytes of the input to copy, then the update.
        signed: kyso::document::pades::SignedPdf,
    },
    /// An output still to be assembled (then written as what it becomes).
    Later(Assemble),
}

/// The last steps before an output exists (checking the token's signature, a timestamp,
/// assembling the CMS), run on a writer thread so the token thread only signs.
pub type Assemble = Box<dyn FnOnce() -> Result<Output> + Send>;

impl From<Vec<u8>> for Output {
    fn from(bytes: Vec<u8>) -> Self {
        Output::Bytes(bytes)
    }
}

/// Length and modification time of an open file: a change between hashing and copying means
/// the copy would not match the signature.
pub fn stamp(file: &std::fs::File) -> (u64, Option<std::time::SystemTime>) {
    file.metadata()
        .map(|m| (m.len(), m.modified().ok()))
        .unwrap_or((0, None))
}

impl Output {
    /// Writes the output atomically to `path` (see [`write_atomic`]).
    pub fn write(self, path: &Path, input_name: &Path) -> Result<()> {
        match self {
            Output::Later(assemble) => assemble()?.write(path, input_name),
            Output::Bytes(bytes) => write_atomic(path, &bytes),
            Output::Appended {
                input,
                stamp: hashed,
                signed,
            } => {
                use std::io::{Read, Seek, Write};
                let changed = || {
                    Error::Document(format!(
                        "{} changed while it was being signed; nothing was written for it, \
                         sign it again",
                        input_name.display()
                    ))
                };
                write_atomic_with(path, &mut |out| {
                    if stamp(&input) != hashed {
                        return Err(changed());
                    }
                    let ctx = || input_name.display().to_string();
                    (&input).rewind().map_err(|e| Error::io(ctx(), e))?;
                    let copied = std::io::copy(&mut (&input).take(signed.base_len), out)
                        .map_err(|e| Error::io(path.display().to_string(), e))?;
                    if copied != signed.base_len || stamp(&input) != hashed {
                        return Err(changed());
                    }
                    out.write_all(&signed.tail)
                        .map_err(|e| Error::io(path.display().to_string(), e))
                })
            }
        }
    }
}

/// One file to sign and where its signature goes.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    /// The input file.
    pub file: PathBuf,
    /// The output file.
    pub output: PathBuf,
}

/// A file that could not be signed, and why.
#[derive(Debug, Serialize)]
pub struct Failure {
    /// The input file.
    pub file: PathBuf,
    /// What went wrong.
    pub error: String,
}

/// What a batch did.
#[derive(Debug, Default, Serialize)]
pub struct Outcome {
    /// Signed, in input order.
    pub signed: Vec<Job>,
    /// Outputs already present (`--skip-existing`).
    pub skipped: Vec<Job>,
    /// Failed, in input order.
    pub failed: Vec<Failure>,
    /// Not attempted because the batch stopped.
    pub pending: Vec<PathBuf>,
    /// Why the batch stopped early (a token failure), if it did.
    pub stopped: Option<String>,
}

/// Expands the command-line inputs: files as given (a missing one fails alone later),
/// directories into their files (sorted; subdirectories only with `recursive`). Hidden files
/// and kyso's own outputs are left out of directories.
pub fn expand_inputs(
    inputs: &[PathBuf],
    recursive: bool,
    is_output: &dyn Fn(&Path) -> bool,
) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            walk(input, recursive, is_output, &mut files)?;
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

fn walk(
    dir: &Path,
    recursive: bool,
    is_output: &dyn Fn(&Path) -> bool,
    out: &mut Vec<PathBuf>,
) -> Result<()> {
    let ctx = || format!("reading directory {}", dir.display());
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(ctx(), e))?
        .map(|e| e.map(|e| e.path()).map_err(|e| Error::io(ctx(), e)))
        .collect::<Result<_>>()?;
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            if recursive {
                walk(&path, recursive, is_output, out)?;
            }
        } else if !is_output(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// A progress bar on a terminal, nothing otherwise.
pub fn progress(len: usize, quiet: bool) -> ProgressBar {
    if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(len as u64);
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:40} {pos}/{len} signed  {per_sec}  eta {eta}  {wide_msg}",
    ) {
        pb.set_style(style);
    }
    pb
}

/// Threads writing outputs: each mostly waits in fsync, and the file system commits
/// concurrent fsyncs together, so many more than the cores (1,000 CMS signatures of 10 KB
/// files on ext4: 8 writers 1.05 s, 32 writers 0.91 s, SoftHSM signing 0.87 s). An output
/// in flight is small: a signature, or a PDF's update (its original bytes are copied from
/// the input file).
const WRITERS: usize = 32;

/// Runs the batch: `prepare` (hashing, building what surrounds the signature) runs on worker
/// threads, one per core; `finish` (the token's signature) runs here, one file at a time; each
/// output is assembled (an [`Output::Later`]) and written atomically on a writer thread
/// meanwhile.
pub fn run<P: Send>(
    jobs: Vec<Job>,
    skip_existing: bool,
    pb: &ProgressBar,
    prepare: &(dyn Fn(&Job) -> Result<P> + Sync),
    finish: &mut dyn FnMut(&Job, P) -> Result<Output>,
) -> Outcome {
    let mut one_by_one = |items: Vec<(&Job, P)>| -> Vec<Result<Output>> {
        items.into_iter().map(|(job, p)| finish(job, p)).collect()
    };
    run_grouped(jobs, skip_existing, pb, 1, prepare, &mut one_by_one)
}

/// Signs a group of prepared files, answering for each in order.
pub type GroupFinish<'a, P> = dyn FnMut(Vec<(&Job, P)>) -> Vec<Result<Output>> + 'a;

/// [`run`] for signers that sign many digests in one call (remote services): `finish` gets up
/// to `group` prepared files at once and answers for each, in order.
pub fn run_grouped<P: Send>(
    jobs: Vec<Job>,
    skip_existing: bool,
    pb: &ProgressBar,
    group: usize,
    prepare: &(dyn Fn(&Job) -> Result<P> + Sync),
    finish: &mut GroupFinish<P>,
) -> Outcome {
    let group = group.max(1);
    let mut outcome = Outcome::default();
    let mut todo = Vec::new();
    for job in jobs {
        if skip_existing && job.output.exists() {
            outcome.skipped.push(job);
        } else {
            todo.push(job);
        }
    }
    pb.inc(outcome.skipped.len() as u64);
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(todo.len().max(1));
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // index, result; the bound keeps memory constant whatever the number of files.
    let mut done: Vec<Option<std::result::Result<(), String>>> = vec![None; todo.len()];
    // Outputs are written (and fsync'ed) by writer threads while the token signs the next
    // file: an fsync costs more than a software token's signature. At most WRITERS + 1
    // outputs wait in memory.
    let (wtx, wrx) = mpsc::sync_channel::<(usize, Output)>(1);
    let wrx = Mutex::new(wrx);
    let (rtx, rrx) = mpsc::channel::<(usize, Result<()>)>();
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<(usize, Result<P>)>(workers * 2 + group);
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, stop, todo) = (&next, &stop, &todo);
            scope.spawn(move || loop {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = todo.get(i) else { break };
                if tx.send((i, prepare(job))).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for _ in 0..WRITERS {
            let (rtx, wrx, todo) = (rtx.clone(), &wrx, &todo);
            scope.spawn(move || loop {
                let next = wrx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                let Ok((i, output)) = next else { break };
                if rtx
                    .send((i, output.write(&todo[i].output, &todo[i].file)))
                    .is_err()
                {
                    break;
                }
            });
        }
        drop(rtx);
        // Files are handed to `finish` in the order given, whatever order the workers finish
        // them in: groups are then the files a person would expect, and the reorder buffer
        // holds at most a few (workers only run a little ahead).
        let mut rx = rx.into_iter();
        let mut arrived: std::collections::BTreeMap<usize, Result<P>> = Default::default();
        let mut next_index = 0;
        loop {
            let mut batch = Vec::new();
            while batch.len() < group {
                if let Some(p) = arrived.remove(&next_index) {
                    batch.push((next_index, p));
                    next_index += 1;
                    continue;
                }
                match rx.next() {
                    Some((i, p)) => {
                        arrived.insert(i, p);
                    }
                    None => break,
                }
            }
            if batch.is_empty() {
                break;
            }
            // Outputs written so far: a full disk stops the batch like a token failure.
            while let Ok((i, written)) = rrx.try_recv() {
                record(i, written, &mut done, &mut outcome, &stop, pb, &todo);
            }
            if outcome.stopped.is_some() {
                continue;
            }
            let mut ready = Vec::new();
            for (i, prepared) in batch {
                match prepared {
                    Ok(p) => ready.push((i, p)),
                    Err(e) => {
                        pb.suspend(|| eprintln!("FAILED {}: {e}", todo[i].file.display()));
                        done[i] = Some(Err(e.to_string()));
                        pb.inc(1);
                    }
                }
            }
            if ready.is_empty() {
                continue;
            }
            let indices: Vec<usize> = ready.iter().map(|(i, _)| *i).collect();
            pb.set_message(todo[indices[0]].file.display().to_string());
            let results = finish(ready.into_iter().map(|(i, p)| (&todo[i], p)).collect());
            for (i, result) in indices.into_iter().zip(results) {
                let job = &todo[i];
                match result {
                    // The writers only stop when this sender is dropped.
                    Ok(bytes) => {
                        let _ = wtx.send((i, bytes));
                    }
                    Err(e) => {
                        if e.stops_batch() {
                            stop.store(true, Ordering::Relaxed);
                            outcome.stopped.get_or_insert_with(|| e.to_string());
                        } else {
                            pb.suspend(|| eprintln!("FAILED {}: {e}", job.file.display()));
                        }
                        done[i] = Some(Err(e.to_string()));
                    }
                }
                pb.inc(1);
            }
        }
        drop(wtx);
        for (i, written) in rrx {
            record(i, written, &mut done, &mut outcome, &stop, pb, &todo);
        }
    });
    pb.finish_and_clear();
    for (job, result) in todo.into_iter().zip(done) {
        match result {
            Some(Ok(())) => outcome.signed.push(job),
            Some(Err(error)) => outcome.failed.push(Failure {
                file: job.file,
                error,
            }),
            None => outcome.pending.push(job.file),
        }
    }
    outcome
}

/// Notes what a writer thread did with output `i`; a write that no later one could do better
/// (full disk) stops the batch.
fn record(
    i: usize,
    written: Result<()>,
    done: &mut [Option<std::result::Result<(), String>>],
    outcome: &mut Outcome,
    stop: &AtomicBool,
    pb: &ProgressBar,
    todo: &[Job],
) {
    if let Err(e) = &written {
        pb.suspend(|| eprintln!("FAILED {}: {e}", todo[i].file.display()));
        if e.stops_batch() {
            stop.store(true, Ordering::Relaxed);
            outcome.stopped.get_or_insert_with(|| e.to_string());
        }
    }
    done[i] = Some(written.map_err(|e| e.to_string()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jobs(dir: &Path, n: usize) -> Vec<Job> {
        (0..n)
            .map(|i| {
                let file = dir.join(format!("f{i}"));
                std::fs::write(&file, format!("{i}")).unwrap();
                Job {
                    output: dir.join(format!("f{i}.out")),
                    file,
                }
            })
            .collect()
    }

    #[test]
    fn token_failure_stops_cleanly_and_keeps_finished_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let jobs = jobs(dir.path(), 40);
        let prepare = |j: &Job| std::fs::read(&j.file).map_err(|e| Error::io("read", e));
        let mut count = 0;
        let mut finish = |_: &Job, data: Vec<u8>| -> Result<Output> {
            count += 1;
            if count == 6 {
                return Err(Error::TokenRemoved { slot: None });
            }
            Ok(data.into())
        };
        let o = run(jobs, false, &ProgressBar::hidden(), &prepare, &mut finish);
        assert_eq!(o.signed.len(), 5);
        assert_eq!(o.failed.len(), 1);
        assert!(o.stopped.as_deref().unwrap().contains("reinsert"));
        assert_eq!(o.pending.len(), 34);
        assert_eq!(count, 6, "nothing signed after the token failed");
        for j in &o.signed {
            assert_eq!(
                std::fs::read(&j.output).unwrap(),
                std::fs::read(&j.file).unwrap()
            );
        }
        let outs = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some())
            .count();
        assert_eq!(outs, 5, "no partial or temporary output");
    }

    #[test]
    fn file_failures_do_not_stop_and_skip_existing_skips() {
        let dir = tempfile::tempdir().unwrap();
        let jobs = jobs(dir.path(), 10);
        std::fs::write(&jobs[2].output, "old").unwrap();
        let prepare = |j: &Job| {
            if j.file.ends_with("f5") {
                Err(Error::Document("corrupt".into()))
            } else {
                Ok(())
            }
        };
        let mut finish = |_: &Job, _: ()| -> Result<Output> { Ok(b"sig".to_vec().into()) };
        let o = run(jobs, true, &ProgressBar::hidden(), &prepare, &mut finish);
        assert_eq!(o.signed.len(), 8);
        assert_eq!(o.skipped.len(), 1);
        assert_eq!(o.failed.len(), 1);
        assert_eq!(o.failed[0].error, "corrupt");
        assert!(o.stopped.is_none() && o.pending.is_empty());
        assert_eq!(std::fs::read(dir.path().join("f2.out")).unwrap(), b"old");
    }
}
