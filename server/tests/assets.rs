//! The browser's code is served precompressed (`cargo leptos build --precompress` writes
//! `.br` and `.gz` beside every file in `pkg/`): the WASM a first visit downloads is the
//! brotli file, not the raw module.

mod common;

use common::{free_addr, Backend, Process, TestDb};
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE};

#[tokio::test]
async fn wasm_and_scripts_are_served_precompressed() {
    let Some(db) = TestDb::new(Backend::Sqlite).await else {
        return;
    };
    let pkg = db.data_dir().join("site").join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg dir");
    let (raw, br, gz) = (&b"raw module"[..], &b"brotli bytes"[..], &b"gzip bytes"[..]);
    std::fs::write(pkg.join("portal.wasm"), raw).expect("write");
    std::fs::write(pkg.join("portal.wasm.br"), br).expect("write");
    std::fs::write(pkg.join("portal.wasm.gz"), gz).expect("write");
    let server = Process::start(&db, free_addr(), &[]).await;
    let client = reqwest::Client::new();
    for (accept, encoding, body) in [
        ("br, gzip", Some("br"), br),
        ("gzip", Some("gzip"), gz),
        ("identity", None, raw),
    ] {
        let res = client
            .get(server.url("/pkg/portal.wasm"))
            .header(ACCEPT_ENCODING, accept)
            .send()
            .await
            .expect("wasm");
        assert_eq!(res.status(), 200, "{accept}");
        let header = |name| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert_eq!(header(CONTENT_ENCODING).as_deref(), encoding, "{accept}");
        assert_eq!(
            header(CONTENT_TYPE).as_deref(),
            Some("application/wasm"),
            "{accept}"
        );
        assert_eq!(&res.bytes().await.expect("body")[..], body, "{accept}");
    }
    server.kill();
}

#[tokio::test]
async fn pages_and_json_leave_compressed_as_the_client_accepts() {
    let Some(db) = TestDb::new(Backend::Sqlite).await else {
        return;
    };
    let server = Process::start(&db, free_addr(), &[]).await;
    let client = reqwest::Client::new();
    for path in ["/", "/api/v1/store/packages", "/api/v1/openapi.json"] {
        for (accept, encoding) in [
            ("br, gzip", Some("br")),
            ("gzip", Some("gzip")),
            ("identity", None),
        ] {
            let res = client
                .get(server.url(path))
                .header(ACCEPT_ENCODING, accept)
                .send()
                .await
                .expect("page");
            assert_eq!(res.status(), 200, "{path} {accept}");
            let got = res
                .headers()
                .get(CONTENT_ENCODING)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            assert_eq!(got.as_deref(), encoding, "{path} {accept}");
            let body = res.bytes().await.expect("body");
            if encoding.is_none() {
                assert!(body.len() > 200, "{path}: {} bytes", body.len());
            }
        }
    }
    server.kill();
}
