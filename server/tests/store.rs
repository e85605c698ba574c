//! The store and change requests over the API, on both databases: card orders against a fake
//! Stripe on loopback, signed webhooks (forged, stale, replayed, 50 concurrent duplicates),
//! transfers confirmed by admins, refunds, adjustments, and the change-request flow spending
//! the hour bank (oldest-expiring purchase first, 409 beyond the estimate or the balance).

mod common;

use axum::routing::post;
use axum::{Json, Router};
use common::{Backend, TestApp};
use serde_json::{json, Value};
use server::payments::signature::sign;
use std::sync::{Arc, Mutex};

const WEBHOOK_SECRET: &str = "whsec_test_portal";

/// A stand-in for Stripe's API: records checkout-session requests, answers like Stripe.
async fn fake_stripe() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = seen.clone();
    let expired = seen.clone();
    let app = Router::new()
        .route(
            "/v1/checkout/sessions/{id}/expire",
            post(
                move |axum::extract::Path(id): axum::extract::Path<String>| {
                    let expired = expired.clone();
                    async move {
                        expired.lock().expect("log").push(format!("expire {id}"));
                        Json(json!({"id": id, "object": "checkout.session", "status": "expired"}))
                    }
                },
            ),
        )
        .route(
            "/v1/checkout/sessions",
            post(move |headers: axum::http::HeaderMap, body: String| {
                let log = log.clone();
                async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    log.lock().expect("log").push(format!("{auth}\n{body}"));
                    let n = log.lock().expect("log").len();
                    Json(
                        json!({"id": format!("cs_test_{n}"), "object": "checkout.session",
                            "url": format!("https://checkout.stripe.test/pay/cs_test_{n}")}),
                    )
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), seen)
}

