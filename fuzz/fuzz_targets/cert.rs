//! Certificate parsing and Vietnamese identity extraction: `Certificate::from_der`, every
//! accessor `kyso certs` shows, PEM input, and a chain build with the input as leaf and anchor.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cert) = kyso::Certificate::from_der(data.to_vec()) {
        let s = cert.summary();
        let _ = (
            s.subject.len(),
            s.identity.entries().len(),
            cert.identity().cccd(),
        );
        let _ = (
            cert.key_type(),
            cert.is_ca(),
            cert.is_self_issued(),
            cert.serial_der(),
        );
        let _ = cert.to_pem();
        let _ = cert.verify_signed_by(&cert);
        let at = cert.not_before();
        let _ = kyso::cert::build_chain(&cert, &[], std::slice::from_ref(&cert));
        let _ = kyso::cert::check_validity(std::slice::from_ref(&cert), at);
        let _ = kyso::public_key::PublicKey::from_spki_der(cert.spki_der());
    }
    let _ = kyso::Certificate::from_pem(data);
});
