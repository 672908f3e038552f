//! paydesk's payments core, neither UI nor HTTP edge. Wasm-safe without features: the domain model,
//! the customer pages' texts and the client-safe error. With `server` (gated here, once): the
//! payment flows, the gateways' clients, the store and its migrations, merchant events, branding.

pub mod error;
pub mod i18n;
pub mod model;

#[cfg(feature = "server")]
pub mod api_tokens;
#[cfg(feature = "server")]
pub mod branding;
#[cfg(feature = "server")]
pub mod clock;
#[cfg(feature = "server")]
pub mod fault_injection;
#[cfg(feature = "server")]
pub mod gateways;
#[cfg(feature = "server")]
pub mod link_signer;
#[cfg(feature = "server")]
pub mod locks;
#[cfg(feature = "server")]
pub mod measures;
#[cfg(feature = "server")]
pub mod merchant_events;
#[cfg(feature = "server")]
pub mod origin;
#[cfg(feature = "server")]
pub mod payments;
#[cfg(feature = "server")]
pub mod permissions;
#[cfg(feature = "server")]
pub mod rate_limit;
#[cfg(feature = "server")]
pub mod recent_lookups;
#[cfg(feature = "server")]
pub mod state;
#[cfg(feature = "server")]
pub mod store;

#[cfg(feature = "server")]
pub use state::{AppState, DeviceRefundSignals, PaymentsConfig, WorkSignal};
