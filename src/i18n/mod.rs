//! The words a person reads, in Vietnamese or English (Project Fluent catalogues in
//! `i18n/<lang>/kyso.ftl`, compiled in). The language comes from `LC_ALL`, `LC_MESSAGES` or
//! `LANG` (`vi_VN.UTF-8` → Vietnamese), or is set by the face (`kyso --lang`, a page's
//! `Accept-Language`); English when nothing says otherwise. Machine outputs (JSON keys, error
//! codes, PKCS#11 strings) never go through here.

mod errors;

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A language kyso speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English, the default.
    En,
    /// Tiếng Việt.
    Vi,
}

const UNSET: u8 = u8::MAX;
static CURRENT: AtomicU8 = AtomicU8::new(UNSET);

impl Lang {
    /// `vi`, `vi_VN.UTF-8`, `vi-VN` → Vietnamese; `en…`, `C`, `POSIX` → English.
    pub fn parse(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        let primary = tag.split(['_', '-', '.', '@']).next().unwrap_or("");
        match primary {
            "vi" => Some(Lang::Vi),
            "en" | "c" | "posix" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language the environment asks for, as gettext reads it: the first of `LC_ALL`,
    /// `LC_MESSAGES`, `LANG` that is set and not empty; English when it names another one.
    pub fn from_env() -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.is_empty())
            .and_then(|v| Lang::parse(&v))
            .unwrap_or(Lang::En)
    }

    /// The language's tag (`en`, `vi`).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Vi => "vi",
        }
    }
}

/// Sets the language of everything this process says from now on.
pub fn set_lang(lang: Lang) {
    CURRENT.store(lang as u8, Ordering::Relaxed);
}

/// The language in use: as set, else as the environment asks.
pub fn lang() -> Lang {
    match CURRENT.load(Ordering::Relaxed) {
        0 => Lang::En,
        1 => Lang::Vi,
        _ => {
            let l = Lang::from_env();
            set_lang(l);
            l
        }
    }
}

/// The catalogue source of a language.
pub fn catalogue(lang: Lang) -> &'static str {
    match lang {
        Lang::En => include_str!("../../i18n/en/kyso.ftl"),
        Lang::Vi => include_str!("../../i18n/vi/kyso.ftl"),
    }
}

fn bundle(lang: Lang) -> &'static FluentBundle<FluentResource> {
    static EN: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    static VI: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    let cell = match lang {
        Lang::En => &EN,
        Lang::Vi => &VI,
    };
    cell.get_or_init(|| {
        let id = lang.tag().parse().unwrap_or_default();
        let mut b = FluentBundle::new_concurrent(vec![id]);
        // No Unicode isolation marks: terminals print them as garbage.
        b.set_use_isolating(false);
        // The catalogues are tested to parse (tests below); a broken one says nothing rather
        // than taking the command down.
        let res = FluentResource::try_new(catalogue(lang).to_owned()).unwrap_or_else(|(r, _)| r);
        let _ = b.add_resource(res);
        b
    })
}

/// A message argument: text or a number (numbers choose plural forms).
pub type Arg<'a> = FluentValue<'a>;

/// The message `id` in `lang`, its `{ $name }` placeables filled from `args`; the English one
/// when the language lacks it, and the id itself when no catalogue has it.
pub fn tr_in(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    for l in [lang, Lang::En] {
        let b = bundle(l);
        if let Some(pattern) = b.get_message(id).and_then(|m| m.value()) {
            let mut fa = FluentArgs::new();
            for (k, v) in args {
                fa.set(*k, v.clone());
            }
            let mut errors = Vec::new();
            return b
                .format_pattern(pattern, Some(&fa), &mut errors)
                .into_owned();
        }
    }
    id.to_owned()
}

/// Whether the English catalogue (every message's home) has message `id`.
pub fn has_message(id: &str) -> bool {
    bundle(Lang::En).has_message(id)
}

/// [`tr_in`] in the language in use.
pub fn tr(id: &str, args: &[(&str, Arg)]) -> String {
    tr_in(lang(), id, args)
}

/// `t!("id")`, `t!("id", name = value, …)`: the message in the language in use.
#[macro_export]
macro_rules! t {
    ($id:expr) => {
        $crate::i18n::tr($id, &[])
    };
    ($id:expr, $($k:ident = $v:expr),+ $(,)?) => {
        $crate::i18n::tr($id, &[$((stringify!($k), $crate::i18n::Arg::from($v))),+])
    };
}

/// The ids and argument names of every message in a catalogue (for the parity test, and for
/// faces that check their own keys).
pub fn message_keys(lang: Lang) -> Vec<(String, Vec<String>)> {
    use fluent_syntax::ast;
    let Ok(res) = fluent_syntax::parser::parse(catalogue(lang)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in res.body {
        if let ast::Entry::Message(m) = entry {
            let mut vars = Vec::new();
            if let Some(p) = &m.value {
                collect_vars(p, &mut vars);
            }
            vars.sort();
            vars.dedup();
            out.push((m.id.name.to_owned(), vars));
        }
    }
    out
}

fn collect_vars(p: &fluent_syntax::ast::Pattern<&str>, out: &mut Vec<String>) {
    use fluent_syntax::ast::{Expression, InlineExpression, PatternElement};
    fn inline(e: &InlineExpression<&str>, out: &mut Vec<String>) {
        if let InlineExpression::VariableReference { id } = e {
            out.push(id.name.to_owned());
        }
    }
    for el in &p.elements {
        if let PatternElement::Placeable { expression } = el {
            match expression {
                Expression::Inline(e) => inline(e, out),
                Expression::Select { selector, variants } => {
                    inline(selector, out);
                    for v in variants {
                        collect_vars(&v.value, out);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_come_from_locale_names() {
        assert_eq!(Lang::parse("vi_VN.UTF-8"), Some(Lang::Vi));
        assert_eq!(Lang::parse("vi-VN"), Some(Lang::Vi));
        assert_eq!(Lang::parse("vi"), Some(Lang::Vi));
        assert_eq!(Lang::parse("en_GB.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("C.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("fr_FR.UTF-8"), None);
    }

    #[test]
    fn catalogues_parse_and_have_the_same_messages_with_the_same_arguments() {
        for lang in [Lang::En, Lang::Vi] {
            let parsed = fluent_syntax::parser::parse(catalogue(lang));
            assert!(parsed.is_ok(), "{lang:?}: {:?}", parsed.err().map(|e| e.1));
        }
        let en = message_keys(Lang::En);
        let vi = message_keys(Lang::Vi);
        assert!(en.len() > 50, "{} English messages", en.len());
        let missing: Vec<_> = en.iter().filter(|m| !vi.contains(m)).collect();
        let extra: Vec<_> = vi.iter().filter(|m| !en.contains(m)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "not in vi (or other arguments): {missing:?}\nnot in en: {extra:?}"
        );
    }

    #[test]
    fn vietnamese_is_nfc_text() {
        use unicode_normalization::UnicodeNormalization;
        let vi = catalogue(Lang::Vi);
        let nfc: String = vi.nfc().collect();
        assert!(vi == nfc, "i18n/vi/kyso.ftl is not in NFC");
    }

    #[test]
    fn messages_fill_their_arguments_and_fall_back_to_english() {
        let s = tr_in(Lang::Vi, "batch-cancelled", &[("count", Arg::from(3))]);
        assert!(
            tr_in(Lang::En, "batch-cancelled", &[("count", Arg::from(1))]).contains("1 file not")
        );
        assert!(s.contains('3'), "{s}");
        assert_eq!(tr_in(Lang::Vi, "no-such-message", &[]), "no-such-message");
    }
}
