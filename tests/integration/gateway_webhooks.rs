//! Gateway webhooks end to end: signature, storage before acknowledgement, replays and out-of-order
//! delivery.

use crate::common::{spawn_app, WEBHOOK_SECRET};
use paydesk_core::gateways::omni::signature::{sign, SignatureEncoding};
use serde_json::{json, Value};

pub(crate) fn auth_event(
    event_id: &str,
    reference: &str,
    transaction_id: &str,
    response_code: i64,
) -> String {
    json!({
        "event": { "id": event_id, "type": "auth.completed", "timestamp": "2026-11-21T10:00:00Z" },
        "originalResponse": {
            "id": transaction_id, "type": "Auth", "status": "Completed", "resultCode": 0,
            "resultText": if response_code == 1 { "APPROVED" } else { "DECLINED" },
            "referenceId": reference, "requestedAmount": 1000,
            "approvedAmount": if response_code == 1 { 1000 } else { 0 },
            "transactionResponses": [{ "responseCode": response_code, "cardType": "VISA",
                "paymentMethod": { "id": "pmt_tkn_1", "type": "Token", "maskedCardNumber": "************1111" } }]
        }
    })
    .to_string()
}

#[tokio::test]
async fn a_sandbox_payment_is_confirmed_by_its_signed_webhook() {
    let app = spawn_app().await;
    let (id, form) = app.open_session(1000).await;
    let submitted = app
        .submit_card(&form.iframe_url, "4111 1111 1111 1111")
        .await;
    assert_eq!(submitted.status(), 200);
    let checkout = app.wait_for_status(&id, "authorized").await;
    assert_eq!(checkout["transaction"]["responseCode"], 1);
    assert_eq!(
        checkout["transaction"]["maskedCardNumber"],
        "************1111"
    );
}

#[tokio::test]
async fn signatures_are_checked_in_hex_and_base64() {
    let app = spawn_app().await;
    let body = json!({ "event": { "id": "evt_sig_1", "type": "something.new" } }).to_string();
    assert_eq!(
        app.post_gateway_webhook(&body, "deadbeef").await.status(),
        401
    );
    let missing = app
        .http
        .post(format!("{}/webhooks/gateway", app.base))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);
    assert!(
        app.state
            .store
            .webhook_event("evt_sig_1")
            .await
            .unwrap()
            .is_none(),
        "unsigned events are not stored"
    );

    let hex = sign(
        WEBHOOK_SECRET.as_bytes(),
        body.as_bytes(),
        SignatureEncoding::Hex,
    );
    assert_eq!(app.post_gateway_webhook(&body, &hex).await.status(), 200);
    let stored = app
        .state
        .store
        .webhook_event("evt_sig_1")
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(
        stored.outcome.as_deref(),
        Some("ignored: unknown event type")
    );

    let body2 = body.replace("evt_sig_1", "evt_sig_2");
    let b64 = sign(
        WEBHOOK_SECRET.as_bytes(),
        body2.as_bytes(),
        SignatureEncoding::Base64,
    );
    assert_eq!(app.post_gateway_webhook(&body2, &b64).await.status(), 200);
}

#[tokio::test]
async fn a_replayed_event_is_stored_once_and_changes_nothing_twice() {
    let app = spawn_app().await;
    let (id, form) = app.open_session(1000).await;
    let body = auth_event("evt_replay", &form.attempt_id, "trx_replay", 1);
    let signature = sign(
        WEBHOOK_SECRET.as_bytes(),
        body.as_bytes(),
        SignatureEncoding::Hex,
    );
    for _ in 0..3 {
        assert_eq!(
            app.post_gateway_webhook(&body, &signature).await.status(),
            200
        );
    }
    let checkout = app.checkout(&id).await;
    assert_eq!(checkout["status"], "authorized");
    assert_eq!(checkout["transaction"]["id"], "trx_replay");
    let event = app
        .state
        .store
        .webhook_event("evt_replay")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        event.apply_attempts, 1,
        "a duplicate is acknowledged without being applied again"
    );
}

