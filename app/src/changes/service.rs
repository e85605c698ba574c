//! Change request use cases: the service model's flow (submit → estimate → approve against the
//! hour bank → work logged as ledger debits → done, reopenable for 7 days), who may take each
//! step, the history, and an email at each step.

use super::command::{
    checked_minutes, DeclineReason, Estimate, FinishSummary, LogWork, Reason, SubmitChange,
};
use super::store::{ChangeRow, ChangeStore, ChangeUpdate, NewChangeRequest, NewEvent};
use super::{ChangeActions, ChangeDetail, ChangeList, ChangeSummary};
use crate::accounts::service::Principal;
use crate::accounts::store::AccountStore;
use crate::domain::change::{
    after_decline, can_reopen, minutes_to_cover, ChangeEventKind, ChangeStatus, WorkRefusal,
};
use crate::domain::hours::format_minutes;
use crate::domain::Role;
use crate::error::{AppError, ErrorCode};
use crate::hours::service::Hours;
use crate::hours::store::NewDebit;
use crate::hours::EntryKind;
use crate::kernel::{Clock, NewMail, OutboxStore};
use crate::tickets::service::active_staff;
use std::sync::Arc;

#[derive(Clone)]
pub struct Changes {
    store: Arc<dyn ChangeStore>,
    hours: Hours,
    accounts: Arc<dyn AccountStore>,
    outbox: Arc<dyn OutboxStore>,
    public_url: String,
    clock: Clock,
}

fn is_staff(p: &Principal) -> bool {
    matches!(p.role(), Role::Agent | Role::Admin)
}

impl Changes {
    pub fn new(
        store: Arc<dyn ChangeStore>,
        hours: Hours,
        accounts: Arc<dyn AccountStore>,
        outbox: Arc<dyn OutboxStore>,
        public_url: String,
        clock: Clock,
    ) -> Self {
        Changes {
            clock,
            store,
            hours,
            accounts,
            outbox,
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    fn customer_org(principal: &Principal) -> Option<i64> {
        (principal.role() == Role::Customer)
            .then(|| principal.user.organization.as_ref().map(|o| o.id))
            .flatten()
    }

    pub async fn list(&self, principal: &Principal) -> Result<ChangeList, AppError> {
        principal.require(&[Role::Customer, Role::Agent, Role::Admin])?;
        match Self::customer_org(principal) {
            Some(org) => Ok(ChangeList {
                items: self.store.list(Some(org)).await?,
                projects: self.store.org_projects(org).await?,
                balance_minutes: Some(self.hours.balance(org).await?),
                can_submit: true,
            }),
            None if is_staff(principal) => Ok(ChangeList {
                items: self.store.list(None).await?,
                projects: Vec::new(),
                balance_minutes: None,
                can_submit: false,
            }),
            None => Err(AppError::new(ErrorCode::Forbidden)),
        }
    }

    /// Change requests linked to a project, for its page (the caller already sees the project).
    pub async fn for_project(&self, project_id: i64) -> Result<Vec<ChangeSummary>, AppError> {
        Ok(self.store.for_project(project_id).await?)
    }

    async fn visible(&self, principal: &Principal, id: i64) -> Result<ChangeRow, AppError> {
        principal.require(&[Role::Customer, Role::Agent, Role::Admin])?;
        let row = self
            .store
            .get(id)
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::NotFound))?;
        if !is_staff(principal) && Self::customer_org(principal) != Some(row.summary.org_id) {
            return Err(AppError::new(ErrorCode::NotFound));
        }
        Ok(row)
    }

    pub async fn detail(&self, principal: &Principal, id: i64) -> Result<ChangeDetail, AppError> {
        let row = self.visible(principal, id).await?;
        let s = &row.summary;
        let staff = is_staff(principal);
        let customer = !staff;
        let actions = ChangeActions {
            estimate: staff && s.status.can_estimate(),
            reject: staff && s.status.can_reject(),
            approve: customer && s.status.awaiting_customer(),
            decline: customer && s.status.awaiting_customer(),
            work: staff && s.status.accepts_work(),
            finish: staff && s.status.accepts_work(),
            reopen: customer && can_reopen(s.status, s.done_at, self.clock.now()),
        };
        let to_cover = if s.status.awaiting_customer() {
            minutes_to_cover(s.estimate_minutes.unwrap_or_default(), s.used_minutes)
        } else {
            0
        };
        Ok(ChangeDetail {
            events: self.store.events(id).await?,
            balance_minutes: self.hours.balance(s.org_id).await?,
            to_cover_minutes: to_cover,
            actions,
            summary: row.summary,
            description: row.description,
            scope: row.scope,
            reason: row.reason,
        })
    }

