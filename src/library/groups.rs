//! User groups of the file_send API: numeric ids (as `user_group_ids`
//! expects), administered with `dropspace admin group …`.

use crate::db::{now, Db};
use crate::library::{Error, Result};

/// A group with its members' user names.
pub struct Group {
    pub id: i64,
    pub name: String,
    pub members: Vec<String>,
}

/// Creates a group; its id.
pub async fn create(db: &Db, name: &str) -> Result<i64> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::Invalid("a group needs a name".into()));
    }
    db.insert_group(name, now())
        .await
        .map_err(|e| Error::internal(anyhow::anyhow!("creating group {name}: {e}")))
}

/// A group by id or by name.
pub async fn find(db: &Db, group: &str) -> Result<i64> {
    let by_id = match group.trim().parse::<i64>() {
        Ok(id) => db.group_by_id(id).await?,
        Err(_) => None,
    };
    let found = match by_id {
        Some(id) => Some(id),
        None => db.group_by_name(group.trim()).await?,
    };
    found.ok_or_else(|| Error::Invalid(format!("no group {group}").into()))
}

/// Adds a member; false when already one.
pub async fn add_member(db: &Db, group_id: i64, user_id: i64) -> Result<bool> {
    Ok(db.add_group_member(group_id, user_id).await?)
}

/// Removes a member; false when not one.
pub async fn remove_member(db: &Db, group_id: i64, user_id: i64) -> Result<bool> {
    Ok(db.remove_group_member(group_id, user_id).await?)
}

/// Every group, by id.
pub async fn list(db: &Db) -> Result<Vec<Group>> {
    let groups = db.groups().await?;
    let mut out = Vec::with_capacity(groups.len());
    for (id, name) in groups {
        let members = db.group_member_names(id).await?;
        out.push(Group { id, name, members });
    }
    Ok(out)
}

/// The members of the groups among `ids` that exist (others are ignored).
pub async fn members(db: &Db, ids: &[i64]) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for id in ids {
        out.extend(db.group_member_ids(*id).await?);
    }
    Ok(out)
}
