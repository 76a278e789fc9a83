//! PDF input to the PAdES signer and verifier: the verifier on the input, the signer's
//! preparation (parsing, incremental update, byte range), a software signature, and the
//! verifier again on what the signer wrote — which must then hold a valid signature.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../src/soft_signer.rs"]
mod soft_signer;

fuzz_target!(|data: &[u8]| {
    let _ = kyso::document::verify_pdf(data);
    let signer = soft_signer::get();
    let alg = kyso::SignatureAlgorithm::Ecdsa(kyso::HashAlg::Sha256);
    let options = kyso::document::PadesOptions {
        chain: Vec::new(),
        signing_time: time::OffsetDateTime::UNIX_EPOCH,
        reason: Some("Phê duyệt".into()),
        location: None,
        contact: None,
        tsa: None,
        visible: None,
    };
    if let Ok(signed) = kyso::document::sign_pdf(data, signer, alg, &options) {
        let sigs =
            kyso::document::verify_pdf(&signed).expect("kyso cannot read back a PDF it signed");
        let last = sigs
            .last()
            .expect("kyso's signature is missing from its output");
        match &last.result {
            kyso::document::PdfSignatureResult::Signature(v) => {
                assert!(v.is_intact(), "kyso's own signature does not verify: {v:?}")
            }
            kyso::document::PdfSignatureResult::Error(e) => {
                panic!("kyso's own signature cannot be verified: {e}")
            }
            kyso::document::PdfSignatureResult::DocTimestamp(_) => {
                panic!("kyso's last entry is a document timestamp, but it only signed")
            }
        }
    }
});
