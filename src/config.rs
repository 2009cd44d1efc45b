//! Configuration: one TOML file plus `DROPSPACE_*` environment overrides
//! (sections joined by `__`), as docs/configuration.md describes.

use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Deserializer, Serialize};

const MIB: i64 = 1024 * 1024;
const GIB: i64 = 1024 * MIB;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    pub data_dir: PathBuf,
    /// `host:port` to bind; a bare port means `127.0.0.1:PORT`.
    #[serde(deserialize_with = "de_listen")]
    pub listen: String,
    /// Base of every URL handed out; defaults to `http://{bound address}`.
    pub public_url: Option<String>,
    /// `sqlite://…` or `postgres://…`; defaults to `data_dir/dropspace.db`.
    pub database_url: Option<String>,
    /// Hex key (64 chars) that encrypts stored secrets; defaults to a key file
    /// in `data_dir/secrets` so a database dump alone is useless.
    pub secret_key: Option<String>,
    pub registration: bool,
    /// Whether anonymous uploads may name `recipient_email` (docs/security.md).
    pub anonymous_recipients: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// With `trust_forwarded_for`: how many proxies in front append to
    /// `X-Forwarded-For`; the client is that many entries from the right.
    pub trusted_proxies: usize,
    /// Seconds running transfers get to finish after SIGTERM.
    pub shutdown_grace_secs: u64,
    /// When set, `/metrics` answers only requests with
    /// `Authorization: Bearer <token>` (compared in constant time); others
    /// get 401 (docs/security.md).
    pub metrics_token: Option<String>,
    /// When set, `/metrics` is served on this address alone (e.g. a private
    /// interface) and the main listener answers 404 for it.
    #[serde(deserialize_with = "de_opt_listen")]
    pub metrics_listen: Option<String>,
    pub log: LogConfig,
    pub mail: MailConfig,
    pub storage: StorageConfig,
    pub limits: Limits,
    pub tiers: Tiers,
    pub tus: TusConfig,
    pub scan: ScanConfig,
    pub preview: PreviewConfig,
    pub web: WebConfig,
    pub auth: AuthConfig,
    pub ldap: LdapConfig,
    pub oidc: OidcConfig,
    pub webhooks: WebhooksConfig,
    pub expiry: ExpiryConfig,
}

/// Webhooks (docs/webhooks.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhooksConfig {
    /// Let account endpoints be loopback, private or link-local addresses
    /// (off on the open internet: the server would POST into its own
    /// network). Operator-wide endpoints may always be.
    #[serde(deserialize_with = "de_flag")]
    pub allow_private_addresses: bool,
    /// Attempts of a delivery before it is given up.
    pub max_attempts: i64,
    /// Seconds before the first retry; doubled after each failed attempt
    /// (at most a day).
    pub retry_base_secs: i64,
    /// Seconds an attempt may take, connecting to the last byte.
    pub timeout_secs: u64,
    /// Endpoints one account may register.
    pub endpoints_per_account: i64,
    /// Largest payload sent; a bigger event is logged and not sent.
    pub max_payload_bytes: usize,
    /// Bytes of an endpoint's answer read before the connection is dropped.
    pub max_response_bytes: usize,
    /// Seconds delivered and given-up deliveries stay listed.
    pub keep_deliveries_secs: i64,
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        WebhooksConfig {
            allow_private_addresses: false,
            max_attempts: 8,
            retry_base_secs: 30,
            timeout_secs: 10,
            endpoints_per_account: 10,
            max_payload_bytes: 64 * 1024,
            max_response_bytes: 4096,
            keep_deliveries_secs: 7 * 86_400,
        }
    }
}

/// The expiry lifecycle: warnings before expiry and their extend links
/// (docs/expiry.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ExpiryConfig {
    /// How long before a file, bundle or sent link expires its owner is
    /// mailed a warning with an extend link; 0: no warnings.
    pub warn_before_secs: i64,
    /// How long an extension lasts where the owner's tier has no default
    /// time limit (always within the tier's maximum).
    pub extend_secs: i64,
}

impl Default for ExpiryConfig {
    fn default() -> Self {
        ExpiryConfig {
            warn_before_secs: 2 * 86_400,
            extend_secs: 7 * 86_400,
        }
    }
}

/// Choices the upload page offers (docs/web.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct WebConfig {
    /// The expiry times offered at upload, in seconds; 0 is "never". The
    /// page shows those within the uploader's tier maximum
    /// (`max_time_limit_secs`).
    pub expiry_choices_secs: Vec<i64>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            expiry_choices_secs: vec![3600, 86_400, 7 * 86_400, 30 * 86_400, 0],
        }
    }
}

/// Logging in (docs/accounts.md).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthConfig {
    /// Whose web logins need a second factor: `off` (whoever turned it
    /// on), `admins`, or `everyone`; those without one enrol at login.
    pub require_two_factor: RequireTwoFactor,
}

/// Logging in with an OpenID Connect provider (docs/accounts.md, "Single
/// sign-on").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct OidcConfig {
    /// The provider's issuer URL (discovery at
    /// `/.well-known/openid-configuration`); empty: no single sign-on.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// What the login page's button says.
    pub button: String,
    /// Scopes asked for besides `openid`.
    pub scopes: Vec<String>,
    /// The claim (ID token or user info) whose groups decide the admin
    /// role and the tier.
    pub groups_claim: String,
    /// Group names (as the claim has them); empty: not decided here.
    pub admin_group: String,
    pub pro_group: String,
    pub max_group: String,
    /// Seconds the provider's clock may be ahead of ours or behind.
    pub clock_skew_secs: u64,
    /// Local passwords off: the web login is single sign-on only, and API
    /// logins take app passwords only.
    pub sso_only: bool,
}

