//! RPO / RTO figures for an SQLite deployment with 100,000 tickets:
//! `cargo bench -p server --bench restore_drill`. Loads the demo data, adds 100,000 tickets,
//! takes a backup (archive size and time), deletes the data folder, restores the archive and
//! starts the portal until `/readyz` answers; RTO = restore + start.

use server::backup;
use server::config::Config;
use server::startup;
use std::time::Instant;

const TICKETS: i64 = 100_000;

fn config(data: &str) -> Config {
    let data = data.to_owned();
    Config::from_lookup(move |k| match k {
        "DATABASE_URL" => Some(format!("sqlite://{data}/portal.db")),
        "PORTAL_DATA_DIR" => Some(data.clone()),
        "PORTAL_DEMO" => Some("1".into()),
        "PORTAL_BACKUP_MINUTES" => Some("0".into()),
        "LEPTOS_SITE_ADDR" => Some("127.0.0.1:0".into()),
        _ => None,
    })
    .expect("config")
}

async fn serve_until_ready(
    config: &Config,
) -> (tokio::sync::oneshot::Sender<()>, std::time::Duration) {
    let started = Instant::now();
    let portal = startup::build(config).await.expect("portal");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(startup::serve(portal, listener, async {
        let _ = rx.await;
    }));
    let client = reqwest::Client::new();
    loop {
        if let Ok(res) = client.get(format!("http://{addr}/readyz")).send().await {
            if res.status().is_success() {
                return (tx, started.elapsed());
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().display().to_string();
    let config = config(&data);
    let (stop, _) = serve_until_ready(&config).await;
    let db = server::storage::Db::connect(&config.database_url)
        .await
        .expect("db");
    let server::storage::Db::Sqlite(pool) = &db else {
        unreachable!("the drill uses SQLite")
    };
    let fill = Instant::now();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
         INSERT INTO tickets (org_id, requester_id, subject, body, kind, priority, plan, on_site, status, \
           received_at, first_response_due, updated_at, source) \
         SELECT u.org_id, u.id, 'Ticket de carga ' || n.i, 'Descripción del ticket ' || n.i, 'question', \
           'normal', 'premium', 0, 'new', '2026-11-26T15:00:00Z', '2026-11-27T15:00:00Z', \
           '2026-11-26T15:00:00Z', 'portal' \
         FROM n, (SELECT id, org_id FROM users WHERE email = 'cliente@demo.test') u",
    )
    .bind(TICKETS)
    .execute(pool)
    .await
    .expect("fill");
    println!(
        "{TICKETS} tickets written in {:.1} s",
        fill.elapsed().as_secs_f64()
    );

    let dest = tempfile::tempdir().expect("backup dir");
    let taken = Instant::now();
    let archive = backup::create(&db, dir.path(), dest.path(), chrono::Utc::now())
        .await
        .expect("backup");
    let backup_time = taken.elapsed();
    let size = std::fs::metadata(&archive).map(|m| m.len()).unwrap_or(0);
    db.close().await;
    let _ = stop.send(());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let verify = Instant::now();
    backup::verify(&archive).expect("verify");
    let verify_time = verify.elapsed();
    for entry in std::fs::read_dir(dir.path()).expect("data dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path).expect("remove");
        } else {
            std::fs::remove_file(&path).expect("remove");
        }
    }
    let restore = Instant::now();
    let db_file = backup::sqlite_path(&config.database_url).expect("path");
    backup::restore(&archive, &db_file, dir.path(), false).expect("restore");
    let restore_time = restore.elapsed();
    let (stop, start_time) = serve_until_ready(&config).await;
    let db = server::storage::Db::connect(&config.database_url)
        .await
        .expect("db");
    let server::storage::Db::Sqlite(pool) = &db else {
        unreachable!("the drill uses SQLite")
    };
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
        .fetch_one(pool)
        .await
        .expect("count");
    assert!(count >= TICKETS, "{count} tickets after restore");
    let _ = stop.send(());
    println!(
        "backup: {:.2} s, archive {:.1} MB; verify: {:.2} s; restore: {:.2} s; start until ready: {:.2} s; \
         RTO (restore + start) {:.2} s; {count} tickets back",
        backup_time.as_secs_f64(),
        size as f64 / 1_048_576.0,
        verify_time.as_secs_f64(),
        restore_time.as_secs_f64(),
        start_time.as_secs_f64(),
        (restore_time + start_time).as_secs_f64(),
    );
}
