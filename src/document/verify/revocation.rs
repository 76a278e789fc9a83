//! Revocation status of a signer's certificate: OCSP (RFC 6960) at the responders its
//! Authority Information Access names, else the CRLs (RFC 5280) of its CRL distribution
//! points. Every answer is checked: the OCSP response signed by the issuer or by a responder
//! the issuer delegated to (extendedKeyUsage OCSPSigning), the CRL signed by the issuer, both
//! current (`nextUpdate` not passed).

use std::time::Duration;

use const_oid::db::rfc5280::ID_AD_OCSP;
use const_oid::db::rfc6960::{ID_PKIX_OCSP_BASIC, ID_PKIX_OCSP_NONCE};
use der::asn1::{Null, OctetString};
use der::{Any, Decode, Encode};
use serde::Serialize;
use sha1::{Digest, Sha1};
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use x509_cert::ext::pkix::crl::CrlDistributionPoints;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlReason};
use x509_cert::ext::Extension;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspRequest, OcspResponse, OcspResponseStatus, Request,
    TbsRequest,
};

use crate::cert::Certificate;
use crate::checked::verify_signature_bytes;
use crate::digest::HashAlg;
use crate::document::cms::algorithm::algorithm_from_cms;
use crate::document::cms::signed_data::rfc3339_of;
use crate::error::{Error, NetworkFailure, Result};

mod crl;
use self::crl::{crl_verdict, from_crl};

/// The revocation verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationStatus {
    /// The responder or CRL says the certificate is not revoked.
    Good,
    /// Revoked (see the time and reason).
    Revoked,
    /// No usable answer: the certificate names no source, the responder does not know it, or
    /// the answer could not be trusted.
    Unknown,
    /// Every source named could not be reached.
    Unreachable,
    /// Not asked (`--offline`).
    NotChecked,
}

impl RevocationStatus {
    /// `good`, `revoked`, `unknown`, `unreachable`, `not checked`.
    pub fn name(self) -> &'static str {
        match self {
            RevocationStatus::Good => "good",
            RevocationStatus::Revoked => "revoked",
            RevocationStatus::Unknown => "unknown",
            RevocationStatus::Unreachable => "unreachable",
            RevocationStatus::NotChecked => "not checked",
        }
    }
}

/// The revocation status of one certificate and where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct Revocation {
    /// The verdict.
    pub status: RevocationStatus,
    /// `OCSP URL` or `CRL URL` of the answer used.
    pub source: Option<String>,
    /// When the certificate was revoked (RFC 3339).
    pub revoked_at: Option<String>,
    /// Why (RFC 5280 reason code name), when the answer says.
    pub reason: Option<String>,
    /// What was tried and why it gave no answer, or why nothing was asked.
    pub detail: Option<String>,
    #[serde(skip)]
    revoked_time: Option<OffsetDateTime>,
    /// The signed answer itself, kept for a PDF's Document Security Store (PAdES B-LT).
    #[serde(skip)]
    evidence: Option<Evidence>,
}

/// A signed revocation answer as received: what a Document Security Store archives so the
/// signature can be validated when the responder is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// A DER `OCSPResponse`.
    Ocsp(Vec<u8>),
    /// A DER CRL.
    Crl(Vec<u8>),
}

impl Revocation {
    /// Not checked, with the reason.
    pub fn not_checked(why: impl Into<String>) -> Self {
        Revocation {
            status: RevocationStatus::NotChecked,
            source: None,
            revoked_at: None,
            reason: None,
            detail: Some(why.into()),
            revoked_time: None,
            evidence: None,
        }
    }

    fn unknown(detail: String) -> Self {
        Revocation {
            status: RevocationStatus::Unknown,
            detail: Some(detail),
            ..Revocation::not_checked("")
        }
    }

    /// When the certificate was revoked.
    pub fn revoked_time(&self) -> Option<OffsetDateTime> {
        self.revoked_time
    }

