//! Server-only code (the `ssr` feature): the gateways, the store, the payments core, merchant
//! events, API tokens, link signatures and security headers.

pub mod api_tokens;
pub mod branding;
pub mod clock;
pub mod fault_injection;
pub mod gateways;
pub mod link_signer;
pub mod locks;
pub mod measures;
pub mod merchant_events;
pub mod origin;
pub mod payments;
pub mod rate_limit;
pub mod recent_lookups;
pub mod request_locale;
pub mod security_headers;
pub mod state;
pub mod store;

pub use state::{AppState, DeviceRefundSignals, PaymentsConfig, WorkSignal};
