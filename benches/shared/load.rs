//! A closed-loop load generator: `clients` tasks each send one request, wait for its answer and
//! send the next, for a fixed time; it counts what succeeded and keeps every latency (what a client
//! sees, from sending to the whole answer read).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What one workload did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Figures {
    /// Requests answered as expected.
    pub ok: u64,
    /// Requests answered otherwise, or not at all.
    pub failed: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// Runs `request(n)` (`n` counts up across all clients; `true` when answered as expected) from
/// `clients` concurrent clients for `time`.
pub async fn closed_loop<F, Fut>(clients: usize, time: Duration, request: F) -> Figures
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let request = Arc::new(request);
    let next = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let latencies: Arc<Mutex<Vec<f64>>> = Arc::default();
    let started = Instant::now();
    let until = started + time;
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (request, next, failed, latencies) = (
            request.clone(),
            next.clone(),
            failed.clone(),
            latencies.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while Instant::now() < until {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let sent = Instant::now();
                if request(n).await {
                    mine.push(sent.elapsed().as_secs_f64() * 1000.0);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
            if let Ok(mut all) = latencies.lock() {
                all.extend(mine);
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut latencies = latencies.lock().map(|l| l.clone()).unwrap_or_default();
    latencies.sort_by(|a, b| a.total_cmp(b));
    Figures {
        ok: latencies.len() as u64,
        failed: failed.load(Ordering::Relaxed),
        per_second: latencies.len() as f64 / elapsed,
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Runs `request(n)` for `n` in `0..count`, one at a time (the latency one client sees, with nothing
/// else running).
#[allow(dead_code)]
pub async fn one_by_one<F, Fut>(count: u64, request: F) -> Figures
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    let mut latencies = Vec::with_capacity(count as usize);
    let mut failed = 0;
    for n in 0..count {
        let sent = Instant::now();
        if request(n).await {
            latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
        } else {
            failed += 1;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(|a, b| a.total_cmp(b));
    Figures {
        ok: latencies.len() as u64,
        failed,
        per_second: latencies.len() as f64 / elapsed,
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
    }
}
