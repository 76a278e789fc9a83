//! The `Signature` element kyso writes (XMLDSig, the dsig namespace as default namespace, as
//! Vietnamese receivers' samples show): SignedInfo (inclusive C14N 1.0), a reference to the
//! signed data with the enveloped-signature transform, a reference to the SigningTime
//! object; KeyInfo with X509SubjectName and X509Certificate.

use base64::Engine;

use super::algorithm::{digest_uri, signature_uri};
use super::c14n::{C14N_10, ENVELOPED};
use super::DSIG;
use crate::cert::Certificate;
use crate::key::SignatureAlgorithm;

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
}

impl Template<'_> {
    /// The `Id` of the SigningTime object.
    pub fn object_id(&self) -> String {
        format!("{}-SigningTime", self.id)
    }

    /// The element, split where the SignatureValue goes, with the two reference digests
    /// (data, SigningTime object) as given (empty while they are being computed).
    pub fn render(&self, digests: [&[u8]; 2]) -> (String, String) {
        let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
        let hash = digest_uri(self.algorithm.hash());
        let uri = self.target.map(|t| format!("#{t}")).unwrap_or_default();
        let object = self.object_id();
        let before = format!(
            "<Signature xmlns=\"{DSIG}\" Id=\"{id}\"><SignedInfo>\
             <CanonicalizationMethod Algorithm=\"{C14N_10}\"/>\
             <SignatureMethod Algorithm=\"{sm}\"/>\
             <Reference URI=\"{uri}\"><Transforms><Transform Algorithm=\"{ENVELOPED}\"/>\
             </Transforms><DigestMethod Algorithm=\"{hash}\"/><DigestValue>{d0}</DigestValue>\
             </Reference>\
             <Reference URI=\"#{obj}\"><DigestMethod Algorithm=\"{hash}\"/>\
             <DigestValue>{d1}</DigestValue></Reference>\
             </SignedInfo><SignatureValue>",
            id = escape(&self.id),
            sm = signature_uri(self.algorithm),
            uri = escape(&uri),
            obj = escape(&object),
            d0 = b64(digests[0]),
            d1 = b64(digests[1]),
        );
        let after = format!(
            "</SignatureValue><KeyInfo><X509Data><X509SubjectName>{subject}</X509SubjectName>\
             <X509Certificate>{cert}</X509Certificate></X509Data></KeyInfo>\
             <Object Id=\"{obj}\"><SignatureProperties><SignatureProperty Target=\"#{id}\">\
             <SigningTime>{time}</SigningTime></SignatureProperty></SignatureProperties>\
             </Object></Signature>",
            subject = escape(self.certificate.subject()),
            cert = b64(self.certificate.der()),
            obj = escape(&object),
            id = escape(&self.id),
            time = self.signing_time,
        );
        (before, after)
    }
}

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
