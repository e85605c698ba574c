//! Project use cases: who sees which project, validating plan changes, the change log,
//! baselines and comments.

use super::store::{ItemFields, NewChange, ProjectFields, ProjectRow, ProjectStore};
use super::{
    ChangeAction, ItemComment, ItemPatch, ItemSaved, ProjectInput, ProjectList, ProjectPage,
    ProjectSummary,
};
use crate::accounts::service::Principal;
use crate::accounts::store::AccountStore;
use crate::domain::project::{
    conflicts_after_move, creates_cycle, item_window, project_dates_in_range, project_figures,
    ItemKind, ItemState, PlanItem, ProjectStatus, FIRST_PROJECT_YEAR, LAST_PROJECT_YEAR,
};
use crate::domain::{Role, COSTA_RICA};
use crate::error::{AppError, ErrorCode};
use crate::kernel::Clock;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use std::sync::Arc;

const MAX_NAME_CHARS: usize = 200;
const MAX_DESCRIPTION_CHARS: usize = 5_000;
const MAX_PHASE_CHARS: usize = 80;
const MAX_OWNER_CHARS: usize = 120;
const MAX_REASON_CHARS: usize = 500;
pub const MAX_COMMENT_CHARS: usize = 4_000;
/// Items one project may hold (keeps pages and charts fast).
pub const MAX_ITEMS: usize = 500;

/// Today in Costa Rica.
pub fn today_cr(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&COSTA_RICA).date_naive()
}

fn staff_only(p: &Principal) -> Result<(), AppError> {
    p.require(&[Role::Agent, Role::Admin])
}

fn text(raw: &str, max: usize, code: ErrorCode, field: &str) -> Result<String, AppError> {
    let t = raw.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(AppError::field(code, field));
    }
    Ok(t.to_owned())
}

fn optional_text(raw: &str, max: usize, field: &str) -> Result<Option<String>, AppError> {
    let t = raw.trim();
    if t.chars().count() > max {
        return Err(AppError::field(ErrorCode::InvalidInput, field));
    }
    Ok((!t.is_empty()).then(|| t.to_owned()))
}

fn date(raw: &str, field: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field(ErrorCode::DateInvalid, field))
}

/// Refuses item dates outside the window around the project's start ([`item_window`]).
fn check_item_window(fields: &ItemFields, project_start: NaiveDate) -> Result<(), AppError> {
    let (first, last) = item_window(project_start);
    if fields.start < first || fields.start > last {
        return Err(AppError::field(ErrorCode::DateOutOfRange, "start"));
    }
    if fields.end < first || fields.end > last {
        return Err(AppError::field(ErrorCode::DateOutOfRange, "end"));
    }
    Ok(())
}

fn dates_text(start: NaiveDate, end: NaiveDate) -> String {
    format!("{start}/{end}")
}

fn summary(row: ProjectRow, items: &[PlanItem], today: NaiveDate) -> ProjectSummary {
    let figures = project_figures(items, row.status, row.start, row.target_end, today);
    ProjectSummary {
        id: row.id,
        org_id: row.org_id,
        org_name: row.org_name,
        name: row.name,
        description: row.description,
        status: row.status,
        start: row.start,
        target_end: row.target_end,
        lead_id: row.lead_id,
        lead_name: row.lead_name,
        baseline_at: row.baseline_at,
        updated_at: row.updated_at,
        figures,
    }
}

