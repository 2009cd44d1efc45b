//! The object store going away mid-upload (S3 pass only): the client gets
//! 13, nothing is stored, the half-done multipart upload is aborted once the
//! store is back, and the server recovers by itself.

mod common;
use common::*;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A TCP proxy in front of the S3 server that can be cut and restored.
struct Proxy {
    port: u16,
    upstream: String,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let p = Proxy {
            port,
            upstream: upstream.to_string(),
            tasks: Arc::default(),
        };
        p.serve(listener);
        p
    }

    fn serve(&self, listener: TcpListener) {
        let upstream = self.upstream.clone();
        let tasks = self.tasks.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let conn = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tasks.lock().expect("lock").push(conn);
            }
        });
        self.tasks.lock().expect("lock").push(accept);
    }

    /// The store is gone: no new connections, open ones cut.
    fn cut(&self) {
        for t in self.tasks.lock().expect("lock").drain(..) {
            t.abort();
        }
    }

    async fn restore(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(l) => return self.serve(l),
                Err(e) => {
                    assert!(Instant::now() < deadline, "rebinding the proxy: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}

/// Multipart uploads still open in a bucket.
async fn open_multipart_uploads(endpoint: &str, bucket: &str) -> usize {
    let text = reqwest::get(format!("{endpoint}/{bucket}?uploads"))
        .await
        .expect("list uploads")
        .text()
        .await
        .expect("body");
    text.matches("<Upload>").count()
}

/// A server whose S3 traffic passes through a proxy the test can cut, on a
/// fresh bucket.
async fn behind_proxy(endpoint: &str, extra: &[(&str, &str)]) -> (Proxy, String, Server) {
    let upstream = endpoint.trim_start_matches("http://").to_string();
    let proxy = Proxy::start(&upstream).await;
    let bucket = s3_bucket(endpoint).await;
    let via_proxy = format!("http://127.0.0.1:{}", proxy.port);
    let mut env = vec![
        ("DROPSPACE_STORAGE__S3__ENDPOINT", via_proxy.as_str()),
        ("DROPSPACE_STORAGE__S3__BUCKET", bucket.as_str()),
    ];
    env.extend_from_slice(extra);
    let s = Server::start_with(Backend::Sqlite, &env).await;
    (proxy, bucket, s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_going_away_mid_upload() {
    let Some(endpoint) = s3_endpoint() else {
        return;
    };
    let (proxy, bucket, s) = behind_proxy(
        &endpoint,
        &[("DROPSPACE_STORAGE__S3__PART_SIZE", "5242880")],
    )
    .await;
    let a = s.user_session("alice").await;
    // 16 MiB at 4 MiB/s: the first part is in S3 after about 1.5 s.
    let info = upload_info(&s, &a, "4096").await;
    let http = s.http.clone();
    let url = info.url.clone();
    let form = info.raw("big.bin", &pattern(16 << 20, 1));
    let running = tokio::spawn(async move { post_raw(&http, &url, form).await });
    let deadline = Instant::now() + Duration::from_secs(30);
    while open_multipart_uploads(&endpoint, &bucket).await == 0 {
        assert!(Instant::now() < deadline, "no multipart upload started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    proxy.cut();
    let answer = running.await.expect("upload");
    assert_eq!(kv_get(&answer, "upload_status"), "fail", "{answer:?}");
    assert_eq!(kv_get(&answer, "error_code"), "13");
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 0);
    assert_eq!(count(&s, "SELECT disk_used FROM users").await, 0);
    // Downloads of what was there say 12 while the store is away.
    proxy.restore().await;
    // Past storage.inline_max_bytes: its bytes are in S3.
    let kept = upload(&s, &a, "kept.bin", pattern(100_000, 3)).await;
    proxy.cut();
    api(&s, &a, "download.getInfo", &[("file_id", &kept)])
        .await
        .assert_error(12);
    // The store comes back: the aborted multipart upload is cleaned up, and
    // everything works again without a restart.
    proxy.restore().await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while open_multipart_uploads(&endpoint, &bucket).await > 0 {
        assert!(
            Instant::now() < deadline,
            "the multipart upload was never aborted"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let url = direct_url(&s, &a, &kept, None).await;
    assert_eq!(fetch(&s, &url, &[]).await.2, pattern(100_000, 3));
    let id = upload(&s, &a, "after.bin", pattern(6 << 20, 2)).await;
    let url = direct_url(&s, &a, &id, None).await;
    assert_eq!(fetch(&s, &url, &[]).await.2, pattern(6 << 20, 2));
    assert_eq!(stored_blobs(&s).await.len(), 2);
}

async fn files_attr(s: &Server, session: &str, id: &str, name: &str) -> String {
    api(s, session, "files.getInfo", &[("file_id", id)])
        .await
        .attr("file", name)
        .unwrap_or_default()
}

// A blob that opens but cannot be read (fs pass: a directory in its
// place) is a store failure found before the status line: 503, no
// download counted; a blob shorter than its row ends the body with an
// error, not a clean end.
dual!(unreadable_blob_is_503_not_a_cut_200, |b| async move {
    if s3_mode() {
        return;
    }
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let data = pattern(50_000, 3);
    let id = upload(&s, &a, "f.bin", data.clone()).await;
    let url = direct_url(&s, &a, &id, None).await;
    let path = s.data_dir.join("blobs").join(blob_key(&s, &id).await);
    std::fs::remove_file(&path).expect("remove blob");
    std::fs::create_dir(&path).expect("directory in its place");
    let (status, _, body) = fetch(&s, &url, &[]).await;
    assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
    let head = s.http.head(&url).send().await.expect("head");
    assert_eq!(head.status(), 503);
    assert_eq!(files_attr(&s, &a, &id, "downloads").await, "0");
    // Shorter than its row: the client sees a broken transfer.
    std::fs::remove_dir(&path).expect("rmdir");
    std::fs::write(&path, &data[..1000]).expect("short blob");
    let got = match s.http.get(&url).send().await {
        Ok(resp) => resp.bytes().await.map(|b| b.len()),
        Err(e) => Err(e),
    };
    assert!(got.is_err(), "a cut body must not end cleanly: {got:?}");
    // Healed: served whole.
    std::fs::write(&path, &data).expect("blob back");
    let (status, _, body) = fetch(&s, &url, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body, data);
});

// S3 pass: the store is unreachable when a download starts (opening a
// reader does no I/O, the first read does): 503, nothing counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_down_download_is_503_and_not_counted() {
    let Some(endpoint) = s3_endpoint() else {
        return;
    };
    let (proxy, _bucket, s) = behind_proxy(&endpoint, &[]).await;
    let a = s.user_session("alice").await;
    let data = pattern(50_000, 4);
    let id = upload(&s, &a, "f.bin", data.clone()).await;
    let url = direct_url(&s, &a, &id, None).await;
    proxy.cut();
    let (status, _, _) = fetch(&s, &url, &[]).await;
    assert_eq!(status, 503);
    assert_eq!(s.http.head(&url).send().await.expect("head").status(), 503);
    assert_eq!(files_attr(&s, &a, &id, "downloads").await, "0");
    proxy.restore().await;
    assert_eq!(fetch(&s, &url, &[]).await.2, data);
    assert_eq!(files_attr(&s, &a, &id, "downloads").await, "1");
}