impl Default for OidcConfig {
    fn default() -> Self {
        OidcConfig {
            issuer: String::new(),
            client_id: String::new(),
            client_secret: None,
            button: "Log in with single sign-on".into(),
            scopes: vec!["email".into(), "profile".into()],
            groups_claim: "groups".into(),
            admin_group: String::new(),
            pro_group: String::new(),
            max_group: String::new(),
            clock_skew_secs: 60,
            sso_only: false,
        }
    }
}

/// Logging in with an LDAP directory's accounts (docs/accounts.md, "LDAP").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LdapConfig {
    /// `ldap://host:port` or `ldaps://…`; empty: no directory.
    pub url: String,
    /// Upgrade an `ldap://` connection with STARTTLS before binding.
    pub starttls: bool,
    /// Bind as the user: their DN with `{user}` for the name typed, e.g.
    /// `uid={user},ou=people,dc=example,dc=org`. Empty: search first.
    pub user_dn: String,
    /// Search, then bind: the service account that searches.
    pub bind_dn: String,
    pub bind_password: Option<String>,
    /// Where users are searched (subtree).
    pub base_dn: String,
    /// Which entry is the user; `{user}` is the name typed (escaped).
    pub user_filter: String,
    /// The user's e-mail address.
    pub mail_attribute: String,
    /// Where groups are searched; empty: groups are not read.
    pub group_base_dn: String,
    /// Groups of the user; `{dn}` is the user's DN (escaped).
    pub group_filter: String,
    /// Members of this group (DN or cn) are admins; empty: the directory
    /// does not decide the admin role.
    pub admin_group: String,
    /// Members of these groups get the pro or max tier; others lite (both
    /// empty: the directory does not decide tiers).
    pub pro_group: String,
    pub max_group: String,
    /// Seconds for connecting and for each operation.
    pub timeout_secs: u64,
}

impl Default for LdapConfig {
    fn default() -> Self {
        LdapConfig {
            url: String::new(),
            starttls: false,
            user_dn: String::new(),
            bind_dn: String::new(),
            bind_password: None,
            base_dn: String::new(),
            user_filter: "(uid={user})".into(),
            mail_attribute: "mail".into(),
            group_base_dn: String::new(),
            group_filter: "(|(member={dn})(uniqueMember={dn}))".into(),
            admin_group: String::new(),
            pro_group: String::new(),
            max_group: String::new(),
            timeout_secs: 5,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequireTwoFactor {
    #[default]
    Off,
    Admins,
    Everyone,
}

/// Previews, thumbnails and QR codes of the web pages (docs/web.md,
/// "Previews, thumbnails and QR codes").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct PreviewConfig {
    /// Images, video, audio and PDF files up to this size get a preview on
    /// their download page; 0 = no previews at all.
    pub max_bytes: i64,
    /// A text preview shows at most this many first bytes of the file.
    pub text_bytes: i64,
    /// How long a signed preview URL works (a video played from it asks
    /// for ranges all along).
    pub url_ttl_secs: i64,
    /// Thumbnails fit in a square of this many pixels.
    pub thumb_px: u32,
    /// Images up to this size get a thumbnail (the source is read whole to
    /// decode it); 0 = no thumbnails.
    pub thumb_source_max_bytes: i64,
    /// Wider or taller images get no thumbnail (decompression bombs).
    pub thumb_max_dimension: u32,
    /// Memory one thumbnail's decoding may allocate.
    pub thumb_max_alloc_bytes: u64,
    /// Thumbnails made at once on one node (the others wait).
    pub thumb_concurrency: usize,
}

impl Default for PreviewConfig {
    fn default() -> Self {
        PreviewConfig {
            max_bytes: 100 * MIB,
            text_bytes: 256 * 1024,
            url_ttl_secs: 3600,
            thumb_px: 256,
            thumb_source_max_bytes: 20 * MIB,
            thumb_max_dimension: 12_000,
            thumb_max_alloc_bytes: 256 * 1024 * 1024,
            thumb_concurrency: 2,
        }
    }
}

/// Virus scanning of uploads by ClamAV's clamd (docs/scanning.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ScanConfig {
    /// clamd's address: `unix:/path`, `tcp:host:port` or `host:port`;
    /// unset: uploads are not scanned.
    pub clamd: Option<String>,
    /// When clamd cannot be reached, times out or fails: refuse the upload
    /// (true) or store it unscanned with a warning (false).
    #[serde(deserialize_with = "de_flag")]
    pub fail_closed: bool,
    /// Files up to this size are scanned before their upload is answered;
    /// larger ones are quarantined or stored unscanned; -1 = every file.
    pub max_bytes: i64,
    /// Files over `max_bytes` are stored hidden (not listed, not
    /// downloadable) until a background scan finds them clean, and deleted
    /// when it finds them infected; false: stored unscanned.
    #[serde(deserialize_with = "de_flag")]
    pub quarantine_large: bool,
    /// Each step of an exchange with clamd (connecting, sending a chunk,
    /// waiting for the verdict) must end within this.
    pub timeout_secs: u64,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            clamd: None,
            fail_closed: true,
            // clamd's own default StreamMaxLength (25M).
            max_bytes: 25 * MIB,
            quarantine_large: true,
            timeout_secs: 60,
        }
    }
}

