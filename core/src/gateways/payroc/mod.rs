//! Payroc Cloud: refunds on a payment device. Its wire format, typed RFC 7807 errors, the identity
//! token exchange, the HTTP client (submit, long poll, cancel, refund, devices), and what a refund's
//! `transactionResult` means in the shared vocabulary (`interpret`).

pub mod client;
pub mod error;
pub mod identity;
pub mod interpret;
pub mod wire;

pub use client::{CancelOutcome, PayrocClient, PayrocEndpoints, MIN_POLL_TIMEOUT};
pub use error::{PayrocError, ProblemType};
pub use identity::PayrocApiKey;
