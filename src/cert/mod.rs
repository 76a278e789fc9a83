//! X.509 certificates as kyso shows and uses them: RFC 4514 names that keep Vietnamese
//! diacritics readable, the holder's identity numbers, validity, key type and usages, chains.
//!
//! A [`Certificate`] owns its DER and the fields extracted once at construction, so it can be
//! cloned and passed around freely; x509-parser's borrowed view is rebuilt only when needed.

mod anchors;
mod certificate;
mod chain;
mod identity;
mod key;
mod name;
#[cfg(test)]
pub(crate) mod testutil;
mod trust;

pub use anchors::{default_anchor_list, default_anchor_name, default_anchors, DefaultAnchor};
pub use certificate::{Certificate, CertificateSummary};
pub use chain::{build_chain, check_validity};
pub use identity::{Identity, IdentityEntry, IdentityKind};
pub use name::{printable, OID_UID};
pub use trust::{verify_trust, TrustVerification};
