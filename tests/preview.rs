//! Previews, thumbnails and QR codes through real HTTP (docs/web.md,
//! "Previews, thumbnails and QR codes"): signed inline URLs that neither
//! stand in for a download URL nor the other way round, exact headers and
//! types, ranges, nothing counted, nothing before the password or for a
//! limited file, the size caps, QR codes read back, thumbnails made once
//! and kept as blobs, and a decompression bomb refused cleanly.

mod common;
use common::*;

/// The preview policy of everything but PDFs, exactly.
const CSP: &str = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; \
                   style-src 'unsafe-inline'; frame-ancestors 'self'";
/// PDFs: the same without the sandbox (Chromium's viewer refuses one).
const CSP_PDF: &str = "default-src 'none'; img-src 'self'; media-src 'self'; \
                       style-src 'unsafe-inline'; frame-ancestors 'self'";

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (x * 7 % 256) as u8,
            (y * 3 % 256) as u8,
            ((x ^ y) % 256) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode png");
    out.into_inner()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A valid PNG header that claims `w`×`h` pixels, and no pixels.
fn bomb(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    out.extend(chunk(b"IEND", &[]));
    out
}

async fn page(s: &Server, id: &str) -> (u16, String, String) {
    let resp = s
        .http
        .get(s.url(&format!("/file/{id}")))
        .send()
        .await
        .expect("page");
    let status = resp.status().as_u16();
    let csp = header(resp.headers(), "content-security-policy");
    (status, csp, resp.text().await.expect("html"))
}

/// The `src` of the page's `#preview` element, made absolute.
fn preview_src(s: &Server, html: &str) -> Option<String> {
    scraper::Html::parse_document(html)
        .select(&scraper::Selector::parse("#preview").expect("selector"))
        .next()
        .and_then(|e| e.value().attr("src").map(|src| s.url(src)))
}

async fn preview_of(s: &Server, id: &str) -> String {
    let (status, _, html) = page(s, id).await;
    assert_eq!(status, 200, "{html}");
    preview_src(s, &html).unwrap_or_else(|| panic!("no preview in {html}"))
}

async fn downloads(s: &Server, session: &str, id: &str) -> String {
    api(s, session, "files.getInfo", &[("file_id", id)])
        .await
        .attr("file", "downloads")
        .unwrap_or_default()
}

