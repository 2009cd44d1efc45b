//! Accounts, tokens and sessions through real HTTP, on both databases.

mod common;
use common::*;

dual!(login_check_logout, |b| async move {
    let s = Server::start(b).await;
    let session = s.user_session("alice").await;
    let x = s
        .call(&[("method", "auth.checkSession"), ("session_key", &session)])
        .await;
    x.assert_ok();
    assert_eq!(x.text("session").as_deref(), Some("ok"));
    assert_eq!(
        x.children(),
        ["session", "bandwidth_left", "diskspace_left"]
    );
    let x = s
        .call(&[("method", "auth.logout"), ("session_key", &session)])
        .await;
    x.assert_ok();
    s.call(&[("method", "auth.checkSession"), ("session_key", &session)])
        .await
        .assert_error(6);
});

dual!(login_fields_in_guide_order, |b| async move {
    let s = Server::start(b).await;
    s.create_user("bob", "pw12345");
    let x = s.try_login("bob", "pw12345", "1.0").await;
    x.assert_ok();
    assert_eq!(x.method(), "auth.login");
    assert_eq!(
        x.children(),
        [
            "session_key",
            "email",
            "membership_type",
            "membership_ends",
            "capable_upload",
            "capable_download",
            "capable_folders",
            "capable_files",
            "bandwidth_left",
            "diskspace_left"
        ]
    );
    let key = x.text("session_key").unwrap_or_default();
    assert_eq!(key.len(), 32);
    assert!(key
        .bytes()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    assert_eq!(x.text("email").as_deref(), Some("bob@example.com"));
});

dual!(sessions_work_across_nodes, |b| async move {
    let a = Server::start(b).await;
    let node_b = a.another_node().await;
    let session = a.user_session("carol").await;
    node_b
        .call(&[("method", "auth.checkSession"), ("session_key", &session)])
        .await
        .assert_ok();
    node_b
        .call(&[("method", "auth.logout"), ("session_key", &session)])
        .await
        .assert_ok();
    a.call(&[("method", "auth.checkSession"), ("session_key", &session)])
        .await
        .assert_error(6);
});

use std::time::{Duration, Instant, SystemTime};

async fn register(s: &Server, fields: &[(&str, &str)]) -> Xml {
    let mut params = vec![("method", "auth.register"), ("api_key", s.api_key.as_str())];
    params.extend_from_slice(fields);
    s.call(&params).await
}

fn reg<'a>(name: &'a str, full: &'a str, email: &'a str, pw: &'a str) -> [(&'a str, &'a str); 4] {
    [
        ("user_name", name),
        ("full_name", full),
        ("email", email),
        ("password", pw),
    ]
}

// Two registrations of one address at once: the unique index decides, and
// the loser gets the spec's 27 "already registered", not a crash.
dual!(
    parallel_registrations_take_an_address_once,
    |b| async move {
        let s = Server::start(b).await;
        let names: Vec<String> = (0..8).map(|i| format!("racer{i}")).collect();
        let calls = names.iter().enumerate().map(|(i, name)| {
            let email = if i % 2 == 0 {
                "Same@Example.com"
            } else {
                "same@example.com"
            };
            let s = &s;
            async move { register(s, &reg(name, "Racer", email, "pw1234")).await }
        });
        let answers = futures::future::join_all(calls).await;
        let ok = answers.iter().filter(|x| x.is_ok()).count();
        assert_eq!(
            ok,
            1,
            "{:?}",
            answers.iter().map(|x| &x.raw).collect::<Vec<_>>()
        );
        for x in answers.iter().filter(|x| !x.is_ok()) {
            x.assert_error(27);
            assert!(x.error_text().contains("email"), "{}", x.raw);
        }
        assert_eq!(
            s.db_i64("SELECT COUNT(*) FROM users WHERE email_lower = 'same@example.com'")
                .await,
            1
        );
    }
);

