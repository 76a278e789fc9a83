//! `--help` in the language in use. The English texts are the doc comments clap reads; the
//! other language's come from the catalogue: `help-<command>-about` for a command's
//! description and `help-<command>-<argument id>` for an option (`help-sign-format`,
//! `help-remote-login-about`), `help-<argument id>` for the options every command takes, and
//! `clap-*` for clap's own headings.

use clap::{Command, CommandFactory, FromArgMatches};

use kyso::i18n::{has_message, lang, Lang};
use kyso::t;

use super::Cli;

/// Parses the command line with help texts in the language in use.
pub fn parse() -> Cli {
    let matches = command()
        .try_get_matches()
        .unwrap_or_else(|e| super::clap_errors::exit(e));
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| super::clap_errors::exit(e))
}

/// The command with its help texts in the language in use.
pub fn command() -> Command {
    let cmd = Cli::command();
    if lang() == Lang::En {
        return cmd;
    }
    let mut cmd = cmd;
    cmd.build();
    localise(cmd, "help")
}

/// The catalogue's text for `key`, when it has one.
fn text(key: &str) -> Option<String> {
    has_message(key).then(|| kyso::i18n::tr(key, &[]))
}

fn localise(mut cmd: Command, key: &str) -> Command {
    if let Some(about) = text(&format!("{key}-about")) {
        cmd = cmd.about(about).long_about(None);
    }
    if cmd.get_after_help().is_some() {
        if let Some(after) = text(&format!("{key}-after")) {
            cmd = cmd.after_help(after).after_long_help(None);
        }
    }
    let template = format!(
        "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
        t!("clap-usage")
    );
    cmd = cmd
        .help_template(template)
        .subcommand_help_heading(t!("clap-commands"));
    if cmd.get_subcommands().any(|s| s.get_name() == "help") {
        cmd = cmd.mut_subcommand("help", |h| h.about(t!("clap-help-command")));
    }
    let ids: Vec<(String, bool)> = cmd
        .get_arguments()
        .map(|a| (a.get_id().to_string(), a.is_positional()))
        .collect();
    for (id, positional) in ids {
        let help = match id.as_str() {
            "help" => Some(t!("clap-help-flag")),
            "version" => Some(t!("clap-version-flag")),
            _ => text(&format!("{key}-{id}")).or_else(|| text(&format!("help-{id}"))),
        };
        // Possible values described in the doc comments: listed in the catalogue's words.
        let values = text(&format!("{key}-{id}-values"));
        let heading = if positional {
            t!("clap-arguments")
        } else {
            t!("clap-options")
        };
        cmd = cmd.mut_arg(&id, |a| {
            let a = if a.get_help_heading().is_none() {
                a.help_heading(heading)
            } else {
                a
            };
            match (help, values) {
                (Some(h), Some(v)) => a
                    .help(format!("{h}\n{v}"))
                    .long_help(None)
                    .hide_possible_values(true),
                (Some(h), None) => a.help(h).long_help(None),
                _ => a,
            }
        });
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in subs {
        let sub_key = format!("{key}-{name}");
        cmd = cmd.mut_subcommand(&name, |s| localise(s, &sub_key));
    }
    cmd
}

/// Every help text's catalogue key, with whether the catalogue has it.
#[cfg(test)]
fn keys(cmd: &Command, key: &str, out: &mut Vec<String>) {
    if cmd.is_hide_set() {
        return;
    }
    if cmd.get_about().is_some() {
        out.push(format!("{key}-about"));
    }
    if cmd.get_after_help().is_some() {
        out.push(format!("{key}-after"));
    }
    for a in cmd.get_arguments() {
        let id = a.get_id().as_str();
        if a.is_hide_set() || a.get_help().is_none() || a.is_global_set() && key != "help" {
            continue;
        }
        if id == "help" || id == "version" {
            continue;
        }
        out.push(format!("{key}-{id}"));
    }
    for s in cmd.get_subcommands() {
        keys(s, &format!("{key}-{}", s.get_name()), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_help_text_is_in_the_catalogues() {
        let mut found = Vec::new();
        keys(&Cli::command(), "help", &mut found);
        // an option shared by several commands (the PIN options) has one `help-<id>`
        let shared = |k: &str| {
            k.rsplit_once('-')
                .is_some_and(|(_, id)| id != "about" && has_message(&format!("help-{id}")))
        };
        let missing: Vec<_> = found
            .iter()
            .filter(|k| !has_message(k) && !shared(k))
            .collect();
        assert!(
            missing.is_empty(),
            "{} help texts not in i18n/: {missing:#?}",
            missing.len()
        );
    }

    /// The English catalogue's `help-<command>-after` is the code's text: the two stay twins.
    #[test]
    fn longer_help_texts_match_their_english_twins() {
        fn walk(cmd: &Command, key: &str, n: &mut usize) {
            if let Some(after) = cmd.get_after_help() {
                let id = format!("{key}-after");
                assert_eq!(
                    kyso::i18n::tr_in(Lang::En, &id, &[]),
                    after.to_string(),
                    "{id} differs from the code's English"
                );
                assert_ne!(kyso::i18n::tr_in(Lang::Vi, &id, &[]), after.to_string());
                *n += 1;
            }
            for s in cmd.get_subcommands() {
                walk(s, &format!("{key}-{}", s.get_name()), n);
            }
        }
        let mut n = 0;
        walk(&Cli::command(), "help", &mut n);
        assert!(n >= 4, "{n} longer help texts");
    }
}