    /// The signed OCSP response or CRL the verdict rests on (good or revoked only).
    pub fn evidence(&self) -> Option<&Evidence> {
        self.evidence.as_ref()
    }
}

impl Revocation {
    /// What a person reads: the verdict, when, why and by whom, in the language in use
    /// (`Display` stays English for logs).
    pub fn localized(&self) -> String {
        let mut out = crate::t!(match self.status {
            RevocationStatus::Good => "revocation-good",
            RevocationStatus::Revoked => "revocation-revoked",
            RevocationStatus::Unknown => "revocation-unknown",
            RevocationStatus::Unreachable => "revocation-unreachable",
            RevocationStatus::NotChecked => "revocation-not-checked",
        });
        if let Some(t) = &self.revoked_at {
            out.push_str(&crate::t!("revocation-on", time = t.as_str()));
        }
        if let Some(r) = &self.reason {
            out.push_str(&format!(" ({r})"));
        }
        if let Some(s) = &self.source {
            out.push_str(&crate::t!("revocation-by", source = s.as_str()));
        }
        if let Some(d) = &self.detail {
            out.push_str(&format!(": {d}"));
        }
        out
    }
}

impl std::fmt::Display for Revocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.status.name())?;
        if let Some(t) = &self.revoked_at {
            write!(f, " on {t}")?;
        }
        if let Some(r) = &self.reason {
            write!(f, " ({r})")?;
        }
        if let Some(s) = &self.source {
            write!(f, " by {s}")?;
        }
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

/// Where OCSP responses and CRLs come from: a seam between revocation checking and the
/// network (tests, caches and offline faces give their own).
pub trait RevocationSource: Send + Sync {
    /// The responder's answer (DER `OCSPResponse`) to `request` (DER `OCSPRequest`).
    fn ocsp(&self, url: &str, request: &[u8]) -> Result<Vec<u8>>;
    /// The CRL (DER or PEM) published at `url`.
    fn crl(&self, url: &str) -> Result<Vec<u8>>;
    /// Answers come from an archive (a PDF's DSS), not from the responder now: they carry
    /// another request's nonce and may be past their `nextUpdate`, and are taken as evidence
    /// of the status when they were made.
    fn archived(&self) -> bool {
        false
    }
    /// Archived CRLs, tried for every certificate whatever URL it names.
    fn archived_crls(&self) -> Vec<Vec<u8>> {
        Vec::new()
    }
}

/// OCSP and CRLs over HTTP(S), each exchange bounded by `timeout`.
#[derive(Debug, Clone)]
pub struct HttpRevocation {
    /// Deadline of each exchange.
    pub timeout: Duration,
}

impl RevocationSource for HttpRevocation {
    fn ocsp(&self, url: &str, request: &[u8]) -> Result<Vec<u8>> {
        crate::document::http::post(url, "application/ocsp-request", request, self.timeout)
    }

    fn crl(&self, url: &str) -> Result<Vec<u8>> {
        crate::document::http::get(url, self.timeout)
    }
}

/// The explicit offline mode: nothing is fetched, and the verdict says the responders and
/// CRLs were not reached.
#[derive(Debug, Clone, Copy, Default)]
pub struct Offline;

impl RevocationSource for Offline {
    fn ocsp(&self, url: &str, _request: &[u8]) -> Result<Vec<u8>> {
        Err(Error::Network {
            url: url.to_owned(),
            failure: NetworkFailure::Unreachable("not asked (offline)".into()),
        })
    }

    fn crl(&self, url: &str) -> Result<Vec<u8>> {
        Err(Error::Network {
            url: url.to_owned(),
            failure: NetworkFailure::Unreachable("not fetched (offline)".into()),
        })
    }
}

