//! The per-checkout money ledger (authorized, captured, voided, refunded, remaining) computed from
//! the authorization, the capture/void/refund operations and the refund links bound to the
//! checkout, and the rules each new operation must pass before the gateway is called. Pure: no I/O,
//! no storage types.

use serde::{Deserialize, Serialize};

use crate::model::{CheckoutStatus, OperationKind, OperationState};

/// One capture, void or referenced refund, as far as the ledger cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Movement {
    pub kind: OperationKind,
    pub state: OperationState,
    /// What was asked.
    pub amount: i64,
    /// What the gateway approved, once settled.
    pub approved_amount: Option<i64>,
    /// The transaction it refers to (the authorization or the capture).
    pub original_transaction_id: String,
    /// The transaction it produced.
    pub transaction_id: Option<String>,
    /// `lost` (the gateway had no record of it long after it was sent) but still being looked up:
    /// it may yet prove to have happened, so its amount stays held — though, unlike an open one,
    /// it does not stop other operations.
    pub lost_but_held: bool,
}

impl Movement {
    /// Whether its amount is held back from every balance: open, or lost but still looked up.
    fn holds(&self) -> bool {
        self.state.is_open() || self.lost_but_held
    }
}

/// A refund bound to the checkout but paid elsewhere — a refund link to another card, or a refund on
/// a payment device — as far as the ledger cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkedRefund {
    pub amount: i64,
    pub hold: LinkHold,
    pub channel: RefundChannel,
}

/// Where a bound refund pays out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefundChannel {
    /// A refund link: a card the customer typed into the hosted form.
    Link,
    /// A payment device in store (Payroc Cloud).
    Device,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkHold {
    /// Open, or in the customer's hands: its amount is reserved.
    Reserved,
    /// The customer received this much (more than the link's amount if it paid out twice).
    PaidOut(i64),
    /// Expired unused: holds nothing.
    Released,
}

/// The ledger as the merchant API shows it. Every amount is in minor units of the checkout's
/// currency.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Ledger {
    /// Minor units the gateway authorized.
    pub authorized: i64,
    /// Minor units captured.
    pub captured: i64,
    /// Minor units voided (the authorization or the capture).
    pub voided: i64,
    /// Referenced refunds plus refund links paid out to another card.
    pub refunded: i64,
    /// The part of `refunded` paid through refund links (e.g. the original card was closed).
    pub refunded_to_other_cards: i64,
    /// The part of `refunded` paid on payment devices in store.
    #[serde(default)]
    pub refunded_on_devices: i64,
    /// Held by operations not yet confirmed and by open refund links.
    pub pending: i64,
    /// What can still be captured.
    pub capturable: i64,
    /// What can still be refunded (captured, minus voided, refunded and pending).
    pub refundable: i64,
    /// Money the merchant still holds from this payment.
    pub remaining: i64,
    /// Refunded beyond what was captured (a refund link paid out twice): money sent that the payment
    /// did not hold. Zero unless something went wrong; `remaining` is never below zero.
    pub over_refunded: i64,
}

/// Everything the rules need, computed once.
#[derive(Clone, Debug, Default)]
pub struct Position {
    pub ledger: Ledger,
    /// The authorization's transaction id.
    pub authorization_id: Option<String>,
    /// The capture's transaction id, once captured (paydesk captures once).
    pub capture_id: Option<String>,
    pub auth_voided: bool,
    pub capture_voided: bool,
    /// An operation is not settled yet: nothing else may start until it is.
    pub operation_open: bool,
    /// At least one referenced refund succeeded.
    pub partially_refunded: bool,
    /// The latest referenced refund was declined (e.g. closed account).
    pub last_refund_declined: bool,
}

/// Builds the position from the approved authorization (id, amount), the operations and the links.
pub fn position(
    authorization: Option<(&str, i64)>,
    operations: &[Movement],
    links: &[LinkedRefund],
) -> Position {
    let mut p = Position {
        authorization_id: authorization.map(|(id, _)| id.to_string()),
        ..Default::default()
    };
    let Some((_, authorized)) = authorization else {
        return p;
    };
    p.ledger.authorized = authorized;
    let counted = count_operations(&mut p, operations);
    count_links(&mut p.ledger, links);
    set_allowances(&mut p, operations, links, counted);
    p
}

/// What the operations did, as `count_operations` found it, beyond the ledger's own figures.
#[derive(Clone, Copy)]
struct Counted {
    /// A capture succeeded or may still.
    capture_started: bool,
    /// What voiding the capture took back (a void of the authorization takes back nothing
    /// captured).
    capture_voided_amount: i64,
}

