//! Downloads through real HTTP: download.getInfo and its errors, the
//! signed direct URL (Range, If-Range, HEAD, validators, forgery), counting
//! and bandwidth, the download page with and without a password.

mod common;
use common::*;

async fn files_attr(s: &Server, session: &str, id: &str, name: &str) -> String {
    api(s, session, "files.getInfo", &[("file_id", id)])
        .await
        .attr("file", name)
        .unwrap_or_default()
}

dual!(get_info_by_id_and_url, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let data = pattern(5000, 1);
    let id = upload(&s, &a, "notes.txt", data.clone()).await;
    let x = api(&s, &a, "download.getinfo", &[("file_id", &id)]).await;
    x.assert_ok();
    assert_eq!(x.method(), "download.getinfo");
    let d = &x.all("download")[0];
    assert_eq!(attr_names(d), ["file_id", "name", "url", "file_size"]);
    assert_eq!(attr_of(d, "file_id"), id);
    assert_eq!(attr_of(d, "name"), "notes.txt");
    assert_eq!(attr_of(d, "file_size"), "5000");
    let url = attr_of(d, "url");
    assert!(url.starts_with(&s.url(&format!("/dl/{id}/"))), "{url}");
    assert!(url
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b"._~/:-?=".contains(&c)));
    assert_eq!(fetch(&s, url, &[]).await.2, data);

    // Any session may fetch any file by id or by its page URL.
    let bob = s.user_session("bob").await;
    let page = s.url(&format!("/file/{id}"));
    let host = url::Url::parse(&s.base).expect("base");
    let port = host.port().expect("port");
    for form in [page.clone(), format!("https://127.0.0.1:{port}/file/{id}/")] {
        let x = api(&s, &bob, "download.getInfo", &[("file_id", &form)]).await;
        x.assert_ok();
        assert_eq!(x.attr("download", "file_id"), Some(id.clone()), "{form}");
    }
    for bad in [
        format!("http://example.com/file/{id}"),
        format!("http://127.0.0.1:{port}/folder/{id}"),
        format!("http://127.0.0.1:{}/file/{id}", port + 1),
        "ftp://127.0.0.1/file/abcdef".to_string(),
        "not a url".to_string(),
    ] {
        api(&s, &bob, "download.getInfo", &[("file_id", &bad)])
            .await
            .assert_error(26);
    }
    api(&s, &bob, "download.getInfo", &[("file_id", "zzzzzz")])
        .await
        .assert_error(9);
    api(&s, &bob, "download.getInfo", &[]).await.assert_error(4);
});

dual!(password_bandwidth_and_expiry_errors, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_TIERS__PRO__BANDWIDTH", "12000")]).await;
    let a = s.user_session("alice").await;
    let answer = upload_with(
        &s,
        &a,
        &[("password", "pw ok")],
        "secret.bin",
        pattern(5000, 2),
    )
    .await;
    let id = kv_get(&answer, "file_id");
    let call = |pw: Option<&'static str>| {
        let mut p = vec![("file_id", id.clone())];
        if let Some(pw) = pw {
            p.push(("password", pw.to_string()));
        }
        p
    };
    for pw in [None, Some(""), Some("wrong"), Some("pw OK")] {
        let p = call(pw);
        let p: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
        api(&s, &a, "download.getInfo", &p).await.assert_error(22);
    }
    direct_url(&s, &a, &id, Some("pw ok")).await;

    // A pro account with 12000 bytes a month: each download is charged.
    s.create_user("pro", "secret123");
    s.set_membership("pro", "pro");
    let p = s.login("pro", "secret123").await;
    let plain = upload(&s, &a, "plain.bin", pattern(5000, 3)).await;
    let left = |x: &Xml| x.text("bandwidth_left").unwrap_or_default();
    assert_eq!(left(&api(&s, &p, "auth.checkSession", &[]).await), "12000");
    for expected in ["7000", "2000"] {
        let url = direct_url(&s, &p, &plain, None).await;
        assert_eq!(fetch(&s, &url, &[]).await.2.len(), 5000);
        // Charged when the body has gone out: wait for it (bounded).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while left(&api(&s, &p, "auth.checkSession", &[]).await) != expected {
            assert!(
                std::time::Instant::now() < deadline,
                "bandwidth not charged"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    // 2000 left, the file is 5000: 23.
    api(&s, &p, "download.getInfo", &[("file_id", &plain)])
        .await
        .assert_error(23);
    // Downloads through a page URL charge nobody.
    assert_eq!(left(&api(&s, &a, "auth.checkSession", &[]).await), "-1");

    // An ended paid tier: 19.
    s.admin_ok(&[
        "user",
        "set-membership",
        "--user-name",
        "pro",
        "--membership",
        "pro",
        "--ends",
        "2020-01-01T00:00:00Z",
    ]);
    // Seen within `limits.session_cache_ms` (the admin is another process).
    eventually("the ended tier seen", async || {
        let x = api(&s, &p, "download.getInfo", &[("file_id", &plain)]).await;
        !x.is_ok() && x.error_code() == 19
    })
    .await;
});

