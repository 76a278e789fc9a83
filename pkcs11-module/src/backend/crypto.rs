//! The cryptographic calls of the module's state: signing, verification and digests, each
//! on a session's operation (`C_*Init`, `C_*Update`, the one-shot and `C_*Final` calls).

use cryptoki_sys::*;

use super::instance::{lock, size_answer, Instance, Output};
use super::mechanism::Mech;
use super::operation::{DigestOp, SignOp, VerifyOp};
use super::rv::Rv;

impl Instance {
    /// `C_SignInit`. The mechanism comes as the FFI read it: the session is checked first, as
    /// the spec orders, then the mechanism, then the key.
    pub fn sign_init(
        &self,
        handle: CK_SESSION_HANDLE,
        mech: Result<Mech, Rv>,
        key: CK_OBJECT_HANDLE,
    ) -> Result<(), Rv> {
        self.with_session(handle, |g| {
            let mech = mech?;
            // Lock order: a session, then the slot table (as everywhere).
            let signer = {
                let t = lock(&self.slots);
                let o = t.visible_ref(g.slot, key).ok_or(CKR_KEY_HANDLE_INVALID)?;
                o.signer.clone()
            };
            if g.sign.is_some() {
                return Err(CKR_OPERATION_ACTIVE);
            }
            let signer = signer.ok_or(CKR_KEY_FUNCTION_NOT_PERMITTED)?;
            g.sign = Some(SignOp::new(mech, signer)?);
            Ok(())
        })
    }

    /// `C_Sign` (`data` is `Some`) or `C_SignFinal`, with the size protocol: a length query
    /// (`out` is `None`) or a short buffer leaves the operation active; anything else ends it,
    /// the signature written into `out`.
    pub fn sign(
        &self,
        handle: CK_SESSION_HANDLE,
        data: Option<&[u8]>,
        out: Option<&mut [u8]>,
    ) -> Result<Output, Rv> {
        let capacity = out.as_ref().map(|o| o.len());
        let (slot, op) = self.with_session(handle, |g| {
            let op = g.sign.as_ref().ok_or(CKR_OPERATION_NOT_INITIALIZED)?;
            if let Some(answer) = size_answer(op.signature_len(), capacity) {
                return Ok((g.slot, Err(answer)));
            }
            let op = g.sign.take().ok_or(CKR_OPERATION_NOT_INITIALIZED)?;
            Ok((g.slot, Ok(op)))
        })?;
        let (op, out) = match (op, out) {
            (Ok(op), Some(out)) => (op, out),
            (Err(answer), _) => return Ok(answer),
            (Ok(_), None) => return Err(CKR_GENERAL_ERROR),
        };
        let sig = op.finish(data, out);
        if sig == Err(CKR_DEVICE_REMOVED) {
            lock(&self.slots).token_removed(slot);
        }
        sig.map(Output::Written)
    }

    /// `C_SignUpdate`; an error ends the operation.
    pub fn sign_update(&self, handle: CK_SESSION_HANDLE, data: &[u8]) -> Result<(), Rv> {
        let s = self.session(handle)?;
        let mut g = lock(&s);
        let op = g.sign.as_mut().ok_or(CKR_OPERATION_NOT_INITIALIZED)?;
        let r = op.update(data);
        if r.is_err() {
            g.sign = None;
        }
        r
    }

    /// `C_VerifyInit` with a public (or private) key object; checks in the order of
    /// [`Instance::sign_init`].
    pub fn verify_init(
        &self,
        handle: CK_SESSION_HANDLE,
        mech: Result<Mech, Rv>,
        key: CK_OBJECT_HANDLE,
    ) -> Result<(), Rv> {
        let s = self.session(handle)?;
        let mech = mech?;
        let slot = lock(&s).slot;
        let obj = self
            .visible(slot, key)
            .map_err(|_| CKR_KEY_HANDLE_INVALID)?;
        let pk = obj
            .public_key
            .clone()
            .ok_or(CKR_KEY_FUNCTION_NOT_PERMITTED)?;
        let key_type = pk.key_type();
        let mut g = lock(&s);
        if g.verify.is_some() {
            return Err(CKR_OPERATION_ACTIVE);
        }
        g.verify = Some(VerifyOp::new(mech, pk, key_type)?);
        Ok(())
    }

    /// `C_VerifyUpdate`.
    pub fn verify_update(&self, handle: CK_SESSION_HANDLE, data: &[u8]) -> Result<(), Rv> {
        let s = self.session(handle)?;
        let mut g = lock(&s);
        let op = g.verify.as_mut().ok_or(CKR_OPERATION_NOT_INITIALIZED)?;
        let r = op.update(data);
        if r.is_err() {
            g.verify = None;
        }
        r
    }

    /// `C_Verify` (`data` is `Some`) or `C_VerifyFinal`; always ends the operation.
    pub fn verify(
        &self,
        handle: CK_SESSION_HANDLE,
        data: Option<&[u8]>,
        signature: &[u8],
    ) -> Result<(), Rv> {
        let s = self.session(handle)?;
        let mut op = lock(&s)
            .verify
            .take()
            .ok_or(CKR_OPERATION_NOT_INITIALIZED)?;
        if let Some(d) = data {
            op.update(d)?;
        }
        op.finish(signature)
    }

    /// `C_DigestInit`.
    pub fn digest_init(&self, handle: CK_SESSION_HANDLE, mech: Result<Mech, Rv>) -> Result<(), Rv> {
        let s = self.session(handle)?;
        let mech = mech?;
        let mut g = lock(&s);
        if g.digest.is_some() {
            return Err(CKR_OPERATION_ACTIVE);
        }
        g.digest = Some(DigestOp::new(mech)?);
        Ok(())
    }

    /// `C_DigestUpdate`.
    pub fn digest_update(&self, handle: CK_SESSION_HANDLE, data: &[u8]) -> Result<(), Rv> {
        let s = self.session(handle)?;
        let mut g = lock(&s);
        g.digest
            .as_mut()
            .ok_or(CKR_OPERATION_NOT_INITIALIZED)?
            .update(data);
        Ok(())
    }

    /// `C_Digest` (`data` is `Some`) or `C_DigestFinal`, with the size protocol.
    pub fn digest(
        &self,
        handle: CK_SESSION_HANDLE,
        data: Option<&[u8]>,
        capacity: Option<usize>,
    ) -> Result<Output, Rv> {
        let s = self.session(handle)?;
        let mut g = lock(&s);
        let len = g
            .digest
            .as_ref()
            .ok_or(CKR_OPERATION_NOT_INITIALIZED)?
            .len();
        if let Some(answer) = size_answer(len, capacity) {
            return Ok(answer);
        }
        let mut op = g.digest.take().ok_or(CKR_OPERATION_NOT_INITIALIZED)?;
        if let Some(d) = data {
            op.update(d);
        }
        Ok(Output::Done(op.finish()))
    }
}
