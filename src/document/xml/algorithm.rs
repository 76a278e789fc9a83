//! XMLDSig's names for kyso's algorithms (RFC 6931), both ways.

use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::key::SignatureAlgorithm;

/// The hashes a reference may use when verifying (SHA-1 only in old .NET invoices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestMethod {
    /// SHA-1: verified, never produced.
    Sha1,
    /// A hash kyso also signs with.
    Sha(HashAlg),
}

impl DigestMethod {
    /// The hash of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            DigestMethod::Sha1 => {
                use sha1::Digest;
                sha1::Sha1::digest(data).to_vec()
            }
            DigestMethod::Sha(h) => h.digest(data),
        }
    }
}

/// The DigestMethod URI of `hash`.
pub fn digest_uri(hash: HashAlg) -> &'static str {
    match hash {
        HashAlg::Sha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
        HashAlg::Sha384 => "http://www.w3.org/2001/04/xmldsig-more#sha384",
        HashAlg::Sha512 => "http://www.w3.org/2001/04/xmlenc#sha512",
    }
}

/// The hash a DigestMethod URI names.
pub fn digest_from_uri(uri: &str) -> Result<DigestMethod> {
    Ok(match uri {
        "http://www.w3.org/2000/09/xmldsig#sha1" => DigestMethod::Sha1,
        "http://www.w3.org/2001/04/xmlenc#sha256" => DigestMethod::Sha(HashAlg::Sha256),
        "http://www.w3.org/2001/04/xmldsig-more#sha384" => DigestMethod::Sha(HashAlg::Sha384),
        "http://www.w3.org/2001/04/xmlenc#sha512" => DigestMethod::Sha(HashAlg::Sha512),
        other => {
            return Err(Error::Document(format!(
                "the XML signature uses the digest {other}, which kyso does not check"
            )))
        }
    })
}

/// The SignatureMethod URI of `alg`.
pub fn signature_uri(alg: SignatureAlgorithm) -> &'static str {
    use HashAlg::*;
    use SignatureAlgorithm::*;
    match alg {
        RsaPkcs1(Sha256) => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        RsaPkcs1(Sha384) => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
        RsaPkcs1(Sha512) => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        RsaPss(Sha256) => "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
        RsaPss(Sha384) => "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1",
        RsaPss(Sha512) => "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1",
        Ecdsa(Sha256) => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        Ecdsa(Sha384) => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
        Ecdsa(Sha512) => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
    }
}

/// What a SignatureMethod URI names: `None` for RSA with SHA-1 (old senders; checked apart).
pub fn signature_from_uri(uri: &str) -> Result<Option<SignatureAlgorithm>> {
    if uri == RSA_SHA1 {
        return Ok(None);
    }
    SignatureAlgorithm::ALL
        .into_iter()
        .chain([SignatureAlgorithm::Ecdsa(HashAlg::Sha512)])
        .find(|a| signature_uri(*a) == uri)
        .map(Some)
        .ok_or_else(|| {
            Error::Document(format!(
                "the XML signature uses the method {uri}, which kyso does not check"
            ))
        })
}

/// RSA PKCS#1 v1.5 with SHA-1, which older senders still write.
pub const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_algorithm_round_trips() {
        for a in SignatureAlgorithm::ALL {
            assert_eq!(signature_from_uri(signature_uri(a)).unwrap(), Some(a));
            let h = a.hash();
            assert_eq!(
                digest_from_uri(digest_uri(h)).unwrap(),
                DigestMethod::Sha(h)
            );
        }
        assert_eq!(signature_from_uri(RSA_SHA1).unwrap(), None);
    }
}
