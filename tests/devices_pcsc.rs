//! Devices over the real PC/SC stack: pcscd + vsmartcard-vpcd, a virtual card carrying real
//! tokens' ATRs, the library's scan and watcher, `kyso devices` and `kyso doctor`.
//! Serialised (nextest group `pcscd`, and a file lock): one pcscd per machine.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::pcscd::{Pcscd, PATIENCE, READER0, READER1, VPCD_PORT0};
use common::vcard::{VirtualCard, EPASS2003_ATR, ETOKEN5110_ATR};
use common::{assert_ok, doctor_check, json, stderr, stdout, OPENSC, SOFTHSM};
use kyso::devices::pcsc::{scan, CardState, PcscStatus, Reader};
use kyso::devices::{self, Catalogue, DeviceEvent, Watcher};

/// Waits (bounded) for an event matching `pred`; returns it and everything seen before it.
fn wait_for(w: &mut Watcher, what: &str, pred: impl Fn(&DeviceEvent) -> bool) -> Vec<DeviceEvent> {
    let until = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    while Instant::now() < until {
        if let Some(e) = w.wait(Duration::from_millis(500)).unwrap() {
            let done = pred(&e);
            seen.push(e);
            if done {
                return seen;
            }
        }
    }
    panic!("no {what} within {PATIENCE:?}; saw {seen:?}");
}

fn kyso(args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_kyso"))
        .env_remove("KYSO_CONFIG")
        .env("XDG_CONFIG_HOME", home.path().join("no-config"))
        .args(args)
        .output()
        .unwrap()
}

fn empty_readers() -> PcscStatus {
    PcscStatus::Running {
        readers: [READER0, READER1]
            .map(|n| Reader {
                name: n.into(),
                card: CardState::Empty,
            })
            .to_vec(),
    }
}

#[test]
fn vpcd_readers_are_listed_empty() {
    let _pcscd = Pcscd::start();
    assert_eq!(scan(), empty_readers());
}

#[test]
fn card_insertion_and_removal_are_events_and_the_atr_is_identified() {
    let _pcscd = Pcscd::start();
    let mut w = Watcher::new().unwrap();
    assert!(w.service_running());
    assert_eq!(w.readers().len(), 2);
    // Nothing happens: a bounded wait returns nothing, on time.
    let t = Instant::now();
    assert_eq!(w.wait(Duration::from_millis(700)).unwrap(), None);
    assert!(t.elapsed() < Duration::from_secs(5));

    let card = VirtualCard::insert(VPCD_PORT0, ETOKEN5110_ATR);
    let seen = wait_for(&mut w, "insertion", |e| {
        matches!(e, DeviceEvent::CardInserted { .. })
    });
    let DeviceEvent::CardInserted { reader, atr } = seen.last().unwrap() else {
        unreachable!()
    };
    assert_eq!(reader, READER0);
    assert_eq!(atr, ETOKEN5110_ATR);
    let id = devices::identify_atr(Catalogue::builtin(), atr).unwrap();
    assert_eq!(id.token, "safenet-etoken-5110");
    assert!(id.cas.contains(&"VGCA".to_string()));
    match &scan() {
        PcscStatus::Running { readers } => assert_eq!(
            readers[0].card,
            CardState::Present {
                atr: ETOKEN5110_ATR.into()
            }
        ),
        other => panic!("{other:?}"),
    }

    card.remove();
    wait_for(&mut w, "removal", |e| {
        e == &DeviceEvent::CardRemoved {
            reader: READER0.into(),
        }
    });
    assert_eq!(scan(), empty_readers());
}

#[test]
fn pcscd_stopped_mid_watch_is_reported_and_its_return_too() {
    let Some(mut pcscd) = Pcscd::owned(true) else {
        return;
    };
    let _card = VirtualCard::insert(VPCD_PORT0, EPASS2003_ATR);
    let mut w = Watcher::new().unwrap();
    let until = Instant::now() + PATIENCE;
    while !matches!(w.readers()[0].card, CardState::Present { .. }) {
        assert!(Instant::now() < until, "card never seen: {:?}", w.readers());
        w.wait(Duration::from_millis(300)).unwrap();
    }

    // Stop pcscd from another thread while the watcher waits.
    let (tx, rx) = mpsc::channel();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(500));
        pcscd.stop();
        tx.send(()).unwrap();
        pcscd
    });
    let t = Instant::now();
    let seen = wait_for(&mut w, "service stop", |e| {
        e == &DeviceEvent::ServiceStopped
    });
    assert!(t.elapsed() < PATIENCE);
    assert!(seen.contains(&DeviceEvent::CardRemoved {
        reader: READER0.into()
    }));
    assert!(seen.contains(&DeviceEvent::ReaderRemoved {
        reader: READER1.into()
    }));
    assert!(!w.service_running());
    assert!(w.readers().is_empty());
    rx.recv_timeout(PATIENCE).unwrap();
    let mut pcscd = stopper.join().unwrap();

    // While it is down, waits return on time.
    let t = Instant::now();
    assert_eq!(w.wait(Duration::from_secs(1)).unwrap(), None);
    assert!(t.elapsed() < Duration::from_secs(4), "{:?}", t.elapsed());

    pcscd.restart();
    let seen = wait_for(&mut w, "readers back", |e| {
        e == &DeviceEvent::ReaderAdded {
            reader: READER1.into(),
        }
    });
    assert_eq!(seen[0], DeviceEvent::ServiceStarted, "{seen:?}");
}

