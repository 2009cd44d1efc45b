//! The audit log (docs/audit.md): who did what to which account, from
//! where. Entries are plain facts — never a password, token, key or link
//! secret — written best effort: what they record has happened already, so
//! a failed write is logged, not returned.

use crate::config::Config;
use crate::db::audit::{AuditFilter, AuditRow};
use crate::db::users::User;
use crate::db::{now, Db};
use crate::library::Result;

/// What happened; `name` is the stable name filters and `--json` use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    LoginOk,
    LoginFailed,
    PasswordChanged,
    PasswordResetRequested,
    EmailChangeRequested,
    EmailChanged,
    TwoFactorEnabled,
    TwoFactorDisabled,
    RecoveryCodeUsed,
    RecoveryCodesRenewed,
    AdminGranted,
    AdminRevoked,
    AppPasswordCreated,
    AppPasswordRevoked,
    AgeKeyAdded,
    AgeKeyRemoved,
    SessionsEnded,
    AccountCreated,
    AccountDisabled,
    AccountEnabled,
    AccountDeleted,
    MembershipChanged,
    QuotaChanged,
    ApiKeyCreated,
    ApiKeyRevoked,
    CredentialsCreated,
    CredentialsChanged,
    CredentialsRevoked,
    MaintenanceChanged,
    AnonymousPolicyChanged,
    FileDeleted,
    FolderShared,
    FolderUnshared,
    SentFileDownloaded,
}

impl Event {
    pub fn name(self) -> &'static str {
        match self {
            Event::LoginOk => "login.ok",
            Event::LoginFailed => "login.failed",
            Event::PasswordChanged => "password.changed",
            Event::PasswordResetRequested => "password.reset_requested",
            Event::EmailChangeRequested => "email.change_requested",
            Event::EmailChanged => "email.changed",
            Event::TwoFactorEnabled => "two_factor.enabled",
            Event::TwoFactorDisabled => "two_factor.disabled",
            Event::RecoveryCodeUsed => "two_factor.recovery_code_used",
            Event::RecoveryCodesRenewed => "two_factor.recovery_codes_renewed",
            Event::AdminGranted => "account.admin_granted",
            Event::AdminRevoked => "account.admin_revoked",
            Event::AppPasswordCreated => "app_password.created",
            Event::AppPasswordRevoked => "app_password.revoked",
            Event::AgeKeyAdded => "age_key.added",
            Event::AgeKeyRemoved => "age_key.removed",
            Event::SessionsEnded => "sessions.ended",
            Event::AccountCreated => "account.created",
            Event::AccountDisabled => "account.disabled",
            Event::AccountEnabled => "account.enabled",
            Event::AccountDeleted => "account.deleted",
            Event::MembershipChanged => "account.membership",
            Event::QuotaChanged => "account.quota",
            Event::ApiKeyCreated => "api_key.created",
            Event::ApiKeyRevoked => "api_key.revoked",
            Event::CredentialsCreated => "api_credentials.created",
            Event::CredentialsChanged => "api_credentials.changed",
            Event::CredentialsRevoked => "api_credentials.revoked",
            Event::MaintenanceChanged => "maintenance.changed",
            Event::AnonymousPolicyChanged => "policy.anonymous_uploads",
            Event::FileDeleted => "file.deleted",
            Event::FolderShared => "folder.shared",
            Event::FolderUnshared => "folder.unshared",
            Event::SentFileDownloaded => "download.sent_file",
        }
    }
}

/// Who did it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The account the entry is about, or someone trying to log in to it.
    User,
    /// The operator, through `dropspace admin`.
    AdminCli,
    /// Someone without an account: a link's recipient.
    Visitor,
    /// An admin (this account id) in the admin console; recorded as
    /// `admin:NAME`.
    Admin(i64),
}

impl Actor {
    fn name(self) -> &'static str {
        match self {
            Actor::User => "user",
            Actor::AdminCli => "admin-cli",
            Actor::Visitor => "visitor",
            Actor::Admin(_) => "admin",
        }
    }
}

