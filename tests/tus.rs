//! Resumable uploads over tus 1.0.0 through real HTTP: creation bound to
//! an upload identifier, chunks with and without checksums, every refusal
//! the protocol names, termination, concurrent writers and expiry
//! (docs/resumable.md).

mod common;
use common::*;

use base64::Engine;
use sha1::Digest;

/// A creation request for `info`'s identifier, of no length yet.
fn creation_of(s: &Server, info: &UploadInfo, extra: &[(&str, &str)]) -> reqwest::RequestBuilder {
    let mut pairs = vec![
        ("upload_identifier", info.ident.as_str()),
        ("extra_info", info.extra.as_str()),
    ];
    pairs.extend_from_slice(extra);
    s.http
        .post(s.url("/tus/"))
        .header("tus-resumable", "1.0.0")
        .header("upload-metadata", tus_metadata(&pairs))
}

/// A creation request for `info`'s identifier.
fn creation(
    s: &Server,
    info: &UploadInfo,
    length: u64,
    extra: &[(&str, &str)],
) -> reqwest::RequestBuilder {
    creation_of(s, info, extra).header("upload-length", length.to_string())
}

async fn create(
    s: &Server,
    info: &UploadInfo,
    length: u64,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    creation(s, info, length, extra)
        .send()
        .await
        .expect("create")
}

/// Creation-with-upload: the first bytes sent with the creation.
async fn create_with(
    s: &Server,
    info: &UploadInfo,
    length: u64,
    first: Vec<u8>,
    checksum: Option<String>,
) -> reqwest::Response {
    let mut req =
        creation(s, info, length, &[]).header("content-type", "application/offset+octet-stream");
    if let Some(c) = checksum {
        req = req.header("upload-checksum", c);
    }
    req.body(first).send().await.expect("create")
}

/// Creates an upload and returns its URL.
async fn created(s: &Server, info: &UploadInfo, length: u64, extra: &[(&str, &str)]) -> String {
    let resp = create(s, info, length, extra).await;
    assert_eq!(resp.status(), 201, "{:?}", resp.text().await);
    header(resp.headers(), "location")
}

async fn patch(
    s: &Server,
    url: &str,
    offset: u64,
    bytes: Vec<u8>,
    checksum: Option<String>,
) -> reqwest::Response {
    let mut req = s
        .http
        .patch(url)
        .header("tus-resumable", "1.0.0")
        .header("content-type", "application/offset+octet-stream")
        .header("upload-offset", offset.to_string());
    if let Some(c) = checksum {
        req = req.header("upload-checksum", c);
    }
    req.body(bytes).send().await.expect("patch")
}

/// An ended upload holds nothing: no space charged, no bytes stored (on
/// S3 no tail object and no multipart upload either).
async fn nothing_held(s: &Server) {
    assert_eq!(s.db_i64("SELECT disk_used FROM users").await, 0);
    let left = stored_blobs(s).await;
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(s3_leftovers(s).await, (0, 0));
}

/// S3 only: objects under `tus/` (tails) and multipart uploads in
/// progress in the server's bucket, asked of the S3 server directly.
async fn s3_leftovers(s: &Server) -> (usize, usize) {
    let (Some(endpoint), Some(bucket)) = (
        s3_endpoint(),
        s.env
            .iter()
            .find(|(k, _)| k == "DROPSPACE_STORAGE__S3__BUCKET")
            .map(|(_, v)| v.clone()),
    ) else {
        return (0, 0);
    };
    let get = |query: &str| {
        let url = format!("{endpoint}/{bucket}?{query}");
        let http = s.http.clone();
        async move {
            let resp = http.get(url).send().await.expect("S3 listing");
            assert!(resp.status().is_success(), "S3 listing: {}", resp.status());
            resp.text().await.expect("listing")
        }
    };
    let tails = get("list-type=2&prefix=tus/")
        .await
        .matches("<Key>")
        .count();
    let uploads = get("uploads").await.matches("<UploadId>").count();
    (tails, uploads)
}

fn sha1_of(bytes: &[u8]) -> String {
    format!(
        "sha1 {}",
        base64::engine::general_purpose::STANDARD.encode(sha1::Sha1::digest(bytes))
    )
}

