//! The module's C ABI driven directly, as a careless or hostile host would: calls before
//! `C_Initialize`, NULL pointers, wrong handles, short buffers, operations out of order, many
//! threads, and repeated initialise/finalise cycles. One process per test (cargo nextest).

#[path = "../../tests/common/mod.rs"]
mod common;

use std::ptr::null_mut;

use common::*;
use cryptoki_sys::*;

/// The function list, as a host gets it.
fn p11() -> &'static CK_FUNCTION_LIST {
    let mut list: *mut CK_FUNCTION_LIST = null_mut();
    // SAFETY: valid out-pointer.
    assert_eq!(unsafe { kyso_pkcs11::C_GetFunctionList(&mut list) }, CKR_OK);
    // SAFETY: points at the module's static list.
    unsafe { &*list }
}

macro_rules! call {
    ($f:ident ( $($arg:expr),* )) => {
        // SAFETY: each test passes pointers valid for the call, or deliberately NULL.
        unsafe { p11().$f.unwrap()($($arg),*) }
    };
}

/// Points the module at this fixture (SoftHSM behind it) and initialises it.
fn init(fx: &Fixture) {
    std::env::set_var("SOFTHSM2_CONF", &fx.conf);
    std::env::set_var("KYSO_CONFIG", fx.kyso_toml());
    std::env::set_var("KYSO_LOG", fx.path("module.log"));
    assert_eq!(call!(C_Initialize(null_mut())), CKR_OK);
}

fn slots() -> Vec<CK_SLOT_ID> {
    let mut n: CK_ULONG = 0;
    assert_eq!(call!(C_GetSlotList(CK_TRUE, null_mut(), &mut n)), CKR_OK);
    let mut ids = vec![0; n as usize];
    assert_eq!(
        call!(C_GetSlotList(CK_TRUE, ids.as_mut_ptr(), &mut n)),
        CKR_OK
    );
    ids
}

fn slot_of(label: &str) -> CK_SLOT_ID {
    for id in slots() {
        // SAFETY: CK_TOKEN_INFO is plain data; zeroed is a valid value.
        let mut ti: CK_TOKEN_INFO = unsafe { std::mem::zeroed() };
        assert_eq!(call!(C_GetTokenInfo(id, &mut ti)), CKR_OK);
        if String::from_utf8_lossy(&ti.label).trim_end() == label {
            return id;
        }
    }
    panic!("no token {label}");
}

fn open(slot: CK_SLOT_ID) -> CK_SESSION_HANDLE {
    let mut h = 0;
    assert_eq!(
        call!(C_OpenSession(
            slot,
            CKF_SERIAL_SESSION,
            null_mut(),
            None,
            &mut h
        )),
        CKR_OK
    );
    h
}

fn login(h: CK_SESSION_HANDLE, pin: &str) -> CK_RV {
    call!(C_Login(
        h,
        CKU_USER,
        pin.as_ptr() as *mut u8,
        pin.len() as CK_ULONG
    ))
}

fn find(h: CK_SESSION_HANDLE, class: CK_OBJECT_CLASS, id: u8) -> Vec<CK_OBJECT_HANDLE> {
    let mut class = class;
    let mut id = id;
    let mut tpl = [
        CK_ATTRIBUTE {
            type_: CKA_CLASS,
            pValue: &mut class as *mut _ as *mut _,
            ulValueLen: 8,
        },
        CK_ATTRIBUTE {
            type_: CKA_ID,
            pValue: &mut id as *mut _ as *mut _,
            ulValueLen: 1,
        },
    ];
    assert_eq!(call!(C_FindObjectsInit(h, tpl.as_mut_ptr(), 2)), CKR_OK);
    let mut out = [0; 16];
    let mut n = 0;
    assert_eq!(
        call!(C_FindObjects(h, out.as_mut_ptr(), 16, &mut n)),
        CKR_OK
    );
    assert_eq!(call!(C_FindObjectsFinal(h)), CKR_OK);
    out[..n as usize].to_vec()
}

fn mech(ty: CK_MECHANISM_TYPE) -> CK_MECHANISM {
    CK_MECHANISM {
        mechanism: ty,
        pParameter: null_mut(),
        ulParameterLen: 0,
    }
}

fn sign(
    h: CK_SESSION_HANDLE,
    key: CK_OBJECT_HANDLE,
    ty: CK_MECHANISM_TYPE,
    data: &[u8],
) -> Result<Vec<u8>, CK_RV> {
    let mut m = mech(ty);
    let rv = call!(C_SignInit(h, &mut m, key));
    if rv != CKR_OK {
        return Err(rv);
    }
    let mut len: CK_ULONG = 0;
    let rv = call!(C_Sign(
        h,
        data.as_ptr() as *mut u8,
        data.len() as CK_ULONG,
        null_mut(),
        &mut len
    ));
    if rv != CKR_OK {
        return Err(rv);
    }
    let mut sig = vec![0u8; len as usize];
    let rv = call!(C_Sign(
        h,
        data.as_ptr() as *mut u8,
        data.len() as CK_ULONG,
        sig.as_mut_ptr(),
        &mut len
    ));
    if rv != CKR_OK {
        return Err(rv);
    }
    sig.truncate(len as usize);
    Ok(sig)
}

