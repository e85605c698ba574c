//! The card payment provider seen from the store: create a hosted checkout page for an order.
//! The server implements it with Stripe Checkout; payments are confirmed only by its webhook.

use async_trait::async_trait;

pub struct CheckoutRequest<'a> {
    pub order_id: i64,
    pub reference: &'a str,
    pub description: &'a str,
    pub amount_cents: i64,
    pub customer_email: &'a str,
    pub success_url: String,
    pub cancel_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutSession {
    pub id: String,
    pub url: String,
}

#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// A hosted payment page for the order; the error is for the log, never shown as is.
    async fn create_checkout(
        &self,
        request: CheckoutRequest<'_>,
    ) -> Result<CheckoutSession, String>;
    /// Closes a hosted payment page that is no longer wanted (the order was cancelled), so
    /// nobody can pay on it any more.
    async fn expire_checkout(&self, session_id: &str) -> Result<(), String>;
}