dual!(ranges_are_byte_exact, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let data = pattern(1_000_003, 4);
    let id = upload(&s, &a, "range.bin", data.clone()).await;
    let url = direct_url(&s, &a, &id, None).await;
    let n = data.len();
    let (status, h, body) = fetch(&s, &url, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body, data);
    assert_eq!(header(&h, "accept-ranges"), "bytes");
    assert_eq!(header(&h, "content-length"), n.to_string());
    let etag = header(&h, "etag");
    let last_modified = header(&h, "last-modified");
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert!(last_modified.ends_with(" GMT"), "{last_modified}");
    for (range, from, to) in [
        ("bytes=0-0", 0, 1),
        ("bytes=0-99", 0, 100),
        ("bytes=500000-", 500_000, n),
        (&format!("bytes={}-{}", n - 1, n - 1) as &str, n - 1, n),
        ("bytes=-1", n - 1, n),
        ("bytes=-4096", n - 4096, n),
        ("bytes=1000-999999999", 1000, n),
    ] {
        let (status, h, body) = fetch(&s, &url, &[("Range", range)]).await;
        assert_eq!(status, 206, "{range}");
        assert_eq!(body, &data[from..to], "{range}");
        assert_eq!(
            header(&h, "content-range"),
            format!("bytes {}-{}/{n}", from, to - 1)
        );
        assert_eq!(header(&h, "content-length"), (to - from).to_string());
    }
    for range in [
        format!("bytes={n}-"),
        format!("bytes={}-{}", n + 5, n + 10),
        "bytes=-0".into(),
    ] {
        let (status, h, body) = fetch(&s, &url, &[("Range", &range)]).await;
        assert_eq!(status, 416, "{range}");
        assert_eq!(header(&h, "content-range"), format!("bytes */{n}"));
        assert!(body.is_empty());
    }
    // Several ranges or nonsense: the whole file.
    for range in ["bytes=0-1,5-6", "lines=1-2", "bytes=x-y"] {
        let (status, _, body) = fetch(&s, &url, &[("Range", range)]).await;
        assert_eq!((status, body.len()), (200, n), "{range}");
    }
    // If-Range: the same file resumes, a changed one starts over.
    let (status, _, body) = fetch(&s, &url, &[("Range", "bytes=10-19"), ("If-Range", &etag)]).await;
    assert_eq!((status, body), (206, data[10..20].to_vec()));
    let (status, _, _) = fetch(
        &s,
        &url,
        &[("Range", "bytes=10-19"), ("If-Range", &last_modified)],
    )
    .await;
    assert_eq!(status, 206);
    let (status, _, body) = fetch(
        &s,
        &url,
        &[("Range", "bytes=10-19"), ("If-Range", "\"other\"")],
    )
    .await;
    assert_eq!((status, body.len()), (200, n));
    // HEAD: the headers, no body, no count.
    let before = files_attr(&s, &a, &id, "downloads").await;
    let resp = s.http.head(&url).send().await.expect("head");
    assert_eq!(resp.status(), 200);
    assert_eq!(header(resp.headers(), "content-length"), n.to_string());
    assert!(header(resp.headers(), "content-disposition").contains("range.bin"));
    assert!(resp.bytes().await.expect("empty").is_empty());
    assert_eq!(files_attr(&s, &a, &id, "downloads").await, before);

    // An empty file: 200 with nothing, any range unsatisfiable.
    let empty = upload(&s, &a, "empty.txt", Vec::new()).await;
    let url = direct_url(&s, &a, &empty, None).await;
    let (status, h, body) = fetch(&s, &url, &[]).await;
    assert_eq!((status, body.len()), (200, 0));
    assert_eq!(header(&h, "content-length"), "0");
    assert_eq!(fetch(&s, &url, &[("Range", "bytes=0-")]).await.0, 416);
});

