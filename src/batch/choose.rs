//! The choices made before a batch: which token, which key, which algorithm, which chain. Each
//! is made before anything is signed and never silently (a choice among several is returned
//! for the face to announce).

use std::sync::Arc;

use time::OffsetDateTime;

use crate::cert::Certificate;
use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::key::{KeyType, SignatureAlgorithm};
use crate::signer::{CertificateEntry, Signer, Token, TokenInfo};

use super::Format;

/// A short description of a token for choice lists.
pub fn describe(t: &dyn Token) -> String {
    match t.info() {
        Ok(i) => format!(
            "'{}' (serial {}, {} {}, module {}, slot {})",
            i.label,
            i.serial.trim(),
            i.manufacturer,
            i.model,
            i.module,
            i.slot
        ),
        Err(e) => format!("(unreadable token: {e})"),
    }
}

/// Whether the token described by `info` is the one `spec` names: its label, its serial
/// number, its slot id, or a `pkcs11:` URI (RFC 7512) whose token attributes (`token`,
/// `serial`, `manufacturer`, `model`, `slot-id`, `slot-description`) all match. Tokens of one
/// CA often share a label; the serial (as `kyso tokens` shows it) tells them apart.
pub fn token_matches(info: &TokenInfo, spec: &str) -> bool {
    let spec = spec.trim();
    if let Some(uri) = spec.strip_prefix("pkcs11:") {
        let path = uri.split('?').next().unwrap_or("");
        return path.split(';').filter(|a| !a.is_empty()).all(|attr| {
            let (name, value) = attr.split_once('=').unwrap_or((attr, ""));
            let value = percent_decode(value);
            match name {
                "token" => info.label.trim() == value.trim(),
                "serial" => info.serial.trim() == value.trim(),
                "manufacturer" => info.manufacturer.trim() == value.trim(),
                "model" => info.model.trim() == value.trim(),
                "slot-id" => value.trim().parse::<u64>().is_ok_and(|s| s == info.slot),
                "slot-description" => info.slot_description.trim() == value.trim(),
                // Object attributes (id, object, type) and library attributes do not select
                // a token.
                _ => true,
            }
        });
    }
    info.label == spec
        || (!info.serial.trim().is_empty() && info.serial.trim() == spec)
        || spec.parse::<u64>().is_ok_and(|s| s == info.slot)
}

/// `%XX` escapes of a PKCS#11 URI decoded (invalid escapes kept as written).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The tokens `spec` names (see [`token_matches`]); all of them without a spec.
pub fn tokens_matching(tokens: Vec<Arc<dyn Token>>, spec: Option<&str>) -> Vec<Arc<dyn Token>> {
    match spec {
        None => tokens,
        Some(spec) => tokens
            .into_iter()
            .filter(|t| t.info().is_ok_and(|i| token_matches(&i, spec)))
            .collect(),
    }
}

