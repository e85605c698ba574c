//! What people ask of tickets, parsed once from form or JSON input.
//!
//! Server functions and REST handlers fill an input struct with what arrived (`&str`s, as typed
//! or sent) and turn it into a command with `TryFrom`; that is the only place ticket input is
//! checked, and each refusal names its field. The service accepts only commands.

use crate::domain::{Priority, TicketKind, TicketStatus};
use crate::error::{AppError, ErrorCode};
use crate::kernel::text::bounded_text;

bounded_text!(
    /// A ticket's subject line.
    Subject { max: 200, required: true, code: SubjectRequired, field: "subject" }
);
bounded_text!(
    /// A ticket's first message or a reply.
    TicketBody { max: 20_000, required: true, code: BodyRequired, field: "body" }
);

/// The ticket form (or `POST /api/v1/tickets`) as it arrived.
#[derive(Debug, Clone, Copy)]
pub struct OpenTicketInput<'a> {
    pub subject: &'a str,
    pub body: &'a str,
    pub kind: &'a str,
    pub priority: &'a str,
    pub on_site: bool,
}

/// A customer opens a ticket. Only incidents may be high or medium priority; whether the
/// organisation's plan allows on-site support is the service's check (it needs the plan).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTicket {
    pub subject: Subject,
    pub body: TicketBody,
    pub kind: TicketKind,
    pub priority: Priority,
    pub on_site: bool,
}

impl TryFrom<OpenTicketInput<'_>> for OpenTicket {
    type Error = AppError;

    fn try_from(input: OpenTicketInput<'_>) -> Result<Self, AppError> {
        let subject = Subject::parse(input.subject)?;
        let body = TicketBody::parse(input.body)?;
        let kind: TicketKind = input
            .kind
            .parse()
            .map_err(|_| AppError::field(ErrorCode::KindInvalid, "kind"))?;
        let priority: Priority = input
            .priority
            .parse()
            .map_err(|_| AppError::field(ErrorCode::PriorityInvalid, "priority"))?;
        if !kind.allows(priority) {
            return Err(AppError::field(ErrorCode::PriorityNotAllowed, "priority"));
        }
        Ok(OpenTicket {
            subject,
            body,
            kind,
            priority,
            on_site: input.on_site,
        })
    }
}

/// A reply to a ticket; staff may make it an internal note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub body: TicketBody,
    pub internal: bool,
}

impl Reply {
    pub fn parse(body: &str, internal: bool) -> Result<Self, AppError> {
        Ok(Reply {
            body: TicketBody::parse(body)?,
            internal,
        })
    }
}

/// A new status for a ticket, from its code (`open`, `closed`, …).
pub fn parse_status(raw: &str) -> Result<TicketStatus, AppError> {
    raw.parse()
        .map_err(|_| AppError::field(ErrorCode::StatusInvalid, "status"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(kind: &'a str, priority: &'a str) -> OpenTicketInput<'a> {
        OpenTicketInput {
            subject: "  Servidor caído ",
            body: "No responde",
            kind,
            priority,
            on_site: false,
        }
    }

    fn field_of(result: Result<OpenTicket, AppError>) -> (ErrorCode, Option<String>) {
        let e = result.expect_err("refused");
        (e.code, e.field)
    }

    #[test]
    fn parses_once_and_trims() {
        let t = OpenTicket::try_from(input("incident", "alta")).expect("valid");
        assert_eq!(t.subject.as_str(), "Servidor caído");
        assert_eq!(t.priority, Priority::High);
        assert_eq!(t.kind, TicketKind::Incident);
        assert_eq!(
            OpenTicket::try_from(input("question", "normal")).map(|t| t.priority),
            Ok(Priority::Normal)
        );
    }

    #[test]
    fn every_refusal_names_its_field() {
        let mut empty = input("incident", "high");
        empty.subject = " ";
        assert_eq!(
            field_of(empty.try_into()),
            (ErrorCode::SubjectRequired, Some("subject".into()))
        );
        let long = "x".repeat(Subject::MAX_CHARS + 1);
        let mut too_long = input("incident", "high");
        too_long.subject = &long;
        assert_eq!(field_of(too_long.try_into()).0, ErrorCode::SubjectRequired);
        let mut nul = input("incident", "high");
        nul.body = "a\0b";
        assert_eq!(
            field_of(nul.try_into()),
            (ErrorCode::BodyRequired, Some("body".into()))
        );
        assert_eq!(
            field_of(input("outage", "high").try_into()).0,
            ErrorCode::KindInvalid
        );
        assert_eq!(
            field_of(input("incident", "urgent").try_into()).0,
            ErrorCode::PriorityInvalid
        );
        assert_eq!(
            field_of(input("maintenance", "high").try_into()),
            (ErrorCode::PriorityNotAllowed, Some("priority".into()))
        );
    }

    #[test]
    fn replies_and_statuses() {
        assert!(Reply::parse("  ", false).is_err());
        assert_eq!(
            Reply::parse(" ok ", true).map(|r| r.body.into_inner()),
            Ok("ok".into())
        );
        assert_eq!(parse_status("closed"), Ok(TicketStatus::Closed));
        assert_eq!(
            parse_status("gone").map_err(|e| e.code),
            Err(ErrorCode::StatusInvalid)
        );
    }
}
