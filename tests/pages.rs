//! The shared folder pages `/folder/{id}` and `/rss/{id}`, read with real
//! HTML and XML parsers.

mod common;
use common::*;

use time::format_description::well_known::Rfc2822;

const HOSTILE: &str = "<script>alert('x')</script> & ]]> \"q\"";

async fn get(s: &Server, path: &str) -> (u16, String, String) {
    let resp = s.http.get(s.url(path)).send().await.expect("request");
    let status = resp.status().as_u16();
    let ctype = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, ctype, resp.text().await.expect("body"))
}

dual!(shared_folder_page_escapes_everything, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let folder = mkdir(&s, &a, HOSTILE, "0", "1").await;
    let sub = mkdir(&s, &a, &format!("sub {HOSTILE}"), &folder, "1").await;
    mkdir(&s, &a, "hidden-sub", &folder, "0").await;
    let f1 = seed_file_in(
        &s,
        "alice",
        &folder,
        &format!("file {HOSTILE}.txt"),
        b"12345",
    )
    .await;
    let f2 = seed_file_in(&s, "alice", &folder, "plain.bin", &[0u8; 2048]).await;

    let (status, ctype, body) = get(&s, &format!("/folder/{folder}")).await;
    assert_eq!(status, 200);
    assert!(ctype.starts_with("text/html"), "{ctype}");
    let doc = scraper::Html::parse_document(&body);
    let sel = |q: &str| scraper::Selector::parse(q).expect("selector");
    // Every page's one script is the shell's local-time.js (docs/languages.md).
    assert!(
        doc.select(&sel("script")).all(|e| e
            .value()
            .attr("src")
            .is_some_and(|s| s.starts_with("/static/local-time.js?v="))),
        "{body}"
    );
    let title: String = doc.select(&sel("h1")).next().expect("h1").text().collect();
    assert_eq!(title, HOSTILE);
    let links: Vec<(String, String)> = doc
        .select(&sel("a"))
        .map(|a| {
            (
                a.value().attr("href").unwrap_or("").to_string(),
                a.text().collect::<String>(),
            )
        })
        .collect();
    let has = |href: String, text: &str| {
        assert!(
            links.iter().any(|(h, t)| *h == href && t == text),
            "no link {href} {text:?} in {links:?}"
        )
    };
    has(
        s.url(&format!("/file/{f1}")),
        &format!("file {HOSTILE}.txt"),
    );
    has(s.url(&format!("/file/{f2}")), "plain.bin");
    has(s.url(&format!("/folder/{sub}")), &format!("sub {HOSTILE}"));
    has(s.url(&format!("/rss/{folder}")), "RSS feed");
    assert!(!body.contains("hidden-sub"));
});

