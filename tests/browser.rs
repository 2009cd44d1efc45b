//! The browser pages: the upload page, web login, "my files", and the
//! design shared by every page (docs/web.md, "Design").
//!
//! Browser tests drive Debian's headless chromium through chromedriver
//! (started here on a free port) with fantoccini; screenshots of each page
//! go to `target/screenshots/`. Without chromium/chromedriver (or, for the
//! design test, axe-core from tests/clients) they are skipped with a
//! message, except under `CI=true`, where they fail. The plain HTTP tests
//! check the security properties — CSP, CSRF refusals, wrong passwords,
//! logout, cookie attributes — and the shell: header on every page, the
//! theme cookie, the stylesheet.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::browser::*;
use common::web::{set_cookies, Visitor};
use common::*;
use fantoccini::{Client, Locator};

// ---------------------------------------------------------------- browser

/// Files uploaded anonymously and bundled as the upload page does: the
/// bundle page's path.
async fn anonymous_bundle(s: &Server, names: &[&str]) -> String {
    let mut pairs = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let info = anon_info(s).await;
        let form = info.form(&[], name, pattern(20_000 + i, 5));
        let text = post_form(s, &info.url, form)
            .await
            .text()
            .await
            .expect("xml");
        let doc = roxmltree::Document::parse(&text).expect("upload_done");
        let delete_url = doc
            .descendants()
            .find(|n| n.has_tag_name("delete_url"))
            .and_then(|n| n.text())
            .expect("delete_url")
            .to_string();
        let parts: Vec<&str> = delete_url.rsplitn(3, '/').collect();
        pairs.push(format!("{}/{}", parts[1], parts[0]));
    }
    let mut v = Visitor::new(s);
    let csrf = v.csrf("/upload").await;
    let made = json(
        v.post(
            "/upload/bundle",
            &[("csrf", &csrf), ("files", &pairs.join(","))],
        )
        .await,
    )
    .await;
    let url = made["url"].as_str().expect("bundle url");
    url.strip_prefix(&s.url("")).expect("own url").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_upload_in_the_browser() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let s = Server::start(Backend::Sqlite).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = pattern(3 * 1024 * 1024 + 17, 7);
    let path = temp_file(dir.path(), "holiday photos.bin", &bytes);

    c.goto(&s.url("/")).await.expect("upload page");
    screenshot(&c, "upload-page.png").await;
    let link = upload_in_page(&c, &path, 0).await;
    screenshot(&c, "after-upload.png").await;
    assert!(link.starts_with(&s.url("/file/")), "{link}");
    let delete = href_of(&c, "#result-0 a.delete").await;
    assert!(delete.starts_with(&s.url("/delete/")), "{delete}");

    // Several files at once, expiring after a day or 3 downloads: one
    // identifier and one result each, and one link for both (a bundle).
    let second = pattern(70_001, 9);
    let third = pattern(5, 1);
    let p2 = temp_file(dir.path(), "b.bin", &second);
    let p3 = temp_file(dir.path(), "c.bin", &third);
    press(&c, "#expiry option[value='86400']").await;
    fill(&c, "#downloads", "3").await;
    start_upload(&c, &[&p2, &p3]).await;
    let link2 = finished_upload(&c, 1).await;
    let link3 = finished_upload(&c, 2).await;
    assert_ne!(link2, link3);
    let limited = "SELECT COUNT(*) FROM files WHERE time_limit = 86400 AND download_limit = 3 \
                   AND limit_action = 2";
    assert_eq!(s.db_i64(limited).await, 2);
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#bundle-result img.qr"))
        .await
        .expect("the bundle's QR code");
    let bundle = href_of(&c, "#bundle-result a.bundle").await;
    assert!(bundle.starts_with(&s.url("/b/")), "{bundle}");
    assert!(href_of(&c, "#bundle-result a.delete")
        .await
        .contains("/delete/"));
    screenshot(&c, "upload-bundle.png").await;
    let listing = s
        .http
        .get(&bundle)
        .send()
        .await
        .expect("bundle page")
        .text()
        .await
        .expect("html");
    assert!(
        listing.contains("b.bin") && listing.contains("c.bin"),
        "{listing}"
    );

    let got = download_via_page(&s, &c, &link).await;
    assert_eq!(got.len(), bytes.len());
    assert!(got == bytes, "downloaded bytes differ");
    assert_eq!(
        text_of(&c, "#name").await,
        "holiday photos.bin",
        "download page names the file"
    );
    assert!(download_via_page(&s, &c, &link2).await == second);
    assert!(download_via_page(&s, &c, &link3).await == third);
    c.close().await.expect("close browser");
}

/// One second of a 440 Hz tone: 16-bit mono PCM WAV at 8 kHz.
fn wav_tone() -> Vec<u8> {
    let rate: u32 = 8000;
    let samples: Vec<i16> = (0..rate)
        .map(|i| {
            ((i as f64 * 440.0 * std::f64::consts::TAU / f64::from(rate)).sin() * 8000.0) as i16
        })
        .collect();
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

fn png_picture() -> Vec<u8> {
    let img = image::RgbImage::from_fn(320, 200, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode png");
    out.into_inner()
}

// The story a person tells: on a phone in the dark theme, three files
// (a picture, a voice memo, notes) with an expiry of a week go up as one
// bundle with a QR code; the recipient opens the bundle, sees the
// picture's thumbnail, each file's preview (picture shown, audio playable
// to its length, text framed) and downloads the same bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_sends_a_bundle_and_the_recipient_previews_and_downloads() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let s = Server::start(Backend::Sqlite).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let picture = png_picture();
    let memo = wav_tone();
    let notes = b"Meeting at 10, room 4.\nBring the slides.\n".to_vec();
    let paths = [
        temp_file(dir.path(), "beach.png", &picture),
        temp_file(dir.path(), "voice memo.wav", &memo),
        temp_file(dir.path(), "notes.txt", &notes),
    ];

    c.goto(&s.url("/")).await.expect("upload page");
    choose_theme(&c, "dark").await;
    viewport(&c, 390, 844).await;
    press(&c, "#expiry option[value='604800']").await;
    start_upload(&c, &paths.iter().map(PathBuf::as_path).collect::<Vec<_>>()).await;
    let mut links = Vec::new();
    for n in 0..3 {
        links.push(finished_upload(&c, n).await);
    }
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#bundle-result img.qr"))
        .await
        .expect("the bundle's QR code");
    until(
        &c,
        "document.querySelector('#bundle-result img.qr').naturalWidth > 0",
        "QR drawn",
    )
    .await;
    // The batch's own bar: all three files, full.
    let overall = c
        .execute(
            "const o = document.getElementById('overall'); const p = o.querySelector('progress');\
             return [p.value, p.getAttribute('aria-label'), o.querySelector('.name').textContent];",
            vec![],
        )
        .await
        .expect("overall progress");
    assert_eq!(
        overall,
        serde_json::json!([100, "Upload of all files", "All 3 files"])
    );
    fits(&c, "the phone's upload result").await;
    c.execute(
        "document.getElementById('bundle-result').scrollIntoView();",
        vec![],
    )
    .await
    .expect("scroll");
    screenshot(&c, "phone-bundle-dark-390.png").await;
    let week = "SELECT COUNT(*) FROM files WHERE time_limit = 604800";
    assert_eq!(s.db_i64(week).await, 3);
    let bundle = href_of(&c, "#bundle-result a.bundle").await;

    // The recipient: another browser profile's worth of cookies (none).
    c.delete_all_cookies().await.expect("no cookies");
    c.goto(&bundle).await.expect("bundle page");
    until(
        &c,
        "[...document.querySelectorAll('img.thumb')].some((i) => i.complete && i.naturalWidth > 0)",
        "the picture's thumbnail",
    )
    .await;
    fits(&c, "the bundle page on a phone").await;
    screenshot(&c, "phone-bundle-page-390.png").await;

    c.goto(&links[0]).await.expect("picture's page");
    until(
        &c,
        "document.querySelector('img#preview').naturalWidth === 320",
        "the picture shown",
    )
    .await;
    screenshot(&c, "phone-preview-image-390.png").await;
    c.goto(&links[1]).await.expect("memo's page");
    // The audio element reads the WAV through the signed preview URL.
    until(
        &c,
        "(() => { const a = document.querySelector('audio#preview');\
           return a.readyState >= 1 && Math.abs(a.duration - 1) < 0.01; })()",
        "the memo playable, one second long",
    )
    .await;
    c.goto(&links[2]).await.expect("notes' page");
    c.find(Locator::Css("iframe#preview[sandbox]"))
        .await
        .expect("the notes in a sandboxed frame");

    for (link, bytes) in links.iter().zip([&picture, &memo, &notes]) {
        assert!(&download_via_page(&s, &c, link).await == bytes, "{link}");
    }
    // Each body credits its download as it ends: three, and the previews none.
    let counted = "SELECT COUNT(*) FROM files WHERE downloads = 1";
    eventually("one download each", async || s.db_i64(counted).await == 3).await;
    c.close().await.expect("close browser");
}

// A refusal reads as the server put it: a 3 MB upload to a bad address
// shows error 24's own words (not "the connection failed"), stores
// nothing, and keeps the file chosen, so Upload with a good address
// sends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_upload_says_why_and_is_tried_again() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let s = Server::start(Backend::Sqlite).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = pattern(3 << 20, 6);
    let path = temp_file(dir.path(), "minutes.pdf", &bytes);
    c.goto(&s.url("/")).await.expect("upload page");
    fill(&c, "#recipients", "not-an-address").await;
    start_upload(&c, &[&path]).await;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#result-0.failed"))
        .await
        .expect("refused");
    let msg = text_of(&c, "#result-0 .msg").await;
    assert!(msg.contains("e-mail") || msg.contains("mail"), "{msg}");
    assert!(!msg.contains("connection"), "{msg}");
    assert_eq!(s.db_i64("SELECT COUNT(*) FROM files").await, 0);
    let status = text_of(&c, "#status").await;
    assert!(status.contains("Upload to try again"), "{status}");
    screenshot(&c, "upload-refused.png").await;

    let field = c.find(Locator::Css("#recipients")).await.expect("field");
    field.clear().await.expect("clear");
    field.send_keys("ann@example.com").await.expect("type");
    press(&c, "#start").await;
    let link = finished_upload(&c, 1).await;
    assert!(download_via_page(&s, &c, &link).await == bytes);
    c.close().await.expect("close browser");
}

