//! Token, identity, organisation and user endpoints.

use super::ApiPath;
use super::{ApiCaller, ApiError, ApiJson, ApiLocale, ApiResult, WithLocale};
use crate::startup::AppState;
use app::accounts::command::{CreateOrg, InviteUser};
use app::accounts::service::LoginRequest;
use app::accounts::{CurrentUser, OrgSummary, SessionKind, UserSummary};
use app::server_ctx::ClientAddr;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Bearer token: send as `Authorization: Bearer <token>`. Shown once.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct OrganizationRef {
    pub id: i64,
    pub name: String,
    /// `estandar`, `avanzado` or `premium`.
    pub plan: String,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub email: String,
    pub name: String,
    /// `customer`, `agent`, `editor` or `admin`.
    pub role: String,
    /// The customer's organisation; null for staff.
    pub organization: Option<OrganizationRef>,
}

impl From<CurrentUser> for Me {
    fn from(u: CurrentUser) -> Self {
        Me {
            email: u.email,
            name: u.name,
            role: u.role.as_str().to_owned(),
            organization: u.organization.map(|o| OrganizationRef {
                id: o.id,
                name: o.name,
                plan: o.plan.as_str().to_owned(),
            }),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Organization {
    pub id: i64,
    pub name: String,
    pub plan: String,
    pub users: i64,
    pub created_at: DateTime<Utc>,
}

impl From<OrgSummary> for Organization {
    fn from(o: OrgSummary) -> Self {
        Organization {
            id: o.id,
            name: o.name,
            plan: o.plan.as_str().to_owned(),
            users: o.users,
            created_at: o.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewOrganization {
    pub name: String,
    /// `estandar`, `avanzado` or `premium`.
    pub plan: String,
}

#[derive(Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub organization: Option<String>,
    /// False until the invited person sets a password.
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl From<UserSummary> for User {
    fn from(u: UserSummary) -> Self {
        User {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role.as_str().to_owned(),
            organization: u.organization,
            active: u.active,
            created_at: u.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    /// `customer`, `agent`, `editor` or `admin`.
    pub role: String,
    /// Required for customers, absent for staff.
    pub organization_id: Option<i64>,
}

/// Exchange email and password for a bearer token.
#[utoipa::path(post, operation_id = "createToken", path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = super::ErrorBody), (status = 429, body = super::ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    locale: ApiLocale,
    Extension(client): Extension<ClientAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TokenRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let ip = client.0.to_string();
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(200).collect::<String>());
    let issued = state
        .services
        .accounts
        .login(LoginRequest {
            email: &body.email,
            password: &body.password,
            ip: Some(&ip),
            user_agent: ua.as_deref(),
            kind: SessionKind::Api,
        })
        .await
        .in_locale(locale)?;
    Ok(Json(TokenResponse {
        token: issued.token,
        expires_at: issued.expires_at,
    }))
}

/// Revoke the token used for this call.
#[utoipa::path(delete, operation_id = "revokeToken", path = "/api/v1/auth/token", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = super::ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<StatusCode> {
    state
        .services
        .accounts
        .logout(&caller.principal)
        .await
        .in_locale(caller.locale)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who the token belongs to.
#[utoipa::path(get, operation_id = "getMe", path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = super::ErrorBody)))]
pub async fn me(caller: ApiCaller) -> Json<Me> {
    Json(caller.principal.user.into())
}

/// Organisations: all for staff, only their own for a customer.
#[utoipa::path(get, operation_id = "listOrganizations", path = "/api/v1/organizations", tag = "organizations", security(("bearer" = [])),
    responses((status = 200, body = [Organization]), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn list_orgs(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<Organization>>> {
    let orgs = state
        .services
        .accounts
        .list_orgs(&caller.principal)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(orgs.into_iter().map(Into::into).collect()))
}

/// One organisation (404 for a customer asking about another organisation).
#[utoipa::path(get, operation_id = "getOrganization", path = "/api/v1/organizations/{id}", tag = "organizations", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Organization), (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn get_org(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Organization>> {
    let id: i64 = id.parse().map_err(|_| ApiError {
        error: app::error::ErrorCode::NotFound.into(),
        locale: caller.locale.0,
    })?;
    let org = state
        .services
        .accounts
        .get_org(&caller.principal, id)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(org.into()))
}

/// Create an organisation (admins).
#[utoipa::path(post, operation_id = "createOrganization", path = "/api/v1/organizations", tag = "organizations", security(("bearer" = [])), request_body = NewOrganization,
    responses((status = 201, body = Organization), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn create_org(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<NewOrganization>,
) -> ApiResult<(StatusCode, Json<Organization>)> {
    let org = state
        .services
        .accounts
        .create_org(
            &caller.principal,
            CreateOrg::parse(&body.name, &body.plan).in_locale(caller.locale)?,
        )
        .await
        .in_locale(caller.locale)?;
    Ok((StatusCode::CREATED, Json(org.into())))
}

/// All users (admins).
#[utoipa::path(get, operation_id = "listUsers", path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = [User]), (status = 403, body = super::ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<User>>> {
    let users = state
        .services
        .accounts
        .list_users(&caller.principal)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(users.into_iter().map(Into::into).collect()))
}

/// Invite a user (admins): the person gets an email with a link to set a password.
#[utoipa::path(post, operation_id = "inviteUser", path = "/api/v1/users", tag = "users", security(("bearer" = [])), request_body = NewUser,
    responses((status = 201, body = User), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn invite_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let user = state
        .services
        .accounts
        .invite_user(
            &caller.principal,
            InviteUser::parse(&body.email, &body.name, &body.role, body.organization_id)
                .in_locale(caller.locale)?,
        )
        .await
        .in_locale(caller.locale)?;
    Ok((StatusCode::CREATED, Json(user.into())))
}
