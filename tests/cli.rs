//! The command-line surface of docs/cli.md: defaults with no configuration,
//! the first-start API key, a TOML file overridden by DROPSPACE_* variables,
//! and the database each backend ends up with.

mod common;
use common::*;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starts `dropspace serve` in `cwd` with only the given variables set and
/// returns the process, its base URL and the stdout lines before it.
fn serve_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> (Child, String, Vec<String>) {
    serve_logging(cwd, args, &[], env, Stdio::null())
}

/// `dropspace ARGS serve AFTER` in `cwd`, standard error to `stderr`.
fn serve_logging(
    cwd: &Path,
    args: &[&str],
    after: &[&str],
    env: &[(&str, &str)],
    stderr: Stdio,
) -> (Child, String, Vec<String>) {
    let mut cmd = bare_command(cwd);
    cmd.args(args)
        .arg("serve")
        .args(after)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut lines = Vec::new();
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| {
                let _ = child.kill();
                let _ = child.wait();
                panic!("no `listening on` line; got {lines:?}")
            });
        if let Some(i) = line.find("listening on ") {
            let base = line[i + "listening on ".len()..].trim().to_string();
            return (child, base, lines);
        }
        lines.push(line);
    }
}

/// The binary in `cwd` with no `DROPSPACE_*` variable of the test's own.
fn bare_command(cwd: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(cwd);
    for (k, _) in std::env::vars() {
        if k.starts_with("DROPSPACE_") {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// Runs the binary in `cwd` with `env`; exit success, stdout, stderr.
fn run_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let out = bare_command(cwd)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn no_configuration_uses_defaults_and_prints_a_key_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (child, base, lines) = serve_in(dir.path(), &[], &[("DROPSPACE_LISTEN", "127.0.0.1:0")]);
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let key = line_value(&lines, "api key: ").expect("first start prints the API key");
    let data = dir.path().join("data");
    for p in ["dropspace.db", "outbox", "blobs", "secrets/master.key"] {
        assert!(data.join(p).exists(), "./data/{p} missing");
    }
    // WAL mode: the write-ahead log sits next to the database.
    assert!(data.join("dropspace.db-wal").exists(), "not in WAL mode");
    let resp = reqwest::get(format!(
        "{base}/rest/?method=auth.createToken&api_key={key}&api_version=1.0"
    ))
    .await
    .expect("request");
    let x = Xml::from_response(resp).await;
    x.assert_ok();
    stop(child);
    // Second start: same data, no new key.
    let (child, _, lines) = serve_in(dir.path(), &[], &[("DROPSPACE_LISTEN", "127.0.0.1:0")]);
    assert!(
        !lines.iter().any(|l| l.starts_with("api key: ")),
        "{lines:?}"
    );
    stop(child);
}

// With the address taken, the first start fails before it creates a key;
// the next start that listens creates and prints one, with what to do
// next.
#[tokio::test]
async fn the_first_key_comes_with_the_first_start_that_listens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let mut cmd = Command::new(BIN);
    cmd.arg("serve").current_dir(dir.path());
    for (k, _) in std::env::vars() {
        if k.starts_with("DROPSPACE_") {
            cmd.env_remove(k);
        }
    }
    let out = cmd.env("DROPSPACE_LISTEN", &addr).output().expect("run");
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("api key: "), "{stdout}");
    drop(taken);
    let (child, base, lines) = serve_in(dir.path(), &[], &[("DROPSPACE_LISTEN", "127.0.0.1:0")]);
    assert!(line_value(&lines, "api key: ").is_some(), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("dropspace admin user create")),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l.contains(&base)), "{lines:?}");
    stop(child);
}

