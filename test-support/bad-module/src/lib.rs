//! A deliberately broken PKCS#11 module for kyso's "hostile module" tests; never shipped.
//!
//! It shows one plausible token ("Bad Token", slot 1) holding an RSA certificate, its private
//! key and its public key (id `42`), and misbehaves as `KYSO_BAD_MODULE` says, read at every
//! call so one build serves every test. Modes combine with commas:
//!
//! | mode | misbehaviour |
//! | --- | --- |
//! | `init-fails` | `C_Initialize` returns `CKR_DEVICE_ERROR` |
//! | `slot-count-huge` | `C_GetSlotList` reports 0xFFFF_FFF0 slots |
//! | `slot-count-lies` | `C_GetSlotList` writes one slot and reports 5 with `CKR_OK` |
//! | `slot-list-grows` | `C_GetSlotList` answers `CKR_BUFFER_TOO_SMALL` forever, growing |
//! | `mech-count-huge` | `C_GetMechanismList` reports 0xFFFF_FFF0 mechanisms |
//! | `find-count-huge` | `C_FindObjects` reports 0xFFFF_FFF0 handles found |
//! | `attr-length-huge` | `CKA_VALUE`'s length is 0xFFFF_FFF0 |
//! | `attr-overflow` | `CKA_VALUE` fills the buffer and reports 4096 bytes more, `CKR_OK` |
//! | `attr-unavailable` | `CKA_VALUE` is `CK_UNAVAILABLE_INFORMATION` with `CKR_OK` |
//! | `sign-length-huge` | `C_Sign` reports a signature length of 0xFFFF_FFF0 (to a length query, and with `sign-longer` to a buffer too small) |
//! | `sign-overflow` | `C_Sign` fills the buffer and reports 64 bytes more, `CKR_OK` |
//! | `sign-longer` | signatures take 320 bytes, not the 256 of the certificate's RSA-2048 key (`CKR_BUFFER_TOO_SMALL` below, the operation kept, as the spec says) |
//! | `token-info-non-utf8` | label, manufacturer, model and serial hold bytes that are not UTF-8 |
//! | `garbage-lengths` | every lie about a length above at once |
//! | `sign-hangs` | `C_Sign` with a buffer never returns (as OpenSC 0.23 does when its card is pulled mid-command) |
//!
//! Otherwise `C_Sign` returns 256 bytes that are no signature (the key is not here), and any
//! PIN logs in. `unsafe` is everywhere here: it is a C ABI written by hand, and test code.

#![allow(non_snake_case, clippy::missing_safety_doc)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use cryptoki_sys::*;

/// The certificate on the token (a self-signed RSA-2048 one; its key is not here).
static CERT: &[u8] = include_bytes!("cert.der");
const ID: &[u8] = &[0x42];
const SLOT: CK_SLOT_ID = 1;
const HUGE: CK_ULONG = 0xFFFF_FFF0;
const H_CERT: CK_OBJECT_HANDLE = 1;
const H_PRIV: CK_OBJECT_HANDLE = 2;
const H_PUB: CK_OBJECT_HANDLE = 3;

fn mode(m: &str) -> bool {
    let v = std::env::var("KYSO_BAD_MODULE").unwrap_or_default();
    v.split(',').any(|x| {
        let x = x.trim();
        x == m
            || (x == "garbage-lengths"
                && matches!(
                    m,
                    "slot-count-lies"
                        | "mech-count-huge"
                        | "find-count-huge"
                        | "attr-length-huge"
                        | "attr-overflow"
                        | "sign-length-huge"
                        | "token-info-non-utf8"
                ))
    })
}

static INITIALIZED: Mutex<bool> = Mutex::new(false);
static NEXT_SESSION: AtomicU64 = AtomicU64::new(1);
/// Handles left to return by the search in progress (one search at a time is enough here).
static FOUND: Mutex<Vec<CK_OBJECT_HANDLE>> = Mutex::new(Vec::new());
/// Calls of `C_GetSlotList` in `slot-list-grows` mode, to grow the count.
static GROWS: AtomicU64 = AtomicU64::new(1);

