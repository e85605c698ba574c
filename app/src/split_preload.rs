//! Tells the browser, with the page itself, which WASM chunks the page's lazy route will load
//! (`Link: <…>; rel=preload` response header), so they download alongside the main module
//! instead of after it has started. The chunk list comes from `__wasm_split_manifest.json`,
//! written by `cargo leptos build --split`; without it (a build without `--split`, tests) no
//! header is sent.

use http::header::LINK;
use http::HeaderValue;
use leptos::config::LeptosOptions;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The split loader's file name (cargo-leptos without hashed file names).
const SPLIT_LOADER: &str = "__wasm_split.______________________.js";

/// Each lazy part's name to the WASM modules it loads, as the split build wrote it.
type Manifest = HashMap<String, Vec<String>>;

fn manifest(options: &LeptosOptions) -> Option<&'static Manifest> {
    static MANIFEST: OnceLock<Option<Manifest>> = OnceLock::new();
    MANIFEST
        .get_or_init(|| {
            let path = std::path::Path::new(options.site_root.as_ref())
                .join(options.site_pkg_dir.as_ref())
                .join("__wasm_split_manifest.json");
            let text = std::fs::read_to_string(path).ok()?;
            serde_json::from_str(&text)
                .inspect_err(|e| tracing::error!(error = %e, "unreadable WASM split manifest"))
                .ok()
        })
        .as_ref()
}

/// The `Link` header value preloading what the lazy function `area` loads (`#[lazy]` names its
/// split `<function name>_<hash of its location>`).
fn preload_links(manifest: &Manifest, pkg: &str, area: &str) -> Option<String> {
    let prefix = format!("{area}_");
    let modules = manifest
        .iter()
        .find(|(part, _)| part.starts_with(&prefix))
        .map(|(_, modules)| modules)?;
    let mut links = vec![format!("</{pkg}/{SPLIT_LOADER}>; rel=modulepreload")];
    links.extend(
        modules
            .iter()
            .map(|m| format!("</{pkg}/{m}.wasm>; rel=preload; as=fetch; crossorigin")),
    );
    Some(links.join(", "))
}

/// Called while the server renders a page of the lazy area `area` (its function's name).
pub fn preload_area(area: &str) {
    let (Some(options), Some(response)) = (
        use_context::<LeptosOptions>(),
        use_context::<ResponseOptions>(),
    ) else {
        return;
    };
    let Some(manifest) = manifest(&options) else {
        return;
    };
    if let Some(value) = preload_links(manifest, &options.site_pkg_dir, area)
        .and_then(|links| HeaderValue::from_str(&links).ok())
    {
        response.append_header(LINK, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_area_preloads_the_loader_and_its_modules() {
        let manifest: Manifest = serde_json::from_str(
            r#"{"staff_area_42": ["chunk_3", "split_x"],
                "public_area_42": ["chunk_9"]}"#,
        )
        .unwrap();
        assert_eq!(
            preload_links(&manifest, "pkg", "staff_area").as_deref(),
            Some(
                "</pkg/__wasm_split.______________________.js>; rel=modulepreload, \
                 </pkg/chunk_3.wasm>; rel=preload; as=fetch; crossorigin, \
                 </pkg/split_x.wasm>; rel=preload; as=fetch; crossorigin"
            )
        );
        assert_eq!(preload_links(&manifest, "pkg", "editor_area"), None);
    }
}
