//! The download ledger: bytes served per file (`files.bytes_served`, with
//! `downloads` kept at `bytes_served / size`), the reservations of open
//! downloads of files with a download limit (`files.bytes_reserved` and one
//! `download_claims` row each), and the bytes each recipient link received
//! of each file. Every decision that races between requests or nodes is one
//! conditional statement on the file's row (docs/api-notes.md, "Download
//! counting").

use crate::db::Db;

/// A file's counters right after a credit.
#[derive(Debug, Clone, Copy)]
pub struct Credited {
    pub downloads_before: i64,
    pub downloads: i64,
    pub download_limit: i64,
}

impl Credited {
    /// Whether this very credit made the downloads reach the limit (exactly
    /// one credit per file can: each runs under the file row's lock).
    pub fn reached_limit(&self) -> bool {
        self.download_limit > 0
            && self.downloads_before < self.download_limit
            && self.downloads >= self.download_limit
    }
}

/// Adds `credit` bytes to a file's served bytes (`downloads` follows:
/// whole copies served) and takes `unreserve` off its reservation, never
/// below 0. None when the file is gone.
async fn credit_file<'e, E>(
    ex: E,
    file_id: &str,
    credit: i64,
    unreserve: i64,
) -> sqlx::Result<Option<Credited>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row: Option<(i64, i64, i64, i64)> = sqlx::query_as(
        "UPDATE files SET bytes_served = bytes_served + $2, \
         downloads = CASE WHEN size > 0 THEN (bytes_served + $2) / size ELSE downloads END, \
         bytes_reserved = CASE WHEN bytes_reserved > $3 THEN bytes_reserved - $3 ELSE 0 END \
         WHERE id = $1 RETURNING bytes_served, size, downloads, download_limit",
    )
    .bind(file_id)
    .bind(credit)
    .bind(unreserve)
    .fetch_optional(ex)
    .await?;
    Ok(
        row.map(|(served, size, downloads, download_limit)| Credited {
            downloads_before: if size > 0 {
                (served - credit) / size
            } else {
                downloads
            },
            downloads,
            download_limit,
        }),
    )
}

/// Where a reservation asks for its bytes.
pub struct Reservation<'a> {
    pub file_id: &'a str,
    pub taker: &'a str,
    pub start: i64,
    pub end: i64,
    /// Bytes past `download_limit` whole copies a limited file may serve
    /// (resumes re-fetch what a cut connection lost).
    pub allowance: i64,
    pub now: i64,
    pub lease_until: i64,
    /// The taker's own claims not refreshed since this time are stalled:
    /// a request of the same taker for an overlapping range releases them.
    pub quiet_before: i64,
}

/// The answer to a reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reserved {
    /// Taken: the claim's id.
    Claim(i64),
    /// Refused: the limits do not allow these bytes.
    Refused,
}

