//! Reading and changing the module list of an NSS `sql:` database. Reads parse `pkcs11.txt`
//! (no module is loaded); changes go through NSS's own `modutil`, which keeps the database
//! consistent.

use kyso::t;
use std::path::{Path, PathBuf};
use std::process::Command;

use kyso::{Error, Result};

/// The file name of kyso's PKCS#11 module.
pub const MODULE_FILE: &str = "libkyso_pkcs11.so";
/// The name kyso registers its module under.
pub const MODULE_NAME: &str = "kyso";

/// One module entry of `pkcs11.txt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub library: String,
}

impl Entry {
    /// Ours: registered under our name, or a library named like ours (registered by hand).
    pub fn is_kyso(&self) -> bool {
        self.name == MODULE_NAME
            || Path::new(&self.library)
                .file_name()
                .is_some_and(|f| f == MODULE_FILE)
    }
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    v.strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(v)
        .to_owned()
}

/// The module entries of a `pkcs11.txt` (blocks of `key=value` lines separated by blank
/// lines); NSS's internal module (empty library) is left out.
pub fn parse_pkcs11_txt(text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut cur: (Option<String>, Option<String>) = (None, None);
    let mut flush = |cur: &mut (Option<String>, Option<String>)| {
        if let (Some(name), Some(library)) = cur.clone() {
            if !library.is_empty() {
                out.push(Entry { name, library });
            }
        }
        *cur = (None, None);
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush(&mut cur);
        } else if let Some(v) = line.strip_prefix("library=") {
            cur.1 = Some(unquote(v));
        } else if let Some(v) = line.strip_prefix("name=") {
            cur.0 = Some(unquote(v));
        }
    }
    flush(&mut cur);
    out
}

/// The kyso entries of the database in `dir` (empty when it has none or no `pkcs11.txt`).
pub fn kyso_entries(dir: &Path) -> Vec<Entry> {
    std::fs::read_to_string(dir.join("pkcs11.txt"))
        .map(|t| parse_pkcs11_txt(&t))
        .unwrap_or_default()
        .into_iter()
        .filter(Entry::is_kyso)
        .collect()
}

/// `modutil` (or `certutil`), or how to install it.
pub fn nss_tool(name: &str) -> Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| Error::InvalidInput(t!("register-nss-tools-missing", tool = name)))
}

fn run(tool: &str, args: &[&str], dir: &Path) -> Result<()> {
    let out = Command::new(nss_tool(tool)?)
        .args(args)
        .env("NSS_DEFAULT_DB_TYPE", "sql")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| Error::io(t!("io-running", program = tool), e))?;
    if out.status.success() {
        Ok(())
    } else {
        let msg = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        let msg = if msg.is_empty() {
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        } else {
            msg
        };
        Err(Error::InvalidInput(t!(
            "register-nss-tool-failed",
            tool = tool,
            command = *args.first().unwrap_or(&""),
            dir = dir.display().to_string(),
            message = msg
        )))
    }
}

fn dbarg(dir: &Path) -> String {
    format!("sql:{}", dir.display())
}

/// Creates an empty `sql:` database (no password) in `dir`, as Chromium does on first run.
pub fn create(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    run(
        "certutil",
        &["-N", "-d", &dbarg(dir), "--empty-password"],
        dir,
    )
}

/// Adds the module under [`MODULE_NAME`].
pub fn add(dir: &Path, library: &Path) -> Result<()> {
    let lib = library.display().to_string();
    run(
        "modutil",
        &[
            "-dbdir",
            &dbarg(dir),
            "-add",
            MODULE_NAME,
            "-libfile",
            &lib,
            "-force",
        ],
        dir,
    )
}

/// Deletes the module entry named `name`.
pub fn delete(dir: &Path, name: &str) -> Result<()> {
    run(
        "modutil",
        &["-dbdir", &dbarg(dir), "-delete", name, "-force"],
        dir,
    )
}

/// The trust flags of certificate `nick` in the database in `dir` (`C,,`), if it is there.
pub fn cert_trust(dir: &Path, nick: &str) -> Option<String> {
    let out = Command::new(nss_tool("certutil").ok()?)
        .args(["-L", "-d", &dbarg(dir)])
        .env("NSS_DEFAULT_DB_TYPE", "sql")
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout).lines().find_map(|l| {
        let l = l.trim_end();
        let rest = l.strip_prefix(nick)?;
        let flags = rest.trim();
        (rest.starts_with(' ') && flags.split(',').count() == 3).then(|| flags.to_owned())
    })
}

/// Certificate `nick` of the database in `dir`, PEM.
pub fn exported(dir: &Path, nick: &str) -> Option<String> {
    let out = Command::new(nss_tool("certutil").ok()?)
        .args(["-L", "-d", &dbarg(dir), "-n", nick, "-a"])
        .env("NSS_DEFAULT_DB_TYPE", "sql")
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n"))
}

/// Adds the CA certificate `pem` as `nick`, trusted to issue TLS server certificates only
/// (`C,,`: not e-mail, not code signing).
pub fn add_server_ca(dir: &Path, nick: &str, pem: &Path) -> Result<()> {
    let pem = pem.display().to_string();
    run(
        "certutil",
        &[
            "-A",
            "-d",
            &dbarg(dir),
            "-n",
            nick,
            "-t",
            "C,,",
            "-a",
            "-i",
            &pem,
        ],
        dir,
    )
}

/// Deletes the certificate `nick`.
pub fn delete_cert(dir: &Path, nick: &str) -> Result<()> {
    run("certutil", &["-D", "-d", &dbarg(dir), "-n", nick], dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkcs11_txt_entries() {
        let text = "library=\nname=NSS Internal PKCS #11 Module\nparameters=configdir='sql:db'\n\
                    NSS=Flags=internal,critical\n\n\
                    library=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so\nname=OpenSC\n\n\
                    library=\"/opt/kyso dir/libkyso_pkcs11.so\"\nname=\"Kyso token\"\n";
        let e = parse_pkcs11_txt(text);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].name, "OpenSC");
        assert!(!e[0].is_kyso());
        assert_eq!(e[1].library, "/opt/kyso dir/libkyso_pkcs11.so");
        assert!(e[1].is_kyso(), "a module registered by hand is recognised");
    }
}
