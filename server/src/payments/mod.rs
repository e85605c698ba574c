//! Payments: Stripe Checkout and its signed webhooks (the store issue builds on this).

pub mod signature;
