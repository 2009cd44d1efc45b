//! The mail `files.sendMail` and `folders.sendMail` send: one message per
//! recipient, plain text and HTML from the templates beside this file, in
//! the sender's name, with Reply-To set to the sender.

use dropspace_proto::html::esc;
use lettre::message::Mailbox;

use crate::db::users::User;
use crate::library::{collect_addresses, Library, Result};
use crate::mail::{valid_email, Mail};

const TEXT: &str = include_str!("templates/share.txt");
const HTML: &str = include_str!("templates/share.html");

/// Most recipients one call may name.
pub const MAX_RECIPIENTS: usize = 100;

/// A shared item: its name and the page a recipient opens.
#[derive(Clone)]
pub struct Link {
    pub name: String,
    pub url: String,
}

/// The recipient list of `emails` (commas, semicolons or blanks between
/// addresses); None when it is empty or any address is invalid (24).
pub fn recipients(emails: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for e in emails.split([',', ';', ' ', '\t', '\r', '\n']) {
        let e = e.trim();
        if e.is_empty() {
            continue;
        }
        if !valid_email(e) {
            return None;
        }
        if !out.iter().any(|o| o.eq_ignore_ascii_case(e)) {
            out.push(e.to_string());
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Fills `{{key}}` slots in one pass: values are never scanned again, so
/// user text cannot inject a slot.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let key = &after[..end];
                match values.iter().find(|(k, _)| *k == key) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Header-safe, single-line text: control characters become spaces (a
/// name cannot add headers).
pub(crate) fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Who shares: an account, or an anonymous uploader (no address to answer).
pub struct Sender {
    pub name: String,
    pub email: Option<String>,
    /// Anonymous: the mail comes from the configured `mail.from` as it is,
    /// with no name borrowed from an uploader (docs/configuration.md, "Mail").
    pub anonymous: bool,
}

impl Sender {
    pub fn anonymous() -> Sender {
        Sender {
            name: "An anonymous uploader".into(),
            email: None,
            anonymous: true,
        }
    }
}

impl From<&User> for Sender {
    fn from(user: &User) -> Sender {
        let name = if user.full_name.trim().is_empty() {
            &user.user_name
        } else {
            &user.full_name
        };
        Sender {
            name: name.clone(),
            email: Some(user.email.clone()),
            anonymous: false,
        }
    }
}

/// What a share mail says: `what` is e.g. "a file" or "2 folders"; the
/// subject defaults to "{sender} shared {what} with you".
pub struct Share<'a> {
    pub what: &'a str,
    pub links: &'a [Link],
    pub message: &'a str,
    pub subject: Option<&'a str>,
}

/// Queues the share mail to every recipient.
pub async fn send_share(
    app: &Library,
    sender: &Sender,
    recipients: &[String],
    share: &Share<'_>,
) -> Result<()> {
    let Share {
        what,
        links,
        message,
        subject,
    } = *share;
    let name = one_line(&sender.name);
    let email = sender.email.as_deref().unwrap_or("");
    let (text_email, html_email) = if email.is_empty() {
        (String::new(), String::new())
    } else {
        (format!(" <{email}>"), format!(" &lt;{}&gt;", esc(email)))
    };
    let (text_reply, html_reply) = if email.is_empty() {
        (String::new(), String::new())
    } else {
        (
            format!("You can answer {name} by replying to this mail.\n"),
            format!(
                "<p style=\"color:#666\">You can answer {} by replying to this mail.</p>",
                esc(&name)
            ),
        )
    };
    let site = app.public_url.clone();
    let subject = match subject {
        Some(given) if !given.trim().is_empty() => one_line(given.trim()),
        _ => format!("{name} shared {what} with you"),
    };
    let text_links: String = links
        .iter()
        .map(|l| format!("{}\n{}\n", l.name, l.url))
        .collect::<Vec<_>>()
        .join("\n");
    let html_links: String = links
        .iter()
        .map(|l| format!("<li><a href=\"{}\">{}</a></li>", esc(&l.url), esc(&l.name)))
        .collect::<Vec<_>>()
        .join("\n");
    let text_message = if message.trim().is_empty() {
        String::new()
    } else {
        format!("{}\n", message.trim())
    };
    let html_message = if message.trim().is_empty() {
        String::new()
    } else {
        format!(
            "<blockquote style=\"white-space:pre-wrap\">{}</blockquote>",
            esc(message.trim())
        )
    };
    let text = fill(
        TEXT,
        &[
            ("sender", &name),
            ("sender_email", &text_email),
            ("reply_hint", &text_reply),
            ("what", what),
            ("site", &site),
            ("message", &text_message),
            ("links", &text_links),
        ],
    );
    let html = fill(
        HTML,
        &[
            ("subject", &esc(&subject)),
            ("sender", &esc(&name)),
            ("sender_email", &html_email),
            ("reply_hint", &html_reply),
            ("what", &esc(what)),
            ("site", &esc(&site)),
            ("message", &html_message),
            ("links", &html_links),
        ],
    );
    let reply_to = email
        .parse()
        .ok()
        .map(|addr| Mailbox::new(Some(name.clone()), addr));
    for to in recipients {
        app.mail
            .send(Mail {
                to: to.clone(),
                subject: subject.clone(),
                text: text.clone(),
                html: Some(html.clone()),
                reply_to: reply_to.clone(),
                from_name: (!sender.anonymous).then(|| name.clone()),
            })
            .await?;
    }
    Ok(())
}

/// Counts `n` share mails sent from `ip` (and by `user_id`) against the
/// hourly rates; `TooFast` when one is spent, and then nothing is counted.
pub async fn take_mail_rate(
    lib: &Library,
    ip: std::net::IpAddr,
    user_id: Option<i64>,
    n: usize,
) -> Result<()> {
    let limits = &lib.cfg.limits;
    let mut keys = Vec::new();
    if limits.mails_per_hour_per_address > 0 {
        keys.push((format!("addr:{ip}"), limits.mails_per_hour_per_address));
    }
    if let (Some(uid), true) = (user_id, limits.mails_per_hour_per_account > 0) {
        keys.push((format!("user:{uid}"), limits.mails_per_hour_per_account));
    }
    if n == 0 || keys.is_empty() {
        return Ok(());
    }
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    match lib.db.mail_rate_take(&keys, n).await? {
        None => Ok(()),
        Some(wait) => Err(crate::library::Error::TooFast(wait as u64)),
    }
}

/// A user shares `links` (of `kind`: "file" or "folder") with
/// `recipients`: one mail each, then the addresses are collected into the
/// user's address book. Nothing happens without links.
pub async fn share_links(
    lib: &Library,
    from: std::net::IpAddr,
    user: &User,
    recipients: &[String],
    kind: &str,
    links: &[Link],
    message: &str,
) -> Result<()> {
    if links.is_empty() {
        return Ok(());
    }
    take_mail_rate(lib, from, Some(user.id), recipients.len()).await?;
    let what = match links.len() {
        1 => format!("a {kind}"),
        n => format!("{n} {kind}s"),
    };
    let share = Share {
        what: &what,
        links,
        message,
        subject: None,
    };
    send_share(lib, &user.into(), recipients, &share).await?;
    collect_addresses(lib, user.id, recipients).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_is_single_pass() {
        let out = fill("a {{x}} b {{y}} {{z}}", &[("x", "{{y}}"), ("y", "Y")]);
        assert_eq!(out, "a {{y}} b Y {{z}}");
    }

    #[test]
    fn recipients_reject_any_invalid() {
        assert_eq!(
            recipients("a@example.com, b@example.com;A@example.com"),
            Some(vec!["a@example.com".into(), "b@example.com".into()])
        );
        assert_eq!(recipients("a@example.com,nope"), None);
        assert_eq!(recipients(" , "), None);
    }
}
