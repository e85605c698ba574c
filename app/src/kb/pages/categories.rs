//! Categories: create, rename (Spanish and English names) and reorder.

use crate::domain::Role;
use crate::i18n::*;
use crate::kb::api::{kb_editor_categories, KbCreateCategory, KbMoveCategory, KbRenameCategory};
use crate::ui::PageTitle;
use crate::ui::{Authorized, ErrorNotice, FormError, Loading};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn KbCategoriesPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), kb.categories)/>
        <Authorized roles=&[Role::Editor, Role::Admin] let:_user>
            <Categories/>
        </Authorized>
    }
}

#[component]
fn Categories() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<KbCreateCategory>::new();
    let rename = ServerAction::<KbRenameCategory>::new();
    let reorder = ServerAction::<KbMoveCategory>::new();
    let list = Resource::new(
        move || {
            (
                create.version().get(),
                rename.version().get(),
                reorder.version().get(),
            )
        },
        |_| kb_editor_categories(),
    );
    view! {
        <div class="page-head">
            <h1>{t!(i18n, kb.categories)}</h1>
            <A href="/editor/articulos" attr:class="button">{t!(i18n, kb.back_to_articles)}</A>
        </div>
        <FormError result=rename.value().into()/>
        <FormError result=reorder.value().into()/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(categories) => {
                        let last = categories.len().saturating_sub(1);
                        view! {
                            <ol class="category-admin" data-testid="category-list">
                                {categories.into_iter().enumerate().map(|(i, c)| view! {
                                    <li class="card">
                                        <ActionForm action=rename attr:class="inline-form">
                                            <input type="hidden" name="id" value=c.id.to_string()/>
                                            <label>{t!(i18n, kb.name_es)}<input name="name_es" value=c.name_es.clone() required maxlength="80"/></label>
                                            <label>{t!(i18n, kb.name_en)}<input name="name_en" value=c.name_en.clone() required maxlength="80"/></label>
                                            <button type="submit">{t!(i18n, kb.rename)}</button>
                                        </ActionForm>
                                        <span class="muted">{c.article_count}" "{move || if c.article_count == 1 { td_string!(i18n.get_locale(), kb.article_one) } else { td_string!(i18n.get_locale(), kb.article_many) }}</span>
                                        <div class="button-row">
                                            <button type="button" disabled=i == 0 aria-label=move || td_string!(i18n.get_locale(), kb.move_up)
                                                on:click=move |_| { reorder.dispatch(KbMoveCategory { id: c.id, up: true }); }>"↑"</button>
                                            <button type="button" disabled=i == last aria-label=move || td_string!(i18n.get_locale(), kb.move_down)
                                                on:click=move |_| { reorder.dispatch(KbMoveCategory { id: c.id, up: false }); }>"↓"</button>
                                        </div>
                                    </li>
                                }).collect_view()}
                            </ol>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <section class="card">
            <h2>{t!(i18n, kb.new_category)}</h2>
            <ActionForm action=create attr:class="form">
                <label for="new-name-es">{t!(i18n, kb.name_es)}</label>
                <input id="new-name-es" name="name_es" required maxlength="80"/>
                <label for="new-name-en">{t!(i18n, kb.name_en)}</label>
                <input id="new-name-en" name="name_en" required maxlength="80"/>
                <FormError result=create.value().into()/>
                <button type="submit" class="primary">{t!(i18n, kb.create_category)}</button>
            </ActionForm>
        </section>
    }
}