fn initialized() -> bool {
    *INITIALIZED.lock().unwrap_or_else(|p| p.into_inner())
}

fn pad<const N: usize>(s: &[u8]) -> [u8; N] {
    let mut out = [b' '; N];
    let n = s.len().min(N);
    out[..n].copy_from_slice(&s[..n]);
    out
}

fn ulong(v: CK_ULONG) -> Vec<u8> {
    v.to_ne_bytes().to_vec()
}

/// The value of one attribute of one object, if it has it.
fn attribute(object: CK_OBJECT_HANDLE, ty: CK_ATTRIBUTE_TYPE) -> Option<Vec<u8>> {
    let class = match object {
        H_CERT => CKO_CERTIFICATE,
        H_PRIV => CKO_PRIVATE_KEY,
        H_PUB => CKO_PUBLIC_KEY,
        _ => return None,
    };
    Some(match ty {
        CKA_CLASS => ulong(class),
        CKA_ID => ID.to_vec(),
        CKA_LABEL => b"bad".to_vec(),
        CKA_TOKEN => vec![CK_TRUE],
        CKA_PRIVATE => vec![(class == CKO_PRIVATE_KEY) as u8],
        CKA_VALUE if class == CKO_CERTIFICATE => CERT.to_vec(),
        CKA_CERTIFICATE_TYPE if class == CKO_CERTIFICATE => ulong(CKC_X_509),
        CKA_KEY_TYPE if class != CKO_CERTIFICATE => ulong(CKK_RSA),
        CKA_SIGN if class == CKO_PRIVATE_KEY => vec![CK_TRUE],
        CKA_ALWAYS_AUTHENTICATE if class == CKO_PRIVATE_KEY => vec![CK_FALSE],
        _ => return None,
    })
}

macro_rules! check_init {
    () => {
        if !initialized() {
            return CKR_CRYPTOKI_NOT_INITIALIZED;
        }
    };
}

unsafe extern "C" fn C_Initialize(_args: CK_VOID_PTR) -> CK_RV {
    if mode("init-fails") {
        return CKR_DEVICE_ERROR;
    }
    let mut i = INITIALIZED.lock().unwrap_or_else(|p| p.into_inner());
    if *i {
        return CKR_CRYPTOKI_ALREADY_INITIALIZED;
    }
    *i = true;
    CKR_OK
}

unsafe extern "C" fn C_Finalize(_reserved: CK_VOID_PTR) -> CK_RV {
    let mut i = INITIALIZED.lock().unwrap_or_else(|p| p.into_inner());
    if !*i {
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    }
    *i = false;
    CKR_OK
}

unsafe extern "C" fn C_GetInfo(info: *mut CK_INFO) -> CK_RV {
    check_init!();
    *info = CK_INFO {
        cryptokiVersion: CK_VERSION {
            major: 2,
            minor: 40,
        },
        manufacturerID: pad(b"kyso tests"),
        flags: 0,
        libraryDescription: pad(b"deliberately broken module"),
        libraryVersion: CK_VERSION { major: 0, minor: 1 },
    };
    CKR_OK
}

unsafe extern "C" fn C_GetSlotList(
    _present: CK_BBOOL,
    list: *mut CK_SLOT_ID,
    count: *mut CK_ULONG,
) -> CK_RV {
    check_init!();
    if mode("slot-count-huge") {
        *count = HUGE;
        return CKR_OK;
    }
    if mode("slot-list-grows") {
        // Never enough: the count grows by one at every call.
        *count = GROWS.fetch_add(1, Ordering::Relaxed);
        return if list.is_null() {
            CKR_OK
        } else {
            CKR_BUFFER_TOO_SMALL
        };
    }
    if list.is_null() {
        *count = 1;
        return CKR_OK;
    }
    if *count < 1 {
        *count = 1;
        return CKR_BUFFER_TOO_SMALL;
    }
    *list = SLOT;
    *count = if mode("slot-count-lies") { 5 } else { 1 };
    CKR_OK
}

