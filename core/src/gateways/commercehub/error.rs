//! Commerce Hub's failures as typed errors. Each keeps the `apiTraceId` (from the envelope or the
//! `ApiTraceId` header) that Fiserv support asks for, and says whether the call may have acted.

use super::wire::{ErrorEnvelope, ErrorItem};
use crate::gateways::Effect;

#[derive(Debug, thiserror::Error)]
pub enum CommerceHubError {
    #[error("Commerce Hub answered HTTP {status}{}: {} (trace {})", .items.first().and_then(|e| e.code.as_deref()).map(|c| format!(" code {c}")).unwrap_or_default(), describe(.items), .api_trace_id.as_deref().unwrap_or("none"))]
    Api {
        status: u16,
        api_trace_id: Option<String>,
        items: Vec<ErrorItem>,
    },
    #[error("Commerce Hub answered HTTP {status} with a body paydesk could not read (trace {}): {detail}", .api_trace_id.as_deref().unwrap_or("none"))]
    UnexpectedResponse {
        status: u16,
        api_trace_id: Option<String>,
        detail: String,
    },
    #[error("Commerce Hub did not answer within {seconds}s")]
    Timeout { seconds: u64 },
    #[error("could not connect to Commerce Hub: {0}")]
    Connect(String),
    #[error("Commerce Hub request failed: {0}")]
    Transport(String),
}

fn describe(items: &[ErrorItem]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|e| {
            let field = e
                .field
                .as_deref()
                .map(|f| format!(" ({f})"))
                .unwrap_or_default();
            format!("{}{field}", e.message.as_deref().unwrap_or("no message"))
        })
        .collect();
    if parts.is_empty() {
        "no details".into()
    } else {
        parts.join("; ")
    }
}

impl CommerceHubError {
    /// An error answer: its envelope (either documented shape) when it has one.
    pub fn from_answer(status: u16, header_trace_id: Option<String>, body: &[u8]) -> Self {
        match serde_json::from_slice::<ErrorEnvelope>(body) {
            Ok(envelope) => {
                let body = envelope.into_body();
                let api_trace_id = body
                    .gateway_response
                    .as_ref()
                    .and_then(|g| g.transaction_processing_details.api_trace_id.clone())
                    .or(header_trace_id);
                CommerceHubError::Api {
                    status,
                    api_trace_id,
                    items: body.error,
                }
            }
            Err(_) => CommerceHubError::UnexpectedResponse {
                status,
                api_trace_id: header_trace_id,
                detail: String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
            },
        }
    }

    /// The gateway error code of the first item (e.g. `324`, `810`).
    pub fn code(&self) -> Option<&str> {
        match self {
            CommerceHubError::Api { items, .. } => items.first().and_then(|e| e.code.as_deref()),
            _ => None,
        }
    }

    pub fn api_trace_id(&self) -> Option<&str> {
        match self {
            CommerceHubError::Api { api_trace_id, .. }
            | CommerceHubError::UnexpectedResponse { api_trace_id, .. } => api_trace_id.as_deref(),
            _ => None,
        }
    }

    /// Whether the call may have acted: a refusal (4xx other than 408/425, which mean the request
    /// arrived too late or too early to know) did nothing; a 5xx, a timeout or a broken connection
    /// may have — look it up (`transaction-inquiry`) or resend with the same `Client-Request-Id`.
    pub fn effect(&self) -> Effect {
        let status = match self {
            CommerceHubError::Api { status, .. }
            | CommerceHubError::UnexpectedResponse { status, .. } => *status,
            CommerceHubError::Connect(_) => return Effect::None,
            CommerceHubError::Timeout { .. } | CommerceHubError::Transport(_) => {
                return Effect::Unknown
            }
        };
        match status {
            408 | 425 => Effect::Unknown,
            400..=499 => Effect::None,
            _ => Effect::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_their_trace_and_say_whether_anything_happened() {
        let top = CommerceHubError::from_answer(
            400,
            Some("ffffffffffffffffffffffffffffffff".into()),
            br#"{"gatewayResponse":{"transactionProcessingDetails":{"apiTraceId":"362866ac81864d7c9d1ff8b5aa6e98db"}},"error":[{"type":"GATEWAY","code":"810","message":"Amount is Greater Than Refund/Void"}]}"#,
        );
        assert_eq!(top.code(), Some("810"));
        assert_eq!(
            top.api_trace_id(),
            Some("362866ac81864d7c9d1ff8b5aa6e98db"),
            "the envelope's trace first"
        );
        assert_eq!(top.effect(), Effect::None);
        assert!(top.to_string().contains("362866ac81864d7c9d1ff8b5aa6e98db"));

        let wrapped = CommerceHubError::from_answer(
            504,
            Some("0123456789abcdef0123456789abcdef".into()),
            br#"{"errorResponse":{"error":[{"type":"NETWORK","message":"Timeout"}]}}"#,
        );
        assert_eq!(
            wrapped.api_trace_id(),
            Some("0123456789abcdef0123456789abcdef"),
            "else the header's"
        );
        assert_eq!(wrapped.effect(), Effect::Unknown);

        let html = CommerceHubError::from_answer(502, None, b"<html>bad gateway</html>");
        assert!(matches!(
            html,
            CommerceHubError::UnexpectedResponse { status: 502, .. }
        ));
        assert_eq!(html.effect(), Effect::Unknown);
        assert_eq!(CommerceHubError::from_answer(401, None, br#"{"error":[{"type":"APIM","message":"ApiKey and/or Authentication supplied are invalid."}]}"#).effect(), Effect::None);
    }
}
