//! `download_to` against a scripted HTTP server: an honest ranged resume,
//! a server that ignores Range, a 416 for a file already complete, and a
//! body shorter than the file.

use std::sync::{Arc, Mutex};

use dropspace_client::{Client, Error};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const BODY: &[u8] = b"0123456789";

#[derive(Clone, Copy)]
enum Mode {
    /// 206 for a Range, 416 past the end.
    Honest,
    /// Always 200 with the whole body.
    IgnoresRange,
    /// 200 with only the first half.
    Short,
}

/// Serves `BODY` per `mode`; records each request's Range header.
async fn serve(mode: Mode) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!(
        "http://{}/dl/x/file.bin",
        listener.local_addr().expect("addr")
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).to_lowercase();
                let range = head
                    .lines()
                    .find_map(|l| l.strip_prefix("range: bytes="))
                    .map(|r| r.trim().to_string());
                log.lock()
                    .expect("log")
                    .push(range.clone().unwrap_or_default());
                let start: Option<usize> = range
                    .as_deref()
                    .and_then(|r| r.trim_end_matches('-').parse().ok());
                let (status, extra, body): (&str, String, &[u8]) = match (mode, start) {
                    (Mode::Honest, Some(s)) if s >= BODY.len() => (
                        "416 Range Not Satisfiable",
                        format!("Content-Range: bytes */{}\r\n", BODY.len()),
                        b"",
                    ),
                    (Mode::Honest, Some(s)) => (
                        "206 Partial Content",
                        format!(
                            "Content-Range: bytes {s}-{}/{}\r\n",
                            BODY.len() - 1,
                            BODY.len()
                        ),
                        &BODY[s..],
                    ),
                    (Mode::Short, _) => ("200 OK", String::new(), &BODY[..5]),
                    _ => ("200 OK", String::new(), BODY),
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(answer.as_bytes()).await;
                let _ = sock.write_all(body).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    (url, seen)
}

fn client(url: &str) -> Client {
    Client::new(url).expect("client")
}

#[tokio::test]
async fn resumes_with_a_range_and_keeps_the_prefix() {
    let (url, seen) = serve(Mode::Honest).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("f");
    std::fs::write(&path, b"0123").expect("partial");
    let mut calls = Vec::new();
    let done = client(&url)
        .download_to(&url, &path, Some(10), |have, total| {
            calls.push((have, total))
        })
        .await
        .expect("download");
    assert_eq!((done.size, done.resumed_from, done.fetched), (10, 4, 6));
    assert_eq!(std::fs::read(&path).expect("read"), BODY);
    assert_eq!(seen.lock().expect("log").as_slice(), ["4-"]);
    assert_eq!(calls.first(), Some(&(4, Some(10))));
    assert_eq!(calls.last(), Some(&(10, Some(10))));
}

#[tokio::test]
async fn a_server_that_ignores_range_rewrites_the_file() {
    let (url, _) = serve(Mode::IgnoresRange).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("f");
    std::fs::write(&path, b"XXXX").expect("partial");
    let done = client(&url)
        .download_to(&url, &path, None, |_, _| {})
        .await
        .expect("download");
    assert_eq!((done.size, done.resumed_from), (10, 0));
    assert_eq!(std::fs::read(&path).expect("read"), BODY);
}

#[tokio::test]
async fn a_complete_file_costs_no_transfer() {
    let (url, seen) = serve(Mode::Honest).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("f");
    std::fs::write(&path, BODY).expect("whole");
    // Size unknown: the server's 416 says the file is whole.
    let done = client(&url)
        .download_to(&url, &path, None, |_, _| {})
        .await
        .expect("download");
    assert_eq!((done.size, done.fetched), (10, 0));
    assert_eq!(seen.lock().expect("log").as_slice(), ["10-"]);
    // Size known: not even a request.
    client(&url)
        .download_to(&url, &path, Some(10), |_, _| {})
        .await
        .expect("download");
    assert_eq!(seen.lock().expect("log").len(), 1);
    assert_eq!(std::fs::read(&path).expect("read"), BODY);
}

#[tokio::test]
async fn a_short_body_is_a_length_error() {
    let (url, _) = serve(Mode::Short).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let err = client(&url)
        .download_to(&url, &dir.path().join("f"), Some(10), |_, _| {})
        .await
        .expect_err("short");
    assert!(
        matches!(
            err,
            Error::Length {
                expected: 10,
                got: 5
            }
        ),
        "{err:?}"
    );
}
