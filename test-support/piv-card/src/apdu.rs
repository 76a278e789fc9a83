//! ISO 7816-4 command APDUs (short and extended) and BER-TLV, as far as PIV needs them.

/// Status words the card answers with.
pub mod sw {
    pub const OK: u16 = 0x9000;
    pub const WRONG_LENGTH: u16 = 0x6700;
    pub const SECURITY_NOT_SATISFIED: u16 = 0x6982;
    pub const AUTH_BLOCKED: u16 = 0x6983;
    pub const CONDITIONS_NOT_SATISFIED: u16 = 0x6985;
    pub const WRONG_DATA: u16 = 0x6A80;
    pub const NOT_FOUND: u16 = 0x6A82;
    pub const WRONG_P1P2: u16 = 0x6A86;
    pub const REF_NOT_FOUND: u16 = 0x6A88;
    pub const INS_NOT_SUPPORTED: u16 = 0x6D00;
    pub const CLA_NOT_SUPPORTED: u16 = 0x6E00;
}

/// A parsed command APDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    pub data: Vec<u8>,
    /// Bytes expected; `None` when the command has no Le.
    pub le: Option<usize>,
}

impl Command {
    /// Parses cases 1 to 4, short and extended; a malformed length is `6700`.
    pub fn parse(b: &[u8]) -> Result<Command, u16> {
        if b.len() < 4 {
            return Err(sw::WRONG_LENGTH);
        }
        let mut c = Command {
            cla: b[0],
            ins: b[1],
            p1: b[2],
            p2: b[3],
            data: Vec::new(),
            le: None,
        };
        let body = &b[4..];
        let short_le = |x: u8| if x == 0 { 256 } else { x as usize };
        let ext_le = |h: u8, l: u8| match u16::from_be_bytes([h, l]) {
            0 => 65536,
            n => n as usize,
        };
        match body.len() {
            0 => {}
            1 => c.le = Some(short_le(body[0])),
            _ if body[0] != 0 => {
                let lc = body[0] as usize;
                let rest = &body[1..];
                if rest.len() < lc {
                    return Err(sw::WRONG_LENGTH);
                }
                c.data = rest[..lc].to_vec();
                match &rest[lc..] {
                    [] => {}
                    [le] => c.le = Some(short_le(*le)),
                    _ => return Err(sw::WRONG_LENGTH),
                }
            }
            3 => c.le = Some(ext_le(body[1], body[2])),
            n if n >= 3 => {
                let lc = u16::from_be_bytes([body[1], body[2]]) as usize;
                let rest = &body[3..];
                if rest.len() < lc {
                    return Err(sw::WRONG_LENGTH);
                }
                c.data = rest[..lc].to_vec();
                match &rest[lc..] {
                    [] => {}
                    [h, l] => c.le = Some(ext_le(*h, *l)),
                    _ => return Err(sw::WRONG_LENGTH),
                }
            }
            _ => return Err(sw::WRONG_LENGTH),
        }
        Ok(c)
    }
}

/// BER length octets.
pub fn ber_len(n: usize) -> Vec<u8> {
    match n {
        0..=0x7f => vec![n as u8],
        0x80..=0xff => vec![0x81, n as u8],
        _ => vec![0x82, (n >> 8) as u8, n as u8],
    }
}

/// One TLV with a tag of one or more bytes.
pub fn tlv(tag: &[u8], value: &[u8]) -> Vec<u8> {
    let mut out = tag.to_vec();
    out.extend(ber_len(value.len()));
    out.extend_from_slice(value);
    out
}

/// Splits BER-TLV data into (tag bytes, value) pairs; `None` if malformed.
pub fn parse_tlvs(mut data: &[u8]) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut out = Vec::new();
    while !data.is_empty() {
        let mut t = 1;
        if data[0] & 0x1f == 0x1f {
            while *data.get(t)? & 0x80 != 0 {
                t += 1;
            }
            t += 1;
        }
        let tag = data.get(..t)?.to_vec();
        let first = *data.get(t)?;
        let (len, l) = match first {
            0..=0x7f => (first as usize, 1),
            0x81 => (*data.get(t + 1)? as usize, 2),
            0x82 => (
                u16::from_be_bytes([*data.get(t + 1)?, *data.get(t + 2)?]) as usize,
                3,
            ),
            _ => return None,
        };
        let value = data.get(t + l..t + l + len)?.to_vec();
        out.push((tag, value));
        data = &data[t + l + len..];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_case() {
        assert_eq!(Command::parse(&[0, 0xA4, 4, 0]).unwrap().le, None);
        assert_eq!(Command::parse(&[0, 0xC0, 0, 0, 0]).unwrap().le, Some(256));
        let c = Command::parse(&[0, 0x20, 0, 0x80, 2, 1, 2]).unwrap();
        assert_eq!((c.data, c.le), (vec![1, 2], None));
        let c = Command::parse(&[0, 0xCB, 0x3F, 0xFF, 1, 9, 0]).unwrap();
        assert_eq!((c.data, c.le), (vec![9], Some(256)));
        let c = Command::parse(&[0, 0x87, 7, 0x9A, 0, 0, 2, 1, 2, 0, 0]).unwrap();
        assert_eq!((c.data, c.le), (vec![1, 2], Some(65536)));
        assert_eq!(
            Command::parse(&[0, 0x20, 0, 0x80, 3, 1]),
            Err(sw::WRONG_LENGTH)
        );
    }

    #[test]
    fn tlv_round_trip() {
        let long = vec![7u8; 300];
        let data = [tlv(&[0x5F, 0xC1, 0x05], &long), tlv(&[0x82], &[])].concat();
        let parsed = parse_tlvs(&data).unwrap();
        assert_eq!(parsed[0], (vec![0x5F, 0xC1, 0x05], long));
        assert_eq!(parsed[1], (vec![0x82], vec![]));
        assert!(parse_tlvs(&[0x7C, 0x05, 1]).is_none());
    }
}
