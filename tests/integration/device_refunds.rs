//! Refunds on a payment device through paydesk and the Payroc simulator: created over the merchant
//! API, watched in the background until the customer taps a card on the virtual terminal, a long
//! poll of paydesk's own, cancel, a declined card, a lost answer resent with the same key, and a
//! restart mid-poll — each ending with exactly one merchant event.

use std::sync::Arc;
use std::time::Duration;

use crate::common::{spawn_app, spawn_app_in, spawn_app_with, TestApp};
use serde_json::{json, Value};

pub const DEVICE: &str = "1850010868";

fn refund_body(order: &str) -> Value {
    json!({ "device": DEVICE, "amount": 4999, "currency": "USD", "orderId": order,
            "description": format!("Refund for order {order}"), "operator": "Jane" })
}

pub async fn create(app: &TestApp, order: &str) -> Value {
    let response = app.post("/api/v1/device-refunds", refund_body(order)).await;
    assert_eq!(response.status(), 202);
    response.json().await.unwrap()
}

/// Presses a button of the virtual terminal.
pub async fn terminal(app: &TestApp, action: &str, form: &[(&str, &str)]) {
    let response = app
        .http
        .post(format!("{}/{DEVICE}/{action}", app.payroc_terminal))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "{action}");
}

/// Queues a fault in the Payroc simulator.
pub async fn payroc_fault(app: &TestApp, fault: Value) {
    let sandbox = app.payroc_terminal.trim_end_matches("/terminal");
    let queued = app
        .http
        .post(format!("{sandbox}/sandbox/faults"))
        .header("x-api-key", &app.payroc_api_key)
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), 201, "{fault}");
}

/// Moves the refund's last send far enough back that it can no longer be open at Payroc, and makes
/// it due (a test cannot wait out paydesk's timeout and margin).
pub async fn age_device_send(app: &TestApp, id: &str) {
    app.sql(&format!(
        "UPDATE device_refunds SET last_sent_at = last_sent_at - 120000, next_check_at = {} \
         WHERE id = '{id}' AND next_check_at IS NOT NULL",
        app_now()
    ))
    .await;
    app.state.device_refunds.work.nudge();
}

fn app_now() -> i64 {
    paydesk_core::store::now_ms()
}

/// Polls paydesk (its own long poll) until the refund reaches `status`.
pub async fn until(app: &TestApp, id: &str, status: &str) -> Value {
    for _ in 0..30 {
        let refund = app
            .get(&format!("/api/v1/device-refunds/{id}?wait=2"))
            .await;
        if refund["status"] == status {
            return refund;
        }
    }
    panic!("device refund {id} never reached {status}");
}

pub async fn events_of(app: &TestApp, id: &str) -> Vec<String> {
    app.state
        .store
        .merchant_events(None, 200)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.payload.contains(id))
        .map(|e| e.event_type)
        .collect()
}

