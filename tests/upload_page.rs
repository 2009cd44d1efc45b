//! The upload page's own requests over HTTP (the browser tests drive the
//! page itself): a page left open keeps working across a login made in
//! another tab.

mod common;
use common::web::Visitor;
use common::*;

dual!(
    an_open_upload_page_survives_a_login_in_another_tab,
    |b| async move {
        let s = Server::start(b).await;
        s.create_user("alice", "secret123");
        let mut v = Visitor::new(&s);
        // The page, opened before logging in, holds the visitor's token.
        let before = v.csrf("/upload").await;
        v.login("alice", "secret123").await;
        let after = v.csrf("/upload").await;
        assert_ne!(before, after);
        // Both the old page's token and a fresh page's work; the upload goes
        // to the account now logged in.
        for token in [&before, &after] {
            let resp = v.post("/upload/new", &[("csrf", token)]).await;
            assert_eq!(resp.status(), 200);
            let offer: serde_json::Value =
                serde_json::from_str(&resp.text().await.expect("body")).expect("json");
            assert_eq!(offer["anonymous"], false, "{offer}");
        }
        // Another visitor's token still does not.
        let mut other = Visitor::new(&s);
        let theirs = other.csrf("/upload").await;
        let resp = v.post("/upload/new", &[("csrf", &theirs)]).await;
        assert_eq!(resp.status(), 403);
        // After logging out, the logged-in page's token is refused: the page
        // must be reloaded rather than upload anonymously unawares.
        let logout_csrf = v.csrf("/files").await;
        v.post("/logout", &[("csrf", &logout_csrf)]).await;
        let resp = v.post("/upload/new", &[("csrf", &after)]).await;
        assert_eq!(resp.status(), 403);
    }
);
