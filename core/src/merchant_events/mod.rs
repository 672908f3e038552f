//! Events paydesk sends to the merchant's backend: what they say, how they are signed, and how they
//! are delivered from the durable outbox.

pub mod delivery;
pub mod payloads;
pub mod signature;

use serde::Serialize;

use payloads::{
    DeviceRefundEventData, LinkEventData, OperationEventData, PayoutApprovalEventData,
    RefundEventData, TestEventData,
};

use crate::model::{
    metadata_of, ApprovalStatus, AttemptState, CheckoutStatus, DeviceRefundStatus,
    GatewayRefundStatus, LinkKind, OperationKind, OperationState,
};
use crate::store::{
    AttemptRecord, DeviceRefundRecord, GatewayRefundRecord, LinkRecord, MerchantEventRecord,
    OperationOutcome, OperationRecord, PayoutApprovalRecord, ReversalEnd,
};

/// Every event type paydesk sends.
pub mod types {
    pub const PAYMENT_AUTHORIZED: &str = "payment.authorized";
    pub const PAYMENT_DECLINED: &str = "payment.declined";
    pub const PAYMENT_CAPTURED: &str = "payment.captured";
    pub const PAYMENT_VOIDED: &str = "payment.voided";
    pub const PAYMENT_REFUNDED: &str = "payment.refunded";
    pub const PAYMENT_REFUND_DECLINED: &str = "payment.refund_declined";
    pub const REFUND_LINK_COMPLETED: &str = "refund_link.completed";
    pub const REFUND_LINK_DECLINED: &str = "refund_link.declined";
    pub const REFUND_LINK_OVERPAID: &str = "refund_link.overpaid";
    pub const PAYMENT_LOCKED: &str = "payment.locked";
    pub const REFUND_LINK_LOCKED: &str = "refund_link.locked";
    pub const DEVICE_REFUND_COMPLETED: &str = "device_refund.completed";
    pub const DEVICE_REFUND_DECLINED: &str = "device_refund.declined";
    pub const DEVICE_REFUND_FAILED: &str = "device_refund.failed";
    pub const DEVICE_REFUND_CANCELED: &str = "device_refund.canceled";
    pub const DEVICE_REFUND_REVERSED: &str = "device_refund.reversed";
    pub const DEVICE_REFUND_REVERSAL_REFUSED: &str = "device_refund.reversal_refused";
    pub const REFUND_REFUNDED: &str = "refund.refunded";
    pub const REFUND_AWAITING_CARD: &str = "refund.awaiting_card";
    pub const REFUND_DECLINED: &str = "refund.declined";
    pub const REFUND_FAILED: &str = "refund.failed";
    pub const REFUND_EXPIRED: &str = "refund.expired";
    pub const REFUND_LOCKED: &str = "refund.locked";
    pub const PAYMENT_ABANDONED: &str = "payment.abandoned";
    pub const REFUND_LINK_ABANDONED: &str = "refund_link.abandoned";
    pub const REFUND_LINK_CANCELED: &str = "refund_link.canceled";
    pub const PAYMENT_CANCELED: &str = "payment.canceled";
    pub const REFUND_CANCELED: &str = "refund.canceled";
    pub const PAYOUT_APPROVAL_APPROVED: &str = "payout_approval.approved";
    pub const PAYOUT_APPROVAL_REJECTED: &str = "payout_approval.rejected";
    pub const REFUND_ABANDONED: &str = "refund.abandoned";
    pub const PAYMENT_EXPIRED: &str = "payment.expired";
    pub const REFUND_LINK_EXPIRED: &str = "refund_link.expired";
    pub const WEBHOOK_TEST: &str = "webhook.test";
    pub const ALL: [&str; 34] = [
        PAYMENT_AUTHORIZED,
        PAYMENT_DECLINED,
        PAYMENT_CAPTURED,
        PAYMENT_VOIDED,
        PAYMENT_REFUNDED,
        PAYMENT_REFUND_DECLINED,
        REFUND_LINK_COMPLETED,
        REFUND_LINK_DECLINED,
        REFUND_LINK_OVERPAID,
        PAYMENT_LOCKED,
        REFUND_LINK_LOCKED,
        DEVICE_REFUND_COMPLETED,
        DEVICE_REFUND_DECLINED,
        DEVICE_REFUND_FAILED,
        DEVICE_REFUND_CANCELED,
        DEVICE_REFUND_REVERSED,
        DEVICE_REFUND_REVERSAL_REFUSED,
        REFUND_REFUNDED,
        REFUND_AWAITING_CARD,
        REFUND_DECLINED,
        REFUND_FAILED,
        REFUND_EXPIRED,
        PAYMENT_ABANDONED,
        REFUND_LINK_ABANDONED,
        REFUND_ABANDONED,
        REFUND_LINK_CANCELED,
        PAYMENT_CANCELED,
        REFUND_CANCELED,
        PAYOUT_APPROVAL_APPROVED,
        PAYOUT_APPROVAL_REJECTED,
        PAYMENT_EXPIRED,
        REFUND_LINK_EXPIRED,
        WEBHOOK_TEST,
        REFUND_LOCKED,
    ];
}

