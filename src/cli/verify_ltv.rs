//! `kyso verify` and long-term signatures: revocation answered by the network or by the PDF's
//! Document Security Store, document timestamps, and the PAdES level each signature reaches.

use kyso::document::verify::revocation::{check, HttpRevocation};
use kyso::document::verify::{StoredValidationData, ValidationCache};
use kyso::document::{self, PdfSignature, Revocation, RevocationStatus, TimestampVerification};
use kyso::Certificate;

use super::verify::Report;

/// How long an OCSP responder or CRL server may take.
pub(super) const REVOCATION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// The responders' answers for one `kyso verify` run: a certificate is asked about once,
/// however many signatures it made.
pub(super) fn fetched_answers() -> ValidationCache {
    ValidationCache::new(
        std::sync::Arc::new(HttpRevocation {
            timeout: REVOCATION_TIMEOUT,
        }),
        Vec::new(),
    )
}

/// The revocation status of `cert` and where it came from (`fetched`, `embedded`, `none`):
/// the responders unless `offline`, the PDF's DSS when they cannot answer; and whether the
/// DSS answers for it (what B-LT means).
pub(super) fn revocation(
    cert: &Certificate,
    candidates: &[Certificate],
    stored: Option<&StoredValidationData>,
    fetched: Option<&ValidationCache>,
) -> (Revocation, &'static str, bool) {
    let answered =
        |r: &Revocation| matches!(r.status, RevocationStatus::Good | RevocationStatus::Revoked);
    let embedded = stored
        .filter(|s| !s.revocation.is_empty())
        .map(|s| check(cert, candidates, &s.revocation))
        .filter(answered);
    let has_embedded = embedded.is_some();
    let Some(cache) = fetched else {
        return match embedded {
            Some(r) => (r, "embedded", true),
            None => (
                Revocation::not_checked(kyso::t!("verify-offline-not-asked")),
                "none",
                false,
            ),
        };
    };
    let fetched = cache.revocation(cert, candidates);
    match embedded {
        _ if answered(&fetched) => (fetched, "fetched", has_embedded),
        Some(r) => (r, "embedded", true),
        None => (fetched, "none", false),
    }
}

/// The revocation status of one more certificate of a signature: an intermediate of the
/// signer's chain, the TSA's certificate or one of its intermediates.
#[derive(Debug, serde::Serialize)]
pub(super) struct OtherRevocation {
    /// Whose.
    pub subject: String,
    /// What the sources said.
    pub revocation: Revocation,
}

/// The revocation of every certificate of the chains of `leaves` (the signer, the TSA) but
/// the leaves themselves and the anchors, and of the leaves after the first (the TSA).
pub(super) fn others(
    leaves: &[&Certificate],
    candidates: &[Certificate],
    anchors: &[Certificate],
    stored: Option<&StoredValidationData>,
    fetched: Option<&ValidationCache>,
) -> Vec<OtherRevocation> {
    let mut todo: Vec<Certificate> = Vec::new();
    for (i, leaf) in leaves.iter().enumerate() {
        let chain = kyso::cert::build_chain(leaf, candidates, anchors).unwrap_or_default();
        let skip = usize::from(i == 0);
        for c in chain.into_iter().skip(skip) {
            if !c.is_self_issued() && !anchors.contains(&c) && !todo.contains(&c) {
                todo.push(c);
            }
        }
    }
    todo.iter()
        .map(|c| OtherRevocation {
            subject: c.subject().to_owned(),
            revocation: revocation(c, candidates, stored, fetched).0,
        })
        .collect()
}

/// The end of the range of the newest valid, trusted document timestamp that covers a DSS.
pub(super) fn archive_ends(sigs: &[PdfSignature], anchors: &[Certificate]) -> Option<usize> {
    sigs.iter()
        .filter(|s| s.covers_dss)
        .filter(|s| match &s.result {
            document::PdfSignatureResult::DocTimestamp(t) => {
                let mut t = (**t).clone();
                t.check_trust(anchors);
                t.is_valid() && t.trust.as_ref().is_some_and(|tr| tr.is_trusted())
            }
            _ => false,
        })
        .filter_map(|s| {
            s.byte_range
                .get(2)
                .zip(s.byte_range.get(3))
                .map(|(b, c)| b + c)
        })
        .max()
}

/// The baseline level (PAdES, or CAdES with no range) of a judged signature over `range`.
pub(super) fn level(r: &Report, range: &[usize], archived_until: Option<usize>) -> &'static str {
    let stamped = r
        .signature
        .as_ref()
        .and_then(|v| v.timestamp.as_ref())
        .is_some_and(|t| t.is_valid());
    let end = range.get(2).zip(range.get(3)).map(|(b, c)| b + c);
    let long_term = stamped && r.embedded_revocation;
    match (stamped, long_term, archived_until.zip(end)) {
        (false, _, _) => "B-B",
        (true, false, _) => "B-T",
        (true, true, Some((until, end))) if until > end => "B-LTA",
        (true, true, _) => "B-LT",
    }
}

/// The CAdES baseline level of a judged `.p7s` signature (B-LTA is not written by kyso).
pub(super) fn cades_level(r: &Report) -> &'static str {
    level(r, &[], None)
}

/// A document timestamp's report: valid when its token holds and its TSA is trusted.
pub(super) fn judge_doc_timestamp(
    r: &mut Report,
    mut t: TimestampVerification,
    anchors: &[Certificate],
) {
    if t.is_valid() {
        t.check_trust(anchors);
    }
    r.status = if !t.is_valid() {
        "invalid"
    } else if t.trust.as_ref().is_some_and(|tr| tr.is_trusted()) {
        "valid"
    } else {
        "untrusted"
    };
    if !t.is_valid() {
        r.error = Some(kyso::t!(
            "verify-document-timestamp-invalid",
            problems = t.problems.join("; ")
        ));
    }
    r.document_timestamp = Some(t);
}
