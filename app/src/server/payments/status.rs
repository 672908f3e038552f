//! What a link's attempts mean for its status: an approval anywhere wins, then a submission in
//! flight, then the link's expiry, then the latest attempt. Pure.

use crate::model::{AttemptState, CheckoutStatus};

/// The checkout's status from its attempts (newest first) and whether its link has expired.
/// An approval anywhere wins, whatever order the gateway's messages arrived in.
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
    if link_expired {
        return CheckoutStatus::Expired;
    }
    match attempts_newest_first.first() {
        Some(AttemptState::Declined) => CheckoutStatus::Declined,
        Some(AttemptState::Failed) => CheckoutStatus::Failed,
        _ => CheckoutStatus::Open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
