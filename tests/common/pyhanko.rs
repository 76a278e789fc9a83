//! pyHanko, the independent PAdES validator the PDF tests compare kyso with (`make deps`
//! installs `pyhanko-cli` from PyPI).

use std::path::Path;
use std::process::Command;

use super::{stderr, stdout};

/// `pyhanko ARGS…` in `dir` (the installed CLI, through Python so no shell shim is needed);
/// its output, the run having succeeded.
pub fn pyhanko(args: &[&str], dir: &Path) -> String {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys; from pyhanko.__main__ import launch; sys.argv[0] = 'pyhanko'; sys.exit(launch())",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "pyhanko {args:?}: {text}");
    text
}

/// Each field's verdict in `pyhanko sign validate --pretty-print`: valid, and only signing
/// changes after it (or none).
pub fn fields_ok(report: &str) -> Vec<bool> {
    report
        .split("Field ")
        .skip(1)
        .map(|part| {
            part.contains("The signature is judged VALID")
                && (part.contains("The signature covers the entire file")
                    || part.contains("All modifications relate to signing and form filling"))
        })
        .collect()
}

/// A pyHanko signer in `dir`: `ph.key` and `ph.pem`, a self-signed RSA certificate whose key
/// usage allows signatures.
pub fn make_signer(dir: &Path) {
    let st = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
        ])
        .args(["-subj", "/C=VN/CN=PYHANKO SIGNER"])
        .args([
            "-addext",
            "keyUsage=critical,digitalSignature,nonRepudiation",
        ])
        .arg("-keyout")
        .arg(dir.join("ph.key"))
        .arg("-out")
        .arg(dir.join("ph.pem"))
        .status()
        .unwrap();
    assert!(st.success());
}

/// pyHanko signs `input` into `output` (field `PH`) with [`make_signer`]'s key.
pub fn sign(dir: &Path, input: &str, output: &str) {
    pyhanko(
        &[
            "sign",
            "addsig",
            "--field",
            "PH",
            "pemder",
            "--key",
            "ph.key",
            "--cert",
            "ph.pem",
            "--no-pass",
            input,
            output,
        ],
        dir,
    );
}

/// pyHanko's `--pretty-print` report on `file`, trusting its own signer and the fixture CA.
pub fn validate(dir: &Path, file: &str) -> String {
    pyhanko(
        &[
            "sign",
            "validate",
            "--pretty-print",
            "--trust",
            "ph.pem",
            "--trust",
            "ca.pem",
            file,
        ],
        dir,
    )
}

/// pyHanko reads the Document Security Store of `file` and validates every end-entity
/// certificate in it (the signer's, the TSAs') against the trust root `ca` with the store's
/// OCSP responses and CRLs alone: revocation data required, nothing fetched. One line per
/// certificate: `OK <subject>` or `FAIL <subject>: <why>`.
pub fn validate_from_dss(dir: &Path, ca: &str, file: &str) -> String {
    const SCRIPT: &str = r#"
import sys, asyncio
from asn1crypto import ocsp, crl
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.keys import load_cert_from_pemder
from pyhanko_certvalidator import ValidationContext, CertificateValidator
ca = load_cert_from_pemder(sys.argv[1])
dss = DocumentSecurityStore.read_dss(PdfFileReader(open(sys.argv[2], 'rb')))
ocsps = [ocsp.OCSPResponse.load(o.get_object().data) for o in dss.ocsps]
crls = [crl.CertificateList.load(c.get_object().data) for c in dss.crls]
certs = list(dss.load_certs())
for c in certs:
    if c.ca:
        continue
    vc = ValidationContext(trust_roots=[ca], other_certs=certs, ocsps=ocsps, crls=crls,
                           allow_fetching=False, revocation_mode='require')
    try:
        asyncio.run(CertificateValidator(c, validation_context=vc).async_validate_usage(set()))
        print('OK', c.subject.human_friendly)
    except Exception as e:
        print('FAIL', c.subject.human_friendly + ':', e)
"#;
    let out = Command::new("python3")
        .args(["-c", SCRIPT, ca, file])
        .current_dir(dir)
        .output()
        .unwrap();
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "pyHanko DSS validation: {text}");
    text
}
