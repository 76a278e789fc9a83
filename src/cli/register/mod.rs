//! `kyso register`: makes the applications people sign from load `libkyso_pkcs11.so` — every
//! NSS database of the user's (Firefox, Thunderbird, the shared one of Chromium, Chrome, Edge
//! and LibreOffice) and p11-kit. Idempotent; `--remove` undoes it, `--dry-run` only tells.

mod nssdb;
mod p11kit;
mod places;

use kyso::t;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use kyso::{Error, Result};

use super::{print_json, Cli};
use nssdb::{MODULE_FILE, MODULE_NAME};
use places::{DbFormat, NssPlace};

#[derive(Debug, clap::Args)]
pub struct RegisterArgs {
    /// Say what would change, and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Unregister kyso's module from every place instead.
    #[arg(long)]
    remove: bool,
    /// The module to register (default: libkyso_pkcs11.so next to the kyso binary, or in the
    /// lib directory of its install prefix, or in lib/x86_64-linux-gnu/pkcs11 as the Debian
    /// package installs it).
    #[arg(long, value_name = "PATH")]
    module_path: Option<PathBuf>,
    /// Machine-wide: the p11-kit module file /etc/pkcs11/modules/kyso.module (run as root),
    /// instead of the user's browsers and ~/.config/pkcs11/modules/kyso.module.
    #[arg(long)]
    system: bool,
    /// Also change the profiles of a running Firefox or Thunderbird, and databases owned by
    /// another user (not recommended: close the application instead).
    #[arg(long)]
    force: bool,
}

/// What happened (or, with `--dry-run`, would happen) at one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Registered,
    /// Registered before with another module path; now with this one.
    Updated,
    AlreadyRegistered,
    Removed,
    NotRegistered,
    /// The application is running with this profile: not touched.
    InUse,
    /// Old Berkeley DB (`dbm:`) database: not touched.
    LegacyDbm,
    /// A profile without an NSS database yet (never started).
    NoDatabase,
    /// Owned by another user: not touched.
    OtherOwner,
    Failed,
}

impl Status {
    fn text(self, dry_run: bool) -> String {
        t!(match (self, dry_run) {
            (Status::Registered, false) => "register-status-registered",
            (Status::Registered, true) => "register-status-would-register",
            (Status::Updated, false) => "register-status-updated",
            (Status::Updated, true) => "register-status-would-update",
            (Status::AlreadyRegistered, _) => "register-status-already-registered",
            (Status::Removed, false) => "register-status-removed",
            (Status::Removed, true) => "register-status-would-remove",
            (Status::NotRegistered, _) => "register-status-not-registered",
            (Status::InUse, _) => "register-status-in-use",
            (Status::LegacyDbm, _) => "register-status-legacy-dbm",
            (Status::NoDatabase, _) => "register-status-no-database",
            (Status::OtherOwner, _) => "register-status-other-owner",
            (Status::Failed, _) => "register-status-failed",
        })
    }
    /// Needs the user to act before the module is (un)registered there.
    fn blocks(self) -> bool {
        matches!(self, Status::InUse | Status::OtherOwner | Status::Failed)
    }
}

#[derive(Debug, Serialize)]
pub struct Outcome {
    /// "Firefox profile default-release", "p11-kit module file"…
    place: String,
    /// "nss" or "p11-kit".
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    app: Option<places::App>,
    path: PathBuf,
    status: Status,
    #[serde(skip_serializing_if = "String::is_empty")]
    detail: String,
}

fn home() -> Result<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| Error::InvalidInput(t!("register-no-home")))
}

fn data_home(home: &Path) -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".local/share"))
}

/// The user's NSS databases (for `kyso doctor` too).
pub fn user_places() -> Result<Vec<NssPlace>> {
    let home = home()?;
    Ok(places::nss_places(&home, &data_home(&home)))
}