// A file sent in three chunks (one with a checksum) becomes a file exactly
// as a form upload does: bytes, name, description, the identifier spent.
dual!(chunks_become_a_file, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let options = s
        .http
        .request(reqwest::Method::OPTIONS, s.url("/tus/"))
        .send()
        .await
        .expect("options");
    assert_eq!(options.status(), 204);
    assert_eq!(header(options.headers(), "tus-version"), "1.0.0");
    assert!(header(options.headers(), "tus-extension").contains("creation"));
    assert!(header(options.headers(), "tus-checksum-algorithm").contains("sha1"));

    let info = upload_info(&s, &a, "0").await;
    let no_version = s
        .http
        .post(s.url("/tus/"))
        .header("upload-length", "10")
        .send()
        .await
        .expect("post");
    assert_eq!(no_version.status(), 412);

    let data = pattern(300_000, 7);
    let url = created(
        &s,
        &info,
        300_000,
        &[("filename", "report.pdf"), ("description", "Q3")],
    )
    .await;
    let h = tus_head(&s, &url).await;
    assert_eq!(h.status(), 200);
    assert_eq!(header(h.headers(), "upload-offset"), "0");
    assert_eq!(header(h.headers(), "upload-length"), "300000");
    assert_eq!(header(h.headers(), "tus-resumable"), "1.0.0");

    let first = patch(&s, &url, 0, data[..100_000].to_vec(), None).await;
    assert_eq!(first.status(), 204);
    assert_eq!(header(first.headers(), "upload-offset"), "100000");
    // The wrong offset, a wrong checksum: refused, nothing moves.
    assert_eq!(
        patch(&s, &url, 0, data[..10].to_vec(), None).await.status(),
        409
    );
    let wrong = patch(
        &s,
        &url,
        100_000,
        data[100_000..200_000].to_vec(),
        Some(sha1_of(b"other")),
    )
    .await;
    assert_eq!(wrong.status(), 460);
    assert_eq!(
        header(tus_head(&s, &url).await.headers(), "upload-offset"),
        "100000"
    );
    let chunk = data[100_000..200_000].to_vec();
    let second = patch(&s, &url, 100_000, chunk.clone(), Some(sha1_of(&chunk))).await;
    assert_eq!(second.status(), 204);
    let last = patch(&s, &url, 200_000, data[200_000..].to_vec(), None).await;
    assert_eq!(last.status(), 204);
    let file_id = header(last.headers(), "x-dropspace-file-id");
    assert!(!file_id.is_empty());

    assert_eq!(served(&s, &a, &file_id).await, data);
    let got = api(&s, &a, "files.getInfo", &[("file_id", &file_id)]).await;
    assert_eq!(got.attr("file", "name").as_deref(), Some("report.pdf"));
    assert_eq!(got.attr("file", "description").as_deref(), Some("Q3"));
    assert_eq!(
        s.db_i64("SELECT disk_used FROM users WHERE user_name = 'alice'")
            .await,
        300_000
    );
    // Complete: HEAD says so; the identifier is spent.
    let h = tus_head(&s, &url).await;
    assert_eq!(header(h.headers(), "upload-offset"), "300000");
    assert_eq!(header(h.headers(), "x-dropspace-file-id"), file_id);
    assert_eq!(create(&s, &info, 10, &[]).await.status(), 403);
    let p = progress(&s, &info.progress_url).await;
    assert_eq!(p[0], ("status".to_string(), "done".to_string()));
    fsck_clean(&s);
});

/// `admin fsck` finds every stored file's bytes and BLAKE3 checksum as
/// its row says (the checksum a resumable upload computed on the way, or
/// read back when its chunks went through several nodes).
fn fsck_clean(s: &Server) {
    let out = s.admin(&["fsck"]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

// Refusals: a forged identifier, a file over the size limit, the wrong
// body type, more bytes than announced (the upload then ends and its
// space comes back), and termination.
dual!(refusals_and_termination, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let mut forged = upload_info(&s, &a, "0").await;
    forged.extra = format!("{}x", forged.extra);
    assert_eq!(create(&s, &forged, 10, &[]).await.status(), 403);
    let anon = anon_info(&s).await;
    let limit: u64 = anon.max_file_size.parse().expect("max_file_size");
    assert_eq!(create(&s, &anon, limit + 1, &[]).await.status(), 413);

    let info = upload_info(&s, &a, "0").await;
    let url = created(&s, &info, 1000, &[]).await;
    let wrong_type = s
        .http
        .patch(&url)
        .header("tus-resumable", "1.0.0")
        .header("content-type", "application/octet-stream")
        .header("upload-offset", "0")
        .body(vec![0u8; 10])
        .send()
        .await
        .expect("patch");
    assert_eq!(wrong_type.status(), 415);
    assert_eq!(
        s.db_i64("SELECT disk_used FROM users").await,
        1000,
        "reserved whole at creation"
    );
    assert_eq!(
        patch(&s, &url, 0, vec![1u8; 1001], None).await.status(),
        413
    );
    assert_eq!(tus_head(&s, &url).await.status(), 404);
    assert_eq!(s.db_i64("SELECT disk_used FROM users").await, 0);

    let info = upload_info(&s, &a, "0").await;
    let url = created(&s, &info, 50_000, &[]).await;
    assert_eq!(
        patch(&s, &url, 0, pattern(20_000, 1), None).await.status(),
        204
    );
    let gone = s
        .http
        .delete(&url)
        .header("tus-resumable", "1.0.0")
        .send()
        .await
        .expect("delete");
    assert_eq!(gone.status(), 204);
    assert_eq!(tus_head(&s, &url).await.status(), 404);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 0);
    nothing_held(&s).await;
});

