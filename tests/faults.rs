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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_going_away_mid_upload() {
    let Some(endpoint) = s3_endpoint() else {
        return;
    };
    let upstream = endpoint.trim_start_matches("http://").to_string();
    let proxy = Proxy::start(&upstream).await;
    let bucket = s3_bucket(&endpoint).await;
    let via_proxy = format!("http://127.0.0.1:{}", proxy.port);
    let s = Server::start_with(
        Backend::Sqlite,
        &[
            ("DROPSPACE_STORAGE__S3__ENDPOINT", &via_proxy),
            ("DROPSPACE_STORAGE__S3__BUCKET", &bucket),
            ("DROPSPACE_STORAGE__S3__PART_SIZE", "5242880"),
        ],
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
    let kept = upload(&s, &a, "kept.txt", b"kept".to_vec()).await;
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
    assert_eq!(fetch(&s, &url, &[]).await.2, b"kept");
    let id = upload(&s, &a, "after.bin", pattern(6 << 20, 2)).await;
    let url = direct_url(&s, &a, &id, None).await;
    assert_eq!(fetch(&s, &url, &[]).await.2, pattern(6 << 20, 2));
    assert_eq!(stored_blobs(&s).await.len(), 2);
}
