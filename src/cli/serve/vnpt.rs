//! The VNPT-CA Plugin's protocol: `wss://localhost:4433/plugin` (4434, 4435 when taken),
//! requests `{functionID, funcCallback, args:[strings], domain}`, replies
//! `"<result>*<callback>"` where results are mostly `{code, data, error}`: code 0 success,
//! 1 bad input, 2 no certificate, 3 signing failed, 8 no token, 11 the person refused. The
//! page's `domain` is never trusted: the browser's `Origin` is.

use std::borrow::Cow;
use std::sync::Arc;

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{json, Value};

use kyso::batch::Format;
use kyso::document::pdf::image::Image;
use kyso::document::pdf::placement::Page;
use kyso::document::Visible;
use kyso::{t, Error, HashAlg};

use super::super::loopback::{Handler, Request};
use super::signing::{Ask, Outcome, PdfOptions, Refusal};
use super::Service;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The VNPT endpoint.
pub struct Vnpt(pub Arc<Service>);

fn result(code: u32, data: Value, error: impl Into<String>) -> Value {
    json!({"code": code, "data": data, "error": error.into()})
}

fn bad(error: impl Into<String>) -> Value {
    result(1, Value::from(""), error)
}

fn code_of(e: &Error) -> u32 {
    match e {
        Error::TokenNotFound(_) | Error::TokenRemoved { .. } => 8,
        Error::CertificateNotFound(_) | Error::KeyNotFound(_) => 2,
        Error::InvalidInput(_) | Error::Document(_) | Error::PdfEncrypted => 1,
        _ => 3,
    }
}

fn refusal(r: Refusal) -> Value {
    match r {
        Refusal::Cancelled => result(11, "".into(), kyso::t!("serve-cancelled")),
        Refusal::Failed(e) => result(code_of(&e), "".into(), e.localized()),
    }
}

/// A request as the plugin's JavaScript sends it, read without copying the documents: the
/// arguments stay raw JSON until a function reads them (a batch is tens of megabytes).
#[derive(Deserialize)]
struct Call<'a> {
    #[serde(rename = "functionID", borrow, default)]
    function: Option<&'a RawValue>,
    #[serde(rename = "funcCallback", borrow, default)]
    callback: Option<&'a RawValue>,
    #[serde(borrow, default)]
    args: Vec<&'a RawValue>,
}

/// One item of `signArrDataAdvanced`'s array.
#[derive(Deserialize)]
struct Item<'a> {
    #[serde(borrow, default)]
    data: Option<Text<'a>>,
    #[serde(rename = "type", borrow, default)]
    kind: Option<&'a RawValue>,
    #[serde(rename = "sigOptions", borrow, default)]
    options: Option<&'a RawValue>,
}

/// A JSON string, borrowed from the request when it has no escapes.
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

/// A raw JSON value as the plugin reads an argument: a string's text, nothing for null or
/// absent, any other value as its JSON.
fn text(raw: Option<&RawValue>) -> Cow<'_, str> {
    let Some(raw) = raw else {
        return Cow::Borrowed("");
    };
    let json = raw.get();
    if json == "null" {
        return Cow::Borrowed("");
    }
    match serde_json::from_str::<Text>(json) {
        Ok(Text(s)) => s,
        Err(_) => Cow::Borrowed(json),
    }
}

/// The certificate serial a signer's options (`PdfSigner`, `XmlSigner` JSON) ask for, if any.
fn serial_of(options: &str) -> String {
    serde_json::from_str::<Value>(options)
        .ok()
        .and_then(|v| v.get("CertificateSerial")?.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The page's callback name: a string, or nothing.
fn callback(raw: Option<&RawValue>) -> Cow<'_, str> {
    match raw {
        Some(r) if r.get().starts_with('"') => text(raw),
        _ => Cow::Borrowed(""),
    }
}

/// What a function answers: most answer a small JSON value; signing answers documents,
/// written as base64 straight into the reply.
enum Out {
    Json(Value),
    /// One document's `{code, data, error}` (SignPDF, SignCMS).
    One(Outcome),
    /// `{code: 0, data: [{code, data, error}…], error: ""}` (signArrDataAdvanced).
    Many(Vec<Outcome>),
}

impl From<Value> for Out {
    fn from(v: Value) -> Out {
        Out::Json(v)
    }
}

/// A `{code, data, error}` result.
#[derive(Serialize)]
struct Reply<'a, D: Serialize> {
    code: u32,
    data: D,
    error: &'a str,
}

/// Bytes serialised as a base64 string, encoded in chunks into the output (no copy).
struct Base64<'a>(&'a [u8]);

impl Serialize for Base64<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(&base64::display::Base64Display::new(self.0, &B64))
    }
}