// While one PATCH streams, a second on the same upload is refused (423)
// and never interleaves its bytes; the first completes the file.
dual!(one_writer_at_a_time, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let info = upload_info(&s, &a, "0").await;
    let data = pattern(200_000, 3);
    let url = created(&s, &info, 200_000, &[]).await;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let body = reqwest::Body::wrap_stream(tokio_stream_of(rx));
    let slow = {
        let (http, url) = (s.http.clone(), url.clone());
        tokio::spawn(async move {
            http.patch(&url)
                .header("tus-resumable", "1.0.0")
                .header("content-type", "application/offset+octet-stream")
                .header("upload-offset", "0")
                .body(body)
                .send()
                .await
                .expect("slow patch")
        })
    };
    tx.send(Ok(data[..50_000].to_vec())).await.expect("send");
    eventually("the first writer holds the lock", async || {
        count(
            &s,
            "SELECT COUNT(*) FROM tus_uploads WHERE lock_until_ms > 0",
        )
        .await
            == 1
    })
    .await;
    assert_eq!(patch(&s, &url, 0, vec![9u8; 100], None).await.status(), 423);
    tx.send(Ok(data[50_000..].to_vec())).await.expect("send");
    drop(tx);
    let done = slow.await.expect("join");
    assert_eq!(done.status(), 204);
    let file_id = header(done.headers(), "x-dropspace-file-id");
    assert_eq!(served(&s, &a, &file_id).await, data);
});

fn tokio_stream_of(
    mut rx: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
) -> impl futures::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

// An unfinished upload past `limits.tus_expiry_secs` is given up by the
// sweep: its bytes removed, its space returned, its URL gone.
dual!(expired_uploads_are_swept, |b| async move {
    let s = Server::start_with(
        b,
        &[
            ("DROPSPACE_LIMITS__TUS_EXPIRY_SECS", "1"),
            ("DROPSPACE_LIMITS__STALE_UPLOAD_SECS", "2"),
        ],
    )
    .await;
    let a = s.user_session("alice").await;
    let info = upload_info(&s, &a, "0").await;
    let url = created(&s, &info, 50_000, &[]).await;
    assert_eq!(
        patch(&s, &url, 0, pattern(20_000, 1), None).await.status(),
        204
    );
    // The row goes first, then the space comes back: wait for both.
    eventually("the expired upload swept", async || {
        tus_head(&s, &url).await.status() == 404
            && s.db_i64("SELECT disk_used FROM users").await == 0
    })
    .await;
    nothing_held(&s).await;
});

// An anonymous upload stays anonymous: no account is charged, and the
// last PATCH's answer is where it learns its delete link.
dual!(anonymous_uploads_get_their_delete_link, |b| async move {
    let s = Server::start(b).await;
    let info = anon_info(&s).await;
    let data = pattern(40_000, 4);
    let url = created(&s, &info, 40_000, &[("filename", "a.bin")]).await;
    let done = patch(&s, &url, 0, data.clone(), Some(sha1_of(&data))).await;
    assert_eq!(done.status(), 204);
    let file_id = header(done.headers(), "x-dropspace-file-id");
    assert_eq!(
        header(done.headers(), "x-dropspace-download-url"),
        s.url(&format!("/file/{file_id}"))
    );
    assert!(header(done.headers(), "x-dropspace-delete-url")
        .starts_with(&s.url(&format!("/delete/{file_id}/"))));
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM files WHERE user_id IS NULL").await,
        1
    );
});

