//! The client-safe error: what a customer, a merchant's code or a staff member may be shown.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No such checkout (or it is not visible to this caller).
    NotFound,
    /// The request itself was wrong.
    InvalidInput,
    /// The payment gateway could not be reached or refused us; try later.
    GatewayUnavailable,
    /// The browser could not reach paydesk.
    Network,
    /// Something on our side failed; details are in the server log only.
    Internal,
    /// Too many tries from this client for now (e.g. new cards after declines); wait, then retry.
    TooManyTries,
}

/// A client-safe error: never carries gateway bodies, keys, SQL or stack traces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ClientError {
    pub code: ErrorCode,
    pub message: String,
}

impl ClientError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ClientError {
            code,
            message: message.into(),
        }
    }

    pub fn not_found() -> Self {
        ClientError::new(
            ErrorCode::NotFound,
            "We couldn't find this payment link. Check the address, or ask the merchant for a new link.",
        )
    }

    pub fn internal() -> Self {
        ClientError::new(
            ErrorCode::Internal,
            "Something went wrong on our side. Nothing was charged; please try again in a moment.",
        )
    }
}
