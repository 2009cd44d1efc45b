//! Outgoing mail. A message is composed with lettre and queued in the
//! database, so the API call that caused it never waits for (or fails with)
//! the mail server; a worker on every node claims and delivers queued mail,
//! by SMTP when `mail.smtp_url` is set, else as `.eml` files written
//! atomically to `data_dir/outbox/`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::Notify;

use crate::config::Config;
use crate::db::{now, Db};
use crate::secrets::random_string;

/// A message to queue: plain text, optionally with an HTML alternative.
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub reply_to: Option<Mailbox>,
    /// Shown as the sender's name (the address stays the server's).
    pub from_name: Option<String>,
}

impl Mail {
    /// A plain-text message from the server.
    pub fn text(
        to: impl Into<String>,
        subject: impl Into<String>,
        text: impl Into<String>,
    ) -> Mail {
        Mail {
            to: to.into(),
            subject: subject.into(),
            text: text.into(),
            html: None,
            reply_to: None,
            from_name: None,
        }
    }
}

#[derive(Clone)]
pub struct Mailer {
    db: Db,
    from: Mailbox,
    outbox: PathBuf,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    /// The SMTP server's host:port, for messages (never the credentials).
    smtp_at: String,
    max_attempts: i64,
    wake: Arc<Notify>,
}

impl Mailer {
    pub fn new(cfg: &Config, db: Db) -> anyhow::Result<Mailer> {
        let from: Mailbox = cfg
            .mail
            .from
            .parse()
            .context("mail.from is not a valid mailbox")?;
        let smtp = match &cfg.mail.smtp_url {
            Some(url) if !url.is_empty() => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("mail.smtp_url is not a valid SMTP URL")?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            ),
            _ => None,
        };
        let smtp_at = cfg
            .mail
            .smtp_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .map(|u| format!("{}:{}", u.host_str().unwrap_or(""), u.port().unwrap_or(25)))
            .unwrap_or_default();
        let outbox = cfg.data_dir.join("outbox");
        if smtp.is_none() {
            crate::secrets::create_private_dir(&outbox)
                .with_context(|| format!("creating {}", outbox.display()))?;
        }
        Ok(Mailer {
            db,
            from,
            outbox,
            smtp,
            smtp_at,
            max_attempts: cfg.mail.max_attempts.max(1),
            wake: Arc::new(Notify::new()),
        })
    }

    /// Composes and queues a message; returns once it is durably queued.
    pub async fn send(&self, mail: Mail) -> anyhow::Result<()> {
        let to = mail.to.clone();
        let raw = self.compose(mail)?;
        self.db.queue_mail(&to, &raw, now()).await?;
        self.wake.notify_one();
        Ok(())
    }

    /// Composes and delivers a message at once, bypassing the queue
    /// (`admin mail test`): says where it went, or why it could not.
    pub async fn send_now(&self, mail: Mail) -> anyhow::Result<String> {
        let to = mail.to.clone();
        let raw = self.compose(mail)?;
        self.deliver(&to, &raw).await
    }

    fn compose(&self, mail: Mail) -> anyhow::Result<String> {
        let to: Mailbox = mail
            .to
            .parse()
            .with_context(|| "invalid recipient address".to_string())?;
        let from = match &mail.from_name {
            Some(name) => Mailbox::new(Some(name.clone()), self.from.email.clone()),
            None => self.from.clone(),
        };
        let mut builder = Message::builder().from(from).to(to).subject(mail.subject);
        if let Some(reply_to) = mail.reply_to {
            builder = builder.reply_to(reply_to);
        }
        let message = match mail.html {
            Some(html) => builder.multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(mail.text),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(html),
                    ),
            )?,
            None => builder.header(ContentType::TEXT_PLAIN).body(mail.text)?,
        };
        String::from_utf8(message.formatted()).context("mail is not UTF-8")
    }

    /// Delivers queued mail until the process ends. Safe on every node at once:
    /// a row is claimed by one conditional UPDATE before it is sent.
    pub async fn run_worker(self) {
        loop {
            match self.deliver_one().await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "mail queue"),
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            }
        }
    }

    /// Claims and delivers one due message; false when none was due.
    pub async fn deliver_one(&self) -> anyhow::Result<bool> {
        let t = now();
        let Some(claimed) = self.db.claim_mail(t, t + 120).await? else {
            return Ok(false);
        };
        let (id, attempts) = (claimed.id, claimed.attempts);
        match self.deliver(&claimed.recipient, &claimed.message).await {
            Ok(_) => self.db.delete_mail(id).await?,
            Err(e) if attempts >= self.max_attempts => {
                tracing::error!(mail_id = id, error = %format!("{e:#}"), "giving up on mail");
                self.db.delete_mail(id).await?;
            }
            Err(e) => {
                let backoff = 30 * (1i64 << attempts.clamp(0, 8));
                tracing::warn!(mail_id = id, attempts, error = %format!("{e:#}"), "mail delivery failed, will retry");
                self.db
                    .retry_mail(id, now() + backoff, &format!("{e:#}"))
                    .await?;
            }
        }
        Ok(true)
    }

    /// Sends one composed message; says where it went.
    async fn deliver(&self, recipient: &str, message: &str) -> anyhow::Result<String> {
        match &self.smtp {
            Some(smtp) => {
                let to: lettre::Address = recipient.parse()?;
                let envelope =
                    lettre::address::Envelope::new(Some(self.from.email.clone()), vec![to])?;
                smtp.send_raw(&envelope, message.as_bytes()).await?;
                Ok(format!("sent to {recipient} through {}", self.smtp_at))
            }
            None => {
                let name = format!(
                    "{}-{}",
                    now(),
                    random_string(12, crate::secrets::LOWER_ALNUM)
                );
                let tmp = self.outbox.join(format!(".{name}.tmp"));
                let dest = self.outbox.join(format!("{name}.eml"));
                let told = format!(
                    "no mail.smtp_url: written to {} instead of sent",
                    dest.display()
                );
                let bytes = message.as_bytes().to_vec();
                tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                    use std::io::Write;
                    let mut f = std::fs::File::create(&tmp)?;
                    f.write_all(&bytes)?;
                    f.sync_all()?;
                    std::fs::rename(&tmp, &dest)
                })
                .await??;
                Ok(told)
            }
        }
    }
}

/// Whether a string is a single valid e-mail address.
pub fn valid_email(s: &str) -> bool {
    let s = s.trim();
    s.len() <= 254
        && s.parse::<lettre::Address>()
            .map(|a| a.domain().contains('.') || a.domain() == "localhost")
            .unwrap_or(false)
}
