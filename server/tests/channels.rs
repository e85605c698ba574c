//! WhatsApp, Messenger and Instagram on both databases, against a fake Graph API on loopback:
//! the verification handshake, signatures (missing, forged, stale), duplicate deliveries stored
//! once, files fetched and kept, the agent's reply reaching the Graph API with delivery
//! reports, the 24-hour window, and the channels off without configuration.

mod common;

use axum::extract::{Path, State};
use axum::http::StatusCode as AxStatus;
use axum::routing::{get, post};
use axum::{Json, Router};
use common::{Backend, TestApp};
use serde_json::{json, Value};
use server::meta::signature::sign;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const APP_SECRET: &str = "meta-app-secret-test";
const VERIFY_TOKEN: &str = "verify-me";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

#[derive(Clone, Default)]
struct Graph {
    sent: Arc<Mutex<Vec<(String, Value)>>>,
    /// When set, sends answer with Meta's "outside the 24-hour window" error.
    window_closed: Arc<Mutex<bool>>,
    base: Arc<Mutex<String>>,
}

async fn send(
    State(g): State<Graph>,
    Path(account): Path<String>,
    Json(body): Json<Value>,
) -> (AxStatus, Json<Value>) {
    if *g.window_closed.lock().expect("flag") {
        return (
            AxStatus::BAD_REQUEST,
            Json(json!({"error": {"message": "Re-engagement message", "code": 131047}})),
        );
    }
    let mut sent = g.sent.lock().expect("sent");
    sent.push((account.clone(), body));
    let n = sent.len();
    if account == "me" {
        (
            AxStatus::OK,
            Json(json!({"recipient_id": "x", "message_id": format!("m_out_{n}")})),
        )
    } else {
        (
            AxStatus::OK,
            Json(
                json!({"messaging_product": "whatsapp", "messages": [{"id": format!("wamid.OUT{n}")}]}),
            ),
        )
    }
}

async fn fake_graph() -> Graph {
    let graph = Graph::default();
    let app = Router::new()
        .route("/{account}/messages", post(send))
        .route(
            "/MEDIA1",
            get(|State(g): State<Graph>| async move {
                let base = g.base.lock().expect("base").clone();
                Json(json!({"url": format!("{base}/files/MEDIA1"), "mime_type": "application/pdf"}))
            }),
        )
        .route("/files/MEDIA1", get(|| async { PDF.to_vec() }))
        .with_state(graph.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    *graph.base.lock().expect("base") = format!("http://{addr}");
    tokio::spawn(async move { axum::serve(listener, app).await });
    graph
}

async fn spawn(backend: Backend) -> Option<(TestApp, Graph)> {
    let graph = fake_graph().await;
    let base = graph.base.lock().expect("base").clone();
    let app = TestApp::spawn_with(
        backend,
        vec![
            ("META_APP_SECRET", APP_SECRET.into()),
            ("META_VERIFY_TOKEN", VERIFY_TOKEN.into()),
            ("META_ACCESS_TOKEN", "graph-token".into()),
            ("META_GRAPH_BASE", base),
        ],
    )
    .await?;
    Some((app, graph))
}

fn whatsapp_text(id: &str, from: &str, text: &str, at: i64) -> String {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "50663036361", "phone_number_id": "PN1"},
        "contacts": [{"profile": {"name": "Ana Mora"}, "wa_id": from}],
        "messages": [{"from": from, "id": id, "timestamp": at.to_string(), "type": "text", "text": {"body": text}}]
    }}]}]})
    .to_string()
}

fn whatsapp_status(id: &str, status: &str) -> String {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "50663036361", "phone_number_id": "PN1"},
        "statuses": [{"id": id, "status": status, "timestamp": chrono::Utc::now().timestamp().to_string(), "recipient_id": "50688887777"}]
    }}]}]})
    .to_string()
}

async fn deliver(app: &TestApp, path: &str, body: &str, signature: Option<String>) -> (u16, Value) {
    let mut req = app
        .client
        .post(app.url(path))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(s) = signature {
        req = req.header("X-Hub-Signature-256", s);
    }
    let res = req.send().await.expect("webhook");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn signed(body: &str) -> Option<String> {
    Some(sign(APP_SECRET.as_bytes(), body.as_bytes()))
}

async fn inbox(app: &TestApp, token: &str) -> Value {
    let (status, inbox) = app.get("/api/v1/chats", Some(token)).await;
    assert_eq!(status, 200, "{inbox}");
    inbox
}

fn channel_chats<'a>(list: &'a Value, channel: &str) -> Vec<&'a Value> {
    list.as_array()
        .expect("list")
        .iter()
        .filter(|c| c["chat"]["channel"] == channel)
        .collect()
}

