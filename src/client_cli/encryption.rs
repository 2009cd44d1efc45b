//! `upload --encrypt` and decrypting downloads (docs/encryption.md): the
//! keys a command is given, and the encrypted copy an upload sends. The
//! cryptography is the age crate's (`dropspace_client::encryption`).
//!
//! An upload encrypts its file into a copy beside the saved login
//! (`sealed/`, private), named by the source file, and sends that copy
//! resumably; a run cut off and started again finds the same copy (and the
//! same new key) and continues it, so the server's bytes stay one
//! ciphertext. The copy and its key are removed once the upload is done.

use std::path::{Path, PathBuf};

use dropspace_client::encryption::{self as age, x25519, SecretString, To, Unlock};
use sha2::{Digest, Sha256};

use super::config::{create_private_dir, write_private_bytes, Pending};
use super::Failure;

/// A passphrase: `DROPSPACE_PASSPHRASE`, else asked on the terminal
/// (twice when `confirm`).
pub fn passphrase(confirm: bool) -> Result<SecretString, Failure> {
    if let Ok(p) = std::env::var("DROPSPACE_PASSPHRASE") {
        if p.is_empty() {
            return Err(Failure::Usage("DROPSPACE_PASSPHRASE is empty".into()));
        }
        return Ok(SecretString::from(p));
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt).map_err(|e| {
            Failure::Usage(format!(
                "no passphrase: set DROPSPACE_PASSPHRASE or run on a terminal ({e})"
            ))
        })
    };
    let first = ask("Passphrase: ")?;
    if first.is_empty() {
        return Err(Failure::Usage(
            "an empty passphrase protects nothing".into(),
        ));
    }
    if confirm && ask("Passphrase again: ")? != first {
        return Err(Failure::Usage("the passphrases differ".into()));
    }
    Ok(SecretString::from(first))
}

/// Every age key the accounts `users` publish (`keys.lookup`); refused
/// when one of them publishes none.
pub async fn keys_of(ctx: &super::Ctx, users: &[String]) -> Result<Vec<String>, Failure> {
    ctx.need_session()?;
    let named: Vec<&str> = users
        .iter()
        .map(|u| u.trim())
        .filter(|u| !u.is_empty())
        .collect();
    let found = ctx.client.lookup_age_keys(&named).await?;
    if let Some(none) = named.iter().find(|u| !found.iter().any(|k| k.user == **u)) {
        return Err(Failure::Usage(format!(
            "{none} publishes no age key (or has no account here): ask them to add one \
             (`dropspace client keys add`), or use --passphrase"
        )));
    }
    Ok(found.into_iter().map(|k| k.public_key).collect())
}

/// Whom `upload --encrypt` encrypts to, as its options say.
pub enum Sealing {
    Recipients(Vec<String>),
    Passphrase,
    /// A new key per file, carried by its link.
    NewKey,
}

/// An encrypted copy ready to send: where it is, its name on the server
/// (`NAME.age`) and the key its link carries (a new key only).
pub struct Sealed {
    pub path: PathBuf,
    pub name: String,
    pub key: Option<x25519::Identity>,
    key_path: PathBuf,
}

impl Sealed {
    /// The link with its key after `#`, when it has one.
    pub fn link(&self, url: &str) -> String {
        match &self.key {
            Some(k) => age::link_with_key(url, k),
            None => url.to_string(),
        }
    }

    /// Removes the copy and its key (the upload is done).
    pub fn remove(&self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = std::fs::remove_file(&self.key_path);
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Failure + '_ {
    move |e| Failure::Io(format!("{}: {e}", path.display()))
}

/// The encrypted copy of `src` (made now, or found from a run that was
/// cut off), to send as `name`.age.
pub async fn seal(src: &Path, name: &str, how: &Sealing) -> Result<Sealed, Failure> {
    let meta = std::fs::metadata(src).map_err(io(src))?;
    let id = hex::encode(Sha256::digest(Pending::key(src, &meta).as_bytes()));
    let dir = super::config::path()?.with_file_name("sealed");
    create_private_dir(&dir).map_err(io(&dir))?;
    let path = dir.join(format!("{id}.age"));
    let key_path = dir.join(format!("{id}.key"));
    let name = format!("{name}.age");
    let saved_key = std::fs::read_to_string(&key_path)
        .ok()
        .and_then(|k| age::parse_identity(&k).ok());
    let done = path.exists() && (saved_key.is_some() || !matches!(how, Sealing::NewKey));
    if done {
        return Ok(Sealed {
            path,
            name,
            key: saved_key,
            key_path,
        });
    }
    let (to, key) = match how {
        Sealing::Recipients(keys) => {
            let keys: Result<Vec<_>, String> = keys.iter().map(|k| age::recipient(k)).collect();
            (To::Recipients(keys.map_err(Failure::Usage)?), None)
        }
        Sealing::Passphrase => (To::Passphrase(passphrase(true)?), None),
        Sealing::NewKey => {
            let (to, identity) = To::new_key();
            (to, Some(identity))
        }
    };
    // The copy is made under a temporary name: a copy found later is whole.
    let tmp = dir.join(format!("{id}.age.tmp"));
    let made = {
        let (src, tmp) = (src.to_path_buf(), tmp.clone());
        tokio::task::spawn_blocking(move || age::encrypt_file(&to, &src, &tmp))
            .await
            .map_err(|e| Failure::Io(e.to_string()))?
    };
    made.map_err(io(src))?;
    if let Some(k) = &key {
        write_private_bytes(&key_path, age::identity_text(k).as_bytes())?;
    }
    std::fs::rename(&tmp, &path).map_err(io(&path))?;
    Ok(Sealed {
        path,
        name,
        key,
        key_path,
    })
}

/// What opens a download, from its options and its link: an identity
/// file, a passphrase, the key after `#key=`; None: nothing to decrypt
/// with (an age file is kept as it came).
pub fn unlock(
    target: &str,
    identity: Option<&Path>,
    with_passphrase: bool,
) -> Result<Option<Unlock>, Failure> {
    if let Some(path) = identity {
        return Unlock::identity_file(path)
            .map(Some)
            .map_err(Failure::Usage);
    }
    if with_passphrase {
        return Ok(Some(Unlock::Passphrase(passphrase(false)?)));
    }
    Unlock::from_link(target).map_err(|e| Failure::Usage(format!("the link's key: {e}")))
}

/// The name a decrypted file gets: without `.age`.
pub fn plain_name(name: &str) -> String {
    match name.strip_suffix(".age") {
        Some(stem) if !stem.is_empty() => stem.to_string(),
        _ => format!("{name}.decrypted"),
    }
}