#[tokio::test]
async fn a_late_decline_never_undoes_an_approval() {
    let app = spawn_app().await;
    let (id, first) = app.open_session(1000).await;
    // Attempt 1 is declined (we learn it by lookup), the customer retries and attempt 2 is
    // approved...
    app.submit_card(&first.iframe_url, "4000000000000002").await;
    app.wait_for_status(&id, "declined").await;
    let page = crate::common::payment_page(&app.state, &id, paydesk_core::payments::Intent::Retry)
        .await
        .unwrap();
    let paydesk_core::model::PaymentState::Ready(second) = page.state else {
        panic!("expected a new session")
    };
    assert_ne!(second.attempt_id, first.attempt_id);
    app.submit_card(&second.iframe_url, "4111111111111111")
        .await;
    let approved = app.wait_for_status(&id, "authorized").await;

    // ...then an old, out-of-order decline for attempt 1 arrives again under a new event id.
    let late = auth_event("evt_late_decline", &first.attempt_id, "trx_other", 10);
    let signature = sign(
        WEBHOOK_SECRET.as_bytes(),
        late.as_bytes(),
        SignatureEncoding::Hex,
    );
    assert_eq!(
        app.post_gateway_webhook(&late, &signature).await.status(),
        200
    );
    let after = app.checkout(&id).await;
    assert_eq!(after["status"], "authorized");
    assert_eq!(after["transaction"], approved["transaction"]);
}

#[tokio::test]
async fn an_event_for_someone_elses_reference_is_stored_and_acknowledged() {
    let app = spawn_app().await;
    let body = auth_event("evt_foreign", "not-ours", "trx_foreign", 1);
    let signature = sign(
        WEBHOOK_SECRET.as_bytes(),
        body.as_bytes(),
        SignatureEncoding::Hex,
    );
    assert_eq!(
        app.post_gateway_webhook(&body, &signature).await.status(),
        200
    );
    let event = app
        .state
        .store
        .webhook_event("evt_foreign")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(event.outcome.as_deref(), Some("unmatched"));
    let stored: Value = serde_json::from_str(&event.body).unwrap();
    assert_eq!(stored["event"]["id"], "evt_foreign");
}

