//! Account, files, folders and address book commands.

use std::io::IsTerminal;

use dropspace_client::{
    Error, ErrorCode, FileChanges, FileRequest, FileSendClient, FolderChanges, LimitAction,
    NewFileRequest,
};
use serde_json::json;

use super::human;
use super::{
    stdin_line, ContactsCommand, Ctx, Failure, KeysCommand, RequestCommand, TrashCommand,
    WebhookCommand,
};

fn to_json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn is_code(e: &Error, code: ErrorCode) -> bool {
    e.code() == Some(code)
}

/// Where the login's password comes from.
pub enum Password {
    /// The first line of standard input (`--password-stdin`).
    Stdin,
    /// `--password` or `DROPSPACE_PASSWORD`.
    Given(String),
    /// Asked for on the terminal, without echo.
    Ask,
}

/// Why a login cannot ask: no terminal to ask on.
fn no_terminal(what: &str, instead: &str) -> Failure {
    Failure::Usage(format!("no terminal to ask for the {what}: {instead}"))
}

const PASSWORD_INSTEAD: &str =
    "pass --password or set DROPSPACE_PASSWORD (or pipe it with --password-stdin)";

pub async fn login(ctx: &mut Ctx, user: Option<String>, password: Password) -> Result<(), Failure> {
    // Only a terminal is asked: a pipe or /dev/null would answer nothing
    // (or the wrong thing), and a prompt nobody sees would hang a script.
    let terminal = std::io::stdin().is_terminal();
    let user = match user.filter(|u| !u.trim().is_empty()) {
        Some(u) => u,
        None if matches!(password, Password::Stdin) => {
            return Err(Failure::Usage(
                "--password-stdin needs --user (standard input carries the password)".into(),
            ))
        }
        None if !terminal => return Err(no_terminal("user name", "pass --user NAME")),
        None => {
            eprint!("User name: ");
            stdin_line()?
        }
    };
    let password = match password {
        Password::Stdin => stdin_line()?,
        Password::Given(p) => p,
        Password::Ask if !terminal => return Err(no_terminal("password", PASSWORD_INSTEAD)),
        Password::Ask => rpassword::prompt_password("Password: ").map_err(|e| {
            // ENXIO: no controlling terminal to open (/dev/tty).
            if e.raw_os_error() == Some(6) || e.kind() == std::io::ErrorKind::NotFound {
                no_terminal("password", PASSWORD_INSTEAD)
            } else {
                Failure::Io(format!("reading the password: {e}"))
            }
        })?,
    };
    // The saved session stays until the new login succeeds; then the new
    // one replaces it and the old one is ended quietly.
    let old = ctx.client.session_key().map(str::to_string);
    let info = ctx.client.login(user.trim(), &password).await?;
    if let Some(old) = old {
        let _ = ctx.client.clone().with_session(old).logout().await;
    }
    ctx.saved.server = Some(ctx.server.clone());
    ctx.saved.session_key = ctx.client.session_key().map(str::to_string);
    ctx.saved.api_key = ctx.api_key.clone();
    ctx.saved.user_name = Some(user.trim().to_string());
    ctx.saved.save()?;
    let mut v = to_json(&info);
    v["user_name"] = json!(user.trim());
    v["server"] = json!(ctx.server);
    ctx.out.emit(v, || {
        println!("logged in as {} at {}", user.trim(), ctx.server);
    });
    Ok(())
}

pub async fn logout(ctx: &mut Ctx) -> Result<(), Failure> {
    if ctx.client.session_key().is_none() {
        let mut v = json!({"logged_out": false});
        if let Some(other) = &ctx.session_elsewhere {
            v["session_server"] = json!(other);
        }
        ctx.out.emit(v, || match &ctx.session_elsewhere {
            Some(other) => println!(
                "not logged in to {} (the saved session is for {other}, kept)",
                ctx.server
            ),
            None => println!("not logged in"),
        });
        return Ok(());
    }
    let result = ctx.client.logout().await;
    // Forget the session whatever the server said: it is of no use now.
    ctx.saved.session_key = None;
    ctx.saved.save()?;
    result?;
    ctx.out.emit(json!({"logged_out": true}), || {
        println!("logged out");
    });
    Ok(())
}

