//! Download limits and their actions. `count_download` (one whole copy
//! counted at once, as the end of a complete body credits it) is called
//! in-process on nodes built from the server's configuration, each with its
//! own connection pool as separate processes would be; the results are read
//! back over HTTP.

mod common;
use common::*;

use std::sync::Arc;

use dropspace::api::error::Code;
use dropspace::config::Config;
use dropspace::library;
use dropspace::state::AppState;

/// A node sharing the server's database, blobs and secrets.
async fn node(s: &Server) -> Arc<AppState> {
    let mut cfg = Config {
        data_dir: s.data_dir.clone(),
        database_url: Some(s.db_url.clone()),
        public_url: Some(s.base.clone()),
        ..Config::default()
    };
    cfg.limits.deleted_blob_grace_secs = 5;
    // As the server's: no trash (docs/expiry.md), so deletes remove blobs.
    cfg.tiers.lite.trash_secs = 0;
    let parts = dropspace::server::open(&cfg).await.expect("open node");
    Arc::new(AppState::new(cfg, parts, s.base.clone(), None))
}

/// Runs `n` downloads at once spread over `nodes`; how many were let through.
async fn race(nodes: &[Arc<AppState>], file_id: &str, n: usize) -> usize {
    let mut tasks = Vec::new();
    for i in 0..n {
        let app = nodes[i % nodes.len()].clone();
        let id = file_id.to_string();
        tasks.push(tokio::spawn(async move {
            library::count_download(&app, &id).await.expect("count")
        }));
    }
    let mut through = 0;
    for t in tasks {
        if t.await.expect("task") {
            through += 1;
        }
    }
    through
}

fn attr(x: &Xml, name: &str) -> String {
    x.attr("file", name).unwrap_or_default()
}

async fn set_limits(s: &Server, session: &str, id: &str, p: &[(&str, &str)]) {
    let mut all = vec![("file_id", id)];
    all.extend_from_slice(p);
    api(s, session, "files.setInfo", &all).await.assert_ok();
}

dual!(limit_of_5_lets_exactly_5_of_32_through, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let id = seed_file(&s, "alice", "hot.bin", b"hot").await;
    set_limits(
        &s,
        &a,
        &id,
        &[("downloads_limit", "5"), ("limit_action", "1")],
    )
    .await;
    let app = node(&s).await;
    assert_eq!(race(std::slice::from_ref(&app), &id, 32).await, 5);
    let x = api(&s, &a, "files.getInfo", &[("file_id", &id)]).await;
    assert_eq!(attr(&x, "downloads"), "5");
    let file = app.db.file(&id).await.expect("db").expect("row");
    // The domain's error, as `/rest/` shows it.
    let err = dropspace::api::error::ApiError::from(
        library::check_downloadable(&app, &file)
            .await
            .expect_err("blocked"),
    );
    assert_eq!(err.code, Code::PermissionDenied);
    // Re-arming the limit unblocks.
    set_limits(&s, &a, &id, &[("downloads_limit", "6")]).await;
    let file = app.db.file(&id).await.expect("db").expect("row");
    library::check_downloadable(&app, &file)
        .await
        .expect("open again");
    assert!(library::count_download(&app, &id).await.expect("count"));
    assert!(!library::count_download(&app, &id).await.expect("count"));
});

dual!(two_nodes_delete_action_exactly_5, |b| async move {
    // Without a trash: removed for good (docs/expiry.md).
    let s = Server::start_with(b, &[("DROPSPACE_TIERS__LITE__TRASH_SECS", "0")]).await;
    let a = s.user_session("alice").await;
    let before = diskspace_left(&s, &a).await;
    let id = seed_file(&s, "alice", "once.bin", &[9u8; 1000]).await;
    let blob = blob_path(&s, &id).await.expect("blob");
    set_limits(
        &s,
        &a,
        &id,
        &[("downloads_limit", "5"), ("limit_action", "2")],
    )
    .await;
    let nodes = [node(&s).await, node(&s).await];
    assert_eq!(race(&nodes, &id, 32).await, 5);
    // Action 2: the file, its blob and its space are gone.
    api(&s, &a, "files.getInfo", &[("file_id", &id)])
        .await
        .assert_error(9);
    let x = api(&s, &a, "folders.getContents", &[("folder_id", "0")]).await;
    assert!(x.all("file").is_empty(), "{}", x.raw);
    assert_eq!(diskspace_left(&s, &a).await, before);
    // The blob outlives the row briefly (the fifth download still opens
    // it), then the server's sweeper removes it.
    assert!(blob.exists());
    wait_for("blob removed", async || !blob.exists()).await;
});

