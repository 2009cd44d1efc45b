//! File requests (docs/file-requests.md) through real HTTP: created with
//! the signed API and the CLI, opened by outsiders, uploads through
//! `/tus/` into the owner's folder whatever their metadata says, the caps
//! exact under concurrent uploads on two nodes, password, close, receipts.
//! Also in the S3 pass (scripts/test.sh).

mod common;
use common::web::{csrf_in, Visitor};
use common::*;

use dropspace_client::{FileSendClient, NewFileRequest};

fn creds(s: &Server, user: &str, options: &[&str]) -> (String, String) {
    let mut args = vec!["user", "api-credentials", "create", "--user-name", user];
    args.extend_from_slice(options);
    let out = s.admin_ok(&args);
    let last = out.lines().last().expect("a line").to_string();
    let (key, secret) = last.split_once(' ').expect("key secret");
    (key.to_string(), secret.to_string())
}

fn api_of(s: &Server, user: &str) -> FileSendClient {
    // Signed-body keys: two POSTs of one method in the same second differ
    // by their parameters, not only by the URL (docs/file-send.md).
    let (key, secret) = creds(s, user, &["--signed-body"]);
    FileSendClient::new(&s.base, &key, &secret)
        .expect("client")
        .signed_body(true)
}

async fn folder(s: &Server, session: &str, name: &str) -> String {
    let x = s
        .call(&[
            ("method", "folders.create"),
            ("session_key", session),
            ("name", name),
        ])
        .await;
    x.attr("folder", "id").expect("folder id")
}

/// An outsider's identifier for one file: `(status, JSON)`.
async fn offer(v: &mut Visitor<'_>, id: &str, pass: &str) -> (u16, serde_json::Value) {
    let page = v.get(&format!("/r/{id}")).await.text().await.expect("page");
    let csrf = csrf_in(&page);
    let resp = v
        .post(&format!("/r/{id}/new"), &[("csrf", &csrf), ("pass", pass)])
        .await;
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (status, serde_json::from_str(&text).expect("json"))
}

/// Creates a resumable upload for an offer, with extra metadata.
async fn tus_create(
    s: &Server,
    offer: &serde_json::Value,
    name: &str,
    len: usize,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let mut meta = vec![
        (
            "upload_identifier",
            offer["upload_identifier"].as_str().expect("id"),
        ),
        ("extra_info", offer["extra_info"].as_str().expect("extra")),
        ("filename", name),
    ];
    meta.extend_from_slice(extra);
    s.http
        .post(s.url("/tus/"))
        .header("tus-resumable", "1.0.0")
        .header("upload-length", len.to_string())
        .header("upload-metadata", tus_metadata(&meta))
        .send()
        .await
        .expect("create")
}

async fn tus_patch(s: &Server, location: &str, bytes: Vec<u8>) -> reqwest::Response {
    s.http
        .patch(s.url(location))
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", "0")
        .header("content-type", "application/offset+octet-stream")
        .body(bytes)
        .send()
        .await
        .expect("patch")
}

fn location(resp: &reqwest::Response) -> String {
    let l = header(resp.headers(), "location");
    // Relative to the server whatever public_url says.
    match l.find("/tus/") {
        Some(i) => l[i..].to_string(),
        None => l,
    }
}

