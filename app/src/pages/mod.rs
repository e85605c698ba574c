//! Pages that belong to no single capability: home, dashboard, 404.

pub mod dashboard;
pub mod home;

pub use dashboard::Dashboard;
pub use home::{Home, SlaTable};

use crate::i18n::*;
use crate::ui::PageTitle;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), not_found.title)/>
        <section class="card narrow center">
            <p class="big-code" aria-hidden="true">"404"</p>
            <h1>{t!(i18n, not_found.title)}</h1>
            <p>{t!(i18n, not_found.lead)}</p>
            <A href="/" attr:class="button">{t!(i18n, not_found.back)}</A>
        </section>
    }
}
