//! Folders: the rows and every statement on the `folders` table. Structure
//! changes (create, move, delete) take the per-user lock (`db::lock`).

use crate::db::group::Tx;
use crate::db::lock::UserLock;
use crate::db::read::{read_row, Param};
use crate::db::Db;

/// The root folder id of every user.
pub const ROOT: &str = "0";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Folder {
    pub id: String,
    pub user_id: i64,
    pub parent_id: String,
    pub name: String,
    pub shared: i64,
    pub created: i64,
}

pub const FOLDER_COLUMNS: &str = "id, user_id, parent_id, name, shared, created";

read_row!(Folder {
    id,
    user_id,
    parent_id,
    name,
    shared,
    created
});

pub(crate) const OWNS_FOLDER: &str = "SELECT id FROM folders WHERE id = $1 AND user_id = $2";

/// How many folders and files are in a folder and below, and their size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Folders below it (itself not counted).
    pub folders: i64,
    pub files: i64,
    pub size: i64,
}

impl Db {
    pub async fn folder(&self, id: &str) -> sqlx::Result<Option<Folder>> {
        self.read_one(
            &format!("SELECT {FOLDER_COLUMNS} FROM folders WHERE id = $1"),
            &[Param::Text(id)],
        )
        .await
    }

    /// Whether `folder_id` is the root or a folder `user_id` owns.
    pub async fn owns_folder(&self, user_id: i64, folder_id: &str) -> sqlx::Result<bool> {
        if folder_id == ROOT {
            return Ok(true);
        }
        let found: Option<(String,)> = self
            .read_one(OWNS_FOLDER, &[Param::Text(folder_id), Param::Int(user_id)])
            .await?;
        Ok(found.is_some())
    }

