//! Path and query extractors whose rejections are API errors: a malformed `/api/v1` URL gets the
//! same `{"error":{"code","message"}}` body as every other failure, never axum's plain text.

use super::{ApiError, ApiLocale};
use app::error::ErrorCode;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// Path parameters. A segment that does not parse names no resource: 404 `not_found`.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => {
                tracing::debug!(%rejection, "bad path parameter");
                Err(rejected(parts, ErrorCode::NotFound).await)
            }
        }
    }
}

/// Query parameters. A value that does not parse is invalid input: 400 `invalid_input`.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => {
                tracing::debug!(%rejection, "bad query parameter");
                Err(rejected(parts, ErrorCode::InvalidInput).await)
            }
        }
    }
}

async fn rejected(parts: &mut Parts, code: ErrorCode) -> ApiError {
    let Ok(locale) = ApiLocale::from_request_parts(parts, &()).await;
    ApiError {
        error: code.into(),
        locale: locale.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    #[derive(serde::Deserialize)]
    struct Page {
        #[allow(dead_code)]
        organization_id: Option<i64>,
    }

    async fn query(uri: &str) -> Result<(), u16> {
        let (mut parts, ()) = Request::get(uri).body(()).unwrap_or_default().into_parts();
        ApiQuery::<Page>::from_request_parts(&mut parts, &())
            .await
            .map(|_| ())
            .map_err(|e| e.error.status())
    }

    #[tokio::test]
    async fn a_malformed_typed_query_value_is_invalid_input() {
        assert_eq!(query("/h?organization_id=7").await, Ok(()));
        assert_eq!(query("/h").await, Ok(()));
        assert_eq!(query("/h?organization_id=x%FFx").await, Err(400));
        assert_eq!(query("/h?organization_id=abc").await, Err(400));
    }
}
