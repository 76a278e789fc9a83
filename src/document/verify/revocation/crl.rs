//! Revocation from CRLs (RFC 5280): the list signed by the certificate's issuer, current
//! unless archived, and the certificate's entry in it.

use const_oid::db::rfc5280::ID_CE_CRL_REASONS;
use der::{Decode, Encode};
use time::OffsetDateTime;
use x509_cert::ext::pkix::CrlReason;

use super::{
    der_fail, reason_name, rfc3339_of, signed_parts, time_of, verifies, Evidence, Revocation,
    RevocationSource, RevocationStatus, SKEW,
};
use crate::cert::Certificate;
use crate::error::{Error, Result};

pub(super) fn from_crl(
    url: &str,
    cert: &Certificate,
    issuer: &Certificate,
    source: &dyn RevocationSource,
) -> Result<Revocation> {
    crl_verdict(source.crl(url)?, &format!("CRL {url}"), cert, issuer, false)
}

/// The verdict of CRL `der` on `cert` (`archived`: no freshness check).
pub(super) fn crl_verdict(
    mut der: Vec<u8>,
    label: &str,
    cert: &Certificate,
    issuer: &Certificate,
    archived: bool,
) -> Result<Revocation> {
    if der.starts_with(b"-----BEGIN") {
        der = der::pem::decode_vec(&der)
            .map_err(|e| Error::Document(format!("PEM CRL: {e}")))?
            .1;
    }
    let crl = x509_cert::crl::CertificateList::from_der(&der).map_err(der_fail("not a CRL"))?;
    let (tbs, alg, sig) = signed_parts(&der)?;
    let tbs_list = &crl.tbs_cert_list;
    if tbs_list.issuer.to_der().map_err(der_fail("CRL issuer"))? != cert.issuer_der() {
        return Err(Error::Document(
            "the CRL is issued by another CA than the certificate".into(),
        ));
    }
    if !verifies(issuer, &alg, &tbs, &sig) {
        return Err(Error::Document(
            "the CRL's signature does not verify with the issuer's key".into(),
        ));
    }
    let now = OffsetDateTime::now_utc();
    if let Some(next) = tbs_list.next_update.as_ref().filter(|_| !archived) {
        let secs = next.to_unix_duration().as_secs();
        if time_of(secs).is_some_and(|t| t + SKEW < now) {
            return Err(Error::Document(format!(
                "the CRL is stale (next update was {})",
                rfc3339_of(secs)
            )));
        }
    }
    let cert_x = x509_cert::Certificate::from_der(cert.der()).map_err(der_fail("certificate"))?;
    let serial = &cert_x.tbs_certificate.serial_number;
    let source = Some(label.to_owned());
    let evidence = Some(Evidence::Crl(der.clone()));
    let entry = tbs_list
        .revoked_certificates
        .iter()
        .flatten()
        .find(|r| r.serial_number == *serial);
    Ok(match entry {
        None => Revocation {
            status: RevocationStatus::Good,
            source,
            evidence,
            ..Revocation::not_checked("")
        }
        .without_detail(),
        Some(r) => {
            let secs = r.revocation_date.to_unix_duration().as_secs();
            let reason = r
                .crl_entry_extensions
                .iter()
                .flatten()
                .find(|e| e.extn_id == ID_CE_CRL_REASONS)
                .and_then(|e| CrlReason::from_der(e.extn_value.as_bytes()).ok())
                .map(reason_name);
            Revocation {
                status: RevocationStatus::Revoked,
                source,
                revoked_at: Some(rfc3339_of(secs)),
                reason,
                detail: None,
                revoked_time: time_of(secs),
                evidence,
            }
        }
    })
}