    pub async fn submit(
        &self,
        principal: &Principal,
        input: SubmitChange,
    ) -> Result<ChangeDetail, AppError> {
        principal.require(&[Role::Customer])?;
        let org =
            Self::customer_org(principal).ok_or_else(|| AppError::new(ErrorCode::Forbidden))?;
        let SubmitChange {
            title,
            description,
            project_id,
            desired_date: desired,
        } = input;
        if let Some(project) = project_id {
            let ours = self.store.org_projects(org).await?;
            if !ours.iter().any(|(id, _)| *id == project) {
                return Err(AppError::field(ErrorCode::InvalidInput, "project_id"));
            }
        }
        let now = self.clock.now();
        if desired.is_some_and(|d| d < crate::projects::service::today_cr(now)) {
            return Err(AppError::field(ErrorCode::DateInvalid, "desired_date"));
        }
        let id = self
            .store
            .create(NewChangeRequest {
                org_id: org,
                requester_id: principal.user.id,
                project_id,
                title: &title,
                description: &description,
                desired_date: desired,
                now,
            })
            .await?;
        let detail = self.detail(principal, id).await?;
        self.mail_staff(
            None,
            &detail.summary,
            &format!(
                "{} de {} pidió un cambio: «{}».\n\n{}",
                principal.user.name, detail.summary.org_name, title, description
            ),
        )
        .await?;
        Ok(detail)
    }

    /// Applies a step or answers 409 when the request is no longer where the step starts.
    async fn step(
        &self,
        id: i64,
        from: &[ChangeStatus],
        update: ChangeUpdate,
        event: NewEvent<'_>,
    ) -> Result<(), AppError> {
        if self.store.transition(id, from, update, event).await? {
            Ok(())
        } else {
            Err(AppError::new(ErrorCode::ChangeStateInvalid))
        }
    }

    pub async fn estimate(
        &self,
        principal: &Principal,
        id: i64,
        estimate: Estimate,
    ) -> Result<ChangeDetail, AppError> {
        principal.require(&[Role::Agent, Role::Admin])?;
        let row = self.visible(principal, id).await?;
        let Estimate {
            minutes,
            risk,
            planned_for: planned,
            scope,
        } = estimate;
        if minutes < row.summary.used_minutes {
            return Err(AppError::field(ErrorCode::MinutesInvalid, "minutes"));
        }
        let from = [
            ChangeStatus::Submitted,
            ChangeStatus::Estimated,
            ChangeStatus::Approved,
            ChangeStatus::InProgress,
        ];
        let note = format!("Riesgo {}. {}", risk.as_str(), scope.as_str());
        self.step(
            id,
            &from,
            ChangeUpdate {
                status: Some(ChangeStatus::Estimated),
                risk: Some(risk),
                estimate_minutes: Some(minutes),
                planned_for: planned,
                scope: (!scope.is_empty()).then(|| scope.into_inner()),
                assessor_id: Some(principal.user.id),
                ..ChangeUpdate::default()
            },
            NewEvent {
                kind: ChangeEventKind::Estimated,
                actor_id: Some(principal.user.id),
                minutes: Some(minutes),
                note: note.trim(),
                now: self.clock.now(),
            },
        )
        .await?;
        let detail = self.detail(principal, id).await?;
        self.mail_requester(
            row.requester_id,
            &detail.summary,
            &format!(
                "Estimamos su solicitud en {} (riesgo {}). Revísela y apruébela o rechácela en el portal.",
                format_minutes(minutes),
                risk.as_str()
            ),
        )
        .await?;
        Ok(detail)
    }

    pub async fn reject(
        &self,
        principal: &Principal,
        id: i64,
        reason: Reason,
    ) -> Result<ChangeDetail, AppError> {
        principal.require(&[Role::Agent, Role::Admin])?;
        let row = self.visible(principal, id).await?;
        let reason = reason.as_str();
        self.step(
            id,
            &[ChangeStatus::Submitted, ChangeStatus::Estimated],
            ChangeUpdate {
                status: Some(ChangeStatus::Rejected),
                reason: Some(reason.to_owned()),
                assessor_id: Some(principal.user.id),
                ..ChangeUpdate::default()
            },
            NewEvent {
                kind: ChangeEventKind::Rejected,
                actor_id: Some(principal.user.id),
                minutes: None,
                note: reason,
                now: self.clock.now(),
            },
        )
        .await?;
        let detail = self.detail(principal, id).await?;
        self.mail_requester(
            row.requester_id,
            &detail.summary,
            &format!("No podemos realizar este cambio. Motivo: {reason}"),
        )
        .await?;
        Ok(detail)
    }

