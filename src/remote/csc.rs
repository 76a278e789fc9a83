//! The Cloud Signature Consortium API calls, v1 (1.0.4, as Ascertia ADSS/Viettel MySign serve
//! it) and v2, and what their replies mean. Every field of a reply is checked: a hostile or
//! broken server gives a clear error, never a panic.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};

use super::algo::{b64, b64_decode, hash_oid, sign_algo};
use super::credential::{parse_info, CredentialInfo};
use super::http::{clean, Auth, Http, Reply, Retry};
use super::oauth;
use crate::config::{CscVersion, RemoteConfig};
use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::key::SignatureAlgorithm;

/// A signature activation data and how long it lives.
pub struct Sad {
    /// The SAD itself.
    pub value: SecretString,
    /// Seconds it is valid for.
    pub expires_in: Duration,
}

/// A CSC client for one account.
pub struct Client {
    /// The account's configuration.
    pub cfg: RemoteConfig,
    http: Http,
}

impl Client {
    /// A client; no request is sent yet.
    pub fn new(cfg: RemoteConfig) -> Result<Client> {
        let http = Http::new(&cfg)?;
        http.check_url(&cfg.base_url)?;
        Ok(Client { cfg, http })
    }

    /// The HTTP layer (for OAuth logins).
    pub fn http(&self) -> &Http {
        &self.http
    }

    fn url(&self, method: &str) -> String {
        format!("{}/{method}", self.cfg.base_url.trim_end_matches('/'))
    }

    fn v2(&self) -> bool {
        self.cfg.csc_version == CscVersion::V2
    }

    fn err(&self, message: String) -> Error {
        Error::Remote {
            server: self.cfg.name.clone(),
            message,
        }
    }

    /// Calls a method with the account's access token. A 401 with a token that can be renewed
    /// without a person (client credentials) is renewed and the call repeated once, but only
    /// for calls that are safe to repeat.
    fn call(&self, method: &str, body: &Value, retry: Retry) -> Result<Value> {
        let token = oauth::access_token(&self.cfg, &self.http)?;
        let mut reply =
            self.http
                .post_json(&self.url(method), Auth::Bearer(&token), body, retry)?;
        if reply.status == 401
            && retry == Retry::Safe
            && self.cfg.auth == crate::config::RemoteAuth::ClientCredentials
        {
            log::info!("{}: access token refused; getting a new one", self.cfg.name);
            let _ = oauth::remove(&self.cfg.name);
            let token = oauth::access_token(&self.cfg, &self.http)?;
            reply = self
                .http
                .post_json(&self.url(method), Auth::Bearer(&token), body, retry)?;
        }
        self.answer(method, reply)
    }

    /// A token the service refused is dropped when a new one can be had without a person
    /// (client credentials): the next run gets a fresh one instead of failing again.
    fn forget_refused_token(&self) {
        if self.cfg.auth == crate::config::RemoteAuth::ClientCredentials {
            let _ = oauth::remove(&self.cfg.name);
        }
    }

    /// The JSON object of a 2xx reply, or the error the reply means.
    fn answer(&self, method: &str, reply: Reply) -> Result<Value> {
        if reply.ok() {
            return match reply.json {
                Some(v @ Value::Object(_)) => Ok(v),
                _ => Err(self.err(format!(
                    "{method}: the reply is not a JSON object ({})",
                    clean(&reply.text)
                ))),
            };
        }
        let (code, _) = reply.error();
        let message = format!("{method}: {}", reply.describe());
        if reply.status == 401 || code == "invalid_token" {
            self.forget_refused_token();
            return Err(Error::RemoteLogin {
                account: self.cfg.name.clone(),
                message,
            });
        }
        if reply.status >= 500 {
            return Err(self.err(format!("{message} (a problem at the provider: try later)")));
        }
        Err(self.err(message))
    }

    /// `info`: the service's name, version and methods (no authentication).
    pub fn info(&self) -> Result<Value> {
        let body = json!({ "lang": "vi-VN" });
        let reply = self
            .http
            .post_json(&self.url("info"), Auth::None, &body, Retry::Safe)?;
        self.answer("info", reply)
    }

