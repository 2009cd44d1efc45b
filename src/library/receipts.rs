//! Verifiable delivery receipts of file_send links (docs/receipts.md): the
//! first time a recipient link's bytes cover a whole file, the server
//! signs a JSON record of what was delivered with its Ed25519 key (derived
//! from `secret_key`, the same on every node) and stores it for the
//! sender. Anyone checks it offline against the public key published at
//! `/.well-known/dropspace-receipt-key`.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::download_log::StoredReceipt;
use crate::db::file_send::{Send, SendLink};
use crate::db::files::File;
use crate::db::now;
use crate::library::webhooks::rfc3339;
use crate::library::{Error, Library, Result};
use crate::secrets::{random_string, Secrets};

/// What a receipt states. The signed bytes are this record serialized
/// once, as stored; verifiers read the facts back from those bytes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Facts {
    /// Always `dropspace.delivery-receipt`.
    #[serde(rename = "type")]
    pub kind: String,
    pub version: u32,
    pub receipt_id: String,
    /// The server's public URL.
    pub server: String,
    pub key_id: String,
    pub send_id: i64,
    pub recipient: String,
    pub file_id: String,
    pub file_name: String,
    pub size: i64,
    /// The file's BLAKE3 checksum as stored (hex).
    pub blake3: String,
    pub bytes_delivered: i64,
    /// RFC 3339, UTC.
    pub delivered_at: String,
    pub delivered_at_unix: i64,
}

pub const KIND: &str = "dropspace.delivery-receipt";

/// A receipt file: the signed bytes (base64, so they come back exactly)
/// and their signature.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReceiptFile {
    pub algorithm: String,
    pub key_id: String,
    /// base64 of the exact signed bytes (a JSON `Facts`).
    pub receipt: String,
    /// base64 of the 64-byte Ed25519 signature.
    pub signature: String,
}

/// The receipts' public key.
pub fn public_key(secrets: &Secrets) -> VerifyingKey {
    secrets.receipt_key().verifying_key()
}

/// The public key as PEM (SPKI), which `openssl` and Python read.
pub fn public_key_pem(key: &VerifyingKey) -> String {
    key.to_public_key_pem(LineEnding::LF).unwrap_or_default()
}

/// A short name of a public key: the first 16 hex digits of the SHA-256
/// of its 32 raw bytes.
pub fn key_id(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

/// Signs and stores the receipt of `file` delivered whole through `link`
/// (`bytes`: all the link has delivered of it). None when the link already
/// had one for this file.
pub async fn issue(
    lib: &Library,
    link: &SendLink,
    send: &Send,
    file: &File,
    bytes: i64,
) -> Result<Option<StoredReceipt>> {
    let key = lib.secrets.receipt_key();
    let at = now();
    let facts = Facts {
        kind: KIND.into(),
        version: 1,
        receipt_id: random_string(24, crate::secrets::LOWER_ALNUM),
        server: lib.public_url.clone(),
        key_id: key_id(&key.verifying_key()),
        send_id: send.id,
        recipient: link.email.clone(),
        file_id: file.id.clone(),
        file_name: file.name.clone(),
        size: file.size,
        blake3: file.checksum.clone(),
        bytes_delivered: bytes,
        delivered_at: rfc3339(at),
        delivered_at_unix: at,
    };
    let payload = serde_json::to_string(&facts).map_err(|e| Error::Internal(e.into()))?;
    let signature = B64.encode(key.sign(payload.as_bytes()).to_bytes());
    let stored = StoredReceipt {
        id: facts.receipt_id,
        send_id: send.id,
        file_id: file.id.clone(),
        at,
        payload,
        signature,
    };
    Ok(lib
        .db
        .insert_receipt(&stored, &link.token_hash)
        .await?
        .then_some(stored))
}

/// The receipt file of a stored receipt.
pub fn file_of(lib: &Library, r: &StoredReceipt) -> ReceiptFile {
    ReceiptFile {
        algorithm: "Ed25519".into(),
        key_id: key_id(&public_key(&lib.secrets)),
        receipt: B64.encode(r.payload.as_bytes()),
        signature: r.signature.clone(),
    }
}

/// How many receipts one listing returns at most.
pub const MAX_LISTED: i64 = 1000;

/// The receipts of `owner`'s sends, newest first: of one send
/// (`send_id` > 0; another account's is `FileNotFound`) and of one file
/// (`file_id` not empty) when given.
pub async fn list(
    lib: &Library,
    owner: i64,
    send_id: i64,
    file_id: &str,
) -> Result<Vec<StoredReceipt>> {
    if send_id > 0 {
        owned_send(lib, owner, send_id).await?;
    }
    Ok(lib
        .db
        .receipts_of(owner, send_id, file_id, MAX_LISTED)
        .await?)
}

/// The facts a stored receipt states (its own signed bytes, read back).
pub fn facts_of(r: &StoredReceipt) -> Option<Facts> {
    serde_json::from_str(&r.payload).ok()
}

/// One receipt of one of `owner`'s sends.
pub async fn get(lib: &Library, owner: i64, id: &str) -> Result<StoredReceipt> {
    let r = lib.db.receipt(id).await?.ok_or(Error::FileNotFound)?;
    owned_send(lib, owner, r.send_id).await?;
    Ok(r)
}

async fn owned_send(lib: &Library, owner: i64, send_id: i64) -> Result<()> {
    match lib.db.send(send_id).await? {
        Some(send) if send.user_id == owner => Ok(()),
        _ => Err(Error::FileNotFound),
    }
}

/// Why a receipt file does not verify.
#[derive(Debug, PartialEq, Eq)]
pub enum Invalid {
    /// Not a receipt file (JSON, base64, lengths).
    Malformed(String),
    /// Signed by another key.
    OtherKey { receipt: String, key: String },
    /// The signature does not match the bytes.
    BadSignature,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::Malformed(why) => write!(f, "not a receipt file: {why}"),
            Invalid::OtherKey { receipt, key } => write!(
                f,
                "the receipt names key {receipt}, but the key given is {key}"
            ),
            Invalid::BadSignature => write!(
                f,
                "the signature does not match: the receipt was changed or signed by another key"
            ),
        }
    }
}

