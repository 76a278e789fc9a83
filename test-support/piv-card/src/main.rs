//! `piv-card`: a virtual PIV card for vsmartcard-vpcd, for tests only.
//!
//! ```text
//! piv-card init --state card.json [--retries 3] [--pin-file F]   # keys, certificates, PIN 123456
//! piv-card run  --state card.json [--port 35963] [--atr HEX] [--latency-ms 300] [--log apdus.log]
//! ```
//!
//! `run` connects to the vpcd reader (the card is inserted while the process runs; ending it
//! removes the card). The vpcd protocol (vsmartcard `vpcd.h`): every message is a 2-byte
//! big-endian length and the bytes; from vpcd, a 1-byte message is a control (0 power off,
//! 1 power on, 2 reset, 4 "send your ATR"), anything longer a command APDU answered with the
//! response APDU.

mod apdu;
mod card;
mod init;
mod state;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

use card::{Behaviour, Card};
use state::State;

/// The default ATR: T=1, historical bytes "KYSO-PIV" (no other OpenSC driver claims it, so
/// OpenSC finds the card by selecting the PIV application, as for any generic PIV card).
const DEFAULT_ATR: &str = "3B 88 80 01 4B 59 53 4F 2D 50 49 56 65";

#[derive(Parser)]
#[command(about = "A virtual PIV card (SP 800-73-4) for vsmartcard-vpcd; test use only")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Creates a card state file: keys, test CA, certificates for 9A/9C/9D/9E, PIN.
    Init {
        /// The state file to write.
        #[arg(long)]
        state: PathBuf,
        /// PIN retries (the counter's start value).
        #[arg(long, default_value_t = 3)]
        retries: u8,
        /// A file holding the PIN (6–8 digits); default: the test PIN 123456.
        #[arg(long)]
        pin_file: Option<PathBuf>,
    },
    /// Inserts the card into a vpcd reader until the process ends.
    Run {
        /// The card's state file (the PIN counter is written back to it).
        #[arg(long)]
        state: PathBuf,
        /// vpcd host.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// vpcd port (35963: reader 0, 35964: reader 1).
        #[arg(long, default_value_t = 35963)]
        port: u16,
        /// ATR to present, hex (e.g. a real token's).
        #[arg(long, default_value = DEFAULT_ATR)]
        atr: String,
        /// Time each signature takes, in milliseconds (real tokens: 100–500).
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
        /// Appends one line per APDU (header, lengths, status; never data) to this file.
        #[arg(long)]
        log: Option<PathBuf>,
        /// How long to keep trying to reach vpcd, in milliseconds.
        #[arg(long, default_value_t = 10_000)]
        connect_timeout_ms: u64,
    },
}

fn main() {
    if let Err(e) = run(Cli::parse()) {
        eprintln!("piv-card: {e}");
        std::process::exit(1);
    }
}

fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    let clean: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect();
    hex::decode(clean).map_err(|e| format!("bad hex {s:?}: {e}"))
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Cmd::Init {
            state,
            retries,
            pin_file,
        } => {
            let pin = match pin_file {
                Some(f) => std::fs::read_to_string(&f)
                    .map_err(|e| format!("{}: {e}", f.display()))?
                    .trim()
                    .to_owned(),
                None => "123456".to_owned(),
            };
            if !(1..=15).contains(&retries) {
                return Err("--retries is 1 to 15".into());
            }
            init::new_state(&pin, retries)?.save(&state)?;
            println!("{}", state.display());
            Ok(())
        }
        Cmd::Run {
            state,
            host,
            port,
            atr,
            latency_ms,
            log,
            connect_timeout_ms,
        } => {
            let atr = parse_hex(&atr)?;
            let log = match log {
                Some(p) => Some(
                    std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(&p)
                        .map_err(|e| format!("{}: {e}", p.display()))?,
                ),
                None => None,
            };
            let behaviour = Behaviour {
                latency: Duration::from_millis(latency_ms),
            };
            let mut card = Card::new(State::load(&state)?, Some(state), behaviour, log)?;
            let stream = connect(&host, port, Duration::from_millis(connect_timeout_ms))?;
            serve(stream, &atr, &mut card)
        }
    }
}

fn connect(host: &str, port: u16, patience: Duration) -> Result<TcpStream, String> {
    let until = Instant::now() + patience;
    loop {
        match TcpStream::connect((host, port)) {
            Ok(s) => {
                s.set_nodelay(true).map_err(|e| e.to_string())?;
                return Ok(s);
            }
            Err(e) if Instant::now() >= until => {
                return Err(format!("vpcd not reachable on {host}:{port}: {e}"))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

fn send(stream: &mut TcpStream, data: &[u8]) -> std::io::Result<()> {
    let mut msg = (data.len() as u16).to_be_bytes().to_vec();
    msg.extend_from_slice(data);
    stream.write_all(&msg)
}

/// Answers vpcd until it closes the connection.
fn serve(mut stream: TcpStream, atr: &[u8], card: &mut Card) -> Result<(), String> {
    loop {
        // vpcd writes the length and the message separately, with Nagle on: until we
        // acknowledge the first write, the second waits (40 ms of delayed ACK per APDU, real
        // tokens answer faster). Quick ACKs are reset by the kernel, so they are asked for
        // before every read.
        let _ = rustix::net::sockopt::set_tcp_quickack(&stream, true);
        let mut len = [0u8; 2];
        if stream.read_exact(&mut len).is_err() {
            return Ok(());
        }
        let _ = rustix::net::sockopt::set_tcp_quickack(&stream, true);
        let mut msg = vec![0u8; u16::from_be_bytes(len) as usize];
        if stream.read_exact(&mut msg).is_err() {
            return Ok(());
        }
        let reply = match msg.as_slice() {
            [4] => Some(atr.to_vec()),
            [_] => {
                // Power off, power on, reset: the security status goes.
                card.reset();
                None
            }
            apdu => Some(card.process(apdu)),
        };
        if let Some(r) = reply {
            send(&mut stream, &r).map_err(|e| format!("vpcd: {e}"))?;
        }
    }
}
