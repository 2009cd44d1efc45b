//! The admin console (docs/admin.md): admins only; accounts searched,
//! created (the owner chooses the password by mail), switched off,
//! re-planned and deleted; API keys made and revoked; maintenance mode;
//! the audit log with filters — destructive actions only with the admin's
//! password, every action audited as `admin:NAME`.

mod common;

use common::transfer::*;
use common::web::{csrf_in, Visitor};
use common::*;

async fn admin_visitor(s: &Server) -> Visitor<'_> {
    s.create_user("root", "rootpass1");
    s.admin_ok(&["user", "set-admin", "--user-name", "root", "on"]);
    let mut web = Visitor::new(s);
    web.login("root", "rootpass1").await;
    web
}

async fn create_token(s: &Server, key: &str) -> Xml {
    s.call(&[
        ("method", "auth.createToken"),
        ("api_key", key),
        ("api_version", "1.0"),
    ])
    .await
}

dual!(only_admins_see_the_console, |b| async move {
    let s = Server::start(b).await;
    let mut nobody = Visitor::new(&s);
    let resp = nobody.get("/admin").await;
    assert_eq!(resp.status(), 303);
    assert!(resp.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    s.create_user("pam", "secret123");
    let mut pam = Visitor::new(&s);
    pam.login("pam", "secret123").await;
    for path in [
        "/admin",
        "/admin/users",
        "/admin/keys",
        "/admin/audit",
        "/admin/users/1",
    ] {
        assert_eq!(pam.get(path).await.status(), 404, "{path}");
    }
    let csrf = pam.csrf("/account").await;
    let tried = pam
        .post(
            "/admin/maintenance",
            &[("csrf", &csrf), ("state", "on"), ("password", "secret123")],
        )
        .await;
    assert_eq!(tried.status(), 404);
    s.call(&[
        ("method", "auth.createToken"),
        ("api_key", &s.api_key),
        ("api_version", "1.0"),
    ])
    .await
    .assert_ok();
    let mut root = admin_visitor(&s).await;
    let html = root.get("/admin").await.text().await.unwrap();
    assert!(html.contains("id=\"totals\""), "{html}");
    assert!(root
        .get("/account")
        .await
        .text()
        .await
        .unwrap()
        .contains("href=\"/admin\""));
});

dual!(admins_manage_accounts_from_the_browser, |b| async move {
    let s = Server::start(b).await;
    let mut root = admin_visitor(&s).await;
    let session = s.user_session("vera").await;
    upload(&s, &session, "big.bin", pattern(5000, 1)).await;
    s.user_session("walt").await;

    let list = root.get("/admin/users?q=VER").await.text().await.unwrap();
    assert!(list.contains("data-user=\"vera\""), "{list}");
    assert!(!list.contains("data-user=\"walt\""), "{list}");
    let overview = root.get("/admin").await.text().await.unwrap();
    assert!(overview.contains("big.bin"), "{overview}");

    // A new account: its owner gets a link to choose a password.
    let csrf = csrf_in(&list);
    let made = root
        .post(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("user_name", "xena"),
                ("email", "xena@example.com"),
                ("membership", "pro"),
            ],
        )
        .await;
    assert_eq!(made.status(), 303);
    let mail = s.wait_mail(|m| m.contains("xena@example.com")).await;
    assert!(link_in(&mail, "/reset/").is_some(), "{mail}");
    let membership = s
            .db_i64("SELECT CASE WHEN membership = 'pro' THEN 1 ELSE 0 END FROM users WHERE user_name = 'xena'")
            .await;
    assert_eq!(membership, 1);

    let vera = s
        .db_i64("SELECT id FROM users WHERE user_name = 'vera'")
        .await;
    let path = format!("/admin/users/{vera}");
    let act = |what: &'static str| [("csrf", csrf.clone()), ("do", what.to_string())];
    // Her session, in use on another node too (which keeps a copy).
    let other = s.another_node().await;
    for node in [&s, &other] {
        node.call(&[("method", "auth.checkSession"), ("session_key", &session)])
            .await
            .assert_ok();
    }
    let form = act("disable");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(root.post(&path, &form).await.status(), 303);
    // Ended at once here, and on the other node as soon as its copy is
    // older than `limits.session_cache_ms` (docs/architecture.md).
    s.call(&[("method", "auth.checkSession"), ("session_key", &session)])
        .await
        .assert_error(6);
    eventually("the session ended on the other node", async || {
        !other
            .call(&[("method", "auth.checkSession"), ("session_key", &session)])
            .await
            .is_ok()
    })
    .await;
    other
        .call(&[("method", "auth.checkSession"), ("session_key", &session)])
        .await
        .assert_error(6);
    let plan = root
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("do", "plan"),
                ("membership", "max"),
                ("quota", "1G"),
            ],
        )
        .await;
    assert_eq!(plan.status(), 303);
    assert_eq!(
        s.db_i64("SELECT diskspace_override FROM users WHERE user_name = 'vera'")
            .await,
        1 << 30
    );
    let bad = root
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("do", "plan"),
                ("membership", "max"),
                ("quota", "lots"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 400);

    // Deleting asks for the name and the admin's password.
    for (confirm, password, status) in [("walt", "rootpass1", 400), ("vera", "wrong-one", 403)] {
        let resp = root
            .post(
                &path,
                &[
                    ("csrf", &csrf),
                    ("do", "delete"),
                    ("confirm", confirm),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(resp.status(), status);
    }
    assert_eq!(
        s.db_i64("SELECT COUNT(*) FROM users WHERE user_name = 'vera'")
            .await,
        1
    );
    let gone = root
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("do", "delete"),
                ("confirm", "vera"),
                ("password", "rootpass1"),
            ],
        )
        .await;
    assert_eq!(gone.status(), 303);
    assert_eq!(
        s.db_i64("SELECT COUNT(*) FROM users WHERE user_name = 'vera'")
            .await,
        0
    );
    // Not on one's own account.
    let root_id = s
        .db_i64("SELECT id FROM users WHERE user_name = 'root'")
        .await;
    let own = root
        .post(
            &format!("/admin/users/{root_id}"),
            &[("csrf", &csrf), ("do", "admin-off")],
        )
        .await;
    assert_eq!(own.status(), 400);
    // A form without the token does nothing.
    let forged = root
        .post(&format!("/admin/users/{root_id}"), &[("do", "disable")])
        .await;
    assert_eq!(forged.status(), 403);

    let audit = root
        .get("/admin/audit?user=vera&event=account.")
        .await
        .text()
        .await
        .unwrap();
    for e in [
        "account.disabled",
        "account.membership",
        "account.quota",
        "account.deleted",
    ] {
        assert!(audit.contains(e), "{e} missing: {audit}");
    }
    assert!(audit.contains("admin:root"), "{audit}");
    assert!(!audit.contains("login.ok"), "filtered: {audit}");
});

