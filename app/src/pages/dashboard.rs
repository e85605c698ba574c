use crate::accounts::CurrentUser;
use crate::i18n::*;
use crate::pages::home::plan_label;
use crate::pages::SlaTable;
pub use crate::ui::labels::role_label;
use crate::ui::Authorized;
use crate::ui::PageTitle;
use leptos::prelude::*;

#[component]
fn DashboardFor(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let role = user.role;
    let org = user.organization.clone().map(|org| {
        let plan = org.plan;
        view! {
            <section class="card" data-testid="org-card">
                <h2>{t!(i18n, dashboard.your_org)}": "{org.name.clone()}</h2>
                <dl class="facts">
                    <dt>{t!(i18n, dashboard.your_plan)}</dt>
                    <dd data-testid="plan">{move || plan_label(i18n.get_locale(), plan)}</dd>
                    <dt>{t!(i18n, dashboard.schedule)}</dt>
                    <dd>{move || if plan.includes_saturday() { td_string!(i18n.get_locale(), dashboard.schedule_premium) } else { td_string!(i18n.get_locale(), dashboard.schedule_weekdays) }}</dd>
                    <dt>{t!(i18n, dashboard.modality)}</dt>
                    <dd>{move || if plan.allows_on_site() { td_string!(i18n.get_locale(), dashboard.modality_onsite) } else { td_string!(i18n.get_locale(), dashboard.modality_remote) }}</dd>
                </dl>
                <h3>{t!(i18n, dashboard.sla_for_plan)}</h3>
                <SlaTable plans=vec![plan]/>
            </section>
        }
    });
    view! {
        <section class="card">
            <h1>{t!(i18n, dashboard.welcome)}", "{user.name.clone()}</h1>
            <p>{t!(i18n, dashboard.your_role)}": "<strong data-testid="role">{move || role_label(i18n.get_locale(), role)}</strong></p>
        </section>
        <crate::dashboard::page::HomeSections/>
        {org}
    }
}

#[component]
pub fn Dashboard() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), dashboard.title)/>
        <Authorized let:user><DashboardFor user/></Authorized>
    }
}
