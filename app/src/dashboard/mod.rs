//! The signed-in home page (`/panel`): what each person should look at first, loaded in one
//! request. Customers: open tickets with their countdowns, the hour balance and what expires
//! soon, change requests waiting for their approval, unpaid orders, the next project milestone
//! and an active chat. Agents and admins: their tickets by urgency, the queue's unanswered
//! tickets, waiting chats, email waiting for a first answer and today's breaches.

pub mod api;
pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use crate::changes::ChangeSummary;
use crate::chat::ChatView;
use crate::domain::sla::Calendar;
use crate::shop::Order;
use crate::tickets::TicketSummary;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// At most this many items in each list on the home page (the full lists are one click away).
pub const HOME_LIST: usize = 5;

/// Hours of one purchase that expire soon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expiring {
    pub minutes: i64,
    pub expires_at: DateTime<Utc>,
}

/// A project's next milestone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextMilestone {
    pub project_id: i64,
    pub project: String,
    pub milestone: String,
    pub date: NaiveDate,
}

/// A customer's home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerHome {
    /// Open tickets, the nearest deadline first.
    pub tickets: Vec<TicketSummary>,
    pub open_tickets: usize,
    pub balance_minutes: Option<i64>,
    pub expiring: Vec<Expiring>,
    pub awaiting_approval: Vec<ChangeSummary>,
    pub unpaid_orders: Vec<Order>,
    pub next_milestone: Option<NextMilestone>,
    /// The customer's conversation still open in the chat.
    pub chat: Option<ChatView>,
}

/// An agent's or admin's home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffHome {
    /// Open tickets assigned to the caller, the nearest deadline first.
    pub mine: Vec<TicketSummary>,
    pub mine_total: usize,
    /// Unanswered open tickets nobody is assigned to, the nearest deadline first.
    pub unassigned: Vec<TicketSummary>,
    pub unassigned_total: usize,
    /// Conversations waiting in the chat queue (web, WhatsApp, Messenger, Instagram).
    pub waiting_chats: usize,
    /// Tickets that came in by email and still wait for a first answer.
    pub email_waiting: usize,
    /// Unanswered tickets whose deadline passed today (Costa Rica time).
    pub breached_today: usize,
}

/// What `/panel` shows, by role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Home {
    Customer(Box<CustomerHome>),
    Staff(Box<StaffHome>),
    /// Editors: their work is the knowledge base.
    Editor,
}

/// The home page's data and the business calendar its countdowns run on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomePage {
    pub home: Home,
    pub calendar: Calendar,
}
