//! The expiry lifecycle (docs/expiry.md) through the real server: tier
//! defaults and maxima, the warning mail sent once across nodes with its
//! extend link (GET shows, POST extends, forged links refused), a send's
//! warning naming who has not downloaded, extend and trash from the CLI,
//! the trash (delete, restore with the same bytes, purge), anonymous
//! deletes that skip it.

mod common;
use common::web::Visitor;
use common::*;

use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

fn now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Waits (bounded) until `sql` counts `want`.
async fn wait_count(s: &Server, sql: &str, want: i64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let n = s.db_i64(sql).await;
        if n == want {
            return;
        }
        assert!(Instant::now() < deadline, "{sql}: {n}, want {want}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn time_limit_of(s: &Server, session: &str, id: &str) -> String {
    let x = api(s, session, "files.getInfo", &[("file_id", id)]).await;
    x.assert_ok();
    x.attr("file", "time_limit").unwrap_or_default()
}

// A tier's default is what a file uploaded without a time limit gets; its
// maximum still refuses longer ones (21, as before); no default keeps the
// old rule (the maximum); anonymous uploads have their own.
dual!(tier_default_and_maximum_expiry, |b| async move {
    let s = Server::start_with(
        b,
        &[
            ("DROPSPACE_TIERS__LITE__DEFAULT_TIME_LIMIT_SECS", "3600"),
            ("DROPSPACE_TIERS__LITE__MAX_TIME_LIMIT_SECS", "86400"),
            ("DROPSPACE_TIERS__PRO__MAX_TIME_LIMIT_SECS", "7200"),
            ("DROPSPACE_TIERS__ANONYMOUS__DEFAULT_TIME_LIMIT_SECS", "600"),
        ],
    )
    .await;
    let a = s.user_session("alice").await;
    s.set_membership("alice", "lite");
    let p = s.user_session("pat").await;
    s.set_membership("pat", "pro");
    let id = upload(&s, &a, "a.txt", b"abc".to_vec()).await;
    assert_eq!(time_limit_of(&s, &a, &id).await, "3600");
    let pid = upload(&s, &p, "p.txt", b"p".to_vec()).await;
    assert_eq!(time_limit_of(&s, &p, &pid).await, "7200");
    let answer = upload_with(&s, &a, &[("time_limit", "86400")], "b.txt", b"b".to_vec()).await;
    assert_eq!(kv_get(&answer, "upload_status"), "ok", "{answer:?}");
    let answer = upload_with(&s, &a, &[("time_limit", "86401")], "c.txt", b"c".to_vec()).await;
    assert_eq!(kv_get(&answer, "upload_status"), "fail");
    assert_eq!(kv_get(&answer, "error_code"), "21", "{answer:?}");
    // The anonymous default.
    let info = anon_info(&s).await;
    let text = post_form(&s, &info.url, info.form(&[], "anon.txt", b"x".to_vec()))
        .await
        .text()
        .await
        .expect("answer");
    assert!(text.contains("<status>ok</status>"), "{text}");
    assert_eq!(
        s.db_i64("SELECT time_limit FROM files WHERE user_id IS NULL")
            .await,
        600
    );
});

/// The one warning mail about `name`.
fn warnings_about(s: &Server, name: &str) -> Vec<String> {
    s.outbox()
        .into_iter()
        .filter(|m| m.contains(&format!("Subject: \"{name}\" expires")))
        .collect()
}

// A file expiring in 20 s with warnings 15 s before: its owner gets one
// mail (two nodes on PostgreSQL send one); the link's GET changes nothing,
// its POST extends by the tier's default (exactly), a second POST or a
// forged link is refused.
dual!(warning_once_and_the_extend_link, |b| async move {
    let s = Server::start_with(
        b,
        &[
            ("DROPSPACE_EXPIRY__WARN_BEFORE_SECS", "15"),
            ("DROPSPACE_TIERS__LITE__DEFAULT_TIME_LIMIT_SECS", "3600"),
        ],
    )
    .await;
    let other = match b {
        Backend::Postgres => Some(s.another_node().await),
        Backend::Sqlite => None,
    };
    let a = s.user_session("alice").await;
    s.set_membership("alice", "lite");
    // An operator-wide webhook hears the warning too (docs/webhooks.md).
    s.admin_ok(&[
        "webhook",
        "add",
        "http://127.0.0.1:9/hook",
        "--events",
        "share.expiring",
    ]);
    let id = upload_with(
        &s,
        &a,
        &[("time_limit", "20")],
        "soon.txt",
        b"soon".to_vec(),
    )
    .await;
    let id = kv_get(&id, "file_id");
    let started = SystemTime::now();
    let mail = s
        .wait_mail(|m| m.contains("Subject: \"soon.txt\" expires"))
        .await;
    assert!(mail.contains("To: alice"), "{mail}");
    let link = link_in(&mail, "/extend/f/").expect("extend link");
    // Both nodes' sweeps run every 2 s: a few rounds later, still one.
    wait_secs_since(started, 6.0).await;
    assert_eq!(warnings_about(&s, "soon.txt").len(), 1);
    let hooked = format!(
        "SELECT COUNT(*) FROM webhook_deliveries WHERE event = 'share.expiring' \
         AND payload LIKE '%\"{id}\"%'"
    );
    assert_eq!(s.db_i64(&hooked).await, 1);
    let at_sql = format!("SELECT time_limit_at FROM files WHERE id = '{id}'");
    let at = async |s: &Server| s.db_i64(&at_sql).await;
    let before = at(&s).await;
    // GET shows a button and changes nothing.
    let page = s.http.get(&link).send().await.expect("get");
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.expect("html");
    assert!(
        html.contains("method=\"post\"") && html.contains("soon.txt"),
        "{html}"
    );
    assert_eq!(at(&s).await, before);
    // A forged signature or expiry is refused, and changes nothing.
    let forged = format!("{}x", &link);
    assert_eq!(
        s.http
            .post(&forged)
            .send()
            .await
            .expect("post")
            .status()
            .as_u16(),
        404
    );
    let parts: Vec<&str> = link.rsplitn(3, '/').collect();
    let moved = link.replace(
        &format!("/{}/{}", parts[1], parts[0]),
        &format!("/{}/{}", before + 999, parts[0]),
    );
    assert_eq!(
        s.http
            .post(&moved)
            .send()
            .await
            .expect("post")
            .status()
            .as_u16(),
        404
    );
    assert_eq!(at(&s).await, before);
    // POST extends: the tier's default from now.
    let asked = now();
    let done = s.http.post(&link).send().await.expect("post");
    assert_eq!(done.status().as_u16(), 200);
    let after = at(&s).await;
    assert!(
        (asked + 3600..=now() + 3600).contains(&after),
        "{asked} {after}"
    );
    assert_eq!(time_limit_of(&s, &a, &id).await, "3600");
    // The same link again: the expiry it names has moved.
    assert_eq!(
        s.http
            .post(&link)
            .send()
            .await
            .expect("post")
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        s.http
            .get(&link)
            .send()
            .await
            .expect("get")
            .status()
            .as_u16(),
        404
    );
    assert_eq!(at(&s).await, after);
    drop(other);
});

// A send's warning names the recipient who has not downloaded yet, not
// the one who has.
dual!(send_warning_names_who_has_not_downloaded, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_EXPIRY__WARN_BEFORE_SECS", "15")]).await;
    let a = s.user_session("alice").await;
    let id = upload(&s, &a, "report.pdf", b"the report".to_vec()).await;
    let out = s.admin_ok(&["user", "api-credentials", "create", "--user-name", "alice"]);
    let (key, secret) = out
        .lines()
        .last()
        .and_then(|l| l.split_once(' '))
        .expect("key secret");
    let client = dropspace_client::FileSendClient::new(&s.base, key, secret).expect("client");
    client
        .file_send(&dropspace_client::FileSend {
            file_id: vec![id.clone()],
            non_users: vec!["ann@example.com".into(), "bob@example.com".into()],
            subject: Some("Quarterly".into()),
            link_expiration: Some(1),
            download_receipt: true,
            ..Default::default()
        })
        .await
        .expect("send");
    let to_ann = s.wait_mail(|m| m.contains("To: ann@example.com")).await;
    let ann_link = link_in(&to_ann, &format!("{}/s/", s.base)).expect("ann's link");
    let (status, _, body) = fetch(&s, &format!("{ann_link}/f/{id}"), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body, b"the report");
    wait_count(
        &s,
        "SELECT COUNT(*) FROM send_links WHERE first_download > 0",
        1,
    )
    .await;
    // The links expire in 20 s (the API counts in days).
    exec(
        &s,
        &format!("UPDATE send_links SET expires = {}", now() + 20),
    )
    .await;
    let mail = s
        .wait_mail(|m| m.contains("Subject: \"Quarterly\" expires"))
        .await;
    assert!(mail.contains("To: alice"), "{mail}");
    assert!(mail.contains("bob@example.com"), "{mail}");
    assert!(!mail.contains("ann@example.com"), "{mail}");
    let link = link_in(&mail, "/extend/s/").expect("extend link");
    let done = s.http.post(&link).send().await.expect("post");
    assert_eq!(done.status().as_u16(), 200);
    // Every link now lasts the extension (7 days by default).
    assert!(s.db_i64("SELECT MIN(expires) FROM send_links").await >= now() + 7 * 86_400 - 5);
});

