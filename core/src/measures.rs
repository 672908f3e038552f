//! What paydesk counts for its operators: every metric's name, labels and meaning in one place,
//! recorded through the `metrics` facade (nothing is kept until the server installs its Prometheus
//! exporter, `PAYDESK_METRICS_ADDR`). Labels only ever take a bounded set of values: route
//! templates, endpoint shapes, outcomes — never an id, an amount or a customer's data.

use std::time::Duration;

use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};

pub const HTTP_REQUESTS: &str = "paydesk_http_requests_total";
pub const HTTP_DURATION: &str = "paydesk_http_request_duration_seconds";
pub const GATEWAY_CALLS: &str = "paydesk_gateway_calls_total";
pub const GATEWAY_DURATION: &str = "paydesk_gateway_call_duration_seconds";
pub const WEBHOOKS_RECEIVED: &str = "paydesk_gateway_webhooks_received_total";
pub const MERCHANT_DELIVERIES: &str = "paydesk_merchant_event_deliveries_total";
pub const MERCHANT_PENDING: &str = "paydesk_merchant_events_pending";
pub const MERCHANT_LAG: &str = "paydesk_merchant_events_oldest_pending_seconds";
pub const WEBHOOKS_UNAPPLIED: &str = "paydesk_gateway_webhooks_unapplied";
pub const RECONCILER_CHECKED: &str = "paydesk_reconciler_rows_checked_total";
pub const RECONCILER_CHANGED: &str = "paydesk_reconciler_rows_changed_total";
pub const RECOVERED: &str = "paydesk_recovered_total";
pub const BUILD_INFO: &str = "paydesk_build_info";

/// Says what each metric means (shown as `# HELP` lines); called once the exporter is installed.
pub fn describe() {
    describe_counter!(
        HTTP_REQUESTS,
        "Requests answered, by method, route template and status."
    );
    describe_histogram!(
        HTTP_DURATION,
        metrics::Unit::Seconds,
        "Time to answer a request, by method and route template."
    );
    describe_counter!(
        GATEWAY_CALLS,
        "Calls to a payment gateway, by gateway, endpoint and outcome (ok, client_error, \
         rate_limited, server_error, timeout, connect, transport)."
    );
    describe_histogram!(
        GATEWAY_DURATION,
        metrics::Unit::Seconds,
        "Time a gateway call took, by gateway and endpoint."
    );
    describe_counter!(
        WEBHOOKS_RECEIVED,
        "Gateway webhooks received, by result (applied, duplicate, deferred, bad_signature, \
         unreadable, not_stored)."
    );
    describe_counter!(
        MERCHANT_DELIVERIES,
        "Attempts to deliver a merchant event, by result (delivered, failed, given_up)."
    );
    describe_gauge!(
        MERCHANT_PENDING,
        "Merchant events waiting to be delivered (read at scrape time)."
    );
    describe_gauge!(
        MERCHANT_LAG,
        metrics::Unit::Seconds,
        "Age of the oldest merchant event waiting to be delivered, 0 when none (the outbox lag)."
    );
    describe_gauge!(
        WEBHOOKS_UNAPPLIED,
        "Stored gateway webhooks not applied yet (retried in the background)."
    );
    describe_counter!(
        RECONCILER_CHECKED,
        "Attempts, operations and links the reconciler looked at."
    );
    describe_counter!(
        RECONCILER_CHANGED,
        "Of those, the ones whose state the reconciler changed: its findings (a payment found \
         without its webhook, a call settled, a session proven unused, a void sent)."
    );
    describe_gauge!(
        BUILD_INFO,
        "Always 1, labelled with the running build's version and commit."
    );
    describe_counter!(
        RECOVERED,
        "Work taken over from a paydesk process that stopped, by kind (operations, attempts, claims)."
    );
}

/// One answered request. `route` is the matched route template (e.g. `/api/v1/checkouts/{id}`).
pub fn http_request(method: &str, route: &str, status: u16, elapsed: Duration) {
    let (method, route) = (method.to_string(), route.to_string());
    counter!(HTTP_REQUESTS, "method" => method.clone(), "route" => route.clone(), "status" => status.to_string())
        .increment(1);
    histogram!(HTTP_DURATION, "method" => method, "route" => route).record(elapsed.as_secs_f64());
}

/// How a gateway call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GatewayAnswer {
    /// An HTTP answer with this status.
    Status(u16),
    Timeout,
    Connect,
    Transport,
}

impl GatewayAnswer {
    /// How a call that got no HTTP answer failed.
    fn of_error(error: &reqwest::Error) -> GatewayAnswer {
        if error.is_timeout() {
            GatewayAnswer::Timeout
        } else if error.is_connect() {
            GatewayAnswer::Connect
        } else {
            GatewayAnswer::Transport
        }
    }

    /// How a call ended, from what sending it gave.
    fn of(sent: &Result<reqwest::Response, reqwest::Error>) -> GatewayAnswer {
        match sent {
            Ok(response) => GatewayAnswer::Status(response.status().as_u16()),
            Err(error) => GatewayAnswer::of_error(error),
        }
    }

    fn label(self) -> &'static str {
        match self {
            GatewayAnswer::Status(200..=299) => "ok",
            GatewayAnswer::Status(429) => "rate_limited",
            GatewayAnswer::Status(400..=499) => "client_error",
            GatewayAnswer::Status(_) => "server_error",
            GatewayAnswer::Timeout => "timeout",
            GatewayAnswer::Connect => "connect",
            GatewayAnswer::Transport => "transport",
        }
    }
}

