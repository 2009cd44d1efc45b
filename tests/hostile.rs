//! Hostile input: 10,000 seeded requests against one server — random
//! methods on the real routes, garbage and oversized parameters, bad
//! percent-encoding and invalid UTF-8, huge headers, truncated, oversized
//! and mis-sized bodies, broken multipart and chunked encodings (the
//! malformed ones written by hand over TCP). The server must never answer
//! 5xx, never panic, and still work afterwards. `DROPSPACE_HOSTILE_SEED=<n>`
//! replays a run (the seed is printed first).

mod common;
use common::attack;
use common::*;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const REQUESTS: usize = 10_000;
const CONCURRENCY: usize = 16;

const PARAMS: &[&str] = &[
    "method",
    "session_key",
    "api_key",
    "api_version",
    "app_version",
    "response_format",
    "token",
    "user_name",
    "tokened_password",
    "email",
    "full_name",
    "password",
    "file_id",
    "folder_id",
    "parent_folder_id",
    "name",
    "description",
    "shared",
    "speed_limit",
    "recipient_email",
    "message",
    "contact_id",
    "first_name",
    "last_name",
    "format",
    "signature",
    "recipients",
    "files",
    "user_group_ids",
];

/// Real identifiers the generator mixes in, so requests reach past the
/// first lookup.
struct Known {
    api_key: String,
    /// Sessions of the account the requests act as (some get logged out).
    sessions: Vec<String>,
    /// That account's file, and another account's the requests must not
    /// reach.
    file_ids: Vec<String>,
    folder_id: String,
    ident: String,
    extra: String,
    dl_path: String,
    delete_path: String,
}

/// One request as it goes on the wire.
enum Wire {
    /// Well-formed HTTP built with reqwest (its contents can be anything).
    Http {
        method: String,
        target: String,
        headers: Vec<(String, Vec<u8>)>,
        body: Option<Vec<u8>>,
    },
    /// Bytes written to a TCP connection as they are; with `close`, the
    /// write side is shut afterwards (a client that gives up).
    Raw { bytes: Vec<u8>, close: bool },
}

struct Case {
    category: &'static str,
    wire: Wire,
}

/// A value a parameter or path segment might carry.
fn value(rng: &mut StdRng, k: &Known) -> String {
    match rng.gen_range(0..22) {
        0 => String::new(),
        1 => k.sessions.choose(rng).cloned().unwrap_or_default(),
        2 => k.file_ids.choose(rng).cloned().unwrap_or_default(),
        3 => k.folder_id.clone(),
        4 => k.api_key.clone(),
        5 => "-1".into(),
        6 => "99999999999999999999999999".into(),
        7 => "0".into(),
        8 => "%zz%".into(),
        9 => "%c3%28%ff%fe%00".into(),
        10 => "é漢字🙂\u{202e}".into(),
        11 => "../../etc/passwd".into(),
        12 => "<x a=\"&\">]]></x>".into(),
        13 => "a".repeat(rng.gen_range(1000..70_000)),
        14 => API_METHODS.choose(rng).copied().unwrap_or("").into(),
        15 => "1.0".into(),
        16 => "1.2".into(),
        17 => "a@b.c,x,@@,".into(),
        18 => "' OR 1=1 --".into(),
        19 => "\r\nX-Injected: 1".into(),
        20 => k.ident.clone(),
        _ => (0..rng.gen_range(1..40))
            .map(|_| char::from(rng.gen_range(0x20u8..0x7f)))
            .collect(),
    }
}

/// Percent-encodes what is not safe in a query, except that the encoded
/// value sometimes keeps raw `%` sequences (bad encodings on purpose).
fn enc(rng: &mut StdRng, s: &str) -> String {
    if rng.gen_bool(0.2) {
        s.replace([' ', '#', '&'], "+")
            .chars()
            .filter(|c| c.is_ascii() && !c.is_ascii_control())
            .collect()
    } else {
        url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
    }
}

fn query(rng: &mut StdRng, k: &Known) -> String {
    if rng.gen_bool(0.35) {
        // A real method with a live session and a random subset of the
        // parameters, so the call gets past the session check.
        let m = API_METHODS.choose(rng).copied().unwrap_or("");
        let session = k.sessions.choose(rng).cloned().unwrap_or_default();
        let mut parts = vec![format!("method={m}"), format!("session_key={session}")];
        for p in PARAMS {
            if *p != "method" && *p != "session_key" && rng.gen_bool(0.4) {
                let v = value(rng, k);
                parts.push(format!("{p}={}", enc(rng, &v)));
            }
        }
        return parts.join("&");
    }
    let n = match rng.gen_range(0..20) {
        0 => rng.gen_range(200..3000),
        _ => rng.gen_range(0..12),
    };
    let mut parts = Vec::with_capacity(n + 2);
    if rng.gen_bool(0.7) {
        let m = API_METHODS.choose(rng).copied().unwrap_or("");
        parts.push(format!("method={}", enc(rng, m)));
    }
    for _ in 0..n {
        let key = if rng.gen_bool(0.85) {
            PARAMS.choose(rng).copied().unwrap_or("x").to_string()
        } else {
            value(rng, k)
        };
        let v = value(rng, k);
        let (ek, ev) = (enc(rng, &key), enc(rng, &v));
        parts.push(match rng.gen_range(0..10) {
            0 => ek,
            1 => format!("{ek}=={ev}"),
            _ => format!("{ek}={ev}"),
        });
    }
    parts.join("&")
}

