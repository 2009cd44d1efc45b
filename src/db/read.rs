//! Plain one-row reads, the hot path of every call (the session, a file, a
//! folder, a setting). On SQLite they run in place, on the calling thread,
//! through read-only `rusqlite` connections: sqlx's SQLite driver runs every
//! statement on the connection's own thread, and the two hand-offs cost
//! more than the lookup itself (docs/performance.md, "Where the time goes:
//! small API calls"). On PostgreSQL they go through the pool as everything
//! else. The SQL is the same text for both.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use rusqlite::{Connection, OpenFlags};
use sqlx::any::AnyRow;
use sqlx::AnyPool;

use crate::db::Db;

/// A bound parameter of a read.
#[derive(Clone, Copy)]
pub enum Param<'a> {
    Int(i64),
    /// An integer or NULL.
    OptInt(Option<i64>),
    Text(&'a str),
    Bytes(&'a [u8]),
}

/// A row type both drivers can build.
pub trait ReadRow: for<'r> sqlx::FromRow<'r, AnyRow> + Send + Unpin {
    fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
}

/// Implements `ReadRow` by column name for a struct of plain fields.
macro_rules! read_row {
    ($ty:ty { $($field:ident),* $(,)? }) => {
        impl $crate::db::read::ReadRow for $ty {
            fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                let mut at = 0;
                // Fields are evaluated in the order written.
                Ok(Self { $($field: $crate::db::read::column(row, &mut at, stringify!($field))?),* })
            }
        }
    };
}
pub(crate) use read_row;

/// The column `name`, looked for at position `at` first: the column lists
/// name the fields in their order, and finding a column by name compares
/// it with every column before it.
pub(crate) fn column<T: rusqlite::types::FromSql>(
    row: &rusqlite::Row<'_>,
    at: &mut usize,
    name: &str,
) -> rusqlite::Result<T> {
    let i = *at;
    *at += 1;
    if row.as_ref().column_name(i).is_ok_and(|n| n == name) {
        row.get(i)
    } else {
        row.get(name)
    }
}

impl ReadRow for (String,) {
    fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok((row.get(0)?,))
    }
}

impl ReadRow for (i64,) {
    fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok((row.get(0)?,))
    }
}

/// SQLite read connections: a few, so a slow read (a page not in memory)
/// does not hold up the others.
const SQLITE_READERS: usize = 4;

#[derive(Clone)]
pub(super) enum Readers {
    Pool(AnyPool),
    Sqlite {
        conns: Arc<Vec<Mutex<Connection>>>,
        next: Arc<AtomicUsize>,
    },
}

impl Readers {
    /// Read-only connections to the SQLite database of `url`.
    pub(super) fn sqlite(url: &str) -> anyhow::Result<Readers> {
        let path = sqlite_path(url);
        let mut conns = Vec::with_capacity(SQLITE_READERS);
        for _ in 0..SQLITE_READERS {
            let conn = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .with_context(|| format!("opening {path} for reading"))?;
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            conn.set_prepared_statement_cache_capacity(64);
            conns.push(Mutex::new(conn));
        }
        Ok(Readers::Sqlite {
            conns: Arc::new(conns),
            next: Arc::default(),
        })
    }
}

/// The file of a `sqlite:` URL (`sqlite://path?mode=rwc`, `sqlite:path`).
pub(super) fn sqlite_path(url: &str) -> &str {
    let rest = url.strip_prefix("sqlite:").unwrap_or(url);
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    rest.split('?').next().unwrap_or(rest)
}

pub(super) fn sqlite_error(e: rusqlite::Error) -> sqlx::Error {
    sqlx::Error::Protocol(format!("sqlite: {e}"))
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Param::Int(n) => n.to_sql(),
            Param::OptInt(n) => n.to_sql(),
            Param::Text(s) => s.to_sql(),
            Param::Bytes(b) => b.to_sql(),
        }
    }
}

impl Db {
    /// The first row of a read, if any.
    pub(crate) async fn read_one<T: ReadRow>(
        &self,
        sql: &str,
        params: &[Param<'_>],
    ) -> sqlx::Result<Option<T>> {
        match &self.read {
            Readers::Pool(pool) => {
                sqlx::query_as_with::<_, T, _>(sql, any_args(params)?)
                    .fetch_optional(pool)
                    .await
            }
            Readers::Sqlite { conns, next } => {
                let start = next.fetch_add(1, Ordering::Relaxed);
                let free =
                    (0..conns.len()).find_map(|i| conns[(start + i) % conns.len()].try_lock().ok());
                let conn = match free {
                    Some(c) => c,
                    None => conns[start % conns.len()]
                        .lock()
                        .unwrap_or_else(|e| e.into_inner()),
                };
                read_sqlite(&conn, sql, params).map_err(sqlite_error)
            }
        }
    }
}

/// `params` as the pool's query arguments.
pub(super) fn any_args<'q>(params: &[Param<'q>]) -> sqlx::Result<sqlx::any::AnyArguments<'q>> {
    use sqlx::Arguments;
    let mut args = sqlx::any::AnyArguments::default();
    for p in params {
        match *p {
            Param::Int(n) => args.add(n),
            Param::OptInt(n) => args.add(n),
            Param::Text(s) => args.add(s),
            Param::Bytes(b) => args.add(b),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(args)
}

/// Binds `params` to a SQLite statement. `$N` placeholders are named
/// parameters to SQLite: bound by name.
pub(super) fn bind_sqlite(
    stmt: &mut rusqlite::CachedStatement<'_>,
    params: &[Param<'_>],
) -> rusqlite::Result<()> {
    for (i, p) in params.iter().enumerate() {
        let index = stmt
            .parameter_index(&format!("${}", i + 1))?
            .unwrap_or(i + 1);
        stmt.raw_bind_parameter(index, p)?;
    }
    Ok(())
}

pub(super) fn read_sqlite<T: ReadRow>(
    conn: &Connection,
    sql: &str,
    params: &[Param<'_>],
) -> rusqlite::Result<Option<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    bind_sqlite(&mut stmt, params)?;
    let mut rows = stmt.raw_query();
    match rows.next()? {
        Some(row) => T::from_sqlite(row).map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;

    #[test]
    fn paths_of_sqlite_urls() {
        assert_eq!(sqlite_path("sqlite:///data/d.db?mode=rwc"), "/data/d.db");
        assert_eq!(sqlite_path("sqlite://data/d.db"), "data/d.db");
        assert_eq!(sqlite_path("sqlite:d.db"), "d.db");
    }
}
