//! Store use cases: the catalog, who may buy, placing and paying orders (card through the
//! payment gateway, fulfilled only by its verified webhook; transfers confirmed by admins),
//! receipts by email, refunds.

use super::command::{PlaceOrder, SavePackage, SaveTransferAccount, TransferInstructions};
use super::gateway::{CheckoutRequest, PaymentGateway};
use super::store::{
    CardPayment, NewOrder, Payment, Refund, Reversal, ReversalChange, Reversed, ShopStore,
};
use super::{
    DisputeState, Order, OrderStatus, OrgPurchase, PayMethod, PlacedOrder, PurchasePolicy, Receipt,
    StoreAdmin, StorePage, TransferAccount, DEFAULT_TRANSFER_INSTRUCTIONS,
};
use crate::accounts::service::Principal;
use crate::domain::hours::{default_catalog, format_minutes, format_usd, Package};
use crate::domain::{format_cr, Role};
use crate::error::{AppError, ErrorCode};
use crate::kernel::{Clock, NewMail, OutboxStore};
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(Clone)]
pub struct Shop {
    store: Arc<dyn ShopStore>,
    outbox: Arc<dyn OutboxStore>,
    gateway: Option<Arc<dyn PaymentGateway>>,
    public_url: String,
    clock: Clock,
}

/// The parts of a Stripe `checkout.session.completed` event the store acts on.
#[derive(Debug, Clone, Copy)]
pub struct CompletedCheckout<'a> {
    pub event_id: &'a str,
    pub event_type: &'a str,
    pub client_reference_id: Option<&'a str>,
    pub payment_status: Option<&'a str>,
    pub amount_total: Option<i64>,
    /// ISO 4217, lower case as Stripe sends it (`usd`).
    pub currency: Option<&'a str>,
    /// What later refunds and disputes of this payment will name.
    pub payment_intent: Option<&'a str>,
}

/// The parts of a Stripe `charge.refunded` or `charge.dispute.*` event the store acts on.
#[derive(Debug, Clone, Copy)]
pub struct ReversedPayment<'a> {
    pub event_id: &'a str,
    pub event_type: &'a str,
    pub payment_intent: Option<&'a str>,
    pub currency: Option<&'a str>,
    pub kind: ReversalKind<'a>,
}

#[derive(Debug, Clone, Copy)]
pub enum ReversalKind<'a> {
    /// A charge's refunds: Stripe's running total (`amount_refunded`).
    Refund { amount_refunded: Option<i64> },
    /// A dispute: its amount and Stripe's status (`needs_response`, `won`, `lost`, …).
    Dispute {
        amount: Option<i64>,
        status: Option<&'a str>,
    },
}

/// Stripe's dispute statuses, as the order keeps them: closed in the merchant's favour
/// (`won`, or an inquiry closed without a chargeback) gives the money back; `lost` keeps it
/// out; anything else holds it.
fn dispute_state(status: &str) -> DisputeState {
    match status {
        "won" | "warning_closed" | "prevented" => DisputeState::Won,
        "lost" => DisputeState::Lost,
        _ => DisputeState::Open,
    }
}

/// The account, as lines of an email.
fn account_lines(a: &TransferAccount) -> String {
    let sinpe = a
        .sinpe
        .as_deref()
        .map(|n| format!("SINPE Móvil: {n}\n"))
        .unwrap_or_default();
    format!(
        "Banco: {}\nTitular: {}\nCuenta IBAN (USD): {}\n{sinpe}",
        a.bank,
        a.holder,
        a.iban_grouped()
    )
}

/// The currency every order is priced and charged in.
const ORDER_CURRENCY: &str = "usd";

/// An order as its customers see it: staff's notes left out.
fn for_customers(order: Order) -> Order {
    Order {
        payment_problem: None,
        shortfall_minutes: None,
        ..order
    }
}