/// Applies `patch` to `current` (or builds a new item from it) and validates the result
/// against the rest of the plan.
fn apply_patch(
    current: Option<&PlanItem>,
    patch: &ItemPatch,
    others: &[PlanItem],
    id: i64,
) -> Result<ItemFields, AppError> {
    let kind = match (&patch.kind, current) {
        (Some(k), _) => k
            .parse::<ItemKind>()
            .map_err(|_| AppError::field(ErrorCode::KindInvalid, "kind"))?,
        (None, Some(c)) => c.kind,
        (None, None) => ItemKind::Activity,
    };
    let name = match (&patch.name, current) {
        (Some(n), _) => text(n, MAX_NAME_CHARS, ErrorCode::NameRequired, "name")?,
        (None, Some(c)) => c.name.clone(),
        (None, None) => return Err(AppError::field(ErrorCode::NameRequired, "name")),
    };
    let phase = match (&patch.phase, current) {
        (Some(p), _) => optional_text(p, MAX_PHASE_CHARS, "phase")?.unwrap_or_default(),
        (None, Some(c)) => c.phase.clone(),
        (None, None) => String::new(),
    };
    let end = match (&patch.end, current) {
        (Some(e), _) => date(e, "end")?,
        (None, Some(c)) => c.end,
        (None, None) => return Err(AppError::field(ErrorCode::DateInvalid, "end")),
    };
    let start = match (&patch.start, current) {
        _ if kind == ItemKind::Milestone => end,
        (Some(s), _) => date(s, "start")?,
        (None, Some(c)) => c.start,
        (None, None) => return Err(AppError::field(ErrorCode::DateInvalid, "start")),
    };
    if end < start {
        return Err(AppError::field(ErrorCode::DateRangeInvalid, "end"));
    }
    let state = match (&patch.state, current) {
        (Some(s), _) => s
            .parse::<ItemState>()
            .map_err(|_| AppError::field(ErrorCode::StatusInvalid, "state"))?,
        (None, Some(c)) => c.state,
        (None, None) => ItemState::Pending,
    };
    let mut progress = match (patch.progress, current) {
        (Some(p), _) => u8::try_from(p)
            .ok()
            .filter(|p| *p <= 100)
            .ok_or_else(|| AppError::field(ErrorCode::ProgressInvalid, "progress"))?,
        (None, Some(c)) => c.progress,
        (None, None) => 0,
    };
    if state == ItemState::Done {
        progress = 100;
    }
    let blocked_reason = if state == ItemState::Blocked {
        let given = match (&patch.blocked_reason, current) {
            (Some(r), _) => optional_text(r, MAX_REASON_CHARS, "blocked_reason")?,
            (None, Some(c)) => c.blocked_reason.clone(),
            (None, None) => None,
        };
        Some(given.ok_or_else(|| AppError::field(ErrorCode::ReasonRequired, "blocked_reason"))?)
    } else {
        None
    };
    let owner = match (&patch.owner, current) {
        (Some(o), _) => optional_text(o, MAX_OWNER_CHARS, "owner")?,
        (None, Some(c)) => c.owner.clone(),
        (None, None) => None,
    };
    let mut depends_on = match (&patch.depends_on, current) {
        (Some(d), _) => d.clone(),
        (None, Some(c)) => c.depends_on.clone(),
        (None, None) => Vec::new(),
    };
    depends_on.sort_unstable();
    depends_on.dedup();
    let unknown = depends_on
        .iter()
        .any(|d| *d == id || !others.iter().any(|o| o.id == *d));
    if unknown || creates_cycle(others, id, &depends_on) {
        return Err(AppError::field(ErrorCode::DependencyInvalid, "depends_on"));
    }
    Ok(ItemFields {
        kind,
        name,
        phase,
        start,
        end,
        progress,
        state,
        blocked_reason,
        owner,
        depends_on,
    })
}

/// The change-log entries describing how `before` became `after`.
fn describe(before: &PlanItem, after: &ItemFields) -> Vec<NewChange> {
    let entry = |action, b: String, a: String| NewChange {
        item_id: Some(before.id),
        item_name: after.name.clone(),
        action,
        before: b,
        after: a,
    };
    let mut out = Vec::new();
    if (before.start, before.end) != (after.start, after.end) {
        out.push(entry(
            ChangeAction::Dates,
            dates_text(before.start, before.end),
            dates_text(after.start, after.end),
        ));
    }
    if before.progress != after.progress {
        out.push(entry(
            ChangeAction::Progress,
            before.progress.to_string(),
            after.progress.to_string(),
        ));
    }
    if before.state != after.state {
        out.push(entry(
            ChangeAction::State,
            before.state.as_str().to_owned(),
            after.state.as_str().to_owned(),
        ));
    }
    let other_fields = before.name != after.name
        || before.phase != after.phase
        || before.kind != after.kind
        || before.owner != after.owner
        || before.depends_on != after.depends_on
        || (after.state == ItemState::Blocked && before.blocked_reason != after.blocked_reason);
    if other_fields {
        out.push(entry(
            ChangeAction::ItemEdited,
            before.name.clone(),
            after.name.clone(),
        ));
    }
    out
}

