//! Server functions for the store: identify the caller, call the service.

use super::{Order, PlacedOrder, Receipt, StoreAdmin, StorePage};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::command::{
    parse_policy, PackageInput, PlaceOrder, SavePackage, SaveTransferAccount, TransferInstructions,
};
#[cfg(feature = "ssr")]
use crate::server_ctx::{optional_principal, principal, services};

#[server]
pub async fn store_load() -> Result<StorePage, AppError> {
    let p = optional_principal().await?;
    services()?.shop.page(p.as_ref()).await
}

/// Places an order and sends the browser on: to Stripe's payment page (card) or to the order's
/// page with the transfer instructions.
#[server]
pub async fn order_place(package: String, method: String) -> Result<PlacedOrder, AppError> {
    let p = principal().await?;
    let placed = services()?
        .shop
        .place_order(&p, PlaceOrder::parse(&package, &method)?)
        .await?;
    let next = placed
        .checkout_url
        .clone()
        .unwrap_or_else(|| format!("/tienda/pedidos/{}", placed.order.id));
    leptos_axum::redirect(&next);
    Ok(placed)
}

#[server]
pub async fn orders_load() -> Result<Vec<Order>, AppError> {
    let p = principal().await?;
    services()?.shop.orders(&p).await
}

#[server]
pub async fn receipt_load(id: i64) -> Result<Receipt, AppError> {
    let p = principal().await?;
    services()?.shop.receipt(&p, id).await
}

#[server]
pub async fn order_confirm(id: i64) -> Result<Order, AppError> {
    let p = principal().await?;
    services()?.shop.confirm_transfer(&p, id).await
}

#[server]
pub async fn order_refund(id: i64) -> Result<Order, AppError> {
    let p = principal().await?;
    services()?.shop.refund(&p, id).await
}

#[server]
pub async fn order_cancel(id: i64) -> Result<Order, AppError> {
    let p = principal().await?;
    services()?.shop.cancel(&p, id).await
}

#[server]
pub async fn store_admin_load() -> Result<StoreAdmin, AppError> {
    let p = principal().await?;
    services()?.shop.admin(&p).await
}

/// Saves a package from the admin form: price typed in dollars, stored in cents.
#[server]
pub async fn package_save(
    code: String,
    name: String,
    hours: String,
    price: String,
    validity_months: String,
    #[server(default)] active: Option<String>,
) -> Result<(), AppError> {
    let p = principal().await?;
    let cmd = SavePackage::try_from(PackageInput {
        code: &code,
        name: &name,
        hours: &hours,
        price: &price,
        validity_months: &validity_months,
        active: active.is_some(),
    })?;
    services()?.shop.save_package(&p, cmd).await
}

#[server]
pub async fn instructions_save(instructions: String) -> Result<(), AppError> {
    let p = principal().await?;
    services()?
        .shop
        .set_instructions(&p, TransferInstructions::parse(&instructions)?)
        .await
}

/// An admin saves the account customers pay transfers into.
#[server]
pub async fn transfer_account_save(
    bank: String,
    holder: String,
    iban: String,
    #[server(default)] sinpe: String,
) -> Result<(), AppError> {
    let p = principal().await?;
    services()?
        .shop
        .set_transfer_account(
            &p,
            SaveTransferAccount::parse(&bank, &holder, &iban, &sinpe)?,
        )
        .await
}

/// Sets who may buy for an organisation; `toggle_buyer` adds or removes one designated buyer.
#[server]
pub async fn purchase_policy_save(
    org_id: i64,
    policy: String,
    #[server(default)] toggle_buyer: Option<i64>,
) -> Result<(), AppError> {
    let p = principal().await?;
    services()?
        .shop
        .set_policy(&p, org_id, parse_policy(&policy)?, toggle_buyer)
        .await?;
    Ok(())
}
