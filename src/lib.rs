//! kyso — sign with USB tokens, smart cards and SoftHSM through one uniform trait.
//!
//! Backends ([`pkcs11`], [`remote`]) produce [`Token`]s and [`Signer`]s; documents, the `kyso` command and
//! the PKCS#11 module consume them without knowing where a key lives.

#![forbid(unsafe_code)]

#[cfg(feature = "documents")]
pub mod batch;
pub mod cert;
pub mod checked;
pub mod config;
pub mod devices;
pub mod digest;
pub mod discovery;
#[cfg(feature = "documents")]
pub mod document;
pub mod error;
pub mod i18n;
pub mod key;
pub mod pkcs11;
pub mod public_key;
pub mod remote;
pub mod signer;
#[cfg(any(test, feature = "testca"))]
pub mod testca;
mod util;

pub use cert::Certificate;
pub use digest::HashAlg;
pub use error::{Error, PinRetries, Result};
pub use key::{KeyInfo, KeyType, SignatureAlgorithm};
pub use signer::{CertificateEntry, Signer, Token, TokenInfo};
