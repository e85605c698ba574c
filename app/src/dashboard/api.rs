//! The home page's one server function.

use super::HomePage;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server_ctx::{principal, services};

/// Everything `/panel` shows for the signed-in person, in one request.
#[server]
pub async fn home_load() -> Result<HomePage, AppError> {
    let p = principal().await?;
    let services = services()?;
    super::service::home(&services, &p).await
}
