//! Staff forms: the project's fields, and an activity or milestone (new or existing).

use super::detail::{conflict_text, PageState};
use super::{short_date, state_label, status_label};
use crate::domain::project::{ItemKind, ItemState, PlanItem, ProjectStatus};
use crate::i18n::*;
use crate::projects::api::{ProjectSaveItem, ProjectUpdate};
use crate::projects::{ItemPatch, ProjectSummary};
use crate::tickets::StaffMember;
use crate::ui::FormError;
use leptos::prelude::*;

#[component]
pub fn ProjectEditor(project: ProjectSummary, people: Vec<StaffMember>) -> impl IntoView {
    let i18n = use_i18n();
    let update = ServerAction::<ProjectUpdate>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = update.value().get() {
            if let Some(state) = use_context::<PageState>() {
                state.saved(Vec::new());
            }
        }
    });
    let lead = project.lead_id;
    let status = project.status;
    view! {
        <details class="subcard">
            <summary data-testid="edit-project">{t!(i18n, projects.edit_project)}</summary>
            <ActionForm action=update attr:class="form">
                <input type="hidden" name="id" value=project.id/>
                <label>{t!(i18n, projects.name)}<input name="name" required maxlength="200" value=project.name.clone()/></label>
                <label>{t!(i18n, projects.description)}<textarea name="description" rows="3" maxlength="5000">{project.description.clone()}</textarea></label>
                <div class="form-row">
                    <label>{t!(i18n, projects.status)}
                        <select name="status">
                            {ProjectStatus::ALL.iter().map(|s| { let s = *s; view! { <option value=s.as_str() selected=s == status>{move || status_label(i18n.get_locale(), s)}</option> } }).collect_view()}
                        </select>
                    </label>
                    <label>{t!(i18n, projects.lead)}
                        <select name="lead_id">
                            <option value="">{t!(i18n, projects.no_lead)}</option>
                            {people.into_iter().map(|s| view! { <option value=s.id selected=Some(s.id) == lead>{s.name}</option> }).collect_view()}
                        </select>
                    </label>
                </div>
                <div class="form-row">
                    <label>{t!(i18n, projects.start)}<input type="date" name="start" required value=project.start.to_string()/></label>
                    <label>{t!(i18n, projects.target_end)}<input type="date" name="target_end" required value=project.target_end.to_string()/></label>
                </div>
                <FormError result=update.value().into()/>
                <button type="submit" disabled=move || update.pending().get()>{t!(i18n, projects.save)}</button>
            </ActionForm>
        </details>
    }
}

