//! The payments core: creating checkouts and refund links, opening and replacing hosted-form
//! sessions, capturing, voiding and refunding, and settling every outcome from the gateway's
//! answers, webhooks and lookups. The browser only ever *asks*; this decides.
//!
//! Read top-down: `checkout`, `refund_link`, `session` and `operate` are the entry points; they use
//! `reconcile` (applying what the gateway says), `position` (where a payment's money stands) and
//! `stray_voids`; below those are pure rules (`ledger`, `status`, `transactions`, `messages`,
//! `validate`) and leaves (`ids`, `error`). Nothing here imports a module above it.

mod checkout;
mod demo;
mod error;
mod ids;
mod ingest;
mod ledger;
mod messages;
mod operate;
mod position;
mod reconcile;
mod refund_link;
mod resources;
mod session;
mod status;
mod stray_voids;
mod transactions;
mod validate;

pub use checkout::{
    create_checkout, get_checkout, CheckoutResource, LinkedRefundSummary, NewCheckout,
};
pub use demo::{demo_checkout, demo_refund_link};
pub use error::{FieldError, PaymentsError};
pub use ingest::{ingest_webhook, reapply_pending_events, IngestError, Ingested};
pub use ledger::Ledger;
pub use operate::{
    dispatch_queued_operations, perform, OperationRequest, OperationResource, OperationResult,
};
pub use reconcile::{apply_attempt_transaction, settle_unknown_operations, Applied};
pub use refund_link::{
    create_refund_link, get_refund_link, refund_to_new_card, NewRefundLink, RefundLinkResource,
};
pub use resources::TransactionSummary;
pub use session::{confirm_outcome, link_page, Intent};