#[test]
fn every_call_before_initialize_is_refused_cleanly() {
    let mut n: CK_ULONG = 0;
    assert_eq!(
        call!(C_GetSlotList(CK_FALSE, null_mut(), &mut n)),
        CKR_CRYPTOKI_NOT_INITIALIZED
    );
    // SAFETY: plain data.
    let mut info: CK_INFO = unsafe { std::mem::zeroed() };
    assert_eq!(call!(C_GetInfo(&mut info)), CKR_CRYPTOKI_NOT_INITIALIZED);
    assert_eq!(call!(C_Finalize(null_mut())), CKR_CRYPTOKI_NOT_INITIALIZED);
    assert_eq!(call!(C_CloseSession(1)), CKR_CRYPTOKI_NOT_INITIALIZED);
    let mut m = mech(CKM_SHA256);
    assert_eq!(call!(C_DigestInit(1, &mut m)), CKR_CRYPTOKI_NOT_INITIALIZED);
    assert_eq!(
        call!(C_EncryptInit(1, &mut m, 1)),
        CKR_CRYPTOKI_NOT_INITIALIZED,
        "unsupported functions check initialisation first too"
    );
}

#[test]
fn initialize_arguments_per_the_spec() {
    let fx = Fixture::new();
    std::env::set_var("SOFTHSM2_CONF", &fx.conf);
    std::env::set_var("KYSO_CONFIG", fx.kyso_toml());
    // SAFETY: plain data with NULL callbacks.
    let mut args: CK_C_INITIALIZE_ARGS = unsafe { std::mem::zeroed() };
    let mut reserved = 0u8;
    args.pReserved = &mut reserved as *mut u8 as *mut _;
    assert_eq!(
        call!(C_Initialize(&mut args as *mut _ as *mut _)),
        CKR_ARGUMENTS_BAD
    );
    args.pReserved = null_mut();
    unsafe extern "C" fn create(_: *mut *mut std::os::raw::c_void) -> CK_RV {
        CKR_OK
    }
    args.CreateMutex = Some(create);
    assert_eq!(
        call!(C_Initialize(&mut args as *mut _ as *mut _)),
        CKR_ARGUMENTS_BAD,
        "some mutex callbacks only"
    );
    args.CreateMutex = None;
    args.flags = CKF_OS_LOCKING_OK;
    assert_eq!(call!(C_Initialize(&mut args as *mut _ as *mut _)), CKR_OK);
    assert_eq!(
        call!(C_Initialize(null_mut())),
        CKR_CRYPTOKI_ALREADY_INITIALIZED
    );
    let mut junk = 0u8;
    assert_eq!(
        call!(C_Finalize(&mut junk as *mut u8 as *mut _)),
        CKR_ARGUMENTS_BAD
    );
    assert_eq!(call!(C_Finalize(null_mut())), CKR_OK);
    assert_eq!(call!(C_Finalize(null_mut())), CKR_CRYPTOKI_NOT_INITIALIZED);
}

