//! The stored records, as plain structs the rest of the server reads and writes.

use crate::model::{CheckoutStatus, Currency, LinkKind, Money};

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct CheckoutRecord {
    pub id: String,
    pub merchant_reference_id: Option<String>,
    /// Hash of the creation request: a replay with the same `referenceId` must match it.
    pub request_fingerprint: String,
    pub amount: i64,
    pub currency: String,
    /// JSON of the gateway's `amountBreakdown`, when given.
    pub amount_breakdown: Option<String>,
    pub order_number: Option<String>,
    pub invoice_number: Option<String>,
    pub description: Option<String>,
    pub return_url: Option<String>,
    pub cancel_url: Option<String>,
    pub status: String,
    pub authorized_transaction_id: Option<String>,
    pub expires_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// `payment` (a checkout) or `refund` (a refund link).
    pub kind: String,
    /// For a refund link: the checkout whose money it returns.
    pub refund_of_checkout_id: Option<String>,
}

impl CheckoutRecord {
    pub fn link_kind(&self) -> LinkKind {
        LinkKind::parse(&self.kind).unwrap_or(LinkKind::Payment)
    }

    pub fn money(&self) -> Option<Money> {
        Some(Money::new(
            u32::try_from(self.amount).ok()?,
            Currency::parse(&self.currency)?,
        ))
    }

    pub fn checkout_status(&self) -> CheckoutStatus {
        CheckoutStatus::parse(&self.status).unwrap_or(CheckoutStatus::Open)
    }
}

/// Where one hosted-form attempt stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptState {
    /// Row written, gateway not yet asked (or its answer not yet stored).
    Creating,
    /// The gateway gave us a live session.
    Open,
    /// The customer submitted; the outcome is not confirmed yet.
    Submitted,
    Approved,
    Declined,
    /// The gateway reported an error result for this attempt.
    Failed,
    /// The session expired unused.
    Expired,
    /// The session could not be created; nothing can be paid through it.
    Abandoned,
}

