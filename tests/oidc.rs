//! Single sign-on against a real OpenID provider — panva's oidc-provider
//! under node (tests/clients/oidc_provider.mjs) — through its own login and
//! consent pages (docs/accounts.md, "Single sign-on"): the account made at
//! the first login and found again by `sub`, groups giving the admin role
//! and the tier, a wrong `state` or a missing flow cookie refused, an ID
//! token whose claims were changed after signing refused, the provider's
//! clock within and beyond the allowed skew, SSO-only mode turning local
//! passwords off.

mod common;

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::clients::{clients_dir, oidc_provider};
use common::*;

/// The provider, killed when dropped.
struct Op {
    child: Child,
}

impl Drop for Op {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

async fn start_op(port: u16, redirect: &str, clock_offset: i64) -> Op {
    start_op_in(port, redirect, clock_offset, "").await
}

/// The provider in `mode` (tests/clients/oidc_provider.mjs).
async fn start_op_in(port: u16, redirect: &str, clock_offset: i64, mode: &str) -> Op {
    let child = Command::new("node")
        .current_dir(clients_dir())
        .arg("oidc_provider.mjs")
        .arg(port.to_string())
        .arg(redirect)
        .arg(clock_offset.to_string())
        .arg(mode)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start node");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the provider did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Op { child }
}

/// The server with single sign-on at the provider on `port`.
async fn server(b: Backend, port: u16, extra: &[(&str, &str)]) -> Server {
    let issuer = format!("http://127.0.0.1:{port}");
    let mut env = vec![
        ("DROPSPACE_OIDC__ISSUER", issuer.as_str()),
        ("DROPSPACE_OIDC__CLIENT_ID", "dropspace"),
        ("DROPSPACE_OIDC__CLIENT_SECRET", "dropspace-client-secret"),
        ("DROPSPACE_OIDC__SCOPES", "[email,profile,groups]"),
        ("DROPSPACE_OIDC__ADMIN_GROUP", "dropspace-admins"),
        ("DROPSPACE_OIDC__PRO_GROUP", "dropspace-pro"),
    ];
    env.extend_from_slice(extra);
    Server::start_with(b, &env).await
}

/// A browser without a browser: cookies per host, redirects followed by hand.
#[derive(Default)]
struct Browser {
    jar: HashMap<String, HashMap<String, String>>,
}

impl Browser {
    fn host(url: &str) -> String {
        url::Url::parse(url)
            .map(|u| format!("{}:{}", u.host_str().unwrap_or(""), u.port().unwrap_or(80)))
            .unwrap_or_default()
    }

    fn cookie(&self, url: &str, name: &str) -> Option<String> {
        self.jar
            .get(&Self::host(url))
            .and_then(|c| c.get(name).cloned())
    }