pub async fn whoami(ctx: &Ctx) -> Result<(), Failure> {
    ctx.need_session()?;
    let s = ctx.client.check_session().await?;
    let user = ctx.saved.user_name.clone().unwrap_or_default();
    let mut v = to_json(&s);
    v["user_name"] = json!(user);
    v["server"] = json!(ctx.server);
    ctx.out.emit(v, || {
        println!("{user} at {}", ctx.server);
        println!("bandwidth left: {}", human::amount(s.bandwidth_left));
        println!("disk space left: {}", human::amount(s.diskspace_left));
    });
    Ok(())
}

pub async fn ls(ctx: &Ctx, folder: &str) -> Result<(), Failure> {
    ctx.need_session()?;
    let c = ctx.client.folder_contents(folder).await?;
    ctx.out.emit(to_json(&c), || {
        for f in &c.folders {
            let shared = if f.shared { "\tshared" } else { "" };
            println!("d\t{}\t{}/{shared}", f.id, f.name);
        }
        for f in &c.files {
            println!("-\t{}\t{}\t{}", f.id, human::size(f.file_size), f.name);
        }
    });
    Ok(())
}

/// `info ID --downloads`: the file's completed downloads, newest first.
pub async fn downloads(ctx: &Ctx, id: &str) -> Result<(), Failure> {
    let rows = ctx.client.file_downloads(id).await?;
    ctx.out.emit(json!({ "downloads": to_json(&rows) }), || {
        println!(
            "{}:",
            human::count(rows.len() as u64, "download", "downloads")
        );
        for d in &rows {
            let who = match (d.recipient.as_str(), d.account) {
                ("", 0) => d.ip.clone(),
                ("", account) => format!("{} (account {account})", d.ip),
                (recipient, _) => format!("{recipient} (send {}, {})", d.send_id, d.ip),
            };
            println!(
                "  {}  {}  {}",
                human::date(d.time),
                human::size(d.bytes.max(0) as u64),
                who
            );
        }
    });
    Ok(())
}

/// `receipts FILE`: writes each receipt file as `receipt-ID.json`.
pub async fn receipts(ctx: &Ctx, id: &str, dir: Option<&std::path::Path>) -> Result<(), Failure> {
    let list = ctx.client.file_receipts(id).await?;
    let dir = dir.unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for r in &list {
        // Receipt ids are lowercase letters and digits: a safe file name.
        if r.id.is_empty() || !r.id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Failure::Io(format!(
                "a receipt id the server sent is not usable: {:?}",
                r.id
            )));
        }
        let path = dir.join(format!("receipt-{}.json", r.id));
        std::fs::write(&path, format!("{}\n", r.file))?;
        written.push((r, path));
    }
    let shown: Vec<serde_json::Value> = written
        .iter()
        .map(|(r, p)| json!({"id": r.id, "send_id": r.send_id, "recipient": r.recipient, "time": r.time, "path": p.display().to_string()}))
        .collect();
    ctx.out.emit(json!({ "receipts": shown }), || {
        if written.is_empty() {
            println!("no receipts yet");
        }
        for (r, p) in &written {
            println!("{}  {}  {}", human::date(r.time), r.recipient, p.display());
        }
    });
    Ok(())
}

pub async fn info(ctx: &Ctx, id: &str) -> Result<(), Failure> {
    ctx.need_session()?;
    match ctx.client.file_info(id).await {
        Ok(f) => {
            let mut v = to_json(&f);
            v["kind"] = json!("file");
            ctx.out.emit(v, || {
                println!("file {}: {}", f.id, f.name);
                println!("size: {}", human::size(f.file_size));
                println!("uploaded: {}", human::date(f.upload_time));
                println!("folder: {}", f.folder_id);
                if !f.description.is_empty() {
                    println!("description: {}", f.description);
                }
                if !f.password.is_empty() {
                    println!("password: set");
                }
                println!("downloads: {}", f.downloads);
                println!("page: {}", f.download_page_url);
                if let Some(d) = &f.delete_url {
                    println!("delete: {d}");
                }
                if let Some(limits) = human::limits(&f, None) {
                    println!("limit: {limits}");
                }
            });
            Ok(())
        }
        Err(e) if is_code(&e, ErrorCode::FileNotFound) => match ctx.client.folder_info(id).await {
            Ok(f) => {
                let mut v = to_json(&f);
                v["kind"] = json!("folder");
                ctx.out.emit(v, || {
                    println!("folder {}: {}", f.folder.id, f.folder.name);
                    println!("parent: {}", f.folder.parent_folder_id);
                    println!(
                        "{} ({}), {}",
                        human::count(f.total_files, "file", "files"),
                        human::size(f.total_size),
                        human::count(f.total_folders, "folder", "folders")
                    );
                    if f.folder.shared {
                        println!("shared: {}", f.folder.public_url);
                    }
                });
                Ok(())
            }
            Err(fe) if is_code(&fe, ErrorCode::FolderNotFound) => Err(e.into()),
            Err(fe) => Err(fe.into()),
        },
        Err(e) => Err(e.into()),
    }
}

