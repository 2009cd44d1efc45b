//! `dropspace client …`: a command-line client of any sendspace-compatible
//! server, built on the `dropspace-client` library. See `docs/cli.md`.
//!
//! Exit codes: 0 success, 2 usage error (clap's, and missing server or API
//! key), 3 the server refused (`error N: text` with the API's code), 4
//! network, I/O or a malformed answer.

mod commands;
mod config;
mod encryption;
mod human;
mod transfer;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use dropspace_client::{Client, Error, ErrorCode};

pub use config::Saved;

/// Reads one line of standard input, without its line end (passwords
/// piped to `--password-stdin`, here and in `admin user create`).
pub(crate) fn stdin_line() -> std::io::Result<String> {
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::stdin().lock(), &mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub(crate) use dropspace_proto::size::parse_size;

/// The session's API version: 1.2 answers `delete_url` in `files.getInfo`.
const API_VERSION: &str = "1.2";

#[derive(Args)]
pub struct ClientArgs {
    /// Server base URL, e.g. `https://files.example.com` (else the
    /// server of the saved login).
    #[arg(long, env = "DROPSPACE_SERVER", global = true)]
    pub server: Option<String>,
    /// API key: needed to log in and to upload without an account.
    #[arg(long, env = "DROPSPACE_API_KEY", global = true, hide_env_values = true)]
    pub api_key: Option<String>,
    /// Print JSON on standard output (for scripts).
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: ClientCommand,
}

#[derive(Subcommand)]
pub enum ClientCommand {
    /// Log in and keep the session in the configuration file.
    #[command(
        after_help = "Examples:\n  dropspace client --server https://files.example.com --api-key KEY login --user ann\n  printf '%s\\n' \"$PASSWORD\" | dropspace client login --user ann --password-stdin"
    )]
    Login {
        /// User name (asked for when missing).
        #[arg(long, short)]
        user: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// The password (else asked for on the terminal). On the command
        /// line others may see it in the process list: prefer the variable
        /// or --password-stdin.
        #[arg(long, env = "DROPSPACE_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// End the session on the server and forget it.
    #[command(after_help = "Example:\n  dropspace client logout")]
    Logout,
    /// Show the logged-in account and what it has left.
    #[command(after_help = "Example:\n  dropspace client whoami --json")]
    Whoami,
    /// Upload files (anonymously when not logged in); `-` reads one from
    /// standard input (with --name).
    #[command(
        after_help = "Examples:\n  dropspace client upload report.pdf --expire 7d --downloads 3 --password s3cret\n  \
        tar c photos/ | dropspace client upload - --name photos.tar"
    )]
    Upload {
        /// Files to send; `-` is standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The file name of the upload from standard input (`-`).
        #[arg(long)]
        name: Option<String>,
        /// Put the files in this folder (id; logged in only).
        #[arg(long)]
        folder: Option<String>,
        /// A description of the files.
        #[arg(long)]
        description: Option<String>,
        /// A password needed to download the files.
        #[arg(long)]
        password: Option<String>,
        /// Time until the files expire: 90s, 30m, 12h, 7d, 2w (or plain
        /// seconds); logged in only.
        #[arg(long, value_parser = parse_duration)]
        expire: Option<u64>,
        /// Total downloads allowed; logged in only.
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        downloads: Option<u64>,
        /// What happens at the limit: block, delete or move:FOLDER.
        #[arg(long, value_parser = parse_action)]
        action: Option<dropspace_client::LimitAction>,
        /// Mail the links to these addresses (comma-separated).
        #[arg(long, value_delimiter = ',')]
        to: Vec<String>,
        /// The text of that mail.
        #[arg(long)]
        message: Option<String>,
        /// Send at most this many KB/s.
        #[arg(long, default_value_t = 0)]
        speed_limit: u64,
        /// Mail yourself the link too.
        #[arg(long)]
        notify: bool,
        /// Bytes per request of a resumable upload (suffixes K, M, G):
        /// below the body cap of any proxy on the way. Default 50M for
        /// files, 8M for standard input (held in memory until acknowledged).
        #[arg(long, value_parser = parse_size)]
        chunk_size: Option<u64>,
        /// Send each file in one form POST, not resumably.
        #[arg(long)]
        no_resume: bool,
        /// Send a file as this many parts at once, joined by the server
        /// (parts of at least 1 MiB).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=64))]
        parallel: u64,
        /// Encrypt each file end-to-end with age before it leaves
        /// (docs/encryption.md); it is sent as NAME.age. To the
        /// --to-recipient keys, to a passphrase, or — neither given — to a
        /// new key that the printed link carries after `#key=`.
        #[arg(long)]
        encrypt: bool,
        /// An age public key (age1…) to encrypt to; repeat for several
        /// recipients. Implies --encrypt.
        #[arg(long = "to-recipient", value_name = "AGE_PUBKEY")]
        to_recipient: Vec<String>,
        /// Encrypt to a passphrase: DROPSPACE_PASSPHRASE, else asked twice
        /// on the terminal. Implies --encrypt.
        #[arg(long, conflicts_with_all = ["to_recipient", "to_user"])]
        passphrase: bool,
        /// Encrypt to every age key these accounts publish (user names or
        /// e-mail addresses, comma-separated; `client keys`). Implies
        /// --encrypt.
        #[arg(long = "to-user", value_name = "USERS", value_delimiter = ',')]
        to_user: Vec<String>,
    },
    /// Download a file by id, page URL or direct URL — or, with `--zip`, a
    /// shared folder (id or page URL) or a bundle (page URL) as one zip.
    /// It is written to `NAME.part` and renamed once complete; an
    /// interrupted download of the same file continues from its `.part`.
    /// An existing file is never touched: a taken name becomes `NAME (1)`,
    /// an existing `--output` file is refused unless `--force`.
    #[command(
        after_help = "Examples:\n  dropspace client download ab12cd -o ~/Downloads/\n  dropspace client download https://files.example.com/file/ab12cd --password s3cret\n  dropspace client download https://files.example.com/folder/f00d12 --zip"
    )]
    Download {
        target: String,
        /// The shared folder or bundle as one zip (docs/zip.md).
        #[arg(long)]
        zip: bool,
        /// File or directory to write (default: the file's name here).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Replace an existing file of that name.
        #[arg(long)]
        force: bool,
        /// The file's download password.
        #[arg(long)]
        password: Option<String>,
        /// Decrypt an encrypted file with the identities in this file (as
        /// `age-keygen` writes them); a link's `#key=` needs nothing.
        #[arg(short = 'i', long, value_name = "FILE")]
        identity: Option<PathBuf>,
        /// Decrypt an encrypted file with a passphrase:
        /// DROPSPACE_PASSPHRASE, else asked.
        #[arg(long, conflicts_with = "identity")]
        passphrase: bool,
        /// Only these bytes, START-END (both included) or START-: of the
        /// decrypted file when it is decrypted (only the chunks they fall
        /// in are fetched).
        #[arg(long, value_name = "START-END", conflicts_with = "zip")]
        range: Option<String>,
    },
    /// List a folder (default: the root, 0).
    #[command(after_help = "Examples:\n  dropspace client ls\n  dropspace client ls 4kd9 --json")]
    Ls {
        #[arg(default_value = "0")]
        folder: String,
    },
    /// Show a file or folder; `--downloads` lists who downloaded a file
    /// (a dropspace extension: time, address or recipient, bytes).
    #[command(
        after_help = "Examples:\n  dropspace client info ab12cd\n  dropspace client info ab12cd --downloads --json"
    )]
    Info {
        id: String,
        /// List the file's completed downloads too.
        #[arg(long)]
        downloads: bool,
    },
    /// Write the signed delivery receipts of a file sent with file_send
    /// (one `receipt-ID.json` per recipient who received it whole) into a
    /// directory; check one with `dropspace receipt verify`
    /// (docs/receipts.md).
    #[command(
        after_help = "Example:\n  dropspace client receipts ab12cd -o receipts/\n  dropspace receipt verify receipts/receipt-XXXX.json --server https://files.example.com"
    )]
    Receipts {
        /// The file's id.
        file: String,
        /// Directory to write the receipt files into (default: here).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Create a folder; prints its id.
    #[command(after_help = "Example:\n  dropspace client mkdir \"Holiday 2026\" --shared")]
    Mkdir {
        name: String,
        /// Parent folder id (default: the root).
        #[arg(long, default_value = "0")]
        parent: String,
        /// Share it at once.
        #[arg(long)]
        shared: bool,
    },
    /// Move files or folders into a folder.
    #[command(after_help = "Example:\n  dropspace client mv ab12cd ef34gh --to 4kd9")]
    Mv {
        #[arg(required = true)]
        ids: Vec<String>,
        /// Target folder id (0 is the root).
        #[arg(long)]
        to: String,
    },
    /// Delete files or (empty) folders.
    #[command(after_help = "Example:\n  dropspace client rm ab12cd")]
    Rm {
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Share a folder (public page and RSS) or make it private.
    #[command(after_help = "Example:\n  dropspace client share 4kd9 on")]
    Share { folder: String, state: OnOff },
    /// Set a file's download or time limit and what happens then.
    #[command(
        after_help = "Examples:\n  dropspace client limit ab12cd --downloads 3 --expire 7d --action delete\n  dropspace client limit ab12cd --clear"
    )]
    #[command(group(ArgGroup::new("change").required(true).multiple(true)
        .args(["downloads", "expire", "action", "clear"])))]
    Limit {
        id: String,
        /// Total downloads allowed.
        #[arg(long)]
        downloads: Option<u64>,
        /// Time until the limit: 90s, 30m, 12h, 7d, 2w (or plain seconds).
        #[arg(long, value_parser = parse_duration)]
        expire: Option<u64>,
        /// block, delete or move:FOLDER.
        #[arg(long, value_parser = parse_action)]
        action: Option<dropspace_client::LimitAction>,
        /// Remove every limit.
        #[arg(long, conflicts_with_all = ["downloads", "expire", "action"])]
        clear: bool,
    },
    /// Move a file's expiry: by the server's extension (the account's
    /// default lifetime from now), or --days from now (docs/expiry.md).
    #[command(
        after_help = "Examples:\n  dropspace client extend ab12cd\n  dropspace client extend ab12cd --days 30"
    )]
    Extend {
        id: String,
        /// Days from now (within the account's longest time limit).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=36_600))]
        days: Option<u64>,
    },
    /// Deleted and expired files kept for a while (docs/expiry.md).
    #[command(
        after_help = "Examples:\n  dropspace client trash list\n  dropspace client trash restore ab12cd\n  dropspace client trash purge ab12cd"
    )]
    Trash {
        #[command(subcommand)]
        command: TrashCommand,
    },
    /// Mail the links of files or folders.
    #[command(
        after_help = "Example:\n  dropspace client mail ab12cd --to bob@example.com --message \"for Friday\""
    )]
    Mail {
        #[arg(required = true)]
        ids: Vec<String>,
        /// Addresses (comma-separated).
        #[arg(long, required = true, value_delimiter = ',')]
        to: Vec<String>,
        #[arg(long)]
        message: Option<String>,
    },
    /// The address book.
    #[command(
        after_help = "Examples:\n  dropspace client contacts add bob@example.com --name Bob\n  dropspace client contacts list"
    )]
    Contacts {
        #[command(subcommand)]
        command: ContactsCommand,
    },
    /// File requests: links outsiders upload through into a folder of
    /// yours (docs/file-requests.md). They use the signed file_send API:
    /// the account's API credentials come from DROPSPACE_FILE_SEND_KEY and
    /// DROPSPACE_FILE_SEND_SECRET (`dropspace admin user api-credentials
    /// create` makes them).
    #[command(
        after_help = "Examples:\n  dropspace client request create --title \"Tax papers\" --max-files 5 --expires 7d --notify\n  dropspace client request list\n  dropspace client request close k3x9qa…"
    )]
    Request {
        #[command(subcommand)]
        command: RequestCommand,
    },
    /// Webhooks of your account: signed POSTs to your URL on events
    /// (dropspace servers; docs/webhooks.md).
    #[command(
        after_help = "Examples:\n  dropspace client webhook add https://example.com/hook --events upload.completed,download.completed\n  dropspace client webhook list\n  dropspace client webhook remove 3"
    )]
    Webhook {
        #[command(subcommand)]
        command: WebhookCommand,
    },
    /// The age public keys your account publishes: senders encrypt to them
    /// with `upload --to-user` (dropspace servers; docs/encryption.md).
    #[command(
        after_help = "Examples:\n  age-keygen -o ~/.config/age/key.txt\n  dropspace client keys add age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p --label laptop\n  dropspace client keys list\n  dropspace client keys remove 2"
    )]
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Every key the account publishes.
    List,
    /// Publish a public key (age1…).
    Add {
        public_key: String,
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Stop publishing a key.
    Remove { id: i64 },
}