/// What the webhook did with an event (logged; Stripe always gets 200 once verified).
#[derive(Debug, PartialEq, Eq)]
pub enum WebhookOutcome {
    Credited(i64),
    /// A refund or dispute changed the order.
    Reversed(i64),
    Duplicate,
    Ignored(&'static str),
}

impl Shop {
    pub fn new(
        store: Arc<dyn ShopStore>,
        outbox: Arc<dyn OutboxStore>,
        gateway: Option<Arc<dyn PaymentGateway>>,
        public_url: String,
        clock: Clock,
    ) -> Self {
        Shop {
            clock,
            store,
            outbox,
            gateway,
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// Adds the service model's packages that are missing; admins' edits stay.
    pub async fn seed_catalog(&self) -> Result<(), AppError> {
        self.store
            .seed_packages(&default_catalog(), self.clock.now())
            .await?;
        Ok(())
    }

    pub fn card_enabled(&self) -> bool {
        self.gateway.is_some()
    }

    /// The packages on sale (public).
    pub async fn packages(&self) -> Result<Vec<Package>, AppError> {
        Ok(self.store.packages(false).await?)
    }

    async fn instructions(&self) -> Result<String, AppError> {
        Ok(self
            .store
            .transfer_instructions()
            .await?
            .unwrap_or_else(|| DEFAULT_TRANSFER_INSTRUCTIONS.to_owned()))
    }

    /// Whether a customer may buy for their organisation.
    async fn purchase_rights(&self, principal: &Principal) -> Result<(bool, bool), AppError> {
        let Some(org) = &principal.user.organization else {
            return Ok((false, false));
        };
        match self.store.policy(org.id).await? {
            PurchasePolicy::Any => Ok((true, false)),
            PurchasePolicy::Buyers => Ok((self.store.is_buyer(principal.user.id).await?, true)),
        }
    }

    pub async fn page(&self, principal: Option<&Principal>) -> Result<StorePage, AppError> {
        let (can_buy, buyers_only) = match principal {
            Some(p) if p.role() == Role::Customer => self.purchase_rights(p).await?,
            _ => (false, false),
        };
        Ok(StorePage {
            packages: self.packages().await?,
            card_enabled: self.card_enabled(),
            can_buy,
            buyers_only,
            transfer_instructions: self.instructions().await?,
            transfer_account: self.store.transfer_account().await?,
        })
    }

    /// The example account the demo data shows on transfer orders (a Costa Rican IBAN with a
    /// valid check and a SINPE Móvil number), until an admin saves the company's own.
    pub async fn seed_demo_account(&self) -> Result<(), AppError> {
        if self.store.transfer_account().await?.is_none() {
            let demo = SaveTransferAccount::parse(
                "Banco Nacional de Costa Rica",
                "Any2cloud Servicios Administrados S.A.",
                "CR05 0152 0200 1026 2840 66",
                "6303-6361",
            )?;
            self.store
                .set_transfer_account(&demo.0, self.clock.now())
                .await?;
        }
        Ok(())
    }

    /// An admin saves the account customers pay transfers into.
    pub async fn set_transfer_account(
        &self,
        principal: &Principal,
        account: SaveTransferAccount,
    ) -> Result<(), AppError> {
        principal.require(&[Role::Admin])?;
        self.store
            .set_transfer_account(&account.0, self.clock.now())
            .await?;
        Ok(())
    }

    pub async fn place_order(
        &self,
        principal: &Principal,
        cmd: PlaceOrder,
    ) -> Result<PlacedOrder, AppError> {
        principal.require(&[Role::Customer])?;
        let org_id = principal
            .user
            .organization
            .as_ref()
            .map(|o| o.id)
            .ok_or_else(|| AppError::new(ErrorCode::Forbidden))?;
        let method = cmd.method;
        let package = self
            .packages()
            .await?
            .into_iter()
            .find(|p| p.code == cmd.package.as_str())
            .ok_or_else(|| AppError::field(ErrorCode::PackageUnknown, "package"))?;
        if !self.purchase_rights(principal).await?.0 {
            return Err(AppError::new(ErrorCode::PurchaseNotAllowed));
        }
        let gateway = match method {
            PayMethod::Card => Some(
                self.gateway
                    .clone()
                    .ok_or_else(|| AppError::field(ErrorCode::MethodUnavailable, "method"))?,
            ),
            PayMethod::Transfer => None,
        };
        let order = self
            .store
            .create_order(NewOrder {
                org_id,
                buyer_id: principal.user.id,
                package: &package,
                method,
                now: self.clock.now(),
            })
            .await?;
        let Some(gateway) = gateway else {
            self.mail_transfer_instructions(&order).await?;
            return Ok(PlacedOrder {
                order,
                checkout_url: None,
                transfer_account: self.store.transfer_account().await?,
            });
        };
        let receipt = format!("{}/tienda/pedidos/{}", self.public_url, order.id);
        let session = gateway
            .create_checkout(CheckoutRequest {
                order_id: order.id,
                reference: &order.reference,
                description: &format!("{} · {} h", order.package_name, order.hours),
                amount_cents: order.price_cents,
                customer_email: &principal.user.email,
                success_url: format!("{receipt}?pago=ok"),
                cancel_url: format!("{receipt}?pago=cancelado"),
            })
            .await;
        match session {
            Ok(session) => {
                self.store
                    .set_checkout_session(order.id, &session.id)
                    .await?;
                Ok(PlacedOrder {
                    order,
                    checkout_url: Some(session.url),
                    transfer_account: None,
                })
            }
            Err(e) => {
                tracing::error!(order = order.id, error = %e, "checkout session failed");
                self.store.cancel_order(order.id).await?;
                Err(AppError::new(ErrorCode::PaymentUnavailable))
            }
        }
    }

    /// An order its organisation's customers and staff may see; 404 for anyone else.
    async fn visible_order(&self, principal: &Principal, id: i64) -> Result<Order, AppError> {
        let order = self
            .store
            .order(id)
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::NotFound))?;
        let allowed = match principal.role() {
            Role::Admin | Role::Agent => true,
            Role::Customer => principal
                .user
                .organization
                .as_ref()
                .is_some_and(|o| o.id == order.org_id),
            Role::Editor => false,
        };
        if !allowed {
            return Err(AppError::new(ErrorCode::NotFound));
        }
        Ok(match principal.role() {
            Role::Customer => for_customers(order),
            _ => order,
        })
    }

