//! Pure domain types and rules: no I/O, no framework. Compiled for the browser and the server.

pub mod change;
pub mod channel;
pub mod chat;
pub(crate) mod codes;
mod contact;
mod email;
pub mod gantt;
pub mod hours;
pub mod inbound_mail;
mod names;
pub mod nav;
mod password;
mod plan;
pub mod project;
mod role;
pub mod sla;
pub mod sla_report;
mod ticket;
mod time;

pub use contact::{ContactChannel, CONTACT_CHANNELS};
pub use email::Email;
pub use names::{OrgName, PersonName};
pub use nav::{nav_entries, nav_items, NavEntry, NavItem};
pub use password::{Password, PasswordProblem};
pub use plan::{Priority, SupportPlan};
pub use role::Role;
pub use ticket::{TicketKind, TicketSource, TicketStatus};
pub use time::{format_cr, COSTA_RICA};
