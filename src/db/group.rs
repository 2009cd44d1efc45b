//! Group commit for the upload path (docs/architecture.md, "Group commit").
//!
//! On SQLite the upload path's transactions run on one writer thread of
//! their own, through `rusqlite` in place: every transaction waiting when
//! the thread comes round is run inside one SQLite transaction, each in a
//! savepoint of its own (a transaction that fails or gives up rolls back
//! to its savepoint, the others keep their changes), and the whole group
//! commits with one synced WAL write. Nothing is answered before that
//! commit is on disk (`synchronous = FULL`). sqlx's SQLite driver would
//! instead hand every statement to its connection's thread and back, which
//! cost more than the statements (docs/performance.md).
//!
//! On PostgreSQL (which groups concurrent commits itself) a grouped write
//! is a plain transaction from the pool. The transactions are written once,
//! against `Tx`, with the same SQL text for both.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;

use anyhow::Context;
use futures::future::BoxFuture;
use rusqlite::Connection;
use sqlx::{AnyConnection, Connection as _};

use crate::db::read::{any_args, bind_sqlite, read_sqlite, sqlite_error, Param, ReadRow};
use crate::db::Db;

/// What a transaction asks for once its statements ran.
pub(crate) enum Outcome<T> {
    /// Keep its changes.
    Commit(T),
    /// Undo its changes (a condition did not hold) and answer `T`.
    Rollback(T),
}

/// The statements of one grouped transaction.
pub(crate) enum Tx<'c> {
    /// A savepoint on the SQLite writer thread's connection.
    Sqlite(&'c mut Connection),
    /// A transaction on a pooled connection.
    Pool(&'c mut AnyConnection),
}

impl Tx<'_> {
    /// Runs a statement; the number of rows it changed.
    pub(crate) async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> sqlx::Result<u64> {
        match self {
            Tx::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql).map_err(sqlite_error)?;
                bind_sqlite(&mut stmt, params).map_err(sqlite_error)?;
                Ok(stmt.raw_execute().map_err(sqlite_error)? as u64)
            }
            Tx::Pool(conn) => {
                let done = sqlx::query_with(sql, any_args(params)?)
                    .execute(&mut **conn)
                    .await?;
                Ok(done.rows_affected())
            }
        }
    }

    /// The first row a statement returns, if any.
    pub(crate) async fn row<T: ReadRow>(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> sqlx::Result<Option<T>> {
        match self {
            Tx::Sqlite(conn) => read_sqlite(conn, sql, params).map_err(sqlite_error),
            Tx::Pool(conn) => {
                sqlx::query_as_with::<_, T, _>(sql, any_args(params)?)
                    .fetch_optional(&mut **conn)
                    .await
            }
        }
    }
}

/// A grouped transaction: it runs its statements on the `Tx` it is given.
pub(crate) type Work<T, E> =
    Box<dyn for<'c> FnOnce(Tx<'c>) -> BoxFuture<'c, Result<Outcome<T>, E>> + Send>;

/// A transaction handed to the writer thread, type-erased: it runs in its
/// savepoint and leaves behind what answers its caller once the group's
/// commit is known.
type Job = Box<dyn FnOnce(&mut Connection) -> Answer + Send>;
/// Called with the group commit's error, if any.
type Answer = Box<dyn FnOnce(Option<&str>) + Send>;

/// Transactions committed together at most; the rest wait for the next group.
const MAX_GROUP: usize = 128;

/// The SQLite writer thread's queue.
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Opens the writer connection to the (migrated) SQLite database at
    /// `path` and starts its thread.
    pub(super) fn start(path: &str) -> anyhow::Result<Writer> {
        let conn = Connection::open(path).with_context(|| format!("opening {path} for writing"))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")?;
        conn.set_prepared_statement_cache_capacity(64);
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(conn, queue))
            .context("starting the SQLite writer thread")?;
        Ok(Writer { jobs })
    }
}

/// The writer thread: takes whatever is queued, runs it as one group.
fn run(mut conn: Connection, queue: mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        // Should the group's transaction not start, each job's savepoint
        // is a transaction of its own, committed by its release.
        let grouped = match conn.execute_batch("BEGIN IMMEDIATE") {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %e, "the SQLite writer runs a group one by one");
                false
            }
        };
        let answers: Vec<Answer> = group.into_iter().map(|job| job(&mut conn)).collect();
        let failed = if grouped {
            conn.execute_batch("COMMIT").err().map(|e| {
                let _ = conn.execute_batch("ROLLBACK");
                e.to_string()
            })
        } else {
            None
        };
        for answer in answers {
            answer(failed.as_deref());
        }
    }
}

/// Runs `work` inside a savepoint of the open group transaction.
fn in_savepoint<T, E>(conn: &mut Connection, work: Work<T, E>) -> Result<T, E>
where
    E: From<sqlx::Error>,
{
    conn.execute_batch("SAVEPOINT job").map_err(sqlite_error)?;
    let ran = std::panic::catch_unwind(AssertUnwindSafe(|| {
        futures::executor::block_on(work(Tx::Sqlite(&mut *conn)))
    }));
    let (keep, out) = match ran {
        Ok(Ok(Outcome::Commit(v))) => (true, Ok(v)),
        Ok(Ok(Outcome::Rollback(v))) => (false, Ok(v)),
        Ok(Err(e)) => (false, Err(e)),
        Err(_) => (
            false,
            Err(sqlx::Error::Protocol("a grouped transaction panicked".into()).into()),
        ),
    };
    let end = if keep {
        conn.execute_batch("RELEASE job")
    } else {
        conn.execute_batch("ROLLBACK TO job; RELEASE job")
    };
    match end {
        Ok(()) => out,
        Err(e) => Err(sqlite_error(e).into()),
    }
}

impl Db {
    /// Runs `work` as one transaction, committed with others on SQLite
    /// (module docs); returns once its commit is durable.
    pub(crate) async fn write_grouped<T, E>(&self, work: Work<T, E>) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<sqlx::Error> + Send + 'static,
    {
        let Some(writer) = &self.writer else {
            let mut conn = self.pool.acquire().await?;
            let mut tx = conn.begin().await?;
            return match work(Tx::Pool(&mut tx)).await {
                Ok(Outcome::Commit(v)) => {
                    tx.commit().await?;
                    Ok(v)
                }
                Ok(Outcome::Rollback(v)) => {
                    tx.rollback().await?;
                    Ok(v)
                }
                Err(e) => Err(e),
            };
        };
        let (reply, answer) = tokio::sync::oneshot::channel::<Result<T, E>>();
        let job: Job = Box::new(move |conn| {
            let out = in_savepoint(conn, work);
            Box::new(move |failed: Option<&str>| {
                let out = match failed {
                    None => out,
                    Some(e) => Err(sqlx::Error::Protocol(format!("group commit: {e}")).into()),
                };
                let _ = reply.send(out);
            })
        });
        writer.jobs.send(job).map_err(|_| sqlx::Error::PoolClosed)?;
        answer.await.map_err(|_| sqlx::Error::PoolClosed)?
    }
}
