//! `AccountStore` for SQLite and PostgreSQL.

use super::{found, store_err, with_pool, Db};
use app::accounts::store::{
    AccountStore, NewSession, NewUser, PhoneVerification, SessionRecord, TokenPurpose, UserRecord,
};
use app::accounts::{JoinRequest, OrgSummary, PendingPhone, SessionKind, SessionView, UserSummary};
use app::domain::{Role, SupportPlan};
use app::kernel::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

mod rows;
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
        let sql = "UPDATE users SET phone = $1, updated_at = $2 WHERE id = $3";
        let done = with_pool!(self, |pool| sqlx::query(sql)
            .bind(phone)
            .bind(now)
            .bind(user_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        found(done)
    }

    async fn phone_verification(&self, user_id: i64) -> StoreResult<Option<PhoneVerification>> {
        let sql = "SELECT phone, code_hash, attempts, expires_at, created_at \
                   FROM phone_verifications WHERE user_id = $1";
        type Row = (
            String,
            Option<String>,
            i64,
            Option<DateTime<Utc>>,
            DateTime<Utc>,
        );
        let row = with_pool!(self, |pool| sqlx::query_as::<_, Row>(sql)
            .bind(user_id)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)?;
        Ok(row.map(
            |(phone, code_hash, attempts, expires_at, created_at)| PhoneVerification {
                phone,
                code_hash,
                attempts,
                expires_at,
                created_at,
            },
        ))
    }

    async fn start_phone_verification(
        &self,
        user_id: i64,
        phone: &str,
        code_hash: Option<&str>,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO phone_verifications (user_id, phone, code_hash, attempts, expires_at, created_at) \
                   VALUES ($1, $2, $3, 0, $4, $5) \
                   ON CONFLICT (user_id) DO UPDATE SET phone = excluded.phone, code_hash = excluded.code_hash, \
                   attempts = 0, expires_at = excluded.expires_at, created_at = excluded.created_at";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(user_id)
            .bind(phone)
            .bind(code_hash)
            .bind(expires_at)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(store_err)
    }

    async fn phone_attempt_failed(&self, user_id: i64) -> StoreResult<()> {
        let sql = "UPDATE phone_verifications SET attempts = attempts + 1 WHERE user_id = $1";
        self.execute_for(sql, user_id).await.map(|_| ())
    }

    async fn cancel_phone_verification(&self, user_id: i64) -> StoreResult<()> {
        let sql = "DELETE FROM phone_verifications WHERE user_id = $1";
        self.execute_for(sql, user_id).await.map(|_| ())
    }

    async fn verify_phone(&self, user_id: i64, phone: &str, now: DateTime<Utc>) -> StoreResult<()> {
        let steps = [
            "UPDATE users SET phone = NULL, updated_at = $3 WHERE phone = $2 AND id <> $1",
            "UPDATE users SET phone = $2, updated_at = $3 WHERE id = $1",
            "DELETE FROM phone_verifications WHERE user_id = $1 AND phone = $2 AND $3 = $3",
            "UPDATE channel_contacts SET user_id = $1, \
               org_id = (SELECT org_id FROM users WHERE id = $1 AND role = 'customer') \
             WHERE channel = 'whatsapp' AND external_id = $2 AND $3 = $3",
            "UPDATE chats SET customer_id = $1, \
               org_id = (SELECT org_id FROM users WHERE id = $1 AND role = 'customer'), updated_at = $3 \
             WHERE status <> 'closed' AND customer_id IS NULL AND contact_id IN \
               (SELECT id FROM channel_contacts WHERE channel = 'whatsapp' AND external_id = $2)",
        ];
        with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            for sql in steps {
                sqlx::query(sql)
                    .bind(user_id)
                    .bind(phone)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        }
        .await)
        .map_err(store_err)
    }

    async fn pending_phones(&self) -> StoreResult<Vec<PendingPhone>> {
        let sql = "SELECT u.id, u.name, u.email, o.name, p.phone, p.code_hash IS NOT NULL, p.created_at \
                   FROM phone_verifications p JOIN users u ON u.id = p.user_id \
                   LEFT JOIN organizations o ON o.id = u.org_id ORDER BY p.created_at, p.id LIMIT 500";
        type Row = (
            i64,
            String,
            String,
            Option<String>,
            String,
            bool,
            DateTime<Utc>,
        );
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, Row>(sql)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        Ok(rows
            .into_iter()
            .map(
                |(user_id, name, email, organization, phone, code_sent, requested_at)| {
                    PendingPhone {
                        user_id,
                        name,
                        email,
                        organization,
                        phone,
                        code_sent,
                        requested_at,
                    }
                },
            )
            .collect())
    }

    async fn create_contact_confirmation(
        &self,
        email: &str,
        name: &str,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let sql =
            "INSERT INTO contact_confirmations (email, name, token_hash, created_at, expires_at) \
                   VALUES ($1, $2, $3, $4, $5) RETURNING id";
        with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(email)
            .bind(name)
            .bind(token_hash)
            .bind(now)
            .bind(expires_at)
            .fetch_one(pool)
            .await)
        .map_err(store_err)
    }

    async fn contact_confirmations_since(
        &self,
        email: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM contact_confirmations WHERE email = $1 AND created_at > $2";
        with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(email)
            .bind(since)
            .fetch_one(pool)
            .await)
        .map_err(store_err)
    }

    async fn contact_confirmed(&self, email: &str) -> StoreResult<bool> {
        let sql = "SELECT COUNT(*) FROM contact_confirmations WHERE email = $1 AND confirmed_at IS NOT NULL";
        let n = with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(email)
            .fetch_one(pool)
            .await)
        .map_err(store_err)?;
        Ok(n > 0)
    }

    async fn confirm_contact(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(i64, String, String)>> {
        let sql = "UPDATE contact_confirmations SET confirmed_at = $1 \
                   WHERE token_hash = $2 AND confirmed_at IS NULL AND expires_at > $1 \
                   RETURNING id, email, name";
        with_pool!(self, |pool| sqlx::query_as::<_, (i64, String, String)>(sql)
            .bind(now)
            .bind(token_hash)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)
    }

    async fn set_ticket_contact(&self, ticket_id: i64, confirmation_id: i64) -> StoreResult<()> {
        let sql = "UPDATE tickets SET contact_confirmation_id = $1 WHERE id = $2";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(confirmation_id)
            .bind(ticket_id)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(store_err)
    }

    async fn set_transcript_contact(&self, chat_id: i64, confirmation_id: i64) -> StoreResult<()> {
        let sql = "UPDATE chats SET transcript_confirmation_id = $1 WHERE id = $2";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(confirmation_id)
            .bind(chat_id)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(store_err)
    }

    async fn assign_contact_tickets(
        &self,
        email: &str,
        org_id: i64,
        requester_id: i64,
    ) -> StoreResult<u64> {
        let sql = "UPDATE tickets SET org_id = $1, requester_id = $2, contact_confirmation_id = NULL \
                   WHERE contact_confirmation_id IN (SELECT id FROM contact_confirmations WHERE email = $3)";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(org_id)
            .bind(requester_id)
            .bind(email)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)
    }

    async fn take_transcripts_awaiting(&self, email: &str) -> StoreResult<Vec<i64>> {
        let waiting = "SELECT id FROM chats WHERE transcript_confirmation_id IN \
                       (SELECT id FROM contact_confirmations WHERE email = $1) ORDER BY id";
        let clear = "UPDATE chats SET transcript_confirmation_id = NULL WHERE transcript_confirmation_id IN \
                     (SELECT id FROM contact_confirmations WHERE email = $1)";
        with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let ids = sqlx::query_scalar::<_, i64>(waiting)
                .bind(email)
                .fetch_all(&mut *tx)
                .await?;
            sqlx::query(clear).bind(email).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(ids)
        }
        .await)
        .map_err(store_err)
    }

    async fn take_over_contact(
        &self,
        user_id: i64,
        name: &str,
        role: Role,
        org_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let tickets = "UPDATE tickets SET org_id = $1 WHERE requester_id = $2 AND $1 IS NOT NULL \
                       AND org_id = (SELECT org_id FROM users WHERE id = $2)";
        let user = "UPDATE users SET name = $1, role = $2, org_id = $3, updated_at = $4, join_org_id = NULL \
                    WHERE id = $5";
        with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            sqlx::query(tickets)
                .bind(org_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(user)
                .bind(name)
                .bind(role.as_str())
                .bind(org_id)
                .bind(now)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
        .await)
        .map_err(store_err)
    }

    async fn create_session(&self, s: NewSession<'_>) -> StoreResult<i64> {
        let sql = "INSERT INTO sessions (user_id, token_hash, kind, user_agent, ip, created_at, last_seen_at, expires_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id";
        with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(s.user_id)
            .bind(s.token_hash)
            .bind(s.kind.as_str())
            .bind(s.user_agent)
            .bind(s.ip)
            .bind(s.now)
            .bind(s.expires_at)
            .fetch_one(pool)
            .await)
        .map_err(store_err)
    }

    async fn session_by_token(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<(SessionRecord, UserRecord)>> {
        let sql = "SELECT s.id AS session_id, s.kind, s.created_at, s.last_seen_at, s.expires_at, \
                   u.id, u.email, u.name, u.role, u.org_id, o.name AS org_name, o.plan AS org_plan, u.password_hash, u.phone \
                   FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN organizations o ON o.id = u.org_id \
                   WHERE s.token_hash = $1 AND s.revoked_at IS NULL";
        let row = with_pool!(self, |pool| sqlx::query_as::<_, SessionUserRow>(sql)
            .bind(token_hash)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)?;
        let Some(row) = row else { return Ok(None) };
        let user = row.user.into_record()?;
        let session = SessionRecord {
            id: row.session_id,
            user_id: user.id,
            kind: SessionKind::parse(&row.kind),
            created_at: row.created_at,
            last_seen_at: row.last_seen_at,
            expires_at: row.expires_at,
        };
        Ok(Some((session, user)))
    }

    async fn touch_session(&self, session_id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        let sql = "UPDATE sessions SET last_seen_at = $1 WHERE id = $2";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(now)
            .bind(session_id)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(store_err)
    }

    async fn list_sessions(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<SessionView>> {
        let sql = "SELECT id, kind, created_at, last_seen_at, user_agent, ip FROM sessions \
                   WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY last_seen_at DESC";
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, SessionRow>(sql)
            .bind(user_id)
            .bind(now)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        Ok(rows
            .into_iter()
            .map(|r| SessionView {
                id: r.id,
                kind: SessionKind::parse(&r.kind),
                created_at: r.created_at,
                last_seen_at: r.last_seen_at,
                user_agent: r.user_agent,
                ip: r.ip,
                current: false,
            })
            .collect())
    }

    async fn revoke_session(
        &self,
        user_id: i64,
        session_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL";
        let done = with_pool!(self, |pool| sqlx::query(sql)
            .bind(now)
            .bind(session_id)
            .bind(user_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        found(done)
    }

    async fn session_live(&self, session_id: i64, now: DateTime<Utc>) -> StoreResult<bool> {
        let sql = "SELECT COUNT(*) FROM sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2";
        let n = with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(session_id)
            .bind(now)
            .fetch_one(pool)
            .await)
        .map_err(store_err)?;
        Ok(n > 0)
    }

    async fn revoke_other_sessions(
        &self,
        user_id: i64,
        keep: Option<i64>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let sql = "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(now)
            .bind(user_id)
            .bind(keep.unwrap_or(-1))
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)
    }

    async fn create_token(
        &self,
        user_id: i64,
        purpose: TokenPurpose,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO auth_tokens (user_id, purpose, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(user_id)
            .bind(purpose.as_str())
            .bind(token_hash)
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(store_err)
    }

    async fn tokens_created_since(
        &self,
        user_id: i64,
        purpose: TokenPurpose,
        since: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM auth_tokens WHERE user_id = $1 AND purpose = $2 \
                   AND created_at > $3";
        with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(user_id)
            .bind(purpose.as_str())
            .bind(since)
            .fetch_one(pool)
            .await)
        .map_err(store_err)
    }

    async fn consume_token(
        &self,
        purpose: TokenPurpose,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<i64>> {
        let sql = "UPDATE auth_tokens SET used_at = $1 \
                   WHERE purpose = $2 AND token_hash = $3 AND used_at IS NULL AND expires_at > $1 RETURNING user_id";
        with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(now)
            .bind(purpose.as_str())
            .bind(token_hash)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)
    }

    async fn record_login_attempt(
        &self,
        email: &str,
        ip: Option<&str>,
        success: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO login_attempts (email, ip, success, at) VALUES ($1, $2, $3, $4)";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(email)
            .bind(ip)
            .bind(success)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(store_err)
    }

    async fn spend_tokens(&self, user_id: i64, now: DateTime<Utc>) -> StoreResult<u64> {
        let sql = "UPDATE auth_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(now)
            .bind(user_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)
    }

    async fn failed_for_account(&self, email: &str, since: DateTime<Utc>) -> StoreResult<i64> {
        let sql =
            "SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND success = $2 AND at > $3";
        with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(email)
            .bind(false)
            .bind(since)
            .fetch_one(pool)
            .await)
        .map_err(store_err)
    }

    async fn failed_attempts(
        &self,
        email: &str,
        ip: Option<&str>,
        since: DateTime<Utc>,
    ) -> StoreResult<(i64, i64)> {
        // Per email *from this address*: failures elsewhere never lock the owner out.
        let by_email = "SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND success = $2 \
                        AND at > $3 AND (ip = $4 OR ($4 IS NULL AND ip IS NULL))";
        let by_ip =
            "SELECT COUNT(*) FROM login_attempts WHERE ip = $1 AND success = $2 AND at > $3";
        let email_count = with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(by_email)
            .bind(email)
            .bind(false)
            .bind(since)
            .bind(ip)
            .fetch_one(pool)
            .await)
        .map_err(store_err)?;
        let ip_count = match ip {
            Some(ip) => with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(by_ip)
                .bind(ip)
                .bind(false)
                .bind(since)
                .fetch_one(pool)
                .await)
            .map_err(store_err)?,
            None => 0,
        };
        Ok((email_count, ip_count))
    }
}
