//! The signed file_send API through real HTTP. Signatures are computed here
//! independently of the server (and once by Python's hmac module).

mod common;
use common::*;

use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use sha1::Digest;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The client's side of the scheme: hex HMAC-SHA256 keyed with hex SHA-1.
fn signature(secret: &str, message: &str) -> String {
    let key = hex::encode(sha1::Sha1::digest(secret.as_bytes()));
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key.as_bytes()).expect("key");
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

struct Creds {
    key: String,
    secret: String,
}

fn creds(s: &Server, user: &str) -> Creds {
    creds_with(s, user, &[])
}

/// A key/secret pair created with more options (`--signed-body`, `--allow-ip`).
fn creds_with(s: &Server, user: &str, options: &[&str]) -> Creds {
    let mut args = vec!["user", "api-credentials", "create", "--user-name", user];
    args.extend_from_slice(options);
    let out = s.admin_ok(&args);
    let last = out.lines().last().expect("a line").to_string();
    let (key, secret) = last.split_once(' ').expect("key secret");
    Creds {
        key: key.to_string(),
        secret: secret.to_string(),
    }
}

/// Changes a signed URL.
type Tweak = Box<dyn Fn(String) -> String>;

/// A signed GET; `tweak` may change the URL after signing.
async fn get_signed(
    s: &Server,
    path: &str,
    params: &[(&str, &str)],
    c: &Creds,
    ts: i64,
    tweak: impl Fn(String) -> String,
) -> (u16, String) {
    let mut pairs: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    pairs.push(("api_key".into(), c.key.clone()));
    pairs.push(("timestamp".into(), ts.to_string()));
    pairs.sort();
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect();
    let url = format!("{}/api/{path}?{}", s.base, query.join("&"));
    let sig = signature(&c.secret, &url);
    let resp = s
        .http
        .get(tweak(format!("{url}&signature={sig}")))
        .send()
        .await
        .expect("request");
    (resp.status().as_u16(), resp.text().await.expect("body"))
}

/// A signed POST: the message is the method's URL.
async fn post_signed(
    s: &Server,
    path: &str,
    params: &[(&str, &str)],
    c: &Creds,
    ts: i64,
) -> (u16, String) {
    let sig = signature(&c.secret, &format!("{}/api/{path}", s.base));
    post_with(s, path, params, c, ts, &sig).await
}