dual!(an_outsider_uploads_into_a_request, |b| async move {
    let s = Server::start(b).await;
    let alice = s.user_session("alice").await;
    let inbox = folder(&s, &alice, "Inbox").await;
    // Something already in the folder: the outsider must never see it.
    let theirs = s
        .call(&[
            ("method", "folders.create"),
            ("session_key", &alice),
            ("name", "private-plans"),
            ("parent_folder_id", &inbox),
        ])
        .await;
    theirs.assert_ok();
    let api = api_of(&s, "alice");
    let r = api
        .file_request_create(&NewFileRequest {
            title: "Tax papers <2026>".into(),
            message: "Your payslips, please.".into(),
            folder_id: inbox.clone(),
            max_files: 3,
            notify: true,
            ..NewFileRequest::default()
        })
        .await
        .expect("create");
    assert_eq!(r.state, "open");
    assert_eq!(r.url, s.url(&format!("/r/{}", r.request_id)));

    let mut v = Visitor::new(&s);
    let page = v.get(&format!("/r/{}", r.request_id)).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("page");
    assert!(html.contains("Tax papers &lt;2026&gt;"), "{html}");
    assert!(html.contains("Your payslips, please."));
    assert!(html.contains("alice asks you for files"));
    assert!(html.contains("Up to 3 files"));
    assert!(!html.contains("private-plans"));
    assert!(html.contains("data-request=\""));

    // An operator-wide webhook hears of each file a request receives.
    s.admin_ok(&[
        "webhook",
        "add",
        "http://127.0.0.1:9/hook",
        "--events",
        "file_request.uploaded",
    ]);

    // The metadata asks for another folder, a password and a recipient:
    // the request's folder wins and nothing else is taken.
    let (status, o) = offer(&mut v, &r.request_id, "").await;
    assert_eq!(status, 200, "{o}");
    let bytes = pattern(70_000, 7);
    let created = tus_create(
        &s,
        &o,
        "payslip.pdf",
        bytes.len(),
        &[
            ("folder_id", "0"),
            ("password", "sneaky"),
            ("recipient_email", "victim@example.com"),
            ("description", "March"),
        ],
    )
    .await;
    assert_eq!(created.status(), 201);
    let done = tus_patch(&s, &location(&created), bytes.clone()).await;
    assert_eq!(done.status(), 204);
    let file_id = header(done.headers(), "x-dropspace-file-id");
    assert!(header(done.headers(), "x-dropspace-download-url").is_empty());
    let receipt = header(done.headers(), "x-dropspace-receipt-url");
    assert!(receipt.contains(&format!("/r/{}/receipt/{file_id}/", r.request_id)));

    let owner = count(
        &s,
        &format!("SELECT COALESCE(user_id, -1) FROM files WHERE id = '{file_id}'"),
    )
    .await;
    let alice_id = count(&s, "SELECT id FROM users WHERE user_name = 'alice'").await;
    assert_eq!(owner, alice_id);
    assert_eq!(
        count(
            &s,
            &format!(
                "SELECT COUNT(*) FROM files WHERE id = '{file_id}' AND folder_id = '{inbox}' \
                 AND password_sealed = '' AND description = 'March'"
            )
        )
        .await,
        1
    );
    assert_eq!(served(&s, &alice, &file_id).await, bytes);
    let mail = s.wait_mail(|m| m.contains("payslip.pdf")).await;
    let queued = format!(
        "SELECT COUNT(*) FROM webhook_deliveries WHERE event = 'file_request.uploaded' \
         AND payload LIKE '%{}%' AND payload LIKE '%{file_id}%'",
        r.request_id
    );
    assert_eq!(count(&s, &queued).await, 1);
    assert!(mail.contains("Tax papers"), "{mail}");
    assert!(!s.outbox().iter().any(|m| m.contains("victim@example.com")));

    // The receipt: what the owner holds, with its checksum; a forged one is
    // not found.
    let checksum: String = {
        let pool = db(&s).await;
        sqlx::query_scalar("SELECT checksum FROM files WHERE id = $1")
            .bind(&file_id)
            .fetch_one(&pool)
            .await
            .expect("checksum")
    };
    let page = s.http.get(&receipt).send().await.expect("receipt");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("receipt page");
    assert!(html.contains(&checksum) && html.contains("payslip.pdf") && html.contains("70000"));
    let forged = format!("{}x", receipt.trim_end_matches(|c: char| c != '/'));
    assert_eq!(
        s.http.get(&forged).send().await.expect("forged").status(),
        404
    );

    // The form path takes no request identifier: nothing stored.
    let (_, o) = offer(&mut v, &r.request_id, "").await;
    let id = o["upload_identifier"].as_str().expect("id");
    let form = reqwest::multipart::Form::new()
        .text(
            "extra_info",
            o["extra_info"].as_str().expect("extra").to_string(),
        )
        .part(
            "userfile",
            reqwest::multipart::Part::bytes(b"form".to_vec()).file_name("form.txt"),
        );
    let resp = post_form(&s, &s.url(&format!("/upload/{id}")), form).await;
    assert!(!resp
        .text()
        .await
        .expect("answer")
        .contains("upload_status=ok"));
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM files WHERE name = 'form.txt'").await,
        0
    );

    let listed = api.file_request_list().await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].files_received, "1");
    assert_eq!(listed[0].bytes_received, "70000");
    // Another account cannot close it.
    s.user_session("bob").await;
    let bob = api_of(&s, "bob");
    assert!(bob.file_request_close(&r.request_id).await.is_err());
    assert!(bob.file_request_list().await.expect("bob's").is_empty());
});

