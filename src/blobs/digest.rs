//! The checksums kept for every blob, computed as its bytes go by: BLAKE3
//! (integrity: `fsck`, the download page, `b3sum`) and CRC-32 (the headers
//! of zip downloads, which must be known before the first byte is sent;
//! docs/zip.md) — and whether it is an age file, from its first bytes
//! (docs/encryption.md).

use std::io::{self, Read};

/// How an age file begins: binary, and ASCII-armored.
const AGE_HEADERS: [&[u8]; 2] = [
    b"age-encryption.org/v1\n",
    b"-----BEGIN AGE ENCRYPTED FILE-----",
];
/// The longest of them: the first bytes kept.
const HEAD: usize = 34;

#[derive(Clone, Default)]
pub struct Digest {
    blake3: blake3::Hasher,
    crc32: crc32fast::Hasher,
    head: Vec<u8>,
}

/// A blob's checksums: BLAKE3 as lowercase hex, and its CRC-32; and
/// whether it begins as an age file does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sums {
    pub blake3: String,
    pub crc32: u32,
    pub age: bool,
}

impl Digest {
    pub fn update(&mut self, bytes: &[u8]) {
        self.blake3.update(bytes);
        self.crc32.update(bytes);
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
        }
    }

    pub fn finalize(&self) -> Sums {
        Sums {
            blake3: self.blake3.finalize().to_hex().to_string(),
            crc32: self.crc32.clone().finalize(),
            age: AGE_HEADERS.iter().any(|h| self.head.starts_with(h)),
        }
    }

    /// Reads `r` to its end; the number of bytes read.
    pub fn update_reader(&mut self, mut r: impl Read) -> io::Result<u64> {
        let mut buf = vec![0u8; 256 * 1024];
        let mut n = 0u64;
        loop {
            match r.read(&mut buf) {
                Ok(0) => return Ok(n),
                Ok(k) => {
                    self.update(&buf[..k]);
                    n += k as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl Sums {
    pub fn of(bytes: &[u8]) -> Sums {
        let mut d = Digest::default();
        d.update(bytes);
        d.finalize()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sums_match_their_reference_values() {
        // CRC-32 of "123456789" is the check value of the ZIP polynomial.
        let sums = Sums::of(b"123456789");
        assert_eq!(sums.crc32, 0xCBF4_3926);
        assert_eq!(sums.blake3, blake3::hash(b"123456789").to_hex().to_string());
        let mut d = Digest::default();
        assert_eq!(d.update_reader(&b"1234"[..]).expect("read"), 4);
        d.update(b"56789");
        assert_eq!(d.finalize(), sums);
        assert!(!sums.age);
    }

    #[test]
    fn age_files_are_told_by_their_first_bytes_however_they_come() {
        let file = b"age-encryption.org/v1\n-> X25519 abc\n";
        assert!(Sums::of(file).age);
        let mut d = Digest::default();
        for byte in file {
            d.update(&[*byte]);
        }
        assert!(d.finalize().age);
        assert!(Sums::of(b"-----BEGIN AGE ENCRYPTED FILE-----\nYWdl").age);
        assert!(!Sums::of(b"age-encryption.org/v2\n").age);
        assert!(!Sums::of(b"age-encryption.org").age);
    }
}
