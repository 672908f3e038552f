//! Payroc's failures as typed errors: RFC 7807 problems keyed on their `type` fragment and HTTP
//! status (never the title), and whether a failed call may have acted at the device.

use super::wire::{Link, Problem};
use crate::gateways::Effect;

/// The `type` fragments Payroc documents for Cloud calls.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemType {
    BadRequest,
    IdempotencyKeyMissing,
    NotAuthorized,
    Forbidden,
    NotFound,
    NotAcceptable,
    UnsupportedMediaType,
    ResourceAlreadyExists,
    IdempotencyKeyInUse,
    CannotBeCanceled,
    CannotBeModified,
    ApiError,
    /// A fragment paydesk does not know (kept as sent).
    Unknown(String),
}

impl ProblemType {
    pub fn from_fragment(fragment: &str) -> ProblemType {
        match fragment {
            "bad-request" => ProblemType::BadRequest,
            "idempotency-key-missing" => ProblemType::IdempotencyKeyMissing,
            "not-authorized" => ProblemType::NotAuthorized,
            "forbidden" => ProblemType::Forbidden,
            "not-found" => ProblemType::NotFound,
            "not-acceptable" => ProblemType::NotAcceptable,
            "unsupported-media-type" => ProblemType::UnsupportedMediaType,
            "resource-already-exists" => ProblemType::ResourceAlreadyExists,
            "idempotency-key-in-use" => ProblemType::IdempotencyKeyInUse,
            "cannot-be-canceled" => ProblemType::CannotBeCanceled,
            "cannot-be-modified" => ProblemType::CannotBeModified,
            "api-error" => ProblemType::ApiError,
            other => ProblemType::Unknown(other.to_string()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PayrocError {
    #[error("Payroc answered HTTP {status} ({kind:?}): {}", .problem.detail.as_deref().unwrap_or("no detail"))]
    Problem {
        status: u16,
        kind: ProblemType,
        problem: Box<Problem>,
    },
    #[error("Payroc answered HTTP {http_status} with a body paydesk could not read: {detail}")]
    UnexpectedResponse { http_status: u16, detail: String },
    #[error("Payroc did not answer within {seconds}s")]
    Timeout { seconds: u64 },
    #[error("could not connect to Payroc: {0}")]
    Connect(String),
    #[error("Payroc request failed: {0}")]
    Transport(String),
    #[error("Payroc refused the API key or gave no token: {0}")]
    Identity(String),
    #[error("invalid Payroc request: {0}")]
    InvalidRequest(String),
}

impl PayrocError {
    pub fn problem(status: u16, problem: Problem) -> PayrocError {
        PayrocError::Problem {
            status,
            kind: ProblemType::from_fragment(problem.fragment()),
            problem: Box::new(problem),
        }
    }

    /// The problem's type, when Payroc answered with one.
    pub fn kind(&self) -> Option<&ProblemType> {
        match self {
            PayrocError::Problem { kind, .. } => Some(kind),
            _ => None,
        }
    }

    /// A 409's link (a completed instruction's refund), if any.
    pub fn link(&self) -> Option<&Link> {
        match self {
            PayrocError::Problem { problem, .. } => problem.link.as_ref(),
            _ => None,
        }
    }

    /// Whether the call may have acted. A 4xx is a refusal (nothing happened) — except a key still
    /// in use, which means the first call with it may be under way; a 5xx, a timeout or a broken
    /// connection may have acted.
    pub fn effect(&self) -> Effect {
        match self {
            PayrocError::Problem {
                kind: ProblemType::IdempotencyKeyInUse,
                ..
            } => Effect::Unknown,
            PayrocError::Problem { status, .. } if *status < 500 => Effect::None,
            PayrocError::UnexpectedResponse { http_status, .. } if *http_status < 500 => {
                Effect::None
            }
            PayrocError::Connect(_) | PayrocError::Identity(_) | PayrocError::InvalidRequest(_) => {
                Effect::None
            }
            _ => Effect::Unknown,
        }
    }

    /// Whether the submit may be sent again with the same idempotency key: only after a timeout,
    /// a broken connection or a 5xx — never after a 4xx (409 included).
    pub fn may_resend(&self) -> bool {
        match self {
            PayrocError::Timeout { .. } | PayrocError::Transport(_) | PayrocError::Connect(_) => {
                true
            }
            PayrocError::Problem { status, .. } => *status >= 500,
            PayrocError::UnexpectedResponse { http_status, .. } => *http_status >= 500,
            PayrocError::Identity(_) | PayrocError::InvalidRequest(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(status: u16, fragment: &str) -> PayrocError {
        PayrocError::problem(
            status,
            Problem {
                kind: format!("https://docs.payroc.com/api/errors#{fragment}"),
                status: Some(status),
                ..Default::default()
            },
        )
    }

    #[test]
    fn problems_are_typed_by_fragment_and_never_resent_after_a_4xx() {
        let conflict = problem(409, "cannot-be-canceled");
        assert_eq!(conflict.kind(), Some(&ProblemType::CannotBeCanceled));
        assert!(!conflict.may_resend());
        assert_eq!(conflict.effect(), Effect::None);
        assert!(!problem(409, "idempotency-key-in-use").may_resend());
        assert_eq!(
            problem(409, "idempotency-key-in-use").effect(),
            Effect::Unknown
        );
        assert!(!problem(400, "bad-request").may_resend());
        assert!(problem(500, "api-error").may_resend());
        assert_eq!(problem(500, "api-error").effect(), Effect::Unknown);
        assert!(PayrocError::Timeout { seconds: 75 }.may_resend());
        assert_eq!(
            problem(404, "brand-new").kind(),
            Some(&ProblemType::Unknown("brand-new".into()))
        );
    }
}
