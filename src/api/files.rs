//! `files.*` methods. A user only ever sees their own files: another
//! user's id answers exactly like a missing one (9).

use crate::api::envelope::{Node, Reply};
use crate::api::lists::{self, Outcome, Shape};
use crate::api::{nodes, Ctx};
use crate::db::files::{is_id, File, ROOT};
use crate::db::now;
use crate::error::{ApiError, ApiResult, Code};
use crate::http::params::bad_value;
use crate::library::mail::{self, Link, MAX_RECIPIENTS};
use crate::library::{self, limits};

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

/// The caller's file `id`, or 9.
async fn own(c: &Ctx<'_>, id: &str) -> ApiResult<File> {
    if !is_id(id) {
        return Err(ApiError::new(Code::FileNotFound));
    }
    c.app
        .db
        .own_file(c.user()?.id, id)
        .await?
        .ok_or_else(|| ApiError::new(Code::FileNotFound))
}

/// Every id checked for ownership, without changing anything.
async fn check_all(c: &Ctx<'_>, ids: Vec<String>) -> ApiResult<Vec<Outcome<File>>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let file = own(c, &id).await;
        out.push((id, file));
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
    let checked = check_all(c, id_list(c, "file_id")?).await?;
    let outcomes = checked
        .into_iter()
        .map(|(id, r)| (id, r.and_then(|f| node(c, &f))))
        .collect();
    lists::answer(v12(c)?, FULL, outcomes)
}

/// A column value for a dynamic UPDATE.
enum Val {
    Text(String),
    Int(i64),
}

/// A folder the caller may put files in: root or their own (else 10).
pub(crate) async fn own_folder_id(c: &Ctx<'_>, id: &str) -> ApiResult<String> {
    let id = id.trim();
    if id == ROOT || (is_id(id) && c.app.db.owns_folder(c.user()?.id, id).await?) {
        Ok(id.to_string())
    } else {
        Err(ApiError::new(Code::FolderNotFound))
    }
}

/// A text parameter of at most `max` characters (21 beyond).
pub(crate) fn text_param<'a>(c: &'a Ctx<'_>, name: &str, max: usize) -> ApiResult<Option<&'a str>> {
    match c.params.get(name) {
        Some(v) if v.chars().count() > max => Err(bad_value(name).into()),
        other => Ok(other),
    }
}

/// A number parameter where present-but-empty clears (0).
fn number_param(c: &Ctx<'_>, name: &str) -> ApiResult<Option<i64>> {
    match c.params.get(name).map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(0)),
        Some(_) => Ok(c.params.opt_u64(name)?),
    }
}

/// The changes `files.setInfo` asks for: absent leaves a value alone,
/// present but empty clears it. Setting any limit re-arms a blocked file.
async fn set_info_changes(c: &Ctx<'_>) -> ApiResult<(Vec<(&'static str, Val)>, String)> {
    let mut sets = Vec::new();
    if let Some(name) = text_param(c, "name", MAX_NAME)? {
        sets.push(("name", Val::Text(name.to_string())));
    }
    if let Some(d) = text_param(c, "description", MAX_TEXT)? {
        sets.push(("description", Val::Text(d.to_string())));
    }
    if let Some(p) = text_param(c, "password", MAX_NAME)? {
        let sealed = if p.is_empty() {
            String::new()
        } else {
            c.app.secrets.seal(p)
        };
        sets.push(("password_sealed", Val::Text(sealed)));
    }
    let mut limits_set = false;
    if let Some(secs) = number_param(c, "time_limit")? {
        // A century is plenty and keeps now + secs far from overflow.
        if secs > 100 * 366 * 86400 {
            return Err(bad_value("time_limit").into());
        }
        sets.push(("time_limit", Val::Int(secs)));
        let at = if secs == 0 { 0 } else { now() + secs };
        sets.push(("time_limit_at", Val::Int(at)));
        limits_set = true;
    }
    if let Some(n) = number_param(c, "downloads_limit")? {
        sets.push(("download_limit", Val::Int(n)));
        limits_set = true;
    }
    if let Some(action) = number_param(c, "limit_action")? {
        if !(0..=limits::MOVE).contains(&action) {
            return Err(bad_value("limit_action").into());
        }
        sets.push(("limit_action", Val::Int(action)));
        limits_set = true;
    }
    if let Some(to) = c.params.get("limit_action_to_folder") {
        let to = if to.trim().is_empty() {
            String::new()
        } else {
            own_folder_id(c, to).await?
        };
        sets.push(("limit_action_to_folder", Val::Text(to)));
    }
    if limits_set {
        sets.push(("limit_reached", Val::Int(0)));
    }
    let mut folder = ROOT.to_string();
    if let Some(f) = c.params.get("folder_id") {
        if !f.trim().is_empty() {
            folder = own_folder_id(c, f).await?;
        }
        sets.push(("folder_id", Val::Text(folder.clone())));
    }
    Ok((sets, folder))
}

