//! Build script: the git commit for `kyso --version` (`KYSO_GIT_COMMIT`). A build outside a git
//! checkout (a source tarball, no git installed) says "unknown" instead of failing; a packager
//! can set KYSO_GIT_COMMIT in the environment.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (!s.is_empty()).then_some(s)
}

/// A missing file would make cargo rerun this script on every build: only existing ones.
fn rerun_if_changed(path: Option<String>) {
    if let Some(p) = path.filter(|p| std::path::Path::new(p).exists()) {
        println!("cargo:rerun-if-changed={p}");
    }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=KYSO_GIT_COMMIT");
    let commit = std::env::var("KYSO_GIT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".into());
    // Rebuild when HEAD moves: HEAD itself (a branch switch), the branch's ref file, and
    // packed-refs (worktrees keep them in the common git directory; `--git-path` finds each).
    for p in ["HEAD", "packed-refs"] {
        rerun_if_changed(git(&["rev-parse", "--git-path", p]));
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        rerun_if_changed(git(&["rev-parse", "--git-path", &branch]));
    }
    println!("cargo:rustc-env=KYSO_GIT_COMMIT={commit}");
}
