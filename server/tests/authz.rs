//! Authorization matrix: every operation of the OpenAPI document, called as an anonymous
//! visitor, as a customer of another organisation, and as each role, against resources that
//! belong to Demo S.A. Nothing of Demo S.A. leaks to anyone outside it, nothing staff-only is
//! reachable by customers, nothing but the public operations answers without a token; every
//! server function called anonymously or by the other organisation's customer returns nothing
//! of Demo S.A. A new operation that is not classified here fails the test.

mod common;

use common::{Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Who may call an operation.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Access {
    /// Anyone, without a token (public reading, the store catalogue, starting a chat, sign-in).
    Public,
    /// Verified by a signature or its own secret, not by sessions (webhooks; off in this test).
    Webhook,
    /// Signed-in users; customers only within their organisation.
    Customer,
    /// Agents, editors and admins only.
    Staff,
    /// Admins only.
    Admin,
}

fn access(method: &str, path: &str) -> Option<Access> {
    use Access::*;
    let p = path.trim_start_matches("/api/v1");
    Some(match (method, p) {
        ("post", "/auth/token") => Public,
        ("delete", "/auth/token") | ("get", "/me") => Customer,
        ("get", "/organizations") | ("get", "/organizations/{id}") => Customer,
        ("post", "/organizations") | ("get", "/users") | ("post", "/users") => Admin,
        ("get", "/sla/deadline") => Public,
        ("get", "/tickets") | ("post", "/tickets") | ("get", "/tickets/{id}") => Customer,
        ("post", "/tickets/{id}/replies") | ("post", "/tickets/{id}/attachments") => Customer,
        ("get", "/attachments/{id}") => Customer,
        ("get", "/reports/sla") => Staff,
        ("get", "/kb/search") | ("get", "/kb/articles/{slug}") => Public,
        ("post", "/kb/articles")
        | ("put", "/kb/articles/{slug}")
        | ("get", "/kb/articles/{slug}/revisions") => Staff,
        ("post", "/chats") | ("get", "/chats/availability") => Public,
        ("get", "/chats") => Staff,
        ("get", "/chats/{id}")
        | ("get", "/chats/{id}/messages")
        | ("post", "/chats/{id}/messages")
        | ("post", "/chats/{id}/files")
        | ("get", "/chats/{id}/files/{file}")
        | ("post", "/chats/{id}/close")
        | ("post", "/chats/{id}/rating")
        | ("post", "/chats/{id}/transcript")
        | ("get", "/chats/{id}/ws") => Customer,
        ("post", "/chats/{id}/accept")
        | ("post", "/chats/{id}/transfer")
        | ("post", "/chats/{id}/ticket")
        | ("get", "/agent/ws") => Staff,
        ("get", "/projects") | ("get", "/projects/{id}") => Customer,
        ("post", "/projects/{id}/items/{item}/comments") => Customer,
        ("post", "/projects")
        | ("post", "/projects/{id}/items")
        | ("patch", "/projects/{id}/items/{item}")
        | ("post", "/projects/{id}/baseline") => Staff,
        ("get", "/store/packages") => Public,
        ("get", "/store/orders") | ("post", "/store/orders") | ("get", "/store/orders/{id}") => {
            Customer
        }
        ("post", "/store/orders/{id}/cancel") => Customer,
        ("post", "/store/orders/{id}/confirm") | ("post", "/store/orders/{id}/refund") => Admin,
        ("get", "/hours") => Customer,
        ("post", "/hours/adjustments") => Admin,
        ("get", "/change-requests")
        | ("post", "/change-requests")
        | ("get", "/change-requests/{id}")
        | ("post", "/change-requests/{id}/approve")
        | ("post", "/change-requests/{id}/decline")
        | ("post", "/change-requests/{id}/reopen") => Customer,
        ("post", "/change-requests/{id}/estimate")
        | ("post", "/change-requests/{id}/reject")
        | ("post", "/change-requests/{id}/work")
        | ("post", "/change-requests/{id}/done") => Staff,
        (_, p) if p.starts_with("/webhooks/") => Webhook,
        _ => return None,
    })
}

/// Demo S.A.'s resources the matrix aims at, and strings that only they contain.
struct Fixtures {
    ticket: i64,
    attachment: i64,
    change_request: i64,
    order: i64,
    chat: i64,
    project: i64,
    item: i64,
    org: i64,
    markers: Vec<String>,
}

async fn fixtures(app: &TestApp, customer: &str, admin: &str) -> Fixtures {
    let (status, ticket) = app
        .post(
            "/api/v1/tickets",
            Some(customer),
            json!({"subject": "MARCA-ticket-demo", "body": "MARCA-cuerpo-demo", "kind": "question", "priority": "normal"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    let ticket = ticket["id"].as_i64().expect("ticket");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"MARCA-adjunto-demo\n".to_vec()).file_name("marca.log"),
    );
    let res = app
        .client
        .post(app.url(&format!("/api/v1/tickets/{ticket}/attachments")))
        .bearer_auth(customer)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), StatusCode::CREATED);
    let attachment = res.json::<Value>().await.expect("attachment")["id"]
        .as_i64()
        .expect("attachment id");
    let (status, cr) = app
        .post(
            "/api/v1/change-requests",
            Some(customer),
            json!({"title": "MARCA-cambio-demo", "description": "Cambio privado"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{cr}");
    let (status, order) = app
        .post(
            "/api/v1/store/orders",
            Some(customer),
            json!({"package": "sc-basico", "method": "transfer"}),
        )
        .await;
    assert!(status.is_success(), "{order}");
    let (status, chat) = app.post("/api/v1/chats", Some(customer), json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{chat}");
    let chat_id = chat["id"].as_i64().expect("chat");
    let chat_token = chat["token"].as_str().unwrap_or(customer).to_owned();
    let (status, msg) = app
        .post(
            &format!("/api/v1/chats/{chat_id}/messages"),
            Some(&chat_token),
            json!({"body": "MARCA-chat-demo", "client_id": "authz-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{msg}");
    let (_, projects) = app.get("/api/v1/projects", Some(customer)).await;
    let project = projects[0]["id"].as_i64().expect("a Demo S.A. project");
    let (_, detail) = app
        .get(&format!("/api/v1/projects/{project}"), Some(admin))
        .await;
    let item = detail["items"][0]["id"].as_i64().unwrap_or(1);
    let (_, me) = app.get("/api/v1/me", Some(customer)).await;
    Fixtures {
        ticket,
        attachment,
        change_request: cr["id"].as_i64().expect("cr"),
        order: order["id"].as_i64().expect("order"),
        chat: chat_id,
        project,
        item,
        org: me["organization"]["id"].as_i64().expect("org"),
        markers: vec![
            "MARCA-ticket-demo".into(),
            "MARCA-cuerpo-demo".into(),
            "MARCA-adjunto-demo".into(),
            "MARCA-cambio-demo".into(),
            "MARCA-chat-demo".into(),
            "Carlos Cliente".into(),
        ],
    }
}

fn concrete(path: &str, f: &Fixtures) -> String {
    let id = if path.contains("/tickets/") {
        f.ticket
    } else if path.contains("/attachments/") {
        f.attachment
    } else if path.contains("/change-requests/") {
        f.change_request
    } else if path.contains("/store/orders/") {
        f.order
    } else if path.contains("/chats/") {
        f.chat
    } else if path.contains("/projects/") {
        f.project
    } else {
        f.org
    };
    path.replace("{id}", &id.to_string())
        .replace("{item}", &f.item.to_string())
        .replace("{file}", "1")
        .replace("{slug}", "no-existe-todavia")
}

/// A valid body for each write, so that a refusal proves authorization, not validation.
fn body_for(path: &str, f: &Fixtures) -> Value {
    let p = path.trim_start_matches("/api/v1");
    let last = p.rsplit('/').next().unwrap_or_default();
    match (p, last) {
        ("/organizations", _) => json!({"name": "Matriz S.A.", "plan": "standard"}),
        ("/users", _) => {
            json!({"email": "matriz@demo.test", "name": "Matriz", "role": "customer", "organization_id": f.org})
        }
        ("/tickets", _) => {
            json!({"subject": "Matriz", "body": "x", "kind": "question", "priority": "normal"})
        }
        (_, "replies") => json!({"body": "Respuesta de la matriz", "internal": false}),
        ("/kb/articles", _) | (_, "no-existe-todavia") => json!({
            "title": "Artículo de la matriz", "body_md": "Texto", "lang": "es",
            "category": "general", "visibility": "public", "status": "draft"
        }),
        (_, "messages") => json!({"body": "Hola", "client_id": "authz-matrix"}),
        (_, "transfer") => json!({"agent_id": 1}),
        (_, "rating") => json!({"rating": 5, "comment": ""}),
        ("/projects", _) => json!({
            "organization_id": f.org, "name": "Proyecto matriz", "description": "",
            "start": "2026-12-01", "target_end": "2027-03-01"
        }),
        (_, "items") => json!({"kind": "task", "name": "Tarea", "phase": "Fase 1",
            "start": "2026-12-01", "end": "2026-12-05"}),
        (_, "comments") => json!({"body": "Comentario"}),
        ("/store/orders", _) => json!({"package": "sc-basico", "method": "transfer"}),
        ("/hours/adjustments", _) => {
            json!({"organization_id": f.org, "minutes": 60, "reason": "Matriz", "validity_months": 12})
        }
        ("/change-requests", _) => json!({"title": "Cambio matriz", "description": "x"}),
        (_, "estimate") => json!({"minutes": 60, "risk": "bajo", "scope": "Alcance"}),
        (_, "reject") | (_, "decline") | (_, "reopen") => json!({"reason": "Motivo"}),
        (_, "work") => json!({"minutes": 15, "note": "Trabajo"}),
        (_, "done") => json!({"summary": "Listo"}),
        _ if p.contains("/items/") => json!({"name": "Tarea renombrada"}),
        _ => json!({}),
    }
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> (StatusCode, String) {
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
    let mut req = reqwest::Client::new().request(method.clone(), app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if path.ends_with("/files") || path.ends_with("/attachments") {
        let part = reqwest::multipart::Part::bytes(b"registro\n".to_vec()).file_name("matriz.log");
        req = req.multipart(reqwest::multipart::Form::new().part("file", part));
    } else if method != Method::GET && method != Method::DELETE {
        req = req.json(body);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}

both_backends!(every_operation_every_role, |backend| async move {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let admin = app.login_as("admin@demo.test").await;
    let agent = app.login_as("agente@demo.test").await;
    let editor = app.login_as("editor@demo.test").await;
    let customer = app.login_as("cliente@demo.test").await;
    let other = app.login_as("cliente2@otra.test").await;
    let f = fixtures(&app, &customer, &admin).await;
    let (_, doc) = app.get("/api/v1/openapi.json", None).await;
    let paths = doc["paths"].as_object().expect("paths");
    let mut checked = 0;
    let mut unclassified = Vec::new();
    for (path, ops) in paths {
        for method in ops.as_object().expect("operations").keys() {
            let Some(rule) = access(method, path) else {
                unclassified.push(format!("{method} {path}"));
                continue;
            };
            // Signing out would end the token used for the rest of the matrix.
            if method == "delete" || path.ends_with("/ws") {
                continue;
            }
            let url = concrete(path, &f);
            let body_in = body_for(&url, &f);
            let what = format!("{method} {url}");
            // Anonymous callers.
            let (status, body) = call(&app, method, &url, None, &body_in).await;
            assert!(
                !status.is_server_error(),
                "{what} anonymous: {status} {body}"
            );
            if matches!(rule, Access::Customer | Access::Staff | Access::Admin)
                && !path.starts_with("/api/v1/chats/")
            {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{what} anonymous: {body}");
            }
            for marker in &f.markers {
                assert!(!body.contains(marker), "{what} anonymous leaks {marker}");
            }
            // The other organisation's customer: never Demo S.A.'s data, never staff powers.
            let (status, body) = call(&app, method, &url, Some(&other), &body_in).await;
            assert!(
                !status.is_server_error(),
                "{what} other org: {status} {body}"
            );
            for marker in &f.markers {
                assert!(
                    !body.contains(marker),
                    "{what} other org leaks {marker}: {body}"
                );
            }
            let names_demo_resource = path.contains('{') && !path.contains("{slug}");
            if rule != Access::Public && rule != Access::Webhook && names_demo_resource {
                assert!(
                    matches!(
                        status,
                        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED
                    ),
                    "{what} other org: {status} {body}"
                );
            }
            // Staff-only and admin-only operations: customers of either organisation are
            // refused before anything happens.
            for (who, token) in [("customer", &customer), ("other org", &other)] {
                if matches!(rule, Access::Staff | Access::Admin) {
                    let (status, body) = call(&app, method, &url, Some(token), &body_in).await;
                    assert!(
                        matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                        "{what} as {who}: {status} {body}"
                    );
                }
            }
            if rule == Access::Admin {
                for (who, token) in [("agent", &agent), ("editor", &editor)] {
                    let (status, body) = call(&app, method, &url, Some(token), &body_in).await;
                    assert!(
                        matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                        "{what} as {who}: {status} {body}"
                    );
                }
            }
            // Staff roles never hit a server error either.
            for token in [&agent, &editor, &admin] {
                let (status, body) = call(&app, method, &url, Some(token), &body_in).await;
                assert!(!status.is_server_error(), "{what}: {status} {body}");
            }
            checked += 1;
        }
    }
    assert!(
        unclassified.is_empty(),
        "classify these operations in tests/authz.rs: {unclassified:?}"
    );
    assert!(checked >= 60, "only {checked} operations checked");

    // Server functions (what the pages call): anonymous, and the other organisation's customer
    // signed in on the web, get nothing of Demo S.A. from any of them.
    let web = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let login = {
        use leptos::server_fn::ServerFn;
        <app::accounts::api::Login as ServerFn>::PATH
    };
    let res = web
        .post(app.url(login))
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("email", "cliente2@otra.test"),
            ("password", common::DEMO_PASSWORD),
        ])
        .send()
        .await
        .expect("web sign-in");
    assert!(res.status().is_success() || res.status().is_redirection());
    let anonymous = reqwest::Client::new();
    let mut functions = 0;
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        // Signing out would end the session the loop uses.
        if path.contains("logout") || path.contains("Logout") {
            continue;
        }
        for (who, client) in [("anonymous", &anonymous), ("other org", &web)] {
            let res = client
                .request(method.clone(), app.url(path))
                .header("sec-fetch-site", "same-origin")
                .header("content-type", "application/x-www-form-urlencoded")
                .body("")
                .send()
                .await
                .expect("server function");
            let status = res.status();
            let body = res.text().await.unwrap_or_default();
            for marker in &f.markers {
                assert!(
                    !body.contains(marker),
                    "server function {path} as {who} leaks {marker}: {status} {body}"
                );
            }
        }
        functions += 1;
    }
    assert!(functions >= 40, "only {functions} server functions found");
    eprintln!("{checked} operations × 6 callers, {functions} server functions × 2 callers");
    app.stop().await;
});

/// Every operation of the OpenAPI document with malformed path and query parameters answers
/// with the API's JSON error shape, never axum's plain-text rejection; a malformed path
/// parameter or a malformed typed query parameter is a client error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_paths_and_queries_get_json_errors() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let admin = app.login_as("admin@demo.test").await;
    let (_, doc) = app.get("/api/v1/openapi.json", None).await;
    let mut checked = 0;
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("operations") {
            if method == "delete" {
                continue;
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let mut url = path.clone();
            let mut query = Vec::new();
            let mut must_fail = false;
            for p in &params {
                let name = p["name"].as_str().expect("parameter name");
                let typed = p["schema"]["type"].as_str().is_some_and(|t| t != "string");
                match p["in"].as_str() {
                    // Not UTF-8 once decoded: no path parameter, text or number, can take it.
                    Some("path") => {
                        assert!(
                            path.contains(&format!("{{{name}}}")),
                            "{method} {path}: path parameter {name} is not in the path"
                        );
                        url = url.replace(&format!("{{{name}}}"), "x%FFx");
                        must_fail = true;
                    }
                    Some("query") => {
                        query.push(format!("{name}=x%FFx"));
                        must_fail |= typed;
                    }
                    _ => {}
                }
            }
            if !query.is_empty() {
                url = format!("{url}?{}", query.join("&"));
            }
            let (status, body) = call(&app, method, &url, Some(&admin), &json!({})).await;
            let what = format!("{method} {url}");
            assert!(!status.is_server_error(), "{what}: {status} {body}");
            if must_fail {
                assert!(status.is_client_error(), "{what}: {status} {body}");
            }
            if status.is_client_error() {
                let value: Value = serde_json::from_str(&body)
                    .unwrap_or_else(|_| panic!("{what}: {status} not JSON: {body}"));
                assert!(
                    value["error"]["code"].is_string() && value["error"]["message"].is_string(),
                    "{what}: {status} {body}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} operations");
    app.stop().await;
}