async fn messages(app: &TestApp, token: &str, chat: i64) -> Vec<Value> {
    let (status, body) = app
        .get(&format!("/api/v1/chats/{chat}/messages"), Some(token))
        .await;
    assert_eq!(status, 200, "{body}");
    body["messages"].as_array().expect("messages").clone()
}

/// The agent writes in the conversation (`{"body", "client_id"?, "internal"?}`).
async fn reply(
    app: &TestApp,
    agent: &str,
    chat_id: i64,
    body: Value,
) -> (reqwest::StatusCode, Value) {
    app.post(
        &format!("/api/v1/chats/{chat_id}/messages"),
        Some(agent),
        body,
    )
    .await
}

/// Polls until `check` holds (the reply sender runs every two seconds).
async fn eventually<F, Fut>(mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..60 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("condition not reached within 15 s");
}

both_backends!(
    whatsapp_conversations_reach_agents_and_replies_reach_the_graph_api,
    |backend| async move {
        let Some((app, graph)) = spawn(backend).await else {
            return;
        };
        // The verification handshake.
        let ok = app
            .client
            .get(app.url(&format!(
                "/api/v1/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=12345"
            )))
            .send()
            .await
            .expect("handshake");
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.text().await.expect("text"), "12345");
        let wrong = app
            .client
            .get(app.url("/api/v1/webhooks/messenger?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1"))
            .send()
            .await
            .expect("handshake");
        assert_eq!(wrong.status(), 403);

        let agent = app.login_as("agente@demo.test").await;
        let now = chrono::Utc::now().timestamp();
        let hello = whatsapp_text("wamid.IN1", "50688887777", "Hola, no tengo correo", now);

        // Missing, forged and stale signatures: 400 and nothing stored.
        let path = "/api/v1/webhooks/whatsapp";
        assert_eq!(deliver(&app, path, &hello, None).await.0, 400);
        let forged = Some(sign(b"not-the-secret", hello.as_bytes()));
        assert_eq!(deliver(&app, path, &hello, forged).await.0, 400);
        let tampered = hello.replace("no tengo", "sí tengo");
        assert_eq!(deliver(&app, path, &tampered, signed(&hello)).await.0, 400);
        let old = whatsapp_text("wamid.OLD", "50688887777", "viejo", now - 8 * 86_400);
        assert_eq!(deliver(&app, path, &old, signed(&old)).await.0, 400);
        // A Messenger payload at the WhatsApp endpoint is refused too.
        let page = json!({"object": "page", "entry": []}).to_string();
        assert_eq!(deliver(&app, path, &page, signed(&page)).await.0, 400);
        assert!(channel_chats(&inbox(&app, &agent).await["waiting"], "whatsapp").is_empty());

        // Delivered three times (Meta retries): stored once, in one waiting conversation.
        let (status, first) = deliver(&app, path, &hello, signed(&hello)).await;
        assert_eq!(
            (status, first["stored"].as_u64()),
            (200, Some(1)),
            "{first}"
        );
        for _ in 0..2 {
            let (status, again) = deliver(&app, path, &hello, signed(&hello)).await;
            assert_eq!(
                (status, again["duplicates"].as_u64()),
                (200, Some(1)),
                "{again}"
            );
        }
        // Concurrent duplicates of a second message: still once.
        let second = whatsapp_text("wamid.IN2", "50688887777", "¿Me ayudan?", now);
        let runs = (0..10).map(|_| deliver(&app, path, &second, signed(&second)));
        let results = futures_util::future::join_all(runs).await;
        assert!(results.iter().all(|(s, _)| *s == 200), "{results:?}");
        let stored: u64 = results
            .iter()
            .filter_map(|(_, b)| b["stored"].as_u64())
            .sum();
        assert_eq!(stored, 1);

        let waiting = inbox(&app, &agent).await;
        let chats = channel_chats(&waiting["waiting"], "whatsapp");
        assert_eq!(chats.len(), 1, "{waiting}");
        let chat = &chats[0]["chat"];
        let chat_id = chat["id"].as_i64().expect("id");
        assert_eq!(chat["visitor_name"], "Ana Mora");
        assert_eq!(chat["contact"], "+506 8888 7777");
        assert!(chat["window_closes_at"].is_string(), "{chat}");
        let texts: Vec<String> = messages(&app, &agent, chat_id)
            .await
            .iter()
            .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(texts, vec!["Hola, no tengo correo", "¿Me ayudan?"]);

        // A document: fetched through the Graph API and kept as a chat file.
        let doc = json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
            "metadata": {"phone_number_id": "PN1"},
            "messages": [{"from": "50688887777", "id": "wamid.DOC", "timestamp": now.to_string(), "type": "document",
                "document": {"id": "MEDIA1", "filename": "factura.pdf", "mime_type": "application/pdf"}}]
        }}]}]}).to_string();
        assert_eq!(deliver(&app, path, &doc, signed(&doc)).await.0, 200);
        let all = messages(&app, &agent, chat_id).await;
        let file = &all.last().expect("doc")["file"];
        assert_eq!(file["filename"], "factura.pdf");
        assert_eq!(file["content_type"], "application/pdf");
        let file_id = file["id"].as_i64().expect("file id");
        let bytes = app
            .client
            .get(app.url(&format!("/api/v1/chats/{chat_id}/files/{file_id}")))
            .bearer_auth(&agent)
            .send()
            .await
            .expect("download")
            .bytes()
            .await
            .expect("bytes");
        assert_eq!(&bytes[..], PDF);

        // The agent accepts and answers: the reply reaches the Graph API for that number.
        let (status, _) = app
            .post(
                &format!("/api/v1/chats/{chat_id}/accept"),
                Some(&agent),
                json!({}),
            )
            .await;
        assert_eq!(status, 200);
        let (status, sent) = reply(
            &app,
            &agent,
            chat_id,
            json!({"body": "Con gusto, ¿cuál es su consulta?", "client_id": "r1"}),
        )
        .await;
        assert_eq!(status, 201, "{sent}");
        let reply_id = sent["id"].as_i64().expect("reply id");
        eventually(|| {
            let graph = graph.clone();
            async move { !graph.sent.lock().expect("sent").is_empty() }
        })
        .await;
        {
            let sent = graph.sent.lock().expect("sent");
            let (account, body) = &sent[0];
            assert_eq!(account, "PN1");
            assert_eq!(body["to"], "50688887777");
            assert_eq!(body["text"]["body"], "Con gusto, ¿cuál es su consulta?");
        }
        let delivery_of = |list: &[Value]| {
            list.iter()
                .find(|m| m["id"].as_i64() == Some(reply_id))
                .map(|m| m["delivery"].as_str().unwrap_or_default().to_owned())
        };
        eventually(|| {
            let app = &app;
            let agent = agent.clone();
            async move {
                delivery_of(&messages(app, &agent, chat_id).await).as_deref() == Some("sent")
            }
        })
        .await;
        // Reports arrive out of order: read, then a late "delivered" changes nothing.
        let read = whatsapp_status("wamid.OUT1", "read");
        assert_eq!(deliver(&app, path, &read, signed(&read)).await.0, 200);
        let late = whatsapp_status("wamid.OUT1", "delivered");
        assert_eq!(deliver(&app, path, &late, signed(&late)).await.0, 200);
        let list = messages(&app, &agent, chat_id).await;
        assert_eq!(delivery_of(&list).as_deref(), Some("read"));
        // Sent once, whatever the retries and reports.
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(graph.sent.lock().expect("sent").len(), 1);

        // Internal notes stay in the portal.
        let (status, _) = reply(
            &app,
            &agent,
            chat_id,
            json!({"body": "Cliente sin correo registrado", "internal": true}),
        )
        .await;
        assert_eq!(status, 201);

        // The platform refuses (window closed on its side): the reply is marked failed, once.
        *graph.window_closed.lock().expect("flag") = true;
        let (status, refused) = reply(&app, &agent, chat_id, json!({"body": "¿Sigue ahí?"})).await;
        assert_eq!(status, 201, "{refused}");
        let refused_id = refused["id"].as_i64().expect("id");
        eventually(|| {
            let app = &app;
            let agent = agent.clone();
            async move {
                messages(app, &agent, chat_id)
                    .await
                    .iter()
                    .any(|m| m["id"].as_i64() == Some(refused_id) && m["delivery"] == "failed")
            }
        })
        .await;
        assert_eq!(graph.sent.lock().expect("sent").len(), 1);

        // Converted to a ticket: the contact without email becomes its requester.
        let (status, ticket) = app
            .post(
                &format!("/api/v1/chats/{chat_id}/ticket"),
                Some(&agent),
                json!({}),
            )
            .await;
        assert_eq!(status, 201, "{ticket}");
        let ticket_id = ticket["ticket_id"].as_i64().expect("ticket id");
        let (status, ticket) = app
            .get(&format!("/api/v1/tickets/{ticket_id}"), Some(&agent))
            .await;
        assert_eq!(status, 200, "{ticket}");
        assert!(
            ticket.to_string().contains("Hola, no tengo correo"),
            "{ticket}"
        );
    }
);

