//! One error type for the whole library: every failure is mapped to something a person can act on.

use std::path::PathBuf;

/// What the token told us about the PIN attempts left after a failure.
///
/// PKCS#11 has no counter, only flags; we pass on exactly what the token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PinRetries {
    /// The token does not say (no `CKF_USER_PIN_COUNT_LOW`/`FINAL_TRY`).
    Unknown,
    /// `CKF_USER_PIN_COUNT_LOW`: an incorrect PIN was entered at least once.
    Low,
    /// `CKF_USER_PIN_FINAL_TRY`: one more wrong PIN locks the token.
    FinalTry,
}

impl std::fmt::Display for PinRetries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            // i18n: English for logs, as `error-…` messages are
            PinRetries::Unknown => "the token does not say how many attempts are left",
            // i18n: as above
            PinRetries::Low => "few attempts are left before the token locks",
            // i18n: as above
            PinRetries::FinalTry => "ONE attempt is left: another wrong PIN locks the token",
        })
    }
}

/// Every error kyso reports. Messages say what happened and what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A PKCS#11 module could not be loaded or initialised.
    #[error("cannot load PKCS#11 module {path}: {message} (check the path, and that the module matches this machine's architecture)")]
    ModuleLoad {
        /// The module path as configured.
        path: PathBuf,
        /// The loader's (or `C_Initialize`'s) message.
        message: String,
    },
    /// A PKCS#11 module loaded but its `C_Initialize` failed: the file is fine, the module will
    /// not start (its service, reader or own configuration is missing).
    #[error("PKCS#11 module {path} failed to start: C_Initialize returned {rv}; check what the module needs (its service, reader or configuration), or remove it from kyso.toml")]
    ModuleInit {
        /// The module path as configured.
        path: PathBuf,
        /// The return code (`CKR_*`).
        rv: String,
    },
    /// A PKCS#11 module answered something impossible (a length beyond the buffer it was
    /// given, an absurd count): a bug in the module, reported before kyso trusts it.
    #[error("PKCS#11 module {path} is broken: {function} {message}; update the module or remove it from kyso.toml")]
    ModuleBroken {
        /// The module path as configured.
        path: PathBuf,
        /// The PKCS#11 function (`C_GetSlotList`…).
        function: String,
        /// What it answered.
        message: String,
    },
    /// The PIN was rejected; it is never retried automatically.
    #[error("wrong PIN: {retries}; kyso does not retry, check the PIN and run again")]
    WrongPin {
        /// What the token says about the attempts left.
        retries: PinRetries,
    },
    /// The PIN is blocked on the token.
    #[error("the PIN of token '{token}' is locked: unblock it with the SO PIN or ask your CA")]
    PinLocked {
        /// Token label.
        token: String,
    },
    /// The token requires a PIN change first.
    #[error("the PIN of token '{token}' has expired: change it with the vendor's tool first")]
    PinExpired {
        /// Token label.
        token: String,
    },
    /// The PIN is empty or has characters/length the token refuses.
    #[error("invalid PIN: {0}")]
    PinInvalid(String),
    /// The operation needs a login that was not done (or was lost).
    #[error("not logged in to token '{token}': a PIN is needed")]
    NotLoggedIn {
        /// Token label.
        token: String,
    },
    /// No token in the slot, or it was pulled out during the operation.
    #[error("token not present or removed{}: reinsert it and run again", slot_suffix(.slot))]
    TokenRemoved {
        /// Slot description when known.
        slot: Option<String>,
    },
    /// No token matched the selection.
    #[error("no token found{}", if .0.is_empty() { format!(": {}", crate::discovery::PLUG_IN) } else { format!(" matching {}", .0) })]
    TokenNotFound(String),
    /// No key matched the selection, or the certificate has no private key.
    #[error("key not found: {0}")]
    KeyNotFound(String),
    /// No certificate matched the selection.
    #[error("certificate not found: {0}")]
    CertificateNotFound(String),
    /// The signer's certificate is expired or not yet valid: its signatures would not be valid.
    #[error(
        "{0}: signatures made with it would not be valid; renew it with your certificate \
         authority (to sign anyway, e.g. re-signing for a test, pass --allow-expired)"
    )]
    CertificateNotValid(String),
    /// Several keys match and the choice would be a guess.
    #[error("{0}")]
    Ambiguous(String),
    /// The token (or the key) cannot do what was asked.
    #[error("mechanism not supported by token '{token}': {what}")]
    MechanismNotSupported {
        /// Token label.
        token: String,
        /// The algorithm or mechanism refused.
        what: String,
    },
    /// A certificate could not be parsed.
    #[error("broken certificate: {0}")]
    Certificate(String),
    /// A signature produced by the token does not verify with the certificate's public key.
    #[error("the token's signature does not verify with certificate '{0}': key and certificate do not match, or the token is faulty; nothing was written")]
    SignatureCheck(String),
    /// Configuration file problem.
    #[error("configuration {path}: {message}")]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Bad input from the caller.
    #[error("{0}")]
    InvalidInput(String),
    /// A file to sign or verify is not there.
    #[error("{0}: not found")]
    InputNotFound(String),
    /// Any other PKCS#11 failure, with the function and the return code.
    #[error("PKCS#11 {function} failed: {rv}")]
    Pkcs11 {
        /// The PKCS#11 function.
        function: String,
        /// The return code (`CKR_*`) or the binding's message.
        rv: String,
    },
    /// The PC/SC service is not running, or went away.
    #[error("the PC/SC service (pcscd) is not reachable: {0}; install pcscd and start it (`systemctl start pcscd.socket`, or run `pcscd`)")]
    PcscUnavailable(String),
    /// Any other PC/SC failure, with the function and the message.
    #[error("PC/SC {function} failed: {message}")]
    Pcsc {
        /// The PC/SC function (`SCardListReaders`…).
        function: String,
        /// What it returned.
        message: String,
    },
    /// A document or signature container that is malformed or uses what kyso does not support.
    #[error("{0}")]
    Document(String),
    /// An encrypted PDF: kyso does not sign those (no fallback reader changes that).
    #[error("encrypted PDFs cannot be signed by kyso")]
    PdfEncrypted,
    /// The PDF is certified with no changes allowed (DocMDP permission 1): any signature added
    /// would break its certification, so kyso does not sign it.
    #[error("the PDF is certified with no changes allowed (DocMDP P=1): a new signature would invalidate its certification; nothing was written for it: ask its author for a copy certified to allow signatures (P=2)")]
    PdfCertifiedNoChanges,
    /// A certified PDF that allows signing (DocMDP 2 or 3) but not a new field on a page: a
    /// visible signature adds one, which validators (pyHanko, Acrobat) count as a modification.
    #[error("the PDF is certified (DocMDP P={0}): its certification allows signing, but not adding a visible signature field to a page; nothing was written for it: sign it without --visible (an invisible signature keeps the certification valid)")]
    PdfCertifiedNoNewVisibleField(i64),
    /// A remote signing service could not be reached (network, DNS, TLS, timeout).
    #[error("cannot reach the remote signing service {server}: {message}; check the network and base_url in kyso.toml, then run again")]
    RemoteUnreachable {
        /// The service (account name or URL).
        server: String,
        /// What failed.
        message: String,
    },
    /// No valid OAuth2 access token for a remote account (none yet, expired, revoked).
    #[error("not logged in to remote account '{account}' ({message}): run `kyso remote login {account}`")]
    RemoteLogin {
        /// The `[[remote]]` name.
        account: String,
        /// What the service said.
        message: String,
    },
    /// The remote service refused the PIN and/or OTP; never retried.
    #[error("the remote service refused the {what} for credential '{credential}': {server_says}; kyso does not retry, check it and run again")]
    RemoteAuthorizationRefused {
        /// The credential.
        credential: String,
        /// `PIN`, `OTP` or `PIN or OTP`.
        what: String,
        /// The service's own words (often the attempts left).
        server_says: String,
    },
    /// The signature activation data (SAD) expired or was used up before the work was done.
    #[error("the signing authorization for credential '{credential}' is no longer valid ({message}); {signed} signature(s) were made with it: run again to authorize the rest")]
    RemoteAuthorizationExpired {
        /// The credential.
        credential: String,
        /// Signatures made with this authorization.
        signed: usize,
        /// What happened.
        message: String,
    },
    /// The credential (key or certificate) is disabled, revoked or suspended at the provider.
    #[error("remote credential '{credential}' cannot sign: {message}; contact your signing service provider")]
    RemoteCredentialDisabled {
        /// The credential.
        credential: String,
        /// Its state as the service says.
        message: String,
    },
    /// Any other error answer, or a reply kyso cannot understand.
    #[error("remote signing service {server}: {message}")]
    Remote {
        /// The service (account name or URL).
        server: String,
        /// What went wrong.
        message: String,
    },
    /// A server (timestamp authority, OCSP responder, CRL distribution point) could not be
    /// reached or answered with an HTTP error.
    #[error("network: {url}: {failure}")]
    Network {
        /// The URL asked.
        url: String,
        /// How the exchange failed.
        failure: NetworkFailure,
    },
    /// The timestamp authority refused the request or answered with something kyso cannot
    /// accept (bad status, another imprint or nonce, a token that does not verify).
    #[error("timestamp authority {0}; no output was written for this file")]
    Timestamp(String),
    /// File input/output.
    #[error("{context}: {source}")]
    Io {
        /// What we were doing (usually the path).
        context: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

/// How an HTTP exchange with a server failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkFailure {
    /// The server was not reached, or its reply was cut short or too long (the transport's
    /// own message).
    Unreachable(String),
    /// The server answered with a status other than 2xx (`404 Not Found`).
    HttpStatus(String),
}

