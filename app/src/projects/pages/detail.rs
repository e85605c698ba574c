//! `/proyectos/:id`: the project with its Gantt chart, item details and comments, a list view
//! for small screens and screen readers, and what changed this week.

use super::editor::{ItemEditor, ProjectEditor};
use super::gantt::{GanttInteraction, GanttSvg, PendingMove};
use super::list::HealthRule;
use super::{deviation_text, health_label, item_state_text, short_date, state_label, status_label};
use crate::domain::format_cr;
use crate::domain::gantt::Scale;
use crate::domain::project::{conflicts_after_move, DependencyConflict, ItemKind, PlanItem};
use crate::domain::Role;
use crate::i18n::*;
use crate::projects::api::{project_load, ProjectBaseline, ProjectComment, ProjectSaveItem};
use crate::projects::{ChangeAction, ItemComment, ItemPatch, ProjectChange, ProjectPage};
use crate::ui::PageTitle;
use crate::ui::{Authorized, ErrorNotice, FormError, Loading};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use std::sync::Arc;

#[component]
pub fn ProjectDetailPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), projects.title)/>
        <Authorized roles=&[Role::Customer, Role::Agent, Role::Admin] let:user>
            <ProjectView staff=user.role != Role::Customer/>
        </Authorized>
    }
}

/// Page state that outlives a reload of the page data: the reload counter and the outcome of
/// the last save (its dependency warnings, already worded).
#[derive(Clone, Copy)]
pub(super) struct PageState {
    refresh: RwSignal<u32>,
    feedback: RwSignal<Option<Vec<String>>>,
}

impl PageState {
    pub(super) fn bump(self) {
        self.refresh.update(|v| *v += 1);
    }

    /// A save went through: remember its warnings and reload.
    pub(super) fn saved(self, warnings: Vec<String>) {
        self.feedback.set(Some(warnings));
        self.bump();
    }
}

/// Words a broken dependency, naming both items.
pub(super) fn conflict_text(locale: Locale, items: &[PlanItem], c: &DependencyConflict) -> String {
    let name = |id: i64| {
        items
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.name.clone())
            .unwrap_or_default()
    };
    format!(
        "«{}» {} «{}» {}",
        name(c.item),
        td_string!(locale, projects.conflict_depends),
        name(c.depends_on),
        td_string!(locale, projects.conflict_before)
    )
}

#[component]
fn SaveFeedback() -> impl IntoView {
    let i18n = use_i18n();
    let state = expect_context::<PageState>();
    move || {
        state.feedback.get().map(|warnings| {
            if warnings.is_empty() {
                view! { <p class="notice ok" role="status" data-testid="saved">{t!(i18n, projects.saved)}</p> }.into_any()
            } else {
                view! {
                    <div class="notice warn" role="status" data-testid="saved-warning">
                        <p>{t!(i18n, projects.saved_with_conflicts)}</p>
                        <ul>{warnings.into_iter().map(|w| view! { <li>"⚠ "{w}</li> }).collect_view()}</ul>
                    </div>
                }.into_any()
            }
        })
    }
}

