//! Creating accounts, shared by `auth.register` and `admin user create`.

use crate::db::{now, Db};
use crate::mail::valid_email;
use crate::secrets::{hash_password, hash_secret, md5_hex, random_string, Secrets, LOWER_ALNUM};

pub struct NewUser<'a> {
    pub user_name: &'a str,
    pub full_name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    pub membership: &'a str,
    pub membership_ends: i64,
    /// false: the account waits for its activation link.
    pub activated: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// Breaks a registration rule; the text is the one sent with error 27.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for CreateError {
    fn from(e: sqlx::Error) -> Self {
        CreateError::Internal(e.into())
    }
}

/// The guide's rules: user_name `[A-Za-z0-9]{3,20}`, full_name letters and
/// spaces 3-20, a valid email; password 4-20 chars unless empty.
/// An empty full name is allowed only where `require_full_name` is false
/// (the admin CLI), and then the user name stands in for it.
pub fn validate(
    u: &NewUser<'_>,
    max_password: usize,
    require_full_name: bool,
) -> Result<(), CreateError> {
    let bad = |s: &str| Err(CreateError::Invalid(s.to_string()));
    let n = u.user_name;
    if !(3..=20).contains(&n.len()) || !n.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return bad("User name must be 3-20 characters of a-z, A-Z and 0-9");
    }
    let f = u.full_name;
    let full_name_ok = (3..=20).contains(&f.len())
        && f.bytes().all(|b| b.is_ascii_alphabetic() || b == b' ')
        && !f.trim().is_empty();
    if (require_full_name || !f.is_empty()) && !full_name_ok {
        return bad("Full name must be 3-20 characters of a-z, A-Z and spaces");
    }
    if !valid_email(u.email) {
        return bad("A valid email address is required");
    }
    let plen = u.password.chars().count();
    if !u.password.is_empty() && (plen < 4 || plen > max_password) {
        return bad(&format!("Password must be 4-{max_password} characters"));
    }
    if !["lite", "pro", "max"].contains(&u.membership) {
        return bad("Membership must be lite, pro or max");
    }
    Ok(())
}

/// A password for accounts registered without one.
pub fn generate_password() -> String {
    random_string(
        12,
        b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789",
    )
}

const NAME_TAKEN: &str = "This user name is already taken";

/// Inserts a validated account. Returns its id and, for an inactive
/// account, the activation token to mail.
pub async fn create(
    db: &Db,
    secrets: &Secrets,
    u: &NewUser<'_>,
) -> Result<(i64, Option<String>), CreateError> {
    let email = u.email.trim();
    let name_taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE user_name_lower = $1")
            .bind(u.user_name.to_lowercase())
            .fetch_optional(&db.pool)
            .await?;
    if name_taken.is_some() {
        return Err(CreateError::Invalid(NAME_TAKEN.into()));
    }
    let email_taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE email_lower = $1")
            .bind(email.to_lowercase())
            .fetch_optional(&db.pool)
            .await?;
    if email_taken.is_some() {
        return Err(CreateError::Invalid(
            "This email address is already registered".into(),
        ));
    }
    let password = u.password.to_string();
    let phc = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| CreateError::Internal(e.into()))??;
    let md5_sealed = secrets.seal(&md5_hex(u.password));
    let activation = (!u.activated).then(|| random_string(32, LOWER_ALNUM));
    let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO users (user_name, user_name_lower, full_name, email, email_lower, password_hash, md5_sealed, \
         membership, membership_ends, activated, activation_hash, created) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(u.user_name)
    .bind(u.user_name.to_lowercase())
    .bind(if u.full_name.trim().is_empty() { u.user_name } else { u.full_name.trim() })
    .bind(email)
    .bind(email.to_lowercase())
    .bind(phc)
    .bind(md5_sealed)
    .bind(u.membership)
    .bind(u.membership_ends)
    .bind(u.activated as i64)
    .bind(activation.as_deref().map(hash_secret))
    .bind(now())
    .fetch_one(&db.pool)
    .await;
    match inserted {
        Ok(id) => Ok((id, activation)),
        // A concurrent registration of the same name hits the unique index.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(CreateError::Invalid(NAME_TAKEN.into()))
        }
        Err(e) => Err(e.into()),
    }
}
