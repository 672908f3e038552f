//! `make bench`: paydesk's performance, measured side by side in one run on this machine, each
//! figure beside its reference and its goal (`benches/budgets.toml`): the render that opens a
//! session against the gateway's session creation alone, page reloads, merchant API creates,
//! webhook ingest (durable: rows counted afterwards), merchant-event delivery, idle and peak memory,
//! and the bytes a browser receives for each customer page, first and repeat visit. paydesk runs as
//! a user runs it (release build, SQLite, default settings) in live mode against `paydesk sandbox`,
//! each its own process; the load comes from here. It prints a table, writes
//! `target/bench/performance.json`, and fails when a figure misses its goal.
#![allow(clippy::print_stdout)]

#[allow(dead_code)]
#[path = "../../tests/chaos/balancer.rs"]
mod balancer;
mod budgets;
#[allow(dead_code)]
#[path = "../../tests/chaos/cluster.rs"]
mod cluster;
#[path = "../shared/entry.rs"]
mod entry;
#[allow(dead_code)]
#[path = "../shared/load.rs"]
mod load;
mod memory;
mod page_load;
#[allow(dead_code)]
#[path = "../../tests/chaos/receiver.rs"]
mod receiver;
#[path = "../shared/requests.rs"]
mod requests;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::cluster::{Cluster, API_KEY, MERCHANT_TOKEN};
use crate::load::{closed_loop, one_by_one, Figures};
use crate::page_load::{page_loads, PageLoad, Visit};
use crate::requests::{answered, signed_webhook, stray_approval};

/// Concurrent clients of each throughput workload.
const CLIENTS: usize = 16;
/// How long each throughput workload runs.
const RUN_FOR: Duration = Duration::from_secs(8);
/// Pages rendered one at a time, each opening a session (and sessions opened at the gateway alone).
const RENDERS: u64 = 200;
/// Payment links the reloads spread over (each with a live session).
const LINKS: usize = 100;
/// Merchant events whose delivery is timed.
const EVENTS: usize = 2_000;

#[derive(serde::Serialize)]
struct Report {
    cores: usize,
    clients: usize,
    seconds: u64,
    gateway_session_alone: Figures,
    session_render: Figures,
    page_reloads: Figures,
    merchant_api_create: Figures,
    webhook_ingest: Figures,
    webhook_rows_stored: i64,
    webhook_stored_per_second: f64,
    /// Every stored event applied, from the first delivery to the last application.
    webhooks_applied_per_second: f64,
    merchant_events_per_second: f64,
    /// The same events written to the outbox (their approvals applied), per second.
    merchant_events_written_per_second: f64,
    idle_rss_mib: f64,
    peak_rss_mib: f64,
    /// The payment, refund and return pages in Chromium on slow 4G.
    pages: std::collections::BTreeMap<String, PageLoad>,
}

fn main() -> ExitCode {
    entry::run("performance", || async {
        let report = measure().await?;
        report_and_check(&report)
    })
}

