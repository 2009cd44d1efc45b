//! `dropspace client …` run as a real process against a real server: every
//! subcommand's happy path and one error path (exact exit code and API
//! error code), `--json` parsed, uploads checked against the bytes the
//! server serves, a resumed download, and the library's `file_send`.

mod common;
use common::client::*;
use common::*;

use serde_json::Value;

/// The bytes the server serves for `file_id` (through a session of its own).
async fn served(s: &Server, session: &str, file_id: &str, password: Option<&str>) -> Vec<u8> {
    let url = direct_url(s, session, file_id, password).await;
    let (status, _, body) = fetch(s, &url, &[]).await;
    assert_eq!(status, 200);
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_whoami_logout_and_exit_codes() {
    let s = Server::start(Backend::Sqlite).await;
    s.create_user("alice", "secret123");
    let cli = Cli::new(&s);

    // Usage errors: no subcommand; no server anywhere.
    assert_eq!(cli.run(&[]).code, 2);
    let r = cli.run_with(&["ls"], None, false);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // Network error: nothing listens on port 1.
    let r = cli.run_with(
        &[
            "--server",
            "http://127.0.0.1:1",
            "--api-key",
            "k",
            "login",
            "-u",
            "a",
            "--password-stdin",
        ],
        Some("x\n"),
        false,
    );
    assert_eq!(r.code, 4, "{}", r.stderr);
    // … and says why, not just "error sending request for url".
    assert!(
        r.stderr
            .contains("cannot reach http://127.0.0.1:1/: connection refused"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("error sending request"), "{}", r.stderr);

    // A wrong password is the API's 8 and saves nothing.
    cli.login("alice", "wrong").api_error(8);
    assert!(!cli.config().exists());

    let v = cli
        .run_with(
            &["--json", "login", "--user", "alice", "--password-stdin"],
            Some("secret123\n"),
            true,
        )
        .json();
    assert_eq!(v["user_name"], "alice");
    assert_eq!(v["email"], "alice@example.com");
    assert_eq!(v["membership_type"], "lite");
    assert!(v.get("session_key").is_none(), "the key is not printed");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(cli.config())
            .expect("config")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let saved = cli.saved();
    assert_eq!(saved["server"], s.base.as_str());
    assert_eq!(saved["user_name"], "alice");
    let key = saved["session_key"]
        .as_str()
        .expect("session saved")
        .to_string();
    assert_eq!(key.len(), 32);

    // whoami works from the saved server and session alone.
    let v = cli.run_with(&["--json", "whoami"], None, false).json();
    assert_eq!(v["user_name"], "alice");
    assert_eq!(v["session"], "ok");
    assert_eq!(v["bandwidth_left"], -1);
    let r = cli.run(&["whoami"]).ok();
    assert!(r.stdout.starts_with("alice at "), "{}", r.stdout);
    // A failed login keeps the saved session, alive.
    cli.login("alice", "wrong").api_error(8);
    assert_eq!(cli.saved()["session_key"], key.as_str());
    cli.run_with(&["whoami"], None, false).ok();
    // A new login replaces it and ends the old session on the server.
    cli.login("alice", "secret123").ok();
    let newer = cli.saved()["session_key"]
        .as_str()
        .expect("session saved")
        .to_string();
    assert_ne!(newer, key);
    let check = |session: String| {
        let s = &s;
        async move {
            s.call(&[("method", "auth.checkSession"), ("session_key", &session)])
                .await
        }
    };
    check(newer.clone()).await.assert_ok();
    assert_eq!(check(key.clone()).await.error_code(), 6);
    let key = newer;

    let r = cli.run(&["logout"]).ok();
    assert!(r.stdout.contains("logged out"));
    assert!(cli.saved().get("session_key").is_none());
    // The session is gone on the server too.
    let x = api(&s, &key, "auth.checkSession", &[]).await;
    x.assert_error(6);
    // Not logged in: the API's "session key missing".
    cli.run(&["whoami"]).api_error(3);

    // A saved session the server no longer knows: 6, and it is forgotten.
    let mut stale = cli.saved();
    stale["session_key"] = Value::String("0".repeat(32));
    std::fs::write(cli.config(), stale.to_string()).expect("write config");
    let r = cli.run(&["--json", "logout"]);
    r.api_error(6);
    let err: Value = serde_json::from_str(r.stdout.trim()).expect("JSON error");
    assert_eq!(err["error"]["code"], 6);
    assert!(cli.saved().get("session_key").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_download_and_resume() {
    let s = Server::start(Backend::Sqlite).await;
    s.create_user("alice", "secret123");
    let session = s.login("alice", "secret123").await;
    let cli = Cli::new(&s);
    cli.login("alice", "secret123").ok();

    let bytes = pattern(2_500_000, 7);
    std::fs::write(cli.path("data.bin"), &bytes).expect("write");
    std::fs::write(cli.path("note.txt"), b"hello").expect("write");
    let v = cli
        .run(&[
            "--json",
            "upload",
            "data.bin",
            "note.txt",
            "--description",
            "two files",
        ])
        .json();
    let list = v.as_array().expect("array");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["name"], "data.bin");
    assert_eq!(list[0]["size"], 2_500_000);
    let id = list[0]["file_id"].as_str().expect("file_id").to_string();
    assert_eq!(
        list[0]["download_url"],
        format!("{}/file/{id}", s.base).as_str()
    );
    assert!(list[0]["delete_url"]
        .as_str()
        .is_some_and(|u| u.contains("/delete/")));
    assert_eq!(served(&s, &session, &id, None).await, bytes);
    let note = list[1]["file_id"].as_str().expect("file_id");
    assert_eq!(served(&s, &session, note, None).await, b"hello");
    // Not one of the user's folders: the upload's 10.
    cli.run(&["upload", "note.txt", "--folder", "zzzzzz"])
        .api_error(10);
    // A file that is not there: local I/O, 4.
    assert_eq!(cli.run(&["upload", "missing.bin"]).code, 4);

    // A taken name is never touched: the download goes to "data (1).bin"
    // (through "data (1).bin.part", gone once complete).
    std::fs::write(cli.path("data.bin"), b"mine").expect("write");
    let r = cli.run(&["download", &id]).ok();
    assert!(r.stdout.contains("data (1).bin"), "{}", r.stdout);
    // People read sizes (1024ths, one decimal); --json keeps the bytes.
    assert!(r.stdout.contains("\t2.4 MiB"), "{}", r.stdout);
    assert!(!r.stdout.contains("resumed"), "{}", r.stdout);
    assert_eq!(std::fs::read(cli.path("data.bin")).expect("read"), b"mine");
    assert_eq!(
        std::fs::read(cli.path("data (1).bin")).expect("read"),
        bytes
    );
    assert!(!cli.path("data (1).bin.part").exists());
    // An existing --output file: refused (2) and untouched; --force
    // replaces it.
    std::fs::write(cli.path("keep.bin"), b"keep").expect("write");
    assert_eq!(cli.run(&["download", &id, "-o", "keep.bin"]).code, 2);
    assert_eq!(std::fs::read(cli.path("keep.bin")).expect("read"), b"keep");
    cli.run(&["download", &id, "-o", "keep.bin", "--force"])
        .ok();
    assert_eq!(std::fs::read(cli.path("keep.bin")).expect("read"), bytes);
    // A `.part` that is not this client's own is left alone: not resumed,
    // not overwritten; the download takes the next free name.
    std::fs::create_dir(cli.path("dl")).expect("mkdir");
    std::fs::write(cli.path("dl/data.bin.part"), b"someone else's").expect("write");
    let v = cli.run(&["--json", "download", &id, "-o", "dl"]).json();
    assert_eq!(v["resumed_from"], 0);
    assert!(v["path"]
        .as_str()
        .is_some_and(|p| p.ends_with("data (1).bin")));
    assert_eq!(
        std::fs::read(cli.path("dl/data.bin.part")).expect("read"),
        b"someone else's"
    );
    assert_eq!(
        std::fs::read(cli.path("dl/data (1).bin")).expect("read"),
        bytes
    );

    // Resume: the client's own `.part`, as an interrupted run leaves it
    // (recorded in downloads.json beside the login), holding 1 MiB that
    // differs from the real prefix. Only the rest is fetched (Range), so
    // the marker bytes stay; the record goes with the `.part`.
    let part = cli.path("partial.bin.part");
    let prefix = vec![0xAAu8; 1 << 20];
    std::fs::write(&part, &prefix).expect("write partial");
    let key = std::fs::canonicalize(cli.path("."))
        .expect("canonical")
        .join("partial.bin.part");
    let record = serde_json::json!({
        "downloads": {
            key.display().to_string(): {"source": id, "size": 2_500_000}
        }
    });
    let state = cli.config().with_file_name("downloads.json");
    std::fs::write(&state, record.to_string()).expect("write state");
    let v = cli
        .run(&["--json", "download", &id, "-o", "partial.bin"])
        .json();
    assert_eq!(v["resumed_from"], 1 << 20);
    assert_eq!(v["fetched"], 2_500_000 - (1 << 20));
    assert_eq!(v["size"], 2_500_000);
    let got = std::fs::read(cli.path("partial.bin")).expect("read");
    assert_eq!(got.len(), bytes.len());
    assert_eq!(&got[..1 << 20], &prefix[..], "the partial prefix was kept");
    assert_eq!(&got[1 << 20..], &bytes[1 << 20..], "the rest is the file's");
    assert!(!part.exists());
    let left: Value = serde_json::from_slice(&std::fs::read(&state).expect("state")).expect("JSON");
    assert_eq!(left["downloads"], serde_json::json!({}));
    // Into a directory.
    std::fs::create_dir(cli.path("out")).expect("mkdir");
    cli.run(&["download", &id, "-o", "out"]).ok();
    assert_eq!(
        std::fs::read(cli.path("out/data.bin")).expect("read"),
        bytes
    );
    cli.run(&["download", "zzzzzz"]).api_error(9);

    // Anonymous: another config, never logged in.
    let anon = Cli::new(&s);
    std::fs::write(anon.path("secret.txt"), b"anonymous bytes").expect("write");
    let v = anon
        .run(&["--json", "upload", "secret.txt", "--password", "pw"])
        .json();
    let page = v[0]["download_url"]
        .as_str()
        .expect("download_url")
        .to_string();
    let anon_id = v[0]["file_id"].as_str().expect("file_id").to_string();
    assert!(v[0]["delete_url"]
        .as_str()
        .is_some_and(|u| u.contains("/delete/")));
    assert_eq!(
        served(&s, &session, &anon_id, Some("pw")).await,
        b"anonymous bytes"
    );
    // Without a session the page hands out the link, after the password.
    anon.run(&["download", &page, "-o", "got.txt"])
        .api_error(22);
    anon.run(&["download", &anon_id, "-o", "got.txt", "--password", "nope"])
        .api_error(22);
    anon.run(&["download", &page, "-o", "got.txt", "--password", "pw"])
        .ok();
    assert_eq!(
        std::fs::read(anon.path("got.txt")).expect("read"),
        b"anonymous bytes"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_and_folders() {
    let s = Server::start(Backend::Sqlite).await;
    s.create_user("alice", "secret123");
    let cli = Cli::new(&s);
    cli.login("alice", "secret123").ok();
    std::fs::write(cli.path("a.txt"), b"aaa").expect("write");
    let v = cli.run(&["--json", "upload", "a.txt"]).json();
    let file = v[0]["file_id"].as_str().expect("id").to_string();

    // mkdir
    let v = cli.run(&["--json", "mkdir", "docs"]).json();
    let docs = v["id"].as_str().expect("folder id").to_string();
    assert_eq!(v["name"], "docs");
    assert_eq!(v["parent_folder_id"], "0");
    let r = cli.run(&["mkdir", "sub", "--parent", &docs]).ok();
    let sub = r.stdout.trim().to_string();
    assert_eq!(sub.len(), 6);
    cli.run(&["mkdir", "x", "--parent", "zzzzzz"]).api_error(10);

    // ls
    let v = cli.run(&["--json", "ls"]).json();
    assert_eq!(v["folders"][0]["id"], docs.as_str());
    assert_eq!(v["files"][0]["id"], file.as_str());
    assert_eq!(v["files"][0]["file_size"], 3);
    let r = cli.run(&["ls"]).ok();
    assert!(
        r.stdout.contains(&format!("d\t{docs}\tdocs/")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!("-\t{file}\t3 B\ta.txt")),
        "{}",
        r.stdout
    );
    cli.run(&["ls", "zzzzzz"]).api_error(10);

    // info: a file, a folder, neither.
    let v = cli.run(&["--json", "info", &file]).json();
    assert_eq!(v["kind"], "file");
    assert_eq!(v["name"], "a.txt");
    let v = cli.run(&["--json", "info", &docs]).json();
    assert_eq!(v["kind"], "folder");
    assert_eq!(v["total_folders"], 1);
    cli.run(&["info", "zzzzzz"]).api_error(9);

    // mv: a file and a folder into docs / the root.
    let v = cli.run(&["--json", "mv", &file, "--to", &docs]).json();
    assert_eq!(v["moved"][0]["kind"], "file");
    let v = cli.run(&["--json", "ls", &docs]).json();
    assert_eq!(v["files"][0]["id"], file.as_str());
    let v = cli.run(&["--json", "mv", &sub, "--to", "0"]).json();
    assert_eq!(v["moved"][0]["kind"], "folder");
    cli.run(&["mv", &file, "--to", "zzzzzz"]).api_error(10);

    // share
    let v = cli.run(&["--json", "share", &docs, "on"]).json();
    assert_eq!(v["shared"], true);
    assert_eq!(
        v["public_url"],
        format!("{}/folder/{docs}", s.base).as_str()
    );
    let (status, _, _) = fetch(&s, &format!("{}/folder/{docs}", s.base), &[]).await;
    assert_eq!(status, 200);
    let v = cli.run(&["--json", "share", &docs, "off"]).json();
    assert_eq!(v["shared"], false);
    cli.run(&["share", "0", "on"]).api_error(11);

    // limit
    let v = cli
        .run(&[
            "--json",
            "limit",
            &file,
            "--downloads",
            "2",
            "--expire",
            "7d",
            "--action",
            &format!("move:{sub}"),
        ])
        .json();
    assert_eq!(v["download_limit"], 2);
    assert_eq!(v["time_limit"], 604_800);
    assert_eq!(v["limit_action"], 3);
    assert_eq!(v["limit_action_to_folder"], sub.as_str());
    // The text says it in words: durations, dates, the action.
    let r = cli.run(&["limit", &file, "--expire", "36h"]).ok();
    let line = r.stdout.trim();
    assert!(
        line.starts_with(&format!("{file}: 2 downloads (0 done) or until 20")),
        "{line}"
    );
    assert!(
        line.ends_with(&format!(" UTC (1 day 12 h), then move it to folder {sub}")),
        "{line}"
    );
    let r = cli.run(&["info", &file]).ok();
    assert!(r.stdout.contains("size: 3 B\n"), "{}", r.stdout);
    assert!(r.stdout.contains("uploaded: 20"), "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!(
            "limit: 2 downloads (0 done) or 1 day 12 h from when it was set, then move it \
             to folder {sub}\n"
        )),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("action"), "{}", r.stdout);
    let r = cli
        .run(&["limit", &file, "--action", "delete", "--expire", "3h"])
        .ok();
    assert!(
        r.stdout.contains(" (3 h), then delete the file"),
        "{}",
        r.stdout
    );
    let r = cli.run(&["limit", &file, "--action", "block"]).ok();
    assert!(r.stdout.contains("then block downloads"), "{}", r.stdout);
    let r = cli.run(&["info", &docs]).ok();
    assert!(r.stdout.contains("1 file (3 B), 0 folders"), "{}", r.stdout);
    let v = cli.run(&["--json", "limit", &file, "--clear"]).json();
    assert_eq!(v["download_limit"], 0);
    assert_eq!(v["limit_action"], 0);
    cli.run(&["limit", "zzzzzz", "--downloads", "1"])
        .api_error(9);
    assert_eq!(cli.run(&["limit", &file, "--action", "explode"]).code, 2);
    assert_eq!(cli.run(&["limit", &file]).code, 2);

    // rm: a folder that is not empty, then file and folders.
    cli.run(&["rm", &docs]).api_error(14);
    let v = cli.run(&["--json", "rm", &file, &docs, &sub]).json();
    let kinds: Vec<&str> = v["deleted"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["file", "folder", "folder"]);
    let v = cli.run(&["--json", "ls"]).json();
    assert_eq!(v["files"].as_array().map(Vec::len), Some(0));
    assert_eq!(v["folders"].as_array().map(Vec::len), Some(0));
    cli.run(&["rm", &file]).api_error(9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_and_contacts() {
    let s = Server::start(Backend::Sqlite).await;
    s.create_user("alice", "secret123");
    let cli = Cli::new(&s);
    cli.login("alice", "secret123").ok();
    std::fs::write(cli.path("m.txt"), b"mail me").expect("write");
    let v = cli.run(&["--json", "upload", "m.txt"]).json();
    let file = v[0]["file_id"].as_str().expect("id").to_string();

    let v = cli
        .run(&[
            "--json",
            "mail",
            &file,
            "--to",
            "bob@example.com",
            "--message",
            "see this",
        ])
        .json();
    assert_eq!(v["mailed"][0]["kind"], "file");
    let mail = s
        .wait_mail(|m| m.contains("bob@example.com") && m.contains(&file))
        .await;
    assert!(mail.contains("see this"));
    cli.run(&["mail", &file, "--to", "not-an-address"])
        .api_error(24);

    // upload --to: the recipients get the link with the message.
    std::fs::write(cli.path("n.txt"), b"for erin").expect("write");
    let v = cli
        .run(&[
            "--json",
            "upload",
            "n.txt",
            "--to",
            "erin@example.com",
            "--message",
            "hello erin",
        ])
        .json();
    let sent = v[0]["file_id"].as_str().expect("id").to_string();
    let mail = s
        .wait_mail(|m| m.contains("erin@example.com") && m.contains(&sent))
        .await;
    assert!(mail.contains("hello erin"));
    cli.run(&["upload", "n.txt", "--to", "erin@"]).api_error(24);

    // bob was collected into the address book.
    let v = cli.run(&["--json", "contacts", "list"]).json();
    assert_eq!(v[0]["email"], "bob@example.com");
    assert_eq!(v[0]["type"], 1);
    let v = cli
        .run(&[
            "--json",
            "contacts",
            "add",
            "carol@example.com",
            "--name",
            "Carol",
        ])
        .json();
    assert_eq!(v["email"], "carol@example.com");
    assert_eq!(v["name"], "Carol");
    assert_eq!(v["type"], 0);
    cli.run(&["contacts", "add", "carol@example.com"])
        .api_error(28);
    let r = cli.run(&["contacts", "list"]).ok();
    assert!(
        r.stdout.contains("carol@example.com\tCarol\t\tadded"),
        "{}",
        r.stdout
    );
    let v = cli
        .run(&["--json", "contacts", "rm", "carol@example.com"])
        .json();
    assert_eq!(v["ids"][0], "carol@example.com");
    cli.run(&["contacts", "rm", "nobody@example.com"])
        .api_error(29);
    let v = cli.run(&["--json", "contacts", "list"]).json();
    // bob and erin (collected by the upload's --to) are left.
    let left: Vec<&str> = v
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["email"].as_str())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.contains(&"bob@example.com") && left.contains(&"erin@example.com"));
}

/// A file over the anonymous size limit: the upload's own refusal (21),
/// not a network error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_over_the_size_limit_is_an_api_error() {
    let s = Server::start_with(
        Backend::Sqlite,
        &[("DROPSPACE_TIERS__ANONYMOUS__MAX_FILE_SIZE", "1000")],
    )
    .await;
    let cli = Cli::new(&s);
    std::fs::write(cli.path("big.bin"), pattern(200_000, 1)).expect("write");
    std::fs::write(cli.path("small.bin"), pattern(900, 1)).expect("write");
    cli.run(&["upload", "big.bin"]).api_error(21);
    let v = cli.run(&["--json", "upload", "small.bin"]).json();
    assert_eq!(v[0]["size"], 900);
}

/// The library on its own: upload with a progress callback, typed errors,
/// and the signed file_send API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn library_upload_and_file_send() {
    use dropspace_client::{Client, Error, ErrorCode, FileSend, FileSendClient, UploadOptions};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    let s = Server::start(Backend::Sqlite).await;
    s.create_user("alice", "secret123");
    let mut client = Client::new(&s.base).expect("client").api_key(&s.api_key);
    match client.login("alice", "nope").await {
        Err(Error::Api { code, .. }) => assert_eq!(code, ErrorCode::AuthenticationFailure),
        other => panic!("{other:?}"),
    }
    client.login("alice", "secret123").await.expect("login");

    let bytes = pattern(300_000, 3);
    let seen = Arc::new(AtomicU64::new(0));
    let counter = seen.clone();
    let info = client.upload_info(0).await.expect("upload info");
    let done = client
        .upload(
            &info,
            "lib.bin",
            Some(bytes.len() as u64),
            std::io::Cursor::new(bytes.clone()),
            &UploadOptions::default(),
            move |n| counter.store(n, Ordering::SeqCst),
        )
        .await
        .expect("upload");
    assert_eq!(seen.load(Ordering::SeqCst), bytes.len() as u64);
    let progress = client.progress(&info).await.expect("progress");
    assert_eq!(progress.status, "done");
    assert_eq!(progress.meter, 100);
    let dl = client
        .download_info(&done.file_id, None)
        .await
        .expect("info");
    assert_eq!(dl.file_size, bytes.len() as u64);
    let (_, _, body) = fetch(&s, &dl.url, &[]).await;
    assert_eq!(body, bytes);
    // The same identifier twice: refused, nothing stored.
    let again = client
        .upload(
            &info,
            "x",
            Some(1),
            &b"x"[..],
            &UploadOptions::default(),
            |_| {},
        )
        .await;
    assert!(matches!(again, Err(Error::Api { .. })), "{again:?}");

    let out = s.admin_ok(&["user", "api-credentials", "create", "--user-name", "alice"]);
    let last = out.lines().last().expect("line");
    let (key, secret) = last.split_once(' ').expect("key secret");
    let fs = FileSendClient::new(&s.base, key, secret).expect("file_send client");
    let me = fs.user_info().await.expect("user_info");
    assert_eq!(me.user_name, "alice");
    let sent = fs
        .file_send(&FileSend {
            file_id: vec![done.file_id.clone()],
            non_users: vec!["dan@example.com".into()],
            message: Some("from the library".into()),
            ..FileSend::default()
        })
        .await
        .expect("file_send");
    assert_eq!(sent[0].file_name, "lib.bin");
    s.wait_mail(|m| m.contains("dan@example.com") && m.contains("from the library"))
        .await;
    let wrong = FileSendClient::new(&s.base, key, "not the secret").expect("client");
    match wrong.user_info().await {
        Err(Error::FileSend { status, .. }) => assert_eq!(status, 401),
        other => panic!("{other:?}"),
    }
}

/// Uploads `bytes` through the library; the new file id.
async fn lib_upload(c: &dropspace_client::Client, name: &str, bytes: &'static [u8]) -> String {
    let info = c.upload_info(0).await.expect("upload info");
    c.upload(
        &info,
        name,
        Some(bytes.len() as u64),
        bytes,
        &dropspace_client::UploadOptions::default(),
        |_| {},
    )
    .await
    .expect("upload")
    .file_id
}

/// Every wrapped method against the server's real answers (a 1.2 session,
/// so list methods answer per id).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn library_methods_parse_the_servers_answers() {
    use dropspace_client::{Client, Error, ErrorCode, FileChanges, FolderChanges};
    fn code<T>(r: Result<T, Error>) -> Option<ErrorCode> {
        r.err().and_then(|e| e.code())
    }

    let s = Server::start(Backend::Sqlite).await;
    s.create_user("alice", "secret123");
    s.create_user("bob", "secret123");

    let anon = Client::new(&s.base).expect("client").api_key(&s.api_key);
    anon.register("carol", "Carol Smith", "carol@example.com", "pass1234")
        .await
        .expect("register");
    assert_eq!(
        code(
            anon.register("carol", "Carol Smith", "carol@example.com", "pass1234")
                .await
        ),
        Some(ErrorCode::RegistrationError)
    );
    let no_key = Client::new(&s.base).expect("client").api_key("WRONG");
    assert_eq!(
        code(no_key.create_token().await),
        Some(ErrorCode::UnknownApiKey)
    );

    let mut alice = Client::new(&s.base)
        .expect("client")
        .api_key(&s.api_key)
        .api_version("1.2");
    let login = alice.login("alice", "secret123").await.expect("login");
    assert_eq!(login.email, "alice@example.com");
    assert_eq!(login.membership_type, "lite");
    assert!(login.capable_upload && login.capable_download);
    assert!(login.diskspace_left > 0);
    assert_eq!(alice.check_session().await.expect("check").session, "ok");

    let a = lib_upload(&alice, "a.txt", b"aaa").await;
    let b = lib_upload(&alice, "b.txt", b"bbbb").await;
    let docs = alice
        .create_folder("docs", false, "0")
        .await
        .expect("mkdir");
    assert_eq!(docs.id.len(), 6);
    assert!(!docs.shared);
    assert!(alice
        .folders()
        .await
        .expect("getAll")
        .iter()
        .any(|f| f.id == docs.id && f.name == "docs"));

    let changed = alice
        .set_file_info(
            &[&a],
            &FileChanges {
                name: Some("renamed.txt".into()),
                description: Some("about a".into()),
                password: Some("pw".into()),
                folder_id: Some(docs.id.clone()),
                ..FileChanges::default()
            },
        )
        .await
        .expect("setInfo");
    let f = &changed.items[0];
    assert_eq!(
        (f.name.as_str(), f.description.as_str(), f.password.as_str()),
        ("renamed.txt", "about a", "pw")
    );
    assert_eq!(f.folder_id, docs.id);
    assert_eq!(f.file_size, 3);
    assert!(f.delete_url.is_some(), "1.2 answers delete_url");
    assert_eq!(
        code(alice.download_info(&a, None).await),
        Some(ErrorCode::BadPassword)
    );
    let dl = alice.download_info(&a, Some("pw")).await.expect("getInfo");
    assert_eq!((dl.name.as_str(), dl.file_size), ("renamed.txt", 3));

    // 1.2: each id on its own.
    let batch = alice.files_info(&[&a, "zzzzzz"]).await.expect("getInfo");
    assert_eq!(batch.items.len(), 1);
    assert_eq!(batch.errors[0].code, ErrorCode::FileNotFound);
    assert_eq!(batch.errors[0].ids, ["zzzzzz"]);

    alice.move_files(&[&b], &docs.id).await.expect("move");
    let contents = alice.folder_contents(&docs.id).await.expect("contents");
    assert_eq!(contents.files.len(), 2);
    let info = alice.folder_info(&docs.id).await.expect("folder info");
    assert_eq!((info.total_files, info.total_size), (2, 7));

    let shared = alice
        .set_folder_info(
            &docs.id,
            &FolderChanges {
                shared: Some(true),
                ..FolderChanges::default()
            },
        )
        .await
        .expect("share");
    assert!(shared.shared && shared.public_url.ends_with(&docs.id));
    let mut bob = Client::new(&s.base).expect("client").api_key(&s.api_key);
    bob.login("bob", "secret123").await.expect("bob");
    let seen = bob.shared_folder(&docs.id).await.expect("getShared");
    assert_eq!(seen.current.id, docs.id);
    assert_eq!(seen.files.len(), 2);

    let mailed = alice
        .mail_folders(&[&docs.id], &["dan@example.com"], Some("look"))
        .await
        .expect("folders.sendMail");
    assert_eq!(mailed.ids, [docs.id.as_str()]);
    let dan = alice
        .update_contact("dan@example.com", Some("Dan"), None)
        .await
        .expect("update");
    assert_eq!((dan.name.as_str(), dan.kind), ("Dan", 1));

    let sub = alice
        .create_folder("sub", false, &docs.id)
        .await
        .expect("sub");
    alice.move_folder(&sub.id, "0").await.expect("move folder");
    alice
        .move_folder(&sub.id, &docs.id)
        .await
        .expect("move back");
    assert_eq!(
        code(alice.move_folder(&docs.id, &sub.id).await),
        Some(ErrorCode::BadTargetFolder)
    );
    assert_eq!(
        code(alice.delete_folder(&docs.id).await),
        Some(ErrorCode::FolderNotEmpty)
    );
    let deleted = alice.delete_files(&[&a, "zzzzzz"]).await.expect("delete");
    assert_eq!(deleted.ids, [a.as_str()]);
    assert_eq!(deleted.errors[0].code, ErrorCode::FileNotFound);
    let gone = alice
        .delete_contacts(&["dan@example.com"])
        .await
        .expect("delete contact");
    assert_eq!(gone.ids, ["dan@example.com"]);

    let kept = alice.clone();
    alice.logout().await.expect("logout");
    assert!(alice.session_key().is_none());
    assert!(matches!(alice.check_session().await, Err(Error::NoSession)));
    assert_eq!(
        code(kept.check_session().await),
        Some(ErrorCode::SessionBad)
    );
}

