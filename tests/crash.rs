//! Crash consistency: the real server, one data directory and database,
//! killed with SIGKILL mid-load again and again. After every restart each
//! acknowledged upload is there byte for byte, every other upload left no
//! row, blob, reservation or temporary file behind, and the database is
//! intact. Seeded: `DROPSPACE_CRASH_SEED=<n>` replays a run (the seed is
//! printed first).

mod common;
use common::*;

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};

const ROUNDS: usize = 20;
const UPLOADS: usize = 100;
const DOWNLOADS: usize = 50;
const USERS: [&str; 2] = ["crasha", "crashb"];

/// Dead uploads are given up after a second and their leftovers collected
/// a second later, so each restart settles quickly.
const ENV: &[(&str, &str)] = &[
    ("DROPSPACE_LIMITS__STALE_UPLOAD_SECS", "1"),
    ("DROPSPACE_LIMITS__PENDING_BLOB_GRACE_SECS", "1"),
];

fn seed() -> u64 {
    match std::env::var("DROPSPACE_CRASH_SEED") {
        Ok(s) => s
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("DROPSPACE_CRASH_SEED must be a number, not {s:?}")),
        Err(_) => rand::thread_rng().gen(),
    }
}

/// The bytes of one upload, regenerated from its seed when needed.
fn content(size: usize, seed: u64) -> Vec<u8> {
    let mut data = vec![0u8; size];
    StdRng::seed_from_u64(seed).fill_bytes(&mut data);
    data
}

/// Mostly small files, some up to 1 MiB, a few larger.
fn pick_size(rng: &mut StdRng) -> usize {
    match rng.gen_range(0..100) {
        0..=74 => rng.gen_range(2 * 1024..64 * 1024),
        75..=96 => rng.gen_range(64 * 1024..1024 * 1024),
        _ => rng.gen_range(1024 * 1024..3 * 1024 * 1024),
    }
}

/// One upload as the client sent it.
#[derive(Clone)]
struct Sent {
    name: String,
    user: usize,
    size: usize,
    seed: u64,
    hash: String,
}

enum Outcome {
    /// `upload_status=ok` with this file id.
    Acked(String),
    /// An answer other than ok.
    Refused(String),
    /// No answer: the server died first.
    Cut,
}

#[derive(Default)]
struct Totals {
    /// Acknowledged, then found whole after the restart.
    acked: usize,
    refused: usize,
    cut: usize,
    cut_but_committed: usize,
    downloads_ok: usize,
    downloads_cut: usize,
}

struct Account {
    session: String,
    folder: String,
    /// `diskspace_left` of the empty account.
    left_empty: i64,
}

