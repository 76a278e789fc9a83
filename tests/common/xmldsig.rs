//! XML signature checks by independent validators (xmlsec1, Python's signxml) and by
//! `kyso verify`, shared by the XML tests.

use std::path::Path;
use std::process::Command;

use super::*;

/// xmlsec1's verdict on the signature at `xpath` (the first one when `None`), the fixture CA
/// the only trust anchor.
pub fn xmlsec1(fx: &Fixture, file: &Path, xpath: Option<&str>) -> (bool, String) {
    let mut c = Command::new("xmlsec1");
    c.args(["--verify", "--id-attr:Id", "DLHDon", "--trusted-pem"])
        .arg(fx.path("ca.pem"));
    if let Some(x) = xpath {
        c.args(["--node-xpath", x]);
    }
    let out = c
        .arg(file)
        .output()
        .expect("xmlsec1 (Debian package xmlsec1)");
    let err = stderr(&out);
    (out.status.success() && err.starts_with("OK"), err)
}

/// signxml checks the one signature whose parent is `parent` (the others removed first:
/// each e-invoice signature covers DLHDon only), expecting `references` references.
pub const SIGNXML: &str = r#"
import sys
from lxml import etree
from signxml import XMLVerifier
path, ca, parent, refs, id_attr = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
root = etree.parse(path).getroot()
for s in root.findall('.//{http://www.w3.org/2000/09/xmldsig#}Signature'):
    if parent != '*' and etree.QName(s.getparent()).localname != parent:
        s.getparent().remove(s)
v = XMLVerifier()
# unprefixed signatures, as Vietnamese receivers' samples have them (signxml #225, #275)
v.excise_empty_xmlns_declarations = True
res = v.verify(root, ca_pem_file=ca, id_attribute=id_attr, expect_references=refs,
               validate_schema=False)
print('verified', len(res) if isinstance(res, list) else 1)
"#;

pub fn signxml(fx: &Fixture, file: &Path, parent: &str, references: usize) -> (bool, String) {
    signxml_with(fx, file, parent, references, "Id")
}

/// [`signxml`] with the identifier attribute `id_attr` (`id` in tax declarations).
pub fn signxml_with(
    fx: &Fixture,
    file: &Path,
    parent: &str,
    references: usize,
    id_attr: &str,
) -> (bool, String) {
    let out = Command::new("python3")
        .args(["-c", SIGNXML])
        .arg(file)
        .arg(fx.path("ca.pem"))
        .arg(parent)
        .arg(references.to_string())
        .arg(id_attr)
        .output()
        .unwrap();
    (
        out.status.success() && stdout(&out).contains("verified"),
        format!("{}{}", stdout(&out), stderr(&out)),
    )
}

pub const NBAN: &str = "//*[local-name()='NBan']/*[local-name()='Signature']";
pub const NMUA: &str = "//*[local-name()='NMua']/*[local-name()='Signature']";

/// The text with every `<Signature …>…</Signature>` left out.
pub fn without_signatures(s: &str) -> String {
    let mut out = s.to_owned();
    while let Some(start) = out.find("<Signature ") {
        let end = out[start..].find("</Signature>").unwrap() + start + "</Signature>".len();
        out.replace_range(start..end, "");
    }
    out
}

/// `kyso verify --json` of one file: (exit code, the reports).
pub fn kyso_verify(fx: &Fixture, file: &str) -> (Option<i32>, Vec<serde_json::Value>) {
    let out = fx.verify_json(&[file]);
    let reports = json(&out).as_array().cloned().unwrap_or_default();
    (out.status.code(), reports)
}

/// signxml's XAdES verifier on `file` with the fixture's CA: Ok when it verifies both
/// references (the data and the signed properties), else what it said.
pub fn signxml_xades(fx: &Fixture, file: &Path) -> Result<(), String> {
    let out = std::process::Command::new("python3")
        .args(["-c", XADES_VERIFY])
        .arg(file)
        .arg(fx.path("ca.pem"))
        .output()
        .unwrap();
    if out.status.success() && stdout(&out).contains("verified 2") {
        Ok(())
    } else {
        Err(stderr(&out))
    }
}

/// signxml's XAdES verifier: the signed properties, the SigningCertificateV2 digest.
const XADES_VERIFY: &str = r#"
import sys
from lxml import etree
from signxml.xades import XAdESVerifier, XAdESSignatureConfiguration
root = etree.parse(sys.argv[1]).getroot()
cfg = XAdESSignatureConfiguration(expect_references=2)
res = XAdESVerifier().verify(root, ca_pem_file=sys.argv[2], expect_config=cfg)
print('verified', len(res))
"#;
