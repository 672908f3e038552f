//! The flood check: a release paydesk (sandbox mode) takes 200 concurrent bad sign-ins and 200
//! concurrent reloads of one payment link, from as many addresses, again and again — while another
//! customer opens payment pages. It prints their render time idle and under the flood (p50, p90) and
//! how many lookups the gateway saw for the flooded link, and fails when the render p50 more than
//! doubles or the gateway saw more than a handful of lookups. Timing goals live here and in
//! `make bench`, never in `make test`: `cargo test` only builds it (`make flood` runs it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOKEN: &str = "flood_merchant_token_0123456789abcdef";
const SANDBOX_KEY: &str = "key_test_flood_0123456789";
const WAVE: usize = 200;
const SAMPLES: usize = 100;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

/// A made-up client address, one per request of the flood (the per-address limits see many clients).
fn address(n: u64) -> String {
    format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255)
}

async fn new_checkout(http: &reqwest::Client, base: &str) -> String {
    let created: serde_json::Value = http
        .post(format!("{base}/api/v1/checkouts"))
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({ "amount": 2450, "currency": "USD" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["id"].as_str().unwrap().to_string()
}

/// Milliseconds to render a fresh payment page (which opens its hosted-form session), as the
/// customer's browser would wait for it.
async fn render(http: &reqwest::Client, base: &str, client: &str) -> f64 {
    let id = new_checkout(http, base).await;
    let started = Instant::now();
    let response = http
        .get(format!("{base}/pay/{id}"))
        .header("x-forwarded-for", client)
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.bytes().await.unwrap();
    started.elapsed().as_secs_f64() * 1000.0
}

async fn lookups(http: &reqwest::Client, sandbox: &str) -> u64 {
    let calls: serde_json::Value = http
        .get(format!("{sandbox}/sandbox/calls"))
        .header("x-api-key", SANDBOX_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    calls["calls"]["transactions"].as_u64().unwrap_or(0)
}

async fn measure(http: &reqwest::Client, base: &str, first_client: u64) -> Vec<f64> {
    let mut samples = Vec::new();
    for n in 0..SAMPLES as u64 {
        samples.push(render(http, base, &address(first_client + n)).await);
    }
    samples
}

fn main() {
    if !std::env::args().any(|a| a == "--run") {
        println!("flood: built; run it with `make flood` (a release build, about a minute)");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    std::process::exit(runtime.block_on(run()));
}

async fn run() -> i32 {
    let dir = tempfile::tempdir().unwrap();
    let (port, sandbox_port) = (free_port(), free_port());
    let log = std::fs::File::create(dir.path().join("paydesk.log")).unwrap();
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_paydesk"))
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_OUTPUT_NAME", "paydesk")
            .env("PAYDESK_SANDBOX_ADDR", format!("127.0.0.1:{sandbox_port}"))
            .env("PAYDESK_SANDBOX_API_KEY", SANDBOX_KEY)
            .env("PAYDESK_DEMO_STOREFRONT_ADDR", "off")
            .env("PAYDESK_PAYROC_SANDBOX_ADDR", "off")
            .env("PAYDESK_COMMERCEHUB_SANDBOX_ADDR", "off")
            .env("PAYDESK_MERCHANT_TOKEN", TOKEN)
            .env("PAYDESK_API_REQUESTS_PER_MINUTE", "1000000")
            .env("PAYDESK_CLIENT_IP_HEADER", "X-Forwarded-For")
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/paydesk.db", dir.path().display()),
            )
            .env("PAYDESK_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("paydesk starts"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let sandbox = format!("http://127.0.0.1:{sandbox_port}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    for _ in 0..200 {
        if http.get(format!("{base}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let flooded = new_checkout(&http, &base).await;
    let flooded_page = format!("{base}/pay/{flooded}");
    assert_eq!(http.get(&flooded_page).send().await.unwrap().status(), 200);
    measure(&http, &base, 1).await; // warm up
    let mut idle = measure(&http, &base, 1_000).await;

    let before = lookups(&http, &sandbox).await;
    let stop = Arc::new(AtomicBool::new(false));
    let (logins, reloads, held) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
    );
    let flood = {
        let (http, base, page, stop) = (
            http.clone(),
            base.clone(),
            flooded_page.clone(),
            stop.clone(),
        );
        let (logins, reloads, held) = (logins.clone(), reloads.clone(), held.clone());
        tokio::spawn(async move {
            let mut wave = 0u64;
            while !stop.load(Ordering::Relaxed) {
                wave += 1;
                let mut requests = tokio::task::JoinSet::new();
                for n in 0..WAVE as u64 {
                    let client = address(100_000 + wave * 1_000 + n);
                    let (http, base, page) = (http.clone(), base.clone(), page.clone());
                    let (logins, reloads, held) = (logins.clone(), reloads.clone(), held.clone());
                    requests.spawn(async move {
                        let login = http
                            .post(format!("{base}/admin/login"))
                            .header("x-forwarded-for", &client)
                            .form(&[
                                ("email", format!("guess{n}@example.com")),
                                ("password", "not the password!".into()),
                            ])
                            .send();
                        let reload = http.get(&page).header("x-forwarded-for", &client).send();
                        let (login, reload) = tokio::join!(login, reload);
                        for (counter, answer) in [(&logins, login), (&reloads, reload)] {
                            counter.fetch_add(1, Ordering::Relaxed);
                            if answer.is_ok_and(|r| r.status() == 429) {
                                held.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    });
                }
                requests.join_all().await;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut flooding = measure(&http, &base, 2_000).await;
    stop.store(true, Ordering::Relaxed);
    let _ = flood.await;
    let seen = lookups(&http, &sandbox).await - before;

    let (idle_p50, idle_p90) = (percentile(&mut idle, 0.5), percentile(&mut idle, 0.9));
    let (flood_p50, flood_p90) = (
        percentile(&mut flooding, 0.5),
        percentile(&mut flooding, 0.9),
    );
    println!("flood: {} bad sign-ins and {} reloads of one link ({} held with 429), from as many addresses", logins.load(Ordering::Relaxed), reloads.load(Ordering::Relaxed), held.load(Ordering::Relaxed));
    println!("| another customer's payment page | p50 | p90 |");
    println!("|---|---|---|");
    println!("| idle | {idle_p50:.1} ms | {idle_p90:.1} ms |");
    println!("| under the flood | {flood_p50:.1} ms | {flood_p90:.1} ms |");
    println!("gateway lookups during the flood: {seen}");
    let mut failed = false;
    if flood_p50 > 2.0 * idle_p50 {
        println!("FAIL: the render p50 more than doubled under the flood");
        failed = true;
    }
    if seen > 5 {
        println!("FAIL: the gateway saw {seen} lookups (at most a handful expected)");
        failed = true;
    }
    i32::from(failed)
}
