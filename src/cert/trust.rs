//! Whether a signer is trusted: a chain to an anchor, valid at a time, with a key usage that
//! allows signatures.

use serde::Serialize;
use time::OffsetDateTime;

use super::anchors::default_anchor_name;
use super::certificate::Certificate;
use super::chain::{build_chain, check_validity};

/// Whether the signer is trusted: a chain to an anchor, valid now, with a key usage that allows
/// signatures.
#[derive(Debug, Clone, Serialize)]
pub struct TrustVerification {
    /// A verified chain to one of the anchors exists.
    pub chain_to_anchor: bool,
    /// Subjects of the chain, signer first.
    pub chain: Vec<String>,
    /// The anchor the chain ended at: a built-in anchor's name, else the anchor's subject.
    pub anchor: Option<String>,
    /// Expiry, CA and key-usage problems (empty when trusted).
    pub problems: Vec<String>,
}

impl TrustVerification {
    /// Chain found and no problem.
    pub fn is_trusted(&self) -> bool {
        self.chain_to_anchor && self.problems.is_empty()
    }
}

/// Checks the signer's certificate against `anchors` at `at`, using the certificates carried in
/// the signature as intermediates.
pub fn verify_trust(
    signer: &Certificate,
    embedded: &[Certificate],
    anchors: &[Certificate],
    at: OffsetDateTime,
) -> TrustVerification {
    let mut problems = Vec::new();
    let ku = signer.key_usage();
    if !ku.is_empty()
        && !ku
            .iter()
            .any(|u| u == "digitalSignature" || u == "nonRepudiation")
    {
        problems.push(crate::t!(
            "problem-key-usage-no-signatures",
            usage = ku.join(", ")
        ));
    }
    match build_chain(signer, embedded, anchors) {
        Ok(chain) => {
            problems.extend(check_validity(&chain, at));
            let anchor = chain.last().map(|a| {
                default_anchor_name(a).map_or_else(|| a.subject().to_owned(), str::to_owned)
            });
            TrustVerification {
                anchor,
                chain_to_anchor: true,
                chain: chain.iter().map(|c| c.subject().to_owned()).collect(),
                problems,
            }
        }
        Err(e) => {
            problems.push(e.localized());
            TrustVerification {
                chain_to_anchor: false,
                anchor: None,
                chain: vec![signer.subject().to_owned()],
                problems,
            }
        }
    }
}