fn to_item(id: i64, f: ItemFields, baseline: Option<&PlanItem>) -> PlanItem {
    PlanItem {
        id,
        kind: f.kind,
        name: f.name,
        phase: f.phase,
        start: f.start,
        end: f.end,
        progress: f.progress,
        state: f.state,
        blocked_reason: f.blocked_reason,
        owner: f.owner,
        baseline_start: baseline.and_then(|b| b.baseline_start),
        baseline_end: baseline.and_then(|b| b.baseline_end),
        depends_on: f.depends_on,
    }
}

/// A demo project: items with dependencies by index, and changes made after the baseline.
pub struct DemoProject {
    pub name: &'static str,
    pub description: &'static str,
    pub start: NaiveDate,
    pub target_end: NaiveDate,
    pub items: Vec<(ItemFields, Vec<usize>)>,
    pub later: Vec<(usize, ItemPatch)>,
}

#[derive(Clone)]
pub struct Projects {
    store: Arc<dyn ProjectStore>,
    accounts: Arc<dyn AccountStore>,
    clock: Clock,
}

impl Projects {
    pub fn new(
        store: Arc<dyn ProjectStore>,
        accounts: Arc<dyn AccountStore>,
        clock: Clock,
    ) -> Self {
        Projects {
            clock,
            store,
            accounts,
        }
    }

    /// The project if the caller may see it: staff see all, customers their organisation's
    /// (anything else is "not found", so ids of other organisations leak nothing).
    async fn visible(&self, p: &Principal, id: i64) -> Result<ProjectRow, AppError> {
        let row = self.store.project(id).await?;
        match p.role() {
            Role::Agent | Role::Admin => Ok(row),
            Role::Customer if p.user.organization.as_ref().map(|o| o.id) == Some(row.org_id) => {
                Ok(row)
            }
            _ => Err(ErrorCode::NotFound.into()),
        }
    }

    async fn items(&self, project_id: i64) -> Result<Vec<PlanItem>, AppError> {
        Ok(self
            .store
            .items_of(&[project_id])
            .await?
            .into_iter()
            .map(|(_, i)| i)
            .collect())
    }

    pub async fn list(&self, p: &Principal) -> Result<ProjectList, AppError> {
        let scope = match p.role() {
            Role::Agent | Role::Admin => None,
            Role::Customer => Some(
                p.user
                    .organization
                    .as_ref()
                    .map(|o| o.id)
                    .ok_or(ErrorCode::Forbidden)?,
            ),
            Role::Editor => return Err(ErrorCode::Forbidden.into()),
        };
        let rows = self.store.list_projects(scope).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let items = self.store.items_of(&ids).await?;
        let today = today_cr(self.clock.now());
        let projects = rows
            .into_iter()
            .map(|row| {
                let mine: Vec<PlanItem> = items
                    .iter()
                    .filter(|(pid, _)| *pid == row.id)
                    .map(|(_, i)| i.clone())
                    .collect();
                summary(row, &mine, today)
            })
            .collect();
        let staff_view = scope.is_none();
        let (orgs, staff) = if staff_view {
            let orgs = self
                .accounts
                .list_orgs()
                .await?
                .into_iter()
                .map(|o| crate::tickets::StaffMember {
                    id: o.id,
                    name: o.name,
                })
                .collect();
            (
                orgs,
                crate::tickets::service::active_staff(self.accounts.as_ref()).await?,
            )
        } else {
            (Vec::new(), Vec::new())
        };
        Ok(ProjectList {
            projects,
            today,
            orgs,
            staff,
        })
    }

    pub async fn page(&self, p: &Principal, id: i64) -> Result<ProjectPage, AppError> {
        let row = self.visible(p, id).await?;
        let items = self.items(id).await?;
        let now = self.clock.now();
        let today = today_cr(now);
        Ok(ProjectPage {
            project: summary(row, &items, today),
            comments: self.store.comments(id).await?,
            changes: self.store.changes(id, now - Duration::days(7)).await?,
            items,
            today,
            can_edit: matches!(p.role(), Role::Agent | Role::Admin),
            staff: if matches!(p.role(), Role::Agent | Role::Admin) {
                crate::tickets::service::active_staff(self.accounts.as_ref()).await?
            } else {
                Vec::new()
            },
            change_requests: Vec::new(),
        })
    }

