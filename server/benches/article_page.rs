//! Requests per second of a public article page, against a bare axum handler returning the
//! same bytes, in the same run: `cargo bench -p server --bench article_page`. Needs `wrk`
//! (`apt-get install wrk`). Figures: the bare handler, the portal serving anonymous readers
//! (page cache), the portal rendering every request (`Cache-Control: no-cache`), and a
//! signed-in agent's ticket list page against a bare handler returning its bytes (kept per
//! session, and rendered every request).

use axum::routing::get;
use axum::Router;
use server::config::Config;
use server::startup;
use std::process::Command;

const ARTICLE: &str =
    "/kb/equipos-e-impresoras/la-impresora-no-imprime-aparece-fuera-de-linea-o-la-cola-se-atasca";
const DURATION: &str = "10s";
const CONNECTIONS: &str = "32";

fn wrk(url: &str, extra: &[&str]) -> Option<f64> {
    let out = Command::new("wrk")
        .args(["-t2", "-c", CONNECTIONS, "-d", DURATION])
        .args(extra)
        .arg(url)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
}

/// A bare axum handler answering `GET /` with `bytes`: the ceiling a page is measured against.
async fn serve_bare(bytes: axum::body::Bytes) -> std::net::SocketAddr {
    let bare = Router::new().route(
        "/",
        get(move || {
            let b = bytes.clone();
            async move { ([("content-type", "text/html; charset=utf-8")], b) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, bare).await });
    addr
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    if Command::new("wrk").arg("--version").output().is_err() {
        println!("wrk is not installed (apt-get install wrk); nothing measured");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().display().to_string();
    let config = Config::from_lookup(move |k| match k {
        "DATABASE_URL" => Some(format!("sqlite://{data}/bench.db")),
        "PORTAL_DATA_DIR" => Some(data.clone()),
        "PORTAL_DEMO" => Some("1".into()),
        "LEPTOS_SITE_ADDR" => Some("127.0.0.1:0".into()),
        _ => None,
    })
    .expect("config");
    let portal = startup::build(&config).await.expect("portal");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(startup::serve(portal, listener, std::future::pending()));

    let page_url = format!("http://{addr}{ARTICLE}");
    let response = reqwest::get(&page_url).await.expect("article page");
    assert!(
        response.status().is_success(),
        "article page: {}",
        response.status()
    );
    let bytes = response.bytes().await.expect("body");
    println!("article page: {} bytes", bytes.len());

    let bare_addr = serve_bare(bytes).await;

    let bare_rps = wrk(&format!("http://{bare_addr}/"), &[]).unwrap_or_default();
    let cached_rps = wrk(&page_url, &[]).unwrap_or_default();
    let rendered_rps = wrk(&page_url, &["-H", "Cache-Control: no-cache"]).unwrap_or_default();
    println!("bare axum handler, same bytes: {bare_rps:>10.0} req/s");
    println!(
        "portal, anonymous reader:      {cached_rps:>10.0} req/s ({:.0} % of bare)",
        100.0 * cached_rps / bare_rps.max(1.0)
    );
    println!(
        "portal, rendering each time:   {rendered_rps:>10.0} req/s ({:.0} % of bare)",
        100.0 * rendered_rps / bare_rps.max(1.0)
    );

    // Signed in: the agent's ticket list, kept per session, and rendered every request.
    let login = {
        use leptos::server_fn::ServerFn;
        <app::accounts::api::Login as ServerFn>::PATH
    };
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let res = client
        .post(format!("http://{addr}{login}"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", "agente@demo.test"), ("password", "Demo-2026!")])
        .send()
        .await
        .expect("sign in");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("portal_session="))
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_owned();
    let list_url = format!("http://{addr}/tickets");
    let list = client
        .get(&list_url)
        .header("cookie", &cookie)
        .send()
        .await
        .expect("ticket list");
    assert!(list.status().is_success(), "ticket list: {}", list.status());
    let list_bytes = list.bytes().await.expect("body");
    println!("ticket list page: {} bytes", list_bytes.len());
    let bare_list_addr = serve_bare(list_bytes).await;
    let bare_list_rps = wrk(&format!("http://{bare_list_addr}/"), &[]).unwrap_or_default();
    let header = format!("Cookie: {cookie}");
    let list_rps = wrk(&list_url, &["-H", &header]).unwrap_or_default();
    let kept = client
        .get(&list_url)
        .header("cookie", &cookie)
        .send()
        .await
        .expect("ticket list")
        .headers()
        .contains_key("x-cache");
    assert!(kept, "the ticket list is served from its per-session cache");
    let list_rendered_rps =
        wrk(&list_url, &["-H", &header, "-H", "Cache-Control: no-cache"]).unwrap_or_default();
    println!("bare axum handler, list bytes: {bare_list_rps:>10.0} req/s");
    println!(
        "portal, signed-in ticket list: {list_rps:>10.0} req/s ({:.1} % of bare)",
        100.0 * list_rps / bare_list_rps.max(1.0)
    );
    println!(
        "portal, list rendered each time: {list_rendered_rps:>8.0} req/s ({:.1} % of bare)",
        100.0 * list_rendered_rps / bare_list_rps.max(1.0)
    );
}