pub async fn mkdir(ctx: &Ctx, name: &str, parent: &str, shared: bool) -> Result<(), Failure> {
    ctx.need_session()?;
    let f = ctx.client.create_folder(name, shared, parent).await?;
    ctx.out.emit(to_json(&f), || println!("{}", f.id));
    Ok(())
}

/// Runs `file_op` on an id; an id that is no file (9) gets `folder_op`;
/// when that finds no folder either (10) the file error stands.
async fn file_or_folder<A, B>(
    file_op: impl FnOnce() -> A,
    folder_op: impl FnOnce() -> B,
) -> Result<&'static str, Failure>
where
    A: std::future::Future<Output = Result<(), Error>>,
    B: std::future::Future<Output = Result<(), Error>>,
{
    match file_op().await {
        Ok(()) => Ok("file"),
        Err(e) if is_code(&e, ErrorCode::FileNotFound) => match folder_op().await {
            Ok(()) => Ok("folder"),
            Err(fe) if is_code(&fe, ErrorCode::FolderNotFound) => Err(e.into()),
            Err(fe) => Err(fe.into()),
        },
        Err(e) => Err(e.into()),
    }
}

pub async fn mv(ctx: &Ctx, ids: &[String], to: &str) -> Result<(), Failure> {
    ctx.need_session()?;
    let c = &ctx.client;
    let mut moved = Vec::new();
    for id in ids {
        let kind = file_or_folder(
            || async { c.move_files(&[id], to).await.map(|_| ()) },
            || async { c.move_folder(id, to).await },
        )
        .await?;
        if !ctx.out.json {
            println!("moved {kind} {id} to {to}");
        }
        moved.push(json!({"id": id, "kind": kind}));
    }
    if ctx.out.json {
        println!("{}", json!({"moved": moved, "to": to}));
    }
    Ok(())
}

pub async fn rm(ctx: &Ctx, ids: &[String]) -> Result<(), Failure> {
    ctx.need_session()?;
    let c = &ctx.client;
    let mut deleted = Vec::new();
    for id in ids {
        let kind = file_or_folder(
            || async { c.delete_files(&[id]).await.map(|_| ()) },
            || async { c.delete_folder(id).await },
        )
        .await?;
        if !ctx.out.json {
            println!("deleted {kind} {id}");
        }
        deleted.push(json!({"id": id, "kind": kind}));
    }
    if ctx.out.json {
        println!("{}", json!({ "deleted": deleted }));
    }
    Ok(())
}

pub async fn share(ctx: &Ctx, folder: &str, on: bool) -> Result<(), Failure> {
    ctx.need_session()?;
    let changes = FolderChanges {
        shared: Some(on),
        ..FolderChanges::default()
    };
    let f = ctx.client.set_folder_info(folder, &changes).await?;
    ctx.out.emit(to_json(&f), || {
        if f.shared {
            println!("shared {}: {}", f.id, f.public_url);
        } else {
            println!("{} is private", f.id);
        }
    });
    Ok(())
}

pub async fn limit(
    ctx: &Ctx,
    id: &str,
    downloads: Option<u64>,
    expire: Option<u64>,
    action: Option<LimitAction>,
    clear: bool,
) -> Result<(), Failure> {
    ctx.need_session()?;
    let changes = if clear {
        FileChanges {
            time_limit: Some(0),
            downloads_limit: Some(0),
            limit_action: Some(LimitAction::None),
            ..FileChanges::default()
        }
    } else {
        FileChanges {
            time_limit: expire,
            downloads_limit: downloads,
            limit_action: action,
            ..FileChanges::default()
        }
    };
    let (f, expires) = set_limits(ctx, id, &changes).await?;
    ctx.out
        .emit(to_json(&f), || match human::limits(&f, expires) {
            Some(limits) => println!("{}: {limits}", f.id),
            None => println!("{}: no limits", f.id),
        });
    Ok(())
}

