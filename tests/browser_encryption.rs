//! End-to-end encryption in the browser (docs/encryption.md, "In the
//! browser"), in headless chromium on SQLite and PostgreSQL: a 2 GiB file
//! encrypted by the upload page to two accounts' keys while it streams into
//! the resumable upload, across a server kill; opened by one recipient with
//! the stock `age` tool and by the other in the browser, whose service
//! worker decrypts it straight to disk across another kill; a ranged
//! download of its middle continued across a third; byte-exact each time,
//! the page's memory bounded. Also: `file_send` to two accounts with keys,
//! a wrong key, keys in links, passphrases, previews, a file the `age` tool
//! made, an encrypted file request — and no key or passphrase anywhere the
//! server keeps anything (database, log, mails).

mod common;
use common::browser::*;
use common::client::*;
use common::*;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use fantoccini::{Client, Locator};

/// The large file's size: 2 GiB (what the issue asks of CI), or
/// `DROPSPACE_TEST_E2E_MIB` for a quicker run.
fn big_size() -> u64 {
    std::env::var("DROPSPACE_TEST_E2E_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2048u64)
        << 20
}

/// Writes `size` bytes no two 4 KiB pages of which are alike; their BLAKE3.
fn write_big(path: &Path, size: u64, seed: u8) -> String {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let mut hasher = blake3::Hasher::new();
    let mut block = pattern(4 << 20, seed);
    let mut written = 0u64;
    let mut page_no = 0u64;
    while written < size {
        for page in block.chunks_mut(4096) {
            page[..8].copy_from_slice(&page_no.to_le_bytes());
            page_no += 1;
        }
        let n = (size - written).min(block.len() as u64) as usize;
        out.write_all(&block[..n]).expect("write");
        hasher.update(&block[..n]);
        written += n as u64;
    }
    out.flush().expect("flush");
    hasher.finalize().to_hex().to_string()
}

fn blake3_of(path: &Path) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher
        .update_reader(std::fs::File::open(path).expect("open"))
        .expect("read");
    hasher.finalize().to_hex().to_string()
}

/// `age -d -i identity_file input`: the plaintext's BLAKE3.
fn age_decrypt(identity: &Path, input: &Path) -> String {
    let out = input.with_extension("plain");
    let status = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(identity)
        .arg("-o")
        .arg(&out)
        .arg(input)
        .status()
        .expect("age");
    assert!(
        status.success(),
        "age could not decrypt {}",
        input.display()
    );
    let sum = blake3_of(&out);
    std::fs::remove_file(&out).expect("remove");
    sum
}

/// A new identity from `age-keygen`, in `path`; its public key.
fn age_keygen(path: &Path) -> String {
    let out = Command::new("age-keygen")
        .arg("-o")
        .arg(path)
        .output()
        .expect("age-keygen");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stderr);
    text.trim()
        .strip_prefix("Public key: ")
        .unwrap_or_else(|| panic!("age-keygen said {text}"))
        .to_string()
}

fn identity_of(path: &Path) -> String {
    std::fs::read_to_string(path)
        .expect("identity")
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .expect("an identity line")
        .to_string()
}

/// A browser session, when chromium and the stock `age` tools are there
/// (None: skip; in CI their absence fails, `.ci/run` installs them).
async fn browser_and_age() -> Option<(Driver, Client)> {
    if Command::new("age").arg("--version").output().is_err() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "age is missing: .ci/run installs it"
        );
        eprintln!("SKIPPED: apt-get install age");
        return None;
    }
    browser().await
}

/// What the page's JavaScript holds now: its heap after a full garbage
/// collection (Chromium's `performance.memory`; `gc` is exposed by the
/// browser's flags).
async fn heap(c: &Client) -> u64 {
    c.execute("gc(); return performance.memory.usedJSHeapSize;", vec![])
        .await
        .expect("heap size")
        .as_u64()
        .expect("a number")
}

/// Saves downloads into `dir` without asking.
async fn downloads_into(c: &Client, dir: &Path) {
    cdp(
        c,
        "Browser.setDownloadBehavior",
        serde_json::json!({ "behavior": "allow", "downloadPath": dir.display().to_string() }),
    )
    .await;
}

