//! Every customer page answers under concurrent load: many parallel loads of each page, compressed
//! and not, against paydesk as its own process (its multi-threaded runtime serves, as under
//! `make run`). A dropped or failed answer, or a panic in the server's log, fails the test.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::common::TestDatabase;
use crate::sandbox_process::{free_port, wait_for};

const TOKEN: &str = "pdk_test_pages_under_load_0123456789";
const SANDBOX_KEY: &str = "key_test_pages_under_load";
/// Parallel loads of one page in one encoding.
const PARALLEL: usize = 48;
/// Times each page is loaded `PARALLEL` times at once, in each encoding.
const ROUNDS: usize = 4;
/// The answer encodings asked for: none, then what browsers ask.
const ENCODINGS: [Option<&str>; 3] = [None, Some("gzip"), Some("br")];

/// paydesk in sandbox mode as a child process; killed when dropped.
struct Server {
    child: Child,
    base: String,
    commercehub: String,
    dir: tempfile::TempDir,
    _database: TestDatabase,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_server() -> Server {
    let database = TestDatabase::fresh().await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("paydesk.log");
    let (port, commercehub) = (free_port(), free_port());
    let child = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("DATABASE_URL", &database.url)
        .env(
            "PAYDESK_SANDBOX_DATABASE_URL",
            format!("sqlite://{}/gateway.db", dir.path().display()),
        )
        .env("PAYDESK_SANDBOX_ADDR", format!("127.0.0.1:{}", free_port()))
        .env(
            "PAYDESK_PAYROC_SANDBOX_ADDR",
            format!("127.0.0.1:{}", free_port()),
        )
        .env(
            "PAYDESK_COMMERCEHUB_SANDBOX_ADDR",
            format!("127.0.0.1:{commercehub}"),
        )
        .env("PAYDESK_DEMO_STOREFRONT_ADDR", "off")
        .env("PAYDESK_SANDBOX_API_KEY", SANDBOX_KEY)
        .env("PAYDESK_MERCHANT_TOKEN", TOKEN)
        .env("PAYDESK_PAGE_VIEWS_PER_MINUTE", "1000000")
        .env("PAYDESK_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::fs::File::create(dir.path().join("stderr.log")).unwrap())
        .spawn()
        .expect("paydesk starts");
    let base = format!("http://127.0.0.1:{port}");
    wait_for(&format!("{base}/healthz")).await;
    Server {
        child,
        base,
        commercehub: format!("http://127.0.0.1:{commercehub}"),
        dir,
        _database: database,
    }
}

impl Server {
    async fn api(&self, path: &str, body: Value) -> Value {
        let answer = reqwest::Client::new()
            .post(format!("{}{path}", self.base))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "{path}: {}", answer.status());
        answer.json().await.unwrap()
    }

    /// A Commerce Hub refund of a charge to a closed card: it waits for the customer's new card.
    async fn refund_waiting_for_a_card(&self) -> String {
        let charge: Value = reqwest::Client::new()
            .post(format!("{}/sandbox/charges", self.commercehub))
            .header("Api-Key", SANDBOX_KEY)
            .json(&json!({ "amount": 1204, "card": "closed" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let original = &charge["gatewayResponse"]["transactionProcessingDetails"]["transactionId"];
        let refund = self
            .api(
                "/api/v1/refunds",
                json!({ "gateway": "commercehub", "originalTransactionId": original,
                        "amount": 1204, "currency": "USD" }),
            )
            .await;
        assert_eq!(refund["status"], "awaiting_card", "{refund}");
        refund["url"].as_str().unwrap().to_string()
    }

    /// What the server wrote to its log and error stream.
    fn logs(&self) -> String {
        ["paydesk.log", "stderr.log"]
            .iter()
            .map(|name| std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default())
            .collect()
    }
}

/// `PARALLEL` loads of `url` at once; each failure described.
async fn load_at_once(client: &reqwest::Client, url: &str, encoding: Option<&str>) -> Vec<String> {
    let mut loads = tokio::task::JoinSet::new();
    for _ in 0..PARALLEL {
        let mut request = client.get(url);
        if let Some(encoding) = encoding {
            request = request.header("accept-encoding", encoding);
        }
        loads.spawn(async move {
            let answer = request
                .send()
                .await
                .map_err(|e| format!("no answer: {e}"))?;
            let status = answer.status();
            let body = answer
                .bytes()
                .await
                .map_err(|e| format!("{status}, answer cut: {e}"))?;
            match (status.as_u16(), body.is_empty()) {
                (200 | 404, false) => Ok(()),
                _ => Err(format!("{status}, {} bytes", body.len())),
            }
        });
    }
    loads
        .join_all()
        .await
        .into_iter()
        .filter_map(Result::err)
        .map(|e: String| format!("{url} ({encoding:?}): {e}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_customer_page_answers_many_parallel_loads_compressed_or_not() {
    let server = start_server().await;
    let checkout = server
        .api(
            "/api/v1/checkouts",
            json!({ "amount": 2450, "currency": "USD", "orderNumber": "LOAD-1" }),
        )
        .await;
    let link = server
        .api(
            "/api/v1/refund-links",
            json!({ "amount": 500, "currency": "USD" }),
        )
        .await;
    let (pay, refund_link) = (
        checkout["url"].as_str().unwrap().to_string(),
        link["url"].as_str().unwrap().to_string(),
    );
    let new_card = server.refund_waiting_for_a_card().await;
    let (link_path, link_sig) = refund_link.split_once('?').unwrap();
    let pages = [
        format!("{}/", server.base),
        pay.clone(),
        format!(
            "{pay}/return?resultCode=0&resultText=APPROVED&status=Completed&transactionId=trx_fake"
        ),
        refund_link.clone(),
        format!("{link_path}/return?{link_sig}"),
        new_card,
        format!("{}/pay/chk_00000000000000000000000000", server.base),
    ];

    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let mut failures = Vec::new();
    for page in &pages {
        for encoding in ENCODINGS {
            for _ in 0..ROUNDS {
                failures.extend(load_at_once(&client, page, encoding).await);
            }
        }
    }
    let logs = server.logs();
    let panics: Vec<&str> = logs.lines().filter(|l| l.contains("panicked")).collect();
    assert!(
        failures.is_empty() && panics.is_empty(),
        "{} of {} loads failed: {:#?}\nserver panics: {panics:#?}",
        failures.len(),
        pages.len() * ENCODINGS.len() * ROUNDS * PARALLEL,
        &failures[..failures.len().min(10)]
    );
}