/// Adds up this payment's operations: captured, voided, refunded, pending, and what is open.
fn count_operations(p: &mut Position, operations: &[Movement]) -> Counted {
    // The capture's transaction (paydesk captures once), whatever order the operations come in.
    let capture_transaction = operations
        .iter()
        .find(|op| op.kind == OperationKind::Capture && op.state == OperationState::Succeeded)
        .and_then(|op| op.transaction_id.clone());
    let mut counted = Counted {
        capture_started: false,
        capture_voided_amount: 0,
    };
    for op in operations {
        // A void of a duplicate or partial authorization paydesk cancelled on its own: not this
        // payment's money.
        let about_this_payment = Some(&op.original_transaction_id) == p.authorization_id.as_ref()
            || Some(&op.original_transaction_id) == capture_transaction.as_ref();
        if !about_this_payment {
            continue;
        }
        let state = op.state;
        let approved = op.approved_amount.unwrap_or(op.amount);
        if state.is_open() {
            p.operation_open = true;
        }
        if op.holds() {
            p.ledger.pending += op.amount;
        }
        match (op.kind, state) {
            (OperationKind::Capture, OperationState::Succeeded) => {
                counted.capture_started = true;
                p.ledger.captured += approved;
                p.capture_id = op.transaction_id.clone();
            }
            (OperationKind::Capture, _) if op.holds() => counted.capture_started = true,
            (OperationKind::Void, OperationState::Succeeded) => {
                p.ledger.voided += approved;
                if Some(&op.original_transaction_id) == p.authorization_id.as_ref() {
                    p.auth_voided = true;
                } else {
                    p.capture_voided = true;
                    counted.capture_voided_amount += approved;
                }
            }
            (OperationKind::Refund, OperationState::Succeeded) => {
                p.ledger.refunded += approved;
                p.partially_refunded = true;
            }
            _ => {}
        }
        if op.kind == OperationKind::Refund && !state.is_open() {
            p.last_refund_declined = state == OperationState::Declined;
        }
    }
    counted
}

/// Adds the refund links' and device refunds' money: reserved while they may pay, refunded once
/// they did.
fn count_links(l: &mut Ledger, links: &[LinkedRefund]) {
    for link in links {
        match link.hold {
            LinkHold::Reserved => l.pending += link.amount,
            LinkHold::PaidOut(paid) => {
                l.refunded += paid;
                match link.channel {
                    RefundChannel::Link => l.refunded_to_other_cards += paid,
                    RefundChannel::Device => l.refunded_on_devices += paid,
                }
            }
            LinkHold::Released => {}
        }
    }
}

/// What may still be captured and refunded, what remains, and what was refunded beyond it.
fn set_allowances(
    p: &mut Position,
    operations: &[Movement],
    links: &[LinkedRefund],
    counted: Counted,
) {
    // An open void of the capture could take back everything captured: nothing is refundable
    // until the gateway says whether it happened.
    let capture_void_open = operations.iter().any(|op| {
        op.kind == OperationKind::Void
            && op.holds()
            && Some(&op.original_transaction_id) == p.capture_id.as_ref()
    });
    let reserved_for_refunds: i64 = operations
        .iter()
        .filter(|op| op.holds() && op.kind == OperationKind::Refund)
        .filter(|op| Some(&op.original_transaction_id) == p.capture_id.as_ref())
        .map(|op| op.amount)
        .sum::<i64>()
        + links
            .iter()
            .filter(|k| k.hold == LinkHold::Reserved)
            .map(|k| k.amount)
            .sum::<i64>();
    let auth_void_held = operations.iter().any(|op| {
        op.kind == OperationKind::Void
            && op.lost_but_held
            && Some(&op.original_transaction_id) == p.authorization_id.as_ref()
    });
    let l = &mut p.ledger;
    l.capturable = if counted.capture_started || p.auth_voided || p.operation_open || auth_void_held
    {
        0
    } else {
        l.authorized
    };
    let kept_captured = l.captured - counted.capture_voided_amount;
    l.over_refunded = (l.refunded - kept_captured).max(0);
    l.remaining = (kept_captured - l.refunded).max(0);
    l.refundable = if p.capture_voided || capture_void_open {
        0
    } else {
        (l.remaining - reserved_for_refunds).max(0)
    };
}

