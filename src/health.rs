//! Health for a load balancer or an orchestrator: `/health/live` (the process serves requests),
//! `/health/ready` (and its database answers and holds every migration this build knows: send it
//! traffic). `/healthz` stays as the older name of ready.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use paydesk_core::AppState;

use crate::version::{COMMIT, VERSION};

/// `GET /health/live`: 200 while the process serves requests (restart it when this fails).
pub async fn live() -> Response {
    Json(json!({ "status": "live" })).into_response()
}

/// `GET /health/ready` (and `/healthz`): 200 when the database answers and is migrated (with the
/// build's version and commit); 503 with the reason otherwise (take the instance out of rotation, do not restart it).
pub async fn ready(State(state): State<AppState>) -> Response {
    if !state.store.ping().await {
        return unavailable("database unavailable");
    }
    if !state.store.is_migrated().await {
        return unavailable("database not migrated");
    }
    Json(json!({ "status": "ok", "version": VERSION, "commit": COMMIT })).into_response()
}

fn unavailable(reason: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "status": reason })),
    )
        .into_response()
}
