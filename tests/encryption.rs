//! End-to-end encryption through `dropspace client` (docs/encryption.md):
//! files encrypted before they leave — to a new key the link carries after
//! `#key=`, to a passphrase, to age public keys — stored as ciphertext and
//! marked encrypted (no preview), decrypted on download (whole, and a range
//! from the middle reading only its chunks); interoperable with the stock
//! `age` tool both ways; no key or passphrase in any request, log line or
//! database row. On SQLite and PostgreSQL.

mod common;
use common::client::*;
use common::transfer::*;
use common::*;

use std::process::Command;

/// The `age` and `age-keygen` tools (Debian's `age`); in CI their absence
/// fails the test (`.ci/run` installs them).
fn age_tools() -> bool {
    let found = Command::new("age").arg("--version").output().is_ok();
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "age is missing: .ci/run installs it"
        );
        eprintln!("skipping the interoperability half: apt-get install age");
    }
    found
}

/// Everything the server keeps as text: its database and its log.
fn server_side_text(s: &Server) -> String {
    format!("{}\n{}", s.db_dump(), s.log())
}

dual!(
    encrypted_uploads_round_trip_and_leave_no_key_behind,
    |b| async move {
        let s = Server::start(b).await;
        let cli = Cli::new(&s);
        let plain = pattern(300_000, 7);
        std::fs::write(cli.path("report.pdf"), &plain).expect("write");

        // A new key, carried by the link.
        let up = cli
            .run(&["--json", "upload", "--encrypt", "report.pdf"])
            .json();
        let link = up[0]["download_url"].as_str().expect("link").to_string();
        let file_id = up[0]["file_id"].as_str().expect("id").to_string();
        assert_eq!(up[0]["name"], "report.pdf.age");
        assert_eq!(up[0]["encrypted"], true);
        let (page, key) = link.split_once("#key=").expect("the key in the fragment");
        assert!(key.starts_with("AGE-SECRET-KEY-1"), "{link}");
        assert_eq!(
            s.db_text(&format!(
                "SELECT content_type FROM files WHERE id = '{file_id}'"
            ))
            .await,
            "application/age"
        );
        let stored = std::fs::read(s.data_dir.join("blobs").join(blob_key(&s, &file_id).await))
            .expect("blob");
        assert!(stored.starts_with(b"age-encryption.org/v1\n"));
        assert!(
            !stored.windows(64).any(|w| w == &plain[1000..1064]),
            "plaintext stored"
        );
        // The page says so and previews nothing.
        let html = reqwest::get(page).await.unwrap().text().await.unwrap();
        assert!(html.contains("id=\"encrypted\""), "{html}");
        assert!(!html.contains("/preview/"), "{html}");

        // Downloaded with the link: decrypted, named without `.age`.
        let down = cli.run(&["--json", "download", &link]).json();
        assert_eq!(down["decrypted"], true);
        assert_eq!(std::fs::read(cli.path("report.pdf")).expect("plain"), plain);
        assert!(
            !cli.path("report.pdf.age").exists(),
            "the ciphertext is gone"
        );
        // Only the middle: the chunks it falls in.
        let out = cli.path("middle.bin");
        let out_arg = out.display().to_string();
        cli.run(&[
            "download",
            &link,
            "--range",
            "100000-169999",
            "-o",
            &out_arg,
        ])
        .ok();
        assert_eq!(std::fs::read(&out).expect("range"), plain[100_000..170_000]);
        // Sent in one form POST (`--no-resume`): the copy is sent once whole.
        let formed = cli
            .run(&["--json", "upload", "--encrypt", "--no-resume", "report.pdf"])
            .json();
        let formed_link = formed[0]["download_url"].as_str().expect("link");
        let formed_dir = cli.path("formed");
        std::fs::create_dir(&formed_dir).expect("mkdir");
        cli.run(&[
            "download",
            formed_link,
            "-o",
            &formed_dir.display().to_string(),
        ])
        .ok();
        assert_eq!(
            std::fs::read(formed_dir.join("report.pdf")).expect("plain"),
            plain
        );
        // Without the key: the ciphertext, as it came.
        let bare = cli.path("bare");
        std::fs::create_dir(&bare).expect("mkdir");
        cli.run(&["download", page, "-o", &bare.display().to_string()])
            .ok();
        assert_eq!(
            std::fs::read(bare.join("report.pdf.age")).expect("cipher"),
            stored
        );
        // A wrong key: refused before anything is written.
        let (_, other) = dropspace_client::encryption::To::new_key();
        let wrong = dropspace_client::encryption::link_with_key(page, &other);
        let wrong_dir = cli.path("wrong");
        std::fs::create_dir(&wrong_dir).expect("mkdir");
        let run = cli.run(&["download", &wrong, "-o", &wrong_dir.display().to_string()]);
        assert_eq!(run.code, 4, "{}", run.stderr);
        assert!(run.stderr.contains("cannot decrypt"), "{}", run.stderr);
        assert_eq!(
            std::fs::read_dir(&wrong_dir).expect("ls").count(),
            0,
            "nothing written"
        );

        // A passphrase.
        let with_pass = |args: &[&str]| {
            cli.run_env(
                args,
                Input::Null,
                &[
                    ("DROPSPACE_SERVER", &cli.server),
                    ("DROPSPACE_API_KEY", &cli.api_key),
                    ("DROPSPACE_PASSPHRASE", "correct horse battery"),
                ],
            )
        };
        std::fs::write(cli.path("notes.txt"), &plain[..5000]).expect("write");
        let up = with_pass(&["--json", "upload", "--passphrase", "notes.txt"]).json();
        let link = up[0]["download_url"].as_str().expect("link").to_string();
        assert!(!link.contains('#'), "{link}");
        let into = cli.path("pass");
        std::fs::create_dir(&into).expect("mkdir");
        with_pass(&[
            "download",
            &link,
            "--passphrase",
            "-o",
            &into.display().to_string(),
        ])
        .ok();
        assert_eq!(
            std::fs::read(into.join("notes.txt")).expect("plain"),
            plain[..5000]
        );

        // Nothing secret reached the server.
        let text = server_side_text(&s);
        assert!(!text.contains(key), "the link's key on the server");
        assert!(
            !text.contains("correct horse"),
            "the passphrase on the server"
        );
        assert!(!text.contains("AGE-SECRET-KEY"), "a key on the server");
    }
);