/// The server's blob store, opened as the server opened it.
fn store(s: &Server) -> dropspace::blobs::Blobs {
    let mut cfg = dropspace::config::Config {
        data_dir: s.data_dir.clone(),
        ..Default::default()
    };
    let env = |k: &str| {
        s.env
            .iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    if env("DROPSPACE_STORAGE__BACKEND").as_deref() == Some("s3") {
        cfg.storage.backend = "s3".into();
        cfg.storage.s3.endpoint = env("DROPSPACE_STORAGE__S3__ENDPOINT");
        cfg.storage.s3.bucket = env("DROPSPACE_STORAGE__S3__BUCKET").unwrap_or_default();
        cfg.storage.s3.access_key_id = Some("test".into());
        cfg.storage.s3.secret_access_key = Some("test".into());
    }
    dropspace::blobs::Blobs::new(&cfg).expect("blob store")
}

dual!(previews_are_inline_typed_and_not_counted, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let picture = png(40, 30);
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        .to_vec();
    let video = pattern(300_000, 3);
    let text = b"fn main() {\n    println!(\"hi\");\n}\n".to_vec();
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec();
    let html = b"<html><script>alert(document.cookie)</script></html>".to_vec();
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        ("pic.png", picture.clone(), "image/png", CSP),
        ("doc.pdf", pdf.clone(), "application/pdf", CSP_PDF),
        ("clip.mp4", video.clone(), "video/mp4", CSP),
        ("main.rs", text.clone(), "text/plain; charset=utf-8", CSP),
        ("evil.svg", svg.clone(), "text/plain; charset=utf-8", CSP),
        ("evil.html", html.clone(), "text/plain; charset=utf-8", CSP),
        // An image by name that is not one by its bytes: plain text.
        ("fake.png", html.clone(), "text/plain; charset=utf-8", CSP),
    ];
    let mut ids = Vec::new();
    for (name, bytes, ctype, csp) in &cases {
        let id = upload(&s, &a, name, bytes.clone()).await;
        let (status, page_csp, body) = page(&s, &id).await;
        assert_eq!(status, 200);
        // The page may load its preview from this origin, nothing more.
        assert!(page_csp.contains("media-src 'self'"), "{page_csp}");
        assert!(page_csp.contains("frame-src 'self'"), "{page_csp}");
        assert!(page_csp.contains("default-src 'none'"), "{page_csp}");
        let src = preview_src(&s, &body).unwrap_or_else(|| panic!("no preview of {name}"));
        assert!(
            src.starts_with(&s.url(&format!("/preview/{id}/0/"))),
            "{src}"
        );
        let (status, h, got) = fetch(&s, &src, &[]).await;
        assert_eq!(status, 200, "{name}");
        assert_eq!(header(&h, "content-type"), *ctype, "{name}");
        assert_eq!(header(&h, "x-content-type-options"), "nosniff");
        assert_eq!(header(&h, "content-security-policy"), *csp, "{name}");
        assert_eq!(
            header(&h, "content-disposition"),
            format!("inline; filename=\"{name}\"; filename*=UTF-8''{name}")
        );
        assert_eq!(header(&h, "cross-origin-resource-policy"), "same-origin");
        assert_eq!(&got, bytes, "{name}");
        ids.push(id);
    }
    // Video seeks: a range is 206 with exactly its bytes.
    let src = preview_of(&s, &ids[2]).await;
    let (status, h, got) = fetch(&s, &src, &[("Range", "bytes=1000-1999")]).await;
    assert_eq!(status, 206);
    assert_eq!(header(&h, "content-range"), "bytes 1000-1999/300000");
    assert_eq!(got, &video[1000..2000]);
    let (status, h, got) = fetch(&s, &src, &[("Range", "bytes=299990-")]).await;
    assert_eq!(status, 206);
    assert_eq!(header(&h, "content-type"), "video/mp4");
    assert_eq!(got, &video[299_990..]);
    let (status, _, _) = fetch(&s, &src, &[("Range", "bytes=400000-")]).await;
    assert_eq!(status, 416);
    // HEAD answers the headers alone.
    let resp = s.http.head(&src).send().await.expect("head");
    assert_eq!(resp.status(), 200);
    assert_eq!(header(resp.headers(), "content-length"), "300000");
    // None of it was a download.
    for id in &ids {
        assert_eq!(downloads(&s, &a, id).await, "0", "{id}");
    }
    // A file not listed gets no preview; a download page still works.
    let other = upload(&s, &a, "data.bin", pattern(100, 1)).await;
    let (_, _, body) = page(&s, &other).await;
    assert!(preview_src(&s, &body).is_none());
    assert!(!body.contains("/preview/"));
    assert_eq!(
        fetch(&s, &download_button(&body), &[]).await.2,
        pattern(100, 1)
    );
});

dual!(preview_and_download_signatures_do_not_mix, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let id = upload(&s, &a, "pic.png", png(20, 20)).await;
    let other = upload(&s, &a, "other.png", png(21, 20)).await;
    let src = preview_of(&s, &id).await;
    assert_eq!(fetch(&s, &src, &[]).await.0, 200);
    let path = src.strip_prefix(&s.url("/preview/")).expect("preview path");
    let parts: Vec<&str> = path.split('/').collect();
    assert_eq!(parts.len(), 4, "{path}");
    let (account, expires, sig) = (parts[1], parts[2], parts[3]);
    let forged = |path: String| {
        let s = &s;
        async move {
            let (status, h, body) = fetch(s, &s.url(&path), &[]).await;
            assert_eq!(status, 403, "{path}: {}", String::from_utf8_lossy(&body));
            assert_eq!(header(&h, "content-type"), "text/plain; charset=utf-8");
        }
    };
    // Tampered: the signature, the expiry, the account, the file.
    let mut bad = sig.to_string();
    let last = if bad.ends_with('A') { "B" } else { "A" };
    bad.replace_range(bad.len() - 1.., last);
    forged(format!("/preview/{id}/{account}/{expires}/{bad}")).await;
    let later: i64 = expires.parse::<i64>().expect("expiry") + 1000;
    forged(format!("/preview/{id}/{account}/{later}/{sig}")).await;
    forged(format!("/preview/{id}/7/{expires}/{sig}")).await;
    forged(format!("/preview/{other}/{account}/{expires}/{sig}")).await;
    forged(format!("/preview/{id}/x/{expires}/{sig}")).await;
    // A preview signature does not download, as a page URL or a getInfo one.
    for dl in [
        format!("/dl/{id}/{account}/{expires}/{sig}"),
        format!("/dl/{id}/{account}/{expires}/{sig}/pic.png"),
    ] {
        assert_eq!(fetch(&s, &s.url(&dl), &[]).await.0, 403, "{dl}");
    }
    // A download signature does not preview.
    for url in [
        direct_url(&s, &a, &id, None).await,
        download_button(&page(&s, &id).await.2),
    ] {
        let path = url.strip_prefix(&s.url("/dl/")).expect("dl path");
        let p: Vec<&str> = path.split('/').collect();
        forged(format!("/preview/{}/{}/{}/{}", p[0], p[1], p[2], p[3])).await;
    }
    assert_eq!(downloads(&s, &a, &id).await, "0");
});

