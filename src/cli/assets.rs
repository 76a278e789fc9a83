//! `kyso generate-assets DIR` (hidden): the man pages and the shell completions, generated from
//! the clap definitions so they never drift from the command. `make deb` runs it and packages
//! the result.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

use kyso::{Error, Result};

use super::Cli;

#[derive(Debug, clap::Args)]
pub struct AssetsArgs {
    /// Directory to write into: man/kyso.1, man/kyso-SUBCOMMAND.1, completions/kyso.bash,
    /// completions/_kyso (zsh) and completions/kyso.fish.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    }
    std::fs::write(path, bytes).map_err(|e| Error::io(path.display().to_string(), e))
}

/// The command as the completions offer it: without the hidden subcommands (clap_complete's
/// bash generator would offer them).
fn command() -> clap::Command {
    let full = Cli::command();
    let mut cmd = clap::Command::new("kyso").version(env!("CARGO_PKG_VERSION"));
    for a in full.get_arguments() {
        cmd = cmd.arg(a.clone());
    }
    for s in full.get_subcommands().filter(|s| !s.is_hide_set()) {
        cmd = cmd.subcommand(s.clone());
    }
    cmd
}

/// One page per command: kyso.1, then kyso-sign.1, kyso-remote-login.1 and the like for the
/// visible subcommands.
fn man_pages(dir: &Path) -> Result<Vec<PathBuf>> {
    let ctx = || dir.display().to_string();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(ctx(), e))?;
    // Not built: `generate_to` leaves out the `help` subcommands only before clap adds them.
    let mut cmd = Cli::command().mut_subcommands(|s| s.disable_help_subcommand(true));
    // NAME reads "kyso - sign documents …", not "kyso - kyso — sign documents …".
    if let Some(about) = cmd.get_about().map(|a| a.to_string()) {
        let short = about.strip_prefix("kyso — ").unwrap_or(&about).to_owned();
        cmd = cmd.about(short);
    }
    clap_mangen::generate_to(cmd, dir).map_err(|e| Error::io(ctx(), e))?;
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(ctx(), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "1"))
        .collect();
    pages.sort();
    Ok(pages)
}

pub fn run(args: &AssetsArgs) -> Result<i32> {
    let mut written = man_pages(&args.dir.join("man"))?;
    let comp = args.dir.join("completions");
    for (shell, file) in [
        (Shell::Bash, "kyso.bash"),
        (Shell::Zsh, "_kyso"),
        (Shell::Fish, "kyso.fish"),
    ] {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut command(), "kyso", &mut buf);
        let path = comp.join(file);
        write(&path, &buf)?;
        written.push(path);
    }
    for p in written {
        println!("{}", p.display());
    }
    Ok(0)
}