/// `dropspace client ARGS` logged in as alice (`--json`).
fn client(s: &Server, dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let mut cmd = Command::new(BIN);
    cmd.arg("client").arg("--json").args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("DROPSPACE_") {
            cmd.env_remove(k);
        }
    }
    let out = cmd
        .env("DROPSPACE_CLIENT_CONFIG", dir.join("client.json"))
        .env("DROPSPACE_SERVER", &s.base)
        .env("DROPSPACE_API_KEY", &s.api_key)
        .env("DROPSPACE_PASSWORD", "secret123")
        .output()
        .expect("client");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?}: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or(serde_json::Value::Null)
}

// Delete → gone from every listing and download (the API answers as for
// any deleted file), in the trash; restored → the same bytes under the
// same id; a file whose folder is gone comes back to the root; the
// client CLI extends and manages the trash.
dual!(trash_restore_and_the_cli, |b| async move {
    let s = Server::start_with(
        b,
        &[("DROPSPACE_TIERS__LITE__MAX_TIME_LIMIT_SECS", "864000")],
    )
    .await;
    let a = s.user_session("alice").await;
    s.set_membership("alice", "lite");
    let bytes = pattern(50_000, 7);
    let id = upload(&s, &a, "keep.bin", bytes.clone()).await;
    let left = diskspace_left(&s, &a).await;
    api(&s, &a, "files.delete", &[("file_id", &id)])
        .await
        .assert_ok();
    api(&s, &a, "files.getInfo", &[("file_id", &id)])
        .await
        .assert_error(9);
    api(&s, &a, "download.getInfo", &[("file_id", &id)])
        .await
        .assert_error(9);
    let listing = api(&s, &a, "folders.getContents", &[("folder_id", "0")]).await;
    assert!(!listing.raw.contains(&id), "{}", listing.raw);
    assert_eq!(diskspace_left(&s, &a).await, left + 50_000);
    let trash = api(&s, &a, "trash.list", &[]).await;
    assert_eq!(trash.attr("file", "id").as_deref(), Some(id.as_str()));
    assert_eq!(trash.attr("file", "reason").as_deref(), Some("deleted"));
    let restored = api(&s, &a, "trash.restore", &[("file_id", &id)]).await;
    assert_eq!(restored.attr("file", "folder_id").as_deref(), Some("0"));
    assert_eq!(served(&s, &a, &id).await, bytes);
    assert_eq!(diskspace_left(&s, &a).await, left);
    api(&s, &a, "trash.restore", &[("file_id", &id)])
        .await
        .assert_error(9);

    // Its folder gone: back in the root.
    let folder = mkdir(&s, &a, "Old", "0", "0").await;
    api(
        &s,
        &a,
        "files.moveToFolder",
        &[("file_id", &id), ("folder_id", &folder)],
    )
    .await
    .assert_ok();
    api(&s, &a, "files.delete", &[("file_id", &id)])
        .await
        .assert_ok();
    api(&s, &a, "folders.delete", &[("folder_id", &folder)])
        .await
        .assert_ok();

    // The CLI: list, restore, extend.
    let dir = tempfile::tempdir().expect("tempdir");
    client(&s, dir.path(), &["login", "--user", "alice"]);
    let listed = client(&s, dir.path(), &["trash", "list"]);
    assert_eq!(listed[0]["id"], serde_json::json!(id));
    let back = client(&s, dir.path(), &["trash", "restore", &id]);
    assert_eq!(back["folder_id"], serde_json::json!("0"));
    assert_eq!(served(&s, &a, &id).await, bytes);
    let extended = client(&s, dir.path(), &["extend", &id, "--days", "2"]);
    assert_eq!(extended["time_limit"], serde_json::json!(172_800));
    assert_eq!(time_limit_of(&s, &a, &id).await, "172800");
    // Without --days: the tier's default lifetime (here its maximum).
    client(&s, dir.path(), &["extend", &id]);
    assert_eq!(time_limit_of(&s, &a, &id).await, "864000");
    // Longer than the tier's maximum: 21, nothing changed.
    api(
        &s,
        &a,
        "files.extend",
        &[("file_id", &id), ("time_limit", "864001")],
    )
    .await
    .assert_error(21);
    client(&s, dir.path(), &["trash", "list"]);
    // Purge from the CLI removes row and blob.
    let path = blob_path(&s, &id).await.expect("blob");
    api(&s, &a, "files.delete", &[("file_id", &id)])
        .await
        .assert_ok();
    assert!(path.exists());
    client(&s, dir.path(), &["trash", "purge", &id]);
    assert_eq!(s.db_i64("SELECT COUNT(*) FROM trash").await, 0);
    assert!(!path.exists());
});

