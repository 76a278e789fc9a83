//! PKCS#11 conformance of the module's answers (issue 20): the order in which every function,
//! stubs included, checks its arguments, and the exact return code for each misuse, through
//! the 2.40 function list (`C_GetFunctionList`) and the 3.0 one (`C_GetInterface`) alike.
//! Call by call: `conformance_calls.rs`.
//! One process per test (cargo nextest).

#[path = "../../tests/common/mod.rs"]
mod common;
#[macro_use]
mod conformance_common;

use std::ptr::null_mut;

use common::*;
use conformance_common::*;
use cryptoki_sys::*;

/// Every check of the stubs and of the implemented init functions, for one list, in the
/// spec's order: not initialised, bad arguments, bad session (or slot), bad mechanism, and
/// only then "not supported".
macro_rules! order_of_checks {
    ($l:ident, $fx:expr) => {{
        let mut m = mech(CKM_RSA_PKCS);
        let mut bad = mech(UNLISTED);
        let mut h: CK_OBJECT_HANDLE = 0;
        let mut h2: CK_OBJECT_HANDLE = 0;
        let mut n: CK_ULONG = 0;
        let mut byte = [0u8; 8];
        let pin = b"123456".as_ptr() as *mut u8;
        let mut label = [b' '; 32];
        let no_m: *mut CK_MECHANISM = null_mut();
        let no_a: *mut CK_ATTRIBUTE = null_mut();
        let no_b: *mut CK_BYTE = null_mut();

        // 1. Not initialised comes first, whatever else is wrong.
        for rv in [
            call!($l, C_EncryptInit(BOGUS, no_m, 1)),
            call!($l, C_DecryptInit(BOGUS, &mut m, 1)),
            call!($l, C_CreateObject(BOGUS, no_a, 3, null_mut())),
            call!($l, C_InitToken(99, no_b, 6, null_mut())),
            call!($l, C_InitPIN(BOGUS, no_b, 6)),
            call!($l, C_GenerateKey(BOGUS, no_m, no_a, 1, null_mut())),
            call!(
                $l,
                C_GenerateKeyPair(BOGUS, no_m, no_a, 1, no_a, 1, null_mut(), null_mut())
            ),
            call!($l, C_DigestInit(BOGUS, no_m)),
            call!($l, C_SignInit(BOGUS, no_m, 1)),
            call!($l, C_GetFunctionStatus(BOGUS)),
            call!($l, C_CancelFunction(BOGUS)),
            call!($l, C_GetObjectSize(BOGUS, 1, null_mut())),
            call!($l, C_SeedRandom(BOGUS, no_b, 4)),
            call!($l, C_GenerateRandom(BOGUS, no_b, 4)),
            call!($l, C_GetAttributeValue(BOGUS, 1, no_a, 2)),
            call!($l, C_Login(BOGUS, CKU_SO, null_mut(), 6)),
            call!($l, C_WaitForSlotEvent(0, null_mut(), null_mut())),
        ] {
            assert_eq!(rv, CKR_CRYPTOKI_NOT_INITIALIZED);
        }

        env($fx);
        assert_eq!(call!($l, C_Initialize(null_mut())), CKR_OK);
        let mut slots = [0; 8];
        let mut count: CK_ULONG = 8;
        assert_eq!(
            call!($l, C_GetSlotList(CK_TRUE, slots.as_mut_ptr(), &mut count)),
            CKR_OK
        );
        let slot = slots[0];
        let mut s: CK_SESSION_HANDLE = 0;
        let flags = CKF_SERIAL_SESSION | CKF_RW_SESSION;
        assert_eq!(
            call!($l, C_OpenSession(slot, flags, null_mut(), None, &mut s)),
            CKR_OK
        );

        // 2. Then the pointers the caller had to give, before the (bogus) session.
        for rv in [
            call!($l, C_EncryptInit(BOGUS, no_m, 1)),
            call!($l, C_CreateObject(BOGUS, no_a, 3, &mut h)),
            call!($l, C_CreateObject(BOGUS, no_a, 0, null_mut())),
            call!($l, C_InitToken(999, pin, 6, null_mut())),
            call!($l, C_InitToken(999, no_b, 6, label.as_mut_ptr())),
            call!($l, C_InitPIN(BOGUS, no_b, 6)),
            call!($l, C_GenerateKey(BOGUS, &mut m, no_a, 1, &mut h)),
            call!(
                $l,
                C_GenerateKeyPair(BOGUS, &mut m, no_a, 0, no_a, 0, &mut h, null_mut())
            ),
            call!($l, C_Encrypt(BOGUS, no_b, 4, no_b, &mut n)),
            call!($l, C_DigestInit(BOGUS, no_m)),
            call!($l, C_SignInit(BOGUS, no_m, 1)),
            call!($l, C_VerifyInit(BOGUS, no_m, 1)),
            call!($l, C_GetObjectSize(BOGUS, 1, null_mut())),
            call!($l, C_SeedRandom(BOGUS, no_b, 4)),
            call!($l, C_GenerateRandom(BOGUS, no_b, 4)),
            call!($l, C_GetAttributeValue(BOGUS, 1, no_a, 2)),
        ] {
            assert_eq!(rv, CKR_ARGUMENTS_BAD);
        }

        // 3. Then the session (or slot) handle, before the mechanism.
        for rv in [
            call!($l, C_EncryptInit(BOGUS, &mut bad, 1)),
            call!($l, C_DecryptInit(BOGUS, &mut m, 1)),
            call!($l, C_CreateObject(BOGUS, no_a, 0, &mut h)),
            call!($l, C_InitPIN(BOGUS, pin, 6)),
            call!($l, C_GenerateKey(BOGUS, &mut bad, no_a, 0, &mut h)),
            call!(
                $l,
                C_GenerateKeyPair(BOGUS, &mut bad, no_a, 0, no_a, 0, &mut h, &mut h2)
            ),
            call!($l, C_DigestInit(BOGUS, &mut bad)),
            call!($l, C_SignInit(BOGUS, &mut bad, 1)),
            call!($l, C_VerifyInit(BOGUS, &mut bad, 1)),
            call!($l, C_GetFunctionStatus(BOGUS)),
            call!($l, C_CancelFunction(BOGUS)),
            call!($l, C_GetObjectSize(BOGUS, 1, &mut n)),
            call!($l, C_SeedRandom(BOGUS, byte.as_mut_ptr(), 8)),
            call!($l, C_GenerateRandom(BOGUS, byte.as_mut_ptr(), 8)),
            call!($l, C_GetAttributeValue(BOGUS, 1, no_a, 0)),
            call!($l, C_Login(BOGUS, 77, pin, 6)),
            call!($l, C_DestroyObject(BOGUS, 1)),
            call!($l, C_Encrypt(BOGUS, no_b, 0, no_b, &mut n)),
        ] {
            assert_eq!(rv, CKR_SESSION_HANDLE_INVALID);
        }
        assert_eq!(
            call!($l, C_InitToken(999, pin, 6, label.as_mut_ptr())),
            CKR_SLOT_ID_INVALID
        );

        // 4. Then the mechanism.
        for rv in [
            call!($l, C_EncryptInit(s, &mut bad, 1)),
            call!($l, C_DecryptInit(s, &mut bad, 1)),
            call!($l, C_GenerateKey(s, &mut bad, no_a, 0, &mut h)),
            call!(
                $l,
                C_GenerateKeyPair(s, &mut bad, no_a, 0, no_a, 0, &mut h, &mut h2)
            ),
            call!($l, C_DigestInit(s, &mut bad)),
            call!($l, C_SignInit(s, &mut bad, 987654)),
        ] {
            assert_eq!(rv, CKR_MECHANISM_INVALID);
        }

        // 5. Only then "not supported" (or, for the legacy parallel functions, "not parallel").
        for rv in [
            call!($l, C_EncryptInit(s, &mut m, 1)),
            call!($l, C_DecryptInit(s, &mut m, 1)),
            call!($l, C_CreateObject(s, no_a, 0, &mut h)),
            call!($l, C_InitToken(slot, pin, 6, label.as_mut_ptr())),
            call!($l, C_InitPIN(s, pin, 6)),
            call!($l, C_GenerateKey(s, &mut m, no_a, 0, &mut h)),
            call!(
                $l,
                C_GenerateKeyPair(s, &mut m, no_a, 0, no_a, 0, &mut h, &mut h2)
            ),
            call!($l, C_DestroyObject(s, 1)),
            call!($l, C_Encrypt(s, no_b, 0, no_b, &mut n)),
        ] {
            assert_eq!(rv, CKR_FUNCTION_NOT_SUPPORTED);
        }
        assert_eq!(call!($l, C_GetFunctionStatus(s)), CKR_FUNCTION_NOT_PARALLEL);
        assert_eq!(call!($l, C_CancelFunction(s)), CKR_FUNCTION_NOT_PARALLEL);
        assert_eq!(
            call!($l, C_SignInit(s, &mut m, 987654)),
            CKR_KEY_HANDLE_INVALID
        );
        assert_eq!(call!($l, C_Finalize(null_mut())), CKR_OK);
        s
    }};
}

