//! `/tienda`: the hour packages, what a change request is, a comparison, and checkout.

use crate::domain::hours::{format_usd, Package};
use crate::i18n::*;
use crate::shop::api::{store_load, OrderPlace};
use crate::shop::StorePage as StoreData;
use crate::ui::PageTitle;
use crate::ui::{ErrorNotice, FormError, Loading};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn StorePage() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| store_load());
    let place = ServerAction::<OrderPlace>::new();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), store.title)/>
        <div class="page-head"><h1>{t!(i18n, store.title)}</h1></div>
        <p class="lead">{t!(i18n, store.lead)}</p>
        <details class="card" open>
            <summary>{t!(i18n, store.what_is_cr)}</summary>
            <p>{t!(i18n, store.cr_explained)}</p>
            <p>{t!(i18n, store.cr_flow)}</p>
        </details>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(d) => view! { <Catalog data=d place/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Catalog(data: StoreData, place: ServerAction<OrderPlace>) -> impl IntoView {
    let i18n = use_i18n();
    let StoreData {
        packages,
        card_enabled,
        can_buy,
        buyers_only,
        ..
    } = data;
    let comparison = packages.clone();
    let notice = if can_buy {
        None
    } else if buyers_only {
        Some(view! { <p class="notice warn" data-testid="buyers-only">{t!(i18n, store.buyers_only)}</p> }.into_any())
    } else {
        Some(view! { <p class="notice" data-testid="sign-in-to-buy">{t!(i18n, store.sign_in_to_buy)}" "<A href="/ingresar">{t!(i18n, store.sign_in)}</A></p> }.into_any())
    };
    view! {
        {notice}
        {(!card_enabled && can_buy).then(|| view! { <p class="muted" data-testid="card-off">{t!(i18n, store.card_off)}</p> })}
        <FormError result=place.value().into()/>
        <ul class="package-cards" data-testid="packages">
            {packages.into_iter().map(|p| view! { <PackageCard package=p can_buy card_enabled place/> }).collect_view()}
        </ul>
        <section class="card">
            <h2>{t!(i18n, store.compare)}</h2>
            <div class="table-wrap" tabindex="0">
                <table class="table" data-testid="comparison">
                    <thead><tr>
                        <th scope="col">{t!(i18n, store.package)}</th>
                        <th scope="col">{t!(i18n, store.hours)}</th>
                        <th scope="col">{t!(i18n, store.price)}</th>
                        <th scope="col">{t!(i18n, store.per_hour)}</th>
                        <th scope="col">{t!(i18n, store.validity)}</th>
                    </tr></thead>
                    <tbody>
                        {comparison.into_iter().map(|p| view! {
                            <tr>
                                <th scope="row">{p.name.clone()}</th>
                                <td>{p.hours}" h"</td>
                                <td>{format_usd(p.price_cents)}</td>
                                <td>{format_usd(p.price_per_hour_cents())}</td>
                                <td>{p.validity_months}" "{t!(i18n, store.months)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn PackageCard(
    package: Package,
    can_buy: bool,
    card_enabled: bool,
    place: ServerAction<OrderPlace>,
) -> impl IntoView {
    let i18n = use_i18n();
    let code = package.code.clone();
    let pending = place.pending();
    view! {
        <li class="card package-card" data-testid=format!("package-{}", package.code)>
            <h2>{package.name.clone()}</h2>
            <p class="package-hours">{package.hours}" h"</p>
            <p class="package-price">{format_usd(package.price_cents)}</p>
            <p class="muted">{format_usd(package.price_per_hour_cents())}" "{t!(i18n, store.per_hour_suffix)}</p>
            <p class="muted">{t!(i18n, store.valid_for)}" "{package.validity_months}" "{t!(i18n, store.months)}</p>
            {can_buy.then(|| view! {
                <div class="buy-actions">
                    {card_enabled.then(|| {
                        let code = code.clone();
                        view! {
                            <ActionForm action=place>
                                <input type="hidden" name="package" value=code/>
                                <input type="hidden" name="method" value="card"/>
                                <button type="submit" disabled=move || pending.get()>{t!(i18n, store.pay_card)}</button>
                            </ActionForm>
                        }
                    })}
                    <ActionForm action=place>
                        <input type="hidden" name="package" value=code.clone()/>
                        <input type="hidden" name="method" value="transfer"/>
                        <button type="submit" class="secondary" disabled=move || pending.get()>{t!(i18n, store.pay_transfer)}</button>
                    </ActionForm>
                </div>
            })}
        </li>
    }
}
