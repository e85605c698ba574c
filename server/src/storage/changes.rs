//! `ChangeStore` for SQLite and PostgreSQL. Minutes used are summed from the hour ledger (the
//! only record of work paid for); each step updates the request and writes its history entry
//! in one transaction.

use super::hours::USED_MINUTES_COLUMN;
use super::{store_err, with_pool, Db};
use app::changes::store::{ChangeRow, ChangeStore, ChangeUpdate, NewChangeRequest, NewEvent};
use app::changes::{ChangeEvent, ChangeSummary};
use app::domain::change::ChangeStatus;
use app::kernel::{StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

const COLUMNS: &str = "c.id, c.title, c.org_id, g.name AS org_name, \
     u.name AS requester_name, c.requester_id, c.project_id, p.name AS project_name, c.status, \
     c.risk, c.estimate_minutes, c.approved_minutes, \
     c.desired_date, c.planned_for, c.created_at, c.updated_at, c.done_at, c.description, \
     c.scope, c.reason, c.assessor_id";
const FROM: &str = "FROM change_requests c JOIN organizations g ON g.id = c.org_id \
     JOIN users u ON u.id = c.requester_id LEFT JOIN projects p ON p.id = c.project_id";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    title: String,
    org_id: i64,
    org_name: String,
    requester_name: String,
    requester_id: i64,
    project_id: Option<i64>,
    project_name: Option<String>,
    status: String,
    risk: Option<String>,
    estimate_minutes: Option<i64>,
    approved_minutes: i64,
    used_minutes: i64,
    desired_date: Option<NaiveDate>,
    planned_for: Option<NaiveDate>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    done_at: Option<DateTime<Utc>>,
    description: String,
    scope: String,
    reason: String,
    assessor_id: Option<i64>,
}

fn bad(what: &str, value: &str) -> StoreError {
    StoreError::corrupt(what, value)
}

impl TryFrom<Row> for ChangeRow {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        let risk = match &r.risk {
            Some(text) => Some(text.parse().map_err(|_| bad("risk", text))?),
            None => None,
        };
        Ok(ChangeRow {
            summary: ChangeSummary {
                status: r.status.parse().map_err(|_| bad("status", &r.status))?,
                risk,
                id: r.id,
                title: r.title,
                org_id: r.org_id,
                org_name: r.org_name,
                requester_name: r.requester_name,
                project_id: r.project_id,
                project_name: r.project_name,
                estimate_minutes: r.estimate_minutes,
                approved_minutes: r.approved_minutes,
                used_minutes: r.used_minutes,
                desired_date: r.desired_date,
                planned_for: r.planned_for,
                created_at: r.created_at,
                updated_at: r.updated_at,
                done_at: r.done_at,
            },
            description: r.description,
            scope: r.scope,
            reason: r.reason,
            assessor_id: r.assessor_id,
            requester_id: r.requester_id,
        })
    }
}

#[derive(sqlx::FromRow)]
struct EventRow {
    kind: String,
    actor_name: Option<String>,
    minutes: Option<i64>,
    note: String,
    created_at: DateTime<Utc>,
}

const INSERT_EVENT: &str = "INSERT INTO change_request_events (change_request_id, actor_id, \
     kind, minutes, note, created_at) VALUES ($1, $2, $3, $4, $5, $6)";

impl Db {
    async fn change_rows(&self, filter: &str, value: Option<i64>) -> StoreResult<Vec<ChangeRow>> {
        let sql = format!(
            "SELECT {COLUMNS}, {USED_MINUTES_COLUMN} {FROM} WHERE {filter} ORDER BY c.id DESC"
        );
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, Row>(&sql)
            .bind(value)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        rows.into_iter().map(ChangeRow::try_from).collect()
    }
}

