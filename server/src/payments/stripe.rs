//! Stripe Checkout through Stripe's HTTP API (form-encoded `POST /v1/checkout/sessions` with
//! the secret key). The order id travels as `client_reference_id`; the webhook fulfils it.

use app::shop::gateway::{CheckoutRequest, CheckoutSession, PaymentGateway};
use async_trait::async_trait;
use serde::Deserialize;
use std::time::Duration;

pub struct StripeCheckout {
    client: reqwest::Client,
    api_base: String,
    secret_key: String,
}

#[derive(Deserialize)]
struct SessionBody {
    id: String,
    url: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: Option<String>,
}

impl StripeCheckout {
    pub fn new(api_base: &str, secret_key: &str) -> Result<Self, reqwest::Error> {
        Ok(StripeCheckout {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()?,
            api_base: api_base.trim_end_matches('/').to_owned(),
            secret_key: secret_key.to_owned(),
        })
    }
}

#[async_trait]
impl PaymentGateway for StripeCheckout {
    async fn expire_checkout(&self, session_id: &str) -> Result<(), String> {
        let response = self
            .client
            .post(format!(
                "{}/v1/checkout/sessions/{session_id}/expire",
                self.api_base
            ))
            .bearer_auth(&self.secret_key)
            .send()
            .await
            .map_err(|e| format!("Stripe unreachable: {e}"))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("Stripe answered {}", response.status()))
        }
    }

    async fn create_checkout(&self, r: CheckoutRequest<'_>) -> Result<CheckoutSession, String> {
        let order_id = r.order_id.to_string();
        let amount = r.amount_cents.to_string();
        let form: [(&str, &str); 12] = [
            ("mode", "payment"),
            ("client_reference_id", &order_id),
            ("success_url", &r.success_url),
            ("cancel_url", &r.cancel_url),
            ("customer_email", r.customer_email),
            ("line_items[0][quantity]", "1"),
            ("line_items[0][price_data][currency]", "usd"),
            ("line_items[0][price_data][unit_amount]", &amount),
            (
                "line_items[0][price_data][product_data][name]",
                r.description,
            ),
            ("metadata[order_id]", &order_id),
            ("metadata[reference]", r.reference),
            ("payment_method_types[0]", "card"),
        ];
        let response = self
            .client
            .post(format!("{}/v1/checkout/sessions", self.api_base))
            .bearer_auth(&self.secret_key)
            // A retried request must not open a second session for the same order.
            .header("Idempotency-Key", format!("portal-order-{order_id}"))
            .form(&form)
            .send()
            .await
            .map_err(|e| format!("Stripe unreachable: {e}"))?;
        let status = response.status();
        if !status.is_success() {
            let detail = response
                .json::<ErrorBody>()
                .await
                .ok()
                .and_then(|b| b.error.message)
                .unwrap_or_default();
            return Err(format!("Stripe answered {status}: {detail}"));
        }
        let body: SessionBody = response
            .json()
            .await
            .map_err(|e| format!("unexpected Stripe answer: {e}"))?;
        let url = body
            .url
            .ok_or_else(|| "Stripe session without a url".to_owned())?;
        Ok(CheckoutSession { id: body.id, url })
    }
}