    async fn customer_row(&self, principal: &Principal, id: i64) -> Result<ChangeRow, AppError> {
        principal.require(&[Role::Customer])?;
        self.visible(principal, id).await
    }

    /// The customer approves the estimate; the balance must cover what is still to be done.
    pub async fn approve(&self, principal: &Principal, id: i64) -> Result<ChangeDetail, AppError> {
        let row = self.customer_row(principal, id).await?;
        let s = &row.summary;
        if s.status != ChangeStatus::Estimated {
            return Err(AppError::new(ErrorCode::ChangeStateInvalid));
        }
        let estimate = s.estimate_minutes.unwrap_or_default();
        let to_cover = minutes_to_cover(estimate, s.used_minutes);
        if self.hours.balance(s.org_id).await? < to_cover {
            return Err(AppError::new(ErrorCode::BalanceShort));
        }
        let next = if s.used_minutes > 0 {
            ChangeStatus::InProgress
        } else {
            ChangeStatus::Approved
        };
        self.step(
            id,
            &[ChangeStatus::Estimated],
            ChangeUpdate {
                status: Some(next),
                approved_minutes: Some(estimate),
                ..ChangeUpdate::default()
            },
            NewEvent {
                kind: ChangeEventKind::Approved,
                actor_id: Some(principal.user.id),
                minutes: Some(estimate),
                note: "",
                now: self.clock.now(),
            },
        )
        .await?;
        let detail = self.detail(principal, id).await?;
        self.mail_staff(
            row.assessor_id,
            &detail.summary,
            &format!(
                "{} aprobó la estimación de {}.",
                principal.user.name,
                format_minutes(estimate)
            ),
        )
        .await?;
        Ok(detail)
    }

    pub async fn decline(
        &self,
        principal: &Principal,
        id: i64,
        reason: DeclineReason,
    ) -> Result<ChangeDetail, AppError> {
        let row = self.customer_row(principal, id).await?;
        let s = &row.summary;
        let next = after_decline(s.approved_minutes, s.used_minutes);
        let reason = reason.as_str();
        self.step(
            id,
            &[ChangeStatus::Estimated],
            ChangeUpdate {
                status: Some(next),
                estimate_minutes: (s.approved_minutes > 0).then_some(s.approved_minutes),
                reason: (next == ChangeStatus::Declined).then(|| reason.to_owned()),
                ..ChangeUpdate::default()
            },
            NewEvent {
                kind: ChangeEventKind::Declined,
                actor_id: Some(principal.user.id),
                minutes: s.estimate_minutes,
                note: reason,
                now: self.clock.now(),
            },
        )
        .await?;
        let detail = self.detail(principal, id).await?;
        self.mail_staff(
            row.assessor_id,
            &detail.summary,
            &format!("{} rechazó la estimación. {}", principal.user.name, reason),
        )
        .await?;
        Ok(detail)
    }

    /// An agent logs work: it is debited from the hour bank (oldest-expiring purchase first),
    /// never beyond the approved estimate or the balance (409).
    pub async fn log_work(
        &self,
        principal: &Principal,
        id: i64,
        work: LogWork,
    ) -> Result<ChangeDetail, AppError> {
        principal.require(&[Role::Agent, Role::Admin])?;
        let row = self.visible(principal, id).await?;
        let minutes = checked_minutes(work.minutes)?;
        let note = work.note.as_str();
        if !row.summary.status.accepts_work() {
            return Err(AppError::new(ErrorCode::ChangeStateInvalid));
        }
        let now = self.clock.now();
        let debit = self
            .hours
            .store()
            .debit(NewDebit {
                org_id: row.summary.org_id,
                kind: EntryKind::Debit,
                minutes,
                change_request_id: Some(id),
                cap: Some(row.summary.approved_minutes),
                note,
                actor_id: Some(principal.user.id),
                now,
            })
            .await?;
        match debit {
            Ok(_) => {}
            Err(WorkRefusal::OverEstimate { .. }) => {
                return Err(AppError::field(ErrorCode::OverEstimate, "minutes"))
            }
            Err(WorkRefusal::Balance { .. }) => {
                return Err(AppError::field(ErrorCode::BalanceShort, "minutes"))
            }
        }
        let work_event = || NewEvent {
            kind: ChangeEventKind::Work,
            actor_id: Some(principal.user.id),
            minutes: Some(minutes),
            note,
            now,
        };
        // The first work entry starts the request; later ones only add to its history.
        let started = self
            .store
            .transition(
                id,
                &[ChangeStatus::Approved],
                ChangeUpdate {
                    status: Some(ChangeStatus::InProgress),
                    ..ChangeUpdate::default()
                },
                work_event(),
            )
            .await?;
        if !started {
            self.store.add_event(id, work_event()).await?;
        }
        let detail = self.detail(principal, id).await?;
        self.mail_requester(
            row.requester_id,
            &detail.summary,
            &format!(
                "Registramos {} de trabajo: {note}\nUsado: {} de {} aprobadas. Saldo de su bolsa: {}.",
                format_minutes(minutes),
                format_minutes(detail.summary.used_minutes),
                format_minutes(detail.summary.approved_minutes),
                format_minutes(detail.balance_minutes),
            ),
        )
        .await?;
        Ok(detail)
    }

