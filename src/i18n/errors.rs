//! [`Error`]'s messages from the catalogues (`error-<code>`), and its stable code for scripts.
//! `Display` stays English (logs, `--json`'s `error` next to the code); what a person reads goes
//! through [`Error::localized`].

use super::{has_message, lang, Arg, Lang};
use crate::error::{Error, NetworkFailure, PinRetries};

impl PinRetries {
    /// What the token says about the attempts left, in the language in use.
    pub fn localized(&self) -> String {
        self.localized_in(lang())
    }
}

impl Error {
    /// A stable code for scripts, the variant's name in kebab case (`wrong-pin`,
    /// `token-removed`, `pdf-encrypted`): it never changes with the language.
    pub fn code(&self) -> String {
        let debug = format!("{self:?}");
        let name = debug
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or("error");
        let mut out = String::new();
        for (i, c) in name.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }

    /// The message in the language in use (the catalogue's `error-<code>`; the English
    /// `Display` for an error no catalogue has yet).
    pub fn localized(&self) -> String {
        self.localized_in(lang())
    }

    /// The message in `lang`.
    pub fn localized_in(&self, lang: Lang) -> String {
        let id = format!("error-{}", self.code());
        if !has_message(&id) {
            return self.to_string();
        }
        let s = |v: &str| Arg::from(v.to_owned());
        let p = |v: &std::path::Path| Arg::from(v.display().to_string());
        let args: Vec<(&str, Arg)> = match self {
            Error::ModuleLoad { path, message } => vec![("path", p(path)), ("message", s(message))],
            Error::ModuleInit { path, rv } => vec![("path", p(path)), ("rv", s(rv))],
            Error::ModuleBroken {
                path,
                function,
                message,
            } => vec![
                ("path", p(path)),
                ("function", s(function)),
                ("message", s(message)),
            ],
            Error::WrongPin { retries } => {
                vec![("retries", Arg::from(retries.localized_in(lang)))]
            }
            Error::PinLocked { token }
            | Error::PinExpired { token }
            | Error::NotLoggedIn { token } => vec![("token", s(token))],
            Error::TokenRemoved { slot } => vec![(
                "slot",
                s(&slot.as_ref().map(|s| format!(" ({s})")).unwrap_or_default()),
            )],
            Error::TokenNotFound(what) if what.is_empty() => {
                return super::tr_in(lang, "error-token-not-found-plug-in", &[]);
            }
            Error::SignatureCheck(c) => vec![("certificate", s(c))],
            Error::InputNotFound(name) => vec![("name", s(name))],
            Error::PinInvalid(d)
            | Error::TokenNotFound(d)
            | Error::KeyNotFound(d)
            | Error::CertificateNotFound(d)
            | Error::CertificateNotValid(d)
            | Error::Ambiguous(d)
            | Error::Certificate(d)
            | Error::InvalidInput(d)
            | Error::PcscUnavailable(d)
            | Error::Document(d)
            | Error::Timestamp(d) => vec![("detail", s(d))],
            Error::MechanismNotSupported { token, what } => {
                vec![("token", s(token)), ("what", s(what))]
            }
            Error::Config { path, message } => vec![("path", p(path)), ("message", s(message))],
            Error::Pkcs11 { function, rv } => vec![("function", s(function)), ("rv", s(rv))],
            Error::Pcsc { function, message } => {
                vec![("function", s(function)), ("message", s(message))]
            }
            Error::PdfCertifiedNoNewVisibleField(perm) => vec![("permission", Arg::from(*perm))],
            Error::RemoteUnreachable { server, message } | Error::Remote { server, message } => {
                vec![("server", s(server)), ("message", s(message))]
            }
            Error::RemoteLogin { account, message } => {
                vec![("account", s(account)), ("message", s(message))]
            }
            Error::RemoteAuthorizationRefused {
                credential,
                what,
                server_says,
            } => vec![
                ("credential", s(credential)),
                ("what", s(what)),
                ("server_says", s(server_says)),
            ],
            Error::RemoteAuthorizationExpired {
                credential,
                signed,
                message,
            } => vec![
                ("credential", s(credential)),
                ("signed", Arg::from(*signed)),
                ("message", s(message)),
            ],
            Error::RemoteCredentialDisabled {
                credential,
                message,
            } => vec![("credential", s(credential)), ("message", s(message))],
            Error::Network { url, failure } => {
                let failure = match failure {
                    NetworkFailure::Unreachable(m) => m.clone(),
                    NetworkFailure::HttpStatus(status) => {
                        super::tr_in(lang, "network-http-status", &[("status", s(status))])
                    }
                };
                vec![("url", s(url)), ("failure", Arg::from(failure))]
            }
            Error::Io { context, source } => {
                vec![
                    ("context", s(context)),
                    ("source", Arg::from(io_error_in(lang, source))),
                ]
            }
            _ => Vec::new(),
        };
        super::tr_in(lang, &id, &args)
    }
}

impl PinRetries {
    /// What the token says about the attempts left, in `lang`.
    pub fn localized_in(&self, lang: Lang) -> String {
        super::tr_in(
            lang,
            match self {
                PinRetries::Unknown => "pin-retries-unknown",
                PinRetries::Low => "pin-retries-low",
                PinRetries::FinalTry => "pin-retries-final-try",
            },
            &[],
        )
    }
}