/// Where the module is: `--module-path`, else next to this binary, else in the lib directory
/// of the prefix it was installed to.
fn find_module(explicit: Option<&Path>) -> Result<PathBuf> {
    let checked = |p: &Path| -> Result<PathBuf> {
        let abs = p
            .canonicalize()
            .map_err(|e| Error::io(p.display().to_string(), e))?;
        let mut magic = [0u8; 4];
        let elf = std::fs::File::open(&abs)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
            .is_ok()
            && magic == *b"\x7fELF";
        if !elf {
            return Err(Error::InvalidInput(t!(
                "register-not-a-library",
                path = abs.display().to_string()
            )));
        }
        Ok(abs)
    };
    if let Some(p) = explicit {
        return checked(p);
    }
    let exe = std::env::current_exe()
        .and_then(|e| e.canonicalize())
        .map_err(|e| Error::io(t!("io-locating-kyso"), e))?;
    let dir = exe.parent().unwrap_or(Path::new("/"));
    let prefix = dir.parent().unwrap_or(Path::new("/"));
    let candidates = [
        dir.join(MODULE_FILE),
        prefix.join("lib").join(MODULE_FILE),
        prefix.join("lib/x86_64-linux-gnu").join(MODULE_FILE),
        // The Debian package: the multiarch PKCS#11 directory, as OpenSC and p11-kit use.
        prefix
            .join(format!("lib/{}-linux-gnu/pkcs11", std::env::consts::ARCH))
            .join(MODULE_FILE),
        prefix.join("lib64").join(MODULE_FILE),
        prefix.join("lib/pkcs11").join(MODULE_FILE),
    ];
    match candidates.iter().find(|c| c.is_file()) {
        Some(c) => checked(c),
        None => Err(Error::InvalidInput(t!(
            "register-module-not-found",
            module = MODULE_FILE,
            dir = exe.display().to_string(),
            prefix = prefix.display().to_string()
        ))),
    }
}

/// The effective uid of this process (the owner of `/proc/self`).
fn my_uid() -> Option<u32> {
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

struct Run<'a> {
    args: &'a RegisterArgs,
    module: Option<PathBuf>,
}

