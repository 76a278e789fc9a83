//! RFC 3161 signature timestamps: CAdES-T (ETSI EN 319 122-1) and PAdES B-T put a timestamp
//! token over the SignerInfo's signature value in the unsigned attribute
//! `id-aa-signatureTimeStampToken`. The token proves the signature existed at the TSA's time.
//!
//! [`request`] asks a timestamp authority (TSA) over HTTP and accepts its reply only when the
//! status is granted, the nonce and message imprint are ours, and the token's own CMS signature
//! verifies with the TSA certificate it carries (which must be for timestamping).
//! [`verify_token`] checks a stored token the same way; its chain to trust anchors is
//! [`verify_trust`]'s business.

use std::time::Duration;

use cmpv2::status::PkiStatus;
use der::asn1::{Int, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use serde::Serialize;
use time::OffsetDateTime;
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion, TstInfo};

use super::algorithm::{digest_algorithm, hash_from_oid};
use super::signed_data::{check_signer, der_err, parse_signed_data, rfc3339_of, single_signer};
use crate::cert::{verify_trust, Certificate, TrustVerification};
use crate::digest::HashAlg;
use crate::error::{Error, NetworkFailure, Result};

/// `id-aa-signatureTimeStampToken` (RFC 3161 appendix A): unsigned attribute holding a
/// timestamp token over the signature value.
pub const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
/// `id-ct-TSTInfo`: the content type of a timestamp token.
pub const ID_CT_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// A timestamp authority and how long to wait for it.
#[derive(Debug, Clone)]
pub struct Tsa {
    /// The TSA's HTTP(S) URL (`application/timestamp-query` is POSTed to it).
    pub url: String,
    /// Deadline for the whole exchange.
    pub timeout: Duration,
    /// Hash of the message imprint.
    pub hash: HashAlg,
}

impl Tsa {
    /// A TSA at `url`, SHA-256 imprints, 30 s deadline.
    pub fn new(url: impl Into<String>) -> Self {
        Tsa {
            url: url.into(),
            timeout: Duration::from_secs(30),
            hash: HashAlg::Sha256,
        }
    }
}

/// Where signature timestamps come from: a seam between the pipeline and the network, called
/// explicitly between checking a signature and assembling the document (a test or an offline
/// face gives its own).
pub trait Timestamper: Send + Sync {
    /// A timestamp token (DER `ContentInfo`) over `stamped`, checked to hold.
    fn timestamp(&self, stamped: &[u8]) -> Result<Vec<u8>>;
    /// A token over data already hashed with `hash` (a PDF's byte range, hashed as the file
    /// is read): the document timestamp of PAdES B-LTA.
    fn timestamp_digest(&self, hash: HashAlg, digest: &[u8]) -> Result<Vec<u8>> {
        let _ = (hash, digest);
        Err(Error::Timestamp(
            "this timestamp authority cannot stamp a digest (a document timestamp)".into(),
        ))
    }
}

/// An RFC 3161 authority over HTTP(S).
impl Timestamper for Tsa {
    fn timestamp(&self, stamped: &[u8]) -> Result<Vec<u8>> {
        request(self, stamped)
    }

    fn timestamp_digest(&self, hash: HashAlg, digest: &[u8]) -> Result<Vec<u8>> {
        let tsa = Tsa {
            hash,
            ..self.clone()
        };
        request_imprint(&tsa, digest, &|h| {
            if h == hash {
                digest.to_vec()
            } else {
                Vec::new()
            }
        })
    }
}

/// What a timestamp token says and whether it holds.
#[derive(Debug, Clone, Serialize)]
pub struct TimestampVerification {
    /// The TSA's time (`genTime`, RFC 3339).
    pub time: Option<String>,
    /// Subject of the TSA certificate that signed the token.
    pub tsa: Option<String>,
    /// The token's serial number (hex).
    pub serial: Option<String>,
    /// The imprint is the hash of this signature's value.
    pub imprint_matches: bool,
    /// The token's signature verifies with the TSA certificate.
    pub signature_valid: bool,
    /// Problems found (empty when the token holds).
    pub problems: Vec<String>,
    /// Chain of the TSA certificate to the trust anchors (when anchors were given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust: Option<TrustVerification>,
    #[serde(skip)]
    tsa_cert: Option<Certificate>,
    #[serde(skip)]
    embedded: Vec<Certificate>,
    #[serde(skip)]
    gen_time: Option<OffsetDateTime>,
}

