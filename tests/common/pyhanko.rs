//! pyHanko, the independent PAdES validator the PDF tests compare kyso with (`make deps`
//! installs `pyhanko-cli` from PyPI).

use std::path::Path;
use std::process::Command;

use super::{stderr, stdout};

/// `pyhanko ARGS…` in `dir` (the installed CLI, through Python so no shell shim is needed);
/// its output, the run having succeeded.
pub fn pyhanko(args: &[&str], dir: &Path) -> String {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys; from pyhanko.__main__ import launch; sys.argv[0] = 'pyhanko'; sys.exit(launch())",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "pyhanko {args:?}: {text}");
    text
}

/// Each field's verdict in `pyhanko sign validate --pretty-print`: valid, and only signing
/// changes after it (or none).
pub fn fields_ok(report: &str) -> Vec<bool> {
    report
        .split("Field ")
        .skip(1)
        .map(|part| {
            part.contains("The signature is judged VALID")
                && (part.contains("The signature covers the entire file")
                    || part.contains("All modifications relate to signing and form filling"))
        })
        .collect()
}
