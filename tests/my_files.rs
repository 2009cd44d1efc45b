//! My files (`/files` and its edit pages, docs/my-files.md) over plain
//! HTTP with a cookie-keeping visitor: every change is read back through
//! the REST API, which the pages share their domain calls with.

mod common;

use std::time::{Duration, Instant};

use common::web::{csrf_in, Visitor};
use common::*;

fn sel(q: &str) -> scraper::Selector {
    scraper::Selector::parse(q).expect("selector")
}

/// The `data-id`s of the listing's rows of `class` (file or folder), in order.
fn rows(html: &str, class: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    doc.select(&sel(&format!("#listing tr.{class}")))
        .filter_map(|e| e.value().attr("data-id").map(str::to_string))
        .collect()
}

fn text_of(html: &str, css: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    doc.select(&sel(css))
        .next()
        .unwrap_or_else(|| panic!("no {css} in {html}"))
        .text()
        .collect::<String>()
        .trim()
        .to_string()
}

async fn page(v: &mut Visitor<'_>, path: &str) -> String {
    let resp = v.get(path).await;
    assert_eq!(resp.status(), 200, "{path}");
    resp.text().await.expect("page")
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Posts the file edit form of `id` with `fields`.
async fn save(
    v: &mut Visitor<'_>,
    csrf: &str,
    id: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = vec![("csrf", csrf), ("id", id)];
    form.extend_from_slice(fields);
    v.post("/files/file", &form).await
}

async fn logged_in<'a>(s: &'a Server, name: &str) -> (Visitor<'a>, String, String) {
    let session = s.user_session(name).await;
    let mut v = Visitor::new(s);
    assert_eq!(v.login(name, "secret123").await.status(), 303);
    let csrf = v.csrf("/files").await;
    (v, session, csrf)
}

dual!(
    folders_are_created_renamed_moved_shared_and_deleted,
    |b| async move {
        let s = Server::start(b).await;
        let (mut v, a, csrf) = logged_in(&s, "fern").await;

        let resp = v
            .post(
                "/files/folder/new",
                &[("csrf", &csrf), ("name", "Photos"), ("folder", "0")],
            )
            .await;
        assert_eq!(resp.status(), 303);
        assert_eq!(location(&resp), "/files");
        let html = page(&mut v, "/files").await;
        let photos = rows(&html, "folder").pop().expect("a folder row");
        let info = api(&s, &a, "folders.getInfo", &[("folder_id", &photos)]).await;
        assert_eq!(info.attr("folder", "name").as_deref(), Some("Photos"));
        // An empty name is the API's 21.
        let resp = v
            .post(
                "/files/folder/new",
                &[("csrf", &csrf), ("name", "  "), ("folder", "0")],
            )
            .await;
        assert_eq!(resp.status(), 400);
        assert!(resp.text().await.expect("page").contains("(error 21)"));

        // A sub-folder, shown with breadcrumbs from the root.
        v.post(
            "/files/folder/new",
            &[("csrf", &csrf), ("name", "2024"), ("folder", &photos)],
        )
        .await;
        let html = page(&mut v, &format!("/files?folder={photos}")).await;
        let sub = rows(&html, "folder").pop().expect("sub-folder");
        let html = page(&mut v, &format!("/files?folder={sub}")).await;
        let crumbs: Vec<String> = scraper::Html::parse_document(&html)
            .select(&sel("nav.breadcrumbs li"))
            .map(|e| e.text().collect::<String>())
            .collect();
        assert_eq!(crumbs, ["My files", "Photos", "2024"]);
        assert_eq!(text_of(&html, "#folder-name"), "2024");

        // Rename and move to the top; a move under itself is the API's refusal.
        let resp = v
            .post(
                "/files/folder",
                &[
                    ("csrf", &csrf),
                    ("id", &sub),
                    ("name", "Summer"),
                    ("parent", "0"),
                ],
            )
            .await;
        assert_eq!(resp.status(), 303);
        let info = api(&s, &a, "folders.getInfo", &[("folder_id", &sub)]).await;
        assert_eq!(info.attr("folder", "name").as_deref(), Some("Summer"));
        assert_eq!(
            info.attr("folder", "parent_folder_id").as_deref(),
            Some("0")
        );
        let resp = v
            .post(
                "/files/folder",
                &[
                    ("csrf", &csrf),
                    ("id", &photos),
                    ("name", "Photos"),
                    ("parent", &photos),
                ],
            )
            .await;
        assert_eq!(resp.status(), 400);

        // Share on, its public link and QR code on the edit page; then off.
        let resp = v
            .post(
                "/files/share",
                &[
                    ("csrf", &csrf),
                    ("folder_id", &photos),
                    ("shared", "1"),
                    ("next", "edit"),
                ],
            )
            .await;
        assert_eq!(location(&resp), format!("/files/folder?id={photos}"));
        let info = api(&s, &a, "folders.getInfo", &[("folder_id", &photos)]).await;
        assert_eq!(info.attr("folder", "shared").as_deref(), Some("1"));
        let html = page(&mut v, &format!("/files/folder?id={photos}")).await;
        assert!(text_of(&html, "#public-link").ends_with(&format!("/folder/{photos}")));
        assert!(html.contains(&format!("/folder/{photos}/qr.svg")));
        v.post(
            "/files/share",
            &[("csrf", &csrf), ("folder_id", &photos), ("shared", "0")],
        )
        .await;
        let info = api(&s, &a, "folders.getInfo", &[("folder_id", &photos)]).await;
        assert_eq!(info.attr("folder", "shared").as_deref(), Some("0"));

        // Delete: the confirmation says what goes, then all of it goes.
        seed_file_in(&s, "fern", &photos, "a.txt", b"12345").await;
        v.post(
            "/files/folder/new",
            &[("csrf", &csrf), ("name", "inner"), ("folder", &photos)],
        )
        .await;
        let inner = rows(
            &page(&mut v, &format!("/files?folder={photos}")).await,
            "folder",
        )
        .pop()
        .expect("inner");
        let deep = seed_file_in(&s, "fern", &inner, "b.txt", b"67890").await;
        let html = page(&mut v, &format!("/files/folder/delete?id={photos}")).await;
        assert_eq!(
            text_of(&html, "#confirm-count"),
            "It holds 2 files (10 bytes) and 1 folder: they are deleted with it. \
         They stay in your trash for a while and can be restored from there."
        );
        let resp = v
            .post("/files/folder/delete", &[("csrf", &csrf), ("id", &photos)])
            .await;
        assert_eq!(resp.status(), 303);
        assert_eq!(location(&resp), "/files");
        api(&s, &a, "folders.getInfo", &[("folder_id", &photos)])
            .await
            .assert_error(10);
        api(&s, &a, "files.getInfo", &[("file_id", &deep)])
            .await
            .assert_error(9);
        let html = page(&mut v, "/files").await;
        assert_eq!(rows(&html, "folder"), [sub]);
    }
);

