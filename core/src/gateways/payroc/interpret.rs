//! What a Payroc refund means in the shared vocabulary. Approval is read from `transactionResult`
//! (`responseCode` A/P, or an approved status), never from the instruction's `completed` alone.

use super::wire::{Refund, ResultStatus};
use crate::gateways::Outcome;

/// The outcome a refund reports.
pub fn outcome(refund: &Refund) -> Outcome {
    let result = &refund.transaction_result;
    let text = result
        .response_message
        .clone()
        .map(|m| format!("{} ({})", m, result.response_code));
    let approved = result.authorized_amount.map(i64::abs);
    let requested = refund.order.amount;
    // The status decides (Payroc's spec, transactionResult.status): a success status is read with
    // its response code; any other is final whatever the code says, or not confirmed yet.
    match result.status {
        ResultStatus::Ready | ResultStatus::Pending | ResultStatus::Complete => {
            match result.response_code.as_str() {
                "P" => Outcome::PartiallyApproved { approved, text },
                // A decline or error code beside a success status contradicts itself: look again.
                "D" | "R" | "C" | "E" => Outcome::Unknown,
                _ => Outcome::Approved {
                    approved,
                    requested,
                },
            }
        }
        ResultStatus::Declined | ResultStatus::Referral | ResultStatus::Pickup => {
            Outcome::Declined {
                response_code: None,
                text: text.or_else(|| Some(format!("declined ({})", result.response_code))),
            }
        }
        // Cancelled and removed from the batch, or never settled: no money moved.
        ResultStatus::Reversal | ResultStatus::Expired => Outcome::Failed {
            result_code: None,
            text,
        },
        // Under review, "in progress with the processor but we can't confirm the result yet", or a
        // status paydesk does not know: not final, looked up again.
        ResultStatus::Admin | ResultStatus::Accepted | ResultStatus::Unknown => Outcome::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refund(code: &str, status: &str, amount: i64) -> Refund {
        serde_json::from_value(serde_json::json!({
            "refundId": "CD3HN88U9F", "processingTerminalId": "1234001",
            "order": {"orderId": "O-1", "amount": 4999, "currency": "USD"},
            "transactionResult": {"type": "refund", "status": status, "authorizedAmount": amount,
                "currency": "USD", "responseCode": code, "responseMessage": "OK5"}
        }))
        .unwrap()
    }

    #[test]
    fn approval_comes_from_the_transaction_result() {
        assert_eq!(
            outcome(&refund("A", "ready", -4999)),
            Outcome::Approved {
                approved: Some(4999),
                requested: Some(4999)
            }
        );
        assert!(matches!(
            outcome(&refund("D", "declined", 0)),
            Outcome::Declined { .. }
        ));
        assert!(matches!(
            outcome(&refund("R", "referral", 0)),
            Outcome::Declined { .. }
        ));
        assert!(matches!(
            outcome(&refund("P", "ready", -2000)),
            Outcome::PartiallyApproved {
                approved: Some(2000),
                ..
            }
        ));
        assert_eq!(outcome(&refund("E", "accepted", 0)), Outcome::Unknown);
        assert!(
            matches!(
                outcome(&refund("X", "complete", -4999)),
                Outcome::Approved { .. }
            ),
            "an approved status without A"
        );
        assert!(matches!(
            outcome(&refund("X", "reversal", 0)),
            Outcome::Failed { .. }
        ));
        assert_eq!(outcome(&refund("X", "admin", 0)), Outcome::Unknown);
        assert_eq!(outcome(&refund("X", "something-new", 0)), Outcome::Unknown);
    }

    /// The status wins over the response code: an `A` refund reversed, expired, under review or
    /// not yet confirmed (spec: "we can't confirm the result yet") is not an approval.
    #[test]
    fn an_approval_code_beside_a_status_that_is_not_a_success_is_not_an_approval() {
        assert!(matches!(
            outcome(&refund("A", "reversal", -4999)),
            Outcome::Failed { .. }
        ));
        assert!(matches!(
            outcome(&refund("A", "expired", -4999)),
            Outcome::Failed { .. }
        ));
        assert_eq!(outcome(&refund("A", "admin", -4999)), Outcome::Unknown);
        assert_eq!(outcome(&refund("A", "accepted", -4999)), Outcome::Unknown);
        assert!(matches!(
            outcome(&refund("A", "declined", 0)),
            Outcome::Declined { .. }
        ));
        assert_eq!(outcome(&refund("D", "ready", -4999)), Outcome::Unknown);
    }
}
