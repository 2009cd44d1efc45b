//! Managing accounts and keys with `dropspace admin` (docs/operations.md,
//! "Accounts and keys"): disable and enable, a quota of an account's own,
//! `show`, revoking API keys, passwords kept off the command line.

mod common;

use common::transfer::*;
use common::web::Visitor;
use common::*;

dual!(
    a_disabled_account_loses_its_sessions_and_cannot_log_in,
    |b| async move {
        let s = Server::start(b).await;
        let session = s.user_session("dora").await;
        let mut web = Visitor::new(&s);
        web.login("dora", "secret123").await;
        assert_eq!(
            web.get("/files").await.status(),
            200,
            "logged in on the web"
        );
        let check = [
            ("method", "auth.checkSession"),
            ("session_key", session.as_str()),
        ];
        s.call(&check).await.assert_ok();

        let out = s.admin_ok(&["user", "disable", "--user-name", "dora"]);
        assert!(out.contains("disabled"), "{out}");
        // Both kinds of session are gone from the database at once, and the
        // server (another process) stops using its copy within its cache bound.
        let user_id = s
            .db_i64("SELECT id FROM users WHERE user_name = 'dora'")
            .await;
        for table in ["sessions", "web_sessions"] {
            let n = s
                .db_i64(&format!(
                    "SELECT COUNT(*) FROM {table} WHERE user_id = {user_id}"
                ))
                .await;
            assert_eq!(n, 0, "{table} left");
        }
        eventually("the API session refused", async || {
            let x = s.call(&check).await;
            !x.is_ok() && x.error_code() == 6
        })
        .await;
        let page = web.get("/files").await;
        assert_eq!(page.status(), 303, "the web login is over");
        // The right password says why; a wrong one says nothing more.
        let x = s.try_login("dora", "secret123", "1.0").await;
        x.assert_error(8);
        assert!(x.error_text().contains("disabled"), "{}", x.raw);
        let wrong = s.try_login("dora", "not-it", "1.0").await;
        wrong.assert_error(8);
        assert!(!wrong.raw.contains("disabled"), "{}", wrong.raw);
        let shown = s.admin_ok(&["user", "show", "--user-name", "dora"]);
        assert!(shown.contains("status: disabled since "), "{shown}");

        s.admin_ok(&["user", "enable", "--user-name", "dora"]);
        let again = s.login("dora", "secret123").await;
        s.call(&[("method", "auth.checkSession"), ("session_key", &again)])
            .await
            .assert_ok();
        // The old session stays ended.
        s.call(&check).await.assert_error(6);
        let shown = s.admin_ok(&["user", "show", "--user-name", "dora"]);
        assert!(shown.contains("status: active"), "{shown}");

        for args in [
            &["user", "disable", "--user-name", "nobody"][..],
            &["user", "show", "--user-name", "nobody"][..],
        ] {
            let out = s.admin(args);
            assert!(!out.status.success(), "{args:?} should fail");
            assert!(String::from_utf8_lossy(&out.stderr).contains("no user named nobody"));
        }
    }
);

dual!(
    an_account_quota_of_its_own_replaces_the_tier_s,
    |b| async move {
        let s = Server::start_with(b, &[("DROPSPACE_TIERS__LITE__DISKSPACE", "100000")]).await;
        let session = s.user_session("quinn").await;
        assert_eq!(diskspace_left(&s, &session).await, 100_000);
        let set_quota = |quota: &str| {
            s.admin(&[
                "user",
                "set-quota",
                "--user-name",
                "quinn",
                "--quota",
                quota,
            ])
        };

        assert!(set_quota("1K").status.success());
        eventually("the own quota seen", async || {
            diskspace_left(&s, &session).await == 1024
        })
        .await;
        // Enforced on upload: 1,000 bytes fit, 100 more do not.
        upload(&s, &session, "a.bin", pattern(1000, 1)).await;
        let answer = upload_with(&s, &session, &[], "b.bin", pattern(100, 2)).await;
        assert_eq!(kv_get(&answer, "upload_status"), "fail", "{answer:?}");
        assert_eq!(diskspace_left(&s, &session).await, 24);
        let shown = s.admin_ok(&["user", "show", "--user-name", "quinn"]);
        assert!(
            shown.contains("disk quota: 1024 bytes (its own)"),
            "{shown}"
        );
        assert!(shown.contains("disk used: 1000 bytes"), "{shown}");

        assert!(set_quota("unlimited").status.success());
        eventually("no quota seen", async || {
            diskspace_left(&s, &session).await == -1
        })
        .await;
        upload(&s, &session, "b.bin", pattern(100, 2)).await;

        assert!(set_quota("tier").status.success());
        eventually("the tier's quota seen", async || {
            diskspace_left(&s, &session).await == 100_000 - 1100
        })
        .await;
        let shown = s.admin_ok(&["user", "show", "--user-name", "quinn"]);
        assert!(
            shown.contains("disk quota: 100000 bytes (the tier's)"),
            "{shown}"
        );

        for quota in ["lots", "5X", "-5"] {
            assert!(!set_quota(quota).status.success(), "{quota} should fail");
        }
    }
);

dual!(
    api_keys_are_revoked_by_id_but_never_the_last,
    |b| async move {
        let s = Server::start(b).await;
        let created = s.admin_ok(&["api-key", "create", "--name", "old uploader"]);
        let old_key = created.lines().last().expect("the key").trim().to_string();
        let create_token = async |key: &str| {
            s.call(&[
                ("method", "auth.createToken"),
                ("api_key", key),
                ("api_version", "1.0"),
            ])
            .await
        };
        create_token(&old_key).await.assert_ok();
        let listed = s.admin_ok(&["api-key", "list"]);
        let id = listed
            .lines()
            .find(|l| l.contains("old uploader"))
            .and_then(|l| l.split('\t').next())
            .unwrap_or_else(|| panic!("not listed: {listed}"))
            .to_string();

        let out = s.admin_ok(&["api-key", "revoke", &id]);
        assert!(out.contains(&format!("revoked API key {id}")), "{out}");
        let x = create_token(&old_key).await;
        assert!(!x.is_ok(), "a revoked key still works: {}", x.raw);
        assert!(!s.admin_ok(&["api-key", "list"]).contains("old uploader"));
        // The first key still works, and is the last: it stays.
        create_token(&s.api_key).await.assert_ok();
        let first = s.admin_ok(&["api-key", "list"]);
        let first_id = first.lines().nth(1).and_then(|l| l.split('\t').next());
        let out = s.admin(&["api-key", "revoke", first_id.expect("a key")]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("last one"));
        let out = s.admin(&["api-key", "revoke", "999999"]);
        assert!(!out.status.success());
        create_token(&s.api_key).await.assert_ok();
    }
);

dual!(
    a_new_account_s_password_can_come_from_standard_input,
    |b| async move {
        let s = Server::start(b).await;
        let out = s.admin_stdin(
            &[
                "user",
                "create",
                "--user-name",
                "pia",
                "--email",
                "pia@example.com",
                "--password-stdin",
            ],
            "a passphrase from a pipe\n",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        s.try_login("pia", "a passphrase from a pipe", "1.0")
            .await
            .assert_ok();

        // Neither a password nor a terminal to ask on: refused, nothing made.
        let out = s.admin(&[
            "user",
            "create",
            "--user-name",
            "pete",
            "--email",
            "pete@example.com",
        ]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("--password-stdin"));
        let n = s
            .db_i64("SELECT COUNT(*) FROM users WHERE user_name = 'pete'")
            .await;
        assert_eq!(n, 0);
    }
);
