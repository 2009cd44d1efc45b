//! `upload --encrypt` and decrypting downloads (docs/encryption.md): the
//! keys a command is given, and the encrypted copy an upload sends. The
//! cryptography is the age crate's (`dropspace_client::encryption`).
//!
//! An upload encrypts its file into a copy beside the saved login
//! (`sealed/`, private), named by the source file, and sends that copy
//! resumably while it is being made (each request waits for its bytes); a
//! run cut off and started again finds the same whole copy (and the same
//! new key) and continues its upload, so the server's bytes stay one
//! ciphertext. A copy left unfinished cannot be continued (age draws a new
//! file key each time): it is made again, and sent as a new upload. The
//! copy and its key are removed once the upload is done.

use std::path::{Path, PathBuf};

use dropspace_client::encryption::{self as age, x25519, SecretString, To, Unlock};
use dropspace_client::Written;
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

/// An encrypted copy to send: where it is, its length, its name on the
/// server (`NAME.age`) and the key its link carries (a new key only);
/// `making` while it is still being written.
pub struct Sealed {
    pub path: PathBuf,
    pub size: u64,
    pub name: String,
    pub key: Option<x25519::Identity>,
    pub making: Option<dropspace_client::Growing>,
    /// Its key in the pending uploads: the same for every run.
    pub pending_key: String,
    key_path: PathBuf,
    whole_mark: PathBuf,
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
        for p in [&self.path, &self.key_path, &self.whole_mark] {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Failure + '_ {
    move |e| Failure::Io(format!("{}: {e}", path.display()))
}

/// The length of the copy a cut-off run finished, if it is still the copy
/// its mark describes (length and BLAKE3): the copy is never synced, so a
/// machine that crashed may have kept less of it than it wrote.
fn checked_size(sealed: &Sealed) -> Option<u64> {
    let mark = std::fs::read_to_string(&sealed.whole_mark).ok()?;
    let (len, sum) = mark.trim().split_once(' ')?;
    let size = std::fs::metadata(&sealed.path).ok()?.len();
    let mut hasher = blake3::Hasher::new();
    hasher
        .update_reader(std::fs::File::open(&sealed.path).ok()?)
        .ok()?;
    (len.parse() == Ok(size) && hasher.finalize().to_hex().as_str() == sum).then_some(size)
}

/// The encrypted copy of `src` to send as `name`.age: found whole from a
/// run that was cut off, or made now, in the background, as it is sent.
pub async fn seal(src: &Path, name: &str, how: &Sealing) -> Result<Sealed, Failure> {
    let meta = std::fs::metadata(src).map_err(io(src))?;
    let id = hex::encode(Sha256::digest(Pending::key(src, &meta).as_bytes()));
    let dir = super::config::path()?.with_file_name("sealed");
    create_private_dir(&dir).map_err(io(&dir))?;
    let path = dir.join(format!("{id}.age"));
    let mut sealed = Sealed {
        size: 0,
        name: format!("{name}.age"),
        key: None,
        making: None,
        pending_key: format!("sealed:{id}"),
        key_path: dir.join(format!("{id}.key")),
        whole_mark: dir.join(format!("{id}.whole")),
        path,
    };
    let saved_key = std::fs::read_to_string(&sealed.key_path)
        .ok()
        .and_then(|k| age::parse_identity(&k).ok());
    let whole = (saved_key.is_some() || !matches!(how, Sealing::NewKey))
        .then(|| checked_size(&sealed))
        .flatten();
    if let Some(size) = whole {
        sealed.size = size;
        sealed.key = saved_key;
        return Ok(sealed);
    }
    // Unfinished or never made: made afresh, so an upload of an earlier
    // copy cannot be continued with different bytes.
    sealed.remove();
    super::transfer::forget_pending(&sealed.pending_key)?;
    let to = match how {
        Sealing::Recipients(keys) => {
            let keys: Result<Vec<_>, String> = keys.iter().map(|k| age::recipient(k)).collect();
            To::Recipients(keys.map_err(Failure::Usage)?)
        }
        Sealing::Passphrase => To::Passphrase(passphrase(true)?),
        Sealing::NewKey => {
            let (to, identity) = To::new_key();
            write_private_bytes(&sealed.key_path, age::identity_text(&identity).as_bytes())?;
            sealed.key = Some(identity);
            to
        }
    };
    let (tx, growing) = dropspace_client::Growing::channel();
    let (sized_tx, sized) = tokio::sync::oneshot::channel();
    let (src, dest, mark) = (
        src.to_path_buf(),
        sealed.path.clone(),
        sealed.whole_mark.clone(),
    );
    tokio::task::spawn_blocking(move || {
        let mut hasher = blake3::Hasher::new();
        let made = age::encrypt_file_as_sent(
            &to,
            &src,
            &dest,
            |len| {
                let _ = sized_tx.send(len);
            },
            |bytes, n| {
                hasher.update(bytes);
                tx.send_replace(Written::Upto(n));
            },
        )
        .and_then(|_| {
            let n = std::fs::metadata(&dest)?.len();
            std::fs::write(&mark, format!("{n} {}", hasher.finalize().to_hex()))
        });
        if let Err(e) = made {
            tx.send_replace(Written::Failed(format!("{}: {e}", src.display())));
        }
    });
    sealed.size = match sized.await {
        Ok(len) => len,
        // The copy failed before its header: say why.
        Err(_) => {
            return Err(match growing.reach(u64::MAX).await {
                Err(e) => Failure::from(e),
                Ok(()) => Failure::Io("the encrypted copy could not be made".into()),
            })
        }
    };
    sealed.making = Some(growing);
    Ok(sealed)
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
