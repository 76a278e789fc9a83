//! The VNPT-CA Plugin's protocol: `wss://localhost:4433/plugin` (4434, 4435 when taken),
//! requests `{functionID, funcCallback, args:[strings], domain}`, replies
//! `"<result>*<callback>"` where results are mostly `{code, data, error}`: code 0 success,
//! 1 bad input, 2 no certificate, 3 signing failed, 8 no token, 11 the person refused. The
//! page's `domain` is never trusted: the browser's `Origin` is.

use std::sync::Arc;

use base64::Engine;
use serde_json::{json, Value};

use kyso::batch::Format;
use kyso::document::pdf::image::Image;
use kyso::document::pdf::placement::Page;
use kyso::document::Visible;
use kyso::{Error, HashAlg};

use super::super::loopback::{Handler, Request};
use super::signing::{Ask, PdfOptions, Refusal};
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
        Refusal::Cancelled => result(
            11,
            "".into(),
            "the person at the computer refused to sign (cancelled)",
        ),
        Refusal::Failed(e) => result(code_of(&e), "".into(), e.to_string()),
    }
}

impl Handler for Vnpt {
    fn handle(&self, req: &Request, text: &str) -> String {
        let origin = req.origin.clone().unwrap_or_default();
        let Ok(Value::Object(mut m)) = serde_json::from_str::<Value>(text) else {
            return format!(
                "{}*",
                bad("the request is not a JSON object {functionID, funcCallback, args}")
            );
        };
        let callback = m
            .get("funcCallback")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        // moved out, not copied: a batch's arguments are tens of megabytes
        let args: Vec<String> = match m.remove("args") {
            Some(Value::Array(a)) => a
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                })
                .collect(),
            _ => Vec::new(),
        };
        let id = m
            .get("functionID")
            .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()));
        let out = match id {
            Some(id) => self.function(id, &origin, &args),
            None => bad("functionID is missing"),
        };
        let mut text = match out {
            Value::String(s) => s,
            v => v.to_string(),
        };
        text.push('*');
        text.push_str(&callback);
        text
    }

    fn refuse(&self, _req: &Request, text: Option<&str>, why: &str) -> String {
        let callback = text
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
            .and_then(|v| v.get("funcCallback")?.as_str().map(str::to_owned))
            .unwrap_or_default();
        format!("{}*{callback}", bad(why))
    }
}