dual!(
    the_stock_age_tool_reads_and_writes_what_dropspace_serves,
    |b| async move {
        if !age_tools() {
            return;
        }
        let s = Server::start(b).await;
        let cli = Cli::new(&s);
        let keygen = Command::new("age-keygen")
            .arg("-o")
            .arg(cli.path("key.txt"))
            .output()
            .expect("age-keygen");
        assert!(keygen.status.success());
        let public = String::from_utf8_lossy(&keygen.stderr)
            .split_whitespace()
            .last()
            .expect("public key")
            .to_string();
        assert!(public.starts_with("age1"), "{public}");
        let plain = pattern(200_000, 9);
        std::fs::write(cli.path("photo.jpg"), &plain).expect("write");

        // dropspace encrypts to the public key; `age -d` decrypts.
        let up = cli
            .run(&["--json", "upload", "--to-recipient", &public, "photo.jpg"])
            .json();
        let link = up[0]["download_url"].as_str().expect("link").to_string();
        assert!(!link.contains('#'), "{link}");
        let got = cli.path("got");
        std::fs::create_dir(&got).expect("mkdir");
        cli.run(&["download", &link, "-o", &got.display().to_string()])
            .ok();
        let out = Command::new("age")
            .args(["-d", "-i"])
            .arg(cli.path("key.txt"))
            .arg(got.join("photo.jpg.age"))
            .output()
            .expect("age -d");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, plain);

        // `age -r` encrypts; uploaded as any file, the server tells it is
        // encrypted, and dropspace decrypts it with the identity file.
        let sealed = cli.path("made-by-age.bin.age");
        let made = Command::new("age")
            .args(["-r", &public, "-o"])
            .arg(&sealed)
            .arg(cli.path("photo.jpg"))
            .output()
            .expect("age -r");
        assert!(made.status.success());
        let up = cli
            .run(&["--json", "upload", &sealed.display().to_string()])
            .json();
        let id = up[0]["file_id"].as_str().expect("id").to_string();
        assert_eq!(
            s.db_text(&format!("SELECT content_type FROM files WHERE id = '{id}'"))
                .await,
            "application/age"
        );
        let link = up[0]["download_url"].as_str().expect("link").to_string();
        let back = cli.path("back");
        std::fs::create_dir(&back).expect("mkdir");
        let key = cli.path("key.txt").display().to_string();
        cli.run(&[
            "download",
            &link,
            "-i",
            &key,
            "-o",
            &back.display().to_string(),
        ])
        .ok();
        assert_eq!(
            std::fs::read(back.join("made-by-age.bin")).expect("plain"),
            plain
        );
    }
);

