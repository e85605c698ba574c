//! An admin's adjustment of an organisation's hour bank, parsed once from the form (a direction
//! and a duration as people type it) or from JSON (signed minutes). Whether a withdrawal fits
//! the balance needs the ledger: the service checks.

use crate::domain::change::parse_duration;
use crate::domain::hours::MAX_ADJUST_MINUTES;
use crate::error::{AppError, ErrorCode};
use crate::kernel::text::bounded_text;

bounded_text!(
    /// Why the hours were adjusted, kept in the ledger for the customer to read.
    AdjustReason { max: 500, required: true, code: ReasonMissing, field: "reason" }
);

/// Credit (positive minutes, valid `validity_months`, 12 by default) or withdraw (negative).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustHours {
    pub minutes: i64,
    pub reason: AdjustReason,
    pub validity_months: u32,
}

impl AdjustHours {
    /// From JSON: signed minutes, `minutes_field` naming the field that carried them.
    pub fn parse(
        minutes: i64,
        reason: &str,
        validity_months: Option<u32>,
    ) -> Result<Self, AppError> {
        Self::checked(minutes, "minutes", reason, validity_months)
    }

    /// From the form: `credit` or `debit`, a duration such as `1:30` or `2 h`, and the months
    /// as typed (empty means 12).
    pub fn parse_form(
        direction: &str,
        amount: &str,
        reason: &str,
        validity_months: &str,
    ) -> Result<Self, AppError> {
        let minutes = parse_duration(amount)
            .ok_or_else(|| AppError::field(ErrorCode::MinutesInvalid, "amount"))?;
        let signed = match direction.trim() {
            "credit" => minutes,
            "debit" => -minutes,
            _ => return Err(AppError::field(ErrorCode::InvalidInput, "direction")),
        };
        let months = match validity_months.trim() {
            "" => None,
            raw => Some(
                raw.parse::<u32>()
                    .map_err(|_| AppError::field(ErrorCode::InvalidInput, "validity_months"))?,
            ),
        };
        Self::checked(signed, "amount", reason, months)
    }

    fn checked(
        minutes: i64,
        minutes_field: &str,
        reason: &str,
        validity_months: Option<u32>,
    ) -> Result<Self, AppError> {
        if minutes == 0 || minutes.abs() > MAX_ADJUST_MINUTES {
            return Err(AppError::field(ErrorCode::MinutesInvalid, minutes_field));
        }
        let validity_months = validity_months.unwrap_or(12);
        if !(1..=60).contains(&validity_months) {
            return Err(AppError::field(ErrorCode::InvalidInput, "validity_months"));
        }
        Ok(AdjustHours {
            minutes,
            reason: AdjustReason::parse(reason)?,
            validity_months,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(result: Result<AdjustHours, AppError>) -> (ErrorCode, Option<String>) {
        let e = result.expect_err("refused");
        (e.code, e.field)
    }

    #[test]
    fn the_form_reads_a_direction_and_a_typed_duration() {
        let credit = AdjustHours::parse_form("credit", "1:30", " Cortesía ", "").expect("valid");
        assert_eq!(
            (
                credit.minutes,
                credit.reason.as_str(),
                credit.validity_months
            ),
            (90, "Cortesía", 12)
        );
        let debit = AdjustHours::parse_form("debit", "2 h", "Corrección", "6").expect("valid");
        assert_eq!((debit.minutes, debit.validity_months), (-120, 6));
        assert_eq!(
            field(AdjustHours::parse_form("credit", "mucho", "x", "")),
            (ErrorCode::MinutesInvalid, Some("amount".into()))
        );
        assert_eq!(
            field(AdjustHours::parse_form("gift", "1", "x", "")),
            (ErrorCode::InvalidInput, Some("direction".into()))
        );
        assert_eq!(
            field(AdjustHours::parse_form("credit", "1", "x", "doce")),
            (ErrorCode::InvalidInput, Some("validity_months".into()))
        );
    }

    #[test]
    fn json_minutes_need_a_reason_and_stay_within_bounds() {
        assert_eq!(
            AdjustHours::parse(-45, "Ajuste", None).map(|a| a.minutes),
            Ok(-45)
        );
        assert_eq!(
            field(AdjustHours::parse(0, "Ajuste", None)),
            (ErrorCode::MinutesInvalid, Some("minutes".into()))
        );
        assert_eq!(
            field(AdjustHours::parse(MAX_ADJUST_MINUTES + 1, "Ajuste", None)),
            (ErrorCode::MinutesInvalid, Some("minutes".into()))
        );
        assert_eq!(
            field(AdjustHours::parse(60, "   ", None)),
            (ErrorCode::ReasonMissing, Some("reason".into()))
        );
        assert_eq!(
            field(AdjustHours::parse(60, "Ajuste", Some(61))),
            (ErrorCode::InvalidInput, Some("validity_months".into()))
        );
    }
}