dual!(preview_urls_expire, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_PREVIEW__URL_TTL_SECS", "1")]).await;
    let a = s.user_session("alice").await;
    let id = upload(&s, &a, "notes.txt", b"hello".to_vec()).await;
    let src = preview_of(&s, &id).await;
    let path = src.strip_prefix(&s.url("/preview/")).expect("path");
    let expires: i64 = path.split('/').nth(2).expect("expiry").parse().expect("n");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    assert!(expires - now <= 2, "expires in {} s", expires - now);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(fetch(&s, &src, &[]).await.0, 403);
});

dual!(
    no_preview_before_the_password_nor_for_limited_files,
    |b| async move {
        let s = Server::start(b).await;
        let a = s.user_session("alice").await;
        let answer = upload_with(
            &s,
            &a,
            &[("password", "letmein")],
            "locked.png",
            png(30, 30),
        )
        .await;
        let locked = kv_get(&answer, "file_id");
        let url = s.url(&format!("/file/{locked}"));
        let (status, _, html) = page(&s, &locked).await;
        assert_eq!(status, 200);
        assert!(
            !html.contains("/preview/"),
            "no preview before the password"
        );
        assert!(html.contains(">LOCK</text>"), "a lock, not its type");
        assert!(preview_src(&s, &html).is_none());
        let wrong = unlock(&s, &url, "nope").await;
        assert_eq!(wrong.status(), 403);
        assert!(!wrong.text().await.expect("html").contains("/preview/"));
        let right = unlock(&s, &url, "letmein").await;
        assert_eq!(right.status(), 200);
        let src =
            preview_src(&s, &right.text().await.expect("html")).expect("preview after unlock");
        let (status, h, body) = fetch(&s, &src, &[]).await;
        assert_eq!(status, 200);
        assert_eq!(header(&h, "content-type"), "image/png");
        assert_eq!(body, png(30, 30));
        // No thumbnail of a protected file.
        let thumb = s
            .http
            .get(s.url(&format!("/file/{locked}/thumb")))
            .send()
            .await
            .expect("thumb");
        assert_eq!(thumb.status(), 404);

        // A download limit: no preview (it would get round the limit), no
        // thumbnail, and a preview URL minted before the limit stops working.
        let id = upload(&s, &a, "counted.png", png(30, 30)).await;
        let early = preview_of(&s, &id).await;
        api(
            &s,
            &a,
            "files.setInfo",
            &[
                ("file_id", &id),
                ("downloads_limit", "3"),
                ("limit_action", "1"),
            ],
        )
        .await
        .assert_ok();
        let (status, _, html) = page(&s, &id).await;
        assert_eq!(status, 200);
        assert!(!html.contains("/preview/"), "{html}");
        download_button(&html);
        assert_eq!(fetch(&s, &early, &[]).await.0, 403);
        let thumb = s
            .http
            .get(s.url(&format!("/file/{id}/thumb")))
            .send()
            .await
            .expect("thumb");
        assert_eq!(thumb.status(), 404);
        assert_eq!(downloads(&s, &a, &id).await, "0");

        // Blocked by a limit: 410; deleted: 404.
        let blocked = upload(&s, &a, "blocked.txt", b"text".to_vec()).await;
        let gone = upload(&s, &a, "gone.txt", b"text".to_vec()).await;
        let blocked_src = preview_of(&s, &blocked).await;
        let gone_src = preview_of(&s, &gone).await;
        let pool = db(&s).await;
        sqlx::query("UPDATE files SET limit_reached = 1 WHERE id = $1")
            .bind(&blocked)
            .execute(&pool)
            .await
            .expect("block");
        pool.close().await;
        assert_eq!(fetch(&s, &blocked_src, &[]).await.0, 410);
        api(&s, &a, "files.delete", &[("file_id", &gone)])
            .await
            .assert_ok();
        assert_eq!(fetch(&s, &gone_src, &[]).await.0, 404);
    }
);

