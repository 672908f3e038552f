//! Prometheus metrics: installs the `metrics` facade's Prometheus recorder (once per process) and
//! serves `GET /metrics` on its own listener (`PAYDESK_METRICS_ADDR`), never on the public one.
//! The outbox's and the webhook store's backlog are read from the database at each scrape, so every
//! instance reports the fleet's backlog.

use std::sync::OnceLock;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use paydesk_core::measures;
use paydesk_core::store::now_ms;
use paydesk_core::AppState;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Histogram buckets for every `*_seconds` metric: 1 ms to 30 s.
const SECONDS_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// How often histograms are compacted between scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// Why metrics could not be set up.
#[derive(Clone, Debug, thiserror::Error)]
#[error("metrics could not be set up: {0}")]
pub struct MetricsError(String);

/// The process's Prometheus recorder, installed on first use (several applications in one process,
/// as in the tests, share it).
pub fn recorder() -> Result<PrometheusHandle, MetricsError> {
    static HANDLE: OnceLock<Result<PrometheusHandle, MetricsError>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &SECONDS_BUCKETS)
                .map_err(|e| MetricsError(e.to_string()))?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).map_err(|_| {
                MetricsError("another metrics recorder is installed in this process".into())
            })?;
            measures::describe();
            measures::build_info(crate::version::VERSION, crate::version::COMMIT);
            Ok(handle)
        })
        .clone()
}

#[derive(Clone)]
struct Scrape {
    app: AppState,
    handle: PrometheusHandle,
}

/// Serves `/metrics` on `listener` until `stopped` turns true.
pub fn serve(
    listener: TcpListener,
    app: AppState,
    handle: PrometheusHandle,
    mut stopped: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let upkeep = handle.clone();
    let router = Router::new()
        .route("/metrics", get(scrape))
        .with_state(Scrape { app, handle });
    tokio::spawn(async move {
        let mut until_stopped = stopped.clone();
        let upkeep = tokio::spawn(async move {
            let mut ticker = tokio::time::interval(UPKEEP_EVERY);
            loop {
                tokio::select! {
                    _ = ticker.tick() => upkeep.run_upkeep(),
                    _ = until_stopped.wait_for(|stop| *stop) => break,
                }
            }
        });
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            })
            .await;
        if let Err(error) = served {
            tracing::warn!(%error, "the metrics listener stopped");
        }
        let _ = upkeep.await;
    })
}

async fn scrape(State(scrape): State<Scrape>) -> Response {
    let store = &scrape.app.store;
    match (
        store.merchant_event_backlog().await,
        store.unapplied_webhook_event_count().await,
    ) {
        (Ok((pending, oldest)), Ok(unapplied)) => {
            let lag_ms = oldest.map_or(0, |created| (now_ms() - created).max(0));
            measures::backlog(
                pending.max(0) as u64,
                Duration::from_millis(lag_ms as u64),
                unapplied.max(0) as u64,
            );
        }
        (Err(error), _) | (_, Err(error)) => {
            // The counters still answer; the backlog keeps its last value.
            tracing::warn!(%error, "metrics: could not read the backlog");
        }
    }
    scrape.handle.run_upkeep();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        scrape.handle.render(),
    )
        .into_response()
}
