//! Uploads through real HTTP: upload.getInfo and anonymous.uploadGetInfo,
//! the upload form with every field, every answer form, the limits enforced
//! while streaming, progress, and that a failed upload leaves nothing.

mod common;
use common::*;

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Nothing of a failed upload is left: no file row, no blob, no space used.
async fn nothing_stored(s: &Server, session: Option<&str>) {
    assert_eq!(count(s, "SELECT COUNT(*) FROM files").await, 0);
    assert_eq!(count(s, "SELECT COUNT(*) FROM inline_blobs").await, 0);
    // The cleanup of a dropped request runs just after its answer.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = stored_blobs(s).await;
        if left.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "blobs left behind: {left:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if let Some(session) = session {
        let pool = db(s).await;
        let used: i64 = sqlx::query_scalar("SELECT disk_used FROM users")
            .fetch_one(&pool)
            .await
            .expect("disk_used");
        assert_eq!(used, 0, "disk space still charged");
        let _ = session;
    }
}

dual!(get_info_hands_out_a_bound_identifier, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let x = api(&s, &a, "upload.getinfo", &[("speed_limit", "0")]).await;
    assert_eq!(x.method(), "upload.getinfo");
    let info = UploadInfo::from_xml(&x);
    assert_eq!(
        info.attr_order,
        [
            "progress_url",
            "url",
            "max_file_size",
            "upload_identifier",
            "extra_info"
        ]
    );
    assert_eq!(info.url, s.url(&format!("/upload/{}", info.ident)));
    assert_eq!(
        info.progress_url,
        s.url(&format!("/progress/{}", info.ident))
    );
    // The lite tier's limit (300 MiB) is below its disk space.
    assert_eq!(info.max_file_size, "314572800");
    let safe = |v: &str| {
        v.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"._~/:-?=".contains(&c))
    };
    for v in [&info.url, &info.progress_url, &info.ident, &info.extra] {
        assert!(safe(v), "{v}");
    }
    // Each call gets its own identifier.
    assert_ne!(upload_info(&s, &a, "0").await.ident, info.ident);
    api(&s, &a, "upload.getInfo", &[("speed_limit", "fast")])
        .await
        .assert_error(21);
    api(&s, &a, "upload.getInfo", &[("speed_limit", "-1")])
        .await
        .assert_error(21);

    // anonymous.uploadGetInfo: API key and version, anonymous limit.
    let anon = anon_info(&s).await;
    assert_eq!(anon.max_file_size, "314572800");
    assert_eq!(anon.attr_order, info.attr_order);
    let x = s
        .call(&[
            ("method", "anonymous.uploadgetinfo"),
            ("api_key", &s.api_key),
            ("api_version", "0.9"),
        ])
        .await;
    x.assert_error(5);
    assert_eq!(x.method(), "anonymous.uploadgetinfo");
    s.call(&[
        ("method", "anonymous.uploadGetInfo"),
        ("api_key", "NOPE"),
        ("api_version", "1.0"),
    ])
    .await
    .assert_error(18);
});

dual!(get_info_refusals, |b| async move {
    let s = Server::start_with(
        b,
        &[
            ("DROPSPACE_TIERS__PRO__CAPABLE_UPLOAD", "0"),
            ("DROPSPACE_TIERS__MAX__DISKSPACE", "10"),
        ],
    )
    .await;
    s.create_user("pro", "secret123");
    s.set_membership("pro", "pro");
    let p = s.login("pro", "secret123").await;
    api(&s, &p, "upload.getInfo", &[]).await.assert_error(11);

    // A max account with its 10 bytes used up: 20.
    s.create_user("full", "secret123");
    s.set_membership("full", "max");
    let f = s.login("full", "secret123").await;
    let info = upload_info(&s, &f, "0").await;
    // The offer is what is left: the tier has no file limit.
    assert_eq!(info.max_file_size, "10");
    seed_file(&s, "full", "ten.bin", b"0123456789").await;
    // Written to the database by the test, as by another node: seen within
    // `limits.session_cache_ms`.
    eventually("the full disk seen", async || {
        let x = api(&s, &f, "upload.getInfo", &[]).await;
        !x.is_ok() && x.error_code() == 20
    })
    .await;

    // A paid tier that has ended: 19.
    s.create_user("late", "secret123");
    s.admin_ok(&[
        "user",
        "set-membership",
        "--user-name",
        "late",
        "--membership",
        "pro",
        "--ends",
        "2020-01-01T00:00:00Z",
    ]);
    let l = s.login("late", "secret123").await;
    api(&s, &l, "upload.getInfo", &[]).await.assert_error(19);
});

dual!(session_upload_round_trip, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let before = diskspace_left(&s, &a).await;
    let data = pattern(300_000, 7);
    let answer = upload_with(
        &s,
        &a,
        &[("description", "the <report>")],
        "report.pdf",
        data.clone(),
    )
    .await;
    let keys: Vec<&str> = answer.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "upload_status",
            "file_id",
            "bandwidth_left",
            "diskspace_left"
        ]
    );
    assert_eq!(kv_get(&answer, "upload_status"), "ok");
    assert_eq!(kv_get(&answer, "bandwidth_left"), "-1");
    let id = kv_get(&answer, "file_id");
    assert_eq!(
        kv_get(&answer, "diskspace_left")
            .parse::<i64>()
            .expect("number"),
        before - data.len() as i64
    );
    assert_eq!(diskspace_left(&s, &a).await, before - data.len() as i64);

    let x = api(&s, &a, "files.getInfo", &[("file_id", &id)]).await;
    assert_eq!(x.attr("file", "name").as_deref(), Some("report.pdf"));
    assert_eq!(
        x.attr("file", "description").as_deref(),
        Some("the <report>")
    );
    assert_eq!(x.attr("file", "file_size"), Some(data.len().to_string()));
    assert_eq!(x.attr("file", "folder_id").as_deref(), Some("0"));
    let url = direct_url(&s, &a, &id, None).await;
    let (status, h, body) = fetch(&s, &url, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body, data);
    assert_eq!(header(&h, "content-type"), "application/pdf");
    // The checksum was computed while streaming.
    let pool = db(&s).await;
    let sum: String = sqlx::query_scalar("SELECT checksum FROM files WHERE id = $1")
        .bind(&id)
        .fetch_one(&pool)
        .await
        .expect("checksum");
    assert_eq!(sum, blake3::hash(&data).to_hex().to_string());
    // The answer is plain text, and the response says so.
    let info = upload_info(&s, &a, "0").await;
    let resp = post_form(&s, &info.url, info.form(&[], "e.txt", Vec::new())).await;
    assert!(header(resp.headers(), "content-type").starts_with("text/plain"));
    let text = resp.text().await.expect("text");
    assert!(
        text.ends_with('\n') && text.starts_with("upload_status=ok\n"),
        "{text}"
    );
});

