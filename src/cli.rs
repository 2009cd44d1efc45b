//! The command line: `dropspace serve` and `dropspace admin …`
//! (docs/cli.md, docs/operations.md) and `dropspace client …`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::config::{Config, LogFormat, Overrides};
use crate::db::users::User;
use crate::db::Db;
use crate::library::accounts::{self, NewUser};
use crate::library::admin;
use crate::library::audit::{self, Entry, Event, Origin};
use crate::library::webhooks::rfc3339;
use crate::server;

#[derive(Parser)]
#[command(
    name = "dropspace",
    version,
    about = "Self-hosted file sharing that speaks the sendspace API",
    after_help = "Start here:\n  dropspace serve                 # http://127.0.0.1:8080, everything under ./data\n  dropspace admin user create --user-name ann --email ann@example.com --password 'secret'\n  dropspace client --server http://127.0.0.1:8080 --api-key KEY login --user ann\n\nConfiguration: docs/configuration.md; `dropspace config check` shows what is in effect."
)]
pub struct Cli {
    /// The server's configuration file, also accepted before the command
    /// (`dropspace --config FILE serve`); the commands that read it take it
    /// too.
    #[arg(long, env = "DROPSPACE_CONFIG", hide = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// The server's configuration file, for the commands that read it.
#[derive(Args, Clone, Default)]
pub struct ConfigArg {
    /// Configuration file (TOML; also DROPSPACE_CONFIG). Every key can be
    /// set by a DROPSPACE_* variable instead, e.g. DROPSPACE_LISTEN or
    /// DROPSPACE_LIMITS__TOKEN_TTL_SECS.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Address to bind, host:port (a bare port means 127.0.0.1:PORT);
    /// above `listen` of the file and DROPSPACE_LISTEN.
    #[arg(long, value_name = "HOST:PORT")]
    pub listen: Option<String>,
    /// Where the SQLite database, blobs, secrets and mail outbox live;
    /// above `data_dir` of the file and DROPSPACE_DATA_DIR.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the server in the foreground until SIGINT/SIGTERM.
    #[command(
        after_help = "Examples:\n  dropspace serve\n  dropspace serve --listen 0.0.0.0:8080 --data-dir /var/lib/dropspace\n  dropspace serve --config /etc/dropspace/dropspace.toml"
    )]
    Serve(ServeArgs),
    /// Administer a deployment (works while the server runs).
    #[command(
        after_help = "Examples:\n  dropspace admin user create --user-name ann --email ann@example.com --password 'secret'\n  dropspace admin api-key list\n  dropspace admin --config /etc/dropspace/dropspace.toml fsck --quick"
    )]
    Admin {
        #[command(flatten)]
        config: ConfigArg,
        /// The server's data directory; above `data_dir` of the file and
        /// DROPSPACE_DATA_DIR. One that does not exist is refused (a
        /// restore excepted): it holds no deployment.
        #[arg(long, global = true, value_name = "DIR")]
        data_dir: Option<PathBuf>,
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Check a configuration and show the settings in effect.
    Config {
        #[command(flatten)]
        config: ConfigArg,
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// A client of any sendspace-compatible server: log in, upload,
    /// download, manage files and folders (docs/cli.md).
    Client(Box<crate::client_cli::ClientArgs>),
    /// Signed delivery receipts of file_send links (docs/receipts.md).
    Receipt {
        #[command(subcommand)]
        command: ReceiptCommand,
    },
    /// Print a shell completion script to standard output.
    #[command(
        after_help = "Examples:\n  dropspace completions bash > /etc/bash_completion.d/dropspace\n  dropspace completions zsh > \"${fpath[1]}/_dropspace\"\n  dropspace completions fish > ~/.config/fish/completions/dropspace.fish"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to standard output, or write one page
    /// per command into a directory.
    #[command(
        after_help = "Examples:\n  dropspace man > dropspace.1 && man ./dropspace.1\n  dropspace man --dir man/   # dropspace.1, dropspace-serve.1, dropspace-admin-user-create.1, …"
    )]
    Man {
        /// Write every page (dropspace.1 and one per command) here.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum ReceiptCommand {
    /// Check a receipt file's Ed25519 signature offline and print what it
    /// states; exits 0 when it holds, 1 when it does not, 2 when the
    /// receipt or key cannot be read.
    #[command(
        after_help = "Examples:\n  dropspace receipt verify receipt.json --key dropspace-receipt-key.pem\n  dropspace receipt verify receipt.json --server https://files.example.com"
    )]
    Verify {
        /// The receipt file (`dropspace client receipts` writes them).
        file: PathBuf,
        /// The server's public key (PEM), as published at
        /// /.well-known/dropspace-receipt-key.
        #[arg(long, value_name = "PEM_FILE", conflicts_with = "server")]
        key: Option<PathBuf>,
        /// Fetch the public key from this server's
        /// /.well-known/dropspace-receipt-key.
        #[arg(long, value_name = "URL", required_unless_present = "key")]
        server: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Read the file and the DROPSPACE_* variables, check every value and
    /// print the configuration in effect as TOML, secrets masked; exits 1
    /// naming the first mistake.
    #[command(
        after_help = "Examples:\n  dropspace config check --config /etc/dropspace/dropspace.toml\n  DROPSPACE_LISTEN=0.0.0.0:8080 dropspace config check"
    )]
    Check,
}

