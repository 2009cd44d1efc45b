//! folders.* through real HTTP, on both databases.

mod common;
use common::*;

const FOLDER_ATTRS: [&str; 6] = [
    "id",
    "name",
    "shared",
    "public_url",
    "rss_url",
    "parent_folder_id",
];

dual!(create_list_contents_info, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let x = api(
        &s,
        &a,
        "folders.create",
        &[
            ("name", "Music"),
            ("shared", "1"),
            ("parent_folder_id", "0"),
        ],
    )
    .await;
    x.assert_ok();
    let f = &x.all("folder")[0];
    assert_eq!(attr_names(f), FOLDER_ATTRS);
    let music = attr_of(f, "id").to_string();
    assert_eq!(music.len(), 6);
    assert_eq!(attr_of(f, "shared"), "1");
    assert_eq!(attr_of(f, "public_url"), s.url(&format!("/folder/{music}")));
    assert_eq!(attr_of(f, "rss_url"), s.url(&format!("/rss/{music}")));
    assert_eq!(attr_of(f, "parent_folder_id"), "0");
    let rock = mkdir(&s, &a, "Rock", &music, "0").await;
    let x = api(&s, &a, "folders.getAll", &[]).await;
    let all = x.all("folder");
    assert_eq!(all.len(), 3);
    assert_eq!(attr_of(&all[0], "id"), "0");
    let r = all.iter().find(|f| attr_of(f, "id") == rock).expect("rock");
    assert_eq!(attr_of(r, "public_url"), "");
    assert_eq!(attr_of(r, "parent_folder_id"), music);

    seed_file_in(&s, "alice", &music, "a.mp3", &[0u8; 100]).await;
    seed_file_in(&s, "alice", &rock, "b.mp3", &[0u8; 50]).await;
    seed_file(&s, "alice", "root.txt", b"r").await;
    let x = api(&s, &a, "folders.getContents", &[("folder_id", &music)]).await;
    x.assert_ok();
    assert_eq!(x.children(), ["folder", "file"]);
    assert_eq!(x.attr("folder", "id").as_deref(), Some(rock.as_str()));
    assert_eq!(x.attr("file", "name").as_deref(), Some("a.mp3"));
    let x = api(&s, &a, "folders.getInfo", &[("folder_id", &music)]).await;
    let f = &x.all("folder")[0];
    assert_eq!(
        attr_names(f),
        [
            "id",
            "name",
            "shared",
            "public_url",
            "rss_url",
            "parent_folder_id",
            "total_files",
            "total_size",
            "total_folders"
        ]
    );
    assert_eq!(attr_of(f, "total_files"), "2");
    assert_eq!(attr_of(f, "total_size"), "150");
    assert_eq!(attr_of(f, "total_folders"), "1");
    let x = api(&s, &a, "folders.getInfo", &[("folder_id", "0")]).await;
    let f = &x.all("folder")[0];
    assert_eq!(attr_of(f, "id"), "0");
    assert_eq!(attr_of(f, "total_files"), "3");
    assert_eq!(attr_of(f, "total_size"), "151");
    assert_eq!(attr_of(f, "total_folders"), "2");
    let x = api(&s, &a, "folders.getContents", &[("folder_id", "0")]).await;
    assert_eq!(x.children(), ["folder", "file"]);

    api(&s, &a, "folders.getInfo", &[("folder_id", "nosuch")])
        .await
        .assert_error(10);
    api(&s, &a, "folders.getContents", &[("folder_id", "nosuch")])
        .await
        .assert_error(10);
    api(
        &s,
        &a,
        "folders.create",
        &[("name", "x"), ("parent_folder_id", "nosuch")],
    )
    .await
    .assert_error(10);
    api(&s, &a, "folders.create", &[("name", "x"), ("shared", "2")])
        .await
        .assert_error(21);
    api(&s, &a, "folders.create", &[("name", "")])
        .await
        .assert_error(21);
});

