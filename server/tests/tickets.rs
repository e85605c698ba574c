//! Tickets and the SLA deadline API over HTTP, on both databases.

mod common;

use common::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn deadline_api_follows_the_rules() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let cases = [
        // Thursday 26 Nov 2026 09:00 CR, Premium high: 4 h → 13:00 CR (19:00 UTC).
        (
            "premium",
            "high",
            "2026-11-26T09:00:00-06:00",
            "2026-11-26T19:00:00Z",
            4,
        ),
        // 13:00 + 4 h ends exactly at closing: due 17:00 that day.
        (
            "premium",
            "high",
            "2026-11-26T13:00:00-06:00",
            "2026-11-26T23:00:00Z",
            4,
        ),
        // Friday 16:00, Standard high 8 h: Monday 15:00 CR.
        (
            "standard",
            "high",
            "2026-11-27T16:00:00-06:00",
            "2026-11-30T21:00:00Z",
            8,
        ),
        // Premium also counts Saturday: Saturday 11:00 CR.
        (
            "premium",
            "high",
            "2026-11-27T16:00:00-06:00",
            "2026-11-28T17:00:00Z",
            4,
        ),
        // Monday 30 Nov 16:00, Standard medium 12 h, 1 Dec is a holiday: Thursday 3 Dec 10:00 CR.
        (
            "standard",
            "medium",
            "2026-11-30T16:00:00-06:00",
            "2026-12-03T16:00:00Z",
            12,
        ),
        // Holy Week 2026: Wednesday 1 Apr 12:00, normal 24 h → Wednesday 8 Apr 09:00 CR.
        (
            "advanced",
            "normal",
            "2026-04-01T12:00:00-06:00",
            "2026-04-08T15:00:00Z",
            24,
        ),
    ];
    for (plan, priority, received, due, hours) in cases {
        let url = format!(
            "/api/v1/sla/deadline?plan={plan}&priority={priority}&received={}",
            received.replace('+', "%2B")
        );
        let (status, body) = app.get(&url, None).await;
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
        let got = chrono::DateTime::parse_from_rfc3339(body["due"].as_str().unwrap_or_default())
            .map(|d| d.with_timezone(&chrono::Utc));
        let want = chrono::DateTime::parse_from_rfc3339(due).map(|d| d.with_timezone(&chrono::Utc));
        assert_eq!(got.ok(), want.ok(), "{plan} {priority} {received}");
        assert_eq!(body["target_hours"], hours);
        assert_eq!(body["plan"], plan);
        assert_eq!(body["priority"], priority);
    }
    // Holidays hold in any year: New Year's Day 2046 (a Monday) is skipped.
    let (status, body) = app
        .get(
            "/api/v1/sla/deadline?plan=premium&priority=high&received=2046-01-01T07:00:00-06:00",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["due"], "2046-01-02T18:00:00Z");
    for (bad, code) in [
        (
            "plan=gold&priority=high&received=2026-11-26T09:00:00Z",
            "query_invalid",
        ),
        (
            "plan=premium&priority=alta&received=2026-11-26T09:00:00Z",
            "query_invalid",
        ),
        (
            "plan=premium&priority=high&received=yesterday",
            "received_invalid",
        ),
        ("plan=premium&priority=high", "received_invalid"),
        // Leap seconds and years no deadline can be written for.
        (
            "plan=premium&priority=high&received=2026-11-26T10:15:60Z",
            "received_invalid",
        ),
        (
            "plan=premium&priority=high&received=2026-06-30T23:59:60Z",
            "received_invalid",
        ),
        (
            "plan=premium&priority=high&received=9999-12-31T23:59:59Z",
            "received_invalid",
        ),
    ] {
        let url = format!("/api/v1/sla/deadline?{bad}");
        let (status, body) = app.get(&url, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["error"]["code"], code, "{bad}");
    }
    app.stop().await;
}

