//! Debian's nginx in front of a test server, set up as docs/resumable.md
//! tells operators to: a request body cap (`client_max_body_size`),
//! request bodies streamed rather than spooled, HTTP/1.1 upstream; and
//! what the 2 GiB uploads through it share (tests/proxy.rs, the browser's
//! in tests/browser.rs).

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::*;

/// A free TCP port on loopback (for a server that must be told its port
/// before it starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// nginx listening on `127.0.0.1:{port}` in front of `upstream`; stopped
/// on drop.
pub struct Nginx {
    child: Child,
    pub base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nginx_binary() -> Option<&'static str> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| Path::new(p).is_file())
}

impl Nginx {
    /// None (the test skips) when nginx is not installed; under CI=true
    /// that is a failure (`.ci/run` installs it).
    pub fn start(port: u16, upstream: &str, body_cap: &str) -> Option<Nginx> {
        let Some(bin) = nginx_binary() else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "nginx is required in CI (.ci/run installs it)"
            );
            eprintln!("SKIPPED: install nginx to run the proxy tests");
            return None;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path().display();
        // One process (no workers to drop privileges to), everything in `dir`.
        let conf = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n\
             error_log {d}/error.log warn;\nevents {{ worker_connections 512; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
               fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
               server {{\n    listen 127.0.0.1:{port};\n    client_max_body_size {body_cap};\n\
                 location / {{\n      proxy_pass http://{upstream};\n      proxy_http_version 1.1;\n\
                   proxy_request_buffering off;\n      proxy_buffering off;\n\
                   proxy_set_header Host $http_host;\n      proxy_read_timeout 300s;\n\
                   proxy_send_timeout 300s;\n    }}\n  }}\n}}\n"
        );
        let path = dir.path().join("nginx.conf");
        std::fs::write(&path, conf).expect("nginx.conf");
        let child = Command::new(bin)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&path)
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            let log = std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();
            assert!(Instant::now() < deadline, "nginx did not start: {log}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Nginx {
            child,
            base: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        })
    }
}

pub const SIZE: u64 = 2 << 30;
/// Peak memory growth allowed over the rest of a 2 GiB upload.
pub const RSS_GROWTH_KIB: u64 = 48 * 1024;

/// Writes `SIZE` bytes of a seeded pattern to `path` in blocks (never
/// whole in memory), every 4 KiB page stamped with its number so that no
/// two pages are alike; their BLAKE3 checksum.
pub fn big_file(path: &Path, seed: u8) -> String {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let mut hasher = blake3::Hasher::new();
    let mut block = pattern(8 << 20, seed);
    let pages_per_block = block.len() as u64 / 4096;
    for b in 0..SIZE / block.len() as u64 {
        for (p, page) in block.chunks_mut(4096).enumerate() {
            page[..8].copy_from_slice(&(b * pages_per_block + p as u64).to_le_bytes());
        }
        out.write_all(&block).expect("write");
        hasher.update(&block);
    }
    out.flush().expect("flush");
    hasher.finalize().to_hex().to_string()
}

/// BLAKE3 of a stored file, read from the store's file on disk.
pub async fn stored_checksum(s: &Server, file_id: &str) -> String {
    let key = blob_key(s, file_id).await;
    let path = s.data_dir.join("blobs").join(&key);
    let mut hasher = blake3::Hasher::new();
    let file = std::fs::File::open(&path).expect("the stored blob");
    hasher.update_reader(file).expect("read the stored blob");
    hasher.finalize().to_hex().to_string()
}

/// One 2 GiB run at a time: each keeps up to three such files on disk
/// (source, partial upload, stored blob) and a disk that fills answers
/// every write with 503.
pub static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The server's log without its per-request lines: what a failed run shows.
pub fn log_tail(s: &Server) -> String {
    let log = s.log();
    let lines: Vec<&str> = log.lines().filter(|l| !l.contains(" request ")).collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// A server whose public URL is the proxy's, and the proxy (None: skip).
pub async fn behind_nginx(b: Backend) -> Option<(Server, Nginx)> {
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let s = Server::start_with(
        b,
        &[
            ("DROPSPACE_PUBLIC_URL", public.as_str()),
            ("DROPSPACE_LIMITS__UPLOAD_IDLE_SECS", "1"),
            ("DROPSPACE_TIERS__ANONYMOUS__MAX_FILE_SIZE", "-1"),
        ],
    )
    .await;
    let upstream = s.base.trim_start_matches("http://").to_string();
    let proxy = Nginx::start(port, &upstream, "100m")?;
    Some((s, proxy))
}

/// Kills the server once the upload is well under way and starts it again
/// on the same address (and data directory, which `s` keeps); the new
/// server, with its memory baseline taken.
pub async fn kill_mid_upload(s: &mut Server) -> (Server, u64) {
    eventually("300 MiB acknowledged", async || {
        tus_offset(s).await > 300 << 20
    })
    .await;
    let again = s.kill_and_restart().await;
    let cut = tus_offset(&again).await;
    assert!((cut as u64) < SIZE, "finished before the kill");
    let (rss, _) = rss_kib(again.pid());
    reset_peak(again.pid());
    (again, rss)
}

pub fn memory_stayed_flat(s: &Server, baseline: u64) {
    let (_, peak) = rss_kib(s.pid());
    eprintln!(
        "server peak memory growth over the rest of the upload: {} KiB",
        peak.saturating_sub(baseline)
    );
    assert!(
        peak.saturating_sub(baseline) <= RSS_GROWTH_KIB,
        "server peak {peak} KiB, {baseline} KiB after the restart"
    );
}
