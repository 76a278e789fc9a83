//! Session state and attribute answers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use cryptoki_sys::*;

use super::object::Object;
use super::operation::{DigestOp, SignOp, VerifyOp};
use super::rv::Rv;

/// One open session: its slot, the token generation it was opened on, and the operations in
/// progress (each at most once, as the spec allows).
pub struct Session {
    /// Our slot id.
    pub slot: CK_SLOT_ID,
    /// Token generation at open: a session of a removed token is dead.
    pub generation: u64,
    /// The slot's current generation (0 without a token): the session lives while it is
    /// `generation`.
    pub present: Arc<AtomicU64>,
    /// `CKF_RW_SESSION` was asked.
    pub rw: bool,
    /// `C_FindObjects` results not yet returned.
    pub find: Option<Vec<CK_OBJECT_HANDLE>>,
    /// Signature in progress.
    pub sign: Option<SignOp>,
    /// Verification in progress.
    pub verify: Option<VerifyOp>,
    /// Digest in progress.
    pub digest: Option<DigestOp>,
}

impl Session {
    /// Whether the token it was opened on is still there.
    pub fn alive(&self) -> bool {
        self.present.load(Ordering::Acquire) == self.generation
    }
}

/// What `C_GetAttributeValue` puts in one template entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Only the length (the caller passed no buffer).
    Len(usize),
    /// The value (fits the caller's buffer).
    Value(Vec<u8>),
    /// `CK_UNAVAILABLE_INFORMATION` in `ulValueLen`.
    Unavailable,
}

/// Answers a template the way the spec says: every entry is answered, and the return code
/// tells the worst problem (sensitive, unknown type, or a buffer too small).
///
/// `requests` holds each attribute type and the caller's buffer size (`None` for a NULL
/// `pValue`).
pub fn attribute_answers(
    obj: &Object,
    requests: &[(CK_ATTRIBUTE_TYPE, Option<usize>)],
) -> (Vec<Answer>, Rv) {
    let mut rv = CKR_OK;
    let answers = requests
        .iter()
        .map(|(ty, capacity)| match obj.get(*ty).map(|v| v.bytes()) {
            None => {
                rv = CKR_ATTRIBUTE_TYPE_INVALID;
                Answer::Unavailable
            }
            Some(None) => {
                rv = CKR_ATTRIBUTE_SENSITIVE;
                Answer::Unavailable
            }
            Some(Some(v)) => match capacity {
                None => Answer::Len(v.len()),
                Some(c) if *c >= v.len() => Answer::Value(v),
                Some(_) => {
                    rv = CKR_BUFFER_TOO_SMALL;
                    Answer::Unavailable
                }
            },
        })
        .collect();
    (answers, rv)
}
