//! clap's command-line errors in the language in use: clap writes English only, so for another
//! language the error is told again from its kind and context (the argument, the value, the
//! suggestion), with the usage line and where to find help. Exit status 2, as clap's.

use std::error::Error as _;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use kyso::i18n::{lang, Lang};
use kyso::t;

/// Prints `e` in the language in use and exits, as `e.exit()` does in English.
pub fn exit(e: clap::Error) -> ! {
    if lang() == Lang::En
        || matches!(
            e.kind(),
            ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        )
    {
        e.exit()
    }
    eprint!("{}", render(&e));
    std::process::exit(2)
}

fn context(e: &clap::Error, kind: ContextKind) -> Option<String> {
    e.get(kind).map(|v| match v {
        ContextValue::String(s) => s.clone(),
        ContextValue::Strings(v) => v.join(", "),
        ContextValue::StyledStr(s) => s.to_string(),
        ContextValue::StyledStrs(v) => v
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        ContextValue::Number(n) => n.to_string(),
        ContextValue::Bool(b) => b.to_string(),
        _ => String::new(),
    })
}

/// The whole message: what is wrong, a suggestion when clap has one, the usage, where help is.
pub fn render(e: &clap::Error) -> String {
    let c = |k| context(e, k).unwrap_or_default();
    let arg = c(ContextKind::InvalidArg);
    let value = c(ContextKind::InvalidValue);
    let what = match e.kind() {
        ErrorKind::UnknownArgument => t!("clap-error-unknown-argument", arg = arg),
        ErrorKind::InvalidSubcommand => t!(
            "clap-error-unknown-command",
            command = c(ContextKind::InvalidSubcommand)
        ),
        ErrorKind::InvalidValue if value.is_empty() => {
            t!("clap-error-missing-value", arg = arg)
        }
        ErrorKind::InvalidValue => t!("clap-error-invalid-value", arg = arg, value = value),
        ErrorKind::ValueValidation => {
            let why = e.source().map(|s| s.to_string()).unwrap_or_default();
            t!(
                "clap-error-value-validation",
                arg = arg,
                value = value,
                why = why
            )
        }
        ErrorKind::MissingRequiredArgument => t!("clap-error-missing-required", args = arg),
        ErrorKind::MissingSubcommand => t!("clap-error-missing-command"),
        ErrorKind::ArgumentConflict => t!(
            "clap-error-conflict",
            arg = arg,
            other = c(ContextKind::PriorArg)
        ),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            t!("clap-error-number-of-values", arg = arg)
        }
        ErrorKind::NoEquals => t!("clap-error-no-equals", arg = arg),
        ErrorKind::InvalidUtf8 => t!("clap-error-not-utf8"),
        _ => t!("clap-error-other"),
    };
    let mut out = format!("{}\n", t!("clap-error", what = what));
    let valid = c(ContextKind::ValidValue);
    if !valid.is_empty() {
        out.push_str(&format!(
            "  {}\n",
            t!("clap-error-valid-values", values = valid)
        ));
    }
    for kind in [
        ContextKind::SuggestedArg,
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedValue,
    ] {
        if let Some(s) = context(e, kind).filter(|s| !s.is_empty()) {
            out.push_str(&format!("  {}\n", t!("clap-error-did-you-mean", what = s)));
        }
    }
    if let Some(usage) = context(e, ContextKind::Usage) {
        let usage = usage.trim();
        let usage = usage.strip_prefix("Usage:").unwrap_or(usage).trim_start();
        out.push_str(&format!("\n{} {usage}\n", t!("clap-usage")));
    }
    out.push_str(&format!("\n{}\n", t!("clap-error-more-help")));
    out
}
