//! The `/rest/` transport and envelope through real HTTP, on both
//! databases: precedence of errors 1-5, GET/POST/multipart, case-insensitive
//! names echoed as sent, JSON, escaping, Expect: 100-continue, maintenance,
//! metrics, and a seeded storm of malformed requests.

mod common;
use common::*;

use std::time::Duration;

use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

dual!(error_precedence_1_to_5, |b| async move {
    let s = Server::start(b).await;
    // 1: no method, whatever else is wrong.
    let x = s
        .call(&[("api_version", "9.9"), ("response_format", "yaml")])
        .await;
    x.assert_error(1);
    assert_eq!(x.method(), "");
    assert_eq!(x.children()[0], "error");
    s.call(&[("method", "")]).await.assert_error(1);
    // 2: unknown method, even without a session key or parameters.
    let x = s
        .call(&[("method", "files.frobnicate"), ("api_version", "9")])
        .await;
    x.assert_error(2);
    assert_eq!(x.method(), "files.frobnicate");
    // 3: session method without session_key comes before missing parameters.
    s.call(&[("method", "files.getInfo")]).await.assert_error(3);
    s.call(&[("method", "files.getInfo"), ("session_key", "")])
        .await
        .assert_error(3);
    // 4: a missing mandatory parameter comes before a bad version.
    s.call(&[("method", "auth.createToken"), ("api_version", "7.0")])
        .await
        .assert_error(4);
    s.call(&[
        ("method", "files.getInfo"),
        ("session_key", "nosuchsession00000000000000000000"),
    ])
    .await
    .assert_error(4);
    // 5: unsupported version, before the key is even looked at (18).
    s.call(&[
        ("method", "auth.createToken"),
        ("api_key", "NOSUCHKEY"),
        ("api_version", "2.0"),
    ])
    .await
    .assert_error(5);
    s.call(&[
        ("method", "auth.createToken"),
        ("api_key", &s.api_key),
        ("api_version", ""),
    ])
    .await
    .assert_error(5);
    // 18 only once 1-5 pass.
    s.call(&[
        ("method", "auth.createToken"),
        ("api_key", "NOSUCHKEY"),
        ("api_version", "1.0"),
    ])
    .await
    .assert_error(18);
    // 6 for a well-formed call with a dead session.
    s.call(&[
        ("method", "files.getInfo"),
        ("session_key", "nosuchsession00000000000000000000"),
        ("file_id", "abcdef"),
    ])
    .await
    .assert_error(6);
    // Both supported versions work.
    for v in ["1.0", "1.2"] {
        assert_eq!(s.token(v).await.len(), 32);
    }
});

dual!(envelope_shape_and_headers, |b| async move {
    let s = Server::start(b).await;
    let x = s
        .call(&[
            ("method", "auth.createToken"),
            ("api_key", &s.api_key),
            ("api_version", "1.0"),
        ])
        .await;
    x.assert_ok();
    assert_eq!(x.http_status, 200);
    assert_eq!(x.content_type, "text/xml; charset=utf-8");
    assert!(
        x.raw
            .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        "{}",
        x.raw
    );
    assert_eq!(x.children(), ["token"]);
    let x = s.call(&[("method", "nope")]).await;
    assert_eq!(x.content_type, "text/xml; charset=utf-8");
    assert_eq!(x.children(), ["error"]);
    assert_eq!(x.error_text(), "Unknown method");
});

dual!(method_names_case_insensitive_and_echoed, |b| async move {
    let s = Server::start(b).await;
    for name in ["auth.createToken", "auth.createtoken", "AUTH.CREATETOKEN"] {
        let x = s
            .call(&[
                ("method", name),
                ("api_key", &s.api_key),
                ("api_version", "1.0"),
            ])
            .await;
        x.assert_ok();
        assert_eq!(x.method(), name);
    }
    let session = s.user_session("casey").await;
    let x = s
        .call(&[("method", "Auth.CheckSession"), ("session_key", &session)])
        .await;
    x.assert_ok();
    assert_eq!(x.method(), "Auth.CheckSession");
});

