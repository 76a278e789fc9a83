//! `kyso verify`'s text report: one block per signature, every line escaped.

use super::verify::Report;
use super::vn_time::vietnam_time;

pub(super) fn print_text(r: &Report, no_anchors: bool) {
    // Every line escaped whole: names, subjects and messages come from the signature, and a
    // certificate's escape sequences must not rewrite what the person reads.
    macro_rules! line {
        ($($arg:tt)*) => {
            println!("{}", kyso::cert::printable(&format!($($arg)*)))
        };
    }
    let verdict = match r.status {
        "valid" => "VALID",
        "invalid" => "INVALID",
        "untrusted" => "NOT TRUSTED",
        _ => "ERROR",
    };
    match &r.field {
        Some(f) => line!("{} [{f}]: {verdict}", r.file.display()),
        None => line!("{}: {verdict}", r.file.display()),
    }
    if let Some(e) = &r.error {
        line!("  error      {e}");
    }
    if let Some(v) = &r.signature {
        let s = &v.signer;
        line!(
            "{}",
            signer_line(&s.common_name, &s.subject, v.signer_certificate())
        );
        line!("  subject    {}", s.subject);
        line!("  issuer     {}", s.issuer);
        line!(
            "  signed at  {} (claimed by the signer{})",
            v.signing_time
                .as_deref()
                .map_or("unknown".into(), vietnam_time),
            if v.timestamp.is_some() {
                ""
            } else {
                ", not timestamped"
            }
        );
        if let Some(t) = &v.timestamp {
            for l in timestamp_lines(t) {
                line!("{l}");
            }
        }
        line!("  algorithm  {}", v.algorithm);
        line!(
            "  signature  {}",
            if v.signature_valid {
                "valid"
            } else {
                "INVALID"
            }
        );
        let later = r.later_changes.as_ref();
        match later {
            Some(lc) if !lc.acceptable() => line!(
                "  document   MODIFIED after signing: {}",
                lc.modifications.join("; ")
            ),
            Some(lc) if !lc.revision_added => {
                line!("  document   MODIFIED after signing: bytes were added after this signature")
            }
            _ if !v.content_unmodified => line!("  document   MODIFIED after signing"),
            Some(_) => line!(
                "  document   unmodified; later revisions only add signatures, form fields or \
                 validation data"
            ),
            None => line!("  document   unmodified"),
        }
        for p in &v.problems {
            line!("  problem    {p}");
        }
    }
    if let Some(x) = &r.xml {
        for l in super::verify_xml::lines(x) {
            line!("{l}");
        }
    }
    if let Some(t) = &r.trust {
        if t.chain_to_anchor {
            line!("  chain      {}", t.chain.join(" <- "));
        }
        if let Some(a) = &t.anchor {
            line!("  anchor     {a}");
        }
        for p in &t.problems {
            line!("  trust      {p}");
        }
        if no_anchors {
            line!("  trust      no trust anchor (--no-default-trust): pass --trust CA.pem");
        } else if !t.chain_to_anchor {
            line!(
                "  trust      not under the Vietnam National Root CA nor an anchor given: pass \
                 --trust CA.pem or add it to [verify] trust in kyso.toml"
            );
        }
    }
    if let Some(t) = &r.document_timestamp {
        line!(
            "  document timestamp {} by {} ({}): archives everything before it",
            t.time.as_deref().map_or("unknown".into(), vietnam_time),
            t.tsa.as_deref().unwrap_or("an unknown TSA"),
            if t.is_valid() { "valid" } else { "INVALID" }
        );
        if let Some(tt) = &t.trust {
            for p in &tt.problems {
                line!("  tsa trust  {p}");
            }
        }
    }
    if let Some(level) = r.level {
        line!(
            "  level      {} {level} (validation data: {})",
            if r.field.is_some() || r.covers_whole_document.is_some() {
                "PAdES"
            } else {
                "CAdES"
            },
            r.validation_data.unwrap_or("none")
        );
    }
    if let Some(rev) = &r.revocation {
        line!("  revocation {rev}");
    }
    for o in r
        .chain_revocation
        .iter()
        .filter(|o| o.revocation.status != kyso::document::RevocationStatus::NotChecked)
    {
        line!("  revocation {}: {}", o.subject, o.revocation);
    }
}

/// The lines about a signature timestamp (CAdES-T, PAdES B-T, XAdES-T): when, by whom,
/// whether the token holds, the TSA's chain.
pub(super) fn timestamp_lines(t: &kyso::document::TimestampVerification) -> Vec<String> {
    let mut out = vec![format!(
        "  timestamp  {} by {} ({})",
        t.time.as_deref().map_or("unknown".into(), vietnam_time),
        t.tsa.as_deref().unwrap_or("an unknown TSA"),
        if t.is_valid() {
            "token valid, imprint matches this signature"
        } else {
            "INVALID"
        }
    )];
    if let Some(tt) = &t.trust {
        if tt.chain_to_anchor {
            out.push(format!("  tsa chain  {}", tt.chain.join(" <- ")));
        }
        out.extend(tt.problems.iter().map(|p| format!("  tsa trust  {p}")));
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
        "  signer     {} ({})",
        common_name.as_deref().unwrap_or(subject),
        if identity.is_empty() {
            "no identity number".into()
        } else {
            identity.join(", ")
        }
    )
}