/// The token to log in to, among all `tokens` found: those `spec` names (label, serial, slot
/// or `pkcs11:` URI, see [`token_matches`]), then the only one, or the only one holding the
/// requested key.
pub fn token(
    all: Vec<Arc<dyn Token>>,
    spec: Option<&str>,
    key_id: Option<&[u8]>,
) -> Result<Arc<dyn Token>> {
    let tokens = tokens_matching(all.clone(), spec);
    if tokens.len() <= 1 {
        return tokens.into_iter().next().ok_or_else(|| {
            let present = all.iter().map(|t| describe(&**t)).collect::<Vec<_>>();
            Error::TokenNotFound(match spec {
                Some(l) if !present.is_empty() => crate::t!(
                    "choose-token-not-among",
                    token = l,
                    present = present.join(", ")
                ),
                Some(l) => crate::t!("choose-token-plug-in", token = l),
                None => String::new(),
            })
        });
    }
    // Several tokens: keep those with a certificate (and key) that fits the selection.
    let mut fitting = Vec::new();
    for t in &tokens {
        let certs = t.certificates().unwrap_or_else(|e| {
            log::warn!("token {}: {e}", describe(&**t));
            Vec::new()
        });
        if certs
            .iter()
            .any(|c| c.has_private_key && key_id.is_none_or(|id| c.id == id))
        {
            fitting.push(t.clone());
        }
    }
    let list = |ts: &[Arc<dyn Token>]| {
        ts.iter()
            .map(|t| describe(&**t))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match fitting.len() {
        1 => Ok(fitting.remove(0)),
        0 => Err(Error::KeyNotFound(match key_id {
            Some(id) => crate::t!(
                "choose-no-token-holds-key",
                id = hex::encode(id),
                tokens = list(&tokens)
            ),
            None => crate::t!("choose-no-token-holds-certificate", tokens = list(&tokens)),
        })),
        _ => Err(Error::Ambiguous(crate::t!(
            "choose-several-tokens",
            tokens = list(&fitting)
        ))),
    }
}

/// Refuses a token whose PIN is locked before anything else is asked of the person (which
/// key, which PIN): nothing can be signed with it until it is unblocked.
pub fn not_locked(token: &dyn Token) -> Result<()> {
    match token.info() {
        Ok(i) if i.pin.locked => Err(Error::PinLocked { token: i.label }),
        _ => Ok(()),
    }
}

/// Whether a certificate is within its validity period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// Valid now.
    Valid,
    /// Its validity ended.
    Expired,
    /// Its validity has not begun.
    NotYetValid,
}

impl Validity {
    /// The validity of `cert` at `at`.
    pub fn of(cert: &Certificate, at: OffsetDateTime) -> Validity {
        if at < cert.not_before() {
            Validity::NotYetValid
        } else if at > cert.not_after() {
            Validity::Expired
        } else {
            Validity::Valid
        }
    }

    /// `EXPIRED`, `NOT YET VALID`, or nothing, as lists mark certificates.
    pub fn mark(self) -> String {
        match self {
            Validity::Valid => String::new(),
            Validity::Expired => crate::t!("choose-mark-expired"),
            Validity::NotYetValid => crate::t!("choose-mark-not-yet-valid"),
        }
    }

    /// `valid`, `expired` or `not yet valid`, for JSON.
    pub fn name(self) -> &'static str {
        match self {
            Validity::Valid => "valid",
            Validity::Expired => "expired",
            Validity::NotYetValid => "not yet valid",
        }
    }
}