dual!(preview_size_caps_hold, |b| async move {
    let s = Server::start_with(
        b,
        &[
            ("DROPSPACE_PREVIEW__MAX_BYTES", "1000"),
            ("DROPSPACE_PREVIEW__TEXT_BYTES", "100"),
        ],
    )
    .await;
    let a = s.user_session("alice").await;
    // Media over the cap: no preview.
    let big = upload(&s, &a, "big.mp4", pattern(2000, 2)).await;
    let (_, _, html) = page(&s, &big).await;
    assert!(preview_src(&s, &html).is_none(), "{html}");
    let small = upload(&s, &a, "small.mp4", pattern(900, 2)).await;
    preview_of(&s, &small).await;
    // Text of any size, its first bytes only.
    let text: Vec<u8> = (0..5000).map(|i| b'a' + (i % 26) as u8).collect();
    let id = upload(&s, &a, "long.txt", text.clone()).await;
    let src = preview_of(&s, &id).await;
    let (status, h, body) = fetch(&s, &src, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "content-length"), "100");
    assert_eq!(body, &text[..100]);
    let (status, h, body) = fetch(&s, &src, &[("Range", "bytes=90-")]).await;
    assert_eq!(status, 206);
    assert_eq!(header(&h, "content-range"), "bytes 90-99/100");
    assert_eq!(body, &text[90..100]);

    // 0 turns previews off.
    let off = Server::start_with(b, &[("DROPSPACE_PREVIEW__MAX_BYTES", "0")]).await;
    let a = off.user_session("alice").await;
    let id = upload(&off, &a, "pic.png", png(10, 10)).await;
    let (_, _, html) = page(&off, &id).await;
    assert!(!html.contains("/preview/"));
    // The QR code stays, and the name has its type's icon.
    assert!(html.contains(&format!("/file/{id}/qr.svg")));
    assert!(
        html.contains("font-weight=\"bold\" fill=\"currentColor\">IMG</text>"),
        "{html}"
    );
});

/// Reads a QR code back from the server's SVG: every dark rectangle of
/// its paths drawn into a bitmap, then decoded with rqrr.
fn read_qr(svg: &str) -> String {
    let doc = roxmltree::Document::parse(svg).expect("the QR code is XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let dim = |a: &str| -> usize {
        root.attribute(a)
            .and_then(|v| v.trim_end_matches("px").parse().ok())
            .unwrap_or_else(|| panic!("no {a} in {svg}"))
    };
    let (w, h) = (dim("width"), dim("height"));
    let mut dark = vec![false; w * h];
    for path in root.descendants().filter(|n| n.has_tag_name("path")) {
        let fill = path
            .attribute("fill")
            .unwrap_or("#000")
            .to_ascii_lowercase();
        if fill == "#fff" || fill == "#ffffff" || fill == "white" {
            continue;
        }
        let d = path.attribute("d").expect("path data");
        // Rectangles as `M x y h w v h …`, one per subpath.
        let mut nums = String::new();
        let mut tokens = Vec::new();
        for c in d.chars() {
            if c.is_ascii_alphabetic() {
                if !nums.trim().is_empty() {
                    tokens.push((None, nums.trim().to_string()));
                }
                nums.clear();
                tokens.push((Some(c), String::new()));
            } else {
                nums.push(c);
            }
        }
        if !nums.trim().is_empty() {
            tokens.push((None, nums.trim().to_string()));
        }
        let (mut x, mut y, mut rw, mut rh) = (0i64, 0i64, None, None);
        let mut cmd = ' ';
        let mut fill_rect = |x: i64, y: i64, rw: i64, rh: i64| {
            for yy in y.max(0)..(y + rh).min(h as i64) {
                for xx in x.max(0)..(x + rw).min(w as i64) {
                    dark[yy as usize * w + xx as usize] = true;
                }
            }
        };
        for (c, args) in tokens {
            if let Some(c) = c {
                cmd = c;
                if c == 'z' || c == 'Z' {
                    if let (Some(rw), Some(rh)) = (rw, rh) {
                        fill_rect(x, y, rw, rh);
                    }
                    rw = None;
                    rh = None;
                }
                continue;
            }
            let n: Vec<i64> = args
                .split([' ', ','])
                .filter(|t| !t.is_empty())
                .map(|t| t.parse().expect("integer"))
                .collect();
            match cmd {
                'M' => {
                    if let (Some(rw), Some(rh)) = (rw, rh) {
                        fill_rect(x, y, rw, rh);
                    }
                    (x, y, rw, rh) = (n[0], n[1], None, None);
                }
                'h' if rw.is_none() => rw = Some(n[0]),
                'v' if rh.is_none() => rh = Some(n[0]),
                _ => {}
            }
        }
        if let (Some(rw), Some(rh)) = (rw, rh) {
            fill_rect(x, y, rw, rh);
        }
    }
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(
            w,
            h,
            |x, y| if dark[y * w + x] { 0 } else { 255 },
        );
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("decodes").1
}

