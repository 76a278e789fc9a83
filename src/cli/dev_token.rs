//! `kyso dev-token`: a SoftHSM token with Vietnamese-style test certificates, for integrators
//! and the demo. Keys are generated on the token; a software test CA issues the certificates.

use kyso::t;
use std::path::{Path, PathBuf};

use clap::Args;
use secrecy::SecretString;
use serde_json::json;

use kyso::config::ModuleConfig;
use kyso::key::Curve;
use kyso::pkcs11::provision::{NewKey, Provisioner};
use kyso::pkcs11::Module;
use kyso::testca::rcgen::DnType;
use kyso::testca::{self, field_leaf, vn_name, TestCa};
use kyso::{Certificate, Error, Result};

use super::{print_json, Cli};

/// Test PINs: printed, documented, never for real keys.
const USER_PIN: &str = "123456";
const SO_PIN: &str = "12345678";
const LABEL: &str = "kyso-dev";

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
    vec![
        Profile {
            id: 1,
            label: "personal",
            key: NewKey::Rsa(2048),
            subject: testca::personal(),
        },
        Profile {
            id: 2,
            label: "organisation",
            key: NewKey::Ec(Curve::P256),
            subject: testca::organisation(),
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
            .ok_or_else(|| Error::InvalidInput(t!("dev-token-no-softhsm")))?,
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
            // i18n: a configuration file's comment
            "# Written by `kyso dev-token`: the SoftHSM module holding the dev token.\n\
             [[module]]\npath = \"{}\"\nname = \"softhsm\"\n",
            module_path.display()
        ),
    )
    .map_err(|e| Error::io(kyso_toml.display().to_string(), e))?;
    // The test PIN in a 0600 file, so examples and scripts use `--pin-file` as real ones should.
    let pin_file = dir.join("pin");
    write_private(&pin_file, format!("{USER_PIN}\n"))?;

    if args.print_env {
        print!("{}", exports(&conf, &kyso_toml, ""));
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
            "pin_file": pin_file,
            "softhsm2_conf": conf,
            "kyso_config": kyso_toml,
            "module": module_path,
            "ca": dir.join("ca.pem"),
            "keys": keys,
        }));
    } else {
        let dir_name = dir.display().to_string();
        println!(
            "{}\n",
            if created {
                t!("dev-token-created", label = LABEL, dir = dir_name)
            } else {
                t!("dev-token-reused", label = LABEL, dir = dir_name)
            }
        );
        println!(
            "  {}\n",
            t!("dev-token-pins", pin = USER_PIN, so_pin = SO_PIN)
        );
        println!("{}", exports(&conf, &kyso_toml, "  "));
        let fields = [
            (t!("dev-token-module"), module_path.display().to_string()),
            (t!("dev-token-ca"), dir.join("ca.pem").display().to_string()),
            (
                t!("dev-token-pin-file"),
                t!(
                    "dev-token-pin-file-value",
                    file = pin_file.display().to_string()
                ),
            ),
        ];
        let width = fields
            .iter()
            .map(|(l, _)| l.chars().count())
            .max()
            .unwrap_or(0)
            .max(15);
        for (l, v) in &fields {
            println!("  {l}{} {v}", " ".repeat(width - l.chars().count()));
        }
        for k in &keys {
            let s = |f: &str| k[f].as_str().unwrap_or("").to_owned();
            println!(
                "  {}",
                t!(
                    "dev-token-key",
                    id = s("id"),
                    label = format!("{:<13}", s("label")),
                    certificate = s("certificate"),
                    public_key = s("public_key")
                )
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
        .ok_or_else(|| Error::InvalidInput(t!("dev-token-no-home")))?;
    Ok(base.join("kyso").join("dev-token"))
}

fn absolute(p: &Path) -> Result<PathBuf> {
    std::path::absolute(p).map_err(|e| Error::io(p.display().to_string(), e))
}

fn write(path: &Path, data: impl AsRef<[u8]>) -> Result<()> {
    std::fs::write(path, data).map_err(|e| Error::io(path.display().to_string(), e))
}

/// Writes a file only its owner can read (created so, never world-readable for a moment).
fn write_private(path: &Path, data: impl AsRef<[u8]>) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let err = |e| Error::io(path.display().to_string(), e);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(err)?;
    f.write_all(data.as_ref()).map_err(err)
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

    let ca = TestCa::kyso()?;
    for p in profiles() {
        let id = [p.id];
        let spki = prov.generate(&p.key, &id, p.label)?;
        let cert = ca.issue_for(&field_leaf(vn_name(&p.subject)?), &spki)?;
        let cert = Certificate::from_der(cert)?;
        prov.store_certificate(&cert, &id, p.label)?;
        write(&dir.join(format!("{}.pem", p.label)), cert.to_pem())?;
        write(
            &dir.join(format!("{}.pub.pem", p.label)),
            pem("PUBLIC KEY", &spki)?, // i18n: the PEM label
        )?;
    }
    write(&dir.join("ca.pem"), ca.pem())?;
    Ok(())
}

fn pem(tag: &str, der: &[u8]) -> Result<String> {
    der::pem::encode_string(tag, der::pem::LineEnding::LF, der)
        .map_err(|e| Error::InvalidInput(format!("PEM: {e}")))
}

/// The shell lines that point SoftHSM and kyso at the dev token, each line after `indent`.
fn exports(conf: &Path, kyso_toml: &Path, indent: &str) -> String {
    format!(
        // i18n: shell commands, typed as they are
        "{indent}export SOFTHSM2_CONF='{}'\n{indent}export KYSO_CONFIG='{}'\n",
        conf.display(),
        kyso_toml.display()
    )
}
