//! The Cloud Signature Consortium API calls, v1 (1.0.4, as Ascertia ADSS/Viettel MySign serve
//! it) and v2, and what their replies mean. Every field of a reply is checked: a hostile or
//! broken server gives a clear error, never a panic.

use std::time::Duration;

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};

use super::http::{clean, Auth, Http, Reply, Retry};
use super::oauth;
use crate::config::{CscVersion, RemoteConfig};
use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::signer::SignatureAlgorithm;

/// Whether the credential asks for a PIN or an OTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Not asked.
    No,
    /// Asked.
    Required,
    /// May be given.
    Optional,
}

/// How the credential's signatures are authorised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// The service authorises by itself (e.g. a push to the person's phone).
    Implicit,
    /// PIN and/or OTP sent with `credentials/authorize`.
    Explicit,
    /// A credential-scoped OAuth2 flow (not supported by kyso).
    OAuth2Code,
}

/// What `credentials/info` says of one credential.
#[derive(Debug, Clone)]
pub struct CredentialInfo {
    /// The credential id.
    pub id: String,
    /// Free-text description, if any.
    pub description: Option<String>,
    /// Key status: `enabled`, `disabled`.
    pub key_status: String,
    /// Signature algorithm OIDs the key supports.
    pub key_algos: Vec<String>,
    /// Certificate status: `valid`, `expired`, `revoked`, `suspended`.
    pub cert_status: String,
    /// Certificate chain, DER, end-entity first.
    pub certificates: Vec<Vec<u8>>,
    /// Authorisation mode.
    pub auth_mode: AuthMode,
    /// PIN asked?
    pub pin: Presence,
    /// OTP asked?
    pub otp: Presence,
    /// An online OTP must be requested with `credentials/sendOTP` first.
    pub otp_online: bool,
    /// Signatures one authorisation may cover.
    pub multisign: u32,
    /// Sole control assurance level: 2 binds the authorisation to the hashes.
    pub scal: u8,
}

impl CredentialInfo {
    /// Why the credential cannot sign, if it cannot.
    pub fn unusable(&self) -> Option<String> {
        if !self.key_status.eq_ignore_ascii_case("enabled") {
            return Some(format!("its key is {}", self.key_status));
        }
        if !self.cert_status.is_empty() && !self.cert_status.eq_ignore_ascii_case("valid") {
            return Some(format!("its certificate is {}", self.cert_status));
        }
        None
    }
}

/// A signature activation data and how long it lives.
pub struct Sad {
    /// The SAD itself.
    pub value: SecretString,
    /// Seconds it is valid for.
    pub expires_in: Duration,
}

// Algorithm identifiers.
const SHA256: &str = "2.16.840.1.101.3.4.2.1";
const SHA384: &str = "2.16.840.1.101.3.4.2.2";
const SHA512: &str = "2.16.840.1.101.3.4.2.3";
const RSA: &str = "1.2.840.113549.1.1.1";
const RSA_PSS: &str = "1.2.840.113549.1.1.10";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";

/// The hash algorithm OID.
pub fn hash_oid(h: HashAlg) -> &'static str {
    match h {
        HashAlg::Sha256 => SHA256,
        HashAlg::Sha384 => SHA384,
        HashAlg::Sha512 => SHA512,
    }
}

fn pkcs1_oid(h: HashAlg) -> &'static str {
    match h {
        HashAlg::Sha256 => "1.2.840.113549.1.1.11",
        HashAlg::Sha384 => "1.2.840.113549.1.1.12",
        HashAlg::Sha512 => "1.2.840.113549.1.1.13",
    }
}

fn ecdsa_oid(h: HashAlg) -> &'static str {
    match h {
        HashAlg::Sha256 => "1.2.840.10045.4.3.2",
        HashAlg::Sha384 => "1.2.840.10045.4.3.3",
        HashAlg::Sha512 => "1.2.840.10045.4.3.4",
    }
}

/// Whether the credential's algorithm list allows `alg` (an empty list: the service did not say,
/// the key type decides).
pub fn offers(algos: &[String], alg: SignatureAlgorithm) -> bool {
    if algos.is_empty() {
        return true;
    }
    let has = |oid: &str| algos.iter().any(|a| a == oid);
    match alg {
        SignatureAlgorithm::RsaPkcs1(h) => has(pkcs1_oid(h)) || has(RSA),
        SignatureAlgorithm::RsaPss(_) => has(RSA_PSS),
        SignatureAlgorithm::Ecdsa(h) => has(ecdsa_oid(h)) || has(EC_PUBLIC_KEY),
    }
}