dual!(caps_hold_under_concurrent_uploads, |b| async move {
    let s = Server::start(b).await;
    let _alice = s.user_session("alice").await;
    let api = api_of(&s, "alice");
    let r = api
        .file_request_create(&NewFileRequest {
            title: "Photos".into(),
            max_files: 5,
            max_bytes: 1_000_000,
            max_file_size: 2_000,
            ..NewFileRequest::default()
        })
        .await
        .expect("create");
    // 16 outsiders start at once: exactly five get to upload.
    let mut offers = Vec::new();
    for _ in 0..16 {
        let mut v = Visitor::new(&s);
        let (status, o) = offer(&mut v, &r.request_id, "").await;
        assert_eq!(status, 200, "{o}");
        assert_eq!(o["max_file_size"], "2000");
        offers.push(o);
    }
    // Half of them through a second node on the same database and store.
    let s2 = s.another_node().await;
    let nodes = [&s, &s2];
    let starts = offers.iter().enumerate().map(|(i, o)| {
        let node = nodes[i % 2];
        async move { tus_create(node, o, &format!("p{i}.jpg"), 1_000, &[]).await }
    });
    let answers = futures::future::join_all(starts).await;
    let made: Vec<String> = answers
        .iter()
        .filter(|a| a.status() == 201)
        .map(location)
        .collect();
    let refused = answers.iter().filter(|a| a.status() == 403).count();
    assert_eq!((made.len(), refused), (5, 11));
    for (i, l) in made.iter().enumerate() {
        let done = tus_patch(nodes[(i + 1) % 2], l, pattern(1_000, i as u8)).await;
        assert_eq!(done.status(), 204);
    }
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM files WHERE name LIKE 'p%.jpg'").await,
        5
    );
    let listed = api.file_request_list().await.expect("list");
    assert_eq!(
        (listed[0].state.as_str(), listed[0].files_received.as_str()),
        ("full", "5")
    );
    let mut v = Visitor::new(&s);
    let page = v.get(&format!("/r/{}", r.request_id)).await;
    assert_eq!(page.status(), 410);
    assert!(page.text().await.expect("page").contains("request-closed"));

    // A file over the per-file cap is refused at its start; a cancelled
    // upload gives its share back.
    let one = api
        .file_request_create(&NewFileRequest {
            title: "One".into(),
            max_files: 1,
            max_file_size: 100,
            ..NewFileRequest::default()
        })
        .await
        .expect("create");
    let mut v = Visitor::new(&s);
    let (_, o) = offer(&mut v, &one.request_id, "").await;
    assert_eq!(tus_create(&s, &o, "big.bin", 101, &[]).await.status(), 413);
    let (_, o) = offer(&mut v, &one.request_id, "").await;
    let (_, o2) = offer(&mut v, &one.request_id, "").await;
    let first = tus_create(&s, &o, "first.bin", 100, &[]).await;
    assert_eq!(first.status(), 201);
    // The upload under way holds the one file the request takes.
    assert_eq!(
        tus_create(&s, &o2, "second.bin", 10, &[]).await.status(),
        403
    );
    assert_eq!(v.get(&format!("/r/{}", one.request_id)).await.status(), 410);
    let gone = s
        .http
        .delete(s.url(&location(&first)))
        .header("tus-resumable", "1.0.0")
        .send()
        .await
        .expect("terminate");
    assert_eq!(gone.status(), 204);
    let (_, o3) = offer(&mut v, &one.request_id, "").await;
    let again = tus_create(&s, &o3, "again.bin", 10, &[]).await;
    assert_eq!(again.status(), 201);
    // A deferred length cannot be reserved: refused.
    let open = api
        .file_request_create(&NewFileRequest {
            title: "Open".into(),
            ..NewFileRequest::default()
        })
        .await
        .expect("create");
    let (_, o4) = offer(&mut v, &open.request_id, "").await;
    let deferred = s
        .http
        .post(s.url("/tus/"))
        .header("tus-resumable", "1.0.0")
        .header("upload-defer-length", "1")
        .header(
            "upload-metadata",
            tus_metadata(&[
                (
                    "upload_identifier",
                    o4["upload_identifier"].as_str().unwrap_or(""),
                ),
                ("extra_info", o4["extra_info"].as_str().unwrap_or("")),
                ("filename", "stream.bin"),
            ]),
        )
        .send()
        .await
        .expect("deferred");
    assert!(deferred.status().is_client_error());
});

