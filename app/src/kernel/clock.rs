//! The time services see. Production reads the system clock; tests hold a [`ManualClock`] and
//! move it instead of sleeping.

use chrono::{DateTime, Duration, Utc};
use std::sync::{Arc, Mutex};

/// A source of the current time, cheap to clone into every service.
#[derive(Clone)]
pub struct Clock(Source);

#[derive(Clone)]
enum Source {
    System,
    Manual(ManualClock),
}

impl Clock {
    /// The system's clock.
    pub fn system() -> Clock {
        Clock(Source::System)
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            Source::System => Utc::now(),
            Source::Manual(manual) => manual.now(),
        }
    }
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Source::System => f.write_str("Clock::system"),
            Source::Manual(m) => write!(f, "Clock::manual({})", m.now()),
        }
    }
}

/// A clock that stands still until a test moves it. Every [`Clock`] made from it (and every
/// clone) sees the same time.
#[derive(Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn starting_at(at: DateTime<Utc>) -> ManualClock {
        ManualClock(Arc::new(Mutex::new(at)))
    }

    pub fn now(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = at;
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }

    /// A [`Clock`] reading this one.
    pub fn clock(&self) -> Clock {
        Clock(Source::Manual(self.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_all_its_readers_agree() {
        let start = DateTime::parse_from_rfc3339("2026-03-02T14:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        let manual = ManualClock::starting_at(start);
        let (a, b) = (manual.clock(), manual.clock().clone());
        assert_eq!(a.now(), start);
        manual.advance(Duration::minutes(90));
        assert_eq!(a.now(), start + Duration::minutes(90));
        assert_eq!(b.now(), a.now());
        manual.set(start);
        assert_eq!(b.now(), start);
    }

    #[test]
    fn the_system_clock_follows_real_time() {
        let before = Utc::now();
        let read = Clock::system().now();
        assert!(read >= before && read <= Utc::now());
    }
}