fn document(o: &Outcome) -> Reply<'_, Base64<'_>> {
    match o {
        Ok(signed) => Reply {
            code: 0,
            data: Base64(signed),
            error: "",
        },
        Err(e) => Reply {
            code: 3,
            data: Base64(&[]),
            error: e,
        },
    }
}

impl Out {
    /// The reply's text: the result, then `*` and the page's callback.
    fn reply(self, callback: &str) -> String {
        let size = match &self {
            Out::Json(_) => 256,
            Out::One(o) => o.as_ref().map_or(256, |d| d.len() / 3 * 4 + 256),
            Out::Many(v) => v
                .iter()
                .map(|o| o.as_ref().map_or(256, |d| d.len() / 3 * 4 + 64))
                .sum::<usize>(),
        };
        let mut buf = Vec::with_capacity(size + 2 + callback.len());
        let written = match self {
            Out::Json(Value::String(s)) => {
                buf.extend_from_slice(s.as_bytes());
                Ok(())
            }
            Out::Json(v) => serde_json::to_writer(&mut buf, &v),
            Out::One(o) => serde_json::to_writer(&mut buf, &document(&o)),
            Out::Many(v) => {
                let docs: Vec<_> = v.iter().map(document).collect();
                serde_json::to_writer(
                    &mut buf,
                    &Reply {
                        code: 0,
                        data: docs,
                        error: "",
                    },
                )
            }
        };
        if let Err(e) = written {
            buf.clear();
            // i18n: a JSON encoding failure that cannot happen
            let _ = serde_json::to_writer(&mut buf, &bad(format!("the reply: {e}")));
        }
        buf.push(b'*');
        buf.extend_from_slice(callback.as_bytes());
        // serde_json writes UTF-8, and the callback was a &str
        String::from_utf8(buf).unwrap_or_default()
    }
}

impl Handler for Vnpt {
    fn handle(&self, req: &Request, text_in: &str) -> String {
        let origin = req.origin.clone().unwrap_or_default();
        let Ok(call) = serde_json::from_str::<Call>(text_in) else {
            return Out::from(bad(
                // i18n: for the portal's developers: their request is malformed
                "the request is not a JSON object {functionID, funcCallback, args}",
            ))
            .reply("");
        };
        let callback = callback(call.callback);
        let args: Vec<Cow<str>> = call.args.iter().map(|a| text(Some(a))).collect();
        let id = call.function.and_then(|f| {
            let f = text(Some(f));
            f.trim().parse::<u64>().ok()
        });
        let out = match id {
            Some(id) => self.function(id, &origin, &args),
            // i18n: for the portal's developers: their request is malformed
            None => bad("functionID is missing").into(),
        };
        out.reply(&callback)
    }

    fn connection_ended(&self) {
        if super::signing::Signing::met_hang_here() {
            super::restart();
        }
    }

    fn refuse(&self, _req: &Request, text_in: Option<&str>, why: &str) -> String {
        let callback = text_in
            .and_then(|t| serde_json::from_str::<Call>(t).ok())
            .map(|c| callback(c.callback).into_owned())
            .unwrap_or_default();
        Out::from(bad(why)).reply(&callback)
    }
}

impl Vnpt {
    fn function(&self, id: u64, origin: &str, args: &[Cow<str>]) -> Out {
        let s = &self.0;
        let arg = |i: usize| args.get(i).map(|a| a.as_ref()).unwrap_or("");
        match id {
            7 | 13 => Value::from("1").into(),
            11 => Value::from(s.version()).into(),
            6 => result(1, "".into(), "").into(),
            0 => {
                let serial = Some(arg(1)).filter(|s| !s.is_empty());
                let certs = s.signing.certificates();
                let certs: Vec<_> = certs
                    .iter()
                    .filter(|c| serial.is_none_or(|s| c.serial_hex().eq_ignore_ascii_case(s)))
                    .collect();
                match certs.first() {
                    None => result(
                        2,
                        "".into(),
                        Error::TokenNotFound(String::new()).to_string(),
                    ),
                    Some(c) => result(0, super::cert_json(c), ""),
                }
                .into()
            }
            9 => self.sign_hash(origin, arg(0), arg(1), arg(2)).into(),
            2 => self.sign_pdf(origin, arg(0), arg(1)),
            4 => self
                .sign_many(
                    origin,
                    vec![(arg(0), "cms", "")],
                    arg(1),
                    &t!("serve-what-data", op = "SignCMS"),
                )
                .map(|mut v| Out::One(v.remove(0)))
                .unwrap_or_else(Out::Json),
            // SignXML [xmlBase64, options]: signed inside, the profile chosen by the root
            1 => self
                .sign_many(
                    origin,
                    vec![(arg(0), "xml", "")],
                    &serial_of(arg(1)),
                    &t!("serve-what-xml", op = "SignXML"),
                )
                .map(|mut v| Out::One(v.remove(0)))
                .unwrap_or_else(Out::Json),
            10 => self.sign_array(origin, arg(0), arg(1)),
            3 | 12 | 42 => bad(format!(
                // i18n: for the portal's developers: their request is malformed
                "functionID {id} is not supported by kyso serve yet (supported: GetCertInfo 0, \
                 SignXML 1, SignPDF 2, SignCMS 4, setLicenseKey 6, checkPlugin 7, signHash 9, \
                 signArrDataAdvanced 10, getVersion 11)"
            ))
            .into(),
            // i18n: for the portal's developers: their request is malformed
            _ => bad(format!("unknown functionID {id}")).into(),
        }
    }

