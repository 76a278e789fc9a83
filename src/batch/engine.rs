//! The threads of a batch: workers prepare documents in parallel, the calling thread has the
//! token sign them one at a time (or a group at a time), writer threads finish and write the
//! outputs. Memory stays constant whatever the number of documents.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};

use super::output::Output;
use super::{Cancel, Document, Event, Failure, Summary, Target};
use crate::error::{Error, Result};

/// Threads writing outputs: each mostly waits in fsync, and the file system commits
/// concurrent fsyncs together, so many more than the cores (1,000 CMS signatures of 10 KB
/// files on ext4: 8 writers 1.05 s, 32 writers 0.91 s, SoftHSM signing 0.87 s). An output
/// in flight is small: a signature, or a PDF's update (its original bytes are copied from
/// the input file).
const WRITERS: usize = 32;

/// How a run goes.
pub(crate) struct Settings<'a> {
    /// Leave documents whose output file exists.
    pub skip_existing: bool,
    /// How many prepared documents `finish` gets at once.
    pub group: usize,
    /// Stops the run between signatures.
    pub cancel: &'a Cancel,
}

/// Signs a group of prepared documents, answering for each in order.
pub(crate) type Finish<'a, P> = dyn FnMut(Vec<(&Document, P)>) -> Vec<Result<Output>> + 'a;

/// What happened to one document so far.
enum Done {
    Signed,
    Failed(Failure),
}

/// Runs the batch: `prepare` on worker threads, one per core; `finish` (the token's
/// signatures) here; each output is assembled and written on a writer thread meanwhile.
pub(crate) fn run<P: Send>(
    docs: &[Document],
    settings: &Settings,
    prepare: &(dyn Fn(&Document) -> Result<P> + Sync),
    finish: &mut Finish<P>,
    on_event: &mut dyn FnMut(Event),
) -> Summary {
    let group = settings.group.max(1);
    let mut summary = Summary::default();
    on_event(Event::Started {
        documents: docs.len(),
        bytes: docs.iter().map(Document::len).sum(),
    });
    let mut todo = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let exists = matches!(&d.target, Target::File(p) if p.exists());
        if settings.skip_existing && exists {
            summary.skipped.push(i);
            on_event(Event::Skipped {
                index: i,
                document: d,
            });
        } else {
            todo.push(i);
        }
    }
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(todo.len().max(1));
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let cancel = settings.cancel;
    let mut done: Vec<Option<Done>> = (0..docs.len()).map(|_| None).collect();
    // At most WRITERS + 1 outputs wait in memory.
    let (wtx, wrx) = mpsc::sync_channel::<(usize, Output)>(1);
    let wrx = Mutex::new(wrx);
    let (rtx, rrx) = mpsc::channel::<(usize, Result<Option<Vec<u8>>>)>();
    let mut state = State {
        docs,
        done: &mut done,
        summary: &mut summary,
        stop: &stop,
        on_event: &mut *on_event,
    };
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<(usize, Result<P>)>(workers * 2 + group);
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, stop, todo) = (&next, &stop, &todo);
            scope.spawn(move || loop {
                if stop.load(Ordering::Relaxed) || cancel.is_cancelled() {
                    break;
                }
                let Some(&i) = todo.get(next.fetch_add(1, Ordering::Relaxed)) else {
                    break;
                };
                if tx.send((i, prepare(&docs[i]))).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for _ in 0..WRITERS {
            let (rtx, wrx) = (rtx.clone(), &wrx);
            scope.spawn(move || loop {
                let next = wrx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                let Ok((i, output)) = next else { break };
                let name = docs[i].name();
                if rtx.send((i, output.write(&docs[i].target, &name))).is_err() {
                    break;
                }
            });
        }
        drop(rtx);
        // Documents are handed to `finish` in the order given, whatever order the workers
        // finish them in: groups are then the documents a person would expect, and the
        // reorder buffer holds at most a few (workers only run a little ahead).
        let mut rx = rx.into_iter();
        let mut arrived: BTreeMap<usize, Result<P>> = BTreeMap::new();
        let mut position = 0;
        loop {
            let mut batch = Vec::new();
            while batch.len() < group {
                let Some(&want) = todo.get(position) else {
                    break;
                };
                if let Some(p) = arrived.remove(&want) {
                    batch.push((want, p));
                    position += 1;
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
                state.record(i, written);
            }
            if state.summary.stopped.is_some() || cancel.is_cancelled() {
                stop.store(true, Ordering::Relaxed);
                break;
            }
            let mut ready = Vec::new();
            for (i, prepared) in batch {
                match prepared {
                    Ok(p) => ready.push((i, p)),
                    Err(e) => state.fail(i, e),
                }
            }
            if ready.is_empty() {
                continue;
            }
            let indices: Vec<usize> = ready.iter().map(|(i, _)| *i).collect();
            (state.on_event)(Event::Signing {
                index: indices[0],
                document: &docs[indices[0]],
            });
            let results = finish(ready.into_iter().map(|(i, p)| (&docs[i], p)).collect());
            for (i, result) in indices.into_iter().zip(results) {
                match result {
                    // The writers only stop when this sender is dropped.
                    Ok(output) => {
                        let _ = wtx.send((i, output));
                    }
                    Err(e) => state.fail(i, e),
                }
            }
        }
        // Unblock the workers (they may wait on a full channel) and let them end.
        drop(rx);
        drop(wtx);
        for (i, written) in rrx {
            state.record(i, written);
        }
    });
    let cancelled = cancel.is_cancelled() && summary.stopped.is_none();
    for i in todo {
        match done[i].take() {
            Some(Done::Signed) => summary.signed.push(i),
            Some(Done::Failed(failure)) => summary.failed.push(failure),
            None => summary.pending.push(i),
        }
    }
    summary.cancelled = cancelled && !summary.pending.is_empty();
    if summary.cancelled {
        on_event(Event::Cancelled);
    }
    on_event(Event::Finished { summary: &summary });
    summary
}

