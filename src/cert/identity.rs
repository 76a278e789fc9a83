//! The holder's Vietnamese identity numbers, read from the subject's `UID` attributes
//! (`UID=CCCD:001099012345`, `UID=MST:0100686209-199`, …).
//!
//! Nothing is dropped: an unknown prefix or a malformed number is kept and flagged, because the
//! person reading it (or a relying party) must see what the CA actually wrote.

use serde::ser::{Serialize, SerializeMap, Serializer};

/// What kind of identity number a `UID` value carries, from its prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    /// `CCCD:` citizen identity card (căn cước công dân), 12 digits.
    Cccd,
    /// `CMND:` old identity card (chứng minh nhân dân), 9 or 12 digits.
    Cmnd,
    /// `HC:` passport (hộ chiếu).
    Hc,
    /// `MST:` tax code (mã số thuế): 10 or 13 digits, or a branch `0100686209-199`.
    Mst,
    /// `MNS:` state budget unit code (mã đơn vị quan hệ ngân sách), 7 digits.
    Mns,
    /// Any other prefix, or none: the raw value is kept.
    Other,
}

impl IdentityKind {
    /// The JSON key and the usual prefix (without `:`), e.g. `cccd` / `CCCD`.
    pub fn key(&self) -> &'static str {
        match self {
            IdentityKind::Cccd => "cccd",
            IdentityKind::Cmnd => "cmnd",
            IdentityKind::Hc => "hc",
            IdentityKind::Mst => "mst",
            IdentityKind::Mns => "mns",
            IdentityKind::Other => "other",
        }
    }

    fn from_prefix(prefix: &str) -> Option<Self> {
        Some(match prefix.to_ascii_uppercase().as_str() {
            "CCCD" => IdentityKind::Cccd,
            "CMND" => IdentityKind::Cmnd,
            "HC" => IdentityKind::Hc,
            "MST" => IdentityKind::Mst,
            "MNS" => IdentityKind::Mns,
            _ => return None,
        })
    }
}

/// One identity value as the certificate carries it, with the result of its format check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IdentityEntry {
    /// Kind, from the prefix.
    pub kind: IdentityKind,
    /// The number without its prefix (trimmed); for [`IdentityKind::Other`] the whole raw value.
    pub value: String,
    /// Whether the value has the expected format for its kind.
    pub valid: bool,
    /// Why it is not valid (or, for another kind, what was odd about it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// The holder's identity numbers from the subject.
///
/// Serialises as `{"cccd": "001099012345"}` (keys `cccd`, `cmnd`, `hc`, `mst`, `mns` when
/// present, `other` for unknown prefixes); the full `entries` list is added only when it says
/// more than the keys: some value is malformed or a kind appears more than once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    entries: Vec<IdentityEntry>,
}

impl Identity {
    /// Parses raw `UID` values such as `"CCCD:001099012345"` (prefix case and spaces around
    /// `:` are tolerated). Order is kept.
    pub fn from_uid_values<S: AsRef<str>>(values: &[S]) -> Identity {
        Identity {
            entries: values.iter().map(|v| parse_entry(v.as_ref())).collect(),
        }
    }

    /// Every value found, in subject order, with its format check.
    pub fn entries(&self) -> &[IdentityEntry] {
        &self.entries
    }

    /// True when the subject carries no identity value at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value for a kind: the first well-formed one, else the first one.
    pub fn get(&self, kind: IdentityKind) -> Option<&str> {
        let mut of_kind = self.entries.iter().filter(|e| e.kind == kind);
        let first = of_kind.clone().next()?;
        Some(
            of_kind
                .find(|e| e.valid)
                .map_or(first.value.as_str(), |e| e.value.as_str()),
        )
    }

    /// Citizen identity card number (`CCCD:`).
    pub fn cccd(&self) -> Option<&str> {
        self.get(IdentityKind::Cccd)
    }

    /// Old identity card number (`CMND:`).
    pub fn cmnd(&self) -> Option<&str> {
        self.get(IdentityKind::Cmnd)
    }

    /// Passport number (`HC:`).
    pub fn passport(&self) -> Option<&str> {
        self.get(IdentityKind::Hc)
    }

    /// Tax code (`MST:`), branch suffix kept as written.
    pub fn mst(&self) -> Option<&str> {
        self.get(IdentityKind::Mst)
    }

    /// Budget unit code (`MNS:`).
    pub fn mns(&self) -> Option<&str> {
        self.get(IdentityKind::Mns)
    }

