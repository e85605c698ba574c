//! What people ask of change requests, parsed once from form input (see `tickets::command`).
//! Rules that need the request's state, the hour bank or the date of today stay in the service.

use crate::domain::change::{parse_duration, Risk, MAX_MINUTES};
use crate::error::{AppError, ErrorCode};
use crate::kernel::text::bounded_text;
use chrono::NaiveDate;

const MAX_TEXT: usize = 10_000;
const MAX_REASON: usize = 2_000;

bounded_text!(
    /// A change request's title.
    ChangeTitle { max: 150, required: true, code: TitleRequired, field: "title" }
);
bounded_text!(
    /// What the customer wants changed.
    ChangeDescription { max: MAX_TEXT, required: true, code: BodyRequired, too_long: MessageTooLong, field: "description" }
);
bounded_text!(
    /// The agent's description of the work an estimate covers (optional).
    Scope { max: MAX_TEXT, required: false, code: MessageTooLong, field: "scope" }
);
bounded_text!(
    /// What a logged stretch of work did.
    WorkNote { max: MAX_TEXT, required: true, code: BodyRequired, too_long: MessageTooLong, field: "note" }
);
bounded_text!(
    /// Why a request is rejected or reopened.
    Reason { max: MAX_REASON, required: true, code: ReasonMissing, too_long: MessageTooLong, field: "reason" }
);
bounded_text!(
    /// Why a customer declines an estimate (optional).
    DeclineReason { max: MAX_REASON, required: false, code: MessageTooLong, field: "reason" }
);
bounded_text!(
    /// The closing summary of finished work (optional).
    FinishSummary { max: MAX_TEXT, required: false, code: MessageTooLong, field: "summary" }
);

/// `YYYY-MM-DD`, or nothing when blank.
fn optional_date(text: Option<&str>, field: &str) -> Result<Option<NaiveDate>, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::field(ErrorCode::DateInvalid, field)),
    }
}

/// Work time as it arrived: typed by a person in a form, or whole minutes from the API.
#[derive(Debug, Clone, Copy)]
pub enum TimeInput<'a> {
    Typed(&'a str),
    Minutes(i64),
}

impl TimeInput<'_> {
    /// Whole minutes; unreadable typed text names `field`.
    fn minutes(self, field: &str) -> Result<i64, AppError> {
        match self {
            TimeInput::Typed(text) => work_minutes(text, field),
            TimeInput::Minutes(minutes) => checked_minutes(minutes),
        }
    }
}

/// A duration typed as `1:30`, `1,5` (hours) or `45 min`: unreadable text names `field`, a
/// duration out of range (none, or above the cap) names `minutes`.
pub fn work_minutes(text: &str, field: &str) -> Result<i64, AppError> {
    let minutes =
        parse_duration(text).ok_or_else(|| AppError::field(ErrorCode::MinutesInvalid, field))?;
    checked_minutes(minutes)
}

/// Minutes within (0, [`MAX_MINUTES`]].
pub fn checked_minutes(minutes: i64) -> Result<i64, AppError> {
    if minutes <= 0 || minutes > MAX_MINUTES {
        return Err(AppError::field(ErrorCode::MinutesInvalid, "minutes"));
    }
    Ok(minutes)
}

/// The customer's form as it arrived.
#[derive(Debug, Clone, Copy)]
pub struct SubmitChangeInput<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub project_id: Option<i64>,
    pub desired_date: Option<&'a str>,
}

/// A project chosen in the form (blank for none).
pub fn form_project_id(raw: Option<&str>) -> Result<Option<i64>, AppError> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(id) => id
            .parse()
            .map(Some)
            .map_err(|_| AppError::field(ErrorCode::InvalidInput, "project_id")),
    }
}

/// A customer asks for a change, optionally for one of their projects and by a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitChange {
    pub title: ChangeTitle,
    pub description: ChangeDescription,
    pub project_id: Option<i64>,
    pub desired_date: Option<NaiveDate>,
}

impl TryFrom<SubmitChangeInput<'_>> for SubmitChange {
    type Error = AppError;

    fn try_from(input: SubmitChangeInput<'_>) -> Result<Self, AppError> {
        let title = ChangeTitle::parse(input.title)?;
        let description = ChangeDescription::parse(input.description)?;
        Ok(SubmitChange {
            title,
            description,
            project_id: input.project_id,
            desired_date: optional_date(input.desired_date, "desired_date")?,
        })
    }
}

/// An agent's assessment as it arrived.
#[derive(Debug, Clone, Copy)]
pub struct EstimateInput<'a> {
    pub estimate: TimeInput<'a>,
    pub risk: &'a str,
    pub planned_for: Option<&'a str>,
    pub scope: &'a str,
}

