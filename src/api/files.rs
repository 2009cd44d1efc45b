//! `files.*` methods: read the parameters, call `library::files`, answer.
//! A user only ever sees their own files: another user's id answers
//! exactly like a missing one (9).

use crate::api::envelope::{Node, Reply};
use crate::api::error::{ApiError, ApiResult, Code};
use crate::api::lists::{self, Outcome, Shape};
use crate::api::{nodes, Ctx};
use crate::db::files::{File, LimitAction};
use crate::http::params::bad_value;
use crate::library;
use crate::library::files::{self, SetInfo, MAX_TIME_LIMIT};
use crate::library::mail::{self, Link, MAX_RECIPIENTS};

/// files.getInfo, setInfo, moveToFolder: the full `<file/>` per id.
const FULL: Shape = Shape {
    head: "id",
    v10_head: false,
    v10_items: true,
};

/// files.delete, sendMail (and folders.sendMail): `<id>` in 1.0, plus a
/// minimal element per id in 1.2.
pub(crate) const IDS: Shape = Shape {
    head: "id",
    v10_head: true,
    v10_items: false,
};

pub use crate::library::{MAX_NAME, MAX_TEXT};

/// The ids of a comma-list parameter.
pub(crate) fn id_list(c: &Ctx<'_>, name: &str) -> ApiResult<Vec<String>> {
    lists::param(c.params, name)
}

/// How a file is looked up.
#[derive(Clone, Copy)]
enum Lookup {
    /// To change it: the database's row.
    Own,
    /// To show it: possibly the cached copy (docs/architecture.md,
    /// "Session cache").
    Shown,
}

/// Every id checked for ownership, without changing anything.
async fn check_all(c: &Ctx<'_>, ids: Vec<String>, how: Lookup) -> ApiResult<Vec<Outcome<File>>> {
    let uid = c.user()?.id;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let file = match how {
            Lookup::Own => files::own(&c.app.db, uid, &id).await,
            Lookup::Shown => files::shown(&c.app.db, uid, &id).await,
        };
        out.push((id, file.map_err(ApiError::from)));
    }
    Ok(out)
}

fn v12(c: &Ctx<'_>) -> ApiResult<bool> {
    Ok(c.session()?.is_v12())
}

fn node(c: &Ctx<'_>, file: &File) -> ApiResult<Node> {
    Ok(nodes::file(c.app, file, v12(c)?))
}

pub async fn get_info(c: &Ctx<'_>) -> ApiResult<Reply> {
    let checked = check_all(c, id_list(c, "file_id")?, Lookup::Shown).await?;
    let outcomes = checked
        .into_iter()
        .map(|(id, r)| (id, r.and_then(|f| node(c, &f))))
        .collect();
    lists::answer(v12(c)?, FULL, outcomes)
}

/// `files.getDownloads` (a dropspace extension, docs/api-notes.md "Who
/// downloaded"): the completed downloads of one of the session's files,
/// newest first, as `<download time bytes ip account recipient send_id/>`.
pub async fn get_downloads(c: &Ctx<'_>) -> ApiResult<Reply> {
    let id = c.params.required("file_id")?;
    let (file, rows) = library::delivery::of_file(c.app, c.user()?.id, id.trim()).await?;
    let mut children = vec![Node::new("file")
        .attr("id", &file.id)
        .attr("name", &file.name)
        .attr("downloads", file.downloads)];
    children.extend(rows.iter().map(|d| {
        Node::new("download")
            .attr("time", d.at)
            .attr("bytes", d.bytes)
            .attr("ip", &d.client_ip)
            .attr("account", d.account)
            .attr("recipient", &d.recipient)
            .attr("send_id", d.send_id)
    }));
    Ok(Reply::ok(children))
}