dual!(anonymous_upload_download_and_delete, |b| async move {
    let s = Server::start(b).await;
    let info = anon_info(&s).await;
    let data = pattern(10_000, 3);
    let resp = post_form(&s, &info.url, info.form(&[], "photo.jpg", data.clone())).await;
    assert!(header(resp.headers(), "content-type").starts_with("text/xml"));
    let text = resp.text().await.expect("xml");
    let doc = roxmltree::Document::parse(&text).expect("upload_done XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "upload_done");
    let child = |n: &str| {
        root.children()
            .find(|c| c.tag_name().name() == n)
            .and_then(|c| c.text())
            .unwrap_or_else(|| panic!("no {n}: {text}"))
            .to_string()
    };
    let names: Vec<_> = root
        .children()
        .filter(|c| c.is_element())
        .map(|c| c.tag_name().name().to_string())
        .collect();
    assert_eq!(names, ["status", "download_url", "delete_url", "file_id"]);
    assert_eq!(child("status"), "ok");
    let id = child("file_id");
    assert_eq!(child("download_url"), s.url(&format!("/file/{id}")));
    let delete_url = child("delete_url");
    assert!(delete_url.starts_with(&s.url(&format!("/delete/{id}/"))));

    // The download page leads to the bytes.
    let page = s
        .http
        .get(child("download_url"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    let link = download_button(&html);
    assert_eq!(fetch(&s, &link, &[]).await.2, data);

    // GET only asks; POST deletes file, row and blob.
    let confirm = s.http.get(&delete_url).send().await.expect("confirm");
    assert_eq!(confirm.status(), 200);
    assert!(confirm
        .text()
        .await
        .expect("html")
        .contains("<form method=\"post\""));
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 1);
    let wrong = s
        .http
        .post(format!("{delete_url}x"))
        .send()
        .await
        .expect("wrong secret");
    assert_eq!(wrong.status(), 404);
    let done = s.http.post(&delete_url).send().await.expect("delete");
    assert_eq!(done.status(), 200);
    nothing_stored(&s, None).await;
    assert_eq!(
        s.http
            .get(&delete_url)
            .send()
            .await
            .expect("again")
            .status(),
        404
    );
    assert_eq!(
        s.http
            .get(s.url(&format!("/file/{id}")))
            .send()
            .await
            .expect("page")
            .status(),
        404
    );
});

dual!(identifiers_are_single_use_and_signed, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let info = upload_info(&s, &a, "0").await;
    upload_ok(&s, &info, "one.txt").await;
    // Used once: a second POST with the same pair fails and stores nothing.
    let again = post_form(&s, &info.url, info.form(&[], "two.txt", b"two".to_vec())).await;
    let answer = kv(&again.text().await.expect("text"));
    assert_eq!(kv_get(&answer, "upload_status"), "fail");
    assert_eq!(kv_get(&answer, "error_code"), "11");
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 1);

    // Forged, missing or mismatched extra_info / identifier.
    for case in 0..4 {
        let mut info = upload_info(&s, &a, "0").await;
        match case {
            0 => info.extra = format!("{}x", info.extra),
            1 => info.extra = String::new(),
            2 => info.ident = "someoneelsesidentifier".into(),
            _ => info.url = s.url("/upload/forgedidentifier000000000000000"),
        }
        let resp = post_form(&s, &info.url, info.form(&[], "bad.txt", b"bad".to_vec())).await;
        let answer = kv(&resp.text().await.expect("text"));
        assert_eq!(kv_get(&answer, "upload_status"), "fail", "case {case}");
    }
    // The forged extra_info after the file part is caught too.
    let info = upload_info(&s, &a, "0").await;
    let form = reqwest::multipart::Form::new()
        .part(
            "userfile",
            reqwest::multipart::Part::bytes(b"late".to_vec()).file_name("late.txt"),
        )
        .text("extra_info", "forged");
    let answer = send_form(&s, &info.url, form).await;
    assert_eq!(kv_get(&answer, "upload_status"), "fail");
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 1);
    // The one file is small: its bytes are a row, no blob.
    assert_eq!(count(&s, "SELECT COUNT(*) FROM inline_blobs").await, 1);
    assert!(stored_blobs(&s).await.is_empty());

    // An expired identifier.
    let s2 = Server::start_with(b, &[("DROPSPACE_LIMITS__UPLOAD_IDENTIFIER_TTL_SECS", "0")]).await;
    let a2 = s2.user_session("bob").await;
    let info = upload_info(&s2, &a2, "0").await;
    let resp = post_form(&s2, &info.url, info.form(&[], "x.txt", b"x".to_vec())).await;
    assert_eq!(
        kv_get(&kv(&resp.text().await.expect("text")), "upload_status"),
        "fail"
    );
    nothing_stored(&s2, Some(&a2)).await;
});

// Someone who only saw an identifier (its progress URL, a log) cannot burn
// it: a form without the right extra_info leaves it to its owner.
dual!(
    a_form_without_extra_info_does_not_spend_the_identifier,
    |b| async move {
        let s = Server::start(b).await;
        let a = s.user_session("alice").await;
        let info = upload_info(&s, &a, "0").await;
        // A forged extra_info before the file.
        let mut forged = info.clone();
        forged.extra = "forged".into();
        let answer = send_form(&s, &info.url, forged.form(&[], "x.txt", b"x".to_vec())).await;
        assert_eq!(kv_get(&answer, "upload_status"), "fail");
        assert_eq!(kv_get(&answer, "error_code"), "11");
        // The file first and no extra_info at all (claimed, then given back).
        let form = reqwest::multipart::Form::new()
            .text("UPLOAD_IDENTIFIER", info.ident.clone())
            .part(
                "userfile",
                reqwest::multipart::Part::bytes(vec![b'y'; 100_000]).file_name("y.txt"),
            );
        let answer = send_form(&s, &info.url, form).await;
        assert_eq!(kv_get(&answer, "upload_status"), "fail");
        // A form with nothing in it.
        let form = reqwest::multipart::Form::new().text("description", "hello");
        let answer = send_form(&s, &info.url, form).await;
        assert_eq!(kv_get(&answer, "upload_status"), "fail");
        nothing_stored(&s, Some(&a)).await;
        // The owner's upload still goes through, and spends it.
        let id = upload_ok(&s, &info, "mine.txt").await;
        assert_eq!(id.len(), 6);
        let again = send_form(&s, &info.url, info.form(&[], "two.txt", b"2".to_vec())).await;
        assert_eq!(kv_get(&again, "upload_status"), "fail");
        assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 1);
        assert_eq!(count(&s, "SELECT disk_used FROM users").await, 7);
    }
);

