//! Where a user's applications keep their NSS databases: Firefox and Thunderbird profiles
//! (classic, snap and flatpak installs, read from `profiles.ini`), and the shared database
//! Chromium, Chrome, Edge and LibreOffice read (`~/.pki/nssdb`).

use kyso::t;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// The application family an NSS database belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum App {
    Firefox,
    Thunderbird,
    /// `~/.pki/nssdb`: Chromium, Chrome, Edge, Brave, LibreOffice, Evolution…
    SharedNssDb,
}

impl App {
    pub fn describe(self) -> &'static str {
        match self {
            App::Firefox => "Firefox",
            App::Thunderbird => "Thunderbird",
            App::SharedNssDb => "Chromium/Chrome/Edge/LibreOffice",
        }
    }
    /// What to close before the database can be changed safely.
    pub fn program(self) -> String {
        match self {
            App::Firefox => "Firefox".into(),
            App::Thunderbird => "Thunderbird".into(),
            App::SharedNssDb => t!("register-program-browser"),
        }
    }
}

/// The on-disk format of an NSS database directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DbFormat {
    /// `cert9.db`/`key4.db`/`pkcs11.txt` (SQLite, safe for shared access).
    Sql,
    /// `cert8.db`/`key3.db`/`secmod.db` only (Berkeley DB, one writer at a time).
    LegacyDbm,
    /// No database yet.
    Missing,
}

/// One NSS database of the user's.
#[derive(Debug, Clone)]
pub struct NssPlace {
    pub app: App,
    /// The profile name from `profiles.ini` (or the directory name), none for the shared DB.
    pub profile: Option<String>,
    /// Which install it belongs to: "", "snap" or "flatpak".
    pub flavour: &'static str,
    pub dir: PathBuf,
    /// The database is created when missing (the shared DB); profiles are left to their
    /// application.
    pub create: bool,
}

impl NssPlace {
    pub fn format(&self) -> DbFormat {
        db_format(&self.dir)
    }

    /// "Firefox (snap) profile default-release".
    pub fn title(&self) -> String {
        let mut t = self.app.describe().to_owned();
        if !self.flavour.is_empty() {
            t.push_str(&format!(" ({})", self.flavour));
        }
        match &self.profile {
            Some(p) => t!("register-place-profile", app = t, profile = p.as_str()),
            None => t!("register-place-shared", app = t),
        }
    }

    /// The process holding this profile open, when its application is running: the `lock`
    /// symlink Firefox and Thunderbird keep in a profile points to "IP:+PID". A lock whose
    /// process is gone is stale (a crash) and does not count — except for flatpak, whose PIDs
    /// belong to the sandbox's namespace and cannot be checked from outside.
    pub fn in_use_by(&self) -> Option<u32> {
        if self.app == App::SharedNssDb {
            return None;
        }
        let target = std::fs::read_link(self.dir.join("lock")).ok()?;
        let pid: u32 = target.to_str()?.rsplit_once(":+")?.1.parse().ok()?;
        (self.flavour == "flatpak" || Path::new("/proc").join(pid.to_string()).exists())
            .then_some(pid)
    }
}

pub fn db_format(dir: &Path) -> DbFormat {
    if dir.join("cert9.db").exists() || dir.join("pkcs11.txt").exists() {
        DbFormat::Sql
    } else if dir.join("cert8.db").exists() || dir.join("secmod.db").exists() {
        DbFormat::LegacyDbm
    } else {
        DbFormat::Missing
    }
}

