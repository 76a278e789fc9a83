//! `kyso verify FILE.xml`: every XMLDSig signature in the file, judged like the others (the
//! chain to a trust anchor, revocation).

use std::path::Path;

use kyso::batch::files;
use kyso::document::{self, xml::XmlSignature, RevocationStatus};

use super::verify::{revocation, Ctx, Report};
use super::verify_ltv;
use super::verify_text::{label, time_or_unknown, valid_word};
use kyso::t;

/// Whether `file` is XML (by name or an `<?xml` start) with no detached signature beside it.
pub(super) fn is_xml(file: &Path) -> bool {
    let (_, sig) = super::verify::detached_pair(file);
    if file.to_string_lossy().ends_with(".p7s") || sig.exists() {
        return false;
    }
    let by_name = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xml"));
    let mut head = [0u8; 5];
    by_name
        || files::open_regular(file)
            .is_ok_and(|mut f| std::io::Read::read_exact(&mut f, &mut head).is_ok())
            && &head == b"<?xml"
}

/// One report per signature in the XML file, in document order.
pub(super) fn verify(file: &Path, ctx: &Ctx) -> Vec<Report> {
    let name = file.display().to_string();
    let found = files::read_regular(file).and_then(|data| document::xml::verify_xml(&name, &data));
    let failed = |why: String| {
        let mut r = Report::error(file);
        r.error = Some(why);
        vec![r]
    };
    let sigs = match found {
        Ok(s) if s.is_empty() => return failed(t!("verify-xml-unsigned", name = name)),
        Ok(s) => s,
        Err(e) => return failed(e.localized()),
    };
    sigs.into_iter().map(|s| judge(file, s, ctx)).collect()
}

fn judge(file: &Path, mut x: XmlSignature, ctx: &Ctx) -> Report {
    // XAdES-T: a valid token from a trusted TSA proves when the signature existed, as for
    // CAdES-T: the chain is judged at that time, a later revocation does not undo it
    let mut tsa_trusted = true;
    let mut stamped_at = None;
    if let Some(ts) = x.timestamp.as_mut().filter(|t| t.is_valid()) {
        ts.check_trust(ctx.anchors);
        tsa_trusted = ts.trust.as_ref().is_some_and(|t| t.is_trusted());
        stamped_at = ts.gen_time().filter(|_| tsa_trusted);
    }
    let trust = document::verify_trust(
        x.signer_certificate(),
        x.embedded_certificates(),
        ctx.anchors,
        stamped_at.unwrap_or(ctx.now),
    );
    let mut rev = revocation(x.signer_certificate(), x.embedded_certificates(), ctx);
    let revoked_after_stamp = stamped_at
        .zip(rev.revoked_time())
        .is_some_and(|(ts, at)| ts < at);
    if rev.status == RevocationStatus::Revoked && revoked_after_stamp {
        rev.detail = Some(t!("verify-revoked-after-timestamp"));
    }
    let revoked = rev.status == RevocationStatus::Revoked && !revoked_after_stamp;
    let mut r = Report::error(file);
    r.status = if !x.is_intact() || revoked {
        "invalid"
    } else if trust.is_trusted() && tsa_trusted {
        "valid"
    } else {
        "untrusted"
    };
    if let Some(p) = x.problems.first() {
        r.error = Some(format!("{}: {p}", x.location));
    } else if revoked {
        r.error = Some(t!("verify-signer-revoked", revocation = rev.localized()));
    }
    if let Some(tsa) = x.timestamp.as_ref().and_then(|t| t.tsa_certificate()) {
        // the TSA's certificate and its chain, as for CAdES-T
        let mut candidates = x.embedded_certificates().to_vec();
        candidates.extend_from_slice(ctx.intermediates);
        candidates.extend(
            x.timestamp
                .iter()
                .flat_map(|t| t.embedded_certificates())
                .cloned(),
        );
        let leaves = [x.signer_certificate(), tsa];
        r.chain_revocation =
            verify_ltv::others(&leaves, &candidates, ctx.anchors, None, ctx.answers);
        super::verify::judge_chain_revocation(&mut r, stamped_at);
    }
    r.revocation = Some(rev);
    r.trust = Some(trust);
    r.xml = Some(x);
    r
}

/// The lines the text report shows about an XML signature.
pub(super) fn lines(x: &XmlSignature) -> Vec<String> {
    let s = &x.signer;
    let mut out = vec![
        format!("{}{}", label("verify-label-location"), x.location),
        super::verify_text::signer_line(&s.common_name, &s.subject, x.signer_certificate()),
        format!("{}{}", label("verify-label-issuer"), s.issuer),
        format!(
            "{}{}",
            label("verify-label-signed-at"),
            t!(
                "verify-xml-signing-time",
                time = time_or_unknown(x.signing_time.as_deref())
            )
        ),
    ];
    out.extend(
        x.timestamp
            .iter()
            .flat_map(super::verify_text::timestamp_lines),
    );
    out.extend([
        format!("{}{}", label("verify-label-algorithm"), x.algorithm),
        format!("{}{}", label("verify-label-covers"), x.signed.join(", ")),
        format!(
            "{}{}",
            label("verify-label-signature"),
            valid_word(x.signature_valid)
        ),
        format!(
            "{}{}",
            label("verify-label-document"),
            t!(if x.references_valid {
                "verify-document-unmodified"
            } else {
                "verify-document-modified"
            })
        ),
    ]);
    if let Some(m) = x.mst_matches {
        out.push(format!(
            "{}{}",
            label("verify-label-seller-mst"),
            t!(if m {
                "verify-xml-mst-matches"
            } else {
                "verify-xml-mst-differs"
            })
        ));
    }
    out.extend(
        x.problems
            .iter()
            .map(|p| format!("{}{p}", label("verify-label-problem"))),
    );
    out
}
