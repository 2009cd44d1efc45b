//! `dropspace client …` as a real process: its own configuration file and
//! working directory, the test server's address and API key in its
//! environment (tests/client_cli.rs, tests/encryption.rs).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

use super::{Server, BIN};

/// A client process environment: its own config file and working dir.
pub struct Cli {
    pub server: String,
    pub api_key: String,
    pub dir: tempfile::TempDir,
}

/// A run's standard input.
pub enum Input {
    /// `/dev/null`: no terminal, nothing to read.
    Null,
    /// A pipe carrying these bytes, then closed.
    Bytes(Vec<u8>),
}

/// What a run printed and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "exit {}\nstdout: {}\nstderr: {}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn json(self) -> Value {
        let run = self.ok();
        serde_json::from_str(run.stdout.trim())
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
    }

    /// Asserts exit code 3 and `error {code}:` on stderr.
    #[track_caller]
    pub fn api_error(&self, code: u32) {
        assert_eq!(
            self.code, 3,
            "expected exit 3 (API error {code}); stdout: {} stderr: {}",
            self.stdout, self.stderr
        );
        assert!(
            self.stderr.contains(&format!("error {code}: ")),
            "expected error {code}, got: {}",
            self.stderr
        );
    }
}

impl Cli {
    pub fn new(s: &Server) -> Cli {
        Cli {
            server: s.base.clone(),
            api_key: s.api_key.clone(),
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("config").join("client.json")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn run_with(&self, args: &[&str], stdin: Option<&str>, server: bool) -> Run {
        let env: &[(&str, &str)] = if server {
            &[
                ("DROPSPACE_SERVER", &self.server),
                ("DROPSPACE_API_KEY", &self.api_key),
            ]
        } else {
            &[]
        };
        let input = Input::Bytes(stdin.unwrap_or("").as_bytes().to_vec());
        self.run_env(args, input, env)
    }

    /// A run with exactly these `DROPSPACE_*` variables (beside the config
    /// file) and this standard input.
    pub fn run_env(&self, args: &[&str], stdin: Input, env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(BIN);
        cmd.arg("client").args(args).current_dir(self.dir.path());
        for (k, _) in std::env::vars() {
            if k.starts_with("DROPSPACE_") {
                cmd.env_remove(k);
            }
        }
        cmd.env("DROPSPACE_CLIENT_CONFIG", self.config());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.stdin(match stdin {
            Input::Null => Stdio::null(),
            Input::Bytes(_) => Stdio::piped(),
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn client");
        // Fed from a thread: a large input fills the pipe before the
        // client has read it; a client that stops early closes it.
        let feeder = child.stdin.take().map(|mut pipe| {
            let bytes = match stdin {
                Input::Bytes(b) => b,
                Input::Null => Vec::new(),
            };
            std::thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            })
        });
        let out = child.wait_with_output().expect("client output");
        if let Some(f) = feeder {
            f.join().expect("stdin feeder");
        }
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// A run against the test server with `input` on standard input.
    pub fn run_input(&self, args: &[&str], input: &[u8]) -> Run {
        let env = [
            ("DROPSPACE_SERVER", self.server.as_str()),
            ("DROPSPACE_API_KEY", self.api_key.as_str()),
        ];
        self.run_env(args, Input::Bytes(input.to_vec()), &env)
    }

    /// Starts a client run without waiting for it.
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        let mut cmd = Command::new(BIN);
        cmd.arg("client").args(args).current_dir(self.dir.path());
        for (k, _) in std::env::vars() {
            if k.starts_with("DROPSPACE_") {
                cmd.env_remove(k);
            }
        }
        cmd.env("DROPSPACE_CLIENT_CONFIG", self.config())
            .env("DROPSPACE_SERVER", &self.server)
            .env("DROPSPACE_API_KEY", &self.api_key)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd.spawn().expect("spawn client")
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, None, true)
    }

    pub fn login(&self, user: &str, password: &str) -> Run {
        self.run_with(
            &["login", "--user", user, "--password-stdin"],
            Some(&format!("{password}\n")),
            true,
        )
    }

    pub fn saved(&self) -> Value {
        serde_json::from_slice(&std::fs::read(self.config()).expect("config file"))
            .expect("config JSON")
    }
}
