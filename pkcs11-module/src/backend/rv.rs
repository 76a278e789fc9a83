//! kyso errors as PKCS#11 return codes.

use cryptoki_sys::*;
use kyso::Error;

/// A PKCS#11 return code; `Result<T, Rv>` is what every backend function returns.
pub type Rv = CK_RV;

/// The return code a host application can act on for each kyso error.
pub fn from_error(e: &Error) -> Rv {
    log::info!("returning error: {e}");
    match e {
        Error::WrongPin { .. } | Error::PinInvalid(_) => CKR_PIN_INCORRECT,
        Error::PinLocked { .. } => CKR_PIN_LOCKED,
        Error::PinExpired { .. } => CKR_PIN_EXPIRED,
        Error::NotLoggedIn { .. } => CKR_USER_NOT_LOGGED_IN,
        Error::TokenRemoved { .. } => CKR_DEVICE_REMOVED,
        Error::TokenNotFound(_) => CKR_TOKEN_NOT_PRESENT,
        Error::KeyNotFound(_) | Error::CertificateNotFound(_) => CKR_KEY_HANDLE_INVALID,
        Error::MechanismNotSupported { .. } => CKR_MECHANISM_INVALID,
        Error::SignatureCheck(_) => CKR_DEVICE_ERROR,
        Error::InvalidInput(_) => CKR_DATA_INVALID,
        Error::Pkcs11 { .. } => CKR_DEVICE_ERROR,
        // A vendor module that lies about lengths, or will not start, behind us.
        Error::ModuleBroken { .. } | Error::ModuleInit { .. } => CKR_DEVICE_ERROR,
        // Remote credentials: a refused PIN/OTP is a wrong PIN; a spent or expired
        // authorisation means logging in again; the rest is the service's trouble.
        Error::RemoteAuthorizationRefused { .. } => CKR_PIN_INCORRECT,
        Error::RemoteCredentialDisabled { .. } => CKR_PIN_LOCKED,
        Error::RemoteAuthorizationExpired { .. } => CKR_USER_NOT_LOGGED_IN,
        Error::RemoteLogin { .. } | Error::RemoteUnreachable { .. } | Error::Remote { .. } => {
            CKR_DEVICE_ERROR
        }
        _ => CKR_FUNCTION_FAILED,
    }
}