impl std::fmt::Display for NetworkFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NetworkFailure::Unreachable(message) => f.write_str(message),
            // i18n: English for logs; people read network-http-status
            NetworkFailure::HttpStatus(status) => write!(f, "HTTP status {status}"),
        }
    }
}

fn slot_suffix(slot: &Option<String>) -> String {
    slot.as_ref().map(|s| format!(" ({s})")).unwrap_or_default()
}

impl Error {
    /// Wraps an I/O error with what we were doing.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// True when the token itself failed (removed, locked, logged out): a batch must stop,
    /// unlike a problem with one input file.
    pub fn is_token_failure(&self) -> bool {
        matches!(
            self,
            Error::WrongPin { .. }
                | Error::PinLocked { .. }
                | Error::PinExpired { .. }
                | Error::NotLoggedIn { .. }
                | Error::TokenRemoved { .. }
                | Error::Pkcs11 { .. }
                | Error::ModuleBroken { .. }
                | Error::RemoteUnreachable { .. }
                | Error::RemoteLogin { .. }
                | Error::RemoteAuthorizationRefused { .. }
                | Error::RemoteAuthorizationExpired { .. }
                | Error::RemoteCredentialDisabled { .. }
                | Error::Remote { .. }
        )
    }

    /// The same error again, when it is a remote service's, for the other documents of a
    /// group signed in one call: their rows then say why in the reader's language, as the
    /// first one's does (other errors are not all clonable).
    pub fn remote_again(&self) -> Option<Error> {
        Some(match self {
            Error::RemoteUnreachable { server, message } => Error::RemoteUnreachable {
                server: server.clone(),
                message: message.clone(),
            },
            Error::RemoteLogin { account, message } => Error::RemoteLogin {
                account: account.clone(),
                message: message.clone(),
            },
            Error::RemoteAuthorizationRefused {
                credential,
                what,
                server_says,
            } => Error::RemoteAuthorizationRefused {
                credential: credential.clone(),
                what: what.clone(),
                server_says: server_says.clone(),
            },
            Error::RemoteAuthorizationExpired {
                credential,
                signed,
                message,
            } => Error::RemoteAuthorizationExpired {
                credential: credential.clone(),
                signed: *signed,
                message: message.clone(),
            },
            Error::RemoteCredentialDisabled {
                credential,
                message,
            } => Error::RemoteCredentialDisabled {
                credential: credential.clone(),
                message: message.clone(),
            },
            Error::Remote { server, message } => Error::Remote {
                server: server.clone(),
                message: message.clone(),
            },
            _ => return None,
        })
    }