#[derive(Subcommand)]
pub enum AdminCommand {
    /// API keys for sendspace clients.
    ApiKey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
    /// Accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Maintenance mode: every method that writes answers error 15.
    #[command(after_help = "Example:\n  dropspace admin maintenance on")]
    Maintenance { state: OnOff },
    /// The anonymous-upload policy every node follows: printed, or set over
    /// the configuration's `tiers.anonymous` (as the console does).
    #[command(
        after_help = "Examples:\n  dropspace admin anonymous\n  dropspace admin anonymous --uploads off\n  dropspace admin anonymous --max-file-size 100M --max-expiry 7d\n  dropspace admin anonymous --reset"
    )]
    Anonymous {
        /// Whether visitors without an account may upload.
        #[arg(long)]
        uploads: Option<OnOff>,
        /// The largest file: bytes with K, M or G, or `unlimited`.
        #[arg(long, value_name = "SIZE")]
        max_file_size: Option<String>,
        /// The longest expiry: seconds, or with m, h or d, or `none`.
        #[arg(long, value_name = "DURATION")]
        max_expiry: Option<String>,
        /// Follow the configuration again.
        #[arg(long, conflicts_with_all = ["uploads", "max_file_size", "max_expiry"])]
        reset: bool,
    },
    /// User groups, the file_send API's `user_group_ids`.
    Group {
        #[command(subcommand)]
        command: GroupCommand,
    },
    /// Check that database rows and blobs agree (sizes, BLAKE3 checksums,
    /// orphans, disk use); exits 1 while problems remain.
    #[command(
        after_help = "Examples:\n  dropspace admin fsck --quick\n  dropspace admin fsck --repair"
    )]
    Fsck {
        /// Fix what can be fixed safely, and say what was done.
        #[arg(long)]
        repair: bool,
        /// Compare sizes only, without reading every blob.
        #[arg(long)]
        quick: bool,
    },
    /// Copy the database and every blob into DIR (empty or new) while the
    /// server keeps serving.
    #[command(
        after_help = "Example:\n  dropspace admin backup /srv/backups/dropspace-$(date +%F)"
    )]
    Backup { dir: PathBuf },
    /// Restore a backup onto an empty data directory / database / store.
    #[command(
        after_help = "Example:\n  dropspace admin --config /etc/dropspace/dropspace.toml restore /srv/backups/dropspace-2026-12-01"
    )]
    Restore { dir: PathBuf },
    /// Mail settings.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// The audit log (docs/audit.md): logins, password and key changes,
    /// admin actions, shares, deletions, downloads of sent files; newest
    /// first.
    #[command(
        after_help = "Examples:\n  dropspace admin audit --since 7d\n  dropspace admin audit --user-name ann --event login. --json"
    )]
    Audit {
        /// Only entries since this time: RFC 3339, or an age such as 30m,
        /// 24h or 7d.
        #[arg(long)]
        since: Option<String>,
        /// Only entries about this account.
        #[arg(long)]
        user_name: Option<String>,
        /// Only events whose name starts with this (e.g. `login.`).
        #[arg(long, default_value = "")]
        event: String,
        /// At most this many entries (0: all).
        #[arg(long, default_value_t = 100)]
        limit: i64,
        /// One JSON array instead of tab-separated lines.
        #[arg(long)]
        json: bool,
    },
    /// Operator-wide webhooks: every account's events (docs/webhooks.md).
    #[command(
        after_help = "Examples:\n  dropspace admin webhook add https://hooks.internal/dropspace --events upload.completed\n  dropspace admin webhook list\n  dropspace admin webhook deliveries 1"
    )]
    Webhook {
        #[command(subcommand)]
        command: WebhookCommand,
    },
}

#[derive(Subcommand)]
pub enum WebhookCommand {
    /// Operator-wide endpoints (and, with --all, every account's), with
    /// the last delivery's status.
    List {
        #[arg(long)]
        all: bool,
    },
    /// Register an operator-wide endpoint; prints its secret.
    Add {
        url: String,
        /// Comma-separated event types (default: all).
        #[arg(long, default_value = "")]
        events: String,
        /// A secret of your own (whsec_ and base64); default: generated.
        #[arg(long)]
        secret: Option<String>,
    },
    /// Remove an operator-wide endpoint.
    Remove { id: i64 },
    /// An endpoint's latest deliveries (any endpoint).
    Deliveries {
        id: i64,
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
}

#[derive(Subcommand)]
pub enum MailCommand {
    /// Send a test message at once (not through the queue) and say where it
    /// went: the SMTP server, or the outbox file without mail.smtp_url.
    #[command(after_help = "Example:\n  dropspace admin mail test ops@example.com")]
    Test { address: String },
}

#[derive(Subcommand)]
pub enum GroupCommand {
    /// Create a group; prints its numeric id.
    #[command(after_help = "Example:\n  dropspace admin group create editors")]
    Create { name: String },
    /// Add an account to a group (by group id or name).
    #[command(after_help = "Example:\n  dropspace admin group add-member editors --user-name ann")]
    AddMember {
        group: String,
        #[arg(long)]
        user_name: String,
    },
    /// Take an account out of a group.
    #[command(
        after_help = "Example:\n  dropspace admin group remove-member editors --user-name ann"
    )]
    RemoveMember {
        group: String,
        #[arg(long)]
        user_name: String,
    },
    /// Every group: id, name, members.
    List,
}