both_backends!(ticket_lifecycle, |backend| async move {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let customer = app.login_as("cliente@demo.test").await;
    let (status, ticket) = app
        .post("/api/v1/tickets", Some(&customer), json!({"subject": "Servidor caído", "body": "No responde **nada**", "kind": "incident", "priority": "alta"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    let id = ticket["id"].as_i64().expect("id");
    assert!(ticket["number"]
        .as_str()
        .is_some_and(|n| n.starts_with("T-")));
    assert_eq!(ticket["plan"], "premium");
    // One vocabulary on the wire: the Spanish code sent in comes back in English.
    assert_eq!(ticket["priority"], "high");
    assert_eq!(ticket["status"], "new");
    assert!(ticket["first_response_due"].is_string());
    assert!(ticket["responded_at"].is_null());

    // Only incidents may be urgent; the message explains why, in Spanish.
    let (status, body) = app
        .post("/api/v1/tickets", Some(&customer), json!({"subject": "Mantenimiento", "body": "x", "kind": "maintenance", "priority": "high"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "priority_not_allowed");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("Solo las fallas directas")));
    let (status, body) = app
        .post(
            "/api/v1/tickets",
            Some(&customer),
            json!({"subject": " ", "body": "x", "kind": "incident", "priority": "normal"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("subject_required"))
    );

    // Estándar plans cannot ask for on-site support.
    let other = app.login_as("cliente2@otra.test").await;
    let (status, body) = app
        .post("/api/v1/tickets", Some(&other), json!({"subject": "Visita", "body": "x", "kind": "request", "priority": "normal", "on_site": true}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("on_site_not_allowed")
        )
    );

    // Another organisation's ticket is invisible.
    let (status, _) = app
        .get(&format!("/api/v1/tickets/{id}"), Some(&other))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.get("/api/v1/tickets", Some(&other)).await;
    assert_eq!(list.as_array().map(|l| l.len()), Some(0));

    // Customers cannot write internal notes; agents can, and they stay hidden from customers.
    let (status, _) = app
        .post(
            &format!("/api/v1/tickets/{id}/replies"),
            Some(&customer),
            json!({"body": "nota", "internal": true}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let agent = app.login_as("agente@demo.test").await;
    let (status, _) = app
        .post(
            &format!("/api/v1/tickets/{id}/replies"),
            Some(&agent),
            json!({"body": "revisar logs", "internal": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, seen) = app
        .get(&format!("/api/v1/tickets/{id}"), Some(&customer))
        .await;
    assert_eq!(
        seen["messages"].as_array().map(|m| m.len()),
        Some(0),
        "internal note hidden"
    );
    assert!(
        seen["responded_at"].is_null(),
        "an internal note does not stop the clock"
    );

    // The first public agent reply stops the clock.
    let (status, detail) = app
        .post(
            &format!("/api/v1/tickets/{id}/replies"),
            Some(&agent),
            json!({"body": "Estamos en eso."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{detail}");
    assert!(detail["responded_at"].is_string());
    assert_eq!(detail["status"], "open");
    let (_, seen) = app
        .get(&format!("/api/v1/tickets/{id}"), Some(&customer))
        .await;
    assert_eq!(seen["messages"].as_array().map(|m| m.len()), Some(1));
    assert_eq!(seen["messages"][0]["staff"], true);

    // Agents see every organisation's tickets; status filter works.
    let (_, all) = app.get("/api/v1/tickets?status=open", Some(&agent)).await;
    assert!(all
        .as_array()
        .is_some_and(|l| l.iter().any(|t| t["id"] == id)));
    let (status, _) = app.get("/api/v1/tickets?status=nope", Some(&agent)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let editor = app.login_as("editor@demo.test").await;
    let (status, _) = app.get("/api/v1/tickets", Some(&editor)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop().await;
});

both_backends!(
    sla_notices_go_out_once_and_reports_count,
    |backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let customer = app.login_as("cliente@demo.test").await;
        let (_, answered) = app
            .post(
                "/api/v1/tickets",
                Some(&customer),
                json!({"subject": "Uno", "body": "a", "kind": "incident", "priority": "alta"}),
            )
            .await;
        let (_, waiting) = app
            .post(
                "/api/v1/tickets",
                Some(&customer),
                json!({"subject": "Dos", "body": "b", "kind": "question", "priority": "normal"}),
            )
            .await;
        let agent = app.login_as("agente@demo.test").await;
        let answered_id = answered["id"].as_i64().expect("id");
        let (status, _) = app
            .post(
                &format!("/api/v1/tickets/{answered_id}/replies"),
                Some(&agent),
                json!({"body": "Listo"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);

        // Ten days later the unanswered ticket is breached: one notice, never repeated.
        let tickets = &app.state.services.tickets;
        let later = chrono::Utc::now() + chrono::Duration::days(10);
        assert_eq!(tickets.watch_sla(later).await.expect("watch"), 1);
        assert_eq!(tickets.watch_sla(later).await.expect("watch again"), 0);
        let admin = app.state.services.accounts.clone();
        let admin_token = app.login_as("admin@demo.test").await;
        let principal = admin
            .authenticate(&admin_token, app::accounts::SessionKind::Api)
            .await
            .expect("admin");
        let mails = admin.outbox(&principal).await.expect("outbox");
        let waiting_number = waiting["number"].as_str().expect("number");
        assert_eq!(
            mails
                .iter()
                .filter(|m| m.subject == format!("[{waiting_number}] SLA vencido"))
                .count(),
            1
        );
        assert!(
            mails
                .iter()
                .any(|m| m.to == "cliente@demo.test" && m.subject.contains("Uno")),
            "customer told about the reply"
        );

        // The report counts both tickets; the answered one on time.
        let (status, rows) = app.get("/api/v1/reports/sla", Some(&agent)).await;
        assert_eq!(status, StatusCode::OK, "{rows}");
        let rows = rows.as_array().cloned().unwrap_or_default();
        let alta = rows
            .iter()
            .find(|r| r["plan"] == "premium" && r["priority"] == "high")
            .expect("premium alta row");
        assert_eq!(
            (
                alta["received"].as_u64(),
                alta["responded_on_time"].as_u64(),
                alta["breached"].as_u64()
            ),
            (Some(1), Some(1), Some(0))
        );
        let (status, _) = app.get("/api/v1/reports/sla", Some(&customer)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        app.stop().await;
    }
);

#[tokio::test]
async fn report_csv_needs_a_staff_session() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let res = app
        .client
        .get(app.url("/reportes/sla.csv"))
        .send()
        .await
        .expect("csv");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let path = {
        use leptos::server_fn::ServerFn;
        <app::accounts::api::Login as ServerFn>::PATH
    };
    let res = app
        .client
        .post(app.url(path))
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("email", "agente@demo.test"),
            ("password", common::DEMO_PASSWORD),
        ])
        .send()
        .await
        .expect("login");
    assert!(res.status().is_success() || res.status().is_redirection());
    let res = app
        .client
        .get(app.url("/reportes/sla.csv"))
        .send()
        .await
        .expect("csv");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv")));
    let body = res.text().await.expect("text");
    assert!(body.starts_with("month,plan,priority,received"), "{body}");
    app.stop().await;
}

fn png() -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    bytes.extend_from_slice(&[0u8; 64]);
    bytes
}

async fn upload(
    app: &TestApp,
    token: &str,
    ticket: i64,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let form = reqwest::multipart::Form::new().part("file", part);
    let res = app
        .client
        .post(app.url(&format!("/api/v1/tickets/{ticket}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = res.status();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

both_backends!(attachments_are_checked_and_private, |backend| async move {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let customer = app.login_as("cliente@demo.test").await;
    let (_, ticket) = app.post("/api/v1/tickets", Some(&customer), json!({"subject": "Pantalla", "body": "ver captura", "kind": "incident", "priority": "media"})).await;
    let id = ticket["id"].as_i64().expect("id");

    let (status, file) = upload(&app, &customer, id, "../captura.png", png()).await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    assert_eq!(file["filename"], "captura.png");
    assert_eq!(file["content_type"], "image/png");
    let file_id = file["id"].as_i64().expect("file id");

    let (status, body) = upload(
        &app,
        &customer,
        id,
        "setup.png",
        b"MZ\x90\x00\x03\x00\x00\x00 not an image".to_vec(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("file_type_not_allowed")
        )
    );
    let (status, body) = upload(&app, &customer, id, "vacio.txt", Vec::new()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("file_empty"))
    );
    let (status, _) = upload(
        &app,
        &customer,
        id,
        "grande.txt",
        vec![b'a'; 10 * 1024 * 1024 + 1],
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    let other = app.login_as("cliente2@otra.test").await;
    let (status, _) = upload(&app, &other, id, "x.png", png()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let res = app
        .client
        .get(app.url(&format!("/api/v1/attachments/{file_id}")))
        .bearer_auth(&other)
        .send()
        .await
        .expect("get");
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "another organisation cannot download"
    );

    let agent = app.login_as("agente@demo.test").await;
    let res = app
        .client
        .get(app.url(&format!("/api/v1/attachments/{file_id}")))
        .bearer_auth(&agent)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/png")
    );
    assert!(res
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("attachment")));
    assert_eq!(res.bytes().await.expect("bytes").to_vec(), png());
    let (_, detail) = app
        .get(&format!("/api/v1/tickets/{id}"), Some(&customer))
        .await;
    assert_eq!(
        detail["attachments"].as_array().map(|a| a.len()),
        Some(1),
        "only the accepted file was stored"
    );
    app.stop().await;
});
