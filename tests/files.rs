//! files.* through real HTTP, on both databases.

mod common;
use common::*;

const FILE_ATTRS: [&str; 14] = [
    "id",
    "name",
    "description",
    "password",
    "folder_id",
    "download_page_url",
    "direct_download_url",
    "upload_time",
    "file_size",
    "downloads",
    "time_limit",
    "download_limit",
    "limit_action",
    "limit_action_to_folder",
];

dual!(get_info_has_every_attribute, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let id = seed_file(&s, "alice", "song.mp3", b"0123456789").await;
    let x = api(&s, &a, "files.getinfo", &[("file_id", &id)]).await;
    x.assert_ok();
    assert_eq!(x.method(), "files.getinfo");
    let file = &x.all("file")[0];
    assert_eq!(attr_names(file), FILE_ATTRS);
    assert_eq!(attr_of(file, "id"), id);
    assert_eq!(attr_of(file, "name"), "song.mp3");
    assert_eq!(attr_of(file, "folder_id"), "0");
    assert_eq!(attr_of(file, "file_size"), "10");
    assert_eq!(attr_of(file, "downloads"), "0");
    assert_eq!(
        attr_of(file, "download_page_url"),
        s.url(&format!("/file/{id}"))
    );
    assert!(attr_of(file, "upload_time").parse::<i64>().unwrap_or(0) > 0);

    // A 1.2 session also gets delete_url, last.
    let a12 = s.login_v("alice", "secret123", "1.2").await;
    let x = api(&s, &a12, "files.getInfo", &[("file_id", &id)]).await;
    let file = &x.all("file")[0];
    assert_eq!(attr_names(file).last(), Some(&"delete_url"));
    let del = attr_of(file, "delete_url");
    assert!(del.starts_with(&s.url(&format!("/delete/{id}/"))), "{del}");
    assert!(del
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b"._~/:-".contains(&c)));

    api(&s, &a, "files.getInfo", &[("file_id", "zzzzzz")])
        .await
        .assert_error(9);
    api(&s, &a, "files.getInfo", &[("file_id", "../etc")])
        .await
        .assert_error(9);
    api(&s, &a, "files.getInfo", &[]).await.assert_error(4);
});

// A rename is cleaned like an uploaded name: last path component, no
// control characters, at most 255 bytes, `file` when nothing is left.
dual!(set_info_names_are_cleaned, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let id = seed_file(&s, "alice", "a.txt", b"abc").await;
    let long = "\u{e9}".repeat(200);
    for (sent, kept) in [
        ("../../etc/passwd", "passwd".to_string()),
        ("C:\\Users\\me\\report.pdf", "report.pdf".to_string()),
        ("bell\u{7}\ttab\r\n.txt", "belltab.txt".to_string()),
        ("dir/", "file".to_string()),
        ("", "file".to_string()),
        (long.as_str(), "\u{e9}".repeat(127)),
    ] {
        let x = api(&s, &a, "files.setInfo", &[("file_id", &id), ("name", sent)]).await;
        x.assert_ok();
        assert_eq!(
            x.attr("file", "name").as_deref(),
            Some(kept.as_str()),
            "{sent:?}"
        );
        let x = api(&s, &a, "files.getInfo", &[("file_id", &id)]).await;
        let name = x.attr("file", "name").unwrap_or_default();
        assert_eq!(name, kept);
        assert!(!name.contains('/') && !name.contains('\\'));
    }
});