unsafe extern "C" fn C_GetSlotInfo(slot: CK_SLOT_ID, info: *mut CK_SLOT_INFO) -> CK_RV {
    check_init!();
    if slot != SLOT {
        return CKR_SLOT_ID_INVALID;
    }
    *info = CK_SLOT_INFO {
        slotDescription: pad(b"bad slot"),
        manufacturerID: pad(b"kyso tests"),
        flags: CKF_TOKEN_PRESENT,
        hardwareVersion: CK_VERSION { major: 0, minor: 1 },
        firmwareVersion: CK_VERSION { major: 0, minor: 1 },
    };
    CKR_OK
}

unsafe extern "C" fn C_GetTokenInfo(slot: CK_SLOT_ID, info: *mut CK_TOKEN_INFO) -> CK_RV {
    check_init!();
    if slot != SLOT {
        return CKR_SLOT_ID_INVALID;
    }
    let odd = mode("token-info-non-utf8");
    let mut ti = CK_TOKEN_INFO {
        label: pad(if odd {
            b"Bad\xff\xfe Token \xc3"
        } else {
            b"Bad Token"
        }),
        manufacturerID: pad(if odd { b"\xe1\xbb kyso" } else { b"kyso tests" }),
        model: pad(if odd { b"\x80\x81\x82" } else { b"broken" }),
        serialNumber: pad(if odd { b"\xff\x00\xff42" } else { b"0042" }),
        flags: CKF_TOKEN_INITIALIZED | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED,
        ulMaxSessionCount: CK_EFFECTIVELY_INFINITE,
        ulMaxRwSessionCount: CK_EFFECTIVELY_INFINITE,
        ulMaxPinLen: 64,
        ulMinPinLen: 4,
        ulTotalPublicMemory: CK_UNAVAILABLE_INFORMATION,
        ulFreePublicMemory: CK_UNAVAILABLE_INFORMATION,
        ulTotalPrivateMemory: CK_UNAVAILABLE_INFORMATION,
        ulFreePrivateMemory: CK_UNAVAILABLE_INFORMATION,
        ..Default::default()
    };
    ti.utcTime = pad(b"");
    *info = ti;
    CKR_OK
}

unsafe extern "C" fn C_GetMechanismList(
    slot: CK_SLOT_ID,
    list: *mut CK_MECHANISM_TYPE,
    count: *mut CK_ULONG,
) -> CK_RV {
    check_init!();
    if slot != SLOT {
        return CKR_SLOT_ID_INVALID;
    }
    if mode("mech-count-huge") {
        *count = HUGE;
        return CKR_OK;
    }
    let mechs = [CKM_RSA_PKCS, CKM_SHA256_RSA_PKCS];
    if list.is_null() {
        *count = mechs.len() as CK_ULONG;
        return CKR_OK;
    }
    if (*count as usize) < mechs.len() {
        *count = mechs.len() as CK_ULONG;
        return CKR_BUFFER_TOO_SMALL;
    }
    std::ptr::copy_nonoverlapping(mechs.as_ptr(), list, mechs.len());
    *count = mechs.len() as CK_ULONG;
    CKR_OK
}

unsafe extern "C" fn C_GetMechanismInfo(
    _slot: CK_SLOT_ID,
    _ty: CK_MECHANISM_TYPE,
    info: *mut CK_MECHANISM_INFO,
) -> CK_RV {
    check_init!();
    *info = CK_MECHANISM_INFO {
        ulMinKeySize: 2048,
        ulMaxKeySize: 2048,
        flags: CKF_SIGN | CKF_HW,
    };
    CKR_OK
}

unsafe extern "C" fn C_OpenSession(
    slot: CK_SLOT_ID,
    _flags: CK_FLAGS,
    _app: CK_VOID_PTR,
    _notify: CK_NOTIFY,
    session: *mut CK_SESSION_HANDLE,
) -> CK_RV {
    check_init!();
    if slot != SLOT {
        return CKR_SLOT_ID_INVALID;
    }
    *session = NEXT_SESSION.fetch_add(1, Ordering::Relaxed);
    CKR_OK
}

