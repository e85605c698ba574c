//! Knowledge-base search latency with 10,000 generated articles, on SQLite and (when reachable)
//! PostgreSQL: `cargo bench -p server --bench kb_search`. Prints p50/p95/p99/max per backend.
//! Each query goes through the whole service: candidates from the database, BM25 ranking,
//! highlighting and snippets.

use app::files::{BlobError, BlobStore};
use app::kb::service::Kb;
use app::kb::store::{ArticleWrite, Readable};
use app::kb::text::Query;
use app::kb::{ArticleLang, ArticleStatus, Visibility};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use server::storage::Db;
use std::sync::Arc;
use std::time::{Duration, Instant};

const ARTICLES: usize = 10_000;
const ROUNDS: usize = 20;
const QUERIES: &[&str] = &[
    "contrasena",
    "impresora no imprime",
    "configuracion vpn",
    "correo outlook",
    "respaldo restauracion",
    "reinicié el equipo",
    "paquete horas cambio",
    "aws facturacion",
    "prioridad ticket",
    "conexion lenta red",
    "impres",
    "microsoft 365 mfa",
];

struct NoBlobs;

#[async_trait::async_trait]
impl BlobStore for NoBlobs {
    async fn put(&self, _: &str, _: &[u8]) -> Result<(), BlobError> {
        Ok(())
    }
    async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        Err(BlobError(key.to_owned()))
    }
}

/// Words of the demo articles: realistic Spanish IT vocabulary for generated text.
fn vocabulary() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seed/kb");
    let mut words: Vec<String> = std::fs::read_dir(dir)
        .expect("seed dir")
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .flat_map(|text| {
            text.split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() > 3)
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .collect();
    words.sort();
    words.dedup();
    words
}

fn sentence(rng: &mut StdRng, words: &[String], n: usize) -> String {
    (0..n)
        .map(|_| words[rng.gen_range(0..words.len())].as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

async fn fill(db: &Db, kb: &Kb) {
    let author: i64 = match db {
        Db::Sqlite(pool) => sqlx::query_scalar("INSERT INTO users (email, name, role, created_at, updated_at) VALUES ('b@x.test', 'Bench', 'editor', '2026-01-01', '2026-01-01') RETURNING id").fetch_one(pool).await,
        Db::Postgres(pool) => sqlx::query_scalar("INSERT INTO users (email, name, role, created_at, updated_at) VALUES ('b@x.test', 'Bench', 'editor', now(), now()) RETURNING id").fetch_one(pool).await,
    }
    .expect("author");
    let now = chrono::Utc::now();
    let category = kb
        .store()
        .create_category("general", "General", "General", now)
        .await
        .expect("category");
    let words = vocabulary();
    let mut rng = StdRng::seed_from_u64(7);
    let started = Instant::now();
    for i in 0..ARTICLES {
        let title = format!("{} {i}", sentence(&mut rng, &words, 5));
        let body: Vec<String> = (0..6).map(|_| sentence(&mut rng, &words, 45)).collect();
        let body_md = format!(
            "## {}\n\n{}",
            sentence(&mut rng, &words, 3),
            body.join(".\n\n")
        );
        let write = ArticleWrite {
            slug: format!("articulo-{i}"),
            category_id: category,
            lang: ArticleLang::Es,
            body_text: app::markdown::plain_text(&body_md),
            title,
            summary: sentence(&mut rng, &words, 12),
            body_md,
            tags: vec![],
            status: ArticleStatus::Published,
            visibility: Visibility::Public,
            publish_at: Some(now),
            translation_id: None,
            author_id: author,
            now,
        };
        kb.store().create_article(&write).await.expect("article");
    }
    println!(
        "  {} articles written in {:.1} s",
        ARTICLES,
        started.elapsed().as_secs_f64()
    );
    // What autovacuum does within a minute of a bulk load: fresh planner statistics.
    if let Db::Postgres(pool) = db {
        sqlx::query("ANALYZE").execute(pool).await.expect("analyze");
    }
}

async fn measure(name: &str, url: &str) {
    let db = Db::connect(url).await.expect("database");
    let kb = Kb::new(
        Arc::new(db.clone()),
        Arc::new(NoBlobs),
        "http://bench".into(),
        app::kernel::Clock::system(),
    );
    println!("{name}:");
    fill(&db, &kb).await;
    let mut times: Vec<Duration> = Vec::new();
    let mut results = 0;
    for round in 0..=ROUNDS {
        for q in QUERIES {
            let t = Instant::now();
            let hits = kb
                .search(None, q, None, ArticleLang::Es, 20)
                .await
                .expect("search");
            // The first round warms caches and is not counted.
            if round > 0 {
                times.push(t.elapsed());
                results += hits.len();
            }
        }
    }
    report(
        &format!(
            "full search, {:.1} results each",
            results as f64 / (ROUNDS * QUERIES.len()) as f64
        ),
        times,
    );
    // The database's share: candidate selection only (Spanish query, 50 candidates).
    let readable = Readable {
        visibilities: vec![Visibility::Public],
        now: chrono::Utc::now(),
    };
    let mut db_times = Vec::new();
    let mut per_query = vec![Duration::ZERO; QUERIES.len()];
    for _ in 0..ROUNDS {
        for (i, q) in QUERIES.iter().enumerate() {
            let query = Query::parse(q, ArticleLang::Es);
            let t = Instant::now();
            kb.store()
                .search(&query, ArticleLang::Es, &readable, 50)
                .await
                .expect("search");
            db_times.push(t.elapsed());
            per_query[i] += t.elapsed();
        }
    }
    report("database candidates only", db_times);
    if std::env::var("KB_BENCH_DETAIL").is_ok() {
        for (q, total) in QUERIES.iter().zip(per_query) {
            println!(
                "    {q:<24} {:.2} ms",
                total.as_secs_f64() * 1e3 / ROUNDS as f64
            );
        }
    }
    db.close().await;
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "  {what}: {} runs, p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.95).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        times
            .last()
            .map(|d| d.as_secs_f64() * 1e3)
            .unwrap_or_default(),
    );
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    // tmpfs when available: the bench measures search, not fsync during the fill.
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        tempfile::tempdir_in("/dev/shm")
    } else {
        tempfile::tempdir()
    }
    .expect("temp dir");
    measure(
        "SQLite (FTS5)",
        &format!("sqlite://{}", base.path().join("bench.db").display()),
    )
    .await;
    use sqlx::Connection;
    let admin = "postgres://postgres@127.0.0.1:5432/postgres";
    match sqlx::PgConnection::connect(admin).await {
        Ok(mut conn) => {
            let name = format!("portal_bench_{}", std::process::id());
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create database");
            measure(
                "PostgreSQL (tsvector, GIN)",
                &format!("postgres://postgres@127.0.0.1:5432/{name}"),
            )
            .await;
            if std::env::var("KB_BENCH_KEEP").is_ok() {
                println!("kept database {name}");
                return;
            }
            let _ = sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await;
        }
        Err(e) => println!("PostgreSQL skipped: {e}"),
    }
}