    /// True when a batch must stop: the token failed, or the timestamp authority did (every
    /// later file would fail the same way after spending a signature on the token).
    pub fn stops_batch(&self) -> bool {
        self.is_token_failure() || matches!(self, Error::Timestamp(_)) || self.is_out_of_space()
    }

    /// True when output cannot be written anywhere on that file system: it is full, over
    /// quota, or read-only. A batch stops rather than spend signatures it cannot keep.
    pub fn is_out_of_space(&self) -> bool {
        use std::io::ErrorKind::{QuotaExceeded, ReadOnlyFilesystem, StorageFull};
        matches!(self, Error::Io { source, .. }
            if matches!(source.kind(), StorageFull | ReadOnlyFilesystem | QuotaExceeded))
    }
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_errors_say_what_they_said_as_text() {
        let status = Error::Network {
            url: "http://tsa.example/".into(),
            failure: NetworkFailure::HttpStatus("404 Not Found".into()),
        };
        assert_eq!(
            status.to_string(),
            "network: http://tsa.example/: HTTP status 404 Not Found"
        );
        let unreachable = Error::Network {
            url: "http://tsa.example/".into(),
            failure: NetworkFailure::Unreachable("connection refused".into()),
        };
        assert_eq!(
            unreachable.to_string(),
            "network: http://tsa.example/: connection refused"
        );
        assert_eq!(
            Error::PdfEncrypted.to_string(),
            "encrypted PDFs cannot be signed by kyso"
        );
    }
}