dual!(
    a_download_counts_once_across_resumed_ranges,
    |b| async move {
        let s = Server::start(b).await;
        let a = s.user_session("alice").await;
        let data = pattern(100_000, 5);
        let id = upload(&s, &a, "resume.bin", data.clone()).await;
        let url = direct_url(&s, &a, &id, None).await;
        // One download in three pieces.
        let mut got = fetch(&s, &url, &[("Range", "bytes=0-32767")]).await.2;
        got.extend(fetch(&s, &url, &[("Range", "bytes=32768-65535")]).await.2);
        got.extend(fetch(&s, &url, &[("Range", "bytes=65536-")]).await.2);
        assert_eq!(got, data);
        assert_eq!(files_attr(&s, &a, &id, "downloads").await, "1");
        // A second whole download counts again.
        fetch(&s, &url, &[]).await;
        assert_eq!(files_attr(&s, &a, &id, "downloads").await, "2");

        // downloads_limit holds on the direct URL: the 3rd start is refused,
        // no bytes; resumed ranges of allowed downloads still work until then.
        api(
            &s,
            &a,
            "files.setInfo",
            &[
                ("file_id", &id),
                ("downloads_limit", "3"),
                ("limit_action", "1"),
            ],
        )
        .await
        .assert_ok();
        assert_eq!(fetch(&s, &url, &[]).await.0, 200);
        let (status, _, body) = fetch(&s, &url, &[]).await;
        assert_eq!(status, 403);
        assert!(!body.windows(16).any(|w| w == &data[..16]));
        assert_eq!(fetch(&s, &url, &[("Range", "bytes=5-")]).await.0, 403);
        api(&s, &a, "download.getInfo", &[("file_id", &id)])
            .await
            .assert_error(11);
        assert_eq!(files_attr(&s, &a, &id, "downloads").await, "3");
    }
);

