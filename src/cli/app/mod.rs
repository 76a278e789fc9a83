//! `kyso app`: a signing page for people who do not use a terminal, served by kyso on
//! 127.0.0.1 (plain HTTP: the traffic never leaves the computer) and opened in their browser.
//! A face over the library like the command; [`guard`] keeps every other web page out.
//!
//! The page's API (JSON unless said otherwise; every request needs the launch's cookie):
//!
//! - `GET /?s=SECRET`: the launch URL; sets the cookie and redirects to `/`.
//! - `GET /`, `/app.js`, `/app.css`: the page (embedded in the binary, no CDN).
//! - `GET /api/texts`: the page's texts in the browser's language (`Accept-Language`:
//!   English when the browser prefers it, Vietnamese otherwise), from the Fluent catalogues.
//! - `GET /api/files`: the documents chosen, as [`files::Entry`]s.
//! - `POST /api/files` with `{"paths": [...]}`: adds files and folders (recursively).
//! - `POST /api/upload?name=NAME` with the file's bytes: saves it in the folder (`--folder`)
//!   and adds it.
//! - `GET /api/preview?path=PATH&page=N`: page N of a listed PDF as a PNG, one pixel a point.
//! - `GET /api/stamp`, `POST /api/stamp`: the stamp's place remembered for next time.
//! - `GET /api/out-dir`, `POST /api/out-dir` with `{"dir": DIR or null}`: where signed
//!   documents go, remembered for next time (null: next to the originals, or a folder that
//!   is gone).
//! - `GET /api/stamp-image`: the stamp's image (PNG; 404 without one); `POST
//!   /api/stamp-image` with a PNG's bytes keeps it for next time (checked as the signing
//!   will read it); `POST /api/stamp-image/remove` forgets it.
//! - `POST /api/verify?name=NAME` with a signed file's bytes: `kyso verify`'s report.
//! - `POST /api/open` with `{"path": …}`: opens the folder of a listed file or an output.
//! - `GET /api/folders?path=DIR`: DIR's subfolders (the first document's folder without
//!   `path`), for the page's chooser of where outputs go; `POST /api/folders` with
//!   `{"path": DIR, "name": NAME}` makes folder NAME in DIR.
//! - `GET /api/certs`: the certificates that can sign now, as [`certs::Row`]s (remote
//!   credentials too), then the remote accounts that cannot show theirs, as
//!   [`remote::Problem`]s.
//! - `POST /api/certs/refresh`: asks the remote accounts again (answered by a `certs` event).
//! - `POST /api/sign` with a [`job::Request`]: starts a batch (409 while one runs); the PIN
//!   is asked through pinentry, never by the page.
//! - `POST /api/cancel`: stops the batch between signatures.
//! - `GET /api/events?from=N`: the session's events from N on (waits up to 10 s for one);
//!   `GET /api/live?from=N` (WebSocket) sends them as they come: `started`, `pin`,
//!   `otp` (a remote credential's OTP is asked), `approve` (its service asks the person on
//!   their phone), `signing-started`, `signing`, `signed`,
//!   `failed`, `stopped`, `cancelled`, `finished`,
//!   `error` (each with its batch's `job`), `certs` when a token comes or goes, and `files`
//!   when another launch added documents.

mod certs;
mod docs;
mod events;
mod files;
mod folders;
mod guard;
mod http;
mod job;
mod remote;
mod restart;
mod reuse;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Args;
use serde_json::{json, Value};
use tiny_http::{Method, Response, StatusCode};

use self::http::{body_json, header, json_reply, lang_of, query, query_str, respond, text};

use kyso::i18n::{tr_in, Lang};
use kyso::{t, Error, Result};

use kyso::batch::Cancel;

use super::loopback::peer;
use super::{context, Cli};

/// `kyso app` options.
#[derive(Debug, Args)]
pub struct AppArgs {
    /// Documents to put on the page (files, or folders taken recursively).
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print the page's address (with its one-time secret) on the first line of stdout
    /// instead of opening the browser (remote desktops, tests).
    #[arg(long)]
    no_open: bool,
    /// The port on 127.0.0.1 (0: any free port).
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    port: u16,
    /// Where documents added in the browser are saved, and signed next to (default
    /// $XDG_DOCUMENTS_DIR/kyso, else ~/Documents/kyso).
    #[arg(long, value_name = "DIR")]
    folder: Option<PathBuf>,
}

