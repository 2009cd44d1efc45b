//! A clamd of a test's own (Debian's `clamav-daemon`) for the virus
//! scanning tests (tests/scan.rs, the upload page's in tests/browser.rs):
//! its configuration, sockets and a signature database of its own in a
//! temporary directory — the EICAR test file by its MD5 (`.hdb`) and a
//! marker string anywhere in a file (`.ndb`); nothing is downloaded.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::md5_hex;

/// The EICAR anti-virus test file.
pub const EICAR: &[u8] = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
/// Matched anywhere in a file by the test database's body signature.
pub const MARKER: &str = "DROPSPACE-SCAN-TEST-MARKER-41c7e2";
/// clamd's names of the two signatures (clamd marks signatures of
/// databases it does not know as unofficial).
pub const EICAR_NAME: &str = "Dropspace.Test.EICAR.UNOFFICIAL";
pub const MARKER_NAME: &str = "Dropspace.Test.Marker.UNOFFICIAL";

/// The clamd binary, if installed; in CI its absence fails the test.
pub fn clamd_binary() -> Option<PathBuf> {
    let found = ["/usr/sbin/clamd", "/usr/bin/clamd", "/usr/local/sbin/clamd"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "clamd is missing: .ci/run installs clamav-daemon"
        );
        eprintln!("skipping: clamd is not installed (apt-get install clamav-daemon)");
    }
    found
}

/// A clamd of the test's own: its configuration, signatures and sockets
/// in a temporary directory; killed when dropped.
pub struct Clamd {
    child: Option<Child>,
    dir: tempfile::TempDir,
    socket: PathBuf,
    port: u16,
}

impl Clamd {
    /// Starts clamd and waits until both its sockets take connections;
    /// None when it is not installed (outside CI).
    pub async fn start() -> Option<Clamd> {
        Clamd::start_with("").await
    }

    /// `start` with more lines for `clamd.conf` (e.g. its limits).
    pub async fn start_with(conf_lines: &str) -> Option<Clamd> {
        let bin = clamd_binary()?;
        let dir = tempfile::tempdir().expect("clamd dir");
        let db = dir.path().join("db");
        std::fs::create_dir_all(&db).expect("db dir");
        std::fs::write(
            db.join("test.hdb"),
            format!(
                "{}:{}:Dropspace.Test.EICAR\n",
                md5_hex(std::str::from_utf8(EICAR).expect("ascii")),
                EICAR.len()
            ),
        )
        .expect("hdb");
        std::fs::write(
            db.join("test.ndb"),
            format!("Dropspace.Test.Marker:0:*:{}\n", hex::encode(MARKER)),
        )
        .expect("ndb");
        let socket = dir.path().join("clamd.sock");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let conf = dir.path().join("clamd.conf");
        std::fs::write(
            &conf,
            format!(
                "Foreground yes\nDatabaseDirectory {}\nLocalSocket {}\nTCPSocket {port}\n\
                 TCPAddr 127.0.0.1\nTemporaryDirectory {}\nLogFile {}\n{conf_lines}",
                db.display(),
                socket.display(),
                dir.path().display(),
                dir.path().join("clamd.log").display(),
            ),
        )
        .expect("clamd.conf");
        let child = Command::new(bin)
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start clamd");
        let mut clamd = Clamd {
            child: Some(child),
            dir,
            socket,
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let unix = tokio::net::UnixStream::connect(&clamd.socket).await.is_ok();
            let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok();
            if unix && tcp {
                break;
            }
            if let Some(child) = clamd.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!("clamd exited ({status}): {}", clamd.log());
                }
            }
            assert!(
                Instant::now() < deadline,
                "clamd never listened: {}",
                clamd.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Some(clamd)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("clamd.log")).unwrap_or_default()
    }

    pub fn unix(&self) -> String {
        format!("unix:{}", self.socket.display())
    }

    pub fn tcp(&self) -> String {
        format!("tcp:127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> i32 {
        self.child.as_ref().map(|c| c.id() as i32).expect("running")
    }

    /// SIGSTOP: connections are still accepted (by the kernel) but never
    /// answered.
    pub fn pause(&self) {
        // SAFETY: a signal to the child this test started.
        assert_eq!(unsafe { libc::kill(self.pid(), libc::SIGSTOP) }, 0);
    }

    pub fn resume(&self) {
        // SAFETY: as in `pause`.
        assert_eq!(unsafe { libc::kill(self.pid(), libc::SIGCONT) }, 0);
    }

    /// Kills clamd; its socket file stays, refusing connections.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Clamd {
    /// A paused clamd dies of SIGKILL all the same.
    fn drop(&mut self) {
        self.stop();
    }
}
