// Copyright 2021 Contributors to the Parsec project.
// SPDX-License-Identifier: Apache-2.0
//! Signing and authentication functions

use crate::context::Function;
use crate::error::{Result, Rv, RvError};
use crate::mechanism::Mechanism;
use crate::object::ObjectHandle;
use crate::session::Session;
use cryptoki_sys::*;
use std::convert::TryInto;

impl Session {
    /// Sign data in single-part
    pub fn sign(&self, mechanism: &Mechanism, key: ObjectHandle, data: &[u8]) -> Result<Vec<u8>> {
        let mut mechanism: CK_MECHANISM = mechanism.into();
        let mut signature_len = 0;

        unsafe {
            Rv::from(get_pkcs11!(self.client(), C_SignInit)(
                self.handle(),
                &mut mechanism as CK_MECHANISM_PTR,
                key.handle(),
            ))
            .into_result(Function::SignInit)?;
        }

        // Get the output buffer length
        unsafe {
            Rv::from(get_pkcs11!(self.client(), C_Sign)(
                self.handle(),
                data.as_ptr() as *mut u8,
                data.len().try_into()?,
                std::ptr::null_mut(),
                &mut signature_len,
            ))
            .into_result(Function::Sign)?;
        }

        let mut signature = vec![
            0;
            crate::error::check_len(
                Function::Sign,
                "signature length",
                signature_len,
                crate::limits::MAX_OUTPUT_LEN,
            )?
        ];

        //TODO: we should add a new error instead of those unwrap!
        unsafe {
            Rv::from(get_pkcs11!(self.client(), C_Sign)(
                self.handle(),
                data.as_ptr() as *mut u8,
                data.len().try_into()?,
                signature.as_mut_ptr(),
                &mut signature_len,
            ))
            .into_result(Function::Sign)?;
        }

        let n = crate::error::check_filled(
            Function::Sign,
            || format!("signature length after filling a buffer of {} bytes", signature.len()),
            signature_len,
            signature.len(),
        )?;
        signature.truncate(n);

        Ok(signature)
    }

    /// kyso patch: single-part signing when the caller knows the signature's length (from the
    /// key): `C_SignInit` and one `C_Sign` into a buffer of `expected` bytes, without the
    /// length query. Should the buffer be too small after all, `C_Sign` says so and leaves
    /// the operation active (PKCS#11 §5.2), and the call is made again with the size the
    /// module asked for; a module that ended the operation anyway is asked again from
    /// `C_SignInit` the classic way ([`Session::sign`]).
    pub fn sign_with_len(
        &self,
        mechanism: &Mechanism,
        key: ObjectHandle,
        data: &[u8],
        expected: usize,
    ) -> Result<Vec<u8>> {
        let mut ck_mechanism: CK_MECHANISM = mechanism.into();
        unsafe {
            Rv::from(get_pkcs11!(self.client(), C_SignInit)(
                self.handle(),
                &mut ck_mechanism as CK_MECHANISM_PTR,
                key.handle(),
            ))
            .into_result(Function::SignInit)?;
        }
        // malloc and a memset: `vec![0; n]` is calloc, which glibc serves without its
        // thread cache (twice the instructions of the whole module's part of a signature).
        let n = expected.min(crate::limits::MAX_OUTPUT_LEN);
        let mut signature = Vec::with_capacity(n);
        signature.resize(n, 0);
        let mut retried = false;
        loop {
            let mut signature_len: CK_ULONG = signature.len().try_into()?;
            let rv = unsafe {
                Rv::from(get_pkcs11!(self.client(), C_Sign)(
                    self.handle(),
                    data.as_ptr() as *mut u8,
                    data.len().try_into()?,
                    signature.as_mut_ptr(),
                    &mut signature_len,
                ))
            };
            match rv {
                Rv::Error(RvError::BufferTooSmall) if !retried => {
                    retried = true;
                    let n = crate::error::check_len(
                        Function::Sign,
                        "signature length",
                        signature_len,
                        crate::limits::MAX_OUTPUT_LEN,
                    )?;
                    signature = Vec::with_capacity(n);
                    signature.resize(n, 0);
                }
                Rv::Error(RvError::OperationNotInitialized) if retried => {
                    return self.sign(mechanism, key, data);
                }
                rv => {
                    rv.into_result(Function::Sign)?;
                    let n = crate::error::check_filled(
                        Function::Sign,
                        || format!("signature length after filling a buffer of {} bytes", signature.len()),
                        signature_len,
                        signature.len(),
                    )?;
                    signature.truncate(n);
                    return Ok(signature);
                }
            }
        }
    }