dual!(a_file_is_edited_field_by_field, |b| async move {
    let s = Server::start_with(
        b,
        &[("DROPSPACE_TIERS__LITE__MAX_TIME_LIMIT_SECS", "604800")],
    )
    .await;
    let (mut v, a, csrf) = logged_in(&s, "gus").await;
    let id = seed_file(&s, "gus", "report.txt", b"hello").await;
    let folder = mkdir(&s, &a, "Work", "0", "0").await;
    let html = page(&mut v, &format!("/files/file?id={id}")).await;
    assert!(text_of(&html, "#link").ends_with(&format!("/file/{id}")));
    assert!(html.contains(&format!("src=\"/file/{id}/qr.svg\"")));
    // Only the tier's choices (a week at most, no "never").
    let choices: Vec<String> = scraper::Html::parse_document(&html)
        .select(&sel("#expiry option"))
        .map(|o| o.value().attr("value").unwrap_or("").to_string())
        .collect();
    assert_eq!(choices, ["", "3600", "86400", "604800"]);

    let info = |x: &Xml, attr: &str| x.attr("file", attr).unwrap_or_default();

    let resp = save(
        &mut v,
        &csrf,
        &id,
        &[
            ("name", "final report.txt"),
            ("description", "the final one"),
            ("password", "open sesame"),
            ("expiry", "86400"),
            ("downloads_limit", "3"),
            ("limit_action", "2"),
            ("folder", &folder),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), format!("/files/file?id={id}&saved=1"));
    let x = api(&s, &a, "files.getInfo", &[("file_id", &id)]).await;
    assert_eq!(info(&x, "name"), "final report.txt");
    assert_eq!(info(&x, "description"), "the final one");
    assert_eq!(info(&x, "password"), "open sesame");
    assert_eq!(info(&x, "time_limit"), "86400");
    assert_eq!(info(&x, "download_limit"), "3");
    assert_eq!(info(&x, "limit_action"), "2");
    assert_eq!(info(&x, "folder_id"), folder);
    let html = page(&mut v, &format!("/files/file?id={id}&saved=1")).await;
    assert_eq!(text_of(&html, "#saved"), "Saved.");
    assert_eq!(text_of(&html, "#downloads"), "0 of 3");

    // Clearing: the password and the limit.
    let resp = save(
        &mut v,
        &csrf,
        &id,
        &[("clear_password", "1"), ("downloads_limit", "")],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let x = api(&s, &a, "files.getInfo", &[("file_id", &id)]).await;
    assert_eq!(info(&x, "password"), "");
    assert_eq!(info(&x, "download_limit"), "0");
    assert_eq!(info(&x, "name"), "final report.txt");

    // Over the tier's longest expiry: the API's text, inline.
    let resp = save(&mut v, &csrf, &id, &[("expiry", "2592000")]).await;
    assert_eq!(resp.status(), 400);
    let html = resp.text().await.expect("page");
    assert!(
        text_of(&html, "#error").contains(
            "Invalid value for parameter time_limit: at most 604800 seconds for this account"
        ),
        "{html}"
    );
    assert!(html.contains("id=\"edit-file\""));
    // "Never" is not within a tier with a maximum either.
    let resp = save(&mut v, &csrf, &id, &[("expiry", "0")]).await;
    assert_eq!(resp.status(), 400);
    // A name too long is the API's 21.
    let resp = save(&mut v, &csrf, &id, &[("name", &"x".repeat(300))]).await;
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.expect("page").contains("(error 21)"));
    let x = api(&s, &a, "files.getInfo", &[("file_id", &id)]).await;
    assert_eq!(info(&x, "time_limit"), "86400");
});