/// What the client side needs to talk to one server from a task.
#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn rest(&self, params: &[(&str, &str)]) -> Option<roxmltree_owned::Doc> {
        let resp = self
            .http
            .get(format!("{}/rest/", self.base))
            .query(params)
            .send()
            .await
            .ok()?;
        roxmltree_owned::Doc::new(resp.text().await.ok()?)
    }

    async fn upload(&self, session: &str, folder: &str, sent: &Sent) -> Outcome {
        let Some(doc) = self
            .rest(&[
                ("method", "upload.getInfo"),
                ("session_key", session),
                ("speed_limit", "0"),
            ])
            .await
        else {
            return Outcome::Cut;
        };
        let Some(attr) = doc.attrs("upload") else {
            return Outcome::Refused(doc.raw);
        };
        let get = |k: &str| attr.get(k).cloned().unwrap_or_default();
        let form = raw_form(
            &[
                ("MAX_FILE_SIZE", &get("max_file_size")),
                ("UPLOAD_IDENTIFIER", &get("upload_identifier")),
                ("extra_info", &get("extra_info")),
                ("folder_id", folder),
            ],
            &sent.name,
            &content(sent.size, sent.seed),
        );
        let resp = self
            .http
            .post(get("url"))
            .header("content-type", form.0)
            .body(form.1)
            .send()
            .await;
        let Ok(resp) = resp else {
            return Outcome::Cut;
        };
        let Ok(text) = resp.text().await else {
            return Outcome::Cut;
        };
        let answer = kv(&text);
        let value = |k: &str| {
            answer
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        match (value("upload_status").as_deref(), value("file_id")) {
            (Some("ok"), Some(id)) if !id.is_empty() => Outcome::Acked(id),
            _ => Outcome::Refused(text),
        }
    }

    /// download.getInfo and the download itself; Some(bytes) when the
    /// whole body arrived, None when the server died on the way.
    async fn download(&self, session: &str, file_id: &str) -> Result<Option<Vec<u8>>, String> {
        let Some(doc) = self
            .rest(&[
                ("method", "download.getInfo"),
                ("session_key", session),
                ("file_id", file_id),
            ])
            .await
        else {
            return Ok(None);
        };
        let Some(url) = doc.attrs("download").and_then(|a| a.get("url").cloned()) else {
            return Err(format!("download.getInfo {file_id}: {}", doc.raw));
        };
        let Ok(resp) = self.http.get(&url).send().await else {
            return Ok(None);
        };
        let status = resp.status().as_u16();
        let Ok(body) = resp.bytes().await else {
            return Ok(None);
        };
        if status != 200 {
            return Err(format!("download {file_id}: HTTP {status}"));
        }
        Ok(Some(body.to_vec()))
    }
}

/// A parsed answer that can move between tasks.
mod roxmltree_owned {
    use std::collections::HashMap;

    pub struct Doc {
        pub raw: String,
    }

    impl Doc {
        pub fn new(raw: String) -> Option<Doc> {
            roxmltree::Document::parse(&raw).ok()?;
            Some(Doc { raw })
        }

        /// The attributes of the first element named `tag`.
        pub fn attrs(&self, tag: &str) -> Option<HashMap<String, String>> {
            let doc = roxmltree::Document::parse(&self.raw).ok()?;
            let node = doc.descendants().find(|n| n.has_tag_name(tag))?;
            Some(
                node.attributes()
                    .map(|a| (a.name().to_string(), a.value().to_string()))
                    .collect(),
            )
        }
    }
}

fn hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// A row of `files`.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    id: String,
    user_id: Option<i64>,
    name: String,
    size: i64,
    checksum: String,
    blob_key: String,
}

async fn rows(s: &Server) -> HashMap<String, Row> {
    let pool = db(s).await;
    let rows: Vec<Row> =
        sqlx::query_as("SELECT id, user_id, name, size, checksum, blob_key FROM files")
            .fetch_all(&pool)
            .await
            .expect("file rows");
    pool.close().await;
    rows.into_iter().map(|r| (r.name.clone(), r)).collect()
}

/// Stored blob keys (relative to `data_dir/blobs`) and leftover temporary
/// files.
fn disk(s: &Server) -> (BTreeSet<String>, Vec<String>) {
    let root = s.data_dir.join("blobs");
    let mut blobs = BTreeSet::new();
    let mut tmp = Vec::new();
    for p in blob_files(s) {
        match p.strip_prefix(&root) {
            Ok(rel) => {
                blobs.insert(rel.display().to_string());
            }
            Err(_) => tmp.push(p.display().to_string()),
        }
    }
    (blobs, tmp)
}