    /// kyso patch: single-part signing into the caller's buffer (`C_SignInit`, then one
    /// `C_Sign` given `out`): `Ok(Ok(length))`. Should `out` be too small after all, the
    /// operation (still active, PKCS#11 §5.2) is finished into a buffer of the size the module
    /// asks for, returned as `Ok(Err(signature))`: the session is left with no operation.
    pub fn sign_into(
        &self,
        mechanism: &Mechanism,
        key: ObjectHandle,
        data: &[u8],
        out: &mut [u8],
    ) -> Result<std::result::Result<usize, Vec<u8>>> {
        let mut ck_mechanism: CK_MECHANISM = mechanism.into();
        unsafe {
            Rv::from(get_pkcs11!(self.client(), C_SignInit)(
                self.handle(),
                &mut ck_mechanism as CK_MECHANISM_PTR,
                key.handle(),
            ))
            .into_result(Function::SignInit)?;
        }
        let mut len: CK_ULONG = out.len().try_into()?;
        let rv = unsafe {
            Rv::from(get_pkcs11!(self.client(), C_Sign)(
                self.handle(),
                data.as_ptr() as *mut u8,
                data.len().try_into()?,
                out.as_mut_ptr(),
                &mut len,
            ))
        };
        if let Rv::Error(RvError::BufferTooSmall) = rv {
            let n = crate::error::check_len(
                Function::Sign,
                "signature length",
                len,
                crate::limits::MAX_OUTPUT_LEN,
            )?;
            let mut signature = Vec::with_capacity(n);
            signature.resize(n, 0);
            let mut len: CK_ULONG = n.try_into()?;
            unsafe {
                Rv::from(get_pkcs11!(self.client(), C_Sign)(
                    self.handle(),
                    data.as_ptr() as *mut u8,
                    data.len().try_into()?,
                    signature.as_mut_ptr(),
                    &mut len,
                ))
                .into_result(Function::Sign)?;
            }
            let n = crate::error::check_filled(
                Function::Sign,
                || format!("signature length after filling a buffer of {n} bytes"),
                len,
                n,
            )?;
            signature.truncate(n);
            return Ok(Err(signature));
        }
        rv.into_result(Function::Sign)?;
        crate::error::check_filled(
            Function::Sign,
            || format!("signature length after filling a buffer of {} bytes", out.len()),
            len,
            out.len(),
        )
        .map(Ok)
    }

    /// kyso patch: the single-part `C_Sign` of an operation the caller started with
    /// [`Session::sign_init`] (and, for an always-authenticate key, a context-specific login
    /// after it), into a buffer of `expected` bytes, made again at the size the module asks
    /// should that be too small. Raw mechanisms (`CKM_RSA_PKCS`) are single-part only on many
    /// tokens, SoftHSM among them.
    pub fn sign_initialized(&self, data: &[u8], expected: usize) -> Result<Vec<u8>> {
        let n = expected.min(crate::limits::MAX_OUTPUT_LEN);
        let mut signature = Vec::with_capacity(n);
        signature.resize(n, 0);
        let mut retried = false;
        loop {
            let mut signature_len: CK_ULONG = signature.len().try_into()?;
            let rv = unsafe {
                Rv::from(get_pkcs11!(self.client(), C_Sign)(
                    self.handle(),
                    data.as_ptr() as *mut u8,
                    data.len().try_into()?,
                    signature.as_mut_ptr(),
                    &mut signature_len,
                ))
            };
            if let (Rv::Error(RvError::BufferTooSmall), false) = (rv, retried) {
                retried = true;
                let n = crate::error::check_len(
                    Function::Sign,
                    "signature length",
                    signature_len,
                    crate::limits::MAX_OUTPUT_LEN,
                )?;
                signature.resize(n, 0);
                continue;
            }
            rv.into_result(Function::Sign)?;
            let n = crate::error::check_filled(
                Function::Sign,
                || format!("signature length after filling a buffer of {} bytes", signature.len()),
                signature_len,
                signature.len(),
            )?;
            signature.truncate(n);
            return Ok(signature);
        }
    }

    /// Starts new multi-part signing operation
    pub fn sign_init(&self, mechanism: &Mechanism, key: ObjectHandle) -> Result<()> {
        let mut mechanism: CK_MECHANISM = mechanism.into();

        unsafe {
            Rv::from(get_pkcs11!(self.client(), C_SignInit)(
                self.handle(),
                &mut mechanism as CK_MECHANISM_PTR,
                key.handle(),
            ))
            .into_result(Function::SignInit)?;
        }

        Ok(())
    }

    /// Continues an ongoing multi-part signing operation,
    /// taking in the next part of the data to sign
    pub fn sign_update(&self, data: &[u8]) -> Result<()> {
        unsafe {
            Rv::from(get_pkcs11!(self.client(), C_SignUpdate)(
                self.handle(),
                data.as_ptr() as *mut u8,
                data.len().try_into()?,
            ))
            .into_result(Function::SignUpdate)?;
        }

        Ok(())
    }

