//! Card payment settings: Stripe Checkout's keys and API base.

use super::{bad, ConfigError, Secret};

/// Card payments through Stripe Checkout.
#[derive(Debug, Clone)]
pub struct StripeConfig {
    pub api_base: String,
    pub secret_key: Secret,
    pub webhook_secret: Secret,
}

pub(super) fn stripe_config(
    var: &impl Fn(&str) -> Option<String>,
) -> Result<Option<StripeConfig>, ConfigError> {
    Ok(
        match (var("STRIPE_SECRET_KEY"), var("STRIPE_WEBHOOK_SECRET")) {
            (None, None) => None,
            (Some(key), Some(webhook)) => {
                let api_base = var("STRIPE_API_BASE")
                    .unwrap_or_else(|| "https://api.stripe.com".into())
                    .trim_end_matches('/')
                    .to_owned();
                if !(api_base.starts_with("https://") || api_base.starts_with("http://")) {
                    return Err(bad(
                        "STRIPE_API_BASE",
                        "must start with https:// or http://",
                    ));
                }
                Some(StripeConfig {
                    api_base,
                    secret_key: Secret(key),
                    webhook_secret: Secret(webhook),
                })
            }
            (Some(_), None) => {
                return Err(bad(
                    "STRIPE_WEBHOOK_SECRET",
                    "is needed with STRIPE_SECRET_KEY (payments are confirmed by the webhook)",
                ))
            }
            (None, Some(_)) => {
                return Err(bad(
                    "STRIPE_SECRET_KEY",
                    "is needed with STRIPE_WEBHOOK_SECRET",
                ))
            }
        },
    )
}
