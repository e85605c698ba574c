//! Any2cloud Portal: the Leptos application, shared by the server (SSR) and the browser (hydrate).

#![recursion_limit = "256"]

pub mod accounts;
pub mod changes;
#[cfg(feature = "ssr")]
pub mod channels;
pub mod chat;
pub mod dashboard;
pub mod domain;
pub mod error;
#[cfg(feature = "ssr")]
pub mod files;
pub mod hours;
pub mod kb;
#[cfg(feature = "ssr")]
pub mod kernel;
#[cfg(feature = "ssr")]
pub mod markdown;
pub mod pages;
pub mod projects;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod server_ctx;
pub mod shop;
#[cfg(feature = "ssr")]
pub mod split_preload;
pub mod tickets;
pub mod ui;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::SsrMode;
use leptos_router::{path, Lazy};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                // In the shell rather than as leptos_meta components in `App`: they never change,
                // so the browser code has nothing to hydrate for them.
                <link rel="stylesheet" id="leptos" href="/pkg/portal.css"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

fn spanish_by_default() -> leptos_i18n::context::UseLocalesOptions {
    leptos_i18n::context::UseLocalesOptions::default().ssr_lang_header_getter(|| None)
}

/// The server only reads the language cookie. Writing it back on every page (leptos_i18n's
/// default) sent it without a path, so the browser scoped a copy to that page's folder, and that
/// copy outranked a later choice made elsewhere. The browser writes it, site-wide, when the person
/// picks a language (`ui::layout`).
fn language_cookie_read_only() -> leptos_i18n::context::CookieOptions<Locale> {
    leptos_i18n::context::CookieOptions::default().readonly(true)
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    tickets::pages::provide_clock();
    view! {
        // Spanish unless the person picked English (remembered in a cookie): the browser's
        // Accept-Language is deliberately ignored, as the product's default language is Spanish.
        <I18nContextProvider ssr_lang_header_getter=spanish_by_default() cookie_options=language_cookie_read_only()>
            <Title formatter=|text: String| if text.is_empty() { "Any2cloud Portal".to_owned() } else { format!("{text} · Any2cloud Portal") }/>
            // Pages render on the server once their data is loaded (SsrMode::Async): no streamed
            // fragments to stitch during hydration, and titles/meta are complete for crawlers.
            <Router>
                <ui::UserProvider>
                    <ui::Layout>
                        <Routes fallback=pages::NotFound>
                            <Route path=path!("/") view={Lazy::<routes::HomeRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/ingresar") view={Lazy::<routes::LoginRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/recuperar-contrasena") view={Lazy::<routes::ForgotRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/restablecer-contrasena") view={Lazy::<routes::ResetRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/confirmar-correo") view={Lazy::<routes::ConfirmAddressRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/panel") view={Lazy::<routes::DashboardRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/organizacion") view={Lazy::<routes::MyOrgRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/cuenta") view={Lazy::<routes::AccountRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/tickets") view={Lazy::<routes::TicketsRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/tickets/nuevo") view={Lazy::<routes::NewTicketRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/tickets/:id") view={Lazy::<routes::TicketDetailRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/admin/organizaciones") view={Lazy::<routes::OrgsRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/admin/usuarios") view={Lazy::<routes::UsersRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/admin/calendario") view={Lazy::<routes::CalendarRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/admin/reportes/sla") view={Lazy::<routes::SlaReportRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/admin/correo") view={Lazy::<routes::OutboxRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/kb") view={Lazy::<routes::KbHomeRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/kb/buscar") view={Lazy::<routes::KbSearchRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/kb/:category") view={Lazy::<routes::KbCategoryRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/kb/:category/:slug") view={Lazy::<routes::KbArticleRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/editor/articulos") view={Lazy::<routes::KbDashboardRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/editor/articulos/nuevo") view={Lazy::<routes::KbNewRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/editor/articulos/:id") view={Lazy::<routes::KbEditRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/editor/articulos/:id/historial") view={Lazy::<routes::KbHistoryRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/agente/chat") view={Lazy::<routes::AgentConsoleRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/admin/respuestas") view={Lazy::<routes::CannedRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/proyectos") view={Lazy::<routes::ProjectsRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/proyectos/:id") view={Lazy::<routes::ProjectDetailRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/editor/categorias") view={Lazy::<routes::KbCategoriesRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/tienda") view={Lazy::<routes::StoreRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/tienda/pedidos") view={Lazy::<routes::OrdersRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/tienda/pedidos/:id") view={Lazy::<routes::ReceiptRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/admin/tienda") view={Lazy::<routes::StoreAdminRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/horas") view={Lazy::<routes::HoursRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/cambios") view={Lazy::<routes::ChangesRoute>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/cambios/:id") view={Lazy::<routes::ChangeDetailRoute>::new()} ssr=SsrMode::Async/>
                        </Routes>
                    </ui::Layout>
                </ui::UserProvider>
            </Router>
        </I18nContextProvider>
    }
}