// A client that goes away mid-PATCH loses nothing that arrived: the next
// HEAD shows it acknowledged, the upload is free again at once, and the
// rest completes the file byte-exact.
dual!(a_cut_patch_keeps_what_arrived, |b| async move {
    use tokio::io::AsyncWriteExt;
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let info = upload_info(&s, &a, "0").await;
    let data = pattern(100_000, 9);
    let url = created(&s, &info, 100_000, &[]).await;
    let path = url.trim_start_matches(&s.url(""));
    let host = s.url("").trim_start_matches("http://").to_string();
    let mut conn = tokio::net::TcpStream::connect(&host)
        .await
        .expect("connect");
    let head_part = format!(
        "PATCH {path} HTTP/1.1\r\nHost: {host}\r\nTus-Resumable: 1.0.0\r\n\
         Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\n\
         Content-Length: 100000\r\n\r\n"
    );
    conn.write_all(head_part.as_bytes()).await.expect("head");
    conn.write_all(&data[..30_000]).await.expect("body");
    conn.flush().await.expect("flush");
    eventually("the lock taken", async || {
        count(
            &s,
            "SELECT COUNT(*) FROM tus_uploads WHERE lock_until_ms > 0",
        )
        .await
            == 1
    })
    .await;
    drop(conn);
    let mut kept = 0u64;
    eventually(
        "the cut bytes acknowledged and the upload free",
        async || {
            let h = tus_head(&s, &url).await;
            kept = header(h.headers(), "upload-offset").parse().unwrap_or(0);
            kept > 0
                && count(
                    &s,
                    "SELECT COUNT(*) FROM tus_uploads WHERE lock_until_ms > 0",
                )
                .await
                    == 0
        },
    )
    .await;
    assert!(kept <= 30_000, "{kept}");
    let rest = patch(&s, &url, kept, data[kept as usize..].to_vec(), None).await;
    assert_eq!(rest.status(), 204);
    let file_id = header(rest.headers(), "x-dropspace-file-id");
    assert_eq!(served(&s, &a, &file_id).await, data);
});

async fn max_size(s: &Server, query: &str) -> reqwest::Response {
    s.http
        .request(reqwest::Method::OPTIONS, s.url(&format!("/tus/{query}")))
        .send()
        .await
        .expect("options")
}

// `OPTIONS` tells the caller's size limit; creation-with-upload sends the
// first bytes (or all of them) with the creation, and a body it could not
// keep still leaves the upload created at the offset it reached.
dual!(creation_with_upload_and_max_size, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_TIERS__LITE__MAX_FILE_SIZE", "1000000")]).await;
    let a = s.user_session("alice").await;
    let anon = max_size(&s, "").await;
    assert_eq!(header(anon.headers(), "tus-max-size"), "314572800");
    assert!(header(anon.headers(), "tus-extension").contains("creation-with-upload"));
    let info = upload_info(&s, &a, "0").await;
    let mine = max_size(&s, &format!("?upload_identifier={}", info.ident)).await;
    assert_eq!(header(mine.headers(), "tus-max-size"), "1000000");
    assert_eq!(max_size(&s, "?upload_identifier=nope").await.status(), 403);

    // All of it at once, with a checksum: the creation makes the file.
    let data = pattern(50_000, 3);
    let whole = create_with(&s, &info, 50_000, data.clone(), Some(sha1_of(&data))).await;
    assert_eq!(whole.status(), 201);
    assert_eq!(header(whole.headers(), "upload-offset"), "50000");
    assert!(header(whole.headers(), "location").contains("/tus/"));
    let file_id = header(whole.headers(), "x-dropspace-file-id");
    assert_eq!(served(&s, &a, &file_id).await, data);

    // The first part, then the rest by PATCH.
    let info = upload_info(&s, &a, "0").await;
    let data = pattern(60_000, 4);
    let part = create_with(&s, &info, 60_000, data[..20_000].to_vec(), None).await;
    assert_eq!(part.status(), 201);
    assert_eq!(header(part.headers(), "upload-offset"), "20000");
    let url = header(part.headers(), "location");
    let rest = patch(&s, &url, 20_000, data[20_000..].to_vec(), None).await;
    assert_eq!(rest.status(), 204);
    let file_id = header(rest.headers(), "x-dropspace-file-id");
    assert_eq!(served(&s, &a, &file_id).await, data);

    // A first body whose checksum fails: created, nothing kept.
    let info = upload_info(&s, &a, "0").await;
    let bad = create_with(&s, &info, 30_000, pattern(30_000, 5), Some(sha1_of(b"x"))).await;
    assert_eq!(bad.status(), 201);
    assert_eq!(header(bad.headers(), "upload-offset"), "0");
    let url = header(bad.headers(), "location");
    assert_eq!(
        header(tus_head(&s, &url).await.headers(), "upload-offset"),
        "0"
    );
    // Over the limit: refused before anything is created.
    let info = upload_info(&s, &a, "0").await;
    let big = create_with(&s, &info, 1_000_001, vec![1; 10], None).await;
    assert_eq!(big.status(), 413);
    assert_eq!(
        s.db_i64("SELECT COUNT(*) FROM tus_uploads WHERE upload_offset = 0")
            .await,
        1
    );
});

