//! XML input to the XMLDSig verifier and signer (`kyso verify` and `kyso sign --format xml`
//! on hostile files): the verifier on the input; the signing preparation for a profile and
//! role taken from the first byte (parse, DTD and duplicate-Id refusal, placement, digests,
//! SignedInfo); a software signature checked as the pipeline checks the token's; and the
//! verifier on the output, where kyso's own signature must hold: the pipeline writes outputs
//! without parsing them again, so this is where a splice that breaks them would show.
#![no_main]

use kyso::document::xml::{verify_xml, PreparedXml, Profile, Role, SubjectName, XmlOptions};
use kyso::{HashAlg, SignatureAlgorithm, Signer};
use libfuzzer_sys::fuzz_target;

#[path = "../src/soft_signer.rs"]
mod soft_signer;

const PROFILES: [Profile; 6] = [
    Profile::Auto,
    Profile::Einvoice,
    Profile::Enveloped,
    Profile::Tax,
    Profile::Bhxh,
    Profile::XadesBes,
];

fuzz_target!(|input: &[u8]| {
    let Some((&choice, data)) = input.split_first() else {
        return;
    };
    if let Ok(sigs) = verify_xml("fuzz.xml", data) {
        for s in &sigs {
            let _ = s.is_intact();
        }
    }
    let signer = soft_signer::get();
    let alg = SignatureAlgorithm::Ecdsa(HashAlg::Sha256);
    let opts = XmlOptions {
        profile: PROFILES[usize::from(choice) % PROFILES.len()],
        role: if choice & 0x40 == 0 {
            Role::Seller
        } else {
            Role::Buyer
        },
        algorithm: None,
        subject_name: if choice & 0x80 == 0 {
            SubjectName::Rfc4514
        } else {
            SubjectName::DotNet
        },
    };
    let time = time::OffsetDateTime::UNIX_EPOCH;
    let Ok(prepared) =
        PreparedXml::prepare("fuzz.xml", data, signer.certificate(), alg, &opts, time)
    else {
        return;
    };
    let prepared_id = prepared.id().to_owned();
    let raw = signer.sign_digest(alg, &prepared.digest()).unwrap();
    let verifier = kyso::checked::Verifier::new(signer.certificate(), "fuzz").unwrap();
    let checked = verifier
        .check_message(alg, prepared.signed_info(), raw)
        .expect("the software signature over SignedInfo does not check");
    let signed = prepared
        .assemble(&checked, None)
        .expect("a prepared XML signature could not be assembled");
    let sigs = verify_xml("signed.xml", &signed).expect("kyso cannot read back XML it signed");
    let ours = sigs
        .iter()
        .find(|s| s.id.as_deref() == Some(prepared_id.as_str()))
        .expect("kyso's XML signature is missing from its output");
    assert!(
        ours.signature_valid && ours.references_valid,
        "kyso's own XML signature at {} does not verify: {:?}",
        ours.location,
        ours.problems
    );
});