#[derive(Subcommand)]
pub enum CredentialsCommand {
    /// A new key/secret pair: `api_key api_secret` on the last line (the
    /// secret is shown only now).
    #[command(
        after_help = "Example:\n  dropspace admin user api-credentials create --user-name ann --allow-ip 203.0.113.7 --signed-body"
    )]
    Create {
        #[arg(long)]
        user_name: String,
        /// Only calls from these addresses or CIDR blocks (comma list,
        /// repeatable) may use the key; others fail authentication.
        #[arg(long = "allow-ip", value_name = "ADDR[/LEN],…")]
        allow_ip: Vec<String>,
        /// POST signatures must cover every parameter (docs/file-send.md).
        #[arg(long)]
        signed_body: bool,
    },
    /// Change a live key's options; what is not given stays as it is.
    #[command(
        after_help = "Example:\n  dropspace admin user api-credentials set --api-key K --allow-ip 203.0.113.0/24 --signed-body on"
    )]
    Set {
        #[arg(long)]
        api_key: String,
        /// Replace the address allow-list (comma list, repeatable).
        #[arg(
            long = "allow-ip",
            value_name = "ADDR[/LEN],…",
            conflicts_with = "any_ip"
        )]
        allow_ip: Vec<String>,
        /// Clear the allow-list: any address may use the key.
        #[arg(long)]
        any_ip: bool,
        /// Signed-body mode on or off.
        #[arg(long, value_enum)]
        signed_body: Option<OnOff>,
    },
    /// The account's keys and whether they are revoked.
    List {
        #[arg(long)]
        user_name: String,
    },
    /// Revoke a key at once, on every node.
    #[command(after_help = "Example:\n  dropspace admin user api-credentials revoke --api-key K")]
    Revoke {
        #[arg(long)]
        api_key: String,
    },
}

#[derive(Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key; it is printed alone on the last line.
    #[command(
        after_help = "Example:\n  dropspace admin api-key create --name \"desktop uploader\" --min-app-version 1.2"
    )]
    Create {
        #[arg(long, default_value = "")]
        name: String,
        /// Clients with an older app_version get error 25.
        #[arg(long, default_value = "")]
        min_app_version: String,
    },
    /// Every key: id, name, the first characters of the key (the rest is
    /// never stored), minimum app version, when it was made.
    List,
    /// Revoke a key by its id (`list`): clients using it can no longer
    /// start a login. The last key stays: create another first.
    #[command(after_help = "Example:\n  dropspace admin api-key revoke 3")]
    Revoke { id: i64 },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Membership {
    Lite,
    Pro,
    Max,
}

impl Membership {
    fn as_str(self) -> &'static str {
        match self {
            Membership::Lite => "lite",
            Membership::Pro => "pro",
            Membership::Max => "max",
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an activated account.
    #[command(
        after_help = "Example:\n  dropspace admin user create --user-name ann --email ann@example.com --password 'a long passphrase' --membership pro"
    )]
    Create {
        #[arg(long)]
        user_name: String,
        #[arg(long)]
        email: String,
        /// The password (visible to other local users while the command
        /// runs: prefer --password-stdin or the prompt).
        #[arg(long, conflicts_with = "password_stdin")]
        password: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[arg(long, default_value = "")]
        full_name: String,
        #[arg(long, value_enum, default_value = "lite")]
        membership: Membership,
    },
    /// Change an account's tier and, for paid tiers, when it ends.
    #[command(
        after_help = "Example:\n  dropspace admin user set-membership --user-name ann --membership pro --ends 2027-12-31T23:59:59Z"
    )]
    SetMembership {
        #[arg(long)]
        user_name: String,
        #[arg(long, value_enum)]
        membership: Membership,
        /// RFC 3339 end of the membership; omitted means it does not end.
        #[arg(long)]
        ends: Option<String>,
    },
    /// Every account: numeric id (the file_send API's `user_ids`), name,
    /// email, membership.
    List,
    /// One account: status, membership, disk use and quota, bandwidth.
    #[command(after_help = "Example:\n  dropspace admin user show --user-name ann")]
    Show {
        #[arg(long)]
        user_name: String,
    },
    /// Switch an account off: its sessions end on every node, it cannot
    /// log in; its files stay.
    #[command(after_help = "Example:\n  dropspace admin user disable --user-name ann")]
    Disable {
        #[arg(long)]
        user_name: String,
    },
    /// Switch a disabled account on again.
    #[command(after_help = "Example:\n  dropspace admin user enable --user-name ann")]
    Enable {
        #[arg(long)]
        user_name: String,
    },
    /// Give an account a disk quota of its own, in place of its tier's.
    #[command(
        after_help = "Examples:\n  dropspace admin user set-quota --user-name ann --quota 50G\n  dropspace admin user set-quota --user-name ann --quota unlimited\n  dropspace admin user set-quota --user-name ann --quota tier"
    )]
    SetQuota {
        #[arg(long)]
        user_name: String,
        /// Bytes, with an optional K, M or G suffix (powers of 1024);
        /// `unlimited`; or `tier` for the tier's quota again.
        #[arg(long)]
        quota: String,
    },
    /// Delete an account with all its files, folders, trash, links and
    /// keys. Asks for the user name again on a terminal; elsewhere needs
    /// --yes.
    #[command(after_help = "Example:\n  dropspace admin user delete --user-name ann --yes")]
    Delete {
        #[arg(long)]
        user_name: String,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
    /// Give an account a new password (asked twice on the terminal, or
    /// read from standard input); every session of the account ends.
    #[command(
        after_help = "Example:\n  printf '%s\\n' 'new long passphrase' | dropspace admin user reset-password --user-name ann --password-stdin"
    )]
    ResetPassword {
        #[arg(long)]
        user_name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Give an account the admin role (the admin console), or take it.
    #[command(after_help = "Example:\n  dropspace admin user set-admin --user-name ann on")]
    SetAdmin {
        #[arg(long)]
        user_name: String,
        state: OnOff,
    },
    /// Turn an account's two-factor login off (its owner lost the app and
    /// the recovery codes); it can set it up again after logging in.
    #[command(after_help = "Example:\n  dropspace admin user disable-two-factor --user-name ann")]
    DisableTwoFactor {
        #[arg(long)]
        user_name: String,
    },
    /// End every API and browser session of an account at once.
    #[command(after_help = "Example:\n  dropspace admin user end-sessions --user-name ann")]
    EndSessions {
        #[arg(long)]
        user_name: String,
    },
    /// Key/secret pairs for the signed file_send API.
    ApiCredentials {
        #[command(subcommand)]
        command: CredentialsCommand,
    },
}

