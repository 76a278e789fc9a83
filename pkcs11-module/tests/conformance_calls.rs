//! PKCS#11 conformance of the module's answers (issue 20), call by call, through the 2.40
//! and 3.0 function lists: `C_GetObjectSize`, SO login, `C_SeedRandom`, the slot flags, the
//! version `C_GetInfo` reports, `C_WaitForSlotEvent` with nothing to wait for, a child after
//! `fork()`, and OpenSC's `pkcs11-tool --test-fork` / `--test-threads` through the module.
//! One process per test (cargo nextest).

#[path = "../../tests/common/mod.rs"]
mod common;
#[macro_use]
mod conformance_common;

use std::ptr::null_mut;

use common::*;
use conformance_common::*;
use cryptoki_sys::*;

#[test]
fn get_object_size_answers_unavailable_information_for_a_visible_object() {
    let fx = Fixture::new();
    both_lists!(|l| {
        let (_, s) = setup!(l, &fx, CKF_SERIAL_SESSION);
        let cert = certificate!(l, s);
        let mut size: CK_ULONG = 0;
        assert_eq!(
            call!(l, C_GetObjectSize(s, cert, null_mut())),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(
            call!(l, C_GetObjectSize(BOGUS, cert, &mut size)),
            CKR_SESSION_HANDLE_INVALID
        );
        assert_eq!(
            call!(l, C_GetObjectSize(s, 987654, &mut size)),
            CKR_OBJECT_HANDLE_INVALID
        );
        assert_eq!(call!(l, C_GetObjectSize(s, cert, &mut size)), CKR_OK);
        assert_eq!(size, CK_UNAVAILABLE_INFORMATION);
        assert_eq!(call!(l, C_Finalize(null_mut())), CKR_OK);
    });
}

#[test]
fn so_login_reports_read_only_sessions_and_a_logged_in_user_before_it_is_refused() {
    let fx = Fixture::new();
    both_lists!(|l| {
        let (slot, ro) = setup!(l, &fx, CKF_SERIAL_SESSION);
        let login = l.C_Login.unwrap();
        // SAFETY (each call below): a valid PIN buffer and handle.
        let so = |s| login_user(|a, b, c, d| unsafe { login(a, b, c, d) }, s, CKU_SO);
        let user = |s| login_user(|a, b, c, d| unsafe { login(a, b, c, d) }, s, CKU_USER);
        assert_eq!(so(BOGUS), CKR_SESSION_HANDLE_INVALID);
        assert_eq!(
            call!(l, C_Login(ro, CKU_SO, null_mut(), 6)),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(so(ro), CKR_SESSION_READ_ONLY_EXISTS);
        let mut rw = 0;
        let flags = CKF_SERIAL_SESSION | CKF_RW_SESSION;
        assert_eq!(
            call!(l, C_OpenSession(slot, flags, null_mut(), None, &mut rw)),
            CKR_OK
        );
        assert_eq!(
            so(rw),
            CKR_SESSION_READ_ONLY_EXISTS,
            "the read-only one is still open"
        );
        assert_eq!(call!(l, C_CloseSession(ro)), CKR_OK);
        assert_eq!(user(rw), CKR_OK);
        assert_eq!(so(rw), CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
        assert_eq!(user(rw), CKR_USER_ALREADY_LOGGED_IN);
        assert_eq!(call!(l, C_Logout(rw)), CKR_OK);
        // Nothing in the way: kyso logs users in, never the SO.
        assert_eq!(so(rw), CKR_USER_TYPE_INVALID);
        assert_eq!(call!(l, C_Finalize(null_mut())), CKR_OK);
    });
}

#[test]
fn seed_random_checks_its_arguments_then_says_seeding_is_not_supported() {
    let fx = Fixture::new();
    both_lists!(|l| {
        let (_, s) = setup!(l, &fx, CKF_SERIAL_SESSION);
        let mut seed = [7u8; 16];
        assert_eq!(
            call!(l, C_SeedRandom(BOGUS, null_mut(), 16)),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(call!(l, C_SeedRandom(s, null_mut(), 16)), CKR_ARGUMENTS_BAD);
        assert_eq!(
            call!(l, C_SeedRandom(BOGUS, seed.as_mut_ptr(), 16)),
            CKR_SESSION_HANDLE_INVALID
        );
        assert_eq!(
            call!(l, C_SeedRandom(s, seed.as_mut_ptr(), 16)),
            CKR_RANDOM_SEED_NOT_SUPPORTED
        );
        assert_eq!(
            call!(l, C_SeedRandom(s, null_mut(), 0)),
            CKR_RANDOM_SEED_NOT_SUPPORTED
        );
        assert_eq!(call!(l, C_GenerateRandom(s, null_mut(), 0)), CKR_OK);
        assert_eq!(call!(l, C_Finalize(null_mut())), CKR_OK);
    });
}

#[test]
fn slot_info_passes_the_token_slot_flags_through() {
    let fx = Fixture::new();
    // What SoftHSM itself says of its slots, through the library (in this process, before
    // the module loads it).
    let backend = kyso::pkcs11::Backend::load(&[kyso::config::ModuleConfig::from_path(SOFTHSM)]);
    let module = &backend.modules[0];
    let descs: Vec<_> = module
        .slots()
        .unwrap()
        .into_iter()
        .map(|s| module.slot_description(s).unwrap())
        .filter(|d| d.token_present)
        .collect();
    assert!(!descs.is_empty());
    assert!(
        descs.iter().all(|d| !d.removable),
        "SoftHSM's slots are not removable"
    );
    drop(backend);
    both_lists!(|l| {
        env(&fx);
        assert_eq!(call!(l, C_Initialize(null_mut())), CKR_OK);
        let slot = slot_of!(l, "kyso-test");
        // SAFETY: plain data.
        let mut si: CK_SLOT_INFO = unsafe { std::mem::zeroed() };
        assert_eq!(call!(l, C_GetSlotInfo(slot, &mut si)), CKR_OK);
        let d = &descs[0];
        let want = CKF_TOKEN_PRESENT
            | if d.removable { CKF_REMOVABLE_DEVICE } else { 0 }
            | if d.hardware { CKF_HW_SLOT } else { 0 };
        assert_eq!(si.flags, want);
        assert_eq!(call!(l, C_Finalize(null_mut())), CKR_OK);
    });
}

#[test]
fn get_info_reports_the_version_of_the_interface_obtained() {
    let fx = Fixture::new();
    env(&fx);
    // SAFETY: plain data.
    let mut info: CK_INFO = unsafe { std::mem::zeroed() };
    let l2 = list_2_40();
    let l3 = list_3_0();
    assert_eq!(call!(l2, C_Initialize(null_mut())), CKR_OK);
    assert_eq!(call!(l2, C_GetInfo(&mut info)), CKR_OK);
    assert_eq!(
        (info.cryptokiVersion.major, info.cryptokiVersion.minor),
        (2, 40)
    );
    assert_eq!(call!(l3, C_GetInfo(&mut info)), CKR_OK);
    assert_eq!(
        (info.cryptokiVersion.major, info.cryptokiVersion.minor),
        (3, 0)
    );
    // Every interface C_GetInterfaceList offers: its list's C_GetInfo says its version.
    let mut ifaces = [CK_INTERFACE {
        pInterfaceName: null_mut(),
        pFunctionList: null_mut(),
        flags: 0,
    }; 4];
    let mut n: CK_ULONG = 4;
    // SAFETY: valid buffers.
    assert_eq!(
        unsafe { kyso_pkcs11::C_GetInterfaceList(ifaces.as_mut_ptr(), &mut n) },
        CKR_OK
    );
    for i in &ifaces[..n as usize] {
        // SAFETY: every list starts with its version and its first functions (2.40 layout).
        let list = unsafe { &*(i.pFunctionList as *const CK_FUNCTION_LIST) };
        assert_eq!(call!(list, C_GetInfo(&mut info)), CKR_OK);
        assert_eq!(info.cryptokiVersion.major, list.version.major);
        assert_eq!(info.cryptokiVersion.minor, list.version.minor);
    }
    // Asked by version, the 2.40 interface.
    let mut want = CK_VERSION {
        major: 2,
        minor: 40,
    };
    let mut iface: *mut CK_INTERFACE = null_mut();
    // SAFETY: valid pointers.
    assert_eq!(
        unsafe { kyso_pkcs11::C_GetInterface(null_mut(), &mut want, &mut iface, 0) },
        CKR_OK
    );
    // SAFETY: the module's static interface.
    let list = unsafe { &*((*iface).pFunctionList as *const CK_FUNCTION_LIST) };
    assert_eq!(call!(list, C_GetInfo(&mut info)), CKR_OK);
    assert_eq!(
        (info.cryptokiVersion.major, info.cryptokiVersion.minor),
        (2, 40)
    );
    assert_eq!(call!(l2, C_Finalize(null_mut())), CKR_OK);
    assert_eq!(
        call!(l3, C_GetInfo(&mut info)),
        CKR_CRYPTOKI_NOT_INITIALIZED
    );
}

/// Over SoftHSM alone (no removable slot, so no token can come or go), a blocking wait
/// answers at once instead of hanging the host's thread; a non-blocking one says no event.
#[test]
fn blocking_wait_for_slot_event_answers_at_once_when_no_event_can_come() {
    let fx = Fixture::new();
    both_lists!(|l| {
        env(&fx);
        assert_eq!(call!(l, C_Initialize(null_mut())), CKR_OK);
        let mut slot: CK_SLOT_ID = 0;
        assert_eq!(
            call!(l, C_WaitForSlotEvent(0, null_mut(), null_mut())),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(
            call!(l, C_WaitForSlotEvent(CKF_DONT_BLOCK, &mut slot, null_mut())),
            CKR_NO_EVENT
        );
        let (tx, rx) = std::sync::mpsc::channel();
        let wait = l.C_WaitForSlotEvent.unwrap();
        std::thread::spawn(move || {
            let mut slot: CK_SLOT_ID = 0;
            // SAFETY: valid out-pointer.
            let _ = tx.send(unsafe { wait(0, &mut slot, null_mut()) });
        });
        let rv = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("a blocking wait with nothing to wait for must not block");
        assert_eq!(rv, CKR_FUNCTION_NOT_SUPPORTED);
        assert_eq!(call!(l, C_Finalize(null_mut())), CKR_OK);
    });
}

/// A child after `fork()` initialises the module again and signs, as OpenSC and p11-kit
/// allow; the parent's state stays the parent's.
#[test]
fn a_child_after_fork_initialises_again_and_signs() {
    let fx = Fixture::new();
    both_lists!(|l| {
        let (_, s) = setup!(l, &fx, CKF_SERIAL_SESSION);
        let login = l.C_Login.unwrap();
        // SAFETY: valid PIN buffer.
        assert_eq!(
            login_user(|a, b, c, d| unsafe { login(a, b, c, d) }, s, CKU_USER),
            CKR_OK
        );
        // SAFETY: the child only makes PKCS#11 calls and leaves with _exit.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0);
        if pid == 0 {
            let code = (|| {
                if call!(l, C_Initialize(null_mut())) != CKR_OK {
                    return 1;
                }
                let slot = slot_of!(l, "kyso-test");
                let mut c = 0;
                if call!(
                    l,
                    C_OpenSession(slot, CKF_SERIAL_SESSION, null_mut(), None, &mut c)
                ) != CKR_OK
                {
                    return 2;
                }
                let rv = login_user(|a, b, cc, d| unsafe { login(a, b, cc, d) }, c, CKU_USER);
                if rv != CKR_OK {
                    return 3;
                }
                let mut class = CKO_PRIVATE_KEY;
                let mut id = 3u8;
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
                let (mut key, mut n) = (0, 0);
                call!(l, C_FindObjectsInit(c, tpl.as_mut_ptr(), 2));
                call!(l, C_FindObjects(c, &mut key, 1, &mut n));
                call!(l, C_FindObjectsFinal(c));
                if n != 1 {
                    return 4;
                }
                let mut m = mech(CKM_ECDSA);
                if call!(l, C_SignInit(c, &mut m, key)) != CKR_OK {
                    return 5;
                }
                let mut sig = [0u8; 64];
                let mut len: CK_ULONG = 64;
                let digest = [7u8; 32];
                let rv = call!(
                    l,
                    C_Sign(
                        c,
                        digest.as_ptr() as *mut u8,
                        32,
                        sig.as_mut_ptr(),
                        &mut len
                    )
                );
                if rv != CKR_OK || len != 64 {
                    return 6;
                }
                if call!(l, C_Finalize(null_mut())) != CKR_OK {
                    return 7;
                }
                0
            })();
            // SAFETY: ends the child without running the parent's atexit handlers.
            unsafe { libc::_exit(code) };
        }
        let mut status = 0;
        // SAFETY: our child.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        assert!(libc::WIFEXITED(status), "child died: {status:#x}");
        assert_eq!(
            libc::WEXITSTATUS(status),
            0,
            "child failed at step {}",
            libc::WEXITSTATUS(status)
        );
        // The parent's session is untouched.
        let mut info: CK_SESSION_INFO = unsafe { std::mem::zeroed() };
        assert_eq!(call!(l, C_GetSessionInfo(s, &mut info)), CKR_OK);
        assert_eq!(info.state, CKS_RO_USER_FUNCTIONS);
        assert_eq!(call!(l, C_Finalize(null_mut())), CKR_OK);
    });
}

/// OpenSC's `pkcs11-tool --test-fork` and `--test-threads` through the module.
#[test]
fn pkcs11_tool_test_fork_and_test_threads_pass_through_the_module() {
    let fx = Fixture::new();
    let module = kyso_module();
    let out = bounded(
        fx.through_module("pkcs11-tool")
            .arg("--module")
            .arg(&module)
            .arg("--test-fork"),
    );
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let out = bounded(
        fx.through_module("pkcs11-tool")
            .arg("--module")
            .arg(&module)
            .args(["--test-threads", "ILGISLT0", "--test-threads", "ILGISLT0"]),
    );
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "{all}");
    assert!(all.contains("all threads have ended with CKR_OK"), "{all}");
}

/// A host may sign in place (the digest at the start of the buffer the signature goes to):
/// the module reads the digest before it writes, and the signature verifies.
#[test]
fn signing_in_place_over_the_digest_gives_a_valid_signature() {
    let fx = Fixture::new();
    let cert = kyso::Certificate::from_pem(&std::fs::read(fx.path("p256.pem")).unwrap())
        .unwrap()
        .remove(0);
    let pk = kyso::public_key::PublicKey::from_spki_der(cert.spki_der()).unwrap();
    both_lists!(|l| {
        let (_, s) = setup!(l, &fx, CKF_SERIAL_SESSION);
        let login = l.C_Login.unwrap();
        // SAFETY: valid PIN buffer.
        assert_eq!(
            login_user(|a, b, c, d| unsafe { login(a, b, c, d) }, s, CKU_USER),
            CKR_OK
        );
        let mut class = CKO_PRIVATE_KEY;
        let mut id = 3u8;
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
        let (mut key, mut n) = (0, 0);
        assert_eq!(call!(l, C_FindObjectsInit(s, tpl.as_mut_ptr(), 2)), CKR_OK);
        assert_eq!(call!(l, C_FindObjects(s, &mut key, 1, &mut n)), CKR_OK);
        assert_eq!(call!(l, C_FindObjectsFinal(s)), CKR_OK);
        assert_eq!(n, 1);
        let digest = kyso::HashAlg::Sha256.digest(b"Quyet dinh so 12/QD");
        for offset in [0usize, 16] {
            let mut buf = [0u8; 96];
            buf[offset..offset + 32].copy_from_slice(&digest);
            let mut m = mech(CKM_ECDSA);
            assert_eq!(call!(l, C_SignInit(s, &mut m, key)), CKR_OK);
            let mut len: CK_ULONG = 64;
            let p = buf.as_mut_ptr();
            // Both pointers are into `buf`, which outlives the call.
            let data = p.wrapping_add(offset);
            let rv = call!(l, C_Sign(s, data, 32, p, &mut len));
            assert_eq!(rv, CKR_OK);
            assert_eq!(len, 64);
            let alg = kyso::SignatureAlgorithm::Ecdsa(kyso::HashAlg::Sha256);
            assert!(
                pk.verify_digest(alg, &digest, &buf[..64]),
                "offset {offset}"
            );
        }
        assert_eq!(call!(l, C_Finalize(null_mut())), CKR_OK);
    });
}

/// An always-authenticate key with raw `CKM_RSA_PKCS` (a DigestInfo the host built, or bytes
/// that are none): `C_SignInit`, `C_Login(CKU_CONTEXT_SPECIFIC)`, `C_Sign`, as SoftHSM itself
/// takes them (raw RSA is single-part there: `pkcs11-tool --test` failed through the module).
#[test]
fn always_authenticate_key_signs_raw_rsa_after_a_context_login() {
    let fx = Fixture::new();
    let l = list_2_40();
    let (_, s) = setup!(l, &fx, CKF_SERIAL_SESSION);
    let login = l.C_Login.unwrap();
    // SAFETY: valid PIN buffer.
    let login = |s, user| login_user(|a, b, c, d| unsafe { login(a, b, c, d) }, s, user);
    assert_eq!(login(s, CKU_USER), CKR_OK);
    let mut class = CKO_PRIVATE_KEY;
    let mut id = 5u8;
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
    let (mut key, mut n) = (0, 0);
    assert_eq!(call!(l, C_FindObjectsInit(s, tpl.as_mut_ptr(), 2)), CKR_OK);
    assert_eq!(call!(l, C_FindObjects(s, &mut key, 1, &mut n)), CKR_OK);
    assert_eq!(call!(l, C_FindObjectsFinal(s)), CKR_OK);
    assert_eq!(n, 1);
    let digest = kyso::HashAlg::Sha256.digest(b"Bien ban");
    let digest_info = kyso::HashAlg::Sha256.digest_info(&digest).unwrap();
    for input in [digest_info, b"not a DigestInfo".to_vec()] {
        let mut m = mech(CKM_RSA_PKCS);
        assert_eq!(call!(l, C_SignInit(s, &mut m, key)), CKR_OK);
        assert_eq!(login(s, CKU_CONTEXT_SPECIFIC), CKR_OK);
        let mut sig = [0u8; 256];
        let mut len: CK_ULONG = 256;
        let rv = call!(
            l,
            C_Sign(
                s,
                input.as_ptr() as *mut u8,
                input.len() as CK_ULONG,
                sig.as_mut_ptr(),
                &mut len
            )
        );
        assert_eq!(rv, CKR_OK);
        assert_eq!(len, 256);
        // The public key undoes it: PKCS#1 v1.5 padding, then the input.
        let mut vm = mech(CKM_RSA_PKCS);
        let mut class = CKO_PUBLIC_KEY;
        tpl[0].pValue = &mut class as *mut _ as *mut _;
        let (mut pubkey, mut n) = (0, 0);
        assert_eq!(call!(l, C_FindObjectsInit(s, tpl.as_mut_ptr(), 2)), CKR_OK);
        assert_eq!(call!(l, C_FindObjects(s, &mut pubkey, 1, &mut n)), CKR_OK);
        assert_eq!(call!(l, C_FindObjectsFinal(s)), CKR_OK);
        assert_eq!(call!(l, C_VerifyInit(s, &mut vm, pubkey)), CKR_OK);
        let rv = call!(
            l,
            C_Verify(
                s,
                input.as_ptr() as *mut u8,
                input.len() as CK_ULONG,
                sig.as_mut_ptr(),
                256
            )
        );
        assert_eq!(rv, CKR_OK);
        class = CKO_PRIVATE_KEY;
        tpl[0].pValue = &mut class as *mut _ as *mut _;
    }
    assert_eq!(call!(l, C_Finalize(null_mut())), CKR_OK);
}
