//! The module's behaviour in safe Rust: state, slots, objects, sessions and operations.
//! Nothing here touches a raw pointer; `crate::ffi` does that and calls in: the compiler holds
//! it to that (`forbid(unsafe_code)`).

#![forbid(unsafe_code)]

pub mod crypto;
pub mod instance;
pub mod logging;
pub mod mechanism;
pub mod object;
pub mod operation;
pub mod recursion;
pub mod rv;
pub mod session;
pub mod slots;
