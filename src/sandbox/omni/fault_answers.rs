//! How the simulated Omni gateway answers an API call under a queued fault.

use axum::body::to_bytes;
use axum::response::{IntoResponse, Response};

use super::failure::GatewayFailure;
use super::fault_points::FaultPoint;
use super::simulator::OmniSandbox;
use crate::sandbox::faults::{bad_gateway, malformed, FaultKind};

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