unsafe extern "C" fn C_CloseSession(_session: CK_SESSION_HANDLE) -> CK_RV {
    check_init!();
    CKR_OK
}

unsafe extern "C" fn C_CloseAllSessions(_slot: CK_SLOT_ID) -> CK_RV {
    check_init!();
    CKR_OK
}

unsafe extern "C" fn C_GetSessionInfo(
    _session: CK_SESSION_HANDLE,
    info: *mut CK_SESSION_INFO,
) -> CK_RV {
    check_init!();
    *info = CK_SESSION_INFO {
        slotID: SLOT,
        state: CKS_RO_USER_FUNCTIONS,
        flags: CKF_SERIAL_SESSION,
        ulDeviceError: 0,
    };
    CKR_OK
}

unsafe extern "C" fn C_Login(
    _session: CK_SESSION_HANDLE,
    _user: CK_USER_TYPE,
    _pin: *mut CK_UTF8CHAR,
    _len: CK_ULONG,
) -> CK_RV {
    check_init!();
    CKR_OK
}

unsafe extern "C" fn C_Logout(_session: CK_SESSION_HANDLE) -> CK_RV {
    check_init!();
    CKR_OK
}

unsafe extern "C" fn C_GetAttributeValue(
    _session: CK_SESSION_HANDLE,
    object: CK_OBJECT_HANDLE,
    template: *mut CK_ATTRIBUTE,
    count: CK_ULONG,
) -> CK_RV {
    check_init!();
    if !(H_CERT..=H_PUB).contains(&object) {
        return CKR_OBJECT_HANDLE_INVALID;
    }
    let mut rv = CKR_OK;
    for i in 0..count as usize {
        let a = &mut *template.add(i);
        let Some(value) = attribute(object, a.type_) else {
            a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
            rv = CKR_ATTRIBUTE_TYPE_INVALID;
            continue;
        };
        let lie = a.type_ == CKA_VALUE;
        if lie && mode("attr-unavailable") {
            a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
            continue;
        }
        if a.pValue.is_null() {
            a.ulValueLen = if lie && mode("attr-length-huge") {
                HUGE
            } else {
                value.len() as CK_ULONG
            };
            continue;
        }
        let room = a.ulValueLen as usize;
        if lie && mode("attr-overflow") {
            let n = room.min(value.len());
            std::ptr::copy_nonoverlapping(value.as_ptr(), a.pValue as *mut u8, n);
            a.ulValueLen = (room + 4096) as CK_ULONG;
            continue;
        }
        if room < value.len() {
            a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
            rv = CKR_BUFFER_TOO_SMALL;
            continue;
        }
        std::ptr::copy_nonoverlapping(value.as_ptr(), a.pValue as *mut u8, value.len());
        a.ulValueLen = value.len() as CK_ULONG;
    }
    rv
}

unsafe extern "C" fn C_FindObjectsInit(
    _session: CK_SESSION_HANDLE,
    template: *mut CK_ATTRIBUTE,
    count: CK_ULONG,
) -> CK_RV {
    check_init!();
    let mut found = Vec::new();
    'objects: for h in [H_CERT, H_PRIV, H_PUB] {
        for i in 0..count as usize {
            let a = &*template.add(i);
            let want = std::slice::from_raw_parts(a.pValue as *const u8, a.ulValueLen as usize);
            if attribute(h, a.type_).as_deref() != Some(want) {
                continue 'objects;
            }
        }
        found.push(h);
    }
    *FOUND.lock().unwrap_or_else(|p| p.into_inner()) = found;
    CKR_OK
}

unsafe extern "C" fn C_FindObjects(
    _session: CK_SESSION_HANDLE,
    out: *mut CK_OBJECT_HANDLE,
    max: CK_ULONG,
    count: *mut CK_ULONG,
) -> CK_RV {
    check_init!();
    let mut found = FOUND.lock().unwrap_or_else(|p| p.into_inner());
    if mode("find-count-huge") && !found.is_empty() {
        *out = found[0];
        *count = HUGE;
        return CKR_OK;
    }
    let n = found.len().min(max as usize);
    for (i, h) in found.drain(..n).enumerate() {
        *out.add(i) = h;
    }
    *count = n as CK_ULONG;
    CKR_OK
}

