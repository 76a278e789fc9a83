//! The PIV card application (SP 800-73-4 part 2) as far as a signing token needs it: SELECT,
//! GET DATA, VERIFY with a persistent retry counter, GENERAL AUTHENTICATE (RSA-2048 and ECC
//! P-256 signatures), command chaining (CLA 0x10) and response chaining (61xx / GET RESPONSE).
//!
//! No I/O but the state file and the APDU log; the vpcd socket lives in `main.rs`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use p256::ecdsa::signature::hazmat::PrehashSigner;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::BigUint;

use crate::apdu::{parse_tlvs, sw, tlv, Command};
use crate::state::{KeyAlg, State};

/// The PIV AID with its version (SP 800-73-4 part 1, 2.2).
pub const PIV_AID: [u8; 11] = [
    0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00,
];
/// The shortest prefix a SELECT may use (RID + PIX without version).
const PIV_AID_SHORT: usize = 9;

/// Data object tags (SP 800-73-4 part 1, table 3) of the certificate of each key slot.
const CERT_TAGS: [(u8, [u8; 3]); 4] = [
    (0x9A, [0x5F, 0xC1, 0x05]),
    (0x9C, [0x5F, 0xC1, 0x0A]),
    (0x9D, [0x5F, 0xC1, 0x0B]),
    (0x9E, [0x5F, 0xC1, 0x01]),
];

enum Key {
    Rsa(Box<rsa::RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
}

impl Key {
    fn alg(&self) -> KeyAlg {
        match self {
            Key::Rsa(_) => KeyAlg::Rsa2048,
            Key::P256(_) => KeyAlg::EccP256,
        }
    }
}

/// Options that make the card behave like a particular real one.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// Time every private-key operation takes.
    pub latency: Duration,
}

/// A powered card: state from the file, security status in memory.
pub struct Card {
    state: State,
    path: Option<PathBuf>,
    keys: BTreeMap<u8, Key>,
    objects: BTreeMap<Vec<u8>, Vec<u8>>,
    behaviour: Behaviour,
    log: Option<std::fs::File>,
    /// PIN verified since power-on (and not reset).
    verified: bool,
    /// The PIN was verified by the command just before: 9C ("PIN always") needs this.
    just_verified: bool,
    /// Command chain in progress: header (INS, P1, P2) and the data so far.
    chain: Option<([u8; 3], Vec<u8>)>,
    /// Response bytes not yet fetched with GET RESPONSE.
    pending: Vec<u8>,
}

