//! A user's own account page (docs/accounts.md): app passwords for
//! sendspace clients, a new password, the sessions list; and the admin
//! commands that delete an account, set its password and end its sessions.

mod common;

use common::transfer::*;
use common::web::{csrf_in, Visitor};
use common::*;

/// The app password shown once on the page after its creation.
fn shown_password(html: &str) -> String {
    let start = html
        .find("id=\"app-password\">")
        .unwrap_or_else(|| panic!("no new app password on the page: {html}"))
        + "id=\"app-password\">".len();
    let end = html[start..].find('<').expect("end of the password") + start;
    html[start..end].to_string()
}

async fn check_session(s: &Server, key: &str) -> Xml {
    s.call(&[("method", "auth.checkSession"), ("session_key", key)])
        .await
}

dual!(
    an_app_password_logs_a_sendspace_client_in_until_revoked,
    |b| async move {
        let s = Server::start(b).await;
        s.create_user("amy", "secret123");
        let mut web = Visitor::new(&s);
        web.login("amy", "secret123").await;
        let page = web.get("/account").await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("id=\"no-app-passwords\""), "{html}");
        let csrf = csrf_in(&html);

        let made = web
            .post(
                "/account/app-passwords",
                &[("csrf", &csrf), ("name", "laptop uploader")],
            )
            .await;
        assert_eq!(made.status(), 200);
        let html = made.text().await.unwrap();
        let password = shown_password(&html);
        assert_eq!(password.len(), 19, "{password}");
        assert_eq!(password.matches('-').count(), 3, "{password}");

        // The sendspace login scheme, md5(token + md5(password)), takes it
        // like the account's password.
        let session = s.login("amy", &password).await;
        check_session(&s, &session).await.assert_ok();
        // As other clients send it: the e-mail address for the name,
        // upper-case hex, a form POST.
        let token = s.token("1.0").await;
        let tp = tokened_password(&token, &password).to_uppercase();
        s.post(&[
            ("method", "auth.login"),
            ("token", &token),
            ("user_name", "AMY@example.com"),
            ("tokened_password", &tp),
        ])
        .await
        .assert_ok();
        s.login("amy", "secret123").await;
        // Listed with its first characters and a last use; never shown again.
        let html = web.get("/account").await.text().await.unwrap();
        assert!(html.contains("laptop uploader"), "{html}");
        assert!(
            html.contains(&format!("<code>{}…</code>", &password[..4])),
            "{html}"
        );
        assert!(!html.contains(&password), "shown again");
        let used = s
            .db_i64("SELECT last_used FROM app_passwords WHERE name = 'laptop uploader'")
            .await;
        assert!(used > 0);
        // Not stored in clear, not in the audit log.
        let leaks = s
            .db_i64(&format!(
                "SELECT (SELECT COUNT(*) FROM app_passwords WHERE md5_sealed LIKE '%{password}%') + \
                 (SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%{password}%')"
            ))
            .await;
        assert_eq!(leaks, 0);

        let id = s
            .db_i64("SELECT id FROM app_passwords WHERE name = 'laptop uploader'")
            .await;
        let csrf = csrf_in(&html);
        let revoked = web
            .post(
                "/account/app-passwords/revoke",
                &[("csrf", &csrf), ("id", &id.to_string())],
            )
            .await;
        assert_eq!(revoked.status(), 303);
        s.try_login("amy", &password, "1.0").await.assert_error(8);
        s.login("amy", "secret123").await;

        // Another account cannot revoke it: it is not theirs.
        s.create_user("bob", "secret123");
        let made = web
            .post(
                "/account/app-passwords",
                &[("csrf", &csrf), ("name", "cli")],
            )
            .await;
        shown_password(&made.text().await.unwrap());
        let id = s
            .db_i64("SELECT id FROM app_passwords WHERE name = 'cli'")
            .await;
        let mut bob = Visitor::new(&s);
        bob.login("bob", "secret123").await;
        let bob_csrf = bob.csrf("/account").await;
        let refused = bob
            .post(
                "/account/app-passwords/revoke",
                &[("csrf", &bob_csrf), ("id", &id.to_string())],
            )
            .await;
        assert_eq!(refused.status(), 404);
        assert_eq!(
            s.db_i64("SELECT COUNT(*) FROM app_passwords").await,
            1,
            "still there"
        );
        // A form without the CSRF token changes nothing.
        let forged = bob
            .post("/account/app-passwords", &[("name", "forged")])
            .await;
        assert_eq!(forged.status(), 403);
    }
);

