//! The payments core: creating checkouts and refund links, opening and replacing hosted-form
//! sessions, capturing, voiding and refunding, and settling every outcome from the gateway's
//! answers, webhooks and lookups. The browser only ever *asks*; this decides.
//!
//! The table of contents, top-down; nothing here imports a module above it.

// What runs by itself: the reconciler and the take-over of stopped instances' work.
mod background;
// What staff read: the dashboard, the reconciliation of paydesk against each gateway.
mod reports;
// Webhooks in: the inbox, then each applied to what it names.
mod ingest;

// Four eyes on large unbound payouts: approved, they are created through the flows below.
mod payout_approvals;

// The flows, one folder each; a flow that belongs to one gateway says which.
mod commercehub_refunds;
mod links;
mod payroc_device_refunds;

// Steps the flows share: operate (capture, void, refund), apply, position, stray voids.
mod steps;
// Pure rules: the ledger, statuses, transactions, schedules, messages, validation.
mod rules;

// Leaves: who acted, ids, errors, the resources' shared parts.
mod actor;
mod error;
mod ids;
mod intent;
mod resources;
mod sandbox_helpers;

pub use actor::Actor;
pub use background::reconciler::{reconcile_due, Reconciled};
pub use background::restart::{take_over_stopped_work, Recovered};
pub use commercehub_refunds::card_testing::unlock_gateway_refund;
pub use commercehub_refunds::new_card_page::{card_submission, submit_new_card};
pub use commercehub_refunds::refund_cancel::cancel_gateway_refund;
pub use commercehub_refunds::refunds::{
    create_gateway_refund, get_gateway_refund, is_gateway_refund_id, list_gateway_refunds,
    settle_gateway_refund, settle_open_gateway_refunds, GatewayRefundResource, NewGatewayRefund,
};
pub use commercehub_refunds::views::{
    gateway_refund_attempts, search_gateway_refunds, RefundAttemptSummary,
};
pub use error::{FieldError, PaymentsError};
pub use ingest::inbox::{Ingested, WebhookInbox};
pub use ingest::webhooks::{ingest_webhook, reapply_pending_events, IngestError};
pub use intent::Intent;
pub use links::abandon::{record_abandonment, Abandonment};
pub use links::card_testing::unlock_link;
pub use links::checkout::{
    create_checkout, get_checkout, list_checkouts, CheckoutResource, LinkedRefundSummary,
    NewCheckout,
};
pub use links::demo::{demo_checkout, demo_closed_card_refund, demo_refund_link};
pub use links::link_cancel::{cancel_checkout, cancel_refund_link};
pub use links::refund_link::{
    create_refund_link, get_refund_link, list_refund_links, refund_to_new_card, NewRefundLink,
    RefundLinkResource,
};
pub use links::session::{confirm_outcome, link_page};
pub use payout_approvals::{
    approve_payout, get_payout_approval, list_payout_approvals, reject_payout,
};
pub use payroc_device_refunds::refunds::{
    advance_device_refund, cancel_device_refund, create_device_refund, get_device_refund,
    list_device_refunds, list_devices, wait_for_device_refund, Device, DeviceRefundResource,
    NewDeviceRefund,
};
pub use payroc_device_refunds::reversal::{advance_device_refund_reversal, reverse_device_refund};
pub use reports::dashboard::{
    dashboard, time_zone, Approvals, CurrencyReport, Dashboard, DayApprovals, DayTotals,
    DeclineReason, Totals, DAYS as DASHBOARD_DAYS,
};
pub use reports::reconciliation::{
    reconciliation_report, since_from, Discrepancy, DiscrepancyKind, ReconciliationReport,
    ReportGateways,
};
pub use resources::{named_string_enum, TransactionSummary};
pub use rules::ledger::Ledger;
pub use rules::metadata::{is_metadata_key, Metadata};
pub use rules::schedule::DEVICE_REFUND_CLAIM_MS;
pub use sandbox_helpers::{move_link_past_expiry, send_test_event};
pub use steps::apply::{apply_attempt_transaction, Applied};
pub use steps::operate::{perform, OperationRequest, OperationResource, OperationResult};
pub use steps::unbound_payouts::{Payout, PayoutApprovalResource};