/// A date as people read it (`2024-12-31`).
fn day(t: OffsetDateTime) -> String {
    format!("{}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// Refuses a certificate outside its validity period, naming its dates: a signature made with
/// it is not valid for anyone who checks it. `allow` (an explicit choice, never a default)
/// lets it through, for the rare legitimate case (re-signing for a test).
pub fn check_validity(cert: &Certificate, at: OffsetDateTime, allow: bool) -> Result<()> {
    let (from, to) = (day(cert.not_before()), day(cert.not_after()));
    let what = format!(
        "the certificate of {} (issued by {})",
        cert.common_name().unwrap_or(cert.subject()),
        cert.issuer()
    );
    let why = match Validity::of(cert, at) {
        Validity::Valid => return Ok(()),
        _ if allow => return Ok(()),
        Validity::Expired => format!("{what} expired on {to} (valid {from} to {to})"),
        Validity::NotYetValid => {
            format!("{what} is not valid before {from} (valid {from} to {to})")
        }
    };
    Err(Error::CertificateNotValid(why))
}

/// One line for a key in a choice list: id, holder, identity, issuer, validity.
pub fn describe_key(entry: &CertificateEntry, at: OffsetDateTime) -> String {
    let c = &entry.certificate;
    let identity = c
        .identity()
        .entries()
        .iter()
        .map(|e| format!("{}: {}", e.kind.key().to_uppercase(), e.value))
        .collect::<Vec<_>>()
        .join(", ");
    let validity = Validity::of(c, at);
    format!(
        "{}{}",
        crate::t!(
            "choose-key-description",
            id = hex::encode(&entry.id),
            name = format!(
                "{}{}",
                c.common_name().unwrap_or(c.subject()),
                if identity.is_empty() {
                    String::new()
                } else {
                    format!(" ({identity})")
                }
            ),
            issuer = c.issuer(),
            from = day(c.not_before()),
            to = day(c.not_after())
        ),
        match validity {
            Validity::Valid => String::new(),
            v => format!(" {}", v.mark()),
        }
    )
}

/// The keys a person can choose among before logging in: the certificates on the token whose
/// private key is there (as far as the token shows before login), with `key_id` when given,
/// sorted by id. Empty when the token hides its keys until login (then choose after it).
pub fn keys_before_login(
    token: &dyn Token,
    key_id: Option<&[u8]>,
) -> Result<Vec<CertificateEntry>> {
    let mut keys: Vec<CertificateEntry> = token
        .certificates()?
        .into_iter()
        .filter(|e| e.has_private_key && key_id.is_none_or(|id| e.id == id))
        .collect();
    keys.sort_by(|a, b| a.id.cmp(&b.id));
    keys.dedup_by(|a, b| a.id == b.id);
    Ok(keys)
}

/// The refusal when several keys could sign and none was chosen (no one to ask): the keys,
/// one per line, and how to choose.
pub fn several_keys(label: &str, keys: &[CertificateEntry], at: OffsetDateTime) -> Error {
    Error::Ambiguous(format!(
        "{}\n{}",
        crate::t!("choose-several-keys", token = label, count = keys.len()),
        keys.iter()
            .map(|k| format!("  {}", describe_key(k, at)))
            .collect::<Vec<_>>()
            .join("\n")
    ))
}

/// The key chosen, and the others it was chosen among (to be announced: never silent).
pub struct KeyChoice {
    /// The key to sign with.
    pub signer: Arc<dyn Signer>,
    /// Every key that could have been used, the chosen one first, when there were several.
    pub among: Vec<Arc<dyn Signer>>,
}

/// The key to sign with: the one with `key_id`, the only one, or (several, none chosen) the
/// lowest `CKA_ID`.
pub fn key(token: &dyn Token, label: &str, key_id: Option<&[u8]>) -> Result<KeyChoice> {
    let mut signers: Vec<_> = token
        .signers()?
        .into_iter()
        .filter(|s| key_id.is_none_or(|id| s.key().id == id))
        .collect();
    signers.sort_by(|a, b| a.key().id.cmp(&b.key().id));
    let Some(first) = signers.first().cloned() else {
        return Err(Error::KeyNotFound(match key_id {
            Some(id) => crate::t!("choose-no-key-with-id", id = hex::encode(id), token = label),
            None => crate::t!("choose-no-key-on-token", token = label),
        }));
    };
    Ok(KeyChoice {
        signer: first,
        among: if signers.len() > 1 {
            signers
        } else {
            Vec::new()
        },
    })
}

/// The algorithm chosen, and a note when the default had to give way.
pub struct AlgorithmChoice {
    /// The algorithm.
    pub algorithm: SignatureAlgorithm,
    /// Why it is not the default, when it is not (to be shown).
    pub note: Option<String>,
}

/// The algorithm called `name` (`rsa-pss-sha256`…), or an error listing the known names.
pub fn algorithm_named(name: &str) -> Result<SignatureAlgorithm> {
    SignatureAlgorithm::from_name(name).ok_or_else(|| {
        Error::InvalidInput(crate::t!(
            "choose-unknown-algorithm",
            name = name,
            known = SignatureAlgorithm::ALL.map(|a| a.name()).join(", ")
        ))
    })
}

/// The algorithm to sign with: `asked` if this key can make it; otherwise the default policy:
/// ECDSA with the curve's hash for EC keys; for RSA keys RSASSA-PSS with SHA-256 for documents
/// (the scheme Vietnam's 2025 technical rules name), falling back to PKCS#1 v1.5 with a note
/// when the token offers no PSS, and PKCS#1 v1.5 with SHA-256 for raw signatures.
pub fn algorithm(
    signer: &dyn Signer,
    asked: Option<&str>,
    format: Format,
) -> Result<AlgorithmChoice> {
    let key_type = &signer.key().key_type;
    let offered = signer.algorithms();
    let mut note = None;
    if asked.is_none() && format.defaults_to_pss() && matches!(key_type, KeyType::Rsa { .. }) {
        let pss = SignatureAlgorithm::RsaPss(HashAlg::Sha256);
        if offered.contains(&pss) {
            return Ok(AlgorithmChoice {
                algorithm: pss,
                note,
            });
        }
        note = Some(crate::t!(
            "choose-no-pss",
            token = signer.key().token.as_str()
        ));
    }
    let alg = match asked {
        Some(n) => algorithm_named(n)?,
        None => SignatureAlgorithm::default_for(key_type).ok_or_else(|| {
            Error::InvalidInput(crate::t!(
                "choose-key-type-unsupported",
                key_type = key_type.to_string()
            ))
        })?,
    };
    if offered.contains(&alg) {
        return Ok(AlgorithmChoice {
            algorithm: alg,
            note,
        });
    }
    Err(Error::MechanismNotSupported {
        token: signer.key().token.clone(),
        what: crate::t!(
            "choose-algorithm-not-offered",
            algorithm = alg.to_string(),
            key_type = key_type.to_string(),
            offered = offered
                .iter()
                .map(|a| a.name())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

/// The signer's issuers as far as they are known (from `pool`, the token's provider and CA
/// certificates on the token), each checked by signature; the self-signed root is left out.
pub fn known_chain(
    leaf: &Certificate,
    token: &dyn Token,
    mut pool: Vec<Certificate>,
) -> Vec<Certificate> {
    pool.extend(token.issuers());
    pool.extend(
        token
            .certificates()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.certificate)
            .filter(|c| c.is_ca()),
    );
    let mut chain: Vec<Certificate> = Vec::new();
    let mut current = leaf.clone();
    while chain.len() < 8 {
        let Some(issuer) = pool.iter().find(|c| {
            c.subject_der() == current.issuer_der()
                && !chain.contains(c)
                && *c != &current
                && current.verify_signed_by(c).is_ok()
        }) else {
            break;
        };
        if issuer.is_self_issued() {
            break;
        }
        chain.push(issuer.clone());
        current = issuer.clone();
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signer::PinStatus;

    fn info(label: &str, serial: &str, slot: u64) -> TokenInfo {
        TokenInfo {
            module: "softhsm".into(),
            slot,
            slot_description: "SoftHSM slot".into(),
            label: label.into(),
            manufacturer: "SoftHSM project".into(),
            model: "SoftHSM v2".into(),
            serial: serial.into(),
            login_required: true,
            pin: PinStatus::default(),
        }
    }

    #[test]
    fn a_token_is_named_by_label_serial_slot_or_pkcs11_uri() {
        let t = info("kyso-dev", "48d8c90689182ba0", 213026645);
        for spec in [
            "kyso-dev",
            "48d8c90689182ba0",
            "213026645",
            "pkcs11:token=kyso-dev",
            "pkcs11:serial=48d8c90689182ba0",
            "pkcs11:token=kyso%2Ddev;slot-id=213026645",
            "pkcs11:model=SoftHSM%20v2;serial=48d8c90689182ba0;id=%01?pin-source=x",
        ] {
            assert!(token_matches(&t, spec), "{spec}");
        }
        for spec in [
            "kyso",
            "1070828915",
            "pkcs11:serial=48d8c90689182ba1",
            "pkcs11:token=kyso-dev;slot-id=1",
            "pkcs11:token=other",
        ] {
            assert!(!token_matches(&t, spec), "{spec}");
        }
        assert_eq!(percent_decode("a%20b%zz%4"), "a b%zz%4");
    }
}
