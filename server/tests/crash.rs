//! Crash safety: the real server binary takes acknowledged writes (tickets, chat messages,
//! hour-ledger entries) from concurrent clients and is killed with SIGKILL at random moments,
//! 20 times, restarting each time. Every write the portal acknowledged must be stored exactly
//! once, none that it did not acknowledge may be stored twice, and the hour ledger must still
//! balance. On SQLite this holds because of WAL with `synchronous=FULL`.

mod common;

use common::{free_addr, token_at, Backend, Process, TestDb};
use rand::Rng;
use reqwest::Client;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const CYCLES: usize = 20;

#[derive(Default)]
struct Ledger {
    /// Markers of writes answered with success.
    acknowledged: Vec<String>,
    /// Markers of writes whose answer never came (the process died): stored at most once.
    unknown: Vec<String>,
}

#[derive(Clone, Copy)]
enum Write {
    Ticket,
    ChatMessage,
    HourEntry,
}

struct Writer {
    base: String,
    token: String,
    chat: i64,
    org: i64,
}

impl Writer {
    async fn send(&self, client: &Client, kind: Write, marker: &str) -> Result<bool, ()> {
        let request = match kind {
            Write::Ticket => client
                .post(format!("{}/api/v1/tickets", self.base))
                .json(&json!({"subject": marker, "body": "Prueba de caída", "kind": "question", "priority": "normal"})),
            Write::ChatMessage => client
                .post(format!("{}/api/v1/chats/{}/messages", self.base, self.chat))
                .json(&json!({"body": marker, "client_id": marker})),
            Write::HourEntry => client
                .post(format!("{}/api/v1/hours/adjustments", self.base))
                .json(&json!({"organization_id": self.org, "minutes": 60, "reason": marker, "validity_months": 12})),
        };
        match request
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(5))
            .send()
            .await
        {
            Ok(res) if res.status().is_success() => Ok(true),
            Ok(res) if res.status().is_server_error() => Err(()),
            Ok(res) => panic!("write refused: {} {:?}", res.status(), res.text().await),
            // No answer: the write may or may not have happened.
            Err(_) => Err(()),
        }
    }
}

both_backends!(sigkill_loop, |backend| async move {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let addr = free_addr();
    let base = format!("http://{addr}");
    let process = Process::start(&db, addr, &[]).await;
    let client = Client::new();
    let customer = token_at(&client, &base, "cliente@demo.test").await;
    let admin = token_at(&client, &base, "admin@demo.test").await;
    let me: Value = client
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(&customer)
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("me body");
    let org = me["organization"]["id"].as_i64().expect("org id");
    let chat: Value = client
        .post(format!("{base}/api/v1/chats"))
        .bearer_auth(&customer)
        .json(&json!({"name": "Carlos Cliente", "email": "cliente@demo.test"}))
        .send()
        .await
        .expect("chat")
        .json()
        .await
        .expect("chat body");
    let chat_id = chat["id"].as_i64().expect("chat id");
    let chat_token = chat["token"].as_str().unwrap_or(&customer).to_owned();

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let running = Arc::new(AtomicBool::new(true));
    let mut writers = Vec::new();
    for (n, (kind, token)) in [
        (Write::Ticket, customer.clone()),
        (Write::Ticket, customer.clone()),
        (Write::ChatMessage, chat_token.clone()),
        (Write::HourEntry, admin.clone()),
        (Write::HourEntry, admin.clone()),
    ]
    .into_iter()
    .enumerate()
    {
        let writer = Writer {
            base: base.clone(),
            token,
            chat: chat_id,
            org,
        };
        let ledger = ledger.clone();
        let running = running.clone();
        writers.push(tokio::spawn(async move {
            let client = Client::new();
            let mut seq = 0u64;
            while running.load(Ordering::Relaxed) {
                seq += 1;
                let marker = format!("crash-{n}-{seq}");
                match writer.send(&client, kind, &marker).await {
                    Ok(_) => ledger.lock().expect("ledger").acknowledged.push(marker),
                    Err(()) => {
                        ledger.lock().expect("ledger").unknown.push(marker);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            }
        }));
    }

    let mut process = Some(process);
    for cycle in 0..CYCLES {
        let wait = rand::thread_rng().gen_range(150..900);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        if let Some(p) = process.take() {
            p.kill();
        }
        let before = ledger.lock().expect("ledger").acknowledged.len();
        process = Some(Process::start(&db, addr, &[]).await);
        eprintln!("cycle {cycle}: killed after {wait} ms, {before} writes acknowledged so far");
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    running.store(false, Ordering::Relaxed);
    for w in writers {
        w.await.expect("writer");
    }
    if let Some(p) = process.take() {
        p.kill();
    }

    let ledger = Arc::try_unwrap(ledger)
        .ok()
        .expect("writers done")
        .into_inner()
        .expect("ledger");
    assert!(
        ledger.acknowledged.len() >= 100,
        "too few writes to mean anything: {}",
        ledger.acknowledged.len()
    );
    assert!(
        !ledger.unknown.is_empty(),
        "no write was ever cut off: the kills did not hit traffic"
    );

    let store = common::Db::open(&db.url).await;
    let sql_for = |marker: &str| {
        let writer: usize = marker
            .split('-')
            .nth(1)
            .and_then(|n| n.parse().ok())
            .expect("marker");
        match writer {
            0 | 1 => "SELECT COUNT(*) FROM tickets WHERE subject = $1",
            2 => "SELECT COUNT(*) FROM chat_messages WHERE body = $1",
            _ => "SELECT COUNT(*) FROM hour_ledger WHERE note = $1",
        }
    };
    for marker in &ledger.acknowledged {
        assert_eq!(
            store.count(sql_for(marker), marker).await,
            1,
            "acknowledged write {marker}"
        );
    }
    for marker in &ledger.unknown {
        assert!(
            store.count(sql_for(marker), marker).await <= 1,
            "unacknowledged write {marker} stored twice"
        );
    }
    // The ledger balances: no purchase lot overdrawn, and the balance the portal reports is
    // the sum of its entries.
    let overdrawn = store
        .count(
            "SELECT COUNT(*) FROM hour_ledger lot WHERE lot.lot_id IS NULL AND lot.org_id = \
             CAST($1 AS BIGINT) AND lot.minutes + COALESCE((SELECT SUM(d.minutes) FROM \
             hour_ledger d WHERE d.lot_id = lot.id), 0) < 0",
            &org.to_string(),
        )
        .await;
    assert_eq!(overdrawn, 0);
    let sum = store
        .count(
            "SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT) FROM hour_ledger \
             WHERE org_id = CAST($1 AS BIGINT)",
            &org.to_string(),
        )
        .await;
    let process = Process::start(&db, addr, &[]).await;
    let hours: Value = client
        .get(format!("{base}/api/v1/hours?organization_id={org}"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("hours")
        .json()
        .await
        .expect("hours body");
    assert_eq!(hours["balance_minutes"].as_i64(), Some(sum), "{hours}");
    eprintln!(
        "{backend:?}: {} acknowledged writes all stored once; {} unanswered (cut off or refused while down), none stored twice; balance {sum} min",
        ledger.acknowledged.len(),
        ledger.unknown.len()
    );
    process.kill();
    store.close().await;
    db.cleanup().await;
});
