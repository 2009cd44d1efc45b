//! Webhooks (docs/webhooks.md): a real HTTP receiver in this process gets
//! signed events; signatures are checked by Python's `standardwebhooks`
//! package and by the stdlib HMAC recipe of the docs; retries after the
//! receiver was down; the private-address rule; accounts' isolation; the
//! operator-wide endpoint.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use common::*;

/// One request the receiver got, and the status it answered.
#[derive(Clone, Debug)]
struct Hit {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
    answered: u16,
}

impl Hit {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("JSON payload")
    }

    fn kind(&self) -> String {
        self.json()["type"].as_str().unwrap_or("").to_string()
    }

    fn file_id(&self) -> String {
        let j = self.json();
        let d = &j["data"];
        d["file_id"]
            .as_str()
            .or(d["file"]["file_id"].as_str())
            .unwrap_or("")
            .to_string()
    }
}

/// An HTTP endpoint on loopback that records every POST to `/hook` and
/// answers the status it is told (200 by default).
#[derive(Clone)]
struct Receiver {
    addr: SocketAddr,
    hits: Arc<Mutex<Vec<Hit>>>,
    answer: Arc<AtomicU16>,
}

impl Receiver {
    async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        Receiver::serve(listener)
    }

    /// On a port nothing listens on yet: connections are refused until
    /// `start_at` binds it.
    fn reserve_port() -> SocketAddr {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    }

    async fn start_at(addr: SocketAddr) -> Receiver {
        let listener = tokio::net::TcpListener::bind(addr).await.expect("rebind");
        Receiver::serve(listener)
    }

    fn serve(listener: tokio::net::TcpListener) -> Receiver {
        let addr = listener.local_addr().expect("addr");
        let r = Receiver {
            addr,
            hits: Arc::default(),
            answer: Arc::new(AtomicU16::new(200)),
        };
        let state = r.clone();
        let app = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: Bytes| {
                let state = state.clone();
                async move {
                    let answered = state.answer.load(Ordering::SeqCst);
                    let h = |n: &str| {
                        headers
                            .get(n)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_string()
                    };
                    state.hits.lock().unwrap().push(Hit {
                        id: h("webhook-id"),
                        timestamp: h("webhook-timestamp"),
                        signature: h("webhook-signature"),
                        body: String::from_utf8_lossy(&body).to_string(),
                        answered,
                    });
                    StatusCode::from_u16(answered).unwrap_or(StatusCode::OK)
                }
            }),
        );
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        r
    }

    fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    /// Waits (at most 30 s) until a hit satisfies `pred`.
    async fn wait(&self, what: &str, pred: impl Fn(&Hit) -> bool) -> Hit {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(h) = self.hits().into_iter().find(|h| pred(h)) {
                return h;
            }
            assert!(
                Instant::now() < deadline,
                "no {what} within 30 s; got {:?}",
                self.hits()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Checks a hit's signature outside dropspace: with the `standardwebhooks`
/// package (as an integration would) and with the stdlib recipe of
/// docs/webhooks.md.
fn verify_independently(secret: &str, hit: &Hit) {
    let script = r#"
import base64, hashlib, hmac, json, sys
secret, msg_id, ts, sig = sys.argv[1:5]
body = sys.stdin.buffer.read()
from standardwebhooks.webhooks import Webhook
Webhook(secret).verify(body, {"webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": sig})
key = base64.b64decode(secret.removeprefix("whsec_"))
want = base64.b64encode(hmac.new(key, msg_id.encode() + b"." + ts.encode() + b"." + body, hashlib.sha256).digest()).decode()
assert any(hmac.compare_digest(s.split(",", 1)[1], want) for s in sig.split() if s.startswith("v1,")), "stdlib recipe"
print("verified")
"#;
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .args([secret, &hit.id, &hit.timestamp, &hit.signature])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(hit.body.as_bytes())
        .expect("write body");
    let out = child.wait_with_output().expect("python3 ran");
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("verified"),
        "signature check failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // And a tampered body fails the same check.
    let mut bad = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .args([secret, &hit.id, &hit.timestamp, &hit.signature])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("python3");
    bad.stdin
        .take()
        .expect("stdin")
        .write_all(format!("{} ", hit.body).as_bytes())
        .expect("write body");
    assert!(!bad.wait().expect("python3 ran").success());
}

const FAST: [(&str, &str); 3] = [
    ("DROPSPACE_WEBHOOKS__ALLOW_PRIVATE_ADDRESSES", "1"),
    ("DROPSPACE_WEBHOOKS__RETRY_BASE_SECS", "1"),
    ("DROPSPACE_WEBHOOKS__MAX_ATTEMPTS", "10"),
];

/// `webhooks.add`: the new endpoint's id and secret.
async fn add_webhook(s: &Server, session: &str, url: &str, events: &str) -> (String, String) {
    let x = api(
        s,
        session,
        "webhooks.add",
        &[("url", url), ("events", events)],
    )
    .await;
    x.assert_ok();
    let id = x.attr("webhook", "id").expect("id");
    let secret = x.attr("webhook", "secret").expect("secret");
    assert!(secret.starts_with("whsec_"), "{secret}");
    (id, secret)
}

/// The account's endpoint `id` as `webhooks.list` shows it.
async fn listed(s: &Server, session: &str, id: &str) -> Vec<(String, String)> {
    let x = api(s, session, "webhooks.list", &[]).await;
    x.assert_ok();
    x.all("webhook")
        .into_iter()
        .find(|w| attr_of(w, "id") == id)
        .unwrap_or_else(|| panic!("webhook {id} not listed: {}", x.raw))
}

/// Waits (at most 30 s) until the listed endpoint satisfies `pred`.
async fn wait_listed(
    s: &Server,
    session: &str,
    id: &str,
    what: &str,
    pred: impl Fn(&[(String, String)]) -> bool,
) -> Vec<(String, String)> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let w = listed(s, session, id).await;
        if pred(w.as_slice()) {
            return w;
        }
        assert!(Instant::now() < deadline, "{what}: {w:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

dual!(
    upload_download_and_expiry_are_signed_events,
    |b| async move {
        let s = Server::start_with(b, &FAST).await;
        let rx = Receiver::start().await;
        let alice = s.user_session("alice").await;
        let (id, secret) = add_webhook(
            &s,
            &alice,
            &rx.url(),
            "upload.completed,download.completed,file.expired",
        )
        .await;
        let listed_before = listed(&s, &alice, &id).await;
        assert_eq!(attr_of(&listed_before, "last_status"), "");
        assert!(!listed_before.iter().any(|(k, _)| k == "secret"));

        let bytes = pattern(70_000, 3);
        let file_id = upload(&s, &alice, "report.pdf", bytes.clone()).await;
        let up = rx
            .wait("upload.completed", |h| {
                h.kind() == "upload.completed" && h.file_id() == file_id
            })
            .await;
        verify_independently(&secret, &up);
        let j = up.json();
        assert_eq!(j["data"]["name"], "report.pdf");
        assert_eq!(j["data"]["size"], 70_000i64);
        assert_eq!(j["data"]["owner"]["user_name"], "alice");
        assert_eq!(
            j["data"]["links"]["download_page"],
            s.url(&format!("/file/{file_id}")).as_str()
        );
        assert!(j["timestamp"].as_str().unwrap_or("").ends_with('Z'), "{j}");
        assert!(up.id.starts_with("msg_"), "{}", up.id);
        for secret_word in ["delete", "password_sealed", "blob"] {
            assert!(!up.body.contains(secret_word), "{}", up.body);
        }

        // A whole copy delivered is one download.completed.
        assert_eq!(served(&s, &alice, &file_id).await, bytes);
        let down = rx
            .wait("download.completed", |h| {
                h.kind() == "download.completed" && h.file_id() == file_id
            })
            .await;
        verify_independently(&secret, &down);
        assert_eq!(down.json()["data"]["downloads"], 1i64);
        assert_ne!(down.id, up.id);

        let w = wait_listed(&s, &alice, &id, "status after delivery", |w| {
            attr_of(w, "last_status") == "200"
        })
        .await;
        assert_eq!(attr_of(&w, "attempts"), "1");
        assert!(!attr_of(&w, "last_attempt").is_empty());

        // The time limit passes: the sweep deletes it and says so.
        api(
            &s,
            &alice,
            "files.setInfo",
            &[
                ("file_id", &file_id),
                ("time_limit", "1"),
                ("limit_action", "2"),
            ],
        )
        .await
        .assert_ok();
        let gone = rx
            .wait("file.expired", |h| {
                h.kind() == "file.expired" && h.file_id() == file_id
            })
            .await;
        verify_independently(&secret, &gone);
        assert_eq!(gone.json()["data"]["action"], "deleted");
        // Each event once.
        let kinds: Vec<String> = rx.hits().iter().map(Hit::kind).collect();
        assert_eq!(
            kinds,
            ["upload.completed", "download.completed", "file.expired"],
            "{kinds:?}"
        );

        // Removed: nothing more arrives, and it is no longer listed.
        x_ok(api(&s, &alice, "webhooks.delete", &[("webhook_id", &id)]).await);
        let x = api(&s, &alice, "webhooks.list", &[]).await;
        assert!(x.all("webhook").is_empty(), "{}", x.raw);
    }
);

fn x_ok(x: Xml) {
    x.assert_ok();
}

dual!(
    a_receiver_down_and_back_gets_the_same_message,
    |b| async move {
        let s = Server::start_with(b, &FAST).await;
        let addr = Receiver::reserve_port();
        let alice = s.user_session("alice").await;
        let (id, secret) = add_webhook(
            &s,
            &alice,
            &format!("http://{addr}/hook"),
            "upload.completed",
        )
        .await;
        let file_id = upload(&s, &alice, "a.txt", b"hello".to_vec()).await;
        // Connection refused: recorded, retried later.
        let w = wait_listed(&s, &alice, &id, "a refused attempt", |w| {
            attr_of(w, "last_status").starts_with("connection failed")
        })
        .await;
        assert!(attr_of(&w, "attempts").parse::<i64>().unwrap_or(0) >= 1);
        // Back, but failing: a 500 is a failed attempt too.
        let rx = Receiver::start_at(addr).await;
        rx.answer.store(500, Ordering::SeqCst);
        let first = rx
            .wait("an attempt answered 500", |h| h.answered == 500)
            .await;
        wait_listed(&s, &alice, &id, "the 500 recorded", |w| {
            attr_of(w, "last_status") == "HTTP 500"
        })
        .await;
        rx.answer.store(200, Ordering::SeqCst);
        let ok = rx
            .wait("an attempt answered 200", |h| h.answered == 200)
            .await;
        verify_independently(&secret, &ok);
        assert_eq!(ok.file_id(), file_id);
        // The same message each time; later attempts carry their own timestamp.
        assert!(
            rx.hits().iter().all(|h| h.id == first.id),
            "{:?}",
            rx.hits()
        );
        assert_eq!(ok.body, first.body);
        let w = wait_listed(&s, &alice, &id, "delivered", |w| {
            attr_of(w, "last_status") == "200"
        })
        .await;
        let attempts: i64 = attr_of(&w, "attempts").parse().expect("a number");
        assert!(attempts >= 3, "refused, 500, 200: {w:?}");
        // Every attempt counted: the refused ones the receiver never saw.
        assert!(
            rx.hits().len() >= 2 && attempts as usize > rx.hits().len(),
            "{w:?}"
        );
        assert_eq!(
            s.db_i64("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 1")
                .await,
            1
        );
        // The operator sees it too.
        let out = s.admin_ok(&["webhook", "deliveries", &id]);
        assert!(
            out.contains(&first.id) && out.contains("delivered"),
            "{out}"
        );
    }
);

dual!(
    private_addresses_are_refused_unless_allowed,
    |b| async move {
        let s = Server::start(b).await;
        let rx = Receiver::start().await;
        let alice = s.user_session("alice").await;
        for url in [
            rx.url(),
            "http://localhost:9/hook".to_string(),
            "http://[::1]:9/hook".to_string(),
            "http://169.254.169.254/latest/meta-data".to_string(),
            "http://10.0.0.1/hook".to_string(),
        ] {
            let x = api(&s, &alice, "webhooks.add", &[("url", &url)]).await;
            x.assert_error(21);
            assert!(x.error_text().contains("private"), "{url}: {}", x.raw);
        }
        let x = api(&s, &alice, "webhooks.add", &[("url", "ftp://example.com/")]).await;
        x.assert_error(21);
        let x = api(
            &s,
            &alice,
            "webhooks.add",
            &[
                ("url", "https://example.com/"),
                ("events", "upload.started"),
            ],
        )
        .await;
        x.assert_error(21);
        // An endpoint that got in anyway (registered while private addresses
        // were allowed) is refused at delivery, on its resolved address.
        exec(
        &s,
        &format!(
            "INSERT INTO webhook_endpoints (user_id, url, secret_sealed, events, created) \
             SELECT id, '{}', 'x', 'upload.completed', 0 FROM users WHERE user_name_lower = 'alice'",
            rx.url().replace("127.0.0.1", "localhost")
        ),
    )
    .await;
        let id = s
            .db_i64("SELECT MAX(id) FROM webhook_endpoints")
            .await
            .to_string();
        // The operator's own endpoints may be internal.
        let op = Receiver::start().await;
        s.admin_ok(&["webhook", "add", &op.url(), "--events", "upload.completed"]);
        let f = upload(&s, &alice, "a.txt", b"x".to_vec()).await;
        wait_listed(&s, &alice, &id, "refused at delivery", |w| {
            attr_of(w, "last_status").contains("private address")
        })
        .await;
        op.wait("the operator's delivery", |h| h.file_id() == f)
            .await;
        assert!(rx.hits().is_empty());
    }
);

dual!(
    accounts_get_their_own_events_and_the_operator_all,
    |b| async move {
        let s = Server::start_with(b, &FAST).await;
        let (rx_a, rx_b, rx_op) = (
            Receiver::start().await,
            Receiver::start().await,
            Receiver::start().await,
        );
        let alice = s.user_session("alice").await;
        let bob = s.user_session("bob").await;
        let (id_a, secret_a) = add_webhook(&s, &alice, &rx_a.url(), "").await;
        add_webhook(&s, &bob, &rx_b.url(), "upload.completed").await;
        let out = s.admin_ok(&[
            "webhook",
            "add",
            &rx_op.url(),
            "--events",
            "upload.completed",
        ]);
        let op_secret = out
            .lines()
            .find_map(|l| l.strip_prefix("secret: "))
            .expect("secret printed")
            .to_string();
        // Bob cannot see or remove Alice's endpoint.
        let x = api(&s, &bob, "webhooks.list", &[]).await;
        assert_eq!(x.all("webhook").len(), 1, "{}", x.raw);
        api(&s, &bob, "webhooks.delete", &[("webhook_id", &id_a)])
            .await
            .assert_error(21);

        let fa = upload(&s, &alice, "a.txt", b"alice".to_vec()).await;
        let fb = upload(&s, &bob, "b.txt", b"bob".to_vec()).await;
        let op_a = rx_op.wait("alice's upload", |h| h.file_id() == fa).await;
        rx_op.wait("bob's upload", |h| h.file_id() == fb).await;
        verify_independently(&op_secret, &op_a);
        let own_a = rx_a.wait("alice's own upload", |h| h.file_id() == fa).await;
        verify_independently(&secret_a, &own_a);
        rx_b.wait("bob's own upload", |h| h.file_id() == fb).await;
        assert!(
            rx_a.hits().iter().all(|h| h.file_id() == fa),
            "{:?}",
            rx_a.hits()
        );
        assert!(
            rx_b.hits().iter().all(|h| h.file_id() == fb),
            "{:?}",
            rx_b.hits()
        );
        // Each endpoint has its own secret and message id.
        assert_ne!(own_a.id, op_a.id);
        assert_ne!(secret_a, op_secret);

        let listed_op = s.admin_ok(&["webhook", "list"]);
        assert!(
            listed_op.contains(&rx_op.url()) && listed_op.contains("200 at"),
            "{listed_op}"
        );
        assert!(!listed_op.contains(&rx_a.url()), "{listed_op}");
        let all = s.admin_ok(&["webhook", "list", "--all"]);
        assert!(
            all.contains(&rx_a.url()) && all.contains(&rx_b.url()),
            "{all}"
        );
    }
);

/// `dropspace client …` with its own config file: exit code and stdout.
fn client(s: &Server, dir: &std::path::Path, args: &[&str], stdin: &str) -> (i32, String) {
    use std::io::Write;
    let mut cmd = std::process::Command::new(BIN);
    cmd.arg("client").args(args).current_dir(dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("DROPSPACE_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("DROPSPACE_CLIENT_CONFIG", dir.join("client.json"))
        .env("DROPSPACE_SERVER", &s.base)
        .env("DROPSPACE_API_KEY", &s.api_key)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("client");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin");
    let out = child.wait_with_output().expect("client ran");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

dual!(the_client_cli_manages_webhooks, |b| async move {
    let s = Server::start_with(b, &FAST).await;
    let rx = Receiver::start().await;
    s.create_user("alice", "secret123");
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| client(&s, dir.path(), args, "");
    let (code, out) = client(
        &s,
        dir.path(),
        &["login", "--user", "alice", "--password-stdin"],
        "secret123\n",
    );
    assert_eq!(code, 0, "{out}");
    let (code, out) = run(&[
        "--json",
        "webhook",
        "add",
        &rx.url(),
        "--events",
        "upload.completed",
    ]);
    assert_eq!(code, 0, "{out}");
    let added: serde_json::Value = serde_json::from_str(out.trim()).expect("JSON");
    let id = added["id"].as_i64().expect("id").to_string();
    let secret = added["secret"].as_str().expect("secret").to_string();
    assert_eq!(added["events"][0], "upload.completed");
    let (code, out) = run(&["webhook", "list"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&rx.url()) && out.contains("never attempted"),
        "{out}"
    );

    let session = s.login("alice", "secret123").await;
    let f = upload(&s, &session, "c.txt", b"via cli".to_vec()).await;
    let hit = rx.wait("the upload", |h| h.file_id() == f).await;
    verify_independently(&secret, &hit);
    wait_listed(&s, &session, &id, "delivered", |w| {
        attr_of(w, "last_status") == "200"
    })
    .await;
    let (_, out) = run(&["--json", "webhook", "list"]);
    let listed: serde_json::Value = serde_json::from_str(out.trim()).expect("JSON");
    assert_eq!(listed[0]["last_status"], "200");
    assert_eq!(listed[0]["attempts"], 1i64);
    assert!(listed[0].get("secret").is_none(), "{listed}");

    let (code, out) = run(&["webhook", "add", "ftp://example.com/"]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("error 21"), "{out}");
    let (code, out) = run(&["webhook", "remove", &id]);
    assert_eq!(code, 0, "{out}");
    let (_, out) = run(&["--json", "webhook", "list"]);
    assert_eq!(out.trim(), "[]");
});