/// A stored event that can never be applied is tried again less and less often, then given up and
/// reported (it is not retried forever, and never deleted).
#[tokio::test]
async fn an_event_that_never_applies_backs_off_then_is_given_up_and_reported() {
    use paydesk_core::payments::{reconciliation_report, DiscrepancyKind};
    let app = crate::common::spawn_app_with(&[("PAYDESK_RECONCILE_INTERVAL_MS", "50")]).await;
    let (_, form) = app.open_session(1000).await;
    app.db
        .break_inserts("gateway_transactions", "broken disk")
        .await;
    let body = auth_event("evt_never", &form.attempt_id, "trx_never", 1);
    let signature = sign(
        WEBHOOK_SECRET.as_bytes(),
        body.as_bytes(),
        SignatureEncoding::Hex,
    );
    app.post_gateway_webhook(&body, &signature).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let event = app
        .state
        .store
        .webhook_event("evt_never")
        .await
        .unwrap()
        .unwrap();
    assert!(event.processed_at.is_none());
    assert!(
        (1..=3).contains(&event.apply_attempts),
        "retried with a growing wait, not every pass: {} attempts",
        event.apply_attempts
    );

    // Its last allowed attempt fails too: it is given up, and stays given up.
    app.sql("UPDATE webhook_events SET apply_attempts = 19, next_apply_at = 0 WHERE event_id = 'evt_never'").await;
    let mut abandoned = Vec::new();
    for _ in 0..60 {
        abandoned = app.state.store.abandoned_webhook_events(10).await.unwrap();
        if !abandoned.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(abandoned.len(), 1, "given up");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let event = app
        .state
        .store
        .webhook_event("evt_never")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(event.apply_attempts, 20, "never tried again");
    assert!(event.last_error.unwrap_or_default().contains("broken disk"));

    let report = reconciliation_report(
        &app.state.store,
        paydesk_core::payments::ReportGateways::of(&app.state),
        0,
    )
    .await
    .unwrap();
    assert!(
        report
            .discrepancies
            .iter()
            .any(|d| d.kind == DiscrepancyKind::WebhookNotApplied && d.subject == "evt_never"),
        "{:?}",
        report.discrepancies
    );
}

/// An approved authorization for a session no link knows, unique per `n` (stored, matched to
/// nothing, marked applied).
fn stray_approval(n: usize) -> String {
    serde_json::json!({
        "event": { "id": format!("evt_burst_{n}"), "type": "auth.completed", "timestamp": "2026-11-22T10:00:00Z" },
        "originalResponse": {
            "id": format!("txn_burst_{n}"), "type": "Auth", "status": "Completed",
            "resultCode": 0, "resultText": "APPROVAL", "referenceId": format!("ref_burst_{n}"),
            "amount": "24.50", "currency": "USD",
            "transactionResponses": [{ "responseCode": 1, "hostResponseText": "APPROVAL", "cardType": "VISA" }]
        }
    })
    .to_string()
}

/// A burst of deliveries (stored together, a transaction for many): each is acknowledged only once
/// its row is stored, a redelivery in the same burst is stored once, and every event is applied —
/// inline or by the background workers — without anyone asking again.
#[tokio::test]
async fn a_burst_of_deliveries_is_stored_together_and_every_event_applied() {
    let app = crate::common::spawn_app_with(&[("PAYDESK_RECONCILE_INTERVAL_MS", "600000")]).await;
    let mut deliveries = tokio::task::JoinSet::new();
    for n in 0..120 {
        let body = stray_approval(n % 100);
        let signature = sign(
            WEBHOOK_SECRET.as_bytes(),
            body.as_bytes(),
            SignatureEncoding::Hex,
        );
        let (http, url) = (app.http.clone(), format!("{}/webhooks/gateway", app.base));
        deliveries.spawn(async move {
            let sent = http
                .post(url)
                .header("content-type", "application/json")
                .header("x-fsk-wh-chksm", signature)
                .body(body)
                .send()
                .await;
            sent.unwrap().status().as_u16()
        });
    }
    for status in deliveries.join_all().await {
        assert_eq!(status, 200);
    }
    // Acknowledged means stored: every event is there the moment the last answer arrived.
    assert_eq!(
        app.db
            .count("SELECT COUNT(*) FROM webhook_events WHERE event_id LIKE 'evt_burst_%'")
            .await,
        100
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let applied = app
            .db
            .count("SELECT COUNT(*) FROM webhook_events WHERE event_id LIKE 'evt_burst_%' AND processed_at IS NOT NULL")
            .await;
        if applied == 100 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{applied} of 100 applied"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Storing several events in one transaction answers each in order, a repeated id as a duplicate.
#[tokio::test]
async fn events_stored_together_are_answered_one_by_one() {
    use paydesk_core::store::{now_ms, EventInsert, WebhookEventRecord};
    let app = crate::common::spawn_app().await;
    let event = |id: &str| WebhookEventRecord {
        event_id: id.into(),
        event_type: "auth.completed".into(),
        event_timestamp: Some("2026-11-22T10:00:00Z".into()),
        body: "{}".into(),
        received_at: now_ms(),
        processed_at: None,
        outcome: None,
        apply_attempts: 0,
        last_error: None,
    };
    let answers = app
        .state
        .store
        .insert_webhook_events(&[event("evt_a"), event("evt_a"), event("evt_b")])
        .await
        .unwrap();
    assert_eq!(
        answers,
        vec![
            EventInsert::New,
            EventInsert::Duplicate { processed: false },
            EventInsert::New
        ]
    );
}
