//! An article's revisions: who saved what and when, a diff between any two, and restore.

use super::editor::status_label;
use crate::domain::{format_cr, Role};
use crate::i18n::*;
use crate::kb::api::{kb_diff, kb_editor_article, kb_revisions, KbRestore};
use crate::kb::{DiffKind, RevisionDiff};
use crate::ui::PageTitle;
use crate::ui::{Authorized, ErrorNotice, FormError, Loading};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn KbHistoryPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), kb.history)/>
        <Authorized roles=&[Role::Editor, Role::Admin] let:_user>
            <History/>
        </Authorized>
    }
}

#[component]
fn History() -> impl IntoView {
    let i18n = use_i18n();
    let id = crate::ui::use_id_param();
    let restore = ServerAction::<KbRestore>::new();
    let data = Resource::new(
        move || (id(), restore.version().get()),
        |(id, _)| async move {
            let article = kb_editor_article(id).await?;
            let revisions = kb_revisions(id).await?;
            Ok::<_, crate::error::AppError>((article, revisions))
        },
    );
    let from = RwSignal::new(0_i64);
    let to = RwSignal::new(0_i64);
    let diff = RwSignal::new(None::<Result<RevisionDiff, crate::error::AppError>>);
    let compare = move |_| {
        let (a, b) = (from.get_untracked(), to.get_untracked());
        let article = id();
        leptos::task::spawn_local(async move {
            let result = kb_diff(article, a, b).await;
            // `try_`: the history may have been left before the answer came.
            let _ = diff.try_set(Some(result));
        });
    };
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok((article, revisions)) => {
                        let current = article.revision;
                        if from.get_untracked() == 0 || to.get_untracked() == 0 || to.get_untracked() < current {
                            to.set(current);
                            from.set(revisions.get(1).map(|r| r.number).unwrap_or(current));
                        }
                        let options = revisions.iter().map(|r| (r.number, format!("#{} · {}", r.number, format_cr(r.created_at)))).collect::<Vec<_>>();
                        let options = StoredValue::new(options);
                        view! {
                            <div class="page-head">
                                <h1>{t!(i18n, kb.history)}": "{article.draft.title.clone()}</h1>
                                <A href=format!("/editor/articulos/{}", article.id) attr:class="button">{t!(i18n, kb.back_to_edit)}</A>
                            </div>
                            <FormError result=restore.value().into()/>
                            <div class="table-wrap card">
                                <table class="data" data-testid="revisions">
                                    <thead><tr>
                                        <th>"#"</th><th>{t!(i18n, kb.field_title)}</th><th>{t!(i18n, kb.field_status)}</th>
                                        <th>{t!(i18n, kb.author)}</th><th>{t!(i18n, kb.date)}</th><th><span class="visually-hidden">{t!(i18n, actions)}</span></th>
                                    </tr></thead>
                                    <tbody>
                                        {revisions.into_iter().map(|r| {
                                            let number = r.number;
                                            let status = r.status;
                                            view! {
                                                <tr data-testid="revision">
                                                    <td>{r.number}</td>
                                                    <td>{r.title.clone()}</td>
                                                    <td>{move || status_label(i18n.get_locale(), status)}</td>
                                                    <td>{r.author.clone()}</td>
                                                    <td>{format_cr(r.created_at)}</td>
                                                    <td>{if number == current {
                                                        view! { <span class="badge">{t!(i18n, kb.current)}</span> }.into_any()
                                                    } else {
                                                        view! {
                                                            <button type="button" disabled=move || restore.pending().get()
                                                                on:click=move |_| { restore.dispatch(KbRestore { id: article.id, number, revision: current }); }>
                                                                {t!(i18n, kb.restore)}" #"{number}
                                                            </button>
                                                        }.into_any()
                                                    }}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <section class="card">
                                <h2>{t!(i18n, kb.compare)}</h2>
                                <div class="filters">
                                    <label>{t!(i18n, kb.compare_from)}
                                        <select prop:value=move || from.get().to_string() on:change=move |ev| from.set(event_target_value(&ev).parse().unwrap_or(0))>
                                            {options.get_value().into_iter().map(|(n, label)| view! { <option value=n.to_string() selected=move || from.get() == n>{label}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <label>{t!(i18n, kb.compare_to)}
                                        <select prop:value=move || to.get().to_string() on:change=move |ev| to.set(event_target_value(&ev).parse().unwrap_or(0))>
                                            {options.get_value().into_iter().map(|(n, label)| view! { <option value=n.to_string() selected=move || to.get() == n>{label}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <button type="button" on:click=compare>{t!(i18n, kb.show_diff)}</button>
                                </div>
                                {move || diff.get().map(|d| match d {
                                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                                    Ok(d) => view! { <DiffView d/> }.into_any(),
                                })}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn DiffView(d: RevisionDiff) -> impl IntoView {
    let i18n = use_i18n();
    let changed = d.lines.iter().any(|l| l.kind != DiffKind::Same) || d.title_from != d.title_to;
    view! {
        <div class="diff" data-testid="diff">
            {(d.title_from != d.title_to).then(|| view! {
                <p><del>{d.title_from.clone()}</del>" → "<ins>{d.title_to.clone()}</ins></p>
            })}
            {if changed {
                view! {
                    <pre>{d.lines.into_iter().map(|l| {
                        let (class, mark) = match l.kind {
                            DiffKind::Same => ("same", "  "),
                            DiffKind::Added => ("added", "+ "),
                            DiffKind::Removed => ("removed", "- "),
                        };
                        view! { <span class=format!("line {class}")>{mark}{l.text}"\n"</span> }
                    }).collect_view()}</pre>
                }.into_any()
            } else {
                view! { <p class="empty">{t!(i18n, kb.no_differences)}</p> }.into_any()
            }}
        </div>
    }
}
