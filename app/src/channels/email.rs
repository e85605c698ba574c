//! Email to the support mailbox (from the IMAP poller or the inbound-mail webhook): a new message
//! opens a ticket for the sender's organisation, a reply lands in its ticket, machines are
//! ignored, and a message seen twice is handled once.

use crate::accounts::service::{acting_as, contact_org};
use crate::accounts::store::{AccountStore, NewUser, UserRecord};
use crate::domain::inbound_mail::{
    automatic, bounce_facts, is_public_domain, new_text, ticket_reference, Automatic,
};
use crate::domain::{Email, PersonName, Role, TicketSource};
use crate::error::{AppError, ErrorCode};
use crate::files::{check_upload, clean_filename, MAX_FILE_BYTES};
use crate::kernel::{Clock, OutboxStore, StoreResult};
use crate::tickets::command::{Reply, TicketBody};
use crate::tickets::service::Tickets;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mail_parser::{MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Messages larger than this are refused before parsing (attachments are limited anyway).
pub const MAX_RAW_BYTES: usize = 30 * 1024 * 1024;
const NO_SUBJECT: &str = "(sin asunto)";
/// Where a message longer than a ticket's text is cut, leaving room for the note saying so.
const CUT_AT_CHARS: usize = TicketBody::MAX_CHARS - 400;
/// The attachment holding the whole text of a message that was cut.
const FULL_TEXT_NAME: &str = "mensaje-completo.txt";

/// A message as the intake needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedMail {
    /// `Message-ID` without angle brackets; a digest of the message when it has none.
    pub message_id: String,
    /// `In-Reply-To` and `References`, newest first.
    pub thread: Vec<String>,
    pub from_email: String,
    pub from_name: Option<String>,
    pub subject: String,
    /// Plain text; an HTML-only message is converted to text (no markup survives).
    pub text: String,
    pub headers: Vec<(String, String)>,
    pub attachments: Vec<MailFile>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Parses a raw RFC 5322 message; `mail_invalid` when it has no usable sender.
pub fn parse(raw: &[u8]) -> Result<ParsedMail, AppError> {
    let invalid = || AppError::field(ErrorCode::MailInvalid, "message");
    if raw.len() > MAX_RAW_BYTES {
        return Err(AppError::field(ErrorCode::FileTooLarge, "message"));
    }
    let message = MessageParser::default().parse(raw).ok_or_else(invalid)?;
    let from = message.from().and_then(|a| a.first()).ok_or_else(invalid)?;
    let from_email = from
        .address()
        .and_then(Email::parse)
        .ok_or_else(invalid)?
        .as_str()
        .to_owned();
    let message_id = match message.message_id() {
        Some(id) if !id.trim().is_empty() => id.trim().trim_matches(['<', '>']).to_owned(),
        _ => format!("sha256:{}", hex::encode(Sha256::digest(raw))),
    };
    let mut thread: Vec<String> = Vec::new();
    for value in [message.in_reply_to(), message.references()] {
        let ids: Vec<String> = match (value.as_text_list(), value.as_text()) {
            (Some(list), _) => list.iter().rev().map(|s| s.to_string()).collect(),
            (None, Some(one)) => vec![one.to_owned()],
            _ => Vec::new(),
        };
        for id in ids {
            let id = id.trim().trim_matches(['<', '>']).to_owned();
            if !id.is_empty() && !thread.contains(&id) {
                thread.push(id);
            }
        }
    }
    let subject = message
        .subject()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(NO_SUBJECT)
        .to_owned();
    let text = message
        .body_text(0)
        .map(|t| t.replace("\r\n", "\n"))
        .unwrap_or_default();
    let headers = message
        .headers_raw()
        .map(|(n, v)| (n.to_owned(), v.trim().to_owned()))
        .collect();
    let attachments = message
        .attachments()
        .filter(|part| !part.is_message())
        .map(|part| MailFile {
            name: part.attachment_name().unwrap_or("adjunto").to_owned(),
            bytes: part.contents().to_vec(),
        })
        .collect();
    Ok(ParsedMail {
        message_id,
        thread,
        from_email,
        from_name: from
            .name()
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty()),
        subject,
        text,
        headers,
        attachments,
    })
}

