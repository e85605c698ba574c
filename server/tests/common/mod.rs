//! Test harness: a real portal on an ephemeral port with a fresh database per test, on SQLite
//! and (when reachable, always in CI) PostgreSQL.

#![allow(dead_code)]

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use server::config::Config;
use server::startup;
use std::net::SocketAddr;
use tokio::sync::oneshot;

pub const DEMO_PASSWORD: &str = "Demo-2026!";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, empty database for one test. PostgreSQL databases are dropped on `cleanup`.
pub struct TestDb {
    pub url: String,
    pg_name: Option<String>,
    _dir: tempfile::TempDir,
}

impl TestDb {
    /// The portal's data folder (SQLite file, attachments, backups).
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }
}

fn pg_admin_url() -> String {
    std::env::var("PORTAL_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

impl TestDb {
    /// `None` when PostgreSQL is unreachable and not required (`PORTAL_REQUIRE_PG` unset).
    pub async fn new(backend: Backend) -> Option<TestDb> {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => Some(TestDb {
                url: format!("sqlite://{}", dir.path().join("t.db").display()),
                pg_name: None,
                _dir: dir,
            }),
            Backend::Postgres => {
                use sqlx::Connection;
                let admin = pg_admin_url();
                let mut conn = match sqlx::PgConnection::connect(&admin).await {
                    Ok(c) => c,
                    Err(e) if std::env::var("PORTAL_REQUIRE_PG").is_ok() => {
                        panic!("PostgreSQL required but unreachable: {e}")
                    }
                    Err(e) => {
                        eprintln!("skipping PostgreSQL test: {e}");
                        return None;
                    }
                };
                let name = format!("portal_test_{}", uuid::Uuid::new_v4().simple());
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let base = admin
                    .rsplit_once('/')
                    .map(|(b, _)| b.to_owned())
                    .unwrap_or(admin);
                Some(TestDb {
                    url: format!("{base}/{name}"),
                    pg_name: Some(name),
                    _dir: dir,
                })
            }
        }
    }

    pub async fn cleanup(self) {
        if let Some(name) = self.pg_name {
            use sqlx::Connection;
            if let Ok(mut conn) = sqlx::PgConnection::connect(&pg_admin_url()).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await;
            }
        }
    }

    pub fn config(&self, demo: bool) -> Config {
        self.config_with(demo, Vec::new())
    }

    /// The test configuration plus extra environment variables.
    pub fn config_with(&self, demo: bool, extra: Vec<(&'static str, String)>) -> Config {
        let url = self.url.clone();
        let data_dir = self._dir.path().display().to_string();
        Config::from_lookup(move |k| match k {
            // Automatic backups only where a test asks for them.
            "PORTAL_BACKUP_MINUTES" => Some(
                extra
                    .iter()
                    .find(|(name, _)| *name == k)
                    .map_or_else(|| "0".to_owned(), |(_, v)| v.clone()),
            ),
            "DATABASE_URL" => Some(url.clone()),
            "PORTAL_DATA_DIR" => Some(data_dir.clone()),
            "PORTAL_DEMO" => Some(if demo { "1".into() } else { "0".into() }),
            "LEPTOS_SITE_ADDR" => Some("127.0.0.1:0".into()),
            other => extra
                .iter()
                .find(|(name, _)| *name == other)
                .map(|(_, v)| v.clone()),
        })
        .expect("test config")
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: startup::AppState,
    pub client: Client,
    pub db: Option<TestDb>,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    /// Starts the portal with demo data; `None` if the backend is unavailable (see `TestDb`).
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        TestApp::spawn_with(backend, Vec::new()).await
    }

    /// Like `spawn`, with extra environment variables (e.g. a fake Stripe).
    pub async fn spawn_with(
        backend: Backend,
        extra: Vec<(&'static str, String)>,
    ) -> Option<TestApp> {
        let db = TestDb::new(backend).await?;
        Some(TestApp::spawn_on(db, extra).await)
    }

    /// Starts the portal on an existing test database and data folder (e.g. after a restore).
    /// Like `spawn`, with the portal reading the time from `clock`: the test moves it.
    pub async fn spawn_with_clock(
        backend: Backend,
        clock: &app::kernel::ManualClock,
    ) -> Option<TestApp> {
        let db = TestDb::new(backend).await?;
        let mut config = db.config(true);
        config.clock = clock.clock();
        Some(TestApp::spawn_configured(db, config).await)
    }

    pub async fn spawn_on(db: TestDb, extra: Vec<(&'static str, String)>) -> TestApp {
        let config = db.config_with(true, extra);
        TestApp::spawn_configured(db, config).await
    }

    async fn spawn_configured(db: TestDb, config: Config) -> TestApp {
        let portal = startup::build(&config).await.expect("portal builds");
        let state = portal.state.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(startup::serve(portal, listener, async {
            let _ = rx.await;
        }));
        let client = Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        TestApp {
            addr,
            state,
            client,
            db: Some(db),
            stop: Some(tx),
            handle: Some(handle),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn token(&self, email: &str, password: &str) -> (StatusCode, Value) {
        let res = self
            .client
            .post(self.url("/api/v1/auth/token"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Signs a demo account in through the web form (the `Login` server function) and returns
    /// the session's whole `Set-Cookie` header.
    pub async fn web_sign_in(&self, email: &str) -> String {
        use leptos::server_fn::ServerFn;
        let res = self
            .client
            .post(self.url(<app::accounts::api::Login as ServerFn>::PATH))
            .header("sec-fetch-site", "same-origin")
            .form(&[("email", email), ("password", DEMO_PASSWORD)])
            .send()
            .await
            .expect("sign in");
        assert!(
            res.status().is_success() || res.status().is_redirection(),
            "sign in {email}: {}",
            res.status()
        );
        res.headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("portal_session="))
            .map(str::to_owned)
            .expect("session cookie")
    }

    /// A bearer token for a demo account.
    pub async fn login_as(&self, email: &str) -> String {
        let (status, body) = self.token(email, DEMO_PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "login {email}: {body}");
        body["token"].as_str().expect("token").to_owned()
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let mut req = self.client.post(self.url(path)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let mut req = self.client.patch(self.url(path)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Stops the portal and hands back its database and data folder, untouched.
    pub async fn stop_keeping_data(mut self) -> TestDb {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
        self.db.take().expect("test database")
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
        if let Some(db) = self.db.take() {
            db.cleanup().await;
        }
    }
}

/// Defines `sqlite` and `postgres` variants of an async test body taking a `Backend`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)(Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                ($body)(Backend::Postgres).await
            }
        }
    };
}

/// The real `server` binary as a child process (for SIGKILL and multi-instance tests).
pub struct Process {
    pub addr: SocketAddr,
    child: std::process::Child,
}

/// A free loopback port (bound and released).
pub fn free_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr")
}

impl Process {
    /// Starts the binary on `db` at `addr` with demo data and waits until `/readyz` answers.
    pub async fn start(db: &TestDb, addr: SocketAddr, extra: &[(&str, String)]) -> Process {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .env("DATABASE_URL", &db.url)
            .env("PORTAL_DATA_DIR", db.data_dir())
            .env("PORTAL_DEMO", "1")
            .env("PORTAL_SECRET", "process-test-secret-0123456789abcdef0123")
            .env("PORTAL_BACKUP_MINUTES", "0")
            .env("PORTAL_CHAT_HOURS", "always")
            .env("PORTAL_CHAT_MSGS_PER_IP", "0")
            .env("LEPTOS_SITE_ADDR", addr.to_string())
            .env("LEPTOS_SITE_ROOT", db.data_dir().join("site"))
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null());
        for (k, v) in extra {
            command.env(k, v);
        }
        let child = command.spawn().expect("server binary");
        let process = Process { addr, child };
        let client = Client::new();
        let ready = format!("http://{addr}/readyz");
        for _ in 0..300 {
            if let Ok(res) = client.get(&ready).send().await {
                if res.status().is_success() {
                    return process;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the server at {addr} did not become ready");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// SIGKILL: no shutdown, no flush, no goodbye.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A bearer token from a portal at `base` (`http://host:port`).
pub async fn token_at(client: &Client, base: &str, email: &str) -> String {
    let res = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"email": email, "password": DEMO_PASSWORD}))
        .send()
        .await
        .expect("token request");
    assert_eq!(res.status(), StatusCode::OK, "login {email}");
    let body: Value = res.json().await.expect("token body");
    body["token"].as_str().expect("token").to_owned()
}

/// An S3-compatible server (moto) on loopback with one bucket, for object-storage tests.
pub struct S3 {
    pub endpoint: String,
    pub bucket: String,
    child: std::process::Child,
}

impl S3 {
    /// `None` when moto is not installed and `PORTAL_REQUIRE_S3` is unset.
    pub async fn start() -> Option<S3> {
        let addr = free_addr();
        let child = match std::process::Command::new("python3")
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p"])
            .arg(addr.port().to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
        {
            Ok(c) => c,
            Err(e) => return S3::unavailable(&e.to_string()),
        };
        let mut s3 = S3 {
            endpoint: format!("http://{addr}"),
            bucket: format!("portal-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]),
            child,
        };
        let client = Client::new();
        for _ in 0..200 {
            if let Ok(res) = client
                .put(format!("{}/{}", s3.endpoint, s3.bucket))
                .send()
                .await
            {
                assert!(res.status().is_success(), "create bucket: {}", res.status());
                return Some(s3);
            }
            if let Ok(Some(status)) = s3.child.try_wait() {
                return S3::unavailable(&format!("moto exited with {status}"));
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        S3::unavailable("moto did not start")
    }

    fn unavailable(why: &str) -> Option<S3> {
        if std::env::var("PORTAL_REQUIRE_S3").is_ok() {
            panic!(
                "S3-compatible server required but unavailable: {why} (pip install 'moto[server]')"
            );
        }
        eprintln!("skipping S3 test: {why}");
        None
    }

    pub fn url(&self, prefix: &str) -> String {
        format!("s3://{}/{prefix}", self.bucket)
    }

    /// The `AWS_*` variables that point the portal at this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ]
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Direct read access to a test database, for checks beneath the API.
pub enum Db {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Db {
    pub async fn open(url: &str) -> Db {
        if url.starts_with("sqlite:") {
            Db::Sqlite(sqlx::SqlitePool::connect(url).await.expect("open sqlite"))
        } else {
            Db::Postgres(sqlx::PgPool::connect(url).await.expect("open postgres"))
        }
    }

    /// A write beneath the portal, as another instance or a background job would make it.
    pub async fn execute(&self, sql: &str) {
        match self {
            Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
            Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        }
        .expect(sql)
    }

    /// A write beneath the portal with one time parameter (`$1`).
    pub async fn execute_at(&self, sql: &str, at: chrono::DateTime<chrono::Utc>) {
        match self {
            Db::Sqlite(pool) => sqlx::query(sql).bind(at).execute(pool).await.map(|_| ()),
            Db::Postgres(pool) => sqlx::query(sql).bind(at).execute(pool).await.map(|_| ()),
        }
        .expect(sql)
    }

    /// A query returning one integer, with one text parameter.
    pub async fn count(&self, sql: &str, arg: &str) -> i64 {
        match self {
            Db::Sqlite(pool) => sqlx::query_scalar::<_, i64>(sql)
                .bind(arg)
                .fetch_one(pool)
                .await
                .expect(sql),
            Db::Postgres(pool) => sqlx::query_scalar::<_, i64>(sql)
                .bind(arg)
                .fetch_one(pool)
                .await
                .expect(sql),
        }
    }

    /// Rows of text columns (for small result sets).
    pub async fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        use sqlx::Row;
        match self {
            Db::Sqlite(pool) => sqlx::query(sql)
                .fetch_all(pool)
                .await
                .expect(sql)
                .iter()
                .map(|r| {
                    (0..r.len())
                        .map(|i| r.try_get::<String, _>(i).unwrap_or_default())
                        .collect()
                })
                .collect(),
            Db::Postgres(pool) => sqlx::query(sql)
                .fetch_all(pool)
                .await
                .expect(sql)
                .iter()
                .map(|r| {
                    (0..r.len())
                        .map(|i| r.try_get::<String, _>(i).unwrap_or_default())
                        .collect()
                })
                .collect(),
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}
