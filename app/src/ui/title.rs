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
    let text = head_text(text());
    view! { <Title text=text/> }
}

/// Text for `<title>` as leptos_meta needs it: on the server it writes the title into the
/// page's `<head>` as it is (0.8 does not escape it), so markup in an article title or a
/// category name would become real tags there (a `<meta http-equiv="refresh">`, say). The
/// browser sets `document.title`, which takes text, so there it stays as it is.
pub fn head_text(text: &str) -> String {
    #[cfg(feature = "ssr")]
    {
        crate::kb::text::escape_html(text)
    }
    #[cfg(not(feature = "ssr"))]
    {
        text.to_owned()
    }
}

/// A page title from data (an article's or a category's name), safe in the head.
#[component]
pub fn DataTitle(text: String) -> impl IntoView {
    view! { <Title text=head_text(&text)/> }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    #[test]
    fn head_text_is_escaped_on_the_server() {
        assert_eq!(
            super::head_text("</title><meta http-equiv=\"refresh\" content='0'> & más"),
            "&lt;/title&gt;&lt;meta http-equiv=&quot;refresh&quot; content=&#39;0&#39;&gt; &amp; más"
        );
    }
}
