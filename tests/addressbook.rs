//! addressbook.* through real HTTP, on both databases.

mod common;
use common::*;

dual!(add_list_update_delete, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let x = api(
        &s,
        &a,
        "addressbook.add",
        &[
            ("email", "Bob@Example.com"),
            ("name", "Bob B"),
            ("description", "friend & co"),
            ("type", "0"),
        ],
    )
    .await;
    x.assert_ok();
    let c = &x.all("contact")[0];
    let keys: Vec<&str> = c.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["email", "name", "description", "type"]);
    assert_eq!(attr_of(c, "email"), "Bob@Example.com");
    assert_eq!(attr_of(c, "description"), "friend & co");
    assert_eq!(attr_of(c, "type"), "0");
    api(&s, &a, "addressbook.add", &[("email", "bob@example.com")])
        .await
        .assert_error(28);
    api(&s, &a, "addressbook.add", &[("email", "not an address")])
        .await
        .assert_error(24);
    api(
        &s,
        &a,
        "addressbook.add",
        &[("email", "c@example.com"), ("type", "7")],
    )
    .await
    .assert_error(21);
    api(
        &s,
        &a,
        "addressbook.add",
        &[("email", "carol@example.com"), ("type", "1")],
    )
    .await
    .assert_ok();
    let x = api(&s, &a, "addressbook.list", &[]).await;
    assert_eq!(x.children(), ["contact", "contact"]);

    // Absent leaves alone, empty clears.
    let x = api(
        &s,
        &a,
        "addressbook.update",
        &[("email", "BOB@example.com"), ("description", "")],
    )
    .await;
    x.assert_ok();
    let c = &x.all("contact")[0];
    assert_eq!(attr_of(c, "name"), "Bob B");
    assert_eq!(attr_of(c, "description"), "");
    let x = api(
        &s,
        &a,
        "addressbook.update",
        &[
            ("email", "bob@example.com"),
            ("name", "Robert"),
            ("type", "1"),
        ],
    )
    .await;
    let c = &x.all("contact")[0];
    assert_eq!(attr_of(c, "name"), "Robert");
    assert_eq!(attr_of(c, "type"), "1");
    api(
        &s,
        &a,
        "addressbook.update",
        &[("email", "nobody@example.com"), ("name", "x")],
    )
    .await
    .assert_error(29);

    // Another user sees none of it.
    let m = s.user_session("mallory").await;
    let x = api(&s, &m, "addressbook.list", &[]).await;
    assert!(x.children().is_empty());
    api(
        &s,
        &m,
        "addressbook.update",
        &[("email", "bob@example.com"), ("name", "x")],
    )
    .await
    .assert_error(29);
    api(
        &s,
        &m,
        "addressbook.delete",
        &[("email", "bob@example.com")],
    )
    .await
    .assert_error(29);
    api(&s, &m, "addressbook.add", &[("email", "bob@example.com")])
        .await
        .assert_ok();

    let x = api(
        &s,
        &a,
        "addressbook.delete",
        &[("email", "bob@example.com,carol@example.com")],
    )
    .await;
    x.assert_ok();
    assert_eq!(x.children(), ["email"]);
    assert_eq!(
        x.text("email").as_deref(),
        Some("bob@example.com,carol@example.com")
    );
    assert!(api(&s, &a, "addressbook.list", &[])
        .await
        .children()
        .is_empty());
});

dual!(delete_lists_v10_and_v12, |b| async move {
    let s = Server::start(b).await;
    let a = s.user_session("alice").await;
    let a12 = s.login_v("alice", "secret123", "1.2").await;
    for e in ["a@example.com", "b@example.com"] {
        api(&s, &a, "addressbook.add", &[("email", e)])
            .await
            .assert_ok();
    }
    let list = "a@example.com,gone@example.com,b@example.com";
    let x = api(&s, &a, "addressbook.delete", &[("email", list)]).await;
    x.assert_error(29);
    assert_eq!(x.text("id").as_deref(), Some("gone@example.com"));
    assert_eq!(
        api(&s, &a, "addressbook.list", &[])
            .await
            .all("contact")
            .len(),
        2
    );
    let x = api(&s, &a12, "addressbook.delete", &[("email", list)]).await;
    x.assert_ok();
    assert_eq!(x.children(), ["email", "contact", "contact", "error"]);
    assert_eq!(
        x.text("email").as_deref(),
        Some("a@example.com,b@example.com")
    );
    assert_eq!(x.attr("error", "code").as_deref(), Some("29"));
    assert_eq!(x.attr("error", "id").as_deref(), Some("gone@example.com"));
    assert!(api(&s, &a, "addressbook.list", &[])
        .await
        .all("contact")
        .is_empty());
    let x = api(
        &s,
        &a12,
        "addressbook.delete",
        &[("email", "gone@example.com")],
    )
    .await;
    assert_eq!(x.status(), "fail");
    assert_eq!(x.error_code(), 29);
});

dual!(size_limit_is_exact_under_concurrency, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_LIMITS__ADDRESSBOOK_SIZE", "5")]).await;
    let a = s.user_session("alice").await;
    let mut calls = Vec::new();
    for i in 0..12 {
        let email = format!("c{i}@example.com");
        calls.push(async {
            let email = email;
            api(&s, &a, "addressbook.add", &[("email", &email)]).await
        });
    }
    let results = futures::future::join_all(calls).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 5);
    for r in results.iter().filter(|r| !r.is_ok()) {
        r.assert_error(32);
    }
    let present: Vec<String> = api(&s, &a, "addressbook.list", &[])
        .await
        .all("contact")
        .iter()
        .map(|c| attr_of(c, "email").to_string())
        .collect();
    assert_eq!(present.len(), 5);

    // Collected addresses stop silently at the limit; mail still goes out.
    let f = seed_file(&s, "alice", "f.txt", b"f").await;
    let two = format!("{},{}", present[0], present[1]);
    api(&s, &a, "addressbook.delete", &[("email", &two)])
        .await
        .assert_ok();
    let kept = &present[2];
    let emails = format!("{kept},new1@example.com,new2@example.com,new3@example.com");
    api(
        &s,
        &a,
        "files.sendMail",
        &[("file_id", &f), ("emails", &emails)],
    )
    .await
    .assert_ok();
    let x = api(&s, &a, "addressbook.list", &[]).await;
    let contacts = x.all("contact");
    assert_eq!(contacts.len(), 5);
    let existing = contacts.iter().find(|c| attr_of(c, "email") == kept);
    assert_eq!(
        existing.map(|c| attr_of(c, "type")),
        Some("0"),
        "existing kept as is"
    );
    assert!(contacts
        .iter()
        .any(|c| attr_of(c, "email") == "new1@example.com" && attr_of(c, "type") == "1"));
    for to in ["new1@", "new2@", "new3@"] {
        s.wait_mail(|m| m.contains(&format!("To: {to}"))).await;
    }
});