both_backends!(
    replies_wait_for_the_customer_after_24_hours,
    |backend| async move {
        let Some((app, graph)) = spawn(backend).await else {
            return;
        };
        let agent = app.login_as("agente@demo.test").await;
        // Written 25 hours ago (a late delivery within Meta's retry period).
        let at = chrono::Utc::now().timestamp() - 25 * 3600;
        let body = whatsapp_text("wamid.LATE", "50677776666", "Hola", at);
        let path = "/api/v1/webhooks/whatsapp";
        assert_eq!(deliver(&app, path, &body, signed(&body)).await.0, 200);
        let waiting = inbox(&app, &agent).await;
        let chat_id = channel_chats(&waiting["waiting"], "whatsapp")[0]["chat"]["id"]
            .as_i64()
            .expect("id");
        let (status, _) = app
            .post(
                &format!("/api/v1/chats/{chat_id}/accept"),
                Some(&agent),
                json!({}),
            )
            .await;
        assert_eq!(status, 200);
        let (status, err) = reply(&app, &agent, chat_id, json!({"body": "Buenos días"})).await;
        assert_eq!(status, 409, "{err}");
        assert_eq!(err["error"]["code"], "channel_window_closed");
        // The customer writes again: the window reopens and the reply goes out.
        let now = chrono::Utc::now().timestamp();
        let again = whatsapp_text("wamid.AGAIN", "50677776666", "¿Hola?", now);
        assert_eq!(deliver(&app, path, &again, signed(&again)).await.0, 200);
        let (status, _) = reply(&app, &agent, chat_id, json!({"body": "Buenos días"})).await;
        assert_eq!(status, 201);
        eventually(|| {
            let graph = graph.clone();
            async move { graph.sent.lock().expect("sent").len() == 1 }
        })
        .await;
    }
);