/// `signAlgo` and `signAlgoParams` (base64 DER) for `signatures/signHash`.
pub fn sign_algo(algos: &[String], alg: SignatureAlgorithm) -> (&'static str, Option<String>) {
    let has = |oid: &str| algos.iter().any(|a| a == oid);
    match alg {
        SignatureAlgorithm::RsaPkcs1(h) if has(pkcs1_oid(h)) || !has(RSA) => (pkcs1_oid(h), None),
        SignatureAlgorithm::RsaPkcs1(_) => (RSA, None),
        SignatureAlgorithm::RsaPss(h) => (
            RSA_PSS,
            Some(base64::engine::general_purpose::STANDARD.encode(pss_params(h))),
        ),
        SignatureAlgorithm::Ecdsa(h) if has(ecdsa_oid(h)) || !has(EC_PUBLIC_KEY) => {
            (ecdsa_oid(h), None)
        }
        SignatureAlgorithm::Ecdsa(_) => (EC_PUBLIC_KEY, None),
    }
}

/// DER `RSASSA-PSS-params`: the hash, MGF1 with the same hash, salt length = hash length.
pub fn pss_params(h: HashAlg) -> Vec<u8> {
    let hash_oid_der: &[u8] = match h {
        HashAlg::Sha256 => &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01],
        HashAlg::Sha384 => &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02],
        HashAlg::Sha512 => &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03],
    };
    let tlv = |tag: u8, body: &[u8]| {
        let mut v = vec![tag, body.len() as u8];
        v.extend_from_slice(body);
        v
    };
    let hash_alg = tlv(0x30, &[tlv(0x06, hash_oid_der), vec![0x05, 0x00]].concat());
    let mgf1 = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08];
    let mgf = tlv(0x30, &[tlv(0x06, &mgf1), hash_alg.clone()].concat());
    let salt = tlv(0x02, &[h.output_len() as u8]);
    tlv(
        0x30,
        &[tlv(0xa0, &hash_alg), tlv(0xa1, &mgf), tlv(0xa2, &salt)].concat(),
    )
}