async fn upload_ok(s: &Server, info: &UploadInfo, name: &str) -> String {
    let resp = post_form(s, &info.url, info.form(&[], name, b"content".to_vec())).await;
    let answer = kv(&resp.text().await.expect("text"));
    assert_eq!(kv_get(&answer, "upload_status"), "ok", "{answer:?}");
    kv_get(&answer, "file_id")
}

dual!(size_limits_cut_off_and_keep_nothing, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_TIERS__LITE__MAX_FILE_SIZE", "100000")]).await;
    let a = s.user_session("alice").await;
    let info = upload_info(&s, &a, "0").await;
    assert_eq!(info.max_file_size, "100000");
    let resp = post_form(
        &s,
        &info.url,
        info.form(&[], "big.bin", pattern(100_001, 1)),
    )
    .await;
    let answer = kv(&resp.text().await.expect("text"));
    assert_eq!(kv_get(&answer, "upload_status"), "fail");
    assert_eq!(kv_get(&answer, "error_code"), "21");
    nothing_stored(&s, Some(&a)).await;
    // Exactly the limit is fine.
    let id = upload(&s, &a, "exact.bin", pattern(100_000, 1)).await;
    assert_eq!(
        api(&s, &a, "files.getInfo", &[("file_id", &id)])
            .await
            .attr("file", "file_size")
            .as_deref(),
        Some("100000")
    );
    // The form's MAX_FILE_SIZE lowers the limit, never raises it.
    let mut info = upload_info(&s, &a, "0").await;
    info.max_file_size = "10".into();
    let answer = send_form(&s, &info.url, info.form(&[], "b.bin", pattern(11, 1))).await;
    assert_eq!(kv_get(&answer, "upload_status"), "fail");
    let mut info = upload_info(&s, &a, "0").await;
    info.max_file_size = "999999999".into();
    let answer = send_form(&s, &info.url, info.form(&[], "c.bin", pattern(100_001, 1))).await;
    assert_eq!(kv_get(&answer, "upload_status"), "fail");
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 1);

    // Anonymous uploads have their own limit and answer in XML.
    let s = Server::start_with(b, &[("DROPSPACE_TIERS__ANONYMOUS__MAX_FILE_SIZE", "50")]).await;
    let info = anon_info(&s).await;
    let text = post_form(&s, &info.url, info.form(&[], "a.bin", pattern(51, 1)))
        .await
        .text()
        .await
        .expect("xml");
    let doc = roxmltree::Document::parse(&text).expect("xml");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "upload_done");
    let first = root.children().find(|c| c.is_element()).expect("status");
    assert_eq!(first.text(), Some("fail"));
    let err = root
        .children()
        .find(|c| c.tag_name().name() == "error")
        .expect("error");
    assert_eq!(err.attribute("code"), Some("21"));
    nothing_stored(&s, None).await;
});

