//! Polls the support mailbox over IMAP: every unseen message goes through the email intake
//! (a new ticket, a reply, or ignored) and is then flagged `\Seen`. A message the portal could
//! not store stays unseen and is tried again at the next poll; the intake's Message-ID record
//! keeps a message that was stored but not flagged (a lost connection) from being stored twice.

use crate::config::ImapConfig;
use app::channels::email::EmailIntake;
use futures_util::StreamExt;
use std::fmt::Debug;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::watch;

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("cannot reach {0}: {1}")]
    Connect(String, std::io::Error),
    #[error("TLS: {0}")]
    Tls(#[from] tokio_native_tls::native_tls::Error),
    #[error("the server closed the connection before greeting")]
    NoGreeting,
    #[error("IMAP: {0}")]
    Imap(#[from] async_imap::error::Error),
    #[error("IMAP connection: {0}")]
    Io(#[from] std::io::Error),
}

/// What one poll did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Polled {
    /// Messages handled (new tickets, replies, ignored and duplicates) and flagged seen.
    pub handled: usize,
    /// Messages left unseen for the next poll (the portal could not store them).
    pub failed: usize,
}

/// Reads the unseen messages of the configured folder once.
pub async fn poll_once(config: &ImapConfig, intake: &EmailIntake) -> Result<Polled, ImapError> {
    let address = format!("{}:{}", config.host, config.port);
    let tcp = TcpStream::connect(&address)
        .await
        .map_err(|e| ImapError::Connect(address.clone(), e))?;
    if config.tls {
        let connector = tokio_native_tls::TlsConnector::from(
            tokio_native_tls::native_tls::TlsConnector::new()?,
        );
        let stream = connector.connect(&config.host, tcp).await?;
        read_mailbox(stream, config, intake).await
    } else {
        read_mailbox(tcp, config, intake).await
    }
}

async fn read_mailbox<S>(
    stream: S,
    config: &ImapConfig,
    intake: &EmailIntake,
) -> Result<Polled, ImapError>
where
    S: AsyncRead + AsyncWrite + Unpin + Debug + Send,
{
    let mut client = async_imap::Client::new(stream);
    client.read_response().await?.ok_or(ImapError::NoGreeting)?;
    let mut session = client
        .login(&config.username, config.password.expose())
        .await
        .map_err(|(e, _)| e)?;
    session.select(&config.folder).await?;
    let mut uids: Vec<u32> = session.uid_search("UNSEEN").await?.into_iter().collect();
    uids.sort_unstable();
    let mut polled = Polled::default();
    for uid in uids {
        let mut raw = None;
        {
            let mut fetches = session.uid_fetch(uid.to_string(), "BODY.PEEK[]").await?;
            while let Some(fetch) = fetches.next().await {
                let fetch = fetch?;
                if let Some(body) = fetch.body() {
                    raw = Some(body.to_vec());
                }
            }
        }
        let Some(raw) = raw else {
            continue;
        };
        let done = match intake.receive(&raw).await {
            Ok(outcome) => {
                tracing::debug!(uid, ?outcome, "mailbox message handled");
                true
            }
            // The message itself is unusable: retrying cannot help.
            Err(e) if e.code.status() < 500 => {
                tracing::warn!(uid, error = %e, "mailbox message skipped");
                true
            }
            Err(e) => {
                tracing::error!(uid, error = %e, "mailbox message not stored; retried at the next poll");
                false
            }
        };
        if done {
            let mut updates = session
                .uid_store(uid.to_string(), "+FLAGS (\\Seen)")
                .await?;
            while let Some(update) = updates.next().await {
                update?;
            }
            polled.handled += 1;
        } else {
            polled.failed += 1;
        }
    }
    session.logout().await?;
    Ok(polled)
}

/// Polls every `poll_every` until shutdown; failures are logged and retried at the next poll.
/// Only the instance holding the job lease polls.
pub async fn run(
    config: ImapConfig,
    intake: EmailIntake,
    lease: std::sync::Arc<crate::job_lease::JobLease>,
    shutdown: watch::Receiver<bool>,
) {
    tracing::info!(host = %config.host, folder = %config.folder, "polling the support mailbox");
    let work = || poll_once(&config, &intake);
    let done = |p: Polled| {
        if p.handled + p.failed > 0 {
            tracing::info!(
                handled = p.handled,
                failed = p.failed,
                "support mailbox polled"
            )
        }
    };
    lease
        .every("mailbox", config.poll_every, shutdown, work, done)
        .await
}