// `client upload` goes through tus: a server killed (SIGKILL) mid-upload
// and started again is waited for and the upload continues by itself; a
// client killed mid-upload continues where it stopped when the same
// command runs again. One upload, one file, byte-exact; nothing pending.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resumable_upload_survives_server_and_client_kills() {
    if s3_mode() {
        return;
    }
    let idle = [("DROPSPACE_LIMITS__UPLOAD_IDLE_SECS", "1")];
    let mut s = Server::start_with(Backend::Sqlite, &idle).await;
    s.create_user("alice", "secret123");
    let session = s.login("alice", "secret123").await;
    let cli = Cli::new(&s);
    cli.login("alice", "secret123").ok();
    let bytes = pattern(24 << 20, 5);
    std::fs::write(cli.path("big.bin"), &bytes).expect("write");
    let args = ["--json", "upload", "big.bin", "--chunk-size", "16K"];

    let first = cli.spawn(&args);
    eventually("the first chunks acknowledged", async || {
        tus_offset(&s).await > 0
    })
    .await;
    // The server dies and comes back on the same address.
    let s = s.kill_and_restart().await;
    let before = tus_offset(&s).await;
    eventually("the client goes on after the restart", async || {
        tus_offset(&s).await > before
    })
    .await;
    // Now the client dies; the same command continues the same upload.
    let mut first = first;
    first.kill().expect("kill client");
    first.wait().expect("reap");
    let cut = tus_offset(&s).await;
    assert!(cut < bytes.len() as i64, "finished before the kill");
    let v = cli.run(&args).json();
    let id = v[0]["file_id"].as_str().expect("file_id");
    assert_eq!(served(&s, &session, id, None).await, bytes);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM tus_uploads").await, 1);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 1);
    let pending =
        std::fs::read_to_string(cli.config().with_file_name("uploads.json")).expect("uploads.json");
    let pending: Value = serde_json::from_str(&pending).expect("JSON");
    assert_eq!(pending["uploads"], serde_json::json!({}));
}

