//! The audit log (docs/audit.md): logins with their address, account and
//! key changes by the operator, shares and deletions; read with
//! `dropspace admin audit` and its filters; swept after its retention;
//! nothing secret in it.

mod common;

use common::transfer::*;
use common::*;

fn entries(s: &Server, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["audit", "--json"];
    all.extend_from_slice(args);
    let out = s.admin_ok(&all);
    let parsed: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"));
    parsed.as_array().expect("an array").clone()
}

fn events(list: &[serde_json::Value]) -> Vec<String> {
    list.iter()
        .map(|e| e["event"].as_str().unwrap_or("").to_string())
        .collect()
}

dual!(
    logins_and_admin_actions_are_audited_without_secrets,
    |b| async move {
        let s = Server::start(b).await;
        s.create_user("hal", "secret123");
        s.try_login("hal", "wrong-guess", "1.0")
            .await
            .assert_error(8);
        s.try_login("nobody", "typed-in-the-wrong-field", "1.0")
            .await
            .assert_error(8);
        let session = s.login("hal", "secret123").await;
        s.admin_ok(&["user", "set-quota", "--user-name", "hal", "--quota", "1G"]);
        s.admin_ok(&["user", "disable", "--user-name", "hal"]);
        s.admin_ok(&["user", "enable", "--user-name", "hal"]);
        s.admin_ok(&["api-key", "create", "--name", "uploader"]);
        s.admin_ok(&["maintenance", "on"]);
        s.admin_ok(&["maintenance", "off"]);

        let hal = entries(&s, &["--user-name", "hal"]);
        let names = events(&hal);
        // Newest first.
        assert_eq!(
            names,
            [
                "account.enabled",
                "account.disabled",
                "account.quota",
                "login.ok",
                "login.failed",
                "account.created",
            ],
            "{hal:?}"
        );
        let failed = &hal[4];
        assert_eq!(failed["address"], "127.0.0.1");
        assert_eq!(failed["actor"], "user");
        assert_eq!(failed["detail"], "api: wrong password");
        assert_eq!(hal[0]["actor"], "admin-cli");
        assert_eq!(hal[0]["address"], "");

        // A name no account has is not kept: it may be a password.
        let logins = entries(&s, &["--event", "login."]);
        assert_eq!(
            events(&logins),
            ["login.ok", "login.failed", "login.failed"]
        );
        assert_eq!(logins[1]["user_name"], "");
        let everything = s.admin_ok(&["audit", "--json", "--limit", "0"]);
        for secret in [
            "secret123",
            "wrong-guess",
            "typed-in-the-wrong-field",
            &session,
            &s.api_key,
        ] {
            assert!(!everything.contains(secret), "{secret} in {everything}");
        }
        let all = events(&entries(&s, &["--limit", "0"]));
        for e in ["api_key.created", "maintenance.changed"] {
            assert!(all.iter().any(|n| n == e), "{e} missing: {all:?}");
        }
        // Filters: a limit, a time after every entry.
        assert_eq!(entries(&s, &["--limit", "2"]).len(), 2);
        assert!(entries(&s, &["--since", "2999-01-01T00:00:00Z"]).is_empty());
        assert!(!entries(&s, &["--since", "1h"]).is_empty());
        let text = s.admin_ok(&["audit", "--user-name", "hal", "--limit", "1"]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "TIME\tEVENT\tUSER\tACTOR\tADDRESS\tDETAIL");
        assert!(
            lines[1].contains("\taccount.enabled\thal\tadmin-cli\t-\t"),
            "{text}"
        );
        let bad = s.admin(&["audit", "--since", "yesterday"]);
        assert!(!bad.status.success());
        assert!(String::from_utf8_lossy(&bad.stderr).contains("--since"));
    }
);

dual!(
    shares_deletions_and_web_logins_are_audited,
    |b| async move {
        let s = Server::start(b).await;
        let session = s.user_session("ida").await;
        let folder = api(&s, &session, "folders.create", &[("name", "pics")]).await;
        let folder_id = folder.attr("folder", "id").expect("folder id");
        for shared in ["1", "1", "0"] {
            api(
                &s,
                &session,
                "folders.setInfo",
                &[("folder_id", &folder_id), ("shared", shared)],
            )
            .await
            .assert_ok();
        }
        let file = upload(&s, &session, "gone.txt", b"bye".to_vec()).await;
        api(&s, &session, "files.delete", &[("file_id", &file)])
            .await
            .assert_ok();
        let mut web = common::web::Visitor::new(&s);
        web.login("ida", "not-it").await;
        web.login("ida", "secret123").await;

        let ida = entries(&s, &["--user-name", "ida"]);
        let names = events(&ida);
        assert_eq!(
            &names[..5],
            [
                "login.ok",
                "login.failed",
                "file.deleted",
                "folder.unshared",
                "folder.shared"
            ],
            "{ida:?}"
        );
        // Sharing an already shared folder is no event.
        assert_eq!(names.iter().filter(|n| *n == "folder.shared").count(), 1);
        assert_eq!(ida[0]["detail"], "web");
        assert_eq!(ida[1]["detail"], "web: wrong password");
        assert!(ida[2]["detail"].as_str().unwrap().contains("gone.txt"));
    }
);

dual!(entries_past_their_retention_are_swept, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_LIMITS__AUDIT_RETENTION_DAYS", "30")]).await;
    let day = 86_400;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    for (at, what) in [(now - 31 * day, "old"), (now - 29 * day, "recent")] {
        s.db_i64(&format!(
            "INSERT INTO audit_log (at, event, user_id, user_name, actor, address, detail) \
                 VALUES ({at}, 'login.ok', 0, '', 'user', '', '{what}') RETURNING id"
        ))
        .await;
    }
    let details: Vec<String> = entries(&s, &["--limit", "0"])
        .iter()
        .map(|e| e["detail"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(details.contains(&"recent".to_string()), "{details:?}");
    assert!(!details.contains(&"old".to_string()), "{details:?}");
    assert_eq!(
        s.db_i64("SELECT COUNT(*) FROM audit_log WHERE detail = 'old'")
            .await,
        0,
        "swept"
    );
});