    /// `credentials/list`, every page.
    pub fn list(&self) -> Result<Vec<String>> {
        let mut ids = Vec::new();
        let mut page: Option<String> = None;
        for _ in 0..20 {
            let mut body = json!({ "maxResults": 100 });
            if let Some(u) = &self.cfg.user {
                body["userID"] = json!(u);
            }
            if let Some(p) = &page {
                body["pageToken"] = json!(p);
            }
            let v = self.call("credentials/list", &body, Retry::Safe)?;
            let list = v
                .get("credentialIDs")
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    self.err("credentials/list: no credentialIDs in the reply".into())
                })?;
            for id in list {
                let id = id.as_str().filter(|s| !s.is_empty()).ok_or_else(|| {
                    self.err("credentials/list: a credential id is not a string".into())
                })?;
                ids.push(id.to_owned());
            }
            page = v
                .get("nextPageToken")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned);
            if page.is_none() {
                break;
            }
        }
        Ok(ids)
    }

    /// `credentials/info` with the certificate chain and the authorisation details.
    pub fn credential_info(&self, id: &str) -> Result<CredentialInfo> {
        let body = json!({
            "credentialID": id,
            "certificates": "chain",
            "certInfo": true,
            "authInfo": true,
        });
        let v = self.call("credentials/info", &body, Retry::Safe)?;
        parse_info(id, &v).map_err(|m| self.err(format!("credentials/info of '{id}': {m}")))
    }

    /// `credentials/sendOTP`: asks the service to send an online OTP to the person.
    pub fn send_otp(&self, id: &str) -> Result<()> {
        self.call(
            "credentials/sendOTP",
            &json!({ "credentialID": id }),
            Retry::Never,
        )
        .map(|_| ())
    }

    /// `credentials/authorize`: never sent twice (an OTP is consumed by the first).
    pub fn authorize(
        &self,
        id: &str,
        num_signatures: u32,
        pin: Option<&SecretString>,
        otp: Option<&SecretString>,
        hashes: Option<(HashAlg, &[Vec<u8>])>,
    ) -> Result<Sad> {
        let mut body = json!({ "credentialID": id, "numSignatures": num_signatures });
        if self.v2() {
            let mut data = Vec::new();
            if let Some(p) = pin {
                data.push(json!({ "id": "PIN", "value": p.expose_secret() }));
            }
            if let Some(o) = otp {
                data.push(json!({ "id": "OTP", "value": o.expose_secret() }));
            }
            if !data.is_empty() {
                body["authData"] = Value::Array(data);
            }
            if let Some((h, list)) = hashes {
                body["hashes"] = json!(list.iter().map(|d| b64(d)).collect::<Vec<_>>());
                body["hashAlgorithmOID"] = json!(hash_oid(h));
            }
        } else {
            if let Some(p) = pin {
                body["PIN"] = json!(p.expose_secret());
            }
            if let Some(o) = otp {
                body["OTP"] = json!(o.expose_secret());
            }
            if let Some((_, list)) = hashes {
                body["hash"] = json!(list.iter().map(|d| b64(d)).collect::<Vec<_>>());
            }
        }
        let token = oauth::access_token(&self.cfg, &self.http)?;
        let wait = Duration::from_secs(self.cfg.authorize_timeout_secs.unwrap_or(120));
        let reply = self.http.post_json_waiting(
            &self.url("credentials/authorize"),
            Auth::Bearer(&token),
            &body,
            wait,
        );
        // The body held the PIN: overwrite it before it is dropped.
        zeroize_json(&mut body);
        let reply = reply?;
        if !reply.ok() {
            return Err(self.authorize_error(id, &reply, pin.is_some(), otp.is_some()));
        }
        let v = self.answer("credentials/authorize", reply)?;
        let sad = v
            .get("SAD")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| self.err("credentials/authorize: no SAD in the reply".into()))?;
        let expires_in = match v.get("expiresIn") {
            None | Some(Value::Null) => 3600,
            Some(e) => e
                .as_u64()
                .or_else(|| e.as_str()?.parse().ok())
                .ok_or_else(|| {
                    self.err("credentials/authorize: expiresIn is not a number".into())
                })?,
        };
        Ok(Sad {
            value: SecretString::from(sad),
            expires_in: Duration::from_secs(expires_in.min(86_400 * 365)),
        })
    }

    fn authorize_error(&self, id: &str, reply: &Reply, pin: bool, otp: bool) -> Error {
        let (code, desc) = reply.error();
        let lower = format!("{code} {desc}").to_lowercase();
        let says = if desc.is_empty() {
            code.clone()
        } else {
            desc.clone()
        };
        if reply.status == 401 || code == "invalid_token" {
            self.forget_refused_token();
            return Error::RemoteLogin {
                account: self.cfg.name.clone(),
                message: format!("credentials/authorize: {}", reply.describe()),
            };
        }
        if lower.contains("disabled") || lower.contains("revoked") || lower.contains("suspended") {
            return Error::RemoteCredentialDisabled {
                credential: id.to_owned(),
                message: says,
            };
        }
        let about_otp = code == "invalid_otp" || lower.contains("otp");
        let about_pin =
            code == "invalid_pin" || lower.contains("pin") || lower.contains("password");
        if reply.status == 400 && (about_otp || about_pin || code == "access_denied") {
            let what = match (about_pin, about_otp) {
                (true, false) => "PIN",
                (false, true) => "OTP",
                _ if pin && otp => "PIN or OTP",
                _ if otp => "OTP",
                _ => "PIN",
            };
            return Error::RemoteAuthorizationRefused {
                credential: id.to_owned(),
                what: what.into(),
                server_says: says,
            };
        }
        self.err(format!("credentials/authorize: {}", reply.describe()))
    }

    /// `signatures/signHash`: many digests in one call; never repeated (the SAD counts them).
    pub fn sign_hash(
        &self,
        id: &str,
        sad: &SecretString,
        alg: SignatureAlgorithm,
        key_algos: &[String],
        digests: &[Vec<u8>],
    ) -> Result<Vec<Vec<u8>>> {
        let (sign_oid, params) = sign_algo(key_algos, alg);
        let hashes: Vec<String> = digests.iter().map(|d| b64(d)).collect();
        let mut body = json!({
            "credentialID": id,
            "SAD": sad.expose_secret(),
            "signAlgo": sign_oid,
        });
        if self.v2() {
            body["hashes"] = json!(hashes);
            body["hashAlgorithmOID"] = json!(hash_oid(alg.hash()));
        } else {
            body["hash"] = json!(hashes);
            body["hashAlgo"] = json!(hash_oid(alg.hash()));
        }
        if let Some(p) = params {
            body["signAlgoParams"] = json!(p);
        }
        let token = oauth::access_token(&self.cfg, &self.http)?;
        let reply = self.http.post_json(
            &self.url("signatures/signHash"),
            Auth::Bearer(&token),
            &body,
            Retry::Never,
        );
        zeroize_json(&mut body);
        let reply = reply?;
        if !reply.ok() {
            let (code, desc) = reply.error();
            let lower = format!("{code} {desc}").to_lowercase();
            if lower.contains("sad") || code == "invalid_sad" {
                return Err(Error::RemoteAuthorizationExpired {
                    credential: id.to_owned(),
                    signed: 0,
                    message: format!("signatures/signHash: {}", reply.describe()),
                });
            }
            if lower.contains("disabled")
                || lower.contains("revoked")
                || lower.contains("suspended")
            {
                return Err(Error::RemoteCredentialDisabled {
                    credential: id.to_owned(),
                    message: if desc.is_empty() { code } else { desc },
                });
            }
            return Err(self
                .answer("signatures/signHash", reply)
                .err()
                .unwrap_or_else(|| self.err("signatures/signHash failed".into())));
        }
        let v = self.answer("signatures/signHash", reply)?;
        let sigs = v
            .get("signatures")
            .and_then(Value::as_array)
            .ok_or_else(|| self.err("signatures/signHash: no signatures in the reply".into()))?;
        if sigs.len() != digests.len() {
            return Err(self.err(format!(
                "signatures/signHash: {} signature(s) returned for {} hash(es)",
                sigs.len(),
                digests.len()
            )));
        }
        sigs.iter()
            .map(|s| {
                s.as_str()
                    .and_then(b64_decode)
                    .filter(|b| !b.is_empty())
                    .ok_or_else(|| {
                        self.err("signatures/signHash: a signature is not base64".into())
                    })
            })
            .collect()
    }
}

/// Overwrites every string of a JSON value (request bodies carrying PINs and SADs).
fn zeroize_json(v: &mut Value) {
    use zeroize::Zeroize;
    match v {
        Value::String(s) => s.zeroize(),
        Value::Array(a) => a.iter_mut().for_each(zeroize_json),
        Value::Object(o) => o.values_mut().for_each(zeroize_json),
        _ => {}
    }
}