dual!(
    forged_expired_or_tampered_urls_get_403_and_no_bytes,
    |b| async move {
        let s = Server::start(b).await;
        let a = s.user_session("alice").await;
        let data = pattern(4000, 6);
        let id = upload(&s, &a, "guarded.bin", data.clone()).await;
        let other = upload(&s, &a, "other.bin", pattern(4000, 7)).await;
        let url = direct_url(&s, &a, &id, None).await;
        let (_, tail) = url.split_at(s.url("/dl/").len());
        let parts: Vec<&str> = tail.split('/').collect();
        let (fid, account, expires, sig, name) = (parts[0], parts[1], parts[2], parts[3], parts[4]);
        let flip = |s: &str| {
            let mut c: Vec<char> = s.chars().collect();
            c[0] = if c[0] == 'A' { 'B' } else { 'A' };
            c.into_iter().collect::<String>()
        };
        let later = (expires.parse::<i64>().expect("expires") + 1000).to_string();
        let bob_account = (account.parse::<i64>().expect("account") + 1).to_string();
        for forged in [
            format!("{other}/{account}/{expires}/{sig}/{name}"),
            format!("{fid}/{bob_account}/{expires}/{sig}/{name}"),
            format!("{fid}/0/{expires}/{sig}/{name}"),
            format!("{fid}/{account}/{later}/{sig}/{name}"),
            format!("{fid}/{account}/{expires}/{}/{name}", flip(sig)),
            format!("{fid}/{account}/{expires}/{sig}x/{name}"),
            format!("{fid}/{account}/{expires}/"),
            format!("{fid}/{account}/soon/{sig}/{name}"),
            format!("../{fid}/{account}/{expires}/{sig}"),
        ] {
            let (status, _, body) = fetch(&s, &s.url(&format!("/dl/{forged}")), &[]).await;
            assert!(status == 403 || status == 404, "{forged}: {status}");
            assert!(!body.windows(32).any(|w| w == &data[..32]), "{forged}");
        }
        // The trailing name is cosmetic, and optional.
        let (status, _, body) = fetch(
            &s,
            &s.url(&format!("/dl/{fid}/{account}/{expires}/{sig}/anything.txt")),
            &[],
        )
        .await;
        assert_eq!((status, body), (200, data.clone()));
        let (status, _, _) = fetch(
            &s,
            &s.url(&format!("/dl/{fid}/{account}/{expires}/{sig}")),
            &[],
        )
        .await;
        assert_eq!(status, 200);

        // A URL past its expiry.
        let s = Server::start_with(b, &[("DROPSPACE_LIMITS__DOWNLOAD_URL_TTL_SECS", "-5")]).await;
        let a = s.user_session("alice").await;
        let id = upload(&s, &a, "old.bin", data.clone()).await;
        let url = direct_url(&s, &a, &id, None).await;
        let (status, _, body) = fetch(&s, &url, &[]).await;
        assert_eq!(status, 403);
        assert!(body.len() < 200);

        // A deleted file's URL serves nothing, even if the id comes back.
        let s2 = Server::start(b).await;
        let a2 = s2.user_session("carol").await;
        let id = upload(&s2, &a2, "gone.bin", data.clone()).await;
        let url = direct_url(&s2, &a2, &id, None).await;
        api(&s2, &a2, "files.delete", &[("file_id", &id)])
            .await
            .assert_ok();
        assert_eq!(fetch(&s2, &url, &[]).await.0, 403);
    }
);

dual!(download_page_with_and_without_password, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let data = pattern(2048, 8);
    let answer = upload_with(
        &s,
        &a,
        &[("description", "Q3 <b>figures</b> & more")],
        "q3.csv",
        data.clone(),
    )
    .await;
    let id = kv_get(&answer, "file_id");
    let resp = s
        .http
        .get(s.url(&format!("/file/{id}")))
        .send()
        .await
        .expect("page");
    assert_eq!(resp.status(), 200);
    let csp = header(resp.headers(), "content-security-policy");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = resp.text().await.expect("html");
    let doc = scraper::Html::parse_document(&html);
    let text: String = doc.root_element().text().collect();
    assert!(text.contains("q3.csv") && text.contains("2048 bytes"));
    assert!(
        text.contains("Q3 <b>figures</b> & more"),
        "description shown as text"
    );
    assert!(doc
        .select(&scraper::Selector::parse("b").expect("sel"))
        .all(|b| b.text().collect::<String>() != "figures"));
    let link = download_button(&html);
    assert_eq!(fetch(&s, &link, &[]).await.2, data);

    // With a password: a form first; wrong is refused; right shows the button.
    let answer = upload_with(
        &s,
        &a,
        &[("password", "letmein")],
        "locked.bin",
        data.clone(),
    )
    .await;
    let locked = kv_get(&answer, "file_id");
    let page = s.url(&format!("/file/{locked}"));
    let html = s
        .http
        .get(&page)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("type=\"password\""));
    assert!(!html.contains("/dl/"), "no link before the password");
    let wrong = unlock(&s, &page, "nope").await;
    assert_eq!(wrong.status(), 403);
    assert!(!wrong.text().await.expect("html").contains("/dl/"));
    let right = unlock(&s, &page, "letmein").await;
    assert_eq!(right.status(), 200);
    let html = right.text().await.expect("html");
    let link = download_button(&html);
    assert_eq!(fetch(&s, &link, &[]).await.2, data);

    // Unknown ids: 404 pages.
    for path in ["/file/zzzzzz", "/file/..%2F..%2Fetc", "/file/ABCDEF"] {
        assert_eq!(
            s.http.get(s.url(path)).send().await.expect("404").status(),
            404,
            "{path}"
        );
    }
    // A page download charges nobody and counts once.
    assert_eq!(files_attr(&s, &a, &locked, "downloads").await, "1");
});