    /// Raw values with an unknown prefix or none.
    pub fn other(&self) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|e| e.kind == IdentityKind::Other)
            .map(|e| e.value.as_str())
            .collect()
    }

    /// Whether every value is well formed.
    pub fn all_valid(&self) -> bool {
        self.entries.iter().all(|e| e.valid)
    }

    /// Whether the keys alone lose information (a malformed value, or a kind seen twice).
    fn needs_entries(&self) -> bool {
        if !self.all_valid() {
            return true;
        }
        let mut seen = Vec::new();
        for e in self
            .entries
            .iter()
            .filter(|e| e.kind != IdentityKind::Other)
        {
            if seen.contains(&&e.kind) {
                return true;
            }
            seen.push(&e.kind);
        }
        false
    }
}

const KEYED: [IdentityKind; 5] = [
    IdentityKind::Cccd,
    IdentityKind::Cmnd,
    IdentityKind::Hc,
    IdentityKind::Mst,
    IdentityKind::Mns,
];

impl Serialize for Identity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for kind in KEYED {
            if let Some(v) = self.get(kind.clone()) {
                map.serialize_entry(kind.key(), v)?;
            }
        }
        let other = self.other();
        if !other.is_empty() {
            map.serialize_entry("other", &other)?;
        }
        if self.needs_entries() {
            map.serialize_entry("entries", &self.entries)?;
        }
        map.end()
    }
}

