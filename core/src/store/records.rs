//! The stored records, as plain structs the rest of the server reads and writes. Domain states are
//! typed (see `text_columns`); gateway spellings (a transaction's `kind`, `status`) stay as
//! received.

use crate::model::{
    AttemptState, CheckoutStatus, LinkKind, Money, OperationInitiator, OperationKind,
    OperationState,
};

/// A customer link: a checkout (`kind` payment) or a refund link (`kind` refund). Stored in
/// `checkouts`.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct LinkRecord {
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
    pub status: CheckoutStatus,
    pub authorized_transaction_id: Option<String>,
    pub expires_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub kind: LinkKind,
    /// For a refund link: the checkout whose money it returns.
    pub refund_of_checkout_id: Option<String>,
    /// When the merchant asked to cancel the link: no new session opens from then on.
    pub canceled_at: Option<i64>,
    /// Who asked for a refund link (a staff member's email, or `token:<id>`).
    pub requested_by: Option<String>,
    /// The merchant's metadata: a JSON object of string values (`None`: none given).
    pub metadata: Option<String>,
}

impl LinkRecord {
    pub fn money(&self) -> Option<Money> {
        Money::from_stored(self.amount, &self.currency)
    }
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct AttemptRecord {
    pub id: String,
    pub checkout_id: String,
    pub seq: i64,
    /// The `referenceId` sent to the gateway: unique per attempt, used to look the outcome up.
    pub gateway_reference_id: String,
    pub state: AttemptState,
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
    /// When the reconciler next looks it up; `None` once it is settled.
    pub next_check_at: Option<i64>,
    /// Lookups since it last changed (its backoff).
    pub checks: i64,
}

/// The live-session fields written once the gateway answered.
#[derive(Clone, Debug)]
pub struct OpenedSession {
    pub gateway_session_id: Option<String>,
    pub gateway_iframe_id: String,
    pub iframe_url: String,
    pub expires_at: i64,
}

/// A final (or in-progress) outcome for an attempt, as learned from the gateway, and what it makes of
/// the attempt's link.
#[derive(Clone, Debug)]
pub struct AttemptOutcome {
    pub state: AttemptState,
    pub transaction_id: Option<String>,
    pub result_code: Option<i64>,
    pub response_code: Option<i64>,
    pub result_text: Option<String>,
    /// The link's status once this outcome is recorded.
    pub link_status: CheckoutStatus,
    /// The transaction becomes the link's authorization (unless it already has one).
    pub authorizes_link: bool,
    /// Replaces a final outcome (only ever by an approval: money that moved).
    pub overrides_final: bool,
    /// When the reconciler next looks it up (`None`: settled).
    pub next_check_at: Option<i64>,
}

/// What else a gateway outcome changes, written in the same commit as the outcome itself.
#[derive(Clone, Debug, Default)]
pub struct OutcomeEffects {
    /// Merchant events reporting it.
    pub events: Vec<super::outbox::MerchantEventRecord>,
    /// A void paydesk must send for an authorization the link does not keep.
    pub void: Option<OperationRecord>,
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
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct OperationRecord {
    pub id: String,
    pub checkout_id: String,
    pub kind: OperationKind,
    /// The `referenceId` sent to the gateway: unique, used to look an interrupted call up.
    pub gateway_reference_id: String,
    pub original_transaction_id: String,
    pub amount: i64,
    pub state: OperationState,
    pub transaction_id: Option<String>,
    pub approved_amount: Option<i64>,
    pub response_code: Option<i64>,
    /// The gateway's words about a decline or a rejection.
    pub message: Option<String>,
    pub idempotency_key: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub initiator: OperationInitiator,
    /// When the reconciler next looks at it (a lookup, a send, a retry); `None` once settled.
    pub next_check_at: Option<i64>,
    /// Lookups or tries since it last changed (its backoff).
    pub checks: i64,
}

/// The message of a void paydesk queues on its own for an authorization a checkout does not keep.
pub const AUTOMATIC_VOID_MESSAGE: &str =
    "Automatic void of an authorization this checkout does not keep.";

impl OperationRecord {
    /// A void paydesk sent on its own (not the merchant's operation on this payment).
    pub fn is_automatic(&self) -> bool {
        self.initiator == OperationInitiator::Paydesk
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
    /// When the reconciler next looks at it: `None` when settled for good; a time for an automatic
    /// void that must be tried again.
    pub next_check_at: Option<i64>,
}
