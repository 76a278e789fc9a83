//! `kyso dev-token`: a SoftHSM token with Vietnamese-style test certificates, for integrators
//! and the demo. Keys are generated on the token; a software test CA issues the certificates.

use std::path::{Path, PathBuf};

use clap::Args;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SerialNumber,
    SubjectPublicKeyInfo,
};
use rsa::pkcs8::EncodePrivateKey;
use secrecy::SecretString;
use serde_json::json;

use kyso::config::ModuleConfig;
use kyso::key::Curve;
use kyso::pkcs11::provision::{NewKey, Provisioner};
use kyso::pkcs11::Module;
use kyso::{Certificate, Error, Result};

use super::{print_json, Cli};

/// Test PINs: printed, documented, never for real keys.
const USER_PIN: &str = "123456";
const SO_PIN: &str = "12345678";
const LABEL: &str = "kyso-dev";
const UID_OID: [u64; 7] = [0, 9, 2342, 19200300, 100, 1, 1];

/// Where Debian/Ubuntu/Fedora install SoftHSM's module.
const SOFTHSM_PATHS: [&str; 3] = [
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",
];

/// Options of `kyso dev-token`.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  eval \"$(kyso dev-token --dir /tmp/t --print-env)\"\n  kyso certs"
)]
pub struct DevTokenArgs {
    /// Directory holding the token, its CA and kyso.toml [default: ~/.local/share/kyso/dev-token].
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Print only `export …` lines for `eval` (SOFTHSM2_CONF, KYSO_CONFIG).
    #[arg(long)]
    print_env: bool,
    /// SoftHSM's PKCS#11 module, when not in a usual place.
    #[arg(long, value_name = "PATH")]
    softhsm: Option<PathBuf>,
}

struct Profile {
    id: u8,
    label: &'static str,
    key: NewKey,
    subject: Vec<(DnType, &'static str)>,
}

fn profiles() -> Vec<Profile> {
    let uid = || DnType::CustomDnType(UID_OID.to_vec());
    vec![
        Profile {
            id: 1,
            label: "personal",
            key: NewKey::Rsa(2048),
            subject: vec![
                (DnType::CountryName, "VN"),
                (DnType::LocalityName, "Hà Nội"),
                (DnType::CommonName, "NGUYỄN VĂN AN"),
                (uid(), "CCCD:001099012345"),
            ],
        },
        Profile {
            id: 2,
            label: "organisation",
            key: NewKey::Ec(Curve::P256),
            subject: vec![
                (DnType::CountryName, "VN"),
                (DnType::LocalityName, "Thành phố Hồ Chí Minh"),
                (DnType::OrganizationName, "CÔNG TY TNHH KYSO VIỆT NAM"),
                (DnType::CommonName, "CÔNG TY TNHH KYSO VIỆT NAM"),
                (uid(), "MST:0312345678"),
            ],
        },
    ]
}

pub fn run(cli: &Cli, args: &DevTokenArgs) -> Result<i32> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => default_dir()?,
    };
    let dir = absolute(&dir)?;
    let module_path = match &args.softhsm {
        Some(p) => p.clone(),
        None => SOFTHSM_PATHS
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .ok_or_else(|| {
                Error::InvalidInput(
                    "SoftHSM not found: install it (apt-get install softhsm2) or pass --softhsm PATH"
                        .into(),
                )
            })?,
    };
    let conf = dir.join("softhsm2.conf");
    let kyso_toml = dir.join("kyso.toml");
    let created = !dir.join("ca.pem").exists();
    if created {
        create(&dir, &module_path)?;
    }
    std::fs::write(
        &kyso_toml,
        format!(
            "# Written by `kyso dev-token`: the SoftHSM module holding the dev token.\n\
             [[module]]\npath = \"{}\"\nname = \"softhsm\"\n",
            module_path.display()
        ),
    )
    .map_err(|e| Error::io(kyso_toml.display().to_string(), e))?;

    if args.print_env {
        println!("export SOFTHSM2_CONF='{}'", conf.display());
        println!("export KYSO_CONFIG='{}'", kyso_toml.display());
        return Ok(0);
    }
    let keys: Vec<_> = profiles()
        .iter()
        .map(|p| {
            json!({
                "id": format!("{:02x}", p.id),
                "label": p.label,
                "certificate": dir.join(format!("{}.pem", p.label)),
                "public_key": dir.join(format!("{}.pub.pem", p.label)),
            })
        })
        .collect();
    if cli.json {
        print_json(&json!({
            "dir": dir,
            "created": created,
            "token": LABEL,
            "pin": USER_PIN,
            "so_pin": SO_PIN,
            "softhsm2_conf": conf,
            "kyso_config": kyso_toml,
            "module": module_path,
            "ca": dir.join("ca.pem"),
            "keys": keys,
        }));
    } else {
        println!(
            "dev token '{LABEL}' {} in {}\n\
             \n  PIN {USER_PIN} (SO PIN {SO_PIN}) — test values, never for real keys\n\
             \n  export SOFTHSM2_CONF='{}'\n  export KYSO_CONFIG='{}'\n\
             \n  module          {}\n  test CA         {}",
            if created { "created" } else { "reused" },
            dir.display(),
            conf.display(),
            kyso_toml.display(),
            module_path.display(),
            dir.join("ca.pem").display(),
        );
        for k in &keys {
            println!(
                "  key {} {:<13} certificate {}, public key {}",
                k["id"].as_str().unwrap_or(""),
                k["label"].as_str().unwrap_or(""),
                k["certificate"].as_str().unwrap_or(""),
                k["public_key"].as_str().unwrap_or("")
            );
        }
    }
    Ok(0)
}