dual!(qr_codes_read_back_as_the_page_urls, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let id = upload(&s, &a, "q <3>.txt", b"qr".to_vec()).await;
    let (_, _, html) = page(&s, &id).await;
    let doc = scraper::Html::parse_document(&html);
    let img = doc
        .select(&scraper::Selector::parse("img#qr").expect("selector"))
        .next()
        .expect("a QR code on the page");
    assert_eq!(
        img.value().attr("src"),
        Some(format!("/file/{id}/qr.svg").as_str())
    );
    assert_eq!(
        img.value().attr("alt"),
        Some("QR code for the download page of q <3>.txt")
    );
    let (status, h, body) = fetch(&s, &s.url(&format!("/file/{id}/qr.svg")), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "content-type"), "image/svg+xml");
    assert_eq!(header(&h, "x-content-type-options"), "nosniff");
    assert_eq!(
        header(&h, "content-security-policy"),
        "default-src 'none'; style-src 'unsafe-inline'"
    );
    assert!(header(&h, "cache-control").contains("max-age="));
    let svg = String::from_utf8(body).expect("utf-8");
    assert!(!svg.contains("<script"));
    assert_eq!(read_qr(&svg), s.url(&format!("/file/{id}")));

    // Folders: only shared ones.
    let shared = mkdir(&s, &a, "public", "0", "1").await;
    let private = mkdir(&s, &a, "mine", "0", "0").await;
    let (status, h, body) = fetch(&s, &s.url(&format!("/folder/{shared}/qr.svg")), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "content-type"), "image/svg+xml");
    assert_eq!(
        read_qr(&String::from_utf8(body).expect("utf-8")),
        s.url(&format!("/folder/{shared}"))
    );
    // Shown on the folder's page.
    let html = s
        .http
        .get(s.url(&format!("/folder/{shared}")))
        .send()
        .await
        .expect("folder page")
        .text()
        .await
        .expect("html");
    let doc = scraper::Html::parse_document(&html);
    let img = doc
        .select(&scraper::Selector::parse("img#qr").expect("selector"))
        .next()
        .expect("a QR code on the folder page");
    assert_eq!(
        img.value().attr("src"),
        Some(format!("/folder/{shared}/qr.svg").as_str())
    );
    assert_eq!(
        img.value().attr("alt"),
        Some("QR code for the page of the folder public")
    );
    for path in [
        format!("/folder/{private}/qr.svg"),
        "/folder/zzzzzz/qr.svg".to_string(),
        "/file/zzzzzz/qr.svg".to_string(),
        "/file/..%2F/qr.svg".to_string(),
    ] {
        assert_eq!(fetch(&s, &s.url(&path), &[]).await.0, 404, "{path}");
    }
});

dual!(qr_codes_draw_on_the_page_budget, |b| async move {
    let s = Server::start_with(
        b,
        &[
            ("DROPSPACE_LIMITS__PAGE_VIEWS_PER_ADDRESS", "60"),
            ("DROPSPACE_LIMITS__PAGE_VIEWS_BURST", "5"),
        ],
    )
    .await;
    let a = s.user_session("alice").await;
    let id = upload(&s, &a, "a.txt", b"x".to_vec()).await;
    let http = client_from("127.0.0.9");
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let resp = http
            .get(s.url(&format!("/file/{id}/qr.svg")))
            .send()
            .await
            .expect("qr");
        statuses.push(resp.status().as_u16());
    }
    assert!(statuses[..5].iter().all(|c| *c == 200), "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
});