/// `files.setInfo` of one file: the file as it is now, and when its time
/// limit runs out (counted from just before the call: the server counts
/// from its receipt, a moment later).
pub async fn set_limits(
    ctx: &Ctx,
    id: &str,
    changes: &FileChanges,
) -> Result<(dropspace_client::FileInfo, Option<i64>), Failure> {
    let asked = human::now();
    let batch = ctx.client.set_file_info(&[id], changes).await?;
    if let Some(e) = batch.errors.first() {
        return Err(Failure::Api {
            code: e.code.number(),
            text: format!("{} ({})", e.text, e.ids.join(",")),
        });
    }
    let f = batch
        .items
        .into_iter()
        .next()
        .ok_or_else(|| Failure::Io("files.setInfo answered no file".into()))?;
    let expires = (f.time_limit > 0).then(|| asked + f.time_limit);
    Ok((f, expires))
}

pub async fn mail(
    ctx: &Ctx,
    ids: &[String],
    to: &[String],
    message: Option<&str>,
) -> Result<(), Failure> {
    ctx.need_session()?;
    let c = &ctx.client;
    let emails: Vec<&str> = to.iter().map(String::as_str).collect();
    let mut sent = Vec::new();
    for id in ids {
        let kind = file_or_folder(
            || async { c.mail_files(&[id], &emails, message).await.map(|_| ()) },
            || async { c.mail_folders(&[id], &emails, message).await.map(|_| ()) },
        )
        .await?;
        if !ctx.out.json {
            println!("mailed {kind} {id} to {}", to.join(", "));
        }
        sent.push(json!({"id": id, "kind": kind}));
    }
    if ctx.out.json {
        println!("{}", json!({"mailed": sent, "to": to}));
    }
    Ok(())
}

pub async fn contacts(ctx: &Ctx, command: ContactsCommand) -> Result<(), Failure> {
    ctx.need_session()?;
    match command {
        ContactsCommand::List => {
            let list = ctx.client.contacts().await?;
            ctx.out.emit(to_json(&list), || {
                for c in &list {
                    let kind = if c.kind == 1 { "collected" } else { "added" };
                    println!("{}\t{}\t{}\t{kind}", c.email, c.name, c.description);
                }
            });
        }
        ContactsCommand::Add {
            email,
            name,
            description,
        } => {
            let c = ctx.client.add_contact(&email, &name, &description).await?;
            ctx.out.emit(to_json(&c), || println!("added {}", c.email));
        }
        ContactsCommand::Rm { emails } => {
            let list: Vec<&str> = emails.iter().map(String::as_str).collect();
            let b = ctx.client.delete_contacts(&list).await?;
            ctx.out.emit(to_json(&b), || {
                for e in &b.ids {
                    println!("removed {e}");
                }
            });
            if let Some(err) = b.errors.first() {
                return Err(Failure::Api {
                    code: err.code.number(),
                    text: format!("{} ({})", err.text, err.ids.join(",")),
                });
            }
        }
    }
    Ok(())
}

/// `client request …`, through the signed file_send API.
pub async fn request(ctx: &Ctx, command: RequestCommand) -> Result<(), Failure> {
    let key = std::env::var("DROPSPACE_FILE_SEND_KEY").unwrap_or_default();
    let secret = std::env::var("DROPSPACE_FILE_SEND_SECRET").unwrap_or_default();
    if key.trim().is_empty() || secret.trim().is_empty() {
        return Err(Failure::Usage(
            "file requests use the file_send API: set DROPSPACE_FILE_SEND_KEY and \
             DROPSPACE_FILE_SEND_SECRET (dropspace admin user api-credentials create)"
                .into(),
        ));
    }
    let api = FileSendClient::new(&ctx.server, key.trim(), secret.trim())
        .map_err(|e| Failure::Usage(format!("--server: {e}")))?;
    let show = |r: &FileRequest| {
        println!(
            "{}\t{}\t{}\t{} files, {} bytes\t{}",
            r.request_id, r.state, r.title, r.files_received, r.bytes_received, r.url
        );
    };
    match command {
        RequestCommand::Create {
            title,
            message,
            folder,
            password_stdin,
            expires,
            max_files,
            max_size,
            max_file_size,
            notify,
            encrypted,
        } => {
            let password = if password_stdin {
                stdin_line()?
            } else {
                String::new()
            };
            let r = api
                .file_request_create(&NewFileRequest {
                    title,
                    message,
                    folder_id: folder,
                    password,
                    expires_in: expires.unwrap_or(0),
                    max_files: max_files.unwrap_or(0),
                    max_bytes: max_size.unwrap_or(0),
                    max_file_size: max_file_size.unwrap_or(0),
                    notify,
                    encrypted,
                })
                .await?;
            ctx.out.emit(to_json(&r), || println!("{}", r.url));
        }
        RequestCommand::List => {
            let list = api.file_request_list().await?;
            ctx.out.emit(to_json(&list), || list.iter().for_each(show));
        }
        RequestCommand::Close { id } => {
            let r = api.file_request_close(&id).await?;
            ctx.out.emit(to_json(&r), || show(&r));
        }
    }
    Ok(())
}

