//! The `data` of every merchant event as Rust types, one per kind of subject, and the catalogue of
//! event types: what is serialized is what the OpenAPI document publishes for each type, so a field
//! cannot drift from its schema.

use schemars::JsonSchema;
use serde::Serialize;

use crate::model::Metadata;

/// An event about a payment link (checkout) or a refund link itself: paid, declined, locked,
/// canceled, expired, abandoned, paid out again.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LinkEventData {
    /// The checkout; for a refund link, the payment whose money it returns, when it is bound to
    /// one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkout_id: Option<String>,
    /// The refund link (refund_link.* events).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_link_id: Option<String>,
    /// The gateway transaction the event is about (an authorization, a declined attempt, a payout).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// Minor units: the link's amount (refund_link.overpaid: the extra payout's).
    pub amount: i64,
    /// refund_link.completed: what reached the customer's card (less than `amount` when the gateway
    /// approved part).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_amount: Option<i64>,
    /// `USD` or `CAD`.
    pub currency: String,
    /// Your order number, as given.
    pub order_number: Option<String>,
    /// Your own id (`referenceId`), as given.
    pub reference_id: Option<String>,
    /// The link's status once the change is recorded (a refund link's own words: `completed`).
    pub status: String,
    /// Your key/values on the object, as given (empty when none were).
    pub metadata: Metadata,
    /// refund_link.overpaid: how many times the link paid out in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payouts: Option<usize>,
    /// payment.locked, refund_link.locked: how many declined cards locked it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declines: Option<i64>,
    /// payment.locked, refund_link.locked: always true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked: Option<bool>,
    /// payment.abandoned, refund_link.abandoned: the storefront whose page the customer left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storefront_origin: Option<String>,
}

/// A capture, void or refund of a payment that ended.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OperationEventData {
    /// The payment.
    pub checkout_id: String,
    /// The capture, void or refund (as in the checkout's `operations`).
    pub operation_id: String,
    /// The gateway transaction of the operation.
    pub transaction_id: Option<String>,
    /// Minor units moved (what the gateway approved).
    pub amount: i64,
    /// `USD` or `CAD`.
    pub currency: String,
    /// Your order number, as given.
    pub order_number: Option<String>,
    /// Your own id (`referenceId`), as given.
    pub reference_id: Option<String>,
    /// The payment's status once the operation is recorded (`captured`, `partially_refunded`, …).
    pub status: String,
    /// Your key/values on the object, as given (empty when none were).
    pub metadata: Metadata,
}

/// A refund on a payment device (Payroc Cloud) that ended, or its reversal.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceRefundEventData {
    /// The device refund.
    pub device_refund_id: String,
    /// The device's serial number.
    pub device: String,
    /// Minor units.
    pub amount: i64,
    /// What Payroc approved, once completed.
    pub approved_amount: Option<i64>,
    /// `USD` or `CAD`.
    pub currency: String,
    /// Your order id, shown on the device.
    pub order_id: String,
    /// The online payment it refunds, if any.
    pub checkout_id: Option<String>,
    /// Payroc's refund, once the device finished.
    pub refund_id: Option<String>,
    /// Your key/values on the object, as given (empty when none were).
    pub metadata: Metadata,
    /// Its status once the change is recorded.
    pub status: String,
    /// Why it was declined or failed, or what a reversal's refusal said.
    pub message: Option<String>,
}

/// A refund of a Commerce Hub charge: waiting for a new card, ended, locked or abandoned.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefundEventData {
    /// The refund.
    pub refund_id: String,
    /// `commercehub`.
    pub gateway: String,
    /// The charge's Commerce Hub transaction, when given so.
    pub original_transaction_id: Option<String>,
    /// The charge's merchantTransactionId, when given so.
    pub original_merchant_transaction_id: Option<String>,
    /// Minor units.
    pub amount: i64,
    /// `USD` or `CAD`.
    pub currency: String,
    /// Your order number, as given.
    pub order_number: Option<String>,
    /// Its status once the change is recorded.
    pub status: String,
    /// The tagged refund's response code when the original card refused it (e.g. `030`).
    pub decline_code: Option<String>,
    /// New cards declined so far.
    pub card_declines: i64,
    /// Commerce Hub's transaction of the refund that paid out.
    pub gateway_transaction_id: Option<String>,
    /// What was paid out, once refunded.
    pub refunded_amount: Option<i64>,
    /// `tagged`, `unmatched` or `cancel`, once refunded.
    pub refunded_by: Option<String>,
    /// Your key/values on the object, as given (empty when none were).
    pub metadata: Metadata,
    /// refund.locked: how many declined cards locked it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declines: Option<i64>,
    /// refund.locked: always true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked: Option<bool>,
    /// refund.abandoned: the storefront whose page the customer left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storefront_origin: Option<String>,
}

/// A second staff member's decision on a large unbound payout.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PayoutApprovalEventData {
    /// The payout approval.
    pub approval_id: String,
    /// `refund_link` or `device_refund`.
    pub kind: String,
    /// Minor units.
    pub amount: i64,
    /// `USD` or `CAD`.
    pub currency: String,
    /// Its status once the change is recorded.
    pub status: String,
    /// Once approved: the refund link or device refund created.
    pub result_id: Option<String>,
}

