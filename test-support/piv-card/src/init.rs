//! A new card: keys made here (RustCrypto), certificates with Vietnamese-style subjects issued
//! by a software test CA (RSA-2048, as Vietnamese CAs use), PIN `123456` unless told.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SerialNumber,
    SubjectPublicKeyInfo,
};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};
use rsa::rand_core::{OsRng, RngCore};

use crate::state::{KeyAlg, SlotKey, State};

const UID_OID: [u64; 7] = [0, 9, 2342, 19200300, 100, 1, 1];

struct Profile {
    slot: &'static str,
    alg: KeyAlg,
    subject: Vec<(DnType, &'static str)>,
    usage: Vec<KeyUsagePurpose>,
}

fn profiles() -> Vec<Profile> {
    let uid = || DnType::CustomDnType(UID_OID.to_vec());
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
            subject: vec![
                (DnType::CountryName, "VN"),
                (DnType::LocalityName, "Hà Nội"),
                (DnType::CommonName, "NGUYỄN VĂN AN"),
                (uid(), "CCCD:001099012345"),
            ],
            usage: signing(),
        },
        // Digital signature (PIN always): the organisation's seal.
        Profile {
            slot: "9c",
            alg: KeyAlg::EccP256,
            subject: vec![
                (DnType::CountryName, "VN"),
                (DnType::LocalityName, "Thành phố Hồ Chí Minh"),
                (DnType::OrganizationName, "CÔNG TY TNHH KYSO VIỆT NAM"),
                (DnType::CommonName, "CÔNG TY TNHH KYSO VIỆT NAM"),
                (uid(), "MST:0312345678"),
            ],
            usage: signing(),
        },
        // Key management.
        Profile {
            slot: "9d",
            alg: KeyAlg::EccP256,
            subject: vec![
                (DnType::CountryName, "VN"),
                (DnType::LocalityName, "Hà Nội"),
                (DnType::CommonName, "NGUYỄN VĂN AN"),
                (uid(), "CCCD:001099012345"),
            ],
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

fn rcgen_err(e: rcgen::Error) -> String {
    format!("test certificate: {e}")
}

fn random(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    OsRng.fill_bytes(&mut b);
    b
}

fn serial() -> SerialNumber {
    let mut b = random(16);
    b[0] &= 0x7f;
    SerialNumber::from(b)
}

fn validity(params: &mut CertificateParams, days: i64) {
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(days);
}

fn test_ca() -> Result<(CertificateParams, KeyPair), String> {
    let key = rsa::RsaPrivateKey::new(&mut OsRng, 2048).map_err(|e| e.to_string())?;
    let pkcs8 = key.to_pkcs8_der().map_err(|e| e.to_string())?;
    let key = KeyPair::try_from(pkcs8.as_bytes()).map_err(rcgen_err)?;
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::CountryName,
        DnValue::PrintableString("VN".try_into().map_err(rcgen_err)?),
    );
    dn.push(DnType::OrganizationName, "Kyso Test");
    dn.push(DnType::CommonName, "Kyso Test CA (không dùng thật)");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    validity(&mut params, 3650);
    params.serial_number = Some(serial());
    Ok((params, key))
}

fn leaf(p: &Profile) -> Result<CertificateParams, String> {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    for (ty, value) in &p.subject {
        let v = if *ty == DnType::CountryName {
            DnValue::PrintableString((*value).try_into().map_err(rcgen_err)?)
        } else {
            DnValue::Utf8String((*value).to_owned())
        };
        dn.push(ty.clone(), v);
    }
    params.distinguished_name = dn;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = p.usage.clone();
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ClientAuth,
        ExtendedKeyUsagePurpose::EmailProtection,
    ];
    validity(&mut params, 365);
    params.serial_number = Some(serial());
    params.use_authority_key_identifier_extension = true;
    Ok(params)
}

/// A new card state with every slot filled.
pub fn new_state(pin: &str, retries: u8) -> Result<State, String> {
    if !(6..=8).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the PIV PIN is 6 to 8 digits".into());
    }
    let (ca_params, ca_key) = test_ca()?;
    let ca_cert = ca_params.self_signed(&ca_key).map_err(rcgen_err)?;
    let issuer = Issuer::new(ca_params, ca_key);
    let mut slots = Vec::new();
    for p in profiles() {
        let (pkcs8, spki) = match p.alg {
            KeyAlg::Rsa2048 => {
                let k = rsa::RsaPrivateKey::new(&mut OsRng, 2048).map_err(|e| e.to_string())?;
                let spki = k
                    .to_public_key()
                    .to_public_key_der()
                    .map_err(|e| e.to_string())?;
                let pkcs8 = k.to_pkcs8_der().map_err(|e| e.to_string())?;
                (pkcs8.as_bytes().to_vec(), spki.as_bytes().to_vec())
            }
            KeyAlg::EccP256 => {
                let k = p256::ecdsa::SigningKey::random(&mut OsRng);
                let spki = k
                    .verifying_key()
                    .to_public_key_der()
                    .map_err(|e| e.to_string())?;
                let pkcs8 = k.to_pkcs8_der().map_err(|e| e.to_string())?;
                (pkcs8.as_bytes().to_vec(), spki.as_bytes().to_vec())
            }
        };
        let public = SubjectPublicKeyInfo::from_der(&spki).map_err(rcgen_err)?;
        let cert = leaf(&p)?.signed_by(&public, &issuer).map_err(rcgen_err)?;
        slots.push(SlotKey {
            slot: p.slot.into(),
            algorithm: p.alg,
            private_key: hex::encode(pkcs8),
            certificate: hex::encode(cert.der()),
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
        ca_certificate: hex::encode(ca_cert.der()),
        slots,
    })
}