/// `upload --encrypt big.bin` in 64 KiB requests, killed once the server
/// has acknowledged some of it and its encrypted copy is whole (the server
/// paused meanwhile, so that the upload cannot finish first): the
/// arguments, to run it again.
async fn encrypted_upload_killed(s: &Server, cli: &Cli) -> [&'static str; 6] {
    let args = [
        "--json",
        "upload",
        "--encrypt",
        "big.bin",
        "--chunk-size",
        "64K",
    ];
    let mut first = cli.spawn(&args);
    eventually("the first chunks acknowledged", async || {
        tus_offset(s).await > 0
    })
    .await;
    let signal = |sig: &str| {
        let sent = Command::new("kill")
            .args([sig, &s.pid().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success(), "kill {sig}");
    };
    signal("-STOP");
    let sealed = cli.config().with_file_name("sealed");
    eventually("the encrypted copy whole", async || {
        std::fs::read_dir(&sealed).is_ok_and(|d| {
            d.flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "whole"))
        })
    })
    .await;
    first.kill().expect("kill client");
    first.wait().expect("reap");
    signal("-CONT");
    args
}

// A client killed mid-way through an encrypted upload continues the same
// upload of the same ciphertext when the command runs again (its
// encrypted copy and new key were kept for it); then both are gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_encrypted_upload_resumes_after_the_client_dies() {
    let s = Server::start(Backend::Sqlite).await;
    let cli = Cli::new(&s);
    let plain = pattern(16 << 20, 3);
    std::fs::write(cli.path("big.bin"), &plain).expect("write");
    let args = encrypted_upload_killed(&s, &cli).await;
    let cut = tus_offset(&s).await;
    let total = s.db_i64("SELECT upload_length FROM tus_uploads").await;
    assert!(cut < total, "finished before the kill");

    let v = cli.run(&args).json();
    assert_eq!(
        s.db_i64("SELECT COUNT(*) FROM tus_uploads").await,
        1,
        "one upload, continued"
    );
    let link = v[0]["download_url"].as_str().expect("link");
    assert!(link.contains("#key=AGE-SECRET-KEY-1"), "{link}");
    let into = cli.path("into");
    std::fs::create_dir(&into).expect("mkdir");
    cli.run(&["download", link, "-o", &into.display().to_string()])
        .ok();
    assert_eq!(std::fs::read(into.join("big.bin")).expect("plain"), plain);
    let sealed = cli.config().with_file_name("sealed");
    assert_eq!(
        std::fs::read_dir(&sealed).expect("sealed dir").count(),
        0,
        "the encrypted copy and its key are removed"
    );
}

/// A new age identity in `path` (as `age-keygen` writes it); its public key.
fn identity_file(path: &std::path::Path) -> String {
    use dropspace_client::encryption::{identity_text, To};
    let (to, key) = To::new_key();
    let To::Recipients(public) = to else {
        unreachable!("a new key is a recipient")
    };
    std::fs::write(path, format!("# test\n{}\n", identity_text(&key))).expect("identity file");
    public[0].to_string()
}

