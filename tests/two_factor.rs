//! Two-factor login (docs/accounts.md): TOTP set up on the account page
//! from its QR code's key, asked for after the password at the web login,
//! each code once, recovery codes once each; the account password refused
//! on the API (app passwords only); the operator's policy making admins
//! enrol at login; the operator turning it off.

mod common;

use common::web::{csrf_in, set_cookies, Visitor};
use common::*;
use totp_rs::{Secret, Totp};

fn unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The authenticator app: the key shown beside the QR code.
fn app_for(html: &str) -> Totp {
    let start = html
        .find("id=\"totp-secret\">")
        .unwrap_or_else(|| panic!("no key on the page: {html}"))
        + "id=\"totp-secret\">".len();
    let end = html[start..].find('<').unwrap() + start;
    let secret = Secret::try_from_base32(&html[start..end]).expect("base32 key");
    // The QR code holds the same key as an otpauth:// URL.
    assert!(html.contains("<svg"), "no QR code");
    totp_rs::Builder::new()
        .with_secret(secret)
        .build()
        .expect("an RFC 6238 key")
}

fn code(app: &Totp, at: u64) -> String {
    app.generate(at).to_string()
}

/// The recovery codes shown once.
fn codes_in(html: &str) -> Vec<String> {
    let block = &html[html.find("id=\"recovery-codes\"").expect("codes")..];
    block
        .split("<code>")
        .skip(1)
        .map(|c| c[..c.find('<').unwrap()].to_string())
        .take(10)
        .collect()
}

/// The password step: a challenge, no login yet.
async fn password_step<'a>(s: &'a Server, user: &str, password: &str) -> Visitor<'a> {
    let mut web = Visitor::new(s);
    let resp = web.login(user, password).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/login/2fa");
    assert!(
        !web.cookies.contains_key("ds_web"),
        "no login before the code"
    );
    web
}

async fn second_step(web: &mut Visitor<'_>, code: &str) -> reqwest::Response {
    let csrf = web.csrf("/login/2fa").await;
    web.post("/login/2fa", &[("csrf", &csrf), ("code", code)])
        .await
}

dual!(
    codes_from_the_app_and_recovery_codes_each_work_once,
    |b| async move {
        let s = Server::start(b).await;
        s.create_user("tess", "secret123");
        let mut web = Visitor::new(&s);
        web.login("tess", "secret123").await;
        let csrf = web.csrf("/account").await;
        let setup = web.post("/account/2fa/setup", &[("csrf", &csrf)]).await;
        assert_eq!(setup.status(), 200);
        let app = app_for(&setup.text().await.unwrap());
        let wrong = web
            .post(
                "/account/2fa/enable",
                &[("csrf", &csrf), ("code", "000000")],
            )
            .await;
        assert_eq!(wrong.status(), 400);
        let now = unix();
        let on = web
            .post(
                "/account/2fa/enable",
                &[("csrf", &csrf), ("code", &code(&app, now))],
            )
            .await;
        assert_eq!(on.status(), 200);
        let codes = codes_in(&on.text().await.unwrap());
        assert_eq!(codes.len(), 10);
        let shown = s.admin_ok(&["user", "show", "--user-name", "tess"]);
        assert!(shown.contains("two-factor login: on since"), "{shown}");

        // The password alone opens nothing.
        let mut next = password_step(&s, "tess", "secret123").await;
        assert_eq!(next.get("/files").await.status(), 303);
        let refused = second_step(&mut next, "123456").await;
        assert_eq!(refused.status(), 403);
        // The enrolment's code was used: the next step's code works, once.
        let used = second_step(&mut next, &code(&app, now)).await;
        assert_eq!(used.status(), 403, "a used code");
        let ok = second_step(&mut next, &code(&app, now + 30)).await;
        assert_eq!(ok.status(), 303);
        assert_eq!(ok.headers()["location"], "/files");
        assert_eq!(next.get("/files").await.status(), 200);
        let mut again = password_step(&s, "tess", "secret123").await;
        assert_eq!(
            second_step(&mut again, &code(&app, now + 30))
                .await
                .status(),
            403
        );
        // A recovery code, once.
        let ok = second_step(&mut again, &codes[0].to_uppercase()).await;
        assert_eq!(ok.status(), 303);
        let mut third = password_step(&s, "tess", "secret123").await;
        assert_eq!(second_step(&mut third, &codes[0]).await.status(), 403);
        let html = again.get("/account").await.text().await.unwrap();
        assert!(html.contains("Recovery codes left: 9"), "{html}");

        // The API takes app passwords only.
        s.try_login("tess", "secret123", "1.0")
            .await
            .assert_error(8);
        let csrf = csrf_in(&html);
        let made = again
            .post(
                "/account/app-passwords",
                &[("csrf", &csrf), ("name", "desktop")],
            )
            .await
            .text()
            .await
            .unwrap();
        let start = made.find("id=\"app-password\">").unwrap() + "id=\"app-password\">".len();
        let app_password = &made[start..start + 19];
        s.login("tess", app_password).await;

        let audit = s.admin_ok(&["audit", "--user-name", "tess", "--limit", "0"]);
        for line in [
            "two_factor.enabled",
            "two_factor.recovery_code_used",
            "web, second factor: wrong second factor",
            "app passwords only",
            "web: password right, second factor next",
        ] {
            assert!(audit.contains(line), "{line} missing: {audit}");
        }

        // The operator turns it off; the password is enough again.
        s.admin_ok(&["user", "disable-two-factor", "--user-name", "tess"]);
        let mut plain = Visitor::new(&s);
        let resp = plain.login("tess", "secret123").await;
        assert_eq!(resp.headers()["location"], "/files");
        assert!(set_cookies(&resp).iter().any(|c| c.starts_with("ds_web=")));
    }
);

