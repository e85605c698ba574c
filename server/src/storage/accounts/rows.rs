//! Rows as the account queries read them, and their conversion to the app's types.

use app::accounts::store::UserRecord;
use app::accounts::OrgSummary;
use app::domain::{Role, SupportPlan};
use app::kernel::{StoreError, StoreResult};
use chrono::{DateTime, Utc};

pub(super) fn bad_value(what: &str, value: &str) -> StoreError {
    StoreError::corrupt(what, value)
}

pub(super) fn parse_role(s: &str) -> StoreResult<Role> {
    s.parse().map_err(|_| bad_value("role", s))
}

pub(super) fn parse_plan(s: &str) -> StoreResult<SupportPlan> {
    s.parse().map_err(|_| bad_value("plan", s))
}

#[derive(sqlx::FromRow)]
pub(super) struct OrgRow {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) plan: String,
    pub(super) users: i64,
    pub(super) created_at: DateTime<Utc>,
    pub(super) auto_join_domain: bool,
}

impl OrgRow {
    pub(super) fn into_summary(self) -> StoreResult<OrgSummary> {
        Ok(OrgSummary {
            id: self.id,
            name: self.name,
            plan: parse_plan(&self.plan)?,
            users: self.users,
            created_at: self.created_at,
            auto_join_domain: self.auto_join_domain,
        })
    }
}

pub(super) const ORG_SELECT: &str =
    "SELECT o.id, o.name, o.plan, o.created_at, o.auto_join_domain, \
     (SELECT COUNT(*) FROM users u WHERE u.org_id = o.id) AS users FROM organizations o";

#[derive(sqlx::FromRow)]
pub(super) struct UserRow {
    pub(super) id: i64,
    pub(super) email: String,
    pub(super) name: String,
    pub(super) role: String,
    pub(super) org_id: Option<i64>,
    pub(super) org_name: Option<String>,
    pub(super) org_plan: Option<String>,
    pub(super) password_hash: Option<String>,
    pub(super) phone: Option<String>,
}

impl UserRow {
    pub(super) fn into_record(self) -> StoreResult<UserRecord> {
        Ok(UserRecord {
            id: self.id,
            email: self.email,
            name: self.name,
            role: parse_role(&self.role)?,
            org_id: self.org_id,
            org_name: self.org_name,
            org_plan: self.org_plan.as_deref().map(parse_plan).transpose()?,
            password_hash: self.password_hash,
            phone: self.phone,
        })
    }
}

pub(super) const USER_SELECT: &str = "SELECT u.id, u.email, u.name, u.role, u.org_id, o.name AS org_name, \
     o.plan AS org_plan, u.password_hash, u.phone FROM users u LEFT JOIN organizations o ON o.id = u.org_id";

#[derive(sqlx::FromRow)]
pub(super) struct SessionUserRow {
    pub(super) session_id: i64,
    pub(super) kind: String,
    pub(super) created_at: DateTime<Utc>,
    pub(super) last_seen_at: DateTime<Utc>,
    pub(super) expires_at: DateTime<Utc>,
    #[sqlx(flatten)]
    pub(super) user: UserRow,
}

#[derive(sqlx::FromRow)]
pub(super) struct SessionRow {
    pub(super) id: i64,
    pub(super) kind: String,
    pub(super) created_at: DateTime<Utc>,
    pub(super) last_seen_at: DateTime<Utc>,
    pub(super) user_agent: Option<String>,
    pub(super) ip: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(super) struct UserListRow {
    pub(super) id: i64,
    pub(super) email: String,
    pub(super) name: String,
    pub(super) role: String,
    pub(super) organization: Option<String>,
    pub(super) active: bool,
    pub(super) created_at: DateTime<Utc>,
}