/// The default `--folder`.
fn default_folder() -> PathBuf {
    let docs = std::env::var_os("XDG_DOCUMENTS_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join("Documents")))
        .unwrap_or_else(std::env::temp_dir);
    docs.join("kyso")
}

/// Where the stamp's place is remembered.
fn stamp_file() -> PathBuf {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(std::env::temp_dir)
        .join("kyso/app-stamp.json")
}

/// Where the person last chose to put signed documents (absent: next to the originals).
fn out_dir_file() -> PathBuf {
    stamp_file().with_file_name("app-output.json")
}

/// The image put on the stamp (a scanned handwritten signature, the seal), kept for next
/// time beside the stamp's place.
pub fn stamp_image_file() -> PathBuf {
    stamp_file().with_file_name("app-stamp-image.png")
}

/// Keeps `bytes` as `file` for next time (the stamp's place and image, the output folder):
/// its folder made if needed, written whole or not at all.
fn remember(file: &std::path::Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    }
    kyso::batch::files::write_atomic(file, bytes)
}

/// The largest stamp image taken (a stamp needs far less).
const MAX_IMAGE: u64 = 8 << 20;

/// The largest document taken from the browser.
const MAX_FILE: u64 = 512 << 20;

/// What the requests share.
struct App {
    guard: guard::Guard,
    files: Mutex<Vec<PathBuf>>,
    local: SocketAddr,
    tokens: Arc<certs::Tokens>,
    /// `[serve] pinentry` of kyso.toml (else the first found), looked up for each batch.
    pinentry: Option<PathBuf>,
    log: Arc<events::Log>,
    /// A batch runs (one at a time: one person, one token).
    busy: Arc<AtomicBool>,
    /// The running batch's cancel, and its watchdog (Stop asks it to end).
    cancel: Mutex<Option<(Cancel, Arc<restart::Watchdog>)>>,
    jobs: AtomicU64,
    /// Where uploads go.
    folder: PathBuf,
    /// Files dropped on the verify view (gone with the session).
    verify_dir: tempfile::TempDir,
    /// Outputs signed this session (their folders may be opened).
    outputs: Arc<Mutex<Vec<PathBuf>>>,
    /// `--config`, for `kyso verify`.
    config: Option<PathBuf>,
    /// `[app] tsa`.
    tsa: Option<Arc<dyn kyso::document::Timestamper>>,
}

pub fn run(cli: &Cli, args: &AppArgs) -> Result<i32> {
    // the process a stuck module made restart (see [`restart`]): its session goes on
    let restarted = restart::take();
    // another launch ("Open with" again): its files go to the page already open
    if args.port == 0 && restarted.is_none() {
        if let Some(url) = reuse::hand_over(&files::expand(&args.files)) {
            open(&url, args.no_open, None);
            return Ok(0);
        }
    }
    // listening first: the pages of a restarted app reconnect at once
    let port = restarted.as_ref().map_or(args.port, |s| s.port);
    let server = tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| {
        Error::io(
            t!("io-listening", address = format!("127.0.0.1:{port}")),
            std::io::Error::other(e.to_string()),
        )
    })?;
    let local = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| Error::InvalidInput("not listening on an IP address".into()))?; // i18n: tiny_http on a Unix socket: cannot happen here
    let discovery = context::discovery(cli)?;
    let pinentry = discovery.config().serve.pinentry.clone();
    let tsa: Option<Arc<dyn kyso::document::Timestamper>> = match &discovery.config().app.tsa {
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            Some(Arc::new(kyso::document::Tsa::new(url.clone())))
        }
        Some(url) => {
            return Err(Error::InvalidInput(t!(
                "app-tsa-not-http",
                url = kyso::cert::printable(url)
            )))
        }
        None => None,
    };
    // no token yet is no reason to stop: the page says to plug one in, and finds it then
    let tokens = Arc::new(certs::Tokens::new(discovery));
    let (guard, files, outputs, log, jobs) = match &restarted {
        Some(s) => (
            guard::Guard::with_secret(local.port(), s.secret.clone()),
            s.files.clone(),
            s.outputs.clone(),
            events::Log::starting_at(s.events),
            s.job,
        ),
        None => (
            guard::Guard::new(local.port())?,
            files::expand(&args.files),
            Vec::new(),
            events::Log::default(),
            0,
        ),
    };
    let app = Arc::new(App {
        guard,
        files: Mutex::new(files),
        local,
        tokens: tokens.clone(),
        pinentry,
        log: Arc::new(log),
        busy: Arc::new(AtomicBool::new(false)),
        cancel: Mutex::new(None),
        jobs: AtomicU64::new(jobs),
        folder: args.folder.clone().unwrap_or_else(default_folder),
        verify_dir: tempfile::tempdir().map_err(|e| Error::io(t!("io-temporary-folder"), e))?,
        outputs: Arc::new(Mutex::new(outputs)),
        config: cli.config.clone(),
        tsa,
    });
    let log = app.log.clone();
    certs::watch(tokens, app.busy.clone(), move || {
        log.push(json!({"type": "certs"}))
    });
    reuse::record(local.port(), app.guard.secret());
    match &restarted {
        // the pages open reconnect by themselves: they hear why their batch ended
        Some(s) => {
            let why = tr_in(s.lang(), "app-restarted", &[("why", s.why.clone().into())]);
            app.log
                .push(json!({"type": "error", "job": s.job, "message": why, "code": "restarted"}));
            app.log.push(json!({"type": "certs"}));
        }
        None => open(&app.guard.launch_url(), args.no_open, Some(local)),
    }
    for request in server.incoming_requests() {
        let app = app.clone();
        // a thread each: the progress stream of a batch stays open while the page asks more
        std::thread::spawn(move || serve(&app, request));
    }
    Ok(0)
}

