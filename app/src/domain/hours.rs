//! Hour packages and the hour bank: prices in whole cents, time in whole minutes, purchases that
//! expire, and debits that consume the purchase expiring first. Pure rules shared by the browser
//! and the server; the ledger itself is append-only in the database.

use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};

/// A package in the store catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Stable code, e.g. `sc-basico`.
    pub code: String,
    pub name: String,
    pub hours: u32,
    /// US dollars in cents: never floats.
    pub price_cents: i64,
    pub validity_months: u32,
    pub active: bool,
}

impl Package {
    pub fn minutes(&self) -> i64 {
        i64::from(self.hours) * 60
    }

    /// Price per hour in cents, rounded half up (US$2,450 / 30 h = 8,167 ¢ = US$81.67).
    pub fn price_per_hour_cents(&self) -> i64 {
        if self.hours == 0 {
            return 0;
        }
        let hours = i64::from(self.hours);
        (self.price_cents * 2 + hours) / (hours * 2)
    }
}

/// The service model's catalog: SC Básico 10 h US$900, SC Medio 20 h US$1,700, SC Avanzado
/// 30 h US$2,450, each valid 12 months.
pub fn default_catalog() -> Vec<Package> {
    let package = |code: &str, name: &str, hours, price_cents| Package {
        code: code.to_owned(),
        name: name.to_owned(),
        hours,
        price_cents,
        validity_months: 12,
        active: true,
    };
    vec![
        package("sc-basico", "SC Básico", 10, 90_000),
        package("sc-medio", "SC Medio", 20, 170_000),
        package("sc-avanzado", "SC Avanzado", 30, 245_000),
    ]
}

/// `US$2,450` or `US$81.67` (cents shown only when there are any).
pub fn format_usd(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let dollars = (cents / 100).to_string();
    let mut grouped = String::with_capacity(dollars.len() + dollars.len() / 3);
    for (i, c) in dollars.chars().enumerate() {
        if i > 0 && (dollars.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match cents % 100 {
        0 => format!("{sign}US${grouped}"),
        rest => format!("{sign}US${grouped}.{rest:02}"),
    }
}

/// Reads a US dollar amount typed by an admin (`2450`, `2,450.50`, `US$900`) as cents.
pub fn parse_usd_cents(text: &str) -> Option<i64> {
    let t: String = text
        .trim()
        .trim_start_matches("US$")
        .trim_start_matches('$')
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let cents: i64 = format!("{frac:0<2}").parse().ok()?;
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)
}

/// `12 h 30 min`, `45 min`, `10 h`.
pub fn format_minutes(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let m = minutes.unsigned_abs();
    match (m / 60, m % 60) {
        (0, rest) => format!("{sign}{rest} min"),
        (h, 0) => format!("{sign}{h} h"),
        (h, rest) => format!("{sign}{h} h {rest} min"),
    }
}

/// When a purchase paid at `paid_at` stops being usable.
pub fn expiry(paid_at: DateTime<Utc>, validity_months: u32) -> DateTime<Utc> {
    paid_at
        .checked_add_months(Months::new(validity_months))
        .unwrap_or(paid_at)
}

/// What is left of one purchase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lot {
    /// The purchase's ledger credit.
    pub credit_id: i64,
    /// Minutes credited.
    pub minutes: i64,
    pub remaining_minutes: i64,
    pub expires_at: DateTime<Utc>,
}

impl Lot {
    pub fn usable(&self, now: DateTime<Utc>) -> bool {
        self.remaining_minutes > 0 && self.expires_at > now
    }
}

/// Minutes usable now across all purchases.
pub fn balance(lots: &[Lot], now: DateTime<Utc>) -> i64 {
    lots.iter()
        .filter(|l| l.usable(now))
        .map(|l| l.remaining_minutes)
        .sum()
}

/// A debit could not be covered: how many minutes are available.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortfall {
    pub available: i64,
}

/// Splits a debit of `minutes` over the purchases, the one expiring first first (ties: the
/// older credit). Nothing is taken unless the whole debit fits.
pub fn allocate(
    lots: &[Lot],
    minutes: i64,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, i64)>, Shortfall> {
    let available = balance(lots, now);
    if minutes <= 0 || minutes > available {
        return Err(Shortfall { available });
    }
    let mut usable: Vec<&Lot> = lots.iter().filter(|l| l.usable(now)).collect();
    usable.sort_by_key(|l| (l.expires_at, l.credit_id));
    let mut left = minutes;
    let mut parts = Vec::new();
    for lot in usable {
        if left == 0 {
            break;
        }
        let take = left.min(lot.remaining_minutes);
        parts.push((lot.credit_id, take));
        left -= take;
    }
    Ok(parts)
}

