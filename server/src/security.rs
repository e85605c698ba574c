//! Security headers for every response and CSRF protection for state-changing requests.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

const DEFAULT_CSP: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The per-request CSP nonce. The middleware mints it, the Leptos render uses it for the
/// hydration scripts (see `startup`), and the middleware writes it into the page's policy.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// Pages may post a store order before the WASM has loaded; the answer then redirects the
/// form to Stripe's hosted checkout, so `form-action` allows that origin.
fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self' https://checkout.stripe.com; frame-ancestors 'none'"
    )
}

/// HSTS for a portal served over HTTPS: a year, subdomains included.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Adds the standard headers to every response; HTML pages get a CSP carrying their nonce.
/// `https` (the public URL is https://) adds `Strict-Transport-Security`.
pub async fn security_headers(
    axum::extract::State(https): axum::extract::State<bool>,
    mut req: Request,
    next: Next,
) -> Response {
    let nonce = {
        // The thread-local CSPRNG (ChaCha, seeded from the OS): unpredictable like OsRng
        // without a system call per response.
        use rand::RngCore;
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        hex::encode(bytes)
    };
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    let is_html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    let policy = if is_html {
        HeaderValue::from_str(&page_csp(&nonce)).ok()
    } else {
        None
    };
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        policy.unwrap_or(HeaderValue::from_static(DEFAULT_CSP)),
    );
    res
}

/// The bearer token of a request (`Authorization: Bearer …`, the scheme in either case),
/// trimmed.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

/// Whether the request's bearer token is `expected` (compared in constant time).
pub fn bearer_matches(headers: &axum::http::HeaderMap, expected: &str) -> bool {
    use subtle::ConstantTimeEq;
    bearer_token(headers)
        .is_some_and(|given| bool::from(given.as_bytes().ct_eq(expected.as_bytes())))
}

/// Whether a state-changing request is same-origin, judged by the headers browsers always send
/// (`Sec-Fetch-Site`, `Origin`, compared with scheme and host). Requests with neither come
/// from non-browser clients, which carry no ambient cookies worth forging. REST calls that
/// authenticate by a bearer token are exempt: the REST API never reads the cookie when a
/// bearer token is given, so a forged request gains nothing. Any other `Authorization` header
/// (`Basic`, or a bearer token sent to a server function, which authenticates by cookie)
/// exempts nothing.
pub fn is_same_origin(
    method: &Method,
    path: &str,
    headers: &axum::http::HeaderMap,
    https: bool,
) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    if path.starts_with("/api/v1/") && bearer_token(headers).is_some_and(|t| !t.is_empty()) {
        return true;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => {
            let host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let scheme = if https { "https" } else { "http" };
            !host.is_empty() && origin.eq_ignore_ascii_case(&format!("{scheme}://{host}"))
        }
    }
}

/// Refuses cross-site state changes. `https` says whether the portal's public URL is https;
/// a trusted proxy's `X-Forwarded-Proto` says it per request.
pub async fn csrf_guard(
    axum::extract::State(https): axum::extract::State<bool>,
    req: Request<Body>,
    next: Next,
) -> Response {
    let https = req
        .extensions()
        .get::<crate::forwarded::ForwardedProto>()
        .map_or(https, |p| p.https);
    if req.uri().path().starts_with("/api/v1/webhooks/")
        || is_same_origin(req.method(), req.uri().path(), req.headers(), https)
    {
        return next.run(req).await;
    }
    tracing::warn!(path = %req.uri().path(), "cross-site request refused");
    let body = serde_json::json!({"error": {"code": "csrf", "message": app::error::ErrorCode::Csrf.message(app::i18n::Locale::es)}});
    (StatusCode::FORBIDDEN, axum::Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    const FN: &str = "/api/open_ticket";
    const REST: &str = "/api/v1/tickets";

    #[test]
    fn refuses_cross_site_posts() {
        assert!(!is_same_origin(
            &Method::POST,
            FN,
            &headers(&[("sec-fetch-site", "cross-site")]),
            false
        ));
        assert!(!is_same_origin(
            &Method::POST,
            FN,
            &headers(&[("origin", "https://evil.test"), ("host", "portal.test")]),
            true
        ));
    }

    #[test]
    fn allows_same_origin_reads_and_bearer_calls() {
        assert!(is_same_origin(
            &Method::POST,
            FN,
            &headers(&[("sec-fetch-site", "same-origin")]),
            false
        ));
        assert!(is_same_origin(
            &Method::POST,
            FN,
            &headers(&[
                ("origin", "http://127.0.0.1:3000"),
                ("host", "127.0.0.1:3000")
            ]),
            false
        ));
        assert!(is_same_origin(
            &Method::GET,
            FN,
            &headers(&[("sec-fetch-site", "cross-site")]),
            false
        ));
        assert!(is_same_origin(
            &Method::POST,
            REST,
            &headers(&[
                ("authorization", "Bearer x"),
                ("sec-fetch-site", "cross-site")
            ]),
            false
        ));
    }

    /// Finding 15 of the attacker's walk: any `Authorization` header used to exempt a request,
    /// although server functions authenticate by cookie; and `http://` pages passed as the
    /// `https://` portal's origin.
    #[test]
    fn only_rest_bearer_calls_are_exempt_and_the_scheme_counts() {
        let cross = |auth: &'static str| {
            headers(&[("authorization", auth), ("sec-fetch-site", "cross-site")])
        };
        assert!(!is_same_origin(
            &Method::POST,
            REST,
            &cross("Basic YTpi"),
            false
        ));
        assert!(!is_same_origin(
            &Method::POST,
            FN,
            &cross("Bearer x"),
            false
        ));
        assert!(!is_same_origin(
            &Method::POST,
            REST,
            &cross("Bearer "),
            false
        ));
        let plain = headers(&[("origin", "http://portal.test"), ("host", "portal.test")]);
        assert!(!is_same_origin(&Method::POST, FN, &plain, true));
        assert!(is_same_origin(&Method::POST, FN, &plain, false));
    }
}
