//! Two-factor login (docs/accounts.md): TOTP (RFC 6238: HMAC-SHA1, six
//! digits, 30-second steps, one step of clock skew either way) through the
//! maintained `totp-rs` crate, enrolled by scanning a QR code of its
//! `otpauth://` URL, with ten one-time recovery codes. A code works once
//! (the last accepted step is kept); the secret is sealed under the server
//! key.

use rand::RngCore;
use totp_rs::{Secret, Totp};

use crate::config::{Config, RequireTwoFactor};
use crate::db::users::User;
use crate::db::{now, Db};
use crate::library::audit::{self, Event, Origin};
use crate::library::{Error, Library, Result};
use crate::secrets::{hash_secret, random_string, Secrets, LOWER_ALNUM};

/// Recovery codes handed out at a time.
pub const RECOVERY_CODES: usize = 10;

/// What the account page shows to enrol: the secret for typing in and the
/// URL the QR code holds.
pub struct Enrolment {
    pub secret: String,
    pub url: String,
}

/// Whether the policy (`auth.require_two_factor`) makes this account use
/// a second factor even before it chose to.
pub fn required(cfg: &Config, user: &User) -> bool {
    match cfg.auth.require_two_factor {
        RequireTwoFactor::Off => false,
        RequireTwoFactor::Admins => user.is_admin != 0,
        RequireTwoFactor::Everyone => true,
    }
}

/// Whether a web login of this account needs a code (it has two-factor
/// on, or must enrol first).
pub fn needed(cfg: &Config, user: &User) -> bool {
    user.totp_enabled != 0 || required(cfg, user)
}

fn totp(secret: &str, account: &str, issuer: &str) -> Result<Totp> {
    let secret = Secret::try_from_base32(secret)
        .map_err(|e| Error::internal(anyhow::anyhow!("stored TOTP secret: {e:?}")))?;
    totp_rs::Builder::new()
        .with_secret(secret)
        .with_account_name(account)
        .with_issuer(Some(issuer))
        .build()
        .map_err(|e| Error::internal(anyhow::anyhow!("TOTP: {e:?}")))
}

/// The name authenticator apps show: the server's host name (the
/// otpauth format allows no colon, so no port).
fn issuer(lib: &Library) -> String {
    let url = lib.public_url.as_str();
    let rest = url.split("://").nth(1).unwrap_or(url);
    let host = rest.split(['/', ':']).next().unwrap_or("");
    format!("dropspace {host}")
}

/// The step a code belongs to at `time`, if it is a right one.
fn check_at(totp: &Totp, code: &str, time: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    totp.check(&code, time).and_then(|s| i64::try_from(s).ok())
}

fn unix_now() -> u64 {
    u64::try_from(now()).unwrap_or(0)
}

/// Starts (or shows again) an enrolment: a pending secret is kept until the
/// first right code turns two-factor on. `Invalid` when it is on already.
pub async fn enrolment(lib: &Library, user: &User) -> Result<Enrolment> {
    let (sealed, enabled) = lib.db.totp_secret(user.id).await?.unwrap_or_default();
    if enabled != 0 {
        return Err(already_on());
    }
    let secret = match lib.secrets.open(&sealed) {
        Some(s) if !sealed.is_empty() => s,
        _ => {
            let mut raw = [0u8; 20];
            rand::thread_rng().fill_bytes(&mut raw);
            let secret = Secret::new(raw.to_vec().into_boxed_slice()).to_base32();
            if !lib
                .db
                .set_pending_totp(user.id, &lib.secrets.seal(&secret))
                .await?
            {
                return Err(already_on());
            }
            secret
        }
    };
    let url = totp(&secret, &user.user_name, &issuer(lib))?
        .to_url()
        .map_err(|e| Error::internal(anyhow::anyhow!("otpauth URL: {e:?}")))?;
    Ok(Enrolment { secret, url })
}

/// New recovery codes: the codes (shown once) and their hashes (stored).
fn new_codes() -> (Vec<String>, Vec<String>) {
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| {
            let raw = random_string(10, LOWER_ALNUM);
            format!("{}-{}", &raw[..5], &raw[5..])
        })
        .collect();
    let hashes = codes.iter().map(|c| hash_secret(c)).collect();
    (codes, hashes)
}