// `kill -9` while a PATCH streams: after the restart `HEAD` answers
// exactly the last acknowledged offset (the unacknowledged bytes that
// reached the file are dropped), and the upload continues to a byte-exact
// file once the dead writer's lock has lapsed.
dual!(
    a_killed_server_resumes_at_the_acknowledged_offset,
    |b| async move {
        if s3_mode() {
            return;
        }
        let mut s = Server::start_with(b, &[("DROPSPACE_LIMITS__UPLOAD_IDLE_SECS", "1")]).await;
        let a = s.user_session("alice").await;
        let info = upload_info(&s, &a, "0").await;
        let data = pattern(3_000_000, 9);
        let url = created(&s, &info, 3_000_000, &[]).await;
        let acked = patch(&s, &url, 0, data[..1_000_000].to_vec(), None).await;
        assert_eq!(acked.status(), 204);
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
        let cut = {
            let (http, url) = (s.http.clone(), url.clone());
            tokio::spawn(async move {
                http.patch(&url)
                    .header("tus-resumable", "1.0.0")
                    .header("content-type", "application/offset+octet-stream")
                    .header("upload-offset", "1000000")
                    .body(reqwest::Body::wrap_stream(tokio_stream_of(rx)))
                    .send()
                    .await
            })
        };
        tx.send(Ok(data[1_000_000..1_500_000].to_vec()))
            .await
            .expect("send");
        let id = url.rsplit('/').next().expect("id").to_string();
        let partial = s.data_dir.join("blobs-tmp").join("tus").join(&id);
        eventually("unacknowledged bytes reach the file", async || {
            std::fs::metadata(&partial).map(|m| m.len()).unwrap_or(0) > 1_000_000
        })
        .await;
        s.kill();
        drop(tx);
        let _ = cut.await;

        let again = Server::start_env(s.env.clone(), b).await;
        let url = again.url(&format!("/tus/{id}"));
        let h = tus_head(&again, &url).await;
        assert_eq!(h.status(), 200);
        assert_eq!(header(h.headers(), "upload-offset"), "1000000");
        let mut done = None;
        // Refused with 423 before its body is read, a PATCH may see its
        // connection closed instead: both mean "not yet".
        eventually("the dead writer's lock lapses", async || {
            let sent = again
                .http
                .patch(&url)
                .header("tus-resumable", "1.0.0")
                .header("content-type", "application/offset+octet-stream")
                .header("upload-offset", "1000000")
                .body(data[1_000_000..].to_vec())
                .send()
                .await;
            match sent {
                Ok(r) if r.status() != 423 => {
                    done = Some(r);
                    true
                }
                _ => false,
            }
        })
        .await;
        let done = done.expect("answer");
        assert_eq!(done.status(), 204);
        let file_id = header(done.headers(), "x-dropspace-file-id");
        let dl = direct_url(&again, &a, &file_id, None).await;
        assert_eq!(fetch(&again, &dl, &[]).await.2, data);
    }
);

// S3 with two nodes: 1 MiB chunks alternate between the nodes; full 5 MiB
// parts go into one multipart upload whichever node sends them, the rest
// waits in a tail object. The file is byte-exact, nothing is left in the
// bucket but the file; an upload that expires has its multipart upload
// aborted and its tail removed.
dual!(s3_chunks_alternate_between_nodes, |b| async move {
    if !s3_mode() {
        return;
    }
    let env = [
        ("DROPSPACE_STORAGE__S3__PART_SIZE", "5242880"),
        ("DROPSPACE_LIMITS__TUS_EXPIRY_SECS", "3"),
        ("DROPSPACE_LIMITS__STALE_UPLOAD_SECS", "2"),
    ];
    let s = Server::start_with(b, &env).await;
    let other = s.another_node().await;
    let a = s.user_session("alice").await;
    let info = upload_info(&s, &a, "0").await;
    let size = 13 * 1024 * 1024 + 5;
    let data = pattern(size, 21);
    let url = created(&s, &info, size as u64, &[]).await;
    let id = url.rsplit('/').next().expect("id").to_string();
    let mut offset = 0usize;
    let mut last = None;
    for (i, chunk) in data.chunks(1 << 20).enumerate() {
        let node = if i % 2 == 0 { &s } else { &other };
        let r = patch(
            node,
            &node.url(&format!("/tus/{id}")),
            offset as u64,
            chunk.to_vec(),
            None,
        )
        .await;
        assert_eq!(r.status(), 204, "chunk {i}");
        offset += chunk.len();
        last = Some(r);
    }
    assert_eq!(count(&s, "SELECT COUNT(*) FROM tus_parts").await, 2);
    let file_id = header(last.expect("answer").headers(), "x-dropspace-file-id");
    let dl = direct_url(&other, &a, &file_id, None).await;
    assert!(fetch(&other, &dl, &[]).await.2 == data);
    assert_eq!(s3_leftovers(&s).await, (0, 0));
    fsck_clean(&s);

    // Expiry: 6 MiB acknowledged (one part, a tail), then nothing.
    let info = upload_info(&s, &a, "0").await;
    let url = created(&s, &info, size as u64, &[]).await;
    let r = patch(&s, &url, 0, data[..6 << 20].to_vec(), None).await;
    assert_eq!(r.status(), 204);
    assert_eq!(s3_leftovers(&s).await, (1, 1));
    eventually("the expired upload swept", async || {
        tus_head(&s, &url).await.status() == 404
    })
    .await;
    assert_eq!(s3_leftovers(&s).await, (0, 0));
    assert_eq!(count(&s, "SELECT COUNT(*) FROM tus_parts").await, 0);
    assert_eq!(
        s.db_i64("SELECT disk_used FROM users WHERE user_name = 'alice'")
            .await,
        size as i64
    );
});

