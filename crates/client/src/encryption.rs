//! End-to-end encryption with [age] (docs/encryption.md): a file is
//! encrypted before it leaves and decrypted after it arrives, so the
//! server only ever holds ciphertext. Everything here is the maintained
//! `age` crate; this module only chooses keys and moves bytes.
//!
//! * [`To`]: whom an upload is encrypted to — X25519 public keys
//!   (`age1…`), a passphrase (scrypt), or a new key made for the link;
//! * [`encrypt_file`] / [`decrypt_file`]: whole files, streamed (memory
//!   stays flat whatever the size);
//! * [`decrypt_range`]: part of an encrypted file from any seekable
//!   source, reading only the 64 KiB chunks the range falls in;
//! * [`Unlock`]: identities (an identity file, or the key a link carries
//!   after `#key=`) or a passphrase.
//!
//! [age]: https://age-encryption.org/v1

use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::str::FromStr;

pub use age::secrecy::{ExposeSecret, SecretString};
pub use age::x25519;

/// How every age file begins (binary, and ASCII-armored).
const HEADERS: [&[u8]; 2] = [
    b"age-encryption.org/v1\n",
    b"-----BEGIN AGE ENCRYPTED FILE-----",
];

/// The fragment that carries a link's key: `…/file/ID#key=AGE-SECRET-KEY-1…`.
/// Browsers never send a fragment to the server.
pub const LINK_KEY: &str = "key=";

/// Whether `head` (a file's first bytes, at least 34 of them when it is
/// that long) is the start of an age file.
pub fn is_age(head: &[u8]) -> bool {
    HEADERS.iter().any(|h| head.starts_with(h))
}

/// Whom an upload is encrypted to.
pub enum To {
    /// These X25519 public keys (`age1…`); each holder of one of their
    /// identities decrypts.
    Recipients(Vec<x25519::Recipient>),
    /// Whoever knows the passphrase (age's scrypt recipient).
    Passphrase(SecretString),
}

impl To {
    /// A new key for one link: the recipient to encrypt to and the
    /// identity the link carries.
    pub fn new_key() -> (To, x25519::Identity) {
        let identity = x25519::Identity::generate();
        (To::Recipients(vec![identity.to_public()]), identity)
    }
}

/// An `age1…` public key.
pub fn recipient(text: &str) -> Result<x25519::Recipient, String> {
    x25519::Recipient::from_str(text.trim())
        .map_err(|e| format!("{}: not an age public key (age1…): {e}", text.trim()))
}

/// What opens an encrypted file.
pub enum Unlock {
    Identities(Vec<x25519::Identity>),
    Passphrase(SecretString),
}

impl Unlock {
    /// The identities of an age identity file (`AGE-SECRET-KEY-1…` lines;
    /// `#` comments and blank lines skipped), as `age-keygen` writes it.
    pub fn identity_file(path: &Path) -> Result<Unlock, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let keys: Result<Vec<_>, String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(identity)
            .collect();
        match keys? {
            keys if keys.is_empty() => Err(format!("{}: no age identity in it", path.display())),
            keys => Ok(Unlock::Identities(keys)),
        }
    }

    /// The key a link carries after `#key=`, if it carries one.
    pub fn from_link(url: &str) -> Result<Option<Unlock>, String> {
        let Some((_, fragment)) = url.split_once('#') else {
            return Ok(None);
        };
        match fragment.strip_prefix(LINK_KEY) {
            Some(key) => Ok(Some(Unlock::Identities(vec![identity(key)?]))),
            None => Ok(None),
        }
    }
}

fn identity(text: &str) -> Result<x25519::Identity, String> {
    x25519::Identity::from_str(text.trim())
        .map_err(|_| "not an age identity (AGE-SECRET-KEY-1…)".to_string())
}

/// An identity as its text (`AGE-SECRET-KEY-1…`), for an identity file.
pub fn identity_text(key: &x25519::Identity) -> String {
    key.to_string().expose_secret().to_string()
}

/// An identity from its text.
pub fn parse_identity(text: &str) -> Result<x25519::Identity, String> {
    identity(text)
}

/// `url` with the identity in its fragment.
pub fn link_with_key(url: &str, key: &x25519::Identity) -> String {
    let base = url.split('#').next().unwrap_or(url);
    format!("{base}#{LINK_KEY}{}", key.to_string().expose_secret())
}

