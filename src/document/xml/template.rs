//! The `Signature` element kyso writes, in the shape each receiver's samples show
//! ([`Shape`]): SignedInfo (inclusive C14N 1.0), a reference to the signed data with the
//! enveloped-signature transform, a reference to the SigningTime object where receivers sign
//! it; KeyInfo with (for some) the RSA key value, X509SubjectName and X509Certificate.

use base64::Engine;
use rsa::traits::PublicKeyParts;

use super::algorithm::{digest_uri, signature_uri};
use super::c14n::{C14N_10, C14N_10_COMMENTS, ENVELOPED};
use super::DSIG;
use crate::cert::Certificate;
use crate::document::cms::ess::IssuerSerial;
use crate::key::SignatureAlgorithm;
use crate::public_key::PublicKey;
use der::{Decode, Encode};
use x509_cert::ext::pkix::name::GeneralName;

/// What the SigningTime object is to the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningTime {
    /// Signed by a second reference (e-invoices).
    Referenced,
    /// Present, not signed (social insurance files).
    Unreferenced,
    /// Absent (tax declarations).
    Absent,
    /// XAdES-BES (ETSI EN 319 132): SigningTime and SigningCertificateV2 in signed
    /// QualifyingProperties, signed by a second reference.
    Xades,
}

/// How a receiver's signatures look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// `ds:` (tax declarations) or none (the dsig namespace as default namespace).
    pub prefix: &'static str,
    /// SignedInfo's canonicalisation (tax declarations name the one with comments).
    pub c14n: &'static str,
    /// The SigningTime object.
    pub signing_time: SigningTime,
    /// `KeyValue` (RSA modulus and exponent) before X509Data.
    pub key_value: bool,
}

impl Shape {
    /// E-invoices and generic enveloped signatures.
    pub const EINVOICE: Shape = Shape {
        prefix: "",
        c14n: C14N_10,
        signing_time: SigningTime::Referenced,
        key_value: false,
    };
    /// Tax declarations (HTKK): `ds:` prefix, C14N with comments, one reference, KeyValue.
    pub const TAX: Shape = Shape {
        prefix: "ds:",
        c14n: C14N_10_COMMENTS,
        signing_time: SigningTime::Absent,
        key_value: true,
    };
    /// XAdES-BES over the whole document: `ds:` prefix, QualifyingProperties signed.
    pub const XADES: Shape = Shape {
        prefix: "ds:",
        c14n: C14N_10,
        signing_time: SigningTime::Xades,
        key_value: false,
    };
    /// Social insurance (BHXH): one reference, KeyValue, the SigningTime not signed.
    pub const BHXH: Shape = Shape {
        prefix: "",
        c14n: C14N_10,
        signing_time: SigningTime::Unreferenced,
        key_value: true,
    };
}

/// What a signature element is made of.
pub struct Template<'a> {
    /// The signature's `Id`.
    pub id: String,
    /// The `Id` of the element signed; `None` for the whole document.
    pub target: Option<&'a str>,
    /// The signature algorithm.
    pub algorithm: SignatureAlgorithm,
    /// The signer's certificate.
    pub certificate: &'a Certificate,
    /// `YYYY-MM-DDThh:mm:ss`, Vietnam time (receivers expect local time without a zone).
    pub signing_time: String,
    /// The receiver's shape.
    pub shape: Shape,
    /// How `X509SubjectName` is written.
    pub subject_name: super::SubjectName,
}