#[tokio::test]
async fn config_file_and_environment_overrides() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("elsewhere");
    let file = dir.path().join("dropspace.toml");
    std::fs::write(
        &file,
        format!(
            "data_dir = {:?}\nlisten = \"127.0.0.1:0\"\npublic_url = \"https://files.example.org/\"\n\
             registration = false\n\n[tiers.lite]\ndiskspace = 1234\n\n[limits]\nmax_sessions_per_user = 1\n",
            data.display().to_string()
        ),
    )
    .expect("write config");
    let file_arg = file.display().to_string();
    // The file alone: registration off.
    let (child, base, lines) = serve_in(dir.path(), &["--config", &file_arg], &[]);
    let key = line_value(&lines, "api key: ").expect("key");
    assert!(data.join("dropspace.db").exists());
    let register = format!(
        "{base}/rest/?method=auth.register&api_key={key}&user_name=amy&full_name=Amy&email=amy@example.com&password=pw1234"
    );
    let x = Xml::from_response(reqwest::get(&register).await.expect("req")).await;
    x.assert_error(11);
    stop(child);
    // The variable beats the file; DROPSPACE_CONFIG names the file.
    let (child, base, _) = serve_in(
        dir.path(),
        &[],
        &[
            ("DROPSPACE_CONFIG", &file_arg),
            ("DROPSPACE_REGISTRATION", "true"),
        ],
    );
    let register = register.replace(&base_of(&register), &base);
    let x = Xml::from_response(reqwest::get(&register).await.expect("req")).await;
    x.assert_ok();
    // public_url shapes every link handed out (trailing slash dropped).
    let outbox = data.join("outbox");
    let deadline = Instant::now() + Duration::from_secs(20);
    let mail = loop {
        let found = std::fs::read_dir(&outbox)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .find_map(|e| std::fs::read_to_string(e.path()).ok());
        if let Some(m) = found {
            break m;
        }
        assert!(Instant::now() < deadline, "no mail");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let link = link_in(&mail, "/activate/").expect("link");
    assert!(
        link.starts_with("https://files.example.org/activate/"),
        "{link}"
    );
    stop(child);
}

fn base_of(url: &str) -> String {
    url.split("/rest/").next().unwrap_or("").to_string()
}

#[test]
fn bad_configuration_is_one_clear_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (env, needle) in [
        (
            ("DROPSPACE_LIMITS__TOKEN_TTL_SECS", "soon"),
            "configuration",
        ),
        (("DROPSPACE_DATABASE_URL", "mysql://x"), "database_url"),
        (("DROPSPACE_STORAGE__BACKEND", "tape"), "storage.backend"),
        (
            ("DROPSPACE_LIMITS__TUS_MAX_PART", "3"),
            "did you mean `limits.tus_max_parts`?",
        ),
    ] {
        let out = Command::new(BIN)
            .args(["admin", "maintenance", "on"])
            .current_dir(dir.path())
            .env("DROPSPACE_DATA_DIR", dir.path().join("d"))
            .env(env.0, env.1)
            .output()
            .expect("run");
        assert!(!out.status.success(), "{env:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{env:?}: {err}");
    }
    let out = Command::new(BIN)
        .args(["--config", "/nonexistent/dropspace.toml", "serve"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    // A misspelt key in the file stops the server, naming it and the key
    // it was probably meant to be (registration would stay open).
    let file = dir.path().join("dropspace.toml");
    std::fs::write(&file, "registation = false\n").expect("write");
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&file)
        .arg("serve")
        .env("DROPSPACE_DATA_DIR", dir.path().join("d"))
        .env("DROPSPACE_LISTEN", "127.0.0.1:0")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`registation`") && err.contains("did you mean `registration`?"),
        "{err}"
    );
}