/// `client webhook …`: the account's endpoints (docs/webhooks.md).
pub async fn keys(ctx: &Ctx, command: KeysCommand) -> Result<(), Failure> {
    ctx.need_session()?;
    match command {
        KeysCommand::List => {
            let list = ctx.client.age_keys().await?;
            ctx.out.emit(to_json(&list), || {
                for k in &list {
                    println!("{}\t{}\t{}", k.id, k.public_key, k.label);
                }
            });
        }
        KeysCommand::Add { public_key, label } => {
            let k = ctx.client.add_age_key(&public_key, &label).await?;
            ctx.out.emit(to_json(&k), || {
                println!("added key {}: {}", k.id, k.public_key)
            });
        }
        KeysCommand::Remove { id } => {
            ctx.client.delete_age_key(id).await?;
            ctx.out
                .emit(json!({ "removed": id }), || println!("removed key {id}"));
        }
    }
    Ok(())
}

pub async fn webhook(ctx: &Ctx, command: WebhookCommand) -> Result<(), Failure> {
    ctx.need_session()?;
    match command {
        WebhookCommand::List => {
            let list = ctx.client.webhooks().await?;
            ctx.out.emit(to_json(&list), || {
                for w in &list {
                    let last = if w.last_attempt.is_empty() {
                        "never attempted".to_string()
                    } else {
                        format!(
                            "{} at {} ({} attempts)",
                            w.last_status, w.last_attempt, w.attempts
                        )
                    };
                    println!("{}\t{}\t{}\t{last}", w.id, w.url, w.events.join(","));
                }
            });
        }
        WebhookCommand::Add { url, events } => {
            let events: Vec<&str> = events
                .split(',')
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .collect();
            let w = ctx.client.add_webhook(&url, &events).await?;
            ctx.out.emit(to_json(&w), || {
                println!("added webhook {} for {}", w.id, w.events.join(","));
                println!("secret (shown once): {}", w.secret.as_deref().unwrap_or(""));
            });
        }
        WebhookCommand::Remove { id } => {
            ctx.client.delete_webhook(id).await?;
            ctx.out.emit(json!({ "removed": id }), || {
                println!("removed webhook {id}")
            });
        }
    }
    Ok(())
}

/// `extend ID [--days N]` through `files.extend` (docs/expiry.md).
pub async fn extend(ctx: &Ctx, id: &str, days: Option<u64>) -> Result<(), Failure> {
    ctx.need_session()?;
    let asked = human::now();
    let f = ctx.client.extend_file(id, days.map(|d| d * 86_400)).await?;
    let expires = (f.time_limit > 0).then(|| asked + f.time_limit);
    ctx.out
        .emit(to_json(&f), || match human::limits(&f, expires) {
            Some(limits) => println!("{}: {limits}", f.id),
            None => println!("{}: no limits", f.id),
        });
    Ok(())
}

/// `trash list|restore ID|purge ID` (docs/expiry.md).
pub async fn trash(ctx: &Ctx, command: TrashCommand) -> Result<(), Failure> {
    ctx.need_session()?;
    match command {
        TrashCommand::List => {
            let list = ctx.client.trash().await?;
            ctx.out.emit(to_json(&list), || {
                for f in &list {
                    println!(
                        "{}\t{}\t{}\t{}\tpurged {}",
                        f.id,
                        f.name,
                        f.size,
                        f.reason,
                        human::date(f.purge_at)
                    );
                }
            });
        }
        TrashCommand::Restore { id } => {
            let folder = ctx.client.restore_file(&id).await?;
            ctx.out.emit(json!({"id": id, "folder_id": folder}), || {
                println!("restored {id} into folder {folder}")
            });
        }
        TrashCommand::Purge { id } => {
            ctx.client.purge_file(&id).await?;
            ctx.out.emit(json!({"id": id}), || println!("purged {id}"));
        }
    }
    Ok(())
}
