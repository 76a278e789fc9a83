//! Whose process is at the other end of a loopback TCP connection: Linux lists each socket's
//! owner in `/proc/net/tcp{,6}`, so the service refuses other users in safe Rust.

use std::net::SocketAddr;
use std::os::unix::fs::MetadataExt;

/// Whether the connection from `peer` to `local` comes from a process of the user running
/// this one. Where the platform does not tell (no `/proc`), it is allowed.
pub fn same_user(peer: SocketAddr, local: SocketAddr) -> bool {
    let Ok(me) = std::fs::metadata("/proc/self").map(|m| m.uid()) else {
        return true;
    };
    let table = if peer.is_ipv4() {
        "/proc/net/tcp"
    } else {
        "/proc/net/tcp6"
    };
    let Ok(text) = std::fs::read_to_string(table) else {
        return true;
    };
    let (want_local, want_remote) = (encode(peer), encode(local));
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() > 7
            && f[1].eq_ignore_ascii_case(&want_local)
            && f[2].eq_ignore_ascii_case(&want_remote)
        {
            return f[7].parse::<u32>().is_ok_and(|uid| uid == me);
        }
    }
    // the client's socket is not listed (closed already): nothing to serve anyway
    false
}

/// An address as `/proc/net/tcp` writes it: the address in 32-bit words of host (little
/// endian) order, then the port, in hex.
fn encode(a: SocketAddr) -> String {
    let addr: String = match a {
        SocketAddr::V4(v4) => format!("{:08X}", u32::from_le_bytes(v4.ip().octets())),
        SocketAddr::V6(v6) => v6
            .ip()
            .octets()
            .chunks(4)
            .map(|c| format!("{:08X}", u32::from_le_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
    };
    format!("{addr}:{:04X}", a.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_proc_net_tcp() {
        assert_eq!(encode("127.0.0.1:8987".parse().unwrap()), "0100007F:231B");
        assert_eq!(
            encode("[::1]:4433".parse().unwrap()),
            "00000000000000000000000001000000:1151"
        );
    }

    #[test]
    fn own_connection_is_same_user() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let c = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (s, _) = l.accept().unwrap();
        assert!(same_user(s.peer_addr().unwrap(), s.local_addr().unwrap()));
        drop(c);
    }
}
