//! The command-line surface of CONTRACT.md: defaults with no configuration,
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
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .arg("serve")
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .stdin(Stdio::null());
    for (k, _) in std::env::vars() {
        if k.starts_with("DROPSPACE_") {
            cmd.env_remove(k);
        }
    }
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
