//! The blob storage interface in-process, on the fs backend: what is
//! written is read back byte for byte (whole and in ranges), nothing is
//! visible before `finish`, and abort or a dropped writer leaves nothing.

use std::time::Duration;

use bytes::Bytes;
use dropspace::blobs::Blobs;
use dropspace::config::Config;
use futures::TryStreamExt;
use rand::{Rng, SeedableRng};

mod common;

/// The fs backend, or S3 when the suite runs in S3 mode (a bucket per store).
async fn store() -> (tempfile::TempDir, Blobs) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cfg = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    if let Some(endpoint) = common::s3_endpoint() {
        cfg.storage.backend = "s3".into();
        cfg.storage.s3.bucket = common::s3_bucket(&endpoint).await;
        cfg.storage.s3.endpoint = Some(endpoint);
        cfg.storage.s3.access_key_id = Some("test".into());
        cfg.storage.s3.secret_access_key = Some("test".into());
    }
    let blobs = Blobs::new(&cfg).expect("blob store");
    (dir, blobs)
}

fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..n).map(|_| rng.gen()).collect()
}

async fn write(blobs: &Blobs, key: &str, data: &[u8], chunk: usize) {
    let mut w = blobs.writer(key).await.expect("writer");
    for part in data.chunks(chunk.max(1)) {
        w.write(Bytes::copy_from_slice(part)).await.expect("write");
    }
    w.finish().await.expect("finish");
}

async fn read(blobs: &Blobs, key: &str, range: std::ops::Range<u64>) -> Vec<u8> {
    let stream = blobs.read(key, range).await.expect("read");
    let parts: Vec<Bytes> = stream.try_collect().await.expect("stream");
    parts.concat()
}

/// Files left anywhere under `dir` (temporary files included).
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test]
async fn write_finish_read_size_list_delete() {
    let (dir, blobs) = store().await;
    let data = random_bytes(1_300_007, 1);
    let key = Blobs::new_key();
    assert!(key.bytes().all(|c| c.is_ascii_hexdigit() || c == b'/'));
    write(&blobs, &key, &data, 65_521).await;
    assert_eq!(blobs.size(&key).await.expect("size"), data.len() as u64);
    assert_eq!(read(&blobs, &key, 0..data.len() as u64).await, data);
    for (start, end) in [
        (0u64, 1u64),
        (1, 2),
        (65_000, 700_001),
        (1_300_000, 1_300_007),
    ] {
        assert_eq!(
            read(&blobs, &key, start..end).await,
            &data[start as usize..end as usize],
            "range {start}..{end}"
        );
    }
    assert_eq!(blobs.list().await.expect("list"), vec![key.clone()]);
    if !common::s3_mode() {
        let path = blobs.local_path(&key).expect("fs path");
        assert_eq!(std::fs::read(&path).expect("file"), data);
    }
    blobs.delete(&key).await.expect("delete");
    assert!(blobs.size(&key).await.is_err());
    assert!(blobs.list().await.expect("list").is_empty());
    // Deleting what is gone is not an error.
    blobs.delete(&key).await.expect("delete again");
    assert!(files_under(&dir.path().join("blobs")).is_empty());
}

#[tokio::test]
async fn empty_blob() {
    let (_dir, blobs) = store().await;
    let key = Blobs::new_key();
    write(&blobs, &key, &[], 1).await;
    assert_eq!(blobs.size(&key).await.expect("size"), 0);
    assert_eq!(blobs.list().await.expect("list"), vec![key]);
}

#[tokio::test]
async fn unfinished_writer_is_invisible_and_abort_leaves_nothing() {
    let (dir, blobs) = store().await;
    let key = Blobs::new_key();
    let mut w = blobs.writer(&key).await.expect("writer");
    w.write(Bytes::from(random_bytes(600_000, 2)))
        .await
        .expect("write");
    // Written but not finished: nothing under the key.
    assert!(blobs.size(&key).await.is_err());
    assert!(blobs.read(&key, 0..10).await.is_err() || read_fails(&blobs, &key).await);
    assert!(blobs.list().await.expect("list").is_empty());
    w.abort().await;
    assert!(blobs.list().await.expect("list").is_empty());
    assert!(files_under(&dir.path().join("blobs")).is_empty());
    assert!(files_under(&dir.path().join("blobs-tmp")).is_empty());
}

async fn read_fails(blobs: &Blobs, key: &str) -> bool {
    match blobs.read(key, 0..10).await {
        Err(_) => true,
        Ok(s) => s.try_collect::<Vec<Bytes>>().await.is_err(),
    }
}

#[tokio::test]
async fn dropped_writer_leaves_nothing_visible() {
    let (dir, blobs) = store().await;
    let key = Blobs::new_key();
    {
        let mut w = blobs.writer(&key).await.expect("writer");
        w.write(Bytes::from(random_bytes(300_000, 3)))
            .await
            .expect("write");
        // dropped here, as when a client disconnects mid-upload
    }
    assert!(blobs.size(&key).await.is_err());
    assert!(blobs.list().await.expect("list").is_empty());
    assert!(files_under(&dir.path().join("blobs")).is_empty());
    if common::s3_mode() {
        // S3 keeps no local temporary file; the unfinished multipart upload
        // is the store's to expire.
        return;
    }
    // Its temporary file is swept once idle.
    assert_eq!(
        blobs
            .sweep_tmp(Duration::from_secs(3600))
            .await
            .expect("sweep"),
        0
    );
    assert_eq!(blobs.sweep_tmp(Duration::ZERO).await.expect("sweep"), 1);
    assert!(files_under(&dir.path().join("blobs-tmp")).is_empty());
}

#[tokio::test]
async fn failing_store_reports_errors() {
    let (_dir, blobs) = store().await;
    let key = Blobs::new_key();
    write(&blobs, &key, b"kept", 2).await;
    blobs.set_failing(true);
    assert!(blobs.writer(&Blobs::new_key()).await.is_err());
    assert!(blobs.read(&key, 0..4).await.is_err());
    assert!(blobs.size(&key).await.is_err());
    assert!(blobs.list().await.is_err());
    assert!(blobs.local_path(&key).is_none());
    blobs.set_failing(false);
    assert_eq!(read(&blobs, &key, 0..4).await, b"kept");
}

#[tokio::test]
async fn keys_are_distinct() {
    let keys: std::collections::HashSet<String> = (0..1000).map(|_| Blobs::new_key()).collect();
    assert_eq!(keys.len(), 1000);
}
