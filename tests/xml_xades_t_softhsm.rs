//! XAdES-T (`kyso sign --format xml --profile xades-t --tsa URL`) against the local TSA: the
//! base signature checked by xmlsec1 and signxml's XAdES verifier, the SignatureTimeStamp by
//! `openssl ts -verify` over the SignatureValue as lxml canonicalises it, and by `kyso
//! verify`, which rejects a tampered or misplaced token; no TSA is refused before the PIN.

mod common;

use std::process::Command;

use base64::Engine;
use common::servers::{openssl_ts_verify, Tsa, TsaMode};
use common::xmldsig::*;
use common::*;

const DOC: &str =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<HopDong xmlns=\"urn:example:hopdong\">\
                   <SoHD>01/2026</SoHD><BenA>CÔNG TY TNHH KYSO</BenA></HopDong>\n";

/// lxml (libxml2's C14N, independent of kyso's): the signature's SignatureValue element
/// canonicalised (inclusive C14N 1.0, in its place) and the timestamp token it carries.
const EXTRACT: &str = r#"
import sys, base64
from lxml import etree
ns = {'ds': 'http://www.w3.org/2000/09/xmldsig#', 'xades': 'http://uri.etsi.org/01903/v1.3.2#'}
root = etree.parse(sys.argv[1]).getroot()
ts = root.find('.//xades:SignatureTimeStamp', ns)
assert ts.find('ds:CanonicalizationMethod', ns).get('Algorithm') == \
    'http://www.w3.org/TR/2001/REC-xml-c14n-20010315'
sv = root.find('.//ds:SignatureValue', ns)
open(sys.argv[2], 'wb').write(etree.tostring(sv, method='c14n'))
open(sys.argv[3], 'wb').write(base64.b64decode(ts.find('xades:EncapsulatedTimeStamp', ns).text))
"#;

/// The canonical SignatureValue and the token of the signed file `name`.
fn extracted(fx: &Fixture, name: &str) -> (Vec<u8>, Vec<u8>) {
    let (sv, tok) = (fx.path("sv.c14n"), fx.path("ts.der"));
    let out = Command::new("python3")
        .args(["-c", EXTRACT])
        .arg(fx.path(name))
        .arg(&sv)
        .arg(&tok)
        .output()
        .unwrap();
    assert_ok(&out);
    (std::fs::read(sv).unwrap(), std::fs::read(tok).unwrap())
}

fn encapsulated(text: &str) -> &str {
    let start = text.find("<xades:EncapsulatedTimeStamp>").unwrap() + 29;
    let end = text.find("</xades:EncapsulatedTimeStamp>").unwrap();
    &text[start..end]
}

