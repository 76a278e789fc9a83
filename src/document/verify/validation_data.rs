//! Validation data for long-term signatures (PAdES B-LT): the certificates of every chain and a
//! signed OCSP response or CRL for each certificate, fetched once per certificate however many
//! documents a batch signs; and the archived answers of a Document Security Store read back as
//! a [`RevocationSource`] when the responders are gone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use der::Decode;
use x509_ocsp::{BasicOcspResponse, CertId, OcspRequest, OcspResponse};

use super::revocation::{check, Evidence, Revocation, RevocationSource, RevocationStatus};
use crate::cert::Certificate;
use crate::error::{Error, Result};

/// What a Document Security Store holds: certificates, OCSP responses and CRLs (DER).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationData {
    /// Every certificate of the chains (signer's, TSA's), anchors included when known.
    pub certs: Vec<Certificate>,
    /// DER `OCSPResponse`s.
    pub ocsps: Vec<Vec<u8>>,
    /// DER CRLs.
    pub crls: Vec<Vec<u8>>,
}

impl ValidationData {
    fn add_cert(&mut self, c: &Certificate) {
        if !self.certs.contains(c) {
            self.certs.push(c.clone());
        }
    }

    fn add(&mut self, e: &Evidence) {
        let (list, der) = match e {
            Evidence::Ocsp(d) => (&mut self.ocsps, d),
            Evidence::Crl(d) => (&mut self.crls, d),
        };
        if !list.contains(der) {
            list.push(der.clone());
        }
    }
}

/// One download, shared: the CRL's bytes, or why it could not be had.
type Download = Arc<OnceLock<std::result::Result<Vec<u8>, String>>>;

/// A source whose CRLs are downloaded once per URL: one CRL answers for every certificate
/// of its issuer.
struct CrlOnce {
    inner: Arc<dyn RevocationSource>,
    crls: Mutex<HashMap<String, Download>>,
}

impl RevocationSource for CrlOnce {
    fn ocsp(&self, url: &str, request: &[u8]) -> Result<Vec<u8>> {
        self.inner.ocsp(url, request)
    }

    fn crl(&self, url: &str) -> Result<Vec<u8>> {
        let cell = {
            let mut crls = self.crls.lock().unwrap_or_else(|p| p.into_inner());
            crls.entry(url.to_owned()).or_default().clone()
        };
        cell.get_or_init(|| self.inner.crl(url).map_err(|e| e.to_string()))
            .clone()
            .map_err(|e| Error::Document(format!("CRL {url}: {e}")))
    }

    fn archived(&self) -> bool {
        self.inner.archived()
    }

    fn archived_crls(&self) -> Vec<Vec<u8>> {
        self.inner.archived_crls()
    }
}

/// Revocation answers shared by a whole batch (and by every thread of it): each certificate is
/// asked about once, whatever the number of documents it signed, and each CRL downloaded once.
pub struct ValidationCache {
    source: Arc<dyn RevocationSource>,
    known: Vec<Certificate>,
    answers: Mutex<HashMap<String, Arc<OnceLock<Revocation>>>>,
}

impl ValidationCache {
    /// Answers come from `source`; `known` certificates (trust anchors, intermediates) complete
    /// chains the signatures do not carry whole.
    pub fn new(source: Arc<dyn RevocationSource>, known: Vec<Certificate>) -> ValidationCache {
        ValidationCache {
            source: Arc::new(CrlOnce {
                inner: source,
                crls: Mutex::new(HashMap::new()),
            }),
            known,
            answers: Mutex::new(HashMap::new()),
        }
    }

    /// The revocation status of `cert` (issuer among `candidates`), asked once per run.
    pub fn revocation(&self, cert: &Certificate, candidates: &[Certificate]) -> Revocation {
        let cell = {
            let mut answers = self.answers.lock().unwrap_or_else(|p| p.into_inner());
            answers
                .entry(cert.fingerprint_sha256())
                .or_default()
                .clone()
        };
        // Other threads asking about the same certificate wait for this one's answer.
        cell.get_or_init(|| check(cert, candidates, self.source.as_ref()))
            .clone()
    }