dual!(
    accounts_publish_keys_and_each_recipient_decrypts_with_their_own,
    |b| async move {
        let s = Server::start_with(b, &[("DROPSPACE_LIMITS__MAX_AGE_KEYS", "2")]).await;
        let people: Vec<Cli> = ["alice", "bob", "carol"]
            .iter()
            .map(|name| {
                s.create_user(name, "secret123");
                let cli = Cli::new(&s);
                cli.login(name, "secret123").ok();
                cli
            })
            .collect();
        let (alice, bob, carol) = (&people[0], &people[1], &people[2]);
        let bob_key = identity_file(&bob.path("key.txt"));
        let carol_key = identity_file(&carol.path("key.txt"));
        let added = bob
            .run(&["--json", "keys", "add", &bob_key, "--label", "laptop"])
            .json();
        assert_eq!(added["public_key"], bob_key.as_str());
        carol.run(&["keys", "add", &carol_key]).ok();
        let spare = identity_file(&carol.path("spare.txt"));
        carol.run(&["keys", "add", &spare]).ok();
        // At most two each here: the third is refused.
        let third = identity_file(&carol.path("third.txt"));
        carol.run(&["keys", "add", &third]).api_error(11);
        bob.run(&["keys", "add", "age1notakey"]).api_error(21);
        bob.run(&["keys", "add", &bob_key]).api_error(21);
        let listed = carol.run(&["--json", "keys", "list"]).json();
        assert_eq!(listed.as_array().map(Vec::len), Some(2));

        // alice encrypts to bob and carol (by address): three keys at once.
        let plain = pattern(150_000, 4);
        std::fs::write(alice.path("plan.odt"), &plain).expect("write");
        let up = alice
            .run(&[
                "--json",
                "upload",
                "--to-user",
                "bob,carol@example.com",
                "plan.odt",
            ])
            .json();
        let link = up[0]["download_url"].as_str().expect("link").to_string();
        assert!(!link.contains('#'), "no link secret: {link}");
        for (who, key) in [(bob, "key.txt"), (carol, "key.txt"), (carol, "spare.txt")] {
            let into = who.path(&format!("from-alice-{key}"));
            std::fs::create_dir(&into).expect("mkdir");
            let identity = who.path(key).display().to_string();
            who.run(&[
                "download",
                &link,
                "-i",
                &identity,
                "-o",
                &into.display().to_string(),
            ])
            .ok();
            assert_eq!(std::fs::read(into.join("plan.odt")).expect("plain"), plain);
        }
        // alice's own key (none published) opens nothing.
        identity_file(&alice.path("mine.txt"));
        let into = alice.path("mine");
        std::fs::create_dir(&into).expect("mkdir");
        let mine = alice.path("mine.txt").display().to_string();
        let run = alice.run(&[
            "download",
            &link,
            "-i",
            &mine,
            "-o",
            &into.display().to_string(),
        ]);
        assert_eq!(run.code, 4, "{}", run.stderr);

        // Someone without keys (or without an account): said plainly, nothing sent.
        let before = s.db_i64("SELECT COUNT(*) FROM files").await;
        let run = alice.run(&["upload", "--to-user", "bob,nobody", "plan.odt"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("nobody publishes no age key"),
            "{}",
            run.stderr
        );
        assert_eq!(s.db_i64("SELECT COUNT(*) FROM files").await, before);

        // Removed, a key is no longer looked up.
        let id = added["id"].as_i64().expect("id").to_string();
        bob.run(&["keys", "remove", &id]).ok();
        let run = alice.run(&["upload", "--to-user", "bob", "plan.odt"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        let audit = s.admin_ok(&["audit", "--event", "age_key."]);
        assert!(
            audit.contains("age_key.added") && audit.contains("age_key.removed"),
            "{audit}"
        );
    }
);

dual!(keys_are_published_on_the_account_page, |b| async move {
    let s = Server::start(b).await;
    s.create_user("dana", "secret123");
    let mut web = common::web::Visitor::new(&s);
    web.login("dana", "secret123").await;
    let csrf = web.csrf("/account").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let public = identity_file(&dir.path().join("key.txt"));
    let added = web
        .post(
            "/account/keys",
            &[("csrf", &csrf), ("public_key", &public), ("label", "phone")],
        )
        .await;
    assert_eq!(added.status(), 303);
    let page = web.get("/account").await.text().await.unwrap();
    assert!(page.contains(&public) && page.contains("phone"), "{page}");
    let bad = web
        .post(
            "/account/keys",
            &[("csrf", &csrf), ("public_key", "ssh-ed25519 AAAA")],
        )
        .await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("not an age public key"));
    // No CSRF token, no key.
    let forged = web
        .post("/account/keys", &[("public_key", &public), ("label", "x")])
        .await;
    assert_eq!(forged.status(), 403);
    let id = s.db_i64("SELECT id FROM age_keys").await.to_string();
    let removed = web
        .post("/account/keys/remove", &[("csrf", &csrf), ("id", &id)])
        .await;
    assert_eq!(removed.status(), 303);
    assert_eq!(s.db_i64("SELECT COUNT(*) FROM age_keys").await, 0);
});

// The encrypted copy is never synced (a cache of the sender's): a copy a
// killed run finished but that no longer matches its mark (a machine that
// crashed kept less of it) is made again and sent as a new upload, never
// continued with bytes that would not decrypt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_encrypted_copy_is_made_again() {
    let s = Server::start(Backend::Sqlite).await;
    let cli = Cli::new(&s);
    let plain = pattern(16 << 20, 6);
    std::fs::write(cli.path("big.bin"), &plain).expect("write");
    let args = encrypted_upload_killed(&s, &cli).await;
    let sealed = cli.config().with_file_name("sealed");
    let copy = std::fs::read_dir(&sealed)
        .expect("sealed dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "age"))
        .expect("the encrypted copy");
    let mut bytes = std::fs::read(&copy).expect("copy");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&copy, bytes).expect("damage");

    let v = cli.run(&args).json();
    assert_eq!(
        s.db_i64("SELECT COUNT(*) FROM tus_uploads").await,
        2,
        "a new upload, not the old one continued"
    );
    let link = v[0]["download_url"].as_str().expect("link");
    let into = cli.path("into");
    std::fs::create_dir(&into).expect("mkdir");
    cli.run(&["download", link, "-o", &into.display().to_string()])
        .ok();
    assert_eq!(std::fs::read(into.join("big.bin")).expect("plain"), plain);
}
