//! The library API over SoftHSM: thread safety, session reuse, always-authenticate keys, and
//! the refusal to try a PIN twice. One process per test (cargo nextest): SoftHSM reads its
//! configuration once per process.

mod common;

use std::sync::Arc;

use common::*;
use kyso::config::ModuleConfig;
use kyso::pkcs11::{Backend, Pkcs11Token};
use kyso::public_key::PublicKey;
use kyso::{Error, HashAlg, SignatureAlgorithm, Signer, Token};
use secrecy::SecretString;

fn open(fx: &Fixture, module: &str, label: &str) -> (Backend, Arc<Pkcs11Token>) {
    std::env::set_var("SOFTHSM2_CONF", &fx.conf);
    let backend = Backend::load(&[ModuleConfig::from_path(module)]);
    assert!(
        backend.failures.is_empty(),
        "{:?}",
        backend
            .failures
            .iter()
            .map(|f| f.1.to_string())
            .collect::<Vec<_>>()
    );
    let (tokens, errors) = backend.tokens();
    assert!(errors.is_empty());
    let token = tokens
        .into_iter()
        .find(|t| t.label() == label)
        .expect("token");
    (backend, token)
}

fn signer(token: &Pkcs11Token, id: u8) -> Arc<dyn Signer> {
    token
        .signers()
        .unwrap()
        .into_iter()
        .find(|s| s.key().id == [id])
        .expect("signer")
}

#[test]
fn threads_share_one_token_and_every_signature_verifies() {
    let fx = Fixture::new();
    let spy_log = fx.path("spy.log");
    std::env::set_var("PKCS11SPY", SOFTHSM);
    std::env::set_var("PKCS11SPY_OUTPUT", &spy_log);
    let (_backend, token) = open(&fx, SPY, "kyso-test");
    token.login(&SecretString::from(PIN)).unwrap();
    let rsa = signer(&token, 1);
    let ec = signer(&token, 3);
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let s = if t % 2 == 0 { rsa.clone() } else { ec.clone() };
            std::thread::spawn(move || {
                let alg = SignatureAlgorithm::default_for(&s.key().key_type).unwrap();
                // Independent check: the public key from the certificate, not the token.
                let pk = PublicKey::from_spki_der(s.certificate().spki_der()).unwrap();
                for i in 0..25 {
                    let digest = HashAlg::Sha256.digest(format!("thread {t} doc {i}").as_bytes());
                    let sig = s.sign_digest(alg, &digest).unwrap();
                    assert!(pk.verify_digest(alg, &digest, &sig));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(spy_count(&spy_log, "C_SignInit"), 100);
    assert_eq!(spy_count(&spy_log, "C_Login"), 1);
    let opened = spy_count(&spy_log, "C_OpenSession");
    assert!(
        opened <= 6,
        "sessions pooled, not one per signature: {opened} opened"
    );
}

#[test]
fn pss_digest_signature_verifies_with_openssl() {
    let fx = Fixture::new();
    let (_b, token) = open(&fx, SOFTHSM, "kyso-test");
    token.login(&SecretString::from(PIN)).unwrap();
    let s = signer(&token, 2);
    let data = b"Ho so BHXH";
    let digest = HashAlg::Sha384.digest(data);
    let sig = s
        .sign_digest(SignatureAlgorithm::RsaPss(HashAlg::Sha384), &digest)
        .unwrap();
    std::fs::write(fx.path("d.bin"), data).unwrap();
    std::fs::write(fx.path("d.sig"), &sig).unwrap();
    assert!(openssl_verify(
        &fx.path("rsa3072.pub.pem"),
        "rsa-pss-sha384",
        &fx.path("d.bin"),
        &fx.path("d.sig")
    ));
}

#[test]
fn always_authenticate_key_signs_data_with_a_context_login() {
    let fx = Fixture::new();
    let (_b, token) = open(&fx, SOFTHSM, "kyso-test");
    token.login(&SecretString::from(PIN)).unwrap();
    let s = signer(&token, 5);
    assert!(s.key().always_authenticate);
    let alg = SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256);
    for i in 0..3 {
        let data = format!("văn bản {i}");
        let sig = s.sign_data(alg, &mut data.as_bytes()).unwrap();
        let pk = PublicKey::from_spki_der(s.certificate().spki_der()).unwrap();
        assert!(pk.verify_digest(alg, &HashAlg::Sha256.digest(data.as_bytes()), &sig));
    }
}

#[test]
fn a_refused_pin_is_never_sent_again_in_the_same_process() {
    let fx = Fixture::new();
    let spy_log = fx.path("spy.log");
    std::env::set_var("PKCS11SPY", SOFTHSM);
    std::env::set_var("PKCS11SPY_OUTPUT", &spy_log);
    let (_b, token) = open(&fx, SPY, "kyso-test");
    let e = token.login(&SecretString::from("999999")).unwrap_err();
    assert!(matches!(e, Error::WrongPin { .. }), "{e}");
    // The same PIN again (a script in a loop) never reaches the token.
    let e = token.login(&SecretString::from("999999")).unwrap_err();
    assert!(e.to_string().contains("not trying it again"), "{e}");
    assert_eq!(spy_count(&spy_log, "C_Login"), 1);
    assert!(!token.is_logged_in());
    // A different PIN (a person typing again) is a new, deliberate attempt.
    token.login(&SecretString::from(PIN)).unwrap();
    assert_eq!(spy_count(&spy_log, "C_Login"), 2);
    assert!(token.is_logged_in());
}

#[test]
fn signing_without_login_or_after_logout_is_a_clear_error() {
    let fx = Fixture::new();
    let (_b, token) = open(&fx, SOFTHSM, "kyso-test");
    // Private keys are private objects: none are visible before login.
    assert!(token.signers().unwrap().is_empty());
    token.login(&SecretString::from(PIN)).unwrap();
    let s = signer(&token, 1);
    token.logout().unwrap();
    assert!(!token.is_logged_in());
    let e = s
        .sign_digest(SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256), &[0u8; 32])
        .unwrap_err();
    assert!(
        matches!(e, Error::NotLoggedIn { .. } | Error::KeyNotFound(_)),
        "{e}"
    );
}

#[test]
fn wrong_digest_length_and_wrong_key_type_are_refused_before_the_token() {
    let fx = Fixture::new();
    let (_b, token) = open(&fx, SOFTHSM, "kyso-test");
    token.login(&SecretString::from(PIN)).unwrap();
    let s = signer(&token, 3);
    let e = s
        .sign_digest(SignatureAlgorithm::Ecdsa(HashAlg::Sha256), &[0u8; 20])
        .unwrap_err();
    assert!(e.to_string().contains("32 bytes"), "{e}");
    let e = s
        .sign_digest(SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256), &[0u8; 32])
        .unwrap_err();
    assert!(matches!(e, Error::MechanismNotSupported { .. }), "{e}");
    assert_eq!(
        s.algorithms(),
        vec![
            SignatureAlgorithm::Ecdsa(HashAlg::Sha256),
            SignatureAlgorithm::Ecdsa(HashAlg::Sha384)
        ]
    );
}
