//! Page titles.

use leptos::prelude::*;
use leptos_meta::Title;

/// The page's `<title>` in the current language.
///
/// On the server the text is taken while the page renders. leptos_meta reads a title only
/// after rendering, outside the request's reactive arena, so a title that reads the language
/// signal then can find it "already disposed" (and panic) when requests run concurrently:
/// seen under load on the ticket list. In the browser the title follows language switches.
#[component]
pub fn PageTitle(text: impl Fn() -> &'static str + Send + Sync + 'static) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let text = text();
    view! { <Title text=text/> }
}