/// Creates a partial upload (concatenation) for `info`'s identifier.
async fn create_partial(s: &Server, info: &UploadInfo, length: usize) -> String {
    let resp = creation(s, info, length as u64, &[])
        .header("upload-concat", "partial")
        .send()
        .await
        .expect("create partial");
    assert_eq!(resp.status(), 201, "{:?}", resp.text().await);
    header(resp.headers(), "location")
}

/// The final upload of a concatenation: `Upload-Concat: final;<urls>`.
async fn create_final(s: &Server, info: &UploadInfo, urls: &[String]) -> reqwest::Response {
    let meta = tus_metadata(&[
        ("upload_identifier", info.ident.as_str()),
        ("extra_info", info.extra.as_str()),
        ("filename", "joined.bin"),
    ]);
    s.http
        .post(s.url("/tus/"))
        .header("tus-resumable", "1.0.0")
        .header("upload-concat", format!("final;{}", urls.join(" ")))
        .header("upload-metadata", meta)
        .send()
        .await
        .expect("create final")
}

// Concatenation: three partial uploads of one identifier, sent at once (one
// through another node), become one file when the final upload names them
// in order: their bytes in that order, the space charged once, the partial
// uploads gone. A final naming an unfinished part, or a part of another
// identifier, is refused and leaves the parts as they were.
dual!(partial_uploads_concatenate_into_one_file, |b| async move {
    concatenation(b, [250_000, 250_000, 100_000]).await;
});

// On S3, parts of 5 MiB and more are joined by the store itself (each
// copied into a part of the file's multipart upload): the same outcome.
dual!(s3_large_parts_are_copied_on_the_store, |b| async move {
    if s3_mode() {
        concatenation(b, [6 << 20, (5 << 20) + 1, 700_000]).await;
    }
});

/// Three parts of these sizes concatenated, as the tests above say.
async fn concatenation(b: Backend, sizes: [usize; 3]) {
    let s = Server::start(b).await;
    let other = s.another_node().await;
    let a = s.user_session("alice").await;
    let info = upload_info(&s, &a, "0").await;
    let total: usize = sizes.iter().sum();
    let data = pattern(total, 31);
    let (first, rest) = data.split_at(sizes[0]);
    let (second, third) = rest.split_at(sizes[1]);
    let pieces = [first, second, third];
    let mut urls = Vec::new();
    for piece in pieces {
        urls.push(create_partial(&s, &info, piece.len()).await);
    }
    let h = tus_head(&s, &urls[0]).await;
    assert_eq!(header(h.headers(), "upload-concat"), "partial");
    // Sent at once, the second through the other node; the last only half.
    let sends = urls
        .iter()
        .zip(pieces)
        .enumerate()
        .map(|(i, (url, piece))| {
            let node = if i == 1 { &other } else { &s };
            let url = node.url(url.trim_start_matches(&s.base));
            let bytes = if i == 2 {
                piece[..50_000].to_vec()
            } else {
                piece.to_vec()
            };
            async move { patch(node, &url, 0, bytes, None).await.status() }
        });
    assert!(futures::future::join_all(sends)
        .await
        .iter()
        .all(|st| *st == 204));
    // Finished parts are not files.
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 0);
    // Not every part finished: refused, nothing changes.
    assert_eq!(create_final(&s, &info, &urls).await.status(), 400);
    let rest = patch(&s, &urls[2], 50_000, pieces[2][50_000..].to_vec(), None).await;
    assert_eq!(rest.status(), 204);
    // A part of another identifier: refused.
    let stranger = upload_info(&s, &a, "0").await;
    assert_eq!(create_final(&s, &stranger, &urls).await.status(), 400);

    let joined = create_final(&s, &info, &urls).await;
    assert_eq!(joined.status(), 201);
    assert_eq!(header(joined.headers(), "upload-offset"), total.to_string());
    let file_id = header(joined.headers(), "x-dropspace-file-id");
    assert!(served(&s, &a, &file_id).await == data);
    let h = tus_head(&s, &header(joined.headers(), "location")).await;
    assert!(header(h.headers(), "upload-concat").starts_with("final;"));
    assert_eq!(header(h.headers(), "x-dropspace-file-id"), file_id);
    for url in &urls {
        assert_eq!(tus_head(&s, url).await.status(), 404);
    }
    assert_eq!(
        s.db_i64("SELECT disk_used FROM users WHERE user_name = 'alice'")
            .await,
        total as i64
    );
    assert_eq!(s3_leftovers(&s).await, (0, 0));
    let tus_dir = s.data_dir.join("blobs-tmp").join("tus");
    let left = std::fs::read_dir(&tus_dir).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "partial files left in {}", tus_dir.display());
    fsck_clean(&s);
}

