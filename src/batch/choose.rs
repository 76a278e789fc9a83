//! The choices made before a batch: which token, which key, which algorithm, which chain. Each
//! is made before anything is signed and never silently (a choice among several is returned
//! for the face to announce).

use std::sync::Arc;

use crate::cert::Certificate;
use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::key::{KeyType, SignatureAlgorithm};
use crate::signer::{Signer, Token};

use super::Format;

/// A short description of a token for choice lists.
pub fn describe(t: &dyn Token) -> String {
    match t.info() {
        Ok(i) => format!(
            "'{}' ({} {}, module {}, slot {})",
            i.label, i.manufacturer, i.model, i.module, i.slot
        ),
        Err(e) => format!("(unreadable token: {e})"),
    }
}

/// The token to log in to: the only one, or the only one holding the requested key (`label`
/// only names what was asked, for the message when nothing is found).
pub fn token(
    tokens: Vec<Arc<dyn Token>>,
    label: Option<&str>,
    key_id: Option<&[u8]>,
) -> Result<Arc<dyn Token>> {
    if tokens.len() <= 1 {
        return tokens.into_iter().next().ok_or_else(|| {
            Error::TokenNotFound(label.map(|l| format!("label '{l}'")).unwrap_or_default())
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
        0 => Err(Error::KeyNotFound(format!(
            "no token holds {}; tokens: {}",
            key_id
                .map(|i| format!("a key with id {}", hex::encode(i)))
                .unwrap_or("a certificate with a key".into()),
            list(&tokens)
        ))),
        _ => Err(Error::Ambiguous(format!(
            "several tokens hold keys, choose one with --token LABEL: {}",
            list(&fitting)
        ))),
    }
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
            Some(id) => format!(
                "no certificate with a private key has id {} on token '{}' (see `kyso certs`)",
                hex::encode(id),
                label
            ),
            None => format!("token '{label}' holds no certificate with a private key"),
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
    if asked.is_none() && format.is_document() && matches!(key_type, KeyType::Rsa { .. }) {
        let pss = SignatureAlgorithm::RsaPss(HashAlg::Sha256);
        if offered.contains(&pss) {
            return Ok(AlgorithmChoice {
                algorithm: pss,
                note,
            });
        }
        note = Some(format!(
            "token '{}' offers no RSASSA-PSS: signing with rsa-pkcs1-sha256",
            signer.key().token
        ));
    }
    let alg = match asked {
        Some(n) => SignatureAlgorithm::from_name(n).ok_or_else(|| {
            Error::InvalidInput(format!(
                "unknown algorithm '{n}'; known: {}",
                SignatureAlgorithm::ALL.map(|a| a.name()).join(", ")
            ))
        })?,
        None => SignatureAlgorithm::default_for(key_type).ok_or_else(|| {
            Error::InvalidInput(format!("kyso cannot sign with a {key_type} key"))
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
        what: format!(
            "{alg} with a {key_type} key; this key can do: {}",
            offered
                .iter()
                .map(|a| a.name())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

/// The signer's issuers as far as they are known (from `pool` and CA certificates on the
/// token), each checked by signature; the self-signed root is left out.
pub fn known_chain(
    leaf: &Certificate,
    token: &dyn Token,
    mut pool: Vec<Certificate>,
) -> Vec<Certificate> {
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
