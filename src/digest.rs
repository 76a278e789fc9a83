//! Hashing on the host (streamed, constant memory) and the PKCS#1 DigestInfo the token signs
//! when it only offers raw `CKM_RSA_PKCS`.

use std::io::Read;

use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::error::{Error, Result};

/// A hash algorithm used for signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashAlg {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlg {
    /// Short name used in algorithm names: `sha256`.
    pub fn name(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "sha256",
            HashAlg::Sha384 => "sha384",
            HashAlg::Sha512 => "sha512",
        }
    }

    /// Digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            HashAlg::Sha256 => 32,
            HashAlg::Sha384 => 48,
            HashAlg::Sha512 => 64,
        }
    }

    /// Hashes bytes in memory.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlg::Sha256 => Sha256::digest(data).to_vec(),
            HashAlg::Sha384 => Sha384::digest(data).to_vec(),
            HashAlg::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    /// Hashes a stream in fixed-size chunks, whatever its length.
    pub fn digest_reader(self, reader: &mut dyn Read) -> Result<Vec<u8>> {
        let mut hasher = Hasher::new(self);
        hasher.update_reader(reader)?;
        Ok(hasher.finish())
    }

    /// The DER `DigestInfo` prefix of RFC 8017 §9.2 (from the `rsa` crate's tables).
    fn digest_info_prefix(self) -> Box<[u8]> {
        match self {
            HashAlg::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>().prefix,
            HashAlg::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>().prefix,
            HashAlg::Sha512 => rsa::Pkcs1v15Sign::new::<Sha512>().prefix,
        }
    }

    /// `DigestInfo ::= SEQUENCE { digestAlgorithm, digest }` for `CKM_RSA_PKCS`.
    pub fn digest_info(self, digest: &[u8]) -> Result<Vec<u8>> {
        self.check_len(digest)?;
        let mut out = self.digest_info_prefix().into_vec();
        out.extend_from_slice(digest);
        Ok(out)
    }

    /// Refuses a digest of the wrong length (a caller mixing up algorithms).
    pub fn check_len(self, digest: &[u8]) -> Result<()> {
        if digest.len() == self.output_len() {
            Ok(())
        } else {
            Err(Error::InvalidInput(format!(
                "a {} digest is {} bytes, got {}",
                self.name(),
                self.output_len(),
                digest.len()
            )))
        }
    }
}

/// An incremental hash of any [`HashAlg`], for streaming while a token signs.
pub enum Hasher {
    /// SHA-256 state.
    Sha256(Sha256),
    /// SHA-384 state.
    Sha384(Sha384),
    /// SHA-512 state.
    Sha512(Sha512),
}

impl Hasher {
    /// A new hash state.
    pub fn new(alg: HashAlg) -> Self {
        match alg {
            HashAlg::Sha256 => Hasher::Sha256(Sha256::new()),
            HashAlg::Sha384 => Hasher::Sha384(Sha384::new()),
            HashAlg::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    /// Adds data.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha384(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    /// Feeds a whole stream, 64 KiB at a time (memory stays flat whatever its length); returns
    /// the number of bytes read.
    pub fn update_reader(&mut self, reader: &mut dyn Read) -> Result<u64> {
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io("reading data to hash", e)),
            };
            self.update(&buf[..n]);
            total += n as u64;
        }
        Ok(total)
    }

    /// The digest.
    pub fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha384(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_info_sha256_matches_rfc8017() {
        let d = HashAlg::Sha256.digest(b"abc");
        let di = HashAlg::Sha256.digest_info(&d).unwrap();
        // RFC 8017 §9.2 note 1: SHA-256 prefix.
        let prefix = hex::decode("3031300d060960864801650304020105000420").unwrap();
        assert_eq!(&di[..prefix.len()], &prefix[..]);
        assert_eq!(&di[prefix.len()..], &d[..]);
        assert_eq!(di.len(), 51);
    }

    #[test]
    fn digest_info_sha384_sha512_lengths_and_oids() {
        let di = HashAlg::Sha384.digest_info(&[0u8; 48]).unwrap();
        assert_eq!(
            hex::encode(&di[..19]),
            "3041300d060960864801650304020205000430"
        );
        let di = HashAlg::Sha512.digest_info(&[0u8; 64]).unwrap();
        assert_eq!(
            hex::encode(&di[..19]),
            "3051300d060960864801650304020305000440"
        );
        assert_eq!(di.len(), 83);
    }

    #[test]
    fn digest_info_rejects_wrong_length() {
        let err = HashAlg::Sha256.digest_info(&[0u8; 48]).unwrap_err();
        assert!(err.to_string().contains("32 bytes"), "{err}");
    }

    #[test]
    fn streamed_digest_equals_one_shot() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        for alg in [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
            let streamed = alg.digest_reader(&mut &data[..]).unwrap();
            assert_eq!(streamed, alg.digest(&data));
            assert_eq!(streamed.len(), alg.output_len());
        }
    }
}
