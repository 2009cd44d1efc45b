//! Account, files, folders and address book commands.

use std::io::BufRead;

use dropspace_client::{Error, ErrorCode, FileChanges, FolderChanges, LimitAction};
use serde_json::json;

use super::{ContactsCommand, Ctx, Failure};

fn to_json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn is_code(e: &Error, code: ErrorCode) -> bool {
    e.code() == Some(code)
}

/// Reads one line of standard input, without its line end.
fn stdin_line() -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub async fn login(
    ctx: &mut Ctx,
    user: Option<String>,
    password_stdin: bool,
) -> Result<(), Failure> {
    let user = match user.filter(|u| !u.trim().is_empty()) {
        Some(u) => u,
        None if password_stdin => {
            return Err(Failure::Usage(
                "--password-stdin needs --user (standard input carries the password)".into(),
            ))
        }
        None => {
            eprint!("User name: ");
            stdin_line()?
        }
    };
    let password = if password_stdin {
        stdin_line()?
    } else {
        rpassword::prompt_password("Password: ")?
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
        ctx.out.emit(json!({"logged_out": false}), || {
            println!("not logged in");
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
        println!("bandwidth left: {}", amount(s.bandwidth_left));
        println!("disk space left: {}", amount(s.diskspace_left));
    });
    Ok(())
}

fn amount(bytes: i64) -> String {
    if bytes < 0 {
        "unlimited".into()
    } else {
        format!("{bytes} bytes")
    }
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
            println!("-\t{}\t{}\t{}", f.id, f.file_size, f.name);
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
                println!("size: {} bytes", f.file_size);
                println!("folder: {}", f.folder_id);
                if !f.description.is_empty() {
                    println!("description: {}", f.description);
                }
                println!("downloads: {}", f.downloads);
                println!("page: {}", f.download_page_url);
                if let Some(d) = &f.delete_url {
                    println!("delete: {d}");
                }
                if f.download_limit > 0 || f.time_limit > 0 {
                    println!(
                        "limit: {} downloads, {} s, action {}",
                        f.download_limit, f.time_limit, f.limit_action
                    );
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
                        "{} files ({} bytes), {} folders",
                        f.total_files, f.total_size, f.total_folders
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
    let batch = ctx.client.set_file_info(&[id], &changes).await?;
    let f = batch
        .items
        .first()
        .ok_or_else(|| Failure::Io("files.setInfo answered no file".into()))?;
    ctx.out.emit(to_json(f), || {
        let action = match f.limit_action {
            2 => "delete".to_string(),
            3 => format!("move to {}", f.limit_action_to_folder),
            _ => "block".to_string(),
        };
        if f.download_limit == 0 && f.time_limit == 0 {
            println!("{}: no limits", f.id);
        } else {
            println!(
                "{}: downloads {} of {}, time limit {} s, then {action}",
                f.id,
                f.downloads,
                if f.download_limit > 0 {
                    f.download_limit.to_string()
                } else {
                    "unlimited".into()
                },
                f.time_limit
            );
        }
    });
    Ok(())
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