dual!(password_close_and_limits, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_LIMITS__FILE_REQUESTS_PER_ACCOUNT", "2")]).await;
    let _alice = s.user_session("alice").await;
    let api = api_of(&s, "alice");
    let r = api
        .file_request_create(&NewFileRequest {
            title: "Secret".into(),
            password: "open sesame".into(),
            expires_in: 3600,
            ..NewFileRequest::default()
        })
        .await
        .expect("create");
    assert_eq!(r.has_password, "1");
    let mut v = Visitor::new(&s);
    let html = v
        .get(&format!("/r/{}", r.request_id))
        .await
        .text()
        .await
        .expect("page");
    assert!(html.contains("id=\"request-password\"") && !html.contains("upload-form"));
    assert!(html.contains("Open until"));
    // Without the pass, no identifier.
    let csrf = csrf_in(&html);
    let resp = v
        .post(
            &format!("/r/{}/new", r.request_id),
            &[("csrf", &csrf), ("pass", "")],
        )
        .await;
    assert_eq!(resp.status(), 403);
    let wrong = v
        .post(
            &format!("/r/{}", r.request_id),
            &[("csrf", &csrf), ("password", "nope")],
        )
        .await
        .text()
        .await
        .expect("page");
    assert!(wrong.contains("Wrong password.") && !wrong.contains("upload-form"));
    let right = v
        .post(
            &format!("/r/{}", r.request_id),
            &[("csrf", &csrf), ("password", "open sesame")],
        )
        .await
        .text()
        .await
        .expect("page");
    let doc = scraper::Html::parse_document(&right);
    let sel = scraper::Selector::parse("#upload-form").expect("selector");
    let pass = doc
        .select(&sel)
        .next()
        .and_then(|e| e.value().attr("data-pass"))
        .expect("pass")
        .to_string();
    let resp = v
        .post(
            &format!("/r/{}/new", r.request_id),
            &[("csrf", &csrf), ("pass", &pass)],
        )
        .await;
    assert_eq!(resp.status(), 200);

    // Closed: the page says so, and no identifier is handed out.
    let closed = api.file_request_close(&r.request_id).await.expect("close");
    assert_eq!(closed.state, "closed");
    let page = v.get(&format!("/r/{}", r.request_id)).await;
    assert_eq!(page.status(), 410);
    let resp = v
        .post(
            &format!("/r/{}/new", r.request_id),
            &[("csrf", &csrf), ("pass", &pass)],
        )
        .await;
    assert_eq!(resp.status(), 400);
    // Unknown links are 404.
    assert_eq!(v.get("/r/nosuchrequest").await.status(), 404);

    // `limits.file_requests_per_account` counts open requests only.
    for title in ["a", "b"] {
        api.file_request_create(&NewFileRequest {
            title: title.into(),
            ..NewFileRequest::default()
        })
        .await
        .expect("within the limit");
    }
    let over = api
        .file_request_create(&NewFileRequest {
            title: "c".into(),
            ..NewFileRequest::default()
        })
        .await;
    assert!(over.is_err(), "{over:?}");
    // Someone else's folder is not a target.
    let bob = s.user_session("bob").await;
    let bobs = folder(&s, &bob, "bob's").await;
    let foreign = api
        .file_request_create(&NewFileRequest {
            title: "x".into(),
            folder_id: bobs,
            ..NewFileRequest::default()
        })
        .await;
    assert!(foreign.is_err());
});

