//! Server-only code: the gateway client, the store, and the payments state machine.

pub mod api_tokens;
pub mod gateway;
pub mod link_signer;
pub mod locks;
pub mod merchant_events;
pub mod page_headers;
pub mod payments;
pub mod state;
pub mod store;

pub use state::{AppState, PaymentsConfig};
