//! Finding a Commerce Hub refund request by the refund's own `merchantTransactionId`, which every
//! request of one paydesk refund carries: before a request is sent again under a new
//! `Client-Request-Id`, and when the inquiry by `Client-Request-Id` (`referenceClientRequestId`,
//! newer in the spec than in Fiserv's guides) fails. A request Commerce Hub recorded is never sent
//! twice because one way of asking missed it.

use crate::gateways::commercehub::interpret::{is_cancel, is_refund};
use crate::gateways::commercehub::wire::RefundResponse;
use crate::gateways::commercehub::CommerceHub;
use crate::model::RefundAttemptState;
use crate::store::RefundAttemptRecord;

/// What Commerce Hub holds under the refund's `merchantTransactionId` for one attempt.
#[derive(Debug)]
pub(in crate::payments) enum RecordedUnderRefund {
    /// The attempt's own answer (recorded under its id, or under an id it replaced: the same
    /// request).
    Answer(Box<RefundResponse>),
    /// A refund paydesk cannot match to a request of its own: nothing may be sent again.
    Unexplained(Option<String>),
    /// Nothing recorded for this attempt's request.
    Nothing,
}

/// Asks Commerce Hub what it recorded under `refund_id` (its `merchantTransactionId`) and reads it
/// for `attempt`, given every attempt of the refund. `None`: the inquiry failed (ask again later).
pub(in crate::payments) async fn recorded_under_refund(
    hub: &CommerceHub,
    refund_id: &str,
    attempt: &RefundAttemptRecord,
    attempts: &[RefundAttemptRecord],
) -> Option<RecordedUnderRefund> {
    match hub.client.inquire_merchant_transaction(refund_id).await {
        Ok(found) => Some(read_for_attempt(found, attempt, attempts)),
        Err(error) => {
            tracing::warn!(refund = %refund_id, %error, "inquiry by merchantTransactionId failed; trying again later");
            None
        }
    }
}

fn read_for_attempt(
    found: Vec<RefundResponse>,
    attempt: &RefundAttemptRecord,
    attempts: &[RefundAttemptRecord],
) -> RecordedUnderRefund {
    for refund in found.into_iter().filter(|r| is_refund(r) || is_cancel(r)) {
        let id = refund
            .gateway_response
            .transaction_processing_details
            .client_request_id
            .clone();
        let known = attempts
            .iter()
            .find(|a| Some(&a.client_request_id) == id.as_ref());
        match known {
            Some(a) if a.client_request_id == attempt.client_request_id => {
                return RecordedUnderRefund::Answer(Box::new(refund))
            }
            Some(a) if a.kind == attempt.kind && a.state == RefundAttemptState::Replaced => {
                return RecordedUnderRefund::Answer(Box::new(refund))
            }
            // Another request of this refund (e.g. the original card's, before a new card),
            // already read.
            Some(_) => continue,
            None => return RecordedUnderRefund::Unexplained(id),
        }
    }
    RecordedUnderRefund::Nothing
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RefundAttemptKind;

    fn attempt(
        id: &str,
        kind: RefundAttemptKind,
        state: RefundAttemptState,
    ) -> RefundAttemptRecord {
        RefundAttemptRecord {
            client_request_id: id.into(),
            refund_id: "rfd_1".into(),
            kind,
            body: "{}".into(),
            first_sent_at: 0,
            state,
            api_trace_id: None,
            created_at: 0,
            last_sent_at: Some(0),
            sends: 1,
        }
    }

    fn recorded(client_request_id: &str, kind: &str) -> RefundResponse {
        serde_json::from_value(serde_json::json!({
            "gatewayResponse": {"transactionType": kind, "transactionState": "CAPTURED",
                "transactionProcessingDetails": {"clientRequestId": client_request_id,
                    "transactionId": "84356531338"}}
        }))
        .unwrap()
    }

    #[test]
    fn a_request_is_matched_to_its_attempt_or_held_when_unexplained() {
        use RefundAttemptKind::Tagged;
        let current = attempt("new", Tagged, RefundAttemptState::Unknown);
        let replaced = attempt("old", Tagged, RefundAttemptState::Replaced);
        let all = vec![replaced.clone(), current.clone()];
        let read = |found| read_for_attempt(found, &current, &all);
        assert!(matches!(read(vec![]), RecordedUnderRefund::Nothing));
        assert!(matches!(
            read(vec![recorded("new", "REFUND")]),
            RecordedUnderRefund::Answer(_)
        ));
        assert!(
            matches!(
                read(vec![recorded("old", "REFUND")]),
                RecordedUnderRefund::Answer(_)
            ),
            "the replaced request was recorded late: it is the same refund"
        );
        assert!(matches!(
            read(vec![recorded("someone-else", "REFUND")]),
            RecordedUnderRefund::Unexplained(Some(_))
        ));
        assert!(
            matches!(
                read(vec![recorded("x", "CHARGE")]),
                RecordedUnderRefund::Nothing
            ),
            "only refunds are read"
        );
    }
}