    async fn send(&mut self, req: reqwest::RequestBuilder, url: &str) -> reqwest::Response {
        let header = self
            .jar
            .get(&Self::host(url))
            .map(|c| {
                c.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        let resp = req.header("cookie", header).send().await.expect("request");
        let jar = self.jar.entry(Self::host(url)).or_default();
        for c in resp.headers().get_all("set-cookie") {
            let pair = c.to_str().unwrap_or("").split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() {
                    jar.remove(k);
                } else {
                    jar.insert(k.to_string(), v.to_string());
                }
            }
        }
        resp
    }

    /// GETs `url` and follows redirects until a page: its URL and answer.
    async fn walk(
        &mut self,
        http: &reqwest::Client,
        mut url: String,
    ) -> (String, reqwest::Response) {
        for _ in 0..20 {
            let resp = self.send(http.get(&url), &url).await;
            if !resp.status().is_redirection() {
                return (url, resp);
            }
            let location = resp.headers()["location"].to_str().unwrap().to_string();
            url = url::Url::parse(&url)
                .unwrap()
                .join(&location)
                .unwrap()
                .to_string();
        }
        panic!("too many redirects");
    }

    /// Submits the page's form (hidden fields kept, `fields` added), then
    /// follows redirects.
    async fn submit(
        &mut self,
        http: &reqwest::Client,
        page_url: &str,
        html: &str,
        fields: &[(&str, &str)],
    ) -> (String, reqwest::Response) {
        let doc = scraper::Html::parse_document(html);
        let form = scraper::Selector::parse("form").unwrap();
        let input = scraper::Selector::parse("input[type=hidden]").unwrap();
        let form = doc
            .select(&form)
            .next()
            .unwrap_or_else(|| panic!("no form: {html}"));
        let action = form.value().attr("action").unwrap_or("");
        let target = url::Url::parse(page_url)
            .unwrap()
            .join(action)
            .unwrap()
            .to_string();
        let mut body: Vec<(String, String)> = form
            .select(&input)
            .filter_map(|i| {
                Some((
                    i.value().attr("name")?.to_string(),
                    i.value().attr("value").unwrap_or("").to_string(),
                ))
            })
            .collect();
        body.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let resp = self.send(http.post(&target).form(&body), &target).await;
        if !resp.status().is_redirection() {
            return (target, resp);
        }
        let location = resp.headers()["location"].to_str().unwrap().to_string();
        let next = url::Url::parse(&target)
            .unwrap()
            .join(&location)
            .unwrap()
            .to_string();
        self.walk(http, next).await
    }
}

/// A whole login at the provider as `user`: the final page's URL and answer.
async fn sso_login(s: &Server, b: &mut Browser, user: &str) -> (String, reqwest::Response) {
    let (url, page) = b.walk(&s.http, s.url("/oidc/login?next=/files")).await;
    assert_eq!(page.status(), 200, "{url}");
    let html = page.text().await.unwrap();
    assert!(
        html.contains("name=\"login\""),
        "the provider's login page: {html}"
    );
    let (url, page) = b
        .submit(
            &s.http,
            &url,
            &html,
            &[("login", user), ("password", "any")],
        )
        .await;
    if url.starts_with(&s.base) {
        return (url, page);
    }
    // The provider's consent page.
    let html = page.text().await.unwrap();
    b.submit(&s.http, &url, &html, &[]).await
}

dual!(
    single_sign_on_makes_and_finds_accounts_with_their_groups,
    |b| async move {
        if !oidc_provider() {
            return;
        }
        let port = free_port();
        let s = server(b, port, &[]).await;
        let _op = start_op(port, &s.url("/oidc/callback"), 0).await;
        let login_page = reqwest::get(s.url("/login"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(login_page.contains("id=\"sso-login\""), "{login_page}");

        let mut alice = Browser::default();
        let (url, page) = sso_login(&s, &mut alice, "alice").await;
        assert_eq!(page.status(), 200, "{url}");
        assert_eq!(url, s.url("/files"));
        assert!(alice.cookie(&s.base, "ds_web").is_some());
        let row = "SELECT CASE WHEN auth_source = 'oidc' AND external_id = 'alice' \
                   AND email = 'alice@sso.example' AND is_admin = 1 AND membership = 'lite' THEN 1 ELSE 0 END \
                   FROM users WHERE user_name = 'alice'";
        assert_eq!(s.db_i64(row).await, 1);
        let mut bob = Browser::default();
        sso_login(&s, &mut bob, "bob").await;
        let bob_row = "SELECT CASE WHEN membership = 'pro' AND is_admin = 0 THEN 1 ELSE 0 END \
                       FROM users WHERE user_name = 'bobbuilder'";
        assert_eq!(s.db_i64(bob_row).await, 1);
        // Again: the same account, found by `sub`.
        let mut again = Browser::default();
        sso_login(&s, &mut again, "alice").await;
        assert_eq!(
            s.db_i64("SELECT COUNT(*) FROM users WHERE external_id = 'alice'")
                .await,
            1
        );
        // Its admin role opens the console.
        let console = s
            .http
            .get(s.url("/admin"))
            .header(
                "cookie",
                format!("ds_web={}", again.cookie(&s.base, "ds_web").unwrap()),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(console.status(), 200);
        // The API never takes a password of such an account.
        s.try_login("alice", "any", "1.0").await.assert_error(8);
        let audit = s.admin_ok(&["audit", "--user-name", "alice", "--limit", "0"]);
        assert!(audit.contains("single sign-on"), "{audit}");
        assert!(audit.contains("from single sign-on (sub alice)"), "{audit}");
    }
);

dual!(a_wrong_state_or_no_flow_cookie_is_refused, |b| async move {
    if !oidc_provider() {
        return;
    }
    let port = free_port();
    let s = server(b, port, &[]).await;
    let _op = start_op(port, &s.url("/oidc/callback"), 0).await;
    let mut web = Browser::default();
    // The flow begins (its cookie is set); an answer with another
    // state comes back.
    let (_, page) = web.walk(&s.http, s.url("/oidc/login")).await;
    assert_eq!(page.status(), 200);
    assert!(web.cookie(&s.base, "ds_oidc").is_some());
    let forged = s.url("/oidc/callback?code=abc&state=not-the-one");
    let refused = web.send(s.http.get(&forged), &forged).await;
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("does not belong"));
    let bare = reqwest::get(s.url("/oidc/callback?code=abc&state=x"))
        .await
        .unwrap();
    assert_eq!(bare.status(), 403);
    assert!(bare.text().await.unwrap().contains("start again"));
    let error = reqwest::get(s.url("/oidc/callback?error=access_denied"))
        .await
        .unwrap();
    assert_eq!(error.status(), 403);
    assert_eq!(
        s.db_i64("SELECT COUNT(*) FROM users WHERE auth_source = 'oidc'")
            .await,
        0
    );
    let audit = s.admin_ok(&["audit", "--event", "login.failed"]);
    assert!(
        audit.contains("single sign-on: the answer does not belong"),
        "{audit}"
    );
});

dual!(
    the_provider_s_clock_may_differ_within_the_allowed_skew,
    |b| async move {
        if !oidc_provider() {
            return;
        }
        // oidc-provider's ID tokens live an hour: a provider 3,570 s behind
        // hands out tokens that expire in 30 s (fine), 3,700 s behind ones
        // that expired 100 s ago (beyond the 60 s allowed).
        for (offset, ok) in [(-3570, true), (-3700, false)] {
            let port = free_port();
            let s = server(b, port, &[]).await;
            let _op = start_op(port, &s.url("/oidc/callback"), offset).await;
            let mut web = Browser::default();
            let (url, page) = sso_login(&s, &mut web, "carol").await;
            if ok {
                assert_eq!(url, s.url("/files"), "offset {offset}");
            } else {
                assert_eq!(page.status(), 403, "offset {offset}: {url}");
                assert!(page
                    .text()
                    .await
                    .unwrap()
                    .contains("ID token was not accepted"));
            }
        }
    }
);

dual!(sso_only_turns_local_passwords_off, |b| async move {
    if !oidc_provider() {
        return;
    }
    let port = free_port();
    let s = server(b, port, &[("DROPSPACE_OIDC__SSO_ONLY", "true")]).await;
    let _op = start_op(port, &s.url("/oidc/callback"), 0).await;
    s.create_user("local", "localpass1");
    let mut web = common::web::Visitor::new(&s);
    let page = web.get("/login").await.text().await.unwrap();
    assert!(!page.contains("name=\"password\""), "{page}");
    // The form is gone; a POST made by hand is refused all the same.
    let csrf = web.csrf("/reset").await;
    let tried = web
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("user_name", "local"),
                ("password", "localpass1"),
            ],
        )
        .await;
    assert_eq!(tried.status(), 403);
    s.try_login("local", "localpass1", "1.0")
        .await
        .assert_error(8);
    let mut sso = Browser::default();
    let (url, _) = sso_login(&s, &mut sso, "carol").await;
    assert_eq!(url, s.url("/files"));
});

dual!(
    an_id_token_changed_after_signing_is_refused,
    |b| async move {
        if !oidc_provider() {
            return;
        }
        let port = free_port();
        let s = server(b, port, &[]).await;
        let _op = start_op_in(port, &s.url("/oidc/callback"), 0, "forge-claims").await;
        let mut web = Browser::default();
        // carol logs in; on its way back her token is made to say alice.
        let (url, page) = sso_login(&s, &mut web, "carol").await;
        assert_eq!(page.status(), 403, "{url}");
        assert!(page
            .text()
            .await
            .unwrap()
            .contains("ID token was not accepted"));
        assert!(web.cookie(&s.base, "ds_web").is_none());
        assert_eq!(
            s.db_i64("SELECT COUNT(*) FROM users WHERE auth_source = 'oidc'")
                .await,
            0
        );
        let audit = s.admin_ok(&["audit", "--event", "login.failed"]);
        assert!(audit.contains("Signature verification failed"), "{audit}");
    }
);
