//! `dropspace admin fsck [--repair]`: the database and the blob store must
//! agree. Every file row needs its blob, whole (size and BLAKE3 checksum
//! as recorded at upload); every blob needs a row that references it (a
//! file, an upload in progress, a deletion not yet due); every account's
//! `disk_used` must equal its files plus the space its running uploads
//! have reserved. Safe to run beside live servers: blobs are listed before
//! the rows are read, so a blob written meanwhile is never taken for an
//! orphan, and a missing blob is confirmed by asking the store for it.

use std::collections::HashSet;
use std::fmt;

use crate::blobs::Blobs;
use crate::db::ops::FileBlob as Row;
use crate::db::Db;
use crate::library::content;

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Fix what can be fixed without guessing.
    pub repair: bool,
    /// Read every blob and compare its checksum (sizes are always checked).
    pub checksums: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The file's blob is gone: the file cannot be downloaded again.
    MissingBlob {
        file: String,
        blob: String,
    },
    WrongSize {
        file: String,
        recorded: i64,
        stored: u64,
    },
    WrongChecksum {
        file: String,
    },
    /// Rows from before a checksum (BLAKE3, or CRC-32) was recorded.
    NoChecksum {
        file: String,
    },
    /// A blob no row refers to (a crash between writing and cleaning up).
    OrphanBlob {
        blob: String,
    },
    /// The file's folder no longer exists.
    LostFolder {
        file: String,
        folder: String,
    },
    QuotaMismatch {
        user: String,
        recorded: i64,
        actual: i64,
    },
}

impl Problem {
    /// Whether `--repair` can fix it without losing anything still readable.
    pub fn repairable(&self) -> bool {
        !matches!(
            self,
            Problem::WrongSize { .. } | Problem::WrongChecksum { .. }
        )
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::MissingBlob { file, blob } => {
                write!(f, "missing blob: file {file} (blob {blob})")
            }
            Problem::WrongSize {
                file,
                recorded,
                stored,
            } => write!(
                f,
                "wrong size: file {file} is {recorded} bytes, its blob {stored}"
            ),
            Problem::WrongChecksum { file } => {
                write!(f, "wrong checksum: file {file}'s blob changed since upload")
            }
            Problem::NoChecksum { file } => write!(f, "no checksum: file {file}"),
            Problem::OrphanBlob { blob } => write!(f, "orphan blob: {blob}"),
            Problem::LostFolder { file, folder } => {
                write!(f, "lost folder: file {file} is in missing folder {folder}")
            }
            Problem::QuotaMismatch {
                user,
                recorded,
                actual,
            } => write!(
                f,
                "quota mismatch: account {user} records {recorded} bytes used, holds {actual}"
            ),
        }
    }
}

#[derive(Debug, Default)]
pub struct Report {
    pub files: u64,
    pub blobs: u64,
    pub bytes_verified: u64,
    pub problems: Vec<Problem>,
    /// What `--repair` did, one line each.
    pub repaired: Vec<String>,
    /// Problems still there after the run.
    pub remaining: usize,
}

/// Checks (and with `repair`, mends) one deployment.
pub async fn run(db: &Db, blobs: &Blobs, opts: Options) -> anyhow::Result<Report> {
    let mut report = Report::default();
    // Listed first: anything written later is referenced by the rows read below.
    let mut stored = blobs.list().await?;
    stored.extend(db.inline_blob_keys().await?);
    report.blobs = stored.len() as u64;

    // Read in the order a blob moves (pending upload → file → queued for
    // deletion), so one that moves meanwhile is still found further on.
    let mut referenced: HashSet<String> = db.pending_blob_keys().await?.into_iter().collect();
    let rows = db.file_blobs().await?;
    referenced.extend(rows.iter().map(|r| r.blob_key.clone()));
    referenced.extend(db.deleted_blob_keys().await?);

    report.files = rows.len() as u64;
    for row in &rows {
        check_file(db, blobs, row, opts, &mut report).await?;
    }
    for blob in stored.into_iter().filter(|b| !referenced.contains(b)) {
        let problem = Problem::OrphanBlob { blob: blob.clone() };
        let fixed = if opts.repair {
            content::delete(db, blobs, &blob).await?;
            Some(format!("removed orphan blob {blob}"))
        } else {
            None
        };
        note(&mut report, problem, fixed);
    }

    check_folders(db, opts, &mut report).await?;
    check_quotas(db, opts, &mut report).await?;
    Ok(report)
}