/// `dropspace receipt verify`: reads the key (a file or the server's
/// well-known URL), checks the receipt, prints its facts.
fn verify_receipt(
    file: &std::path::Path,
    key: Option<&std::path::Path>,
    server: Option<&str>,
) -> ExitCode {
    use crate::library::receipts;
    let unreadable = |e: String| {
        eprintln!("dropspace receipt verify: {e}");
        ExitCode::from(2)
    };
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return unreadable(format!("reading {}: {e}", file.display())),
    };
    let pem = match (key, server) {
        (Some(path), _) => {
            std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))
        }
        (None, Some(url)) => fetch_receipt_key(url),
        (None, None) => Err("give --key PEM_FILE or --server URL".into()),
    };
    let key = match pem.and_then(|p| receipts::key_from_pem(&p)) {
        Ok(k) => k,
        Err(e) => return unreadable(e),
    };
    match receipts::verify(&text, &key) {
        Ok(f) => {
            println!("Signature: good (Ed25519, key {})", f.key_id);
            println!("Receipt:   {}", f.receipt_id);
            println!("Server:    {}", f.server);
            println!("Send:      {}", f.send_id);
            println!("Recipient: {}", f.recipient);
            println!("File:      {} ({})", f.file_name, f.file_id);
            println!("Size:      {} bytes", f.size);
            println!("BLAKE3:    {}", f.blake3);
            println!(
                "Delivered: {} bytes at {}",
                f.bytes_delivered, f.delivered_at
            );
            ExitCode::SUCCESS
        }
        Err(receipts::Invalid::Malformed(why)) => unreadable(why),
        Err(e) => {
            eprintln!("dropspace receipt verify: NOT VALID: {e}");
            ExitCode::from(1)
        }
    }
}

/// The PEM at `{server}/.well-known/dropspace-receipt-key`.
fn fetch_receipt_key(server: &str) -> Result<String, String> {
    let url = format!(
        "{}/.well-known/dropspace-receipt-key",
        server.trim_end_matches('/')
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        let resp = reqwest::get(&url)
            .await
            .map_err(|e| format!("fetching {url}: {}", crate::client_cli::network(&e)))?;
        if !resp.status().is_success() {
            return Err(format!("fetching {url}: HTTP {}", resp.status()));
        }
        resp.text().await.map_err(|e| format!("reading {url}: {e}"))
    })
}

