//! The reconciliation report: paydesk's records set against every gateway's own (Omni's transaction
//! list matched by reference id; Commerce Hub and Payroc in `reconciliation_commercehub` and
//! `reconciliation_payroc`), for a merchant's finance team — and the oracle of the chaos suite. It lists every
//! discrepancy: a gateway transaction paydesk does not know, a paydesk state the gateway contradicts
//! (or that is still unsettled), amounts that differ, a refund link paid out more than once, and an
//! authorization held on a card that no checkout keeps and nothing voided.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::gateways::commercehub::CommerceHubClient;
use crate::gateways::omni::interpret::outcome;
use crate::gateways::omni::wire::{Transaction, TransactionType};
use crate::gateways::omni::OmniClient;
use crate::gateways::payroc::PayrocClient;
use crate::gateways::Outcome;
use crate::model::{AttemptState, LinkKind, OperationKind, OperationState};
use crate::payments::error::PaymentsError;
pub use crate::payments::reports::discrepancy::{Discrepancy, DiscrepancyKind};
use crate::payments::reports::reconciliation_commercehub::commercehub_discrepancies;
use crate::payments::reports::reconciliation_payroc::payroc_discrepancies;
use crate::store::{
    iso8601, now_ms, parse_iso8601, AttemptRecord, LinkRecord, OperationRecord, Store,
};

/// The report.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReconciliationReport {
    pub since: String,
    pub generated_at: String,
    pub gateway_transactions: usize,
    pub attempts: usize,
    pub operations: usize,
    /// Refunds of Commerce Hub charges checked against Commerce Hub (none when it is not configured).
    pub commercehub_refunds: usize,
    /// Refunds on payment devices checked against Payroc (none when it is not configured).
    pub device_refunds: usize,
    pub discrepancies: Vec<Discrepancy>,
}

/// The gateways a report reads: Omni always; Commerce Hub and Payroc when paydesk uses them.
#[derive(Clone, Copy, Debug)]
pub struct ReportGateways<'a> {
    pub omni: &'a OmniClient,
    pub commercehub: Option<&'a CommerceHubClient>,
    /// The client and the processing terminal paydesk's refund instructions name.
    pub payroc: Option<(&'a PayrocClient, &'a str)>,
}

/// A report's start as a person writes it: `7d`, `24h`, `30m`, a date (`2026-11-01`) or an RFC 3339 time, as Unix milliseconds.
pub fn since_from(text: &str, now: i64) -> Option<i64> {
    let text = text.trim();
    let units = [('d', 86_400_000), ('h', 3_600_000), ('m', 60_000)];
    for (suffix, ms) in units {
        if let Some(n) = text
            .strip_suffix(suffix)
            .and_then(|n| n.parse::<i64>().ok())
        {
            return (n >= 0).then(|| now - n * ms);
        }
    }
    parse_iso8601(text).or_else(|| parse_iso8601(&format!("{text}T00:00:00Z")))
}

impl<'a> ReportGateways<'a> {
    /// The gateways this paydesk uses.
    pub fn of(state: &'a crate::AppState) -> Self {
        ReportGateways {
            omni: &state.omni,
            commercehub: state.commercehub.as_deref().map(|hub| &hub.client),
            payroc: state
                .payroc
                .as_deref()
                .zip(state.config.payroc_terminal_id.as_deref()),
        }
    }
}

/// Compares everything since `since` (Unix milliseconds): paydesk's `store` against every gateway it
/// uses — Omni's transaction list, what Commerce Hub recorded for each refund request, the refunds
/// Payroc lists for the terminal.
pub async fn reconciliation_report(
    store: &Store,
    gateways: ReportGateways<'_>,
    since: i64,
) -> Result<ReconciliationReport, PaymentsError> {
    let mut report = omni_report(store, gateways.omni, since).await?;
    if let Some(client) = gateways.commercehub {
        let (checked, found) = commercehub_discrepancies(store, client, since).await?;
        report.commercehub_refunds = checked;
        report.discrepancies.extend(found);
    }
    if let Some((client, terminal)) = gateways.payroc {
        let (checked, found) = payroc_discrepancies(store, client, terminal, since).await?;
        report.device_refunds = checked;
        report.discrepancies.extend(found);
    }
    report
        .discrepancies
        .sort_by(|a, b| (a.kind, &a.subject).cmp(&(b.kind, &b.subject)));
    report.discrepancies.dedup();
    Ok(report)
}