#[test]
fn null_pointers_and_wrong_handles_get_spec_codes() {
    let fx = Fixture::new();
    init(&fx);
    assert_eq!(call!(C_GetInfo(null_mut())), CKR_ARGUMENTS_BAD);
    assert_eq!(
        call!(C_GetSlotList(CK_TRUE, null_mut(), null_mut())),
        CKR_ARGUMENTS_BAD
    );
    // SAFETY: plain data.
    let mut si: CK_SLOT_INFO = unsafe { std::mem::zeroed() };
    assert_eq!(call!(C_GetSlotInfo(9999, &mut si)), CKR_SLOT_ID_INVALID);
    let slot = slot_of("kyso-test");
    assert_eq!(call!(C_GetSlotInfo(slot, null_mut())), CKR_ARGUMENTS_BAD);
    assert_eq!(
        call!(C_OpenSession(
            slot,
            CKF_SERIAL_SESSION,
            null_mut(),
            None,
            null_mut()
        )),
        CKR_ARGUMENTS_BAD
    );
    let mut h = 0;
    assert_eq!(
        call!(C_OpenSession(slot, 0, null_mut(), None, &mut h)),
        CKR_SESSION_PARALLEL_NOT_SUPPORTED
    );
    assert_eq!(call!(C_CloseSession(424242)), CKR_SESSION_HANDLE_INVALID);
    let h = open(slot);
    assert_eq!(
        call!(C_Login(h, CKU_USER, null_mut(), 6)),
        CKR_ARGUMENTS_BAD
    );
    assert_eq!(
        call!(C_Login(h, 77, b"123456".as_ptr() as *mut u8, 6)),
        CKR_USER_TYPE_INVALID
    );
    let mut tpl = [CK_ATTRIBUTE {
        type_: CKA_LABEL,
        pValue: null_mut(),
        ulValueLen: 0,
    }];
    assert_eq!(
        call!(C_GetAttributeValue(h, 987654, tpl.as_mut_ptr(), 1)),
        CKR_OBJECT_HANDLE_INVALID
    );
    assert_eq!(
        call!(C_FindObjectsInit(h, null_mut(), 3)),
        CKR_ARGUMENTS_BAD
    );
    let mut n = 0;
    assert_eq!(
        call!(C_FindObjects(h, null_mut(), 0, &mut n)),
        CKR_OPERATION_NOT_INITIALIZED
    );
    let mut m = mech(CKM_SHA256_RSA_PKCS);
    assert_eq!(call!(C_SignInit(h, &mut m, 987654)), CKR_KEY_HANDLE_INVALID);
    assert_eq!(call!(C_SignInit(h, null_mut(), 1)), CKR_ARGUMENTS_BAD);
    let mut len = 0;
    assert_eq!(
        call!(C_Sign(h, b"x".as_ptr() as *mut u8, 1, null_mut(), &mut len)),
        CKR_OPERATION_NOT_INITIALIZED
    );
    assert_eq!(
        call!(C_SignFinal(h, null_mut(), null_mut())),
        CKR_ARGUMENTS_BAD
    );
    // A certificate is no key.
    let cert = find(h, CKO_CERTIFICATE, 1)[0];
    assert_eq!(
        call!(C_SignInit(h, &mut m, cert)),
        CKR_KEY_FUNCTION_NOT_PERMITTED
    );
    // Private keys are invisible before login.
    assert!(find(h, CKO_PRIVATE_KEY, 1).is_empty());
    assert_eq!(call!(C_Finalize(null_mut())), CKR_OK);
}

