//! Sending files and folders to recipients (the file_send API, see
//! `docs/file-send.md`): API credentials, file preparations, sends with a
//! personal link per recipient, what a link shows and lets download, and
//! the download receipt. The wire format stays in `file_send`.

use std::collections::HashSet;
use std::net::IpAddr;

use crate::db::file_send::{ItemKind, NewSend, Send, SendLink};
use crate::db::files::{is_id, File};
use crate::db::folders::{Folder, ROOT};
use crate::db::users::User;
use crate::db::{now, Db};
use crate::library::mail::{self, Link, Sender};
use crate::library::receipts;
use crate::library::{Error, Library, Result};
use crate::mail::Mail;
use crate::secrets::{hash_secret, random_string, Secrets, LOWER_ALNUM, UPPER_ALNUM};

pub use crate::db::file_send::CredentialInfo;

/// How long a file preparation stays usable.
const PREP_TTL_SECS: i64 = 3600;
/// Most files a link's page lists from sent folders.
const MAX_LISTED: usize = 10_000;

/// Per-credential options an operator may turn on (off by default, the
/// spec's behaviour): see docs/file-send.md "Hardening a key".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CredentialOptions {
    /// Addresses the key may be used from; empty = any.
    pub allowed: AllowList,
    /// POST signatures cover every parameter (the canonical string).
    pub signed_body: bool,
}

/// Creates a key/secret pair for a user; the secret is shown only now.
pub async fn create_credential(
    db: &Db,
    secrets: &Secrets,
    user_id: i64,
    options: &CredentialOptions,
) -> Result<(String, String)> {
    let api_key = random_string(24, UPPER_ALNUM);
    let secret = random_string(40, LOWER_ALNUM);
    let sealed = secrets.seal(&dropspace_proto::file_send::signing_key(&secret));
    db.insert_credential(
        user_id,
        &api_key,
        &sealed,
        now(),
        &options.allowed.to_string(),
        options.signed_body,
    )
    .await?;
    Ok((api_key, secret))
}

/// Changes a live key's options (None leaves one as it is); false when
/// there is no such live key.
pub async fn set_credential_options(
    db: &Db,
    api_key: &str,
    allowed: Option<&AllowList>,
    signed_body: Option<bool>,
) -> Result<bool> {
    let allowed = allowed.map(AllowList::to_string);
    Ok(db
        .set_credential_options(api_key, allowed.as_deref(), signed_body)
        .await?)
}

/// A user's credentials, oldest first.
pub async fn credentials(db: &Db, user_id: i64) -> Result<Vec<CredentialInfo>> {
    Ok(db.credentials_of(user_id).await?)
}

/// Revokes a key; false when there is no such live key.
pub async fn revoke_credential(db: &Db, api_key: &str) -> Result<bool> {
    Ok(db.revoke_credential(api_key, now()).await?)
}

/// What checking a call needs of its live credential.
pub struct Signer {
    pub user_id: i64,
    /// The HMAC key (hex SHA-1 of the secret).
    pub key: String,
    pub options: CredentialOptions,
}

/// The account, signing key and options of a live credential.
pub async fn signer_of(lib: &Library, api_key: &str) -> Result<Option<Signer>> {
    let Some(c) = lib.db.credential(api_key).await? else {
        return Ok(None);
    };
    let key = lib.secrets.open(&c.key_sealed).ok_or_else(|| {
        Error::internal(anyhow::anyhow!(
            "an API credential cannot be opened with this server key"
        ))
    })?;
    let allowed = AllowList::parse(&c.allowed_ips)
        .map_err(|e| Error::internal(anyhow::anyhow!("a stored address allow-list: {e}")))?;
    Ok(Some(Signer {
        user_id: c.user_id,
        key,
        options: CredentialOptions {
            allowed,
            signed_body: c.signed_body(),
        },
    }))
}

/// Addresses and CIDR blocks (IPv4 and IPv6); empty allows any address.
/// An IPv4-mapped IPv6 address counts as its IPv4 address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowList(Vec<(IpAddr, u8)>);