dual!(download_passwords_are_throttled, |b| async move {
    // Per file 3 wrong passwords, per address 5, shared by the download
    // page and download.getInfo; then even the right one waits.
    let s = Server::start_with(
        b,
        &[
            ("DROPSPACE_LIMITS__DOWNLOAD_PASSWORD_FAILURES_PER_FILE", "3"),
            (
                "DROPSPACE_LIMITS__DOWNLOAD_PASSWORD_FAILURES_PER_ADDRESS",
                "5",
            ),
            ("DROPSPACE_LIMITS__DOWNLOAD_PASSWORD_DELAY_SECS", "600"),
        ],
    )
    .await;
    let a = s.user_session("alice").await;
    let mut ids = Vec::new();
    for name in ["a.bin", "b.bin", "c.bin"] {
        let answer = upload_with(&s, &a, &[("password", "letmein")], name, pattern(100, 9)).await;
        ids.push(kv_get(&answer, "file_id"));
    }
    let get_info = |id: &str, pw: &str| {
        let (s, a, id, pw) = (&s, &a, id.to_string(), pw.to_string());
        async move {
            api(
                s,
                a,
                "download.getInfo",
                &[("file_id", &id), ("password", &pw)],
            )
            .await
        }
    };
    let page = |id: &str, pw: &str| {
        let (s, id, pw) = (&s, id.to_string(), pw.to_string());
        async move {
            let resp = s
                .http
                .post(s.url(&format!("/file/{id}")))
                .form(&[("password", pw.as_str())])
                .send()
                .await
                .expect("post");
            let status = resp.status().as_u16();
            (status, resp.text().await.expect("html"))
        }
    };
    let says_wait = |x: &Xml| x.error_text().contains("wait");

    // File a: two wrong through the API, one through the page.
    for _ in 0..2 {
        let x = get_info(&ids[0], "guess").await;
        x.assert_error(22);
        assert!(!says_wait(&x), "{}", x.raw);
    }
    assert_eq!(page(&ids[0], "guess").await.0, 403);
    // Now the right password waits, on both.
    let x = get_info(&ids[0], "letmein").await;
    x.assert_error(22);
    assert!(
        x.error_text()
            .starts_with("Too many wrong passwords; wait "),
        "{}",
        x.raw
    );
    let (status, html) = page(&ids[0], "letmein").await;
    assert_eq!(status, 429);
    assert!(
        html.contains("Too many wrong passwords") && !html.contains("/dl/"),
        "{html}"
    );

    // File b is not affected; its right password also does not clear what
    // the address spent.
    get_info(&ids[1], "letmein").await.assert_ok();
    let (status, html) = page(&ids[1], "letmein").await;
    assert_eq!(status, 200);
    assert!(html.contains("/dl/"));
    // Two more wrong ones (file b's 1st and 2nd): the address's 5th.
    get_info(&ids[1], "guess").await.assert_error(22);
    assert_eq!(page(&ids[1], "guess").await.0, 403);
    // The address waits now, for file c too (never guessed).
    let x = get_info(&ids[2], "letmein").await;
    x.assert_error(22);
    assert!(says_wait(&x), "{}", x.raw);
    assert_eq!(page(&ids[2], "letmein").await.0, 429);
    // A file without a password needs none.
    let plain = upload(&s, &a, "plain.bin", pattern(100, 10)).await;
    get_info(&plain, "").await.assert_ok();
});

dual!(storage_failure_is_12_on_download, |b| async move {
    let dir = tempfile::tempdir().expect("dir");
    let flag = dir.path().join("storage-down");
    let s = Server::start_with(
        b,
        &[(
            "DROPSPACE_STORAGE__FAIL_IF_EXISTS",
            &flag.display().to_string(),
        )],
    )
    .await;
    let a = s.user_session("alice").await;
    // Past storage.inline_max_bytes: in the blob store, not the database.
    let id = upload(&s, &a, "f.bin", pattern(100_000, 1)).await;
    let url = direct_url(&s, &a, &id, None).await;
    std::fs::write(&flag, b"down").expect("flag");
    api(&s, &a, "download.getInfo", &[("file_id", &id)])
        .await
        .assert_error(12);
    let (status, _, _) = fetch(&s, &url, &[]).await;
    assert_eq!(status, 503);
    // A refused download is not counted.
    assert_eq!(files_attr(&s, &a, &id, "downloads").await, "0");
    std::fs::remove_file(&flag).expect("heal");
    assert_eq!(fetch(&s, &url, &[]).await.0, 200);
    direct_url(&s, &a, &id, None).await;
});