dual!(app_passwords_per_account_are_capped, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_LIMITS__MAX_APP_PASSWORDS", "2")]).await;
    s.create_user("cap", "secret123");
    let mut web = Visitor::new(&s);
    web.login("cap", "secret123").await;
    let csrf = web.csrf("/account").await;
    for name in ["one", "two"] {
        let made = web
            .post("/account/app-passwords", &[("csrf", &csrf), ("name", name)])
            .await;
        assert_eq!(made.status(), 200);
    }
    let third = web
        .post(
            "/account/app-passwords",
            &[("csrf", &csrf), ("name", "three")],
        )
        .await;
    assert_eq!(third.status(), 400);
    assert!(third.text().await.unwrap().contains("revoke one first"));
    let unnamed = web
        .post("/account/app-passwords", &[("csrf", &csrf), ("name", "  ")])
        .await;
    assert_eq!(unnamed.status(), 400);
    assert_eq!(s.db_i64("SELECT COUNT(*) FROM app_passwords").await, 2);
});

dual!(a_new_password_ends_every_other_session, |b| async move {
    let s = Server::start(b).await;
    s.create_user("cleo", "secret123");
    let api = s.login("cleo", "secret123").await;
    let mut here = Visitor::new(&s);
    here.login("cleo", "secret123").await;
    let mut elsewhere = Visitor::new(&s);
    elsewhere.login("cleo", "secret123").await;
    let csrf = here.csrf("/account").await;
    let change = |current: &str, new: &str, again: &str| {
        [
            ("csrf", csrf.clone()),
            ("current", current.to_string()),
            ("new", new.to_string()),
            ("again", again.to_string()),
        ]
    };
    for (form, status) in [
        (change("wrong-one", "a new long one", "a new long one"), 403),
        (change("secret123", "a new long one", "another one!"), 400),
        (change("secret123", "short", "short"), 400),
    ] {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let resp = here.post("/account/password", &form).await;
        assert_eq!(resp.status(), status);
    }
    check_session(&s, &api).await.assert_ok();

    let form = change("secret123", "a new long one", "a new long one");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let resp = here.post("/account/password", &form).await;
    assert_eq!(resp.status(), 303);
    // This browser stays in; the other one and the API session are out.
    assert_eq!(here.get("/account").await.status(), 200);
    assert_eq!(elsewhere.get("/account").await.status(), 303);
    check_session(&s, &api).await.assert_error(6);
    s.try_login("cleo", "secret123", "1.0")
        .await
        .assert_error(8);
    s.login("cleo", "a new long one").await;
    let entries = s.admin_ok(&["audit", "--user-name", "cleo", "--event", "password."]);
    assert!(entries.contains("password.changed"), "{entries}");
});

dual!(the_sessions_page_lists_and_ends_sessions, |b| async move {
    let s = Server::start(b).await;
    s.create_user("dev", "secret123");
    let one = s.login_v("dev", "secret123", "1.2").await;
    let two = s.login("dev", "secret123").await;
    let mut web = Visitor::new(&s);
    web.login("dev", "secret123").await;
    let html = web.get("/account").await.text().await.unwrap();
    assert_eq!(html.matches("data-kind=\"api\"").count(), 2, "{html}");
    assert!(html.contains("class=\"this-session\""), "{html}");
    assert!(html.contains("127.0.0.1"), "{html}");
    assert!(html.contains("1.2"), "{html}");

    // The first API session's handle is the start of its stored hash.
    let handle: String = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(one.as_bytes()))[..16].to_string()
    };
    assert!(html.contains(&handle), "{html}");
    let csrf = csrf_in(&html);
    let ended = web
        .post(
            "/account/sessions/end",
            &[("csrf", &csrf), ("kind", "api"), ("handle", &handle)],
        )
        .await;
    assert_eq!(ended.status(), 303);
    check_session(&s, &one).await.assert_error(6);
    check_session(&s, &two).await.assert_ok();

    let ended = web
        .post("/account/sessions/end", &[("csrf", &csrf), ("all", "1")])
        .await;
    assert_eq!(ended.status(), 303);
    check_session(&s, &two).await.assert_error(6);
    assert_eq!(
        web.get("/account").await.status(),
        200,
        "this browser stays"
    );
});

