use crate::accounts::api::Login;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::PageTitle;
use crate::ui::{use_session, FormError};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// The sign-in error a plain form POST came back with (`?__path=…&__err=…`), read from the
/// current URL itself: the router's own copy of it outlives client-side navigation.
fn error_in_url() -> Option<Result<(), AppError>> {
    use leptos::server_fn::{error::ServerFnUrlError, ServerFn};
    use_query_map().with_untracked(|query| {
        let for_login = query.get_str("__path") == Some(<Login as ServerFn>::PATH);
        query
            .get_str("__err")
            .filter(|_| for_login)
            .map(|err| Err(ServerFnUrlError::<AppError>::decode_err(err)))
    })
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let login = session.login;
    // A form sent before the page's script has loaded (or without script) is an ordinary POST:
    // the server answers a failure by sending the browser back here with the error in the URL.
    // Show that one; a message from an earlier attempt (before signing out, say) does not
    // belong on a new visit.
    login.value().set(error_in_url());
    let pending = login.pending();
    let volver = leptos_router::hooks::use_query_map()
        .read_untracked()
        .get(crate::domain::nav::RETURN_PARAM)
        .filter(|p| crate::domain::nav::return_path(p).is_some());
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), login.title)/>
        // From the moment the form is sent, pages wait for the new session instead of asking to
        // sign in again (the server's answer navigates to the dashboard).
        <section class="card narrow" on:submit=move |_| session.begin_change()>
            <h1>{t!(i18n, login.title)}</h1>
            <p class="muted">{t!(i18n, login.lead)}</p>
            <ActionForm action=login attr:class="form" attr:data-testid="login-form">
                {volver.map(|v| view! { <input type="hidden" name="volver" value=v/> })}
                <label for="email">{t!(i18n, login.email)}</label>
                <input id="email" name="email" type="email" autocomplete="username" required inputmode="email"/>
                <label for="password">{t!(i18n, login.password)}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required/>
                <FormError result=login.value().into()/>
                <button type="submit" disabled=move || pending.get()>
                    {move || if pending.get() { td_string!(i18n.get_locale(), login.submitting) } else { td_string!(i18n.get_locale(), login.submit) }}
                </button>
            </ActionForm>
            <p><A href="/recuperar-contrasena">{t!(i18n, login.forgot)}</A></p>
        </section>
    }
}
