//! One disagreement between paydesk's records and a gateway's, as the reconciliation report lists it
//! (shared by the report's Omni, Commerce Hub and Payroc parts).

use serde::Serialize;

/// What kind of disagreement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscrepancyKind {
    /// A gateway transaction that moved money under no reference paydesk knows.
    UnknownToPaydesk,
    /// paydesk's state says one thing, the gateway another.
    Contradicted,
    /// paydesk does not know the outcome yet (the reconciler is still looking it up).
    Unsettled,
    /// paydesk's amount differs from the gateway's.
    AmountMismatch,
    /// A refund link paid out more than once.
    PaidOutMoreThanOnce,
    /// An approved authorization no checkout keeps, not voided: money held on a card.
    AuthorizationNotKept,
    /// A gateway webhook paydesk stored but gave up applying after many attempts: look at its error.
    WebhookNotApplied,
    /// A refund of a Commerce Hub charge, or a refund on a payment device, that the gateway made
    /// more than once: money sent twice.
    RefundedMoreThanOnce,
}

/// One discrepancy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Discrepancy {
    pub kind: DiscrepancyKind,
    /// The link, operation or transaction it is about.
    pub subject: String,
    pub detail: String,
}