dual!(
    an_operator_deletes_an_account_with_its_files,
    |b| async move {
        let s = Server::start(b).await;
        let session = s.user_session("eve").await;
        let kept = s.user_session("fay").await;
        let file = upload(&s, &session, "a.bin", pattern(300_000, 3)).await;
        let other = upload(&s, &kept, "b.bin", pattern(300_000, 4)).await;
        let blobs_before = blob_files(&s).len();
        assert!(blobs_before >= 2);

        // Not without confirmation where nobody can be asked.
        let out = s.admin(&["user", "delete", "--user-name", "eve"]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
        assert_eq!(
            s.db_i64("SELECT COUNT(*) FROM users WHERE user_name = 'eve'")
                .await,
            1
        );

        let out = s.admin_ok(&["user", "delete", "--user-name", "eve", "--yes"]);
        assert!(out.contains("deleted"), "{out}");
        for sql in [
            "SELECT COUNT(*) FROM users WHERE user_name = 'eve'".to_string(),
            format!("SELECT COUNT(*) FROM files WHERE id = '{file}'"),
        ] {
            assert_eq!(s.db_i64(&sql).await, 0, "{sql}");
        }
        eventually("the session refused", async || {
            check_session(&s, &session).await.error_code() == 6
        })
        .await;
        // The running server removes the blob; the other account's stays.
        eventually("the blob removed", async || {
            blob_files(&s).len() == blobs_before - 1
        })
        .await;
        assert_eq!(served(&s, &kept, &other).await, pattern(300_000, 4));
        s.try_login("eve", "secret123", "1.0").await.assert_error(8);
        let audit = s.admin_ok(&["audit", "--event", "account.deleted"]);
        assert!(audit.contains("eve"), "{audit}");
    }
);

dual!(
    an_operator_sets_a_password_and_ends_sessions,
    |b| async move {
        let s = Server::start(b).await;
        let session = s.user_session("gus").await;
        let out = s.admin_stdin(
            &[
                "user",
                "reset-password",
                "--user-name",
                "gus",
                "--password-stdin",
            ],
            "a fresh passphrase\n",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        eventually("the old session refused", async || {
            check_session(&s, &session).await.error_code() == 6
        })
        .await;
        s.try_login("gus", "secret123", "1.0").await.assert_error(8);
        let again = s.login("gus", "a fresh passphrase").await;

        let out = s.admin_ok(&["user", "end-sessions", "--user-name", "gus"]);
        assert!(out.contains("1 sessions ended"), "{out}");
        eventually("the new session refused", async || {
            check_session(&s, &again).await.error_code() == 6
        })
        .await;
    }
);

/// A mailed link's token: the path segment after `prefix`.
fn token_in(mail: &str, prefix: &str) -> String {
    let link = link_in(mail, prefix).unwrap_or_else(|| panic!("no {prefix} link in {mail}"));
    let start = link.find(prefix).expect("prefix") + prefix.len();
    link[start..].to_string()
}

dual!(
    people_sign_up_on_the_web_with_the_api_s_rules,
    |b| async move {
        let s = Server::start_with(b, &[("DROPSPACE_REGISTRATION", "true")]).await;
        let mut web = Visitor::new(&s);
        let login = web.get("/login").await.text().await.unwrap();
        assert!(login.contains("href=\"/signup\""), "{login}");
        assert!(login.contains("href=\"/reset\""), "{login}");
        let csrf = web.csrf("/signup").await;
        let form = |name: &'static str, again: &'static str| {
            [
                ("csrf", csrf.clone()),
                ("user_name", name.to_string()),
                ("full_name", "Kim Lee".to_string()),
                ("email", "kim@example.com".to_string()),
                ("password", "pass1234".to_string()),
                ("again", again.to_string()),
            ]
        };
        for (fields, status, says) in [
            (form("kim", "other123"), 400, "differ"),
            (form("k m", "pass1234"), 400, "User name must be"),
        ] {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let resp = web.post("/signup", &fields).await;
            assert_eq!(resp.status(), status);
            let html = resp.text().await.unwrap();
            assert!(html.contains(says), "{html}");
            // What was typed stays; the passwords do not.
            assert!(html.contains("value=\"kim@example.com\""), "{html}");
            assert!(!html.contains("pass1234"), "{html}");
        }
        let fields = form("kim", "pass1234");
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let resp = web.post("/signup", &fields).await;
        assert_eq!(resp.status(), 200);
        assert!(resp.text().await.unwrap().contains("activation link"));
        s.try_login("kim", "pass1234", "1.0").await.assert_error(8);
        let mail = s.wait_mail(|m| m.contains("kim@example.com")).await;
        let activate = link_in(&mail, "/activate/").expect("activation link");
        assert_eq!(s.http.get(&activate).send().await.unwrap().status(), 200);
        s.login("kim", "pass1234").await;
        let audit = s.admin_ok(&["audit", "--user-name", "kim", "--event", "account."]);
        assert!(audit.contains("127.0.0.1"), "{audit}");

        let closed = Server::start_with(b, &[("DROPSPACE_REGISTRATION", "false")]).await;
        let mut web = Visitor::new(&closed);
        assert_eq!(web.get("/signup").await.status(), 404);
        let login = web.get("/login").await.text().await.unwrap();
        assert!(!login.contains("href=\"/signup\""), "{login}");
    }
);

dual!(
    a_forgotten_password_is_reset_by_a_single_use_link,
    |b| async move {
        let s = Server::start(b).await;
        let session = s.user_session("lou").await;
        let mut web = Visitor::new(&s);
        let csrf = web.csrf("/reset").await;
        // The same answer for an account and for no account.
        let known = web
            .post(
                "/reset",
                &[("csrf", &csrf), ("user_name", "LOU@example.com")],
            )
            .await;
        assert_eq!(known.status(), 200);
        let known = known.text().await.unwrap();
        let unknown = web
            .post("/reset", &[("csrf", &csrf), ("user_name", "nobody")])
            .await;
        assert_eq!(unknown.status(), 200);
        let done = |html: &str| {
            let start = html.find("id=\"done\"").expect("notice");
            let end = html[start..].find("</p>").expect("end") + start;
            html[start..end].to_string()
        };
        assert_eq!(done(&known), done(&unknown.text().await.unwrap()));

        let mail = s.wait_mail(|m| m.contains("/reset/")).await;
        let token = token_in(&mail, "/reset/");
        let path = format!("/reset/{token}");
        assert_eq!(web.get(&path).await.status(), 200);
        let csrf = web.csrf(&path).await;
        // A refused password leaves the link usable.
        let short = web
            .post(
                &path,
                &[("csrf", &csrf), ("password", "short"), ("again", "short")],
            )
            .await;
        assert_eq!(short.status(), 400);
        let set = web
            .post(
                &path,
                &[
                    ("csrf", &csrf),
                    ("password", "brand new pw"),
                    ("again", "brand new pw"),
                ],
            )
            .await;
        assert_eq!(set.status(), 200);
        s.call(&[("method", "auth.checkSession"), ("session_key", &session)])
            .await
            .assert_error(6);
        s.try_login("lou", "secret123", "1.0").await.assert_error(8);
        s.login("lou", "brand new pw").await;
        // Used up.
        assert_eq!(web.get(&path).await.status(), 404);
        let again = web
            .post(
                &path,
                &[
                    ("csrf", &csrf),
                    ("password", "third pw!!"),
                    ("again", "third pw!!"),
                ],
            )
            .await;
        assert_eq!(again.status(), 404);
        s.login("lou", "brand new pw").await;
        assert_eq!(web.get("/reset/not-a-token").await.status(), 404);
        let audit = s.admin_ok(&["audit", "--user-name", "lou", "--event", "password."]);
        assert!(audit.contains("password.reset_requested"), "{audit}");
        assert!(audit.contains("password.changed"), "{audit}");
        assert!(!audit.contains(&token), "{audit}");
    }
);

dual!(
    reset_links_expire_and_their_mails_are_rationed,
    |b| async move {
        let s = Server::start_with(
            b,
            &[
                ("DROPSPACE_LIMITS__ACCOUNT_LINK_TTL_SECS", "1"),
                ("DROPSPACE_LIMITS__ACCOUNT_MAILS_PER_HOUR_PER_ACCOUNT", "2"),
                ("DROPSPACE_LIMITS__ACCOUNT_MAILS_PER_HOUR_PER_ADDRESS", "4"),
            ],
        )
        .await;
        s.create_user("max", "secret123");
        s.create_user("ned", "secret123");
        let mut web = Visitor::new(&s);
        let csrf = web.csrf("/reset").await;
        let asked = std::time::SystemTime::now();
        for _ in 0..3 {
            let resp = web
                .post("/reset", &[("csrf", &csrf), ("user_name", "max")])
                .await;
            assert_eq!(resp.status(), 200);
        }
        // The account's third is answered alike but sends nothing: once
        // ned's mail (asked for later) is out, max has two.
        let resp = web
            .post("/reset", &[("csrf", &csrf), ("user_name", "ned")])
            .await;
        assert_eq!(resp.status(), 200);
        s.wait_mail(|m| m.contains("ned@example.com")).await;
        let to_max = s
            .outbox()
            .iter()
            .filter(|m| m.contains("max@example.com"))
            .count();
        assert_eq!(to_max, 2);
        // The address's fifth is told to wait.
        let resp = web
            .post("/reset", &[("csrf", &csrf), ("user_name", "ned")])
            .await;
        assert_eq!(resp.status(), 429);

        let mail = s.wait_mail(|m| m.contains("max@example.com")).await;
        let path = format!("/reset/{}", token_in(&mail, "/reset/"));
        wait_secs_since(asked, 2.0).await;
        assert_eq!(web.get(&path).await.status(), 404, "expired");
        let late = web
            .post(
                &path,
                &[
                    ("csrf", &csrf),
                    ("password", "too late!!"),
                    ("again", "too late!!"),
                ],
            )
            .await;
        assert_eq!(late.status(), 404);
        s.login("max", "secret123").await;
    }
);

dual!(a_new_e_mail_address_is_confirmed_by_mail, |b| async move {
    let s = Server::start(b).await;
    s.create_user("ona", "secret123");
    s.create_user("pat", "secret123");
    let mut web = Visitor::new(&s);
    web.login("ona", "secret123").await;
    let csrf = web.csrf("/account").await;
    let ask = |email: &'static str, current: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("email", email.into()),
            ("current", current.into()),
        ]
    };
    for (fields, status) in [
        (ask("new@example.com", "wrong-one"), 403),
        (ask("pat@example.com", "secret123"), 400),
        (ask("not an address", "secret123"), 400),
    ] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(web.post("/account/email", &fields).await.status(), status);
    }
    let fields = ask("new@example.com", "secret123");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(web.post("/account/email", &fields).await.status(), 200);
    let mail = s.wait_mail(|m| m.contains("To: new@example.com")).await;
    let path = format!("/account/email/{}", token_in(&mail, "/account/email/"));
    // Opening the link changes nothing; the button does.
    assert_eq!(web.get(&path).await.status(), 200);
    s.try_login("new@example.com", "secret123", "1.0")
        .await
        .assert_error(8);
    let confirmed = s.http.post(s.url(&path)).send().await.unwrap();
    assert_eq!(confirmed.status(), 200);
    s.login("new@example.com", "secret123").await;
    s.wait_mail(|m| m.contains("To: ona@example.com") && m.contains("was changed"))
        .await;
    let again = s.http.post(s.url(&path)).send().await.unwrap();
    assert_eq!(again.status(), 404);
});

