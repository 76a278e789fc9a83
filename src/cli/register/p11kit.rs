//! The p11-kit module file that makes kyso's module visible to p11-kit users (GnuTLS,
//! `p11-kit list-modules`, the p11-kit proxy).

use std::path::{Path, PathBuf};

/// The user's module file: p11-kit reads `~/.config/pkcs11/modules` (not `$XDG_CONFIG_HOME`),
/// and only for users other than root.
pub fn user_file(home: &Path) -> PathBuf {
    home.join(".config/pkcs11/modules/kyso.module")
}

/// The machine's module file (`--system`).
pub const SYSTEM_FILE: &str = "/etc/pkcs11/modules/kyso.module";

/// Machine-wide module files: ours, and the one `make install PREFIX=/usr` or a package puts in
/// p11-kit's package directory.
pub const SYSTEM_FILES: [&str; 2] = [SYSTEM_FILE, "/usr/share/p11-kit/modules/kyso.module"];

/// The file's content for the module at `library`.
pub fn content(library: &Path) -> String {
    format!(
        // i18n: a configuration file's comment
        "# Written by `kyso register`: kyso's PKCS#11 module, for applications using p11-kit.\n\
         module: {}\n",
        library.display()
    )
}

/// The `module:` path of an existing module file.
pub fn module_of(text: &str) -> Option<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("module:"))
        .map(|v| v.trim().to_owned())
        .next()
}