dual!(
    admins_manage_keys_and_maintenance_with_their_password,
    |b| async move {
        let s = Server::start(b).await;
        let mut root = admin_visitor(&s).await;
        let csrf = root.csrf("/admin/keys").await;
        let made = root
            .post(
                "/admin/keys",
                &[
                    ("csrf", &csrf),
                    ("name", "office uploader"),
                    ("min_app_version", ""),
                ],
            )
            .await;
        assert_eq!(made.status(), 200);
        let html = made.text().await.unwrap();
        let start = html.find("id=\"api-key\">").expect("key shown") + "id=\"api-key\">".len();
        let key = html[start..start + 20].to_string();
        create_token(&s, &key).await.assert_ok();
        let id = s
            .db_i64("SELECT id FROM api_keys WHERE name = 'office uploader'")
            .await
            .to_string();
        let wrong = root
            .post(
                "/admin/keys/revoke",
                &[("csrf", &csrf), ("id", &id), ("password", "nope-nope")],
            )
            .await;
        assert_eq!(wrong.status(), 403);
        create_token(&s, &key).await.assert_ok();
        let revoked = root
            .post(
                "/admin/keys/revoke",
                &[("csrf", &csrf), ("id", &id), ("password", "rootpass1")],
            )
            .await;
        assert_eq!(revoked.status(), 303);
        assert!(!create_token(&s, &key).await.is_ok());

        let session = s.user_session("yan").await;
        let write = [
            ("method", "folders.create"),
            ("session_key", session.as_str()),
            ("name", "x"),
        ];
        let refused = root
            .post(
                "/admin/maintenance",
                &[("csrf", &csrf), ("state", "on"), ("password", "wrong-one")],
            )
            .await;
        assert_eq!(refused.status(), 403);
        s.call(&write).await.assert_ok();
        let on = root
            .post(
                "/admin/maintenance",
                &[("csrf", &csrf), ("state", "on"), ("password", "rootpass1")],
            )
            .await;
        assert_eq!(on.status(), 303);
        eventually("maintenance seen", async || {
            s.call(&write).await.error_code() == 15
        })
        .await;
        let off = root
            .post("/admin/maintenance", &[("csrf", &csrf), ("state", "off")])
            .await;
        assert_eq!(off.status(), 303);
        eventually("maintenance over", async || s.call(&write).await.is_ok()).await;
        let audit = s.admin_ok(&["audit", "--event", "maintenance."]);
        assert!(audit.contains("admin:root"), "{audit}");
    }
);