/// An outsider opens a file request with a password and uploads two
/// files (one empty) into the owner's folder; each result shows a receipt
/// whose checksum is the stored file's (docs/file-requests.md).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outsider_uploads_into_a_file_request() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let s = Server::start(Backend::Sqlite).await;
    s.create_user("alice", "secret123");
    let out = s.admin_ok(&["user", "api-credentials", "create", "--user-name", "alice"]);
    let (key, secret) = out
        .lines()
        .last()
        .and_then(|l| l.split_once(' '))
        .expect("key secret");
    let api = dropspace_client::FileSendClient::new(&s.base, key, secret).expect("client");
    let r = api
        .file_request_create(&dropspace_client::NewFileRequest {
            title: "Signed contracts".into(),
            message: "Both copies, please.".into(),
            password: "pen and paper".into(),
            max_files: 5,
            max_file_size: 10 << 20,
            notify: true,
            ..Default::default()
        })
        .await
        .expect("request");
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = pattern((2 << 20) + 3, 4);
    let signed = temp_file(dir.path(), "contract signed.pdf", &bytes);
    let empty = temp_file(dir.path(), "empty.txt", b"");

    let axe = axe_source();
    c.goto(&r.url).await.expect("request page");
    assert_eq!(text_of(&c, "#request-title").await, "Signed contracts");
    if let Some(axe) = &axe {
        axe_check(&c, axe, "file request password").await;
    }
    fill(&c, "#password", "pen and paper").await;
    press(&c, "#request-password button").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#upload-form"))
        .await
        .expect("the upload form");
    screenshot(&c, "file-request.png").await;
    if let Some(axe) = &axe {
        axe_check(&c, axe, "file request").await;
    }
    fill(&c, "#description", "Signed on Monday").await;
    start_upload(&c, &[&signed, &empty]).await;
    for n in 0..2 {
        let box_css = format!("#result-{n}");
        c.wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(&format!("{box_css}.done, {box_css}.failed")))
            .await
            .expect("upload finished");
        assert_eq!(text_of(&c, &format!("{box_css} .msg")).await, "Done.");
        assert!(c
            .find(Locator::Css(&format!("{box_css} a.download")))
            .await
            .is_err());
    }
    screenshot(&c, "file-request-sent.png").await;
    let receipt = href_of(&c, "#result-0 a.receipt").await;
    assert!(
        receipt.contains(&format!("/r/{}/receipt/", r.request_id)),
        "{receipt}"
    );
    let stored =
        "SELECT COUNT(*) FROM files WHERE user_id IS NOT NULL AND description = 'Signed on Monday'";
    assert_eq!(s.db_i64(stored).await, 2);
    c.goto(&receipt).await.expect("receipt");
    let checksum = text_of(&c, "#checksum").await;
    let pool = db(&s).await;
    let (id, kept): (String, String) =
        sqlx::query_as("SELECT id, checksum FROM files WHERE name = 'contract signed.pdf'")
            .fetch_one(&pool)
            .await
            .expect("file");
    assert_eq!(checksum, kept);
    screenshot(&c, "file-request-receipt.png").await;
    if let Some(axe) = &axe {
        axe_check(&c, axe, "file request receipt").await;
    }
    let alice = s.login("alice", "secret123").await;
    assert!(served(&s, &alice, &id).await == bytes);
    s.wait_mail(|m| m.contains("contract signed.pdf")).await;
    c.close().await.expect("close browser");
}

/// An owner is warned before a file expires and extends it with the
/// mail's link, sees who downloaded it, deletes it and restores it from
/// the trash — in the browser (docs/expiry.md, docs/receipts.md).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_extends_sees_who_downloaded_and_restores() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let s = Server::start_with(
        Backend::Sqlite,
        &[
            ("DROPSPACE_EXPIRY__WARN_BEFORE_SECS", "15"),
            ("DROPSPACE_TIERS__LITE__DEFAULT_TIME_LIMIT_SECS", "3600"),
        ],
    )
    .await;
    s.create_user("alice", "correct horse");
    let a = s.login("alice", "correct horse").await;
    let bytes = pattern(90_000, 3);
    let id = upload_with(&s, &a, &[("time_limit", "20")], "report.pdf", bytes.clone()).await;
    let id = kv_get(&id, "file_id");
    let at_sql = format!("SELECT time_limit_at FROM files WHERE id = '{id}'");
    let before = s.db_i64(&at_sql).await;

    // The warning's link: a page with one button; pressing it extends.
    let mail = s.wait_mail(|m| m.contains("report.pdf")).await;
    let link = link_in(&mail, "/extend/f/").expect("extend link");
    c.goto(&link).await.expect("extend page");
    assert_eq!(text_of(&c, "#name").await, "report.pdf");
    assert_eq!(
        s.db_i64(&at_sql).await,
        before,
        "opening the link extends nothing"
    );
    screenshot(&c, "extend.png").await;
    press(&c, "#extend").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#extended"))
        .await
        .expect("extended");
    assert!(
        s.db_i64(&at_sql).await >= before + 3000,
        "the tier's default from now"
    );

    // A download, then the file's page lists it.
    let got = s
        .http
        .get(direct_url(&s, &a, &id, None).await)
        .send()
        .await
        .expect("download")
        .bytes()
        .await
        .expect("bytes");
    assert!(got == bytes);
    c.goto(&s.url("/login")).await.expect("login page");
    fill(&c, "#user_name", "alice").await;
    fill(&c, "#password", "correct horse").await;
    press(&c, "#login-submit").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#requests-link"))
        .await
        .expect("my files");
    c.goto(&s.url(&format!("/files/file?id={id}")))
        .await
        .expect("file page");
    let rows = c
        .find_all(Locator::Css("#download-log tbody tr"))
        .await
        .expect("log rows");
    assert_eq!(rows.len(), 1);
    assert!(text_of(&c, "#download-log tbody tr")
        .await
        .contains("127.0.0.1"));
    c.execute(
        "document.getElementById('download-log').scrollIntoView();",
        vec![],
    )
    .await
    .expect("scroll");
    screenshot(&c, "who-downloaded.png").await;

    // Deleted, then restored from the trash: the same bytes under its id.
    api(&s, &a, "files.delete", &[("file_id", &id)])
        .await
        .assert_ok();
    c.goto(&s.url("/files/trash")).await.expect("trash");
    screenshot(&c, "trash.png").await;
    press(&c, &format!("tr[data-id='{id}'] button.restore")).await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#done"))
        .await
        .expect("restored");
    assert!(served(&s, &a, &id).await == bytes);
    c.close().await.expect("close browser");
}

/// Presses `key` on whatever has the focus.
async fn key(c: &Client, key: fantoccini::key::Key) {
    c.active_element()
        .await
        .expect("focused element")
        .send_keys(&char::from(key).to_string())
        .await
        .expect("key");
}

/// Tabs forward until `css` has the focus (at most `most` presses), and
/// checks the focus ring is drawn.
async fn tab_to(c: &Client, css: &str, most: usize) {
    for _ in 0..most {
        key(c, fantoccini::key::Key::Tab).await;
        let here = c
            .execute(
                "const e = document.activeElement;\
                 return [e.matches(arguments[0]), getComputedStyle(e).outlineStyle];",
                vec![serde_json::json!(css)],
            )
            .await
            .expect("focus");
        if here[0] == serde_json::Value::Bool(true) {
            assert_ne!(
                here[1],
                serde_json::json!("none"),
                "{css} shows no focus ring"
            );
            return;
        }
    }
    panic!("{css} never got the focus in {most} tabs");
}

/// Types into the focused element.
async fn type_here(c: &Client, text: &str) {
    c.active_element()
        .await
        .expect("focused element")
        .send_keys(text)
        .await
        .expect("typing");
}