unsafe extern "C" fn C_FindObjectsFinal(_session: CK_SESSION_HANDLE) -> CK_RV {
    check_init!();
    FOUND.lock().unwrap_or_else(|p| p.into_inner()).clear();
    CKR_OK
}

unsafe extern "C" fn C_SignInit(
    _session: CK_SESSION_HANDLE,
    _mech: *mut CK_MECHANISM,
    key: CK_OBJECT_HANDLE,
) -> CK_RV {
    check_init!();
    if key != H_PRIV {
        return CKR_KEY_HANDLE_INVALID;
    }
    CKR_OK
}

unsafe extern "C" fn C_Sign(
    _session: CK_SESSION_HANDLE,
    _data: *mut CK_BYTE,
    _len: CK_ULONG,
    sig: *mut CK_BYTE,
    sig_len: *mut CK_ULONG,
) -> CK_RV {
    check_init!();
    let len = if mode("sign-longer") { 320 } else { 256 };
    if sig.is_null() {
        *sig_len = if mode("sign-length-huge") {
            HUGE
        } else {
            len as CK_ULONG
        };
        return CKR_OK;
    }
    if mode("sign-hangs") {
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    }
    let room = *sig_len as usize;
    if mode("sign-overflow") {
        std::ptr::write_bytes(sig, 0x5a, room.min(len));
        *sig_len = (room + 64) as CK_ULONG;
        return CKR_OK;
    }
    if room < len {
        *sig_len = if mode("sign-length-huge") {
            HUGE
        } else {
            len as CK_ULONG
        };
        return CKR_BUFFER_TOO_SMALL;
    }
    // Never a real signature: the key is not here.
    std::ptr::write_bytes(sig, 0x5a, len);
    *sig_len = len as CK_ULONG;
    CKR_OK
}

struct List(CK_FUNCTION_LIST);
// SAFETY: only function pointers and a version, never written after creation.
unsafe impl Sync for List {}
unsafe impl Send for List {}

static LIST: OnceLock<List> = OnceLock::new();

/// The module's only export. Functions not listed are NULL (callers get
/// `CKR_FUNCTION_NOT_SUPPORTED` from their binding, or check for NULL).
#[no_mangle]
pub unsafe extern "C" fn C_GetFunctionList(list: *mut *mut CK_FUNCTION_LIST) -> CK_RV {
    if list.is_null() {
        return CKR_ARGUMENTS_BAD;
    }
    let l = LIST.get_or_init(|| {
        List(CK_FUNCTION_LIST {
            version: CK_VERSION {
                major: 2,
                minor: 40,
            },
            C_Initialize: Some(C_Initialize),
            C_Finalize: Some(C_Finalize),
            C_GetInfo: Some(C_GetInfo),
            C_GetFunctionList: Some(C_GetFunctionList),
            C_GetSlotList: Some(C_GetSlotList),
            C_GetSlotInfo: Some(C_GetSlotInfo),
            C_GetTokenInfo: Some(C_GetTokenInfo),
            C_GetMechanismList: Some(C_GetMechanismList),
            C_GetMechanismInfo: Some(C_GetMechanismInfo),
            C_OpenSession: Some(C_OpenSession),
            C_CloseSession: Some(C_CloseSession),
            C_CloseAllSessions: Some(C_CloseAllSessions),
            C_GetSessionInfo: Some(C_GetSessionInfo),
            C_Login: Some(C_Login),
            C_Logout: Some(C_Logout),
            C_GetAttributeValue: Some(C_GetAttributeValue),
            C_FindObjectsInit: Some(C_FindObjectsInit),
            C_FindObjects: Some(C_FindObjects),
            C_FindObjectsFinal: Some(C_FindObjectsFinal),
            C_SignInit: Some(C_SignInit),
            C_Sign: Some(C_Sign),
            ..Default::default()
        })
    });
    *list = &l.0 as *const CK_FUNCTION_LIST as *mut CK_FUNCTION_LIST;
    CKR_OK
}