impl AttemptState {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptState::Creating => "creating",
            AttemptState::Open => "open",
            AttemptState::Submitted => "submitted",
            AttemptState::Approved => "approved",
            AttemptState::Declined => "declined",
            AttemptState::Failed => "failed",
            AttemptState::Expired => "expired",
            AttemptState::Abandoned => "abandoned",
        }
    }

    pub fn parse(s: &str) -> Option<AttemptState> {
        use AttemptState::*;
        [Creating, Open, Submitted, Approved, Declined, Failed, Expired, Abandoned]
            .into_iter()
            .find(|state| state.as_str() == s)
    }

    /// A final outcome reported by the gateway: never overwritten by a later, older message.
    pub fn is_final(self) -> bool {
        matches!(self, AttemptState::Approved | AttemptState::Declined | AttemptState::Failed)
    }
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct AttemptRecord {
    pub id: String,
    pub checkout_id: String,
    pub seq: i64,
    /// The `referenceId` sent to the gateway: unique per attempt, used to look the outcome up.
    pub gateway_reference_id: String,
    pub state: String,
    pub gateway_session_id: Option<String>,
    pub gateway_iframe_id: Option<String>,
    pub iframe_url: Option<String>,
    pub expires_at: Option<i64>,
    pub transaction_id: Option<String>,
    pub result_code: Option<i64>,
    pub response_code: Option<i64>,
    pub result_text: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl AttemptRecord {
    pub fn attempt_state(&self) -> AttemptState {
        AttemptState::parse(&self.state).unwrap_or(AttemptState::Abandoned)
    }
}

/// The live-session fields written once the gateway answered.
#[derive(Clone, Debug)]
pub struct OpenedSession {
    pub gateway_session_id: Option<String>,
    pub gateway_iframe_id: String,
    pub iframe_url: String,
    pub expires_at: i64,
}

/// A final (or in-progress) outcome for an attempt, as learned from the gateway.
#[derive(Clone, Debug)]
pub struct AttemptOutcome {
    pub state: AttemptState,
    pub transaction_id: Option<String>,
    pub result_code: Option<i64>,
    pub response_code: Option<i64>,
    pub result_text: Option<String>,
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct TransactionRecord {
    pub id: String,
    pub checkout_id: Option<String>,
    pub attempt_id: Option<String>,
    pub kind: String,
    pub status: String,
    pub reference_id: Option<String>,
    pub result_code: Option<i64>,
    pub response_code: Option<i64>,
    pub requested_amount: Option<i64>,
    pub approved_amount: Option<i64>,
    pub card_type: Option<String>,
    pub masked_card: Option<String>,
    pub auth_code: Option<String>,
    /// The gateway's JSON, as received.
    pub raw: String,
    pub first_seen_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct WebhookEventRecord {
    pub event_id: String,
    pub event_type: String,
    pub event_timestamp: Option<String>,
    pub body: String,
    pub received_at: i64,
    pub processed_at: Option<i64>,
    pub outcome: Option<String>,
    pub apply_attempts: i64,
    pub last_error: Option<String>,
}

/// What storing a webhook event did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventInsert {
    /// First time we see this event id.
    New,
    /// Seen before; `processed` tells whether it was fully applied.
    Duplicate { processed: bool },
}

/// A capture, void or referenced refund of a checkout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationKind {
    Capture,
    Void,
    Refund,
}

impl OperationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OperationKind::Capture => "capture",
            OperationKind::Void => "void",
            OperationKind::Refund => "refund",
        }
    }

    pub fn parse(s: &str) -> Option<OperationKind> {
        [OperationKind::Capture, OperationKind::Void, OperationKind::Refund]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Where an operation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationState {
    /// Written by paydesk itself (e.g. voiding a duplicate authorization), not sent yet: safe to send.
    Queued,
    /// Written; the gateway call is in flight.
    Pending,
    /// The call was interrupted (or timed out): it may have happened. Only a lookup settles it.
    Unknown,
    /// The gateway approved it.
    Succeeded,
    /// The gateway processed it and the card or issuer refused it.
    Declined,
    /// The gateway refused the request; nothing happened.
    Rejected,
    /// A lookup long after an interruption found nothing: it never happened.
    Lost,
}

impl OperationState {
    pub fn as_str(self) -> &'static str {
        match self {
            OperationState::Queued => "queued",
            OperationState::Pending => "pending",
            OperationState::Unknown => "unknown",
            OperationState::Succeeded => "succeeded",
            OperationState::Declined => "declined",
            OperationState::Rejected => "rejected",
            OperationState::Lost => "lost",
        }
    }

    pub fn parse(s: &str) -> Option<OperationState> {
        use OperationState::*;
        [Queued, Pending, Unknown, Succeeded, Declined, Rejected, Lost]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    /// Not settled yet: its amount is held back from every balance until it is.
    pub fn is_open(self) -> bool {
        matches!(self, OperationState::Queued | OperationState::Pending | OperationState::Unknown)
    }
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct OperationRecord {
    pub id: String,
    pub checkout_id: String,
    pub kind: String,
    /// The `referenceId` sent to the gateway: unique, used to look an interrupted call up.
    pub gateway_reference_id: String,
    pub original_transaction_id: String,
    pub amount: i64,
    pub state: String,
    pub transaction_id: Option<String>,
    pub approved_amount: Option<i64>,
    pub response_code: Option<i64>,
    /// The gateway's words about a decline or a rejection.
    pub message: Option<String>,
    pub idempotency_key: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// `merchant` (API or console) or `paydesk` (an automatic void).
    pub initiator: String,
}

/// The message of a void paydesk queues on its own for an authorization a checkout does not keep.
pub const AUTOMATIC_VOID_MESSAGE: &str = "Automatic void of an authorization this checkout does not keep.";
/// `initiator` of an operation paydesk started itself.
pub const PAYDESK_INITIATOR: &str = "paydesk";
/// `initiator` of an operation the merchant asked for (API or console).
pub const MERCHANT_INITIATOR: &str = "merchant";

impl OperationRecord {
    /// A void paydesk sent on its own (not the merchant's operation on this payment).
    pub fn is_automatic(&self) -> bool {
        self.initiator == PAYDESK_INITIATOR
    }

    pub fn operation_kind(&self) -> OperationKind {
        OperationKind::parse(&self.kind).unwrap_or(OperationKind::Refund)
    }

    pub fn operation_state(&self) -> OperationState {
        OperationState::parse(&self.state).unwrap_or(OperationState::Unknown)
    }
}

/// How an operation ended, as learned from the gateway.
#[derive(Clone, Debug)]
pub struct OperationOutcome {
    pub state: OperationState,
    pub transaction_id: Option<String>,
    pub approved_amount: Option<i64>,
    pub response_code: Option<i64>,
    pub message: Option<String>,
}