// `--parallel 4`: the file goes as four parts at once, joined by the
// server into one file; a client killed mid-way continues the same parts
// when the same command runs again (no part is created twice).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_parts_resume_and_join() {
    let s = Server::start(Backend::Sqlite).await;
    s.create_user("alice", "secret123");
    let session = s.login("alice", "secret123").await;
    let cli = Cli::new(&s);
    cli.login("alice", "secret123").ok();
    let bytes = pattern(24 << 20, 8);
    std::fs::write(cli.path("parts.bin"), &bytes).expect("write");
    let args = [
        "--json",
        "upload",
        "parts.bin",
        "--chunk-size",
        "16K",
        "--parallel",
        "4",
    ];
    let mut first = cli.spawn(&args);
    eventually("the parts under way", async || tus_offset(&s).await > 0).await;
    first.kill().expect("kill client");
    first.wait().expect("reap");
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM tus_uploads WHERE concat = 'partial'"
        )
        .await,
        4
    );
    let v = cli.run(&args).json();
    let id = v[0]["file_id"].as_str().expect("file_id");
    assert_eq!(served(&s, &session, id, None).await, bytes);
    // The four parts joined and gone: only the final upload is left.
    assert_eq!(count(&s, "SELECT COUNT(*) FROM tus_uploads").await, 1);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 1);
    let x = api(&s, &session, "files.getInfo", &[("file_id", id)]).await;
    assert_eq!(x.attr("file", "name").as_deref(), Some("parts.bin"));
}

