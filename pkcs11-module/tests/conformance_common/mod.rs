//! What the conformance tests share: the 2.40 and 3.0 function lists, a `call!` through
//! either, a session on the fixture's token.

#![allow(dead_code, unused_macros)]

use std::ptr::null_mut;

use super::common::*;
use cryptoki_sys::*;

/// The 2.40 function list, as `C_GetFunctionList` gives it.
pub fn list_2_40() -> &'static CK_FUNCTION_LIST {
    let mut list: *mut CK_FUNCTION_LIST = null_mut();
    // SAFETY: valid out-pointer.
    assert_eq!(unsafe { kyso_pkcs11::C_GetFunctionList(&mut list) }, CKR_OK);
    // SAFETY: points at the module's static list.
    unsafe { &*list }
}

/// The 3.0 function list, as `C_GetInterface` gives it by default.
pub fn list_3_0() -> &'static CK_FUNCTION_LIST_3_0 {
    let mut iface: *mut CK_INTERFACE = null_mut();
    // SAFETY: valid out-pointer; NULL name and version ask for the default interface.
    assert_eq!(
        unsafe { kyso_pkcs11::C_GetInterface(null_mut(), null_mut(), &mut iface, 0) },
        CKR_OK
    );
    // SAFETY: the module's static interface, whose list is a 3.0 one (checked below).
    let list = unsafe { &*((*iface).pFunctionList as *const CK_FUNCTION_LIST_3_0) };
    assert_eq!((list.version.major, list.version.minor), (3, 0));
    list
}

/// `call!(list, C_X(args…))` through either function list.
macro_rules! call {
    ($l:expr, $f:ident ( $($arg:expr),* )) => {
        // SAFETY: each test passes pointers valid for the call, or deliberately NULL.
        unsafe { $l.$f.unwrap()($($arg),*) }
    };
}

/// Runs `body` once with `$l` the 2.40 list and once with the 3.0 list.
macro_rules! both_lists {
    (|$l:ident| $body:block) => {{
        {
            let $l = list_2_40();
            $body
        }
        {
            let $l = list_3_0();
            $body
        }
    }};
}

pub fn env(fx: &Fixture) {
    std::env::set_var("SOFTHSM2_CONF", &fx.conf);
    std::env::set_var("KYSO_CONFIG", fx.kyso_toml());
    std::env::set_var("KYSO_LOG", fx.path("module.log"));
}

pub fn mech(ty: CK_MECHANISM_TYPE) -> CK_MECHANISM {
    CK_MECHANISM {
        mechanism: ty,
        pParameter: null_mut(),
        ulParameterLen: 0,
    }
}

pub const BOGUS: CK_SESSION_HANDLE = 0x0bad_5e55;
pub const UNLISTED: CK_MECHANISM_TYPE = CKM_VENDOR_DEFINED | 0x1234;

/// Initialises through `l` and opens a session on the `kyso-test` token.
macro_rules! setup {
    ($l:ident, $fx:expr, $flags:expr) => {{
        env($fx);
        assert_eq!(call!($l, C_Initialize(null_mut())), CKR_OK);
        let slot = slot_of!($l, "kyso-test");
        let mut s = 0;
        assert_eq!(
            call!($l, C_OpenSession(slot, $flags, null_mut(), None, &mut s)),
            CKR_OK
        );
        (slot, s)
    }};
}

macro_rules! slot_of {
    ($l:ident, $label:expr) => {{
        let mut ids = [0; 16];
        let mut n: CK_ULONG = 16;
        assert_eq!(
            call!($l, C_GetSlotList(CK_TRUE, ids.as_mut_ptr(), &mut n)),
            CKR_OK
        );
        ids[..n as usize]
            .iter()
            .copied()
            .find(|&id| {
                // SAFETY: plain data; zeroed is valid.
                let mut ti: CK_TOKEN_INFO = unsafe { std::mem::zeroed() };
                call!($l, C_GetTokenInfo(id, &mut ti)) == CKR_OK
                    && String::from_utf8_lossy(&ti.label).trim_end() == $label
            })
            .expect("fixture token")
    }};
}

pub fn login_user<F>(login: F, s: CK_SESSION_HANDLE, user: CK_USER_TYPE) -> CK_RV
where
    F: FnOnce(CK_SESSION_HANDLE, CK_USER_TYPE, *mut CK_UTF8CHAR, CK_ULONG) -> CK_RV,
{
    login(s, user, PIN.as_ptr() as *mut u8, PIN.len() as CK_ULONG)
}

/// The certificate object with `CKA_ID` 1.
macro_rules! certificate {
    ($l:ident, $s:expr) => {{
        let mut class = CKO_CERTIFICATE;
        let mut tpl = [CK_ATTRIBUTE {
            type_: CKA_CLASS,
            pValue: &mut class as *mut _ as *mut _,
            ulValueLen: std::mem::size_of::<CK_OBJECT_CLASS>() as CK_ULONG,
        }];
        assert_eq!(
            call!($l, C_FindObjectsInit($s, tpl.as_mut_ptr(), 1)),
            CKR_OK
        );
        let mut h = 0;
        let mut n = 0;
        assert_eq!(call!($l, C_FindObjects($s, &mut h, 1, &mut n)), CKR_OK);
        assert_eq!(call!($l, C_FindObjectsFinal($s)), CKR_OK);
        assert_eq!(n, 1);
        h
    }};
}
