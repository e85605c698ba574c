//! The store over the API: the catalog, orders, transfer confirmation and refunds by admins,
//! and Stripe's webhook (signature checked on the raw body before anything is read or stored).

use super::ApiPath;
use super::{ApiCaller, ApiError, ApiJson, ApiLocale, ApiResult, WithLocale};
use crate::payments::signature;
use crate::startup::AppState;
use app::domain::hours::Package;
use app::error::ErrorCode;
use app::shop::command::PlaceOrder;
use app::shop::service::{CompletedCheckout, ReversalKind, ReversedPayment, WebhookOutcome};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct PackageOut {
    pub code: String,
    pub name: String,
    pub hours: u32,
    /// Whole US cents.
    pub price_cents: i64,
    pub currency: String,
    pub validity_months: u32,
    /// Price per hour in cents, rounded half up.
    pub price_per_hour_cents: i64,
}

impl From<Package> for PackageOut {
    fn from(p: Package) -> Self {
        PackageOut {
            price_per_hour_cents: p.price_per_hour_cents(),
            code: p.code,
            name: p.name,
            hours: p.hours,
            price_cents: p.price_cents,
            currency: "USD".into(),
            validity_months: p.validity_months,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Packages {
    pub packages: Vec<PackageOut>,
}

#[derive(Serialize, ToSchema)]
pub struct OrderOut {
    pub id: i64,
    pub reference: String,
    pub organization_id: i64,
    pub organization: String,
    pub buyer: String,
    pub package: String,
    pub package_name: String,
    pub hours: u32,
    pub price_cents: i64,
    pub currency: String,
    /// `card` or `transfer`
    pub method: String,
    /// `pending`, `paid`, `cancelled` or `refunded`
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub refunded_minutes: Option<i64>,
    /// What was given back of a card payment, in cents (refunds made in Stripe or here).
    pub refunded_cents: i64,
    /// `open`, `won` or `lost`: a dispute (chargeback) the customer's bank opened.
    pub dispute: Option<String>,
    /// Purchased minutes a refund or dispute could not take back because they were already
    /// spent (staff only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shortfall_minutes: Option<i64>,
    /// A payment that did not match the order (staff only; no hours were credited for it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_problem: Option<String>,
    /// Where to pay a pending transfer order (quote `reference` in the transfer's detail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_to: Option<PayTo>,
    /// Stripe Checkout page (card orders, on creation only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkout_url: Option<String>,
}

impl From<app::shop::Order> for OrderOut {
    fn from(o: app::shop::Order) -> Self {
        OrderOut {
            id: o.id,
            reference: o.reference,
            organization_id: o.org_id,
            organization: o.org_name,
            buyer: o.buyer_name,
            package: o.package_code,
            package_name: o.package_name,
            hours: o.hours,
            price_cents: o.price_cents,
            currency: "USD".into(),
            method: o.method.as_str().into(),
            status: o.status.as_str().into(),
            created_at: o.created_at,
            paid_at: o.paid_at,
            expires_at: o.expires_at,
            refunded_minutes: o.refunded_minutes,
            refunded_cents: o.refunded_cents,
            dispute: o.dispute.map(|d| d.as_str().to_owned()),
            shortfall_minutes: o.shortfall_minutes,
            payment_problem: o.payment_problem,
            checkout_url: None,
            pay_to: None,
        }
    }
}

/// The account a transfer order is paid into.
#[derive(Serialize, ToSchema)]
pub struct PayTo {
    pub bank: String,
    pub holder: String,
    /// Costa Rican IBAN (`CR` and 20 digits), for payments in US dollars.
    pub iban: String,
    /// SINPE Móvil number, `8888-7777`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sinpe: Option<String>,
    /// What to write in the transfer's detail: the order's reference.
    pub reference: String,
}

impl OrderOut {
    /// Adds where to pay, for a transfer order still waiting for its payment.
    fn paying_into(mut self, account: Option<app::shop::TransferAccount>) -> Self {
        let waiting = self.method == "transfer" && self.status == "pending";
        self.pay_to = account.filter(|_| waiting).map(|a| PayTo {
            bank: a.bank,
            holder: a.holder,
            iban: a.iban,
            sinpe: a.sinpe,
            reference: self.reference.clone(),
        });
        self
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewOrderBody {
    /// Package code, e.g. `sc-basico`
    pub package: String,
    /// `card` (Stripe Checkout) or `transfer` (bank transfer / SINPE Móvil)
    pub method: String,
}

/// The packages on sale (no sign-in needed).
#[utoipa::path(get, operation_id = "listPackages", path = "/api/v1/store/packages", tag = "store",
    responses((status = 200, body = Packages)))]
pub async fn packages(
    State(state): State<AppState>,
    locale: ApiLocale,
) -> ApiResult<Json<Packages>> {
    let packages = state.services.shop.packages().await.in_locale(locale)?;
    Ok(Json(Packages {
        packages: packages.into_iter().map(Into::into).collect(),
    }))
}

/// Orders: the caller's organisation's (customers) or all (staff), newest first.
#[utoipa::path(get, operation_id = "listOrders", path = "/api/v1/store/orders", tag = "store", security(("bearer" = [])),
    responses((status = 200, body = [OrderOut]), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn orders(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<OrderOut>>> {
    let orders = state
        .services
        .shop
        .orders(&caller.principal)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(orders.into_iter().map(Into::into).collect()))
}

/// Buy a package (customers). Card orders answer with `checkout_url`; the hours are credited
/// when Stripe's webhook confirms the payment. Transfer orders wait for an admin's confirmation.
#[utoipa::path(post, operation_id = "placeOrder", path = "/api/v1/store/orders", tag = "store", security(("bearer" = [])), request_body = NewOrderBody,
    responses((status = 201, body = OrderOut), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody), (status = 502, body = super::ErrorBody)))]
pub async fn place(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(b): ApiJson<NewOrderBody>,
) -> ApiResult<(StatusCode, Json<OrderOut>)> {
    let placed = state
        .services
        .shop
        .place_order(
            &caller.principal,
            PlaceOrder::parse(&b.package, &b.method).in_locale(caller.locale)?,
        )
        .await
        .in_locale(caller.locale)?;
    let mut out = OrderOut::from(placed.order).paying_into(placed.transfer_account);
    out.checkout_url = placed.checkout_url;
    Ok((StatusCode::CREATED, Json(out)))
}

/// One order (its organisation's customers, staff).
#[utoipa::path(get, operation_id = "getOrder", path = "/api/v1/store/orders/{id}", tag = "store", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = OrderOut), (status = 404, body = super::ErrorBody)))]
pub async fn order(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<OrderOut>> {
    let receipt = state
        .services
        .shop
        .receipt(&caller.principal, id)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(
        OrderOut::from(receipt.order).paying_into(receipt.transfer_account),
    ))
}

/// An admin confirms a transfer arrived: the hours are credited (409 if not pending).
#[utoipa::path(post, operation_id = "confirmTransfer", path = "/api/v1/store/orders/{id}/confirm", tag = "store", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = OrderOut), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn confirm(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<OrderOut>> {
    let order = state
        .services
        .shop
        .confirm_transfer(&caller.principal, id)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(order.into()))
}

