//! API sessions and their accounts, and the files `files.getInfo` shows,
//! kept in process for a bounded time, so a call does not read the
//! database just to learn who is calling or to show a file
//! (docs/architecture.md, "Session cache").
//!
//! An entry is used for at most `ttl` after it was read: a session ended,
//! an account or a file changed on another node (or by the admin command)
//! is seen within that bound. A change made through this process is seen
//! at once: every write to an account's row or under its lock marks the
//! account changed after it commits, every other write to a file's row
//! marks the file, and entries read before the mark are not used again.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::db::files::File;
use crate::db::sessions::SessionRow;

/// More entries than this and the cache starts over (a bound on memory,
/// far above the sessions one node serves within a `ttl`).
const MAX_ENTRIES: usize = 65_536;

pub struct SessionCache {
    ttl: Duration,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    sessions: HashMap<String, Entry<SessionRow>>,
    /// By file id.
    files: HashMap<String, Entry<File>>,
    /// Per account: the stamp of its last change through this process.
    changed: HashMap<i64, u64>,
    /// Per file: the stamp of its last change outside its owner's lock.
    changed_files: HashMap<String, u64>,
    /// Entries read before this stamp are stale (set when starting over).
    floor: u64,
    /// Stamps, one per read and per change, in order.
    clock: u64,
    /// Sessions whose idle timer a call of this process is refreshing.
    touching: HashSet<String>,
}

struct Entry<T> {
    row: T,
    read_at: Instant,
    stamp: u64,
}

impl Inner {
    /// Whether an entry of `owner`'s read at `stamp` is still to be used.
    fn fresh<T>(&self, e: &Entry<T>, owner: Option<i64>, ttl: Duration) -> bool {
        let changed = owner.and_then(|uid| self.changed.get(&uid)).copied();
        e.read_at.elapsed() < ttl && e.stamp >= self.floor && e.stamp > changed.unwrap_or(0)
    }

    /// Forgets everything: entries read before now are stale.
    fn start_over(&mut self) {
        self.clock += 1;
        self.floor = self.clock;
        self.sessions.clear();
        self.files.clear();
        self.changed.clear();
        self.changed_files.clear();
    }
}

/// A claimed refresh of a session's idle timer; over when dropped, whether
/// it was written or its call went away.
pub struct Touching<'a> {
    cache: &'a SessionCache,
    key_hash: String,
}

impl Drop for Touching<'_> {
    fn drop(&mut self) {
        self.cache.lock().touching.remove(&self.key_hash);
    }
}

/// Taken before a session is read from the database: an entry stored with
/// it is stale if its account changed meanwhile.
#[derive(Clone, Copy)]
pub struct Stamp(u64);

