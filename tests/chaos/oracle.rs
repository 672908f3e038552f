//! The oracle: what paydesk says (merchant API, merchant events, `paydesk reconcile`) against what the
//! gateway did (its transaction list, grouped by order number — every link of the run has its own).
//! It lists every discrepancy: an operation not settled, a state or amount the gateway contradicts, an
//! approval neither kept nor voided, a kept one reported other than exactly once, a decline reported
//! after an approval, a ledger that differs from the gateway's money, a refund link paid out more
//! than once, a gateway transaction nobody knows.

use std::collections::{BTreeMap, HashMap, HashSet};

use paydesk_core::model::{CheckoutStatus, DeviceRefundStatus, OperationKind, OperationState};
use paydesk_core::model::{GatewayRefundStatus, RefundAttemptKind};
use paydesk_core::payments::{
    CheckoutResource, DeviceRefundResource, GatewayRefundResource, RefundLinkResource,
};

use crate::cluster::Cluster;
use crate::commercehub::{HubRefundMade, Returned};
use crate::flows::{Created, Ctx};
use crate::gateway::GatewayTransaction;
use crate::receiver::{Received, Receiver};

/// Everything one check reads.
pub struct Evidence {
    pub checkouts: Vec<(String, CheckoutResource)>,
    /// Refunds on devices, with how each must end.
    pub device_refunds: Vec<(Option<&'static str>, DeviceRefundResource)>,
    /// Refunds of Commerce Hub charges: what the run made, what paydesk says, and what the
    /// simulator refunded from the charge.
    pub hub_refunds: Vec<(HubRefundMade, GatewayRefundResource, Returned)>,
    pub links: Vec<(String, Option<String>, RefundLinkResource)>,
    pub gateway: Vec<GatewayTransaction>,
    /// Every refund the Payroc simulator's devices made (its own list, not paydesk's view).
    pub payroc_refunds: Vec<serde_json::Value>,
    /// The first final status paydesk reported for a device refund while a flow watched it.
    pub first_final: HashMap<String, String>,
    /// Device refunds bound to a checkout: (device refund, checkout).
    pub bound_device_refunds: Vec<(String, String)>,
    /// Merchant events in the order the merchant received them.
    pub events: Vec<Received>,
}

/// Reads paydesk's and the gateway's side once.
pub async fn gather(ctx: &Ctx, receiver: &Receiver) -> Result<Evidence, String> {
    let (checkouts, links, devices, hubs, first_final, bound_device_refunds) = {
        let created: &Created = &*ctx.created.lock().map_err(|_| "poisoned")?;
        (
            created
                .checkouts
                .iter()
                .map(|m| (m.id.clone(), m.order.clone()))
                .collect::<Vec<_>>(),
            created
                .refund_links
                .iter()
                .map(|m| (m.id.clone(), m.order.clone(), m.checkout_id.clone()))
                .collect::<Vec<_>>(),
            created.device_refunds.clone(),
            created.hub_refunds.clone(),
            created.first_final.clone(),
            created.bound_device_refunds.clone(),
        )
    };
    let mut evidence = Evidence {
        checkouts: Vec::new(),
        device_refunds: Vec::new(),
        hub_refunds: Vec::new(),
        links: Vec::new(),
        gateway: ctx.gateway.transactions().await?,
        payroc_refunds: ctx.terminals.refunds().await?,
        first_final,
        bound_device_refunds,
        events: receiver.events(),
    };
    for (id, order) in checkouts {
        evidence
            .checkouts
            .push((order, ctx.merchant.checkout(&id).await?));
    }
    for made in devices {
        evidence.device_refunds.push((
            made.expected,
            ctx.merchant.device_refund(&made.id, 0).await?,
        ));
    }
    for made in hubs {
        let refund = serde_json::from_value(ctx.merchant.gateway_refund(&made.id).await?)
            .map_err(|e| format!("refund {}: {e}", made.id))?;
        let returned = ctx.hub.returned(&made.charge).await?;
        evidence.hub_refunds.push((made, refund, returned));
    }
    for (id, order, checkout_id) in links {
        evidence
            .links
            .push((order, checkout_id, ctx.merchant.refund_link(&id).await?));
    }
    Ok(evidence)
}

/// Whether every approval the gateway holds is kept by its checkout or voided, and no operation is
/// open: nothing the batch's closing could strand.
pub fn approvals_settled(evidence: &Evidence) -> bool {
    let by_order = group(&evidence.gateway);
    evidence.checkouts.iter().all(|(order, checkout)| {
        checkout.operations.iter().all(|op| !op.status.is_open())
            && stray_approvals(
                checkout,
                by_order.get(order.as_str()).map_or(&[][..], |v| v),
            )
            .is_empty()
    })
}

fn group(gateway: &[GatewayTransaction]) -> HashMap<&str, Vec<&GatewayTransaction>> {
    let mut by_order: HashMap<&str, Vec<&GatewayTransaction>> = HashMap::new();
    for t in gateway {
        by_order
            .entry(t.order_number.as_deref().unwrap_or(""))
            .or_default()
            .push(t);
    }
    by_order
}

/// The authorization a checkout keeps, if it keeps one.
fn kept_authorization(checkout: &CheckoutResource) -> Option<&str> {
    use CheckoutStatus::*;
    match checkout.status {
        Authorized | Captured | PartiallyRefunded | Refunded | Voided => {
            checkout.transaction.as_ref().map(|t| t.id.as_str())
        }
        _ => None,
    }
}

/// Approved authorizations of `checkout` that it does not keep and that no succeeded void cancelled.
fn stray_approvals<'a>(
    checkout: &CheckoutResource,
    transactions: &[&'a GatewayTransaction],
) -> Vec<&'a GatewayTransaction> {
    let kept = kept_authorization(checkout);
    transactions
        .iter()
        .filter(|t| t.kind == "Auth" && t.approved())
        .filter(|t| Some(t.id.as_str()) != kept)
        .filter(|t| {
            !checkout.operations.iter().any(|op| {
                op.kind == OperationKind::Void
                    && op.status == OperationState::Succeeded
                    && op.original_transaction_id == t.id
            })
        })
        .copied()
        .collect()
}