dual!(set_info_absent_leaves_empty_clears, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let id = seed_file(&s, "alice", "a.txt", b"abc").await;
    let folder = api(&s, &a, "folders.create", &[("name", "docs")]).await;
    let folder = folder.attr("folder", "id").expect("folder id");
    let x = api(
        &s,
        &a,
        "files.setInfo",
        &[
            ("file_id", &id),
            ("name", "b.txt"),
            ("description", "desc & <b>"),
            ("password", "pw1"),
            ("folder_id", &folder),
            ("time_limit", "3600"),
            ("downloads_limit", "7"),
            ("limit_action", "3"),
            ("limit_action_to_folder", "0"),
        ],
    )
    .await;
    x.assert_ok();
    let f = &x.all("file")[0];
    assert_eq!(attr_of(f, "name"), "b.txt");
    assert_eq!(attr_of(f, "description"), "desc & <b>");
    assert_eq!(attr_of(f, "password"), "pw1");
    assert_eq!(attr_of(f, "folder_id"), folder);
    assert_eq!(attr_of(f, "time_limit"), "3600");
    assert_eq!(attr_of(f, "download_limit"), "7");
    assert_eq!(attr_of(f, "limit_action"), "3");
    assert_eq!(attr_of(f, "limit_action_to_folder"), "0");

    // Absent leaves everything alone; present but empty clears.
    let x = api(
        &s,
        &a,
        "files.setInfo",
        &[("file_id", &id), ("description", ""), ("password", "")],
    )
    .await;
    x.assert_ok();
    let f = &x.all("file")[0];
    assert_eq!(attr_of(f, "name"), "b.txt");
    assert_eq!(attr_of(f, "description"), "");
    assert_eq!(attr_of(f, "password"), "");
    assert_eq!(attr_of(f, "folder_id"), folder);
    assert_eq!(attr_of(f, "download_limit"), "7");
    let x = api(
        &s,
        &a,
        "files.setInfo",
        &[("file_id", &id), ("folder_id", ""), ("downloads_limit", "")],
    )
    .await;
    let f = &x.all("file")[0];
    assert_eq!(attr_of(f, "folder_id"), "0");
    assert_eq!(attr_of(f, "download_limit"), "0");
    assert_eq!(attr_of(f, "time_limit"), "3600");

    // Bad values are 21, folders not ours 10, and nothing changes.
    for (k, v) in [
        ("limit_action", "4"),
        ("downloads_limit", "-1"),
        ("time_limit", "soon"),
    ] {
        api(&s, &a, "files.setInfo", &[("file_id", &id), (k, v)])
            .await
            .assert_error(21);
    }
    api(
        &s,
        &a,
        "files.setInfo",
        &[("file_id", &id), ("folder_id", "nosuch")],
    )
    .await
    .assert_error(10);
    api(
        &s,
        &a,
        "files.setInfo",
        &[("file_id", &id), ("limit_action_to_folder", "nosuch")],
    )
    .await
    .assert_error(10);
    let x = api(&s, &a, "files.getInfo", &[("file_id", &id)]).await;
    assert_eq!(attr_of(&x.all("file")[0], "limit_action"), "3");
});

dual!(move_to_folder, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let id = seed_file(&s, "alice", "a.txt", b"abc").await;
    let folder = api(&s, &a, "folders.create", &[("name", "docs")])
        .await
        .attr("folder", "id")
        .expect("folder");
    let x = api(
        &s,
        &a,
        "files.moveToFolder",
        &[("file_id", &id), ("folder_id", &folder)],
    )
    .await;
    x.assert_ok();
    assert_eq!(attr_names(&x.all("file")[0]), FILE_ATTRS);
    assert_eq!(attr_of(&x.all("file")[0], "folder_id"), folder);
    let x = api(&s, &a, "folders.getContents", &[("folder_id", &folder)]).await;
    assert_eq!(attr_of(&x.all("file")[0], "id"), id);
    api(
        &s,
        &a,
        "files.moveToFolder",
        &[("file_id", &id), ("folder_id", "nosuch")],
    )
    .await
    .assert_error(10);
    api(
        &s,
        &a,
        "files.moveToFolder",
        &[("file_id", "nosuch"), ("folder_id", "0")],
    )
    .await
    .assert_error(9);
    let x = api(
        &s,
        &a,
        "files.moveToFolder",
        &[("file_id", &id), ("folder_id", "0")],
    )
    .await;
    assert_eq!(attr_of(&x.all("file")[0], "folder_id"), "0");
});

