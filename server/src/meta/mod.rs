//! Meta's platforms (WhatsApp Business Cloud API, Messenger, Instagram): webhook signatures and
//! the Graph API client that sends agents' replies and fetches customers' files.

pub mod graph;
pub mod signature;
