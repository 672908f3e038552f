//! What a Commerce Hub refund answer means. Declines arrive as 2xx: the outcome is decided from
//! `processorResponseDetails` (`approvalStatus`, `responseCode`) and `transactionState`, never from
//! the HTTP status; `WAITING` is pending, not failed.

use super::wire::{ApprovalStatus, RefundResponse, TransactionState};
use crate::server::gateways::Outcome;

/// The response codes taken to mean "the card's account is invalid or closed", which alone permit an
/// unmatched refund to another card (reference §11: the project's reading; Fiserv publishes none).
pub const CLOSED_ACCOUNT_CODES: [&str; 10] = [
    "025", "026", "028", "030", "031", "051", "052", "053", "14", "324",
];

/// The outcome a refund answer reports, and its response code.
pub fn outcome(response: &RefundResponse, requested: i64) -> (Outcome, Option<String>) {
    let details = response
        .payment_receipt
        .as_ref()
        .and_then(|r| r.processor_response_details.clone())
        .unwrap_or_default();
    let code = details.response_code.clone();
    let text = details
        .response_message
        .clone()
        .or(details.host_response_message.clone());
    let approved = response
        .payment_receipt
        .as_ref()
        .and_then(|r| r.approved_amount.as_ref())
        .map(|a| a.total.0);
    let state = response.gateway_response.transaction_state;
    let outcome = match (details.approval_status, state) {
        (Some(ApprovalStatus::Waiting), _) => Outcome::InProgress,
        (Some(ApprovalStatus::Declined), _) | (_, Some(TransactionState::Declined)) => {
            Outcome::Declined {
                response_code: None,
                text,
            }
        }
        (Some(ApprovalStatus::ProcessingFailed | ApprovalStatus::ValidationFailed), _) => {
            Outcome::Failed {
                result_code: None,
                text,
            }
        }
        (
            Some(ApprovalStatus::Approved),
            Some(TransactionState::Authorized | TransactionState::Captured),
        ) if code.as_deref() == Some("000") => Outcome::Approved {
            approved: approved.or(Some(requested)),
            requested: Some(requested),
        },
        _ => Outcome::Unknown,
    };
    (outcome, code)
}

/// Whether a declined tagged refund's code says the account is invalid or closed (`codes`: the
/// configured list, [`CLOSED_ACCOUNT_CODES`] by default).
pub fn permits_unmatched_refund(code: Option<&str>, codes: &[String]) -> bool {
    code.is_some_and(|code| codes.iter().any(|c| c == code))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(state: &str, status: &str, code: &str, total: &str) -> RefundResponse {
        serde_json::from_str(&format!(
            r#"{{"gatewayResponse":{{"transactionType":"REFUND","transactionState":"{state}"}},
                "paymentReceipt":{{"approvedAmount":{{"total":{total},"currency":"USD"}},
                "processorResponseDetails":{{"approvalStatus":"{status}","responseCode":"{code}","responseMessage":"M"}}}}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn a_2xx_is_decided_from_its_details() {
        assert_eq!(
            outcome(&answer("AUTHORIZED", "APPROVED", "000", "12.04"), 1204).0,
            Outcome::Approved {
                approved: Some(1204),
                requested: Some(1204)
            }
        );
        let (declined, code) = outcome(&answer("DECLINED", "DECLINED", "030", "0"), 1204);
        assert!(matches!(declined, Outcome::Declined { .. }));
        let defaults: Vec<String> = CLOSED_ACCOUNT_CODES.iter().map(|c| c.to_string()).collect();
        assert!(permits_unmatched_refund(code.as_deref(), &defaults));
        assert!(
            !permits_unmatched_refund(Some("005"), &defaults),
            "do not honor is not a closed account"
        );
        assert_eq!(
            outcome(&answer("AUTHORIZED", "WAITING", "000", "0"), 1204).0,
            Outcome::InProgress
        );
        assert!(matches!(
            outcome(&answer("CHECKED", "PROCESSING_FAILED", "500", "0"), 1204).0,
            Outcome::Failed { .. }
        ));
        assert_eq!(
            outcome(&answer("AUTHORIZED", "APPROVED", "001", "12.04"), 1204).0,
            Outcome::Unknown,
            "approved needs 000"
        );
        assert_eq!(
            outcome(&answer("SOMETHING_NEW", "NEW_STATUS", "000", "12.04"), 1204).0,
            Outcome::Unknown
        );
    }
}