    /// All of a user's folders, parents first.
    pub async fn user_folders(&self, user_id: i64) -> sqlx::Result<Vec<Folder>> {
        sqlx::query_as(&format!(
            "SELECT {FOLDER_COLUMNS} FROM folders WHERE user_id = $1 ORDER BY created, id"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
    }

    /// The sub-folders of one folder of a user, by name.
    pub async fn child_folders(&self, user_id: i64, parent: &str) -> sqlx::Result<Vec<Folder>> {
        sqlx::query_as(&format!(
            "SELECT {FOLDER_COLUMNS} FROM folders WHERE user_id = $1 AND parent_id = $2 ORDER BY name, id"
        ))
        .bind(user_id)
        .bind(parent)
        .fetch_all(&self.pool)
        .await
    }

    /// The shared sub-folders of one folder of a user, by name.
    pub async fn shared_child_folders(
        &self,
        user_id: i64,
        parent: &str,
    ) -> sqlx::Result<Vec<Folder>> {
        sqlx::query_as(&format!(
            "SELECT {FOLDER_COLUMNS} FROM folders WHERE user_id = $1 AND parent_id = $2 AND shared = 1 ORDER BY name, id"
        ))
        .bind(user_id)
        .bind(parent)
        .fetch_all(&self.pool)
        .await
    }

    /// Counts over the folder `id` of `user_id` and everything below it.
    pub async fn folder_totals(&self, user_id: i64, id: &str) -> sqlx::Result<Totals> {
        let (folders, files, size): (i64, i64, i64) = sqlx::query_as(
            "WITH RECURSIVE tree(id) AS ( \
               SELECT CAST($1 AS TEXT) \
               UNION SELECT f.id FROM folders f JOIN tree t ON f.parent_id = t.id WHERE f.user_id = $2 \
             ) SELECT \
               (SELECT COUNT(*) FROM tree) - 1, \
               (SELECT COUNT(*) FROM files WHERE user_id = $2 AND folder_id IN (SELECT id FROM tree)), \
               (SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM files WHERE user_id = $2 AND folder_id IN (SELECT id FROM tree))",
        )
        .bind(id)
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(Totals {
            folders,
            files,
            size,
        })
    }

    /// Renames and/or (un)shares a folder; `None` leaves a value alone.
    pub async fn update_folder(
        &self,
        user_id: i64,
        id: &str,
        name: Option<&str>,
        shared: Option<bool>,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE folders SET name = COALESCE($1, name), shared = COALESCE($2, shared) WHERE id = $3 AND user_id = $4",
        )
        .bind(name.map(str::to_string))
        .bind(shared.map(i64::from))
        .bind(id)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// `Db::owns_folder` on any executor (a transaction, to keep the answer
/// true until it commits).
pub async fn owns_folder<'e, E>(exec: E, user_id: i64, folder_id: &str) -> sqlx::Result<bool>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    if folder_id == ROOT {
        return Ok(true);
    }
    let found: Option<String> = sqlx::query_scalar(OWNS_FOLDER)
        .bind(folder_id)
        .bind(user_id)
        .fetch_optional(exec)
        .await?;
    Ok(found.is_some())
}

/// `Db::owns_folder` inside a grouped transaction.
pub(crate) async fn owns_folder_in(
    tx: &mut Tx<'_>,
    user_id: i64,
    folder_id: &str,
) -> sqlx::Result<bool> {
    if folder_id == ROOT {
        return Ok(true);
    }
    let found: Option<(String,)> = tx
        .row(OWNS_FOLDER, &[Param::Text(folder_id), Param::Int(user_id)])
        .await?;
    Ok(found.is_some())
}

/// Inserts a folder; false on an id collision (the caller picks another).
pub async fn insert_folder(lock: &mut UserLock, folder: &Folder) -> sqlx::Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO folders (id, user_id, parent_id, name, shared, created) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&folder.id)
    .bind(folder.user_id)
    .bind(&folder.parent_id)
    .bind(&folder.name)
    .bind(folder.shared)
    .bind(folder.created)
    .execute(lock.conn())
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Whether `target` may take `folder` as a child: it is `user_id`'s and
/// neither `folder` nor below it. The target's ancestors are walked with
/// `UNION`, which ends even on a (never expected) cycle.
pub async fn may_move_under(
    lock: &mut UserLock,
    user_id: i64,
    folder: &str,
    target: &str,
) -> sqlx::Result<bool> {
    let hits: (i64, i64) = sqlx::query_as(
        "WITH RECURSIVE up(id, parent_id) AS ( \
           SELECT id, parent_id FROM folders WHERE id = $1 AND user_id = $2 \
           UNION SELECT f.id, f.parent_id FROM folders f JOIN up ON f.id = up.parent_id WHERE f.user_id = $2 \
         ) SELECT (SELECT COUNT(*) FROM up WHERE id = $1), (SELECT COUNT(*) FROM up WHERE id = $3)",
    )
    .bind(target)
    .bind(user_id)
    .bind(folder)
    .fetch_one(lock.conn())
    .await?;
    Ok(hits.0 > 0 && hits.1 == 0)
}

/// Sets a folder's parent; false when the folder is gone.
pub async fn set_parent(
    lock: &mut UserLock,
    user_id: i64,
    folder: &str,
    parent: &str,
) -> sqlx::Result<bool> {
    let moved = sqlx::query("UPDATE folders SET parent_id = $1 WHERE id = $2 AND user_id = $3")
        .bind(parent)
        .bind(folder)
        .bind(user_id)
        .execute(lock.conn())
        .await?;
    Ok(moved.rows_affected() > 0)
}

/// Deletes a folder only if it holds no file and no folder; false otherwise.
pub async fn delete_empty_folder(
    lock: &mut UserLock,
    user_id: i64,
    folder: &str,
) -> sqlx::Result<bool> {
    let deleted = sqlx::query(
        "DELETE FROM folders WHERE id = $1 AND user_id = $2 \
         AND NOT EXISTS (SELECT 1 FROM files WHERE user_id = $2 AND folder_id = $1) \
         AND NOT EXISTS (SELECT 1 FROM folders WHERE user_id = $2 AND parent_id = $1)",
    )
    .bind(folder)
    .bind(user_id)
    .execute(lock.conn())
    .await?;
    Ok(deleted.rows_affected() > 0)
}