dual!(migrations_applied, |b| async move {
    let s = Server::start(b).await;
    assert!(s.db_i64("SELECT COUNT(*) FROM _sqlx_migrations").await >= 1);
    // A second node on the same database finds the schema up to date.
    let other = s.another_node().await;
    other.token("1.0").await;
    assert_eq!(
        s.db_i64("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
            .await,
        s.db_i64("SELECT COUNT(*) FROM _sqlx_migrations").await
    );
});

dual!(admin_commands_print_and_exit_cleanly, |b| async move {
    let s = Server::start(b).await;
    let out = s.admin_ok(&["api-key", "create"]);
    let key = out.lines().last().expect("line").trim().to_string();
    s.call(&[
        ("method", "auth.createToken"),
        ("api_key", &key),
        ("api_version", "1.2"),
    ])
    .await
    .assert_ok();
    s.admin_ok(&["maintenance", "on"]);
    s.admin_ok(&["maintenance", "off"]);
    let out = s.admin(&["maintenance", "sideways"]);
    assert!(!out.status.success());
});

dual!(sigterm_stops_cleanly, |b| async move {
    let mut s = Server::start(b).await;
    s.token("1.0").await;
    let status = s.terminate().expect("was running");
    assert!(status.success(), "{status:?}");
});

/// Everything the server and the admin commands create under the data
/// directory is private to the server's user, whatever umask it was
/// started with: the directory, the SQLite files, the blob directories and
/// blobs, the outbox and its mail, the key.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_directory_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().expect("tempdir");
    let fresh = parent.path().join("private");
    let db_url = format!("sqlite://{}?mode=rwc", fresh.join("dropspace.db").display());
    let data_dir = fresh.display().to_string();
    let mut s = Server::start_with(
        Backend::Sqlite,
        &[
            ("DROPSPACE_DATA_DIR", data_dir.as_str()),
            ("DROPSPACE_DATABASE_URL", db_url.as_str()),
        ],
    )
    .await;
    s.data_dir = fresh.clone();
    let session = s.user_session("amy").await;
    let answer = upload_with(
        &s,
        &session,
        &[("recipient_email", "bob@example.com")],
        "a.txt",
        // Past storage.inline_max_bytes: a blob file of its own.
        vec![b'p'; 20_000],
    )
    .await;
    assert_eq!(kv_get(&answer, "upload_status"), "ok", "{answer:?}");
    s.wait_mail(|m| m.contains("bob@example.com")).await;

    let mut seen = Vec::new();
    let mut todo = vec![fresh.clone()];
    while let Some(p) = todo.pop() {
        let meta = std::fs::metadata(&p).expect("stat");
        let mode = meta.permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{} is {mode:o}", p.display());
        if meta.is_dir() {
            todo.extend(
                std::fs::read_dir(&p)
                    .expect("dir")
                    .map(|e| e.expect("entry").path()),
            );
        }
        seen.push(
            p.strip_prefix(&fresh)
                .expect("inside")
                .display()
                .to_string(),
        );
    }
    for want in [
        "",
        "dropspace.db",
        "blobs",
        "blobs-tmp",
        "outbox",
        "secrets/master.key",
    ] {
        assert!(
            seen.iter().any(|p| p == want),
            "{want} not found in {seen:?}"
        );
    }
    assert!(seen.iter().any(|p| p.ends_with(".eml")), "{seen:?}");
    let blobs = seen.iter().filter(|p| p.starts_with("blobs/")).count();
    assert!(blobs >= 2, "a blob and its directory: {seen:?}");
}

/// A data directory left readable by others (an older version, a copy) is
/// reported at start.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_data_directory_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().expect("tempdir");
    let open = parent.path().join("open");
    std::fs::create_dir(&open).expect("mkdir");
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let db_url = format!("sqlite://{}?mode=rwc", open.join("dropspace.db").display());
    let data_dir = open.display().to_string();
    let s = Server::start_with(
        Backend::Sqlite,
        &[
            ("DROPSPACE_DATA_DIR", data_dir.as_str()),
            ("DROPSPACE_DATABASE_URL", db_url.as_str()),
        ],
    )
    .await;
    let log = s.log();
    let warning = log
        .lines()
        .find(|l| l.contains("readable by other local users"))
        .unwrap_or_else(|| panic!("no warning in {log}"));
    assert!(
        warning.contains("755") && warning.contains(&data_dir),
        "{warning}"
    );
    // Nothing is changed behind the operator's back.
    let mode = std::fs::metadata(&open).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode, 0o755);
}