/// A message's text as a ticket keeps it: whole when it fits; otherwise cut (at a line break
/// where one is near) with a note, and the whole text returned to be attached, so nothing is
/// lost.
fn fit_text(text: String) -> (String, Option<MailFile>) {
    if text.chars().count() <= TicketBody::MAX_CHARS {
        return (text, None);
    }
    let cut: String = text.chars().take(CUT_AT_CHARS).collect();
    let cut = match cut.rfind('\n') {
        Some(at) if at > cut.len() / 2 => cut[..at].to_owned(),
        _ => cut,
    };
    let body = format!(
        "{}\n\n[Mensaje recortado: el texto completo está adjunto como «{FULL_TEXT_NAME}».]",
        cut.trim_end()
    );
    let full = MailFile {
        name: FULL_TEXT_NAME.to_owned(),
        bytes: text.into_bytes(),
    };
    (body, Some(full))
}

/// What happened to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intake {
    Opened {
        ticket_id: i64,
    },
    Replied {
        ticket_id: i64,
    },
    /// Written by a machine (vacation reply, bounce, list, our own mail).
    Ignored(Automatic),
    /// From a staff address: agents answer in the portal, where they are signed in (a `From`
    /// header proves nothing).
    FromStaff,
    /// Already handled (the same `Message-ID` came again).
    Duplicate,
}

/// Message ids already handled, and which ticket each belongs to.
#[async_trait]
pub trait MailThreadStore: Send + Sync {
    /// Records `message_id` as being handled; `false` if it already was.
    async fn claim_message(&self, message_id: &str, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Forgets a claim whose handling failed, so the next delivery tries again.
    async fn release_message(&self, message_id: &str) -> StoreResult<()>;
    async fn link_message(&self, message_id: &str, ticket_id: i64) -> StoreResult<()>;
    /// The ticket of the first of `message_ids` that has one.
    async fn ticket_of_messages(&self, message_ids: &[String]) -> StoreResult<Option<i64>>;
}

#[derive(Clone)]
pub struct EmailIntake {
    threads: Arc<dyn MailThreadStore>,
    accounts: Arc<dyn AccountStore>,
    outbox: Arc<dyn OutboxStore>,
    tickets: Tickets,
    /// The portal's own addresses (lower case): mail from them would loop.
    own: Vec<String>,
    clock: Clock,
}

/// Attachments the portal keeps (cleaned name, bytes), and a note naming the ones it refused;
/// the rule is the portal's own ([`check_upload`]).
fn screen_files(files: &[MailFile]) -> (Vec<(String, &[u8])>, Option<String>) {
    let mut kept = Vec::new();
    let mut refused = Vec::new();
    for f in files {
        match check_upload(&f.bytes, &f.name) {
            Ok((name, _)) => kept.push((name, f.bytes.as_slice())),
            Err(ErrorCode::FileEmpty) => {}
            Err(ErrorCode::FileTooLarge) => refused.push(format!(
                "{} (más de {} MB)",
                clean_filename(&f.name),
                MAX_FILE_BYTES / (1024 * 1024)
            )),
            Err(_) => refused.push(format!(
                "{} (tipo de archivo no permitido)",
                clean_filename(&f.name)
            )),
        }
    }
    let note =
        (!refused.is_empty()).then(|| format!("Adjuntos no aceptados: {}.", refused.join(", ")));
    (kept, note)
}

fn domain_of(email: &str) -> &str {
    email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
}

impl EmailIntake {
    pub fn new(
        threads: Arc<dyn MailThreadStore>,
        accounts: Arc<dyn AccountStore>,
        outbox: Arc<dyn OutboxStore>,
        tickets: Tickets,
        own: Vec<String>,
        clock: Clock,
    ) -> Self {
        let own = own.into_iter().map(|a| a.to_lowercase()).collect();
        EmailIntake {
            clock,
            threads,
            accounts,
            outbox,
            tickets,
            own,
        }
    }

    /// Handles one raw message. A failure leaves no trace, so the sender's server (or the next
    /// poll) may deliver it again.
    pub async fn receive(&self, raw: &[u8]) -> Result<Intake, AppError> {
        let mail = parse(raw)?;
        let own: Vec<&str> = self.own.iter().map(String::as_str).collect();
        if let Some(reason) = automatic(&mail.headers, &mail.from_email, &own) {
            tracing::info!(message_id = %mail.message_id, ?reason, "automatic email ignored");
            if matches!(reason, Automatic::DeliveryReport | Automatic::Bounce) {
                self.record_bounce(&mail, raw).await?;
            }
            return Ok(Intake::Ignored(reason));
        }
        if !self
            .threads
            .claim_message(&mail.message_id, self.clock.now())
            .await?
        {
            return Ok(Intake::Duplicate);
        }
        match self.handle(&mail).await {
            Ok(outcome) => Ok(outcome),
            Err(e) => {
                if let Err(release) = self.threads.release_message(&mail.message_id).await {
                    tracing::error!(error = %release, "could not release an email claim");
                }
                Err(e)
            }
        }
    }

