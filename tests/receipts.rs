//! Who downloaded and verifiable delivery receipts (docs/receipts.md),
//! through real HTTP: the download log counts whole copies only, the owner
//! (and nobody else) sees it through `/rest/`, `/api/` and the client CLI,
//! and a file_send recipient's download yields a receipt that Python's
//! `cryptography`, `openssl pkeyutl` and `dropspace receipt verify` each
//! check on their own against the published key — and refuse once changed.

mod common;
use common::*;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use base64::Engine;
use dropspace_client::FileSendClient;
use serde_json::Value;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

async fn log_rows(s: &Server, file_id: &str) -> i64 {
    s.db_i64(&format!(
        "SELECT COUNT(*) FROM download_log WHERE file_id = '{file_id}'"
    ))
    .await
}

/// A GET of `url` with a Range header: status and body.
async fn ranged(s: &Server, url: &str, range: &str) -> (u16, Vec<u8>) {
    let (status, _, body) = fetch(s, url, &[("Range", range)]).await;
    (status, body)
}

/// `dropspace ARGS…` with a client configuration of its own in `dir`.
fn dropspace(s: &Server, dir: &Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("DROPSPACE_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("DROPSPACE_CLIENT_CONFIG", dir.join("client.json"))
        .env("DROPSPACE_SERVER", &s.base)
        .env("DROPSPACE_API_KEY", &s.api_key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn dropspace");
    if let Some(mut pipe) = child.stdin.take() {
        pipe.write_all(stdin.as_bytes()).expect("stdin");
    }
    child.wait_with_output().expect("dropspace output")
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

dual!(
    the_log_holds_whole_copies_for_the_owner_only,
    |b| async move {
        let s = Server::start(b).await;
        let alice = s.user_session("alice").await;
        let bob = s.user_session("bob").await;
        let bytes = pattern(1000, 3);
        let id = upload(&s, &alice, "log.bin", bytes.clone()).await;
        let url = direct_url(&s, &alice, &id, None).await;

        // A plain download: one row.
        let (status, _, body) = fetch(&s, &url, &[]).await;
        assert_eq!((status, &body), (200, &bytes));
        assert_eq!(log_rows(&s, &id).await, 1);

        // In two halves: the first makes none, the second the one row.
        let (status, first) = ranged(&s, &url, "bytes=0-499").await;
        assert_eq!((status, first.as_slice()), (206, &bytes[..500]));
        assert_eq!(log_rows(&s, &id).await, 1);
        let (status, second) = ranged(&s, &url, "bytes=500-").await;
        assert_eq!((status, second.as_slice()), (206, &bytes[500..]));
        assert_eq!(log_rows(&s, &id).await, 2);

        // A partial download alone makes none.
        let other = upload(&s, &alice, "partial.bin", pattern(1000, 4)).await;
        let other_url = direct_url(&s, &alice, &other, None).await;
        assert_eq!(ranged(&s, &other_url, "bytes=0-99").await.0, 206);
        assert_eq!(log_rows(&s, &other).await, 0);

        // The owner sees both, with size and address.
        let x = api(&s, &alice, "files.getDownloads", &[("file_id", &id)]).await;
        x.assert_ok();
        let rows = x.all("download");
        assert_eq!(rows.len(), 2, "{}", x.raw);
        for row in &rows {
            assert_eq!(attr_of(row, "bytes"), "1000");
            assert_eq!(attr_of(row, "ip"), "127.0.0.1");
            assert_eq!(attr_of(row, "recipient"), "");
            assert_ne!(attr_of(row, "account"), "0");
        }
        assert_eq!(x.attr("file", "downloads").as_deref(), Some("2"));
        // Another account: exactly as a file that does not exist (9).
        api(&s, &bob, "files.getDownloads", &[("file_id", &id)])
            .await
            .assert_error(9);
        // The guide's own answer is unchanged by the extension.
        let info = api(&s, &alice, "files.getInfo", &[("file_id", &id)]).await;
        assert_eq!(info.attr("file", "downloads").as_deref(), Some("2"));

        // The client CLI shows them too.
        let dir = tempfile::tempdir().expect("tempdir");
        let login = dropspace(
            &s,
            dir.path(),
            &["client", "login", "--user", "alice", "--password-stdin"],
            "secret123\n",
        );
        assert!(login.status.success(), "{}", text(&login));
        let out = dropspace(
            &s,
            dir.path(),
            &["client", "--json", "info", &id, "--downloads"],
            "",
        );
        assert!(out.status.success(), "{}", text(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let last: Value = serde_json::from_str(stdout.lines().last().expect("a line"))
            .unwrap_or_else(|e| panic!("{e}: {stdout}"));
        let listed = last["downloads"].as_array().expect("downloads");
        assert_eq!(listed.len(), 2, "{stdout}");
        assert_eq!(listed[0]["bytes"], 1000);
        assert_eq!(listed[0]["ip"], "127.0.0.1");
        let human = dropspace(&s, dir.path(), &["client", "info", &id, "--downloads"], "");
        assert!(
            String::from_utf8_lossy(&human.stdout).contains("2 downloads:"),
            "{}",
            text(&human)
        );

        // The edit page in My files lists them, to its owner.
        let mut v = common::web::Visitor::new(&s);
        v.login("alice", "secret123").await;
        let page = v.get(&format!("/files/file?id={id}")).await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.expect("page");
        let section = &html[html.find("id=\"download-log\"").expect("the section")..];
        assert_eq!(
            section.matches("<td>127.0.0.1</td>").count(),
            2,
            "{section}"
        );
    }
);

/// Python's `cryptography`: exit 0 when the receipt's signature holds.
fn python_verifies(receipt: &Path, key: &Path) -> bool {
    let script = "import base64, json, sys\n\
from cryptography.hazmat.primitives.serialization import load_pem_public_key\n\
r = json.load(open(sys.argv[1]))\n\
key = load_pem_public_key(open(sys.argv[2], 'rb').read())\n\
key.verify(base64.b64decode(r['signature']), base64.b64decode(r['receipt']))\n";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(receipt)
        .arg(key)
        .output()
        .expect("python3");
    out.status.success()
}

/// `openssl pkeyutl -verify -rawin` on the decoded bytes and signature.
fn openssl_verifies(dir: &Path, receipt: &Path, key: &Path) -> bool {
    let r: Value = serde_json::from_slice(&std::fs::read(receipt).expect("receipt")).expect("json");
    let payload = dir.join("payload.bin");
    let sig = dir.join("sig.bin");
    let field = |name: &str| B64.decode(r[name].as_str().expect(name)).expect("base64");
    std::fs::write(&payload, field("receipt")).expect("payload");
    std::fs::write(&sig, field("signature")).expect("sig");
    let out = Command::new("openssl")
        .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
        .arg(key)
        .arg("-rawin")
        .arg("-in")
        .arg(&payload)
        .arg("-sigfile")
        .arg(&sig)
        .output()
        .expect("openssl");
    out.status.success()
        && String::from_utf8_lossy(&out.stdout).contains("Signature Verified Successfully")
}

fn creds(s: &Server, user: &str) -> FileSendClient {
    let out = s.admin_ok(&["user", "api-credentials", "create", "--user-name", user]);
    let last = out.lines().last().expect("a line");
    let (key, secret) = last.split_once(' ').expect("key secret");
    FileSendClient::new(&s.base, key, secret).expect("client")
}

dual!(
    a_recipients_download_yields_a_receipt_anyone_can_verify,
    |b| async move {
        let s = Server::start(b).await;
        let alice = s.user_session("alice").await;
        s.create_user("bob", "secret123");
        let bytes = pattern(3000, 7);
        let id = upload(&s, &alice, "contract.pdf", bytes.clone()).await;
        let api_alice = creds(&s, "alice");
        let api_bob = creds(&s, "bob");
        let send = dropspace_client::FileSend {
            file_id: vec![id.clone()],
            non_users: vec!["ivy@example.com".into()],
            download_receipt: true,
            ..Default::default()
        };
        api_alice.file_send(&send).await.expect("file_send");
        let mail = s.wait_mail(|m| m.contains("To: ivy@example.com")).await;
        let link = link_in(&mail, &format!("{}/s/", s.base)).expect("a personal link");

        // No receipt before a whole delivery; one after.
        let none: Value = api_alice
            .get("delivery_receipts", &[])
            .await
            .expect("receipts");
        assert_eq!(none, serde_json::json!({"receipts": ""}), "{none}");
        let (status, _, got) = fetch(&s, &format!("{link}/f/{id}"), &[]).await;
        assert_eq!((status, &got), (200, &bytes));
        let listed: Value = api_alice
            .get("delivery_receipts", &[("file_id", id.clone())])
            .await
            .expect("receipts");
        let one = &listed["receipts"]["receipt"];
        assert_eq!(one["recipient"], "ivy@example.com", "{listed}");
        assert_eq!(one["size"], "3000");
        assert_eq!(one["bytes_delivered"], "3000");
        let receipt_id = one["id"].as_str().expect("id").to_string();
        let got: Value = api_alice
            .get("delivery_receipt", &[("receipt_id", receipt_id.clone())])
            .await
            .expect("receipt");
        let file = got["receipt_file"].clone();
        assert_eq!(file["algorithm"], "Ed25519");
        let facts: Value = serde_json::from_slice(
            &B64.decode(file["receipt"].as_str().expect("receipt"))
                .expect("base64"),
        )
        .expect("facts");
        assert_eq!(facts["recipient"], "ivy@example.com");
        assert_eq!(facts["file_id"], id.as_str());
        assert_eq!(facts["size"], 3000);
        assert_eq!(facts["bytes_delivered"], 3000);
        assert_eq!(facts["blake3"], blake3::hash(&bytes).to_hex().as_str());
        // The sender's mail names the receipt.
        let receipt_mail = s
            .wait_mail(|m| m.contains("Subject: ivy@example.com downloaded"))
            .await;
        assert!(receipt_mail.contains(&receipt_id), "{receipt_mail}");

        // The same download in the sender's log, by recipient.
        let log: Value = api_alice
            .get("download_log", &[("file_id", id.clone())])
            .await
            .expect("log");
        assert_eq!(
            log["downloads"]["download"]["recipient"], "ivy@example.com",
            "{log}"
        );
        assert_eq!(log["downloads"]["download"]["bytes"], "3000");

        // Another account gets neither (403, as any file not its own).
        let refused = api_bob
            .get::<Value>("delivery_receipt", &[("receipt_id", receipt_id.clone())])
            .await
            .expect_err("not bob's");
        assert!(refused.to_string().contains("error 403"), "{refused}");
        let refused = api_bob
            .get::<Value>("download_log", &[("file_id", id.clone())])
            .await
            .expect_err("not bob's");
        assert!(refused.to_string().contains("error 403"), "{refused}");

        // The published key, and three independent verifiers.
        let dir = tempfile::tempdir().expect("tempdir");
        let pem = s
            .http
            .get(s.url("/.well-known/dropspace-receipt-key"))
            .send()
            .await
            .expect("key")
            .text()
            .await
            .expect("pem");
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{pem}");
        let key = dir.path().join("key.pem");
        std::fs::write(&key, &pem).expect("key file");
        let receipt = dir.path().join("receipt.json");
        std::fs::write(&receipt, file.to_string()).expect("receipt file");
        assert!(python_verifies(&receipt, &key));
        assert!(openssl_verifies(dir.path(), &receipt, &key));
        let keyed = [
            "receipt",
            "verify",
            receipt.to_str().expect("path"),
            "--key",
        ];
        let mut args = keyed.to_vec();
        args.push(key.to_str().expect("path"));
        let ok = dropspace(&s, dir.path(), &args, "");
        assert!(ok.status.success(), "{}", text(&ok));
        assert!(
            String::from_utf8_lossy(&ok.stdout).contains("Size:      3000 bytes"),
            "{}",
            text(&ok)
        );
        let served = dropspace(
            &s,
            dir.path(),
            &[
                "receipt",
                "verify",
                receipt.to_str().expect("path"),
                "--server",
                &s.base,
            ],
            "",
        );
        assert!(served.status.success(), "{}", text(&served));

        // One byte of the size changed: every verifier refuses.
        let signed = String::from_utf8(
            B64.decode(file["receipt"].as_str().expect("receipt"))
                .expect("base64"),
        )
        .expect("utf8");
        assert!(signed.contains("\"size\":3000"), "{signed}");
        let mut tampered = file.clone();
        tampered["receipt"] =
            Value::String(B64.encode(signed.replace("\"size\":3000", "\"size\":3001")));
        let bad = dir.path().join("tampered.json");
        std::fs::write(&bad, tampered.to_string()).expect("tampered file");
        assert!(!python_verifies(&bad, &key));
        assert!(!openssl_verifies(dir.path(), &bad, &key));
        let mut args = vec!["receipt", "verify", bad.to_str().expect("path"), "--key"];
        args.push(key.to_str().expect("path"));
        let refused = dropspace(&s, dir.path(), &args, "");
        assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains("NOT VALID"),
            "{}",
            text(&refused)
        );

        // The sender's client CLI writes the receipt file, which verifies.
        let login = dropspace(
            &s,
            dir.path(),
            &["client", "login", "--user", "alice", "--password-stdin"],
            "secret123\n",
        );
        assert!(login.status.success(), "{}", text(&login));
        let out_dir = dir.path().join("receipts");
        let fetched = dropspace(
            &s,
            dir.path(),
            &[
                "client",
                "receipts",
                &id,
                "-o",
                out_dir.to_str().expect("path"),
            ],
            "",
        );
        assert!(fetched.status.success(), "{}", text(&fetched));
        let written = out_dir.join(format!("receipt-{receipt_id}.json"));
        assert!(python_verifies(&written, &key), "{}", text(&fetched));

        // A second whole download by the same link: no second receipt.
        let (status, _, _) = fetch(&s, &format!("{link}/f/{id}"), &[]).await;
        assert_eq!(status, 200);
        assert_eq!(s.db_i64("SELECT COUNT(*) FROM delivery_receipts").await, 1);
        assert_eq!(log_rows(&s, &id).await, 2);
    }
);

dual!(a_sends_zip_logs_and_receipts_each_file, |b| async move {
    let s = Server::start(b).await;
    let alice = s.user_session("alice").await;
    let a = upload(&s, &alice, "a.txt", b"first file".to_vec()).await;
    let b2 = upload(&s, &alice, "b.txt", b"second file".to_vec()).await;
    let send = dropspace_client::FileSend {
        file_id: vec![a.clone(), b2.clone()],
        non_users: vec!["ivy@example.com".into()],
        ..Default::default()
    };
    creds(&s, "alice")
        .file_send(&send)
        .await
        .expect("file_send");
    let mail = s.wait_mail(|m| m.contains("To: ivy@example.com")).await;
    let link = link_in(&mail, &format!("{}/s/", s.base)).expect("a personal link");
    let (status, _, zip) = fetch(&s, &format!("{link}/zip"), &[]).await;
    assert_eq!(status, 200);
    assert!(zip.starts_with(b"PK\x03\x04"));
    // Each file's bytes inside the zip complete its copy: credited in the
    // background once the body has gone out.
    for id in [&a, &b2] {
        let sql = format!(
            "SELECT COUNT(*) FROM download_log WHERE file_id = '{id}' \
             AND recipient = 'ivy@example.com'"
        );
        eventually("the log row", async || s.db_i64(&sql).await == 1).await;
    }
    let sql = "SELECT COUNT(*) FROM delivery_receipts";
    eventually("two receipts", async || s.db_i64(sql).await == 2).await;
});