    async fn fields(&self, input: &ProjectInput) -> Result<ProjectFields, AppError> {
        let name = text(&input.name, MAX_NAME_CHARS, ErrorCode::NameRequired, "name")?;
        let description = optional_text(&input.description, MAX_DESCRIPTION_CHARS, "description")?
            .unwrap_or_default();
        let status = if input.status.trim().is_empty() {
            ProjectStatus::Planned
        } else {
            input
                .status
                .trim()
                .parse::<ProjectStatus>()
                .map_err(|_| AppError::field(ErrorCode::StatusInvalid, "status"))?
        };
        let start = date(&input.start, "start")?;
        let target_end = date(&input.target_end, "target_end")?;
        if target_end < start {
            return Err(AppError::field(ErrorCode::DateRangeInvalid, "target_end"));
        }
        if !project_dates_in_range(start, target_end) {
            let field = if (FIRST_PROJECT_YEAR..=LAST_PROJECT_YEAR).contains(&start.year()) {
                "target_end"
            } else {
                "start"
            };
            return Err(AppError::field(ErrorCode::DateOutOfRange, field));
        }
        if self.accounts.get_org(input.org_id).await?.is_none() {
            return Err(AppError::field(ErrorCode::OrgRequired, "org_id"));
        }
        if let Some(lead) = input.lead_id {
            let user = self.accounts.get_user(lead).await?;
            if !user.is_some_and(|u| matches!(u.role, Role::Agent | Role::Admin)) {
                return Err(AppError::field(ErrorCode::AssigneeInvalid, "lead_id"));
            }
        }
        Ok(ProjectFields {
            org_id: input.org_id,
            name,
            description,
            status,
            start,
            target_end,
            lead_id: input.lead_id,
        })
    }

    pub async fn create(
        &self,
        p: &Principal,
        input: &ProjectInput,
    ) -> Result<ProjectSummary, AppError> {
        staff_only(p)?;
        let fields = self.fields(input).await?;
        let id = self
            .store
            .create_project(&fields, p.user.id, self.clock.now())
            .await?;
        let row = self.store.project(id).await?;
        Ok(summary(row, &[], today_cr(self.clock.now())))
    }

    pub async fn update(
        &self,
        p: &Principal,
        id: i64,
        input: &ProjectInput,
    ) -> Result<ProjectSummary, AppError> {
        staff_only(p)?;
        let before = self.visible(p, id).await?;
        // A project never changes organisation: its customers' comments stay theirs.
        let input = ProjectInput {
            org_id: before.org_id,
            ..input.clone()
        };
        let fields = self.fields(&input).await?;
        let change = NewChange {
            item_id: None,
            item_name: String::new(),
            action: ChangeAction::ProjectUpdated,
            before: before.status.as_str().to_owned(),
            after: fields.status.as_str().to_owned(),
        };
        self.store
            .update_project(id, &fields, p.user.id, Some(&change), self.clock.now())
            .await?;
        let row = self.store.project(id).await?;
        let items = self.items(id).await?;
        Ok(summary(row, &items, today_cr(self.clock.now())))
    }

    /// Adds an activity or milestone at the end of the plan.
    pub async fn add_item(
        &self,
        p: &Principal,
        project_id: i64,
        patch: &ItemPatch,
    ) -> Result<ItemSaved, AppError> {
        staff_only(p)?;
        let project = self.visible(p, project_id).await?;
        let items = self.items(project_id).await?;
        if items.len() >= MAX_ITEMS {
            return Err(AppError::field(ErrorCode::InvalidInput, "items"));
        }
        // A new item cannot be anyone's predecessor yet; id 0 never matches a stored item.
        let fields = apply_patch(None, patch, &items, 0)?;
        check_item_window(&fields, project.start)?;
        let id = self
            .store
            .add_item(project_id, &fields, p.user.id, self.clock.now())
            .await?;
        let item = to_item(id, fields, None);
        let mut all = items;
        all.push(item.clone());
        let conflicts = conflicts_after_move(&all, id, item.start, item.end);
        Ok(ItemSaved { item, conflicts })
    }

