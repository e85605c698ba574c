//! Files attached to chat messages.

use crate::storage::{store_err, with_pool, Db};
use app::chat::store::NewChatFile;
use app::chat::ChatFile;
use app::kernel::StoreResult;

#[derive(sqlx::FromRow)]
struct FileRow {
    id: i64,
    chat_id: i64,
    filename: String,
    content_type: String,
    size: i64,
    storage_key: String,
}

pub(super) async fn add_file(db: &Db, f: NewChatFile<'_>) -> StoreResult<i64> {
    let sql = "INSERT INTO chat_attachments (chat_id, filename, content_type, size, storage_key, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .bind(f.chat_id)
        .bind(f.filename)
        .bind(f.content_type)
        .bind(f.size)
        .bind(f.storage_key)
        .bind(f.now)
        .fetch_one(pool)
        .await)
    .map_err(store_err)
}

pub(super) async fn file(db: &Db, id: i64) -> StoreResult<Option<(ChatFile, i64, String)>> {
    let sql = "SELECT id, chat_id, filename, content_type, size, storage_key FROM chat_attachments WHERE id = $1";
    let row = with_pool!(db, |pool| sqlx::query_as::<_, FileRow>(sql)
        .bind(id)
        .fetch_optional(pool)
        .await)
    .map_err(store_err)?;
    Ok(row.map(|r| {
        (
            ChatFile {
                id: r.id,
                filename: r.filename,
                content_type: r.content_type,
                size: r.size,
            },
            r.chat_id,
            r.storage_key,
        )
    }))
}
