//! `libkyso_pkcs11.so`: a PKCS#11 module that re-exports every token the kyso library reaches,
//! so Firefox, Chromium, Thunderbird, LibreOffice (NSS), OpenSSL and any PKCS#11 application
//! sign through hardware tokens by registering this one module.
//!
//! Layout: [`ffi`] is the only place with raw pointers (and `unsafe`); `backend` holds the
//! behaviour in safe Rust: slots that never disappear, objects as data, sessions, operations.
//! Which tokens it shows: those the `kyso` command lists, through the same
//! [`kyso::discovery`] (`kyso.toml` found as the command finds it, `KYSO_CONFIG` first; else
//! auto-configuration from the tokens plugged in; then the `[[remote]]` accounts). Logging goes to the file named by `KYSO_LOG`, never to the host's terminal.

#![deny(unsafe_op_in_unsafe_fn)]

mod backend;
pub mod ffi;

pub use ffi::interface::{C_GetFunctionList, C_GetInterface, C_GetInterfaceList};
