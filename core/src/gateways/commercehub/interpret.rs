//! What a Commerce Hub refund answer means. Declines arrive as 2xx: the outcome is decided from
//! `processorResponseDetails` (`approvalStatus`, `responseCode`) and `transactionState`, never from
//! the HTTP status; `WAITING` is pending, not failed.

use super::wire::{ApprovalStatus, RefundResponse, TransactionState};
use crate::gateways::Outcome;

/// The response codes taken to mean "the card's account is invalid or closed", which alone permit an
/// unmatched refund to another card (reference §11: the project's reading; Fiserv publishes none).
pub const CLOSED_ACCOUNT_CODES: [&str; 10] = [
    "025", "026", "028", "030", "031", "051", "052", "053", "14", "324",
];

/// The response codes of an approval: `000` in the response-code guide (which gives it for partial
/// approvals too), `00000` and `000000` in the spec's own examples (CH:9938).
pub const APPROVAL_CODES: [&str; 3] = ["000", "00000", "000000"];

/// What an approval for `approved` of `requested` minor units means: all of it (an answer without
/// an amount approves what was asked), part of it (a partial approval, booked as such), or — more
/// than was asked, or nothing — not something to book unseen: it stays unknown, its money held,
/// and is looked up again.
fn approval(approved: Option<i64>, requested: i64, text: Option<String>) -> Outcome {
    match approved {
        None => Outcome::Approved {
            approved: Some(requested),
            requested: Some(requested),
        },
        Some(approved) if approved == requested => Outcome::Approved {
            approved: Some(approved),
            requested: Some(requested),
        },
        Some(approved) if (1..requested).contains(&approved) => Outcome::PartiallyApproved {
            approved: Some(approved),
            text,
        },
        Some(approved) => {
            tracing::error!(
                approved,
                requested,
                "Commerce Hub approved a refund for an amount paydesk did not ask for: left for review"
            );
            Outcome::Unknown
        }
    }
}

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
        ) if code.as_deref().is_some_and(|c| APPROVAL_CODES.contains(&c)) => {
            approval(approved, requested, text)
        }
        _ => Outcome::Unknown,
    };
    (outcome, code)
}

/// The outcome a cancel answer reports, and its response code: read as a refund's, except that the
/// state of an approved cancel is the original's (`AUTHORIZED` in the spec's own example, CH:6935)
/// or `VOIDED`.
pub fn cancel_outcome(response: &RefundResponse, requested: i64) -> (Outcome, Option<String>) {
    let mut read = response.clone();
    if read.gateway_response.transaction_state == Some(TransactionState::Voided) {
        read.gateway_response.transaction_state = Some(TransactionState::Authorized);
    }
    outcome(&read, requested)
}

/// Whether an inquiry's answer is a cancel (or names no type: the transaction the request made).
pub fn is_cancel(response: &RefundResponse) -> bool {
    response
        .gateway_response
        .transaction_type
        .as_deref()
        .is_none_or(|kind| kind.eq_ignore_ascii_case("CANCEL"))
}

/// The minor units an answer says Commerce Hub paid out, whatever paydesk asked for — the
/// reconciliation report counts money, including an approval [`outcome`] leaves for review; `None`
/// when the answer does not say money moved.
pub fn paid_out(response: &RefundResponse, requested: i64) -> Option<i64> {
    settled_amount(response, requested, outcome)
}

/// The minor units an answer says a cancel released (as [`paid_out`] for a refund).
pub fn released(response: &RefundResponse, requested: i64) -> Option<i64> {
    settled_amount(response, requested, cancel_outcome)
}

fn settled_amount(
    response: &RefundResponse,
    requested: i64,
    read: fn(&RefundResponse, i64) -> (Outcome, Option<String>),
) -> Option<i64> {
    let approved = response
        .payment_receipt
        .as_ref()
        .and_then(|r| r.approved_amount.as_ref())
        .map(|a| a.total.0)
        .unwrap_or(requested);
    match read(response, approved).0 {
        Outcome::Approved { approved, .. } | Outcome::PartiallyApproved { approved, .. } => {
            approved
        }
        _ => None,
    }
}

