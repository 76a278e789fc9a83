//! The three symbols the module exports: `C_GetFunctionList` (2.40), `C_GetInterfaceList` and
//! `C_GetInterface` (3.0). Everything else is reached through the function lists, so our
//! `C_*` names never interpose on another module's in the same process.

#![allow(non_snake_case)]

use cryptoki_sys::*;

use super::lists::{FUNCTION_LIST, FUNCTION_LIST_3_0};
use super::util::{guard, not_null};

static NAME: &[u8] = b"PKCS 11\0";

/// `CK_INTERFACE` holds raw pointers; ours point at immutable statics.
struct Interfaces([CK_INTERFACE; 2]);
// SAFETY: the pointers target 'static, never-written data; sharing them is sound.
unsafe impl Sync for Interfaces {}

static INTERFACES: Interfaces = Interfaces([
    CK_INTERFACE {
        pInterfaceName: NAME.as_ptr() as *mut CK_UTF8CHAR,
        pFunctionList: &FUNCTION_LIST_3_0 as *const CK_FUNCTION_LIST_3_0
            as *mut std::os::raw::c_void,
        flags: 0,
    },
    CK_INTERFACE {
        pInterfaceName: NAME.as_ptr() as *mut CK_UTF8CHAR,
        pFunctionList: &FUNCTION_LIST as *const CK_FUNCTION_LIST as *mut std::os::raw::c_void,
        flags: 0,
    },
]);

/// # Safety
/// `list` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn C_GetFunctionList(list: *mut *mut CK_FUNCTION_LIST) -> CK_RV {
    guard("C_GetFunctionList", || {
        not_null(list)?;
        // SAFETY: checked non-NULL; callers only read the list.
        unsafe { *list = &FUNCTION_LIST as *const CK_FUNCTION_LIST as *mut CK_FUNCTION_LIST };
        Ok(())
    })
}

/// # Safety
/// `count` must be writable; `list` NULL or writable for `*count` interfaces.
#[no_mangle]
pub unsafe extern "C" fn C_GetInterfaceList(
    list: *mut CK_INTERFACE,
    count: *mut CK_ULONG,
) -> CK_RV {
    guard("C_GetInterfaceList", || {
        not_null(count)?;
        let n = INTERFACES.0.len();
        if list.is_null() {
            // SAFETY: checked non-NULL.
            unsafe { *count = n as CK_ULONG };
            return Ok(());
        }
        // SAFETY: checked non-NULL.
        let capacity = unsafe { *count } as usize;
        // SAFETY: as above.
        unsafe { *count = n as CK_ULONG };
        if capacity < n {
            return Err(CKR_BUFFER_TOO_SMALL);
        }
        // SAFETY: the caller's array holds `capacity` >= n entries.
        unsafe { std::ptr::copy_nonoverlapping(INTERFACES.0.as_ptr(), list, n) };
        Ok(())
    })
}

/// # Safety
/// `name` NULL or a NUL-terminated string; `version` NULL or readable; `iface` writable.
#[no_mangle]
pub unsafe extern "C" fn C_GetInterface(
    name: *mut CK_UTF8CHAR,
    version: *mut CK_VERSION,
    iface: *mut *mut CK_INTERFACE,
    flags: CK_FLAGS,
) -> CK_RV {
    guard("C_GetInterface", || {
        not_null(iface)?;
        if !name.is_null() {
            // SAFETY: a non-NULL name is NUL-terminated by contract.
            let n = unsafe { std::ffi::CStr::from_ptr(name as *const std::os::raw::c_char) };
            if n.to_bytes() != &NAME[..NAME.len() - 1] {
                return Err(CKR_ARGUMENTS_BAD);
            }
        }
        let wanted = if version.is_null() {
            None
        } else {
            // SAFETY: non-NULL, readable by contract.
            Some(unsafe { version.read_unaligned() })
        };
        let found = INTERFACES.0.iter().find(|i| {
            // SAFETY: both lists start with their CK_VERSION.
            let v = unsafe { *(i.pFunctionList as *const CK_VERSION) };
            wanted.is_none_or(|w| w.major == v.major && w.minor == v.minor)
                && i.flags & flags == flags
        });
        let found = found.ok_or(CKR_ARGUMENTS_BAD)?;
        // SAFETY: checked non-NULL; points at our static.
        unsafe { *iface = found as *const CK_INTERFACE as *mut CK_INTERFACE };
        Ok(())
    })
}