dual!(the_policy_makes_admins_enrol_at_login, |b| async move {
    let s = Server::start_with(b, &[("DROPSPACE_AUTH__REQUIRE_TWO_FACTOR", "admins")]).await;
    s.create_user("root", "secret123");
    s.create_user("plain", "secret123");
    s.admin_ok(&["user", "set-admin", "--user-name", "root", "on"]);
    // Before it enrols, its password works neither on the API nor alone.
    s.try_login("root", "secret123", "1.0")
        .await
        .assert_error(8);
    s.login("plain", "secret123").await;
    let mut direct = Visitor::new(&s);
    assert_eq!(
        direct.login("plain", "secret123").await.headers()["location"],
        "/files"
    );

    let mut web = password_step(&s, "root", "secret123").await;
    let page = web.get("/login/2fa").await.text().await.unwrap();
    assert!(page.contains("id=\"two-factor-setup\""), "{page}");
    let app = app_for(&page);
    let done = second_step(&mut web, &code(&app, unix())).await;
    assert_eq!(done.status(), 200);
    let html = done.text().await.unwrap();
    assert_eq!(codes_in(&html).len(), 10);
    assert!(web.cookies.contains_key("ds_web"), "logged in");
    assert_eq!(web.get("/files").await.status(), 200);
    // Required: it cannot be turned off by its owner.
    let csrf = web.csrf("/account").await;
    let off = web
        .post(
            "/account/2fa/disable",
            &[
                ("csrf", &csrf),
                ("current", "secret123"),
                ("code", &code(&app, unix() + 30)),
            ],
        )
        .await;
    assert_eq!(off.status(), 403);
    let shown = s.admin_ok(&["user", "show", "--user-name", "root"]);
    assert!(shown.contains("admin: yes"), "{shown}");
});

dual!(
    a_challenge_is_only_good_for_its_account_and_time,
    |b| async move {
        let s = Server::start(b).await;
        s.create_user("uma", "secret123");
        let mut web = Visitor::new(&s);
        // Without a challenge the step sends back to the login.
        assert_eq!(web.get("/login/2fa").await.headers()["location"], "/login");
        web.cookies
            .insert("ds_2fa".into(), "1.99999999999.Lw.forged".into());
        assert_eq!(web.get("/login/2fa").await.headers()["location"], "/login");
    }
);
