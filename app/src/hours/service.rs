//! Hour bank use cases: the balance and its purchases, admins' adjustments, and the background
//! job that writes off expired hours and warns customers (once each) when the balance runs low
//! or hours are about to expire.

use super::store::{HourStore, NewDebit};
use super::{EntryKind, HoursView, LotView};
use crate::accounts::service::Principal;
use crate::accounts::store::AccountStore;
use crate::domain::change::WorkRefusal;
use crate::domain::hours::{balance, expires_soon, expiry, format_minutes, is_low};
use crate::domain::{format_cr, Role};
use crate::error::{AppError, ErrorCode};
use crate::hours::command::AdjustHours;
use crate::kernel::{Clock, NewMail, OutboxStore};
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(Clone)]
pub struct Hours {
    store: Arc<dyn HourStore>,
    accounts: Arc<dyn AccountStore>,
    outbox: Arc<dyn OutboxStore>,
    public_url: String,
    clock: Clock,
}

/// What one run of the hour job did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct HourJobRun {
    pub expired_lots: usize,
    pub warnings: usize,
}

impl Hours {
    pub fn new(
        store: Arc<dyn HourStore>,
        accounts: Arc<dyn AccountStore>,
        outbox: Arc<dyn OutboxStore>,
        public_url: String,
        clock: Clock,
    ) -> Self {
        Hours {
            clock,
            store,
            accounts,
            outbox,
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    pub fn store(&self) -> Arc<dyn HourStore> {
        self.store.clone()
    }

    /// The organisation whose hours the caller may see: their own (customers) or the one asked
    /// for (staff; the first organisation when none is given).
    async fn org_for(
        &self,
        principal: &Principal,
        asked: Option<i64>,
    ) -> Result<(i64, String), AppError> {
        match principal.role() {
            Role::Customer => {
                let org = principal
                    .user
                    .organization
                    .as_ref()
                    .ok_or_else(|| AppError::new(ErrorCode::Forbidden))?;
                if asked.is_some_and(|a| a != org.id) {
                    return Err(AppError::new(ErrorCode::NotFound));
                }
                Ok((org.id, org.name.clone()))
            }
            Role::Agent | Role::Admin => {
                let orgs = self.accounts.list_orgs().await?;
                let org = match asked {
                    Some(id) => orgs.into_iter().find(|o| o.id == id),
                    None => orgs.into_iter().next(),
                };
                org.map(|o| (o.id, o.name))
                    .ok_or_else(|| AppError::new(ErrorCode::NotFound))
            }
            Role::Editor => Err(AppError::new(ErrorCode::Forbidden)),
        }
    }

    pub async fn view(
        &self,
        principal: &Principal,
        org_id: Option<i64>,
    ) -> Result<HoursView, AppError> {
        let (org_id, org_name) = self.org_for(principal, org_id).await?;
        let now = self.clock.now();
        let lots = self.store.lots(org_id).await?;
        let entries = self.store.entries(org_id).await?;
        let lot_views = lots
            .iter()
            .filter_map(|lot| {
                let credit = entries.iter().find(|e| e.id == lot.credit_id)?;
                Some(LotView {
                    lot_id: lot.credit_id,
                    kind: credit.kind,
                    order_id: credit.order_id,
                    minutes: lot.minutes,
                    remaining_minutes: lot.remaining_minutes,
                    credited_at: credit.created_at,
                    expires_at: lot.expires_at,
                    expired: lot.expires_at <= now,
                    expiring_soon: expires_soon(lot, now),
                })
            })
            .collect();
        let staff = matches!(principal.role(), Role::Agent | Role::Admin);
        let orgs = if staff {
            self.accounts
                .list_orgs()
                .await?
                .into_iter()
                .map(|o| (o.id, o.name))
                .collect()
        } else {
            Vec::new()
        };
        Ok(HoursView {
            org_id,
            org_name,
            balance_minutes: balance(&lots, now),
            low: is_low(&lots, now),
            lots: lot_views,
            entries,
            can_adjust: principal.role() == Role::Admin,
            orgs,
        })
    }

    /// Minutes usable now by an organisation.
    pub async fn balance(&self, org_id: i64) -> Result<i64, AppError> {
        Ok(balance(&self.store.lots(org_id).await?, self.clock.now()))
    }

    /// An admin credits (positive) or withdraws (negative) minutes, with a reason. Credits get
    /// their own expiry; withdrawals take from the purchases expiring first.
    pub async fn adjust(
        &self,
        principal: &Principal,
        org_id: i64,
        adjustment: AdjustHours,
    ) -> Result<HoursView, AppError> {
        principal.require(&[Role::Admin])?;
        self.org_for(principal, Some(org_id)).await?;
        let AdjustHours {
            minutes,
            reason,
            validity_months: months,
        } = adjustment;
        let reason = reason.as_str();
        let now = self.clock.now();
        if minutes > 0 {
            self.store
                .credit_adjustment(
                    org_id,
                    minutes,
                    expiry(now, months),
                    reason,
                    principal.user.id,
                    now,
                )
                .await?;
        } else {
            let taken = self
                .store
                .debit(NewDebit {
                    org_id,
                    kind: EntryKind::Adjustment,
                    minutes: -minutes,
                    change_request_id: None,
                    cap: None,
                    note: reason,
                    actor_id: Some(principal.user.id),
                    now,
                })
                .await?;
            if let Err(WorkRefusal::Balance { .. } | WorkRefusal::OverEstimate { .. }) = taken {
                return Err(AppError::field(ErrorCode::BalanceShort, "minutes"));
            }
        }
        self.view(principal, Some(org_id)).await
    }

    /// Writes off expired hours and sends the warnings due (each once). Runs in the background.
    pub async fn run_job(&self, now: DateTime<Utc>) -> Result<HourJobRun, AppError> {
        let mut run = HourJobRun {
            expired_lots: self.store.expire_due(now).await?,
            warnings: 0,
        };
        for org_id in self.store.orgs_with_hours().await? {
            let lots = self.store.lots(org_id).await?;
            let newest = lots.iter().map(|l| l.credit_id).max().unwrap_or_default();
            if is_low(&lots, now)
                && self
                    .store
                    .claim_notice(org_id, "low_balance", newest, now)
                    .await?
            {
                let text = format!(
                    "Su saldo de horas es bajo: quedan {} (menos del 20 % de lo comprado).\n\
                     Puede comprar un paquete de horas en {}/tienda",
                    format_minutes(balance(&lots, now)),
                    self.public_url
                );
                self.mail_org(org_id, "Saldo de horas bajo", &text).await?;
                run.warnings += 1;
            }
            for lot in lots.iter().filter(|l| expires_soon(l, now)) {
                if self
                    .store
                    .claim_notice(org_id, "expiring", lot.credit_id, now)
                    .await?
                {
                    let text = format!(
                        "{} de su bolsa de horas vencen el {} (hora de Costa Rica).\n\
                         Úselas en solicitudes de cambio antes de esa fecha: {}/horas",
                        format_minutes(lot.remaining_minutes),
                        format_cr(lot.expires_at),
                        self.public_url
                    );
                    self.mail_org(org_id, "Horas por vencer", &text).await?;
                    run.warnings += 1;
                }
            }
        }
        Ok(run)
    }

    async fn mail_org(&self, org_id: i64, subject: &str, text: &str) -> Result<(), AppError> {
        for (name, email) in self.store.org_contacts(org_id).await? {
            self.outbox
                .enqueue(NewMail {
                    to: &email,
                    subject,
                    body: &format!("Hola {name}:\n\n{text}\n"),
                    now: self.clock.now(),
                })
                .await?;
        }
        Ok(())
    }
}
