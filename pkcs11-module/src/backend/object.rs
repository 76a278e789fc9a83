//! PKCS#11 objects as data: the certificate, public key and private key of each token key,
//! with their attributes encoded the way `C_GetAttributeValue` returns them.

use std::sync::Arc;

use cryptoki_sys::*;
use der::oid::AssociatedOid;
#[cfg(test)]
use der::Decode;
use der::Encode;
use kyso::public_key::PublicKey;
use kyso::{Certificate, CertificateEntry, Signer};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use rsa::traits::PublicKeyParts;

/// An attribute value: bytes as returned to the caller, or a secret never returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Native encoding (CK_ULONG in host order, byte strings as is).
    Bytes(Vec<u8>),
    /// A CK_BBOOL (in a template, any non-zero byte means true).
    Bool(bool),
    /// The attribute exists but is sensitive (`CKR_ATTRIBUTE_SENSITIVE`).
    Sensitive,
}

/// One object on a slot.
pub struct Object {
    /// Our handle (stable while the token stays).
    pub handle: CK_OBJECT_HANDLE,
    /// Visible only after login.
    pub private: bool,
    attrs: Vec<(CK_ATTRIBUTE_TYPE, Value)>,
    /// The key, for private key objects.
    pub signer: Option<Arc<dyn Signer>>,
    /// The public key, for key objects (verification).
    pub public_key: Option<Arc<PublicKey>>,
}

/// Encodes a `CK_ULONG` as the host stores it.
pub fn ulong(v: CK_ULONG) -> Vec<u8> {
    v.to_ne_bytes().to_vec()
}

impl Value {
    /// The bytes `C_GetAttributeValue` returns, `None` for a sensitive value.
    pub fn bytes(&self) -> Option<Vec<u8>> {
        match self {
            Value::Bytes(b) => Some(b.clone()),
            Value::Bool(b) => Some(vec![if *b { CK_TRUE } else { CK_FALSE }]),
            Value::Sensitive => None,
        }
    }
}

impl Object {
    /// The attribute, if the object has it.
    pub fn get(&self, ty: CK_ATTRIBUTE_TYPE) -> Option<&Value> {
        self.attrs.iter().find(|(t, _)| *t == ty).map(|(_, v)| v)
    }

    /// Whether every attribute of the template is present with exactly that value.
    pub fn matches(&self, template: &[(CK_ATTRIBUTE_TYPE, Vec<u8>)]) -> bool {
        template.iter().all(|(ty, want)| match self.get(*ty) {
            Some(Value::Bytes(have)) => have == want,
            Some(Value::Bool(b)) => want.len() == 1 && (want[0] != 0) == *b,
            _ => false,
        })
    }
}

fn common(
    class: CK_OBJECT_CLASS,
    label: &str,
    id: &[u8],
    private: bool,
) -> Vec<(CK_ATTRIBUTE_TYPE, Value)> {
    vec![
        (CKA_CLASS, Value::Bytes(ulong(class))),
        (CKA_TOKEN, Value::Bool(true)),
        (CKA_PRIVATE, Value::Bool(private)),
        (CKA_MODIFIABLE, Value::Bool(false)),
        (CKA_COPYABLE, Value::Bool(false)),
        (CKA_DESTROYABLE, Value::Bool(false)),
        (CKA_LABEL, Value::Bytes(label.as_bytes().to_vec())),
        (CKA_ID, Value::Bytes(id.to_vec())),
    ]
}

/// The X.509 certificate object.
pub fn certificate(handle: CK_OBJECT_HANDLE, entry: &CertificateEntry) -> Object {
    let cert = &entry.certificate;
    let mut attrs = common(CKO_CERTIFICATE, &entry.label, &entry.id, false);
    attrs.extend([
        (CKA_CERTIFICATE_TYPE, Value::Bytes(ulong(CKC_X_509))),
        (CKA_TRUSTED, Value::Bool(false)),
        (
            CKA_CERTIFICATE_CATEGORY,
            Value::Bytes(ulong(if entry.has_private_key { 1 } else { 0 })),
        ),
        (CKA_VALUE, Value::Bytes(cert.der().to_vec())),
        (CKA_SUBJECT, Value::Bytes(cert.subject_der().to_vec())),
        (CKA_ISSUER, Value::Bytes(cert.issuer_der().to_vec())),
        (CKA_SERIAL_NUMBER, Value::Bytes(cert.serial_der())),
        (CKA_PUBLIC_KEY_INFO, Value::Bytes(cert.spki_der().to_vec())),
    ]);
    Object {
        handle,
        private: false,
        attrs,
        signer: None,
        public_key: None,
    }
}

/// Key attributes shared by the public and private key objects.
fn key_attrs(key: &PublicKey, cert: &Certificate) -> Vec<(CK_ATTRIBUTE_TYPE, Value)> {
    let mut attrs = vec![
        (CKA_SUBJECT, Value::Bytes(cert.subject_der().to_vec())),
        (CKA_LOCAL, Value::Bool(false)),
        (CKA_DERIVE, Value::Bool(false)),
        (CKA_PUBLIC_KEY_INFO, Value::Bytes(cert.spki_der().to_vec())),
    ];
    match key {
        PublicKey::Rsa(k) => attrs.extend([
            (CKA_KEY_TYPE, Value::Bytes(ulong(CKK_RSA))),
            (CKA_MODULUS, Value::Bytes(k.n().to_bytes_be())),
            (CKA_PUBLIC_EXPONENT, Value::Bytes(k.e().to_bytes_be())),
            (
                CKA_MODULUS_BITS,
                Value::Bytes(ulong(k.n().bits() as CK_ULONG)),
            ),
        ]),
        PublicKey::P256(k) => attrs.extend(ec_attrs(
            &p256::NistP256::OID.to_der().unwrap_or_default(),
            k.to_encoded_point(false).as_bytes(),
        )),
        PublicKey::P384(k) => attrs.extend(ec_attrs(
            &p384::NistP384::OID.to_der().unwrap_or_default(),
            k.to_encoded_point(false).as_bytes(),
        )),
    }
    attrs
}

