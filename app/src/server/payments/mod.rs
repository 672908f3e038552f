//! The checkout state machine: creating checkouts, opening and replacing hosted-form sessions, and
//! settling outcomes from webhooks and gateway lookups. The browser only ever *asks*; this decides.

mod checkout;
mod error;
mod reconcile;
mod session;
pub mod status;

pub use checkout::{create_checkout, get_checkout, CheckoutResource, NewCheckout, TransactionSummary};
pub use error::{FieldError, PaymentsError};
pub use reconcile::{apply_stored_event, apply_transaction, reapply_pending_events, Applied};
pub use session::{checkout_page, confirm_payment, Intent};

/// A new prefixed id, e.g. `chk_01J…` (26-character ULID: 80 random bits).
pub(crate) fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", ulid::Ulid::new())
}
