//! One batch the page asks for: the documents checked before the PIN, the key the person chose,
//! one PIN through pinentry (never through the page), one login, then the library's pipeline
//! ([`Mixed`]: PDFs in PAdES with the stamp, XML in XMLDSig, others in CMS) with each step told
//! to the page through the session's [`Log`]. A wrong PIN ends the batch with the attempts
//! left; it is never retried. Cancel stops between signatures: finished outputs stay, nothing
//! partial is written.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;

use kyso::batch::mixed::Mixed;
use kyso::batch::{choose, Cancel, Event, Format, Options};
use kyso::devices::RemovalWatch;
use kyso::document::Visible;
use kyso::i18n::{tr_in, Lang};
use kyso::{Error, Result};

use super::super::serve::pinentry::{Answer, Pinentry};
use super::certs;
use super::events::Log;

/// What the page sends to sign.
#[derive(Debug, Deserialize)]
pub struct Request {
    /// The certificate's fingerprint (from `/api/certs`).
    pub cert: String,
    /// The documents (paths from `/api/files`).
    pub files: Vec<PathBuf>,
    /// The visible stamp on PDFs, if any.
    #[serde(default)]
    pub stamp: Option<Stamp>,
    /// Where outputs go (default: next to each original).
    #[serde(default)]
    pub out_dir: Option<PathBuf>,
}

/// Where the stamp goes, in PDF points from the page's lower-left corner.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Stamp {
    /// `first`, `last`, `all` or a page number.
    pub page: String,
    /// Left edge.
    pub x: f32,
    /// Bottom edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
    /// With the image kept for the stamp ([`super::stamp_image_file`]) at its left.
    #[serde(default)]
    pub image: bool,
}

impl Stamp {
    /// The library's visible signature for this stamp, its text in `lang`.
    pub fn visible(&self, lang: Lang) -> Result<Visible> {
        let spec = format!("{},{},{},{},{}", self.page, self.x, self.y, self.w, self.h);
        let font = Path::new(kyso::document::pdf::appearance::DEFAULT_FONT);
        let mut v = Visible::parse(&spec, font)?;
        v.language = lang;
        if self.image {
            v = v.with_image(&super::stamp_image_file())?;
        }
        Ok(v)
    }
}

/// What a batch needs from the session.
pub struct Context<'a> {
    /// The tokens.
    pub tokens: &'a certs::Tokens,
    /// The pinentry configured, if any (else the first found).
    pub pinentry: Option<&'a Path>,
    /// The page's language (messages, the stamp's text, the PIN dialog).
    pub lang: Lang,
    /// Where the page hears about it.
    pub log: Arc<Log>,
    /// This batch's number (in every event).
    pub job: u64,
    /// Stops it.
    pub cancel: Cancel,
    /// The outputs written this session (their folders may be opened).
    pub outputs: &'a Mutex<Vec<PathBuf>>,
    /// Set while a batch runs; cleared by [`run`] once the token is logged out.
    pub busy: Arc<AtomicBool>,
    /// `[app] tsa`: where signature timestamps come from.
    pub tsa: Option<Arc<dyn kyso::document::Timestamper>>,
    /// Told when the token is pulled out: a batch that does not end then is stuck.
    pub watchdog: Arc<super::restart::Watchdog>,
}

impl Context<'_> {
    /// Tells the page `event`, marked with this batch.
    pub(super) fn tell(&self, mut event: Value) {
        event["job"] = json!(self.job);
        self.log.push(event);
    }

    fn error(&self, e: &Error) -> Value {
        json!({"type": "error", "message": e.localized_in(self.lang), "code": e.code()})
    }
}

fn path_of(doc: &kyso::batch::Document) -> String {
    doc.input_path()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|| doc.name())
}

/// Runs the batch `req` to its end, telling the page each step; the last event is
/// `finished` (or `error` when nothing could be signed at all).
pub fn run(ctx: &Context, req: Request) {
    let last = sign(ctx, req).unwrap_or_else(|e| ctx.error(&e));
    // the token is logged out: the page may start the next batch as soon as it hears
    ctx.busy.store(false, Ordering::SeqCst);
    ctx.tell(last);
}

