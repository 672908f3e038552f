//! Sandbox-only controls (not part of the gateway's API), under `/sandbox`, behind the same API key:
//! close the settlement batch, and queue, list or clear faults for the next calls.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::failure::{authorize, GatewayFailure};
use super::fault_points::FaultPoint;
use super::simulator::OmniSandbox;
use crate::sandbox::faults::{FaultKind, FaultRequest};

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

const FAULT_HELP: &str = "Expected {\"operation\": \"virtual-auth\"|\"unreferenced-virtual-refund\"|\"transactions\"|\"capture\"|\"void\"|\"refund\"|\"submit\"|\"webhook\", \"fault\": \"interrupted\"|\"timeout\"|\"server-error\"|\"rate-limited\"|\"malformed\"|\"null-iframe\"|\"slow\"|\"drop\"|\"duplicate\"|\"delay\"|\"reorder\", \"applied\": bool, \"count\": N, \"delayMs\": N}";

/// `POST /sandbox/faults`: queues a fault for the next `count` calls of `operation`.
pub async fn queue_fault(
    State(sandbox): State<OmniSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(failure) = authorize(&sandbox, &headers) {
        return failure.into_response();
    }
    let request = match serde_json::from_slice::<FaultRequest<FaultPoint>>(&body) {
        Ok(request) => request,
        Err(error) => {
            return GatewayFailure::validation(None, format!("{FAULT_HELP}: {error}"))
                .into_response()
        }
    };
    let kind = request.kind();
    if !request.operation.accepts(kind) {
        return GatewayFailure::validation(
            Some("fault"),
            format!(
                "{kind:?} cannot be injected into {:?}. {FAULT_HELP}",
                request.operation
            ),
        )
        .into_response();
    }
    if kind == FaultKind::RateLimited && request.applied {
        return GatewayFailure::validation(
            Some("applied"),
            "A rate-limited call never does its work.".into(),
        )
        .into_response();
    }
    let fault = request.into_fault();
    sandbox.lock().faults.push(fault.clone());
    Json(json!({ "queued": fault })).into_response()
}

/// `GET /sandbox/faults`: what is queued.
pub async fn list_faults(State(sandbox): State<OmniSandbox>, headers: HeaderMap) -> Response {
    if let Err(failure) = authorize(&sandbox, &headers) {
        return failure.into_response();
    }
    let faults = sandbox.lock().faults.queued().to_vec();
    Json(json!({ "faults": faults })).into_response()
}

/// `GET /sandbox/calls`: how many times each API call (and the hosted form's submit, and webhook
/// sends) was made since the sandbox started.
pub async fn list_calls(State(sandbox): State<OmniSandbox>, headers: HeaderMap) -> Response {
    if let Err(failure) = authorize(&sandbox, &headers) {
        return failure.into_response();
    }
    let calls: serde_json::Map<String, serde_json::Value> = sandbox
        .lock()
        .calls
        .iter()
        .filter_map(|(point, count)| match serde_json::to_value(point) {
            Ok(serde_json::Value::String(name)) => Some((name, json!(count))),
            _ => None,
        })
        .collect();
    Json(json!({ "calls": calls })).into_response()
}

/// `DELETE /sandbox/faults`: forgets every queued fault.
pub async fn clear_faults(State(sandbox): State<OmniSandbox>, headers: HeaderMap) -> Response {
    if let Err(failure) = authorize(&sandbox, &headers) {
        return failure.into_response();
    }
    let cleared = sandbox.lock().faults.clear();
    Json(json!({ "cleared": cleared })).into_response()
}
