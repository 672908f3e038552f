//! What a deployment allows of unbound payouts — refund links and device refunds not bound to a
//! payment, which pay whoever holds them — and whether one may go ahead or is refused. Pure.

use crate::model::Money;
use crate::payments::rules::ledger::Refusal;
use crate::state::PayoutLimits;

/// Unbound payouts of the same currency in the last 24 hours that may still pay (or paid).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecentPayouts {
    /// By the requester.
    pub by_requester: i64,
    /// By everyone.
    pub all: i64,
}

/// Whether an unbound payout of `amount` (minor units of `currency`) may be made, given what was
/// paid out recently. Refusals say the amounts as a person reads them.
pub fn decide(
    limits: &PayoutLimits,
    amount: i64,
    currency: &str,
    recent: RecentPayouts,
) -> Result<(), Refusal> {
    let shown = |minor: i64| {
        Money::from_stored(minor, currency)
            .map(|money| money.display())
            .unwrap_or_else(|| format!("{minor} (minor units of {currency})"))
    };
    if limits.forbidden {
        return Err(refuse(
            "unbound_payouts_forbidden",
            "This deployment allows no refund that is not bound to a payment: give checkoutId (the payment it returns).".into(),
        ));
    }
    if let Some(cap) = limits.per_payout.filter(|cap| amount > *cap) {
        return Err(refuse(
            "payout_over_limit",
            format!(
                "A refund not bound to a payment may be at most {}; this one is {}.",
                shown(cap),
                shown(amount)
            ),
        ));
    }
    if let Some(cap) = limits
        .per_requester_per_day
        .filter(|cap| recent.by_requester + amount > *cap)
    {
        return Err(refuse(
            "daily_payout_limit",
            format!(
                "You may pay out at most {} in refunds not bound to a payment in 24 hours; {} are already out or under way.",
                shown(cap),
                shown(recent.by_requester)
            ),
        ));
    }
    if let Some(cap) = limits.per_day.filter(|cap| recent.all + amount > *cap) {
        return Err(refuse(
            "daily_payout_limit",
            format!(
                "This deployment may pay out at most {} in refunds not bound to a payment in 24 hours; {} are already out or under way.",
                shown(cap),
                shown(recent.all)
            ),
        ));
    }
    Ok(())
}

/// Whether a payout of `amount` waits for a second staff member's approval before it exists.
pub fn needs_approval(limits: &PayoutLimits, amount: i64) -> bool {
    limits
        .approval_above
        .is_some_and(|threshold| amount > threshold)
}

fn refuse(code: &'static str, message: String) -> Refusal {
    Refusal { code, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> PayoutLimits {
        PayoutLimits {
            forbidden: false,
            per_payout: Some(50_000),
            per_requester_per_day: Some(80_000),
            per_day: Some(100_000),
            approval_above: Some(20_000),
        }
    }

    fn code(limits: &PayoutLimits, amount: i64, by_requester: i64, all: i64) -> &'static str {
        decide(limits, amount, "USD", RecentPayouts { by_requester, all })
            .map(|_| "ok")
            .unwrap_or_else(|r| r.code)
    }

    #[test]
    fn no_limits_allow_everything() {
        assert_eq!(
            code(&PayoutLimits::default(), 999_999_999, 1 << 40, 1 << 40),
            "ok"
        );
    }

    #[test]
    fn each_cap_refuses_with_its_code_at_one_unit_over() {
        let l = limits();
        assert_eq!(code(&l, 50_000, 0, 0), "ok");
        assert_eq!(code(&l, 50_001, 0, 0), "payout_over_limit");
        assert_eq!(code(&l, 10_000, 70_000, 70_000), "ok");
        assert_eq!(code(&l, 10_001, 70_000, 70_000), "daily_payout_limit");
        assert_eq!(code(&l, 10_000, 0, 90_000), "ok");
        assert_eq!(code(&l, 10_001, 0, 90_000), "daily_payout_limit");
        let forbidden = PayoutLimits {
            forbidden: true,
            ..PayoutLimits::default()
        };
        assert_eq!(code(&forbidden, 1, 0, 0), "unbound_payouts_forbidden");
    }

    #[test]
    fn refusals_say_amounts_as_people_read_them() {
        let refused = decide(&limits(), 50_001, "CAD", RecentPayouts::default()).unwrap_err();
        assert!(
            refused
                .message
                .contains("at most $500.00 CAD; this one is $500.01 CAD"),
            "{}",
            refused.message
        );
    }

    #[test]
    fn only_above_the_threshold_does_a_second_person_approve() {
        let l = limits();
        assert!(!needs_approval(&l, 20_000));
        assert!(needs_approval(&l, 20_001));
        assert!(!needs_approval(&PayoutLimits::default(), 999_999_999));
    }
}
