//! The remote signing backend: keys in a provider's HSM reached over the Cloud Signature
//! Consortium API (v2, and v1 as Viettel MySign serves it). Each credential is a [`Token`](crate::Token) with
//! one [`Signer`](crate::Signer), used by the CLI, documents and the PKCS#11 module like any
//! token.
//!
//! Flow: OAuth2 access token (`oauth`) → `credentials/list` and `credentials/info` (certificate
//! chain, algorithms, PIN/OTP, `multisign`) → `Token::login` = `credentials/authorize` (PIN and
//! OTP → SAD for a batch) → `signatures/signHash` with many hashes per call.

pub mod algo;
pub mod credential;
pub mod csc;
pub mod http;
pub mod oauth;
mod otp;
mod token;

use std::sync::Arc;

pub use credential::CredentialInfo;
pub use csc::Client;
pub use otp::OtpPrompt;
pub use token::{RemoteSigner, RemoteToken};

use crate::config::RemoteConfig;
use crate::error::{Error, Result};

/// The credentials of one account, as tokens (its `credentials` setting selects some).
pub fn account_tokens(cfg: &RemoteConfig, first_index: u64) -> Result<Vec<Arc<RemoteToken>>> {
    let client = Arc::new(Client::new(cfg.clone())?);
    let ids = if cfg.credentials.is_empty() {
        client.list()?
    } else {
        cfg.credentials.clone()
    };
    let mut out = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let info = client.credential_info(id)?;
        match RemoteToken::new(client.clone(), info, first_index + i as u64) {
            Ok(t) => out.push(t),
            Err(e) => log::warn!("remote credential {}/{id} skipped: {e}", cfg.name),
        }
    }
    Ok(out)
}

/// Tokens of every account; an account that fails is reported, not fatal (one provider down
/// must not hide the others, nor the USB tokens).
pub fn tokens(configs: &[RemoteConfig]) -> (Vec<Arc<RemoteToken>>, Vec<(String, Error)>) {
    let mut tokens = Vec::new();
    let mut errors = Vec::new();
    for (i, cfg) in configs.iter().enumerate() {
        match account_tokens(cfg, (i as u64 + 1) * 1000) {
            Ok(t) => tokens.extend(t),
            Err(e) => errors.push((cfg.name.clone(), e)),
        }
    }
    (tokens, errors)
}