dual!(rss_is_valid_and_escaped, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let folder = mkdir(&s, &a, HOSTILE, "0", "1").await;
    let f1 = seed_file_in(&s, "alice", &folder, &format!("{HOSTILE}.txt"), b"12345").await;
    let f2 = seed_file_in(&s, "alice", &folder, "b\u{1}ell.bin", &[0u8; 3000]).await;
    let (status, ctype, body) = get(&s, &format!("/rss/{folder}")).await;
    assert_eq!(status, 200);
    assert!(ctype.starts_with("application/rss+xml"), "{ctype}");
    assert!(body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    let doc = roxmltree::Document::parse(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    let rss = doc.root_element();
    assert_eq!(rss.tag_name().name(), "rss");
    assert_eq!(rss.attribute("version"), Some("2.0"));
    let channel = rss
        .children()
        .find(|n| n.has_tag_name("channel"))
        .expect("channel");
    let text = |n: roxmltree::Node, tag: &str| {
        n.children()
            .find(|c| c.has_tag_name(tag))
            .and_then(|c| c.text())
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(text(channel, "title"), HOSTILE);
    assert_eq!(text(channel, "link"), s.url(&format!("/folder/{folder}")));
    assert!(!text(channel, "description").is_empty());
    let items: Vec<_> = channel
        .children()
        .filter(|n| n.has_tag_name("item"))
        .collect();
    assert_eq!(items.len(), 2);
    for item in &items {
        let link = text(*item, "link");
        assert_eq!(text(*item, "guid"), link, "guid is the permalink");
        let date = text(*item, "pubDate");
        time::OffsetDateTime::parse(&date, &Rfc2822)
            .unwrap_or_else(|e| panic!("pubDate {date:?} is not RFC 822: {e}"));
        assert!(!text(*item, "description").is_empty());
    }
    let titled = |id: &str| {
        items
            .iter()
            .find(|i| text(**i, "link") == s.url(&format!("/file/{id}")))
            .map(|i| (text(*i, "title"), text(*i, "description")))
            .expect("item for file")
    };
    let (t1, d1) = titled(&f1);
    assert_eq!(t1, format!("{HOSTILE}.txt"));
    assert!(d1.contains('5'), "size in description: {d1}");
    let (_, d2) = titled(&f2);
    assert!(d2.contains("2.9 KB"), "size in description: {d2}");
});

// Readers render an item's <description> as HTML: a user's description
// must reach them as text, and the feed must not be sniffed as a page.
dual!(rss_descriptions_are_plain_text, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let folder = mkdir(&s, &a, "<i>shared</i>", "0", "1").await;
    let f = seed_file_in(&s, "alice", &folder, "a.txt", b"12345").await;
    let evil = "<img src=x onerror=alert(1)> &amp; <b>bold</b>";
    api(
        &s,
        &a,
        "files.setInfo",
        &[("file_id", &f), ("description", evil)],
    )
    .await
    .assert_ok();
    let resp = s
        .http
        .get(s.url(&format!("/rss/{folder}")))
        .send()
        .await
        .expect("rss");
    assert_eq!(
        resp.headers()
            .get("x-content-type-options")
            .and_then(|v| v.to_str().ok()),
        Some("nosniff")
    );
    let body = resp.text().await.expect("body");
    let doc = roxmltree::Document::parse(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    let descriptions: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("description"))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect();
    assert_eq!(descriptions.len(), 2, "{body}");
    for d in &descriptions {
        // What a reader renders as HTML holds no tag at all.
        assert!(!d.contains('<') && !d.contains('>'), "markup in {d:?}");
    }
    // The reader's HTML shows exactly the user's text.
    let item = &descriptions[1];
    let shown = scraper::Html::parse_fragment(item)
        .root_element()
        .text()
        .collect::<String>();
    assert!(shown.starts_with(evil), "{shown:?}");
});

dual!(private_and_unknown_folders_are_404, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let private = mkdir(&s, &a, "very private name", "0", "0").await;
    seed_file_in(&s, "alice", &private, "secret-file.txt", b"x").await;
    // The page's own path (the theme toggle comes back to it) aside.
    let own_path_aside = |body: String, path: &str| {
        body.replace(&format!("name=\"next\" value=\"{path}\""), "name=\"next\"")
    };
    let (_, _, unknown_body) = get(&s, "/folder/zzzzzz").await;
    let unknown_body = own_path_aside(unknown_body, "/folder/zzzzzz");
    for path in [
        format!("/folder/{private}"),
        format!("/rss/{private}"),
        "/folder/zzzzzz".to_string(),
        "/rss/zzzzzz".to_string(),
        "/rss/..%2f..%2fetc".to_string(),
    ] {
        let (status, _, body) = get(&s, &path).await;
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("very private") && !body.contains("secret-file"));
        assert_eq!(
            own_path_aside(body, &path),
            unknown_body,
            "{path} says nothing more than unknown"
        );
    }
    // Sharing it makes both pages appear; unsharing hides them again.
    api(
        &s,
        &a,
        "folders.setInfo",
        &[("folder_id", &private), ("shared", "1")],
    )
    .await
    .assert_ok();
    assert_eq!(get(&s, &format!("/rss/{private}")).await.0, 200);
    api(
        &s,
        &a,
        "folders.setInfo",
        &[("folder_id", &private), ("shared", "0")],
    )
    .await
    .assert_ok();
    assert_eq!(get(&s, &format!("/folder/{private}")).await.0, 404);
});
