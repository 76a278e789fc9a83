//! The hardware: PC/SC readers and cards ([`pcsc`]), USB tokens ([`usb`]), and the token
//! [`catalogue`] that says what they are and which PKCS#11 module drives them.
//!
//! [`report`] puts the three together; [`auto_modules`] turns what is plugged in into the
//! modules to load when nothing is configured.

pub mod catalogue;
pub mod pcsc;
pub mod removal;
pub mod udev;
pub mod usb;

use std::path::PathBuf;

use serde::Serialize;

use crate::config::ModuleConfig;
pub use catalogue::{Catalogue, ModuleEntry, TokenEntry};
pub use pcsc::{CardState, DeviceEvent, PcscStatus, Reader, Watcher};
pub use removal::RemovalWatch;
pub use usb::{UsbStatus, UsbToken};

/// A module that can drive an identified token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleChoice {
    /// Catalogue id.
    pub id: String,
    /// Name for people.
    pub name: String,
    /// Where it is installed on this machine, if it is.
    pub path: Option<PathBuf>,
    /// How to install it.
    pub install: String,
}

/// What the catalogue says about a card or USB device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identified {
    /// Catalogue id.
    pub token: String,
    /// Product name.
    pub product: String,
    /// Maker.
    pub vendor: String,
    /// Vietnamese CAs that ship it.
    pub cas: Vec<String>,
    /// Notes for the user.
    pub notes: Option<String>,
    /// The module kyso will use: the first installed of `modules`.
    pub module: Option<ModuleChoice>,
    /// Every module that drives it, best first.
    pub modules: Vec<ModuleChoice>,
}

impl Identified {
    /// Resolves a catalogue entry against this machine's installed modules.
    pub fn new(cat: &Catalogue, t: &TokenEntry) -> Identified {
        let modules: Vec<ModuleChoice> = cat
            .modules_for(t)
            .map(|m| ModuleChoice {
                id: m.id.clone(),
                name: m.name.clone(),
                path: m.installed_path(),
                install: m.install.clone(),
            })
            .collect();
        Identified {
            token: t.id.clone(),
            product: t.product.clone(),
            vendor: t.vendor.clone(),
            cas: t.cas.clone(),
            notes: t.notes.clone(),
            module: modules.iter().find(|m| m.path.is_some()).cloned(),
            modules,
        }
    }

    /// What to do when no module is installed: the best one's install hint.
    pub fn install_hint(&self) -> Option<String> {
        if self.module.is_some() {
            return None;
        }
        Some(match self.modules.first() {
            Some(m) => format!("install {}: {}", m.name, m.install),
            None => "no PKCS#11 module is known for this card".into(),
        })
    }
}

/// A reader, its card and what the card is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReaderReport {
    /// Reader name.
    pub name: String,
    /// What is in it.
    pub card: CardState,
    /// The product, when the card's ATR is in the catalogue.
    pub identified: Option<Identified>,
}

/// A USB token and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsbReport {
    /// The device.
    #[serde(flatten)]
    pub device: UsbToken,
    /// The product and its modules.
    pub identified: Identified,
}

/// Everything kyso sees of the hardware.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceReport {
    /// pcscd's state.
    pub pcsc: PcscStatus,
    /// Readers with their cards (empty when pcscd is not running).
    pub readers: Vec<ReaderReport>,
    /// USB enumeration state.
    pub usb: UsbStatus,
    /// USB tokens the catalogue knows.
    pub usb_tokens: Vec<UsbReport>,
}

/// Identifies an ATR given as hex (`3B 9F …`).
pub fn identify_atr(cat: &Catalogue, atr_hex: &str) -> Option<Identified> {
    let atr = catalogue::parse_hex(atr_hex).ok()?;
    cat.identify_atr(&atr).map(|t| Identified::new(cat, t))
}

/// Builds the report for the readers of a PC/SC status and a USB status.
pub fn report_from(cat: &Catalogue, pcsc: PcscStatus, usb: UsbStatus) -> DeviceReport {
    let readers = match &pcsc {
        PcscStatus::Running { readers } => readers
            .iter()
            .map(|r| ReaderReport {
                name: r.name.clone(),
                identified: match &r.card {
                    CardState::Present { atr } => identify_atr(cat, atr),
                    _ => None,
                },
                card: r.card.clone(),
            })
            .collect(),
        _ => Vec::new(),
    };
    let usb_tokens = match &usb {
        UsbStatus::Enumerated { tokens, .. } => tokens
            .iter()
            .filter_map(|d| {
                let t = cat.tokens.iter().find(|t| t.id == d.token)?;
                Some(UsbReport {
                    device: d.clone(),
                    identified: Identified::new(cat, t),
                })
            })
            .collect(),
        UsbStatus::Unavailable { .. } => Vec::new(),
    };
    DeviceReport {
        pcsc,
        readers,
        usb,
        usb_tokens,
    }
}

