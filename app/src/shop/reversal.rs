//! What a card payment reversed in Stripe (a refund made in its dashboard, a dispute) does to
//! the hours it bought: the share of the purchase given back leaves the bank, never more than
//! what is still unspent; the rest is recorded as a shortfall for staff. A dispute won gives
//! the hours back. Pure arithmetic, so every case has a unit test.

/// The minutes of a purchase of `hours` that `reversed_cents` out of `price_cents` stand for.
/// Rounded down: a partial refund never takes more than its share; all of it takes everything.
pub fn minutes_reversed(hours: u32, price_cents: i64, reversed_cents: i64) -> i64 {
    let total = i64::from(hours) * 60;
    if price_cents <= 0 {
        return total;
    }
    let reversed = reversed_cents.clamp(0, price_cents);
    // i128: hours × 60 × cents cannot overflow.
    i64::try_from(i128::from(total) * i128::from(reversed) / i128::from(price_cents))
        .unwrap_or(total)
}

/// Where an order's reversed minutes stand: taken out of the bank, or owed (already spent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Withdrawn {
    /// Minutes a ledger entry took out of the bank.
    pub taken: i64,
    /// Minutes that should have been taken but were already spent.
    pub shortfall: i64,
}

/// What to do to reach a new reversed total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settlement {
    /// The ledger entry to write on the purchase's lot: negative takes hours out, positive
    /// gives them back, 0 writes nothing.
    pub ledger_minutes: i64,
    pub after: Withdrawn,
}

/// Moves `before` to `target` reversed minutes, taking out at most `unspent` minutes.
/// Going down (a dispute won) first forgives the shortfall, then gives taken minutes back.
pub fn settle(before: Withdrawn, target: i64, unspent: i64) -> Settlement {
    let target = target.max(0);
    let accounted = before.taken + before.shortfall;
    if target > accounted {
        let due = target - accounted;
        let take = due.min(unspent.max(0));
        Settlement {
            ledger_minutes: -take,
            after: Withdrawn {
                taken: before.taken + take,
                shortfall: before.shortfall + (due - take),
            },
        }
    } else {
        let give = accounted - target;
        let forgiven = give.min(before.shortfall);
        let back = (give - forgiven).min(before.taken);
        Settlement {
            ledger_minutes: back,
            after: Withdrawn {
                taken: before.taken - back,
                shortfall: before.shortfall - forgiven,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_round_down_and_the_whole_takes_everything() {
        assert_eq!(minutes_reversed(10, 90_000, 90_000), 600);
        assert_eq!(minutes_reversed(10, 90_000, 45_000), 300);
        assert_eq!(minutes_reversed(30, 245_000, 1), 0);
        assert_eq!(minutes_reversed(30, 245_000, 100_000), 734);
        assert_eq!(minutes_reversed(10, 90_000, 1_000_000), 600);
        assert_eq!(minutes_reversed(10, 90_000, -5), 0);
        assert_eq!(minutes_reversed(10, 0, 0), 600);
    }

    #[test]
    fn a_refund_takes_what_is_unspent_and_records_the_rest() {
        let s = settle(Withdrawn::default(), 600, 450);
        assert_eq!(s.ledger_minutes, -450);
        assert_eq!(
            s.after,
            Withdrawn {
                taken: 450,
                shortfall: 150
            }
        );
        // Nothing unspent: all of it is a shortfall, no ledger entry.
        let s = settle(Withdrawn::default(), 600, 0);
        assert_eq!(s.ledger_minutes, 0);
        assert_eq!(s.after.shortfall, 600);
        // A negative remainder (never expected) is treated as nothing unspent.
        assert_eq!(settle(Withdrawn::default(), 60, -30).ledger_minutes, 0);
    }

    #[test]
    fn partial_refunds_add_up_and_a_replay_changes_nothing() {
        let first = settle(Withdrawn::default(), 300, 600);
        assert_eq!(first.ledger_minutes, -300);
        let second = settle(first.after, 600, 300);
        assert_eq!(second.ledger_minutes, -300);
        assert_eq!(
            second.after,
            Withdrawn {
                taken: 600,
                shortfall: 0
            }
        );
        let again = settle(second.after, 600, 0);
        assert_eq!(again.ledger_minutes, 0);
        assert_eq!(again.after, second.after);
    }

    #[test]
    fn a_dispute_won_forgives_the_shortfall_then_gives_hours_back() {
        let held = Withdrawn {
            taken: 400,
            shortfall: 200,
        };
        let won = settle(held, 0, 0);
        assert_eq!(won.ledger_minutes, 400);
        assert_eq!(won.after, Withdrawn::default());
        // Only part given back: the shortfall goes first.
        let part = settle(held, 300, 0);
        assert_eq!(part.ledger_minutes, 100);
        assert_eq!(
            part.after,
            Withdrawn {
                taken: 300,
                shortfall: 0
            }
        );
    }
}
