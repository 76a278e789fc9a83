//! The card's persistent state: PIN and its retry counter, identifiers, keys and certificates,
//! in one JSON file. The counter is written back after every change, so it survives removal,
//! reinsertion and the next process, as on a real card.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A key algorithm of the card, with its SP 800-78 algorithm identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyAlg {
    /// RSA-2048, algorithm `07`.
    Rsa2048,
    /// ECC P-256, algorithm `11`.
    EccP256,
}

impl KeyAlg {
    /// SP 800-78-4 Table 6-2 algorithm identifier (P1 of GENERAL AUTHENTICATE).
    pub fn id(self) -> u8 {
        match self {
            KeyAlg::Rsa2048 => 0x07,
            KeyAlg::EccP256 => 0x11,
        }
    }
}

/// A key slot (9A, 9C, 9D or 9E) with its key and certificate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SlotKey {
    /// Key reference: `9a`, `9c`, `9d` or `9e`.
    pub slot: String,
    /// Algorithm.
    pub algorithm: KeyAlg,
    /// PKCS#8 DER of the private key, hex.
    pub private_key: String,
    /// X.509 DER of the certificate, hex.
    pub certificate: String,
}

impl SlotKey {
    /// The key reference as a byte.
    pub fn key_ref(&self) -> Option<u8> {
        u8::from_str_radix(&self.slot, 16).ok()
    }
}

/// Everything the card remembers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    /// The PIV application PIN (6 to 8 digits). Test data, never a real PIN.
    pub pin: String,
    /// Retries the counter starts from (and returns to after a correct PIN).
    pub pin_retries_max: u8,
    /// Retries left; 0 = blocked.
    pub pin_retries_left: u8,
    /// Card UUID of the CHUID (16 bytes, hex): OpenSC derives the token serial from it.
    pub guid: String,
    /// FASC-N of the CHUID (25 bytes, hex).
    pub fascn: String,
    /// The test CA's certificate (DER, hex), for chains and for tests.
    pub ca_certificate: String,
    /// Keys and certificates by slot.
    pub slots: Vec<SlotKey>,
}

impl State {
    /// Reads a state file.
    pub fn load(path: &Path) -> Result<State, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Writes the state atomically (temporary file + rename): a reader never sees half a file.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        let mut tmp = PathBuf::from(path);
        tmp.set_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
    }
}