dual!(thumbnails_are_made_once_and_kept, |b| async move {
    // The trash off: a deleted file's bytes (and thumbnail) go at once
    // (docs/expiry.md).
    let s = Server::start_with(b, &[("DROPSPACE_TIERS__LITE__TRASH_SECS", "0")]).await;
    let a = s.user_session("alice").await;
    let folder = mkdir(&s, &a, "photos", "0", "1").await;
    let up = |name: &'static str, bytes: Vec<u8>, fields: Vec<(&'static str, &'static str)>| {
        let (s, a, folder) = (&s, &a, folder.clone());
        async move {
            let mut f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, *v)).collect();
            f.push(("folder_id", folder.as_str()));
            let answer = upload_with(s, a, &f, name, bytes).await;
            assert_eq!(kv_get(&answer, "upload_status"), "ok", "{answer:?}");
            kv_get(&answer, "file_id")
        }
    };
    let pic = up("wide.png", png(600, 400), vec![]).await;
    let locked = up("locked.png", png(60, 40), vec![("password", "pw")]).await;
    let notes = up("notes.txt", b"notes".to_vec(), vec![]).await;
    let html = s
        .http
        .get(s.url(&format!("/folder/{folder}")))
        .send()
        .await
        .expect("folder")
        .text()
        .await
        .expect("html");
    let doc = scraper::Html::parse_document(&html);
    let thumbs: Vec<String> = doc
        .select(&scraper::Selector::parse("img.thumb").expect("selector"))
        .filter_map(|i| i.value().attr("src").map(str::to_string))
        .collect();
    assert_eq!(thumbs, vec![format!("/file/{pic}/thumb")], "{html}");
    assert!(!html.contains(&format!("/file/{locked}/thumb")));
    assert!(!html.contains(&format!("/file/{notes}/thumb")));

    let (status, h, body) = fetch(&s, &s.url(&thumbs[0]), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "content-type"), "image/jpeg");
    assert_eq!(header(&h, "x-content-type-options"), "nosniff");
    let img = image::load_from_memory(&body).expect("a thumbnail decodes");
    assert_eq!(img.width(), 256);
    assert!((170..=171).contains(&img.height()), "{}", img.height());
    // Kept as a blob beside the file's: the second answer is the stored one.
    let blobs = store(&s);
    let key = dropspace::library::thumbs::key(&blob_key(&s, &pic).await);
    assert_eq!(
        blobs.stat(&key).await.expect("stat"),
        Some(body.len() as u64)
    );
    blobs.put(&key, png(7, 5).into()).await.expect("replace");
    let (status, h, body) = fetch(&s, &s.url(&thumbs[0]), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "content-type"), "image/png");
    let img = image::load_from_memory(&body).expect("decodes");
    assert_eq!((img.width(), img.height()), (7, 5));
    // Not listed among blobs (fsck would call it an orphan); removed with the file.
    assert!(!blobs
        .list()
        .await
        .expect("list")
        .iter()
        .any(|k| k.starts_with("thumbs/")));
    api(&s, &a, "files.delete", &[("file_id", &pic)])
        .await
        .assert_ok();
    eventually("the thumbnail removed", async || {
        blobs.stat(&key).await.expect("stat").is_none()
    })
    .await;
    assert_eq!(fetch(&s, &s.url(&thumbs[0]), &[]).await.0, 404);
    // fsck is content with what is left.
    let report = s.admin(&["fsck"]);
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stdout)
    );
    assert_eq!(downloads(&s, &a, &notes).await, "0");
});

