//! Zip downloads (docs/zip.md): a shared folder with its shared
//! sub-folders, and a bundle, as one stored archive read back by Python's
//! `zipfile`, Info-ZIP `unzip` and libarchive's `bsdtar`; an interrupted
//! download resumed by range; ZIP64 past 4 GiB (a sparse file, fs only).

mod common;

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::process::Command;

use common::web::{anon_file, post_bundle};
use common::*;

/// `[name, size, sha256]` of every entry, as Python's zipfile reads them
/// (reading checks each entry's CRC-32); `skip` entries are listed, not read.
fn python_entries(path: &Path, skip: &[&str]) -> Vec<(String, u64, String)> {
    let script = r#"
import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
skip = set(json.loads(sys.argv[2]))
out = []
for i in z.infolist():
    digest = '' if i.filename in skip else hashlib.sha256(z.read(i)).hexdigest()
    out.append([i.filename, i.file_size, digest])
print(json.dumps(out))
"#;
    let skip = serde_json::to_string(skip).expect("json");
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .arg(skip)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "zipfile: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("entries")
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// `unzip -t` tests every entry; `bsdtar -tf` lists them (either tool
/// missing outside CI: skipped).
fn tools_agree(path: &Path, names: &[&str]) {
    let ci = std::env::var("CI").as_deref() == Ok("true");
    match Command::new("unzip").arg("-t").arg(path).output() {
        Ok(out) => assert!(
            out.status.success(),
            "unzip -t: {}",
            String::from_utf8_lossy(&out.stdout)
        ),
        Err(e) if !ci => eprintln!("SKIPPED unzip: {e}"),
        Err(e) => panic!("unzip is required in CI: {e}"),
    }
    match Command::new("bsdtar").arg("-tf").arg(path).output() {
        Ok(out) => {
            assert!(out.status.success(), "bsdtar");
            let listed = String::from_utf8_lossy(&out.stdout);
            for name in names {
                assert!(listed.lines().any(|l| l == *name), "{name} in {listed}");
            }
        }
        Err(e) if !ci => eprintln!("SKIPPED bsdtar: {e}"),
        Err(e) => panic!("bsdtar (libarchive-tools) is required in CI: {e}"),
    }
}

async fn get(s: &Server, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = s.http.get(s.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.expect("zip request")
}

async fn uploaded_into(
    s: &Server,
    session: &str,
    folder: &str,
    name: &str,
    bytes: &[u8],
) -> String {
    let id = upload(s, session, name, bytes.to_vec()).await;
    api(
        s,
        session,
        "files.moveToFolder",
        &[("file_id", &id), ("folder_id", folder)],
    )
    .await
    .assert_ok();
    id
}

// A shared folder: its files and its shared sub-folder's, not the private
// one's, nor a file with a password or a download limit; every tool reads
// the same names and bytes; a range resumes the download; each file's
// bytes delivered inside the zip count as its download.
dual!(
    a_shared_folder_zips_with_its_shared_subfolders,
    |b| async move {
        let s = Server::start(b).await;
        let session = s.user_session("alice").await;
        let top = mkdir(&s, &session, "Trip photos", "0", "1").await;
        let day = mkdir(&s, &session, "Day 1", &top, "1").await;
        let private = mkdir(&s, &session, "Private", &top, "0").await;
        let notes = b"notes\n".to_vec();
        let resume = pattern(200_000, 1);
        let beach = pattern(120_000, 2);
        let ids = [
            uploaded_into(&s, &session, &top, "notes.txt", &notes).await,
            uploaded_into(&s, &session, &top, "Résumé.pdf", &resume).await,
            uploaded_into(&s, &session, &day, "beach.jpg", &beach).await,
        ];
        uploaded_into(&s, &session, &private, "secret.txt", b"secret").await;
        let locked = uploaded_into(&s, &session, &top, "locked.txt", b"locked").await;
        let limited = uploaded_into(&s, &session, &top, "limited.txt", b"limited").await;
        for (id, field, value) in [
            (&locked, "password", "pw"),
            (&limited, "downloads_limit", "3"),
        ] {
            api(
                &s,
                &session,
                "files.setInfo",
                &[("file_id", id), (field, value)],
            )
            .await
            .assert_ok();
        }

        // The page offers the zip and says what stays out of it.
        let page = get(&s, &format!("/folder/{top}"), &[])
            .await
            .text()
            .await
            .expect("page");
        assert!(
            page.contains(&format!("id=\"zip\" href=\"/folder/{top}/zip\"")),
            "{page}"
        );
        assert!(
            page.contains("2 files have a password or a download limit"),
            "{page}"
        );

        let whole = get(&s, &format!("/folder/{top}/zip"), &[]).await;
        assert_eq!(whole.status(), 200);
        let h = whole.headers().clone();
        assert_eq!(header(&h, "content-type"), "application/zip");
        assert!(
            header(&h, "content-disposition").contains("Trip photos.zip"),
            "{h:?}"
        );
        assert_eq!(header(&h, "accept-ranges"), "bytes");
        let etag = header(&h, "etag");
        let length: usize = header(&h, "content-length").parse().expect("length");
        let body = whole.bytes().await.expect("zip").to_vec();
        assert_eq!(body.len(), length, "the length was exact up front");

        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("trip.zip");
        std::fs::write(&path, &body).expect("write zip");
        let mut got = python_entries(&path, &[]);
        got.sort();
        let mut want = vec![
            (
                "Day 1/beach.jpg".to_string(),
                beach.len() as u64,
                sha256(&beach),
            ),
            (
                "Résumé.pdf".to_string(),
                resume.len() as u64,
                sha256(&resume),
            ),
            ("notes.txt".to_string(), notes.len() as u64, sha256(&notes)),
        ];
        want.sort();
        assert_eq!(got, want);
        tools_agree(&path, &["notes.txt", "Résumé.pdf", "Day 1/beach.jpg"]);

        // Every file once: delivered bytes credit their file.
        for id in &ids {
            let sql = format!("SELECT downloads FROM files WHERE id = '{id}'");
            eventually("one download each", async || s.db_i64(&sql).await == 1).await;
        }
        let untouched = format!("SELECT downloads FROM files WHERE id = '{limited}'");
        assert_eq!(s.db_i64(&untouched).await, 0);

        // Cut at 1,000 bytes and resumed: the same archive.
        let rest = get(
            &s,
            &format!("/folder/{top}/zip"),
            &[("range", "bytes=1000-"), ("if-range", &etag)],
        )
        .await;
        assert_eq!(rest.status(), 206);
        assert_eq!(
            header(rest.headers(), "content-range"),
            format!("bytes 1000-{}/{length}", length - 1)
        );
        let mut joined = body[..1000].to_vec();
        joined.extend_from_slice(&rest.bytes().await.expect("rest"));
        assert!(joined == body, "the resumed archive differs");
        // Another version's validator: the whole archive again.
        let stale = get(
            &s,
            &format!("/folder/{top}/zip"),
            &[("range", "bytes=1000-"), ("if-range", "\"z-old\"")],
        )
        .await;
        assert_eq!(stale.status(), 200);
        let head = s
            .http
            .head(s.url(&format!("/folder/{top}/zip")))
            .send()
            .await
            .expect("head");
        assert_eq!(head.status(), 200);
        assert_eq!(header(head.headers(), "content-length"), length.to_string());

        // A change to the folder changes the validator.
        uploaded_into(&s, &session, &top, "later.txt", b"later").await;
        let changed = get(&s, &format!("/folder/{top}/zip"), &[]).await;
        assert_ne!(header(changed.headers(), "etag"), etag);

        for missing in [
            format!("/folder/{private}/zip"),
            "/folder/nosuch1/zip".to_string(),
        ] {
            assert_eq!(get(&s, &missing, &[]).await.status(), 404, "{missing}");
        }
    }
);

// A bundle's zip: two files of the same name are told apart, and a name
// Windows would refuse is made safe.
dual!(a_bundle_zips, |b| async move {
    let s = Server::start(b).await;
    let one = anon_file(&s, "photo.jpg", b"first photo").await;
    let two = anon_file(&s, "photo.jpg", b"second photo").await;
    let three = anon_file(&s, "report: final?.txt", b"not really").await;
    let pairs = [&one, &two, &three]
        .iter()
        .map(|(id, secret)| format!("{id}/{secret}"))
        .collect::<Vec<_>>()
        .join(",");
    let made = post_bundle(&s, &pairs).await;
    assert_eq!(made.status(), 200);
    let made: serde_json::Value =
        serde_json::from_str(&made.text().await.expect("answer")).expect("json");
    let url = made["url"].as_str().expect("url");
    let id = url.rsplit('/').next().expect("id");
    let page = get(&s, &format!("/b/{id}"), &[("accept-language", "de")]).await;
    let page = page.text().await.expect("page");
    assert!(
        page.contains(&format!(
            "href=\"/b/{id}/zip\" download>Alle als ZIP herunterladen"
        )),
        "{page}"
    );
    assert!(!page.contains("zip-left-out"), "nothing is left out");
    let zip = get(&s, &format!("/b/{id}/zip"), &[]).await;
    assert_eq!(zip.status(), 200);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bundle.zip");
    std::fs::write(&path, zip.bytes().await.expect("zip")).expect("write");
    let names: Vec<String> = python_entries(&path, &[])
        .into_iter()
        .map(|e| e.0)
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(sorted, ["photo (2).jpg", "photo.jpg", "report_ final_.txt"]);
    tools_agree(&path, &["photo.jpg", "photo (2).jpg", "report_ final_.txt"]);
    assert_eq!(get(&s, "/b/nosuchbundle/zip", &[]).await.status(), 404);
});

// ZIP64: a 5 GiB file (a sparse blob standing in for one) and a small one
// after it. Only the archive's first and last bytes are fetched and laid
// out in a sparse file of the archive's length; zipfile and unzip read its
// directory, and zipfile the small file past the 4 GiB mark.
dual!(past_4_gib_the_archive_is_zip64, |b| async move {
    if s3_mode() {
        return;
    }
    let s = Server::start(b).await;
    let session = s.user_session("alice").await;
    let folder = mkdir(&s, &session, "Disk images", "0", "1").await;
    // Over `storage.inline_max_bytes`: a blob file of its own.
    let big = uploaded_into(&s, &session, &folder, "disk.img", &pattern(20_000, 9)).await;
    let after = uploaded_into(&s, &session, &folder, "after.txt", b"after the big one").await;
    let size: u64 = 5 << 30;
    let blob = blob_path(&s, &big).await.expect("blob");
    std::fs::File::options()
        .write(true)
        .open(&blob)
        .and_then(|f| f.set_len(0).and_then(|()| f.set_len(size)))
        .expect("sparse blob");
    // The CRC-32 of 5 GiB of zeros, from 1 MiB's, combined.
    let mut mib = crc32fast::Hasher::new();
    mib.update(&vec![0u8; 1 << 20]);
    let mut crc = crc32fast::Hasher::new();
    for _ in 0..(size >> 20) {
        crc.combine(&mib);
    }
    exec(
        &s,
        &format!(
            "UPDATE files SET size = {size}, crc32 = {}, checksum = '', uploaded = uploaded - 60 \
             WHERE id = '{big}'",
            crc.finalize()
        ),
    )
    .await;
    assert!(!after.is_empty());

    let path_of = format!("/folder/{folder}/zip");
    let head = s.http.head(s.url(&path_of)).send().await.expect("head");
    let length: u64 = header(head.headers(), "content-length")
        .parse()
        .expect("length");
    assert!(length > size, "{length}");
    let first = get(&s, &path_of, &[("range", "bytes=0-65535")]).await;
    assert_eq!(first.status(), 206);
    let first = first.bytes().await.expect("head bytes");
    let tail_len: u64 = 1 << 20;
    let last = get(&s, &path_of, &[("range", &format!("bytes=-{tail_len}"))]).await;
    assert_eq!(last.status(), 206);
    let last = last.bytes().await.expect("tail bytes");

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("images.zip");
    let mut f = std::fs::File::create(&path).expect("zip file");
    f.write_all(&first).expect("head");
    f.seek(SeekFrom::Start(length - tail_len)).expect("seek");
    f.write_all(&last).expect("tail");
    f.set_len(length).expect("length");
    drop(f);
    let got = python_entries(&path, &["disk.img"]);
    assert_eq!(got[0].0, "disk.img");
    assert_eq!(got[0].1, size);
    assert_eq!(
        got[1],
        ("after.txt".to_string(), 17, sha256(b"after the big one"))
    );
    let listed = Command::new("unzip").arg("-l").arg(&path).output();
    if let Ok(out) = listed {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{text}");
        assert!(
            text.contains("5368709120") && text.contains("after.txt"),
            "{text}"
        );
    }
});

// A file whose bytes are shorter than its row breaks the download (the
// client sees a cut transfer, never a clean archive with a hole), whether
// its bytes are read with others in one chunk or alone.
dual!(a_file_gone_short_breaks_the_zip, |b| async move {
    if s3_mode() {
        return;
    }
    let s = Server::start(b).await;
    let session = s.user_session("alice").await;
    let folder = mkdir(&s, &session, "Broken", "0", "1").await;
    let whole = pattern(40_000, 3);
    uploaded_into(&s, &session, &folder, "whole.bin", &whole).await;
    let short = uploaded_into(&s, &session, &folder, "short.bin", &pattern(3_000_000, 4)).await;
    let blob = blob_path(&s, &short).await.expect("blob");
    std::fs::File::options()
        .write(true)
        .open(&blob)
        .and_then(|f| f.set_len(2_000_000))
        .expect("truncated blob");
    let got = get(&s, &format!("/folder/{folder}/zip"), &[]).await;
    assert_eq!(got.status(), 200);
    let length: usize = header(got.headers(), "content-length")
        .parse()
        .expect("length");
    match got.bytes().await {
        Ok(body) => panic!("a clean end after {} of {length} bytes", body.len()),
        Err(e) => assert!(e.is_body() || e.is_decode(), "{e:?}"),
    }
});

// `limits.zip_max_files`: a folder holding more (files and folders
// together) gets a clear refusal, not a partial archive.
dual!(a_folder_over_the_limit_gets_no_zip, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_LIMITS__ZIP_MAX_FILES", "3")]).await;
    let session = s.user_session("alice").await;
    let folder = mkdir(&s, &session, "Many", "0", "1").await;
    for i in 0..2 {
        uploaded_into(&s, &session, &folder, &format!("{i}.txt"), b"x").await;
    }
    assert_eq!(
        get(&s, &format!("/folder/{folder}/zip"), &[])
            .await
            .status(),
        200
    );
    uploaded_into(&s, &session, &folder, "2.txt", b"x").await;
    let refused = get(&s, &format!("/folder/{folder}/zip"), &[]).await;
    assert_eq!(refused.status(), 403);
    let text = refused.text().await.expect("text");
    assert!(text.contains("more than 3 files and folders"), "{text}");
});

// My files: the chosen files as one zip (a redirect to a GET, so the
// browser downloads and may resume it); another account's file among them
// is refused whole; without a login, the login page.
dual!(chosen_files_in_my_files_zip_together, |b| async move {
    let s = Server::start(b).await;
    let session = s.user_session("hal").await;
    let stranger = s.user_session("eve").await;
    let mut v = common::web::Visitor::new(&s);
    assert_eq!(v.login("hal", "secret123").await.status(), 303);
    let csrf = v.csrf("/files").await;
    let one = upload(&s, &session, "one.txt", b"first".to_vec()).await;
    let two = upload(&s, &session, "two.txt", b"second".to_vec()).await;
    let theirs = upload(&s, &stranger, "theirs.txt", b"not hal's".to_vec()).await;
    let chosen = [
        ("csrf", csrf.as_str()),
        ("file_id", &one),
        ("file_id", &two),
        ("action", "zip"),
        ("folder", "0"),
    ];
    let resp = v.post("/files/bulk", &chosen).await;
    assert_eq!(resp.status(), 303);
    let to = header(resp.headers(), "location");
    assert_eq!(to, format!("/files/zip?files={one},{two}"));
    let zip = v.get(&to).await;
    assert_eq!(zip.status(), 200);
    assert!(header(zip.headers(), "content-disposition").contains("My files.zip"));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mine.zip");
    std::fs::write(&path, zip.bytes().await.expect("zip")).expect("write");
    let mut got = python_entries(&path, &[]);
    got.sort();
    assert_eq!(
        got,
        [
            ("one.txt".to_string(), 5, sha256(b"first")),
            ("two.txt".to_string(), 6, sha256(b"second"))
        ]
    );
    let refused = v.get(&format!("/files/zip?files={one},{theirs}")).await;
    assert_eq!(refused.status(), 404);
    let anonymous = s
        .http
        .get(s.url(&format!("/files/zip?files={one}")))
        .send()
        .await
        .expect("anonymous");
    assert_eq!(anonymous.status(), 303);
});
