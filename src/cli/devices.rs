//! `kyso devices [--watch]`: readers, cards, USB tokens, what they are and which module drives
//! them; `kyso udev-rules`: the udev rules generated from the catalogue.

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
        (Some(m), _) => format!(
            "module: {} ({})",
            m.name,
            m.path.as_deref().unwrap_or_else(|| "?".as_ref()).display()
        ),
        (None, Some(hint)) => format!("no module installed: {hint}"),
        (None, None) => "no module".into(),
    }
}

fn print_identified(id: &Identified) {
    let cas = if id.cas.is_empty() {
        String::new()
    } else {
        format!(", shipped by {}", id.cas.join(", "))
    };
    println!("      {} ({}{cas})", id.product, id.vendor);
    println!("      {}", module_line(id));
    if let Some(n) = &id.notes {
        println!("      note: {n}");
    }
}

fn print_report(r: &DeviceReport) {
    match &r.pcsc {
        PcscStatus::Running { readers } => {
            println!("PC/SC: pcscd running, {} reader(s)", readers.len());
            if readers.is_empty() {
                println!("  no reader: plug in the token or the card reader");
            }
        }
        PcscStatus::NotRunning { message } => println!(
            "PC/SC: pcscd not running ({message}): install pcscd and start it \
             (`systemctl start pcscd.socket`, or run `pcscd`)"
        ),
        PcscStatus::Failed { message } => println!("PC/SC: error: {message}"),
    }
    for reader in &r.readers {
        match &reader.card {
            CardState::Empty => println!("  {}: no card", reader.name),
            CardState::Mute => println!(
                "  {}: a card that does not answer (reinsert it)",
                reader.name
            ),
            CardState::Unavailable => println!("  {}: unavailable", reader.name),
            CardState::Present { atr } => {
                println!("  {}: card {atr}", reader.name);
                match &reader.identified {
                    Some(id) => print_identified(id),
                    None => println!(
                        "      unknown card: not in kyso's catalogue; set its module in kyso.toml"
                    ),
                }
            }
        }
    }
    match &r.usb {
        UsbStatus::Enumerated { devices, tokens } => {
            println!("USB: {devices} device(s), {} known token(s)", tokens.len())
        }
        UsbStatus::Unavailable { message } => println!("USB: not available here ({message})"),
    }
    for u in &r.usb_tokens {
        let access = match u.device.accessible {
            Some(true) => "",
            Some(false) => " — no permission: install the udev rules (make install)",
            None => "",
        };
        println!(
            "  {}:{} bus {:03} device {:03}{access}",
            u.device.vendor_id, u.device.product_id, u.device.bus, u.device.address
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
        DeviceEvent::ReaderAdded { reader } => format!("reader added: {reader}"),
        DeviceEvent::ReaderRemoved { reader } => format!("reader removed: {reader}"),
        DeviceEvent::CardInserted { reader, atr } => {
            let what = devices::identify_atr(Catalogue::builtin(), atr)
                .map(|id| format!(" — {}; {}", id.product, module_line(&id)))
                .unwrap_or_else(|| " — unknown card".into());
            format!("card inserted in {reader}: {atr}{what}")
        }
        DeviceEvent::CardRemoved { reader } => format!("card removed from {reader}"),
        DeviceEvent::ServiceStopped => "pcscd stopped: waiting for it to come back".into(),
        DeviceEvent::ServiceStarted => "pcscd running".into(),
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
        println!("watching for readers and cards (Ctrl-C to stop)…");
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
