//! `kyso verify`'s text report: one block per signature, every line escaped.

use super::verify::Report;
use super::vn_time::vietnam_time;
use kyso::t;

/// Every label of the report, for the width their values align to.
const LABELS: [&str; 20] = [
    "verify-label-location",
    "verify-label-covers",
    "verify-label-seller-mst",
    "verify-label-error",
    "verify-label-signer",
    "verify-label-subject",
    "verify-label-issuer",
    "verify-label-signed-at",
    "verify-label-timestamp",
    "verify-label-tsa-chain",
    "verify-label-tsa-trust",
    "verify-label-algorithm",
    "verify-label-signature",
    "verify-label-document",
    "verify-label-problem",
    "verify-label-chain",
    "verify-label-anchor",
    "verify-label-trust",
    "verify-label-level",
    "verify-label-revocation",
];

/// `  label      `: a report line's label in the language in use, padded to the widest label
/// so that the values align.
pub(super) fn label(id: &str) -> String {
    let width = LABELS
        .iter()
        .map(|l| t!(l).chars().count())
        .max()
        .unwrap_or(0);
    let l = t!(id);
    format!(
        "  {l}{} ",
        " ".repeat(width.saturating_sub(l.chars().count()))
    )
}

/// A time from the signature, or "unknown".
pub(super) fn time_or_unknown(time: Option<&str>) -> String {
    time.map_or_else(|| t!("verify-time-unknown"), vietnam_time)
}

/// `valid` / `INVALID` in the language in use.
pub(super) fn valid_word(valid: bool) -> String {
    t!(if valid {
        "verify-valid"
    } else {
        "verify-invalid"
    })
}

pub(super) fn print_text(r: &Report, no_anchors: bool) {
    // Every line escaped whole: names, subjects and messages come from the signature, and a
    // certificate's escape sequences must not rewrite what the person reads.
    macro_rules! line {
        ($($arg:tt)*) => {
            println!("{}", kyso::cert::printable(&format!($($arg)*)))
        };
    }
    let verdict = t!(match r.status {
        "valid" => "verify-verdict-valid",
        "invalid" => "verify-verdict-invalid",
        "untrusted" => "verify-verdict-untrusted",
        _ => "verify-verdict-error",
    });
    match &r.field {
        Some(f) => line!("{} [{f}]: {verdict}", r.file.display()),
        None => line!("{}: {verdict}", r.file.display()),
    }
    if let Some(e) = &r.error {
        line!("{}{e}", label("verify-label-error"));
    }
    if let Some(v) = &r.signature {
        let s = &v.signer;
        line!(
            "{}",
            signer_line(&s.common_name, &s.subject, v.signer_certificate())
        );
        line!("{}{}", label("verify-label-subject"), s.subject);
        line!("{}{}", label("verify-label-issuer"), s.issuer);
        let time = time_or_unknown(v.signing_time.as_deref());
        line!(
            "{}{}",
            label("verify-label-signed-at"),
            if v.timestamp.is_some() {
                t!("verify-signed-at-claimed", time = time)
            } else {
                t!("verify-signed-at-claimed-untimestamped", time = time)
            }
        );
        if let Some(t) = &v.timestamp {
            for l in timestamp_lines(t) {
                line!("{l}");
            }
        }
        line!("{}{}", label("verify-label-algorithm"), v.algorithm);
        line!(
            "{}{}",
            label("verify-label-signature"),
            valid_word(v.signature_valid)
        );
        let later = r.later_changes.as_ref();
        let document = match later {
            Some(lc) if !lc.acceptable() => t!(
                "verify-document-modified-because",
                what = lc.modifications.join("; ")
            ),
            Some(lc) if !lc.revision_added => t!("verify-document-modified-appended"),
            _ if !v.content_unmodified => t!("verify-document-modified"),
            Some(_) => t!("verify-document-unmodified-later-revisions"),
            None => t!("verify-document-unmodified"),
        };
        line!("{}{document}", label("verify-label-document"));
        for p in &v.problems {
            line!("{}{p}", label("verify-label-problem"));
        }
    }
    if let Some(x) = &r.xml {
        for l in super::verify_xml::lines(x) {
            line!("{l}");
        }
    }
    if let Some(t) = &r.trust {
        if t.chain_to_anchor {
            line!("{}{}", label("verify-label-chain"), t.chain.join(" <- "));
        }
        if let Some(a) = &t.anchor {
            line!("{}{a}", label("verify-label-anchor"));
        }
        for p in &t.problems {
            line!("{}{p}", label("verify-label-trust"));
        }
        if no_anchors {
            line!("{}{}", label("verify-label-trust"), t!("verify-no-anchor"));
        } else if !t.chain_to_anchor {
            line!(
                "{}{}",
                label("verify-label-trust"),
                t!("verify-not-under-anchor")
            );
        }
    }
    if let Some(ts) = &r.document_timestamp {
        line!(
            "  {}",
            t!(
                "verify-document-timestamp",
                timestamp = timestamp_by(
                    ts.time.as_deref(),
                    ts.tsa.as_deref(),
                    valid_word(ts.is_valid())
                )
            )
        );
        if let Some(tt) = &ts.trust {
            for p in &tt.problems {
                line!("{}{p}", label("verify-label-tsa-trust"));
            }
        }
    }
    if let Some(level) = r.level {
        let family = if r.field.is_some() || r.covers_whole_document.is_some() {
            "PAdES"
        } else {
            "CAdES"
        };
        let data = t!(match r.validation_data.unwrap_or("none") {
            "embedded" => "verify-validation-data-embedded",
            "fetched" => "verify-validation-data-fetched",
            _ => "verify-validation-data-none",
        });
        line!(
            "{}{}",
            label("verify-label-level"),
            t!("verify-level", family = family, level = level, data = data)
        );
    }
    if let Some(rev) = &r.revocation {
        line!("{}{}", label("verify-label-revocation"), rev.localized());
    }
    for o in r
        .chain_revocation
        .iter()
        .filter(|o| o.revocation.status != kyso::document::RevocationStatus::NotChecked)
    {
        line!(
            "{}{}: {}",
            label("verify-label-revocation"),
            o.subject,
            o.revocation.localized()
        );
    }
}

