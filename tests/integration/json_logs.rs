//! `PAYDESK_LOG_FORMAT=json` end to end: the real binary, run as an operator would, writes one JSON
//! object per line; a line written while serving a request carries the request's span (its id,
//! method and path, never the query string); no secret appears; SIGTERM ends it cleanly.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{TestDatabase, TOKEN, WEBHOOK_SECRET};
use crate::sandbox_process::{free_port, wait_for};
use serde_json::{json, Value};

#[tokio::test]
async fn json_logs_are_one_object_per_line_carrying_the_request_span() {
    let db = TestDatabase::fresh().await;
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_OUTPUT_NAME", "paydesk")
        .env("PAYDESK_SANDBOX_ADDR", format!("127.0.0.1:{}", free_port()))
        .env("PAYDESK_PAYROC_SANDBOX_ADDR", "127.0.0.1:0")
        .env("PAYDESK_COMMERCEHUB_SANDBOX_ADDR", "127.0.0.1:0")
        .env("PAYDESK_DEMO_STOREFRONT_ADDR", "off")
        .env("DATABASE_URL", &db.url)
        .env("PAYDESK_SANDBOX_DATABASE_URL", db.sandbox_url())
        .env("PAYDESK_MERCHANT_TOKEN", TOKEN)
        .env("PAYDESK_WEBHOOK_SECRET", WEBHOOK_SECRET)
        .env("PAYDESK_LOG_FORMAT", "json")
        .env("PAYDESK_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("paydesk starts");
    let lines: Arc<Mutex<Vec<String>>> = Arc::default();
    let reader = {
        let (stderr, lines) = (child.stderr.take().expect("stderr"), lines.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        })
    };
    let base = format!("http://127.0.0.1:{port}");
    wait_for(&format!("{base}/health/live")).await;

    let http = reqwest::Client::new();
    let refused = http
        .post(format!("{base}/webhooks/gateway?probe=query-never-logged"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let refused_id = refused.headers()["request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let created = http
        .post(format!("{base}/api/v1/checkouts"))
        .bearer_auth(TOKEN)
        .json(&json!({ "amount": 1000, "currency": "USD" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);

    // SIGTERM, as a deploy would.
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let mut exited = None;
    for _ in 0..200 {
        if let Some(status) = child.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let Some(status) = exited else {
        let _ = child.kill();
        panic!("paydesk did not stop on SIGTERM");
    };
    assert!(status.success(), "stopped cleanly: {status:?}");
    reader.join().unwrap();

    let lines = lines.lock().unwrap().clone();
    let all = lines.join("\n");
    let records: Vec<Value> = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    for record in &records {
        assert!(record["timestamp"].is_string(), "{record}");
        assert!(record["level"].is_string(), "{record}");
        assert!(record["fields"]["message"].is_string(), "{record}");
    }
    let refusal = records
        .iter()
        .find(|r| r["fields"]["message"] == "webhook without signature refused")
        .unwrap_or_else(|| panic!("the refusal is logged:\n{all}"));
    assert_eq!(refusal["level"], "WARN");
    let span = &refusal["span"];
    assert_eq!(span["method"], "POST", "{refusal}");
    assert_eq!(span["path"], "/webhooks/gateway", "{refusal}");
    assert_eq!(
        span["id"].as_str(),
        Some(refused_id.as_str()),
        "the log line carries the answer's Request-Id: {refusal}"
    );
    assert!(
        records
            .iter()
            .any(|r| r["fields"]["message"] == "stopped: leases released"),
        "the stop is logged:\n{all}"
    );
    assert!(
        !all.contains("query-never-logged"),
        "no query string in logs"
    );
    assert!(!all.contains(TOKEN), "no merchant token in logs");
    assert!(!all.contains(WEBHOOK_SECRET), "no webhook secret in logs");
}