both_backends!(
    messenger_and_instagram_share_the_inbox,
    |backend| async move {
        let Some((app, graph)) = spawn(backend).await else {
            return;
        };
        let agent = app.login_as("agente@demo.test").await;
        let ms = chrono::Utc::now().timestamp_millis();
        let page = json!({"object": "page", "entry": [{"id": "PAGE1", "time": ms, "messaging": [
            {"sender": {"id": "PSID42"}, "recipient": {"id": "PAGE1"}, "timestamp": ms, "message": {"mid": "m_in_1", "text": "Hola desde Messenger"}}
        ]}]}).to_string();
        let insta = json!({"object": "instagram", "entry": [{"id": "IG1", "time": ms, "messaging": [
            {"sender": {"id": "IGSID7"}, "recipient": {"id": "IG1"}, "timestamp": ms, "message": {"mid": "ig_in_1", "text": "Hola desde Instagram"}}
        ]}]}).to_string();
        let path = "/api/v1/webhooks/messenger";
        assert_eq!(deliver(&app, path, &page, None).await.0, 400);
        assert_eq!(deliver(&app, path, &page, signed(&page)).await.0, 200);
        assert_eq!(deliver(&app, path, &insta, signed(&insta)).await.0, 200);
        assert_eq!(
            deliver(&app, path, &insta, signed(&insta)).await.1["duplicates"],
            1
        );
        let waiting = inbox(&app, &agent).await;
        let messenger = channel_chats(&waiting["waiting"], "messenger");
        let instagram = channel_chats(&waiting["waiting"], "instagram");
        assert_eq!((messenger.len(), instagram.len()), (1, 1), "{waiting}");
        let chat_id = messenger[0]["chat"]["id"].as_i64().expect("id");
        app.post(
            &format!("/api/v1/chats/{chat_id}/accept"),
            Some(&agent),
            json!({}),
        )
        .await;
        let (status, sent) = reply(
            &app,
            &agent,
            chat_id,
            json!({"body": "¡Hola! ¿En qué le ayudamos?"}),
        )
        .await;
        assert_eq!(status, 201, "{sent}");
        eventually(|| {
            let graph = graph.clone();
            async move { !graph.sent.lock().expect("sent").is_empty() }
        })
        .await;
        let (account, body) = graph.sent.lock().expect("sent")[0].clone();
        assert_eq!(account, "me");
        assert_eq!(body["recipient"]["id"], "PSID42");
        assert_eq!(body["messaging_type"], "RESPONSE");
        // A read watermark marks the reply read.
        eventually(|| {
            let app = &app;
            let agent = agent.clone();
            async move {
                messages(app, &agent, chat_id)
                    .await
                    .iter()
                    .any(|m| m["delivery"] == "sent")
            }
        })
        .await;
        let later = chrono::Utc::now().timestamp_millis() + 1000;
        let read = json!({"object": "page", "entry": [{"id": "PAGE1", "time": later, "messaging": [
            {"sender": {"id": "PSID42"}, "recipient": {"id": "PAGE1"}, "read": {"watermark": later}}
        ]}]})
        .to_string();
        assert_eq!(deliver(&app, path, &read, signed(&read)).await.0, 200);
        let list = messages(&app, &agent, chat_id).await;
        assert!(list.iter().any(|m| m["delivery"] == "read"), "{list:?}");
        // Customers cannot read the inbox.
        let customer = app.login_as("cliente@demo.test").await;
        assert_eq!(app.get("/api/v1/chats", Some(&customer)).await.0, 403);
    }
);