/// `CKA_EC_PARAMS` (the curve's DER OID) and `CKA_EC_POINT` (DER OCTET STRING of the point).
fn ec_attrs(oid_der: &[u8], point: &[u8]) -> [(CK_ATTRIBUTE_TYPE, Value); 3] {
    let wrapped = der::asn1::OctetStringRef::new(point)
        .and_then(|o| o.to_der())
        .unwrap_or_default();
    [
        (CKA_KEY_TYPE, Value::Bytes(ulong(CKK_EC))),
        (CKA_EC_PARAMS, Value::Bytes(oid_der.to_vec())),
        (CKA_EC_POINT, Value::Bytes(wrapped)),
    ]
}

/// Reads back a DER OCTET STRING.
#[cfg(test)]
fn unwrap_octet_string(der_bytes: &[u8]) -> Option<Vec<u8>> {
    der::asn1::OctetString::from_der(der_bytes)
        .ok()
        .map(|o| o.as_bytes().to_vec())
}

/// The public key object, derived from the certificate: NSS looks for it to know a certificate
/// has a key before anyone logs in.
pub fn public_key(
    handle: CK_OBJECT_HANDLE,
    entry: &CertificateEntry,
    key: Arc<PublicKey>,
) -> Object {
    let label = entry.public_key_label.as_deref().unwrap_or(&entry.label);
    let mut attrs = common(CKO_PUBLIC_KEY, label, &entry.id, false);
    attrs.extend(key_attrs(&key, &entry.certificate));
    attrs.extend([
        (CKA_VERIFY, Value::Bool(true)),
        (CKA_ENCRYPT, Value::Bool(false)),
        (CKA_WRAP, Value::Bool(false)),
        (CKA_VERIFY_RECOVER, Value::Bool(false)),
        (CKA_TRUSTED, Value::Bool(false)),
    ]);
    Object {
        handle,
        private: false,
        attrs,
        signer: None,
        public_key: Some(key),
    }
}

/// The private key object: signs through the token, never reveals the private value.
pub fn private_key(
    handle: CK_OBJECT_HANDLE,
    signer: Arc<dyn Signer>,
    key: Arc<PublicKey>,
) -> Object {
    let info = signer.key().clone();
    let mut attrs = common(CKO_PRIVATE_KEY, &info.label, &info.id, true);
    attrs.extend(key_attrs(&key, signer.certificate()));
    attrs.extend([
        (CKA_SIGN, Value::Bool(true)),
        (CKA_SIGN_RECOVER, Value::Bool(false)),
        (CKA_DECRYPT, Value::Bool(false)),
        (CKA_UNWRAP, Value::Bool(false)),
        (CKA_SENSITIVE, Value::Bool(true)),
        (CKA_EXTRACTABLE, Value::Bool(false)),
        (CKA_ALWAYS_SENSITIVE, Value::Bool(true)),
        (CKA_NEVER_EXTRACTABLE, Value::Bool(true)),
        (CKA_WRAP_WITH_TRUSTED, Value::Bool(false)),
        (
            CKA_ALWAYS_AUTHENTICATE,
            Value::Bool(info.always_authenticate),
        ),
        (CKA_VALUE, Value::Sensitive),
        (CKA_PRIVATE_EXPONENT, Value::Sensitive),
        (CKA_PRIME_1, Value::Sensitive),
        (CKA_PRIME_2, Value::Sensitive),
        (CKA_EXPONENT_1, Value::Sensitive),
        (CKA_EXPONENT_2, Value::Sensitive),
        (CKA_COEFFICIENT, Value::Sensitive),
    ]);
    Object {
        handle,
        private: true,
        attrs,
        signer: Some(signer),
        public_key: Some(key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_matching_is_exact_and_bool_tolerant() {
        let o = Object {
            handle: 1,
            private: false,
            attrs: common(CKO_CERTIFICATE, "l", &[1], false),
            signer: None,
            public_key: None,
        };
        assert!(o.matches(&[]));
        assert!(o.matches(&[(CKA_CLASS, ulong(CKO_CERTIFICATE)), (CKA_ID, vec![1])]));
        assert!(!o.matches(&[(CKA_ID, vec![1, 2])]));
        assert!(
            o.matches(&[(CKA_TOKEN, vec![7])]),
            "any non-zero byte is TRUE"
        );
        assert!(
            !o.matches(&[(CKA_ID, vec![5])]),
            "one-byte ids are bytes, not booleans"
        );
        assert!(
            !o.matches(&[(CKA_VALUE, vec![])]),
            "missing attribute never matches"
        );
    }

    #[test]
    fn ec_point_is_wrapped_in_an_octet_string() {
        let point = [4u8; 65];
        let [_, _, (_, Value::Bytes(wrapped))] = ec_attrs(&[6, 8], &point) else {
            panic!()
        };
        assert_eq!(&wrapped[..2], &[0x04, 65]);
        assert_eq!(unwrap_octet_string(&wrapped).unwrap(), point);
    }
}