/// How log lines are written (the filter is `DROPSPACE_LOG`, docs/operations.md).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LogConfig {
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Plain lines; coloured only when standard error is a terminal.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Resumable uploads (docs/resumable.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct TusConfig {
    /// Bytes per request the browser upload page sends: below the body cap
    /// of any proxy in front (100 MB at Cloudflare and most ingresses).
    pub chunk_bytes: u64,
}

impl Default for TusConfig {
    fn default() -> Self {
        TusConfig {
            chunk_bytes: 50 * 1024 * 1024,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./data"),
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            database_url: None,
            secret_key: None,
            registration: true,
            anonymous_recipients: true,
            trust_forwarded_for: false,
            trusted_proxies: 1,
            shutdown_grace_secs: 30,
            metrics_token: None,
            metrics_listen: None,
            log: LogConfig::default(),
            mail: MailConfig::default(),
            storage: StorageConfig::default(),
            limits: Limits::default(),
            tiers: Tiers::default(),
            tus: TusConfig::default(),
            scan: ScanConfig::default(),
            preview: PreviewConfig::default(),
            web: WebConfig::default(),
            auth: AuthConfig::default(),
            ldap: LdapConfig::default(),
            oidc: OidcConfig::default(),
            webhooks: WebhooksConfig::default(),
            expiry: ExpiryConfig::default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct MailConfig {
    /// `smtp://user:pass@host:port` or `smtps://…`; unset writes `.eml` files.
    pub smtp_url: Option<String>,
    pub from: String,
    pub max_attempts: i64,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            smtp_url: None,
            from: "dropspace <noreply@localhost>".into(),
            max_attempts: 10,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageConfig {
    /// `fs` or `s3`.
    pub backend: String,
    pub s3: S3Config,
    /// Files up to this many bytes are kept in the database, written in
    /// the same commit as their row, instead of a blob each; 0 = never
    /// (docs/architecture.md, "Small files inline").
    pub inline_max_bytes: usize,
    /// Fault injection for tests: while a file exists at this path every
    /// storage operation fails like a dead store. Unset in production.
    pub fail_if_exists: Option<PathBuf>,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            backend: "fs".into(),
            s3: S3Config::default(),
            inline_max_bytes: 16 * 1024,
            fail_if_exists: None,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct S3Config {
    pub endpoint: Option<String>,
    pub bucket: String,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    /// Virtual-host style addressing; path style (the default) suits MinIO & co.
    pub virtual_host_style: bool,
    /// Multipart part size in bytes (memory per upload is bounded by it).
    pub part_size: Option<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    pub max_sessions_per_user: i64,
    pub addressbook_size: i64,
    pub token_ttl_secs: i64,
    pub session_idle_secs: i64,
    /// How long a node may answer from its in-process copy of an API
    /// session and its account, and `files.getInfo` from its copy of a
    /// file: a change on another node is seen within this; 0 = read every
    /// call (docs/architecture.md, "Session cache").
    pub session_cache_ms: u64,
    pub upload_identifier_ttl_secs: i64,
    /// An unfinished resumable upload is given up (its bytes removed, its
    /// space returned) this long after it was created (docs/resumable.md).
    pub tus_expiry_secs: i64,
    /// Parts one resumable upload may be sent in (concatenation).
    pub tus_max_parts: i64,
    /// Signed direct download URLs stay valid this long.
    pub download_url_ttl_secs: i64,
    /// Seconds the blob of a file deleted by a download limit is kept, so
    /// the download that reached the limit can still open it.
    pub deleted_blob_grace_secs: i64,
    /// Bytes past `downloads_limit` whole copies a limited file may serve,
    /// in percent of one copy, so a resume may re-fetch what a cut
    /// connection lost: at least 8 MiB, at most half a copy (so a limit of
    /// N never lets N+1 whole copies through); 0 = none (docs/security.md).
    pub download_retry_percent: i64,
    /// A download of a limited file holds its reservation this long without
    /// progress: its stream refreshes it while bytes flow; a claim silent
    /// for a third of this may be released by a resume of the same link,
    /// and one silent for all of it (a crashed node, a stalled client) is
    /// swept and its stream stops (docs/api-notes.md).
    pub download_claim_lease_secs: i64,
    /// Days a completed download stays in the download log (who
    /// downloaded; docs/receipts.md); swept in the background.
    pub download_log_retention_days: i64,
    /// Days a file_send delivery receipt stays fetchable (docs/receipts.md).
    pub receipt_retention_days: i64,
    /// Days an audit log entry is kept (docs/audit.md); 0 or less keeps
    /// them all.
    pub audit_retention_days: i64,
    /// App passwords one account may have (docs/accounts.md).
    pub max_app_passwords: i64,
    /// Most age public keys one account publishes (docs/encryption.md).
    pub max_age_keys: i64,
    /// Seconds a mailed password-reset or e-mail confirmation link works.
    pub account_link_ttl_secs: i64,
    /// Password-reset and e-mail confirmation mails per client address
    /// per hour (docs/accounts.md).
    pub account_mails_per_hour_per_address: i64,
    /// The same, per account: more requests are answered alike but send
    /// nothing.
    pub account_mails_per_hour_per_account: i64,
    /// Failed logins per account allowed before each further try must wait.
    pub login_failures_per_account: i64,
    /// Failed logins per client address allowed before each further try must wait.
    pub login_failures_per_address: i64,
    /// Seconds a throttled account or address must wait between tries.
    pub login_delay_secs: i64,
    /// Wrong download passwords per file, and per client address (all
    /// files), allowed before each further try must wait (docs/security.md).
    pub download_password_failures_per_file: i64,
    pub download_password_failures_per_address: i64,
    /// Seconds a throttled file or address must wait between password tries.
    pub download_password_delay_secs: i64,
    /// Largest `/rest/` request body (parameters only; uploads go elsewhere).
    pub max_api_body_bytes: usize,
    /// An upload whose client sends nothing for this long fails (slowloris).
    pub upload_idle_secs: u64,
    /// Seconds `progress_url` keeps answering `done`/`fail` after an upload.
    pub progress_keep_secs: i64,
    /// An upload whose progress has not moved for this long is taken as
    /// dead (its node crashed): its reservation is released.
    pub stale_upload_secs: i64,
    /// A blob written but never attached to a file row is removed after this.
    pub pending_blob_grace_secs: i64,
    /// API calls (`/rest/`, `/api/`) a client address may make per second
    /// on one node, and the burst it may spend at once; 0 = no limit.
    pub api_calls_per_address: u32,
    pub api_burst_per_address: u32,
    /// The same per account (session).
    pub api_calls_per_account: u32,
    pub api_burst_per_account: u32,
    /// Upload identifiers (`upload.getInfo`, `anonymous.uploadGetInfo`) an
    /// address or an account may ask for per minute, and at once; 0 = no limit.
    pub upload_starts_per_minute: u32,
    pub upload_starts_burst: u32,
    /// Uploads streaming at the same time per account (all nodes) and per
    /// client address (per node); 0 = no limit.
    pub open_uploads_per_account: i64,
    pub open_uploads_per_address: usize,
    /// Largest request head (request line and headers) in bytes; a larger
    /// one is answered 431.
    pub max_header_bytes: usize,
    /// Upper bound of hyper's per-connection read buffer (0 = hyper's
    /// default, ~400 KiB). Smaller saves memory with thousands of slow
    /// clients; below 64 KiB it costs upload CPU (docs/performance.md).
    pub read_buffer_bytes: usize,
    /// Most headers in one request.
    pub max_headers: usize,
    /// A client must send its whole request head within this (slowloris).
    pub header_read_secs: u64,
    /// Bytes an upload form may send outside part bodies in one stretch
    /// (before the first part, each boundary line and part head).
    pub form_head_bytes: u64,
    /// An upload form must reach its file's bytes within this.
    pub form_head_secs: u64,
    /// Most `recipient_email` addresses on one upload, anonymous and with
    /// an account (more is error 21).
    pub recipients_per_upload_anonymous: usize,
    pub recipients_per_upload_account: usize,
    /// Most files in one anonymous bundle (docs/web.md, "Bundles").
    pub bundle_max_files: usize,
    /// Most files (and folders) one zip download gathers; a shared folder
    /// holding more gets no zip (docs/zip.md).
    pub zip_max_files: usize,
    /// Open file requests one account may have at once
    /// (docs/file-requests.md).
    pub file_requests_per_account: usize,
    /// Share mails (upload recipients, `files.sendMail`, `folders.sendMail`)
    /// a client address and an account may send per hour, all nodes
    /// together; 0 = no limit.
    pub mails_per_hour_per_address: i64,
    pub mails_per_hour_per_account: i64,
    /// A new connection must send its first byte within this.
    pub first_byte_secs: u64,
    /// A connection with no request open is closed after this (HTTP/1
    /// keep-alive and HTTP/2 alike).
    pub idle_connection_secs: u64,
    /// HTTP/2: ping a peer this often, and close the connection when the
    /// answer takes longer than this; 0 = no pings.
    pub http2_ping_secs: u64,
    /// Open connections per client address (IPv6: per /64); one more is
    /// closed at once. 0 = no limit; not applied with `trust_forwarded_for`
    /// (every connection comes from the proxy then).
    pub connections_per_address: usize,
    /// Public pages opened by id or token (download, folder, RSS, delete,
    /// activation and recipient-link pages) a client address (IPv6: per
    /// /64) may open per minute on one node, and at once; 0 = no limit.
    pub page_views_per_address: u32,
    pub page_views_burst: u32,
    /// What one of those pages answered 404 (an id or token guessed wrong)
    /// costs, in page views (docs/security.md).
    pub page_miss_weight: u32,
    /// `progress_url` reads per minute per client address (IPv6: per /64)
    /// on one node, and at once: uploaders poll it about once a second
    /// per upload; 0 = no limit.
    pub progress_polls_per_address: u32,
    pub progress_polls_burst: u32,
}

impl Limits {
    /// How long a whole API request body may take to arrive: as long as an
    /// upload may sit idle (a body of parameters is small).
    pub fn body_deadline(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.upload_idle_secs.max(1))
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_sessions_per_user: 20,
            addressbook_size: 1000,
            token_ttl_secs: 900,
            session_idle_secs: 86400,
            session_cache_ms: 1000,
            upload_identifier_ttl_secs: 86400,
            tus_expiry_secs: 86400,
            tus_max_parts: 64,
            download_url_ttl_secs: 6 * 3600,
            deleted_blob_grace_secs: 60,
            download_retry_percent: 10,
            download_claim_lease_secs: 60,
            download_log_retention_days: 90,
            receipt_retention_days: 365,
            audit_retention_days: 365,
            max_app_passwords: 20,
            max_age_keys: 10,
            account_link_ttl_secs: 3600,
            account_mails_per_hour_per_address: 10,
            account_mails_per_hour_per_account: 3,
            login_failures_per_account: 5,
            login_failures_per_address: 20,
            login_delay_secs: 20,
            download_password_failures_per_file: 10,
            download_password_failures_per_address: 20,
            download_password_delay_secs: 30,
            max_api_body_bytes: 1024 * 1024,
            upload_idle_secs: 60,
            progress_keep_secs: 3600,
            stale_upload_secs: 600,
            pending_blob_grace_secs: 3600,
            api_calls_per_address: 100,
            api_burst_per_address: 400,
            api_calls_per_account: 50,
            api_burst_per_account: 200,
            upload_starts_per_minute: 120,
            upload_starts_burst: 60,
            open_uploads_per_account: 16,
            open_uploads_per_address: 32,
            max_header_bytes: 64 * 1024,
            read_buffer_bytes: 64 * 1024,
            max_headers: 100,
            header_read_secs: 10,
            form_head_bytes: 64 * 1024,
            form_head_secs: 30,
            recipients_per_upload_anonymous: 10,
            recipients_per_upload_account: 100,
            bundle_max_files: 100,
            zip_max_files: 10_000,
            file_requests_per_account: 100,
            mails_per_hour_per_address: 200,
            mails_per_hour_per_account: 1000,
            first_byte_secs: 10,
            idle_connection_secs: 60,
            http2_ping_secs: 20,
            connections_per_address: 64,
            page_views_per_address: 300,
            page_views_burst: 100,
            page_miss_weight: 10,
            progress_polls_per_address: 3600,
            progress_polls_burst: 600,
        }
    }
}

/// Limits of a membership tier; `-1` means unlimited.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Tier {
    pub max_file_size: i64,
    pub diskspace: i64,
    /// Bytes of downloads per calendar month.
    pub bandwidth: i64,
    #[serde(deserialize_with = "de_flag")]
    pub capable_upload: bool,
    #[serde(deserialize_with = "de_flag")]
    pub capable_download: bool,
    #[serde(deserialize_with = "de_flag")]
    pub capable_folders: bool,
    #[serde(deserialize_with = "de_flag")]
    pub capable_files: bool,
    #[serde(deserialize_with = "de_flag")]
    pub capable_rss: bool,
    /// The longest time limit (seconds) a file of this tier may have; a
    /// file uploaded without one gets this one. -1: no maximum.
    pub max_time_limit_secs: i64,
    /// The time limit (seconds) a file uploaded without one gets, capped
    /// by `max_time_limit_secs`; -1 (or 0): the maximum, if any
    /// (docs/expiry.md).
    pub default_time_limit_secs: i64,
    /// Seconds a deleted or expired file stays in its owner's trash
    /// before its bytes are removed; 0: no trash (docs/expiry.md).
    pub trash_secs: i64,
}

impl Default for Tier {
    fn default() -> Self {
        Tier {
            max_file_size: 300 * MIB,
            diskspace: 10 * GIB,
            bandwidth: -1,
            capable_upload: true,
            capable_download: true,
            capable_folders: true,
            capable_files: true,
            capable_rss: true,
            max_time_limit_secs: -1,
            default_time_limit_secs: -1,
            trash_secs: 7 * 86_400,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AnonymousTier {
    /// Whether visitors without an account may upload at all.
    pub enabled: bool,
    pub max_file_size: i64,
    /// As a tier's `max_time_limit_secs`, for anonymous uploads.
    pub max_time_limit_secs: i64,
    /// As a tier's `default_time_limit_secs`, for anonymous uploads.
    pub default_time_limit_secs: i64,
}

impl Default for AnonymousTier {
    fn default() -> Self {
        AnonymousTier {
            enabled: true,
            max_file_size: 300 * MIB,
            max_time_limit_secs: -1,
            default_time_limit_secs: -1,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Tiers {
    pub anonymous: AnonymousTier,
    pub lite: Tier,
    pub pro: Tier,
    pub max: Tier,
}

impl Default for Tiers {
    fn default() -> Self {
        Tiers {
            anonymous: AnonymousTier::default(),
            lite: Tier::default(),
            pro: Tier {
                max_file_size: 4 * GIB,
                diskspace: 100 * GIB,
                ..Tier::default()
            },
            max: Tier {
                max_file_size: -1,
                diskspace: -1,
                ..Tier::default()
            },
        }
    }
}

impl Tiers {
    /// The tier for a membership name; unknown names get `lite`.
    pub fn get(&self, membership: &str) -> &Tier {
        match membership {
            "pro" => &self.pro,
            "max" => &self.max,
            _ => &self.lite,
        }
    }
}

/// Flags are accepted as booleans or as 0/1 (environment overrides are numbers).
fn de_flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        B(bool),
        I(i64),
        S(String),
    }
    match Flag::deserialize(d)? {
        Flag::B(b) => Ok(b),
        Flag::I(i) => Ok(i != 0),
        Flag::S(s) => match s.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            other => Err(serde::de::Error::custom(format!("not a flag: {other}"))),
        },
    }
}

/// A listen address: `host:port`, or a bare port (a number in TOML or in
/// `DROPSPACE_LISTEN`) meaning `127.0.0.1:PORT`.
fn de_listen<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Listen::deserialize(d)?.checked()
}

fn de_opt_listen<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<Listen>::deserialize(d)?
        .map(Listen::checked)
        .transpose()
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Listen {
    Port(u64),
    Text(String),
}

impl Listen {
    fn checked<E: serde::de::Error>(self) -> Result<String, E> {
        let text = match self {
            Listen::Port(p) => p.to_string(),
            Listen::Text(t) => t,
        };
        listen_address(&text).map_err(E::custom)
    }
}

/// `host:port` checked and a bare port completed with the loopback host
/// (docs/configuration.md).
pub fn listen_address(text: &str) -> Result<String, String> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<u16>() {
            Ok(port) => Ok(format!("127.0.0.1:{port}")),
            Err(_) => Err(format!("`{text}` is not a port (1-65535)")),
        };
    }
    let hint =
        "must be host:port, e.g. 127.0.0.1:8080 or [::]:8080 (a bare port means 127.0.0.1:PORT)";
    let Some((host, port)) = text.rsplit_once(':') else {
        return Err(format!("`{text}` {hint}"));
    };
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => {
            !host.is_empty()
                && !host.contains(':')
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        }
    };
    if !host_ok || port.parse::<u16>().is_err() {
        return Err(format!("`{text}` {hint}"));
    }
    Ok(text.to_string())
}

/// `public_url` must be an absolute http(s) URL: every link handed out
/// starts with it.
fn check_public_url(url: &str) -> Result<(), String> {
    let hint = "public_url must start with http:// or https://, e.g. https://files.example.com";
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
            if u.query().is_some() || u.fragment().is_some() {
                Err(format!("`{url}`: public_url takes no query or fragment"))
            } else {
                Ok(())
            }
        }
        _ => Err(format!("`{url}`: {hint}")),
    }
}