// A restore that would pass the quota is refused (20) and keeps the file
// in the trash.
dual!(restore_within_the_quota, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_TIERS__LITE__DISKSPACE", "100")]).await;
    let a = s.user_session("alice").await;
    s.set_membership("alice", "lite");
    let id = upload(&s, &a, "a.bin", vec![1; 60]).await;
    api(&s, &a, "files.delete", &[("file_id", &id)])
        .await
        .assert_ok();
    upload(&s, &a, "b.bin", vec![2; 60]).await;
    api(&s, &a, "trash.restore", &[("file_id", &id)])
        .await
        .assert_error(20);
    assert_eq!(s.db_i64("SELECT COUNT(*) FROM trash").await, 1);
});

// The sweep purges after the grace period: row and blob; anonymous
// deletes and tiers without a trash skip it.
dual!(purge_after_grace_and_no_trash, |b| async move {
    let s = Server::start_with(
        b,
        &[
            ("DROPSPACE_TIERS__LITE__TRASH_SECS", "2"),
            ("DROPSPACE_TIERS__PRO__TRASH_SECS", "0"),
            ("DROPSPACE_LIMITS__DELETED_BLOB_GRACE_SECS", "0"),
        ],
    )
    .await;
    let a = s.user_session("alice").await;
    s.set_membership("alice", "lite");
    let id = upload(&s, &a, "gone.bin", pattern(40_000, 3)).await;
    let path = blob_path(&s, &id).await.expect("blob");
    api(&s, &a, "files.delete", &[("file_id", &id)])
        .await
        .assert_ok();
    assert_eq!(s.db_i64("SELECT COUNT(*) FROM trash").await, 1);
    wait_count(&s, "SELECT COUNT(*) FROM trash", 0).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while path.exists() {
        assert!(Instant::now() < deadline, "blob never removed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // No trash for pro: deleted at once.
    let p = s.user_session("pat").await;
    s.set_membership("pat", "pro");
    let pid = upload(&s, &p, "p.bin", pattern(40_000, 4)).await;
    api(&s, &p, "files.delete", &[("file_id", &pid)])
        .await
        .assert_ok();
    assert_eq!(s.db_i64("SELECT COUNT(*) FROM trash").await, 0);
    // Anonymous: the delete link deletes for good.
    let info = anon_info(&s).await;
    let text = post_form(&s, &info.url, info.form(&[], "anon.txt", b"x".to_vec()))
        .await
        .text()
        .await
        .expect("answer");
    let doc = roxmltree::Document::parse(&text).expect("xml");
    let delete_url = doc
        .descendants()
        .find(|n| n.has_tag_name("delete_url"))
        .and_then(|n| n.text())
        .expect("delete_url")
        .to_string();
    assert_eq!(
        s.db_i64("SELECT COUNT(*) FROM files WHERE user_id IS NULL")
            .await,
        1
    );
    let ask = s.http.get(&delete_url).send().await.expect("get");
    let ask = ask.text().await.expect("page");
    assert!(ask.contains("This cannot be undone"), "{ask}");
    let resp = s.http.post(&delete_url).send().await.expect("post");
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(s.db_i64("SELECT COUNT(*) FROM files").await, 0);
    assert_eq!(s.db_i64("SELECT COUNT(*) FROM trash").await, 0);
});

// A file whose time limit deletes it goes to the trash as expired, and
// comes back (still expired until extended).
dual!(expired_files_go_to_the_trash, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let answer = upload_with(
        &s,
        &a,
        &[("time_limit", "1"), ("limit_action", "2")],
        "brief.txt",
        b"brief".to_vec(),
    )
    .await;
    let id = kv_get(&answer, "file_id");
    wait_count(&s, "SELECT COUNT(*) FROM trash WHERE reason = 2", 1).await;
    api(&s, &a, "files.getInfo", &[("file_id", &id)])
        .await
        .assert_error(9);
    let trash = api(&s, &a, "trash.list", &[]).await;
    assert_eq!(trash.attr("file", "reason").as_deref(), Some("expired"));
    api(&s, &a, "trash.restore", &[("file_id", &id)])
        .await
        .assert_ok();
    api(
        &s,
        &a,
        "files.extend",
        &[("file_id", &id), ("time_limit", "3600")],
    )
    .await
    .assert_ok();
    assert_eq!(served(&s, &a, &id).await, b"brief");
});

// My files: the Extend button beside a file's expiry, the Trash view with
// restore and delete forever (CSRF-checked forms).
dual!(my_files_extend_and_trash, |b| async move {
    let s = Server::start_with(
        b,
        &[("DROPSPACE_TIERS__LITE__DEFAULT_TIME_LIMIT_SECS", "7200")],
    )
    .await;
    let a = s.user_session("alice").await;
    let answer = upload_with(
        &s,
        &a,
        &[("time_limit", "600")],
        "page.txt",
        b"page".to_vec(),
    )
    .await;
    let id = kv_get(&answer, "file_id");
    let mut v = Visitor::new(&s);
    v.login("alice", "secret123").await;
    let html = v
        .get(&format!("/files/file?id={id}"))
        .await
        .text()
        .await
        .expect("page");
    assert!(html.contains("action=\"/files/extend\""), "{html}");
    let csrf = common::web::csrf_in(&html);
    // Without the CSRF token: refused, nothing changed.
    let resp = v.post("/files/extend", &[("id", &id)]).await;
    assert_eq!(resp.status(), 403);
    assert_eq!(time_limit_of(&s, &a, &id).await, "600");
    // Its delete link says where the file goes.
    let a12 = s.login_v("alice", "secret123", "1.2").await;
    let info = api(&s, &a12, "files.getInfo", &[("file_id", &id)]).await;
    let delete_link = info.attr("file", "delete_url").expect("delete_url");
    let ask = s.http.get(&delete_link).send().await.expect("get");
    let ask = ask.text().await.expect("page");
    assert!(
        ask.contains("trash") && !ask.contains("cannot be undone"),
        "{ask}"
    );
    let resp = v
        .post("/files/extend", &[("csrf", &csrf), ("id", &id)])
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(time_limit_of(&s, &a, &id).await, "7200");
    // The listing links the trash; the deleted file is listed there.
    let listing = v.get("/files").await.text().await.expect("listing");
    assert!(listing.contains("href=\"/files/trash\""));
    api(&s, &a, "files.delete", &[("file_id", &id)])
        .await
        .assert_ok();
    let trash = v.get("/files/trash").await.text().await.expect("trash");
    assert!(
        trash.contains(&format!("data-id=\"{id}\"")) && trash.contains("page.txt"),
        "{trash}"
    );
    let resp = v
        .post("/files/trash/restore", &[("csrf", &csrf), ("id", &id)])
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(served(&s, &a, &id).await, b"page");
    let trash = v.get("/files/trash").await.text().await.expect("trash");
    assert!(trash.contains("id=\"trash-empty\""), "{trash}");
    // Delete forever.
    api(&s, &a, "files.delete", &[("file_id", &id)])
        .await
        .assert_ok();
    let resp = v
        .post("/files/trash/purge", &[("csrf", &csrf), ("id", &id)])
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(s.db_i64("SELECT COUNT(*) FROM trash").await, 0);
});