impl AllowList {
    /// A comma (or whitespace) separated list: `203.0.113.7`,
    /// `10.0.0.0/8`, `2001:db8::/32`. Host bits under the prefix are cleared.
    pub fn parse(text: &str) -> std::result::Result<AllowList, String> {
        let mut out = Vec::new();
        for item in text
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
        {
            let (addr, len) = match item.split_once('/') {
                Some((a, l)) => (a, Some(l)),
                None => (item, None),
            };
            let addr: IpAddr = addr
                .parse()
                .map_err(|_| format!("{item}: not an IP address or CIDR block"))?;
            let addr = addr.to_canonical();
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let len = match len {
                None => max,
                Some(l) => l
                    .parse::<u8>()
                    .ok()
                    .filter(|l| *l <= max)
                    .ok_or_else(|| format!("{item}: the prefix length must be 0 to {max}"))?,
            };
            out.push((mask(addr, len), len));
        }
        Ok(AllowList(out))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether a call from `ip` may use the key.
    pub fn permits(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.is_empty()
            || self
                .0
                .iter()
                .any(|(net, len)| net.is_ipv4() == ip.is_ipv4() && mask(ip, *len) == *net)
    }
}

/// The stored form: `addr/len` joined by `,`.
impl std::fmt::Display for AllowList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let items: Vec<String> = self.0.iter().map(|(a, l)| format!("{a}/{l}")).collect();
        f.write_str(&items.join(","))
    }
}

/// `ip` with the bits past the first `len` cleared.
fn mask(ip: IpAddr, len: u8) -> IpAddr {
    match ip {
        IpAddr::V4(a) => {
            let m = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            IpAddr::V4((u32::from(a) & m).into())
        }
        IpAddr::V6(a) => {
            let m = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            IpAddr::V6((u128::from(a) & m).into())
        }
    }
}

/// Records a signed request until `expires`; false when it was seen before.
pub async fn accept_once(db: &Db, request: &str, expires: i64) -> Result<bool> {
    Ok(db.record_signature(request, expires).await?)
}

/// An active account by id.
pub async fn active_user(db: &Db, user_id: i64) -> Result<Option<User>> {
    Ok(db.user_by_id(user_id).await?.filter(User::is_active))
}

/// A sent item, owned by the sender.
pub enum Item {
    File(Box<File>),
    Folder(Folder),
}

impl Item {
    pub fn id(&self) -> &str {
        match self {
            Item::File(f) => &f.id,
            Item::Folder(f) => &f.id,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Item::File(f) => &f.name,
            Item::Folder(f) => &f.name,
        }
    }

    pub fn kind(&self) -> ItemKind {
        match self {
            Item::File(_) => ItemKind::File,
            Item::Folder(_) => ItemKind::Folder,
        }
    }

    /// The folder it is in.
    pub fn parent(&self) -> &str {
        match self {
            Item::File(f) => &f.folder_id,
            Item::Folder(f) => &f.parent_id,
        }
    }
}

/// The user's files and folders by id; any other id is `Denied` (nothing
/// is sent).
pub async fn owned_items(db: &Db, user_id: i64, ids: &[String]) -> Result<Vec<Item>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if !is_id(id) {
            return Err(Error::Denied(None));
        }
        if let Some(f) = db.own_file(user_id, id).await? {
            out.push(Item::File(Box::new(f)));
        } else if let Some(f) = db.folder(id).await?.filter(|f| f.user_id == user_id) {
            out.push(Item::Folder(f));
        } else {
            return Err(Error::Denied(None));
        }
    }
    Ok(out)
}

/// The ids of a send, sorted: what a preparation is bound to.
fn canonical(items: &[Item]) -> String {
    let mut ids: Vec<&str> = items.iter().map(Item::id).collect();
    ids.sort_unstable();
    ids.join(",")
}

/// `send_files_prep`: a single-use id for sending these items.
pub async fn prepare(db: &Db, user_id: i64, items: &[Item]) -> Result<String> {
    let id = random_string(32, LOWER_ALNUM);
    db.insert_prep(&id, user_id, &canonical(items), now() + PREP_TTL_SECS)
        .await?;
    Ok(id)
}

