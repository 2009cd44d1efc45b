//! Server-side secrets: the key that seals what must be recoverable
//! (md5 of passwords, download passwords) and signs what the server hands
//! out (upload `extra_info`, direct download URLs). It lives outside the
//! database — a dump alone opens nothing. Every node of a deployment must
//! share it (`secret_key` in the configuration, or the same key file).

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

#[derive(Clone)]
pub struct Secrets {
    seal_key: [u8; 32],
    sign_key: [u8; 32],
    /// The seed of the Ed25519 key that signs delivery receipts: derived,
    /// so every node holding the same `secret_key` has the same key
    /// (docs/receipts.md).
    receipt_seed: [u8; 32],
}

impl Secrets {
    /// From the configured hex key, or the key file under `data_dir/secrets`
    /// (created with mode 0600 on first start).
    pub fn load(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Secrets> {
        let master: Vec<u8> = match configured {
            Some(hex_key) => hex::decode(hex_key.trim()).context("secret_key must be hex")?,
            None => {
                let dir = data_dir.join("secrets");
                let path = dir.join("master.key");
                if path.exists() {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    hex::decode(text.trim()).context("secret key file must hold hex")?
                } else {
                    create_private_dir(&dir)?;
                    let key: [u8; 32] = rand::thread_rng().gen();
                    write_private(&path, hex::encode(key).as_bytes())?;
                    key.to_vec()
                }
            }
        };
        anyhow::ensure!(
            master.len() >= 32,
            "secret key must be at least 32 bytes (64 hex chars)"
        );
        Ok(Secrets {
            seal_key: derive(&master, b"seal"),
            sign_key: derive(&master, b"sign"),
            receipt_seed: derive(&master, b"receipt-ed25519"),
        })
    }

    /// Encrypts a short secret for storage.
    pub fn seal(&self, plain: &str) -> String {
        let cipher = XChaCha20Poly1305::new((&self.seal_key).into());
        let nonce_bytes: [u8; 24] = rand::thread_rng().gen();
        let nonce = XNonce::from_slice(&nonce_bytes);
        // Encryption of an in-memory buffer cannot fail for this AEAD.
        let ct = cipher.encrypt(nonce, plain.as_bytes()).unwrap_or_default();
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&ct);
        B64.encode(out)
    }

    /// Decrypts what `seal` produced; `None` when tampered or sealed by another key.
    pub fn open(&self, sealed: &str) -> Option<String> {
        let raw = B64.decode(sealed).ok()?;
        if raw.len() < 24 {
            return None;
        }
        let cipher = XChaCha20Poly1305::new((&self.seal_key).into());
        let plain = cipher
            .decrypt(XNonce::from_slice(&raw[..24]), &raw[24..])
            .ok()?;
        String::from_utf8(plain).ok()
    }

    /// HMAC-SHA256 of `msg`, URL-safe base64 without padding.
    pub fn sign(&self, msg: &str) -> String {
        dropspace_proto::links::sign(&self.sign_key, msg)
    }

    /// Constant-time check of a `sign` output.
    pub fn verify(&self, msg: &str, sig: &str) -> bool {
        dropspace_proto::links::verify(&self.sign_key, msg, sig)
    }
}

impl Secrets {
    /// The Ed25519 key delivery receipts are signed with.
    pub fn receipt_key(&self) -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&self.receipt_seed)
    }
}

fn derive(master: &[u8], label: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"dropspace-v1:");
    h.update(label);
    h.update(b":");
    h.update(master);
    h.finalize().into()
}

/// Writes a file readable only by its owner, atomically.
/// `create_dir_all` with mode 0700 for what it creates: the data directory
/// holds the database, blobs and mail (docs/security.md).
pub fn create_private_dir(path: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(path)
}

/// Makes every file and directory this process creates private to its
/// user (umask 077), whatever the umask it was started with; called by
/// `serve` and `admin` before anything is opened.
pub fn private_umask() {
    #[cfg(unix)]
    // SAFETY: umask only sets the process's file-mode mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// Those of `paths` that exist and grant anything to group or others.
pub fn too_open(paths: &[std::path::PathBuf]) -> Vec<(std::path::PathBuf, u32)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        paths
            .iter()
            .filter_map(|p| {
                let mode = std::fs::metadata(p).ok()?.permissions().mode() & 0o777;
                (mode & 0o077 != 0).then(|| (p.clone(), mode))
            })
            .collect()
    }
    #[cfg(not(unix))]
    {
        let _ = paths;
        Vec::new()
    }
}

pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(&tmp)
        .with_context(|| format!("creating {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// SHA-256 hex of a high-entropy secret (session keys, tokens, API keys):
/// the database keeps only this, so a dump reveals no usable key.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Lowercase hex md5, as the sendspace login scheme needs.
pub fn md5_hex(data: &str) -> String {
    use md5::Md5;
    hex::encode(Md5::digest(data.as_bytes()))
}

/// Constant-time string equality.
pub fn ct_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

pub const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
pub const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// A random string over `alphabet` from the OS-seeded CSPRNG.
pub fn random_string(len: usize, alphabet: &[u8]) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}

/// Argon2id hash of a password (PHC string).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

/// Checks a password against an argon2 PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// The PHC string checked when a login names no account: a hash of a
/// random password, made once (lazily) by `hash_password`, so it has the
/// parameters — and the cost — of a real one.
fn dummy_password_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_password(&random_string(32, LOWER_ALNUM)).expect("argon2 with default parameters")
    })
}

/// The PHC string a password is checked against, and whether it is the
/// account's: with no account (an unknown name) or a stored value that is
/// not a PHC string, the dummy hash.
fn phc_to_check(phc: Option<&str>) -> (&str, bool) {
    match phc.filter(|p| argon2::password_hash::PasswordHash::new(p).is_ok()) {
        Some(phc) => (phc, true),
        None => (dummy_password_hash(), false),
    }
}

/// Checks a password against an account's PHC string — or, for an unknown
/// name, against the dummy hash and fails: the same argon2 work either way,
/// so timing does not tell whether a name exists (docs/security.md).
pub fn verify_password_or_dummy(password: &str, phc: Option<&str>) -> bool {
    let (target, real) = phc_to_check(phc);
    verify_password(password, target) && real
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordHash;

    #[test]
    fn unknown_names_cost_a_real_argon2_verification() {
        let real_phc = hash_password("pw1234").expect("hash");
        let real = PasswordHash::new(&real_phc).expect("a PHC string");
        for unknown in [None, Some(""), Some("not a hash")] {
            let (target, is_real) = phc_to_check(unknown);
            assert!(!is_real);
            // A real hash with the algorithm, version and cost of real ones.
            let dummy = PasswordHash::new(target).expect("a PHC string");
            assert_eq!(dummy.algorithm, real.algorithm);
            assert_eq!(dummy.version, real.version);
            assert_eq!(dummy.params, real.params);
            assert!(dummy.hash.is_some() && dummy.salt.is_some());
            assert!(!verify_password_or_dummy("pw1234", unknown));
        }
        // Made once.
        assert!(std::ptr::eq(phc_to_check(None).0, phc_to_check(None).0));
        assert_eq!(phc_to_check(Some(&real_phc)), (real_phc.as_str(), true));
        assert!(verify_password_or_dummy("pw1234", Some(&real_phc)));
        assert!(!verify_password_or_dummy("pw12345", Some(&real_phc)));
    }
}
