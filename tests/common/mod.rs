//! Test harness: boots the real `dropspace` binary on a free port with its
//! own data directory (and, for PostgreSQL, its own schema), and talks HTTP
//! to it. Shared by every integration test file.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub mod attack;
pub mod browser;
pub mod clamd;
pub mod client;
pub mod clients;
pub mod proxy;
pub mod slapd;
pub mod transfer;
pub mod web;
#[allow(unused_imports)]
pub use attack::{reset_peak, rss_kib};
#[allow(unused_imports)]
pub use transfer::*;

/// Every sendspace method the server answers (for the random-input tests),
/// from the server's own typed method table.
pub static API_METHODS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    dropspace::api::Method::ALL
        .iter()
        .map(|m| m.name())
        .collect()
});

pub const BIN: &str = env!("CARGO_BIN_EXE_dropspace");
pub const PG_BASE: &str = "postgres://postgres@127.0.0.1:5432/test";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs an async test body once per database backend:
/// `dual!(name, |b| async move { … })` makes `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! dual {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)($crate::common::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                ($body)($crate::common::Backend::Postgres).await
            }
        }
    };
}

pub struct Server {
    pub base: String,
    /// `http://addr` of the separate metrics listener (`metrics_listen`), if any.
    pub metrics_base: String,
    pub api_key: String,
    pub data_dir: PathBuf,
    pub db_url: String,
    pub backend: Backend,
    pub env: Vec<(String, String)>,
    pub http: reqwest::Client,
    child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
    pub stderr_log: PathBuf,
}

fn unique(prefix: &str) -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().gen();
    format!("{prefix}{:x}_{n:016x}", std::process::id())
}