#[component]
fn ProjectView(staff: bool) -> impl IntoView {
    let i18n = use_i18n();
    let id = crate::ui::use_id_param();
    let state = PageState {
        refresh: RwSignal::new(0),
        feedback: RwSignal::new(None),
    };
    let page = Resource::new(
        move || (id(), state.refresh.get()),
        |(id, _)| project_load(id),
    );
    let interaction = GanttInteraction::new(staff);
    provide_context(state);
    view! {
        <p><A href="/proyectos">"← "{t!(i18n, projects.back)}</A></p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(p) => view! { <ProjectBody page=p interaction/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn scale_from_query(raw: Option<String>, page: &ProjectPage) -> Scale {
    raw.and_then(|s| s.parse().ok()).unwrap_or({
        let span = (page.project.target_end - page.project.start).num_days();
        if span > 240 {
            Scale::Month
        } else {
            Scale::Week
        }
    })
}

#[component]
fn ProjectBody(page: ProjectPage, interaction: GanttInteraction) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let project = page.project.clone();
    let (pid, status, health) = (project.id, project.status, project.figures.health);
    let items = Arc::new(page.items.clone());
    let today = page.today;
    let page_for_scale = page.clone();
    let scale = Memo::new(move |_| scale_from_query(query.read().get("escala"), &page_for_scale));
    let f = project.figures.clone();
    let can_edit = page.can_edit;
    let chart_items = items.clone();
    view! {
        <header class="page-head project-head">
            <div>
                <p class="muted">{project.org_name.clone()}</p>
                <h1>{project.name.clone()}</h1>
                <p>
                    <span class="badge" data-testid="project-status">{move || status_label(i18n.get_locale(), status)}</span>" "
                    <span class=format!("badge health-{}", health.as_str()) data-testid="health">{move || health_label(i18n.get_locale(), health)}</span>
                </p>
            </div>
        </header>
        {(!project.description.is_empty()).then(|| view! { <p class="project-description">{project.description.clone()}</p> })}
        <dl class="facts project-facts">
            <dt>{t!(i18n, projects.progress)}</dt><dd data-testid="progress">{f.progress}" % "<span class="muted">"("{t!(i18n, projects.expected)}" "{f.expected_progress}" %)"</span></dd>
            <dt>{t!(i18n, projects.dates)}</dt><dd>{short_date(project.start)}" – "{short_date(project.target_end)}</dd>
            <dt>{t!(i18n, projects.lead)}</dt><dd>{project.lead_name.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>{t!(i18n, projects.next_milestone)}</dt><dd>{f.next_milestone.clone().map(|(n, d)| format!("{n} · {}", short_date(d))).unwrap_or_else(|| "—".into())}</dd>
            <dt>{t!(i18n, projects.blocked_count)}</dt><dd>{f.blocked}</dd>
            <dt>{t!(i18n, projects.deviated_count)}</dt><dd>{f.deviated}</dd>
            <dt>{t!(i18n, projects.baseline)}</dt><dd data-testid="baseline-at">{match project.baseline_at {
                Some(at) => format_cr(at).into_any(),
                None => view! { <span class="muted">{t!(i18n, projects.no_baseline)}</span> }.into_any(),
            }}</dd>
        </dl>
        {can_edit.then(|| view! { <StaffTools page=page.clone()/> })}
        <section class="card gantt-card" aria-labelledby="chart-h">
            <div class="gantt-toolbar">
                <h2 id="chart-h">{t!(i18n, projects.chart)}</h2>
                <button type="button" class="secondary print-button" on:click=move |_| crate::ui::print_page()>{t!(i18n, projects.print)}</button>
                <nav class="segmented" aria-label=move || td_string!(i18n.get_locale(), projects.scale)>
                    {Scale::ALL.into_iter().map(|s| view! {
                        <A href=format!("/proyectos/{pid}?escala={}", s.as_str()) attr:class="segment"
                            attr:aria-current=move || (scale.get() == s).then_some("true")>
                            {move || scale_label(i18n.get_locale(), s)}
                        </A>
                    }).collect_view()}
                </nav>
            </div>
            <Legend/>
            {can_edit.then(|| view! { <p class="muted small">{t!(i18n, projects.drag_hint)}</p> })}
            {move || {
                let items = chart_items.clone();
                if items.is_empty() {
                    return view! { <p class="empty">{t!(i18n, projects.no_items)}</p> }.into_any();
                }
                view! {
                    <div class="gantt-scroll">
                        <GanttSvg items scale=scale.get() today locale=i18n.get_locale() interaction/>
                    </div>
                }.into_any()
            }}
            <PendingPanel items=items.clone() project_id=pid interaction/>
            <SaveFeedback/>
        </section>
        <ItemPanel page=page.clone() interaction/>
        <ListView items=items.clone() today/>
        <Changes changes=page.changes.clone()/>
        <section class="card" data-testid="project-change-requests">
            <h2>{t!(i18n, changes.projects_title)}</h2>
            {if page.change_requests.is_empty() {
                view! { <p class="empty">{t!(i18n, changes.projects_empty)}" "<A href="/cambios">{t!(i18n, changes.new_request)}</A></p> }.into_any()
            } else {
                view! { <crate::changes::pages::ChangeTable items=page.change_requests.clone() staff=false/> }.into_any()
            }}
        </section>
        <HealthRule/>
    }
}

fn scale_label(locale: Locale, scale: Scale) -> &'static str {
    match scale {
        Scale::Day => td_string!(locale, projects.scale_day),
        Scale::Week => td_string!(locale, projects.scale_week),
        Scale::Month => td_string!(locale, projects.scale_month),
    }
}

#[component]
fn Legend() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="gantt-legend">
            <li><span class="swatch bar"></span>{t!(i18n, projects.legend_activity)}</li>
            <li><span class="swatch milestone"></span>{t!(i18n, projects.legend_milestone)}</li>
            <li><span class="swatch blocked"></span>{t!(i18n, projects.state_blocked)}</li>
            <li><span class="swatch baseline"></span>{t!(i18n, projects.legend_baseline)}</li>
            <li><span class="swatch today"></span>{t!(i18n, projects.today)}</li>
        </ul>
    }
}