dual!(register_activate_login, |b| async move {
    let s = Server::start(b).await;
    let x = register(
        &s,
        &reg("dave", "Dave Smith", "dave@example.com", "hunter22"),
    )
    .await;
    x.assert_ok();
    assert_eq!(x.children(), ["status"]);
    assert_eq!(x.text("status").as_deref(), Some("ok"));
    let mail = s.wait_mail(|m| m.contains("dave@example.com")).await;
    let link = link_in(&mail, "/activate/").expect("activation link");
    assert!(link.starts_with(&s.base), "{link}");
    assert!(
        !mail.contains("hunter22"),
        "a chosen password is never mailed"
    );
    // Login before activation: 8, saying why.
    let x = s.try_login("dave", "hunter22", "1.0").await;
    x.assert_error(8);
    assert!(x.error_text().contains("activat"), "{}", x.raw);
    // The link opens a small HTML page and activates the account.
    let resp = s.http.get(&link).send().await.expect("activate");
    assert_eq!(resp.status().as_u16(), 200);
    let ctype = content_type(&resp);
    assert!(ctype.starts_with("text/html"), "{ctype}");
    assert!(resp.text().await.expect("page").contains("dave"));
    // Used once; a second visit or a forged token finds nothing.
    let again = s.http.get(&link).send().await.expect("again");
    assert_eq!(again.status().as_u16(), 404);
    let forged = s
        .http
        .get(s.url("/activate/<script>"))
        .send()
        .await
        .expect("forged");
    assert_eq!(forged.status().as_u16(), 404);
    // Case-insensitive user name at login.
    let session = s.login("DAVE", "hunter22").await;
    s.call(&[("method", "auth.checkSession"), ("session_key", &session)])
        .await
        .assert_ok();
});

dual!(register_generates_and_mails_password, |b| async move {
    let s = Server::start(b).await;
    register(&s, &reg("erin", "Erin", "erin@example.com", ""))
        .await
        .assert_ok();
    let mail = s.wait_mail(|m| m.contains("erin@example.com")).await;
    let lines: Vec<String> = mail.lines().map(str::to_string).collect();
    let password = line_value(&lines, "Your password: ").expect("password in the mail");
    assert!(password.len() >= 8, "{password}");
    let link = link_in(&mail, "/activate/").expect("link");
    assert_eq!(
        s.http
            .get(&link)
            .send()
            .await
            .expect("get")
            .status()
            .as_u16(),
        200
    );
    s.login("erin", &password).await;
});

dual!(register_validation_is_27, |b| async move {
    let s = Server::start(b).await;
    register(&s, &reg("frank", "Frank Lee", "frank@example.com", "pass"))
        .await
        .assert_ok();
    let cases: [([(&str, &str); 4], &str); 11] = [
        (reg("ab", "Abe Bee", "ab@example.com", "pass"), "User name"),
        (
            reg("abc_d", "Abe Bee", "abcd@example.com", "pass"),
            "User name",
        ),
        (
            reg("a23456789012345678901", "Abe Bee", "x@example.com", "pass"),
            "User name",
        ),
        (
            reg("george", "G1 Smith", "g@example.com", "pass"),
            "Full name",
        ),
        (reg("george", "Gi", "g@example.com", "pass"), "Full name"),
        (
            reg("george", "George Smith", "not-an-email", "pass"),
            "email",
        ),
        (
            reg("george", "George Smith", "g@example.com", "abc"),
            "Password",
        ),
        (
            reg(
                "george",
                "George Smith",
                "g@example.com",
                "a23456789012345678901",
            ),
            "Password",
        ),
        (
            reg("FRANK", "Frank Two", "frank2@example.com", "pass"),
            "user name",
        ),
        (
            reg("frank2", "Frank Two", "FRANK@example.com", "pass"),
            "email",
        ),
        (reg("george", "   ", "g@example.com", "pass"), "Full name"),
    ];
    for (fields, needle) in cases {
        let x = register(&s, &fields).await;
        x.assert_error(27);
        assert!(
            x.error_text().contains(needle),
            "{fields:?}: expected text about {needle}: {}",
            x.raw
        );
    }
    // A missing parameter is 4, an unknown key 18.
    s.call(&[
        ("method", "auth.register"),
        ("api_key", &s.api_key),
        ("user_name", "henry"),
        ("full_name", "Henry"),
        ("email", "henry@example.com"),
    ])
    .await
    .assert_error(4);
    s.call(&[
        ("method", "auth.register"),
        ("api_key", "WRONGKEY"),
        ("user_name", "henry"),
        ("full_name", "Henry"),
        ("email", "henry@example.com"),
        ("password", "pass"),
    ])
    .await
    .assert_error(18);
});