#[test]
fn attribute_answers_follow_the_spec_for_sizes_unknowns_and_secrets() {
    let fx = Fixture::new();
    init(&fx);
    let h = open(slot_of("kyso-test"));
    assert_eq!(login(h, PIN), CKR_OK);
    let cert = find(h, CKO_CERTIFICATE, 1)[0];
    // Size query, then a short buffer, an unknown type and a good one in one template.
    let mut tpl = [
        CK_ATTRIBUTE {
            type_: CKA_VALUE,
            pValue: null_mut(),
            ulValueLen: 0,
        },
        CK_ATTRIBUTE {
            type_: CKA_LABEL,
            pValue: null_mut(),
            ulValueLen: 0,
        },
    ];
    assert_eq!(
        call!(C_GetAttributeValue(h, cert, tpl.as_mut_ptr(), 2)),
        CKR_OK
    );
    let der_len = tpl[0].ulValueLen as usize;
    assert_eq!(tpl[1].ulValueLen, 7, "\"rsa2048\"");
    let mut short = vec![0u8; der_len - 1];
    let mut label = vec![0u8; 64];
    let mut tpl = [
        CK_ATTRIBUTE {
            type_: CKA_VALUE,
            pValue: short.as_mut_ptr() as *mut _,
            ulValueLen: short.len() as CK_ULONG,
        },
        CK_ATTRIBUTE {
            type_: CKA_MODULUS,
            pValue: null_mut(),
            ulValueLen: 0,
        },
        CK_ATTRIBUTE {
            type_: CKA_LABEL,
            pValue: label.as_mut_ptr() as *mut _,
            ulValueLen: 64,
        },
    ];
    let rv = call!(C_GetAttributeValue(h, cert, tpl.as_mut_ptr(), 3));
    assert!(
        rv == CKR_BUFFER_TOO_SMALL || rv == CKR_ATTRIBUTE_TYPE_INVALID,
        "{rv:#x}"
    );
    assert_eq!(tpl[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    assert_eq!(
        tpl[1].ulValueLen, CK_UNAVAILABLE_INFORMATION,
        "a certificate has no modulus"
    );
    assert_eq!(
        &label[..tpl[2].ulValueLen as usize],
        b"rsa2048",
        "the loop carries on"
    );
    // The certificate's bytes are the real certificate.
    let mut der = vec![0u8; der_len];
    let mut tpl = [CK_ATTRIBUTE {
        type_: CKA_VALUE,
        pValue: der.as_mut_ptr() as *mut _,
        ulValueLen: der_len as CK_ULONG,
    }];
    assert_eq!(
        call!(C_GetAttributeValue(h, cert, tpl.as_mut_ptr(), 1)),
        CKR_OK
    );
    let pem = std::fs::read(fx.path("rsa2048.pem")).unwrap();
    assert_eq!(
        kyso::Certificate::from_pem(&pem).unwrap()[0].der(),
        &der[..]
    );
    // Secrets stay secret.
    let key = find(h, CKO_PRIVATE_KEY, 1)[0];
    let mut buf = vec![0u8; 512];
    let mut tpl = [
        CK_ATTRIBUTE {
            type_: CKA_PRIVATE_EXPONENT,
            pValue: buf.as_mut_ptr() as *mut _,
            ulValueLen: 512,
        },
        CK_ATTRIBUTE {
            type_: CKA_SENSITIVE,
            pValue: null_mut(),
            ulValueLen: 0,
        },
    ];
    assert_eq!(
        call!(C_GetAttributeValue(h, key, tpl.as_mut_ptr(), 2)),
        CKR_ATTRIBUTE_SENSITIVE
    );
    assert_eq!(tpl[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    assert_eq!(tpl[1].ulValueLen, 1);
    assert!(buf.iter().all(|b| *b == 0), "nothing written");
}

#[test]
fn sign_size_protocol_short_buffer_keeps_the_operation() {
    let fx = Fixture::new();
    init(&fx);
    let h = open(slot_of("kyso-test"));
    assert_eq!(login(h, PIN), CKR_OK);
    let key = find(h, CKO_PRIVATE_KEY, 2)[0];
    let mut m = mech(CKM_SHA256_RSA_PKCS);
    assert_eq!(call!(C_SignInit(h, &mut m, key)), CKR_OK);
    assert_eq!(call!(C_SignInit(h, &mut m, key)), CKR_OPERATION_ACTIVE);
    let data = b"Ke hoach 2026";
    let mut len: CK_ULONG = 0;
    assert_eq!(
        call!(C_Sign(
            h,
            data.as_ptr() as *mut u8,
            data.len() as CK_ULONG,
            null_mut(),
            &mut len
        )),
        CKR_OK
    );
    assert_eq!(len, 384, "RSA-3072");
    let mut sig = vec![0u8; 384];
    let mut short: CK_ULONG = 100;
    assert_eq!(
        call!(C_Sign(
            h,
            data.as_ptr() as *mut u8,
            data.len() as CK_ULONG,
            sig.as_mut_ptr(),
            &mut short
        )),
        CKR_BUFFER_TOO_SMALL
    );
    assert_eq!(short, 384);
    assert_eq!(
        call!(C_Sign(
            h,
            data.as_ptr() as *mut u8,
            data.len() as CK_ULONG,
            sig.as_mut_ptr(),
            &mut len
        )),
        CKR_OK
    );
    // Verify through the module with the public key object, then tamper.
    let pubkey = find(h, CKO_PUBLIC_KEY, 2)[0];
    assert_eq!(call!(C_VerifyInit(h, &mut m, pubkey)), CKR_OK);
    assert_eq!(
        call!(C_Verify(
            h,
            data.as_ptr() as *mut u8,
            data.len() as CK_ULONG,
            sig.as_mut_ptr(),
            len
        )),
        CKR_OK
    );
    sig[10] ^= 1;
    assert_eq!(call!(C_VerifyInit(h, &mut m, pubkey)), CKR_OK);
    assert_eq!(
        call!(C_Verify(
            h,
            data.as_ptr() as *mut u8,
            data.len() as CK_ULONG,
            sig.as_mut_ptr(),
            len
        )),
        CKR_SIGNATURE_INVALID
    );
    // Multi-part gives the same kind of signature.
    assert_eq!(call!(C_SignInit(h, &mut m, key)), CKR_OK);
    assert_eq!(call!(C_SignUpdate(h, data.as_ptr() as *mut u8, 5)), CKR_OK);
    assert_eq!(
        call!(C_SignUpdate(
            h,
            data[5..].as_ptr() as *mut u8,
            (data.len() - 5) as CK_ULONG
        )),
        CKR_OK
    );
    let mut sig2 = vec![0u8; 384];
    let mut len2: CK_ULONG = 384;
    assert_eq!(call!(C_SignFinal(h, sig2.as_mut_ptr(), &mut len2)), CKR_OK);
    assert_eq!(call!(C_VerifyInit(h, &mut m, pubkey)), CKR_OK);
    assert_eq!(
        call!(C_Verify(
            h,
            data.as_ptr() as *mut u8,
            data.len() as CK_ULONG,
            sig2.as_mut_ptr(),
            len2
        )),
        CKR_OK
    );
}

#[test]
fn raw_rsa_pss_and_ecdsa_mechanisms_verify_with_openssl() {
    let fx = Fixture::new();
    init(&fx);
    let h = open(slot_of("kyso-test"));
    assert_eq!(login(h, PIN), CKR_OK);
    let data = b"Cong van so 7";
    std::fs::write(fx.path("d"), data).unwrap();
    let digest = kyso::HashAlg::Sha256.digest(data);
    // CKM_RSA_PKCS over a DigestInfo built by the host.
    let di = kyso::HashAlg::Sha256.digest_info(&digest).unwrap();
    let sig = sign(h, find(h, CKO_PRIVATE_KEY, 1)[0], CKM_RSA_PKCS, &di).unwrap();
    std::fs::write(fx.path("s1"), &sig).unwrap();
    assert!(openssl_verify(
        &fx.path("rsa2048.pub.pem"),
        "rsa-pkcs1-sha256",
        &fx.path("d"),
        &fx.path("s1")
    ));
    // CKM_RSA_PKCS_PSS with the parameters TLS 1.3 uses.
    let mut params = CK_RSA_PKCS_PSS_PARAMS {
        hashAlg: CKM_SHA256,
        mgf: CKG_MGF1_SHA256,
        sLen: 32,
    };
    let mut m = CK_MECHANISM {
        mechanism: CKM_RSA_PKCS_PSS,
        pParameter: &mut params as *mut _ as *mut _,
        ulParameterLen: std::mem::size_of::<CK_RSA_PKCS_PSS_PARAMS>() as CK_ULONG,
    };
    let key = find(h, CKO_PRIVATE_KEY, 1)[0];
    assert_eq!(call!(C_SignInit(h, &mut m, key)), CKR_OK);
    let mut sig = vec![0u8; 256];
    let mut len: CK_ULONG = 256;
    assert_eq!(
        call!(C_Sign(
            h,
            digest.as_ptr() as *mut u8,
            32,
            sig.as_mut_ptr(),
            &mut len
        )),
        CKR_OK
    );
    std::fs::write(fx.path("s2"), &sig).unwrap();
    assert!(openssl_verify(
        &fx.path("rsa2048.pub.pem"),
        "rsa-pss-sha256",
        &fx.path("d"),
        &fx.path("s2")
    ));
    let mut salt20 = CK_RSA_PKCS_PSS_PARAMS { sLen: 20, ..params };
    m.pParameter = &mut salt20 as *mut _ as *mut _;
    assert_eq!(
        call!(C_SignInit(h, &mut m, key)),
        CKR_MECHANISM_PARAM_INVALID
    );
    // CKM_ECDSA: raw r || s, 64 bytes for P-256.
    let sig = sign(h, find(h, CKO_PRIVATE_KEY, 3)[0], CKM_ECDSA, &digest).unwrap();
    assert_eq!(sig.len(), 64);
    let der = kyso::public_key::ecdsa_raw_to_der(&kyso::key::Curve::P256, &sig).unwrap();
    std::fs::write(fx.path("s3"), der).unwrap();
    assert!(openssl_verify(
        &fx.path("p256.pub.pem"),
        "ecdsa-sha256",
        &fx.path("d"),
        &fx.path("s3")
    ));
    // A key of the wrong type for the mechanism.
    let mut m = mech(CKM_ECDSA);
    assert_eq!(call!(C_SignInit(h, &mut m, key)), CKR_KEY_TYPE_INCONSISTENT);
}

#[test]
fn always_authenticate_key_needs_a_context_login_per_signature() {
    let fx = Fixture::new();
    init(&fx);
    let h = open(slot_of("kyso-test"));
    assert_eq!(login(h, PIN), CKR_OK);
    let key = find(h, CKO_PRIVATE_KEY, 5)[0];
    let data = b"to trinh";
    assert_eq!(
        sign(h, key, CKM_SHA256_RSA_PKCS, data),
        Err(CKR_USER_NOT_LOGGED_IN)
    );
    let mut m = mech(CKM_SHA256_RSA_PKCS);
    assert_eq!(call!(C_SignInit(h, &mut m, key)), CKR_OK);
    assert_eq!(
        call!(C_Login(h, CKU_CONTEXT_SPECIFIC, PIN.as_ptr() as *mut u8, 6)),
        CKR_OK
    );
    let mut sig = vec![0u8; 256];
    let mut len: CK_ULONG = 256;
    assert_eq!(
        call!(C_Sign(
            h,
            data.as_ptr() as *mut u8,
            data.len() as CK_ULONG,
            sig.as_mut_ptr(),
            &mut len
        )),
        CKR_OK
    );
    std::fs::write(fx.path("d"), data).unwrap();
    std::fs::write(fx.path("s"), &sig).unwrap();
    assert!(openssl_verify(
        &fx.path("always-auth.pub.pem"),
        "rsa-pkcs1-sha256",
        &fx.path("d"),
        &fx.path("s")
    ));
    // Without an operation, a context login has nothing to authorise.
    assert_eq!(
        call!(C_Login(h, CKU_CONTEXT_SPECIFIC, PIN.as_ptr() as *mut u8, 6)),
        CKR_OPERATION_NOT_INITIALIZED
    );
}

#[test]
fn wrong_pin_flags_and_no_resend_of_a_refused_pin() {
    let fx = Fixture::new();
    // SoftHSM behind pkcs11-spy, to count what reaches the token.
    let spy_log = fx.path("spy.log");
    std::env::set_var("PKCS11SPY", SOFTHSM);
    std::env::set_var("PKCS11SPY_OUTPUT", &spy_log);
    std::env::set_var("SOFTHSM2_CONF", &fx.conf);
    let cfg = fx.path("spy.toml");
    std::fs::write(&cfg, format!("[[module]]\npath = \"{SPY}\"\n")).unwrap();
    std::env::set_var("KYSO_CONFIG", &cfg);
    assert_eq!(call!(C_Initialize(null_mut())), CKR_OK);
    let slot = slot_of("kyso-test");
    let h = open(slot);
    assert_eq!(login(h, "000000"), CKR_PIN_INCORRECT);
    assert_eq!(
        login(h, "000000"),
        CKR_PIN_INCORRECT,
        "the same wrong PIN again"
    );
    assert_eq!(
        spy_count(&spy_log, "C_Login"),
        1,
        "a refused PIN is not sent twice"
    );
    // SAFETY: plain data.
    let mut ti: CK_TOKEN_INFO = unsafe { std::mem::zeroed() };
    assert_eq!(call!(C_GetTokenInfo(slot, &mut ti)), CKR_OK);
    assert!(
        ti.flags & CKF_USER_PIN_COUNT_LOW != 0,
        "the token's flag passed through"
    );
    assert_eq!(login(h, PIN), CKR_OK);
    assert_eq!(login(h, PIN), CKR_USER_ALREADY_LOGGED_IN);
    // SAFETY: plain data.
    let mut si: CK_SESSION_INFO = unsafe { std::mem::zeroed() };
    assert_eq!(call!(C_GetSessionInfo(h, &mut si)), CKR_OK);
    assert_eq!(si.state, CKS_RO_USER_FUNCTIONS);
    assert_eq!(call!(C_Logout(h)), CKR_OK);
    assert_eq!(call!(C_Logout(h)), CKR_USER_NOT_LOGGED_IN);
}

#[test]
fn set_pin_changes_the_token_pin() {
    let fx = Fixture::new();
    init(&fx);
    let h = open(slot_of("kyso-second"));
    let (old, new) = ("654321", "24680135");
    assert_eq!(login(h, old), CKR_OK);
    assert_eq!(
        call!(C_SetPIN(
            h,
            old.as_ptr() as *mut u8,
            6,
            new.as_ptr() as *mut u8,
            8
        )),
        CKR_OK
    );
    assert_eq!(call!(C_CloseSession(h)), CKR_OK);
    let h = open(slot_of("kyso-second"));
    assert_eq!(login(h, new), CKR_OK, "the new PIN works");
}

#[test]
fn digest_random_mechanisms_and_interfaces() {
    let fx = Fixture::new();
    init(&fx);
    let slot = slot_of("kyso-test");
    let h = open(slot);
    let mut m = mech(CKM_SHA384);
    assert_eq!(call!(C_DigestInit(h, &mut m)), CKR_OK);
    let mut out = vec![0u8; 48];
    let mut len: CK_ULONG = 48;
    assert_eq!(
        call!(C_Digest(
            h,
            b"abc".as_ptr() as *mut u8,
            3,
            out.as_mut_ptr(),
            &mut len
        )),
        CKR_OK
    );
    assert_eq!(out, kyso::HashAlg::Sha384.digest(b"abc"));
    let mut m = mech(CKM_MD5);
    assert_eq!(call!(C_DigestInit(h, &mut m)), CKR_MECHANISM_INVALID);
    let mut r = [0u8; 32];
    assert_eq!(call!(C_GenerateRandom(h, r.as_mut_ptr(), 32)), CKR_OK);
    assert_ne!(r, [0u8; 32]);
    let mut n: CK_ULONG = 0;
    assert_eq!(call!(C_GetMechanismList(slot, null_mut(), &mut n)), CKR_OK);
    let mut list = vec![0; n as usize];
    let mut short = 2;
    assert_eq!(
        call!(C_GetMechanismList(slot, list.as_mut_ptr(), &mut short)),
        CKR_BUFFER_TOO_SMALL
    );
    assert_eq!(
        call!(C_GetMechanismList(slot, list.as_mut_ptr(), &mut n)),
        CKR_OK
    );
    assert!(list.contains(&CKM_RSA_PKCS_PSS) && list.contains(&CKM_ECDSA));
    // SAFETY: plain data.
    let mut mi: CK_MECHANISM_INFO = unsafe { std::mem::zeroed() };
    assert_eq!(
        call!(C_GetMechanismInfo(slot, CKM_SHA256_RSA_PKCS, &mut mi)),
        CKR_OK
    );
    assert!(mi.flags & CKF_SIGN != 0);
    assert_eq!(
        call!(C_GetMechanismInfo(slot, CKM_AES_CBC, &mut mi)),
        CKR_MECHANISM_INVALID
    );
    // PKCS#11 3.0 interfaces: 3.0 by default, 2.40 on request.
    let mut count: CK_ULONG = 0;
    // SAFETY: valid out-pointers.
    assert_eq!(
        unsafe { kyso_pkcs11::C_GetInterfaceList(null_mut(), &mut count) },
        CKR_OK
    );
    assert_eq!(count, 2);
    let mut iface: *mut CK_INTERFACE = null_mut();
    // SAFETY: valid out-pointer; NULL name and version ask for the default.
    assert_eq!(
        unsafe { kyso_pkcs11::C_GetInterface(null_mut(), null_mut(), &mut iface, 0) },
        CKR_OK
    );
    // SAFETY: the module returned a pointer to its static interface.
    let v = unsafe { *((*iface).pFunctionList as *const CK_VERSION) };
    assert_eq!((v.major, v.minor), (3, 0));
    let mut want = CK_VERSION {
        major: 2,
        minor: 40,
    };
    // SAFETY: as above.
    assert_eq!(
        unsafe { kyso_pkcs11::C_GetInterface(null_mut(), &mut want, &mut iface, 0) },
        CKR_OK
    );
    let mut nope = CK_VERSION { major: 9, minor: 9 };
    // SAFETY: as above.
    assert_eq!(
        unsafe { kyso_pkcs11::C_GetInterface(null_mut(), &mut nope, &mut iface, 0) },
        CKR_ARGUMENTS_BAD
    );
    let mut e: CK_SLOT_ID = 0;
    assert_eq!(
        call!(C_WaitForSlotEvent(CKF_DONT_BLOCK, &mut e, null_mut())),
        CKR_NO_EVENT
    );
}

#[test]
fn many_threads_sign_at_once_and_every_signature_verifies() {
    let fx = Fixture::new();
    init(&fx);
    let slot = slot_of("kyso-test");
    let h = open(slot);
    assert_eq!(login(h, PIN), CKR_OK);
    let keys = [
        (
            find(h, CKO_PRIVATE_KEY, 1)[0],
            find(h, CKO_PUBLIC_KEY, 1)[0],
            CKM_SHA256_RSA_PKCS,
        ),
        (
            find(h, CKO_PRIVATE_KEY, 3)[0],
            find(h, CKO_PUBLIC_KEY, 3)[0],
            CKM_ECDSA_SHA256,
        ),
    ];
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (key, pubkey, ty) = keys[t % 2];
            std::thread::spawn(move || {
                let s = open(slot);
                for i in 0..25 {
                    let data = format!("thread {t} document {i}");
                    let mut sig = sign(s, key, ty, data.as_bytes()).unwrap();
                    let mut m = mech(ty);
                    assert_eq!(call!(C_VerifyInit(s, &mut m, pubkey)), CKR_OK);
                    assert_eq!(
                        call!(C_Verify(
                            s,
                            data.as_ptr() as *mut u8,
                            data.len() as CK_ULONG,
                            sig.as_mut_ptr(),
                            sig.len() as CK_ULONG
                        )),
                        CKR_OK
                    );
                }
                assert_eq!(call!(C_CloseSession(s)), CKR_OK);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(call!(C_Finalize(null_mut())), CKR_OK);
}

#[test]
fn repeated_initialize_finalize_cycles_with_signing() {
    let fx = Fixture::new();
    let cycles = std::env::var("KYSO_CYCLES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(30);
    for _ in 0..cycles {
        init(&fx);
        let h = open(slot_of("kyso-test"));
        assert_eq!(login(h, PIN), CKR_OK);
        let key = find(h, CKO_PRIVATE_KEY, 3)[0];
        assert_eq!(sign(h, key, CKM_ECDSA_SHA256, b"x").unwrap().len(), 64);
        assert_eq!(call!(C_Finalize(null_mut())), CKR_OK);
        // Handles from the last cycle are dead.
        assert_eq!(call!(C_CloseSession(h)), CKR_CRYPTOKI_NOT_INITIALIZED);
    }
}

/// The cycles above under valgrind (this test binary runs itself), 100 of them: no memory
/// errors and no leaks across C_Initialize/C_Finalize with signing in between.
#[test]
fn initialize_finalize_cycles_leak_nothing_under_valgrind() {
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new("valgrind")
        .args([
            "--leak-check=full",
            "--errors-for-leak-kinds=definite",
            "--error-exitcode=1",
        ])
        .arg(&exe)
        .args([
            "repeated_initialize_finalize_cycles_with_signing",
            "--exact",
            "--test-threads=1",
        ])
        .env("KYSO_CYCLES", "100")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "valgrind found problems:\n{err}");
    assert!(err.contains("ERROR SUMMARY: 0 errors"), "{err}");
    assert!(
        stdout(&out).contains("1 passed"),
        "the cycles ran: {}",
        stdout(&out)
    );
}

/// Stress: 8 threads signing through the module at once — five on their own sessions, three
/// sharing one session — while a ninth logs out and in and a tenth closes the shared session
/// and opens it again. Every signature that comes back verifies with the certificate's key; the only errors
/// are the spec's for what the others did (a logout, a closed session, an operation already
/// active on a shared session). `KYSO_STRESS=5000` for the full run; CI runs fewer.
#[test]
fn stress_threads_shared_and_separate_sessions_with_logout_and_close() {
    use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
    use std::sync::Arc;
    let n: usize = std::env::var("KYSO_STRESS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    let fx = Fixture::new();
    init(&fx);
    let slot = slot_of("kyso-test");
    let admin = open(slot);
    assert_eq!(login(admin, PIN), CKR_OK);
    let key = find(admin, CKO_PRIVATE_KEY, 3)[0];
    let pem = std::fs::read(fx.path("p256.pem")).unwrap();
    let cert = kyso::Certificate::from_pem(&pem).unwrap().remove(0);
    let pk = Arc::new(kyso::public_key::PublicKey::from_spki_der(cert.spki_der()).unwrap());
    let shared = Arc::new(AtomicU64::new(open(slot)));
    let done = Arc::new(AtomicBool::new(false));
    let signed = Arc::new(AtomicUsize::new(0));
    let allowed = [
        CKR_OPERATION_ACTIVE,
        CKR_OPERATION_NOT_INITIALIZED,
        CKR_USER_NOT_LOGGED_IN,
        CKR_KEY_HANDLE_INVALID,
        CKR_OBJECT_HANDLE_INVALID,
        CKR_SESSION_HANDLE_INVALID,
        CKR_USER_ALREADY_LOGGED_IN,
    ];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(240);
    let mut threads = Vec::new();
    for t in 0..8 {
        let (shared, pk, signed) = (shared.clone(), pk.clone(), signed.clone());
        threads.push(std::thread::spawn(move || {
            let own = (t < 5).then(|| open(slot));
            // n signatures each; the attempts the logouts and closes make fail come on top.
            let mut ok = 0;
            let mut i = 0;
            while ok < n {
                i += 1;
                assert!(
                    std::time::Instant::now() < deadline,
                    "stress test too slow: deadlock?"
                );
                let s = own.unwrap_or_else(|| shared.load(Ordering::Relaxed));
                let data = format!("thread {t} document {i}");
                match sign(s, key, CKM_ECDSA_SHA256, data.as_bytes()) {
                    Ok(sig) => {
                        let digest = kyso::HashAlg::Sha256.digest(data.as_bytes());
                        let alg = kyso::SignatureAlgorithm::Ecdsa(kyso::HashAlg::Sha256);
                        assert!(
                            pk.verify_digest(alg, &digest, &sig),
                            "bad signature from thread {t}"
                        );
                        signed.fetch_add(1, Ordering::Relaxed);
                        ok += 1;
                    }
                    Err(rv) => assert!(allowed.contains(&rv), "thread {t}: unexpected {rv:#x}"),
                }
            }
        }));
    }
    // Logs out and in again, over and over, while the others sign.
    let d = done.clone();
    let logger = std::thread::spawn(move || {
        while !d.load(Ordering::Relaxed) {
            let rv = call!(C_Logout(admin));
            assert!(
                rv == CKR_OK || rv == CKR_USER_NOT_LOGGED_IN,
                "logout {rv:#x}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
            let rv = login(admin, PIN);
            assert!(
                rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN,
                "login {rv:#x}"
            );
            std::thread::sleep(std::time::Duration::from_millis(80));
        }
    });
    // Closes the shared session under the threads using it, and opens a new one.
    let (d, sh) = (done.clone(), shared.clone());
    let closer = std::thread::spawn(move || {
        while !d.load(Ordering::Relaxed) {
            std::thread::sleep(std::time::Duration::from_millis(150));
            let old = sh.swap(open(slot), Ordering::Relaxed);
            let rv = call!(C_CloseSession(old));
            assert!(
                rv == CKR_OK || rv == CKR_SESSION_HANDLE_INVALID,
                "close {rv:#x}"
            );
        }
    });
    for t in threads {
        t.join().unwrap();
    }
    done.store(true, Ordering::Relaxed);
    logger.join().unwrap();
    closer.join().unwrap();
    assert_eq!(signed.load(Ordering::Relaxed), 8 * n);
    assert_eq!(call!(C_Finalize(null_mut())), CKR_OK);
}