/// Whether an inquiry's answer is a refund: an inquiry by paydesk's own request id should find
/// only the refund that request made, but an answer about another transaction (the spec's own
/// inquiry examples describe a `CHARGE`) must never be read as the refund's result. An answer that
/// names no type is taken as the transaction the request made.
pub fn is_refund(response: &RefundResponse) -> bool {
    response
        .gateway_response
        .transaction_type
        .as_deref()
        .is_none_or(|kind| kind.eq_ignore_ascii_case("REFUND"))
}

/// Whether a declined tagged refund's code says the account is invalid or closed (`codes`: the
/// configured list, [`CLOSED_ACCOUNT_CODES`] by default).
pub fn permits_unmatched_refund(code: Option<&str>, codes: &[String]) -> bool {
    code.is_some_and(|code| codes.iter().any(|c| c == code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_refund_or_an_untyped_answer_is_read_as_the_refund() {
        let typed = |kind: Option<&str>| -> RefundResponse {
            let mut answer = answer("CAPTURED", "APPROVED", "000", "6.90");
            answer.gateway_response.transaction_type = kind.map(str::to_string);
            answer
        };
        assert!(is_refund(&typed(Some("REFUND"))));
        assert!(is_refund(&typed(Some("refund"))));
        assert!(is_refund(&typed(None)));
        assert!(!is_refund(&typed(Some("CHARGE"))));
        assert!(!is_refund(&typed(Some("CANCEL"))));
    }

    #[test]
    fn a_cancel_is_approved_in_the_originals_state_or_voided_and_a_refund_never_voided() {
        let approved = Outcome::Approved {
            approved: Some(1204),
            requested: Some(1204),
        };
        for state in ["AUTHORIZED", "VOIDED"] {
            let mut cancel = answer(state, "APPROVED", "000", "12.04");
            cancel.gateway_response.transaction_type = Some("CANCEL".into());
            assert!(is_cancel(&cancel) && !is_refund(&cancel));
            assert_eq!(cancel_outcome(&cancel, 1204).0, approved, "{state}");
            assert_eq!(released(&cancel, 1204), Some(1204));
        }
        let voided_refund = answer("VOIDED", "APPROVED", "000", "12.04");
        assert_eq!(outcome(&voided_refund, 1204).0, Outcome::Unknown);
        assert!(!is_cancel(&voided_refund));
    }

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

    #[test]
    fn every_documented_approval_code_approves() {
        for code in ["000", "00000", "000000"] {
            assert_eq!(
                outcome(&answer("CAPTURED", "APPROVED", code, "12.04"), 1204).0,
                Outcome::Approved {
                    approved: Some(1204),
                    requested: Some(1204)
                },
                "{code}"
            );
        }
        assert_eq!(
            outcome(&answer("CAPTURED", "APPROVED", "000000", "\"12.04\""), 1204).0,
            Outcome::Approved {
                approved: Some(1204),
                requested: Some(1204)
            },
            "a string amount"
        );
    }

    #[test]
    fn an_amount_other_than_the_one_asked_is_never_a_full_approval() {
        assert_eq!(
            outcome(&answer("CAPTURED", "APPROVED", "000", "4.00"), 1204).0,
            Outcome::PartiallyApproved {
                approved: Some(400),
                text: Some("M".into())
            }
        );
        for more_or_nothing in ["12.05", "0", "690"] {
            let answer = answer("CAPTURED", "APPROVED", "000", more_or_nothing);
            assert_eq!(
                outcome(&answer, 1204).0,
                Outcome::Unknown,
                "{more_or_nothing}"
            );
            // The reconciliation report still counts what moved.
            let moved = super::super::amount::parse_decimal(more_or_nothing).unwrap();
            assert_eq!(paid_out(&answer, 1204), Some(moved), "{more_or_nothing}");
        }
        assert_eq!(
            paid_out(&answer("DECLINED", "DECLINED", "030", "0"), 1204),
            None
        );
    }
}
