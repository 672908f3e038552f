//! Typed gateway failures, keeping the gateway's own `code`, `status`, `message`, `traceId` and
//! `errorDetails`, and saying whether the request may have had an effect.

use serde::Deserialize;

use crate::gateways::Effect;

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
pub struct OmniErrorDetail {
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

impl OmniErrorDetail {
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
pub struct OmniErrorBody {
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
    pub error_details: Vec<OmniErrorDetail>,
}

fn unknown_status() -> ExecutionStatus {
    ExecutionStatus::Unknown
}

impl OmniErrorBody {
    /// The gateway's message followed by its details, for a merchant's eyes (never contains our
    /// key).
    pub fn describe(&self) -> String {
        let details: Vec<&str> = self
            .error_details
            .iter()
            .map(OmniErrorDetail::text)
            .filter(|t| !t.is_empty())
            .collect();
        if details.is_empty() {
            self.message.clone()
        } else {
            format!("{} {}", self.message, details.join(" "))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OmniError {
    #[error("gateway answered HTTP {http_status} (code {}, {:?}): {}", .error.code, .error.status, .error.describe())]
    Api {
        http_status: u16,
        error: OmniErrorBody,
    },
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

impl OmniError {
    /// Whether the request may have had an effect. Only a definite "Rejected", a refusal of our
    /// credentials or input, or a connection that never opened mean "nothing happened".
    pub fn effect(&self) -> Effect {
        match self {
            OmniError::Api { error, http_status } => match error.status {
                ExecutionStatus::Rejected => Effect::None,
                ExecutionStatus::Interrupted | ExecutionStatus::Unknown => Effect::Unknown,
                ExecutionStatus::Completed if *http_status < 500 => Effect::None,
                ExecutionStatus::Completed => Effect::Unknown,
            },
            OmniError::UnexpectedResponse { http_status, .. } => {
                if matches!(http_status, 400 | 401 | 403 | 404 | 405 | 415 | 422 | 429) {
                    Effect::None
                } else {
                    Effect::Unknown
                }
            }
            OmniError::Timeout { .. } | OmniError::Transport(_) => Effect::Unknown,
            OmniError::Connect(_) | OmniError::InvalidRequest(_) => Effect::None,
            OmniError::NoIframeUrl { .. } => Effect::None,
        }
    }

    /// The gateway said too many requests (429): stop calling until it resets.
    pub fn is_rate_limited(&self) -> bool {
        matches!(
            self,
            OmniError::Api {
                http_status: 429,
                ..
            } | OmniError::UnexpectedResponse {
                http_status: 429,
                ..
            }
        )
    }

    /// The gateway's structured error, when it sent one.
    pub fn api_error(&self) -> Option<&OmniErrorBody> {
        match self {
            OmniError::Api { error, .. } => Some(error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: ExecutionStatus, http_status: u16) -> OmniError {
        OmniError::Api {
            http_status,
            error: OmniErrorBody {
                code: 2000,
                status,
                message: "Refund request is invalid".into(),
                trace_id: Some("1-abc".into()),
                timestamp: None,
                error_details: vec![OmniErrorDetail {
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
        assert_eq!(
            api(ExecutionStatus::Interrupted, 500).effect(),
            Effect::Unknown
        );
        assert_eq!(api(ExecutionStatus::Unknown, 400).effect(), Effect::Unknown);
        assert_eq!(OmniError::Timeout { seconds: 30 }.effect(), Effect::Unknown);
        assert_eq!(OmniError::Connect("refused".into()).effect(), Effect::None);
        assert_eq!(
            OmniError::UnexpectedResponse {
                http_status: 502,
                detail: "html".into()
            }
            .effect(),
            Effect::Unknown
        );
    }

    #[test]
    fn message_keeps_the_gateways_words() {
        let text = api(ExecutionStatus::Rejected, 400).to_string();
        assert!(
            text.contains("exceeds the available balance of 0"),
            "{text}"
        );
        assert!(text.contains("code 2000"), "{text}");
    }
}