dual!(registration_switched_off_is_11, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_REGISTRATION", "false")]).await;
    let x = register(&s, &reg("ivan", "Ivan", "ivan@example.com", "pass")).await;
    x.assert_error(11);
});

dual!(tokens_single_use_and_expiring, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_LIMITS__TOKEN_TTL_SECS", "1")]).await;
    s.create_user("judy", "pw1234");
    let login = |token: String, pw: &'static str| {
        let tp = tokened_password(&token, pw);
        let s = &s;
        async move {
            s.call(&[
                ("method", "auth.login"),
                ("token", &token),
                ("user_name", "judy"),
                ("tokened_password", &tp),
            ])
            .await
        }
    };
    // Used once: a second login with the same token is 6.
    let token = s.token("1.0").await;
    login(token.clone(), "pw1234").await.assert_ok();
    login(token, "pw1234").await.assert_error(6);
    // Consumed by a failed login too.
    let token = s.token("1.0").await;
    login(token.clone(), "wrong").await.assert_error(8);
    login(token, "pw1234").await.assert_error(6);
    // Unknown token.
    login("x".repeat(32), "pw1234").await.assert_error(6);
    // Expired.
    let issued = SystemTime::now();
    let token = s.token("1.0").await;
    wait_secs_since(issued, 2.2).await;
    login(token, "pw1234").await.assert_error(6);
    // Uppercase hex is accepted (md5 case is the client's business).
    let token = s.token("1.0").await;
    let tp = tokened_password(&token, "pw1234").to_uppercase();
    s.call(&[
        ("method", "auth.login"),
        ("token", &token),
        ("user_name", "judy"),
        ("tokened_password", &tp),
    ])
    .await
    .assert_ok();
});

dual!(session_version_from_token, |b| async move {
    let s = Server::start(b).await;
    s.create_user("ken", "pw1234");
    s.login_v("ken", "pw1234", "1.2").await;
    let v: i64 = s
        .db_i64("SELECT COUNT(*) FROM sessions WHERE api_version = '1.2'")
        .await;
    assert_eq!(v, 1);
});

dual!(sessions_expire_when_idle, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_LIMITS__SESSION_IDLE_SECS", "3")]).await;
    let session = s.user_session("liam").await;
    let check = |key: String| {
        let s = &s;
        async move {
            s.call(&[("method", "auth.checkSession"), ("session_key", &key)])
                .await
        }
    };
    // Use keeps it alive well past the idle timeout.
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        check(session.clone()).await.assert_ok();
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    // Idle: dead everywhere, checkSession included.
    let last = SystemTime::now();
    wait_secs_since(last, 4.5).await;
    check(session.clone()).await.assert_error(6);
    s.call(&[("method", "auth.logout"), ("session_key", &session)])
        .await
        .assert_error(6);
    s.call(&[
        ("method", "files.getInfo"),
        ("session_key", &session),
        ("file_id", "abcdef"),
    ])
    .await
    .assert_error(6);
});

dual!(session_cap_is_30, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_LIMITS__MAX_SESSIONS_PER_USER", "2")]).await;
    s.create_user("mia", "pw1234");
    let first = s.login("mia", "pw1234").await;
    s.login("mia", "pw1234").await;
    s.try_login("mia", "pw1234", "1.0").await.assert_error(30);
    // Another user is not affected.
    s.user_session("noah").await;
    // Logging out frees a place.
    s.call(&[("method", "auth.logout"), ("session_key", &first)])
        .await
        .assert_ok();
    s.login("mia", "pw1234").await;
    s.try_login("mia", "pw1234", "1.0").await.assert_error(30);
});