dual!(
    files_get_info_direct_url_is_signed_for_the_owner,
    |b| async move {
        let s = Server::start(b).await;
        let a = s.user_session("alice").await;
        let data = pattern(3000, 9);
        let id = upload(&s, &a, "own.bin", data.clone()).await;
        let direct = files_attr(&s, &a, &id, "direct_download_url").await;
        assert!(
            direct.starts_with(&s.url(&format!("/dl/{id}/"))),
            "{direct}"
        );
        assert_eq!(fetch(&s, &direct, &[]).await.2, data);
        assert_eq!(files_attr(&s, &a, &id, "downloads").await, "1");
    }
);

// Downloads count by bytes delivered (docs/api-notes.md, "Download
// counting").

async fn limit(s: &Server, session: &str, id: &str, n: &str) {
    api(
        s,
        session,
        "files.setInfo",
        &[
            ("file_id", id),
            ("downloads_limit", n),
            ("limit_action", "1"),
        ],
    )
    .await
    .assert_ok();
}

async fn bytes_served(s: &Server, id: &str) -> i64 {
    count(
        s,
        &format!("SELECT bytes_served FROM files WHERE id = '{id}'"),
    )
    .await
}

dual!(ranges_past_byte_0_cannot_beat_a_limit, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let data = pattern(100_000, 11);
    let id = upload(&s, &a, "once.bin", data.clone()).await;
    limit(&s, &a, &id, "1").await;
    let url = direct_url(&s, &a, &id, None).await;
    // The first `bytes=1-` gets its bytes; the next ones would pass one
    // copy plus the retry allowance (half a copy for a file this small).
    let mut statuses = Vec::new();
    let mut got = 0;
    for _ in 0..5 {
        let (status, _, body) = fetch(&s, &url, &[("Range", "bytes=1-")]).await;
        if status == 206 {
            assert_eq!(body, &data[1..]);
        }
        got += body.len() * usize::from(status == 206);
        statuses.push(status);
    }
    assert_eq!(statuses, [206, 403, 403, 403, 403]);
    assert_eq!(got, 99_999);
    assert_eq!(files_attr(&s, &a, &id, "downloads").await, "0");
    assert_eq!(bytes_served(&s, &id).await, 99_999);
    // The missing byte completes the one copy: counted, and the limit acts.
    let (status, _, body) = fetch(&s, &url, &[("Range", "bytes=0-0")]).await;
    assert_eq!((status, body), (206, data[..1].to_vec()));
    assert_eq!(files_attr(&s, &a, &id, "downloads").await, "1");
    assert_eq!(fetch(&s, &url, &[]).await.0, 403);
    assert_eq!(fetch(&s, &url, &[("Range", "bytes=0-0")]).await.0, 403);
    // No claim is left open.
    assert_eq!(count(&s, "SELECT COUNT(*) FROM download_claims").await, 0);
});

dual!(
    probes_pages_and_head_count_nothing_halves_count_one,
    |b| async move {
        let s = Server::start(b).await;
        let a = s.user_session("alice").await;
        let data = pattern(100_000, 12);
        let id = upload(&s, &a, "halves.bin", data.clone()).await;
        let url = direct_url(&s, &a, &id, None).await;
        // A link scanner: the page, HEAD, the first byte (all of them at once).
        for _ in 0..3 {
            let page = s
                .http
                .get(s.url(&format!("/file/{id}")))
                .send()
                .await
                .expect("page");
            assert_eq!(page.status(), 200);
            let button = download_button(&page.text().await.expect("html"));
            assert_eq!(
                s.http.head(&button).send().await.expect("head").status(),
                200
            );
            assert_eq!(fetch(&s, &url, &[("Range", "bytes=0-0")]).await.0, 206);
        }
        assert_eq!(files_attr(&s, &a, &id, "downloads").await, "0");
        // Two halves, the second first: one download.
        let tail = fetch(&s, &url, &[("Range", "bytes=50000-")]).await.2;
        let head = fetch(&s, &url, &[("Range", "bytes=0-49999")]).await.2;
        assert_eq!([head, tail].concat(), data);
        assert_eq!(files_attr(&s, &a, &id, "downloads").await, "1");
        assert_eq!(bytes_served(&s, &id).await, 100_003);
    }
);

