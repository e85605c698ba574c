//! Storage for both backends. SQL is written once in a dialect both understand (`$n`
//! placeholders, `RETURNING`, ISO timestamps) and type-checked against each pool by
//! [`with_pool!`]; anything backend-specific matches on [`Db`] explicitly.

mod accounts;
mod blobs;
mod changes;
mod channels;
mod chat;
mod hours;
mod kb;
mod mail_threads;
mod outbox;
mod projects;
mod shop;
mod tickets;

use app::kernel::{Conflict, StoreError, StoreResult};

pub use blobs::DiskBlobs;
pub use chat::ChatDb;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same expression against whichever pool is configured.
macro_rules! with_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::storage::Db::Sqlite($pool) => $body,
            $crate::storage::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot open database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
}

/// The part of a URL that is safe to log (no password).
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

impl Db {
    /// Runs a statement whose only parameter (`$1`) is `id`; answers the rows it changed.
    pub(crate) async fn execute_for(&self, sql: &str, id: i64) -> StoreResult<u64> {
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)
    }

    /// Opens the database named by `url` and brings its schema up to date.
    pub async fn connect(url: &str) -> Result<Db, ConnectError> {
        let open_err = |source| ConnectError::Open {
            url: redact(url),
            source,
        };
        let db = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(open_err)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            if let Some(parent) = options
                .get_filename()
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
            {
                std::fs::create_dir_all(parent).map_err(|source| ConnectError::Folder {
                    path: parent.display().to_string(),
                    source,
                })?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await
                .map_err(open_err)?;
            SQLITE_MIGRATIONS.run(&pool).await?;
            Db::Sqlite(pool)
        } else {
            // Half the pool is kept open from the start: opening a connection (a new server
            // process) under a burst of chat messages was the slowest part of a cold instance,
            // and sqlx would otherwise close idle ones again after 10 minutes.
            let pool = PgPoolOptions::new()
                .min_connections(8)
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await
                .map_err(open_err)?;
            POSTGRES_MIGRATIONS.run(&pool).await?;
            Db::Postgres(pool)
        };
        Ok(db)
    }

    /// The counter that database triggers bump on every write that a cached signed-in page
    /// shows (migration 0013: tickets, users, organizations, the holiday calendar, revoked
    /// sessions).
    pub async fn page_generation(&self) -> Result<i64, sqlx::Error> {
        with_pool!(self, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT value FROM page_generation WHERE id = 1"
        )
        .fetch_one(pool)
        .await)
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Readiness probe: a trivial round trip.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        with_pool!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|_| ()))
    }

    pub async fn close(&self) {
        with_pool!(self, |pool| pool.close().await)
    }
}

/// An update that must touch a row: zero rows affected means the row does not exist (or is not
/// the caller's), reported as `NotFound`.
pub(crate) fn found(rows_affected: u64) -> Result<(), StoreError> {
    if rows_affected == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

pub(crate) fn store_err(err: sqlx::Error) -> StoreError {
    match &err {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(Conflict::Unique {
                constraint: db.constraint().unwrap_or_default().to_owned(),
            })
        }
        _ => StoreError::Backend(Box::new(err)),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_passwords_from_urls() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://…@h/db");
        assert_eq!(redact("sqlite://data/portal.db"), "sqlite://data/portal.db");
    }
}