#[derive(Subcommand)]
pub enum RequestCommand {
    /// Create a request; prints its link.
    Create {
        #[arg(long)]
        title: String,
        /// Shown to the people you ask.
        #[arg(long, default_value = "")]
        message: String,
        /// The folder the files land in (default: the root).
        #[arg(long, default_value = "")]
        folder: String,
        /// Ask for a password, read from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Closes after this long: 90s, 30m, 12h, 7d, 2w (default: never).
        #[arg(long, value_parser = parse_duration)]
        expires: Option<u64>,
        /// Most files it takes.
        #[arg(long)]
        max_files: Option<u64>,
        /// Most bytes in all (suffixes K, M, G).
        #[arg(long, value_parser = parse_size)]
        max_size: Option<u64>,
        /// Most bytes per file (suffixes K, M, G).
        #[arg(long, value_parser = parse_size)]
        max_file_size: Option<u64>,
        /// Mail me each file that arrives.
        #[arg(long)]
        notify: bool,
        /// Uploads are encrypted in the uploader's browser to the age keys
        /// the account publishes (`client keys add` first).
        #[arg(long)]
        encrypted: bool,
    },
    /// Every request of the account, newest first.
    List,
    /// Close a request: it takes no more uploads.
    Close { id: String },
}

#[derive(Subcommand)]
pub enum WebhookCommand {
    /// Every endpoint, with the last delivery's status.
    List,
    /// Register an endpoint; prints its secret (whsec_…) this once.
    Add {
        url: String,
        /// Comma-separated: upload.completed, download.completed,
        /// file_request.uploaded, share.expiring, file.expired (default: all).
        #[arg(long, default_value = "")]
        events: String,
    },
    /// Remove an endpoint.
    Remove { id: i64 },
}