dual!(
    several_files_move_delete_and_mail_together,
    |b| async move {
        let s = Server::start(b).await;
        let (mut v, a, csrf) = logged_in(&s, "hal").await;
        let one = seed_file(&s, "hal", "one.txt", b"1").await;
        let two = seed_file(&s, "hal", "two.txt", b"22").await;
        let three = seed_file(&s, "hal", "three.txt", b"333").await;
        let box_ = mkdir(&s, &a, "Box", "0", "0").await;

        let resp = v
            .post(
                "/files/bulk",
                &[
                    ("csrf", &csrf),
                    ("file_id", &one),
                    ("file_id", &two),
                    ("action", "move"),
                    ("target", &box_),
                    ("folder", "0"),
                ],
            )
            .await;
        assert_eq!(resp.status(), 303);
        let html = page(&mut v, &format!("/files?folder={box_}")).await;
        let mut moved = rows(&html, "file");
        moved.sort();
        let mut want = vec![one.clone(), two.clone()];
        want.sort();
        assert_eq!(moved, want);
        assert_eq!(
            rows(&page(&mut v, "/files").await, "file"),
            [three.as_str()]
        );

        // Mail: a form first, then one mail with both links.
        let resp = v
            .post(
                "/files/bulk",
                &[
                    ("csrf", &csrf),
                    ("file_id", &one),
                    ("file_id", &two),
                    ("action", "mail"),
                    ("folder", &box_),
                ],
            )
            .await;
        assert_eq!(resp.status(), 200);
        let html = resp.text().await.expect("page");
        assert!(html.contains("id=\"mail-form\""));
        let resp = v
            .post(
                "/files/mail",
                &[
                    ("csrf", &csrf),
                    ("file_id", &format!("{one},{two}")),
                    ("emails", "not an address"),
                ],
            )
            .await;
        assert_eq!(resp.status(), 400);
        assert!(resp.text().await.expect("page").contains("(error 24)"));
        let resp = v
            .post(
                "/files/mail",
                &[
                    ("csrf", &csrf),
                    ("file_id", &format!("{one},{two}")),
                    ("emails", "friend@example.org"),
                    ("message", "here they are"),
                ],
            )
            .await;
        assert_eq!(resp.status(), 200);
        let deadline = Instant::now() + Duration::from_secs(10);
        let mail = loop {
            if let Some(m) = s.outbox().into_iter().next() {
                break m;
            }
            assert!(Instant::now() < deadline, "no mail");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert!(mail.contains(&format!("/file/{one}")), "{mail}");
        assert!(mail.contains(&format!("/file/{two}")), "{mail}");

        // Delete: the confirmation lists the files; then the rows are gone.
        let resp = v
            .post(
                "/files/bulk",
                &[
                    ("csrf", &csrf),
                    ("file_id", &one),
                    ("file_id", &two),
                    ("action", "delete"),
                    ("folder", &box_),
                ],
            )
            .await;
        assert_eq!(resp.status(), 200);
        let html = resp.text().await.expect("page");
        assert_eq!(text_of(&html, "#confirm-question"), "Delete these 2 files?");
        assert_eq!(csrf_in(&html), csrf);
        let resp = v
            .post(
                "/files/delete",
                &[
                    ("csrf", &csrf),
                    ("file_id", &format!("{one},{two}")),
                    ("folder", &box_),
                ],
            )
            .await;
        assert_eq!(resp.status(), 303);
        assert_eq!(location(&resp), format!("/files?folder={box_}"));
        assert!(rows(
            &page(&mut v, &format!("/files?folder={box_}")).await,
            "file"
        )
        .is_empty());
        api(&s, &a, "files.getInfo", &[("file_id", &one)])
            .await
            .assert_error(9);
        // Nothing chosen: said so.
        let resp = v
            .post("/files/bulk", &[("csrf", &csrf), ("action", "delete")])
            .await;
        assert_eq!(resp.status(), 400);
        // One file's delete button leads to the same confirmation.
        let html = page(&mut v, &format!("/files/delete?file_id={three}&folder=0")).await;
        assert_eq!(text_of(&html, "#confirm-question"), "Delete three.txt?");
        // The default tier keeps a trash: the question says so.
        assert_eq!(
            text_of(&html, "#confirm-warning"),
            "Their links stop working at once. \
             They stay in your trash for a while and can be restored from there."
        );
    }
);

dual!(sorted_searched_and_usage_shown, |b| async move {
    let s = Server::start_with(
        b,
        &[
            ("DROPSPACE_TIERS__LITE__DISKSPACE", "1000000"),
            ("DROPSPACE_TIERS__LITE__BANDWIDTH", "5000000"),
        ],
    )
    .await;
    let (mut v, a, _) = logged_in(&s, "ida").await;
    let small = seed_file(&s, "ida", "Banana.txt", &[1u8; 10]).await;
    let big = seed_file(&s, "ida", "apple.txt", &[2u8; 3000]).await;
    let sub = mkdir(&s, &a, "Deep", "0", "0").await;
    let deep = seed_file_in(&s, "ida", &sub, "cherry apple.txt", &[3u8; 100]).await;

    let html = page(&mut v, "/files").await;
    assert_eq!(rows(&html, "file"), [big.clone(), small.clone()]);
    let doc = scraper::Html::parse_document(&html);
    let th = doc
        .select(&sel("th[aria-sort]"))
        .next()
        .expect("a sorted column");
    assert_eq!(th.value().attr("aria-sort"), Some("ascending"));
    let html = page(&mut v, "/files?sort=name&order=desc").await;
    assert_eq!(rows(&html, "file"), [small.clone(), big.clone()]);
    let html = page(&mut v, "/files?sort=size&order=desc").await;
    assert_eq!(rows(&html, "file"), [big.clone(), small.clone()]);
    assert!(html.contains("aria-sort=\"descending\""));
    let html = page(&mut v, "/files?sort=size").await;
    assert_eq!(rows(&html, "file"), [small.clone(), big.clone()]);

    // Search: every folder, each result says where it is.
    let html = page(&mut v, "/files?q=APPLE").await;
    let mut found = rows(&html, "file");
    found.sort();
    let mut want = vec![big.clone(), deep.clone()];
    want.sort();
    assert_eq!(found, want);
    assert!(html.contains("My files / Deep"), "{html}");
    assert!(rows(&page(&mut v, "/files?q=nothing").await, "file").is_empty());

    // Usage: 3110 bytes of the tier's 1000000, as getAccountInfo counts.
    let html = page(&mut v, "/files").await;
    let doc = scraper::Html::parse_document(&html);
    let disk = doc
        .select(&sel("meter#disk-use"))
        .next()
        .expect("disk meter");
    assert_eq!(disk.value().attr("max"), Some("1000000"));
    assert_eq!(disk.value().attr("value"), Some("3110"));
    assert_eq!(text_of(&html, "#disk-text"), "3.0 KB of 976.6 KB");
    let bw = doc
        .select(&sel("meter#bandwidth-use"))
        .next()
        .expect("bandwidth meter");
    assert_eq!(bw.value().attr("max"), Some("5000000"));
    assert_eq!(bw.value().attr("value"), Some("0"));
    assert!(html.contains("<label for=\"disk-use\""));
});

dual!(
    forms_are_refused_without_the_token_or_for_others_files,
    |b| async move {
        let s = Server::start(b).await;
        let (mut v, a, csrf) = logged_in(&s, "joan").await;
        let other = s.user_session("kimi").await;
        let mine = seed_file(&s, "joan", "mine.txt", b"m").await;
        let theirs = seed_file(&s, "kimi", "theirs.txt", b"t").await;
        let their_folder = mkdir(&s, &other, "Private", "0", "0").await;
        let folder = mkdir(&s, &a, "Mine", "0", "0").await;

        for token in ["", "forged"] {
            for (path, form) in [
                (
                    "/files/file",
                    vec![("id", mine.as_str()), ("name", "x.txt")],
                ),
                ("/files/folder/new", vec![("name", "x")]),
                (
                    "/files/folder",
                    vec![("id", folder.as_str()), ("name", "x")],
                ),
                ("/files/folder/delete", vec![("id", folder.as_str())]),
                (
                    "/files/bulk",
                    vec![
                        ("file_id", mine.as_str()),
                        ("action", "move"),
                        ("target", folder.as_str()),
                    ],
                ),
                (
                    "/files/mail",
                    vec![("file_id", mine.as_str()), ("emails", "a@example.org")],
                ),
            ] {
                let mut form = form;
                form.push(("csrf", token));
                assert_eq!(v.post(path, &form).await.status(), 403, "{path} {token:?}");
            }
        }
        let x = api(&s, &a, "files.getInfo", &[("file_id", &mine)]).await;
        assert_eq!(x.attr("file", "name").as_deref(), Some("mine.txt"));
        api(&s, &a, "folders.getInfo", &[("folder_id", &folder)])
            .await
            .assert_ok();

        // Another user's file or folder is the API's "not found".
        assert_eq!(
            v.get(&format!("/files/file?id={theirs}")).await.status(),
            404
        );
        let resp = v
            .post(
                "/files/file",
                &[("csrf", &csrf), ("id", &theirs), ("name", "stolen.txt")],
            )
            .await;
        assert_eq!(resp.status(), 404);
        let resp = v
            .post(
                "/files/bulk",
                &[
                    ("csrf", &csrf),
                    ("file_id", &mine),
                    ("file_id", &theirs),
                    ("action", "move"),
                    ("target", &folder),
                ],
            )
            .await;
        assert_eq!(resp.status(), 404);
        let x = api(&s, &a, "files.getInfo", &[("file_id", &mine)]).await;
        assert_eq!(
            x.attr("file", "folder_id").as_deref(),
            Some("0"),
            "all or nothing"
        );
        let resp = v
            .post(
                "/files/bulk",
                &[
                    ("csrf", &csrf),
                    ("file_id", &mine),
                    ("action", "move"),
                    ("target", &their_folder),
                ],
            )
            .await;
        assert_eq!(resp.status(), 404);
        assert_eq!(
            v.get(&format!("/files/folder?id={their_folder}"))
                .await
                .status(),
            404
        );
        let resp = v
            .post(
                "/files/folder/delete",
                &[("csrf", &csrf), ("id", &their_folder)],
            )
            .await;
        assert_eq!(resp.status(), 404);
        let x = api(&s, &other, "files.getInfo", &[("file_id", &theirs)]).await;
        assert_eq!(x.attr("file", "name").as_deref(), Some("theirs.txt"));
        api(
            &s,
            &other,
            "folders.getInfo",
            &[("folder_id", &their_folder)],
        )
        .await
        .assert_ok();
        // Logged out: to the login page.
        let mut anon = Visitor::new(&s);
        let resp = anon.get(&format!("/files/file?id={mine}")).await;
        assert_eq!(resp.status(), 303);
        assert!(location(&resp).starts_with("/login?next="));
    }
);

dual!(the_pages_speak_the_visitors_language, |b| async move {
    let s = Server::start(b).await;
    let (mut v, a, _) = logged_in(&s, "lena").await;
    let folder = mkdir(&s, &a, "Fotos", "0", "0").await;
    seed_file_in(&s, "lena", &folder, "a.txt", b"12345").await;
    for (lang, listing, holds) in [
        (
            "de",
            "Speicherplatz",
            "Er enthält 1 Datei (5 Bytes): sie werden",
        ),
        (
            "fr",
            "Espace disque",
            "Il contient 1 fichier (5 octets) : ils sont",
        ),
        (
            "es",
            "Espacio en disco",
            "Contiene 1 archivo (5 bytes): se eliminan",
        ),
    ] {
        v.cookies.insert("ds_lang".into(), lang.into());
        let html = page(&mut v, "/files").await;
        assert!(html.contains(listing), "{lang}: {html}");
        let html = page(&mut v, &format!("/files/folder/delete?id={folder}")).await;
        let count = text_of(&html, "#confirm-count");
        assert!(count.starts_with(holds), "{lang}: {count}");
    }
});
