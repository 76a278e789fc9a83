//! The HTTP side of the page's server: the headers every answer carries, the request's
//! language, query and JSON body.

use std::io::Read;

use serde_json::Value;
use tiny_http::{Header, Response, StatusCode};

use kyso::i18n::Lang;

/// The largest JSON body the page sends.
pub const MAX_BODY: u64 = 1 << 20;

/// The browser's language: English when its first choice is, Vietnamese otherwise.
pub fn lang_of(headers: &[(String, String)]) -> Lang {
    let first = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("accept-language"))
        .and_then(|(_, v)| v.split(',').next())
        .map(|t| t.trim().to_ascii_lowercase());
    match first {
        Some(t) if t == "en" || t.starts_with("en-") || t.starts_with("en;") => Lang::En,
        _ => Lang::Vi,
    }
}

pub fn header(name: &str, value: &str) -> Header {
    // i18n: a bug's panic message
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("ASCII header")
}

/// A response with the headers every answer carries: no caching, no framing, no sniffing.
pub fn respond<R: Read>(request: tiny_http::Request, mut resp: Response<R>, ctype: &str) {
    for (n, v) in [
        ("Content-Type", ctype),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
        (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'", // i18n: an HTTP header
        ),
    ] {
        resp.add_header(header(n, v));
    }
    if let Err(e) = request.respond(resp) {
        log::info!("response not sent: {e}"); // i18n: a log line
    }
}

pub fn text(request: tiny_http::Request, status: u16, body: &str) {
    let resp = Response::from_string(body).with_status_code(StatusCode(status));
    respond(request, resp, "text/plain; charset=utf-8"); // i18n: a MIME type
}

pub fn json_reply(request: tiny_http::Request, v: &Value) {
    respond(
        request,
        Response::from_string(v.to_string()),
        "application/json",
    );
}

/// `name=N` in `url`'s query.
pub fn query(url: &str, name: &str) -> Option<usize> {
    url.split_once('?')?
        .1
        .split('&')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))?
        .parse()
        .ok()
}

/// `name=VALUE` in `url`'s query, percent-decoded.
pub fn query_str(url: &str, name: &str) -> Option<String> {
    let v = url
        .split_once('?')?
        .1
        .split('&')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))?;
    Some(
        percent_encoding::percent_decode_str(v)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// The request's JSON body as a `T` (at most [`MAX_BODY`] bytes).
pub fn body_json<T: serde::de::DeserializeOwned>(request: &mut tiny_http::Request) -> Option<T> {
    let mut body = String::new();
    request
        .as_reader()
        .take(MAX_BODY)
        .read_to_string(&mut body)
        .ok()?;
    serde_json::from_str(&body).ok()
}
