//! HTTP tests of the REST API and the cross-cutting middleware, on both databases.

mod common;

use common::{Backend, TestApp, DEMO_PASSWORD};
use reqwest::StatusCode;
use serde_json::json;

/// The URL of the sign-in server function (its path carries a hash suffix).
fn login_path() -> &'static str {
    use leptos::server_fn::ServerFn;
    <app::accounts::api::Login as ServerFn>::PATH
}

both_backends!(token_flow_and_me, |backend| async move {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (status, body) = app.token("cliente@demo.test", DEMO_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["token"].as_str().expect("token");
    assert!(token.len() >= 22, "at least 128 bits of entropy");
    assert!(body["expires_at"].is_string());

    let (status, me) = app.get("/api/v1/me", Some(token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], "cliente@demo.test");
    assert_eq!(me["role"], "customer");
    assert_eq!(me["organization"]["name"], "Demo S.A.");
    assert_eq!(me["organization"]["plan"], "premium");
    assert!(me.get("password_hash").is_none());

    let token = app.login_as("agente@demo.test").await;
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me["role"], "agent");
    assert!(me["organization"].is_null(), "staff have no organization");

    // Revoking the token ends it.
    let res = app
        .client
        .delete(app.url("/api/v1/auth/token"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (status, _) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
});

both_backends!(unauthenticated_calls_get_401_json, |backend| async move {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for token in [None, Some("not-a-real-token")] {
        let (status, body) = app.get("/api/v1/me", token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"]["code"], "unauthenticated");
        assert_eq!(body["error"]["message"], "Debe ingresar para continuar.");
    }
    let (status, body) = app.token("cliente@demo.test", "wrong password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "invalid_credentials");
    let (status, body) = app.token("nadie@demo.test", DEMO_PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "unknown email looks the same: {body}"
    );
    assert_eq!(body["error"]["code"], "invalid_credentials");
    app.stop().await;
});

both_backends!(
    customers_never_see_other_organizations,
    |backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let admin = app.login_as("admin@demo.test").await;
        let (_, orgs) = app.get("/api/v1/organizations", Some(&admin)).await;
        let orgs = orgs.as_array().expect("list").clone();
        assert_eq!(orgs.len(), 2);
        let id_of = |name: &str| {
            orgs.iter()
                .find(|o| o["name"] == name)
                .and_then(|o| o["id"].as_i64())
                .expect("org id")
        };
        let (demo, otra) = (id_of("Demo S.A."), id_of("Otra Empresa S.R.L."));

        let customer = app.login_as("cliente@demo.test").await;
        let (status, list) = app.get("/api/v1/organizations", Some(&customer)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list.as_array().map(|l| l.len()), Some(1));
        assert_eq!(list[0]["name"], "Demo S.A.");
        let (status, own) = app
            .get(&format!("/api/v1/organizations/{demo}"), Some(&customer))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(own["plan"], "premium");
        let (status, body) = app
            .get(&format!("/api/v1/organizations/{otra}"), Some(&customer))
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "another org is indistinguishable from a missing one"
        );
        assert_eq!(body["error"]["code"], "not_found");

        let other = app.login_as("cliente2@otra.test").await;
        let (status, _) = app
            .get(&format!("/api/v1/organizations/{demo}"), Some(&other))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app.get("/api/v1/organizations/abc", Some(&other)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        app.stop().await;
    }
);

both_backends!(only_admins_administer, |backend| async move {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for email in ["cliente@demo.test", "agente@demo.test", "editor@demo.test"] {
        let token = app.login_as(email).await;
        let (status, body) = app
            .post(
                "/api/v1/organizations",
                Some(&token),
                json!({"name": "X", "plan": "premium"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
        assert_eq!(body["error"]["code"], "forbidden");
        let (status, _) = app.get("/api/v1/users", Some(&token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
    }
    let editor = app.login_as("editor@demo.test").await;
    let (status, _) = app.get("/api/v1/organizations", Some(&editor)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop().await;
});

both_backends!(admin_creates_orgs_and_invites_users, |backend| async move {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let admin = app.login_as("admin@demo.test").await;
    let (status, org) = app
        .post(
            "/api/v1/organizations",
            Some(&admin),
            json!({"name": "  Nueva   Compañía ", "plan": "avanzado"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{org}");
    assert_eq!(org["name"], "Nueva Compañía");
    assert_eq!(org["plan"], "advanced");
    let (status, body) = app
        .post(
            "/api/v1/organizations",
            Some(&admin),
            json!({"name": "nueva compañía", "plan": "premium"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "org_name_taken");
    let (status, body) = app
        .post(
            "/api/v1/organizations",
            Some(&admin),
            json!({"name": "Oro", "plan": "oro"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "plan");
    let (status, body) = app
        .post("/api/v1/organizations", Some(&admin), json!({"name": 5}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_input");

    let org_id = org["id"].as_i64().expect("id");
    let (status, user) = app
        .post("/api/v1/users", Some(&admin), json!({"email": "Persona@Nueva.test", "name": "Persona", "role": "customer", "organization_id": org_id}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert_eq!(user["email"], "persona@nueva.test");
    assert_eq!(user["active"], false);
    let cases = [
        (
            json!({"email": "x@y.test", "name": "X", "role": "customer"}),
            "org_required",
        ),
        (
            json!({"email": "x@y.test", "name": "X", "role": "agent", "organization_id": org_id}),
            "org_not_allowed",
        ),
        (
            json!({"email": "no-es-correo", "name": "X", "role": "agent"}),
            "email_invalid",
        ),
        (
            json!({"email": "x@y.test", "name": " ", "role": "agent"}),
            "name_required",
        ),
        (
            json!({"email": "x@y.test", "name": "X", "role": "root"}),
            "role_invalid",
        ),
    ];
    for (body, code) in cases {
        let (status, res) = app.post("/api/v1/users", Some(&admin), body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{code}: {res}");
        assert_eq!(res["error"]["code"], code);
    }
    let (status, res) = app
        .post(
            "/api/v1/users",
            Some(&admin),
            json!({"email": "persona@nueva.test", "name": "Otra", "role": "agent"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(res["error"]["code"], "email_taken");
    // The invited person cannot sign in before setting a password.
    let (status, _) = app.token("persona@nueva.test", "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
});

both_backends!(sign_in_is_rate_limited, |backend| async move {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for _ in 0..5 {
        let (status, _) = app.token("editor@demo.test", "nope nope").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = app.token("editor@demo.test", DEMO_PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits: {body}"
    );
    assert_eq!(body["error"]["code"], "rate_limited");
    // Other accounts are unaffected.
    let (status, _) = app.token("agente@demo.test", DEMO_PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    // The limit cannot lock the owner out: failures counted against the email came from this
    // address, and the owner signs in from another one (127.0.0.2 is loopback too).
    let elsewhere = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .expect("client");
    let res = elsewhere
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"email": "editor@demo.test", "password": DEMO_PASSWORD}))
        .send()
        .await
        .expect("sign in from elsewhere");
    assert_eq!(res.status(), StatusCode::OK);
    // An address guessing many accounts (30 failures per address, 5 above) is slowed down,
    // not blocked: a real user behind the same address (an office, a proxy) still signs in
    // with the right password, after the back-off. (Finding 9 of the attacker's walk: the
    // address limit used to lock out everyone behind it.)
    for n in 0..25 {
        let (status, _) = app.token(&format!("nadie{n}@demo.test"), "nope nope").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let started = std::time::Instant::now();
    let (status, body) = app.token("agente@demo.test", DEMO_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        started.elapsed() >= app::accounts::service::SIGN_IN_BACKOFF,
        "attempts past the address limit wait"
    );
    let (status, _) = app.token("nadie@demo.test", "nope nope").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
});

both_backends!(reset_mails_are_limited_per_account, |backend| async move {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let accounts = &app.state.services.accounts;
    for _ in 0..6 {
        accounts
            .request_password_reset("cliente@demo.test")
            .await
            .expect("same answer every time");
    }
    accounts.settle_reset_requests().await;
    let admin = app.login_as("admin@demo.test").await;
    let admin = accounts
        .authenticate(&admin, app::accounts::SessionKind::Api)
        .await
        .expect("admin");
    let resets = accounts
        .outbox(&admin)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.to == "cliente@demo.test" && m.subject.contains("Restablecer"))
        .count();
    assert_eq!(
        resets, 3,
        "three links per 15 minutes, each valid for an hour"
    );
    app.stop().await;
});

both_backends!(sessions_rotate_and_are_revoked, |backend| async move {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // Every sign-in issues a new token (no fixation); both work until revoked.
    let first = app.login_as("cliente@demo.test").await;
    let second = app.login_as("cliente@demo.test").await;
    assert_ne!(first, second);
    for t in [&first, &second] {
        assert_eq!(app.get("/api/v1/me", Some(t)).await.0, StatusCode::OK);
    }
    // A password change ends every other session, keeps the one that made it.
    let accounts = &app.state.services.accounts;
    let principal = accounts
        .authenticate(&second, app::accounts::SessionKind::Api)
        .await
        .expect("principal");
    accounts
        .change_password(&principal, DEMO_PASSWORD, "Otra-Clave-Larga-2027")
        .await
        .expect("password changed");
    assert_eq!(
        app.get("/api/v1/me", Some(&first)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get("/api/v1/me", Some(&second)).await.0, StatusCode::OK);
    // Signing out revokes the token itself.
    let res = app
        .client
        .delete(app.url("/api/v1/auth/token"))
        .bearer_auth(&second)
        .send()
        .await
        .expect("sign out");
    assert!(res.status().is_success());
    assert_eq!(
        app.get("/api/v1/me", Some(&second)).await.0,
        StatusCode::UNAUTHORIZED
    );
    // The old password no longer works, the new one does.
    assert_eq!(
        app.token("cliente@demo.test", DEMO_PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.token("cliente@demo.test", "Otra-Clave-Larga-2027")
            .await
            .0,
        StatusCode::OK
    );
    app.stop().await;
});

#[tokio::test]
async fn errors_follow_accept_language_and_unknown_routes_are_json() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let res = app
        .client
        .get(app.url("/api/v1/me"))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        res.headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["error"]["message"], "Please sign in to continue.");
    let (status, body) = app.get("/api/v1/nothing-here", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    app.stop().await;
}

#[tokio::test]
async fn openapi_document_describes_the_api() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let (status, doc) = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for path in [
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/organizations",
        "/api/v1/organizations/{id}",
        "/api/v1/users",
        "/api/v1/chats",
        "/api/v1/chats/{id}/messages",
        "/api/v1/chats/{id}/ws",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    // Path parameters carry examples from the demo data, so tools reach real records.
    let org = &doc["paths"]["/api/v1/organizations/{id}"]["get"]["parameters"][0];
    assert_eq!(
        (&org["name"], &org["example"]),
        (&json!("id"), &json!(1)),
        "{org}"
    );
    // Every operation has its own meaningful id (`openapi-spec-validator` refuses repeats).
    let mut ids = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let id = op["operationId"].as_str().unwrap_or_default();
            assert!(
                id.len() > 4 && id.chars().next().is_some_and(|c| c.is_ascii_lowercase()),
                "{method} {path}: operationId {id:?}"
            );
            assert!(
                ids.insert(id.to_owned()),
                "{method} {path}: operationId {id} used twice"
            );
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn probes_headers_and_csrf() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let res = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(res.status(), StatusCode::OK);

    let res = app.client.get(app.url("/")).send().await.expect("home");
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers();
    assert_eq!(
        h.get("x-content-type-options")
            .and_then(|v| v.to_str().ok()),
        Some("nosniff")
    );
    assert!(h.get("x-request-id").is_some());
    let csp = h
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        csp.contains("frame-ancestors 'none'")
            && csp.contains("object-src 'none'")
            && csp.contains("base-uri 'none'")
            && csp.contains("'nonce-")
            && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    // Served over plain HTTP here: no HSTS (it is sent when PORTAL_PUBLIC_URL is https://).
    assert!(h.get("strict-transport-security").is_none());
    let html = res.text().await.expect("html");
    assert!(html.contains("Soporte de TI que responde a tiempo"));
    assert!(html.contains("lang=\"es\""));

    let res = app
        .client
        .get(app.url("/no-existe"))
        .send()
        .await
        .expect("404");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // A cross-site form post to a server function is refused before it runs.
    let res = app
        .client
        .post(app.url(login_path()))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .form(&[("email", "cliente@demo.test"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn web_sign_in_sets_a_hardened_cookie() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let cookie = app.web_sign_in("admin@demo.test").await;
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    app.stop().await;
}

/// Behind HTTPS (the public URL says so): `__Host-` session cookie with `Secure`, and HSTS.
#[tokio::test]
async fn https_deployments_get_host_cookies_and_hsts() {
    let Some(app) = TestApp::spawn_with(
        Backend::Sqlite,
        vec![("PORTAL_PUBLIC_URL", "https://portal.example".into())],
    )
    .await
    else {
        return;
    };
    let res = app.client.get(app.url("/")).send().await.expect("home");
    assert_eq!(
        res.headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000; includeSubDomains")
    );
    let services = &app.state.services;
    assert_eq!(services.cookie_name(), "__Host-portal_session");
    let cookie = services.session_cookie("abc", 60);
    assert!(
        cookie.starts_with("__Host-portal_session=abc; Path=/; HttpOnly; SameSite=Lax")
            && cookie.ends_with("; Secure"),
        "{cookie}"
    );
    app.stop().await;
}

/// Prometheus metrics: request latency per route, job runs and the backup age; readable from
/// this machine, or with the token when one is configured.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_exposed_to_the_operator_only() {
    let Some(app) =
        TestApp::spawn_with(Backend::Sqlite, vec![("PORTAL_BACKUP_MINUTES", "5".into())]).await
    else {
        return;
    };
    let _ = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    let _ = app.get("/api/v1/tickets", None).await;
    let mut text = String::new();
    for _ in 0..50 {
        let res = app
            .client
            .get(app.url("/metrics"))
            .send()
            .await
            .expect("metrics");
        assert_eq!(res.status(), StatusCode::OK);
        text = res.text().await.expect("text");
        if text.contains("job=\"backup\"") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("route=\"/healthz\""), "{text}");
    assert!(text.contains("route=\"/api/v1/tickets\""), "{text}");
    assert!(text.contains("job_runs_total"), "{text}");
    assert!(text.contains("job=\"backup\""), "{text}");
    assert!(text.contains("backup_age_seconds"), "{text}");
    app.stop().await;

    let Some(app) = TestApp::spawn_with(
        Backend::Sqlite,
        vec![("PORTAL_METRICS_TOKEN", "scrape-me".into())],
    )
    .await
    else {
        return;
    };
    let res = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-me")
        .send()
        .await
        .expect("metrics");
    assert_eq!(res.status(), StatusCode::OK);
    app.stop().await;
}

/// Signed-in pages rendered by many requests at once all succeed with their title. (Page
/// titles that read the language signal when leptos_meta assembled the head, after rendering
/// and outside the request's reactive arena, panicked under this kind of load.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_signed_in_pages_render() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let set_cookie = app.web_sign_in("agente@demo.test").await;
    let cookie = set_cookie
        .split(';')
        .next()
        .map(str::to_owned)
        .expect("session cookie");
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for n in 0..16 {
        let client = client.clone();
        let cookie = cookie.clone();
        let url = app.url(if n % 2 == 0 {
            "/tickets"
        } else {
            "/agente/chat"
        });
        tasks.push(tokio::spawn(async move {
            let mut titles = Vec::new();
            for _ in 0..10 {
                // `no-cache`: rendered every time, not served from the ticket-list cache.
                let res = client
                    .get(&url)
                    .header("cookie", &cookie)
                    .header("cache-control", "no-cache")
                    .send()
                    .await
                    .expect("page answered");
                assert_eq!(res.status(), StatusCode::OK, "{url}");
                let html = res.text().await.expect("page body");
                let title = html
                    .split_once("<title>")
                    .and_then(|(_, rest)| rest.split_once("</title>"))
                    .map(|(t, _)| t.to_owned())
                    .expect("title");
                titles.push(title);
            }
            titles
        }));
    }
    for task in tasks {
        for title in task.await.expect("task") {
            assert!(title.ends_with(" · Any2cloud Portal"), "{title}");
            assert!(title.len() > " · Any2cloud Portal".len(), "{title}");
        }
    }
    app.stop().await;
}

both_backends!(
    nul_characters_are_refused_as_invalid_input,
    |backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        // A second organisation's customer: the e2e journeys keep Demo S.A.'s tickets untouched.
        let token = app.login_as("cliente2@otra.test").await;
        let (status, body) = app
        .post(
            "/api/v1/tickets",
            Some(&token),
            json!({"subject": "Servidor\u{0} caído", "body": "No responde", "kind": "incident", "priority": "alta"}),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"]["code"], "invalid_input", "{body}");
        let (status, body) = app
        .post(
            "/api/v1/tickets",
            Some(&token),
            json!({"subject": "Servidor caído", "body": "No responde", "kind": "incident", "priority": "alta"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        // In the URL too: a path segment or query value that decodes to NUL.
        for path in ["/api/v1/kb/articles/a%00b", "/api/v1/tickets?q=a%00b"] {
            let (status, body) = app.get(path, Some(&token)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
            assert_eq!(body["error"]["code"], "invalid_input", "{path}: {body}");
        }
        app.stop().await;
    }
);

// The ticket list is kept per session and served again until something it shows changes:
// a write through this instance drops it at once, a write beneath it (another instance, a
// background job) within a second, and a revoked session's page is never served again.
both_backends!(
    the_ticket_list_is_kept_per_session_until_its_data_changes,
    |backend| async move {
        let clock = app::kernel::ManualClock::starting_at(chrono::Utc::now());
        let Some(app) = TestApp::spawn_with_clock(backend, &clock).await else {
            return;
        };
        let db = common::Db::open(&app.db.as_ref().expect("database").url).await;
        let cookie = |set_cookie: String| {
            set_cookie
                .split(';')
                .next()
                .map(str::to_owned)
                .expect("session cookie")
        };
        let agent = cookie(app.web_sign_in("agente@demo.test").await);
        let customer = cookie(app.web_sign_in("cliente2@otra.test").await);
        let client = reqwest::Client::new();
        let url = app.url("/tickets");
        let page = |cookie: String| {
            let (client, url) = (client.clone(), url.clone());
            async move {
                // As a browser sends it: the language cookie too, which leptos_i18n sets
                // again on every page.
                let res = client
                    .get(&url)
                    .header("cookie", format!("i18n_pref_locale=es; {cookie}"))
                    .header("accept", "text/html")
                    .send()
                    .await
                    .expect("ticket list");
                assert_eq!(res.status(), StatusCode::OK);
                let hit = res.headers().get("x-cache").is_some();
                (hit, res.text().await.expect("page body"))
            }
        };
        let nonce = |html: &str| {
            html.split_once("nonce=\"")
                .and_then(|(_, rest)| rest.split_once('"'))
                .map(|(n, _)| n.to_owned())
                .expect("nonce")
        };
        // A second organisation's customer: the e2e journeys keep Demo S.A.'s tickets untouched.
        let token = app.login_as("cliente2@otra.test").await;
        let new_ticket = |subject: &'static str| json!({"subject": subject, "body": "Desde esta mañana", "kind": "incident", "priority": "media"});
        let (status, created) = app
            .post(
                "/api/v1/tickets",
                Some(&token),
                new_ticket("Impresora del tercer piso"),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id = created["id"].as_i64().expect("ticket id");

        let (hit, first) = page(agent.clone()).await;
        assert!(!hit, "the first load is rendered");
        assert!(first.contains("Impresora del tercer piso"));
        let (hit, again) = page(agent.clone()).await;
        assert!(hit, "the second load is served from the cache");
        assert_eq!(
            again.replace(&nonce(&again), ""),
            first.replace(&nonce(&first), "")
        );
        assert_ne!(
            nonce(&again),
            nonce(&first),
            "every response has its own nonce"
        );

        // Another session never gets the agent's page.
        let (hit, theirs) = page(customer.clone()).await;
        assert!(!hit);
        assert!(theirs.contains("Impresora del tercer piso"));
        assert!(
            !theirs.contains("data-testid=\"filters\""),
            "no agent queue"
        );

        // A write beneath this instance shows within a second.
        db.execute(&format!(
            "UPDATE tickets SET subject = 'Impresora del cuarto piso' WHERE id = {id}"
        ))
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
        let (hit, changed) = page(agent.clone()).await;
        assert!(!hit);
        assert!(changed.contains("Impresora del cuarto piso"));
        assert!(!changed.contains("Impresora del tercer piso"));

        // A write through this instance shows at once.
        assert!(page(agent.clone()).await.0, "kept again");
        let (status, body) = app
            .post(
                "/api/v1/tickets",
                Some(&token),
                new_ticket("Correo no sincroniza"),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (hit, after) = page(agent.clone()).await;
        assert!(!hit);
        assert!(after.contains("Correo no sincroniza"));

        // A session revoked elsewhere (signed out on another instance, by an admin): its kept
        // page is not served again.
        assert!(page(agent.clone()).await.0, "kept again");
        db.execute(
            "UPDATE sessions SET revoked_at = created_at WHERE user_id = \
             (SELECT id FROM users WHERE email = 'agente@demo.test')",
        )
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
        // Meanwhile the customer's session gets an absolute limit 3 s ahead (on the portal's clock), set beneath the
        // portal (no trigger reports that): the page rendered next remembers it.
        db.execute_at(
            "UPDATE sessions SET expires_at = $1 WHERE revoked_at IS NULL AND user_id = \
             (SELECT id FROM users WHERE email = 'cliente2@otra.test')",
            clock.now() + chrono::Duration::seconds(3),
        )
        .await;
        let (hit, signed_out) = page(agent.clone()).await;
        assert!(!hit);
        assert!(!signed_out.contains("Correo no sincroniza"), "{signed_out}");
        let (hit, theirs) = page(customer.clone()).await;
        assert!(!hit);
        assert!(theirs.contains("Correo no sincroniza"));
        // Kept while the customer's session lasts, never past its end.
        assert!(
            page(customer.clone()).await.0,
            "kept while the session lasts"
        );
        clock.advance(chrono::Duration::seconds(4));
        let (hit, timed_out) = page(customer).await;
        assert!(!hit, "not served past the session's end");
        assert!(!timed_out.contains("Correo no sincroniza"), "{timed_out}");
        db.close().await;
        app.stop().await;
    }
);

// A web form (a Leptos server function) whose fields hold NUL gets the server functions' own
// "invalid input" error, which the page shows in the user's language; nothing is stored.
both_backends!(
    web_forms_with_nul_are_refused_as_invalid_input,
    |backend| async move {
        use leptos::server_fn::ServerFn;
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let db = common::Db::open(&app.db.as_ref().expect("database").url).await;
        let set_cookie = app.web_sign_in("cliente2@otra.test").await;
        let cookie = set_cookie
            .split(';')
            .next()
            .expect("session cookie")
            .to_owned();
        let open = |subject: &'static str| {
            app.client
                .post(app.url(<app::tickets::api::OpenTicket as ServerFn>::PATH))
                .header("cookie", &cookie)
                .header("sec-fetch-site", "same-origin")
                .form(&[
                    ("subject", subject),
                    ("body", "Desde esta mañana"),
                    ("kind", "incident"),
                    ("priority", "media"),
                ])
                .send()
        };
        let res = open("Impresora\u{0} atascada").await.expect("form sent");
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let error: app::error::AppError = res.json().await.expect("server-function error");
        assert_eq!(error.code, app::error::ErrorCode::InvalidInput);
        let stored = "SELECT COUNT(*) FROM tickets WHERE subject LIKE $1";
        assert_eq!(db.count(stored, "Impresora%atascada").await, 0);
        // The same form without it goes through.
        let res = open("Impresora atascada").await.expect("form sent");
        assert!(res.status().is_success(), "{}", res.status());
        assert_eq!(db.count(stored, "Impresora%atascada").await, 1);
        db.close().await;
        app.stop().await;
    }
);

// A person's invalid input, a missing permission or a conflict is not a server failure: web
// forms (server functions) answer with the error code's own status, as the REST API does, and
// the page still reads the error from the body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_form_errors_answer_with_their_own_status() {
    use leptos::server_fn::ServerFn;
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let set_cookie = app.web_sign_in("cliente@demo.test").await;
    let cookie = set_cookie
        .split(';')
        .next()
        .expect("session cookie")
        .to_owned();
    let call = |path: &'static str, form: Vec<(&'static str, &'static str)>| {
        app.client
            .post(app.url(path))
            .header("cookie", &cookie)
            .header("sec-fetch-site", "same-origin")
            .form(&form)
            .send()
    };
    let cases = [
        (
            <app::tickets::api::OpenTicket as ServerFn>::PATH,
            vec![
                ("subject", "   "),
                ("body", "Sin asunto"),
                ("kind", "incident"),
                ("priority", "high"),
            ],
            StatusCode::UNPROCESSABLE_ENTITY,
            app::error::ErrorCode::SubjectRequired,
        ),
        (
            <app::accounts::api::CreateOrg as ServerFn>::PATH,
            vec![("name", "Otra S.A."), ("plan", "premium")],
            StatusCode::FORBIDDEN,
            app::error::ErrorCode::Forbidden,
        ),
    ];
    for (path, form, status, code) in cases {
        let res = call(path, form).await.expect("form sent");
        assert_eq!(res.status(), status, "{path}");
        assert!(res.headers().contains_key("serverfnerror"), "{path}");
        let error: app::error::AppError = res.json().await.expect("server-function error");
        assert_eq!(error.code, code, "{path}");
    }
    app.stop().await;
}