/// Every discrepancy in `evidence`.
pub fn discrepancies(evidence: &Evidence) -> Vec<String> {
    let mut found = Vec::new();
    let by_order = group(&evidence.gateway);
    let empty = Vec::new();
    let mut events_by_subject: HashMap<&str, Vec<&Received>> = HashMap::new();
    for event in &evidence.events {
        let subject = event.data["deviceRefundId"]
            .as_str()
            .or_else(|| event.data["refundId"].as_str())
            .or_else(|| event.data["refundLinkId"].as_str())
            .or_else(|| event.data["checkoutId"].as_str())
            .unwrap_or("");
        events_by_subject.entry(subject).or_default().push(event);
    }
    let known_orders: HashSet<&str> = evidence
        .checkouts
        .iter()
        .map(|(o, _)| o.as_str())
        .chain(evidence.links.iter().map(|(o, _, _)| o.as_str()))
        .collect();

    // Refund-link payouts by order (a link to a new card shares its checkout's order number).
    let mut payouts_by_order: HashMap<&str, Vec<&GatewayTransaction>> = HashMap::new();
    let op_references: HashSet<&str> = evidence
        .checkouts
        .iter()
        .flat_map(|(_, c)| c.operations.iter().map(|op| op.id.as_str()))
        .collect();
    for t in &evidence.gateway {
        if t.kind == "Refund" && t.approved() && !op_references.contains(t.reference_id.as_str()) {
            payouts_by_order
                .entry(t.order_number.as_deref().unwrap_or(""))
                .or_default()
                .push(t);
        }
    }

    for (order, checkout) in &evidence.checkouts {
        let id = &checkout.id;
        let transactions = by_order.get(order.as_str()).unwrap_or(&empty);
        let kept = kept_authorization(checkout);
        let by_reference: HashMap<&str, &GatewayTransaction> = transactions
            .iter()
            .map(|t| (t.reference_id.as_str(), *t))
            .collect();

        if checkout.status == CheckoutStatus::Processing {
            found.push(format!("{id}: still processing"));
        }
        for op in &checkout.operations {
            let at_gateway = by_reference.get(op.id.as_str()).filter(|t| t.approved());
            match (op.status, at_gateway) {
                (state, _) if state.is_open() => {
                    found.push(format!("{id}: operation {} still {state:?}", op.id))
                }
                (OperationState::Succeeded, Some(t)) => {
                    if op.approved_amount != Some(t.approved_amount)
                        || op.transaction_id.as_deref() != Some(t.id.as_str())
                    {
                        found.push(format!(
                            "{id}: operation {} says {:?} as {:?}, the gateway {} as {}",
                            op.id, op.approved_amount, op.transaction_id, t.approved_amount, t.id
                        ));
                    }
                }
                (OperationState::Succeeded, None) => found.push(format!(
                    "{id}: operation {} succeeded but the gateway approved nothing under it",
                    op.id
                )),
                (state, Some(t)) => found.push(format!(
                    "{id}: operation {} is {state:?} but the gateway approved {} ({})",
                    op.id, t.id, t.approved_amount
                )),
                (_, None) => {}
            }
        }
        // Every approved transaction of this order is an authorization, one of its operations, or
        // the payout of a refund link to a new card.
        for t in transactions.iter().filter(|t| t.approved()) {
            let accounted = t.kind == "Auth"
                || checkout.operations.iter().any(|op| op.id == t.reference_id)
                || (t.kind == "Refund" && evidence.links.iter().any(|(o, _, _)| o == order));
            if !accounted {
                found.push(format!(
                    "{id}: gateway {} {} ({}) is not known to paydesk",
                    t.kind, t.id, t.approved_amount
                ));
            }
        }
        for stray in stray_approvals(checkout, transactions) {
            found.push(format!(
                "{id}: approval {} ({}) neither kept nor voided",
                stray.id, stray.approved_amount
            ));
        }
        let authorizations: HashSet<&str> = transactions
            .iter()
            .filter(|t| t.kind == "Auth" && t.approved())
            .map(|t| t.id.as_str())
            .collect();
        if let Some(kept) = kept {
            if !authorizations.contains(kept) {
                found.push(format!(
                    "{id}: keeps {kept}, which the gateway never approved"
                ));
            }
        }

        // Merchant events: one payment.authorized for a kept approval, none otherwise; no decline
        // reported after it.
        let events = events_by_subject
            .get(id.as_str())
            .map_or(&[][..], |v| v.as_slice());
        let authorized: Vec<&&Received> = events
            .iter()
            .filter(|e| e.kind == "payment.authorized")
            .collect();
        let expected = usize::from(kept.is_some());
        if authorized.len() != expected {
            found.push(format!(
                "{id}: {} payment.authorized events, expected {expected}",
                authorized.len()
            ));
        }
        if let Some(first) = authorized.first() {
            if events
                .iter()
                .any(|e| e.kind == "payment.declined" && e.arrival > first.arrival)
            {
                found.push(format!(
                    "{id}: payment.declined arrived after payment.authorized"
                ));
            }
        }

        // The ledger against the gateway's money.
        if let (Some(ledger), Some(kept)) = (&checkout.ledger, kept) {
            let approved_auth = transactions
                .iter()
                .find(|t| t.id == kept)
                .map_or(0, |t| t.approved_amount);
            let captured: i64 = transactions
                .iter()
                .filter(|t| t.kind == "Capture" && t.approved())
                .map(|t| t.approved_amount)
                .sum();
            let bound_orders: HashSet<&str> = evidence
                .links
                .iter()
                .filter(|(_, bound, _)| bound.as_deref() == Some(id.as_str()))
                .map(|(o, _, _)| o.as_str())
                .collect();
            let to_other_cards: i64 = bound_orders
                .iter()
                .flat_map(|o| payouts_by_order.get(o).map_or(&[][..], |v| v.as_slice()))
                .map(|t| t.approved_amount)
                .sum();
            let on_devices: i64 = evidence
                .bound_device_refunds
                .iter()
                .filter(|(_, bound)| bound == id)
                .filter_map(|(refund, _)| {
                    evidence
                        .device_refunds
                        .iter()
                        .find(|(_, r)| r.id == *refund)
                })
                .map(|(_, r)| payroc_paid(&evidence.payroc_refunds, &r.order_id))
                .sum();
            let referenced_refunds: i64 = checkout
                .operations
                .iter()
                .filter(|op| op.kind == OperationKind::Refund)
                .filter_map(|op| by_reference.get(op.id.as_str()))
                .filter(|t| t.approved())
                .map(|t| t.approved_amount)
                .sum();
            let expected = [
                ("authorized", ledger.authorized, approved_auth),
                ("captured", ledger.captured, captured),
                (
                    "refundedToOtherCards",
                    ledger.refunded_to_other_cards,
                    to_other_cards,
                ),
                ("refundedOnDevices", ledger.refunded_on_devices, on_devices),
                (
                    "refunded",
                    ledger.refunded,
                    referenced_refunds + to_other_cards + on_devices,
                ),
                ("overRefunded", ledger.over_refunded, 0),
            ];
            for (field, says, gateway) in expected {
                if says != gateway {
                    found.push(format!(
                        "{id}: ledger {field} is {says}, the gateway's money says {gateway}"
                    ));
                }
            }
        }
    }

    // Refund links: one payout at most, as many as paydesk counts, of the link's amount.
    let mut links_by_order: BTreeMap<&str, Vec<&RefundLinkResource>> = BTreeMap::new();
    for (order, _, link) in &evidence.links {
        links_by_order.entry(order.as_str()).or_default().push(link);
    }
    for (order, links) in &links_by_order {
        let payouts = payouts_by_order
            .get(order)
            .map_or(&[][..], |v| v.as_slice());
        let counted: usize = links.iter().map(|l| l.payouts).sum();
        if payouts.len() != counted {
            found.push(format!(
                "order {order}: the gateway paid out {} times, paydesk counts {counted}",
                payouts.len()
            ));
        }
        for link in links {
            if link.payouts > 1 {
                found.push(format!("{}: paid out {} times", link.id, link.payouts));
            }
            if (link.payouts == 1) != (link.status == "completed") {
                found.push(format!(
                    "{}: status {} with {} payouts",
                    link.id, link.status, link.payouts
                ));
            }
            let events = events_by_subject
                .get(link.id.as_str())
                .map_or(&[][..], |v| v.as_slice());
            let completed = events
                .iter()
                .filter(|e| e.kind == "refund_link.completed")
                .count();
            if completed != usize::from(link.payouts > 0) {
                found.push(format!(
                    "{}: {completed} refund_link.completed events for {} payouts",
                    link.id, link.payouts
                ));
            }
        }
        if links.len() == 1 {
            for t in payouts
                .iter()
                .filter(|t| t.approved_amount != links[0].amount)
            {
                found.push(format!(
                    "{}: paid out {} for a link of {}",
                    links[0].id, t.approved_amount, links[0].amount
                ));
            }
        }
    }

    // Money moved under an order nobody created.
    for t in evidence.gateway.iter().filter(|t| t.approved()) {
        if !known_orders.contains(t.order_number.as_deref().unwrap_or("")) {
            found.push(format!(
                "gateway {} {} ({}) under order {:?} nobody created",
                t.kind, t.id, t.approved_amount, t.order_number
            ));
        }
    }
    for (expected, refund) in &evidence.device_refunds {
        let events = events_by_subject
            .get(refund.id.as_str())
            .map_or(&[][..], |v| v);
        if !refund.status.is_final() {
            found.push(format!(
                "device refund {} never ended ({})",
                refund.id, refund.status
            ));
            continue;
        }
        if let Some(expected) = expected {
            if refund.status.as_str() != *expected {
                found.push(format!(
                    "device refund {} ended {}, but the customer's action means {expected}",
                    refund.id, refund.status
                ));
            }
        }
        let wanted = format!("device_refund.{}", refund.status);
        if events.len() != 1 || events[0].kind != wanted {
            let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
            found.push(format!(
                "device refund {}: merchant events {kinds:?}, want exactly [{wanted}]",
                refund.id
            ));
        }
        if let Some(first) = evidence.first_final.get(&refund.id) {
            if *first != refund.status.to_string() {
                found.push(format!(
                    "device refund {} was reported {first}, then ended {}",
                    refund.id, refund.status
                ));
            }
        }
        // Against the Payroc simulator's own refunds (order ids are unique to a flow).
        let paid = payroc_paid(&evidence.payroc_refunds, &refund.order_id);
        let approvals = payroc_approvals(&evidence.payroc_refunds, &refund.order_id);
        let want = if refund.status == DeviceRefundStatus::Completed {
            refund.approved_amount.unwrap_or_default()
        } else {
            0
        };
        if paid != want || approvals > 1 {
            found.push(format!(
                "device refund {} is {} ({:?}), but Payroc's devices refunded {paid} in {approvals} refunds for order {}",
                refund.id, refund.status, refund.approved_amount, refund.order_id
            ));
        }
        if refund.status == DeviceRefundStatus::Completed
            && refund.approved_amount != Some(refund.amount)
        {
            found.push(format!(
                "device refund {} completed for {:?} of {}",
                refund.id, refund.approved_amount, refund.amount
            ));
        }
    }
    for (made, refund, returned) in &evidence.hub_refunds {
        let events = events_by_subject
            .get(refund.id.as_str())
            .map_or(&[][..], |v| v);
        found.extend(hub_refund_discrepancies(made, refund, *returned, events));
    }
    found
}