impl Card {
    /// A card from its state; `path` is where the retry counter is written back.
    pub fn new(
        state: State,
        path: Option<PathBuf>,
        behaviour: Behaviour,
        log: Option<std::fs::File>,
    ) -> Result<Card, String> {
        let mut keys = BTreeMap::new();
        let mut objects = BTreeMap::new();
        for s in &state.slots {
            let key_ref = s
                .key_ref()
                .filter(|r| CERT_TAGS.iter().any(|(k, _)| k == r))
                .ok_or_else(|| format!("unknown key slot {}", s.slot))?;
            let der = hex::decode(&s.private_key).map_err(|e| e.to_string())?;
            let key = match s.algorithm {
                KeyAlg::Rsa2048 => Key::Rsa(Box::new(
                    rsa::RsaPrivateKey::from_pkcs8_der(&der).map_err(|e| e.to_string())?,
                )),
                KeyAlg::EccP256 => Key::P256(
                    p256::ecdsa::SigningKey::from_pkcs8_der(&der).map_err(|e| e.to_string())?,
                ),
            };
            keys.insert(key_ref, key);
            let cert = hex::decode(&s.certificate).map_err(|e| e.to_string())?;
            let tag = CERT_TAGS.iter().find(|(k, _)| *k == key_ref).unwrap().1;
            let content = [tlv(&[0x70], &cert), tlv(&[0x71], &[0]), tlv(&[0xFE], &[])].concat();
            objects.insert(tag.to_vec(), tlv(&[0x53], &content));
        }
        let guid = hex::decode(&state.guid).map_err(|e| e.to_string())?;
        let fascn = hex::decode(&state.fascn).map_err(|e| e.to_string())?;
        // CHUID (part 1, table 9): FASC-N, GUID, expiration, empty issuer signature, EDC.
        let chuid = [
            tlv(&[0x30], &fascn),
            tlv(&[0x34], &guid),
            tlv(&[0x35], b"20351231"),
            tlv(&[0x3E], &[]),
            tlv(&[0xFE], &[]),
        ]
        .concat();
        objects.insert(vec![0x5F, 0xC1, 0x02], tlv(&[0x53], &chuid));
        // CCC (table 8): card identifier (NIST RID, manufacturer FF, type 02, 14-byte id).
        let mut card_id = vec![0xA0, 0x00, 0x00, 0x03, 0x08, 0xFF, 0x02];
        card_id.extend_from_slice(&guid[..14.min(guid.len())]);
        card_id.resize(21, 0);
        let ccc = [
            tlv(&[0xF0], &card_id),
            tlv(&[0xF1], &[0x21]),
            tlv(&[0xF2], &[0x21]),
            tlv(&[0xF3], &[]),
            tlv(&[0xF4], &[0x00]),
            tlv(&[0xF5], &[0x10]),
            tlv(&[0xF6], &[]),
            tlv(&[0xF7], &[]),
            tlv(&[0xFA], &[]),
            tlv(&[0xFB], &[]),
            tlv(&[0xFC], &[]),
            tlv(&[0xFD], &[]),
            tlv(&[0xFE], &[]),
        ]
        .concat();
        objects.insert(vec![0x5F, 0xC1, 0x07], tlv(&[0x53], &ccc));
        // Key history (table 19): no retired keys.
        let history = [tlv(&[0xC1], &[0]), tlv(&[0xC2], &[0]), tlv(&[0xFE], &[])].concat();
        objects.insert(vec![0x5F, 0xC1, 0x0C], tlv(&[0x53], &history));
        // Discovery object (table 18): the AID and a PIN usage policy of "PIV PIN only"; it is
        // the one object not wrapped in tag 53.
        let discovery = [tlv(&[0x4F], &PIV_AID), tlv(&[0x5F, 0x2F], &[0x40, 0x00])].concat();
        objects.insert(vec![0x7E], tlv(&[0x7E], &discovery));
        Ok(Card {
            state,
            path,
            keys,
            objects,
            behaviour,
            log,
            verified: false,
            just_verified: false,
            chain: None,
            pending: Vec::new(),
        })
    }

    /// Power off, on or reset: the security status and any chaining are lost.
    pub fn reset(&mut self) {
        self.verified = false;
        self.just_verified = false;
        self.chain = None;
        self.pending.clear();
    }

    /// Retries left.
    #[cfg(test)]
    pub fn retries_left(&self) -> u8 {
        self.state.pin_retries_left
    }

    /// Answers one command APDU with a response APDU (data + SW1 SW2).
    pub fn process(&mut self, raw: &[u8]) -> Vec<u8> {
        let (mut out, sw) = match Command::parse(raw) {
            Ok(cmd) => {
                let (out, sw) = self.dispatch(&cmd);
                self.log_line(&cmd, out.len(), sw);
                (out, sw)
            }
            Err(sw) => (Vec::new(), sw),
        };
        out.extend_from_slice(&sw.to_be_bytes());
        out
    }

    fn log_line(&mut self, c: &Command, out: usize, sw: u16) {
        if let Some(log) = self.log.as_mut() {
            // Header and lengths only: data (PINs among it) is never written anywhere.
            let _ = writeln!(
                log,
                "{:02X} {:02X} {:02X} {:02X} lc={} le={} -> {} bytes {:04X}",
                c.cla,
                c.ins,
                c.p1,
                c.p2,
                c.data.len(),
                c.le.map(|l| l.to_string()).unwrap_or("-".into()),
                out,
                sw
            );
            let _ = log.flush();
        }
    }