dual!(decompression_bombs_get_no_thumbnail, |b| async move {
    let s = Server::start_with(
        b,
        &[
            ("DROPSPACE_PREVIEW__THUMB_MAX_DIMENSION", "500"),
            ("DROPSPACE_PREVIEW__THUMB_SOURCE_MAX_BYTES", "200000"),
        ],
    )
    .await;
    let a = s.user_session("alice").await;
    let bomb_id = upload(&s, &a, "bomb.png", bomb(100_000, 100_000)).await;
    for _ in 0..2 {
        let (status, h, body) = fetch(&s, &s.url(&format!("/file/{bomb_id}/thumb")), &[]).await;
        assert_eq!(status, 415, "{}", String::from_utf8_lossy(&body));
        assert_eq!(header(&h, "content-type"), "text/plain; charset=utf-8");
    }
    // Remembered: an empty blob, not decoded again.
    let key = dropspace::library::thumbs::key(&blob_key(&s, &bomb_id).await);
    assert_eq!(store(&s).stat(&key).await.expect("stat"), Some(0));
    // Over `thumb_max_dimension`: refused the same way.
    let wide = upload(&s, &a, "wide.png", png(600, 10)).await;
    assert_eq!(
        fetch(&s, &s.url(&format!("/file/{wide}/thumb")), &[])
            .await
            .0,
        415
    );
    // Damaged: refused.
    let mut broken = png(40, 40);
    broken.truncate(60);
    let broken = upload(&s, &a, "broken.png", broken).await;
    assert_eq!(
        fetch(&s, &s.url(&format!("/file/{broken}/thumb")), &[])
            .await
            .0,
        415
    );
    // Over `thumb_source_max_bytes`: none at all.
    let noise: Vec<u8> = {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let img = image::RgbImage::from_fn(400, 400, |_, _| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let [r, g, b, ..] = state.to_le_bytes();
            image::Rgb([r, g, b])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .expect("png");
        out.into_inner()
    };
    assert!(noise.len() > 200_000, "{}", noise.len());
    let large = upload(&s, &a, "large.png", noise).await;
    assert_eq!(
        fetch(&s, &s.url(&format!("/file/{large}/thumb")), &[])
            .await
            .0,
        404
    );
    // A small one within the limits still works, and the server is fine.
    let ok = upload(&s, &a, "ok.png", png(300, 300)).await;
    let (status, _, body) = fetch(&s, &s.url(&format!("/file/{ok}/thumb")), &[]).await;
    assert_eq!(status, 200);
    let img = image::load_from_memory(&body).expect("decodes");
    assert_eq!((img.width(), img.height()), (256, 256));
    let health = s.http.get(s.url("/healthz")).send().await.expect("healthz");
    assert_eq!(health.status(), 200);
    // Its preview is served as a PNG all the same: the browser decodes it.
    let (_, _, html) = page(&s, &bomb_id).await;
    assert!(preview_src(&s, &html).is_some());
});

dual!(thumbnail_limits_are_configurable, |b| async move {
    let s = Server::start_with(
        b,
        &[
            ("DROPSPACE_PREVIEW__THUMB_PX", "64"),
            ("DROPSPACE_PREVIEW__THUMB_MAX_ALLOC_BYTES", "200000"),
            ("DROPSPACE_PREVIEW__THUMB_CONCURRENCY", "1"),
        ],
    )
    .await;
    let a = s.user_session("alice").await;
    let thumb = |id: String| {
        let s = &s;
        async move { fetch(s, &s.url(&format!("/file/{id}/thumb")), &[]).await }
    };
    // 200×100 RGB is 60,000 bytes of pixels: made, 64 pixels wide.
    let small = upload(&s, &a, "small.png", png(200, 100)).await;
    let (status, _, body) = thumb(small).await;
    assert_eq!(status, 200);
    let img = image::load_from_memory(&body).expect("decodes");
    assert_eq!((img.width(), img.height()), (64, 32));
    // 300×300 RGB is 270,000 bytes: over `thumb_max_alloc_bytes`.
    let big = upload(&s, &a, "big.png", png(300, 300)).await;
    assert_eq!(thumb(big).await.0, 415);
    // One at a time: six asked for at once all come.
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(upload(&s, &a, &format!("p{i}.png"), png(120 + i, 90)).await);
    }
    let answers = futures::future::join_all(ids.into_iter().map(thumb)).await;
    for (status, h, body) in answers {
        assert_eq!(status, 200);
        assert_eq!(header(&h, "content-type"), "image/jpeg");
        let img = image::load_from_memory(&body).expect("decodes");
        assert_eq!(img.width(), 64);
    }
});

