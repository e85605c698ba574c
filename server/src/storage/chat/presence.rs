//! Agents' presence and load, which chat routing reads to offer chats.

use super::bad;
use crate::storage::{store_err, with_pool, Db};
use app::chat::store::AgentRow;
use app::domain::chat::{AgentLoad, Presence};
use app::kernel::StoreResult;
use chrono::{DateTime, Utc};

/// Default concurrent-chat limit of an agent who never set one.
const DEFAULT_MAX_CHATS: i64 = 4;

#[derive(sqlx::FromRow)]
struct AgentDbRow {
    id: i64,
    name: String,
    status: Option<String>,
    max_chats: Option<i64>,
    last_seen_at: Option<DateTime<Utc>>,
    last_assigned_at: Option<DateTime<Utc>>,
    active_chats: i64,
}

pub(super) async fn agents(db: &Db) -> StoreResult<Vec<(i64, AgentRow)>> {
    // Load counts active chats and chats offered to the agent but not yet accepted.
    let sql = "SELECT u.id, u.name, p.status, p.max_chats, p.last_seen_at, p.last_assigned_at, \
               (SELECT COUNT(*) FROM chats c WHERE c.agent_id = u.id AND c.status <> 'closed') AS active_chats \
               FROM users u LEFT JOIN agent_presence p ON p.user_id = u.id \
               WHERE u.role IN ('agent', 'admin') ORDER BY u.name, u.id";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, AgentDbRow>(sql)
        .fetch_all(pool)
        .await)
    .map_err(store_err)?;
    rows.into_iter()
        .map(|r| {
            let presence = match &r.status {
                Some(s) => s.parse::<Presence>().map_err(|_| bad("presence", s))?,
                None => Presence::Offline,
            };
            Ok((
                r.id,
                AgentRow {
                    name: r.name,
                    load: AgentLoad {
                        agent_id: r.id,
                        presence,
                        last_seen_at: r.last_seen_at.unwrap_or(DateTime::<Utc>::MIN_UTC),
                        active_chats: r.active_chats,
                        max_chats: r.max_chats.unwrap_or(DEFAULT_MAX_CHATS),
                        last_assigned_at: r.last_assigned_at,
                    },
                },
            ))
        })
        .collect()
}

pub(super) async fn set_presence(
    db: &Db,
    agent_id: i64,
    presence: Presence,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let upsert = "INSERT INTO agent_presence (user_id, status, last_seen_at) VALUES ($1, $2, $3) \
                  ON CONFLICT (user_id) DO UPDATE SET status = EXCLUDED.status, last_seen_at = EXCLUDED.last_seen_at";
    // Chats offered to an agent who steps away go back to the queue for someone else.
    let withdraw = "UPDATE chats SET agent_id = NULL WHERE agent_id = $1 AND status = 'waiting'";
    with_pool!(db, |pool| async {
        let mut tx = pool.begin().await?;
        sqlx::query(upsert)
            .bind(agent_id)
            .bind(presence.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        if presence != Presence::Online {
            sqlx::query(withdraw)
                .bind(agent_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }
    .await)
    .map_err(store_err)
}

pub(super) async fn touch_presence(db: &Db, agent_id: i64, now: DateTime<Utc>) -> StoreResult<()> {
    let sql = "UPDATE agent_presence SET last_seen_at = $2 WHERE user_id = $1";
    with_pool!(db, |pool| sqlx::query(sql)
        .bind(agent_id)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ()))
    .map_err(store_err)
}

pub(super) async fn mark_assigned(db: &Db, agent_id: i64, now: DateTime<Utc>) -> StoreResult<()> {
    let sql = "UPDATE agent_presence SET last_assigned_at = $2 WHERE user_id = $1";
    with_pool!(db, |pool| sqlx::query(sql)
        .bind(agent_id)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ()))
    .map_err(store_err)
}