// The keyboard alone: the skip link comes first; log in with Tab and
// Enter; choose German in the header; open a file behind a password, type
// it and reach the download button — every stop with a visible focus ring.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flows_work_with_the_keyboard_alone() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let s = Server::start(Backend::Sqlite).await;
    s.create_user("alice", "correct horse");
    let session = s.login("alice", "correct horse").await;
    let locked = seed_file(&s, "alice", "contract.pdf", b"signed").await;
    api(
        &s,
        &session,
        "files.setInfo",
        &[("file_id", &locked), ("password", "letmein")],
    )
    .await
    .assert_ok();

    c.goto(&s.url("/login")).await.expect("login page");
    tab_to(&c, "a.skip", 1).await;
    tab_to(&c, "#user_name", 30).await;
    type_here(&c, "alice").await;
    tab_to(&c, "#password", 3).await;
    type_here(&c, "correct horse").await;
    key(&c, fantoccini::key::Key::Enter).await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#whoami"))
        .await
        .expect("logged in by keyboard");

    tab_to(&c, "button[lang=de]", 30).await;
    key(&c, fantoccini::key::Key::Enter).await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("html[lang=de]"))
        .await
        .expect("German by keyboard");

    c.goto(&s.url(&format!("/file/{locked}")))
        .await
        .expect("download page");
    // The password field has the focus already (autofocus).
    type_here(&c, "letmein").await;
    key(&c, fantoccini::key::Key::Enter).await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("a#download"))
        .await
        .expect("unlocked by keyboard");
    tab_to(&c, "a#download", 30).await;
    c.close().await.expect("close browser");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_upload_list_and_delete_in_the_browser() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let s = Server::start(Backend::Sqlite).await;
    s.create_user("alice", "correct horse");
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = pattern(200_000, 3);
    let path = temp_file(dir.path(), "report <1>.txt", &bytes);

    c.goto(&s.url("/login")).await.expect("login page");
    screenshot(&c, "login.png").await;
    fill(&c, "#user_name", "alice").await;
    fill(&c, "#password", "correct horse").await;
    press(&c, "#login-submit").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#whoami"))
        .await
        .expect("logged in");
    assert_eq!(text_of(&c, "#whoami").await, "alice");
    assert_eq!(
        c.current_url().await.expect("url").path(),
        "/files",
        "login leads to my files"
    );

    c.goto(&s.url("/upload")).await.expect("upload page");
    let link = upload_in_page(&c, &path, 0).await;
    let file_id = link.rsplit('/').next().expect("id").to_string();
    let session = s.login("alice", "correct horse").await;
    api(&s, &session, "files.getInfo", &[("file_id", &file_id)])
        .await
        .assert_ok();

    // Two files at once from an account: one link, a new shared folder.
    let minutes = temp_file(dir.path(), "minutes.txt", b"minutes of the meeting");
    let agenda = temp_file(dir.path(), "agenda.txt", b"the agenda");
    c.goto(&s.url("/upload")).await.expect("upload page");
    start_upload(&c, &[&minutes, &agenda]).await;
    finished_upload(&c, 0).await;
    finished_upload(&c, 1).await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#bundle-result img.qr"))
        .await
        .expect("the folder's QR code");
    let folder = href_of(&c, "#bundle-result a.bundle").await;
    assert!(folder.starts_with(&s.url("/folder/")), "{folder}");
    let listing = s.http.get(&folder).send().await.expect("folder page");
    assert_eq!(listing.status(), 200, "the new folder is shared");
    let listing = listing.text().await.expect("html");
    assert!(
        listing.contains("minutes.txt") && listing.contains("agenda.txt"),
        "{listing}"
    );

    mkdir(&s, &session, "Holiday", "0", "1").await;
    mkdir(&s, &session, "Drafts", "0", "0").await;
    c.goto(&s.url("/files")).await.expect("my files");
    let row = format!("tr.file[data-id=\"{file_id}\"]");
    assert_eq!(
        text_of(&c, &format!("{row} a.name")).await,
        "report <1>.txt"
    );
    screenshot(&c, "my-files.png").await;
    let got = download_via_page(&s, &c, &href_of(&c, &format!("{row} a.name")).await).await;
    assert!(got == bytes, "downloaded bytes differ");

    c.goto(&s.url("/files")).await.expect("my files");
    press(&c, &format!("{row} a.delete")).await;
    // A confirmation first; its POST redirects back to the list: wait for
    // the row to go.
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#confirm-delete"))
        .await
        .expect("confirmation page");
    press(&c, "#confirm-delete").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !c
        .find_all(Locator::Css(&row))
        .await
        .expect("rows")
        .is_empty()
    {
        assert!(Instant::now() < deadline, "the file is still listed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        c.find_all(Locator::Css("tr.folder"))
            .await
            .expect("rows")
            .len(),
        3,
        "the folders (the bundle's too) are still listed"
    );
    api(&s, &session, "files.getInfo", &[("file_id", &file_id)])
        .await
        .assert_error(9);
    c.close().await.expect("close browser");
}

// ---------------------------------------------------------------- HTTP

// An admin in the browser: the account page, two-factor set up from the
// QR code's key (the code made as an authenticator app makes it), the
// recovery codes, then the admin console's overview, users and audit log —
// each page screenshotted and checked with axe-core.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sets_up_two_factor_and_opens_the_console() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let axe = axe_source();
    let s = Server::start(Backend::Sqlite).await;
    s.create_user("root", "correct horse");
    s.admin_ok(&["user", "set-admin", "--user-name", "root", "on"]);
    let session = s.user_session("dana").await;
    upload(&s, &session, "quarterly report.pdf", pattern(300_000, 9)).await;

    c.goto(&s.url("/login")).await.expect("login page");
    fill(&c, "#user_name", "root").await;
    fill(&c, "#password", "correct horse").await;
    press(&c, "#login-submit").await;
    appears(&c, "#whoami").await;
    press(&c, "#whoami").await;
    appears(&c, "#two-factor-start").await;
    screenshot(&c, "account.png").await;
    if let Some(axe) = &axe {
        axe_check(&c, axe, "account page").await;
    }
    press(&c, "#two-factor-start").await;
    appears(&c, "#totp-qr svg").await;
    screenshot(&c, "two-factor-setup.png").await;
    if let Some(axe) = &axe {
        axe_check(&c, axe, "two-factor set-up").await;
    }
    let secret = text_of(&c, "#totp-secret").await;
    let app = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(&secret).expect("base32"))
        .build()
        .expect("an RFC 6238 key");
    fill(&c, "#code", &app.generate_current().to_string()).await;
    press(&c, "#enable").await;
    appears(&c, "#recovery-codes").await;
    assert_eq!(
        c.find_all(Locator::Css("#recovery-codes code"))
            .await
            .expect("codes")
            .len(),
        10
    );
    assert!(text_of(&c, "#two-factor-on").await.contains("10"));

    c.goto(&s.url("/admin")).await.expect("console");
    appears(&c, "#totals").await;
    appears(&c, "#anonymous-uploads").await;
    assert!(text_of(&c, "#biggest")
        .await
        .contains("quarterly report.pdf"));
    screenshot(&c, "admin-console.png").await;
    c.execute(
        "document.getElementById('anonymous-uploads').scrollIntoView();",
        vec![],
    )
    .await
    .expect("scroll");
    screenshot(&c, "admin-anonymous.png").await;
    if let Some(axe) = &axe {
        axe_check(&c, axe, "admin console").await;
    }
    c.goto(&s.url("/admin/users")).await.expect("users");
    appears(&c, "tr[data-user=dana]").await;
    screenshot(&c, "admin-users.png").await;
    if let Some(axe) = &axe {
        axe_check(&c, axe, "admin users").await;
    }
    c.goto(&s.url("/admin/audit?user=root"))
        .await
        .expect("audit");
    appears(&c, "#audit-list").await;
    assert!(text_of(&c, "#audit-list")
        .await
        .contains("two_factor.enabled"));
    screenshot(&c, "admin-audit.png").await;
    if let Some(axe) = &axe {
        axe_check(&c, axe, "audit log").await;
    }
}

async fn json(resp: reqwest::Response) -> serde_json::Value {
    let text = resp.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn location(resp: &reqwest::Response) -> String {
    header(resp.headers(), "location")
}

fn check_csp(path: &str, csp: &str, scripted: bool) {
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.split_whitespace().next() == Some(name))
            .map(str::to_string)
    };
    assert_eq!(
        directive("default-src").as_deref(),
        Some("default-src 'none'"),
        "{path}: {csp}"
    );
    assert_eq!(
        directive("frame-ancestors").as_deref(),
        Some("frame-ancestors 'none'"),
        "{path}: {csp}"
    );
    if scripted {
        assert_eq!(
            directive("script-src").as_deref(),
            Some("script-src 'self'"),
            "{path}: {csp}"
        );
        assert_eq!(
            directive("connect-src").as_deref(),
            Some("connect-src 'self'"),
            "{path}: {csp}"
        );
    } else {
        assert_eq!(directive("script-src"), None, "{path}: {csp}");
    }
    // Styles only from /static/app.css: no inline <style> or style= allowed.
    assert_eq!(
        directive("style-src").as_deref(),
        Some("style-src 'self'"),
        "{path}: {csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
}

dual!(pages_carry_a_strict_csp, |b| async move {
    let s = Server::start(b).await;
    s.create_user("carol", "pw-carol-1");
    let mut v = Visitor::new(&s);
    // Every page runs the shell's same-origin local-time.js
    // (docs/languages.md); the upload page its own scripts too.
    for (path, scripted) in [("/", true), ("/upload", true), ("/login", false)] {
        let resp = v.get(path).await;
        assert_eq!(resp.status(), 200, "{path}");
        check_csp(
            path,
            &header(resp.headers(), "content-security-policy"),
            true,
        );
        assert_eq!(
            header(resp.headers(), "cache-control"),
            "no-store",
            "{path}"
        );
        let html = resp.text().await.expect("html");
        assert!(!html.contains("<script>"), "no inline script on {path}");
        assert_eq!(html.contains("<script src=\"/static/upload.js\""), scripted);
    }
    v.login("carol", "pw-carol-1").await;
    for path in ["/", "/files"] {
        let resp = v.get(path).await;
        assert_eq!(resp.status(), 200);
        check_csp(
            path,
            &header(resp.headers(), "content-security-policy"),
            true,
        );
    }
    let js = v.get("/static/upload.js").await;
    assert_eq!(js.status(), 200);
    assert!(header(js.headers(), "content-type").starts_with("text/javascript"));
    assert_eq!(header(js.headers(), "x-content-type-options"), "nosniff");
});

