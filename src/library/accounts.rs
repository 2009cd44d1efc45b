//! Accounts: the registration rules, creating an account (`auth.register`
//! and `admin user create`) and activating it by its mailed link.

use crate::db::users::NewUserRow;
use crate::db::{now, Db};
use crate::library::{Error, Library, Result};
use crate::mail::{valid_email, Mail};
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

fn invalid(text: impl Into<crate::library::error::Text>) -> Error {
    Error::Registration(text.into())
}

/// The guide's rules: user_name `[A-Za-z0-9]{3,20}`, full_name letters and
/// spaces 3-20, a valid email; password 4-20 chars unless empty.
/// An empty full name is allowed only where `require_full_name` is false
/// (the admin CLI), and then the user name stands in for it.
/// A broken rule is `Error::Registration` with the text of error 27.
pub fn validate(u: &NewUser<'_>, max_password: usize, require_full_name: bool) -> Result<()> {
    let n = u.user_name;
    if !(3..=20).contains(&n.len()) || !n.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(invalid(
            "User name must be 3-20 characters of a-z, A-Z and 0-9",
        ));
    }
    let f = u.full_name;
    let full_name_ok = (3..=20).contains(&f.len())
        && f.bytes().all(|b| b.is_ascii_alphabetic() || b == b' ')
        && !f.trim().is_empty();
    if (require_full_name || !f.is_empty()) && !full_name_ok {
        return Err(invalid(
            "Full name must be 3-20 characters of a-z, A-Z and spaces",
        ));
    }
    if !valid_email(u.email) {
        return Err(invalid("A valid email address is required"));
    }
    let plen = u.password.chars().count();
    if !u.password.is_empty() && (plen < 4 || plen > max_password) {
        return Err(invalid(format!(
            "Password must be 4-{max_password} characters"
        )));
    }
    if !["lite", "pro", "max"].contains(&u.membership) {
        return Err(invalid("Membership must be lite, pro or max"));
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
const EMAIL_TAKEN: &str = "This email address is already registered";

/// Inserts a validated account. Returns its id and, for an inactive
/// account, the activation token to mail.
pub async fn create(db: &Db, secrets: &Secrets, u: &NewUser<'_>) -> Result<(i64, Option<String>)> {
    let email = u.email.trim();
    if db.user_id_by_name(u.user_name).await?.is_some() {
        return Err(invalid(NAME_TAKEN));
    }
    if db.user_id_by_email(email).await?.is_some() {
        return Err(invalid(EMAIL_TAKEN));
    }
    let password = u.password.to_string();
    let phc = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(Error::internal)??;
    let activation = (!u.activated).then(|| random_string(32, LOWER_ALNUM));
    let row = NewUserRow {
        user_name: u.user_name,
        full_name: if u.full_name.trim().is_empty() {
            u.user_name
        } else {
            u.full_name.trim()
        },
        email,
        password_hash: phc,
        md5_sealed: secrets.seal(&md5_hex(u.password)),
        membership: u.membership,
        membership_ends: u.membership_ends,
        activated: u.activated,
        activation_hash: activation.as_deref().map(hash_secret),
        created: now(),
    };
    match db.insert_user(&row).await? {
        Some(id) => Ok((id, activation)),
        // A concurrent registration of the same name or e-mail address hit
        // a unique index: say which.
        None if db.user_id_by_name(u.user_name).await?.is_some() => Err(invalid(NAME_TAKEN)),
        None => Err(invalid(EMAIL_TAKEN)),
    }
}

/// What `auth.register` is given.
pub struct Registration<'a> {
    pub user_name: &'a str,
    pub full_name: &'a str,
    pub email: &'a str,
    /// Empty: one is generated and mailed.
    pub password: &'a str,
}

/// `auth.register`: a lite account waiting for its activation link, which
/// is mailed (with the password when one was generated).
pub async fn register(lib: &Library, r: &Registration<'_>) -> Result<()> {
    if !lib.cfg.registration {
        return Err(Error::denied("Registration is closed on this server"));
    }
    let password = if r.password.is_empty() {
        generate_password()
    } else {
        r.password.to_string()
    };
    let new = NewUser {
        user_name: r.user_name,
        full_name: r.full_name,
        email: r.email,
        password: &password,
        membership: "lite",
        membership_ends: 0,
        activated: false,
    };
    let check = NewUser {
        password: r.password,
        ..new
    };
    validate(&check, 20, true)?;
    let (_, activation) = create(&lib.db, &lib.secrets, &new).await?;
    let link = lib.url(&format!("/activate/{}", activation.unwrap_or_default()));
    let mut text = format!(
        "Hello {},\n\nyour dropspace account {} was created. Activate it by opening this link:\n\n{}\n",
        new.full_name.trim(),
        new.user_name,
        link
    );
    if r.password.is_empty() {
        text.push_str(&format!("\nYour password: {password}\n"));
    }
    let mail = Mail {
        to: new.email.to_string(),
        subject: "Activate your dropspace account".into(),
        text,
        html: None,
        reply_to: None,
        from_name: None,
    };
    lib.mail.send(mail).await?;
    Ok(())
}

/// Follows an activation link: the account's user name, or None for an
/// unknown or already used token (it is cleared on first use).
pub async fn activate(db: &Db, token: &str) -> Result<Option<String>> {
    Ok(db.activate_user(&hash_secret(token.trim())).await?)
}
