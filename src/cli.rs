//! The command line: `dropspace serve` and `dropspace admin …`
//! (CONTRACT.md), with room for `dropspace client …`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::Config;
use crate::library::accounts::{self, NewUser};
use crate::server;

#[derive(Parser)]
#[command(
    name = "dropspace",
    version,
    about = "Self-hosted file sharing that speaks the sendspace API"
)]
pub struct Cli {
    /// Configuration file (TOML); every key can be overridden by DROPSPACE_* variables.
    #[arg(long, global = true, env = "DROPSPACE_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the server in the foreground until SIGINT/SIGTERM.
    Serve,
    /// Administer a deployment (works while the server runs).
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// A client of any sendspace-compatible server: log in, upload,
    /// download, manage files and folders (docs/cli.md).
    Client(crate::client_cli::ClientArgs),
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
    Maintenance { state: OnOff },
    /// User groups, the file_send API's `user_group_ids`.
    Group {
        #[command(subcommand)]
        command: GroupCommand,
    },
    /// Check that database rows and blobs agree (sizes, BLAKE3 checksums,
    /// orphans, disk use); exits 1 while problems remain.
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
    Backup { dir: PathBuf },
    /// Restore a backup onto an empty data directory / database / store.
    Restore { dir: PathBuf },
}

#[derive(Subcommand)]
pub enum GroupCommand {
    /// Create a group; prints its numeric id.
    Create { name: String },
    /// Add an account to a group (by group id or name).
    AddMember {
        group: String,
        #[arg(long)]
        user_name: String,
    },
    /// Take an account out of a group.
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
    Revoke {
        #[arg(long)]
        api_key: String,
    },
}

#[derive(Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key; it is printed alone on the last line.
    Create {
        #[arg(long, default_value = "")]
        name: String,
        /// Clients with an older app_version get error 25.
        #[arg(long, default_value = "")]
        min_app_version: String,
    },
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
    Create {
        #[arg(long)]
        user_name: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long, default_value = "")]
        full_name: String,
        #[arg(long, value_enum, default_value = "lite")]
        membership: Membership,
    },
    /// Change an account's tier and, for paid tiers, when it ends.
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
    /// Key/secret pairs for the signed file_send API.
    ApiCredentials {
        #[command(subcommand)]
        command: CredentialsCommand,
    },
}

/// Most threads of the runtime's blocking pool.
const BLOCKING_THREADS: usize = 64;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Client(args) = cli.command {
        // Its own exit codes, and no server configuration to load.
        return crate::client_cli::main(args);
    }
    init_tracing(matches!(cli.command, Command::Serve));
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
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(serving: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if serving { "info" } else { "warn" };
    let filter =
        EnvFilter::try_from_env("DROPSPACE_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let cfg = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve => server::serve(cfg).await,
        Command::Admin { command } => admin(cfg, command).await,
        // Dispatched by `main` before the configuration is read.
        Command::Client(_) => Ok(()),
    }
}

async fn admin(cfg: Config, command: AdminCommand) -> anyhow::Result<()> {
    if let AdminCommand::Restore { dir } = &command {
        // Before `open`, which would create a database and a key.
        let summary = crate::ops::backup::restore(&cfg, dir).await?;
        return copied("restored", &summary);
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
            let key = server::create_api_key(db, &name, &min_app_version).await?;
            println!("{key}");
        }
        AdminCommand::User {
            command:
                UserCommand::Create {
                    user_name,
                    email,
                    password,
                    full_name,
                    membership,
                },
        } => {
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
            let done = db
                .set_membership(&user_name, membership.as_str(), ends)
                .await?;
            anyhow::ensure!(done, "no user named {user_name}");
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
        AdminCommand::Group { command } => group(db, command).await?,
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
        AdminCommand::Maintenance { state } => {
            let value = match state {
                OnOff::On => "on",
                OnOff::Off => "off",
            };
            db.set_setting("maintenance", value).await?;
            println!("maintenance {value}");
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

async fn user_id(db: &crate::db::Db, user_name: &str) -> anyhow::Result<i64> {
    Ok(db
        .user_by_name(user_name)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no user named {user_name}"))?
        .id)
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
