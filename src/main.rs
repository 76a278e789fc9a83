//! The `kyso` command: list tokens and certificates, sign many files with one PIN entry, and
//! make a SoftHSM token for development.

#![forbid(unsafe_code)]

mod cli;

fn main() {
    std::process::exit(cli::main());
}