/// Most threads of the runtime's blocking pool.
const BLOCKING_THREADS: usize = 64;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let (file, over, serving) = match cli.command {
        // Its own exit codes, and no server configuration to load.
        Command::Client(args) => return crate::client_cli::main(*args),
        Command::Receipt {
            command: ReceiptCommand::Verify { file, key, server },
        } => return verify_receipt(&file, key.as_deref(), server.as_deref()),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "dropspace",
                &mut std::io::stdout(),
            );
            return ExitCode::SUCCESS;
        }
        Command::Man { dir } => {
            let written = match dir {
                Some(dir) => std::fs::create_dir_all(&dir)
                    .and_then(|()| clap_mangen::generate_to(Cli::command(), &dir)),
                None => clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()),
            };
            return match written {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&e.into()),
            };
        }
        Command::Serve(ref args) => (
            args.config.config.clone(),
            Overrides {
                listen: args.listen.clone(),
                data_dir: args.data_dir.clone(),
            },
            true,
        ),
        Command::Admin {
            ref config,
            ref data_dir,
            ..
        } => (
            config.config.clone(),
            Overrides {
                data_dir: data_dir.clone(),
                ..Overrides::default()
            },
            false,
        ),
        Command::Config { ref config, .. } => (config.config.clone(), Overrides::default(), false),
    };
    let file = file.or(cli.config);
    let cfg = match Config::load_with(file.as_deref(), &over) {
        Ok(cfg) => cfg,
        Err(e) => return fail(&e),
    };
    if let Command::Config {
        command: ConfigCommand::Check,
        ..
    } = cli.command
    {
        return match crate::config::effective(&cfg) {
            Ok(text) => {
                println!("# configuration OK; in effect (secrets masked):");
                print!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        };
    }
    init_tracing(serving, cfg.log.format);
    // Before any thread or file: the database, blobs and mail are private.
    crate::secrets::private_umask();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Blob writes and reads are short blocking jobs; thousands of slow
        // uploads need a few threads, not one each (docs/performance.md).
        .max_blocking_threads(BLOCKING_THREADS)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let done = runtime.block_on(async {
        match cli.command {
            Command::Serve(_) => server::serve(cfg).await,
            Command::Admin { command, .. } => admin(cfg, command).await,
            _ => Ok(()),
        }
    });
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Prints an error on standard error: one line, except a configuration
/// error, whose text keeps its layout (a TOML parser's caret diagram).
fn fail(e: &anyhow::Error) -> ExitCode {
    if e.downcast_ref::<crate::config::ConfigError>().is_some() {
        eprintln!("error: {e}");
    } else {
        eprintln!("error: {}", format!("{e:#}").replace('\n', " "));
    }
    ExitCode::FAILURE
}

fn init_tracing(serving: bool, format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let default = if serving { "info" } else { "warn" };
    let filter =
        EnvFilter::try_from_env("DROPSPACE_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let lines = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => lines.json().flatten_event(true).try_init(),
        // Colour codes only for a person at a terminal, never in a file.
        LogFormat::Text => lines.with_ansi(std::io::stderr().is_terminal()).try_init(),
    };
}

async fn admin(cfg: Config, command: AdminCommand) -> anyhow::Result<()> {
    if let AdminCommand::Restore { dir } = &command {
        // Before `open`, which would create a database and a key.
        let summary = crate::ops::backup::restore(&cfg, dir).await?;
        return copied("restored", &summary);
    }
    if !cfg.data_dir.exists() {
        // Run from the wrong directory, a command would otherwise make a new
        // deployment nobody serves (docs/configuration.md).
        let at = std::path::absolute(&cfg.data_dir).unwrap_or_else(|_| cfg.data_dir.clone());
        anyhow::bail!(
            "no data directory at {}: the server keeps its data elsewhere, or has never run. \
             Pass --data-dir DIR or --config FILE (or set DROPSPACE_DATA_DIR), or run `dropspace serve` once first",
            at.display()
        );
    }
    let parts = server::open(&cfg).await?;
    let db = &parts.db;
    match command {
        AdminCommand::ApiKey {
            command:
                ApiKeyCommand::Create {
                    name,
                    min_app_version,
                },
        } => {
            let key = admin::create_api_key(db, &name, &min_app_version, BY).await?;
            println!("{key}");
        }
        AdminCommand::ApiKey {
            command: ApiKeyCommand::List,
        } => {
            println!("ID\tNAME\tKEY\tMIN APP VERSION\tCREATED");
            for k in db.list_api_keys().await? {
                let prefix = match k.prefix.as_str() {
                    "" => "(made before prefixes were kept)".to_string(),
                    p => format!("{p}…"),
                };
                println!(
                    "{}\t{}\t{prefix}\t{}\t{}",
                    k.id,
                    if k.name.is_empty() { "-" } else { &k.name },
                    if k.min_app_version.is_empty() {
                        "-"
                    } else {
                        &k.min_app_version
                    },
                    rfc3339(k.created)
                );
            }
        }
        AdminCommand::ApiKey {
            command: ApiKeyCommand::Revoke { id },
        } => {
            admin::revoke_api_key(db, id, BY).await?;
            println!("revoked API key {id}");
        }
        AdminCommand::User {
            command:
                UserCommand::Create {
                    user_name,
                    email,
                    password,
                    password_stdin,
                    full_name,
                    membership,
                },
        } => {
            let password = new_password(password, password_stdin)?;
            let new = NewUser {
                user_name: &user_name,
                full_name: &full_name,
                email: &email,
                password: &password,
                membership: membership.as_str(),
                membership_ends: 0,
                activated: true,
            };
            anyhow::ensure!(!password.is_empty(), "a password is required");
            accounts::validate(&new, 1024, false)?;
            let (id, _) = accounts::create(db, &parts.secrets, &new).await?;
            Entry::by(Event::AccountCreated, Origin::ADMIN_CLI)
                .user_id(id, &user_name)
                .detail(format!("membership {}", membership.as_str()))
                .record(db)
                .await;
            println!("created user {user_name} (id {id})");
        }
        AdminCommand::User {
            command:
                UserCommand::SetMembership {
                    user_name,
                    membership,
                    ends,
                },
        } => {
            let ends = match ends {
                Some(s) => {
                    time::OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339)
                        .map_err(|e| anyhow::anyhow!("--ends must be RFC 3339: {e}"))?
                        .unix_timestamp()
                }
                None => 0,
            };
            let user = named_user(db, &user_name).await?;
            admin::set_membership(db, &user, membership.as_str(), ends, BY).await?;
            println!("{user_name}: membership {}", membership.as_str());
        }
        AdminCommand::User {
            command: UserCommand::List,
        } => {
            for u in db.list_users().await? {
                println!("{}\t{}\t{}\t{}", u.id, u.user_name, u.email, u.membership);
            }
        }
        AdminCommand::User {
            command: UserCommand::ApiCredentials { command },
        } => credentials(&parts, command).await?,
        AdminCommand::User {
            command: UserCommand::Show { user_name },
        } => show_user(&cfg, &named_user(db, &user_name).await?),
        AdminCommand::User {
            command: UserCommand::Disable { user_name },
        } => {
            admin::set_disabled(db, &named_user(db, &user_name).await?, true, BY).await?;
            println!("{user_name}: disabled, its sessions ended");
        }
        AdminCommand::User {
            command: UserCommand::Enable { user_name },
        } => {
            admin::set_disabled(db, &named_user(db, &user_name).await?, false, BY).await?;
            println!("{user_name}: enabled");
        }
        AdminCommand::User {
            command: UserCommand::Delete { user_name, yes },
        } => {
            let user = named_user(db, &user_name).await?;
            if !yes {
                confirm_deletion(&user)?;
            }
            anyhow::ensure!(
                accounts::delete(db, &user, Origin::ADMIN_CLI).await?,
                "no user named {user_name}"
            );
            println!(
                "{user_name}: deleted with {} bytes of files (the running server removes the blobs)",
                user.disk_used
            );
        }
        AdminCommand::User {
            command:
                UserCommand::ResetPassword {
                    user_name,
                    password_stdin,
                },
        } => {
            let user = named_user(db, &user_name).await?;
            let password = new_password(None, password_stdin)?;
            accounts::set_password(db, &parts.secrets, &user, &password, Origin::ADMIN_CLI).await?;
            println!("{user_name}: new password set, every session ended");
        }
        AdminCommand::User {
            command: UserCommand::SetAdmin { user_name, state },
        } => {
            let on = matches!(state, OnOff::On);
            admin::set_admin(db, &named_user(db, &user_name).await?, on, BY).await?;
            println!("{user_name}: admin {}", if on { "on" } else { "off" });
        }
        AdminCommand::User {
            command: UserCommand::DisableTwoFactor { user_name },
        } => {
            let user = named_user(db, &user_name).await?;
            anyhow::ensure!(
                user.totp_enabled != 0,
                "{user_name} has no two-factor login"
            );
            crate::library::two_factor::disable(db, &user, Origin::ADMIN_CLI).await?;
            println!("{user_name}: two-factor login off");
        }
        AdminCommand::User {
            command: UserCommand::EndSessions { user_name },
        } => {
            let ended = admin::end_sessions(db, &named_user(db, &user_name).await?, BY).await?;
            println!("{user_name}: {ended} sessions ended");
        }
        AdminCommand::User {
            command: UserCommand::SetQuota { user_name, quota },
        } => set_quota(db, &named_user(db, &user_name).await?, &quota).await?,
        AdminCommand::Group { command } => group(db, command).await?,
        AdminCommand::Audit {
            since,
            user_name,
            event,
            limit,
            json,
        } => {
            let user_id = match user_name {
                Some(name) => Some(user_id(db, &name).await?),
                None => None,
            };
            let since = match since {
                Some(s) => parse_since(&s)?,
                None => 0,
            };
            let filter = crate::db::audit::AuditFilter {
                since,
                user_id,
                event_prefix: event,
                limit,
            };
            audit::sweep(db, &cfg).await?;
            print_audit(&audit::entries(db, &cfg, filter).await?, json)?;
        }
        AdminCommand::Webhook { command } => webhook(&cfg, &parts, command).await?,
        AdminCommand::Fsck { repair, quick } => {
            let opts = crate::ops::fsck::Options {
                repair,
                checksums: !quick,
            };
            let report = crate::ops::fsck::run(db, &parts.blobs, opts).await?;
            for problem in &report.problems {
                println!("{problem}");
            }
            for done in &report.repaired {
                println!("repaired: {done}");
            }
            println!(
                "fsck: {} files, {} blobs, {} bytes verified, {} problems, {} repaired, {} remaining",
                report.files,
                report.blobs,
                report.bytes_verified,
                report.problems.len(),
                report.repaired.len(),
                report.remaining
            );
            anyhow::ensure!(
                report.remaining == 0,
                "{} problems remain",
                report.remaining
            );
        }
        AdminCommand::Backup { dir } => {
            let summary = crate::ops::backup::backup(&cfg, db, &parts.blobs, &dir).await?;
            copied("backed up", &summary)?;
        }
        // Handled before the deployment is opened.
        AdminCommand::Restore { .. } => {}
        AdminCommand::Mail {
            command: MailCommand::Test { address },
        } => {
            anyhow::ensure!(
                crate::mail::valid_email(&address),
                "`{address}` is not an e-mail address"
            );
            let told = parts
                .mail
                .send_now(crate::mail::Mail::text(
                    address,
                    "dropspace test message",
                    format!(
                        "This is a test message from the dropspace server at {}.\n\
                         If you can read it, mail from dropspace reaches this address.\n",
                        cfg.stated_public_url()
                    ),
                ))
                .await
                .context("sending the test message")?;
            println!("{told}");
        }
        AdminCommand::Maintenance { state } => {
            let on = matches!(state, OnOff::On);
            admin::set_maintenance(db, on, BY).await?;
            println!("maintenance {}", if on { "on" } else { "off" });
        }
        AdminCommand::Anonymous {
            uploads,
            max_file_size,
            max_expiry,
            reset,
        } => {
            use crate::library::anonymous;
            let policy = if reset {
                anonymous::reset(db, &cfg, BY).await?
            } else if uploads.is_some() || max_file_size.is_some() || max_expiry.is_some() {
                let change = anonymous::Change {
                    enabled: uploads.map(|u| matches!(u, OnOff::On)),
                    max_file_size: max_file_size.as_deref(),
                    max_expiry: max_expiry.as_deref(),
                };
                anonymous::change(db, &cfg, change, BY).await?
            } else {
                anonymous::current(db, &cfg).await?
            };
            let t = &policy.tier;
            let limit = |n: i64| if n > 0 { n.to_string() } else { "none".into() };
            println!("uploads\t{}", if t.enabled { "on" } else { "off" });
            println!("max_file_size\t{}", limit(t.max_file_size));
            println!("max_expiry_secs\t{}", limit(t.max_time_limit_secs));
            println!(
                "set_by\t{}",
                if policy.from_console {
                    "admin"
                } else {
                    "configuration"
                }
            );
        }
    }
    Ok(())
}