async fn spawn_with_stripe(backend: Backend) -> Option<(TestApp, Arc<Mutex<Vec<String>>>)> {
    let (base, seen) = fake_stripe().await;
    let app = TestApp::spawn_with(
        backend,
        vec![
            ("STRIPE_API_BASE", base),
            ("STRIPE_SECRET_KEY", "sk_test_portal".into()),
            ("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET.into()),
        ],
    )
    .await?;
    Some((app, seen))
}

fn completed_event(event_id: &str, order_id: i64, amount: i64, status: &str) -> String {
    completed_event_in(event_id, order_id, amount, status, "usd")
}

fn completed_event_in(
    event_id: &str,
    order_id: i64,
    amount: i64,
    status: &str,
    currency: &str,
) -> String {
    json!({
        "id": event_id,
        "type": "checkout.session.completed",
        "data": {"object": {"id": "cs_test_x", "object": "checkout.session",
            "client_reference_id": order_id.to_string(), "payment_status": status,
            "amount_total": amount, "currency": currency}}
    })
    .to_string()
}

async fn deliver(app: &TestApp, body: &str, header: Option<String>) -> reqwest::StatusCode {
    let mut req = app
        .client
        .post(app.url("/api/v1/webhooks/stripe"))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(h) = header {
        req = req.header("Stripe-Signature", h);
    }
    req.send().await.expect("webhook").status()
}

/// Delivers one signed event `n` times at once; every delivery answers 200.
async fn deliver_at_once(app: &TestApp, body: &str, n: usize) {
    let mut deliveries = Vec::new();
    for _ in 0..n {
        let client = app.client.clone();
        let url = app.url("/api/v1/webhooks/stripe");
        let (body, header) = (body.to_owned(), signed(body).expect("signature"));
        deliveries.push(tokio::spawn(async move {
            client
                .post(url)
                .header("Stripe-Signature", header)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .expect("delivery")
                .status()
        }));
    }
    for d in deliveries {
        assert_eq!(d.await.expect("join"), 200);
    }
}

fn signed(body: &str) -> Option<String> {
    Some(sign(
        WEBHOOK_SECRET.as_bytes(),
        chrono::Utc::now().timestamp(),
        body.as_bytes(),
    ))
}

async fn balance(app: &TestApp, token: &str) -> Value {
    let (status, hours) = app.get("/api/v1/hours", Some(token)).await;
    assert_eq!(status, 200, "{hours}");
    hours
}

both_backends!(
    card_orders_are_fulfilled_once_by_signed_webhooks,
    |backend| async move {
        let Some((app, seen)) = spawn_with_stripe(backend).await else {
            return;
        };
        let (status, catalog) = app.get("/api/v1/store/packages", None).await;
        assert_eq!(status, 200);
        let codes: Vec<(&str, i64, i64)> = catalog["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .map(|p| {
                (
                    p["code"].as_str().unwrap_or_default(),
                    p["price_cents"].as_i64().unwrap_or_default(),
                    p["hours"].as_i64().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            codes,
            [
                ("sc-basico", 90_000, 10),
                ("sc-medio", 170_000, 20),
                ("sc-avanzado", 245_000, 30)
            ]
        );
        assert_eq!(catalog["packages"][0]["currency"], "USD");
        assert_eq!(catalog["packages"][2]["price_per_hour_cents"], 8_167);

        let customer = app.login_as("cliente@demo.test").await;
        let (status, order) = app
            .post(
                "/api/v1/store/orders",
                Some(&customer),
                json!({"package": "sc-basico", "method": "card"}),
            )
            .await;
        assert_eq!(status, 201, "{order}");
        assert_eq!(order["status"], "pending");
        let url = order["checkout_url"].as_str().expect("checkout url");
        assert!(url.starts_with("https://checkout.stripe.test/pay/"));
        let id = order["id"].as_i64().expect("id");
        let request = seen
            .lock()
            .expect("log")
            .last()
            .cloned()
            .expect("Stripe called");
        assert!(request.starts_with("Bearer sk_test_portal"));
        assert!(request.contains(&format!("client_reference_id={id}")));
        assert!(request.contains("unit_amount%5D=90000"));

        // Nothing is credited before Stripe says so (the return page never fulfils).
        assert_eq!(balance(&app, &customer).await["balance_minutes"], 0);

        let body = completed_event("evt_paid_1", id, 90_000, "paid");
        // Forged, missing, malformed and stale signatures: 400, nothing stored.
        let forged = Some(sign(
            b"whsec_wrong",
            chrono::Utc::now().timestamp(),
            body.as_bytes(),
        ));
        assert_eq!(deliver(&app, &body, forged).await, 400);
        assert_eq!(deliver(&app, &body, None).await, 400);
        assert_eq!(deliver(&app, &body, Some("t=abc,v1=zz".into())).await, 400);
        let stale = Some(sign(
            WEBHOOK_SECRET.as_bytes(),
            chrono::Utc::now().timestamp() - 301,
            body.as_bytes(),
        ));
        assert_eq!(deliver(&app, &body, stale).await, 400);
        let tampered = body.replace("90000", "100");
        assert_eq!(deliver(&app, &tampered, signed(&body)).await, 400);
        assert_eq!(balance(&app, &customer).await["balance_minutes"], 0);
        let (_, still) = app
            .get(&format!("/api/v1/store/orders/{id}"), Some(&customer))
            .await;
        assert_eq!(still["status"], "pending");

        // An unpaid session completes without crediting.
        let unpaid = completed_event("evt_unpaid", id, 90_000, "unpaid");
        assert_eq!(deliver(&app, &unpaid, signed(&unpaid)).await, 200);
        assert_eq!(balance(&app, &customer).await["balance_minutes"], 0);

        // The same number in colones is not the price: nothing is credited, and staff see why
        // (customers do not); its replay changes nothing.
        let colones = completed_event_in("evt_crc", id, 90_000, "paid", "crc");
        for _ in 0..2 {
            assert_eq!(deliver(&app, &colones, signed(&colones)).await, 200);
        }
        assert_eq!(balance(&app, &customer).await["balance_minutes"], 0);
        let admin = app.login_as("admin@demo.test").await;
        let (_, seen_by_staff) = app
            .get(&format!("/api/v1/store/orders/{id}"), Some(&admin))
            .await;
        assert_eq!(seen_by_staff["status"], "pending");
        let problem = seen_by_staff["payment_problem"]
            .as_str()
            .unwrap_or_default();
        assert!(
            problem.contains("900.00 CRC") && problem.contains("evt_crc"),
            "{seen_by_staff}"
        );
        let (_, seen_by_customer) = app
            .get(&format!("/api/v1/store/orders/{id}"), Some(&customer))
            .await;
        assert!(
            seen_by_customer.get("payment_problem").is_none(),
            "{seen_by_customer}"
        );

        // 50 concurrent deliveries of the same event credit once.
        deliver_at_once(&app, &body, 50).await;
        // A replay days later (fresh signature, same event) and a second event for the same order.
        assert_eq!(deliver(&app, &body, signed(&body)).await, 200);
        let again = completed_event("evt_paid_2", id, 90_000, "paid");
        assert_eq!(deliver(&app, &again, signed(&again)).await, 200);

        let hours = balance(&app, &customer).await;
        assert_eq!(hours["balance_minutes"], 600, "{hours}");
        assert_eq!(hours["purchases"].as_array().map(Vec::len), Some(1));
        let expires: chrono::DateTime<chrono::Utc> =
            serde_json::from_value(hours["purchases"][0]["expires_at"].clone()).expect("expiry");
        let days = (expires - chrono::Utc::now()).num_days();
        assert!((364..=366).contains(&days), "expires in {days} days");
        let (_, paid) = app
            .get(&format!("/api/v1/store/orders/{id}"), Some(&customer))
            .await;
        assert_eq!(paid["status"], "paid");
        assert!(paid["paid_at"].is_string());

        // The receipt was emailed once.
        let receipts = match &app.state.db {
            server::storage::Db::Sqlite(p) => {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM outbox WHERE subject LIKE 'Recibo %'",
                )
                .fetch_one(p)
                .await
            }
            server::storage::Db::Postgres(p) => {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM outbox WHERE subject LIKE 'Recibo %'",
                )
                .fetch_one(p)
                .await
            }
        }
        .expect("outbox");
        assert_eq!(receipts, 1);

        // Another organisation cannot see the order; an agent cannot place one; editors see nothing.
        let other = app.login_as("cliente2@otra.test").await;
        let (status, _) = app
            .get(&format!("/api/v1/store/orders/{id}"), Some(&other))
            .await;
        assert_eq!(status, 404);
        let agent = app.login_as("agente@demo.test").await;
        let (status, _) = app
            .post(
                "/api/v1/store/orders",
                Some(&agent),
                json!({"package": "sc-basico", "method": "card"}),
            )
            .await;
        assert_eq!(status, 403);
        let (status, err) = app
            .post(
                "/api/v1/store/orders",
                Some(&customer),
                json!({"package": "sc-nada", "method": "card"}),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(err["error"]["code"], "package_unknown");
        app.stop().await;
    }
);

both_backends!(
    transfers_refunds_and_change_requests,
    |backend| async move {
        // Without Stripe keys the card is off and the store still sells by transfer.
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let customer = app.login_as("cliente@demo.test").await;
        let admin = app.login_as("admin@demo.test").await;
        let agent = app.login_as("agente@demo.test").await;
        let (status, err) = app
            .post(
                "/api/v1/store/orders",
                Some(&customer),
                json!({"package": "sc-basico", "method": "card"}),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(err["error"]["code"], "method_unavailable");
        let body = completed_event("evt_x", 1, 90_000, "paid");
        assert_eq!(deliver(&app, &body, signed(&body)).await, 404);

        // A change request submitted before any hours are bought cannot be approved.
        let (status, cr) = app
        .post("/api/v1/change-requests", Some(&customer), json!({
            "title": "Nuevo buzón compartido", "description": "Crear buzón ventas@ con 5 miembros."}))
        .await;
        assert_eq!(status, 201, "{cr}");
        let cr_id = cr["id"].as_i64().expect("cr id");
        assert_eq!(cr["status"], "submitted");
        let (status, _) = app
            .post(
                &format!("/api/v1/change-requests/{cr_id}/estimate"),
                Some(&customer),
                json!({"minutes": 60, "risk": "bajo"}),
            )
            .await;
        assert_eq!(status, 403);
        let (status, err) = app
            .post(
                &format!("/api/v1/change-requests/{cr_id}/estimate"),
                Some(&agent),
                json!({"minutes": 150, "risk": "extremo"}),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(err["error"]["code"], "risk_invalid");
        let (status, est) = app
        .post(&format!("/api/v1/change-requests/{cr_id}/estimate"), Some(&agent),
              json!({"minutes": 150, "risk": "medio", "planned_for": "2030-01-15", "scope": "Buzón y permisos"}))
        .await;
        assert_eq!(status, 200, "{est}");
        assert_eq!(est["status"], "estimated");
        assert_eq!(est["risk"], "medio");
        let (status, err) = app
            .post(
                &format!("/api/v1/change-requests/{cr_id}/approve"),
                Some(&customer),
                json!({}),
            )
            .await;
        assert_eq!(status, 409);
        assert_eq!(err["error"]["code"], "balance_short");
        assert!(err["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("tienda"));

        // Two transfers: SC Básico then SC Medio; an admin confirms both.
        let mut orders = Vec::new();
        for package in ["sc-basico", "sc-medio"] {
            let (status, order) = app
                .post(
                    "/api/v1/store/orders",
                    Some(&customer),
                    json!({"package": package, "method": "transfer"}),
                )
                .await;
            assert_eq!(status, 201, "{order}");
            assert!(order.get("checkout_url").is_none());
            // Where to pay: the demo account (a Costa Rican IBAN) and the order's reference.
            assert_eq!(order["pay_to"]["iban"], "CR05015202001026284066", "{order}");
            assert_eq!(order["pay_to"]["sinpe"], "6303-6361");
            assert_eq!(order["pay_to"]["reference"], order["reference"]);
            assert!(order["reference"]
                .as_str()
                .unwrap_or_default()
                .starts_with("SC-"));
            orders.push(order["id"].as_i64().expect("order id"));
        }
        let (status, _) = app
            .post(
                &format!("/api/v1/store/orders/{}/confirm", orders[0]),
                Some(&customer),
                json!({}),
            )
            .await;
        assert_eq!(status, 403);
        for id in &orders {
            let (status, order) = app
                .post(
                    &format!("/api/v1/store/orders/{id}/confirm"),
                    Some(&admin),
                    json!({}),
                )
                .await;
            assert_eq!(status, 200, "{order}");
            assert_eq!(order["status"], "paid");
        }
        let (status, err) = app
            .post(
                &format!("/api/v1/store/orders/{}/confirm", orders[0]),
                Some(&admin),
                json!({}),
            )
            .await;
        assert_eq!(status, 409);
        assert_eq!(err["error"]["code"], "order_not_pending");
        assert_eq!(balance(&app, &customer).await["balance_minutes"], 1_800);

        // Approve, then work: the first purchase (expiring first) pays.
        let (status, ok) = app
            .post(
                &format!("/api/v1/change-requests/{cr_id}/approve"),
                Some(&customer),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{ok}");
        assert_eq!(ok["status"], "approved");
        assert_eq!(ok["approved_minutes"], 150);
        let (status, w) = app
            .post(
                &format!("/api/v1/change-requests/{cr_id}/work"),
                Some(&agent),
                json!({"minutes": 90, "note": "Buzón creado"}),
            )
            .await;
        assert_eq!(status, 200, "{w}");
        assert_eq!(w["status"], "in_progress");
        assert_eq!(w["used_minutes"], 90);
        let (status, err) = app
            .post(
                &format!("/api/v1/change-requests/{cr_id}/work"),
                Some(&agent),
                json!({"minutes": 61, "note": "Más"}),
            )
            .await;
        assert_eq!(status, 409);
        assert_eq!(err["error"]["code"], "over_estimate");
        let hours = balance(&app, &customer).await;
        assert_eq!(hours["balance_minutes"], 1_710);
        let remaining: Vec<i64> = hours["purchases"]
            .as_array()
            .expect("purchases")
            .iter()
            .map(|p| p["remaining_minutes"].as_i64().unwrap_or_default())
            .collect();
        assert_eq!(remaining, [510, 1_200]);
        assert_eq!(hours["entries"][0]["kind"], "debit");
        assert_eq!(hours["entries"][0]["change_request_id"], cr_id);

        // More work needs a new approval: re-estimate, the customer declines, the old cap stays.
        let (status, re) = app
            .post(
                &format!("/api/v1/change-requests/{cr_id}/estimate"),
                Some(&agent),
                json!({"minutes": 240, "risk": "alto"}),
            )
            .await;
        assert_eq!(status, 200, "{re}");
        let (status, _) = app
            .post(
                &format!("/api/v1/change-requests/{cr_id}/work"),
                Some(&agent),
                json!({"minutes": 10, "note": "x"}),
            )
            .await;
        assert_eq!(status, 409);
        let (status, back) = app
            .post(
                &format!("/api/v1/change-requests/{cr_id}/decline"),
                Some(&customer),
                json!({"reason": "Por ahora no"}),
            )
            .await;
        assert_eq!(status, 200, "{back}");
        assert_eq!(back["status"], "in_progress");
        assert_eq!(back["approved_minutes"], 150);
        let (status, done) = app
            .post(
                &format!("/api/v1/change-requests/{cr_id}/done"),
                Some(&agent),
                json!({"summary": "Listo"}),
            )
            .await;
        assert_eq!(status, 200, "{done}");
        assert_eq!(done["status"], "done");
        let (status, err) = app
            .post(
                &format!("/api/v1/change-requests/{cr_id}/reopen"),
                Some(&customer),
                json!({"reason": ""}),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(err["error"]["code"], "reason_missing");
        let (status, reopened) = app
            .post(
                &format!("/api/v1/change-requests/{cr_id}/reopen"),
                Some(&customer),
                json!({"reason": "Falta un miembro"}),
            )
            .await;
        assert_eq!(status, 200, "{reopened}");
        assert_eq!(reopened["status"], "in_progress");
        let kinds: Vec<&str> = reopened["history"]
            .as_array()
            .expect("history")
            .iter()
            .map(|h| h["kind"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(
            kinds,
            [
                "submitted",
                "estimated",
                "approved",
                "work",
                "estimated",
                "declined",
                "done",
                "reopened"
            ]
        );

        // Other organisations see nothing of it.
        let other = app.login_as("cliente2@otra.test").await;
        let (status, _) = app
            .get(&format!("/api/v1/change-requests/{cr_id}"), Some(&other))
            .await;
        assert_eq!(status, 404);
        let (_, list) = app.get("/api/v1/change-requests", Some(&other)).await;
        assert_eq!(list.as_array().map(Vec::len), Some(0));

        // Admin adjustments need a reason; withdrawals take the purchase expiring first.
        let org = hours["organization_id"].as_i64().expect("org");
        let (status, err) = app
            .post(
                "/api/v1/hours/adjustments",
                Some(&admin),
                json!({"organization_id": org, "minutes": -30, "reason": " "}),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(err["error"]["code"], "reason_missing");
        let (status, _) = app
            .post(
                "/api/v1/hours/adjustments",
                Some(&agent),
                json!({"organization_id": org, "minutes": 30, "reason": "x"}),
            )
            .await;
        assert_eq!(status, 403);
        let (status, adjusted) = app
            .post(
                "/api/v1/hours/adjustments",
                Some(&admin),
                json!({"organization_id": org, "minutes": -10, "reason": "Corrección"}),
            )
            .await;
        assert_eq!(status, 201, "{adjusted}");
        assert_eq!(adjusted["balance_minutes"], 1_700);
        let (status, credited) = app
        .post("/api/v1/hours/adjustments", Some(&admin), json!({"organization_id": org, "minutes": 60, "reason": "Cortesía", "validity_months": 3}))
        .await;
        assert_eq!(status, 201, "{credited}");
        assert_eq!(credited["balance_minutes"], 1_760);

        // Refund of the second purchase takes back its unspent 1,200 minutes, once.
        let (status, refunded) = app
            .post(
                &format!("/api/v1/store/orders/{}/refund", orders[1]),
                Some(&admin),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{refunded}");
        assert_eq!(refunded["status"], "refunded");
        assert_eq!(refunded["refunded_minutes"], 1_200);
        let (status, _) = app
            .post(
                &format!("/api/v1/store/orders/{}/refund", orders[1]),
                Some(&admin),
                json!({}),
            )
            .await;
        assert_eq!(status, 409);
        assert_eq!(balance(&app, &customer).await["balance_minutes"], 560);
        app.stop().await;
    }
);

both_backends!(hour_job_expires_and_warns_once, |backend| async move {
    use app::accounts::store::AccountStore;
    use app::hours::store::HourStore;
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let db = app.state.db.clone();
    let org = db
        .find_org_by_name("Otra Empresa S.R.L.")
        .await
        .expect("query")
        .expect("demo org");
    let now = chrono::Utc::now();
    let day = chrono::Duration::days(1);
    // Expired with hours left, expiring in 10 days, and a big one far away.
    db.credit_purchase(org, 120, now - day, None, now - day * 400)
        .await
        .expect("credit");
    let soon = db
        .credit_purchase(org, 60, now + day * 10, None, now)
        .await
        .expect("credit");
    db.credit_purchase(org, 600, now + day * 300, None, now)
        .await
        .expect("credit");
    let hours = &app.state.services.hours;
    let run = hours.run_job(now).await.expect("job");
    assert_eq!(run.expired_lots, 1);
    assert_eq!(
        run.warnings, 1,
        "only the expiring lot warns: 660 of 660 left"
    );
    let again = hours.run_job(now).await.expect("job");
    assert_eq!((again.expired_lots, again.warnings), (0, 0));

    // Spend down to under 20 %: one low-balance warning, then silence.
    let taken = db
        .debit(app::hours::store::NewDebit {
            org_id: org,
            kind: app::hours::EntryKind::Debit,
            minutes: 560,
            change_request_id: None,
            cap: None,
            note: "Trabajo",
            actor_id: None,
            now,
        })
        .await
        .expect("debit");
    assert!(taken.is_ok());
    let run = hours.run_job(now).await.expect("job");
    assert_eq!(run.warnings, 1);
    assert_eq!(hours.run_job(now).await.expect("job").warnings, 0);
    let entries = db.entries(org).await.expect("entries");
    assert!(entries
        .iter()
        .any(|e| e.kind == app::hours::EntryKind::Expiry && e.minutes == -120));
    assert!(soon > 0);
    let mails: Vec<String> = match &db {
        server::storage::Db::Sqlite(p) => {
            sqlx::query_scalar(
                "SELECT subject FROM outbox WHERE to_addr = 'cliente2@otra.test' ORDER BY id",
            )
            .fetch_all(p)
            .await
        }
        server::storage::Db::Postgres(p) => {
            sqlx::query_scalar(
                "SELECT subject FROM outbox WHERE to_addr = 'cliente2@otra.test' ORDER BY id",
            )
            .fetch_all(p)
            .await
        }
    }
    .expect("outbox");
    assert_eq!(mails, ["Horas por vencer", "Saldo de horas bajo"]);
    app.stop().await;
});

// Finding 12 of the attacker's walk: a card payment for an order cancelled meanwhile was
// ignored silently (the customer paid and got no hours). Cancelling now expires the Checkout
// Session, and a payment that still arrives is credited.
both_backends!(
    a_cancelled_card_order_expires_its_page_and_a_late_payment_is_credited,
    |backend| async move {
        let Some((app, seen)) = spawn_with_stripe(backend).await else {
            return;
        };
        let customer = app.login_as("cliente@demo.test").await;
        let before = balance(&app, &customer).await["balance_minutes"]
            .as_i64()
            .unwrap_or_default();
        let (status, order) = app
            .post(
                "/api/v1/store/orders",
                Some(&customer),
                json!({"package": "sc-basico", "method": "card"}),
            )
            .await;
        assert_eq!(status, 201, "{order}");
        let id = order["id"].as_i64().expect("id");
        let (status, cancelled) = app
            .post(
                &format!("/api/v1/store/orders/{id}/cancel"),
                Some(&customer),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{cancelled}");
        assert_eq!(cancelled["status"], "cancelled");
        assert!(
            seen.lock()
                .expect("log")
                .iter()
                .any(|l| l.starts_with("expire cs_test_")),
            "the Checkout Session is expired"
        );
        let event = completed_event("evt_late_1", id, 90_000, "paid");
        assert_eq!(deliver(&app, &event, signed(&event)).await, 200);
        let (_, paid) = app
            .get(&format!("/api/v1/store/orders/{id}"), Some(&customer))
            .await;
        assert_eq!(paid["status"], "paid", "{paid}");
        let after = balance(&app, &customer).await["balance_minutes"]
            .as_i64()
            .unwrap_or_default();
        assert_eq!(after - before, 600, "10 hours credited");
        // The same event again credits nothing more.
        assert_eq!(deliver(&app, &event, signed(&event)).await, 200);
        let again = balance(&app, &customer).await["balance_minutes"]
            .as_i64()
            .unwrap_or_default();
        assert_eq!(again, after);
        app.stop().await;
    }
);

/// A Stripe event about a charge (`charge.refunded`) or a dispute (`charge.dispute.*`).
fn charge_event(event_id: &str, kind: &str, object: Value) -> String {
    json!({"id": event_id, "type": kind, "data": {"object": object}}).to_string()
}

fn refund_event(event_id: &str, intent: &str, amount: i64, refunded: i64) -> String {
    charge_event(
        event_id,
        "charge.refunded",
        json!({"id": format!("ch_{intent}"), "object": "charge", "payment_intent": intent,
            "amount": amount, "amount_refunded": refunded, "currency": "usd",
            "refunded": refunded >= amount}),
    )
}

fn dispute_event(event_id: &str, kind: &str, intent: &str, amount: i64, status: &str) -> String {
    charge_event(
        event_id,
        kind,
        json!({"id": format!("dp_{intent}"), "object": "dispute", "charge": format!("ch_{intent}"),
            "payment_intent": intent, "amount": amount, "currency": "usd", "status": status}),
    )
}

/// Places a card order and pays it with a signed `checkout.session.completed` naming `intent`.
async fn paid_card_order(app: &TestApp, customer: &str, package: &str, intent: &str) -> i64 {
    let (status, order) = app
        .post(
            "/api/v1/store/orders",
            Some(customer),
            json!({"package": package, "method": "card"}),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    let id = order["id"].as_i64().expect("id");
    let body = json!({
        "id": format!("evt_paid_{intent}"),
        "type": "checkout.session.completed",
        "data": {"object": {"id": "cs_test_x", "object": "checkout.session",
            "client_reference_id": id.to_string(), "payment_status": "paid",
            "amount_total": order["price_cents"], "currency": "usd", "payment_intent": intent}}
    })
    .to_string();
    assert_eq!(deliver(app, &body, signed(&body)).await, 200);
    id
}

async fn outbox_count(app: &TestApp, like: &str) -> i64 {
    let sql = "SELECT COUNT(*) FROM outbox WHERE subject LIKE $1";
    match &app.state.db {
        server::storage::Db::Sqlite(p) => {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(like)
                .fetch_one(p)
                .await
        }
        server::storage::Db::Postgres(p) => {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(like)
                .fetch_one(p)
                .await
        }
    }
    .expect("outbox")
}

both_backends!(
    refunds_and_disputes_made_in_stripe_reach_the_hour_bank,
    |backend| async move {
        let Some((app, _)) = spawn_with_stripe(backend).await else {
            return;
        };
        let customer = app.login_as("cliente@demo.test").await;
        let admin = app.login_as("admin@demo.test").await;
        let a = paid_card_order(&app, &customer, "sc-basico", "pi_a").await;
        let b = paid_card_order(&app, &customer, "sc-medio", "pi_b").await;
        let hours = balance(&app, &customer).await;
        assert_eq!(hours["balance_minutes"], 1_800, "{hours}");
        let org = hours["organization_id"].as_i64().expect("org");
        // 250 minutes of the first purchase (it expires first) are spent.
        let (status, spent) = app
            .post(
                "/api/v1/hours/adjustments",
                Some(&admin),
                json!({"organization_id": org, "minutes": -250, "reason": "Trabajo"}),
            )
            .await;
        assert_eq!(status, 201, "{spent}");
        let order = |id: i64, token: String| {
            let app = &app;
            async move {
                let (status, order) = app
                    .get(&format!("/api/v1/store/orders/{id}"), Some(&token))
                    .await;
                assert_eq!(status, 200, "{order}");
                order
            }
        };

        // Half of the first payment refunded in Stripe: half of its hours leave the bank.
        let half = refund_event("evt_ref_1", "pi_a", 90_000, 45_000);
        for _ in 0..2 {
            assert_eq!(deliver(&app, &half, signed(&half)).await, 200);
        }
        assert_eq!(balance(&app, &customer).await["balance_minutes"], 1_250);
        let seen = order(a, customer.clone()).await;
        assert_eq!(seen["status"], "paid", "{seen}");
        assert_eq!(seen["refunded_cents"], 45_000);
        assert_eq!(seen["refunded_minutes"], 300);
        // An older event arriving late (a smaller running total) changes nothing.
        let older = refund_event("evt_ref_0", "pi_a", 90_000, 20_000);
        assert_eq!(deliver(&app, &older, signed(&older)).await, 200);
        assert_eq!(balance(&app, &customer).await["balance_minutes"], 1_250);

        // The rest refunded, delivered 20 times at once: only 50 minutes were still unspent;
        // the 250 already spent are a shortfall staff see, customers do not.
        let full = refund_event("evt_ref_2", "pi_a", 90_000, 90_000);
        deliver_at_once(&app, &full, 20).await;
        assert_eq!(balance(&app, &customer).await["balance_minutes"], 1_200);
        let staff = order(a, admin.clone()).await;
        assert_eq!(staff["status"], "refunded", "{staff}");
        assert_eq!(staff["refunded_minutes"], 350);
        assert_eq!(staff["shortfall_minutes"], 250);
        let customers = order(a, customer.clone()).await;
        assert!(customers.get("shortfall_minutes").is_none(), "{customers}");
        assert_eq!(outbox_count(&app, "Reembolso del pedido %").await, 2);

        // A dispute holds the second purchase's hours; won, they come back.
        let opened = dispute_event(
            "evt_dp_1",
            "charge.dispute.created",
            "pi_b",
            170_000,
            "needs_response",
        );
        assert_eq!(deliver(&app, &opened, signed(&opened)).await, 200);
        assert_eq!(deliver(&app, &opened, signed(&opened)).await, 200);
        assert_eq!(balance(&app, &customer).await["balance_minutes"], 0);
        let held = order(b, customer.clone()).await;
        assert_eq!(
            (&held["status"], &held["dispute"]),
            (&json!("paid"), &json!("open"))
        );
        let won = dispute_event("evt_dp_2", "charge.dispute.closed", "pi_b", 170_000, "won");
        assert_eq!(deliver(&app, &won, signed(&won)).await, 200);
        assert_eq!(deliver(&app, &won, signed(&won)).await, 200);
        assert_eq!(balance(&app, &customer).await["balance_minutes"], 1_200);
        let back = order(b, admin.clone()).await;
        assert_eq!(
            (&back["status"], &back["dispute"]),
            (&json!("paid"), &json!("won"))
        );
        assert!(back.get("shortfall_minutes").is_none(), "{back}");

        // A third purchase disputed and lost: its hours stay out and the order is refunded.
        let c = paid_card_order(&app, &customer, "sc-basico", "pi_c").await;
        assert_eq!(balance(&app, &customer).await["balance_minutes"], 1_800);
        let opened = dispute_event(
            "evt_dp_3",
            "charge.dispute.created",
            "pi_c",
            90_000,
            "needs_response",
        );
        let lost = dispute_event("evt_dp_4", "charge.dispute.closed", "pi_c", 90_000, "lost");
        for body in [&opened, &lost] {
            assert_eq!(deliver(&app, body, signed(body)).await, 200);
        }
        assert_eq!(balance(&app, &customer).await["balance_minutes"], 1_200);
        let gone = order(c, customer.clone()).await;
        assert_eq!(
            (&gone["status"], &gone["dispute"]),
            (&json!("refunded"), &json!("lost"))
        );
        assert_eq!(outbox_count(&app, "Disputa %").await, 4);

        // A payment nobody here made, or one in another currency: acknowledged, nothing moves.
        let stranger = refund_event("evt_ref_x", "pi_unknown", 90_000, 90_000);
        assert_eq!(deliver(&app, &stranger, signed(&stranger)).await, 200);
        let colones = refund_event("evt_ref_crc", "pi_b", 170_000, 170_000).replace("usd", "crc");
        assert_eq!(deliver(&app, &colones, signed(&colones)).await, 200);
        assert_eq!(balance(&app, &customer).await["balance_minutes"], 1_200);
        assert_eq!(order(b, admin.clone()).await["status"], "paid");
        app.stop().await;
    }
);