dual!(the_cli_manages_requests, |b| async move {
    let s = Server::start(b).await;
    let _alice = s.user_session("alice").await;
    let (key, secret) = creds(&s, "alice", &[]);
    let run = |args: &[&str], stdin: &str| {
        use std::io::Write;
        let mut cmd = std::process::Command::new(BIN);
        cmd.arg("client").args(args);
        for (k, _) in std::env::vars() {
            if k.starts_with("DROPSPACE_") {
                cmd.env_remove(k);
            }
        }
        let dir = tempfile::tempdir().expect("tempdir");
        cmd.env("DROPSPACE_CLIENT_CONFIG", dir.path().join("client.json"))
            .env("DROPSPACE_SERVER", &s.base)
            .env("DROPSPACE_FILE_SEND_KEY", &key)
            .env("DROPSPACE_FILE_SEND_SECRET", &secret)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("run");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(
        &[
            "request",
            "create",
            "--title",
            "Scans",
            "--max-files",
            "2",
            "--max-size",
            "10M",
            "--expires",
            "7d",
            "--password-stdin",
        ],
        "pw\n",
    );
    assert_eq!(code, 0, "{err}");
    let url = out.trim().to_string();
    assert!(url.starts_with(&s.url("/r/")), "{out}");
    let id = url.rsplit('/').next().expect("id").to_string();
    assert_eq!(
        count(
            &s,
            &format!(
                "SELECT COUNT(*) FROM file_requests WHERE id = '{id}' AND max_files = 2 \
                 AND max_bytes = 10485760 AND password_sealed <> '' AND expires > 0"
            )
        )
        .await,
        1
    );
    let (code, out, _) = run(&["--json", "request", "list"], "");
    assert_eq!(code, 0);
    let list: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(list[0]["requestId"], id.as_str());
    let (code, out, _) = run(&["request", "close", &id], "");
    assert_eq!(code, 0);
    assert!(out.contains("closed"), "{out}");
    // Without credentials: a clear usage error.
    let mut cmd = std::process::Command::new(BIN);
    let out = cmd
        .args(["client", "--server", &s.base, "request", "list"])
        .env_remove("DROPSPACE_FILE_SEND_KEY")
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DROPSPACE_FILE_SEND_KEY"));
});

dual!(my_files_manages_requests, |b| async move {
    let s = Server::start(b).await;
    let alice = s.user_session("alice").await;
    let inbox = folder(&s, &alice, "Inbox").await;
    let mut v = Visitor::new(&s);
    // Logged out: to the login page.
    let resp = v.get("/files/requests").await;
    assert_eq!(resp.status(), 303);
    assert_eq!(v.login("alice", "secret123").await.status(), 303);
    let html = v.get("/files").await.text().await.expect("my files");
    assert!(html.contains("href=\"/files/requests\""));
    let html = v.get("/files/requests").await.text().await.expect("page");
    assert!(html.contains("id=\"no-requests\""));
    assert!(
        html.contains(&format!("<option value=\"{inbox}\">")),
        "{html}"
    );
    let csrf = csrf_in(&html);
    // No CSRF token: refused, nothing made.
    let resp = v.post("/files/requests", &[("title", "x")]).await;
    assert_eq!(resp.status(), 403);
    let resp = v
        .post(
            "/files/requests",
            &[
                ("csrf", &csrf),
                ("title", "Receipts 2026"),
                ("folder", &inbox),
                ("message", "All of them"),
                ("expires", "604800"),
                ("max_files", "10"),
                ("max_mb", "50"),
                ("max_file_mb", ""),
                ("notify", "1"),
            ],
        )
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(
        count(
            &s,
            &format!(
                "SELECT COUNT(*) FROM file_requests WHERE title = 'Receipts 2026' AND folder_id = '{inbox}' \
                 AND max_files = 10 AND max_bytes = 50000000 AND max_file_size = 0 AND notify = 1 AND expires > 0"
            )
        )
        .await,
        1
    );
    let html = v.get("/files/requests").await.text().await.expect("page");
    let doc = scraper::Html::parse_document(&html);
    let sel = scraper::Selector::parse("#requests tbody tr").expect("selector");
    let row = doc.select(&sel).next().expect("a row");
    let id = row.value().attr("data-request").expect("id").to_string();
    let text: String = row.text().collect();
    assert!(text.contains("Receipts 2026") && text.contains("Open") && text.contains("0 files"));
    // A bad number is the API's bad value, nothing made.
    let resp = v
        .post(
            "/files/requests",
            &[("csrf", &csrf), ("title", "Bad"), ("max_files", "-1")],
        )
        .await;
    assert_eq!(resp.status(), 400);
    let resp = v
        .post(
            "/files/requests/close",
            &[("csrf", &csrf), ("request_id", &id)],
        )
        .await;
    assert_eq!(resp.status(), 303);
    let html = v.get("/files/requests").await.text().await.expect("page");
    assert!(html.contains("Closed"));
    assert_eq!(v.get(&format!("/r/{id}")).await.status(), 410);
    // Someone else's request cannot be closed from here.
    s.user_session("bob").await;
    let mut bob = Visitor::new(&s);
    bob.login("bob", "secret123").await;
    let bob_csrf = csrf_in(&bob.get("/files/requests").await.text().await.expect("page"));
    let open = count(&s, "SELECT COUNT(*) FROM file_requests WHERE closed = 0").await;
    let resp = bob
        .post(
            "/files/requests/close",
            &[("csrf", &bob_csrf), ("request_id", &id)],
        )
        .await;
    assert_ne!(resp.status(), 303);
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM file_requests WHERE closed = 0").await,
        open
    );
});

