//! What qpdf (an independent reader) says is in a signed PDF: the signature widget's numbers.

use std::path::Path;
use std::process::Command;

use super::stdout;

/// The numbers of `key`'s array in qpdf's text of the newest object that has it.
pub fn array_of(pdf: &Path, id: u32, key: &str) -> Vec<f64> {
    let out = Command::new("qpdf")
        .arg(format!("--show-object={id}"))
        .arg(pdf)
        .output()
        .unwrap();
    let text = stdout(&out);
    let at = text.find(key).unwrap_or_else(|| panic!("{key} in {text}"));
    text[at + key.len()..]
        .trim_start()
        .trim_start_matches('[')
        .split(']')
        .next()
        .unwrap()
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect()
}

/// The object number of the newest signature field's widget, as qpdf's JSON names it.
pub fn widget_of(pdf: &Path) -> u32 {
    let json = Command::new("qpdf")
        .args(["--json", "--json-key=acroform"])
        .arg(pdf)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let field = v["acroform"]["fields"].as_array().unwrap().last().unwrap();
    field["annotation"]["object"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}