/// A web login: the `Cookie` header of a logged-in browser.
async fn web_login(s: &Server, user: &str, password: &str) -> String {
    let mut v = common::web::Visitor::new(s);
    v.login(user, password).await;
    assert!(v.cookies.contains_key("ds_web"), "a login cookie");
    v.cookie_header()
}

// Preview bytes are bytes served: charged to the logged-in visitor's
// bandwidth like the download button's, and still not a download.
dual!(preview_bytes_are_charged_to_the_visitor, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_TIERS__PRO__BANDWIDTH", "12000")]).await;
    let a = s.user_session("alice").await;
    let id = upload(&s, &a, "clip.mp4", pattern(5000, 4)).await;
    s.create_user("pro", "secret123");
    s.set_membership("pro", "pro");
    let p = s.login("pro", "secret123").await;
    let cookie = web_login(&s, "pro", "secret123").await;
    let html = s
        .http
        .get(s.url(&format!("/file/{id}")))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let src = preview_src(&s, &html).expect("a preview");
    assert!(
        !src.contains(&format!("/preview/{id}/0/")),
        "signed for the visitor: {src}"
    );
    let left = |x: &Xml| x.text("bandwidth_left").unwrap_or_default();
    assert_eq!(left(&api(&s, &p, "auth.checkSession", &[]).await), "12000");
    assert_eq!(fetch(&s, &src, &[]).await.2.len(), 5000);
    eventually("the preview charged", async || {
        left(&api(&s, &p, "auth.checkSession", &[]).await) == "7000"
    })
    .await;
    assert_eq!(downloads(&s, &a, &id).await, "0");
});

/// The link-preview tags of a page: (property or name, content).
fn meta_tags(html: &str) -> Vec<(String, String)> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("head meta[content]").expect("selector");
    doc.select(&sel)
        .filter_map(|m| {
            let v = m.value();
            let key = v.attr("property").or(v.attr("name"))?;
            Some((key.to_string(), v.attr("content")?.to_string()))
        })
        .collect()
}

// A chat app's link preview shows an open file's name, size, description
// and thumbnail, nothing of a file behind a password or a download limit,
// and fetching it is no download.
dual!(link_previews_tell_only_what_is_open, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let open = seed_file(&s, "alice", "beach <1>.png", &png(40, 30)).await;
    api(
        &s,
        &a,
        "files.setInfo",
        &[("file_id", &open), ("description", "Day one")],
    )
    .await
    .assert_ok();
    let locked = seed_file(&s, "alice", "secret-plan.png", &png(40, 30)).await;
    api(
        &s,
        &a,
        "files.setInfo",
        &[("file_id", &locked), ("password", "pw")],
    )
    .await
    .assert_ok();
    let limited = seed_file(&s, "alice", "once-only.png", &png(40, 30)).await;
    api(
        &s,
        &a,
        "files.setInfo",
        &[("file_id", &limited), ("downloads_limit", "1")],
    )
    .await
    .assert_ok();
    let fetch = async |id: &str| {
        let resp = s
            .http
            .get(s.url(&format!("/file/{id}")))
            .header(
                "user-agent",
                "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
            )
            .send()
            .await
            .expect("page");
        assert_eq!(resp.status(), 200);
        meta_tags(&resp.text().await.expect("html"))
    };
    let tags = fetch(&open).await;
    let tag = |k: &str| {
        tags.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {k} in {tags:?}"))
    };
    assert_eq!(tag("og:title"), "beach <1>.png");
    assert!(tag("og:description").starts_with("Day one ("), "{tags:?}");
    assert_eq!(tag("og:image"), s.url(&format!("/file/{open}/thumb")));
    assert_eq!(tag("og:url"), s.url(&format!("/file/{open}")));
    assert_eq!(tag("twitter:card"), "summary_large_image");
    for (id, name) in [(&locked, "secret-plan"), (&limited, "once-only")] {
        let tags = fetch(id).await;
        assert!(tags
            .iter()
            .any(|(k, v)| k == "og:title" && v == "A file shared with you"));
        assert!(!tags.iter().any(|(k, _)| k == "og:image"), "{tags:?}");
        assert!(!tags.iter().any(|(_, v)| v.contains(name)), "{tags:?}");
    }
    for id in [&open, &limited] {
        let x = api(&s, &a, "files.getInfo", &[("file_id", id)]).await;
        assert_eq!(x.attr("file", "downloads").as_deref(), Some("0"));
    }
});
