//! The OpenAPI 3 document, generated from the handlers' annotations so it cannot drift.

use super::{
    accounts, changes, chat, chat_socket, email_webhook, files, hours, kb, meta_webhooks, projects,
    reports, store, tickets,
};
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Any2cloud Portal API", version = "1", description = "Integrations API. Obtain a token with POST /api/v1/auth/token and send it as `Authorization: Bearer <token>`."),
    paths(
        accounts::create_token, accounts::revoke_token, accounts::me,
        accounts::list_orgs, accounts::get_org, accounts::create_org,
        accounts::list_users, accounts::invite_user,
        tickets::deadline, tickets::create, tickets::list, tickets::get, tickets::reply,
        reports::sla_json, files::upload_api, files::download_api,
        kb::search, kb::article, kb::create, kb::update, kb::revisions,
        chat::start, chat::inbox, chat::availability, chat::get, chat::messages, chat::send, chat::upload,
        chat::download, chat::accept, chat::transfer, chat::close, chat::to_ticket, chat::rate,
        chat::transcript, chat_socket::chat_socket, chat_socket::console_socket,
        projects::list, projects::get, projects::create, projects::add_item, projects::update_item,
        projects::baseline, projects::comment,
        store::packages, store::orders, store::place, store::order, store::confirm, store::refund,
        store::cancel, store::stripe_webhook, meta_webhooks::whatsapp_verify, meta_webhooks::whatsapp,
        meta_webhooks::messenger_verify, meta_webhooks::messenger, email_webhook::email, hours::get, hours::adjust,
        changes::list, changes::create, changes::get, changes::estimate, changes::reject,
        changes::approve, changes::decline, changes::work, changes::done, changes::reopen,
    ),
    components(schemas(super::ErrorBody, super::ErrorDetail)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