fn note(report: &mut Report, problem: Problem, repaired: Option<String>) {
    match repaired {
        Some(what) => report.repaired.push(what),
        None => report.remaining += 1,
    }
    report.problems.push(problem);
}

async fn check_file(
    db: &Db,
    blobs: &Blobs,
    row: &Row,
    opts: Options,
    report: &mut Report,
) -> anyhow::Result<()> {
    let Some(stored) = content::stat(db, blobs, &row.blob_key).await? else {
        // Deleted by a live server since the listing: not a problem.
        if !db.file_exists(&row.id).await? {
            return Ok(());
        }
        let problem = Problem::MissingBlob {
            file: row.id.clone(),
            blob: row.blob_key.clone(),
        };
        // The bytes are gone; the row only makes downloads fail. Its
        // space comes back to the account in the quota check below.
        let fixed = if opts.repair {
            db.delete_file_of_blob(&row.id, &row.blob_key).await?;
            Some(format!("removed file {} whose blob is lost", row.id))
        } else {
            None
        };
        note(report, problem, fixed);
        return Ok(());
    };
    if stored != row.size as u64 {
        let problem = Problem::WrongSize {
            file: row.id.clone(),
            recorded: row.size,
            stored,
        };
        note(report, problem, None);
        return Ok(());
    }
    if !opts.checksums {
        return Ok(());
    }
    let Some(actual) = content::sums(db, blobs, &row.blob_key, stored).await? else {
        return Ok(()); // deleted while we read it
    };
    report.bytes_verified += stored;
    let blake3_differs =
        !row.checksum.is_empty() && !crate::secrets::ct_eq(&actual.blake3, &row.checksum);
    let crc32_differs = row.crc32.is_some_and(|crc| crc != i64::from(actual.crc32));
    if blake3_differs || crc32_differs {
        let problem = Problem::WrongChecksum {
            file: row.id.clone(),
        };
        note(report, problem, None);
    } else if row.checksum.is_empty() || row.crc32.is_none() {
        // Rows from before BLAKE3 (or CRC-32, migration 0098) was kept.
        let fixed = if opts.repair {
            db.set_missing_checksums(&row.id, &actual.blake3, i64::from(actual.crc32))
                .await?;
            Some(format!("recorded the checksums of file {}", row.id))
        } else {
            None
        };
        let problem = Problem::NoChecksum {
            file: row.id.clone(),
        };
        note(report, problem, fixed);
    }
    Ok(())
}

async fn check_folders(db: &Db, opts: Options, report: &mut Report) -> anyhow::Result<()> {
    let lost = db.files_in_lost_folders().await?;
    for (file, folder) in lost {
        let fixed = if opts.repair {
            db.move_file_to_root(&file, &folder).await?;
            Some(format!("moved file {file} to the root folder"))
        } else {
            None
        };
        note(report, Problem::LostFolder { file, folder }, fixed);
    }
    Ok(())
}

async fn check_quotas(db: &Db, opts: Options, report: &mut Report) -> anyhow::Result<()> {
    for wrong in db.quota_mismatches().await? {
        let fixed = if opts.repair {
            db.recompute_disk_used(wrong.id).await?;
            Some(format!(
                "set account {}'s disk use to what it holds",
                wrong.user_name
            ))
        } else {
            None
        };
        let problem = Problem::QuotaMismatch {
            user: wrong.user_name,
            recorded: wrong.disk_used,
            actual: wrong.held,
        };
        note(report, problem, fixed);
    }
    Ok(())
}
