//! Chat pages: the widget on every page, the agent console and the canned-response admin.

mod canned;
mod channel;
pub mod connection;
mod console;
mod conversation;
mod widget;

pub use canned::CannedPage;
pub use console::AgentConsolePage;
pub use widget::ChatLauncher;