/// An event about `subject` (a checkout, refund link, refund or device refund: events of one subject
/// reach the merchant in the order they were written).
fn event(
    subject: &str,
    dedupe_key: String,
    event_type: &str,
    data: impl Serialize,
    now_ms: i64,
) -> MerchantEventRecord {
    let id = format!("evt_{}", ulid::Ulid::new());
    let payload = serde_json::json!({
        "id": id,
        "type": event_type,
        "created": now_ms / 1000,
        "data": data,
    });
    MerchantEventRecord {
        id,
        subject: Some(subject.to_string()),
        dedupe_key,
        event_type: event_type.to_string(),
        payload: payload.to_string(),
        created_at: now_ms,
        status: "pending".into(),
        attempts: 0,
        next_attempt_at: now_ms,
        last_error: None,
        delivered_at: None,
    }
}

/// The event for a hosted-form outcome of a checkout or refund link, if it is one merchants hear of,
/// with the link's status once the outcome is recorded. An approval is reported once per link; each
/// declined attempt once — but never once the link is authorized (a late decline of an older attempt
/// changes nothing the merchant must act on).
pub fn for_attempt_outcome(
    link: &LinkRecord,
    attempt: &AttemptRecord,
    outcome: AttemptState,
    transaction_id: &str,
    approved_amount: Option<i64>,
    link_status: CheckoutStatus,
    now_ms: i64,
) -> Option<MerchantEventRecord> {
    let authorized =
        link.authorized_transaction_id.is_some() || link_status == CheckoutStatus::Authorized;
    let (event_type, key_subject) = match (link.kind, outcome) {
        (LinkKind::Payment, AttemptState::Approved) => {
            (types::PAYMENT_AUTHORIZED, link.id.as_str())
        }
        (LinkKind::Payment, AttemptState::Declined) if !authorized => {
            (types::PAYMENT_DECLINED, attempt.id.as_str())
        }
        (LinkKind::Refund, AttemptState::Approved) => {
            (types::REFUND_LINK_COMPLETED, link.id.as_str())
        }
        (LinkKind::Refund, AttemptState::Declined) if !authorized => {
            (types::REFUND_LINK_DECLINED, attempt.id.as_str())
        }
        _ => return None,
    };
    let mut data = link_data(link, Some(transaction_id), link_status);
    if event_type == types::REFUND_LINK_COMPLETED {
        // What reached the customer's card: less than `amount` when the gateway approved part.
        data.approved_amount = Some(approved_amount.unwrap_or(link.amount));
    }
    Some(event(
        &link.id,
        format!("{event_type}:{key_subject}"),
        event_type,
        data,
        now_ms,
    ))
}

/// The event for a refund link that paid out again (`payouts` times in all): money the merchant
/// did not mean to send, reported once per extra payout.
pub fn for_overpayment(
    link: &LinkRecord,
    transaction_id: &str,
    amount: i64,
    payouts: usize,
    now_ms: i64,
) -> MerchantEventRecord {
    let data = LinkEventData {
        amount,
        payouts: Some(payouts),
        ..link_data(link, Some(transaction_id), CheckoutStatus::Authorized)
    };
    let event_type = types::REFUND_LINK_OVERPAID;
    event(
        &link.id,
        format!("{event_type}:{transaction_id}"),
        event_type,
        data,
        now_ms,
    )
}

