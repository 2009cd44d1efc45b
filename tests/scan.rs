//! Virus scanning of uploads (docs/scanning.md) against the real clamd of
//! Debian's `clamav-daemon`, started by each test with a signature database
//! of its own (no download): the EICAR test string by its MD5 (`.hdb`) and
//! a marker string anywhere in a file (`.ndb`). Form and resumable uploads,
//! unix socket and TCP, clamd stopped (fail closed and open), its timeout,
//! and the quarantine of files over `scan.max_bytes`.
//!
//! Without clamd installed the tests print a note and pass; with CI=true
//! they fail (.ci/run installs it).

mod common;
use common::clamd::{Clamd, EICAR, EICAR_NAME, MARKER, MARKER_NAME};
use common::*;

use std::time::{Duration, Instant};

fn refusal(name: &str) -> String {
    format!("Virus found ({name}): the file was not stored")
}

const UNAVAILABLE: &str =
    "The virus scanner is unavailable: the file was not stored, try again later";

/// A server scanning with clamd at `addr`, plus `extra` settings.
async fn server(b: Backend, addr: &str, extra: &[(&str, &str)]) -> Server {
    let mut env = vec![
        ("DROPSPACE_SCAN__CLAMD", addr),
        ("DROPSPACE_SCAN__TIMEOUT_SECS", "20"),
    ];
    env.extend_from_slice(extra);
    Server::start_with(b, &env).await
}

/// `n` bytes of test data with `MARKER` in the middle.
fn marked(n: usize) -> Vec<u8> {
    let mut data = pattern(n, 9);
    let at = n / 2;
    data[at..at + MARKER.len()].copy_from_slice(MARKER.as_bytes());
    data
}

/// The ids `folders.getContents` lists in the root.
async fn listed(s: &Server, session: &str) -> Vec<String> {
    let x = api(s, session, "folders.getContents", &[("folder_id", "0")]).await;
    x.assert_ok();
    x.all("file")
        .iter()
        .map(|attrs| attr_of(attrs, "id").to_string())
        .collect()
}

/// A refused upload left nothing: the files and blobs as before, no
/// pending blob, no inline bytes of it, the account charged as before.
async fn kept_only(s: &Server, files: i64, blobs: &[String], disk_used: i64) {
    assert_eq!(count(s, "SELECT COUNT(*) FROM files").await, files);
    assert_eq!(count(s, "SELECT COUNT(*) FROM pending_blobs").await, 0);
    let mut left = stored_blobs(s).await;
    left.sort();
    let mut want = blobs.to_vec();
    want.sort();
    assert_eq!(left, want, "blobs left behind");
    assert_eq!(
        s.db_i64("SELECT CAST(COALESCE(SUM(disk_used), 0) AS BIGINT) FROM users")
            .await,
        disk_used,
        "disk space charged"
    );
    assert_eq!(
        count(
            s,
            "SELECT COUNT(*) FROM inline_blobs WHERE blob_key NOT IN (SELECT blob_key FROM files)"
        )
        .await,
        0
    );
}

/// A session upload refused with `code` and `text`.
fn assert_refused(answer: &[(String, String)], code: &str, text: &str) {
    assert_eq!(kv_get(answer, "upload_status"), "fail", "{answer:?}");
    assert_eq!(kv_get(answer, "error_code"), code, "{answer:?}");
    assert_eq!(kv_get(answer, "error"), text, "{answer:?}");
}

