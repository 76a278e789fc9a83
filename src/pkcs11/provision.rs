//! Putting keys and certificates on a token: what `kyso dev-token` and integrators' test
//! set-ups need (initialise a SoftHSM token, generate key pairs on it, store certificates).

use std::sync::Arc;

use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use der::oid::AssociatedOid;
use der::{Decode, Encode};
use rsa::pkcs8::EncodePublicKey;
use secrecy::SecretString;

use super::errors;
use super::module::Module;
use crate::cert::Certificate;
use crate::error::{Error, Result};
use crate::key::Curve;

/// A key pair to generate on the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewKey {
    /// RSA with this modulus size, public exponent 65537.
    Rsa(usize),
    /// EC on P-256 or P-384.
    Ec(Curve),
}

/// A read-write, user-logged-in session on one token, for provisioning.
pub struct Provisioner {
    session: Session,
    label: String,
    // Last: the session closes before the module can be finalised.
    module: Arc<Module>,
}

impl Provisioner {
    /// Initialises the first uninitialised token of `module` (SoftHSM always offers one) with
    /// `label`, the SO PIN and the user PIN, and logs the user in.
    pub fn init_token(
        module: Arc<Module>,
        label: &str,
        so_pin: &SecretString,
        user_pin: &SecretString,
    ) -> Result<Provisioner> {
        let ctx = module.ctx();
        let err = |e| errors::map(e, label);
        let slot = ctx
            .get_slots_with_token()
            .map_err(err)?
            .into_iter()
            .find(|s| ctx.get_token_info(*s).is_ok_and(|t| !t.token_initialized()))
            .ok_or_else(|| Error::TokenNotFound("uninitialised (free slot)".into()))?;
        ctx.init_token(slot, so_pin, label).map_err(err)?;
        // SoftHSM moves the new token to another slot id: find it again by label.
        let slot = Self::slot_by_label(&module, label)?;
        {
            let so = ctx.open_rw_session(slot).map_err(err)?;
            so.login(UserType::So, Some(so_pin)).map_err(err)?;
            so.init_pin(user_pin).map_err(err)?;
            so.logout().map_err(err)?;
        }
        Self::open(module.clone(), label, user_pin)
    }

    /// Logs in to an existing token, by label, for provisioning.
    pub fn open(module: Arc<Module>, label: &str, user_pin: &SecretString) -> Result<Provisioner> {
        let slot = Self::slot_by_label(&module, label)?;
        let err = |e| errors::map(e, label);
        let session = module.ctx().open_rw_session(slot).map_err(err)?;
        session.login(UserType::User, Some(user_pin)).map_err(err)?;
        Ok(Provisioner {
            module,
            session,
            label: label.to_owned(),
        })
    }

    fn slot_by_label(module: &Module, label: &str) -> Result<Slot> {
        let ctx = module.ctx();
        ctx.get_slots_with_token()
            .map_err(|e| errors::map(e, label))?
            .into_iter()
            .find(|s| {
                ctx.get_token_info(*s)
                    .is_ok_and(|t| t.label().trim() == label)
            })
            .ok_or_else(|| Error::TokenNotFound(format!("label '{label}'")))
    }

    /// The module provisioned.
    pub fn module(&self) -> &Arc<Module> {
        &self.module
    }