/// The payment's status once authorized, as the merchant API reports it: what happened to the
/// money.
pub fn money_status(p: &Position) -> CheckoutStatus {
    let l = &p.ledger;
    if p.auth_voided || p.capture_voided {
        CheckoutStatus::Voided
    } else if l.captured > 0 && l.remaining == 0 && l.refunded > 0 {
        CheckoutStatus::Refunded
    } else if l.refunded > 0 {
        CheckoutStatus::PartiallyRefunded
    } else if l.captured > 0 {
        CheckoutStatus::Captured
    } else {
        CheckoutStatus::Authorized
    }
}

/// Why an operation may not start; the message is for the merchant and mirrors the gateway's
/// wording.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

fn refuse(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        code,
        message: message.into(),
    }
}

/// A planned gateway call: what to reference and how much.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub original_transaction_id: String,
    pub amount: i64,
}

fn common(p: &Position) -> Result<String, Refusal> {
    let Some(authorization) = p.authorization_id.clone() else {
        return Err(refuse(
            "not_authorized",
            "This checkout has no approved authorization.",
        ));
    };
    if p.operation_open {
        return Err(refuse(
            "operation_in_progress",
            "An earlier operation on this payment is still being confirmed with the gateway. Try again once it has settled.",
        ));
    }
    if p.auth_voided || p.capture_voided {
        return Err(refuse("already_voided", "This payment has been voided."));
    }
    Ok(authorization)
}

/// Capture: once per authorization, full (no amount) or partial.
pub fn plan_capture(p: &Position, amount: Option<i64>) -> Result<Plan, Refusal> {
    let authorization = common(p)?;
    if p.capture_id.is_some() {
        return Err(refuse(
            "already_captured",
            "This payment has already been captured; refund it instead.",
        ));
    }
    let available = p.ledger.capturable;
    let wanted = amount.unwrap_or(available);
    if wanted < 1 || wanted > available {
        return Err(refuse(
            "exceeds_balance",
            format!("Capture amount of {wanted} exceeds the available balance of {available} for transaction ID {authorization}"),
        ));
    }
    Ok(Plan {
        original_transaction_id: authorization,
        amount: wanted,
    })
}

/// Void: the authorization before capture, or the capture (while its batch is open, which the
/// gateway decides) before any refund.
pub fn plan_void(p: &Position) -> Result<Plan, Refusal> {
    let authorization = common(p)?;
    match &p.capture_id {
        None => Ok(Plan { original_transaction_id: authorization, amount: p.ledger.authorized }),
        Some(_) if p.ledger.refunded > 0 || p.ledger.pending > 0 => Err(refuse(
            "partially_refunded",
            "Part of this payment has already been refunded, so it can no longer be voided. Refund the rest instead.",
        )),
        Some(capture) => Ok(Plan { original_transaction_id: capture.clone(), amount: p.ledger.captured }),
    }
}

/// The one reservation every path that sends captured money back checks — a referenced refund, a
/// refund link or a device refund bound to the payment, a refund to a new card: nothing while an
/// operation is open (a void in flight could take everything back), never more than what is
/// refundable (captured, minus what was refunded, voided, or is held by open refunds and links).
/// `amount` `None` takes all that is refundable. Returns the capture's transaction id and the amount.
fn reserve_refund(p: &Position, amount: Option<i64>) -> Result<(String, i64), Refusal> {
    common(p)?;
    let Some(capture) = p.capture_id.clone() else {
        return Err(refuse(
            "not_captured",
            "Nothing has been captured yet: void the authorization instead of refunding it.",
        ));
    };
    let available = p.ledger.refundable;
    let wanted = amount.unwrap_or(available);
    if wanted < 1 || wanted > available {
        return Err(refuse(
            "exceeds_balance",
            format!("Refund amount of {wanted} exceeds the available balance of {available} for transaction ID {capture}"),
        ));
    }
    Ok((capture, wanted))
}

/// Referenced refund of the capture: the seeds' rules (an explicit amount once partially refunded;
/// never more than what remains).
pub fn plan_refund(p: &Position, amount: Option<i64>) -> Result<Plan, Refusal> {
    common(p)?;
    let partially_refunded = p.partially_refunded || p.ledger.refunded > 0;
    if let (None, true, Some(capture)) = (amount, partially_refunded, &p.capture_id) {
        return Err(refuse(
            "amount_required",
            format!("An explicit amount is required because transaction ID {capture} already has partial refunds."),
        ));
    }
    let (capture, wanted) = reserve_refund(p, amount)?;
    Ok(Plan {
        original_transaction_id: capture,
        amount: wanted,
    })
}