fn encryptor(to: &To) -> io::Result<age::Encryptor> {
    match to {
        To::Recipients(keys) => {
            age::Encryptor::with_recipients(keys.iter().map(|k| k as &dyn age::Recipient))
                .map_err(io::Error::other)
        }
        To::Passphrase(p) => Ok(age::Encryptor::with_user_passphrase(p.clone())),
    }
}

/// Encrypts everything `input` holds into `output`; the plaintext bytes
/// read. Blocking: run it off the async runtime.
pub fn encrypt(to: &To, mut input: impl Read, output: impl Write) -> io::Result<u64> {
    let mut writer = encryptor(to)?.wrap_output(output)?;
    let n = io::copy(&mut input, &mut writer)?;
    writer.finish()?.flush()?;
    Ok(n)
}

/// Encrypts the file `src` into a new file `dest` (synced before it
/// returns); the plaintext bytes read.
pub fn encrypt_file(to: &To, src: &Path, dest: &Path) -> io::Result<u64> {
    let input = std::fs::File::open(src)?;
    let out = std::fs::File::create(dest)?;
    let mut buffered = io::BufWriter::with_capacity(1 << 20, &out);
    let n = encrypt(to, BufReader::with_capacity(1 << 20, input), &mut buffered)?;
    buffered.flush()?;
    drop(buffered);
    out.sync_all()?;
    Ok(n)
}

/// The length of the age file of `plaintext` bytes whose header, with the
/// payload's nonce, is `header` bytes: each 64 KiB chunk adds a 16-byte tag
/// (an empty file has one chunk).
pub fn encrypted_len(header: u64, plaintext: u64) -> u64 {
    const CHUNK: u64 = 64 * 1024;
    header + plaintext + 16 * plaintext.div_ceil(CHUNK).max(1)
}

/// [`encrypt_file`] for a copy that is sent while it is made: `sized` gets
/// the copy's final length as soon as its header is written, `written`
/// each write's bytes and the bytes in the file after it. Not synced: a
/// copy is a cache of its sender's (who can check it with what `written`
/// saw).
pub fn encrypt_file_as_sent(
    to: &To,
    src: &Path,
    dest: &Path,
    sized: impl FnOnce(u64),
    written: impl FnMut(&[u8], u64),
) -> io::Result<u64> {
    let input = std::fs::File::open(src)?;
    let plain = input.metadata()?.len();
    let out = std::fs::File::create(dest)?;
    let count = std::cell::Cell::new(0);
    let counted = Reporting {
        inner: &out,
        n: &count,
        report: written,
    };
    let mut writer = encryptor(to)?.wrap_output(counted)?;
    // The header and nonce are written: the rest of the length follows.
    let header = count.get();
    sized(encrypted_len(header, plain));
    let n = io::copy(
        &mut BufReader::with_capacity(1 << 20, input).take(plain),
        &mut writer,
    )?;
    writer.finish()?.flush()?;
    if n != plain {
        return Err(io::Error::other(format!(
            "{} changed while it was encrypted",
            src.display()
        )));
    }
    Ok(n)
}

/// A writer that reports how many bytes have gone through it.
struct Reporting<'a, W, F> {
    inner: W,
    n: &'a std::cell::Cell<u64>,
    report: F,
}

impl<W: Write, F: FnMut(&[u8], u64)> Write for Reporting<'_, W, F> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.n.set(self.n.get() + n as u64);
        (self.report)(&buf[..n], self.n.get());
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The plaintext reader of an age file.
fn open<R: Read>(input: R, unlock: &Unlock) -> io::Result<age::stream::StreamReader<R>> {
    unlocked(age::Decryptor::new(input).map_err(refused)?, unlock)
}

/// The same, reading the header with age's faster buffered parser.
fn open_buffered<R: io::BufRead>(
    input: R,
    unlock: &Unlock,
) -> io::Result<age::stream::StreamReader<R>> {
    unlocked(
        age::Decryptor::new_buffered(input).map_err(refused)?,
        unlock,
    )
}

fn unlocked<R: Read>(
    decryptor: age::Decryptor<R>,
    unlock: &Unlock,
) -> io::Result<age::stream::StreamReader<R>> {
    let result = match unlock {
        Unlock::Identities(ids) => decryptor.decrypt(ids.iter().map(|i| i as &dyn age::Identity)),
        Unlock::Passphrase(p) => {
            let id = age::scrypt::Identity::new(p.clone());
            decryptor.decrypt(std::iter::once(&id as &dyn age::Identity))
        }
    };
    result.map_err(refused)
}