    /// Generates a signing key pair on the token (private key sensitive, not extractable) and
    /// returns the public key as DER `SubjectPublicKeyInfo`, ready for a certificate.
    pub fn generate(&self, key: &NewKey, id: &[u8], label: &str) -> Result<Vec<u8>> {
        let err = |e| errors::map(e, &self.label);
        let common = |private: bool| {
            vec![
                Attribute::Token(true),
                Attribute::Private(private),
                Attribute::Id(id.to_vec()),
                Attribute::Label(label.as_bytes().to_vec()),
            ]
        };
        let mut public = common(false);
        public.push(Attribute::Verify(true));
        let mut private = common(true);
        private.extend([
            Attribute::Sign(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
        ]);
        let mechanism = match key {
            NewKey::Rsa(bits) => {
                public.push(Attribute::ModulusBits((*bits as u64).into()));
                public.push(Attribute::PublicExponent(vec![1, 0, 1]));
                Mechanism::RsaPkcsKeyPairGen
            }
            NewKey::Ec(curve) => {
                public.push(Attribute::EcParams(curve_params(curve)?));
                Mechanism::EccKeyPairGen
            }
        };
        let (pub_handle, _) = self
            .session
            .generate_key_pair(&mechanism, &public, &private)
            .map_err(err)?;
        let wanted = match key {
            NewKey::Rsa(_) => vec![AttributeType::Modulus, AttributeType::PublicExponent],
            NewKey::Ec(_) => vec![AttributeType::EcPoint],
        };
        let attrs = self
            .session
            .get_attributes(pub_handle, &wanted)
            .map_err(err)?;
        let get = |ty: AttributeType| {
            attrs.iter().find_map(|a| match (a, ty) {
                (Attribute::Modulus(v), AttributeType::Modulus)
                | (Attribute::PublicExponent(v), AttributeType::PublicExponent)
                | (Attribute::EcPoint(v), AttributeType::EcPoint) => Some(v.clone()),
                _ => None,
            })
        };
        let missing = || Error::InvalidInput("the token did not return the public key".into());
        let spki = match key {
            NewKey::Rsa(_) => {
                let n =
                    rsa::BigUint::from_bytes_be(&get(AttributeType::Modulus).ok_or_else(missing)?);
                let e = rsa::BigUint::from_bytes_be(
                    &get(AttributeType::PublicExponent).ok_or_else(missing)?,
                );
                let pk = rsa::RsaPublicKey::new(n, e)
                    .map_err(|e| Error::InvalidInput(format!("bad RSA public key: {e}")))?;
                pk.to_public_key_der().map(|d| d.as_bytes().to_vec())
            }
            NewKey::Ec(curve) => {
                let point = ec_point(&get(AttributeType::EcPoint).ok_or_else(missing)?);
                match curve {
                    Curve::P256 => p256::PublicKey::from_sec1_bytes(&point)
                        .map_err(|_| missing())?
                        .to_public_key_der()
                        .map(|d| d.as_bytes().to_vec()),
                    _ => p384::PublicKey::from_sec1_bytes(&point)
                        .map_err(|_| missing())?
                        .to_public_key_der()
                        .map(|d| d.as_bytes().to_vec()),
                }
            }
        };
        spki.map_err(|e| Error::InvalidInput(format!("cannot encode public key: {e}")))
    }

    /// Stores an X.509 certificate object with the `CKA_ID` of its key.
    pub fn store_certificate(&self, cert: &Certificate, id: &[u8], label: &str) -> Result<()> {
        let template = [
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Id(id.to_vec()),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Subject(cert.subject_der().to_vec()),
            Attribute::Issuer(cert.issuer_der().to_vec()),
            Attribute::SerialNumber(cert.serial_der().to_vec()),
            Attribute::Value(cert.der().to_vec()),
        ];
        self.session
            .create_object(&template)
            .map(|_| ())
            .map_err(|e| errors::map(e, &self.label))
    }
}

/// `CKA_EC_PARAMS`: the DER OID of the named curve.
fn curve_params(curve: &Curve) -> Result<Vec<u8>> {
    let oid = match curve {
        Curve::P256 => p256::NistP256::OID,
        Curve::P384 => p384::NistP384::OID,
        other => {
            return Err(Error::InvalidInput(format!(
                "kyso generates P-256 and P-384 keys, not {other:?}"
            )))
        }
    };
    oid.to_der()
        .map_err(|e| Error::InvalidInput(format!("cannot encode curve OID: {e}")))
}

/// `CKA_EC_POINT` is a DER OCTET STRING around the SEC1 point (most modules); some return the
/// bare point. Accept both.
fn ec_point(value: &[u8]) -> Vec<u8> {
    match der::asn1::OctetString::from_der(value) {
        Ok(os) => os.as_bytes().to_vec(),
        Err(_) => value.to_vec(),
    }
}
