//! The two migration trees (`migrations/sqlite`, `migrations/postgres`) describe one schema:
//! both are applied to empty databases and their catalogues compared (tables, columns with
//! types mapped to SQLite's storage classes, nullability, primary keys, unique column sets,
//! named indexes and foreign keys with their delete action). A column, index or key added to
//! one tree only fails here.

mod common;

use common::{Backend, Db, TestDb};
use std::collections::BTreeSet;

/// One fact about the schema, in a vocabulary both databases map to.
type Fact = String;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_migration_trees_build_the_same_schema() {
    let Some(pg_db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let lite_db = TestDb::new(Backend::Sqlite).await.expect("sqlite");
    for db in [&lite_db, &pg_db] {
        server::storage::Db::connect(&db.url)
            .await
            .expect("migrate");
    }
    let lite = Db::open(&lite_db.url).await;
    let pg = Db::open(&pg_db.url).await;
    let lite_facts = sqlite_facts(&lite).await;
    let pg_facts = postgres_facts(&pg).await;
    lite.close().await;
    pg.close().await;
    pg_db.cleanup().await;

    assert!(
        lite_facts.iter().any(|f| f.starts_with("column tickets.")),
        "the catalogue query found no tickets table"
    );
    let only_sqlite: Vec<_> = lite_facts.difference(&pg_facts).collect();
    let only_postgres: Vec<_> = pg_facts.difference(&lite_facts).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "the migration trees disagree\nonly in SQLite:\n  {}\nonly in PostgreSQL:\n  {}",
        join(&only_sqlite),
        join(&only_postgres)
    );
}

fn join(facts: &[&Fact]) -> String {
    facts
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join("\n  ")
}

/// PostgreSQL types by the SQLite storage class the same column uses (booleans are integers,
/// times and dates are ISO text there).
fn storage_class(pg_type: &str) -> &'static str {
    match pg_type {
        "bigint" | "integer" | "smallint" | "boolean" => "INTEGER",
        "double precision" | "real" | "numeric" => "REAL",
        "bytea" => "BLOB",
        _ => "TEXT",
    }
}

/// Tables that exist in one engine by design: SQLite's full-text index (a virtual table and
/// its shadow tables; PostgreSQL searches with a generated `tsvector` column instead) and each
/// engine's migration bookkeeping.
fn engine_specific_table(name: &str) -> bool {
    name.starts_with("_sqlx") || name.starts_with("sqlite_") || name.contains("_fts")
}

/// Columns only PostgreSQL has, each for a reason of its own.
const POSTGRES_ONLY_COLUMNS: &[(&str, &str)] = &[
    // Generated search vectors: SQLite searches its FTS5 table instead.
    ("kb_articles", "search_vector"),
    ("kb_articles", "title_vector"),
    // The transaction that last bumped the counter (one bump per transaction); SQLite has a
    // single writer and no transaction ids.
    ("page_generation", "last_tx"),
];

fn engine_specific_column(table: &str, column: &str) -> bool {
    POSTGRES_ONLY_COLUMNS.contains(&(table, column))
}

/// SQLite's declared type by the storage class its affinity rules give it.
fn sqlite_class(declared: &str) -> &'static str {
    let t = declared.to_ascii_uppercase();
    if t.contains("INT") || t.starts_with("BOOL") {
        "INTEGER"
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        "REAL"
    } else if t.contains("BLOB") {
        "BLOB"
    } else {
        "TEXT"
    }
}

async fn sqlite_facts(db: &Db) -> BTreeSet<Fact> {
    let mut facts = BTreeSet::new();
    let columns = db
        .rows(
            "SELECT m.name, p.name, upper(p.type), CAST(p.\"notnull\" AS TEXT), CAST(p.pk AS TEXT)
             FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table'",
        )
        .await;
    for row in columns {
        let (table, column, ty, not_null, pk) = (&row[0], &row[1], &row[2], &row[3], &row[4]);
        if engine_specific_table(table) || engine_specific_column(table, column) {
            continue;
        }
        let ty = sqlite_class(ty);
        let null = if not_null == "1" || pk != "0" {
            "not null"
        } else {
            "null"
        };
        facts.insert(format!("column {table}.{column} {ty} {null}"));
        if pk != "0" {
            facts.insert(format!("primary key {table}.{column}"));
        }
    }
    let indexes = db
        .rows(
            "SELECT m.name, il.name, CAST(il.\"unique\" AS TEXT), il.origin,
                    CAST(il.partial AS TEXT),
                    (SELECT group_concat(coalesce(ii.name, 'expr'), ',')
                     FROM (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno) ii)
             FROM sqlite_master m JOIN pragma_index_list(m.name) il
             WHERE m.type = 'table'",
        )
        .await;
    for row in indexes {
        let (table, name, unique, origin, partial, cols) =
            (&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]);
        if engine_specific_table(table) || origin == "pk" {
            continue;
        }
        facts.insert(index_fact(
            table,
            name,
            unique == "1",
            origin == "c",
            partial == "1",
            cols,
        ));
    }
    let keys = db
        .rows(
            "SELECT m.name, f.\"from\", f.\"table\", coalesce(f.\"to\", 'id'), f.on_delete
             FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
             WHERE m.type = 'table'",
        )
        .await;
    for row in keys {
        facts.insert(format!(
            "foreign key {}.{} -> {}.{} on delete {}",
            row[0],
            row[1],
            row[2],
            row[3],
            row[4].to_lowercase()
        ));
    }
    facts
}