dual!(session_cap_holds_under_concurrent_logins, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_LIMITS__MAX_SESSIONS_PER_USER", "3")]).await;
    s.create_user("olga", "pw1234");
    let mut tokens = Vec::new();
    for _ in 0..12 {
        tokens.push(s.token("1.0").await);
    }
    let calls = tokens.iter().map(|t| {
        let tp = tokened_password(t, "pw1234");
        let s = &s;
        async move {
            s.call(&[
                ("method", "auth.login"),
                ("token", t),
                ("user_name", "olga"),
                ("tokened_password", &tp),
            ])
            .await
        }
    });
    let answers = futures::future::join_all(calls).await;
    let ok = answers.iter().filter(|x| x.is_ok()).count();
    assert_eq!(ok, 3, "{answers:?}");
    for x in answers.iter().filter(|x| !x.is_ok()) {
        x.assert_error(30);
    }
});

dual!(api_key_min_app_version_is_25, |b| async move {
    let s = Server::start(b).await;
    let out = s.admin_ok(&[
        "api-key",
        "create",
        "--name",
        "desktop",
        "--min-app-version",
        "2.1",
    ]);
    let key = out.lines().last().expect("key line").trim().to_string();
    assert!(key.len() >= 16 && key.bytes().all(|c| c.is_ascii_alphanumeric()));
    let call = |app: Option<&'static str>| {
        let key = key.clone();
        let s = &s;
        async move {
            let mut p = vec![
                ("method", "auth.createToken"),
                ("api_key", key.as_str()),
                ("api_version", "1.0"),
            ];
            if let Some(v) = app {
                p.push(("app_version", v));
            }
            s.call(&p).await
        }
    };
    call(None).await.assert_error(25);
    call(Some("2.0.9")).await.assert_error(25);
    call(Some("1.10")).await.assert_error(25);
    call(Some("2.1")).await.assert_ok();
    call(Some("2.10")).await.assert_ok();
    // The default key has no minimum.
    s.call(&[
        ("method", "auth.createToken"),
        ("api_key", &s.api_key),
        ("api_version", "1.0"),
        ("app_version", "0.0.1"),
    ])
    .await
    .assert_ok();
    // Only a hash of each key is stored.
    let stored = s
        .db_i64(&format!(
            "SELECT COUNT(*) FROM api_keys WHERE key_hash = '{key}' OR name = '{key}'"
        ))
        .await;
    assert_eq!(stored, 0);
    assert_eq!(s.db_i64("SELECT COUNT(*) FROM api_keys").await, 2);
});

dual!(tiers_from_configuration, |b| async move {
    let s = Server::start_with(
        b,
        &[
            ("DROPSPACE_TIERS__PRO__DISKSPACE", "5000"),
            ("DROPSPACE_TIERS__PRO__BANDWIDTH", "7000"),
            ("DROPSPACE_TIERS__PRO__CAPABLE_FOLDERS", "0"),
            ("DROPSPACE_TIERS__LITE__CAPABLE_FILES", "false"),
        ],
    )
    .await;
    s.create_user("pat", "pw1234");
    let x = s.try_login("pat", "pw1234", "1.0").await;
    x.assert_ok();
    assert_eq!(x.text("membership_type").as_deref(), Some("lite"));
    assert_eq!(x.text("membership_ends").as_deref(), Some("0"));
    assert_eq!(x.text("capable_files").as_deref(), Some("0"));
    assert_eq!(x.text("capable_folders").as_deref(), Some("1"));
    assert_eq!(x.text("bandwidth_left").as_deref(), Some("-1"));
    s.admin_ok(&[
        "user",
        "set-membership",
        "--user-name",
        "pat",
        "--membership",
        "pro",
        "--ends",
        "2099-01-01T00:00:00Z",
    ]);
    let x = s.try_login("pat", "pw1234", "1.0").await;
    assert_eq!(x.text("membership_type").as_deref(), Some("pro"));
    assert_eq!(x.text("membership_ends").as_deref(), Some("4070908800"));
    assert_eq!(x.text("capable_folders").as_deref(), Some("0"));
    assert_eq!(x.text("capable_files").as_deref(), Some("1"));
    assert_eq!(x.text("diskspace_left").as_deref(), Some("5000"));
    assert_eq!(x.text("bandwidth_left").as_deref(), Some("7000"));
    let session = x.text("session_key").expect("session");
    let c = s
        .call(&[("method", "auth.checkSession"), ("session_key", &session)])
        .await;
    assert_eq!(c.text("diskspace_left").as_deref(), Some("5000"));
    assert_eq!(c.text("bandwidth_left").as_deref(), Some("7000"));
    // A live pro account is not refused with 19.
    let x = s
        .call(&[("method", "upload.getInfo"), ("session_key", &session)])
        .await;
    assert!(x.is_ok() || x.error_code() != 19, "{}", x.raw);
});