#[derive(Subcommand)]
pub enum TrashCommand {
    /// Every trashed file, latest first.
    List,
    /// Put a file back (into its folder, or the root when that is gone).
    Restore { id: String },
    /// Delete a trashed file for good.
    Purge { id: String },
}

#[derive(Subcommand)]
pub enum ContactsCommand {
    /// Every contact.
    List,
    /// Add a contact.
    Add {
        email: String,
        #[arg(long, default_value = "")]
        name: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Remove contacts.
    Rm {
        #[arg(required = true)]
        emails: Vec<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

/// Why a command failed; decides the exit code.
#[derive(Debug)]
pub enum Failure {
    /// 2: the command cannot run as given.
    Usage(String),
    /// 3: the server said no.
    Api { code: u32, text: String },
    /// 4: network, I/O or an answer that makes no sense.
    Io(String),
}

impl Failure {
    /// The same failure, told after `what`.
    pub fn context(self, what: &str) -> Failure {
        self.retold(|t| format!("{what}: {t}"))
    }

    /// The same failure (and exit code), its text told anew.
    pub fn retold(self, tell: impl FnOnce(String) -> String) -> Failure {
        match self {
            Failure::Usage(t) => Failure::Usage(tell(t)),
            Failure::Api { code, text } => Failure::Api {
                code,
                text: tell(text),
            },
            Failure::Io(t) => Failure::Io(tell(t)),
        }
    }

    fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Api { .. } => 3,
            Failure::Io(_) => 4,
        }
    }

    fn not_logged_in() -> Failure {
        Failure::Api {
            code: ErrorCode::SessionKeyMissing.number(),
            text: "Not logged in: run `dropspace client login` first".into(),
        }
    }
}

/// A request that got no answer, with its cause chain: `cannot reach
/// http://127.0.0.1:1/: connection refused`, not reqwest's bare `error
/// sending request for url (…)`.
pub fn network(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut causes: Vec<String> = Vec::new();
    let mut next = e.source();
    while let Some(cause) = next {
        next = cause.source();
        let text = match cause.downcast_ref::<std::io::Error>() {
            Some(io) => io_words(io),
            None => cause.to_string(),
        };
        // The transport's wrappers say nothing the first words do not.
        let wrapper = text.starts_with("client error (")
            || text == "tcp connect error"
            || text.starts_with("error sending request");
        if !wrapper && !causes.iter().any(|c| c == &text) {
            causes.push(text);
        }
    }
    if causes.is_empty() {
        causes.push(e.to_string());
    }
    let place = e
        .url()
        .map(|u| match u.origin() {
            url::Origin::Tuple(..) => format!("{}/", u.origin().ascii_serialization()),
            url::Origin::Opaque(_) => u.to_string(),
        })
        .unwrap_or_else(|| "the server".into());
    let why = causes.join(": ");
    if e.is_connect() {
        format!("cannot reach {place}: {why}")
    } else if e.is_timeout() {
        format!("no answer from {place} in time: {why}")
    } else if e.is_body() || e.is_decode() {
        format!("reading the answer of {place}: {why}")
    } else {
        format!("{place}: {why}")
    }
}

/// An I/O error as words, without its `(os error N)`.
fn io_words(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let word = match e.kind() {
        K::ConnectionRefused => "connection refused",
        K::ConnectionReset => "connection reset",
        K::ConnectionAborted => "connection aborted",
        K::TimedOut => "timed out",
        K::AddrNotAvailable => "address not available",
        K::BrokenPipe => "connection closed",
        K::UnexpectedEof => "connection closed early",
        _ => {
            let text = e.to_string();
            return match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            };
        }
    };
    word.to_string()
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        match e {
            Error::Api { code, text, id } => Failure::Api {
                code: code.number(),
                text: match id {
                    Some(id) => format!("{text} ({id})"),
                    None => text,
                },
            },
            Error::NoSession => Failure::not_logged_in(),
            Error::Upload(text) => Failure::Api {
                code: ErrorCode::UploadTempError.number(),
                text,
            },
            Error::FileSend { status, title, .. } => Failure::Api {
                code: u32::from(status),
                text: title,
            },
            Error::Http(e) => Failure::Io(network(&e)),
            other => Failure::Io(format!("{other}")),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::Io(e.to_string())
    }
}