/// Finishes an enrolment with the first code from the app: two-factor is
/// on and the recovery codes (shown once) are returned. `Invalid` for a
/// wrong code (the enrolment stays pending).
pub async fn enable(lib: &Library, user: &User, code: &str, by: Origin) -> Result<Vec<String>> {
    let (sealed, enabled) = lib.db.totp_secret(user.id).await?.unwrap_or_default();
    let secret = lib.secrets.open(&sealed).filter(|_| enabled == 0);
    let Some(secret) = secret else {
        return Err(start_again());
    };
    let step = check_at(
        &totp(&secret, &user.user_name, &issuer(lib))?,
        code,
        unix_now(),
    )
    .ok_or_else(wrong_code)?;
    let (codes, hashes) = new_codes();
    if !lib
        .db
        .enable_totp(user.id, &sealed, now().max(1), step, &hashes)
        .await?
    {
        return Err(start_again());
    }
    audit::note(&lib.db, Event::TwoFactorEnabled, by, Some(user), "").await;
    Ok(codes)
}

fn already_on() -> Error {
    Error::Invalid("Two-factor login is on already".into())
}

/// The pending key changed or went (another tab, the operator).
fn start_again() -> Error {
    Error::Invalid("Start the set-up again".into())
}

fn wrong_code() -> Error {
    Error::Invalid("That code is not right (or was used already)".into())
}

/// Checks a second factor at login: a TOTP code (once) or a recovery code
/// (used up). False for anything else.
pub async fn verify(
    db: &Db,
    secrets: &Secrets,
    user: &User,
    code: &str,
    by: Origin,
) -> Result<bool> {
    let (sealed, enabled) = db.totp_secret(user.id).await?.unwrap_or_default();
    let Some(secret) = secrets.open(&sealed).filter(|_| enabled != 0) else {
        return Ok(false);
    };
    let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() == 11 && compact.as_bytes()[5] == b'-' {
        let used = db
            .take_recovery_code(user.id, &hash_secret(&compact.to_ascii_lowercase()))
            .await?;
        if used {
            let left = db.recovery_codes_left(user.id).await?;
            audit::note(
                db,
                Event::RecoveryCodeUsed,
                by,
                Some(user),
                format!("{left} left"),
            )
            .await;
        }
        return Ok(used);
    }
    // The issuer is not part of the code.
    match check_at(
        &totp(&secret, &user.user_name, "dropspace")?,
        &compact,
        unix_now(),
    ) {
        Some(step) => Ok(db.take_totp_step(user.id, step).await?),
        None => Ok(false),
    }
}

/// A new set of recovery codes in place of the old (shown once).
pub async fn renew_recovery_codes(lib: &Library, user: &User, by: Origin) -> Result<Vec<String>> {
    let (codes, hashes) = new_codes();
    lib.db.replace_recovery_codes(user.id, &hashes).await?;
    audit::note(&lib.db, Event::RecoveryCodesRenewed, by, Some(user), "").await;
    Ok(codes)
}

/// Turns two-factor off (the owner, after a code; or the operator).
pub async fn disable(db: &Db, user: &User, by: Origin) -> Result<()> {
    db.disable_totp(user.id).await?;
    audit::note(db, Event::TwoFactorDisabled, by, Some(user), "").await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's SHA-1 test vectors (its appendix B), eight digits cut to
    /// the six the app shows: the same key and times give the same codes.
    #[test]
    fn codes_follow_rfc_6238_at_fixed_times() {
        let key = b"12345678901234567890";
        let secret = Secret::new(key.to_vec().into_boxed_slice()).to_base32();
        let t = totp(&secret, "ann", "dropspace").expect("totp");
        for (time, eight) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            let six = &eight[2..];
            assert_eq!(t.generate(time).to_string(), six, "at {time}");
            assert_eq!(check_at(&t, six, time), Some((time / 30) as i64));
        }
        // One step of skew either way, not two.
        assert!(check_at(&t, "287082", 59 + 30).is_some());
        assert!(check_at(&t, "287082", 59 + 61).is_none());
        assert!(check_at(&t, "28708", 59).is_none());
        assert!(check_at(&t, "abcdef", 59).is_none());
        assert!(check_at(&t, "287 082", 59).is_some(), "spaces are ignored");
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_hashed() {
        let (codes, hashes) = new_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), RECOVERY_CODES);
        for (c, h) in codes.iter().zip(&hashes) {
            assert_eq!(c.len(), 11);
            assert_eq!(&c[5..6], "-");
            assert_eq!(h, &hash_secret(c));
        }
    }
}
