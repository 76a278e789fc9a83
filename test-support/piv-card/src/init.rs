//! A new card: keys made here (RustCrypto), certificates with Vietnamese-style subjects issued
//! by a software test CA (RSA-2048, as Vietnamese CAs use), PIN `123456` unless told.

use kyso::testca::rcgen::{DnType, KeyUsagePurpose};
use kyso::testca::{self, field_leaf, vn_name, SoftKey, TestCa};
use rsa::rand_core::{OsRng, RngCore};

use crate::state::{KeyAlg, SlotKey, State};

struct Profile {
    slot: &'static str,
    alg: KeyAlg,
    subject: Vec<(DnType, &'static str)>,
    usage: Vec<KeyUsagePurpose>,
}

fn profiles() -> Vec<Profile> {
    let signing = || {
        vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ]
    };
    vec![
        // PIV authentication: the official's personal certificate.
        Profile {
            slot: "9a",
            alg: KeyAlg::Rsa2048,
            subject: testca::personal(),
            usage: signing(),
        },
        // Digital signature (PIN always): the organisation's seal.
        Profile {
            slot: "9c",
            alg: KeyAlg::EccP256,
            subject: testca::organisation(),
            usage: signing(),
        },
        // Key management.
        Profile {
            slot: "9d",
            alg: KeyAlg::EccP256,
            subject: testca::personal(),
            usage: vec![KeyUsagePurpose::KeyAgreement],
        },
        // Card authentication (no PIN).
        Profile {
            slot: "9e",
            alg: KeyAlg::EccP256,
            subject: vec![
                (DnType::CountryName, "VN"),
                (DnType::LocalityName, "Đà Nẵng"),
                (DnType::CommonName, "KYSO THẺ ẢO 0001"),
            ],
            usage: vec![KeyUsagePurpose::DigitalSignature],
        },
    ]
}

fn random(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    OsRng.fill_bytes(&mut b);
    b
}

/// A new card state with every slot filled.
pub fn new_state(pin: &str, retries: u8) -> Result<State, String> {
    if !(6..=8).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the PIV PIN is 6 to 8 digits".into());
    }
    let ca = TestCa::kyso().map_err(|e| e.to_string())?;
    let mut slots = Vec::new();
    for p in profiles() {
        let key = SoftKey::generate(match p.alg {
            KeyAlg::Rsa2048 => testca::KeyAlg::Rsa(2048),
            KeyAlg::EccP256 => testca::KeyAlg::P256,
        })
        .map_err(|e| e.to_string())?;
        let mut leaf = field_leaf(vn_name(&p.subject).map_err(|e| e.to_string())?);
        leaf.key_usages = p.usage;
        let cert = ca.issue_for(&leaf, &key.spki).map_err(|e| e.to_string())?;
        slots.push(SlotKey {
            slot: p.slot.into(),
            algorithm: p.alg,
            private_key: hex::encode(key.pkcs8),
            certificate: hex::encode(cert),
        });
    }
    // FASC-N of a test agency (all digits 9, as in SP 800-73-4's test cards), random GUID.
    let mut fascn = vec![0xD4, 0xE7, 0x39, 0xDA, 0x73, 0x9C, 0xED, 0x39, 0xCE, 0x73];
    fascn.extend(random(15));
    Ok(State {
        pin: pin.into(),
        pin_retries_max: retries,
        pin_retries_left: retries,
        guid: hex::encode(random(16)),
        fascn: hex::encode(fascn),
        ca_certificate: hex::encode(&ca.der),
        slots,
    })
}