/// Who acts, from where: what account changes take so they audit
/// themselves the same way whichever front end calls them.
#[derive(Debug, Clone, Copy)]
pub struct Origin {
    pub actor: Actor,
    pub address: Option<std::net::IpAddr>,
}

impl Origin {
    pub const ADMIN_CLI: Origin = Origin {
        actor: Actor::AdminCli,
        address: None,
    };

    /// An admin in the console, signed in from `address`.
    pub fn admin(admin: &User, address: std::net::IpAddr) -> Origin {
        Origin {
            actor: Actor::Admin(admin.id),
            address: Some(address),
        }
    }

    /// The account's owner, signed in from `address`.
    pub fn user(address: std::net::IpAddr) -> Origin {
        Origin {
            actor: Actor::User,
            address: Some(address),
        }
    }
}

/// One entry to record.
pub struct Entry {
    row: AuditRow,
    admin: Option<i64>,
}

impl Entry {
    pub fn new(event: Event, actor: Actor) -> Entry {
        Entry {
            row: AuditRow {
                id: 0,
                at: 0,
                event: event.name().into(),
                user_id: 0,
                user_name: String::new(),
                actor: actor.name().into(),
                address: String::new(),
                detail: String::new(),
            },
            admin: match actor {
                Actor::Admin(id) => Some(id),
                _ => None,
            },
        }
    }

    /// An entry for what `origin` did.
    pub fn by(event: Event, origin: Origin) -> Entry {
        let entry = Entry::new(event, origin.actor);
        match origin.address {
            Some(a) => entry.from(a),
            None => entry,
        }
    }

    /// The account it is about.
    pub fn user(mut self, user: &User) -> Entry {
        self.row.user_id = user.id;
        self.row.user_name = user.user_name.clone();
        self
    }

    pub fn user_id(mut self, id: i64, name: &str) -> Entry {
        self.row.user_id = id;
        self.row.user_name = name.into();
        self
    }

    /// The account it is about, by id (its name is looked up on record).
    pub fn account(mut self, id: i64) -> Entry {
        self.row.user_id = id;
        self
    }

    pub fn from(mut self, address: impl std::fmt::Display) -> Entry {
        self.row.address = address.to_string();
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Entry {
        self.row.detail = detail.into();
        self
    }

    /// Writes it; a failure is logged (the event itself has happened).
    pub async fn record(mut self, db: &Db) {
        self.row.at = now();
        if let Some(id) = self.admin {
            if let Ok(Some(admin)) = db.user_by_id(id).await {
                self.row.actor = format!("admin:{}", admin.user_name);
            }
        }
        if self.row.user_id > 0 && self.row.user_name.is_empty() {
            if let Ok(Some(u)) = db.user_by_id(self.row.user_id).await {
                self.row.user_name = u.user_name;
            }
        }
        if let Err(e) = db.insert_audit(&self.row).await {
            tracing::warn!(event = %self.row.event, error = %e, "audit log: recording");
        }
    }
}

/// Records what `by` did, about `user` if any.
pub async fn note(
    db: &Db,
    event: Event,
    by: Origin,
    user: Option<&User>,
    detail: impl Into<String>,
) {
    let mut entry = Entry::by(event, by).detail(detail);
    if let Some(u) = user {
        entry = entry.user(u);
    }
    entry.record(db).await;
}

/// The entries matching `filter`, newest first, none past the retention.
pub async fn entries(db: &Db, cfg: &Config, mut filter: AuditFilter) -> Result<Vec<AuditRow>> {
    filter.since = filter.since.max(cutoff(cfg));
    Ok(db.audit_entries(&filter).await?)
}

/// The oldest time still kept (`limits.audit_retention_days`; 0 or less
/// keeps every entry).
fn cutoff(cfg: &Config) -> i64 {
    match cfg.limits.audit_retention_days {
        d if d > 0 => now() - d * 86_400,
        _ => i64::MIN,
    }
}

/// Forgets entries past their retention. Safe on every node.
pub async fn sweep(db: &Db, cfg: &Config) -> Result<u64> {
    Ok(db.sweep_audit(cutoff(cfg)).await?)
}
