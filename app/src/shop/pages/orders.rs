//! `/tienda/pedidos`: the organisation's orders; `/tienda/pedidos/:id`: the receipt, with the
//! transfer instructions while unpaid and the admin's confirm and refund buttons.

use super::{cr_date, dispute_label, method_label, status_label};
use crate::domain::hours::{format_minutes, format_usd};
use crate::domain::{format_cr, Role};
use crate::i18n::*;
use crate::shop::api::{orders_load, receipt_load, OrderCancel, OrderConfirm, OrderRefund};
use crate::shop::{Order, OrderStatus, PayMethod, Receipt};
use crate::ui::PageTitle;
use crate::ui::{Authorized, ConfirmSubmit, ErrorNotice, FormError, Loading};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn OrdersPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), store.orders_title)/>
        <Authorized roles=&[Role::Customer, Role::Agent, Role::Admin] let:_user>
            <OrderList/>
        </Authorized>
    }
}

#[component]
fn OrderList() -> impl IntoView {
    let i18n = use_i18n();
    let orders = Resource::new(|| (), |_| orders_load());
    view! {
        <div class="page-head">
            <h1>{t!(i18n, store.orders_title)}</h1>
            <A href="/tienda" attr:class="button">{t!(i18n, store.buy_hours)}</A>
        </div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match orders.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty" data-testid="orders-empty">{t!(i18n, store.no_orders)}</p> }.into_any(),
                    Ok(list) => view! { <OrderTable orders=list/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn OrderTable(orders: Vec<Order>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table stack" data-testid="orders">
                <thead><tr>
                    <th scope="col">{t!(i18n, store.order)}</th>
                    <th scope="col">{t!(i18n, store.organization)}</th>
                    <th scope="col">{t!(i18n, store.package)}</th>
                    <th scope="col">{t!(i18n, store.amount)}</th>
                    <th scope="col">{t!(i18n, store.method)}</th>
                    <th scope="col">{t!(i18n, store.status)}</th>
                    <th scope="col">{t!(i18n, store.date)}</th>
                </tr></thead>
                <tbody>
                    {orders.into_iter().map(|o| {
                        let (status, method) = (o.status, o.method);
                        let testid = format!("order-{}", o.reference);
                        view! {
                            <tr data-testid=testid>
                                <td data-label=move || td_string!(i18n.get_locale(), store.order) class="nowrap"><A href=format!("/tienda/pedidos/{}", o.id)>{o.reference.clone()}</A></td>
                                <td data-label=move || td_string!(i18n.get_locale(), store.organization)>{o.org_name.clone()}</td>
                                <td data-label=move || td_string!(i18n.get_locale(), store.package)>{o.package_name.clone()}" · "{o.hours}" h"</td>
                                <td data-label=move || td_string!(i18n.get_locale(), store.amount)>{format_usd(o.price_cents)}</td>
                                <td data-label=move || td_string!(i18n.get_locale(), store.method)>{move || method_label(i18n.get_locale(), method)}</td>
                                <td data-label=move || td_string!(i18n.get_locale(), store.status)>
                                    <span class=format!("badge order-{}", status.as_str())>{move || status_label(i18n.get_locale(), status)}</span>
                                    {(o.refunded_cents > 0).then(|| view! { <dt>{t!(i18n, store.refunded_amount)}</dt><dd data-testid="refunded-amount">{format_usd(o.refunded_cents)}</dd> })}
                {o.dispute.map(|d| view! { <dt>{t!(i18n, store.dispute)}</dt><dd data-testid="dispute">{move || dispute_label(i18n.get_locale(), d)}</dd> })}
                {o.shortfall_minutes.map(|m| view! { <dt>{t!(i18n, store.shortfall)}</dt><dd class="notice error" data-testid="shortfall">{format_minutes(m)}</dd> })}
                {o.payment_problem.clone().map(|p| view! { " "<span class="badge order-problem" title=p data-testid="payment-problem">{t!(i18n, store.payment_problem)}</span> })}
                                </td>
                                <td data-label=move || td_string!(i18n.get_locale(), store.date)>{format_cr(o.created_at)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn ReceiptPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), store.receipt)/>
        <Authorized roles=&[Role::Customer, Role::Agent, Role::Admin] let:user>
            <ReceiptView admin=user.role == Role::Admin/>
        </Authorized>
    }
}

#[component]
fn ReceiptView(admin: bool) -> impl IntoView {
    let i18n = use_i18n();
    let id = crate::ui::use_id_param();
    let query = use_query_map();
    let refresh = RwSignal::new(0u32);
    let confirm = ServerAction::<OrderConfirm>::new();
    let refund = ServerAction::<OrderRefund>::new();
    let cancel = ServerAction::<OrderCancel>::new();
    for version in [confirm.version(), refund.version(), cancel.version()] {
        Effect::watch(
            move || version.get(),
            move |_, _, _| refresh.update(|r| *r += 1),
            false,
        );
    }
    let receipt = Resource::new(move || (id(), refresh.get()), |(id, _)| receipt_load(id));
    let returned = move || query.read().get("pago");
    // Back from the card payment page: the webhook may land a moment later, so look again.
    Effect::new(move |_| {
        if let Some(Ok(r)) = receipt.get() {
            let waiting =
                r.order.status == OrderStatus::Pending && r.order.method == PayMethod::Card;
            if waiting && returned().as_deref() == Some("ok") && refresh.get_untracked() < 30 {
                set_timeout(
                    // `try_`: the receipt may have been left in the meantime.
                    move || {
                        refresh.try_update(|r| *r += 1);
                    },
                    std::time::Duration::from_secs(2),
                );
            }
        }
    });
    view! {
        <p class="no-print"><A href="/tienda/pedidos">"← "{t!(i18n, store.orders_title)}</A></p>
        {move || (returned().as_deref() == Some("cancelado")).then(|| view! {
            <p class="notice warn" data-testid="payment-cancelled">{t!(i18n, store.payment_cancelled)}</p>
        })}
        <FormError result=confirm.value().into()/>
        <FormError result=refund.value().into()/>
        <FormError result=cancel.value().into()/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match receipt.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(r) => view! { <ReceiptBody receipt=r admin confirm refund cancel/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ReceiptBody(
    receipt: Receipt,
    admin: bool,
    confirm: ServerAction<OrderConfirm>,
    refund: ServerAction<OrderRefund>,
    cancel: ServerAction<OrderCancel>,
) -> impl IntoView {
    let i18n = use_i18n();
    let o = receipt.order.clone();
    let (status, method, id) = (o.status, o.method, o.id);
    let pending = status == OrderStatus::Pending;
    let account = receipt.transfer_account.clone().map(|a| {
        let iban = a.iban_grouped();
        view! {
            <dl class="facts" data-testid="pay-to" aria-label=move || td_string!(i18n.get_locale(), store.pay_to)>
                <dt>{t!(i18n, store.bank)}</dt><dd>{a.bank}</dd>
                <dt>{t!(i18n, store.holder)}</dt><dd>{a.holder}</dd>
                <dt>{t!(i18n, store.iban)}</dt><dd data-testid="iban" class="mono">{iban}</dd>
                {a.sinpe.map(|n| view! { <dt>"SINPE Móvil"</dt><dd data-testid="sinpe">{n}</dd> })}
            </dl>
        }
    });
    let instructions = (pending && method == PayMethod::Transfer).then(|| view! {
        <section class="card transfer-instructions" data-testid="transfer-instructions">
            <h2>{t!(i18n, store.how_to_pay)}</h2>
            <p>{receipt.transfer_instructions.clone()}</p>
            {account}
            <p>{t!(i18n, store.reference)}": "<strong data-testid="reference">{o.reference.clone()}</strong></p>
            <p>{t!(i18n, store.amount)}": "<strong>{format_usd(o.price_cents)}</strong></p>
        </section>
    });
    let waiting_card = (pending && method == PayMethod::Card).then(|| view! {
        <p class="notice" role="status" data-testid="awaiting-payment">{t!(i18n, store.awaiting_card)}</p>
    });
    view! {
        <article class="card receipt" data-testid="receipt">
            <div class="page-head">
                // A receipt only once paid: until then it is an order.
                <h1>{move || if matches!(status, OrderStatus::Pending | OrderStatus::Cancelled) { td_string!(i18n.get_locale(), store.order_title) } else { td_string!(i18n.get_locale(), store.receipt) }}" "{o.reference.clone()}</h1>
                <span class=format!("badge order-{}", status.as_str()) data-testid="order-status">{move || status_label(i18n.get_locale(), status)}</span>
            </div>
            <dl class="facts">
                <dt>{t!(i18n, store.order)}</dt><dd>{o.reference.clone()}</dd>
                <dt>{t!(i18n, store.organization)}</dt><dd>{o.org_name.clone()}</dd>
                <dt>{t!(i18n, store.buyer)}</dt><dd>{o.buyer_name.clone()}</dd>
                <dt>{t!(i18n, store.package)}</dt><dd>{o.package_name.clone()}</dd>
                <dt>{t!(i18n, store.hours)}</dt><dd data-testid="order-hours">{o.hours}" h"</dd>
                <dt>{t!(i18n, store.amount)}</dt><dd data-testid="order-amount">{format_usd(o.price_cents)}" (USD)"</dd>
                <dt>{t!(i18n, store.method)}</dt><dd>{move || method_label(i18n.get_locale(), method)}</dd>
                <dt>{t!(i18n, store.ordered_at)}</dt><dd>{format_cr(o.created_at)}</dd>
                {o.paid_at.map(|at| view! { <dt>{t!(i18n, store.paid_at)}</dt><dd data-testid="paid-at">{format_cr(at)}</dd> })}
                {o.expires_at.map(|at| view! { <dt>{t!(i18n, store.expires)}</dt><dd data-testid="order-expires">{cr_date(at)}</dd> })}
                {receipt.unspent_minutes.map(|m| view! { <dt>{t!(i18n, store.unspent)}</dt><dd>{format_minutes(m)}</dd> })}
                {o.refunded_minutes.map(|m| view! { <dt>{t!(i18n, store.refunded)}</dt><dd>{format_minutes(m)}</dd> })}
                {(o.refunded_cents > 0).then(|| view! { <dt>{t!(i18n, store.refunded_amount)}</dt><dd data-testid="refunded-amount">{format_usd(o.refunded_cents)}</dd> })}
                {o.dispute.map(|d| view! { <dt>{t!(i18n, store.dispute)}</dt><dd data-testid="dispute">{move || dispute_label(i18n.get_locale(), d)}</dd> })}
                {o.shortfall_minutes.map(|m| view! { <dt>{t!(i18n, store.shortfall)}</dt><dd class="notice error" data-testid="shortfall">{format_minutes(m)}</dd> })}
                {o.payment_problem.clone().map(|p| view! { <dt>{t!(i18n, store.payment_problem)}</dt><dd class="notice error" data-testid="payment-problem">{p}</dd> })}
            </dl>
            <p class="muted">{t!(i18n, store.times_cr)}</p>
            <div class="actions no-print">
                <button type="button" class="secondary" on:click=move |_| crate::ui::print_page()>{t!(i18n, store.print)}</button>
                {(admin && pending && method == PayMethod::Transfer).then(|| {
                    let (hours, org, reference, amount) = (o.hours, o.org_name.clone(), o.reference.clone(), format_usd(o.price_cents));
                    view! {
                        <ActionForm action=confirm>
                            <input type="hidden" name="id" value=id/>
                            <ConfirmSubmit testid="confirm-transfer"
                                label=Signal::derive(move || td_string!(i18n.get_locale(), store.confirm_transfer).to_owned())
                                question=Signal::derive(move || {
                                    let l = i18n.get_locale();
                                    format!("{} {hours} h {} {org} {} {reference} ({amount}).", td_string!(l, store.confirm_credits),
                                        td_string!(l, store.confirm_to), td_string!(l, store.confirm_for))
                                })
                                confirm=Signal::derive(move || td_string!(i18n.get_locale(), store.confirm_yes).to_owned())/>
                        </ActionForm>
                    }
                })}
                {(admin && status == OrderStatus::Paid).then(|| {
                    let (org, unspent) = (o.org_name.clone(), format_minutes(receipt.unspent_minutes.unwrap_or(0)));
                    view! {
                        <ActionForm action=refund>
                            <input type="hidden" name="id" value=id/>
                            <ConfirmSubmit testid="refund" danger=true
                                label=Signal::derive(move || td_string!(i18n.get_locale(), store.refund).to_owned())
                                question=Signal::derive(move || {
                                    let l = i18n.get_locale();
                                    format!("{} {org} {} {unspent}.", td_string!(l, store.refund_takes), td_string!(l, store.refund_unspent))
                                })
                                confirm=Signal::derive(move || td_string!(i18n.get_locale(), store.refund_yes).to_owned())/>
                        </ActionForm>
                    }
                })}
                {pending.then(|| view! {
                    <ActionForm action=cancel>
                        <input type="hidden" name="id" value=id/>
                        <button type="submit" class="secondary">{t!(i18n, store.cancel_order)}</button>
                    </ActionForm>
                })}
            </div>
        </article>
        {instructions}
        {waiting_card}
    }
}