dual!(move_action_moves_and_rearms, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let id = seed_file(&s, "alice", "m.bin", b"m").await;
    let done = api(&s, &a, "folders.create", &[("name", "done")])
        .await
        .attr("folder", "id")
        .expect("folder");
    set_limits(
        &s,
        &a,
        &id,
        &[
            ("downloads_limit", "2"),
            ("limit_action", "3"),
            ("limit_action_to_folder", &done),
        ],
    )
    .await;
    let app = node(&s).await;
    assert_eq!(race(std::slice::from_ref(&app), &id, 2).await, 2);
    let x = api(&s, &a, "files.getInfo", &[("file_id", &id)]).await;
    assert_eq!(attr(&x, "folder_id"), done);
    assert_eq!(attr(&x, "download_limit"), "0");
    assert_eq!(attr(&x, "limit_action"), "0");
    assert_eq!(attr(&x, "downloads"), "2");
    let x = api(&s, &a, "folders.getContents", &[("folder_id", &done)]).await;
    assert_eq!(x.attr("file", "id").as_deref(), Some(id.as_str()));
    // It stays downloadable in its new folder.
    assert!(library::count_download(&app, &id).await.expect("count"));

    // A target folder that is gone falls back to blocking.
    let gone = api(&s, &a, "folders.create", &[("name", "gone")])
        .await
        .attr("folder", "id")
        .expect("folder");
    set_limits(
        &s,
        &a,
        &id,
        &[
            ("downloads_limit", "4"),
            ("limit_action", "3"),
            ("limit_action_to_folder", &gone),
        ],
    )
    .await;
    api(&s, &a, "folders.delete", &[("folder_id", &gone)])
        .await
        .assert_ok();
    assert!(library::count_download(&app, &id).await.expect("count"));
    let x = api(&s, &a, "files.getInfo", &[("file_id", &id)]).await;
    assert_eq!(attr(&x, "folder_id"), done);
    let file = app.db.file(&id).await.expect("db").expect("row");
    assert!(library::check_downloadable(&app, &file).await.is_err());
    assert!(!library::count_download(&app, &id).await.expect("count"));
});

