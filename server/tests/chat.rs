//! Web chat over HTTP and WebSocket, on both databases; cross-instance delivery with two server
//! processes on one PostgreSQL database.

mod common;

use common::{free_addr, Backend, Process, TestApp, TestDb};
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn start_visitor(app: &TestApp) -> (i64, String) {
    let (status, body) = app
        .post(
            "/api/v1/chats",
            None,
            json!({"name": "Vera Visitante", "email": "vera@visita.test"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_i64().expect("id");
    let token = body["token"].as_str().expect("token").to_owned();
    (id, token)
}

async fn set_online(app: &TestApp, email: &str) {
    let id = app
        .state
        .services
        .accounts
        .user_id_by_email(email)
        .await
        .expect("agent");
    let principal = app
        .state
        .services
        .accounts
        .authenticate(&app.login_as(email).await, app::accounts::SessionKind::Api)
        .await
        .expect("principal");
    assert_eq!(principal.user.id, id);
    app.state
        .services
        .chats
        .set_presence(&principal, app::domain::chat::Presence::Online)
        .await
        .expect("online");
}

async fn connect(addr: &str, chat: i64, token: &str, after: i64, origin: Option<&str>) -> Socket {
    let url = format!("ws://{addr}/api/v1/chats/{chat}/ws?after={after}&token={token}");
    let mut req = url.into_client_request().expect("request");
    if let Some(o) = origin {
        req.headers_mut()
            .insert("origin", o.parse().expect("origin"));
    }
    let (socket, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("connect");
    socket
}

/// The next JSON event of a type, skipping others; panics after 5 s.
async fn next_event(socket: &mut Socket, kind: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let frame = tokio::time::timeout_at(deadline, socket.next())
            .await
            .unwrap_or_else(|_| panic!("no '{kind}' event within 5 s"))
            .expect("socket open")
            .expect("frame");
        if let Message::Text(text) = frame {
            let v: Value = serde_json::from_str(&text).expect("json event");
            if v["type"] == kind {
                return v;
            }
        }
    }
}

async fn send(socket: &mut Socket, event: Value) {
    socket
        .send(Message::Text(event.to_string().into()))
        .await
        .expect("send");
}

both_backends!(
    messages_are_stored_once_and_replayed_in_order,
    |backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        // Pre-chat form errors.
        let (status, body) = app
            .post(
                "/api/v1/chats",
                None,
                json!({"name": "Vera", "email": "no-es-correo"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["code"], "email_invalid");
        assert_eq!(body["error"]["field"], "email");
        // A blank first message starts nothing (the agent would get an empty queue item); a
        // real one is the conversation's first message.
        let (status, body) = app
            .post(
                "/api/v1/chats",
                None,
                json!({"name": "Vera", "email": "vera@ejemplo.test", "message": "   "}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, started) = app
            .post(
                "/api/v1/chats",
                None,
                json!({"name": "Vera", "email": "vera@ejemplo.test", "message": "Hola, la VPN no conecta"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{started}");
        let with_text = started["id"].as_i64().expect("id");
        let first_token = started["token"].as_str().expect("token").to_owned();
        let (_, listed) = app
            .get(
                &format!("/api/v1/chats/{with_text}/messages"),
                Some(&first_token),
            )
            .await;
        assert!(
            listed["messages"]
                .as_array()
                .is_some_and(|m| m.iter().any(|m| m["body"] == "Hola, la VPN no conecta")),
            "{listed}"
        );

        let (chat, token) = start_visitor(&app).await;
        let path = format!("/api/v1/chats/{chat}/messages");
        let (status, first) = app
            .post(
                &path,
                Some(&token),
                json!({"body": "Hola, no tengo VPN", "client_id": "c-1"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        assert_eq!(first["role"], "customer");
        assert_eq!(first["author"], "Vera Visitante");
        // The same client id again: the same message, not a copy.
        let (status, again) = app
            .post(
                &path,
                Some(&token),
                json!({"body": "Hola, no tengo VPN", "client_id": "c-1"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(again["id"], first["id"]);
        // Many concurrent resends of one client id still store one message.
        let sends = (0..10).map(|_| {
            app.post(
                &path,
                Some(&token),
                json!({"body": "otra vez", "client_id": "c-2"}),
            )
        });
        let results = futures_util::future::join_all(sends).await;
        let ids: std::collections::HashSet<i64> = results
            .iter()
            .map(|(s, b)| {
                assert!(s.is_success(), "{b}");
                b["id"].as_i64().expect("id")
            })
            .collect();
        assert_eq!(ids.len(), 1, "one message for one client id");

        let (status, list) = app.get(&format!("{path}?after=0"), Some(&token)).await;
        assert_eq!(status, StatusCode::OK);
        let got: Vec<i64> = list["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .map(|m| m["id"].as_i64().expect("id"))
            .collect();
        assert_eq!(got, vec![1, 2]);
        let (_, after) = app.get(&format!("{path}?after=1"), Some(&token)).await;
        assert_eq!(after["messages"].as_array().map(Vec::len), Some(1));

        // Limits and bad input.
        let long = "x".repeat(4_001);
        let (status, body) = app.post(&path, Some(&token), json!({"body": long})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["code"], "message_too_long");
        let (status, _) = app
            .post(
                &path,
                Some(&token),
                json!({"body": "hola", "client_id": "con espacios"}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = app
            .post(&path, Some(&token), json!({"body": "x", "internal": true}))
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "customers cannot write internal notes"
        );

        // Nobody else gets in.
        let (status, _) = app.get(&path, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let other = app.login_as("cliente2@otra.test").await;
        let (status, _) = app.get(&path, Some(&other)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app
            .get(
                &format!("/api/v1/chats/{}/messages", chat + 1),
                Some(&token),
            )
            .await;
        assert!(
            status == StatusCode::NOT_FOUND,
            "another chat's id with this token: {status}"
        );

        // The agent must accept before answering; internal notes stay internal.
        let agent = app.login_as("agente@demo.test").await;
        let (status, body) = app.post(&path, Some(&agent), json!({"body": "Hola"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["error"]["code"], "chat_not_yours");
        let (status, view) = app
            .post(
                &format!("/api/v1/chats/{chat}/accept"),
                Some(&agent),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{view}");
        assert_eq!(view["status"], "active");
        let admin = app.login_as("admin@demo.test").await;
        let (status, body) = app
            .post(
                &format!("/api/v1/chats/{chat}/accept"),
                Some(&admin),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["error"]["code"], "chat_taken");
        let (status, _) = app
            .post(
                &path,
                Some(&agent),
                json!({"body": "nota: revisar firewall", "internal": true}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, reply) = app
            .post(&path, Some(&agent), json!({"body": "Ya le ayudo"}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(reply["role"], "agent");
        let (_, mine) = app.get(&format!("{path}?after=2"), Some(&token)).await;
        let bodies: Vec<&str> = mine["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .map(|m| m["body"].as_str().unwrap_or_default())
            .collect();
        assert!(!bodies.iter().any(|b| b.contains("firewall")), "{bodies:?}");
        assert!(bodies.contains(&"Ya le ayudo"));
        let (_, staff_view) = app.get(&format!("{path}?after=2"), Some(&agent)).await;
        assert!(staff_view.to_string().contains("firewall"));

        // Convert to a ticket (the anonymous visitor becomes a contact), close, rate, transcript.
        let (status, t) = app
            .post(
                &format!("/api/v1/chats/{chat}/ticket"),
                Some(&agent),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{t}");
        let ticket_id = t["ticket_id"].as_i64().expect("ticket");
        let (_, again) = app
            .post(
                &format!("/api/v1/chats/{chat}/ticket"),
                Some(&agent),
                json!({}),
            )
            .await;
        assert_eq!(again["ticket_id"], ticket_id, "converted once");
        let (status, ticket) = app
            .get(&format!("/api/v1/tickets/{ticket_id}"), Some(&agent))
            .await;
        assert_eq!(status, StatusCode::OK);
        let text = ticket.to_string();
        assert!(
            text.contains("Hola, no tengo VPN") && text.contains("Ya le ayudo"),
            "{text}"
        );
        assert!(
            !text.contains("firewall"),
            "internal notes stay out of the ticket"
        );
        let (status, _) = app
            .post(
                &format!("/api/v1/chats/{chat}/close"),
                Some(&token),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = app
            .post(&path, Some(&token), json!({"body": "¿sigue ahí?"}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["error"]["code"], "chat_closed");
        let rating = format!("/api/v1/chats/{chat}/rating");
        let (status, _) = app.post(&rating, Some(&token), json!({"rating": 6})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _) = app
            .post(
                &rating,
                Some(&token),
                json!({"rating": 5, "comment": "Rápido"}),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = app.post(&rating, Some(&token), json!({"rating": 1})).await;
        assert_eq!(status, StatusCode::CONFLICT);
        // Findings 2 and 3 of the attacker's walk: what an anonymous visitor types names
        // nobody, and the portal mails no stranger's text. The converted ticket waits where
        // only staff see it; the transcript waits for the address to confirm.
        let (_, ticket) = app
            .get(&format!("/api/v1/tickets/{ticket_id}"), Some(&agent))
            .await;
        assert_eq!(
            ticket["organization"],
            app::chat::service::UNVERIFIED_ORG,
            "{ticket}"
        );
        let (status, queued) = app
            .post(
                &format!("/api/v1/chats/{chat}/transcript"),
                Some(&token),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        assert_eq!(queued["outcome"], "confirm_address");
        let accounts = &app.state.services.accounts;
        let admin = accounts
            .authenticate(&admin, app::accounts::SessionKind::Api)
            .await
            .expect("admin");
        let mails_to_vera = || async {
            accounts
                .outbox(&admin)
                .await
                .expect("outbox")
                .into_iter()
                .filter(|m| m.to == "vera@visita.test")
                .collect::<Vec<_>>()
        };
        let mails = mails_to_vera().await;
        assert!(!mails.is_empty());
        assert!(
            mails
                .iter()
                .all(|m| !m.body.contains("VPN") && !m.body.contains("Vera")),
            "nothing the visitor typed is mailed before the address confirms: {mails:?}"
        );
        let link = mails[0]
            .body
            .split("confirmar-correo?token=")
            .nth(1)
            .and_then(|t| t.split_whitespace().next())
            .expect("confirmation link")
            .to_owned();
        app.state
            .services
            .chats
            .confirm_address(&link)
            .await
            .expect("confirmed");
        let err = app
            .state
            .services
            .chats
            .confirm_address(&link)
            .await
            .expect_err("once");
        assert_eq!(err.code, app::error::ErrorCode::TokenInvalid);
        let mails = mails_to_vera().await;
        let mail = mails
            .iter()
            .find(|m| m.subject.contains("Transcripción"))
            .expect("transcript mail after the confirmation");
        assert!(mail.body.contains("Hola, no tengo VPN") && !mail.body.contains("firewall"));
        let (_, ticket) = app
            .get(&format!("/api/v1/tickets/{ticket_id}"), Some(&agent))
            .await;
        assert_eq!(
            ticket["organization"], "Contacto web: vera@visita.test",
            "confirmed: the ticket is the visitor's own: {ticket}"
        );
        app.stop().await;
    }
);

both_backends!(
    sockets_deliver_live_and_resume_without_gaps,
    |backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        set_online(&app, "agente@demo.test").await;
        let customer = app.login_as("cliente@demo.test").await;
        let (status, started) = app.post("/api/v1/chats", Some(&customer), json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{started}");
        let chat = started["id"].as_i64().expect("id");
        assert!(
            started.get("token").is_none(),
            "signed-in customers need no chat token"
        );
        let agent = app.login_as("agente@demo.test").await;
        let (status, _) = app
            .post(
                &format!("/api/v1/chats/{chat}/accept"),
                Some(&agent),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);

        let addr = app.addr.to_string();
        let own_origin = format!("http://{addr}");
        // A foreign origin is refused before the upgrade.
        let url = format!("ws://{addr}/api/v1/chats/{chat}/ws?token={customer}");
        let mut req = url.as_str().into_client_request().expect("req");
        req.headers_mut()
            .insert("origin", "https://evil.test".parse().expect("origin"));
        match tokio_tungstenite::connect_async(req).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
                assert_eq!(res.status(), 403)
            }
            other => panic!("foreign origin accepted: {:?}", other.map(|_| ())),
        }

        let mut c = connect(&addr, chat, &customer, 0, Some(&own_origin)).await;
        let mut a = connect(&addr, chat, &agent, 0, None).await;
        let hello = next_event(&mut c, "hello").await;
        assert_eq!(hello["chat"]["status"], "active");
        // The server subscribes a socket before its hello: after it nothing can be missed.
        next_event(&mut a, "hello").await;
        // History first: the "joined" notice.
        let joined = next_event(&mut c, "message").await;
        assert_eq!(joined["role"], "system");

        send(&mut c, json!({"type": "typing", "typing": true})).await;
        let typing = next_event(&mut a, "typing").await;
        assert_eq!(typing["role"], "customer");
        assert_eq!(typing["typing"], true);

        send(
            &mut c,
            json!({"type": "message", "body": "Buenos días", "client_id": "w-1"}),
        )
        .await;
        let own = next_event(&mut c, "message").await;
        assert_eq!(
            own["client_id"], "w-1",
            "the sender gets its stored copy as acknowledgement"
        );
        let seen = loop {
            let m = next_event(&mut a, "message").await;
            if m["body"] == "Buenos días" {
                break m;
            }
        };
        assert_eq!(seen["id"], own["id"]);
        send(&mut a, json!({"type": "read", "id": seen["id"]})).await;
        let read = next_event(&mut c, "read").await;
        assert_eq!(read["role"], "agent");

        // Bad frames get an error event and the socket stays usable.
        send(&mut c, json!({"type": "nonsense"})).await;
        let err = next_event(&mut c, "error").await;
        assert_eq!(err["code"], "invalid_input");
        send(
            &mut c,
            json!({"type": "message", "body": "x".repeat(4_001)}),
        )
        .await;
        let err = next_event(&mut c, "error").await;
        assert_eq!(err["code"], "message_too_long");

        // The customer drops; the agent writes twice; the customer resumes after its last id.
        let last = own["id"].as_i64().expect("id");
        drop(c);
        for text in ["uno", "dos"] {
            send(
                &mut a,
                json!({"type": "message", "body": text, "client_id": format!("a-{text}")}),
            )
            .await;
            next_event(&mut a, "message").await;
        }
        // A resend of a message the server already has (its ack was lost): stored once.
        let (status, _) = app
            .post(
                &format!("/api/v1/chats/{chat}/messages"),
                Some(&customer),
                json!({"body": "Buenos días", "client_id": "w-1"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let mut c = connect(&addr, chat, &customer, last, Some(&own_origin)).await;
        next_event(&mut c, "hello").await;
        let m1 = next_event(&mut c, "message").await;
        let m2 = next_event(&mut c, "message").await;
        assert_eq!(
            (m1["body"].as_str(), m2["body"].as_str()),
            (Some("uno"), Some("dos"))
        );
        assert_eq!(m1["id"].as_i64(), Some(last + 1));
        assert_eq!(m2["id"].as_i64(), Some(last + 2));
        // Nothing else is pending: the next message is a fresh one.
        send(&mut a, json!({"type": "message", "body": "tres"})).await;
        let m3 = next_event(&mut c, "message").await;
        assert_eq!(m3["body"], "tres");
        assert_eq!(m3["id"].as_i64(), Some(last + 3));
        app.stop().await;
    }
);

// A socket checks what it sends against the conversation as it last loaded it (no query per
// message), reloaded on every status change; a refusal stale data could explain is checked again
// against the conversation as it is now.
both_backends!(
    a_socket_checks_messages_against_the_chat_as_it_is_now,
    |backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let db = common::Db::open(&app.db.as_ref().expect("database").url).await;
        let (chat, visitor) = start_visitor(&app).await;
        let agent = app.login_as("agente@demo.test").await;
        let addr = app.addr.to_string();
        let mut a = connect(&addr, chat, &agent, 0, None).await;
        let hello = next_event(&mut a, "hello").await;
        assert_eq!(hello["chat"]["status"], "waiting");
        send(&mut a, json!({"type": "message", "body": "uno"})).await;
        assert_eq!(next_event(&mut a, "error").await["code"], "chat_not_yours");

        // Accepted beneath the portal (no signal reaches the socket): the refusal is checked
        // again against the database, and the message goes in.
        db.execute(&format!(
            "UPDATE chats SET status = 'active', agent_id = \
             (SELECT id FROM users WHERE email = 'agente@demo.test') WHERE id = {chat}"
        ))
        .await;
        send(
            &mut a,
            json!({"type": "message", "body": "dos", "client_id": "a-2"}),
        )
        .await;
        let stored = next_event(&mut a, "message").await;
        assert_eq!(stored["body"], "dos");

        // Closed by the visitor: the socket hears it and refuses what follows.
        let (status, _) = app
            .post(
                &format!("/api/v1/chats/{chat}/close"),
                Some(&visitor),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let closed = next_event(&mut a, "status").await;
        assert_eq!(closed["chat"]["status"], "closed");
        send(&mut a, json!({"type": "message", "body": "tres"})).await;
        assert_eq!(next_event(&mut a, "error").await["code"], "chat_closed");
        let (_, all) = app
            .get(&format!("/api/v1/chats/{chat}/messages"), Some(&agent))
            .await;
        let bodies: Vec<&str> = all["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .filter_map(|m| m["body"].as_str())
            .collect();
        assert!(bodies.contains(&"dos"), "{bodies:?}");
        assert!(
            !bodies.contains(&"uno") && !bodies.contains(&"tres"),
            "{bodies:?}"
        );
        db.close().await;
        app.stop().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_on_postgres_deliver_across_instances() {
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    // Both processes on one database; only A loads the demo data.
    let a = Process::start(&db, free_addr(), &[]).await;
    let b = Process::start(&db, free_addr(), &[("PORTAL_DEMO", "0".into())]).await;
    let (a_addr, b_addr) = (a.addr.to_string(), b.addr.to_string());
    let client = reqwest::Client::new();
    let token = |addr: String, email: &'static str| {
        let client = client.clone();
        async move {
            let res: Value = client
                .post(format!("http://{addr}/api/v1/auth/token"))
                .json(&json!({"email": email, "password": common::DEMO_PASSWORD}))
                .send()
                .await
                .expect("token")
                .json()
                .await
                .expect("json");
            res["token"].as_str().expect("token").to_owned()
        }
    };
    // Sessions live in the database: a token from A works on B.
    let customer = token(a_addr.clone(), "cliente@demo.test").await;
    let agent = token(b_addr.clone(), "agente@demo.test").await;
    let started: Value = client
        .post(format!("http://{}/api/v1/chats", a_addr))
        .bearer_auth(&customer)
        .json(&json!({}))
        .send()
        .await
        .expect("start")
        .json()
        .await
        .expect("json");
    let chat = started["id"].as_i64().expect("chat id");
    let accepted = client
        .post(format!("http://{}/api/v1/chats/{chat}/accept", b_addr))
        .bearer_auth(&agent)
        .send()
        .await
        .expect("accept");
    assert_eq!(accepted.status(), StatusCode::OK);

    // The customer is connected to A, the agent to B.
    let mut on_a = connect(&a_addr, chat, &customer, 0, None).await;
    let mut on_b = connect(&b_addr, chat, &agent, 0, None).await;
    next_event(&mut on_a, "hello").await;
    next_event(&mut on_b, "hello").await;
    // Let both listeners settle, then send from each side.
    tokio::time::sleep(Duration::from_millis(200)).await;
    send(
        &mut on_b,
        json!({"type": "message", "body": "desde B", "client_id": "b-1"}),
    )
    .await;
    let got = loop {
        let m = next_event(&mut on_a, "message").await;
        if m["body"] == "desde B" {
            break m;
        }
    };
    assert_eq!(got["role"], "agent");
    send(&mut on_a, json!({"type": "typing", "typing": true})).await;
    let typing = next_event(&mut on_b, "typing").await;
    assert_eq!(typing["role"], "customer");
    // REST on A, live on B.
    let posted = client
        .post(format!("http://{}/api/v1/chats/{chat}/messages", a_addr))
        .bearer_auth(&customer)
        .json(&json!({"body": "desde A", "client_id": "a-1"}))
        .send()
        .await
        .expect("post");
    assert_eq!(posted.status(), StatusCode::CREATED);
    let got = loop {
        let m = next_event(&mut on_b, "message").await;
        if m["body"] == "desde A" {
            break m;
        }
    };
    assert_eq!(got["client_id"], "a-1");
    a.kill();
    b.kill();
    db.cleanup().await;
}

/// Signals published at once by many tasks of one instance reach the other instance complete,
/// each task's own signals in the order it published them, while the publishing hub groups
/// them into shared NOTIFY statements.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_notifications_crosses_instances_complete_and_in_order() {
    use app::chat::fanout::{Fanout, Signal, Topic};
    use app::chat::store::ChatStore;
    use app::domain::chat::ChatRole;
    use server::chat_hub::PgHub;
    use std::sync::Arc;
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let storage = server::storage::Db::connect(&db.url)
        .await
        .expect("database");
    let server::storage::Db::Postgres(pool) = &storage else {
        panic!("a PostgreSQL test database");
    };
    let a = Arc::new(PgHub::new(pool.clone()));
    let b = Arc::new(PgHub::new(pool.clone()));
    let store: Arc<dyn ChatStore> = Arc::new(server::storage::ChatDb::new(storage.clone()));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut on_b = b.subscribe(Topic::Chat(1));
    let listener = tokio::spawn(b.clone().listen(store, stopped));
    // The listener says `Resync` once it listens.
    let first = tokio::time::timeout(Duration::from_secs(10), on_b.recv()).await;
    assert!(matches!(first, Ok(Ok(Signal::Resync))), "{first:?}");

    const TASKS: i64 = 20;
    const EACH: i64 = 10;
    let publishers: Vec<_> = (0..TASKS)
        .map(|task| {
            let a = a.clone();
            tokio::spawn(async move {
                for n in 0..EACH {
                    a.publish(Signal::Read {
                        chat_id: 1,
                        role: ChatRole::Agent,
                        id: task * 1000 + n,
                    })
                    .await;
                }
            })
        })
        .collect();
    for p in publishers {
        p.await.expect("publisher");
    }
    let mut next = vec![0i64; TASKS as usize];
    for _ in 0..TASKS * EACH {
        let got = tokio::time::timeout(Duration::from_secs(10), on_b.recv())
            .await
            .expect("every signal arrives")
            .expect("no signal is lost");
        let Signal::Read { id, .. } = got else {
            panic!("unexpected signal {got:?}");
        };
        let (task, n) = (id / 1000, id % 1000);
        assert_eq!(n, next[task as usize], "task {task}: in its order");
        next[task as usize] += 1;
    }
    assert!(next.iter().all(|&n| n == EACH));
    let _ = stop.send(true);
    let _ = listener.await;
    drop(storage);
    db.cleanup().await;
}

/// Messages sent together are written in shared transactions (group commit): each conversation
/// still numbers its messages 1, 2, 3… without gaps, a client id sent twice at once is stored
/// once, and a message that cannot be stored (unknown conversation) fails alone.
async fn concurrent_messages_are_group_committed(backend: Backend) {
    use app::chat::store::{ChatStore, NewChat, NewChatMessage};
    use app::domain::chat::ChatRole;
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let store = server::storage::ChatDb::new(
        server::storage::Db::connect(&db.url)
            .await
            .expect("database"),
    );
    let now = chrono::Utc::now();
    let mut chats = Vec::new();
    for i in 0..6 {
        let email = format!("v{i}@visita.test");
        let id = store
            .create_chat(NewChat {
                customer_id: None,
                org_id: None,
                visitor_name: "Visitante",
                visitor_email: &email,
                token_hash: None,
                client_ip: None,
                now,
            })
            .await
            .expect("chat");
        chats.push(id);
    }
    // 6 conversations × 25 messages, a duplicated client id in each, and one message for a
    // conversation that does not exist, all sent at once.
    let mut sends = Vec::new();
    for (c, &chat) in chats.iter().enumerate() {
        for n in 0..25 {
            sends.push((chat, format!("c{c}-{n}")));
        }
        sends.push((chat, format!("c{c}-7")));
    }
    sends.push((i64::MAX, "nadie".to_owned()));
    let results = futures_util::future::join_all(sends.iter().map(|(chat, client_id)| {
        store.add_message(NewChatMessage {
            chat_id: *chat,
            author_id: None,
            author_name: "Visitante",
            role: ChatRole::Customer,
            body: client_id,
            internal: false,
            client_id: Some(client_id),
            attachment_id: None,
            now,
            outbound: false,
        })
    }))
    .await;
    let (failed, stored): (Vec<_>, Vec<_>) = results
        .into_iter()
        .zip(&sends)
        .partition(|(r, _)| r.is_err());
    assert_eq!(failed.len(), 1, "only the unknown conversation fails");
    assert_eq!(failed[0].1 .0, i64::MAX);
    let new = stored
        .iter()
        .filter(|(r, _)| matches!(r, Ok((_, true))))
        .count();
    assert_eq!(new, 6 * 25, "each client id is stored once");
    for (result, (_, client_id)) in &stored {
        let (message, _) = result.as_ref().expect("stored");
        assert_eq!(message.client_id.as_deref(), Some(client_id.as_str()));
        assert_eq!(&message.body, client_id);
    }
    for &chat in &chats {
        let messages = store
            .messages_after(chat, 0, true, 100)
            .await
            .expect("messages");
        let ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
        assert_eq!(ids, (1..=25).collect::<Vec<i64>>(), "chat {chat}: no gaps");
        let view = store.get_chat(chat).await.expect("chat").expect("exists");
        assert_eq!(view.view.last_id, 25, "counter matches the stored messages");
    }
    db.cleanup().await;
}

#[tokio::test]
async fn concurrent_messages_are_group_committed_sqlite() {
    concurrent_messages_are_group_committed(Backend::Sqlite).await;
}

#[tokio::test]
async fn concurrent_messages_are_group_committed_postgres() {
    concurrent_messages_are_group_committed(Backend::Postgres).await;
}