fn default_dir() -> Result<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .ok_or_else(|| Error::InvalidInput("HOME is not set: pass --dir".into()))?;
    Ok(base.join("kyso").join("dev-token"))
}

fn absolute(p: &Path) -> Result<PathBuf> {
    std::path::absolute(p).map_err(|e| Error::io(p.display().to_string(), e))
}

fn write(path: &Path, data: impl AsRef<[u8]>) -> Result<()> {
    std::fs::write(path, data).map_err(|e| Error::io(path.display().to_string(), e))
}

fn rcgen_err(e: rcgen::Error) -> Error {
    Error::InvalidInput(format!("test certificate: {e}"))
}

/// Builds the token: SoftHSM config, token, keys on the token, CA, certificates.
fn create(dir: &Path, module_path: &Path) -> Result<()> {
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens).map_err(|e| Error::io(tokens.display().to_string(), e))?;
    let conf = dir.join("softhsm2.conf");
    write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
            tokens.display()
        ),
    )?;
    // SoftHSM reads its configuration when loaded: set it before loading the module.
    std::env::set_var("SOFTHSM2_CONF", &conf);
    let module = Module::load(&ModuleConfig::from_path(module_path))?;
    let prov = Provisioner::init_token(
        module,
        LABEL,
        &SecretString::from(SO_PIN),
        &SecretString::from(USER_PIN),
    )?;

    let (ca_params, ca_key) = test_ca()?;
    let ca_cert = ca_params.self_signed(&ca_key).map_err(rcgen_err)?;
    let issuer = Issuer::new(ca_params, ca_key);
    for p in profiles() {
        let id = [p.id];
        let spki = prov.generate(&p.key, &id, p.label)?;
        let public = SubjectPublicKeyInfo::from_der(&spki).map_err(rcgen_err)?;
        let cert = leaf_params(&p)?
            .signed_by(&public, &issuer)
            .map_err(rcgen_err)?;
        let cert = Certificate::from_der(cert.der().to_vec())?;
        prov.store_certificate(&cert, &id, p.label)?;
        write(&dir.join(format!("{}.pem", p.label)), cert.to_pem())?;
        write(
            &dir.join(format!("{}.pub.pem", p.label)),
            pem("PUBLIC KEY", &spki)?,
        )?;
    }
    write(&dir.join("ca.pem"), ca_cert.pem())?;
    Ok(())
}

fn pem(tag: &str, der: &[u8]) -> Result<String> {
    der::pem::encode_string(tag, der::pem::LineEnding::LF, der)
        .map_err(|e| Error::InvalidInput(format!("PEM encoding: {e}")))
}

/// The test CA: RSA-2048 in software, as Vietnamese CAs use RSA.
fn test_ca() -> Result<(CertificateParams, KeyPair)> {
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
        .map_err(|e| Error::InvalidInput(format!("CA key: {e}")))?;
    let pkcs8 = key
        .to_pkcs8_der()
        .map_err(|e| Error::InvalidInput(format!("CA key: {e}")))?;
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
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(3650);
    params.serial_number = Some(random_serial());
    Ok((params, key))
}

fn leaf_params(p: &Profile) -> Result<CertificateParams> {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    for (ty, value) in &p.subject {
        if *ty == DnType::CountryName {
            dn.push(
                ty.clone(),
                DnValue::PrintableString((*value).try_into().map_err(rcgen_err)?),
            );
        } else {
            dn.push(ty.clone(), DnValue::Utf8String((*value).to_owned()));
        }
    }
    params.distinguished_name = dn;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ClientAuth,
        ExtendedKeyUsagePurpose::EmailProtection,
    ];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(365);
    params.serial_number = Some(random_serial());
    params.use_authority_key_identifier_extension = true;
    Ok(params)
}

fn random_serial() -> SerialNumber {
    use rsa::rand_core::RngCore;
    let mut bytes = [0u8; 16];
    rsa::rand_core::OsRng.fill_bytes(&mut bytes);
    bytes[0] &= 0x7f; // positive
    SerialNumber::from(bytes.to_vec())
}
