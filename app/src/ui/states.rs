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

/// A submit button that asks once before an action that spends or moves money or closes
/// something: the first press opens the question (what will happen), the second confirms.
/// A `<details>` disclosure, so it works before hydration and by keyboard (Enter or Space on
/// the summary), and a second press on the summary takes the question back.
#[component]
pub fn ConfirmSubmit(
    /// What the button says, e.g. "Aprobar estimación".
    label: Signal<String>,
    /// What will happen, e.g. "Se descontarán 2 h 30 min de su saldo; quedarán 7 h 30 min."
    question: Signal<String>,
    /// What the confirming button says, e.g. "Sí, aprobar".
    confirm: Signal<String>,
    /// `data-testid` of the summary; the confirming button gets `{testid}-yes`.
    testid: &'static str,
    #[prop(optional)] danger: bool,
) -> impl IntoView {
    view! {
        <details class="confirm">
            <summary class="button" class:danger=danger data-testid=testid>{move || label.get()}</summary>
            <div class="confirm-panel" role="group" aria-label=move || label.get()>
                <p>{move || question.get()}</p>
                <button type="submit" class:danger=danger data-testid=format!("{testid}-yes")>{move || confirm.get()}</button>
            </div>
        </details>
    }
}

/// The last submission's error when it names `field`: shown right under that field (give the
/// input `aria-describedby` = `id` and `aria-invalid` from [`field_invalid`]); it goes away as
/// soon as a later submission gets past that field.
#[component]
pub fn FieldError<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
    field: &'static str,
    id: &'static str,
) -> impl IntoView {
    move || match result.get() {
        Some(Err(e)) if e.field.as_deref() == Some(field) => {
            Some(view! { <span id=id><ErrorNotice error=e/></span> })
        }
        _ => None,
    }
}

/// `aria-invalid` for a field whose last submission failed on it.
pub fn field_invalid<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
    field: &'static str,
) -> impl Fn() -> Option<&'static str> + Copy + Send + Sync + 'static {
    move || {
        result.with(|r| {
            matches!(r, Some(Err(e)) if e.field.as_deref() == Some(field)).then_some("true")
        })
    }
}
