//! A 2 GiB file through nginx refusing request bodies over 100 MB — the
//! cap of Cloudflare and most managed ingresses — resumably (tus, 50 MB
//! chunks), from `dropspace client` and from tuspy, each surviving a
//! SIGKILL of the server mid-way: the bytes arrive exactly, and the
//! restarted server's memory grows by at most 48 MiB over the rest of the
//! upload; on SQLite and PostgreSQL (docs/resumable.md). The browser page's run is in
//! tests/browser.rs.

mod common;
use common::proxy::*;
use common::*;

use std::process::{Command, Stdio};

dual!(
    two_gib_through_a_100m_proxy_survive_a_server_kill,
    |b| async move {
        if s3_mode() {
            return;
        }
        let _one = ONE_AT_A_TIME.lock().await;
        // `first` owns the data directory every restarted server shares.
        let Some((mut first, proxy)) = behind_nginx(b).await else {
            return;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(status_of_announced_body(&proxy, 150_000_000).await, 413);

        // dropspace client, anonymous, 50 MB chunks.
        let path = dir.path().join("disk.img");
        let want = big_file(&path, 1);
        let config = dir.path().join("client.json");
        let cli = Command::new(BIN)
            .args(["client", "--json", "upload", "--chunk-size", "50M"])
            .arg(&path)
            .env("DROPSPACE_CLIENT_CONFIG", &config)
            .env("DROPSPACE_SERVER", &proxy.base)
            .env("DROPSPACE_API_KEY", &first.api_key)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("client");
        let (mut s, baseline) = kill_mid_upload(&mut first).await;
        let out = tokio::task::spawn_blocking(move || cli.wait_with_output())
            .await
            .expect("join")
            .expect("client output");
        assert!(
            out.status.success(),
            "{}\nserver log:\n{}",
            String::from_utf8_lossy(&out.stderr),
            log_tail(&s)
        );
        let done: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let file_id = done[0]["file_id"].as_str().expect("file id").to_string();
        memory_stayed_flat(&s, baseline);
        assert_eq!(stored_checksum(&s, &file_id).await, want);
        assert_eq!(
            s.db_i64(&format!("SELECT size FROM files WHERE id = '{file_id}'"))
                .await as u64,
            SIZE
        );
        std::fs::remove_file(&path).expect("remove");
        // Its stored copy is checked: room for the second run's files.
        std::fs::remove_file(s.data_dir.join("blobs").join(blob_key(&s, &file_id).await))
            .expect("remove the stored copy");

        // tuspy, 50 MB chunks, retrying while the server is away.
        if !common::clients::tuspy() {
            return;
        }
        let path = dir.path().join("archive.tar");
        let want = big_file(&path, 2);
        let info = anon_info(&s).await;
        let job = serde_json::json!({
            "endpoint": proxy.base.clone() + "/tus/",
            "file": path.display().to_string(),
            "state": dir.path().join("tuspy.json").display().to_string(),
            "metadata": {
                "upload_identifier": info.ident,
                "extra_info": info.extra,
                "filename": "archive.tar",
            },
            "chunk_size": 50_000_000,
            "retries": 120,
            "retry_delay": 1,
        });
        let tuspy = Command::new("python3")
            .arg(common::clients::clients_dir().join("tuspy_upload.py"))
            .arg(job.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tuspy");
        let (s, baseline) = kill_mid_upload(&mut s).await;
        let out = tokio::task::spawn_blocking(move || tuspy.wait_with_output())
            .await
            .expect("join")
            .expect("tuspy output");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}\n{}\nserver log:\n{}",
            String::from_utf8_lossy(&out.stderr),
            log_tail(&s)
        );
        let done: serde_json::Value =
            serde_json::from_str(stdout.lines().last().unwrap_or_default()).expect("JSON");
        let file_id = done["file_id"].as_str().expect("file id").to_string();
        memory_stayed_flat(&s, baseline);
        assert_eq!(stored_checksum(&s, &file_id).await, want);
    }
);

/// The proxy's answer to a request announcing a `length`-byte body (none
/// of which is sent: the cap is checked on the announcement).
async fn status_of_announced_body(proxy: &Nginx, length: u64) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = proxy.base.trim_start_matches("http://");
    let mut conn = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST /upload/x HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/octet-stream\r\n\
         Content-Length: {length}\r\n\r\n"
    );
    conn.write_all(head.as_bytes()).await.expect("send");
    let mut answer = vec![0u8; 64];
    let n = conn.read(&mut answer).await.expect("answer");
    let line = String::from_utf8_lossy(&answer[..n]).to_string();
    line.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {line}"))
}
