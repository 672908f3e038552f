//! paydesk's own webhooks to the merchant: signed with the documented scheme, delivered from the
//! durable outbox across a restart while the receiver was down, one event per state change.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{spawn_app_in, TestApp};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use paydesk_core::merchant_events::signature::{verify, DEFAULT_TOLERANCE_SECS};
use serde_json::{json, Value};

const SECRET: &str = "whsec_merchant_test_0123456789";
const VISA: &str = "4111111111111111";

/// One delivery the receiver saw: event id, signature header, raw body, and whether it accepted it.
#[derive(Clone, Debug)]
pub(crate) struct Delivery {
    pub(crate) event_id: String,
    pub(crate) signature: String,
    pub(crate) body: String,
    accepted: bool,
}

#[derive(Clone, Default)]
pub(crate) struct Receiver {
    pub(crate) up: Arc<AtomicBool>,
    /// How long it takes to answer, in milliseconds (a slow merchant backend).
    pub(crate) answer_after_ms: Arc<std::sync::atomic::AtomicU64>,
    /// Event types whose next delivery it refuses (once each): a backend that failed for a moment.
    pub(crate) refuse_once: Arc<Mutex<Vec<String>>>,
    seen: Arc<Mutex<Vec<Delivery>>>,
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let wait = receiver.answer_after_ms.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(wait)).await;
    let text = String::from_utf8_lossy(&body).into_owned();
    let parsed = serde_json::from_str::<Value>(&text).unwrap_or_default();
    let event_id = parsed["id"].as_str().unwrap_or_default().to_string();
    let refused = {
        let mut refuse = receiver.refuse_once.lock().unwrap();
        let kind = parsed["type"].as_str().unwrap_or_default();
        match refuse.iter().position(|k| k == kind) {
            Some(index) => {
                refuse.remove(index);
                true
            }
            None => false,
        }
    };
    let up = receiver.up.load(Ordering::SeqCst) && !refused;
    receiver.seen.lock().unwrap().push(Delivery {
        event_id,
        signature: headers
            .get("paydesk-signature")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
        body: text,
        accepted: up,
    });
    if up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    }
}

impl Receiver {
    pub(crate) async fn start() -> (Receiver, String) {
        let receiver = Receiver::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/paydesk", listener.local_addr().unwrap());
        let router = Router::new()
            .route("/hooks/paydesk", post(receive))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        (receiver, url)
    }

    pub(crate) fn seen(&self) -> Vec<Delivery> {
        self.seen.lock().unwrap().clone()
    }

    pub(crate) async fn wait_until(&self, what: &str, done: impl Fn(&[Delivery]) -> bool) {
        for _ in 0..200 {
            if done(&self.seen()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("receiver never saw {what}: {:?}", self.seen());
    }
}

async fn start(dir: Arc<crate::common::TestDatabase>, url: &str, max_attempts: &str) -> TestApp {
    spawn_app_in(
        dir,
        &[
            ("PAYDESK_MERCHANT_WEBHOOK_URL", url),
            ("PAYDESK_MERCHANT_WEBHOOK_SECRET", SECRET),
            ("PAYDESK_MERCHANT_WEBHOOK_RETRY_BASE_MS", "50"),
            ("PAYDESK_MERCHANT_WEBHOOK_MAX_ATTEMPTS", max_attempts),
        ],
    )
    .await
}

#[tokio::test]
async fn events_survive_a_restart_while_the_receiver_is_down_and_are_never_duplicated() {
    let (receiver, url) = Receiver::start().await;
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    let first = start(dir.clone(), &url, "30").await;
    let id = first.authorized_checkout(1000, VISA).await;
    assert_eq!(
        first
            .post(
                &format!("/api/v1/checkouts/{id}/capture"),
                json!({ "amount": 400 })
            )
            .await
            .status(),
        201
    );
    // The first event is tried again and again; the second waits for it (one checkout's events
    // arrive in order).
    receiver
        .wait_until("retries of the first event", |seen| {
            let mut per_event: HashMap<&str, usize> = HashMap::new();
            seen.iter()
                .for_each(|d| *per_event.entry(d.event_id.as_str()).or_default() += 1);
            per_event.len() == 1 && per_event.values().all(|n| *n >= 2)
        })
        .await;
    first.stop().await;
    let stored = first.state.store.merchant_events(None, 10).await.unwrap();
    let types: Vec<&str> = stored.iter().rev().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, ["payment.authorized", "payment.captured"]);
    assert!(stored.iter().all(|e| e.status == "pending"));
    assert!(stored[1].attempts >= 2, "the authorization was tried");
    assert_eq!(stored[0].attempts, 0, "the capture waited for it");

    // The receiver comes back while paydesk is down; paydesk restarts on the same database.
    receiver.up.store(true, Ordering::SeqCst);
    let attempts_while_stopped = receiver.seen().len();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        receiver.seen().len(),
        attempts_while_stopped,
        "nothing is sent while paydesk is stopped"
    );
    let second = start(dir.clone(), &url, "30").await;
    receiver
        .wait_until("both events accepted", |seen| {
            seen.iter().filter(|d| d.accepted).count() == 2
        })
        .await;