    fn dispatch(&mut self, c: &Command) -> (Vec<u8>, u16) {
        if c.ins != 0xC0 {
            self.pending.clear();
        }
        let verify_before = self.just_verified;
        self.just_verified = false;
        if c.cla & !0x10 != 0 {
            return (Vec::new(), sw::CLA_NOT_SUPPORTED);
        }
        let header = [c.ins, c.p1, c.p2];
        // Command chaining (ISO 7816-4 5.1.1.1): collect until a command without the bit.
        let data = match self.chain.take() {
            Some((h, mut acc)) if h == header => {
                acc.extend_from_slice(&c.data);
                acc
            }
            _ => c.data.clone(),
        };
        if c.cla & 0x10 != 0 {
            self.chain = Some((header, data));
            self.just_verified = verify_before;
            return (Vec::new(), sw::OK);
        }
        let le = c.le.unwrap_or(256);
        match c.ins {
            0xA4 => self.select(c, &data, le),
            0xCB => self.get_data(c, &data, le),
            0x20 => self.verify(c, &data),
            0x87 => self.general_authenticate(c, &data, le, verify_before),
            0xC0 => {
                if self.pending.is_empty() {
                    return (Vec::new(), sw::CONDITIONS_NOT_SATISFIED);
                }
                let rest = std::mem::take(&mut self.pending);
                self.respond(rest, le)
            }
            _ => (Vec::new(), sw::INS_NOT_SUPPORTED),
        }
    }

    /// Sends at most `le` bytes; the rest waits for GET RESPONSE, announced by `61xx`.
    fn respond(&mut self, mut data: Vec<u8>, le: usize) -> (Vec<u8>, u16) {
        let le = le.min(256);
        if data.len() <= le {
            return (data, sw::OK);
        }
        self.pending = data.split_off(le);
        let left = self.pending.len().min(255) as u16;
        let left = if self.pending.len() >= 256 { 0 } else { left };
        (data, 0x6100 | left)
    }

    fn select(&mut self, c: &Command, aid: &[u8], le: usize) -> (Vec<u8>, u16) {
        if c.p1 != 0x04 {
            return (Vec::new(), sw::NOT_FOUND);
        }
        if aid.len() < PIV_AID_SHORT || !PIV_AID.starts_with(aid) {
            return (Vec::new(), sw::NOT_FOUND);
        }
        // Application property template (part 2, table 3).
        let algs = [
            tlv(&[0x80], &[0x07]),
            tlv(&[0x80], &[0x11]),
            tlv(&[0x06], &[0x00]),
        ]
        .concat();
        let apt = [
            tlv(&[0x4F], &PIV_AID[5..]),
            tlv(&[0x79], &tlv(&[0x4F], &PIV_AID[..5])),
            tlv(&[0x50], b"KYSO virtual PIV"),
            tlv(&[0xAC], &algs),
        ]
        .concat();
        self.respond(tlv(&[0x61], &apt), le)
    }

    fn get_data(&mut self, c: &Command, data: &[u8], le: usize) -> (Vec<u8>, u16) {
        if (c.p1, c.p2) != (0x3F, 0xFF) {
            return (Vec::new(), sw::WRONG_P1P2);
        }
        let Some(tlvs) = parse_tlvs(data) else {
            return (Vec::new(), sw::WRONG_DATA);
        };
        let Some((_, tag)) = tlvs.iter().find(|(t, _)| t == &[0x5C]) else {
            return (Vec::new(), sw::WRONG_DATA);
        };
        match self.objects.get(tag) {
            Some(obj) => {
                let obj = obj.clone();
                self.respond(obj, le)
            }
            None => (Vec::new(), sw::NOT_FOUND),
        }
    }