/// Every NSS database under `home` (`data_home` is `$XDG_DATA_HOME`, default
/// `~/.local/share`), profiles first, in a stable order.
pub fn nss_places(home: &Path, data_home: &Path) -> Vec<NssPlace> {
    let mut out = Vec::new();
    let mozilla = [
        (App::Firefox, "", home.join(".mozilla/firefox")),
        (
            App::Firefox,
            "snap",
            home.join("snap/firefox/common/.mozilla/firefox"),
        ),
        (
            App::Firefox,
            "flatpak",
            home.join(".var/app/org.mozilla.firefox/.mozilla/firefox"),
        ),
        (App::Thunderbird, "", home.join(".thunderbird")),
        (
            App::Thunderbird,
            "snap",
            home.join("snap/thunderbird/common/.thunderbird"),
        ),
        (
            App::Thunderbird,
            "flatpak",
            home.join(".var/app/org.mozilla.Thunderbird/.thunderbird"),
        ),
    ];
    for (app, flavour, base) in mozilla {
        for (profile, dir) in profiles(&base) {
            out.push(NssPlace {
                app,
                profile: Some(profile),
                flavour,
                dir,
                create: false,
            });
        }
    }
    out.push(NssPlace {
        app: App::SharedNssDb,
        profile: None,
        flavour: "",
        dir: home.join(".pki/nssdb"),
        create: true,
    });
    // Newer Chrome also reads $XDG_DATA_HOME/pki/nssdb: only when it exists.
    let xdg = data_home.join("pki/nssdb");
    if xdg.is_dir() {
        out.push(NssPlace {
            app: App::SharedNssDb,
            profile: None,
            flavour: "XDG",
            dir: xdg,
            create: false,
        });
    }
    out
}

/// The profiles of one Mozilla application directory: those `profiles.ini` names, then any
/// other subdirectory holding an NSS database (a profile made with `-profile DIR` there).
fn profiles(base: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    if let Ok(ini) = std::fs::read_to_string(base.join("profiles.ini")) {
        for (name, dir) in parse_profiles_ini(&ini, base) {
            if dir.is_dir() && seen.insert(dir.clone()) {
                out.push((name, dir));
            }
        }
    }
    let mut extra: Vec<PathBuf> = std::fs::read_dir(base)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir() && db_format(p) != DbFormat::Missing)
                .collect()
        })
        .unwrap_or_default();
    extra.sort();
    for dir in extra {
        if seen.insert(dir.clone()) {
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push((name, dir));
        }
    }
    out
}

/// `[ProfileN]` sections of a `profiles.ini`: (Name, directory), `IsRelative=1` paths taken
/// from `base`.
pub fn parse_profiles_ini(text: &str, base: &Path) -> Vec<(String, PathBuf)> {
    struct Section {
        name: Option<String>,
        path: Option<String>,
        relative: bool,
    }
    let mut sections: Vec<Section> = Vec::new();
    let mut in_profile = false;
    for line in text.lines() {
        let line = line.trim();
        if let Some(head) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_profile = head.starts_with("Profile");
            if in_profile {
                sections.push(Section {
                    name: None,
                    path: None,
                    relative: true,
                });
            }
            continue;
        }
        let (Some(s), Some((k, v))) = (
            sections.last_mut().filter(|_| in_profile),
            line.split_once('='),
        ) else {
            continue;
        };
        match k.trim() {
            "Name" => s.name = Some(v.trim().to_owned()),
            "Path" => s.path = Some(v.trim().to_owned()),
            "IsRelative" => s.relative = v.trim() != "0",
            _ => {}
        }
    }
    sections
        .into_iter()
        .filter_map(|s| {
            let path = s.path?;
            let dir = if s.relative {
                base.join(&path)
            } else {
                PathBuf::from(&path)
            };
            Some((s.name.unwrap_or(path), dir))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_ini_relative_and_absolute_paths() {
        let ini = "[Install4F96D1932A9F858E]\nDefault=abc.default-release\nLocked=1\n\n\
                   [Profile1]\nName=default\nIsRelative=1\nPath=xyz.default\nDefault=1\n\n\
                   [Profile0]\nName=default-release\nIsRelative=1\nPath=abc.default-release\n\n\
                   [Profile2]\nName=work\nIsRelative=0\nPath=/data/work profile\n\n\
                   [General]\nStartWithLastProfile=1\nVersion=2\n";
        let got = parse_profiles_ini(ini, Path::new("/h/.mozilla/firefox"));
        assert_eq!(
            got,
            vec![
                (
                    "default".into(),
                    PathBuf::from("/h/.mozilla/firefox/xyz.default")
                ),
                (
                    "default-release".into(),
                    PathBuf::from("/h/.mozilla/firefox/abc.default-release")
                ),
                ("work".into(), PathBuf::from("/data/work profile")),
            ]
        );
    }
}
