//! What goes over the network: HTTP exchanges, RFC 3161 timestamps from a timestamp authority,
//! and revocation status from OCSP responders and CRL distribution points.

mod http;
pub mod revocation;
pub mod tsp;
