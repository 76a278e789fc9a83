//! `libkyso_pkcs11.so`: the PKCS#11 module that re-exports every token the kyso library
//! reaches, so browsers and office software sign through one registered module.
//!
//! Not built yet: this crate only fixes the workspace layout and proves the library builds
//! without the CLI's dependencies (`default-features = false`), as the module must.

/// The library the module will re-export.
pub use kyso;