#[async_trait]
impl ChangeStore for Db {
    async fn create(&self, c: NewChangeRequest<'_>) -> StoreResult<i64> {
        let insert = "INSERT INTO change_requests (org_id, requester_id, project_id, title, \
             description, desired_date, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'submitted', $7, $7) RETURNING id";
        with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(insert)
                .bind(c.org_id)
                .bind(c.requester_id)
                .bind(c.project_id)
                .bind(c.title)
                .bind(c.description)
                .bind(c.desired_date)
                .bind(c.now)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(INSERT_EVENT)
                .bind(id)
                .bind(c.requester_id)
                .bind("submitted")
                .bind(None::<i64>)
                .bind("")
                .bind(c.now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        }
        .await)
        .map_err(store_err)
    }

    async fn get(&self, id: i64) -> StoreResult<Option<ChangeRow>> {
        Ok(self
            .change_rows("c.id = $1", Some(id))
            .await?
            .into_iter()
            .next())
    }

    async fn list(&self, org_id: Option<i64>) -> StoreResult<Vec<ChangeSummary>> {
        let rows = self
            .change_rows("($1 IS NULL OR c.org_id = $1)", org_id)
            .await?;
        Ok(rows.into_iter().map(|r| r.summary).collect())
    }

    async fn for_project(&self, project_id: i64) -> StoreResult<Vec<ChangeSummary>> {
        let rows = self
            .change_rows("c.project_id = $1", Some(project_id))
            .await?;
        Ok(rows.into_iter().map(|r| r.summary).collect())
    }

    async fn events(&self, id: i64) -> StoreResult<Vec<ChangeEvent>> {
        let sql = "SELECT e.kind, u.name AS actor_name, e.minutes, e.note, e.created_at \
                   FROM change_request_events e LEFT JOIN users u ON u.id = e.actor_id \
                   WHERE e.change_request_id = $1 ORDER BY e.id";
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, EventRow>(sql)
            .bind(id)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(ChangeEvent {
                    kind: r.kind.parse().map_err(|_| bad("event", &r.kind))?,
                    actor_name: r.actor_name,
                    minutes: r.minutes,
                    note: r.note,
                    created_at: r.created_at,
                })
            })
            .collect()
    }

    async fn transition(
        &self,
        id: i64,
        from: &[ChangeStatus],
        u: ChangeUpdate,
        event: NewEvent<'_>,
    ) -> StoreResult<bool> {
        let allowed = from
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        // Each optional column keeps its value unless a new one is given ($n IS NULL).
        let update = format!(
            "UPDATE change_requests SET \
             status = COALESCE($2, status), risk = COALESCE($3, risk), \
             estimate_minutes = COALESCE($4, estimate_minutes), \
             approved_minutes = COALESCE($5, approved_minutes), \
             planned_for = COALESCE($6, planned_for), scope = COALESCE($7, scope), \
             reason = COALESCE($8, reason), assessor_id = COALESCE($9, assessor_id), \
             done_at = CASE WHEN $10 THEN $11 ELSE done_at END, updated_at = $12 \
             WHERE id = $1 AND status IN ({allowed})"
        );
        let (set_done, done_at) = match u.done_at {
            Some(at) => (true, at),
            None => (false, None),
        };
        with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query(&update)
                .bind(id)
                .bind(u.status.map(|s| s.as_str()))
                .bind(u.risk.map(|r| r.as_str()))
                .bind(u.estimate_minutes)
                .bind(u.approved_minutes)
                .bind(u.planned_for)
                .bind(u.scope.as_deref())
                .bind(u.reason.as_deref())
                .bind(u.assessor_id)
                .bind(set_done)
                .bind(done_at)
                .bind(event.now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                tx.rollback().await?;
                return Ok::<_, sqlx::Error>(false);
            }
            sqlx::query(INSERT_EVENT)
                .bind(id)
                .bind(event.actor_id)
                .bind(event.kind.as_str())
                .bind(event.minutes)
                .bind(event.note)
                .bind(event.now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(true)
        }
        .await)
        .map_err(store_err)
    }

    async fn add_event(&self, id: i64, event: NewEvent<'_>) -> StoreResult<()> {
        with_pool!(self, |pool| sqlx::query(INSERT_EVENT)
            .bind(id)
            .bind(event.actor_id)
            .bind(event.kind.as_str())
            .bind(event.minutes)
            .bind(event.note)
            .bind(event.now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        Ok(())
    }

    async fn org_projects(&self, org_id: i64) -> StoreResult<Vec<(i64, String)>> {
        let sql = "SELECT id, name FROM projects WHERE org_id = $1 ORDER BY name, id";
        with_pool!(self, |pool| sqlx::query_as(sql)
            .bind(org_id)
            .fetch_all(pool)
            .await)
        .map_err(store_err)
    }
}