// `serve --listen --data-dir` win over the file and the variables; a bare
// port (as DROPSPACE_LISTEN or --listen) means 127.0.0.1:PORT.
#[tokio::test]
async fn serve_flags_and_bare_ports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = common::proxy::free_port().to_string();
    let (child, base, _) = serve_in(dir.path(), &[], &[("DROPSPACE_LISTEN", &port)]);
    assert_eq!(base, format!("http://127.0.0.1:{port}"));
    stop(child);
    let flagged = dir.path().join("flagged");
    let port = common::proxy::free_port().to_string();
    let (child, base, _) = serve_logging(
        dir.path(),
        &[],
        &[
            "--listen",
            &port,
            "--data-dir",
            flagged.to_str().expect("utf-8"),
        ],
        &[
            ("DROPSPACE_LISTEN", "127.0.0.1:1"),
            ("DROPSPACE_DATA_DIR", "ignored"),
        ],
        Stdio::null(),
    );
    assert_eq!(base, format!("http://127.0.0.1:{port}"));
    assert!(flagged.join("dropspace.db").exists());
    assert!(!dir.path().join("ignored").exists());
    stop(child);
}

// Values are checked with plain messages; a TOML syntax error keeps the
// parser's layout; keys are named as written (no `default.` prefix).
#[test]
fn mistaken_values_are_named_plainly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("d");
    let data = data.to_str().expect("utf-8");
    for (env, needle) in [
        (
            ("DROPSPACE_PUBLIC_URL", "files.example.com"),
            "public_url must start with http:// or https://",
        ),
        (("DROPSPACE_LISTEN", "localhost"), "must be host:port"),
        (("DROPSPACE_LISTEN", "99999"), "not a port"),
        (("DROPSPACE_METRICS_LISTEN", "nowhere"), "must be host:port"),
        (
            ("DROPSPACE_WEB__EXPIRY_CHOICES_SECS", "[3600, -5]"),
            "web.expiry_choices_secs holds -5",
        ),
    ] {
        let (ok, _, err) = run_in(
            dir.path(),
            &["admin", "maintenance", "on"],
            &[("DROPSPACE_DATA_DIR", data), env],
        );
        assert!(!ok, "{env:?}");
        assert!(err.contains(needle), "{env:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "registration = false\nlisten = 127.0.0.1:8080\n").expect("write");
    let (ok, _, err) = run_in(
        dir.path(),
        &["serve", "--config", file.to_str().expect("utf-8")],
        &[("DROPSPACE_DATA_DIR", data)],
    );
    assert!(!ok);
    assert!(
        err.contains("is not valid TOML") && err.contains("line 2"),
        "{err}"
    );
    // The caret diagram keeps its lines: the source line, then the caret.
    let lines: Vec<&str> = err.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("listen = 127.0.0.1:8080"))
        .unwrap_or_else(|| panic!("no source line: {err}"));
    assert!(lines.get(at + 1).is_some_and(|l| l.contains('^')), "{err}");
    std::fs::write(&file, "[limits]\ntoken_ttl_secs = \"soon\"\n").expect("write");
    let (ok, _, err) = run_in(
        dir.path(),
        &[
            "admin",
            "--config",
            file.to_str().expect("utf-8"),
            "maintenance",
            "on",
        ],
        &[("DROPSPACE_DATA_DIR", data)],
    );
    assert!(!ok);
    assert!(err.contains("`limits.token_ttl_secs`"), "{err}");
    assert!(!err.contains("default."), "{err}");
    assert!(err.contains("bad.toml"), "where the value came from: {err}");
}

