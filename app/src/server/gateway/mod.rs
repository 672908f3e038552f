//! Everything paydesk knows about the payment gateway: its wire format, errors, client, hosted-form
//! selection and webhook signatures.

pub mod client;
pub mod error;
pub mod forms;
pub mod signature;
pub mod wire;

pub use client::{ApiKey, Filter, GatewayClient, ListQuery};
pub use error::{ApiError, Effect, ExecutionStatus, GatewayError};
