//! Events paydesk sends to the merchant's backend: what they say, how they are signed, and how they
//! are delivered from the durable outbox.

pub mod delivery;
pub mod signature;

use serde_json::json;

use crate::model::{AttemptState, LinkKind, OperationKind, OperationState};
use crate::server::store::{AttemptRecord, LinkRecord, MerchantEventRecord, OperationRecord};

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
    pub const ALL: [&str; 8] = [
        PAYMENT_AUTHORIZED,
        PAYMENT_DECLINED,
        PAYMENT_CAPTURED,
        PAYMENT_VOIDED,
        PAYMENT_REFUNDED,
        PAYMENT_REFUND_DECLINED,
        REFUND_LINK_COMPLETED,
        REFUND_LINK_DECLINED,
    ];
}

fn event(
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

/// The event for a hosted-form outcome of a checkout or refund link, if it is one merchants hear
/// of. An approval is reported once per link; each declined attempt once.
pub fn for_attempt_outcome(
    link: &LinkRecord,
    attempt: &AttemptRecord,
    outcome: AttemptState,
    transaction_id: &str,
    now_ms: i64,
) -> Option<MerchantEventRecord> {
    let (event_type, key_subject) = match (link.kind, outcome) {
        (LinkKind::Payment, AttemptState::Approved) => {
            (types::PAYMENT_AUTHORIZED, link.id.as_str())
        }
        (LinkKind::Payment, AttemptState::Declined) => {
            (types::PAYMENT_DECLINED, attempt.id.as_str())
        }
        (LinkKind::Refund, AttemptState::Approved) => {
            (types::REFUND_LINK_COMPLETED, link.id.as_str())
        }
        (LinkKind::Refund, AttemptState::Declined) => {
            (types::REFUND_LINK_DECLINED, attempt.id.as_str())
        }
        _ => return None,
    };
    let id_field = match link.kind {
        LinkKind::Payment => "checkoutId",
        LinkKind::Refund => "refundLinkId",
    };
    let mut data = json!({
        id_field: link.id,
        "transactionId": transaction_id,
        "amount": link.amount,
        "currency": link.currency,
        "orderNumber": link.order_number,
        "referenceId": link.merchant_reference_id,
    });
    if let Some(original) = &link.refund_of_checkout_id {
        data["checkoutId"] = json!(original);
    }
    Some(event(
        format!("{event_type}:{key_subject}"),
        event_type,
        data,
        now_ms,
    ))
}

/// The event for a settled capture, void or refund of a payment (none for automatic voids of
/// authorizations the checkout does not keep).
pub fn for_operation(
    checkout: &LinkRecord,
    op: &OperationRecord,
    outcome: OperationState,
    transaction_id: Option<&str>,
    approved_amount: Option<i64>,
    now_ms: i64,
) -> Option<MerchantEventRecord> {
    if op.is_automatic() {
        return None;
    }
    let event_type = match (op.kind, outcome) {
        (OperationKind::Capture, OperationState::Succeeded) => types::PAYMENT_CAPTURED,
        (OperationKind::Void, OperationState::Succeeded) => types::PAYMENT_VOIDED,
        (OperationKind::Refund, OperationState::Succeeded) => types::PAYMENT_REFUNDED,
        (OperationKind::Refund, OperationState::Declined) => types::PAYMENT_REFUND_DECLINED,
        _ => return None,
    };
    let data = json!({
        "checkoutId": checkout.id,
        "operationId": op.id,
        "transactionId": transaction_id,
        "amount": approved_amount.filter(|a| *a > 0).unwrap_or(op.amount),
        "currency": checkout.currency,
        "orderNumber": checkout.order_number,
        "referenceId": checkout.merchant_reference_id,
    });
    Some(event(
        format!("{event_type}:{}", op.id),
        event_type,
        data,
        now_ms,
    ))
}