/// Output: JSON for scripts, lines for people, progress bars only on a
/// terminal.
pub struct Out {
    pub json: bool,
    pub bars: bool,
}

impl Out {
    fn emit(&self, value: serde_json::Value, human: impl FnOnce()) {
        if self.json {
            println!("{value}");
        } else {
            human();
        }
    }
}

/// What every command works with.
pub struct Ctx {
    pub client: Client,
    /// The API key in use (saved with a login).
    pub api_key: Option<String>,
    pub server: String,
    pub saved: Saved,
    pub out: Out,
    /// The server of the saved session when it is not the one in use.
    pub session_elsewhere: Option<String>,
}

impl Ctx {
    fn logged_in(&self) -> bool {
        self.client.session_key().is_some()
    }

    pub fn need_session(&self) -> Result<(), Failure> {
        if self.logged_in() {
            Ok(())
        } else {
            Err(self.not_logged_in())
        }
    }

    /// No session for this server: log in, or — when the saved session is
    /// another server's — log in to this one.
    fn not_logged_in(&self) -> Failure {
        match &self.session_elsewhere {
            Some(other) => Failure::Api {
                code: ErrorCode::SessionKeyMissing.number(),
                text: format!(
                    "Not logged in to {0}: the saved session is for {other}; log in to {0} \
                     with `dropspace client login --server {0}`",
                    self.server
                ),
            },
            None => Failure::not_logged_in(),
        }
    }
}

