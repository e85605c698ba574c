//! "Quizás esto te ayude": articles matching a ticket subject while the customer types it.
//! Opening one is recorded against the form's draft key; a draft that never becomes a ticket
//! is a deflection.

use super::{debounced, reader_lang};
use crate::i18n::*;
use crate::kb::api::{KbSuggest, KbSuggestionOpened};
use leptos::prelude::*;

#[component]
pub fn TicketSuggestions(subject: Signal<String>, draft: String) -> impl IntoView {
    let i18n = use_i18n();
    let suggest = ServerAction::<KbSuggest>::new();
    let opened = ServerAction::<KbSuggestionOpened>::new();
    let draft = StoredValue::new(draft);
    let on_change = debounced(move |s: String| {
        if s.trim().chars().count() >= 3 {
            suggest.dispatch(KbSuggest {
                subject: s,
                lang: reader_lang(i18n.get_locale_untracked()),
            });
        }
    });
    Effect::new(move |_| on_change(subject.get()));
    move || {
        let hits = match suggest.value().get() {
            Some(Ok(hits))
                if !hits.is_empty() && subject.with(|s| s.trim().chars().count() >= 3) =>
            {
                hits
            }
            _ => return None,
        };
        Some(view! {
            <aside class="suggestions" data-testid="suggestions" aria-live="polite">
                <p><strong>{t!(i18n, kb.maybe_this_helps)}</strong></p>
                <ul>
                    {hits.into_iter().map(|s| {
                        let id = s.id;
                        view! {
                            <li><a href=s.path target="_blank" rel="noopener"
                                on:click=move |_| { opened.dispatch(KbSuggestionOpened { draft: draft.get_value(), article_id: id }); }>
                                {s.title}
                            </a></li>
                        }
                    }).collect_view()}
                </ul>
                <p class="muted">{t!(i18n, kb.suggestions_hint)}</p>
            </aside>
        })
    }
}