/// The file id of an upload's text line (`name<TAB>id<TAB>page`).
fn id_of_line(stdout: &str) -> String {
    stdout
        .lines()
        .next()
        .and_then(|l| l.split('\t').nth(1))
        .unwrap_or_else(|| panic!("no upload line: {stdout}"))
        .to_string()
}

// `upload -` reads the file from standard input, its length unknown: over
// tus in chunks, the length declared by the last request
// (creation-defer-length); `--name` is required.
dual!(upload_from_standard_input, |b| async move {
    let s = Server::start(b).await;
    s.create_user("alice", "secret123");
    let session = s.login("alice", "secret123").await;
    let cli = Cli::new(&s);
    cli.login("alice", "secret123").ok();

    // Standard input has no name.
    let r = cli.run_input(&["upload", "-"], b"x");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--name NAME is required"), "{}", r.stderr);
    let r = cli.run_input(&["upload", "-", "-", "--name", "x"], b"x");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 0);

    // Several chunks, the last one short: it declares the length.
    let bytes = pattern((3 << 20) + 12_345, 9);
    let args = [
        "--json",
        "upload",
        "-",
        "--name",
        "x.bin",
        "--chunk-size",
        "1M",
    ];
    let v = cli.run_input(&args, &bytes).json();
    assert_eq!(v[0]["file"], "-");
    assert_eq!(v[0]["name"], "x.bin");
    assert_eq!(v[0]["size"], bytes.len());
    let id = v[0]["file_id"].as_str().expect("file_id").to_string();
    assert_eq!(served(&s, &session, &id, None).await, bytes);
    cli.run(&["download", &id, "-o", "back.bin"]).ok();
    assert_eq!(std::fs::read(cli.path("back.bin")).expect("read"), bytes);
    let x = api(&s, &session, "files.getInfo", &[("file_id", &id)]).await;
    assert_eq!(x.attr("file", "name").as_deref(), Some("x.bin"));

    // Ending on a chunk's boundary: a last request without bytes declares
    // the length.
    let even = pattern(2 << 20, 4);
    let v = cli.run_input(&args, &even).json();
    let id = v[0]["file_id"].as_str().expect("file_id");
    assert_eq!(served(&s, &session, id, None).await, even);

    // Shorter than a chunk (8M by default): known whole before it starts.
    let r = cli
        .run_input(
            &[
                "upload",
                "-",
                "--name",
                "note.txt",
                "--description",
                "piped",
            ],
            b"from a pipe",
        )
        .ok();
    assert!(r.stdout.starts_with("note.txt\t"), "{}", r.stdout);
    let id = id_of_line(&r.stdout);
    assert_eq!(served(&s, &session, &id, None).await, b"from a pipe");
    let x = api(&s, &session, "files.getInfo", &[("file_id", &id)]).await;
    assert_eq!(x.attr("file", "description").as_deref(), Some("piped"));
    // Each went through tus, one upload each.
    assert_eq!(count(&s, "SELECT COUNT(*) FROM tus_uploads").await, 3);

    // The form, sent chunked: --no-resume; and an empty input.
    let v = cli
        .run_input(
            &["--json", "upload", "-", "--name", "form.bin", "--no-resume"],
            &bytes[..100_000],
        )
        .json();
    let id = v[0]["file_id"].as_str().expect("file_id");
    assert_eq!(served(&s, &session, id, None).await, &bytes[..100_000]);
    let v = cli
        .run_input(&["--json", "upload", "-", "--name", "empty.bin"], b"")
        .json();
    assert_eq!(v[0]["size"], 0);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM tus_uploads").await, 3);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 5);

    // Anonymous, from a pipe, several chunks.
    let anon = Cli::new(&s);
    let v = anon
        .run_input(
            &[
                "--json",
                "upload",
                "-",
                "--name",
                "anon.bin",
                "--chunk-size",
                "1M",
            ],
            &bytes,
        )
        .json();
    assert!(v[0]["delete_url"]
        .as_str()
        .is_some_and(|u| u.contains("/delete/")));
    let id = v[0]["file_id"].as_str().expect("file_id");
    assert_eq!(served(&s, &session, id, None).await, bytes);
});