fn same_server(a: &str, b: &str) -> bool {
    a.trim().trim_end_matches('/') == b.trim().trim_end_matches('/')
}

/// The client for `args`: server from the flag/variable or the saved login;
/// the saved session only when it belongs to that server.
fn context(args: &ClientArgs, fallback_server: Option<String>) -> Result<Ctx, Failure> {
    let saved = Saved::load()?;
    let server = args
        .server
        .clone()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| saved.server.clone())
        .or(fallback_server)
        .ok_or_else(|| {
            Failure::Usage(
                "no server: pass --server URL, set DROPSPACE_SERVER, or log in first".into(),
            )
        })?;
    let same = saved
        .server
        .as_deref()
        .is_some_and(|s| same_server(s, &server));
    let mut client = Client::new(&server)
        .map_err(|e| Failure::Usage(format!("--server: {e}")))?
        .api_version(API_VERSION)
        .app_version(env!("CARGO_PKG_VERSION"));
    let api_key = args
        .api_key
        .clone()
        .filter(|k| !k.trim().is_empty())
        .or_else(|| same.then(|| saved.api_key.clone()).flatten());
    if let Some(k) = &api_key {
        client = client.api_key(k.clone());
    }
    if same {
        if let Some(s) = &saved.session_key {
            client = client.with_session(s.clone());
        }
    }
    let out = Out {
        json: args.json,
        bars: !args.json && std::io::stdout().is_terminal() && std::io::stderr().is_terminal(),
    };
    let session_elsewhere = match (&saved.server, &saved.session_key) {
        (Some(other), Some(_)) if !same => Some(other.clone()),
        _ => None,
    };
    Ok(Ctx {
        client,
        api_key,
        server,
        saved,
        out,
        session_elsewhere,
    })
}