/// `TIME by TSA (STATE)`: a timestamp, who gave it and what kyso found.
fn timestamp_by(time: Option<&str>, tsa: Option<&str>, state: String) -> String {
    let tsa = tsa.map_or_else(|| t!("verify-tsa-unknown"), str::to_owned);
    t!(
        "verify-timestamp-by",
        time = time_or_unknown(time),
        tsa = tsa,
        state = state
    )
}

/// The lines about a signature timestamp (CAdES-T, PAdES B-T, XAdES-T): when, by whom,
/// whether the token holds, the TSA's chain.
pub(super) fn timestamp_lines(ts: &kyso::document::TimestampVerification) -> Vec<String> {
    let state = if ts.is_valid() {
        t!("verify-timestamp-token-valid")
    } else {
        valid_word(false)
    };
    let mut out = vec![format!(
        "{}{}",
        label("verify-label-timestamp"),
        timestamp_by(ts.time.as_deref(), ts.tsa.as_deref(), state)
    )];
    if let Some(tt) = &ts.trust {
        if tt.chain_to_anchor {
            out.push(format!(
                "{}{}",
                label("verify-label-tsa-chain"),
                tt.chain.join(" <- ")
            ));
        }
        out.extend(
            tt.problems
                .iter()
                .map(|p| format!("{}{p}", label("verify-label-tsa-trust"))),
        );
    }
    out
}

/// `  signer     NAME (CCCD:…, MST:…)`: who signed and the identity numbers of the certificate.
pub(super) fn signer_line(
    common_name: &Option<String>,
    subject: &str,
    cert: &kyso::Certificate,
) -> String {
    let identity: Vec<String> = cert
        .identity()
        .entries()
        .iter()
        .map(|e| format!("{}:{}", e.kind.key().to_uppercase(), e.value))
        .collect();
    format!(
        "{}{} ({})",
        label("verify-label-signer"),
        common_name.as_deref().unwrap_or(subject),
        if identity.is_empty() {
            t!("verify-no-identity-number")
        } else {
            identity.join(", ")
        }
    )
}
