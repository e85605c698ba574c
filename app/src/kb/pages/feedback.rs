//! "¿Te fue útil este artículo?": loaded in the browser after the page hydrates, so the
//! server-rendered article is the same for every visitor (and cacheable).

use crate::i18n::*;
use crate::kb::api::{kb_feedback_state, KbGiveFeedback};
use crate::kb::FeedbackState;
use crate::ui::FormError;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn FeedbackWidget(article_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(None::<FeedbackState>);
    let choice = RwSignal::new(None::<bool>);
    let comment = RwSignal::new(String::new());
    let give = ServerAction::<KbGiveFeedback>::new();
    Effect::new(move |_| {
        spawn_local(async move {
            if let Ok(s) = kb_feedback_state(article_id).await {
                // `try_`: the article may have been left before the answer came.
                let _ = state.try_set(Some(s));
            }
        });
    });
    Effect::new(move |_| {
        if let (Some(Ok(())), Some(helpful)) = (give.value().get(), choice.get_untracked()) {
            state.set(Some(FeedbackState::Given { helpful }));
        }
    });
    let send = move || {
        if let Some(helpful) = choice.get_untracked() {
            give.dispatch(KbGiveFeedback {
                article_id,
                helpful,
                comment: comment.get_untracked(),
            });
        }
    };
    view! {
        <section class="feedback" data-testid="feedback" aria-live="polite">
            {move || match state.get() {
                None => view! { <p class="muted">{t!(i18n, kb.feedback_question)}</p> }.into_any(),
                Some(FeedbackState::Given { .. }) => view! {
                    <p class="notice ok" role="status">{t!(i18n, kb.feedback_thanks)}</p>
                }.into_any(),
                Some(FeedbackState::Open) => view! {
                    <p><strong>{t!(i18n, kb.feedback_question)}</strong></p>
                    <div class="button-row">
                        <button type="button" class:selected=move || choice.get() == Some(true)
                            aria-pressed=move || (choice.get() == Some(true)).to_string()
                            on:click=move |_| choice.set(Some(true))>{t!(i18n, kb.yes)}</button>
                        <button type="button" class:selected=move || choice.get() == Some(false)
                            aria-pressed=move || (choice.get() == Some(false)).to_string()
                            on:click=move |_| choice.set(Some(false))>{t!(i18n, kb.no)}</button>
                    </div>
                    {move || choice.get().map(|_| view! {
                        <label for="kb-comment">{t!(i18n, kb.feedback_comment)}</label>
                        <textarea id="kb-comment" rows="3" maxlength="2000"
                            prop:value=move || comment.get()
                            on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                        <button type="button" class="primary" disabled=move || give.pending().get()
                            on:click=move |_| send()>{t!(i18n, kb.feedback_send)}</button>
                    })}
                    <FormError result=give.value().into()/>
                }.into_any(),
            }}
        </section>
    }
}