/// Asks the certificate's OCSP responders, then its CRLs, through `source`; the first usable
/// answer wins. `candidates` are where its issuer is looked for (the certificates the
/// signature carries and the trust anchors).
pub fn check(
    cert: &Certificate,
    candidates: &[Certificate],
    source: &dyn RevocationSource,
) -> Revocation {
    let Some(issuer) = candidates.iter().find(|c| {
        c.subject_der() == cert.issuer_der() && *c != cert && cert.verify_signed_by(c).is_ok()
    }) else {
        return Revocation::unknown(crate::t!(
            "revocation-issuer-unknown",
            issuer = cert.issuer()
        ));
    };
    let (mut ocsp, crls) = match sources(cert) {
        Ok(s) => s,
        Err(e) => return Revocation::unknown(e.localized()),
    };
    if source.archived() && ocsp.is_empty() {
        // an archive answers by the certificate, not by the URL
        ocsp.push("embedded".into());
    }
    if ocsp.is_empty() && crls.is_empty() && !source.archived() {
        return Revocation::unknown(crate::t!("revocation-no-source"));
    }
    let mut tried = Vec::new();
    let mut reached = false;
    for url in &ocsp {
        match ask_ocsp(url, cert, issuer, candidates, source) {
            Ok(r) if r.status != RevocationStatus::Unknown => return r,
            Ok(r) => {
                reached = true;
                tried.push(format!("OCSP {url}: {}", r.detail.unwrap_or_default()));
            }
            Err(e) => {
                reached |= !matches!(e, Error::Network { .. });
                tried.push(format!("OCSP {url}: {}", e.localized()));
            }
        }
    }
    let archived: Vec<Vec<u8>> = source.archived_crls();
    for der in &archived {
        if let Ok(r) = crl_verdict(der.clone(), "embedded CRL", cert, issuer, true) {
            return r;
        }
    }
    for url in crls.iter().filter(|_| !source.archived()) {
        match from_crl(url, cert, issuer, source) {
            Ok(r) => return r,
            Err(e) => {
                reached |= !matches!(e, Error::Network { .. });
                tried.push(format!("CRL {url}: {}", e.localized()));
            }
        }
    }
    Revocation {
        status: if reached {
            RevocationStatus::Unknown
        } else {
            RevocationStatus::Unreachable
        },
        detail: Some(tried.join("; ")),
        ..Revocation::not_checked("")
    }
}

/// HTTP URLs of the OCSP responders (AIA) and CRLs (CRL distribution points).
fn sources(cert: &Certificate) -> Result<(Vec<String>, Vec<String>)> {
    let x = x509_cert::Certificate::from_der(cert.der())
        .map_err(|e| Error::Certificate(e.to_string()))?;
    let bad = |what: &str, e: der::Error| Error::Certificate(format!("{what} extension: {e}"));
    let uri = |n: &GeneralName| match n {
        GeneralName::UniformResourceIdentifier(u)
            if u.as_str().starts_with("http://") || u.as_str().starts_with("https://") =>
        {
            Some(u.as_str().to_owned())
        }
        _ => None,
    };
    let ocsp = x
        .tbs_certificate
        .get::<AuthorityInfoAccessSyntax>()
        .map_err(|e| bad("authority information access", e))?
        .map(|(_, aia)| {
            aia.0
                .iter()
                .filter(|d| d.access_method == ID_AD_OCSP)
                .filter_map(|d| uri(&d.access_location))
                .collect()
        })
        .unwrap_or_default();
    let crls = x
        .tbs_certificate
        .get::<CrlDistributionPoints>()
        .map_err(|e| bad("CRL distribution points", e))?
        .map(|(_, dps)| {
            dps.0
                .iter()
                .filter_map(|dp| match &dp.distribution_point {
                    Some(DistributionPointName::FullName(names)) => Some(names),
                    _ => None,
                })
                .flatten()
                .filter_map(uri)
                .collect()
        })
        .unwrap_or_default();
    Ok((ocsp, crls))
}

fn der_fail(what: &'static str) -> impl Fn(der::Error) -> Error {
    move |e| Error::Document(format!("{what}: {e}"))
}