    fn sign_hash(&self, origin: &str, hash_b64: &str, serial: &str, alg: &str) -> Value {
        let Ok(digest) = B64.decode(hash_b64.trim()) else {
            // i18n: for the portal's developers: their request is malformed
            return bad("signHash: the hash is not base64");
        };
        let hash = match (
            alg.to_ascii_lowercase().replace('-', "").as_str(),
            digest.len(),
        ) {
            ("sha384", _) | ("", 48) => HashAlg::Sha384,
            ("sha512", _) | ("", 64) => HashAlg::Sha512,
            _ => HashAlg::Sha256,
        };
        let ask = Ask {
            origin,
            what: &t!("serve-what-hash", op = "signHash"),
            cert_serial: Some(serial).filter(|s| !s.is_empty()),
        };
        match self.0.signing.sign_hash(&ask, hash, &digest) {
            Ok((sig, _)) => result(0, B64.encode(sig).into(), ""),
            Err(r) => refusal(r),
        }
    }

    fn sign_pdf(&self, origin: &str, pdf_b64: &str, signer: &str) -> Out {
        let serial = serial_of(signer);
        self.sign_many(
            origin,
            vec![(pdf_b64, "pdf", signer)],
            &serial,
            &t!("serve-what-pdf", op = "SignPDF"),
        )
        .map(|mut v| Out::One(v.remove(0)))
        .unwrap_or_else(Out::Json)
    }

    /// `signArrDataAdvanced [JSON array of {data, type, sigOptions}, certSerial, …]`: one
    /// confirmation and one PIN for the whole array.
    fn sign_array(&self, origin: &str, array: &str, serial: &str) -> Out {
        let Ok(items) = serde_json::from_str::<Vec<Item>>(array) else {
            // i18n: for the portal's developers: their request is malformed
            return bad("signArrDataAdvanced: the first argument must be a JSON array of {data, type, sigOptions}").into();
        };
        let items: Vec<(Cow<str>, Cow<str>, Cow<str>)> = items
            .iter()
            .map(|i| {
                let data = match &i.data {
                    Some(Text(d)) => Cow::Borrowed(d.as_ref()),
                    None => Cow::Borrowed(""),
                };
                (data, text(i.kind), text(i.options))
            })
            .collect();
        let what = t!(
            "serve-what-many",
            count = items.len(),
            op = "signArrDataAdvanced"
        );
        let items = items
            .iter()
            .map(|(d, k, o)| (d.as_ref(), k.as_ref(), o.as_ref()))
            .collect();
        match self.sign_many(origin, items, serial, &what) {
            Ok(results) => Out::Many(results),
            Err(e) => Out::Json(e),
        }
    }

    /// Signs `(base64 data, type, options)` items with one confirmation and one PIN; each
    /// item's output or why not.
    fn sign_many(
        &self,
        origin: &str,
        items: Vec<(&str, &str, &str)>,
        serial: &str,
        what: &str,
    ) -> std::result::Result<Vec<Outcome>, Value> {
        if items.is_empty() {
            return Err(bad(kyso::t!("serve-nothing")));
        }
        let mut docs = Vec::new();
        let mut visible = None;
        let mut timestamp = false;
        for (n, (data, kind, opts)) in items.into_iter().enumerate() {
            let bytes = B64
                .decode(data.trim())
                // i18n: for the portal's developers: their request is malformed
                .map_err(|_| bad(format!("document {}: data is not base64", n + 1)))?;
            let format = match kind.to_ascii_lowercase().as_str() {
                "pdf" => Format::Pades,
                "cms" | "cmsdetached" | "" => Format::Cms,
                "xml" => Format::Xml,
                other => {
                    return Err(bad(format!(
                        // i18n: for the portal's developers: their request is malformed
                        "document {}: type '{}' is not supported by kyso serve (pdf, xml, cms)",
                        n + 1,
                        kyso::cert::printable(other)
                    )));
                }
            };
            if format == Format::Pades && visible.is_none() && !opts.is_empty() {
                visible = self.visible(opts).map_err(|e| bad(e.localized()))?;
            }
            if format == Format::Pades && !opts.is_empty() {
                timestamp |= self.timestamp(opts).map_err(|e| bad(e.localized()))?;
            }
            let ext = match format {
                Format::Pades => "pdf",
                Format::Xml => "xml",
                _ => "bin",
            };
            docs.push((format!("document-{}.{ext}", n + 1), bytes, format));
        }
        let ask = Ask {
            origin,
            what,
            cert_serial: Some(serial).filter(|s| !s.is_empty()),
        };
        self.0
            .signing
            .sign_documents(
                &ask,
                docs,
                &PdfOptions {
                    visible,
                    reason: None,
                    timestamp,
                },
            )
            .map_err(refusal)
    }

