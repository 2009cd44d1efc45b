//! LDAP login against OpenLDAP's slapd (docs/accounts.md, "LDAP"): search
//! then bind with a service account, or bind as the user; first login
//! makes the account, groups give the admin role and the tier; wrong
//! passwords and unknown names refused; local accounts keep their own
//! password; the directory's password never works on the API (app
//! passwords do); a directory that is down is a clear error.

mod common;

use common::slapd::{Slapd, BASE, SERVICE_DN, SERVICE_PASSWORD};
use common::web::Visitor;
use common::*;

fn search_mode(slapd: &Slapd) -> Vec<(String, String)> {
    [
        ("DROPSPACE_LDAP__URL", slapd.url()),
        ("DROPSPACE_LDAP__BIND_DN", SERVICE_DN.to_string()),
        (
            "DROPSPACE_LDAP__BIND_PASSWORD",
            SERVICE_PASSWORD.to_string(),
        ),
        ("DROPSPACE_LDAP__BASE_DN", format!("ou=people,{BASE}")),
        ("DROPSPACE_LDAP__GROUP_BASE_DN", format!("ou=groups,{BASE}")),
        ("DROPSPACE_LDAP__ADMIN_GROUP", "admins".to_string()),
        (
            "DROPSPACE_LDAP__PRO_GROUP",
            format!("cn=pro,ou=groups,{BASE}"),
        ),
        ("DROPSPACE_LDAP__MAX_GROUP", "max".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

async fn start(b: Backend, env: &[(String, String)]) -> Server {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Server::start_with(b, &env).await
}

async fn web_login(s: &Server, user: &str, password: &str) -> reqwest::Response {
    Visitor::new(s).login(user, password).await
}

async fn text(s: &Server, sql: &str) -> i64 {
    s.db_i64(sql).await
}

dual!(
    directory_users_log_in_and_get_their_groups,
    |b| async move {
        let Some(slapd) = Slapd::start().await else {
            return;
        };
        let s = start(b, &search_mode(&slapd)).await;
        s.create_user("local", "localpass1");

        let ok = web_login(&s, "alice", "wonderland").await;
        assert_eq!(ok.status(), 303);
        assert_eq!(ok.headers()["location"], "/files");
        let row = "SELECT CASE WHEN email = 'alice@example.org' AND membership = 'pro' \
                   AND is_admin = 1 AND auth_source = 'ldap' AND activated = 1 THEN 1 ELSE 0 END \
                   FROM users WHERE user_name = 'alice'";
        assert_eq!(text(&s, row).await, 1, "alice's account");
        web_login(&s, "carol", "higherfurther").await;
        let carol = "SELECT CASE WHEN membership = 'max' AND is_admin = 0 THEN 1 ELSE 0 END \
                     FROM users WHERE user_name = 'carol'";
        assert_eq!(text(&s, carol).await, 1);
        web_login(&s, "bob", "canwefixit").await;
        let bob = "SELECT CASE WHEN membership = 'lite' THEN 1 ELSE 0 END FROM users WHERE user_name = 'bob'";
        assert_eq!(text(&s, bob).await, 1);
        // Logging in again makes no second account; by e-mail address too.
        assert_eq!(
            web_login(&s, "alice@example.org", "wonderland")
                .await
                .status(),
            303
        );
        assert_eq!(
            text(&s, "SELECT COUNT(*) FROM users WHERE user_name = 'alice'").await,
            1
        );

        for (user, password) in [("alice", "not-it"), ("zed", "whatever"), ("alice", "")] {
            let refused = web_login(&s, user, password).await;
            assert_eq!(refused.status(), 403, "{user}/{password}");
        }
        assert_eq!(
            text(&s, "SELECT COUNT(*) FROM users WHERE user_name = 'zed'").await,
            0
        );
        // A local account keeps its own password.
        assert_eq!(web_login(&s, "local", "localpass1").await.status(), 303);
        // The directory's password is never seen on the API.
        s.try_login("alice", "wonderland", "1.0")
            .await
            .assert_error(8);
        s.login("local", "localpass1").await;
        // No reset link for a directory account.
        let mut web = Visitor::new(&s);
        let csrf = web.csrf("/reset").await;
        web.post("/reset", &[("csrf", &csrf), ("user_name", "alice")])
            .await;
        web.post("/reset", &[("csrf", &csrf), ("user_name", "local")])
            .await;
        s.wait_mail(|m| m.contains("local@example.com")).await;
        assert!(!s.outbox().iter().any(|m| m.contains("alice@example.org")));

        let audit = s.admin_ok(&["audit", "--user-name", "alice", "--limit", "0"]);
        assert!(
            audit.contains("from the directory (uid=alice,ou=people,dc=example,dc=org)"),
            "{audit}"
        );
        assert!(audit.contains("web: wrong password"), "{audit}");
        assert!(!audit.contains("wonderland"), "{audit}");
    }
);

dual!(
    binding_as_the_user_needs_no_service_account,
    |b| async move {
        let Some(slapd) = Slapd::start().await else {
            return;
        };
        let env = vec![
            ("DROPSPACE_LDAP__URL".to_string(), slapd.url()),
            (
                "DROPSPACE_LDAP__USER_DN".to_string(),
                format!("uid={{user}},ou=people,{BASE}"),
            ),
        ];
        let s = start(b, &env).await;
        assert_eq!(web_login(&s, "bob", "canwefixit").await.status(), 303);
        let bob = "SELECT CASE WHEN email = 'bob@example.org' AND auth_source = 'ldap' THEN 1 ELSE 0 END \
                   FROM users WHERE user_name = 'bob'";
        assert_eq!(text(&s, bob).await, 1);
        assert_eq!(web_login(&s, "bob", "wrong-one").await.status(), 403);
        // A name that would break out of the DN finds nobody.
        assert_eq!(
            web_login(&s, "bob,ou=people", "canwefixit").await.status(),
            403
        );
    }
);

dual!(a_directory_that_is_down_is_a_clear_error, |b| async move {
    let Some(mut slapd) = Slapd::start().await else {
        return;
    };
    let s = start(b, &search_mode(&slapd)).await;
    s.create_user("local", "localpass1");
    assert_eq!(web_login(&s, "alice", "wonderland").await.status(), 303);
    slapd.stop();
    let down = web_login(&s, "alice", "wonderland").await;
    assert_eq!(down.status(), 503);
    assert!(down
        .text()
        .await
        .unwrap()
        .contains("not possible right now"));
    assert_eq!(web_login(&s, "local", "localpass1").await.status(), 303);
    let audit = s.admin_ok(&["audit", "--event", "login.failed"]);
    assert!(audit.contains("directory unavailable"), "{audit}");
});

dual!(
    starttls_and_ldaps_trust_only_the_configured_ca,
    |b| async move {
        let Some(slapd) = Slapd::start_tls().await else {
            return;
        };
        let ca = slapd.ca_file().display().to_string();
        let with = |url: String, starttls: &str, ca: Option<&str>| {
            let mut env = search_mode(&slapd);
            env.retain(|(k, _)| k != "DROPSPACE_LDAP__URL");
            env.push(("DROPSPACE_LDAP__URL".into(), url));
            env.push(("DROPSPACE_LDAP__STARTTLS".into(), starttls.into()));
            // The system's trust store does not hold the test CA;
            // SSL_CERT_FILE puts it there (docs/accounts.md, "LDAP").
            if let Some(ca) = ca {
                env.push(("SSL_CERT_FILE".into(), ca.into()));
            }
            env
        };
        for (url, starttls) in [(slapd.url(), "true"), (slapd.ldaps_url(), "false")] {
            let s = start(b, &with(url.clone(), starttls, Some(&ca))).await;
            let ok = web_login(&s, "alice", "wonderland").await;
            assert_eq!(ok.status(), 303, "{url} starttls={starttls}");
            assert_eq!(web_login(&s, "alice", "nope").await.status(), 403);
            // Without the CA, the directory's certificate is not trusted:
            // nothing is sent to it.
            let s = start(b, &with(url.clone(), starttls, None)).await;
            let refused = web_login(&s, "alice", "wonderland").await;
            assert_eq!(refused.status(), 503, "{url} starttls={starttls}");
            let audit = s.admin_ok(&["audit", "--event", "login.failed"]);
            assert!(audit.contains("directory unavailable"), "{audit}");
        }
    }
);