dual!(
    forms_refuse_a_missing_or_forged_csrf_token,
    |b| async move {
        let s = Server::start(b).await;
        s.create_user("dave", "pw-dave-1");
        let mut v = Visitor::new(&s);
        let good = v.csrf("/upload").await;
        let forged = format!("{}x", &good[..good.len() - 1]);

        // An upload identifier needs the visitor's token.
        for token in ["", forged.as_str()] {
            let resp = v.post("/upload/new", &[("csrf", token)]).await;
            assert_eq!(resp.status(), 403, "token {token:?}");
        }
        let ok = v.post("/upload/new", &[("csrf", &good)]).await;
        assert_eq!(ok.status(), 200);
        let offer = json(ok).await;
        assert_eq!(offer["anonymous"], true);
        assert_eq!(offer["upload_identifier"].as_str().map(str::len), Some(32));
        // Another visitor's token does not fit this visitor's cookie.
        let mut other = Visitor::new(&s);
        let theirs = other.csrf("/upload").await;
        assert_eq!(
            v.post("/upload/new", &[("csrf", &theirs)]).await.status(),
            403
        );

        // Login without a token: refused before the password is looked at.
        let resp = v
            .post(
                "/login",
                &[("user_name", "dave"), ("password", "pw-dave-1")],
            )
            .await;
        assert_eq!(resp.status(), 403);
        assert!(!v.cookies.contains_key("ds_web"));

        // Logged in: deleting and sharing need the token of the login.
        let resp = v.login("dave", "pw-dave-1").await;
        assert_eq!(resp.status(), 303);
        let session = s.login("dave", "pw-dave-1").await;
        let file_id = seed_file(&s, "dave", "keep.txt", b"keep me").await;
        let folder = mkdir(&s, &session, "photos", "0", "0").await;
        for token in ["", good.as_str(), forged.as_str()] {
            let resp = v
                .post("/files/delete", &[("csrf", token), ("file_id", &file_id)])
                .await;
            assert_eq!(resp.status(), 403, "delete with {token:?}");
            let resp = v
                .post(
                    "/files/share",
                    &[("csrf", token), ("folder_id", &folder), ("shared", "1")],
                )
                .await;
            assert_eq!(resp.status(), 403, "share with {token:?}");
        }
        api(&s, &session, "files.getInfo", &[("file_id", &file_id)])
            .await
            .assert_ok();
        let info = api(&s, &session, "folders.getInfo", &[("folder_id", &folder)]).await;
        assert_eq!(info.attr("folder", "shared").as_deref(), Some("0"));

        // With the right token both work, through the API's logic.
        let token = v.csrf("/files").await;
        let resp = v
            .post(
                "/files/share",
                &[("csrf", &token), ("folder_id", &folder), ("shared", "1")],
            )
            .await;
        assert_eq!(resp.status(), 303);
        let info = api(&s, &session, "folders.getInfo", &[("folder_id", &folder)]).await;
        assert_eq!(info.attr("folder", "shared").as_deref(), Some("1"));
        let listing = v.get("/files").await.text().await.expect("page");
        assert!(listing.contains("Stop sharing"), "{listing}");
        let resp = v
            .post("/files/delete", &[("csrf", &token), ("file_id", &file_id)])
            .await;
        assert_eq!(resp.status(), 303);
        api(&s, &session, "files.getInfo", &[("file_id", &file_id)])
            .await
            .assert_error(9);
        // Someone else's file id is the API's 9, as a page.
        let resp = v
            .post("/files/delete", &[("csrf", &token), ("file_id", &file_id)])
            .await;
        assert_eq!(resp.status(), 404);
    }
);

dual!(wrong_passwords_are_refused_and_throttled, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_LIMITS__LOGIN_FAILURES_PER_ACCOUNT", "2")]).await;
    s.create_user("erin", "pw-erin-1");
    let mut v = Visitor::new(&s);
    for _ in 0..2 {
        let resp = v.login("erin", "not it").await;
        assert_eq!(resp.status(), 403);
        assert!(set_cookies(&resp).iter().all(|c| !c.starts_with("ds_web=")));
        let html = resp.text().await.expect("page");
        assert!(html.contains("Wrong user name or password"), "{html}");
    }
    // Over the account's allowance: even the right password must wait.
    let resp = v.login("erin", "pw-erin-1").await;
    assert_eq!(resp.status(), 429);
    assert!(!v.cookies.contains_key("ds_web"));
    let resp = v.get("/files").await;
    assert_eq!(resp.status(), 303);
    assert!(location(&resp).starts_with("/login"));
});

dual!(login_redirects_only_to_this_site, |b| async move {
    let s = Server::start(b).await;
    s.create_user("nora", "pw-nora-1");
    // Browsers drop tabs and newlines from a Location, so `/\t/evil.example/`
    // would go to //evil.example/.
    let hostile = [
        "/\t/evil.example/",
        "/\n/evil.example/",
        "\t//evil.example/",
        "/ /evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "https://evil.example/",
    ];
    for next in hostile {
        let mut v = Visitor::new(&s);
        let resp = v.login_then("nora", "pw-nora-1", next).await;
        assert_eq!(resp.status(), 303, "{next:?}");
        assert_eq!(location(&resp), "/files", "{next:?}");
        // Logged in already, GET /login redirects the same way.
        let resp = v.get("/login?next=/%09/evil.example/").await;
        assert_eq!(resp.status(), 303);
        assert_eq!(location(&resp), "/files");
    }
    // A path of this site is kept.
    let mut v = Visitor::new(&s);
    let resp = v.login_then("nora", "pw-nora-1", "/files?folder=0").await;
    assert_eq!(location(&resp), "/files?folder=0");
});

dual!(
    parallel_wrong_web_logins_get_only_the_allowance,
    |b| async move {
        let s = Server::start_with(
            b,
            &[
                ("DROPSPACE_LIMITS__LOGIN_FAILURES_PER_ACCOUNT", "2"),
                ("DROPSPACE_LIMITS__LOGIN_FAILURES_PER_ADDRESS", "1000"),
                ("DROPSPACE_LIMITS__LOGIN_DELAY_SECS", "600"),
            ],
        )
        .await;
        s.create_user("paula", "pw-paula-1");
        let mut v = Visitor::new(&s);
        let csrf = v.csrf("/login").await;
        let cookies = v.cookie_header();
        let tries = (0..20).map(|i| {
            let (s, csrf, cookies) = (&s, &csrf, &cookies);
            async move {
                let password = format!("guess-{i}");
                let resp = s
                    .http
                    .post(s.url("/login"))
                    .header("cookie", cookies.as_str())
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("user_name", "paula"),
                        ("password", &password),
                    ])
                    .send()
                    .await
                    .expect("POST");
                resp.status().as_u16()
            }
        });
        let statuses = futures::future::join_all(tries).await;
        // 403 tells a guess was wrong; 429 tells nothing.
        let told = statuses.iter().filter(|&&c| c == 403).count();
        assert!(
            told <= 2,
            "{told} of 20 parallel guesses were told: {statuses:?}"
        );
        assert!(
            statuses.iter().all(|&c| c == 403 || c == 429),
            "{statuses:?}"
        );
        let resp = v.login("paula", "pw-paula-1").await;
        assert_eq!(resp.status(), 429);
        assert!(!v.cookies.contains_key("ds_web"));
    }
);

dual!(logout_ends_the_session_everywhere, |b| async move {
    let s = Server::start(b).await;
    s.create_user("frank", "pw-frank-1");
    let mut v = Visitor::new(&s);
    let resp = v.login("frank", "pw-frank-1").await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/files");
    let token = v.cookies.get("ds_web").cloned().expect("session cookie");
    // Stored hashed, never in clear.
    let pool = db(&s).await;
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM web_sessions")
        .fetch_all(&pool)
        .await
        .expect("rows");
    assert_eq!(stored, vec![sha256_hex(&token)]);
    assert_eq!(v.get("/files").await.status(), 200);

    // A second node sees the same login.
    let node2 = s.another_node().await;
    let resp = node2
        .http
        .get(node2.url("/files"))
        .header("cookie", format!("ds_web={token}"))
        .send()
        .await
        .expect("GET");
    assert_eq!(resp.status(), 200);

    // Logout needs the token too.
    assert_eq!(v.post("/logout", &[("csrf", "nope")]).await.status(), 403);
    let csrf = v.csrf("/files").await;
    let resp = v.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(resp.status(), 303);
    let cleared = set_cookies(&resp)
        .into_iter()
        .find(|c| c.starts_with("ds_web="))
        .expect("cookie cleared");
    assert!(cleared.starts_with("ds_web=;"), "{cleared}");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM web_sessions")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(count, 0);
    pool.close().await;
    // The old cookie, replayed, opens nothing on any node.
    for node in [&s, &node2] {
        let resp = node
            .http
            .get(node.url("/files"))
            .header("cookie", format!("ds_web={token}"))
            .send()
            .await
            .expect("GET");
        assert_eq!(resp.status(), 303);
        assert!(location(&resp).starts_with("/login"));
    }
});

fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

fn assert_cookie_attrs(cookie: &str, secure: bool) {
    let attrs: Vec<String> = cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    for want in ["httponly", "samesite=lax", "path=/"] {
        assert!(attrs.iter().any(|a| a == want), "{want} in {cookie}");
    }
    assert_eq!(attrs.iter().any(|a| a == "secure"), secure, "{cookie}");
}

dual!(web_login_by_email, |b| async move {
    let s = Server::start(b).await;
    s.create_user("ivy", "pw-ivy-1");
    let mut v = Visitor::new(&s);
    let resp = v.login("IVY@Example.com", "pw-ivy-1").await;
    assert_eq!(resp.status(), 303);
    assert!(set_cookies(&resp).iter().any(|c| c.starts_with("ds_web=")));
    let html = v.get("/files").await.text().await.expect("page");
    assert!(
        html.contains("<a href=\"/account\" id=\"whoami\"><b>ivy</b></a>"),
        "{html}"
    );
    let mut w = Visitor::new(&s);
    assert_eq!(w.login("ivy@example.com", "pw-wrong-1").await.status(), 403);
});