dual!(ended_paid_tier_is_19, |b| async move {
    let s = Server::start(b).await;
    let session = s.user_session("quinn").await;
    s.admin_ok(&[
        "user",
        "set-membership",
        "--user-name",
        "quinn",
        "--membership",
        "max",
        "--ends",
        "2020-01-01T00:00:00Z",
    ]);
    // The admin command is another process: the server sees the change
    // within `limits.session_cache_ms` (docs/architecture.md).
    let upload_info = [
        ("method", "upload.getInfo"),
        ("session_key", session.as_str()),
    ];
    eventually("the ended membership seen", async || {
        let x = s.call(&upload_info).await;
        !x.is_ok() && x.error_code() == 19
    })
    .await;
    for (method, extra) in [
        ("upload.getInfo", None),
        ("download.getInfo", Some("abcdef")),
    ] {
        let mut p = vec![("method", method), ("session_key", session.as_str())];
        if let Some(id) = extra {
            p.push(("file_id", id));
        }
        s.call(&p).await.assert_error(19);
    }
    // Methods whose guide entry does not list 19 go on.
    s.call(&[("method", "auth.checkSession"), ("session_key", &session)])
        .await
        .assert_ok();
    let x = s.try_login("quinn", "secret123", "1.0").await;
    x.assert_ok();
    assert_eq!(x.text("membership_ends").as_deref(), Some("1577836800"));
    // An ended lite membership means nothing.
    s.admin_ok(&[
        "user",
        "set-membership",
        "--user-name",
        "quinn",
        "--membership",
        "lite",
        "--ends",
        "2020-01-01T00:00:00Z",
    ]);
    eventually("the lite membership seen", async || {
        let x = s.call(&upload_info).await;
        x.is_ok() || x.error_code() != 19
    })
    .await;
});

async fn wrong_login(s: &Server, name: &str) -> Xml {
    s.try_login(name, "not-the-password", "1.0").await
}

fn says_wait(x: &Xml) -> bool {
    x.error_text().to_lowercase().contains("wait")
}

dual!(burst_of_wrong_passwords_is_slowed, |b| async move {
    // Defaults: a burst gets a handful of real tries, then one per delay.
    let s = Server::start(b).await;
    s.create_user("rita", "pw1234");
    let mut evaluated = 0;
    for _ in 0..30 {
        let x = wrong_login(&s, "rita").await;
        x.assert_error(8);
        if !says_wait(&x) {
            evaluated += 1;
        }
    }
    assert!(evaluated <= 5, "{evaluated} guesses were checked");
    // Even the right password is refused while the account waits.
    let x = s.try_login("rita", "pw1234", "1.0").await;
    x.assert_error(8);
    assert!(says_wait(&x), "{}", x.raw);
    // Other accounts from elsewhere are not locked out by it... (same
    // address here, whose own limit is higher)
    s.user_session("sam").await;
});

dual!(throttle_per_account_lifts_after_delay, |b| async move {
    let s = Server::start_with(
        b,
        &[
            ("DROPSPACE_LIMITS__LOGIN_FAILURES_PER_ACCOUNT", "2"),
            ("DROPSPACE_LIMITS__LOGIN_DELAY_SECS", "2"),
        ],
    )
    .await;
    s.create_user("tina", "pw1234");
    assert!(!says_wait(&wrong_login(&s, "tina").await));
    let x = wrong_login(&s, "tina").await;
    x.assert_error(8);
    let blocked = SystemTime::now();
    let x = s.try_login("tina", "pw1234", "1.0").await;
    x.assert_error(8);
    assert!(says_wait(&x), "{}", x.raw);
    wait_secs_since(blocked, 3.2).await;
    s.login("tina", "pw1234").await;
});