/// Opens `url` (the launch URL, with its secret) in the browser, or prints it (`--no-open`,
/// or no browser to open) on stdout's first line.
fn open(url: &str, no_open: bool, local: Option<SocketAddr>) {
    if no_open {
        println!("{url}");
    } else {
        match std::process::Command::new("xdg-open").arg(url).spawn() {
            // another user could read the command line: the peer check keeps them out
            Ok(mut child) => {
                std::thread::spawn(move || child.wait());
                if let Some(local) = local {
                    println!("{}", t!("app-opened", url = format!("http://{local}/")));
                }
            }
            Err(e) => {
                log::info!("xdg-open: {e}");
                println!("{url}");
                println!("{}", t!("app-open-yourself"));
            }
        }
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
}

fn serve(app: &Arc<App>, mut request: tiny_http::Request) {
    if let Some(peer_addr) = request.remote_addr().copied() {
        if !peer::same_user(peer_addr, app.local) {
            log::warn!("a request from {peer_addr} by another user refused"); // i18n: a log line
            return text(request, 403, "refused");
        }
    }
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|h| (h.field.as_str().to_string(), h.value.to_string()))
        .collect();
    let method = request.method().to_string();
    let url = request.url().to_owned();
    let verdict = app.guard.check(&guard::Seen {
        method: &method,
        url: &url,
        headers: &headers,
    });
    match verdict {
        guard::Verdict::Refuse(why) => {
            log::warn!("refused {method} {}: {why}", kyso::cert::printable(&url));
            return text(request, 403, "refused");
        }
        guard::Verdict::Enter => {
            let resp = Response::empty(StatusCode(303))
                .with_header(header("Set-Cookie", &app.guard.set_cookie()))
                .with_header(header("Location", "/"));
            return respond(request, resp, "text/plain");
        }
        guard::Verdict::Serve => {}
    }
    let lang = lang_of(&headers);
    let path = url.split('?').next().unwrap_or("");
    match (request.method(), path) {
        (Method::Get, "/") => {
            let page = include_str!("page.html")
                .replace("{{lang}}", lang.tag())
                .replace("{{title}}", &tr_in(lang, "app-title", &[]));
            respond(
                request,
                Response::from_string(page),
                "text/html; charset=utf-8", // i18n: a MIME type
            )
        }
        (Method::Get, "/app.js") => respond(
            request,
            Response::from_string(include_str!("app.js")),
            "text/javascript; charset=utf-8", // i18n: a MIME type
        ),
        (Method::Get, "/app.css") => respond(
            request,
            Response::from_string(include_str!("app.css")),
            "text/css; charset=utf-8", // i18n: a MIME type
        ),
        (Method::Get, "/api/texts") => json_reply(request, &texts(lang)),
        (Method::Get, "/api/files") => {
            let list = app.files.lock().map(|f| f.clone()).unwrap_or_default();
            let entries: Vec<files::Entry> =
                list.iter().map(|p| files::describe(p, lang)).collect();
            json_reply(request, &json!(entries))
        }
        (Method::Post, "/api/files") => {
            #[derive(serde::Deserialize)]
            struct Add {
                paths: Vec<PathBuf>,
            }
            let Some(Add { paths }) = body_json::<Add>(&mut request) else {
                return text(request, 400, "expected {\"paths\": [...]}");
            };
            let added = files::expand(&paths);
            if let Ok(mut f) = app.files.lock() {
                for p in added {
                    if !f.contains(&p) {
                        f.push(p);
                    }
                }
            }
            // pages already open show them too
            app.log.push(json!({"type": "files"}));
            json_reply(request, &json!({"ok": true}))
        }
        (Method::Get, "/api/certs") => json_reply(request, &app.tokens.rows(lang)),
        (Method::Post, "/api/certs/refresh") => {
            app.tokens.refresh_remotes();
            json_reply(request, &json!({"ok": true}))
        }
        (Method::Post, "/api/sign") => {
            let Some(req) = body_json::<job::Request>(&mut request) else {
                return text(request, 400, "expected a signing request"); // i18n: an HTTP reply to the page's script, which shows its own words
            };
            if app.busy.swap(true, Ordering::SeqCst) {
                return text(request, 409, "a batch is running"); // i18n: an HTTP reply to the page's script, which shows its own words
            }
            let id = app.jobs.fetch_add(1, Ordering::SeqCst) + 1;
            let cancel = Cancel::default();
            let watchdog = Arc::new(restart::Watchdog::default());
            if let Ok(mut c) = app.cancel.lock() {
                *c = Some((cancel.clone(), watchdog.clone()));
            }
            let stuck = app.clone();
            watchdog.watch(move |why| stuck.restart(id, lang, why));
            let (log, busy) = (app.log.clone(), app.busy.clone());
            let (tokens, pinentry) = (app.tokens.clone(), app.pinentry.clone());
            let outputs = app.outputs.clone();
            let tsa = app.tsa.clone();
            std::thread::spawn(move || {
                let ctx = job::Context {
                    tokens: &tokens,
                    pinentry: pinentry.as_deref(),
                    lang,
                    log: log.clone(),
                    job: id,
                    cancel,
                    outputs: &outputs,
                    busy,
                    tsa,
                    watchdog: watchdog.clone(),
                };
                job::run(&ctx, req);
                watchdog.ended();
            });
            json_reply(request, &json!({"job": id}))
        }
        (Method::Post, "/api/cancel") => {
            if let Some((c, watchdog)) = app.cancel.lock().ok().and_then(|c| c.clone()) {
                c.cancel();
                watchdog.ask_end(tr_in(lang, "app-stuck-on-stop", &[]));
            }
            json_reply(request, &json!({"ok": true}))
        }
        (Method::Get, "/api/events") => {
            let from = query(&url, "from").unwrap_or(0);
            let events = app.log.wait_since(from, Duration::from_secs(10));
            json_reply(request, &json!(events))
        }
        (Method::Get, "/api/events/count") => json_reply(request, &json!({"count": app.log.len()})),
        (Method::Get, "/api/live") => live(app, request, query(&url, "from").unwrap_or(0)),
        (Method::Post, "/api/upload") => {
            let saved = docs::file_name(&query_str(&url, "name").unwrap_or_default())
                .and_then(|n| docs::save(&app.folder, &n, request.as_reader(), MAX_FILE));
            match saved {
                Ok(path) => {
                    if let Ok(mut f) = app.files.lock() {
                        f.push(path.clone());
                    }
                    json_reply(request, &json!(files::describe(&path, lang)))
                }
                Err(e) => text(request, 400, &e.localized_in(lang)),
            }
        }
        (Method::Get, "/api/preview") => {
            let path = PathBuf::from(query_str(&url, "path").unwrap_or_default());
            let listed = app.files.lock().is_ok_and(|f| f.contains(&path));
            if !listed {
                return text(request, 404, "not a listed document"); // i18n: an HTTP reply to the page's script, which shows its own words
            }
            let page = query(&url, "page").unwrap_or(1).max(1) as u32;
            match docs::preview(&path, page) {
                Ok(png) => respond(request, Response::from_data(png), "image/png"),
                Err(e) => text(request, 422, &e.localized_in(lang)),
            }
        }
        (Method::Get, "/api/stamp") => {
            let saved = std::fs::read(stamp_file())
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                .unwrap_or(Value::Null);
            json_reply(request, &saved)
        }
        (Method::Post, "/api/stamp") => {
            let Some(stamp) = body_json::<job::Stamp>(&mut request) else {
                return text(request, 400, "expected a stamp");
            };
            if let Err(e) = remember(&stamp_file(), json!(stamp).to_string().as_bytes()) {
                log::warn!("{e}");
            }
            json_reply(request, &json!({"ok": true}))
        }
        (Method::Get, "/api/out-dir") => {
            let dir = std::fs::read(out_dir_file())
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                .and_then(|v| v["dir"].as_str().map(PathBuf::from))
                .filter(|d| d.is_dir());
            json_reply(request, &json!({ "dir": dir }))
        }
        (Method::Post, "/api/out-dir") => {
            #[derive(serde::Deserialize)]
            struct OutDir {
                dir: Option<PathBuf>,
            }
            let Some(OutDir { dir }) = body_json::<OutDir>(&mut request) else {
                return text(request, 400, "expected {\"dir\": …}"); // i18n: an HTTP reply to the page's script, which shows its own words
            };
            let kept = json!({ "dir": dir }).to_string();
            if let Err(e) = remember(&out_dir_file(), kept.as_bytes()) {
                log::warn!("{e}");
            }
            json_reply(request, &json!({"ok": true}))
        }
        (Method::Get, "/api/stamp-image") => match std::fs::read(stamp_image_file()) {
            Ok(png) => respond(request, Response::from_data(png), "image/png"),
            Err(_) => text(request, 404, "no stamp image"), // i18n: an HTTP reply to the page's script, which shows its own words
        },
        (Method::Post, "/api/stamp-image") => {
            let saved = docs::read_limited(request.as_reader(), MAX_IMAGE).and_then(|png| {
                kyso::document::pdf::image::Image::from_png(&t!("app-stamp-image-name"), &png)?;
                remember(&stamp_image_file(), &png)
            });
            match saved {
                Ok(()) => json_reply(request, &json!({"ok": true})),
                Err(e) => {
                    let why = e.localized_in(lang);
                    text(
                        request,
                        422,
                        &tr_in(lang, "app-stamp-image-bad", &[("why", why.into())]),
                    )
                }
            }
        }
        (Method::Post, "/api/stamp-image/remove") => {
            let _ = std::fs::remove_file(stamp_image_file());
            json_reply(request, &json!({"ok": true}))
        }
        (Method::Post, "/api/verify") => {
            let report = docs::file_name(&query_str(&url, "name").unwrap_or_default())
                .and_then(|n| docs::save(app.verify_dir.path(), &n, request.as_reader(), MAX_FILE))
                .and_then(|p| docs::verify(app.config.as_deref(), &p, lang));
            match report {
                Ok(r) => json_reply(request, &r),
                Err(e) => json_reply(request, &json!({"error": e.localized_in(lang)})),
            }
        }
        (Method::Get, "/api/folders") => {
            let dir = query_str(&url, "path")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    folders::start(&app.files.lock().map(|f| f.clone()).unwrap_or_default())
                });
            match folders::list(&dir, lang) {
                Ok(l) => json_reply(request, &json!(l)),
                Err(e) => text(request, 404, &e.localized_in(lang)),
            }
        }
        (Method::Post, "/api/folders") => {
            #[derive(serde::Deserialize)]
            struct New {
                path: PathBuf,
                name: String,
            }
            let Some(New { path, name }) = body_json::<New>(&mut request) else {
                return text(request, 400, "expected a path and a name"); // i18n: an HTTP reply to the page's script, which shows its own words
            };
            match folders::make(&path, &name, lang) {
                Ok(l) => json_reply(request, &json!(l)),
                Err(e) => text(request, 422, &e.localized_in(lang)),
            }
        }
        (Method::Post, "/api/open") => {
            #[derive(serde::Deserialize)]
            struct Open {
                path: PathBuf,
            }
            let Some(Open { path }) = body_json::<Open>(&mut request) else {
                return text(request, 400, "expected a path");
            };
            let known = app.files.lock().is_ok_and(|f| f.contains(&path))
                || app.outputs.lock().is_ok_and(|o| o.contains(&path));
            match path.parent().filter(|_| known) {
                Some(dir) => match docs::open_folder(dir) {
                    Ok(()) => json_reply(request, &json!({"ok": true})),
                    Err(e) => text(request, 500, &e.localized_in(lang)),
                },
                None => text(request, 404, "not a listed document"), // i18n: an HTTP reply to the page's script, which shows its own words
            }
        }
        _ => text(request, 404, "not found"), // i18n: an HTTP reply to the page's script, which shows its own words
    }
}