// `upload --expire --downloads --password` sets all of them in the same
// command: the password with the upload, the limits by `files.setInfo` at
// once; when that fails the command says so, naming the uploaded file.
dual!(upload_sets_limits_and_password, |b| async move {
    let s = Server::start(b).await;
    s.create_user("alice", "secret123");
    let session = s.login("alice", "secret123").await;
    let cli = Cli::new(&s);
    cli.login("alice", "secret123").ok();
    let bytes = pattern(50_000, 2);
    std::fs::write(cli.path("report.pdf"), &bytes).expect("write");

    let r = cli
        .run(&[
            "upload",
            "report.pdf",
            "--expire",
            "7d",
            "--downloads",
            "3",
            "--password",
            "SECRET",
            "--description",
            "for the board",
        ])
        .ok();
    let id = id_of_line(&r.stdout);
    assert!(
        r.stdout
            .contains("  limit: 3 downloads (0 done) or until 20"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(" UTC (7 days), then block downloads\n"),
        "{}",
        r.stdout
    );
    let x = api(&s, &session, "files.getInfo", &[("file_id", &id)]).await;
    x.assert_ok();
    assert_eq!(x.attr("file", "time_limit").as_deref(), Some("604800"));
    assert_eq!(x.attr("file", "download_limit").as_deref(), Some("3"));
    assert_eq!(x.attr("file", "password").as_deref(), Some("SECRET"));
    assert_eq!(
        x.attr("file", "description").as_deref(),
        Some("for the board")
    );
    // Without the password the download is refused (with a session and
    // without); with it, it is the file.
    cli.run(&["download", &id, "-o", "nope.pdf"]).api_error(22);
    let anon = Cli::new(&s);
    anon.run(&["download", &id, "-o", "nope.pdf"]).api_error(22);
    assert!(!cli.path("nope.pdf").exists() && !anon.path("nope.pdf").exists());
    cli.run(&["download", &id, "--password", "SECRET", "-o", "got.pdf"])
        .ok();
    assert_eq!(std::fs::read(cli.path("got.pdf")).expect("read"), bytes);

    // --json: the same object, the limits beside it.
    let v = cli
        .run(&[
            "--json",
            "upload",
            "report.pdf",
            "--expire",
            "30m",
            "--downloads",
            "1",
            "--action",
            "delete",
        ])
        .json();
    for key in [
        "file",
        "name",
        "size",
        "file_id",
        "download_url",
        "delete_url",
    ] {
        assert!(v[0].get(key).is_some(), "{key} in {v}");
    }
    assert_eq!(v[0]["size"], 50_000);
    assert_eq!(v[0]["limits"]["time_limit"], 1800);
    assert_eq!(v[0]["limits"]["download_limit"], 1);
    assert_eq!(v[0]["limits"]["limit_action"], 2);
    assert!(v[0]["limits"]["expires"].as_i64().is_some(), "{v}");
    let id = v[0]["file_id"].as_str().expect("file_id");
    let x = api(&s, &session, "files.getInfo", &[("file_id", id)]).await;
    assert_eq!(x.attr("file", "time_limit").as_deref(), Some("1800"));
    assert_eq!(x.attr("file", "limit_action").as_deref(), Some("2"));

    // The limits cannot be set (no such folder): the upload happened, the
    // command says so and which file it is, and fails.
    let r = cli.run(&[
        "upload",
        "report.pdf",
        "--downloads",
        "2",
        "--action",
        "move:zzzzzz",
    ]);
    r.api_error(10);
    let id = r
        .stderr
        .split("was uploaded as file ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap_or_else(|| panic!("no file id named: {}", r.stderr))
        .to_string();
    assert!(
        r.stderr.contains("setting its limits failed"),
        "{}",
        r.stderr
    );
    let x = api(&s, &session, "files.getInfo", &[("file_id", &id)]).await;
    assert_eq!(x.attr("file", "download_limit").as_deref(), Some("0"));

    // Limits are an account's: anonymous, refused before anything is sent.
    let before = count(&s, "SELECT COUNT(*) FROM files").await;
    let r = anon.run(&["upload", "report.pdf", "--expire", "1h"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("need a login"), "{}", r.stderr);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, before);
    assert_eq!(cli.run(&["upload", "report.pdf", "--expire", "7y"]).code, 2);
});

// `login` without a terminal (standard input /dev/null, no password
// given) says how to give the password instead of failing on /dev/tty.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_without_a_terminal_says_what_to_do() {
    let s = Server::start(Backend::Sqlite).await;
    s.create_user("alice", "secret123");
    let cli = Cli::new(&s);
    let env = [
        ("DROPSPACE_SERVER", s.base.as_str()),
        ("DROPSPACE_API_KEY", s.api_key.as_str()),
    ];
    let r = cli.run_env(&["login", "--user", "alice"], Input::Null, &env);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "no terminal to ask for the password: pass --password or set DROPSPACE_PASSWORD \
             (or pipe it with --password-stdin)"
        ),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("os error"), "{}", r.stderr);
    let r = cli.run_env(&["login"], Input::Null, &env);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("no terminal to ask for the user name: pass --user"),
        "{}",
        r.stderr
    );
    assert!(!cli.config().exists());

    // The variable, or the option.
    let with_var = [env[0], env[1], ("DROPSPACE_PASSWORD", "wrong")];
    cli.run_env(&["login", "-u", "alice"], Input::Null, &with_var)
        .api_error(8);
    let with_var = [env[0], env[1], ("DROPSPACE_PASSWORD", "secret123")];
    cli.run_env(&["login", "-u", "alice"], Input::Null, &with_var)
        .ok();
    assert_eq!(cli.saved()["user_name"], "alice");
    let r = cli
        .run_env(
            &["login", "-u", "alice", "--password", "secret123"],
            Input::Null,
            &env,
        )
        .ok();
    assert!(r.stdout.contains("logged in as alice"), "{}", r.stdout);
}

