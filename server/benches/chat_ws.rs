//! Chat fan-out latency and memory: `cargo bench -p server --bench chat_ws`.
//!
//! Starts the real server binary, opens CHAT_BENCH_CLIENTS WebSocket clients (default 1,000)
//! spread over conversations of CHAT_BENCH_PER_CHAT subscribers (default 10), then in each of
//! CHAT_BENCH_ROUNDS rounds (default 20) one subscriber of every conversation sends a message.
//! Latency is measured from the send to its receipt on every subscriber of that conversation
//! (including the sender's own acknowledgement); the server's resident memory is read before and
//! after the clients connect (idle) to give memory per connection.
//!
//! With PostgreSQL reachable (PORTAL_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres)
//! the same runs across two server processes on one database, subscribers split between them and
//! senders on the first, so every other delivery crosses instances through LISTEN/NOTIFY.

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

const PASSWORD: &str = "Demo-2026!";

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Server {
    child: std::process::Child,
    addr: String,
}

impl Server {
    fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(database_url: &str, demo: bool) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let dir = tempfile::tempdir().expect("dir").keep();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DATABASE_URL", database_url)
        .env("PORTAL_DATA_DIR", &dir)
        .env("PORTAL_DEMO", if demo { "1" } else { "0" })
        .env(
            "PORTAL_SECRET",
            "chat-bench-secret-0123456789abcdef0123456789",
        )
        .env("PORTAL_CHAT_MSGS_PER_IP", "0")
        .env("LEPTOS_SITE_ADDR", &addr)
        .env("RUST_LOG", "error")
        .spawn()
        .expect("server binary");
    // Owned at once, so the process is killed and reaped on every path (Drop).
    let server = Server { child, addr };
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = client
            .get(format!("http://{}/readyz", server.addr))
            .send()
            .await
        {
            if r.status().is_success() {
                return server;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server on {} did not start", server.addr);
}

async fn token(addr: &str, email: &str) -> String {
    let v: Value = reqwest::Client::new()
        .post(format!("http://{addr}/api/v1/auth/token"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    v["token"].as_str().expect("token").to_owned()
}

/// The part of a server event the clock reads.
#[derive(serde::Deserialize)]
struct Event<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    client_id: Option<std::borrow::Cow<'a, str>>,
}

/// When each client id was sent, and the latencies measured so far.
#[derive(Default)]
struct Clock {
    sent: HashMap<String, Instant>,
    latencies: Vec<Duration>,
    /// The same latencies by round (`CHAT_BENCH_DETAIL=1` prints them).
    by_round: HashMap<usize, Vec<Duration>>,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn run(label: &str, servers: &[&Server], clients: usize, per_chat: usize, rounds: usize) {
    let agent = token(&servers[0].addr, "agente@demo.test").await;
    let http = reqwest::Client::new();
    let chats = clients.div_ceil(per_chat);
    let mut chat_ids = Vec::with_capacity(chats);
    for i in 0..chats {
        let v: Value = http
            .post(format!("http://{}/api/v1/chats", servers[0].addr))
            .json(&json!({"name": format!("Visitante {i}"), "email": format!("v{i}@bench.test")}))
            .send()
            .await
            .expect("start chat")
            .json()
            .await
            .expect("json");
        let id = v["id"].as_i64().expect("chat id");
        let accepted = http
            .post(format!(
                "http://{}/api/v1/chats/{id}/accept",
                servers[0].addr
            ))
            .bearer_auth(&agent)
            .send()
            .await
            .expect("accept");
        // Past the agent's concurrent-chat limit chats stay waiting; staff may still post
        // internal notes there, so senders write internal notes everywhere for a uniform load.
        let _ = accepted;
        chat_ids.push(id);
    }
    let rss_before: Vec<u64> = servers.iter().map(|s| s.rss_kib()).collect();
    let clock = Arc::new(Mutex::new(Clock::default()));
    let mut senders = Vec::new();
    let (ready_tx, mut ready_rx) = mpsc::channel::<()>(clients);
    for n in 0..clients {
        let chat = chat_ids[n % chats];
        let server = servers[n % servers.len()];
        let url = format!(
            "ws://{}/api/v1/chats/{chat}/ws?after=0&token={agent}",
            server.addr
        );
        let (socket, _) = tokio_tungstenite::connect_async(url).await.expect("socket");
        let (write, mut read) = socket.split();
        let clock = clock.clone();
        let ready = ready_tx.clone();
        tokio::spawn(async move {
            let mut greeted = false;
            while let Some(Ok(frame)) = read.next().await {
                let Message::Text(text) = frame else { continue };
                // Only the two fields the clock needs: the harness shares the server's cores.
                let Ok(event) = serde_json::from_str::<Event>(&text) else {
                    continue;
                };
                if !greeted && event.kind == "hello" {
                    greeted = true;
                    let _ = ready.send(()).await;
                }
                if event.kind == "message" {
                    if let Some(cid) = event.client_id {
                        let mut c = clock.lock().unwrap_or_else(|e| e.into_inner());
                        if let Some(at) = c.sent.get(cid.as_ref()).copied() {
                            let latency = at.elapsed();
                            c.latencies.push(latency);
                            if let Some(round) =
                                cid.rsplit_once('-').and_then(|(_, r)| r.parse().ok())
                            {
                                c.by_round.entry(round).or_default().push(latency);
                            }
                        }
                    }
                }
            }
        });
        if n < chats {
            senders.push((chat, write));
        }
    }
    for _ in 0..clients {
        ready_rx.recv().await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_idle: Vec<u64> = servers.iter().map(|s| s.rss_kib()).collect();
    let per_conn_kib: f64 = rss_idle
        .iter()
        .zip(&rss_before)
        .map(|(a, b)| a.saturating_sub(*b) as f64)
        .sum::<f64>()
        / clients as f64;

    let started = Instant::now();
    for round in 0..rounds {
        for (chat, write) in senders.iter_mut() {
            let cid = format!("b{chat}-{round}");
            clock
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .sent
                .insert(cid.clone(), Instant::now());
            let frame = json!({"type": "message", "body": format!("mensaje {round}"), "client_id": cid, "internal": true});
            write
                .send(Message::Text(frame.to_string().into()))
                .await
                .expect("send");
        }
        // 4 rounds per second: below the per-connection limit of 5 messages per second.
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let expected = rounds * clients;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let got = clock
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .latencies
            .len();
        if got >= expected || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut lat = clock
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .latencies
        .clone();
    lat.sort();
    let elapsed = started.elapsed().as_secs_f64();
    if std::env::var("CHAT_BENCH_DETAIL").is_ok() {
        let mut rounds: Vec<(usize, Vec<Duration>)> = clock
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .by_round
            .drain()
            .collect();
        rounds.sort_by_key(|(round, _)| *round);
        for (round, mut l) in rounds {
            l.sort();
            println!(
                "  round {round:2}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                percentile(&l, 0.5),
                percentile(&l, 0.99),
                percentile(&l, 1.0)
            );
        }
    }
    println!(
        "{label}: {clients} clients in {chats} conversations, {rounds} rounds: {}/{} deliveries \
         ({:.0}/s), latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; idle memory {:.1} KiB per connection",
        lat.len(),
        expected,
        lat.len() as f64 / elapsed,
        percentile(&lat, 0.50),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0),
        per_conn_kib,
    );
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let clients = env_num("CHAT_BENCH_CLIENTS", 1_000);
    let per_chat = env_num("CHAT_BENCH_PER_CHAT", 10).max(1);
    let rounds = env_num("CHAT_BENCH_ROUNDS", 20);

    let dir = tempfile::tempdir().expect("dir");
    let sqlite = format!("sqlite://{}/bench.db", dir.path().display());
    let server = start(&sqlite, true).await;
    run(
        "SQLite, one instance",
        &[&server],
        clients,
        per_chat,
        rounds,
    )
    .await;
    drop(server);

    let admin = std::env::var("PORTAL_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    use sqlx::Connection;
    let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await else {
        println!("PostgreSQL unreachable: two-instance run skipped");
        return;
    };
    let name = format!("portal_bench_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create database");
    let base = admin
        .rsplit_once('/')
        .map(|(b, _)| b.to_owned())
        .unwrap_or(admin);
    let url = format!("{base}/{name}");
    {
        let a = start(&url, true).await;
        let b = start(&url, false).await;
        run(
            "PostgreSQL, two instances",
            &[&a, &b],
            clients,
            per_chat,
            rounds,
        )
        .await;
    }
    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await;
}