// `config check` prints what is in effect with secrets masked, and exits 1
// naming a mistake.
#[test]
fn config_check_shows_the_effective_configuration_without_secrets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("dropspace.toml");
    let secret = "ab".repeat(32);
    std::fs::write(
        &file,
        format!(
            "listen = 8099\nsecret_key = \"{secret}\"\nmetrics_token = \"tok-very-secret\"\n\
             database_url = \"postgres://ds:pg-pass-123@db.internal:5432/ds\"\n\
             [mail]\nsmtp_url = \"smtp://mailer:smtp-pass-456@mx.example.com:587\"\n\
             [storage.s3]\nsecret_access_key = \"s3-secret-789\"\n"
        ),
    )
    .expect("write");
    let (ok, out, err) = run_in(
        dir.path(),
        &["config", "check", "--config", file.to_str().expect("utf-8")],
        &[("DROPSPACE_REGISTRATION", "false")],
    );
    assert!(ok, "{err}");
    for hidden in [
        secret.as_str(),
        "tok-very-secret",
        "pg-pass-123",
        "smtp-pass-456",
        "s3-secret-789",
    ] {
        assert!(!out.contains(hidden), "{hidden} shown: {out}");
    }
    assert!(out.contains("listen = \"127.0.0.1:8099\""), "{out}");
    assert!(
        out.contains("public_url = \"http://127.0.0.1:8099\""),
        "{out}"
    );
    assert!(out.contains("registration = false"), "{out}");
    assert!(out.contains("secret_key = \"(set, not shown)\""), "{out}");
    assert!(out.contains("mx.example.com:587"), "{out}");
    let parsed: toml::Table = out.parse().expect("the output is TOML");
    assert!(parsed.contains_key("limits"));
    let (ok, _, err) = run_in(
        dir.path(),
        &["config", "check"],
        &[("DROPSPACE_REGISTATION", "false")],
    );
    assert!(!ok);
    assert!(err.contains("did you mean `registration`?"), "{err}");
}

// Logs in a file carry no colour codes; `log.format = "json"` writes one
// JSON object per line.
#[tokio::test]
async fn logs_are_plain_in_files_and_json_on_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    for format in ["text", "json"] {
        let log = dir.path().join(format!("{format}.log"));
        let file = std::fs::File::create(&log).expect("log file");
        let (child, base, _) = serve_logging(
            dir.path(),
            &[],
            &[],
            &[
                ("DROPSPACE_LISTEN", "127.0.0.1:0"),
                ("DROPSPACE_LOG__FORMAT", format),
            ],
            Stdio::from(file),
        );
        let resp = reqwest::get(format!("{base}/healthz"))
            .await
            .expect("healthz");
        assert!(resp.status().is_success());
        stop(child);
        let text = std::fs::read_to_string(&log).expect("read log");
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(!lines.is_empty(), "no log lines");
        assert!(!text.contains('\u{1b}'), "ANSI codes in {format}: {text}");
        // Without SMTP, the start says where mail goes instead.
        assert!(
            text.contains("no mail.smtp_url") && text.contains("data/outbox"),
            "{text}"
        );
        if format == "json" {
            for line in &lines {
                let v: serde_json::Value =
                    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
                assert!(
                    v.get("level").is_some() && v.get("timestamp").is_some(),
                    "{line}"
                );
            }
            assert!(text.contains("\"message\""), "{text}");
        }
    }
}

// An unreachable PostgreSQL is named, with the cause, within seconds.
#[test]
fn an_unreachable_database_is_named_quickly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = common::proxy::free_port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/test");
    std::fs::create_dir(dir.path().join("data")).expect("data dir");
    let started = Instant::now();
    let (ok, _, err) = run_in(
        dir.path(),
        &["admin", "maintenance", "on"],
        &[("DROPSPACE_DATABASE_URL", &url)],
    );
    assert!(!ok);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert!(
        err.contains(&format!("PostgreSQL at 127.0.0.1:{port}")),
        "{err}"
    );
    assert!(err.to_lowercase().contains("refused"), "{err}");
}

// An admin command where no data directory exists refuses, names the
// directory and says where to point it; nothing is created. `--data-dir`
// points it at the server's.
#[test]
fn an_admin_command_without_a_data_directory_refuses() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ok, _, err) = run_in(dir.path(), &["admin", "maintenance", "off"], &[]);
    assert!(!ok, "{err}");
    let at = std::fs::canonicalize(dir.path())
        .expect("path")
        .join("data");
    assert!(err.contains("no data directory at"), "{err}");
    assert!(
        err.contains(&at.display().to_string())
            || err.contains(&dir.path().join("data").display().to_string()),
        "{err}"
    );
    assert!(err.contains("--data-dir"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!dir.path().join("data").exists(), "nothing created");
    let elsewhere = dir.path().join("srv");
    std::fs::create_dir(&elsewhere).expect("mkdir");
    let given = elsewhere.to_str().expect("utf-8");
    let (ok, _, err) = run_in(
        dir.path(),
        &["admin", "--data-dir", given, "maintenance", "off"],
        &[],
    );
    assert!(ok, "{err}");
    let (ok, _, err) = run_in(
        dir.path(),
        &["admin", "maintenance", "on", "--data-dir", given],
        &[],
    );
    assert!(ok, "{err}");
    assert!(
        elsewhere.join("dropspace.db").exists(),
        "the deployment is there"
    );
    assert!(
        !dir.path().join("data").exists(),
        "the default stays untouched"
    );
}

