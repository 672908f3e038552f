//! What an Omni transaction means in the shared vocabulary: `status` first, then `resultCode`, then
//! the first `transactionResponses[].responseCode` (seed 001's rules).

use super::wire::{response_code, Transaction, TransactionStatus};
use crate::gateways::Outcome;

/// Result codes that do not say whether the transaction happened (seed 001): 3010 "took too long and
/// was cancelled by the application" and 9999 "an unknown error has occurred".
const UNKNOWN_RESULT_CODES: [i64; 2] = [3010, 9999];

/// The outcome a transaction reports.
pub fn outcome(transaction: &Transaction) -> Outcome {
    let response = first_response_code(transaction);
    let text = transaction
        .transaction_responses
        .iter()
        .find_map(|r| r.host_response_text.clone())
        .or_else(|| transaction.result_text.clone());
    match transaction.status {
        TransactionStatus::Created => Outcome::NotStarted,
        TransactionStatus::Pending | TransactionStatus::Processing | TransactionStatus::Unknown => {
            Outcome::InProgress
        }
        TransactionStatus::Declined => Outcome::Declined {
            response_code: response,
            text,
        },
        TransactionStatus::Completed => match (transaction.result_code, response) {
            (Some(0), Some(response_code::APPROVED)) => Outcome::Approved {
                approved: transaction.approved_amount.map(|a| a as i64),
                requested: transaction.requested_amount.map(|a| a as i64),
            },
            (Some(0), Some(response_code::PARTIAL_APPROVED)) => Outcome::PartiallyApproved {
                approved: transaction.approved_amount.map(|a| a as i64),
                text,
            },
            (Some(0), Some(code)) => Outcome::Declined {
                response_code: Some(code),
                text,
            },
            // Result 0 without any response proves neither an approval nor a decline.
            (Some(0), None) => Outcome::Unknown,
            (Some(code), _) if UNKNOWN_RESULT_CODES.contains(&code) => Outcome::Unknown,
            (result_code, _) => Outcome::Failed { result_code, text },
        },
    }
}

/// The first response code the transaction carries.
pub fn first_response_code(transaction: &Transaction) -> Option<i64> {
    transaction
        .transaction_responses
        .iter()
        .find_map(|r| r.response_code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateways::omni::wire::sample_transaction;

    fn tx(
        status: TransactionStatus,
        result: Option<i64>,
        response: Option<i64>,
        approved: Option<u64>,
    ) -> Transaction {
        Transaction {
            approved_amount: approved,
            ..sample_transaction(status, result, response)
        }
    }

    #[test]
    fn answers_that_do_not_know_are_unknown_not_failures() {
        use TransactionStatus as S;
        // 3010: timed out and cancelled by the application; 9999: unknown error — neither proves
        // that nothing happened. A completed transaction without any response proves nothing either.
        assert_eq!(
            outcome(&tx(S::Completed, Some(3010), None, None)),
            Outcome::Unknown
        );
        assert_eq!(
            outcome(&tx(S::Completed, Some(9999), None, None)),
            Outcome::Unknown
        );
        assert_eq!(
            outcome(&tx(S::Completed, Some(0), None, None)),
            Outcome::Unknown
        );
        assert!(matches!(
            outcome(&tx(S::Completed, Some(3002), None, None)),
            Outcome::Failed { .. }
        ));
    }

    #[test]
    fn statuses_results_and_responses_map_to_outcomes() {
        use TransactionStatus as S;
        assert_eq!(
            outcome(&tx(S::Created, None, None, None)),
            Outcome::NotStarted
        );
        assert_eq!(
            outcome(&tx(S::Pending, None, None, None)),
            Outcome::InProgress
        );
        assert_eq!(
            outcome(&tx(S::Unknown, None, None, None)),
            Outcome::InProgress
        );
        assert_eq!(
            outcome(&tx(S::Completed, Some(0), Some(1), Some(1000))),
            Outcome::Approved {
                approved: Some(1000),
                requested: Some(1000)
            }
        );
        assert_eq!(
            outcome(&tx(S::Completed, Some(0), Some(2), Some(400))),
            Outcome::PartiallyApproved {
                approved: Some(400),
                text: Some("TEXT".into())
            }
        );
        assert!(matches!(
            outcome(&tx(S::Completed, Some(0), Some(11), None)),
            Outcome::Declined {
                response_code: Some(11),
                ..
            }
        ));
        assert!(matches!(
            outcome(&tx(S::Completed, Some(3000), None, None)),
            Outcome::Failed {
                result_code: Some(3000),
                ..
            }
        ));
        assert!(matches!(
            outcome(&tx(S::Declined, Some(0), None, None)),
            Outcome::Declined {
                response_code: None,
                ..
            }
        ));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::gateways::omni::wire::WebhookEnvelope;
    use proptest::prelude::*;

    fn transaction_json() -> impl Strategy<Value = serde_json::Value> {
        (
            prop_oneof![
                Just("Completed".to_string()),
                Just("Declined".to_string()),
                Just("Pending".to_string()),
                Just("Created".to_string()),
                ".{0,12}",
            ],
            proptest::option::of(-10i64..10_000),
            proptest::collection::vec(proptest::option::of(-5i64..20), 0..3),
            proptest::option::of(any::<i32>()),
        )
            .prop_map(|(status, result_code, codes, approved)| {
                serde_json::json!({
                    "id": "trx_p", "type": "Auth", "status": status, "resultCode": result_code,
                    "approvedAmount": approved,
                    "transactionResponses": codes.iter().map(|c| serde_json::json!({"responseCode": c})).collect::<Vec<_>>(),
                })
            })
    }

    proptest! {
        /// Any bytes as a webhook body: parsing never panics.
        #[test]
        fn any_webhook_body_parses_or_is_refused(body in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = serde_json::from_slice::<WebhookEnvelope>(&body);
        }

        /// Whatever a transaction says, it is approved only when it completed with result 0 and
        /// response code 1 (seed 001): no other shape is ever read as money moved.
        #[test]
        fn approval_needs_the_documented_shape(json in transaction_json()) {
            let Ok(transaction) = serde_json::from_value::<Transaction>(json.clone()) else {
                return Ok(());
            };
            if let Outcome::Approved { .. } = outcome(&transaction) {
                prop_assert_eq!(json["status"].as_str(), Some("Completed"));
                prop_assert_eq!(json["resultCode"].as_i64(), Some(0));
                prop_assert_eq!(first_response_code(&transaction), Some(response_code::APPROVED));
            }
        }
    }
}