/// What the coordinating thread keeps while the batch runs.
struct State<'s> {
    docs: &'s [Document],
    done: &'s mut [Option<Done>],
    summary: &'s mut Summary,
    stop: &'s AtomicBool,
    on_event: &'s mut dyn FnMut(Event<'_>),
}

impl State<'_> {
    /// Notes a failed document; a failure no later document could escape stops the batch.
    fn fail(&mut self, i: usize, error: Error) {
        self.done[i] = Some(Done::Failed(Failure::new(i, &error)));
        let stops = error.stops_batch();
        let reason = error.localized();
        let refused = matches!(
            error,
            Error::WrongPin { .. }
                | Error::PinLocked { .. }
                | Error::PinInvalid(_)
                | Error::RemoteAuthorizationRefused { .. }
        );
        (self.on_event)(Event::Failed {
            index: i,
            document: &self.docs[i],
            error,
        });
        if stops && self.summary.stopped.is_none() {
            self.summary.login_refused = refused;
            self.stop.store(true, Ordering::Relaxed);
            self.summary.stopped = Some(reason);
            let reason = self.summary.stopped.as_deref().unwrap_or_default();
            (self.on_event)(Event::Stopped { reason });
        }
    }

    /// Notes what a writer thread did with output `i`.
    fn record(&mut self, i: usize, written: Result<Option<Vec<u8>>>) {
        match written {
            Ok(output) => {
                self.done[i] = Some(Done::Signed);
                (self.on_event)(Event::Signed {
                    index: i,
                    document: &self.docs[i],
                    output,
                });
            }
            Err(e) => self.fail(i, e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn docs(dir: &Path, n: usize) -> Vec<Document> {
        (0..n)
            .map(|i| {
                let file = dir.join(format!("f{i}"));
                std::fs::write(&file, format!("{i}")).unwrap();
                Document::file(file, dir.join(format!("f{i}.out")))
            })
            .collect()
    }

    fn read(d: &Document) -> Result<Vec<u8>> {
        std::fs::read(d.input_path().unwrap()).map_err(|e| Error::io("read", e))
    }

    fn settings(skip_existing: bool, cancel: &Cancel) -> Settings<'_> {
        Settings {
            skip_existing,
            group: 1,
            cancel,
        }
    }

    #[test]
    fn token_failure_stops_cleanly_and_keeps_finished_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let docs = docs(dir.path(), 40);
        let mut count = 0;
        let mut finish = |items: Vec<(&Document, Vec<u8>)>| -> Vec<Result<Output>> {
            items
                .into_iter()
                .map(|(_, data)| {
                    count += 1;
                    if count == 6 {
                        return Err(Error::TokenRemoved { slot: None });
                    }
                    Ok(data.into())
                })
                .collect()
        };
        let mut stops = 0;
        let o = run(
            &docs,
            &settings(false, &Cancel::default()),
            &read,
            &mut finish,
            &mut |e| stops += matches!(e, Event::Stopped { .. }) as usize,
        );
        assert_eq!(o.signed.len(), 5);
        assert_eq!(o.failed.len(), 1);
        assert!(o.stopped.as_deref().unwrap().contains("reinsert"));
        assert_eq!(o.pending.len(), 34);
        assert_eq!(count, 6, "nothing signed after the token failed");
        assert_eq!(stops, 1);
        for &i in &o.signed {
            assert_eq!(
                std::fs::read(docs[i].output_path().unwrap()).unwrap(),
                std::fs::read(docs[i].input_path().unwrap()).unwrap()
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
        let docs = docs(dir.path(), 10);
        std::fs::write(docs[2].output_path().unwrap(), "old").unwrap();
        let prepare = |d: &Document| {
            if d.input_path().unwrap().ends_with("f5") {
                Err(Error::Document("corrupt".into()))
            } else {
                Ok(())
            }
        };
        let mut finish = |items: Vec<(&Document, ())>| -> Vec<Result<Output>> {
            items.iter().map(|_| Ok(b"sig".to_vec().into())).collect()
        };
        let o = run(
            &docs,
            &settings(true, &Cancel::default()),
            &prepare,
            &mut finish,
            &mut |_| {},
        );
        assert_eq!(o.signed.len(), 8);
        assert_eq!(o.skipped.len(), 1);
        assert_eq!(o.failed.len(), 1);
        assert_eq!(o.failed[0].error, "corrupt");
        assert!(o.stopped.is_none() && o.pending.is_empty());
        assert_eq!(std::fs::read(dir.path().join("f2.out")).unwrap(), b"old");
    }

    #[test]
    fn cancel_keeps_finished_outputs_and_a_rerun_finishes() {
        let dir = tempfile::tempdir().unwrap();
        let docs = docs(dir.path(), 30);
        let cancel = Cancel::default();
        let mut signed = 0;
        let mut finish = |items: Vec<(&Document, Vec<u8>)>| -> Vec<Result<Output>> {
            signed += items.len();
            if signed == 7 {
                cancel.cancel();
            }
            items.into_iter().map(|(_, d)| Ok(d.into())).collect()
        };
        let mut cancelled = false;
        let o = run(
            &docs,
            &settings(true, &cancel),
            &read,
            &mut finish,
            &mut |e| cancelled |= matches!(e, Event::Cancelled),
        );
        assert!(o.cancelled && cancelled);
        assert_eq!(o.signed.len(), 7, "the signature in progress is kept");
        assert_eq!(o.pending.len(), 23);
        assert!(o.failed.is_empty() && o.stopped.is_none());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 30 + 7, "no temporary file: {names:?}");
        let mut finish = |items: Vec<(&Document, Vec<u8>)>| -> Vec<Result<Output>> {
            items.into_iter().map(|(_, d)| Ok(d.into())).collect()
        };
        let again = run(
            &docs,
            &settings(true, &Cancel::default()),
            &read,
            &mut finish,
            &mut |_| {},
        );
        assert_eq!((again.skipped.len(), again.signed.len()), (7, 23));
        assert!(again.is_complete() && !again.cancelled);
    }
}