/// The canonical string of signed-body mode, built here on its own: every
/// parameter but `signature`, RFC 3986 unreserved bytes kept, the rest
/// `%XX`, sorted by name, after `{base}/api/{path}?`.
fn body_message(s: &Server, path: &str, params: &[(&str, &str)], c: &Creds, ts: i64) -> String {
    fn pct(v: &str) -> String {
        v.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    let ts = ts.to_string();
    let mut all: Vec<(&str, &str)> = params.to_vec();
    all.extend([("api_key", c.key.as_str()), ("timestamp", ts.as_str())]);
    all.sort();
    let q: Vec<String> = all
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect();
    format!("{}/api/{path}?{}", s.base, q.join("&"))
}

/// A POST signed in signed-body mode.
async fn post_body_signed(
    s: &Server,
    path: &str,
    params: &[(&str, &str)],
    c: &Creds,
    ts: i64,
) -> (u16, String, String) {
    let sig = signature(&c.secret, &body_message(s, path, params, c, ts));
    let (status, body) = post_with(s, path, params, c, ts, &sig).await;
    (status, body, sig)
}

/// A POST carrying the given signature.
async fn post_with(
    s: &Server,
    path: &str,
    params: &[(&str, &str)],
    c: &Creds,
    ts: i64,
    sig: &str,
) -> (u16, String) {
    let ts = ts.to_string();
    let mut form: Vec<(&str, &str)> = params.to_vec();
    form.extend([
        ("api_key", c.key.as_str()),
        ("timestamp", ts.as_str()),
        ("signature", sig),
    ]);
    let resp = s
        .http
        .post(format!("{}/api/{path}", s.base))
        .form(&form)
        .send()
        .await
        .expect("request");
    (resp.status().as_u16(), resp.text().await.expect("body"))
}

/// One POST per second per method at most signs differently: each call
/// gets its own timestamp so no two signatures repeat.
struct Clock(i64);

impl Clock {
    fn next(&mut self) -> i64 {
        self.0 += 1;
        self.0
    }
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn user_id(s: &Server, name: &str) -> String {
    s.admin_ok(&["user", "list"])
        .lines()
        .find(|l| l.split('\t').nth(1) == Some(name))
        .and_then(|l| l.split('\t').next())
        .unwrap_or_else(|| panic!("no user {name}"))
        .to_string()
}

/// Mail still waiting in the queue.
async fn queued(s: &Server) -> i64 {
    count(s, "SELECT COUNT(*) FROM mail_queue").await
}

async fn settled_outbox(s: &Server) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while queued(s).await > 0 {
        assert!(Instant::now() < deadline, "mail never delivered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    s.outbox()
}

fn personal_link(mail: &str, base: &str) -> String {
    link_in(mail, &format!("{base}/s/")).unwrap_or_else(|| panic!("no link in {mail}"))
}

/// Sends `id` with a download receipt to `to`: each recipient's personal link.
async fn send_with_receipt(s: &Server, c: &Creds, id: &str, to: &[&str]) -> Vec<String> {
    let (status, body) = post_signed(
        s,
        "file_send",
        &[
            ("file_id", id),
            ("non_users", &to.join(",")),
            ("download_receipt", "1"),
        ],
        c,
        now(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let outbox = settled_outbox(s).await;
    to.iter()
        .map(|who| {
            let mail = outbox
                .iter()
                .find(|m| m.contains(&format!("To: {who}")))
                .expect("mail");
            personal_link(mail, &s.base)
        })
        .collect()
}

dual!(signatures_accepted_and_refused, |b| async move {
    let s = Server::start(b).await;
    s.create_user("alice", "secret123");
    s.create_user("bob", "secret123");
    let c = creds(&s, "alice");
    let other = creds(&s, "bob");
    let t = now();
    let (status, body) = get_signed(&s, "user_info", &[("extra", "a b&c")], &c, t, |u| u).await;
    assert_eq!(status, 200, "{body}");
    let v = json(&body);
    assert_eq!(v["userInfo"]["userName"], "alice");
    assert_eq!(v["userInfo"]["userId"], user_id(&s, "alice"));

    // A replay of the very same request.
    let (status, body) = get_signed(&s, "user_info", &[("extra", "a b&c")], &c, t, |u| u).await;
    assert_eq!(status, 401, "{body}");
    assert!(json(&body)["error"]["title"].is_string());
    // Any parameter, the timestamp, the key or the secret changed.
    let tamper: [(&str, Tweak); 4] = [
        (
            "param",
            Box::new(|u: String| u.replace("extra=a", "extra=b")),
        ),
        ("added", Box::new(|u: String| format!("{u}&more=1"))),
        (
            "timestamp",
            Box::new(move |u: String| {
                u.replace(
                    &format!("timestamp={}", t + 1),
                    &format!("timestamp={}", t + 2),
                )
            }),
        ),
        (
            "key",
            Box::new({
                let (mine, theirs) = (c.key.clone(), other.key.clone());
                move |u: String| u.replace(&mine, &theirs)
            }),
        ),
    ];
    for (what, f) in tamper {
        let (status, _) = get_signed(&s, "user_info", &[("extra", "a b&c")], &c, t + 1, f).await;
        assert_eq!(status, 401, "{what} changed");
    }
    let wrong = Creds {
        key: c.key.clone(),
        secret: format!("{}x", c.secret),
    };
    assert_eq!(
        get_signed(&s, "user_info", &[], &wrong, t + 3, |u| u)
            .await
            .0,
        401
    );
    // Six minutes off either way; five is fine.
    assert_eq!(
        get_signed(&s, "user_info", &[], &c, t - 360, |u| u).await.0,
        401
    );
    assert_eq!(
        get_signed(&s, "user_info", &[], &c, t + 360, |u| u).await.0,
        401
    );
    assert_eq!(
        get_signed(&s, "user_info", &[], &c, t - 290, |u| u).await.0,
        200
    );

    // POST signs the method URL; a replay is refused.
    let (status, body) =
        post_signed(&s, "send_files_prep", &[("file_id", "zzzzzz")], &c, t + 4).await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = post_signed(&s, "send_files_prep", &[("file_id", "zzzzzz")], &c, t + 4).await;
    assert_eq!(status, 401);
    // XML errors, unknown methods, the wrong HTTP method.
    let (status, body) = get_signed(&s, "user_info.xml", &[], &wrong, t + 5, |u| u).await;
    assert_eq!(status, 401);
    let doc = roxmltree::Document::parse(&body).expect("xml");
    assert_eq!(doc.root_element().tag_name().name(), "error");
    let kids: Vec<_> = doc
        .root_element()
        .children()
        .filter(|n| n.is_element())
        .map(|n| n.tag_name().name().to_string())
        .collect();
    assert_eq!(kids, ["title", "message"]);
    let (status, body) = get_signed(&s, "no_such_method", &[], &c, t + 6, |u| u).await;
    assert_eq!(status, 404);
    assert!(json(&body)["error"]["message"].is_string());
    assert_eq!(
        get_signed(&s, "file_send", &[], &c, t + 7, |u| u).await.0,
        405
    );
    // Revoked keys stop at once.
    s.admin_ok(&["user", "api-credentials", "revoke", "--api-key", &c.key]);
    assert_eq!(
        get_signed(&s, "user_info", &[], &c, t + 8, |u| u).await.0,
        401
    );
    let listed = s.admin_ok(&["user", "api-credentials", "list", "--user-name", "alice"]);
    assert!(listed.contains("revoked"));
});

// The signature as a script would build it, by Python's own hmac/hashlib.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_signature_is_accepted() {
    if std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_err()
    {
        return;
    }
    let s = Server::start(Backend::Sqlite).await;
    s.create_user("alice", "secret123");
    let c = creds(&s, "alice");
    let url = format!(
        "{}/api/user_info.json?api_key={}&timestamp={}",
        s.base,
        c.key,
        now()
    );
    let script = "import hashlib,hmac,sys\nkey=hashlib.sha1(sys.argv[1].encode()).hexdigest()\n\
                  print(hmac.new(key.encode(), sys.argv[2].encode(), hashlib.sha256).hexdigest())";
    let out = std::process::Command::new("python3")
        .args(["-c", script, &c.secret, &url])
        .output()
        .expect("python3");
    let sig = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let resp = s
        .http
        .get(format!("{url}&signature={sig}"))
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), 200);
}

// The signed-body canonical string as docs/file-send.md builds it in Python.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_signed_body_is_accepted() {
    if std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_err()
    {
        return;
    }
    let s = Server::start(Backend::Sqlite).await;
    let session = s.user_session("alice").await;
    let file = upload(&s, &session, "a.txt", b"a".to_vec()).await;
    let c = creds_with(&s, "alice", &["--signed-body"]);
    let script = r#"
import hashlib, hmac, sys, time, urllib.parse, urllib.request
from urllib.parse import quote
BASE, KEY, SECRET, FILE = sys.argv[1:5]
HKEY = hashlib.sha1(SECRET.encode()).hexdigest().encode()
def sign(message):
    return hmac.new(HKEY, message.encode(), hashlib.sha256).hexdigest()
def post_signed_body(method, **params):
    params.update(api_key=KEY, timestamp=str(int(time.time())))
    canon = "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in sorted(params.items()))
    params["signature"] = sign(f"{BASE}/api/{method}?{canon}")
    return urllib.request.urlopen(f"{BASE}/api/{method}", urllib.parse.urlencode(params).encode()).read()
print(post_signed_body("file_send", file_id=FILE, non_users="ann@example.com",
                       message="Hi & bye, 100% ~*/+ été").decode())
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script, &s.base, &c.key, &c.secret, &file])
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(String::from_utf8_lossy(&out.stdout).trim());
    assert_eq!(v["fileInfo"]["fileId"], file.as_str());
}