/// The bytes of the download under way in `dir` so far (Chromium writes
/// `*.crdownload` until it is whole).
fn partial_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".crdownload"))
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Waits (up to `secs`) until `dir/name` is whole: `size` bytes and no
/// partial download left.
async fn saved(dir: &Path, name: &str, size: u64, secs: u64) -> PathBuf {
    let path = dir.join(name);
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if len == size && partial_bytes(dir) == 0 {
            return path;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{name} never saved: {len} of {size} bytes"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the decrypt card's status says `state` (done, error, shown).
async fn decrypt_state(c: &Client, state: &str, secs: u64) {
    c.wait()
        .at_most(Duration::from_secs(secs))
        .for_element(Locator::Css(&format!(
            "#decrypt-status[data-state=\"{state}\"]"
        )))
        .await
        .unwrap_or_else(|e| panic!("decrypt status never {state}: {e}"));
}

/// Checks the upload page's encryption choice and how.
async fn choose_encryption(c: &Client, how: &str) {
    press(c, "#encrypt").await;
    press(c, &format!("#encrypt-{how}")).await;
}

/// Accounts alice, bob and carol (password `secret123`); bob and carol
/// publish keys the stock `age-keygen` made, their identities in
/// `dir/bob.txt` and `dir/carol.txt`.
fn alice_bob_and_carol(s: &Server, dir: &Path) {
    for name in ["alice", "bob", "carol"] {
        s.create_user(name, "secret123");
    }
    for name in ["bob", "carol"] {
        let cli = Cli::new(s);
        cli.login(name, "secret123").ok();
        let key = age_keygen(&dir.join(format!("{name}.txt")));
        cli.run(&["keys", "add", &key]).ok();
    }
}

async fn log_in(c: &Client, s: &Server, user: &str, password: &str) {
    c.goto(&s.url("/login")).await.expect("login page");
    fill(c, "#user_name", user).await;
    fill(c, "#password", password).await;
    press(c, "#login-submit").await;
    appears(c, "#whoami").await;
}

dual!(
    a_large_file_encrypted_in_the_browser_reaches_two_accounts_across_restarts,
    |b| async move {
        let Some((_driver, c)) = browser_and_age().await else {
            return;
        };
        let _one = common::proxy::ONE_AT_A_TIME.lock().await;
        let env = [
            ("DROPSPACE_TUS__CHUNK_BYTES", "4194304"),
            ("DROPSPACE_TIERS__LITE__MAX_FILE_SIZE", "-1"),
            ("DROPSPACE_TIERS__LITE__DISKSPACE", "-1"),
        ];
        let mut first = Server::start_with(b, &env).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let size = big_size();
        let path = dir.path().join("film.mkv");
        let want = write_big(&path, size, 9);
        alice_bob_and_carol(&first, dir.path());

        // alice encrypts to both accounts' keys while the file streams into
        // the upload; the server killed once the first chunks are in, the
        // same ciphertext continued.
        log_in(&c, &first, "alice", "secret123").await;
        c.goto(&first.url("/")).await.expect("upload page");
        choose_encryption(&c, "users").await;
        fill(&c, "#encrypt-to", "bob, carol").await;
        screenshot(&c, "encrypt-choice.png").await;
        start_upload(&c, &[&path]).await;
        eventually("the first chunks acknowledged", async || {
            tus_offset(&first).await > 0
        })
        .await;
        let s = first.kill_and_restart().await;
        let mut peak = 0;
        loop {
            peak = peak.max(heap(&c).await);
            let done = c
                .find(Locator::Css("#result-0.done, #result-0.failed"))
                .await
                .is_ok();
            if done {
                finished_upload_within(&c, 0, 5).await;
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let link = href_of(&c, "#result-0 a.download").await;
        assert!(!link.contains('#'), "no link secret: {link}");
        eprintln!(
            "page heap peak while encrypting {} MiB: {} MiB",
            size >> 20,
            peak >> 20
        );
        assert!(peak < 160 << 20, "the page held {peak} bytes");
        screenshot(&c, "encrypted-upload-done.png").await;
        let file_id = link.rsplit('/').next().expect("id").to_string();
        assert_eq!(
            s.db_text(&format!(
                "SELECT name || ' ' || content_type FROM files WHERE id = '{file_id}'"
            ))
            .await,
            "film.mkv.age application/age"
        );
        assert_eq!(count(&s, "SELECT COUNT(*) FROM tus_uploads").await, 1);

        // bob: the stored ciphertext opens with the stock tool and his key.
        if !s3_mode() {
            let stored = s.data_dir.join("blobs").join(blob_key(&s, &file_id).await);
            assert_eq!(age_decrypt(&dir.path().join("bob.txt"), &stored), want);
        }

        // carol: decrypted in her browser (no login needed) by the page's
        // service worker straight to disk, with her identity typed in; the
        // server killed while the download is under way.
        c.delete_all_cookies().await.expect("log out");
        let into = dir.path().join("downloads");
        std::fs::create_dir(&into).expect("mkdir");
        downloads_into(&c, &into).await;
        let mut first = s;
        c.goto(&link).await.expect("download page");
        screenshot(&c, "decrypt-card.png").await;
        let carol = identity_of(&dir.path().join("carol.txt"));
        fill(&c, "#decrypt-secret", &carol).await;
        press(&c, "#decrypt-save").await;
        eventually("the decrypted download under way", async || {
            partial_bytes(&into) > 0
        })
        .await;
        let cut = partial_bytes(&into);
        let s = first.kill_and_restart().await;
        assert!(cut < size, "the download finished before the kill");
        decrypt_state(&c, "done", 600).await;
        let saved_path = saved(&into, "film.mkv", size, 120).await;
        assert_eq!(blake3_of(&saved_path), want, "decrypted bytes differ");
        c.execute("window.scrollTo(0, 280);", vec![])
            .await
            .expect("scroll");
        screenshot(&c, "decrypted.png").await;
        std::fs::remove_file(&saved_path).expect("remove");

        // A ranged download of the middle through the CLI, decrypting only
        // its chunks, continued across another kill.
        let mut first = s;
        let cli = Cli::new(&first);
        let (from, to) = (size / 4, size / 2 - 1);
        let range = format!("{from}-{to}");
        let part_dir = dir.path().join("range");
        std::fs::create_dir(&part_dir).expect("mkdir");
        let out = part_dir.display().to_string();
        let carol_file = dir.path().join("carol.txt").display().to_string();
        let mut ranged = cli.spawn(&[
            "download",
            &link,
            "-i",
            &carol_file,
            "--range",
            &range,
            "-o",
            &out,
        ]);
        eventually("the ranged download under way", async || {
            std::fs::metadata(part_dir.join("film.mkv.part")).is_ok_and(|m| m.len() > 0)
        })
        .await;
        let s = first.kill_and_restart().await;
        let cut = std::fs::metadata(part_dir.join("film.mkv.part")).map_or(0, |m| m.len());
        assert!(cut < to + 1 - from, "the range was whole before the kill");
        assert!(
            ranged.wait().expect("the CLI").success(),
            "the ranged download failed"
        );
        let got = std::fs::read(part_dir.join("film.mkv")).expect("the range");
        assert_eq!(got.len() as u64, to + 1 - from);
        let mut source = std::fs::File::open(&path).expect("source");
        std::io::Seek::seek(&mut source, std::io::SeekFrom::Start(from)).expect("seek");
        let mut want_range = vec![0; got.len()];
        std::io::Read::read_exact(&mut source, &mut want_range).expect("read");
        assert!(got == want_range, "the decrypted range differs");

        // Nothing the server keeps holds an identity.
        let kept = format!("{}\n{}\n{}", s.db_dump(), s.log(), first.log());
        for name in ["bob", "carol"] {
            let id = identity_of(&dir.path().join(format!("{name}.txt")));
            assert!(!kept.contains(&id), "{name}'s identity reached the server");
        }
        drop(first);
        c.close().await.expect("close browser");
    }
);

dual!(
    two_accounts_open_one_file_each_with_their_own_key,
    |b| async move {
        let Some((_driver, c)) = browser_and_age().await else {
            return;
        };
        let s = Server::start(b).await;
        let dir = tempfile::tempdir().expect("tempdir");
        alice_bob_and_carol(&s, dir.path());

        // alice encrypts in her browser to both accounts' keys.
        let plain = pattern(3_000_000, 5);
        let path = dir.path().join("plan.odt");
        std::fs::write(&path, &plain).expect("write");
        log_in(&c, &s, "alice", "secret123").await;
        c.goto(&s.url("/upload")).await.expect("upload page");
        choose_encryption(&c, "users").await;
        // Someone without a key: refused before anything is sent.
        fill(&c, "#encrypt-to", "bob, alice").await;
        press(&c, "#start").await;
        fill(&c, "#files", &path.display().to_string()).await;
        press(&c, "#start").await;
        until(
            &c,
            "document.getElementById('status').textContent.includes('alice publishes no')",
            "a keyless account named",
        )
        .await;
        assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 0);
        c.find(Locator::Css("#encrypt-to"))
            .await
            .expect("field")
            .clear()
            .await
            .expect("clear");
        fill(&c, "#encrypt-to", "bob,carol@example.com").await;
        press(&c, "#start").await;
        let link = finished_upload(&c, 0).await;
        assert!(!link.contains('#'), "no link secret: {link}");
        let file_id = link.rsplit('/').next().expect("id").to_string();

        // alice sends it with file_send to both accounts: one ciphertext,
        // a personal link each.
        let creds = s.admin_ok(&["user", "api-credentials", "create", "--user-name", "alice"]);
        let (api_key, api_secret) = creds
            .lines()
            .last()
            .and_then(|l| l.split_once(' '))
            .expect("key secret");
        let mut user_ids = Vec::new();
        for name in ["bob", "carol"] {
            let id = s
                .db_i64(&format!("SELECT id FROM users WHERE user_name = '{name}'"))
                .await;
            user_ids.push(id.to_string());
        }
        let api =
            dropspace_client::FileSendClient::new(&s.base, api_key, api_secret).expect("client");
        api.file_send(&dropspace_client::FileSend {
            file_id: vec![file_id.clone()],
            user_ids,
            ..Default::default()
        })
        .await
        .expect("file_send");
        let personal = |who: &str| {
            let s = &s;
            let who = who.to_string();
            async move {
                let mut link = None;
                eventually("the mail sent", async || {
                    link = s
                        .outbox()
                        .iter()
                        .filter(|m| m.contains(&format!("{who}@example.com")))
                        .find_map(|m| link_in(m, "/s/"));
                    link.is_some()
                })
                .await;
                link.expect("a personal link")
            }
        };

        // bob: the ciphertext from his personal link, opened with `age`.
        let bob_link = personal("bob").await;
        let resp = s
            .http
            .get(format!("{bob_link}/f/{file_id}"))
            .send()
            .await
            .expect("download");
        assert_eq!(resp.status(), 200);
        let cipher = dir.path().join("plan.odt.age");
        std::fs::write(&cipher, resp.bytes().await.expect("bytes")).expect("write");
        let plain_sum = blake3::hash(&plain).to_hex().to_string();
        assert_eq!(age_decrypt(&dir.path().join("bob.txt"), &cipher), plain_sum);

        // A wrong identity on the file's own page (one never published).
        c.goto(&link).await.expect("download page");
        let stranger = dir.path().join("stranger.txt");
        age_keygen(&stranger);
        fill(&c, "#decrypt-secret", &identity_of(&stranger)).await;
        press(&c, "#decrypt-save").await;
        decrypt_state(&c, "error", 30).await;
        assert_eq!(
            text_of(&c, "#decrypt-status").await,
            "This key or passphrase does not open the file."
        );

        // carol: from her personal link, decrypted in the browser with her
        // identity typed in.
        let into = dir.path().join("carol");
        std::fs::create_dir(&into).expect("mkdir");
        downloads_into(&c, &into).await;
        c.goto(&personal("carol").await)
            .await
            .expect("personal page");
        press(&c, "a.decrypt").await;
        appears(&c, "#decrypt").await;
        fill(
            &c,
            "#decrypt-secret",
            &identity_of(&dir.path().join("carol.txt")),
        )
        .await;
        press(&c, "#decrypt-save").await;
        decrypt_state(&c, "done", 60).await;
        let got = saved(&into, "plan.odt", plain.len() as u64, 30).await;
        assert!(std::fs::read(&got).expect("read") == plain);
        screenshot(&c, "decrypted-from-a-send.png").await;

        // A ranged download of the middle, decrypting only its chunks.
        let cli = Cli::new(&s);
        let out = dir.path().join("part.bin");
        cli.run(&[
            "download",
            &file_id,
            "-i",
            &dir.path().join("carol.txt").display().to_string(),
            "--range",
            "1000000-1999999",
            "-o",
            &out.display().to_string(),
        ])
        .ok();
        assert!(std::fs::read(&out).expect("part") == plain[1_000_000..2_000_000]);

        let kept = format!("{}\n{}\n{}", s.db_dump(), s.log(), s.outbox().join("\n"));
        for name in ["bob", "carol", "stranger"] {
            let id = identity_of(&dir.path().join(format!("{name}.txt")));
            assert!(!kept.contains(&id), "{name}'s identity reached the server");
        }
        c.close().await.expect("close browser");
    }
);

dual!(
    passphrases_stock_age_files_previews_and_encrypted_requests,
    |b| async move {
        let Some((_driver, c)) = browser_and_age().await else {
            return;
        };
        let s = Server::start(b).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let passphrase = "correct horse battery staple";

        // A passphrase: the link carries nothing; the page asks for it and
        // shows the decrypted text.
        let notes = "Meeting notes\nline two — ünïcödé\n".repeat(200);
        let path = dir.path().join("notes.txt");
        std::fs::write(&path, &notes).expect("write");
        c.goto(&s.url("/")).await.expect("upload page");
        choose_encryption(&c, "pass").await;
        fill(&c, "#encrypt-passphrase", "short").await;
        fill(&c, "#files", &path.display().to_string()).await;
        press(&c, "#start").await;
        until(
            &c,
            "document.getElementById('status').textContent.includes('10 characters')",
            "a short passphrase refused",
        )
        .await;
        c.find(Locator::Css("#encrypt-passphrase"))
            .await
            .expect("field")
            .clear()
            .await
            .expect("clear");
        fill(&c, "#encrypt-passphrase", passphrase).await;
        press(&c, "#start").await;
        let link = finished_upload(&c, 0).await;
        assert!(!link.contains('#'));
        c.goto(&link).await.expect("download page");
        fill(&c, "#decrypt-secret", passphrase).await;
        press(&c, "#decrypt-preview").await;
        decrypt_state(&c, "shown", 60).await;
        let shown = c
            .execute(
                "return document.getElementById('decrypted-text').textContent;",
                vec![],
            )
            .await
            .expect("text");
        assert_eq!(shown, serde_json::json!(notes));
        c.execute(
            "document.getElementById('decrypt').scrollIntoView();",
            vec![],
        )
        .await
        .expect("scroll");
        screenshot(&c, "decrypted-preview.png").await;

        // A new key in the link: the page takes it from the fragment.
        let path = dir.path().join("keyed.txt");
        std::fs::write(&path, &notes).expect("write");
        c.goto(&s.url("/")).await.expect("upload page");
        choose_encryption(&c, "link").await;
        start_upload(&c, &[&path]).await;
        let keyed = finished_upload(&c, 0).await;
        let (_, link_key) = keyed.split_once("#key=").expect("a key in the fragment");
        assert!(link_key.starts_with("AGE-SECRET-KEY-1"), "{keyed}");
        let link_key = link_key.to_string();
        c.goto(&keyed).await.expect("download page");
        let hidden = c
            .execute(
                "return document.getElementById('decrypt-secret-field').hidden;",
                vec![],
            )
            .await
            .expect("field");
        assert_eq!(hidden, serde_json::json!(true), "the link's key is used");
        press(&c, "#decrypt-preview").await;
        decrypt_state(&c, "shown", 60).await;
        let shown = c
            .execute(
                "return document.getElementById('decrypted-text').textContent;",
                vec![],
            )
            .await
            .expect("text");
        assert_eq!(shown, serde_json::json!(notes));

        // A file the stock tool encrypted, uploaded plainly: the server
        // tells it is age, the page decrypts a picture from it.
        let picture = dir.path().join("photo.png");
        std::fs::write(&picture, png()).expect("png");
        let id_file = dir.path().join("me.txt");
        let me = age_keygen(&id_file);
        let sealed = dir.path().join("photo.png.age");
        let status = Command::new("age")
            .arg("-r")
            .arg(&me)
            .arg("-o")
            .arg(&sealed)
            .arg(&picture)
            .status()
            .expect("age");
        assert!(status.success());
        let (page, _) =
            common::web::anon_file(&s, "photo.png.age", &std::fs::read(&sealed).expect("read"))
                .await;
        c.goto(&page).await.expect("download page");
        assert!(c.find(Locator::Css("#encrypted")).await.is_ok());
        fill(&c, "#decrypt-secret", &identity_of(&id_file)).await;
        press(&c, "#decrypt-preview").await;
        decrypt_state(&c, "shown", 30).await;
        let width = c
            .execute(
                "const i = document.getElementById('decrypted-image');\
                 return i.complete ? i.naturalWidth : -1;",
                vec![],
            )
            .await
            .expect("image");
        assert_eq!(width, serde_json::json!(2), "the picture decoded");

        // An encrypted file request: the outsider's browser encrypts to the
        // owner's key (tests/requests.rs checks that the server refuses
        // anything else into it).
        s.create_user("olga", "secret123");
        let olga = Cli::new(&s);
        olga.login("olga", "secret123").ok();
        let olga_id = dir.path().join("olga.txt");
        let olga_key = age_keygen(&olga_id);
        olga.run(&["keys", "add", &olga_key]).ok();
        // Made on My files → Requests with "Encrypt uploads to my keys".
        log_in(&c, &s, "olga", "secret123").await;
        c.goto(&s.url("/files/requests"))
            .await
            .expect("requests page");
        fill(&c, "#title", "Tax papers").await;
        press(&c, "#encrypted").await;
        press(&c, "#new-request button[type=submit]").await;
        eventually("the request made", async || {
            count(&s, "SELECT COUNT(*) FROM file_requests").await == 1
        })
        .await;
        let token = s.db_text("SELECT id FROM file_requests").await;
        assert_eq!(
            s.db_i64("SELECT encrypted FROM file_requests").await,
            1,
            "the request is encrypted"
        );
        let url = s.url(&format!("/r/{token}"));
        // The CLI (file_send API) makes one too; it answers `encrypted`.
        let creds = s.admin_ok(&["user", "api-credentials", "create", "--user-name", "olga"]);
        let (key, secret) = creds
            .lines()
            .last()
            .and_then(|l| l.split_once(' '))
            .expect("key secret");
        let made = olga.run_env(
            &[
                "--json",
                "request",
                "create",
                "--title",
                "More",
                "--encrypted",
            ],
            Input::Bytes(Vec::new()),
            &[
                ("DROPSPACE_SERVER", &s.base),
                ("DROPSPACE_FILE_SEND_KEY", key),
                ("DROPSPACE_FILE_SEND_SECRET", secret),
            ],
        );
        assert_eq!(made.json()["encrypted"], "1");
        c.delete_all_cookies().await.expect("no cookies");
        c.goto(&url).await.expect("request page");
        assert!(
            c.find(Locator::Css("#request-encrypted")).await.is_ok(),
            "{url}: {}",
            c.source().await.unwrap_or_default()
        );
        screenshot(&c, "encrypted-request.png").await;
        let papers = pattern(500_000, 8);
        let path = dir.path().join("papers.pdf");
        std::fs::write(&path, &papers).expect("write");
        start_upload(&c, &[&path]).await;
        c.wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("#result-0.done"))
            .await
            .expect("uploaded");
        let (name, blob) = {
            let id = s
                .db_text("SELECT id FROM files WHERE name LIKE 'papers%'")
                .await;
            (
                s.db_text(&format!("SELECT name FROM files WHERE id = '{id}'"))
                    .await,
                id,
            )
        };
        assert_eq!(name, "papers.pdf.age");
        if !s3_mode() {
            let stored = s.data_dir.join("blobs").join(blob_key(&s, &blob).await);
            assert_eq!(
                age_decrypt(&olga_id, &stored),
                blake3::hash(&papers).to_hex().to_string()
            );
        }
        let kept = format!("{}\n{}\n{}", s.db_dump(), s.log(), s.outbox().join("\n"));
        assert!(
            !kept.contains(passphrase),
            "the passphrase reached the server"
        );
        assert!(
            !kept.contains(&link_key),
            "the link's key reached the server"
        );
        for id in [&id_file, &olga_id] {
            assert!(
                !kept.contains(&identity_of(id)),
                "an identity reached the server"
            );
        }
        c.close().await.expect("close browser");
    }
);

/// A 2×2 PNG.
fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(2, 2, |x, y| image::Rgb([x as u8 * 255, y as u8 * 255, 0]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode png");
    out.into_inner()
}