dual!(
    form_uploads_are_scanned_before_they_are_stored,
    |b| async move {
        let Some(clamd) = Clamd::start().await else {
            return;
        };
        let s = server(
            b,
            &clamd.unix(),
            &[("DROPSPACE_STORAGE__INLINE_MAX_BYTES", "0")],
        )
        .await;
        let a = s.user_session("alice").await;
        // A clean file is stored and served as sent.
        let clean = pattern(200_000, 1);
        let id = upload(&s, &a, "clean.bin", clean.clone()).await;
        assert_eq!(served(&s, &a, &id).await, clean);
        let blobs = stored_blobs(&s).await;
        assert_eq!(blobs.len(), 1);
        // The EICAR file is refused whole: 21, the signature named.
        let answer = upload_with(&s, &a, &[], "eicar.com", EICAR.to_vec()).await;
        assert_refused(&answer, "21", &refusal(EICAR_NAME));
        kept_only(&s, 1, &blobs, clean.len() as i64).await;
        // So is a larger file carrying the marker anywhere.
        let answer = upload_with(&s, &a, &[], "marked.bin", marked(300_000)).await;
        assert_refused(&answer, "21", &refusal(MARKER_NAME));
        kept_only(&s, 1, &blobs, clean.len() as i64).await;
        assert_eq!(listed(&s, &a).await, [id]);
        // The refusal is the upload's own: its progress says fail.
        let info = upload_info(&s, &a, "0").await;
        let answer = send_form(&s, &info.url, info.form(&[], "e.com", EICAR.to_vec())).await;
        assert_refused(&answer, "21", &refusal(EICAR_NAME));
        let p = progress(&s, &info.progress_url).await;
        assert_eq!(p[0], ("status".to_string(), "fail".to_string()));
        // An anonymous upload hears it in its XML.
        let info = anon_info(&s).await;
        let text = post_form(&s, &info.url, info.form(&[], "e.com", EICAR.to_vec()))
            .await
            .text()
            .await
            .expect("answer");
        assert!(text.contains("<status>fail</status>"), "{text}");
        assert!(text.contains("code=\"21\""), "{text}");
        assert!(
            text.contains(&format!("text=\"{}\"", refusal(EICAR_NAME))),
            "{text}"
        );
        kept_only(&s, 1, &blobs, clean.len() as i64).await;
        // A redirecting form is sent back with upload_status=fail.
        let info = upload_info(&s, &a, "0").await;
        let resp = post_form(
            &s,
            &info.url,
            info.form(
                &[("redirect_url", "https://example.com/done")],
                "e.com",
                EICAR.to_vec(),
            ),
        )
        .await;
        assert_eq!(resp.status(), 302);
        assert_eq!(
            header(resp.headers(), "location"),
            "https://example.com/done?upload_status=fail&file_id="
        );
        kept_only(&s, 1, &blobs, clean.len() as i64).await;
    }
);

dual!(
    small_files_kept_inline_are_scanned_over_tcp,
    |b| async move {
        let Some(clamd) = Clamd::start().await else {
            return;
        };
        // Files up to 16 KiB are kept in the database: scanned from memory.
        let s = server(b, &clamd.tcp(), &[]).await;
        let a = s.user_session("alice").await;
        let id = upload(&s, &a, "note.txt", b"hello, scanner".to_vec()).await;
        assert_eq!(served(&s, &a, &id).await, b"hello, scanner");
        let answer = upload_with(&s, &a, &[], "eicar.txt", EICAR.to_vec()).await;
        assert_refused(&answer, "21", &refusal(EICAR_NAME));
        assert_eq!(count(&s, "SELECT COUNT(*) FROM inline_blobs").await, 1);
        kept_only(&s, 1, &[], 14).await;
        // An empty file is clean.
        let id = upload(&s, &a, "empty", Vec::new()).await;
        assert_eq!(served(&s, &a, &id).await, b"");
    }
);

/// A whole resumable upload: created, then its bytes in one PATCH; the
/// PATCH's answer.
async fn tus_upload(s: &Server, info: &UploadInfo, name: &str, data: &[u8]) -> reqwest::Response {
    let created = s
        .http
        .post(s.url("/tus/"))
        .header("tus-resumable", "1.0.0")
        .header("upload-length", data.len().to_string())
        .header(
            "upload-metadata",
            tus_metadata(&[
                ("upload_identifier", &info.ident),
                ("extra_info", &info.extra),
                ("filename", name),
            ]),
        )
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201);
    let url = header(created.headers(), "location");
    s.http
        .patch(&url)
        .header("tus-resumable", "1.0.0")
        .header("content-type", "application/offset+octet-stream")
        .header("upload-offset", "0")
        .body(data.to_vec())
        .send()
        .await
        .expect("patch")
}

dual!(
    resumable_uploads_are_scanned_before_they_are_stored,
    |b| async move {
        let Some(clamd) = Clamd::start().await else {
            return;
        };
        let s = server(
            b,
            &clamd.tcp(),
            &[("DROPSPACE_STORAGE__INLINE_MAX_BYTES", "0")],
        )
        .await;
        let a = s.user_session("alice").await;
        let clean = pattern(300_000, 2);
        let info = upload_info(&s, &a, "0").await;
        let done = tus_upload(&s, &info, "clean.bin", &clean).await;
        assert_eq!(done.status(), 204);
        assert_eq!(header(done.headers(), "x-dropspace-scan"), "");
        let id = header(done.headers(), "x-dropspace-file-id");
        assert_eq!(served(&s, &a, &id).await, clean);
        let blobs = stored_blobs(&s).await;
        assert_eq!(blobs.len(), 1);
        // The marked file is refused when its last byte arrives: 422 with the
        // sendspace code and text, the upload ended, nothing of it kept.
        let info = upload_info(&s, &a, "0").await;
        let refused = tus_upload(&s, &info, "marked.bin", &marked(300_000)).await;
        assert_eq!(refused.status(), 422);
        assert_eq!(header(refused.headers(), "x-dropspace-error"), "21");
        assert_eq!(
            refused.text().await.expect("body"),
            format!("{}\n", refusal(MARKER_NAME))
        );
        kept_only(&s, 1, &blobs, clean.len() as i64).await;
        assert_eq!(
            count(&s, "SELECT COUNT(*) FROM tus_uploads WHERE file_id = ''").await,
            0
        );
        assert_eq!(listed(&s, &a).await, [id]);
        // Anonymous, and small enough for one request: the same.
        let info = anon_info(&s).await;
        let refused = tus_upload(&s, &info, "eicar.com", EICAR).await;
        assert_eq!(refused.status(), 422);
        assert_eq!(header(refused.headers(), "x-dropspace-error"), "21");
        kept_only(&s, 1, &blobs, clean.len() as i64).await;
    }
);

