//! OmniSandbox-only controls (not part of the gateway's API), under `/sandbox`, behind the same API
//! key: close the settlement batch, and queue an `Interrupted` answer for the next capture, void or
//! refund.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::failure::{authorize, GatewayFailure};
use super::gateway_state::Operation;
use super::simulator::OmniSandbox;
use crate::sandbox::faults::Fault;

/// `POST /sandbox/batches/close`: settles the open batch. Its transactions can then only be
/// refunded.
pub async fn close_batch(State(sandbox): State<OmniSandbox>, headers: HeaderMap) -> Response {
    if let Err(failure) = authorize(&sandbox, &headers) {
        return failure.into_response();
    }
    let (closed, count) = sandbox.lock().close_batch();
    tracing::info!(batch = closed, transactions = count, "sandbox batch closed");
    Json(json!({ "closedBatch": closed, "transactions": count, "openBatch": closed + 1 }))
        .into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRequest {
    operation: Operation,
    /// `true`: carry the operation out, then answer `Interrupted`; `false`: answer `Interrupted`
    /// only.
    applied: bool,
}

/// `POST /sandbox/faults` `{"operation":"refund","applied":true}`: the next such call answers
/// `Interrupted` (HTTP 500, status `Interrupted`), after doing the work or not.
pub async fn queue_fault(
    State(sandbox): State<OmniSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(failure) = authorize(&sandbox, &headers) {
        return failure.into_response();
    }
    match serde_json::from_slice::<FaultRequest>(&body) {
        Ok(request) => {
            sandbox.lock().faults.push(Fault { operation: request.operation, applied: request.applied });
            Json(json!({ "queued": true })).into_response()
        }
        Err(error) => GatewayFailure::validation(None, format!("Expected {{\"operation\": \"capture\"|\"void\"|\"refund\", \"applied\": bool}}: {error}"))
            .into_response(),
    }
}