/// `file_send` parameters: one file to one outside address.
fn send_to(file: &str, to: &str) -> Vec<(&'static str, String)> {
    vec![("file_id", file.to_string()), ("non_users", to.to_string())]
}

fn refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

// A captured POST signature covers only the method URL (the spec's scheme):
// in the default mode it can be sent again with a new timestamp and other
// parameters. A key in signed-body mode refuses that.
dual!(signed_body_mode_binds_post_parameters, |b| async move {
    let s = Server::start(b).await;
    let session = s.user_session("alice").await;
    let mine = upload(&s, &session, "mine.txt", b"mine".to_vec()).await;
    let other = upload(&s, &session, "other.txt", b"other".to_vec()).await;
    let t = now();

    // Default mode: the spec's POST scheme, replayable with new parameters.
    let plain = creds(&s, "alice");
    let sig = signature(&plain.secret, &format!("{}/api/file_send", s.base));
    let first = send_to(&mine, "ann@example.com");
    let (status, body) = post_with(&s, "file_send", &refs(&first), &plain, t, &sig).await;
    assert_eq!(status, 200, "{body}");
    let changed = send_to(&other, "mallory@example.com");
    let (status, body) = post_with(&s, "file_send", &refs(&changed), &plain, t + 1, &sig).await;
    assert_eq!(status, 200, "default mode is the spec's: {body}");

    // Signed-body mode: the signature covers every parameter.
    let hard = creds_with(&s, "alice", &["--signed-body"]);
    let (status, body, sig) = post_body_signed(&s, "file_send", &refs(&first), &hard, t + 2).await;
    assert_eq!(status, 200, "{body}");
    let sends = count(&s, "SELECT COUNT(*) FROM sends").await;
    for (what, params, ts) in [
        ("other parameters", &changed, t + 2),
        ("a new timestamp", &first, t + 3),
        ("both", &changed, t + 3),
        ("nothing (an exact replay)", &first, t + 2),
    ] {
        let (status, body) = post_with(&s, "file_send", &refs(params), &hard, ts, &sig).await;
        assert_eq!(status, 401, "{what}: {body}");
    }
    // The method-URL signature is no longer enough for this key.
    let url_sig = signature(&hard.secret, &format!("{}/api/file_send", s.base));
    let (status, _) = post_with(&s, "file_send", &refs(&first), &hard, t + 4, &url_sig).await;
    assert_eq!(status, 401);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM sends").await, sends);
    // Two different sends in one second are fine in this mode.
    let (status, body, _) = post_body_signed(
        &s,
        "file_send",
        &refs(&send_to(&other, "bo@example.com")),
        &hard,
        t + 5,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body, _) = post_body_signed(
        &s,
        "file_send",
        &refs(&send_to(&mine, "bo@example.com")),
        &hard,
        t + 5,
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // The operator turns the mode on for an existing key (and off again).
    s.admin_ok(&[
        "user",
        "api-credentials",
        "set",
        "--api-key",
        &plain.key,
        "--signed-body",
        "on",
    ]);
    let (status, _) =
        post_signed(&s, "send_files_prep", &[("file_id", &mine)], &plain, t + 6).await;
    assert_eq!(status, 401);
    let (status, body, _) =
        post_body_signed(&s, "send_files_prep", &[("file_id", &mine)], &plain, t + 7).await;
    assert_eq!(status, 200, "{body}");
    let listed = s.admin_ok(&["user", "api-credentials", "list", "--user-name", "alice"]);
    assert!(
        listed.lines().all(|l| l.contains("signed-body on")),
        "{listed}"
    );
    s.admin_ok(&[
        "user",
        "api-credentials",
        "set",
        "--api-key",
        &plain.key,
        "--signed-body",
        "off",
    ]);
    let (status, _) =
        post_signed(&s, "send_files_prep", &[("file_id", &mine)], &plain, t + 8).await;
    assert_eq!(status, 200);

    // The client library signs this way when told to.
    let client = dropspace_client::FileSendClient::new(&s.base, &hard.key, &hard.secret)
        .expect("client")
        .signed_body(true);
    let sent = client
        .file_send(&dropspace_client::FileSend {
            file_id: vec![mine.clone()],
            non_users: vec!["cy@example.com".into()],
            message: Some("Hi there ~ 100% *ok*".into()),
            ..Default::default()
        })
        .await
        .expect("signed-body send");
    assert_eq!(sent.len(), 1);
    let unsigned =
        dropspace_client::FileSendClient::new(&s.base, &hard.key, &hard.secret).expect("client");
    assert!(unsigned
        .send_files_prep(std::slice::from_ref(&mine))
        .await
        .is_err());
});

// A GET is signed over its query: parameters in a body are refused (400),
// never merged over the signed ones.
dual!(get_body_parameters_are_refused, |b| async move {
    let s = Server::start(b).await;
    s.create_user("alice", "secret123");
    let c = creds(&s, "alice");
    let t = now();
    let url = format!(
        "{}/api/user_info?api_key={}&timestamp={t}",
        s.base,
        enc(&c.key)
    );
    let signed = format!("{url}&signature={}", signature(&c.secret, &url));
    for body in [
        format!("timestamp={}", t + 1),
        "extra=1".to_string(),
        format!("signature={}", signature(&c.secret, &url)),
    ] {
        let resp = s
            .http
            .get(&signed)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status(), 400, "{body}");
        let v = json(&resp.text().await.expect("body"));
        assert!(v["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("query"));
    }
    let resp = s
        .http
        .get(&signed)
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body("--XyZ\r\nContent-Disposition: form-data; name=\"timestamp\"\r\n\r\n1\r\n--XyZ--\r\n")
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), 400);
    // The same signed URL without a body is still good (a refusal spends nothing).
    let resp = s.http.get(&signed).send().await.expect("get");
    assert_eq!(resp.status(), 200);
});

