//! Where the simulated Omni gateway can fail on purpose: each API call, the hosted form's submit and
//! the webhooks, which faults each accepts, and how an API call answers under one.

use axum::body::to_bytes;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::failure::GatewayFailure;
use super::gateway_state::Operation;
use super::simulator::OmniSandbox;
use crate::sandbox::faults::{bad_gateway, malformed, Fault, FaultKind};

/// A place a fault can be injected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultPoint {
    /// `POST /transactions/virtual-auth`
    VirtualAuth,
    /// `POST /transactions/unreferenced-virtual-refund`
    UnreferencedVirtualRefund,
    /// `GET /transactions` (the lookups that settle unknown outcomes)
    Transactions,
    Capture,
    Void,
    Refund,
    /// A card submitted in the hosted form.
    Submit,
    /// The webhooks the gateway sends.
    Webhook,
}

impl From<Operation> for FaultPoint {
    fn from(operation: Operation) -> Self {
        match operation {
            Operation::Capture => FaultPoint::Capture,
            Operation::Void => FaultPoint::Void,
            Operation::Refund => FaultPoint::Refund,
        }
    }
}

impl FaultPoint {
    /// Whether `kind` makes sense here (and so may be queued).
    pub fn accepts(self, kind: FaultKind) -> bool {
        use FaultKind::*;
        match self {
            FaultPoint::Webhook => matches!(kind, Drop | Duplicate | Delay | Reorder),
            FaultPoint::Submit => matches!(kind, Slow | Interrupted | ServerError),
            FaultPoint::VirtualAuth | FaultPoint::UnreferencedVirtualRefund => {
                matches!(
                    kind,
                    Interrupted
                        | Timeout
                        | ServerError
                        | RateLimited
                        | Malformed
                        | NullIframe
                        | Slow
                )
            }
            FaultPoint::Transactions
            | FaultPoint::Capture
            | FaultPoint::Void
            | FaultPoint::Refund => {
                matches!(
                    kind,
                    Interrupted | Timeout | ServerError | RateLimited | Malformed | Slow
                )
            }
        }
    }
}

impl OmniSandbox {
    /// The fault queued for `point`, if any, used once.
    pub(super) fn take_fault(&self, point: FaultPoint) -> Option<Fault<FaultPoint>> {
        let fault = self.lock().faults.take(point)?;
        tracing::info!(point = ?point, fault = ?fault.fault, applied = fault.applied, "sandbox fault injected");
        Some(fault)
    }
}

/// Answers an API call as the fault queued for `point` says, if one is: `work` (the call itself) runs
/// first when the fault is `applied`, or always for faults that only slow or alter the answer.
pub async fn answer_under_fault(
    sandbox: &OmniSandbox,
    point: FaultPoint,
    work: impl FnOnce() -> Response,
) -> Response {
    let Some(fault) = sandbox.take_fault(point) else {
        return work();
    };
    match fault.fault {
        FaultKind::Slow => {
            tokio::time::sleep(fault.delay()).await;
            work()
        }
        FaultKind::Timeout => {
            let answer = fault.applied.then(work);
            tokio::time::sleep(fault.delay()).await;
            answer.unwrap_or_else(|| GatewayFailure::interrupted().into_response())
        }
        FaultKind::NullIframe => without_iframe_url(work()).await,
        kind => {
            if fault.applied {
                drop(work());
            }
            match kind {
                FaultKind::ServerError => bad_gateway(),
                FaultKind::RateLimited => GatewayFailure::rate_limited().into_response(),
                FaultKind::Malformed => malformed(),
                _ => GatewayFailure::interrupted().into_response(),
            }
        }
    }
}

/// A session answer with its `iframeUrl` nulled, as when the gateway cannot build the form.
async fn without_iframe_url(answer: Response) -> Response {
    let (parts, body) = answer.into_parts();
    let Ok(bytes) = to_bytes(body, 1 << 20).await else {
        return GatewayFailure::interrupted().into_response();
    };
    match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(mut session) if parts.status.is_success() => {
            session["iframeUrl"] = serde_json::Value::Null;
            (parts.status, axum::Json(session)).into_response()
        }
        _ => Response::from_parts(parts, axum::body::Body::from(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_point_takes_only_the_faults_that_mean_something_there() {
        assert!(FaultPoint::Webhook.accepts(FaultKind::Reorder));
        assert!(!FaultPoint::Webhook.accepts(FaultKind::Interrupted));
        assert!(FaultPoint::VirtualAuth.accepts(FaultKind::NullIframe));
        assert!(!FaultPoint::Capture.accepts(FaultKind::NullIframe));
        assert!(FaultPoint::Submit.accepts(FaultKind::Slow));
        assert!(!FaultPoint::Submit.accepts(FaultKind::Drop));
        let point: FaultPoint = serde_json::from_str("\"unreferenced-virtual-refund\"").unwrap();
        assert_eq!(point, FaultPoint::UnreferencedVirtualRefund);
    }
}
