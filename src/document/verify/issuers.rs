//! Intermediate CA certificates a signature does not carry: from the certificates' Authority
//! Information Access `caIssuers` URLs (a DER or PEM certificate, or a certs-only PKCS#7
//! such as `https://rootca.gov.vn/crt/vnrca256.p7b`), each URL fetched once per run.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use cms::cert::CertificateChoices;
use const_oid::db::rfc5280::ID_AD_CA_ISSUERS;
use der::{Decode, Encode};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::AuthorityInfoAccessSyntax;

use crate::cert::Certificate;
use crate::document::cms::signed_data::parse_signed_data;

/// Fetches issuers' certificates over HTTP(S), remembering every URL's answer for the run.
pub struct IssuerFetcher {
    timeout: Duration,
    fetched: Mutex<HashMap<String, Vec<Certificate>>>,
}

/// The HTTP(S) `caIssuers` URLs of `cert`.
fn ca_issuers(cert: &Certificate) -> Vec<String> {
    let Ok(x) = x509_cert::Certificate::from_der(cert.der()) else {
        return Vec::new();
    };
    let Ok(Some((_, aia))) = x.tbs_certificate.get::<AuthorityInfoAccessSyntax>() else {
        return Vec::new();
    };
    aia.0
        .iter()
        .filter(|d| d.access_method == ID_AD_CA_ISSUERS)
        .filter_map(|d| match &d.access_location {
            GeneralName::UniformResourceIdentifier(u)
                if u.as_str().starts_with("http://") || u.as_str().starts_with("https://") =>
            {
                Some(u.as_str().to_owned())
            }
            _ => None,
        })
        .collect()
}

/// The certificates in what a `caIssuers` URL serves.
fn certificates_in(body: &[u8]) -> Vec<Certificate> {
    if let Ok(c) = Certificate::from_der(body.to_vec()) {
        return vec![c];
    }
    if body.starts_with(b"-----BEGIN") {
        return Certificate::from_pem(body).unwrap_or_default();
    }
    parse_signed_data(body)
        .ok()
        .and_then(|sd| sd.certificates)
        .map(|set| {
            set.0
                .iter()
                .filter_map(|c| match c {
                    CertificateChoices::Certificate(c) => c.to_der().ok(),
                    _ => None,
                })
                .filter_map(|d| Certificate::from_der(d).ok())
                .collect()
        })
        .unwrap_or_default()
}

impl IssuerFetcher {
    /// Each fetch bounded by `timeout`.
    pub fn new(timeout: Duration) -> IssuerFetcher {
        IssuerFetcher {
            timeout,
            fetched: Mutex::new(HashMap::new()),
        }
    }

    fn fetch(&self, url: &str) -> Vec<Certificate> {
        if let Some(c) = self.lock().get(url) {
            return c.clone();
        }
        let certs = match crate::document::http::get(url, self.timeout) {
            Ok(body) => certificates_in(&body),
            Err(e) => {
                log::info!("caIssuers {url}: {e}");
                Vec::new()
            }
        };
        self.lock().insert(url.to_owned(), certs.clone());
        certs
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Certificate>>> {
        self.fetched.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The issuers missing above `leaf` among `known` and `anchors`, fetched from each
    /// topmost certificate's `caIssuers` until an anchor or a self-signed certificate is
    /// reached (at most 8 levels).
    pub fn missing_issuers(
        &self,
        leaf: &Certificate,
        known: &[Certificate],
        anchors: &[Certificate],
    ) -> Vec<Certificate> {
        let mut found: Vec<Certificate> = Vec::new();
        let mut top = leaf.clone();
        for _ in 0..8 {
            if top.is_self_issued() || anchors.contains(&top) {
                break;
            }
            let issued = |c: &&Certificate| {
                c.subject_der() == top.issuer_der() && top.verify_signed_by(c).is_ok()
            };
            let next = anchors
                .iter()
                .chain(known)
                .chain(&found)
                .find(issued)
                .cloned();
            let next = match next {
                Some(n) => n,
                None => {
                    let fetched: Vec<Certificate> = ca_issuers(&top)
                        .iter()
                        .flat_map(|u| self.fetch(u))
                        .collect();
                    match fetched.iter().find(issued) {
                        Some(n) => {
                            found.push(n.clone());
                            n.clone()
                        }
                        None => break,
                    }
                }
            };
            if anchors.contains(&next) {
                break;
            }
            top = next;
        }
        found
    }
}