fn seg(rng: &mut StdRng, k: &Known) -> String {
    let v = value(rng, k);
    if rng.gen_bool(0.7) {
        percent_encoding::utf8_percent_encode(&v, percent_encoding::NON_ALPHANUMERIC).to_string()
    } else {
        v.replace(['/', '?', '#', ' '], "_")
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .collect()
    }
}

/// A path on one of the server's routes, with random segments.
fn path(rng: &mut StdRng, k: &Known) -> String {
    let s = |rng: &mut StdRng| seg(rng, k);
    match rng.gen_range(0..24) {
        0..=4 => "/rest/".into(),
        5 => "/rest".into(),
        6 => format!("/upload/{}", s(rng)),
        7 => format!("/upload/{}", k.ident),
        8 => format!("/progress/{}", s(rng)),
        9 => format!("/dl/{}/{}/{}/{}", s(rng), s(rng), s(rng), s(rng)),
        10 => format!("/dl/{}/{}/{}/{}/{}", s(rng), s(rng), s(rng), s(rng), s(rng)),
        11 => {
            // A real signed URL (its ranges and conditions get fuzzed by
            // the headers), or one with a byte changed.
            let mut p = k.dl_path.clone().into_bytes();
            if rng.gen_bool(0.5) {
                let i = rng.gen_range(4..p.len());
                p[i] = b"0aZ%/._-"[rng.gen_range(0..8)];
            }
            String::from_utf8_lossy(&p).into_owned()
        }
        12 => format!("/file/{}", s(rng)),
        13 => format!(
            "/file/{}",
            k.file_ids.choose(rng).cloned().unwrap_or_default()
        ),
        14 => format!("/delete/{}/{}", s(rng), s(rng)),
        15 => format!("{}{}", k.delete_path, s(rng)),
        16 => format!(
            "/api/{}{}",
            s(rng),
            ["", ".json", ".xml", ".JSON", "."]
                .choose(rng)
                .copied()
                .unwrap_or("")
        ),
        17 => [
            "/api/file_send",
            "/api/send_files_prep.json",
            "/api/file_send.xml",
        ]
        .choose(rng)
        .copied()
        .unwrap_or("/api/")
        .into(),
        18 => match rng.gen_range(0..3) {
            0 => format!("/s/{}", s(rng)),
            1 => format!("/s/{}/login", s(rng)),
            _ => format!("/s/{}/f/{}", s(rng), s(rng)),
        },
        19 => format!(
            "/folder/{}",
            [s(rng), k.folder_id.clone()]
                .choose(rng)
                .cloned()
                .unwrap_or_default()
        ),
        20 => format!(
            "/rss/{}",
            [s(rng), k.folder_id.clone()]
                .choose(rng)
                .cloned()
                .unwrap_or_default()
        ),
        21 => format!("/activate/{}", s(rng)),
        22 => [
            "/",
            "/upload",
            "/upload/new",
            "/upload/links",
            "/files",
            "/files/delete",
            "/files/share",
            "/login",
            "/logout",
            "/healthz",
            "/metrics",
            "/static/upload.js",
        ]
        .choose(rng)
        .copied()
        .unwrap_or("/")
        .into(),
        _ => format!("/{}/{}", s(rng), s(rng)),
    }
}

fn method(rng: &mut StdRng) -> String {
    [
        "GET", "GET", "GET", "POST", "POST", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH",
        "TRACE", "BREW", "get",
    ]
    .choose(rng)
    .copied()
    .unwrap_or("GET")
    .into()
}