    let seen = receiver.seen();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    for delivery in &seen {
        verify(
            SECRET.as_bytes(),
            &delivery.signature,
            delivery.body.as_bytes(),
            now,
            DEFAULT_TOLERANCE_SECS,
        )
        .unwrap_or_else(|e| panic!("{e}: {delivery:?}"));
        assert!(verify(
            b"wrong secret",
            &delivery.signature,
            delivery.body.as_bytes(),
            now,
            DEFAULT_TOLERANCE_SECS
        )
        .is_err());
    }
    // Every attempt of an event carries the same id and body: two ids in all, one per state change.
    let mut bodies: HashMap<&str, &str> = HashMap::new();
    for delivery in &seen {
        assert_eq!(
            *bodies
                .entry(delivery.event_id.as_str())
                .or_insert(delivery.body.as_str()),
            delivery.body.as_str()
        );
    }
    assert_eq!(bodies.len(), 2);
    let captured: Value = serde_json::from_str(
        seen.iter()
            .find(|d| d.body.contains("payment.captured"))
            .unwrap()
            .body
            .as_str(),
    )
    .unwrap();
    assert_eq!(captured["data"]["checkoutId"], id.as_str());
    assert_eq!(captured["data"]["amount"], 400);

    // The same gateway outcome arriving again (a lookup, a webhook replay) makes no new event.
    crate::common::payment_page(&second.state, &id, paydesk_core::payments::Intent::Confirm)
        .await
        .unwrap();
    second.checkout(&id).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        second
            .state
            .store
            .merchant_events(None, 10)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        receiver.seen().iter().filter(|d| d.accepted).count(),
        2,
        "delivered events are not sent again"
    );
    let delivered = second.get("/api/v1/webhook-events?status=delivered").await;
    assert_eq!(delivered["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn failed_events_are_listed_and_redelivered_with_the_same_id() {
    let (receiver, url) = Receiver::start().await;
    let app = start(
        Arc::new(crate::common::TestDatabase::fresh().await),
        &url,
        "2",
    )
    .await;
    app.authorized_checkout(700, VISA).await;
    receiver
        .wait_until("two attempts", |seen| seen.len() >= 2)
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.seen().len(), 2, "no attempt after the last one");

    let failed = app.get("/api/v1/webhook-events?status=failed").await;
    let events = failed["data"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0]["type"].as_str(), events[0]["attempts"].as_i64()),
        (Some("payment.authorized"), Some(2))
    );
    assert!(events[0]["lastError"].as_str().unwrap().contains("503"));
    let event_id = events[0]["id"].as_str().unwrap().to_string();

    receiver.up.store(true, Ordering::SeqCst);
    let redeliver = app
        .post(
            &format!("/api/v1/webhook-events/{event_id}/redeliver"),
            Value::Null,
        )
        .await;
    assert_eq!(redeliver.status(), 202);
    receiver
        .wait_until("the redelivery", |seen| seen.iter().any(|d| d.accepted))
        .await;
    assert!(receiver.seen().iter().all(|d| d.event_id == event_id));
    assert_eq!(
        app.post("/api/v1/webhook-events/evt_nope/redeliver", Value::Null)
            .await
            .status(),
        404
    );
    let bad = app
        .http
        .get(format!("{}/api/v1/webhook-events?status=lost", app.base))
        .bearer_auth(crate::common::TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

/// A slow endpoint delays only the event it is answering: others are sent meanwhile.
#[tokio::test]
async fn a_slow_answer_never_holds_back_the_other_events() {
    use std::sync::atomic::AtomicUsize;
    #[derive(Clone, Default)]
    struct Slow {
        in_flight: Arc<AtomicUsize>,
        most: Arc<AtomicUsize>,
    }
    async fn answer(State(slow): State<Slow>) -> StatusCode {
        let now = slow.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        slow.most.fetch_max(now, Ordering::SeqCst);
        // Answer slowly, unless others are already being sent beside this one.
        for _ in 0..40 {
            if slow.in_flight.load(Ordering::SeqCst) >= 3 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        slow.in_flight.fetch_sub(1, Ordering::SeqCst);
        StatusCode::OK
    }
    let slow = Slow::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let router = Router::new()
        .route("/hooks", post(answer))
        .with_state(slow.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });

    let app = start(
        Arc::new(crate::common::TestDatabase::fresh().await),
        &url,
        "5",
    )
    .await;
    tokio::join!(
        app.authorized_checkout(1000, VISA),
        app.authorized_checkout(1001, VISA),
        app.authorized_checkout(1002, VISA),
        app.authorized_checkout(1003, VISA),
    );
    for _ in 0..100 {
        let pending = app
            .state
            .store
            .merchant_events(Some("pending"), 50)
            .await
            .unwrap();
        if pending.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        slow.most.load(Ordering::SeqCst) >= 2,
        "events were sent one at a time behind a slow answer"
    );
}

/// Sequence 8 (issue 25): the merchant's backend refuses `payment.declined` once, and the customer's
/// second card is approved meanwhile. The approval waits for the decline before it: the merchant
/// hears of one checkout's changes in the order they happened (other checkouts are not held back).
#[tokio::test]
async fn a_checkouts_events_arrive_in_order_when_one_delivery_fails() {
    let (receiver, url) = Receiver::start().await;
    receiver.up.store(true, Ordering::SeqCst);
    receiver
        .refuse_once
        .lock()
        .unwrap()
        .push("payment.declined".into());
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    let app = spawn_app_in(
        dir,
        &[
            ("PAYDESK_MERCHANT_WEBHOOK_URL", url.as_str()),
            ("PAYDESK_MERCHANT_WEBHOOK_SECRET", SECRET),
            ("PAYDESK_MERCHANT_WEBHOOK_RETRY_BASE_MS", "1500"),
        ],
    )
    .await;
    let (id, form) = app.open_session(1000).await;
    assert_eq!(
        app.submit_card(&form.iframe_url, "4000000000000002")
            .await
            .status(),
        200
    );
    receiver
        .wait_until("the decline refused once", |seen| {
            seen.iter().any(|d| d.body.contains("payment.declined"))
        })
        .await;
    let retry = crate::common::payment_page(&app.state, &id, paydesk_core::payments::Intent::Retry)
        .await
        .unwrap();
    let paydesk_core::model::PaymentState::Ready(second) = retry.state else {
        panic!("a new form after the decline: {:?}", retry.state);
    };
    assert_eq!(
        app.submit_card(&second.iframe_url, VISA).await.status(),
        200
    );
    app.wait_for_status(&id, "authorized").await;
    // Another checkout's events are not held back by this one's.
    let other = app.authorized_checkout(500, VISA).await;
    receiver
        .wait_until("the other checkout's approval", |seen| {
            seen.iter()
                .any(|d| d.accepted && d.body.contains(other.as_str()))
        })
        .await;
    receiver
        .wait_until("both events of the first checkout accepted", |seen| {
            seen.iter()
                .filter(|d| d.accepted && d.body.contains(id.as_str()))
                .count()
                == 2
        })
        .await;
    let order: Vec<String> = receiver
        .seen()
        .iter()
        .filter(|d| d.body.contains(id.as_str()))
        .map(|d| {
            let body: Value = serde_json::from_str(&d.body).unwrap();
            format!(
                "{} {}",
                body["type"].as_str().unwrap(),
                if d.accepted { "accepted" } else { "refused" }
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            "payment.declined refused",
            "payment.declined accepted",
            "payment.authorized accepted"
        ]
    );
}

/// A new event goes out at once: the deliverer is woken by the commit that adds it, not found by
/// its next look for due retries (an hour away here). Fails with a deliverer that only polls.
#[tokio::test]
async fn a_new_event_is_sent_at_once_not_at_the_next_poll() {
    let (receiver, url) = Receiver::start().await;
    receiver.up.store(true, Ordering::SeqCst);
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    let app = spawn_app_in(
        dir,
        &[
            ("PAYDESK_MERCHANT_WEBHOOK_URL", url.as_str()),
            ("PAYDESK_MERCHANT_WEBHOOK_SECRET", SECRET),
            ("PAYDESK_MERCHANT_WEBHOOK_POLL_MS", "3600000"),
        ],
    )
    .await;
    // Let the deliverer's first look (at startup) pass: it then waits for the hour or a wake-up.
    tokio::time::sleep(Duration::from_millis(200)).await;
    for amount in [700, 800] {
        let id = app.authorized_checkout(amount, VISA).await;
        receiver
            .wait_until("the approval, long before the next poll", |seen| {
                seen.iter()
                    .any(|d| d.accepted && d.body.contains(id.as_str()))
            })
            .await;
    }
}
