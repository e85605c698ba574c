//! The rules of a project's plan items, without I/O: applying an edit (or building a new item)
//! and validating it against the rest of the plan, the window around the project's start, and
//! the change log's wording. The service loads and stores; these decide.

use super::*;
use crate::projects::command::ProjectName;

/// Refuses item dates outside the window around the project's start ([`item_window`]).
pub(super) fn check_item_window(
    fields: &ItemFields,
    project_start: NaiveDate,
) -> Result<(), AppError> {
    let (first, last) = item_window(project_start);
    if fields.start < first || fields.start > last {
        return Err(AppError::field(ErrorCode::DateOutOfRange, "start"));
    }
    if fields.end < first || fields.end > last {
        return Err(AppError::field(ErrorCode::DateOutOfRange, "end"));
    }
    Ok(())
}

/// Applies `patch` to `current` (or builds a new item from it) and validates the result
/// against the rest of the plan.
pub(super) fn apply_patch(
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
        (Some(n), _) => ProjectName::parse(n)?.into_inner(),
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
pub(super) fn describe(before: &PlanItem, after: &ItemFields) -> Vec<NewChange> {
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

pub(super) fn to_item(id: i64, f: ItemFields, baseline: Option<&PlanItem>) -> PlanItem {
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
