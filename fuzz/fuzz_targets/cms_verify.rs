//! CMS input to the verifier (`kyso verify` on a `.p7s`): parsing, the signature check, the
//! ESS binding, and trust against the embedded certificates.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut digest = |h: kyso::HashAlg| Ok(h.digest(b"the detached content"));
    if let Ok(v) = kyso::document::verify_detached(data, &mut digest) {
        let _ = v.is_intact();
        let signer = v.signer_certificate().clone();
        let t = kyso::document::verify_trust(
            &signer,
            v.embedded_certificates(),
            v.embedded_certificates(),
            signer.not_after(),
        );
        let _ = t.is_trusted();
    }
});