// Without a trash (docs/expiry.md; tests/expiry.rs has the trash).
dual!(delete_frees_space_and_blob, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_TIERS__LITE__TRASH_SECS", "0")]).await;
    let a = s.user_session("alice").await;
    let before = diskspace_left(&s, &a).await;
    let id = seed_file(&s, "alice", "big.bin", &[7u8; 4096]).await;
    let keep = seed_file(&s, "alice", "keep.bin", &[1u8; 100]).await;
    // Seeded by the test, as by another node: seen within `session_cache_ms`.
    eventually("the seeded files counted", async || {
        diskspace_left(&s, &a).await == before - 4196
    })
    .await;
    let blob = blob_path(&s, &id).await.expect("blob");
    assert!(blob.exists());
    let x = api(&s, &a, "files.delete", &[("file_id", &id)]).await;
    x.assert_ok();
    assert_eq!(x.children(), ["id"]);
    assert_eq!(x.text("id").as_deref(), Some(id.as_str()));
    assert!(!blob.exists(), "blob removed");
    assert_eq!(diskspace_left(&s, &a).await, before - 100);
    api(&s, &a, "files.getInfo", &[("file_id", &id)])
        .await
        .assert_error(9);
    api(&s, &a, "files.delete", &[("file_id", &id)])
        .await
        .assert_error(9);
    api(&s, &a, "files.delete", &[("file_id", &keep)])
        .await
        .assert_ok();
    assert_eq!(diskspace_left(&s, &a).await, before);
});

// Every comma-list method of files.*: 1.0 fails as a whole on the first
// bad id and changes nothing; 1.2 answers each id on its own.
dual!(comma_lists_v10_and_v12, |b| async move {
    let s = Server::start(b).await;
    let a10 = s.user_session("alice").await;
    let a12 = s.login_v("alice", "secret123", "1.2").await;
    let f1 = seed_file(&s, "alice", "one.txt", b"1").await;
    let f2 = seed_file(&s, "alice", "two.txt", b"22").await;
    let folder = api(&s, &a10, "folders.create", &[("name", "dst")])
        .await
        .attr("folder", "id")
        .expect("folder");
    let list = format!("{f1},nosuch,{f2},zzzzzz");
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("files.getInfo", vec![]),
        ("files.setInfo", vec![("description", "changed")]),
        ("files.moveToFolder", vec![("folder_id", &folder)]),
        (
            "files.sendMail",
            vec![("emails", "friend@example.com"), ("message", "hi")],
        ),
        ("files.delete", vec![]),
    ];
    for (method, extra) in &cases {
        let mut p = vec![("file_id", list.as_str())];
        p.extend(extra.iter().cloned());
        // 1.0: all or nothing, the first failing id.
        let x = api(&s, &a10, method, &p).await;
        x.assert_error(9);
        assert_eq!(x.children(), ["error", "id"], "{method}: {}", x.raw);
        assert_eq!(x.text("id").as_deref(), Some("nosuch"), "{method}");
        let info = api(&s, &a10, "files.getInfo", &[("file_id", &f1)]).await;
        info.assert_ok();
        let f = &info.all("file")[0];
        assert_eq!(attr_of(f, "description"), "", "{method} changed nothing");
        assert_eq!(attr_of(f, "folder_id"), "0", "{method} changed nothing");
    }
    assert!(s.outbox().is_empty(), "1.0 failure sent no mail");

    for (method, extra) in &cases {
        let mut p = vec![("file_id", list.as_str())];
        p.extend(extra.iter().cloned());
        let x = api(&s, &a12, method, &p).await;
        x.assert_ok();
        assert_eq!(
            x.text("id").as_deref(),
            Some(format!("{f1},{f2}").as_str()),
            "{method}: {}",
            x.raw
        );
        let files: Vec<String> = x
            .all("file")
            .iter()
            .map(|f| attr_of(f, "id").to_string())
            .collect();
        assert_eq!(files, [f1.clone(), f2.clone()], "{method}");
        let errors = x.all("error");
        assert_eq!(errors.len(), 1, "{method}: {}", x.raw);
        assert_eq!(attr_of(&errors[0], "code"), "9");
        assert_eq!(attr_of(&errors[0], "id"), "nosuch,zzzzzz");
        let last = x.children();
        assert_eq!(last.last().map(String::as_str), Some("error"));
    }
    // The 1.2 calls did their work: sendMail mailed, delete deleted.
    s.wait_mail(|m| m.contains("friend@example.com")).await;
    api(&s, &a12, "files.getInfo", &[("file_id", &f1)])
        .await
        .assert_error(9);
    // Every id failing is status="fail" with the errors only.
    let x = api(&s, &a12, "files.delete", &[("file_id", "nosuch,zzzzzz")]).await;
    assert_eq!(x.status(), "fail");
    assert_eq!(x.children(), ["error"]);
    assert_eq!(x.attr("error", "id").as_deref(), Some("nosuch,zzzzzz"));
});

