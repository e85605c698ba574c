//! Customers' phone numbers: setting one, and its verification by a one-time code or by staff.

use crate::storage::{found, store_err, with_pool, Db};
use app::accounts::store::PhoneVerification;
use app::accounts::PendingPhone;
use app::kernel::StoreResult;
use chrono::{DateTime, Utc};

pub(super) async fn set_phone(
    db: &Db,
    user_id: i64,
    phone: Option<&str>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let sql = "UPDATE users SET phone = $1, updated_at = $2 WHERE id = $3";
    let done = with_pool!(db, |pool| sqlx::query(sql)
        .bind(phone)
        .bind(now)
        .bind(user_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    .map_err(store_err)?;
    found(done)
}

pub(super) async fn phone_verification(
    db: &Db,
    user_id: i64,
) -> StoreResult<Option<PhoneVerification>> {
    let sql = "SELECT phone, code_hash, attempts, expires_at, created_at \
               FROM phone_verifications WHERE user_id = $1";
    type Row = (
        String,
        Option<String>,
        i64,
        Option<DateTime<Utc>>,
        DateTime<Utc>,
    );
    let row = with_pool!(db, |pool| sqlx::query_as::<_, Row>(sql)
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

pub(super) async fn start_phone_verification(
    db: &Db,
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
    with_pool!(db, |pool| sqlx::query(sql)
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

pub(super) async fn phone_attempt_failed(db: &Db, user_id: i64) -> StoreResult<()> {
    let sql = "UPDATE phone_verifications SET attempts = attempts + 1 WHERE user_id = $1";
    db.execute_for(sql, user_id).await.map(|_| ())
}

pub(super) async fn cancel_phone_verification(db: &Db, user_id: i64) -> StoreResult<()> {
    let sql = "DELETE FROM phone_verifications WHERE user_id = $1";
    db.execute_for(sql, user_id).await.map(|_| ())
}

pub(super) async fn verify_phone(
    db: &Db,
    user_id: i64,
    phone: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
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
    with_pool!(db, |pool| async {
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

pub(super) async fn pending_phones(db: &Db) -> StoreResult<Vec<PendingPhone>> {
    let sql =
        "SELECT u.id, u.name, u.email, o.name, p.phone, p.code_hash IS NOT NULL, p.created_at \
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
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, Row>(sql)
        .fetch_all(pool)
        .await)
    .map_err(store_err)?;
    Ok(rows
        .into_iter()
        .map(
            |(user_id, name, email, organization, phone, code_sent, requested_at)| PendingPhone {
                user_id,
                name,
                email,
                organization,
                phone,
                code_sent,
                requested_at,
            },
        )
        .collect())
}