impl Db {
    /// Reserves `start..end` of a file for one download, in one
    /// transaction: first the unsent part of `taker`'s own stalled claims on
    /// this file that overlap the range is released (a resume must not be
    /// refused for the reservation of the connection it replaces; that
    /// stream stops at its next refresh), then the file's row takes the
    /// range if served + reserved + its length stays within
    /// `download_limit` copies and the allowance, and the claim is
    /// recorded. Nothing changes unless it is taken.
    pub async fn reserve_download(&self, r: &Reservation<'_>) -> sqlx::Result<Reserved> {
        let len = r.end - r.start;
        let mut tx = self.pool.begin().await?;
        let freed: Vec<i64> = sqlx::query_scalar(
            "UPDATE download_claims SET released = 1, reserved = sent \
             WHERE file_id = $1 AND taker = $2 AND released = 0 \
             AND range_start < $4 AND range_end > $3 AND refreshed <= $5 \
             RETURNING range_end - range_start - sent",
        )
        .bind(r.file_id)
        .bind(r.taker)
        .bind(r.start)
        .bind(r.end)
        .bind(r.quiet_before)
        .fetch_all(&mut *tx)
        .await?;
        let freed: i64 = freed.iter().map(|n| (*n).max(0)).sum();
        let taken = sqlx::query(
            "UPDATE files SET bytes_reserved = bytes_reserved - $2 + $3 \
             WHERE id = $1 AND limit_reached = 0 \
             AND (time_limit_at = 0 OR time_limit_at > $5) \
             AND (download_limit = 0 OR (downloads < download_limit \
                  AND bytes_served + bytes_reserved - $2 + $3 <= download_limit * size + $4))",
        )
        .bind(r.file_id)
        .bind(freed)
        .bind(len)
        .bind(r.allowance)
        .bind(r.now)
        .execute(&mut *tx)
        .await?;
        if taken.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(Reserved::Refused);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO download_claims \
             (file_id, taker, range_start, range_end, reserved, sent, refreshed, lease_until) \
             VALUES ($1, $2, $3, $4, $5, 0, $6, $7) RETURNING id",
        )
        .bind(r.file_id)
        .bind(r.taker)
        .bind(r.start)
        .bind(r.end)
        .bind(len)
        .bind(r.now)
        .bind(r.lease_until)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Reserved::Claim(id))
    }

    /// Records what an open claim has sent and extends its lease; false
    /// when the claim was released (a resume took over) or expired (swept):
    /// its stream must stop.
    pub async fn refresh_claim(
        &self,
        id: i64,
        sent: i64,
        now: i64,
        lease_until: i64,
    ) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "UPDATE download_claims SET sent = $2, refreshed = $3, lease_until = $4 \
             WHERE id = $1 AND released = 0",
        )
        .bind(id)
        .bind(sent)
        .bind(now)
        .bind(lease_until)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Closes a claim whose stream ended or was dropped having sent `sent`
    /// bytes: they move into `bytes_served` and the reservation goes. A
    /// claim already swept (its lease ran out) had its recorded bytes,
    /// `recorded`, credited by the sweep; only the rest is added here. None
    /// when the file is gone.
    pub async fn settle_claim(
        &self,
        id: i64,
        file_id: &str,
        sent: i64,
        recorded: i64,
    ) -> sqlx::Result<Option<Credited>> {
        let mut tx = self.pool.begin().await?;
        let reserved: Option<i64> =
            sqlx::query_scalar("DELETE FROM download_claims WHERE id = $1 RETURNING reserved")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let (credit, unreserve) = match reserved {
            Some(reserved) => (sent, reserved),
            None => ((sent - recorded).max(0), 0),
        };
        let credited = credit_file(&mut *tx, file_id, credit, unreserve).await?;
        tx.commit().await?;
        self.cache.file_changed(file_id);
        Ok(credited)
    }

    /// Adds bytes a download of a file without a reservation delivered.
    pub async fn credit_download(
        &self,
        file_id: &str,
        bytes: i64,
    ) -> sqlx::Result<Option<Credited>> {
        let credited = credit_file(&self.pool, file_id, bytes, 0).await;
        self.cache.file_changed(file_id);
        credited
    }

    /// Counts one whole copy at once if the limits allow it (a zero-byte
    /// file's GET: one download; otherwise `size` bytes within the budget
    /// of `download_limit` copies and the allowance). None when refused.
    pub async fn count_whole_download(
        &self,
        file_id: &str,
        allowance: i64,
        now: i64,
    ) -> sqlx::Result<Option<Credited>> {
        let row: Option<(i64, i64, i64, i64)> = sqlx::query_as(
            "UPDATE files SET bytes_served = bytes_served + size, \
             downloads = CASE WHEN size > 0 THEN (bytes_served + size) / size ELSE downloads + 1 END \
             WHERE id = $1 AND limit_reached = 0 \
             AND (time_limit_at = 0 OR time_limit_at > $3) \
             AND (download_limit = 0 OR (downloads < download_limit \
                  AND bytes_served + bytes_reserved + size <= download_limit * size + $2)) \
             RETURNING bytes_served, size, downloads, download_limit",
        )
        .bind(file_id)
        .bind(allowance)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        self.cache.file_changed(file_id);
        Ok(row.map(|(served, size, downloads, limit)| Credited {
            downloads_before: if size > 0 {
                (served - size) / size
            } else {
                downloads - 1
            },
            downloads,
            download_limit: limit,
        }))
    }

    /// Up to 500 claims whose lease ran out by `now` (their node died or
    /// their client stalled).
    pub async fn expired_claims(&self, now: i64) -> sqlx::Result<Vec<i64>> {
        sqlx::query_scalar(
            "SELECT id FROM download_claims WHERE lease_until < $1 ORDER BY lease_until LIMIT 500",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await
    }

    /// Closes one expired claim: its recorded bytes are credited, its
    /// reservation released. None when another node (or its own stream)
    /// closed it first, or the file is gone.
    pub async fn sweep_claim(&self, id: i64, now: i64) -> sqlx::Result<Option<(String, Credited)>> {
        let mut tx = self.pool.begin().await?;
        let claim: Option<(String, i64, i64)> = sqlx::query_as(
            "DELETE FROM download_claims WHERE id = $1 AND lease_until < $2 \
             RETURNING file_id, reserved, sent",
        )
        .bind(id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((file_id, reserved, sent)) = claim else {
            tx.rollback().await?;
            return Ok(None);
        };
        let credited = credit_file(&mut *tx, &file_id, sent, reserved).await?;
        tx.commit().await?;
        self.cache.file_changed(&file_id);
        Ok(credited.map(|c| (file_id, c)))
    }

    /// Adds bytes of a file delivered through a recipient link; the link's
    /// total when they now cover the file's `size` for the first time
    /// (exactly one call per link and file sees that), else None.
    pub async fn link_delivered(
        &self,
        token_hash: &str,
        file_id: &str,
        bytes: i64,
        size: i64,
    ) -> sqlx::Result<Option<i64>> {
        let total: i64 = sqlx::query_scalar(
            "INSERT INTO send_link_bytes (token_hash, file_id, bytes) VALUES ($1, $2, $3) \
             ON CONFLICT (token_hash, file_id) DO UPDATE SET bytes = send_link_bytes.bytes + excluded.bytes \
             RETURNING bytes",
        )
        .bind(token_hash)
        .bind(file_id)
        .bind(bytes)
        .fetch_one(&self.pool)
        .await?;
        Ok((total >= size && total - bytes < size).then_some(total))
    }
}