/// `files.getReceipts` (a dropspace extension, docs/receipts.md): the
/// signed delivery receipts of one of the session's files sent with
/// file_send, newest first, each `<receipt id send_id recipient time
/// file="…receipt file JSON…"/>`.
pub async fn get_receipts(c: &Ctx<'_>) -> ApiResult<Reply> {
    let id = c.params.required("file_id")?;
    let uid = c.user()?.id;
    let file = files::own(&c.app.db, uid, id.trim()).await?;
    let list = library::receipts::list(c.app, uid, 0, &file.id).await?;
    let mut children = Vec::with_capacity(list.len());
    for r in &list {
        let recipient = library::receipts::facts_of(r)
            .map(|f| f.recipient)
            .unwrap_or_default();
        let text = serde_json::to_string(&library::receipts::file_of(c.app, r))
            .map_err(|e| ApiError::from(library::Error::Internal(e.into())))?;
        children.push(
            Node::new("receipt")
                .attr("id", &r.id)
                .attr("send_id", r.send_id)
                .attr("recipient", recipient)
                .attr("time", r.at)
                .attr("file", text),
        );
    }
    Ok(Reply::ok(children))
}

/// A text parameter of at most `max` characters (21 beyond).
pub(crate) fn text_param<'a>(c: &'a Ctx<'_>, name: &str, max: usize) -> ApiResult<Option<&'a str>> {
    match c.params.get(name) {
        Some(v) if v.chars().count() > max => Err(bad_value(name).into()),
        other => Ok(other),
    }
}

/// A folder id parameter: absent, empty (where the method gives empty a
/// meaning), `0` or a well-formed id; anything else is 21, never "not
/// found" (docs/api-notes.md). A well-formed id that is not the caller's
/// is still 10.
pub(crate) fn folder_param<'a>(c: &'a Ctx<'_>, name: &str) -> ApiResult<Option<&'a str>> {
    match c.params.get(name) {
        Some(v) if !library::folders::is_folder_id(v.trim()) && !v.trim().is_empty() => {
            Err(bad_value(name).into())
        }
        other => Ok(other),
    }
}

/// A mandatory folder id parameter (4 when absent, 21 when malformed).
pub(crate) fn required_folder<'a>(c: &'a Ctx<'_>, name: &str) -> ApiResult<&'a str> {
    c.params.required(name)?;
    Ok(folder_param(c, name)?.unwrap_or(""))
}

/// A number parameter where present-but-empty clears (0).
fn number_param(c: &Ctx<'_>, name: &str) -> ApiResult<Option<i64>> {
    match c.params.get(name).map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(0)),
        Some(_) => Ok(c.params.opt_u64(name)?),
    }
}

/// The changes `files.setInfo` asks for, checked in the parameters' order.
fn set_info_params(c: &Ctx<'_>) -> ApiResult<SetInfo> {
    let owned = |v: Option<&str>| v.map(str::to_string);
    let name = owned(text_param(c, "name", MAX_NAME)?);
    let description = owned(text_param(c, "description", MAX_TEXT)?);
    let password = owned(text_param(c, "password", MAX_NAME)?);
    let time_limit = number_param(c, "time_limit")?;
    if time_limit.is_some_and(|secs| secs > MAX_TIME_LIMIT) {
        return Err(bad_value("time_limit").into());
    }
    let downloads_limit = number_param(c, "downloads_limit")?;
    let limit_action = match number_param(c, "limit_action")? {
        None => None,
        Some(n) => Some(LimitAction::from_code(n).ok_or_else(|| bad_value("limit_action"))?),
    };
    Ok(SetInfo {
        name,
        description,
        password,
        time_limit,
        downloads_limit,
        limit_action,
        limit_action_to_folder: owned(folder_param(c, "limit_action_to_folder")?),
        folder: owned(folder_param(c, "folder_id")?),
    })
}

