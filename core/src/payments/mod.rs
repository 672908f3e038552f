//! The payments core: creating checkouts and refund links, opening and replacing hosted-form
//! sessions, capturing, voiding and refunding, and settling every outcome from the gateway's
//! answers, webhooks and lookups. The browser only ever *asks*; this decides.
//!
//! Read top-down: `reconciler` (the background pass) and `ingest` (webhooks) over the entry points
//! `checkout`, `refund_link`, `session` (with `abandon`) and `operate`; they use `new_session`, `link_expiry`,
//! `apply` (what the gateway says, applied), `position` (where a payment's money stands) and
//! `stray_voids`; below those are pure rules (`ledger`, `status`, `schedule`, `transactions`,
//! `messages`, `validate`) and leaves (`ids`, `error`). Nothing here imports a module above it.

mod abandon;
mod actor;
mod apply;
mod apply_event;
mod card_testing;
mod checkout;
mod dashboard;
mod demo;
mod device_refund_reversal;
mod device_refunds;
mod discrepancy;
mod error;
mod gateway_refund_lookup;
mod gateway_refund_page;
mod gateway_refund_views;
mod gateway_refunds;
mod ids;
mod ingest;
mod intent;
mod ledger;
mod link_expiry;
mod messages;
mod new_session;
mod operate;
mod position;
mod reconciler;
mod refund_link;
mod report;
mod report_commercehub;
mod report_payroc;
mod resources;
mod restart;
mod schedule;
mod session;
mod status;
mod stray_voids;
mod transactions;
mod validate;
mod webhook_inbox;

pub use abandon::{record_abandonment, Abandonment};
pub use actor::Actor;
pub use apply::{apply_attempt_transaction, Applied};
pub use card_testing::unlock_link;
pub use checkout::{
    create_checkout, get_checkout, CheckoutResource, LinkedRefundSummary, NewCheckout,
};
pub use dashboard::{
    dashboard, time_zone, Approvals, CurrencyReport, Dashboard, DayApprovals, DayTotals,
    DeclineReason, Totals, DAYS as DASHBOARD_DAYS,
};
pub use demo::{demo_checkout, demo_closed_card_refund, demo_refund_link};
pub use device_refund_reversal::{advance_device_refund_reversal, reverse_device_refund};
pub use device_refunds::{
    advance_device_refund, cancel_device_refund, create_device_refund, get_device_refund,
    list_devices, wait_for_device_refund, Device, DeviceRefundResource, NewDeviceRefund,
};
pub use error::{FieldError, PaymentsError};
pub use gateway_refund_page::{card_submission, submit_new_card};
pub use gateway_refund_views::{
    gateway_refund_attempts, search_gateway_refunds, RefundAttemptSummary,
};
pub use gateway_refunds::{
    create_gateway_refund, get_gateway_refund, is_gateway_refund_id, settle_gateway_refund,
    settle_open_gateway_refunds, GatewayRefundResource, NewGatewayRefund,
};
pub use ingest::{ingest_webhook, reapply_pending_events, IngestError};
pub use intent::Intent;
pub use ledger::Ledger;
pub use operate::{perform, OperationRequest, OperationResource, OperationResult};
pub use reconciler::{reconcile_due, Reconciled};
pub use refund_link::{
    create_refund_link, get_refund_link, refund_to_new_card, NewRefundLink, RefundLinkResource,
};
pub use report::{
    reconciliation_report, since_from, Discrepancy, DiscrepancyKind, ReconciliationReport,
    ReportGateways,
};
pub use resources::TransactionSummary;
pub use restart::{take_over_stopped_work, Recovered};
pub use schedule::DEVICE_REFUND_CLAIM_MS;
pub use session::{confirm_outcome, link_page};
pub use webhook_inbox::{Ingested, WebhookInbox};