/// The approved refunds Payroc's devices made for `order`.
fn payroc_approvals(refunds: &[serde_json::Value], order: &str) -> usize {
    refunds
        .iter()
        .filter(|r| r["order"]["orderId"] == order && payroc_approved(r) > 0)
        .count()
}

/// What Payroc's devices refunded for `order`, in all.
fn payroc_paid(refunds: &[serde_json::Value], order: &str) -> i64 {
    refunds
        .iter()
        .filter(|r| r["order"]["orderId"] == order)
        .map(payroc_approved)
        .sum()
}

/// What one Payroc refund moved: its authorized amount (negative for a refund) when approved and
/// still in the batch (a `reversal` or `expired` one moved nothing, whatever its code).
fn payroc_approved(refund: &serde_json::Value) -> i64 {
    let result = &refund["transactionResult"];
    let moved = !matches!(result["status"].as_str(), Some("reversal" | "expired"));
    if moved && matches!(result["responseCode"].as_str(), Some("A" | "P")) {
        result["authorizedAmount"]
            .as_i64()
            .unwrap_or_default()
            .abs()
    } else {
        0
    }
}

/// One Commerce Hub refund: settled, ended as the customer's action says, one event per step, and
/// the charge refunded at the simulator exactly once or not at all — or, for a charge only
/// authorized, its authorization released by a cancel exactly once, and said so.
fn hub_refund_discrepancies(
    made: &HubRefundMade,
    refund: &GatewayRefundResource,
    returned: Returned,
    events: &[&Received],
) -> Vec<String> {
    let (refunded, wrong_way) = if made.captured {
        (returned.refunded, returned.canceled)
    } else {
        (returned.canceled, returned.refunded)
    };
    let mut found = Vec::new();
    let id = &refund.id;
    if refund.status == GatewayRefundStatus::Processing {
        found.push(format!("refund {id} never settled (processing)"));
    }
    // A request refused the first time it was ever sent (an injected refusal or outage) did
    // nothing, whatever the customer meant to do; the money check below still holds.
    let refused_first = refund.status == GatewayRefundStatus::Failed
        && refund
            .message
            .as_deref()
            .is_some_and(|m| m.contains("nothing was sent"));
    if let (Some(expected), false) = (made.expected, refused_first) {
        if refund.status != expected {
            found.push(format!(
                "refund {id} is {}, but the customer's action means {expected}",
                refund.status
            ));
        }
    }
    let paid = if refund.status == GatewayRefundStatus::Refunded {
        refund.amount
    } else {
        0
    };
    if wrong_way != 0 {
        found.push(format!(
            "refund {id}: charge {} (captured: {}) was refunded {} and cancelled {}",
            made.charge, made.captured, returned.refunded, returned.canceled
        ));
    }
    let by_cancel = refund.refunded_by == Some(RefundAttemptKind::Cancel);
    if refund.status == GatewayRefundStatus::Refunded && by_cancel == made.captured {
        found.push(format!(
            "refund {id} says refunded by {:?}, but its charge was captured: {}",
            refund.refunded_by, made.captured
        ));
    }
    if refunded != paid {
        found.push(format!(
            "refund {id} is {} for {}, but Commerce Hub refunded {refunded} of charge {}",
            refund.status, refund.amount, made.charge
        ));
    }
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    if let Some(end) = kinds.iter().position(|k| *k != "refund.awaiting_card") {
        if kinds[end..].contains(&"refund.awaiting_card") {
            found.push(format!(
                "refund {id}: refund.awaiting_card arrived after its final event: {kinds:?}"
            ));
        }
    }
    let waiting = kinds
        .iter()
        .filter(|k| **k == "refund.awaiting_card")
        .count() as i64;
    let want_waiting = if made.closed {
        1 + refund.card_declines
    } else {
        0
    };
    // A tagged refund refused the first time it was sent never waited for a card; a new card's
    // refund refused so ends one that did.
    let want_waiting = if refused_first && waiting == 0 {
        0
    } else {
        want_waiting
    };
    let finals: Vec<&&str> = kinds
        .iter()
        .filter(|k| **k != "refund.awaiting_card")
        .collect();
    let want_final = match refund.status {
        GatewayRefundStatus::Processing | GatewayRefundStatus::AwaitingCard => None,
        status => Some(format!("refund.{status}")),
    };
    if waiting != want_waiting
        || finals.len() != usize::from(want_final.is_some())
        || want_final.is_some_and(|want| finals.first().is_some_and(|k| ***k != want))
    {
        found.push(format!(
            "refund {id} ({}, {} new cards declined): merchant events {kinds:?}",
            refund.status, refund.card_declines
        ));
    }
    found
}

