//! General-purpose, slot and token entry points (PKCS#11 §5.4–5.5).

#![allow(non_snake_case)]

use cryptoki_sys::*;

use super::util::{guard, not_null, pad};
use crate::backend::{instance, mechanism, recursion};

const VERSION_MAJOR: u8 = 0;
const VERSION_MINOR: u8 = 1;

pub unsafe extern "C" fn C_Initialize(args: *mut std::os::raw::c_void) -> CK_RV {
    guard("C_Initialize", || {
        if !args.is_null() {
            // SAFETY: a non-NULL argument is a CK_C_INITIALIZE_ARGS by contract; copied, never kept.
            let a = unsafe { std::ptr::read_unaligned(args as *const CK_C_INITIALIZE_ARGS) };
            if !a.pReserved.is_null() {
                return Err(CKR_ARGUMENTS_BAD);
            }
            let given = [
                a.CreateMutex.is_some(),
                a.DestroyMutex.is_some(),
                a.LockMutex.is_some(),
                a.UnlockMutex.is_some(),
            ];
            if given.iter().any(|g| *g) && !given.iter().all(|g| *g) {
                return Err(CKR_ARGUMENTS_BAD);
            }
            // We lock with the OS's primitives; an application that insists on its own
            // mutexes without allowing OS locking cannot be served.
            if given[0] && a.flags & CKF_OS_LOCKING_OK == 0 {
                return Err(CKR_CANT_LOCK);
            }
        }
        instance::initialize()
    })
}

pub unsafe extern "C" fn C_Finalize(reserved: *mut std::os::raw::c_void) -> CK_RV {
    guard("C_Finalize", || {
        if !reserved.is_null() {
            return Err(CKR_ARGUMENTS_BAD);
        }
        instance::finalize()
    })
}

/// `C_GetInfo` of the 2.40 function list (`C_GetFunctionList`).
pub unsafe extern "C" fn C_GetInfo(info: *mut CK_INFO) -> CK_RV {
    guard("C_GetInfo", || get_info(info, 2, 40))
}

/// `C_GetInfo` of the 3.0 function list (`C_GetInterface`): the version the caller obtained.
pub unsafe extern "C" fn C_GetInfo_3_0(info: *mut CK_INFO) -> CK_RV {
    guard("C_GetInfo", || get_info(info, 3, 0))
}

fn get_info(info: *mut CK_INFO, major: u8, minor: u8) -> Result<(), CK_RV> {
    {
        instance::get()?;
        not_null(info)?;
        let mut out = CK_INFO {
            cryptokiVersion: CK_VERSION { major, minor },
            manufacturerID: [0; 32],
            flags: 0,
            libraryDescription: [0; 32],
            libraryVersion: CK_VERSION {
                major: VERSION_MAJOR,
                minor: VERSION_MINOR,
            },
        };
        pad(&mut out.manufacturerID, recursion::MANUFACTURER);
        pad(&mut out.libraryDescription, recursion::DESCRIPTION);
        // SAFETY: checked non-NULL; the caller owns a CK_INFO there.
        unsafe { info.write_unaligned(out) };
        Ok(())
    }
}

pub unsafe extern "C" fn C_GetSlotList(
    token_present: CK_BBOOL,
    list: *mut CK_SLOT_ID,
    count: *mut CK_ULONG,
) -> CK_RV {
    guard("C_GetSlotList", || {
        let inst = instance::get()?;
        not_null(count)?;
        let ids = inst.slot_list(token_present != CK_FALSE);
        if list.is_null() {
            // SAFETY: checked non-NULL.
            unsafe { *count = ids.len() as CK_ULONG };
            return Ok(());
        }
        // SAFETY: checked non-NULL.
        let capacity = unsafe { *count } as usize;
        // SAFETY: as above.
        unsafe { *count = ids.len() as CK_ULONG };
        if capacity < ids.len() {
            return Err(CKR_BUFFER_TOO_SMALL);
        }
        // SAFETY: the caller's array holds `capacity` >= ids.len() entries.
        unsafe { std::ptr::copy_nonoverlapping(ids.as_ptr(), list, ids.len()) };
        Ok(())
    })
}

pub unsafe extern "C" fn C_GetSlotInfo(slot: CK_SLOT_ID, info: *mut CK_SLOT_INFO) -> CK_RV {
    guard("C_GetSlotInfo", || {
        let inst = instance::get()?;
        not_null(info)?;
        let out = inst.with_slot(slot, |s| {
            let mut out = CK_SLOT_INFO {
                slotDescription: [0; 64],
                manufacturerID: [0; 32],
                flags: 0,
                hardwareVersion: CK_VERSION { major: 0, minor: 0 },
                firmwareVersion: CK_VERSION { major: 0, minor: 0 },
            };
            pad(&mut out.slotDescription, &s.desc.description);
            pad(&mut out.manufacturerID, &s.desc.manufacturer);
            // The underlying slot's own flags; a remote account's slot is neither removable
            // nor hardware (its description says what it is).
            out.flags = if s.desc.removable {
                CKF_REMOVABLE_DEVICE
            } else {
                0
            } | if s.token.is_some() {
                CKF_TOKEN_PRESENT
            } else {
                0
            } | if s.desc.hardware { CKF_HW_SLOT } else { 0 };
            out
        })?;
        // SAFETY: checked non-NULL.
        unsafe { info.write_unaligned(out) };
        Ok(())
    })
}