dual!(cookies_have_safe_attributes, |b| async move {
    let s = Server::start(b).await;
    s.create_user("gina", "pw-gina-1");
    let mut v = Visitor::new(&s);
    let first = v.get("/login").await;
    let visitor = set_cookies(&first)
        .into_iter()
        .find(|c| c.starts_with("ds_visitor="))
        .expect("visitor cookie");
    assert_cookie_attrs(&visitor, false);
    let resp = v.login("gina", "pw-gina-1").await;
    let session = set_cookies(&resp)
        .into_iter()
        .find(|c| c.starts_with("ds_web="))
        .expect("session cookie");
    assert_cookie_attrs(&session, false);

    // Behind https, every cookie is Secure.
    let https =
        Server::start_with(b, &[("DROPSPACE_PUBLIC_URL", "https://files.example.test")]).await;
    https.create_user("gina", "pw-gina-1");
    let mut v = Visitor::new(&https);
    let first = v.get("/login").await;
    let visitor = set_cookies(&first)
        .into_iter()
        .find(|c| c.starts_with("ds_visitor="))
        .expect("visitor cookie");
    assert_cookie_attrs(&visitor, true);
    let resp = v.login("gina", "pw-gina-1").await;
    let session = set_cookies(&resp)
        .into_iter()
        .find(|c| c.starts_with("ds_web="))
        .expect("session cookie");
    assert_cookie_attrs(&session, true);
});

dual!(user_values_are_escaped, |b| async move {
    let s = Server::start(b).await;
    s.create_user("hank", "pw-hank-1");
    let session = s.login("hank", "pw-hank-1").await;
    seed_file(&s, "hank", "<img src=x onerror=alert(1)>.txt", b"x").await;
    mkdir(&s, &session, "<b>\"folder\"</b>", "0", "1").await;
    let mut v = Visitor::new(&s);
    v.login("hank", "pw-hank-1").await;
    let html = v.get("/files").await.text().await.expect("page");
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;.txt"),
        "{html}"
    );
    assert!(
        html.contains("&lt;b&gt;&quot;folder&quot;&lt;/b&gt;"),
        "{html}"
    );
    // `next` never leads off the site.
    let mut fresh = Visitor::new(&s);
    let resp = fresh
        .login_then("hank", "pw-hank-1", "//evil.example/")
        .await;
    assert_eq!(location(&resp), "/files");
});

// The logged-in upload through the page's endpoints, over plain HTTP: the
// file lands in the user's account and the links come back.
dual!(logged_in_upload_goes_to_the_account, |b| async move {
    let s = Server::start(b).await;
    s.create_user("ivy", "pw-ivy-1");
    let mut v = Visitor::new(&s);
    v.login("ivy", "pw-ivy-1").await;
    let csrf = v.csrf("/upload").await;
    let offer = json(v.post("/upload/new", &[("csrf", &csrf)]).await).await;
    assert_eq!(offer["anonymous"], false);
    let ident = offer["upload_identifier"].as_str().expect("ident");
    let form = reqwest::multipart::Form::new()
        .text(
            "extra_info",
            offer["extra_info"].as_str().expect("extra").to_string(),
        )
        .text("description", "from the page")
        .part(
            "userfile",
            reqwest::multipart::Part::bytes(b"hello page".to_vec()).file_name("hi.txt"),
        );
    let answer = send_form(&s, &s.url(&format!("/upload/{ident}")), form).await;
    assert_eq!(kv_get(&answer, "upload_status"), "ok");
    let file_id = kv_get(&answer, "file_id");
    let links = json(
        v.post("/upload/links", &[("csrf", &csrf), ("file_id", &file_id)])
            .await,
    )
    .await;
    assert_eq!(links["download_url"], s.url(&format!("/file/{file_id}")));
    assert!(links["delete_url"]
        .as_str()
        .expect("delete url")
        .starts_with(&s.url(&format!("/delete/{file_id}/"))));
    let session = s.login("ivy", "pw-ivy-1").await;
    let info = api(&s, &session, "files.getInfo", &[("file_id", &file_id)]).await;
    assert_eq!(
        info.attr("file", "description").as_deref(),
        Some("from the page")
    );
    // Another user gets no links to it.
    s.create_user("jack", "pw-jack-1");
    let mut w = Visitor::new(&s);
    w.login("jack", "pw-jack-1").await;
    let theirs = w.csrf("/upload").await;
    let resp = w
        .post("/upload/links", &[("csrf", &theirs), ("file_id", &file_id)])
        .await;
    assert_eq!(resp.status(), 404);
});

// The page uploads through tus in chunks: a server killed (SIGKILL) and
// started again mid-upload is waited for and the upload completes by
// itself; after a reload, picking the same file again continues its
// upload instead of starting over. Byte-exact files, one tus upload each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resumable_upload_in_the_browser_survives_a_restart_and_a_reload() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let env = [
        ("DROPSPACE_TUS__CHUNK_BYTES", "65536"),
        ("DROPSPACE_LIMITS__UPLOAD_IDLE_SECS", "1"),
    ];
    let mut s = Server::start_with(Backend::Sqlite, &env).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = pattern(32 << 20, 3);
    let path = temp_file(dir.path(), "video.mp4", &bytes);

    c.goto(&s.url("/")).await.expect("upload page");
    start_upload(&c, &[&path]).await;
    eventually("the first chunks acknowledged", async || {
        tus_offset(&s).await > 0
    })
    .await;
    let s = s.kill_and_restart().await;
    let link = finished_upload_within(&c, 0, 120).await;
    screenshot(&c, "resumed-upload.png").await;
    assert!(download_via_page(&s, &c, &link).await == bytes);

    // A reload mid-upload, then the same file again: the upload continues.
    let second = pattern(32 << 20, 4);
    let path = temp_file(dir.path(), "backup.tar", &second);
    c.goto(&s.url("/")).await.expect("upload page");
    start_upload(&c, &[&path]).await;
    eventually("the second upload under way", async || {
        tus_offset(&s).await > 0
    })
    .await;
    // The picture for docs/: a bar under way, with its speed and time left.
    until(
        &c,
        "document.querySelector('#result-0 progress').value > 0\
         && document.querySelector('#result-0 .speed').textContent !== ''",
        "the bar moving",
    )
    .await;
    screenshot(&c, "upload-in-progress.png").await;
    c.refresh().await.expect("reload");
    let cut = tus_offset(&s).await;
    assert!(cut < second.len() as i64, "finished before the reload");
    start_upload(&c, &[&path]).await;
    let link = finished_upload_within(&c, 0, 120).await;
    assert!(download_via_page(&s, &c, &link).await == second);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM tus_uploads").await, 2);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 2);

    // Cancel: the upload ends on the server at once.
    let third = temp_file(dir.path(), "third.bin", &pattern(32 << 20, 5));
    c.goto(&s.url("/")).await.expect("upload page");
    start_upload(&c, &[&third]).await;
    eventually("the third upload under way", async || {
        tus_offset(&s).await > 0
    })
    .await;
    press(&c, "#result-0 .cancel").await;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#result-0.failed"))
        .await
        .expect("cancelled");
    assert_eq!(text_of(&c, "#result-0 .msg").await, "Cancelled.");
    eventually("the cancelled upload terminated", async || {
        count(&s, "SELECT COUNT(*) FROM tus_uploads WHERE file_id = ''").await == 0
    })
    .await;
    c.close().await.expect("close browser");
}

// The page behind nginx capping request bodies at 100 MB: a 2 GiB file in
// chunks of `tus.chunk_bytes`' default (50 MiB), the server killed
// (SIGKILL) mid-way and started again; the page completes the upload by
// itself, byte-exact, and the restarted server's memory stays flat.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_gib_through_a_100m_proxy_from_the_page() {
    if s3_mode() {
        return;
    }
    let Some((_driver, c)) = browser().await else {
        return;
    };
    // `first` owns the data directory the restarted server shares.
    let Some((mut first, proxy)) = common::proxy::behind_nginx(Backend::Sqlite).await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("film.mkv");
    let want = common::proxy::big_file(&path, 3);
    c.goto(&format!("{}/", proxy.base))
        .await
        .expect("upload page");
    start_upload(&c, &[&path]).await;
    let (s, baseline) = common::proxy::kill_mid_upload(&mut first).await;
    let link = finished_upload_within(&c, 0, 900).await;
    common::proxy::memory_stayed_flat(&s, baseline);
    let file_id = link.rsplit('/').next().expect("file id");
    assert_eq!(common::proxy::stored_checksum(&s, file_id).await, want);
    c.close().await.expect("close browser");
}

// Virus scanning (docs/scanning.md) as the page shows it, against a real
// clamd with signatures of its own: a refused file shows the server's
// text; a file stored in quarantine says it is being scanned, and its
// link works once the background scan found it clean.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_refusals_and_quarantine_in_the_page() {
    use common::clamd::{Clamd, EICAR, EICAR_NAME};
    let Some(clamd) = Clamd::start().await else {
        return;
    };
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let s = Server::start_with(
        Backend::Sqlite,
        &[
            ("DROPSPACE_SCAN__CLAMD", &clamd.unix()),
            ("DROPSPACE_SCAN__MAX_BYTES", "100000"),
        ],
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let eicar = temp_file(dir.path(), "eicar.com", EICAR);
    c.goto(&s.url("/")).await.expect("upload page");
    start_upload(&c, &[&eicar]).await;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#result-0.failed"))
        .await
        .expect("the upload is refused");
    assert_eq!(
        text_of(&c, "#result-0 .msg").await,
        format!("Failed: Virus found ({EICAR_NAME}): the file was not stored")
    );
    screenshot(&c, "scan-refused.png").await;
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 0);
    // Over scan.max_bytes: stored, hidden until clean.
    let bytes = pattern(300_000, 4);
    let big = temp_file(dir.path(), "big.bin", &bytes);
    start_upload(&c, &[&big]).await;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#result-1.done"))
        .await
        .expect("the upload is stored");
    assert_eq!(
        text_of(&c, "#result-1 .msg").await,
        "Stored. It is being scanned for viruses; its links work once it is found clean."
    );
    let link = href_of(&c, "#result-1 a.download").await;
    eventually("the quarantined file is scanned", async || {
        count(&s, "SELECT COUNT(*) FROM files WHERE quarantined > 0").await == 0
    })
    .await;
    assert!(download_via_page(&s, &c, &link).await == bytes);
    c.close().await.expect("close browser");
}

// ---------------------------------------------------------------- design

