//! `ProjectStore` for SQLite and PostgreSQL.

use super::{found, store_err, with_pool, Db};
use app::domain::project::{ItemKind, ItemState, PlanItem, ProjectStatus};
use app::kernel::{StoreError, StoreResult};
use app::projects::store::{ItemFields, NewChange, ProjectFields, ProjectRow, ProjectStore};
use app::projects::{ChangeAction, ItemComment, ProjectChange};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

fn bad(what: &str, value: &str) -> StoreError {
    StoreError::corrupt(what, value)
}

#[derive(sqlx::FromRow)]
struct ProjectDbRow {
    id: i64,
    org_id: i64,
    org_name: String,
    name: String,
    description: String,
    status: String,
    start_date: NaiveDate,
    target_end: NaiveDate,
    lead_id: Option<i64>,
    lead_name: Option<String>,
    baseline_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

impl ProjectDbRow {
    fn into_row(self) -> StoreResult<ProjectRow> {
        Ok(ProjectRow {
            status: self
                .status
                .parse::<ProjectStatus>()
                .map_err(|_| bad("project status", &self.status))?,
            id: self.id,
            org_id: self.org_id,
            org_name: self.org_name,
            name: self.name,
            description: self.description,
            start: self.start_date,
            target_end: self.target_end,
            lead_id: self.lead_id,
            lead_name: self.lead_name,
            baseline_at: self.baseline_at,
            updated_at: self.updated_at,
        })
    }
}

const PROJECT_SELECT: &str =
    "SELECT p.id, p.org_id, o.name AS org_name, p.name, p.description, p.status, \
     p.start_date, p.target_end, p.lead_id, l.name AS lead_name, p.baseline_at, p.updated_at \
     FROM projects p JOIN organizations o ON o.id = p.org_id LEFT JOIN users l ON l.id = p.lead_id";

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: i64,
    project_id: i64,
    kind: String,
    name: String,
    phase: String,
    start_date: NaiveDate,
    end_date: NaiveDate,
    progress: i64,
    state: String,
    blocked_reason: Option<String>,
    owner: Option<String>,
    baseline_start: Option<NaiveDate>,
    baseline_end: Option<NaiveDate>,
}

impl ItemRow {
    fn into_item(self, depends_on: Vec<i64>) -> StoreResult<(i64, PlanItem)> {
        let item = PlanItem {
            id: self.id,
            kind: self
                .kind
                .parse::<ItemKind>()
                .map_err(|_| bad("item kind", &self.kind))?,
            name: self.name,
            phase: self.phase,
            start: self.start_date,
            end: self.end_date,
            progress: u8::try_from(self.progress.clamp(0, 100)).unwrap_or(0),
            state: self
                .state
                .parse::<ItemState>()
                .map_err(|_| bad("item state", &self.state))?,
            blocked_reason: self.blocked_reason,
            owner: self.owner,
            baseline_start: self.baseline_start,
            baseline_end: self.baseline_end,
            depends_on,
        };
        Ok((self.project_id, item))
    }
}

#[derive(sqlx::FromRow)]
struct CommentRow {
    id: i64,
    item_id: i64,
    author_name: String,
    author_role: String,
    body: String,
    created_at: DateTime<Utc>,
}

impl From<CommentRow> for ItemComment {
    fn from(r: CommentRow) -> Self {
        ItemComment {
            id: r.id,
            item_id: r.item_id,
            author_name: r.author_name,
            author_is_staff: r.author_role != "customer",
            body: r.body,
            created_at: r.created_at,
        }
    }
}

const COMMENT_SELECT: &str =
    "SELECT c.id, c.item_id, u.name AS author_name, u.role AS author_role, c.body, c.created_at \
     FROM project_comments c JOIN users u ON u.id = c.author_id";

#[derive(sqlx::FromRow)]
struct ChangeRow {
    id: i64,
    item_id: Option<i64>,
    item_name: String,
    actor_name: String,
    action: String,
    old_value: String,
    new_value: String,
    created_at: DateTime<Utc>,
}

/// `$first, $first+1, …` for an IN list of `n` values.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

const INSERT_CHANGE: &str =
    "INSERT INTO project_changes (project_id, item_id, item_name, actor_id, action, \
     old_value, new_value, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// Writes a change-log entry inside the caller's transaction.
macro_rules! log_change {
    ($tx:expr, $project:expr, $actor:expr, $now:expr, $change:expr) => {
        sqlx::query(INSERT_CHANGE)
            .bind($project)
            .bind($change.item_id)
            .bind(&$change.item_name)
            .bind($actor)
            .bind($change.action.as_str())
            .bind(&$change.before)
            .bind(&$change.after)
            .bind($now)
            .execute(&mut *$tx)
            .await
    };
}

