//! The merchant's webhook endpoint: checks each event's `Paydesk-Signature` as a merchant must,
//! keeps one copy per event id (deliveries are at least once), and now and then answers 500 so
//! paydesk has to deliver again.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use paydesk_core::merchant_events::signature::verify;
use serde_json::Value;

use crate::cluster::MERCHANT_WEBHOOK_SECRET;

/// One event as the merchant received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub kind: String,
    pub data: Value,
    /// The whole body, as received (checked against its type's schema after the run).
    pub body: Value,
    /// When it first arrived, counting every distinct event (the merchant's order of hearing).
    pub arrival: usize,
}

#[derive(Default)]
struct Inbox {
    by_id: BTreeMap<String, Received>,
    deliveries: u64,
    refused_signatures: u64,
}

/// The running endpoint.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    inbox: Arc<Mutex<Inbox>>,
}

#[derive(Clone)]
struct Endpoint {
    inbox: Arc<Mutex<Inbox>>,
    calls: Arc<AtomicU64>,
    /// Every `fail_every`-th delivery is answered 500.
    fail_every: u64,
}

async fn receive(State(endpoint): State<Endpoint>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let call = endpoint.calls.fetch_add(1, Ordering::Relaxed);
    let signature = headers
        .get("paydesk-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let Ok(mut inbox) = endpoint.inbox.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR;
    };
    if verify(
        MERCHANT_WEBHOOK_SECRET.as_bytes(),
        signature,
        &body,
        now,
        300,
    )
    .is_err()
    {
        inbox.refused_signatures += 1;
        return StatusCode::BAD_REQUEST;
    }
    if call % endpoint.fail_every == endpoint.fail_every - 1 {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let Ok(event) = serde_json::from_slice::<Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let id = event["id"].as_str().unwrap_or_default().to_string();
    inbox.deliveries += 1;
    let arrival = inbox.by_id.len();
    inbox.by_id.entry(id).or_insert(Received {
        kind: event["type"].as_str().unwrap_or_default().to_string(),
        data: event["data"].clone(),
        body: event.clone(),
        arrival,
    });
    StatusCode::OK
}

impl Receiver {
    /// Listens on a free port; every `fail_every`-th delivery fails.
    pub async fn start(fail_every: u64) -> Result<Receiver, String> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("receiver: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("receiver: {e}"))?;
        let inbox = Arc::new(Mutex::new(Inbox::default()));
        let router = Router::new()
            .route("/events", post(receive))
            .with_state(Endpoint {
                inbox: inbox.clone(),
                calls: Arc::new(AtomicU64::new(0)),
                fail_every: fail_every.max(2),
            });
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Receiver {
            url: format!("http://{addr}/events"),
            inbox,
        })
    }

    /// Every distinct event received so far, in the order they first arrived.
    pub fn events(&self) -> Vec<Received> {
        let mut events: Vec<Received> = self
            .inbox
            .lock()
            .map(|inbox| inbox.by_id.values().cloned().collect())
            .unwrap_or_default();
        events.sort_by_key(|e| e.arrival);
        events
    }

    /// How many distinct events of type `kind` arrived (counted in place: no copies, so a caller
    /// polling it holds the endpoint up for as little as possible). Used by the performance bench.
    #[allow(dead_code)]
    pub fn count_of(&self, kind: &str) -> usize {
        self.inbox
            .lock()
            .map(|inbox| inbox.by_id.values().filter(|e| e.kind == kind).count())
            .unwrap_or_default()
    }

    /// Deliveries whose signature did not verify (there must be none).
    pub fn refused_signatures(&self) -> u64 {
        self.inbox.lock().map(|i| i.refused_signatures).unwrap_or(0)
    }
}
