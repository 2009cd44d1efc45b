//! Helpers for the transfer tests: the upload form as a client sends it,
//! the answers it gets back, and what is left on the server.

use std::path::PathBuf;

use super::{api, db, Server, Xml};

/// The `<upload/>` element of upload.getInfo / anonymous.uploadGetInfo.
#[derive(Debug, Clone)]
pub struct UploadInfo {
    pub url: String,
    pub progress_url: String,
    pub max_file_size: String,
    pub ident: String,
    pub extra: String,
    pub attr_order: Vec<String>,
}

impl UploadInfo {
    pub fn from_xml(x: &Xml) -> UploadInfo {
        x.assert_ok();
        let all = x.all("upload");
        let attrs = all
            .first()
            .unwrap_or_else(|| panic!("no upload: {}", x.raw));
        let get = |k: &str| super::attr_of(attrs, k).to_string();
        UploadInfo {
            url: get("url"),
            progress_url: get("progress_url"),
            max_file_size: get("max_file_size"),
            ident: get("upload_identifier"),
            extra: get("extra_info"),
            attr_order: attrs.iter().map(|(k, _)| k.clone()).collect(),
        }
    }

    /// The guide's form: the three hidden fields, `extra` fields, then the
    /// file as `userfile`.
    pub fn form(
        &self,
        extra: &[(&str, &str)],
        name: &str,
        bytes: Vec<u8>,
    ) -> reqwest::multipart::Form {
        let mut form = reqwest::multipart::Form::new()
            .text("MAX_FILE_SIZE", self.max_file_size.clone())
            .text("UPLOAD_IDENTIFIER", self.ident.clone())
            .text("extra_info", self.extra.clone());
        for (k, v) in extra {
            form = form.text(k.to_string(), v.to_string());
        }
        form.part(
            "userfile",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        )
    }
}

pub async fn upload_info(s: &Server, session: &str, speed_limit: &str) -> UploadInfo {
    let x = api(
        s,
        session,
        "upload.getInfo",
        &[("speed_limit", speed_limit)],
    )
    .await;
    UploadInfo::from_xml(&x)
}

pub async fn anon_info(s: &Server) -> UploadInfo {
    let x = s
        .call(&[
            ("method", "anonymous.uploadGetInfo"),
            ("api_key", &s.api_key),
            ("api_version", "1.0"),
        ])
        .await;
    UploadInfo::from_xml(&x)
}

/// POSTs a form to an upload URL; the raw answer.
pub async fn post_form(s: &Server, url: &str, form: reqwest::multipart::Form) -> reqwest::Response {
    s.http
        .post(url)
        .multipart(form)
        .send()
        .await
        .expect("upload request")
}

/// The `key=value` lines of a session upload's answer, in order.
pub fn kv(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn kv_get(pairs: &[(String, String)], key: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("no {key} in {pairs:?}"))
}

/// Uploads `bytes` as `name` with a session (and more form fields); the
/// parsed answer.
pub async fn upload_with(
    s: &Server,
    session: &str,
    fields: &[(&str, &str)],
    name: &str,
    bytes: Vec<u8>,
) -> Vec<(String, String)> {
    let info = upload_info(s, session, "0").await;
    let resp = post_form(s, &info.url, info.form(fields, name, bytes)).await;
    kv(&resp.text().await.expect("answer"))
}

/// Uploads and asserts success; the new file id.
pub async fn upload(s: &Server, session: &str, name: &str, bytes: Vec<u8>) -> String {
    let answer = upload_with(s, session, &[], name, bytes).await;
    assert_eq!(kv_get(&answer, "upload_status"), "ok", "{answer:?}");
    kv_get(&answer, "file_id")
}

/// download.getInfo's direct URL for a file.
pub async fn direct_url(
    s: &Server,
    session: &str,
    file_id: &str,
    password: Option<&str>,
) -> String {
    let mut p = vec![("file_id", file_id)];
    if let Some(pw) = password {
        p.push(("password", pw));
    }
    let x = api(s, session, "download.getInfo", &p).await;
    x.assert_ok();
    x.attr("download", "url")
        .unwrap_or_else(|| panic!("no url: {}", x.raw))
}

/// The bytes a file serves to its owner.
pub async fn served(s: &Server, session: &str, file_id: &str) -> Vec<u8> {
    let dl = direct_url(s, session, file_id, None).await;
    fetch(s, &dl, &[]).await.2
}

/// A GET with extra headers: status, headers, body.
pub async fn fetch(
    s: &Server,
    url: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut req = s.http.get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let h = resp.headers().clone();
    let body = resp.bytes().await.expect("body").to_vec();
    (status, h, body)
}

pub fn header(h: &reqwest::header::HeaderMap, name: &str) -> String {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Deterministic test bytes.
pub fn pattern(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u32).wrapping_mul(2654435761).to_le_bytes()[i % 4] ^ seed)
        .collect()
}

/// `HEAD` of a resumable upload: where it stands.
/// `Upload-Metadata` of these pairs.
pub fn tus_metadata(pairs: &[(&str, &str)]) -> String {
    use base64::Engine;
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k} {}",
                base64::engine::general_purpose::STANDARD.encode(v.as_bytes())
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

pub async fn tus_head(s: &Server, url: &str) -> reqwest::Response {
    s.http
        .head(url)
        .header("tus-resumable", "1.0.0")
        .send()
        .await
        .expect("head")
}

/// The acknowledged offset of the unfinished resumable upload (the
/// largest, when there are several).
pub async fn tus_offset(s: &Server) -> i64 {
    count(
        s,
        "SELECT COALESCE(MAX(upload_offset), 0) FROM tus_uploads WHERE file_id = ''",
    )
    .await
}