/// The state every restart must settle into once the sweeps have run:
/// None when it holds, else what is wrong.
async fn unsettled(s: &Server, accounts: &[Account]) -> Option<String> {
    let rows = rows(s).await;
    let (mut blobs, tmp) = disk(s);
    // Small files' bytes are rows of their own (inline_blobs).
    let pool = db(s).await;
    let inline: Vec<String> = sqlx::query_scalar("SELECT blob_key FROM inline_blobs")
        .fetch_all(&pool)
        .await
        .expect("inline keys");
    pool.close().await;
    blobs.extend(inline);
    let keys: BTreeSet<String> = rows.values().map(|r| r.blob_key.clone()).collect();
    let mut wrong = Vec::new();
    if keys != blobs {
        let orphans: Vec<_> = blobs.difference(&keys).collect();
        let missing: Vec<_> = keys.difference(&blobs).collect();
        wrong.push(format!(
            "blobs on disk != file rows: orphans {orphans:?}, missing {missing:?}"
        ));
    }
    if !tmp.is_empty() {
        wrong.push(format!("temporary files left: {tmp:?}"));
    }
    let uploading = count(s, "SELECT COUNT(*) FROM upload_ids WHERE state = 1").await;
    if uploading != 0 {
        wrong.push(format!("{uploading} identifiers still uploading"));
    }
    let pending = count(s, "SELECT COUNT(*) FROM pending_blobs").await;
    if pending != 0 {
        wrong.push(format!("{pending} pending blobs"));
    }
    let pool = db(s).await;
    for (i, acc) in accounts.iter().enumerate() {
        let uid: i64 = sqlx::query_scalar("SELECT id FROM users WHERE user_name_lower = $1")
            .bind(USERS[i])
            .fetch_one(&pool)
            .await
            .expect("user id");
        let files: i64 = rows
            .values()
            .filter(|r| r.user_id == Some(uid))
            .map(|r| r.size)
            .sum();
        let used = acc.left_empty - diskspace_left(s, &acc.session).await;
        if used != files {
            wrong.push(format!(
                "{}: charged {used} bytes, files hold {files}",
                USERS[i]
            ));
        }
    }
    pool.close().await;
    (!wrong.is_empty()).then(|| wrong.join("; "))
}

/// The database's own consistency checks.
async fn check_database(s: &Server) {
    if s.backend == Backend::Sqlite {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&s.db_url)
            .await
            .expect("open the SQLite file");
        let check: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut conn)
            .await
            .expect("integrity_check");
        assert_eq!(check, vec!["ok".to_string()], "PRAGMA integrity_check");
        let fk = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&mut conn)
            .await
            .expect("foreign_key_check");
        assert!(fk.is_empty(), "{} foreign key violations", fk.len());
        conn.close().await.ok();
    }
    for (what, sql) in [
        (
            "files of missing users",
            "SELECT COUNT(*) FROM files f WHERE f.user_id IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = f.user_id)",
        ),
        (
            "files in missing folders",
            "SELECT COUNT(*) FROM files f WHERE f.folder_id <> '0' \
             AND NOT EXISTS (SELECT 1 FROM folders d WHERE d.id = f.folder_id AND d.user_id = f.user_id)",
        ),
        (
            "accounts whose disk_used is not their files",
            "SELECT COUNT(*) FROM users u WHERE u.disk_used <> \
             (SELECT COALESCE(SUM(f.size), 0) FROM files f WHERE f.user_id = u.id)",
        ),
        (
            "files without a checksum",
            "SELECT COUNT(*) FROM files WHERE checksum = ''",
        ),
    ] {
        assert_eq!(s.db_i64(sql).await, 0, "{what}");
    }
}