// `limits.tus_max_parts`: one part more than the limit is refused (400)
// and leaves nothing behind; the parts before it stand.
dual!(parts_beyond_the_limit_are_refused, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_LIMITS__TUS_MAX_PARTS", "2")]).await;
    let a = s.user_session("alice").await;
    let info = upload_info(&s, &a, "0").await;
    create_partial(&s, &info, 100).await;
    create_partial(&s, &info, 100).await;
    let third = creation(&s, &info, 100, &[])
        .header("upload-concat", "partial")
        .send()
        .await
        .expect("create");
    assert_eq!(third.status(), 400);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM tus_uploads").await, 2);
    assert_eq!(
        s.db_i64("SELECT disk_used FROM users WHERE user_name = 'alice'")
            .await,
        200
    );
});

/// A creation with its length deferred (creation-defer-length).
fn deferred(s: &Server, info: &UploadInfo) -> reqwest::RequestBuilder {
    creation_of(s, info, &[("filename", "stream.log")]).header("upload-defer-length", "1")
}

/// A PATCH that declares the upload's length.
async fn patch_declaring(
    s: &Server,
    url: &str,
    offset: u64,
    length: u64,
    bytes: Vec<u8>,
) -> reqwest::Response {
    s.http
        .patch(url)
        .header("tus-resumable", "1.0.0")
        .header("content-type", "application/offset+octet-stream")
        .header("upload-offset", offset.to_string())
        .header("upload-length", length.to_string())
        .body(bytes)
        .send()
        .await
        .expect("patch")
}

// Upload-Defer-Length: an upload of unknown length takes chunks, HEAD says
// the length is deferred, and the PATCH that declares it completes the
// file. A declared length cannot change or fall below the offset; a
// deferred upload past the tier's limit ends (413, nothing held); the
// header's misuses are refused.
dual!(deferred_length_is_declared_by_a_patch, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_TIERS__ANONYMOUS__MAX_FILE_SIZE", "50000")]).await;
    let a = s.user_session("alice").await;
    let options = max_size(&s, "").await;
    assert!(header(options.headers(), "tus-extension").contains("creation-defer-length"));

    let info = upload_info(&s, &a, "0").await;
    let data = pattern(250_000, 21);
    let made = deferred(&s, &info).send().await.expect("create");
    assert_eq!(made.status(), 201, "{:?}", made.text().await);
    let url = header(made.headers(), "location");
    let h = tus_head(&s, &url).await;
    assert_eq!(header(h.headers(), "upload-defer-length"), "1");
    assert!(h.headers().get("upload-length").is_none());
    let first = patch(&s, &url, 0, data[..100_000].to_vec(), None).await;
    assert_eq!(first.status(), 204);
    assert_eq!(header(first.headers(), "upload-offset"), "100000");
    assert_eq!(
        patch_declaring(&s, &url, 100_000, 99_999, vec![])
            .await
            .status(),
        400,
        "below the offset"
    );
    let last = patch_declaring(&s, &url, 100_000, 250_000, data[100_000..].to_vec()).await;
    assert_eq!(last.status(), 204, "{:?}", last.text().await);
    let file_id = header(last.headers(), "x-dropspace-file-id");
    assert_eq!(served(&s, &a, &file_id).await, data);
    let h = tus_head(&s, &url).await;
    assert_eq!(header(h.headers(), "upload-length"), "250000");
    assert_eq!(
        s.db_i64("SELECT disk_used FROM users WHERE user_name = 'alice'")
            .await,
        250_000
    );

    // Declared by a PATCH that sends nothing: the length can no longer
    // change, and the next PATCH with the last bytes completes.
    let info = upload_info(&s, &a, "0").await;
    let made = deferred(&s, &info).send().await.expect("create");
    let url = header(made.headers(), "location");
    let declared = patch_declaring(&s, &url, 0, 1000, vec![]).await;
    assert_eq!(declared.status(), 204);
    assert_eq!(header(declared.headers(), "upload-length"), "1000");
    assert_eq!(
        patch_declaring(&s, &url, 0, 2000, vec![]).await.status(),
        400
    );
    let done = patch(&s, &url, 0, pattern(1000, 2), None).await;
    assert!(!header(done.headers(), "x-dropspace-file-id").is_empty());

    // Past the tier's limit, with nothing declared: the upload ends.
    let anon = anon_info(&s).await;
    let limit: usize = anon.max_file_size.parse().expect("max_file_size");
    let made = deferred(&s, &anon).send().await.expect("create");
    let url = header(made.headers(), "location");
    let over = patch(&s, &url, 0, vec![7u8; limit + 1], None).await;
    assert_eq!(over.status(), 413);
    assert_eq!(header(over.headers(), "x-dropspace-error"), "21");
    assert_eq!(tus_head(&s, &url).await.status(), 404);

    // Misuses of the header.
    let info = upload_info(&s, &a, "0").await;
    for (defer, length, concat) in [("1", "10", ""), ("2", "", ""), ("1", "", "partial")] {
        let mut req = creation_of(&s, &info, &[]).header("upload-defer-length", defer);
        if !length.is_empty() {
            req = req.header("upload-length", length);
        }
        if !concat.is_empty() {
            req = req.header("upload-concat", concat);
        }
        let refused = req.send().await.expect("create");
        assert_eq!(refused.status(), 400, "{defer} {length:?} {concat:?}");
    }
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM tus_uploads WHERE file_id = ''").await,
        0
    );
});