/// The Omni part: hosted-form attempts and operations against Omni's transaction list.
async fn omni_report(
    store: &Store,
    omni: &OmniClient,
    since: i64,
) -> Result<ReconciliationReport, PaymentsError> {
    let gateway = omni.transactions_since(&iso8601(since)).await?;
    let mut by_reference: HashMap<&str, Vec<&Transaction>> = HashMap::new();
    for transaction in &gateway {
        if let Some(reference) = transaction.reference_id.as_deref() {
            by_reference.entry(reference).or_default().push(transaction);
        }
    }
    let attempts = store.attempts_since(since).await?;
    let operations = store.operations_since(since).await?;
    let mut links: BTreeMap<String, LinkRecord> = BTreeMap::new();
    for id in attempts
        .iter()
        .map(|a| &a.checkout_id)
        .chain(operations.iter().map(|o| &o.checkout_id))
    {
        if !links.contains_key(id) {
            if let Some(link) = store.link(id).await? {
                links.insert(id.clone(), link);
            }
        }
    }
    let mut found = webhooks_not_applied(store, since).await?;
    for transaction in &gateway {
        if moved_money(transaction) && !known(store, transaction, &attempts, &operations).await? {
            found.push(unknown_to_paydesk(transaction));
        }
    }
    let voided = voided_transactions(&operations, &by_reference);
    let at_gateway = |reference: &str| by_reference.get(reference).cloned().unwrap_or_default();
    for attempt in &attempts {
        if let Some(link) = links.get(&attempt.checkout_id) {
            let seen = at_gateway(&attempt.gateway_reference_id);
            check_attempt(attempt, link, &seen, &voided, &mut found);
        }
    }
    for op in &operations {
        check_operation(op, &at_gateway(&op.gateway_reference_id), &mut found);
    }
    for link in links.values().filter(|l| l.kind == LinkKind::Refund) {
        let payouts: BTreeSet<&str> = attempts
            .iter()
            .filter(|a| a.checkout_id == link.id)
            .flat_map(|a| at_gateway(&a.gateway_reference_id))
            .filter(|t| is_approval(t))
            .map(|t| t.id.as_str())
            .collect();
        found.extend(paid_out_more_than_once(link, payouts));
    }
    found.sort_by(|a, b| (a.kind, &a.subject).cmp(&(b.kind, &b.subject)));
    found.dedup();
    Ok(ReconciliationReport {
        since: iso8601(since),
        generated_at: iso8601(now_ms()),
        gateway_transactions: gateway.len(),
        attempts: attempts.len(),
        operations: operations.len(),
        commercehub_refunds: 0,
        device_refunds: 0,
        discrepancies: found,
    })
}

/// Webhooks received since `since` that paydesk gave up applying.
async fn webhooks_not_applied(
    store: &Store,
    since: i64,
) -> Result<Vec<Discrepancy>, PaymentsError> {
    Ok(store
        .abandoned_webhook_events(200)
        .await?
        .into_iter()
        .filter(|event| event.received_at >= since)
        .map(|event| Discrepancy {
            kind: DiscrepancyKind::WebhookNotApplied,
            subject: event.event_id.clone(),
            detail: format!(
                "{} received {}, given up after {} failed attempts: {}",
                event.event_type,
                iso8601(event.received_at),
                event.apply_attempts,
                event.last_error.as_deref().unwrap_or("no error recorded")
            ),
        })
        .collect())
}

/// A gateway transaction that moved money under a reference paydesk has no record of.
fn unknown_to_paydesk(transaction: &Transaction) -> Discrepancy {
    Discrepancy {
        kind: DiscrepancyKind::UnknownToPaydesk,
        subject: transaction.id.clone(),
        detail: format!(
            "{:?} of {} under reference {:?}, which paydesk has no record of",
            transaction.kind,
            transaction.approved_amount.unwrap_or_default(),
            transaction.reference_id.as_deref().unwrap_or("")
        ),
    }
}

/// A refund link the gateway shows approved more than once (`payouts`: its approvals' ids).
fn paid_out_more_than_once(link: &LinkRecord, payouts: BTreeSet<&str>) -> Option<Discrepancy> {
    (payouts.len() > 1).then(|| Discrepancy {
        kind: DiscrepancyKind::PaidOutMoreThanOnce,
        subject: link.id.clone(),
        detail: format!(
            "paid out {} times: {}",
            payouts.len(),
            payouts.into_iter().collect::<Vec<_>>().join(", ")
        ),
    })
}

fn is_approval(transaction: &Transaction) -> bool {
    matches!(
        outcome(transaction),
        Outcome::Approved { .. } | Outcome::PartiallyApproved { .. }
    )
}

/// Whether a transaction moved (or held) money: anything but an unused session or a refusal.
fn moved_money(transaction: &Transaction) -> bool {
    is_approval(transaction)
}

/// Whether paydesk has the transaction's reference (looked up in the store when it falls outside the
/// report's window).
async fn known(
    store: &Store,
    transaction: &Transaction,
    attempts: &[AttemptRecord],
    operations: &[OperationRecord],
) -> Result<bool, PaymentsError> {
    let Some(reference) = transaction.reference_id.as_deref() else {
        return Ok(false);
    };
    if attempts.iter().any(|a| a.gateway_reference_id == reference)
        || operations
            .iter()
            .any(|o| o.gateway_reference_id == reference)
    {
        return Ok(true);
    }
    Ok(store.attempt_by_reference(reference).await?.is_some()
        || store.operation_by_reference(reference).await?.is_some())
}