async fn webhook(
    cfg: &Config,
    parts: &server::Parts,
    command: WebhookCommand,
) -> anyhow::Result<()> {
    use crate::library::webhooks;
    let db = &parts.db;
    let last = |at: i64, status: &str, attempts: i64| {
        if at > 0 {
            format!("{status} at {} ({attempts} attempts)", rfc3339(at))
        } else {
            "never attempted".to_string()
        }
    };
    match command {
        WebhookCommand::List { all } => {
            let mut list = webhooks::list(db, None).await?;
            if all {
                list.extend(db.all_account_webhooks().await?);
            }
            for e in list {
                let owner = e
                    .user_id
                    .map_or("operator".to_string(), |u| format!("user {u}"));
                println!(
                    "{}\t{owner}\t{}\t{}\t{}",
                    e.id,
                    e.url,
                    e.events,
                    last(e.last_at, &e.last_status, e.last_attempts)
                );
            }
        }
        WebhookCommand::Add {
            url,
            events,
            secret,
        } => {
            let r = webhooks::add(
                db,
                &parts.secrets,
                &cfg.webhooks,
                None,
                &url,
                &events,
                secret.as_deref(),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("added webhook {} for {}", r.endpoint.id, r.endpoint.events);
            println!("secret: {}", r.secret);
        }
        WebhookCommand::Remove { id } => {
            webhooks::remove(db, None, id)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("removed webhook {id}");
        }
        WebhookCommand::Deliveries { id, limit } => {
            for d in db.webhook_deliveries(id, limit.clamp(1, 1000)).await? {
                let state = crate::db::webhooks::DeliveryState::from_code(d.state).name();
                println!(
                    "{}\t{}\t{}\t{state}\t{}",
                    d.msg_id,
                    d.event,
                    rfc3339(d.created),
                    last(d.last_at, &d.last_status, d.attempts)
                );
            }
        }
    }
    Ok(())
}

fn copied(what: &str, summary: &crate::ops::backup::Summary) -> anyhow::Result<()> {
    for failure in &summary.failed {
        println!("failed: {failure}");
    }
    println!("{what} {} files, {} bytes", summary.files, summary.bytes);
    anyhow::ensure!(
        summary.failed.is_empty(),
        "{} files could not be copied",
        summary.failed.len()
    );
    Ok(())
}

/// Who the audit log says did what these commands do.
const BY: Origin = Origin::ADMIN_CLI;

/// `admin user delete` without --yes: the user name typed again.
fn confirm_deletion(user: &User) -> anyhow::Result<()> {
    anyhow::ensure!(
        std::io::stdin().is_terminal(),
        "no terminal to confirm on: add --yes to delete {} and its files",
        user.user_name
    );
    eprint!(
        "Delete {} and {} bytes of files for good? Type the user name to confirm: ",
        user.user_name, user.disk_used
    );
    let typed = crate::client_cli::stdin_line()?;
    anyhow::ensure!(
        typed.trim() == user.user_name,
        "not confirmed: nothing deleted"
    );
    Ok(())
}

/// `--since`: RFC 3339, or an age with a unit (s, m, h, d) before now.
fn parse_since(given: &str) -> anyhow::Result<i64> {
    let given = given.trim();
    if let Ok(t) =
        time::OffsetDateTime::parse(given, &time::format_description::well_known::Rfc3339)
    {
        return Ok(t.unix_timestamp());
    }
    match dropspace_proto::size::parse_duration(given) {
        Ok(age) => Ok(crate::db::now() - age),
        Err(_) => anyhow::bail!("--since takes RFC 3339 or an age such as 30m, 24h or 7d: {given}"),
    }
}

/// `admin audit`'s output: tab-separated lines under a header, or JSON.
fn print_audit(rows: &[crate::db::audit::AuditRow], json: bool) -> anyhow::Result<()> {
    if json {
        let entries: Vec<_> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id,
                    "at": rfc3339(r.at),
                    "event": r.event,
                    "user_id": r.user_id,
                    "user_name": r.user_name,
                    "actor": r.actor,
                    "address": r.address,
                    "detail": r.detail,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&entries)?);
        return Ok(());
    }
    let dash = |s: &str| {
        if s.is_empty() {
            "-".to_string()
        } else {
            s.to_string()
        }
    };
    println!("TIME\tEVENT\tUSER\tACTOR\tADDRESS\tDETAIL");
    for r in rows {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            rfc3339(r.at),
            r.event,
            dash(&r.user_name),
            r.actor,
            dash(&r.address),
            dash(&r.detail)
        );
    }
    Ok(())
}