// A folder id that is present but malformed is 21 (a bad parameter), never
// 10; a well-formed id that is not the caller's stays 10.
dual!(malformed_folder_ids_are_21, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let a12 = s.login_v("alice", "secret123", "1.2").await;
    let docs = mkdir(&s, &a, "docs", "0", "0").await;
    let file = seed_file(&s, "alice", "a.txt", b"abc").await;
    for bad in ["../!x", "ABCDEF", "abc", "abcdefg", "a b c1", "0/1"] {
        let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
            ("folders.getInfo", vec![("folder_id", bad)]),
            ("folders.getContents", vec![("folder_id", bad)]),
            ("folders.setInfo", vec![("folder_id", bad), ("name", "x")]),
            (
                "folders.setInfo",
                vec![("folder_id", &docs), ("parent_folder_id", bad)],
            ),
            (
                "folders.move",
                vec![("folder_id", bad), ("parent_folder_id", "0")],
            ),
            (
                "folders.move",
                vec![("folder_id", &docs), ("parent_folder_id", bad)],
            ),
            ("folders.delete", vec![("folder_id", bad)]),
            (
                "folders.create",
                vec![("name", "n"), ("parent_folder_id", bad)],
            ),
            (
                "folders.sendMail",
                vec![("folder_id", bad), ("emails", "x@example.com")],
            ),
            (
                "files.moveToFolder",
                vec![("file_id", &file), ("folder_id", bad)],
            ),
            (
                "files.setInfo",
                vec![("file_id", &file), ("folder_id", bad)],
            ),
            (
                "files.setInfo",
                vec![("file_id", &file), ("limit_action_to_folder", bad)],
            ),
        ];
        for (method, params) in calls {
            let x = api(&s, &a, method, &params).await;
            assert_eq!(x.error_code(), 21, "{method} {params:?}: {}", x.raw);
        }
        // 1.2: each id on its own; the malformed one fails with 21.
        let list = format!("{docs},{bad}");
        let x = api(
            &s,
            &a12,
            "folders.sendMail",
            &[("folder_id", &list), ("emails", "x@example.com")],
        )
        .await;
        x.assert_ok();
        assert_eq!(x.attr("error", "code").as_deref(), Some("21"), "{}", x.raw);
    }
    // Well-formed but unknown: 10 as before; nothing changed.
    api(&s, &a, "folders.getInfo", &[("folder_id", "nosuch")])
        .await
        .assert_error(10);
    api(
        &s,
        &a,
        "files.moveToFolder",
        &[("file_id", &file), ("folder_id", "nosuch")],
    )
    .await
    .assert_error(10);
    let x = api(&s, &a, "files.getInfo", &[("file_id", &file)]).await;
    assert_eq!(x.attr("file", "folder_id").as_deref(), Some("0"));
    // The upload form's folder_id.
    let info = upload_info(&s, &a, "0").await;
    let answer = send_form(
        &s,
        &info.url,
        info.form(&[("folder_id", "../!x")], "u.txt", b"u".to_vec()),
    )
    .await;
    assert_eq!(kv_get(&answer, "upload_status"), "fail");
    assert_eq!(kv_get(&answer, "error_code"), "21");
});

dual!(create_refused_without_folder_capability, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_TIERS__LITE__CAPABLE_FOLDERS", "0")]).await;
    let a = s.user_session("alice").await;
    api(&s, &a, "folders.create", &[("name", "x")])
        .await
        .assert_error(11);
});

dual!(set_info_absent_empty_and_move, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let p = mkdir(&s, &a, "parent", "0", "0").await;
    let c = mkdir(&s, &a, "child", "0", "1").await;
    let x = api(
        &s,
        &a,
        "folders.setInfo",
        &[
            ("folder_id", &c),
            ("name", "renamed"),
            ("parent_folder_id", &p),
        ],
    )
    .await;
    x.assert_ok();
    let f = &x.all("folder")[0];
    assert_eq!(attr_names(f), FOLDER_ATTRS);
    assert_eq!(attr_of(f, "name"), "renamed");
    assert_eq!(attr_of(f, "shared"), "1");
    assert_eq!(attr_of(f, "parent_folder_id"), p);
    // Present but empty clears (shared → 0, parent → root).
    let x = api(
        &s,
        &a,
        "folders.setInfo",
        &[("folder_id", &c), ("shared", ""), ("parent_folder_id", "")],
    )
    .await;
    let f = &x.all("folder")[0];
    assert_eq!(attr_of(f, "name"), "renamed");
    assert_eq!(attr_of(f, "shared"), "0");
    assert_eq!(attr_of(f, "parent_folder_id"), "0");
    // A parent change into itself or a descendant is 31.
    api(
        &s,
        &a,
        "folders.setInfo",
        &[("folder_id", &p), ("parent_folder_id", &p)],
    )
    .await
    .assert_error(31);
    api(
        &s,
        &a,
        "folders.move",
        &[("folder_id", &c), ("parent_folder_id", &p)],
    )
    .await
    .assert_ok();
    api(
        &s,
        &a,
        "folders.setInfo",
        &[("folder_id", &p), ("parent_folder_id", &c)],
    )
    .await
    .assert_error(31);
    // The root cannot be changed.
    for params in [
        vec![("folder_id", "0"), ("name", "x")],
        vec![("folder_id", "0"), ("shared", "1")],
    ] {
        api(&s, &a, "folders.setInfo", &params)
            .await
            .assert_error(11);
    }
    api(
        &s,
        &a,
        "folders.move",
        &[("folder_id", "0"), ("parent_folder_id", &p)],
    )
    .await
    .assert_error(11);
    api(&s, &a, "folders.delete", &[("folder_id", "0")])
        .await
        .assert_error(11);
    api(&s, &a, "folders.setInfo", &[("folder_id", "nosuch")])
        .await
        .assert_error(10);
});