impl App {
    /// Replaces the process by a new app going on with this session (see [`restart`]): batch
    /// `job` is stuck in a module that stopped answering, for reason `why`.
    fn restart(&self, job: u64, lang: Lang, why: String) {
        let list = |m: &Mutex<Vec<PathBuf>>| m.lock().map(|f| f.clone()).unwrap_or_default();
        restart::exec(&restart::Session {
            port: self.local.port(),
            secret: self.guard.secret().to_owned(),
            files: list(&self.files),
            outputs: list(&self.outputs),
            events: self.log.len(),
            job,
            lang: lang.tag().to_owned(),
            why,
        })
    }
}

/// The events as they come, over a WebSocket (tiny_http's upgrade, tungstenite's protocol).
fn live(app: &App, request: tiny_http::Request, mut from: usize) {
    let key = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Sec-WebSocket-Key"))
        .map(|h| h.value.to_string());
    let Some(key) = key else {
        return text(request, 400, "a WebSocket only"); // i18n: an HTTP reply to the page's script, which shows its own words
    };
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    let resp =
        Response::empty(StatusCode(101)).with_header(header("Sec-WebSocket-Accept", &accept));
    let stream = request.upgrade("websocket", resp);
    let mut ws =
        tungstenite::WebSocket::from_raw_socket(stream, tungstenite::protocol::Role::Server, None);
    loop {
        let events = app.log.wait_since(from, Duration::from_secs(15));
        let sent = if events.is_empty() {
            ws.send(tungstenite::Message::Ping(Vec::new().into()))
                .is_ok()
        } else {
            from += events.len();
            events
                .iter()
                .all(|e| ws.send(tungstenite::Message::text(e.to_string())).is_ok())
        };
        if !sent {
            break;
        }
    }
}