/// The signature algorithm and raw to-be-signed bytes of a SIGNED{…} structure (OCSP basic
/// response, CRL): the bytes as received, not re-encoded.
fn signed_parts(der: &[u8]) -> Result<(Vec<u8>, AlgorithmIdentifierOwned, Vec<u8>)> {
    let parts: Vec<Any> = Vec::from_der(der).map_err(der_fail("signed structure"))?;
    let [tbs, alg, sig, ..] = parts.as_slice() else {
        return Err(Error::Document("signed structure: too few parts".into()));
    };
    let alg: AlgorithmIdentifierOwned = alg.decode_as().map_err(der_fail("algorithm"))?;
    let sig: der::asn1::BitString = sig.decode_as().map_err(der_fail("signature"))?;
    Ok((
        tbs.to_der().map_err(der_fail("to-be-signed part"))?,
        alg,
        sig.raw_bytes().to_vec(),
    ))
}

fn verifies(
    key_holder: &Certificate,
    alg: &AlgorithmIdentifierOwned,
    tbs: &[u8],
    sig: &[u8],
) -> bool {
    algorithm_from_cms(alg, HashAlg::Sha256)
        .is_ok_and(|a| verify_signature_bytes(key_holder.spki_der(), a, tbs, sig))
}

fn time_of(secs: u64) -> Option<OffsetDateTime> {
    i64::try_from(secs)
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
}

fn reason_name(r: CrlReason) -> String {
    let name = match r {
        CrlReason::Unspecified => "unspecified",
        CrlReason::KeyCompromise => "keyCompromise",
        CrlReason::CaCompromise => "cACompromise",
        CrlReason::AffiliationChanged => "affiliationChanged",
        CrlReason::Superseded => "superseded",
        CrlReason::CessationOfOperation => "cessationOfOperation",
        CrlReason::CertificateHold => "certificateHold",
        CrlReason::RemoveFromCRL => "removeFromCRL",
        CrlReason::PrivilegeWithdrawn => "privilegeWithdrawn",
        CrlReason::AaCompromise => "aACompromise",
    };
    name.to_owned()
}

/// Clock skew tolerated between us and the responder.
const SKEW: time::Duration = time::Duration::minutes(5);

