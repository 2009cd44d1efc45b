//! Group commit for the upload path on SQLite (docs/architecture.md, "Group
//! commit"). SQLite's one writer used to sync the WAL inside every commit
//! (`synchronous = FULL`), so concurrent uploads waited for each other's
//! disk syncs one by one. A grouped write commits at `synchronous =
//! NORMAL` (its frames written to the WAL, not yet synced) and then waits
//! until one `fdatasync` of the WAL started after its commit has finished;
//! every write that committed meanwhile shares that sync. Nothing is
//! acknowledged before its frames are on disk, as with `FULL`.

use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures::future::BoxFuture;
use sqlx::{AnyConnection, Executor};

use crate::db::Db;

/// The WAL file of the SQLite database and how far it is known synced.
pub(super) struct WalSync {
    file: Arc<File>,
    /// Grouped commits finished so far (numbered after their COMMIT).
    committed: AtomicU64,
    /// Every commit up to this number is on disk.
    synced: AtomicU64,
    /// Held by the one task syncing now; the next holder syncs for all
    /// that committed while it waited.
    syncing: tokio::sync::Mutex<()>,
}

impl WalSync {
    /// The WAL beside the database file `db` (present once the database is
    /// in WAL mode and has been written).
    pub(super) fn open(db: &str) -> std::io::Result<WalSync> {
        let file = File::open(Path::new(&format!("{db}-wal")))?;
        Ok(WalSync {
            file: Arc::new(file),
            committed: AtomicU64::new(0),
            synced: AtomicU64::new(0),
            syncing: tokio::sync::Mutex::new(()),
        })
    }

    /// Returns once everything committed before the call is on disk.
    async fn sync_committed(&self) -> std::io::Result<()> {
        let mine = self.committed.fetch_add(1, Ordering::SeqCst) + 1;
        if self.synced.load(Ordering::SeqCst) >= mine {
            return Ok(());
        }
        let _turn = self.syncing.lock().await;
        if self.synced.load(Ordering::SeqCst) >= mine {
            return Ok(());
        }
        let upto = self.committed.load(Ordering::SeqCst);
        let file = self.file.clone();
        tokio::task::spawn_blocking(move || file.sync_data())
            .await
            .map_err(std::io::Error::other)??;
        self.synced.fetch_max(upto, Ordering::SeqCst);
        Ok(())
    }
}

/// A write transaction: the closure begins and commits (or rolls back) it
/// on the writer connection it is given.
pub(crate) type Work<T, E> =
    Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T, E>> + Send>;

impl Db {
    /// Runs `work` on the writer. On SQLite its commit shares the WAL sync
    /// with concurrent grouped writes; on PostgreSQL (which groups commits
    /// itself) it runs as any other transaction.
    pub(crate) async fn write_grouped<T, E>(&self, work: Work<T, E>) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<sqlx::Error> + Send + 'static,
    {
        let Some(wal) = self.wal.clone() else {
            let mut conn = self.pool.acquire().await?;
            return work(&mut conn).await;
        };
        let pool = self.pool.clone();
        // A task of its own: a caller that goes away mid-way must not leave
        // the writer at NORMAL for the next write.
        let task = tokio::spawn(async move {
            let mut conn = pool.acquire().await?;
            conn.execute("PRAGMA synchronous = NORMAL").await?;
            let out = work(&mut conn).await;
            if let Err(e) = conn.execute("PRAGMA synchronous = FULL").await {
                conn.close_on_drop();
                return Err(e.into());
            }
            drop(conn);
            let out = out?;
            wal.sync_committed()
                .await
                .map_err(|e| E::from(sqlx::Error::Io(e)))?;
            Ok(out)
        });
        task.await
            .map_err(|e| E::from(sqlx::Error::Protocol(format!("grouped write: {e}"))))?
    }
}
