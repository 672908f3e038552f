//! What staff see of refunds of Commerce Hub charges: the list (searchable) and each refund's calls
//! to Commerce Hub (ids, kinds and states; never the bodies sent).

use crate::model::{RefundAttemptKind, RefundAttemptState};
use crate::payments::commercehub_refunds::refunds::GatewayRefundResource;
use crate::payments::error::PaymentsError;
use crate::store::iso8601;
use crate::AppState;

/// One call to Commerce Hub for a refund, as support reads it.
#[derive(Clone, Debug)]
pub struct RefundAttemptSummary {
    /// The `Client-Request-Id` it was sent (and resent) with: what Commerce Hub's support asks for.
    pub client_request_id: String,
    /// `tagged` (the original card), `unmatched` (a new card) or `cancel` (the charge was not
    /// captured: its authorization released).
    pub kind: RefundAttemptKind,
    /// `sending`, `answered`, `unknown` (being looked up) or `replaced` (Commerce Hub recorded
    /// nothing; sent again under a new id).
    pub state: RefundAttemptState,
    pub first_sent_at: String,
    pub api_trace_id: Option<String>,
}

/// Refunds newest first; those matching `query` (id, order, original ids, reference) when given.
pub async fn search_gateway_refunds(
    state: &AppState,
    query: Option<&str>,
    limit: i64,
) -> Result<Vec<GatewayRefundResource>, PaymentsError> {
    Ok(state
        .store
        .search_gateway_refunds(query, limit)
        .await?
        .iter()
        .map(|record| GatewayRefundResource::of(state, record))
        .collect())
}

/// A refund's calls to Commerce Hub, oldest first.
pub async fn gateway_refund_attempts(
    state: &AppState,
    id: &str,
) -> Result<Vec<RefundAttemptSummary>, PaymentsError> {
    Ok(state
        .store
        .refund_attempts(id)
        .await?
        .into_iter()
        .map(|attempt| RefundAttemptSummary {
            client_request_id: attempt.client_request_id,
            kind: attempt.kind,
            state: attempt.state,
            first_sent_at: iso8601(attempt.first_sent_at),
            api_trace_id: attempt.api_trace_id,
        })
        .collect())
}
