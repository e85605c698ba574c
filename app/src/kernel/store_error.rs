//! Errors of the storage traits, keeping their cause: which constraint a conflict hit, and the
//! backend's own error as the source of a failure.

use crate::error::{AppError, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// A stored value the code cannot read (a text enum with an unknown name, say).
    #[error("unexpected {what} '{value}' in the database")]
    Corrupt { what: String, value: String },
    #[error("storage backend failed")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Why a write could not be made as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// A unique constraint (or unique index) already holds the value; the database's name
    /// for it, when it gave one.
    #[error("unique constraint {constraint}")]
    Unique { constraint: String },
    /// The row changed since the caller read it (optimistic concurrency).
    #[error("the row changed since it was read")]
    Revision,
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    pub fn corrupt(what: impl Into<String>, value: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            what: what.into(),
            value: value.into(),
        }
    }

    pub fn is_unique_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict(Conflict::Unique { .. }))
    }
}

/// Logs an unexpected failure and answers `internal` (500).
pub fn internal(err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "internal error");
    AppError::new(ErrorCode::Internal)
}

/// Logs a storage failure with its chain of causes and answers `internal` (500).
fn failed(err: StoreError) -> AppError {
    let mut causes = String::new();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        causes.push_str(": ");
        causes.push_str(&cause.to_string());
        source = cause.source();
    }
    tracing::error!(error = %err, causes, "storage failed");
    AppError::new(ErrorCode::Internal)
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => AppError::new(ErrorCode::NotFound),
            // A race the service's own checks did not foresee (two requests creating the
            // same thing at once): the second one learns the thing exists.
            StoreError::Conflict(conflict) => {
                tracing::debug!(%conflict, "conflict");
                AppError::new(ErrorCode::AlreadyExists)
            }
            err @ (StoreError::Corrupt { .. } | StoreError::Backend(_)) => failed(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_answer_409_and_failures_500() {
        let unique = StoreError::Conflict(Conflict::Unique {
            constraint: "users_email".into(),
        });
        assert!(unique.is_unique_conflict());
        assert_eq!(AppError::from(unique).status(), 409);
        assert_eq!(AppError::from(StoreError::NotFound).status(), 404);
        let failed = StoreError::Backend("disk full".into());
        assert_eq!(AppError::from(failed).status(), 500);
        assert_eq!(
            AppError::from(StoreError::corrupt("role", "root")).code,
            ErrorCode::Internal
        );
    }

    #[test]
    fn a_backend_error_keeps_its_cause() {
        let io = std::io::Error::other("connection reset");
        let err = StoreError::Backend(Box::new(io));
        let source = std::error::Error::source(&err).map(|s| s.to_string());
        assert_eq!(source.as_deref(), Some("connection reset"));
    }
}
