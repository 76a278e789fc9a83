//! The per-user local CA that makes browsers trust kyso's loopback TLS: made on first use,
//! its key readable by the user only, name-constrained to loopback names so that even a
//! stolen key cannot vouch for any real site; the server certificate is issued fresh at each
//! start.

use std::io::Write;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    NameConstraints, SanType,
};
use time::{Duration, OffsetDateTime};

use kyso::{Error, Result};

/// The CA's common name: what a person sees in the browser's certificate manager.
/// Stable: `kyso register` finds and removes it by this name in every language.
pub const CA_NAME: &str = "kyso local signing service (this computer only)"; // i18n: a certificate's name

/// The CA on disk and the certificate of the server it vouches for.
pub struct LocalCa {
    /// The server certificate (DER) for 127.0.0.1, ::1 and localhost.
    pub server_der: Vec<u8>,
    /// Its private key (PKCS#8 DER).
    pub server_key_der: Vec<u8>,
}

/// `$XDG_DATA_HOME/kyso/serve` (`~/.local/share/kyso/serve`).
pub fn default_dir() -> PathBuf {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".local/share")
        });
    data.join("kyso/serve")
}

/// The CA certificate file under `dir`.
pub fn ca_file(dir: &Path) -> PathBuf {
    dir.join("ca.pem")
}

fn rc(e: rcgen::Error) -> Error {
    Error::InvalidInput(format!("CA: {e}"))
}

impl LocalCa {
    /// Loads the CA in `dir`, making it first if absent, and issues a server certificate.
    pub fn open(dir: &Path) -> Result<LocalCa> {
        let (ca_path, key_path) = (ca_file(dir), dir.join("ca.key"));
        if !ca_path.exists() || !key_path.exists() {
            make_ca(dir, &ca_path, &key_path)?;
        }
        let io = |p: &Path, e| Error::io(format!("reading {}", p.display()), e);
        let ca_pem = std::fs::read_to_string(&ca_path).map_err(|e| io(&ca_path, e))?;
        let key_pem = std::fs::read_to_string(&key_path).map_err(|e| io(&key_path, e))?;
        check_private(&key_path)?;
        let ca_key = KeyPair::from_pem(&key_pem).map_err(rc)?;
        let issuer = Issuer::from_ca_cert_pem(&ca_pem, &ca_key).map_err(rc)?;
        let server_key = KeyPair::generate().map_err(rc)?;
        let mut params = CertificateParams::default();
        params.distinguished_name = name("kyso serve (localhost)"); // i18n: a certificate's name
        params.subject_alt_names = vec![
            SanType::DnsName("localhost".try_into().map_err(rc)?),
            SanType::IpAddress([127, 0, 0, 1].into()),
            SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()),
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::days(1);
        params.not_after = now + Duration::days(397);
        let cert = params.signed_by(&server_key, &issuer).map_err(rc)?;
        Ok(LocalCa {
            server_der: cert.der().to_vec(),
            server_key_der: server_key.serialize_der(),
        })
    }
}

fn name(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "kyso");
    dn.push(DnType::CommonName, cn);
    dn
}

/// A key file anyone else can read is refused: whoever reads it can intercept the service.
fn check_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| Error::io(path.display().to_string(), e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(Error::InvalidInput(kyso::t!(
            "serve-ca-key-readable",
            file = path.display().to_string(),
            mode = format!("{:o}", mode & 0o777)
        )));
    }
    Ok(())
}

fn make_ca(dir: &Path, ca_path: &Path, key_path: &Path) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let key = KeyPair::generate().map_err(rc)?;
    let mut params = CertificateParams::default();
    let user = std::env::var("USER").unwrap_or_default();
    params.distinguished_name = name(CA_NAME);
    if !user.is_empty() {
        params
            .distinguished_name
            .push(DnType::OrganizationalUnitName, format!("user {user}"));
    }
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    // Only loopback names: this CA can vouch for nothing on the network.
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![
            GeneralSubtree::DnsName("localhost".into()),
            GeneralSubtree::IpAddress(CidrSubnet::V4([127, 0, 0, 1], [255; 4])),
            GeneralSubtree::IpAddress(CidrSubnet::V6(
                std::net::Ipv6Addr::LOCALHOST.octets(),
                [255; 16],
            )),
        ],
        excluded_subtrees: vec![],
    });
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(3650);
    let cert = params.self_signed(&key).map_err(rc)?;
    let write = |path: &Path, text: &str, mode: u32| -> Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(path)
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
        f.write_all(text.as_bytes())
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))
    };
    write(key_path, &key.serialize_pem(), 0o600)?;
    write(ca_path, &cert.pem(), 0o644)?;
    log::info!("made the local CA {}", ca_path.display()); // i18n: a log line
    Ok(())
}