/// The batch; its last event, told by [`run`].
fn sign(ctx: &Context, req: Request) -> Result<Value> {
    let lang = ctx.lang;
    ctx.tell(json!({"type": "started", "documents": req.files.len()}));
    let visible = req.stamp.as_ref().map(|s| s.visible(lang)).transpose()?;
    if let Some(dir) = &req.out_dir {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    }
    let mixed = Mixed::plan(req.files, None, req.out_dir.as_deref())?;
    let ready = mixed.check(false, visible.as_ref());
    for (i, e) in &ready.failed {
        let doc = &mixed.documents[*i];
        // the page's own plain words when it has them (the library's may name commands)
        let words = doc
            .input_path()
            .and_then(|p| super::files::describe(p, lang).problem)
            .unwrap_or_else(|| e.localized_in(lang));
        ctx.tell(json!({"type": "failed", "path": path_of(doc), "error": words}));
    }
    if ready.to_sign == 0 {
        return Ok(
            json!({"type": "finished", "signed": 0, "failed": ready.failed.len(), "pending": 0, "cancelled": false}),
        );
    }
    let pinentry = Pinentry::find(ctx.pinentry)?;
    let key = ctx
        .tokens
        .keys()
        .into_iter()
        .find(|k| k.id() == req.cert)
        .ok_or_else(|| {
            let words = if ctx.tokens.was_remote(&req.cert) {
                "app-remote-cert-gone"
            } else {
                "app-cert-gone"
            };
            Error::CertificateNotFound(tr_in(lang, words, &[]))
        })?;
    let cert = &key.entry.certificate;
    choose::check_validity(cert, OffsetDateTime::now_utc(), false)?;
    choose::not_locked(&*key.token)?;
    let label = key.token.info().map(|i| i.label).unwrap_or_default();
    let holder = cert.common_name().unwrap_or(cert.subject()).to_owned();
    if let Some(remote) = &key.remote {
        // PIN and OTP through pinentry, one authorisation for the batch
        let result = match super::remote::login(ctx, remote, &pinentry, &holder, ready.to_sign) {
            Ok(Some(end)) => Ok(end),
            Ok(None) => {
                let r = signed(ctx, &mixed, &ready, &key, &label, visible);
                let _ = key.token.logout();
                r
            }
            Err(e) => Err(e),
        };
        remote.set_otp_prompt(None);
        // the page's list follows what the batch found (an account logged out, a service down)
        ctx.tokens.refresh_remotes();
        return result;
    }
    let retries = key.token.info().ok().and_then(|i| {
        if i.pin.final_try {
            Some(kyso::PinRetries::FinalTry.localized_in(lang))
        } else if i.pin.count_low {
            Some(kyso::PinRetries::Low.localized_in(lang))
        } else {
            None
        }
    });
    let desc = tr_in(
        lang,
        "app-pin-description",
        &[
            ("holder", holder.clone().into()),
            ("token", label.clone().into()),
            ("count", ready.to_sign.into()),
        ],
    );
    ctx.tell(json!({"type": "pin"}));
    let pin = match pinentry.pin(
        &tr_in(lang, "app-pin-title", &[]),
        &desc,
        retries.as_deref(),
    )? {
        Answer::Given(p) => p,
        Answer::Cancelled => {
            return Ok(
                json!({"type": "error", "message": tr_in(lang, "app-pin-cancelled", &[]), "code": "cancelled"}),
            );
        }
    };
    // one C_Login; a wrong PIN ends the batch with the attempts left, never retried
    key.token.login(&pin)?;
    drop(pin);
    let result = signed(ctx, &mixed, &ready, &key, &label, visible);
    let _ = key.token.logout();
    result
}

fn signed(
    ctx: &Context,
    mixed: &Mixed,
    ready: &kyso::batch::mixed::Ready,
    key: &certs::Key,
    label: &str,
    visible: Option<Visible>,
) -> Result<Value> {
    let lang = ctx.lang;
    let signer = choose::key(&*key.token, label, Some(&key.entry.id))?.signer;
    let alg = choose::algorithm(signer.as_ref(), None, Format::Pades)?.algorithm;
    let mut options = Options {
        chain: choose::known_chain(signer.certificate(), &*key.token, Vec::new()),
        visible,
        tsa: ctx.tsa.clone(),
        ..Options::new(alg)
    };
    // XML receivers' validators take PKCS#1 v1.5 only (as `kyso sign` does for mixed runs)
    let xml = choose::algorithm(signer.as_ref(), None, Format::Xml)?.algorithm;
    options.xml.algorithm = Some(xml).filter(|a| *a != alg);
    // a token pulled out in the middle of a call may leave it hanging: the page is told at
    // once; the batch ends (and the token is free) only when the call returns
    let reader = key
        .token
        .info()
        .map(|i| i.slot_description)
        .unwrap_or_default();
    let (log, job) = (ctx.log.clone(), ctx.job);
    let removed = Error::TokenRemoved {
        slot: Some(label.to_owned()),
    };
    let reason = removed.localized_in(lang);
    let watchdog = ctx.watchdog.clone();
    let watch = RemovalWatch::start(&reader, move || {
        watchdog.ask_end(reason.clone());
        log.push(json!({"type": "stopped", "job": job, "reason": reason}));
    });
    // a module can hang for good; a remote service's calls end with their timeout
    if key.remote.is_none() {
        ctx.watchdog.signing();
    }
    ctx.tell(json!({"type": "signing-started", "documents": ready.to_sign}));
    // what stopped the batch, in the page's language (the library says it in the process's)
    let mut stopped_by: Option<String> = None;
    let summary = mixed.sign(
        ready,
        signer.as_ref(),
        &options,
        &ctx.cancel,
        Some(&watch),
        &mut |event| match event {
            Event::Signing { document, .. } => {
                ctx.tell(json!({"type": "signing", "path": path_of(document)}))
            }
            Event::Signed { document, .. } => {
                if let (Some(out), Ok(mut all)) = (document.output_path(), ctx.outputs.lock()) {
                    all.push(out.to_path_buf());
                }
                ctx.tell(json!({
                    "type": "signed",
                    "path": path_of(document),
                    "output": document.output_path().map(|p| p.to_string_lossy().into_owned()),
                }))
            }
            Event::Failed {
                document, error, ..
            } => {
                // a full disk in words a person acts on, not the OS's
                let words = if error.is_out_of_space() {
                    tr_in(lang, "app-disk-full", &[])
                } else {
                    error.localized_in(lang)
                };
                if error.stops_batch() && stopped_by.is_none() {
                    stopped_by = Some(words.clone());
                }
                ctx.tell(json!({"type": "failed", "path": path_of(document), "error": words}))
            }
            Event::Stopped { reason } => {
                let reason = stopped_by.clone().unwrap_or_else(|| reason.to_owned());
                ctx.tell(json!({"type": "stopped", "reason": reason}))
            }
            Event::Cancelled => ctx.tell(json!({"type": "cancelled"})),
            _ => {}
        },
    )?;
    Ok(json!({
        "type": "finished",
        "signed": summary.signed.len(),
        "failed": summary.failed.len(),
        "pending": summary.pending.len(),
        "cancelled": summary.cancelled,
    }))
}
