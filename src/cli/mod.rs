//! Command-line front end: parses arguments, runs one command, prints text or JSON.

mod app;
mod assets;
mod batch;
mod clap_errors;
mod context;
mod dev_token;
mod devices;
mod doctor;
mod extend;
mod help;
mod list;
mod loopback;
mod pin;
mod register;
mod remote;
mod serve;
mod sign;
mod sign_args;
mod sign_key;
mod verify;
mod verify_dir;
mod verify_ltv;
mod verify_text;
mod verify_xml;
mod vn_time;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// kyso — sign documents with USB tokens, smart cards and SoftHSM, many files per PIN entry.
///
/// Modules come from --module, else from kyso.toml (--config, $KYSO_CONFIG,
/// $XDG_CONFIG_HOME/kyso/kyso.toml, /etc/kyso/kyso.toml), which lists [[module]] tables:
///
///     [[module]]
///     path = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
///     name = "opensc"
///
/// Remote signing accounts are [[remote]] tables (see `kyso remote --help` and the README):
/// their credentials are tokens named ACCOUNT/CREDENTIAL_ID.
///
/// With neither, kyso looks at the tokens plugged in (`kyso devices`) and loads the
/// installed modules its token catalogue names for them (-v says which).
///
/// PINs are never taken on the command line: kyso asks on the terminal, or reads
/// --pin-file, --pin-fd or --pin-env. A wrong PIN is reported with the attempts left and
/// never retried.
#[derive(Debug, Parser)]
#[command(
    name = "kyso",
    version = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("KYSO_GIT_COMMIT"), ")"),
    verbatim_doc_comment
)]
pub struct Cli {
    /// PKCS#11 module to load (repeat for several); replaces the modules of kyso.toml.
    #[arg(long = "module", value_name = "PATH", global = true)]
    modules: Vec<PathBuf>,
    /// Configuration file (instead of $KYSO_CONFIG and the default places).
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    /// Print JSON for scripts instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// More log output on stderr (-v info, -vv debug; KYSO_LOG_LEVEL=kyso=trace and other
    /// env_logger filters for more). PINs are never logged.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Language of messages: vi (Tiếng Việt) or en [default: from LC_ALL, LC_MESSAGES or LANG].
    #[arg(long, value_name = "LANG", global = true, value_parser = ["vi", "en"])]
    lang: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the PKCS#11 modules loaded, their library information, or why one failed to load.
    Modules,
    /// List tokens: slot, label, manufacturer, model, serial and PIN state.
    Tokens(list::TokensArgs),
    /// List certificates on the tokens, with the holder's identity (CCCD, MST…).
    Certs(list::CertsArgs),
    /// Sign files with one login: FILE.sig (raw) or FILE.p7s (CMS/CAdES) next to each.
    Sign(Box<sign_args::SignArgs>),
    /// Verify signatures: integrity, signer and identity, signing time, chain to --trust anchors.
    Verify(verify::VerifyArgs),
    /// Make signed PDFs long-term (PAdES B-LT / B-LTA: validation data and an archive
    /// timestamp), or renew their archive timestamp.
    Extend(extend::ExtendArgs),
    /// Create (or reuse) a SoftHSM token with Vietnamese-style test certificates.
    DevToken(dev_token::DevTokenArgs),
    /// Readers, cards and USB tokens: what they are and which module drives them.
    Devices(devices::DevicesArgs),
    /// Check everything between a plugged-in token and a signature, and say what to fix.
    Doctor(doctor::DoctorArgs),
    /// Remote signing accounts (ký số từ xa, Cloud Signature Consortium API): login, list, logout.
    Remote(remote::RemoteArgs),
    /// Print the udev rules generated from the token catalogue (udev/70-kyso-tokens.rules).
    UdevRules,
    /// Make Firefox, Thunderbird, Chromium/Chrome/Edge, LibreOffice and p11-kit load kyso's
    /// PKCS#11 module (libkyso_pkcs11.so); --remove undoes it.
    Register(register::RegisterArgs),
    /// The local signing service web portals call (VGCA- and VNPT-compatible, on loopback):
    /// each batch confirmed and its PIN typed in pinentry, outside the browser.
    Serve(serve::ServeArgs),
    /// The signing page in the browser, for people who do not use a terminal: choose
    /// documents, one PIN, see them signed and verified.
    App(app::AppArgs),
    /// Write the man pages and the bash, zsh and fish completions into DIR (for packagers).
    #[command(hide = true)]
    GenerateAssets(assets::AssetsArgs),
}

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
    // `kyso certs | head`: a closed stdout ends the command quietly, as for other tools.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info.to_string();
        // i18n: the standard library's panic message, matched
        if msg.contains("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(141);
        }
        default_hook(info)
    }));
    // The language first: clap's help and errors are already in it.
    if let Some(lang) = lang_from_args(std::env::args()) {
        kyso::i18n::set_lang(lang);
    }
    let cli = help::parse();
    let level = match cli.verbose {
        0 => log::LevelFilter::Warn,
        1 => log::LevelFilter::Info,
        _ => log::LevelFilter::Debug,
    };
    // cryptoki logs every vendor mechanism it has no name for at ERROR: noise below -vv.
    let binding = if cli.verbose >= 2 {
        level
    } else {
        log::LevelFilter::Off
    };
    env_logger::Builder::new()
        .filter_level(level)
        .filter_module("cryptoki", binding)
        // ... and at -vv still one ERROR line per vendor mechanism on every run (~30 for
        // OpenSC): off unless KYSO_LOG_LEVEL names it.
        .filter_module("cryptoki::mechanism", log::LevelFilter::Off)
        // lopdf logs what it works around in damaged PDFs at ERROR ("Object load error"): kyso
        // says what matters about the document itself; the details only with -v.
        .filter_module(
            "lopdf",
            if cli.verbose >= 1 {
                level
            } else {
                log::LevelFilter::Off
            },
        )
        // The same variable as the PKCS#11 module's level (its KYSO_LOG names a log file, so
        // a shell set up to debug a browser does not confuse the command).
        .parse_env("KYSO_LOG_LEVEL")
        // At trace level the HTTP client dumps the bytes on the wire: PINs and OTPs of remote
        // signing. Never, whatever KYSO_LOG_LEVEL says.
        .filter_module("ureq_proto", level.min(log::LevelFilter::Debug))
        .filter_module("ureq", level.min(log::LevelFilter::Debug))
        .format_timestamp(None)
        .init();
    let result = match &cli.command {
        Command::Modules => list::modules(&cli),
        Command::Tokens(a) => list::tokens(&cli, a),
        Command::Certs(a) => list::certs(&cli, a),
        Command::Sign(a) => sign::run(&cli, a),
        Command::Verify(a) => verify::run(&cli, a),
        Command::Extend(a) => extend::run(&cli, a),
        Command::Serve(a) => serve::run(&cli, a),
        Command::App(a) => app::run(&cli, a),
        Command::DevToken(a) => dev_token::run(&cli, a),
        Command::Devices(a) => devices::run(&cli, a),
        Command::Doctor(a) => doctor::run(&cli, a),
        Command::Remote(a) => remote::run(&cli, a),
        Command::UdevRules => devices::udev_rules(),
        Command::Register(a) => register::run(&cli, a),
        Command::GenerateAssets(a) => assets::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if cli.json {
                println!(
                    "{}",
                    serde_json::json!({ "error": e.localized(), "code": e.code() })
                );
            }
            eprintln!("kyso: {}", e.localized());
            2
        }
    }
}

/// The language `--lang X` (or `--lang=X`) names, read before clap parses the line.
fn lang_from_args(args: impl Iterator<Item = String>) -> Option<kyso::i18n::Lang> {
    let mut args = args.skip(1);
    while let Some(a) = args.next() {
        if a == "--" {
            break;
        }
        let value = match a.strip_prefix("--lang") {
            Some("") => args.next(),
            Some(v) => v.strip_prefix('=').map(str::to_owned),
            None => None,
        };
        if let Some(v) = value {
            return kyso::i18n::Lang::parse(&v);
        }
    }
    None
}

/// Prints a serialisable value as pretty JSON. A closed pipe (`| head`) is not an error.
fn print_json(v: &impl serde::Serialize) {
    use std::io::Write;
    match serde_json::to_string_pretty(v) {
        Ok(s) => {
            let _ = writeln!(std::io::stdout(), "{s}");
        }
        Err(e) => eprintln!("kyso: JSON: {e}"), // i18n: a program and a format's names
    }
}