/// Staff moved a bar: confirm the new dates, with the dependency warning.
#[component]
fn PendingPanel(
    items: Arc<Vec<PlanItem>>,
    project_id: i64,
    interaction: GanttInteraction,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = expect_context::<PageState>();
    let save = ServerAction::<ProjectSaveItem>::new();
    let pending = interaction.pending;
    let names = items.clone();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            let locale = i18n.get_locale_untracked();
            let warnings = saved
                .conflicts
                .iter()
                .map(|c| conflict_text(locale, &names, c))
                .collect();
            pending.set(None);
            state.saved(warnings);
        }
    });
    let items_for_view = items.clone();
    view! {
        {move || pending.get().map(|m: PendingMove| {
            let items = items_for_view.clone();
            let Some(item) = items.iter().find(|i| i.id == m.id).cloned() else { return ().into_any() };
            let conflicts = conflicts_after_move(&items, m.id, m.start, m.end);
            let locale = i18n.get_locale();
            view! {
                <div class="notice pending-move" role="status" data-testid="pending-move">
                    <p><strong>{t!(i18n, projects.move_title)}" «"{item.name.clone()}"»"</strong>": "
                        {short_date(item.start)}" – "{short_date(item.end)}" → "
                        <strong>{short_date(m.start)}" – "{short_date(m.end)}</strong></p>
                    {(!conflicts.is_empty()).then(|| view! {
                        <ul class="warnings" data-testid="dependency-warning">
                            {conflicts.iter().map(|c| view! { <li>"⚠ "{conflict_text(locale, &items, c)}</li> }).collect_view()}
                        </ul>
                    })}
                    <FormError result=save.value().into()/>
                    <div class="button-row">
                        <button type="button" data-testid="save-move" disabled=move || save.pending().get()
                            on:click=move |_| {
                                save.dispatch(ProjectSaveItem {
                                    project_id,
                                    item_id: Some(m.id),
                                    patch: ItemPatch {
                                        start: Some(m.start.to_string()),
                                        end: Some(m.end.to_string()),
                                        ..ItemPatch::default()
                                    },
                                });
                            }>{t!(i18n, projects.save_move)}</button>
                        <button type="button" class="secondary" on:click=move |_| pending.set(None)>{t!(i18n, projects.cancel)}</button>
                    </div>
                </div>
            }.into_any()
        })}
    }
}