    pub async fn receipt(&self, principal: &Principal, id: i64) -> Result<Receipt, AppError> {
        let order = self.visible_order(principal, id).await?;
        let unspent = match order.status {
            OrderStatus::Paid => self.store.unspent(order.id).await?,
            _ => None,
        };
        Ok(Receipt {
            order,
            transfer_instructions: self.instructions().await?,
            transfer_account: self.store.transfer_account().await?,
            can_manage: principal.role() == Role::Admin,
            unspent_minutes: unspent,
        })
    }

    /// The caller's organisation's orders (customers) or everyone's (admins, agents).
    pub async fn orders(&self, principal: &Principal) -> Result<Vec<Order>, AppError> {
        match principal.role() {
            Role::Admin | Role::Agent => Ok(self.store.orders(None, 200).await?),
            Role::Customer => {
                let org = principal
                    .user
                    .organization
                    .as_ref()
                    .ok_or_else(|| AppError::new(ErrorCode::Forbidden))?;
                let orders = self.store.orders(Some(org.id), 200).await?;
                Ok(orders.into_iter().map(for_customers).collect())
            }
            Role::Editor => Err(AppError::new(ErrorCode::Forbidden)),
        }
    }

    /// A customer (or an admin) cancels an order still waiting for its payment.
    pub async fn cancel(&self, principal: &Principal, id: i64) -> Result<Order, AppError> {
        let order = self.visible_order(principal, id).await?;
        if principal.role() == Role::Agent {
            return Err(AppError::new(ErrorCode::Forbidden));
        }
        if !self.store.cancel_order(order.id).await? {
            return Err(AppError::new(ErrorCode::OrderNotPending));
        }
        // Nobody may pay on the hosted page any more. Should a payment still arrive (paid a
        // moment before), the webhook credits it rather than dropping it.
        if let (Some(gateway), Some(session)) =
            (&self.gateway, self.store.checkout_session(order.id).await?)
        {
            if let Err(e) = gateway.expire_checkout(&session).await {
                tracing::warn!(order = order.id, error = %e, "checkout session not expired");
            }
        }
        self.load(id).await
    }