/// Runs `dropspace client …` and returns its exit code.
pub fn main(args: ClientArgs) -> ExitCode {
    let json = args.json;
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting runtime: {e}");
            return ExitCode::from(4);
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            let (line, value) = match &f {
                Failure::Api { code, text } => (
                    format!("error {code}: {text}"),
                    serde_json::json!({"error": {"code": code, "text": text}}),
                ),
                Failure::Usage(m) => (
                    format!("error: {m}"),
                    serde_json::json!({"error": {"usage": m}}),
                ),
                Failure::Io(m) => (
                    format!("error: {m}"),
                    serde_json::json!({"error": {"io": m}}),
                ),
            };
            if json {
                println!("{value}");
            }
            eprintln!("{line}");
            ExitCode::from(f.exit_code())
        }
    }
}

async fn run(args: ClientArgs) -> Result<(), Failure> {
    // A download of a full URL needs no configured server.
    let fallback = match &args.command {
        ClientCommand::Download { target, .. } => transfer::origin_of(target),
        _ => None,
    };
    let mut ctx = context(&args, fallback)?;
    match args.command {
        ClientCommand::Login {
            user,
            password_stdin,
            password,
        } => {
            let password = if password_stdin {
                commands::Password::Stdin
            } else {
                match password {
                    Some(p) => commands::Password::Given(p),
                    None => commands::Password::Ask,
                }
            };
            commands::login(&mut ctx, user, password).await
        }
        ClientCommand::Logout => commands::logout(&mut ctx).await,
        ClientCommand::Whoami => commands::whoami(&ctx).await,
        ClientCommand::Upload {
            files,
            name,
            folder,
            description,
            password,
            expire,
            downloads,
            action,
            to,
            message,
            speed_limit,
            notify,
            chunk_size,
            no_resume,
            parallel,
            encrypt,
            mut to_recipient,
            passphrase,
            to_user,
        } => {
            if !to_user.is_empty() {
                to_recipient.extend(encryption::keys_of(&ctx, &to_user).await?);
            }
            let options = dropspace_client::UploadOptions {
                description,
                password,
                folder_id: folder,
                recipient_email: to,
                recipient_message: message,
                notify_uploader: notify,
            };
            let limits = (expire.is_some() || downloads.is_some() || action.is_some()).then(|| {
                dropspace_client::FileChanges {
                    time_limit: expire,
                    downloads_limit: downloads,
                    limit_action: action,
                    ..Default::default()
                }
            });
            let job = transfer::UploadJob {
                files: &files,
                stdin_name: name,
                options: &options,
                limits,
                speed_limit,
                // The server throttles form uploads only (`upload.getInfo`'s
                // speed limit): a capped upload goes through the form.
                resume: !no_resume && speed_limit == 0,
                chunk_size,
                parallel,
                sealing: if passphrase {
                    Some(encryption::Sealing::Passphrase)
                } else if !to_recipient.is_empty() {
                    Some(encryption::Sealing::Recipients(to_recipient))
                } else {
                    encrypt.then_some(encryption::Sealing::NewKey)
                },
            };
            transfer::upload(&ctx, job).await
        }
        ClientCommand::Download {
            target,
            zip,
            output,
            force,
            password,
            identity,
            passphrase,
            range,
        } => {
            let to = transfer::Target { output, force };
            if zip {
                transfer::download_zip(&ctx, &target, to).await
            } else {
                let opening = transfer::Opening {
                    unlock: encryption::unlock(&target, identity.as_deref(), passphrase)?,
                    range: range
                        .as_deref()
                        .map(transfer::parse_range)
                        .transpose()
                        .map_err(Failure::Usage)?,
                };
                transfer::download(&ctx, &target, to, password.as_deref(), opening).await
            }
        }
        ClientCommand::Ls { folder } => commands::ls(&ctx, &folder).await,
        ClientCommand::Info { id, downloads } => {
            commands::info(&ctx, &id).await?;
            if downloads {
                commands::downloads(&ctx, &id).await?;
            }
            Ok(())
        }
        ClientCommand::Receipts { file, output } => {
            commands::receipts(&ctx, &file, output.as_deref()).await
        }
        ClientCommand::Mkdir {
            name,
            parent,
            shared,
        } => commands::mkdir(&ctx, &name, &parent, shared).await,
        ClientCommand::Mv { ids, to } => commands::mv(&ctx, &ids, &to).await,
        ClientCommand::Rm { ids } => commands::rm(&ctx, &ids).await,
        ClientCommand::Share { folder, state } => {
            commands::share(&ctx, &folder, matches!(state, OnOff::On)).await
        }
        ClientCommand::Limit {
            id,
            downloads,
            expire,
            action,
            clear,
        } => commands::limit(&ctx, &id, downloads, expire, action, clear).await,
        ClientCommand::Mail { ids, to, message } => {
            commands::mail(&ctx, &ids, &to, message.as_deref()).await
        }
        ClientCommand::Contacts { command } => commands::contacts(&ctx, command).await,
        ClientCommand::Request { command } => commands::request(&ctx, command).await,
        ClientCommand::Webhook { command } => commands::webhook(&ctx, command).await,
        ClientCommand::Keys { command } => commands::keys(&ctx, command).await,
        ClientCommand::Extend { id, days } => commands::extend(&ctx, &id, days).await,
        ClientCommand::Trash { command } => commands::trash(&ctx, command).await,
    }
}