dual!(
    clamd_gone_refuses_when_closed_and_stores_when_open,
    |b| async move {
        let Some(mut clamd) = Clamd::start().await else {
            return;
        };
        clamd.stop();
        // Fail closed (the default): refused, 13, nothing kept.
        let closed = server(b, &clamd.unix(), &[]).await;
        let a = closed.user_session("alice").await;
        let answer = upload_with(&closed, &a, &[], "x.bin", pattern(100_000, 3)).await;
        assert_refused(&answer, "13", UNAVAILABLE);
        kept_only(&closed, 0, &[], 0).await;
        let info = upload_info(&closed, &a, "0").await;
        let refused = tus_upload(&closed, &info, "x.bin", &pattern(100_000, 3)).await;
        assert_eq!(refused.status(), 424);
        assert_eq!(header(refused.headers(), "x-dropspace-error"), "13");
        assert_eq!(
            refused.text().await.expect("body"),
            format!("{UNAVAILABLE}\n")
        );
        kept_only(&closed, 0, &[], 0).await;
        // Fail open: stored unscanned, served.
        let open = server(
            b,
            &clamd.unix(),
            &[("DROPSPACE_SCAN__FAIL_CLOSED", "false")],
        )
        .await;
        let a = open.user_session("alice").await;
        let data = pattern(100_000, 4);
        let id = upload(&open, &a, "x.bin", data.clone()).await;
        assert_eq!(served(&open, &a, &id).await, data);
        // Even the EICAR file: nothing could scan it.
        upload(&open, &a, "eicar.com", EICAR.to_vec()).await;
        assert!(open.log().contains("upload stored unscanned"));
    }
);

dual!(a_clamd_that_does_not_answer_times_out, |b| async move {
    let Some(clamd) = Clamd::start().await else {
        return;
    };
    let s = server(b, &clamd.unix(), &[("DROPSPACE_SCAN__TIMEOUT_SECS", "1")]).await;
    let a = s.user_session("alice").await;
    clamd.pause();
    let started = Instant::now();
    let answer = upload_with(&s, &a, &[], "x.bin", pattern(50_000, 5)).await;
    clamd.resume();
    assert_refused(&answer, "13", UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_secs(15));
    kept_only(&s, 0, &[], 0).await;
    assert!(s.log().contains("did not answer within 1 s"), "{}", s.log());
    // Awake again, it answers.
    upload(&s, &a, "x.bin", pattern(50_000, 5)).await;
});

dual!(
    past_clamds_stream_limit_there_is_no_verdict,
    |b| async move {
        // clamd cuts a stream past its StreamMaxLength and says why: no
        // verdict, so the upload is refused (fail closed) and nothing kept.
        let Some(clamd) = Clamd::start_with("StreamMaxLength 64K\n").await else {
            return;
        };
        let s = server(b, &clamd.unix(), &[("DROPSPACE_SCAN__MAX_BYTES", "-1")]).await;
        let a = s.user_session("alice").await;
        let answer = upload_with(&s, &a, &[], "big.bin", pattern(2_000_000, 6)).await;
        assert_refused(&answer, "13", UNAVAILABLE);
        kept_only(&s, 0, &[], 0).await;
        assert!(s.log().contains("size limit exceeded"), "{}", s.log());
        // Within it, scanned as ever.
        let id = upload(&s, &a, "small.bin", pattern(30_000, 6)).await;
        assert_eq!(served(&s, &a, &id).await, pattern(30_000, 6));
    }
);

