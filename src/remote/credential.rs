//! What `credentials/info` says of a credential (v1 and v2 shapes), checked field by field:
//! a hostile or broken reply is an error, never a panic.

use serde_json::Value;

use super::algo::b64_decode;
use super::http::clean;

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
    use super::super::algo::b64;
    use super::*;
    use serde_json::json;

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
}