/// Why a file preparation could not be spent.
#[derive(Debug, PartialEq, Eq)]
pub enum PrepRefused {
    AlreadyUsed,
    /// Made for other files.
    Mismatch,
    /// Unknown, expired, or another user's.
    Unknown,
}

/// Spends a preparation: it must be the user's, for the same ids, unused
/// and unexpired.
pub async fn spend_preparation(
    db: &Db,
    user_id: i64,
    prep: &str,
    items: &[Item],
) -> Result<std::result::Result<(), PrepRefused>> {
    let ids = canonical(items);
    if db.spend_prep(prep, user_id, &ids, now()).await? {
        return Ok(Ok(()));
    }
    Ok(Err(match db.prep(prep).await? {
        Some(p) if p.user_id == user_id && p.is_used() => PrepRefused::AlreadyUsed,
        Some(p) if p.user_id == user_id && p.file_ids != ids && p.expires > now() => {
            PrepRefused::Mismatch
        }
        _ => PrepRefused::Unknown,
    }))
}

/// One person a send goes to.
pub struct Recipient {
    pub email: String,
    pub user_id: Option<i64>,
}

/// The active accounts among `user_ids` (others are ignored).
pub async fn account_recipients(db: &Db, user_ids: &[i64]) -> Result<Vec<Recipient>> {
    let mut out = Vec::new();
    for uid in user_ids {
        if let Some(u) = active_user(db, *uid).await? {
            out.push(Recipient {
                email: u.email,
                user_id: Some(u.id),
            });
        }
    }
    Ok(out)
}

/// What a send says and how its links behave.
pub struct Options<'a> {
    pub subject: &'a str,
    pub message: &'a str,
    pub require_login: bool,
    pub download_receipt: bool,
    /// Link lifetime; 0 for links that never expire.
    pub days: i64,
}

/// Stores the send and one link per recipient in one transaction, then
/// mails each recipient their own link (through the mail queue).
pub async fn send(
    lib: &Library,
    sender: &User,
    items: &[Item],
    recipients: &[Recipient],
    o: &Options<'_>,
) -> Result<()> {
    let t = now();
    let tokens: Vec<String> = recipients
        .iter()
        .map(|_| random_string(32, LOWER_ALNUM))
        .collect();
    let kinds: Vec<(ItemKind, &str)> = items.iter().map(|i| (i.kind(), i.id())).collect();
    let links: Vec<(String, &str, Option<i64>)> = recipients
        .iter()
        .zip(&tokens)
        .map(|(r, token)| (hash_secret(token), r.email.as_str(), r.user_id))
        .collect();
    lib.db
        .insert_send(&NewSend {
            user_id: sender.id,
            subject: o.subject,
            message: o.message,
            require_login: o.require_login,
            download_receipt: o.download_receipt,
            created: t,
            items: &kinds,
            links: &links,
            expires: if o.days == 0 { 0 } else { t + o.days * 86_400 },
        })
        .await?;
    notify(lib, sender, items, recipients, &tokens, o).await;
    Ok(())
}

/// One mail per recipient with their own link. A mail that cannot be
/// queued does not undo the send (logged here, since it is not returned).
async fn notify(
    lib: &Library,
    sender: &User,
    items: &[Item],
    recipients: &[Recipient],
    tokens: &[String],
    o: &Options<'_>,
) {
    let what = match items {
        [Item::File(_)] => "a file".to_string(),
        [Item::Folder(_)] => "a folder".to_string(),
        _ => format!("{} items", items.len()),
    };
    let names: Vec<&str> = items.iter().map(Item::name).collect();
    let sender = Sender::from(sender);
    for (r, token) in recipients.iter().zip(tokens) {
        let links = [Link {
            name: names.join(", "),
            url: lib.url(&format!("/s/{token}")),
        }];
        let share = mail::Share {
            what: &what,
            links: &links,
            message: o.message,
            subject: Some(o.subject),
        };
        if let Err(e) = mail::send_share(lib, &sender, std::slice::from_ref(&r.email), &share).await
        {
            tracing::warn!(error = %format!("{e:#}"), "queueing a file_send mail");
        }
    }
}