/// The event for a link locked after `declines` declined cards (card testing): no new card form
/// opens until the merchant unlocks it. Reported once per lock.
pub fn for_lock(link: &LinkRecord, declines: i64, now_ms: i64) -> MerchantEventRecord {
    let event_type = match link.kind {
        LinkKind::Payment => types::PAYMENT_LOCKED,
        LinkKind::Refund => types::REFUND_LINK_LOCKED,
    };
    let data = LinkEventData {
        declines: Some(declines),
        locked: Some(true),
        ..link_data(link, None, link.status)
    };
    event(
        &link.id,
        format!("{event_type}:{}:{now_ms}", link.id),
        event_type,
        data,
        now_ms,
    )
}

/// The event for a link the merchant canceled (`refund_link.canceled`, `payment.canceled`), once it
/// ended unused (it moves nothing and holds nothing from then on), once per link.
pub fn for_link_cancel(link: &LinkRecord, now_ms: i64) -> MerchantEventRecord {
    link_ended(link, CheckoutStatus::Canceled, now_ms)
}

/// The event for a link whose time ran out unpaid (every session it opened proven unused): it pays
/// nothing and holds nothing, once per link.
pub fn for_link_expiry(link: &LinkRecord, now_ms: i64) -> MerchantEventRecord {
    link_ended(link, CheckoutStatus::Expired, now_ms)
}

/// The one event of a link that ended `ended` (canceled or expired) unused.
fn link_ended(link: &LinkRecord, ended: CheckoutStatus, now_ms: i64) -> MerchantEventRecord {
    let event_type = match (link.kind, ended) {
        (LinkKind::Refund, CheckoutStatus::Canceled) => types::REFUND_LINK_CANCELED,
        (LinkKind::Payment, CheckoutStatus::Canceled) => types::PAYMENT_CANCELED,
        (LinkKind::Refund, _) => types::REFUND_LINK_EXPIRED,
        (LinkKind::Payment, _) => types::PAYMENT_EXPIRED,
    };
    event(
        &link.id,
        format!("{event_type}:{}", link.id),
        event_type,
        link_data(link, None, ended),
        now_ms,
    )
}

/// A test event (sandbox mode: the merchant checks its endpoint and signature verification).
pub fn for_test(now_ms: i64) -> MerchantEventRecord {
    let key = format!("{}:{}", types::WEBHOOK_TEST, ulid::Ulid::new());
    event(
        "webhook.test",
        key,
        types::WEBHOOK_TEST,
        TestEventData {
            message: "A test event from paydesk's sandbox: your endpoint received it and can check its signature.".into(),
        },
        now_ms,
    )
}

/// The event for a decision on a payout that waited for a second staff member (approved: `resultId`
/// names what was created), once per request.
pub fn for_payout_decision(
    approval: &PayoutApprovalRecord,
    now_ms: i64,
) -> Option<MerchantEventRecord> {
    let event_type = match approval.status {
        ApprovalStatus::Approved => types::PAYOUT_APPROVAL_APPROVED,
        ApprovalStatus::Rejected => types::PAYOUT_APPROVAL_REJECTED,
        ApprovalStatus::Pending | ApprovalStatus::Expired => return None,
    };
    let data = PayoutApprovalEventData {
        approval_id: approval.id.clone(),
        kind: approval.kind.as_str().into(),
        amount: approval.amount,
        currency: approval.currency.clone(),
        status: approval.status.as_str().into(),
        result_id: approval.result_id.clone(),
    };
    Some(event(
        &approval.id,
        format!("{event_type}:{}", approval.id),
        event_type,
        data,
        now_ms,
    ))
}

/// The event for a customer who left a link's embedded page (the storefront called `cancel()`),
/// once per link. Nothing else changes: the link stays open, and an outcome that comes later is
/// still reported as usual.
pub fn for_link_abandonment(
    link: &LinkRecord,
    storefront_origin: &str,
    now_ms: i64,
) -> MerchantEventRecord {
    let event_type = match link.kind {
        LinkKind::Payment => types::PAYMENT_ABANDONED,
        LinkKind::Refund => types::REFUND_LINK_ABANDONED,
    };
    let data = LinkEventData {
        storefront_origin: Some(storefront_origin.to_string()),
        ..link_data(link, None, link.status)
    };
    event(
        &link.id,
        format!("{event_type}:{}", link.id),
        event_type,
        data,
        now_ms,
    )
}

/// As [`for_link_abandonment`], for a refund waiting for a new card.
pub fn for_gateway_refund_abandonment(
    refund: &GatewayRefundRecord,
    storefront_origin: &str,
    now_ms: i64,
) -> MerchantEventRecord {
    let event_type = types::REFUND_ABANDONED;
    let data = RefundEventData {
        storefront_origin: Some(storefront_origin.to_string()),
        ..refund_data(refund)
    };
    event(
        &refund.id,
        format!("{event_type}:{}", refund.id),
        event_type,
        data,
        now_ms,
    )
}

