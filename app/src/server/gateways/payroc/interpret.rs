//! What a Payroc refund means in the shared vocabulary. Approval is read from `transactionResult`
//! (`responseCode` A/P, or an approved status), never from the instruction's `completed` alone.

use super::wire::{Refund, ResultStatus};
use crate::server::gateways::Outcome;

/// The outcome a refund reports.
pub fn outcome(refund: &Refund) -> Outcome {
    let result = &refund.transaction_result;
    let text = result
        .response_message
        .clone()
        .map(|m| format!("{} ({})", m, result.response_code));
    let approved = result.authorized_amount.map(i64::abs);
    let requested = refund.order.amount;
    match (result.response_code.as_str(), result.status) {
        ("P", _) => Outcome::PartiallyApproved { approved, text },
        ("A", _) => Outcome::Approved {
            approved,
            requested,
        },
        ("D" | "R" | "C", _) => Outcome::Declined {
            response_code: None,
            text: text.or_else(|| Some(format!("declined ({})", result.response_code))),
        },
        ("E", _) => Outcome::InProgress,
        (
            _,
            ResultStatus::Ready
            | ResultStatus::Pending
            | ResultStatus::Complete
            | ResultStatus::Accepted,
        ) => Outcome::Approved {
            approved,
            requested,
        },
        (_, ResultStatus::Declined | ResultStatus::Referral | ResultStatus::Pickup) => {
            Outcome::Declined {
                response_code: None,
                text,
            }
        }
        // Removed from the batch or never settled: no money moved.
        (_, ResultStatus::Reversal | ResultStatus::Expired) => Outcome::Failed {
            result_code: None,
            text,
        },
        (_, ResultStatus::Admin | ResultStatus::Unknown) => Outcome::Unknown,
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
        assert_eq!(outcome(&refund("E", "accepted", 0)), Outcome::InProgress);
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
}