impl TimestampVerification {
    /// Imprint, signature and TSA certificate purpose all hold (trust aside).
    pub fn is_valid(&self) -> bool {
        self.imprint_matches && self.signature_valid && self.problems.is_empty()
    }

    /// A token that could not be read at all.
    pub(crate) fn unreadable(why: String) -> Self {
        TimestampVerification {
            time: None,
            tsa: None,
            serial: None,
            imprint_matches: false,
            signature_valid: false,
            problems: vec![why],
            trust: None,
            tsa_cert: None,
            embedded: Vec::new(),
            gen_time: None,
        }
    }

    /// The certificate that signed the token.
    pub fn tsa_certificate(&self) -> Option<&Certificate> {
        self.tsa_cert.as_ref()
    }

    /// Certificates carried in the token.
    pub fn embedded_certificates(&self) -> &[Certificate] {
        &self.embedded
    }

    /// The TSA's time.
    pub fn gen_time(&self) -> Option<OffsetDateTime> {
        self.gen_time
    }
}

/// Checks a DER timestamp token (a `ContentInfo`) over `stamped`, the bytes it should
/// timestamp (a SignerInfo's signature value).
pub fn verify_token(token: &[u8], stamped: &[u8]) -> TimestampVerification {
    verify_token_imprint(token, &|h| h.digest(stamped))
}

/// [`verify_token`] for data known by its digest: `imprint_of` gives it for a hash (empty
/// when it is not known with that hash).
pub fn verify_token_imprint(
    token: &[u8],
    imprint_of: &dyn Fn(HashAlg) -> Vec<u8>,
) -> TimestampVerification {
    match check_token(token, imprint_of) {
        Ok((v, _)) => v,
        Err(e) => TimestampVerification::unreadable(e.to_string()),
    }
}

fn check_token(
    token: &[u8],
    imprint_of: &dyn Fn(HashAlg) -> Vec<u8>,
) -> Result<(TimestampVerification, TstInfo)> {
    let sd = parse_signed_data(token)?;
    let encap = &sd.encap_content_info;
    if encap.econtent_type != ID_CT_TST_INFO {
        return Err(Error::Document(format!(
            "the timestamp token holds {} instead of TSTInfo",
            encap.econtent_type
        )));
    }
    let tst_der = encap
        .econtent
        .as_ref()
        .ok_or_else(|| Error::Document("the timestamp token has no TSTInfo".into()))?
        .decode_as::<OctetString>()
        .map_err(der_err("timestamp token content"))?
        .into_bytes();
    let tst = TstInfo::from_der(&tst_der).map_err(der_err("TSTInfo"))?;
    let si = single_signer(&sd)?;
    let check = check_signer(&sd, si, ID_CT_TST_INFO, "the TSTInfo", &mut |h| {
        Ok(h.digest(&tst_der))
    })?;
    let mut problems = check.problems;
    if check.certificate_bound.is_none() {
        problems.push(crate::t!("problem-timestamp-no-signing-certificate"));
    }
    let imprint_matches = match hash_from_oid(&tst.message_imprint.hash_algorithm.oid) {
        Ok(hash) => imprint_of(hash) == tst.message_imprint.hashed_message.as_bytes(),
        Err(e) => {
            problems.push(crate::t!(
                "problem-timestamp-imprint",
                error = e.localized()
            ));
            false
        }
    };
    if !imprint_matches {
        problems.push(crate::t!("problem-timestamp-other-data"));
    }
    if !check
        .signer_cert
        .extended_key_usage()
        .iter()
        .any(|u| u == "timeStamping")
    {
        problems.push(crate::t!(
            "problem-timestamp-not-tsa-certificate",
            subject = check.signer_cert.subject()
        ));
    }
    let secs = tst.gen_time.to_unix_duration().as_secs();
    let v = TimestampVerification {
        time: Some(rfc3339_of(secs)),
        tsa: Some(check.signer_cert.subject().to_owned()),
        serial: Some(hex::encode(tst.serial_number.as_bytes())),
        imprint_matches,
        signature_valid: check.signature_valid,
        problems,
        trust: None,
        tsa_cert: Some(check.signer_cert),
        embedded: check.embedded,
        gen_time: i64::try_from(secs)
            .ok()
            .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok()),
    };
    Ok((v, tst))
}