/// Decodes base64 as services write it: standard or URL-safe alphabet, padded or not.
pub fn b64_decode(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(&s).ok())
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
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
        let reply = self.http.post_json(
            &self.url("credentials/authorize"),
            Auth::Bearer(&token),
            &body,
            Retry::Never,
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

fn presence(v: Option<&Value>) -> Presence {
    match v {
        Some(Value::Bool(true)) => Presence::Required,
        Some(Value::String(s)) if s == "true" => Presence::Required,
        Some(Value::String(s)) if s == "optional" => Presence::Optional,
        _ => Presence::No,
    }
}

/// Reads a `credentials/info` reply, v1 or v2 shape.
pub fn parse_info(id: &str, v: &Value) -> std::result::Result<CredentialInfo, String> {
    let key = v.get("key").ok_or("no key in the reply")?;
    let key_status = key
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("enabled")
        .to_owned();
    let key_algos = match key.get("algo") {
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_owned)
                    .ok_or("key.algo holds a non-string")
            })
            .collect::<std::result::Result<Vec<_>, _>>()?,
        None | Some(Value::Null) => Vec::new(),
        Some(_) => return Err("key.algo is not a list".into()),
    };
    let cert = v.get("cert").ok_or("no cert in the reply")?;
    let cert_status = cert
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let certificates = cert
        .get("certificates")
        .and_then(Value::as_array)
        .ok_or("no cert.certificates in the reply")?
        .iter()
        .map(|c| {
            c.as_str()
                .and_then(b64_decode)
                .ok_or("a certificate is not base64")
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if certificates.is_empty() {
        return Err("the certificate chain is empty".into());
    }
    // v1: authMode, PIN{presence}, OTP{presence, type}; v2: auth{mode, objects[{id, …}]}.
    let mode = v
        .get("authMode")
        .or_else(|| v.get("auth").and_then(|a| a.get("mode")))
        .and_then(Value::as_str)
        .unwrap_or("explicit");
    let auth_mode = match mode {
        "implicit" => AuthMode::Implicit,
        "explicit" => AuthMode::Explicit,
        "oauth2code" => AuthMode::OAuth2Code,
        other => return Err(format!("unknown authMode '{}'", clean(other))),
    };
    let (mut pin, mut otp, mut otp_online) = (Presence::No, Presence::No, false);
    if let Some(p) = v.get("PIN") {
        pin = presence(p.get("presence"));
    }
    if let Some(o) = v.get("OTP") {
        otp = presence(o.get("presence"));
        otp_online = o.get("type").and_then(Value::as_str) == Some("online");
    }
    if let Some(objects) = v
        .get("auth")
        .and_then(|a| a.get("objects"))
        .and_then(Value::as_array)
    {
        for o in objects {
            match o.get("id").and_then(Value::as_str) {
                Some("PIN") => pin = Presence::Required,
                Some("OTP") => {
                    otp = Presence::Required;
                    otp_online |= o.get("generator").and_then(Value::as_str) == Some("online")
                        || o.get("type").and_then(Value::as_str) == Some("online");
                }
                _ => {}
            }
        }
    }
    if auth_mode == AuthMode::Explicit && v.get("PIN").is_none() && v.get("auth").is_none() {
        // Nothing said: a PIN is what explicit authorisation usually means.
        pin = Presence::Required;
    }
    let multisign = match v.get("multisign") {
        None | Some(Value::Null) => 1,
        Some(m) => m
            .as_u64()
            .or_else(|| m.as_str()?.parse().ok())
            .ok_or("multisign is not a number")?
            .clamp(1, u32::MAX as u64) as u32,
    };
    let scal = match v.get("SCAL").and_then(|s| {
        s.as_str()
            .map(str::to_owned)
            .or(s.as_u64().map(|n| n.to_string()))
    }) {
        Some(s) if s == "2" => 2,
        _ => 1,
    };
    Ok(CredentialInfo {
        id: id.to_owned(),
        description: v
            .get("description")
            .and_then(Value::as_str)
            .map(clean)
            .filter(|s| !s.is_empty()),
        key_status,
        key_algos,
        cert_status,
        certificates,
        auth_mode,
        pin,
        otp,
        otp_online,
        multisign,
        scal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pss_params_der_for_sha256() {
        let p = pss_params(HashAlg::Sha256);
        assert_eq!(p.len(), 0x36);
        assert_eq!(&p[..4], &[0x30, 0x34, 0xa0, 0x0f]);
        assert_eq!(&p[p.len() - 3..], &[0x02, 0x01, 0x20]);
    }

    #[test]
    fn info_v1_and_v2_shapes() {
        let cert = b64(b"not really a cert");
        let v1 = json!({
            "key": {"status": "enabled", "algo": ["1.2.840.113549.1.1.11"], "len": 2048},
            "cert": {"status": "valid", "certificates": [cert]},
            "authMode": "explicit",
            "PIN": {"presence": "true", "format": "N"},
            "OTP": {"presence": "true", "type": "online"},
            "multisign": 10,
        });
        let i = parse_info("c1", &v1).unwrap();
        assert_eq!(
            (i.pin, i.otp, i.otp_online, i.multisign),
            (Presence::Required, Presence::Required, true, 10)
        );
        let v2 = json!({
            "key": {"status": "disabled", "algo": []},
            "cert": {"certificates": [cert]},
            "auth": {"mode": "explicit", "objects": [{"type": "Password", "id": "PIN"}]},
            "multisign": "3", "SCAL": "2",
        });
        let i = parse_info("c2", &v2).unwrap();
        assert_eq!(
            (i.pin, i.otp, i.multisign, i.scal),
            (Presence::Required, Presence::No, 3, 2)
        );
        assert!(i.unusable().unwrap().contains("disabled"));
    }

    #[test]
    fn hostile_info_is_an_error_not_a_panic() {
        for bad in [
            json!({}),
            json!({"key": {}, "cert": {}}),
            json!({"key": {"algo": "x"}, "cert": {"certificates": ["!!"]}}),
            json!({"key": {}, "cert": {"certificates": []}}),
            json!({"key": {}, "cert": {"certificates": ["AAAA"]}, "authMode": "magic"}),
            json!({"key": {}, "cert": {"certificates": ["AAAA"]}, "multisign": -1}),
        ] {
            assert!(parse_info("x", &bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn algorithms_by_oid() {
        let rsa = vec![RSA.to_owned()];
        let h = HashAlg::Sha384;
        assert!(offers(&rsa, SignatureAlgorithm::RsaPkcs1(h)));
        assert!(!offers(&rsa, SignatureAlgorithm::RsaPss(h)));
        assert_eq!(sign_algo(&rsa, SignatureAlgorithm::RsaPkcs1(h)).0, RSA);
        assert_eq!(
            sign_algo(&[], SignatureAlgorithm::Ecdsa(HashAlg::Sha256)).0,
            "1.2.840.10045.4.3.2"
        );
        assert_eq!(b64_decode("-_8").unwrap(), vec![0xfb, 0xff]);
    }
}
