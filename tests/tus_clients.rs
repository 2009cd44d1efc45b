//! The tus project's own clients against a real server: tuspy (Python) and
//! tus-js-client (under node) upload, stop, resume in a second run from
//! the URL they stored, and terminate — byte-exact files on both databases
//! (docs/resumable.md). `.ci/run` installs both (`pip install tuspy`,
//! `npm ci` in tests/clients); elsewhere a missing client skips its test.

mod common;
use common::clients::{clients_dir, tus_js, tuspy};
use common::*;

use std::path::Path;

/// Runs a client script with one JSON job; its one JSON line back.
async fn run(program: &str, script: &str, job: serde_json::Value) -> serde_json::Value {
    let out = tokio::process::Command::new(program)
        .current_dir(clients_dir())
        .arg(script)
        .arg(job.to_string())
        .output()
        .await
        .expect("run the client");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{script} failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// The metadata binding an upload to a sendspace identifier.
fn metadata(info: &UploadInfo, name: &str) -> serde_json::Value {
    serde_json::json!({
        "upload_identifier": info.ident,
        "extra_info": info.extra,
        "filename": name,
    })
}

/// A file of `n` bytes in `dir`.
fn file_of(dir: &Path, name: &str, data: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, data).expect("write");
    path.display().to_string()
}

// tuspy with checksums on every chunk: a first run stops after 300 kB, a
// second resumes there from its stored URL and finishes; another upload
// stopped and deleted leaves nothing behind.
dual!(tuspy_uploads_resumes_and_terminates, |b| async move {
    if s3_mode() || !tuspy() {
        return;
    }
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = pattern(1_000_000, 11);
    let file = file_of(dir.path(), "big.bin", &data);
    let state = dir.path().join("tuspy.json").display().to_string();
    let info = upload_info(&s, &a, "0").await;
    let job = |stop_at: Option<u64>| {
        serde_json::json!({
            "endpoint": s.url("/tus/"),
            "file": file,
            "state": state,
            "metadata": metadata(&info, "big.bin"),
            "chunk_size": 100_000,
            "stop_at": stop_at,
        })
    };
    let first = run("python3", "tuspy_upload.py", job(Some(300_000))).await;
    assert_eq!(first["offset"], 300_000);
    let url = first["url"].as_str().expect("url").to_string();
    let h = tus_head(&s, &url).await;
    assert_eq!(header(h.headers(), "upload-offset"), "300000");

    let second = run("python3", "tuspy_upload.py", job(None)).await;
    assert_eq!(second["url"], url.as_str());
    assert_eq!(second["resumed_at"], 300_000);
    let file_id = second["file_id"].as_str().expect("file id");
    assert_eq!(served(&s, &a, file_id).await, data);
    let x = api(&s, &a, "files.getInfo", &[("file_id", file_id)]).await;
    assert_eq!(x.attr("file", "name").as_deref(), Some("big.bin"));

    let other = file_of(dir.path(), "other.bin", &pattern(500_000, 12));
    let info = upload_info(&s, &a, "0").await;
    let ended = run(
        "python3",
        "tuspy_upload.py",
        serde_json::json!({
            "endpoint": s.url("/tus/"),
            "file": other,
            "state": state,
            "metadata": metadata(&info, "other.bin"),
            "chunk_size": 100_000,
            "stop_at": 200_000,
            "terminate": true,
        }),
    )
    .await;
    assert_eq!(ended["deleted"], 204);
    let gone = ended["url"].as_str().expect("url");
    assert_eq!(tus_head(&s, gone).await.status(), 404);
    assert_eq!(s.db_i64("SELECT disk_used FROM users").await, 1_000_000);
    assert_eq!(
        s.db_i64("SELECT COUNT(*) FROM tus_uploads WHERE file_id = ''")
            .await,
        0
    );
});

// tus-js-client sending its first chunk with the creation: a first run
// aborts after three chunks, a second finds the upload by the file's
// fingerprint and finishes it; an upload aborted with termination is gone.
dual!(
    tus_js_client_uploads_resumes_and_terminates,
    |b| async move {
        if s3_mode() || !tus_js() {
            return;
        }
        let s = Server::start(b).await;
        let a = s.user_session("alice").await;
        let dir = tempfile::tempdir().expect("tempdir");
        let data = pattern(1_000_000, 13);
        let file = file_of(dir.path(), "clip.mov", &data);
        let state = dir.path().join("tus-js.json").display().to_string();
        let info = upload_info(&s, &a, "0").await;
        let job = |stop: u64| {
            serde_json::json!({
                "endpoint": s.url("/tus/"),
                "file": file,
                "state": state,
                "metadata": metadata(&info, "clip.mov"),
                "chunkSize": 100_000,
                "stopAfterChunks": stop,
                "withUpload": true,
            })
        };
        let first = run("node", "tus_js.mjs", job(3)).await;
        assert_eq!(first["offset"], 300_000);
        let url = first["url"].as_str().expect("url").to_string();
        let h = tus_head(&s, &url).await;
        assert_eq!(header(h.headers(), "upload-offset"), "300000");

        let second = run("node", "tus_js.mjs", job(0)).await;
        assert_eq!(second["resumedAt"], url.as_str());
        let file_id = second["fileId"].as_str().expect("file id");
        assert_eq!(served(&s, &a, file_id).await, data);

        let other = file_of(dir.path(), "other.mov", &pattern(500_000, 14));
        let info = upload_info(&s, &a, "0").await;
        let ended = run(
            "node",
            "tus_js.mjs",
            serde_json::json!({
                "endpoint": s.url("/tus/"),
                "file": other,
                "state": state,
                "metadata": metadata(&info, "other.mov"),
                "chunkSize": 100_000,
                "stopAfterChunks": 1,
                "terminate": true,
            }),
        )
        .await;
        let gone = ended["url"].as_str().expect("url");
        assert_eq!(tus_head(&s, gone).await.status(), 404);
        assert_eq!(s.db_i64("SELECT disk_used FROM users").await, 1_000_000);
        assert_eq!(
            s.db_i64("SELECT COUNT(*) FROM tus_uploads WHERE file_id = ''")
                .await,
            0
        );
    }
);

// tus-js-client streaming a file of unknown size (Upload-Defer-Length): the
// length is declared with the last chunk and the file arrives byte-exact.
dual!(tus_js_client_defers_the_length, |b| async move {
    if s3_mode() || !tus_js() {
        return;
    }
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = pattern(450_000, 17);
    let file = file_of(dir.path(), "stream.bin", &data);
    let info = upload_info(&s, &a, "0").await;
    let done = run(
        "node",
        "tus_js.mjs",
        serde_json::json!({
            "endpoint": s.url("/tus/"),
            "file": file,
            "state": dir.path().join("tus-js.json").display().to_string(),
            "metadata": metadata(&info, "stream.bin"),
            "chunkSize": 100_000,
            "deferLength": true,
        }),
    )
    .await;
    let file_id = done["fileId"].as_str().expect("file id");
    assert_eq!(served(&s, &a, file_id).await, data);
    assert_eq!(s.db_i64("SELECT disk_used FROM users").await, 450_000);
});
