//! The reconciliation report's Payroc part: every refund paydesk asked a payment device for, set
//! against the refunds Payroc lists for the terminal (`GET /refunds`) — a refund a device made that
//! paydesk does not record (it reported the refund failed, or sent it twice), a status Payroc
//! contradicts, one still under way.

use std::collections::{BTreeMap, BTreeSet};

use crate::gateways::payroc::wire::Refund;
use crate::gateways::payroc::{interpret, PayrocClient};
use crate::gateways::Outcome;
use crate::model::{DeviceRefundReversal, DeviceRefundStatus};
use crate::payments::error::PaymentsError;
use crate::payments::reports::discrepancy::{Discrepancy, DiscrepancyKind};
use crate::store::{iso8601, DeviceRefundRecord, Store};

/// Payroc lists a refund by when it was processed, after paydesk wrote the device refund: the list
/// starts this much before the report's start so none processed near it is missed.
const LIST_FROM_EARLIER_MS: i64 = 60 * 60 * 1000;

/// The device refunds since `since` checked against Payroc: how many, and what disagrees.
pub async fn payroc_discrepancies(
    store: &Store,
    client: &PayrocClient,
    terminal: &str,
    since: i64,
) -> Result<(usize, Vec<Discrepancy>), PaymentsError> {
    let records = store.device_refunds_since(since).await?;
    let listed = client
        .refunds_since(terminal, &iso8601(since - LIST_FROM_EARLIER_MS))
        .await?;
    let mut found = Vec::new();
    for record in &records {
        found.extend(check_record(record, &listed));
    }
    found.extend(unrecorded(&records, &listed));
    Ok((records.len(), found))
}

/// The money a Payroc refund moved, if it was approved.
fn approved(refund: &Refund) -> Option<i64> {
    match interpret::outcome(refund) {
        Outcome::Approved { approved, .. } | Outcome::PartiallyApproved { approved, .. } => {
            Some(approved.unwrap_or(refund.order.amount.unwrap_or_default()))
        }
        _ => None,
    }
}

/// What disagrees between one device refund and the refunds Payroc lists.
fn check_record(record: &DeviceRefundRecord, listed: &[Refund]) -> Vec<Discrepancy> {
    let subject = record.id.clone();
    let at_payroc = record
        .refund_id
        .as_ref()
        .and_then(|id| listed.iter().find(|r| r.refund_id == *id));
    let paid = at_payroc.and_then(approved);
    match (record.status, paid) {
        (status, _) if !status.is_final() => vec![Discrepancy {
            kind: DiscrepancyKind::Unsettled,
            subject,
            detail: format!("the device refund is still {status}"),
        }],
        _ if record.reversal.reversal_status == Some(DeviceRefundReversal::Reversing) => {
            vec![Discrepancy {
                kind: DiscrepancyKind::Unsettled,
                subject,
                detail: "the device refund's reversal is still awaiting Payroc's answer".into(),
            }]
        }
        (DeviceRefundStatus::Completed, None) => vec![Discrepancy {
            kind: DiscrepancyKind::Contradicted,
            subject,
            detail: format!(
                "paydesk says completed; Payroc lists no approved refund {}",
                record.refund_id.as_deref().unwrap_or("(none recorded)")
            ),
        }],
        (DeviceRefundStatus::Completed, Some(amount)) if Some(amount) != record.approved_amount => {
            vec![Discrepancy {
                kind: DiscrepancyKind::AmountMismatch,
                subject,
                detail: format!(
                    "paydesk booked {:?}, Payroc approved {amount}",
                    record.approved_amount
                ),
            }]
        }
        (DeviceRefundStatus::Completed, Some(_)) => vec![],
        (status, Some(amount)) => vec![Discrepancy {
            kind: DiscrepancyKind::Contradicted,
            subject,
            detail: format!("Payroc refunded {amount} on the device; paydesk says {status}"),
        }],
        (_, None) => vec![],
    }
}

/// Approved Payroc refunds of the orders paydesk sent to devices that no device refund records: money
/// a device paid that paydesk does not show (a refund it reported failed, or an instruction that ran
/// twice). Refunds of other orders (made at the till without paydesk) are not paydesk's to judge.
fn unrecorded(records: &[DeviceRefundRecord], listed: &[Refund]) -> Vec<Discrepancy> {
    let recorded: BTreeSet<&str> = records
        .iter()
        .filter_map(|r| r.refund_id.as_deref())
        .collect();
    let mut orders: BTreeMap<&str, Vec<&DeviceRefundRecord>> = BTreeMap::new();
    for record in records {
        orders
            .entry(record.order_id.as_str())
            .or_default()
            .push(record);
    }
    listed
        .iter()
        .filter(|refund| !recorded.contains(refund.refund_id.as_str()))
        .filter_map(|refund| {
            let order = refund.order.order_id.as_deref()?;
            let of_order = orders.get(order)?;
            let amount = approved(refund)?;
            let ids: Vec<&str> = of_order.iter().map(|r| r.id.as_str()).collect();
            let kind = if of_order
                .iter()
                .any(|r| r.status == DeviceRefundStatus::Completed)
            {
                DiscrepancyKind::RefundedMoreThanOnce
            } else {
                DiscrepancyKind::UnknownToPaydesk
            };
            Some(Discrepancy {
                kind,
                subject: refund.refund_id.clone(),
                detail: format!(
                    "Payroc refund of {amount} for order {order} that no device refund records (paydesk's refunds of that order: {})",
                    ids.join(", ")
                ),
            })
        })
        .collect()
}
