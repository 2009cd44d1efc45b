//! A browser's HTTP side without a browser: a visitor that keeps its
//! cookies (no redirects followed), finds the CSRF token of a page's forms
//! and logs in through `/login`.

use std::collections::HashMap;

use super::Server;

/// A cookie-keeping visitor over plain HTTP.
pub struct Visitor<'a> {
    pub s: &'a Server,
    pub cookies: HashMap<String, String>,
}

/// The `Set-Cookie` headers of an answer.
pub fn set_cookies(resp: &reqwest::Response) -> Vec<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect()
}

/// The CSRF token of a page: a form's hidden `csrf` field, or the upload
/// form's `data-csrf`.
pub fn csrf_in(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let input = scraper::Selector::parse("input[name=csrf]").expect("selector");
    let form = scraper::Selector::parse("#upload-form").expect("selector");
    doc.select(&input)
        .next()
        .and_then(|e| e.value().attr("value"))
        .or_else(|| {
            doc.select(&form)
                .next()
                .and_then(|e| e.value().attr("data-csrf"))
        })
        .unwrap_or_else(|| panic!("no csrf token in {html}"))
        .to_string()
}

impl<'a> Visitor<'a> {
    pub fn new(s: &'a Server) -> Visitor<'a> {
        Visitor {
            s,
            cookies: HashMap::new(),
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn keep(&mut self, resp: &reqwest::Response) {
        for c in set_cookies(resp) {
            let pair = c.split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> reqwest::Response {
        let resp = self
            .s
            .http
            .get(self.s.url(path))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("GET");
        self.keep(&resp);
        resp
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let resp = self
            .s
            .http
            .post(self.s.url(path))
            .header("cookie", self.cookie_header())
            .form(form)
            .send()
            .await
            .expect("POST");
        self.keep(&resp);
        resp
    }

    /// The CSRF token of a page's forms.
    pub async fn csrf(&mut self, path: &str) -> String {
        let html = self.get(path).await.text().await.expect("page");
        csrf_in(&html)
    }

    pub async fn login(&mut self, user: &str, password: &str) -> reqwest::Response {
        self.login_then(user, password, "").await
    }

    /// A login asking to go to `next` afterwards (empty: the default).
    pub async fn login_then(
        &mut self,
        user: &str,
        password: &str,
        next: &str,
    ) -> reqwest::Response {
        let csrf = self.csrf("/login").await;
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("user_name", user),
            ("password", password),
        ];
        if !next.is_empty() {
            form.push(("next", next));
        }
        self.post("/login", &form).await
    }
}

/// An anonymous upload through the form: (file id, delete secret).
pub async fn anon_file(s: &Server, name: &str, bytes: &[u8]) -> (String, String) {
    let info = super::transfer::anon_info(s).await;
    let form = info.form(&[], name, bytes.to_vec());
    let text = super::transfer::post_form(s, &info.url, form)
        .await
        .text()
        .await
        .expect("xml");
    let doc = roxmltree::Document::parse(&text).expect("upload_done");
    let child = |n: &str| {
        doc.root_element()
            .children()
            .find(|c| c.tag_name().name() == n)
            .and_then(|c| c.text())
            .unwrap_or_else(|| panic!("no {n}: {text}"))
            .to_string()
    };
    let delete_url = child("delete_url");
    let secret = delete_url.rsplit('/').next().expect("secret").to_string();
    (child("file_id"), secret)
}

/// `POST /upload/bundle` from a fresh visitor's upload page (`files`:
/// `id/secret` pairs, comma-separated).
pub async fn post_bundle(s: &Server, files: &str) -> reqwest::Response {
    let mut v = Visitor::new(s);
    let csrf = v.csrf("/upload").await;
    v.post("/upload/bundle", &[("csrf", &csrf), ("files", files)])
        .await
}
