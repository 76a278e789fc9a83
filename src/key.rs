//! What a key is, without touching it: its type and curve, the signature algorithms it can make,
//! and what a token says about it.

use serde::Serialize;

use crate::digest::HashAlg;

/// An elliptic curve a key can be on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum Curve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
    /// NIST P-521 (secp521r1): listed, not signed with.
    P521,
    /// Any other curve, by OID.
    Other(String),
}

/// The type and size of a key, as shown to people (`RSA-2048`, `EC-P256`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum KeyType {
    /// RSA with its modulus size in bits.
    Rsa {
        /// Modulus size.
        bits: usize,
    },
    /// Elliptic-curve key.
    Ec {
        /// The curve.
        curve: Curve,
    },
    /// Anything else (Ed25519, DSA, GOST…), by algorithm OID or name.
    Other(String),
}

impl std::fmt::Display for KeyType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyType::Rsa { bits } => write!(f, "RSA-{bits}"),
            KeyType::Ec { curve: Curve::P256 } => f.write_str("EC-P256"),
            KeyType::Ec { curve: Curve::P384 } => f.write_str("EC-P384"),
            KeyType::Ec { curve: Curve::P521 } => f.write_str("EC-P521"),
            KeyType::Ec {
                curve: Curve::Other(oid),
            } => write!(f, "EC-{oid}"),
            KeyType::Other(name) => f.write_str(name),
        }
    }
}

/// A signature algorithm over a digest computed by the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5.
    RsaPkcs1(HashAlg),
    /// RSASSA-PSS, MGF1 with the same hash, salt length = hash length.
    RsaPss(HashAlg),
    /// ECDSA; the signature is the raw `r || s` of PKCS#11 (convert with [`crate::public_key`]).
    Ecdsa(HashAlg),
}

impl SignatureAlgorithm {
    /// Every algorithm kyso signs with.
    pub const ALL: [SignatureAlgorithm; 8] = [
        SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256),
        SignatureAlgorithm::RsaPkcs1(HashAlg::Sha384),
        SignatureAlgorithm::RsaPkcs1(HashAlg::Sha512),
        SignatureAlgorithm::RsaPss(HashAlg::Sha256),
        SignatureAlgorithm::RsaPss(HashAlg::Sha384),
        SignatureAlgorithm::RsaPss(HashAlg::Sha512),
        SignatureAlgorithm::Ecdsa(HashAlg::Sha256),
        SignatureAlgorithm::Ecdsa(HashAlg::Sha384),
    ];

    /// The hash the digest must be computed with.
    pub fn hash(self) -> HashAlg {
        match self {
            SignatureAlgorithm::RsaPkcs1(h)
            | SignatureAlgorithm::RsaPss(h)
            | SignatureAlgorithm::Ecdsa(h) => h,
        }
    }

    /// The command-line name, e.g. `rsa-pkcs1-sha256`, `rsa-pss-sha384`, `ecdsa-sha256`.
    pub fn name(self) -> String {
        let h = self.hash().name();
        match self {
            SignatureAlgorithm::RsaPkcs1(_) => format!("rsa-pkcs1-{h}"),
            SignatureAlgorithm::RsaPss(_) => format!("rsa-pss-{h}"),
            SignatureAlgorithm::Ecdsa(_) => format!("ecdsa-{h}"),
        }
    }

    /// Parses [`SignatureAlgorithm::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Whether a key of this type can make this signature.
    pub fn fits(self, key: &KeyType) -> bool {
        match (self, key) {
            (
                SignatureAlgorithm::RsaPkcs1(_) | SignatureAlgorithm::RsaPss(_),
                KeyType::Rsa { .. },
            ) => true,
            (SignatureAlgorithm::Ecdsa(_), KeyType::Ec { curve }) => {
                matches!(curve, Curve::P256 | Curve::P384)
            }
            _ => false,
        }
    }

    /// The usual default for a key: PKCS#1 v1.5 SHA-256 for RSA (what Vietnamese relying parties
    /// accept everywhere), ECDSA with the curve's hash for EC.
    pub fn default_for(key: &KeyType) -> Option<Self> {
        match key {
            KeyType::Rsa { .. } => Some(SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256)),
            KeyType::Ec { curve: Curve::P256 } => Some(SignatureAlgorithm::Ecdsa(HashAlg::Sha256)),
            KeyType::Ec { curve: Curve::P384 } => Some(SignatureAlgorithm::Ecdsa(HashAlg::Sha384)),
            _ => None,
        }
    }
}

impl std::fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// What is known of a private key, without touching it.
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    /// Key type and size.
    pub key_type: KeyType,
    /// `CKA_ID` (pairs the key with its certificate).
    #[serde(serialize_with = "crate::util::hex_bytes")]
    pub id: Vec<u8>,
    /// `CKA_LABEL` of the key, or of the certificate when the key has none.
    pub label: String,
    /// Label of the token holding it.
    pub token: String,
    /// `CKA_ALWAYS_AUTHENTICATE`: the PIN is presented again for every signature.
    pub always_authenticate: bool,
}