    /// The validation data of `certs` (each signature's signer, chain and TSA certificates):
    /// their chains completed from the known certificates, and a signed revocation answer for
    /// every certificate that is not self-signed. Fails naming the certificate without one, or
    /// revoked.
    pub fn collect(&self, certs: &[Certificate]) -> Result<ValidationData> {
        let mut candidates: Vec<Certificate> = certs.to_vec();
        candidates.extend(self.known.iter().cloned());
        let mut data = ValidationData::default();
        let mut todo: Vec<Certificate> = certs.to_vec();
        while let Some(cert) = todo.pop() {
            if data.certs.contains(&cert) {
                continue;
            }
            data.add_cert(&cert);
            if cert.is_self_issued() {
                continue;
            }
            if let Some(issuer) = candidates
                .iter()
                .find(|c| c.subject_der() == cert.issuer_der() && cert.verify_signed_by(c).is_ok())
            {
                todo.push(issuer.clone());
            }
            let r = self.revocation(&cert, &candidates);
            if r.status == RevocationStatus::Revoked {
                return Err(Error::Document(format!(
                    "'{}' is revoked ({r}): a signature made with it now would not validate",
                    cert.subject()
                )));
            }
            match r.evidence() {
                Some(e) => data.add(e),
                None => {
                    return Err(Error::Document(format!(
                        "no revocation data for '{}' ({r}): a long-term signature (B-LT) needs \
                         an OCSP response or CRL for every certificate of the chain",
                        cert.subject()
                    )))
                }
            }
        }
        Ok(data)
    }
}

/// The OCSP responses and CRLs a PDF archived, answering for the certificates they name.
#[derive(Debug, Clone, Default)]
pub struct Embedded {
    ocsps: Vec<Vec<u8>>,
    crls: Vec<Vec<u8>>,
}

impl Embedded {
    /// The archive of `ocsps` (DER `OCSPResponse`) and `crls` (DER).
    pub fn new(ocsps: Vec<Vec<u8>>, crls: Vec<Vec<u8>>) -> Embedded {
        Embedded { ocsps, crls }
    }

    /// Nothing archived.
    pub fn is_empty(&self) -> bool {
        self.ocsps.is_empty() && self.crls.is_empty()
    }
}

/// Whether the OCSP response `der` has an answer about `id`.
fn answers_about(der: &[u8], id: &CertId) -> bool {
    let basic = OcspResponse::from_der(der)
        .ok()
        .and_then(|r| r.response_bytes)
        .and_then(|b| BasicOcspResponse::from_der(b.response.as_bytes()).ok());
    basic.is_some_and(|b| {
        b.tbs_response_data
            .responses
            .iter()
            .any(|s| s.cert_id == *id)
    })
}

impl RevocationSource for Embedded {
    fn ocsp(&self, _url: &str, request: &[u8]) -> Result<Vec<u8>> {
        let req = OcspRequest::from_der(request)
            .map_err(|e| Error::Document(format!("OCSP request: {e}")))?;
        let id = req
            .tbs_request
            .request_list
            .first()
            .map(|r| &r.req_cert)
            .ok_or_else(|| Error::Document("empty OCSP request".into()))?;
        self.ocsps
            .iter()
            .find(|r| answers_about(r, id))
            .cloned()
            .ok_or_else(|| Error::Document("no embedded OCSP response for it".into()))
    }

    fn crl(&self, url: &str) -> Result<Vec<u8>> {
        Err(Error::Document(format!(
            "{url}: not fetched (embedded validation data only)"
        )))
    }

    fn archived(&self) -> bool {
        true
    }

    fn archived_crls(&self) -> Vec<Vec<u8>> {
        self.crls.clone()
    }
}
