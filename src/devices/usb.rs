//! USB tokens through libusb (`rusb`): enumerate devices and match vendor:product ids against
//! the catalogue. No USB access (no `/dev/bus/usb`, no permission, libusb failing to start) is
//! a reported state, not an error.

use std::path::PathBuf;

use rusb::UsbContext;
use serde::Serialize;

use super::catalogue::Catalogue;

/// A USB device the catalogue knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsbToken {
    /// Bus number.
    pub bus: u8,
    /// Address on the bus.
    pub address: u8,
    /// `idVendor`, 4 hex digits.
    pub vendor_id: String,
    /// `idProduct`, 4 hex digits.
    pub product_id: String,
    /// Catalogue id of the product.
    pub token: String,
    /// Product name from the catalogue.
    pub product: String,
    /// The device node, when the machine has `/dev/bus/usb`.
    pub device_node: Option<PathBuf>,
    /// Whether this user can open the device node (what the udev `uaccess` rule grants);
    /// `None` when there is no node to check.
    pub accessible: Option<bool>,
}

/// The USB side of the machine now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum UsbStatus {
    /// libusb enumerated the devices.
    Enumerated {
        /// How many USB devices libusb saw (hubs included).
        devices: usize,
        /// Those the catalogue knows.
        tokens: Vec<UsbToken>,
    },
    /// USB cannot be enumerated here (container without `/dev/bus/usb`, no permission…).
    Unavailable {
        /// Why.
        message: String,
    },
}

/// A device as seen on the bus: enough to match it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsbDevice {
    /// Bus number.
    pub bus: u8,
    /// Address on the bus.
    pub address: u8,
    /// `idVendor`.
    pub vendor: u16,
    /// `idProduct`.
    pub product: u16,
}

/// Matches devices against the catalogue (the part of [`scan`] that needs no hardware).
pub fn match_devices(catalogue: &Catalogue, devices: &[UsbDevice]) -> Vec<UsbToken> {
    devices
        .iter()
        .filter_map(|d| {
            let t = catalogue.identify_usb(d.vendor, d.product)?;
            let node = PathBuf::from(format!("/dev/bus/usb/{:03}/{:03}", d.bus, d.address));
            let (device_node, accessible) = if node.exists() {
                let ok = std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(&node)
                    .is_ok();
                (Some(node), Some(ok))
            } else {
                (None, None)
            };
            Some(UsbToken {
                bus: d.bus,
                address: d.address,
                vendor_id: format!("{:04x}", d.vendor),
                product_id: format!("{:04x}", d.product),
                token: t.id.clone(),
                product: t.product.clone(),
                device_node,
                accessible,
            })
        })
        .collect()
}

/// Enumerates USB devices and returns those the catalogue knows.
pub fn scan(catalogue: &Catalogue) -> UsbStatus {
    let unavailable = |what: &str, e: rusb::Error| {
        let hint = if std::path::Path::new("/dev/bus/usb").exists() {
            ""
        } else {
            " (this machine has no /dev/bus/usb)"
        };
        UsbStatus::Unavailable {
            message: format!("{what}: {e}{hint}"),
        }
    };
    let ctx = match rusb::Context::new() {
        Ok(c) => c,
        Err(e) => return unavailable("libusb cannot start", e),
    };
    let list = match ctx.devices() {
        Ok(l) => l,
        Err(e) => return unavailable("cannot list USB devices", e),
    };
    let mut devices = Vec::new();
    for d in list.iter() {
        match d.device_descriptor() {
            Ok(desc) => devices.push(UsbDevice {
                bus: d.bus_number(),
                address: d.address(),
                vendor: desc.vendor_id(),
                product: desc.product_id(),
            }),
            Err(e) => log::debug!(
                "USB device {}:{}: no descriptor: {e}",
                d.bus_number(),
                d.address()
            ),
        }
    }
    if devices.is_empty() && !std::path::Path::new("/dev/bus/usb").exists() {
        return UsbStatus::Unavailable {
            message: "no USB devices visible: this machine (or container) has no /dev/bus/usb"
                .into(),
        };
    }
    UsbStatus::Enumerated {
        devices: devices.len(),
        tokens: match_devices(catalogue, &devices),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_ids_are_matched_and_others_ignored() {
        let cat = Catalogue::builtin();
        let devices = [
            UsbDevice {
                bus: 1,
                address: 1,
                vendor: 0x1d6b,
                product: 0x0002,
            },
            UsbDevice {
                bus: 1,
                address: 7,
                vendor: 0x096e,
                product: 0x0807,
            },
            UsbDevice {
                bus: 2,
                address: 3,
                vendor: 0x08e6,
                product: 0x34cf,
            },
        ];
        let found = match_devices(cat, &devices);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].token, "feitian-epass2003");
        assert_eq!(
            (found[0].vendor_id.as_str(), found[0].product_id.as_str()),
            ("096e", "0807")
        );
        assert_eq!((found[0].bus, found[0].address), (1, 7));
        assert_eq!(found[1].token, "safenet-etoken-5110");
    }

    #[test]
    fn the_real_scan_runs_without_error_whatever_the_machine() {
        // On a machine without USB (this CI) it says so; with USB it enumerates.
        match scan(Catalogue::builtin()) {
            UsbStatus::Enumerated { devices, tokens } => assert!(tokens.len() <= devices),
            UsbStatus::Unavailable { message } => assert!(!message.is_empty()),
        }
    }
}
