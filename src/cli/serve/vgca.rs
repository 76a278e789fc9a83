//! The VGCA Sign Service's protocol (the Government Cipher Committee's plugin):
//! `wss://127.0.0.1:8987/<Operation>`, one JSON request and one JSON reply `{Status, Message…}`
//! per connection. Status 0 is success, 11 the person refused, 14 any other failure (with a
//! message saying what to do).

use std::sync::Arc;

use base64::Engine;
use serde_json::{json, Map, Value};

use kyso::batch::Format;
use kyso::{t, HashAlg};

use super::super::loopback::{Handler, Request};
use super::signing::{Ask, PdfOptions, Refusal};
use super::Service;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The VGCA endpoint.
pub struct Vgca(pub Arc<Service>);

fn failed(message: impl Into<String>) -> Value {
    json!({"Status": 14, "Message": message.into()})
}

fn refusal(r: Refusal) -> Value {
    match r {
        Refusal::Cancelled => {
            json!({"Status": 11, "Message": kyso::t!("serve-cancelled")})
        }
        Refusal::Failed(e) => failed(e.localized()),
    }
}

fn field<'a>(m: &'a Map<String, Value>, name: &str) -> &'a str {
    m.get(name).and_then(Value::as_str).unwrap_or("")
}

/// The last segment of a URL's path, as a file name.
pub fn url_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path.rsplit('/').next().unwrap_or("");
    if name.is_empty() {
        "document".into()
    } else {
        name.to_owned()
    }
}

/// An upload handler not at the requesting origin, refused before anything is signed.
fn check_handler(origin: &str, handler: &str) -> Result<(), Value> {
    if handler.is_empty() {
        return Ok(());
    }
    super::portal::at_origin(origin, handler)
        .map(|_| ())
        .map_err(|e| failed(e.to_string()))
}

/// The operations kyso serve answers, for the "not supported" replies.
// i18n: the plugin's operation names
const SUPPORTED: &str = "GetVersion, GetCertInfo, SignMsg, SignPDF, SignFile, SignApproved, \
                         SignIssued, SignFiles, SignXML";

impl Handler for Vgca {
    fn handle(&self, req: &Request, text: &str) -> String {
        let op = req.path.trim_start_matches('/').to_owned();
        let origin = req.origin.clone().unwrap_or_default();
        let reply = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(m)) => self.operation(&op, &origin, &m),
            // GetVersion and GetCertInfo are often sent with an empty or non-object body
            Ok(_) | Err(_) if matches!(op.as_str(), "GetVersion" | "GetCertInfo") => {
                self.operation(&op, &origin, &Map::new())
            }
            // i18n: for the portal's developers: their request is malformed
            Ok(_) => failed(format!("{op}: the request must be a JSON object")),
            // i18n: for the portal's developers: their request is malformed
            Err(e) => failed(format!("{op}: the request is not JSON ({e})")),
        };
        reply.to_string()
    }

    fn connection_ended(&self) {
        if super::signing::Signing::met_hang_here() {
            super::restart();
        }
    }

    fn refuse(&self, _req: &Request, _text: Option<&str>, why: &str) -> String {
        failed(why).to_string()
    }
}

impl Vgca {
    fn operation(&self, op: &str, origin: &str, m: &Map<String, Value>) -> Value {
        let s = &self.0;
        match op {
            "GetVersion" => json!({"Status": 0, "Message": "", "Version": s.version()}),
            "GetCertInfo" => match s.signing.certificates().as_slice() {
                [] => failed(kyso::Error::TokenNotFound(String::new()).to_string()),
                certs => {
                    let list: Vec<Value> = certs.iter().map(super::cert_json).collect();
                    let mut first = list[0].clone();
                    if let Value::Object(o) = &mut first {
                        o.insert("Status".into(), 0.into());
                        o.insert("Message".into(), "".into());
                        o.insert("Certificates".into(), Value::Array(list.clone()));
                    }
                    first
                }
            },
            "SignMsg" => self.sign_msg(origin, m),
            "SignPDF" | "SignFile" | "SignApproved" | "SignIssued" => self.sign_one(op, origin, m),
            "SignFiles" => self.sign_files(origin, m),
            "SignXML" => self.sign_xml(origin, m),
            "SignXMLP12" | "SignJson" | "SignOffice" | "SignPDFWP" | "SignIncome" | "Comment"
            | "SignAppendix" | "SignCopy" | "SignLyLich" => failed(format!(
                // i18n: for the portal's developers: their request is malformed
                "{op} is not supported by kyso serve yet (supported: {SUPPORTED})"
            )),
            _ => failed(format!(
                // i18n: for the portal's developers: their request is malformed
                "unknown operation '{}' (supported: {SUPPORTED})",
                kyso::cert::printable(op)
            )),
        }
    }