dual!(a_cut_download_resumes_and_counts_once, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let size = 16 * 1024 * 1024;
    let data = pattern(size, 13);
    let id = upload(&s, &a, "cut.bin", data.clone()).await;
    limit(&s, &a, &id, "1").await;
    let url = direct_url(&s, &a, &id, None).await;
    // 60 %, then the connection is cut.
    let (status, mut got, conn) = partial_get(&url, &[], size * 6 / 10).await;
    assert_eq!(status, 200);
    drop(conn);
    eventually("the cut is credited", async || {
        count(&s, "SELECT COUNT(*) FROM download_claims").await == 0
    })
    .await;
    let served = bytes_served(&s, &id).await as usize;
    assert!(served >= got.len() && served < size, "{served} of {size}");
    eprintln!(
        "cut at {} bytes: {served} credited ({} in socket buffers)",
        got.len(),
        served - got.len()
    );
    assert_eq!(files_attr(&s, &a, &id, "downloads").await, "0");
    // The resume under a limit of 1 is served, and completes the one copy.
    let (status, _, rest) = fetch(&s, &url, &[("Range", &format!("bytes={}-", got.len()))]).await;
    assert_eq!(status, 206);
    got.extend(rest);
    assert!(got == data, "the resumed download differs");
    assert_eq!(files_attr(&s, &a, &id, "downloads").await, "1");
    // That was the one download.
    assert_eq!(fetch(&s, &url, &[]).await.0, 403);
    assert_eq!(fetch(&s, &url, &[("Range", "bytes=1-")]).await.0, 403);
});

dual!(a_resume_releases_its_silent_stream, |b| async move {
    // A peer gone silent without closing: the server cannot tell, its
    // stream holds the reservation. The same URL's resume gets the bytes
    // once that stream has been silent for a third of the lease; the
    // silent stream then stops instead of delivering a second copy.
    let s = Server::start_with(b, &[("DROPSPACE_LIMITS__DOWNLOAD_CLAIM_LEASE_SECS", "3")]).await;
    let a = s.user_session("alice").await;
    let size = 24 * 1024 * 1024;
    let data = pattern(size, 14);
    let id = upload(&s, &a, "silent.bin", data.clone()).await;
    limit(&s, &a, &id, "1").await;
    let url = direct_url(&s, &a, &id, None).await;
    let (status, got, mut silent) = partial_get(&url, &[], size * 6 / 10).await;
    assert_eq!(status, 200);
    let from = got.len();
    let range = format!("bytes={from}-");
    let mut rest = Vec::new();
    eventually("the resume is let through", async || {
        let (status, _, body) = fetch(&s, &url, &[("Range", &range)]).await;
        assert!(status == 206 || status == 403, "{status}");
        rest = body;
        status == 206
    })
    .await;
    assert!(
        [&got[..], &rest[..]].concat() == data,
        "the resumed download differs"
    );
    // The silent stream ends broken: never the rest of the file.
    let mut more = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        use tokio::io::AsyncReadExt;
        silent.read_to_end(&mut more).await
    })
    .await
    .expect("the silent stream stops");
    assert!(
        from + more.len() < size,
        "the silent stream delivered everything"
    );
    eventually("every claim closed", async || {
        count(&s, "SELECT COUNT(*) FROM download_claims").await == 0
    })
    .await;
    assert_eq!(files_attr(&s, &a, &id, "downloads").await, "1");
    assert_eq!(fetch(&s, &url, &[]).await.0, 403);
});