impl Vnpt {
    fn function(&self, id: u64, origin: &str, args: &[String]) -> Value {
        let s = &self.0;
        let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
        match id {
            7 | 13 => Value::from("1"),
            11 => Value::from(s.version()),
            6 => result(1, "".into(), ""),
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
            }
            9 => self.sign_hash(origin, arg(0), arg(1), arg(2)),
            2 => self.sign_pdf(origin, arg(0), arg(1)),
            4 => self
                .sign_many(
                    origin,
                    vec![(arg(0).to_owned(), "cms".into(), String::new())],
                    arg(1),
                    "sign data (CMS)",
                )
                .map(|mut v| v.remove(0))
                .unwrap_or_else(|e| e),
            10 => self.sign_array(origin, arg(0), arg(1)),
            1 | 3 | 12 | 42 => bad(format!(
                "functionID {id} is not supported by kyso serve yet (supported: GetCertInfo 0, \
                 SignPDF 2, SignCMS 4, setLicenseKey 6, checkPlugin 7, signHash 9, \
                 signArrDataAdvanced 10, getVersion 11)"
            )),
            _ => bad(format!("unknown functionID {id}")),
        }
    }

    fn sign_hash(&self, origin: &str, hash_b64: &str, serial: &str, alg: &str) -> Value {
        let Ok(digest) = B64.decode(hash_b64.trim()) else {
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
            what: "sign a hash (signHash)",
            cert_serial: Some(serial).filter(|s| !s.is_empty()),
        };
        match self.0.signing.sign_hash(&ask, hash, &digest) {
            Ok((sig, _)) => result(0, B64.encode(sig).into(), ""),
            Err(r) => refusal(r),
        }
    }

    fn sign_pdf(&self, origin: &str, pdf_b64: &str, signer: &str) -> Value {
        let serial = serde_json::from_str::<Value>(signer)
            .ok()
            .and_then(|v| v.get("CertificateSerial")?.as_str().map(str::to_owned))
            .unwrap_or_default();
        self.sign_many(
            origin,
            vec![(pdf_b64.to_owned(), "pdf".into(), signer.to_owned())],
            &serial,
            "sign a PDF document (SignPDF)",
        )
        .map(|mut v| v.remove(0))
        .unwrap_or_else(|e| e)
    }

    /// `signArrDataAdvanced [JSON array of {data, type, sigOptions}, certSerial, …]`: one
    /// confirmation and one PIN for the whole array.
    fn sign_array(&self, origin: &str, array: &str, serial: &str) -> Value {
        let Ok(Value::Array(items)) = serde_json::from_str::<Value>(array) else {
            return bad("signArrDataAdvanced: the first argument must be a JSON array of {data, type, sigOptions}");
        };
        let items: Vec<(String, String, String)> = items
            .into_iter()
            .map(|mut i| {
                let mut s = |k: &str| match i.get_mut(k).map(Value::take) {
                    Some(Value::String(s)) => s,
                    Some(Value::Null) | None => String::new(),
                    Some(v) => v.to_string(),
                };
                (s("data"), s("type"), s("sigOptions"))
            })
            .collect();
        let what = format!("sign {} documents (signArrDataAdvanced)", items.len());
        match self.sign_many(origin, items, serial, &what) {
            Ok(results) => result(0, Value::Array(results), ""),
            Err(e) => e,
        }
    }

    /// Signs `(base64 data, type, options)` items with one confirmation and one PIN; each
    /// item's `{code, data, error}`.
    fn sign_many(
        &self,
        origin: &str,
        items: Vec<(String, String, String)>,
        serial: &str,
        what: &str,
    ) -> Result<Vec<Value>, Value> {
        if items.is_empty() {
            return Err(bad("nothing to sign"));
        }
        let mut docs = Vec::new();
        let mut visible = None;
        for (n, (data, kind, opts)) in items.iter().enumerate() {
            let bytes = B64
                .decode(data.trim())
                .map_err(|_| bad(format!("document {}: data is not base64", n + 1)))?;
            let format = match kind.to_ascii_lowercase().as_str() {
                "pdf" => Format::Pades,
                "cms" | "cmsdetached" | "" => Format::Cms,
                other => {
                    return Err(bad(format!(
                        "document {}: type '{}' is not supported by kyso serve (pdf, cms)",
                        n + 1,
                        kyso::cert::printable(other)
                    )))
                }
            };
            if format == Format::Pades && visible.is_none() && !opts.is_empty() {
                visible = self.visible(opts).map_err(|e| bad(e.to_string()))?;
            }
            let ext = if format == Format::Pades {
                "pdf"
            } else {
                "bin"
            };
            docs.push((format!("document-{}.{ext}", n + 1), bytes, format));
        }
        let ask = Ask {
            origin,
            what,
            cert_serial: Some(serial).filter(|s| !s.is_empty()),
        };
        let outcomes = self
            .0
            .signing
            .sign_documents(
                &ask,
                docs,
                &PdfOptions {
                    visible,
                    reason: None,
                },
            )
            .map_err(refusal)?;
        Ok(outcomes
            .into_iter()
            .map(|o| match o {
                Ok(signed) => result(0, B64.encode(signed).into(), ""),
                Err(e) => result(3, "".into(), e),
            })
            .collect())
    }

    /// The visible signature a `PdfSigner` asks for: page, box (`llx, lly, urx, ury`) and
    /// image; none when it gives no box.
    fn visible(&self, signer: &str) -> kyso::Result<Option<Visible>> {
        let v: Value = serde_json::from_str(signer)
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
