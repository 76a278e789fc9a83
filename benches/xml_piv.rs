//! E-invoices per second on a token that takes its time, as USB tokens do: the virtual PIV card
//! (`test-support/piv-card`) behind pcscd and vsmartcard's vpcd, reached through OpenSC — every
//! signature a round of APDUs, as on a real card. `kyso sign --format xml` (one process, one
//! login, 9A key, rsa-pkcs1-sha256) against the same card's bare `C_Sign` rate through the same
//! module, measured in alternation. Where `benches/xml.rs` shows the pipeline's own cost on a
//! software token sharing the CPU, this shows what a person with a token waits for: the card
//! as fast as vpcd carries its APDUs, then taking 50 ms per signature as a fast USB token does
//! (`KYSO_BENCH_LATENCIES_MS`). kyso's time is the whole process: start-up, OpenSC finding the
//! card and reading its certificates, the checks, login, signing, writing.
//!
//! Needs pcscd and vpcd free (no other PIV tests at once) and the card's program built for
//! this profile:
//!
//! ```text
//! cargo build --release -p piv-card && cargo bench --bench xml_piv
//! ```

#[path = "../tests/common/mod.rs"]
mod common;

#[path = "util/mod.rs"]
mod util;

use std::path::Path;

use common::pcscd::Pcscd;
use common::piv::{PivCard, PIV_PIN};
use common::{einvoice, kyso_bin, OPENSC};
use util::{env_usize, fmt, machine, timed, Bare};

fn fresh(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
}

fn main() {
    let rounds = env_usize("KYSO_BENCH_ROUNDS", 3);
    let files = env_usize("KYSO_BENCH_FILES", 100);
    // the card's time per signature: 0 (as fast as vpcd carries APDUs), then 50 ms (twenty
    // signatures a second, a fast USB token)
    let latencies: Vec<u64> = std::env::var("KYSO_BENCH_LATENCIES_MS")
        .unwrap_or_else(|_| "0,50".into())
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path();
    let _pcscd = Pcscd::start();
    let mut card = PivCard::new(&work.join("card"));
    let invoices = work.join("hoa-don");
    fresh(&invoices);
    for n in 1..=files {
        let text = einvoice::invoice(n, 14 + n % 45, "0100686209-199");
        std::fs::write(invoices.join(format!("hd-{n:05}.xml")), text).unwrap();
    }
    let pin = work.join("pin");
    std::fs::write(&pin, PIV_PIN).unwrap();
    // the card's bare rate: C_Sign of a SHA-256 DigestInfo with its 9A key, as kyso signs;
    // logged in afresh each time (kyso's logout ends the card's login for everyone)
    let bare_rate = |n| Bare::open(OPENSC, PIV_PIN, "").rate(n);
    println!("### xml on the virtual PIV card: {files} e-invoices, RSA-2048, rsa-pkcs1-sha256\n");
    println!("machine: {}\n", machine());
    println!("| e-invoices per second, median (range), {rounds} rounds | kyso | bare C_Sign | kyso / bare |");
    println!("|---|---|---|---|");
    for latency in latencies {
        card.latency_ms = latency;
        card.insert();
        bare_rate(2);
        let (mut kyso, mut bare, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..rounds {
            let b0 = bare_rate(files);
            let out = work.join(format!("out-{latency}-{round}"));
            let mut c = std::process::Command::new(kyso_bin());
            c.env_remove("KYSO_CONFIG")
                .env("XDG_CONFIG_HOME", work.join("no-config"))
                .env("XDG_CACHE_HOME", work.join("cache"))
                .arg("--module")
                .arg(OPENSC)
                .args(["sign", "--format", "xml", "--profile", "einvoice"])
                .args([
                    "--key-id",
                    "01",
                    "--algorithm",
                    "rsa-pkcs1-sha256",
                    "--pin-file",
                ])
                .arg(&pin)
                .arg("--out-dir")
                .arg(&out)
                .arg(&invoices);
            let k = files as f64 / timed(&mut c);
            let b1 = bare_rate(files);
            let b = (b0 + b1) / 2.0;
            kyso.push(k);
            bare.push(b);
            ratio.push(k / b);
            let _ = std::fs::remove_dir_all(&out);
        }
        println!(
            "| the card taking {latency} ms per signature | {} | {} | {} |",
            fmt(&kyso, 0),
            fmt(&bare, 0),
            fmt(&ratio, 2)
        );
        card.remove();
    }
}
