//! Abuse limits against a real server: request rates per address and per
//! account, upload starts, open uploads per account and per address, the
//! request-head caps and the header-read timeout. Each limit answers with
//! the spec's error (15 "try again later" for rates, 13 for uploads) or
//! the HTTP status for broken requests, and never hangs.

mod common;

use std::time::Duration;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Calls until the server answers 15; how many calls went through first.
/// A rate of 1/s cannot let 200 quick calls through unless they took
/// minutes, so this does not depend on timing.
async fn calls_until_limited(s: &Server, params: &[(&str, &str)]) -> usize {
    for n in 0..200 {
        let x = s.call(params).await;
        if !x.is_ok() {
            x.assert_error(15);
            assert!(x.error_text().contains("Too many requests"), "{}", x.raw);
            return n;
        }
    }
    panic!("200 calls and no rate limit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_calls_per_address_are_limited() {
    let s = Server::start_with(
        Backend::Sqlite,
        &[
            ("DROPSPACE_LIMITS__API_CALLS_PER_ADDRESS", "1"),
            ("DROPSPACE_LIMITS__API_BURST_PER_ADDRESS", "5"),
        ],
    )
    .await;
    let api_key = s.api_key.clone();
    let params = [
        ("method", "auth.createToken"),
        ("api_key", api_key.as_str()),
        ("api_version", "1.0"),
    ];
    let passed = calls_until_limited(&s, &params).await;
    assert!(passed >= 5, "the burst goes through first ({passed})");
    // The file_send API shares the address's budget: 429, not a hang.
    let resp = s
        .http
        .get(s.url("/api/user_info"))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status().as_u16(), 429);
}

/// Behind a proxy that appends the peer to `X-Forwarded-For`, a client
/// that invents a new first hop on every call still counts as the address
/// the proxy appended (the right-most).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spoofed_forwarded_for_hops_share_the_appended_address() {
    let s = Server::start_with(
        Backend::Sqlite,
        &[
            ("DROPSPACE_TRUST_FORWARDED_FOR", "true"),
            ("DROPSPACE_LIMITS__API_CALLS_PER_ADDRESS", "1"),
            ("DROPSPACE_LIMITS__API_BURST_PER_ADDRESS", "5"),
        ],
    )
    .await;
    let api_key = s.api_key.clone();
    let params = [
        ("method", "auth.createToken"),
        ("api_key", api_key.as_str()),
        ("api_version", "1.0"),
    ];
    let call = |forwarded: String| {
        let req = s
            .http
            .get(s.url("/rest/"))
            .query(&params)
            .header("x-forwarded-for", forwarded);
        async move { Xml::from_response(req.send().await.expect("request")).await }
    };
    let mut passed = None;
    for n in 0..200u32 {
        let spoofed = format!("198.51.{}.{}, 10.0.0.1, 203.0.113.7", n / 250, n % 250 + 1);
        let x = call(spoofed).await;
        if !x.is_ok() {
            x.assert_error(15);
            passed = Some(n);
            break;
        }
    }
    let passed = passed.expect("200 calls with rotated first hops and no rate limit");
    assert!((5..20).contains(&passed), "{passed}");
    // The limit is the appended address's, not the proxy's (the peer):
    // another client behind the same proxy still gets through.
    call("198.51.100.1, 203.0.113.8".into()).await.assert_ok();
}