/// A multipart body, well-formed or not. (content type, body)
fn multipart(rng: &mut StdRng, k: &Known) -> (String, Vec<u8>) {
    let boundary = match rng.gen_range(0..6) {
        0 => String::new(),
        1 => "x".repeat(200),
        2 => "\"quoted boundary\"".into(),
        _ => format!("b{}", rng.gen::<u32>()),
    };
    let mut ctype = match rng.gen_range(0..10) {
        0 => "multipart/form-data".to_string(),
        1 => format!("multipart/form-data; boundary={boundary}; boundary=other"),
        2 => format!("multipart/mixed; boundary={boundary}"),
        3 => format!("text/plain; boundary={boundary}"),
        _ => format!("multipart/form-data; boundary={boundary}"),
    };
    let b = boundary.trim_matches('"').to_string();
    let mut body = Vec::new();
    let field = |body: &mut Vec<u8>, name: &str, value: &[u8]| {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    };
    if rng.gen_bool(0.6) {
        field(&mut body, "UPLOAD_IDENTIFIER", k.ident.as_bytes());
        let extra = if rng.gen_bool(0.7) {
            k.extra.clone()
        } else {
            value(rng, k)
        };
        field(&mut body, "extra_info", extra.as_bytes());
    }
    for _ in 0..match rng.gen_range(0..8) {
        0 => rng.gen_range(50..300),
        _ => rng.gen_range(0..4),
    } {
        let name = PARAMS.choose(rng).copied().unwrap_or("x");
        let v = match rng.gen_range(0..6) {
            0 => vec![b'v'; rng.gen_range(60_000..200_000)],
            1 => vec![0xff, 0xfe, 0xc3, 0x28],
            _ => value(rng, k).into_bytes(),
        };
        field(&mut body, name, &v);
    }
    match rng.gen_range(0..10) {
        // Nested multipart as the file part.
        0 => body.extend_from_slice(
            format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"userfile\"; filename=\"n.bin\"\r\n\
                 Content-Type: multipart/mixed; boundary=inner\r\n\r\n--inner\r\n\
                 Content-Disposition: attachment; filename=\"x\"\r\n\r\nhello\r\n--inner--\r\n\r\n"
            )
            .as_bytes(),
        ),
        // Part headers that make no sense.
        1 => body.extend_from_slice(
            format!(
                "--{b}\r\nContent-Disposition\r\nX: {}\r\n\r\ndata\r\n",
                "h".repeat(rng.gen_range(10..20_000))
            )
            .as_bytes(),
        ),
        // Garbage where parts should be.
        2 => body.extend((0..rng.gen_range(1..5000)).map(|_| rng.gen::<u8>())),
        // No file part at all.
        3 => {}
        _ => {
            let name = ["a.txt", "", "..", "\u{0}x", "ä/b\\c.bin", "x\r\ny"]
                .choose(rng)
                .copied()
                .unwrap_or("f");
            body.extend_from_slice(
                format!(
                    "--{b}\r\nContent-Disposition: form-data; name=\"userfile\"; filename=\"{name}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            let n = rng.gen_range(0..70_000);
            body.extend((0..n).map(|i| (i % 251) as u8));
            body.extend_from_slice(b"\r\n");
        }
    }
    match rng.gen_range(0..5) {
        0 => {}                                                   // no closing boundary
        1 => body.extend_from_slice(format!("--{b}").as_bytes()), // unterminated
        _ => body.extend_from_slice(format!("--{b}--\r\n").as_bytes()),
    }
    if rng.gen_bool(0.15) {
        // Cut anywhere.
        let at = rng.gen_range(0..=body.len());
        body.truncate(at);
    }
    if rng.gen_bool(0.05) {
        ctype = value(rng, k);
    }
    (ctype, body)
}

fn form_body(rng: &mut StdRng, k: &Known) -> (String, Vec<u8>) {
    match rng.gen_range(0..8) {
        0 => (
            "application/x-www-form-urlencoded".into(),
            vec![b'a'; rng.gen_range(1_000_000..1_300_000)],
        ),
        1 => ("application/json".into(), b"{\"method\": [1,2,{}".to_vec()),
        2 => (
            "application/x-www-form-urlencoded; charset=utf-16".into(),
            (0..rng.gen_range(0..3000))
                .map(|_| rng.gen::<u8>())
                .collect(),
        ),
        3 => multipart(rng, k),
        _ => (
            "application/x-www-form-urlencoded".into(),
            query(rng, k).into_bytes(),
        ),
    }
}

fn headers(rng: &mut StdRng) -> Vec<(String, Vec<u8>)> {
    let mut h = Vec::new();
    for _ in 0..rng.gen_range(0..4) {
        let (name, v): (&str, Vec<u8>) = match rng.gen_range(0..10) {
            0 => ("x-huge", vec![b'h'; rng.gen_range(8_000..120_000)]),
            1 | 2 => (
                "range",
                [
                    &b"bytes=99999999999999999999-,-0,5-1"[..],
                    b"bytes=0-0,1-1,2-2,3-3,4-4,5-5,6-6,7-7,8-8",
                    b"bytes=-99999999999999999999",
                    b"bytes=5-",
                    b"bytes=0-18446744073709551615",
                    b"bytes=18446744073709551615-0",
                    b"bytes=--1",
                    b"bytes= 1 - 2 ",
                    b"items=0-1",
                    b"bytes=\xff-1",
                ]
                .choose(rng)
                .map(|v| v.to_vec())
                .unwrap_or_default(),
            ),
            3 => ("if-range", b"\"garbage\xff\"".to_vec()),
            4 => (
                "cookie",
                b"ds_session=%ff%fe; ds_session=; x=\xc3\x28".to_vec(),
            ),
            5 => ("x-forwarded-for", b"not an address, 1.2.3.4".to_vec()),
            6 => ("accept-encoding", b"gzip;q=2, *;q=-1".to_vec()),
            7 => ("content-type", b"multipart/form-data; boundary=".to_vec()),
            8 => ("origin", b"http://evil.example".to_vec()),
            _ => ("accept", vec![0xe2, 0x82, 0xac, 0xff]),
        };
        h.push((name.to_string(), v));
    }
    h
}

fn http_case(rng: &mut StdRng, k: &Known) -> Case {
    let mut method = method(rng);
    let p = path(rng, k);
    let mut target = p.clone();
    if rng.gen_bool(0.7) {
        target = format!("{target}?{}", query(rng, k));
    }
    let mut headers = headers(rng);
    let mut body = None;
    let category;
    if p.starts_with("/upload/") && rng.gen_bool(0.8) {
        method = "POST".into();
        let (ct, b) = multipart(rng, k);
        headers.push(("content-type".into(), ct.into_bytes()));
        body = Some(b);
        category = "multipart upload";
    } else if method == "POST" || method == "PUT" || rng.gen_bool(0.1) {
        let (ct, b) = form_body(rng, k);
        headers.push(("content-type".into(), ct.into_bytes()));
        body = Some(b);
        category = "request with body";
    } else if headers.iter().any(|(n, _)| n == "x-huge") {
        category = "huge header";
    } else {
        category = "random request";
    }
    Case {
        category,
        wire: Wire::Http {
            method,
            target,
            headers,
            body,
        },
    }
}

/// Requests that are not proper HTTP, written by hand.
fn raw_case(rng: &mut StdRng, k: &Known) -> Case {
    let p = path(rng, k);
    let q = query(rng, k);
    let (ct, body) = if p.starts_with("/upload/") || rng.gen_bool(0.3) {
        multipart(rng, k)
    } else {
        (
            "application/x-www-form-urlencoded".into(),
            q.clone().into_bytes(),
        )
    };
    let head = |method: &str, target: &[u8], extra: &str| -> Vec<u8> {
        let mut v = format!("{method} ").into_bytes();
        v.extend_from_slice(target);
        v.extend_from_slice(
            format!(" HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: {ct}\r\n{extra}")
                .as_bytes(),
        );
        v
    };
    let target = format!("{p}?{q}").into_bytes();
    let (category, bytes, close): (&'static str, Vec<u8>, bool) = match rng.gen_range(0..12) {
        0 => {
            // Invalid UTF-8 and control bytes in the request target.
            let mut t = format!("{p}?method=").into_bytes();
            t.extend((0..rng.gen_range(1..20)).map(|_| rng.gen_range(0x80u8..=0xff)));
            t.extend_from_slice(b"&x=%ff%c3%28%");
            let mut v = head("GET", &t, "");
            v.extend_from_slice(b"\r\n");
            ("invalid utf-8 target", v, false)
        }
        1 => {
            // The body is shorter than announced; the client gives up.
            let mut v = head(
                "POST",
                &target,
                &format!(
                    "Content-Length: {}\r\n\r\n",
                    body.len() + rng.gen_range(1..100_000)
                ),
            );
            v.extend_from_slice(&body);
            ("content-length too large", v, true)
        }
        2 => {
            // The body is longer than announced: the rest looks like a
            // second request.
            let n = rng.gen_range(0..=body.len());
            let mut v = head("POST", &target, &format!("Content-Length: {n}\r\n\r\n"));
            v.extend_from_slice(&body);
            ("content-length too small", v, true)
        }
        3 => {
            let mut v = head(
                "POST",
                &target,
                &format!(
                    "Content-Length: {}\r\nContent-Length: {}\r\n\r\n",
                    body.len(),
                    body.len() / 2 + 1
                ),
            );
            v.extend_from_slice(&body);
            ("conflicting content-length", v, true)
        }
        4 | 5 => {
            // Chunked, cut off mid-way (sometimes mid-chunk-header).
            let mut v = head("POST", &target, "Transfer-Encoding: chunked\r\n\r\n");
            let cut = rng.gen_range(0..=body.len());
            for c in body[..cut].chunks(rng.gen_range(1..9000)) {
                v.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
                v.extend_from_slice(c);
                v.extend_from_slice(b"\r\n");
            }
            if rng.gen_bool(0.5) {
                v.extend_from_slice(b"ff");
            }
            ("chunked cut off", v, true)
        }
        6 => {
            let size = ["zz", "-1", "ffffffffffffffffffff", "1;ext=\"x", ""]
                .choose(rng)
                .copied()
                .unwrap_or("zz");
            let mut v = head("POST", &target, "Transfer-Encoding: chunked\r\n\r\n");
            v.extend_from_slice(format!("{size}\r\nabc\r\n0\r\n\r\n").as_bytes());
            ("bad chunk size", v, true)
        }
        7 => {
            let mut v = head(
                "POST",
                &target,
                &format!(
                    "Content-Length: {}\r\nTransfer-Encoding: chunked\r\n\r\n",
                    body.len()
                ),
            );
            v.extend_from_slice(&body);
            ("content-length and chunked", v, true)
        }
        8 => {
            let huge = "v".repeat(rng.gen_range(100_000..600_000));
            let mut v = head("GET", &target, &format!("X-Huge: {huge}\r\n\r\n"));
            v.extend_from_slice(b"\r\n");
            ("huge raw header", v, false)
        }
        9 => {
            let garbage: &[&[u8]] = &[
                b"GARBAGE\r\n\r\n",
                b"GET\r\n\r\n",
                b"GET / HTTP/9.9\r\n\r\n",
                b"GET /rest/ HTTP/1.1\r\nno colon here\r\n\r\n",
                b"GET /rest/ HTTP/1.1\r\nHost: x\r\n X-Folded: y\r\n\r\n",
                b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
                b"GET http://other.example/rest/?method=auth.createToken HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET /rest/?method=auth.createToken HTTP/1.0\r\n\r\n",
                b"POST /upload/x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n",
            ];
            (
                "not http",
                garbage.choose(rng).copied().unwrap_or(b"x").to_vec(),
                true,
            )
        }
        10 => {
            // Many headers.
            let mut extra = String::new();
            for i in 0..rng.gen_range(100..400) {
                extra.push_str(&format!("X-H{i}: {i}\r\n"));
            }
            extra.push_str("\r\n");
            ("many headers", head("GET", &target, &extra), false)
        }
        _ => {
            // An oversized body that stops half-way.
            let n = rng.gen_range(2_000_000..4_000_000);
            let mut v = head("POST", &target, &format!("Content-Length: {n}\r\n\r\n"));
            v.extend_from_slice(&vec![b'z'; n / 3]);
            ("oversized body cut off", v, true)
        }
    };
    Case {
        category,
        wire: Wire::Raw { bytes, close },
    }
}

/// What came back.
#[derive(Debug)]
enum Got {
    Status(u16),
    /// The connection ended without an answer (a malformed request may
    /// just be dropped).
    Closed,
    /// No answer in time: a hang.
    Timeout,
}

async fn send_http(
    http: &reqwest::Client,
    base: &str,
    method: &str,
    target: &str,
    headers: &[(String, Vec<u8>)],
    body: &Option<Vec<u8>>,
) -> Got {
    let built = reqwest::Method::from_bytes(method.as_bytes())
        .ok()
        .and_then(|m| {
            let mut req = http.request(m, format!("{base}{target}"));
            for (name, v) in headers {
                req = req.header(
                    name.as_str(),
                    reqwest::header::HeaderValue::from_bytes(v).ok()?,
                );
            }
            if let Some(b) = body {
                req = req.body(b.clone());
            }
            req.build().ok()
        });
    let by_hand = || {
        let mut raw =
            format!("{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n").into_bytes();
        for (name, v) in headers {
            raw.extend_from_slice(name.as_bytes());
            raw.extend_from_slice(b": ");
            raw.extend_from_slice(v);
            raw.extend_from_slice(b"\r\n");
        }
        let body = body.as_deref().unwrap_or_default();
        raw.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        raw.extend_from_slice(body);
        raw
    };
    let addr = base.trim_start_matches("http://");
    // What reqwest (or hyper's client) will not send goes out by hand.
    let Some(req) = built else {
        return send_raw(addr, &by_hand(), false).await;
    };
    match http.execute(req).await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let _ = resp.bytes().await;
            Got::Status(status)
        }
        Err(e) if e.is_builder() => send_raw(addr, &by_hand(), false).await,
        Err(e) if e.is_timeout() => Got::Timeout,
        Err(_) => Got::Closed,
    }
}