dual!(hostile_values_are_escaped, |b| async move {
    let s = Server::start(b).await;
    let hostile = "x<y>&z\"q'r]]>\u{1}end";
    let x = s.call(&[("method", hostile)]).await;
    x.assert_error(2);
    // The control character cannot be carried by XML 1.0 and is replaced.
    assert_eq!(x.method(), "x<y>&z\"q'r]]>\u{fffd}end");
    assert!(!x.raw.contains("]]>"), "{}", x.raw);
    let x = s
        .post(&[("method", "<result status=\"ok\">"), ("a", "&amp;")])
        .await;
    x.assert_error(2);
    assert_eq!(x.method(), "<result status=\"ok\">");
    let json = s
        .call_json(&[("method", hostile), ("response_format", "json")])
        .await;
    assert_eq!(json["result"]["method"], hostile);
});

dual!(json_format, |b| async move {
    let s = Server::start(b).await;
    let v = s
        .call_json(&[
            ("method", "auth.createtoken"),
            ("api_key", &s.api_key),
            ("api_version", "1.0"),
            ("response_format", "json"),
        ])
        .await;
    assert_eq!(v["result"]["method"], "auth.createtoken");
    assert_eq!(v["result"]["status"], "ok");
    assert_eq!(v["result"]["token"].as_str().map(str::len), Some(32));
    let v = s
        .call_json(&[("method", "auth.nothing"), ("response_format", "JSON")])
        .await;
    assert_eq!(v["result"]["status"], "fail");
    assert_eq!(v["result"]["error"]["code"], "2");
    assert_eq!(v["result"]["error"]["text"], "Unknown method");
    let session = s.user_session("jason").await;
    let v = s
        .call_json(&[
            ("method", "auth.checkSession"),
            ("session_key", &session),
            ("response_format", "json"),
        ])
        .await;
    assert_eq!(v["result"]["session"], "ok");
    assert_eq!(v["result"]["diskspace_left"], "10737418240");
    // Any other format is 21, answered in XML.
    let x = s
        .call(&[
            ("method", "auth.createToken"),
            ("api_key", &s.api_key),
            ("api_version", "1.0"),
            ("response_format", "yaml"),
        ])
        .await;
    x.assert_error(21);
    s.call(&[
        ("method", "auth.createToken"),
        ("api_key", &s.api_key),
        ("api_version", "1.0"),
        ("response_format", "XML"),
    ])
    .await
    .assert_ok();
});

dual!(post_bodies_and_query, |b| async move {
    let s = Server::start(b).await;
    let key = s.api_key.clone();
    // urlencoded body
    let x = s
        .post(&[
            ("method", "auth.createToken"),
            ("api_key", &key),
            ("api_version", "1.0"),
        ])
        .await;
    x.assert_ok();
    // parameters in the query string of a POST with an empty body and no Content-Type
    let x = answer(s.http.post(s.url("/rest/")).query(&[
        ("method", "auth.createToken"),
        ("api_key", key.as_str()),
        ("api_version", "1.0"),
    ]))
    .await;
    x.assert_ok();
    // multipart
    let form = reqwest::multipart::Form::new()
        .text("method", "auth.createToken")
        .text("api_key", key.clone())
        .text("api_version", "1.2");
    answer(s.http.post(s.url("/rest/")).multipart(form))
        .await
        .assert_ok();
    // a browser-style mixed-case boundary and a file part among the fields
    let body = format!(
        "------WebKitFormBoundaryAbCdEf\r\nContent-Disposition: form-data; name=\"method\"\r\n\r\n\
         auth.createToken\r\n------WebKitFormBoundaryAbCdEf\r\nContent-Disposition: form-data; \
         name=\"api_key\"\r\n\r\n{key}\r\n------WebKitFormBoundaryAbCdEf\r\nContent-Disposition: \
         form-data; name=\"junk\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n\
         \x00\x01binary\r\n------WebKitFormBoundaryAbCdEf\r\nContent-Disposition: form-data; \
         name=\"api_version\"\r\n\r\n1.0\r\n------WebKitFormBoundaryAbCdEf--\r\n"
    );
    let resp = s
        .http
        .post(s.url("/rest/"))
        .header(
            "content-type",
            "Multipart/Form-Data; boundary=----WebKitFormBoundaryAbCdEf",
        )
        .body(body)
        .send()
        .await
        .expect("post");
    Xml::from_response(resp).await.assert_ok();
    // the body wins over the query on a clash
    let x = answer(
        s.http
            .post(s.url("/rest/?method=files.bogus&api_version=3.0"))
            .form(&[
                ("method", "auth.createToken"),
                ("api_key", key.as_str()),
                ("api_version", "1.0"),
            ]),
    )
    .await;
    x.assert_ok();
    assert_eq!(x.method(), "auth.createToken");
    // without the trailing slash too
    answer(s.http.get(s.url("/rest?method=auth.createToken")))
        .await
        .assert_error(4);
});