/// Replaces an item's dependencies inside the caller's transaction.
macro_rules! set_deps {
    ($tx:expr, $item:expr, $deps:expr) => {{
        sqlx::query("DELETE FROM project_item_deps WHERE item_id = $1")
            .bind($item)
            .execute(&mut *$tx)
            .await?;
        for dep in $deps {
            sqlx::query("INSERT INTO project_item_deps (item_id, depends_on) VALUES ($1, $2)")
                .bind($item)
                .bind(*dep)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}

#[async_trait]
impl ProjectStore for Db {
    async fn list_projects(&self, org_id: Option<i64>) -> StoreResult<Vec<ProjectRow>> {
        let sql = format!(
            "{PROJECT_SELECT} WHERE ($1 IS NULL OR p.org_id = $1) \
             ORDER BY CASE WHEN p.status = 'closed' THEN 1 ELSE 0 END, p.id DESC"
        );
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, ProjectDbRow>(&sql)
            .bind(org_id)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        rows.into_iter().map(ProjectDbRow::into_row).collect()
    }

    async fn project(&self, id: i64) -> StoreResult<ProjectRow> {
        let sql = format!("{PROJECT_SELECT} WHERE p.id = $1");
        with_pool!(self, |pool| sqlx::query_as::<_, ProjectDbRow>(&sql)
            .bind(id)
            .fetch_one(pool)
            .await)
        .map_err(store_err)?
        .into_row()
    }

    async fn items_of(&self, project_ids: &[i64]) -> StoreResult<Vec<(i64, PlanItem)>> {
        if project_ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = placeholders(1, project_ids.len());
        let items_sql = format!(
            "SELECT id, project_id, kind, name, phase, start_date, end_date, progress, state, \
             blocked_reason, owner, baseline_start, baseline_end FROM project_items \
             WHERE project_id IN ({list}) ORDER BY project_id, position, id"
        );
        let deps_sql = format!(
            "SELECT d.item_id, d.depends_on FROM project_item_deps d \
             JOIN project_items i ON i.id = d.item_id WHERE i.project_id IN ({list}) \
             ORDER BY d.item_id, d.depends_on"
        );
        let (rows, deps) = with_pool!(self, |pool| async {
            let mut items = sqlx::query_as::<_, ItemRow>(&items_sql);
            let mut links = sqlx::query_as::<_, (i64, i64)>(&deps_sql);
            for id in project_ids {
                items = items.bind(*id);
                links = links.bind(*id);
            }
            Ok::<_, sqlx::Error>((items.fetch_all(pool).await?, links.fetch_all(pool).await?))
        }
        .await)
        .map_err(store_err)?;
        let mut by_item: HashMap<i64, Vec<i64>> = HashMap::new();
        for (item, dep) in deps {
            by_item.entry(item).or_default().push(dep);
        }
        rows.into_iter()
            .map(|r| {
                let deps = by_item.remove(&r.id).unwrap_or_default();
                r.into_item(deps)
            })
            .collect()
    }

    async fn create_project(
        &self,
        f: &ProjectFields,
        actor: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let insert = "INSERT INTO projects (org_id, name, description, status, start_date, target_end, \
                      lead_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id";
        with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let id = sqlx::query_scalar::<_, i64>(insert)
                .bind(f.org_id)
                .bind(&f.name)
                .bind(&f.description)
                .bind(f.status.as_str())
                .bind(f.start)
                .bind(f.target_end)
                .bind(f.lead_id)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            let change = NewChange::project(ChangeAction::ProjectCreated);
            log_change!(tx, id, actor, now, change)?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        }
        .await)
        .map_err(store_err)
    }

    async fn update_project(
        &self,
        id: i64,
        f: &ProjectFields,
        actor: i64,
        change: Option<&NewChange>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let update =
            "UPDATE projects SET name = $2, description = $3, status = $4, start_date = $5, \
                      target_end = $6, lead_id = $7, updated_at = $8 WHERE id = $1";
        let rows = with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let rows = sqlx::query(update)
                .bind(id)
                .bind(&f.name)
                .bind(&f.description)
                .bind(f.status.as_str())
                .bind(f.start)
                .bind(f.target_end)
                .bind(f.lead_id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if let Some(change) = change {
                log_change!(tx, id, actor, now, change)?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(rows)
        }
        .await)
        .map_err(store_err)?;
        found(rows)
    }

    async fn add_item(
        &self,
        project_id: i64,
        f: &ItemFields,
        actor: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let insert = "INSERT INTO project_items (project_id, position, kind, name, phase, start_date, end_date, \
                      progress, state, blocked_reason, owner, updated_at) \
                      VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM project_items WHERE project_id = $1), \
                      $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id";
        with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let id = sqlx::query_scalar::<_, i64>(insert)
                .bind(project_id)
                .bind(f.kind.as_str())
                .bind(&f.name)
                .bind(&f.phase)
                .bind(f.start)
                .bind(f.end)
                .bind(i64::from(f.progress))
                .bind(f.state.as_str())
                .bind(&f.blocked_reason)
                .bind(&f.owner)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            set_deps!(tx, id, &f.depends_on);
            let change = NewChange {
                item_id: Some(id),
                item_name: f.name.clone(),
                action: ChangeAction::ItemAdded,
                before: String::new(),
                after: String::new(),
            };
            log_change!(tx, project_id, actor, now, change)?;
            sqlx::query("UPDATE projects SET updated_at = $2 WHERE id = $1")
                .bind(project_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        }
        .await)
        .map_err(store_err)
    }

    async fn update_item(
        &self,
        project_id: i64,
        item_id: i64,
        f: &ItemFields,
        actor: i64,
        changes: &[NewChange],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let update = "UPDATE project_items SET kind = $3, name = $4, phase = $5, start_date = $6, end_date = $7, \
                      progress = $8, state = $9, blocked_reason = $10, owner = $11, updated_at = $12 \
                      WHERE id = $1 AND project_id = $2";
        let rows = with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let rows = sqlx::query(update)
                .bind(item_id)
                .bind(project_id)
                .bind(f.kind.as_str())
                .bind(&f.name)
                .bind(&f.phase)
                .bind(f.start)
                .bind(f.end)
                .bind(i64::from(f.progress))
                .bind(f.state.as_str())
                .bind(&f.blocked_reason)
                .bind(&f.owner)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if rows == 0 {
                tx.rollback().await?;
                return Ok::<_, sqlx::Error>(0);
            }
            set_deps!(tx, item_id, &f.depends_on);
            for change in changes {
                log_change!(tx, project_id, actor, now, change)?;
            }
            sqlx::query("UPDATE projects SET updated_at = $2 WHERE id = $1")
                .bind(project_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(rows)
        }
        .await)
        .map_err(store_err)?;
        found(rows)
    }

    async fn save_baseline(
        &self,
        project_id: i64,
        actor: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let rows = with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let rows =
                sqlx::query("UPDATE projects SET baseline_at = $2, updated_at = $2 WHERE id = $1")
                    .bind(project_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            sqlx::query(
                "UPDATE project_items SET baseline_start = start_date, baseline_end = end_date \
                 WHERE project_id = $1",
            )
            .bind(project_id)
            .execute(&mut *tx)
            .await?;
            let change = NewChange::project(ChangeAction::Baseline);
            log_change!(tx, project_id, actor, now, change)?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(rows)
        }
        .await)
        .map_err(store_err)?;
        found(rows)
    }

    async fn comments(&self, project_id: i64) -> StoreResult<Vec<ItemComment>> {
        let sql = format!("{COMMENT_SELECT} WHERE c.project_id = $1 ORDER BY c.id");
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, CommentRow>(&sql)
            .bind(project_id)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn add_comment(
        &self,
        project_id: i64,
        item_id: i64,
        author: i64,
        body: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<ItemComment> {
        let insert =
            "INSERT INTO project_comments (project_id, item_id, author_id, body, created_at) \
                      VALUES ($1, $2, $3, $4, $5) RETURNING id";
        let sql = format!("{COMMENT_SELECT} WHERE c.id = $1");
        let row = with_pool!(self, |pool| async {
            let id = sqlx::query_scalar::<_, i64>(insert)
                .bind(project_id)
                .bind(item_id)
                .bind(author)
                .bind(body)
                .bind(now)
                .fetch_one(pool)
                .await?;
            sqlx::query_as::<_, CommentRow>(&sql)
                .bind(id)
                .fetch_one(pool)
                .await
        }
        .await)
        .map_err(store_err)?;
        Ok(row.into())
    }

    async fn changes(
        &self,
        project_id: i64,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<ProjectChange>> {
        let sql = "SELECT c.id, c.item_id, c.item_name, u.name AS actor_name, c.action, c.old_value, \
                   c.new_value, c.created_at FROM project_changes c JOIN users u ON u.id = c.actor_id \
                   WHERE c.project_id = $1 AND c.created_at >= $2 ORDER BY c.id DESC LIMIT 200";
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, ChangeRow>(sql)
            .bind(project_id)
            .bind(since)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(ProjectChange {
                    action: r
                        .action
                        .parse::<ChangeAction>()
                        .map_err(|_| bad("change action", &r.action))?,
                    id: r.id,
                    item_id: r.item_id,
                    item_name: r.item_name,
                    actor_name: r.actor_name,
                    before: r.old_value,
                    after: r.new_value,
                    created_at: r.created_at,
                })
            })
            .collect()
    }
}