    /// SignXML: an XML document (an e-invoice, a declaration) signed inside, its profile chosen
    /// by its root element as `kyso sign --format xml` does; the signed document comes back.
    fn sign_xml(&self, origin: &str, m: &Map<String, Value>) -> Value {
        let only_signature = match m.get("ReturnSignatureOnly") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        };
        if only_signature {
            return failed(
                // i18n: for the portal's developers: their request is malformed
                "SignXML: ReturnSignatureOnly is not supported by kyso serve: it returns the \
                 signed document (ask without ReturnSignatureOnly)",
            );
        }
        let (name, data) = match self.document(origin, m) {
            Ok(d) => d,
            Err(v) => return v,
        };
        let what = t!(
            "serve-what-one",
            name = kyso::cert::printable(&name),
            op = "SignXML"
        );
        let ask = Ask {
            origin,
            what: &what,
            cert_serial: None,
        };
        let out = self.0.signing.sign_documents(
            &ask,
            vec![(name.clone(), data, Format::Xml)],
            &PdfOptions {
                visible: None,
                reason: None,
                timestamp: false,
            },
        );
        match out {
            Ok(mut v) => match v.remove(0) {
                Ok(signed) => json!({
                    "Status": 0, "Message": "", "FileName": name,
                    "Base64Content": B64.encode(&signed),
                }),
                Err(e) => failed(format!("{name}: {e}")),
            },
            Err(r) => refusal(r),
        }
    }

    fn sign_msg(&self, origin: &str, m: &Map<String, Value>) -> Value {
        let hash = match field(m, "HashAlg")
            .to_ascii_uppercase()
            .replace('-', "")
            .as_str()
        {
            "SHA256" | "" => HashAlg::Sha256,
            "SHA384" => HashAlg::Sha384,
            "SHA512" => HashAlg::Sha512,
            other => {
                return failed(format!(
                    // i18n: for the portal's developers: their request is malformed
                    "SignMsg: HashAlg {other} is not supported (SHA256, SHA384, SHA512)"
                ));
            }
        };
        let Ok(digest) = B64.decode(field(m, "HashValue").trim()) else {
            // i18n: for the portal's developers: their request is malformed
            return failed("SignMsg: HashValue is not base64");
        };
        let ask = Ask {
            origin,
            what: &t!("serve-what-hash", op = "SignMsg"),
            cert_serial: None,
        };
        match self.0.signing.sign_hash(&ask, hash, &digest) {
            Ok((sig, cert)) => json!({
                "Status": 0, "Message": "",
                "Signature": B64.encode(sig),
                "CertBase64": B64.encode(cert.der()),
            }),
            Err(r) => refusal(r),
        }
    }

    /// The document of a one-file request: `Base64Content`, else downloaded from `FileName`
    /// (or `URL`).
    fn document(&self, origin: &str, m: &Map<String, Value>) -> Result<(String, Vec<u8>), Value> {
        let content = field(m, "Base64Content");
        if !content.is_empty() {
            let data = B64
                .decode(content.trim())
                // i18n: for the portal's developers: their request is malformed
                .map_err(|_| failed("Base64Content is not base64"))?;
            let name = match field(m, "FileName") {
                "" => "document".to_owned(),
                n => url_name(n),
            };
            return Ok((name, data));
        }
        let url =
            match (field(m, "FileName"), field(m, "URL")) {
                ("", "") => return Err(failed(
                    // i18n: for the portal's developers: their request is malformed
                    "no file: give FileName (the URL of the file) or Base64Content (kyso serve \
                     shows no file chooser)",
                )),
                (_, u) if !u.is_empty() => u,
                (f, _) => f,
            };
        let data = self
            .0
            .portal
            .download(origin, url, Some(field(m, "JWTToken")))
            .map_err(|e| failed(e.to_string()))?;
        Ok((url_name(url), data))
    }

    fn sign_one(&self, op: &str, origin: &str, m: &Map<String, Value>) -> Value {
        // where the result goes is checked before anything is downloaded or signed
        let handler = field(m, "FileUploadHandler");
        if let Err(e) = check_handler(origin, handler) {
            return e;
        }
        let (name, data) = match self.document(origin, m) {
            Ok(d) => d,
            Err(v) => return v,
        };
        let pdf = data.starts_with(b"%PDF") || name.to_ascii_lowercase().ends_with(".pdf");
        let format = if op == "SignFile" && !pdf {
            Format::Cms
        } else {
            Format::Pades
        };
        let (number, date) = (field(m, "DocNumber"), field(m, "IssuedDate"));
        let reason = match op {
            "SignApproved" | "SignIssued" if !number.is_empty() || !date.is_empty() => {
                Some(format!("Số {number}, ngày {}", super::vn_date(date)))
            }
            // i18n: the document's own words (the reason written into the PDF)
            "SignApproved" => Some("Phê duyệt".to_owned()),
            // i18n: the document's own words (the reason written into the PDF)
            "SignIssued" => Some("Ban hành".to_owned()),
            _ => None,
        };
        let what = t!(
            "serve-what-one",
            name = kyso::cert::printable(&name),
            op = op
        );
        let ask = Ask {
            origin,
            what: &what,
            cert_serial: None,
        };
        let out = self.0.signing.sign_documents(
            &ask,
            vec![(name.clone(), data, format)],
            &PdfOptions {
                visible: None,
                reason,
                timestamp: false,
            },
        );
        let signed = match out {
            Ok(mut v) => match v.remove(0) {
                Ok(s) => s,
                Err(e) => return failed(format!("{name}: {e}")),
            },
            Err(r) => return refusal(r),
        };
        let out_name = if format == Format::Cms {
            format!("{name}.p7s")
        } else {
            name.clone()
        };
        let mut reply = json!({
            "Status": 0, "Message": "", "FileName": out_name,
            "DocumentNumber": number, "DocumentDate": date,
        });
        if handler.is_empty() {
            reply["Base64Content"] = B64.encode(&signed).into();
        } else {
            let fields = [("SessionId", field(m, "SessionId"))];
            match self.0.portal.upload(
                origin,
                handler,
                &out_name,
                &signed,
                &fields,
                Some(field(m, "JWTToken")),
            ) {
                Ok(r) => reply["FileServer"] = r.into(),
                Err(e) => {
                    return failed(kyso::t!(
                        "serve-signed-not-uploaded",
                        name = name.as_str(),
                        error = e.localized()
                    ))
                }
            }
        }
        reply
    }

    fn sign_files(&self, origin: &str, m: &Map<String, Value>) -> Value {
        let Some(files) = m.get("Files").and_then(Value::as_array) else {
            // i18n: for the portal's developers: their request is malformed
            return failed("SignFiles: Files must be an array of {FileID, FileName, URL}");
        };
        let handler = field(m, "FileUploadHandler");
        if handler.is_empty() {
            // i18n: for the portal's developers: their request is malformed
            return failed("SignFiles: FileUploadHandler is missing");
        }
        if let Err(e) = check_handler(origin, handler) {
            return e;
        }
        let bearer = field(m, "JWTToken");
        // every file downloaded (and refused) before the person is asked anything
        let mut docs = Vec::new();
        let mut ids = Vec::new();
        for f in files {
            let empty = Map::new();
            let f = f.as_object().unwrap_or(&empty);
            let url = match (field(f, "URL"), field(f, "FileName")) {
                ("", u) | (u, _) => u,
            };
            let id = f.get("FileID").cloned().unwrap_or(Value::Null);
            match self.0.portal.download(origin, url, Some(bearer)) {
                Ok(data) => {
                    let name = match field(f, "FileName") {
                        "" => url_name(url),
                        n => url_name(n),
                    };
                    docs.push((name, data, Format::Pades));
                    ids.push(id);
                }
                Err(e) => {
                    return failed(format!(
                        "SignFiles: {}",
                        kyso::t!("serve-nothing-signed", error = e.localized())
                    ))
                }
            }
        }
        if docs.is_empty() {
            // i18n: for the portal's developers: their request is malformed
            return failed("SignFiles: no file given");
        }
        let what = t!("serve-what-pdfs", count = docs.len(), op = "SignFiles");
        let ask = Ask {
            origin,
            what: &what,
            cert_serial: None,
        };
        let names: Vec<String> = docs.iter().map(|d| d.0.clone()).collect();
        let outcomes = match self
            .0
            .signing
            .sign_documents(&ask, docs, &PdfOptions::default())
        {
            Ok(o) => o,
            Err(r) => return refusal(r),
        };
        let mut results = Vec::new();
        let mut all = true;
        for ((name, id), outcome) in names.iter().zip(ids).zip(outcomes) {
            let r = match outcome {
                Ok(signed) => {
                    let fields = [("SessionId", field(m, "SessionId"))];
                    match self.0.portal.upload(
                        origin,
                        handler,
                        name,
                        &signed,
                        &fields,
                        Some(bearer),
                    ) {
                        Ok(server) => {
                            json!({"FileID": id, "Status": 0, "FileName": name, "FileServer": server, "Message": ""})
                        }
                        Err(e) => {
                            json!({"FileID": id, "Status": 14, "FileName": name, "Message": kyso::t!("serve-signed-not-uploaded-short", error = e.localized())})
                        }
                    }
                }
                Err(e) => json!({"FileID": id, "Status": 14, "FileName": name, "Message": e}),
            };
            all &= r["Status"] == 0;
            results.push(r);
        }
        json!({
            "Status": if all { 0 } else { 14 },
            "Message": if all { String::new() } else { kyso::t!("serve-some-files-failed") },
            "Files": results,
        })
    }
}
