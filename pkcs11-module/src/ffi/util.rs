//! Pointer handling shared by the entry points: the panic guard, input slices, the two-call
//! size protocol, and space-padded strings.

use std::panic::{catch_unwind, AssertUnwindSafe};

use cryptoki_sys::*;

use crate::backend::instance::Output;
use crate::backend::mechanism::{self, Mech, PssParams};

/// Runs an entry point's body: `Err(rv)` becomes `rv`, and a panic becomes
/// `CKR_GENERAL_ERROR` instead of unwinding into (and killing) the host application.
pub fn guard(name: &str, body: impl FnOnce() -> Result<(), CK_RV>) -> CK_RV {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => CKR_OK,
        Ok(Err(rv)) => {
            log::debug!("{name} -> {rv:#x}");
            rv
        }
        Err(_) => {
            log::error!("{name}: internal error (panic caught)");
            CKR_GENERAL_ERROR
        }
    }
}

/// Fails with `CKR_ARGUMENTS_BAD` on a NULL pointer the caller had to give.
pub fn not_null<T>(p: *const T) -> Result<(), CK_RV> {
    if p.is_null() {
        Err(CKR_ARGUMENTS_BAD)
    } else {
        Ok(())
    }
}

/// Fails with `CKR_ARGUMENTS_BAD` on a NULL buffer with a non-zero length.
pub fn buffer<T>(p: *const T, len: CK_ULONG) -> Result<(), CK_RV> {
    if p.is_null() && len != 0 {
        Err(CKR_ARGUMENTS_BAD)
    } else {
        Ok(())
    }
}

/// `CKR_MECHANISM_INVALID` unless the mechanism is one kyso lists (`C_GetMechanismList`).
///
/// # Safety
/// `p` must point to a readable `CK_MECHANISM` (checked non-NULL by the caller).
pub unsafe fn mechanism_listed(p: *const CK_MECHANISM) -> Result<(), CK_RV> {
    not_null(p)?;
    // SAFETY: non-NULL, caller's contract; the type is read unaligned in case the host packed it.
    let ty = unsafe { std::ptr::addr_of!((*p).mechanism).read_unaligned() };
    mechanism::info(ty).map(|_| ()).ok_or(CKR_MECHANISM_INVALID)
}

/// The caller's input bytes; NULL is only allowed with length 0.
///
/// # Safety
/// `p` must be NULL or valid for reads of `len` bytes for the duration of the call.
pub unsafe fn input<'a>(p: *const CK_BYTE, len: CK_ULONG) -> Result<&'a [u8], CK_RV> {
    if p.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(CKR_ARGUMENTS_BAD)
        };
    }
    let len = usize::try_from(len).map_err(|_| CKR_ARGUMENTS_BAD)?;
    // SAFETY: non-NULL, and the caller promises `len` readable bytes (PKCS#11 contract).
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// The caller's buffer size, or `None` when `out` is NULL (a length query).
///
/// # Safety
/// `out_len` must be NULL or point to a readable `CK_ULONG`.
pub unsafe fn capacity(
    out: *const CK_BYTE,
    out_len: *const CK_ULONG,
) -> Result<Option<usize>, CK_RV> {
    not_null(out_len)?;
    if out.is_null() {
        return Ok(None);
    }
    // SAFETY: checked non-NULL above.
    let c = unsafe { *out_len };
    Ok(Some(usize::try_from(c).unwrap_or(usize::MAX)))
}

/// The most a signature may need (RSA-32768); a larger buffer is used up to this.
const MAX_SIGNATURE: usize = 4096;

/// The caller's output buffer as a slice the backend writes into (for a signature), up to
/// [`MAX_SIGNATURE`] of its `capacity` bytes; `None` for a length query (`out` NULL).
///
/// # Safety
/// `out` must be NULL or writable for `capacity` bytes for the duration of the call, and no
/// other reference to those bytes may be used while the slice lives (see [`disjoint`]).
pub unsafe fn output<'a>(out: *mut CK_BYTE, capacity: Option<usize>) -> Option<&'a mut [u8]> {
    let c = capacity?.min(MAX_SIGNATURE);
    if out.is_null() {
        return None;
    }
    // SAFETY: non-NULL and writable for `capacity` >= `c` bytes (the caller's contract).
    Some(unsafe { std::slice::from_raw_parts_mut(out, c) })
}