dual!(move_refuses_cycles, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let m = s.user_session("mallory").await;
    let top = mkdir(&s, &a, "top", "0", "0").await;
    let mid = mkdir(&s, &a, "mid", &top, "0").await;
    let low = mkdir(&s, &a, "low", &mid, "0").await;
    let theirs = mkdir(&s, &m, "theirs", "0", "1").await;
    let x = api(
        &s,
        &a,
        "folders.move",
        &[("folder_id", &low), ("parent_folder_id", "0")],
    )
    .await;
    x.assert_ok();
    assert_eq!(x.children(), ["status", "id"]);
    assert_eq!(x.text("id").as_deref(), Some(low.as_str()));
    api(
        &s,
        &a,
        "folders.move",
        &[("folder_id", &low), ("parent_folder_id", &mid)],
    )
    .await
    .assert_ok();
    for target in [&top, &mid, &low, &theirs, &"nosuch".to_string()] {
        api(
            &s,
            &a,
            "folders.move",
            &[("folder_id", &top), ("parent_folder_id", target)],
        )
        .await
        .assert_error(31);
    }
    api(
        &s,
        &a,
        "folders.move",
        &[("folder_id", "nosuch"), ("parent_folder_id", "0")],
    )
    .await
    .assert_error(10);
    // Mallory cannot move Alice's folder, nor into it.
    api(
        &s,
        &m,
        "folders.move",
        &[("folder_id", &top), ("parent_folder_id", "0")],
    )
    .await
    .assert_error(10);
    api(
        &s,
        &m,
        "folders.move",
        &[("folder_id", &theirs), ("parent_folder_id", &top)],
    )
    .await
    .assert_error(31);
});

// Follows parents from every folder; panics on a cycle.
fn assert_no_cycle(all: &[Vec<(String, String)>]) {
    for f in all {
        let mut at = attr_of(f, "id").to_string();
        for _ in 0..=all.len() {
            if at == "0" {
                break;
            }
            at = all
                .iter()
                .find(|g| attr_of(g, "id") == at)
                .map(|g| attr_of(g, "parent_folder_id").to_string())
                .unwrap_or_else(|| "0".into());
        }
        assert_eq!(at, "0", "cycle through {}: {all:?}", attr_of(f, "id"));
    }
}

dual!(racing_opposite_moves_never_cycle, |b| async move {
    let s = Server::start(b).await;
    let other = s.another_node().await;
    let a = s.user_session("alice").await;
    for round in 0..10 {
        let x = mkdir(&s, &a, &format!("x{round}"), "0", "0").await;
        let y = mkdir(&s, &a, &format!("y{round}"), "0", "0").await;
        let p1 = [("folder_id", x.as_str()), ("parent_folder_id", y.as_str())];
        let p2 = [("folder_id", y.as_str()), ("parent_folder_id", x.as_str())];
        let (r1, r2) = tokio::join!(
            api(&s, &a, "folders.move", &p1),
            api(&other, &a, "folders.move", &p2),
        );
        let oks = [&r1, &r2].iter().filter(|r| r.is_ok()).count();
        assert!(oks <= 1, "both moves succeeded: {} {}", r1.raw, r2.raw);
        for r in [&r1, &r2] {
            if !r.is_ok() {
                r.assert_error(31);
            }
        }
        let all = api(&s, &a, "folders.getAll", &[]).await.all("folder");
        assert_no_cycle(&all);
    }
});

