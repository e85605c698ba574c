//! Any2cloud Portal: the Leptos application, shared by the server (SSR) and the browser (hydrate).

#![recursion_limit = "256"]

pub mod accounts;
pub mod changes;
#[cfg(feature = "ssr")]
pub mod channels;
pub mod chat;
pub mod domain;
pub mod error;
#[cfg(feature = "ssr")]
pub mod files;
pub mod hours;
pub mod kb;
#[cfg(feature = "ssr")]
pub mod markdown;
pub mod pages;
pub mod projects;
#[cfg(feature = "ssr")]
pub mod server_ctx;
pub mod shop;
pub mod tickets;
pub mod ui;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use leptos_router::SsrMode;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
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

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    tickets::pages::provide_clock();
    view! {
        // Spanish unless the person picked English (remembered in a cookie): the browser's
        // Accept-Language is deliberately ignored, as the product's default language is Spanish.
        <I18nContextProvider ssr_lang_header_getter=spanish_by_default()>
            <Stylesheet id="leptos" href="/pkg/portal.css"/>
            <Link rel="icon" href="/favicon.svg" type_="image/svg+xml"/>
            <Title formatter=|text: String| if text.is_empty() { "Any2cloud Portal".to_owned() } else { format!("{text} · Any2cloud Portal") }/>
            // Pages render on the server once their data is loaded (SsrMode::Async): no streamed
            // fragments to stitch during hydration, and titles/meta are complete for crawlers.
            <Router>
                <ui::UserProvider>
                    <ui::Layout>
                        <Routes fallback=pages::NotFound>
                            <Route path=path!("/") view=pages::Home ssr=SsrMode::Async/>
                            <Route path=path!("/ingresar") view=accounts::pages::LoginPage ssr=SsrMode::Async/>
                            <Route path=path!("/recuperar-contrasena") view=accounts::pages::ForgotPage ssr=SsrMode::Async/>
                            <Route path=path!("/restablecer-contrasena") view=accounts::pages::ResetPage ssr=SsrMode::Async/>
                            <Route path=path!("/panel") view=pages::Dashboard ssr=SsrMode::Async/>
                            <Route path=path!("/organizacion") view=accounts::pages::MyOrgPage ssr=SsrMode::Async/>
                            <Route path=path!("/cuenta") view=accounts::pages::AccountPage ssr=SsrMode::Async/>
                            <Route path=path!("/tickets") view=tickets::pages::TicketsPage ssr=SsrMode::Async/>
                            <Route path=path!("/tickets/nuevo") view=tickets::pages::NewTicketPage ssr=SsrMode::Async/>
                            <Route path=path!("/tickets/:id") view=tickets::pages::TicketDetailPage ssr=SsrMode::Async/>
                            <Route path=path!("/admin/organizaciones") view=accounts::pages::OrgsPage ssr=SsrMode::Async/>
                            <Route path=path!("/admin/usuarios") view=accounts::pages::UsersPage ssr=SsrMode::Async/>
                            <Route path=path!("/admin/calendario") view=tickets::pages::CalendarPage ssr=SsrMode::Async/>
                            <Route path=path!("/admin/reportes/sla") view=tickets::pages::ReportPage ssr=SsrMode::Async/>
                            <Route path=path!("/admin/correo") view=accounts::pages::OutboxPage ssr=SsrMode::Async/>
                            <Route path=path!("/kb") view=kb::pages::KbHomePage ssr=SsrMode::Async/>
                            <Route path=path!("/kb/buscar") view=kb::pages::KbSearchPage ssr=SsrMode::Async/>
                            <Route path=path!("/kb/:category") view=kb::pages::KbCategoryPage ssr=SsrMode::Async/>
                            <Route path=path!("/kb/:category/:slug") view=kb::pages::KbArticlePage ssr=SsrMode::Async/>
                            <Route path=path!("/editor/articulos") view=kb::pages::KbDashboardPage ssr=SsrMode::Async/>
                            <Route path=path!("/editor/articulos/nuevo") view=kb::pages::KbNewPage ssr=SsrMode::Async/>
                            <Route path=path!("/editor/articulos/:id") view=kb::pages::KbEditPage ssr=SsrMode::Async/>
                            <Route path=path!("/editor/articulos/:id/historial") view=kb::pages::KbHistoryPage ssr=SsrMode::Async/>
                            <Route path=path!("/agente/chat") view=chat::pages::AgentConsolePage ssr=SsrMode::Async/>
                            <Route path=path!("/admin/respuestas") view=chat::pages::CannedPage ssr=SsrMode::Async/>
                            <Route path=path!("/proyectos") view=projects::pages::ProjectsPage ssr=SsrMode::Async/>
                            <Route path=path!("/proyectos/:id") view=projects::pages::ProjectDetailPage ssr=SsrMode::Async/>
                            <Route path=path!("/editor/categorias") view=kb::pages::KbCategoriesPage ssr=SsrMode::Async/>
                            <Route path=path!("/tienda") view=shop::pages::StorePage ssr=SsrMode::Async/>
                            <Route path=path!("/tienda/pedidos") view=shop::pages::OrdersPage ssr=SsrMode::Async/>
                            <Route path=path!("/tienda/pedidos/:id") view=shop::pages::ReceiptPage ssr=SsrMode::Async/>
                            <Route path=path!("/admin/tienda") view=shop::pages::StoreAdminPage ssr=SsrMode::Async/>
                            <Route path=path!("/horas") view=hours::pages::HoursPage ssr=SsrMode::Async/>
                            <Route path=path!("/cambios") view=changes::pages::ChangesPage ssr=SsrMode::Async/>
                            <Route path=path!("/cambios/:id") view=changes::pages::ChangeDetailPage ssr=SsrMode::Async/>
                        </Routes>
                    </ui::Layout>
                </ui::UserProvider>
            </Router>
        </I18nContextProvider>
    }
}