/// The path of a folder (`/` for the root, `/a/b` below it).
pub async fn folder_path(db: &Db, user_id: i64, folder_id: &str) -> Result<String> {
    let mut parts = Vec::new();
    let mut current = folder_id.to_string();
    for _ in 0..64 {
        if current == ROOT || current.is_empty() {
            break;
        }
        match db.folder(&current).await?.filter(|f| f.user_id == user_id) {
            Some(f) => {
                parts.push(f.name);
                current = f.parent_id;
            }
            None => break,
        }
    }
    parts.reverse();
    Ok(format!("/{}", parts.join("/")))
}

/// A recipient's link as its token finds it.
pub enum LinkState {
    Unknown,
    Expired,
    Live(SendLink, Send),
}

/// The link of a token and its send.
pub async fn open_link(db: &Db, token: &str) -> Result<LinkState> {
    let Some(link) = db.send_link(&hash_secret(token.trim())).await? else {
        return Ok(LinkState::Unknown);
    };
    if link.expires > 0 && link.expires < now() {
        return Ok(LinkState::Expired);
    }
    Ok(match db.send(link.send_id).await? {
        Some(send) => LinkState::Live(link, send),
        None => LinkState::Unknown,
    })
}

/// The send's items: (file ids, folder ids).
async fn items_of(db: &Db, send: &Send) -> Result<(Vec<String>, Vec<String>)> {
    let (mut files, mut folders) = (Vec::new(), Vec::new());
    for (kind, id) in db.send_items(send.id).await? {
        match kind {
            ItemKind::File => files.push(id),
            ItemKind::Folder => folders.push(id),
        }
    }
    Ok((files, folders))
}

/// Everything a link lists, with each file's path inside what was sent.
pub async fn contents(db: &Db, send: &Send) -> Result<Vec<(String, File)>> {
    let (file_ids, folder_ids) = items_of(db, send).await?;
    let mut out = Vec::new();
    for id in file_ids {
        if let Some(f) = db.own_file(send.user_id, &id).await? {
            out.push((String::new(), f));
        }
    }
    for id in folder_ids {
        let Some(top) = db.folder(&id).await?.filter(|f| f.user_id == send.user_id) else {
            continue;
        };
        let mut queue = vec![(format!("{}/", top.name), top.id)];
        while let Some((prefix, folder)) = queue.pop() {
            if out.len() >= MAX_LISTED {
                return Ok(out);
            }
            let files = db.sent_folder_files(send.user_id, &folder).await?;
            out.extend(files.into_iter().map(|f| (prefix.clone(), f)));
            let subs = db.sent_subfolders(send.user_id, &folder).await?;
            queue.extend(
                subs.into_iter()
                    .map(|s| (format!("{prefix}{}/", s.name), s.id)),
            );
        }
    }
    Ok(out)
}

/// The file `id` if it is part of the send now: sent itself, or inside a
/// sent folder (at any depth).
pub async fn sent_file(db: &Db, send: &Send, id: &str) -> Result<Option<File>> {
    if !is_id(id) {
        return Ok(None);
    }
    let Some(file) = db.own_file(send.user_id, id).await? else {
        return Ok(None);
    };
    let (file_ids, folder_ids) = items_of(db, send).await?;
    if file_ids.iter().any(|f| f == id) {
        return Ok(Some(file));
    }
    let sent: HashSet<String> = folder_ids.into_iter().collect();
    let mut current = file.folder_id.clone();
    for _ in 0..64 {
        if current == ROOT {
            break;
        }
        if sent.contains(&current) {
            return Ok(Some(file));
        }
        match db.folder(&current).await? {
            Some(f) if f.user_id == send.user_id => current = f.parent_id,
            _ => break,
        }
    }
    Ok(None)
}

