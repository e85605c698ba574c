//! Browser entry point: hydrates the server-rendered portal.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Pages are lazy routes (split into their own WASM chunks): hydration waits for the current
    // page's chunk, so it is asynchronous (`hydrate_from_async` sets up Leptos's executor).
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::prelude::document().body();
        let Some(body) = body else { return };
        let owner = leptos::mount::hydrate_from_async(body.clone(), app::App).await;
        owner.forget();
        // Lets people-facing tests (and curious humans) see that the page is interactive.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