/// `anonymous.uploadGetInfo`'s answer on `s`.
async fn anonymous_offer(s: &Server) -> Xml {
    s.call(&[
        ("method", "anonymous.uploadGetInfo"),
        ("api_key", &s.api_key),
        ("api_version", "1.0"),
    ])
    .await
}

dual!(
    the_anonymous_upload_policy_holds_on_every_node,
    |b| async move {
        let s = Server::start(b).await;
        let other = s.another_node().await;
        let mut root = admin_visitor(&s).await;
        let files = "SELECT COUNT(*) FROM files";
        // Handed out while uploads are on, used after they are turned off.
        let early = anon_info(&s).await;
        let early_tus = anon_info(&s).await;

        let csrf = root.csrf("/admin").await;
        let off = root
            .post(
                "/admin/anonymous",
                &[
                    ("csrf", &csrf),
                    ("max_file_size", "300M"),
                    ("max_expiry", "none"),
                ],
            )
            .await;
        assert_eq!(off.status(), 303);
        for node in [&s, &other] {
            let x = anonymous_offer(node).await;
            x.assert_error(11);
            assert!(x.error_text().contains("turned off"), "{}", x.raw);
            let page = Visitor::new(node)
                .get("/upload")
                .await
                .text()
                .await
                .unwrap();
            assert!(page.contains("id=\"uploads-closed\""), "{page}");
        }
        let before = s.db_i64(files).await;
        let resp = post_form(
            &other,
            &early.url,
            early.form(&[], "late.txt", b"late".to_vec()),
        )
        .await;
        let text = resp.text().await.unwrap();
        assert!(text.contains("fail"), "{text}");
        let resumable = other
            .http
            .post(other.url("/tus/"))
            .header("tus-resumable", "1.0.0")
            .header("upload-length", "4")
            .header(
                "upload-metadata",
                tus_metadata(&[
                    ("upload_identifier", early_tus.ident.as_str()),
                    ("extra_info", early_tus.extra.as_str()),
                    ("filename", "late.txt"),
                ]),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resumable.status(), 403);
        assert_eq!(s.db_i64("SELECT COUNT(*) FROM tus_uploads").await, 0);
        assert_eq!(s.db_i64(files).await, before, "nothing stored");
        // Accounts upload as before.
        let session = s.user_session("acct").await;
        upload(&other, &session, "mine.txt", b"mine".to_vec()).await;

        // On again from the CLI, with a smaller file and a shorter expiry.
        let out = s.admin_ok(&[
            "anonymous",
            "--uploads",
            "on",
            "--max-file-size",
            "1K",
            "--max-expiry",
            "1h",
        ]);
        assert!(out.contains("max_file_size\t1024"), "{out}");
        assert!(out.contains("set_by\tadmin"), "{out}");
        let info = anon_info(&other).await;
        assert_eq!(info.max_file_size, "1024");
        let long = post_form(
            &other,
            &info.url,
            info.form(&[("time_limit", "7200")], "long.txt", b"x".to_vec()),
        )
        .await
        .text()
        .await
        .unwrap();
        assert!(long.contains("fail"), "{long}");
        let page = Visitor::new(&other)
            .get("/upload")
            .await
            .text()
            .await
            .unwrap();
        assert!(!page.contains("id=\"uploads-closed\""), "{page}");
        assert!(page.contains("<option value=\"3600\""), "{page}");
        assert!(!page.contains("<option value=\"0\""), "no 'never': {page}");
        let overview = root.get("/admin").await.text().await.unwrap();
        assert!(overview.contains("value=\"1K\""), "{overview}");
        assert!(overview.contains("value=\"1h\""), "{overview}");

        // Mistyped: refused, nothing changed.
        let csrf = csrf_in(&overview);
        let bad = root
            .post(
                "/admin/anonymous",
                &[
                    ("csrf", &csrf),
                    ("uploads", "on"),
                    ("max_file_size", "lots"),
                    ("max_expiry", "1h"),
                ],
            )
            .await;
        assert_eq!(bad.status(), 400);
        assert_eq!(anon_info(&s).await.max_file_size, "1024");

        // Back to the configuration's (300 MiB, anonymous uploads on).
        let reset = root
            .post("/admin/anonymous", &[("csrf", &csrf), ("reset", "1")])
            .await;
        assert_eq!(reset.status(), 303);
        assert_eq!(anon_info(&other).await.max_file_size, "314572800");
        let out = s.admin_ok(&["anonymous"]);
        assert!(out.contains("set_by\tconfiguration"), "{out}");
        let changes = s
            .db_i64("SELECT COUNT(*) FROM audit_log WHERE event = 'policy.anonymous_uploads'")
            .await;
        assert_eq!(changes, 3);
    }
);
