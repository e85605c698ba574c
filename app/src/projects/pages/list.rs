//! `/proyectos`: the organisation's projects (customers) or all projects (staff), each with
//! progress, next milestone, blocked and deviated counts and health.

use super::{health_label, short_date, status_label};
use crate::domain::Role;
use crate::i18n::*;
use crate::projects::api::{projects_load, ProjectCreate};
use crate::projects::ProjectSummary;
use crate::tickets::StaffMember;
use crate::ui::PageTitle;
use crate::ui::{Authorized, ErrorNotice, FormError, Loading};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), projects.title)/>
        <Authorized roles=&[Role::Customer, Role::Agent, Role::Admin] let:user>
            <ProjectList staff=user.role != Role::Customer/>
        </Authorized>
    }
}

#[component]
fn ProjectList(staff: bool) -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(|| (), |_| projects_load());
    view! {
        <div class="page-head">
            <h1>{t!(i18n, projects.title)}</h1>
        </div>
        <p class="muted">{move || if staff { td_string!(i18n.get_locale(), projects.lead_staff) } else { td_string!(i18n.get_locale(), projects.lead_customer) }}</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let list = list.await;
                let form = match &list {
                    Ok(l) if staff => Some(view! { <NewProjectForm orgs=l.orgs.clone() people=l.staff.clone()/> }),
                    _ => None,
                };
                let body = match list {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(l) if l.projects.is_empty() => view! {
                        <p class="empty" data-testid="projects-empty">{move || if staff { td_string!(i18n.get_locale(), projects.empty_staff) } else { td_string!(i18n.get_locale(), projects.empty_customer) }}</p>
                    }.into_any(),
                    Ok(l) => view! {
                        <ul class="project-cards" data-testid="projects">
                            {l.projects.into_iter().map(|p| view! { <ProjectCard project=p staff/> }).collect_view()}
                        </ul>
                    }.into_any(),
                };
                view! { {form} {body} }
            })}
        </Transition>
        <HealthRule/>
    }
}

#[component]
fn ProjectCard(project: ProjectSummary, staff: bool) -> impl IntoView {
    let i18n = use_i18n();
    let f = project.figures.clone();
    let (status, health) = (project.status, f.health);
    let next = f.next_milestone.clone();
    view! {
        <li class="card project-card" data-health=health.as_str()>
            <h2><A href=format!("/proyectos/{}", project.id)>{project.name.clone()}</A></h2>
            {staff.then(|| view! { <p class="muted">{project.org_name.clone()}</p> })}
            <p>
                <span class="badge">{move || status_label(i18n.get_locale(), status)}</span>" "
                <span class=format!("badge health-{}", health.as_str()) data-testid="health">{move || health_label(i18n.get_locale(), health)}</span>
            </p>
            <progress class="progress" max="100" value=f.progress
                aria-label=move || td_string!(i18n.get_locale(), projects.progress)>{f.progress}" %"</progress>
            <dl class="facts compact">
                <dt>{t!(i18n, projects.progress)}</dt><dd>{f.progress}" %"</dd>
                <dt>{t!(i18n, projects.next_milestone)}</dt>
                <dd>{match next {
                    Some((name, date)) => format!("{name} · {}", short_date(date)).into_any(),
                    None => view! { <span class="muted">{t!(i18n, projects.no_milestone)}</span> }.into_any(),
                }}</dd>
                <dt>{t!(i18n, projects.blocked_count)}</dt><dd data-testid="blocked-count">{f.blocked}</dd>
                <dt>{t!(i18n, projects.deviated_count)}</dt><dd data-testid="deviated-count">{f.deviated}</dd>
                <dt>{t!(i18n, projects.target_end)}</dt><dd>{short_date(project.target_end)}</dd>
            </dl>
        </li>
    }
}

/// The documented health rule, in the user's language.
#[component]
pub fn HealthRule() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <details class="card health-rule">
            <summary>{t!(i18n, projects.health_rule_title)}</summary>
            <ul>
                <li><span class="badge health-on_track">{t!(i18n, projects.health_on_track)}</span>" "{t!(i18n, projects.health_rule_on_track)}</li>
                <li><span class="badge health-at_risk">{t!(i18n, projects.health_at_risk)}</span>" "{t!(i18n, projects.health_rule_at_risk)}</li>
                <li><span class="badge health-late">{t!(i18n, projects.health_late)}</span>" "{t!(i18n, projects.health_rule_late)}</li>
            </ul>
        </details>
    }
}

#[component]
fn NewProjectForm(orgs: Vec<StaffMember>, people: Vec<StaffMember>) -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<ProjectCreate>::new();
    view! {
        <details class="card new-project">
            <summary>{t!(i18n, projects.new_project)}</summary>
            <ActionForm action=create attr:class="form" attr:data-testid="new-project">
                <label>{t!(i18n, projects.organization)}
                    <select name="org_id" required>
                        {orgs.into_iter().map(|o| view! { <option value=o.id>{o.name}</option> }).collect_view()}
                    </select>
                </label>
                <label>{t!(i18n, projects.lead)}
                    <select name="lead_id">
                        <option value="">{t!(i18n, projects.no_lead)}</option>
                        {people.into_iter().map(|s| view! { <option value=s.id>{s.name}</option> }).collect_view()}
                    </select>
                </label>
                <label>{t!(i18n, projects.name)}<input name="name" required maxlength="200"/></label>
                <label>{t!(i18n, projects.description)}<textarea name="description" rows="3" maxlength="5000"></textarea></label>
                <div class="form-row">
                    <label>{t!(i18n, projects.start)}<input type="date" name="start" required/></label>
                    <label>{t!(i18n, projects.target_end)}<input type="date" name="target_end" required/></label>
                </div>
                <FormError result=create.value().into()/>
                <button type="submit" disabled=move || create.pending().get()>{t!(i18n, projects.create)}</button>
            </ActionForm>
        </details>
    }
}