dual!(send_mail_one_real_mail_per_recipient, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let f1 = seed_file(&s, "alice", "report <final>.pdf", b"pdf").await;
    let f2 = seed_file(&s, "alice", "notes.txt", b"n").await;
    let x = api(
        &s,
        &a,
        "files.sendMail",
        &[
            ("file_id", &format!("{f1},{f2}")),
            ("emails", "bob@example.com,carol@example.com"),
            ("message", "<script>alert(1)</script> & see"),
        ],
    )
    .await;
    x.assert_ok();
    assert_eq!(x.text("id"), Some(format!("{f1},{f2}")));
    let bob = s.wait_mail(|m| m.contains("To: bob@example.com")).await;
    s.wait_mail(|m| m.contains("To: carol@example.com")).await;
    assert!(bob.contains("multipart/alternative"), "{bob}");
    assert!(bob.contains("text/plain") && bob.contains("text/html"));
    assert!(bob.contains("Reply-To:") && bob.contains("alice@example.com"));
    let unfolded = bob
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    assert!(unfolded.contains(&format!("/file/{f1}")));
    assert!(unfolded.contains(&format!("/file/{f2}")));
    assert!(
        unfolded.contains("&lt;script&gt;"),
        "HTML escapes the message"
    );
    assert!(unfolded.contains("report &lt;final&gt;.pdf"));
    assert_eq!(s.outbox().len(), 2, "one mail per recipient");

    // The addresses were collected into the address book as type 1.
    let book = api(&s, &a, "addressbook.list", &[]).await;
    let contacts = book.all("contact");
    assert_eq!(contacts.len(), 2);
    assert!(contacts.iter().all(|c| attr_of(c, "type") == "1"));

    // Any invalid address: 24, nothing sent.
    let x = api(
        &s,
        &a,
        "files.sendMail",
        &[
            ("file_id", &f1),
            ("emails", "dave@example.com,not-an-address"),
        ],
    )
    .await;
    x.assert_error(24);
    assert_eq!(x.text("id").as_deref(), Some(f1.as_str()));
    assert_eq!(s.outbox().len(), 2);
});