    /// Changes an item. Date changes that break a dependency are saved and reported back as
    /// conflicts (the chart warns; the plan is never silently rearranged).
    pub async fn update_item(
        &self,
        p: &Principal,
        project_id: i64,
        item_id: i64,
        patch: &ItemPatch,
    ) -> Result<ItemSaved, AppError> {
        staff_only(p)?;
        let project = self.visible(p, project_id).await?;
        let items = self.items(project_id).await?;
        let current = items
            .iter()
            .find(|i| i.id == item_id)
            .cloned()
            .ok_or(ErrorCode::NotFound)?;
        let fields = apply_patch(Some(&current), patch, &items, item_id)?;
        check_item_window(&fields, project.start)?;
        let changes = describe(&current, &fields);
        if !changes.is_empty() {
            self.store
                .update_item(
                    project_id,
                    item_id,
                    &fields,
                    p.user.id,
                    &changes,
                    self.clock.now(),
                )
                .await?;
        }
        let item = to_item(item_id, fields, Some(&current));
        let all: Vec<PlanItem> = items
            .into_iter()
            .map(|i| if i.id == item_id { item.clone() } else { i })
            .collect();
        let conflicts = conflicts_after_move(&all, item_id, item.start, item.end);
        Ok(ItemSaved { item, conflicts })
    }

    /// Saves the current plan as the baseline later deviations are measured against.
    pub async fn save_baseline(
        &self,
        p: &Principal,
        project_id: i64,
    ) -> Result<ProjectSummary, AppError> {
        staff_only(p)?;
        self.visible(p, project_id).await?;
        self.store
            .save_baseline(project_id, p.user.id, self.clock.now())
            .await?;
        let row = self.store.project(project_id).await?;
        let items = self.items(project_id).await?;
        Ok(summary(row, &items, today_cr(self.clock.now())))
    }

    /// A comment on an item, by staff or a customer of the project's organisation.
    pub async fn comment(
        &self,
        p: &Principal,
        project_id: i64,
        item_id: i64,
        body: &str,
    ) -> Result<ItemComment, AppError> {
        self.visible(p, project_id).await?;
        let body = body.trim();
        if body.is_empty() {
            return Err(AppError::field(ErrorCode::BodyRequired, "body"));
        }
        if body.chars().count() > MAX_COMMENT_CHARS {
            return Err(AppError::field(ErrorCode::MessageTooLong, "body"));
        }
        if !self
            .items(project_id)
            .await?
            .iter()
            .any(|i| i.id == item_id)
        {
            return Err(ErrorCode::NotFound.into());
        }
        Ok(self
            .store
            .add_comment(project_id, item_id, p.user.id, body, self.clock.now())
            .await?)
    }

    /// Demo data: creates `demo` for the organisation named `org_name` unless it has projects
    /// already, saves the baseline, then applies the later changes so deviations show.
    pub async fn seed_demo(
        &self,
        org_name: &str,
        actor: i64,
        lead: Option<i64>,
        demo: &[DemoProject],
    ) -> Result<usize, AppError> {
        let Some(org_id) = self.accounts.find_org_by_name(org_name).await? else {
            return Ok(0);
        };
        if self.org_has_projects(org_id).await? {
            return Ok(0);
        }
        let now = self.clock.now();
        for project in demo {
            let fields = ProjectFields {
                org_id,
                name: project.name.to_owned(),
                description: project.description.to_owned(),
                status: ProjectStatus::Active,
                start: project.start,
                target_end: project.target_end,
                lead_id: lead,
            };
            let id = self.store.create_project(&fields, actor, now).await?;
            let mut ids: Vec<i64> = Vec::with_capacity(project.items.len());
            for (fields, deps) in &project.items {
                let mut fields = fields.clone();
                fields.depends_on = deps.iter().filter_map(|d| ids.get(*d).copied()).collect();
                ids.push(self.store.add_item(id, &fields, actor, now).await?);
            }
            self.store.save_baseline(id, actor, now).await?;
            for (index, patch) in &project.later {
                let Some(item_id) = ids.get(*index).copied() else {
                    continue;
                };
                let items = self.items(id).await?;
                let Some(current) = items.iter().find(|i| i.id == item_id).cloned() else {
                    continue;
                };
                let fields = apply_patch(Some(&current), patch, &items, item_id)?;
                let changes = describe(&current, &fields);
                self.store
                    .update_item(id, item_id, &fields, actor, &changes, now)
                    .await?;
            }
        }
        Ok(demo.len())
    }

