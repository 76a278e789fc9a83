//! The token catalogue (`catalogue.toml`, compiled in): ATR patterns and USB ids to products,
//! the Vietnamese CAs that ship them, and the PKCS#11 modules that drive them.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const CATALOGUE: &str = include_str!("catalogue.toml");

/// The whole catalogue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// `[[token]]` entries.
    #[serde(rename = "token")]
    pub tokens: Vec<TokenEntry>,
    /// `[[module]]` entries.
    #[serde(rename = "module")]
    pub modules: Vec<ModuleEntry>,
}

/// One product (family).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TokenEntry {
    /// Stable identifier (`feitian-epass2003`).
    pub id: String,
    /// Product name for people.
    pub product: String,
    /// Maker.
    pub vendor: String,
    /// Vietnamese CAs known (or inferred, see the file) to ship it.
    #[serde(default)]
    pub cas: Vec<String>,
    /// Module ids, best first.
    #[serde(default)]
    pub modules: Vec<String>,
    /// Anything a user should know.
    #[serde(default)]
    pub notes: Option<String>,
    /// ATR patterns.
    #[serde(default, rename = "atr", skip_serializing)]
    pub atrs: Vec<AtrPattern>,
    /// USB ids.
    #[serde(default, rename = "usb", skip_serializing)]
    pub usb: Vec<UsbId>,
}

/// An ATR pattern: `atr & mask == value & mask`, lengths equal.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtrPattern {
    /// Hex bytes, spaces or colons allowed.
    pub value: String,
    /// Hex bytes; absent means all `FF`.
    #[serde(default)]
    pub mask: Option<String>,
}

/// A USB vendor:product id.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct UsbId {
    /// `idVendor`.
    pub vendor: u16,
    /// `idProduct`.
    pub product: u16,
}

/// A PKCS#11 module and where its packages put it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleEntry {
    /// Stable identifier referenced by tokens.
    pub id: String,
    /// Name for people.
    pub name: String,
    /// Install paths on Debian/Ubuntu/Fedora, the first existing one is used.
    pub paths: Vec<PathBuf>,
    /// How to install it.
    pub install: String,
}

impl ModuleEntry {
    /// The first of its paths that exists on this machine.
    pub fn installed_path(&self) -> Option<PathBuf> {
        self.installed_path_under(Path::new("/"))
    }

    /// Like [`installed_path`](Self::installed_path) with the paths taken under `root` (tests).
    pub fn installed_path_under(&self, root: &Path) -> Option<PathBuf> {
        self.paths
            .iter()
            .find(|p| root.join(p.strip_prefix("/").unwrap_or(p)).is_file())
            .cloned()
    }
}

/// Parses hex bytes written with spaces, colons or nothing between them.
pub fn parse_hex(s: &str) -> Result<Vec<u8>> {
    let clean: String = s.chars().filter(|c| !matches!(c, ' ' | ':')).collect();
    hex::decode(&clean).map_err(|_| Error::InvalidInput(format!("'{s}' is not hex bytes")))
}

/// Formats bytes as `3B 9F 95 …`, the way pcsc-tools and OpenSC print ATRs.
pub fn format_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

impl AtrPattern {
    /// The number of bits the pattern fixes when it matches `atr`, `None` when it does not.
    pub fn matches(&self, atr: &[u8]) -> Option<u32> {
        let value = parse_hex(&self.value).ok()?;
        let mask = match &self.mask {
            Some(m) => parse_hex(m).ok()?,
            None => vec![0xFF; value.len()],
        };
        if atr.len() != value.len() || mask.len() != value.len() {
            return None;
        }
        let ok = atr
            .iter()
            .zip(&value)
            .zip(&mask)
            .all(|((a, v), m)| a & m == v & m);
        ok.then(|| mask.iter().map(|m| m.count_ones()).sum())
    }
}

impl Catalogue {
    /// Parses a catalogue text and checks it (hex, lengths, module references).
    pub fn parse(text: &str) -> Result<Catalogue> {
        let cat: Catalogue = toml::from_str(text).map_err(|e| Error::Config {
            path: PathBuf::from("catalogue.toml"),
            message: e.to_string(),
        })?;
        cat.check()?;
        Ok(cat)
    }

