//! The Any2cloud Portal server: configuration, storage, REST API, security and background jobs.

pub mod backup;
pub mod chat_hub;
pub mod config;
pub mod demo;
pub mod forwarded;
pub mod job_lease;
pub mod jobs;
pub mod mail;
pub mod mail_imap;
pub mod meta;
pub mod metrics;
pub mod object_storage;
pub mod page_cache;
pub mod page_session;
pub mod payments;
pub mod rest;
pub mod secret;
pub mod security;
pub mod server_fn_input;
pub mod startup;
pub mod storage;
pub mod telemetry;