async fn measure() -> Result<Report, String> {
    let dir = tempfile::Builder::new()
        .prefix("paydesk-bench-")
        .tempdir()
        .map_err(|e| format!("no temporary directory: {e}"))?;
    let receiver = receiver::Receiver::start(u64::MAX).await?;
    // paydesk's own defaults: the reconciler's pace, 15-minute sessions, info logs.
    // A PAYDESK_* setting in the bench's own environment replaces it (to try one out).
    let tuning = [
        ("PAYDESK_RECONCILE_INTERVAL_MS", "5000"),
        ("PAYDESK_SANDBOX_SESSION_TTL_SECS", "900"),
        ("PAYDESK_GATEWAY_TIMEOUT_SECS", "10"),
        ("PAYDESK_LOG", "info"),
        ("PAYDESK_DATABASE_POOL_SIZE", "8"),
    ]
    .into_iter()
    .map(|(name, default)| (name, std::env::var(name).unwrap_or(default.to_string())))
    .collect();
    let cluster =
        Cluster::start_tuned(dir.path().to_path_buf(), &receiver.url, 1, None, tuning).await?;
    let base = cluster.instance_urls()[0].clone();
    let pid = cluster.instance_pids()[0];
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .map_err(|e| e.to_string())?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (idle_rss_mib, _) = memory::resident_mib(pid)?;

    let gateway_session_alone = gateway_session_alone(&http, &cluster).await?;
    println!("performance: page renders that open a session…");
    let links = create_checkouts(&http, &base, RENDERS as usize, "render").await?;
    let session_render = {
        let links = links.clone();
        one_by_one(RENDERS, |n| {
            let request = http.get(format!("{base}/pay/{}", links[n as usize]));
            async move { answered(request.send().await, 200).await }
        })
        .await
    };
    println!("performance: reloads…");
    let page_reloads = {
        let (http, base) = (http.clone(), base.clone());
        let links: Arc<[String]> = links[..LINKS].to_vec().into();
        closed_loop(CLIENTS, RUN_FOR, move |n| {
            let request = http.get(format!("{base}/pay/{}", links[n as usize % links.len()]));
            async move { answered(request.send().await, 200).await }
        })
        .await
    };
    println!("performance: merchant API creates…");
    let merchant_api_create = {
        let (http, base) = (http.clone(), base.clone());
        closed_loop(CLIENTS, RUN_FOR, move |n| {
            let request = http
                .post(format!("{base}/api/v1/checkouts"))
                .bearer_auth(MERCHANT_TOKEN)
                .json(&json!({ "amount": 2450, "currency": "USD", "orderNumber": format!("api-{n}") }));
            async move { answered(request.send().await, 201).await }
        })
        .await
    };
    let webhooks = webhook_figures(&http, &base, &cluster).await?;
    println!("performance: merchant-event delivery…");
    let (merchant_events_per_second, merchant_events_written_per_second) =
        merchant_event_delivery(&http, &base, &cluster, &receiver).await?;
    let (_, peak_rss_mib) = memory::resident_mib(pid)?;
    let pages = customer_pages(&http, &base, &links[0]).await?;
    let pages = tokio::task::spawn_blocking(move || page_loads(&pages))
        .await
        .map_err(|e| e.to_string())??;
    drop(cluster);
    Ok(Report {
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        clients: CLIENTS,
        seconds: RUN_FOR.as_secs(),
        gateway_session_alone,
        session_render,
        page_reloads,
        merchant_api_create,
        webhook_stored_per_second: webhooks.stored_per_second,
        webhooks_applied_per_second: webhooks.applied_per_second,
        webhook_ingest: webhooks.ingest,
        webhook_rows_stored: webhooks.rows_stored,
        merchant_events_per_second,
        merchant_events_written_per_second,
        idle_rss_mib,
        peak_rss_mib,
        pages,
    })
}

/// The gateway's session creation alone, one by one: the reference paydesk's renders are set
/// against.
async fn gateway_session_alone(
    http: &reqwest::Client,
    cluster: &Cluster,
) -> Result<Figures, String> {
    println!("performance: the gateway's session creation alone…");
    let sandbox = cluster.sandbox_url.clone();
    // The return address the gateway accepts: paydesk's public one; the merchant's USD form.
    let public = cluster.paydesk_url.clone();
    let form = usd_hosted_form(http, &sandbox).await?;
    Ok(one_by_one(RENDERS, |n| {
        let request = http
            .post(format!("{sandbox}/v1/transactions/virtual-auth"))
            .header("x-api-key", API_KEY)
            .json(&json!({
                "amount": 2450, "orderNumber": format!("alone-{n}"), "paymentMethodId": form,
                "referenceId": format!("ref_alone_{n}_{}", rand::random::<u32>()),
                "returnUrl": format!("{public}/pay/x/return"), "useJavaScriptCallback": true,
            }));
        async move { answered(request.send().await, 200).await }
    })
    .await)
}

/// Webhooks under load: acknowledged, stored (rows counted), and applied off the request path.
struct WebhookFigures {
    ingest: Figures,
    rows_stored: i64,
    stored_per_second: f64,
    applied_per_second: f64,
}