    /// Finalizes ongoing multi-part signing operation,
    /// returning the signature
    pub fn sign_final(&self) -> Result<Vec<u8>> {
        let mut signature_len = 0;

        // Get the output buffer length
        unsafe {
            Rv::from(get_pkcs11!(self.client(), C_SignFinal)(
                self.handle(),
                std::ptr::null_mut(),
                &mut signature_len,
            ))
            .into_result(Function::SignFinal)?;
        }

        let mut signature = vec![
            0;
            crate::error::check_len(
                Function::SignFinal,
                "signature length",
                signature_len,
                crate::limits::MAX_OUTPUT_LEN,
            )?
        ];

        unsafe {
            Rv::from(get_pkcs11!(self.client(), C_SignFinal)(
                self.handle(),
                signature.as_mut_ptr(),
                &mut signature_len,
            ))
            .into_result(Function::SignFinal)?;
        }

        let n = crate::error::check_filled(
            Function::SignFinal,
            || format!("signature length after filling a buffer of {} bytes", signature.len()),
            signature_len,
            signature.len(),
        )?;
        signature.truncate(n);

        Ok(signature)
    }

    /// Verify data in single-part
    pub fn verify(
        &self,
        mechanism: &Mechanism,
        key: ObjectHandle,
        data: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        let mut mechanism: CK_MECHANISM = mechanism.into();

        unsafe {
            Rv::from(get_pkcs11!(self.client(), C_VerifyInit)(
                self.handle(),
                &mut mechanism as CK_MECHANISM_PTR,
                key.handle(),
            ))
            .into_result(Function::VerifyInit)?;
        }

        unsafe {
            Rv::from(get_pkcs11!(self.client(), C_Verify)(
                self.handle(),
                data.as_ptr() as *mut u8,
                data.len().try_into()?,
                signature.as_ptr() as *mut u8,
                signature.len().try_into()?,
            ))
            .into_result(Function::Verify)
        }
    }

    /// Starts new multi-part verifying operation
    pub fn verify_init(&self, mechanism: &Mechanism, key: ObjectHandle) -> Result<()> {
        let mut mechanism: CK_MECHANISM = mechanism.into();

        unsafe {
            Rv::from(get_pkcs11!(self.client(), C_VerifyInit)(
                self.handle(),
                &mut mechanism as CK_MECHANISM_PTR,
                key.handle(),
            ))
            .into_result(Function::VerifyInit)?;
        }

        Ok(())
    }

    /// Continues an ongoing multi-part verifying operation,
    /// taking in the next part of the data to verify
    pub fn verify_update(&self, data: &[u8]) -> Result<()> {
        unsafe {
            Rv::from(get_pkcs11!(self.client(), C_VerifyUpdate)(
                self.handle(),
                data.as_ptr() as *mut u8,
                data.len().try_into()?,
            ))
            .into_result(Function::VerifyUpdate)?;
        }

        Ok(())
    }

    /// Finalizes ongoing multi-part verifying operation,
    /// returning Ok only if the signature verifies
    pub fn verify_final(&self, signature: &[u8]) -> Result<()> {
        unsafe {
            Rv::from(get_pkcs11!(self.client(), C_VerifyFinal)(
                self.handle(),
                signature.as_ptr() as *mut u8,
                signature.len().try_into()?,
            ))
            .into_result(Function::VerifyFinal)?;
        }

        Ok(())
    }

    /// Initialize Signature verification operation, by including the signature at initialization
    pub fn verify_signature_init(
        &self,
        mechanism: &Mechanism,
        key: ObjectHandle,
        signature: &[u8],
    ) -> Result<()> {
        let mut mechanism: CK_MECHANISM = mechanism.into();

        unsafe {
            Rv::from(get_pkcs11!(self.client(), C_VerifySignatureInit)(
                self.handle(),
                &mut mechanism as CK_MECHANISM_PTR,
                key.handle(),
                signature.as_ptr() as *mut u8,
                signature.len().try_into()?,
            ))
            .into_result(Function::VerifySignatureInit)?;
        }

        Ok(())
    }

    /// Verify Signature in single-part operation
    pub fn verify_signature(&self, data: &[u8]) -> Result<()> {
        unsafe {
            Rv::from(get_pkcs11!(self.client(), C_VerifySignature)(
                self.handle(),
                data.as_ptr() as *mut u8,
                data.len().try_into()?,
            ))
            .into_result(Function::VerifySignature)?;
        }

        Ok(())
    }

    /// continue multi-part Verify Signature operation
    pub fn verify_signature_update(&self, data: &[u8]) -> Result<()> {
        unsafe {
            Rv::from(get_pkcs11!(self.client(), C_VerifySignatureUpdate)(
                self.handle(),
                data.as_ptr() as *mut u8,
                data.len().try_into()?,
            ))
            .into_result(Function::VerifySignatureUpdate)?;
        }

        Ok(())
    }

    /// finalize multi-part Verify Signature operation
    pub fn verify_signature_final(&self) -> Result<()> {
        unsafe {
            Rv::from(get_pkcs11!(self.client(), C_VerifySignatureFinal)(
                self.handle(),
            ))
            .into_result(Function::VerifySignatureFinal)?;
        }

        Ok(())
    }
}