// A second user probing every files.* method with the first user's ids
// learns nothing: the answer is exactly the one for a missing id.
dual!(other_users_files_are_invisible, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let m = s.user_session("mallory").await;
    let m12 = s.login_v("mallory", "secret123", "1.2").await;
    let id = seed_file(&s, "alice", "secret.txt", b"top secret").await;
    let a_folder = api(&s, &a, "folders.create", &[("name", "private")])
        .await
        .attr("folder", "id")
        .expect("folder");
    let probes: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("files.getInfo", vec![("file_id", &id)]),
        ("files.setInfo", vec![("file_id", &id), ("name", "pwned")]),
        (
            "files.moveToFolder",
            vec![("file_id", &id), ("folder_id", "0")],
        ),
        ("files.delete", vec![("file_id", &id)]),
        (
            "files.sendMail",
            vec![("file_id", &id), ("emails", "m@example.com")],
        ),
    ];
    for (method, p) in &probes {
        let mine = api(&s, &m, method, p).await;
        mine.assert_error(9);
        let missing: Vec<(&str, &str)> = p
            .iter()
            .map(|(k, v)| {
                if *k == "file_id" {
                    (*k, "qqqqqq")
                } else {
                    (*k, *v)
                }
            })
            .collect();
        let x = api(&s, &m, method, &missing).await;
        assert_eq!(
            mine.raw.replace(&id, "ID"),
            x.raw.replace("qqqqqq", "ID"),
            "{method}"
        );
        api(&s, &m12, method, p).await.assert_error(9);
    }
    // Mallory's own file cannot be moved into Alice's folder.
    let mine = seed_file(&s, "mallory", "m.txt", b"m").await;
    api(
        &s,
        &m,
        "files.moveToFolder",
        &[("file_id", &mine), ("folder_id", &a_folder)],
    )
    .await
    .assert_error(10);
    api(
        &s,
        &m,
        "files.setInfo",
        &[("file_id", &mine), ("limit_action_to_folder", &a_folder)],
    )
    .await
    .assert_error(10);
    // Alice's file is untouched.
    let x = api(&s, &a, "files.getInfo", &[("file_id", &id)]).await;
    x.assert_ok();
    assert_eq!(x.attr("file", "name").as_deref(), Some("secret.txt"));
    assert!(s.outbox().is_empty());
});

/// A method, whether it writes, and its mandatory parameters.
type Probe = (&'static str, bool, &'static [(&'static str, &'static str)]);

// Every library method: 3 without a session key, 6 with a dead one, and
// 15 for the writing ones in maintenance mode.
dual!(every_method_needs_a_live_session, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let methods: [Probe; 18] = [
        ("files.getInfo", false, &[("file_id", "aaaaaa")]),
        ("files.setInfo", true, &[("file_id", "aaaaaa")]),
        (
            "files.moveToFolder",
            true,
            &[("file_id", "aaaaaa"), ("folder_id", "0")],
        ),
        ("files.delete", true, &[("file_id", "aaaaaa")]),
        (
            "files.sendMail",
            true,
            &[("file_id", "aaaaaa"), ("emails", "x@example.com")],
        ),
        ("folders.create", true, &[("name", "n")]),
        ("folders.getAll", false, &[]),
        ("folders.getContents", false, &[("folder_id", "0")]),
        ("folders.getInfo", false, &[("folder_id", "0")]),
        ("folders.setInfo", true, &[("folder_id", "aaaaaa")]),
        (
            "folders.move",
            true,
            &[("folder_id", "aaaaaa"), ("parent_folder_id", "0")],
        ),
        ("folders.delete", true, &[("folder_id", "aaaaaa")]),
        ("folders.getShared", false, &[("folder_id", "aaaaaa")]),
        (
            "folders.sendMail",
            true,
            &[("folder_id", "aaaaaa"), ("emails", "x@example.com")],
        ),
        ("addressbook.list", false, &[]),
        ("addressbook.add", true, &[("email", "x@example.com")]),
        ("addressbook.update", true, &[("email", "x@example.com")]),
        ("addressbook.delete", true, &[("email", "x@example.com")]),
    ];
    for (method, _, params) in &methods {
        let mut p = vec![("method", *method)];
        p.extend_from_slice(params);
        s.call(&p).await.assert_error(3);
        api(&s, "deadbeefdeadbeefdeadbeefdeadbeef", method, params)
            .await
            .assert_error(6);
    }
    s.admin_ok(&["maintenance", "on"]);
    for (method, writes, params) in &methods {
        let x = api(&s, &a, method, params).await;
        if *writes {
            x.assert_error(15);
        } else {
            assert!(!x.raw.contains("code=\"15\""), "{method}: {}", x.raw);
        }
    }
});