/// Scans PC/SC and USB now.
pub fn report() -> DeviceReport {
    let cat = Catalogue::builtin();
    report_from(cat, pcsc::scan(), usb::scan(cat))
}

impl DeviceReport {
    /// Every identified token, cards first, then USB tokens.
    pub fn identified(&self) -> impl Iterator<Item = &Identified> {
        self.readers
            .iter()
            .filter_map(|r| r.identified.as_ref())
            .chain(self.usb_tokens.iter().map(|u| &u.identified))
    }

    /// The modules to load for the tokens seen: for each token the first installed module,
    /// each module once. The second value says, for people, what was decided and why.
    pub fn modules_to_load(&self) -> (Vec<ModuleConfig>, Vec<String>) {
        let mut configs: Vec<ModuleConfig> = Vec::new();
        let mut notes = Vec::new();
        for id in self.identified() {
            match &id.module {
                Some(m) => {
                    let path = m.path.clone().unwrap_or_default();
                    notes.push(format!(
                        "{} found: using module {} ({})",
                        id.product,
                        m.name,
                        path.display()
                    ));
                    if !configs.iter().any(|c| c.path == path) {
                        configs.push(ModuleConfig {
                            path,
                            name: Some(m.id.clone()),
                            avoid_mechanisms: Vec::new(),
                        });
                    }
                }
                None => notes.push(format!(
                    "{} found but no module for it is installed: {}",
                    id.product,
                    id.install_hint().unwrap_or_default()
                )),
            }
        }
        (configs, notes)
    }
}

/// Auto-configuration: the modules for the tokens plugged in now (see
/// [`DeviceReport::modules_to_load`]).
pub fn auto_modules() -> (Vec<ModuleConfig>, Vec<String>) {
    report().modules_to_load()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPASS: &str = "3B 9F 95 81 31 FE 9F 00 66 46 53 05 10 00 11 71 DF 00 00 00 6A 82 5E";
    const CCCD: &str = "3B 9F 96 C0 0A 31 FE 45 75 4A 61 76 65 6C 69 6E 2D 4F 53 20 31 2E 30 51";

    fn running(cards: &[(&str, CardState)]) -> PcscStatus {
        PcscStatus::Running {
            readers: cards
                .iter()
                .map(|(n, c)| Reader {
                    name: n.to_string(),
                    card: c.clone(),
                })
                .collect(),
        }
    }

    #[test]
    fn report_identifies_cards_and_picks_modules() {
        let cat = Catalogue::builtin();
        let pcsc = running(&[
            ("r0", CardState::Present { atr: EPASS.into() }),
            ("r1", CardState::Empty),
            ("r2", CardState::Present { atr: CCCD.into() }),
        ]);
        let r = report_from(
            cat,
            pcsc,
            UsbStatus::Unavailable {
                message: "none".into(),
            },
        );
        assert_eq!(r.readers.len(), 3);
        let e = r.readers[0].identified.as_ref().unwrap();
        assert_eq!(e.token, "feitian-epass2003");
        assert_eq!(e.modules[0].id, "feitian-castle");
        assert!(r.readers[1].identified.is_none());
        let id = r.readers[2].identified.as_ref().unwrap();
        assert!(id.modules.is_empty());
        assert_eq!(
            id.install_hint().unwrap(),
            "no PKCS#11 module is known for this card"
        );
        let (configs, notes) = r.modules_to_load();
        assert_eq!(notes.len(), 2, "{notes:?}");
        // Whatever is installed here, each config is an installed module, listed once.
        for c in &configs {
            assert!(c.path.is_file(), "{c:?}");
        }
    }

    #[test]
    fn no_pcscd_means_no_readers_and_no_modules() {
        let r = report_from(
            Catalogue::builtin(),
            PcscStatus::NotRunning {
                message: "x".into(),
            },
            UsbStatus::Unavailable {
                message: "y".into(),
            },
        );
        assert!(r.readers.is_empty());
        assert_eq!(r.modules_to_load().0, Vec::<ModuleConfig>::new());
    }
}
