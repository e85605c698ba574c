//! `ShopStore` for SQLite and PostgreSQL. Paying and refunding take the organisation's
//! hour-bank lock first (the same row every ledger change takes), then re-read the order, so a
//! payment credits hours exactly once however many deliveries race.

use super::hours::{self, INSERT_LOT, LOCK_BANK};
use super::{store_err, with_pool, Db};
use app::domain::hours::{expiry, Package};
use app::hours::EntryKind;
use app::kernel::{StoreError, StoreResult};
use app::shop::reversal::{minutes_reversed, settle, Withdrawn};
use app::shop::store::{
    CardPayment, NewOrder, Payment, Refund, Reversal, ReversalChange, Reversed, ShopStore,
};
use app::shop::{DisputeState, Order, OrderStatus, OrgPurchase, PurchasePolicy, TransferAccount};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

const ORDER_SELECT: &str = "SELECT o.id, o.reference, o.org_id, g.name AS org_name, \
     u.name AS buyer_name, u.email AS buyer_email, o.package_code, o.package_name, o.hours, \
     o.price_cents, o.validity_months, o.method, o.status, o.created_at, o.paid_at, \
     l.expires_at, o.refunded_at, o.refunded_minutes, o.payment_problem, \
     o.refunded_cents, o.dispute_status, o.shortfall_minutes \
     FROM store_orders o JOIN organizations g ON g.id = o.org_id \
     JOIN users u ON u.id = o.buyer_id LEFT JOIN hour_ledger l ON l.id = o.lot_id";

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: i64,
    reference: String,
    org_id: i64,
    org_name: String,
    buyer_name: String,
    buyer_email: String,
    package_code: String,
    package_name: String,
    hours: i64,
    price_cents: i64,
    validity_months: i64,
    method: String,
    status: String,
    created_at: DateTime<Utc>,
    paid_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    refunded_at: Option<DateTime<Utc>>,
    refunded_minutes: Option<i64>,
    payment_problem: Option<String>,
    refunded_cents: i64,
    dispute_status: Option<String>,
    shortfall_minutes: i64,
}

fn bad(what: &str, value: &str) -> StoreError {
    StoreError::corrupt(what, value)
}

impl TryFrom<OrderRow> for Order {
    type Error = StoreError;
    fn try_from(r: OrderRow) -> Result<Self, StoreError> {
        Ok(Order {
            method: r.method.parse().map_err(|_| bad("method", &r.method))?,
            status: r.status.parse().map_err(|_| bad("status", &r.status))?,
            id: r.id,
            reference: r.reference,
            org_id: r.org_id,
            org_name: r.org_name,
            buyer_name: r.buyer_name,
            buyer_email: r.buyer_email,
            package_code: r.package_code,
            package_name: r.package_name,
            hours: u32::try_from(r.hours).unwrap_or_default(),
            price_cents: r.price_cents,
            validity_months: u32::try_from(r.validity_months).unwrap_or_default(),
            created_at: r.created_at,
            paid_at: r.paid_at,
            expires_at: r.expires_at,
            refunded_at: r.refunded_at,
            refunded_minutes: r.refunded_minutes,
            payment_problem: r.payment_problem,
            refunded_cents: r.refunded_cents,
            dispute: r
                .dispute_status
                .map(|d| d.parse().map_err(|_| bad("dispute_status", &d)))
                .transpose()?,
            shortfall_minutes: (r.shortfall_minutes > 0).then_some(r.shortfall_minutes),
        })
    }
}

#[derive(sqlx::FromRow)]
struct PackageRow {
    code: String,
    name: String,
    hours: i64,
    price_cents: i64,
    validity_months: i64,
    active: bool,
}

impl From<PackageRow> for Package {
    fn from(r: PackageRow) -> Self {
        Package {
            code: r.code,
            name: r.name,
            hours: u32::try_from(r.hours).unwrap_or_default(),
            price_cents: r.price_cents,
            validity_months: u32::try_from(r.validity_months).unwrap_or_default(),
            active: r.active,
        }
    }
}

#[derive(sqlx::FromRow)]
struct PayRow {
    status: String,
    hours: i64,
    validity_months: i64,
    reference: String,
}