/// How many rows a query counts.
pub async fn count(s: &Server, sql: &str) -> i64 {
    let pool = db(s).await;
    let n: i64 = sqlx::query_scalar(sql)
        .fetch_one(&pool)
        .await
        .expect("count");
    pool.close().await;
    n
}

/// Every stored blob file (fs backend) and every half-written one.
pub fn blob_files(s: &Server) -> Vec<PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push(p);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&s.data_dir.join("blobs"), &mut out);
    walk(&s.data_dir.join("blobs-tmp"), &mut out);
    out
}

/// The `<progress>` document's values.
pub async fn progress(s: &Server, url: &str) -> Vec<(String, String)> {
    let resp = s.http.get(url).send().await.expect("progress");
    assert_eq!(
        header_of(&resp, "access-control-allow-origin"),
        "*",
        "progress_url needs CORS"
    );
    let text = resp.text().await.expect("body");
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "progress");
    root.children()
        .filter(|n| n.is_element())
        .map(|n| {
            (
                n.tag_name().name().to_string(),
                n.text().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn header_of(resp: &reqwest::Response, name: &str) -> String {
    header(resp.headers(), name)
}

/// The keys in the server's blob store, whichever backend it uses, plus
/// (fs) any half-written temporary file.
pub async fn stored_blobs(s: &Server) -> Vec<String> {
    let mut cfg = dropspace::config::Config {
        data_dir: s.data_dir.clone(),
        ..Default::default()
    };
    // The last setting wins, as in the server's environment.
    let env = |k: &str| {
        s.env
            .iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    if env("DROPSPACE_STORAGE__BACKEND").as_deref() == Some("s3") {
        cfg.storage.backend = "s3".into();
        cfg.storage.s3.endpoint = env("DROPSPACE_STORAGE__S3__ENDPOINT");
        cfg.storage.s3.bucket = env("DROPSPACE_STORAGE__S3__BUCKET").unwrap_or_default();
        cfg.storage.s3.access_key_id = Some("test".into());
        cfg.storage.s3.secret_access_key = Some("test".into());
    }
    let blobs = dropspace::blobs::Blobs::new(&cfg).expect("blob store");
    let mut keys = blobs.list().await.expect("list blobs");
    keys.extend(
        blob_files(s)
            .into_iter()
            .filter(|p| p.starts_with(s.data_dir.join("blobs-tmp")))
            .map(|p| p.display().to_string()),
    );
    keys
}

/// A multipart body built by hand, as curl sends it: with a
/// Content-Length (reqwest's own forms go chunked). (content type, body)
pub fn raw_form(fields: &[(&str, &str)], file_name: &str, data: &[u8]) -> (String, Vec<u8>) {
    let boundary = "------------------------dropspaceTestBoundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"userfile\"; filename=\"{file_name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl UploadInfo {
    /// `raw_form` with the three hidden fields.
    pub fn raw(&self, file_name: &str, data: &[u8]) -> (String, Vec<u8>) {
        raw_form(
            &[
                ("MAX_FILE_SIZE", &self.max_file_size),
                ("UPLOAD_IDENTIFIER", &self.ident),
                ("extra_info", &self.extra),
            ],
            file_name,
            data,
        )
    }
}

pub async fn post_raw(
    http: &reqwest::Client,
    url: &str,
    form: (String, Vec<u8>),
) -> Vec<(String, String)> {
    let resp = http
        .post(url)
        .header("content-type", form.0)
        .body(form.1)
        .send()
        .await
        .expect("upload request");
    kv(&resp.text().await.expect("answer"))
}

/// POSTs a form and parses the `key=value` answer.
pub async fn send_form(
    s: &Server,
    url: &str,
    form: reqwest::multipart::Form,
) -> Vec<(String, String)> {
    kv(&post_form(s, url, form).await.text().await.expect("answer"))
}

/// The href of the download page's button.
pub fn download_button(html: &str) -> String {
    scraper::Html::parse_document(html)
        .select(&scraper::Selector::parse("a#download").expect("selector"))
        .next()
        .and_then(|a| a.value().attr("href").map(str::to_string))
        .unwrap_or_else(|| panic!("no download button in {html}"))
}

/// A GET over a raw connection with a small receive buffer (so little
/// sits in socket buffers: the server's count of bytes handed out stays
/// close to what this client read) that stops after reading `want` body
/// bytes: the status, the body read so far and the connection, still open
/// (drop it to cut the download; keep it to play a peer gone silent).
pub async fn partial_get(
    url: &str,
    headers: &[(&str, &str)],
    want: usize,
) -> (u16, Vec<u8>, tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = rest.split_at(rest.find('/').expect("a path"));
    let addr: std::net::SocketAddr = tokio::net::lookup_host(host)
        .await
        .expect("resolve")
        .next()
        .expect("an address");
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(16 * 1024).expect("rcvbuf");
    let mut conn = socket.connect(addr).await.expect("connect");
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    conn.write_all(req.as_bytes()).await.expect("send");
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = conn.read(&mut chunk).await.expect("read head");
        assert!(n > 0, "closed before the head");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status");
    let mut body = buf[head_end..].to_vec();
    while body.len() < want {
        let n = conn
            .read(&mut chunk[..(want - body.len()).min(8192)])
            .await
            .expect("read body");
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    (status, body, conn)
}

/// Polls (bounded, 20 s) until `check` holds.
pub async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The download page's password form, sent.
pub async fn unlock(s: &Server, page: &str, password: &str) -> reqwest::Response {
    s.http
        .post(page)
        .form(&[("password", password)])
        .send()
        .await
        .expect("post the password")
}