async fn send_raw(addr: &str, bytes: &[u8], close: bool) -> Got {
    let work = async {
        let Ok(mut conn) = tokio::net::TcpStream::connect(addr).await else {
            return Got::Closed;
        };
        // The server may answer (and close) before all is written.
        let _ = conn.write_all(bytes).await;
        if close {
            let _ = conn.shutdown().await;
        }
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        while !buf.windows(2).any(|w| w == b"\r\n") {
            match conn.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let line = String::from_utf8_lossy(&buf);
        match line
            .strip_prefix("HTTP/1.")
            .and_then(|r| r.get(2..5))
            .and_then(|c| c.parse().ok())
        {
            Some(code) => Got::Status(code),
            None => Got::Closed,
        }
    };
    tokio::time::timeout(Duration::from_secs(20), work)
        .await
        .unwrap_or(Got::Timeout)
}

async fn hostile(backend: Backend) {
    let seed: u64 = match std::env::var("DROPSPACE_HOSTILE_SEED") {
        Ok(s) => s
            .trim()
            .parse()
            .expect("DROPSPACE_HOSTILE_SEED is a number"),
        Err(_) => rand::thread_rng().gen(),
    };
    println!("hostile input ({backend:?}): DROPSPACE_HOSTILE_SEED={seed}");
    let s = Server::start_with(backend, &[("DROPSPACE_LIMITS__UPLOAD_IDLE_SECS", "3")]).await;
    // Real things to aim at.
    // The requests act as `mallory`, whose sessions they hold; `alice`'s
    // file must come through untouched.
    let alice = s.user_session("alice").await;
    let target = upload(&s, &alice, "target.txt", b"target".to_vec()).await;
    let dl = direct_url(&s, &alice, &target, None).await;
    s.create_user("mallory", "secret123");
    let mut sessions = Vec::new();
    for _ in 0..8 {
        sessions.push(s.login("mallory", "secret123").await);
    }
    let session = sessions[0].clone();
    let own = upload(&s, &session, "own.txt", b"own".to_vec()).await;
    let folder_id = mkdir(&s, &session, "dir", "0", "1").await;
    let info = upload_info(&s, &session, "0").await;
    let anon = anon_info(&s).await;
    let (ct, body) = anon.raw("anon.txt", b"anon");
    let resp = s
        .http
        .post(&anon.url)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .expect("anonymous upload");
    let x = Xml::from_response(resp).await;
    let delete_url = x.text("delete_url").expect("delete_url");
    let known = Arc::new(Known {
        api_key: s.api_key.clone(),
        sessions,
        file_ids: vec![own, target],
        folder_id,
        ident: info.ident.clone(),
        extra: info.extra.clone(),
        dl_path: dl.replace(&s.base, ""),
        delete_path: delete_url
            .replace(&s.base, "")
            .rsplit_once('/')
            .map(|(a, _)| format!("{a}/"))
            .unwrap_or_default(),
    });
    // Case i comes from its own generator seeded by (seed, i): the same
    // cases whatever the timing, built only when sent.
    let case = move |i: usize, k: &Known| {
        let mut rng = StdRng::seed_from_u64(seed ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        if rng.gen_bool(0.3) {
            raw_case(&mut rng, k)
        } else {
            http_case(&mut rng, k)
        }
    };
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        // A connection per request: a server that drops a connection after
        // a bad request must not make the next one look dropped.
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    let base = s.base.clone();
    let addr = base.trim_start_matches("http://").to_string();
    let started = Instant::now();
    let results: Vec<(&'static str, String, Got)> = futures::stream::iter(0..REQUESTS)
        .map(|i| {
            let (http, base, addr, known) =
                (http.clone(), base.clone(), addr.clone(), known.clone());
            async move {
                let case = case(i, &known);
                let (what, got) = match &case.wire {
                    Wire::Http {
                        method,
                        target,
                        headers,
                        body,
                    } => (
                        format!("{method} {}", target.chars().take(120).collect::<String>()),
                        send_http(&http, &base, method, target, headers, body).await,
                    ),
                    Wire::Raw { bytes, close } => (
                        String::from_utf8_lossy(&bytes[..bytes.len().min(160)]).into_owned(),
                        send_raw(&addr, bytes, *close).await,
                    ),
                };
                (case.category, what, got)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let elapsed = started.elapsed();
    // Tally.
    let mut by_category: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut hangs = Vec::new();
    for (category, what, got) in &results {
        let key = match got {
            Got::Status(c) => c.to_string(),
            other => format!("{other:?}").to_lowercase(),
        };
        *by_status.entry(key.clone()).or_default() += 1;
        *by_category
            .entry(category)
            .or_default()
            .entry(key)
            .or_default() += 1;
        match got {
            Got::Status(c) if *c >= 500 => errors.push(format!("{c} [{category}] {what}")),
            Got::Timeout => hangs.push(format!("[{category}] {what}")),
            _ => {}
        }
    }
    println!(
        "{} hostile requests in {:.1}s ({CONCURRENCY} at a time)",
        results.len(),
        elapsed.as_secs_f64()
    );
    println!("by status: {by_status:?}");
    for (category, statuses) in &by_category {
        let n: usize = statuses.values().sum();
        println!("  {category:28} {n:5}  {statuses:?}");
    }
    for e in errors.iter().take(10) {
        println!("5xx: {e}");
    }
    for h in hangs.iter().take(10) {
        println!("no answer: {h}");
    }
    assert_eq!(results.len(), REQUESTS);
    let log = s.log();
    let panics: Vec<&str> = log.lines().filter(|l| l.contains("panicked")).collect();
    assert!(panics.is_empty(), "the server panicked: {panics:#?}");
    assert!(
        errors.is_empty(),
        "{} answers were 5xx: {:#?}",
        errors.len(),
        &errors[..errors.len().min(10)]
    );
    assert!(
        hangs.is_empty(),
        "{} requests got no answer in time: {:#?}",
        hangs.len(),
        &hangs[..hangs.len().min(10)]
    );
    // Still serving, and the real file is still whole.
    let token = s.token("1.0").await;
    assert!(!token.is_empty());
    let (status, _, body) = fetch(&s, &dl, &[]).await;
    assert_eq!((status, body.as_slice()), (200, &b"target"[..]));
}

dual!(ten_thousand_hostile_requests, |b| async move {
    hostile(b).await
});

/// POSTs a chunked multipart body to an upload URL by hand: `prefix`, then
/// `fill` over and over up to `limit` bytes (or until the server stops
/// reading); then `suffix`, one byte every `pause`; then it waits, the
/// body unfinished. What the server answered (empty if nothing in 30 s).
async fn flood(
    url: &str,
    prefix: &[u8],
    fill: &[u8],
    limit: usize,
    suffix: &[u8],
    pause: Duration,
) -> String {
    let url = url::Url::parse(url).expect("upload url");
    let addr = format!(
        "{}:{}",
        url.host_str().expect("host"),
        url.port().expect("port")
    );
    let conn = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut rd, mut wr) = conn.into_split();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n\
         Transfer-Encoding: chunked\r\n\r\n",
        url.path()
    );
    let (prefix, fill, suffix) = (prefix.to_vec(), fill.to_vec(), suffix.to_vec());
    let writer = tokio::spawn(async move {
        let chunk = |b: &[u8]| [format!("{:x}\r\n", b.len()).as_bytes(), b, b"\r\n"].concat();
        wr.write_all(head.as_bytes()).await?;
        if !prefix.is_empty() {
            wr.write_all(&chunk(&prefix)).await?;
        }
        let mut sent = 0;
        while sent < limit {
            wr.write_all(&chunk(&fill)).await?;
            sent += fill.len();
        }
        for b in suffix {
            wr.write_all(&chunk(&[b])).await?;
            tokio::time::sleep(pause).await;
        }
        // Holds the connection open (a closed body would fail anyway).
        std::future::pending::<()>().await;
        std::io::Result::Ok(())
    });
    let (answer, _) = attack::read_until_closed(&mut rd, Duration::from_secs(30)).await;
    writer.abort();
    answer
}

fn assert_refused(answer: &str, what: &str) {
    assert!(
        answer.contains("upload_status=fail") && answer.contains("error_code=16"),
        "{what}: {answer:?}"
    );
}

// A body that never frames a part (no boundary; a part head that never
// ends) is refused once `limits.form_head_bytes` is passed, before the
// parser buffers it; a form over its whole bound too. Memory stays flat
// and /healthz answers meanwhile.
dual!(upload_form_parser_is_bounded, |b| async move {
    let s = Server::start(b).await;
    let session = s.user_session("former").await;
    let (base, _) = rss_kib(s.pid());
    const FLOOD: usize = 64 << 20;
    let junk = vec![b'j'; 64 * 1024];
    let head_line =
        b"X-Junk: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".repeat(1024);
    let part = b"--XyZ\r\nContent-Disposition: form-data; name=\"userfile\"; filename=\"a\"\r\n";
    let (one, two) = (
        upload_info(&s, &session, "0").await,
        upload_info(&s, &session, "0").await,
    );
    let started = Instant::now();
    let no_boundary = flood(&one.url, b"", &junk, FLOOD, b"", Duration::ZERO);
    let endless_head = flood(&two.url, part, &head_line, FLOOD, b"", Duration::ZERO);
    let health = async {
        let started = Instant::now();
        let resp = s.http.get(s.url("/healthz")).send().await.expect("healthz");
        (resp.status().as_u16(), started.elapsed())
    };
    let (no_boundary, endless_head, (health, health_took)) =
        tokio::join!(no_boundary, endless_head, health);
    let (_, peak) = rss_kib(s.pid());
    let growth_mib = peak.saturating_sub(base) / 1024;
    println!(
        "parser flood: peak RSS growth {growth_mib} MiB, /healthz {health_took:?}, {:?} in all",
        started.elapsed()
    );
    assert_refused(&no_boundary, "a body without a boundary");
    assert_refused(&endless_head, "a part head that never ends");
    assert_eq!(health, 200);
    assert!(
        growth_mib < 32,
        "peak RSS grew by {growth_mib} MiB (base {base} KiB)"
    );
    // A skipped file part counts too: the whole form is bounded by the
    // file size limit (here 1000 bytes) plus what the other parts may be.
    let small =
        Server::start_with(b, &[("DROPSPACE_TIERS__ANONYMOUS__MAX_FILE_SIZE", "1000")]).await;
    let info = anon_info(&small).await;
    let prefix = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"extra_info\"\r\n\r\n{}\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"userfile\"\r\n\r\nsecond\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"first\"; filename=\"big\"\r\n\r\n",
        info.extra
    );
    let big = flood(
        &info.url,
        prefix.as_bytes(),
        &pattern(64 * 1024, 3),
        10 << 20,
        b"",
        Duration::ZERO,
    )
    .await;
    assert!(
        big.contains("code=\"16\""),
        "a form over its whole bound: {big:?}"
    );
    assert_eq!(count(&small, "SELECT COUNT(*) FROM files").await, 0);
    // Neither flood showed its extra_info: the identifiers were never taken
    // (docs/api-notes.md, Uploads), so their progress is untouched.
    for info in [&one, &two] {
        assert_eq!(progress(&s, &info.progress_url).await[0].1, "ok");
    }
    // Well-formed forms at the bounds still pass: 60 text fields of 60 KiB
    // and a file, 64 parts in all.
    let info = upload_info(&s, &session, "0").await;
    let long = "v".repeat(60 * 1024);
    let many: Vec<(String, String)> = (0..60).map(|i| (format!("f{i}"), long.clone())).collect();
    let fields: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let answer = send_form(
        &s,
        &info.url,
        info.form(&fields, "ok.bin", pattern(3 << 20, 4)),
    )
    .await;
    assert_eq!(kv_get(&answer, "upload_status"), "ok", "{answer:?}");
    // Nothing of the refused uploads was kept.
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 1);
    assert!(s.log().lines().all(|l| !l.contains("panicked")));
});

// `limits.form_head_secs`: a form that trickles a text field (so it never
// sits idle) is refused once it has not reached its file in time.
dual!(upload_form_must_reach_its_file_in_time, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_LIMITS__FORM_HEAD_SECS", "1")]).await;
    let session = s.user_session("slow").await;
    let info = upload_info(&s, &session, "0").await;
    // The form shows its extra_info first, so the identifier is taken.
    let prefix = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"extra_info\"\r\n\r\n{}\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n",
        info.extra
    );
    let prefix = prefix.as_bytes();
    // Up to 15 s of one byte per 100 ms: far longer than the deadline.
    let trickle = vec![b'd'; 150];
    let answer = flood(
        &info.url,
        prefix,
        b"",
        0,
        &trickle,
        Duration::from_millis(100),
    )
    .await;
    assert_refused(&answer, "a form trickling its fields");
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 0);
    // Released like any failed upload; others still work.
    assert_eq!(progress(&s, &info.progress_url).await[0].1, "fail");
    upload(&s, &session, "late.bin", b"fine".to_vec()).await;
});

