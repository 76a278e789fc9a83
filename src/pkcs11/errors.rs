//! Maps `cryptoki` errors (PKCS#11 return codes) to [`Error`] variants a person can act on.

use std::path::Path;

use cryptoki::error::{Error as CkError, RvError};

use crate::error::{Error, PinRetries};

/// Translates a PKCS#11 failure on token `token` (label) into our error.
///
/// `CKR_PIN_INCORRECT` becomes `WrongPin` with unknown retries; the caller that knows the
/// token refines it with the flags read after the failure ([`pin_retries`]).
pub fn map(err: CkError, token: &str) -> Error {
    let token = token.to_owned();
    match err {
        CkError::Pkcs11(rv, function) => match rv {
            RvError::PinIncorrect => Error::WrongPin {
                retries: PinRetries::Unknown,
            },
            RvError::PinLocked => Error::PinLocked { token },
            RvError::PinExpired => Error::PinExpired { token },
            RvError::PinInvalid | RvError::PinLenRange => {
                Error::PinInvalid(crate::t!("pin-refused-length-or-characters"))
            }
            RvError::TokenNotPresent
            | RvError::DeviceRemoved
            | RvError::TokenNotRecognized
            | RvError::SessionClosed
            | RvError::SessionHandleInvalid => Error::TokenRemoved { slot: Some(token) },
            RvError::UserNotLoggedIn => Error::NotLoggedIn { token },
            RvError::MechanismInvalid | RvError::MechanismParamInvalid => {
                Error::MechanismNotSupported {
                    token,
                    what: format!("{rv} ({function})"),
                }
            }
            RvError::KeyHandleInvalid | RvError::ObjectHandleInvalid => {
                Error::KeyNotFound(crate::t!(
                    "key-gone",
                    token = token.as_str(),
                    function = function.to_string()
                ))
            }
            RvError::KeyFunctionNotPermitted | RvError::KeyTypeInconsistent => {
                Error::MechanismNotSupported {
                    token,
                    what: crate::t!("key-refuses-operation", rv = rv.to_string()),
                }
            }
            other => Error::Pkcs11 {
                function: function.to_string(),
                rv: format!("{} ({})", rv_name(other), other),
            },
        },
        other => Error::Pkcs11 {
            function: "binding".into(),
            rv: other.to_string(),
        },
    }
}

/// Like [`map`], for a call to the module at `path`: a length or count the module made up
/// (caught by the patched cryptoki, see `third_party/cryptoki/KYSO-PATCHES.md`) is the
/// module's bug, named with its path and the call.
pub fn map_module(err: CkError, token: &str, path: &Path) -> Error {
    match err {
        CkError::ImpossibleLength(function, what) => Error::ModuleBroken {
            path: path.to_owned(),
            function: format!("C_{function:?}"),
            message: format!("returned an impossible length: {what}"),
        },
        other => map(other, token),
    }
}

/// The `CKR_*` name of a return code, for messages people paste into bug reports.
pub fn rv_name(rv: RvError) -> String {
    let debug = format!("{rv:?}");
    let mut out = String::from("CKR");
    for c in debug.chars() {
        if c.is_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// What the token's flags say about attempts left.
pub fn pin_retries(count_low: bool, final_try: bool) -> PinRetries {
    if final_try {
        PinRetries::FinalTry
    } else if count_low {
        PinRetries::Low
    } else {
        PinRetries::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cryptoki::context::Function;

    #[test]
    fn maps_pin_and_removal_codes() {
        let e = map(CkError::Pkcs11(RvError::PinLocked, Function::Login), "tok");
        assert!(matches!(e, Error::PinLocked { ref token } if token == "tok"));
        let e = map(
            CkError::Pkcs11(RvError::DeviceRemoved, Function::Sign),
            "tok",
        );
        assert!(matches!(e, Error::TokenRemoved { .. }));
        assert!(e.to_string().contains("reinsert"));
        let e = map(
            CkError::Pkcs11(RvError::PinIncorrect, Function::Login),
            "tok",
        );
        assert!(matches!(e, Error::WrongPin { .. }));
        let e = map(
            CkError::Pkcs11(RvError::MechanismInvalid, Function::SignInit),
            "tok",
        );
        assert!(matches!(e, Error::MechanismNotSupported { .. }));
    }

    #[test]
    fn unknown_codes_keep_function_and_ckr_name() {
        let e = map(CkError::Pkcs11(RvError::DeviceMemory, Function::Sign), "t").to_string();
        assert!(e.contains("CKR_DEVICE_MEMORY"), "{e}");
        assert!(e.contains("Sign"), "{e}");
    }

    #[test]
    fn retries_from_flags() {
        assert_eq!(pin_retries(false, false), PinRetries::Unknown);
        assert_eq!(pin_retries(true, false), PinRetries::Low);
        assert_eq!(pin_retries(true, true), PinRetries::FinalTry);
    }
}
