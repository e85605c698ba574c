//! Restore drill on SQLite: the portal serves and keeps writing while a backup is taken; the
//! archive verifies, a damaged copy does not; the data folder is destroyed, the archive is
//! restored (refused over an existing database without --force), the portal starts again and
//! every record and attachment acknowledged before the backup is back.

mod common;

use common::{free_addr, token_at, Backend, Process, TestApp, TestDb, S3};
use reqwest::StatusCode;
use serde_json::{json, Value};
use server::backup;

const LOG: &[u8] = b"2026-11-26 10:00 ERROR cola de impresion detenida\n";

async fn open_ticket(app: &TestApp, token: &str, subject: &str) -> i64 {
    let (status, body) = app
        .post(
            "/api/v1/tickets",
            Some(token),
            json!({"subject": subject, "body": "Detalle", "kind": "question", "priority": "normal"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().expect("id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_restore_drill() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let token = app.login_as("cliente@demo.test").await;
    let mut before = Vec::new();
    for n in 0..20 {
        before.push(open_ticket(&app, &token, &format!("Antes del respaldo {n}")).await);
    }
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(LOG.to_vec()).file_name("cola.log"),
    );
    let res = app
        .client
        .post(app.url(&format!("/api/v1/tickets/{}/attachments", before[0])))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), StatusCode::CREATED);
    let attachment: Value = res.json().await.expect("attachment");

    // Writes keep coming while the snapshot is taken.
    let writer = {
        let client = app.client.clone();
        let url = app.url("/api/v1/tickets");
        let token = token.clone();
        tokio::spawn(async move {
            for n in 0..30 {
                let _ = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"subject": format!("Durante {n}"), "body": "x", "kind": "question", "priority": "normal"}))
                    .send()
                    .await;
            }
        })
    };
    let data_dir = app.db.as_ref().expect("db").data_dir().to_path_buf();
    let dest = tempfile::tempdir().expect("backup dir");
    let archive = backup::create(&app.state.db, &data_dir, dest.path(), chrono::Utc::now())
        .await
        .expect("backup");
    writer.await.expect("writer");
    let manifest = backup::verify(&archive).expect("verifies");
    assert!(manifest.entries.iter().any(|e| e.path == "portal.db"));
    assert!(manifest
        .entries
        .iter()
        .any(|e| e.path.starts_with("files/")));

    // A damaged copy is refused.
    let damaged = dest.path().join("damaged.tar.gz");
    let mut bytes = std::fs::read(&archive).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&damaged, &bytes).expect("write");
    std::fs::copy(
        format!("{}.sha256", archive.display()),
        format!("{}.sha256", damaged.display()),
    )
    .expect("sidecar");
    assert!(matches!(
        backup::verify(&damaged),
        Err(backup::BackupError::Checksum(_))
    ));

    // Disaster: the data folder is gone.
    let db = app.stop_keeping_data().await;
    let db_file = backup::sqlite_path(&db.url).expect("sqlite path");
    wipe(&data_dir);
    let started = std::time::Instant::now();
    backup::restore(&archive, &db_file, &data_dir, false).expect("restore");
    assert!(matches!(
        backup::restore(&archive, &db_file, &data_dir, false),
        Err(backup::BackupError::Exists(_))
    ));
    let app = TestApp::spawn_on(db, Vec::new()).await;
    eprintln!("restore + start: {} ms", started.elapsed().as_millis());
    let token = app.login_as("cliente@demo.test").await;
    for id in &before {
        let (status, body) = app
            .get(&format!("/api/v1/tickets/{id}"), Some(&token))
            .await;
        assert_eq!(status, StatusCode::OK, "ticket {id}: {body}");
    }
    let file = app
        .client
        .get(app.url(&format!(
            "/api/v1/attachments/{}",
            attachment["id"].as_i64().expect("attachment id")
        )))
        .bearer_auth(&token)
        .send()
        .await
        .expect("download");
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.bytes().await.expect("bytes").as_ref(), LOG);
    app.stop().await;
}

