use chrono::{DateTime, FixedOffset, Utc};

/// Costa Rica's offset: UTC−6 all year (no daylight saving since 1992). Times are stored in UTC
/// and shown in this zone. A fixed offset keeps the whole IANA database out of the WASM bundle.
pub const COSTA_RICA: FixedOffset = match FixedOffset::west_opt(6 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC-6 is a valid offset"),
};

/// Formats an instant as Costa Rica local time, e.g. `26/11/2026 08:05`.
pub fn format_cr(at: DateTime<Utc>) -> String {
    at.with_timezone(&COSTA_RICA)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn shows_costa_rica_time() {
        let at = Utc.with_ymd_and_hms(2026, 11, 26, 14, 5, 0).unwrap();
        assert_eq!(format_cr(at), "26/11/2026 08:05");
    }
}