dual!(malformed_bodies_are_16, |b| async move {
    let s = Server::start(b).await;
    // multipart without a boundary
    let x = answer(
        s.http
            .post(s.url("/rest/?method=auth.createToken"))
            .header("content-type", "multipart/form-data")
            .body("junk"),
    )
    .await;
    x.assert_error(16);
    assert_eq!(x.method(), "auth.createToken");
    // ... in the format the query string asked for
    let resp = s
        .http
        .post(s.url("/rest/?method=auth.createToken&response_format=json"))
        .header("content-type", "multipart/form-data")
        .body("junk")
        .send()
        .await
        .expect("post");
    let v: serde_json::Value =
        serde_json::from_str(&resp.text().await.expect("body")).expect("JSON");
    assert_eq!(v["result"]["error"]["code"], "16");
    // a truncated multipart body
    let resp = s
        .http
        .post(s.url("/rest/"))
        .header("content-type", "multipart/form-data; boundary=XYZ")
        .body("--XYZ\r\nContent-Disposition: form-data; name=\"method\"\r\n\r\nauth.crea")
        .send()
        .await
        .expect("post");
    Xml::from_response(resp).await.assert_error(16);
    // a body over the API limit
    let big = format!(
        "method=auth.createToken&pad={}",
        "a".repeat(2 * 1024 * 1024)
    );
    answer(
        s.http
            .post(s.url("/rest/"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(big),
    )
    .await
    .assert_error(16);
    // invalid UTF-8 and broken percent-escapes are read lossily, never a crash
    answer(
        s.http
            .post(s.url("/rest/"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(b"method=auth.%ZZcreate\xff\xfe%&api_key=%".to_vec()),
    )
    .await
    .assert_error(2);
});

dual!(other_http_methods, |b| async move {
    let s = Server::start(b).await;
    let resp = s
        .http
        .head(s.url("/rest/?method=auth.createToken"))
        .send()
        .await
        .expect("head");
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/xml; charset=utf-8")
    );
    assert!(resp.bytes().await.expect("body").is_empty());
    for method in [
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
        reqwest::Method::PATCH,
    ] {
        answer(s.http.request(method, s.url("/rest/?method=nope")))
            .await
            .assert_error(2);
    }
});

/// Sends one raw HTTP/1.1 request with `Expect: 100-continue`, waits for the
/// interim answer before sending the body, and returns the final answer.
async fn expect_continue(s: &Server, body: &str) -> (String, String) {
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut tcp = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let head = format!(
        "POST /rest/ HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        body.len()
    );
    tcp.write_all(head.as_bytes()).await.expect("write head");
    let mut interim = Vec::new();
    let mut buf = [0u8; 1];
    tokio::time::timeout(Duration::from_secs(10), async {
        while !interim.ends_with(b"\r\n\r\n") {
            let n = tcp.read(&mut buf).await.expect("read");
            assert!(n > 0, "closed before 100 Continue");
            interim.push(buf[0]);
        }
    })
    .await
    .expect("no 100 Continue within 10 s");
    tcp.write_all(body.as_bytes()).await.expect("write body");
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut rest))
        .await
        .expect("final answer in time")
        .expect("read");
    (
        String::from_utf8_lossy(&interim).to_string(),
        String::from_utf8_lossy(&rest).to_string(),
    )
}

dual!(expect_100_continue, |b| async move {
    let s = Server::start(b).await;
    let body = format!(
        "method=auth.createToken&api_key={}&api_version=1.0",
        s.api_key
    );
    let (interim, fin) = expect_continue(&s, &body).await;
    assert!(interim.starts_with("HTTP/1.1 100"), "{interim}");
    assert!(fin.starts_with("HTTP/1.1 200"), "{fin}");
    assert!(fin.contains("status=\"ok\""), "{fin}");
    assert!(fin.contains("<token>"), "{fin}");
});

dual!(maintenance_blocks_writes_on_every_node, |b| async move {
    let s = Server::start(b).await;
    let other = s.another_node().await;
    let session = s.user_session("maint").await;
    s.admin_ok(&["maintenance", "on"]);
    for node in [&s, &other] {
        let x = node
            .call(&[
                ("method", "auth.register"),
                ("api_key", &s.api_key),
                ("user_name", "newbie"),
                ("full_name", "New Bie"),
                ("email", "newbie@example.com"),
                ("password", "secret1"),
            ])
            .await;
        x.assert_error(15);
        assert_eq!(x.error_text(), "System maintenance, try again later");
        node.call(&[("method", "upload.getInfo"), ("session_key", &session)])
            .await
            .assert_error(15);
        node.call(&[
            ("method", "files.delete"),
            ("session_key", &session),
            ("file_id", "abcdef"),
        ])
        .await
        .assert_error(15);
        // Reads, tokens and logins go on.
        node.call(&[("method", "auth.checkSession"), ("session_key", &session)])
            .await
            .assert_ok();
        node.login("maint", "secret123").await;
    }
    // Every method of the table: 15 exactly when it writes.
    for spec in dropspace::api::Method::ALL.map(dropspace::api::Method::spec) {
        let mut p: Vec<(&str, &str)> = vec![("method", spec.name), ("session_key", &session)];
        for name in spec.required {
            let value = match *name {
                "api_key" => s.api_key.as_str(),
                "api_version" => "1.0",
                _ => "abcdef",
            };
            p.push((name, value));
        }
        let x = other.call(&p).await;
        if spec.writes {
            x.assert_error(15);
        } else {
            assert!(
                x.is_ok() || x.error_code() != 15,
                "{}: {}",
                spec.name,
                x.raw
            );
        }
    }
    s.admin_ok(&["maintenance", "off"]);
    for node in [&s, &other] {
        let x = node
            .call(&[("method", "upload.getInfo"), ("session_key", &session)])
            .await;
        assert!(x.is_ok() || x.error_code() != 15, "{}", x.raw);
    }
});

dual!(metrics_and_health, |b| async move {
    let s = Server::start(b).await;
    s.token("1.0").await;
    s.call(&[("method", "nope")]).await.assert_error(2);
    let resp = s.http.get(s.url("/healthz")).send().await.expect("healthz");
    assert_eq!(resp.status().as_u16(), 200);
    let text = s
        .http
        .get(s.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("body");
    assert!(
        text.contains("dropspace_api_requests_total{method=\"auth.createToken\",outcome=\"ok\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("dropspace_api_requests_total{method=\"unknown\",outcome=\"2\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("dropspace_api_request_duration_seconds_bucket{method=\"auth.createToken\""),
        "{text}"
    );
});

// /metrics can be closed to the public: a bearer token, a separate address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_token_and_separate_listener() {
    let token = "s3cret-metrics-token";
    let s = Server::start_with(Backend::Sqlite, &[("DROPSPACE_METRICS_TOKEN", token)]).await;
    s.token("1.0").await;
    let get = |auth: Option<String>| {
        let mut req = s.http.get(s.url("/metrics"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        async move { req.send().await.expect("metrics") }
    };
    for wrong in [
        None,
        Some("Bearer wrong".to_string()),
        Some(format!("Bearer {token}x")),
        Some(format!("Basic {token}")),
        Some(format!("Bearer {}", &token[..token.len() - 1])),
    ] {
        let resp = get(wrong.clone()).await;
        assert_eq!(resp.status(), 401, "{wrong:?}");
        assert!(!resp.text().await.expect("body").contains("dropspace_"));
    }
    let resp = get(Some(format!("Bearer {token}"))).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.expect("body").contains("dropspace_"));

    // Its own address: the main listener no longer serves it.
    let s = Server::start_with(
        Backend::Sqlite,
        &[("DROPSPACE_METRICS_LISTEN", "127.0.0.1:0")],
    )
    .await;
    assert!(
        s.metrics_base.starts_with("http://127.0.0.1:"),
        "{}",
        s.metrics_base
    );
    assert_ne!(s.metrics_base, s.base);
    s.token("1.0").await;
    let main = s.http.get(s.url("/metrics")).send().await.expect("main");
    assert_eq!(main.status(), 404);
    let own = s
        .http
        .get(format!("{}/metrics", s.metrics_base))
        .send()
        .await
        .expect("metrics listener");
    assert_eq!(own.status(), 200);
    assert!(own
        .text()
        .await
        .expect("body")
        .contains("dropspace_api_requests_total"));
    // Nothing else is served there.
    let other = s
        .http
        .get(format!("{}/healthz", s.metrics_base))
        .send()
        .await
        .expect("other");
    assert_eq!(other.status(), 404);
}

const FUZZ_PARAMS: &[&str] = &[
    "api_key",
    "api_version",
    "app_version",
    "session_key",
    "token",
    "user_name",
    "tokened_password",
    "full_name",
    "email",
    "password",
    "file_id",
    "folder_id",
    "parent_folder_id",
    "name",
    "description",
    "emails",
    "speed_limit",
    "response_format",
    "time_limit",
    "downloads_limit",
    "limit_action",
    "shared",
    "userfile",
];

fn fuzz_value(rng: &mut impl Rng, s: &Server, session: &str) -> Vec<u8> {
    match rng.gen_range(0..10) {
        0 => Vec::new(),
        1 => s.api_key.clone().into_bytes(),
        2 => session.as_bytes().to_vec(),
        3 => [
            "1.0",
            "1.2",
            "0",
            "-1",
            "99999999999999999999999",
            "json",
            "xml",
        ][rng.gen_range(0..7)]
        .as_bytes()
        .to_vec(),
        4 => (0..rng.gen_range(0..40)).map(|_| rng.gen()).collect(),
        5 => "a,b,,c,%00,0,abcdef".as_bytes().to_vec(),
        6 => "x".repeat(rng.gen_range(0..5000)).into_bytes(),
        7 => "<&'\"]]>\u{0}\u{1b}é€😀".as_bytes().to_vec(),
        8 => format!(
            "http://{}/file/abcdef",
            s.base.trim_start_matches("http://")
        )
        .into_bytes(),
        _ => rng.gen_range(-5i64..100000).to_string().into_bytes(),
    }
}

fn urlencode(bytes: &[u8]) -> String {
    percent_encoding::percent_encode(bytes, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Escapes only what cannot stand in a request line.
fn raw_escape(bytes: &[u8]) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS.add(b' ').add(b'#');
    percent_encoding::percent_encode(bytes, SET).to_string()
}

dual!(random_malformed_requests_never_5xx, |b| async move {
    let mut s = Server::start(b).await;
    let session = s.user_session("fuzzer").await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed_d0d0);
    let mut seen = std::collections::HashMap::new();
    for i in 0..500 {
        let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        if rng.gen_bool(0.15) {
            // a valid call drowned in junk parameters
            pairs.push((b"method".to_vec(), b"auth.createToken".to_vec()));
            pairs.push((b"api_key".to_vec(), s.api_key.clone().into_bytes()));
            pairs.push((b"api_version".to_vec(), b"1.0".to_vec()));
        } else if rng.gen_bool(0.9) {
            // Every method, and a few names that are none.
            let odd = ["", "AUTH.LOGIN", "x<&>\"]]>"];
            let n = rng.gen_range(0..API_METHODS.len() + odd.len());
            let m = API_METHODS
                .get(n)
                .copied()
                .unwrap_or_else(|| odd[n - API_METHODS.len()]);
            pairs.push((b"method".to_vec(), m.as_bytes().to_vec()));
        }
        for _ in 0..rng.gen_range(0..6) {
            let name = if rng.gen_bool(0.9) {
                FUZZ_PARAMS[rng.gen_range(0..FUZZ_PARAMS.len())]
                    .as_bytes()
                    .to_vec()
            } else {
                (0..rng.gen_range(0..8)).map(|_| rng.gen()).collect()
            };
            pairs.push((name, fuzz_value(&mut rng, &s, &session)));
        }
        let encoded: String = pairs
            .iter()
            .map(|(k, v)| {
                if rng.gen_bool(0.1) {
                    // '&', '=', '%' left raw and a broken escape at the end
                    format!(
                        "{}={}%{}",
                        raw_escape(k),
                        raw_escape(v),
                        rng.gen_range(0..3)
                    )
                } else {
                    format!("{}={}", urlencode(k), urlencode(v))
                }
            })
            .collect::<Vec<_>>()
            .join("&");
        let kind = rng.gen_range(0..7);
        let req = match kind {
            0 => s.http.get(format!("{}/rest/?{}", s.base, encoded)),
            1 => s
                .http
                .post(s.url("/rest/"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(encoded.clone()),
            2 => s
                .http
                .post(format!("{}/rest/?{}", s.base, encoded))
                .body(Vec::<u8>::new()),
            3 => {
                let mut body = Vec::new();
                for (k, v) in &pairs {
                    body.extend_from_slice(b"--BOUND\r\nContent-Disposition: form-data; name=\"");
                    body.extend_from_slice(k);
                    body.extend_from_slice(b"\"\r\n\r\n");
                    body.extend_from_slice(v);
                    body.extend_from_slice(b"\r\n");
                }
                if rng.gen_bool(0.7) {
                    body.extend_from_slice(b"--BOUND--\r\n");
                }
                s.http
                    .post(s.url("/rest/"))
                    .header("content-type", "multipart/form-data; boundary=BOUND")
                    .body(body)
            }
            4 => {
                let ctype = [
                    "application/json",
                    "text/plain; charset=latin1",
                    "multipart/form-data; boundary=",
                    "multipart/mixed",
                    "application/octet-stream",
                    "garbage/x;;=",
                ][rng.gen_range(0..6)];
                let body: Vec<u8> = (0..rng.gen_range(0..3000)).map(|_| rng.gen()).collect();
                s.http
                    .post(format!("{}/rest/?{}", s.base, encoded))
                    .header("content-type", ctype)
                    .body(body)
            }
            5 => s
                .http
                .request(reqwest::Method::PUT, s.url("/rest/"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(encoded.clone()),
            _ => s
                .http
                .post(s.url("/rest/"))
                .header(
                    "content-type",
                    "application/x-www-form-urlencoded; charset=utf-8",
                )
                .header("content-encoding", "gzip")
                .body(encoded.clone()),
        };
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("request {i}: {e}"));
        let status = resp.status().as_u16();
        let body = resp.text().await.unwrap_or_default();
        assert!(
            status < 500,
            "request {i} (kind {kind}) got HTTP {status}: {body}"
        );
        if status == 200 {
            let x = Xml {
                raw: body,
                http_status: status,
                content_type: String::new(),
            };
            if !x.raw.starts_with('{') {
                let st = x.status();
                assert!(st == "ok" || st == "fail", "request {i}: {}", x.raw);
                *seen.entry(st).or_insert(0) += 1;
            }
        }
    }
    // The storm reached the methods, not only the parser.
    assert!(seen.get("ok").copied().unwrap_or(0) >= 5, "{seen:?}");
    assert!(seen.get("fail").copied().unwrap_or(0) >= 300, "{seen:?}");
    assert!(s.alive(), "server died");
    let resp = s.http.get(s.url("/healthz")).send().await.expect("healthz");
    assert_eq!(resp.status().as_u16(), 200);
    assert!(!s.log().contains("panicked"), "{}", s.log());
});