/// Deletes everything in the data folder. SQLite may still be removing its `-wal`/`-shm`
/// files as the last connection closes: a file already gone is fine.
fn wipe(dir: &std::path::Path) {
    for entry in std::fs::read_dir(dir).expect("data dir").flatten() {
        let path = entry.path();
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        if let Err(e) = removed {
            assert_eq!(
                e.kind(),
                std::io::ErrorKind::NotFound,
                "{}: {e}",
                path.display()
            );
        }
    }
}

/// Runs a `server` subcommand against the test database with `env`.
fn cli(db: &TestDb, env: &[(&'static str, String)], args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DATABASE_URL", &db.url)
        .env("PORTAL_DATA_DIR", db.data_dir())
        .env("RUST_LOG", "warn")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .args(args)
        .output()
        .expect("server binary")
}

/// The same drill through the command line, with the archives in an S3-compatible bucket
/// (moto on loopback), taken while the portal serves, kept to a retention window.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_in_an_s3_bucket() {
    let Some(s3) = S3::start().await else {
        return;
    };
    let Some(db) = TestDb::new(Backend::Sqlite).await else {
        return;
    };
    let mut env = s3.env();
    env.push(("PORTAL_BACKUP_URL", s3.url("respaldos")));
    env.push(("PORTAL_BACKUP_KEEP", "2".to_owned()));
    let portal = Process::start(&db, free_addr(), &env).await;
    let client = reqwest::Client::new();
    let token = token_at(&client, &portal.url(""), "cliente@demo.test").await;
    let mut ids = Vec::new();
    for n in 0..10 {
        let res = client
            .post(portal.url("/api/v1/tickets"))
            .bearer_auth(&token)
            .json(&json!({"subject": format!("Respaldo S3 {n}"), "body": "x", "kind": "question", "priority": "normal"}))
            .send()
            .await
            .expect("ticket");
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.expect("body");
        ids.push(body["id"].as_i64().expect("id"));
    }
    let mut archives = Vec::new();
    for _ in 0..3 {
        let out = cli(&db, &env, &["backup"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        assert!(
            url.starts_with(&s3.url("respaldos/portal-backup-")),
            "{url}"
        );
        archives.push(url);
        // Archive names have a one-second resolution.
        tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    }
    portal.kill();
    // Retention: the oldest is gone from the bucket, the newest verifies.
    let out = cli(&db, &env, &["verify", &archives[0]]);
    assert!(!out.status.success(), "pruned archive still there");
    let newest = archives.last().expect("archive").clone();
    let out = cli(&db, &env, &["verify", &newest]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Disaster, then restore from the bucket.
    wipe(db.data_dir());
    let out = cli(&db, &env, &["restore", &newest]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(&db, &env, &["restore", &newest]);
    assert!(
        !out.status.success(),
        "restore over a database needs --force"
    );
    let portal = Process::start(&db, free_addr(), &env).await;
    let token = token_at(&client, &portal.url(""), "cliente@demo.test").await;
    for id in ids {
        let res = client
            .get(portal.url(&format!("/api/v1/tickets/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .expect("ticket");
        assert_eq!(res.status(), StatusCode::OK, "ticket {id}");
    }
    portal.kill();
}

#[tokio::test]
async fn old_archives_are_pruned() {
    let dir = tempfile::tempdir().expect("dir");
    for minute in 0..5 {
        let at = chrono::DateTime::from_timestamp(1_800_000_000 + minute * 300, 0).expect("time");
        let path = dir.path().join(backup::archive_name(at));
        std::fs::write(&path, b"x").expect("archive");
        std::fs::write(format!("{}.sha256", path.display()), b"x").expect("sidecar");
    }
    assert_eq!(backup::prune(dir.path(), 3).expect("prune"), 2);
    let left = std::fs::read_dir(dir.path()).expect("dir").count();
    assert_eq!(left, 6);
}