dual!(api_calls_per_account_are_limited, |b| async move {
    // The harness turns every limit off unless a test sets it.
    let env = [
        ("DROPSPACE_LIMITS__API_CALLS_PER_ACCOUNT", "1"),
        ("DROPSPACE_LIMITS__API_BURST_PER_ACCOUNT", "3"),
    ];
    let s = Server::start_with(b, &env).await;
    let busy = s.user_session("busy").await;
    let calm = s.user_session("calm").await;
    let passed = calls_until_limited(
        &s,
        &[
            ("method", "auth.checkSession"),
            ("session_key", busy.as_str()),
        ],
    )
    .await;
    assert!(passed >= 3, "{passed}");
    // Another account from the same address is not held back.
    api(&s, &calm, "auth.checkSession", &[]).await.assert_ok();
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_starts_are_limited() {
    let env = [
        ("DROPSPACE_LIMITS__UPLOAD_STARTS_PER_MINUTE", "1"),
        ("DROPSPACE_LIMITS__UPLOAD_STARTS_BURST", "2"),
    ];
    let s = Server::start_with(Backend::Sqlite, &env).await;
    let session = s.user_session("starter").await;
    let passed = calls_until_limited(
        &s,
        &[
            ("method", "upload.getInfo"),
            ("session_key", session.as_str()),
        ],
    )
    .await;
    assert_eq!(passed, 2, "the burst, then 15");
    // Other methods of the same account still work.
    api(&s, &session, "auth.checkSession", &[])
        .await
        .assert_ok();
}

/// Starts an upload that sends half its body and then waits: returns the
/// open connection once the server counts the upload as streaming.
async fn half_upload(s: &Server, info: &UploadInfo) -> TcpStream {
    let (ctype, body) = info.raw("held.bin", &pattern(200_000, 1));
    let url = url::Url::parse(&info.url).expect("upload url");
    let addr = format!(
        "{}:{}",
        url.host_str().expect("host"),
        url.port().expect("port")
    );
    let mut conn = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: x\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
        url.path(),
        body.len()
    );
    conn.write_all(head.as_bytes()).await.expect("head");
    conn.write_all(&body[..body.len() / 2]).await.expect("half");
    let ident = info.ident.clone();
    for _ in 0..400 {
        let n = count(
            s,
            &format!("SELECT COUNT(*) FROM upload_ids WHERE id = '{ident}' AND state = 1"),
        )
        .await;
        if n == 1 {
            return conn;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the held upload never started");
}

dual!(open_uploads_per_account_are_capped, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_LIMITS__OPEN_UPLOADS_PER_ACCOUNT", "1")]).await;
    let session = s.user_session("juggler").await;
    let held = upload_info(&s, &session, "0").await;
    let conn = half_upload(&s, &held).await;
    let second = upload_info(&s, &session, "0").await;
    let answer = post_raw(&s.http, &second.url, second.raw("b.bin", &pattern(10, 2))).await;
    assert_eq!(kv_get(&answer, "upload_status"), "fail", "{answer:?}");
    assert_eq!(kv_get(&answer, "error_code"), "13", "{answer:?}");
    assert!(kv_get(&answer, "error").contains("Too many uploads"));
    // Once the first one is gone, uploads go through again (the refused
    // identifier was not spent).
    drop(conn);
    let mut ok = false;
    for _ in 0..400 {
        if count(&s, "SELECT COUNT(*) FROM upload_ids WHERE state = 1").await == 0 {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(ok, "the cut-off upload ends");
    let answer = post_raw(&s.http, &second.url, second.raw("b.bin", &pattern(10, 2))).await;
    assert_eq!(kv_get(&answer, "upload_status"), "ok", "{answer:?}");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_uploads_per_address_are_capped() {
    let s = Server::start_with(
        Backend::Sqlite,
        &[("DROPSPACE_LIMITS__OPEN_UPLOADS_PER_ADDRESS", "1")],
    )
    .await;
    let held = anon_info(&s).await;
    let _conn = half_upload(&s, &held).await;
    let second = anon_info(&s).await;
    let (ctype, body) = second.raw("b.bin", &pattern(10, 2));
    let text = s
        .http
        .post(&second.url)
        .header("content-type", ctype)
        .body(body)
        .send()
        .await
        .expect("upload")
        .text()
        .await
        .expect("answer");
    // Refused before the identifier is read, so in the plain format.
    let answer = kv(&text);
    assert_eq!(kv_get(&answer, "upload_status"), "fail", "{text}");
    assert_eq!(kv_get(&answer, "error_code"), "13", "{text}");
    assert!(text.contains("Too many uploads"), "{text}");
}

/// Sends raw bytes, returns what the server answered until it closed.
async fn raw_exchange(s: &Server, request: &[u8]) -> String {
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut conn = TcpStream::connect(addr).await.expect("connect");
    // The server may answer and close before reading everything.
    let _ = conn.write_all(request).await;
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), conn.read_to_end(&mut out)).await;
    assert!(read.is_ok(), "the server neither answered nor closed");
    String::from_utf8_lossy(&out).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_heads_are_capped_and_timed() {
    let s = Server::start_with(
        Backend::Sqlite,
        &[
            ("DROPSPACE_LIMITS__MAX_HEADER_BYTES", "16384"),
            ("DROPSPACE_LIMITS__MAX_HEADERS", "20"),
            ("DROPSPACE_LIMITS__HEADER_READ_SECS", "1"),
            ("DROPSPACE_LIMITS__UPLOAD_IDLE_SECS", "1"),
        ],
    )
    .await;
    let huge = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(40_000)
    );
    let answer = raw_exchange(&s, huge.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");

    let mut many = String::from("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    for i in 0..50 {
        many.push_str(&format!("X-H{i}: v\r\n"));
    }
    many.push_str("\r\n");
    let answer = raw_exchange(&s, many.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");

    // Slowloris: half a request head, then nothing. The server hangs up.
    let answer = raw_exchange(&s, b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await;
    assert!(!answer.contains("200 OK"), "{answer}");

    // A parameter body that trickles in is cut off with 16, not waited for.
    let answer = raw_exchange(
        &s,
        b"POST /rest/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
          Content-Length: 100\r\nConnection: close\r\n\r\nmethod=auth",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("code=\"16\""), "{answer}");

    // Too many parameters in one call: 16.
    let mut body = String::from("method=auth.createToken");
    for i in 0..300 {
        body.push_str(&format!("&p{i}=1"));
    }
    let x = Xml::from_response(
        s.http
            .post(s.url("/rest/"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("post"),
    )
    .await;
    x.assert_error(16);

    // A normal request still works.
    let ok = raw_exchange(
        &s,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
}

dual!(upload_form_parts_and_fields_are_capped, |b| async move {
    let s = Server::start(b).await;
    let session = s.user_session("former").await;
    // 100 text fields before the file: more parts than a form has.
    let info = upload_info(&s, &session, "0").await;
    let many: Vec<(String, String)> = (0..100).map(|i| (format!("f{i}"), "x".into())).collect();
    let fields: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let answer = send_form(&s, &info.url, info.form(&fields, "a.bin", pattern(10, 1))).await;
    assert_eq!(kv_get(&answer, "upload_status"), "fail", "{answer:?}");
    assert_eq!(kv_get(&answer, "error_code"), "16", "{answer:?}");
    // A description of 100 KiB: longer than any text field may be.
    let info = upload_info(&s, &session, "0").await;
    let long = "d".repeat(100 * 1024);
    let answer = send_form(
        &s,
        &info.url,
        info.form(&[("description", &long)], "a.bin", pattern(10, 1)),
    )
    .await;
    assert_eq!(kv_get(&answer, "upload_status"), "fail", "{answer:?}");
    assert_eq!(kv_get(&answer, "error_code"), "16", "{answer:?}");
    // Neither left anything behind.
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 0);
});

/// An anonymous upload with these form fields: its status and error code.
async fn anon_upload(s: &Server, fields: &[(&str, &str)]) -> (String, Option<String>) {
    let info = anon_info(s).await;
    let text = post_form(s, &info.url, info.form(fields, "a.txt", b"spam".to_vec()))
        .await
        .text()
        .await
        .expect("xml");
    let doc = roxmltree::Document::parse(&text).expect("upload_done XML");
    let root = doc.root_element();
    let child = |n: &str| root.children().find(|c| c.tag_name().name() == n);
    let status = child("status")
        .and_then(|c| c.text())
        .unwrap_or("")
        .to_string();
    let code = child("error").and_then(|c| c.attribute("code").map(str::to_string));
    (status, code)
}

/// An upload with a session: `upload_status` and `error_code`.
async fn account_upload(s: &Server, session: &str, fields: &[(&str, &str)]) -> (String, String) {
    let answer = upload_with(s, session, fields, "a.txt", b"mail".to_vec()).await;
    let get = |k: &str| {
        answer
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    (get("upload_status"), get("error_code"))
}

/// Files stored, and mails written once the queue is delivered.
async fn files_and_mails(s: &Server) -> (i64, usize) {
    let files = count(s, "SELECT COUNT(*) FROM files").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while count(s, "SELECT COUNT(*) FROM mail_queue").await != 0 {
        assert!(std::time::Instant::now() < deadline, "mail not delivered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (files, s.outbox().len())
}

fn addresses(n: usize) -> String {
    (0..n)
        .map(|i| format!("r{i}@example.com"))
        .collect::<Vec<_>>()
        .join(", ")
}

dual!(upload_recipients_and_message_are_capped, |b| async move {
    let env = [
        ("DROPSPACE_LIMITS__RECIPIENTS_PER_UPLOAD_ANONYMOUS", "2"),
        ("DROPSPACE_LIMITS__RECIPIENTS_PER_UPLOAD_ACCOUNT", "3"),
    ];
    let s = Server::start_with(b, &env).await;
    let three = addresses(3);
    let (status, code) = anon_upload(&s, &[("recipient_email", &three)]).await;
    assert_eq!((status.as_str(), code.as_deref()), ("fail", Some("21")));
    let long = "x".repeat(10_001);
    let (status, code) = anon_upload(
        &s,
        &[
            ("recipient_email", "a@example.com"),
            ("recipient_message", &long),
        ],
    )
    .await;
    assert_eq!((status.as_str(), code.as_deref()), ("fail", Some("21")));
    assert_eq!(
        files_and_mails(&s).await,
        (0, 0),
        "nothing stored or mailed"
    );

    let two = addresses(2);
    let fine = "y".repeat(10_000);
    let (status, _) = anon_upload(
        &s,
        &[("recipient_email", &two), ("recipient_message", &fine)],
    )
    .await;
    assert_eq!(status, "ok");

    let a = s.user_session("amy").await;
    let four = addresses(4);
    let (status, code) = account_upload(&s, &a, &[("recipient_email", &four)]).await;
    assert_eq!((status.as_str(), code.as_str()), ("fail", "21"));
    assert_eq!(files_and_mails(&s).await.0, 1);
    let (status, _) = account_upload(&s, &a, &[("recipient_email", &three)]).await;
    assert_eq!(status, "ok");
    assert_eq!(files_and_mails(&s).await, (2, 5));
});

dual!(anonymous_recipients_can_be_refused, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_ANONYMOUS_RECIPIENTS", "false")]).await;
    let (status, code) = anon_upload(&s, &[("recipient_email", "a@example.com")]).await;
    assert_eq!((status.as_str(), code.as_deref()), ("fail", Some("21")));
    assert_eq!(files_and_mails(&s).await, (0, 0));
    let (status, _) = anon_upload(&s, &[]).await;
    assert_eq!(status, "ok");
    let a = s.user_session("amy").await;
    let (status, _) = account_upload(&s, &a, &[("recipient_email", "a@example.com")]).await;
    assert_eq!(status, "ok");
    assert_eq!(files_and_mails(&s).await, (2, 1));
});

// Anonymous uploads' share mails come from `mail.from` as configured, not
// from a made-up person; an account's carry its holder's name.
dual!(
    anonymous_share_mails_come_from_the_configured_sender,
    |b| async move {
        let s = Server::start(b).await;
        let (status, _) = anon_upload(&s, &[("recipient_email", "anon-to@example.com")]).await;
        assert_eq!(status, "ok");
        let mail = s.wait_mail(|m| m.contains("To: anon-to@example.com")).await;
        assert!(
            mail.contains("From: dropspace <noreply@localhost>"),
            "{mail}"
        );
        assert!(
            !mail.contains("Someone") && !mail.contains("Reply-To"),
            "{mail}"
        );
        let a = s.user_session("amy").await;
        let (status, _) =
            account_upload(&s, &a, &[("recipient_email", "amy-to@example.com")]).await;
        assert_eq!(status, "ok");
        let mail = s.wait_mail(|m| m.contains("To: amy-to@example.com")).await;
        assert!(mail.contains("From: amy <noreply@localhost>"), "{mail}");
    }
);

dual!(share_mails_per_address_are_limited, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_LIMITS__MAILS_PER_HOUR_PER_ADDRESS", "3")]).await;
    let two = addresses(2);
    let (status, _) = anon_upload(&s, &[("recipient_email", &two)]).await;
    assert_eq!(status, "ok");
    // The count is in the database: another node sees it.
    let other = s.another_node().await;
    let (status, code) = anon_upload(&other, &[("recipient_email", &two)]).await;
    assert_eq!((status.as_str(), code.as_deref()), ("fail", Some("15")));
    assert_eq!(
        files_and_mails(&s).await,
        (1, 2),
        "the refused upload is not stored"
    );
    let (status, _) = anon_upload(&other, &[("recipient_email", "last@example.com")]).await;
    assert_eq!(status, "ok");
    // files.sendMail from the same address counts too.
    let a = s.user_session("amy").await;
    let id = upload(&s, &a, "f.txt", b"f".to_vec()).await;
    let x = api(
        &s,
        &a,
        "files.sendMail",
        &[("file_id", &id), ("emails", "x@example.com")],
    )
    .await;
    x.assert_error(15);
    assert!(x.error_text().contains("try again"), "{}", x.raw);
    assert_eq!(files_and_mails(&s).await.1, 3);
});

dual!(share_mails_per_account_are_limited, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_LIMITS__MAILS_PER_HOUR_PER_ACCOUNT", "3")]).await;
    let a = s.user_session("amy").await;
    let id = upload(&s, &a, "f.txt", b"f".to_vec()).await;
    let two = addresses(2);
    let send = |session: String, file: String, to: String| {
        let s = &s;
        async move {
            api(
                s,
                &session,
                "files.sendMail",
                &[("file_id", &file), ("emails", &to)],
            )
            .await
        }
    };
    send(a.clone(), id.clone(), two.clone()).await.assert_ok();
    send(a.clone(), id.clone(), two.clone())
        .await
        .assert_error(15);
    let (status, code) = account_upload(&s, &a, &[("recipient_email", &two)]).await;
    assert_eq!((status.as_str(), code.as_str()), ("fail", "15"));
    assert_eq!(files_and_mails(&s).await, (1, 2));
    // Another account from the same address has its own budget.
    let b2 = s.user_session("bob").await;
    let (status, _) = account_upload(&s, &b2, &[("recipient_email", &two)]).await;
    assert_eq!(status, "ok");
    assert_eq!(files_and_mails(&s).await, (2, 4));
});

// ---- public pages opened by id or token ----

/// The page limits at their defaults (the harness turns them off).
const PAGES_ON: &[(&str, &str)] = &[
    ("DROPSPACE_LIMITS__PAGE_VIEWS_PER_ADDRESS", "300"),
    ("DROPSPACE_LIMITS__PROGRESS_POLLS_PER_ADDRESS", "3600"),
];

/// GETs `url(n)` for n = 0, 1, … until the answer is 429; how many got
/// another answer first (each must be `expect`), and the 429. Rates of a
/// few per second cannot let 200 quick requests through, so this does not
/// depend on timing.
async fn views_until_limited(
    http: &reqwest::Client,
    url: impl Fn(usize) -> String,
    expect: u16,
) -> (usize, reqwest::Response) {
    for n in 0..200 {
        let resp = http.get(url(n)).send().await.expect("request");
        match resp.status().as_u16() {
            429 => return (n, resp),
            code => assert_eq!(code, expect, "{}", url(n)),
        }
    }
    panic!("200 views of {} and no limit", url(0));
}

/// The `n`-th guess at a six-character id: `n` in base 36 over [a-z0-9],
/// the shape real ids have (a random one is hit with odds of 1 in 2·10⁹).
fn guess(n: usize) -> String {
    let digits = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut id = [b'z'; 6];
    let mut n = n;
    for c in id.iter_mut().rev() {
        *c = digits[n % 36];
        n /= 36;
    }
    String::from_utf8_lossy(&id).into_owned()
}

/// Asserts the refusal: 429, `Retry-After`, a page in the site's frame.
async fn assert_page_refused(resp: reqwest::Response) {
    assert_eq!(resp.status().as_u16(), 429);
    let wait: u64 = header(resp.headers(), "retry-after")
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert!(content_type(&resp).starts_with("text/html"));
    assert!(!header(resp.headers(), "content-security-policy").is_empty());
    let body = resp.text().await.expect("body");
    assert!(
        // "1 second", "2 seconds".
        body.contains("Too many requests") && body.contains(&format!("Wait {wait} second")),
        "{body}"
    );
}

// Guessing ids runs out after about burst / miss weight misses (defaults:
// 100 / 10), while a visitor viewing real pages many times does not, and
// other addresses keep their own budget.
dual!(guessed_page_ids_run_out_quickly, |b| async move {
    let s = Server::start_with(b, PAGES_ON).await;
    let session = s.user_session("sharer").await;
    let folder = mkdir(&s, &session, "public", "0", "1").await;
    let file = seed_file_in(&s, "sharer", &folder, "a.txt", b"hello").await;
    let visitor = client_from("127.0.0.2");
    for (path, times) in [
        (format!("/file/{file}"), 30),
        (format!("/folder/{folder}"), 10),
        (format!("/rss/{folder}"), 10),
    ] {
        for _ in 0..times {
            let resp = visitor.get(s.url(&path)).send().await.expect("view");
            assert_eq!(resp.status().as_u16(), 200, "{path}");
        }
    }
    let guesser = client_from("127.0.0.3");
    let (misses, refused) =
        views_until_limited(&guesser, |n| s.url(&format!("/file/{}", guess(n))), 404).await;
    assert!((5..=12).contains(&misses), "{misses} misses before 429");
    assert_page_refused(refused).await;
    // The address is out of views, for real pages too.
    let resp = guesser.get(s.url(&format!("/file/{file}"))).send().await;
    assert_eq!(resp.expect("view").status().as_u16(), 429);
    // Others are not.
    for http in [&visitor, &s.http] {
        let resp = http.get(s.url(&format!("/file/{file}"))).send().await;
        assert_eq!(resp.expect("view").status().as_u16(), 200);
    }
    // Every page opened by id or token counts misses the same way, each
    // guessed here from an address of its own.
    let pages: [(&str, String); 6] = [
        ("folder", "/folder/".into()),
        ("rss", "/rss/".into()),
        ("activate", "/activate/".into()),
        ("delete", format!("/delete/{file}/")),
        ("recipient link", "/s/".into()),
        ("recipient download", "/s/nosuchtoken/f/".into()),
    ];
    for (i, (what, prefix)) in pages.iter().enumerate() {
        let http = client_from(&format!("127.0.1.{}", i + 1));
        let (misses, refused) =
            views_until_limited(&http, |n| s.url(&format!("{prefix}{}", guess(n))), 404).await;
        assert!((5..=12).contains(&misses), "{what}: {misses} misses");
        assert_page_refused(refused).await;
    }
    // The API is not a page: its own limits (off here) apply.
    s.call(&[
        ("method", "auth.createToken"),
        ("api_key", &s.api_key),
        ("api_version", "1.0"),
    ])
    .await
    .assert_ok();
});

// An uploader polls `progress_url` far faster than any real one (about 1/s
// per upload) from an address whose page views are spent: every poll is
// answered, the upload goes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_polling_of_an_upload_is_not_limited() {
    let s = Server::start_with(Backend::Sqlite, PAGES_ON).await;
    let session = s.user_session("poller").await;
    let (_, refused) =
        views_until_limited(&s.http, |n| s.url(&format!("/file/{}", guess(n))), 404).await;
    assert_eq!(refused.status().as_u16(), 429);
    let info = upload_info(&s, &session, "0").await;
    let data = pattern(2 << 20, 9);
    let (ctype, body) = info.raw("polled.bin", &data);
    let (tx, rx) = futures::channel::mpsc::unbounded::<Result<Vec<u8>, std::io::Error>>();
    let sending = tokio::spawn(
        s.http
            .post(&info.url)
            .header("content-type", ctype)
            .body(reqwest::Body::wrap_stream(rx))
            .send(),
    );
    let mut polls = 0;
    for piece in body.chunks(body.len() / 20 + 1) {
        tx.unbounded_send(Ok(piece.to_vec())).expect("send a piece");
        for _ in 0..20 {
            // `progress` fails on anything but a <progress> document.
            let p = progress(&s, &info.progress_url).await;
            assert_eq!(p[0].1, "ok", "{p:?}");
            polls += 1;
        }
    }
    drop(tx);
    let answer = kv(&sending
        .await
        .expect("upload task")
        .expect("upload")
        .text()
        .await
        .expect("answer"));
    assert_eq!(kv_get(&answer, "upload_status"), "ok", "{answer:?}");
    assert_eq!(progress(&s, &info.progress_url).await[0].1, "done");
    assert!(polls >= 400);
}

// `progress_url` has a budget of its own: spent, it is 429 too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_polls_have_a_limit_of_their_own() {
    let s = Server::start_with(
        Backend::Sqlite,
        &[
            ("DROPSPACE_LIMITS__PROGRESS_POLLS_PER_ADDRESS", "60"),
            ("DROPSPACE_LIMITS__PROGRESS_POLLS_BURST", "5"),
        ],
    )
    .await;
    let session = s.user_session("eager").await;
    let info = upload_info(&s, &session, "0").await;
    let (polls, refused) = views_until_limited(&s.http, |_| info.progress_url.clone(), 200).await;
    assert!((5..=10).contains(&polls), "{polls} polls before 429");
    assert_page_refused(refused).await;
    // Pages are a separate budget (off here).
    let resp = s.http.get(s.url("/file/nosuch")).send().await;
    assert_eq!(resp.expect("page").status().as_u16(), 404);
}