impl Run<'_> {
    fn nss(&self, place: &NssPlace) -> Outcome {
        let (status, detail) = match self.nss_status(place) {
            Ok(r) => r,
            Err(e) => (Status::Failed, e.to_string()),
        };
        Outcome {
            place: place.title(),
            kind: "nss",
            app: Some(place.app),
            path: place.dir.clone(),
            status,
            detail,
        }
    }

    fn nss_status(&self, place: &NssPlace) -> Result<(Status, String)> {
        let dry = self.args.dry_run;
        let mut created = false;
        match place.format() {
            DbFormat::LegacyDbm => {
                return Ok((
                    Status::LegacyDbm,
                    t!("register-legacy-dbm", program = place.app.program()),
                ))
            }
            DbFormat::Missing if self.args.remove => {
                return Ok((Status::NotRegistered, String::new()))
            }
            DbFormat::Missing if !place.create => {
                return Ok((
                    Status::NoDatabase,
                    t!("register-no-database", program = place.app.program()),
                ))
            }
            DbFormat::Missing => created = true,
            DbFormat::Sql => {}
        }
        if !self.args.force {
            if let Some(pid) = place.in_use_by() {
                return Ok((
                    Status::InUse,
                    t!("register-in-use", program = place.app.program(), pid = pid),
                ));
            }
            let owner = std::fs::metadata(if created {
                place
                    .dir
                    .ancestors()
                    .find(|a| a.exists())
                    .unwrap_or(&place.dir)
            } else {
                &place.dir
            })
            .map(|m| m.uid())
            .ok();
            if let (Some(owner), Some(me)) = (owner, my_uid()) {
                if owner != me {
                    return Ok((
                        Status::OtherOwner,
                        t!("register-other-owner", owner = owner, me = me),
                    ));
                }
            }
        }
        let entries = nssdb::kyso_entries(&place.dir);
        if self.args.remove {
            if entries.is_empty() {
                return Ok((Status::NotRegistered, String::new()));
            }
            if !dry {
                for e in &entries {
                    nssdb::delete(&place.dir, &e.name)?;
                }
            }
            let what: Vec<_> = entries
                .iter()
                .map(|e| format!("{} ({})", e.name, e.library))
                .collect();
            return Ok((Status::Removed, what.join(", ")));
        }
        let module = self
            .module
            .as_deref()
            // i18n: a bug's panic message
            .expect("module found before registering");
        let lib = module.display().to_string();
        if entries.len() == 1 && entries[0].name == MODULE_NAME && entries[0].library == lib {
            return Ok((Status::AlreadyRegistered, String::new()));
        }
        if !dry {
            if created {
                nssdb::create(&place.dir)?;
            }
            for e in &entries {
                nssdb::delete(&place.dir, &e.name)?;
            }
            nssdb::add(&place.dir, module)?;
        }
        if entries.is_empty() {
            let detail = if created && dry {
                t!("register-would-create-database")
            } else if created {
                t!("register-created-database")
            } else {
                String::new()
            };
            Ok((Status::Registered, detail))
        } else {
            let old: Vec<_> = entries
                .iter()
                .map(|e| format!("{} ({})", e.name, e.library))
                .collect();
            Ok((Status::Updated, format!("replaces {}", old.join(", "))))
        }
    }

    /// The local CA of `kyso serve` in one NSS database: added trusted for TLS servers only
    /// (browsers then trust the service on loopback), or removed.
    fn ca(&self, place: &NssPlace, ca_pem: &Path) -> Outcome {
        let nick = super::loopback::localca::CA_NAME;
        let result = (|| -> Result<(Status, String)> {
            let present = nssdb::cert_trust(&place.dir, nick);
            if self.args.remove {
                return match present {
                    None => Ok((Status::NotRegistered, String::new())),
                    Some(_) => {
                        if !self.args.dry_run {
                            nssdb::delete_cert(&place.dir, nick)?;
                        }
                        Ok((Status::Removed, String::new()))
                    }
                };
            }
            let same = std::fs::read_to_string(ca_pem).ok().is_some_and(|pem| {
                nssdb::exported(&place.dir, nick).is_some_and(|have| have.trim() == pem.trim())
            });
            match present.as_deref() {
                Some("C,,") if same => Ok((Status::AlreadyRegistered, String::new())),
                other => {
                    if !self.args.dry_run {
                        if other.is_some() {
                            nssdb::delete_cert(&place.dir, nick)?;
                        }
                        nssdb::add_server_ca(&place.dir, nick, ca_pem)?;
                    }
                    Ok((
                        if other.is_some() {
                            Status::Updated
                        } else {
                            Status::Registered
                        },
                        t!("register-ca-trusted-for"),
                    ))
                }
            }
        })();
        let (status, detail) = result.unwrap_or_else(|e| (Status::Failed, e.localized()));
        Outcome {
            place: t!("register-place-serve-ca", place = place.title()),
            kind: "nss-ca",
            app: Some(place.app),
            path: place.dir.clone(),
            status,
            detail,
        }
    }

    fn p11kit(&self, path: &Path) -> Outcome {
        let (status, detail) = match self.p11kit_status(path) {
            Ok(s) => s,
            Err(e) => (Status::Failed, e.localized()),
        };
        Outcome {
            place: t!("register-place-p11kit"),
            kind: "p11-kit",
            app: None,
            path: path.to_owned(),
            status,
            detail,
        }
    }

    fn p11kit_status(&self, path: &Path) -> Result<(Status, String)> {
        let ctx = || path.display().to_string();
        let existing = match std::fs::read_to_string(path) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(ctx(), e)),
        };
        if self.args.remove {
            let Some(_) = existing else {
                return Ok((Status::NotRegistered, String::new()));
            };
            if !self.args.dry_run {
                std::fs::remove_file(path).map_err(|e| Error::io(ctx(), e))?;
            }
            return Ok((Status::Removed, String::new()));
        }
        let module = self
            .module
            .as_deref()
            // i18n: a bug's panic message
            .expect("module found before registering");
        if existing.is_none() && !self.args.system {
            // `make install` (or a package) already names this module for every user.
            for f in p11kit::SYSTEM_FILES {
                let named = std::fs::read_to_string(f).ok();
                if named.as_deref().and_then(p11kit::module_of).as_deref()
                    == Some(&module.display().to_string())
                {
                    return Ok((Status::AlreadyRegistered, t!("register-by-file", file = f)));
                }
            }
        }
        let status = match existing.as_deref().and_then(p11kit::module_of) {
            Some(m) if Path::new(&m) == module => {
                return Ok((Status::AlreadyRegistered, String::new()))
            }
            Some(_) => Status::Updated,
            None => Status::Registered,
        };
        if !self.args.dry_run {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(ctx(), e))?;
            }
            kyso::batch::files::write_atomic(path, p11kit::content(module).as_bytes())?;
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
                .map_err(|e| Error::io(ctx(), e))?;
        }
        Ok((status, String::new()))
    }
}

