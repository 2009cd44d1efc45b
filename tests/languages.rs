//! The pages' languages (docs/languages.md): chosen by the `ds_lang`
//! cookie (`POST /lang`), else by `Accept-Language`; sizes written for the
//! language and dates as `<time>` elements in UTC.

mod common;
use common::web::set_cookies;
use common::*;

async fn page(s: &Server, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut req = s.http.get(s.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.text().await.expect("body"))
}

fn lang_of(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("html").expect("selector");
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("lang"))
        .unwrap_or_default()
        .to_string()
}

dual!(accept_language_chooses_the_language, |b| async move {
    let s = Server::start(b).await;
    let cases = [
        ("de-DE,de;q=0.9", "de", "Dateien hier ablegen"),
        ("fr;q=0.1, es;q=0.8", "es", "Suelte los archivos aquí"),
        ("fr-CA", "fr", "Déposez des fichiers ici"),
        ("xx", "en", "Drop files here"),
    ];
    for (header, lang, text) in cases {
        let (status, html) = page(&s, "/upload", &[("accept-language", header)]).await;
        assert_eq!(status, 200);
        assert_eq!(lang_of(&html), lang, "{header}");
        assert!(html.contains(text), "{header}: no {text:?} in {html}");
    }
    // No header at all: English.
    let (_, html) = page(&s, "/upload", &[]).await;
    assert_eq!(lang_of(&html), "en");
    // The chooser: one button per language, named in its own language.
    let doc = scraper::Html::parse_document(&html);
    let sel = scraper::Selector::parse("form[action=\"/lang\"] button[name=lang]").expect("sel");
    let buttons: Vec<(String, String)> = doc
        .select(&sel)
        .map(|b| {
            (
                b.value().attr("lang").unwrap_or_default().to_string(),
                b.text().collect::<String>(),
            )
        })
        .collect();
    assert_eq!(buttons.len(), 4, "{buttons:?}");
    assert!(buttons
        .iter()
        .any(|(l, t)| l == "de" && t.contains("Deutsch")));
    assert!(buttons
        .iter()
        .any(|(l, t)| l == "fr" && t.contains("Français")));
});

dual!(the_cookie_wins_and_post_lang_sets_it, |b| async move {
    let s = Server::start(b).await;
    let (_, html) = page(
        &s,
        "/login",
        &[("accept-language", "de"), ("cookie", "ds_lang=fr")],
    )
    .await;
    assert_eq!(lang_of(&html), "fr");
    assert!(html.contains("Mot de passe"), "{html}");
    // An unknown cookie value falls back to the header.
    let (_, html) = page(
        &s,
        "/login",
        &[("accept-language", "es"), ("cookie", "ds_lang=\"><x")],
    )
    .await;
    assert_eq!(lang_of(&html), "es");

    let resp = s
        .http
        .post(s.url("/lang"))
        .form(&[("lang", "de"), ("next", "/login?next=/files")])
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 303);
    assert_eq!(
        resp.headers()["location"].to_str().expect("location"),
        "/login?next=/files"
    );
    let cookies = set_cookies(&resp);
    let cookie = cookies
        .iter()
        .find(|c| c.starts_with("ds_lang="))
        .expect("ds_lang cookie");
    assert!(cookie.starts_with("ds_lang=de;"), "{cookie}");
    assert!(cookie.contains("Max-Age=31536000"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));

    // Only a local `next`; an unknown language sets nothing.
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\t/evil.example/",
    ] {
        let resp = s
            .http
            .post(s.url("/lang"))
            .form(&[("lang", "xx"), ("next", next)])
            .send()
            .await
            .expect("post");
        assert_eq!(resp.status(), 303);
        assert_eq!(resp.headers()["location"].to_str().expect("loc"), "/");
        assert!(set_cookies(&resp)
            .iter()
            .all(|c| !c.starts_with("ds_lang=")));
    }
});

dual!(
    error_pages_sizes_and_dates_speak_the_language,
    |b| async move {
        let s = Server::start(b).await;
        let (status, html) = page(&s, "/no/such/page", &[("accept-language", "de")]).await;
        assert_eq!(status, 404);
        assert_eq!(lang_of(&html), "de");
        assert!(html.contains("Nicht gefunden"), "{html}");
        let (status, html) = page(&s, "/file/zzzzzz", &[("accept-language", "es")]).await;
        assert_eq!(status, 404);
        assert!(html.contains("Archivo no encontrado"), "{html}");

        s.user_session("alice").await;
        let id = seed_file(&s, "alice", "report.bin", &[7u8; 1536]).await;
        let (status, html) = page(&s, &format!("/file/{id}"), &[("accept-language", "de")]).await;
        assert_eq!(status, 200);
        let doc = scraper::Html::parse_document(&html);
        let sel = |q: &str| scraper::Selector::parse(q).expect("selector");
        let size: String = doc
            .select(&sel("#size"))
            .next()
            .expect("size")
            .text()
            .collect();
        assert_eq!(size, "1,5 KB (1536 Bytes)");
        assert!(html.contains("Herunterladen"), "{html}");
        // The date: machine-readable UTC, the UTC text in the title.
        let time = doc.select(&sel("time[datetime]")).next().expect("<time>");
        let at = time.value().attr("datetime").expect("datetime");
        assert!(at.ends_with('Z') && at.len() == 20, "{at}");
        let title = time.value().attr("title").expect("title");
        assert!(title.ends_with(" UTC"), "{title}");
        assert_eq!(time.text().collect::<String>(), title);

        let (_, html) = page(&s, &format!("/file/{id}"), &[("accept-language", "fr")]).await;
        assert!(html.contains("1,5 Ko (1536 octets)"), "{html}");
        let (_, html) = page(&s, &format!("/file/{id}"), &[]).await;
        assert!(html.contains("1.5 KB (1536 bytes)"), "{html}");
    }
);

dual!(the_upload_script_gets_its_words_as_data, |b| async move {
    let s = Server::start(b).await;
    let resp = s
        .http
        .get(s.url("/upload"))
        .header("accept-language", "fr")
        .send()
        .await
        .expect("get");
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_string();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    let html = resp.text().await.expect("body");
    let doc = scraper::Html::parse_document(&html);
    let sel = scraper::Selector::parse("script#i18n[type=\"application/json\"]").expect("sel");
    let block = doc.select(&sel).next().expect("the #i18n data block");
    let text: String = block.text().collect();
    assert!(!text.contains('<'), "{text}");
    let messages: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(messages["copy"], "Copier");
    assert_eq!(
        messages["copy-download"],
        "Copier le lien de téléchargement de {name}"
    );
    assert_eq!(messages["size-mb"], "{value} Mo");
    // The API answers the same whatever the language.
    let resp = s
        .http
        .get(s.url("/rest/?method=auth.createToken"))
        .header("accept-language", "de")
        .send()
        .await
        .expect("rest");
    let body = resp.text().await.expect("body");
    assert!(
        !body.contains("Nicht") && body.contains("<result"),
        "{body}"
    );
});