/// An agent estimates a request: effort, risk, when it is planned and what it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    pub minutes: i64,
    pub risk: Risk,
    pub planned_for: Option<NaiveDate>,
    pub scope: Scope,
}

impl TryFrom<EstimateInput<'_>> for Estimate {
    type Error = AppError;

    fn try_from(input: EstimateInput<'_>) -> Result<Self, AppError> {
        let minutes = input.estimate.minutes("estimate")?;
        let risk = Risk::parse(input.risk)
            .ok_or_else(|| AppError::field(ErrorCode::RiskInvalid, "risk"))?;
        Ok(Estimate {
            minutes,
            risk,
            planned_for: optional_date(input.planned_for, "planned_for")?,
            scope: Scope::parse(input.scope)?,
        })
    }
}

/// An agent logs a stretch of work against a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogWork {
    pub minutes: i64,
    pub note: WorkNote,
}

impl LogWork {
    pub fn parse(time: TimeInput<'_>, note: &str) -> Result<Self, AppError> {
        Ok(LogWork {
            minutes: time.minutes("time")?,
            note: WorkNote::parse(note)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_and_field(e: AppError) -> (ErrorCode, Option<String>) {
        (e.code, e.field)
    }

    #[test]
    fn a_submission_parses_or_names_its_field() {
        let input = SubmitChangeInput {
            title: " Nueva VPN ",
            description: "Para 5 usuarios",
            project_id: None,
            desired_date: Some("2026-12-20"),
        };
        let change = SubmitChange::try_from(input).expect("valid");
        assert_eq!(change.title.as_str(), "Nueva VPN");
        assert_eq!(change.project_id, None);
        assert_eq!(change.desired_date, NaiveDate::from_ymd_opt(2026, 12, 20));
        assert_eq!(form_project_id(Some(" ")), Ok(None));
        assert_eq!(form_project_id(Some("7")), Ok(Some(7)));
        assert_eq!(
            form_project_id(Some("7x")).map_err(code_and_field),
            Err((ErrorCode::InvalidInput, Some("project_id".into())))
        );
        let bad_date = SubmitChangeInput {
            desired_date: Some("20/12/2026"),
            ..input
        };
        assert_eq!(
            code_and_field(SubmitChange::try_from(bad_date).expect_err("date")),
            (ErrorCode::DateInvalid, Some("desired_date".into()))
        );
        let long = "x".repeat(MAX_TEXT + 1);
        let too_long = SubmitChangeInput {
            description: &long,
            ..input
        };
        assert_eq!(
            code_and_field(SubmitChange::try_from(too_long).expect_err("long")),
            (ErrorCode::MessageTooLong, Some("description".into()))
        );
        let empty = SubmitChangeInput {
            description: " ",
            ..input
        };
        assert_eq!(
            SubmitChange::try_from(empty).map_err(|e| e.code),
            Err(ErrorCode::BodyRequired)
        );
    }

    #[test]
    fn estimates_and_work_check_their_durations() {
        let input = EstimateInput {
            estimate: TimeInput::Typed("2:30"),
            risk: "medio",
            planned_for: None,
            scope: "",
        };
        let estimate = Estimate::try_from(input).expect("valid");
        assert_eq!((estimate.minutes, estimate.risk), (150, Risk::Medium));
        let unreadable = EstimateInput {
            estimate: TimeInput::Typed("mucho"),
            ..input
        };
        assert_eq!(
            code_and_field(Estimate::try_from(unreadable).expect_err("unreadable")),
            (ErrorCode::MinutesInvalid, Some("estimate".into()))
        );
        let huge = EstimateInput {
            estimate: TimeInput::Minutes(0),
            ..input
        };
        assert_eq!(
            code_and_field(Estimate::try_from(huge).expect_err("above the cap")),
            (ErrorCode::MinutesInvalid, Some("minutes".into()))
        );
        let risky = EstimateInput {
            risk: "extremo",
            ..input
        };
        assert_eq!(
            Estimate::try_from(risky).map_err(|e| e.code),
            Err(ErrorCode::RiskInvalid)
        );
        assert_eq!(
            LogWork::parse(TimeInput::Typed("0:45"), " Configuré ").map(|w| w.minutes),
            Ok(45)
        );
        assert_eq!(
            LogWork::parse(TimeInput::Minutes(45), " ").map_err(code_and_field),
            Err((ErrorCode::BodyRequired, Some("note".into())))
        );
        assert_eq!(
            LogWork::parse(TimeInput::Typed("300:00"), "x").map_err(code_and_field),
            Err((ErrorCode::MinutesInvalid, Some("minutes".into())))
        );
        assert_eq!(
            Reason::parse("").map_err(|e| e.code),
            Err(ErrorCode::ReasonMissing)
        );
    }
}
