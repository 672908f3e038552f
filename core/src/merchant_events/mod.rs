//! Events paydesk sends to the merchant's backend: what they say, how they are signed, and how they
//! are delivered from the durable outbox.

pub mod delivery;
pub mod signature;

use serde_json::json;

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
    pub const ALL: [&str; 33] = [
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
    ];
}

/// An event about `subject` (a checkout, refund link, refund or device refund: events of one subject
/// reach the merchant in the order they were written).
fn event(
    subject: &str,
    dedupe_key: String,
    event_type: &str,
    data: serde_json::Value,
    now_ms: i64,
) -> MerchantEventRecord {
    let id = format!("evt_{}", ulid::Ulid::new());
    let payload = json!({
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
    let mut data = link_data(link, transaction_id, link_status);
    data["amount"] = json!(link.amount);
    if event_type == types::REFUND_LINK_COMPLETED {
        // What reached the customer's card: less than `amount` when the gateway approved part.
        data["approvedAmount"] = json!(approved_amount.unwrap_or(link.amount));
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
    let mut data = link_data(link, transaction_id, CheckoutStatus::Authorized);
    data["amount"] = json!(amount);
    data["payouts"] = json!(payouts);
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
    let mut data = link_facts(link, link.status);
    data["declines"] = json!(declines);
    data["locked"] = json!(true);
    event(
        &link.id,
        format!("{event_type}:{}:{now_ms}", link.id),
        event_type,
        data,
        now_ms,
    )
}

/// The event for a link the merchant canceled (`refund_link.canceled`, `payment.canceled`), once it
/// ended unused (it moves nothing and
/// holds nothing from then on), once per link.
pub fn for_link_cancel(link: &LinkRecord, now_ms: i64) -> MerchantEventRecord {
    let event_type = match link.kind {
        LinkKind::Refund => types::REFUND_LINK_CANCELED,
        LinkKind::Payment => types::PAYMENT_CANCELED,
    };
    let mut data = link_facts(link, CheckoutStatus::Canceled);
    data["amount"] = json!(link.amount);
    event(
        &link.id,
        format!("{event_type}:{}", link.id),
        event_type,
        data,
        now_ms,
    )
}

/// The event for a link whose time ran out unpaid (every session it opened proven unused): it pays
/// nothing and holds nothing, once per link.
pub fn for_link_expiry(link: &LinkRecord, now_ms: i64) -> MerchantEventRecord {
    let event_type = match link.kind {
        LinkKind::Refund => types::REFUND_LINK_EXPIRED,
        LinkKind::Payment => types::PAYMENT_EXPIRED,
    };
    let mut data = link_facts(link, CheckoutStatus::Expired);
    data["amount"] = json!(link.amount);
    event(
        &link.id,
        format!("{event_type}:{}", link.id),
        event_type,
        data,
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
        json!({ "message": "A test event from paydesk's sandbox: your endpoint received it and can check its signature." }),
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
    let data = json!({
        "approvalId": approval.id,
        "kind": approval.kind.as_str(),
        "amount": approval.amount,
        "currency": approval.currency,
        "status": approval.status.as_str(),
        "resultId": approval.result_id,
    });
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
    let mut data = link_facts(link, link.status);
    data["amount"] = json!(link.amount);
    data["storefrontOrigin"] = json!(storefront_origin);
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
    let data = json!({
        "refundId": refund.id,
        "gateway": refund.gateway,
        "amount": refund.amount,
        "currency": refund.currency,
        "orderNumber": refund.order_number,
        "status": refund.status.as_str(),
        "storefrontOrigin": storefront_origin,
        "metadata": metadata_of(refund.metadata.as_deref()),
    });
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
    let data = json!({
        "refundId": refund.id,
        "gateway": refund.gateway,
        "amount": refund.amount,
        "currency": refund.currency,
        "orderNumber": refund.order_number,
        "status": refund.status.as_str(),
        "cardDeclines": refund.card_declines,
        "declines": declines,
        "locked": true,
        "metadata": metadata_of(refund.metadata.as_deref()),
    });
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
    let data = json!({
        "deviceRefundId": refund.id,
        "device": refund.device,
        "amount": refund.amount,
        "approvedAmount": refund.approved_amount,
        "currency": refund.currency,
        "orderId": refund.order_id,
        "checkoutId": refund.checkout_id,
        "refundId": refund.refund_id,
        "metadata": metadata_of(refund.metadata.as_deref()),
        "status": refund.status.as_str(),
        "message": refund.message,
    });
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
    let data = json!({
        "deviceRefundId": refund.id,
        "device": refund.device,
        "amount": refund.amount,
        "approvedAmount": refund.approved_amount,
        "currency": refund.currency,
        "orderId": refund.order_id,
        "checkoutId": refund.checkout_id,
        "refundId": refund.refund_id,
        "metadata": metadata_of(refund.metadata.as_deref()),
        "status": status.as_str(),
        "message": message,
    });
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
    let data = json!({
        "refundId": refund.id,
        "gateway": refund.gateway,
        "originalTransactionId": refund.original_transaction_id,
        "originalMerchantTransactionId": refund.original_merchant_transaction_id,
        "amount": refund.amount,
        "currency": refund.currency,
        "orderNumber": refund.order_number,
        "status": refund.status.as_str(),
        "declineCode": refund.decline_code,
        "cardDeclines": refund.card_declines,
        "gatewayTransactionId": refund.gateway_transaction_id,
        "refundedAmount": refund.refunded_amount,
        "refundedBy": refund.refunded_by.map(|kind| kind.as_str()),
        "metadata": metadata_of(refund.metadata.as_deref()),
    });
    Some(event(
        &refund.id,
        format!("gateway_refund:{}:{key}", refund.id),
        event_type,
        data,
        now_ms,
    ))
}

/// What an event about a link itself (not one of its transactions) says: [`link_data`] without a
/// transaction, with the link's `status`.
fn link_facts(link: &LinkRecord, status: CheckoutStatus) -> serde_json::Value {
    let mut data = link_data(link, "", status);
    if let Some(map) = data.as_object_mut() {
        map.remove("transactionId");
    }
    data
}

/// What every link event says: which link (and payment), the transaction, the order, the status.
fn link_data(
    link: &LinkRecord,
    transaction_id: &str,
    link_status: CheckoutStatus,
) -> serde_json::Value {
    let (id_field, status) = match link.kind {
        LinkKind::Payment => ("checkoutId", link_status.as_str()),
        LinkKind::Refund => ("refundLinkId", link_status.for_refund_link()),
    };
    let mut data = json!({
        id_field: link.id,
        "transactionId": transaction_id,
        "currency": link.currency,
        "orderNumber": link.order_number,
        "referenceId": link.merchant_reference_id,
        "status": status,
        "metadata": metadata_of(link.metadata.as_deref()),
    });
    if let Some(original) = &link.refund_of_checkout_id {
        data["checkoutId"] = json!(original);
    }
    data
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
    let data = json!({
        "checkoutId": checkout.id,
        "operationId": op.id,
        "transactionId": outcome.transaction_id,
        "amount": outcome.approved_amount.filter(|a| *a > 0).unwrap_or(op.amount),
        "currency": checkout.currency,
        "orderNumber": checkout.order_number,
        "referenceId": checkout.merchant_reference_id,
        "status": payment_status.as_str(),
        "metadata": metadata_of(checkout.metadata.as_deref()),
    });
    Some(event(
        &checkout.id,
        format!("{event_type}:{}", op.id),
        event_type,
        data,
        now_ms,
    ))
}