/// What the shell (docs/web.md, "Design") puts on every HTML page.
fn assert_shell(path: &str, html: &str, csp: &str) {
    for want in [
        "<html lang=\"en\" data-theme=",
        "<link rel=\"stylesheet\" href=\"/static/app.css?v=",
        "<link rel=\"icon\" href=\"/favicon.svg\"",
        "<header class=\"site-header\">",
        "<nav class=\"site-nav\" aria-label=\"Main\">",
        "<a href=\"/upload\"",
        "<a href=\"/files\"",
        "<form method=\"post\" action=\"/theme\"",
        "<form method=\"post\" action=\"/lang\"",
        "<script src=\"/static/local-time.js?v=",
        "<main id=\"main\"",
    ] {
        assert!(html.contains(want), "{path}: no {want:?} in {html}");
    }
    assert!(
        html.contains("id=\"login-link\"") || html.contains("id=\"logout\""),
        "{path}: neither log in nor log out in {html}"
    );
    assert!(
        !html.contains("<style") && !html.contains("style="),
        "{path}: inline style in {html}"
    );
    let directive = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("style-src"));
    assert_eq!(directive, Some("style-src 'self'"), "{path}: {csp}");
}

async fn shell_of(v: &mut Visitor<'_>, path: &str, status: u16) -> String {
    let resp = v.get(path).await;
    assert_eq!(resp.status(), status, "{path}");
    assert!(header(resp.headers(), "content-type").starts_with("text/html"));
    let csp = header(resp.headers(), "content-security-policy");
    let html = resp.text().await.expect("html");
    assert_shell(path, &html, &csp);
    html
}

// Every page — the public ones, the error pages (404 of an unknown route,
// 404 of an unknown id, 429 of the page rate) included — has the header
// with the navigation, log in or out, the theme toggle, the stylesheet and
// no inline style. A page that did not check the login still offers Log
// out to a visitor with a login cookie, with the token logout takes.
dual!(every_page_has_the_shell, |b| async move {
    let s = Server::start(b).await;
    s.create_user("olga", "pw-olga-1");
    let session = s.login("olga", "pw-olga-1").await;
    let file = seed_file(&s, "olga", "notes.bin", b"hello").await;
    let locked = seed_file(&s, "olga", "locked.bin", b"secret").await;
    api(
        &s,
        &session,
        "files.setInfo",
        &[("file_id", &locked), ("password", "letmein")],
    )
    .await
    .assert_ok();
    let folder = mkdir(&s, &session, "Shared stuff", "0", "1").await;
    let mut v = Visitor::new(&s);
    let pages = [
        ("/".to_string(), 200),
        ("/upload".to_string(), 200),
        ("/login".to_string(), 200),
        (format!("/file/{file}"), 200),
        (format!("/file/{locked}"), 200),
        (format!("/folder/{folder}"), 200),
        ("/activate/nope".to_string(), 404),
        ("/s/nope".to_string(), 404),
        ("/no/such/page".to_string(), 404),
    ];
    for (path, status) in &pages {
        let (path, status) = (path.as_str(), *status);
        let html = shell_of(&mut v, path, status).await;
        assert!(html.contains("id=\"login-link\""), "{path}: {html}");
        assert!(html.contains("data-theme=\"auto\""), "{path}");
    }
    // The download page's password form: a labelled field, and the error
    // inline under it.
    let resp = v
        .post(&format!("/file/{locked}"), &[("password", "nope")])
        .await;
    assert_eq!(resp.status(), 403);
    let html = resp.text().await.expect("html");
    assert!(
        html.contains("<label for=\"password\">Password</label>"),
        "{html}"
    );
    assert!(html.contains("aria-invalid=\"true\""), "{html}");
    assert!(html.contains("Wrong password."), "{html}");

    v.login("olga", "pw-olga-1").await;
    let csrf = v.csrf("/files").await;
    let folder_page = format!("/folder/{folder}");
    for path in ["/", "/files", folder_page.as_str(), "/no/such"] {
        let status = if path == "/no/such" { 404 } else { 200 };
        let html = shell_of(&mut v, path, status).await;
        assert!(html.contains("id=\"logout\""), "{path}: {html}");
        assert!(
            html.contains(&format!("name=\"csrf\" value=\"{csrf}\"")),
            "{path}: the logout form carries the login's token"
        );
    }
    let html = shell_of(&mut v, "/files", 200).await;
    assert!(
        html.contains("<a href=\"/account\" id=\"whoami\"><b>olga</b></a>"),
        "{html}"
    );
    assert!(html.contains("<a href=\"/files\" aria-current=\"page\">"));

    // The page rate's 429 (its default; the harness turns it off) is drawn
    // in the same shell.
    let limited_server =
        Server::start_with(b, &[("DROPSPACE_LIMITS__PAGE_VIEWS_PER_ADDRESS", "300")]).await;
    let mut guesser = Visitor::new(&limited_server);
    let mut limited = None;
    for _ in 0..200 {
        let resp = guesser.get("/file/zzzzzz").await;
        if resp.status() == 429 {
            let csp = header(resp.headers(), "content-security-policy");
            limited = Some((resp.text().await.expect("html"), csp));
            break;
        }
    }
    let (html, csp) = limited.expect("the page rate answers 429");
    assert_shell("429", &html, &csp);
    assert!(html.contains("Too many requests"));
});

// The theme toggle is a plain form: POST /theme remembers the choice in
// `ds_theme` and goes back to the page (a local path only, checked as the
// login's `next`); the pages then carry it as <html data-theme>.
dual!(the_theme_toggle_is_remembered_in_a_cookie, |b| async move {
    let s = Server::start(b).await;
    let mut v = Visitor::new(&s);
    let resp = v
        .post("/theme", &[("theme", "dark"), ("next", "/files?folder=0")])
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/files?folder=0");
    let cookie = set_cookies(&resp)
        .into_iter()
        .find(|c| c.starts_with("ds_theme=dark;"))
        .expect("theme cookie");
    assert_cookie_attrs(&cookie, false);
    let html = v.get("/login").await.text().await.expect("html");
    assert!(
        html.contains("<html lang=\"en\" data-theme=\"dark\">"),
        "{html}"
    );
    assert!(
        html.contains("value=\"dark\" aria-pressed=\"true\""),
        "the pressed button is the current theme: {html}"
    );
    assert!(html.contains("name=\"next\" value=\"/login\""), "{html}");

    // Only the three themes; only paths of this site.
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\t/evil.example/",
    ] {
        let resp = v
            .post("/theme", &[("theme", "light"), ("next", next)])
            .await;
        assert_eq!(location(&resp), "/", "{next:?}");
    }
    assert_eq!(v.cookies.get("ds_theme").map(String::as_str), Some("light"));
    let resp = v.post("/theme", &[("theme", "<b>"), ("next", "/")]).await;
    assert_eq!(resp.status(), 303);
    assert!(set_cookies(&resp).is_empty());
    v.cookies.insert("ds_theme".into(), "\"><script>".into());
    let html = v.get("/").await.text().await.expect("html");
    assert!(html.contains("data-theme=\"auto\""));

    // Behind https the cookie is Secure.
    let https =
        Server::start_with(b, &[("DROPSPACE_PUBLIC_URL", "https://files.example.test")]).await;
    let mut v = Visitor::new(&https);
    let resp = v.post("/theme", &[("theme", "auto"), ("next", "/")]).await;
    let cookie = set_cookies(&resp)
        .into_iter()
        .find(|c| c.starts_with("ds_theme=auto;"))
        .expect("theme cookie");
    assert_cookie_attrs(&cookie, true);

    // A login cookie the server no longer knows is cleared by Log out.
    let mut stale = Visitor::new(&s);
    stale.cookies.insert("ds_web".into(), "x".repeat(40));
    let resp = stale.post("/logout", &[("csrf", "whatever")]).await;
    assert_eq!(resp.status(), 303);
    assert!(!stale.cookies.contains_key("ds_web"));
});

// The stylesheet and the icon: from this origin, typed, nosniff, cached.
dual!(the_stylesheet_and_the_icon_are_served, |b| async move {
    let s = Server::start(b).await;
    let mut v = Visitor::new(&s);
    let html = v.get("/").await.text().await.expect("html");
    let start = html.find("/static/app.css?v=").expect("stylesheet link");
    let href = &html[start..start + html[start..].find('"').expect("href end")];
    let css = v.get(href).await;
    assert_eq!(css.status(), 200);
    assert_eq!(
        header(css.headers(), "content-type"),
        "text/css; charset=utf-8"
    );
    assert_eq!(header(css.headers(), "x-content-type-options"), "nosniff");
    assert!(header(css.headers(), "cache-control").contains("immutable"));
    let text = css.text().await.expect("css");
    // Both schemes, each colour once.
    assert!(text.contains("color-scheme: light dark") && text.contains("--accent: light-dark("));
    assert!(!text.contains("http://") && !text.contains("https://") && !text.contains("@import"));
    // Another version of the file is not cached for good.
    let old = v.get("/static/app.css?v=0").await;
    assert_eq!(header(old.headers(), "cache-control"), "no-cache");
    for path in ["/favicon.svg", "/favicon.ico"] {
        let icon = v.get(path).await;
        assert_eq!(icon.status(), 200, "{path}");
        assert_eq!(header(icon.headers(), "content-type"), "image/svg+xml");
        assert!(icon.text().await.expect("svg").starts_with("<svg"));
    }
});

/// axe-core from `tests/clients` (`npm ci` there, as scripts/test.sh
/// does), or None (skip); under CI=true its absence is a failure.
fn axe_source() -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("axe-core is required in CI (scripts/test.sh runs npm ci in tests/clients): {e}");
            }
            eprintln!("SKIPPED: run `npm ci` in tests/clients to check the pages with axe-core");
            None
        }
    }
}

