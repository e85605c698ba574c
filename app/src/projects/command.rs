//! What staff ask of projects, parsed once from form or JSON input.
//!
//! The project form and `POST /api/v1/projects` fill a [`ProjectInput`] with what arrived and
//! turn it into a [`SaveProject`] with `TryFrom`; comments become a [`CommentBody`]. Checks that
//! need the database (the organisation exists, the lead is staff) stay in the service.

use super::ProjectInput;
use crate::domain::project::{
    project_dates_in_range, ProjectStatus, FIRST_PROJECT_YEAR, LAST_PROJECT_YEAR,
};
use crate::error::{AppError, ErrorCode};
use crate::kernel::text::bounded_text;
use chrono::{Datelike, NaiveDate};

bounded_text!(
    /// A project's (or plan item's) name.
    ProjectName { max: 200, required: true, code: NameRequired, field: "name" }
);
bounded_text!(
    /// What a project is about (may be empty).
    ProjectDescription { max: 5_000, required: false, code: InvalidInput, field: "description" }
);
bounded_text!(
    /// A comment on a plan item.
    CommentBody { max: 4_000, required: true, code: BodyRequired, too_long: MessageTooLong, field: "body" }
);

/// A date typed as `YYYY-MM-DD` in `field`.
pub fn parse_date(raw: &str, field: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field(ErrorCode::DateInvalid, field))
}

/// The lead picked in a form: blank is nobody; anything but a number is refused (it was once
/// silently dropped).
pub fn parse_lead(raw: Option<&str>) -> Result<Option<i64>, AppError> {
    match raw.map(str::trim).filter(|l| !l.is_empty()) {
        None => Ok(None),
        Some(l) => l
            .parse()
            .map(Some)
            .map_err(|_| AppError::field(ErrorCode::AssigneeInvalid, "lead_id")),
    }
}

/// A project created or changed: dates in order and within the years the plan can show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveProject {
    pub org_id: i64,
    pub name: ProjectName,
    pub description: ProjectDescription,
    pub status: ProjectStatus,
    pub start: NaiveDate,
    pub target_end: NaiveDate,
    pub lead_id: Option<i64>,
}

impl TryFrom<&ProjectInput> for SaveProject {
    type Error = AppError;

    fn try_from(input: &ProjectInput) -> Result<Self, AppError> {
        let name = ProjectName::parse(&input.name)?;
        let description = ProjectDescription::parse(&input.description)?;
        let status = match input.status.trim() {
            "" => ProjectStatus::Planned,
            code => code
                .parse()
                .map_err(|_| AppError::field(ErrorCode::StatusInvalid, "status"))?,
        };
        let start = parse_date(&input.start, "start")?;
        let target_end = parse_date(&input.target_end, "target_end")?;
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
        Ok(SaveProject {
            org_id: input.org_id,
            name,
            description,
            status,
            start,
            target_end,
            lead_id: input.lead_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(start: &str, end: &str) -> ProjectInput {
        ProjectInput {
            org_id: 1,
            name: "  Migración ".into(),
            description: String::new(),
            status: String::new(),
            start: start.into(),
            target_end: end.into(),
            lead_id: None,
        }
    }

    fn refusal(input: &ProjectInput) -> (ErrorCode, Option<String>) {
        let e = SaveProject::try_from(input).expect_err("refused");
        (e.code, e.field)
    }

    #[test]
    fn parses_once_with_defaults() {
        let p = SaveProject::try_from(&input("2026-01-05", "2026-03-01")).expect("valid");
        assert_eq!(p.name.as_str(), "Migración");
        assert_eq!(p.status, ProjectStatus::Planned);
        assert_eq!(p.description.as_str(), "");
    }

    #[test]
    fn refuses_each_field_by_name() {
        let backwards = input("2026-03-01", "2026-01-05");
        assert_eq!(
            refusal(&backwards),
            (ErrorCode::DateRangeInvalid, Some("target_end".into()))
        );
        let bad_date = input("5/1/2026", "2026-01-05");
        assert_eq!(
            refusal(&bad_date),
            (ErrorCode::DateInvalid, Some("start".into()))
        );
        let far = input("1990-01-01", "1990-02-01");
        assert_eq!(
            refusal(&far),
            (ErrorCode::DateOutOfRange, Some("start".into()))
        );
        let mut status = input("2026-01-05", "2026-03-01");
        status.status = "finished?".into();
        assert_eq!(
            refusal(&status),
            (ErrorCode::StatusInvalid, Some("status".into()))
        );
        let mut unnamed = input("2026-01-05", "2026-03-01");
        unnamed.name = " \0 ".into();
        assert_eq!(
            refusal(&unnamed),
            (ErrorCode::NameRequired, Some("name".into()))
        );
    }

    #[test]
    fn a_lead_that_is_not_a_number_is_refused_not_dropped() {
        assert_eq!(parse_lead(None), Ok(None));
        assert_eq!(parse_lead(Some(" ")), Ok(None));
        assert_eq!(parse_lead(Some("7")), Ok(Some(7)));
        assert_eq!(
            parse_lead(Some("siete")).map_err(|e| e.field),
            Err(Some("lead_id".into()))
        );
    }

    #[test]
    fn comments_say_when_they_are_too_long() {
        assert_eq!(
            CommentBody::parse(" Listo ").map(|c| c.into_inner()),
            Ok("Listo".into())
        );
        let long = "a".repeat(CommentBody::MAX_CHARS + 1);
        assert_eq!(
            CommentBody::parse(&long).map_err(|e| e.code),
            Err(ErrorCode::MessageTooLong)
        );
    }
}
