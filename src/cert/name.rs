//! Distinguished names as RFC 4514 strings that people can read: most significant RDN last,
//! UTF-8 kept as is (`CN=NGUYỄN VĂN AN`), `UID` by its short name.
//!
//! x509-parser's own `Display` keeps DER order (most significant first), separates with `, `
//! and does not escape per RFC 4514, so kyso renders names itself.

use x509_parser::asn1_rs::{Any, Class, Tag, ToDer};
use x509_parser::prelude::X509Name;
use x509_parser::x509::AttributeTypeAndValue;

/// OID of the `UID` (userId) attribute, where Vietnamese CAs put `CCCD:`/`MST:`… numbers.
pub const OID_UID: &str = "0.9.2342.19200300.100.1.1";
pub(super) const OID_CN: &str = "2.5.4.3";
pub(super) const OID_SERIAL_NUMBER: &str = "2.5.4.5";

/// Compares two RFC 4514 names loosely (case, repeated spaces), as RFC 5280 name matching does
/// for the string types CAs use.
pub(crate) fn names_match(a: &str, b: &str) -> bool {
    fn norm(s: &str) -> String {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    }
    a == b || norm(a) == norm(b)
}

/// The RFC 4514 short name of an attribute type, or its dotted OID.
fn attribute_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        // RFC 4514 section 3
        "2.5.4.3" => "CN",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.6" => "C",
        "2.5.4.9" => "STREET",
        "0.9.2342.19200300.100.1.25" => "DC",
        OID_UID => "UID",
        // other registered LDAP descriptors (RFC 4519, RFC 2985)
        "2.5.4.4" => "SN",
        OID_SERIAL_NUMBER => "serialNumber",
        "2.5.4.12" => "title",
        "2.5.4.13" => "description",
        "2.5.4.15" => "businessCategory",
        "2.5.4.17" => "postalCode",
        "2.5.4.20" => "telephoneNumber",
        "2.5.4.42" => "givenName",
        "2.5.4.43" => "initials",
        "2.5.4.44" => "generationQualifier",
        "2.5.4.46" => "dnQualifier",
        "2.5.4.65" => "pseudonym",
        "2.5.4.97" => "organizationIdentifier",
        "1.2.840.113549.1.9.1" => "emailAddress",
        _ => return None,
    })
}

/// The text of a string-typed attribute value, decoded to UTF-8; `None` for other types.
fn attribute_text(value: &Any<'_>) -> Option<String> {
    if value.header.class() != Class::Universal {
        return None;
    }
    let data = value.data;
    match value.header.tag() {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::NumericString
        | Tag::VisibleString => std::str::from_utf8(data).ok().map(str::to_string),
        Tag::BmpString => {
            if !data.len().is_multiple_of(2) {
                return None;
            }
            let units: Vec<u16> = data
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        Tag::UniversalString => {
            if !data.len().is_multiple_of(4) {
                return None;
            }
            data.chunks(4)
                .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
                .collect()
        }
        // T.61 in practice carries Latin-1.
        Tag::TeletexString => Some(data.iter().map(|&b| char::from(b)).collect()),
        _ => None,
    }
}

/// Appends a value escaped per RFC 4514 section 2.4 (UTF-8 kept as is).
fn escape_value(out: &mut String, value: &str) {
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
}

fn render_attribute(out: &mut String, attr: &AttributeTypeAndValue<'_>) {
    let oid = attr.attr_type().to_id_string();
    out.push_str(attribute_name(&oid).unwrap_or(&oid));
    out.push('=');
    match attribute_text(attr.attr_value()) {
        Some(text) => escape_value(out, &text),
        None => {
            // RFC 4514: values without a string form are '#' and the hex of their BER encoding.
            out.push('#');
            match attr.attr_value().to_der_vec() {
                Ok(der) => out.push_str(&hex::encode(der)),
                Err(_) => out.push_str(&hex::encode(attr.attr_value().data)),
            }
        }
    }
}

/// Renders a Name as RFC 4514: RDNs most significant last, multi-valued RDNs joined with `+`.
pub(crate) fn render_name(name: &X509Name<'_>) -> String {
    let mut out = String::new();
    let rdns: Vec<_> = name.iter_rdn().collect();
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, attr) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            render_attribute(&mut out, attr);
        }
    }
    out
}

/// Text values of the attributes with the given OID, in DER order.
pub(crate) fn attribute_values(name: &X509Name<'_>, oid: &str) -> Vec<String> {
    name.iter_attributes()
        .filter(|a| a.attr_type().to_id_string() == oid)
        .filter_map(|a| attribute_text(a.attr_value()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4514_escaping() {
        let mut s = String::new();
        escape_value(&mut s, "#a,b+c\"d\\e<f>g;h ");
        assert_eq!(s, "\\#a\\,b\\+c\\\"d\\\\e\\<f\\>g\\;h\\ ");
        let mut s = String::new();
        escape_value(&mut s, " Hà Nội\0");
        assert_eq!(s, "\\ Hà Nội\\00");
        let mut s = String::new();
        escape_value(&mut s, "a#b c");
        assert_eq!(s, "a#b c");
    }
}

/// `text` safe to print on a terminal: control characters (ESC sequences could erase a line
/// and print "(trusted)" in its place), line breaks and bidirectional overrides (which
/// reorder what is shown) become visible escapes (`\u{1b}`); everything else, Vietnamese
/// included, is kept. For names and labels that come from certificates, tokens and files.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod printable_tests {
    use super::printable;

    #[test]
    fn escapes_reach_the_terminal_as_text() {
        assert_eq!(printable("NGUYỄN VĂN AN"), "NGUYỄN VĂN AN");
        assert_eq!(
            printable("EVIL\u{1b}[2K\rNGUYEN VAN AN (trusted)\n"),
            "EVIL\\u{1b}[2K\\u{d}NGUYEN VAN AN (trusted)\\u{a}"
        );
        assert_eq!(printable("a\u{202e}b"), "a\\u{202e}b");
    }
}