// A saved session belongs to one server: against another (--server or
// DROPSPACE_SERVER) the commands say so and how to log in there, instead
// of "Not logged in"; the saved session stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_for_another_server_says_so() {
    let a = Server::start(Backend::Sqlite).await;
    let b = Server::start(Backend::Sqlite).await;
    a.create_user("alice", "secret123");
    let cli = Cli::new(&a);
    cli.login("alice", "secret123").ok();
    let key = cli.saved()["session_key"].clone();
    std::fs::write(cli.path("f.txt"), b"for b").expect("write");
    let want = format!(
        "the saved session is for {0}; log in to {1} with `dropspace client login --server {1}`",
        a.base, b.base
    );
    let on_b = [("DROPSPACE_SERVER", b.base.as_str())];
    let nothing = || Input::Bytes(Vec::new());
    for args in [
        &["ls"][..],
        &["whoami"],
        &["info", "abcdef"],
        &["limit", "abcdef", "--downloads", "1"],
        // An upload does not become an anonymous one without a word.
        &["upload", "f.txt"],
    ] {
        let r = cli.run_env(args, nothing(), &on_b);
        r.api_error(3);
        assert!(r.stderr.contains(&want), "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("Not logged in:"), "{}", r.stderr);
    }
    let r = cli.run_env(&["--server", &b.base, "whoami"], nothing(), &[]);
    r.api_error(3);
    assert!(r.stderr.contains(&want), "{}", r.stderr);
    let r = cli
        .run_env(&["--server", &b.base, "logout"], nothing(), &[])
        .ok();
    assert!(
        r.stdout.contains("the saved session is for"),
        "{}",
        r.stdout
    );
    // Kept, and still good on its own server.
    assert_eq!(cli.saved()["session_key"], key);
    cli.run_with(&["whoami"], None, false).ok();
}

