//! What a gateway transaction means for paydesk's rows: the attempt state its outcome gives,
//! whether it holds money without paying, the outcome it settles an operation with, and the stored
//! record. Pure.

use serde_json::Value;

use crate::gateways::omni::interpret::{first_response_code, outcome};
use crate::gateways::omni::wire::Transaction;
use crate::gateways::Outcome;
use crate::model::{AttemptState, LinkKind, OperationState};
use crate::store::{OperationOutcome, TransactionRecord};

/// What an outcome says about the hosted-form attempt of a link of `kind` it belongs to. On a
/// payment link a partial approval does not pay the link: it counts as declined (and its money is
/// voided, see [`holds_money_without_paying`]). On a refund link it is money sent to the customer's
/// card — for less than asked, but sent: the link's payout, never a decline that would let another
/// card be paid.
pub fn attempt_state(outcome: &Outcome, kind: LinkKind) -> AttemptState {
    match outcome {
        Outcome::NotStarted => AttemptState::Open,
        Outcome::InProgress => AttemptState::Submitted,
        Outcome::Unknown => AttemptState::Submitted,
        Outcome::Approved { .. } if outcome.is_full_approval() => AttemptState::Approved,
        Outcome::Approved { .. } | Outcome::PartiallyApproved { .. }
            if kind == LinkKind::Refund && outcome.partially_approved_amount().is_some() =>
        {
            AttemptState::Approved
        }
        Outcome::Approved { .. } | Outcome::PartiallyApproved { .. } | Outcome::Declined { .. } => {
            AttemptState::Declined
        }
        Outcome::Failed { .. } => AttemptState::Failed,
    }
}

/// The attempt state a transaction reports for an attempt of a link of `kind`.
pub fn attempt_state_for(transaction: &Transaction, kind: LinkKind) -> AttemptState {
    attempt_state(&outcome(transaction), kind)
}

/// An attempt's transaction that approved some money but does not pay the link (a partial
/// approval): it must be voided, not left on the card.
pub fn holds_money_without_paying(transaction: &Transaction) -> bool {
    outcome(transaction).partially_approved_amount().is_some()
}

/// What a transaction means for the operation (capture, void, refund) that produced it; `None`
/// while it is not final.
pub fn operation_outcome(transaction: &Transaction) -> Option<OperationOutcome> {
    let (state, message) = match outcome(transaction) {
        Outcome::NotStarted | Outcome::InProgress | Outcome::Unknown => return None,
        // A capture or refund approved for part of its amount happened, for that part.
        Outcome::Approved { .. } | Outcome::PartiallyApproved { .. } => {
            (OperationState::Succeeded, None)
        }
        Outcome::Declined { text, .. } => (OperationState::Declined, text),
        Outcome::Failed { text, .. } => (OperationState::Rejected, text),
    };
    Some(OperationOutcome {
        state,
        transaction_id: Some(transaction.id.clone()),
        approved_amount: match state {
            OperationState::Succeeded => transaction.approved_amount.map(|a| a as i64),
            _ => Some(0),
        },
        response_code: first_response_code(transaction),
        message,
        next_check_at: None,
    })
}

/// The stored form of a gateway transaction of a link (and of one of its attempts, if it came from
/// a hosted form).
pub fn transaction_record(
    t: &Transaction,
    link_id: &str,
    attempt_id: Option<&str>,
    now: i64,
) -> TransactionRecord {
    let response = t.transaction_responses.first();
    let token = response.and_then(|r| r.payment_method.as_ref());
    TransactionRecord {
        id: t.id.clone(),
        checkout_id: Some(link_id.to_string()),
        attempt_id: attempt_id.map(str::to_string),
        kind: enum_text(&t.kind),
        status: enum_text(&t.status),
        reference_id: t.reference_id.clone(),
        result_code: t.result_code,
        response_code: first_response_code(t),
        requested_amount: t.requested_amount.map(|a| a as i64),
        approved_amount: t.approved_amount.map(|a| a as i64),
        card_type: response
            .and_then(|r| r.card_type.clone())
            .or_else(|| token.and_then(|p| p.card_type.clone()))
            .or_else(|| t.payment_method.as_ref().and_then(|p| p.card_type.clone())),
        masked_card: token
            .and_then(|p| p.masked_card_number.clone())
            .or_else(|| {
                t.payment_method
                    .as_ref()
                    .and_then(|p| p.masked_card_number.clone())
            }),
        auth_code: response.and_then(|r| r.auth_code.clone()),
        raw: serde_json::to_string(t).unwrap_or_default(),
        first_seen_at: now,
        updated_at: now,
    }
}