async fn webhook_figures(
    http: &reqwest::Client,
    base: &str,
    cluster: &Cluster,
) -> Result<WebhookFigures, String> {
    println!("performance: webhook ingest…");
    let run = rand::random::<u32>();
    let ingest_started = Instant::now();
    let webhook_ingest = {
        let (http, base) = (http.clone(), base.to_string());
        closed_loop(CLIENTS, RUN_FOR, move |n| {
            let request = signed_webhook(&http, &base, &stray_approval(run, n));
            async move { answered(request.send().await, 200).await }
        })
        .await
    };
    let ingest_seconds = ingest_started.elapsed().as_secs_f64();
    let webhook_rows_stored = count_rows(
        cluster.database_url(),
        &format!("SELECT COUNT(*) FROM webhook_events WHERE event_id LIKE 'evt_bench_{run:08x}_%'"),
    )
    .await?;
    // The events acknowledged under load are applied off the request path: how long until all are.
    let deadline = Instant::now() + Duration::from_secs(600);
    while count_rows(
        cluster.database_url(),
        "SELECT COUNT(*) FROM webhook_events WHERE processed_at IS NULL",
    )
    .await?
        > 0
    {
        if Instant::now() > deadline {
            return Err("stored webhooks were not all applied within ten minutes".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let webhooks_applied_per_second =
        webhook_rows_stored as f64 / ingest_started.elapsed().as_secs_f64();
    Ok(WebhookFigures {
        ingest: webhook_ingest,
        rows_stored: webhook_rows_stored,
        stored_per_second: webhook_rows_stored as f64 / ingest_seconds,
        applied_per_second: webhooks_applied_per_second,
    })
}

/// The pages a customer opens: a payment page (on its hosted form), a refund link's page, and the
/// return page of a paid checkout (`link`).
async fn customer_pages(
    http: &reqwest::Client,
    base: &str,
    link: &str,
) -> Result<Vec<(&'static str, String)>, String> {
    let checkout = create_checkouts(http, base, 1, "page-load").await?[0].clone();
    let refund = refund_link(http, base).await?;
    Ok(vec![
        ("payment", format!("{base}/pay/{checkout}")),
        ("refund", format!("{base}{refund}")),
        ("return", format!("{base}/pay/{link}/return")),
    ])
}

/// Prints the table, writes the JSON, checks the goals. `false`: a figure missed its goal.
fn report_and_check(report: &Report) -> Result<bool, String> {
    let goals = budgets::load()?;
    let figures = goal_figures(report);
    print_table(report, &table_rows(report, &goals, &figures));
    write_json(report)?;
    check_goals(&goals, &figures)
}

type Goals = std::collections::BTreeMap<String, budgets::Goal>;

/// The figures budgets.toml may set a goal for, by name.
fn goal_figures(report: &Report) -> Vec<(&'static str, f64)> {
    let overhead_p50 = report.session_render.p50_ms - report.gateway_session_alone.p50_ms;
    let mut figures = page_figures(report);
    figures.extend([
        ("reloads_per_second", report.page_reloads.per_second),
        ("reload_p99_ms", report.page_reloads.p99_ms),
        ("session_render_overhead_p50_ms", overhead_p50),
        (
            "webhook_ingest_per_second",
            report.webhook_stored_per_second,
        ),
        (
            "webhooks_applied_per_second",
            report.webhooks_applied_per_second,
        ),
        (
            "merchant_events_per_second",
            report.merchant_events_per_second,
        ),
        ("peak_rss_mib", report.peak_rss_mib),
    ]);
    figures
}

/// Each page's figures in Chromium on slow 4G, by goal name (a missing time is never a goal met).
fn page_figures(report: &Report) -> Vec<(&'static str, f64)> {
    let mut figures = Vec::new();
    for (name, [bytes, first, repeat, frame]) in PAGE_GOALS {
        let Some(page) = report.pages.get(name) else {
            continue;
        };
        let ms = |v: Option<f64>| v.unwrap_or(f64::INFINITY);
        figures.push((bytes, page.first.bytes_before_interactive as f64));
        figures.push((first, ms(page.first.interactive_ms)));
        figures.push((repeat, ms(page.repeat.interactive_ms)));
        if !frame.is_empty() {
            figures.push((frame, ms(page.first.frame_visible_ms)));
        }
    }
    figures
}

/// Per page: the goal names of its bytes before interactive, time to interactive (first and
/// repeat visit) and, where it shows the gateway's form, time to the form's frame.
const PAGE_GOALS: [(&str, [&str; 4]); 3] = [
    (
        "payment",
        [
            "payment_page_bytes_before_interactive",
            "payment_page_interactive_first_visit_ms",
            "payment_page_interactive_repeat_visit_ms",
            "payment_page_frame_visible_ms",
        ],
    ),
    (
        "refund",
        [
            "refund_page_bytes_before_interactive",
            "refund_page_interactive_first_visit_ms",
            "refund_page_interactive_repeat_visit_ms",
            "refund_page_frame_visible_ms",
        ],
    ),
    (
        "return",
        [
            "return_page_bytes_before_interactive",
            "return_page_interactive_first_visit_ms",
            "return_page_interactive_repeat_visit_ms",
            "",
        ],
    ),
];

/// The table being built: each row with its goal's bound and verdict.
struct Table<'a> {
    goals: &'a Goals,
    figures: &'a [(&'static str, f64)],
    rows: Vec<(String, String, String, &'static str)>,
}

impl Table<'_> {
    /// A row: what, measured, reference; `goal` names the figure whose goal it shows ("" none).
    fn row(&mut self, what: &str, measured: String, reference: String, goal: &str) {
        let (reference, state) = match self.goals.get(goal) {
            Some(bound) => {
                let value = self
                    .figures
                    .iter()
                    .find(|(figure, _)| *figure == goal)
                    .map_or(f64::NAN, |(_, v)| *v);
                let state = if bound.met_by(value) { "ok" } else { "MISSED" };
                (format!("{reference} (goal {})", bound.describe()), state)
            }
            None => (reference, ""),
        };
        self.rows
            .push((what.to_string(), measured, reference, state));
    }
}

