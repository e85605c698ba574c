//! Knowledge base over HTTP and through its service, on both databases: Spanish-aware search,
//! visibility, editor writes with revisions and conflicts, slugs and redirects, sanitizing,
//! feedback and deflection.

mod common;

use app::error::ErrorCode;
use common::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn slugs(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|h| h["slug"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn search(app: &TestApp, q: &str, token: Option<&str>) -> Vec<String> {
    let path = format!("/api/v1/kb/search?q={}", urlencode(q));
    let (status, body) = app.get(&path, token).await;
    assert_eq!(status, StatusCode::OK, "{q}: {body}");
    slugs(&body)
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The queries both databases must answer with the same top results.
const QUERIES: &[&str] = &[
    "contrasena",
    "contraseña del portal",
    "configuracion outlook",
    "impresoras",
    "impresora fuera de linea",
    "reinicié",
    "respaldo",
    "paquetes de horas",
    "planes soporte",
    "feriados",
    "aws",
    "ticket prioridad",
    "hour packages",
    "priority",
];

both_backends!(search_understands_spanish, |backend| async move {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let first = |v: Vec<String>| v.first().cloned().unwrap_or_default();
    // Accents and case do not matter.
    assert_eq!(
        first(search(&app, "contrasena portal", None).await),
        "como-restablecer-la-contrasena-del-portal"
    );
    let config = search(&app, "configuracion", None).await;
    assert!(
        config
            .iter()
            .any(|s| s.starts_with("configuracion-del-correo")),
        "{config:?}"
    );
    // Plural finds singular, verb forms meet through the stemmer.
    let printers = search(&app, "impresoras", None).await;
    assert!(printers[0].contains("impresora"), "{printers:?}");
    let restarted = search(&app, "reinicié", None).await;
    assert!(
        restarted.iter().any(|s| s.contains("impresora")),
        "{restarted:?}"
    );
    // Title matches outrank body matches.
    let (_, body) = app.get("/api/v1/kb/search?q=impresora", None).await;
    assert!(body["results"][0]["snippet"]
        .as_str()
        .unwrap_or_default()
        .contains("<mark>"));
    // English articles are stemmed in English and filtered by lang.
    let (status, en) = app
        .get("/api/v1/kb/search?q=tickets%20priorities&lang=en", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        slugs(&en).first().map(String::as_str),
        Some("how-to-open-a-ticket-and-choose-its-priority")
    );
    let (status, _) = app.get("/api/v1/kb/search?q=x&lang=fr", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Nothing to search for is an empty list, not an error; operators are just text.
    assert!(search(&app, "de la", None).await.is_empty());
    assert!(search(&app, "\"') OR 1=1 -- :* & |", None).await.len() < 50);
    app.stop().await;
});

both_backends!(visibility_is_enforced, |backend| async move {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let customer = app.login_as("cliente@demo.test").await;
    let agent = app.login_as("agente@demo.test").await;
    // The VPN guide is for signed-in customers; the escalation guide is internal.
    let vpn_guide = "configuracion-de-la-vpn-de-la-empresa-y-solucion-de-problemas-de-conexion";
    assert!(!search(&app, "vpn", None)
        .await
        .iter()
        .any(|s| s == vpn_guide));
    assert!(search(&app, "vpn", Some(&customer))
        .await
        .iter()
        .any(|s| s == vpn_guide));
    assert!(search(&app, "escalamiento", Some(&customer))
        .await
        .is_empty());
    let internal = search(&app, "escalamiento", Some(&agent)).await;
    assert_eq!(internal.len(), 1, "{internal:?}");
    let path = format!("/api/v1/kb/articles/{}", internal[0]);
    assert_eq!(
        app.get(&path, Some(&customer)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&path, None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&path, Some(&agent)).await.0, StatusCode::OK);
    let vpn = [vpn_guide.to_owned()];
    let vpn_path = format!("/api/v1/kb/articles/{vpn_guide}");
    assert_eq!(app.get(&vpn_path, None).await.0, StatusCode::UNAUTHORIZED);
    // The sitemap lists public articles only.
    let sitemap = app
        .client
        .get(app.url("/sitemap.xml"))
        .send()
        .await
        .expect("sitemap")
        .text()
        .await
        .expect("text");
    assert!(sitemap.contains("<urlset"));
    assert!(sitemap.contains("/kb/soporte-y-sla/como-abrir-un-ticket-y-elegir-su-prioridad"));
    assert!(
        !sitemap.contains(&internal[0]),
        "internal article in sitemap"
    );
    assert!(
        !sitemap.contains(&vpn[0]),
        "customers-only article in sitemap"
    );
    app.stop().await;
});

both_backends!(editors_write_with_revisions, |backend| async move {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let editor = app.login_as("editor@demo.test").await;
    let customer = app.login_as("cliente@demo.test").await;
    let agent = app.login_as("agente@demo.test").await;
    let article = json!({
        "title": "Cómo usar la impresora 3D",
        "body_md": "## Paso uno\n\nEncienda la **impresora**.",
        "lang": "es",
        "category": "equipos-e-impresoras",
        "visibility": "public",
        "status": "published",
        "tags": ["impresión", "3d"],
    });
    for token in [&customer, &agent] {
        let (status, body) = app
            .post("/api/v1/kb/articles", Some(token), article.clone())
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    let (status, created) = app
        .post("/api/v1/kb/articles", Some(&editor), article.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["slug"], "como-usar-la-impresora-3d");
    assert_eq!(created["revision"], 1);
    // Same title again: a unique slug.
    let (_, twin) = app
        .post("/api/v1/kb/articles", Some(&editor), article.clone())
        .await;
    assert_eq!(twin["slug"], "como-usar-la-impresora-3d-2");
    // Validation in the caller's language, nothing saved.
    let (status, body) = app
        .post("/api/v1/kb/articles", Some(&editor), json!({"title": " ", "body_md": "x", "lang": "es", "category": "equipos-e-impresoras", "visibility": "public", "status": "draft"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "title_required");
    assert_eq!(body["error"]["message"], "Escriba un título.");

    // Two editors start from revision 1; the second save is a conflict.
    let put = |rev: i64, title: &str, body: &str| {
        let mut a = article.clone();
        a["title"] = json!(title);
        a["body_md"] = json!(body);
        a["revision"] = json!(rev);
        a
    };
    let url = app.url("/api/v1/kb/articles/como-usar-la-impresora-3d");
    let send = |body: Value| {
        app.client
            .put(url.clone())
            .bearer_auth(&editor)
            .json(&body)
            .send()
    };
    let first = send(put(1, "Cómo usar la impresora 3D", "Primera edición"))
        .await
        .expect("put");
    assert_eq!(first.status(), StatusCode::OK);
    let second = send(put(1, "Cómo usar la impresora 3D", "Edición en conflicto"))
        .await
        .expect("put");
    assert_eq!(second.status(), StatusCode::CONFLICT);
    let body: Value = second.json().await.expect("json");
    assert_eq!(body["error"]["code"], "revision_conflict");
    // Renaming changes the slug; the old one answers 301.
    let renamed = send(put(2, "Guía de la impresora 3D", "Tercera edición"))
        .await
        .expect("put");
    let renamed: Value = renamed.json().await.expect("json");
    assert_eq!(renamed["slug"], "guia-de-la-impresora-3d");
    assert_eq!(renamed["revision"], 3);
    let old = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(app.url("/kb/equipos-e-impresoras/como-usar-la-impresora-3d"))
        .send()
        .await
        .expect("old slug");
    assert_eq!(old.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        old.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/kb/equipos-e-impresoras/guia-de-la-impresora-3d")
    );
    let (status, moved) = app
        .get("/api/v1/kb/articles/como-usar-la-impresora-3d", None)
        .await;
    assert_eq!(status, StatusCode::OK, "redirect followed: {moved}");
    assert_eq!(moved["slug"], "guia-de-la-impresora-3d");
    // History: three revisions, newest first; customers may not read it.
    let (status, revs) = app
        .get(
            "/api/v1/kb/articles/guia-de-la-impresora-3d/revisions",
            Some(&editor),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let numbers: Vec<i64> = revs["revisions"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["number"].as_i64())
        .collect();
    assert_eq!(numbers, vec![3, 2, 1]);
    let (status, _) = app
        .get(
            "/api/v1/kb/articles/guia-de-la-impresora-3d/revisions",
            Some(&customer),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The new text is searchable at once, the old one is gone.
    assert_eq!(
        search(&app, "tercera edicion", None).await,
        vec!["guia-de-la-impresora-3d"]
    );
    assert!(search(&app, "edición en conflicto", None).await.is_empty());
    app.stop().await;
});

both_backends!(scheduled_and_sanitized, |backend| async move {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let editor = app.login_as("editor@demo.test").await;
    let future = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let (status, scheduled) = app
        .post(
            "/api/v1/kb/articles",
            Some(&editor),
            json!({
                "title": "Mantenimiento programado de diciembre",
                "body_md": "Ventana de mantenimiento con zirconio.",
                "lang": "es", "category": "soporte-y-sla", "visibility": "public",
                "status": "published", "publish_at": future,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{scheduled}");
    let path = "/api/v1/kb/articles/mantenimiento-programado-de-diciembre";
    assert_eq!(app.get(path, None).await.0, StatusCode::NOT_FOUND);
    assert!(search(&app, "zirconio", None).await.is_empty());
    assert_eq!(app.get(path, Some(&editor)).await.0, StatusCode::OK);

    let (status, _) = app
        .post("/api/v1/kb/articles", Some(&editor), json!({
            "title": "Artículo con trampa",
            "body_md": "<script>alert('x')</script>\n\n<img src=x onerror=\"alert(1)\">\n\n[clic](javascript:alert(2)) <a href=\"javascript:alert(3)\" onclick=\"alert(4)\">b</a>\n\n<iframe src=\"https://evil.test\"></iframe>",
            "lang": "es", "category": "soporte-y-sla", "visibility": "public", "status": "published",
        }))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, article) = app
        .get("/api/v1/kb/articles/articulo-con-trampa", None)
        .await;
    let html = article["body_html"].as_str().expect("html");
    for bad in ["<script", "onerror", "onclick", "javascript:", "<iframe"] {
        assert!(!html.contains(bad), "{bad} survived: {html}");
    }
    app.stop().await;
});

both_backends!(feedback_and_deflection, |backend| async move {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let kb = &app.state.services.kb;
    let accounts = &app.state.services.accounts;
    let article = kb
        .store()
        .article_by_slug("como-restablecer-la-contrasena-del-portal")
        .await
        .expect("store")
        .expect("seeded");
    let id = article.summary.id;
    kb.give_feedback(None, "a:visitor1", None, id, false, "Faltan capturas")
        .await
        .expect("first vote");
    let again = kb
        .give_feedback(None, "a:visitor1", None, id, true, "")
        .await
        .expect_err("second vote refused");
    assert_eq!(again.code, ErrorCode::FeedbackGiven);
    kb.give_feedback(None, "a:visitor2", None, id, true, "")
        .await
        .expect("another visitor");
    // Finding 14 of the attacker's walk: a visitor dropping the cookie voted without end. Per
    // client address, a few answers per article a day.
    let other = kb
        .store()
        .article_by_slug("la-impresora-no-imprime-aparece-fuera-de-linea-o-la-cola-se-atasca")
        .await
        .expect("store")
        .expect("seeded")
        .summary
        .id;
    let client = Some("198.51.100.23");
    for n in 0..app::kb::service::MAX_FEEDBACK_PER_CLIENT_ARTICLE {
        kb.give_feedback(None, &format!("a:fresh{n}"), client, other, false, "")
            .await
            .expect("within the limit");
    }
    let err = kb
        .give_feedback(None, "a:fresh-again", client, other, false, "")
        .await
        .expect_err("limited");
    assert_eq!(err.code, ErrorCode::RateLimited);
    kb.give_feedback(None, "a:neighbour", Some("198.51.100.24"), other, true, "")
        .await
        .expect("another address");

    // A customer opens a suggestion on one form and leaves; on another form opens one and
    // still creates the ticket.
    let customer = login(&app, "cliente@demo.test").await;
    kb.suggestion_opened(&customer, "draft-1", id)
        .await
        .expect("open");
    kb.suggestion_opened(&customer, "draft-1", id)
        .await
        .expect("idempotent");
    kb.suggestion_opened(&customer, "draft-2", id)
        .await
        .expect("open");
    let token = app.login_as("cliente@demo.test").await;
    let (status, ticket) = app
        .post("/api/v1/tickets", Some(&token), json!({"subject": "No puedo entrar", "body": "Ayuda", "kind": "incident", "priority": "normal"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    kb.ticket_created(&customer, "draft-2", ticket["id"].as_i64().expect("id"))
        .await
        .expect("linked");
    let editor = login(&app, "editor@demo.test").await;
    let dashboard = kb.dashboard(&editor).await.expect("dashboard");
    let row = dashboard
        .rows
        .iter()
        .find(|r| r.article.id == id)
        .expect("row");
    assert_eq!((row.helpful, row.not_helpful), (1, 1));
    assert_eq!(dashboard.comments[0].comment, "Faltan capturas");
    assert_eq!(
        (dashboard.deflections, dashboard.opened_then_ticket),
        (1, 1)
    );
    assert_eq!(row.deflections, 1);
    assert!(
        kb.dashboard(&customer).await.is_err(),
        "customers see no dashboard"
    );
    let _ = accounts;
    app.stop().await;
});

async fn login(app: &TestApp, email: &str) -> app::accounts::service::Principal {
    let token = app.login_as(email).await;
    app.state
        .services
        .accounts
        .authenticate(&token, app::accounts::SessionKind::Api)
        .await
        .expect("principal")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_databases_give_the_same_top_results() {
    let Some(sqlite) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let Some(postgres) = TestApp::spawn(Backend::Postgres).await else {
        sqlite.stop().await;
        return;
    };
    let customer_s = sqlite.login_as("cliente@demo.test").await;
    let customer_p = postgres.login_as("cliente@demo.test").await;
    for q in QUERIES {
        let a = search(&sqlite, q, Some(&customer_s)).await;
        let b = search(&postgres, q, Some(&customer_p)).await;
        assert!(!a.is_empty(), "no results for {q:?}");
        let top = |v: &[String]| v.iter().take(3).cloned().collect::<Vec<_>>();
        assert_eq!(top(&a), top(&b), "top results differ for {q:?}");
    }
    sqlite.stop().await;
    postgres.stop().await;
}

both_backends!(article_images, |backend| async move {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let kb = &app.state.services.kb;
    let editor = login(&app, "editor@demo.test").await;
    let customer = login(&app, "cliente@demo.test").await;
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&[0; 64]);
    let refused = kb
        .upload_image(&customer, "foto.png", &png)
        .await
        .expect_err("customers cannot upload");
    assert_eq!(refused.code, ErrorCode::Forbidden);
    let exe = kb
        .upload_image(
            &editor,
            "setup.png",
            b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff",
        )
        .await
        .expect_err("not an image");
    assert_eq!(exe.code, ErrorCode::FileTypeNotAllowed);
    let pdf = kb
        .upload_image(&editor, "doc.pdf", b"%PDF-1.7\n%\xe2\xe3")
        .await
        .expect_err("a PDF is no image");
    assert_eq!(pdf.code, ErrorCode::FileTypeNotAllowed);
    let big = vec![0_u8; app::kb::editing::MAX_IMAGE_BYTES + 1];
    let too_big = kb
        .upload_image(&editor, "big.png", &big)
        .await
        .expect_err("too large");
    assert_eq!(too_big.code, ErrorCode::FileTooLarge);

    let path = kb
        .upload_image(&editor, "captura.png", &png)
        .await
        .expect("uploaded");
    assert!(path.starts_with("/imagenes/"), "{path}");
    let res = app.client.get(app.url(&path)).send().await.expect("image");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/png")
    );
    assert_eq!(res.bytes().await.expect("bytes").to_vec(), png);
    // Names are random: counting finds nothing.
    for guess in ["/imagenes/1", "/imagenes/00000000000000000000000000000001"] {
        let res = app.client.get(app.url(guess)).send().await.expect("guess");
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{guess}");
    }
    app.stop().await;
});

/// Spanish queries as readers type them (with and without accents, singular and plural, verb
/// and noun forms), each with the article it must find.
const QUALITY_QUERIES: &str = include_str!("data/kb-search-queries.tsv");

/// The first result of every query and the queries whose article is not in the top three.
async fn run_queries(app: &TestApp, token: &str) -> (Vec<Option<String>>, Vec<String>, usize) {
    let (mut tops, mut misses, mut total) = (Vec::new(), Vec::new(), 0);
    for line in QUALITY_QUERIES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (query, expected) = line.split_once('\t').expect("query<TAB>slug");
        let slugs = search(app, query, Some(token)).await;
        if !slugs.iter().take(3).any(|s| s.starts_with(expected)) {
            misses.push(format!("{query} → {slugs:?} (wanted {expected})"));
        }
        tops.push(slugs.into_iter().next());
        total += 1;
    }
    (tops, misses, total)
}

/// Search quality over the demo knowledge base, measured as recall@3 on both databases, which
/// must also agree on every query's first result.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spanish_queries_find_their_articles_on_both_databases() {
    let mut runs = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = TestApp::spawn(backend).await else {
            continue;
        };
        let admin = app.login_as("admin@demo.test").await;
        let (tops, misses, total) = run_queries(&app, &admin).await;
        app.stop().await;
        let recall = (total - misses.len()) as f64 / total as f64;
        println!("{backend:?}: recall@3 = {recall:.3} over {total} queries; misses: {misses:#?}");
        assert!(total >= 150, "only {total} queries");
        assert!(
            recall >= 0.95,
            "{backend:?} recall@3 {recall:.3}: {misses:#?}"
        );
        runs.push(tops);
    }
    if let [sqlite, postgres] = &runs[..] {
        let differ: Vec<String> = QUALITY_QUERIES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .zip(sqlite.iter().zip(postgres))
            .filter(|(_, (a, b))| a != b)
            .map(|(q, (a, b))| format!("{q}: {a:?} / {b:?}"))
            .collect();
        assert!(differ.is_empty(), "backends disagree: {differ:#?}");
    }
}