// `download --zip`: a shared folder by id or page URL as one zip named
// after it, the same bytes as the server's archive; an unfinished `.part`
// of the same archive (same ETag) continues, one of an archive that has
// changed since starts over; a private folder is the API's 10.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_folder_downloads_as_one_zip() {
    let s = Server::start(Backend::Sqlite).await;
    s.create_user("alice", "secret123");
    let session = s.login("alice", "secret123").await;
    let cli = Cli::new(&s);
    cli.login("alice", "secret123").ok();
    let folder = mkdir(&s, &session, "Trip photos", "0", "1").await;
    let private = mkdir(&s, &session, "Private", "0", "0").await;
    std::fs::write(cli.path("a.bin"), pattern(300_000, 3)).expect("write");
    std::fs::write(cli.path("b.txt"), b"notes").expect("write");
    cli.run(&["upload", "a.bin", "b.txt", "--folder", &folder])
        .ok();
    let zip_url = format!("{}/folder/{folder}/zip", s.base);
    let whole = s.http.get(&zip_url).send().await.expect("zip");
    let etag = header(whole.headers(), "etag");
    let whole = whole.bytes().await.expect("bytes").to_vec();

    let v = cli.run(&["--json", "download", &folder, "--zip"]).json();
    assert!(
        v["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("Trip photos.zip")),
        "{v}"
    );
    assert!(std::fs::read(cli.path("Trip photos.zip")).expect("zip") == whole);

    // The client's own `.part` of this archive, cut at 1,000 bytes.
    let page = format!("{}/folder/{folder}", s.base);
    let part = cli.path("trip.zip.part");
    std::fs::write(&part, &whole[..1000]).expect("partial");
    let key = std::fs::canonicalize(cli.path("."))
        .expect("canonical")
        .join("trip.zip.part");
    let record = |etag: &str| {
        serde_json::json!({
            "downloads": {
                key.display().to_string(): {"source": format!("{zip_url} {etag}"), "size": whole.len()}
            }
        })
        .to_string()
    };
    let state = cli.config().with_file_name("downloads.json");
    std::fs::write(&state, record(&etag)).expect("state");
    let v = cli
        .run(&["--json", "download", &page, "--zip", "-o", "trip.zip"])
        .json();
    assert_eq!(v["resumed_from"], 1000, "{v}");
    assert!(std::fs::read(cli.path("trip.zip")).expect("zip") == whole);
    // Recorded for an older version of the folder: started over.
    std::fs::write(&part, &whole[..1000]).expect("partial");
    std::fs::write(&state, record("\"z-older\"")).expect("state");
    let v = cli
        .run(&[
            "--json", "download", &page, "--zip", "-o", "trip.zip", "--force",
        ])
        .json();
    assert_eq!(v["resumed_from"], 0, "{v}");
    assert!(std::fs::read(cli.path("trip.zip")).expect("zip") == whole);

    cli.run(&["download", &private, "--zip"]).api_error(10);
}