    fn save(&self) {
        if let Some(p) = &self.path {
            if let Err(e) = self.state.save(p) {
                eprintln!("piv-card: cannot save the state: {e}");
            }
        }
    }

    fn verify(&mut self, c: &Command, data: &[u8]) -> (Vec<u8>, u16) {
        if c.p2 != 0x80 {
            return (Vec::new(), sw::REF_NOT_FOUND);
        }
        match c.p1 {
            // Reset the security status (part 2, 3.2.1).
            0xFF if data.is_empty() => {
                self.verified = false;
                return (Vec::new(), sw::OK);
            }
            0x00 => {}
            _ => return (Vec::new(), sw::WRONG_P1P2),
        }
        let left = self.state.pin_retries_left;
        if data.is_empty() {
            // Status query: no attempt is used.
            return match (self.verified, left) {
                (true, _) => (Vec::new(), sw::OK),
                (false, 0) => (Vec::new(), sw::AUTH_BLOCKED),
                (false, n) => (Vec::new(), 0x63C0 | n.min(15) as u16),
            };
        }
        if left == 0 {
            return (Vec::new(), sw::AUTH_BLOCKED);
        }
        if data.len() != 8 {
            return (Vec::new(), sw::WRONG_DATA);
        }
        let mut expected = self.state.pin.as_bytes().to_vec();
        expected.resize(8, 0xFF);
        if data == expected.as_slice() {
            self.verified = true;
            self.just_verified = true;
            if left != self.state.pin_retries_max {
                self.state.pin_retries_left = self.state.pin_retries_max;
                self.save();
            }
            (Vec::new(), sw::OK)
        } else {
            self.verified = false;
            self.state.pin_retries_left = left - 1;
            self.save();
            match left - 1 {
                0 => (Vec::new(), sw::AUTH_BLOCKED),
                n => (Vec::new(), 0x63C0 | n.min(15) as u16),
            }
        }
    }