#[derive(sqlx::FromRow)]
struct ReversalRow {
    status: String,
    hours: i64,
    price_cents: i64,
    reference: String,
    lot_id: Option<i64>,
    refunded_cents: i64,
    disputed_cents: i64,
    dispute_status: Option<String>,
    refunded_minutes: i64,
    shortfall_minutes: i64,
}

const UPSERT_PACKAGE: &str = "INSERT INTO store_packages (code, name, hours, price_cents, \
     validity_months, active, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ";

impl Db {
    async fn order_org(&self, order_id: i64) -> StoreResult<Option<i64>> {
        with_pool!(self, |pool| sqlx::query_scalar(
            "SELECT org_id FROM store_orders WHERE id = $1"
        )
        .bind(order_id)
        .fetch_optional(pool)
        .await)
        .map_err(store_err)
    }
}

#[async_trait]
impl ShopStore for Db {
    async fn packages(&self, include_inactive: bool) -> StoreResult<Vec<Package>> {
        let sql = "SELECT code, name, hours, price_cents, validity_months, active \
                   FROM store_packages WHERE active OR $1 ORDER BY hours, code";
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, PackageRow>(sql)
            .bind(include_inactive)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn seed_packages(&self, packages: &[Package], now: DateTime<Utc>) -> StoreResult<()> {
        let sql = format!("{UPSERT_PACKAGE} ON CONFLICT (code) DO NOTHING");
        for p in packages {
            with_pool!(self, |pool| sqlx::query(&sql)
                .bind(&p.code)
                .bind(&p.name)
                .bind(i64::from(p.hours))
                .bind(p.price_cents)
                .bind(i64::from(p.validity_months))
                .bind(p.active)
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))
            .map_err(store_err)?;
        }
        Ok(())
    }