/// The connection timeouts cut to seconds so the attack ends quickly (the
/// defaults: first byte 10 s, head 10 s, idle 60 s, form head 30 s); the
/// mechanisms are the same.
const QUICK_TIMEOUTS: &[(&str, &str)] = &[
    ("DROPSPACE_LIMITS__FIRST_BYTE_SECS", "2"),
    ("DROPSPACE_LIMITS__HEADER_READ_SECS", "2"),
    ("DROPSPACE_LIMITS__IDLE_CONNECTION_SECS", "2"),
    ("DROPSPACE_LIMITS__FORM_HEAD_SECS", "2"),
];

/// The per-address and per-account caps at their defaults (the harness
/// turns them off).
const DEFAULT_CAPS: &[(&str, &str)] = &[
    ("DROPSPACE_LIMITS__API_CALLS_PER_ADDRESS", "100"),
    ("DROPSPACE_LIMITS__API_CALLS_PER_ACCOUNT", "50"),
    ("DROPSPACE_LIMITS__UPLOAD_STARTS_PER_MINUTE", "120"),
    ("DROPSPACE_LIMITS__OPEN_UPLOADS_PER_ACCOUNT", "16"),
    ("DROPSPACE_LIMITS__OPEN_UPLOADS_PER_ADDRESS", "32"),
    ("DROPSPACE_LIMITS__CONNECTIONS_PER_ADDRESS", "64"),
    ("DROPSPACE_LIMITS__PAGE_VIEWS_PER_ADDRESS", "300"),
    ("DROPSPACE_LIMITS__PROGRESS_POLLS_PER_ADDRESS", "3600"),
];