impl Template<'_> {
    /// The `Id` of the SigningTime object.
    pub fn object_id(&self) -> String {
        format!("{}-SigningTime", self.id)
    }

    /// The `Id` of what the second reference signs: the SigningTime object, or XAdES's
    /// SignedProperties.
    pub fn signed_object_id(&self) -> String {
        match self.shape.signing_time {
            SigningTime::Xades => format!("{}-SignedProperties", self.id),
            _ => self.object_id(),
        }
    }

    /// How many references SignedInfo holds.
    pub fn references(&self) -> usize {
        1 + usize::from(matches!(
            self.shape.signing_time,
            SigningTime::Referenced | SigningTime::Xades
        ))
    }

    /// The element, split where the SignatureValue goes, with the reference digests (data,
    /// then the SigningTime object when it is signed) as given (empty while they are being
    /// computed).
    pub fn render(&self, digests: &[Vec<u8>]) -> (String, String) {
        let p = self.shape.prefix;
        let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
        let digest = |i: usize| digests.get(i).map(|d| b64(d)).unwrap_or_default();
        let hash = digest_uri(self.algorithm.hash());
        let uri = self.target.map(|t| format!("#{t}")).unwrap_or_default();
        let object = escape(&self.object_id());
        let xmlns = if p.is_empty() {
            format!("xmlns=\"{DSIG}\"")
        } else {
            format!("xmlns:{}=\"{DSIG}\"", p.trim_end_matches(':'))
        };
        let time_ref = match self.shape.signing_time {
            SigningTime::Referenced | SigningTime::Xades => format!(
                "<{p}Reference{ty} URI=\"#{}\"><{p}DigestMethod Algorithm=\"{hash}\"/>\
                 <{p}DigestValue>{}</{p}DigestValue></{p}Reference>",
                escape(&self.signed_object_id()),
                digest(1),
                ty = if self.shape.signing_time == SigningTime::Xades {
                    " Type=\"http://uri.etsi.org/01903#SignedProperties\""
                } else {
                    ""
                },
            ),
            _ => String::new(),
        };
        let before = format!(
            "<{p}Signature {xmlns} Id=\"{id}\"><{p}SignedInfo>\
             <{p}CanonicalizationMethod Algorithm=\"{c14n}\"/>\
             <{p}SignatureMethod Algorithm=\"{sm}\"/>\
             <{p}Reference URI=\"{uri}\"><{p}Transforms><{p}Transform Algorithm=\"{ENVELOPED}\"/>\
             </{p}Transforms><{p}DigestMethod Algorithm=\"{hash}\"/><{p}DigestValue>{d0}\
             </{p}DigestValue></{p}Reference>{time_ref}</{p}SignedInfo><{p}SignatureValue>",
            id = escape(&self.id),
            c14n = self.shape.c14n,
            sm = signature_uri(self.algorithm),
            uri = escape(&uri),
            d0 = digest(0),
        );
        let key = || PublicKey::from_spki_der(self.certificate.spki_der());
        let key_value = match self.shape.key_value.then(key) {
            Some(Ok(PublicKey::Rsa(k))) => format!(
                "<{p}KeyValue><{p}RSAKeyValue><{p}Modulus>{}</{p}Modulus><{p}Exponent>{}\
                 </{p}Exponent></{p}RSAKeyValue></{p}KeyValue>",
                b64(&k.n().to_bytes_be()),
                b64(&k.e().to_bytes_be())
            ),
            _ => String::new(),
        };
        let time_object = if self.shape.signing_time == SigningTime::Absent {
            String::new()
        } else if self.shape.signing_time == SigningTime::Xades {
            self.qualifying_properties()
        } else {
            format!(
                "<{p}Object Id=\"{object}\"><{p}SignatureProperties><{p}SignatureProperty \
                 Target=\"#{id}\"><SigningTime>{time}</SigningTime></{p}SignatureProperty>\
                 </{p}SignatureProperties></{p}Object>",
                id = escape(&self.id),
                time = self.signing_time,
            )
        };
        let after = format!(
            "</{p}SignatureValue><{p}KeyInfo>{key_value}<{p}X509Data><{p}X509SubjectName>\
             {subject}</{p}X509SubjectName><{p}X509Certificate>{cert}</{p}X509Certificate>\
             </{p}X509Data></{p}KeyInfo>{time_object}</{p}Signature>",
            subject = escape(&self.subject_name.render(self.certificate.subject())),
            cert = b64(self.certificate.der()),
        );
        (before, after)
    }
}

impl Template<'_> {
    /// XAdES-BES's signed properties: the signing time (with its zone, as xsd:dateTime wants)
    /// and the signer's certificate by its SHA-256 digest and IssuerSerialV2 (DER, base64).
    fn qualifying_properties(&self) -> String {
        let p = self.shape.prefix;
        let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
        let cert = self.certificate;
        let issuer_serial = x509_cert::Certificate::from_der(cert.der())
            .ok()
            .and_then(|c| {
                IssuerSerial {
                    issuer: vec![GeneralName::DirectoryName(c.tbs_certificate.issuer.clone())],
                    serial_number: c.tbs_certificate.serial_number.clone(),
                }
                .to_der()
                .ok()
            })
            .map(|d| format!("<xades:IssuerSerialV2>{}</xades:IssuerSerialV2>", b64(&d)))
            .unwrap_or_default();
        format!(
            "<{p}Object><xades:QualifyingProperties xmlns:xades=\"{XADES}\" Target=\"#{id}\">\
             <xades:SignedProperties Id=\"{props}\"><xades:SignedSignatureProperties>\
             <xades:SigningTime>{time}+07:00</xades:SigningTime><xades:SigningCertificateV2>\
             <xades:Cert><xades:CertDigest><{p}DigestMethod Algorithm=\"{sha256}\"/>\
             <{p}DigestValue>{digest}</{p}DigestValue></xades:CertDigest>{issuer_serial}\
             </xades:Cert></xades:SigningCertificateV2></xades:SignedSignatureProperties>\
             </xades:SignedProperties></xades:QualifyingProperties></{p}Object>",
            id = escape(&self.id),
            props = escape(&self.signed_object_id()),
            time = self.signing_time,
            sha256 = digest_uri(crate::digest::HashAlg::Sha256),
            digest = b64(&crate::digest::HashAlg::Sha256.digest(cert.der())),
        )
    }
}

/// The XAdES namespace (ETSI EN 319 132-1, v1.3.2).
pub const XADES: &str = "http://uri.etsi.org/01903/v1.3.2#";

/// `s` as XML text or attribute value.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}