    async fn save_package(&self, p: &Package, now: DateTime<Utc>) -> StoreResult<()> {
        let sql = format!(
            "{UPSERT_PACKAGE} ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
             hours = excluded.hours, price_cents = excluded.price_cents, \
             validity_months = excluded.validity_months, active = excluded.active, \
             updated_at = excluded.updated_at"
        );
        with_pool!(self, |pool| sqlx::query(&sql)
            .bind(&p.code)
            .bind(&p.name)
            .bind(i64::from(p.hours))
            .bind(p.price_cents)
            .bind(i64::from(p.validity_months))
            .bind(p.active)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        Ok(())
    }

    async fn transfer_instructions(&self) -> StoreResult<Option<String>> {
        let sql = "SELECT transfer_instructions FROM store_settings WHERE id = 1";
        with_pool!(self, |pool| sqlx::query_scalar(sql)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)
    }

    async fn set_transfer_instructions(&self, text: &str, now: DateTime<Utc>) -> StoreResult<()> {
        let sql = "INSERT INTO store_settings (id, transfer_instructions, updated_at) \
                   VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET \
                   transfer_instructions = excluded.transfer_instructions, \
                   updated_at = excluded.updated_at";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(text)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        Ok(())
    }

    async fn transfer_account(&self) -> StoreResult<Option<TransferAccount>> {
        type Row = (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let sql = "SELECT bank_name, account_holder, iban, sinpe_number FROM store_settings \
                   WHERE id = 1";
        let row: Option<Row> =
            with_pool!(self, |pool| sqlx::query_as(sql).fetch_optional(pool).await)
                .map_err(store_err)?;
        Ok(match row {
            Some((Some(bank), Some(holder), Some(iban), sinpe)) => Some(TransferAccount {
                bank,
                holder,
                iban,
                sinpe,
            }),
            _ => None,
        })
    }

    async fn set_transfer_account(
        &self,
        account: &TransferAccount,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        // The instructions keep their text (the default until an admin writes their own).
        let sql = "INSERT INTO store_settings (id, transfer_instructions, updated_at, bank_name, \
                   account_holder, iban, sinpe_number) VALUES (1, $1, $2, $3, $4, $5, $6) \
                   ON CONFLICT (id) DO UPDATE SET bank_name = excluded.bank_name, \
                   account_holder = excluded.account_holder, iban = excluded.iban, \
                   sinpe_number = excluded.sinpe_number, updated_at = excluded.updated_at";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(app::shop::DEFAULT_TRANSFER_INSTRUCTIONS)
            .bind(now)
            .bind(&account.bank)
            .bind(&account.holder)
            .bind(&account.iban)
            .bind(&account.sinpe)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(store_err)
    }

    async fn policy(&self, org_id: i64) -> StoreResult<PurchasePolicy> {
        let sql = "SELECT purchase_policy FROM organizations WHERE id = $1";
        let text: String = with_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(org_id)
            .fetch_one(pool)
            .await)
        .map_err(store_err)?;
        text.parse().map_err(|_| bad("purchase policy", &text))
    }

    async fn set_policy(&self, org_id: i64, policy: PurchasePolicy) -> StoreResult<()> {
        let sql = "UPDATE organizations SET purchase_policy = $2 WHERE id = $1";
        let done = with_pool!(self, |pool| sqlx::query(sql)
            .bind(org_id)
            .bind(policy.as_str())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        super::found(done)
    }

    async fn is_buyer(&self, user_id: i64) -> StoreResult<bool> {
        let sql = "SELECT org_buyer FROM users WHERE id = $1";
        let buyer: Option<bool> = with_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(user_id)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)?;
        Ok(buyer.unwrap_or(false))
    }

    async fn set_buyers(&self, org_id: i64, buyers: &[i64]) -> StoreResult<()> {
        with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE users SET org_buyer = FALSE WHERE org_id = $1")
                .bind(org_id)
                .execute(&mut *tx)
                .await?;
            for buyer in buyers {
                sqlx::query("UPDATE users SET org_buyer = TRUE WHERE id = $1 AND org_id = $2")
                    .bind(buyer)
                    .bind(org_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        }
        .await)
        .map_err(store_err)
    }

    async fn org_purchases(&self) -> StoreResult<Vec<OrgPurchase>> {
        let orgs: Vec<(i64, String, String)> = with_pool!(self, |pool| sqlx::query_as(
            "SELECT id, name, purchase_policy FROM organizations ORDER BY name, id"
        )
        .fetch_all(pool)
        .await)
        .map_err(store_err)?;
        let people: Vec<(i64, String, i64, bool)> = with_pool!(self, |pool| sqlx::query_as(
            "SELECT id, name, org_id, org_buyer FROM users \
             WHERE role = 'customer' ORDER BY name, id"
        )
        .fetch_all(pool)
        .await)
        .map_err(store_err)?;
        orgs.into_iter()
            .map(|(org_id, org_name, policy)| {
                Ok(OrgPurchase {
                    policy: policy
                        .parse()
                        .map_err(|_| bad("purchase policy", &policy))?,
                    customers: people
                        .iter()
                        .filter(|p| p.2 == org_id)
                        .map(|p| (p.0, p.1.clone(), p.3))
                        .collect(),
                    org_id,
                    org_name,
                })
            })
            .collect()
    }

    async fn create_order(&self, o: NewOrder<'_>) -> StoreResult<Order> {
        let insert = "INSERT INTO store_orders (org_id, buyer_id, package_code, package_name, \
             hours, price_cents, validity_months, method, status, reference, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10) RETURNING id";
        let provisional = format!("new-{}", uuid::Uuid::new_v4());
        let id = with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(insert)
                .bind(o.org_id)
                .bind(o.buyer_id)
                .bind(&o.package.code)
                .bind(&o.package.name)
                .bind(i64::from(o.package.hours))
                .bind(o.package.price_cents)
                .bind(i64::from(o.package.validity_months))
                .bind(o.method.as_str())
                .bind(&provisional)
                .bind(o.now)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query("UPDATE store_orders SET reference = $2 WHERE id = $1")
                .bind(id)
                .bind(format!("SC-{id:05}"))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        }
        .await)
        .map_err(store_err)?;
        self.order(id).await?.ok_or(StoreError::NotFound)
    }

    async fn set_checkout_session(&self, order_id: i64, session_id: &str) -> StoreResult<()> {
        let sql = "UPDATE store_orders SET checkout_session_id = $2 WHERE id = $1";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(order_id)
            .bind(session_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        Ok(())
    }

    async fn checkout_session(&self, order_id: i64) -> StoreResult<Option<String>> {
        let sql = "SELECT checkout_session_id FROM store_orders WHERE id = $1";
        with_pool!(self, |pool| sqlx::query_scalar::<_, Option<String>>(sql)
            .bind(order_id)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)
        .map(Option::flatten)
    }

    async fn order(&self, id: i64) -> StoreResult<Option<Order>> {
        let sql = format!("{ORDER_SELECT} WHERE o.id = $1");
        let row = with_pool!(self, |pool| sqlx::query_as::<_, OrderRow>(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)
        .map_err(store_err)?;
        row.map(Order::try_from).transpose()
    }

    async fn orders(&self, org_id: Option<i64>, limit: i64) -> StoreResult<Vec<Order>> {
        let sql = format!(
            "{ORDER_SELECT} WHERE ($1 IS NULL OR o.org_id = $1) ORDER BY o.id DESC LIMIT $2"
        );
        let rows = with_pool!(self, |pool| sqlx::query_as::<_, OrderRow>(&sql)
            .bind(org_id)
            .bind(limit)
            .fetch_all(pool)
            .await)
        .map_err(store_err)?;
        rows.into_iter().map(Order::try_from).collect()
    }

    async fn cancel_order(&self, id: i64) -> StoreResult<bool> {
        let sql =
            "UPDATE store_orders SET status = 'cancelled' WHERE id = $1 AND status = 'pending'";
        let done = with_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        Ok(done == 1)
    }

    async fn pay_order(
        &self,
        order_id: i64,
        event: Option<CardPayment<'_>>,
        confirmed_by: Option<i64>,
        now: DateTime<Utc>,
    ) -> StoreResult<Payment> {
        let org = self.order_org(order_id).await?;
        with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            // Writes come first so SQLite takes its write lock before anything is read.
            if let Some(event) = event {
                let fresh = sqlx::query(
                    "INSERT INTO stripe_events (id, type, order_id, received_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                )
                .bind(event.event_id)
                .bind(event.event_type)
                .bind(order_id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if fresh == 0 {
                    tx.rollback().await?;
                    return Ok::<_, sqlx::Error>(Payment::Duplicate);
                }
            }
            let Some(org) = org else {
                tx.commit().await?;
                return Ok(Payment::NotFound);
            };
            sqlx::query(LOCK_BANK).bind(org).execute(&mut *tx).await?;
            let order: PayRow = sqlx::query_as(
                "SELECT status, hours, validity_months, reference FROM store_orders WHERE id = $1",
            )
            .bind(order_id)
            .fetch_one(&mut *tx)
            .await?;
            // A card payment Stripe reports for an order cancelled meanwhile (the page was
            // paid before it expired): the customer paid, so the hours are credited.
            let paid_after_cancel =
                event.is_some() && order.status == OrderStatus::Cancelled.as_str();
            if paid_after_cancel {
                tracing::warn!(
                    order = order_id,
                    "card payment for a cancelled order: credited"
                );
            }
            if order.status != OrderStatus::Pending.as_str() && !paid_after_cancel {
                tx.commit().await?;
                let status = order.status.parse().unwrap_or(OrderStatus::Paid);
                return Ok(Payment::NotPending(status));
            }
            let months = u32::try_from(order.validity_months).unwrap_or(12);
            let lot_id: i64 = sqlx::query_scalar(INSERT_LOT)
                .bind(org)
                .bind(EntryKind::Purchase.as_str())
                .bind(order.hours * 60)
                .bind(expiry(now, months))
                .bind(order_id)
                .bind(&order.reference)
                .bind(confirmed_by)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE store_orders SET status = 'paid', paid_at = $2, lot_id = $3, \
                 confirmed_by = $4, payment_intent = $5 WHERE id = $1",
            )
            .bind(order_id)
            .bind(now)
            .bind(lot_id)
            .bind(confirmed_by)
            .bind(event.and_then(|e| e.payment_intent))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Payment::Credited { lot_id })
        }
        .await)
        .map_err(store_err)
    }

    async fn record_event(
        &self,
        event_id: &str,
        kind: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "INSERT INTO stripe_events (id, type, received_at) VALUES ($1, $2, $3) \
                   ON CONFLICT DO NOTHING";
        let done = with_pool!(self, |pool| sqlx::query(sql)
            .bind(event_id)
            .bind(kind)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(store_err)?;
        Ok(done == 1)
    }

    async fn refund_order(
        &self,
        order_id: i64,
        actor_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Refund> {
        let Some(org) = self.order_org(order_id).await? else {
            return Ok(Refund::NotFound);
        };
        with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            sqlx::query(LOCK_BANK).bind(org).execute(&mut *tx).await?;
            let (status, lot_id, reference): (String, Option<i64>, String) =
                sqlx::query_as("SELECT status, lot_id, reference FROM store_orders WHERE id = $1")
                    .bind(order_id)
                    .fetch_one(&mut *tx)
                    .await?;
            let (OrderStatus::Paid, Some(lot_id)) =
                (status.parse().unwrap_or(OrderStatus::Cancelled), lot_id)
            else {
                tx.rollback().await?;
                let status = status.parse().unwrap_or(OrderStatus::Cancelled);
                return Ok::<_, sqlx::Error>(Refund::NotPaid(status));
            };
            let left: i64 = sqlx::query_scalar(hours::LOT_REMAINING_OF_ORDER)
                .bind(order_id)
                .fetch_one(&mut *tx)
                .await?;
            if left > 0 {
                sqlx::query(hours::INSERT_REFUND)
                    .bind(org)
                    .bind(-left)
                    .bind(lot_id)
                    .bind(order_id)
                    .bind(format!("Reembolso {reference}"))
                    .bind(actor_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            // All of the payment goes back; what was already spent is the shortfall.
            sqlx::query(
                "UPDATE store_orders SET status = 'refunded', refunded_at = $2, \
                 refunded_minutes = COALESCE(refunded_minutes, 0) + $3, \
                 refunded_cents = price_cents, \
                 shortfall_minutes = hours * 60 - COALESCE(refunded_minutes, 0) - $3 \
                 WHERE id = $1",
            )
            .bind(order_id)
            .bind(now)
            .bind(left.max(0))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Refund::Done {
                minutes: left.max(0),
            })
        }
        .await)
        .map_err(store_err)
    }

    async fn reverse_payment(&self, r: Reversal<'_>) -> StoreResult<Reversed> {
        let org: Option<(i64, i64)> = with_pool!(self, |pool| sqlx::query_as(
            "SELECT id, org_id FROM store_orders WHERE payment_intent = $1"
        )
        .bind(r.payment_intent)
        .fetch_optional(pool)
        .await)
        .map_err(store_err)?;
        with_pool!(self, |pool| async {
            let mut tx = pool.begin().await?;
            let fresh = sqlx::query(
                "INSERT INTO stripe_events (id, type, order_id, received_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(r.event_id)
            .bind(r.event_type)
            .bind(org.map(|(id, _)| id))
            .bind(r.now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if fresh == 0 {
                tx.rollback().await?;
                return Ok::<_, sqlx::Error>(Reversed::Duplicate);
            }
            let Some((order_id, org)) = org else {
                tx.commit().await?;
                return Ok(Reversed::UnknownPayment);
            };
            sqlx::query(LOCK_BANK).bind(org).execute(&mut *tx).await?;
            let o: ReversalRow = sqlx::query_as(
                "SELECT status, hours, price_cents, reference, lot_id, refunded_cents, \
                 disputed_cents, dispute_status, \
                 COALESCE(refunded_minutes, 0) AS refunded_minutes, shortfall_minutes FROM store_orders WHERE id = $1",
            )
            .bind(order_id)
            .fetch_one(&mut *tx)
            .await?;
            let status: OrderStatus = o.status.parse().unwrap_or(OrderStatus::Cancelled);
            let (OrderStatus::Paid | OrderStatus::Refunded, Some(lot_id)) = (status, o.lot_id)
            else {
                tx.commit().await?;
                return Ok(Reversed::NotPaid(status));
            };
            // Stripe's refund total only grows: an older event arriving late changes nothing.
            let (refunded_cents, disputed_cents, dispute) = match r.change {
                ReversalChange::Refunded { total_cents } => {
                    (o.refunded_cents.max(total_cents), o.disputed_cents, None)
                }
                ReversalChange::Disputed { held_cents, state } => {
                    (o.refunded_cents, held_cents.max(0), Some(state.as_str()))
                }
            };
            let same_dispute = dispute.is_none_or(|d| o.dispute_status.as_deref() == Some(d));
            if refunded_cents == o.refunded_cents
                && disputed_cents == o.disputed_cents
                && same_dispute
            {
                tx.commit().await?;
                return Ok(Reversed::Unchanged);
            }
            let reversed = (refunded_cents + disputed_cents).min(o.price_cents);
            let hours = u32::try_from(o.hours).unwrap_or_default();
            let target = minutes_reversed(hours, o.price_cents, reversed);
            let unspent: i64 = sqlx::query_scalar(hours::LOT_REMAINING_OF_ORDER)
                .bind(order_id)
                .fetch_one(&mut *tx)
                .await?;
            let before = Withdrawn {
                taken: o.refunded_minutes,
                shortfall: o.shortfall_minutes,
            };
            let step = settle(before, target, unspent);
            if step.ledger_minutes != 0 {
                let note = match (r.change, step.ledger_minutes > 0) {
                    (_, true) => format!("Disputa resuelta a favor {}", o.reference),
                    (ReversalChange::Disputed { .. }, false) => {
                        format!("Disputa del pago {}", o.reference)
                    }
                    (ReversalChange::Refunded { .. }, false) => {
                        format!("Reembolso en Stripe {}", o.reference)
                    }
                };
                // Hours given back are an adjustment on the lot (the ledger keeps `refund`
                // entries negative).
                let kind = if step.ledger_minutes > 0 {
                    EntryKind::Adjustment
                } else {
                    EntryKind::Refund
                };
                sqlx::query(
                    "INSERT INTO hour_ledger (org_id, kind, minutes, lot_id, order_id, note, \
                     actor_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                    .bind(org)
                    .bind(kind.as_str())
                    .bind(step.ledger_minutes)
                    .bind(lot_id)
                    .bind(order_id)
                    .bind(note)
                    .bind(None::<i64>)
                    .bind(r.now)
                    .execute(&mut *tx)
                    .await?;
            }
            // Refunded once all of the money is gone for good: refunds, plus a dispute lost.
            let lost = dispute.or(o.dispute_status.as_deref()) == Some(DisputeState::Lost.as_str());
            let gone = refunded_cents + if lost { disputed_cents } else { 0 };
            let refunded = gone >= o.price_cents;
            sqlx::query(
                "UPDATE store_orders SET status = $2, \
                 refunded_at = CASE WHEN $3 THEN COALESCE(refunded_at, $4) END, \
                 refunded_minutes = $5, refunded_cents = $6, disputed_cents = $7, \
                 dispute_status = COALESCE($8, dispute_status), shortfall_minutes = $9 \
                 WHERE id = $1",
            )
            .bind(order_id)
            .bind(if refunded { "refunded" } else { "paid" })
            .bind(refunded)
            .bind(r.now)
            .bind((step.after.taken > 0 || refunded).then_some(step.after.taken))
            .bind(refunded_cents)
            .bind(disputed_cents)
            .bind(dispute)
            .bind(step.after.shortfall)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Reversed::Applied {
                order_id,
                ledger_minutes: step.ledger_minutes,
                shortfall_minutes: step.after.shortfall,
                refunded,
            })
        }
        .await)
        .map_err(store_err)
    }

    async fn note_payment_problem(&self, order_id: i64, problem: &str) -> StoreResult<()> {
        let sql = "UPDATE store_orders SET payment_problem = $1 WHERE id = $2";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(problem)
            .bind(order_id)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(store_err)
    }

    async fn unspent(&self, order_id: i64) -> StoreResult<Option<i64>> {
        with_pool!(self, |pool| sqlx::query_scalar(
            hours::LOT_REMAINING_OF_ORDER
        )
        .bind(order_id)
        .fetch_optional(pool)
        .await)
        .map_err(store_err)
    }
}