/// Transactions some void of paydesk's voided (the gateway approved the void).
fn voided_transactions<'a>(
    operations: &'a [OperationRecord],
    by_reference: &HashMap<&str, Vec<&Transaction>>,
) -> BTreeSet<&'a str> {
    operations
        .iter()
        .filter(|op| op.kind == OperationKind::Void)
        .filter(|op| {
            by_reference
                .get(op.gateway_reference_id.as_str())
                .is_some_and(|ts| ts.iter().any(|t| is_approval(t)))
        })
        .map(|op| op.original_transaction_id.as_str())
        .collect()
}

fn check_attempt(
    attempt: &AttemptRecord,
    link: &LinkRecord,
    at_gateway: &[&Transaction],
    voided: &BTreeSet<&str>,
    found: &mut Vec<Discrepancy>,
) {
    let approvals: Vec<&&Transaction> = at_gateway.iter().filter(|t| is_approval(t)).collect();
    for approval in &approvals {
        let kept = link.authorized_transaction_id.as_deref() == Some(approval.id.as_str());
        if link.kind == LinkKind::Payment && !kept && !voided.contains(approval.id.as_str()) {
            found.push(Discrepancy {
                kind: DiscrepancyKind::AuthorizationNotKept,
                subject: approval.id.clone(),
                detail: format!(
                    "an approved authorization of {} on checkout {} that it does not keep, not voided",
                    approval.approved_amount.unwrap_or_default(),
                    link.id
                ),
            });
        }
    }
    let paydesk_approved = attempt.state == AttemptState::Approved;
    let gateway_final = at_gateway.iter().any(|t| {
        !matches!(
            outcome(t),
            Outcome::NotStarted | Outcome::InProgress | Outcome::Unknown
        )
    });
    if !approvals.is_empty() && !paydesk_approved && link.kind == LinkKind::Refund {
        found.push(Discrepancy {
            kind: DiscrepancyKind::Contradicted,
            subject: attempt.id.clone(),
            detail: format!(
                "the gateway paid this refund out; paydesk says {}",
                attempt.state
            ),
        });
    }
    if approvals.is_empty() && paydesk_approved {
        found.push(Discrepancy {
            kind: DiscrepancyKind::Contradicted,
            subject: attempt.id.clone(),
            detail: "paydesk says approved; the gateway has no approval for it".into(),
        });
    }
    if gateway_final
        && matches!(
            attempt.state,
            AttemptState::Open
                | AttemptState::Replaced
                | AttemptState::Submitted
                | AttemptState::Creating
        )
    {
        found.push(Discrepancy {
            kind: DiscrepancyKind::Unsettled,
            subject: attempt.id.clone(),
            detail: format!(
                "the gateway has a final outcome; paydesk still says {}",
                attempt.state
            ),
        });
    }
}

fn check_operation(
    op: &OperationRecord,
    at_gateway: &[&Transaction],
    found: &mut Vec<Discrepancy>,
) {
    let transaction = at_gateway
        .iter()
        .find(|t| !matches!(t.kind, TransactionType::Unknown))
        .copied();
    let subject = op.id.clone();
    match (op.state, transaction.map(outcome)) {
        (state, _) if state.is_open() => found.push(Discrepancy {
            kind: DiscrepancyKind::Unsettled,
            subject,
            detail: format!("{} still {}", op.kind, op.state),
        }),
        (
            OperationState::Succeeded,
            Some(Outcome::Approved { approved, .. } | Outcome::PartiallyApproved { approved, .. }),
        ) => {
            if approved.is_some() && approved != op.approved_amount {
                found.push(Discrepancy {
                    kind: DiscrepancyKind::AmountMismatch,
                    subject,
                    detail: format!(
                        "paydesk booked {:?}, the gateway approved {:?}",
                        op.approved_amount, approved
                    ),
                });
            }
        }
        (OperationState::Declined, Some(Outcome::Declined { .. })) => {}
        (
            OperationState::Rejected | OperationState::Lost,
            None | Some(Outcome::Failed { .. } | Outcome::NotStarted),
        ) => {}
        (state, Some(gateway)) => found.push(Discrepancy {
            kind: DiscrepancyKind::Contradicted,
            subject,
            detail: format!("paydesk says {state}; the gateway says {gateway:?}"),
        }),
        (state, None) => found.push(Discrepancy {
            kind: DiscrepancyKind::Contradicted,
            subject,
            detail: format!("paydesk says {state}; the gateway has no record of it"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_reads_durations_dates_and_times() {
        let now = 1_000_000_000_000;
        assert_eq!(since_from("7d", now), Some(now - 7 * 86_400_000));
        assert_eq!(since_from("24h", now), Some(now - 86_400_000));
        assert_eq!(
            since_from("2026-11-01", now),
            parse_iso8601("2026-11-01T00:00:00Z")
        );
        assert_eq!(
            since_from("2026-11-01T10:00:00Z", now),
            parse_iso8601("2026-11-01T10:00:00Z")
        );
        assert_eq!(since_from("-1d", now), None);
        assert_eq!(since_from("yesterday", now), None);
    }
}
