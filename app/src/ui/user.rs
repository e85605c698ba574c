use crate::accounts::api::whoami;
use crate::accounts::CurrentUser;
use crate::domain::Role;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::{ErrorNotice, Loading};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use std::sync::Arc;

/// The signed-in user, loaded once per page load and shared through context.
#[derive(Clone, Copy)]
pub struct UserResource(pub Resource<Result<Option<CurrentUser>, AppError>>);

/// Bumped whenever the session changes in this tab (sign-in, sign-out), so the signed-in
/// user is fetched again before the next page renders.
#[derive(Clone, Copy)]
pub struct SessionEpoch(RwSignal<u32>);

impl SessionEpoch {
    pub fn bump(self) {
        self.0.update(|v| *v = v.wrapping_add(1));
    }
}

pub fn use_session_epoch() -> SessionEpoch {
    expect_context::<SessionEpoch>()
}

#[component]
pub fn UserProvider(children: Children) -> impl IntoView {
    let epoch = RwSignal::new(0u32);
    let resource = Resource::new(move || epoch.get(), |_| whoami());
    provide_context(SessionEpoch(epoch));
    provide_context(UserResource(resource));
    children()
}

pub fn use_user() -> Resource<Result<Option<CurrentUser>, AppError>> {
    expect_context::<UserResource>().0
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
    let user = use_user();
    let render: UserView = Arc::new(move |u| children(u).into_any());
    let i18n = use_i18n();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match user.await {
                        Ok(Some(u)) if roles.is_empty() || roles.contains(&u.role) => render(u),
                        Ok(Some(_)) => view! {
                            <section class="card">
                                <h1>{t!(i18n, errors.title)}</h1>
                                <p class="notice error" role="alert">{t!(i18n, errors.forbidden)}</p>
                            </section>
                        }.into_any(),
                        Ok(None) => view! { <Redirect path="/ingresar"/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
