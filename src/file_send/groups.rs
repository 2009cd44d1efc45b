//! User groups: numeric ids (as `user_group_ids` expects), administered
//! with `dropspace admin group …`.

use crate::db::{now, Db};

/// Creates a group; its id.
pub async fn create(db: &Db, name: &str) -> anyhow::Result<i64> {
    let name = name.trim();
    anyhow::ensure!(!name.is_empty(), "a group needs a name");
    let id: i64 =
        sqlx::query_scalar("INSERT INTO user_groups (name, created) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(now())
            .fetch_one(&db.pool)
            .await
            .map_err(|e| anyhow::anyhow!("creating group {name}: {e}"))?;
    Ok(id)
}

/// A group by id or by name.
pub async fn find(db: &Db, group: &str) -> anyhow::Result<i64> {
    let by_id: Option<i64> = match group.trim().parse::<i64>() {
        Ok(id) => {
            sqlx::query_scalar("SELECT id FROM user_groups WHERE id = $1")
                .bind(id)
                .fetch_optional(&db.pool)
                .await?
        }
        Err(_) => None,
    };
    let found = match by_id {
        Some(id) => Some(id),
        None => {
            sqlx::query_scalar("SELECT id FROM user_groups WHERE name = $1")
                .bind(group.trim())
                .fetch_optional(&db.pool)
                .await?
        }
    };
    found.ok_or_else(|| anyhow::anyhow!("no group {group}"))
}

pub async fn add_member(db: &Db, group_id: i64, user_id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT (group_id, user_id) DO NOTHING",
    )
    .bind(group_id)
    .bind(user_id)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn remove_member(db: &Db, group_id: i64, user_id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
        .bind(group_id)
        .bind(user_id)
        .execute(&db.pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Every group: (id, name, member user names).
pub async fn list(db: &Db) -> sqlx::Result<Vec<(i64, String, Vec<String>)>> {
    let groups: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM user_groups ORDER BY id")
        .fetch_all(&db.pool)
        .await?;
    let mut out = Vec::with_capacity(groups.len());
    for (id, name) in groups {
        let members: Vec<String> = sqlx::query_scalar(
            "SELECT u.user_name FROM group_members m JOIN users u ON u.id = m.user_id \
             WHERE m.group_id = $1 ORDER BY u.user_name_lower",
        )
        .bind(id)
        .fetch_all(&db.pool)
        .await?;
        out.push((id, name, members));
    }
    Ok(out)
}

/// The members of the groups among `ids` that exist (others are ignored).
pub async fn members(db: &Db, ids: &[i64]) -> sqlx::Result<Vec<i64>> {
    let mut out = Vec::new();
    for id in ids {
        let users: Vec<i64> =
            sqlx::query_scalar("SELECT user_id FROM group_members WHERE group_id = $1")
                .bind(id)
                .fetch_all(&db.pool)
                .await?;
        out.extend(users);
    }
    Ok(out)
}
