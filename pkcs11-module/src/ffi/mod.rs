//! The C ABI, in one place: every entry point unpacks pointers, calls the safe backend, and
//! maps errors to `CKR_*` inside one guard (`util::guard`), so no panic crosses into the host.

mod crypto;
mod general;
pub mod interface;
mod lists;
mod session;
mod unsupported;
mod util;