fn refused(e: age::DecryptError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("cannot decrypt: {e}"))
}

/// Decrypts everything `input` holds into `output`; the plaintext bytes.
/// A file altered anywhere fails here (every chunk is authenticated).
pub fn decrypt(unlock: &Unlock, input: impl Read, mut output: impl Write) -> io::Result<u64> {
    let mut reader = open(input, unlock)?;
    let n = io::copy(&mut reader, &mut output)?;
    output.flush()?;
    Ok(n)
}

/// Decrypts the file `src` into a new file `dest`; the plaintext bytes.
/// `dest` is removed again when decryption fails part-way.
pub fn decrypt_file(unlock: &Unlock, src: &Path, dest: &Path) -> io::Result<u64> {
    let input = BufReader::with_capacity(1 << 20, std::fs::File::open(src)?);
    let out = std::fs::File::create(dest)?;
    let done = (|| {
        let mut reader = open_buffered(input, unlock)?;
        let mut buffered = io::BufWriter::with_capacity(1 << 20, &out);
        let n = io::copy(&mut reader, &mut buffered)?;
        buffered.flush()?;
        Ok(n)
    })();
    if done.is_err() {
        let _ = std::fs::remove_file(dest);
    }
    done
}

/// Decrypts the plaintext bytes `start..end` of the age file `input`
/// into `output`, reading its header and only the ciphertext chunks the
/// range falls in (age's STREAM chunks can be opened one by one).
pub fn decrypt_range<R: Read + Seek>(
    unlock: &Unlock,
    input: R,
    range: std::ops::Range<u64>,
    mut output: impl Write,
) -> io::Result<u64> {
    let mut reader = open(input, unlock)?;
    reader.seek(SeekFrom::Start(range.start))?;
    let n = io::copy(
        &mut reader.take(range.end.saturating_sub(range.start)),
        &mut output,
    )?;
    output.flush()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 % 251) as u8).collect()
    }

    #[test]
    fn files_round_trip_to_keys_and_passphrases() {
        let plain = sample(200_000);
        let (to, key) = To::new_key();
        let mut sealed = Vec::new();
        assert_eq!(
            encrypt(&to, &plain[..], &mut sealed).expect("encrypt"),
            200_000
        );
        assert!(is_age(&sealed));
        let mut opened = Vec::new();
        decrypt(&Unlock::Identities(vec![key]), &sealed[..], &mut opened).expect("decrypt");
        assert_eq!(opened, plain);
        // Another key opens nothing.
        let other = x25519::Identity::generate();
        assert!(decrypt(&Unlock::Identities(vec![other]), &sealed[..], io::sink()).is_err());

        let pass = To::Passphrase(SecretString::from("correct horse".to_string()));
        let mut sealed = Vec::new();
        encrypt(&pass, &plain[..1000], &mut sealed).expect("encrypt");
        let mut opened = Vec::new();
        let unlock = Unlock::Passphrase(SecretString::from("correct horse".to_string()));
        decrypt(&unlock, &sealed[..], &mut opened).expect("decrypt");
        assert_eq!(opened, plain[..1000]);
    }

    #[test]
    fn a_range_decrypts_from_the_middle() {
        let plain = sample(300_000);
        let (to, key) = To::new_key();
        let mut sealed = Vec::new();
        encrypt(&to, &plain[..], &mut sealed).expect("encrypt");
        let unlock = Unlock::Identities(vec![key]);
        let mut part = Vec::new();
        let got = decrypt_range(
            &unlock,
            io::Cursor::new(&sealed),
            100_000..170_000,
            &mut part,
        )
        .expect("range");
        assert_eq!(got, 70_000);
        assert_eq!(part, plain[100_000..170_000]);
    }

    #[test]
    fn links_carry_their_key_in_the_fragment() {
        let (_, key) = To::new_key();
        let link = link_with_key("https://f.example/file/ab12", &key);
        assert!(link.starts_with("https://f.example/file/ab12#key=AGE-SECRET-KEY-1"));
        assert!(matches!(
            Unlock::from_link(&link),
            Ok(Some(Unlock::Identities(k))) if k.len() == 1
        ));
        assert!(matches!(
            Unlock::from_link("https://f.example/file/ab12"),
            Ok(None)
        ));
        assert!(Unlock::from_link("https://f.example/file/ab12#key=nope").is_err());
        assert!(recipient("age1nope").is_err());
    }
}