// An encrypted request (docs/encryption.md, "Encrypted file requests"):
// made only by an owner with an age key; its page carries the owner's
// keys; an upload into it that is not an age file is refused when it
// finishes and nothing of it is kept, an age file is taken.
dual!(an_encrypted_request_keeps_only_age_files, |b| async move {
    use dropspace_client::encryption::{encrypt, To};
    let s = Server::start(b).await;
    s.create_user("alice", "secret123");
    let api = api_of(&s, "alice");
    let ask = NewFileRequest {
        title: "Tax papers".into(),
        encrypted: true,
        ..Default::default()
    };
    let refused = api.file_request_create(&ask).await.expect_err("no key yet");
    assert!(
        refused.to_string().contains("publish an age key"),
        "{refused}"
    );
    let (to, _identity) = To::new_key();
    let To::Recipients(ref public) = to else {
        unreachable!("a new key is a recipient")
    };
    let public = public[0].to_string();
    let cli = common::client::Cli::new(&s);
    cli.login("alice", "secret123").ok();
    cli.run(&["keys", "add", &public]).ok();
    // (Other parameters: a signature is good for one call.)
    let ask = NewFileRequest {
        title: "Tax papers, encrypted".into(),
        ..ask
    };
    let r = api.file_request_create(&ask).await.expect("created");
    assert_eq!(r.encrypted, "1");

    let mut v = Visitor::new(&s);
    let page = v
        .get(&format!("/r/{}", r.request_id))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains(&format!("data-recipients=\"{public}\"")),
        "{page}"
    );
    assert!(page.contains("id=\"request-encrypted\""));

    // Plain bytes: refused at the end, nothing kept, the caps given back.
    let plain = pattern(100_000, 3);
    let (_, plain_offer) = offer(&mut v, &r.request_id, "").await;
    let created = tus_create(&s, &plain_offer, "papers.pdf", plain.len(), &[]).await;
    assert_eq!(created.status(), 201);
    let done = tus_patch(&s, &location(&created), plain.clone()).await;
    assert_eq!(done.status(), 403);
    let text = done.text().await.expect("body");
    assert!(text.contains("encrypted to its owner's keys"), "{text}");
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 0);
    assert_eq!(
        count(&s, "SELECT files_taken FROM file_requests").await,
        0,
        "the refused file gave its place back"
    );

    // Its ciphertext: taken.
    let mut sealed = Vec::new();
    encrypt(&to, &plain[..], &mut sealed).expect("encrypt");
    let (_, age_offer) = offer(&mut v, &r.request_id, "").await;
    let created = tus_create(&s, &age_offer, "papers.pdf.age", sealed.len(), &[]).await;
    let done = tus_patch(&s, &location(&created), sealed).await;
    assert_eq!(done.status(), 204);
    assert_eq!(
        s.db_text("SELECT content_type FROM files").await,
        "application/age"
    );

    // Every key removed: the request takes nothing, plain or not.
    let keys = cli.run(&["--json", "keys", "list"]).json();
    let id = keys[0]["id"].as_i64().expect("id").to_string();
    cli.run(&["keys", "remove", &id]).ok();
    let csrf = csrf_in(&page);
    let page = v
        .get(&format!("/r/{}", r.request_id))
        .await
        .text()
        .await
        .expect("page");
    assert!(!page.contains("id=\"upload-form\""), "{page}");
    assert!(page.contains("its owner has no key now"), "{page}");
    let resp = v
        .post(
            &format!("/r/{}/new", r.request_id),
            &[("csrf", &csrf), ("pass", "")],
        )
        .await;
    assert_ne!(resp.status(), 200);
    let answer = resp.text().await.expect("body");
    assert!(answer.contains("no key now"), "{answer}");
});