async fn postgres_facts(db: &Db) -> BTreeSet<Fact> {
    let mut facts = BTreeSet::new();
    let columns = db
        .rows(
            "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text
             FROM information_schema.columns
             WHERE table_schema = current_schema()",
        )
        .await;
    let pk_columns: BTreeSet<(String, String)> = db
        .rows(
            "SELECT cl.relname::text, a.attname::text
             FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid
             JOIN pg_namespace n ON n.oid = cl.relnamespace AND n.nspname = current_schema()
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
             WHERE c.contype = 'p'",
        )
        .await
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    for row in columns {
        let (table, column, ty, nullable) = (&row[0], &row[1], &row[2], &row[3]);
        if engine_specific_table(table) || engine_specific_column(table, column) {
            continue;
        }
        let null = if nullable == "NO" { "not null" } else { "null" };
        facts.insert(format!(
            "column {table}.{column} {} {null}",
            storage_class(ty)
        ));
        if pk_columns.contains(&(table.clone(), column.clone())) {
            facts.insert(format!("primary key {table}.{column}"));
        }
    }
    let indexes = db
        .rows(
            "SELECT t.relname::text, i.relname::text, CAST(x.indisunique AS TEXT),
                    CAST(EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid
                                 AND c.contype IN ('u', 'p')) AS TEXT),
                    CAST(x.indpred IS NOT NULL AS TEXT),
                    (SELECT string_agg(coalesce(a.attname::text, 'expr'), ',' ORDER BY k.n)
                     FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(col, n)
                     LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.col
                                              AND k.col <> 0),
                    CAST(x.indisprimary AS TEXT)
             FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
             JOIN pg_class t ON t.oid = x.indrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()",
        )
        .await;
    for row in indexes {
        let (table, name, unique, constraint, partial, cols, primary) = (
            &row[0], &row[1], &row[2], &row[3], &row[4], &row[5], &row[6],
        );
        if engine_specific_table(table) || primary == "true" {
            continue;
        }
        // A search-vector index has no counterpart in SQLite (its FTS5 table is the index).
        if cols.split(',').any(|c| engine_specific_column(table, c)) {
            continue;
        }
        facts.insert(index_fact(
            table,
            name,
            unique == "true",
            constraint != "true",
            partial == "true",
            cols,
        ));
    }
    let keys = db
        .rows(
            "SELECT cl.relname::text, a.attname::text, rcl.relname::text, ra.attname::text,
                    CAST(c.confdeltype AS TEXT)
             FROM pg_constraint c
             JOIN pg_class cl ON cl.oid = c.conrelid
             JOIN pg_namespace n ON n.oid = cl.relnamespace AND n.nspname = current_schema()
             JOIN pg_class rcl ON rcl.oid = c.confrelid
             CROSS JOIN LATERAL unnest(c.conkey, c.confkey) AS k(col, rcol)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
             JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.rcol
             WHERE c.contype = 'f'",
        )
        .await;
    for row in keys {
        let action = match row[4].as_str() {
            "c" => "cascade",
            "n" => "set null",
            "d" => "set default",
            "r" => "restrict",
            _ => "no action",
        };
        facts.insert(format!(
            "foreign key {}.{} -> {}.{} on delete {action}",
            row[0], row[1], row[2], row[3]
        ));
    }
    facts
}

/// Named indexes (`CREATE INDEX`) are compared by name; indexes that back a `UNIQUE`
/// constraint are named by each engine its own way, so they are compared by their columns.
fn index_fact(
    table: &str,
    name: &str,
    unique: bool,
    named: bool,
    partial: bool,
    cols: &str,
) -> Fact {
    let kind = if unique { "unique index" } else { "index" };
    let partial = if partial { " partial" } else { "" };
    if named {
        format!("{kind} {name} on {table} ({cols}){partial}")
    } else {
        format!("unique constraint on {table} ({cols})")
    }
}
