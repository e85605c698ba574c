//! Resolves the session of page requests before Leptos renders them.
//!
//! Pages read the signed-in user synchronously (`app::ui::Session`): the server looks the
//! session up once here, the render (and every server function it calls) takes it from the
//! request's extensions, and the browser gets it with the page's serialized data.

use app::server_ctx::{resolve_signed_in, Services};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

/// On the response of a page rendered for a signed-in user, so that the page cache keeps
/// only pages whose session was valid, and serves them no longer than the session lasts.
#[derive(Clone, Copy, Debug)]
pub struct RenderedSignedIn {
    /// When the session times out unless used again (or at the latest).
    pub valid_until: chrono::DateTime<chrono::Utc>,
}

/// Whether `path` is rendered by Leptos (not the API, assets or files).
fn is_page(method: &Method, path: &str) -> bool {
    let file_like = path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    (method == Method::GET || method == Method::HEAD)
        && !file_like
        && !["/api/", "/pkg/", "/adjuntos/", "/imagenes/"]
            .iter()
            .any(|prefix| path.starts_with(prefix))
}

pub async fn middleware(
    State(services): State<Services>,
    mut req: Request,
    next: Next,
) -> Response {
    if is_page(req.method(), req.uri().path()) {
        let session = resolve_signed_in(&services, req.headers()).await;
        if let Err(e) = &session.signed_in.0 {
            tracing::error!(error = %e, "could not read the session of a page request");
        }
        // Set exactly when someone is signed in.
        let rendered = session
            .valid_until
            .map(|valid_until| RenderedSignedIn { valid_until });
        req.extensions_mut().insert(session.signed_in);
        // Server functions called by the render take the caller from here instead of looking
        // the session up again (`app::server_ctx::optional_principal`).
        if let Some(principal) = session.principal {
            req.extensions_mut().insert(principal);
        }
        let mut res = next.run(req).await;
        if let Some(rendered) = rendered {
            res.extensions_mut().insert(rendered);
        }
        return res;
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pages_resolve_the_session() {
        assert!(is_page(&Method::GET, "/tickets"));
        assert!(is_page(&Method::GET, "/"));
        assert!(is_page(&Method::GET, "/kb/redes/vpn-en-casa"));
        assert!(!is_page(&Method::POST, "/tickets"));
        assert!(!is_page(&Method::GET, "/api/v1/tickets"));
        assert!(!is_page(&Method::GET, "/pkg/portal.wasm"));
        assert!(!is_page(&Method::GET, "/favicon.svg"));
        assert!(!is_page(&Method::GET, "/reportes/sla.csv"));
        assert!(!is_page(&Method::GET, "/adjuntos/12"));
    }
}