#[test]
fn every_function_checks_initialised_arguments_session_mechanism_then_support() {
    let fx = Fixture::new();
    both_lists!(|l| {
        order_of_checks!(l, &fx);
    });
    // The 3.0-only functions, through the 3.0 list.
    let l = list_3_0();
    let mut bad = mech(UNLISTED);
    let mut m = mech(CKM_ECDSA);
    assert_eq!(
        call!(l, C_MessageSignInit(BOGUS, null_mut(), 1)),
        CKR_CRYPTOKI_NOT_INITIALIZED
    );
    assert_eq!(
        call!(l, C_SessionCancel(BOGUS, 0)),
        CKR_CRYPTOKI_NOT_INITIALIZED
    );
    env(&fx);
    assert_eq!(call!(l, C_Initialize(null_mut())), CKR_OK);
    assert_eq!(
        call!(l, C_MessageSignInit(BOGUS, null_mut(), 1)),
        CKR_ARGUMENTS_BAD
    );
    assert_eq!(
        call!(
            l,
            C_LoginUser(BOGUS, CKU_USER, null_mut(), 6, null_mut(), 0)
        ),
        CKR_ARGUMENTS_BAD
    );
    assert_eq!(
        call!(l, C_MessageSignInit(BOGUS, &mut bad, 1)),
        CKR_SESSION_HANDLE_INVALID
    );
    assert_eq!(
        call!(l, C_SessionCancel(BOGUS, 0)),
        CKR_SESSION_HANDLE_INVALID
    );
    let mut slots = [0; 8];
    let mut count: CK_ULONG = 8;
    assert_eq!(
        call!(l, C_GetSlotList(CK_TRUE, slots.as_mut_ptr(), &mut count)),
        CKR_OK
    );
    let mut s = 0;
    assert_eq!(
        call!(
            l,
            C_OpenSession(slots[0], CKF_SERIAL_SESSION, null_mut(), None, &mut s)
        ),
        CKR_OK
    );
    assert_eq!(
        call!(l, C_MessageSignInit(s, &mut bad, 1)),
        CKR_MECHANISM_INVALID
    );
    assert_eq!(
        call!(l, C_MessageSignInit(s, &mut m, 1)),
        CKR_FUNCTION_NOT_SUPPORTED
    );
    assert_eq!(call!(l, C_MessageSignFinal(s)), CKR_FUNCTION_NOT_SUPPORTED);
    assert_eq!(call!(l, C_Finalize(null_mut())), CKR_OK);
}
