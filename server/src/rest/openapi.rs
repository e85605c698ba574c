//! The OpenAPI 3 document, generated from the handlers' annotations so it cannot drift.

use super::{
    accounts, changes, chat, chat_socket, email_webhook, files, hours, kb, meta_webhooks, projects,
    reports, shop, tickets,
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

/// Answers every operation may give besides its own: 400 for a malformed request (body, query
/// or path that does not parse), 401 for a missing or invalid token, 403 for a role that may not
/// do it, 404 for a resource (in the path, query or body) that does not exist or is not the
/// caller's, 429 when rate limited. Documented once here rather than on each handler.
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let error = |description: &str| -> RefOr<utoipa::openapi::Response> {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                responses
                    .entry("400".into())
                    .or_insert_with(|| error("Malformed request (`invalid_input`)"));
                // Public operations too: a token that is sent must be valid.
                responses
                    .entry("401".into())
                    .or_insert_with(|| error("Missing (where required), expired or revoked token"));
                responses
                    .entry("403".into())
                    .or_insert_with(|| error("Not allowed for this account (`forbidden`)"));
                // Resources named in the path, the query or the body.
                responses
                    .entry("404".into())
                    .or_insert_with(|| error("No such resource, or not yours"));
                responses
                    .entry("429".into())
                    .or_insert_with(|| error("Too many requests (`rate_limited`)"));
            }
        }
    }
}

/// Example values for path parameters, taken from the demo data every fresh portal has
/// (organisation, user, project and article 1, the first demo article's slug), so tools that
/// call the API from this document (and readers trying it) reach real records, not only 404.
struct PathExamples;

impl Modify for PathExamples {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                for param in operation.parameters.iter_mut().flatten() {
                    if param.parameter_in != ParameterIn::Path {
                        continue;
                    }
                    let example = match param.name.as_str() {
                        "id" | "file" | "item" => serde_json::json!(1),
                        "slug" => serde_json::json!("como-abrir-un-ticket-y-elegir-su-prioridad"),
                        _ => continue,
                    };
                    *param = ParameterBuilder::from(param.clone())
                        .example(Some(example))
                        .build();
                }
            }
        }
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
        shop::packages, shop::orders, shop::place, shop::order, shop::confirm, shop::refund,
        shop::cancel, shop::stripe_webhook, meta_webhooks::whatsapp_verify, meta_webhooks::whatsapp,
        meta_webhooks::messenger_verify, meta_webhooks::messenger, email_webhook::email, hours::get, hours::adjust,
        changes::list, changes::create, changes::get, changes::estimate, changes::reject,
        changes::approve, changes::decline, changes::work, changes::done, changes::reopen,
    ),
    components(schemas(super::ErrorBody, super::ErrorDetail)),
    modifiers(&BearerAuth, &CommonErrors, &PathExamples),
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
