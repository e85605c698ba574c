//! Server functions for accounts: thin wrappers that identify the caller and call the service.

use super::{
    CurrentUser, JoinRequest, OrgSummary, OutboxMail, PendingPhone, PhoneStatus, SessionView,
    UserSummary,
};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server_ctx::{client_info, optional_principal, principal, services, set_cookie};

#[server]
pub async fn whoami() -> Result<Option<CurrentUser>, AppError> {
    Ok(optional_principal().await?.map(|p| p.user))
}

#[server]
pub async fn login(
    email: String,
    password: String,
    #[server(default)] volver: Option<String>,
) -> Result<(), AppError> {
    use super::service::LoginRequest;
    use super::SessionKind;
    let services = services()?;
    let (ip, ua) = client_info();
    let issued = services
        .accounts
        .login(LoginRequest {
            email: &email,
            password: &password,
            ip: ip.as_deref(),
            user_agent: ua.as_deref(),
            kind: SessionKind::Web,
        })
        .await?;
    let max_age = services.accounts.settings().absolute_timeout.num_seconds();
    set_cookie(&services.session_cookie(&issued.token, max_age));
    // Back to the page that asked to sign in (a path on this site only), else the dashboard.
    let next = volver
        .as_deref()
        .and_then(crate::domain::nav::return_path)
        .unwrap_or("/panel");
    leptos_axum::redirect(next);
    Ok(())
}

#[server]
pub async fn logout() -> Result<(), AppError> {
    let services = services()?;
    if let Some(p) = optional_principal().await? {
        services.accounts.logout(&p).await?;
    }
    set_cookie(&services.clear_cookie());
    leptos_axum::redirect("/");
    Ok(())
}

#[server]
pub async fn my_sessions() -> Result<Vec<SessionView>, AppError> {
    let p = principal().await?;
    services()?.accounts.sessions(&p).await
}

#[server]
pub async fn revoke_session(id: i64) -> Result<(), AppError> {
    let p = principal().await?;
    services()?.accounts.revoke_session(&p, id).await
}

#[server]
pub async fn sign_out_others() -> Result<u64, AppError> {
    let p = principal().await?;
    services()?.accounts.sign_out_others(&p).await
}

#[server]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    let p = principal().await?;
    services()?
        .accounts
        .change_password(&p, &current, &new)
        .await
}

#[server]
pub async fn save_phone(phone: String) -> Result<PhoneStatus, AppError> {
    let p = principal().await?;
    services()?.accounts.set_phone(&p, &phone).await
}

#[server]
pub async fn my_phone() -> Result<PhoneStatus, AppError> {
    let p = principal().await?;
    services()?.accounts.phone_status(&p).await
}

#[server]
pub async fn confirm_phone(code: String) -> Result<PhoneStatus, AppError> {
    let p = principal().await?;
    services()?.accounts.confirm_phone(&p, &code).await
}

#[server]
pub async fn pending_phones() -> Result<Vec<PendingPhone>, AppError> {
    let p = principal().await?;
    services()?.accounts.pending_phones(&p).await
}

#[server]
pub async fn join_requests() -> Result<Vec<JoinRequest>, AppError> {
    let p = principal().await?;
    services()?.accounts.join_requests(&p).await
}

/// Staff let a sender at a customer's domain into that organisation (`approve`), or not.
#[server]
pub async fn decide_join(user_id: i64, approve: bool) -> Result<(), AppError> {
    let p = principal().await?;
    services()?.accounts.decide_join(&p, user_id, approve).await
}

/// Admins: new senders at the organisation's domain join it by themselves, or wait for staff.
#[server]
pub async fn set_auto_join(org_id: i64, on: bool) -> Result<(), AppError> {
    let p = principal().await?;
    services()?.accounts.set_auto_join(&p, org_id, on).await
}

/// Staff decide on a pending number: `confirm` links it, anything else turns it down.
#[server]
pub async fn decide_phone(user_id: i64, confirm: bool) -> Result<(), AppError> {
    let p = principal().await?;
    let accounts = services()?.accounts.clone();
    if confirm {
        accounts.confirm_phone_by_staff(&p, user_id).await
    } else {
        accounts.reject_phone(&p, user_id).await
    }
}

#[server]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    services()?.accounts.request_password_reset(&email).await
}

#[server]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    services()?.accounts.reset_password(&token, &password).await
}

#[server]
pub async fn list_orgs() -> Result<Vec<OrgSummary>, AppError> {
    let p = principal().await?;
    services()?.accounts.list_orgs(&p).await
}

#[server]
pub async fn my_org() -> Result<Option<OrgSummary>, AppError> {
    let p = principal().await?;
    match p.org_id() {
        Some(id) => Ok(Some(services()?.accounts.get_org(&p, id).await?)),
        None => Ok(None),
    }
}

#[server]
pub async fn create_org(name: String, plan: String) -> Result<OrgSummary, AppError> {
    let p = principal().await?;
    let command = super::command::CreateOrg::parse(&name, &plan)?;
    services()?.accounts.create_org(&p, command).await
}

#[server]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    let p = principal().await?;
    services()?.accounts.list_users(&p).await
}

#[server]
pub async fn invite_user(
    email: String,
    name: String,
    role: String,
    organization_id: String,
) -> Result<UserSummary, AppError> {
    let p = principal().await?;
    let command = super::command::InviteUser::parse_form(&email, &name, &role, &organization_id)?;
    services()?.accounts.invite_user(&p, command).await
}

#[server]
pub async fn outbox() -> Result<Vec<OutboxMail>, AppError> {
    let p = principal().await?;
    services()?.accounts.outbox(&p).await
}
