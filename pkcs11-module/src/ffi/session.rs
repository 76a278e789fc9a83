//! Session, login and object entry points (PKCS#11 §5.6–5.7).

#![allow(non_snake_case)]

use cryptoki_sys::*;
use secrecy::SecretString;

use super::util::{buffer, guard, input, not_null, read_template};
use crate::backend::instance;
use crate::backend::session::{attribute_answers, Answer};

/// A PIN from the caller's buffer; never logged, dropped (zeroised) after use.
///
/// # Safety
/// `pin` must be NULL or valid for `len` bytes.
unsafe fn read_pin(pin: *const CK_UTF8CHAR, len: CK_ULONG) -> Result<SecretString, CK_RV> {
    // A NULL PIN means a PIN pad; kyso's backends take the PIN from the host.
    not_null(pin)?;
    // SAFETY: caller's contract.
    let bytes = unsafe { input(pin, len) }?;
    let s = std::str::from_utf8(bytes).map_err(|_| CKR_PIN_INVALID)?;
    Ok(SecretString::from(s))
}

pub unsafe extern "C" fn C_OpenSession(
    slot: CK_SLOT_ID,
    flags: CK_FLAGS,
    _app: *mut std::os::raw::c_void,
    _notify: CK_NOTIFY,
    session: *mut CK_SESSION_HANDLE,
) -> CK_RV {
    guard("C_OpenSession", || {
        let inst = instance::get()?;
        not_null(session)?;
        let h = inst.open_session(slot, flags)?;
        // SAFETY: checked non-NULL.
        unsafe { *session = h };
        Ok(())
    })
}

pub unsafe extern "C" fn C_CloseSession(session: CK_SESSION_HANDLE) -> CK_RV {
    guard("C_CloseSession", || instance::get()?.close_session(session))
}

pub unsafe extern "C" fn C_CloseAllSessions(slot: CK_SLOT_ID) -> CK_RV {
    guard("C_CloseAllSessions", || instance::get()?.close_all(slot))
}

pub unsafe extern "C" fn C_GetSessionInfo(
    session: CK_SESSION_HANDLE,
    info: *mut CK_SESSION_INFO,
) -> CK_RV {
    guard("C_GetSessionInfo", || {
        let inst = instance::get()?;
        not_null(info)?;
        let s = inst.session_info(session)?;
        // SAFETY: checked non-NULL.
        unsafe {
            info.write_unaligned(CK_SESSION_INFO {
                slotID: s.slot,
                state: s.state,
                flags: s.flags,
                ulDeviceError: 0,
            })
        };
        Ok(())
    })
}

pub unsafe extern "C" fn C_Login(
    session: CK_SESSION_HANDLE,
    user: CK_USER_TYPE,
    pin: *mut CK_UTF8CHAR,
    len: CK_ULONG,
) -> CK_RV {
    guard("C_Login", || {
        let inst = instance::get()?;
        // SAFETY: caller's contract.
        let pin = unsafe { read_pin(pin, len) }?;
        inst.login(session, user, &pin)
    })
}

pub unsafe extern "C" fn C_Logout(session: CK_SESSION_HANDLE) -> CK_RV {
    guard("C_Logout", || instance::get()?.logout(session))
}

pub unsafe extern "C" fn C_SetPIN(
    session: CK_SESSION_HANDLE,
    old: *mut CK_UTF8CHAR,
    old_len: CK_ULONG,
    new: *mut CK_UTF8CHAR,
    new_len: CK_ULONG,
) -> CK_RV {
    guard("C_SetPIN", || {
        let inst = instance::get()?;
        // SAFETY: caller's contract for both buffers.
        let (old, new) = unsafe { (read_pin(old, old_len)?, read_pin(new, new_len)?) };
        inst.set_pin(session, &old, &new)
    })
}

pub unsafe extern "C" fn C_FindObjectsInit(
    session: CK_SESSION_HANDLE,
    template: *mut CK_ATTRIBUTE,
    count: CK_ULONG,
) -> CK_RV {
    guard("C_FindObjectsInit", || {
        let inst = instance::get()?;
        // SAFETY: caller's contract.
        let template = unsafe { read_template(template, count) }?;
        inst.find_init(session, &template)
    })
}

pub unsafe extern "C" fn C_FindObjects(
    session: CK_SESSION_HANDLE,
    objects: *mut CK_OBJECT_HANDLE,
    max: CK_ULONG,
    found: *mut CK_ULONG,
) -> CK_RV {
    guard("C_FindObjects", || {
        let inst = instance::get()?;
        not_null(found)?;
        if objects.is_null() && max > 0 {
            return Err(CKR_ARGUMENTS_BAD);
        }
        let handles = inst.find(session, max as usize)?;
        // SAFETY: the caller's array holds `max` >= handles.len() entries; `found` non-NULL.
        unsafe {
            if !handles.is_empty() {
                std::ptr::copy_nonoverlapping(handles.as_ptr(), objects, handles.len());
            }
            *found = handles.len() as CK_ULONG;
        }
        Ok(())
    })
}

pub unsafe extern "C" fn C_FindObjectsFinal(session: CK_SESSION_HANDLE) -> CK_RV {
    guard("C_FindObjectsFinal", || {
        instance::get()?.find_final(session)
    })
}

pub unsafe extern "C" fn C_GetAttributeValue(
    session: CK_SESSION_HANDLE,
    object: CK_OBJECT_HANDLE,
    template: *mut CK_ATTRIBUTE,
    count: CK_ULONG,
) -> CK_RV {
    guard("C_GetAttributeValue", || {
        let inst = instance::get()?;
        buffer(template, count)?;
        let obj = inst.object(session, object)?;
        if template.is_null() {
            return Ok(());
        }
        // SAFETY: caller's contract: `count` attributes, each value writable for its length.
        let attrs = unsafe { std::slice::from_raw_parts_mut(template, count as usize) };
        let requests: Vec<_> = attrs
            .iter()
            .map(|a| {
                (
                    a.type_,
                    (!a.pValue.is_null()).then_some(a.ulValueLen as usize),
                )
            })
            .collect();
        let (answers, rv) = attribute_answers(&obj, &requests);
        for (a, answer) in attrs.iter_mut().zip(answers) {
            match answer {
                Answer::Len(n) => a.ulValueLen = n as CK_ULONG,
                Answer::Value(v) => {
                    // SAFETY: `attribute_answers` checked the caller's buffer holds v.len().
                    unsafe {
                        std::ptr::copy_nonoverlapping(v.as_ptr(), a.pValue as *mut u8, v.len())
                    };
                    a.ulValueLen = v.len() as CK_ULONG;
                }
                Answer::Unavailable => a.ulValueLen = CK_UNAVAILABLE_INFORMATION,
            }
        }
        if rv == CKR_OK {
            Ok(())
        } else {
            Err(rv)
        }
    })
}

pub unsafe extern "C" fn C_GetObjectSize(
    session: CK_SESSION_HANDLE,
    object: CK_OBJECT_HANDLE,
    size: *mut CK_ULONG,
) -> CK_RV {
    guard("C_GetObjectSize", || {
        let inst = instance::get()?;
        not_null(size)?;
        let n = inst.object_size(session, object)?;
        // SAFETY: checked non-NULL.
        unsafe { size.write_unaligned(n) };
        Ok(())
    })
}