pub unsafe extern "C" fn C_GetTokenInfo(slot: CK_SLOT_ID, info: *mut CK_TOKEN_INFO) -> CK_RV {
    guard("C_GetTokenInfo", || {
        let inst = instance::get()?;
        not_null(info)?;
        let (ti, sessions, rw) = inst.token_info(slot)?;
        let mut out = CK_TOKEN_INFO {
            label: [0; 32],
            manufacturerID: [0; 32],
            model: [0; 16],
            serialNumber: [0; 16],
            flags: CKF_RNG | CKF_WRITE_PROTECTED | CKF_TOKEN_INITIALIZED,
            ulMaxSessionCount: CK_EFFECTIVELY_INFINITE,
            ulSessionCount: sessions as CK_ULONG,
            ulMaxRwSessionCount: CK_EFFECTIVELY_INFINITE,
            ulRwSessionCount: rw as CK_ULONG,
            ulMaxPinLen: 255,
            ulMinPinLen: 1,
            ulTotalPublicMemory: CK_UNAVAILABLE_INFORMATION,
            ulFreePublicMemory: CK_UNAVAILABLE_INFORMATION,
            ulTotalPrivateMemory: CK_UNAVAILABLE_INFORMATION,
            ulFreePrivateMemory: CK_UNAVAILABLE_INFORMATION,
            hardwareVersion: CK_VERSION { major: 0, minor: 0 },
            firmwareVersion: CK_VERSION { major: 0, minor: 0 },
            utcTime: [b' '; 16],
        };
        pad(&mut out.label, &ti.label);
        pad(&mut out.manufacturerID, &ti.manufacturer);
        pad(&mut out.model, &ti.model);
        pad(&mut out.serialNumber, &ti.serial);
        let p = &ti.pin;
        for (on, flag) in [
            (ti.login_required, CKF_LOGIN_REQUIRED),
            (p.initialized, CKF_USER_PIN_INITIALIZED),
            (p.count_low, CKF_USER_PIN_COUNT_LOW),
            (p.final_try, CKF_USER_PIN_FINAL_TRY),
            (p.locked, CKF_USER_PIN_LOCKED),
            (p.to_be_changed, CKF_USER_PIN_TO_BE_CHANGED),
            (p.protected_path, CKF_PROTECTED_AUTHENTICATION_PATH),
        ] {
            if on {
                out.flags |= flag;
            }
        }
        // SAFETY: checked non-NULL.
        unsafe { info.write_unaligned(out) };
        Ok(())
    })
}

pub unsafe extern "C" fn C_GetMechanismList(
    slot: CK_SLOT_ID,
    list: *mut CK_MECHANISM_TYPE,
    count: *mut CK_ULONG,
) -> CK_RV {
    guard("C_GetMechanismList", || {
        let inst = instance::get()?;
        not_null(count)?;
        let mechs = inst.mechanisms(slot)?;
        // SAFETY: checked non-NULL.
        let capacity = unsafe { *count } as usize;
        // SAFETY: as above.
        unsafe { *count = mechs.len() as CK_ULONG };
        if list.is_null() {
            return Ok(());
        }
        if capacity < mechs.len() {
            return Err(CKR_BUFFER_TOO_SMALL);
        }
        // SAFETY: the caller's array holds `capacity` >= mechs.len() entries.
        unsafe { std::ptr::copy_nonoverlapping(mechs.as_ptr(), list, mechs.len()) };
        Ok(())
    })
}

pub unsafe extern "C" fn C_GetMechanismInfo(
    slot: CK_SLOT_ID,
    ty: CK_MECHANISM_TYPE,
    info: *mut CK_MECHANISM_INFO,
) -> CK_RV {
    guard("C_GetMechanismInfo", || {
        let inst = instance::get()?;
        not_null(info)?;
        inst.with_slot(slot, |_| ())?;
        let (min, max, flags) = mechanism::info(ty).ok_or(CKR_MECHANISM_INVALID)?;
        // SAFETY: checked non-NULL.
        unsafe {
            info.write_unaligned(CK_MECHANISM_INFO {
                ulMinKeySize: min,
                ulMaxKeySize: max,
                flags,
            })
        };
        Ok(())
    })
}

pub unsafe extern "C" fn C_WaitForSlotEvent(
    flags: CK_FLAGS,
    slot: *mut CK_SLOT_ID,
    reserved: *mut std::os::raw::c_void,
) -> CK_RV {
    guard("C_WaitForSlotEvent", || {
        let inst = instance::get()?;
        not_null(slot)?;
        if !reserved.is_null() {
            return Err(CKR_ARGUMENTS_BAD);
        }
        let id = inst.wait_for_slot_event(flags & CKF_DONT_BLOCK == 0)?;
        // SAFETY: checked non-NULL.
        unsafe { *slot = id };
        Ok(())
    })
}
