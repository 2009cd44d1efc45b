//! Anonymous bundles (docs/web.md, "Bundles"): the files of one anonymous
//! upload behind one link, proven by their delete secrets, listed with a QR
//! code, deleted together by the bundle's own delete link.

mod common;
use common::web::{anon_file, post_bundle as bundle, Visitor};
use common::*;

dual!(anonymous_files_share_one_link, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_LIMITS__BUNDLE_MAX_FILES", "3")]).await;
    let a = anon_file(&s, "one.txt", b"one").await;
    let b2 = anon_file(&s, "two <b>.txt", b"two!").await;
    let c = anon_file(&s, "three.txt", b"3").await;
    let pair = |(id, secret): &(String, String)| format!("{id}/{secret}");

    // Every file must be proven by its own delete secret, and be anonymous.
    let forged = format!("{},{}/{}x", pair(&a), b2.0, b2.1);
    let resp = bundle(&s, &forged).await;
    assert_eq!(resp.status(), 404);
    let alice = s.user_session("alice").await;
    let owned = upload(&s, &alice, "mine.txt", b"mine".to_vec()).await;
    let resp = bundle(&s, &format!("{},{owned}/whatever", pair(&a))).await;
    assert_eq!(resp.status(), 404);
    // No CSRF token: refused before anything else.
    let resp = s
        .http
        .post(s.url("/upload/bundle"))
        .form(&[("files", pair(&a))])
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 403);
    // More files than `limits.bundle_max_files`.
    let d = anon_file(&s, "four.txt", b"4").await;
    let all4 = [&a, &b2, &c, &d].map(pair).join(",");
    assert_eq!(bundle(&s, &all4).await.status(), 400);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM bundles").await, 0);

    let resp = bundle(&s, &[&a, &b2, &c, &a].map(pair).join(",")).await;
    assert_eq!(resp.status(), 200);
    let made: serde_json::Value =
        serde_json::from_str(&resp.text().await.expect("body")).expect("json");
    let url = made["url"].as_str().expect("url").to_string();
    let delete_url = made["delete_url"].as_str().expect("delete_url").to_string();
    assert!(url.starts_with(&s.url("/b/")), "{url}");

    // The page lists the three files in upload order, escaped, with a QR code.
    let html = s
        .http
        .get(&url)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let doc = scraper::Html::parse_document(&html);
    let links = scraper::Selector::parse("#bundle-files a").expect("selector");
    let names: Vec<String> = doc.select(&links).map(|e| e.text().collect()).collect();
    assert_eq!(names, ["one.txt", "two <b>.txt", "three.txt"]);
    assert!(!html.contains("two <b>.txt"), "escaped");
    let qr = s
        .http
        .get(format!("{url}/qr.svg"))
        .send()
        .await
        .expect("qr");
    assert_eq!(qr.status(), 200);
    assert_eq!(header(qr.headers(), "content-type"), "image/svg+xml");
    roxmltree::Document::parse(&qr.text().await.expect("svg")).expect("svg is XML");

    // A file deleted by its own link leaves the list.
    s.http
        .post(s.url(&format!("/delete/{}/{}", b2.0, b2.1)))
        .send()
        .await
        .expect("delete one");
    let html = s
        .http
        .get(&url)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        !html.contains("two &lt;b&gt;.txt") && html.contains("three.txt"),
        "{html}"
    );

    // The bundle's delete link: GET asks, a wrong secret is 404, POST deletes all.
    let ask = s.http.get(&delete_url).send().await.expect("ask");
    assert_eq!(ask.status(), 200);
    assert!(ask
        .text()
        .await
        .expect("html")
        .contains("<b id=\"count\">2</b>"));
    let wrong = s
        .http
        .post(format!("{delete_url}x"))
        .send()
        .await
        .expect("wrong");
    assert_eq!(wrong.status(), 404);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 4);
    let done = s.http.post(&delete_url).send().await.expect("delete");
    assert_eq!(done.status(), 200);
    for (id, _) in [&a, &c] {
        assert_eq!(
            count(&s, &format!("SELECT COUNT(*) FROM files WHERE id = '{id}'")).await,
            0
        );
    }
    // The fourth (not bundled) and alice's file are untouched.
    assert_eq!(count(&s, "SELECT COUNT(*) FROM files").await, 2);
    assert_eq!(s.http.get(&url).send().await.expect("page").status(), 404);
    assert_eq!(
        s.http
            .get(s.url("/b/zzzzzzzzzzzz"))
            .send()
            .await
            .expect("page")
            .status(),
        404
    );
});

// A bundle whose files all expired says so (410) rather than "not found".
dual!(an_emptied_bundle_says_so, |b| async move {
    let s = Server::start(b).await;
    let a = anon_file(&s, "gone.txt", b"gone").await;
    let resp = bundle(&s, &format!("{}/{}", a.0, a.1)).await;
    let made: serde_json::Value =
        serde_json::from_str(&resp.text().await.expect("body")).expect("json");
    let url = made["url"].as_str().expect("url").to_string();
    exec(&s, &format!("DELETE FROM files WHERE id = '{}'", a.0)).await;
    let resp = s.http.get(&url).send().await.expect("page");
    assert_eq!(resp.status(), 410);
    assert!(resp
        .text()
        .await
        .expect("html")
        .contains("This bundle is empty"));
});

// With an account, a bundle is a new shared folder the page uploads into.
dual!(
    an_account_bundles_into_a_new_shared_folder,
    |b| async move {
        let s = Server::start(b).await;
        s.create_user("alice", "secret123");
        let mut anon = Visitor::new(&s);
        let csrf = anon.csrf("/upload").await;
        let resp = anon
            .post("/upload/folder", &[("csrf", &csrf), ("name", "x")])
            .await;
        assert_eq!(resp.status(), 403, "anonymous visitors have no folders");
        let mut v = Visitor::new(&s);
        v.login("alice", "secret123").await;
        let csrf = v.csrf("/upload").await;
        let resp = v.post("/upload/folder", &[("name", "x")]).await;
        assert_eq!(resp.status(), 403, "no CSRF token");
        let resp = v
            .post("/upload/folder", &[("csrf", &csrf), ("name", " ")])
            .await;
        assert_eq!(resp.status(), 400);
        let resp = v
            .post(
                "/upload/folder",
                &[("csrf", &csrf), ("name", "Holiday <3>")],
            )
            .await;
        assert_eq!(resp.status(), 200);
        let made: serde_json::Value =
            serde_json::from_str(&resp.text().await.expect("body")).expect("json");
        let id = made["folder_id"].as_str().expect("folder_id").to_string();
        assert_eq!(
            made["url"].as_str(),
            Some(s.url(&format!("/folder/{id}")).as_str())
        );
        let session = s.login("alice", "secret123").await;
        let x = api(&s, &session, "folders.getAll", &[]).await;
        let folder = x
            .all("folder")
            .into_iter()
            .find(|f| attr_of(f, "id") == id)
            .expect("the new folder");
        assert_eq!(attr_of(&folder, "name"), "Holiday <3>");
        assert_eq!(attr_of(&folder, "shared"), "1");
        let page = s
            .http
            .get(s.url(&format!("/folder/{id}")))
            .send()
            .await
            .expect("page");
        assert_eq!(page.status(), 200);
    }
);