/// The shared second phase of setInfo and moveToFolder.
async fn update_all(c: &Ctx<'_>, update: &crate::db::files::FileUpdate) -> ApiResult<Reply> {
    let uid = c.user()?.id;
    let checked = check_all(c, id_list(c, "file_id")?, Lookup::Own).await?;
    lists::stop_on_failure(v12(c)?, &checked)?;
    let mut outcomes = Vec::with_capacity(checked.len());
    for (id, r) in checked {
        let r = match r {
            Ok(_) => match files::update(c.app, uid, &id, update).await {
                Ok(f) => node(c, &f),
                Err(e) => Err(e.into()),
            },
            Err(e) => Err(e),
        };
        outcomes.push((id, r));
    }
    lists::answer(v12(c)?, FULL, outcomes)
}

pub async fn set_info(c: &Ctx<'_>) -> ApiResult<Reply> {
    let info = set_info_params(c)?;
    let update = files::prepare(c.app, c.user()?, &info).await?;
    update_all(c, &update).await
}

pub async fn move_to_folder(c: &Ctx<'_>) -> ApiResult<Reply> {
    let folder = required_folder(c, "folder_id")?;
    let update = files::move_to(&c.app.db, c.user()?.id, folder).await?;
    update_all(c, &update).await
}

pub async fn delete(c: &Ctx<'_>) -> ApiResult<Reply> {
    let uid = c.user()?.id;
    let checked = check_all(c, id_list(c, "file_id")?, Lookup::Own).await?;
    lists::stop_on_failure(v12(c)?, &checked)?;
    let mut outcomes = Vec::with_capacity(checked.len());
    for (id, r) in checked {
        let r = match r {
            Ok(_) if library::delete_file(c.app, &id, Some(uid)).await? => {
                Ok(Node::new("file").attr("id", &id))
            }
            Ok(_) => Err(ApiError::new(Code::FileNotFound)),
            Err(e) => Err(e),
        };
        outcomes.push((id, r));
    }
    lists::answer(v12(c)?, IDS, outcomes)
}

pub async fn send_mail(c: &Ctx<'_>) -> ApiResult<Reply> {
    let checked = check_all(c, id_list(c, "file_id")?, Lookup::Own).await?;
    let links = checked
        .into_iter()
        .map(|(id, r)| {
            let link = r.map(|f| Link {
                url: c.app.url(&format!("/file/{}", f.id)),
                name: f.name,
            });
            (id, link)
        })
        .collect();
    share(c, "file", links).await
}

/// files.sendMail and folders.sendMail: every address valid (else 24 for
/// every id), every id the caller's, then one mail per recipient with every
/// link, and the addresses collected into the address book.
pub(crate) async fn share(
    c: &Ctx<'_>,
    kind: &'static str,
    checked: Vec<Outcome<Link>>,
) -> ApiResult<Reply> {
    let v12 = v12(c)?;
    let message = text_param(c, "message", MAX_TEXT)?.unwrap_or("");
    let recipients = match mail::recipients(c.params.required("emails")?) {
        Some(r) if r.len() > MAX_RECIPIENTS => {
            return Err(ApiError::with_text(
                Code::ParameterBadValue,
                format!("At most {MAX_RECIPIENTS} recipients per call"),
            ))
        }
        Some(r) => r,
        None => {
            let all = checked
                .into_iter()
                .map(|(id, _)| (id, Err(ApiError::new(Code::InvalidEmail))))
                .collect();
            return lists::answer(v12, IDS, all);
        }
    };
    lists::stop_on_failure(v12, &checked)?;
    let links: Vec<Link> = checked
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok().cloned())
        .collect();
    mail::share_links(
        c.app,
        c.client_ip,
        c.user()?,
        &recipients,
        kind,
        &links,
        message,
    )
    .await?;
    let outcomes = checked
        .into_iter()
        .map(|(id, r)| {
            let item = r.map(|_| Node::new(kind).attr("id", &id));
            (id, item)
        })
        .collect();
    lists::answer(v12, IDS, outcomes)
}
