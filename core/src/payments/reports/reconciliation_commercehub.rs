//! The reconciliation report's Commerce Hub part: every refund paydesk made of a Commerce Hub charge,
//! set against what Commerce Hub itself recorded for each request paydesk sent for it (refunds, and
//! the cancels a refund of a charge not captured becomes; transaction
//! inquiry by `Client-Request-Id`) — a refund that moved money more than once, a status Commerce Hub
//! contradicts, one still unsettled.

use std::collections::BTreeMap;

use crate::gateways::commercehub::interpret::{paid_out, released};
use crate::gateways::commercehub::CommerceHubClient;
use crate::model::{GatewayRefundStatus, RefundAttemptKind};
use crate::payments::commercehub_refunds::refunds::answers_kind;
use crate::payments::error::PaymentsError;
use crate::payments::reports::discrepancy::{Discrepancy, DiscrepancyKind};
use crate::store::{GatewayRefundRecord, Store};

/// The refunds since `since` checked against Commerce Hub: how many, and what disagrees.
pub async fn commercehub_discrepancies(
    store: &Store,
    client: &CommerceHubClient,
    since: i64,
) -> Result<(usize, Vec<Discrepancy>), PaymentsError> {
    let refunds = store.gateway_refunds_since(since).await?;
    let mut found = Vec::new();
    for refund in &refunds {
        let payouts = payouts_at_commercehub(store, client, refund).await?;
        found.extend(check_refund(refund, &payouts));
    }
    Ok((refunds.len(), found))
}

/// The refunds Commerce Hub approved for any request paydesk sent for `refund`: transaction id →
/// amount approved (minor units).
async fn payouts_at_commercehub(
    store: &Store,
    client: &CommerceHubClient,
    refund: &GatewayRefundRecord,
) -> Result<BTreeMap<String, i64>, PaymentsError> {
    let mut payouts = BTreeMap::new();
    for attempt in store.refund_attempts(&refund.id).await? {
        if attempt.sends == 0 {
            continue;
        }
        for recorded in client.inquire_request(&attempt.client_request_id).await? {
            let moved = match attempt.kind {
                _ if !answers_kind(attempt.kind, &recorded) => None,
                RefundAttemptKind::Cancel => released(&recorded, refund.amount),
                RefundAttemptKind::Tagged | RefundAttemptKind::Unmatched => {
                    paid_out(&recorded, refund.amount)
                }
            };
            let Some(approved) = moved else {
                continue;
            };
            let id = recorded
                .gateway_response
                .transaction_processing_details
                .transaction_id
                .clone()
                .unwrap_or_else(|| attempt.client_request_id.clone());
            payouts.insert(id, approved);
        }
    }
    Ok(payouts)
}

/// What disagrees between paydesk's `refund` and Commerce Hub's `payouts` for it.
fn check_refund(refund: &GatewayRefundRecord, payouts: &BTreeMap<String, i64>) -> Vec<Discrepancy> {
    let subject = refund.id.clone();
    let total: i64 = payouts.values().sum();
    let ids = payouts.keys().cloned().collect::<Vec<_>>().join(", ");
    let mut found = Vec::new();
    if payouts.len() > 1 {
        found.push(Discrepancy {
            kind: DiscrepancyKind::RefundedMoreThanOnce,
            subject: subject.clone(),
            detail: format!(
                "Commerce Hub refunded {} times ({ids}), {total} in all, for one refund of {}",
                payouts.len(),
                refund.amount
            ),
        });
    }
    match refund.status {
        GatewayRefundStatus::Refunded if payouts.is_empty() => found.push(Discrepancy {
            kind: DiscrepancyKind::Contradicted,
            subject,
            detail: "paydesk says refunded; Commerce Hub has no approved refund for it".into(),
        }),
        GatewayRefundStatus::Processing => found.push(Discrepancy {
            kind: DiscrepancyKind::Unsettled,
            subject,
            detail: "the refund is still being confirmed with Commerce Hub".into(),
        }),
        GatewayRefundStatus::Refunded => {}
        status if !payouts.is_empty() => found.push(Discrepancy {
            kind: DiscrepancyKind::Contradicted,
            subject,
            detail: format!("Commerce Hub refunded {total} ({ids}); paydesk says {status}"),
        }),
        _ => {}
    }
    found
}
