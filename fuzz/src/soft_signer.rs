//! A software [`kyso::Signer`] for fuzzing the document code: a fixed EC P-256 test key
//! (`data/signer-key.sec1.der`, a fuzzing-only key) and its self-signed Vietnamese-looking
//! certificate (`data/signer.der`).

use std::sync::OnceLock;

use kyso::key::Curve;
use kyso::{Certificate, KeyInfo, KeyType, SignatureAlgorithm, Signer};
use p256::ecdsa::signature::hazmat::PrehashSigner;

pub struct SoftSigner {
    key: p256::ecdsa::SigningKey,
    cert: Certificate,
    info: KeyInfo,
}

pub fn get() -> &'static SoftSigner {
    static S: OnceLock<SoftSigner> = OnceLock::new();
    S.get_or_init(|| {
        let secret =
            p256::SecretKey::from_sec1_der(include_bytes!("../data/signer-key.sec1.der")).unwrap();
        SoftSigner {
            key: secret.into(),
            cert: Certificate::from_der(include_bytes!("../data/signer.der").to_vec()).unwrap(),
            info: KeyInfo {
                key_type: KeyType::Ec { curve: Curve::P256 },
                id: vec![1],
                label: "fuzz".into(),
                token: "software".into(),
                always_authenticate: false,
            },
        }
    })
}

impl Signer for SoftSigner {
    fn certificate(&self) -> &Certificate {
        &self.cert
    }
    fn key(&self) -> &KeyInfo {
        &self.info
    }
    fn algorithms(&self) -> Vec<SignatureAlgorithm> {
        vec![SignatureAlgorithm::Ecdsa(kyso::HashAlg::Sha256)]
    }
    fn sign_digest(&self, _alg: SignatureAlgorithm, digest: &[u8]) -> kyso::Result<Vec<u8>> {
        let sig: p256::ecdsa::Signature = self.key.sign_prehash(digest).unwrap();
        Ok(sig.to_bytes().to_vec())
    }
}
