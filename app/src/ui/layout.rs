use crate::domain::{nav_entries, NavEntry};
use crate::i18n::*;
use crate::ui::use_session;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

fn nav_label(i18n: I18nContext<Locale>, key: &'static str) -> impl Fn() -> &'static str {
    move || {
        let l = i18n.get_locale();
        match key {
            "dashboard" => td_string!(l, nav.dashboard),
            "tickets" => td_string!(l, nav.tickets),
            "queue" => td_string!(l, nav.queue),
            "report" => td_string!(l, nav.report),
            "calendar" => td_string!(l, nav.calendar),
            "organization" => td_string!(l, nav.organization),
            "organizations" => td_string!(l, nav.organizations),
            "users" => td_string!(l, nav.users),
            "outbox" => td_string!(l, nav.outbox),
            "kb" => td_string!(l, nav.kb),
            "articles" => td_string!(l, nav.articles),
            "live_chat" => td_string!(l, nav.live_chat),
            "projects" => td_string!(l, nav.projects),
            "canned" => td_string!(l, nav.canned),
            "changes" => td_string!(l, nav.changes),
            "hours" => td_string!(l, nav.hours),
            "store" => td_string!(l, nav.store),
            "store_admin" => td_string!(l, nav.store_admin),
            "admin" => td_string!(l, nav.admin),
            _ => td_string!(l, nav.account),
        }
    }
}

/// Closes the header's open menus (after a link in one is followed, or on Escape).
fn close_menus() {
    #[cfg(feature = "hydrate")]
    if let Ok(open) = document().query_selector_all("details.nav-menu[open]") {
        use wasm_bindgen::JsCast;
        for i in 0..open.length() {
            if let Some(d) = open
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::HtmlDetailsElement>().ok())
            {
                d.set_open(false);
            }
        }
    }
}

/// The language preference cookie: leptos_i18n's default name, which the server reads to render
/// in the chosen language and the page caches use in their keys.
pub const LOCALE_COOKIE: &str = "i18n_pref_locale";

/// Keeps the chosen language for later visits: the server reads this cookie to render in it
/// (the leptos_i18n `cookie` feature is on in the server build only, see the workspace manifest).
fn remember_locale(locale: Locale) {
    #[cfg(feature = "hydrate")]
    {
        use leptos_i18n::Locale as _;
        use wasm_bindgen::JsCast;
        let secure = if window().location().protocol().as_deref() == Ok("https:") {
            "; Secure"
        } else {
            ""
        };
        let cookie = format!(
            "{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
            locale.as_str()
        );
        if let Ok(doc) = document().dyn_into::<web_sys::HtmlDocument>() {
            if let Err(e) = doc.set_cookie(&cookie) {
                leptos::logging::warn!("language cookie not saved: {e:?}");
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = locale;
}

#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let toggle = move |_| {
        let next = match i18n.get_locale() {
            Locale::es => Locale::en,
            Locale::en => Locale::es,
        };
        i18n.set_locale(next);
        remember_locale(next);
    };
    // The visible word names the other language in that language ("English"); the accessible
    // name starts with it (WCAG 2.5.3, label in name) and says what the button is for.
    let other = move || match i18n.get_locale() {
        Locale::es => "en",
        Locale::en => "es",
    };
    view! {
        <button type="button" class="lang-switch" on:click=toggle data-testid="lang-switch">
            <span lang=other>{t!(i18n, nav.switch_to)}</span>
            <span class="visually-hidden">" · "{t!(i18n, nav.language)}</span>
        </button>
    }
}

#[component]
fn Navigation() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let logout = session.logout;
    let location = use_location();
    move || match session.user() {
        Some(u) => {
            let links = nav_entries(u.role)
                .into_iter()
                .map(|entry| match entry {
                    NavEntry::Link(item) => view! { <li><A href=item.path>{nav_label(i18n, item.key)}</A></li> }.into_any(),
                    NavEntry::Menu { key, items } => {
                        let paths: Vec<&'static str> = items.iter().map(|i| i.path).collect();
                        let here = move || paths.iter().any(|p| location.pathname.get().starts_with(p));
                        let links = items
                            .into_iter()
                            .map(|item| view! { <li><A href=item.path on:click=move |_| close_menus()>{nav_label(i18n, item.key)}</A></li> })
                            .collect_view();
                        view! {
                            <li class="nav-menu-item">
                                <details class="nav-menu" data-testid=format!("nav-menu-{key}")>
                                    <summary class:current=here>{nav_label(i18n, key)}</summary>
                                    <ul class="nav-submenu">{links}</ul>
                                </details>
                            </li>
                        }.into_any()
                    }
                })
                .collect_view();
            view! {
                <ul class="nav-links" data-role=u.role.as_str()>{links}</ul>
                <span class="whoami" title=u.email.clone()>{u.name.clone()}</span>
                <ActionForm action=logout attr:class="inline">
                    <button type="submit" class="link-button">{t!(i18n, nav.sign_out)}</button>
                </ActionForm>
            }
            .into_any()
        }
        None => view! {
            <ul class="nav-links">
                <li><A href="/kb">{t!(i18n, nav.kb)}</A></li>
                <li><A href="/ingresar">{t!(i18n, nav.sign_in)}</A></li>
            </ul>
        }
        .into_any(),
    }
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let menu_open = RwSignal::new(false);
    let toggle_ref = NodeRef::<leptos::html::Button>::new();
    let location = use_location();
    Effect::new(move |_| {
        location.pathname.track();
        menu_open.set(false);
    });
    view! {
        <a class="skip-link" href="#main">{t!(i18n, skip_to_content)}</a>
        <header class="site-header" on:keydown=move |ev: leptos::ev::KeyboardEvent| {
            // Escape closes the phone menu and any open header menu, back on the toggle.
            if ev.key() == "Escape" {
                close_menus();
                if menu_open.get_untracked() {
                    menu_open.set(false);
                    if let Some(button) = toggle_ref.get_untracked() {
                        let _ = button.focus();
                    }
                }
            }
        }>
            <A href="/" attr:class="brand">
                <img src="/logo.svg" alt="" width="28" height="28"/>
                <span>"Any2cloud"</span><span class="brand-sub">"Portal"</span>
            </A>
            <button type="button" class="menu-toggle" node_ref=toggle_ref
                aria-expanded=move || menu_open.get().to_string()
                aria-controls="main-nav"
                on:click=move |_| menu_open.update(|o| *o = !*o)>
                {t!(i18n, nav.menu)}
            </button>
            <nav id="main-nav" class="main-nav" class:open=move || menu_open.get()
                aria-label=move || td_string!(i18n.get_locale(), nav.main)>
                <Navigation/>
                <LanguageSwitch/>
            </nav>
        </header>
        <main id="main" tabindex="-1">{children()}</main>
        <crate::chat::pages::ChatLauncher/>
        <footer class="site-footer">
            <p>"© Any2cloud · soporte@any2cloud.com · WhatsApp +506 6303 6361"</p>
        </footer>
    }
}
