//! Connections that hold a socket without asking for anything: silent ones,
//! ones that send only the HTTP/2 preface, idle keep-alive ones, HTTP/2
//! peers that stop answering pings, and too many from one address. The
//! server closes each within its limit (docs/security.md). The database
//! plays no part: one backend.

mod common;
use common::*;

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Generous bound for "closed within its limit": far below "never".
const WITHIN: Duration = Duration::from_secs(6);

fn addr(s: &Server) -> String {
    s.base.trim_start_matches("http://").to_string()
}

/// Reads (and drops) whatever the server sends until it closes the
/// connection; how long that took, or None if it was still open after
/// `bound`.
async fn closed_within(conn: &mut TcpStream, bound: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        let left = bound.checked_sub(started.elapsed())?;
        match tokio::time::timeout(left, conn.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

/// One keep-alive `GET /healthz` on `conn`; true once its answer is in.
async fn healthz(conn: &mut TcpStream) -> bool {
    let req = b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n";
    if conn.write_all(req).await.is_err() {
        return false;
    }
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while !got.ends_with(b"ok\n") {
        match tokio::time::timeout(Duration::from_secs(5), conn.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => got.extend_from_slice(&buf[..n]),
            _ => return false,
        }
    }
    got.starts_with(b"HTTP/1.1 200")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_connection_is_closed_after_first_byte_timeout() {
    let s = Server::start_with(
        Backend::Sqlite,
        &[("DROPSPACE_LIMITS__FIRST_BYTE_SECS", "1")],
    )
    .await;
    let mut conn = TcpStream::connect(addr(&s)).await.expect("connect");
    let took = closed_within(&mut conn, WITHIN)
        .await
        .expect("a silent connection must be closed");
    assert!(took >= Duration::from_millis(900), "closed early: {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_preface_alone_is_closed() {
    let s = Server::start_with(
        Backend::Sqlite,
        &[
            ("DROPSPACE_LIMITS__FIRST_BYTE_SECS", "1"),
            ("DROPSPACE_LIMITS__HEADER_READ_SECS", "1"),
        ],
    )
    .await;
    let mut conn = TcpStream::connect(addr(&s)).await.expect("connect");
    conn.write_all(PREFACE).await.expect("preface");
    // An empty SETTINGS frame, as a real client sends right after.
    conn.write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0])
        .await
        .expect("settings");
    closed_within(&mut conn, WITHIN)
        .await
        .expect("a connection with only the preface must be closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_keep_alive_connection_is_closed() {
    let s = Server::start_with(
        Backend::Sqlite,
        &[("DROPSPACE_LIMITS__IDLE_CONNECTION_SECS", "1")],
    )
    .await;
    let mut conn = TcpStream::connect(addr(&s)).await.expect("connect");
    assert!(healthz(&mut conn).await);
    assert!(healthz(&mut conn).await, "kept alive between requests");
    let took = closed_within(&mut conn, WITHIN)
        .await
        .expect("an idle keep-alive connection must be closed");
    assert!(took >= Duration::from_millis(900), "closed early: {took:?}");
}

/// HPACK integer with an N-bit prefix (RFC 7541 §5.1).
fn hpack_int(out: &mut Vec<u8>, first: u8, bits: u32, mut n: usize) {
    let max = (1usize << bits) - 1;
    if n < max {
        out.push(first | n as u8);
        return;
    }
    out.push(first | max as u8);
    n -= max;
    while n >= 128 {
        out.push((n % 128) as u8 | 0x80);
        n /= 128;
    }
    out.push(n as u8);
}

fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u32;
    let mut f = len.to_be_bytes()[1..].to_vec();
    f.extend_from_slice(&[kind, flags]);
    f.extend_from_slice(&stream.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_peer_that_stops_answering_pings_is_closed() {
    let s = Server::start_with(
        Backend::Sqlite,
        &[("DROPSPACE_LIMITS__HTTP2_PING_SECS", "1")],
    )
    .await;
    let mut conn = TcpStream::connect(addr(&s)).await.expect("connect");
    let mut out = PREFACE.to_vec();
    // SETTINGS_INITIAL_WINDOW_SIZE = 0: the answer's body can never be
    // sent, so the request stays open and no idle timeout applies.
    out.extend(frame(4, 0, 0, &[0, 4, 0, 0, 0, 0]));
    let mut block = vec![0x82, 0x86]; // :method GET, :scheme http
    for (index, value) in [(4u8, "/healthz"), (1, "test")] {
        hpack_int(&mut block, 0, 4, index as usize);
        hpack_int(&mut block, 0, 7, value.len());
        block.extend_from_slice(value.as_bytes());
    }
    out.extend(frame(1, 0x5, 1, &block)); // HEADERS, END_STREAM | END_HEADERS
    conn.write_all(&out).await.expect("request");
    // The server's SETTINGS are acknowledged; its PINGs never are.
    let mut head = [0u8; 9];
    tokio::time::timeout(WITHIN, conn.read_exact(&mut head))
        .await
        .expect("server settings")
        .expect("read");
    assert_eq!(head[3], 4, "the server starts with SETTINGS");
    let len = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
    let mut payload = vec![0u8; len];
    conn.read_exact(&mut payload)
        .await
        .expect("settings payload");
    conn.write_all(&frame(4, 1, 0, &[])).await.expect("ack");
    closed_within(&mut conn, Duration::from_secs(10))
        .await
        .expect("a peer that ignores pings must be closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_per_address_are_capped() {
    let s = Server::start_with(
        Backend::Sqlite,
        &[("DROPSPACE_LIMITS__CONNECTIONS_PER_ADDRESS", "4")],
    )
    .await;
    let mut open = Vec::new();
    for _ in 0..4 {
        let mut conn = TcpStream::connect(addr(&s)).await.expect("connect");
        assert!(healthz(&mut conn).await);
        open.push(conn);
    }
    // A fifth, while four are open: closed at once, nothing served.
    let mut fifth = TcpStream::connect(addr(&s)).await.expect("connect");
    let _ = fifth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        .await;
    let took = closed_within(&mut fifth, WITHIN)
        .await
        .expect("the fifth connection must be closed");
    assert!(took < Duration::from_secs(2), "not at once: {took:?}");
    // The four still work.
    for conn in &mut open {
        assert!(healthz(conn).await);
    }
    drop(open);
    // Once the server has seen them go, a new connection is served.
    let deadline = Instant::now() + WITHIN;
    loop {
        let mut conn = TcpStream::connect(addr(&s)).await.expect("connect");
        if healthz(&mut conn).await {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no connection served after the four closed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_files_limit_is_raised_and_logged() {
    let (_, hard) = rlimit::Resource::NOFILE.get().expect("getrlimit");
    let s = Server::start(Backend::Sqlite).await;
    let log = std::fs::read_to_string(&s.stderr_log).expect("server log");
    // Without the terminal colours around field names.
    let log = log
        .split('\x1b')
        .map(|part| {
            part.find('m')
                .filter(|_| part.starts_with('['))
                .map_or(part, |i| &part[i + 1..])
        })
        .collect::<String>();
    assert!(
        log.lines()
            .any(|l| l.contains("open files") && l.contains(&format!("nofile={hard}"))),
        "no open-files line with the hard limit {hard}:\n{log}"
    );
}
