//! Two portal instances (the real binary) on one PostgreSQL database, attachments in an
//! S3-compatible bucket: sessions, tickets and files work through either instance; the
//! background jobs run in exactly one of them; when that one is killed (SIGKILL) the other
//! takes the jobs over within the lease time, its users keep working, and no job ever ran in
//! both at once.

mod common;

use common::{free_addr, token_at, Backend, Db, Process, TestDb, S3};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

const LOG: &[u8] = b"2026-11-27 09:00 ERROR la VPN rechaza el certificado\n";

/// (holder, term, started_ms, finished_ms or -1) of every SLA-watch run, oldest first.
async fn runs(db: &Db) -> Vec<(String, i64, i64, i64)> {
    db.rows(
        "SELECT holder, CAST(term AS TEXT), CAST(started_ms AS TEXT), \
         CAST(COALESCE(finished_ms, -1) AS TEXT) FROM job_runs WHERE job = 'sla_watch' \
         ORDER BY started_ms, id",
    )
    .await
    .into_iter()
    .map(|r| {
        let n = |i: usize| r[i].parse::<i64>().expect("number");
        (r[0].clone(), n(1), n(2), n(3))
    })
    .collect()
}

async fn open_ticket(client: &Client, base: &str, token: &str, subject: &str) -> i64 {
    let res = client
        .post(format!("{base}/api/v1/tickets"))
        .bearer_auth(token)
        .json(&json!({"subject": subject, "body": "Detalle", "kind": "question", "priority": "normal"}))
        .send()
        .await
        .expect("ticket");
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.expect("ticket body");
    body["id"].as_i64().expect("id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_one_job_runner() {
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let Some(s3) = S3::start().await else {
        db.cleanup().await;
        return;
    };
    let mut env = s3.env();
    env.extend([
        ("PORTAL_FILES_URL", s3.url("files")),
        ("PORTAL_JOB_LEASE_SECONDS", "2".to_owned()),
        ("PORTAL_SLA_WATCH_SECONDS", "1".to_owned()),
    ]);
    let with_name = |name: &str| {
        let mut e = env.clone();
        e.push(("PORTAL_INSTANCE", name.to_owned()));
        e
    };
    let a = Process::start(&db, free_addr(), &with_name("a")).await;
    let b_addr = free_addr();
    let b = Process::start(&db, b_addr, &with_name("b")).await;
    let (base_a, base_b) = (a.url(""), b.url(""));
    let client = Client::new();
    let store = Db::open(&db.url).await;

    // A started first and holds the lease; B serves but runs no job.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let before = runs(&store).await;
    assert!(
        before.len() >= 2,
        "the SLA watch runs every second: {before:?}"
    );
    assert!(
        before.iter().all(|r| r.0 == "a"),
        "only A runs jobs: {before:?}"
    );

    // One session, one ticket, one attachment, through either instance.
    let token = token_at(&client, &base_a, "cliente@demo.test").await;
    let ticket = open_ticket(&client, &base_a, &token, "VPN caída").await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(LOG.to_vec()).file_name("vpn.log"),
    );
    let res = client
        .post(format!("{base_a}/api/v1/tickets/{ticket}/attachments"))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), StatusCode::CREATED);
    let file: Value = res.json().await.expect("upload body");
    let file_id = file["id"].as_i64().expect("file id");
    let res = client
        .get(format!("{base_b}/api/v1/attachments/{file_id}"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("download on B");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.expect("bytes").as_ref(), LOG);
    assert!(
        !db.data_dir().join("files").exists(),
        "attachments live in the bucket, not on a disk"
    );

    // A dies. B's users keep working, and B takes the jobs over within the lease time.
    let killed_at = chrono::Utc::now().timestamp_millis();
    a.kill();
    let res = client
        .get(format!("{base_b}/api/v1/tickets/{ticket}"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("ticket on B");
    assert_eq!(res.status(), StatusCode::OK);
    let second = open_ticket(&client, &base_b, &token, "Impresora sin red").await;
    assert!(second > ticket);
    let mut taken_over = None;
    for _ in 0..80 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Some(run) = runs(&store).await.into_iter().find(|r| r.0 == "b") {
            taken_over = Some(run);
            break;
        }
    }
    let taken_over = taken_over.expect("B runs the jobs after A died");
    let delay = taken_over.2 - killed_at;
    assert!(delay < 5_000, "takeover after {delay} ms");

    // A comes back: B keeps the lease, A runs nothing.
    let a_again = Process::start(&db, free_addr(), &with_name("a")).await;
    let back_at = chrono::Utc::now().timestamp_millis();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let all = runs(&store).await;
    assert!(
        all.iter().filter(|r| r.2 > back_at).all(|r| r.0 == "b"),
        "the returning instance must not run jobs while B holds the lease: {all:?}"
    );

    // Never twice at once: runs of different instances never overlap, and each takeover has
    // a newer term.
    for pair in all.windows(2) {
        let (prev, next) = (&pair[0], &pair[1]);
        if prev.0 != next.0 {
            assert!(next.1 > prev.1, "takeover without a new term: {pair:?}");
            let prev_end = if prev.3 >= 0 { prev.3 } else { prev.2 };
            assert!(prev_end <= next.2, "overlapping runs: {pair:?}");
        } else {
            assert!(
                prev.3 == -1 || prev.3 <= next.2,
                "a run overlapped its successor: {pair:?}"
            );
        }
    }
    eprintln!(
        "{} SLA-watch runs; B took over {delay} ms after A was killed",
        all.len()
    );
    a_again.kill();
    b.kill();
    store.close().await;
    db.cleanup().await;
}