/// Checks a receipt file against `key`: its facts when the signature
/// holds. Pure: usable offline (`dropspace receipt verify`).
pub fn verify(text: &str, key: &VerifyingKey) -> std::result::Result<Facts, Invalid> {
    let bad = |why: &str| Invalid::Malformed(why.to_string());
    let file: ReceiptFile = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
    if file.algorithm != "Ed25519" {
        return Err(bad("the algorithm is not Ed25519"));
    }
    let payload = B64
        .decode(file.receipt.trim())
        .map_err(|_| bad("receipt is not base64"))?;
    let sig = B64
        .decode(file.signature.trim())
        .map_err(|_| bad("signature is not base64"))?;
    let sig: [u8; 64] = sig
        .try_into()
        .map_err(|_| bad("the signature is not 64 bytes"))?;
    let expected = key_id(key);
    if file.key_id != expected {
        return Err(Invalid::OtherKey {
            receipt: file.key_id,
            key: expected,
        });
    }
    key.verify(&payload, &Signature::from_bytes(&sig))
        .map_err(|_| Invalid::BadSignature)?;
    // Only signed bytes are read for the facts.
    let facts: Facts = serde_json::from_slice(&payload).map_err(|e| bad(&e.to_string()))?;
    if facts.kind != KIND {
        return Err(bad("the signed record is not a delivery receipt"));
    }
    Ok(facts)
}

/// A public key from PEM (SPKI) text.
pub fn key_from_pem(pem: &str) -> std::result::Result<VerifyingKey, String> {
    use ed25519_dalek::pkcs8::DecodePublicKey;
    VerifyingKey::from_public_key_pem(pem.trim())
        .map_err(|e| format!("not an Ed25519 public key: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(key: &ed25519_dalek::SigningKey, facts: &Facts) -> String {
        let payload = serde_json::to_string(facts).expect("json");
        serde_json::to_string(&ReceiptFile {
            algorithm: "Ed25519".into(),
            key_id: key_id(&key.verifying_key()),
            receipt: B64.encode(payload.as_bytes()),
            signature: B64.encode(key.sign(payload.as_bytes()).to_bytes()),
        })
        .expect("json")
    }

    fn facts() -> Facts {
        Facts {
            kind: KIND.into(),
            version: 1,
            receipt_id: "r1".into(),
            server: "https://files.example".into(),
            key_id: String::new(),
            send_id: 7,
            recipient: "bob@example.com".into(),
            file_id: "abc123".into(),
            file_name: "report.pdf".into(),
            size: 1234,
            blake3: "00".repeat(32),
            bytes_delivered: 1234,
            delivered_at: rfc3339(0),
            delivered_at_unix: 0,
        }
    }

    #[test]
    fn receipts_verify_and_changes_do_not() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let pem = public_key_pem(&key.verifying_key());
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{pem}");
        let public = key_from_pem(&pem).expect("pem back");
        let text = signed(&key, &facts());
        assert_eq!(verify(&text, &public).expect("verifies"), facts());
        // One byte of the size changed inside the signed bytes.
        let mut file: ReceiptFile = serde_json::from_str(&text).expect("json");
        let payload = String::from_utf8(B64.decode(&file.receipt).expect("b64")).expect("utf8");
        file.receipt = B64.encode(payload.replace("\"size\":1234", "\"size\":1235"));
        let tampered = serde_json::to_string(&file).expect("json");
        assert_eq!(verify(&tampered, &public), Err(Invalid::BadSignature));
        // Another key.
        let other = ed25519_dalek::SigningKey::from_bytes(&[8; 32]).verifying_key();
        assert!(matches!(
            verify(&text, &other),
            Err(Invalid::OtherKey { .. })
        ));
        assert!(matches!(verify("{}", &public), Err(Invalid::Malformed(_))));
    }

    #[test]
    fn every_node_derives_the_same_key() {
        let dir = std::env::temp_dir();
        let hex_key = "11".repeat(32);
        let a = Secrets::load(Some(&hex_key), &dir).expect("a");
        let b = Secrets::load(Some(&hex_key), &dir).expect("b");
        assert_eq!(public_key(&a), public_key(&b));
        let c = Secrets::load(Some(&"22".repeat(32)), &dir).expect("c");
        assert_ne!(public_key(&a), public_key(&c));
    }
}
