//! The business calendar behind every deadline: holidays by year and the admins' changes.

use super::*;

impl Tickets {
    /// The calendar the engine uses: legal holidays by rule plus the admin's changes.
    pub async fn calendar(&self) -> Result<Calendar, AppError> {
        let changes = self.store.calendar_changes().await?;
        let added: Vec<NaiveDate> = changes
            .iter()
            .filter(|c| c.day_off)
            .map(|c| c.day)
            .collect();
        let removed: Vec<NaiveDate> = changes
            .iter()
            .filter(|c| !c.day_off)
            .map(|c| c.day)
            .collect();
        Ok(Calendar::costa_rica(&added, &removed))
    }

    pub async fn calendar_changes(
        &self,
        principal: &Principal,
    ) -> Result<Vec<CalendarChange>, AppError> {
        principal.require(&[Role::Admin, Role::Agent])?;
        Ok(self.store.calendar_changes().await?)
    }

    /// Admin: make `day` a day off (extra) or a working day (removing a legal holiday), or undo.
    pub async fn change_calendar(
        &self,
        principal: &Principal,
        day: &str,
        action: &str,
        label: &str,
    ) -> Result<(), AppError> {
        principal.require(&[Role::Admin])?;
        let day = NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::field(ErrorCode::DateInvalid, "day"))?;
        match action {
            "off" | "on" => {
                let change = CalendarChange {
                    day,
                    day_off: action == "off",
                    label: label.trim().chars().take(120).collect(),
                };
                self.store
                    .put_calendar_change(&change, self.clock.now())
                    .await?;
            }
            "reset" => self.store.delete_calendar_change(day).await?,
            _ => return Err(AppError::field(ErrorCode::InvalidInput, "action")),
        }
        Ok(())
    }

    /// The year's days off as the engine sees them, with the admin's changes marked.
    pub async fn calendar_year(
        &self,
        principal: &Principal,
        year: i32,
    ) -> Result<Vec<CalendarDay>, AppError> {
        principal.require(&[Role::Admin, Role::Agent])?;
        if !(2000..=2100).contains(&year) {
            return Err(AppError::field(ErrorCode::DateInvalid, "year"));
        }
        let changes = self.store.calendar_changes().await?;
        let mut days: Vec<CalendarDay> = legal_holidays(year)
            .into_iter()
            .map(|(date, kind)| CalendarDay {
                date,
                legal: Some(kind),
                changed_to_off: None,
                label: String::new(),
                off: true,
            })
            .collect();
        for change in changes
            .into_iter()
            .filter(|c| chrono::Datelike::year(&c.day) == year)
        {
            match days.iter_mut().find(|d| d.date == change.day) {
                Some(day) => {
                    day.changed_to_off = Some(change.day_off);
                    day.label = change.label;
                    day.off = change.day_off;
                }
                None => days.push(CalendarDay {
                    date: change.day,
                    legal: None,
                    changed_to_off: Some(change.day_off),
                    label: change.label,
                    off: change.day_off,
                }),
            }
        }
        days.sort_by_key(|d| d.date);
        Ok(days)
    }
}
