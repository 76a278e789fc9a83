//! The certificate's public key type and the usages it allows, by name.

use x509_parser::asn1_rs::Oid;
use x509_parser::prelude::FromDer;
use x509_parser::public_key::RSAPublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::key::{Curve, KeyType};

pub(super) fn key_type_of(spki: &SubjectPublicKeyInfo<'_>) -> KeyType {
    let alg = spki.algorithm.algorithm.to_id_string();
    match alg.as_str() {
        // rsaEncryption, RSASSA-PSS
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => {
            match RSAPublicKey::from_der(&spki.subject_public_key.data) {
                Ok((_, key)) => KeyType::Rsa {
                    bits: bit_length(key.modulus),
                },
                Err(_) => KeyType::Other("RSA (unreadable key)".into()),
            }
        }
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid: Oid<'_>| oid.to_id_string());
            KeyType::Ec {
                curve: match curve.as_deref() {
                    Some("1.2.840.10045.3.1.7") => Curve::P256,
                    Some("1.3.132.0.34") => Curve::P384,
                    Some("1.3.132.0.35") => Curve::P521,
                    Some(other) => Curve::Other(other.to_string()),
                    None => Curve::Other("unspecified".into()),
                },
            }
        }
        "1.3.101.112" => KeyType::Other("Ed25519".into()),
        "1.3.101.113" => KeyType::Other("Ed448".into()),
        "1.2.840.10040.4.1" => KeyType::Other("DSA".into()),
        _ => KeyType::Other(alg),
    }
}

/// Bit length of an unsigned big-endian integer.
fn bit_length(bytes: &[u8]) -> usize {
    match bytes.iter().position(|&b| b != 0) {
        Some(i) => (bytes.len() - i - 1) * 8 + (8 - bytes[i].leading_zeros() as usize),
        None => 0,
    }
}

pub(super) fn key_usage_names(flags: u16) -> Vec<String> {
    const NAMES: [&str; 9] = [
        "digitalSignature",
        "nonRepudiation",
        "keyEncipherment",
        "dataEncipherment",
        "keyAgreement",
        "keyCertSign",
        "cRLSign",
        "encipherOnly",
        "decipherOnly",
    ];
    NAMES
        .iter()
        .enumerate()
        .filter(|(bit, _)| flags >> bit & 1 == 1)
        .map(|(_, n)| n.to_string())
        .collect()
}

pub(super) fn eku_names(eku: &x509_parser::extensions::ExtendedKeyUsage<'_>) -> Vec<String> {
    let mut out: Vec<String> = [
        (eku.server_auth, "serverAuth"),
        (eku.client_auth, "clientAuth"),
        (eku.code_signing, "codeSigning"),
        (eku.email_protection, "emailProtection"),
        (eku.time_stamping, "timeStamping"),
        (eku.ocsp_signing, "OCSPSigning"),
        (eku.any, "anyExtendedKeyUsage"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, n)| n.to_string())
    .collect();
    for oid in &eku.other {
        let oid = oid.to_id_string();
        out.push(match oid.as_str() {
            "1.3.6.1.5.5.7.3.36" => "documentSigning".to_string(),
            "1.3.6.1.4.1.311.10.3.12" => "msDocumentSigning".to_string(),
            "1.3.6.1.4.1.311.20.2.2" => "msSmartcardLogin".to_string(),
            "1.2.840.113583.1.1.5" => "adobePdfSigning".to_string(),
            _ => oid,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_length(&[0x00, 0x80, 0]), 16);
        assert_eq!(bit_length(&[0x01, 0]), 9);
        assert_eq!(bit_length(&[0]), 0);
    }
}
