//! Refunds of Commerce Hub charges over the merchant API, against the Commerce Hub simulator: the
//! original card first; a closed account turns the refund into a signed link for a new card (with
//! its event); other declines end it; one open refund per charge; a lost answer is resent with the
//! same Client-Request-Id inside the window and looked up after it, and the money moves once.

use serde_json::{json, Value};

use crate::common::{spawn_app, spawn_app_with, TestApp};

pub async fn control(app: &TestApp, path: &str, body: Value) -> Value {
    simulator_control(
        &app.http,
        &app.commercehub_origin,
        &app.commercehub_api_key,
        path,
        body,
    )
    .await
}

/// A POST to the Commerce Hub simulator at `origin` (its API or controls, with its key); the answer
/// must be a success.
pub async fn simulator_control(
    http: &reqwest::Client,
    origin: &str,
    key: &str,
    path: &str,
    body: Value,
) -> Value {
    let answer = http
        .post(format!("{origin}{path}"))
        .header("Api-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
    answer.json().await.unwrap()
}

/// A charge on the Commerce Hub simulator; its transaction id.
pub async fn commercehub_charge(app: &TestApp, amount: i64, card: &str) -> String {
    charge_id(
        &control(
            app,
            "/sandbox/charges",
            json!({ "amount": amount, "card": card }),
        )
        .await,
    )
}

/// The Commerce Hub transaction id of a simulator charge's answer.
pub fn charge_id(answer: &Value) -> String {
    answer["gatewayResponse"]["transactionProcessingDetails"]["transactionId"]
        .as_str()
        .unwrap()
        .to_string()
}

pub async fn refund(app: &TestApp, body: Value) -> (u16, Value) {
    let answer = app.post("/api/v1/refunds", body).await;
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap())
}

/// The payloads of the merchant events of `kind`.
pub async fn events_of(app: &TestApp, kind: &str) -> Vec<Value> {
    let list = app.get("/api/v1/webhook-events?limit=200").await;
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == kind)
        .map(|e| e["payload"].clone())
        .collect()
}

#[tokio::test]
async fn an_open_card_is_refunded_at_once() {
    let app = spawn_app().await;
    let original = commercehub_charge(&app, 2500, "4012001928706700").await;
    let (status, body) = refund(
        &app,
        json!({ "gateway": "commercehub", "originalTransactionId": original, "amount": 2500, "currency": "USD", "orderNumber": "A-1" }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "refunded", "{body}");
    assert_eq!(body["card"], "VISA •••• 6700");
    assert!(
        body["url"].is_null(),
        "no link when nothing is asked of the customer"
    );
    assert!(body["gatewayTransactionId"]
        .as_str()
        .is_some_and(|t| t.len() == 11));
    let shown = app
        .get(&format!("/api/v1/refunds/{}", body["id"].as_str().unwrap()))
        .await;
    assert_eq!(shown["status"], "refunded");
}

#[tokio::test]
async fn a_closed_account_turns_the_refund_into_a_link_and_holds_the_charge() {
    let app = spawn_app().await;
    let original = commercehub_charge(&app, 1204, "closed").await;
    let request = json!({ "gateway": "commercehub", "originalTransactionId": original, "amount": 1204, "currency": "USD", "reason": "Returned item", "referenceId": "r-1" });
    let (status, body) = refund(&app, request.clone()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "awaiting_card", "{body}");
    assert_eq!(body["declineCode"], "030");
    let url = body["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/refund/rfd_", app.base)) && url.contains("?sig="),
        "{url}"
    );

    let (again, replay) = refund(&app, request).await;
    assert_eq!(
        (again, &replay["id"]),
        (200, &body["id"]),
        "the same referenceId is the same refund"
    );
    let (busy, conflict) = refund(
        &app,
        json!({ "gateway": "commercehub", "originalTransactionId": original, "amount": 100, "currency": "USD" }),
    )
    .await;
    assert_eq!(busy, 409, "{conflict}");
    assert_eq!(
        conflict["error"]["code"], "refund_in_progress",
        "{conflict}"
    );

    let events = events_of(&app, "refund.awaiting_card").await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["data"]["refundId"], body["id"]);
}