/// Largest admin adjustment at once: 1,000 hours.
pub const MAX_ADJUST_MINUTES: i64 = 1_000 * 60;

/// Days before expiry when customers are warned.
pub const EXPIRY_WARNING_DAYS: i64 = 30;
/// Share of the purchased minutes under which the balance is low.
pub const LOW_BALANCE_PERCENT: i64 = 20;

/// The balance is under 20 % of the minutes credited by the purchases still valid.
pub fn is_low(lots: &[Lot], now: DateTime<Utc>) -> bool {
    let credited: i64 = lots
        .iter()
        .filter(|l| l.expires_at > now)
        .map(|l| l.minutes)
        .sum();
    credited > 0 && balance(lots, now) * 100 < credited * LOW_BALANCE_PERCENT
}

/// A purchase with hours left that expires within 30 days.
pub fn expires_soon(lot: &Lot, now: DateTime<Utc>) -> bool {
    lot.usable(now) && lot.expires_at - now <= chrono::Duration::days(EXPIRY_WARNING_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    fn lot(id: i64, minutes: i64, expires: DateTime<Utc>) -> Lot {
        Lot {
            credit_id: id,
            minutes: 600,
            remaining_minutes: minutes,
            expires_at: expires,
        }
    }

    #[test]
    fn catalog_prices_per_hour() {
        let per_hour: Vec<i64> = default_catalog()
            .iter()
            .map(Package::price_per_hour_cents)
            .collect();
        assert_eq!(per_hour, [9_000, 8_500, 8_167]);
        assert_eq!(format_usd(245_000), "US$2,450");
        assert_eq!(format_usd(8_167), "US$81.67");
        assert_eq!(format_usd(90_000), "US$900");
        assert_eq!(format_usd(123_456_789), "US$1,234,567.89");
        assert_eq!(format_usd(-5), "-US$0.05");
    }

    #[test]
    fn admins_type_prices_in_dollars() {
        assert_eq!(parse_usd_cents("2450"), Some(245_000));
        assert_eq!(parse_usd_cents("US$2,450.5"), Some(245_050));
        assert_eq!(parse_usd_cents("$900.05"), Some(90_005));
        assert_eq!(parse_usd_cents("9.999"), None);
        assert_eq!(parse_usd_cents("-5"), None);
        assert_eq!(parse_usd_cents(""), None);
    }

    #[test]
    fn minutes_read_as_hours() {
        assert_eq!(format_minutes(600), "10 h");
        assert_eq!(format_minutes(750), "12 h 30 min");
        assert_eq!(format_minutes(45), "45 min");
        assert_eq!(format_minutes(-90), "-1 h 30 min");
    }

    #[test]
    fn purchases_last_twelve_months() {
        assert_eq!(expiry(at(2026, 11, 26), 12), at(2027, 11, 26));
        // The end of a short month stays in that month.
        assert_eq!(expiry(at(2027, 1, 31), 1), at(2027, 2, 28));
    }

    #[test]
    fn debits_take_the_purchase_expiring_first() {
        let now = at(2026, 11, 26);
        let lots = [
            lot(1, 600, at(2027, 6, 1)),
            lot(2, 300, at(2027, 2, 1)),
            lot(3, 600, at(2026, 11, 1)), // expired: never used
        ];
        assert_eq!(balance(&lots, now), 900);
        assert_eq!(allocate(&lots, 120, now), Ok(vec![(2, 120)]));
        assert_eq!(allocate(&lots, 400, now), Ok(vec![(2, 300), (1, 100)]));
        assert_eq!(allocate(&lots, 901, now), Err(Shortfall { available: 900 }));
        assert_eq!(allocate(&lots, 0, now), Err(Shortfall { available: 900 }));
    }

    #[test]
    fn warnings_for_low_balance_and_near_expiry() {
        let now = at(2026, 11, 26);
        let lots = [lot(1, 119, at(2027, 6, 1))];
        assert!(is_low(&lots, now));
        assert!(!is_low(&[lot(1, 120, at(2027, 6, 1))], now));
        // Expired purchases neither count as bought nor as left.
        assert!(!is_low(
            &[lot(1, 120, at(2027, 6, 1)), lot(2, 0, at(2026, 1, 1))],
            now
        ));
        assert!(!is_low(&[], now));
        assert!(expires_soon(&lot(1, 10, at(2026, 12, 20)), now));
        assert!(!expires_soon(&lot(1, 10, at(2027, 1, 30)), now));
        assert!(!expires_soon(&lot(1, 0, at(2026, 12, 20)), now));
    }
}