/// `dropspace admin …` with exactly this configuration, not yet run.
fn admin_command(env: &[(String, String)], args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("admin").args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("DROPSPACE_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs `dropspace admin …` with exactly this configuration.
pub fn admin_with(env: &[(String, String)], args: &[&str]) -> std::process::Output {
    admin_command(env, args).output().expect("run admin")
}

/// A fresh PostgreSQL schema for one test; the URL selects it.
pub async fn pg_schema_url() -> String {
    use sqlx::Connection;
    let schema = unique("t_");
    let mut conn = sqlx::PgConnection::connect(PG_BASE)
        .await
        .expect("PostgreSQL at 127.0.0.1:5432 (database test)");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut conn)
        .await
        .expect("create schema");
    format!("{PG_BASE}?options=-c%20search_path%3D{schema}")
}

impl Server {
    pub async fn start(backend: Backend) -> Server {
        Server::start_with(backend, &[]).await
    }

    /// Starts a server; `env` adds `DROPSPACE_*` overrides.
    pub async fn start_with(backend: Backend, env: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let data_dir = dir.path().join("data");
        let db_url = match backend {
            Backend::Sqlite => format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("data").join("dropspace.db").display()
            ),
            Backend::Postgres => pg_schema_url().await,
        };
        let mut all: Vec<(String, String)> = vec![
            ("DROPSPACE_DATA_DIR".into(), data_dir.display().to_string()),
            ("DROPSPACE_DATABASE_URL".into(), db_url.clone()),
            ("DROPSPACE_LISTEN".into(), "127.0.0.1:0".into()),
            ("DROPSPACE_SHUTDOWN_GRACE_SECS".into(), "5".into()),
        ];
        // Tests drive one server hard from one address; the abuse limits
        // are off unless a test (tests/abuse.rs) sets them.
        for limit in [
            "API_CALLS_PER_ADDRESS",
            "API_CALLS_PER_ACCOUNT",
            "UPLOAD_STARTS_PER_MINUTE",
            "OPEN_UPLOADS_PER_ACCOUNT",
            "OPEN_UPLOADS_PER_ADDRESS",
            "MAILS_PER_HOUR_PER_ADDRESS",
            "MAILS_PER_HOUR_PER_ACCOUNT",
            "CONNECTIONS_PER_ADDRESS",
            "PAGE_VIEWS_PER_ADDRESS",
            "PROGRESS_POLLS_PER_ADDRESS",
        ] {
            all.push((format!("DROPSPACE_LIMITS__{limit}"), "0".into()));
        }
        all.extend(s3_env().await);
        all.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let mut s = Server::spawn(all, data_dir, db_url, backend).await;
        s._dir = Some(dir);
        s
    }

    /// Another node sharing this one's database, data directory and secrets.
    pub async fn another_node(&self) -> Server {
        let env: Vec<(String, String)> = self
            .env
            .iter()
            .filter(|(k, _)| k != "DROPSPACE_PUBLIC_URL")
            .cloned()
            .collect();
        let mut s = Server::spawn(
            env,
            self.data_dir.clone(),
            self.db_url.clone(),
            self.backend,
        )
        .await;
        s.api_key = self.api_key.clone();
        s
    }

    async fn spawn(
        env: Vec<(String, String)>,
        data_dir: PathBuf,
        db_url: String,
        backend: Backend,
    ) -> Server {
        std::fs::create_dir_all(&data_dir).expect("data dir");
        let stderr_log = data_dir.join(format!("server-{}.log", unique("")));
        let log = std::fs::File::create(&stderr_log).expect("log file");
        let mut cmd = Command::new(BIN);
        cmd.arg("serve")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .stdin(Stdio::null());
        for (k, _) in std::env::vars() {
            if k.starts_with("DROPSPACE_") {
                cmd.env_remove(k);
            }
        }
        cmd.env("DROPSPACE_LOG", "info");
        for (k, v) in &env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn dropspace");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let (mut api_key, mut base) = (String::new(), String::new());
        let mut metrics_base = String::new();
        while base.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(m) = line.strip_prefix("metrics on ") {
                        metrics_base = m.trim().to_string();
                    }
                    if let Some(k) = line.strip_prefix("api key: ") {
                        api_key = k.trim().to_string();
                    }
                    if let Some(i) = line.find("listening on ") {
                        base = line[i + "listening on ".len()..].trim().to_string();
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let log = std::fs::read_to_string(&stderr_log).unwrap_or_default();
                    panic!("server did not start; log:\n{log}");
                }
            }
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Server {
            base,
            metrics_base,
            api_key,
            data_dir,
            db_url,
            backend,
            env,
            http,
            child: Some(child),
            _dir: None,
            stderr_log,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(|c| c.id()).unwrap_or(0)
    }

    /// Sends SIGKILL and waits.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Kills the server (SIGKILL) and starts it again on the same address,
    /// data directory and database; `self` keeps owning the directory.
    pub async fn kill_and_restart(&mut self) -> Server {
        self.kill();
        let mut env = self.env.clone();
        let listen = self.base.trim_start_matches("http://").to_string();
        env.push(("DROPSPACE_LISTEN".into(), listen));
        let mut again = Server::start_env(env, self.backend).await;
        again.api_key = self.api_key.clone();
        again
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        let mut c = self.child.take()?;
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(c.id().to_string())
            .status();
        c.wait().ok()
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr_log).unwrap_or_default()
    }

    /// Runs `dropspace admin …` with this server's configuration.
    pub fn admin(&self, args: &[&str]) -> std::process::Output {
        admin_with(&self.env, args)
    }

    /// `admin`, with `input` on its standard input (not a terminal).
    pub fn admin_stdin(&self, args: &[&str], input: &str) -> std::process::Output {
        use std::io::Write;
        use std::process::Stdio;
        let mut child = admin_command(&self.env, args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run admin");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write to admin");
        child.wait_with_output().expect("admin finished")
    }

    /// A server on a configuration of the test's making (e.g. a deployment
    /// restored from a backup), with the data directory it names.
    pub async fn start_env(env: Vec<(String, String)>, backend: Backend) -> Server {
        let get = |k: &str| {
            env.iter()
                .rev()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("{k} is not set"))
        };
        let (data_dir, db_url) = (
            PathBuf::from(get("DROPSPACE_DATA_DIR")),
            get("DROPSPACE_DATABASE_URL"),
        );
        Server::spawn(env, data_dir, db_url, backend).await
    }

    /// `admin user set-membership`: moves a user to another tier.
    pub fn set_membership(&self, user: &str, tier: &str) {
        self.admin_ok(&[
            "user",
            "set-membership",
            "--user-name",
            user,
            "--membership",
            tier,
        ]);
    }

    pub fn admin_ok(&self, args: &[&str]) -> String {
        let out = self.admin(args);
        assert!(
            out.status.success(),
            "admin {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// GET /rest/ with query parameters.
    pub async fn call(&self, params: &[(&str, &str)]) -> Xml {
        Xml::from_response(self.get_rest(params).await).await
    }

    /// The raw answer of GET /rest/ with query parameters.
    pub async fn get_rest(&self, params: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .get(self.url("/rest/"))
            .query(params)
            .send()
            .await
            .expect("request")
    }

    /// POST /rest/ with an urlencoded body.
    pub async fn post(&self, params: &[(&str, &str)]) -> Xml {
        let resp = self
            .http
            .post(self.url("/rest/"))
            .form(params)
            .send()
            .await
            .expect("request");
        Xml::from_response(resp).await
    }

    pub fn create_user(&self, name: &str, password: &str) {
        self.admin_ok(&[
            "user",
            "create",
            "--user-name",
            name,
            "--email",
            &format!("{name}@example.com"),
            "--password",
            password,
        ]);
    }

    pub async fn token(&self, version: &str) -> String {
        let x = self
            .call(&[
                ("method", "auth.createToken"),
                ("api_key", &self.api_key),
                ("api_version", version),
            ])
            .await;
        x.text("token")
            .unwrap_or_else(|| panic!("no token: {}", x.raw))
    }

    /// Logs in with `tokened_password` and returns the session key.
    pub async fn login_v(&self, name: &str, password: &str, version: &str) -> String {
        let x = self.try_login(name, password, version).await;
        x.text("session_key")
            .unwrap_or_else(|| panic!("login failed: {}", x.raw))
    }

    pub async fn login(&self, name: &str, password: &str) -> String {
        self.login_v(name, password, "1.0").await
    }

    pub async fn try_login(&self, name: &str, password: &str, version: &str) -> Xml {
        let token = self.token(version).await;
        let tp = tokened_password(&token, password);
        self.call(&[
            ("method", "auth.login"),
            ("token", &token),
            ("user_name", name),
            ("tokened_password", &tp),
        ])
        .await
    }

    /// A new activated user and a 1.0 session for it.
    pub async fn user_session(&self, name: &str) -> String {
        self.create_user(name, "secret123");
        self.login(name, "secret123").await
    }

    /// Every `.eml` in the outbox, oldest first.
    pub fn outbox(&self) -> Vec<String> {
        let dir = self.data_dir.join("outbox");
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.retain(|p| p.extension().is_some_and(|e| e == "eml"));
        entries.sort();
        entries
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    }

    /// Waits (bounded) for a mail that satisfies `pred`.
    pub async fn wait_mail(&self, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(m) = self.outbox().into_iter().find(|m| pred(m)) {
                return m;
            }
            assert!(
                Instant::now() < deadline,
                "no matching mail arrived; outbox: {:?}",
                self.outbox()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn md5_hex(s: &str) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(s.as_bytes()))
}

/// The client side of the sendspace login scheme, computed independently.
pub fn tokened_password(token: &str, password: &str) -> String {
    md5_hex(&format!("{token}{}", md5_hex(password)))
}

/// A parsed sendspace answer.
#[derive(Debug, Clone)]
pub struct Xml {
    pub raw: String,
    pub http_status: u16,
    pub content_type: String,
}

impl Xml {
    pub async fn from_response(resp: reqwest::Response) -> Xml {
        let http_status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let raw = resp.text().await.expect("body");
        Xml {
            raw,
            http_status,
            content_type,
        }
    }

    pub fn doc(&self) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(&self.raw)
            .unwrap_or_else(|e| panic!("not XML ({e}): {}", self.raw))
    }

    pub fn status(&self) -> String {
        self.doc()
            .root_element()
            .attribute("status")
            .unwrap_or("")
            .to_string()
    }

    pub fn method(&self) -> String {
        self.doc()
            .root_element()
            .attribute("method")
            .unwrap_or("")
            .to_string()
    }

    pub fn is_ok(&self) -> bool {
        self.status() == "ok"
    }

    /// The code of the first `<error>`; panics when there is none.
    pub fn error_code(&self) -> u32 {
        let doc = self.doc();
        let e = doc
            .descendants()
            .find(|n| n.has_tag_name("error"))
            .unwrap_or_else(|| panic!("no error: {}", self.raw));
        e.attribute("code")
            .and_then(|c| c.parse().ok())
            .expect("numeric code")
    }

    pub fn error_text(&self) -> String {
        let doc = self.doc();
        doc.descendants()
            .find(|n| n.has_tag_name("error"))
            .and_then(|e| e.attribute("text"))
            .unwrap_or("")
            .to_string()
    }

    /// Asserts a failure with `code`.
    #[track_caller]
    pub fn assert_error(&self, code: u32) {
        assert_eq!(
            self.http_status, 200,
            "API errors are HTTP 200: {}",
            self.raw
        );
        assert_eq!(
            self.status(),
            "fail",
            "expected failure {code}: {}",
            self.raw
        );
        assert_eq!(self.error_code(), code, "wrong error code: {}", self.raw);
    }

    #[track_caller]
    pub fn assert_ok(&self) {
        assert_eq!(self.status(), "ok", "expected ok: {}", self.raw);
    }

    /// Text of the first element named `tag`.
    pub fn text(&self, tag: &str) -> Option<String> {
        self.doc()
            .descendants()
            .find(|n| n.has_tag_name(tag))
            .map(|n| n.text().unwrap_or("").to_string())
    }

    /// Attribute of the first element named `tag`.
    pub fn attr(&self, tag: &str, attr: &str) -> Option<String> {
        self.doc()
            .descendants()
            .find(|n| n.has_tag_name(tag))
            .and_then(|n| n.attribute(attr))
            .map(str::to_string)
    }

    /// All attributes of every element named `tag`, in document order.
    pub fn all(&self, tag: &str) -> Vec<Vec<(String, String)>> {
        self.doc()
            .descendants()
            .filter(|n| n.has_tag_name(tag))
            .map(|n| {
                n.attributes()
                    .map(|a| (a.name().to_string(), a.value().to_string()))
                    .collect()
            })
            .collect()
    }

    /// Names of the root's child elements in order.
    pub fn children(&self) -> Vec<String> {
        self.doc()
            .root_element()
            .children()
            .filter(|n| n.is_element())
            .map(|n| n.tag_name().name().to_string())
            .collect()
    }
}

/// Extracts the first `http…` URL in a mail whose path starts with `prefix`.
pub fn link_in(mail: &str, prefix: &str) -> Option<String> {
    let unfolded = mail
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    unfolded
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        .find(|w| w.starts_with("http") && w.contains(prefix))
        .map(str::to_string)
}

pub fn data_path(s: &Server, rel: &str) -> PathBuf {
    Path::new(&s.data_dir).join(rel)
}

impl Server {
    /// One integer from this server's database (e.g. a `COUNT(*)`), read
    /// directly so a test can check rows the API does not show.
    pub async fn db_i64(&self, sql: &str) -> i64 {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.db_url)
            .await
            .expect("connect to the test database");
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    pub async fn db_text(&self, sql: &str) -> String {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.db_url)
            .await
            .expect("connect to the test database");
        sqlx::query_scalar::<_, String>(sql)
            .fetch_one(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Everything the database holds, as text: the SQLite files (with the
    /// write-ahead log), or `pg_dump` of the test's schema.
    pub fn db_dump(&self) -> String {
        match self.backend {
            Backend::Sqlite => {
                let path = self
                    .db_url
                    .trim_start_matches("sqlite://")
                    .split('?')
                    .next()
                    .unwrap_or_default()
                    .to_string();
                let mut all = Vec::new();
                for p in [path.clone(), format!("{path}-wal")] {
                    all.extend(std::fs::read(&p).unwrap_or_default());
                }
                String::from_utf8_lossy(&all).into_owned()
            }
            Backend::Postgres => {
                let schema = self
                    .db_url
                    .split("search_path%3D")
                    .nth(1)
                    .expect("the test's schema");
                let out = Command::new("pg_dump")
                    .args([
                        "-h",
                        "127.0.0.1",
                        "-U",
                        "postgres",
                        "-d",
                        "test",
                        "-n",
                        schema,
                    ])
                    .output()
                    .expect("pg_dump");
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                String::from_utf8_lossy(&out.stdout).into_owned()
            }
        }
    }

    /// GET /rest/ answered in JSON.
    pub async fn call_json(&self, params: &[(&str, &str)]) -> serde_json::Value {
        let resp = self.get_rest(params).await;
        assert_eq!(resp.status().as_u16(), 200);
        let ctype = content_type(&resp);
        assert!(ctype.starts_with("application/json"), "{ctype}");
        let body = resp.text().await.expect("body");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
    }
}

/// Waits until at least `secs` seconds of wall-clock time have passed since
/// `since` (the server counts whole seconds, so tests of expiry wait for the
/// clock, not for a fixed sleep to be long enough).
pub async fn wait_secs_since(since: std::time::SystemTime, secs: f64) {
    while since.elapsed().map(|d| d.as_secs_f64()).unwrap_or(0.0) < secs {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A client whose connections come from `ip`: every 127.x.y.z is loopback
/// on Linux, so each is another client address to the server.
pub fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<std::net::IpAddr>().expect("address"))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Sends a request built by hand and parses the answer.
pub async fn answer(req: reqwest::RequestBuilder) -> Xml {
    Xml::from_response(req.send().await.expect("request")).await
}

/// The Content-Type of a response, or "".
pub fn content_type(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The value of the first line of `lines` that starts with `prefix`.
pub fn line_value(lines: &[String], prefix: &str) -> Option<String> {
    lines
        .iter()
        .find_map(|l| l.strip_prefix(prefix))
        .map(|v| v.trim().to_string())
}

// ---- S3 mode ----

/// The S3 endpoint the suite runs against, when `DROPSPACE_TEST_S3_ENDPOINT`
/// is set (scripts/test.sh starts a local S3 server and sets it for a second
/// pass of the storage-related tests).
pub fn s3_endpoint() -> Option<String> {
    std::env::var("DROPSPACE_TEST_S3_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty())
}

/// Whether blobs go to S3 in this run (tests of fs-only behaviour skip then;
/// they run in the fs pass).
pub fn s3_mode() -> bool {
    s3_endpoint().is_some()
}

/// A fresh, empty bucket on the test S3 server.
pub async fn s3_bucket(endpoint: &str) -> String {
    let bucket = unique("b").replace('_', "-");
    let resp = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .expect("S3 server answers");
    assert!(
        resp.status().is_success(),
        "creating bucket: {}",
        resp.status()
    );
    bucket
}

/// Server configuration for S3 mode: a bucket of its own per server.
pub async fn s3_env() -> Vec<(String, String)> {
    let Some(endpoint) = s3_endpoint() else {
        return Vec::new();
    };
    let bucket = s3_bucket(&endpoint).await;
    [
        ("DROPSPACE_STORAGE__BACKEND", "s3"),
        ("DROPSPACE_STORAGE__S3__ENDPOINT", endpoint.as_str()),
        ("DROPSPACE_STORAGE__S3__BUCKET", bucket.as_str()),
        ("DROPSPACE_STORAGE__S3__ACCESS_KEY_ID", "test"),
        ("DROPSPACE_STORAGE__S3__SECRET_ACCESS_KEY", "test"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// A pool on the server's database, for seeding and inspecting rows.
pub async fn db(s: &Server) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::any::AnyPoolOptions::new()
        .max_connections(2)
        .connect(&s.db_url)
        .await
        .expect("connect to the test database")
}

/// Runs one statement on the server's database (to set up a state the
/// API cannot reach, such as a time limit already passed).
pub async fn exec(s: &Server, sql: &str) {
    let pool = db(s).await;
    sqlx::query(sql).execute(&pool).await.expect(sql);
    pool.close().await;
}

/// The blob key of a file row.
pub async fn blob_key(s: &Server, file_id: &str) -> String {
    let pool = db(s).await;
    let key: String = sqlx::query_scalar("SELECT blob_key FROM files WHERE id = $1")
        .bind(file_id)
        .fetch_one(&pool)
        .await
        .expect("file row");
    pool.close().await;
    key
}

/// Stores a file for `owner` in their root as an upload would (blob under
/// `data_dir/blobs`, `files` row, `disk_used`); returns its id. Stands in
/// for uploads in tests of the library methods.
pub async fn seed_file(s: &Server, owner: &str, name: &str, bytes: &[u8]) -> String {
    seed_file_in(s, owner, "0", name, bytes).await
}

/// `seed_file` into folder `folder_id`.
pub async fn seed_file_in(
    s: &Server,
    owner: &str,
    folder_id: &str,
    name: &str,
    bytes: &[u8],
) -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    let hexes: String = (0..32)
        .map(|_| char::from(b"0123456789abcdef"[rng.gen_range(0..16)]))
        .collect();
    let id: String = (0..6)
        .map(|_| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[rng.gen_range(0..36)]))
        .collect();
    let key = format!("{}/{}", &hexes[..2], hexes);
    let path = s.data_dir.join("blobs").join(&key);
    std::fs::create_dir_all(path.parent().expect("blob dir")).expect("blob dir");
    std::fs::write(&path, bytes).expect("write blob");
    let pool = db(s).await;
    let user_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE user_name_lower = $1")
        .bind(owner.to_lowercase())
        .fetch_one(&pool)
        .await
        .expect("owner exists");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    sqlx::query(
        "INSERT INTO files (id, user_id, folder_id, name, size, blob_key, uploaded) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(folder_id)
    .bind(name)
    .bind(bytes.len() as i64)
    .bind(&key)
    .bind(now)
    .execute(&pool)
    .await
    .expect("insert file row");
    sqlx::query("UPDATE users SET disk_used = disk_used + $1 WHERE id = $2")
        .bind(bytes.len() as i64)
        .bind(user_id)
        .execute(&pool)
        .await
        .expect("charge disk space");
    pool.close().await;
    id
}

/// The blob path of a file row, if the row exists.
pub async fn blob_path(s: &Server, file_id: &str) -> Option<PathBuf> {
    let pool = db(s).await;
    let key: Option<String> = sqlx::query_scalar("SELECT blob_key FROM files WHERE id = $1")
        .bind(file_id)
        .fetch_optional(&pool)
        .await
        .expect("query blob key");
    pool.close().await;
    key.map(|k| s.data_dir.join("blobs").join(k))
}

/// A session's `diskspace_left`, via auth.checkSession.
pub async fn diskspace_left(s: &Server, session: &str) -> i64 {
    let x = s
        .call(&[("method", "auth.checkSession"), ("session_key", session)])
        .await;
    x.text("diskspace_left")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no diskspace_left: {}", x.raw))
}

/// Calls `method` with a session and more parameters.
pub async fn api(s: &Server, session: &str, method: &str, params: &[(&str, &str)]) -> Xml {
    let mut all = vec![("method", method), ("session_key", session)];
    all.extend_from_slice(params);
    s.call(&all).await
}

/// A new activated user and a 1.2 session for it.
pub async fn user_session_v12(s: &Server, name: &str) -> String {
    s.create_user(name, "secret123");
    s.login_v(name, "secret123", "1.2").await
}

/// The value of `key` among one element's attributes (from `Xml::all`).
pub fn attr_of<'a>(attrs: &'a [(String, String)], key: &str) -> &'a str {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no attribute {key} in {attrs:?}"))
}

/// One element's attribute names, in order.
pub fn attr_names(attrs: &[(String, String)]) -> Vec<&str> {
    attrs.iter().map(|(k, _)| k.as_str()).collect()
}

/// folders.create; returns the new folder's id.
pub async fn mkdir(s: &Server, session: &str, name: &str, parent: &str, shared: &str) -> String {
    let x = api(
        s,
        session,
        "folders.create",
        &[
            ("name", name),
            ("parent_folder_id", parent),
            ("shared", shared),
        ],
    )
    .await;
    x.assert_ok();
    x.attr("folder", "id")
        .unwrap_or_else(|| panic!("no folder: {}", x.raw))
}