// A key with an address allow-list fails authentication (401) anywhere else.
dual!(address_allow_list_refuses_other_addresses, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_TRUST_FORWARDED_FOR", "true")]).await;
    s.create_user("alice", "secret123");
    let c = creds_with(
        &s,
        "alice",
        &["--allow-ip", "203.0.113.0/24", "--allow-ip", "2001:db8::1"],
    );
    let t = now();
    let call = |ts: i64, addr: &'static str| {
        let s = &s;
        let c = &c;
        async move {
            // Sorted by name: api_key, timestamp.
            let pairs = [
                ("api_key".to_string(), c.key.clone()),
                ("timestamp".to_string(), ts.to_string()),
            ];
            let q: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{k}={}", enc(v)))
                .collect();
            let url = format!("{}/api/user_info?{}", s.base, q.join("&"));
            let resp = s
                .http
                .get(format!("{url}&signature={}", signature(&c.secret, &url)))
                .header("x-forwarded-for", addr)
                .send()
                .await
                .expect("get");
            resp.status().as_u16()
        }
    };
    assert_eq!(call(t, "198.51.100.9").await, 401);
    assert_eq!(call(t + 1, "203.0.113.77").await, 200);
    assert_eq!(call(t + 2, "2001:db8::1").await, 200);
    assert_eq!(call(t + 3, "2001:db8::2").await, 401);
    let listed = s.admin_ok(&["user", "api-credentials", "list", "--user-name", "alice"]);
    assert!(
        listed.contains("allow-ip 203.0.113.0/24,2001:db8::1/128"),
        "{listed}"
    );
    // A bad list is refused by the CLI; --any-ip lifts the list.
    let out = s.admin(&[
        "user",
        "api-credentials",
        "set",
        "--api-key",
        &c.key,
        "--allow-ip",
        "10.0.0.0/40",
    ]);
    assert!(!out.status.success());
    s.admin_ok(&[
        "user",
        "api-credentials",
        "set",
        "--api-key",
        &c.key,
        "--any-ip",
    ]);
    assert_eq!(call(t + 4, "198.51.100.9").await, 200);
    s.admin_ok(&[
        "user",
        "api-credentials",
        "set",
        "--api-key",
        &c.key,
        "--allow-ip",
        "198.51.100.0/24",
    ]);
    assert_eq!(call(t + 5, "198.51.100.9").await, 200);
    assert_eq!(call(t + 6, "203.0.113.77").await, 401);
});