/// The gateway's spelling of an enum value (`Completed`, `Auth`, …).
fn enum_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        _ => "Unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateways::omni::wire::{sample_transaction as tx, TransactionStatus};

    #[test]
    fn gateway_results_map_to_attempt_states() {
        use AttemptState::*;
        use TransactionStatus as S;
        assert_eq!(
            attempt_state_for(&tx(S::Created, None, None), LinkKind::Payment),
            Open
        );
        assert_eq!(
            attempt_state_for(&tx(S::Pending, None, None), LinkKind::Payment),
            Submitted
        );
        assert_eq!(
            attempt_state_for(&tx(S::Completed, Some(0), Some(1)), LinkKind::Payment),
            Approved
        );
        assert_eq!(
            attempt_state_for(&tx(S::Completed, Some(0), Some(10)), LinkKind::Payment),
            Declined
        );
        assert_eq!(
            attempt_state_for(&tx(S::Completed, Some(0), Some(11)), LinkKind::Payment),
            Declined
        );
        assert_eq!(
            attempt_state_for(&tx(S::Completed, Some(3000), None), LinkKind::Payment),
            Failed
        );
        assert_eq!(
            attempt_state_for(&tx(S::Unknown, None, None), LinkKind::Payment),
            Submitted
        );
    }

    #[test]
    fn partial_approval_is_not_a_payment_and_holds_money() {
        let mut partial = tx(TransactionStatus::Completed, Some(0), Some(1));
        partial.approved_amount = Some(400);
        assert_eq!(
            attempt_state_for(&partial, LinkKind::Payment),
            AttemptState::Declined
        );
        // On a refund link the same answer is money sent: the link's payout, not a decline.
        assert_eq!(
            attempt_state_for(&partial, LinkKind::Refund),
            AttemptState::Approved
        );
        assert!(holds_money_without_paying(&partial));
        assert!(!holds_money_without_paying(&tx(
            TransactionStatus::Completed,
            Some(0),
            Some(1)
        )));
        assert!(!holds_money_without_paying(&tx(
            TransactionStatus::Completed,
            Some(0),
            Some(10)
        )));
    }

    #[test]
    fn unknown_answers_keep_attempts_processing_and_operations_open() {
        assert_eq!(
            attempt_state_for(
                &tx(TransactionStatus::Completed, Some(3010), None),
                LinkKind::Payment
            ),
            AttemptState::Submitted
        );
        assert_eq!(
            attempt_state_for(
                &tx(TransactionStatus::Completed, Some(9999), None),
                LinkKind::Payment
            ),
            AttemptState::Submitted
        );
        assert_eq!(
            attempt_state_for(
                &tx(TransactionStatus::Completed, Some(0), None),
                LinkKind::Payment
            ),
            AttemptState::Submitted
        );
        assert!(operation_outcome(&tx(TransactionStatus::Completed, Some(3010), None)).is_none());
        assert!(operation_outcome(&tx(TransactionStatus::Completed, Some(0), None)).is_none());
    }

    #[test]
    fn a_partially_approved_operation_is_booked_for_what_was_approved() {
        let mut partial = tx(TransactionStatus::Completed, Some(0), Some(2));
        partial.approved_amount = Some(400);
        let outcome = operation_outcome(&partial).unwrap();
        assert_eq!(
            (outcome.state, outcome.approved_amount),
            (OperationState::Succeeded, Some(400))
        );
    }

    #[test]
    fn operations_settle_only_on_final_answers() {
        let approved =
            operation_outcome(&tx(TransactionStatus::Completed, Some(0), Some(1))).unwrap();
        assert_eq!(
            (approved.state, approved.approved_amount),
            (OperationState::Succeeded, Some(1000))
        );
        let declined =
            operation_outcome(&tx(TransactionStatus::Completed, Some(0), Some(14))).unwrap();
        assert_eq!(
            (
                declined.state,
                declined.approved_amount,
                declined.response_code
            ),
            (OperationState::Declined, Some(0), Some(14))
        );
        let failed =
            operation_outcome(&tx(TransactionStatus::Completed, Some(3000), None)).unwrap();
        assert_eq!(failed.state, OperationState::Rejected);
        assert!(operation_outcome(&tx(TransactionStatus::Pending, None, None)).is_none());
    }
}
