//! The one error type server functions return: the core's client-safe error, in a form Leptos
//! carries to the browser (the same JSON: `{"code": …, "message": …}`).

use std::ops::Deref;

use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
pub use paydesk_core::error::{ClientError, ErrorCode};
use serde::{Deserialize, Serialize};

/// A client-safe error: never carries gateway bodies, keys, SQL or stack traces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(transparent)]
#[error(transparent)]
pub struct AppError(pub ClientError);

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError(ClientError::new(code, message))
    }

    pub fn not_found() -> Self {
        AppError(ClientError::not_found())
    }

    pub fn internal() -> Self {
        AppError(ClientError::internal())
    }
}

impl Deref for AppError {
    type Target = ClientError;

    fn deref(&self) -> &ClientError {
        &self.0
    }
}

impl From<ClientError> for AppError {
    fn from(error: ClientError) -> Self {
        AppError(error)
    }
}

impl FromServerFnError for AppError {
    type Encoder = crate::wire::JsonText;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::new(
                ErrorCode::Network,
                "We couldn't reach the payment page's server. Check your connection and try again.",
            ),
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::new(ErrorCode::InvalidInput, "The request was not understood.")
            }
            _ => AppError::internal(),
        }
    }
}