/// A configuration error in the operator's words, on one line: the key as
/// written in the file (`limits.x`, not figment's `default.limits.x`) and
/// where the value came from.
fn explain(e: figment::Error) -> anyhow::Error {
    let told: Vec<String> = e
        .into_iter()
        .map(|e| {
            let mut line = e.kind.to_string();
            if !e.path.is_empty() {
                line = format!("`{}`: {line}", e.path.join("."));
            }
            match e.metadata.as_ref().map(|m| (&m.source, &m.name)) {
                Some((Some(source), _)) => format!("{line} (in {source})"),
                Some((None, name)) => format!("{line} (from {name})"),
                None => line,
            }
        })
        .collect();
    anyhow::Error::new(ConfigError(format!(
        "invalid configuration: {}",
        told.join("; ")
    )))
}

/// An invalid configuration; its text may span lines (`main` prints it as
/// it is).
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// The configuration in effect as TOML (`dropspace config check`):
/// derived defaults filled in, secrets masked.
pub fn effective(cfg: &Config) -> anyhow::Result<String> {
    const MASK: &str = "(set, not shown)";
    let mask = |v: &mut Option<String>| {
        if v.is_some() {
            *v = Some(MASK.into());
        }
    };
    let mut shown = cfg.clone();
    mask(&mut shown.secret_key);
    mask(&mut shown.metrics_token);
    mask(&mut shown.storage.s3.secret_access_key);
    mask(&mut shown.ldap.bind_password);
    mask(&mut shown.oidc.client_secret);
    shown.database_url = Some(crate::db::redact(&cfg.database_url()));
    shown.mail.smtp_url = cfg.mail.smtp_url.as_deref().map(crate::db::redact);
    shown.public_url = Some(cfg.stated_public_url());
    Ok(toml::to_string(&shown)?)
}

