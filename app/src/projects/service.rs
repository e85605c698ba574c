//! Project use cases: who sees which project, validating plan changes, the change log,
//! baselines and comments.

use super::command::{CommentBody, SaveProject};
use super::store::{ItemFields, NewChange, ProjectFields, ProjectRow, ProjectStore};
use super::{
    ChangeAction, ItemComment, ItemPatch, ItemSaved, ProjectList, ProjectPage, ProjectSummary,
};
use crate::accounts::service::Principal;
use crate::accounts::store::AccountStore;
use crate::domain::project::{
    conflicts_after_move, creates_cycle, item_window, project_figures, ItemKind, ItemState,
    PlanItem, ProjectStatus,
};
use crate::domain::{Role, COSTA_RICA};
use crate::error::{AppError, ErrorCode};
use crate::kernel::Clock;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::sync::Arc;

mod items;
use items::{apply_patch, check_item_window, describe, to_item};

const MAX_PHASE_CHARS: usize = 80;
const MAX_OWNER_CHARS: usize = 120;
const MAX_REASON_CHARS: usize = 500;
/// Items one project may hold (keeps pages and charts fast).
pub const MAX_ITEMS: usize = 500;

/// Today in Costa Rica.
pub fn today_cr(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&COSTA_RICA).date_naive()
}

fn staff_only(p: &Principal) -> Result<(), AppError> {
    p.require(&[Role::Agent, Role::Admin])
}

fn optional_text(raw: &str, max: usize, field: &str) -> Result<Option<String>, AppError> {
    crate::kernel::text::optional(raw, max, ErrorCode::InvalidInput, field)
}

use super::command::parse_date as date;

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

    /// The command's fields once the database agrees: the organisation exists and the lead is
    /// staff.
    async fn fields(&self, cmd: SaveProject) -> Result<ProjectFields, AppError> {
        if self.accounts.get_org(cmd.org_id).await?.is_none() {
            return Err(AppError::field(ErrorCode::OrgRequired, "org_id"));
        }
        if let Some(lead) = cmd.lead_id {
            let user = self.accounts.get_user(lead).await?;
            if !user.is_some_and(|u| matches!(u.role, Role::Agent | Role::Admin)) {
                return Err(AppError::field(ErrorCode::AssigneeInvalid, "lead_id"));
            }
        }
        Ok(ProjectFields {
            org_id: cmd.org_id,
            name: cmd.name.into_inner(),
            description: cmd.description.into_inner(),
            status: cmd.status,
            start: cmd.start,
            target_end: cmd.target_end,
            lead_id: cmd.lead_id,
        })
    }

    pub async fn create(
        &self,
        p: &Principal,
        cmd: SaveProject,
    ) -> Result<ProjectSummary, AppError> {
        staff_only(p)?;
        let fields = self.fields(cmd).await?;
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
        cmd: SaveProject,
    ) -> Result<ProjectSummary, AppError> {
        staff_only(p)?;
        let before = self.visible(p, id).await?;
        // A project never changes organisation: its customers' comments stay theirs.
        let cmd = SaveProject {
            org_id: before.org_id,
            ..cmd
        };
        let fields = self.fields(cmd).await?;
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
        body: CommentBody,
    ) -> Result<ItemComment, AppError> {
        self.visible(p, project_id).await?;
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
            .add_comment(
                project_id,
                item_id,
                p.user.id,
                body.as_str(),
                self.clock.now(),
            )
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
