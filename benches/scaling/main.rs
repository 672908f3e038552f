//! The scaling figure (`make bench`): the throughput and latency of payment-page reloads and of
//! gateway webhook ingest, with one paydesk instance on SQLite, one on PostgreSQL and two on one
//! PostgreSQL database, on this machine, side by side. The processes are the chaos suite's (the
//! `paydesk sandbox` gateway and paydesk instances in live mode against it); the load comes from
//! here, a fixed number of clients each waiting for its answer before the next request. It prints a
//! table and writes `target/bench/scaling.json`; it has no thresholds (figures, not a test).
#![allow(clippy::print_stdout)]

#[allow(dead_code)]
#[path = "../../tests/chaos/balancer.rs"]
mod balancer;
#[allow(dead_code)]
#[path = "../../tests/chaos/cluster.rs"]
mod cluster;
#[allow(dead_code)]
#[path = "../../tests/chaos/database.rs"]
mod database;
#[path = "../shared/entry.rs"]
mod entry;
#[path = "../shared/load.rs"]
mod load;
#[allow(dead_code)]
#[path = "../../tests/chaos/receiver.rs"]
mod receiver;
#[path = "../shared/requests.rs"]
mod requests;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::cluster::{Cluster, MERCHANT_TOKEN};
use crate::database::SharedDatabase;
use crate::load::{closed_loop, Figures};
use crate::requests::{answered, signed_webhook, stray_approval};

/// Concurrent clients of each workload.
const CLIENTS: usize = 16;
/// How long each workload runs.
const RUN_FOR: Duration = Duration::from_secs(8);
/// Payment links the reloads spread over (each with a live hosted-form session).
const LINKS: usize = 100;

/// One deployment measured.
#[derive(serde::Serialize)]
struct Row {
    database: &'static str,
    instances: usize,
    page_reloads: Figures,
    webhook_ingest: Figures,
}

fn main() -> ExitCode {
    entry::run("scaling", || async { measure_all().await.map(|()| true) })
}

async fn measure_all() -> Result<(), String> {
    let postgres = std::env::var("PAYDESK_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty());
    let mut rows = vec![measure("SQLite", 1).await?];
    if postgres {
        rows.push(measure("PostgreSQL", 1).await?);
        rows.push(measure("PostgreSQL", 2).await?);
    } else {
        println!("scaling: PAYDESK_TEST_DATABASE_URL is not set: PostgreSQL rows left out (make bench sets it)");
    }
    println!();
    println!(
        "Scaling ({CLIENTS} clients, {}s each, on {} cores)",
        RUN_FOR.as_secs(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "| {:<10} | {:>9} | {:>18} | {:>17} | {:>20} | {:>17} |",
        "database",
        "instances",
        "page reloads per s",
        "reload p50/p99 ms",
        "webhooks ingested/s",
        "ingest p50/p99 ms"
    );
    println!("|{}|", ["-"; 6].map(|_| "---").join("|"));
    for row in &rows {
        println!(
            "| {:<10} | {:>9} | {:>18.0} | {:>17} | {:>20.0} | {:>17} |",
            row.database,
            row.instances,
            row.page_reloads.per_second,
            format!(
                "{:.1} / {:.1}",
                row.page_reloads.p50_ms, row.page_reloads.p99_ms
            ),
            row.webhook_ingest.per_second,
            format!(
                "{:.1} / {:.1}",
                row.webhook_ingest.p50_ms, row.webhook_ingest.p99_ms
            ),
        );
    }
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    let file = out.join("scaling.json");
    let body = serde_json::to_string_pretty(&json!({
        "clients": CLIENTS,
        "seconds": RUN_FOR.as_secs(),
        "rows": rows,
    }))
    .map_err(|e| e.to_string())?;
    std::fs::write(&file, body).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    println!("\n(written to {})", file.display());
    Ok(())
}

/// Starts a deployment, measures both workloads, stops it.
async fn measure(database: &'static str, instances: usize) -> Result<Row, String> {
    println!("scaling: {database}, {instances} instance(s)…");
    let dir = tempfile::Builder::new()
        .prefix("paydesk-scaling-")
        .tempdir()
        .map_err(|e| format!("no temporary directory: {e}"))?;
    let shared = match database {
        "PostgreSQL" => Some(SharedDatabase::create(rand::random()).await?),
        _ => None,
    };
    // The merchant's backend accepts every event (never answers 500).
    let receiver = receiver::Receiver::start(u64::MAX).await?;
    let cluster = Cluster::start_tuned(
        dir.path().to_path_buf(),
        &receiver.url,
        instances,
        shared.as_ref().map(|d| d.url.clone()),
        Vec::new(),
    )
    .await?;
    let urls: Arc<[String]> = cluster.instance_urls().into();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .map_err(|e| e.to_string())?;

    let links: Arc<[String]> = open_links(&http, &urls).await?.into();
    let page_reloads = {
        let (http, urls, links) = (http.clone(), urls.clone(), links.clone());
        closed_loop(CLIENTS, RUN_FOR, move |n| {
            let url = format!(
                "{}/pay/{}",
                urls[n as usize % urls.len()],
                links[(n as usize / urls.len()) % links.len()]
            );
            let http = http.clone();
            async move { answered(http.get(url).send().await, 200).await }
        })
        .await
    };
    let webhook_ingest = {
        let (http, urls) = (http.clone(), urls.clone());
        let run = rand::random::<u32>();
        closed_loop(CLIENTS, RUN_FOR, move |n| {
            let request = signed_webhook(
                &http,
                &urls[n as usize % urls.len()],
                &stray_approval(run, n),
            );
            async move { answered(request.send().await, 200).await }
        })
        .await
    };
    drop(cluster);
    if let Some(shared) = shared {
        shared.drop_now().await;
    }
    Ok(Row {
        database,
        instances,
        page_reloads,
        webhook_ingest,
    })
}

/// Creates the payment links and opens each page once (its hosted-form session), spread over the
/// instances.
async fn open_links(http: &reqwest::Client, urls: &[String]) -> Result<Vec<String>, String> {
    let mut ids = Vec::with_capacity(LINKS);
    for n in 0..LINKS {
        let base = &urls[n % urls.len()];
        let created: serde_json::Value = http
            .post(format!("{base}/api/v1/checkouts"))
            .bearer_auth(MERCHANT_TOKEN)
            .json(
                &json!({ "amount": 2450, "currency": "USD", "orderNumber": format!("bench-{n}") }),
            )
            .send()
            .await
            .map_err(|e| format!("cannot create a link: {e}"))?
            .json()
            .await
            .map_err(|e| format!("cannot read a created link: {e}"))?;
        let id = created["id"]
            .as_str()
            .ok_or(format!("no link id in {created}"))?
            .to_string();
        let page = http
            .get(format!("{base}/pay/{id}"))
            .send()
            .await
            .map_err(|e| format!("cannot open a page: {e}"))?;
        if page.status() != 200 {
            return Err(format!("a payment page answered {}", page.status()));
        }
        ids.push(id);
    }
    Ok(ids)
}