/// An admin refunds a paid order: its unspent hours leave the bank.
#[utoipa::path(post, operation_id = "refundOrder", path = "/api/v1/store/orders/{id}/refund", tag = "store", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = OrderOut), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn refund(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<OrderOut>> {
    let order = state
        .services
        .shop
        .refund(&caller.principal, id)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(order.into()))
}

/// Cancel an order still waiting for its payment (its organisation's customers, admins).
#[utoipa::path(post, operation_id = "cancelOrder", path = "/api/v1/store/orders/{id}/cancel", tag = "store", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = OrderOut), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<OrderOut>> {
    let order = state
        .services
        .shop
        .cancel(&caller.principal, id)
        .await
        .in_locale(caller.locale)?;
    Ok(Json(order.into()))
}

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct Received {
    pub received: bool,
}

fn rejected(locale: ApiLocale) -> ApiError {
    ApiError {
        error: ErrorCode::InvalidInput.into(),
        locale: locale.0,
    }
}

/// Stripe's webhook. Verified with `Stripe-Signature` (HMAC-SHA256 of `{t}.{body}`, 5-minute
/// tolerance); anything else is 400 and stores nothing. `checkout.session.completed` with
/// `payment_status` = `paid` credits the order once (amount and currency must match);
/// `charge.refunded` (full or partial) and `charge.dispute.created` / `.closed` take the
/// reversed share of the purchase's unspent hours back (a dispute won returns them) and email
/// the buyer; duplicates and replays answer 200 and change nothing.
#[utoipa::path(post, operation_id = "receiveStripeEvent", path = "/api/v1/webhooks/stripe", tag = "store",
    request_body(content = String, description = "The Stripe event, signed", content_type = "application/json"),
    responses((status = 200, body = Received), (status = 400, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn stripe_webhook(
    State(state): State<AppState>,
    locale: ApiLocale,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Received>> {
    let Some(secret) = state.stripe_webhook_secret.as_deref() else {
        return Err(ApiError {
            error: ErrorCode::NotFound.into(),
            locale: locale.0,
        });
    };
    let header = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    if let Err(e) = signature::verify(
        header,
        &body,
        secret.as_bytes(),
        state.clock.now().timestamp(),
    ) {
        tracing::warn!(error = %e, "Stripe webhook refused");
        return Err(rejected(locale));
    }
    let event: Event = serde_json::from_slice(&body).map_err(|e| {
        tracing::warn!(error = %e, "Stripe webhook body unreadable");
        rejected(locale)
    })?;
    let shop = &state.services.shop;
    let outcome = match event.kind.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            let object = &event.data.object;
            shop.checkout_completed(CompletedCheckout {
                event_id: &event.id,
                event_type: &event.kind,
                client_reference_id: object.get("client_reference_id").and_then(|v| v.as_str()),
                payment_status: object.get("payment_status").and_then(|v| v.as_str()),
                amount_total: object.get("amount_total").and_then(|v| v.as_i64()),
                currency: object.get("currency").and_then(|v| v.as_str()),
                payment_intent: object.get("payment_intent").and_then(|v| v.as_str()),
            })
            .await
        }
        "charge.refunded" | "charge.dispute.created" | "charge.dispute.closed" => {
            let object = &event.data.object;
            let text = |key: &str| object.get(key).and_then(|v| v.as_str());
            let number = |key: &str| object.get(key).and_then(|v| v.as_i64());
            let kind = if event.kind == "charge.refunded" {
                ReversalKind::Refund {
                    amount_refunded: number("amount_refunded"),
                }
            } else {
                ReversalKind::Dispute {
                    amount: number("amount"),
                    status: text("status"),
                }
            };
            shop.payment_reversed(ReversedPayment {
                event_id: &event.id,
                event_type: &event.kind,
                payment_intent: text("payment_intent"),
                currency: text("currency"),
                kind,
            })
            .await
        }
        other => shop.other_event(&event.id, other).await,
    }
    .in_locale(locale)?;
    match outcome {
        WebhookOutcome::Credited(lot) => tracing::info!(event = %event.id, lot, "order paid"),
        WebhookOutcome::Reversed(order) => {
            tracing::warn!(event = %event.id, order, kind = %event.kind, "card payment reversed")
        }
        WebhookOutcome::Duplicate => tracing::info!(event = %event.id, "duplicate Stripe event"),
        WebhookOutcome::Ignored(why) => {
            tracing::info!(event = %event.id, why, "Stripe event ignored")
        }
    }
    Ok(Json(Received { received: true }))
}