// `admin mail test` delivers at once and says where: here the outbox.
#[test]
fn admin_mail_test_says_where_the_mail_went() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("data")).expect("data dir");
    let (ok, out, err) = run_in(
        dir.path(),
        &["admin", "mail", "test", "ops@example.com"],
        &[],
    );
    assert!(ok, "{err}");
    let path = out
        .split_whitespace()
        .find(|w| w.ends_with(".eml"))
        .unwrap_or_else(|| panic!("no file named: {out}"));
    let mail = std::fs::read_to_string(dir.path().join(path))
        .or_else(|_| std::fs::read_to_string(path))
        .expect("the mail");
    assert!(
        mail.contains("To: ops@example.com") && mail.contains("dropspace test message"),
        "{mail}"
    );
    let (ok, _, err) = run_in(
        dir.path(),
        &["admin", "mail", "test", "not-an-address"],
        &[],
    );
    assert!(!ok && err.contains("not an e-mail address"), "{err}");
}

// Help shows what applies, with examples; completions and a man page come
// from the same definitions.
#[test]
fn help_completions_and_man_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ok, out, _) = run_in(dir.path(), &["serve", "--help"], &[]);
    assert!(
        ok && out.contains("--listen") && out.contains("--data-dir") && out.contains("--config"),
        "{out}"
    );
    assert!(out.contains("Examples:"), "{out}");
    let (ok, out, _) = run_in(dir.path(), &["client", "--help"], &[]);
    assert!(
        ok && !out.contains("--config"),
        "the server's --config in the client's help: {out}"
    );
    // Every command's help ends with an example.
    for cmd in [
        &["admin", "api-key", "create"][..],
        &["admin", "user", "create"],
        &["admin", "fsck"],
        &["config", "check"],
        &["client", "login"],
        &["client", "upload"],
        &["client", "download"],
        &["client", "limit"],
    ] {
        let args: Vec<&str> = cmd.iter().copied().chain(["--help"]).collect();
        let (ok, out, _) = run_in(dir.path(), &args, &[]);
        assert!(ok && out.contains("Example"), "{cmd:?}: {out}");
    }
    let (ok, out, _) = run_in(dir.path(), &["completions", "bash"], &[]);
    assert!(
        ok && out.contains("_dropspace") && out.contains("serve"),
        "{out}"
    );
    let (ok, out, _) = run_in(dir.path(), &["completions", "zsh"], &[]);
    assert!(ok && out.contains("#compdef dropspace"), "{out}");
    let (ok, out, _) = run_in(dir.path(), &["man"], &[]);
    assert!(
        ok && out.contains(".TH dropspace") && out.contains("serve"),
        "{out}"
    );
    // The old spelling before the command still works.
    let file = dir.path().join("c.toml");
    std::fs::write(&file, "registration = false\n").expect("write");
    let (ok, out, err) = run_in(
        dir.path(),
        &["--config", file.to_str().expect("utf-8"), "config", "check"],
        &[],
    );
    assert!(ok && out.contains("registration = false"), "{out}{err}");
}

dual!(
    api_keys_are_listed_with_names_and_prefixes,
    |b| async move {
        let s = Server::start(b).await;
        let out = s.admin_ok(&["api-key", "create", "--name", "desktop uploader"]);
        let key = out.lines().last().expect("line").trim().to_string();
        let list = s.admin_ok(&["api-key", "list"]);
        let row = list
            .lines()
            .find(|l| l.contains("desktop uploader"))
            .unwrap_or_else(|| panic!("{list}"));
        assert!(row.contains(&format!("{}…", &key[..4])), "{row}");
        assert!(
            !list.contains(&key),
            "the whole key is never shown again: {list}"
        );
    }
);