/// `paydesk reconcile --json`: its discrepancies (none when it exits 0).
pub fn reconcile_report(cluster: &Cluster) -> Result<Vec<String>, String> {
    let output = cluster.reconcile()?;
    if output.status.success() {
        return Ok(Vec::new());
    }
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).map_err(|_| {
        format!(
            "paydesk reconcile exited {:?}: {}{}",
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })?;
    let listed: Vec<String> = report["discrepancies"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|d| format!("reconcile: {} {}: {}", d["kind"], d["subject"], d["detail"]))
                .collect()
        })
        .unwrap_or_default();
    Ok(if listed.is_empty() {
        vec![format!(
            "paydesk reconcile exited {:?}: {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        )]
    } else {
        listed
    })
}

/// What the run produced, in a line: enough to see that the flows did what they were meant to.
pub fn tally(evidence: &Evidence) -> String {
    let kept = evidence
        .checkouts
        .iter()
        .filter(|(_, c)| kept_authorization(c).is_some())
        .count();
    let captured = evidence
        .checkouts
        .iter()
        .filter(|(_, c)| c.ledger.as_ref().is_some_and(|l| l.captured > 0))
        .count();
    let mut states: BTreeMap<String, usize> = BTreeMap::new();
    let mut stray_voids = 0;
    for (_, checkout) in &evidence.checkouts {
        let kept = kept_authorization(checkout);
        for op in &checkout.operations {
            *states
                .entry(format!("{:?}", op.status).to_lowercase())
                .or_default() += 1;
            if op.kind == OperationKind::Void
                && op.status == OperationState::Succeeded
                && Some(op.original_transaction_id.as_str()) != kept
                && !checkout
                    .operations
                    .iter()
                    .any(|o| o.transaction_id.as_deref() == Some(&op.original_transaction_id))
            {
                stray_voids += 1;
            }
        }
    }
    let operations: usize = states.values().sum();
    let paid_links = evidence
        .links
        .iter()
        .filter(|(_, _, l)| l.payouts > 0)
        .count();
    let mut device_states: BTreeMap<String, usize> = BTreeMap::new();
    for (_, refund) in &evidence.device_refunds {
        *device_states.entry(refund.status.to_string()).or_default() += 1;
    }
    let mut hub_states: BTreeMap<String, usize> = BTreeMap::new();
    for (_, refund, _) in &evidence.hub_refunds {
        *hub_states.entry(refund.status.to_string()).or_default() += 1;
    }
    format!(
        "checkouts {} ({kept} authorized, {captured} captured, {stray_voids} unwanted approvals voided), \
         operations {operations} {states:?}, refund links {} ({paid_links} paid out), device refunds {} {device_states:?}, \
         commerce hub refunds {} {hub_states:?}, merchant events {}",
        evidence.checkouts.len(),
        evidence.links.len(),
        evidence.device_refunds.len(),
        evidence.hub_refunds.len(),
        evidence.events.len()
    )
}