/// 64 hostile connections at once from 127.0.0.1 (`attack::mix`: upload
/// floods without a boundary, endless part heads, trickling forms, silent
/// sockets, HTTP/2 prefaces alone, idle keep-alive) while 127.0.0.2 polls
/// `/healthz`. Asserts every attack is refused or closed, every probe is
/// answered, peak RSS grows ≤ 64 MiB, and the server serves afterwards.
async fn connection_attack(caps: bool) -> attack::Report {
    let mut env = QUICK_TIMEOUTS.to_vec();
    if caps {
        env.extend_from_slice(DEFAULT_CAPS);
    }
    let mut s = Server::start_with(Backend::Sqlite, &env).await;
    // Set-up from a third address: a per-address cap sees only the attack.
    s.http = client_from("127.0.0.3");
    let session = s.user_session("target").await;
    let kinds = attack::mix(64);
    let mut uploads = Vec::new();
    for _ in kinds.iter().filter(|k| k.uploads()) {
        let info = upload_info(&s, &session, "0").await;
        uploads.push(url::Url::parse(&info.url).expect("url").path().to_string());
    }
    let health = client_from("127.0.0.2");
    let resp = health.get(s.url("/healthz")).send().await.expect("healthz");
    assert_eq!(resp.status().as_u16(), 200);
    let report = attack::run(
        s.base.trim_start_matches("http://"),
        &kinds,
        &uploads,
        &health,
        &s.url("/healthz"),
        s.pid(),
        Duration::from_secs(15),
    )
    .await;
    println!(
        "{}: {}",
        if caps { "default caps" } else { "caps off" },
        report.summary()
    );
    assert_eq!(report.outcomes.len(), 64);
    for o in &report.outcomes {
        assert!(
            o.closed,
            "{:?} still open after 15 s: {:?}",
            o.kind, o.answer
        );
        match o.kind {
            k if k.uploads() => {
                // Over the open uploads per account (caps on): 13 at once.
                let code = if o.answer.contains("error_code=13") && caps {
                    13
                } else {
                    16
                };
                assert!(
                    o.answer.contains("upload_status=fail")
                        && o.answer.contains(&format!("error_code={code}")),
                    "{:?}: {:?}",
                    o.kind,
                    o.answer
                );
            }
            attack::Kind::IdleKeepAlive => {
                assert!(o.answer.starts_with("HTTP/1.1 200"), "{:?}", o.answer)
            }
            attack::Kind::Silent => assert_eq!(o.answer, ""),
            _ => assert!(!o.answer.starts_with("HTTP/1.1 2"), "{:?}", o.answer),
        }
    }
    assert!(!report.health.is_empty());
    let failed: Vec<_> = report.health.iter().filter(|(c, _)| *c != 200).collect();
    assert!(failed.is_empty(), "/healthz failed meanwhile: {failed:?}");
    assert!(
        report.rss_growth_mib() <= 64.0,
        "peak RSS grew by {:.1} MiB",
        report.rss_growth_mib()
    );
    // Nothing kept, nothing broken.
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 0);
    upload(&s, &session, "after.bin", b"fine".to_vec()).await;
    assert!(s.log().lines().all(|l| !l.contains("panicked")));
    report
}

// The idle-connection and parser-exhaustion attacks together, twice: with
// the default caps on (connections, uploads and rates per address and per
// account: part of the attack is refused at once) and with them off (the
// server carries every connection until its timeout). Timeouts are cut to
// 2 s in both. bench/hostile.sh runs the same against a release build.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_hostile_connections_at_once() {
    let with_caps = connection_attack(true).await;
    let without = connection_attack(false).await;
    // Which forms the caps turn away at once (13) depends on how many are
    // still open when each arrives; without them none is.
    let refused_at_once = |r: &attack::Report| {
        r.outcomes
            .iter()
            .filter(|o| o.answer.contains("error_code=13"))
            .count()
    };
    println!(
        "forms refused at once (13): {} with the caps, {} without",
        refused_at_once(&with_caps),
        refused_at_once(&without)
    );
    assert_eq!(refused_at_once(&without), 0);
}