#[tokio::test]
async fn a_refund_on_a_terminal_completes_when_the_customer_taps_a_card() {
    let app = spawn_app().await;
    let devices = app.get("/api/v1/devices").await;
    assert!(
        devices["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["serialNumber"] == DEVICE),
        "{devices}"
    );

    let created = create(&app, "OrderRef6543").await;
    assert_eq!(created["status"], "waiting_for_card", "{created}");
    assert_eq!(created["instructionId"].as_str().unwrap().len(), 32);
    let id = created["id"].as_str().unwrap().to_string();

    // A till waiting with ?wait= hears of the change as soon as it happens.
    let waiting = {
        let (http, url) = (
            app.http.clone(),
            format!("{}/api/v1/device-refunds/{id}?wait=20", app.base),
        );
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let body: Value = http
                .get(url)
                .bearer_auth(crate::common::TOKEN)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            (body, started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    terminal(&app, "tap", &[("card", "visa")]).await;
    let (changed, waited) = waiting.await.unwrap();
    assert!(
        waited < Duration::from_secs(15),
        "the wait ended on the change: {waited:?}"
    );
    assert_ne!(changed["status"], "waiting_for_card");

    let done = until(&app, &id, "completed").await;
    assert_eq!(done["approvedAmount"], 4999);
    assert_eq!(done["card"], "Visa Credit •••• 0011");
    assert_eq!(done["refundId"].as_str().unwrap().len(), 10);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(events_of(&app, &id).await, ["device_refund.completed"]);
}

#[tokio::test]
async fn a_refund_is_canceled_while_the_device_waits_and_a_declined_card_is_reported() {
    let app = spawn_app().await;
    let created = create(&app, "O-CANCEL").await;
    let id = created["id"].as_str().unwrap().to_string();
    let canceled = app
        .post(&format!("/api/v1/device-refunds/{id}/cancel"), Value::Null)
        .await;
    assert_eq!(canceled.status(), 200);
    let canceled: Value = canceled.json().await.unwrap();
    assert_eq!(canceled["status"], "canceled");
    let again = app
        .post(&format!("/api/v1/device-refunds/{id}/cancel"), Value::Null)
        .await;
    assert_eq!(again.status(), 200, "canceling twice changes nothing");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(events_of(&app, &id).await, ["device_refund.canceled"]);

    let declined = create(&app, "O-DECLINE").await;
    let declined_id = declined["id"].as_str().unwrap().to_string();
    terminal(&app, "decline", &[]).await;
    let done = until(&app, &declined_id, "declined").await;
    assert!(
        done["message"].as_str().unwrap().contains("DECLINED"),
        "{done}"
    );
    let late = app
        .post(
            &format!("/api/v1/device-refunds/{declined_id}/cancel"),
            Value::Null,
        )
        .await;
    assert_eq!(late.status(), 409);
    let late: Value = late.json().await.unwrap();
    assert_eq!(late["error"]["code"], "cannot_cancel");
}

#[tokio::test]
async fn a_lost_answer_is_sent_again_with_the_same_key_and_the_refund_goes_on() {
    let app = spawn_app().await;
    // The simulator takes the instruction, then its answer is lost (a 500).
    payroc_fault(
        &app,
        json!({ "operation": "refund-instruction", "fault": "interrupted", "applied": true }),
    )
    .await;
    let created = create(&app, "O-LOST").await;
    assert_eq!(created["status"], "sending", "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    // Not sent again while that send may still be open at Payroc; then sent again with the same
    // key: Payroc replays the instruction it has (a new key would find the device busy with the
    // first one and fail).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let record = app.state.store.device_refund(&id).await.unwrap().unwrap();
    assert_eq!((record.sends, record.status.as_str()), (1, "sending"));
    age_device_send(&app, &id).await;
    let waiting = until(&app, &id, "waiting_for_card").await;
    assert_eq!(waiting["instructionId"].as_str().unwrap().len(), 32);
    terminal(&app, "tap", &[("card", "visa")]).await;
    until(&app, &id, "completed").await;

    let bad = app
        .post(
            "/api/v1/device-refunds",
            json!({ "device": DEVICE, "amount": 0, "currency": "USD", "orderId": "x", "description": "y" }),
        )
        .await;
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["field"], "amount");
}

#[tokio::test]
async fn a_refund_under_way_when_paydesk_restarts_still_completes_and_is_reported_once() {
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    let app = spawn_app_in(dir.clone(), &[]).await;
    let created = create(&app, "O-RESTART").await;
    let id = created["id"].as_str().unwrap().to_string();
    app.stop().await;
    drop(app);

    let restarted = spawn_app_in(dir, &[]).await;
    terminal(&restarted, "tap", &[("card", "mastercard")]).await;
    let done = until(&restarted, &id, "completed").await;
    assert_eq!(done["card"], "MasterCard •••• 4111");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        events_of(&restarted, &id).await,
        ["device_refund.completed"]
    );
}

#[tokio::test]
async fn without_payroc_device_refunds_say_they_are_off() {
    let app = spawn_app_with(&[("PAYDESK_PAYROC_SANDBOX_ADDR", "off")]).await;
    let response = app
        .post("/api/v1/device-refunds", refund_body("O-OFF"))
        .await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "device_refunds_off");
}

/// A refund in store of an online payment: held on the payment's ledger while the device works,
/// counted as refunded on devices once paid, released when the customer never presents a card.
#[tokio::test]
async fn a_device_refund_of_an_online_payment_is_held_then_counted_on_its_ledger() {
    let app = spawn_app().await;
    let id = app.authorized_checkout(1000, "4111111111111111").await;
    let capture = app
        .post(&format!("/api/v1/checkouts/{id}/capture"), Value::Null)
        .await;
    assert_eq!(capture.status(), 201);

    let mut body = refund_body("O-ONLINE");
    body["amount"] = json!(600);
    body["checkoutId"] = json!(id);
    let created = app.post("/api/v1/device-refunds", body.clone()).await;
    assert_eq!(created.status(), 202);
    let created: Value = created.json().await.unwrap();
    let refund_id = created["id"].as_str().unwrap().to_string();
    let ledger = app.checkout(&id).await["ledger"].clone();
    assert_eq!(
        (ledger["pending"].as_i64(), ledger["refundable"].as_i64()),
        (Some(600), Some(400)),
        "{ledger}"
    );

    // Nothing beyond what is left can be refunded meanwhile, on a device or otherwise.
    body["amount"] = json!(500);
    body["orderId"] = json!("O-TOO-MUCH");
    let too_much = app.post("/api/v1/device-refunds", body).await;
    assert_eq!(too_much.status(), 422);
    let too_much: Value = too_much.json().await.unwrap();
    assert_eq!(too_much["error"]["code"], "exceeds_balance");

    terminal(&app, "tap", &[("card", "visa")]).await;
    until(&app, &refund_id, "completed").await;
    let checkout = app.checkout(&id).await;
    let ledger = &checkout["ledger"];
    assert_eq!(ledger["refunded"], 600);
    assert_eq!(ledger["refundedOnDevices"], 600);
    assert_eq!(ledger["remaining"], 400);
    assert_eq!(checkout["status"], "partially_refunded");

    // One the device never completes gives its hold back.
    let mut again = refund_body("O-GIVE-BACK");
    again["amount"] = json!(400);
    again["checkoutId"] = json!(id);
    let waiting: Value = app
        .post("/api/v1/device-refunds", again)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(app.checkout(&id).await["ledger"]["refundable"], 0);
    terminal(&app, "timeout", &[]).await;
    until(&app, waiting["id"].as_str().unwrap(), "failed").await;
    assert_eq!(app.checkout(&id).await["ledger"]["refundable"], 400);
}

/// paydesk in live mode against a Payroc simulator of the test's own, on `database`, with the
/// processing terminal `terminal` configured.
async fn live_with_terminal(
    database: Arc<crate::common::TestDatabase>,
    sim: &paydesk::sandbox::payroc::RunningPayrocSandbox,
    terminal: &str,
) -> TestApp {
    let port = crate::sandbox_process::free_port();
    let env = [
        ("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}")),
        ("PAYDESK_PUBLIC_URL", format!("http://127.0.0.1:{port}")),
        ("PAYDESK_GATEWAY_API_KEY", "key_live_unused".to_string()),
        (
            "PAYDESK_GATEWAY_URL",
            format!("{}/omni/v1", sim.identity_url),
        ),
        ("PAYDESK_GATEWAY_HPF_ORIGIN", sim.identity_url.clone()),
        ("PAYDESK_PAYROC_API_KEY", sim.api_key.clone()),
        ("PAYDESK_PAYROC_API_URL", sim.api_url.clone()),
        ("PAYDESK_PAYROC_IDENTITY_URL", sim.identity_url.clone()),
        ("PAYDESK_PAYROC_TERMINAL_ID", terminal.to_string()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    spawn_app_in(database, &env).await
}

/// A resend carries the instruction exactly as first sent, with its key: Payroc would refuse the
/// key reused for another body (409 idempotency-key-in-use), and the refund would stay unknown.
#[tokio::test]
async fn a_resend_after_the_terminal_id_changed_carries_the_first_body() {
    let mut config =
        paydesk::sandbox::payroc::PayrocSandboxConfig::new("payroc_key_0123456789".into(), None);
    config.hold = Duration::from_millis(300);
    config.processing = Duration::from_millis(100);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim = paydesk::sandbox::payroc::start(config, listener)
        .await
        .unwrap();
    let queued = reqwest::Client::new()
        .post(format!("{}/sandbox/faults", sim.identity_url))
        .header("x-api-key", &sim.api_key)
        .json(
            &json!({ "operation": "refund-instruction", "fault": "interrupted", "applied": true }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), 201);

    let database = Arc::new(crate::common::TestDatabase::fresh().await);
    let first = live_with_terminal(database.clone(), &sim, &sim.terminal_id).await;
    let created = create(&first, "O-TERMINAL").await;
    assert_eq!(created["status"], "sending", "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    first.stop().await;
    drop(first);

    // The merchant configures another processing terminal; the lost send goes again.
    let second = live_with_terminal(database, &sim, "1234999").await;
    age_device_send(&second, &id).await;
    until(&second, &id, "waiting_for_card").await;
    let tapped = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/{DEVICE}/tap", sim.terminal_url))
        .form(&[("card", "visa")])
        .send()
        .await
        .unwrap();
    assert_eq!(tapped.status(), 303);
    until(&second, &id, "completed").await;
}

/// A card whose chip cannot be read: the refund asks the device for keyed entry (Payroc's
/// `customizationOptions.entryMethod`), which then offers no tap; keyed in, it completes.
#[tokio::test]
async fn a_refund_can_ask_the_device_to_key_the_card_in() {
    let app = spawn_app().await;
    let mut body = refund_body("O-KEYED");
    body["entryMethod"] = json!("manual_entry");
    let response = app.post("/api/v1/device-refunds", body.clone()).await;
    assert_eq!(response.status(), 202);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["entryMethod"], "manual_entry", "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    until(&app, &id, "waiting_for_card").await;
    let page = app
        .http
        .get(format!("{}/{DEVICE}", app.payroc_terminal))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Key in the card") && !page.contains("terminal-tap-visa"),
        "{page}"
    );
    terminal(&app, "tap", &[("card", "visa")]).await;
    let record = app.state.store.device_refund(&id).await.unwrap().unwrap();
    assert_eq!(
        record.status.as_str(),
        "waiting_for_card",
        "a tap is not read"
    );
    terminal(&app, "key", &[("number", "4761730000000011")]).await;
    let done = until(&app, &id, "completed").await;
    assert_eq!(done["card"], "Visa Credit •••• 0011");

    // An entry method Payroc does not know is refused, naming the field.
    body["entryMethod"] = json!("swipe");
    body["orderId"] = json!("O-KEYED-2");
    let wrong = app.post("/api/v1/device-refunds", body).await;
    assert_eq!(wrong.status(), 400);
    let wrong: Value = wrong.json().await.unwrap();
    assert!(
        wrong["error"]["message"]
            .as_str()
            .unwrap()
            .contains("entryMethod"),
        "{wrong}"
    );
}