dual!(parallel_uploads_never_pass_the_quota, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_TIERS__LITE__DISKSPACE", "3000000")]).await;
    let a = s.user_session("alice").await;
    // Two 2 MB uploads at once into 3 MB: exactly one is stored.
    let infos = [
        upload_info(&s, &a, "0").await,
        upload_info(&s, &a, "0").await,
    ];
    let mut tasks = Vec::new();
    for (i, info) in infos.into_iter().enumerate() {
        let http = s.http.clone();
        tasks.push(tokio::spawn(async move {
            post_raw(
                &http,
                &info.url,
                info.raw(&format!("f{i}.bin"), &pattern(2_000_000, i as u8)),
            )
            .await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let answer = t.await.expect("task");
        match kv_get(&answer, "upload_status").as_str() {
            "ok" => ok += 1,
            _ => assert_eq!(kv_get(&answer, "error_code"), "20", "{answer:?}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 1);
    assert_eq!(count(&s, "SELECT disk_used FROM users").await, 2_000_000);
    assert_eq!(diskspace_left(&s, &a).await, 1_000_000);
    // And exactly the rest still fits.
    upload(&s, &a, "rest.bin", pattern(1_000_000 - 300, 9)).await;
    let answer = upload_with(&s, &a, &[], "over.bin", pattern(301, 9)).await;
    assert_eq!(kv_get(&answer, "error_code"), "20");
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 2);
});

/// Sends the head and part of an upload by hand, then hangs up.
async fn cut_off(s: &Server, info: &UploadInfo, sent: usize, declared: usize) {
    let mut up = StalledUpload::open(info, "cut.bin", declared).await;
    up.send(&pattern(sent, 5)).await;
    // Hang up once the server has taken the bytes in.
    wait_read(s, info, sent, Instant::now() + Duration::from_secs(20)).await;
    drop(up);
}

/// Waits until the server has read `bytes` of an upload (its progress).
async fn wait_read(s: &Server, info: &UploadInfo, bytes: usize, deadline: Instant) {
    loop {
        let p = progress(s, &info.progress_url).await;
        let got: usize = p
            .iter()
            .find(|(k, _)| k == "uploaded_bytes")
            .map(|(_, v)| v.parse().unwrap_or(0))
            .unwrap_or(0);
        if got >= bytes {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "server never read the body: {p:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

dual!(an_upload_cut_off_mid_body_leaves_nothing, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let info = upload_info(&s, &a, "0").await;
    cut_off(&s, &info, 3_000_000, 10_000_000).await;
    // The progress turns to fail, and nothing is kept.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let p = progress(&s, &info.progress_url).await;
        if p[0].1 == "fail" {
            break;
        }
        assert!(Instant::now() < deadline, "still {p:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    nothing_stored(&s, Some(&a)).await;
    assert_eq!(diskspace_left(&s, &a).await, 10 * 1024 * 1024 * 1024);
    // The identifier is spent.
    let resp = post_form(&s, &info.url, info.form(&[], "x.txt", b"x".to_vec())).await;
    assert_eq!(
        kv_get(&kv(&resp.text().await.expect("t")), "upload_status"),
        "fail"
    );
    assert!(s.log().lines().all(|l| !l.contains("panicked")));
});

dual!(
    progress_rises_while_a_throttled_upload_streams,
    |b| async move {
        let s = Server::start(b).await;
        let a = s.user_session("alice").await;
        // 384 KiB at 128 KB/s: about three seconds.
        let info = upload_info(&s, &a, "128").await;
        let before = progress(&s, &info.progress_url).await;
        assert_eq!(before[0], ("status".to_string(), "ok".to_string()));
        let names: Vec<_> = before.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "status",
                "eta",
                "speed",
                "uploaded_bytes",
                "total_size",
                "elapsed",
                "meter"
            ]
        );
        let data = pattern(384 * 1024, 2);
        let started = Instant::now();
        let url = info.url.clone();
        let http = s.http.clone();
        let form = info.raw("slow.bin", &data);
        let task = tokio::spawn(async move { post_raw(&http, &url, form).await });
        let mut seen: Vec<i64> = Vec::new();
        while !task.is_finished() {
            let p = progress(&s, &info.progress_url).await;
            let total: i64 = p[4].1.parse().expect("total_size");
            // (total_size is 0 until the upload has started.)
            if p[0].1 == "ok" && total > 0 {
                let up: i64 = p[3].1.parse().expect("uploaded_bytes");
                assert!(total > data.len() as i64, "total is the whole body: {p:?}");
                assert!(up <= total);
                if seen.last() != Some(&up) {
                    seen.push(up);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let answer = task.await.expect("task");
        assert_eq!(kv_get(&answer, "upload_status"), "ok");
        // The throttle held: 384 KiB at 128 KB/s cannot take under two seconds.
        assert!(started.elapsed() >= Duration::from_secs(2));
        let rising: Vec<_> = seen.iter().filter(|v| **v > 0).collect();
        assert!(rising.len() >= 2, "progress never moved: {seen:?}");
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
        let after = progress(&s, &info.progress_url).await;
        assert_eq!(after[0].1, "done");
        assert_eq!(after[6].1, "100");
        assert_eq!(after[3].1, after[4].1);
        // An unknown identifier says fail.
        let unknown = progress(&s, &s.url("/progress/nosuchupload")).await;
        assert_eq!(unknown[0].1, "fail");
    }
);

dual!(
    form_fields_folder_password_redirect_and_mail,
    |b| async move {
        let s = Server::start(b).await;
        let a = s.user_session("alice").await;
        let folder = mkdir(&s, &a, "docs", "0", "0").await;
        let answer = upload_with(
            &s,
            &a,
            &[
                ("folder_id", &folder),
                ("password", "open sesame"),
                ("recipient_email", "carol@example.com, dave@example.com"),
                ("recipient_message", "Here it is"),
                ("notify_uploader", "1"),
            ],
            "in-folder.txt",
            b"folder file".to_vec(),
        )
        .await;
        assert_eq!(kv_get(&answer, "upload_status"), "ok", "{answer:?}");
        let id = kv_get(&answer, "file_id");
        let x = api(&s, &a, "files.getInfo", &[("file_id", &id)]).await;
        assert_eq!(x.attr("file", "folder_id"), Some(folder.clone()));
        assert_eq!(x.attr("file", "password").as_deref(), Some("open sesame"));
        for to in ["carol@example.com", "dave@example.com", "alice@example.com"] {
            let mail = s.wait_mail(|m| m.contains(&format!("To: {to}"))).await;
            assert!(mail.contains(&format!("/file/{id}")), "{mail}");
        }
        assert!(s.outbox().iter().any(|m| m.contains("Here it is")));
        let book = api(&s, &a, "addressbook.list", &[]).await;
        let contacts = book.all("contact");
        assert_eq!(contacts.len(), 2);
        assert!(contacts.iter().all(|c| attr_of(c, "type") == "1"));

        // Another user's folder, or an invalid address: fail, nothing stored.
        let bob = s.user_session("bob").await;
        let bobs = mkdir(&s, &bob, "bobs", "0", "0").await;
        let answer = upload_with(&s, &a, &[("folder_id", &bobs)], "x.txt", b"x".to_vec()).await;
        assert_eq!(kv_get(&answer, "error_code"), "10");
        let answer = upload_with(
            &s,
            &a,
            &[("recipient_email", "not-an-address")],
            "x.txt",
            b"x".to_vec(),
        )
        .await;
        assert_eq!(kv_get(&answer, "error_code"), "24");
        assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 1);

        // redirect_url: 302 with the outcome appended, its own query kept.
        let info = upload_info(&s, &a, "0").await;
        let resp = post_form(
            &s,
            &info.url,
            info.form(
                &[("redirect_url", "https://example.com/done?x=1")],
                "r.txt",
                b"r".to_vec(),
            ),
        )
        .await;
        assert_eq!(resp.status(), 302);
        let loc = url::Url::parse(&header(resp.headers(), "location")).expect("location");
        let q: std::collections::HashMap<_, _> = loc.query_pairs().into_owned().collect();
        assert_eq!(loc.host_str(), Some("example.com"));
        assert_eq!(q.get("x").map(String::as_str), Some("1"));
        assert_eq!(q.get("upload_status").map(String::as_str), Some("ok"));
        let rid = q.get("file_id").cloned().expect("file_id");
        api(&s, &a, "files.getInfo", &[("file_id", &rid)])
            .await
            .assert_ok();
        let info = upload_info(&s, &a, "0").await;
        let resp = post_form(
            &s,
            &info.url,
            info.form(
                &[
                    ("redirect_url", "https://example.com/done"),
                    ("folder_id", &bobs),
                ],
                "r.txt",
                b"r".to_vec(),
            ),
        )
        .await;
        assert_eq!(resp.status(), 302);
        assert!(header(resp.headers(), "location").contains("upload_status=fail"));
    }
);

dual!(userfile_field_names_the_file_input, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let info = upload_info(&s, &a, "0").await;
    let form = reqwest::multipart::Form::new()
        .text("extra_info", info.extra.clone())
        .text("userfile", "Filedata")
        .part(
            "decoy",
            reqwest::multipart::Part::bytes(b"decoy".to_vec()).file_name("decoy.txt"),
        )
        .part(
            "Filedata",
            reqwest::multipart::Part::bytes(b"real".to_vec()).file_name("real.txt"),
        );
    let answer = send_form(&s, &info.url, form).await;
    assert_eq!(kv_get(&answer, "upload_status"), "ok");
    let id = kv_get(&answer, "file_id");
    let x = api(&s, &a, "files.getInfo", &[("file_id", &id)]).await;
    assert_eq!(x.attr("file", "name").as_deref(), Some("real.txt"));
    // Without it, a single file part of any name is the upload.
    let info = upload_info(&s, &a, "0").await;
    let form = reqwest::multipart::Form::new()
        .text("extra_info", info.extra.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"any".to_vec()).file_name("any.txt"),
        );
    let answer = send_form(&s, &info.url, form).await;
    assert_eq!(kv_get(&answer, "upload_status"), "ok");
    // No file at all: 4.
    let info = upload_info(&s, &a, "0").await;
    let form = reqwest::multipart::Form::new().text("extra_info", info.extra.clone());
    let answer = send_form(&s, &info.url, form).await;
    assert_eq!(kv_get(&answer, "error_code"), "4");
    // Not multipart: 16.
    let info = upload_info(&s, &a, "0").await;
    let resp = s
        .http
        .post(&info.url)
        .body("hello")
        .send()
        .await
        .expect("post");
    assert_eq!(
        kv_get(&kv(&resp.text().await.expect("t")), "error_code"),
        "16"
    );
});

dual!(
    hostile_names_are_stored_and_served_harmlessly,
    |b| async move {
        let s = Server::start(b).await;
        let a = s.user_session("alice").await;
        let long = "ü".repeat(200);
        let cases: Vec<(String, String)> = vec![
            ("../../etc/passwd".into(), "passwd".into()),
            (
                "a \"quoted\" name.txt".into(),
                "a \"quoted\" name.txt".into(),
            ),
            // Its last path component.
            (
                "<script>alert(1)</script>.html".into(),
                "script>.html".into(),
            ),
            (
                "<img src=x onerror=alert(1)>.html".into(),
                "<img src=x onerror=alert(1)>.html".into(),
            ),
            ("x]]>&amp;.txt".into(), "x]]>&amp;.txt".into()),
            // At most 255 bytes.
            (long.clone(), "ü".repeat(127)),
        ];
        for (sent, stored) in cases {
            let id = upload(&s, &a, &sent, b"payload".to_vec()).await;
            let x = api(&s, &a, "files.getInfo", &[("file_id", &id)]).await;
            assert_eq!(
                x.attr("file", "name").as_deref(),
                Some(stored.as_str()),
                "{sent:?}"
            );
            let url = direct_url(&s, &a, &id, None).await;
            let (status, h, body) = fetch(&s, &url, &[]).await;
            assert_eq!(status, 200);
            assert_eq!(body, b"payload");
            let cd = header(&h, "content-disposition");
            assert!(cd.starts_with("attachment; filename=\""), "{cd}");
            assert_eq!(disposition_name(&cd), stored);
            assert_eq!(header(&h, "x-content-type-options"), "nosniff");
            // The download page shows the name as text, never as markup.
            let doc = download_page(&s, &id).await;
            assert!(doc
                .select(&scraper::Selector::parse("body script, [onerror]").expect("sel"))
                .next()
                .is_none());
            assert_eq!(name_cell(&doc), stored);
        }
        // A newline could only come through files.setInfo (a multipart
        // header cannot carry one); a rename is cleaned like an upload, so
        // it never reaches a header.
        let id = upload(&s, &a, "plain.txt", b"payload".to_vec()).await;
        api(
            &s,
            &a,
            "files.setInfo",
            &[("file_id", &id), ("name", "new\r\nSet-Cookie: x=1")],
        )
        .await
        .assert_ok();
        let (status, h, _) = fetch(&s, &direct_url(&s, &a, &id, None).await, &[]).await;
        assert_eq!(status, 200);
        assert!(h.get("set-cookie").is_none());
        assert!(
            header(&h, "content-disposition").contains("filename*=UTF-8''newSet-Cookie%3A%20x%3D1"),
            "{}",
            header(&h, "content-disposition")
        );
        // Nothing was written outside the blob store.
        assert!(!s.data_dir.join("etc").exists());
        assert!(!std::path::Path::new(&s.data_dir)
            .join("../etc/passwd")
            .exists());
    }
);

/// The download page `/file/{id}`, parsed.
async fn download_page(s: &Server, id: &str) -> scraper::Html {
    let html = s
        .http
        .get(s.url(&format!("/file/{id}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    scraper::Html::parse_document(&html)
}

/// The file name the download page shows.
fn name_cell(doc: &scraper::Html) -> String {
    doc.select(&scraper::Selector::parse("#name").expect("sel"))
        .next()
        .expect("name cell")
        .text()
        .collect()
}

/// The name a Content-Disposition's `filename*` carries, decoded.
fn disposition_name(cd: &str) -> String {
    let star = cd.split("filename*=UTF-8''").nth(1).expect("filename*");
    percent_encoding::percent_decode_str(star)
        .decode_utf8()
        .expect("utf-8")
        .into_owned()
}

// The stored name is the last path component of the name sent, without
// control characters, at most 255 bytes, `file` if empty (docs/api-notes.md);
// no answer, page or Content-Disposition hands back a path.
dual!(uploaded_names_lose_their_path, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let cases = [
        ("../../x".to_string(), "x".to_string()),
        ("C:\\Users\\me\\report.pdf".into(), "report.pdf".into()),
        ("/////".into(), "file".into()),
        ("\\\\server\\share\\..".into(), "file".into()),
        ("a\tb/c\td.txt".into(), "cd.txt".into()),
        // 300 bytes of two-byte characters: cut to 254, not mid-character.
        ("é".repeat(150), "é".repeat(127)),
    ];
    for (sent, stored) in cases {
        // As curl and old uploaders send it: the name verbatim.
        let info = upload_info(&s, &a, "0").await;
        let answer = post_raw(&s.http, &info.url, info.raw(&sent, b"payload")).await;
        assert_eq!(
            kv_get(&answer, "upload_status"),
            "ok",
            "{sent:?}: {answer:?}"
        );
        let id = kv_get(&answer, "file_id");
        let x = api(&s, &a, "files.getInfo", &[("file_id", &id)]).await;
        assert_eq!(
            x.attr("file", "name").as_deref(),
            Some(stored.as_str()),
            "{sent:?}"
        );
        assert_eq!(name_cell(&download_page(&s, &id).await), stored, "{sent:?}");
        let url = direct_url(&s, &a, &id, None).await;
        let (status, h, body) = fetch(&s, &url, &[]).await;
        assert_eq!((status, body.as_slice()), (200, &b"payload"[..]));
        let cd = header(&h, "content-disposition");
        assert!(!cd.contains('/') && !cd.contains('\\'), "{sent:?}: {cd}");
        assert_eq!(disposition_name(&cd), stored, "{sent:?}");
    }
});

dual!(storage_failure_is_13_and_keeps_nothing, |b| async move {
    let dir = tempfile::tempdir().expect("dir");
    let flag = dir.path().join("storage-down");
    let flag_s = flag.display().to_string();
    let s = Server::start_with(b, &[("DROPSPACE_STORAGE__FAIL_IF_EXISTS", &flag_s)]).await;
    let a = s.user_session("alice").await;
    std::fs::write(&flag, b"down").expect("flag");
    let answer = upload_with(&s, &a, &[], "x.bin", pattern(500_000, 1)).await;
    assert_eq!(kv_get(&answer, "upload_status"), "fail");
    assert_eq!(kv_get(&answer, "error_code"), "13");
    let info = anon_info(&s).await;
    let text = post_form(&s, &info.url, info.form(&[], "y.bin", b"y".to_vec()))
        .await
        .text()
        .await
        .expect("t");
    assert!(text.contains("code=\"13\""), "{text}");
    std::fs::remove_file(&flag).expect("heal");
    nothing_stored(&s, Some(&a)).await;
    // The store is back: uploads work again.
    upload(&s, &a, "ok.bin", b"fine".to_vec()).await;
});

dual!(
    maintenance_refuses_uploads_in_flight_of_starting,
    |b| async move {
        let s = Server::start(b).await;
        let a = s.user_session("alice").await;
        let info = upload_info(&s, &a, "0").await;
        s.admin_ok(&["maintenance", "on"]);
        let resp = post_form(&s, &info.url, info.form(&[], "m.txt", b"m".to_vec())).await;
        assert_eq!(
            kv_get(&kv(&resp.text().await.expect("t")), "error_code"),
            "15"
        );
        s.admin_ok(&["maintenance", "off"]);
        // The identifier was not spent by the refusal.
        upload_ok(&s, &info, "m.txt").await;
    }
);

/// A server whose `max` tier has no file size limit, a `max` user's
/// session there and an upload identifier for it (the large-upload tests).
async fn big_upload_server() -> (Server, String, UploadInfo) {
    let s = Server::start_with(
        Backend::Sqlite,
        &[("DROPSPACE_TIERS__MAX__MAX_FILE_SIZE", "-1")],
    )
    .await;
    s.create_user("big", "secret123");
    s.set_membership("big", "max");
    let a = s.login("big", "secret123").await;
    let info = upload_info(&s, &a, "0").await;
    (s, a, info)
}

/// Uploads `size` bytes, `block` repeated, streamed from a generator.
async fn upload_generated(
    s: &Server,
    info: &UploadInfo,
    name: &str,
    size: u64,
    block: bytes::Bytes,
) -> Vec<(String, String)> {
    let chunk = block.len() as u64;
    let stream = futures::stream::iter(
        (0..size / chunk).map(move |_| Ok::<_, std::io::Error>(block.clone())),
    );
    let part =
        reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(stream), size)
            .file_name(name.to_string());
    let form = reqwest::multipart::Form::new()
        .text("extra_info", info.extra.clone())
        .part("userfile", part);
    send_form(s, &info.url, form).await
}

// 2 GiB streamed from a generator: the server's peak memory stays flat.
// Once, on SQLite and the file system (the database plays no part in the
// byte path, and the S3 pass keeps its bytes in the test server's memory).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_gib_upload_keeps_memory_flat() {
    if s3_mode() {
        return;
    }
    let (s, a, info) = big_upload_server().await;
    let (base, _) = rss_kib(s.pid());
    const SIZE: u64 = 2 << 30;
    const CHUNK: usize = 1 << 20;
    let block = bytes::Bytes::from(pattern(CHUNK, 9));
    let answer = upload_generated(&s, &info, "huge.bin", SIZE, block).await;
    assert_eq!(kv_get(&answer, "upload_status"), "ok", "{answer:?}");
    let (_, peak) = rss_kib(s.pid());
    let growth_mib = peak.saturating_sub(base) / 1024;
    assert!(
        growth_mib <= 48,
        "peak RSS grew by {growth_mib} MiB (base {base} KiB, peak {peak} KiB)"
    );
    let id = kv_get(&answer, "file_id");
    let x = api(&s, &a, "files.getInfo", &[("file_id", &id)]).await;
    assert_eq!(x.attr("file", "file_size"), Some(SIZE.to_string()));
    // The last bytes read back are the generator's.
    let url = direct_url(&s, &a, &id, None).await;
    let (status, _, tail) = fetch(&s, &url, &[("Range", "bytes=-16")]).await;
    assert_eq!(status, 206);
    assert_eq!(tail, pattern(CHUNK, 9)[CHUNK - 16..]);
    let mut read = tokio::fs::File::open(blob_path(&s, &id).await.expect("blob"))
        .await
        .expect("open");
    let mut head = vec![0u8; 64];
    read.read_exact(&mut head).await.expect("read");
    assert_eq!(head, pattern(CHUNK, 9)[..64]);
}

/// A 1 GiB upload and then its download keep the server's memory flat:
/// the blob writer holds at most two blocks, the reader one chunk ahead
/// (docs/performance.md, "Large transfers, round two": in release the
/// peak grows 3–5 MiB over the resting figure; the bound leaves room for
/// the debug build's larger futures and for the allocator).
#[tokio::test]
async fn one_gib_round_trip_keeps_memory_bounded() {
    if s3_mode() {
        return;
    }
    let (s, a, info) = big_upload_server().await;
    const SIZE: u64 = 1 << 30;
    const CHUNK: usize = 1 << 20;
    const BOUND_MIB: u64 = 16;
    let block = bytes::Bytes::from(pattern(CHUNK, 7));
    let (rest, _) = rss_kib(s.pid());
    reset_peak(s.pid());
    let answer = upload_generated(&s, &info, "round.bin", SIZE, block.clone()).await;
    assert_eq!(kv_get(&answer, "upload_status"), "ok", "{answer:?}");
    let (_, up_peak) = rss_kib(s.pid());
    let id = kv_get(&answer, "file_id");
    let url = direct_url(&s, &a, &id, None).await;
    let (rest_after, _) = rss_kib(s.pid());
    reset_peak(s.pid());
    let mut resp = s.http.get(&url).send().await.expect("download");
    assert_eq!(resp.status().as_u16(), 200);
    let mut at = 0usize;
    while let Some(chunk) = resp.chunk().await.expect("body") {
        // Compared piecewise against the generator's block.
        let mut piece = &chunk[..];
        while !piece.is_empty() {
            let off = at % CHUNK;
            let n = piece.len().min(CHUNK - off);
            assert!(piece[..n] == block[off..off + n], "bytes differ at {at}");
            piece = &piece[n..];
            at += n;
        }
    }
    assert_eq!(at as u64, SIZE);
    let (_, down_peak) = rss_kib(s.pid());
    let up = up_peak.saturating_sub(rest) / 1024;
    let down = down_peak.saturating_sub(rest_after) / 1024;
    println!("rest {rest} KiB; upload +{up} MiB; download +{down} MiB");
    assert!(up <= BOUND_MIB, "upload: peak RSS grew by {up} MiB");
    assert!(down <= BOUND_MIB, "download: peak RSS grew by {down} MiB");
}

/// Many slow uploads open at once cost little memory each: hyper's read
/// buffer (64 KiB at most), the form parser, the blob writer's 32 KiB block
/// and an open file (docs/performance.md, "Large transfers, round two":
/// 225–242 KiB per upload measured in the debug build, with the allocator's
/// share). Then they all finish.
#[tokio::test]
async fn two_hundred_stalled_uploads_hold_little_memory_each() {
    if s3_mode() {
        return;
    }
    const N: usize = 200;
    const PIECE: usize = 16 * 1024;
    const FIRST: usize = 12 * PIECE;
    const SIZE: usize = 1 << 20;
    const BOUND_KIB: u64 = 320;
    let s = Server::start_with(
        Backend::Sqlite,
        &[
            ("DROPSPACE_LIMITS__OPEN_UPLOADS_PER_ACCOUNT", "0"),
            ("DROPSPACE_LIMITS__OPEN_UPLOADS_PER_ADDRESS", "0"),
            ("DROPSPACE_LIMITS__CONNECTIONS_PER_ADDRESS", "0"),
            ("DROPSPACE_LIMITS__UPLOAD_STARTS_PER_MINUTE", "0"),
            ("DROPSPACE_LIMITS__API_CALLS_PER_ADDRESS", "0"),
            ("DROPSPACE_LIMITS__API_CALLS_PER_ACCOUNT", "0"),
        ],
    )
    .await;
    let a = s.user_session("slow").await;
    s.set_membership("slow", "max");
    let mut infos = Vec::new();
    for _ in 0..N {
        infos.push(upload_info(&s, &a, "0").await);
    }
    let data = pattern(SIZE, 3);
    let (rest, _) = rss_kib(s.pid());
    reset_peak(s.pid());
    let mut conns = Vec::new();
    for (i, info) in infos.iter().enumerate() {
        conns.push(StalledUpload::open(info, &format!("s{i}.bin"), SIZE).await);
    }
    // The first bytes trickle in, a piece per upload at a time: each
    // round waits until the server has read every upload's piece.
    let deadline = Instant::now() + Duration::from_secs(120);
    for sent in (PIECE..=FIRST).step_by(PIECE) {
        for c in conns.iter_mut() {
            c.send(&data[sent - PIECE..sent]).await;
        }
        for info in &infos {
            wait_read(&s, info, sent, deadline).await;
        }
    }
    let (_, peak) = rss_kib(s.pid());
    let per = peak.saturating_sub(rest) / N as u64;
    println!("rest {rest} KiB, peak {peak} KiB: {per} KiB per open upload");
    let mut tasks = Vec::new();
    for mut c in conns {
        let rest_of = data[FIRST..].to_vec();
        tasks.push(tokio::spawn(async move {
            c.send(&rest_of).await;
            c.finish().await
        }));
    }
    for t in tasks {
        let answer = t.await.expect("task");
        assert!(answer.contains("upload_status=ok"), "{answer}");
    }
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, N as i64);
    assert!(per <= BOUND_KIB, "{per} KiB per open upload");
}

/// An upload form sent by hand over its own connection, in pieces.
struct StalledUpload {
    conn: tokio::net::TcpStream,
    boundary: &'static str,
}

impl StalledUpload {
    async fn open(info: &UploadInfo, name: &str, size: usize) -> StalledUpload {
        let url = url::Url::parse(&info.url).expect("url");
        let addr = format!(
            "{}:{}",
            url.host_str().expect("host"),
            url.port().expect("port")
        );
        let boundary = "StalledBoundary7";
        let head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"extra_info\"\r\n\r\n{}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"userfile\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n",
            info.extra
        );
        let tail = boundary.len() + 8;
        let req = format!(
            "POST {} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
             Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n{head}",
            url.path(),
            head.len() + size + tail
        );
        let mut conn = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("connect");
        conn.write_all(req.as_bytes()).await.expect("head");
        StalledUpload { conn, boundary }
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.conn.write_all(bytes).await.expect("body");
    }

    /// Closes the form and reads the answer.
    async fn finish(mut self) -> String {
        let end = format!("\r\n--{}--\r\n", self.boundary);
        self.conn.write_all(end.as_bytes()).await.expect("end");
        let mut answer = String::new();
        self.conn.read_to_string(&mut answer).await.expect("answer");
        answer
    }
}

/// The bytes of a file by its id, through the direct URL (a range when
/// given): status and body.
async fn fetch_file(s: &Server, session: &str, id: &str, range: Option<&str>) -> (u16, Vec<u8>) {
    let url = direct_url(s, session, id, None).await;
    let headers: Vec<(&str, &str)> = range.map(|r| ("range", r)).into_iter().collect();
    let (status, _, body) = fetch(s, &url, &headers).await;
    (status, body)
}

// Files up to `storage.inline_max_bytes` live in the database with their
// row: no blob of their own, downloads (whole and ranged) byte-exact, fsck
// counts them, deleting the file removes the bytes; one byte more goes to
// the blob store, and 0 turns it off.
dual!(small_files_are_kept_in_the_database, |b| async move {
    // Without a trash, a delete removes the bytes at once (docs/expiry.md).
    let s = Server::start_with(b, &[("DROPSPACE_TIERS__LITE__TRASH_SECS", "0")]).await;
    let a = s.user_session("alice").await;
    let small = pattern(16_384, 1);
    let big = pattern(16_385, 2);
    let inline_id = upload(&s, &a, "small.bin", small.clone()).await;
    assert!(blob_key(&s, &inline_id).await.starts_with("inline/"));
    assert!(
        stored_blobs(&s).await.is_empty(),
        "a small file wrote a blob"
    );
    assert_eq!(count(&s, "SELECT COUNT(*) FROM inline_blobs").await, 1);
    assert_eq!(
        fetch_file(&s, &a, &inline_id, None).await,
        (200, small.clone())
    );
    let (status, part) = fetch_file(&s, &a, &inline_id, Some("bytes=100-199")).await;
    assert_eq!((status, part.as_slice()), (206, &small[100..200]));

    let big_id = upload(&s, &a, "big.bin", big.clone()).await;
    assert!(!blob_key(&s, &big_id).await.starts_with("inline/"));
    assert_eq!(stored_blobs(&s).await.len(), 1);
    assert_eq!(fetch_file(&s, &a, &big_id, None).await, (200, big));

    let fsck = s.admin(&["fsck"]);
    let text = String::from_utf8_lossy(&fsck.stdout).to_string();
    assert!(
        text.contains("fsck: 2 files, 2 blobs, 32769 bytes verified, 0 problems"),
        "{text}"
    );

    assert!(api(&s, &a, "files.delete", &[("file_id", &inline_id)])
        .await
        .is_ok());
    eventually("the small file's bytes removed", async || {
        count(&s, "SELECT COUNT(*) FROM inline_blobs").await == 0
    })
    .await;

    let off = Server::start_with(b, &[("DROPSPACE_STORAGE__INLINE_MAX_BYTES", "0")]).await;
    let o = off.user_session("olga").await;
    let id = upload(&off, &o, "tiny.bin", pattern(10, 3)).await;
    assert!(!blob_key(&off, &id).await.starts_with("inline/"));
    assert_eq!(stored_blobs(&off).await.len(), 1);
    assert_eq!(count(&off, "SELECT COUNT(*) FROM inline_blobs").await, 0);
});

// The sweep of abandoned blob writes never takes the temporary file of a
// live upload, however long that upload goes without writing to it: here
// the grace is 0 and a sweep runs every second of a four-second upload.
dual!(
    a_slow_upload_outlives_the_temporary_file_sweep,
    |b| async move {
        if s3_mode() {
            return;
        }
        let s = Server::start_with(
            b,
            &[
                ("DROPSPACE_LIMITS__PENDING_BLOB_GRACE_SECS", "0"),
                ("DROPSPACE_LIMITS__STALE_UPLOAD_SECS", "2"),
            ],
        )
        .await;
        let a = s.user_session("alice").await;
        // 256 KiB at 64 KB/s.
        let info = upload_info(&s, &a, "64").await;
        let data = pattern(256 * 1024, 5);
        let answer = post_raw(&s.http, &info.url, info.raw("slow.bin", &data)).await;
        assert_eq!(kv_get(&answer, "upload_status"), "ok", "{answer:?}");
        let id = kv_get(&answer, "file_id");
        assert_eq!(fetch_file(&s, &a, &id, None).await, (200, data));
    }
);

// The upload form takes the file's limits as `files.setInfo` names them, and
// a tier with a longest time limit keeps every file within it
// (docs/api-notes.md).
dual!(limits_are_chosen_at_upload, |b| async move {
    let s = Server::start_with(
        b,
        &[("DROPSPACE_TIERS__LITE__MAX_TIME_LIMIT_SECS", "86400")],
    )
    .await;
    let a = s.user_session("alice").await;
    s.set_membership("alice", "lite");
    let p = s.user_session("pat").await;
    s.set_membership("pat", "pro");
    let limits_of = async |session: &str, id: &str| {
        let x = api(&s, session, "files.getInfo", &[("file_id", id)]).await;
        ["time_limit", "download_limit", "limit_action"]
            .map(|k| x.attr("file", k).unwrap_or_default())
    };
    let chosen = [
        ("time_limit", "3600"),
        ("downloads_limit", "3"),
        ("limit_action", "2"),
    ];
    let answer = upload_with(&s, &a, &chosen, "a.txt", b"abc".to_vec()).await;
    assert_eq!(kv_get(&answer, "upload_status"), "ok", "{answer:?}");
    assert_eq!(
        limits_of(&a, &kv_get(&answer, "file_id")).await,
        ["3600", "3", "2"]
    );
    // None asked: the tier's longest; a tier without one: none.
    let id = upload(&s, &a, "b.txt", b"b".to_vec()).await;
    assert_eq!(limits_of(&a, &id).await, ["86400", "0", "0"]);
    let pid = upload(&s, &p, "c.txt", b"c".to_vec()).await;
    assert_eq!(limits_of(&p, &pid).await, ["0", "0", "0"]);
    // Refused before the bytes are kept: longer than the tier allows, a
    // move (an upload names no folder to move to), not a number.
    for bad in [
        ("time_limit", "86401"),
        ("limit_action", "3"),
        ("downloads_limit", "-1"),
        ("time_limit", "soon"),
    ] {
        let answer = upload_with(&s, &a, &[bad], "x.txt", b"x".to_vec()).await;
        assert_eq!(kv_get(&answer, "upload_status"), "fail", "{bad:?}");
        assert_eq!(kv_get(&answer, "error_code"), "21", "{bad:?} {answer:?}");
    }
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 3);
    // files.setInfo keeps to the same bound: not longer, not cleared.
    for t in ["86401", "0"] {
        api(
            &s,
            &a,
            "files.setInfo",
            &[("file_id", &id), ("time_limit", t)],
        )
        .await
        .assert_error(21);
    }
    api(
        &s,
        &a,
        "files.setInfo",
        &[("file_id", &id), ("time_limit", "600")],
    )
    .await
    .assert_ok();
    api(
        &s,
        &p,
        "files.setInfo",
        &[("file_id", &pid), ("time_limit", "0")],
    )
    .await
    .assert_ok();
});
