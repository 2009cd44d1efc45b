//! The browser tests' harness: Debian's headless chromium driven through
//! chromedriver (started on a free port) with fantoccini, and the steps of
//! the upload and download pages the tests share. Screenshots go to
//! `target/screenshots/`. Without chromium/chromedriver the tests skip with
//! a message, except under `CI=true`, where they fail.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

use super::proxy::free_port;
use super::Server;

/// chromedriver running on a free port; killed on drop.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path).chain([PathBuf::from("/usr/lib/chromium")]) {
        for name in names {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// A headless chromium session, or None (skip) when chromium or
/// chromedriver is not installed; under CI=true that is a failure.
pub async fn browser() -> Option<(Driver, Client)> {
    // The real binary rather than Debian's /usr/bin/chromium shell wrapper.
    let chromium = Path::new("/usr/lib/chromium/chromium")
        .is_file()
        .then(|| PathBuf::from("/usr/lib/chromium/chromium"))
        .or_else(|| which(&["chromium", "chromium-browser", "google-chrome"]));
    let driver = which(&["chromedriver"]);
    let (Some(chromium), Some(driver)) = (chromium, driver) else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("chromium and chromedriver are required in CI (.ci/run installs them)");
        }
        eprintln!("SKIPPED: install chromium and chromium-driver to run the browser tests");
        return None;
    };
    let port = free_port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver { child, port };
    let caps: serde_json::Map<String, serde_json::Value> =
        serde_json::from_value(serde_json::json!({
            "goog:chromeOptions": {
                "binary": chromium.display().to_string(),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1100,900",
                         // For the memory checks: gc() and exact heap sizes.
                         "--js-flags=--expose-gc", "--enable-precise-memory-info"],
            }
        }))
        .expect("capabilities");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let connected = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await;
        match connected {
            Ok(c) => return Some((driver, c)),
            // chromedriver is still starting: poll until it answers.
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("cannot start a chromium session: {e}"),
        }
    }
}

pub async fn screenshot(c: &Client, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(name), png).expect("write screenshot");
}

/// Types `text` into the element `css` finds.
pub async fn fill(c: &Client, css: &str, text: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("typing into {css}: {e}"));
}

/// Clicks the element `css` finds.
pub async fn press(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
}

pub async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .text()
        .await
        .expect("text")
}

pub async fn href_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .attr("href")
        .await
        .expect("href")
        .unwrap_or_else(|| panic!("{css} has no href"))
}

/// Picks `path` in the upload page's file input, starts the upload and
/// waits for result `n` to finish; returns its download link.
pub async fn upload_in_page(c: &Client, path: &Path, n: usize) -> String {
    start_upload(c, &[path]).await;
    finished_upload(c, n).await
}

/// Picks the files (a multiple file input takes paths one per line) and
/// presses Upload.
pub async fn start_upload(c: &Client, paths: &[&Path]) {
    let keys: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    fill(c, "#files", &keys.join("\n")).await;
    press(c, "#start").await;
}

/// Waits for result `n` of the page to finish; checks it reached 100 %
/// and returns its download link.
pub async fn finished_upload(c: &Client, n: usize) -> String {
    finished_upload_within(c, n, 30).await
}

pub async fn finished_upload_within(c: &Client, n: usize, secs: u64) -> String {
    let box_css = format!("#result-{n}");
    c.wait()
        .at_most(Duration::from_secs(secs))
        .for_element(Locator::Css(&format!("{box_css}.done, {box_css}.failed")))
        .await
        .expect("upload finished");
    let msg = text_of(c, &format!("{box_css} .msg")).await;
    assert_eq!(msg, "Done.", "upload failed in the page");
    assert_eq!(text_of(c, &format!("{box_css} .pct")).await, "100 %");
    let bar = c
        .execute(
            "return document.querySelector(arguments[0]).value;",
            vec![serde_json::json!(format!("{box_css} progress"))],
        )
        .await
        .expect("progress value");
    assert_eq!(bar.as_f64(), Some(100.0), "the bar is full");
    href_of(c, &format!("{box_css} a.download")).await
}

/// Opens a download page in the browser and fetches its button's bytes.
pub async fn download_via_page(s: &Server, c: &Client, page_url: &str) -> Vec<u8> {
    c.goto(page_url).await.expect("download page");
    let direct = href_of(c, "a#download").await;
    let resp = s.http.get(&direct).send().await.expect("download");
    assert_eq!(resp.status(), 200);
    resp.bytes().await.expect("bytes").to_vec()
}

pub fn temp_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("temp file");
    p
}

/// Evaluates `js` (an expression) until it is true, for up to 10 s.
pub async fn until(c: &Client, js: &str, what: &str) {
    let script = format!(
        "const done = arguments[arguments.length - 1]; const t0 = Date.now();\
         (function look() {{ if ({js}) return done(true);\
           if (Date.now() - t0 > 10000) return done(false); setTimeout(look, 50); }})();"
    );
    let got = c.execute_async(&script, vec![]).await.expect(what);
    assert_eq!(got, serde_json::Value::Bool(true), "{what}");
}

/// Waits for the element `css` (a page loaded after a submit).
pub async fn appears(c: &Client, css: &str) {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never appeared: {e}"));
}

/// A DevTools command through chromedriver (`goog/cdp/execute`).
#[derive(Debug)]
pub struct Cdp(&'static str, serde_json::Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.0, "params": self.1 });
        (http::Method::POST, Some(body.to_string()))
    }
}

pub async fn cdp(c: &Client, cmd: &'static str, params: serde_json::Value) {
    c.issue_cmd(Cdp(cmd, params))
        .await
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
}