both_backends!(
    channels_are_off_without_configuration,
    |backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let body = whatsapp_text(
            "wamid.X",
            "50688887777",
            "Hola",
            chrono::Utc::now().timestamp(),
        );
        let (status, _) = deliver(&app, "/api/v1/webhooks/whatsapp", &body, signed(&body)).await;
        assert_eq!(status, 404);
        let res = app
            .client
            .get(app.url(
                "/api/v1/webhooks/messenger?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1",
            ))
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), 404);
    }
);

both_backends!(
    a_known_number_is_linked_to_its_customer_and_plan,
    |backend| async move {
        let Some((app, _graph)) = spawn(backend).await else {
            return;
        };
        let agent = app.login_as("agente@demo.test").await;
        let now = chrono::Utc::now().timestamp();
        // The demo customer's number (Carlos Cliente, Demo S.A., Premium).
        let body = whatsapp_text("wamid.KNOWN", "50660001234", "Soy Carlos", now);
        let path = "/api/v1/webhooks/whatsapp";
        assert_eq!(deliver(&app, path, &body, signed(&body)).await.0, 200);
        let waiting = inbox(&app, &agent).await;
        let chats = channel_chats(&waiting["waiting"], "whatsapp");
        let chat = &chats[0]["chat"];
        assert_eq!(chat["visitor_name"], "Carlos Cliente");
        assert_eq!(chat["visitor_email"], "cliente@demo.test");
        assert_eq!(chat["org_name"], "Demo S.A.");
        assert_eq!(chat["plan"], "premium");
    }
);

async fn principal(app: &TestApp, email: &str) -> app::accounts::service::Principal {
    app.state
        .services
        .accounts
        .authenticate(&app.login_as(email).await, app::accounts::SessionKind::Api)
        .await
        .expect("principal")
}

/// The code the fake Graph API was asked to deliver to `to` (the template's body parameter).
fn code_sent_to(graph: &Graph, to: &str) -> Option<String> {
    graph
        .sent
        .lock()
        .expect("sent")
        .iter()
        .rev()
        .find(|(_, b)| b["to"] == to && b["type"] == "template")
        .and_then(|(_, b)| {
            b["template"]["components"][0]["parameters"][0]["text"]
                .as_str()
                .map(str::to_owned)
        })
}