async fn named_user(db: &Db, user_name: &str) -> anyhow::Result<User> {
    db.user_by_name(user_name)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no user named {user_name}"))
}

async fn user_id(db: &Db, user_name: &str) -> anyhow::Result<i64> {
    Ok(named_user(db, user_name).await?.id)
}

/// A new account's password: `--password`, the first line of standard
/// input (`--password-stdin`), or asked twice on the terminal.
fn new_password(given: Option<String>, from_stdin: bool) -> anyhow::Result<String> {
    let password = match given {
        Some(p) => p,
        None if from_stdin => {
            crate::client_cli::stdin_line().context("reading the password from standard input")?
        }
        None if !std::io::stdin().is_terminal() => {
            anyhow::bail!("no terminal to ask for the password: pass --password-stdin and pipe it")
        }
        None => {
            let first = rpassword::prompt_password("Password: ")?;
            let again = rpassword::prompt_password("Password again: ")?;
            anyhow::ensure!(first == again, "the two passwords differ");
            first
        }
    };
    anyhow::ensure!(!password.is_empty(), "a password is required");
    Ok(password)
}

/// `admin user set-quota`: bytes with an optional K, M or G suffix, `0`,
/// `unlimited` (or -1), or `tier` for the tier's quota again.
async fn set_quota(db: &Db, user: &User, quota: &str) -> anyhow::Result<()> {
    let shown = admin::set_quota(db, user, admin::parse_quota(quota)?, BY).await?;
    println!("{}: disk quota {shown}", user.user_name);
    Ok(())
}

