//! What a link's attempts mean for its status: an approval anywhere wins, then a submission in
//! flight, then the link's expiry — once no session of it can still be used — then the latest
//! attempt. Pure.

use crate::model::{AttemptState, CheckoutStatus};

/// The link's status from its attempts (newest first) and whether its time is up. An approval
/// anywhere wins, whatever order the gateway's messages arrived in. A link whose time is up is
/// `expired` only when every session of it is proven unused (or ended): one that may still be paid
/// keeps it open.
pub fn checkout_status(
    attempts_newest_first: &[AttemptState],
    link_expired: bool,
) -> CheckoutStatus {
    if attempts_newest_first.contains(&AttemptState::Approved) {
        return CheckoutStatus::Authorized;
    }
    if attempts_newest_first.contains(&AttemptState::Submitted) {
        return CheckoutStatus::Processing;
    }
    if link_expired && !attempts_newest_first.iter().any(|a| may_still_be_used(*a)) {
        return CheckoutStatus::Expired;
    }
    match attempts_newest_first.first() {
        Some(AttemptState::Declined) => CheckoutStatus::Declined,
        Some(AttemptState::Failed) => CheckoutStatus::Failed,
        _ => CheckoutStatus::Open,
    }
}

/// A session in this state could still be paid: its expiry is not proven yet.
pub fn may_still_be_used(state: AttemptState) -> bool {
    matches!(
        state,
        AttemptState::Creating
            | AttemptState::Open
            | AttemptState::Replaced
            | AttemptState::Submitted
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expired_link_stays_open_while_a_session_may_still_be_paid() {
        use AttemptState::*;
        assert_eq!(checkout_status(&[Open], true), CheckoutStatus::Open);
        assert_eq!(
            checkout_status(&[Replaced, Expired], true),
            CheckoutStatus::Open
        );
        assert_eq!(
            checkout_status(&[Expired, Expired], true),
            CheckoutStatus::Expired
        );
        assert_eq!(
            checkout_status(&[Declined, Abandoned], true),
            CheckoutStatus::Expired
        );
        assert_eq!(checkout_status(&[], true), CheckoutStatus::Expired);
    }

    #[test]
    fn approval_wins_regardless_of_order() {
        use AttemptState::*;
        // A late decline of attempt 1 arriving after attempt 2 was approved changes nothing.
        assert_eq!(
            checkout_status(&[Approved, Declined], false),
            CheckoutStatus::Authorized
        );
        assert_eq!(
            checkout_status(&[Declined, Approved], false),
            CheckoutStatus::Authorized
        );
        assert_eq!(
            checkout_status(&[Approved], true),
            CheckoutStatus::Authorized
        );
    }

    #[test]
    fn latest_attempt_decides_otherwise() {
        use AttemptState::*;
        assert_eq!(checkout_status(&[], false), CheckoutStatus::Open);
        assert_eq!(
            checkout_status(&[Declined], false),
            CheckoutStatus::Declined
        );
        assert_eq!(
            checkout_status(&[Open, Declined], false),
            CheckoutStatus::Open
        );
        assert_eq!(
            checkout_status(&[Failed, Expired], false),
            CheckoutStatus::Failed
        );
        assert_eq!(
            checkout_status(&[Submitted], true),
            CheckoutStatus::Processing
        );
        assert_eq!(checkout_status(&[Declined], true), CheckoutStatus::Expired);
    }
}