    fn general_authenticate(
        &mut self,
        c: &Command,
        data: &[u8],
        le: usize,
        verify_before: bool,
    ) -> (Vec<u8>, u16) {
        let Some(key) = self.keys.get(&c.p2) else {
            return (Vec::new(), sw::WRONG_P1P2);
        };
        if key.alg().id() != c.p1 {
            return (Vec::new(), sw::WRONG_P1P2);
        }
        let allowed = match c.p2 {
            0x9E => true,
            0x9C => verify_before,
            _ => self.verified,
        };
        if !allowed {
            return (Vec::new(), sw::SECURITY_NOT_SATISFIED);
        }
        // Dynamic authentication template: 7C { 82 00 (response wanted), 81 challenge }.
        let Some(outer) = parse_tlvs(data) else {
            return (Vec::new(), sw::WRONG_DATA);
        };
        let Some((_, template)) = outer.iter().find(|(t, _)| t == &[0x7C]) else {
            return (Vec::new(), sw::WRONG_DATA);
        };
        let Some(inner) = parse_tlvs(template) else {
            return (Vec::new(), sw::WRONG_DATA);
        };
        let wants_response = inner.iter().any(|(t, v)| t == &[0x82] && v.is_empty());
        let challenge = inner.iter().find(|(t, _)| t == &[0x81]).map(|(_, v)| v);
        let (true, Some(challenge)) = (wants_response, challenge) else {
            return (Vec::new(), sw::WRONG_DATA);
        };
        std::thread::sleep(self.behaviour.latency);
        let signature = match key {
            Key::Rsa(k) => {
                // Raw RSA over the block the host padded (PKCS#1 v1.5 or PSS).
                let size = k.size();
                let m = BigUint::from_bytes_be(challenge);
                if challenge.len() != size || &m >= k.n() {
                    return (Vec::new(), sw::WRONG_DATA);
                }
                let s = m.modpow(k.d(), k.n()).to_bytes_be();
                let mut out = vec![0u8; size - s.len()];
                out.extend(s);
                out
            }
            Key::P256(k) => {
                // The host sends the hash (truncated or padded to the field size).
                let sig: Result<p256::ecdsa::Signature, _> = k.sign_prehash(challenge);
                match sig {
                    Ok(s) => s.to_der().as_bytes().to_vec(),
                    Err(_) => return (Vec::new(), sw::WRONG_DATA),
                }
            }
        };
        let out = tlv(&[0x7C], &tlv(&[0x82], &signature));
        self.respond(out, le)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    use rsa::pkcs8::DecodePublicKey;

    fn card(retries: u8) -> (Card, State) {
        let state = crate::init::new_state("123456", retries).unwrap();
        (
            Card::new(state.clone(), None, Behaviour::default(), None).unwrap(),
            state,
        )
    }

    fn verify_apdu(pin: &str) -> Vec<u8> {
        let mut p = pin.as_bytes().to_vec();
        p.resize(8, 0xFF);
        [vec![0x00, 0x20, 0x00, 0x80, 0x08], p].concat()
    }

    fn sw_of(r: &[u8]) -> u16 {
        u16::from_be_bytes([r[r.len() - 2], r[r.len() - 1]])
    }

    #[test]
    fn pin_counter_drops_blocks_and_resets() {
        let (mut c, _) = card(3);
        let status = [0x00, 0x20, 0x00, 0x80];
        assert_eq!(sw_of(&c.process(&status)), 0x63C3);
        assert_eq!(sw_of(&c.process(&verify_apdu("000000"))), 0x63C2);
        assert_eq!(
            sw_of(&c.process(&status)),
            0x63C2,
            "a query uses no attempt"
        );
        assert_eq!(sw_of(&c.process(&verify_apdu("123456"))), 0x9000);
        assert_eq!(c.retries_left(), 3, "a correct PIN resets the counter");
        assert_eq!(sw_of(&c.process(&status)), 0x9000);
        c.reset();
        for left in [0x63C2, 0x63C1, 0x6983] {
            assert_eq!(sw_of(&c.process(&verify_apdu("999999"))), left);
        }
        assert_eq!(sw_of(&c.process(&verify_apdu("123456"))), 0x6983);
        assert_eq!(c.retries_left(), 0);
        assert_eq!(sw_of(&c.process(&status)), 0x6983);
    }

    #[test]
    fn objects_come_in_chained_responses() {
        let (mut c, state) = card(3);
        let select = [&[0x00, 0xA4, 0x04, 0x00, 0x09][..], &PIV_AID[..9], &[0x00]].concat();
        let r = c.process(&select);
        assert_eq!(sw_of(&r), 0x9000);
        assert_eq!(r[0], 0x61);
        let get = [
            0x00, 0xCB, 0x3F, 0xFF, 0x05, 0x5C, 0x03, 0x5F, 0xC1, 0x05, 0x00,
        ];
        let r = c.process(&get);
        assert_eq!(r.len(), 258);
        assert_eq!(r[256], 0x61);
        let mut all = r[..256].to_vec();
        loop {
            let r = c.process(&[0x00, 0xC0, 0x00, 0x00, 0x00]);
            all.extend_from_slice(&r[..r.len() - 2]);
            if sw_of(&r) == 0x9000 {
                break;
            }
            assert_eq!(r[r.len() - 2], 0x61);
        }
        let outer = parse_tlvs(&all).unwrap();
        let inner = parse_tlvs(&outer[0].1).unwrap();
        assert_eq!(hex::encode(&inner[0].1), state.slots[0].certificate);
        let missing = [
            0x00, 0xCB, 0x3F, 0xFF, 0x05, 0x5C, 0x03, 0x5F, 0xC1, 0x09, 0x00,
        ];
        assert_eq!(sw_of(&c.process(&missing)), 0x6A82);
    }

    fn general_authenticate(c: &mut Card, alg: u8, key: u8, challenge: &[u8]) -> (Vec<u8>, u16) {
        let body = tlv(
            &[0x7C],
            &[tlv(&[0x82], &[]), tlv(&[0x81], challenge)].concat(),
        );
        // Command chaining in pieces of at most 255 bytes, as OpenSC sends it.
        let chunks: Vec<&[u8]> = body.chunks(200).collect();
        let mut last = Vec::new();
        for (i, chunk) in chunks.iter().enumerate() {
            let cla = if i + 1 < chunks.len() { 0x10 } else { 0x00 };
            let mut apdu = vec![cla, 0x87, alg, key, chunk.len() as u8];
            apdu.extend_from_slice(chunk);
            apdu.push(0x00);
            last = c.process(&apdu);
        }
        let mut out = last[..last.len() - 2].to_vec();
        let mut sw = sw_of(&last);
        while sw >> 8 == 0x61 {
            let r = c.process(&[0x00, 0xC0, 0x00, 0x00, 0x00]);
            out.extend_from_slice(&r[..r.len() - 2]);
            sw = sw_of(&r);
        }
        (out, sw)
    }

    fn signature(template: &[u8]) -> Vec<u8> {
        let outer = parse_tlvs(template).unwrap();
        parse_tlvs(&outer[0].1).unwrap()[0].1.clone()
    }

    #[test]
    fn rsa_and_ecc_signatures_verify_and_need_the_pin() {
        use sha2::Digest;
        let (mut c, state) = card(3);
        let digest = sha2::Sha256::digest(b"van ban");
        // PKCS#1 v1.5 block as OpenSC pads it for the card.
        let prefix = hex::decode("3031300d060960864801650304020105000420").unwrap();
        let t = [prefix, digest.to_vec()].concat();
        let mut block = vec![0x00, 0x01];
        block.resize(256 - t.len() - 1, 0xFF);
        block.push(0x00);
        block.extend_from_slice(&t);
        let (_, sw) = general_authenticate(&mut c, 0x07, 0x9A, &block);
        assert_eq!(sw, 0x6982, "no PIN, no signature");
        assert_eq!(sw_of(&c.process(&verify_apdu("123456"))), 0x9000);
        let (out, sw) = general_authenticate(&mut c, 0x07, 0x9A, &block);
        assert_eq!(sw, 0x9000);
        let cert = hex::decode(&state.slots[0].certificate).unwrap();
        let (_, x509) = x509_parser::parse_x509_certificate(&cert).unwrap();
        let public = rsa::RsaPublicKey::from_public_key_der(x509.public_key().raw).unwrap();
        public
            .verify(
                rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                &digest,
                &signature(&out),
            )
            .unwrap();

        // 9C is "PIN always": a VERIFY must come just before.
        let (_, sw) = general_authenticate(&mut c, 0x11, 0x9C, &digest);
        assert_eq!(sw, 0x6982);
        assert_eq!(sw_of(&c.process(&verify_apdu("123456"))), 0x9000);
        let (out, sw) = general_authenticate(&mut c, 0x11, 0x9C, &digest);
        assert_eq!(sw, 0x9000);
        let cert = hex::decode(&state.slots[1].certificate).unwrap();
        let (_, x509) = x509_parser::parse_x509_certificate(&cert).unwrap();
        let key = p256::ecdsa::VerifyingKey::from_public_key_der(x509.public_key().raw).unwrap();
        let sig = p256::ecdsa::Signature::from_der(&signature(&out)).unwrap();
        key.verify_prehash(&digest, &sig).unwrap();
        // Wrong algorithm for the key.
        let (_, sw) = general_authenticate(&mut c, 0x07, 0x9E, &digest);
        assert_eq!(sw, 0x6A86);
    }
}