/// The table's rows: what, measured, reference (with its goal), and whether the goal is met.
fn table_rows(
    report: &Report,
    goals: &Goals,
    figures: &[(&'static str, f64)],
) -> Vec<(String, String, String, &'static str)> {
    let mut table = Table {
        goals,
        figures,
        rows: Vec::new(),
    };
    throughput_rows(report, &mut table);
    page_rows(report, &mut table);
    table.rows
}

/// Latencies, rates and memory.
fn throughput_rows(report: &Report, table: &mut Table) {
    let overhead_p50 = report.session_render.p50_ms - report.gateway_session_alone.p50_ms;
    let overhead_p99 = report.session_render.p99_ms - report.gateway_session_alone.p99_ms;
    let p = |f: &Figures| format!("{:.1} / {:.1}", f.p50_ms, f.p99_ms);
    table.row(
        "session-creating render, p50 / p99 ms",
        p(&report.session_render),
        format!("gateway session alone {}", p(&report.gateway_session_alone)),
        "",
    );
    table.row(
        "  paydesk's overhead, p50 / p99 ms",
        format!("{overhead_p50:.2} / {overhead_p99:.2}"),
        String::new(),
        "session_render_overhead_p50_ms",
    );
    table.row(
        "page reloads per second",
        format!("{:.0}", report.page_reloads.per_second),
        String::new(),
        "reloads_per_second",
    );
    table.row(
        "  reload p50 / p99 ms",
        p(&report.page_reloads),
        String::new(),
        "reload_p99_ms",
    );
    table.row(
        "merchant API creates per second",
        format!("{:.0}", report.merchant_api_create.per_second),
        format!("p50 / p99 ms {}", p(&report.merchant_api_create)),
        "",
    );
    table.row(
        "webhooks stored per second (rows counted)",
        format!("{:.0}", report.webhook_stored_per_second),
        format!(
            "{} acknowledged, {} rows; p50 / p99 ms {}",
            report.webhook_ingest.ok,
            report.webhook_rows_stored,
            p(&report.webhook_ingest)
        ),
        "webhook_ingest_per_second",
    );
    table.row(
        "  the same events applied per second",
        format!("{:.0}", report.webhooks_applied_per_second),
        "off the request path, until the last is applied".into(),
        "webhooks_applied_per_second",
    );
    table.row(
        "merchant events delivered per second",
        format!("{:.0}", report.merchant_events_per_second),
        format!(
            "{EVENTS} payment.authorized events; written {:.0}/s",
            report.merchant_events_written_per_second
        ),
        "merchant_events_per_second",
    );
    table.row(
        "resident memory, idle / peak MiB",
        format!("{:.1} / {:.1}", report.idle_rss_mib, report.peak_rss_mib),
        String::new(),
        "peak_rss_mib",
    );
}

/// Each page in Chromium on slow 4G: bytes before and after interactive, and the times.
fn page_rows(report: &Report, table: &mut Table) {
    let ms = |v: Option<f64>| v.map_or("never".to_string(), |v| format!("{v:.0}"));
    for (name, [bytes, first, repeat, frame]) in PAGE_GOALS {
        let Some(page) = report.pages.get(name) else {
            continue;
        };
        table.row(
            &format!("{name} page bytes before / after interactive"),
            format!(
                "{} / {}",
                page.first.bytes_before_interactive, page.first.bytes_after_interactive
            ),
            files_listed(&page.first),
            bytes,
        );
        table.row(
            "  interactive, first visit ms (slow 4G, 4x CPU)",
            ms(page.first.interactive_ms),
            String::new(),
            first,
        );
        table.row(
            "  interactive, repeat visit ms",
            ms(page.repeat.interactive_ms),
            format!("{} bytes", page.repeat.bytes_before_interactive),
            repeat,
        );
        if !frame.is_empty() {
            table.row(
                "  the gateway's form frame loaded, ms",
                ms(page.first.frame_visible_ms),
                String::new(),
                frame,
            );
        }
    }
}

/// A visit's files before interactive, by name and bytes; then how many came after.
fn files_listed(visit: &Visit) -> String {
    let name = |path: &str| path.rsplit('/').next().unwrap_or(path).to_string();
    let before: Vec<String> = visit
        .files
        .iter()
        .filter(|f| f.before_interactive)
        .map(|f| format!("{} {}", name(&f.path), f.bytes))
        .collect();
    let after = visit.files.iter().filter(|f| !f.before_interactive).count();
    format!("{}; then {after} files", before.join(", "))
}
fn print_table(report: &Report, rows: &[(String, String, String, &'static str)]) {
    println!();
    println!(
        "paydesk performance ({} cores, {} clients, {} s per throughput figure; release build, SQLite)",
        report.cores, report.clients, report.seconds
    );
    println!("| figure | measured | reference / goal | |");
    println!("|---|---|---|---|");
    for (what, measured, reference, state) in rows {
        println!("| {what} | {measured} | {reference} | {state} |");
    }
}

/// target/bench/performance.json: every figure, for comparing runs.
fn write_json(report: &Report) -> Result<(), String> {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    let file = out.join("performance.json");
    let body = serde_json::to_string_pretty(report).map_err(|e| e.to_string())?;
    std::fs::write(&file, body).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    println!("\n(written to {})", file.display());
    Ok(())
}

/// `false` when a figure missed its goal; an error when budgets.toml names a figure not measured.
fn check_goals(goals: &Goals, figures: &[(&'static str, f64)]) -> Result<bool, String> {
    let missed: Vec<&str> = figures
        .iter()
        .filter(|(name, value)| goals.get(*name).is_some_and(|g| !g.met_by(*value)))
        .map(|(name, _)| *name)
        .collect();
    let unknown: Vec<&String> = goals
        .keys()
        .filter(|name| !figures.iter().any(|(figure, _)| figure == name))
        .collect();
    if !unknown.is_empty() {
        return Err(format!(
            "budgets.toml names figures the bench does not measure: {unknown:?}"
        ));
    }
    if missed.is_empty() {
        println!("every goal in benches/budgets.toml is met");
        Ok(true)
    } else {
        println!("goals missed: {}", missed.join(", "));
        Ok(false)
    }
}

/// The id of the gateway's hosted payment form for USD (what paydesk sends as `paymentMethodId`).
async fn usd_hosted_form(http: &reqwest::Client, sandbox: &str) -> Result<String, String> {
    let methods: Value = http
        .get(format!("{sandbox}/v1/payment-methods"))
        .header("x-api-key", API_KEY)
        .send()
        .await
        .map_err(|e| format!("cannot list the gateway's forms: {e}"))?
        .json()
        .await
        .map_err(|e| format!("cannot read the gateway's forms: {e}"))?;
    methods["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|m| m["type"] == "Virtual" && m["currency"] == "USD")
        })
        .and_then(|m| m["id"].as_str())
        .map(str::to_string)
        .ok_or(format!("no USD hosted form in {methods}"))
}

/// Creates `count` payment links (not timed); returns their ids.
async fn create_checkouts(
    http: &reqwest::Client,
    base: &str,
    count: usize,
    label: &str,
) -> Result<Vec<String>, String> {
    let mut ids = Vec::with_capacity(count);
    for n in 0..count {
        let created: Value = http
            .post(format!("{base}/api/v1/checkouts"))
            .bearer_auth(MERCHANT_TOKEN)
            .json(&json!({ "amount": 2450, "currency": "USD", "orderNumber": format!("{label}-{n}") }))
            .send()
            .await
            .map_err(|e| format!("cannot create a link: {e}"))?
            .json()
            .await
            .map_err(|e| format!("cannot read a created link: {e}"))?;
        ids.push(
            created["id"]
                .as_str()
                .ok_or(format!("no link id in {created}"))?
                .to_string(),
        );
    }
    Ok(ids)
}

/// A refund link's page path (with its signature).
async fn refund_link(http: &reqwest::Client, base: &str) -> Result<String, String> {
    let created: Value = http
        .post(format!("{base}/api/v1/refund-links"))
        .bearer_auth(MERCHANT_TOKEN)
        .json(&json!({ "amount": 1225, "currency": "USD", "reason": "Returned item" }))
        .send()
        .await
        .map_err(|e| format!("cannot create a refund link: {e}"))?
        .json()
        .await
        .map_err(|e| format!("cannot read a refund link: {e}"))?;
    let url = created["url"]
        .as_str()
        .ok_or(format!("no refund link url in {created}"))?;
    let path = url
        .find("/refund/")
        .map(|at| url[at..].to_string())
        .ok_or(format!("unexpected refund link url {url}"))?;
    Ok(path)
}

/// Approves `EVENTS` fresh checkouts with signed webhooks and times paydesk's delivery of their
/// `payment.authorized` events to the merchant's endpoint: events per second, from the first
/// approval sent to the last event received; and how fast the same events were written to the
/// outbox (their approvals applied), to tell applying from delivering.
async fn merchant_event_delivery(
    http: &reqwest::Client,
    base: &str,
    cluster: &Cluster,
    receiver: &receiver::Receiver,
) -> Result<(f64, f64), String> {
    let ids = create_checkouts(http, base, EVENTS, "events").await?;
    for id in &ids {
        answered(http.get(format!("{base}/pay/{id}")).send().await, 200)
            .await
            .then_some(())
            .ok_or(format!("the page of {id} did not open"))?;
    }
    let pool = sqlx::SqlitePool::connect(cluster.database_url())
        .await
        .map_err(|e| format!("cannot open paydesk's database: {e}"))?;
    let mut references = Vec::with_capacity(EVENTS);
    for id in &ids {
        let reference: String = sqlx::query_scalar(
            "SELECT gateway_reference_id FROM session_attempts WHERE checkout_id = $1",
        )
        .bind(id)
        .fetch_one(&pool)
        .await
        .map_err(|e| format!("no session for {id}: {e}"))?;
        references.push(reference);
    }
    pool.close().await;
    let before = authorized_events(receiver);
    let started = Instant::now();
    let started_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let mut sends = tokio::task::JoinSet::new();
    for (n, reference) in references.into_iter().enumerate() {
        let request = signed_webhook(http, base, &approval(n, &reference));
        sends.spawn(async move { answered(request.send().await, 200).await });
        if sends.len() >= CLIENTS {
            sends.join_next().await;
        }
    }
    sends.join_all().await;
    let deadline = started + Duration::from_secs(120);
    while authorized_events(receiver) < before + EVENTS {
        if Instant::now() > deadline {
            return Err(format!(
                "only {} of {EVENTS} merchant events delivered in two minutes",
                authorized_events(receiver) - before
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let delivered_per_second = EVENTS as f64 / started.elapsed().as_secs_f64();
    let last_written = count_rows(
        cluster.database_url(),
        "SELECT COALESCE(MAX(created_at), 0) FROM merchant_events WHERE event_type = 'payment.authorized'",
    )
    .await?;
    let written_in = (last_written - started_ms).max(1) as f64 / 1000.0;
    Ok((delivered_per_second, EVENTS as f64 / written_in))
}

fn authorized_events(receiver: &receiver::Receiver) -> usize {
    receiver.count_of("payment.authorized")
}

async fn count_rows(database_url: &str, query: &str) -> Result<i64, String> {
    let pool = sqlx::SqlitePool::connect(database_url)
        .await
        .map_err(|e| format!("cannot open paydesk's database: {e}"))?;
    let count = sqlx::query_scalar(query)
        .fetch_one(&pool)
        .await
        .map_err(|e| format!("cannot count: {e}"))?;
    pool.close().await;
    Ok(count)
}

/// The approval of the session `reference` (a link's), as the gateway reports it.
fn approval(n: usize, reference: &str) -> String {
    json!({
        "event": { "id": format!("evt_events_{n}_{reference}"), "type": "auth.completed", "timestamp": "2026-11-22T10:00:00Z" },
        "originalResponse": {
            "id": format!("txn_events_{n}_{reference}"), "type": "Auth", "status": "Completed",
            "resultCode": 0, "resultText": "APPROVED", "referenceId": reference,
            "requestedAmount": 2450, "approvedAmount": 2450,
            "transactionResponses": [{ "responseCode": 1, "cardType": "VISA",
                "paymentMethod": { "id": "pmt_tkn_1", "type": "Token", "maskedCardNumber": "************1111" } }]
        }
    })
    .to_string()
}