#[tokio::test]
async fn other_declines_and_refusals_end_the_refund() {
    let app = spawn_app().await;
    let original = commercehub_charge(&app, 600_000, "4012001928706700").await;
    // The vendor's trigger: 5005.00 → response code 005 (do not honor), not a closed account.
    let (_, declined) = refund(
        &app,
        json!({ "gateway": "commercehub", "originalTransactionId": original, "amount": 500_500, "currency": "USD" }),
    )
    .await;
    assert_eq!(declined["status"], "declined", "{declined}");
    assert_eq!(declined["declineCode"], "005");
    assert!(declined["url"].is_null());

    let (_, over) = refund(
        &app,
        json!({ "gateway": "commercehub", "originalTransactionId": original, "amount": 600_001, "currency": "USD" }),
    )
    .await;
    assert_eq!(over["status"], "failed", "{over}");
    assert_eq!(over["declineCode"], "810");
    assert!(
        over["message"]
            .as_str()
            .unwrap()
            .contains("Amount is Greater Than Refund/Void"),
        "{over}"
    );

    let (status, invalid) = refund(
        &app,
        json!({ "gateway": "commercehub", "amount": 100, "currency": "USD" }),
    )
    .await;
    assert_eq!(status, 400, "{invalid}");
    assert_eq!(invalid["error"]["field"], "originalTransactionId");
    assert_eq!(events_of(&app, "refund.declined").await.len(), 1);
    assert_eq!(events_of(&app, "refund.failed").await.len(), 1);
}

pub async fn lost_answer(app: &TestApp, applied: bool) -> (String, String) {
    let original = commercehub_charge(app, 3000, "4012001928706700").await;
    control(
        app,
        "/sandbox/faults",
        json!({ "operation": "refund", "fault": "timeout", "applied": applied, "delayMs": 3000 }),
    )
    .await;
    let (status, body) = refund(
        app,
        json!({ "gateway": "commercehub", "originalTransactionId": original, "amount": 3000, "currency": "USD" }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "processing", "{body}");
    (body["id"].as_str().unwrap().to_string(), original)
}

async fn inquire(app: &TestApp, refund_id: &str) -> usize {
    let attempts = app.state.store.refund_attempts(refund_id).await.unwrap();
    let mut recorded = 0;
    let hub = app.state.commercehub.as_ref().unwrap();
    for attempt in attempts {
        recorded += hub
            .client
            .inquire_request(&attempt.client_request_id)
            .await
            .unwrap()
            .len();
    }
    recorded
}

/// What the Commerce Hub simulator's own ledger says the charge was refunded (minor units).
pub async fn refunded_at_gateway(app: &TestApp, transaction_id: &str) -> i64 {
    let charge: Value = app
        .http
        .get(format!(
            "{}/sandbox/charges/{transaction_id}",
            app.commercehub_origin
        ))
        .header("Api-Key", &app.commercehub_api_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    charge["refunded"]
        .as_i64()
        .unwrap_or_else(|| panic!("{charge}"))
}

/// Moves the last send of every attempt of `refund_id` far enough back that it can no longer be
/// open at the gateway (a test cannot wait out paydesk's timeout and margin).
pub async fn age_sends(app: &TestApp, refund_id: &str) {
    app.sql(&format!(
        "UPDATE gateway_refund_attempts SET last_sent_at = last_sent_at - 120000 WHERE refund_id = '{refund_id}'"
    ))
    .await;
}

#[tokio::test]
async fn a_lost_answer_is_resent_with_the_same_id_inside_the_window_and_refunds_once() {
    let app = spawn_app_with(&[("PAYDESK_GATEWAY_TIMEOUT_SECS", "1")]).await;
    let (id, original) = lost_answer(&app, false).await;
    // Sent a moment ago: it may still be open at the gateway, so nothing goes again yet.
    let shown = app.get(&format!("/api/v1/refunds/{id}")).await;
    assert_eq!(shown["status"], "processing", "{shown}");
    assert_eq!(
        app.state.store.refund_attempts(&id).await.unwrap()[0].sends,
        1
    );

    age_sends(&app, &id).await;
    let shown = app.get(&format!("/api/v1/refunds/{id}")).await;
    assert_eq!(shown["status"], "refunded", "{shown}");
    let attempts = app.state.store.refund_attempts(&id).await.unwrap();
    assert_eq!(attempts.len(), 1, "the same Client-Request-Id was resent");
    assert_eq!(attempts[0].sends, 2);
    assert_eq!(inquire(&app, &id).await, 1, "one refund at the gateway");
    assert_eq!(refunded_at_gateway(&app, &original).await, 3000);
    assert_eq!(events_of(&app, "refund.refunded").await.len(), 1);
}

#[tokio::test]
async fn after_the_window_paydesk_inquires_before_sending_again() {
    let app = spawn_app_with(&[("PAYDESK_GATEWAY_TIMEOUT_SECS", "1")]).await;
    // Done at the gateway, answer lost: the inquiry finds it; nothing is sent again.
    let (done, _) = lost_answer(&app, true).await;
    app.sql(&format!("UPDATE gateway_refund_attempts SET first_sent_at = first_sent_at - 400000, last_sent_at = last_sent_at - 400000 WHERE refund_id = '{done}'")).await;
    let shown = app.get(&format!("/api/v1/refunds/{done}")).await;
    assert_eq!(shown["status"], "refunded", "{shown}");
    assert_eq!(
        app.state.store.refund_attempts(&done).await.unwrap().len(),
        1
    );

    // Never done: the inquiry finds nothing, so the same request goes again under a new id.
    let (lost, _) = lost_answer(&app, false).await;
    app.sql(&format!("UPDATE gateway_refund_attempts SET first_sent_at = first_sent_at - 400000, last_sent_at = last_sent_at - 400000 WHERE refund_id = '{lost}'")).await;
    let shown = app.get(&format!("/api/v1/refunds/{lost}")).await;
    assert_eq!(shown["status"], "refunded", "{shown}");
    let attempts = app.state.store.refund_attempts(&lost).await.unwrap();
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0].state.as_str(), "replaced");
    assert_eq!(inquire(&app, &lost).await, 1, "one refund at the gateway");
}

