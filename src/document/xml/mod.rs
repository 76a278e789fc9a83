//! XML signatures (XMLDSig) for what Vietnam signs most: e-invoices (Circular 78, `HDon`),
//! and any XML as an enveloped signature over the whole document. The signature is spliced
//! into the original bytes (nothing else changes), canonicalised with bergshamra's C14N over
//! uppsala's parse (pure Rust, DTDs refused).

pub mod algorithm;
pub mod c14n;
mod context;
mod mst;
pub mod parse;
mod place;
mod sign;
mod template;
mod timestamp;
mod verify;

pub use self::mst::{mst_mismatch, mst_warning, seller_mst, seller_mst_of};
pub use self::place::resolve;
pub use self::sign::{local_time, PreparedXml};
pub use self::verify::{verify_xml, XmlSignature};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_names_as_dot_net_writes_them() {
        let s = "UID=MST:0106324653,CN=MÃ SỐ THUẾ,L=285/94B\\, Phường 12,ST=TP Hồ Chí Minh,C=VN";
        assert_eq!(
            SubjectName::DotNet.render(s),
            "OID.0.9.2342.19200300.100.1.1=MST:0106324653, CN=MÃ SỐ THUẾ, \
             L=\"285/94B, Phường 12\", S=TP Hồ Chí Minh, C=VN"
        );
        assert_eq!(SubjectName::Rfc4514.render(s), s);
    }
}

use crate::key::SignatureAlgorithm;

/// The XMLDSig namespace.
pub const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";

/// What is signed, and where the signature goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// `einvoice` for an e-invoice (`HDon` root), `tax` for a tax declaration
    /// (`HSoThueDTu`), `bhxh` for a social-insurance envelope (`Hoso`), else `enveloped`.
    #[default]
    Auto,
    /// E-invoice (Circular 78): `HDon/DLHDon` signed by its `Id`, the signature in
    /// `HDon/DSCKS/NBan` (seller) or `NMua` (buyer); later signatures leave it valid.
    Einvoice,
    /// The whole document (`URI=""`), the signature the root's last child.
    Enveloped,
    /// Tax declaration (HTKK, `HSoThueDTu`): `HSoKhaiThue` signed by its `id`, the signature
    /// (`ds:` prefix, one reference, KeyValue) in `HSoThueDTu/CKyDTu`.
    Tax,
    /// XAdES-BES (ETSI EN 319 132) over the whole document (`URI=""`): the signing time and
    /// the signer's certificate in signed QualifyingProperties; the signature the root's last
    /// child.
    XadesBes,
    /// XAdES-T: XAdES-BES and an unsigned SignatureTimeStamp (RFC 3161, over the
    /// canonicalised SignatureValue) from the batch's timestamp authority: proof of when it
    /// was signed that outlives the certificate.
    XadesT,
    /// Social insurance (BHXH) form or envelope: the whole document (`URI=""`), the signature
    /// (KeyValue, SigningTime not signed) in `<root>/Cky`, or `Hoso/CKy_Dvi` for the envelope.
    Bhxh,
}

impl Profile {
    /// The name `--profile` takes.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Auto => "auto",
            Profile::Einvoice => "einvoice",
            Profile::Enveloped => "enveloped",
            Profile::Tax => "tax",
            Profile::XadesBes => "xades-bes",
            Profile::XadesT => "xades-t",
            Profile::Bhxh => "bhxh",
        }
    }
}

/// Who signs an e-invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// The seller (`DSCKS/NBan`), who issues it.
    #[default]
    Seller,
    /// The buyer (`DSCKS/NMua`), after the seller.
    Buyer,
}

/// How XML documents are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct XmlOptions {
    /// The profile.
    pub profile: Profile,
    /// The signer's role (e-invoices).
    pub role: Role,
    /// The algorithm for XML documents in a run that also signs other formats, when it
    /// differs from theirs (RSA: PKCS#1 v1.5 for XML, PSS for CMS and PDF).
    pub algorithm: Option<SignatureAlgorithm>,
    /// How `X509SubjectName` is written (no verifier checks it; receivers' samples differ).
    pub subject_name: SubjectName,
}

/// The text form of `X509SubjectName`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubjectName {
    /// RFC 4514 (`UID=MST:0100686209,CN=…,C=VN`): what social insurance asks for, and what
    /// xmlsec1 reads without complaint.
    #[default]
    Rfc4514,
    /// As .NET writes it (`OID.0.9.2342.19200300.100.1.1=MST:…, CN=…, S=…, C=VN`), like
    /// most e-invoice senders' samples.
    DotNet,
}

impl SubjectName {
    /// `subject` (RFC 4514, as [`crate::Certificate::subject`] gives it) in this form.
    pub fn render(self, subject: &str) -> String {
        match self {
            SubjectName::Rfc4514 => subject.to_owned(),
            SubjectName::DotNet => rfc4514_parts(subject)
                .into_iter()
                .map(|(k, v)| {
                    let k = match k.as_str() {
                        "UID" => "OID.0.9.2342.19200300.100.1.1",
                        "ST" => "S",
                        "emailAddress" => "E",
                        k => k,
                    };
                    if v.contains([',', '+', '"', ';', '=']) {
                        format!("{k}=\"{}\"", v.replace('"', "\"\""))
                    } else {
                        format!("{k}={v}")
                    }
                })
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// The `(type, value)` pairs of an RFC 4514 name, escapes undone.
fn rfc4514_parts(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let (mut key, mut val, mut in_val, mut chars) =
        (String::new(), String::new(), false, s.chars());
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    if in_val {
                        val.push(n)
                    } else {
                        key.push(n)
                    }
                }
            }
            '=' if !in_val => in_val = true,
            ',' | '+' if in_val => {
                out.push((std::mem::take(&mut key), std::mem::take(&mut val)));
                in_val = false;
            }
            c if in_val => val.push(c),
            c => key.push(c),
        }
    }
    if in_val {
        out.push((key, val));
    }
    out
}
