//! The checksums kept for every blob, computed as its bytes go by: BLAKE3
//! (integrity: `fsck`, the download page, `b3sum`) and CRC-32 (the headers
//! of zip downloads, which must be known before the first byte is sent;
//! docs/zip.md).

use std::io::{self, Read};

#[derive(Clone, Default)]
pub struct Digest {
    blake3: blake3::Hasher,
    crc32: crc32fast::Hasher,
}

/// A blob's checksums: BLAKE3 as lowercase hex, and its CRC-32.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sums {
    pub blake3: String,
    pub crc32: u32,
}

impl Digest {
    pub fn update(&mut self, bytes: &[u8]) {
        self.blake3.update(bytes);
        self.crc32.update(bytes);
    }

    pub fn finalize(&self) -> Sums {
        Sums {
            blake3: self.blake3.finalize().to_hex().to_string(),
            crc32: self.crc32.clone().finalize(),
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
    }
}