/// The viewport: a phone's (mobile, under 600 px wide) or a desktop's.
async fn viewport(c: &Client, width: u32, height: u32) {
    let metrics = serde_json::json!({
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600,
    });
    cdp(c, "Emulation.setDeviceMetricsOverride", metrics).await;
    // Two frames: the new layout is done.
    c.execute_async(
        "const done = arguments[arguments.length - 1];\
         requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
        vec![],
    )
    .await
    .expect("layout");
}

const AXE_RUN: &str = "const done = arguments[arguments.length - 1];\
    axe.run(document, { preload: false, resultTypes: ['violations'] })\
      .then((r) => done({ passes: r.passes.length, violations: r.violations.map((v) => ({\
        id: v.id, impact: v.impact, help: v.help,\
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) })) }))\
      .catch((e) => done({ passes: 0, violations: [\
        { id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }] }));";

/// axe-core in the page: fails on any serious or critical violation
/// (moderate and minor ones are printed).
async fn axe_check(c: &Client, axe: &str, what: &str) {
    let loaded = c
        .execute("return typeof window.axe === 'object';", vec![])
        .await
        .expect("axe loaded?");
    if loaded != serde_json::Value::Bool(true) {
        c.execute(&format!("{axe}\n;return true;"), vec![])
            .await
            .expect("inject axe-core");
    }
    let found = c.execute_async(AXE_RUN, vec![]).await.expect("axe.run");
    // axe-core really looked: its rules found things that pass.
    assert!(found["passes"].as_u64() > Some(10), "{what}: {found}");
    let mut bad = Vec::new();
    for v in found["violations"].as_array().expect("violations") {
        let impact = v["impact"].as_str().unwrap_or("");
        let line = format!("{impact} {}: {} at {}", v["id"], v["help"], v["nodes"]);
        if impact == "serious" || impact == "critical" {
            bad.push(line);
        } else {
            eprintln!("axe, {what}: {line}");
        }
    }
    assert!(
        bad.is_empty(),
        "accessibility violations on {what}:\n{}",
        bad.join("\n")
    );
}

/// No horizontal scrolling, and no inline style attribute anywhere (the
/// CSP would block it: scripts set classes and CSSOM properties only).
async fn fits(c: &Client, what: &str) {
    let got = c
        .execute(
            "const e = document.documentElement;\
             return [e.scrollWidth, e.clientWidth, document.querySelectorAll('[style]').length];",
            vec![],
        )
        .await
        .expect("widths");
    let n = |i: usize| got[i].as_u64().expect("number");
    assert!(n(0) <= n(1), "{what} scrolls sideways: {} > {}", n(0), n(1));
    assert_eq!(n(2), 0, "{what}: elements with a style attribute");
}

async fn log_in(c: &Client, s: &Server, user: &str, password: &str) {
    c.goto(&s.url("/login")).await.expect("login page");
    for (css, text) in [("#user_name", user), ("#password", password)] {
        fill(c, css, text).await;
    }
    press(c, "#login-submit").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#whoami"))
        .await
        .expect("logged in");
}

/// Presses a theme button of the header and waits for the page again.
async fn choose_theme(c: &Client, theme: &str) {
    c.find(Locator::Css(&format!("#theme-{theme}")))
        .await
        .expect("theme button")
        .click()
        .await
        .expect("choose theme");
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&format!(
            "html[data-theme=\"{theme}\"] #theme-{theme}[aria-pressed=\"true\"]"
        )))
        .await
        .expect("theme applied");
}

/// The sizes every page is checked at: desktop and phone (screenshots),
/// and the narrowest phone we support.
const SIZES: [(u32, u32, bool); 3] = [(1280, 900, true), (390, 844, true), (360, 740, false)];

/// Visits `path` at each size: axe-core, no sideways scrolling, and a
/// screenshot `{name}-{theme}-{width}.png` at the first two.
async fn check_page(c: &Client, s: &Server, axe: &str, theme: &str, name: &str, path: &str) {
    c.goto(&s.url(path)).await.expect("page");
    light_and_local(c, name).await;
    check_here(c, axe, theme, name).await;
}

/// What a page weighs without previews, at most 150 KB (docs/web.md,
/// "Weight"), and that every request it made went to this origin.
const PAGE_BUDGET: u64 = 150_000;

async fn light_and_local(c: &Client, what: &str) {
    let got = c
        .execute(
            "const all = performance.getEntriesByType('navigation')\
               .concat(performance.getEntriesByType('resource'));\
             return all.map((e) => [e.name, e.encodedBodySize || 0, e.transferSize || 0]);",
            vec![],
        )
        .await
        .expect("resource timing");
    let origin = c
        .current_url()
        .await
        .expect("url")
        .origin()
        .ascii_serialization();
    let mut total = 0;
    for entry in got.as_array().expect("entries") {
        let url = entry[0].as_str().expect("name");
        assert!(
            url.starts_with(&format!("{origin}/")),
            "{what} asked another origin: {url}"
        );
        if url.contains("/preview/") || url.contains("/thumb") {
            continue;
        }
        // A cached file has no transfer but still counts: its body size.
        let body = entry[1].as_u64().unwrap_or(0);
        total += body.max(entry[2].as_u64().unwrap_or(0));
    }
    assert!(total > 0, "{what}: no timing entries");
    assert!(total <= PAGE_BUDGET, "{what} weighs {total} bytes");
    eprintln!("{what}: {total} bytes");
}

async fn check_here(c: &Client, axe: &str, theme: &str, name: &str) {
    for (width, height, shot) in SIZES {
        viewport(c, width, height).await;
        let what = format!("{name} ({theme}, {width} px)");
        fits(c, &what).await;
        axe_check(c, axe, &what).await;
        if shot {
            screenshot(c, &format!("{name}-{theme}-{width}.png")).await;
        }
    }
    viewport(c, 1280, 900).await;
}

// The design system in a real browser: each page — upload (anonymous and
// logged in, and with a finished upload), login, my files (empty and
// not), the download page (plain and its password form), a shared folder
// and the 404 page — in the light and the dark theme, at 1280 px and on
// phones (390 and 360 px): no serious or critical axe-core violation, no
// sideways scrolling, no inline style; screenshots of each in
// target/screenshots/ (scripts/screenshots.sh keeps a few in docs/).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_accessible_and_fit_a_phone_in_both_themes() {
    let Some(axe) = axe_source() else {
        return;
    };
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let s = Server::start(Backend::Sqlite).await;
    s.create_user("alice", "correct horse");
    s.create_user("bob", "battery staple");
    let session = s.login("alice", "correct horse").await;
    let report = seed_file(
        &s,
        "alice",
        "Quarterly-report-2026-final-version-reviewed-by-the-whole-board.xlsx",
        &pattern(180_000, 1),
    )
    .await;
    api(
        &s,
        &session,
        "files.setInfo",
        &[
            ("file_id", &report),
            (
                "description",
                "Figures for the third quarter.\nSecond line.",
            ),
        ],
    )
    .await
    .assert_ok();
    let locked = seed_file(&s, "alice", "contract.docx", b"signed").await;
    api(
        &s,
        &session,
        "files.setInfo",
        &[("file_id", &locked), ("password", "letmein")],
    )
    .await
    .assert_ok();
    let shared = mkdir(&s, &session, "Holiday photos", "0", "1").await;
    mkdir(&s, &session, "Day trips", &shared, "1").await;
    seed_file_in(&s, "alice", &shared, "itinerary.odt", &pattern(24_000, 2)).await;
    seed_file_in(&s, "alice", &shared, "tickets.zip", &pattern(900_000, 3)).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let upload = temp_file(dir.path(), "slides.key", &pattern(150_000, 4));
    let bundle = anonymous_bundle(&s, &["Slides for Monday's meeting.pdf", "notes.txt"]).await;

    for theme in ["light", "dark"] {
        c.delete_all_cookies().await.expect("no cookies");
        c.goto(&s.url("/login")).await.expect("login page");
        choose_theme(&c, theme).await;
        assert_eq!(
            c.current_url().await.expect("url").path(),
            "/login",
            "the toggle comes back to the page"
        );
        let anonymous = [
            ("upload", "/".to_string()),
            ("login", "/login".to_string()),
            ("download", format!("/file/{report}")),
            ("download-password", format!("/file/{locked}")),
            ("folder", format!("/folder/{shared}")),
            ("bundle", bundle.clone()),
            ("not-found", "/no/such/page".to_string()),
        ];
        for (name, path) in &anonymous {
            check_page(&c, &s, &axe, theme, name, path).await;
        }
        // A wrong password: the error under the field.
        c.goto(&s.url(&format!("/file/{locked}")))
            .await
            .expect("page");
        fill(&c, "#password", "wrong").await;
        press(&c, "form.card button[type=submit]").await;
        // Its check writes the throttle's row: give a loaded disk time.
        c.wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("#password-error"))
            .await
            .expect("error shown");
        check_here(&c, &axe, theme, "download-wrong-password").await;

        log_in(&c, &s, "bob", "battery staple").await;
        check_page(&c, &s, &axe, theme, "my-files-empty", "/files").await;
        press(&c, "#logout").await;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("#login-link"))
            .await
            .expect("logged out");

        log_in(&c, &s, "alice", "correct horse").await;
        check_page(&c, &s, &axe, theme, "upload-user", "/upload").await;
        check_page(&c, &s, &axe, theme, "my-files", "/files").await;
        // A finished upload: links with copy buttons named for the file.
        c.goto(&s.url("/upload")).await.expect("upload page");
        upload_in_page(&c, &upload, 0).await;
        let copy = c
            .find(Locator::Css("#result-0 .link-row button.copy"))
            .await
            .expect("copy button")
            .attr("aria-label")
            .await
            .expect("label");
        assert_eq!(copy.as_deref(), Some("Copy download link for slides.key"));
        // Read out, not shown: the live region is visually hidden.
        let announced = c
            .execute(
                "return document.getElementById('announce').textContent;",
                vec![],
            )
            .await
            .expect("announced");
        assert_eq!(announced, serde_json::json!("slides.key: Done."));
        check_here(&c, &axe, theme, "upload-done").await;
        // The whole page, header to links, for docs/.
        viewport(&c, 1280, 1180).await;
        c.execute("window.scrollTo(0, 0);", vec![])
            .await
            .expect("scroll");
        screenshot(&c, &format!("upload-done-tall-{theme}-1280.png")).await;
        viewport(&c, 1280, 900).await;
    }

    // No cookie: the system's preference decides.
    c.delete_all_cookies().await.expect("no cookies");
    let dark =
        serde_json::json!({ "features": [{ "name": "prefers-color-scheme", "value": "dark" }] });
    cdp(&c, "Emulation.setEmulatedMedia", dark).await;
    c.goto(&s.url("/upload")).await.expect("upload page");
    let background = c
        .execute(
            "return [document.documentElement.dataset.theme, getComputedStyle(document.body).backgroundColor];",
            vec![],
        )
        .await
        .expect("theme");
    assert_eq!(background, serde_json::json!(["auto", "rgb(14, 19, 24)"]));
    axe_check(&c, &axe, "upload (auto, system dark)").await;
    c.close().await.expect("close browser");
}

