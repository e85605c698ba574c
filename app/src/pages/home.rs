use crate::domain::{Priority, SupportPlan, CONTACT_CHANNELS};
use crate::i18n::*;
pub use crate::ui::labels::{plan_label, priority_label};
use crate::ui::use_session;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::A;

/// First-response targets by priority for the given plans (all three on the home page).
#[component]
pub fn SlaTable(plans: Vec<SupportPlan>) -> impl IntoView {
    let i18n = use_i18n();
    let header = plans.clone();
    let rows = Priority::ALL
        .into_iter()
        .map(|priority| {
            let cells = plans
                .iter()
                .map(|plan| {
                    let hours = plan.first_response_hours(priority);
                    view! { <td>{hours}" "{t!(i18n, home.hours_suffix)}</td> }
                })
                .collect_view();
            view! { <tr><th scope="row">{move || priority_label(i18n.get_locale(), priority)}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="sla-table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, home.sla_priority)}</th>
                        {header.into_iter().map(|p| view! { <th scope="col">{move || plan_label(i18n.get_locale(), p)}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
pub fn Home() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let offers = ["kb", "chat", "tickets", "projects", "hours"];
    let offer_text = move |i: usize| {
        let l = i18n.get_locale();
        match i {
            0 => (
                td_string!(l, home.offer_kb_title),
                td_string!(l, home.offer_kb),
            ),
            1 => (
                td_string!(l, home.offer_chat_title),
                td_string!(l, home.offer_chat),
            ),
            2 => (
                td_string!(l, home.offer_tickets_title),
                td_string!(l, home.offer_tickets),
            ),
            3 => (
                td_string!(l, home.offer_projects_title),
                td_string!(l, home.offer_projects),
            ),
            _ => (
                td_string!(l, home.offer_hours_title),
                td_string!(l, home.offer_hours),
            ),
        }
    };
    let channel_name = move |key: &'static str| {
        let l = i18n.get_locale();
        match key {
            "whatsapp" => td_string!(l, home.channel_whatsapp),
            "messenger" => td_string!(l, home.channel_messenger),
            "instagram" => td_string!(l, home.channel_instagram),
            "web" => td_string!(l, home.channel_web),
            _ => td_string!(l, home.channel_email),
        }
    };
    view! {
        <Title text=""/>
        <Meta name="description" content="Any2cloud Portal: soporte de TI, base de conocimiento, tickets con SLA y proyectos."/>
        <section class="hero">
            <h1>{t!(i18n, home.title)}</h1>
            <p class="lead">{t!(i18n, home.lead)}</p>
            {move || match session.user() {
                Some(_) => view! { <A href="/panel" attr:class="button">{t!(i18n, home.cta_dashboard)}</A> }.into_any(),
                None => view! { <A href="/ingresar" attr:class="button">{t!(i18n, home.cta_sign_in)}</A> }.into_any(),
            }}
            <div class="home-kb">
                <p><strong>{t!(i18n, kb.home_prompt)}</strong></p>
                <crate::kb::pages::SearchBox/>
            </div>
        </section>
        <section aria-labelledby="offers">
            <h2 id="offers">{t!(i18n, home.offers_title)}</h2>
            <ul class="cards">
                {offers.into_iter().enumerate().map(|(i, kind)| view! {
                    <li class="card offer" data-offer=kind>
                        <h3>{move || offer_text(i).0}</h3>
                        <p>{move || offer_text(i).1}</p>
                    </li>
                }).collect_view()}
            </ul>
        </section>
        <section aria-labelledby="sla" class="card">
            <h2 id="sla">{t!(i18n, home.sla_title)}</h2>
            <p>{t!(i18n, home.sla_lead)}</p>
            <SlaTable plans=SupportPlan::ALL.to_vec()/>
            <p class="muted">{t!(i18n, home.sla_hours)}</p>
        </section>
        <section aria-labelledby="contact" class="card">
            <h2 id="contact">{t!(i18n, home.contact_title)}</h2>
            <p>{t!(i18n, home.contact_lead)}</p>
            <ul class="channels">
                {CONTACT_CHANNELS.into_iter().map(|c| view! {
                    <li data-channel=c.key>
                        <strong>{move || channel_name(c.key)}</strong>
                        " "
                        <a href=c.url rel="noopener noreferrer">{c.label}</a>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