async fn wait_for(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

dual!(time_limits_act_without_downloads, |b| async move {
    let s = Server::start(b).await;
    let _second = s.another_node().await;
    let a = s.user_session("alice").await;
    let before = diskspace_left(&s, &a).await;
    let del = seed_file(&s, "alice", "del.bin", &[1u8; 500]).await;
    let mov = seed_file(&s, "alice", "mov.bin", b"x").await;
    let blk = seed_file(&s, "alice", "blk.bin", b"y").await;
    let dst = api(&s, &a, "folders.create", &[("name", "expired")])
        .await
        .attr("folder", "id")
        .expect("folder");
    set_limits(&s, &a, &del, &[("time_limit", "1"), ("limit_action", "2")]).await;
    set_limits(
        &s,
        &a,
        &mov,
        &[
            ("time_limit", "1"),
            ("limit_action", "3"),
            ("limit_action_to_folder", &dst),
        ],
    )
    .await;
    set_limits(&s, &a, &blk, &[("time_limit", "1"), ("limit_action", "1")]).await;
    wait_for("time limit deletes", async || {
        api(&s, &a, "files.getInfo", &[("file_id", &del)])
            .await
            .status()
            == "fail"
    })
    .await;
    // checkSession's usage may be the session cache's copy, stale within its bound.
    wait_for("usage drops by the deleted file", async || {
        diskspace_left(&s, &a).await == before - 2
    })
    .await;
    wait_for("time limit moves", async || {
        let x = api(&s, &a, "folders.getContents", &[("folder_id", &dst)]).await;
        x.attr("file", "id").as_deref() == Some(mov.as_str())
    })
    .await;
    let x = api(&s, &a, "files.getInfo", &[("file_id", &mov)]).await;
    assert_eq!(attr(&x, "time_limit"), "0");
    let app = node(&s).await;
    let file = app.db.file(&blk).await.expect("db").expect("row");
    assert!(library::check_downloadable(&app, &file).await.is_err());
    assert!(!library::count_download(&app, &blk).await.expect("count"));
});

// The 1.2 delete_url carries a secret that the delete page can check with
// `library::delete_secret_ok`, bound to this very file.
dual!(delete_url_secret_is_bound_to_the_file, |b| async move {
    let s = Server::start(b).await;
    s.create_user("alice", "secret123");
    let a12 = s.login_v("alice", "secret123", "1.2").await;
    let id = seed_file(&s, "alice", "d.txt", b"d").await;
    let other = seed_file(&s, "alice", "e.txt", b"e").await;
    let x = api(&s, &a12, "files.getInfo", &[("file_id", &id)]).await;
    let url = x.attr("file", "delete_url").expect("delete_url");
    let secret = url.rsplit('/').next().expect("secret").to_string();
    let app = node(&s).await;
    let file = app.db.file(&id).await.expect("db").expect("row");
    let other = app.db.file(&other).await.expect("db").expect("row");
    assert!(library::delete_secret_ok(&app, &file, &secret));
    assert!(!library::delete_secret_ok(&app, &other, &secret));
    assert!(!library::delete_secret_ok(
        &app,
        &file,
        &format!("{secret}x")
    ));
    assert!(!library::delete_secret_ok(&app, &file, ""));
});

// An expired file, a used-up one and a missing one each say what happened:
// on the download page (410 with the reason, 404), in the API's error text
// and on the direct URL.
dual!(gone_files_say_why, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let used = seed_file(&s, "alice", "used.bin", b"u").await;
    let old = seed_file(&s, "alice", "old.bin", b"o").await;
    set_limits(
        &s,
        &a,
        &used,
        &[("downloads_limit", "1"), ("limit_action", "1")],
    )
    .await;
    set_limits(
        &s,
        &a,
        &old,
        &[("time_limit", "3600"), ("limit_action", "1")],
    )
    .await;
    let url_of = async |id: &str| {
        api(&s, &a, "download.getInfo", &[("file_id", id)])
            .await
            .attr("download", "url")
            .expect("url")
    };
    let (used_url, old_url) = (url_of(&used).await, url_of(&old).await);
    let page = |id: &str| reqwest::get(s.url(&format!("/file/{id}")));
    // Before: both pages show what is left.
    let html = page(&used).await.expect("page").text().await.expect("text");
    assert!(html.contains("<td id=\"downloads-left\">1</td>"), "{html}");
    let html = page(&old).await.expect("page").text().await.expect("text");
    assert!(html.contains("id=\"expires\""), "{html}");
    // The page shows the BLAKE3 checksum the bytes were stored with.
    let real = upload(&s, &a, "real.bin", b"real".to_vec()).await;
    let html = page(&real).await.expect("page").text().await.expect("text");
    let sum = blake3::hash(b"real").to_hex().to_string();
    assert!(
        html.contains(&format!("id=\"checksum\">{sum}</code>")),
        "{html}"
    );

    let app = node(&s).await;
    assert!(library::count_download(&app, &used).await.expect("count"));
    exec(
        &s,
        &format!("UPDATE files SET time_limit_at = 1000 WHERE id = '{old}'"),
    )
    .await;

    for (id, url, reason, text) in [
        (
            &used,
            &used_url,
            "limit",
            "The download limit of this file has been reached",
        ),
        (&old, &old_url, "expired", "This file has expired"),
    ] {
        let resp = page(id).await.expect("page");
        assert_eq!(resp.status(), 410);
        let html = resp.text().await.expect("text");
        assert!(
            html.contains(&format!("data-reason=\"{reason}\"")),
            "{html}"
        );
        let x = api(&s, &a, "download.getInfo", &[("file_id", id)]).await;
        x.assert_error(Code::PermissionDenied.number());
        assert_eq!(x.error_text(), text);
        let resp = reqwest::get(url.as_str()).await.expect("direct");
        assert_eq!(resp.status(), 403);
        assert_eq!(resp.text().await.expect("body"), format!("{text}.\n"));
    }
    let resp = page("zzzzz9").await.expect("page");
    assert_eq!(resp.status(), 404);
    assert!(resp
        .text()
        .await
        .expect("text")
        .contains("id=\"not-found\""));
});