/// `DROPSPACE_*` variables that are not settings: the config file's path,
/// the log filter, the client's own, and the tests' and benches'.
fn not_a_setting(key: &str) -> bool {
    matches!(
        key,
        "config" | "log" | "server" | "api_key" | "client_config"
    ) || key.starts_with("test_")
        || key.ends_with("_seed")
}

/// A key of the file or of a `DROPSPACE_*` variable that no setting has is
/// a mistake (a misspelt `registation = false` would leave registration
/// open): refused, naming the key and the closest known one.
fn refuse_unknown_keys(fig: &Figment) -> anyhow::Result<()> {
    use figment::value::Value;
    /// Each unknown key's dotted path, with the closest known key's.
    fn walk(given: &Value, known: &Value, at: &str, out: &mut Vec<(String, Option<String>)>) {
        let (Value::Dict(_, given), Value::Dict(_, known)) = (given, known) else {
            return;
        };
        let path = |key: &str| match at {
            "" => key.to_string(),
            _ => format!("{at}.{key}"),
        };
        for (key, value) in given {
            match known.get(key) {
                Some(k) => walk(value, k, &path(key), out),
                None => {
                    let closest = known
                        .keys()
                        .map(|k| (strsim::jaro_winkler(key, k), k))
                        .filter(|(score, _)| *score > 0.8)
                        .max_by(|a, b| a.0.total_cmp(&b.0))
                        .map(|(_, k)| path(k));
                    out.push((path(key), closest));
                }
            }
        }
    }
    let known: Value = Figment::from(Serialized::defaults(Config::default()))
        .extract()
        .context("the default configuration")?;
    let given: Value = fig.extract().map_err(explain)?;
    let mut unknown = Vec::new();
    walk(&given, &known, "", &mut unknown);
    let told: Vec<String> = unknown
        .iter()
        .map(|(key, closest)| {
            let env = format!("DROPSPACE_{}", key.replace('.', "__").to_ascii_uppercase());
            match closest {
                Some(k) => format!("`{key}` (or {env}): did you mean `{k}`?"),
                None => format!("`{key}` (or {env})"),
            }
        })
        .collect();
    if told.is_empty() {
        return Ok(());
    }
    Err(ConfigError(format!("unknown setting {}", told.join("; "))).into())
}