/// What the system said about a file, in `lang`: the common cases from the catalogue (the
/// system's words are English whatever the locale), the system's own words otherwise.
fn io_error_in(lang: Lang, e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    if lang == Lang::En {
        return e.to_string();
    }
    let id = match e.kind() {
        K::NotFound => "io-not-found",
        K::PermissionDenied => "io-permission-denied",
        K::AlreadyExists => "io-already-exists",
        K::StorageFull => "io-storage-full",
        K::ReadOnlyFilesystem => "io-read-only",
        K::IsADirectory => "io-is-a-directory",
        K::NotADirectory => "io-not-a-directory",
        K::QuotaExceeded => "io-quota-exceeded",
        K::TimedOut => "io-timed-out",
        _ => return e.to_string(),
    };
    super::tr_in(lang, id, &[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// One of every variant the catalogues translate.
    fn samples() -> Vec<Error> {
        let path = PathBuf::from("/usr/lib/x.so");
        let st = || "s".to_owned();
        vec![
            Error::ModuleLoad {
                path: path.clone(),
                message: st(),
            },
            Error::ModuleInit {
                path: path.clone(),
                rv: "CKR_DEVICE_ERROR".into(),
            },
            Error::ModuleBroken {
                path: path.clone(),
                function: "C_X".into(),
                message: st(),
            },
            Error::WrongPin {
                retries: PinRetries::Low,
            },
            Error::WrongPin {
                retries: PinRetries::FinalTry,
            },
            Error::WrongPin {
                retries: PinRetries::Unknown,
            },
            Error::PinLocked { token: "t".into() },
            Error::PinExpired { token: "t".into() },
            Error::PinInvalid(st()),
            Error::NotLoggedIn { token: "t".into() },
            Error::TokenRemoved {
                slot: Some("slot 1".into()),
            },
            Error::TokenRemoved { slot: None },
            Error::TokenNotFound(String::new()),
            Error::TokenNotFound("label 'x'".into()),
            Error::KeyNotFound(st()),
            Error::CertificateNotFound(st()),
            Error::CertificateNotValid(st()),
            Error::Ambiguous(st()),
            Error::MechanismNotSupported {
                token: "t".into(),
                what: st(),
            },
            Error::Certificate(st()),
            Error::SignatureCheck(st()),
            Error::Config {
                path: path.clone(),
                message: st(),
            },
            Error::InvalidInput(st()),
            Error::InputNotFound("a.pdf".into()),
            Error::Pkcs11 {
                function: "C_Sign".into(),
                rv: "CKR_X".into(),
            },
            Error::PcscUnavailable(st()),
            Error::Pcsc {
                function: "SCardX".into(),
                message: st(),
            },
            Error::Document(st()),
            Error::PdfEncrypted,
            Error::PdfCertifiedNoChanges,
            Error::PdfCertifiedNoNewVisibleField(2),
            Error::RemoteUnreachable {
                server: "a".into(),
                message: st(),
            },
            Error::RemoteLogin {
                account: "a".into(),
                message: st(),
            },
            Error::RemoteAuthorizationRefused {
                credential: "c".into(),
                what: "PIN".into(),
                server_says: st(),
            },
            Error::RemoteAuthorizationExpired {
                credential: "c".into(),
                signed: 3,
                message: st(),
            },
            Error::RemoteCredentialDisabled {
                credential: "c".into(),
                message: st(),
            },
            Error::Remote {
                server: "a".into(),
                message: st(),
            },
            Error::Network {
                url: "http://x/".into(),
                failure: NetworkFailure::HttpStatus("404 Not Found".into()),
            },
            Error::Network {
                url: "http://x/".into(),
                failure: NetworkFailure::Unreachable("refused".into()),
            },
            Error::Timestamp(st()),
            Error::io("f.pdf", std::io::Error::from(std::io::ErrorKind::NotFound)),
        ]
    }

    #[test]
    fn the_english_catalogue_says_what_display_says() {
        for e in samples() {
            assert!(
                has_message(&format!("error-{}", e.code())),
                "no error-{}",
                e.code()
            );
            assert_eq!(e.localized_in(Lang::En), e.to_string(), "{}", e.code());
        }
    }

    #[test]
    fn every_error_has_vietnamese_words() {
        // These carry their whole message from where they are made (not translated yet).
        let whole = ["ambiguous", "invalid-input", "document", "io"];
        for e in samples()
            .into_iter()
            .filter(|e| !whole.contains(&e.code().as_str()))
        {
            let vi = e.localized_in(Lang::Vi);
            assert_ne!(vi, e.to_string(), "{} is not translated", e.code());
        }
        let wrong = Error::WrongPin {
            retries: PinRetries::FinalTry,
        }
        .localized_in(Lang::Vi);
        assert!(wrong.contains("mã PIN") && wrong.contains("MỘT"), "{wrong}");
    }

    #[test]
    fn codes_are_the_variant_names() {
        assert_eq!(
            Error::WrongPin {
                retries: PinRetries::Low
            }
            .code(),
            "wrong-pin"
        );
        assert_eq!(Error::PdfEncrypted.code(), "pdf-encrypted");
        assert_eq!(
            Error::Pkcs11 {
                function: "f".into(),
                rv: "r".into()
            }
            .code(),
            "pkcs11"
        );
        assert_eq!(
            Error::TokenNotFound(String::new()).code(),
            "token-not-found"
        );
    }
}
