//! Shared building blocks: the signed-in user, the page layout, loading and error states.

pub mod labels;
mod layout;
mod states;
mod title;
mod user;

pub use layout::{Layout, LOCALE_COOKIE};
pub use states::{
    field_invalid, ConfirmSubmit, ErrorNotice, FieldError, FormError, Loading, Notice,
};
pub use title::{head_text, DataTitle, PageTitle};
pub use user::{use_session, Authorized, Session, UserProvider};

/// The numeric `:id` route parameter; 0 when missing or not a number (the server answers 404).
pub fn use_id_param() -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || {
        use leptos::prelude::Read;
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    }
}

/// The browser's print dialog (print or save as PDF; print stylesheets hide the controls).
pub fn print_page() {
    #[cfg(feature = "hydrate")]
    if let Err(e) = leptos::prelude::window().print() {
        leptos::logging::warn!("print failed: {e:?}");
    }
}
