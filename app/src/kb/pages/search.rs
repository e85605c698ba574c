//! Search: the box on every knowledge-base page (results as you type, debounced) and the full
//! results page `/kb/buscar?q=`.

use super::reader_lang;
use crate::i18n::*;
use crate::kb::api::{kb_search, KbSearch};
use crate::kb::SearchHit;
use crate::ui::PageTitle;
use crate::ui::{ErrorNotice, Loading};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use std::time::Duration;

/// Wait after the last keystroke before searching.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// Calls `apply(value)` once typing pauses for [`DEBOUNCE`]; returns the input handler.
pub fn debounced(
    apply: impl Fn(String) + Clone + Send + Sync + 'static,
) -> impl Fn(String) + Clone {
    let seq = StoredValue::new(0_u64);
    move |value: String| {
        let n = seq.get_value().wrapping_add(1);
        seq.set_value(n);
        let apply = apply.clone();
        set_timeout(
            move || {
                // The component may be gone by now (a closed chat panel, another page): its
                // stored value is disposed then, and reading it with `get_value` panicked.
                if seq.try_get_value() == Some(n) {
                    apply(value);
                }
            },
            DEBOUNCE,
        );
    }
}

#[component]
fn HitItem(hit: SearchHit) -> impl IntoView {
    view! {
        <li class="hit">
            <a href=hit.path.clone() inner_html=hit.title_html.clone()></a>
            <span class="muted hit-category">" · "{hit.category.clone()}</span>
            <p class="snippet" inner_html=hit.snippet.clone()></p>
        </li>
    }
}

#[component]
pub fn SearchBox() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let initial = query.read_untracked().get("q").unwrap_or_default();
    let search = ServerAction::<KbSearch>::new();
    let typed = RwSignal::new(String::new());
    let on_input = debounced(move |q: String| {
        typed.set(q.clone());
        if q.trim().chars().count() >= 2 {
            search.dispatch(KbSearch {
                q,
                lang: reader_lang(i18n.get_locale_untracked()),
            });
        }
    });
    let results = move || {
        let q = typed.get();
        if q.trim().chars().count() < 2 {
            return None;
        }
        Some(match search.value().get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(e)) => view! { <ErrorNotice error=e/> }.into_any(),
            Some(Ok(hits)) if hits.is_empty() => view! {
                <p class="empty">{t!(i18n, kb.no_results)}</p>
            }.into_any(),
            Some(Ok(hits)) => view! {
                <ul class="hits">
                    {hits.into_iter().take(6).map(|hit| view! { <HitItem hit/> }).collect_view()}
                </ul>
                <a class="all-results" href=format!("/kb/buscar?q={}", urlencode(&q))>{t!(i18n, kb.all_results)}</a>
            }.into_any(),
        })
    };
    view! {
        <form class="kb-search" role="search" method="get" action="/kb/buscar">
            <label for="kb-q" class="visually-hidden">{t!(i18n, kb.search_label)}</label>
            <input id="kb-q" name="q" type="search" autocomplete="off" value=initial
                placeholder=move || td_string!(i18n.get_locale(), kb.search_placeholder)
                aria-controls="kb-suggest" data-testid="kb-search"
                on:input=move |ev| on_input(event_target_value(&ev))/>
            <button type="submit">{t!(i18n, kb.search)}</button>
            <div id="kb-suggest" class="search-dropdown" aria-live="polite" data-testid="kb-suggest">
                {results}
            </div>
        </form>
    }
}

/// Percent-encodes a query string value.
pub fn urlencode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[component]
pub fn KbSearchPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let results = Resource::new(
        move || query.read().get("q").unwrap_or_default(),
        move |q| async move {
            if q.trim().is_empty() {
                Ok(Vec::new())
            } else {
                kb_search(q, reader_lang(i18n.get_locale_untracked())).await
            }
        },
    );
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), kb.results_title)/>
        <nav class="breadcrumbs"><a href="/kb">{t!(i18n, kb.title)}</a></nav>
        <h1>{t!(i18n, kb.results_title)}</h1>
        <SearchBox/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let q = query.read_untracked().get("q").unwrap_or_default();
                match results.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(_) if q.trim().is_empty() => view! { <p class="empty">{t!(i18n, kb.type_to_search)}</p> }.into_any(),
                    Ok(hits) if hits.is_empty() => view! {
                        <p class="empty" data-testid="no-results">{t!(i18n, kb.no_results)}" "<a href="/tickets/nuevo">{t!(i18n, kb.open_ticket_instead)}</a></p>
                    }.into_any(),
                    Ok(hits) => view! {
                        <p class="muted" data-testid="results-count">{hits.len()}" "{
                            let one = hits.len() == 1;
                            move || if one { td_string!(i18n.get_locale(), kb.result_for) } else { td_string!(i18n.get_locale(), kb.results_for) }
                        }" «"{q}"»"</p>
                        <ul class="hits full" data-testid="results">
                            {hits.into_iter().map(|hit| view! { <HitItem hit/> }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_queries() {
        assert_eq!(
            super::urlencode("contraseña vpn&x"),
            "contrase%C3%B1a+vpn%26x"
        );
    }
}