    fn check(&self) -> Result<()> {
        let bad = |message: String| Error::Config {
            path: PathBuf::from("catalogue.toml"),
            message,
        };
        for t in &self.tokens {
            for a in &t.atrs {
                let v = parse_hex(&a.value).map_err(|e| bad(format!("{}: {e}", t.id)))?;
                if let Some(m) = &a.mask {
                    let m = parse_hex(m).map_err(|e| bad(format!("{}: {e}", t.id)))?;
                    if m.len() != v.len() {
                        return Err(bad(format!("{}: mask and value lengths differ", t.id)));
                    }
                }
            }
            for m in &t.modules {
                if !self.modules.iter().any(|e| &e.id == m) {
                    return Err(bad(format!("{}: unknown module '{m}'", t.id)));
                }
            }
        }
        Ok(())
    }

    /// The catalogue compiled into kyso.
    pub fn builtin() -> &'static Catalogue {
        static CAT: OnceLock<Catalogue> = OnceLock::new();
        CAT.get_or_init(|| {
            // Checked by the unit tests: a broken built-in catalogue never ships.
            Catalogue::parse(CATALOGUE).expect("the built-in catalogue.toml is valid")
        })
    }

    /// The product whose ATR pattern matches most precisely (most mask bits), if any.
    pub fn identify_atr(&self, atr: &[u8]) -> Option<&TokenEntry> {
        let mut best: Option<(&TokenEntry, u32)> = None;
        for t in &self.tokens {
            for p in &t.atrs {
                if let Some(bits) = p.matches(atr) {
                    if best.is_none_or(|(_, b)| bits > b) {
                        best = Some((t, bits));
                    }
                }
            }
        }
        best.map(|(t, _)| t)
    }

    /// The product with this USB vendor:product id, if any.
    pub fn identify_usb(&self, vendor: u16, product: u16) -> Option<&TokenEntry> {
        let id = UsbId { vendor, product };
        self.tokens.iter().find(|t| t.usb.contains(&id))
    }

    /// A module entry by id.
    pub fn module(&self, id: &str) -> Option<&ModuleEntry> {
        self.modules.iter().find(|m| m.id == id)
    }

    /// The modules of a token, best first.
    pub fn modules_for<'a>(
        &'a self,
        token: &'a TokenEntry,
    ) -> impl Iterator<Item = &'a ModuleEntry> {
        token.modules.iter().filter_map(|id| self.module(id))
    }

    /// Every USB id with its product, in catalogue order (for udev rules).
    pub fn usb_ids(&self) -> Vec<(UsbId, &TokenEntry)> {
        self.tokens
            .iter()
            .flat_map(|t| t.usb.iter().map(move |u| (*u, t)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atr(s: &str) -> Vec<u8> {
        parse_hex(s).unwrap()
    }

    #[test]
    fn builtin_catalogue_parses_and_every_token_has_an_id_or_atr() {
        let c = Catalogue::builtin();
        assert!(c.tokens.len() >= 8);
        for t in &c.tokens {
            assert!(!t.atrs.is_empty() || !t.usb.is_empty(), "{}", t.id);
        }
        let mut ids: Vec<_> = c.tokens.iter().map(|t| &t.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), c.tokens.len(), "token ids are unique");
    }

    #[test]
    fn epass2003_variants_match_through_opensc_mask() {
        let c = Catalogue::builtin();
        // Variants from pcsc-tools' smartcard_list.txt, all under OpenSC's mask.
        for s in [
            "3B 9F 95 81 31 FE 9F 00 66 46 53 05 10 00 11 71 DF 00 00 00 6A 82 5E",
            "3B 9F 95 81 31 FE 9F 00 66 46 53 05 23 00 25 71 DF 00 00 03 90 00 96",
            "3B 9F 95 81 31 FE 9F 00 66 46 53 05 23 00 25 71 C3 9F 00 00 00 00 86",
            "3B 9F 95 81 31 FE 9F 00 66 46 53 05 51 00 33 71 DF 00 00 06 00 00 67",
        ] {
            assert_eq!(
                c.identify_atr(&atr(s)).unwrap().id,
                "feitian-epass2003",
                "{s}"
            );
        }
    }

    #[test]
    fn the_most_specific_pattern_wins() {
        // The ePass3003 ATR also falls under the ePass2003 mask; the exact entry wins.
        let c = Catalogue::builtin();
        let a = atr("3B 9F 95 81 31 FE 9F 00 66 46 53 05 32 02 25 71 DF 00 00 06 00 00 10");
        assert_eq!(c.identify_atr(&a).unwrap().id, "feitian-epass3003-auto");
    }

    #[test]
    fn masked_bytes_are_ignored_and_fixed_bytes_are_not() {
        let p = AtrPattern {
            value: "3B:7F:96:00".into(),
            mask: Some("FF:FF:00:FF".into()),
        };
        assert_eq!(p.matches(&atr("3B 7F 11 00")), Some(24));
        assert_eq!(p.matches(&atr("3B 7E 96 00")), None);
        assert_eq!(p.matches(&atr("3B 7F 96")), None, "length differs");
        assert_eq!(p.matches(&atr("3B 7F 96 00 00")), None, "length differs");
        let exact = AtrPattern {
            value: "3B7F".into(),
            mask: None,
        };
        assert_eq!(exact.matches(&atr("3B 7F")), Some(16));
    }

    #[test]
    fn real_token_atrs_are_identified_and_unknown_ones_are_not() {
        let c = Catalogue::builtin();
        let cases = [
            (
                "3B FF 96 00 00 81 31 FE 43 80 31 80 65 B0 85 59 56 FB 12 0F FE 82 90 00 00",
                "safenet-etoken-5110",
            ),
            (
                "3B 7F 96 00 00 80 31 80 65 B0 85 05 00 39 12 0F FE 82 90 00",
                "safenet-etoken-5110",
            ),
            (
                "3B 9F 11 81 31 FE 9F 00 6B 42 49 54 34 49 44 20 33 2E 30 00 90 00 CF",
                "bit4id-tokenme",
            ),
            (
                "3B 9F 11 81 31 FE 9F 00 6A 6D 54 6F 6B 65 6E 2D 46 00 00 81 90 00 79",
                "longmai-mtoken-cryptoid",
            ),
            (
                "3B 6D 00 00 57 44 36 41 01 86 93 12 34 56 78 9A BC",
                "watchdata-proxkey",
            ),
            (
                "3B 9F 96 C0 0A 31 FE 45 75 4A 61 76 65 6C 69 6E 2D 4F 53 20 31 2E 30 51",
                "vn-citizen-id-card",
            ),
        ];
        for (s, id) in cases {
            assert_eq!(
                c.identify_atr(&atr(s)).map(|t| t.id.as_str()),
                Some(id),
                "{s}"
            );
        }
        // A YubiKey 5 NFC: not a Vietnamese token in the catalogue.
        assert!(c
            .identify_atr(&atr(
                "3B FD 13 00 00 81 31 FE 15 80 73 C0 21 C0 57 59 75 62 69 4B 65 79 40"
            ))
            .is_none());
    }

    #[test]
    fn usb_ids_identify_products() {
        let c = Catalogue::builtin();
        assert_eq!(
            c.identify_usb(0x096E, 0x0807).unwrap().id,
            "feitian-epass2003"
        );
        assert_eq!(
            c.identify_usb(0x096E, 0x080A).unwrap().id,
            "feitian-epass2003"
        );
        assert_eq!(
            c.identify_usb(0x08E6, 0x34CF).unwrap().id,
            "safenet-etoken-5110"
        );
        assert_eq!(c.identify_usb(0x25DD, 0x2371).unwrap().id, "bit4id-tokenme");
        assert!(
            c.identify_usb(0x096E, 0x0624).is_none(),
            "a Feitian reader, not a token"
        );
        assert!(c.identify_usb(0x1D6B, 0x0002).is_none(), "a Linux root hub");
    }

    #[test]
    fn modules_resolve_and_installed_path_checks_files() {
        let c = Catalogue::builtin();
        let t = c.identify_usb(0x096E, 0x0807).unwrap();
        let ids: Vec<_> = c.modules_for(t).map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["feitian-castle", "opensc"]);
        let root = tempfile::tempdir().unwrap();
        let opensc = c.module("opensc").unwrap();
        assert_eq!(opensc.installed_path_under(root.path()), None);
        let p = root.path().join("usr/lib64");
        std::fs::create_dir_all(&p).unwrap();
        std::fs::write(p.join("opensc-pkcs11.so"), b"").unwrap();
        assert_eq!(
            opensc.installed_path_under(root.path()),
            Some(PathBuf::from("/usr/lib64/opensc-pkcs11.so"))
        );
    }

    #[test]
    fn broken_catalogues_are_rejected() {
        let e = Catalogue::parse(
            "[[token]]\nid='x'\nproduct='x'\nvendor='x'\nmodules=['nope']\n[[module]]\nid='m'\nname='m'\npaths=[]\ninstall=''\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown module 'nope'"), "{e}");
        let e = Catalogue::parse(
            "module=[]\n[[token]]\nid='x'\nproduct='x'\nvendor='x'\n[[token.atr]]\nvalue='3B 00'\nmask='FF'\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("lengths differ"), "{e}");
    }
}
