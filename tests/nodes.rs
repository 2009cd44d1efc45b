//! Two `serve` processes over one PostgreSQL database and one blob store
//! (the shared data directory, or one S3 bucket in the S3 pass) behave as
//! one server: progress, downloads, limits, quotas and sweeps across nodes,
//! a node killed mid-upload, a rolling restart.

mod common;
use common::*;

use std::time::{Duration, Instant};

async fn two_nodes(env: &[(&str, &str)]) -> (Server, Server) {
    let a = Server::start_with(Backend::Postgres, env).await;
    let b = a.another_node().await;
    assert_ne!(a.base, b.base);
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_on_a_progress_and_ranges_on_b() {
    let (a, b) = two_nodes(&[]).await;
    let session = a.user_session("alice").await;
    // A throttled upload on A: about three seconds.
    let info = upload_info(&a, &session, "128").await;
    let on_b = info.progress_url.replace(&a.base, &b.base);
    let data = pattern(384 * 1024, 1);
    let http = a.http.clone();
    let url = info.url.clone();
    let form = info.raw("shared.bin", &data);
    let upload = tokio::spawn(async move { post_raw(&http, &url, form).await });
    let mut seen = Vec::new();
    while !upload.is_finished() {
        let p = progress(&b, &on_b).await;
        let up: i64 = p[3].1.parse().expect("uploaded_bytes");
        if p[0].1 == "ok" && up > 0 && seen.last() != Some(&up) {
            seen.push(up);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let answer = upload.await.expect("upload");
    assert_eq!(kv_get(&answer, "upload_status"), "ok");
    assert!(seen.len() >= 2, "B never saw A's upload move: {seen:?}");
    // Done is visible on B too, at once.
    assert_eq!(progress(&b, &on_b).await[0].1, "done");
    let id = kv_get(&answer, "file_id");
    // A's session works on B, and B serves A's upload in ranges.
    let url = direct_url(&b, &session, &id, None).await;
    assert!(url.starts_with(&b.base) || url.starts_with(&a.base));
    let (status, _, body) = fetch(
        &b,
        &url.replace(&a.base, &b.base),
        &[("Range", "bytes=1000-")],
    )
    .await;
    assert_eq!(status, 206);
    assert_eq!(body, &data[1000..]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_limit_holds_across_nodes() {
    let (a, b) = two_nodes(&[]).await;
    let session = a.user_session("alice").await;
    let id = upload(&a, &session, "hot.bin", pattern(20_000, 2)).await;
    api(
        &a,
        &session,
        "files.setInfo",
        &[
            ("file_id", &id),
            ("downloads_limit", "5"),
            ("limit_action", "1"),
        ],
    )
    .await
    .assert_ok();
    let url_a = direct_url(&a, &session, &id, None).await;
    let url_b = url_a.replace(&a.base, &b.base);
    let mut tasks = Vec::new();
    for i in 0..32 {
        let http = a.http.clone();
        let url = if i % 2 == 0 {
            url_a.clone()
        } else {
            url_b.clone()
        };
        tasks.push(tokio::spawn(async move {
            let resp = http.get(&url).send().await.expect("download");
            let status = resp.status().as_u16();
            let len = resp.bytes().await.map(|b| b.len()).unwrap_or(0);
            (status, len)
        }));
    }
    let mut through = 0;
    for t in tasks {
        let (status, len) = t.await.expect("task");
        if status == 200 {
            assert_eq!(len, 20_000);
            through += 1;
        } else {
            assert_eq!(status, 403);
        }
    }
    assert_eq!(through, 5);
    let x = api(&b, &session, "files.getInfo", &[("file_id", &id)]).await;
    assert_eq!(x.attr("file", "downloads").as_deref(), Some("5"));
}

/// Two nodes share one download ledger: halves from each count one
/// download, and the reservation of a node killed mid-download expires
/// (swept by the survivor) instead of blocking the file for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_share_the_download_ledger() {
    let (mut a, b) = two_nodes(&[("DROPSPACE_LIMITS__DOWNLOAD_CLAIM_LEASE_SECS", "2")]).await;
    let session = a.user_session("alice").await;
    let size = 24 * 1024 * 1024;
    let data = pattern(size, 3);
    let id = upload(&a, &session, "shared.bin", data.clone()).await;
    api(
        &a,
        &session,
        "files.setInfo",
        &[
            ("file_id", &id),
            ("downloads_limit", "2"),
            ("limit_action", "1"),
        ],
    )
    .await
    .assert_ok();
    let url_a = direct_url(&a, &session, &id, None).await;
    let url_b = url_a.replace(&a.base, &b.base);
    let half = size / 2;
    let first = fetch(&a, &url_a, &[("Range", &format!("bytes=0-{}", half - 1))]).await;
    let second = fetch(&b, &url_b, &[("Range", &format!("bytes={half}-"))]).await;
    assert_eq!((first.0, second.0), (206, 206));
    assert!([first.2, second.2].concat() == data);
    let downloads = async || {
        api(&b, &session, "files.getInfo", &[("file_id", &id)])
            .await
            .attr("file", "downloads")
            .unwrap_or_default()
    };
    assert_eq!(downloads().await, "1");
    // A holds a whole copy's reservation when it dies: B refuses the
    // second copy (one copy and the allowance would not fit) until the
    // lease runs out and a sweep closes the dead claim.
    // (Another taker: the same URL's request would release A's claim as
    // a resume does.)
    let (status, _, _silent) = partial_get(&url_a, &[], 1024 * 1024).await;
    assert_eq!(status, 200);
    a.kill();
    let page = b
        .http
        .get(b.url(&format!("/file/{id}")))
        .send()
        .await
        .expect("page");
    let other = download_button(&page.text().await.expect("html"));
    assert_eq!(fetch(&b, &other, &[]).await.0, 403);
    eventually("the dead node's claim is swept", async || {
        count(&b, "SELECT COUNT(*) FROM download_claims").await == 0
    })
    .await;
    let (status, _, body) = fetch(&b, &other, &[]).await;
    assert_eq!(status, 200);
    assert!(body == data);
    assert_eq!(downloads().await, "2");
    assert_eq!(fetch(&b, &url_b, &[("Range", "bytes=1-")]).await.0, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_uploads_on_two_nodes_share_one_quota() {
    let (a, b) = two_nodes(&[("DROPSPACE_TIERS__LITE__DISKSPACE", "5000000")]).await;
    let session = a.user_session("alice").await;
    // Six 1.5 MB uploads into 5 MB, three through each node, all at once.
    let mut infos = Vec::new();
    for i in 0..6 {
        let node = if i % 2 == 0 { &a } else { &b };
        let mut info = upload_info(node, &session, "0").await;
        info.url = info.url.replace(&a.base, &node.base);
        infos.push(info);
    }
    let mut tasks = Vec::new();
    for (i, info) in infos.into_iter().enumerate() {
        let http = a.http.clone();
        tasks.push(tokio::spawn(async move {
            post_raw(
                &http,
                &info.url,
                info.raw(&format!("p{i}.bin"), &pattern(1_500_000, i as u8)),
            )
            .await
        }));
    }
    let mut stored = 0;
    for t in tasks {
        let answer = t.await.expect("task");
        match kv_get(&answer, "upload_status").as_str() {
            "ok" => stored += 1,
            _ => assert_eq!(kv_get(&answer, "error_code"), "20", "{answer:?}"),
        }
    }
    assert_eq!(stored, 3, "5 MB holds exactly three 1.5 MB files");
    assert_eq!(count(&a, "SELECT disk_used FROM users").await, 4_500_000);
    assert_eq!(
        count(
            &a,
            "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM files"
        )
        .await,
        4_500_000
    );
    assert_eq!(
        count(
            &a,
            "SELECT CAST(COALESCE(SUM(reserved), 0) AS BIGINT) FROM upload_ids"
        )
        .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_time_limit_sweeper_on_both_nodes_acts_once_per_file() {
    let (a, b) = two_nodes(&[]).await;
    let session = a.user_session("alice").await;
    let keep = upload(&a, &session, "keep.bin", pattern(1000, 9)).await;
    let mut ids = Vec::new();
    for i in 0..12u8 {
        let id = upload(
            if i % 2 == 0 { &a } else { &b },
            &session,
            &format!("t{i}.bin"),
            pattern(7000 + i as usize, i),
        )
        .await;
        api(
            &a,
            &session,
            "files.setInfo",
            &[("file_id", &id), ("time_limit", "1"), ("limit_action", "2")],
        )
        .await
        .assert_ok();
        ids.push(id);
    }
    // Both nodes sweep every two seconds; wait until every file is gone.
    let deadline = Instant::now() + Duration::from_secs(30);
    while count(&a, "SELECT COUNT(*) FROM files").await > 1 {
        assert!(Instant::now() < deadline, "the sweepers left expired files");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Each deletion freed its space exactly once.
    assert_eq!(count(&a, "SELECT disk_used FROM users").await, 1000);
    api(&b, &session, "files.getInfo", &[("file_id", &keep)])
        .await
        .assert_ok();
    for id in ids {
        api(&b, &session, "files.getInfo", &[("file_id", &id)])
            .await
            .assert_error(9);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_killed_mid_upload_leaves_nothing_half_visible() {
    let (mut a, b) = two_nodes(&[
        ("DROPSPACE_LIMITS__STALE_UPLOAD_SECS", "2"),
        // Longer than a live upload goes without writing to its temporary
        // file: at 0, B's sweeper collected A's live uploads' files too.
        ("DROPSPACE_LIMITS__PENDING_BLOB_GRACE_SECS", "3"),
    ])
    .await;
    let session = a.user_session("alice").await;
    // 20 uploads into A, throttled so that all are running when A dies.
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    let mut sent = Vec::new();
    for i in 0..20u8 {
        let speed = if i < 5 { "0" } else { "64" };
        let info = upload_info(&a, &session, speed).await;
        let data = pattern(200_000 + i as usize, i);
        sent.push(data.clone());
        let http = a.http.clone();
        let answered = answered.clone();
        tasks.push(tokio::spawn(async move {
            let resp = http
                .post(&info.url)
                .header("content-type", info.raw("x", &data).0)
                .body(info.raw(&format!("k{i}.bin"), &data).1)
                .send()
                .await;
            let answer = match resp {
                Ok(r) => kv(&r.text().await.unwrap_or_default()),
                Err(_) => Vec::new(),
            };
            if !answer.is_empty() {
                answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            answer
        }));
    }
    // Let the quick ones finish and be answered (a row stored but not yet
    // answered when A dies would be visible yet unacknowledged), then kill
    // A hard.
    let deadline = Instant::now() + Duration::from_secs(30);
    while answered.load(std::sync::atomic::Ordering::SeqCst) < 5 {
        assert!(
            Instant::now() < deadline,
            "the unthrottled uploads never finished"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    a.kill();
    let mut acknowledged = Vec::new();
    for t in tasks {
        let answer = t.await.expect("task");
        if answer
            .iter()
            .any(|(k, v)| k == "upload_status" && v == "ok")
        {
            acknowledged.push(kv_get(&answer, "file_id"));
        }
    }
    assert!(
        acknowledged.len() >= 5 && acknowledged.len() < 20,
        "{}",
        acknowledged.len()
    );
    // B keeps serving; every visible file is whole, every acknowledged one is there.
    let pool = db(&b).await;
    let rows: Vec<(String, String, i64, String)> =
        sqlx::query_as("SELECT id, name, size, checksum FROM files")
            .fetch_all(&pool)
            .await
            .expect("rows");
    assert_eq!(rows.len(), acknowledged.len());
    for (id, name, size, checksum) in &rows {
        assert!(acknowledged.contains(id));
        let i: usize = name
            .trim_start_matches('k')
            .trim_end_matches(".bin")
            .parse()
            .expect("index");
        let url = direct_url(&b, &session, id, None).await;
        let (status, _, body) = fetch(&b, &url.replace(&a.base, &b.base), &[]).await;
        assert_eq!(status, 200);
        assert_eq!(body.len() as i64, *size);
        assert_eq!(body, sent[i]);
        assert_eq!(*checksum, blake3::hash(&body).to_hex().to_string());
    }
    // B's sweeper gives back what A's dead uploads had reserved, and
    // removes their blobs.
    let expected: i64 = rows.iter().map(|r| r.2).sum();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let used = count(&b, "SELECT disk_used FROM users").await;
        let pending = count(&b, "SELECT COUNT(*) FROM pending_blobs").await;
        if used == expected && pending == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "disk_used {used} != {expected}, {pending} pending blobs"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while stored_blobs(&b)
        .await
        .iter()
        .filter(|k| !k.contains("blobs-tmp"))
        .count()
        != rows.len()
    {
        assert!(
            Instant::now() < deadline,
            "orphan blobs remain: {:?}",
            stored_blobs(&b).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_a_running_upload_finish() {
    let (mut a, b) = two_nodes(&[]).await;
    let session = a.user_session("alice").await;
    let info = upload_info(&a, &session, "128").await;
    let data = pattern(256 * 1024, 4);
    let http = a.http.clone();
    let url = info.url.clone();
    let form = info.raw("drain.bin", &data);
    let upload = tokio::spawn(async move { post_raw(&http, &url, form).await });
    // Once the upload runs, stop A politely.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let p = progress(&b, &info.progress_url.replace(&a.base, &b.base)).await;
        if p[3].1 != "0" {
            break;
        }
        assert!(Instant::now() < deadline, "upload never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = tokio::task::spawn_blocking(move || {
        let status = a.terminate();
        (status, a)
    });
    let answer = upload.await.expect("upload");
    assert_eq!(kv_get(&answer, "upload_status"), "ok", "{answer:?}");
    let (exit, _a) = status.await.expect("terminate");
    assert!(exit.is_some_and(|s| s.success()), "{exit:?}");
    let id = kv_get(&answer, "file_id");
    let url = direct_url(&b, &session, &id, None).await;
    assert_eq!(fetch(&b, &url, &[]).await.2, data);
}

/// A session ended on one node stops working there at once and on every
/// other node within `limits.session_cache_ms` (docs/architecture.md,
/// "Session cache"), although that node answered from its copy just before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_reaches_every_node_within_the_session_cache_bound() {
    let bound = Duration::from_millis(1000);
    let (a, b) = two_nodes(&[("DROPSPACE_LIMITS__SESSION_CACHE_MS", "1000")]).await;
    let session = a.user_session("alice").await;
    api(&b, &session, "auth.checkSession", &[])
        .await
        .assert_ok();
    api(&a, &session, "auth.logout", &[]).await.assert_ok();
    let ended = Instant::now();
    api(&a, &session, "auth.checkSession", &[])
        .await
        .assert_error(6);
    loop {
        let x = api(&b, &session, "auth.checkSession", &[]).await;
        if !x.is_ok() {
            x.assert_error(6);
            break;
        }
        assert!(
            ended.elapsed() < bound,
            "node B still took the ended session after {:?}",
            ended.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // And the account's figures: an upload through A is shown by B within
    // the bound, by A at once.
    let session = a.login("alice", "secret123").await;
    let left = |x: Xml| x.text("diskspace_left").expect("diskspace_left");
    let before = left(api(&b, &session, "auth.checkSession", &[]).await);
    upload(&a, &session, "one.bin", pattern(10_000, 3)).await;
    let changed = Instant::now();
    let on_a = left(api(&a, &session, "auth.checkSession", &[]).await);
    assert_ne!(
        on_a, before,
        "A answered from a copy older than its own upload"
    );
    while left(api(&b, &session, "auth.checkSession", &[]).await) != on_a {
        assert!(changed.elapsed() < bound, "B never saw A's upload");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn shown(s: &Server, session: &str, id: &str) -> Xml {
    api(s, session, "files.getInfo", &[("file_id", id)]).await
}

/// `files.getInfo` may answer from a node's copy of the file: a download
/// counted and a delete on node A show on A at once and on B within the
/// session cache's bound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_changes_reach_every_node_within_the_session_cache_bound() {
    let bound = Duration::from_millis(1000);
    let (a, b) = two_nodes(&[("DROPSPACE_LIMITS__SESSION_CACHE_MS", "1000")]).await;
    let session = a.user_session("alice").await;
    let id = upload(&a, &session, "shown.bin", pattern(3000, 4)).await;
    let downloads = |x: Xml| x.attr("file", "downloads").expect("downloads");

    // Both nodes hold a copy with no downloads.
    assert_eq!(downloads(shown(&a, &session, &id).await), "0");
    assert_eq!(downloads(shown(&b, &session, &id).await), "0");
    let url = direct_url(&a, &session, &id, None).await;
    let got = a.http.get(&url).send().await.expect("download");
    assert_eq!(got.bytes().await.expect("body").len(), 3000);
    let counted = Instant::now();
    assert_eq!(
        downloads(shown(&a, &session, &id).await),
        "1",
        "A showed its copy from before its own download"
    );
    while downloads(shown(&b, &session, &id).await) != "1" {
        assert!(counted.elapsed() < bound, "B never saw the download");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    api(&a, &session, "files.delete", &[("file_id", &id)])
        .await
        .assert_ok();
    let deleted = Instant::now();
    shown(&a, &session, &id).await.assert_error(9);
    loop {
        let x = shown(&b, &session, &id).await;
        if !x.is_ok() {
            x.assert_error(9);
            break;
        }
        assert!(deleted.elapsed() < bound, "B still showed the deleted file");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