    pub async fn finish(
        &self,
        principal: &Principal,
        id: i64,
        summary: FinishSummary,
    ) -> Result<ChangeDetail, AppError> {
        principal.require(&[Role::Agent, Role::Admin])?;
        let row = self.visible(principal, id).await?;
        let now = self.clock.now();
        let summary = summary.as_str();
        self.step(
            id,
            &[ChangeStatus::Approved, ChangeStatus::InProgress],
            ChangeUpdate {
                status: Some(ChangeStatus::Done),
                done_at: Some(Some(now)),
                ..ChangeUpdate::default()
            },
            NewEvent {
                kind: ChangeEventKind::Done,
                actor_id: Some(principal.user.id),
                minutes: Some(row.summary.used_minutes),
                note: summary,
                now,
            },
        )
        .await?;
        let detail = self.detail(principal, id).await?;
        self.mail_requester(
            row.requester_id,
            &detail.summary,
            &format!(
                "Terminamos el cambio. Estimado: {}; usado: {}. {summary}\n\
                 Si algo no quedó bien, puede reabrirlo durante 7 días.",
                format_minutes(detail.summary.approved_minutes),
                format_minutes(detail.summary.used_minutes),
            ),
        )
        .await?;
        Ok(detail)
    }

    pub async fn reopen(
        &self,
        principal: &Principal,
        id: i64,
        reason: Reason,
    ) -> Result<ChangeDetail, AppError> {
        let row = self.customer_row(principal, id).await?;
        let reason = reason.as_str();
        let now = self.clock.now();
        if row.summary.status != ChangeStatus::Done {
            return Err(AppError::new(ErrorCode::ChangeStateInvalid));
        }
        if !can_reopen(row.summary.status, row.summary.done_at, now) {
            return Err(AppError::new(ErrorCode::ReopenExpired));
        }
        self.step(
            id,
            &[ChangeStatus::Done],
            ChangeUpdate {
                status: Some(ChangeStatus::InProgress),
                done_at: Some(None),
                ..ChangeUpdate::default()
            },
            NewEvent {
                kind: ChangeEventKind::Reopened,
                actor_id: Some(principal.user.id),
                minutes: None,
                note: reason,
                now,
            },
        )
        .await?;
        let detail = self.detail(principal, id).await?;
        self.mail_staff(
            row.assessor_id,
            &detail.summary,
            &format!("{} reabrió el cambio: {reason}", principal.user.name),
        )
        .await?;
        Ok(detail)
    }

    async fn mail_requester(
        &self,
        requester: i64,
        change: &ChangeSummary,
        text: &str,
    ) -> Result<(), AppError> {
        if let Some(user) = self.accounts.get_user(requester).await? {
            self.send(&user.name, &user.email, change, text).await?;
        }
        Ok(())
    }

    /// The assessor when there is one, otherwise every agent and admin.
    async fn mail_staff(
        &self,
        assessor: Option<i64>,
        change: &ChangeSummary,
        text: &str,
    ) -> Result<(), AppError> {
        if let Some(user) = match assessor {
            Some(id) => self.accounts.get_user(id).await?,
            None => None,
        } {
            return self.send(&user.name, &user.email, change, text).await;
        }
        for member in active_staff(self.accounts.as_ref()).await? {
            if let Some(user) = self.accounts.get_user(member.id).await? {
                self.send(&user.name, &user.email, change, text).await?;
            }
        }
        Ok(())
    }

    async fn send(
        &self,
        name: &str,
        email: &str,
        change: &ChangeSummary,
        text: &str,
    ) -> Result<(), AppError> {
        let body = format!(
            "Hola {name}:\n\n{text}\n\nVer la solicitud {}: {}/cambios/{}\n",
            change.number(),
            self.public_url,
            change.id
        );
        self.outbox
            .enqueue(NewMail {
                to: email,
                subject: &format!("[{}] {}", change.number(), change.title),
                body: &body,
                now: self.clock.now(),
            })
            .await?;
        Ok(())
    }
}