dual!(throttle_per_address, |b| async move {
    let s = Server::start_with(
        b,
        &[
            ("DROPSPACE_LIMITS__LOGIN_FAILURES_PER_ADDRESS", "3"),
            ("DROPSPACE_LIMITS__LOGIN_FAILURES_PER_ACCOUNT", "100"),
        ],
    )
    .await;
    s.create_user("uma", "pw1234");
    for name in ["nobody1", "nobody2", "nobody3"] {
        wrong_login(&s, name).await.assert_error(8);
    }
    let x = s.try_login("uma", "pw1234", "1.0").await;
    x.assert_error(8);
    assert!(says_wait(&x), "{}", x.raw);
});

dual!(throttle_counts_across_nodes, |b| async move {
    let a = Server::start_with(
        b,
        &[
            ("DROPSPACE_LIMITS__LOGIN_FAILURES_PER_ACCOUNT", "2"),
            ("DROPSPACE_LIMITS__LOGIN_DELAY_SECS", "600"),
        ],
    )
    .await;
    let node_b = a.another_node().await;
    a.create_user("vera", "pw1234");
    assert!(!says_wait(&wrong_login(&a, "vera").await));
    assert!(!says_wait(&wrong_login(&node_b, "vera").await));
    for node in [&a, &node_b] {
        let x = node.try_login("vera", "pw1234", "1.0").await;
        x.assert_error(8);
        assert!(says_wait(&x), "{}", x.raw);
    }
});

dual!(
    concurrent_wrong_logins_get_only_the_allowance,
    |b| async move {
        // Each try's outcome is settled in one transaction that refuses it
        // once a parallel failure blocked the account: a burst of parallel
        // guesses learns at most the allowance.
        let s = Server::start_with(
            b,
            &[
                ("DROPSPACE_LIMITS__LOGIN_FAILURES_PER_ACCOUNT", "2"),
                ("DROPSPACE_LIMITS__LOGIN_FAILURES_PER_ADDRESS", "1000"),
                ("DROPSPACE_LIMITS__LOGIN_DELAY_SECS", "600"),
            ],
        )
        .await;
        s.create_user("zora", "pw1234");
        let mut tokens = Vec::new();
        for _ in 0..50 {
            tokens.push(s.token("1.0").await);
        }
        let calls = tokens.iter().map(|t| {
            let tp = tokened_password(t, "not-the-password");
            let s = &s;
            async move {
                s.call(&[
                    ("method", "auth.login"),
                    ("token", t),
                    ("user_name", "zora"),
                    ("tokened_password", &tp),
                ])
                .await
            }
        });
        let answers = futures::future::join_all(calls).await;
        for x in &answers {
            x.assert_error(8);
        }
        let evaluated = answers.iter().filter(|x| !says_wait(x)).count();
        assert!(
            evaluated <= 2,
            "{evaluated} of 50 parallel guesses were checked"
        );
        // The account waits: even the right password is refused.
        let x = s.try_login("zora", "pw1234", "1.0").await;
        x.assert_error(8);
        assert!(says_wait(&x), "{}", x.raw);
        // Tries refused for the wait are not counted against the address.
        let counted = s
            .db_i64("SELECT failures FROM throttle WHERE key = 'login-addr:127.0.0.1'")
            .await;
        assert_eq!(counted as usize, evaluated);
    }
);

dual!(no_secrets_in_logs, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_LOG", "debug")]).await;
    register(
        &s,
        &reg("walt", "Walt White", "walt@example.com", "Sup3rSecretPw"),
    )
    .await
    .assert_ok();
    let mail = s.wait_mail(|m| m.contains("walt@example.com")).await;
    let link = link_in(&mail, "/activate/").expect("link");
    let activation = link.rsplit('/').next().unwrap_or_default().to_string();
    s.http.get(&link).send().await.expect("activate");
    let token = s.token("1.0").await;
    let tp = tokened_password(&token, "Sup3rSecretPw");
    let x = s
        .post(&[
            ("method", "auth.login"),
            ("token", &token),
            ("user_name", "walt"),
            ("tokened_password", &tp),
        ])
        .await;
    x.assert_ok();
    let session = x.text("session_key").expect("session");
    s.call(&[("method", "auth.checkSession"), ("session_key", &session)])
        .await
        .assert_ok();
    s.call(&[("method", "auth.logout"), ("session_key", &session)])
        .await
        .assert_ok();
    // A database dump alone holds neither the password nor its md5.
    let md5 = md5_hex("Sup3rSecretPw");
    let leaked = s
        .db_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE md5_sealed LIKE '%{md5}%' OR password_hash LIKE '%Sup3rSecretPw%'"
        ))
        .await;
    assert_eq!(leaked, 0);
    let argon = s
        .db_i64("SELECT COUNT(*) FROM users WHERE user_name = 'walt' AND password_hash LIKE '$argon2id$%'")
        .await;
    assert_eq!(argon, 1);
    let log = s.log();
    assert!(log.contains("api call"), "the log is written: {log}");
    for secret in [
        "Sup3rSecretPw",
        md5_hex("Sup3rSecretPw").as_str(),
        &token,
        &tp,
        &session,
        &activation,
        &s.api_key,
    ] {
        assert!(!log.contains(secret), "{secret} appears in the log");
    }
});