    /// A bounce of the portal's own mail marks that mail failed in the outbox, when the report
    /// names both the mail (its `outbox-…` Message-ID) and the address it was sent to.
    async fn record_bounce(&self, mail: &ParsedMail, raw: &[u8]) -> Result<(), AppError> {
        // The decoded text, then the raw message: the returned headers and the status fields
        // sit in parts that are not the message's text.
        let facts = bounce_facts(&format!("{}\n{}", mail.text, String::from_utf8_lossy(raw)));
        let reason = match facts.reason.as_str() {
            "" => "Rebotado (informe de entrega)".to_owned(),
            why => format!("Rebotado: {why}"),
        };
        let now = self.clock.now();
        for id in &facts.outbox_ids {
            for recipient in &facts.recipients {
                if self
                    .outbox
                    .mark_bounced(*id, recipient, &reason, now)
                    .await?
                {
                    tracing::warn!(mail.id = id, to = %recipient, %reason, "sent mail bounced");
                }
            }
        }
        Ok(())
    }

    async fn handle(&self, mail: &ParsedMail) -> Result<Intake, AppError> {
        let sender = self.sender(mail).await?;
        let Some(sender) = sender else {
            tracing::info!(message_id = %mail.message_id, "email from a staff address ignored");
            return Ok(Intake::FromStaff);
        };
        let principal = acting_as(&sender);
        let is_reply = self.thread_ticket(mail, &sender).await?;
        let text = match is_reply {
            Some(_) => new_text(&mail.text),
            None => mail.text.trim().to_owned(),
        };
        let (text, full_text) = fit_text(text);
        let mut attachments = mail.attachments.clone();
        attachments.extend(full_text);
        let (files, refused) = screen_files(&attachments);
        // The text, the refused attachments named under it, and never an empty body.
        let body_of = |text: String| {
            let body = match &refused {
                Some(note) if text.trim().is_empty() => note.clone(),
                Some(note) => format!("{text}\n\n{note}"),
                None => text,
            };
            if body.trim().is_empty() {
                "(correo sin texto)".to_owned()
            } else {
                body
            }
        };
        let (ticket_id, outcome) = match is_reply {
            Some(ticket_id) => {
                let reply = Reply::parse(&body_of(text), false)?;
                self.tickets.reply(&principal, ticket_id, reply).await?;
                (ticket_id, Intake::Replied { ticket_id })
            }
            None => {
                let org_id = sender.org_id.ok_or(ErrorCode::Forbidden)?;
                let body = body_of(text);
                let ticket = self
                    .tickets
                    .open_for(org_id, sender.id, &mail.subject, &body, TicketSource::Email)
                    .await?;
                (
                    ticket.id,
                    Intake::Opened {
                        ticket_id: ticket.id,
                    },
                )
            }
        };
        for (name, bytes) in files {
            if let Err(e) = self
                .tickets
                .attach(&principal, ticket_id, &name, bytes)
                .await
            {
                tracing::warn!(ticket.id = ticket_id, error = %e, "email attachment not kept");
            }
        }
        self.threads
            .link_message(&mail.message_id, ticket_id)
            .await?;
        tracing::info!(ticket.id = ticket_id, ?outcome, "email received");
        Ok(outcome)
    }