// A deferred upload reserves the account's space as its bytes come; when
// another upload took the rest of the quota meanwhile, the next chunk is
// refused (413, error 20) and the upload ends with its reservation
// returned, leaving the other upload's intact.
dual!(quota_reached_mid_upload, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_TIERS__MAX__DISKSPACE", "300000")]).await;
    s.create_user("max", "secret123");
    s.set_membership("max", "max");
    let m = s.login("max", "secret123").await;
    let used = || s.db_i64("SELECT disk_used FROM users WHERE user_name = 'max'");

    let info = upload_info(&s, &m, "0").await;
    let made = deferred(&s, &info).send().await.expect("create");
    assert_eq!(made.status(), 201);
    let url = header(made.headers(), "location");
    assert_eq!(used().await, 0, "nothing reserved before any byte");
    let first = patch(&s, &url, 0, pattern(100_000, 3), None).await;
    assert_eq!(first.status(), 204);
    assert_eq!(used().await, 100_000, "reserved as the bytes came");

    let other = upload_info(&s, &m, "0").await;
    let other_url = created(&s, &other, 150_000, &[]).await;
    assert_eq!(used().await, 250_000);

    let second = patch(&s, &url, 100_000, pattern(100_000, 4), None).await;
    assert_eq!(second.status(), 413);
    assert_eq!(header(second.headers(), "x-dropspace-error"), "20");
    assert_eq!(tus_head(&s, &url).await.status(), 404);
    assert_eq!(used().await, 150_000, "only the other upload's space held");

    let done = patch(&s, &other_url, 0, pattern(150_000, 5), None).await;
    assert!(!header(done.headers(), "x-dropspace-file-id").is_empty());
    assert_eq!(used().await, 150_000);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 1);
});

// A resumable upload's metadata carries the file's limits like the form's
// fields; a limit the tier refuses fails the creation, before any byte.
dual!(limits_are_chosen_at_creation, |b| async move {
    let s = Server::start_with(
        b,
        &[("DROPSPACE_TIERS__ANONYMOUS__MAX_TIME_LIMIT_SECS", "7200")],
    )
    .await;
    let anon = anon_info(&s).await;
    let refused = create(&s, &anon, 3, &[("time_limit", "7201")]).await;
    assert_eq!(refused.status(), 400);
    assert_eq!(header(refused.headers(), "x-dropspace-error"), "21");
    let anon = anon_info(&s).await;
    let url = created(
        &s,
        &anon,
        3,
        &[
            ("filename", "t.txt"),
            ("time_limit", "60"),
            ("downloads_limit", "1"),
            ("limit_action", "2"),
        ],
    )
    .await;
    let done = patch(&s, &url, 0, b"abc".to_vec(), None).await;
    assert_eq!(done.status(), 204);
    let row = |col: &str| format!("SELECT {col} FROM files");
    assert_eq!(s.db_i64(&row("time_limit")).await, 60);
    assert_eq!(s.db_i64(&row("download_limit")).await, 1);
    assert_eq!(s.db_i64(&row("limit_action")).await, 2);
    assert!(s.db_i64(&row("time_limit_at")).await > 0);
});
