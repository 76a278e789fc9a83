//! A small virtual card for vsmartcard-vpcd: connects to the vpcd reader's TCP port (the card
//! is "inserted" while connected), answers ATR requests with a chosen ATR (a real token's, from
//! the catalogue) and every APDU with `6D 00` (instruction not supported).
//!
//! vpcd protocol (vsmartcard `vpcd.h`): each message is a 2-byte big-endian length and the
//! bytes; a 1-byte message from vpcd is a control (0 power off, 1 power on, 2 reset, 4 "send
//! your ATR"), anything longer is a command APDU answered by a response APDU.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The ePass2003 ATR of OpenSC's card-epass2003.c, as in the catalogue.
pub const EPASS2003_ATR: &str =
    "3B 9F 95 81 31 FE 9F 00 66 46 53 05 10 00 11 71 DF 00 00 00 6A 82 5E";
/// SafeNet eToken 5110 (IDPrime 940), from OpenSC's card-idprime.c, as in the catalogue.
pub const ETOKEN5110_ATR: &str =
    "3B FF 96 00 00 81 31 FE 43 80 31 80 65 B0 85 59 56 FB 12 0F FE 82 90 00 00";

/// A virtual card in a vpcd reader; removed when dropped.
pub struct VirtualCard {
    stream: TcpStream,
    thread: Option<JoinHandle<()>>,
    /// Every APDU the card received.
    pub apdus: Arc<Mutex<Vec<Vec<u8>>>>,
}

fn parse_hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

fn send(stream: &mut TcpStream, data: &[u8]) -> std::io::Result<()> {
    let mut msg = (data.len() as u16).to_be_bytes().to_vec();
    msg.extend_from_slice(data);
    stream.write_all(&msg)
}

fn serve(mut stream: TcpStream, atr: Vec<u8>, apdus: Arc<Mutex<Vec<Vec<u8>>>>) {
    loop {
        let mut len = [0u8; 2];
        if stream.read_exact(&mut len).is_err() {
            return;
        }
        let mut msg = vec![0u8; u16::from_be_bytes(len) as usize];
        if stream.read_exact(&mut msg).is_err() {
            return;
        }
        let reply = match msg.as_slice() {
            [4] => Some(atr.clone()),
            [_] => None, // power off / on / reset: nothing to answer
            apdu => {
                apdus.lock().unwrap().push(apdu.to_vec());
                Some(vec![0x6D, 0x00])
            }
        };
        if let Some(r) = reply {
            if send(&mut stream, &r).is_err() {
                return;
            }
        }
    }
}

impl VirtualCard {
    /// Inserts a card with `atr_hex` into the vpcd reader listening on `port` (retrying for a
    /// bounded time while pcscd starts).
    pub fn insert(port: u16, atr_hex: &str) -> VirtualCard {
        let until = Instant::now() + Duration::from_secs(10);
        let stream = loop {
            match TcpStream::connect(("127.0.0.1", port)) {
                Ok(s) => break s,
                Err(e) if Instant::now() < until => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("vpcd not listening on 127.0.0.1:{port}: {e}"),
            }
        };
        stream.set_nodelay(true).unwrap();
        let apdus = Arc::new(Mutex::new(Vec::new()));
        let (s2, a2, atr) = (
            stream.try_clone().unwrap(),
            apdus.clone(),
            parse_hex(atr_hex),
        );
        let thread = std::thread::spawn(move || serve(s2, atr, a2));
        VirtualCard {
            stream,
            thread: Some(thread),
            apdus,
        }
    }

    /// Removes the card (closes the connection).
    pub fn remove(self) {}
}

impl Drop for VirtualCard {
    fn drop(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Both);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