/// Asks `tsa` for a token over `stamped` and returns it (DER `ContentInfo`) once it holds.
pub fn request(tsa: &Tsa, stamped: &[u8]) -> Result<Vec<u8>> {
    request_imprint(tsa, &tsa.hash.digest(stamped), &|h| h.digest(stamped))
}

/// Asks `tsa` for a token over `imprint` (hashed with `tsa.hash`); `imprint_of` checks the
/// token's (see [`verify_token_imprint`]).
fn request_imprint(
    tsa: &Tsa,
    imprint: &[u8],
    imprint_of: &dyn Fn(HashAlg) -> Vec<u8>,
) -> Result<Vec<u8>> {
    let url = &tsa.url;
    let fail = |m: String| Error::Timestamp(format!("{url}: {m}"));
    let enc = |e: der::Error| fail(format!("encoding the request: {e}"));
    let mut nonce = [0u8; 8];
    rsa::rand_core::RngCore::fill_bytes(&mut rsa::rand_core::OsRng, &mut nonce);
    nonce[0] = (nonce[0] & 0x7f) | 0x40; // positive, minimal
    let nonce = Int::new(&nonce).map_err(enc)?;
    let req = TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: digest_algorithm(tsa.hash),
            hashed_message: OctetString::new(imprint.to_vec()).map_err(enc)?,
        },
        req_policy: None,
        nonce: Some(nonce.clone()),
        cert_req: true,
        extensions: None,
    };
    let body = crate::document::http::post(
        url,
        "application/timestamp-query",
        &req.to_der().map_err(enc)?,
        tsa.timeout,
    )
    .map_err(|e| match e {
        Error::Network { failure, .. } => match failure {
            NetworkFailure::HttpStatus(_) => fail(format!("answered {failure}")),
            NetworkFailure::Unreachable(_) => fail(format!("unreachable ({failure})")),
        },
        other => other,
    })?;
    let resp = TimeStampResp::from_der(&body).map_err(|e| {
        fail(format!(
            "the reply is not an RFC 3161 timestamp response ({e}; {} bytes)",
            body.len()
        ))
    })?;
    match resp.status.status {
        PkiStatus::Accepted | PkiStatus::GrantedWithMods => {}
        other => {
            let text: Vec<String> = resp
                .status
                .status_string
                .iter()
                .flatten()
                .map(|s| s.as_str().to_owned())
                .collect();
            let mut why = format!("refused the request: status {other:?}");
            if !text.is_empty() {
                why.push_str(&format!(" ({})", text.join("; ")));
            }
            if let Some(fi) = resp.status.fail_info {
                let fi = format!("{fi:?}");
                let fi = fi.trim_start_matches("FlagSet(").trim_end_matches(')');
                why.push_str(&format!(", failure {fi}"));
            }
            return Err(fail(why));
        }
    }
    let token = resp
        .time_stamp_token
        .ok_or_else(|| fail("granted but sent no token".into()))?
        .to_der()
        .map_err(enc)?;
    let (v, tst) = check_token(&token, imprint_of).map_err(|e| fail(format!("bad token: {e}")))?;
    if tst.nonce.as_ref() != Some(&nonce) {
        return Err(fail(
            "the token's nonce is not the one sent (a replayed or foreign reply)".into(),
        ));
    }
    if tst.message_imprint.hash_algorithm.oid != digest_algorithm(tsa.hash).oid {
        return Err(fail(format!(
            "the token's imprint uses {} instead of {}",
            tst.message_imprint.hash_algorithm.oid,
            tsa.hash.name()
        )));
    }
    if !v.is_valid() {
        return Err(fail(format!("bad token: {}", v.problems.join("; "))));
    }
    log::info!(
        "timestamp from {url}: {} by {}",
        v.time.as_deref().unwrap_or("?"),
        v.tsa.as_deref().unwrap_or("?")
    );
    Ok(token)
}

impl TimestampVerification {
    /// Checks the TSA certificate's chain to `anchors` at the token's time, and records it in
    /// [`TimestampVerification::trust`].
    pub fn check_trust(&mut self, anchors: &[Certificate]) {
        let Some(cert) = &self.tsa_cert else { return };
        let at = self.gen_time.unwrap_or_else(OffsetDateTime::now_utc);
        self.trust = Some(verify_trust(cert, &self.embedded, anchors, at));
    }
}