/// Sends one request to `gateway` and counts it: its endpoint's shape (ids replaced by `{id}`), how
/// it ended and how long the gateway took to answer. Every gateway client sends through this.
pub async fn send_gateway_call(
    gateway: &'static str,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, reqwest::Error> {
    let (http, request) = request.build_split();
    let request = request?;
    let path = request.url().path().to_string();
    let started = std::time::Instant::now();
    let sent = http.execute(request).await;
    gateway_call(gateway, &path, GatewayAnswer::of(&sent), started.elapsed());
    sent
}

fn gateway_call(gateway: &'static str, path: &str, answer: GatewayAnswer, elapsed: Duration) {
    let endpoint = endpoint_shape(path);
    counter!(GATEWAY_CALLS, "gateway" => gateway, "endpoint" => endpoint.clone(), "outcome" => answer.label())
        .increment(1);
    histogram!(GATEWAY_DURATION, "gateway" => gateway, "endpoint" => endpoint)
        .record(elapsed.as_secs_f64());
}

/// A URL path with every segment that names one thing (it holds a digit and is no version like
/// `v1`, or it is long) replaced by `{id}`: `/transactions/txn_01J9/capture` →
/// `/transactions/{id}/capture`.
pub fn endpoint_shape(path: &str) -> String {
    let is_version = |segment: &str| {
        segment
            .strip_prefix('v')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let shaped: Vec<&str> = path
        .split('/')
        .map(|segment| {
            let names_one = segment.bytes().any(|b| b.is_ascii_digit()) && !is_version(segment);
            if segment.len() > 24 || names_one {
                "{id}"
            } else {
                segment
            }
        })
        .collect();
    shaped.join("/")
}

/// One gateway webhook received, with what became of it.
/// The running build, as a metric: `paydesk_build_info{version, commit} 1`.
pub fn build_info(version: &'static str, commit: &'static str) {
    gauge!(BUILD_INFO, "version" => version, "commit" => commit).set(1.0);
}

pub fn webhook_received(result: &'static str) {
    counter!(WEBHOOKS_RECEIVED, "result" => result).increment(1);
}

/// One attempt to deliver a merchant event.
pub fn merchant_delivery(result: &'static str) {
    counter!(MERCHANT_DELIVERIES, "result" => result).increment(1);
}

/// What the outbox and the webhook store hold now (set just before a scrape is answered).
pub fn backlog(merchant_pending: u64, oldest_pending: Duration, webhooks_unapplied: u64) {
    gauge!(MERCHANT_PENDING).set(merchant_pending as f64);
    gauge!(MERCHANT_LAG).set(oldest_pending.as_secs_f64());
    gauge!(WEBHOOKS_UNAPPLIED).set(webhooks_unapplied as f64);
}

/// One reconciler pass: rows looked at and rows it changed.
pub fn reconciler_pass(checked: usize, changed: usize) {
    counter!(RECONCILER_CHECKED).increment(checked as u64);
    counter!(RECONCILER_CHANGED).increment(changed as u64);
}

/// Work taken over from stopped processes.
pub fn recovered(operations: u64, attempts: u64, claims: u64) {
    for (kind, count) in [
        ("operations", operations),
        ("attempts", attempts),
        ("claims", claims),
    ] {
        if count > 0 {
            counter!(RECOVERED, "kind" => kind).increment(count);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever path a gateway call takes, its label keeps the path's shape and never a
        /// segment that could name one payment (a digit outside a version, or a long token).
        #[test]
        fn an_endpoint_label_never_holds_an_id(path in "(/[a-zA-Z0-9_.~-]{0,40}){0,6}") {
            let shape = endpoint_shape(&path);
            prop_assert_eq!(shape.split('/').count(), path.split('/').count());
            for segment in shape.split('/') {
                let version = segment.len() > 1 && segment.starts_with('v')
                    && segment[1..].bytes().all(|b| b.is_ascii_digit());
                prop_assert!(segment == "{id}" || version || (segment.len() <= 24
                    && !segment.bytes().any(|b| b.is_ascii_digit())), "{segment:?} in {shape:?}");
            }
        }
    }

    #[test]
    fn an_endpoint_is_labelled_by_its_shape_never_by_an_id() {
        assert_eq!(
            endpoint_shape("/transactions/virtual-auth"),
            "/transactions/virtual-auth"
        );
        assert_eq!(
            endpoint_shape("/transactions/txn_01J9ZC3/capture"),
            "/transactions/{id}/capture"
        );
        assert_eq!(
            endpoint_shape("/devices/1850010868/refund-instructions"),
            "/devices/{id}/refund-instructions"
        );
        assert_eq!(
            endpoint_shape("/ch/payments/v1/refunds"),
            "/ch/payments/v1/refunds"
        );
        assert_eq!(
            endpoint_shape("/refund-instructions/e743a9165d3a4b8b9a5b6c3ee3a4f97f"),
            "/refund-instructions/{id}"
        );
    }

    #[test]
    fn outcomes_are_a_small_fixed_set() {
        assert_eq!(GatewayAnswer::Status(201).label(), "ok");
        assert_eq!(GatewayAnswer::Status(429).label(), "rate_limited");
        assert_eq!(GatewayAnswer::Status(404).label(), "client_error");
        assert_eq!(GatewayAnswer::Status(503).label(), "server_error");
        assert_eq!(GatewayAnswer::Timeout.label(), "timeout");
    }
}
