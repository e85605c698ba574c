//! Ticket rules from the service model: kinds, statuses and which priorities a kind may have.

use super::plan::Priority;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Where a ticket came from: the portal (form or API), an email to the support mailbox, or a
/// conversation (web chat, WhatsApp, Messenger, Instagram) an agent or the after-hours form
/// turned into a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketSource {
    #[default]
    Portal,
    Email,
    Chat,
}

impl TicketSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketSource::Portal => "portal",
            TicketSource::Email => "email",
            TicketSource::Chat => "chat",
        }
    }
}

impl FromStr for TicketSource {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "portal" => Ok(TicketSource::Portal),
            "email" => Ok(TicketSource::Email),
            "chat" => Ok(TicketSource::Chat),
            _ => Err(()),
        }
    }
}

/// What a ticket is about. Only direct failures (`Incident`) may be Alta or Media.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketKind {
    Incident,
    Request,
    Maintenance,
    Implementation,
    Development,
    Question,
}

impl TicketKind {
    pub const ALL: [TicketKind; 6] = [
        TicketKind::Incident,
        TicketKind::Request,
        TicketKind::Maintenance,
        TicketKind::Implementation,
        TicketKind::Development,
        TicketKind::Question,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TicketKind::Incident => "incident",
            TicketKind::Request => "request",
            TicketKind::Maintenance => "maintenance",
            TicketKind::Implementation => "implementation",
            TicketKind::Development => "development",
            TicketKind::Question => "question",
        }
    }

    /// "NO se contemplan o categorizan en prioridad Media o Alta las tareas de mantenimiento,
    /// implementaciones o desarrollo de funciones; se contemplan únicamente las tareas
    /// relacionadas a fallas directas."
    pub fn allows(self, priority: Priority) -> bool {
        matches!(self, TicketKind::Incident) || priority == Priority::Normal
    }
}

impl FromStr for TicketKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        TicketKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    New,
    Open,
    WaitingOnCustomer,
    Resolved,
    Closed,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 5] = [
        TicketStatus::New,
        TicketStatus::Open,
        TicketStatus::WaitingOnCustomer,
        TicketStatus::Resolved,
        TicketStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::New => "new",
            TicketStatus::Open => "open",
            TicketStatus::WaitingOnCustomer => "waiting_on_customer",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
        }
    }

    /// Still needs work from someone (shown in the agent queue).
    pub fn is_open(self) -> bool {
        !matches!(self, TicketStatus::Resolved | TicketStatus::Closed)
    }
}

impl FromStr for TicketStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        TicketStatus::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_incidents_may_be_urgent() {
        for kind in TicketKind::ALL {
            assert!(kind.allows(Priority::Normal));
            assert_eq!(
                kind.allows(Priority::High),
                kind == TicketKind::Incident,
                "{kind:?}"
            );
            assert_eq!(
                kind.allows(Priority::Medium),
                kind == TicketKind::Incident,
                "{kind:?}"
            );
        }
    }

    #[test]
    fn parse_round_trips() {
        for k in TicketKind::ALL {
            assert_eq!(k.as_str().parse(), Ok(k));
        }
        for s in TicketStatus::ALL {
            assert_eq!(s.as_str().parse(), Ok(s));
        }
    }
}