/// As [`for_lock`], for a refund waiting for a new card: its page opens no card form until the
/// merchant unlocks it. Reported once per lock.
pub fn for_gateway_refund_lock(
    refund: &GatewayRefundRecord,
    declines: i64,
    now_ms: i64,
) -> MerchantEventRecord {
    let event_type = types::REFUND_LOCKED;
    let data = RefundEventData {
        declines: Some(declines),
        locked: Some(true),
        ..refund_data(refund)
    };
    event(
        &refund.id,
        format!("{event_type}:{}:{now_ms}", refund.id),
        event_type,
        data,
        now_ms,
    )
}

/// The event for a device refund that ended (`refund` as it ends), once per refund.
pub fn for_device_refund(refund: &DeviceRefundRecord, now_ms: i64) -> Option<MerchantEventRecord> {
    let event_type = match refund.status {
        DeviceRefundStatus::Completed => types::DEVICE_REFUND_COMPLETED,
        DeviceRefundStatus::Declined => types::DEVICE_REFUND_DECLINED,
        DeviceRefundStatus::Failed => types::DEVICE_REFUND_FAILED,
        DeviceRefundStatus::Canceled => types::DEVICE_REFUND_CANCELED,
        _ => return None,
    };
    let data = device_refund_data(refund, refund.status, refund.message.clone());
    Some(event(
        &refund.id,
        format!("device_refund:{}", refund.id),
        event_type,
        data,
        now_ms,
    ))
}

/// The event for the end of a device refund's reversal (`refund` as it was before it ended): once
/// per reversal asked for (its key), `device_refund.reversed` or `device_refund.reversal_refused`.
pub fn for_device_refund_reversal(
    refund: &DeviceRefundRecord,
    end: ReversalEnd,
    message: Option<&str>,
    now_ms: i64,
) -> MerchantEventRecord {
    let (event_type, status) = match end {
        ReversalEnd::Reversed => (types::DEVICE_REFUND_REVERSED, DeviceRefundStatus::Reversed),
        ReversalEnd::Refused => (
            types::DEVICE_REFUND_REVERSAL_REFUSED,
            DeviceRefundStatus::Completed,
        ),
    };
    let data = device_refund_data(refund, status, message.map(str::to_string));
    let key = refund.reversal.reversal_key.as_deref().unwrap_or_default();
    event(
        &refund.id,
        format!("device_refund_reversal:{}:{key}", refund.id),
        event_type,
        data,
        now_ms,
    )
}

/// The event for a refund of a gateway-held charge reaching `refund.status`, if merchants hear of it:
/// `refund.awaiting_card` when the original card is closed (the link to send the customer is on the
/// refund, for `refunds` tokens) and again after each new card declined (`cardDeclines`), then one
/// final event.
pub fn for_gateway_refund(
    refund: &GatewayRefundRecord,
    now_ms: i64,
) -> Option<MerchantEventRecord> {
    let (event_type, key) = match refund.status {
        GatewayRefundStatus::Refunded => (types::REFUND_REFUNDED, "end".to_string()),
        GatewayRefundStatus::Declined => (types::REFUND_DECLINED, "end".to_string()),
        GatewayRefundStatus::Failed => (types::REFUND_FAILED, "end".to_string()),
        GatewayRefundStatus::Expired => (types::REFUND_EXPIRED, "end".to_string()),
        GatewayRefundStatus::Canceled => (types::REFUND_CANCELED, "end".to_string()),
        GatewayRefundStatus::AwaitingCard => (
            types::REFUND_AWAITING_CARD,
            format!("awaiting_card:{}", refund.card_declines),
        ),
        GatewayRefundStatus::Processing => return None,
    };
    let data = refund_data(refund);
    Some(event(
        &refund.id,
        format!("gateway_refund:{}:{key}", refund.id),
        event_type,
        data,
        now_ms,
    ))
}