pub fn run(cli: &Cli, args: &RegisterArgs) -> Result<i32> {
    let module = if args.remove {
        None
    } else {
        Some(find_module(args.module_path.as_deref())?)
    };
    let run = Run { args, module };
    let mut outcomes = Vec::new();
    if args.system {
        outcomes.push(run.p11kit(Path::new(p11kit::SYSTEM_FILE)));
    } else {
        let home = home()?;
        // the local CA of `kyso serve`, made now if it was not (the browsers must trust it
        // before the service first runs)
        let ca_dir = super::loopback::localca::default_dir();
        let ca_pem = super::loopback::localca::ca_file(&ca_dir);
        if !args.remove && !args.dry_run && !ca_pem.exists() {
            super::loopback::localca::LocalCa::open(&ca_dir)?;
        }
        for place in places::nss_places(&home, &data_home(&home)) {
            let o = run.nss(&place);
            let skip = o.status.blocks()
                || matches!(o.status, Status::LegacyDbm | Status::NoDatabase)
                || place.format() != DbFormat::Sql;
            outcomes.push(o);
            if !skip {
                outcomes.push(run.ca(&place, &ca_pem));
            }
        }
        outcomes.push(run.p11kit(&p11kit::user_file(&home)));
    }
    let blocked = outcomes.iter().any(|o| o.status.blocks());
    if cli.json {
        print_json(&serde_json::json!({
            "action": if args.remove { "remove" } else { "register" },
            "dry_run": args.dry_run,
            "module": run.module,
            "ok": !blocked,
            "places": outcomes,
        }));
    } else {
        if let Some(m) = &run.module {
            println!(
                "{}",
                t!("register-module", module = m.display().to_string())
            );
        }
        for o in &outcomes {
            let status = o.status.text(args.dry_run);
            let pad = 20usize.saturating_sub(status.chars().count());
            println!(
                "{status}{} {}: {}",
                " ".repeat(pad),
                o.place,
                o.path.display()
            );
            if !o.detail.is_empty() {
                println!("{:<20} {}", "", o.detail);
            }
        }
        let changed = outcomes.iter().any(|o| {
            matches!(
                o.status,
                Status::Registered | Status::Updated | Status::Removed
            )
        });
        if args.dry_run {
            println!("{}", t!("register-dry-run"));
        } else if changed {
            println!("{}", t!("register-restart-applications"));
        }
        if blocked {
            println!("{}", t!("register-some-not-changed"));
        }
    }
    Ok(if blocked { 1 } else { 0 })
}

/// The registration state of the user's NSS databases, for `kyso doctor`: (registered
/// places, places where it is missing or broken).
pub fn doctor_state() -> Result<(Vec<String>, Vec<String>)> {
    let (mut ok, mut missing) = (Vec::new(), Vec::new());
    for place in user_places()? {
        match place.format() {
            DbFormat::Sql => {}
            DbFormat::Missing if place.create => {
                missing.push(t!("register-state-no-database", place = place.title()));
                continue;
            }
            _ => continue,
        }
        let entries = nssdb::kyso_entries(&place.dir);
        match entries.first() {
            None => missing.push(place.title()),
            Some(e) if !Path::new(&e.library).is_file() => missing.push(t!(
                "register-state-module-gone",
                place = place.title(),
                library = e.library.as_str()
            )),
            Some(_) => ok.push(place.title()),
        }
    }
    Ok((ok, missing))
}

/// Where kyso serve's local CA is trusted for TLS servers, for `kyso doctor`: (trusted
/// places, places with a database where it is not).
pub fn ca_trust_state() -> Result<(Vec<String>, Vec<String>)> {
    let nick = super::loopback::localca::CA_NAME;
    let (mut ok, mut missing) = (Vec::new(), Vec::new());
    for place in user_places()? {
        if place.format() != DbFormat::Sql {
            continue;
        }
        match nssdb::cert_trust(&place.dir, nick) {
            Some(t) if t.starts_with('C') => ok.push(place.title()),
            _ => missing.push(place.title()),
        }
    }
    Ok((ok, missing))
}