/// A refund bound to the payment but paid elsewhere (a refund link to a card the customer types, a
/// refund on a payment device): held against the same reservation as a referenced refund.
pub fn plan_bound_refund(p: &Position, amount: i64) -> Result<i64, Refusal> {
    reserve_refund(p, Some(amount)).map(|(_, wanted)| wanted)
}

/// Refund to another card (through a refund link bound to this checkout): only after a referenced
/// refund was declined, like an unmatched refund must follow a declined tagged one.
pub fn plan_refund_to_new_card(p: &Position, amount: Option<i64>) -> Result<i64, Refusal> {
    common(p)?;
    if !p.last_refund_declined {
        return Err(refuse(
            "refund_not_declined",
            "A refund to a different card is only possible after a refund to the original card was declined. Refund the payment first.",
        ));
    }
    reserve_refund(p, amount).map(|(_, wanted)| wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(
        kind: OperationKind,
        state: OperationState,
        amount: i64,
        original: &str,
        txn: &str,
    ) -> Movement {
        Movement {
            kind,
            state,
            amount,
            approved_amount: (state == OperationState::Succeeded).then_some(amount),
            original_transaction_id: original.into(),
            transaction_id: Some(txn.into()),
            lost_but_held: false,
        }
    }

    const AUTH: Option<(&str, i64)> = Some(("trx_auth", 1000));

    #[test]
    fn a_voided_authorization_is_not_an_over_refund() {
        use OperationKind::*;
        use OperationState::*;
        let p = position(AUTH, &[op(Void, Succeeded, 1000, "trx_auth", "trx_v")], &[]);
        assert_eq!(p.ledger.voided, 1000);
        assert_eq!(p.ledger.over_refunded, 0);
        assert_eq!(p.ledger.remaining, 0);
        // A voided capture takes back what was captured; a refund beyond what is left is over.
        let p = position(
            AUTH,
            &[
                op(Capture, Succeeded, 1000, "trx_auth", "trx_c"),
                op(Void, Succeeded, 1000, "trx_c", "trx_vc"),
            ],
            &[LinkedRefund {
                amount: 300,
                hold: LinkHold::PaidOut(300),
                channel: RefundChannel::Link,
            }],
        );
        assert_eq!(p.ledger.over_refunded, 300);
        assert_eq!(p.ledger.remaining, 0);
    }

    #[test]
    fn partial_capture_then_refunds_down_to_zero() {
        let p = position(AUTH, &[], &[]);
        assert_eq!(p.ledger.capturable, 1000);
        assert_eq!(
            plan_capture(&p, Some(1001)).unwrap_err().code,
            "exceeds_balance"
        );
        let ops = vec![op(
            OperationKind::Capture,
            OperationState::Succeeded,
            800,
            "trx_auth",
            "trx_cap",
        )];
        let p = position(AUTH, &ops, &[]);
        assert_eq!(
            (p.ledger.captured, p.ledger.capturable, p.ledger.refundable),
            (800, 0, 800)
        );
        assert_eq!(plan_capture(&p, None).unwrap_err().code, "already_captured");
        assert_eq!(
            plan_refund(&p, None).unwrap(),
            Plan {
                original_transaction_id: "trx_cap".into(),
                amount: 800
            }
        );

        let mut ops = ops;
        ops.push(op(
            OperationKind::Refund,
            OperationState::Succeeded,
            300,
            "trx_cap",
            "trx_r1",
        ));
        let p = position(AUTH, &ops, &[]);
        assert_eq!(plan_refund(&p, None).unwrap_err().code, "amount_required");
        assert_eq!(p.ledger.refundable, 500);
        ops.push(op(
            OperationKind::Refund,
            OperationState::Succeeded,
            500,
            "trx_cap",
            "trx_r2",
        ));
        let p = position(AUTH, &ops, &[]);
        assert_eq!(
            (p.ledger.refunded, p.ledger.remaining, p.ledger.refundable),
            (800, 0, 0)
        );
        assert_eq!(money_status(&p), CheckoutStatus::Refunded);
        let refused = plan_refund(&p, Some(100)).unwrap_err();
        assert_eq!(
            refused.message,
            "Refund amount of 100 exceeds the available balance of 0 for transaction ID trx_cap"
        );
    }

    #[test]
    fn an_unsettled_operation_blocks_everything_and_holds_its_amount() {
        let ops = vec![
            op(
                OperationKind::Capture,
                OperationState::Succeeded,
                1000,
                "trx_auth",
                "trx_cap",
            ),
            op(
                OperationKind::Refund,
                OperationState::Unknown,
                400,
                "trx_cap",
                "trx_r1",
            ),
        ];
        let p = position(AUTH, &ops, &[]);
        assert_eq!((p.ledger.pending, p.ledger.refundable), (400, 600));
        assert_eq!(
            plan_refund(&p, Some(1)).unwrap_err().code,
            "operation_in_progress"
        );
        assert_eq!(plan_void(&p).unwrap_err().code, "operation_in_progress");
    }

    #[test]
    fn a_void_in_flight_reserves_everything_it_could_take_back() {
        use OperationKind::*;
        use OperationState::*;
        for state in [Pending, Unknown] {
            let ops = [
                op(Capture, Succeeded, 1000, "trx_auth", "trx_cap"),
                op(Void, state, 1000, "trx_cap", "trx_void"),
            ];
            let p = position(AUTH, &ops, &[]);
            assert_eq!(p.ledger.refundable, 0, "{state:?}");
            for refused in [
                plan_bound_refund(&p, 1000),
                plan_bound_refund(&p, 1),
                plan_refund(&p, Some(1)).map(|plan| plan.amount),
            ] {
                assert_eq!(refused.unwrap_err().code, "operation_in_progress");
            }
        }
        // Once the void is declined, the money is refundable again.
        let ops = [
            op(Capture, Succeeded, 1000, "trx_auth", "trx_cap"),
            op(Void, Declined, 1000, "trx_cap", "trx_void"),
        ];
        assert_eq!(
            plan_bound_refund(&position(AUTH, &ops, &[]), 1000),
            Ok(1000)
        );
        // A bound refund of money never captured is refused as such.
        assert_eq!(
            plan_bound_refund(&position(AUTH, &[], &[]), 10)
                .unwrap_err()
                .code,
            "not_captured"
        );
    }

    #[test]
    fn a_lost_refund_still_looked_up_holds_its_money_but_blocks_nothing_else() {
        use OperationKind::*;
        use OperationState::*;
        let capture = op(Capture, Succeeded, 1000, "trx_auth", "trx_cap");
        let lost = Movement {
            lost_but_held: true,
            ..op(Refund, Lost, 600, "trx_cap", "trx_r1")
        };
        let p = position(AUTH, &[capture.clone(), lost.clone()], &[]);
        assert_eq!((p.ledger.pending, p.ledger.refundable), (600, 400));
        assert_eq!(
            plan_refund(&p, Some(600)).unwrap_err().code,
            "exceeds_balance"
        );
        assert_eq!(plan_refund(&p, Some(400)).map(|plan| plan.amount), Ok(400));
        assert_eq!(plan_void(&p).unwrap_err().code, "partially_refunded");
        // Once its lookups end (the gateway never had it), the money is free again.
        let released = Movement {
            lost_but_held: false,
            ..lost
        };
        let p = position(AUTH, &[capture, released], &[]);
        assert_eq!((p.ledger.pending, p.ledger.refundable), (0, 1000));
    }

    #[test]
    fn void_targets_the_authorization_or_the_capture() {
        assert_eq!(
            plan_void(&position(AUTH, &[], &[]))
                .unwrap()
                .original_transaction_id,
            "trx_auth"
        );
        let ops = vec![op(
            OperationKind::Capture,
            OperationState::Succeeded,
            700,
            "trx_auth",
            "trx_cap",
        )];
        let plan = plan_void(&position(AUTH, &ops, &[])).unwrap();
        assert_eq!(
            (plan.original_transaction_id.as_str(), plan.amount),
            ("trx_cap", 700)
        );
        let mut voided = ops.clone();
        voided.push(op(
            OperationKind::Void,
            OperationState::Succeeded,
            700,
            "trx_cap",
            "trx_void",
        ));
        let p = position(AUTH, &voided, &[]);
        assert_eq!(
            (p.ledger.voided, p.ledger.remaining, p.ledger.refundable),
            (700, 0, 0)
        );
        assert_eq!(plan_refund(&p, Some(1)).unwrap_err().code, "already_voided");
        let auth_voided = position(
            AUTH,
            &[op(
                OperationKind::Void,
                OperationState::Succeeded,
                1000,
                "trx_auth",
                "v",
            )],
            &[],
        );
        assert_eq!(auth_voided.ledger.capturable, 0);
        assert_eq!(
            plan_capture(&auth_voided, None).unwrap_err().code,
            "already_voided"
        );
    }

    #[test]
    fn voids_of_stray_authorizations_do_not_touch_the_ledger() {
        let ops = vec![op(
            OperationKind::Void,
            OperationState::Queued,
            1000,
            "trx_duplicate",
            "",
        )];
        let p = position(AUTH, &ops, &[]);
        assert_eq!(
            (p.ledger.voided, p.ledger.pending, p.ledger.capturable),
            (0, 0, 1000)
        );
        assert!(!p.operation_open);
        assert!(plan_capture(&p, None).is_ok());
    }

    #[test]
    fn refund_to_a_new_card_needs_a_declined_refund_and_links_hold_their_amount() {
        let mut ops = vec![op(
            OperationKind::Capture,
            OperationState::Succeeded,
            1000,
            "trx_auth",
            "trx_cap",
        )];
        assert_eq!(
            plan_refund_to_new_card(&position(AUTH, &ops, &[]), None)
                .unwrap_err()
                .code,
            "refund_not_declined"
        );
        ops.push(op(
            OperationKind::Refund,
            OperationState::Declined,
            1000,
            "trx_cap",
            "trx_r1",
        ));
        let p = position(AUTH, &ops, &[]);
        assert_eq!(p.ledger.refunded, 0);
        assert_eq!(plan_refund_to_new_card(&p, None), Ok(1000));
        let reserved = [LinkedRefund {
            amount: 1000,
            hold: LinkHold::Reserved,
            channel: RefundChannel::Link,
        }];
        let p = position(AUTH, &ops, &reserved);
        assert_eq!((p.ledger.pending, p.ledger.refundable), (1000, 0));
        let paid = [LinkedRefund {
            amount: 1000,
            hold: LinkHold::PaidOut(1000),
            channel: RefundChannel::Link,
        }];
        let p = position(AUTH, &ops, &paid);
        assert_eq!(
            (
                p.ledger.refunded,
                p.ledger.refunded_to_other_cards,
                p.ledger.remaining
            ),
            (1000, 1000, 0)
        );
        assert_eq!(p.ledger.over_refunded, 0);
    }

    #[test]
    fn the_ledger_does_not_depend_on_the_order_of_the_operations() {
        let ops = vec![
            op(
                OperationKind::Refund,
                OperationState::Succeeded,
                300,
                "trx_cap",
                "trx_r1",
            ),
            op(
                OperationKind::Capture,
                OperationState::Succeeded,
                1000,
                "trx_auth",
                "trx_cap",
            ),
        ];
        let p = position(AUTH, &ops, &[]);
        assert_eq!((p.ledger.refunded, p.ledger.remaining), (300, 700));
    }

    #[test]
    fn a_link_paid_out_twice_shows_as_over_refunded_never_hidden() {
        let mut ops = vec![op(
            OperationKind::Capture,
            OperationState::Succeeded,
            1000,
            "trx_auth",
            "trx_cap",
        )];
        ops.push(op(
            OperationKind::Refund,
            OperationState::Declined,
            1000,
            "trx_cap",
            "trx_r1",
        ));
        let twice = [LinkedRefund {
            amount: 1000,
            hold: LinkHold::PaidOut(2000),
            channel: RefundChannel::Link,
        }];
        let p = position(AUTH, &ops, &twice);
        assert_eq!(
            (
                p.ledger.refunded,
                p.ledger.remaining,
                p.ledger.over_refunded
            ),
            (2000, 0, 1000)
        );
    }

    #[test]
    fn a_device_refund_holds_while_the_device_works_and_counts_once_paid() {
        use OperationKind::*;
        use OperationState::*;
        let captured = [op(Capture, Succeeded, 1000, "trx_auth", "trx_cap")];
        let device = |hold| LinkedRefund {
            amount: 600,
            hold,
            channel: RefundChannel::Device,
        };
        let waiting = position(AUTH, &captured, &[device(LinkHold::Reserved)]);
        assert_eq!(
            (waiting.ledger.pending, waiting.ledger.refundable),
            (600, 400)
        );
        let paid = position(AUTH, &captured, &[device(LinkHold::PaidOut(600))]);
        assert_eq!(paid.ledger.refunded, 600);
        assert_eq!(paid.ledger.refunded_on_devices, 600);
        assert_eq!(paid.ledger.refunded_to_other_cards, 0);
        assert_eq!(paid.ledger.remaining, 400);
        let declined = position(AUTH, &captured, &[device(LinkHold::Released)]);
        assert_eq!(
            (declined.ledger.pending, declined.ledger.refundable),
            (0, 1000)
        );
    }
}