fn parse_entry(raw: &str) -> IdentityEntry {
    let raw = raw.trim();
    let other = |problem: Option<&str>| IdentityEntry {
        kind: IdentityKind::Other,
        value: raw.to_string(),
        valid: problem.is_none(),
        problem: problem.map(str::to_string),
    };
    if raw.is_empty() {
        return other(Some("empty value"));
    }
    let Some((prefix, value)) = raw.split_once(':') else {
        return other(Some("no prefix such as CCCD: or MST:"));
    };
    let prefix = prefix.trim();
    let Some(kind) = IdentityKind::from_prefix(prefix) else {
        if prefix.is_empty() {
            return other(Some("empty prefix"));
        }
        return other(None);
    };
    let value = value.trim().to_string();
    let problem = check(&kind, &value);
    IdentityEntry {
        kind,
        value,
        valid: problem.is_none(),
        problem,
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The format problem of a value, if any.
fn check(kind: &IdentityKind, v: &str) -> Option<String> {
    if v.is_empty() {
        return Some("empty value".into());
    }
    let n = v.chars().count();
    match kind {
        IdentityKind::Cccd if !all_digits(v) => Some("CCCD must be digits only".into()),
        IdentityKind::Cccd if n != 12 => Some(format!("CCCD must have 12 digits, not {n}")),
        IdentityKind::Cmnd if !all_digits(v) => Some("CMND must be digits only".into()),
        IdentityKind::Cmnd if n != 9 && n != 12 => {
            Some(format!("CMND must have 9 or 12 digits, not {n}"))
        }
        IdentityKind::Mst => {
            let ok = match v.split_once('-') {
                Some((main, branch)) => {
                    all_digits(main) && main.len() == 10 && all_digits(branch) && branch.len() == 3
                }
                None => all_digits(v) && (n == 10 || n == 13),
            };
            (!ok).then(|| {
                "MST must be 10 or 13 digits, or 10 digits, '-' and 3 digits for a branch".into()
            })
        }
        IdentityKind::Mns if !all_digits(v) || n != 7 => {
            Some(format!("MNS must have 7 digits, got '{v}'"))
        }
        IdentityKind::Hc if !v.bytes().all(|b| b.is_ascii_alphanumeric()) || n > 20 => {
            Some("passport number must be letters and digits only".into())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(raw: &str) -> IdentityEntry {
        Identity::from_uid_values(&[raw]).entries()[0].clone()
    }

    #[test]
    fn all_prefixes() {
        let id = Identity::from_uid_values(&[
            "CCCD:001099012345",
            "CMND:012345678",
            "HC:B1234567",
            "MST:0100686209",
            "MNS:1234567",
        ]);
        assert!(id.all_valid(), "{:?}", id.entries());
        assert_eq!(id.cccd(), Some("001099012345"));
        assert_eq!(id.cmnd(), Some("012345678"));
        assert_eq!(id.passport(), Some("B1234567"));
        assert_eq!(id.mst(), Some("0100686209"));
        assert_eq!(id.mns(), Some("1234567"));
        assert_eq!(
            serde_json::to_value(&id).unwrap(),
            serde_json::json!({"cccd": "001099012345", "cmnd": "012345678", "hc": "B1234567",
                "mst": "0100686209", "mns": "1234567"})
        );
    }

    #[test]
    fn personal_json_is_minimal() {
        let id = Identity::from_uid_values(&["CCCD:001099012345"]);
        assert_eq!(
            serde_json::to_value(&id).unwrap(),
            serde_json::json!({"cccd": "001099012345"})
        );
    }

    #[test]
    fn organisation_with_two_uids() {
        let id = Identity::from_uid_values(&["MST:0100686209-199", "CCCD:001099012345"]);
        assert_eq!(
            serde_json::to_value(&id).unwrap(),
            serde_json::json!({"cccd": "001099012345", "mst": "0100686209-199"})
        );
        assert_eq!(id.entries().len(), 2);
        assert_eq!(id.entries()[0].kind, IdentityKind::Mst);
    }

    #[test]
    fn mst_forms() {
        assert!(one("MST:0100686209").valid);
        assert!(one("MST:0100686209199").valid);
        assert!(one("MST:0100686209-199").valid);
        assert_eq!(one("MST:0100686209-199").value, "0100686209-199");
        assert!(!one("MST:0100686209-19").valid);
        assert!(!one("MST:010068620").valid);
        assert!(!one("MST:01006862AB").valid);
    }

    #[test]
    fn cmnd_9_and_12() {
        assert!(one("CMND:012345678").valid);
        assert!(one("CMND:001099012345").valid);
        assert!(!one("CMND:0123456789").valid);
    }

    #[test]
    fn malformed_kept_and_flagged() {
        let e = one("CCCD:00109901234X");
        assert_eq!(e.kind, IdentityKind::Cccd);
        assert_eq!(e.value, "00109901234X");
        assert!(!e.valid);
        assert!(e.problem.unwrap().contains("digits"));

        let e = one("CCCD:00109901234");
        assert!(!e.valid);
        assert!(e.problem.unwrap().contains("12 digits, not 11"));

        let e = one("CCCD:");
        assert_eq!((e.kind, e.valid), (IdentityKind::Cccd, false));

        let e = one("");
        assert_eq!((e.kind, e.valid), (IdentityKind::Other, false));

        let e = one("001099012345");
        assert_eq!(e.kind, IdentityKind::Other);
        assert_eq!(e.value, "001099012345");
        assert!(!e.valid);
        assert!(e.problem.unwrap().contains("prefix"));

        let e = one(":001099012345");
        assert_eq!((e.kind, e.valid), (IdentityKind::Other, false));

        assert!(!one("MNS:12AB").valid);
        assert!(!one("HC:B 123/4").valid);
    }

    #[test]
    fn malformed_shows_entries_in_json() {
        let id = Identity::from_uid_values(&["CCCD:00109901234X"]);
        let v = serde_json::to_value(&id).unwrap();
        assert_eq!(v["cccd"], "00109901234X");
        assert_eq!(v["entries"][0]["valid"], false);
        assert_eq!(v["entries"][0]["kind"], "cccd");
    }

    #[test]
    fn first_valid_wins_and_duplicates_listed() {
        let id = Identity::from_uid_values(&["CCCD:123", "CCCD:001099012345", "CCCD:079099000001"]);
        assert_eq!(id.cccd(), Some("001099012345"));
        let v = serde_json::to_value(&id).unwrap();
        assert_eq!(v["entries"].as_array().unwrap().len(), 3);

        let id = Identity::from_uid_values(&["MST:0100686209", "MST:0100686209-001"]);
        assert!(id.all_valid());
        assert_eq!(id.mst(), Some("0100686209"));
        let v = serde_json::to_value(&id).unwrap();
        assert_eq!(
            v["entries"].as_array().unwrap().len(),
            2,
            "duplicates are listed"
        );
    }

    #[test]
    fn unknown_prefix_kept() {
        let id = Identity::from_uid_values(&["XYZ:123", "CCCD:001099012345"]);
        assert_eq!(id.other(), vec!["XYZ:123"]);
        assert!(id.all_valid());
        assert_eq!(
            serde_json::to_value(&id).unwrap(),
            serde_json::json!({"cccd": "001099012345", "other": ["XYZ:123"]})
        );
    }

    #[test]
    fn lowercase_and_spaces() {
        let e = one("cccd : 001099012345");
        assert_eq!(e.kind, IdentityKind::Cccd);
        assert_eq!(e.value, "001099012345");
        assert!(e.valid);
        let e = one(" Mst: 0100686209-199 ");
        assert_eq!(
            (e.kind, e.value.as_str(), e.valid),
            (IdentityKind::Mst, "0100686209-199", true)
        );
    }

    #[test]
    fn empty_identity() {
        let id = Identity::from_uid_values::<&str>(&[]);
        assert!(id.is_empty());
        assert_eq!(serde_json::to_value(&id).unwrap(), serde_json::json!({}));
    }
}
