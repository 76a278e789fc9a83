//! `kyso devices [--watch]`: readers, cards, USB tokens, what they are and which module drives
//! them; `kyso udev-rules`: the udev rules generated from the catalogue.

use kyso::t;
use std::time::{Duration, Instant};

use clap::Args;
use serde_json::json;

use kyso::devices::{
    self, udev, CardState, Catalogue, DeviceEvent, DeviceReport, Identified, PcscStatus, UsbStatus,
    Watcher,
};
use kyso::Result;

use super::{print_json, Cli};

/// Options of `kyso devices`.
#[derive(Debug, Args)]
pub struct DevicesArgs {
    /// After listing, print reader and card events as they happen (one JSON object per line
    /// with --json) until interrupted.
    #[arg(long)]
    watch: bool,
    /// With --watch: stop after this many seconds.
    #[arg(long, value_name = "SECONDS", requires = "watch")]
    watch_for: Option<u64>,
}

pub fn run(cli: &Cli, args: &DevicesArgs) -> Result<i32> {
    if args.watch {
        return watch(cli, args);
    }
    let report = devices::report();
    if cli.json {
        print_json(&report);
    } else {
        print_report(&report);
    }
    Ok(0)
}

/// `kyso udev-rules`: prints the rules generated from the catalogue.
pub fn udev_rules() -> Result<i32> {
    print!("{}", udev::generate(Catalogue::builtin()));
    Ok(0)
}

fn module_line(id: &Identified) -> String {
    match (&id.module, id.install_hint()) {
        (Some(m), _) => t!(
            "devices-module",
            name = m.name.as_str(),
            path = m
                .path
                .as_deref()
                .unwrap_or_else(|| "?".as_ref())
                .display()
                .to_string()
        ),
        (None, Some(hint)) => t!("devices-no-module-hint", hint = hint.to_string()),
        (None, None) => t!("devices-no-module"),
    }
}

fn print_identified(id: &Identified) {
    let cas = if id.cas.is_empty() {
        String::new()
    } else {
        t!("devices-shipped-by", cas = id.cas.join(", "))
    };
    println!("      {} ({}{cas})", id.product, id.vendor);
    println!("      {}", module_line(id));
    if let Some(n) = &id.notes {
        println!("      {}", t!("devices-note", note = n.as_str()));
    }
}

fn print_report(r: &DeviceReport) {
    match &r.pcsc {
        PcscStatus::Running { readers } => {
            println!("{}", t!("devices-pcsc-running", readers = readers.len()));
            if readers.is_empty() {
                println!("  {}", t!("devices-no-reader"));
            }
        }
        PcscStatus::NotRunning { message } => println!(
            "{}",
            t!("devices-pcsc-not-running", message = message.as_str())
        ),
        PcscStatus::Failed { message } => {
            println!("{}", t!("devices-pcsc-error", message = message.as_str()))
        }
    }
    for reader in &r.readers {
        match &reader.card {
            CardState::Empty => println!("  {}: {}", reader.name, t!("devices-no-card")),
            CardState::Mute => println!("  {}: {}", reader.name, t!("devices-card-mute")),
            CardState::Unavailable => {
                println!("  {}: {}", reader.name, t!("devices-reader-unavailable"))
            }
            CardState::Present { atr } => {
                println!(
                    "  {}: {}",
                    reader.name,
                    t!("devices-card", atr = atr.to_string())
                );
                match &reader.identified {
                    Some(id) => print_identified(id),
                    None => println!("      {}", t!("devices-unknown-card")),
                }
            }
        }
    }
    match &r.usb {
        UsbStatus::Enumerated { devices, tokens } => {
            println!(
                "{}",
                t!("devices-usb", devices = *devices, tokens = tokens.len())
            )
        }
        UsbStatus::Unavailable { message } => println!(
            "{}",
            t!("devices-usb-unavailable", message = message.as_str())
        ),
    }
    for u in &r.usb_tokens {
        let access = match u.device.accessible {
            Some(false) => format!(" — {}", t!("devices-usb-no-permission")),
            _ => String::new(),
        };
        println!(
            "  {}:{} {}{access}",
            u.device.vendor_id,
            u.device.product_id,
            t!(
                "devices-usb-at",
                bus = format!("{:03}", u.device.bus),
                device = format!("{:03}", u.device.address)
            )
        );
        print_identified(&u.identified);
    }
}

fn event_json(e: &DeviceEvent) -> serde_json::Value {
    let mut v = serde_json::to_value(e).unwrap_or_else(|_| json!({}));
    if let DeviceEvent::CardInserted { atr, .. } = e {
        v["identified"] = json!(devices::identify_atr(Catalogue::builtin(), atr));
    }
    v
}

fn event_text(e: &DeviceEvent) -> String {
    match e {
        DeviceEvent::ReaderAdded { reader } => {
            t!("devices-event-reader-added", reader = reader.as_str())
        }
        DeviceEvent::ReaderRemoved { reader } => {
            t!("devices-event-reader-removed", reader = reader.as_str())
        }
        DeviceEvent::CardInserted { reader, atr } => {
            let what = devices::identify_atr(Catalogue::builtin(), atr)
                .map(|id| format!("{}; {}", id.product, module_line(&id)))
                .unwrap_or_else(|| t!("devices-unknown-card-short"));
            t!(
                "devices-event-card-inserted",
                reader = reader.as_str(),
                atr = atr.to_string(),
                what = what
            )
        }
        DeviceEvent::CardRemoved { reader } => {
            t!("devices-event-card-removed", reader = reader.as_str())
        }
        DeviceEvent::ServiceStopped => t!("devices-event-pcscd-stopped"),
        DeviceEvent::ServiceStarted => t!("devices-event-pcscd-running"),
    }
}

fn watch(cli: &Cli, args: &DevicesArgs) -> Result<i32> {
    let mut watcher = Watcher::new()?;
    let report = devices::report();
    if cli.json {
        println!(
            "{}",
            serde_json::to_string(&json!({ "event": "snapshot", "devices": report }))
                .unwrap_or_default()
        );
    } else {
        print_report(&report);
        println!("{}", t!("devices-watching"));
    }
    let deadline = args
        .watch_for
        .map(|s| Instant::now() + Duration::from_secs(s));
    loop {
        let left = match deadline {
            Some(d) => d.saturating_duration_since(Instant::now()),
            None => Duration::from_secs(3600),
        };
        if left.is_zero() {
            return Ok(0);
        }
        if let Some(e) = watcher.wait(left)? {
            if cli.json {
                println!("{}", event_json(&e));
            } else {
                println!("{}", event_text(&e));
            }
            use std::io::Write;
            let _ = std::io::stdout().flush();
        }
    }
}