dual!(people_delete_their_own_account, |b| async move {
    let s = Server::start(b).await;
    let session = s.user_session("quin").await;
    let file = upload(&s, &session, "mine.bin", pattern(1000, 5)).await;
    let mut web = Visitor::new(&s);
    web.login("quin", "secret123").await;
    let csrf = web.csrf("/account").await;
    let unticked = web
        .post(
            "/account/delete",
            &[("csrf", &csrf), ("current", "secret123")],
        )
        .await;
    assert_eq!(unticked.status(), 400);
    let wrong = web
        .post(
            "/account/delete",
            &[("csrf", &csrf), ("current", "nope-nope"), ("confirm", "1")],
        )
        .await;
    assert_eq!(wrong.status(), 403);
    assert_eq!(
        s.db_i64("SELECT COUNT(*) FROM users WHERE user_name = 'quin'")
            .await,
        1
    );
    let gone = web
        .post(
            "/account/delete",
            &[("csrf", &csrf), ("current", "secret123"), ("confirm", "1")],
        )
        .await;
    assert_eq!(gone.status(), 200);
    assert!(common::web::set_cookies(&gone)
        .iter()
        .any(|c| c.starts_with("ds_web=;")));
    assert_eq!(
        s.db_i64("SELECT COUNT(*) FROM users WHERE user_name = 'quin'")
            .await,
        0
    );
    assert_eq!(
        s.db_i64(&format!("SELECT COUNT(*) FROM files WHERE id = '{file}'"))
            .await,
        0
    );
    s.try_login("quin", "secret123", "1.0")
        .await
        .assert_error(8);
});