fn ask_ocsp(
    url: &str,
    cert: &Certificate,
    issuer: &Certificate,
    candidates: &[Certificate],
    source: &dyn RevocationSource,
) -> Result<Revocation> {
    let enc = der_fail("encoding the OCSP request");
    let issuer_x = x509_cert::Certificate::from_der(issuer.der()).map_err(&enc)?;
    let cert_x = x509_cert::Certificate::from_der(cert.der()).map_err(&enc)?;
    // SHA-1 CertIDs are what every responder answers (RFC 5019).
    let cert_id = CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: const_oid::db::rfc5912::ID_SHA_1,
            parameters: Some(Any::from(Null)),
        },
        issuer_name_hash: OctetString::new(Sha1::digest(issuer.subject_der()).to_vec())
            .map_err(&enc)?,
        issuer_key_hash: OctetString::new(
            Sha1::digest(
                issuer_x
                    .tbs_certificate
                    .subject_public_key_info
                    .subject_public_key
                    .raw_bytes(),
            )
            .to_vec(),
        )
        .map_err(&enc)?,
        serial_number: cert_x.tbs_certificate.serial_number.clone(),
    };
    let mut nonce = [0u8; 16];
    rsa::rand_core::RngCore::fill_bytes(&mut rsa::rand_core::OsRng, &mut nonce);
    let nonce_ext = Extension {
        extn_id: ID_PKIX_OCSP_NONCE,
        critical: false,
        extn_value: OctetString::new(
            OctetString::new(nonce.to_vec())
                .map_err(&enc)?
                .to_der()
                .map_err(&enc)?,
        )
        .map_err(&enc)?,
    };
    let req = OcspRequest {
        tbs_request: TbsRequest {
            request_list: vec![Request {
                req_cert: cert_id.clone(),
                single_request_extensions: None,
            }],
            request_extensions: Some(vec![nonce_ext]),
            ..Default::default()
        },
        optional_signature: None,
    };
    let body = source.ocsp(url, &req.to_der().map_err(&enc)?)?;
    let resp = OcspResponse::from_der(&body).map_err(der_fail("not an OCSP response"))?;
    if resp.response_status != OcspResponseStatus::Successful {
        return Ok(Revocation::unknown(format!(
            "the responder answered {:?}",
            resp.response_status
        )));
    }
    let bytes = resp
        .response_bytes
        .ok_or_else(|| Error::Document("OCSP response without a body".into()))?;
    if bytes.response_type != ID_PKIX_OCSP_BASIC {
        return Err(Error::Document(format!(
            "OCSP response type {} (kyso reads basic responses)",
            bytes.response_type
        )));
    }
    let basic_der = bytes.response.as_bytes();
    let basic = BasicOcspResponse::from_der(basic_der).map_err(der_fail("OCSP basic response"))?;
    let (tbs, alg, sig) = signed_parts(basic_der)?;

    // Signed by the issuer, or by a responder certificate the issuer issued for OCSP signing.
    let mut embedded = Vec::new();
    for c in basic.certs.iter().flatten() {
        embedded.push(Certificate::from_der(c.to_der().map_err(&enc)?)?);
    }
    let signer_ok = verifies(issuer, &alg, &tbs, &sig)
        || embedded.iter().chain(candidates).any(|r| {
            r.extended_key_usage().iter().any(|u| u == "OCSPSigning")
                && r.issuer_der() == issuer.subject_der()
                && r.verify_signed_by(issuer).is_ok()
                && verifies(r, &alg, &tbs, &sig)
        });
    if !signer_ok {
        return Ok(Revocation::unknown(
            "the OCSP response is not signed by the issuer nor by a responder it authorised".into(),
        ));
    }
    if let Some(n) = basic.nonce().filter(|_| !source.archived()) {
        if n.0.as_bytes() != nonce {
            return Ok(Revocation::unknown(
                "the OCSP response carries another nonce (replayed?)".into(),
            ));
        }
    }
    let Some(single) = basic
        .tbs_response_data
        .responses
        .iter()
        .find(|s| s.cert_id == cert_id)
    else {
        return Ok(Revocation::unknown(
            "the OCSP response is about other certificates".into(),
        ));
    };
    let now = OffsetDateTime::now_utc();
    let this_update = time_of(single.this_update.0.to_unix_duration().as_secs());
    if this_update.is_some_and(|t| t > now + SKEW) && !source.archived() {
        return Ok(Revocation::unknown(
            "the OCSP response is dated in the future".into(),
        ));
    }
    if let Some(next) = single.next_update.as_ref().filter(|_| !source.archived()) {
        if time_of(next.0.to_unix_duration().as_secs()).is_some_and(|t| t + SKEW < now) {
            return Ok(Revocation::unknown(format!(
                "the OCSP response is stale (next update was {})",
                rfc3339_of(next.0.to_unix_duration().as_secs())
            )));
        }
    }
    let evidence = Some(Evidence::Ocsp(body.clone()));
    let source = Some(if source.archived() {
        "embedded OCSP response".to_owned()
    } else {
        format!("OCSP {url}")
    });
    Ok(match single.cert_status {
        CertStatus::Good(_) => Revocation {
            status: RevocationStatus::Good,
            source,
            evidence,
            ..Revocation::not_checked("")
        }
        .without_detail(),
        CertStatus::Revoked(info) => {
            let secs = info.revocation_time.0.to_unix_duration().as_secs();
            Revocation {
                status: RevocationStatus::Revoked,
                source,
                revoked_at: Some(rfc3339_of(secs)),
                reason: info.revocation_reason.map(reason_name),
                detail: None,
                revoked_time: time_of(secs),
                evidence,
            }
        }
        CertStatus::Unknown(_) => Revocation {
            source,
            ..Revocation::unknown("the responder does not know this certificate".into())
        },
    })
}

impl Revocation {
    fn without_detail(mut self) -> Self {
        self.detail = None;
        self
    }
}