dual!(large_files_wait_hidden_in_quarantine, |b| async move {
    let Some(clamd) = Clamd::start().await else {
        return;
    };
    let s = server(
        b,
        &clamd.unix(),
        &[
            ("DROPSPACE_SCAN__MAX_BYTES", "1000"),
            ("DROPSPACE_STORAGE__INLINE_MAX_BYTES", "0"),
        ],
    )
    .await;
    let a = s.user_session("alice").await;
    // Up to max_bytes: scanned at once.
    let answer = upload_with(&s, &a, &[], "eicar.com", EICAR.to_vec()).await;
    assert_refused(&answer, "21", &refusal(EICAR_NAME));
    // Larger: stored, answered ok, but hidden until clamd speaks.
    clamd.pause();
    let clean = pattern(100_000, 6);
    let answer = upload_with(&s, &a, &[], "big.bin", clean.clone()).await;
    assert_eq!(kv_get(&answer, "upload_status"), "ok", "{answer:?}");
    assert_eq!(kv_get(&answer, "scan_status"), "pending");
    let clean_id = kv_get(&answer, "file_id");
    let answer = upload_with(&s, &a, &[], "bad.bin", marked(100_000)).await;
    assert_eq!(kv_get(&answer, "scan_status"), "pending");
    let bad_id = kv_get(&answer, "file_id");
    // Through tus as well.
    let tus_clean = pattern(120_000, 7);
    let info = upload_info(&s, &a, "0").await;
    let done = tus_upload(&s, &info, "big2.bin", &tus_clean).await;
    assert_eq!(done.status(), 204);
    assert_eq!(header(done.headers(), "x-dropspace-scan"), "pending");
    let tus_id = header(done.headers(), "x-dropspace-file-id");
    // Anonymous: the answer tells it too.
    let info = anon_info(&s).await;
    let text = post_form(&s, &info.url, info.form(&[], "anon.bin", pattern(5000, 8)))
        .await
        .text()
        .await
        .expect("answer");
    assert!(
        text.contains("<scan_status>pending</scan_status>"),
        "{text}"
    );
    // Hidden: not listed, not found, not downloadable; its space is held.
    assert!(listed(&s, &a).await.is_empty());
    for id in [&clean_id, &bad_id, &tus_id] {
        api(&s, &a, "files.getInfo", &[("file_id", id)])
            .await
            .assert_error(9);
        api(&s, &a, "download.getInfo", &[("file_id", id)])
            .await
            .assert_error(9);
        let page = s
            .http
            .get(s.url(&format!("/file/{id}")))
            .send()
            .await
            .expect("page");
        assert_eq!(page.status(), 404);
    }
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM files WHERE quarantined > 0").await,
        4
    );
    assert_eq!(
        s.db_i64("SELECT disk_used FROM users").await,
        (clean.len() + 100_000 + tus_clean.len()) as i64
    );
    // clamd answers: the clean ones appear, the infected one is gone with
    // its bytes and its space.
    clamd.resume();
    eventually("the quarantine is scanned", async || {
        count(&s, "SELECT COUNT(*) FROM files WHERE quarantined > 0").await == 0
    })
    .await;
    assert_eq!(served(&s, &a, &clean_id).await, clean);
    assert_eq!(served(&s, &a, &tus_id).await, tus_clean);
    api(&s, &a, "files.getInfo", &[("file_id", &bad_id)])
        .await
        .assert_error(9);
    let mut ids = listed(&s, &a).await;
    ids.sort();
    let mut want = vec![clean_id.clone(), tus_id.clone()];
    want.sort();
    assert_eq!(ids, want);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 3);
    assert_eq!(stored_blobs(&s).await.len(), 3);
    assert_eq!(
        s.db_i64("SELECT disk_used FROM users").await,
        (clean.len() + tus_clean.len()) as i64
    );
    assert!(s.log().contains("quarantined file deleted: virus found"));
});

dual!(
    large_files_without_quarantine_are_stored_unscanned,
    |b| async move {
        let Some(clamd) = Clamd::start().await else {
            return;
        };
        let s = server(
            b,
            &clamd.unix(),
            &[
                ("DROPSPACE_SCAN__MAX_BYTES", "1000"),
                ("DROPSPACE_SCAN__QUARANTINE_LARGE", "false"),
            ],
        )
        .await;
        let a = s.user_session("alice").await;
        let data = marked(50_000);
        let answer = upload_with(&s, &a, &[], "big.bin", data.clone()).await;
        assert_eq!(kv_get(&answer, "upload_status"), "ok", "{answer:?}");
        assert!(!answer.iter().any(|(k, _)| k == "scan_status"));
        assert_eq!(served(&s, &a, &kv_get(&answer, "file_id")).await, data);
        // At most max_bytes it is scanned all the same.
        let answer = upload_with(&s, &a, &[], "eicar.com", EICAR.to_vec()).await;
        assert_refused(&answer, "21", &refusal(EICAR_NAME));
    }
);
