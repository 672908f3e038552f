//! Typed gateway failures, keeping the gateway's own `code`, `status`, `message`, `traceId` and
//! `errorDetails`, and saying whether the request may have had an effect.

use serde::Deserialize;

/// The gateway's execution status of a failed request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub enum ExecutionStatus {
    Completed,
    /// Nothing happened; safe to retry.
    Rejected,
    /// The final state is unknown; side effects possible. Look it up before anything else.
    Interrupted,
    #[serde(other)]
    Unknown,
}

/// One entry of `errorDetails`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetail {
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

impl ErrorDetail {
    /// The most specific human text the detail carries.
    pub fn text(&self) -> &str {
        self.details
            .as_deref()
            .or(self.message.as_deref())
            .unwrap_or("")
    }
}

/// The gateway's error body: `{code, status, message, traceId, timestamp, errorDetails}`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    /// 1000 authentication, 2000 validation, 3000 unknown server, 9000 unhandled.
    pub code: i64,
    #[serde(default = "unknown_status")]
    pub status: ExecutionStatus,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub trace_id: Option<String>,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub error_details: Vec<ErrorDetail>,
}

fn unknown_status() -> ExecutionStatus {
    ExecutionStatus::Unknown
}

impl ApiError {
    /// The gateway's message followed by its details, for a merchant's eyes (never contains our key).
    pub fn describe(&self) -> String {
        let details: Vec<&str> = self
            .error_details
            .iter()
            .map(ErrorDetail::text)
            .filter(|t| !t.is_empty())
            .collect();
        if details.is_empty() {
            self.message.clone()
        } else {
            format!("{} {}", self.message, details.join(" "))
        }
    }
}

/// Whether a failed call may have changed anything at the gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing happened: the same request may be sent again.
    None,
    /// It may or may not have happened: look it up (by `referenceId`) before doing anything else.
    Unknown,
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("gateway answered HTTP {http_status} (code {}, {:?}): {}", .error.code, .error.status, .error.describe())]
    Api { http_status: u16, error: ApiError },
    #[error("gateway answered HTTP {http_status} with a body paydesk could not read: {detail}")]
    UnexpectedResponse { http_status: u16, detail: String },
    #[error("gateway did not answer within {seconds}s")]
    Timeout { seconds: u64 },
    #[error("could not connect to the gateway: {0}")]
    Connect(String),
    #[error("gateway request failed: {0}")]
    Transport(String),
    #[error("gateway returned no iframe URL for session {session_id}")]
    NoIframeUrl { session_id: String },
    #[error("invalid gateway request: {0}")]
    InvalidRequest(String),
}

impl GatewayError {
    /// Whether the request may have had an effect. Only a definite "Rejected", a refusal of our
    /// credentials or input, or a connection that never opened mean "nothing happened".
    pub fn effect(&self) -> Effect {
        match self {
            GatewayError::Api { error, http_status } => match error.status {
                ExecutionStatus::Rejected => Effect::None,
                ExecutionStatus::Interrupted | ExecutionStatus::Unknown => Effect::Unknown,
                ExecutionStatus::Completed if *http_status < 500 => Effect::None,
                ExecutionStatus::Completed => Effect::Unknown,
            },
            GatewayError::UnexpectedResponse { http_status, .. } => {
                if matches!(http_status, 400 | 401 | 403 | 404 | 405 | 415 | 422 | 429) {
                    Effect::None
                } else {
                    Effect::Unknown
                }
            }
            GatewayError::Timeout { .. } | GatewayError::Transport(_) => Effect::Unknown,
            GatewayError::Connect(_) | GatewayError::InvalidRequest(_) => Effect::None,
            GatewayError::NoIframeUrl { .. } => Effect::None,
        }
    }

    /// The gateway's structured error, when it sent one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            GatewayError::Api { error, .. } => Some(error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: ExecutionStatus, http_status: u16) -> GatewayError {
        GatewayError::Api {
            http_status,
            error: ApiError {
                code: 2000,
                status,
                message: "Refund request is invalid".into(),
                trace_id: Some("1-abc".into()),
                timestamp: None,
                error_details: vec![ErrorDetail {
                    code: Some(2000),
                    field: None,
                    details: None,
                    message: Some("Refund amount of 1000 exceeds the available balance of 0 for transaction ID trx_1".into()),
                }],
            },
        }
    }

    #[test]
    fn rejected_is_safe_interrupted_is_unknown() {
        assert_eq!(api(ExecutionStatus::Rejected, 400).effect(), Effect::None);
        assert_eq!(api(ExecutionStatus::Interrupted, 500).effect(), Effect::Unknown);
        assert_eq!(api(ExecutionStatus::Unknown, 400).effect(), Effect::Unknown);
        assert_eq!(GatewayError::Timeout { seconds: 30 }.effect(), Effect::Unknown);
        assert_eq!(GatewayError::Connect("refused".into()).effect(), Effect::None);
        assert_eq!(
            GatewayError::UnexpectedResponse { http_status: 502, detail: "html".into() }.effect(),
            Effect::Unknown
        );
    }

    #[test]
    fn message_keeps_the_gateways_words() {
        let text = api(ExecutionStatus::Rejected, 400).to_string();
        assert!(text.contains("exceeds the available balance of 0"), "{text}");
        assert!(text.contains("code 2000"), "{text}");
    }
}