/// Records `bytes` of `file` delivered through a recipient's link; once
/// they cover the whole file (a zero-byte file at once) a signed delivery
/// receipt is stored for the sender (docs/receipts.md), and the sender is
/// mailed, if the send asked for it (docs/api-notes.md: a receipt means
/// the recipient has every byte). `size` is the file's size as the pages
/// write it. Best effort: a failure is logged.
pub async fn delivered(
    lib: &Library,
    link: &SendLink,
    send: &Send,
    file: &File,
    bytes: u64,
    size: &str,
) {
    // A zero-byte file is delivered whole by its one GET: counted as one
    // unit of one, so only the link's first GET of it is the first time.
    let (credit, whole) = match file.size {
        s if s <= 0 => (1, 1),
        s => (bytes as i64, s),
    };
    let total = match lib
        .db
        .link_delivered(&link.token_hash, &file.id, credit, whole)
        .await
    {
        Ok(total) => total.map(|t| if file.size <= 0 { 0 } else { t }),
        Err(e) => {
            tracing::warn!(error = %e, "recording a recipient's download");
            None
        }
    };
    let Some(total) = total else {
        return;
    };
    let signed = match receipts::issue(lib, link, send, file, total).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "signing a delivery receipt");
            None
        }
    };
    receipt(lib, link, send, file, size, signed.map(|r| r.id)).await;
}

/// Mails the sender when this recipient has downloaded a whole file for
/// the first time: the first claims the link's `first_download` in one
/// statement. Best effort: a failure to queue is logged.
async fn receipt(
    lib: &Library,
    link: &SendLink,
    send: &Send,
    file: &File,
    size: &str,
    signed: Option<String>,
) {
    if !send.download_receipt() {
        return;
    }
    let first = matches!(
        lib.db.claim_first_download(&link.token_hash, now()).await,
        Ok(true)
    );
    if !first || !send.download_receipt() {
        return;
    }
    let Ok(Some(sender)) = lib.db.user_by_id(send.user_id).await else {
        return;
    };
    let mail = Mail::text(
        sender.email,
        format!("{} downloaded {}", link.email, file.name),
        format!(
            "Hello,\n\n{} downloaded {} ({size}) for the first time.\n{}",
            link.email,
            file.name,
            signed.map_or(String::new(), |id| format!(
                "\nSigned delivery receipt: {id} (send {}; `dropspace client receipts {}` \
                 fetches it).\n",
                send.id, file.id
            )),
        ),
    );
    if let Err(e) = lib.mail.send(mail).await {
        tracing::warn!(error = %format!("{e:#}"), "queueing a download receipt");
    }
}

/// Background work: forget signatures past their window and spent
/// preparations. Safe on every node.
pub async fn sweep(db: &Db) -> Result<()> {
    Ok(db.sweep_file_send(now()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_match_addresses_and_blocks() {
        let l = AllowList::parse("203.0.113.7, 10.0.0.0/8 2001:db8::/32").expect("parse");
        assert_eq!(l.to_string(), "203.0.113.7/32,10.0.0.0/8,2001:db8::/32");
        let ok = |s: &str| l.permits(s.parse().expect("ip"));
        assert!(ok("203.0.113.7"));
        assert!(!ok("203.0.113.8"));
        assert!(ok("10.200.1.2"));
        assert!(ok("::ffff:10.1.1.1"));
        assert!(ok("2001:db8:ffff::1"));
        assert!(!ok("2001:db9::1"));
        assert!(!ok("127.0.0.1"));
        assert!(AllowList::parse("")
            .expect("empty")
            .permits("127.0.0.1".parse().expect("ip")));
        assert!(AllowList::parse("0.0.0.0/0")
            .expect("all")
            .permits("8.8.8.8".parse().expect("ip")));
        assert_eq!(
            AllowList::parse("10.1.2.3/8").expect("p").to_string(),
            "10.0.0.0/8"
        );
        for bad in ["10.0.0.0/33", "host.example", "1.2.3.4/x", "::/129"] {
            assert!(AllowList::parse(bad).is_err(), "{bad}");
        }
    }
}
