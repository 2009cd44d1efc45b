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