/// Settings given on the command line (`serve --listen --data-dir`):
/// above the file and the environment.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
}

impl Config {
    /// Defaults, then the TOML file (if any), then `DROPSPACE_*` variables.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        Config::load_with(file, &Overrides::default())
    }

    /// As `load`, then the command line's settings; every value checked.
    pub fn load_with(file: Option<&Path>, over: &Overrides) -> anyhow::Result<Config> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.exists() {
                return Err(
                    ConfigError(format!("config file {} not found", path.display())).into(),
                );
            }
            // Read here so a syntax error keeps the parser's own layout.
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            if let Err(e) = text.parse::<toml::Table>() {
                return Err(ConfigError(format!(
                    "{} is not valid TOML: {}",
                    path.display(),
                    e.to_string().trim_end()
                ))
                .into());
            }
            fig = fig.merge(Toml::file(path));
        }
        fig = fig.merge(
            Env::prefixed("DROPSPACE_")
                .split("__")
                .filter(|key| !not_a_setting(&key.as_str().to_ascii_lowercase()))
                .lowercase(true),
        );
        if let Some(listen) = &over.listen {
            fig = fig.merge(("listen", listen));
        }
        if let Some(dir) = &over.data_dir {
            fig = fig.merge(("data_dir", dir));
        }
        refuse_unknown_keys(&fig)?;
        let cfg: Config = fig.extract().map_err(explain)?;
        cfg.check().map_err(|e| ConfigError(e).into()).map(|()| cfg)
    }

    /// Checks across values that serde's types do not express.
    fn check(&self) -> Result<(), String> {
        if let Some(url) = self.public_url.as_deref().map(str::trim) {
            if !url.is_empty() {
                check_public_url(url)?;
            }
        }
        if let Some(url) = &self.database_url {
            let known = ["sqlite:", "postgres:", "postgresql:"];
            if !known.iter().any(|k| url.starts_with(k)) {
                return Err("database_url must start with sqlite:// or postgres://".into());
            }
        }
        if let Some(addr) = self.scan.clamd.as_deref().filter(|a| !a.trim().is_empty()) {
            crate::clamd::Address::parse(addr).map_err(|e| format!("scan.clamd: {e}"))?;
        }
        // A hundred years, as `files.setInfo` allows.
        let longest = 100 * 366 * 86_400;
        if let Some(bad) = self
            .web
            .expiry_choices_secs
            .iter()
            .find(|&&s| !(0..=longest).contains(&s))
        {
            return Err(format!(
                "web.expiry_choices_secs holds {bad}: each must be 0 (never) or seconds up to {longest}"
            ));
        }
        if !matches!(self.storage.backend.as_str(), "fs" | "s3") {
            return Err(format!(
                "storage.backend is `{}`: it must be `fs` or `s3`",
                self.storage.backend
            ));
        }
        Ok(())
    }

    /// `public_url`, else `http://{listen}` (the server itself uses the
    /// address it bound, which differs only for port 0).
    pub fn stated_public_url(&self) -> String {
        match self.public_url.as_deref().map(str::trim) {
            Some(u) if !u.is_empty() => u.trim_end_matches('/').to_string(),
            _ => format!("http://{}", self.listen),
        }
    }

    /// The SQLite database file, when the database is SQLite.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let url = self.database_url();
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))?;
        let path = rest.split('?').next().unwrap_or(rest);
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("dropspace.db").display()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_defaults() {
        let c = Config::default();
        assert_eq!(c.listen, "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert!(c.registration);
        assert_eq!(c.storage.backend, "fs");
        assert_eq!(c.limits.max_sessions_per_user, 20);
        assert_eq!(c.limits.addressbook_size, 1000);
        assert_eq!(c.limits.token_ttl_secs, 900);
        assert_eq!(c.limits.session_idle_secs, 86400);
        assert_eq!(c.limits.upload_identifier_ttl_secs, 86400);
        assert_eq!(c.limits.read_buffer_bytes, 65536);
        assert_eq!(c.storage.inline_max_bytes, 16384);
        assert_eq!(c.limits.tus_expiry_secs, 86400);
        assert_eq!(c.limits.tus_max_parts, 64);
        assert_eq!(c.tus.chunk_bytes, 50 * 1024 * 1024);
        assert!(c.database_url().starts_with("sqlite://./data/dropspace.db"));
        assert_eq!(c.tiers.max.diskspace, -1);
    }

    #[test]
    fn expiry_defaults_keep_the_old_behaviour() {
        let c = Config::default();
        assert_eq!(c.expiry.warn_before_secs, 2 * 86_400);
        assert_eq!(c.expiry.extend_secs, 7 * 86_400);
        assert_eq!(c.tiers.lite.default_time_limit_secs, -1);
        assert_eq!(c.tiers.anonymous.default_time_limit_secs, -1);
        assert_eq!(c.tiers.pro.trash_secs, 7 * 86_400);
        let c: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string(
                "[expiry]\nwarn_before_secs = 0\n[tiers.pro]\ntrash_secs = 0\n",
            ))
            .extract()
            .expect("valid");
        assert_eq!(c.expiry.warn_before_secs, 0);
        assert_eq!(c.tiers.pro.trash_secs, 0);
    }

    #[test]
    fn unknown_keys_are_refused_with_the_closest_known_one() {
        let with = |toml: &str| {
            refuse_unknown_keys(
                &Figment::from(Serialized::defaults(Config::default())).merge(Toml::string(toml)),
            )
        };
        let e = with("registation = false\n").expect_err("a misspelt key");
        let told = e.to_string();
        assert!(
            told.contains("`registation` (or DROPSPACE_REGISTATION): did you mean `registration`?"),
            "{told}"
        );
        let e = with("[limits]\ntus_max_part = 3\n").expect_err("a misspelt key");
        assert!(
            e.to_string()
                .contains("did you mean `limits.tus_max_parts`?"),
            "{e}"
        );
        assert!(with("[nonsense]\nx = 1\n").is_err());
        // Settings whose default is unset are known all the same.
        with("registration = false\n[mail]\nsmtp_url = \"smtp://127.0.0.1:25\"\n")
            .expect("known keys");
        assert!(not_a_setting("log") && not_a_setting("test_s3_endpoint"));
        assert!(!not_a_setting("registration"));
    }

    #[test]
    fn flags_accept_numbers_and_words() {
        let toml = "[tiers.pro]\ncapable_rss = 0\n[tiers.lite]\ncapable_upload = \"off\"\n\
                    [tiers.max]\nmax_file_size = 1048576\n[mail]\nsmtp_url = \"smtp://127.0.0.1:2525\"\n";
        let c: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string(toml))
            .extract()
            .expect("valid");
        assert!(!c.tiers.pro.capable_rss);
        assert!(!c.tiers.lite.capable_upload);
        assert!(c.tiers.lite.capable_download);
        assert_eq!(c.tiers.max.max_file_size, 1048576);
        assert_eq!(c.mail.smtp_url.as_deref(), Some("smtp://127.0.0.1:2525"));
        let bad = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string("[tiers.pro]\ncapable_rss = \"maybe\"\n"))
            .extract::<Config>();
        assert!(bad.is_err());
    }

    #[test]
    fn webhook_settings() {
        let d = WebhooksConfig::default();
        assert!(!d.allow_private_addresses);
        assert_eq!(d.max_attempts, 8);
        assert_eq!(d.retry_base_secs, 30);
        assert_eq!(d.timeout_secs, 10);
        assert_eq!(d.endpoints_per_account, 10);
        assert_eq!(d.max_payload_bytes, 65536);
        assert_eq!(d.max_response_bytes, 4096);
        assert_eq!(d.keep_deliveries_secs, 604800);
        let fig = Figment::from(Serialized::defaults(Config::default())).merge(Toml::string(
            "[webhooks]\nallow_private_addresses = 1\nmax_attempts = 3\nretry_base_secs = 1\n\
             timeout_secs = 2\nendpoints_per_account = 4\nmax_payload_bytes = 1000\n\
             max_response_bytes = 10\nkeep_deliveries_secs = 60\n",
        ));
        refuse_unknown_keys(&fig).expect("every webhooks key is known");
        let c: Config = fig.extract().expect("valid");
        assert!(c.webhooks.allow_private_addresses);
        assert_eq!(c.webhooks.max_attempts, 3);
        assert_eq!(c.webhooks.retry_base_secs, 1);
        assert_eq!(c.webhooks.timeout_secs, 2);
        assert_eq!(c.webhooks.endpoints_per_account, 4);
        assert_eq!(c.webhooks.max_payload_bytes, 1000);
        assert_eq!(c.webhooks.max_response_bytes, 10);
        assert_eq!(c.webhooks.keep_deliveries_secs, 60);
    }

    #[test]
    fn scan_settings() {
        let d = ScanConfig::default();
        assert_eq!(d.clamd, None);
        assert!(d.fail_closed);
        assert_eq!(d.max_bytes, 25 * 1024 * 1024);
        assert!(d.quarantine_large);
        assert_eq!(d.timeout_secs, 60);
        let fig = Figment::from(Serialized::defaults(Config::default())).merge(Toml::string(
            "[scan]\nclamd = \"unix:/run/clamav/clamd.ctl\"\nfail_closed = 0\n\
             max_bytes = -1\nquarantine_large = false\ntimeout_secs = 5\n",
        ));
        refuse_unknown_keys(&fig).expect("every scan key is known");
        let c: Config = fig.extract().expect("valid");
        assert_eq!(c.scan.clamd.as_deref(), Some("unix:/run/clamav/clamd.ctl"));
        assert!(!c.scan.fail_closed);
        assert_eq!(c.scan.max_bytes, -1);
        assert!(!c.scan.quarantine_large);
        assert_eq!(c.scan.timeout_secs, 5);
        c.check().expect("a valid address");
        let bad = Config {
            scan: ScanConfig {
                clamd: Some("clamd-without-port".into()),
                ..ScanConfig::default()
            },
            ..Config::default()
        };
        let e = bad.check().expect_err("no port");
        assert!(e.starts_with("scan.clamd: "), "{e}");
    }

    #[test]
    fn download_log_and_receipt_retention() {
        let d = Config::default();
        assert_eq!(d.limits.download_log_retention_days, 90);
        assert_eq!(d.limits.receipt_retention_days, 365);
        assert_eq!(d.limits.audit_retention_days, 365);
        assert_eq!(d.limits.max_app_passwords, 20);
        assert_eq!(d.limits.max_age_keys, 10);
        assert_eq!(d.limits.account_link_ttl_secs, 3600);
        assert_eq!(d.limits.account_mails_per_hour_per_address, 10);
        assert_eq!(d.limits.account_mails_per_hour_per_account, 3);
        let fig = Figment::from(Serialized::defaults(Config::default())).merge(Toml::string(
            "[limits]\ndownload_log_retention_days = 7\nreceipt_retention_days = 30\n",
        ));
        refuse_unknown_keys(&fig).expect("both keys are known");
        let c: Config = fig.extract().expect("valid");
        assert_eq!(c.limits.download_log_retention_days, 7);
        assert_eq!(c.limits.receipt_retention_days, 30);
    }

    #[test]
    fn two_factor_policy() {
        assert_eq!(
            Config::default().auth.require_two_factor,
            RequireTwoFactor::Off
        );
        let fig = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string("[auth]\nrequire_two_factor = \"admins\"\n"));
        refuse_unknown_keys(&fig).expect("known");
        let c: Config = fig.extract().expect("valid");
        assert_eq!(c.auth.require_two_factor, RequireTwoFactor::Admins);
        let bad = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string("[auth]\nrequire_two_factor = \"sometimes\"\n"));
        assert!(bad.extract::<Config>().is_err());
    }
}
