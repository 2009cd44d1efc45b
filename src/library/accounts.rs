//! Accounts: the registration rules, creating an account (`auth.register`
//! and `admin user create`), activating it by its mailed link, its
//! password and app passwords (docs/accounts.md), deleting it.

use std::net::IpAddr;

use crate::db::account_tokens::Purpose;
use crate::db::users::{NewUserRow, User};
use crate::db::{now, Db};
use crate::library::audit::{self, Actor, Entry, Event, Origin};
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

/// The guide's rule for user names: `[A-Za-z0-9]{3,20}`.
pub fn validate_name(n: &str) -> Result<()> {
    if !(3..=20).contains(&n.len()) || !n.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(invalid(
            "User name must be 3-20 characters of a-z, A-Z and 0-9",
        ));
    }
    Ok(())
}

/// The guide's rules: user_name `[A-Za-z0-9]{3,20}`, full_name letters and
/// spaces 3-20, a valid email; password 4-20 chars unless empty.
/// An empty full name is allowed only where `require_full_name` is false
/// (the admin CLI), and then the user name stands in for it.
/// A broken rule is `Error::Registration` with the text of error 27.
pub fn validate(u: &NewUser<'_>, max_password: usize, require_full_name: bool) -> Result<()> {
    validate_name(u.user_name)?;
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
    if !email.is_empty() && db.user_id_by_email(email).await?.is_some() {
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
    /// Where the request came from (for the audit log).
    pub address: std::net::IpAddr,
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
    let (id, activation) = create(&lib.db, &lib.secrets, &new).await?;
    Entry::by(Event::AccountCreated, Origin::user(r.address))
        .user_id(id, new.user_name)
        .detail("registered; waits for its activation link")
        .record(&lib.db)
        .await;
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
    let mail = Mail::text(new.email, "Activate your dropspace account", text);
    lib.mail.send(mail).await?;
    Ok(())
}

/// Follows an activation link: the account's user name, or None for an
/// unknown or already used token (it is cleared on first use).
pub async fn activate(db: &Db, token: &str) -> Result<Option<String>> {
    Ok(db.activate_user(&hash_secret(token.trim())).await?)
}

/// Longest name of an app password.
const MAX_APP_PASSWORD_NAME: usize = 100;
/// Characters of an app password kept in clear to tell them apart.
const APP_PASSWORD_PREFIX: usize = 4;

/// A new app password (docs/accounts.md) for `user`, named after the
/// client it is for: its id and the password itself, shown only now. Four
/// groups of four lowercase letters and digits (82 bits), easy to type.
pub async fn create_app_password(
    lib: &Library,
    user: &User,
    name: &str,
    by: Origin,
) -> Result<(i64, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_APP_PASSWORD_NAME {
        return Err(Error::Invalid(
            format!("An app password needs a name of 1 to {MAX_APP_PASSWORD_NAME} characters")
                .into(),
        ));
    }
    let held = lib.db.app_passwords(user.id).await?.len();
    if i64::try_from(held).unwrap_or(i64::MAX) >= lib.cfg.limits.max_app_passwords {
        return Err(Error::Invalid(
            format!(
                "An account may hold {} app passwords: revoke one first",
                lib.cfg.limits.max_app_passwords
            )
            .into(),
        ));
    }
    let raw = random_string(16, LOWER_ALNUM);
    let password = raw
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-");
    let prefix = &password[..APP_PASSWORD_PREFIX];
    let id = lib
        .db
        .insert_app_password(
            user.id,
            name,
            prefix,
            &lib.secrets.seal(&md5_hex(&password)),
            now(),
        )
        .await?;
    audit::note(
        &lib.db,
        Event::AppPasswordCreated,
        by,
        Some(user),
        format!("{name} ({prefix}…)"),
    )
    .await;
    Ok((id, password))
}

/// Revokes one of `user`'s app passwords; false when it has no such one.
pub async fn revoke_app_password(lib: &Library, user: &User, id: i64, by: Origin) -> Result<bool> {
    let Some(p) = lib
        .db
        .app_passwords(user.id)
        .await?
        .into_iter()
        .find(|p| p.id == id)
    else {
        return Ok(false);
    };
    if !lib.db.delete_app_password(user.id, id).await? {
        return Ok(false);
    }
    audit::note(
        &lib.db,
        Event::AppPasswordRevoked,
        by,
        Some(user),
        format!("{} ({}…)", p.name, p.prefix),
    )
    .await;
    Ok(true)
}

/// Sets a new password and ends every session of the account (the caller
/// opens a new one for the browser that asked, if any).
pub async fn set_password(
    db: &Db,
    secrets: &Secrets,
    user: &User,
    password: &str,
    by: Origin,
) -> Result<()> {
    let owned = password.to_string();
    let phc = tokio::task::spawn_blocking(move || hash_password(&owned))
        .await
        .map_err(Error::internal)??;
    db.set_password(user.id, &phc, &secrets.seal(&md5_hex(password)))
        .await?;
    let detail = match by.actor {
        Actor::AdminCli => "set by the operator; every session ended",
        _ => "every other session ended",
    };
    audit::note(db, Event::PasswordChanged, by, Some(user), detail).await;
    Ok(())
}

/// Deletes an account with its files, folders, trash, links and keys;
/// the blobs are removed by the sweeper of any node (queued in the same
/// transaction). False when it is gone already.
pub async fn delete(db: &Db, user: &User, by: Origin) -> Result<bool> {
    if !db.delete_user(user.id, now()).await? {
        return Ok(false);
    }
    audit::note(
        db,
        Event::AccountDeleted,
        by,
        Some(user),
        format!("{} bytes of files", user.disk_used),
    )
    .await;
    Ok(true)
}

/// Shortest new password the web pages take (the API's registration keeps
/// the guide's 4 to 20 characters).
pub const MIN_PASSWORD: usize = 8;
/// Longest password any form takes.
pub const MAX_PASSWORD: usize = 1024;

/// The rule for a password chosen on a page (a change or a reset).
pub fn check_new_password(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD || password.len() > MAX_PASSWORD {
        return Err(Error::Invalid(
            format!("A password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters").into(),
        ));
    }
    Ok(())
}

/// Counts one account mail (reset, e-mail confirmation) against the
/// address's hourly rate (`TooFast` when spent) and, when there is an
/// account, against its own; false when the account's is spent (the
/// caller then sends nothing and says nothing different).
async fn take_account_mail(lib: &Library, ip: IpAddr, user_id: Option<i64>) -> Result<bool> {
    let limits = &lib.cfg.limits;
    let address = [(
        format!("account-mail-addr:{ip}"),
        limits.account_mails_per_hour_per_address,
    )];
    if let Some(wait) = lib.db.mail_rate_take(&address, 1).await? {
        return Err(Error::TooFast(u64::try_from(wait).unwrap_or(1)));
    }
    let Some(uid) = user_id else {
        return Ok(true);
    };
    let account = [(
        format!("account-mail-user:{uid}"),
        limits.account_mails_per_hour_per_account,
    )];
    Ok(lib.db.mail_rate_take(&account, 1).await?.is_none())
}

/// A new single-use link for `user` (its token; only the hash is kept).
async fn new_account_link(
    lib: &Library,
    user: &User,
    purpose: Purpose,
    value: &str,
) -> Result<String> {
    let token = random_string(40, LOWER_ALNUM);
    let t = now();
    lib.db
        .insert_account_token(
            &hash_secret(&token),
            user.id,
            purpose,
            value,
            t,
            t + lib.cfg.limits.account_link_ttl_secs,
        )
        .await?;
    Ok(token)
}

/// An unknown, used or expired link.
fn link_gone() -> Error {
    Error::denied("This link has expired or was used already")
}

/// How long a mailed link works, in whole minutes (as mails and pages say).
pub fn link_minutes(lib: &Library) -> i64 {
    (lib.cfg.limits.account_link_ttl_secs + 59) / 60
}

/// "Forgot your password": mails a reset link to the account named by
/// `given` (user name or e-mail address) if there is an active one. The
/// answer is the same whether or not there is (no account enumeration);
/// only the address's hourly rate is told (`TooFast`).
pub async fn request_password_reset(lib: &Library, given: &str, ip: IpAddr) -> Result<()> {
    let user = lib
        .db
        .user_by_login(given.trim())
        .await?
        .filter(|u| u.is_active() && u.auth_source.is_empty());
    if !take_account_mail(lib, ip, user.as_ref().map(|u| u.id)).await? {
        return Ok(());
    }
    let Some(user) = user else {
        return Ok(());
    };
    let token = new_account_link(lib, &user, Purpose::Reset, "").await?;
    let text = format!(
        "Hello {},\n\nsomeone (probably you) asked to reset the password of your dropspace account {} \
         from {ip}. To choose a new password, open this link within {} minutes:\n\n{}\n\n\
         It works once. If you did not ask for it, ignore this message: your password stays as it is.\n",
        user.full_name,
        user.user_name,
        link_minutes(lib),
        lib.url(&format!("/reset/{token}")),
    );
    lib.mail
        .send(Mail::text(
            user.email.clone(),
            "Reset your dropspace password",
            text,
        ))
        .await?;
    audit::note(
        &lib.db,
        Event::PasswordResetRequested,
        Origin::user(ip),
        Some(&user),
        "",
    )
    .await;
    Ok(())
}

/// The account a live reset link is for (the link stays usable).
pub async fn reset_link_user(lib: &Library, token: &str) -> Result<Option<User>> {
    let found = lib
        .db
        .account_token(&hash_secret(token.trim()), Purpose::Reset, now())
        .await?;
    match found {
        Some((uid, _)) => Ok(lib.db.user_by_id(uid).await?.filter(User::is_active)),
        None => Ok(None),
    }
}

/// Uses a reset link: the new password (checked first, so a refused one
/// leaves the link usable) replaces the old, every session ends, and the
/// account's other reset links die. An unknown, used or expired link is
/// denied.
pub async fn reset_password(
    lib: &Library,
    token: &str,
    password: &str,
    ip: IpAddr,
) -> Result<User> {
    check_new_password(password)?;
    let (uid, _) = lib
        .db
        .take_account_token(&hash_secret(token.trim()), Purpose::Reset, now())
        .await?
        .ok_or_else(link_gone)?;
    let user = lib
        .db
        .user_by_id(uid)
        .await?
        .filter(User::is_active)
        .ok_or_else(link_gone)?;
    set_password(&lib.db, &lib.secrets, &user, password, Origin::user(ip)).await?;
    lib.db.delete_account_tokens(uid, Purpose::Reset).await?;
    Ok(user)
}

/// Mails a confirmation link to the new address; the address changes only
/// when it is followed (`confirm_email`).
pub async fn request_email_change(
    lib: &Library,
    user: &User,
    email: &str,
    ip: IpAddr,
) -> Result<()> {
    let email = email.trim();
    if !valid_email(email) {
        return Err(Error::InvalidEmail);
    }
    if email.eq_ignore_ascii_case(&user.email) {
        return Err(Error::Invalid("That is already your address".into()));
    }
    if lib.db.user_id_by_email(email).await?.is_some() {
        return Err(Error::Invalid(EMAIL_TAKEN.into()));
    }
    if !take_account_mail(lib, ip, Some(user.id)).await? {
        return Err(Error::TooFast(crate::db::mail_rate::WINDOW_SECS as u64));
    }
    let token = new_account_link(lib, user, Purpose::Email, email).await?;
    let text = format!(
        "Hello {},\n\nto make {email} the address of your dropspace account {}, open this link \
         within {} minutes:\n\n{}\n\nIf you did not ask for it, ignore this message.\n",
        user.full_name,
        user.user_name,
        link_minutes(lib),
        lib.url(&format!("/account/email/{token}")),
    );
    lib.mail
        .send(Mail::text(
            email,
            "Confirm your new dropspace e-mail address",
            text,
        ))
        .await?;
    audit::note(
        &lib.db,
        Event::EmailChangeRequested,
        Origin::user(ip),
        Some(user),
        format!("to {email}"),
    )
    .await;
    Ok(())
}

/// Follows a confirmation link: the account's new address, after which
/// the old address is told. An unknown, used or expired link is denied;
/// an address another account took meanwhile is refused.
pub async fn confirm_email(lib: &Library, token: &str, ip: IpAddr) -> Result<String> {
    let (uid, email) = lib
        .db
        .take_account_token(&hash_secret(token.trim()), Purpose::Email, now())
        .await?
        .ok_or_else(link_gone)?;
    let user = lib.db.user_by_id(uid).await?.ok_or_else(link_gone)?;
    if !lib.db.set_email(uid, &email).await? {
        return Err(Error::Invalid(EMAIL_TAKEN.into()));
    }
    lib.db.delete_account_tokens(uid, Purpose::Email).await?;
    audit::note(
        &lib.db,
        Event::EmailChanged,
        Origin::user(ip),
        Some(&user),
        format!("from {} to {email}", user.email),
    )
    .await;
    if valid_email(&user.email) {
        let text = format!(
            "Hello {},\n\nthe e-mail address of your dropspace account {} was changed to {email}. \
             If that was not you, ask the server's operator for help at once.\n",
            user.full_name, user.user_name,
        );
        lib.mail
            .send(Mail::text(
                user.email.clone(),
                "Your dropspace e-mail address was changed",
                text,
            ))
            .await?;
    }
    Ok(email)
}

/// An account made in the admin console: activated, with a password
/// nobody knows; its owner is mailed a link to choose one (docs/admin.md).
/// Its id.
pub async fn create_by_admin(
    lib: &Library,
    user_name: &str,
    email: &str,
    membership: &str,
    by: Origin,
    ip: IpAddr,
) -> Result<i64> {
    let password = generate_password();
    let new = NewUser {
        user_name,
        full_name: "",
        email,
        password: &password,
        membership,
        membership_ends: 0,
        activated: true,
    };
    validate(&new, MAX_PASSWORD, false)?;
    let (id, _) = create(&lib.db, &lib.secrets, &new).await?;
    Entry::by(Event::AccountCreated, by)
        .user_id(id, user_name)
        .detail(format!(
            "membership {membership}; a link to choose a password was mailed"
        ))
        .record(&lib.db)
        .await;
    request_password_reset(lib, user_name, ip).await?;
    Ok(id)
}
