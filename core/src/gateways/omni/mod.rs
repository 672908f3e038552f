//! Integrated Commerce Omni: the hosted-payment-form gateway. Its wire format, typed errors, the
//! HTTP client, hosted-form selection, webhook signatures, and what its transactions mean in the
//! shared vocabulary (`interpret`).

pub mod client;
pub mod error;
pub mod hosted_forms;
pub mod interpret;
pub mod signature;
pub mod wire;

pub use client::{ApiKey, Filter, ListQuery, OmniClient};
pub use error::{ExecutionStatus, OmniError, OmniErrorBody};