dual!(mail_server_down_never_blocks_the_api, |b| async move {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let smtp = format!("smtp://127.0.0.1:{port}");
    let s = Server::start_with(b, &[("DROPSPACE_MAIL__SMTP_URL", &smtp)]).await;
    let started = Instant::now();
    register(&s, &reg("xena", "Xena", "xena@example.com", "pw1234"))
        .await
        .assert_ok();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    // The worker tried, failed, and keeps the message for a later attempt.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let tried = s
            .db_i64("SELECT COUNT(*) FROM mail_queue WHERE attempts >= 1 AND last_error IS NOT NULL AND claimed_until = 0")
            .await;
        if tried == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "mail was never attempted");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(s.db_i64("SELECT COUNT(*) FROM mail_queue").await, 1);
    let retry_later = s
        .db_i64("SELECT COUNT(*) FROM mail_queue WHERE next_attempt > created")
        .await;
    assert_eq!(retry_later, 1);
    assert!(s.outbox().is_empty());
});

dual!(admin_cli_errors, |b| async move {
    let s = Server::start(b).await;
    s.create_user("yuri", "pw1234");
    for args in [
        &[
            "user",
            "create",
            "--user-name",
            "YURI",
            "--email",
            "y2@example.com",
            "--password",
            "pw1234",
        ][..],
        &[
            "user",
            "create",
            "--user-name",
            "y!",
            "--email",
            "y3@example.com",
            "--password",
            "pw1234",
        ][..],
        &[
            "user",
            "set-membership",
            "--user-name",
            "nobody",
            "--membership",
            "pro",
        ][..],
        &[
            "user",
            "set-membership",
            "--user-name",
            "yuri",
            "--membership",
            "pro",
            "--ends",
            "tomorrow",
        ][..],
        &[
            "user",
            "set-membership",
            "--user-name",
            "yuri",
            "--membership",
            "gold",
        ][..],
    ] {
        let out = s.admin(args);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.trim().is_empty(), "{args:?}: no message");
    }
    // An admin-created account can log in at once, with its tier.
    s.admin_ok(&[
        "user",
        "create",
        "--user-name",
        "zoe",
        "--email",
        "zoe@example.com",
        "--password",
        "pw1234",
        "--full-name",
        "Zoe Z",
        "--membership",
        "max",
    ]);
    let x = s.try_login("zoe", "pw1234", "1.0").await;
    x.assert_ok();
    assert_eq!(x.text("membership_type").as_deref(), Some("max"));
    assert_eq!(x.text("diskspace_left").as_deref(), Some("-1"));
});

dual!(login_needs_only_three_parameters, |b| async move {
    let s = Server::start(b).await;
    s.create_user("abby", "pw1234");
    let token = s.token("1.0").await;
    // No api_key, no api_version; missing any of the three is 4.
    s.call(&[
        ("method", "auth.login"),
        ("token", &token),
        ("user_name", "abby"),
    ])
    .await
    .assert_error(4);
    let tp = tokened_password(&token, "pw1234");
    s.call(&[
        ("method", "auth.login"),
        ("token", &token),
        ("user_name", "abby"),
        ("tokened_password", &tp),
    ])
    .await
    .assert_ok();
    // Unknown user name: 8, like a wrong password.
    let token = s.token("1.0").await;
    let tp = tokened_password(&token, "pw1234");
    s.call(&[
        ("method", "auth.login"),
        ("token", &token),
        ("user_name", "nobodyhere"),
        ("tokened_password", &tp),
    ])
    .await
    .assert_error(8);
});