/// The input bytes, copied when they share memory with the output buffer (a host may sign
/// in place): a `&[u8]` and a `&mut [u8]` over the same bytes must never coexist.
pub fn disjoint<'a>(
    data: &'a [u8],
    out: *const CK_BYTE,
    capacity: Option<usize>,
    copy: &'a mut Vec<u8>,
) -> &'a [u8] {
    let Some(c) = capacity else { return data };
    let (a, b) = (data.as_ptr() as usize, out as usize);
    let c = c.min(MAX_SIGNATURE);
    if a < b.saturating_add(c) && b < a.saturating_add(data.len()) {
        *copy = data.to_vec();
        copy
    } else {
        data
    }
}

/// Writes an [`Output`] following the size protocol.
///
/// # Safety
/// `out_len` must point to a writable `CK_ULONG`; `out` must be NULL or writable for the
/// capacity the caller gave in `*out_len`.
pub unsafe fn write_output(
    out: *mut CK_BYTE,
    out_len: *mut CK_ULONG,
    output: Output,
) -> Result<(), CK_RV> {
    not_null(out_len)?;
    match output {
        Output::Len(n) => {
            // SAFETY: `out_len` checked non-NULL.
            unsafe { *out_len = n as CK_ULONG };
            Ok(())
        }
        Output::TooSmall(n) => {
            // SAFETY: as above.
            unsafe { *out_len = n as CK_ULONG };
            Err(CKR_BUFFER_TOO_SMALL)
        }
        Output::Written(n) => {
            // SAFETY: `out_len` checked non-NULL; the bytes are in the caller's buffer already.
            unsafe { *out_len = n as CK_ULONG };
            Ok(())
        }
        Output::Done(v) => {
            not_null(out)?;
            // SAFETY: the backend only returns `Done` when `v` fits the caller's capacity.
            unsafe {
                std::ptr::copy_nonoverlapping(v.as_ptr(), out, v.len());
                *out_len = v.len() as CK_ULONG;
            }
            Ok(())
        }
    }
}

/// Copies `s` into a fixed-size, space-padded, not NUL-terminated PKCS#11 string field,
/// cutting at a character boundary.
pub fn pad(dst: &mut [u8], s: &str) {
    dst.fill(b' ');
    let mut end = s.len().min(dst.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    dst[..end].copy_from_slice(&s.as_bytes()[..end]);
}

/// Reads `CK_MECHANISM`, including RSA-PSS parameters.
///
/// # Safety
/// `p` must be NULL or point to a valid `CK_MECHANISM` whose `pParameter` is valid for
/// `ulParameterLen` bytes.
pub unsafe fn read_mechanism(p: *const CK_MECHANISM) -> Result<Mech, CK_RV> {
    not_null(p)?;
    // SAFETY: non-NULL, caller's contract.
    let m = unsafe { &*p };
    let pss = if !m.pParameter.is_null()
        && m.ulParameterLen as usize == std::mem::size_of::<CK_RSA_PKCS_PSS_PARAMS>()
    {
        // SAFETY: the length matches the struct; read unaligned in case the host packed it.
        let raw =
            unsafe { std::ptr::read_unaligned(m.pParameter as *const CK_RSA_PKCS_PSS_PARAMS) };
        Some(PssParams {
            hash: raw.hashAlg,
            mgf: raw.mgf,
            salt_len: raw.sLen,
        })
    } else {
        None
    };
    mechanism::parse(m.mechanism, pss)
}

/// Reads a search template: (type, value) pairs.
///
/// # Safety
/// `p` must be NULL (with `n == 0`) or valid for `n` `CK_ATTRIBUTE`s whose values are valid
/// for their lengths.
pub unsafe fn read_template(
    p: *const CK_ATTRIBUTE,
    n: CK_ULONG,
) -> Result<Vec<(CK_ATTRIBUTE_TYPE, Vec<u8>)>, CK_RV> {
    if p.is_null() {
        return if n == 0 {
            Ok(Vec::new())
        } else {
            Err(CKR_ARGUMENTS_BAD)
        };
    }
    let n = usize::try_from(n).map_err(|_| CKR_ARGUMENTS_BAD)?;
    // SAFETY: non-NULL, caller's contract.
    let attrs = unsafe { std::slice::from_raw_parts(p, n) };
    attrs
        .iter()
        // SAFETY: each value pointer is valid for its length by contract (NULL only if 0).
        .map(|a| {
            Ok((
                a.type_,
                unsafe { input(a.pValue as *const u8, a.ulValueLen) }?.to_vec(),
            ))
        })
        .collect()
}