/// What every link event says: which link (and payment), the transaction if the event is about
/// one, the amount, the order, the status (as the link's kind says it) and the metadata.
fn link_data(
    link: &LinkRecord,
    transaction_id: Option<&str>,
    link_status: CheckoutStatus,
) -> LinkEventData {
    let (checkout_id, refund_link_id, status) = match link.kind {
        LinkKind::Payment => (Some(link.id.clone()), None, link_status.as_str()),
        LinkKind::Refund => (
            link.refund_of_checkout_id.clone(),
            Some(link.id.clone()),
            link_status.for_refund_link(),
        ),
    };
    LinkEventData {
        checkout_id,
        refund_link_id,
        transaction_id: transaction_id.map(str::to_string),
        amount: link.amount,
        currency: link.currency.clone(),
        order_number: link.order_number.clone(),
        reference_id: link.merchant_reference_id.clone(),
        status: status.to_string(),
        metadata: metadata_of(link.metadata.as_deref()),
        ..Default::default()
    }
}

/// What every event about a Commerce Hub refund says.
fn refund_data(refund: &GatewayRefundRecord) -> RefundEventData {
    RefundEventData {
        refund_id: refund.id.clone(),
        gateway: refund.gateway.clone(),
        original_transaction_id: refund.original_transaction_id.clone(),
        original_merchant_transaction_id: refund.original_merchant_transaction_id.clone(),
        amount: refund.amount,
        currency: refund.currency.clone(),
        order_number: refund.order_number.clone(),
        status: refund.status.as_str().to_string(),
        decline_code: refund.decline_code.clone(),
        card_declines: refund.card_declines,
        gateway_transaction_id: refund.gateway_transaction_id.clone(),
        refunded_amount: refund.refunded_amount,
        refunded_by: refund.refunded_by.map(|kind| kind.as_str().to_string()),
        metadata: metadata_of(refund.metadata.as_deref()),
        declines: None,
        locked: None,
        storefront_origin: None,
    }
}

/// What every event about a device refund says, with its `status` and `message` as the event has
/// them.
fn device_refund_data(
    refund: &DeviceRefundRecord,
    status: DeviceRefundStatus,
    message: Option<String>,
) -> DeviceRefundEventData {
    DeviceRefundEventData {
        device_refund_id: refund.id.clone(),
        device: refund.device.clone(),
        amount: refund.amount,
        approved_amount: refund.approved_amount,
        currency: refund.currency.clone(),
        order_id: refund.order_id.clone(),
        checkout_id: refund.checkout_id.clone(),
        refund_id: refund.refund_id.clone(),
        metadata: metadata_of(refund.metadata.as_deref()),
        status: status.as_str().to_string(),
        message,
    }
}

/// The event for a settled capture, void or refund of a payment (none for automatic voids of
/// authorizations the checkout does not keep), with the payment's status once it is settled.
pub fn for_operation(
    checkout: &LinkRecord,
    op: &OperationRecord,
    outcome: &OperationOutcome,
    payment_status: CheckoutStatus,
    now_ms: i64,
) -> Option<MerchantEventRecord> {
    if op.is_automatic() {
        return None;
    }
    let event_type = match (op.kind, outcome.state) {
        (OperationKind::Capture, OperationState::Succeeded) => types::PAYMENT_CAPTURED,
        (OperationKind::Void, OperationState::Succeeded) => types::PAYMENT_VOIDED,
        (OperationKind::Refund, OperationState::Succeeded) => types::PAYMENT_REFUNDED,
        (OperationKind::Refund, OperationState::Declined) => types::PAYMENT_REFUND_DECLINED,
        _ => return None,
    };
    let data = OperationEventData {
        checkout_id: checkout.id.clone(),
        operation_id: op.id.clone(),
        transaction_id: outcome.transaction_id.clone(),
        amount: outcome
            .approved_amount
            .filter(|a| *a > 0)
            .unwrap_or(op.amount),
        currency: checkout.currency.clone(),
        order_number: checkout.order_number.clone(),
        reference_id: checkout.merchant_reference_id.clone(),
        status: payment_status.as_str().to_string(),
        metadata: metadata_of(checkout.metadata.as_deref()),
    };
    Some(event(
        &checkout.id,
        format!("{event_type}:{}", op.id),
        event_type,
        data,
        now_ms,
    ))
}

#[cfg(test)]
mod tests {
    use super::payloads::{catalogued, CATALOGUE};
    use super::types;

    #[test]
    fn every_event_type_is_catalogued_once() {
        for event_type in types::ALL {
            assert!(catalogued(event_type).is_some(), "{event_type}");
        }
        assert_eq!(CATALOGUE.len(), types::ALL.len());
    }
}
