//! Never loading ourselves: a kyso.toml (or a p11-kit configuration behind a proxy) that lists
//! this module, under its name, a link, a copy or another build, would make it load itself,
//! which recurses or deadlocks the host application. Such entries are refused and logged.

use std::io::Read;
use std::path::{Path, PathBuf};

use kyso::config::ModuleConfig;
use kyso::pkcs11::Backend;

/// What our `C_GetInfo` says (`manufacturerID`, `libraryDescription`): how another build or a
/// copy of this module is recognised once loaded ([`kyso::pkcs11::Module::is_kyso`]).
pub const MANUFACTURER: &str = kyso::pkcs11::KYSO_MANUFACTURER;
/// See [`MANUFACTURER`].
pub const DESCRIPTION: &str = kyso::pkcs11::KYSO_DESCRIPTION;

/// Why `path` must not be loaded from here, if it must not: its name, or the name of the file
/// it links to, is ours or p11-kit's (`p11-kit-proxy.so` is a link to `libp11-kit.so.0`, whose
/// proxy loads every registered module, kyso included), or it is this very file (same device
/// and inode: a symlink or hard link; the dynamic loader would hand us ourselves), or a
/// byte-for-byte copy of it.
pub fn refuse(path: &Path) -> Option<String> {
    let name_of = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut names = vec![name_of(path)];
    if let Ok(target) = std::fs::canonicalize(path) {
        names.push(name_of(&target));
    }
    if names.iter().any(|n| n.contains("kyso_pkcs11")) {
        return Some("it is kyso's own module".into());
    }
    if names
        .iter()
        .any(|n| n.contains("p11-kit-proxy") || n.starts_with("libp11-kit.so"))
    {
        return Some("p11-kit's proxy loads every registered module, kyso's among them".into());
    }
    let own = own_file()?;
    if same_file(path, &own) {
        return Some(format!("it is kyso's own module ({})", own.display()));
    }
    if same_content(path, &own) {
        return Some(format!(
            "it is a copy of kyso's own module ({})",
            own.display()
        ));
    }
    None
}

/// Drops, after loading, the modules that say they are kyso's (another build of this module,
/// which byte comparison cannot recognise): only `C_Initialize`, which kyso answers without
/// loading anything, and `C_GetInfo` have been called on them.
pub fn drop_loaded_kyso(backend: &mut Backend) {
    let mut kept = Vec::new();
    for m in std::mem::take(&mut backend.modules) {
        if m.is_kyso() {
            let why = "it is a kyso PKCS#11 module (its C_GetInfo says so): loading it from kyso \
                       would recurse; remove it from kyso.toml"
                .to_owned();
            backend.failures.push((
                ModuleConfig::from_path(m.path()),
                kyso::Error::InvalidInput(why),
            ));
        } else {
            kept.push(m);
        }
    }
    backend.modules = kept;
}

/// This module's own file: the mapping of `/proc/self/maps` that holds one of its functions.
fn own_file() -> Option<PathBuf> {
    let addr = own_file as fn() -> Option<PathBuf> as usize;
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    maps.lines().find_map(|line| {
        // "start-end perms offset dev inode     path"
        let mut fields = line.splitn(6, ' ');
        let (lo, hi) = fields.next()?.split_once('-')?;
        let (lo, hi) = (
            usize::from_str_radix(lo, 16).ok()?,
            usize::from_str_radix(hi, 16).ok()?,
        );
        if !(lo..hi).contains(&addr) {
            return None;
        }
        let path = fields.nth(4)?.trim_start();
        let path = path.strip_suffix(" (deleted)").unwrap_or(path);
        path.starts_with('/').then(|| PathBuf::from(path))
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Byte-for-byte equality, read only when the sizes match (vendor modules never have ours).
fn same_content(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    if ma.len() != mb.len() || !ma.is_file() {
        return false;
    }
    let (Ok(mut fa), Ok(mut fb)) = (std::fs::File::open(a), std::fs::File::open(b)) else {
        return false;
    };
    let (mut ba, mut bb) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        let Ok(n) = fa.read(&mut ba) else {
            return false;
        };
        if n == 0 {
            return true;
        }
        if fb.read_exact(&mut bb[..n]).is_err() || ba[..n] != bb[..n] {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_file_is_the_test_binary_here() {
        // In a unit test the "module" is the test executable itself.
        let own = own_file().expect("found in /proc/self/maps");
        assert!(
            same_file(&own, &std::env::current_exe().unwrap()),
            "{own:?}"
        );
        assert!(refuse(&std::env::current_exe().unwrap()).is_some());
        assert!(refuse(Path::new("/usr/lib/softhsm/libsofthsm2.so")).is_none());
    }

    #[test]
    fn names_of_kyso_and_proxies_are_refused() {
        assert!(refuse(Path::new("/x/libkyso_pkcs11.so")).is_some());
        assert!(refuse(Path::new("/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so")).is_some());
        assert!(refuse(Path::new("/usr/lib/x86_64-linux-gnu/libp11-kit.so.0")).is_some());
    }
}
