//! `AccountStore` for SQLite and PostgreSQL.

use super::{found, store_err, with_pool, Db};
use app::accounts::store::{
    AccountStore, NewSession, NewUser, PhoneVerification, SessionRecord, TokenPurpose, UserRecord,
};
use app::accounts::{JoinRequest, OrgSummary, PendingPhone, SessionView, UserSummary};
use app::domain::{Role, SupportPlan};
use app::kernel::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

mod contacts;
mod login_attempts;
mod phones;
mod rows;
mod sessions;
mod tokens;
use rows::*;

#[async_trait]
impl AccountStore for Db {
    async fn create_org(
        &self,
        name: &str,
        plan: SupportPlan,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let sql = "INSERT INTO organizations (name, name_key, plan, created_at) VALUES ($1, $2, $3, $4) RETURNING id";
        with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(name)
            .bind(name.to_lowercase())
            .bind(plan.db_code())
            .bind(now)
            .fetch_one(pool)
            .await)
        .map_err(store_err)
    }

    async fn find_org_by_name(&self, name: &str) -> StoreResult<Option<i64>> {
        let sql = "SELECT id FROM organizations WHERE name_key = $1";
        with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(name.to_lowercase())
            .fetch_optional(pool)
            .await)
        .map_err(store_err)
    }

    async fn customer_org_by_domain(&self, domain: &str) -> StoreResult<Option<i64>> {
        // The domain is compared whole (no LIKE: `%` and `_` in an address are not
        // wildcards), and only customers who chose a password count as members.
        let sql = "SELECT u.org_id FROM users u JOIN organizations o ON o.id = u.org_id \
             WHERE u.role = 'customer' AND u.password_hash IS NOT NULL \
             AND length(u.email) > length($1) \
             AND lower(substr(u.email, length(u.email) - length($1) + 1)) = $1 \
             AND o.name NOT LIKE 'Contacto %' ORDER BY u.id LIMIT 1";
        with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(format!("@{}", domain.to_lowercase()))
            .fetch_optional(pool)
            .await)
        .map_err(store_err)
    }

    async fn request_join(&self, user_id: i64, org_id: i64) -> StoreResult<()> {
        let sql = "UPDATE users SET join_org_id = $1 WHERE id = $2";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(org_id)
            .bind(user_id)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(store_err)
    }

    async fn clear_join(&self, user_id: i64) -> StoreResult<()> {
        let sql = "UPDATE users SET join_org_id = NULL WHERE id = $1";
        self.execute_for(sql, user_id).await.map(|_| ())
    }

    async fn join_requests(&self) -> StoreResult<Vec<JoinRequest>> {
        let sql = "SELECT u.id, u.name, u.email, o.id, o.name, u.created_at FROM users u \
                   JOIN organizations o ON o.id = u.join_org_id ORDER BY u.created_at, u.id LIMIT 500";
        type Row = (i64, String, String, i64, String, DateTime<Utc>);
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, Row>(sql)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        Ok(rows
            .into_iter()
            .map(
                |(user_id, name, email, org_id, org_name, requested_at)| JoinRequest {
                    user_id,
                    name,
                    email,
                    org_id,
                    org_name,
                    requested_at,
                },
            )
            .collect())
    }

    async fn set_auto_join(&self, org_id: i64, on: bool) -> StoreResult<()> {
        let sql = "UPDATE organizations SET auto_join_domain = $1 WHERE id = $2";
        let n = with_pool!(self, |pool| sqlx::query(sql)
            .bind(on)
            .bind(org_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        found(n)
    }

    async fn get_org(&self, id: i64) -> StoreResult<Option<OrgSummary>> {
        let sql = format!("{ORG_SELECT} WHERE o.id = $1");
        let row = with_pool!(self, |pool| sqlx::query_as::<_, OrgRow>(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)?;
        row.map(OrgRow::into_summary).transpose()
    }

    async fn list_orgs(&self) -> StoreResult<Vec<OrgSummary>> {
        let sql = format!("{ORG_SELECT} ORDER BY o.name_key");
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, OrgRow>(&sql)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        rows.into_iter().map(OrgRow::into_summary).collect()
    }

    async fn create_user(&self, user: NewUser<'_>) -> StoreResult<i64> {
        let sql =
            "INSERT INTO users (email, name, role, org_id, password_hash, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id";
        with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(user.email)
            .bind(user.name)
            .bind(user.role.as_str())
            .bind(user.org_id)
            .bind(user.password_hash)
            .bind(user.now)
            .fetch_one(pool)
            .await)
        .map_err(store_err)
    }

    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        let sql = format!("{USER_SELECT} WHERE u.email = $1");
        let row = with_pool!(self, |pool| sqlx::query_as::<_, UserRow>(&sql)
            .bind(email)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)?;
        row.map(UserRow::into_record).transpose()
    }

    async fn get_user(&self, id: i64) -> StoreResult<Option<UserRecord>> {
        let sql = format!("{USER_SELECT} WHERE u.id = $1");
        let row = with_pool!(self, |pool| sqlx::query_as::<_, UserRow>(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)?;
        row.map(UserRow::into_record).transpose()
    }

    async fn list_users(&self) -> StoreResult<Vec<UserSummary>> {
        let sql = "SELECT u.id, u.email, u.name, u.role, o.name AS organization, \
                   (u.password_hash IS NOT NULL) AS active, u.created_at \
                   FROM users u LEFT JOIN organizations o ON o.id = u.org_id ORDER BY u.email";
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, UserListRow>(sql)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(UserSummary {
                    id: r.id,
                    email: r.email,
                    name: r.name,
                    role: parse_role(&r.role)?,
                    organization: r.organization,
                    active: r.active,
                    created_at: r.created_at,
                })
            })
            .collect()
    }

    async fn set_password(&self, user_id: i64, hash: &str, now: DateTime<Utc>) -> StoreResult<()> {
        let sql = "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3";
        let done = with_pool!(self, |pool| sqlx::query(sql)
            .bind(hash)
            .bind(now)
            .bind(user_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        found(done)
    }

    async fn set_phone(
        &self,
        user_id: i64,
        phone: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        phones::set_phone(self, user_id, phone, now).await
    }

    async fn phone_verification(&self, user_id: i64) -> StoreResult<Option<PhoneVerification>> {
        phones::phone_verification(self, user_id).await
    }

    async fn start_phone_verification(
        &self,
        user_id: i64,
        phone: &str,
        code_hash: Option<&str>,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        phones::start_phone_verification(self, user_id, phone, code_hash, expires_at, now).await
    }

    async fn phone_attempt_failed(&self, user_id: i64) -> StoreResult<()> {
        phones::phone_attempt_failed(self, user_id).await
    }

    async fn cancel_phone_verification(&self, user_id: i64) -> StoreResult<()> {
        phones::cancel_phone_verification(self, user_id).await
    }

    async fn verify_phone(&self, user_id: i64, phone: &str, now: DateTime<Utc>) -> StoreResult<()> {
        phones::verify_phone(self, user_id, phone, now).await
    }

    async fn pending_phones(&self) -> StoreResult<Vec<PendingPhone>> {
        phones::pending_phones(self).await
    }

    async fn create_contact_confirmation(
        &self,
        email: &str,
        name: &str,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<i64> {
        contacts::create_contact_confirmation(self, email, name, token_hash, now, expires_at).await
    }

    async fn contact_confirmations_since(
        &self,
        email: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<i64> {
        contacts::contact_confirmations_since(self, email, since).await
    }

    async fn contact_confirmed(&self, email: &str) -> StoreResult<bool> {
        contacts::contact_confirmed(self, email).await
    }

    async fn confirm_contact(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(i64, String, String)>> {
        contacts::confirm_contact(self, token_hash, now).await
    }

    async fn set_ticket_contact(&self, ticket_id: i64, confirmation_id: i64) -> StoreResult<()> {
        contacts::set_ticket_contact(self, ticket_id, confirmation_id).await
    }

    async fn set_transcript_contact(&self, chat_id: i64, confirmation_id: i64) -> StoreResult<()> {
        contacts::set_transcript_contact(self, chat_id, confirmation_id).await
    }

    async fn assign_contact_tickets(
        &self,
        email: &str,
        org_id: i64,
        requester_id: i64,
    ) -> StoreResult<u64> {
        contacts::assign_contact_tickets(self, email, org_id, requester_id).await
    }

    async fn take_transcripts_awaiting(&self, email: &str) -> StoreResult<Vec<i64>> {
        contacts::take_transcripts_awaiting(self, email).await
    }

    async fn take_over_contact(
        &self,
        user_id: i64,
        name: &str,
        role: Role,
        org_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        contacts::take_over_contact(self, user_id, name, role, org_id, now).await
    }

    async fn create_session(&self, s: NewSession<'_>) -> StoreResult<i64> {
        sessions::create_session(self, s).await
    }

    async fn session_by_token(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<(SessionRecord, UserRecord)>> {
        sessions::session_by_token(self, token_hash).await
    }

    async fn touch_session(&self, session_id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        sessions::touch_session(self, session_id, now).await
    }

    async fn list_sessions(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<SessionView>> {
        sessions::list_sessions(self, user_id, now).await
    }

    async fn revoke_session(
        &self,
        user_id: i64,
        session_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sessions::revoke_session(self, user_id, session_id, now).await
    }

    async fn session_live(&self, session_id: i64, now: DateTime<Utc>) -> StoreResult<bool> {
        sessions::session_live(self, session_id, now).await
    }

    async fn revoke_other_sessions(
        &self,
        user_id: i64,
        keep: Option<i64>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        sessions::revoke_other_sessions(self, user_id, keep, now).await
    }

    async fn create_token(
        &self,
        user_id: i64,
        purpose: TokenPurpose,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        tokens::create_token(self, user_id, purpose, token_hash, now, expires_at).await
    }

    async fn tokens_created_since(
        &self,
        user_id: i64,
        purpose: TokenPurpose,
        since: DateTime<Utc>,
    ) -> StoreResult<i64> {
        tokens::tokens_created_since(self, user_id, purpose, since).await
    }

    async fn consume_token(
        &self,
        purpose: TokenPurpose,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<i64>> {
        tokens::consume_token(self, purpose, token_hash, now).await
    }

    async fn record_login_attempt(
        &self,
        email: &str,
        ip: Option<&str>,
        success: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        login_attempts::record_login_attempt(self, email, ip, success, now).await
    }

    async fn spend_tokens(&self, user_id: i64, now: DateTime<Utc>) -> StoreResult<u64> {
        tokens::spend_tokens(self, user_id, now).await
    }

    async fn failed_for_account(&self, email: &str, since: DateTime<Utc>) -> StoreResult<i64> {
        login_attempts::failed_for_account(self, email, since).await
    }

    async fn failed_attempts(
        &self,
        email: &str,
        ip: Option<&str>,
        since: DateTime<Utc>,
    ) -> StoreResult<(i64, i64)> {
        login_attempts::failed_attempts(self, email, ip, since).await
    }
}