/// Adds an item (`item` = None) or edits one. Saving never refuses a broken dependency: the
/// change is kept and the warning names what now starts too early.
#[component]
pub fn ItemEditor(project_id: i64, item: Option<PlanItem>, items: Vec<PlanItem>) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<ProjectSaveItem>::new();
    let item_id = item.as_ref().map(|i| i.id);
    let base = item.clone();
    let kind = RwSignal::new(base.as_ref().map_or(ItemKind::Activity, |i| i.kind));
    let name = RwSignal::new(base.as_ref().map(|i| i.name.clone()).unwrap_or_default());
    let phase = RwSignal::new(base.as_ref().map(|i| i.phase.clone()).unwrap_or_default());
    let start = RwSignal::new(
        base.as_ref()
            .map(|i| i.start.to_string())
            .unwrap_or_default(),
    );
    let end = RwSignal::new(base.as_ref().map(|i| i.end.to_string()).unwrap_or_default());
    let progress = RwSignal::new(base.as_ref().map_or(0, |i| i.progress).to_string());
    let state = RwSignal::new(base.as_ref().map_or(ItemState::Pending, |i| i.state));
    let reason = RwSignal::new(
        base.as_ref()
            .and_then(|i| i.blocked_reason.clone())
            .unwrap_or_default(),
    );
    let owner = RwSignal::new(
        base.as_ref()
            .and_then(|i| i.owner.clone())
            .unwrap_or_default(),
    );
    let deps = RwSignal::new(
        base.as_ref()
            .map(|i| i.depends_on.clone())
            .unwrap_or_default(),
    );
    let page = use_context::<PageState>();
    let names = StoredValue::new(items.clone());
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            let locale = i18n.get_locale_untracked();
            let mut all = names.get_value();
            all.push(saved.item.clone());
            let warnings = saved
                .conflicts
                .iter()
                .map(|c| conflict_text(locale, &all, c))
                .collect();
            if let Some(page) = page {
                page.saved(warnings);
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let progress = progress.get_untracked().trim().parse::<i64>().unwrap_or(-1);
        save.dispatch(ProjectSaveItem {
            project_id,
            item_id,
            patch: ItemPatch {
                kind: Some(kind.get_untracked().as_str().to_owned()),
                name: Some(name.get_untracked()),
                phase: Some(phase.get_untracked()),
                start: Some(start.get_untracked()),
                end: Some(end.get_untracked()),
                progress: Some(progress),
                state: Some(state.get_untracked().as_str().to_owned()),
                blocked_reason: Some(reason.get_untracked()),
                owner: Some(owner.get_untracked()),
                depends_on: Some(deps.get_untracked()),
            },
        });
    };
    let others: Vec<PlanItem> = items
        .into_iter()
        .filter(|i| Some(i.id) != item_id)
        .collect();
    let prefix = item_id.map_or_else(|| "new".to_owned(), |i| i.to_string());
    let field_id = move |f: &str| format!("item-{prefix}-{f}");
    view! {
        <form class="form item-form" on:submit=submit novalidate data-testid="item-form">
            <div class="form-row">
                <label for=field_id("kind")>{t!(i18n, projects.kind)}</label>
                <select id=field_id("kind") on:change=move |ev| kind.set(event_target_value(&ev).parse().unwrap_or(ItemKind::Activity))>
                    <option value="activity" selected=move || kind.get() == ItemKind::Activity>{t!(i18n, projects.legend_activity)}</option>
                    <option value="milestone" selected=move || kind.get() == ItemKind::Milestone>{t!(i18n, projects.legend_milestone)}</option>
                </select>
            </div>
            <label>{t!(i18n, projects.name)}<input name="name" required maxlength="200" prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/></label>
            <label>{t!(i18n, projects.phase)}<input name="phase" maxlength="80" prop:value=phase on:input=move |ev| phase.set(event_target_value(&ev))/></label>
            <div class="form-row">
                <Show when=move || kind.get() == ItemKind::Activity>
                    <label>{t!(i18n, projects.start)}<input type="date" name="start" prop:value=start on:input=move |ev| start.set(event_target_value(&ev))/></label>
                </Show>
                <label>{move || if kind.get() == ItemKind::Milestone { td_string!(i18n.get_locale(), projects.milestone_date) } else { td_string!(i18n.get_locale(), projects.end) }}
                    <input type="date" name="end" prop:value=end on:input=move |ev| end.set(event_target_value(&ev))/></label>
                <label>{t!(i18n, projects.progress)}" (%)"<input type="number" name="progress" min="0" max="100" step="5" prop:value=progress on:input=move |ev| progress.set(event_target_value(&ev))/></label>
            </div>
            <div class="form-row">
                <label>{t!(i18n, projects.state)}
                    <select name="state" on:change=move |ev| state.set(event_target_value(&ev).parse().unwrap_or(ItemState::Pending))>
                        {ItemState::ALL.iter().map(|s| { let s = *s; view! { <option value=s.as_str() selected=move || state.get() == s>{move || state_label(i18n.get_locale(), s)}</option> } }).collect_view()}
                    </select>
                </label>
                <label>{t!(i18n, projects.owner)}<input name="owner" maxlength="120" prop:value=owner on:input=move |ev| owner.set(event_target_value(&ev))/></label>
            </div>
            <Show when=move || state.get() == ItemState::Blocked>
                <label>{t!(i18n, projects.blocked_reason)}<input name="blocked_reason" maxlength="500" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev))/></label>
            </Show>
            {(!others.is_empty()).then(|| view! {
                <fieldset class="deps">
                    <legend>{t!(i18n, projects.depends_on)}</legend>
                    {others.iter().map(|o| {
                        let oid = o.id;
                        view! {
                            <label class="check">
                                <input type="checkbox" prop:checked=move || deps.with(|d| d.contains(&oid))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        deps.update(|d| { d.retain(|x| *x != oid); if on { d.push(oid); } });
                                    }/>
                                {o.name.clone()}<span class="muted">" ("{short_date(o.end)}")"</span>
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
            })}
            <FormError result=save.value().into()/>
            <button type="submit" disabled=move || save.pending().get()>{move || if item_id.is_some() { td_string!(i18n.get_locale(), projects.save) } else { td_string!(i18n.get_locale(), projects.add) }}</button>
        </form>
    }
}