async fn crash_rounds(backend: Backend) {
    let seed = seed();
    println!("crash test ({backend:?}): DROPSPACE_CRASH_SEED={seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let started = Instant::now();
    let mut first = Server::start_with(backend, ENV).await;
    let mut accounts = Vec::new();
    for name in USERS {
        let session = first.user_session(name).await;
        let folder = mkdir(&first, &session, "crash", "0", "0").await;
        let left_empty = diskspace_left(&first, &session).await;
        accounts.push(Account {
            session,
            folder,
            left_empty,
        });
    }
    let accounts = Arc::new(accounts);
    // Every acknowledged upload so far, with its file id.
    let mut kept: Vec<(Sent, String)> = Vec::new();
    let mut totals = Totals::default();
    let mut live: Option<Server> = None;
    for round in 0..ROUNDS {
        let s = live.as_ref().unwrap_or(&first);
        let client = Client {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("client"),
            base: s.base.clone(),
        };
        // The load: uploads and downloads at once.
        let acked_now = Arc::new(AtomicUsize::new(0));
        let mut uploads = Vec::new();
        for i in 0..UPLOADS {
            let size = pick_size(&mut rng);
            let data_seed = rng.gen();
            let sent = Sent {
                name: format!("r{round:02}-u{i:03}.bin"),
                user: rng.gen_range(0..USERS.len()),
                size,
                seed: data_seed,
                hash: hash(&content(size, data_seed)),
            };
            let in_folder = rng.gen_bool(0.25);
            let (c, accs, n, s2) = (
                client.clone(),
                accounts.clone(),
                acked_now.clone(),
                sent.clone(),
            );
            uploads.push((
                sent,
                tokio::spawn(async move {
                    let acc = &accs[s2.user];
                    let folder = if in_folder { acc.folder.as_str() } else { "0" };
                    let out = c.upload(&acc.session, folder, &s2).await;
                    if matches!(out, Outcome::Acked(_)) {
                        n.fetch_add(1, Ordering::SeqCst);
                    }
                    out
                }),
            ));
        }
        let mut downloads = Vec::new();
        for _ in 0..DOWNLOADS.min(kept.len()) {
            let (sent, id) = kept[rng.gen_range(0..kept.len())].clone();
            let (c, accs) = (client.clone(), accounts.clone());
            downloads.push(tokio::spawn(async move {
                let got = c.download(&accs[sent.user].session, &id).await;
                (sent, got)
            }));
        }
        // When to kill: once a seeded number of uploads was acknowledged
        // (so others are still streaming), plus a seeded instant.
        let threshold = rng.gen_range(1..=60);
        let extra = Duration::from_millis(rng.gen_range(0..20));
        let deadline = Instant::now() + Duration::from_secs(20);
        while acked_now.load(Ordering::SeqCst) < threshold
            && !uploads.iter().all(|(_, t)| t.is_finished())
            && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        tokio::time::sleep(extra).await;
        let log_path = s.stderr_log.clone();
        match live.as_mut() {
            Some(n) => n.kill(),
            None => first.kill(),
        }
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        assert!(
            !log.contains("panicked"),
            "round {round}: the server panicked:\n{log}"
        );
        let mut outcomes = Vec::new();
        for (sent, task) in uploads {
            outcomes.push((sent, task.await.expect("upload task")));
        }
        for task in downloads {
            let (sent, got) = task.await.expect("download task");
            match got {
                Ok(Some(body)) => {
                    assert_eq!(
                        hash(&body),
                        sent.hash,
                        "round {round}: download of {} differs from what was sent",
                        sent.name
                    );
                    totals.downloads_ok += 1;
                }
                Ok(None) => totals.downloads_cut += 1,
                Err(e) => panic!("round {round}: {e}"),
            }
        }
        // Restart on the same data directory and database.
        let s = first.another_node().await;
        let client = Client {
            http: s.http.clone(),
            base: s.base.clone(),
        };
        let rows = rows(&s).await;
        // Every upload acknowledged so far is there, whole.
        for (sent, id) in &kept {
            let row = rows.get(&sent.name).unwrap_or_else(|| {
                panic!("round {round}: acknowledged {} ({id}) is gone", sent.name)
            });
            assert_eq!(&row.id, id);
            assert_eq!(row.size, sent.size as i64, "{}", sent.name);
            assert_eq!(row.checksum, sent.hash, "{}", sent.name);
        }
        let (mut acked, mut cut, mut refused, mut committed) = (0, 0, 0, 0);
        for (sent, outcome) in outcomes {
            let row = rows.get(&sent.name);
            match outcome {
                Outcome::Acked(id) => {
                    let row = row.unwrap_or_else(|| {
                        panic!("round {round}: acknowledged {} ({id}) is gone", sent.name)
                    });
                    assert_eq!(row.id, id);
                    let body = client
                        .download(&accounts[sent.user].session, &id)
                        .await
                        .unwrap_or_else(|e| panic!("round {round}: {e}"))
                        .expect("the restarted server answers");
                    assert_eq!(body.len(), sent.size, "{}", sent.name);
                    assert_eq!(hash(&body), sent.hash, "{}", sent.name);
                    acked += 1;
                    kept.push((sent, id));
                }
                other => {
                    match &other {
                        Outcome::Refused(text) => {
                            if totals.refused + refused < 3 {
                                println!("round {round}: {} refused: {text:?}", sent.name);
                            }
                            refused += 1
                        }
                        _ => cut += 1,
                    }
                    // Either never committed (no row), or committed whole
                    // just before the kill took the answer away.
                    if let Some(row) = row {
                        assert!(
                            matches!(other, Outcome::Cut),
                            "round {round}: refused upload {} has a row: {other_text}",
                            sent.name,
                            other_text = match &other {
                                Outcome::Refused(t) => t.as_str(),
                                _ => "",
                            }
                        );
                        let body = client
                            .download(&accounts[sent.user].session, &row.id)
                            .await
                            .unwrap_or_else(|e| panic!("round {round}: {e}"))
                            .expect("the restarted server answers");
                        assert_eq!(hash(&body), sent.hash, "half-visible {}", sent.name);
                        committed += 1;
                        kept.push((sent, row.id.clone()));
                    }
                }
            }
        }
        // Nothing of the dead uploads stays: wait for the sweeps (bounded).
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Some(wrong) = unsettled(&s, &accounts).await {
            if Instant::now() > deadline {
                let log = s.log();
                let warnings: Vec<&str> = log
                    .lines()
                    .filter(|l| l.contains("WARN") || l.contains("ERROR") || l.contains("panicked"))
                    .collect();
                panic!("round {round}: not settled after the sweeps: {wrong}\nserver warnings: {warnings:#?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        check_database(&s).await;
        let fsck = s.admin(&["fsck", "--quick"]);
        assert!(
            fsck.status.success(),
            "round {round}: fsck found problems:\n{}{}",
            String::from_utf8_lossy(&fsck.stdout),
            String::from_utf8_lossy(&fsck.stderr)
        );
        println!(
            "round {round:2}: {acked:3} acknowledged, {refused:2} refused, {cut:3} cut off \
             ({committed} of them committed before the kill), {} files kept, {:.1}s",
            kept.len(),
            started.elapsed().as_secs_f64()
        );
        totals.acked += acked;
        totals.refused += refused;
        totals.cut += cut;
        totals.cut_but_committed += committed;
        live = Some(s);
    }
    // A last full pass: every kept file downloads byte-exact, and fsck
    // reads every blob against its checksum.
    let s = live.as_ref().expect("a live server");
    let client = Client {
        http: s.http.clone(),
        base: s.base.clone(),
    };
    for (sent, id) in &kept {
        let body = client
            .download(&accounts[sent.user].session, id)
            .await
            .unwrap_or_else(|e| panic!("final pass: {e}"))
            .expect("the server answers");
        assert_eq!(hash(&body), sent.hash, "final pass: {}", sent.name);
    }
    let fsck = s.admin(&["fsck"]);
    assert!(
        fsck.status.success(),
        "final fsck:\n{}{}",
        String::from_utf8_lossy(&fsck.stdout),
        String::from_utf8_lossy(&fsck.stderr)
    );
    assert!(!s.log().contains("panicked"), "{}", s.log());
    println!(
        "crash summary ({backend:?}, seed {seed}): {ROUNDS} kill rounds survived, {} uploads \
         acknowledged and checked byte-exact, {} cut off by the kill ({} of them committed \
         just before it, checked whole), {} refused, {} downloads verified, {} cut off, \
         {} files re-verified at the end, {:.1}s",
        totals.acked,
        totals.cut,
        totals.cut_but_committed,
        totals.refused,
        totals.downloads_ok,
        totals.downloads_cut,
        kept.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        totals.acked > 0 && totals.cut > 0,
        "the kills hit no uploads"
    );
}

dual!(
    kill_nine_under_load,
    |b| async move { crash_rounds(b).await }
);