dual!(
    file_send_parameters_and_the_preparation_rule,
    |b| async move {
        let s = Server::start(b).await;
        let session = s.user_session("alice").await;
        s.create_user("bob", "secret123");
        s.create_user("carol", "secret123");
        let c = creds(&s, "alice");
        let mut clock = Clock(now());
        let f1 = upload(&s, &session, "one.txt", b"one".to_vec()).await;
        let f2 = upload(&s, &session, "two.txt", b"two".to_vec()).await;
        let docs = mkdir(&s, &session, "docs", "0", "0").await;
        let inner = mkdir(&s, &session, "inner", &docs, "0").await;
        let bobs_session = s.login("bob", "secret123").await;
        let bobs = upload(&s, &bobs_session, "bobs.txt", b"bob".to_vec()).await;
        let (bob, carol) = (user_id(&s, "bob"), user_id(&s, "carol"));
        let group = s.admin_ok(&["group", "create", "team"]).trim().to_string();
        s.admin_ok(&["group", "add-member", &group, "--user-name", "carol"]);
        assert!(s.admin_ok(&["group", "list"]).contains("carol"));

        // Someone else's file among the ids: 403 and nothing sent.
        let (status, _) = post_signed(
            &s,
            "file_send",
            &[("file_id", &format!("{f1},{bobs}")), ("user_ids", &bob)],
            &c,
            clock.next(),
        )
        .await;
        assert_eq!(status, 403);
        assert_eq!(count(&s, "SELECT COUNT(*) FROM send_links").await, 0);
        // Users, groups (unknown ids ignored), JSON fileInfo.
        let (status, body) = post_signed(
            &s,
            "file_send",
            &[
                ("file_id", &f1),
                ("user_ids", &format!("{bob},999999,x")),
                ("user_group_ids", &format!("{group},424242")),
            ],
            &c,
            clock.next(),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let v = json(&body);
        assert_eq!(v["fileInfo"]["fileId"], f1.as_str());
        assert_eq!(v["fileInfo"]["path"], "/");
        assert_eq!(v["fileInfo"]["fileName"], "one.txt");
        assert_eq!(count(&s, "SELECT COUNT(*) FROM send_links").await, 2);
        // Several ids: a list; XML has one <fileInfo> each; a folder's path.
        let (status, body) = post_signed(
            &s,
            "file_send.xml",
            &[("file_id", &format!("{f2},{inner}")), ("user_ids", &carol)],
            &c,
            clock.next(),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let doc = roxmltree::Document::parse(&body).expect("xml");
        let infos: Vec<_> = doc
            .root_element()
            .children()
            .filter(|n| n.tag_name().name() == "fileInfo")
            .collect();
        assert_eq!(infos.len(), 2);
        let text = |n: roxmltree::Node, t: &str| {
            n.children()
                .find(|c| c.tag_name().name() == t)
                .and_then(|c| c.text())
                .unwrap_or("")
                .to_string()
        };
        assert_eq!(text(infos[1], "path"), "/docs");
        assert_eq!(text(infos[1], "fileName"), "inner");
        let (_, body) = post_signed(
            &s,
            "file_send",
            &[("file_id", &format!("{f1},{f2}")), ("user_ids", &carol)],
            &c,
            clock.next(),
        )
        .await;
        assert_eq!(json(&body)["fileInfo"].as_array().map(Vec::len), Some(2));

        // link_expiration: at most 15 days; numbers only.
        for bad in ["16", "-1", "soon"] {
            let (status, _) = post_signed(
                &s,
                "file_send",
                &[
                    ("file_id", &f1),
                    ("user_ids", &bob),
                    ("link_expiration", bad),
                ],
                &c,
                clock.next(),
            )
            .await;
            assert_eq!(status, 400, "{bad}");
        }
        assert_eq!(
            post_signed(
                &s,
                "file_send",
                &[("file_id", &f1), ("user_ids", &bob), ("require_login", "2")],
                &c,
                clock.next()
            )
            .await
            .0,
            400
        );
        assert_eq!(
            post_signed(
                &s,
                "file_send",
                &[("file_id", &f1), ("non_users", "not-an-email")],
                &c,
                clock.next()
            )
            .await
            .0,
            400
        );
        // No recipient left: require_login drops the outside addresses.
        let (status, _) = post_signed(
            &s,
            "file_send",
            &[
                ("file_id", &f1),
                ("non_users", "x@example.com"),
                ("require_login", "1"),
            ],
            &c,
            clock.next(),
        )
        .await;
        assert_eq!(status, 400);

        // The preparation rule at its boundary.
        let three = "a@example.com,b@example.com,c@example.com";
        let two = "a@example.com,b@example.com";
        let both = format!("{f1},{f2}");
        for (ids, non_users, needed) in [
            (both.as_str(), three, true),
            (docs.as_str(), three, true),
            (f1.as_str(), three, false),
            (both.as_str(), two, false),
        ] {
            let (status, body) = post_signed(
                &s,
                "file_send",
                &[("file_id", ids), ("non_users", non_users)],
                &c,
                clock.next(),
            )
            .await;
            assert_eq!(
                status,
                if needed { 400 } else { 200 },
                "{ids} to {non_users}: {body}"
            );
        }
        let (status, body) = post_signed(
            &s,
            "send_files_prep",
            &[("file_id", &both)],
            &c,
            clock.next(),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let prep = json(&body)["file_preparation_id"]
            .as_str()
            .expect("id")
            .to_string();
        // For other files it does not match; for these it works once.
        let (status, _) = post_signed(
            &s,
            "file_send",
            &[
                ("file_id", &format!("{f1},{docs}")),
                ("non_users", three),
                ("file_preparation_id", &prep),
            ],
            &c,
            clock.next(),
        )
        .await;
        assert_eq!(status, 422);
        let reversed = format!("{f2},{f1}");
        let (status, body) = post_signed(
            &s,
            "file_send",
            &[
                ("file_id", &reversed),
                ("non_users", three),
                ("file_preparation_id", &prep),
            ],
            &c,
            clock.next(),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (status, _) = post_signed(
            &s,
            "file_send",
            &[
                ("file_id", &both),
                ("non_users", three),
                ("file_preparation_id", &prep),
            ],
            &c,
            clock.next(),
        )
        .await;
        assert_eq!(status, 409);
        let (status, _) = post_signed(
            &s,
            "file_send",
            &[
                ("file_id", &both),
                ("non_users", three),
                ("file_preparation_id", "nosuchprep"),
            ],
            &c,
            clock.next(),
        )
        .await;
        assert_eq!(status, 404);
        // Another user cannot use alice's preparation.
        let (_, body) = post_signed(
            &s,
            "send_files_prep",
            &[("file_id", &both)],
            &c,
            clock.next(),
        )
        .await;
        let prep2 = json(&body)["file_preparation_id"]
            .as_str()
            .expect("id")
            .to_string();
        let bc = creds(&s, "bob");
        let (status, _) = post_signed(
            &s,
            "file_send",
            &[
                ("file_id", &bobs),
                ("non_users", three),
                ("file_preparation_id", &prep2),
            ],
            &bc,
            clock.next(),
        )
        .await;
        assert_eq!(
            status, 200,
            "one file needs no preparation, so it is not even looked at"
        );
    }
);

dual!(personal_links_list_download_and_expire, |b| async move {
    let s = Server::start(b).await;
    let session = s.user_session("alice").await;
    let c = creds(&s, "alice");
    let mut clock = Clock(now());
    let data = pattern(50_000, 3);
    let docs = mkdir(&s, &session, "docs", "0", "0").await;
    let sub = mkdir(&s, &session, "sub", &docs, "0").await;
    let info = upload_info(&s, &session, "0").await;
    let form = info.form(&[("folder_id", &sub)], "deep.bin", data.clone());
    let deep = kv_get(&send_form(&s, &info.url, form).await, "file_id");
    let loose = upload(&s, &session, "loose.txt", b"not sent".to_vec()).await;
    let (status, body) = post_signed(
        &s,
        "file_send",
        &[
            ("file_id", &docs),
            ("non_users", "dan@example.com,erin@example.com"),
            ("subject", "Q3 <docs>"),
            ("message", "see you"),
        ],
        &c,
        clock.next(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let outbox = settled_outbox(&s).await;
    let to_dan = outbox
        .iter()
        .find(|m| m.contains("To: dan@example.com"))
        .expect("mail to dan");
    let to_erin = outbox
        .iter()
        .find(|m| m.contains("To: erin@example.com"))
        .expect("mail to erin");
    assert!(to_dan.contains("Subject: Q3 <docs>"), "{to_dan}");
    let (dan, erin) = (
        personal_link(to_dan, &s.base),
        personal_link(to_erin, &s.base),
    );
    assert_ne!(dan, erin, "links are personal");
    // The page lists the folder's files (sub-folders included).
    let html = s
        .http
        .get(&dan)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        html.contains("docs/sub/deep.bin") && html.contains("see you"),
        "{html}"
    );
    assert!(!html.contains("loose.txt"));
    let file_url = format!("{dan}/f/{deep}");
    assert_eq!(fetch(&s, &file_url, &[]).await.2, data);
    let (status, _, part) = fetch(&s, &file_url, &[("Range", "bytes=100-199")]).await;
    assert_eq!((status, part), (206, data[100..200].to_vec()));
    // Only what was sent: another file of the sender is not reachable.
    assert_eq!(fetch(&s, &format!("{dan}/f/{loose}"), &[]).await.0, 404);
    assert_eq!(fetch(&s, &s.url("/s/nosuchtoken"), &[]).await.0, 404);
    // An expired link is refused; the other recipient's still works.
    let pool = db(&s).await;
    let token = dan.rsplit('/').next().expect("token");
    sqlx::query("UPDATE send_links SET expires = 1 WHERE token_hash = $1")
        .bind(dropspace::secrets::hash_secret(token))
        .execute(&pool)
        .await
        .expect("expire");
    assert_eq!(fetch(&s, &dan, &[]).await.0, 410);
    assert_eq!(fetch(&s, &file_url, &[]).await.0, 410);
    assert_eq!(fetch(&s, &format!("{erin}/f/{deep}"), &[]).await.0, 200);
    // link_expiration=0 never expires; the default is 15 days.
    let expires: Vec<i64> =
        sqlx::query_scalar("SELECT expires FROM send_links WHERE email = 'erin@example.com'")
            .fetch_all(&pool)
            .await
            .expect("expires");
    assert!((expires[0] - now() - 15 * 86_400).abs() < 60);
    post_signed(
        &s,
        "file_send",
        &[
            ("file_id", &deep),
            ("non_users", "fay@example.com"),
            ("link_expiration", "0"),
        ],
        &c,
        clock.next(),
    )
    .await;
    let never: i64 =
        sqlx::query_scalar("SELECT expires FROM send_links WHERE email = 'fay@example.com'")
            .fetch_one(&pool)
            .await
            .expect("expires");
    assert_eq!(never, 0);
    pool.close().await;
});

dual!(require_login_refuses_the_wrong_user, |b| async move {
    let s = Server::start(b).await;
    let session = s.user_session("alice").await;
    s.create_user("bob", "bobpass123");
    s.create_user("mallory", "malpass123");
    let c = creds(&s, "alice");
    let data = pattern(3000, 5);
    let id = upload(&s, &session, "private.bin", data.clone()).await;
    let (status, body) = post_signed(
        &s,
        "file_send",
        &[
            ("file_id", &id),
            ("user_ids", &user_id(&s, "bob")),
            ("non_users", "out@example.com"),
            ("require_login", "1"),
        ],
        &c,
        now(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let outbox = settled_outbox(&s).await;
    assert!(
        !outbox.iter().any(|m| m.contains("out@example.com")),
        "non_users dropped"
    );
    let link = personal_link(
        outbox
            .iter()
            .find(|m| m.contains("To: bob@example.com"))
            .expect("bob's mail"),
        &s.base,
    );
    // Without a login: a form, and no file.
    let html = s
        .http
        .get(&link)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("type=\"password\"") && !html.contains("private.bin"));
    assert_eq!(fetch(&s, &format!("{link}/f/{id}"), &[]).await.0, 403);
    let csrf = scraper::Html::parse_document(&html)
        .select(&scraper::Selector::parse("input[name=csrf]").expect("sel"))
        .next()
        .and_then(|i| i.value().attr("value").map(str::to_string))
        .expect("csrf");
    let login = |user: &'static str, pw: &'static str, csrf: String| {
        let http = s.http.clone();
        let url = format!("{link}/login");
        async move {
            http.post(url)
                .form(&[("user_name", user), ("password", pw), ("csrf", &csrf)])
                .send()
                .await
                .expect("login")
        }
    };
    // Someone else, a wrong password, a forged form: refused.
    assert_eq!(
        login("mallory", "malpass123", csrf.clone()).await.status(),
        403
    );
    assert_eq!(login("bob", "wrong", csrf.clone()).await.status(), 403);
    assert_eq!(
        login("bob", "bobpass123", "forged".into()).await.status(),
        403
    );
    // Bob himself: a cookie for this link only.
    let resp = login("bob", "bobpass123", csrf).await;
    assert_eq!(resp.status(), 303);
    let cookie = header(resp.headers(), "set-cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(cookie.contains(&format!("Path={}", link.trim_start_matches(&s.base))));
    let value = cookie.split(';').next().expect("value").to_string();
    let (status, _, body) = fetch(&s, &format!("{link}/f/{id}"), &[("Cookie", &value)]).await;
    assert_eq!((status, body), (200, data));
    let page = s
        .http
        .get(&link)
        .header("Cookie", &value)
        .send()
        .await
        .expect("page");
    assert!(page.text().await.expect("html").contains("private.bin"));
    // A tampered cookie is worth nothing.
    let forged = value.replacen('.', "0.", 1);
    assert_eq!(
        fetch(&s, &format!("{link}/f/{id}"), &[("Cookie", &forged)])
            .await
            .0,
        403
    );
});

dual!(receipts_are_sent_once_per_recipient, |b| async move {
    let s = Server::start(b).await;
    let session = s.user_session("alice").await;
    let c = creds(&s, "alice");
    let id = upload(&s, &session, "report.pdf", pattern(20_000, 6)).await;
    let links = send_with_receipt(&s, &c, &id, &["gil@example.com", "hal@example.com"]).await;
    let (gil, hal) = (&links[0], &links[1]);
    // Eight first downloads of gil's link at once, then more.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let http = s.http.clone();
        let url = format!("{gil}/f/{id}");
        tasks.push(tokio::spawn(async move {
            http.get(url)
                .send()
                .await
                .expect("get")
                .bytes()
                .await
                .expect("body")
                .len()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task"), 20_000);
    }
    fetch(&s, &format!("{gil}/f/{id}"), &[]).await;
    // Part of the file is not all of it: no receipt for hal yet.
    fetch(&s, &format!("{hal}/f/{id}"), &[("Range", "bytes=10-")]).await;
    let receipts = |o: &[String]| {
        o.iter()
            .filter(|m| m.contains("downloaded report.pdf"))
            .count()
    };
    let outbox = settled_outbox(&s).await;
    assert_eq!(receipts(&outbox), 1);
    assert!(outbox.iter().any(
        |m| m.contains("Subject: gil@example.com downloaded report.pdf")
            && m.contains("To: alice@example.com")
    ));
    fetch(&s, &format!("{hal}/f/{id}"), &[]).await;
    assert_eq!(receipts(&settled_outbox(&s).await), 2);
    // Downloads count on the file like any other.
    let x = api(&s, &session, "files.getInfo", &[("file_id", &id)]).await;
    assert_eq!(x.attr("file", "downloads").as_deref(), Some("10"));
});

dual!(a_receipt_waits_for_every_byte, |b| async move {
    let s = Server::start(b).await;
    let session = s.user_session("alice").await;
    let c = creds(&s, "alice");
    let size = 16 * 1024 * 1024;
    let data = pattern(size, 7);
    let id = upload(&s, &session, "big.iso", data.clone()).await;
    let link = send_with_receipt(&s, &c, &id, &["ida@example.com"])
        .await
        .remove(0);
    let url = format!("{link}/f/{id}");
    let receipts = |o: &[String]| {
        o.iter()
            .filter(|m| m.contains("downloaded big.iso"))
            .count()
    };
    // Cut at 60 %: no receipt.
    let (status, mut got, conn) = partial_get(&url, &[], size * 6 / 10).await;
    assert_eq!(status, 200);
    drop(conn);
    eventually("the cut download is credited", async || {
        count(&s, "SELECT COUNT(*) FROM send_link_bytes").await == 1
    })
    .await;
    assert_eq!(receipts(&settled_outbox(&s).await), 0);
    // The resume that completes it: the receipt.
    let (status, _, rest) = fetch(&s, &url, &[("Range", &format!("bytes={}-", got.len()))]).await;
    assert_eq!(status, 206);
    got.extend(rest);
    assert!(got == data, "the resumed download differs");
    assert_eq!(receipts(&settled_outbox(&s).await), 1);
    // More downloads: no more receipts.
    assert_eq!(fetch(&s, &url, &[]).await.2.len(), size);
    assert_eq!(receipts(&settled_outbox(&s).await), 1);
});

// A send with several files downloads as one zip from the recipient's
// page: the folder's files under their paths, the recipient's receipt
// mailed once a file's bytes inside the zip went out, the bytes charged
// to the sender.
dual!(a_send_downloads_as_one_zip_with_receipts, |b| async move {
    let s = Server::start(b).await;
    let session = s.user_session("alice").await;
    let c = creds(&s, "alice");
    let docs = mkdir(&s, &session, "docs", "0", "0").await;
    for (name, bytes) in [
        ("a.txt", &b"first file"[..]),
        ("b.txt", &b"second file"[..]),
    ] {
        let id = upload(&s, &session, name, bytes.to_vec()).await;
        api(
            &s,
            &session,
            "files.moveToFolder",
            &[("file_id", &id), ("folder_id", &docs)],
        )
        .await
        .assert_ok();
    }
    let (status, body) = post_signed(
        &s,
        "file_send",
        &[
            ("file_id", &docs),
            ("non_users", "ivy@example.com"),
            ("download_receipt", "1"),
            ("subject", "Q4 papers"),
        ],
        &c,
        now(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let outbox = settled_outbox(&s).await;
    let link = personal_link(outbox.last().expect("mail"), &s.base);
    let token = link.rsplit('/').next().expect("token");
    let html = s
        .http
        .get(&link)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        html.contains(&format!("id=\"zip\" href=\"/s/{token}/zip\"")),
        "{html}"
    );

    let (status, h, zip) = fetch(&s, &format!("{link}/zip"), &[]).await;
    assert_eq!(status, 200);
    assert!(header(&h, "content-disposition").contains("Q4 papers.zip"));
    assert!(zip.starts_with(b"PK\x03\x04"));
    let has = |needle: &[u8]| zip.windows(needle.len()).any(|w| w == needle);
    for needle in [
        &b"docs/a.txt"[..],
        b"docs/b.txt",
        b"first file",
        b"second file",
    ] {
        assert!(has(needle), "{}", String::from_utf8_lossy(needle));
    }
    let receipts = async || {
        settled_outbox(&s)
            .await
            .iter()
            .filter(|m| m.contains("Subject: ivy@example.com downloaded"))
            .count()
    };
    // One receipt per recipient, as for the files' own links.
    eventually("the receipt", async || receipts().await == 1).await;
    let used = "SELECT bandwidth_used FROM users WHERE user_name = 'alice'";
    eventually("the sender charged", async || s.db_i64(used).await >= 21).await;
});
