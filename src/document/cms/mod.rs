//! CMS (RFC 5652): building CAdES detached signatures, the algorithm identifiers and ESS
//! attributes they carry, RFC 3161 timestamp tokens (asked of a TSA and checked), and the
//! `SignedData` reading every check shares.

pub(crate) mod algorithm;
mod cades;
pub mod cades_lt;
pub(crate) mod ess;
pub(crate) mod signed_data;
pub mod tsp;

pub use cades::{sign_detached, timestamp, CadesOptions, PreparedCms, SignedCms};
