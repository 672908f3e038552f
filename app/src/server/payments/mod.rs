//! The checkout state machine: creating checkouts, opening and replacing hosted-form sessions, and
//! settling outcomes from webhooks and gateway lookups. The browser only ever *asks*; this decides.

mod checkout;
mod error;
pub mod ledger;
mod operations;
mod reconcile;
mod refund_link;
mod session;
pub mod status;

pub use checkout::{create_checkout, get_checkout, CheckoutResource, NewCheckout, TransactionSummary};
pub use error::{FieldError, PaymentsError};
pub use operations::{dispatch_queued_operations, perform, settle_unknown_operations, OperationRequest, OperationResource, OperationResult};
pub use reconcile::{apply_stored_event, apply_transaction, reapply_pending_events, Applied};
pub use refund_link::{create_refund_link, get_refund_link, refund_to_new_card, NewRefundLink, RefundLinkResource};
pub use session::{checkout_page, confirm_link, confirm_link_in, link_page, link_page_in, Intent};

/// A new prefixed id, e.g. `chk_01J…` (26-character ULID: 80 random bits).
pub(crate) fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", ulid::Ulid::new())
}
