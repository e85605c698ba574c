//! Payments: Stripe Checkout sessions and Stripe's signed webhooks.

pub mod signature;
pub mod stripe;