/// Applies `sets` to the caller's file in one statement that also checks
/// the target folder still exists (a folder deleted meanwhile is 10). It
/// runs under the per-user lock that folder changes take.
async fn update_file(
    c: &Ctx<'_>,
    file_id: &str,
    sets: &[(&'static str, Val)],
    folder: &str,
) -> ApiResult<File> {
    let uid = c.user()?.id;
    if !sets.is_empty() {
        let assignments: Vec<String> = sets
            .iter()
            .enumerate()
            .map(|(i, (col, _))| format!("{col} = ${}", i + 1))
            .collect();
        let n = sets.len();
        let sql = format!(
            "UPDATE files SET {} WHERE id = ${} AND user_id = ${} \
             AND (${} = '0' OR EXISTS (SELECT 1 FROM folders WHERE id = ${} AND user_id = ${}))",
            assignments.join(", "),
            n + 1,
            n + 2,
            n + 3,
            n + 3,
            n + 2
        );
        let mut q = sqlx::query(&sql);
        for (_, v) in sets {
            q = match v {
                Val::Text(s) => q.bind(s.clone()),
                Val::Int(i) => q.bind(*i),
            };
        }
        let mut tx = library::lock_user(c.app, uid).await?;
        let done = q
            .bind(file_id)
            .bind(uid)
            .bind(folder)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        if done.rows_affected() == 0 {
            own(c, file_id).await?;
            return Err(ApiError::new(Code::FolderNotFound));
        }
    }
    own(c, file_id).await
}

/// The shared second phase of setInfo and moveToFolder.
async fn update_all(c: &Ctx<'_>, sets: &[(&'static str, Val)], folder: &str) -> ApiResult<Reply> {
    let checked = check_all(c, id_list(c, "file_id")?).await?;
    lists::stop_on_failure(v12(c)?, &checked)?;
    let mut outcomes = Vec::with_capacity(checked.len());
    for (id, r) in checked {
        let r = match r {
            Ok(_) => match update_file(c, &id, sets, folder).await {
                Ok(f) => node(c, &f),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        outcomes.push((id, r));
    }
    lists::answer(v12(c)?, FULL, outcomes)
}

pub async fn set_info(c: &Ctx<'_>) -> ApiResult<Reply> {
    let (sets, folder) = set_info_changes(c).await?;
    update_all(c, &sets, &folder).await
}

pub async fn move_to_folder(c: &Ctx<'_>) -> ApiResult<Reply> {
    let folder = own_folder_id(c, c.params.required("folder_id")?).await?;
    let sets = [("folder_id", Val::Text(folder.clone()))];
    update_all(c, &sets, &folder).await
}

pub async fn delete(c: &Ctx<'_>) -> ApiResult<Reply> {
    let uid = c.user()?.id;
    let checked = check_all(c, id_list(c, "file_id")?).await?;
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
    let checked = check_all(c, id_list(c, "file_id")?).await?;
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
    if !links.is_empty() {
        let what = match links.len() {
            1 => format!("a {kind}"),
            n => format!("{n} {kind}s"),
        };
        let user = c.user()?;
        let share = mail::Share {
            what: &what,
            links: &links,
            message,
            subject: None,
        };
        mail::send_share(c.app, &user.into(), &recipients, &share).await?;
        library::collect_addresses(c.app, user.id, &recipients).await?;
    }
    let outcomes = checked
        .into_iter()
        .map(|(id, r)| {
            let item = r.map(|_| Node::new(kind).attr("id", &id));
            (id, item)
        })
        .collect();
    lists::answer(v12, IDS, outcomes)
}