impl SessionCache {
    /// `ttl` zero: nothing is kept.
    pub fn new(ttl: Duration) -> SessionCache {
        SessionCache {
            ttl,
            inner: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh entry for the session, if there is one.
    pub fn get(&self, key_hash: &str) -> Option<SessionRow> {
        if self.ttl.is_zero() {
            return None;
        }
        let inner = self.lock();
        let e = inner.sessions.get(key_hash)?;
        inner
            .fresh(e, Some(e.row.user.id), self.ttl)
            .then(|| e.row.clone())
    }

    /// A stamp to store a session read from now on with.
    pub fn stamp(&self) -> Stamp {
        let mut inner = self.lock();
        inner.clock += 1;
        Stamp(inner.clock)
    }

    pub fn put(&self, key_hash: &str, row: &SessionRow, stamp: Stamp) {
        self.keep(key_hash, row, stamp, |inner| &mut inner.sessions);
    }

    /// Stores a copy read with `stamp` in the map `pick` chooses, unless
    /// something changed since the stamp; a full map starts the cache over.
    fn keep<T: Clone>(
        &self,
        key: &str,
        row: &T,
        stamp: Stamp,
        pick: fn(&mut Inner) -> &mut HashMap<String, Entry<T>>,
    ) {
        if self.ttl.is_zero() {
            return;
        }
        let mut inner = self.lock();
        if stamp.0 < inner.floor {
            return;
        }
        if pick(&mut inner).len() >= MAX_ENTRIES {
            inner.start_over();
            return;
        }
        pick(&mut inner).insert(
            key.to_string(),
            Entry {
                row: row.clone(),
                read_at: Instant::now(),
                stamp: stamp.0,
            },
        );
    }

    /// Claims the refresh of a session's idle timer for one call: None while
    /// another call of this process is at it. Without it, every call in
    /// flight when the timer came due wrote the same row, one commit after
    /// the other, and the calls behind them waited (docs/performance.md).
    pub fn begin_touch(&self, key_hash: &str) -> Option<Touching<'_>> {
        self.lock()
            .touching
            .insert(key_hash.to_string())
            .then(|| Touching {
                cache: self,
                key_hash: key_hash.to_string(),
            })
    }

    /// The session was seen in use at `now` (its idle timer refreshed).
    pub fn touched(&self, key_hash: &str, now: i64) {
        if let Some(e) = self.lock().sessions.get_mut(key_hash) {
            e.row.last_seen = e.row.last_seen.max(now);
        }
    }

    /// The session ended. A read of it still in flight must not put it
    /// back: every copy read before now is stale (ending a session is rare
    /// enough for the cache to refill).
    pub fn forget(&self, key_hash: &str) {
        let mut inner = self.lock();
        inner.clock += 1;
        inner.floor = inner.clock;
        inner.sessions.remove(key_hash);
    }

    /// No such session in the database (an unknown or ended key).
    pub fn absent(&self, key_hash: &str) {
        self.lock().sessions.remove(key_hash);
    }

    /// The account's row changed (call after the change committed).
    pub fn changed(&self, user_id: i64) {
        let mut inner = self.lock();
        inner.clock += 1;
        let clock = inner.clock;
        inner.changed.insert(user_id, clock);
    }

    /// Accounts changed that are not known by id: every entry is stale.
    pub fn changed_all(&self) {
        self.lock().start_over();
    }

    /// A fresh entry for the file, if there is one.
    pub fn file(&self, id: &str) -> Option<File> {
        if self.ttl.is_zero() {
            return None;
        }
        let inner = self.lock();
        let e = inner.files.get(id)?;
        let changed = inner.changed_files.get(id).copied().unwrap_or(0);
        (inner.fresh(e, e.row.user_id, self.ttl) && e.stamp > changed).then(|| e.row.clone())
    }

    /// Keeps a file read with `stamp` (taken before the read).
    pub fn put_file(&self, file: &File, stamp: Stamp) {
        self.keep(&file.id, file, stamp, |inner| &mut inner.files);
    }

    /// The file's row changed (call after the change committed).
    pub fn file_changed(&self, id: &str) {
        let mut inner = self.lock();
        if inner.changed_files.len() >= MAX_ENTRIES {
            inner.start_over();
            return;
        }
        inner.clock += 1;
        let clock = inner.clock;
        inner.changed_files.insert(id.to_string(), clock);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::users::User;

    fn row(user_id: i64) -> SessionRow {
        SessionRow {
            api_version: "1.0".into(),
            last_seen: 10,
            user: User {
                id: user_id,
                ..User::default()
            },
        }
    }

    #[test]
    fn one_call_at_a_time_refreshes_a_session() {
        let c = SessionCache::new(Duration::ZERO);
        let first = c.begin_touch("k");
        assert!(first.is_some());
        assert!(
            c.begin_touch("k").is_none(),
            "a second call while the first is at it"
        );
        assert!(c.begin_touch("other").is_some(), "another session");
        c.changed_all();
        assert!(
            c.begin_touch("k").is_none(),
            "starting over does not end a refresh"
        );
        drop(first);
        assert!(
            c.begin_touch("k").is_some(),
            "the next refresh, once the first is over"
        );
    }

    #[test]
    fn an_entry_read_before_a_change_is_not_used() {
        let c = SessionCache::new(Duration::from_secs(60));
        let before = c.stamp();
        c.changed(7);
        c.put("k", &row(7), before);
        assert!(c.get("k").is_none());
        let after = c.stamp();
        c.put("k", &row(7), after);
        assert!(c.get("k").is_some());
        c.changed(8);
        assert!(c.get("k").is_some(), "another account's change");
        c.changed(7);
        assert!(c.get("k").is_none());
    }

    #[test]
    fn forget_touch_and_starting_over() {
        let c = SessionCache::new(Duration::from_secs(60));
        let s = c.stamp();
        c.put("k", &row(1), s);
        c.touched("k", 99);
        assert_eq!(c.get("k").map(|r| r.last_seen), Some(99));
        let in_flight = c.stamp();
        c.forget("k");
        assert!(c.get("k").is_none());
        c.put("k", &row(1), in_flight);
        assert!(c.get("k").is_none(), "read before the session ended");
        let s = c.stamp();
        c.changed_all();
        c.put("k", &row(1), s);
        assert!(c.get("k").is_none(), "read before everything changed");
    }

    #[test]
    fn zero_ttl_keeps_nothing() {
        let c = SessionCache::new(Duration::ZERO);
        let s = c.stamp();
        c.put("k", &row(1), s);
        assert!(c.get("k").is_none());
    }
}