/// My files in the browser (docs/my-files.md): a folder made, two files
/// moved into it with the bulk form, one's expiry and limit edited, the
/// other deleted through its confirmation; accessible and phone-wide.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_files_folders_bulk_move_edit_and_delete_in_the_browser() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let Some(axe) = axe_source() else {
        return;
    };
    let s = Server::start(Backend::Sqlite).await;
    s.create_user("maren", "pw-maren-1");
    let session = s.login("maren", "pw-maren-1").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let first = temp_file(dir.path(), "plan.txt", b"the plan");
    let second = temp_file(dir.path(), "notes.txt", b"some notes");
    log_in(&c, &s, "maren", "pw-maren-1").await;
    c.goto(&s.url("/upload")).await.expect("upload page");
    let one = upload_in_page(&c, &first, 0).await;
    let two = upload_in_page(&c, &second, 1).await;
    let id = |link: &str| link.rsplit('/').next().expect("id").to_string();
    let (one, two) = (id(&one), id(&two));

    c.goto(&s.url("/files")).await.expect("my files");
    fill(&c, "#new-folder-name", "Trip").await;
    press(&c, "#create-folder").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#listing tr.folder"))
        .await
        .expect("the new folder");
    let folder = c
        .find(Locator::Css("#listing tr.folder"))
        .await
        .expect("folder row")
        .attr("data-id")
        .await
        .expect("attr")
        .expect("data-id");

    // The script's select-all box picks both; the form moves them.
    press(&c, "#select-all").await;
    assert_eq!(text_of(&c, "#picked").await, "2 files selected");
    press(&c, &format!("#bulk-target option[value=\"{folder}\"]")).await;
    press(&c, "#bulk-move").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#empty, #listing tr.folder"))
        .await
        .expect("back to the list");
    for file in [&one, &two] {
        let x = api(&s, &session, "files.getInfo", &[("file_id", file)]).await;
        assert_eq!(
            x.attr("file", "folder_id").as_deref(),
            Some(folder.as_str())
        );
    }

    let in_folder = s.url(&format!("/files?folder={folder}"));
    c.goto(&in_folder).await.expect("the folder");
    assert_eq!(text_of(&c, "#folder-name").await, "Trip");
    assert_eq!(
        c.find_all(Locator::Css("#listing tr.file"))
            .await
            .expect("rows")
            .len(),
        2
    );
    viewport(&c, 1280, 900).await;
    axe_check(&c, &axe, "my files, a folder").await;
    fits(&c, "my files, a folder").await;
    screenshot(&c, "my-files-folder-light-1280.png").await;
    choose_theme(&c, "dark").await;
    axe_check(&c, &axe, "my files, a folder (dark)").await;
    screenshot(&c, "my-files-folder-dark-1280.png").await;

    // Edit one: a day's expiry and a limit of 5 downloads.
    c.goto(&s.url(&format!("/files/file?id={one}")))
        .await
        .expect("edit page");
    axe_check(&c, &axe, "file edit page (dark)").await;
    screenshot(&c, "my-files-edit-dark-1280.png").await;
    press(&c, "#expiry option[value=\"86400\"]").await;
    fill(&c, "#downloads_limit", "5").await;
    press(&c, "#save").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#saved"))
        .await
        .expect("saved");
    assert_eq!(text_of(&c, "#downloads").await, "0 of 5");
    let x = api(&s, &session, "files.getInfo", &[("file_id", &one)]).await;
    assert_eq!(x.attr("file", "time_limit").as_deref(), Some("86400"));
    assert_eq!(x.attr("file", "download_limit").as_deref(), Some("5"));

    // Delete the other through its confirmation.
    c.goto(&in_folder).await.expect("the folder");
    press(&c, &format!("tr.file[data-id=\"{two}\"] a.delete")).await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#confirm-delete"))
        .await
        .expect("confirmation page");
    axe_check(&c, &axe, "delete confirmation (dark)").await;
    press(&c, "#confirm-delete").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&format!("tr.file[data-id=\"{one}\"]")))
        .await
        .expect("back in the folder");
    assert!(c
        .find_all(Locator::Css(&format!("tr.file[data-id=\"{two}\"]")))
        .await
        .expect("rows")
        .is_empty());
    api(&s, &session, "files.getInfo", &[("file_id", &two)])
        .await
        .assert_error(9);

    // A phone.
    viewport(&c, 390, 844).await;
    fits(&c, "my files at 390").await;
    axe_check(&c, &axe, "my files at 390 (dark)").await;
    screenshot(&c, "my-files-folder-dark-390.png").await;
    viewport(&c, 360, 740).await;
    fits(&c, "my files at 360").await;
    c.goto(&s.url(&format!("/files/file?id={one}")))
        .await
        .expect("edit page");
    fits(&c, "file edit page at 360").await;
    c.close().await.expect("close browser");
}

// The pages in German (docs/languages.md): chosen with the header's
// chooser, an upload's result and its download page in German, the page's
// script under `script-src 'self'` with its words from the #i18n data
// block, and dates rewritten into the browser's time zone (Asia/Tokyo,
// UTC+9) by local-time.js, the UTC text kept in the title.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_speak_german_in_the_viewers_time_zone() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let axe = axe_source();
    let s = Server::start(Backend::Sqlite).await;
    cdp(
        &c,
        "Emulation.setTimezoneOverride",
        serde_json::json!({ "timezoneId": "Asia/Tokyo" }),
    )
    .await;
    // Every CSP violation of every page, noted before the page's own
    // scripts run (a DevTools script is not under the page's CSP).
    cdp(
        &c,
        "Page.addScriptToEvaluateOnNewDocument",
        serde_json::json!({ "source": "window.cspViolations = [];\
            document.addEventListener('securitypolicyviolation', (e) =>\
              window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));" }),
    )
    .await;
    c.goto(&s.url("/upload")).await.expect("upload page");
    press(&c, "#lang-de").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(
            "html[lang=\"de\"] #lang-de[aria-pressed=\"true\"]",
        ))
        .await
        .expect("German chosen");
    assert_eq!(
        text_of(&c, "#drop .drop-title").await,
        "Dateien hier ablegen"
    );
    assert_eq!(text_of(&c, "#start").await, "Hochladen");
    let violations = c
        .execute("return window.cspViolations;", vec![])
        .await
        .expect("violations");
    assert_eq!(violations, serde_json::json!([]), "CSP violations");
    screenshot(&c, "de-upload.png").await;
    if let Some(axe) = &axe {
        axe_check(&c, axe, "upload page in German").await;
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let path = temp_file(
        dir.path(),
        "Bericht.txt",
        "Hallo Welt.\n".repeat(128).as_bytes(),
    );
    start_upload(&c, &[&path]).await;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#result-0.done, #result-0.failed"))
        .await
        .expect("upload finished");
    assert_eq!(text_of(&c, "#result-0 .msg").await, "Fertig.");
    assert_eq!(text_of(&c, "#result-0 .size").await, "1,5 KB");
    let copy = c
        .find(Locator::Css("#result-0 button.copy"))
        .await
        .expect("copy button");
    assert_eq!(
        copy.attr("aria-label").await.expect("label").as_deref(),
        Some("Download-Link für Bericht.txt kopieren")
    );
    let link = href_of(&c, "#result-0 a.download").await;

    c.goto(&link).await.expect("download page");
    assert_eq!(text_of(&c, "#download").await, "Herunterladen");
    assert_eq!(text_of(&c, "#size").await, "1,5 KB (1536 Bytes)");
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("time[data-local]"))
        .await
        .expect("local-time.js rewrote the date");
    let time = c
        .find(Locator::Css("time[data-local]"))
        .await
        .expect("time");
    let shown = time.text().await.expect("text");
    let title = time.attr("title").await.expect("title").unwrap_or_default();
    let at = time.attr("datetime").await.expect("dt").unwrap_or_default();
    assert!(title.ends_with(" UTC"), "{title}");
    assert_ne!(shown, title);
    // "2026-12-03T18:17:00Z" is 03:17 the next day in Tokyo.
    let hour: u32 = at[11..13].parse().expect("hour");
    let tokyo = format!("{:02}:{}", (hour + 9) % 24, &at[14..16]);
    assert!(
        shown.contains(&tokyo),
        "{shown} is not Tokyo's {tokyo} for {at}"
    );
    let violations = c
        .execute("return window.cspViolations;", vec![])
        .await
        .expect("violations");
    assert_eq!(violations, serde_json::json!([]), "CSP violations");
    screenshot(&c, "de-download.png").await;
    if let Some(axe) = &axe {
        axe_check(&c, axe, "download page in German").await;
    }
    c.close().await.expect("close browser");
}