#[component]
fn StaffTools(page: ProjectPage) -> impl IntoView {
    let i18n = use_i18n();
    let state = expect_context::<PageState>();
    let baseline = ServerAction::<ProjectBaseline>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = baseline.value().get() {
            state.bump();
        }
    });
    let pid = page.project.id;
    let has_baseline = page.project.baseline_at.is_some();
    view! {
        <section class="card staff-tools" data-testid="staff-tools">
            <div class="button-row">
                <ActionForm action=baseline attr:class="inline">
                    <input type="hidden" name="id" value=pid/>
                    <button type="submit" data-testid="save-baseline" disabled=move || baseline.pending().get()>
                        {move || if has_baseline { td_string!(i18n.get_locale(), projects.replace_baseline) } else { td_string!(i18n.get_locale(), projects.save_baseline) }}
                    </button>
                </ActionForm>
            </div>
            <p class="muted small">{t!(i18n, projects.baseline_hint)}</p>
            <FormError result=baseline.value().into()/>
            <ProjectEditor project=page.project.clone() people=page.staff.clone()/>
            <details class="subcard">
                <summary data-testid="add-item">{t!(i18n, projects.add_item)}</summary>
                <ItemEditor project_id=pid item=None items=page.items.clone()/>
            </details>
        </section>
    }
}

/// Details of the selected item: facts, comments and (staff) the edit form.
#[component]
fn ItemPanel(page: ProjectPage, interaction: GanttInteraction) -> impl IntoView {
    let i18n = use_i18n();
    let items = StoredValue::new(page.items.clone());
    let comments = StoredValue::new(page.comments.clone());
    let pid = page.project.id;
    let can_edit = page.can_edit;
    let selected = interaction.selected;
    move || {
        let id = selected.get()?;
        let item = items.with_value(|all| all.iter().find(|i| i.id == id).cloned())?;
        let mine: Vec<ItemComment> =
            comments.with_value(|c| c.iter().filter(|c| c.item_id == id).cloned().collect());
        let all = items.get_value();
        let deps: Vec<String> = item
            .depends_on
            .iter()
            .filter_map(|d| all.iter().find(|i| i.id == *d).map(|i| i.name.clone()))
            .collect();
        let state = item.state;
        let kind = item.kind;
        Some(view! {
            <section class="card item-panel" aria-live="polite" data-testid="item-panel">
                <div class="item-panel-head">
                    <h2>{item.name.clone()}</h2>
                    <button type="button" class="secondary" on:click=move |_| selected.set(None)>{t!(i18n, projects.close)}</button>
                </div>
                <dl class="facts">
                    <dt>{t!(i18n, projects.kind)}</dt><dd>{move || if kind == ItemKind::Milestone { td_string!(i18n.get_locale(), projects.legend_milestone) } else { td_string!(i18n.get_locale(), projects.legend_activity) }}</dd>
                    {(!item.phase.is_empty()).then(|| view! { <dt>{t!(i18n, projects.phase)}</dt><dd>{item.phase.clone()}</dd> })}
                    <dt>{t!(i18n, projects.dates)}</dt><dd>{if kind == ItemKind::Milestone { short_date(item.end) } else { format!("{} – {}", short_date(item.start), short_date(item.end)) }}</dd>
                    {item.baseline_end.map(|be| view! {
                        <dt>{t!(i18n, projects.baseline)}</dt>
                        <dd>{item.baseline_start.map(short_date).unwrap_or_default()}" – "{short_date(be)}</dd>
                    })}
                    {item.deviation_days().map(|d| view! { <dt>{t!(i18n, projects.deviation)}</dt><dd class:late=(d > 0)>{move || deviation_text(i18n.get_locale(), d)}</dd> })}
                    <dt>{t!(i18n, projects.progress)}</dt><dd>{item.progress}" %"</dd>
                    <dt>{t!(i18n, projects.state)}</dt><dd>{move || state_label(i18n.get_locale(), state)}</dd>
                    {item.blocked_reason.clone().map(|r| view! { <dt>{t!(i18n, projects.blocked_reason)}</dt><dd class="blocked-reason">{r}</dd> })}
                    {item.owner.clone().map(|o| view! { <dt>{t!(i18n, projects.owner)}</dt><dd>{o}</dd> })}
                    {(!deps.is_empty()).then(|| view! { <dt>{t!(i18n, projects.depends_on)}</dt><dd>{deps.join(", ")}</dd> })}
                </dl>
                {can_edit.then(|| view! {
                    <details class="subcard">
                        <summary data-testid="edit-item">{t!(i18n, projects.edit_item)}</summary>
                        <ItemEditor project_id=pid item=Some(item.clone()) items=all.clone()/>
                    </details>
                })}
                <Comments project_id=pid item_id=id comments=mine/>
            </section>
        })
    }
}