    /// The ticket a reply belongs to: a message it answers, or the `[T-…]` token of the subject;
    /// only a ticket of the sender's own organisation.
    async fn thread_ticket(
        &self,
        mail: &ParsedMail,
        sender: &UserRecord,
    ) -> Result<Option<i64>, AppError> {
        let candidate = match self.threads.ticket_of_messages(&mail.thread).await? {
            Some(id) => Some(id),
            None => ticket_reference(&mail.subject),
        };
        let Some(id) = candidate else {
            return Ok(None);
        };
        let principal = acting_as(sender);
        match self.tickets.get(&principal, id).await {
            Ok(_) => Ok(Some(id)),
            // Someone else's (or a made-up) ticket number: the message starts its own ticket.
            Err(e) if matches!(e.code, ErrorCode::NotFound | ErrorCode::Forbidden) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The customer who wrote: an existing one by address; a new one in the organisation of
    /// colleagues at the same (non-public) domain; otherwise a contact in an organisation of
    /// their own. `None` for staff addresses.
    async fn sender(&self, mail: &ParsedMail) -> Result<Option<UserRecord>, AppError> {
        if let Some(user) = self.accounts.find_user_by_email(&mail.from_email).await? {
            return Ok((user.role == Role::Customer && user.org_id.is_some()).then_some(user));
        }
        let domain = domain_of(&mail.from_email);
        let now = self.clock.now();
        let org = match (!is_public_domain(domain))
            .then_some(domain)
            .filter(|d| !d.is_empty())
        {
            Some(d) => self.accounts.customer_org_by_domain(d).await?,
            None => None,
        };
        // A new sender at a customer's domain joins that organisation only when it lets its
        // domain join by itself; otherwise a contact of their own, with a request to join that
        // staff approve (a `From` address at a domain proves nothing).
        let auto_join = match org {
            Some(id) => self
                .accounts
                .get_org(id)
                .await?
                .is_some_and(|o| o.auto_join_domain),
            None => false,
        };
        let (org, join) = match org {
            Some(org) if auto_join => (org, None),
            other => (
                contact_org(
                    self.accounts.as_ref(),
                    &format!("Contacto correo: {}", mail.from_email),
                    now,
                )
                .await?,
                other,
            ),
        };
        let name = mail
            .from_name
            .as_deref()
            .and_then(PersonName::parse)
            .map(|n| n.as_str().to_owned())
            .unwrap_or_else(|| mail.from_email.clone());
        let id = self
            .accounts
            .create_user(NewUser {
                email: &mail.from_email,
                name: &name,
                role: Role::Customer,
                org_id: Some(org),
                password_hash: None,
                now,
            })
            .await?;
        if let Some(wanted) = join {
            self.accounts.request_join(id, wanted).await?;
        }
        tracing::info!(user.id = id, org.id = org, join = ?join, "email contact created");
        Ok(self.accounts.get_user(id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPLY: &str = "From: Ana Mora <Ana@Empresa.cr>\r\n\
To: soporte@any2cloud.com\r\n\
Subject: Re: [T-00012] Impresora\r\n\
Message-ID: <abc@empresa.cr>\r\n\
In-Reply-To: <first@empresa.cr>\r\n\
References: <zero@empresa.cr> <first@empresa.cr>\r\n\
Content-Type: text/html; charset=utf-8\r\n\
\r\n\
<p>Ya <b>funciona</b></p><script>alert(1)</script>\r\n";

    #[test]
    fn a_reply_is_read_with_its_thread_and_html_becomes_text() {
        let m = parse(REPLY.as_bytes()).expect("parsed");
        assert_eq!(m.message_id, "abc@empresa.cr");
        assert_eq!(m.thread, vec!["first@empresa.cr", "zero@empresa.cr"]);
        assert_eq!(m.from_email, "ana@empresa.cr");
        assert_eq!(m.from_name.as_deref(), Some("Ana Mora"));
        assert_eq!(m.subject, "Re: [T-00012] Impresora");
        assert!(m.text.contains("Ya funciona"), "{}", m.text);
        assert!(!m.text.contains('<'), "{}", m.text);
    }

    #[test]
    fn messages_without_sender_are_invalid_and_without_id_get_a_digest() {
        let err = parse(b"Subject: x\r\n\r\nhola").expect_err("no sender");
        assert_eq!(err.code, ErrorCode::MailInvalid);
        let m = parse(b"From: a@b.cr\r\n\r\nhola").expect("parsed");
        assert!(m.message_id.starts_with("sha256:"));
        assert_eq!(m.subject, NO_SUBJECT);
    }

    #[test]
    fn refused_attachments_are_named() {
        let files = [
            MailFile {
                name: "log.txt".into(),
                bytes: b"linea".to_vec(),
            },
            MailFile {
                name: "virus.exe".into(),
                bytes: b"MZ\x90\x00".to_vec(),
            },
        ];
        let (kept, note) = screen_files(&files);
        assert_eq!(kept.len(), 1);
        assert_eq!(
            note.as_deref(),
            Some("Adjuntos no aceptados: virus.exe (tipo de archivo no permitido).")
        );
    }
}