/// A test event the merchant asked for in sandbox mode.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TestEventData {
    /// What the event is.
    pub message: String,
}

/// Which `data` an event type carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataKind {
    Link,
    Operation,
    DeviceRefund,
    Refund,
    PayoutApproval,
    Test,
}

impl DataKind {
    /// The schema of this `data`, kept in the document's components.
    pub fn schema(
        self,
        generator: &mut schemars::gen::SchemaGenerator,
    ) -> schemars::schema::Schema {
        match self {
            DataKind::Link => generator.subschema_for::<LinkEventData>(),
            DataKind::Operation => generator.subschema_for::<OperationEventData>(),
            DataKind::DeviceRefund => generator.subschema_for::<DeviceRefundEventData>(),
            DataKind::Refund => generator.subschema_for::<RefundEventData>(),
            DataKind::PayoutApproval => generator.subschema_for::<PayoutApprovalEventData>(),
            DataKind::Test => generator.subschema_for::<TestEventData>(),
        }
    }
}

/// Every event type paydesk sends: its `data`, and when it is sent.
pub const CATALOGUE: &[(&str, DataKind, &str)] = &[
    ("payment.authorized", DataKind::Link, "The gateway confirmed a checkout's authorization (once per checkout)."),
    ("payment.declined", DataKind::Link, "The gateway declined an attempt; the customer may try again. Never after payment.authorized."),
    ("payment.captured", DataKind::Operation, "A capture succeeded."),
    ("payment.voided", DataKind::Operation, "A void succeeded."),
    ("payment.refunded", DataKind::Operation, "A referenced refund succeeded."),
    ("payment.refund_declined", DataKind::Operation, "The original card refused a refund: offer POST /checkouts/{id}/refund-link."),
    ("payment.locked", DataKind::Link, "The checkout locked after repeated declined cards; unlock it from the API."),
    ("payment.canceled", DataKind::Link, "A checkout you canceled ended unused (once): it takes nothing."),
    ("payment.expired", DataKind::Link, "A checkout's time ran out unpaid and every form it opened was proven unused (once)."),
    ("payment.abandoned", DataKind::Link, "The customer left the embedded page (your storefront called cancel()), once; a later outcome is still reported."),
    ("refund_link.completed", DataKind::Link, "A refund link paid out (once)."),
    ("refund_link.declined", DataKind::Link, "A card refused a refund link's payout; the customer may try another."),
    ("refund_link.overpaid", DataKind::Link, "A refund link paid out once more (payouts counts them): money you did not mean to send."),
    ("refund_link.locked", DataKind::Link, "The refund link locked after repeated declined cards; unlock it from the API."),
    ("refund_link.canceled", DataKind::Link, "A refund link you canceled ended unused (once): it pays nothing and holds nothing."),
    ("refund_link.expired", DataKind::Link, "A refund link's time ran out unpaid and every form it opened was proven unused (once)."),
    ("refund_link.abandoned", DataKind::Link, "The customer left the embedded refund page, once; a later outcome is still reported."),
    ("refund.awaiting_card", DataKind::Refund, "A Commerce Hub refund's original card is closed: send the customer the refund's url; again after each new card declined."),
    ("refund.refunded", DataKind::Refund, "A Commerce Hub refund paid out (once)."),
    ("refund.declined", DataKind::Refund, "A Commerce Hub refund was declined (once)."),
    ("refund.failed", DataKind::Refund, "A Commerce Hub refund failed (once)."),
    ("refund.expired", DataKind::Refund, "A Commerce Hub refund's new-card link expired unused (once)."),
    ("refund.canceled", DataKind::Refund, "A Commerce Hub refund you canceled ended (once)."),
    ("refund.locked", DataKind::Refund, "A Commerce Hub refund's new-card page locked after repeated declined cards."),
    ("refund.abandoned", DataKind::Refund, "The customer left the embedded new-card page, once."),
    ("device_refund.completed", DataKind::DeviceRefund, "A refund on a payment device completed (once)."),
    ("device_refund.declined", DataKind::DeviceRefund, "A refund on a payment device was declined (once)."),
    ("device_refund.failed", DataKind::DeviceRefund, "A refund on a payment device failed (once)."),
    ("device_refund.canceled", DataKind::DeviceRefund, "A refund on a payment device was canceled (once)."),
    ("device_refund.reversed", DataKind::DeviceRefund, "A completed device refund was reversed (once per reversal asked for)."),
    ("device_refund.reversal_refused", DataKind::DeviceRefund, "Payroc refused a device refund's reversal: the refund stands."),
    ("payout_approval.approved", DataKind::PayoutApproval, "A second staff member approved a large unbound payout (resultId: what was created)."),
    ("payout_approval.rejected", DataKind::PayoutApproval, "A second staff member rejected a large unbound payout."),
    ("webhook.test", DataKind::Test, "Sandbox mode only: you asked for it (POST /api/v1/test-helpers/events)."),
];

/// The catalogue's entry for `event_type`.
pub fn catalogued(event_type: &str) -> Option<(DataKind, &'static str)> {
    CATALOGUE
        .iter()
        .find(|(name, _, _)| *name == event_type)
        .map(|(_, kind, when)| (*kind, *when))
}
