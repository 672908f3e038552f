//! Prometheus metrics on their own listener: requests by route, gateway calls by outcome, webhook
//! ingest, merchant-event deliveries and the outbox's lag, the reconciler's findings — labelled by
//! shape, never by an id — and nothing of it on the public listener.

use std::sync::atomic::Ordering;

use crate::common::spawn_app_with;
use crate::merchant_webhooks::Receiver;
use serde_json::json;

const VISA: &str = "4111111111111111";

/// The value of the first sample of `metric` whose labels contain every one of `labels`.
fn sample(text: &str, metric: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter(|line| {
            line.starts_with(&format!("{metric}{{")) || line.starts_with(&format!("{metric} "))
        })
        .find(|line| labels.iter().all(|label| line.contains(label)))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_gateway_calls_webhooks_and_the_outbox_on_their_own_listener() {
    let (receiver, hook_url) = Receiver::start().await;
    let app = spawn_app_with(&[
        ("PAYDESK_METRICS_ADDR", "127.0.0.1:0"),
        ("PAYDESK_MERCHANT_WEBHOOK_URL", hook_url.as_str()),
        (
            "PAYDESK_MERCHANT_WEBHOOK_SECRET",
            "whsec_metrics_test_0123456789",
        ),
        ("PAYDESK_MERCHANT_WEBHOOK_RETRY_BASE_MS", "60000"),
    ])
    .await;
    let metrics_url = app.metrics_url.clone().expect("a metrics listener");
    let id = app.authorized_checkout(1000, VISA).await;
    let capture = app
        .post(&format!("/api/v1/checkouts/{id}/capture"), json!({}))
        .await;
    assert_eq!(capture.status(), 201);
    let page = app
        .http
        .get(format!("{}/pay/{}", app.base, app.new_checkout(500).await))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let refused = app.post_gateway_webhook("{}", "not-a-signature").await;
    assert_eq!(refused.status(), 401);
    // The merchant's backend is down: its events wait in the outbox.
    receiver
        .wait_until("a first delivery attempt", |seen| !seen.is_empty())
        .await;
    assert!(!receiver.up.load(Ordering::SeqCst));

    let scraped = app.http.get(&metrics_url).send().await.unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(scraped.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = scraped.text().await.unwrap();

    assert_eq!(
        sample(
            &text,
            "paydesk_build_info",
            &[
                &format!(r#"version="{}""#, env!("CARGO_PKG_VERSION")),
                &format!(r#"commit="{}""#, paydesk::version::COMMIT),
            ]
        ),
        Some(1.0),
        "the running build is a metric:\n{text}"
    );
    let captured = sample(
        &text,
        "paydesk_http_requests_total",
        &[
            r#"method="POST""#,
            r#"route="/api/v1/checkouts/{id}/capture""#,
            r#"status="201""#,
        ],
    );
    assert!(captured >= Some(1.0), "capture requests counted:\n{text}");
    assert!(
        sample(
            &text,
            "paydesk_http_requests_total",
            &[r#"method="GET""#, r#"route="/pay/{id}""#, r#"status="200""#]
        ) >= Some(1.0),
        "payment pages counted by their route:\n{text}"
    );
    assert!(
        sample(
            &text,
            "paydesk_http_request_duration_seconds_count",
            &[r#"route="/api/v1/checkouts/{id}/capture""#]
        ) >= Some(1.0),
        "request durations recorded"
    );
    assert!(
        sample(
            &text,
            "paydesk_gateway_calls_total",
            &[
                r#"gateway="omni""#,
                "/transactions/virtual-auth\"",
                r#"outcome="ok""#
            ]
        ) >= Some(1.0),
        "the session's gateway call counted:\n{text}"
    );
    assert!(
        sample(
            &text,
            "paydesk_gateway_call_duration_seconds_bucket",
            &[r#"gateway="omni""#, r#"le="30""#]
        ) >= Some(1.0),
        "gateway latency is a histogram"
    );
    assert!(
        sample(
            &text,
            "paydesk_gateway_webhooks_received_total",
            &[r#"result="bad_signature""#]
        ) >= Some(1.0)
    );
    assert!(
        sample(
            &text,
            "paydesk_merchant_event_deliveries_total",
            &[r#"result="failed""#]
        ) >= Some(1.0)
    );
    assert!(sample(&text, "paydesk_merchant_events_pending", &[]) >= Some(2.0));
    assert!(sample(&text, "paydesk_merchant_events_oldest_pending_seconds", &[]) > Some(0.0));
    assert!(sample(&text, "paydesk_reconciler_rows_checked_total", &[]).is_some());
    assert!(text.contains("# HELP paydesk_gateway_calls_total"));
    // Labels hold shapes, never the things themselves.
    assert!(!text.contains(&id), "no checkout id in metrics");
    assert!(!text.contains("txn_"), "no transaction id in metrics");

    // The public listener has no metrics.
    let public = app
        .http
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), 404);
    assert!(!public
        .text()
        .await
        .unwrap()
        .contains("paydesk_http_requests_total"));
}
