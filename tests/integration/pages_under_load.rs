//! Every customer page answers under concurrent load: many parallel loads of each page, compressed
//! and not, against paydesk as its own process (its multi-threaded runtime serves, as under
//! `make run`). A dropped or failed answer, or a panic in the server's log, fails the test.

use std::time::Duration;

use serde_json::json;

use crate::paydesk_process::start_server;

/// Parallel loads of one page in one encoding.
const PARALLEL: usize = 48;
/// Times each page is loaded `PARALLEL` times at once, in each encoding.
const ROUNDS: usize = 4;
/// The answer encodings asked for: none, then what browsers ask.
const ENCODINGS: [Option<&str>; 3] = [None, Some("gzip"), Some("br")];

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
    let server = start_server(&[("PAYDESK_PAGE_VIEWS_PER_MINUTE", "1000000")]).await;
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
    // A canceled refund link's page (no form; says so).
    let canceled = server
        .api(
            "/api/v1/refund-links",
            json!({ "amount": 600, "currency": "USD" }),
        )
        .await;
    let ended = server
        .api(
            &format!(
                "/api/v1/refund-links/{}/cancel",
                canceled["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(ended["status"], "canceled", "{ended}");
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
        canceled["url"].as_str().unwrap().to_string(),
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