dual!(delete_only_empty_folders, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let m = s.user_session("mallory").await;
    let outer = mkdir(&s, &a, "outer", "0", "0").await;
    let inner = mkdir(&s, &a, "inner", &outer, "0").await;
    api(&s, &a, "folders.delete", &[("folder_id", &outer)])
        .await
        .assert_error(14);
    let f = seed_file_in(&s, "alice", &inner, "f", b"f").await;
    api(&s, &a, "folders.delete", &[("folder_id", &inner)])
        .await
        .assert_error(14);
    api(&s, &m, "folders.delete", &[("folder_id", &inner)])
        .await
        .assert_error(10);
    api(&s, &a, "files.delete", &[("file_id", &f)])
        .await
        .assert_ok();
    let x = api(&s, &a, "folders.delete", &[("folder_id", &inner)]).await;
    x.assert_ok();
    assert_eq!(x.children(), ["status", "id"]);
    assert_eq!(x.text("id").as_deref(), Some(inner.as_str()));
    api(&s, &a, "folders.delete", &[("folder_id", &outer)])
        .await
        .assert_ok();
    api(&s, &a, "folders.getInfo", &[("folder_id", &outer)])
        .await
        .assert_error(10);
});

dual!(get_shared_any_session, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let v = s.user_session("visitor").await;
    let pub_ = mkdir(&s, &a, "public", "0", "1").await;
    let sub_shared = mkdir(&s, &a, "sub shared", &pub_, "1").await;
    let _sub_private = mkdir(&s, &a, "sub private", &pub_, "0").await;
    let private = mkdir(&s, &a, "private", "0", "0").await;
    let file = seed_file_in(&s, "alice", &pub_, "shown.txt", b"12345").await;
    seed_file_in(&s, "alice", &private, "hidden.txt", b"h").await;
    for folder_id in [
        pub_.clone(),
        s.url(&format!("/folder/{pub_}")),
        s.url(&format!("/folder/{pub_}"))
            .replace("http://", "https://"),
    ] {
        let x = api(&s, &v, "folders.getShared", &[("folder_id", &folder_id)]).await;
        x.assert_ok();
        assert_eq!(x.children(), ["current", "folder", "file"], "{}", x.raw);
        assert_eq!(x.attr("current", "id").as_deref(), Some(pub_.as_str()));
        assert_eq!(x.attr("current", "name").as_deref(), Some("public"));
        assert_eq!(x.attr("current", "parent_folder_id").as_deref(), Some("0"));
        assert_eq!(x.attr("folder", "id").as_deref(), Some(sub_shared.as_str()));
        let f = &x.all("file")[0];
        assert_eq!(
            attr_names(f),
            [
                "id",
                "name",
                "description",
                "folder_id",
                "upload_time",
                "file_size"
            ]
        );
        assert_eq!(attr_of(f, "id"), file);
        assert_eq!(attr_of(f, "file_size"), "5");
    }
    let x = api(&s, &v, "folders.getShared", &[("folder_id", &private)]).await;
    x.assert_error(33);
    assert!(!x.raw.contains("hidden"));
    api(&s, &v, "folders.getShared", &[("folder_id", "nosuch")])
        .await
        .assert_error(10);
    api(
        &s,
        &v,
        "folders.getShared",
        &[(
            "folder_id",
            &format!("http://elsewhere.example/folder/{pub_}"),
        )],
    )
    .await
    .assert_error(26);
    api(
        &s,
        &v,
        "folders.getShared",
        &[("folder_id", &s.url(&format!("/file/{pub_}")))],
    )
    .await
    .assert_error(26);
});

dual!(send_mail_folders_v10_v12, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let a12 = s.login_v("alice", "secret123", "1.2").await;
    let m = s.user_session("mallory").await;
    let f1 = mkdir(&s, &a, "Holiday & <pics>", "0", "1").await;
    let f2 = mkdir(&s, &a, "two", "0", "1").await;
    let list = format!("{f1},nosuch,{f2}");
    let p = [
        ("folder_id", list.as_str()),
        ("emails", "friend@example.com"),
        ("message", "look"),
    ];
    let x = api(&s, &a, "folders.sendMail", &p).await;
    x.assert_error(10);
    assert_eq!(x.text("id").as_deref(), Some("nosuch"));
    assert!(s.outbox().is_empty());
    let x = api(&s, &a12, "folders.sendMail", &p).await;
    x.assert_ok();
    assert_eq!(x.text("id"), Some(format!("{f1},{f2}")));
    assert_eq!(x.attr("error", "code").as_deref(), Some("10"));
    assert_eq!(x.attr("error", "id").as_deref(), Some("nosuch"));
    let mail = s.wait_mail(|m| m.contains("friend@example.com")).await;
    let unfolded = mail
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    assert!(unfolded.contains(&format!("/folder/{f1}")));
    assert!(unfolded.contains("Holiday &amp; &lt;pics&gt;"));
    let x = api(
        &s,
        &a,
        "folders.sendMail",
        &[("folder_id", &f1), ("emails", "bad@")],
    )
    .await;
    x.assert_error(24);
    api(
        &s,
        &m,
        "folders.sendMail",
        &[("folder_id", &f1), ("emails", "x@example.com")],
    )
    .await
    .assert_error(10);
    // Mallory learns nothing from any folder method either.
    for (method, p) in [
        ("folders.getInfo", vec![("folder_id", f1.as_str())]),
        ("folders.getContents", vec![("folder_id", f1.as_str())]),
        (
            "folders.setInfo",
            vec![("folder_id", f1.as_str()), ("name", "x")],
        ),
        ("folders.delete", vec![("folder_id", f1.as_str())]),
        (
            "folders.move",
            vec![("folder_id", f1.as_str()), ("parent_folder_id", "0")],
        ),
        (
            "folders.create",
            vec![("name", "x"), ("parent_folder_id", f1.as_str())],
        ),
    ] {
        api(&s, &m, method, &p).await.assert_error(10);
    }
    let x = api(&s, &a, "folders.getInfo", &[("folder_id", &f1)]).await;
    assert_eq!(
        x.attr("folder", "name").as_deref(),
        Some("Holiday & <pics>")
    );
});

