//! The signed-in user, known synchronously on every page.
//!
//! The server resolves the session before rendering (see `server_ctx::SignedIn`) and the value is
//! handed to the browser with the page, so no page waits on a "who am I" request and nothing is
//! created inside a suspended block that Leptos may run more than once on the server (which
//! would number the page's data differently in the HTML and in the browser).

use crate::accounts::api::{Login, Logout};
use crate::accounts::CurrentUser;
use crate::domain::Role;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::{ErrorNotice, Loading};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;
use std::sync::Arc;

type Signed = Result<Option<CurrentUser>, AppError>;

/// Who is signed in, and whether a sign-in or sign-out in this tab is still settling.
///
/// The sign-in and sign-out actions live here rather than in the pages that show their forms:
/// the server's answer to a sign-in navigates away from the sign-in page before the action
/// settles, and the session must still be reloaded then.
#[derive(Clone, Copy)]
pub struct Session {
    user: RwSignal<Signed>,
    changing: RwSignal<bool>,
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
}

impl Session {
    /// The signed-in user (tracked); `None` for visitors and while the session cannot be read.
    pub fn user(self) -> Option<CurrentUser> {
        self.user.read().as_ref().ok().cloned().flatten()
    }

    /// A sign-in was submitted: pages wait for it instead of sending the visitor to sign in.
    pub fn begin_change(self) {
        self.changing.set(true);
    }

    /// Reads the session again from the server (after signing in or out).
    pub fn reload(self) {
        self.changing.set(true);
        leptos::task::spawn_local(async move {
            let fresh = crate::accounts::api::whoami().await;
            self.user.set(fresh);
            self.changing.set(false);
        });
    }
}

/// The user as resolved for this request, in the server's render and (through the page's
/// serialized data) in the browser's first render.
fn signed_in_at_render() -> Signed {
    #[cfg(feature = "ssr")]
    {
        crate::server_ctx::signed_in_at_render()
    }
    #[cfg(not(feature = "ssr"))]
    {
        Ok(None)
    }
}

#[component]
pub fn UserProvider(children: Children) -> impl IntoView {
    let initial = leptos::server::SharedValue::new(signed_in_at_render).into_inner();
    let session = Session {
        user: RwSignal::new(initial),
        changing: RwSignal::new(false),
        login: ServerAction::new(),
        logout: ServerAction::new(),
    };
    Effect::new(move |_| match session.login.value().get() {
        Some(Ok(())) => session.reload(),
        // A refused sign-in leaves the session as it was.
        Some(Err(_)) => session.changing.set(false),
        None => {}
    });
    Effect::new(move |_| {
        if matches!(session.logout.value().get(), Some(Ok(()))) {
            session.reload();
        }
    });
    provide_context(session);
    children()
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

type UserView = Arc<dyn Fn(CurrentUser) -> AnyView + Send + Sync>;

/// Renders `children` for a signed-in user with one of `roles` (any role when empty);
/// sends anonymous visitors to the sign-in page and tells others they lack permission.
/// Usage: `<Authorized roles=&[Role::Admin] let:user> … </Authorized>`.
#[component]
pub fn Authorized<F, V>(#[prop(default = &[])] roles: &'static [Role], children: F) -> impl IntoView
where
    F: Fn(CurrentUser) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let session = use_session();
    let render: UserView = Arc::new(move |u| children(u).into_any());
    let i18n = use_i18n();
    // Pages are lazy routes: after a navigation (signing out lands on `/`) this page stays on
    // screen until the next page's code has loaded. A sign-out seen in that window must not
    // send the visitor to the sign-in page instead of where they were going.
    let location = use_location();
    let page_path = location.pathname.get_untracked();
    // Where a visitor sent to sign in comes back to: this page, with its query.
    let here = match location.search.get_untracked() {
        query if query.is_empty() => page_path.clone(),
        query => format!("{page_path}?{query}"),
    };
    let sign_in = crate::domain::nav::sign_in_returning_to(&here);
    move || {
        if session.changing.get() {
            return view! { <Loading/> }.into_any();
        }
        let signed = session.user.get();
        let render = render.clone();
        let sign_in = sign_in.clone();
        let navigating_away = location.pathname.get_untracked() != page_path;
        untrack(move || match signed {
            Ok(Some(u)) if roles.is_empty() || roles.contains(&u.role) => render(u),
            Ok(Some(_)) => view! {
                <section class="card">
                    <h1>{t!(i18n, errors.forbidden_title)}</h1>
                    <p class="notice error" role="alert">{t!(i18n, errors.forbidden_page)}</p>
                </section>
            }
            .into_any(),
            Ok(None) if navigating_away => ().into_any(),
            Ok(None) => view! { <Redirect path=sign_in/> }.into_any(),
            Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
        })
    }
}
