use crate::accounts::api::{RequestPasswordReset, ResetPassword};
use crate::i18n::*;
use crate::ui::PageTitle;
use crate::ui::{FormError, Notice};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ForgotPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<RequestPasswordReset>::new();
    let sent = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), forgot.title)/>
        <section class="card narrow">
            <h1>{t!(i18n, forgot.title)}</h1>
            <p class="muted">{t!(i18n, forgot.lead)}</p>
            <Show when=sent fallback=move || view! {
                <ActionForm action=action attr:class="form">
                    <label for="email">{t!(i18n, login.email)}</label>
                    <input id="email" name="email" type="email" autocomplete="email" required/>
                    <FormError result=action.value().into()/>
                    <button type="submit" disabled=move || action.pending().get()>{t!(i18n, forgot.submit)}</button>
                </ActionForm>
            }>
                <Notice>{t!(i18n, forgot.sent)}</Notice>
            </Show>
        </section>
    }
}

#[component]
pub fn ResetPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let action = ServerAction::<ResetPassword>::new();
    let done = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), reset.title)/>
        <section class="card narrow">
            <h1>{t!(i18n, reset.title)}</h1>
            <Show when=done fallback=move || view! {
                <Show when=move || !token().is_empty() fallback=move || view! {
                    <p class="notice error" role="alert">{t!(i18n, reset.missing_token)}</p>
                    <A href="/recuperar-contrasena">{t!(i18n, forgot.title)}</A>
                }>
                    <p class="muted">{t!(i18n, reset.lead)}</p>
                    <ActionForm action=action attr:class="form">
                        <input type="hidden" name="token" value=token/>
                        <label for="password">{t!(i18n, reset.new_password)}</label>
                        <input id="password" name="password" type="password" autocomplete="new-password" minlength="8" maxlength="128" required/>
                        <FormError result=action.value().into()/>
                        <button type="submit" disabled=move || action.pending().get()>{t!(i18n, reset.submit)}</button>
                    </ActionForm>
                </Show>
            }>
                <Notice>{t!(i18n, reset.done)}</Notice>
                <A href="/ingresar" attr:class="button">{t!(i18n, login.submit)}</A>
            </Show>
        </section>
    }
}

/// The link mailed to an address typed in the chat: confirming ties the visitor's waiting
/// ticket and transcript to that address. A button, not the visit itself, confirms (mail
/// scanners open links).
#[component]
pub fn ConfirmAddressPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let action = ServerAction::<crate::chat::api::ConfirmAddress>::new();
    let done = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), confirm_address.title)/>
        <section class="card narrow">
            <h1>{t!(i18n, confirm_address.title)}</h1>
            <Show when=done fallback=move || view! {
                <Show when=move || !token().is_empty() fallback=move || view! {
                    <p class="notice error" role="alert">{t!(i18n, reset.missing_token)}</p>
                }>
                    <p class="muted">{t!(i18n, confirm_address.lead)}</p>
                    <ActionForm action=action attr:class="form">
                        <input type="hidden" name="token" value=token/>
                        <FormError result=action.value().into()/>
                        <button type="submit" disabled=move || action.pending().get()>{t!(i18n, confirm_address.submit)}</button>
                    </ActionForm>
                </Show>
            }>
                <Notice>{t!(i18n, confirm_address.done)}</Notice>
            </Show>
        </section>
    }
}
