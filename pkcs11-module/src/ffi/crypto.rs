//! Signing, verification, digest and random entry points (PKCS#11 §5.9–5.13, 5.15).

#![allow(non_snake_case)]

use cryptoki_sys::*;

use super::util::{
    buffer, capacity, disjoint, guard, input, not_null, output, read_mechanism, write_output,
};
use crate::backend::instance;

pub unsafe extern "C" fn C_SignInit(
    session: CK_SESSION_HANDLE,
    mech: *mut CK_MECHANISM,
    key: CK_OBJECT_HANDLE,
) -> CK_RV {
    guard("C_SignInit", || {
        let inst = instance::get()?;
        not_null(mech)?;
        // SAFETY: caller's contract; checked after the session, in the backend.
        let mech = unsafe { read_mechanism(mech) };
        inst.sign_init(session, mech, key)
    })
}

pub unsafe extern "C" fn C_Sign(
    session: CK_SESSION_HANDLE,
    data: *mut CK_BYTE,
    data_len: CK_ULONG,
    sig: *mut CK_BYTE,
    sig_len: *mut CK_ULONG,
) -> CK_RV {
    guard("C_Sign", || {
        let inst = instance::get()?;
        // SAFETY: caller's contract for each buffer.
        let (data, cap) = unsafe { (input(data, data_len)?, capacity(sig, sig_len)?) };
        let mut copy = Vec::new();
        let data = disjoint(data, sig, cap, &mut copy);
        // SAFETY: caller's contract; `data` does not share the buffer's bytes (`disjoint`).
        let out = inst.sign(session, Some(data), unsafe { output(sig, cap) })?;
        // SAFETY: as above.
        unsafe { write_output(sig, sig_len, out) }
    })
}

pub unsafe extern "C" fn C_SignUpdate(
    session: CK_SESSION_HANDLE,
    data: *mut CK_BYTE,
    len: CK_ULONG,
) -> CK_RV {
    guard("C_SignUpdate", || {
        let inst = instance::get()?;
        // SAFETY: caller's contract.
        let data = unsafe { input(data, len) }?;
        inst.sign_update(session, data)
    })
}

pub unsafe extern "C" fn C_SignFinal(
    session: CK_SESSION_HANDLE,
    sig: *mut CK_BYTE,
    sig_len: *mut CK_ULONG,
) -> CK_RV {
    guard("C_SignFinal", || {
        let inst = instance::get()?;
        // SAFETY: caller's contract.
        let cap = unsafe { capacity(sig, sig_len) }?;
        // SAFETY: caller's contract; no other reference to the buffer.
        let out = inst.sign(session, None, unsafe { output(sig, cap) })?;
        // SAFETY: as above.
        unsafe { write_output(sig, sig_len, out) }
    })
}

pub unsafe extern "C" fn C_VerifyInit(
    session: CK_SESSION_HANDLE,
    mech: *mut CK_MECHANISM,
    key: CK_OBJECT_HANDLE,
) -> CK_RV {
    guard("C_VerifyInit", || {
        let inst = instance::get()?;
        not_null(mech)?;
        // SAFETY: caller's contract; checked after the session, in the backend.
        let mech = unsafe { read_mechanism(mech) };
        inst.verify_init(session, mech, key)
    })
}

pub unsafe extern "C" fn C_Verify(
    session: CK_SESSION_HANDLE,
    data: *mut CK_BYTE,
    data_len: CK_ULONG,
    sig: *mut CK_BYTE,
    sig_len: CK_ULONG,
) -> CK_RV {
    guard("C_Verify", || {
        let inst = instance::get()?;
        // SAFETY: caller's contract for each buffer.
        let (data, sig) = unsafe { (input(data, data_len)?, input(sig, sig_len)?) };
        inst.verify(session, Some(data), sig)
    })
}