#[test]
fn xades_t_verifies_in_xmlsec1_signxml_openssl_ts_and_kyso() {
    let fx = Fixture::new();
    let tsa = Tsa::start(&fx.dir);
    let url = tsa.url();
    std::fs::create_dir(fx.path("hd")).unwrap();
    for n in 1..=3 {
        std::fs::write(fx.path(&format!("hd/{n}.xml")), DOC).unwrap();
    }
    std::fs::write(fx.path("ec.xml"), DOC).unwrap();
    let xades_t = ["--profile", "xades-t", "--tsa", &url];
    // RSA-2048: three documents in one run, one timestamp request each
    assert_ok(&fx.sign("xml", "01", &[&xades_t[..], &["hd"]].concat()));
    assert_eq!(tsa.server.count(), 3, "one TSA request per document");
    // ECDSA P-256
    assert_ok(&fx.sign("xml", "03", &[&xades_t[..], &["ec.xml"]].concat()));
    assert_eq!(tsa.server.count(), 4);
    for (name, alg) in [
        ("hd/1.signed.xml", "rsa-sha256"),
        ("ec.signed.xml", "ecdsa-sha256"),
    ] {
        let signed = fx.path(name);
        let text = std::fs::read_to_string(&signed).unwrap();
        assert!(text.contains(alg), "{text}");
        assert!(
            text.contains("</xades:SignedProperties><xades:UnsignedProperties>")
                && text.contains("<xades:SignatureTimeStamp Id="),
            "{text}"
        );
        let (ok, err) = xmlsec1(&fx, &signed, None);
        assert!(ok, "xmlsec1 {name}: {err}");
        if let Err(e) = signxml_xades(&fx, &signed) {
            panic!("signxml XAdES {name}: {e}");
        }
        let (sv, token) = extracted(&fx, name);
        assert!(sv.starts_with(b"<ds:SignatureValue xmlns=\"urn:example:hopdong\""));
        let (ok, out) = openssl_ts_verify(&fx, &tsa, &sv, &token);
        assert!(ok, "openssl ts {name}: {out}");
        // the imprint is over the element, not its text alone
        let (ok, _) = openssl_ts_verify(&fx, &tsa, &sv[40..], &token);
        assert!(!ok);

        let (code, reports) = kyso_verify(&fx, name);
        assert_eq!(code, Some(0), "{reports:#?}");
        let ts = &reports[0]["xml"]["timestamp"];
        assert_eq!(ts["imprint_matches"], true, "{ts:#}");
        assert_eq!(ts["signature_valid"], true, "{ts:#}");
        assert_eq!(ts["trust"]["chain_to_anchor"], true, "{ts:#}");
        assert!(ts["tsa"].as_str().unwrap().contains("Kyso Test TSA"));
    }
    let out = fx.verify_text(&["ec.signed.xml"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("timestamp  20") && text.contains("token valid, imprint matches"),
        "{text}"
    );
    assert!(text.contains("tsa chain  CN=Kyso Test TSA"), "{text}");

    // a changed byte in the token, and a valid token of another signature: both rejected
    let ec = std::fs::read_to_string(fx.path("ec.signed.xml")).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut token = b64.decode(encapsulated(&ec)).unwrap();
    let at = token.len() - 20;
    token[at] ^= 1;
    let rsa = std::fs::read_to_string(fx.path("hd/1.signed.xml")).unwrap();
    for (name, replacement, why) in [
        ("flipped.xml", b64.encode(&token), "signature timestamp"),
        ("moved.xml", encapsulated(&rsa).to_owned(), "other data"),
    ] {
        std::fs::write(fx.path(name), ec.replace(encapsulated(&ec), &replacement)).unwrap();
        let (code, reports) = kyso_verify(&fx, name);
        assert_eq!(code, Some(1), "{name}: {reports:#?}");
        assert_eq!(reports[0]["status"], "invalid", "{name}");
        let error = reports[0]["error"].as_str().unwrap();
        assert!(
            error.contains("signature timestamp") && error.contains(why),
            "{name}: {error}"
        );
    }
}

#[test]
fn xades_t_without_a_tsa_is_refused_before_the_pin_and_a_failing_tsa_writes_nothing() {
    let fx = Fixture::new();
    std::fs::write(fx.path("a.xml"), DOC).unwrap();
    let args = fx.sign_args("xml", "01", &["--profile", "xades-t", "a.xml"]);
    let (out, log) = fx.run_spied(&strs(&args));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--tsa URL"), "{}", stderr(&out));
    assert_eq!(spy_count(&log, "C_Login"), 0, "no PIN spent");
    // a timestamp with a profile that has no place for one
    let tsa = Tsa::start(&fx.dir);
    let url = tsa.url();
    let out = fx.sign(
        "xml",
        "01",
        &["--profile", "einvoice", "--tsa", &url, "a.xml"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--profile xades-t"),
        "{}",
        stderr(&out)
    );
    // the TSA answers garbage: nothing unstamped is written
    tsa.set(TsaMode::Garbage);
    let out = fx.sign(
        "xml",
        "01",
        &["--profile", "xades-t", "--tsa", &url, "a.xml"],
    );
    assert!(!out.status.success());
    assert!(!fx.path("a.signed.xml").exists(), "{}", stderr(&out));
}

#[test]
fn a_revocation_after_the_xades_t_timestamp_leaves_the_signature_valid() {
    use common::servers::{free_port, import_key, issue_cert, OcspResponder};
    let fx = Fixture::new();
    let tsa = Tsa::start(&fx.dir);
    let port = free_port();
    issue_cert(
        &fx.dir,
        "later",
        "/C=VN/CN=BÙI THỊ LATER/UID=CCCD:001099007104",
        &format!(
            "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature, \
             nonRepudiation\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = \
             keyid:always\nauthorityInfoAccess = OCSP;URI:http://127.0.0.1:{port}/\n"
        ),
        "0x7104",
    );
    import_key(&fx, "later", "24");
    std::fs::write(fx.path("t.xml"), DOC).unwrap();
    std::fs::write(fx.path("b.xml"), DOC).unwrap();
    let url = tsa.url();
    assert_ok(&fx.sign(
        "xml",
        "24",
        &["--profile", "xades-t", "--tsa", &url, "t.xml"],
    ));
    assert_ok(&fx.sign("xml", "24", &["--profile", "xades-bes", "b.xml"]));
    // signed and timestamped now; the responder says revoked on 2030-12-30
    let index = fx.path("index.txt");
    std::fs::write(
        &index,
        "R\t301231000000Z\t301230000000Z,superseded\t7104\tunknown\t/CN=later\n",
    )
    .unwrap();
    let ca = fx.path("ca.pem");
    let _ocsp = OcspResponder::start(port, &index, &ca, &ca, &fx.path("ca.key"));
    let verify = |name: &str| {
        let out = fx.run(&["--json", "verify", "--trust", ca.to_str().unwrap(), name]);
        (out.status.code(), json(&out)[0].clone())
    };
    let (code, v) = verify("t.signed.xml");
    assert_eq!(code, Some(0), "{v:#}");
    assert_eq!(v["revocation"]["status"], "revoked", "{v:#}");
    assert!(
        v["revocation"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("after the signature timestamp")),
        "{v:#}"
    );
    // without the timestamp the same revocation makes the signature invalid
    let (code, v) = verify("b.signed.xml");
    assert_eq!(code, Some(1), "{v:#}");
    assert_eq!(v["status"], "invalid", "{v:#}");
}