dual!(parallel_gets_and_ranges_share_one_budget, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let size = 50_000;
    let id = upload(&s, &a, "hot.bin", pattern(size, 15)).await;
    limit(&s, &a, &id, "4").await;
    let url = direct_url(&s, &a, &id, None).await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let (http, url) = (s.http.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let mut req = http.get(&url);
            if i % 2 == 1 {
                req = req.header("Range", "bytes=1-");
            }
            let resp = req.send().await.expect("get");
            let status = resp.status().as_u16();
            let body = resp.bytes().await.expect("a whole body");
            (status, body.len())
        }));
    }
    let mut delivered = 0;
    let mut whole = 0;
    for t in tasks {
        match t.await.expect("task") {
            (200, n) => {
                assert_eq!(n, size);
                whole += 1;
                delivered += n;
            }
            (206, n) => {
                assert_eq!(n, size - 1);
                delivered += n;
            }
            (status, _) => assert_eq!(status, 403),
        }
    }
    // At most 4 copies and the allowance (half a copy for this size).
    assert!(delivered <= 4 * size + size / 2, "{delivered}");
    assert!(delivered > 3 * size, "{delivered}");
    assert!(whole <= 4);
    assert_eq!(bytes_served(&s, &id).await as usize, delivered);
    let downloads: usize = files_attr(&s, &a, &id, "downloads")
        .await
        .parse()
        .expect("n");
    assert_eq!(downloads, delivered / size);
});

/// Logs in on the web; the cookie header of that login.
async fn web_login(s: &Server, user: &str, password: &str) -> String {
    let page = s
        .http
        .get(s.url("/login"))
        .send()
        .await
        .expect("login page");
    let visitor: Vec<String> = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|c| c.split(';').next().map(str::to_string))
        .collect();
    let html = page.text().await.expect("html");
    let csrf = scraper::Html::parse_document(&html)
        .select(&scraper::Selector::parse("input[name=csrf]").expect("selector"))
        .next()
        .and_then(|i| i.value().attr("value").map(str::to_string))
        .expect("csrf");
    let resp = s
        .http
        .post(s.url("/login"))
        .header("cookie", visitor.join("; "))
        .form(&[
            ("csrf", csrf.as_str()),
            ("user_name", user),
            ("password", password),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(resp.status(), 303);
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|c| c.starts_with("ds_web="))
        .filter_map(|c| c.split(';').next().map(str::to_string))
        .next()
        .expect("login cookie")
}

dual!(
    the_download_page_charges_the_logged_in_visitor,
    |b| async move {
        let s = Server::start_with(b, &[("DROPSPACE_TIERS__PRO__BANDWIDTH", "5000")]).await;
        let a = s.user_session("alice").await;
        let data = pattern(5000, 16);
        let id = upload(&s, &a, "page.bin", data.clone()).await;
        s.create_user("pro", "secret123");
        s.set_membership("pro", "pro");
        let p = s.login("pro", "secret123").await;
        let cookie = web_login(&s, "pro", "secret123").await;
        let left = async || {
            api(&s, &p, "auth.checkSession", &[])
                .await
                .text("bandwidth_left")
                .unwrap_or_default()
        };
        let page_url = async |cookie: Option<&str>| {
            let mut req = s.http.get(s.url(&format!("/file/{id}")));
            if let Some(c) = cookie {
                req = req.header("cookie", c);
            }
            download_button(&req.send().await.expect("page").text().await.expect("html"))
        };
        // The logged-in visitor's download is charged to them.
        let url = page_url(Some(&cookie)).await;
        assert_eq!(fetch(&s, &url, &[]).await.2, data);
        eventually("the page download is charged", async || left().await == "0").await;
        // Over the bandwidth: the page's URL is refused, to them only.
        let url = page_url(Some(&cookie)).await;
        let (status, _, body) = fetch(&s, &url, &[]).await;
        assert_eq!(status, 403);
        assert!(!body.windows(32).any(|w| w == &data[..32]));
        assert_eq!(fetch(&s, &page_url(None).await, &[]).await.2, data);
        assert_eq!(files_attr(&s, &a, &id, "downloads").await, "2");
    }
);
