//! The outbox worker: delivers queued mail through SMTP with retries and backoff, or, without
//! SMTP configured, writes each message to the log and marks it `logged` (admins still see it).

use crate::config::{SmtpConfig, SmtpTls};
use app::accounts::{MailStatus, OutboxMail};
use app::kernel::Clock;
use app::kernel::OutboxStore;
use chrono::Duration;
use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use tokio::sync::watch;

const MAX_ATTEMPTS: i64 = 8;
const POLL_SECONDS: u64 = 3;

pub struct Mailer {
    outbox: Arc<dyn OutboxStore>,
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    clock: Clock,
}

#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    #[error("SMTP_FROM: '{0}' is not a valid sender address")]
    From(String),
    #[error("SMTP_HOST: {0}")]
    Transport(String),
}

/// Exponential backoff: 1, 2, 4 … minutes, capped at 2 hours.
pub fn retry_delay(attempts: i64) -> Duration {
    Duration::minutes(1i64 << attempts.clamp(0, 7)).min(Duration::hours(2))
}

impl Mailer {
    pub fn new(
        outbox: Arc<dyn OutboxStore>,
        smtp: Option<&SmtpConfig>,
        clock: Clock,
    ) -> Result<Self, MailConfigError> {
        let smtp = match smtp {
            None => None,
            Some(cfg) => {
                let from: Mailbox = cfg
                    .from
                    .parse()
                    .map_err(|_| MailConfigError::From(cfg.from.clone()))?;
                let builder = match cfg.tls {
                    SmtpTls::StartTls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&cfg.host)
                    }
                    SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&cfg.host),
                    SmtpTls::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                        &cfg.host,
                    )),
                }
                .map_err(|e| MailConfigError::Transport(e.to_string()))?;
                let mut builder = builder
                    .port(cfg.port)
                    .timeout(Some(std::time::Duration::from_secs(20)));
                if let (Some(user), Some(pass)) = (&cfg.username, &cfg.password) {
                    builder = builder
                        .credentials(Credentials::new(user.clone(), pass.expose().to_owned()));
                }
                Some((builder.build(), from))
            }
        };
        Ok(Mailer {
            outbox,
            smtp,
            clock,
        })
    }

    async fn deliver(&self, mail: &OutboxMail) -> Result<MailStatus, String> {
        // Contacts who reached us on WhatsApp / Messenger have a reserved `.invalid` address:
        // nothing can be delivered there, so the mail is only logged.
        if mail.to.to_ascii_lowercase().ends_with(".invalid") {
            tracing::info!(mail.id = mail.id, to = %mail.to, "mail to a channel contact without email: logged");
            return Ok(MailStatus::Logged);
        }
        let Some((transport, from)) = &self.smtp else {
            // The outbox page is the mailbox without SMTP; the log never shows a usable link.
            tracing::info!(mail.id = mail.id, to = %mail.to, subject = %mail.subject,
                body = %app::accounts::tokens::redact_links(&mail.body), "mail (no SMTP configured)");
            return Ok(MailStatus::Logged);
        };
        let to: Mailbox = mail.to.parse().map_err(|e| format!("bad recipient: {e}"))?;
        // The outbox id in the Message-ID: a delivery report quoting it marks this mail bounced.
        let domain = from.email.domain();
        let message = Message::builder()
            .message_id(Some(format!("<outbox-{}@{domain}>", mail.id)))
            .from(from.clone())
            .to(to)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| e.to_string())?;
        transport.send(message).await.map_err(|e| e.to_string())?;
        Ok(MailStatus::Sent)
    }

    /// Delivers whatever is due now; returns how many messages were handled.
    pub async fn run_once(&self) -> usize {
        let now = self.clock.now();
        let due = match self.outbox.due(now, 20).await {
            Ok(due) => due,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the outbox");
                return 0;
            }
        };
        for mail in &due {
            let result = match self.deliver(mail).await {
                Ok(status) => {
                    // Delivered by SMTP: the copy kept in the outbox loses its links' secrets.
                    let redacted = app::accounts::tokens::redact_links(&mail.body);
                    if status == MailStatus::Sent && redacted != mail.body {
                        if let Err(e) = self.outbox.replace_body(mail.id, &redacted).await {
                            tracing::error!(mail.id = mail.id, error = %e, "cannot redact a sent mail");
                        }
                    }
                    self.outbox
                        .mark(mail.id, status, None, None, self.clock.now())
                        .await
                }
                Err(error) => {
                    let attempts = mail.attempts + 1;
                    let (status, retry_at) = if attempts >= MAX_ATTEMPTS {
                        (MailStatus::Failed, None)
                    } else {
                        (
                            MailStatus::Pending,
                            Some(self.clock.now() + retry_delay(attempts)),
                        )
                    };
                    tracing::warn!(mail.id = mail.id, attempts, error = %error, "mail delivery failed");
                    self.outbox
                        .mark(mail.id, status, Some(&error), retry_at, self.clock.now())
                        .await
                }
            };
            if let Err(e) = result {
                tracing::error!(mail.id = mail.id, error = %e, "cannot update the outbox");
            }
        }
        due.len()
    }

    /// Polls the outbox until `shutdown` flips to true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            self.run_once().await;
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_secs(POLL_SECONDS)) => {}
                _ = shutdown.changed() => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::retry_delay;
    use chrono::Duration;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(retry_delay(0), Duration::minutes(1));
        assert_eq!(retry_delay(3), Duration::minutes(8));
        assert_eq!(retry_delay(50), Duration::hours(2));
    }
}