pub unsafe extern "C" fn C_VerifyUpdate(
    session: CK_SESSION_HANDLE,
    data: *mut CK_BYTE,
    len: CK_ULONG,
) -> CK_RV {
    guard("C_VerifyUpdate", || {
        let inst = instance::get()?;
        // SAFETY: caller's contract.
        let data = unsafe { input(data, len) }?;
        inst.verify_update(session, data)
    })
}

pub unsafe extern "C" fn C_VerifyFinal(
    session: CK_SESSION_HANDLE,
    sig: *mut CK_BYTE,
    sig_len: CK_ULONG,
) -> CK_RV {
    guard("C_VerifyFinal", || {
        let inst = instance::get()?;
        // SAFETY: caller's contract.
        let sig = unsafe { input(sig, sig_len) }?;
        inst.verify(session, None, sig)
    })
}

pub unsafe extern "C" fn C_DigestInit(
    session: CK_SESSION_HANDLE,
    mech: *mut CK_MECHANISM,
) -> CK_RV {
    guard("C_DigestInit", || {
        let inst = instance::get()?;
        not_null(mech)?;
        // SAFETY: caller's contract; checked after the session, in the backend.
        let mech = unsafe { read_mechanism(mech) };
        inst.digest_init(session, mech)
    })
}

pub unsafe extern "C" fn C_Digest(
    session: CK_SESSION_HANDLE,
    data: *mut CK_BYTE,
    data_len: CK_ULONG,
    digest: *mut CK_BYTE,
    digest_len: *mut CK_ULONG,
) -> CK_RV {
    guard("C_Digest", || {
        let inst = instance::get()?;
        // SAFETY: caller's contract for each buffer.
        let (data, cap) = unsafe { (input(data, data_len)?, capacity(digest, digest_len)?) };
        let out = inst.digest(session, Some(data), cap)?;
        // SAFETY: as above.
        unsafe { write_output(digest, digest_len, out) }
    })
}

pub unsafe extern "C" fn C_DigestUpdate(
    session: CK_SESSION_HANDLE,
    data: *mut CK_BYTE,
    len: CK_ULONG,
) -> CK_RV {
    guard("C_DigestUpdate", || {
        let inst = instance::get()?;
        // SAFETY: caller's contract.
        let data = unsafe { input(data, len) }?;
        inst.digest_update(session, data)
    })
}

pub unsafe extern "C" fn C_DigestFinal(
    session: CK_SESSION_HANDLE,
    digest: *mut CK_BYTE,
    digest_len: *mut CK_ULONG,
) -> CK_RV {
    guard("C_DigestFinal", || {
        let inst = instance::get()?;
        // SAFETY: caller's contract.
        let cap = unsafe { capacity(digest, digest_len) }?;
        let out = inst.digest(session, None, cap)?;
        // SAFETY: as above.
        unsafe { write_output(digest, digest_len, out) }
    })
}

pub unsafe extern "C" fn C_GenerateRandom(
    session: CK_SESSION_HANDLE,
    out: *mut CK_BYTE,
    len: CK_ULONG,
) -> CK_RV {
    guard("C_GenerateRandom", || {
        let inst = instance::get()?;
        buffer(out, len)?;
        inst.session(session)?;
        if len == 0 {
            return Ok(());
        }
        // SAFETY: non-NULL and writable for `len` bytes by contract.
        let buf = unsafe { std::slice::from_raw_parts_mut(out, len as usize) };
        getrandom::getrandom(buf).map_err(|_| CKR_FUNCTION_FAILED)
    })
}

pub unsafe extern "C" fn C_SeedRandom(
    session: CK_SESSION_HANDLE,
    seed: *mut CK_BYTE,
    len: CK_ULONG,
) -> CK_RV {
    // Random numbers come from the host's generator (`getrandom`), which takes no seed from
    // applications: the spec's answer for that, after the argument and session checks.
    guard("C_SeedRandom", || {
        let inst = instance::get()?;
        buffer(seed, len)?;
        inst.session(session)?;
        Err(CKR_RANDOM_SEED_NOT_SUPPORTED)
    })
}