#[component]
fn Comments(project_id: i64, item_id: i64, comments: Vec<ItemComment>) -> impl IntoView {
    let i18n = use_i18n();
    let state = expect_context::<PageState>();
    let comment = ServerAction::<ProjectComment>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = comment.value().get() {
            state.bump();
        }
    });
    view! {
        <h3>{t!(i18n, projects.comments)}</h3>
        {if comments.is_empty() {
            view! { <p class="muted">{t!(i18n, projects.no_comments)}</p> }.into_any()
        } else {
            view! {
                <ol class="thread" data-testid="comments">
                    {comments.into_iter().map(|c| view! {
                        <li class:staff=c.author_is_staff>
                            <p class="meta"><strong>{c.author_name}</strong>" · "{format_cr(c.created_at)}</p>
                            <p class="comment-body">{c.body}</p>
                        </li>
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
        <ActionForm action=comment attr:class="form" attr:data-testid="comment-form">
            <input type="hidden" name="project_id" value=project_id/>
            <input type="hidden" name="item_id" value=item_id/>
            <label for="comment-body">{t!(i18n, projects.add_comment)}</label>
            <textarea id="comment-body" name="body" rows="3" required maxlength="4000"></textarea>
            <FormError result=comment.value().into()/>
            <button type="submit" disabled=move || comment.pending().get()>{t!(i18n, projects.send_comment)}</button>
        </ActionForm>
    }
}

/// The plan as a table: the chart's content for small screens and screen readers.
#[component]
fn ListView(items: Arc<Vec<PlanItem>>, today: chrono::NaiveDate) -> impl IntoView {
    let i18n = use_i18n();
    let groups = crate::domain::project::group_by_phase(&items);
    view! {
        <section class="card" aria-labelledby="list-h">
            <h2 id="list-h">{t!(i18n, projects.list_view)}</h2>
            <div class="table-scroll">
                <table class="plan-table" data-testid="plan-table">
                    <thead><tr>
                        <th scope="col">{t!(i18n, projects.item)}</th>
                        <th scope="col">{t!(i18n, projects.dates)}</th>
                        <th scope="col">{t!(i18n, projects.progress)}</th>
                        <th scope="col">{t!(i18n, projects.state)}</th>
                        <th scope="col">{t!(i18n, projects.deviation)}</th>
                        <th scope="col">{t!(i18n, projects.owner)}</th>
                    </tr></thead>
                    <tbody>
                        {groups.into_iter().map(|(phase, members)| {
                            let rows = members.into_iter().map(|i| {
                                let item = items[i].clone();
                                let state = item.state;
                                let overdue = item.is_overdue(today) && item.kind == ItemKind::Activity;
                                let shown = item.clone();
                                let milestone = item.kind == ItemKind::Milestone;
                                view! {
                                    <tr data-item=item.id data-state=state.as_str() class:blocked=state == crate::domain::project::ItemState::Blocked class:overdue=overdue>
                                        <th scope="row">{milestone.then_some("◆ ")}{item.name.clone()}
                                            {item.blocked_reason.clone().map(|r| view! { <p class="blocked-reason">{r}</p> })}</th>
                                        <td data-label=move || td_string!(i18n.get_locale(), projects.dates)>{if milestone { short_date(item.end) } else { format!("{} – {}", short_date(item.start), short_date(item.end)) }}</td>
                                        <td data-label=move || td_string!(i18n.get_locale(), projects.progress)>{item.progress}" %"</td>
                                        <td data-label=move || td_string!(i18n.get_locale(), projects.state)>{move || item_state_text(i18n.get_locale(), &shown, today)}{overdue.then(|| view! { " · "<span class="late">{t!(i18n, projects.overdue)}</span> })}</td>
                                        <td data-label=move || td_string!(i18n.get_locale(), projects.deviation) class:late=item.deviation_days().is_some_and(|d| d > 0)>{item.deviation_days().map(|d| deviation_text(i18n.get_locale(), d)).unwrap_or_else(|| "—".into())}</td>
                                        <td data-label=move || td_string!(i18n.get_locale(), projects.owner)>{item.owner.clone().unwrap_or_default()}</td>
                                    </tr>
                                }
                            }).collect_view();
                            view! {
                                {(!phase.is_empty()).then(|| view! { <tr class="phase-row"><th colspan="6" scope="rowgroup">{phase}</th></tr> })}
                                {rows}
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

fn change_text(locale: Locale, c: &ProjectChange) -> String {
    let dates = |raw: &str| {
        raw.split_once('/')
            .and_then(|(s, e)| Some((s.parse().ok()?, e.parse().ok()?)))
            .map(|(s, e)| format!("{} – {}", short_date(s), short_date(e)))
            .unwrap_or_else(|| raw.to_owned())
    };
    let state = |raw: &str| {
        raw.parse()
            .map(|s| state_label(locale, s).to_owned())
            .unwrap_or_else(|_| raw.to_owned())
    };
    let status = |raw: &str| {
        raw.parse()
            .map(|s| status_label(locale, s).to_owned())
            .unwrap_or_else(|_| raw.to_owned())
    };
    let item = format!("«{}»", c.item_name);
    match c.action {
        ChangeAction::ProjectCreated => td_string!(locale, projects.change_created).to_owned(),
        ChangeAction::ProjectUpdated => format!(
            "{}: {} → {}",
            td_string!(locale, projects.change_project),
            status(&c.before),
            status(&c.after)
        ),
        ChangeAction::ItemAdded => format!("{} {item}", td_string!(locale, projects.change_added)),
        ChangeAction::Dates => format!(
            "{} {item}: {} → {}",
            td_string!(locale, projects.change_dates),
            dates(&c.before),
            dates(&c.after)
        ),
        ChangeAction::Progress => format!(
            "{} {item}: {} % → {} %",
            td_string!(locale, projects.change_progress),
            c.before,
            c.after
        ),
        ChangeAction::State => format!(
            "{} {item}: {} → {}",
            td_string!(locale, projects.change_state),
            state(&c.before),
            state(&c.after)
        ),
        ChangeAction::ItemEdited => {
            format!("{} {item}", td_string!(locale, projects.change_edited))
        }
        ChangeAction::Baseline => td_string!(locale, projects.change_baseline).to_owned(),
    }
}

#[component]
fn Changes(changes: Vec<ProjectChange>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="changes-h">
            <h2 id="changes-h">{t!(i18n, projects.changes_title)}</h2>
            {if changes.is_empty() {
                view! { <p class="muted">{t!(i18n, projects.no_changes)}</p> }.into_any()
            } else {
                view! {
                    <ol class="changelog" data-testid="changelog">
                        {changes.into_iter().map(|c| view! {
                            <li>
                                <span class="muted">{format_cr(c.created_at)}" · "{c.actor_name.clone()}</span>" "
                                {move || change_text(i18n.get_locale(), &c)}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}