/// `90s`, `30m`, `12h`, `7d`, `2w` or plain seconds.
fn parse_duration(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?}: expected a number with s, m, h, d or w"))?;
    let mult = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(format!("{s:?}: unknown unit {unit:?} (s, m, h, d, w)")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("{s:?}: too long"))
}

/// `block`, `delete`, `move:FOLDER` (or `none`).
fn parse_action(s: &str) -> Result<dropspace_client::LimitAction, String> {
    use dropspace_client::LimitAction;
    match s.trim() {
        "block" => Ok(LimitAction::Block),
        "delete" => Ok(LimitAction::Delete),
        "none" => Ok(LimitAction::None),
        other => match other.strip_prefix("move:") {
            Some(folder) if !folder.trim().is_empty() => {
                Ok(LimitAction::MoveTo(folder.trim().to_string()))
            }
            _ => Err(format!("{other:?}: expected block, delete or move:FOLDER")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(90));
        assert_eq!(parse_duration("90s"), Ok(90));
        assert_eq!(parse_duration("30m"), Ok(1800));
        assert_eq!(parse_duration("7d"), Ok(604_800));
        assert_eq!(parse_duration("2w"), Ok(1_209_600));
        assert!(parse_duration("7y").is_err());
        assert!(parse_duration("d").is_err());
        assert!(parse_duration("99999999999999999999w").is_err());
    }

    #[test]
    fn actions() {
        use dropspace_client::LimitAction;
        assert_eq!(parse_action("block"), Ok(LimitAction::Block));
        assert_eq!(
            parse_action("move:abc123"),
            Ok(LimitAction::MoveTo("abc123".into()))
        );
        assert!(parse_action("move:").is_err());
        assert!(parse_action("explode").is_err());
    }
}
