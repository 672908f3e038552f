//! `GET /api/v1/dashboard`: the console dashboard's figures — today and the last 30 days, in a time
//! zone — for a merchant's own reporting, computed by the same code as the console's page.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use paydesk_core::payments::{dashboard, time_zone, Dashboard};
use paydesk_core::AppState;
use serde::Deserialize;

use super::error::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DashboardQuery {
    /// An IANA time zone name, e.g. `America/Toronto`; UTC when absent.
    time_zone: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    query: Result<Query<DashboardQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Dashboard>, ApiError> {
    let Query(query) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    let name = query.time_zone.unwrap_or_else(|| "UTC".into());
    let zone = time_zone(&name).ok_or_else(|| {
        ApiError::field(
            "timeZone",
            "timeZone must be an IANA time zone name, e.g. America/Toronto.",
        )
    })?;
    dashboard(&state, &name, &zone, jiff::Timestamp::now())
        .await
        .map(Json)
        .map_err(ApiError::internal)
}
