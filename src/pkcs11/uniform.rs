//! [`Pkcs11Token`] as the crate's uniform [`Token`]: token info, login with the rule that a
//! refused PIN is never sent again, PIN change, the certificates and the signers it holds.

use std::sync::Arc;

use cryptoki::session::UserType;
use secrecy::{ExposeSecret, SecretString};

use super::signer::Pkcs11Signer;
use super::token::Pkcs11Token;
use crate::error::{Error, Result};
use crate::signer::{CertificateEntry, PinStatus, Signer, Token, TokenInfo};

/// What is remembered of a refused PIN: enough to recognise it, not to recover it.
fn pin_digest(pin: &SecretString) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(pin.expose_secret().as_bytes()).into()
}

impl Token for Pkcs11Token {
    fn info(&self) -> Result<TokenInfo> {
        let ctx = self.module.ctx();
        let ti = ctx.get_token_info(self.slot).map_err(|e| self.err(e))?;
        let si = ctx.get_slot_info(self.slot).map_err(|e| self.err(e))?;
        Ok(TokenInfo {
            module: self.module.name().to_owned(),
            slot: self.slot.id(),
            slot_description: si.slot_description().trim().to_owned(),
            label: ti.label().trim().to_owned(),
            manufacturer: ti.manufacturer_id().trim().to_owned(),
            model: ti.model().trim().to_owned(),
            serial: ti.serial_number().trim().to_owned(),
            login_required: ti.login_required(),
            pin: PinStatus {
                initialized: ti.user_pin_initialized(),
                count_low: ti.user_pin_count_low(),
                final_try: ti.user_pin_final_try(),
                locked: ti.user_pin_locked(),
                to_be_changed: ti.user_pin_to_be_changed(),
                protected_path: ti.protected_authentication_path(),
            },
        })
    }

    fn login(&self, pin: &SecretString) -> Result<()> {
        let mut state = self.login.lock().unwrap_or_else(|p| p.into_inner());
        if state.session.is_some() {
            return Ok(());
        }
        if state.refused.contains(&pin_digest(pin)) {
            // A PIN the token refused is never sent again: a loop retrying it locks tokens.
            return Err(Error::PinInvalid(crate::t!(
                "pin-already-refused",
                token = self.label.as_str()
            )));
        }
        if pin.expose_secret().is_empty() {
            return Err(Error::PinInvalid(crate::t!("pin-empty")));
        }
        let info = self.info()?;
        if info.pin.locked {
            return Err(Error::PinLocked {
                token: self.label.clone(),
            });
        }
        let session = self
            .module
            .ctx()
            .open_ro_session(self.slot)
            .map_err(|e| self.err(e))?;
        match session.login(UserType::User, Some(pin)) {
            Ok(()) => {}
            Err(cryptoki::error::Error::Pkcs11(
                cryptoki::error::RvError::UserAlreadyLoggedIn,
                _,
            )) => {}
            Err(e) => {
                let err = self.login_error(e);
                if matches!(err, Error::WrongPin { .. }) {
                    state.refused.push(pin_digest(pin));
                }
                return Err(err);
            }
        }
        log::info!("logged in to token {}", self.label);
        state.session = Some(session);
        state.pin = Some(pin.clone());
        self.objects_changed();
        Ok(())
    }

    fn logout(&self) -> Result<()> {
        let _quiet = self.activity.write().unwrap_or_else(|p| p.into_inner());
        let mut state = self.login.lock().unwrap_or_else(|p| p.into_inner());
        state.pin = None;
        state.pin_source = None;
        self.pool.lock().unwrap_or_else(|p| p.into_inner()).clear();
        let session = state.session.take();
        self.objects_changed();
        if let Some(session) = session {
            session.logout().map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    fn set_signature_pin_source(&self, source: Option<crate::signer::PinSource>) {
        self.login
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pin_source = source;
    }

    fn is_logged_in(&self) -> bool {
        self.login
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .session
            .is_some()
    }

    fn change_pin(&self, old: &SecretString, new: &SecretString) -> Result<()> {
        if new.expose_secret().is_empty() {
            return Err(Error::PinInvalid(crate::t!("pin-new-empty")));
        }
        let session = self
            .module
            .ctx()
            .open_rw_session(self.slot)
            .map_err(|e| self.err(e))?;
        session.set_pin(old, new).map_err(|e| self.login_error(e))?;
        let mut state = self.login.lock().unwrap_or_else(|p| p.into_inner());
        if state.pin.is_some() {
            state.pin = Some(new.clone());
        }
        Ok(())
    }

    fn certificates(&self) -> Result<Vec<CertificateEntry>> {
        let listing = self.listing()?;
        let mut certs: Vec<CertificateEntry> = listing
            .certificates
            .iter()
            .map(|(certificate, label, id)| {
                let public_key = listing
                    .public_keys
                    .iter()
                    .find(|(pid, _)| !id.is_empty() && pid == id);
                let has_private_key = !id.is_empty()
                    && (listing.keys.iter().any(|k| k.id == *id) || public_key.is_some());
                CertificateEntry {
                    certificate: certificate.clone(),
                    label: label.clone(),
                    id: id.clone(),
                    has_private_key,
                    public_key_label: public_key.map(|(_, l)| l.clone()),
                }
            })
            .collect();
        certs.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.label.cmp(&b.label)));
        Ok(certs)
    }

    fn signers(&self) -> Result<Vec<Arc<dyn Signer>>> {
        let me = self.self_arc()?;
        let listing = self.listing()?;
        let mut out: Vec<Arc<dyn Signer>> = Vec::new();
        for (cert, cert_label, id) in &listing.certificates {
            let Some(key) = listing.keys.iter().find(|k| !id.is_empty() && k.id == *id) else {
                continue;
            };
            let label = if key.label.is_empty() {
                cert_label.clone()
            } else {
                key.label.clone()
            };
            match Pkcs11Signer::new(me.clone(), key, cert.clone(), label) {
                Ok(signer) => out.push(Arc::new(signer)),
                Err(e) => log::warn!("token {}: key {} skipped: {e}", self.label, hex::encode(id)),
            }
        }
        Ok(out)
    }
}