    /// Whether a `PdfSigner` asks for a timestamp (`TsaUrl`): met with `[serve] tsa` only,
    /// refused before anything is asked when kyso.toml names none (the page's URL is never
    /// contacted).
    fn timestamp(&self, signer: &str) -> kyso::Result<bool> {
        let v: Value = serde_json::from_str(signer).unwrap_or(Value::Null);
        let asked = v
            .get("TsaUrl")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|u| !u.is_empty());
        match asked {
            None => Ok(false),
            Some(_) if self.0.signing.can_timestamp() => Ok(true),
            Some(url) => Err(Error::InvalidInput(t!(
                "serve-tsa-not-configured",
                url = kyso::cert::printable(url)
            ))),
        }
    }

    /// The visible signature a `PdfSigner` asks for: page, box (`llx, lly, urx, ury`) and
    /// image; none when it gives no box.
    fn visible(&self, signer: &str) -> kyso::Result<Option<Visible>> {
        let v: Value = serde_json::from_str(signer)
            // i18n: for the portal's developers: their request is malformed
            .map_err(|e| Error::InvalidInput(format!("PdfSigner is not JSON: {e}")))?;
        let num = |k: &str| -> f32 {
            match v.get(k) {
                Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0) as f32,
                Some(Value::String(s)) => s.trim().parse().unwrap_or(0.0),
                _ => 0.0,
            }
        };
        let (llx, lly, urx, ury) = (num("llx"), num("lly"), num("urx"), num("ury"));
        if urx <= llx || ury <= lly {
            return Ok(None);
        }
        let page = num("page").max(1.0) as u32;
        let font = std::fs::read(&self.0.font)
            .map_err(|e| Error::io(format!("font {}", self.0.font.display()), e))?;
        let sig_type = num("SigType") as u32;
        let image = match v.get("ImageBase64").and_then(Value::as_str) {
            Some(b) if !b.is_empty() && sig_type != 0 => {
                let png = B64.decode(b.trim()).map_err(|_| {
                    // i18n: for the portal's developers: their request is malformed
                    Error::InvalidInput("PdfSigner.ImageBase64 is not base64".into())
                })?;
                Some(Arc::new(Image::from_png("PdfSigner.ImageBase64", &png)?))
            }
            _ => None,
        };
        Ok(Some(Visible {
            page: Page::Nth(page),
            rect: [llx, lly, urx - llx, ury - lly],
            position: None,
            font: Arc::new(font),
            image,
            language: kyso::i18n::Lang::Vi,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_read_as_the_plugin_reads_them() {
        let call: Call = serde_json::from_str(
            r#"{"functionID":"10","funcCallback":"cb","args":["a\/b","[{\"data\":\"QQ==\"}]",null,7,{"k":1}]}"#,
        )
        .unwrap();
        let args: Vec<Cow<str>> = call.args.iter().map(|a| text(Some(a))).collect();
        assert_eq!(args, ["a/b", r#"[{"data":"QQ=="}]"#, "", "7", r#"{"k":1}"#]);
        assert_eq!(callback(call.callback), "cb");
        assert_eq!(text(call.function), "10");
        let items: Vec<Item> = serde_json::from_str(&args[1]).unwrap();
        assert!(matches!(&items[0].data, Some(Text(Cow::Borrowed("QQ==")))));
    }

    #[test]
    fn signed_documents_are_written_as_base64_in_the_reply() {
        let out = Out::Many(vec![
            Ok(b"%PDF-\xff\x00".to_vec()),
            Err("bad \"x\"\n".into()),
        ]);
        let reply = out.reply("cb");
        let (json, cb) = reply.rsplit_once('*').unwrap();
        assert_eq!(cb, "cb");
        let v: Value = serde_json::from_str(json).unwrap();
        assert_eq!(v["code"], 0);
        assert_eq!(v["data"][0]["code"], 0);
        assert_eq!(
            B64.decode(v["data"][0]["data"].as_str().unwrap()).unwrap(),
            b"%PDF-\xff\x00"
        );
        assert_eq!(
            v["data"][1],
            json!({"code": 3, "data": "", "error": "bad \"x\"\n"})
        );
        assert_eq!(Out::from(Value::from("1")).reply("f"), "1*f");
    }
}