/// A minimal SMTP server that accepts every message and hands each DATA
/// section to the channel.
async fn fake_smtp() -> (u16, tokio::sync::mpsc::UnboundedReceiver<String>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 fake ESMTP\r\n").await;
                let (mut in_data, mut data) = (false, String::new());
                while let Ok(Some(line)) = lines.next_line().await {
                    let reply: &[u8] = if in_data {
                        if line == "." {
                            in_data = false;
                            let _ = tx.send(std::mem::take(&mut data));
                            b"250 queued\r\n"
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                            continue;
                        }
                    } else {
                        let cmd = line.to_ascii_uppercase();
                        if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                            b"250 fake\r\n"
                        } else if cmd.starts_with("DATA") {
                            in_data = true;
                            b"354 go on\r\n"
                        } else if cmd.starts_with("QUIT") {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"250 ok\r\n"
                        }
                    };
                    if w.write_all(reply).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (port, rx)
}

dual!(mail_goes_out_by_smtp_when_configured, |b| async move {
    let (port, mut rx) = fake_smtp().await;
    let smtp = format!("smtp://127.0.0.1:{port}");
    let s = Server::start_with(b, &[("DROPSPACE_MAIL__SMTP_URL", &smtp)]).await;
    register(&s, &reg("yves", "Yves", "yves@example.com", "pw1234"))
        .await
        .assert_ok();
    let message = tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("delivered in time")
        .expect("a message");
    assert!(message.contains("To: yves@example.com"), "{message}");
    let link = link_in(&message, "/activate/").expect("link");
    assert_eq!(
        s.http
            .get(&link)
            .send()
            .await
            .expect("get")
            .status()
            .as_u16(),
        200
    );
    // Delivered mail leaves the queue; nothing goes to the outbox.
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.db_i64("SELECT COUNT(*) FROM mail_queue").await != 0 {
        assert!(Instant::now() < deadline, "queue not emptied");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(s.outbox().is_empty());
});

dual!(login_by_email_in_any_case, |b| async move {
    let s = Server::start(b).await;
    s.create_user("wendy", "pw1234");
    // user_name may be the account's e-mail address, matched in any case.
    let x = s.try_login("Wendy@Example.COM", "pw1234", "1.0").await;
    x.assert_ok();
    assert_eq!(x.text("email").as_deref(), Some("wendy@example.com"));
    let session = x.text("session_key").expect("session_key");
    s.call(&[("method", "auth.checkSession"), ("session_key", &session)])
        .await
        .assert_ok();
    // A wrong password, or an address no account has, is still 8.
    s.try_login("wendy@example.com", "nope1234", "1.0")
        .await
        .assert_error(8);
    s.try_login("nobody@example.com", "pw1234", "1.0")
        .await
        .assert_error(8);
});

dual!(
    login_by_email_counts_against_the_same_account,
    |b| async move {
        let s = Server::start_with(
            b,
            &[
                ("DROPSPACE_LIMITS__LOGIN_FAILURES_PER_ACCOUNT", "2"),
                ("DROPSPACE_LIMITS__LOGIN_FAILURES_PER_ADDRESS", "100"),
                ("DROPSPACE_LIMITS__LOGIN_DELAY_SECS", "600"),
            ],
        )
        .await;
        s.create_user("xena", "pw1234");
        s.create_user("yuri", "pw1234");
        // One failure by address, one by name: the account's second failure.
        assert!(!says_wait(&wrong_login(&s, "XENA@example.com").await));
        let x = wrong_login(&s, "xena").await;
        x.assert_error(8);
        // Now the account waits, whichever way it is named.
        for name in ["xena", "Xena@Example.com"] {
            let x = s.try_login(name, "pw1234", "1.0").await;
            x.assert_error(8);
            assert!(says_wait(&x), "{name}: {}", x.raw);
        }
        // Another account is not affected.
        s.login("yuri@example.com", "pw1234").await;
    }
);