    /// Whether an organisation already has projects (demo seeding runs once).
    pub async fn org_has_projects(&self, org_id: i64) -> Result<bool, AppError> {
        Ok(!self.store.list_projects(Some(org_id)).await?.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: i64, deps: &[i64]) -> PlanItem {
        let d = |day| NaiveDate::from_ymd_opt(2026, 3, day).unwrap_or_default();
        PlanItem {
            id,
            kind: ItemKind::Activity,
            name: format!("A{id}"),
            phase: String::new(),
            start: d(2),
            end: d(6),
            progress: 40,
            state: ItemState::InProgress,
            blocked_reason: None,
            owner: None,
            baseline_start: None,
            baseline_end: None,
            depends_on: deps.to_vec(),
        }
    }

    fn patch() -> ItemPatch {
        ItemPatch::default()
    }

    #[test]
    fn new_items_need_a_name_and_dates() {
        let err = apply_patch(None, &patch(), &[], 0).unwrap_err();
        assert_eq!(err.code, ErrorCode::NameRequired);
        let p = ItemPatch {
            name: Some("Diseño".into()),
            start: Some("2026-03-10".into()),
            end: Some("2026-03-09".into()),
            ..patch()
        };
        let err = apply_patch(None, &p, &[], 0).unwrap_err();
        assert_eq!(err.code, ErrorCode::DateRangeInvalid);
        let p = ItemPatch {
            end: Some("10/03/2026".into()),
            ..p
        };
        assert_eq!(
            apply_patch(None, &p, &[], 0).unwrap_err().code,
            ErrorCode::DateInvalid
        );
    }

    #[test]
    fn milestones_are_one_day_and_done_means_complete() {
        let p = ItemPatch {
            kind: Some("milestone".into()),
            name: Some("Go-live".into()),
            start: Some("2026-01-01".into()),
            end: Some("2026-03-20".into()),
            state: Some("done".into()),
            ..patch()
        };
        let f = apply_patch(None, &p, &[], 0).unwrap();
        assert_eq!(f.start, f.end);
        assert_eq!(f.progress, 100);
    }

    #[test]
    fn blocking_needs_a_reason_and_unblocking_clears_it() {
        let current = item(1, &[]);
        let block = ItemPatch {
            state: Some("blocked".into()),
            ..patch()
        };
        assert_eq!(
            apply_patch(Some(&current), &block, std::slice::from_ref(&current), 1)
                .unwrap_err()
                .code,
            ErrorCode::ReasonRequired
        );
        let block = ItemPatch {
            blocked_reason: Some("Esperando credenciales".into()),
            ..block
        };
        let f = apply_patch(Some(&current), &block, std::slice::from_ref(&current), 1).unwrap();
        assert_eq!(f.blocked_reason.as_deref(), Some("Esperando credenciales"));
        let mut blocked = current.clone();
        blocked.state = ItemState::Blocked;
        blocked.blocked_reason = f.blocked_reason;
        let resume = ItemPatch {
            state: Some("in_progress".into()),
            ..patch()
        };
        let f = apply_patch(Some(&blocked), &resume, &[blocked.clone()], 1).unwrap();
        assert_eq!(f.blocked_reason, None);
    }

    #[test]
    fn dependencies_must_exist_and_not_loop() {
        let items = vec![item(1, &[]), item(2, &[1])];
        let on = |deps: Vec<i64>| ItemPatch {
            depends_on: Some(deps),
            ..patch()
        };
        assert_eq!(
            apply_patch(Some(&items[0]), &on(vec![2]), &items, 1)
                .unwrap_err()
                .code,
            ErrorCode::DependencyInvalid
        );
        assert_eq!(
            apply_patch(Some(&items[0]), &on(vec![99]), &items, 1)
                .unwrap_err()
                .code,
            ErrorCode::DependencyInvalid
        );
        let f = apply_patch(Some(&items[1]), &on(vec![1, 1]), &items, 2).unwrap();
        assert_eq!(f.depends_on, vec![1]);
        let progress = ItemPatch {
            progress: Some(101),
            ..patch()
        };
        assert_eq!(
            apply_patch(Some(&items[0]), &progress, &items, 1)
                .unwrap_err()
                .code,
            ErrorCode::ProgressInvalid
        );
    }

    #[test]
    fn the_change_log_names_what_changed() {
        let before = item(1, &[]);
        let mut after =
            apply_patch(Some(&before), &patch(), std::slice::from_ref(&before), 1).unwrap();
        assert!(describe(&before, &after).is_empty());
        after.end += Duration::days(2);
        after.progress = 60;
        let log = describe(&before, &after);
        let actions: Vec<_> = log.iter().map(|c| c.action).collect();
        assert_eq!(actions, [ChangeAction::Dates, ChangeAction::Progress]);
        assert_eq!(log[0].before, "2026-03-02/2026-03-06");
        assert_eq!(log[0].after, "2026-03-02/2026-03-08");
    }
}