/// Sequence 6 (issue 25): more refunds wait for customers' cards than one background pass reads,
/// and a refund whose answer was lost is still settled in the background — when it is due, not
/// after them — and the merchant hears of it.
#[tokio::test]
async fn a_lost_answer_is_settled_in_the_background_behind_many_waiting_links() {
    let app = spawn_app_with(&[
        ("PAYDESK_GATEWAY_TIMEOUT_SECS", "1"),
        ("PAYDESK_RECONCILE_INTERVAL_MS", "100"),
    ])
    .await;
    for n in 0..205 {
        let original = commercehub_charge(&app, 1204, "closed").await;
        let (status, body) = refund(
            &app,
            json!({ "gateway": "commercehub", "originalTransactionId": original, "amount": 1204,
                    "currency": "USD", "orderNumber": format!("W-{n}") }),
        )
        .await;
        assert_eq!(
            (status, body["status"].as_str()),
            (201, Some("awaiting_card")),
            "{body}"
        );
    }
    let (id, original) = lost_answer(&app, true).await;
    age_sends(&app, &id).await;
    app.sql(&format!(
        "UPDATE gateway_refunds SET next_check_at = 0 WHERE id = '{id}'"
    ))
    .await;
    // Read from the store: a merchant's GET would settle it itself.
    for _ in 0..100 {
        let stored = app.state.store.gateway_refund(&id).await.unwrap().unwrap();
        if stored.status.as_str() == "refunded" {
            assert_eq!(refunded_at_gateway(&app, &original).await, 3000);
            assert_eq!(events_of(&app, "refund.refunded").await.len(), 1);
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the lost answer was never settled in the background");
}

/// A second answer to a request already answered — a resend another instance had in flight, which
/// Commerce Hub answers as it did the first — changes nothing: one declined card counts once, and
/// a refund whose next card is being tried is not moved back by it.
#[tokio::test]
async fn a_stale_second_answer_to_an_answered_request_changes_nothing() {
    use paydesk_core::model::{GatewayRefundStatus, RefundAttemptState};
    let app = spawn_app().await;
    let original = commercehub_charge(&app, 900, "closed").await;
    let (status, body) = refund(
        &app,
        json!({ "gateway": "commercehub", "originalTransactionId": original, "amount": 900, "currency": "USD" }),
    )
    .await;
    assert_eq!(
        (status, &body["status"]),
        (201, &json!("awaiting_card")),
        "{body}"
    );
    let id = body["id"].as_str().unwrap();
    let store = &app.state.store;
    let record = store.gateway_refund(id).await.unwrap().unwrap();
    let attempts = store.refund_attempts(id).await.unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].state, RefundAttemptState::Answered);

    // The tagged request's answer arrives again, as a declined card would be counted.
    let mut stale = record.clone();
    stale.card_declines += 1;
    let written = store
        .advance_gateway_refund(
            &stale,
            GatewayRefundStatus::AwaitingCard,
            Some((
                &attempts[0].client_request_id,
                RefundAttemptState::Answered,
                None,
            )),
            None,
            None,
        )
        .await
        .unwrap();
    assert!(!written, "an answered request is not answered twice");
    let after = store.gateway_refund(id).await.unwrap().unwrap();
    assert_eq!(after.card_declines, record.card_declines);
    assert_eq!(after.status, GatewayRefundStatus::AwaitingCard);
}
