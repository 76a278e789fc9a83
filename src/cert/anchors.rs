//! The trust anchors kyso ships: Vietnam's national root, so that `kyso verify` of a signature
//! from a licensed Vietnamese CA says VALID without the person knowing to pass `--trust`.
//!
//! | anchor | source | SHA-256 fingerprint |
//! | --- | --- | --- |
//! | Vietnam National Root CA (NEAC, RSA-4096, 2014–2039) | <https://rootca.gov.vn> (issuer of every licensed public CA: VNPT-CA, Viettel-CA, BKAV-CA, FPT-CA…) | `BA:C8:BF:60:9A:B4:20:A8:EE:17:80:D7:4F:4D:E5:C7:F7:18:49:59:D2:A7:37:5B:0A:75:E4:C2:9F:09:08:E7` |
//!
//! The government's specialised-signature root (Ban Cơ yếu Chính phủ) is not shipped: its
//! certificate could not be obtained from a published source to check here. Add it with
//! `[verify] trust = ["…"]` in `kyso.toml` or `--trust`.

use super::certificate::Certificate;

/// One built-in anchor: the certificate and where it comes from.
#[derive(Debug, Clone)]
pub struct DefaultAnchor {
    /// Short name shown by `kyso verify` when a chain ends here.
    pub name: &'static str,
    /// Where the certificate is published.
    pub source: &'static str,
    /// SHA-256 of the DER, lowercase hex: checked when the anchor is loaded.
    pub sha256: &'static str,
    pem: &'static [u8],
}

const ANCHORS: &[DefaultAnchor] = &[DefaultAnchor {
    name: "Vietnam National Root CA (NEAC)",
    source: "https://rootca.gov.vn",
    sha256: "bac8bf609ab420a8ee1780d74f4de5c7f7184959d2a7375b0a75e4c29f0908e7",
    pem: include_bytes!("anchors/vietnam-national-root-ca.pem"),
}];

impl DefaultAnchor {
    /// The certificate (compiled in; a test checks it parses to the documented fingerprint).
    pub fn certificate(&self) -> Option<Certificate> {
        Certificate::from_pem(self.pem)
            .ok()
            .and_then(|mut v| v.pop())
    }
}

/// The built-in anchors with their provenance.
pub fn default_anchor_list() -> &'static [DefaultAnchor] {
    ANCHORS
}

/// The built-in anchors' certificates (`kyso verify` trusts them unless told not to).
pub fn default_anchors() -> Vec<Certificate> {
    ANCHORS
        .iter()
        .filter_map(DefaultAnchor::certificate)
        .collect()
}

/// The built-in anchor `cert` is, if it is one: its name.
pub fn default_anchor_name(cert: &Certificate) -> Option<&'static str> {
    let fp = cert.fingerprint_sha256();
    ANCHORS.iter().find(|a| a.sha256 == fp).map(|a| a.name)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use crate::cert::verify_trust;
    use time::macros::datetime;

    #[test]
    fn fingerprints_are_the_documented_ones() {
        for a in default_anchor_list() {
            let c = a.certificate().unwrap();
            assert_eq!(c.fingerprint_sha256(), a.sha256, "{}", a.name);
            assert!(c.is_self_issued());
        }
    }

    #[test]
    fn a_real_viettel_chain_reaches_the_default_root() {
        let viettel = Certificate::from_pem(VIETTEL).unwrap().remove(0);
        let t = verify_trust(
            &viettel,
            &[],
            &default_anchors(),
            datetime!(2025-06-01 0:00 UTC),
        );
        // Viettel-CA RS is a CA certificate, not a signer: only the chain is asked here.
        assert!(t.chain_to_anchor, "{t:?}");
        assert_eq!(t.anchor.as_deref(), Some("Vietnam National Root CA (NEAC)"));
        assert_eq!(t.chain.len(), 2);
        // without the default anchors, nothing to reach
        let t = verify_trust(&viettel, &[], &[], datetime!(2025-06-01 0:00 UTC));
        assert!(!t.chain_to_anchor);
        assert_eq!(t.anchor, None);
    }
}
