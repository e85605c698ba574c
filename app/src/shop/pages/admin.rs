//! `/admin/tienda`: orders (transfers to confirm), the catalog, the transfer instructions and
//! who may buy for each organisation.

use super::orders::OrderTable;
use crate::domain::hours::Package;
use crate::domain::Role;
use crate::i18n::*;
use crate::shop::api::{
    store_admin_load, InstructionsSave, PackageSave, PurchasePolicySave, TransferAccountSave,
};
use crate::shop::{OrderStatus, OrgPurchase, PurchasePolicy, StoreAdmin, TransferAccount};
use crate::ui::PageTitle;
use crate::ui::{field_invalid, Authorized, ErrorNotice, FieldError, FormError, Loading, Notice};
use leptos::prelude::*;

#[component]
pub fn StoreAdminPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), store.admin_title)/>
        <Authorized roles=&[Role::Admin] let:_user>
            <AdminView/>
        </Authorized>
    }
}

#[component]
fn AdminView() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<PackageSave>::new();
    let instructions = ServerAction::<InstructionsSave>::new();
    let policy = ServerAction::<PurchasePolicySave>::new();
    let account = ServerAction::<TransferAccountSave>::new();
    let refresh = RwSignal::new(0u32);
    // Reloaded only after a change was saved: a refused edit keeps what the admin typed.
    let saved = [
        Signal::derive(move || matches!(save.value().get(), Some(Ok(_)))),
        Signal::derive(move || matches!(instructions.value().get(), Some(Ok(_)))),
        Signal::derive(move || matches!(policy.value().get(), Some(Ok(_)))),
        Signal::derive(move || matches!(account.value().get(), Some(Ok(_)))),
    ];
    let versions = [
        save.version(),
        instructions.version(),
        policy.version(),
        account.version(),
    ];
    for (ok, version) in saved.into_iter().zip(versions) {
        Effect::watch(
            move || (version.get(), ok.get()),
            move |(_, ok), _, _| {
                if *ok {
                    refresh.update(|r| *r += 1)
                }
            },
            false,
        );
    }
    let data = Resource::new(move || refresh.get(), |_| store_admin_load());
    view! {
        <div class="page-head"><h1>{t!(i18n, store.admin_title)}</h1></div>
        <FormError result=save.value().into()/>
        <FormError result=instructions.value().into()/>
        <FormError result=policy.value().into()/>
        {move || matches!(save.value().get(), Some(Ok(()))).then(|| view! { <Notice>{t!(i18n, store.saved)}</Notice> })}
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(d) => view! { <AdminBody data=d save instructions policy account/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AdminBody(
    data: StoreAdmin,
    save: ServerAction<PackageSave>,
    instructions: ServerAction<InstructionsSave>,
    policy: ServerAction<PurchasePolicySave>,
    account: ServerAction<TransferAccountSave>,
) -> impl IntoView {
    let i18n = use_i18n();
    let StoreAdmin {
        packages,
        orders,
        transfer_instructions,
        transfer_account,
        orgs,
        card_enabled,
    } = data;
    let waiting = orders
        .iter()
        .filter(|o| o.status == OrderStatus::Pending)
        .count();
    view! {
        <section class="card">
            <h2>{t!(i18n, store.orders_title)}" "<span class="badge" data-testid="pending-count">{waiting}</span></h2>
            <p class="muted">{t!(i18n, store.confirm_hint)}</p>
            {if orders.is_empty() {
                view! { <p class="empty">{t!(i18n, store.no_orders)}</p> }.into_any()
            } else {
                view! { <OrderTable orders/> }.into_any()
            }}
        </section>
        <section class="card">
            <h2>{t!(i18n, store.catalog)}</h2>
            <p class="muted">{move || if card_enabled { td_string!(i18n.get_locale(), store.card_on) } else { td_string!(i18n.get_locale(), store.card_off_admin) }}</p>
            {packages.into_iter().map(|p| view! { <PackageForm package=Some(p) save/> }).collect_view()}
            <details>
                <summary>{t!(i18n, store.new_package)}</summary>
                <PackageForm package=None save/>
            </details>
        </section>
        <section class="card">
            <h2>{t!(i18n, store.instructions_title)}</h2>
            <ActionForm action=instructions attr:class="form">
                <label>{t!(i18n, store.instructions_label)}
                    <textarea name="instructions" rows="4" maxlength="2000" required>{transfer_instructions}</textarea>
                </label>
                <button type="submit">{t!(i18n, store.save)}</button>
            </ActionForm>
            <AccountForm current=transfer_account account/>
        </section>
        <section class="card">
            <h2>{t!(i18n, store.policies)}</h2>
            <p class="muted">{t!(i18n, store.policies_hint)}</p>
            {orgs.into_iter().map(|o| view! { <PolicyRow org=o policy/> }).collect_view()}
        </section>
    }
}

#[component]
fn PackageForm(package: Option<Package>, save: ServerAction<PackageSave>) -> impl IntoView {
    let i18n = use_i18n();
    let existing = package.is_some();
    let p = package.unwrap_or(Package {
        code: String::new(),
        name: String::new(),
        hours: 10,
        price_cents: 0,
        validity_months: 12,
        active: true,
    });
    let price = if p.price_cents > 0 {
        format!("{}.{:02}", p.price_cents / 100, p.price_cents % 100)
    } else {
        String::new()
    };
    let testid = format!("package-form-{}", p.code);
    view! {
        <ActionForm action=save attr:class="form package-form" attr:data-testid=testid>
            <div class="form-row">
                <label>{t!(i18n, store.code)}
                    <input name="code" value=p.code.clone() required maxlength="40" pattern="[a-z0-9-]+" readonly=existing/>
                </label>
                <label>{t!(i18n, store.name)}<input name="name" value=p.name.clone() required maxlength="80"/></label>
                <label>{t!(i18n, store.hours)}<input name="hours" type="number" min="1" value=p.hours required/></label>
                <label>{t!(i18n, store.price_usd)}<input name="price" inputmode="decimal" value=price required/></label>
                <label>{t!(i18n, store.validity_months)}<input name="validity_months" type="number" min="1" max="60" value=p.validity_months required/></label>
                <label class="check"><input type="checkbox" name="active" value="on" checked=p.active/>{t!(i18n, store.active)}</label>
            </div>
            <button type="submit">{t!(i18n, store.save)}</button>
        </ActionForm>
    }
}

#[component]
fn PolicyRow(org: OrgPurchase, policy: ServerAction<PurchasePolicySave>) -> impl IntoView {
    let i18n = use_i18n();
    let current = org.policy;
    let org_id = org.org_id;
    view! {
        <div class="policy-row" data-testid=format!("policy-{}", org.org_id)>
            <h3>{org.org_name.clone()}</h3>
            <ActionForm action=policy attr:class="inline-form">
                <input type="hidden" name="org_id" value=org_id/>
                <select name="policy" aria-label=move || td_string!(i18n.get_locale(), store.who_buys)>
                    <option value="any" selected=current == PurchasePolicy::Any>{t!(i18n, store.policy_any)}</option>
                    <option value="buyers" selected=current == PurchasePolicy::Buyers>{t!(i18n, store.policy_buyers)}</option>
                </select>
                <button type="submit" class="secondary">{t!(i18n, store.save)}</button>
            </ActionForm>
            <ul class="plain">
                {org.customers.into_iter().map(|(user, name, buyer)| view! {
                    <li>
                        <ActionForm action=policy attr:class="inline-form">
                            <input type="hidden" name="org_id" value=org_id/>
                            <input type="hidden" name="policy" value=current.as_str()/>
                            <input type="hidden" name="toggle_buyer" value=user/>
                            {name}" "
                            {buyer.then(|| view! { <span class="badge">{t!(i18n, store.buyer_badge)}</span> })}
                            <button type="submit" class="link">{move || if buyer { td_string!(i18n.get_locale(), store.remove_buyer) } else { td_string!(i18n.get_locale(), store.make_buyer) }}</button>
                        </ActionForm>
                    </li>
                }).collect_view()}
            </ul>
        </div>
    }
}

/// The account transfers are paid into: bank, holder, IBAN (checked) and SINPE Móvil number,
/// each error under its field.
#[component]
fn AccountForm(
    current: Option<TransferAccount>,
    account: ServerAction<TransferAccountSave>,
) -> impl IntoView {
    let i18n = use_i18n();
    let result: Signal<_> = account.value().into();
    let a = current.unwrap_or(TransferAccount {
        bank: String::new(),
        holder: String::new(),
        iban: String::new(),
        sinpe: None,
    });
    let iban = a.iban_grouped();
    view! {
        <h3 id="account-title">{t!(i18n, store.account_title)}</h3>
        <p class="muted">{t!(i18n, store.account_hint)}</p>
        <ActionForm action=account attr:class="form" attr:aria-labelledby="account-title" attr:data-testid="account-form">
            <label for="acc-bank">{t!(i18n, store.bank)}</label>
            <input id="acc-bank" name="bank" maxlength="80" required value=a.bank
                aria-invalid=field_invalid(result, "bank") aria-describedby=move || field_invalid(result, "bank")().map(|_| "acc-bank-error")/>
            <FieldError result field="bank" id="acc-bank-error"/>
            <label for="acc-holder">{t!(i18n, store.holder)}</label>
            <input id="acc-holder" name="holder" maxlength="120" required value=a.holder
                aria-invalid=field_invalid(result, "holder") aria-describedby=move || field_invalid(result, "holder")().map(|_| "acc-holder-error")/>
            <FieldError result field="holder" id="acc-holder-error"/>
            <label for="acc-iban">{t!(i18n, store.iban)}</label>
            <input id="acc-iban" name="iban" maxlength="40" required value=iban placeholder="CR05 0152 0200 1026 2840 66"
                autocomplete="off" spellcheck="false"
                aria-invalid=field_invalid(result, "iban") aria-describedby=move || field_invalid(result, "iban")().map(|_| "acc-iban-error")/>
            <FieldError result field="iban" id="acc-iban-error"/>
            <label for="acc-sinpe">{t!(i18n, store.sinpe)}</label>
            <input id="acc-sinpe" name="sinpe" maxlength="20" inputmode="tel" value=a.sinpe.unwrap_or_default()
                aria-invalid=field_invalid(result, "sinpe") aria-describedby=move || field_invalid(result, "sinpe")().map(|_| "acc-sinpe-error")/>
            <FieldError result field="sinpe" id="acc-sinpe-error"/>
            <button type="submit">{t!(i18n, store.save_account)}</button>
            {move || matches!(account.value().get(), Some(Ok(()))).then(|| view! { <Notice>{t!(i18n, store.saved)}</Notice> })}
        </ActionForm>
    }
}
