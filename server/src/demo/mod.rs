//! The demo data (`PORTAL_DEMO=1`: the README's first command and every test), in one place:
//! the demo organisations and accounts, canned chat responses, knowledge-base articles
//! (`server/seed/kb`) and projects. Each part is loaded once; a restart leaves it alone.

pub mod kb;
pub mod projects;

use app::accounts::service::Accounts;
use app::chat::service::Chats;
use app::kb::service::Kb;
use app::projects::service::Projects;
use chrono::{DateTime, Utc};

/// Loads every part of the demo data that is not there yet; the error names the part.
pub async fn load(
    accounts: &Accounts,
    chats: &Chats,
    kb: &Kb,
    projects: &Projects,
    now: DateTime<Utc>,
) -> Result<(), String> {
    accounts
        .seed_demo()
        .await
        .map_err(|e| format!("demo accounts: {e}"))?;
    chats
        .seed_demo()
        .await
        .map_err(|e| format!("demo canned responses: {e}"))?;
    kb::load(kb, accounts)
        .await
        .map_err(|e| format!("demo articles: {e}"))?;
    projects::load(projects, accounts, now)
        .await
        .map_err(|e| format!("demo projects: {e}"))?;
    Ok(())
}