// Finding 1 of the attacker's walk (WhatsApp conversation takeover): a customer saved
// someone else's number and the next WhatsApp message from it was linked to them. Now a number
// names a customer only once proven by the code sent to it (or by staff).
both_backends!(
    a_number_names_a_customer_only_once_proven,
    |backend| async move {
        let graph = fake_graph().await;
        let base = graph.base.lock().expect("base").clone();
        let Some(app) = TestApp::spawn_with(
            backend,
            vec![
                ("META_APP_SECRET", APP_SECRET.into()),
                ("META_VERIFY_TOKEN", VERIFY_TOKEN.into()),
                ("META_ACCESS_TOKEN", "graph-token".into()),
                ("META_GRAPH_BASE", base),
                ("META_WHATSAPP_PHONE_ID", "PN1".into()),
            ],
        )
        .await
        else {
            return;
        };
        let accounts = &app.state.services.accounts;
        let agent = app.login_as("agente@demo.test").await;
        let path = "/api/v1/webhooks/whatsapp";
        let now = chrono::Utc::now().timestamp();
        let victim = "50677770001";
        let body = whatsapp_text("wamid.V1", victim, "Mi clave del VPN es …", now);
        assert_eq!(deliver(&app, path, &body, signed(&body)).await.0, 200);

        // Olga (another organisation) claims the victim's number: a code goes to that number,
        // and nothing is linked to her.
        let olga = principal(&app, "cliente2@otra.test").await;
        let status = accounts
            .set_phone(&olga, "+506 7777 0001")
            .await
            .expect("pending");
        assert_eq!(status.verified, None);
        assert_eq!(status.pending.as_deref(), Some(victim));
        assert!(status.code_sent);
        let code = code_sent_to(&graph, victim).expect("code sent over WhatsApp");
        assert_eq!(code.len(), 6);
        let again = whatsapp_text("wamid.V2", victim, "¿Ya lo vieron?", now + 1);
        assert_eq!(deliver(&app, path, &again, signed(&again)).await.0, 200);
        let waiting = inbox(&app, &agent).await;
        let chat = &channel_chats(&waiting["waiting"], "whatsapp")[0]["chat"];
        assert_eq!(chat["visitor_name"], "Ana Mora", "{chat}");
        assert_eq!(chat["org_name"], Value::Null, "{chat}");
        let olga_token = app.login_as("cliente2@otra.test").await;
        let (_, hers) = app.get("/api/v1/chats", Some(&olga_token)).await;
        assert!(!hers.to_string().contains("VPN"), "{hers}");

        // Guessing: five wrong codes end the attempt; the right one then fails too.
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..5 {
            let err = accounts
                .confirm_phone(&olga, wrong)
                .await
                .expect_err("wrong");
            assert_eq!(err.code, app::error::ErrorCode::CodeInvalid);
        }
        let err = accounts
            .confirm_phone(&olga, &code)
            .await
            .expect_err("spent");
        assert_eq!(err.code, app::error::ErrorCode::CodeInvalid);
        assert_eq!(
            accounts.phone_status(&olga).await.expect("status").verified,
            None
        );
        // A new code at once is refused (one a minute).
        let err = accounts
            .set_phone(&olga, "+506 7777 0001")
            .await
            .expect_err("too soon");
        assert_eq!(err.code, app::error::ErrorCode::RateLimited);

        // The owner proves the number with the code they received: their conversation is
        // linked to them and their plan.
        let carlos = principal(&app, "cliente@demo.test").await;
        accounts
            .set_phone(&carlos, "+506 7777-0001")
            .await
            .expect("pending");
        let code = code_sent_to(&graph, victim).expect("second code");
        let status = accounts
            .confirm_phone(&carlos, &code)
            .await
            .expect("verified");
        assert_eq!(status.verified.as_deref(), Some(victim));
        let waiting = inbox(&app, &agent).await;
        let chat = &channel_chats(&waiting["waiting"], "whatsapp")[0]["chat"];
        assert_eq!(chat["org_name"], "Demo S.A.", "{chat}");

        // Without a code (staff decide): the pending number is listed for staff only, and
        // links once staff confirm it.
        let err = accounts.pending_phones(&olga).await.expect_err("customers");
        assert_eq!(err.code, app::error::ErrorCode::Forbidden);
        let staff = principal(&app, "agente@demo.test").await;
        assert!(accounts
            .pending_phones(&staff)
            .await
            .expect("list")
            .iter()
            .any(|p| p.user_id == olga.user.id));
        accounts
            .confirm_phone_by_staff(&staff, olga.user.id)
            .await
            .expect("confirmed");
        assert_eq!(
            accounts
                .phone_status(&olga)
                .await
                .expect("status")
                .verified
                .as_deref(),
            Some(victim)
        );
        app.stop().await;
    }
);