/// `admin user show`: one `key: value` line each.
fn show_user(cfg: &Config, u: &User) {
    let status = if u.disabled != 0 {
        format!("disabled since {}", rfc3339(u.disabled))
    } else if u.activated == 0 {
        "not activated".into()
    } else {
        "active".into()
    };
    let quota = match (u.diskspace(cfg), u.diskspace_override.is_some()) {
        (-1, own) => format!("unlimited{}", if own { " (its own)" } else { "" }),
        (q, true) => format!("{q} bytes (its own)"),
        (q, false) => format!("{q} bytes (the tier's)"),
    };
    let ends = match u.membership_ends {
        0 => String::new(),
        t => format!(", ends {}", rfc3339(t)),
    };
    println!("id: {}", u.id);
    println!("user name: {}", u.user_name);
    println!("full name: {}", u.full_name);
    println!("email: {}", u.email);
    println!("status: {status}");
    println!("membership: {}{ends}", u.membership);
    println!("admin: {}", if u.is_admin != 0 { "yes" } else { "no" });
    match u.totp_enabled {
        0 => println!("two-factor login: off"),
        t => println!("two-factor login: on since {}", rfc3339(t)),
    }
    println!("disk used: {} bytes", u.disk_used);
    println!("disk quota: {quota}");
    match u.bandwidth_left(cfg) {
        -1 => println!("bandwidth left this month: unlimited"),
        left => println!("bandwidth left this month: {left} bytes"),
    }
}

async fn credentials(parts: &server::Parts, command: CredentialsCommand) -> anyhow::Result<()> {
    use crate::library::file_send as credentials;
    let db = &parts.db;
    match command {
        CredentialsCommand::Create {
            user_name,
            allow_ip,
            signed_body,
        } => {
            let uid = user_id(db, &user_name).await?;
            let options = credentials::CredentialOptions {
                allowed: allow_list(&allow_ip)?,
                signed_body,
            };
            let (key, secret) =
                credentials::create_credential(db, &parts.secrets, uid, &options).await?;
            let user = named_user(db, &user_name).await?;
            audit::note(
                db,
                Event::CredentialsCreated,
                BY,
                Some(&user),
                format!("key {key}"),
            )
            .await;
            println!("{key} {secret}");
        }
        CredentialsCommand::Set {
            api_key,
            allow_ip,
            any_ip,
            signed_body,
        } => {
            let allowed = if any_ip {
                Some(credentials::AllowList::default())
            } else if allow_ip.is_empty() {
                None
            } else {
                Some(allow_list(&allow_ip)?)
            };
            let signed_body = signed_body.map(|s| matches!(s, OnOff::On));
            anyhow::ensure!(
                allowed.is_some() || signed_body.is_some(),
                "nothing to change: give --allow-ip, --any-ip or --signed-body on|off"
            );
            anyhow::ensure!(
                credentials::set_credential_options(
                    db,
                    api_key.trim(),
                    allowed.as_ref(),
                    signed_body
                )
                .await?,
                "no active key {api_key}"
            );
            audit::note(
                db,
                Event::CredentialsChanged,
                BY,
                None,
                format!("key {api_key}"),
            )
            .await;
            println!("updated {api_key}");
        }
        CredentialsCommand::List { user_name } => {
            let uid = user_id(db, &user_name).await?;
            for c in credentials::credentials(db, uid).await? {
                let state = if c.is_revoked() { "revoked" } else { "active" };
                let ips = if c.allowed_ips.is_empty() {
                    "any"
                } else {
                    c.allowed_ips.as_str()
                };
                let body = if c.signed_body() { "on" } else { "off" };
                println!(
                    "{}\t{state}\tcreated {}\tallow-ip {ips}\tsigned-body {body}",
                    c.api_key, c.created
                );
            }
        }
        CredentialsCommand::Revoke { api_key } => {
            anyhow::ensure!(
                credentials::revoke_credential(db, api_key.trim()).await?,
                "no active key {api_key}"
            );
            audit::note(
                db,
                Event::CredentialsRevoked,
                BY,
                None,
                format!("key {api_key}"),
            )
            .await;
            println!("revoked {api_key}");
        }
    }
    Ok(())
}

/// `--allow-ip` values (each a comma list) as one allow-list.
fn allow_list(values: &[String]) -> anyhow::Result<crate::library::file_send::AllowList> {
    crate::library::file_send::AllowList::parse(&values.join(","))
        .map_err(|e| anyhow::anyhow!("--allow-ip {e}"))
}

async fn group(db: &crate::db::Db, command: GroupCommand) -> anyhow::Result<()> {
    use crate::library::groups;
    match command {
        GroupCommand::Create { name } => {
            let id = groups::create(db, &name).await?;
            println!("{id}");
        }
        GroupCommand::AddMember { group, user_name } => {
            let gid = groups::find(db, &group).await?;
            let uid = user_id(db, &user_name).await?;
            groups::add_member(db, gid, uid).await?;
            println!("{user_name} is in group {gid}");
        }
        GroupCommand::RemoveMember { group, user_name } => {
            let gid = groups::find(db, &group).await?;
            let uid = user_id(db, &user_name).await?;
            anyhow::ensure!(
                groups::remove_member(db, gid, uid).await?,
                "{user_name} is not in group {gid}"
            );
            println!("{user_name} left group {gid}");
        }
        GroupCommand::List => {
            for g in groups::list(db).await? {
                println!("{}\t{}\t{}", g.id, g.name, g.members.join(","));
            }
        }
    }
    Ok(())
}