    async fn load(&self, id: i64) -> Result<Order, AppError> {
        self.store
            .order(id)
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::NotFound))
    }

    /// An admin confirms that a transfer arrived: the hours are credited.
    pub async fn confirm_transfer(
        &self,
        principal: &Principal,
        id: i64,
    ) -> Result<Order, AppError> {
        principal.require(&[Role::Admin])?;
        let order = self.load(id).await?;
        if order.method != PayMethod::Transfer {
            return Err(AppError::new(ErrorCode::OrderNotPending));
        }
        match self
            .store
            .pay_order(id, None, Some(principal.user.id), self.clock.now())
            .await?
        {
            Payment::Credited { .. } => {
                let order = self.load(id).await?;
                self.mail_receipt(&order).await?;
                Ok(order)
            }
            Payment::NotFound => Err(AppError::new(ErrorCode::NotFound)),
            Payment::Duplicate | Payment::NotPending(_) => {
                Err(AppError::new(ErrorCode::OrderNotPending))
            }
        }
    }

    /// Fulfils a verified `checkout.session.completed` event. Only paid sessions whose amount
    /// matches the order credit hours; a replayed event credits nothing.
    pub async fn checkout_completed(
        &self,
        event: CompletedCheckout<'_>,
    ) -> Result<WebhookOutcome, AppError> {
        let now = self.clock.now();
        let order = match event
            .client_reference_id
            .and_then(|r| r.parse::<i64>().ok())
        {
            Some(id) => self.store.order(id).await?,
            None => None,
        };
        let Some(order) = order else {
            return self
                .ignore(event.event_id, event.event_type, now, "unknown order")
                .await;
        };
        if event.payment_status != Some("paid") {
            return self
                .ignore(event.event_id, event.event_type, now, "not paid yet")
                .await;
        }
        let currency_matches = event
            .currency
            .is_some_and(|c| c.eq_ignore_ascii_case(ORDER_CURRENCY));
        if event.amount_total != Some(order.price_cents)
            || !currency_matches
            || order.method != PayMethod::Card
        {
            tracing::error!(order = order.id, amount = ?event.amount_total, currency = ?event.currency,
                "payment does not match the order");
            let outcome = self
                .ignore(event.event_id, event.event_type, now, "amount mismatch")
                .await?;
            if outcome != WebhookOutcome::Duplicate {
                let paid = match (event.amount_total, event.currency) {
                    (Some(cents), Some(cur)) => format!(
                        "{}.{:02} {}",
                        cents / 100,
                        (cents % 100).abs(),
                        cur.to_uppercase()
                    ),
                    _ => "monto o moneda ausentes".to_owned(),
                };
                let problem = format!(
                    "Stripe informó un pago de {paid}; el pedido es de {}. No se acreditaron horas. Evento {}.",
                    format_usd(order.price_cents),
                    event.event_id
                );
                self.store.note_payment_problem(order.id, &problem).await?;
            }
            return Ok(outcome);
        }
        match self
            .store
            .pay_order(
                order.id,
                Some(CardPayment {
                    event_id: event.event_id,
                    event_type: event.event_type,
                    payment_intent: event.payment_intent,
                }),
                None,
                now,
            )
            .await?
        {
            Payment::Credited { lot_id } => {
                let order = self.load(order.id).await?;
                self.mail_receipt(&order).await?;
                Ok(WebhookOutcome::Credited(lot_id))
            }
            Payment::Duplicate => Ok(WebhookOutcome::Duplicate),
            Payment::NotPending(_) | Payment::NotFound => {
                Ok(WebhookOutcome::Ignored("order not pending"))
            }
        }
    }

    /// Applies a verified refund or dispute of a card payment to its order: the share given
    /// back leaves the hour bank (what was already spent is recorded for staff), a dispute won
    /// brings the hours back, and the buyer is told by email. Replays change nothing.
    pub async fn payment_reversed(
        &self,
        event: ReversedPayment<'_>,
    ) -> Result<WebhookOutcome, AppError> {
        let now = self.clock.now();
        let usd = event
            .currency
            .is_some_and(|c| c.eq_ignore_ascii_case(ORDER_CURRENCY));
        let change = match event.kind {
            ReversalKind::Refund {
                amount_refunded: Some(total),
            } => Some(ReversalChange::Refunded { total_cents: total }),
            ReversalKind::Dispute {
                amount: Some(amount),
                status: Some(status),
            } => {
                let state = dispute_state(status);
                Some(ReversalChange::Disputed {
                    held_cents: if state == DisputeState::Won {
                        0
                    } else {
                        amount
                    },
                    state,
                })
            }
            _ => None,
        };
        let (Some(payment_intent), Some(change), true) = (event.payment_intent, change, usd) else {
            tracing::error!(event = event.event_id, currency = ?event.currency,
                "refund or dispute event without a usable amount, currency or payment");
            return self
                .ignore(event.event_id, event.event_type, now, "unusable reversal")
                .await;
        };
        let outcome = self
            .store
            .reverse_payment(Reversal {
                event_id: event.event_id,
                event_type: event.event_type,
                payment_intent,
                change,
                now,
            })
            .await?;
        match outcome {
            Reversed::Duplicate => Ok(WebhookOutcome::Duplicate),
            Reversed::UnknownPayment => Ok(WebhookOutcome::Ignored("unknown payment")),
            Reversed::Unchanged => Ok(WebhookOutcome::Ignored("nothing new")),
            Reversed::NotPaid(_) => Ok(WebhookOutcome::Ignored("order not paid")),
            Reversed::Applied {
                order_id,
                ledger_minutes,
                ..
            } => {
                let order = self.load(order_id).await?;
                self.mail_reversal(&order, change, ledger_minutes).await?;
                Ok(WebhookOutcome::Reversed(order_id))
            }
        }
    }

    async fn ignore(
        &self,
        event_id: &str,
        event_type: &str,
        now: DateTime<Utc>,
        why: &'static str,
    ) -> Result<WebhookOutcome, AppError> {
        if self.store.record_event(event_id, event_type, now).await? {
            Ok(WebhookOutcome::Ignored(why))
        } else {
            Ok(WebhookOutcome::Duplicate)
        }
    }

    /// Any other verified event: recorded once, nothing else.
    pub async fn other_event(
        &self,
        event_id: &str,
        kind: &str,
    ) -> Result<WebhookOutcome, AppError> {
        Ok(
            match self
                .store
                .record_event(event_id, kind, self.clock.now())
                .await?
            {
                true => WebhookOutcome::Ignored("event type not handled"),
                false => WebhookOutcome::Duplicate,
            },
        )
    }

    /// An admin refunds a paid order: its unspent hours leave the bank.
    pub async fn refund(&self, principal: &Principal, id: i64) -> Result<Order, AppError> {
        principal.require(&[Role::Admin])?;
        match self
            .store
            .refund_order(id, principal.user.id, self.clock.now())
            .await?
        {
            Refund::Done { .. } => self.load(id).await,
            Refund::NotPaid(_) => Err(AppError::new(ErrorCode::OrderNotPaid)),
            Refund::NotFound => Err(AppError::new(ErrorCode::NotFound)),
        }
    }

    pub async fn admin(&self, principal: &Principal) -> Result<StoreAdmin, AppError> {
        principal.require(&[Role::Admin])?;
        Ok(StoreAdmin {
            packages: self.store.packages(true).await?,
            orders: self.store.orders(None, 200).await?,
            transfer_instructions: self.instructions().await?,
            transfer_account: self.store.transfer_account().await?,
            orgs: self.store.org_purchases().await?,
            card_enabled: self.card_enabled(),
        })
    }

    pub async fn save_package(
        &self,
        principal: &Principal,
        cmd: SavePackage,
    ) -> Result<(), AppError> {
        principal.require(&[Role::Admin])?;
        let package = cmd.into_package();
        self.store.save_package(&package, self.clock.now()).await?;
        Ok(())
    }

    pub async fn set_instructions(
        &self,
        principal: &Principal,
        text: TransferInstructions,
    ) -> Result<(), AppError> {
        principal.require(&[Role::Admin])?;
        self.store
            .set_transfer_instructions(text.as_str(), self.clock.now())
            .await?;
        Ok(())
    }

    /// Sets who may buy for an organisation, and optionally turns one of its customers into a
    /// designated buyer or back (`toggle_buyer`). Returns the organisation as saved.
    pub async fn set_policy(
        &self,
        principal: &Principal,
        org_id: i64,
        policy: PurchasePolicy,
        toggle_buyer: Option<i64>,
    ) -> Result<OrgPurchase, AppError> {
        principal.require(&[Role::Admin])?;
        let mut org = self
            .store
            .org_purchases()
            .await?
            .into_iter()
            .find(|o| o.org_id == org_id)
            .ok_or_else(|| AppError::new(ErrorCode::NotFound))?;
        if let Some(user) = toggle_buyer {
            let customer = org
                .customers
                .iter_mut()
                .find(|(id, _, _)| *id == user)
                .ok_or_else(|| AppError::field(ErrorCode::InvalidInput, "buyers"))?;
            customer.2 = !customer.2;
        }
        let buyers: Vec<i64> = org
            .customers
            .iter()
            .filter(|(_, _, buyer)| *buyer)
            .map(|(id, _, _)| *id)
            .collect();
        self.store.set_policy(org_id, policy).await?;
        self.store.set_buyers(org_id, &buyers).await?;
        org.policy = policy;
        Ok(org)
    }

    async fn mail_transfer_instructions(&self, order: &Order) -> Result<(), AppError> {
        let account = self
            .store
            .transfer_account()
            .await?
            .map(|a| account_lines(&a))
            .unwrap_or_default();
        let body = format!(
            "Hola {}:\n\nRecibimos su pedido {} de {} ({} h) por {}.\n\n{}\n\n{account}\
             Referencia: {}\n\nVer el pedido: {}/tienda/pedidos/{}\n",
            order.buyer_name,
            order.reference,
            order.package_name,
            order.hours,
            format_usd(order.price_cents),
            self.instructions().await?,
            order.reference,
            self.public_url,
            order.id,
        );
        self.mail(
            order,
            &format!("Pedido {}: instrucciones de pago", order.reference),
            &body,
        )
        .await
    }

    async fn mail_receipt(&self, order: &Order) -> Result<(), AppError> {
        let method = match order.method {
            PayMethod::Card => "tarjeta",
            PayMethod::Transfer => "transferencia / SINPE Móvil",
        };
        let paid = order.paid_at.map(format_cr).unwrap_or_default();
        let expires = order.expires_at.map(format_cr).unwrap_or_default();
        let body = format!(
            "Hola {}:\n\nGracias por su compra. Este es su recibo.\n\n\
             Pedido: {}\nPaquete: {}\nHoras: {} h\nMonto: {} (USD)\nForma de pago: {}\n\
             Fecha de pago: {} (hora de Costa Rica)\nVigencia de las horas: hasta {}\n\n\
             Ver el recibo: {}/tienda/pedidos/{}\n",
            order.buyer_name,
            order.reference,
            order.package_name,
            order.hours,
            format_usd(order.price_cents),
            method,
            paid,
            expires,
            self.public_url,
            order.id,
        );
        self.mail(order, &format!("Recibo {}", order.reference), &body)
            .await
    }

    async fn mail_reversal(
        &self,
        order: &Order,
        change: ReversalChange,
        ledger_minutes: i64,
    ) -> Result<(), AppError> {
        let hours = format_minutes(ledger_minutes.abs());
        let (subject, what) = match change {
            ReversalChange::Refunded { total_cents } => (
                format!("Reembolso del pedido {}", order.reference),
                format!(
                    "Se reembolsaron {} del pago con tarjeta del pedido {}.",
                    format_usd(total_cents.min(order.price_cents)),
                    order.reference
                ),
            ),
            ReversalChange::Disputed {
                state: DisputeState::Won,
                ..
            } => (
                format!("Disputa del pedido {} resuelta", order.reference),
                format!(
                    "La disputa del pago del pedido {} se resolvió y el pago se mantiene.",
                    order.reference
                ),
            ),
            ReversalChange::Disputed {
                state: DisputeState::Lost,
                ..
            } => (
                format!("Disputa del pedido {} cerrada", order.reference),
                format!(
                    "La disputa del pago del pedido {} se cerró a favor de su banco: el pago \
                     fue devuelto a su tarjeta.",
                    order.reference
                ),
            ),
            ReversalChange::Disputed { .. } => (
                format!("Disputa abierta sobre el pedido {}", order.reference),
                format!(
                    "Su banco abrió una disputa sobre el pago del pedido {}. Mientras se \
                     resuelve, las horas no usadas de esa compra quedan retenidas.",
                    order.reference
                ),
            ),
        };
        let hours_line = match ledger_minutes {
            0 => "Su saldo de horas no cambió.".to_owned(),
            m if m < 0 => format!("Se retiraron {hours} de su saldo de horas."),
            _ => format!("Se devolvieron {hours} a su saldo de horas."),
        };
        let body = format!(
            "Hola {}:\n\n{what}\n{hours_line}\n\nVer el pedido: {}/tienda/pedidos/{}\n",
            order.buyer_name, self.public_url, order.id,
        );
        self.mail(order, &subject, &body).await
    }

    async fn mail(&self, order: &Order, subject: &str, body: &str) -> Result<(), AppError> {
        self.outbox
            .enqueue(NewMail {
                to: &order.buyer_email,
                subject,
                body,
                now: self.clock.now(),
            })
            .await?;
        Ok(())
    }
}
