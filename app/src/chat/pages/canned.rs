//! Admins manage the canned responses agents insert with `/shortcut`.

use crate::chat::api::{canned_list, CannedDelete, CannedSave};
use crate::chat::CannedResponse;
use crate::domain::Role;
use crate::i18n::*;
use crate::ui::PageTitle;
use crate::ui::{Authorized, ErrorNotice, FormError, Loading};
use leptos::prelude::*;

#[component]
pub fn CannedPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), chat.canned_title)/>
        <h1>{t!(i18n, chat.canned_title)}</h1>
        <Authorized roles=&[Role::Admin] let:_u>
            <CannedManager/>
        </Authorized>
    }
}

#[component]
fn CannedManager() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<CannedSave>::new();
    let delete = ServerAction::<CannedDelete>::new();
    let list = Resource::new(
        move || (save.version().get(), delete.version().get()),
        |_| canned_list(),
    );
    let editing = RwSignal::new(None::<CannedResponse>);
    let shortcut = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            editing.set(None);
            shortcut.set(String::new());
            title.set(String::new());
            body.set(String::new());
        }
    });
    view! {
        <p class="muted">{t!(i18n, chat.canned_help)}</p>
        <form class="stack card" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(CannedSave {
                id: editing.get_untracked().map(|c| c.id),
                shortcut: shortcut.get_untracked(),
                title: title.get_untracked(),
                body: body.get_untracked(),
            });
        }>
            <h2>{move || if editing.get().is_some() { td_string!(i18n.get_locale(), chat.canned_edit) } else { td_string!(i18n.get_locale(), chat.canned_new) }}</h2>
            <label>{t!(i18n, chat.canned_shortcut)}
                <input required maxlength="31" placeholder="saludo" prop:value=move || shortcut.get()
                    on:input=move |ev| shortcut.set(event_target_value(&ev)) data-testid="canned-shortcut"/></label>
            <label>{t!(i18n, chat.canned_name)}
                <input required maxlength="120" prop:value=move || title.get()
                    on:input=move |ev| title.set(event_target_value(&ev)) data-testid="canned-title"/></label>
            <label>{t!(i18n, chat.canned_body)}
                <textarea required rows="4" maxlength="4000" prop:value=move || body.get()
                    on:input=move |ev| body.set(event_target_value(&ev)) data-testid="canned-body"></textarea></label>
            <FormError result=save.value().into()/>
            <div class="row">
                <button type="submit" data-testid="canned-save">{t!(i18n, chat.canned_save)}</button>
                {move || editing.get().is_some().then(|| view! {
                    <button type="button" class="link-button" on:click=move |_| {
                        editing.set(None); shortcut.set(String::new()); title.set(String::new()); body.set(String::new());
                    }>{t!(i18n, chat.cancel)}</button>
                })}
            </div>
        </form>
        <FormError result=delete.value().into()/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(items) if items.is_empty() => view! { <p class="muted">{t!(i18n, chat.canned_empty)}</p> }.into_any(),
                    Ok(items) => view! {
                        <table class="table" data-testid="canned-table">
                            <thead><tr>
                                <th>{t!(i18n, chat.canned_shortcut)}</th><th>{t!(i18n, chat.canned_name)}</th>
                                <th>{t!(i18n, chat.canned_body)}</th><th><span class="visually-hidden">{t!(i18n, actions)}</span></th>
                            </tr></thead>
                            <tbody>
                                {items.into_iter().map(|c| {
                                    let for_edit = c.clone();
                                    let id = c.id;
                                    view! {
                                        <tr>
                                            <td><code>"/"{c.shortcut.clone()}</code></td>
                                            <td>{c.title.clone()}</td>
                                            <td class="wrap">{c.body.clone()}</td>
                                            <td class="row">
                                                <button type="button" class="link-button" on:click=move |_| {
                                                    shortcut.set(for_edit.shortcut.clone());
                                                    title.set(for_edit.title.clone());
                                                    body.set(for_edit.body.clone());
                                                    editing.set(Some(for_edit.clone()));
                                                }>{t!(i18n, chat.edit)}</button>
                                                <button type="button" class="link-button danger" on:click=move |_| { delete.dispatch(CannedDelete { id }); }>
                                                    {t!(i18n, chat.delete)}</button>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
