use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            {t!(i18n, loading)}
        </p>
    }
}

/// An error shown to the user in their language.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let code = error.code;
    view! { <p class="notice error" role="alert" data-code=code.as_str()>{move || code.message(i18n.get_locale())}</p> }
}

/// The error of the last submission of a server action, if it failed.
#[component]
pub fn FormError<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
) -> impl IntoView {
    move || match result.get() {
        Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }),
        _ => None,
    }
}

/// A success message shown after an action completed.
#[component]
pub fn Notice(children: Children) -> impl IntoView {
    view! { <p class="notice ok" role="status">{children()}</p> }
}