dual!(get_shared_url_forms, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_PUBLIC_URL", "http://share.example")]).await;
    let a = s.user_session("alice").await;
    let f = mkdir(&s, &a, "pub", "0", "1").await;
    let x = api(&s, &a, "folders.getInfo", &[("folder_id", &f)]).await;
    assert_eq!(
        x.attr("folder", "public_url"),
        Some(format!("http://share.example/folder/{f}"))
    );
    for ok in [
        format!("http://share.example/folder/{f}"),
        format!("https://www.share.example/folder/{f}"),
        format!("HTTP://Share.Example/folder/{f}/"),
    ] {
        api(&s, &a, "folders.getShared", &[("folder_id", &ok)])
            .await
            .assert_ok();
    }
    for bad in [
        format!("http://share.example.evil/folder/{f}"),
        format!("http://share.example:8443/folder/{f}"),
        format!("ftp://share.example/folder/{f}"),
        format!("http://share.example/rss/{f}"),
        "http://share.example/folder/".to_string(),
    ] {
        api(&s, &a, "folders.getShared", &[("folder_id", &bad)])
            .await
            .assert_error(26);
    }
});

/// The root, as `folders.getAll` lists it first (docs/api-notes.md).
const ROOT_ELEMENT: &str =
    "<folder id=\"0\" name=\"Default\" shared=\"0\" public_url=\"\" rss_url=\"\" parent_folder_id=\"\"/>";

dual!(get_all_lists_the_root_first_as_default, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    // A fresh account: the root alone.
    let x = api(&s, &a, "folders.getAll", &[]).await;
    x.assert_ok();
    assert_eq!(x.children(), ["folder"]);
    assert!(x.raw.contains(ROOT_ELEMENT), "{}", x.raw);
    // With nested folders: the root first, then every folder.
    let outer = mkdir(&s, &a, "outer", "0", "1").await;
    let inner = mkdir(&s, &a, "inner", &outer, "0").await;
    let x = api(&s, &a, "folders.getAll", &[]).await;
    let all = x.all("folder");
    let mut ids: Vec<&str> = all.iter().map(|f| attr_of(f, "id")).collect();
    assert_eq!(ids.remove(0), "0");
    ids.sort_unstable();
    let mut made = [outer.as_str(), inner.as_str()];
    made.sort_unstable();
    assert_eq!(ids, made);
    assert_eq!(attr_names(&all[0]), FOLDER_ATTRS);
    assert!(x.raw.contains(ROOT_ELEMENT), "{}", x.raw);
    // JSON has the same shape.
    let j = s
        .call(&[
            ("method", "folders.getAll"),
            ("session_key", &a),
            ("response_format", "json"),
        ])
        .await;
    assert!(j.raw.contains("\"name\":\"Default\""), "{}", j.raw);
    // Every other answer about the root stays as it was: no name there.
    let info = api(&s, &a, "folders.getInfo", &[("folder_id", "0")]).await;
    assert_eq!(info.attr("folder", "name").as_deref(), Some(""));
    // And the root is still not the user's to change.
    api(
        &s,
        &a,
        "folders.setInfo",
        &[("folder_id", "0"), ("name", "x")],
    )
    .await
    .assert_error(11);
    api(&s, &a, "folders.delete", &[("folder_id", "0")])
        .await
        .assert_error(11);
});