/// The page's texts: every `app-page-*` message of the catalogue, in `lang`.
fn texts(lang: Lang) -> Value {
    let mut out = serde_json::Map::new();
    for (key, _) in kyso::i18n::message_keys(Lang::En) {
        if let Some(short) = key.strip_prefix("app-page-") {
            out.insert(short.to_owned(), json!(tr_in(lang, &key, &[])));
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_the_page_uses_is_in_the_catalogues() {
        let page = format!("{}{}", include_str!("page.html"), include_str!("app.js"));
        let texts = texts(Lang::Vi);
        let mut used = Vec::new();
        for (open, close) in [("data-t=\"", '"'), ("T[\"", '"')] {
            for part in page.split(open).skip(1) {
                used.push(part.split(close).next().unwrap_or("").to_owned());
            }
        }
        assert!(used.len() > 40, "{used:?}");
        for key in used {
            assert!(
                texts.get(&key).is_some(),
                "app-page-{key} is not in the catalogues"
            );
        }
    }

    #[test]
    fn vietnamese_unless_the_browser_prefers_english() {
        let h = |v: &str| vec![("Accept-Language".to_string(), v.to_string())];
        assert_eq!(lang_of(&h("en-US,en;q=0.9")), Lang::En);
        assert_eq!(lang_of(&h("vi-VN,vi;q=0.9,en;q=0.8")), Lang::Vi);
        assert_eq!(lang_of(&h("fr")), Lang::Vi);
        assert_eq!(lang_of(&[]), Lang::Vi);
    }
}
