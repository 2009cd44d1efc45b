//! Operator tools against a real deployment: `admin fsck [--repair]` finds
//! and mends what a damaged store looks like; `admin backup` taken while
//! the server serves restores onto an empty deployment byte for byte.

mod common;

use common::*;

fn out(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

dual!(fsck_finds_and_repairs, |b| async move {
    let s = Server::start(b).await;
    let session = s.user_session("fsck").await;
    let lost = upload(&s, &session, "lost.bin", pattern(17_000, 1)).await;
    let rotten = upload(&s, &session, "rotten.bin", pattern(20_000, 2)).await;
    let kept = upload(&s, &session, "kept.bin", pattern(23_000, 3)).await;
    let clean = s.admin(&["fsck"]);
    assert!(clean.status.success(), "{}", out(&clean));
    assert!(
        out(&clean).contains("fsck: 3 files, 3 blobs, 60000 bytes verified, 0 problems"),
        "{}",
        out(&clean)
    );

    // Damage: a blob gone, a blob's bytes changed (same size), a stray
    // blob, an account's disk use off, a file in a folder that is gone.
    let blobs = s.data_dir.join("blobs");
    std::fs::remove_file(blobs.join(blob_key(&s, &lost).await)).expect("remove blob");
    let rotten_path = blobs.join(blob_key(&s, &rotten).await);
    let mut bytes = std::fs::read(&rotten_path).expect("blob");
    bytes[123] ^= 0xff;
    std::fs::write(&rotten_path, &bytes).expect("rewrite blob");
    let orphan = blobs.join("ff").join("ff00000000000000000000000000000f");
    std::fs::create_dir_all(orphan.parent().expect("dir")).expect("mkdir");
    std::fs::write(&orphan, b"nobody's").expect("orphan");
    exec(&s, "UPDATE users SET disk_used = disk_used + 777").await;
    exec(
        &s,
        &format!("UPDATE files SET folder_id = 'gone99' WHERE id = '{kept}'"),
    )
    .await;

    let found = s.admin(&["fsck"]);
    let text = out(&found);
    assert_eq!(found.status.code(), Some(1), "{text}");
    for line in [
        format!("missing blob: file {lost}"),
        format!("wrong checksum: file {rotten}"),
        "orphan blob: ff/ff00000000000000000000000000000f".to_string(),
        "quota mismatch: account fsck records".to_string(),
        format!("lost folder: file {kept} is in missing folder gone99"),
    ] {
        assert!(text.contains(&line), "no {line:?} in:\n{text}");
    }
    assert!(orphan.exists(), "fsck without --repair changed nothing");

    let repaired = s.admin(&["fsck", "--repair"]);
    let text = out(&repaired);
    // The changed blob cannot be mended: it stays reported.
    assert_eq!(repaired.status.code(), Some(1), "{text}");
    assert!(text.contains("1 remaining"), "{text}");
    assert!(text.contains(&format!("repaired: removed file {lost} whose blob is lost")));
    assert!(!orphan.exists(), "orphan blob removed");
    api(&s, &session, "files.getInfo", &[("file_id", &lost)])
        .await
        .assert_error(9);
    let kept_info = api(&s, &session, "files.getInfo", &[("file_id", &kept)]).await;
    assert_eq!(kept_info.attr("file", "folder_id").as_deref(), Some("0"));
    assert_eq!(
        s.db_i64("SELECT disk_used FROM users WHERE user_name = 'fsck'")
            .await,
        43_000,
        "disk use is the two remaining files"
    );

    // Deleting the damaged file leaves a clean deployment.
    api(&s, &session, "files.delete", &[("file_id", &rotten)])
        .await
        .assert_ok();
    let again = s.admin(&["fsck", "--quick"]);
    assert!(again.status.success(), "{}", out(&again));
});

// The CRC-32 zip downloads need (docs/zip.md) is kept with every upload,
// small (in the database) or not; a row from before it was kept is
// reported and `--repair` fills it in from the bytes; a wrong one is
// reported and left.
dual!(fsck_fills_in_crc32_of_older_files, |b| async move {
    let s = Server::start(b).await;
    let session = s.user_session("crc").await;
    let small = pattern(1_000, 4);
    let large = pattern(90_000, 5);
    let small_id = upload(&s, &session, "small.bin", small.clone()).await;
    let large_id = upload(&s, &session, "large.bin", large.clone()).await;
    let crc_of = |id: &str| format!("SELECT crc32 FROM files WHERE id = '{id}'");
    for (id, bytes) in [(&small_id, &small), (&large_id, &large)] {
        let want = i64::from(crc32fast::hash(bytes));
        assert_eq!(s.db_i64(&crc_of(id)).await, want, "{id}");
    }
    exec(
        &s,
        &format!("UPDATE files SET crc32 = NULL WHERE id = '{large_id}'"),
    )
    .await;
    let found = s.admin(&["fsck"]);
    assert_eq!(found.status.code(), Some(1), "{}", out(&found));
    assert!(out(&found).contains(&format!("no checksum: file {large_id}")));
    let repaired = s.admin(&["fsck", "--repair"]);
    let text = out(&repaired);
    assert!(repaired.status.success(), "{text}");
    assert!(
        text.contains(&format!("recorded the checksums of file {large_id}")),
        "{text}"
    );
    assert_eq!(
        s.db_i64(&crc_of(&large_id)).await,
        i64::from(crc32fast::hash(&large))
    );
    exec(
        &s,
        &format!("UPDATE files SET crc32 = 7 WHERE id = '{small_id}'"),
    )
    .await;
    let found = s.admin(&["fsck", "--repair"]);
    assert_eq!(found.status.code(), Some(1), "{}", out(&found));
    assert!(out(&found).contains(&format!("wrong checksum: file {small_id}")));
    assert_eq!(s.db_i64(&crc_of(&small_id)).await, 7, "left as it was");
});

dual!(backup_while_serving_restores_byte_exact, |b| async move {
    let mut s = Server::start(b).await;
    let session = s.user_session("keeper").await;
    let mut files = Vec::new();
    for (i, size) in [0usize, 1, 65_536, 300_001].into_iter().enumerate() {
        let bytes = pattern(size, i as u8);
        files.push((
            upload(&s, &session, &format!("f{i}.bin"), bytes.clone()).await,
            bytes,
        ));
    }
    let anon = anon_info(&s).await;
    let anon_bytes = pattern(4_321, 9);
    let resp = post_form(
        &s,
        &anon.url,
        anon.form(&[], "anon.bin", anon_bytes.clone()),
    )
    .await;
    let text = resp.text().await.expect("answer");
    let doc = roxmltree::Document::parse(&text).expect("upload_done XML");
    let anon_id = doc
        .descendants()
        .find(|n| n.has_tag_name("file_id"))
        .and_then(|n| n.text())
        .unwrap_or_else(|| panic!("no file_id: {text}"))
        .to_string();
    files.push((anon_id, anon_bytes));
    let doomed = upload(&s, &session, "doomed.bin", pattern(5_000, 7)).await;

    // The backup runs while another upload streams and a file is deleted.
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("backup");
    let target_arg = target.display().to_string();
    let env = s.env.clone();
    let backup = std::thread::spawn(move || admin_with(&env, &["backup", target_arg.as_str()]));
    let during = upload(&s, &session, "during.bin", pattern(200_000, 5)).await;
    api(&s, &session, "files.delete", &[("file_id", &doomed)])
        .await
        .assert_ok();
    let backup = backup.join().expect("backup thread");
    assert!(backup.status.success(), "{}", out(&backup));
    assert!(out(&backup).contains("backed up"), "{}", out(&backup));
    assert!(target.join("manifest.json").exists());
    s.terminate();

    // An empty deployment: new data directory, and (PostgreSQL) the
    // schema gone.
    let fresh = tempfile::tempdir().expect("tempdir");
    let data_dir = fresh.path().join("data");
    let db_url = match b {
        Backend::Sqlite => format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("dropspace.db").display()
        ),
        Backend::Postgres => {
            let schema = s.db_url.rsplit("search_path%3D").next().expect("schema");
            exec(&s, &format!("DROP SCHEMA {schema} CASCADE")).await;
            s.db_url.clone()
        }
    };
    let env: Vec<(String, String)> = s
        .env
        .iter()
        .filter(|(k, _)| k != "DROPSPACE_DATA_DIR" && k != "DROPSPACE_DATABASE_URL")
        .cloned()
        .chain([
            ("DROPSPACE_DATA_DIR".into(), data_dir.display().to_string()),
            ("DROPSPACE_DATABASE_URL".into(), db_url),
        ])
        .collect();
    let restored = admin_with(&env, &["restore", &target.display().to_string()]);
    assert!(restored.status.success(), "{}", out(&restored));
    let again = admin_with(&env, &["restore", &target.display().to_string()]);
    assert!(
        !again.status.success(),
        "restore refuses a non-empty deployment"
    );

    let mut r = Server::start_env(env, b).await;
    r.api_key = s.api_key.clone();
    let session = r.login("keeper", "secret123").await;
    for (id, bytes) in &files {
        let url = direct_url(&r, &session, id, None).await;
        let (status, _, body) = fetch(&r, &url, &[]).await;
        assert_eq!(status, 200, "{id}");
        assert!(body == *bytes, "file {id} restored byte-exact");
    }
    // Taken before or after the snapshot, a file is either whole or absent.
    let during_info = api(&r, &session, "files.getInfo", &[("file_id", &during)]).await;
    if during_info.is_ok() {
        let url = direct_url(&r, &session, &during, None).await;
        assert!(fetch(&r, &url, &[]).await.2 == pattern(200_000, 5));
    }
    let fsck = r.admin(&["fsck"]);
    assert!(fsck.status.success(), "{}", out(&fsck));
});