#[test]
fn watcher_starts_without_pcscd_and_never_hangs() {
    let Some(mut pcscd) = Pcscd::owned(true) else {
        return;
    };
    pcscd.stop();
    assert!(matches!(scan(), PcscStatus::NotRunning { .. }));
    let mut w = Watcher::new().unwrap();
    assert!(!w.service_running());
    let t = Instant::now();
    assert_eq!(w.wait(Duration::from_secs(1)).unwrap(), None);
    assert!(t.elapsed() < Duration::from_secs(4));
}

#[test]
fn no_readers_is_a_state_devices_and_doctor_report() {
    let Some(_pcscd) = Pcscd::owned(false) else {
        return;
    };
    assert_eq!(scan(), PcscStatus::Running { readers: vec![] });
    let out = kyso(&["--json", "devices"]);
    assert_ok(&out);
    let v = json(&out);
    assert_eq!(v["pcsc"]["state"], "running");
    assert_eq!(v["readers"], serde_json::json!([]));
    let out = kyso(&["--json", "doctor"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let d = json(&out);
    assert_eq!(doctor_check(&d, "pcscd reachable")["status"], "ok");
    assert_eq!(doctor_check(&d, "readers present")["status"], "fail");
    assert_eq!(doctor_check(&d, "card present")["status"], "skip");
}

#[test]
fn devices_json_and_doctor_in_each_state() {
    let Some(mut pcscd) = Pcscd::owned(true) else {
        return;
    };
    // pcscd stopped.
    pcscd.stop();
    let out = kyso(&["--json", "devices"]);
    assert_ok(&out);
    let v = json(&out);
    assert_eq!(v["pcsc"]["state"], "not_running", "{v:#}");
    assert_eq!(v["readers"], serde_json::json!([]));
    assert!(v["usb"]["state"].is_string(), "{v:#}");
    let out = kyso(&["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("[FAIL] pcscd reachable"), "{text}");
    assert!(text.contains("fix: start it"), "{text}");

    // Readers, no card.
    pcscd.restart();
    let v = json(&kyso(&["--json", "devices"]));
    assert_eq!(v["readers"][0]["name"], READER0);
    assert_eq!(v["readers"][0]["card"]["state"], "empty");
    let d = json(&kyso(&["--json", "doctor"]));
    assert_eq!(d["ok"], false);
    assert_eq!(doctor_check(&d, "readers present")["status"], "ok");
    assert_eq!(doctor_check(&d, "card present")["status"], "fail");

    // A card with a real ePass2003 ATR.
    let card = VirtualCard::insert(VPCD_PORT0, EPASS2003_ATR);
    let until = Instant::now() + PATIENCE;
    let v = loop {
        let v = json(&kyso(&["--json", "devices"]));
        if v["readers"][0]["card"]["state"] == "present" || Instant::now() > until {
            break v;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let r = &v["readers"][0];
    assert_eq!(r["name"], READER0, "{v:#}");
    assert_eq!(r["card"]["atr"], EPASS2003_ATR);
    assert_eq!(r["identified"]["token"], "feitian-epass2003");
    assert_eq!(
        r["identified"]["product"],
        "Feitian ePass2003 / ePass2003 Auto"
    );
    // The vendor module is not installed here; OpenSC is, so it is the one used.
    assert_eq!(r["identified"]["modules"][0]["id"], "feitian-castle");
    assert_eq!(r["identified"]["module"]["id"], "opensc");
    assert_eq!(r["identified"]["module"]["path"], OPENSC);
    let text = stdout(&kyso(&["devices"]));
    assert!(text.contains("Feitian ePass2003"), "{text}");
    assert!(
        text.contains(&format!("module: OpenSC ({OPENSC})")),
        "{text}"
    );

    let out = kyso(&["--json", "doctor"]);
    let d = json(&out);
    assert_eq!(doctor_check(&d, "card present")["status"], "ok", "{d:#}");
    assert_eq!(doctor_check(&d, "token identified")["status"], "ok");
    assert_eq!(
        doctor_check(&d, "module installed and loadable")["status"],
        "ok"
    );
    // The virtual card answers 6D00 to everything: OpenSC sees no token on it.
    let visible = doctor_check(&d, "token visible through the module");
    assert_eq!(visible["status"], "fail");
    // …and the fix names the vendor module the catalogue prefers.
    assert!(
        visible["fix"].as_str().unwrap().contains("libcastle"),
        "{visible:#}"
    );
    assert_eq!(out.status.code(), Some(1));

    // Removed.
    card.remove();
    let until = Instant::now() + PATIENCE;
    loop {
        let v = json(&kyso(&["--json", "devices"]));
        if v["readers"][0]["card"]["state"] == "empty" {
            break;
        }
        assert!(Instant::now() < until, "card still seen: {v:#}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn auto_configuration_loads_the_module_of_the_token_seen_and_explicit_modules_win() {
    let _pcscd = Pcscd::start();
    // No token: the error says what was looked at.
    let out = kyso(&["tokens"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no known token is plugged in"),
        "{}",
        stderr(&out)
    );

    let _card = VirtualCard::insert(VPCD_PORT0, EPASS2003_ATR);
    let until = Instant::now() + PATIENCE;
    while !matches!(&scan(), PcscStatus::Running { readers } if matches!(readers[0].card, CardState::Present { .. }))
    {
        assert!(Instant::now() < until);
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = kyso(&["-v", "--json", "modules"]);
    assert_ok(&out);
    let v = json(&out);
    assert_eq!(v[0]["path"], OPENSC, "{v:#}");
    assert_eq!(v.as_array().unwrap().len(), 1);
    let err = stderr(&out);
    assert!(err.contains("auto-configuration"), "{err}");
    assert!(err.contains("Feitian ePass2003"), "{err}");

    // --module is used exactly as given: no auto-configuration.
    let out = kyso(&["-v", "--json", "--module", SOFTHSM, "modules"]);
    assert_ok(&out);
    let v = json(&out);
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["path"], SOFTHSM);
    assert!(!stderr(&out).contains("auto-configuration"));
}

#[test]
fn devices_watch_prints_insert_and_remove_events() {
    let _pcscd = Pcscd::start();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["--json", "devices", "--watch", "--watch-for", "40"])
        .env_remove("KYSO_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            if tx.send(v).is_err() {
                return;
            }
        }
    });
    let next = |what: &str| -> serde_json::Value {
        rx.recv_timeout(PATIENCE)
            .unwrap_or_else(|_| panic!("no {what} line from kyso devices --watch"))
    };
    let snap = next("snapshot");
    assert_eq!(snap["event"], "snapshot");
    assert_eq!(snap["devices"]["readers"][1]["name"], READER1);

    let card = VirtualCard::insert(VPCD_PORT0, EPASS2003_ATR);
    let ins = next("insertion");
    assert_eq!(ins["event"], "card_inserted", "{ins:#}");
    assert_eq!(ins["reader"], READER0);
    assert_eq!(ins["atr"], EPASS2003_ATR);
    assert_eq!(ins["identified"]["token"], "feitian-epass2003");
    card.remove();
    let rem = next("removal");
    assert_eq!(rem["event"], "card_removed", "{rem:#}");
    assert_eq!(rem["reader"], READER0);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn an_unknown_card_in_the_second_reader_is_reported_as_unknown() {
    let _pcscd = Pcscd::start();
    // A YubiKey 5 NFC's ATR: a real card, not in kyso's catalogue.
    let yubikey = "3B FD 13 00 00 81 31 FE 15 80 73 C0 21 C0 57 59 75 62 69 4B 65 79 40";
    let _card = VirtualCard::insert(VPCD_PORT0 + 1, yubikey);
    let until = Instant::now() + PATIENCE;
    let v = loop {
        let v = json(&kyso(&["--json", "devices"]));
        if v["readers"][1]["card"]["state"] == "present" {
            break v;
        }
        assert!(Instant::now() < until, "card never seen: {v:#}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(v["readers"][1]["name"], READER1);
    assert_eq!(v["readers"][1]["card"]["atr"], yubikey);
    assert!(v["readers"][1]["identified"].is_null());
    assert!(stdout(&kyso(&["devices"])).contains("unknown card"));
    let out = kyso(&["--json", "doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let d = json(&out);
    let t = doctor_check(&d, "token identified");
    assert_eq!(t["status"], "fail");
    assert!(t["fix"].as_str().unwrap().contains("kyso.toml"), "{t:#}");
}
